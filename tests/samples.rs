//! Each sample program and a few coreutils, recorded for real: the events hold
//! what the program did (buffers, children, exit statuses, signals), nothing was
//! lost, and every process made the same syscalls, in the same order, as strace
//! sees (ASLR off for both). Needs root (see `common::can_record`).

mod common;

use std::{
    collections::{BTreeMap, HashMap},
    ffi::OsString,
    path::Path,
    process::Command,
};

use common::{can_record, data_of, sample};
use format::{Body, Event, Trace};

/// A recording of one command, and strace's view of the same command.
struct Run {
    status: Option<i32>,
    /// `systrace show`'s output and strace's log.
    shown: String,
    strace_log: String,
    events: Vec<Event>,
    trace: Trace,
    /// Syscall names per thread, as recorded.
    recorded: Vec<Vec<String>>,
    /// Syscall names per thread, as strace saw them.
    straced: Vec<Vec<String>>,
}

/// Runs `command` under `systrace record` and under `strace -f`, both with ASLR
/// off, in `dir/work` (the trace files go in `dir`, so both runs see the same
/// directory).
fn run(dir: &Path, name: &str, command: &[OsString]) -> Run {
    let file = dir.join(format!("{name}.bin"));
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let out = Command::new("setarch")
        .args(["-R", env!("CARGO_BIN_EXE_systrace"), "record", "-o"])
        .arg(&file)
        .arg("--")
        .args(command)
        .current_dir(&work)
        .output()
        .expect("running systrace");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(" 0 lost,"),
        "{name}: events were lost: {stderr}"
    );
    let trace = Trace::open(&file).unwrap_or_else(|e| panic!("{name}: {e}: {stderr}"));
    let events = common::events(&trace);
    let recorded = names_per_thread(&events);

    let log = dir.join(format!("{name}.strace"));
    let status = Command::new("setarch")
        .args(["-R", "strace", "-f", "-s", "32", "-o"])
        .arg(&log)
        .arg("--")
        .args(command)
        .current_dir(&work)
        .output()
        .expect("running strace")
        .status;
    // strace kills itself with the signal that killed the program; a shell shows
    // that as 128 + signal, which is what systrace exits with.
    use std::os::unix::process::ExitStatusExt as _;
    let shell_status = status.code().or(status.signal().map(|s| 128 + s));
    assert_eq!(
        shell_status,
        out.status.code(),
        "{name}: same exit status under strace"
    );
    let strace_log = std::fs::read_to_string(&log).unwrap();
    let straced = strace_names(&strace_log);
    let show = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .arg("show")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        show.status.success(),
        "{name}: show failed: {}",
        String::from_utf8_lossy(&show.stderr)
    );
    Run {
        status: out.status.code(),
        shown: String::from_utf8(show.stdout).unwrap(),
        strace_log,
        events,
        trace,
        recorded,
        straced,
    }
}

fn names_per_thread(events: &[Event]) -> Vec<Vec<String>> {
    let mut threads: BTreeMap<(u64, u32), Vec<String>> = BTreeMap::new();
    let mut first: HashMap<u32, u64> = HashMap::new();
    for e in events {
        if let Body::SysEnter { nr, .. } = e.body {
            let start = *first.entry(e.tid).or_insert(e.ts);
            let name = analyze::syscalls::name("x86_64", nr)
                .map_or(format!("syscall_{nr}"), str::to_owned);
            threads.entry((start, e.tid)).or_default().push(name);
        }
    }
    sorted(threads.into_values().collect())
}

/// Syscall names per pid from `strace -f -o` output, counted where each call starts.
fn strace_names(log: &str) -> Vec<Vec<String>> {
    let mut threads: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for line in log.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(paren) = rest.find('(') else {
            continue;
        };
        let name = &rest[..paren];
        if let Ok(pid) = pid.parse()
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            threads.entry(pid).or_default().push(name.to_owned());
        }
    }
    sorted(threads.into_values().collect())
}

/// Threads' ids differ between runs: compare the sequences as a sorted list.
fn sorted(mut threads: Vec<Vec<String>>) -> Vec<Vec<String>> {
    threads.sort();
    threads
}

/// Asserts both views agree, printing them side by side when they don't.
/// Where a signal lands (a shell's SIGCHLD) depends on scheduling, not on the
/// tracer: `rt_sigreturn` is left out, and a call repeated back to back (one
/// restarted after the signal interrupted it) counts once.
fn assert_same_calls(name: &str, run: &Run) {
    let synchronous = |threads: &Vec<Vec<String>>| -> Vec<Vec<String>> {
        threads
            .iter()
            .map(|t| {
                let mut calls: Vec<String> =
                    t.iter().filter(|n| *n != "rt_sigreturn").cloned().collect();
                calls.dedup();
                calls
            })
            .collect()
    };
    if synchronous(&run.recorded) == synchronous(&run.straced) {
        return;
    }
    let mut report = format!("{name}: syscalls differ from strace's\n");
    for (i, (ours, theirs)) in run.recorded.iter().zip(&run.straced).enumerate() {
        if ours != theirs {
            report += &format!("thread #{i}:\n{:<40} | strace\n", "systrace");
            for k in 0..ours.len().max(theirs.len()) {
                let a = ours.get(k).map_or("", String::as_str);
                let b = theirs.get(k).map_or("", String::as_str);
                report += &format!("{}{a:<39} | {b}\n", if a == b { ' ' } else { '*' });
            }
        }
    }
    report += &format!(
        "threads: {} recorded, {} straced\n",
        run.recorded.len(),
        run.straced.len()
    );
    panic!("{report}");
}

/// Lines per process, in order of first appearance, with the pid prefix taken
/// off, alignment collapsed, every pid replaced by `PID` (pids differ between
/// the two runs), and each `<unfinished ...>` joined with its `<... resumed>`
/// (where two processes' calls overlap depends on scheduling, not on the
/// tracer). `lines` yields (pid or None for the root, text).
fn per_process<'a>(lines: impl Iterator<Item = (Option<u32>, &'a str)>) -> Vec<Vec<String>> {
    let mut order: Vec<Option<u32>> = Vec::new();
    let mut by_pid: HashMap<Option<u32>, Vec<&'a str>> = HashMap::new();
    for (pid, text) in lines {
        if !order.contains(&pid) {
            order.push(pid);
        }
        by_pid.entry(pid).or_default().push(text);
    }
    let pids: Vec<String> = order.iter().flatten().map(u32::to_string).collect();
    let tidy = |line: &str| {
        let mut line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        line = line
            .replace("( ", "(")
            .replace(" )", ")")
            .replace(" ,", ",");
        for p in &pids {
            line = common::mask_number(&line, p, "PID");
        }
        line
    };
    order
        .iter()
        .map(|pid| {
            let mut out = Vec::new();
            let mut held: Option<String> = None;
            for line in &by_pid[pid] {
                if let Some(start) = line.trim_end().strip_suffix("<unfinished ...>") {
                    held = Some(start.to_owned());
                } else if let Some(rest) = line
                    .strip_prefix("<... ")
                    .and_then(|r| r.split_once(" resumed>"))
                {
                    out.push(tidy(&format!(
                        "{}{}",
                        held.take().unwrap_or_default(),
                        rest.1
                    )));
                } else {
                    out.push(tidy(line));
                }
            }
            out.extend(held.map(|h| tidy(&h)));
            out
        })
        .collect()
}

/// `line` with a SIGCHLD's CPU times (`si_utime=`, `si_stime=`) masked:
/// they differ from run to run.
fn without_cpu_times(line: &str) -> String {
    let mut out = line.to_owned();
    for field in ["si_utime=", "si_stime="] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let end = out[start..]
                .find([',', '}'])
                .map_or(out.len(), |e| start + e);
            out.replace_range(start..end, "T");
        }
    }
    out
}

/// The same lines, process by process (as [`per_process`] gives them); else
/// each process's lines from the first that differs.
fn assert_same_processes(ours: &[Vec<String>], theirs: &[Vec<String>]) {
    for (k, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        let first = ours.iter().zip(theirs).position(|(a, b)| a != b);
        let at = first.unwrap_or(ours.len().min(theirs.len()));
        assert_eq!(ours[at..], theirs[at..], "process #{k}, from line {at}");
    }
    assert_eq!(ours.len(), theirs.len(), "processes");
}

/// How many of strace's lines `systrace show` did not print identically, per
/// process: at most `max_missing` (what the sample misses today, plus one),
/// else it prints both side by side.
fn assert_show_matches_strace(name: &str, run: &Run, max_missing: usize) {
    let theirs = per_process(run.strace_log.lines().filter_map(|l| {
        let (pid, text) = l.split_once(' ')?;
        Some((pid.parse().ok(), text.trim_start()))
    }));
    // Lines have no prefix while one task is traced: those are the root's.
    let root = run.trace.index().threads.first().map(|t| t.tid.to_native());
    let ours = per_process(run.shown.lines().map(|l| {
        match l.strip_prefix("[pid ").and_then(|r| r.split_once("] ")) {
            Some((pid, text)) => (pid.trim().parse().ok(), text),
            None => (root, l),
        }
    }));
    let mut matched = 0;
    let mut total = 0;
    let mut report = String::new();
    // Children may start in either order: pair each of strace's processes with
    // the unclaimed one of ours that shares most lines.
    let common = |a: &[String], b: &[String]| a.iter().filter(|l| b.contains(l)).count();
    let mut claimed = vec![false; ours.len()];
    for (k, their_lines) in theirs.iter().enumerate() {
        let best = (0..ours.len())
            .filter(|&i| !claimed[i])
            .max_by_key(|&i| common(their_lines, &ours[i]));
        if let Some(i) = best {
            claimed[i] = true;
        }
        let mut pool: Vec<&String> = best.map(|i| ours[i].iter().collect()).unwrap_or_default();
        for line in their_lines {
            total += 1;
            match pool.iter().position(|o| *o == line) {
                Some(i) => {
                    matched += 1;
                    pool.remove(i);
                }
                None => report += &format!("process #{k}: strace: {line}\n"),
            }
        }
        for extra in pool {
            report += &format!("process #{k}: ours:   {extra}\n");
        }
    }
    let share = matched as f64 / total.max(1) as f64;
    eprintln!(
        "{name}: {matched}/{total} of strace's lines reproduced ({:.1}%)",
        share * 100.0
    );
    assert!(
        total - matched <= max_missing,
        "{name}: {} of strace's lines not reproduced (at most {max_missing}):\n{report}",
        total - matched
    );
}

/// `systrace show OPTIONS FILE`: what it printed.
fn show(file: &Path, options: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .arg("show")
        .args(options)
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `strace -f OPTIONS COMMAND` in `dir/work` (where `common::record` ran
/// it), ASLR off and its output to a pipe, as the recorded run's: its log.
fn strace_log(dir: &Path, options: &[&str], command: &[OsString]) -> String {
    let log = dir.join("strace.log");
    let status = Command::new("setarch")
        .args(["-R", "strace", "-f", "-o"])
        .arg(&log)
        .args(options)
        .args(command)
        .current_dir(dir.join("work"))
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    std::fs::read_to_string(&log).unwrap()
}

fn arg(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// Indexes of the enter events of syscall `name`.
fn enters(events: &[Event], name: &str) -> Vec<usize> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.body, Body::SysEnter { nr, .. } if analyze::syscalls::name("x86_64", nr) == Some(name)))
        .map(|(i, _)| i)
        .collect()
}

fn enter_args(event: &Event) -> [u64; 6] {
    match event.body {
        Body::SysEnter { args, .. } => args,
        _ => panic!("not an enter: {event:?}"),
    }
}

/// The return value of the call whose enter is at `at`.
fn ret_of(events: &[Event], at: usize) -> i64 {
    let tid = events[at].tid;
    events[at..]
        .iter()
        .find_map(|e| match e.body {
            Body::SysExit { ret, .. } if e.tid == tid => Some(ret),
            _ => None,
        })
        .expect("an exit")
}

fn exit_statuses(trace: &Trace) -> Vec<(String, Option<i32>)> {
    trace
        .index()
        .processes
        .iter()
        .map(|p| {
            (
                String::from_utf8_lossy(&p.comm).into_owned(),
                p.exit_status.as_ref().map(|s| s.to_native()),
            )
        })
        .collect()
}

#[test]
fn fileio_opens_three_ways_and_its_data_is_captured() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        dir.path(),
        "fileio",
        &[arg(sample("fileio")), arg(dir.path())],
    );
    assert_eq!(run.status, Some(0));
    assert_same_calls("fileio", &run);
    assert_show_matches_strace("fileio", &run, 2);
    let e = &run.events;
    let a_txt = dir
        .path()
        .join("a.txt")
        .into_os_string()
        .into_encoded_bytes();
    let opens = enters(e, "open");
    assert_eq!(opens.len(), 2, "syscall(SYS_open) and the inline-asm open");
    for &i in &opens {
        assert_eq!(data_of(e, i, 0).as_deref(), Some(&a_txt[..]));
    }
    let write = enters(e, "write")[0];
    assert_eq!(
        data_of(e, write, 1).as_deref(),
        Some(&b"file-io data\n"[..])
    );
    let reads: Vec<_> = enters(e, "read")
        .into_iter()
        .filter(|&i| enter_args(&e[i])[2] == 64)
        .collect();
    assert_eq!(ret_of(e, reads[0]), 13);
    let exit = e[reads[0]..]
        .iter()
        .position(|x| matches!(x.body, Body::SysExit { .. }))
        .unwrap()
        + reads[0];
    assert_eq!(data_of(e, exit, 1).as_deref(), Some(&b"file-io data\n"[..]));
    let missing = enters(e, "openat")
        .into_iter()
        .find(|&i| data_of(e, i, 1).is_some_and(|p| p.ends_with(b"missing.txt")))
        .unwrap();
    assert_eq!(ret_of(e, missing), -2);
}

#[test]
fn threads_are_all_recorded_with_their_writes() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "threads", &[arg(sample("threads"))]);
    assert_eq!(run.status, Some(0));
    // futex counts vary with scheduling: compare everything else.
    let without_futex = |t: &Vec<Vec<String>>| {
        sorted(
            t.iter()
                .map(|s| s.iter().filter(|n| *n != "futex").cloned().collect())
                .collect(),
        )
    };
    assert_eq!(without_futex(&run.recorded), without_futex(&run.straced));
    assert_eq!(run.trace.index().threads.len(), 5);
    let mut lines: Vec<_> = enters(&run.events, "write")
        .into_iter()
        .map(|i| data_of(&run.events, i, 1).unwrap())
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [b"thread 0\n", b"thread 1\n", b"thread 2\n", b"thread 3\n"]
    );
    let writers: std::collections::HashSet<_> = enters(&run.events, "write")
        .into_iter()
        .map(|i| run.events[i].tid)
        .collect();
    assert_eq!(writers.len(), 4, "each write from its own thread");
    // clone3's struct as strace prints it (addresses aside), and the
    // child's tid the kernel wrote through it.
    for text in [
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x",
        ", exit_signal=0, stack=0x",
        ", stack_size=0x",
        ", tls=0x",
        " => {parent_tid=[",
    ] {
        assert_both_print(&run, text);
    }
}

#[test]
fn forker_child_exec_and_statuses() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "forker");
    assert_show_matches_strace("forker", &run, 3);
    let statuses = exit_statuses(&run.trace);
    assert_eq!(
        statuses,
        [("forker".into(), Some(0)), ("sh".into(), Some(7 << 8))]
    );
    let exec = run.events.iter().find_map(|e| match &e.body {
        Body::Exec { filename, argv, .. } if filename == b"/bin/sh" => Some(argv.clone()),
        _ => None,
    });
    assert_eq!(exec.unwrap(), [&b"sh"[..], b"-c", b"exit 7"]);
    // The ignored SIGCHLD shows where strace shows it: after wait4 returns,
    // when the parent was waiting. The child can end before the parent gets
    // to wait4 (strace slows the child; beside the recorder the parent may
    // wait for a CPU): then the signal came first, and so does its line.
    let lines: Vec<&str> = run.shown.lines().collect();
    let signal = lines
        .iter()
        .position(|l| l.starts_with("--- SIGCHLD"))
        .expect("SIGCHLD line");
    let waited = lines
        .iter()
        .position(|l| l.contains("wait4("))
        .expect("wait4 line");
    if waited < signal {
        assert!(lines[signal - 1].contains("wait4"), "{}", lines[signal - 1]);
    } else {
        assert!(lines[waited].starts_with("wait4("), "{}", lines[waited]);
    }
    let child = &run.trace.index().processes[1];
    assert_eq!(
        child.ppid.to_native(),
        run.trace.index().processes[0].pid.to_native()
    );
}

#[test]
fn tcp_loopback_data_and_addresses() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "tcp");
    assert_show_matches_strace("tcp", &run, 4);
    let e = &run.events;
    let sent: Vec<_> = enters(e, "sendto")
        .into_iter()
        .map(|i| data_of(e, i, 1).unwrap())
        .collect();
    assert_eq!(sent, [b"ping", b"pong"]);
    // Both recvfrom calls block (the data comes from the other process): their
    // arguments outlive the CPU the call entered on, and the data is still
    // captured at exit.
    let mut received: Vec<Vec<u8>> = e
        .iter()
        .filter_map(|ev| match &ev.body {
            Body::SysExit {
                nr: 45,
                ret: 4,
                captures,
            } => Some(captures.first()?.data.clone()),
            _ => None,
        })
        .collect();
    received.sort();
    assert_eq!(received, [b"ping", b"pong"]);
    let connect = enters(e, "connect")[0];
    let addr = data_of(e, connect, 1).unwrap();
    assert_eq!(
        (addr[0], &addr[4..8]),
        (2, &[127, 0, 0, 1][..]),
        "AF_INET 127.0.0.1"
    );
    assert_eq!(run.trace.index().processes.len(), 2);
    // -y: the listening socket by its inode, in the parent and the child.
    let shown = show(&dir.path().join("tcp.bin"), &["-y"]);
    let socket = shown
        .lines()
        .find_map(|l| l.split_once(" = 3<socket:[")?.1.split_once("]>"))
        .map(|(inode, _)| inode)
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(socket.parse::<u64>().is_ok_and(|n| n > 0), "{socket}");
    assert!(
        shown.contains(&format!("accept(3<socket:[{socket}]>, ")),
        "{shown}"
    );
}

#[test]
fn mmapper_maps_and_unmaps() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        dir.path(),
        "mmapper",
        &[arg(sample("mmapper")), arg(dir.path())],
    );
    assert_eq!(run.status, Some(0));
    assert_same_calls("mmapper", &run);
    assert_show_matches_strace("mmapper", &run, 2);
    let e = &run.events;
    let sizes: Vec<u64> = enters(e, "munmap")
        .into_iter()
        .map(|i| enter_args(&e[i])[1])
        .collect();
    assert!(
        sizes.ends_with(&[4096, 65536, 1048576, 8192, 4096]),
        "{sizes:?}"
    );
}

#[test]
fn killed_by_sigkill_is_recorded_as_such() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run(dir.path(), "killed", &[arg(sample("killed"))]);
    assert_eq!(run.status, Some(128 + 9));
    assert_same_calls("killed", &run);
    assert_show_matches_strace("killed", &run, 2);
    assert_eq!(exit_statuses(&run.trace), [("killed".into(), Some(9))]);
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e.body, Body::Signal { signo: 9, .. })),
        "SIGKILL delivery"
    );
}

/// Calls their thread never returned from, as strace ends them (`= ?`,
/// after ` <unfinished ...>` where more would print at the exit): a read a
/// SIGKILL from another process ends, a thread's read ended by another
/// thread's exit, and a kill of the caller's own process (the `killed`
/// sample). Each of strace's such lines is ours, and stats counts none of
/// them, as strace -c does not.
#[test]
fn calls_a_kill_ended_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = "import os, signal, threading, time\n\
        r, w = os.pipe()\n\
        threading.Thread(target=os.read, args=(r, 1)).start()\n\
        time.sleep(0.2)\n\
        pid = os.fork()\n\
        if pid == 0:\n    os.read(r, 1)\n\
        time.sleep(0.2)\n\
        os.kill(pid, signal.SIGKILL)\n\
        os.waitpid(pid, 0)\n\
        os._exit(0)\n";
    let unreturned = |lines: Vec<Vec<String>>| -> Vec<String> {
        let mut ended: Vec<String> = lines
            .into_iter()
            .flatten()
            .filter(|l| l.ends_with("= ?") && !l.starts_with("exit_group("))
            .collect();
        ended.sort();
        ended
    };
    let runs = [
        ("blocked", vec![arg(python()), arg("-c"), arg(script)]),
        ("killed", vec![arg(sample("killed"))]),
    ];
    for (name, command) in runs {
        let run = run(dir.path(), name, &command);
        // `show -o` prefixes every line with its pid, as `strace -f -o`.
        let text = dir.path().join(format!("{name}.txt"));
        let file = dir.path().join(format!("{name}.bin"));
        let shown = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .args(["show", "-o"])
            .args([&text, &file])
            .status()
            .unwrap();
        assert!(shown.success());
        let ended = |log: &str| {
            unreturned(per_process(log.lines().filter_map(|l| {
                let (pid, text) = l.split_once(' ')?;
                Some((pid.parse().ok(), text.trim_start()))
            })))
        };
        let (theirs, ours) = (
            ended(&run.strace_log),
            ended(&std::fs::read_to_string(&text).unwrap()),
        );
        let expected: &[&str] = match name {
            "blocked" => &["read(3, <unfinished ...>) = ?"; 2],
            _ => &["kill(PID, SIGKILL) = ?"],
        };
        assert_eq!(theirs, expected, "{}", run.strace_log);
        assert_eq!(ours, expected, "{}", run.shown);
        let stats = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .arg("stats")
            .arg(&file)
            .output()
            .unwrap();
        let stats = String::from_utf8_lossy(&stats.stdout);
        // strace -c's row: `% time seconds usecs/call calls [errors] name`.
        let row = |call: &str| -> Option<Vec<&str>> {
            let line = stats.lines().find(|l| l.ends_with(&format!(" {call}")))?;
            Some(line.split_whitespace().collect())
        };
        match name {
            // The two killed reads are not counted as failed ones.
            "blocked" => assert_eq!(row("read").map(|r| r.len()), Some(5), "{stats}"),
            _ => assert_eq!(row("kill"), None, "{stats}"),
        }
    }
}

#[test]
fn badfd_close_and_tmpfile() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        dir.path(),
        "badfd",
        &[arg(sample("badfd")), arg(dir.path())],
    );
    assert_eq!(run.status, Some(0));
    assert_same_calls("badfd", &run);
    assert_show_matches_strace("badfd", &run, 2);
    let e = &run.events;
    let close = enters(e, "close")
        .into_iter()
        .find(|&i| enter_args(&e[i])[0] == 999)
        .unwrap();
    assert_eq!(ret_of(e, close), -9, "EBADF");
    const O_TMPFILE: u64 = 0o20_200_000;
    assert!(
        enters(e, "openat")
            .into_iter()
            .any(|i| enter_args(&e[i])[2] & O_TMPFILE == O_TMPFILE)
    );
}

#[test]
fn vectored_io_and_poll_are_decoded_as_strace_does() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "vectored");
    assert_show_matches_strace("vectored", &run, 3);
    // Each of these is in strace's log too (with its own alignment).
    for line in [
        "poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)",
        "writev(4, [{iov_base=\"hello \", iov_len=6}, {iov_base=\"vectored \", iov_len=9}, \
         {iov_base=\"world\\n\", iov_len=6}], 3) = 21",
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 1000) = 2 \
         ([{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}])",
        "readv(3, [{iov_base=\"hello\", iov_len=5}, {iov_base=\" vectored world\\n\", \
         iov_len=100}], 2) = 21",
        "readv(3, [{iov_base=\"\", iov_len=5}, {iov_base=\"\", iov_len=100}], 2) = 0",
        "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=1000000}, NULL, 8) = 1 \
         ([{fd=3, revents=POLLHUP}], left {tv_sec=0, tv_nsec=",
    ] {
        assert_both_print(&run, line);
    }
    // -y names the pipe by its inode, read in the kernel, as strace -y does.
    let shown = show(&dir.path().join("vectored.bin"), &["-y"]);
    let pipe = shown.lines().find(|l| l.starts_with("pipe2(")).unwrap();
    let inode = pipe
        .strip_prefix("pipe2([3<pipe:[")
        .and_then(|r| r.split_once(']'))
        .map(|(n, _)| n)
        .unwrap_or_else(|| panic!("{pipe}"));
    assert!(inode.parse::<u64>().is_ok_and(|n| n > 0), "{pipe}");
    assert!(
        pipe.starts_with(&format!("pipe2([3<pipe:[{inode}]>, 4<pipe:[{inode}]>], 0)")),
        "{pipe}"
    );
    assert!(
        shown.contains(&format!("writev(4<pipe:[{inode}]>, [{{iov_base=")),
        "{shown}"
    );
}

#[test]
fn constants_are_named_as_strace_names_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "constants");
    // strace's lines from the program's first call on, byte for byte.
    let theirs: Vec<&str> = strace_calls(&run)
        .skip_while(|text| !text.starts_with("memfd_create("))
        .filter(|text| !text.starts_with("+++"))
        .collect();
    assert_eq!(theirs.len(), 35, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
}

#[test]
fn details_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "details");
    // strace's lines of the calls and signals the sample is about, whole.
    let about = [
        "umask(",
        "mremap(",
        "accept4(",
        "accept(",
        "getsockname(",
        "bind(",
        "setsockopt(",
        "prlimit64(0, RLIMIT_NOFILE",
        "faccessat2(",
        "pause(",
        "--- SIGSEGV",
        "--- SIGALRM",
    ];
    let mut theirs = strace_lines_about(&run, &about);
    // The port id the kernel gave the netlink socket is the pid.
    theirs.retain(|text| !text.contains("nl_pid=") || text.contains("nl_pid=0,"));
    assert_eq!(theirs.len(), 14, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
    assert_both_print(&run, "getsockname(5, {sa_family=AF_NETLINK, nl_pid=");
    assert_both_print(&run, "NULL, WSTOPPED, NULL) =");
}

#[test]
fn structs_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "structs");
    // Whole lines where nothing changes between two runs.
    let about = [
        "epoll_ctl(",
        "epoll_wait(",
        "epoll_pwait(",
        "timerfd_settime(",
        "fstatfs(",
        "utimensat(",
    ];
    let theirs = strace_lines_about(&run, &about);
    assert_eq!(theirs.len(), 11, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
    // The rest as far as it is the same.
    for text in [
        "timerfd_gettime(7, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=4, tv_nsec=",
        "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=",
        "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0",
        "statfs(\"/\", {f_type=",
    ] {
        assert_both_print(&run, text);
    }
}

#[test]
fn timers_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "timers");
    // Whole lines where nothing changes between two runs: all but the
    // remaining times and the pids.
    let about = [
        "timer_",
        "setitimer(",
        "rt_sigprocmask(SIG_BLOCK",
        "rt_sigreturn(",
    ];
    let varies = ["timer_gettime(", "SIGEV_THREAD_ID"];
    let mut theirs = strace_lines_about(&run, &about);
    theirs.retain(|text| !varies.iter().any(|v| text.contains(v)));
    assert_eq!(theirs.len(), 10, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
    for text in [
        "timer_create(CLOCK_MONOTONIC, {sigev_signo=SIGUSR2, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=",
        "timer_gettime(1, {it_interval={tv_sec=1, tv_nsec=500}, it_value={tv_sec=",
        "getitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=5, tv_usec=",
    ] {
        assert_both_print(&run, text);
    }
}

#[test]
fn selfinfo_prints_as_strace_prints_it() {
    let about = [
        "getres",
        "getgroups(",
        "setgroups(",
        "sched_",
        "sigaltstack(",
        "mincore(",
        "capget(",
        "capset(",
        "get_mempolicy(",
        "set_mempolicy(",
        "mbind(",
    ];
    sample_prints_straces_lines("selfinfo", &about, 18);
}

#[test]
fn select_sets_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "select");
    let mut theirs = strace_lines_about(&run, &["pselect6(", "select("]);
    assert_eq!(theirs.len(), 4, "{}", run.strace_log);
    // The time left varies: up to it.
    for text in &mut theirs {
        if let Some(at) = text.find("left {") {
            *text = &text[..at + "left {".len()];
        }
    }
    let (whole, cut): (Vec<&str>, Vec<&str>) =
        theirs.into_iter().partition(|t| !t.ends_with("left {"));
    assert_each_shown(&run, &whole);
    for text in cut {
        assert_both_print(&run, text);
    }
}

#[test]
fn calls_seccomp_rejects_print_as_strace_prints_them() {
    let about = ["seccomp(", "getppid(", "+++ killed"];
    if let Some(run) = sample_prints_straces_lines("seccomp", &about, 6) {
        assert!(!run.shown.contains("--- SIGSYS"), "{}", run.shown);
    }
}

#[test]
fn a_fatal_signal_prints_as_strace_prints_it() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "terminated");
    let theirs = strace_lines_about(&run, &["+++ killed"]);
    assert_eq!(theirs.len(), 1, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
    for text in [
        // The time it had left (the line may be cut by the parent's).
        "{tv_sec=9, tv_nsec=",
        "= ? ERESTART_RESTARTBLOCK (Interrupted by signal)",
        "--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=",
    ] {
        assert_both_print(&run, text);
    }
    assert_eq!(run.shown.matches("--- SIGTERM").count(), 1, "{}", run.shown);
    assert!(!run.shown.contains("--- SIGCONT"), "{}", run.shown);
}

#[test]
fn io_uring_calls_print_as_strace_prints_them() {
    sample_prints_straces_lines("iouring", &["io_uring_"], 7);
}

#[test]
fn values_no_name_fits_print_as_strace_prints_them() {
    let about = [
        "prctl(0x",
        "fcntl(0, 0x",
        "arch_prctl(0x",
        "socket(",
        "madvise(",
        "clock_gettime(",
        "prlimit64(0, 0x63",
        "lseek(",
        "fadvise64(",
        "setsockopt(",
        "rt_sigprocmask(0x9",
        "epoll_ctl(",
        "futex(NULL",
        "mmap(NULL, 4096, 0x100",
        "getpriority(",
        "shutdown(",
        "flock(",
    ];
    sample_prints_straces_lines("unknown", &about, 19);
}

#[test]
fn prctl_options_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "prctl");
    // Every prctl and sleep line of strace's.
    let theirs = strace_lines_about(&run, &["prctl(PR_", "clock_nanosleep("]);
    assert_eq!(theirs.len(), 17, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
}

#[test]
fn record_locks_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "locks");
    let theirs: Vec<&str> = strace_calls(&run)
        .filter(|text| text.starts_with("fcntl(3, F_"))
        .collect();
    assert_eq!(theirs.len(), 5, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
}

#[test]
fn futex_operations_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), "futexes");
    // Every futex line of strace's, byte for byte (the program's own 13; the
    // loader makes none).
    let theirs: Vec<&str> = strace_calls(&run)
        .filter(|text| text.starts_with("futex("))
        .collect();
    assert_eq!(theirs.len(), 13, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
}

/// strace's lines of `run`, without their pid prefixes.
fn strace_calls(run: &Run) -> impl Iterator<Item = &str> {
    strace_calls_of(&run.strace_log)
}

/// The lines of a `strace -f -o` log without their pids.
fn strace_calls_of(log: &str) -> impl Iterator<Item = &str> {
    log.lines()
        .filter_map(|l| l.split_once(' ').map(|(_, text)| text.trim_start()))
}

/// A line of `show`'s without its `[pid N] ` prefix.
fn without_pid_prefix(line: &str) -> &str {
    match line.strip_prefix("[pid ").and_then(|r| r.split_once("] ")) {
        Some((_, rest)) => rest,
        None => line,
    }
}

/// strace's calls in `log` that two runs print alike once numbers are
/// masked: random bytes and halves that split differently are left out.
fn calls_alike_per_run(log: &str) -> impl Iterator<Item = &str> {
    strace_calls_of(log)
        .filter(|l| !l.starts_with("getrandom(") && !l.contains("resumed>"))
        .filter(|l| !l.contains("<unfinished"))
}

/// Sample `name` recorded and run under strace: both end with status 0 and
/// make the same calls.
fn run_sample_to_its_end(dir: &Path, name: &str) -> Run {
    let run = run(dir, name, &[arg(sample(name))]);
    assert_eq!(run.status, Some(0));
    assert_same_calls(name, &run);
    run
}

/// Sample `name`, recorded and run under strace, has `count` lines of
/// strace's that start as one of `about` does, and `show` prints each whole.
/// None where recording is not possible here.
fn sample_prints_straces_lines(name: &str, about: &[&str], count: usize) -> Option<Run> {
    if !can_record() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = run_sample_to_its_end(dir.path(), name);
    let theirs = strace_lines_about(&run, about);
    assert_eq!(theirs.len(), count, "{}", run.strace_log);
    assert_each_shown(&run, &theirs);
    Some(run)
}

/// strace's lines (without pids) of the calls whose lines start as one of
/// `about` does.
fn strace_lines_about<'a>(run: &'a Run, about: &[&str]) -> Vec<&'a str> {
    strace_calls(run)
        .filter(|text| about.iter().any(|call| text.starts_with(call)))
        .collect()
}

/// Each of `lines` (strace's) is a line of `show`'s, whole, its `[pid N] `
/// and spaces aside (each pads to the result column from where its own
/// prefix ends).
fn assert_each_shown(run: &Run, lines: &[&str]) {
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown: Vec<String> = run
        .shown
        .lines()
        .map(
            |l| match l.strip_prefix("[pid ").and_then(|r| r.split_once("] ")) {
                Some((_, text)) => text,
                None => l,
            },
        )
        .map(squeeze)
        .collect();
    for line in lines {
        assert!(
            shown.contains(&squeeze(line)),
            "show lacks {line}:\n{}",
            run.shown
        );
    }
}

/// Both strace and `show` print a line containing `text` (spacing aside).
fn assert_both_print(run: &Run, text: &str) {
    for (who, log) in [("show", &run.shown), ("strace", &run.strace_log)] {
        let found = log
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .any(|l| l.contains(text));
        assert!(found, "{who} lacks {text}:\n{log}");
    }
}

/// The python interpreter itself, not a wrapper script that finds it.
fn python() -> String {
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3");
    String::from_utf8(python.stdout).unwrap().trim().to_owned()
}

#[test]
fn python_matches_strace() {
    if !can_record() {
        return;
    }
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("work")).unwrap();
    std::fs::write(dir.path().join("work/f.txt"), b"python\n").unwrap();
    let script = "import fcntl, os\n\
        fd = os.open('.', os.O_RDONLY)\n\
        fcntl.fcntl(fd, fcntl.F_GETFL)\n\
        fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)\n\
        fcntl.fcntl(fd, fcntl.F_GETFD)\n\
        print(os.getcwd(), sorted(os.listdir('.')), open('f.txt').read())\n";
    let run = run(
        dir.path(),
        "python",
        &[arg(&python), arg("-c"), arg(script)],
    );
    assert_eq!(run.status, Some(0));
    assert_same_calls("python", &run);
    assert_show_matches_strace("python", &run, 6);
    for text in [
        "F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)",
        "F_SETFD, FD_CLOEXEC) = 0",
        "F_GETFD) = 0x1 (flags FD_CLOEXEC)",
        "/work\", 1024) = ",
        "/* 3 entries */, 32768) = 80",
    ] {
        assert_both_print(&run, text);
    }
}

#[test]
fn coreutils_make_the_same_calls_as_under_strace() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("work")).unwrap();
    std::fs::write(dir.path().join("work/f.txt"), b"coreutils\n").unwrap();
    // The lines each may miss: today's (random bytes, addresses), plus one.
    for (name, command, max_missing) in [
        ("cat", vec![arg("cat"), arg("f.txt")], 3),
        ("ls", vec![arg("ls"), arg("-l"), arg(".")], 3),
        (
            "pipe",
            vec![arg("sh"), arg("-c"), arg("echo hi | tr a-z A-Z")],
            9,
        ),
    ] {
        let run = run(dir.path(), name, &command);
        assert_eq!(run.status, Some(0), "{name}");
        assert_same_calls(name, &run);
        assert_show_matches_strace(name, &run, max_missing);
        if name == "ls" {
            // ".", ".." and f.txt, counted in the kernel from getdents64's records.
            assert!(
                run.shown.contains(" /* 3 entries */, 32768) = 80"),
                "{}",
                run.shown
            );
        }
    }
}

/// Calls made through the 32-bit ABI, by a 64-bit program with `int $0x80`
/// and by a whole 32-bit program: named and decoded as i386 calls, each
/// line as strace prints it, and strace's line where a process changes
/// mode (strace -o writes those on its stderr; `show` in the trace).
#[cfg(target_arch = "x86_64")]
#[test]
fn i386_calls_print_as_strace_prints_them() {
    if !can_record() {
        return;
    }
    let bits32 = ["-m32", "-nostdlib", "-static", "-fno-pie", "-no-pie"];
    // Sample, gcc flags, strace's lines to find (how they start, how many),
    // texts that come in this order.
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], usize, &'a [&'a str]);
    let cases: [Case; 2] = [
        (
            "int80",
            &["-no-pie"],
            &[
                "write(1, \"hello",
                "open(\"/etc/hostname\"",
                "close(999)",
                "access(\"/nonexistent\"",
                "uname(",
            ],
            5,
            &[
                "32 bit mode",
                "hello from int 0x80",
                "getpid() ",
                "64 bit mode",
                "back in 64 bit",
            ],
        ),
        (
            "bits32",
            &bits32,
            &[
                "write(1, \"a 32-bit",
                "brk(NULL)",
                "nanosleep(",
                "clock_getres(",
                "clock_getres_time64(",
                "futex(",
                "futex_time64(",
                "stat64(",
                "fstat64(",
                "mmap2(",
                "_llseek(",
                "fcntl64(",
                "readv(",
                "writev(",
                "rt_sigaction(",
                "ugetrlimit(",
                "set_thread_area(",
                "exit_group(3)",
            ],
            20,
            &["execve(", "32 bit mode", "a 32-bit program"],
        ),
    ];
    for (name, flags, about, count, order) in cases {
        let dir = tempfile::tempdir().unwrap();
        let run = run(
            dir.path(),
            name,
            &[arg(common::sample_built_with(name, flags))],
        );
        assert_same_calls(name, &run);
        let theirs = strace_lines_about(&run, about);
        assert_eq!(theirs.len(), count, "{}", run.strace_log);
        assert_each_shown(&run, &theirs);
        // The mode lines come where the mode changes, once each.
        let at = |text: &str| {
            let found: Vec<_> = run.shown.match_indices(text).collect();
            assert_eq!(found.len(), 1, "{text} once in:\n{}", run.shown);
            found[0].0
        };
        let places: Vec<usize> = order.iter().map(|text| at(text)).collect();
        assert!(places.is_sorted(), "{order:?} in order in:\n{}", run.shown);
        let pid = run.events.first().map(|e| e.pid).unwrap();
        let line = format!("[ Process PID={pid} runs in 32 bit mode. ]\n");
        assert!(run.shown.contains(&line), "{line} in:\n{}", run.shown);
        // strace -c sums the 32-bit calls in a table of their own.
        let stats = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .arg("stats")
            .arg(dir.path().join(format!("{name}.bin")))
            .output()
            .unwrap();
        let straced = Command::new("strace")
            .args(["-c", "-f", "-o", "/dev/stdout"])
            .arg(common::sample_built_with(name, flags))
            .output()
            .unwrap();
        let table_32 = |text: &[u8]| -> Vec<String> {
            let text = String::from_utf8_lossy(text);
            let (_, table) = text
                .split_once("System call usage summary for 32 bit mode:")
                .unwrap_or_else(|| panic!("no 32-bit table in:\n{text}"));
            // Calls, errors and name; the times differ.
            let mut rows: Vec<String> = table
                .lines()
                .filter_map(|l| {
                    l.split_whitespace()
                        .collect::<Vec<_>>()
                        .split_at_checked(3)
                        .map(|(_, r)| r.join(" "))
                })
                .collect();
            rows.sort();
            rows
        };
        assert_eq!(table_32(&stats.stdout), table_32(&straced.stdout));
    }
}

/// `show -i`: every line's instruction pointer where strace -i prints it:
/// the call's, the signal's where it was delivered (a SIGSEGV at the
/// faulting instruction, a SIGALRM in `pause`), `?` for an exit. Both run
/// with ASLR off, so the addresses are the same.
#[test]
fn instruction_pointers_are_straces() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = sample("details");
    let command = [arg(&exe)];
    let file = common::record(dir.path(), "details", &command);
    let strace_log = strace_log(dir.path(), &["-i"], &command);
    let shown = show(&file, &["-i"]);
    // Each line's address and what follows it up to the call's `(`, task
    // order and resumed halves aside: `[00007ffff7e9a267] kill`,
    // `[????????????????] +++`.
    let leaders = |lines: Vec<&str>| -> Vec<String> {
        let mut leaders: Vec<String> = lines
            .into_iter()
            .filter(|l| l.starts_with('[') && !l.contains("<... "))
            // The first execve is made by each tracer's own child; where
            // the child's SIGCHLD finds its parent depends on the run.
            .filter(|l| !l.contains("] execve(") && !l.contains("--- SIGCHLD"))
            .map(|l| l.split(['(', '{']).next().unwrap_or(l).to_owned())
            .collect();
        leaders.sort();
        leaders
    };
    // strace -o: `PID ` first; show: `[pid N] ` while several run.
    let theirs = leaders(strace_calls_of(&strace_log).collect());
    let ours = leaders(
        shown
            .lines()
            .map(
                |l| match l.strip_prefix("[pid ").and_then(|r| r.split_once("] ")) {
                    Some((_, rest)) => rest,
                    None => l,
                },
            )
            .collect(),
    );
    assert!(
        theirs.iter().any(|l| l.contains("--- SIGSEGV")),
        "{theirs:?}"
    );
    assert!(
        theirs.iter().any(|l| l.contains("--- SIGALRM")),
        "{theirs:?}"
    );
    assert_eq!(ours, theirs);
}

/// `show -v` and `show -e verbose=none` against strace's same options, on
/// samples with the structs they change: execve's environment (exactly),
/// whole `stat`, `statx` (ls) and `rusage` structs, structs printed as
/// addresses. Numbers aside, since times and counters differ between
/// the two runs.
#[test]
fn verbose_and_abbreviated_structs_are_straces() {
    if !can_record() {
        return;
    }
    let masked = |line: &str| -> String {
        let line = without_pid_prefix(line);
        let mut out = String::new();
        let mut digits = false;
        for word in line.split_whitespace() {
            out.push(' ');
            for c in word.chars() {
                // Numbers, hex ones too, become one `N`.
                let number = c.is_ascii_hexdigit() || (c == 'x' && digits);
                if number && (digits || c.is_ascii_digit()) {
                    if !digits {
                        out.push('N');
                    }
                    digits = true;
                } else {
                    digits = false;
                    out.push(c);
                }
            }
        }
        out
    };
    let programs = ["structs", "selfinfo", "select", "timers"]
        .map(|name| (name, vec![arg(sample(name))]))
        .into_iter()
        // statx, whole; uname's six names (two snapshots); a directory's
        // entries (those a snapshot holds: all of a small one).
        .chain([
            ("ls", vec![arg("ls"), arg("-l"), arg("/etc/hostname")]),
            ("uname", vec![arg("uname"), arg("-a")]),
            ("entries", vec![arg("ls"), arg("few")]),
        ]);
    for (name, program) in programs {
        let dir = tempfile::tempdir().unwrap();
        for file in ["few/a", "few/bb"] {
            let path = dir.path().join("work").join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"").unwrap();
        }
        // A known environment, the same for both: `env` runs the sample.
        let command: Vec<OsString> = [
            "env",
            "-i",
            "HOME=/root",
            "LANG=C.UTF-8",
            "A_VARIABLE_LONGER_THAN_THE_STRING_LIMIT=1",
        ]
        .into_iter()
        .map(arg)
        .chain(program)
        .collect();
        let file = common::record(dir.path(), name, &command);
        for option in ["-v", "-everbose=none"] {
            let strace_log = strace_log(dir.path(), &[option], &command);
            let shown = show(&file, &[option]);
            let ours: std::collections::HashSet<String> = shown.lines().map(masked).collect();
            let missing: Vec<&str> = calls_alike_per_run(&strace_log)
                .filter(|l| !ours.contains(&masked(l)))
                .collect();
            assert!(
                missing.is_empty(),
                "{name} {option}: show lacks {missing:#?}\n{shown}"
            );
            if option == "-v" {
                let execve = strace_calls_of(&strace_log)
                    .find(|l| l.starts_with("execve(") && l.contains("HOME="))
                    .unwrap();
                assert!(shown.lines().any(|l| l == execve), "{execve}\n{shown}");
            }
        }
    }
}

/// `show -y` names what strace -y names, as the kernel knows it: the
/// working directory behind `AT_FDCWD` (from the start, after chdir and
/// after fchdir), and each opened file by its canonical path (through
/// `/lib`, a symlink here, and relative to the working directory); a file
/// removed while open as `(deleted)`, one renamed (its directory) by its
/// new name.
#[test]
fn descriptor_paths_are_the_kernels() {
    if !can_record() {
        return;
    }
    let script = "python3 -c \"import os; f = os.open('dx', os.O_CREAT|os.O_WRONLY); \
                  os.unlink('dx'); os.write(f, b'x'); os.close(f); os.mkdir('dd'); \
                  g = os.open('dd/f', os.O_CREAT|os.O_WRONLY); os.rename('dd', 'de'); \
                  os.write(g, b'y'); os.unlink('./de/../de/f'); os.rmdir('de'); os.close(g)\"; \
                  cat /etc/hostname >/dev/null; cd /usr; cat ./lib/os-release >/dev/null; \
                  python3 -c \"import os; fd = os.open('/usr/lib', os.O_RDONLY); os.fchdir(fd); \
                  open('os-release').read(); os.open('../share', os.O_RDONLY)\"";
    let dir = tempfile::tempdir().unwrap();
    let command = [arg("sh"), arg("-c"), arg(script)];
    let file = common::record(dir.path(), "paths", &command);
    let strace_log = strace_log(dir.path(), &["-y"], &command);
    let shown = show(&file, &["-y"]);
    let squeeze = |l: &str| {
        without_pid_prefix(l)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ours: std::collections::HashSet<String> = shown.lines().map(squeeze).collect();
    let theirs: Vec<&str> = strace_calls_of(&strace_log)
        .filter(|l| {
            ["openat(", "chdir(", "fchdir("]
                .iter()
                .any(|c| l.starts_with(c))
                || ["write(3", "close(3"].iter().any(|c| l.starts_with(c)) && l.contains("/work/d")
        })
        .filter(|l| !l.contains("<unfinished") && !l.contains("resumed>"))
        .collect();
    assert!(
        theirs
            .iter()
            .any(|l| l.contains("/work/dx>(deleted), \"x\""))
    );
    assert!(theirs.iter().any(|l| l.contains("/work/de/f>, \"y\"")));
    assert!(theirs.iter().any(|l| l.contains("/work/de/f>(deleted))")));
    for expected in [
        "openat(AT_FDCWD</usr>, \"./lib/os-release\", O_RDONLY) = 3</usr/lib/os-release>",
        "fchdir(3</usr/lib>) = 0",
        "openat(AT_FDCWD</usr/lib>, \"os-release\", O_RDONLY|O_CLOEXEC) = 4</usr/lib/os-release>",
        "openat(AT_FDCWD</usr/lib>, \"../share\", O_RDONLY|O_CLOEXEC) = 4</usr/share>",
    ] {
        assert!(
            theirs.iter().any(|l| squeeze(l) == expected),
            "strace: {expected}\n{strace_log}"
        );
    }
    assert!(
        theirs
            .iter()
            .any(|l| l.contains("</usr/lib/x86_64-linux-gnu/libc.so.6>"))
    );
    let missing: Vec<&&str> = theirs
        .iter()
        .filter(|l| !ours.contains(&squeeze(l)))
        .collect();
    assert!(missing.is_empty(), "show -y lacks {missing:#?}\n{shown}");
}

/// `show -X raw` and `-X verbose` print constants as strace does: numbers
/// (hex for flags and table values, decimal for signals and errnos, octal
/// modes, `"\x00\x50"` for a port), or numbers with their names in a
/// comment. Addresses, pids and counts of three digits or more are masked
/// (they differ per run); constants are not.
#[test]
fn constant_styles_are_straces() {
    if !can_record() {
        return;
    }
    let masked = |line: &str| -> String {
        let line = without_pid_prefix(line);
        let mut out = String::new();
        for word in line.split_whitespace() {
            out.push(' ');
            let mut rest = word;
            while let Some(c) = rest.chars().next() {
                let hex = rest
                    .strip_prefix("0x")
                    .map(|h| h.len() - h.trim_start_matches(|c: char| c.is_ascii_hexdigit()).len());
                let digits =
                    rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (masked, len) = match hex {
                    Some(n) if n >= 6 => ("ADDR", 2 + n),
                    Some(n) => ("", 2 + n),
                    None if digits >= 3 => ("N", digits),
                    None => ("", digits.max(c.len_utf8())),
                };
                out.push_str(if masked.is_empty() {
                    &rest[..len]
                } else {
                    masked
                });
                rest = &rest[len..];
            }
        }
        out
    };
    for name in ["constants", "structs", "details"] {
        let dir = tempfile::tempdir().unwrap();
        let command = [arg(sample(name))];
        let file = common::record(dir.path(), name, &command);
        for style in ["raw", "verbose"] {
            let strace_log = strace_log(dir.path(), &["-X", style], &command);
            // Whole lines (a call another task's event cut in the recorded
            // run is whole in the thread view).
            let shown = show(&file, &["-X", style, "--thread"]);
            let ours: std::collections::HashSet<String> = shown.lines().map(masked).collect();
            let theirs: Vec<&str> = calls_alike_per_run(&strace_log)
                // CPU times: numbers too small to mask.
                .filter(|l| !l.starts_with("getrusage(") && !l.starts_with("--- SIGCHLD"))
                .collect();
            let missing: Vec<&&str> = theirs
                .iter()
                .filter(|l| !ours.contains(&masked(l)))
                .collect();
            assert!(
                missing.is_empty(),
                "{name} -X {style}: show lacks {missing:#?}\n{shown}"
            );
            // The styles differ from the default where it matters.
            let styled = match style {
                "raw" => "0x80000) = 3",
                _ => "0x80000 /* O_RDONLY|O_CLOEXEC */) = 3",
            };
            assert!(theirs.iter().any(|l| l.contains(styled)), "{strace_log}");
        }
    }
}

/// `show -yy` names sockets by their ends as strace -yy does, from what the
/// kernel told at each call that made or changed one: TCP from socket to
/// bind, listen, connect and accept (the tcp sample), and unix (a pair, a
/// bound listener, both ends of an accepted connection, after a peer
/// closed), IPv6, UDP and netlink sockets, and the msghdrs of sendmsg and
/// recvmsg on them (python); and device files by
/// kind and number (`/dev/null<char 1:3>`), those the process inherited
/// too. Inode numbers and ports, which differ per run, are masked.
#[test]
fn sockets_and_devices_are_straces() {
    if !can_record() {
        return;
    }
    let python = python();
    let script = "import socket, os\n\
        os.path.exists('us') and os.unlink('us')\n\
        a, b = socket.socketpair()\n\
        a.send(b'x'); b.recv(1)\n\
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n\
        u.bind('us'); u.listen()\n\
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect('us')\n\
        s, _ = u.accept(); s.send(b'y'); c.recv(1)\n\
        d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.bind(('127.0.0.1', 0))\n\
        d.connect(('127.0.0.1', 9))\n\
        e = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); e.bind(('::1', 0)); e.listen()\n\
        n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); n.bind((0, 0))\n\
        g = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
        for k in (a, b, u, c, s, d, e, n, g): k.getsockname()\n\
        r, w = os.pipe()\n\
        fd = r.to_bytes(4, 'little')\n\
        a.sendmsg([b'hello', b'world'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fd)])\n\
        b.recvmsg(100, socket.CMSG_SPACE(4))\n\
        f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); f.bind(('127.0.0.1', 0))\n\
        h = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
        h.sendmsg([b'y'], [], 0, f.getsockname()); f.recvmsg(10)\n\
        a.setblocking(False)\n\
        try: a.recvmsg(10)\n\
        except BlockingIOError: pass\n\
        a.close(); b.getsockname(); c.close(); s.getsockname()\n";
    let masked = |line: &str| -> String {
        let mut out = String::new();
        let mut digits = 0;
        for c in without_pid_prefix(line)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
        {
            if c.is_ascii_digit() {
                digits += 1;
                continue;
            }
            match digits {
                0 => {}
                1..=3 => out.push('n'),
                _ => out.push('N'),
            }
            digits = 0;
            out.push(c);
        }
        out
    };
    // No child processes: `--thread` names a child's inherited descriptors
    // only from its own events.
    let devices = "exec 3</dev/zero 4</dev/loop0 5</dev/null; echo hi";
    for (name, command) in [
        ("tcp", vec![arg(sample("tcp"))]),
        ("unix", vec![arg(&python), arg("-c"), arg(script)]),
        ("devices", vec![arg("sh"), arg("-c"), arg(devices)]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = common::record(dir.path(), name, &command);
        let traced = ["-yy", "-e", "trace=%network,%desc"];
        let strace_log = strace_log(dir.path(), &traced, &command);
        // Each call whole, however the two runs interleaved.
        let shown = show(&file, &["--thread", "-yy", "-e", "trace=%network,%desc"]);
        let ours: std::collections::HashSet<String> = shown.lines().map(masked).collect();
        let theirs: Vec<&str> = calls_alike_per_run(&strace_log)
            .filter(|l| {
                [
                    "<TCP", "<UDP", "<UNIX", "<NETLINK", "<char ", "<block ", "write(1<",
                ]
                .iter()
                .any(|s| l.contains(s))
            })
            // Padding the caller left unset: whatever its stack held.
            .filter(|l| !l.contains("nl_pad="))
            // Descriptors received through SCM_RIGHTS are not named (see
            // the README).
            .filter(|l| !l.starts_with("recvmsg(") || !l.contains("SCM_RIGHTS"))
            .collect();
        assert!(theirs.len() >= 4, "{strace_log}");
        if name == "devices" {
            // Inherited from the test: named from /proc when recording began.
            assert!(
                theirs.iter().any(|l| l.starts_with("write(1<")),
                "{strace_log}"
            );
        }
        let missing: Vec<&&str> = theirs
            .iter()
            .filter(|l| !ours.contains(&masked(l)))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: show -yy lacks {missing:#?}\n{shown}"
        );
    }
}

#[test]
fn netlink_messages_are_straces() {
    if !can_record() {
        return;
    }
    // rtnetlink requests as ip and glibc make them, their replies, an error
    // answering a message, an audit socket's capped acknowledgement, and
    // bytes too few for a message.
    let script = "import socket, struct\n\
        def msg(t, flags, seq, body):\n\
        \x20   return struct.pack('=IHHII', 16 + len(body), t, flags, seq, 0) + body\n\
        def dump(s):\n\
        \x20   while struct.unpack_from('=H', s.recv(65536), 4)[0] not in (2, 3): pass\n\
        r = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)\n\
        r.bind((0, 0))\n\
        ifi = struct.pack('=BxHiII', 0, 0, 0, 0, 0)\n\
        r.send(msg(18, 0x301, 1, ifi + struct.pack('=HHI', 8, 29, 1))); dump(r)\n\
        r.send(msg(22, 0x301, 2, b'\\x02\\0\\0\\0')); dump(r)\n\
        r.send(msg(18, 0x5, 3, struct.pack('=BxHiII', 0, 0, 9999, 0, 0))); r.recv(65536)\n\
        rt = struct.pack('=BBBBBBBBI', 2, 0, 0, 0, 254, 0, 0, 0, 0)\n\
        r.send(msg(26, 0x301, 4, rt) + msg(3, 2, 5, b'\\0\\0\\0\\0')); dump(r)\n\
        r.send(b'\\1\\2\\3')\n\
        a = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9); a.bind((0, 0))\n\
        a.sendto(msg(1107, 5, 1, b'op=test res=success'), (0, 0)); a.recv(1000)\n";
    let dir = tempfile::tempdir().unwrap();
    let command = [arg(python()), arg("-c"), arg(script)];
    let file = common::record(dir.path(), "netlink", &command);
    let strace_log = strace_log(dir.path(), &["-s", "32"], &command);
    // The socket's port ids are the process's pid.
    let masked = |line: &str| -> String {
        let mut parts = line.split("nlmsg_pid=");
        let mut out = parts.next().unwrap_or_default().to_owned();
        for part in parts {
            out.push_str("nlmsg_pid=N");
            out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
        }
        out
    };
    let calls = |text: &str| -> Vec<String> {
        text.lines()
            .map(without_pid_prefix)
            .map(|l| l.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' '))
            .filter(|l| ["sendto(", "recvfrom("].iter().any(|c| l.starts_with(c)))
            .map(masked)
            .collect()
    };
    let (ours, theirs) = (calls(&show(&file, &[])), calls(&strace_log));
    assert_eq!(ours.len(), theirs.len(), "{ours:#?}\n{theirs:#?}");
    let mut compared = 0;
    for (ours, theirs) in ours.iter().zip(&theirs) {
        // strace names interfaces by looking them up as it runs; the
        // recording holds only the first 200 bytes of a reply.
        let cut = theirs
            .rsplit("= ")
            .next()
            .and_then(|r| r.parse::<u32>().ok())
            > Some(200);
        if theirs.contains("if_nametoindex(") || cut {
            continue;
        }
        assert_eq!(ours, theirs);
        compared += 1;
    }
    assert!(compared >= 11, "{compared} lines compared");
    for line in [
        "sendto(3, [{nlmsg_len=40, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=N}, {ifi_family=AF_UNSPEC, ifi_type=ARPHRD_NETROM, ifi_index=0, ifi_flags=0, ifi_change=0}, [{nla_len=8, nla_type=IFLA_EXT_MASK}, RTEXT_FILTER_VF]], 40, 0, NULL, 0) = 40",
        "recvfrom(3, [{nlmsg_len=52, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=3, nlmsg_pid=N}, {error=-ENODEV, msg=[{nlmsg_len=32, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=3, nlmsg_pid=N}, {ifi_family=AF_UNSPEC, ifi_type=ARPHRD_NETROM, ifi_index=9999, ifi_flags=0, ifi_change=0}]}], 65536, 0, NULL, NULL) = 52",
        "sendto(3, \"\\x01\\x02\\x03\", 3, 0, NULL, 0) = 3",
    ] {
        assert!(ours.iter().any(|l| l == line), "{line}\n{ours:#?}");
    }
}

/// `show --thread -y` and `-ff -y` name a descriptor in every thread of the
/// process, whichever thread opened it (one replay of all of them), as
/// strace -y names it.
#[test]
fn threads_name_the_descriptors_they_share() {
    if !can_record() {
        return;
    }
    let script = "import os, threading\n\
        fd = os.open('shared.out', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)\n\
        t = threading.Thread(target=lambda: os.write(fd, b'from a thread\\n'))\n\
        t.start(); t.join()\n\
        os.write(fd, b'from main\\n')\n";
    let dir = tempfile::tempdir().unwrap();
    let command = [arg(python()), arg("-c"), arg(script)];
    let file = common::record(dir.path(), "shared", &command);
    let strace_log = strace_log(dir.path(), &["-y"], &command);
    // The call as strace starts it (its line may be cut by another's).
    let theirs = strace_calls_of(&strace_log)
        .find(|l| l.contains("from a thread"))
        .and_then(|l| l.split(" <unfinished").next()?.split(") = ").next())
        .unwrap()
        .to_owned();
    assert!(theirs.contains("shared.out>"), "{theirs}");
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let starts = |l: &str| squeeze(l).starts_with(&squeeze(&theirs));
    // The worker's block (its header names the process, not the thread).
    let shown = show(&file, &["--thread", "-y"]);
    let worker = shown
        .split("=== thread ")
        .find(|block| block.contains("from a thread"))
        .unwrap();
    assert!(worker.lines().any(starts), "{theirs}\n{worker}");
    // -ff: the worker's own file.
    let prefix = dir.path().join("per-thread");
    let status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "-ff", "-y", "-o"])
        .arg(&prefix)
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("per-thread."))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let worker = files.iter().find(|f| f.contains("from a thread")).unwrap();
    assert!(worker.lines().any(starts), "{theirs}\n{worker}");
}

/// `show --follow` prints a recording while `record` writes it: the
/// program's first write shows while the program still waits for it to
/// show, and by the end the follower printed exactly what `show` prints.
#[test]
fn follow_prints_a_recording_while_it_is_written() {
    use std::io::BufRead as _;
    use std::process::Stdio;
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.bin");
    let go = dir.path().join("go");
    // Waits (20 s at most) for the test to see its first write.
    let script = format!(
        "echo first; i=0; while [ ! -e {} ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
         echo second",
        go.display()
    );
    let mut recorder = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["record", "-o"])
        .arg(&file)
        .args(["--", "sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = dir.path().join("live.bin.partial");
    for _ in 0..200 {
        if partial.exists() || file.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut follower = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "--follow"])
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(follower.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in &mut lines {
        let line = line.unwrap();
        let first = without_pid_prefix(&line).starts_with("write(1, \"first\\n\"");
        seen.push(line);
        if first {
            break;
        }
    }
    assert!(
        recorder.try_wait().unwrap().is_none(),
        "the recording ended before its first write showed:\n{}",
        seen.join("\n")
    );
    std::fs::write(&go, b"").unwrap();
    seen.extend(lines.map(Result::unwrap));
    assert!(follower.wait().unwrap().success());
    assert!(recorder.wait().unwrap().success());
    let shown = show(&file, &[]);
    assert_eq!(seen.join("\n") + "\n", shown);
}

/// `trace` prints as `show` does on the recording it made (one printer):
/// `trace -o` and `show -o` of its `--save`d file, line for line once each
/// `<unfinished ...>` is joined with its `<... resumed>` (where a live view
/// cuts a line depends on when chunks land); it exits with the program's
/// status, and leaves nothing on disk without `--save`.
#[test]
fn trace_prints_what_show_prints_of_its_recording() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (live, saved, shown) = (
        dir.path().join("live.txt"),
        dir.path().join("t.bin"),
        dir.path().join("shown.txt"),
    );
    // Processes side by side, a call that blocks, and a 32-bit one.
    let script = "cat /etc/hostname & ls / > /dev/null; wait; sleep 0.2; \
         python3 -c 'import threading; threading.Thread(target=print).start()'; exit 3";
    let status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "-o"])
        .arg(&live)
        .arg("--save")
        .arg(&saved)
        .args(["--", "sh", "-c", script])
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(3));
    let shown_status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "-o"])
        .arg(&shown)
        .arg(&saved)
        .status()
        .unwrap();
    assert!(shown_status.success());
    let (live, shown) = (
        std::fs::read_to_string(&live).unwrap(),
        std::fs::read_to_string(&shown).unwrap(),
    );
    assert!(live.contains("+++ exited with 3 +++"), "{live}");
    let joined = |text: &str| {
        per_process(text.lines().filter_map(|l| {
            let (pid, text) = l.split_once(' ')?;
            Some((pid.parse().ok(), text.trim_start()))
        }))
    };
    let (live, shown) = (joined(&live), joined(&shown));
    assert_same_processes(&live, &shown);
    assert!(live.len() >= 5, "{live:?}");
    // Without --save: the recording (in a directory of its own under
    // TMPDIR) is gone once trace ends.
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "--", "true"])
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("+++ exited with 0 +++"));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
}

/// `trace -c -o FILE` puts strace's table where the lines go, as strace -c
/// -o does; an output slower than the program loses nothing (the printer
/// reads the recording at its own pace) and the summary line says how far
/// behind it ran.
#[test]
fn trace_puts_its_table_with_its_lines_and_names_a_slow_output() {
    use std::io::Read as _;
    use std::process::Stdio;
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("table.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "-c", "-o"])
        .arg(&table)
        .args(["--", "true"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(text.starts_with("% time     seconds  usecs/call     calls    errors syscall\n"));
    assert!(text.lines().any(|l| l.ends_with(" total")), "{text}");
    assert!(!stderr.contains("% time"), "{stderr}");
    // 40K lines into a pipe nobody reads for 2 s.
    let mut tracer = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args([
            "trace",
            "--",
            "dd",
            "if=/dev/zero",
            "of=/dev/null",
            "bs=1",
            "count=20000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let mut text = String::new();
    tracer
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(tracer.wait().unwrap().success());
    let reads = text
        .lines()
        .filter(|l| l.starts_with("read(0, \"\\0\", 1)"))
        .count();
    assert_eq!(reads, 20000);
    let summary = text.lines().last().unwrap();
    assert!(summary.contains(" 0 lost, "), "{summary}");
    assert!(summary.contains("s behind the program"), "{summary}");
}

/// `record -e trace=SET` selects in the kernel: the trace holds the chosen
/// calls and process life (forks, execs, exits, signals), nothing else, and
/// `show` prints the kept calls as `strace -e trace=SET` prints them.
#[test]
fn record_keeps_only_the_calls_it_selects() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let command: Vec<OsString> = [
        "sh",
        "-c",
        "cat /etc/hostname; ls / > /dev/null; ls /nonexistent || true",
    ]
    .map(arg)
    .to_vec();
    let selection = ["-e", "trace=openat,write"];
    let file = common::record_with(dir.path(), "selected", &selection, &command);
    let trace = Trace::open(&file).unwrap();
    let events = common::events(&trace);
    let mut calls: Vec<String> = events
        .iter()
        .filter_map(|e| e.body.syscall_nr())
        .map(|nr| analyze::syscalls::display_name("x86_64", nr).into_owned())
        .collect();
    calls.sort();
    calls.dedup();
    assert_eq!(calls, ["openat", "write"]);
    for life in ["Fork", "Exec", "TaskExit", "Signal"] {
        assert!(
            events
                .iter()
                .any(|e| format!("{:?}", e.body).starts_with(life)),
            "no {life} event"
        );
    }
    let shown = dir.path().join("selected.txt");
    let status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "-o"])
        .args([&shown, &file])
        .status()
        .unwrap();
    assert!(status.success());
    let joined = |log: &str| {
        let lines = per_process(log.lines().filter_map(|l| {
            let (pid, text) = l.split_once(' ')?;
            Some((pid.parse().ok(), text.trim_start()))
        }));
        let masked = |p: Vec<String>| p.iter().map(|l| without_cpu_times(l)).collect();
        lines.into_iter().map(masked).collect::<Vec<Vec<String>>>()
    };
    let theirs = joined(&strace_log(dir.path(), &selection, &command));
    let ours = joined(&std::fs::read_to_string(&shown).unwrap());
    assert_same_processes(&ours, &theirs);
    assert!(
        ours.iter()
            .flatten()
            .any(|l| l.starts_with("write(1, \"bin\\n"))
    );
    // show says the recording chose, and -y names no descriptor when a
    // call that closes or replaces one was left out (not a wrong name).
    let shown_y = |file: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .args(["show", "-y"])
            .arg(file)
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr))
    };
    let (lines, warnings) = shown_y(&file);
    let first = warnings.lines().next().unwrap_or_default();
    assert!(
        first.ends_with("recorded with -e trace=openat,write: nothing outside it was recorded"),
        "{warnings}"
    );
    assert!(warnings.contains("descriptors are not named: the recording left out close,"));
    assert!(lines.contains("\nwrite(1, \"vm\\n\", 3)") || lines.contains("] write(1, \"vm"));
    assert!(!lines.contains("write(1<"), "{lines}");
    // With every call that closes or replaces a descriptor: named.
    let command = ["cat", "/etc/hostname"].map(arg).to_vec();
    let kept = [
        "-e",
        "trace=openat,read,close,dup,dup2,dup3,fcntl,close_range",
    ];
    let file = common::record_with(dir.path(), "followed", &kept, &command);
    let (lines, warnings) = shown_y(&file);
    assert!(!warnings.contains("not named"), "{warnings}");
    assert!(
        lines.contains("read(3</etc/hostname>, \"vm\\n\""),
        "{lines}"
    );
}

/// Waits (10 s at most) until a recorder writing `file` has its programs
/// attached: its header is written then.
fn wait_until_recording(file: &Path) {
    let partial = file.with_extension("bin.partial");
    for _ in 0..200 {
        if std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never began", partial.display());
}

/// `record --comm NAME` follows the processes that exec a program of that
/// name (the kernel's comm: a NAME longer than 15 bytes matches on its
/// first 15, said in a warning), from their exec on, and nothing else.
#[test]
fn record_follows_the_processes_a_name_chooses() {
    use std::process::Stdio;
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("commtarget-long-name");
    std::fs::copy(sample("hello"), &target).unwrap();
    let file = dir.path().join("comm.bin");
    let recorder = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["record", "-o"])
        .arg(&file)
        .args(["--comm", "commtarget-long-name", "--duration", "4s"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_recording(&file);
    // A shell that is not chosen runs one that is, and one that is not.
    let script = format!("{}; cat /etc/hostname > /dev/null", target.display());
    for _ in 0..2 {
        Command::new("sh").args(["-c", &script]).status().unwrap();
    }
    let out = recorder.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "systrace: warning: --comm commtarget-long-name: the kernel keeps a command's \
             first 15 bytes; matching commtarget-long"
        ),
        "{stderr}"
    );
    let trace = Trace::open(&file).unwrap();
    assert_eq!(
        trace.header().selection.comms[0].as_str(),
        "commtarget-long"
    );
    let execs: Vec<Vec<u8>> = common::events(&trace)
        .into_iter()
        .filter_map(|e| match e.body {
            Body::Exec { filename, .. } => Some(filename),
            _ => None,
        })
        .collect();
    let path = target.display().to_string();
    assert_eq!(execs, vec![path.clone().into_bytes(); 2]);
    let shown = show(&file, &[]);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = shown
        .lines()
        .map(|l| squeeze(without_pid_prefix(l)))
        .collect();
    let count = |text: &str| lines.iter().filter(|l| l.starts_with(text)).count();
    let execve = format!("execve(\"{path}\", [\"{}\"...], ", &path[..32]);
    assert_eq!(count(&execve), 2, "{shown}");
    assert_eq!(
        count("write(1, \"hello, systrace\\n\", 16) = 16"),
        2,
        "{shown}"
    );
    assert_eq!(count("+++ exited with 3 +++"), 2, "{shown}");
    assert!(!shown.contains("/etc/hostname"), "{shown}");
}

/// A cgroup made for a test under the cgroup v2 mount, removed at the end.
struct TestCgroup(std::path::PathBuf);

impl Drop for TestCgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// `record --cgroup PATH` records the tasks in that cgroup (or below it)
/// and nothing else: a sample moved into a cgroup made for the test is
/// recorded, a process outside it is not. A path that is no cgroup v2
/// directory is refused in one line, exit status 2.
#[test]
fn record_keeps_the_tasks_of_a_cgroup() {
    use std::process::Stdio;
    if !can_record() {
        return;
    }
    let mount = std::fs::read_to_string("/proc/mounts")
        .unwrap()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(2) == Some(&"cgroup2")).then(|| f[1].to_owned())
        })
        .expect("a cgroup v2 mount");
    let name = format!("systrace-test-{}", std::process::id());
    let cgroup = TestCgroup(Path::new(&mount).join(&name));
    std::fs::create_dir(&cgroup.0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (bad, why) in [
        ("/no/such/cgroup", "No such file or directory"),
        ("/tmp", "not in the cgroup v2 hierarchy"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .args(["record", "-o"])
            .arg(dir.path().join("bad.bin"))
            .args(["--cgroup", bad])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("systrace: --cgroup {bad}: ")),
            "{stderr}"
        );
        assert!(stderr.contains(why), "{stderr}");
    }
    // The cgroup as /proc/PID/cgroup names it: below the hierarchy's root.
    let file = dir.path().join("cgroup.bin");
    let given = format!("/{name}");
    let recorder = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["record", "-o"])
        .arg(&file)
        .args(["--cgroup", &given, "--duration", "3s"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_recording(&file);
    let procs = cgroup.0.join("cgroup.procs");
    let inside = format!(
        "echo $$ > {}; exec {}",
        procs.display(),
        sample("hello").display()
    );
    let status = Command::new("sh").args(["-c", &inside]).status().unwrap();
    assert_eq!(status.code(), Some(3));
    Command::new("cat")
        .arg("/etc/hostname")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(recorder.wait_with_output().unwrap().status.success());
    let trace = Trace::open(&file).unwrap();
    assert_eq!(trace.header().selection.cgroups[0].as_str(), given);
    let shown = show(&file, &[]);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = shown
        .lines()
        .map(|l| squeeze(without_pid_prefix(l)))
        .collect();
    let hello = sample("hello").display().to_string();
    for line in [
        format!("execve(\"{hello}\","),
        "write(1, \"hello, systrace\\n\", 16) = 16".to_owned(),
        "exit_group(3) = ?".to_owned(),
        "+++ exited with 3 +++".to_owned(),
    ] {
        assert_eq!(
            lines.iter().filter(|l| l.starts_with(&line)).count(),
            1,
            "{line} in:\n{shown}"
        );
    }
    assert!(!shown.contains("/etc/hostname"), "{shown}");
    let pids: std::collections::HashSet<u32> =
        common::events(&trace).iter().map(|e| e.pid).collect();
    assert_eq!(pids.len(), 1, "{shown}");
}

/// Each task's id in its own pid namespace is recorded beside the
/// machine's: `show --ns-pids` names tasks as a process inside the
/// namespace sees them (a shell's own `$$`, a sample's), `show` as the
/// machine does.
#[test]
fn namespace_pids_show_what_the_container_sees() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "echo $$; sh -c 'echo $$'; {}; true",
        sample("hello").display()
    );
    let command = [
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        "sh",
        "-c",
        &script,
    ]
    .map(arg)
    .to_vec();
    let file = common::record(dir.path(), "ns", &command);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines =
        |options: &[&str]| -> Vec<String> { show(&file, options).lines().map(squeeze).collect() };
    let inside = lines(&["--ns-pids"]);
    for line in [
        "[pid 1] write(1, \"1\\n\", 2) = 2",
        "[pid 2] write(1, \"2\\n\", 2) = 2",
        "[pid 2] +++ exited with 0 +++",
        "[pid 3] write(1, \"hello, systrace\\n\", 16) = 16",
        "[pid 3] +++ exited with 3 +++",
        "[pid 1] +++ exited with 0 +++",
    ] {
        assert!(inside.iter().any(|l| l == line), "{line} in {inside:#?}");
    }
    // The machine's ids otherwise: the same writes, by other numbers.
    let outside = lines(&[]);
    let write = outside
        .iter()
        .find(|l| l.ends_with("write(1, \"1\\n\", 2) = 2"))
        .unwrap();
    assert!(!write.starts_with("[pid 1]"), "{write}");
}

/// `record --stack=fp` keeps each call's user stack by frame pointers, and
/// `show -k` prints it as strace -k does: a sample built with frame
/// pointers makes a call three functions deep through its own syscall
/// instruction, and the whole chain shows by name, module and file offset.
#[test]
fn stacks_show_the_functions_a_call_came_from() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let built = common::sample_built_with("stacks", &["-O0", "-fno-omit-frame-pointer"]);
    // A copy of our own, replaced and removed below.
    let exe = dir.path().join("stacks");
    std::fs::copy(&built, &exe).unwrap();
    let file = common::record_with(dir.path(), "stacks", &["--stack"], &[arg(&exe)]);
    let shown = show(&file, &["-k"]);
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("getppid()"))
        .unwrap_or_else(|| panic!("no getppid in:\n{shown}"));
    let frames: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.starts_with(" > "))
        .copied()
        .collect();
    let path = exe.display().to_string();
    for (frame, function) in frames.iter().zip(["inner", "middle", "outer", "main"]) {
        let start = format!(" > {path}({function}+0x");
        assert!(
            frame.starts_with(&start),
            "{frame} is not {function}:\n{shown}"
        );
        assert!(frame.ends_with(']'), "{frame}");
    }
    assert!(frames.len() >= 4, "{shown}");
    // stats --by stack: the call under its stack, named alike.
    let stats = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["stats", "--by", "stack"])
        .arg(&file)
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&stats.stdout);
    let block = stats
        .split("\n\n")
        .find(|b| b.lines().next().is_some_and(|l| l.ends_with("  getppid")))
        .unwrap_or_else(|| panic!("no getppid stack in:\n{stats}"));
    let first = block.lines().next().unwrap();
    assert!(first.trim_start().starts_with("1 "), "{block}");
    assert_eq!(block.lines().skip(1).collect::<Vec<_>>(), frames, "{stats}");
    // The folded stacks and the flame graph: main;outer;middle;inner;getppid.
    let (folded, svg) = (dir.path().join("stacks.txt"), dir.path().join("stacks.svg"));
    let status = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["export", "--folded"])
        .arg(&folded)
        .arg("--flamegraph")
        .arg(&svg)
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let folded = std::fs::read_to_string(&folded).unwrap();
    assert!(
        folded
            .lines()
            .any(|l| l.ends_with(";main;outer;middle;inner;getppid 1")),
        "{folded}"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.starts_with("<?xml") && svg.contains(">inner (1 calls"),
        "{svg:.500}"
    );
    // Without -k, no frames; -k on a recording without stacks says so.
    assert!(!show(&file, &[]).contains(" > "));
    let plain = common::record(dir.path(), "plain", &[arg(&exe)]);
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "-k"])
        .arg(&plain)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.ends_with("recorded without stacks (record --stack): -k prints none\n"));
    // Another build in its place, then none: its frames print as ??, and
    // show says why once.
    for (change, why) in [
        ("replaced", "its build id is not the one recorded"),
        ("removed", "it is gone, or not readable"),
    ] {
        match change {
            "replaced" => std::fs::copy(sample("hello"), &exe).map(|_| ()).unwrap(),
            _ => std::fs::remove_file(&exe).unwrap(),
        }
        let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .args(["show", "-k"])
            .arg(&file)
            .output()
            .unwrap();
        let (text, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let unknown = format!(" > {path}(??) [0x");
        assert!(
            text.lines().any(|l| l.starts_with(&unknown)),
            "{change}:\n{text}"
        );
        let warning = format!("systrace: warning: {path}: frames print as ??: {why}");
        assert_eq!(stderr.matches(&warning).count(), 1, "{change}: {stderr}");
    }
    // A build without a build id, put back as another file (the same
    // bytes, another inode): it cannot be told to be the one mapped.
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/stacks.c");
    let built = Command::new("gcc")
        .args([
            "-O0",
            "-fno-omit-frame-pointer",
            "-Wl,--build-id=none",
            "-o",
        ])
        .arg(&exe)
        .arg(&source)
        .status()
        .unwrap();
    assert!(built.success());
    let file = common::record_with(dir.path(), "no-id", &["--stack"], &[arg(&exe)]);
    assert!(show(&file, &["-k"]).contains(&format!(" > {path}(inner+0x")));
    let copy = dir.path().join("copy");
    std::fs::copy(&exe, &copy).unwrap();
    std::fs::rename(&copy, &exe).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["show", "-k"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{path}: frames print as ??: it is not the file recorded (another inode)"
        )),
        "{stderr}"
    );
}

/// `record --stack=dwarf` unwinds with the programs' call frame info,
/// through code built without frame pointers (libc's wrappers, Debian's
/// binaries): every frame strace -k prints (module and file offset) is
/// ours for the samples, cat and ls; python's deepest frames, past a
/// 16 KiB stack buffer of its own, are beyond the stack copied (see the
/// README). A sample's call through libc's open() three functions deep
/// shows its chain by name, and `-kk` its source lines, from the program
/// or from a debug file found by its debuglink.
#[test]
fn dwarf_stacks_are_straces() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let libcstack = common::sample_built_with("libcstack", &["-g"]);
    let stacks = common::sample_built_with("stacks", &["-O0", "-fno-omit-frame-pointer"]);
    let programs: [(&str, Vec<OsString>); 5] = [
        ("libcstack", vec![arg(&libcstack)]),
        ("stacks", vec![arg(&stacks)]),
        ("cat", vec![arg("cat"), arg("/etc/hostname")]),
        ("ls", vec![arg("ls"), arg("-l"), arg("/")]),
        (
            "python",
            vec![arg("/usr/bin/python3"), arg("-c"), arg("pass")],
        ),
    ];
    let (mut same, mut all) = (0, 0);
    for (name, command) in &programs {
        let file = common::record_with(dir.path(), name, &["--stack=dwarf"], command);
        let ours = frames_per_call(&show(&file, &["-k"]));
        let theirs = frames_per_call(&strace_log(dir.path(), &["-k"], command));
        assert_eq!(ours.len(), theirs.len(), "{name}: calls");
        let (mut equal, mut frames, mut differ) = (0, 0, Vec::new());
        for ((call, our_frames), (their_call, their_frames)) in ours.iter().zip(&theirs) {
            assert_eq!(call, their_call, "{name}");
            frames += their_frames.len();
            for (at, theirs) in their_frames.iter().enumerate() {
                match our_frames.get(at) {
                    Some(ours) if ours == theirs => equal += 1,
                    ours => differ.push(format!("{call} #{at}: {theirs} / {ours:?}")),
                }
            }
        }
        eprintln!("{name}: {equal} of strace's {frames} frames");
        if *name != "python" {
            assert_eq!(
                equal,
                frames,
                "{name}: {:#?}",
                &differ[..differ.len().min(12)]
            );
        }
        (same, all) = (same + equal, all + frames);
    }
    assert!(all > 10_000, "{all}");
    // Measured 0.997 (python's readlink and openat of its path search).
    assert!(same as f64 >= 0.995 * all as f64, "{same} of {all}");

    // The chain by name, and its source lines.
    let shown = show(&dir.path().join("libcstack.bin"), &["-kk"]);
    let chain = frames_of(&shown, "openat(AT_FDCWD, \"/etc/hostname\"");
    let source = "/samples/libcstack.c";
    for (frame, (function, line)) in chain[1..].iter().zip([
        ("open_config", 11),
        ("read_config", 15),
        ("load_settings", 23),
        ("main", 26),
    ]) {
        assert!(frame.contains(&format!("({function}+0x")), "{chain:?}");
        assert!(frame.ends_with(&format!("{source}:{line}")), "{chain:?}");
    }
    assert!(chain[0].contains("libc.so.6("), "{chain:?}");
    // Stripped, its names and lines in a debug file beside it that its
    // .gnu_debuglink names.
    let stripped = dir.path().join("libcstack");
    let debug = dir.path().join("libcstack.debug");
    let tools: [(&str, Vec<OsString>); 3] = [
        (
            "objcopy",
            vec![arg("--only-keep-debug"), arg(&libcstack), arg(&debug)],
        ),
        ("strip", vec![arg("-o"), arg(&stripped), arg(&libcstack)]),
        (
            "objcopy",
            vec![
                arg(format!("--add-gnu-debuglink={}", debug.display())),
                arg(&stripped),
            ],
        ),
    ];
    for (tool, args) in tools {
        assert!(
            Command::new(tool).args(&args).status().unwrap().success(),
            "{tool}"
        );
    }
    let file = common::record_with(
        dir.path(),
        "stripped",
        &["--stack=dwarf"],
        &[arg(&stripped)],
    );
    let shown = show(&file, &["-kk"]);
    let chain = frames_of(&shown, "openat(AT_FDCWD, \"/etc/hostname\"");
    assert!(
        chain[1].starts_with(&format!(" > {}(open_config+0x", stripped.display()))
            && chain[1].ends_with(&format!("{source}:11")),
        "{chain:?}"
    );
}

/// `systrace trace -k`, as `strace -k`: each call's stack under its line,
/// as the program runs (unwound as `record --stack=dwarf` does).
#[test]
fn trace_k_prints_stacks_as_it_runs() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("trace.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "-k", "-o"])
        .arg(&text)
        .arg("--")
        .arg(common::sample_built_with("libcstack", &["-g"]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // -o's lines start with the pid, as strace -o's do.
    let text: String = std::fs::read_to_string(&text)
        .unwrap()
        .lines()
        .map(|line| match line.split_once(' ') {
            Some((pid, rest)) if pid.parse::<u32>().is_ok() => format!("{}\n", rest.trim_start()),
            _ => format!("{line}\n"),
        })
        .collect();
    let chain = frames_of(&text, "openat(AT_FDCWD, \"/etc/hostname\"");
    for (frame, function) in chain[1..]
        .iter()
        .zip(["open_config", "read_config", "load_settings"])
    {
        assert!(frame.contains(&format!("({function}+0x")), "{chain:?}");
    }
}

/// Each call's name and frames as strace -k prints them (module and file
/// offset, `/usr/bin/cat [0x3151]`), in order: a one-process program's
/// (strace -f's log starts its lines with the pid).
fn frames_per_call(text: &str) -> Vec<(String, Vec<String>)> {
    let mut calls: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let line = match line.split_once(' ') {
            Some((pid, rest)) if pid.parse::<u32>().is_ok() => rest.trim_start(),
            _ => line,
        };
        if let Some(frame) = line.strip_prefix(" > ") {
            let module = frame.split('(').next().unwrap_or(frame);
            let offset = frame.rsplit(' ').next().unwrap_or(frame);
            if let Some((_, frames)) = calls.last_mut() {
                frames.push(format!("{module} {offset}"));
            }
        } else if let Some((name, _)) = line.split_once('(')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            calls.push((name.to_owned(), Vec::new()));
        }
    }
    calls
}

/// The frame lines under the first line of `text` that starts with `call`.
fn frames_of<'a>(text: &'a str, call: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(call))
        .unwrap_or_else(|| panic!("no {call} in:\n{text}"));
    lines[at + 1..]
        .iter()
        .take_while(|l| l.starts_with(" > "))
        .copied()
        .collect()
}

/// `trace -p` attaches to a running process, says so as strace does, and a
/// Ctrl-C detaches: `strace: Process N attached`, its calls, `detached`.
#[test]
fn trace_attaches_and_detaches_at_ctrl_c() {
    use std::process::Stdio;
    if !can_record() {
        return;
    }
    let mut target = Command::new("sh")
        .args([
            "-c",
            "while :; do cat /etc/hostname > /dev/null; sleep 0.05; done",
        ])
        .spawn()
        .unwrap();
    let pid = target.id();
    let tracer = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "-p", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: kill with a pid we started.
    unsafe { libc::kill(tracer.id() as i32, libc::SIGINT) };
    let out = tracer.wait_with_output().unwrap();
    let _ = target.kill();
    let _ = target.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("strace: Process {pid} attached")),
        "{stderr}"
    );
    assert!(stderr.contains("wait4("), "{stderr}");
    assert!(
        stderr.contains(&format!("strace: Process {pid} detached")),
        "{stderr}"
    );
}

/// `trace` shows a call while it blocks, as strace does: `read(0, ` is out
/// before the test writes what the read waits for, and the line ends with
/// the read's result once it returns.
#[test]
fn trace_shows_a_blocked_call_while_it_blocks() {
    use std::io::{Read as _, Write as _};
    use std::process::Stdio;
    use std::sync::mpsc;
    if !can_record() {
        return;
    }
    let mut tracer = Command::new(env!("CARGO_BIN_EXE_systrace"))
        .args(["trace", "--", "sh", "-c", "read line; echo got $line"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = tracer.stderr.take().unwrap();
    let (bytes, seen) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 || bytes.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut text = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let blocked = loop {
        if String::from_utf8_lossy(&text).contains("read(0, ") {
            break true;
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match seen.recv_timeout(left) {
            Ok(chunk) => text.extend(chunk),
            Err(_) => break false,
        }
    };
    let mut stdin = tracer.stdin.take().unwrap();
    stdin.write_all(b"hi\n").unwrap();
    drop(stdin);
    assert!(
        blocked,
        "no read( while it blocked:\n{}",
        String::from_utf8_lossy(&text)
    );
    assert!(tracer.wait().unwrap().success());
    text.extend(seen.iter().flatten());
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.lines()
            .any(|l| l.starts_with("read(0, \"h\", 1)") && l.ends_with("= 1")),
        "{text}"
    );
}
