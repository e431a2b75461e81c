//! Offline analysis of systrace recordings: needs no root and no eBPF.
//!
//! Data flow, as in ripgrep's reader/printer split: [`replay`] reads a
//! `format::Trace` in time order, pairs each thread's syscall enter with its exit
//! and pushes [`Call`]s and process-life events into a [`TraceSink`]; printers
//! are sinks and never touch the file. [`table`] says, per syscall, what each
//! argument is (the recorder's capture rules come from it too); [`decode`]
//! turns arguments and captured memory into strace's text; [`syscalls`] names
//! calls and errors; [`fds`] follows each process's descriptors; [`select`]
//! parses strace's `-e` qualifiers, with strace's classes from [`table::classes`].
//!
//! The sinks: the strace printer ([`print_strace`], [`print_threads`]), JSON
//! Lines ([`print_json`]) and the Perfetto timeline ([`export_perfetto`]).
//! [`stats`] does not replay: it counts chunks in parallel and pairs the calls
//! that straddle them when it merges the counts; `stats::view` assembles what
//! one `systrace stats` request prints. [`status`] reads exit statuses for
//! every view, and [`progress`] shows a bar during long reads.

pub mod decode;
pub mod fds;
mod json;
mod perfetto;
mod print;
pub mod progress;
pub mod select;
pub mod stats;
pub mod status;
pub mod syscalls;
pub mod table;

use std::{ops::ControlFlow, rc::Rc};

pub use json::print_json;
pub use perfetto::export_perfetto;
pub use print::{
    Clock, Precision, ShowOptions, StracePrinter, TaskPrefix, TimeFormat, print_strace,
    print_thread, print_threads,
};

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
    fn enter(&mut self, _enter: &Rc<Event>) -> Result<(), Error> {
        Ok(())
    }
    /// A syscall returned.
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error>;
    /// A thread ended (`end`, its TaskExit) inside the call `enter` started:
    /// exit_group, or a kill. Comes just before `end` itself.
    fn unreturned(&mut self, _enter: &Event, _end: &EventRef<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// Any event that is not a syscall enter or exit (fork, exec, exit, signal, lost).
    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error>;
    /// A call whose exit was lost (the ring buffer had no room): its thread
    /// entered another call, or returned from another, next. strace's
    /// `= ? <unavailable>`.
    fn unavailable(&mut self, _enter: &Event) -> Result<(), Error> {
        Ok(())
    }
    /// A call still in progress when the recording stopped (strace's
    /// `<detached ...>`); comes after every other event, one per thread.
    fn detached(&mut self, _enter: &Event) -> Result<(), Error> {
        Ok(())
    }
}

/// Pairs enters and exits per thread and feeds `sink`. A call is delivered at its
/// exit; one its thread ended in goes to [`TraceSink::unreturned`]; one still
/// in progress when the trace ends goes to [`TraceSink::detached`], last.
pub fn replay(trace: &Trace, filter: &Filter, sink: &mut dyn TraceSink) -> Result<(), Error> {
    let mut open: rustc_hash::FxHashMap<u32, Rc<Event>> = Default::default();
    let mut spare = Spare::default();
    let mut held = HeldSignals::default();
    let mut result = Ok(());
    trace.for_each(filter, 2, |event| {
        let step = match event.body {
            BodyRef::Signal { .. } if open.contains_key(&event.tid) => {
                held.hold(&event);
                Ok(())
            }
            BodyRef::SysEnter { .. } => {
                let enter = spare.copy(&event);
                let lost = match open.remove(&event.tid) {
                    Some(old) => {
                        let step = sink
                            .unavailable(&old)
                            .and_then(|()| held.release(event.tid, sink));
                        spare.keep(old);
                        step
                    }
                    None => Ok(()),
                };
                let step = lost.and_then(|()| sink.enter(&enter));
                open.insert(event.tid, enter);
                step
            }
            BodyRef::SysExit { nr, .. } => match open.remove(&event.tid) {
                // The exit of the call entered (not of a later one whose
                // enter was lost).
                Some(enter) if enter.body.syscall_nr() == Some(nr) => {
                    let step = sink.call(&Call {
                        enter: &enter,
                        exit: Some(event),
                    });
                    spare.keep(enter);
                    step.and_then(|()| held.release(event.tid, sink))
                }
                Some(enter) => {
                    let step = sink
                        .unavailable(&enter)
                        .and_then(|()| held.release(event.tid, sink));
                    spare.keep(enter);
                    step
                }
                None => Ok(()),
            },
            BodyRef::TaskExit { .. } => {
                let unreturned = open.remove(&event.tid);
                held.release(event.tid, sink)
                    .and_then(|()| match &unreturned {
                        Some(enter) => sink.unreturned(enter, &event),
                        None => Ok(()),
                    })
                    .and_then(|()| sink.event(&event))
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
    result?;
    held.release_all(sink)?;
    let mut detached: Vec<Rc<Event>> = open.into_values().collect();
    detached.sort_by_key(|e| e.tid);
    detached.iter().try_for_each(|enter| sink.detached(enter))
}

/// Signals generated for a thread while it was in a syscall (ones it ignores,
/// which are never delivered): reported after that syscall, where the thread
/// notices them on its way back to user space and where strace prints them.
#[derive(Default)]
struct HeldSignals(rustc_hash::FxHashMap<u32, Vec<Event>>);

impl HeldSignals {
    fn hold(&mut self, signal: &EventRef<'_>) {
        self.0
            .entry(signal.tid)
            .or_default()
            .push(signal.to_owned());
    }

    fn release(&mut self, tid: u32, sink: &mut dyn TraceSink) -> Result<(), Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        for signal in self.0.remove(&tid).unwrap_or_default() {
            if let format::Body::Signal {
                signo,
                code,
                errno,
                info,
            } = &signal.body
            {
                sink.event(&EventRef {
                    tid: signal.tid,
                    pid: signal.pid,
                    cpu: signal.cpu,
                    ts: signal.ts,
                    body: BodyRef::Signal {
                        signo: *signo,
                        code: *code,
                        errno: *errno,
                        info,
                    },
                })?;
            }
        }
        Ok(())
    }

    /// At the end of the trace: what is still held, by thread.
    fn release_all(&mut self, sink: &mut dyn TraceSink) -> Result<(), Error> {
        let mut tids: Vec<u32> = self.0.keys().copied().collect();
        tids.sort_unstable();
        for tid in tids {
            self.release(tid, sink)?;
        }
        Ok(())
    }
}

/// Enter events done with, kept to be overwritten by later ones: copying an
/// enter into one reuses its buffers instead of allocating per call.
#[derive(Default)]
struct Spare(Vec<Rc<Event>>);

impl Spare {
    fn copy(&mut self, event: &EventRef<'_>) -> Rc<Event> {
        match self.0.pop() {
            Some(mut kept) => {
                if let Some(slot) = Rc::get_mut(&mut kept) {
                    event.copy_into(slot);
                    return kept;
                }
                Rc::new(event.to_owned())
            }
            None => Rc::new(event.to_owned()),
        }
    }

    /// Keeps `event` if no sink holds on to it.
    fn keep(&mut self, event: Rc<Event>) {
        if Rc::strong_count(&event) == 1 && self.0.len() < 64 {
            self.0.push(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use format::{Body, FileHeader, Writer, WriterOptions};

    struct Count(Vec<(i64, Option<i64>)>);

    impl TraceSink for Count {
        fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
            let ret = call.exit.and_then(|e| e.ret());
            self.0
                .push((call.enter.body.syscall_nr().unwrap_or(-1), ret));
            Ok(())
        }
        fn event(&mut self, _: &EventRef<'_>) -> Result<(), Error> {
            Ok(())
        }
    }

    /// An exit is paired only with the enter of the same call: when events
    /// were lost between them, read's enter and close's exit are not one call.
    #[test]
    fn pairs_only_matching_calls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let mut w =
            Writer::create(&path, &FileHeader::default(), WriterOptions::default()).unwrap();
        let bodies = [
            Body::SysEnter {
                nr: 0,
                args: [0; 6],
                captures: vec![],
            },
            Body::Lost { count: 2 },
            Body::SysExit {
                nr: 3,
                ret: 0,
                captures: vec![],
            },
            Body::SysEnter {
                nr: 1,
                args: [0; 6],
                captures: vec![],
            },
            Body::SysExit {
                nr: 1,
                ret: 5,
                captures: vec![],
            },
        ];
        for (ts, body) in bodies.into_iter().enumerate() {
            let event = Event {
                tid: 1,
                pid: 1,
                cpu: 0,
                ts: ts as u64,
                body,
            };
            w.push(&event).unwrap();
        }
        w.finish().unwrap();
        let trace = Trace::open(&path).unwrap();
        let mut sink = Count(Vec::new());
        replay(&trace, &Filter::default(), &mut sink).unwrap();
        assert_eq!(sink.0, [(1, Some(5))]);
    }
}
