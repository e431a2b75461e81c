//! `cargo bench -p capture --bench record` (as root): the cost of recording, side
//! by side and interleaved with strace and perf trace, on `dd bs=1` and on a
//! mixed workload (`tar c /usr/include`) and on 64 threads making short calls
//! (`samples/busythreads`). Prints a table; asserts nothing.
//!
//! For each tool and workload it reports the median wall time of the whole
//! command (tool start-up and finish included), the median time the workload
//! itself took under the tool (timed by the traced shell around it), the
//! slowdown of the workload against running natively, events lost, bytes on
//! disk and bytes per syscall.
//!
//! BENCH_ROUNDS (default 3) and BENCH_DD_COUNT (default 1000000) shorten a run.

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
}

impl Tool {
    const ALL: [Tool; 4] = [Tool::Native, Tool::Systrace, Tool::Strace, Tool::PerfTrace];

    fn name(self) -> &'static str {
        match self {
            Tool::Native => "native",
            Tool::Systrace => "systrace record",
            Tool::Strace => "strace -f -o",
            Tool::PerfTrace => "perf trace record",
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
    let mut samples: Vec<Vec<Sample>> = Tool::ALL.iter().map(|_| Vec::new()).collect();
    // Interleaved: a noisy minute hurts every tool alike.
    for _ in 0..rounds {
        for (i, &tool) in Tool::ALL.iter().enumerate() {
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
    for (i, &tool) in Tool::ALL.iter().enumerate() {
        let wall = median(samples[i].iter().map(|s| s.wall).collect());
        let bytes = samples[i].last().map_or(0, |s| s.bytes);
        let lost = match tool {
            Tool::Systrace => samples[i]
                .iter()
                .filter_map(|s| summary_field(&s.stderr, "lost"))
                .max()
                .map_or("?".into(), |n| n.to_string()),
            Tool::PerfTrace => samples[i]
                .iter()
                .map(|s| perf_lost(&s.stderr))
                .max()
                .unwrap_or(0)
                .to_string(),
            Tool::Strace => "0".into(),
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
    let dd = format!("dd if=/dev/zero of=/dev/null bs=1 count={dd_count}");
    bench("dd", &dd, rounds, &dir);
    bench("mixed", "tar c /usr/include > /dev/null", rounds, &dir);
    // 64 threads making short calls at once: the recorder must not be starved.
    let busy = dir.join("busythreads");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/busythreads.c");
    let built = Command::new("gcc")
        .args(["-O1", "-pthread", "-o"])
        .arg(&busy)
        .arg(&source)
        .status()
        .is_ok_and(|s| s.success());
    if built {
        bench(
            "threads",
            &format!("{} 64 20000", busy.display()),
            rounds,
            &dir,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
