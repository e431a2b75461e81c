//! `cargo bench -p capture --bench record` (as root): the cost of recording, side
//! by side and interleaved with strace and perf trace, on `dd bs=1` and on a
//! mixed workload (`tar c /usr/include`), on 64 threads making short calls
//! (`samples/busythreads`) and on short socket calls (`samples/datagrams`).
//! Prints a table; asserts nothing.
//!
//! For each tool and workload it reports the median wall time of the whole
//! command (tool start-up and finish included), the median time the workload
//! itself took under the tool (timed by the traced shell around it), the
//! slowdown of the workload against running natively, events lost, bytes on
//! disk and bytes per syscall.
//!
//! Then start-up and short commands: `true` and a mix of real commands (ls,
//! git, gcc, tar, python, ps, a pipe, find, sort, curl against a loopback
//! server), each timed as a whole process under each tool, with the peak
//! resident memory of the tool's own process (VmHWM, read from /proc while it
//! runs: not the traced program's).
//!
//! `systrace trace -o` (recording and printing strace's text as the program
//! runs) is a tool of each table. Last, live views: how long after a call
//! returns (or blocks) its line shows under `trace`, `show --follow` and
//! strace.
//!
//! BENCH_ROUNDS (default 3) and BENCH_DD_COUNT (default 1000000) shorten a run;
//! BENCH_ONLY=startup runs only the start-up and command tables; BENCH_ONLY=dd,
//! mixed, threads, sockets, live, selection or stacks only that part.
//! `stacks`: `record --stack=fp` and `--stack=dwarf` beside `strace -k`
//! and `perf trace record --call-graph dwarf` on 20,000 dd calls, then
//! systrace alone on BENCH_DD_COUNT (lost `N+Mns`: M calls went without a
//! stack, the ring having no room for their copy).
//!
//! `selection`: two `dd bs=1` loops run while `record -a` records the whole
//! machine with a selection made in the kernel (`-e trace=openat`), beside
//! the attach-only floor (`-e trace=none`: the programs run, every call is
//! left out) and `record -a` keeping everything, in one run: the loops'
//! slowdown, events recorded per second, lost events, the recorder's CPU,
//! and what the selected file holds.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Native,
    Systrace,
    Strace,
    PerfTrace,
    /// `systrace trace -o`: recording and printing strace's text as it runs.
    Trace,
    /// `systrace record --stack=fp`: with each call's user stack.
    SystraceStack,
    /// `systrace record --stack=dwarf`: unwound by the recorder.
    SystraceDwarf,
    /// `strace -f -k -o`.
    StraceStack,
    /// `perf trace record --call-graph dwarf`.
    PerfDwarf,
}

impl Tool {
    const ALL: [Tool; 5] = [
        Tool::Native,
        Tool::Systrace,
        Tool::Strace,
        Tool::PerfTrace,
        Tool::Trace,
    ];

    /// The stacks part: each tool with its stacks (and systrace without).
    const STACKS: [Tool; 6] = [
        Tool::Native,
        Tool::Systrace,
        Tool::SystraceStack,
        Tool::SystraceDwarf,
        Tool::StraceStack,
        Tool::PerfDwarf,
    ];

    fn name(self) -> &'static str {
        match self {
            Tool::SystraceStack => "systrace --stack=fp",
            Tool::SystraceDwarf => "systrace --stack=dwarf",
            Tool::StraceStack => "strace -f -k -o",
            Tool::PerfDwarf => "perf trace dwarf",
            Tool::Native => "native",
            Tool::Systrace => "systrace record",
            Tool::Strace => "strace -f -o",
            Tool::PerfTrace => "perf trace record",
            Tool::Trace => "systrace trace -o",
        }
    }

    /// The command that runs `workload` under this tool, writing to `out`.
    fn command(self, workload: &[String], out: &Path) -> Command {
        let mut cmd = match self {
            Tool::Native => return shell(workload),
            Tool::Systrace => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_systrace"));
                c.args(["record", "-o"]).arg(out);
                c
            }
            Tool::Strace => {
                let mut c = Command::new("strace");
                c.args(["-f", "-o"]).arg(out);
                c
            }
            Tool::PerfTrace => {
                let mut c = Command::new("perf");
                c.args(["trace", "record", "-q", "-o"]).arg(out);
                c
            }
            Tool::Trace => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_systrace"));
                c.args(["trace", "-o"]).arg(out);
                c
            }
            Tool::SystraceStack | Tool::SystraceDwarf => {
                let mode = match self {
                    Tool::SystraceStack => "--stack=fp",
                    _ => "--stack=dwarf",
                };
                let mut c = Command::new(env!("CARGO_BIN_EXE_systrace"));
                c.args(["record", mode, "-o"]).arg(out);
                c
            }
            Tool::StraceStack => {
                let mut c = Command::new("strace");
                c.args(["-f", "-k", "-o"]).arg(out);
                c
            }
            Tool::PerfDwarf => {
                let mut c = Command::new("perf");
                c.args(["trace", "record", "-q", "--call-graph", "dwarf", "-o"])
                    .arg(out);
                c
            }
        };
        cmd.arg("--").args(["sh", "-c", &workload.join(" ")]);
        cmd
    }
}

fn shell(workload: &[String]) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", &workload.join(" ")]);
    c
}

/// `workload`, timed from inside by the shell that runs it (nanoseconds into
/// `timing`), so that a tool's start-up and finish are not counted.
fn timed(workload: &str, timing: &Path) -> Vec<String> {
    vec![format!(
        "s=$(date +%s%N); {workload}; e=$(date +%s%N); echo $((e - s)) > {}",
        timing.display()
    )]
}

/// One run: wall time, the workload's own time, stderr, and the size of what
/// the tool wrote.
struct Sample {
    wall: Duration,
    inside: Duration,
    stderr: String,
    bytes: u64,
}

fn run(tool: Tool, workload: &str, dir: &Path) -> Sample {
    let out = dir.join(format!("out-{}", tool.name().replace(' ', "-")));
    let timing = dir.join("timing");
    let _ = std::fs::remove_file(&out);
    let start = Instant::now();
    let result = tool
        .command(&timed(workload, &timing), &out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("running the workload");
    let wall = start.elapsed();
    let inside = std::fs::read_to_string(&timing)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos);
    Sample {
        wall,
        inside,
        stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        bytes: std::fs::metadata(&out).map_or(0, |m| m.len()),
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The number after `label` in systrace's summary line ("... N lost, ...").
fn summary_field(stderr: &str, label: &str) -> Option<u64> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("systrace: ") && l.contains(" lost, "))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches([',', ')']) == label)?;
    words
        .get(at.checked_sub(1)?)?
        .trim_start_matches('(')
        .parse()
        .ok()
}

/// Events perf reports as lost ("Lost N events" / "lost samples"), if any.
fn perf_lost(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter(|l| l.to_lowercase().contains("lost"))
        .filter_map(|l| l.split_whitespace().find_map(|w| w.parse::<u64>().ok()))
        .sum()
}

fn bench(title: &str, workload: &str, rounds: usize, dir: &Path) {
    bench_tools(title, workload, rounds, dir, &Tool::ALL);
}

/// `tools` (native first, systrace record second) on `workload`, interleaved.
fn bench_tools(title: &str, workload: &str, rounds: usize, dir: &Path, tools: &[Tool]) {
    let mut samples: Vec<Vec<Sample>> = tools.iter().map(|_| Vec::new()).collect();
    // Interleaved: a noisy minute hurts every tool alike.
    for _ in 0..rounds {
        for (i, &tool) in tools.iter().enumerate() {
            samples[i].push(run(tool, workload, dir));
        }
    }
    let syscalls = samples[1]
        .iter()
        .filter_map(|s| summary_field(&s.stderr, "syscalls"))
        .max()
        .unwrap_or(0);
    let inside = |i: usize| median(samples[i].iter().map(|s| s.inside).collect());
    let native = inside(0).as_secs_f64().max(1e-6);
    println!("\n{title}: `{workload}` ({syscalls} syscalls, median of {rounds})");
    println!(
        "{:<18} {:>10} {:>12} {:>9} {:>10} {:>12} {:>11}",
        "tool", "wall s", "workload s", "slowdown", "lost", "bytes", "bytes/call"
    );
    for (i, &tool) in tools.iter().enumerate() {
        let wall = median(samples[i].iter().map(|s| s.wall).collect());
        let bytes = samples[i].last().map_or(0, |s| s.bytes);
        let most = |label| {
            samples[i]
                .iter()
                .filter_map(|s| summary_field(&s.stderr, label))
                .max()
        };
        let lost = match tool {
            Tool::Systrace | Tool::Trace | Tool::SystraceStack => {
                most("lost").map_or("?".into(), |n| n.to_string())
            }
            // And calls whose stack copy the ring had no room for.
            Tool::SystraceDwarf => match (most("lost"), most("calls")) {
                (Some(lost), Some(unstacked)) => format!("{lost}+{unstacked}ns"),
                (lost, _) => lost.map_or("?".into(), |n| n.to_string()),
            },
            Tool::PerfTrace | Tool::PerfDwarf => samples[i]
                .iter()
                .map(|s| perf_lost(&s.stderr))
                .max()
                .unwrap_or(0)
                .to_string(),
            Tool::Strace | Tool::StraceStack => "0".into(),
            Tool::Native => "-".into(),
        };
        let per_call = if tool == Tool::Native || syscalls == 0 {
            "-".into()
        } else {
            format!("{:.1}", bytes as f64 / syscalls as f64)
        };
        println!(
            "{:<18} {:>10.3} {:>12.3} {:>8.2}x {:>10} {:>12} {:>11}",
            tool.name(),
            wall.as_secs_f64(),
            inside(i).as_secs_f64(),
            inside(i).as_secs_f64() / native,
            lost,
            if tool == Tool::Native {
                "-".into()
            } else {
                bytes.to_string()
            },
            per_call,
        );
    }
}

/// One whole-process run of `command` under `tool`: wall time and the peak
/// resident memory of the tool's own process (VmHWM, polled from /proc).
fn whole_run(tool: Tool, command: &str, dir: &Path) -> (Duration, u64) {
    let out = dir.join(format!("mix-{}", tool.name().replace(' ', "-")));
    let _ = std::fs::remove_file(&out);
    let start = Instant::now();
    let mut child = tool
        .command(&[command.to_owned()], &out)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("running the command");
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    loop {
        // VmHWM only grows: the last reading before the exit is the peak, to
        // within a poll.
        if let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        }) {
            peak_kib = peak_kib.max(kib);
        }
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    (start.elapsed(), peak_kib)
}

/// Each command under each tool, whole process, interleaved; a table of
/// median wall times and peak memory, and systrace's time against strace's.
fn whole_commands(title: &str, commands: &[(&str, String)], rounds: usize, dir: &Path) {
    println!(
        "\n{title}: whole process (start-up included), median of {rounds}; peak MiB is the tool's own process"
    );
    print!("{:<34}", "command");
    for tool in Tool::ALL {
        print!(
            " {:>18}",
            format!("{} s/MiB", tool.name().split(' ').next().unwrap_or(""))
        );
    }
    println!(" {:>16}", "systrace/strace");
    for (name, command) in commands {
        let mut walls: Vec<Vec<Duration>> = Tool::ALL.iter().map(|_| Vec::new()).collect();
        let mut peaks: Vec<u64> = vec![0; Tool::ALL.len()];
        for _ in 0..rounds {
            for (i, &tool) in Tool::ALL.iter().enumerate() {
                let (wall, peak) = whole_run(tool, command, dir);
                walls[i].push(wall);
                peaks[i] = peaks[i].max(peak);
            }
        }
        let medians: Vec<Duration> = walls.into_iter().map(median).collect();
        print!("{name:<34}");
        for (i, tool) in Tool::ALL.iter().enumerate() {
            let peak = if *tool == Tool::Native {
                "-".to_owned()
            } else {
                format!("{:.1}", peaks[i] as f64 / 1024.0)
            };
            print!(
                " {:>18}",
                format!("{:.3} / {peak}", medians[i].as_secs_f64())
            );
        }
        println!(
            " {:>15.2}x",
            medians[1].as_secs_f64() / medians[2].as_secs_f64().max(1e-9)
        );
    }
}

/// A small git repository, a C file, a file to sort and a loopback web
/// server for the command mix; returns the commands and the server.
fn command_mix(dir: &Path) -> (Vec<(&'static str, String)>, Option<std::process::Child>) {
    let sh = |script: &str| {
        Command::new("sh")
            .args(["-c", script])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    sh(
        "mkdir -p repo && cd repo && git init -q && echo hi > a && git add a && \
        git -c user.name=b -c user.email=b@b commit -qm a",
    );
    std::fs::write(
        dir.join("small.c"),
        "int add(int a, int b) { return a + b; }\n",
    )
    .expect("writing small.c");
    sh("seq 20000 | sort -R > lines.txt");
    let port = 18000 + std::process::id() % 2000;
    let server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok();
    // Until it answers.
    for _ in 0..50 {
        if sh(&format!("curl -sf http://127.0.0.1:{port}/ > /dev/null")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let commands = vec![
        ("ls -l /", "ls -l /".to_owned()),
        (
            "git status (small repo)",
            "cd repo && git status".to_owned(),
        ),
        (
            "gcc -c (small file)",
            "gcc -c small.c -o small.o".to_owned(),
        ),
        (
            "tar czf (small tree)",
            "tar czf t.tgz /usr/include/asm-generic".to_owned(),
        ),
        ("python3 -c pass", "python3 -c pass".to_owned()),
        ("ps aux", "ps aux".to_owned()),
        ("echo a | wc -c", "echo a | wc -c".to_owned()),
        (
            "find /usr/include -name '*.h'",
            "find /usr/include -name '*.h'".to_owned(),
        ),
        ("sort (20k lines)", "sort lines.txt".to_owned()),
        (
            "curl (loopback server)",
            format!("curl -s http://127.0.0.1:{port}/"),
        ),
    ];
    (commands, server)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` has nothing to run here.
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("the recording benchmark needs root (eBPF, perf): run it with sudo");
        std::process::exit(2);
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let rounds = env("BENCH_ROUNDS", 3);
    let dd_count = env("BENCH_DD_COUNT", 1_000_000);
    let dir: PathBuf = std::env::temp_dir().join(format!("systrace-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // BENCH_ONLY=NAME: the start-up tables ("startup") or one load alone.
    let only = std::env::var("BENCH_ONLY").ok();
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if runs("startup") {
        whole_commands(
            "start-up",
            &[("true", "true".to_owned())],
            rounds.max(7),
            &dir,
        );
        let (commands, server) = command_mix(&dir);
        whole_commands("short commands", &commands, rounds, &dir);
        if let Some(mut server) = server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
    if runs("dd") {
        let dd = format!("dd if=/dev/zero of=/dev/null bs=1 count={dd_count}");
        bench("dd", &dd, rounds, &dir);
    }
    if runs("mixed") {
        bench("mixed", "tar c /usr/include > /dev/null", rounds, &dir);
    }
    // 64 threads making short calls at once: the recorder must not be starved.
    if let Some(busy) = runs("threads")
        .then(|| build_sample("busythreads", &dir))
        .flatten()
    {
        let busy = busy.display();
        bench("threads", &format!("{busy} 64 20000"), rounds, &dir);
    }
    // Short send and receive calls, which look for a netlink socket.
    if let Some(datagrams) = runs("sockets")
        .then(|| build_sample("datagrams", &dir))
        .flatten()
    {
        let datagrams = datagrams.display();
        bench("sockets", &format!("{datagrams} 300000"), rounds, &dir);
    }
    if runs("live") {
        live_latency(&dir);
    }
    if runs("selection") {
        selection(&dir, rounds, dd_count);
    }
    // Stacks: strace -k needs 14 s for 20,000 dd calls here, so it runs on
    // that, and systrace alone on BENCH_DD_COUNT.
    if runs("stacks") {
        let dd = "dd if=/dev/zero of=/dev/null bs=1 count=20000";
        bench_tools("stacks", dd, rounds, &dir, &Tool::STACKS);
        let dd = format!("dd if=/dev/zero of=/dev/null bs=1 count={dd_count}");
        let systrace = [
            Tool::Native,
            Tool::Systrace,
            Tool::SystraceStack,
            Tool::SystraceDwarf,
        ];
        bench_tools("stacks", &dd, rounds, &dir, &systrace);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// How soon a line shows: `systrace trace -ttt -T`, `show --follow -ttt -T`
/// of a `record` still running, and `strace -f -ttt -T` for scale, on a shell
/// that runs `sleep 0.05` 40 times. Each line is timed as it arrives, against
/// the moment its own text gives: a call's start plus its duration (its
/// return), the start alone for a call shown while it blocks (`read(0, ` with
/// no end yet), the time of a `+++`/`---` line. `<unfinished ...>` and
/// `<... resumed>` lines are left out.
fn live_latency(dir: &Path) {
    let workload = "i=0; while [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done";
    let systrace = env!("CARGO_BIN_EXE_systrace");
    println!("\nlive: how long after its call returns (or blocks) a line shows, `{workload}`");
    println!(
        "{:<26} {:>7} {:>10} {:>10} {:>10} {:>12}",
        "view", "lines", "median ms", "p99 ms", "max ms", "over 100 ms"
    );
    let streamed = |mut command: Command, since: f64| {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting a live view");
        // The text is on standard error for trace and strace, standard
        // output for show; the other one holds little and is drained after.
        let (out, err) = (child.stdout.take(), child.stderr.take());
        let printed = std::thread::spawn(move || line_delays(out.expect("stdout"), since));
        let mut delays = line_delays(err.expect("stderr"), since);
        delays.extend(printed.join().unwrap_or_default());
        let _ = child.wait();
        delays
    };
    let mut trace = Command::new(systrace);
    trace.args(["trace", "-ttt", "-T", "--", "sh", "-c", workload]);
    report_delays("systrace trace", streamed(trace, 0.0));
    let file = dir.join("live.bin");
    let _ = std::fs::remove_file(&file);
    let mut recorder = Command::new(systrace)
        .args(["record", "-o"])
        .arg(&file)
        .args(["--", "sh", "-c", workload])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting record");
    let partial = dir.join("live.bin.partial");
    let waited = Instant::now();
    while !partial.exists() && !file.exists() && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Lines of calls made before the follower started are late by its start.
    let since = unix_now();
    let mut follow = Command::new(systrace);
    follow.args(["show", "--follow", "-ttt", "-T"]).arg(&file);
    report_delays("record + show --follow", streamed(follow, since));
    let _ = recorder.wait();
    let mut strace = Command::new("strace");
    strace.args(["-f", "-ttt", "-T", "--", "sh", "-c", workload]);
    report_delays("strace -f", streamed(strace, 0.0));
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// For each line read from `text` (as strace -ttt -T prints it), how many
/// milliseconds after its moment (see [`live_latency`]) it arrived; lines of
/// moments before `since` are left out.
fn line_delays(mut text: impl std::io::Read, since: f64) -> Vec<f64> {
    let mut delays = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut start_timed = false;
    let mut buf = vec![0u8; 1 << 16];
    while let Ok(n @ 1..) = text.read(&mut buf) {
        let now = unix_now();
        pending.extend_from_slice(&buf[..n]);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let moment = line_moment(String::from_utf8_lossy(&line).trim_end());
            delays.extend(moment.filter(|&m| m >= since).map(|m| (now - m) * 1e3));
            start_timed = false;
        }
        // A call's start out on its own: it blocks, and shows from then on.
        if !pending.is_empty() && !start_timed {
            start_timed = true;
            let start = line_stamp(&String::from_utf8_lossy(&pending)).map(|(s, _)| s);
            delays.extend(start.filter(|&s| s >= since).map(|s| (now - s) * 1e3));
        }
    }
    delays
}

/// A line's `-ttt` time and the text after it.
fn line_stamp(line: &str) -> Option<(f64, &str)> {
    let line = match line.strip_prefix("[pid ") {
        Some(rest) => rest.split_once("] ")?.1,
        None => line,
    };
    let (stamp, rest) = line.trim_start().split_once(' ')?;
    Some((stamp.parse().ok()?, rest))
}

/// When a whole line's moment was: its call's return (start plus `-T`'s
/// duration), or its own time.
fn line_moment(line: &str) -> Option<f64> {
    let (stamp, rest) = line_stamp(line)?;
    if rest.starts_with("<... ") || rest.ends_with("<unfinished ...>") {
        return None;
    }
    let took = rest
        .strip_suffix('>')
        .and_then(|r| r.rsplit_once(" <"))
        .and_then(|(_, d)| d.parse::<f64>().ok());
    Some(stamp + took.unwrap_or(0.0))
}

fn report_delays(view: &str, mut delays: Vec<f64>) {
    delays.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let k = ((delays.len() as f64 * q) as usize).min(delays.len().saturating_sub(1));
        delays.get(k).copied().unwrap_or(f64::NAN)
    };
    println!(
        "{view:<26} {:>7} {:>10.1} {:>10.1} {:>10.1} {:>12}",
        delays.len(),
        at(0.5),
        at(0.99),
        delays.last().copied().unwrap_or(f64::NAN),
        delays.iter().filter(|&&d| d > 100.0).count(),
    );
}

/// `samples/NAME.c` built into `dir`, if gcc could.
fn build_sample(name: &str, dir: &Path) -> Option<PathBuf> {
    let binary = dir.join(name);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../samples/{name}.c"));
    let built = Command::new("gcc")
        .args(["-O1", "-pthread", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .is_ok_and(|s| s.success());
    built.then_some(binary)
}

/// One `selection` row: `record -a` with `options` (none: natively) while
/// two `dd bs=1` loops of `count` calls run. The loops' own time (median),
/// what the recorder said, its CPU seconds, and the syscalls its trace
/// holds by name.
struct Machine {
    loops: Duration,
    stderr: String,
    recorder_cpu: Duration,
    recorded_for: Duration,
    calls: std::collections::BTreeMap<String, u64>,
}

fn machine_run(options: Option<&[&str]>, count: usize, dir: &Path) -> Machine {
    let file = dir.join("machine.bin");
    let _ = std::fs::remove_file(&file);
    let started = Instant::now();
    let recorder = options.map(|options| {
        let child = Command::new(env!("CARGO_BIN_EXE_systrace"))
            .args(["record", "-o"])
            .arg(&file)
            .args(["-a", "--duration", "10s"])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting record -a");
        // Recording has begun once the header is written.
        let partial = dir.join("machine.bin.partial");
        while !std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0) {
            std::thread::sleep(Duration::from_millis(5));
        }
        child
    });
    let dd = format!("dd if=/dev/zero of=/dev/null bs=1 count={count} 2>/dev/null");
    let loops: Vec<std::thread::JoinHandle<Duration>> = (0..2)
        .map(|_| {
            let dd = dd.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                let _ = Command::new("sh").args(["-c", &dd]).status();
                start.elapsed()
            })
        })
        .collect();
    let loops = median(loops.into_iter().filter_map(|l| l.join().ok()).collect());
    let Some(recorder) = recorder else {
        return Machine {
            loops,
            stderr: String::new(),
            recorder_cpu: Duration::ZERO,
            recorded_for: Duration::ZERO,
            calls: Default::default(),
        };
    };
    // The user stops it (as before --duration is up).
    // SAFETY: kill on a child of ours.
    unsafe { libc::kill(recorder.id() as i32, libc::SIGINT) };
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut status = 0;
    let mut stderr = String::new();
    let mut recorder = recorder;
    if let Some(mut err) = recorder.stderr.take() {
        use std::io::Read as _;
        let _ = err.read_to_string(&mut stderr);
    }
    // SAFETY: waits for our child, filling `usage` with its CPU time.
    unsafe { libc::wait4(recorder.id() as i32, &mut status, 0, &mut usage) };
    let recorded_for = started.elapsed();
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let mut calls = std::collections::BTreeMap::new();
    if let Ok(trace) = format::Trace::open(&file) {
        let arch = trace.header().arch.to_string();
        let _ = trace.for_each(&format::Filter::default(), 2, |event| {
            if let format::BodyRef::SysEnter { nr, .. } = event.body {
                let name = analyze::syscalls::display_name(&arch, nr).into_owned();
                *calls.entry(name).or_insert(0) += 1;
            }
            std::ops::ControlFlow::Continue(())
        });
    }
    Machine {
        loops,
        stderr,
        recorder_cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        recorded_for,
        calls,
    }
}

/// Selection in the kernel against the attach-only floor and against
/// keeping everything, on the same load, interleaved (see the overview).
fn selection(dir: &Path, rounds: usize, dd_count: usize) {
    let count = dd_count / 2;
    let tools: [(&str, Option<&[&str]>); 4] = [
        ("native", None),
        ("-a -e trace=none", Some(&["-e", "trace=none"])),
        ("-a -e trace=openat", Some(&["-e", "trace=openat"])),
        ("-a (everything)", Some(&[])),
    ];
    let mut runs: Vec<Vec<Machine>> = tools.iter().map(|_| Vec::new()).collect();
    for _ in 0..rounds {
        for (i, (_, options)) in tools.iter().enumerate() {
            runs[i].push(machine_run(*options, count, dir));
        }
    }
    println!(
        "\nselection: record -a while two `dd bs=1 count={count}` loops run (median of {rounds})"
    );
    println!(
        "{:<22} {:>9} {:>10} {:>12} {:>8} {:>13} {:>15}  calls in the trace",
        "record", "dd s", "slowdown", "vs floor", "lost", "events/s", "recorder cpu s"
    );
    let loops = |i: usize| median(runs[i].iter().map(|m| m.loops).collect()).as_secs_f64();
    let (native, floor) = (loops(0), loops(1));
    for (i, (name, _)) in tools.iter().enumerate() {
        let last = runs[i].last();
        let field = |label: &str| {
            runs[i]
                .iter()
                .filter_map(|m| summary_field(&m.stderr, label))
                .max()
        };
        let events_per_s = runs[i]
            .iter()
            .filter_map(|m| {
                let events = summary_field(&m.stderr, "events")?;
                Some(events as f64 / m.recorded_for.as_secs_f64())
            })
            .fold(0.0, f64::max);
        let cpu = median(runs[i].iter().map(|m| m.recorder_cpu).collect());
        let calls = last.map_or(String::new(), |m| {
            let total: u64 = m.calls.values().sum();
            let mut top: Vec<(&String, &u64)> = m.calls.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1));
            let names: Vec<String> = top
                .iter()
                .take(3)
                .map(|(n, c)| format!("{n} {c}"))
                .collect();
            format!("{total}: {}", names.join(", "))
        });
        println!(
            "{name:<22} {:>9.3} {:>9.2}x {:>11.2}x {:>8} {:>13.0} {:>15.3}  {calls}",
            loops(i),
            loops(i) / native,
            loops(i) / floor,
            field("lost").map_or("-".into(), |n| n.to_string()),
            events_per_s,
            cpu.as_secs_f64(),
        );
    }
}
