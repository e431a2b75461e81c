//! `cargo bench -p analyze --bench show`: how fast `show` prints, in lines per
//! second to a sink, on the synthetic 10M-event trace of `common`. Prints
//! figures; asserts nothing.
//!
//! Target (issue 4): >= 3M lines/s.

use std::time::Instant;

use format::Trace;

mod common;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("show.bin");
    let events = common::synthetic_trace(&path);
    let trace = Trace::open(&path).expect("open");
    // Buffered as `systrace show` buffers its output.
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, Counter(0));
    let start = Instant::now();
    analyze::print_strace(&trace, &analyze::ShowOptions::default(), &mut sink).expect("print");
    let sink = sink.into_inner().expect("flush");
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "show: {} events -> {} lines in {elapsed:.2} s: {:.2} M lines/s, {:.1} M events/s",
        events,
        sink.0,
        sink.0 as f64 / elapsed / 1e6,
        events as f64 / elapsed / 1e6
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
