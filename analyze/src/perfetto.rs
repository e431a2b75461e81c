//! `systrace export --perfetto`: the Chrome trace-event JSON format, which
//! ui.perfetto.dev and chrome://tracing open. One track per thread, grouped by
//! process (named from the index); each syscall a complete (`X`) slice named
//! after it, with its decoded line in `args`; process life, signals and lost
//! events as instant (`i`) events. Times are microseconds since the
//! recording's first event.

use std::{fmt::Write as _, io::Write};

use serde_json::{Value, json};

use format::{BodyRef, EventRef, Trace};

use crate::{
    Call, Context, Error, ShowOptions, TraceSink, decode::signal_name, replay, status::ExitStatus,
};

/// Writes `trace` as a Chrome trace-event JSON document to `out`.
pub fn export_perfetto(
    trace: &Trace,
    opts: &ShowOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut exporter = Exporter {
        opts,
        start: trace.index().totals.first_ts.to_native(),
        out,
        first: true,
    };
    replay(trace, &opts.selection(), &mut exporter)
}

struct Exporter<'a> {
    opts: &'a ShowOptions,
    /// Monotonic timestamp of the recording's first event: time zero.
    start: u64,
    out: &'a mut dyn Write,
    first: bool,
}

/// Microseconds from nanoseconds: `12.345` for 12345 ns, exact below 2^53 ns
/// (104 days), where an f64 still holds every nanosecond.
fn micros(ns: u64) -> Value {
    json!(ns as f64 / 1000.0)
}

impl Exporter<'_> {
    fn emit(&mut self, event: Value) -> Result<(), Error> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut *self.out, &event).map_err(std::io::Error::from)?;
        Ok(())
    }

    fn instant(&mut self, event: &EventRef<'_>, name: String, scope: &str) -> Result<(), Error> {
        self.emit(json!({
            "ph": "i", "s": scope, "name": name, "cat": "process",
            "ts": micros(event.ts.saturating_sub(self.start)),
            "pid": event.pid, "tid": event.tid,
        }))
    }

    /// A call's slice; one cut off by its thread's end (`exit` none) lasts
    /// until `end`.
    fn slice(&mut self, call: &Call<'_>, end: u64) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let (enter, exit, name, ret) = (call.enter, call.exit, &call.name, call.ret());
        let mut line = String::new();
        match call.view() {
            Some(view) => view.render_line(&mut line, &self.opts.decode),
            None => {
                let _ = write!(
                    line,
                    "{name}(...) = {}",
                    ret.map_or("?".into(), |r| r.to_string())
                );
            }
        }
        let ts = enter.ts.saturating_sub(self.start);
        let end = exit.map_or(end, |e| e.ts);
        let mut slice = json!({
            "ph": "X", "cat": "syscall", "name": name,
            "ts": micros(ts),
            "dur": micros(end.saturating_sub(enter.ts)),
            "pid": enter.pid, "tid": enter.tid,
            "args": {"call": line},
        });
        if let Some((errno, _)) = ret.and_then(crate::syscalls::errno) {
            slice["args"]["errno"] = json!(errno);
        }
        if exit.is_none() {
            slice["args"]["returned"] = json!(false);
        }
        self.emit(slice)
    }
}

impl TraceSink for Exporter<'_> {
    /// The document's start, and a named track per process and thread.
    fn begin(&mut self, trace: &Trace) -> Result<(), Error> {
        self.out
            .write_all(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")?;
        for process in trace.index().processes.iter() {
            let pid = process.pid.to_native();
            let name = String::from_utf8_lossy(&process.comm);
            self.emit(json!({"ph": "M", "name": "process_name", "pid": pid,
                "args": {"name": format!("{name} {pid}")}}))?;
        }
        for thread in trace.index().threads.iter() {
            let (tid, pid) = (thread.tid.to_native(), thread.pid.to_native());
            self.emit(
                json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                "args": {"name": format!("tid {tid}")}}),
            )?;
        }
        Ok(())
    }

    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.slice(call, 0)
    }

    /// A slice that lasts until its thread's end.
    fn unreturned(&mut self, call: &Call<'_>, end: &EventRef<'_>) -> Result<(), Error> {
        self.slice(call, end.ts)
    }

    fn event(&mut self, event: &EventRef<'_>, _: &Context) -> Result<(), Error> {
        match event.body {
            BodyRef::Fork {
                child_tid,
                child_pid,
            } => {
                let what = if child_pid == event.pid {
                    "thread"
                } else {
                    "process"
                };
                self.instant(event, format!("new {what} {child_tid}"), "t")
            }
            BodyRef::Exec { filename, .. } => {
                let name = format!("exec {}", String::from_utf8_lossy(filename));
                self.instant(event, name, "t")
            }
            BodyRef::TaskExit { status } => {
                self.instant(event, ExitStatus(status).to_string(), "t")
            }
            BodyRef::Signal { signo, .. } => self.instant(event, signal_name(signo as u32), "t"),
            BodyRef::Lost { count } => self.instant(event, format!("{count} events lost"), "p"),
            BodyRef::SysEnter { .. }
            | BodyRef::SysExit { .. }
            | BodyRef::Files { .. }
            | BodyRef::NsTid { .. }
            | BodyRef::Stack { .. }
            | BodyRef::Mappings { .. } => Ok(()),
        }
    }

    fn finish(&mut self, _: &Context) -> Result<(), Error> {
        self.out.write_all(b"\n]}\n")?;
        Ok(())
    }
}
