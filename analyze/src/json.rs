//! `show --json`: one JSON object per call, one per line (JSON Lines), for
//! scripts. The fields are documented in the README and checked against
//! `docs/show.schema.json` by the tests.

use std::io::Write;

use serde_json::json;

use format::{Body, Event, EventRef, Trace};

use crate::{
    Call, Error, ShowOptions, TraceSink,
    decode::CallView,
    fds::{self, FdTracker},
    replay, syscalls, table,
};

/// Prints `trace`'s calls as JSON Lines.
pub fn print_json(trace: &Trace, opts: &ShowOptions, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = JsonPrinter {
        arch: &trace.header().arch,
        opts,
        anchor: trace.header().clock.to_native(),
        fds: FdTracker::default(),
        out,
    };
    replay(trace, &opts.events, &mut printer)?;
    Ok(())
}

struct JsonPrinter<'a> {
    arch: &'a str,
    opts: &'a ShowOptions,
    /// Turns monotonic timestamps into nanoseconds since the Unix epoch.
    anchor: format::ClockAnchor,
    fds: FdTracker,
    out: &'a mut dyn Write,
}

impl JsonPrinter<'_> {
    fn print(&mut self, enter: &Event, exit: Option<EventRef<'_>>) -> Result<(), Error> {
        let Body::SysEnter { nr, args, .. } = &enter.body else {
            return Ok(());
        };
        let name = crate::syscalls::display_name(self.arch, *nr);
        let ret = exit.and_then(|e| e.ret());
        let shown = self.opts.calls.wants_call(&name, ret);
        let mut view = table::lookup(self.arch, *nr).and_then(|s| CallView::new(s, enter, exit));
        if let Some(view) = view.as_mut() {
            view.fds = self.fds.table(enter.pid);
        }
        if !shown {
            // Not printed, but its descriptors are followed all the same (-y).
            let changes = view.as_ref().map(fds::changes).unwrap_or_default();
            self.fds.apply(enter.pid, changes);
            return Ok(());
        }
        let decoded: Vec<String> = match &view {
            Some(view) => {
                let mut view_args = Vec::new();
                for i in 0..view.syscall.args.len() {
                    let mut text = String::new();
                    view.render_args(&mut text, i..i + 1, &self.opts.decode);
                    let text = text.strip_prefix(", ").unwrap_or(&text);
                    if !text.is_empty() {
                        view_args.push(text.to_owned());
                    }
                }
                view_args
            }
            None => args.iter().map(|a| format!("{a:#x}")).collect(),
        };
        let changes = view.as_ref().map(fds::changes).unwrap_or_default();
        self.fds.apply(enter.pid, changes);
        let errno = ret.and_then(syscalls::errno).map(|(name, _)| name);
        let line = json!({
            "tid": enter.tid,
            "pid": enter.pid,
            "ts": self.anchor.unix_ns(enter.ts),
            "duration_ns": exit.map(|e| e.ts.saturating_sub(enter.ts)),
            "name": name,
            "args": decoded,
            "ret": ret,
            "errno": errno,
        });
        serde_json::to_writer(&mut *self.out, &line).map_err(std::io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
}

impl TraceSink for JsonPrinter<'_> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.print(call.enter, call.exit)
    }

    /// Printed with no result (exit_group).
    fn unreturned(&mut self, enter: &Event, _end: &EventRef<'_>) -> Result<(), Error> {
        self.print(enter, None)
    }

    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error> {
        self.fds.event(event);
        Ok(())
    }
}
