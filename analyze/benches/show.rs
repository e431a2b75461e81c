//! `cargo bench -p analyze --bench show`: how fast `show` prints, in lines per
//! second to a sink, on the synthetic 10M-event trace of `common`. Prints
//! figures; asserts nothing.
//!
//! `show --json` and `export --parquet` on the same trace too. Targets: at
//! least 3M lines/s for each printer (issues 4 and 16), and Parquet rows at
//! least half as fast as the text's lines.

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
    let opts = analyze::ShowOptions::default();
    let text = lines_per_second(|sink| analyze::print_strace(&trace, &opts, sink));
    let json = lines_per_second(|sink| analyze::print_json(&trace, &opts, sink));
    for (what, (lines, elapsed)) in [("text", text), ("--json", json)] {
        println!(
            "show {what}: {events} events -> {lines} lines in {elapsed:.2} s: {:.2} M lines/s, \
             {:.1} M events/s",
            lines as f64 / elapsed / 1e6,
            events as f64 / elapsed / 1e6
        );
    }
    println!(
        "show --json: {:.2}x the text's lines per second",
        (json.0 as f64 / json.1) / (text.0 as f64 / text.1)
    );
    // export --parquet of the same trace: rows per second against the
    // text's lines (target: at least half), and bytes per call.
    let rows = text.0;
    let start = Instant::now();
    let mut bytes = Bytes(0);
    let traces = [(trace, opts)];
    analyze::export_parquet(&traces, analyze::ParquetLayout::OneTable, &mut bytes).expect("export");
    let elapsed = start.elapsed().as_secs_f64();
    let file = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "export --parquet: about {rows} rows in {elapsed:.2} s: {:.2} M rows/s, {:.2}x the \
         text's lines/s; {:.1} bytes per call (the trace: {:.1})",
        rows as f64 / elapsed / 1e6,
        (rows as f64 / elapsed) / (text.0 as f64 / text.1),
        bytes.0 as f64 / rows as f64,
        file as f64 / rows as f64,
    );
}

/// Counts bytes written.
struct Bytes(u64);

impl std::io::Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lines `print` writes, and the seconds it takes, buffered as `systrace
/// show` buffers its output.
fn lines_per_second(
    print: impl FnOnce(&mut dyn std::io::Write) -> Result<(), analyze::Error>,
) -> (u64, f64) {
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, Counter(0));
    let start = Instant::now();
    print(&mut sink).expect("print");
    let sink = sink.into_inner().expect("flush");
    (sink.0, start.elapsed().as_secs_f64())
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
