//! `cargo bench -p analyze --bench stats`: how fast `stats` counts, in events
//! per second, on the synthetic 10M-event trace of `common`: the default table
//! (strace -c's), then with every breakdown and the latency histograms. Chunks
//! are counted on 2 threads, as `systrace stats` does. Prints figures; asserts
//! nothing.
//!
//! Target (issue 5): >= 30M events/s on 2 cores.

use std::time::Instant;

use analyze::{
    select::CallFilter,
    stats::{self, Want},
};
use format::{Filter, Trace};

mod common;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("stats.bin");
    let events = common::synthetic_trace(&path);
    let trace = Trace::open(&path).expect("open");
    let everything = Want {
        latency: true,
        processes: true,
        threads: true,
        errnos: true,
        mmap: true,
    };
    for (what, want) in [
        ("default table", Want::default()),
        ("all views", everything),
    ] {
        let plan = stats::Plan::new(&trace, &CallFilter::default(), &Filter::default(), want);
        let start = Instant::now();
        let tally = stats::tally(&trace, &plan, 2, &|| {}).expect("tally");
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "stats ({what}): {events} events ({} calls) in {elapsed:.3} s: {:.1} M events/s",
            tally.total().calls,
            events as f64 / elapsed / 1e6
        );
    }
}
