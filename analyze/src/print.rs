//! The strace-style printer: one line per call, `[pid N] ` prefixes once more
//! than one thread has been seen, process exits as `+++ exited with N +++`.
//!
//! Arguments are printed in strace's generic form (hex) until the decoding
//! tables land (issue 4).

use std::io::Write;

use format::{Body, BodyRef, EventRef, Filter, Trace};

use crate::{Call, Error, TraceSink, replay, syscalls};

/// Column at which strace aligns ` = `.
const RESULT_COLUMN: usize = 40;

/// Prints `trace` the way `strace -f` would.
pub fn print_strace(trace: &Trace, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = StracePrinter::new(trace.header().arch.as_str(), out);
    replay(trace, &Filter::default(), &mut printer)
}

pub struct StracePrinter<'o> {
    arch: String,
    out: &'o mut dyn Write,
    threads: std::collections::HashSet<u32>,
    line: String,
}

impl<'o> StracePrinter<'o> {
    pub fn new(arch: &str, out: &'o mut dyn Write) -> Self {
        Self {
            arch: arch.to_owned(),
            out,
            threads: Default::default(),
            line: String::new(),
        }
    }

    fn prefix(&mut self, tid: u32) {
        self.threads.insert(tid);
        if self.threads.len() > 1 {
            self.line.push_str(&format!("[pid {tid:>5}] "));
        }
    }
}

impl TraceSink for StracePrinter<'_> {
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        use std::fmt::Write as _;
        let Body::SysEnter { nr, args, .. } = &call.enter.body else {
            return Ok(());
        };
        self.line.clear();
        self.prefix(call.enter.tid);
        match syscalls::name(&self.arch, *nr) {
            Some(name) => self.line.push_str(name),
            None => {
                let _ = write!(self.line, "syscall_{nr:#x}");
            }
        }
        let args: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
        let _ = write!(self.line, "({})", args.join(", "));
        match call.exit.map(|e| e.body) {
            Some(BodyRef::SysExit { ret, .. }) => {
                let pad = RESULT_COLUMN.saturating_sub(self.line.len());
                let _ = write!(self.line, "{:pad$} = ", "");
                match syscalls::errno(ret) {
                    Some((name, text)) => {
                        let _ = write!(self.line, "-1 {name} ({text})");
                    }
                    None => {
                        let _ = write!(self.line, "{ret}");
                    }
                }
            }
            _ => self.line.push_str(" = ?"),
        }
        writeln!(self.out, "{}", self.line)?;
        Ok(())
    }

    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error> {
        match event.body {
            BodyRef::TaskExit { status } if event.tid == event.pid => {
                self.line.clear();
                self.prefix(event.tid);
                let line = std::mem::take(&mut self.line);
                match status & 0x7f {
                    0 => writeln!(
                        self.out,
                        "{line}+++ exited with {} +++",
                        (status >> 8) & 0xff
                    )?,
                    sig => writeln!(self.out, "{line}+++ killed by signal {sig} +++")?,
                }
            }
            BodyRef::Lost { count } => writeln!(
                self.out,
                "<... {count} events lost on cpu {} ...>",
                event.cpu
            )?,
            _ => {}
        }
        Ok(())
    }
}
