//! `cargo bench -p capture --bench export` (as root): the machine interfaces
//! on one real recording, `dd if=/dev/zero of=/dev/null bs=1` of
//! BENCH_DD_COUNT blocks (default 2,500,000: 5M calls, 10M events). Prints
//! figures; asserts nothing.
//!
//! Each of `show` (strace's text: the yardstick), `show --json` and `export
//! --parquet` runs as a whole process, interleaved, BENCH_ROUNDS times
//! (default 3): median seconds, calls per second and that against `show`'s,
//! peak resident memory (the process's own, from wait4), and bytes per call
//! of what it wrote beside the trace's own. Targets (issue 16): `show
//! --json` at least 3M lines/s, Parquet rows at least half `show`'s lines
//! per second, peak at most 200 MiB.
//!
//! Beside them, another tool's export of the same workload: `perf trace
//! record` of BENCH_PERF_COUNT blocks (default 250,000: perf's file grows
//! ~30x faster) converted by `perf data convert --to-json`, per call. strace
//! has no machine-readable output: its text is `show`'s.
//!
//! Last, DuckDB (its Python package, installed under target/ as the tests
//! install it) runs `SELECT syscall, count(*), sum(duration_ns) ... GROUP BY
//! 1` on the Parquet table: the median of 3 runs in one process, and on the
//! same table partitioned (`--partitioned`).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[path = "../../tests/common/duckdb.rs"]
mod duckdb;

fn systrace() -> Command {
    Command::new(env!("CARGO_BIN_EXE_systrace"))
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one whole run took: wall time and the process's peak resident
/// memory in KiB.
struct Run {
    wall: Duration,
    peak_kib: u64,
}

/// Runs `command` to its end, its output thrown away; None if it failed.
fn run(mut command: Command) -> Option<Run> {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into locals that outlive
    // the call (std's Child is not waited for after this).
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    (waited > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0).then_some(Run {
        wall,
        peak_kib: usage.ru_maxrss as u64,
    })
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// Bytes of a file, or of every file under a directory.
fn size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| size(&entry.path()))
        .sum()
}

/// Records `dd bs=1 count=COUNT` to `trace`; the calls recorded.
fn record_dd(trace: &Path, count: usize) -> u64 {
    let out = systrace()
        .args(["record", "-o"])
        .arg(trace)
        .args(["--", "dd", "if=/dev/zero", "of=/dev/null", "bs=1"])
        .arg(format!("count={count}"))
        .output()
        .expect("running systrace record");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{summary}");
    // "systrace: N events (M syscalls), ..."
    summary
        .split(" syscalls)")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .expect("record's summary line")
}

/// A view of the recording: its name and how to run it writing to `out`.
struct View {
    name: &'static str,
    command: fn(&Path, &Path) -> Command,
}

const VIEWS: [View; 3] = [
    View {
        name: "show",
        command: |trace, out| {
            let mut c = systrace();
            c.arg("show").arg(trace).arg("-o").arg(out);
            c
        },
    },
    View {
        name: "show --json",
        command: |trace, out| {
            let mut c = systrace();
            c.args(["show", "--json"]).arg(trace).arg("-o").arg(out);
            c
        },
    },
    View {
        name: "export --parquet",
        command: |trace, out| {
            let mut c = systrace();
            c.args(["export", "--parquet"]).arg(out).arg(trace);
            c
        },
    },
];

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("export bench: needs root (it records)");
        return;
    }
    let rounds = env_number("BENCH_ROUNDS", 3).max(1);
    let count = env_number("BENCH_DD_COUNT", 2_500_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = dir.path().join("dd.bin");
    let calls = record_dd(&trace, count);
    let trace_bytes = size(&trace);
    println!(
        "export bench: dd bs=1 count={count}: {calls} calls, trace {:.1} MB ({:.2} bytes/call); \
         whole process, median of {rounds}, interleaved",
        trace_bytes as f64 / 1e6,
        trace_bytes as f64 / calls as f64
    );
    let outputs: Vec<PathBuf> = ["show.txt", "show.json", "calls.parquet"]
        .iter()
        .map(|name| dir.path().join(name))
        .collect();
    let mut walls = vec![Vec::new(); VIEWS.len()];
    let mut peaks = vec![0u64; VIEWS.len()];
    for _ in 0..rounds {
        for (i, view) in VIEWS.iter().enumerate() {
            let _ = std::fs::remove_file(&outputs[i]);
            let Some(run) = run((view.command)(&trace, &outputs[i])) else {
                println!("{}: failed", view.name);
                return;
            };
            walls[i].push(run.wall);
            peaks[i] = peaks[i].max(run.peak_kib);
        }
    }
    let rate = |i: usize| calls as f64 / median(walls[i].clone()).as_secs_f64().max(1e-9);
    println!(
        "{:<20} {:>8} {:>14} {:>10} {:>9} {:>11}",
        "view", "s", "M calls/s", "vs show", "peak MiB", "bytes/call"
    );
    for (i, view) in VIEWS.iter().enumerate() {
        println!(
            "{:<20} {:>8.2} {:>14.2} {:>9.2}x {:>9.1} {:>11.1}",
            view.name,
            median(walls[i].clone()).as_secs_f64(),
            rate(i) / 1e6,
            rate(i) / rate(0),
            peaks[i] as f64 / 1024.0,
            size(&outputs[i]) as f64 / calls as f64,
        );
    }
    perf_json(dir.path(), rounds);
    duckdb_query(dir.path(), &trace, &outputs[2]);
}

/// `perf trace record` of a smaller dd, then `perf data convert --to-json`
/// of it, per call.
fn perf_json(dir: &Path, rounds: usize) {
    let count = env_number("BENCH_PERF_COUNT", 250_000);
    let data = dir.join("perf.data");
    let recorded = Command::new("perf")
        .args(["trace", "record", "-q", "-o"])
        .arg(&data)
        .args(["--", "dd", "if=/dev/zero", "of=/dev/null", "bs=1"])
        .arg(format!("count={count}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !recorded.is_ok_and(|s| s.success()) {
        println!("perf trace record: not available here");
        return;
    }
    let json = dir.join("perf.json");
    let mut walls = Vec::new();
    let mut peak = 0;
    for _ in 0..rounds {
        let _ = std::fs::remove_file(&json);
        let mut convert = Command::new("perf");
        convert
            .args(["data", "convert", "--force", "--to-json"])
            .arg(&json)
            .arg("-i")
            .arg(&data);
        let Some(run) = run(convert) else {
            println!("perf data convert --to-json: failed");
            return;
        };
        walls.push(run.wall);
        peak = peak.max(run.peak_kib);
    }
    let calls = 2.0 * count as f64;
    let wall = median(walls).as_secs_f64();
    println!(
        "{:<20} {:>8.2} {:>14.2} {:>10} {:>9.1} {:>11.1}   (perf trace record of count={count}: \
         ~{calls} calls; perf.data {:.1} bytes/call)",
        "perf data --to-json",
        wall,
        calls / wall.max(1e-9) / 1e6,
        "",
        peak as f64 / 1024.0,
        size(&json) as f64 / calls,
        size(&data) as f64 / calls,
    );
}

/// DuckDB's time for a group-by over the table, one file and partitioned.
fn duckdb_query(dir: &Path, trace: &Path, table: &Path) {
    let parts = dir.join("parts");
    let partitioned = systrace()
        .args(["export", "--partitioned", "--parquet"])
        .arg(&parts)
        .arg(trace)
        .status()
        .is_ok_and(|s| s.success());
    let script = r#"
import duckdb, sys, time
con = duckdb.connect()
for source in sys.argv[1:]:
    query = f"SELECT syscall, count(*), sum(duration_ns) FROM read_parquet({source}) GROUP BY 1"
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rows = con.execute(query).fetchall()
        times.append(time.perf_counter() - start)
    print(f"{sorted(times)[1]:.3f} {len(rows)}")
"#;
    let one = format!("'{}'", table.display());
    let mut sources = vec![one];
    if partitioned {
        sources.push(format!("'{}/**/*.parquet'", parts.display()));
    }
    let out = Command::new(duckdb::python())
        .args(["-c", script])
        .args(&sources)
        .output()
        .expect("running DuckDB");
    let text = String::from_utf8_lossy(&out.stdout);
    for (line, what) in text.lines().zip(["one file", "partitioned"]) {
        let mut fields = line.split(' ');
        let (seconds, groups) = (fields.next().unwrap_or("?"), fields.next().unwrap_or("?"));
        println!(
            "DuckDB: SELECT syscall, count(*), sum(duration_ns) ... GROUP BY 1 ({what}): \
             {seconds} s, {groups} groups (median of 3)"
        );
    }
    if !out.status.success() {
        println!("DuckDB: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
}
