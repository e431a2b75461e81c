//! `systrace stats`, `show --json` and `export --perfetto` on real recordings of
//! the samples: counts equal strace -c's, each syscall-lab question of the
//! README gets its answer from its one command, the JSON outputs follow the
//! schemas in analyze/schema, and the Perfetto export is valid and well
//! nested. Needs root (see `common::can_record`).

mod common;

use std::{collections::BTreeMap, ffi::OsString, path::Path, process::Command};

use common::{can_record, record, sample, systrace};
use serde_json::Value;

/// Runs systrace with `args`; its standard output.
fn run(args: &[&std::ffi::OsStr]) -> String {
    let out = systrace().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "systrace {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// `name -> (calls, errors)` from a table in strace -c's format.
fn counts(table: &str) -> BTreeMap<String, (u64, u64)> {
    table
        .lines()
        .filter(|l| !l.starts_with('%') && !l.starts_with('-'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (calls, errors, name) = match f.len() {
                5 => (f[3], "0", f[4]),
                6 => (f[3], f[4], f[5]),
                _ => return None,
            };
            Some((name.to_owned(), (calls.parse().ok()?, errors.parse().ok()?)))
        })
        .collect()
}

/// strace -c -f's counts for `command` run in `dir/work`.
fn strace_counts(dir: &Path, command: &[OsString]) -> BTreeMap<String, (u64, u64)> {
    let log = dir.join("strace-c.txt");
    // (strace exits with the program's status: hello's is 3.)
    Command::new("strace")
        .args(["-f", "-c", "-o"])
        .arg(&log)
        .arg("--")
        .args(command)
        .current_dir(dir.join("work"))
        .output()
        .unwrap();
    counts(&std::fs::read_to_string(log).unwrap())
}

#[test]
fn counts_per_syscall_equal_strace_c() {
    if !can_record() {
        return;
    }
    for name in [
        "hello", "fileio", "forker", "badfd", "mmapper", "vectored", "tcp",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = vec![os(sample(name))];
        if matches!(name, "fileio" | "badfd" | "mmapper") {
            command.push(os(dir.path()));
        }
        let file = record(dir.path(), name, &command);
        let ours = counts(&run(&[os("stats").as_ref(), file.as_ref()]));
        let theirs = strace_counts(dir.path(), &command);
        assert!(!ours.is_empty());
        assert_eq!(ours, theirs, "{name}: stats vs strace -c");
    }
}

/// The mmap questions: which process mapped most, how big the mappings
/// were, and what share was private or shared.
#[test]
fn mmap_questions() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "{} {}; true",
        sample("mmapper").display(),
        dir.path().display()
    );
    let file = record(dir.path(), "mmap", &[os("sh"), os("-c"), os(&script)]);
    let by_process = run(&[
        os("stats").as_ref(),
        file.as_ref(),
        os("--by").as_ref(),
        os("process").as_ref(),
        os("-e").as_ref(),
        os("trace=mmap").as_ref(),
        os("-S").as_ref(),
        os("calls").as_ref(),
    ]);
    let top = by_process.lines().nth(1).unwrap_or_default();
    assert!(top.ends_with(" mmapper"), "{by_process}");

    let report = run(&[os("stats").as_ref(), file.as_ref(), os("--mmap").as_ref()]);
    // The same numbers from strace's own view of the same program.
    let log = dir.path().join("mmap.strace");
    Command::new("strace")
        .args(["-f", "-e", "trace=mmap", "-o"])
        .arg(&log)
        .args(["sh", "-c", &script])
        .status()
        .unwrap();
    let log = std::fs::read_to_string(log).unwrap();
    let maps: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("mmap(") && !l.contains("= -1"))
        .collect();
    let shared = maps.iter().filter(|l| l.contains("MAP_SHARED")).count();
    let summary = format!(
        "mmap: {} mappings: {} private ({:.1}%), {shared} shared ({:.1}%)",
        maps.len(),
        maps.len() - shared,
        (maps.len() - shared) as f64 * 100.0 / maps.len() as f64,
        shared as f64 * 100.0 / maps.len() as f64,
    );
    assert_eq!(shared, 2);
    assert!(report.contains(&summary), "{summary}\n{report}");
    // mmapper's own sizes: 4K, 8K (shared), 4K (file), 64K and 1M.
    for range in ["[4K, 8K)", "[8K, 16K)", "[64K, 128K)", "[1M, 2M)"] {
        let row = report
            .lines()
            .find(|l| l.starts_with(range))
            .unwrap_or_else(|| panic!("{range}: {report}"));
        let count: u64 = row[range.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(count >= 1, "{row}");
    }
}

/// Which files were opened, by whom, and how many bytes went through them.
#[test]
fn files_opened_and_by_whom() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = record(
        dir.path(),
        "fileio",
        &[os(sample("fileio")), os(dir.path())],
    );
    let table = run(&[
        os("stats").as_ref(),
        file.as_ref(),
        os("--by").as_ref(),
        os("file").as_ref(),
    ]);
    let row = |path: &Path| {
        let path = path.display().to_string();
        table
            .lines()
            .find(|l| l.contains(&format!("  {path}  (")))
            .unwrap_or_else(|| panic!("{path}: {table}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // opens, failed, read, written, path, (processes)
    let a = row(&dir.path().join("a.txt"));
    assert_eq!(a[..4], ["3", "0", "18", "13"], "{table}");
    assert!(a[5].starts_with("(fileio["), "{table}");
    let missing = row(&dir.path().join("missing.txt"));
    assert_eq!(missing[..4], ["1", "1", "0", "0"], "{table}");
}

/// Temporary files, and close() calls on descriptors that were not open.
#[test]
fn tmpfiles_and_bad_closes() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = record(dir.path(), "badfd", &[os(sample("badfd")), os(dir.path())]);
    let tmp = run(&[
        os("stats").as_ref(),
        file.as_ref(),
        os("--tmpfiles").as_ref(),
    ]);
    let listed: Vec<&str> = tmp.lines().filter(|l| l.starts_with("badfd[")).collect();
    assert_eq!(listed.len(), 2, "{tmp}");
    assert!(listed[0].contains("O_RDWR|O_TMPFILE, 0600) = 3"), "{tmp}");
    assert!(
        listed[1].contains("excl.tmp\", O_WRONLY|O_CREAT|O_EXCL, 0600) = 3"),
        "{tmp}"
    );

    let errors = run(&[
        os("stats").as_ref(),
        file.as_ref(),
        os("--by").as_ref(),
        os("errno").as_ref(),
        os("-e").as_ref(),
        os("trace=close").as_ref(),
    ]);
    let rows: Vec<Vec<&str>> = errors
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 1, "{errors}");
    assert_eq!(rows[0][..3], ["1", "close", "EBADF"], "{errors}");
    let calls = run(&[
        os("show").as_ref(),
        file.as_ref(),
        os("-e").as_ref(),
        os("trace=close").as_ref(),
        os("-Z").as_ref(),
    ]);
    // As strace -e trace=close -Z prints it: the failed call, and the exit.
    assert_eq!(
        calls,
        format!(
            "{:<40}= -1 EBADF (Bad file descriptor)\n+++ exited with 0 +++\n",
            "close(999)"
        )
    );
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../analyze/schema")
        .join(name);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn json_outputs_follow_their_schemas() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = record(dir.path(), "forker", &[os(sample("forker"))]);
    let lines = run(&[os("show").as_ref(), file.as_ref(), os("--json").as_ref()]);
    let show = schema("show.schema.json");
    let mut names = Vec::new();
    for line in lines.lines() {
        let call: Value = serde_json::from_str(line).unwrap();
        if let Err(e) = show.validate(&call) {
            panic!("{e}: {line}");
        }
        names.push(call["name"].as_str().unwrap().to_owned());
    }
    assert!(names.iter().any(|n| n == "wait4") && names.iter().any(|n| n == "exit_group"));
    let wait4: Value = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|c| c["name"] == "wait4")
        .unwrap();
    assert_eq!(wait4["args"][1], "[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]");
    // The schema is not vacuous.
    let mut broken = wait4.clone();
    broken["ret"] = Value::from("seven");
    assert!(show.validate(&broken).is_err());

    let stats = schema("stats.schema.json");
    let text = run(&[
        os("stats").as_ref(),
        file.as_ref(),
        os("--json").as_ref(),
        os("--tmpfiles").as_ref(),
    ]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    if let Err(e) = stats.validate(&doc) {
        panic!("{e}: {text}");
    }
    assert!(
        doc["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "clone")
    );
    assert_eq!(doc["processes"].as_array().unwrap().len(), 2);
    let mut broken = doc.clone();
    broken["total"]["calls"] = Value::from(-1);
    assert!(stats.validate(&broken).is_err());
}

/// Microseconds as written, in nanoseconds.
fn ns(v: &Value) -> u64 {
    (v.as_f64().unwrap() * 1000.0).round() as u64
}

#[test]
fn perfetto_export_is_valid_and_nested() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "{}; {}",
        sample("threads").display(),
        sample("forker").display()
    );
    let file = record(dir.path(), "both", &[os("sh"), os("-c"), os(&script)]);
    let out = dir.path().join("both.json");
    run(&[
        os("export").as_ref(),
        os("--perfetto").as_ref(),
        out.as_ref(),
        file.as_ref(),
    ]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let named = |kind: &str| -> Vec<(u64, u64)> {
        events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == kind)
            .map(|e| (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap_or(0)))
            .collect()
    };
    let (processes, threads) = (named("process_name"), named("thread_name"));
    // Per thread, its slices in time order: one ends before the next starts.
    let mut slices: BTreeMap<(u64, u64), Vec<(u64, u64)>> = BTreeMap::new();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let (pid, tid) = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        let call = e["args"]["call"].as_str().unwrap();
        assert!(call.starts_with(e["name"].as_str().unwrap()), "{e}");
        slices
            .entry((pid, tid))
            .or_default()
            .push((ns(&e["ts"]), ns(&e["dur"])));
    }
    assert!(
        slices.len() >= 7,
        "sh, threads' 5 tasks, forker and its child"
    );
    for ((pid, tid), mut list) in slices {
        assert!(processes.contains(&(pid, 0)), "process {pid} named");
        assert!(threads.contains(&(pid, tid)), "thread {tid} named");
        list.sort();
        for pair in list.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "{tid}: {pair:?}");
        }
    }
    let exits = events
        .iter()
        .filter(|e| e["ph"] == "i" && e["name"].as_str().unwrap().starts_with("exited with"))
        .count();
    assert!(exits >= 7, "{exits}");
}
