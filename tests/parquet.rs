//! `export --parquet`, read by an engine that is not ours: DuckDB (its
//! Python package, installed into a virtual environment under target/ when
//! missing, as capture/build.rs installs bpf-linker) runs the README's
//! three queries on a table of two recordings, and their answers are
//! checked against `systrace stats`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

mod common;

use common::can_record;

/// A Python with the `duckdb` package, in target/'s own virtual
/// environment (the system's Python is left alone).
fn duckdb_python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("duckdb-venv");
    let python = venv.join("bin/python");
    let has_duckdb = |python: &Path| {
        Command::new(python)
            .args(["-c", "import duckdb"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_duckdb(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(made.unwrap().success(), "making {}", venv.display());
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "duckdb"])
            .status();
        assert!(pip.unwrap().success(), "installing duckdb");
    }
    python
}

/// The README's SQL blocks, in order.
fn readme_queries() -> Vec<String> {
    let readme = include_str!("../README.md");
    readme
        .split("```sql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or_default().to_owned())
        .collect()
}

/// Each query's rows as JSON, from DuckDB in `dir` (where calls.parquet is),
/// restricted to the recording `trace`.
fn run_queries(dir: &Path, trace: &str, queries: &[String]) -> Vec<serde_json::Value> {
    let script = r#"
import duckdb, json, sys
trace, queries = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect()
con.execute(f"CREATE VIEW calls AS SELECT * FROM 'calls.parquet' WHERE trace = '{trace}'")
out = []
for q in queries:
    q = q.replace("'calls.parquet'", "calls")
    cur = con.execute(q)
    names = [d[0] for d in cur.description]
    out.append([dict(zip(names, row)) for row in cur.fetchall()])
print(json.dumps(out, default=str))
"#;
    let out = Command::new(duckdb_python())
        .args(["-c", script, trace])
        .arg(serde_json::to_string(queries).unwrap())
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Per syscall: calls, errors and seconds, as `stats --json` counts them.
fn stats_of(file: &Path) -> Vec<(String, u64, u64, f64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["stats", "--json"])
        .arg(file)
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    stats["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["calls"].as_u64().unwrap(),
                s["errors"].as_u64().unwrap(),
                s["seconds"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn duckdb_answers_as_stats_does() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fileio = common::sample("fileio");
    let recordings = [
        common::record(dir.path(), "fileio", &[fileio.into(), dir.path().into()]),
        common::record(dir.path(), "ls", &["ls".into(), "-l".into(), "/".into()]),
    ];
    let table = dir.path().join("calls.parquet");
    let status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["export", "--parquet"])
        .arg(&table)
        .args(&recordings)
        .status()
        .unwrap();
    assert!(status.success());
    let queries = readme_queries();
    assert_eq!(queries.len(), 3, "{queries:?}");
    for recording in &recordings {
        let trace = format::Trace::open(recording).unwrap().header().id_text();
        let [by_time, failed_opens, reads] =
            <[serde_json::Value; 3]>::try_from(run_queries(dir.path(), &trace, &queries)).unwrap();
        let stats = stats_of(recording);
        assert!(!stats.is_empty());
        // Calls, errors and time per syscall: the first query's rows summed
        // over processes.
        for (name, calls, errors, seconds) in &stats {
            let rows = by_time
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["syscall"] == **name);
            let (n, failed, ns) = rows.fold((0, 0, 0), |(n, failed, ns), r| {
                let value = |key: &str| r[key].as_u64().unwrap();
                (
                    n + value("calls"),
                    failed + value("errors"),
                    ns + value("ns"),
                )
            });
            assert_eq!((n, failed), (*calls, *errors), "{name} in {trace}");
            let ratio = ns as f64 / 1e9 / seconds.max(1e-9);
            assert!(
                (0.99..=1.01).contains(&ratio),
                "{name}: {ns} ns vs {seconds} s"
            );
            // Reads: the third query's counts per file add up to stats'.
            if name == "read" {
                let rows = reads.as_array().unwrap().iter();
                let counted: u64 = rows.map(|r| r["reads"].as_u64().unwrap()).sum();
                assert_eq!(counted, *calls, "{reads:.300}");
            }
        }
        // Failed opens: the second query's rows, each with its path, as
        // many as stats counts.
        let failed = failed_opens.as_array().unwrap();
        let opens = stats
            .iter()
            .filter(|(name, ..)| name == "open" || name == "openat");
        assert_eq!(
            failed.len() as u64,
            opens.map(|(_, _, errors, _)| errors).sum::<u64>()
        );
        assert!(
            failed
                .iter()
                .all(|r| r["path"].is_string() && r["errno"].is_string())
        );
    }
    // fileio's failed open of missing.txt, named as strace names it.
    let fileio_trace = format::Trace::open(&recordings[0])
        .unwrap()
        .header()
        .id_text();
    let [_, failed, reads] =
        <[serde_json::Value; 3]>::try_from(run_queries(dir.path(), &fileio_trace, &queries))
            .unwrap();
    assert!(
        failed.as_array().unwrap().iter().any(|r| r["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/missing.txt\""))
            && r["errno"] == "ENOENT"),
        "{failed:.300}"
    );
    assert!(
        reads
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["fd_path"].as_str().is_some_and(|p| p.ends_with("/a.txt"))),
        "{reads:.300}"
    );
}
