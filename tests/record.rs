//! `systrace record` on real programs, with real eBPF. Needs root (see
//! `common::can_record`).

mod common;

use std::{
    ffi::OsStr, ops::ControlFlow, os::unix::fs::PermissionsExt as _, path::Path, process::Stdio,
};

use common::{can_record, data_of, events, sample, systrace};
use format::{Body, BodyRef, Event, Filter, Trace};

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
    let write_line = text.lines().find(|l| l.starts_with("write(")).expect(&text);
    assert_eq!(
        write_line,
        format!("{:<40}= 16", r#"write(1, "hello, systrace\n", 16)"#)
    );
    let tail = format!("{:<40}= ?\n+++ exited with 3 +++\n", "exit_group(3)");
    assert!(text.ends_with(&tail), "{text}");
}

/// Records `program args` into `dir/NAME.bin`; returns the status and the trace.
fn record(dir: &Path, name: &str, command: &[&std::ffi::OsStr]) -> (Option<i32>, String, Trace) {
    let file = dir.join(format!("{name}.bin"));
    let out = systrace()
        .current_dir(dir)
        .arg("record")
        .arg("-o")
        .arg(&file)
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let trace = Trace::open(&file).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), stderr, trace)
}

/// The data captured for argument `arg` of the first event matching `pick`.
fn captured(events: &[Event], pick: impl Fn(&Event) -> bool, arg: u8) -> Vec<u8> {
    let at = events.iter().position(pick).expect("no such event");
    data_of(events, at, arg)
        .unwrap_or_else(|| panic!("no complete capture of arg {arg}: {:?}", events[at]))
}

fn is_enter(nr: i64) -> impl Fn(&Event) -> bool {
    move |e| matches!(e.body, Body::SysEnter { nr: n, .. } if n == nr)
}

#[test]
fn captures_write_data_execve_strings_and_the_exit_status() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hello = sample("hello");
    let (status, stderr, trace) =
        record(dir.path(), "hello", &[hello.as_os_str(), "an arg".as_ref()]);
    assert_eq!(status, Some(3), "{stderr}");
    let events = events(&trace);
    assert_eq!(captured(&events, is_enter(WRITE), 1), b"hello, systrace\n");
    assert_eq!(
        captured(&events, is_enter(EXECVE), 0),
        hello.as_os_str().as_encoded_bytes()
    );
    let exec = events.iter().find_map(|e| match &e.body {
        Body::Exec { filename, argv, .. } => Some((filename.clone(), argv.clone())),
        _ => None,
    });
    let (filename, argv) = exec.expect("an exec event");
    assert_eq!(filename, hello.as_os_str().as_encoded_bytes());
    assert_eq!(argv, [hello.as_os_str().as_encoded_bytes(), b"an arg"]);
    let exit = events.iter().find_map(|e| match e.body {
        Body::TaskExit { status } => Some(status),
        _ => None,
    });
    assert_eq!(exit, Some(3 << 8));
    assert_eq!(
        trace.index().processes[0]
            .exit_status
            .as_ref()
            .map(|s| s.to_native()),
        Some(3 << 8)
    );
}

#[test]
fn captures_read_data_at_exit_and_follows_children() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), b"some input\n").unwrap();
    let (status, stderr, trace) = record(
        dir.path(),
        "cat",
        &[
            "sh".as_ref(),
            "-c".as_ref(),
            "cat in.txt | tr a-z A-Z".as_ref(),
        ],
    );
    assert_eq!(status, Some(0), "{stderr}");
    let events = events(&trace);
    let reads: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.body, Body::SysExit { nr: 0, ret: 11, .. }))
        .collect();
    assert!(
        reads.len() >= 2,
        "cat's read and tr's read of 11 bytes: {reads:?}"
    );
    assert_eq!(
        captured(
            &events,
            |e| matches!(e.body, Body::SysExit { nr: 0, ret: 11, .. }),
            1
        ),
        b"some input\n"
    );
    assert!(
        events.iter().any(|e| matches!(&e.body, Body::SysEnter { nr: WRITE, captures, .. } if captures.iter().any(|c| c.arg == 1 && c.data == b"SOME INPUT\n"))),
        "tr's write"
    );
    let processes = &trace.index().processes;
    let comms: Vec<_> = processes
        .iter()
        .map(|p| String::from_utf8_lossy(&p.comm).into_owned())
        .collect();
    assert!(
        comms.contains(&"cat".to_owned()) && comms.contains(&"tr".to_owned()),
        "{comms:?}"
    );
    for p in processes.iter() {
        assert_eq!(
            p.exit_status.as_ref().map(|s| s.to_native()),
            Some(0),
            "{:?}",
            String::from_utf8_lossy(&p.comm)
        );
    }
}

#[test]
fn without_root_record_says_what_is_missing_and_exits_2() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(env!("CARGO_BIN_EXE_systrace"))
        .args(["record", "-o", "/tmp/never-written.bin", "--", "true"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("needs root") && stderr.contains("sudo"),
        "{stderr}"
    );
}

#[test]
fn under_sudo_the_program_runs_as_the_invoking_user_who_owns_the_trace() {
    if !can_record() {
        return;
    }
    use std::os::unix::fs::MetadataExt as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("id.bin");
    let out = systrace()
        .env("SUDO_UID", "65534")
        .env("SUDO_GID", "65534")
        .env_remove("SUDO_USER")
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["--", "id", "-u"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "65534");
    let meta = file.metadata().unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o777),
        (65534, 65534, 0o600)
    );
    let out = systrace()
        .args(["record", "-u", "nobody", "-o"])
        .arg(dir.path().join("u.bin"))
        .args(["--", "id", "-un"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "nobody");
}

/// Sends `signal` to `pid`.
fn send(pid: u32, signal: i32) {
    // SAFETY: plain kill(2).
    unsafe { libc::kill(pid as i32, signal) };
}

#[test]
fn ctrl_c_waits_for_the_program_and_a_second_one_stops_at_once() {
    if !can_record() {
        return;
    }
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("int.bin");
    let recorder = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["--", "sleep", "1.5"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    // Only systrace gets this one (a terminal would send it to sleep too).
    send(recorder.id(), libc::SIGINT);
    let start = Instant::now();
    let out = recorder.wait_with_output().unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "kept recording until sleep ended"
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("waiting for the program to end"));
    let trace = Trace::open(&file).unwrap();
    assert!(trace.recovery().is_none());
    assert!(enters(&trace).iter().any(|&(nr, _)| nr == EXIT_GROUP));

    // (stderr not piped: the still-running sleep would hold the pipe open.)
    let mut recorder = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["--", "sleep", "30"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    send(recorder.id(), libc::SIGINT);
    std::thread::sleep(Duration::from_millis(100));
    send(recorder.id(), libc::SIGINT);
    let start = Instant::now();
    let status = recorder.wait().unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(status.code(), Some(128 + libc::SIGINT));
    assert!(
        Trace::open(&file).unwrap().recovery().is_none(),
        "finalised"
    );
}

#[test]
fn attaches_to_a_running_process_and_its_children_until_it_ends() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("attached.bin");
    // Waits for a go file, then forks a child that writes and exits.
    let script = "while [ ! -e go ]; do sleep 0.05; done; sh -c 'echo attached > out.txt'; exit 4";
    let mut target = std::process::Command::new("sh")
        .args(["-c", script])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let recorder = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .arg("-p")
        .arg(target.id().to_string())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::fs::write(dir.path().join("go"), b"").unwrap();
    assert_eq!(target.wait().unwrap().code(), Some(4));
    let out = recorder.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = Trace::open(&file).unwrap();
    let index = trace.index();
    assert!(index.processes.iter().any(|p| p.pid == target.id()));
    let wrote = events(&trace).into_iter().any(|e| {
        matches!(&e.body, Body::SysEnter { nr: WRITE, captures, .. }
            if captures.iter().any(|c| c.data == b"attached\n"))
    });
    assert!(wrote, "the child's write was followed");
    let leader = index
        .processes
        .iter()
        .find(|p| p.pid == target.id())
        .unwrap();
    assert_eq!(
        leader.exit_status.as_ref().map(|s| s.to_native()),
        Some(4 << 8)
    );
}

#[test]
fn all_processes_for_a_duration_but_not_systrace_itself() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.bin");
    let mut busy = std::process::Command::new("sh")
        .args([
            "-c",
            "for i in $(seq 40); do cat /proc/version > /dev/null; sleep 0.05; done",
        ])
        .spawn()
        .unwrap();
    let recorder = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["-a", "--duration", "1s"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let recorder_pid = recorder.id();
    let out = recorder.wait_with_output().unwrap();
    busy.wait().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = Trace::open(&file).unwrap();
    let comms: Vec<_> = trace
        .index()
        .processes
        .iter()
        .map(|p| String::from_utf8_lossy(&p.comm).into_owned())
        .collect();
    assert!(comms.iter().any(|c| c == "cat"), "{comms:?}");
    assert!(
        trace
            .index()
            .processes
            .iter()
            .all(|p| p.pid != recorder_pid),
        "systrace traced itself"
    );
}

/// The recorder hides the kernel's BTF from aya in a mount namespace of its
/// own: neither the program nor the machine may see that.
#[test]
fn the_mounts_of_the_program_and_the_machine_are_left_alone() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let listing = dir.path().join("listing");
    let script = format!(
        "ls /sys/kernel/btf > {0}; grep -c ' /sys/kernel/btf ' /proc/self/mountinfo >> {0}",
        listing.display()
    );
    let (status, stderr, _) = record(
        dir.path(),
        "mounts",
        &[OsStr::new("sh"), OsStr::new("-c"), OsStr::new(&script)],
    );
    assert_eq!(status, Some(1), "grep finds no mount: {stderr}");
    let seen = std::fs::read_to_string(&listing).unwrap();
    assert!(seen.lines().any(|l| l == "vmlinux"), "{seen}");
    assert!(seen.ends_with("0\n"), "{seen}");
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(" /sys/kernel/btf "), "{mounts}");
    assert!(Path::new("/sys/kernel/btf/vmlinux").exists());
}

/// A selection `record` cannot make is refused in one line, exit status 2,
/// before anything runs or is written.
#[test]
fn a_bad_selection_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (expr, said) in [
        (
            "trace=openat,nosuch",
            "systrace: invalid system call 'nosuch'",
        ),
        (
            "status=failed",
            "systrace: record -e status=: record selects calls only (-e trace=); \
             show applies -e status=",
        ),
    ] {
        let out = systrace()
            .current_dir(dir.path())
            .args(["record", "-o", "t.bin", "-e", expr, "--", "true"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim(), said);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
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
fn the_program_starts_with_default_signal_handling() {
    if !can_record() {
        return;
    }
    // systrace ignores SIGPIPE (Rust does); if the program inherited that,
    // `yes` would get EPIPE and complain instead of dying of SIGPIPE.
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr, trace) = record(
        dir.path(),
        "sigpipe",
        &["sh".as_ref(), "-c".as_ref(), "yes | head -c1".as_ref()],
    );
    assert_eq!(status, Some(0), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    let statuses: Vec<i32> = trace
        .index()
        .threads
        .iter()
        .filter_map(|t| t.exit_status.as_ref().map(|s| s.to_native()))
        .collect();
    assert!(
        statuses.contains(&libc::SIGPIPE),
        "yes killed by SIGPIPE: {statuses:?}"
    );
}

#[test]
fn the_program_inherits_the_ignored_and_blocked_signals_systrace_was_given() {
    if !can_record() {
        return;
    }
    use std::os::unix::process::CommandExt as _;
    // As a background job or nohup would start it: SIGINT, SIGTERM and SIGHUP
    // ignored, and a signal blocked. Without a tracer the program keeps them;
    // under strace it does too.
    let started_so = |command: &mut std::process::Command| -> String {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                for signo in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                    libc::signal(signo, libc::SIG_IGN);
                }
                let mut blocked: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut blocked);
                libc::sigaddset(&mut blocked, libc::SIGUSR1);
                libc::sigprocmask(libc::SIG_BLOCK, &blocked, std::ptr::null_mut());
                Ok(())
            })
        };
        let out = command.stderr(Stdio::inherit()).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let status = ["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"];
    let alone = started_so(std::process::Command::new(status[0]).args(&status[1..]));
    assert!(alone.contains("SigBlk:\t0000000000000200"), "{alone}");
    let dir = tempfile::tempdir().unwrap();
    let traced = started_so(
        systrace()
            .arg("record")
            .arg("-o")
            .arg(dir.path().join("signals.bin"))
            .arg("--")
            .args(status),
    );
    assert_eq!(traced, alone);
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

    // The recording never got its name: it is still the partial file.
    let partial = dir.path().join("killed.bin.partial");
    assert!(!file.exists());
    let missing = systrace().arg("show").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr.contains("killed.bin.partial"), "{stderr}");

    let trace = Trace::open(&partial).unwrap();
    let recovery = trace.recovery().expect("a killed recorder leaves no index");
    assert!(recovery.chunks >= 1, "{recovery}");
    assert!(trace.index().totals.syscalls.to_native() > 50);
    let show = systrace().arg("show").arg(&partial).output().unwrap();
    let stderr = String::from_utf8_lossy(&show.stderr);
    assert!(show.status.success(), "{stderr}");
    assert!(stderr.contains("index rebuilt by scanning"), "{stderr}");
    assert!(String::from_utf8_lossy(&show.stdout).contains("openat("));
    assert_eq!(
        partial.metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Recording again under the same name replaces the dead recorder's file.
    let again = systrace()
        .arg("record")
        .arg("-o")
        .arg(&file)
        .args(["--", "true"])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(file.exists() && !partial.exists());
}
