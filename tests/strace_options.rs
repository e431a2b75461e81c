//! strace's own options, given to `systrace show` on a recording, against
//! strace given the same options on the same program: each sample is recorded
//! once, strace runs it again with each option set (both with ASLR off), and
//! the lines must agree as far as the code reaches today (pids masked,
//! `<unfinished ...>` joined with its `<... resumed>`). Needs root to record
//! (see `common::can_record`); the class test needs only strace.

mod common;

use std::{
    collections::{BTreeMap, HashMap},
    ffi::OsString,
    path::{Path, PathBuf},
    process::Command,
};

use common::{as_nobody, can_record, record, sample, sample_built_with, systrace};

/// Records sample `name` with `args` (see `common::record`): the program and
/// the trace file.
fn record_sample(dir: &Path, name: &str, args: &[&str]) -> (PathBuf, PathBuf) {
    let program = sample(name);
    let mut command = vec![program.clone().into_os_string()];
    command.extend(args.iter().map(OsString::from));
    let file = record(dir, name, &command);
    (program, file)
}

/// strace -f -o LOG OPTIONS program args, in `dir/work`, ASLR off: its log.
fn strace(dir: &Path, options: &[&str], program: &Path, args: &[&str]) -> String {
    let log = dir.join("strace.log");
    let _ = std::fs::remove_file(&log);
    // strace ends as the program did (killed by its signal, for one).
    Command::new("setarch")
        .args(["-R", "strace", "-f", "-o"])
        .arg(&log)
        .args(options)
        .arg("--")
        .arg(program)
        .args(args)
        .current_dir(dir.join("work"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    std::fs::read_to_string(&log).unwrap()
}

/// systrace show FILE -o OUT OPTIONS in `dir/work`, as strace ran there
/// (relative -P paths resolve alike): what it wrote.
fn show(dir: &Path, file: &Path, options: &[&str]) -> String {
    let out_file = dir.join("show.out");
    let _ = std::fs::remove_file(&out_file);
    let out = systrace()
        .arg("show")
        .arg(file)
        .arg("-o")
        .arg(&out_file)
        .args(options)
        .current_dir(dir.join("work"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "show {options:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&out_file).unwrap()
}

/// The lines of a `-f -o` log (a pid on every line), each process's
/// `<unfinished ...>` joined with its `<... resumed>`, pids numbered in
/// order of appearance, blanks collapsed.
fn normalized(log: &str) -> Vec<String> {
    let mut pids: Vec<String> = Vec::new();
    let mut held: HashMap<String, String> = HashMap::new();
    let mut lines = Vec::new();
    for line in log.lines() {
        // `1234 ` or, under -Y, `1234<comm> `.
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (pid, rest) = line.split_at(digits);
        let (comm, text) = match rest.strip_prefix('<').and_then(|r| r.split_once("> ")) {
            Some((comm, text)) if !pid.is_empty() => (format!("<{comm}>"), text),
            _ if !pid.is_empty() && rest.starts_with(' ') => (String::new(), rest),
            _ => (String::new(), line),
        };
        let (pid, text) = if text.len() == line.len() {
            (String::new(), line)
        } else {
            (pid.to_owned(), text.trim_start())
        };
        if !pid.is_empty() && !pids.contains(&pid) {
            pids.push(pid.clone());
        }
        let whole = if let Some(start) = text.trim_end().strip_suffix("<unfinished ...>") {
            held.insert(pid, start.to_owned());
            continue;
        } else if let Some((_, rest)) = text
            .strip_prefix("<... ")
            .and_then(|r| r.split_once(" resumed>"))
        {
            format!("{}{rest}", held.remove(&pid).unwrap_or_default())
        } else {
            text.to_owned()
        };
        lines.push(format!("{pid}{comm} {whole}"));
    }
    // Longest first, so that no pid is replaced inside a longer one.
    let mut order: Vec<(usize, &String)> = pids.iter().enumerate().collect();
    order.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
    lines
        .into_iter()
        .map(|mut line| {
            for (k, pid) in &order {
                line = common::mask_number(&line, pid, &format!("PID{k}"));
            }
            mask_run_specific(&line.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect()
}

/// What differs between two runs of the same program: the joins of
/// unfinished calls (`NULL )`), loopback ports, the environment's address,
/// a child's CPU times.
fn mask_run_specific(line: &str) -> String {
    let mut line = line
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",");
    for (start, end, mask) in [
        ("htons(", ")", "PORT"),
        ("], 0x", " /* ", "ENV"),
        ("si_utime=", "}", "TIMES"),
    ] {
        if let Some(at) = line.find(start) {
            let from = at + start.len();
            if let Some(len) = line[from..].find(end) {
                line.replace_range(from..from + len, mask);
            }
        }
    }
    line
}

/// The share of strace's lines that ours reproduce exactly; prints the
/// differences when below `floor`.
fn assert_share(what: &str, ours: &str, theirs: &str, floor: f64) {
    let theirs = normalized(theirs);
    let mut pool = normalized(ours);
    let mut report = String::new();
    let mut matched = 0;
    for line in &theirs {
        match pool.iter().position(|o| o == line) {
            Some(i) => {
                matched += 1;
                pool.remove(i);
            }
            None => report += &format!("strace: {line}\n"),
        }
    }
    for extra in &pool {
        report += &format!("ours:   {extra}\n");
    }
    let share = matched as f64 / theirs.len().max(1) as f64;
    eprintln!(
        "{what}: {matched}/{} of strace's lines ({:.1}%), {} of ours unmatched",
        theirs.len(),
        share * 100.0,
        pool.len()
    );
    assert!(
        share >= floor,
        "{what}: {:.1}% < {:.1}%:\n{report}",
        share * 100.0,
        floor * 100.0
    );
}

/// Records sample `name` with `args`, then compares each option set.
fn compare_sample(dir: &Path, name: &str, args: &[&str], cases: &[(&[&str], f64)]) {
    let (program, file) = record_sample(dir, name, args);
    compare(dir, &file, &program, args, cases);
}

/// Runs each option set through strace and through show; `floor` per set.
fn compare(dir: &Path, file: &Path, program: &Path, args: &[&str], cases: &[(&[&str], f64)]) {
    for (options, floor) in cases {
        let theirs = strace(dir, options, program, args);
        let ours = show(dir, file, options);
        assert_share(&format!("{options:?}"), &ours, &theirs, *floor);
    }
}

#[test]
fn trace_status_and_output_options_print_what_strace_prints() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args = ["."];
    let (program, file) = record_sample(dir.path(), "fileio", &args);
    compare(
        dir.path(),
        &file,
        &program,
        &args,
        &[
            (&["-e", "trace=%file"], 1.0),
            (&["-e", "trace=file"], 1.0),
            (&["-e", "trace=/^(open|read)"], 1.0),
            (&["-e", "trace=?nosuchcall,close,%%stat"], 1.0),
            (&["-e", "trace=!%memory,%desc"], 1.0),
            (&["--trace=all", "-e", "trace=openat"], 1.0),
            (&["-e", "trace=none"], 1.0),
            (&["-e", "status=failed"], 1.0),
            (&["-Z"], 1.0),
            (&["-z", "-e", "trace=close,read,write"], 1.0),
            (&["-e", "status=unfinished"], 1.0),
            (&["--status=!successful"], 1.0),
            (&["-n", "-e", "trace=openat,open"], 1.0),
            (&["-a", "60", "-e", "trace=write,read"], 1.0),
            // The sample's own data: the loader's 832-byte reads of fd 3 are
            // past the 200 bytes a recording keeps (the dump says so).
            (&["-e", "trace=write", "-e", "write=3"], 1.0),
            (&["-qq", "-e", "trace=exit_group"], 1.0),
            (&["-e", "quiet=exit", "-e", "trace=close"], 1.0),
            (
                &[
                    "-e",
                    "raw=openat,read,close",
                    "-e",
                    "trace=%file,read,close",
                ],
                1.0,
            ),
            (&["--raw=all", "-e", "trace=%desc,%memory"], 1.0),
        ],
    );
    // -P: the program names ./a.txt. strace also matches the descriptors
    // that refer to it, by their absolute path, as the kernel names them:
    // so does show, with the path the recording holds.
    let a_txt = "./a.txt";
    compare(
        dir.path(),
        &file,
        &program,
        &args,
        &[
            (&["-P", a_txt], 1.0),
            (&["-P", a_txt, "-e", "trace=read", "-e", "read=all"], 1.0),
        ],
    );
}

#[test]
fn network_signals_and_pids_print_what_strace_prints() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    compare_sample(
        dir.path(),
        "tcp",
        &[],
        &[
            // The child's "ping" is sometimes not in memory at sendto's
            // enter: its line, cut short by the parent's, shows the copy
            // the exit made again.
            (&["-e", "trace=network"], 1.0),
            (&["-e", "trace=%net", "-e", "signal=none"], 1.0),
        ],
    );
    compare_sample(
        dir.path(),
        "forker",
        &[],
        &[
            (&["-e", "trace=%process", "-e", "signal=none"], 1.0),
            (&["-e", "trace=none", "-e", "signal=SIGCHLD"], 1.0),
            (&["-e", "trace=none", "--signal=!CHLD"], 1.0),
            (&["-e", "trace=execve,exit_group", "-qq"], 1.0),
        ],
    );
    // -Y: pids named with their command, in the prefixes and getpid's result.
    // (Where a child execs, which name strace reads off /proc depends on who
    // ran first: this sample does not fork. Its kill of itself is left out:
    // strace never sees that call return, systrace does, `= 0`.)
    compare_sample(
        dir.path(),
        "killed",
        &[],
        &[
            (&["-Y", "-e", "trace=getpid,write"], 1.0),
            // `+++ killed by` goes with the signal set, as in strace.
            (&["-e", "signal=!SIGKILL", "-e", "trace=write"], 1.0),
        ],
    );
    compare_sample(
        dir.path(),
        "vectored",
        &[],
        &[(
            &[
                "-e",
                "trace=writev,readv",
                "-e",
                "write=all",
                "-e",
                "read=all",
            ],
            1.0,
        )],
    );
}

/// A `-f -o` line without its pid field: strace writes the pid as `%-5u `,
/// so what follows it starts at the same place whatever the pid's length.
fn without_pid_field(line: &str) -> &str {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let field = digits.max(5) + 1;
    match line.get(field..) {
        Some(rest) if digits > 0 && line[digits..field].bytes().all(|b| b == b' ') => rest,
        _ => line,
    }
}

#[test]
fn pid_fields_of_any_length_are_set_aside() {
    for line in [
        "9923  1.5 (+ 0.1) x",
        "12345 1.5 (+ 0.1) x",
        "1234567 1.5 (+ 0.1) x",
    ] {
        assert_eq!(without_pid_field(line), "1.5 (+ 0.1) x");
    }
    assert_eq!(without_pid_field("9923      0.1 x"), "    0.1 x");
    assert_eq!(without_pid_field("write(1)"), "write(1)");
}

/// Times differ from run to run; their form must not: digits masked.
#[test]
fn timestamps_have_strace_s_form_at_every_precision() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (program, file) = record_sample(dir.path(), "vectored", &[]);
    // Each line's pid field aside (the two runs' pids may differ in length,
    // and a pid shorter than five digits is padded), then every digit a 9.
    let digits = |t: &str| -> String {
        t.lines()
            .map(without_pid_field)
            .flat_map(|l| l.chars().chain(['\n']))
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect()
    };
    for precision in ["s", "ms", "us", "ns"] {
        for options in [
            vec![
                format!("--absolute-timestamps=unix,{precision}"),
                format!("--relative-timestamps={precision}"),
                format!("--syscall-times={precision}"),
            ],
            vec![format!(
                "--absolute-timestamps=format:time,precision:{precision}"
            )],
            vec![format!("--relative-timestamps={precision}")],
        ] {
            let mut options: Vec<&str> = options.iter().map(String::as_str).collect();
            options.extend(["-e", "trace=writev"]);
            let theirs = strace(dir.path(), &options, &program, &[]);
            let ours = show(dir.path(), &file, &options);
            assert_eq!(
                digits(&ours).lines().next(),
                digits(&theirs).lines().next(),
                "{options:?}"
            );
        }
    }
    for options in [&["-t", "-n"][..], &["-tt", "-r", "-T"], &["-ttt"]] {
        let mut options = options.to_vec();
        options.extend(["-e", "trace=writev"]);
        let theirs = strace(dir.path(), &options, &program, &[]);
        let ours = show(dir.path(), &file, &options);
        assert_eq!(
            digits(&ours).lines().next(),
            digits(&theirs).lines().next(),
            "{options:?}"
        );
    }
}

/// The summary's calls and errors per syscall (times are not compared:
/// strace's include its own stops).
fn summary_rows(text: &str) -> BTreeMap<String, (u64, u64)> {
    let mut rows = BTreeMap::new();
    let mut lines = text.lines().skip_while(|l| !l.starts_with("% time"));
    let _header = lines.next();
    for line in lines.filter(|l| !l.starts_with('-')) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        // % time, seconds, usecs/call, calls, [errors], name
        let Some(name) = cells.last() else { continue };
        let calls = cells.get(3).and_then(|c| c.parse().ok()).unwrap_or(0);
        let errors = if cells.len() == 6 {
            cells[4].parse().unwrap_or(0)
        } else {
            0
        };
        rows.insert((*name).to_owned(), (calls, errors));
    }
    rows
}

#[test]
fn summaries_count_what_strace_counts() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args = ["."];
    let (program, file) = record_sample(dir.path(), "fileio", &args);
    let theirs = strace(dir.path(), &["-c", "-w"], &program, &args);
    let ours = show(dir.path(), &file, &["-c"]);
    assert_eq!(
        summary_rows(&ours),
        summary_rows(&theirs),
        "{ours}\n{theirs}"
    );
    // -C: the calls, then the same table.
    let both = show(dir.path(), &file, &["-C", "-w"]);
    let (calls, table) = both.split_at(both.find("% time").expect("a table"));
    assert!(calls.contains("openat(AT_FDCWD, \"./missing.txt\", O_RDONLY) = -1 ENOENT"));
    assert_eq!(summary_rows(table), summary_rows(&theirs));
    // -S and -U as strace has them: the same header, rows in the same order.
    let options = [
        "-c",
        "-w",
        "-S",
        "calls",
        "-U",
        "name,calls,errors,max-time",
    ];
    let theirs = strace(dir.path(), &options, &program, &args);
    let ours = show(
        dir.path(),
        &file,
        &options[..2]
            .iter()
            .chain(&options[2..])
            .copied()
            .collect::<Vec<_>>(),
    );
    let names = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        ours.lines().next(),
        theirs.lines().next(),
        "{ours}\n{theirs}"
    );
    // Ties in calls may order either way: compare each row's name and counts.
    let key = |t: &str| -> Vec<(u64, String)> {
        t.lines()
            .skip(2)
            .filter(|l| !l.starts_with('-') && !l.starts_with("total"))
            .filter_map(|l| {
                let c: Vec<&str> = l.split_whitespace().collect();
                Some((c.get(1)?.parse().ok()?, c[0].to_owned()))
            })
            .collect()
    };
    let (mut a, mut b) = (key(&ours), key(&theirs));
    assert!(
        a.windows(2).all(|w| w[0].0 >= w[1].0),
        "sorted by calls: {ours}"
    );
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(names(&ours).len(), names(&theirs).len());
}

#[test]
fn output_files_are_strace_s() {
    if !can_record() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (program, file) = record_sample(dir.path(), "forker", &[]);
    // -ff -o PREFIX: one file per thread, in strace -ff's form.
    let work = dir.path().join("work");
    let status = Command::new("setarch")
        .args(["-R", "strace", "-ff", "-o"])
        .arg(work.join("theirs"))
        .arg("--")
        .arg(&program)
        .current_dir(&work)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let out = systrace()
        .arg("show")
        .arg(&file)
        .arg("-ff")
        .arg("-o")
        .arg(work.join("ours"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = |prefix: &str| -> Vec<String> {
        let mut names: Vec<(u32, String)> = std::fs::read_dir(&work)
            .unwrap()
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                let tid = name.strip_prefix(prefix)?.parse().ok()?;
                let text = std::fs::read_to_string(work.join(&name)).ok()?;
                Some((tid, text))
            })
            .collect();
        // The parent's file first, then its child's: by pid, unless pids
        // wrapped between them.
        let children: Vec<u32> = names
            .iter()
            .flat_map(|(_, text)| text.lines())
            .filter(|l| l.starts_with("clone"))
            .filter_map(|l| l.rsplit_once(") = ")?.1.parse().ok())
            .collect();
        names.sort_by_key(|&(tid, _)| (children.contains(&tid), tid));
        // The files' pids, in the texts too (clone's result, wait4's), are
        // the run's: numbered in order.
        let tids: Vec<String> = names.iter().map(|(tid, _)| tid.to_string()).collect();
        names
            .into_iter()
            .map(|(_, text)| {
                tids.iter().enumerate().fold(text, |text, (k, tid)| {
                    common::mask_number(&text, tid, &format!("TID{k}"))
                })
            })
            .collect()
    };
    let (ours, theirs) = (files("ours."), files("theirs."));
    assert_eq!(ours.len(), 2, "one file per thread");
    assert_eq!(ours.len(), theirs.len());
    for (ours, theirs) in ours.iter().zip(&theirs) {
        assert!(!ours.contains("[pid"), "{ours}");
        let prefix = |t: &str| {
            t.lines()
                .map(|l| format!("1 {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_share("-ff", &prefix(ours), &prefix(theirs), 0.98);
    }
    // -o |COMMAND pipes the text to a command.
    let piped = work.join("piped.txt");
    let out = systrace()
        .arg("show")
        .arg(&file)
        .arg("-o")
        .arg(format!("|grep -c '+++ exited' > {}", piped.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&piped).unwrap().trim(), "2");
    // -A appends to the user's own file.
    let log = work.join("append.txt");
    std::fs::write(&log, "before\n").unwrap();
    for _ in 0..2 {
        let out = systrace()
            .args(["show", "-A", "-e", "trace=none", "-o"])
            .arg(&log)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("before\n"), "{text}");
    assert_eq!(text.matches("+++ exited with 0 +++").count(), 2, "{text}");
    // Never through a symlink, nor through a second hard link.
    let link = work.join("link.txt");
    std::os::unix::fs::symlink(&log, &link).unwrap();
    let hard = work.join("hard.txt");
    std::fs::hard_link(&log, &hard).unwrap();
    for name in [&link, &hard] {
        let out = systrace()
            .args(["show", "-A", "-o"])
            .arg(name)
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", name.display());
    }
    assert_eq!(std::fs::read_to_string(&log).unwrap(), text);
    // Nor into a file another user (nobody) made in a shared directory.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(
        &shared,
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    let planted = shared.join("planted.txt");
    as_nobody(&format!(
        "echo theirs > {} && chmod 666 {0}",
        planted.display()
    ));
    let out = systrace()
        .args(["show", "-A", "-o"])
        .arg(&planted)
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to another user"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "theirs\n");
    // -ff into a pipe is refused as strace refuses it; -ff without -o is -f.
    let out = systrace()
        .args(["show", "-ff", "-o", "|cat"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mutually exclusive"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = systrace()
        .args(["show", "-ff"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("[pid "));
}

#[test]
fn pids_are_masked_as_whole_numbers() {
    assert_eq!(
        common::mask_number("zstd-sys-f02342d/2342 = 2342, 23420", "2342", "PID"),
        "zstd-sys-f02342d/PID = PID, 23420"
    );
    assert_eq!(
        common::mask_number(r#"read(3, "\0\332\r", 3) = 332"#, "332", "PID"),
        r#"read(3, "\0\332\r", 3) = PID"#
    );
}

#[test]
fn options_a_recording_cannot_take_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("none.bin");
    for (option, words) in [
        (&["-p", "1"][..], "systrace record -p PID"),
        (&["-u", "nobody"], "systrace record -u USER"),
        (&["-E", "A=B"], "env VAR=VAL"),
        (&["-b", "execve"], "cannot detach"),
        (&["-D"], "daemonize"),
        (&["--seccomp-bpf"], "-e trace="),
        (&["-e", "inject=all:error=ENOSYS"], "tampers"),
        (&["-e", "fault=all"], "tampers"),
    ] {
        let out = systrace()
            .arg("show")
            .arg(&file)
            .args(option)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{option:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{option:?}: {stderr}");
        assert!(stderr.contains(words), "{option:?}: {stderr}");
    }
    let out = systrace()
        .args(["show", "x.bin", "-e", "status=foo"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid status 'foo'"));
}

/// strace's classes, read off strace itself: every syscall number made once
/// under `-e inject`, so none of them runs, the members of the class failing
/// with EBADF and the others with ENOSYS. Ours must hold the same names
/// (those strace 6.1 knows; it prints newer ones as numbers).
#[test]
fn trace_classes_are_strace_s() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    let program = sample_built_with("allsyscalls", &["-nostdlib", "-static"]);
    let run = |class: &str| -> String {
        let out = Command::new("strace")
            .args([
                "-e",
                "trace=all",
                "-e",
                "inject=!exit,exit_group:error=ENOSYS",
            ])
            .arg("-e")
            .arg(format!("inject=%{class}:error=EBADF"))
            .arg(&program)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let name = |line: &str| line.split('(').next().map(str::to_owned);
    let known: Vec<String> = run("pure")
        .lines()
        .filter(|l| l.contains('(') && !l.starts_with("syscall_"))
        .filter_map(name)
        .collect();
    for class in [
        "file", "network", "process", "memory", "signal", "desc", "ipc", "creds", "clock", "stat",
        "lstat", "fstat", "%stat", "statfs", "fstatfs", "%statfs", "pure",
    ] {
        let mut theirs: Vec<String> = run(class)
            .lines()
            .filter(|l| l.contains("EBADF"))
            .filter_map(name)
            .collect();
        theirs.sort();
        theirs.dedup();
        let bits = analyze::table::classes::by_name(class).unwrap();
        let mut ours: Vec<String> = analyze::table::classes::members(bits)
            // exit is never made: it would end the loop.
            .filter(|n| known.iter().any(|k| k == n) && *n != "exit")
            .map(str::to_owned)
            .collect();
        ours.sort();
        assert_eq!(ours, theirs, "%{class}");
    }
}
