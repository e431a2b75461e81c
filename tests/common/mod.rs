//! Helpers shared by the integration tests: the real binary, samples built with
//! gcc, and the rule for when recording tests may skip.

#![allow(dead_code)]

use std::{
    ops::ControlFlow,
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
};

use format::{Body, Capture, CaptureStatus, Event, Filter, Trace};

pub mod duckdb;

/// The `systrace` binary under test.
pub fn systrace() -> Command {
    Command::new(env!("CARGO_BIN_EXE_systrace"))
}

/// Whether recording tests can run here. They need root for eBPF; without it they
/// skip, saying so, except in CI, where skipping would hide a broken recorder.
pub fn can_record() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("recording tests need root, and CI=true forbids skipping them");
    }
    eprintln!("skipping: recording needs root (eBPF); run the tests with sudo");
    false
}

/// Builds `samples/NAME.c` once per test run and returns the executable.
pub fn sample(name: &str) -> PathBuf {
    sample_built_with(name, &[])
}

/// Builds `samples/NAME.c` with extra gcc flags (`-nostdlib`, ...).
pub fn sample_built_with(name: &str, flags: &[&str]) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("samples");
    std::fs::create_dir_all(&out_dir).expect("samples dir");
    let source = root.join("samples").join(format!("{name}.c"));
    let exe = out_dir.join(name);
    let fresh = |exe: &Path| -> Option<bool> {
        Some(exe.metadata().ok()?.modified().ok()? >= source.metadata().ok()?.modified().ok()?)
    };
    if fresh(&exe) != Some(true) {
        let status = Command::new("gcc")
            .args(["-O1", "-pthread"])
            .args(flags)
            .arg("-o")
            .arg(&exe)
            .arg(&source)
            .status()
            .expect("running gcc");
        assert!(status.success(), "gcc failed on {}", source.display());
    }
    exe
}

/// Records `command` (a program and its arguments) with ASLR off, in
/// `dir/work`, into `dir/NAME.bin`; asserts nothing was lost.
pub fn record(dir: &Path, name: &str, command: &[std::ffi::OsString]) -> PathBuf {
    record_with(dir, name, &[], command)
}

/// [`record`] with `record`'s `options`.
pub fn record_with(
    dir: &Path,
    name: &str,
    options: &[&str],
    command: &[std::ffi::OsString],
) -> PathBuf {
    let file = dir.join(format!("{name}.bin"));
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let out = Command::new("setarch")
        .args(["-R", env!("CARGO_BIN_EXE_systrace"), "record", "-o"])
        .arg(&file)
        .args(options)
        .arg("--")
        .args(command)
        .current_dir(&work)
        .output()
        .expect("running systrace record");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(" 0 lost,"), "{name}: {stderr}");
    file
}

/// `line` with each whole number `pid` replaced by `mask`: not digits inside
/// a longer number or a word (a build directory's hash may hold a pid's
/// digits), nor an octal escape in a string (`\332`: a pid of three digits
/// once pids wrap).
pub fn mask_number(line: &str, pid: &str, mask: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(pid) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + pid.len()..].chars().next();
        let inside = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        if inside(before) || inside(after) || before == Some('\\') {
            out.push_str(pid);
        } else {
            out.push_str(mask);
        }
        rest = &rest[at + pid.len()..];
    }
    out.push_str(rest);
    out
}

/// Every event of `trace`, owned, in file order.
pub fn events(trace: &Trace) -> Vec<Event> {
    let mut out = Vec::new();
    trace
        .for_each(&Filter::default(), 2, |e| {
            out.push(e.to_owned());
            ControlFlow::Continue(())
        })
        .expect("reading the trace");
    out
}

fn captures(event: &Event) -> &[Capture] {
    match &event.body {
        Body::SysEnter { captures, .. } | Body::SysExit { captures, .. } => captures,
        _ => &[],
    }
}

/// The complete bytes captured for argument `arg` of the syscall event at `at`:
/// the enter's copy, or the exit's re-read when the page was not resident at
/// enter (the kernel side reads a faulted in-buffer again then).
pub fn data_of(events: &[Event], at: usize, arg: u8) -> Option<Vec<u8>> {
    let event = &events[at];
    let mut found = captures(event).iter().find(|c| c.arg == arg);
    if found.is_some_and(|c| c.status == CaptureStatus::Fault) {
        let exit = events[at..]
            .iter()
            .find(|e| e.tid == event.tid && matches!(e.body, Body::SysExit { .. }))?;
        found = captures(exit).iter().find(|c| c.arg == arg);
    }
    found
        .filter(|c| c.status == CaptureStatus::Complete)
        .map(|c| c.data.clone())
}

/// Runs `sh -c script` as nobody (the attacker).
pub fn as_nobody(script: &str) {
    let status = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .status()
        .unwrap();
    assert!(status.success(), "as nobody: {script}");
}
