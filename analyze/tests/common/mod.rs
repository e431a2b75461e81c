//! Building small traces by hand for the decoding tests.
// Each test binary uses a part of it.
#![allow(dead_code)]

use analyze::{ShowOptions, print_strace};
use format::{Body, Capture, CaptureStatus, Event, FileHeader, Trace, Writer, WriterOptions};

/// A trace of `arch` in a new temporary directory, written by `write`.
pub fn trace(arch: &str, write: impl FnOnce(&mut Writer, &mut u64)) -> (tempfile::TempDir, Trace) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bin");
    let header = FileHeader {
        arch: arch.into(),
        ..FileHeader::default()
    };
    let mut w = Writer::create(&path, &header, WriterOptions::default()).unwrap();
    write(&mut w, &mut 0);
    w.finish().unwrap();
    let trace = Trace::open(&path).unwrap();
    (dir, trace)
}

/// One call of task 10: its enter (with `at_enter` captured) and exit.
pub fn call(
    w: &mut Writer,
    ts: &mut u64,
    nr: i64,
    args: [u64; 6],
    at_enter: Vec<Capture>,
    (ret, at_exit): (i64, Vec<Capture>),
) {
    push(w, ts, 10, enter(nr, args, at_enter));
    push(w, ts, 10, exit(nr, ret, at_exit));
}

/// Event `body` of thread `tid` (a process of its own), 1 µs after the last.
pub fn push(w: &mut Writer, ts: &mut u64, tid: u32, body: Body) {
    *ts += 1000;
    let event = Event {
        tid,
        pid: tid,
        cpu: 0,
        ts: *ts,
        body,
    };
    w.push(&event).unwrap();
}

pub fn enter(nr: i64, args: [u64; 6], captures: Vec<Capture>) -> Body {
    Body::SysEnter { nr, args, captures }
}

pub fn exit(nr: i64, ret: i64, captures: Vec<Capture>) -> Body {
    Body::SysExit { nr, ret, captures }
}

/// A getpid of another process (tid 10), whose line cuts the open one short.
pub fn other_process_line(w: &mut Writer, ts: &mut u64) {
    const GETPID: i64 = 39;
    push(w, ts, 10, enter(GETPID, [0; 6], vec![]));
    push(w, ts, 10, exit(GETPID, 10, vec![]));
}

/// A copy of argument `arg` that faulted.
pub fn faulted(arg: u8) -> Capture {
    Capture {
        arg,
        status: CaptureStatus::Fault,
        data: vec![],
    }
}

pub fn capture(arg: u8, data: &[u8]) -> Capture {
    Capture {
        arg,
        status: CaptureStatus::Complete,
        data: data.to_vec(),
    }
}

/// What `systrace show` prints for `trace`.
pub fn show(trace: &Trace) -> String {
    let mut out = Vec::new();
    print_strace(trace, &ShowOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
