//! The red-team cases: a hostile user sharing the output directory, a busy
//! machine starving the recorder, many threads losing events, and bad input.
//! Each test fails without its fix. Most need root (to plant files as
//! `nobody`, and to record).

mod common;

use std::{
    os::unix::fs::{MetadataExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use common::{as_nobody, can_record, sample, systrace};
use format::{BodyRef, Filter, Trace};

/// A world-writable sticky directory, like /tmp, for the attacker to plant in.
fn shared_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    systrace()
        .args(args)
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn os(s: impl AsRef<std::ffi::OsStr>) -> std::ffi::OsString {
    s.as_ref().to_owned()
}

/// Records `true` into `file`.
fn record_true(file: &Path) -> Output {
    run(&[
        &os("record"),
        &os("-o"),
        file.as_os_str(),
        &os("--"),
        &os("true"),
    ])
}

#[test]
fn output_files_never_follow_symlinks_nor_reuse_another_users_file() {
    if !can_record() {
        return;
    }
    let dir = shared_dir();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let link = dir.path().join("x.bin");
    as_nobody(&format!("ln -s {} {}", victim.display(), link.display()));
    let planted = dir.path().join("y.bin");
    as_nobody(&format!("touch {0} && chmod 666 {0}", planted.display()));
    let trace = dir.path().join("t.bin");
    assert!(record_true(&trace).status.success());

    // Every writer: record, trace -o and --save, show -o, stats -o, export
    // (a timeline, a flame graph, folded stacks, a Parquet table).
    for target in [&link, &planted] {
        let t = target.as_os_str();
        for args in [
            vec![
                os("record"),
                os("-o"),
                os(t),
                os("--"),
                os("cat"),
                os("/etc/hostname"),
            ],
            vec![os("trace"), os("-o"), os(t), os("--"), os("true")],
            vec![os("trace"), os("--save"), os(t), os("--"), os("true")],
            vec![os("show"), trace.as_os_str().into(), os("-o"), os(t)],
            vec![os("stats"), trace.as_os_str().into(), os("-o"), os(t)],
            vec![
                os("export"),
                os("--perfetto"),
                os(t),
                trace.as_os_str().into(),
            ],
            vec![
                os("export"),
                os("--flamegraph"),
                os(t),
                trace.as_os_str().into(),
            ],
            vec![
                os("export"),
                os("--folded"),
                os(t),
                trace.as_os_str().into(),
            ],
            vec![
                os("export"),
                os("--parquet"),
                os(t),
                trace.as_os_str().into(),
            ],
            // A directory: made new, never over anything that exists.
            vec![
                os("export"),
                os("--partitioned"),
                os("--parquet"),
                os(t),
                trace.as_os_str().into(),
            ],
        ] {
            let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let out = run(&refs);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
            let message = stderr(&out);
            assert_eq!(message.lines().count(), 1, "{message}");
            assert!(
                message.contains("symbolic link")
                    || message.contains("another user")
                    || message.contains("exists (a regular file)"),
                "{message}"
            );
        }
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(victim.metadata().unwrap().uid(), 0);
    assert_eq!(planted.metadata().unwrap().len(), 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A partial file planted by the attacker is not used either.
    let partial = dir.path().join("z.bin.partial");
    as_nobody(&format!("touch {}", partial.display()));
    let out = record_true(&dir.path().join("z.bin"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("another user"), "{}", stderr(&out));
    assert_eq!(partial.metadata().unwrap().len(), 0);
    // Nor a partial directory planted for a partitioned export.
    let planted_dir = dir.path().join("parts.partial");
    as_nobody(&format!("mkdir -m 777 {}", planted_dir.display()));
    let parts = dir.path().join("parts");
    let out = run(&[
        "export".as_ref(),
        "--partitioned".as_ref(),
        "--parquet".as_ref(),
        parts.as_os_str(),
        trace.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("parts.partial exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&planted_dir).unwrap().count(), 0);
}

#[test]
fn outputs_are_new_files_of_mode_0600_replacing_the_users_own_atomically() {
    if !can_record() {
        return;
    }
    let dir = shared_dir();
    let trace = dir.path().join("t.bin");
    assert!(record_true(&trace).status.success());
    // The user's own earlier trace is replaced (a new file), not written into.
    let before = trace.metadata().unwrap().ino();
    let held = std::fs::File::open(&trace).unwrap();
    assert!(record_true(&trace).status.success());
    assert_ne!(trace.metadata().unwrap().ino(), before);
    assert_eq!(held.metadata().unwrap().ino(), before);
    // Views and exports, under the usual umask.
    let outputs =
        ["show.txt", "stats.txt", "export.json", "calls.parquet"].map(|n| dir.path().join(n));
    for (args, out) in [
        (vec![os("show"), os(&trace), os("-o")], &outputs[0]),
        (vec![os("stats"), os(&trace), os("-o")], &outputs[1]),
        (
            vec![os("export"), os(&trace), os("--perfetto")],
            &outputs[2],
        ),
        (vec![os("export"), os(&trace), os("--parquet")], &outputs[3]),
    ] {
        std::fs::write(out, "old, readable by all\n").unwrap();
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut command = systrace();
        command.args(&args).arg(out);
        // SAFETY: umask in the child before exec has no preconditions.
        unsafe {
            use std::os::unix::process::CommandExt as _;
            command.pre_exec(|| {
                libc::umask(0o022);
                Ok(())
            });
        }
        let result = command.output().unwrap();
        assert!(result.status.success(), "{args:?}: {}", stderr(&result));
        let meta = out.metadata().unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600, "{}", out.display());
        assert!(meta.len() > 0 && !partial(out).exists());
    }
    // Devices are written as they are.
    assert!(record_true(Path::new("/dev/null")).status.success());
    let out = run(&[&os("show"), trace.as_os_str(), &os("-o"), &os("/dev/null")]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A directory is refused, saying so.
    let out = record_true(dir.path());
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// A view stopped by Ctrl-C (SIGINT) or SIGTERM while it writes leaves
/// nothing: no partial file, no partial directory; it ends by the signal.
#[test]
fn a_view_stopped_by_ctrl_c_leaves_nothing_behind() {
    use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dd = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=300000"];
    let trace = common::record(dir.path(), "dd", &dd.map(Into::into));
    let out = |name: &str| dir.path().join(name);
    let views: [(&[&str], PathBuf, libc::c_int); 3] = [
        (&["show", "-o"], out("show.txt"), libc::SIGINT),
        (
            &["export", "--parquet"],
            out("calls.parquet"),
            libc::SIGTERM,
        ),
        (
            &["export", "--partitioned", "--parquet"],
            out("calls"),
            libc::SIGINT,
        ),
    ];
    for (args, output, signo) in views {
        let mut view = systrace();
        // SAFETY: only signal(2) between fork and exec. A view leaves an
        // ignored signal ignored (a background job's SIGINT): start it as a
        // terminal's foreground job would be, whatever ran the tests.
        unsafe {
            view.pre_exec(move || {
                libc::signal(signo, libc::SIG_DFL);
                Ok(())
            })
        };
        let mut child = view
            .args(args)
            .arg(&output)
            .arg(&trace)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Once it writes, stop it.
        let start = Instant::now();
        while !partial(&output).exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, signo) };
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(signo), "{args:?}: {status}");
        assert!(!partial(&output).exists(), "{args:?}");
        assert!(!output.exists(), "{args:?}");
    }
}

#[test]
fn a_recording_in_progress_lives_under_its_partial_name() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow.bin");
    // The program waits for its input to close, so the first recorder runs
    // until the test is done with it, however slowly a loaded machine
    // starts the second.
    let mut recorder = systrace()
        .args(["record", "-o"])
        .arg(&file)
        .args(["--", "head", "-c", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !partial(&file).exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(partial(&file).exists() && !file.exists());
    // A second recorder into the same name is refused while the first runs.
    let second = record_true(&file);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        stderr(&second).contains("another systrace"),
        "{}",
        stderr(&second)
    );
    drop(recorder.stdin.take());
    assert!(recorder.wait().unwrap().success());
    assert!(file.exists() && !partial(&file).exists());
}

/// Spins on one CPU until dropped.
struct Hogs(Vec<std::process::Child>);

impl Hogs {
    fn on_cpu(cpu: u32, count: usize) -> Self {
        Hogs(
            (0..count)
                .map(|_| {
                    Command::new("taskset")
                        .args(["-c", &cpu.to_string(), "sh", "-c", "while :; do :; done"])
                        .spawn()
                        .unwrap()
                })
                .collect(),
        )
    }
}

impl Drop for Hogs {
    fn drop(&mut self) {
        for hog in &mut self.0 {
            let _ = hog.kill();
            let _ = hog.wait();
        }
    }
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.split_whitespace().next()?.parse().ok()
}

#[test]
fn a_recorder_beside_cpu_hogs_keeps_writing_in_bounded_memory_and_stops_on_time() {
    if !can_record() {
        return;
    }
    let _hogs = Hogs::on_cpu(0, 3);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dd.bin");
    let mut recorder = Command::new("taskset")
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_systrace"))
        .args(["record", "-o"])
        .arg(&file)
        .args([
            "--",
            "taskset",
            "-c",
            "1",
            "dd",
            "if=/dev/zero",
            "of=/dev/null",
            "bs=1",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = recorder.id();
    let start = Instant::now();
    let mut peak_anon = 0;
    let mut grew = false;
    while start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
        peak_anon = peak_anon.max(status_field(pid, "RssAnon:").unwrap_or(0));
        grew |= partial(&file).metadata().is_ok_and(|m| m.len() > 1 << 16);
    }
    assert!(grew, "the trace did not grow within 5 s");
    assert!(peak_anon < 256 << 10, "RssAnon reached {peak_anon} kB");
    // SIGTERM is answered at once even under this load: passed to dd, which ends.
    // SAFETY: kill(2) on the recorder we started.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let asked = Instant::now();
    let status = recorder.wait().unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(status.code(), Some(128 + libc::SIGTERM));
    let trace = Trace::open(&file).unwrap();
    assert!(trace.index().totals.syscalls.to_native() > 100_000);
}

#[test]
fn sixty_four_busy_threads_lose_nothing_and_losses_are_charged_to_their_threads() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let busy = sample("busythreads");
    // 64 threads x 20,000 getppid calls: nothing lost.
    let file = dir.path().join("busy.bin");
    let out = run(&[
        &os("record"),
        &os("-o"),
        file.as_os_str(),
        &os("--"),
        busy.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace = Trace::open(&file).unwrap();
    let index = trace.index();
    assert_eq!(index.totals.lost.to_native(), 0, "{}", stderr(&out));
    assert_eq!(index.threads.len(), 65);
    let getppid = count_calls(&trace, 110);
    assert_eq!(getppid, 64 * 20_000);

    // A recorder stopped for seconds loses events by the million: each one is
    // charged to the thread that lost it, and every thread is in the trace.
    let file = dir.path().join("stopped.bin");
    let recorder = systrace()
        .args(["record", "-o"])
        .arg(&file)
        .arg("--")
        .arg(&busy)
        .args(["64", "100000"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the program runs (its first chunk is out), stop the recorder.
    let start = Instant::now();
    while partial(&file).metadata().map_or(0, |m| m.len()) < 4096
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = recorder.id() as i32;
    // SAFETY: kill(2) on the recorder we started.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    std::thread::sleep(Duration::from_secs(4));
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let out = recorder.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("events lost so far"),
        "{}",
        stderr(&out)
    );
    let trace = Trace::open(&file).unwrap();
    let index = trace.index();
    let lost = index.totals.lost.to_native();
    assert!(lost > 0, "nothing lost while the recorder was stopped");
    assert_eq!(index.threads.len(), 65);
    let root = index.processes[0].pid.to_native();
    for lost in index.lost.iter() {
        let tid = lost.tid.to_native();
        let thread = index.threads.iter().find(|t| t.tid == tid);
        assert!(
            thread.is_some_and(|t| t.pid == root),
            "loss charged to tid {tid}"
        );
    }
    let recorded = count_calls(&trace, 110) as u64;
    // Each lost call lost its enter, its exit or both.
    assert!(recorded + lost >= 64 * 100_000, "{recorded} + {lost}");
}

fn count_calls(trace: &Trace, nr: i64) -> usize {
    let mut calls = 0;
    trace
        .for_each(&Filter::default(), 2, |e| {
            if matches!(e.body, BodyRef::SysExit { nr: n, .. } if n == nr) {
                calls += 1;
            }
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    calls
}

#[test]
fn attaching_to_a_zombie_or_a_vanished_pid_fails_like_strace() {
    if !can_record() {
        return;
    }
    // A child that exits and is never reaped by its parent (sleep).
    let mut parent = Command::new("python3")
        .args([
            "-c",
            "import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead as _;
    std::io::BufReader::new(parent.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let zombie = line.trim().to_owned();
    std::thread::sleep(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = run(&[
        &os("record"),
        &os("-o"),
        dir.path().join("z.bin").as_os_str(),
        &os("-p"),
        &os(&zombie),
    ]);
    let _ = parent.kill();
    let _ = parent.wait();
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        format!("systrace: attach: ptrace(PTRACE_SEIZE, {zombie}): Operation not permitted")
    );
    assert!(!dir.path().join("z.bin").exists() && !dir.path().join("z.bin.partial").exists());
}

#[test]
fn a_duration_ends_a_program_of_our_own_with_sigterm_and_absurd_ones_are_refused() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.bin");
    let marker = dir.path().join("ran");
    let out = run(&[
        &os("record"),
        &os("--duration"),
        &os("18446744073709551615s"),
        &os("-o"),
        file.as_os_str(),
        &os("--"),
        &os("touch"),
        marker.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("too long"), "{}", stderr(&out));
    assert!(!marker.exists(), "the program ran untraced");

    let start = Instant::now();
    let out = run(&[
        &os("record"),
        &os("--duration"),
        &os("1s"),
        &os("-o"),
        file.as_os_str(),
        &os("--"),
        &os("sleep"),
        &os("30"),
    ]);
    assert!(start.elapsed() < Duration::from_secs(15));
    assert_eq!(
        out.status.code(),
        Some(128 + libc::SIGTERM),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("sending SIGTERM"), "{}", stderr(&out));
    let show = run(&[&os("show"), file.as_os_str()]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.ends_with("+++ killed by SIGTERM +++\n"), "{text}");
}

#[test]
fn views_say_what_a_non_trace_input_is_and_read_a_pipe() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.bin");
    assert!(record_true(&trace).status.success());
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (input, says) in [
        (dir.path().to_owned(), "is a directory"),
        (PathBuf::from("/dev/null"), "is a character device"),
        (fifo, "empty file"),
    ] {
        for view in ["show", "stats"] {
            let out = run(&[&os(view), input.as_os_str()]);
            assert_eq!(out.status.code(), Some(1));
            assert!(
                stderr(&out).contains(says),
                "{view} {}: {}",
                input.display(),
                stderr(&out)
            );
        }
    }
    // A trace on a pipe is read whole, as from a file.
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cat {} | {} show -",
            trace.display(),
            env!("CARGO_BIN_EXE_systrace")
        ))
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", stderr(&piped));
    let direct = run(&[&os("show"), trace.as_os_str()]);
    assert_eq!(piped.stdout, direct.stdout);
    // --thread takes its tid only as --thread=TID.
    let out = run(&[&os("show"), &os("--thread"), trace.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn messages_name_what_went_wrong() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.bin");
    assert!(record_true(&trace).status.success());
    // strace's words for a program that cannot be run.
    let script = dir.path().join("noexec.sh");
    std::fs::write(&script, "echo hi\n").unwrap();
    for program in [script.as_os_str(), dir.path().as_os_str()] {
        let out = run(&[
            &os("record"),
            &os("-o"),
            dir.path().join("x.bin").as_os_str(),
            &os("--"),
            program,
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stderr(&out).trim(), "systrace: exec: Permission denied");
        assert!(!dir.path().join("x.bin.partial").exists());
    }
    // A full device is blamed, not the trace (a Parquet table's too: its
    // encoder's error stops the rows being made, and is the one told).
    for view in [&["show", "-o"][..], &["export", "--parquet"]] {
        let out = systrace()
            .args(view)
            .arg("/dev/full")
            .arg(&trace)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{view:?}");
        assert_eq!(
            stderr(&out),
            "systrace: writing /dev/full: No space left on device (os error 28)\n"
        );
    }
    // Who ran sudo is not guessed.
    for env in [
        vec![("SUDO_UID", "abc"), ("SUDO_GID", "0")],
        vec![("SUDO_UID", "65534")],
    ] {
        let out = systrace()
            .env_remove("SUDO_GID")
            .envs(env.clone())
            .args(["record", "-o"])
            .arg(dir.path().join("s.bin"))
            .args(["--", "true"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{env:?}");
        assert!(
            stderr(&out).contains("refusing to guess"),
            "{}",
            stderr(&out)
        );
    }
    // -u takes a uid too.
    let out = run(&[
        &os("record"),
        &os("-u"),
        &os("65534"),
        &os("-o"),
        dir.path().join("u.bin").as_os_str(),
        &os("--"),
        &os("id"),
        &os("-u"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "65534");
}

#[test]
fn a_full_disk_names_the_file_and_keeps_what_was_written() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(mount)
        .status()
        .unwrap();
    assert!(mounted.success());
    let file = mount.join("full.bin");
    let out = run(&[
        &os("record"),
        &os("-o"),
        file.as_os_str(),
        &os("--"),
        &os("sh"),
        &os("-c"),
        &os(
            "i=0; while [ $i -lt 4000 ]; do head -c 200 /dev/urandom > /dev/null; i=$((i+1)); done",
        ),
    ]);
    let message = stderr(&out);
    let _ = Command::new("umount").arg(mount).status();
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(message.contains("full.bin.partial"), "{message}");
    assert!(message.contains("No space left on device"), "{message}");
}
