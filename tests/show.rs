//! `systrace show` on traces written with the `format` crate: no root needed.

mod common;

use std::path::Path;

use common::systrace;
use format::{Body, Event, FileHeader, Writer, WriterOptions};

const AT_FDCWD: u64 = -100i64 as u64;

fn call(ts: u64, nr: i64, args: [u64; 6], ret: i64) -> [Event; 2] {
    let at = |ts, body| Event {
        tid: 42,
        pid: 42,
        cpu: 0,
        ts,
        body,
    };
    [
        at(
            ts,
            Body::SysEnter {
                nr,
                args,
                captures: vec![],
            },
        ),
        at(
            ts + 500,
            Body::SysExit {
                nr,
                ret,
                captures: vec![],
            },
        ),
    ]
}

/// A trace of a program that fails to open a file, writes, and exits 3,
/// flushed in chunks of `chunk_events` events.
fn write_trace(path: &Path, calls: usize, chunk_events: u32) {
    let header = FileHeader {
        arch: "x86_64".into(),
        ..FileHeader::default()
    };
    let options = WriterOptions {
        chunk_events,
        ..WriterOptions::default()
    };
    let mut writer = Writer::create(path, &header, options).unwrap();
    let mut events = Vec::new();
    events.extend(call(1_000, 257, [AT_FDCWD, 0x1000, 0, 0, 0, 0], -2));
    for i in 0..calls as u64 {
        events.extend(call(2_000 + i * 1_000, 1, [1, 0x2000, 6, 0, 0, 0], 6));
    }
    events.push(Event {
        tid: 42,
        pid: 42,
        cpu: 0,
        ts: u64::MAX / 2,
        body: Body::TaskExit { status: 3 << 8 },
    });
    for e in &events {
        writer.push(e).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn show_prints_one_line_per_call_with_errors_like_strace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 2, 1000);
    let out = systrace().arg("show").arg(&file).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    // No memory was captured in this trace: pointers print as addresses.
    assert_eq!(
        lines[0],
        "openat(AT_FDCWD, 0x1000, O_RDONLY)      = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        lines[1],
        format!("{:<40}= 6", "write(1, 0x2000, 6)"),
        "result column"
    );
    assert_eq!(lines[3], "+++ exited with 3 +++");
}

#[test]
fn a_cut_trace_shows_its_complete_chunks_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 1000, 100);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let out = systrace().arg("show").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("index rebuilt by scanning"),
        "{stderr}"
    );
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(lines > 300 && lines < 1000, "{lines} lines");
}

#[test]
fn a_corrupt_trace_is_a_one_line_error_naming_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 100, 50);
    let mut bytes = std::fs::read(&file).unwrap();
    // A byte of the header (the architecture, say): every call would decode wrong.
    bytes[40] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let out = systrace().arg("show").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("corrupt trace at byte offset 32: header checksum mismatch"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_not_a_trace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    std::fs::write(&file, b"#!/bin/sh\necho not a trace\n").unwrap();
    let out = systrace().arg("show").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("not a systrace trace file"), "{stderr}");
    let missing = systrace()
        .arg("show")
        .arg(dir.path().join("nope.bin"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("nope.bin") && stderr.contains("No such file"),
        "{stderr}"
    );
}

/// `systrace show FILE ARGS...`: its stdout, or the failure's stderr.
fn show(file: &Path, args: &[&str]) -> Result<String, String> {
    let out = systrace()
        .arg("show")
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn options_select_calls_like_strace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 2, 1000);
    let only_writes = show(&file, &["-e", "trace=write"]).unwrap();
    assert_eq!(
        only_writes
            .lines()
            .filter(|l| l.starts_with("write("))
            .count(),
        2
    );
    assert!(!only_writes.contains("openat("), "{only_writes}");
    let not_writes = show(&file, &["-e", "trace=!write"]).unwrap();
    assert!(
        not_writes.contains("openat(") && !not_writes.contains("write("),
        "{not_writes}"
    );
    let by_class = show(&file, &["-e", "trace=%file"]).unwrap();
    assert!(
        by_class.contains("openat(") && !by_class.contains("write("),
        "{by_class}"
    );
    let failed = show(&file, &["-Z"]).unwrap();
    assert!(
        failed.contains("openat(") && !failed.contains("write("),
        "{failed}"
    );
    let succeeded = show(&file, &["-z"]).unwrap();
    assert!(
        !succeeded.contains("openat(") && succeeded.contains("write("),
        "{succeeded}"
    );
    let error = show(&file, &["-e", "trace=nosuchcall"]).unwrap_err();
    assert!(
        error.contains("invalid system call 'nosuchcall'"),
        "{error}"
    );
    assert_eq!(
        show(&file, &["--tid", "7"]).unwrap(),
        "",
        "no such thread: nothing"
    );
}

#[test]
fn options_add_times_and_durations() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 1, 1000);
    // The header's clock anchor is 0 on both clocks: wall time = event time.
    let epoch = show(&file, &["-ttt", "-T"]).unwrap();
    let first = epoch.lines().next().unwrap();
    assert!(first.starts_with("0.000001 openat("), "{first}");
    assert!(
        first.ends_with("(No such file or directory) <0.000000>"),
        "{first}"
    );
    let relative = show(&file, &["-r"]).unwrap();
    assert!(
        relative
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("     0.000001 write("),
        "{relative}"
    );
}

#[test]
fn thread_view_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    write_trace(&file, 2, 1000);
    let threads = show(&file, &["--thread"]).unwrap();
    let lines: Vec<_> = threads.lines().collect();
    assert!(
        lines[0].starts_with("=== thread 42 of process 42 "),
        "{threads}"
    );
    assert!(lines[0].ends_with("exited with 3 ==="), "{threads}");
    assert_eq!(lines.len(), 1 + 3 + 1, "{threads}");
    // -o FILE: strace -f -o's form, the pid before every line.
    let out = dir.path().join("out.txt");
    assert_eq!(show(&file, &["-o", out.to_str().unwrap()]).unwrap(), "");
    // Counted into the result column, as strace counts it.
    let expected = "\
42    openat(AT_FDCWD, 0x1000, O_RDONLY) = -1 ENOENT (No such file or directory)
42    write(1, 0x2000, 6)               = 6
42    write(1, 0x2000, 6)               = 6
42    +++ exited with 3 +++
";
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
}

#[test]
fn fd_paths_follow_opens_dups_and_closes() {
    use format::{Capture, CaptureStatus};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("y.bin");
    let at = |ts, body| Event {
        tid: 5,
        pid: 5,
        cpu: 0,
        ts,
        body,
    };
    let path = Capture {
        arg: 1,
        status: CaptureStatus::Complete,
        data: b"/etc/passwd".to_vec(),
    };
    let events = [
        at(
            10,
            Body::SysEnter {
                nr: 257,
                args: [AT_FDCWD, 0x1000, 0, 0, 0, 0],
                captures: vec![path],
            },
        ),
        at(
            11,
            Body::SysExit {
                nr: 257,
                ret: 3,
                captures: vec![],
            },
        ),
        at(
            12,
            Body::SysEnter {
                nr: 33,
                args: [3, 7, 0, 0, 0, 0],
                captures: vec![],
            },
        ),
        at(
            13,
            Body::SysExit {
                nr: 33,
                ret: 7,
                captures: vec![],
            },
        ),
        at(
            14,
            Body::SysEnter {
                nr: 3,
                args: [3, 0, 0, 0, 0, 0],
                captures: vec![],
            },
        ),
        at(
            15,
            Body::SysExit {
                nr: 3,
                ret: 0,
                captures: vec![],
            },
        ),
        at(
            16,
            Body::SysEnter {
                nr: 3,
                args: [7, 0, 0, 0, 0, 0],
                captures: vec![],
            },
        ),
        at(
            17,
            Body::SysExit {
                nr: 3,
                ret: 0,
                captures: vec![],
            },
        ),
        at(
            18,
            Body::SysEnter {
                nr: 3,
                args: [7, 0, 0, 0, 0, 0],
                captures: vec![],
            },
        ),
        at(
            19,
            Body::SysExit {
                nr: 3,
                ret: -9,
                captures: vec![],
            },
        ),
    ];
    let header = FileHeader {
        arch: "x86_64".into(),
        ..FileHeader::default()
    };
    let mut writer = Writer::create(&file, &header, WriterOptions::default()).unwrap();
    events.iter().for_each(|e| writer.push(e).unwrap());
    writer.finish().unwrap();
    let text = show(&file, &["-y"]).unwrap();
    let lines: Vec<_> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3</etc/passwd>"#,
            "dup2(3</etc/passwd>, 7) = 7</etc/passwd>",
            "close(3</etc/passwd>) = 0",
            "close(7</etc/passwd>) = 0",
            "close(7) = -1 EBADF (Bad file descriptor)",
        ]
    );
}

#[test]
fn views_go_past_a_corrupt_chunk_and_read_the_first_of_concatenated_traces() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    write_trace(&path, 100, 20);
    let good = format::Trace::open(&path).unwrap();
    let victim = &good.index().chunks[2];
    let end = victim.offset.to_native() as usize
        + 48
        + 4 * victim.tids.len()
        + victim.compressed_len.to_native() as usize;
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[end - 3] ^= 0x08;
    let bad = dir.path().join("bad.bin");
    std::fs::write(&bad, &bytes).unwrap();
    let full = show(&path, &[]).unwrap();
    for view in [vec!["show"], vec!["stats"], vec!["export", "--perfetto"]] {
        let mut command = systrace();
        command.args(&view);
        if view[0] == "export" {
            command.arg(dir.path().join("out.json"));
        }
        let out = command.arg(&bad).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{view:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "skipped a corrupt chunk at byte offset {}: 20 events",
                victim.offset
            )),
            "{view:?}: {stderr}"
        );
        if view[0] == "show" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(text.lines().count(), full.lines().count() - 10, "{text}");
        }
    }
    let json = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());

    let glued = dir.path().join("glued.bin");
    std::fs::write(&glued, [std::fs::read(&path).unwrap(), bytes].concat()).unwrap();
    let out = systrace().arg("show").arg(&glued).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds more than one trace"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), full);
}

/// A call whose exit was lost ends `= ? <unavailable>`, as strace ends a
/// call whose result it could not read; one still in progress when the
/// recording stopped is `<detached ...>` under `-e status=detached`.
#[test]
fn lost_exits_are_unavailable_and_calls_cut_off_are_detached() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    let header = FileHeader {
        arch: "x86_64".into(),
        ..FileHeader::default()
    };
    let mut writer = Writer::create(&path, &header, WriterOptions::default()).unwrap();
    let [read_enter, _lost_exit] = call(1_000, 0, [3, 0x1000, 64, 0, 0, 0], 0);
    let lost = Event {
        body: Body::Lost { count: 1 },
        ts: 1_200,
        ..read_enter.clone()
    };
    let [close_enter, close_exit] = call(2_000, 3, [3, 0, 0, 0, 0, 0], 0);
    let [pause_enter, _] = call(3_000, 34, [0; 6], 0);
    for event in [read_enter, lost, close_enter, close_exit, pause_enter] {
        writer.push(&event).unwrap();
    }
    writer.finish().unwrap();
    let all = show(&path, &[]).unwrap();
    assert_eq!(
        all,
        "read(3,  <unfinished ...>\n\
         <... 1 events lost here (cpu 0) ...>\n\
         <... read resumed>)                     = ? <unavailable>\n\
         close(3)                                = 0\n\
         pause( <unfinished ...>\n",
        "{all}"
    );
    let unavailable = show(&path, &["-e", "status=unavailable"]).unwrap();
    assert_eq!(
        unavailable,
        "<... 1 events lost here (cpu 0) ...>\nread(3, )                               = ? <unavailable>\n"
    );
    let detached = show(&path, &["-e", "status=detached"]).unwrap();
    assert_eq!(
        detached,
        "<... 1 events lost here (cpu 0) ...>\npause( <detached ...>\n"
    );
}
