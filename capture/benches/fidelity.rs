//! `cargo bench -p capture --bench fidelity` (as root): how much of strace's
//! text `systrace show` reproduces on real programs, beside how much strace
//! reproduces of itself from one run to the next. Prints a table; asserts
//! nothing.
//!
//! Each program runs three times under `setarch -R` (so addresses repeat):
//! twice under `strace -f -s 32 -o`, once under `systrace record`. Calls are
//! compared whole: strace's `<unfinished ...>` and `<... resumed>` halves are
//! joined, systrace's lines come from `show --thread` (every call on one
//! line), pid prefixes and the padding before ` = ` are dropped. The share is
//! the lines of the first strace run found in the other output (as many times
//! as they occur), over the lines of that strace run. The difference between
//! the two shares is what systrace loses beyond the run to run noise (pids,
//! timings, random bytes).
//!
//! BENCH_ONLY=NAME runs the programs whose name contains NAME.

use std::{
    collections::HashMap,
    path::Path,
    process::{Command, Stdio},
};

/// The programs: a name and a shell command, run in a scratch directory
/// holding `f.txt` (20 lines), `tree/` (a few files), `hello.c` and a
/// Makefile.
const PROGRAMS: &[(&str, &str)] = &[
    ("ls", "ls -l / ."),
    ("cat", "cat f.txt"),
    ("pipeline", "echo hi | tr a-z A-Z | wc -c"),
    (
        "redirects",
        "exec 3<f.txt; cat <&3 >/dev/null; ls /proc/self/fd >/dev/null",
    ),
    ("sort", "sort -r f.txt"),
    ("wc", "wc -l f.txt"),
    ("head", "head -c 100 f.txt | od -c"),
    ("stat", "stat / f.txt"),
    ("df", "df /"),
    ("du", "du -s tree"),
    ("find", "find tree -name '*.txt'"),
    ("cp-rm", "cp f.txt g.txt && mv g.txt h.txt && rm h.txt"),
    ("tar", "tar czf t.tgz tree && tar tzf t.tgz"),
    ("gzip", "gzip -c f.txt | gzip -dc"),
    ("id", "id"),
    ("uname", "uname -a"),
    ("date", "date -u +%Y"),
    ("env", "env -i PATH=/usr/bin printenv PATH"),
    (
        "python",
        "python3 -c 'import json, os; print(json.dumps(sorted(os.listdir(\".\"))))'",
    ),
    (
        "python-threads",
        "python3 -c 'import threading; t = threading.Thread(target=print, args=(1,)); t.start(); t.join()'",
    ),
    ("sh-loop", "for i in 1 2 3; do echo $i; done"),
    ("sleep", "sleep 0.01"),
    (
        "git",
        "rm -rf repo && git init -q repo && git -C repo status",
    ),
    ("gcc", "gcc -c -o hello.o hello.c"),
    ("make", "rm -f out.txt && make -s -f Makefile"),
    (
        "perl",
        "perl -e 'opendir(D, \".\"); print scalar(readdir(D)), \"\\n\"'",
    ),
    ("ps", "ps -o pid,comm"),
    ("timeout", "timeout -s TERM 0.05 sleep 1; true"),
    ("symlinks", "ln -sf f.txt link && readlink link && rm link"),
    // Harder ones: netlink, crypto, compression, a database, credentials.
    ("ip", "ip -brief addr"),
    ("openssl", "openssl rand -hex 4"),
    ("xz", "xz -k -f f.txt"),
    (
        "sqlite3",
        "sqlite3 db.sqlite 'create table if not exists t(a); insert into t values(1);'",
    ),
    ("setpriv", "setpriv --reuid=65534 true"),
];

fn main() {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let dir = tempfile::tempdir().expect("scratch directory");
    setup(dir.path());
    println!(
        "fidelity: share of strace's lines reproduced (strace -f -s 32 against systrace show; strace against itself)"
    );
    println!(
        "{:<16} {:>7} {:>10} {:>10} {:>8}",
        "program", "lines", "systrace", "strace", "gap"
    );
    let (mut ours, mut theirs, mut total) = (0, 0, 0);
    for (name, command) in PROGRAMS.iter().filter(|(n, _)| n.contains(&only)) {
        let Some(row) = compare(dir.path(), command) else {
            println!("{name:<16} failed to run");
            continue;
        };
        println!(
            "{name:<16} {:>7} {:>9.1}% {:>9.1}% {:>7.1}%",
            row.lines,
            share(row.systrace, row.lines),
            share(row.strace, row.lines),
            share(row.strace, row.lines) - share(row.systrace, row.lines)
        );
        ours += row.systrace;
        theirs += row.strace;
        total += row.lines;
    }
    println!(
        "{:<16} {total:>7} {:>9.1}% {:>9.1}% {:>7.1}%",
        "all",
        share(ours, total),
        share(theirs, total),
        share(theirs, total) - share(ours, total)
    );
}

fn share(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

struct Row {
    lines: usize,
    systrace: usize,
    strace: usize,
}

fn setup(dir: &Path) {
    let lines: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    std::fs::write(dir.join("f.txt"), lines).expect("f.txt");
    std::fs::write(dir.join("hello.c"), "int hello(void) { return 42; }\n").expect("hello.c");
    std::fs::write(
        dir.join("Makefile"),
        "all: out.txt\nout.txt: f.txt\n\tcp f.txt out.txt\n",
    )
    .expect("Makefile");
    std::fs::create_dir_all(dir.join("tree/sub")).expect("tree");
    for file in ["a.txt", "b.txt", "sub/c.txt"] {
        std::fs::write(dir.join("tree").join(file), file).expect("tree file");
    }
}

fn compare(dir: &Path, command: &str) -> Option<Row> {
    let first = strace(dir, command, "s1.txt")?;
    let second = strace(dir, command, "s2.txt")?;
    let ours = systrace(dir, command)?;
    Some(Row {
        lines: first.len(),
        systrace: matched(&first, &ours),
        strace: matched(&first, &second),
    })
}

/// Runs `command` in `dir` under `setarch -R` (addresses repeat from run to
/// run), its output discarded; none if it did not succeed.
fn without_aslr(dir: &Path, command: &[&str]) -> Option<()> {
    let status = Command::new("setarch")
        .arg("-R")
        .args(command)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then_some(())
}

/// strace's lines of one run, without pid prefixes.
fn strace(dir: &Path, command: &str, log: &str) -> Option<Vec<String>> {
    without_aslr(
        dir,
        &["strace", "-f", "-s", "32", "-o", log, "sh", "-c", command],
    )?;
    let text = std::fs::read_to_string(dir.join(log)).ok()?;
    Some(joined(&text))
}

/// strace's lines, each call whole: an `<unfinished ...>` start joined to
/// its thread's `<... name resumed>` rest.
fn joined(log: &str) -> Vec<String> {
    let mut open: HashMap<&str, String> = HashMap::new();
    let mut lines = Vec::new();
    for line in log.lines() {
        let (pid, text) = line.split_once(' ').unwrap_or(("", line));
        let text = text.trim_start();
        if let Some(start) = text.strip_suffix(" <unfinished ...>") {
            open.insert(pid, start.to_owned());
            continue;
        }
        let whole = match (text.strip_prefix("<... "), open.remove(pid)) {
            (Some(rest), Some(start)) => match rest.split_once(" resumed>") {
                Some((_, rest)) => start + rest,
                None => text.to_owned(),
            },
            _ => text.to_owned(),
        };
        lines.push(normalise(&whole));
    }
    lines
}

/// `systrace show --thread`'s lines of one recording, without the headers.
fn systrace(dir: &Path, command: &str) -> Option<Vec<String>> {
    let systrace = env!("CARGO_BIN_EXE_systrace");
    without_aslr(
        dir,
        &[systrace, "record", "-o", "t.bin", "--", "sh", "-c", command],
    )?;
    let out = Command::new(systrace)
        .args(["show", "--thread", "-s", "32", "t.bin"])
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .filter(|l| !l.starts_with("=== thread "))
            .map(normalise)
            .collect(),
    )
}

/// Runs of spaces (the padding before ` = `) as one.
fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many of `reference`'s lines `other` has, each as often as it occurs.
fn matched(reference: &[String], other: &[String]) -> usize {
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for line in other {
        *pool.entry(line).or_default() += 1;
    }
    reference
        .iter()
        .filter(|line| match pool.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count()
}
