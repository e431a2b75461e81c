//! `show --json`: one JSON object per call, one per line (JSON Lines), for
//! scripts. The fields are documented in the README and checked against
//! `docs/show.schema.json` by the tests.

use std::io::Write;

use format::{EventRef, Trace};

use crate::{Call, Context, Error, ShowOptions, TraceSink, replay, syscalls};

/// Prints `trace`'s calls as JSON Lines.
pub fn print_json(trace: &Trace, opts: &ShowOptions, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = JsonPrinter {
        opts,
        arch: &trace.header().arch,
        anchor: trace.header().clock.to_native(),
        out,
        line: Vec::new(),
    };
    replay(trace, &opts.selection(), &mut printer)
}

struct JsonPrinter<'a> {
    opts: &'a ShowOptions,
    arch: &'a str,
    /// Turns monotonic timestamps into nanoseconds since the Unix epoch.
    anchor: format::ClockAnchor,
    out: &'a mut dyn Write,
    /// The line being written, kept between calls.
    line: Vec<u8>,
}

impl JsonPrinter<'_> {
    /// Writes the call's object straight into the line, its keys in
    /// order (as serde_json's map writes them), with no value tree.
    fn print(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{");
        if syscalls::is_compat(self.arch, call.nr) {
            line.extend_from_slice(br#""abi":"i386","#);
        }
        line.extend_from_slice(br#""args":["#);
        let mut first = true;
        let mut arg = |line: &mut Vec<u8>, text: &str| {
            if !std::mem::take(&mut first) {
                line.push(b',');
            }
            string(line, text);
        };
        match call.view() {
            Some(view) => {
                view.each_arg_text(&self.opts.decoding(&call.name), |text| arg(line, text))
            }
            None => {
                if let format::Body::SysEnter { args, .. } = &call.enter.body {
                    for value in args {
                        arg(line, &format!("{value:#x}"));
                    }
                }
            }
        }
        let enter = call.enter;
        let ret = call.ret();
        line.extend_from_slice(br#"],"duration_ns":"#);
        match call.exit {
            Some(exit) => number(line, exit.ts.saturating_sub(enter.ts)),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(br#","errno":"#);
        match ret.and_then(syscalls::errno) {
            Some((name, _)) => string(line, name),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(br#","name":"#);
        string(line, &call.name);
        line.extend_from_slice(br#","pid":"#);
        number(line, enter.pid);
        line.extend_from_slice(br#","ret":"#);
        match ret {
            Some(ret) => number(line, ret),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(br#","tid":"#);
        number(line, enter.tid);
        line.extend_from_slice(br#","ts":"#);
        number(line, self.anchor.unix_ns(enter.ts));
        line.extend_from_slice(b"}\n");
        self.out.write_all(line)?;
        Ok(())
    }
}

/// `text` as a JSON string.
fn string(line: &mut Vec<u8>, text: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *line, text);
}

fn number(line: &mut Vec<u8>, value: impl itoa::Integer) {
    line.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
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
