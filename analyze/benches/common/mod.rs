//! The synthetic trace the analyze benches read: `dd bs=1`-like calls (a read
//! of one byte captured at exit, a write of one byte captured at enter) on two
//! threads, so that views pair, interleave and prefix. BENCH_SYSCALLS (default
//! 5M, i.e. 10M events) sets its size.

use std::path::Path;

use format::{Body, Capture, CaptureStatus, Event, FileHeader, Writer, WriterOptions};

/// Writes the trace to `path`; returns its event count.
pub fn synthetic_trace(path: &Path) -> u64 {
    let syscalls: u64 = std::env::var("BENCH_SYSCALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let header = FileHeader {
        arch: "x86_64".into(),
        ..FileHeader::default()
    };
    let mut writer = Writer::create(path, &header, WriterOptions::default()).expect("create");
    let byte = |arg| {
        vec![Capture {
            arg,
            status: CaptureStatus::Complete,
            data: vec![0],
        }]
    };
    let mut ts = 1_000_000u64;
    for i in 0..syscalls {
        let tid = 100 + (i % 2) as u32;
        let (nr, fd) = if i % 4 < 2 { (0, 0) } else { (1, 1) };
        let at = |ts, body| Event {
            tid,
            pid: 100,
            cpu: tid % 2,
            ts,
            body,
        };
        let (enter_caps, exit_caps) = if nr == 1 {
            (byte(1), vec![])
        } else {
            (vec![], byte(1))
        };
        ts += 300;
        writer
            .push(&at(
                ts,
                Body::SysEnter {
                    nr,
                    args: [fd, 0x5555_0000, 1, 0, 0, 0],
                    captures: enter_caps,
                },
            ))
            .expect("push");
        ts += 200;
        writer
            .push(&at(
                ts,
                Body::SysExit {
                    nr,
                    ret: 1,
                    captures: exit_caps,
                },
            ))
            .expect("push");
    }
    let summary = writer.finish().expect("finish");
    summary.events
}
