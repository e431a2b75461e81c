//! `systrace record` on real programs, with real eBPF. Needs root (see
//! `common::can_record`).

mod common;

use std::{ops::ControlFlow, os::unix::fs::PermissionsExt as _, path::Path, process::Stdio};

use common::{can_record, sample, systrace};
use format::{BodyRef, Filter, Trace};

/// Syscall numbers on x86_64 that the assertions below look for.
const WRITE: i64 = 1;
const EXECVE: i64 = 59;
const EXIT_GROUP: i64 = 231;

/// The enter events of `trace` as (nr, args).
fn enters(trace: &Trace) -> Vec<(i64, [u64; 6])> {
    let mut out = Vec::new();
    trace
        .for_each(&Filter::default(), 2, |e| {
            if let BodyRef::SysEnter { nr, args, .. } = e.body {
                out.push((nr, args));
            }
            ControlFlow::Continue(())
        })
        .expect("reading the trace");
    out
}

#[test]
fn records_a_real_program_and_shows_it() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.bin");
    let out = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .arg("--")
        .arg(sample("hello"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "the program's status: {stderr}");
    assert_eq!(out.stdout, b"hello, systrace\n");
    assert!(stderr.contains("0 lost"), "{stderr}");
    assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);

    let trace = Trace::open(&file).unwrap();
    assert!(trace.recovery().is_none());
    let calls = enters(&trace);
    assert_eq!(calls.first().map(|c| c.0), Some(EXECVE), "{calls:?}");
    assert!(
        calls
            .iter()
            .any(|&(nr, a)| nr == WRITE && a[0] == 1 && a[2] == 16),
        "write(1, _, 16) missing: {calls:?}"
    );
    assert_eq!(
        calls.last().map(|&(nr, a)| (nr, a[0])),
        Some((EXIT_GROUP, 3))
    );
    assert_eq!(trace.index().processes.len(), 1);

    let show = systrace().arg("show").arg(&file).output().unwrap();
    let text = String::from_utf8(show.stdout).unwrap();
    assert!(show.status.success());
    assert!(text.starts_with("execve("), "{text}");
    let write_line = text
        .lines()
        .find(|l| l.starts_with("write(0x1, "))
        .expect(&text);
    assert!(write_line.ends_with(" = 16"), "{write_line}");
}

#[test]
fn a_missing_program_fails_like_strace() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = systrace()
        .current_dir(dir.path())
        .args(["record", "--", "no-such-program-here"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "systrace: Can't stat 'no-such-program-here': No such file or directory"
    );
}

#[test]
fn a_program_killed_by_a_signal_gives_128_plus_the_signal() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = systrace()
        .current_dir(dir.path())
        .args(["record", "--", "sh", "-c", "kill -9 $$"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(128 + 9));
    assert!(
        dir.path().join("systrace.bin").exists(),
        "default output name"
    );
}

#[test]
fn a_killed_recorder_leaves_a_trace_readable_up_to_its_last_chunk() {
    if !can_record() {
        return;
    }
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("killed.bin");
    // A shell that keeps making syscalls: one open/close of /dev/null per loop.
    let busy = "while :; do : > /dev/null; sleep 0.01; done";
    let mut recorder = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["--", "sh", "-c", busy])
        .process_group(0)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    // SIGKILL the recorder and its program (same process group).
    let group = recorder.id() as i32;
    // SAFETY: plain kill(2) on the group we created.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    recorder.wait().unwrap();

    let trace = Trace::open(&file).unwrap();
    let recovery = trace.recovery().expect("a killed recorder leaves no index");
    assert!(recovery.chunks >= 1, "{recovery}");
    assert!(trace.index().totals.syscalls.to_native() > 50);
    let show = systrace().arg("show").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&show.stderr);
    assert!(show.status.success(), "{stderr}");
    assert!(stderr.contains("index rebuilt by scanning"), "{stderr}");
    assert!(String::from_utf8_lossy(&show.stdout).contains("openat("));
    assert!(Path::new(&file).exists());
}
