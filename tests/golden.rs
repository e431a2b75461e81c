//! Golden outputs: every view of a few committed recordings, byte for byte.
//!
//! `tests/golden/NAME.bin` are real recordings of the samples and of two
//! shell lines (made once by
//! `tests/golden/record.sh`) and `tests/golden/NAME.txt` what each view
//! printed for them. A refactor must leave every byte as it is; a change
//! that means to improve the output regenerates the files on purpose
//! (`SYSTRACE_BLESS=1 cargo test --test golden`), and its commit explains
//! the diff. Later versions of the file format must keep reading these
//! recordings. No root needed: nothing is recorded here.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Output,
};

use common::systrace;

/// The committed recordings, by name.
const TRACES: [&str; 11] = [
    "hello",
    "fileio",
    "forker",
    "threads",
    "tcp",
    "mmapper",
    "killed",
    "badfd",
    "vectored",
    "pipeline",
    "redirects",
];

/// The views compared: the arguments before the trace's name.
const VIEWS: &[&[&str]] = &[
    &["show"],
    &["show", "-tt", "-T"],
    &["show", "-ttt", "-r"],
    &["show", "-t", "-T", "--syscall-times=us"],
    &["show", "-y", "-s", "64"],
    &["show", "-x", "-n", "-a", "60"],
    &["show", "-xx"],
    &["show", "-qq", "-Y"],
    &["show", "-e", "trace=%file", "-Z"],
    &["show", "-e", "trace=%process,%signal", "-e", "signal=none"],
    &["show", "-e", "read=all", "-e", "write=all"],
    &["show", "--thread", "-T"],
    &["show", "--json"],
    &["show", "-C", "-S", "calls"],
    &["show", "-c", "-U", "name,calls,errors,max-time"],
    // Descriptors followed through calls that are not shown.
    &["show", "-P", "./a.txt"],
    &[
        "show",
        "-y",
        "-e",
        "trace=write,close",
        "-e",
        "status=successful",
    ],
    &["show", "--json", "-y", "-z"],
    &["show", "--json", "-P", "./a.txt"],
    &["stats"],
    &["stats", "--by", "process"],
    &["stats", "--by", "thread"],
    &["stats", "--by", "errno"],
    &["stats", "--by", "file"],
    &["stats", "--by", "file", "-e", "trace=write"],
    &["stats", "--latency"],
    &["stats", "--hist", "read"],
    &["stats", "--mmap"],
    &["stats", "--tmpfiles"],
    &["stats", "--json"],
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

/// Everything the views print for `name`, one section per view.
fn views_of(name: &str) -> String {
    let trace = format!("{name}.bin");
    assert!(golden_dir().join(&trace).is_file(), "{trace} missing");
    let mut text = String::new();
    for args in VIEWS {
        let out = systrace()
            .args(*args)
            .arg(&trace)
            .current_dir(golden_dir())
            .env("TZ", "UTC")
            .output()
            .expect("running systrace");
        section(&mut text, &args.join(" "), &out);
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("perfetto.json");
    let mut out = systrace()
        .args(["export", "--perfetto"])
        .arg(&json)
        .arg(&trace)
        .current_dir(golden_dir())
        .env("TZ", "UTC")
        .output()
        .expect("running systrace");
    // What was written, not what was said about it (the path varies).
    out.stdout = std::fs::read(&json).unwrap_or_default();
    out.stderr.clear();
    section(&mut text, "export --perfetto", &out);
    text
}

fn section(text: &mut String, view: &str, out: &Output) {
    text.push_str(&format!("==> systrace {view} <==\n"));
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    if !out.stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    if !out.status.success() {
        text.push_str(&format!("--- exit {:?}\n", out.status.code()));
    }
}

#[test]
fn every_view_of_the_committed_recordings_is_unchanged() {
    let bless = std::env::var_os("SYSTRACE_BLESS").is_some();
    let mut changed = Vec::new();
    for name in TRACES {
        let actual = views_of(name);
        let path = golden_dir().join(format!("{name}.txt"));
        if bless {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(diff) = first_difference(&expected, &actual) {
            changed.push(format!("{}: {diff}", path.display()));
        }
    }
    assert!(
        changed.is_empty(),
        "output changed (regenerate on purpose with SYSTRACE_BLESS=1):\n{}",
        changed.join("\n")
    );
}

/// The first line that differs, with the view it is in.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let mut view = "";
    let mut expected_lines = expected.lines();
    for (n, line) in actual.lines().enumerate() {
        if line.starts_with("==> ") {
            view = line;
        }
        match expected_lines.next() {
            Some(want) if want == line => {}
            want => {
                return Some(format!(
                    "line {} ({view}):\n  expected {want:?}\n  actual   {line:?}",
                    n + 1
                ));
            }
        }
    }
    expected_lines
        .next()
        .map(|want| format!("the output ends early (expected {want:?} next)"))
}
