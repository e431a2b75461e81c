//! Offline analysis of systrace recordings: needs no root and no eBPF.
//!
//! Data flow, as in ripgrep's reader/printer split: [`replay`] reads a
//! `format::Trace` in time order, pairs each thread's syscall enter with its exit
//! and pushes [`Call`]s and process-life events into a [`TraceSink`]; printers
//! are sinks and never touch the file. [`table`] says, per syscall, what each
//! argument is (the recorder's capture rules come from it too); [`decode`]
//! turns arguments and captured memory into strace's text; [`syscalls`] names
//! calls and errors.

pub mod decode;
mod print;
pub mod select;
pub mod syscalls;
pub mod table;

use std::ops::ControlFlow;

pub use print::{ShowOptions, StracePrinter, TimeFormat, print_strace, print_threads};

use format::{BodyRef, Event, EventRef, Filter, Trace};

/// Errors of analysis: bad trace data or a failed write of the output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Format(#[from] format::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One syscall, enter and exit paired.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The enter event (copied out of its chunk: the exit may be in a later one).
    pub enter: &'a Event,
    pub exit: Option<EventRef<'a>>,
}

/// Receives a replayed trace, in time order.
pub trait TraceSink {
    /// A syscall starts (its exit comes later through [`TraceSink::call`]).
    /// Shared, so that a sink can keep it without copying.
    fn enter(&mut self, _enter: &std::rc::Rc<Event>) -> Result<(), Error> {
        Ok(())
    }
    /// A syscall returned.
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error>;
    /// Any event that is not a syscall enter or exit (fork, exec, exit, signal, lost).
    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error>;
}

/// Pairs enters and exits per thread and feeds `sink`. A call is delivered at its
/// exit; one that never returns (exit_group, or the trace ended) is not.
pub fn replay(trace: &Trace, filter: &Filter, sink: &mut dyn TraceSink) -> Result<(), Error> {
    let mut open: rustc_hash::FxHashMap<u32, std::rc::Rc<Event>> = Default::default();
    let mut result = Ok(());
    trace.for_each(filter, 2, |event| {
        let step = match event.body {
            BodyRef::SysEnter { .. } => {
                let enter = std::rc::Rc::new(event.to_owned());
                let step = sink.enter(&enter);
                open.insert(event.tid, enter);
                step
            }
            BodyRef::SysExit { .. } => match open.remove(&event.tid) {
                Some(enter) => sink.call(&Call {
                    enter: &enter,
                    exit: Some(event),
                }),
                None => Ok(()),
            },
            BodyRef::TaskExit { .. } => {
                open.remove(&event.tid);
                sink.event(&event)
            }
            _ => sink.event(&event),
        };
        match step {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                result = Err(e);
                ControlFlow::Break(())
            }
        }
    })?;
    result
}
