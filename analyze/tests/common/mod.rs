//! Building small traces by hand for the decoding tests.

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

/// One call of task 10: its enter (with `enter` captured) and exit.
pub fn call(
    w: &mut Writer,
    ts: &mut u64,
    nr: i64,
    args: [u64; 6],
    enter: Vec<Capture>,
    exit: (i64, Vec<Capture>),
) {
    let mut push = |body| {
        *ts += 1000;
        w.push(&Event {
            tid: 10,
            pid: 10,
            cpu: 0,
            ts: *ts,
            body,
        })
        .unwrap();
    };
    push(Body::SysEnter {
        nr,
        args,
        captures: enter,
    });
    push(Body::SysExit {
        nr,
        ret: exit.0,
        captures: exit.1,
    });
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
