//! `cargo bench -p analyze --bench show`: how fast `show` prints, in lines per
//! second to a sink, on a synthetic 10M-event trace of `dd bs=1`-like calls
//! (read of one byte at exit, write of one byte at enter, two threads so that
//! the printer pairs and prefixes). Prints figures; asserts nothing.
//!
//! Target (issue 4): >= 3M lines/s.

use std::time::Instant;

use format::{Body, Capture, CaptureStatus, Event, FileHeader, Trace, Writer, WriterOptions};

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let syscalls: u64 = std::env::var("BENCH_SYSCALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("show.bin");
    let header = FileHeader {
        arch: "x86_64".into(),
        ..FileHeader::default()
    };
    let mut writer = Writer::create(&path, &header, WriterOptions::default()).expect("create");
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
    let trace = Trace::open(&path).expect("open");
    // Buffered as `systrace show` buffers its output.
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, Counter(0));
    let start = Instant::now();
    analyze::print_strace(&trace, &analyze::ShowOptions::default(), &mut sink).expect("print");
    let sink = sink.into_inner().expect("flush");
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "show: {} events -> {} lines in {elapsed:.2} s: {:.2} M lines/s, {:.1} M events/s",
        summary.events,
        sink.0,
        sink.0 as f64 / elapsed / 1e6,
        summary.events as f64 / elapsed / 1e6
    );
}

/// Counts lines written, like `> /dev/null` but with a count.
#[derive(Debug)]
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
