//! `show --json`: one JSON object per call, one per line (JSON Lines), for
//! scripts. The fields are documented in the README and checked against
//! `docs/show.schema.json` by the tests.

use std::io::Write;

use serde_json::json;

use format::{EventRef, Trace};

use crate::{Call, Context, Error, ShowOptions, TraceSink, replay, syscalls};

/// Prints `trace`'s calls as JSON Lines.
pub fn print_json(trace: &Trace, opts: &ShowOptions, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = JsonPrinter {
        opts,
        arch: &trace.header().arch,
        anchor: trace.header().clock.to_native(),
        out,
    };
    replay(trace, &opts.selection(), &mut printer)
}

struct JsonPrinter<'a> {
    opts: &'a ShowOptions,
    arch: &'a str,
    /// Turns monotonic timestamps into nanoseconds since the Unix epoch.
    anchor: format::ClockAnchor,
    out: &'a mut dyn Write,
}

impl JsonPrinter<'_> {
    fn print(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let decoded: Vec<String> = match call.view() {
            Some(view) => view.arg_texts(&self.opts.decoding(&call.name)),
            None => match &call.enter.body {
                format::Body::SysEnter { args, .. } => {
                    args.iter().map(|a| format!("{a:#x}")).collect()
                }
                _ => Vec::new(),
            },
        };
        let ret = call.ret();
        let errno = ret.and_then(syscalls::errno).map(|(name, _)| name);
        let enter = call.enter;
        let mut line = json!({
            "tid": enter.tid,
            "pid": enter.pid,
            "ts": self.anchor.unix_ns(enter.ts),
            "duration_ns": call.exit.map(|e| e.ts.saturating_sub(enter.ts)),
            "name": call.name,
            "args": decoded,
            "ret": ret,
            "errno": errno,
        });
        if syscalls::is_compat(self.arch, call.nr) {
            line["abi"] = json!("i386");
        }
        serde_json::to_writer(&mut *self.out, &line).map_err(std::io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
}

impl TraceSink for JsonPrinter<'_> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        self.print(call)
    }

    /// Printed with no result (exit_group).
    fn unreturned(&mut self, call: &Call<'_>, _end: &EventRef<'_>) -> Result<(), Error> {
        self.print(call)
    }

    fn event(&mut self, _event: &EventRef<'_>, _: &Context) -> Result<(), Error> {
        Ok(())
    }
}
