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

/// `systrace export OPTIONS OUT RECORDINGS...` (`OPTIONS` ending in
/// `--parquet`), which must succeed.
fn export(options: &[&str], out: &Path, recordings: &[PathBuf]) {
    let exported = common::systrace()
        .args(options)
        .arg(out)
        .args(recordings)
        .output()
        .unwrap();
    assert!(exported.status.success(), "{exported:?}");
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
    let view = format!("SELECT * FROM 'calls.parquet' WHERE trace = '{trace}'");
    duckdb(dir, &view, queries)
}

/// Each query's rows as JSON, from DuckDB in `dir`, with `'calls.parquet'`
/// in them standing for the view `calls` (`view`, a SELECT).
fn duckdb(dir: &Path, view: &str, queries: &[String]) -> Vec<serde_json::Value> {
    let script = r#"
import base64, duckdb, json, sys
view, queries = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect()
con.execute(f"CREATE VIEW calls AS {view}")
def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return str(value)
out = []
for q in queries:
    q = q.replace("'calls.parquet'", "calls")
    cur = con.execute(q)
    names = [d[0] for d in cur.description]
    out.append([dict(zip(names, row)) for row in cur.fetchall()])
print(json.dumps(out, default=plain))
"#;
    let out = Command::new(common::duckdb::python())
        .args(["-c", script, view])
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
    export(&["export", "--parquet"], &table, &recordings);
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
    buffers_are_the_bytes_moved(dir.path(), &fileio_trace);
    rows_are_show_jsons_calls(dir.path(), &recordings[1]);
    a_partitioned_directory_is_the_same_table(dir.path(), &recordings);
}

/// fileio's write and reads of a.txt carry its 13 bytes (and the 5 of the
/// last read), taken at the write's entry and the reads' return; every buffer written is whole when
/// it fits the snapshot, its start otherwise.
fn buffers_are_the_bytes_moved(dir: &Path, trace: &str) {
    let query = "SELECT syscall, b.arg, b.at_exit, b.status, b.data \
        FROM (SELECT syscall, enter_ns, unnest(buffers) AS b FROM 'calls.parquet' \
              WHERE syscall IN ('read', 'write') AND fd_path LIKE '%/a.txt') \
        ORDER BY enter_ns";
    let view = format!("SELECT * FROM 'calls.parquet' WHERE trace = '{trace}'");
    let [rows] = <[serde_json::Value; 1]>::try_from(duckdb(dir, &view, &[query.into()])).unwrap();
    let data: Vec<u8> = b"file-io data\n".to_vec();
    let expected = serde_json::json!([
        {"syscall": "write", "arg": 1, "at_exit": false, "status": "complete", "data": data},
        {"syscall": "read", "arg": 1, "at_exit": true, "status": "complete", "data": data},
        {"syscall": "read", "arg": 1, "at_exit": true, "status": "complete", "data": data[..5]},
    ]);
    assert_eq!(rows, expected);
    // Each write's buffer against its length argument (arg2).
    let query = "SELECT b.status, octet_length(b.data) AS len, arg2 AS count \
        FROM (SELECT arg2, unnest(buffers) AS b FROM 'calls.parquet' WHERE syscall = 'write') \
        WHERE b.arg = 1";
    let view = "SELECT * FROM 'calls.parquet'";
    let [rows] = <[serde_json::Value; 1]>::try_from(duckdb(dir, view, &[query.into()])).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().any(|r| r["status"] == "partial"), "{rows:?}");
    for row in rows {
        let (len, count) = (row["len"].as_u64().unwrap(), row["count"].as_u64().unwrap());
        match row["status"].as_str().unwrap() {
            "complete" => assert_eq!(len, count, "{row}"),
            "partial" => assert!(0 < len && len < count, "{row}"),
            other => panic!("{other}: {row}"),
        }
    }
}

/// Every call's row says what `show --json` says of it: name, arguments
/// as strace renders them, result, error and duration, call for call.
fn rows_are_show_jsons_calls(dir: &Path, recording: &Path) {
    let trace = format::Trace::open(recording).unwrap().header().id_text();
    let query = "SELECT tid, enter_ns AS ts, syscall AS name, args, ret, errno, duration_ns \
        FROM 'calls.parquet' WHERE kind = 'call'";
    let view = format!("SELECT * FROM 'calls.parquet' WHERE trace = '{trace}'");
    let [rows] = <[serde_json::Value; 1]>::try_from(duckdb(dir, &view, &[query.into()])).unwrap();
    let by_call = |call: &serde_json::Value| (call["tid"].as_u64(), call["ts"].as_u64());
    let rows: std::collections::HashMap<_, _> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (by_call(row), row.clone()))
        .collect();
    let json = common::systrace()
        .args(["show", "--json"])
        .arg(recording)
        .output()
        .unwrap();
    let calls: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(calls.len() > 100, "{}", calls.len());
    assert_eq!(calls.len(), rows.len());
    for mut call in calls {
        call.as_object_mut().unwrap().remove("pid");
        assert_eq!(rows.get(&by_call(&call)), Some(&call));
    }
}

/// `--partitioned`: a directory of one file per recording, named by host
/// and trace, which DuckDB reads as the one file's table.
fn a_partitioned_directory_is_the_same_table(dir: &Path, recordings: &[PathBuf]) {
    use std::os::unix::fs::PermissionsExt as _;
    let out = dir.join("calls");
    export(&["export", "--partitioned", "--parquet"], &out, recordings);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    for recording in recordings {
        let trace = format::Trace::open(recording).unwrap().header().id_text();
        let parent = out.join(format!("host={}/trace={trace}", hostname.trim()));
        let file = parent.join("calls.parquet");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&parent), mode(&file)), (0o700, 0o600));
    }
    let summary = "SELECT host, trace, kind, syscall, errno, fd_path, count(*) AS n, \
        sum(bytes) AS bytes, sum(duration_ns) AS ns, sum(len(buffers)) AS buffers \
        FROM 'calls.parquet' GROUP BY ALL ORDER BY ALL";
    let columns = "SELECT count(*) AS n FROM (DESCRIBE SELECT * FROM \
        read_parquet('calls/*/*/calls.parquet', hive_partitioning = false)) \
        WHERE column_name IN ('host', 'trace')";
    let one = duckdb(dir, "SELECT * FROM 'calls.parquet'", &[summary.into()]);
    let parts = duckdb(
        dir,
        "SELECT * FROM read_parquet('calls/**/*.parquet', hive_partitioning = true)",
        &[summary.into(), columns.into()],
    );
    assert!(one[0].as_array().unwrap().len() > 20, "{one:?}");
    assert_eq!(parts[0], one[0]);
    assert_eq!(
        parts[1],
        serde_json::json!([{"n": 0}]),
        "host and trace are names"
    );
    // Under sudo the directory is written as root's (the user who ran sudo
    // cannot swap a directory inside for a symlink meanwhile) and given to
    // that user, every part of it, once complete; 0700 and 0600 whatever
    // the umask.
    let theirs = dir.join("theirs");
    let mut command = Command::new(env!("CARGO_BIN_EXE_systrace"));
    command
        .env("SUDO_UID", "65534")
        .env("SUDO_GID", "65534")
        .args(["export", "--partitioned", "--parquet"])
        .arg(&theirs)
        .args(recordings);
    // SAFETY: umask in the child before exec has no preconditions.
    unsafe {
        use std::os::unix::process::CommandExt as _;
        command.pre_exec(|| {
            libc::umask(0o222);
            Ok(())
        });
    }
    let status = command.status().unwrap();
    assert!(status.success());
    let mut parts = vec![theirs.clone()];
    let mut seen = 0;
    while let Some(part) = parts.pop() {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::symlink_metadata(&part).unwrap();
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o777),
            (65534, 65534, mode),
            "{part:?}"
        );
        if meta.is_dir() {
            parts.extend(std::fs::read_dir(&part).unwrap().map(|e| e.unwrap().path()));
        }
        seen += 1;
    }
    // The directory, a host's, and each recording's directory and file.
    assert_eq!(seen, 2 + 2 * recordings.len());
    // What an export stopped by Ctrl-C left (the user's own partial
    // directory, no longer locked) is replaced.
    let stale = dir.join("again.partial");
    std::fs::create_dir_all(stale.join("host=old")).unwrap();
    export(
        &["export", "--partitioned", "--parquet"],
        &dir.join("again"),
        recordings,
    );
    assert!(!stale.exists() && !dir.join("again/host=old").exists());
    // A second export into the same name is refused; nothing is changed.
    let again = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["export", "--partitioned", "--parquet"])
        .arg(&out)
        .args(recordings)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        format!(
            "systrace: {} exists (a directory): give a new directory's name\n",
            out.display()
        )
    );
}

/// Row groups end where the trace's chunks end: 65,536 rows or more each
/// but the last, and between two groups the boundary of two chunks.
#[test]
fn row_groups_end_where_chunks_do() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dd = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=100000"];
    let recording = common::record(dir.path(), "dd", &dd.map(Into::into));
    // Not calls.parquet: `duckdb` would take it for its view.
    let table = dir.path().join("dd.parquet");
    export(
        &["export", "--parquet"],
        &table,
        std::slice::from_ref(&recording),
    );
    // Each row is written when the event that ends it is read: its exit,
    // or the event itself.
    let query = "SELECT file_row_number AS row, coalesce(exit_ns, enter_ns) AS at \
        FROM read_parquet('dd.parquet', file_row_number = true) ORDER BY row";
    let groups = "SELECT row_group_num_rows AS n FROM parquet_metadata('dd.parquet') \
        GROUP BY row_group_id, row_group_num_rows ORDER BY row_group_id";
    let [rows, groups] = <[serde_json::Value; 2]>::try_from(duckdb(
        dir.path(),
        "SELECT 1",
        &[query.into(), groups.into()],
    ))
    .unwrap();
    let at: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["at"].as_i64().unwrap())
        .collect();
    let sizes: Vec<usize> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["n"].as_u64().unwrap() as usize)
        .collect();
    assert!(sizes.len() >= 3, "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), at.len());
    let trace = format::Trace::open(&recording).unwrap();
    let clock = trace.header().clock.to_native();
    let chunks: Vec<(i64, i64)> = trace
        .index()
        .chunks
        .iter()
        .map(|c| {
            let (first, last) = (c.ts_first.to_native(), c.ts_last.to_native());
            (clock.unix_ns(first), clock.unix_ns(last))
        })
        .collect();
    let mut start = 0;
    for pair in sizes.windows(2) {
        assert!(pair[0] >= 65536, "{sizes:?}");
        let end = start + pair[0];
        let (last, next) = (at[start..end].iter().max(), at[end..].iter().min());
        let (last, next) = (*last.unwrap(), *next.unwrap());
        assert!(
            chunks.windows(2).any(|c| last <= c[0].1 && c[1].0 <= next),
            "rows {start}..{end} end inside a chunk"
        );
        start = end;
    }
}

/// A call still in progress when the recording stopped has its row, with
/// no exit and no result (strace's text prints it only under `-e
/// status=detached`).
#[test]
fn a_call_in_progress_when_recording_stopped_has_a_row() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The shell leaves a sleep behind, recorded from its start, still in
    // its clock_nanosleep when --duration ends the recording.
    let trace = common::record_with(
        dir.path(),
        "sleep",
        &["--duration", "1s"],
        &["sh".into(), "-c".into(), "sleep 3 & exit 0".into()],
    );
    let table = dir.path().join("sleep.parquet");
    export(&["export", "--parquet"], &table, &[trace]);
    let query = "SELECT process, exit_ns, ret, duration_ns FROM 'sleep.parquet' \
        WHERE syscall = 'clock_nanosleep'";
    let [rows] =
        <[serde_json::Value; 1]>::try_from(duckdb(dir.path(), "SELECT 1", &[query.into()]))
            .unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            {"process": "sleep", "exit_ns": null, "ret": null, "duration_ns": null}
        ]),
    );
}

/// `fd_paths` names every descriptor argument, `fd_path` the first: the
/// shell's redirection and cat's copy move data between two named files.
#[test]
fn fd_paths_name_every_descriptor_argument() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let script = format!("cat /etc/hostname > {}", out.display());
    let trace = common::record(
        dir.path(),
        "redirect",
        &["sh".into(), "-c".into(), script.into()],
    );
    let table = dir.path().join("redirect.parquet");
    export(&["export", "--parquet"], &table, &[trace]);
    let two = "SELECT syscall, fd_paths FROM 'redirect.parquet' \
        WHERE len(fd_paths) = 2 AND fd_paths[2] IS NOT NULL";
    let first = "SELECT count(*) AS n FROM 'redirect.parquet' \
        WHERE kind = 'call' AND fd_path IS DISTINCT FROM fd_paths[1]";
    let [two, first] = <[serde_json::Value; 2]>::try_from(duckdb(
        dir.path(),
        "SELECT 1",
        &[two.into(), first.into()],
    ))
    .unwrap();
    let out = out.display().to_string();
    assert!(
        two.as_array()
            .unwrap()
            .iter()
            .any(|row| row["fd_paths"][1] == out.as_str()),
        "{two}"
    );
    assert_eq!(first, serde_json::json!([{"n": 0}]));
}
