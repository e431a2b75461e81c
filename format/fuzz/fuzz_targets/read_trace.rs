//! Feeds arbitrary bytes to the trace reader: it must return errors, never panic.
//! Run: `cd format && cargo +nightly fuzz run read_trace` (see README).
#![no_main]

use std::ops::ControlFlow;

use format::{Filter, Trace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(trace) = Trace::from_slice(data) else {
        return;
    };
    let index = trace.index();
    let _ = (index.totals.events, index.threads.len(), trace.header().hostname.len());
    let _ = trace.for_each(&Filter::default(), 2, |event| {
        let _ = event.to_owned();
        ControlFlow::Continue(())
    });
});
