//! The printer as a [`TraceSink`]: each call, unfinished call and process-life
//! event becomes strace's lines.

use std::fmt::Write as _;
use std::rc::Rc;

use format::{BodyRef, Event, EventRef};

use super::*;
use crate::{
    Call, Context, Error, TraceSink,
    decode::{Options, siginfo, signal_name},
    select::Quiet,
    status::ExitStatus,
    syscalls, table,
};

impl TraceSink for StracePrinter<'_> {
    fn enter(&mut self, call: &Call<'_>, shared: &Rc<Event>) -> Result<(), Error> {
        let enter = call.enter;
        if self.opts.syscall_numbers {
            self.last_nr.insert(enter.tid, call.nr);
        }
        if self.opts.instruction_pointers
            && let Some(ip) = call_ip(enter)
        {
            self.last_ip.insert(enter.tid, ip);
        }
        self.personality(enter.tid, call.nr, call.context)?;
        if !call.shown {
            return Ok(());
        }
        self.live.insert(enter.tid);
        if self.whole_lines {
            return Ok(());
        }
        self.interrupt(Some(enter.tid), call.context)?;
        self.open = Some(Open {
            enter: Rc::clone(shared),
            name: call.name.clone(),
            syscall: call.syscall,
        });
        Ok(())
    }

    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let enter = call.enter;
        let tid = enter.tid;
        let ret = call.ret();
        self.interrupt(Some(tid), call.context)?;
        let format::Body::SysEnter { args, .. } = &enter.body else {
            return Ok(());
        };
        // Whole line, or the part after `<... name resumed>`.
        let whole = self.whole_lines
            || self.open.take_if(|o| o.enter.tid == tid).is_some()
            || self.whole_at_exit.remove(&tid);
        let exit_ts = call.exit.map_or(enter.ts, |e| e.ts);
        // One buffer for every line: no allocation per call.
        let mut text = std::mem::take(&mut self.line);
        text.clear();
        let tasks = &call.context.tasks;
        self.write_prefix(
            &mut text,
            tid,
            if whole { enter.ts } else { exit_ts },
            call_ip(enter),
            tasks,
        );
        let mut dump = String::new();
        let raw = self.raw(&call.name);
        let fd_result = match call.view().filter(|_| !raw) {
            Some(view) => {
                let decode = self.opts.decoding(&call.name);
                let all = view.syscall.args.len();
                let split = view.exit_split();
                if whole {
                    text.push_str(&call.name);
                    text.push('(');
                    view.render_args(&mut text, 0..all, &decode);
                } else {
                    let _ = write!(text, "<... {} resumed>", call.name);
                    let mut rest = String::new();
                    view.render_args(&mut rest, split..all, &decode);
                    match rest.strip_prefix(", ") {
                        Some(after) if view.separates_exit_part() => text.push_str(after),
                        _ => text.push_str(&rest),
                    }
                }
                text.push(')');
                self.pad_to_result(&mut text);
                // A returned descriptor is named as the call left the table (below).
                let plain = Options {
                    fd_paths: false,
                    fd_sockets: false,
                    fd_devices: false,
                    ..decode
                };
                view.render_ret(&mut text, &plain);
                self.dump(&mut dump, &view);
                (view.syscall.ret == table::Ret::Fd)
                    .then_some(ret)
                    .flatten()
            }
            None => {
                if whole {
                    let count = call
                        .syscall
                        .filter(|_| raw)
                        .map_or(args.len(), |s| s.args.len());
                    let _ = write!(text, "{}({}", call.name, raw_args(args, count));
                } else {
                    let _ = write!(text, "<... {} resumed>", call.name);
                }
                text.push(')');
                self.pad_to_result(&mut text);
                let _ = match ret.map(|r| (r, syscalls::errno(r))) {
                    Some((_, Some((name, desc)))) => write!(text, "-1 {name} ({desc})"),
                    Some((0, None)) => write!(text, "0"),
                    Some((ret, None)) if raw => write!(text, "{ret:#x}"),
                    Some((ret, None)) => write!(text, "{ret}"),
                    None => write!(text, "?"),
                };
                None
            }
        };
        if let Some(entry) = fd_result
            .filter(|fd| *fd >= 0)
            .and_then(|fd| call.fd_after(fd))
        {
            entry.show(&mut text, &self.opts.decode);
        }
        if let Some(precision) = self.opts.durations {
            let spent = exit_ts.saturating_sub(enter.ts);
            let _ = write!(text, " <{}>", precision.duration(spent, 0));
        }
        text.push('\n');
        text.push_str(&dump);
        self.push_stack(&mut text, call);
        let written = self.write_open_line(&text);
        self.line = text;
        written?;
        Ok(())
    }

    /// A call its thread ended in (exit_group, or a kill while it blocked):
    /// strace ends its line with `) = ?`, after ` <unfinished ...>` where
    /// it had more to print at the exit that never came:
    /// `read(3,  <unfinished ...>) = ?`, or `<... read resumed> <unfinished
    /// ...>) = ?` once another line cut its start.
    fn unreturned(&mut self, call: &Call<'_>, _end: &EventRef<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let mut text = self.ended_part(call)?;
        if call
            .view()
            .is_some_and(|v| v.exit_split() < v.syscall.args.len())
        {
            text.push_str(" <unfinished ...>");
        }
        text.push(')');
        let mut line = self.with_result(text, "?") + "\n";
        // (strace prints these frames after the task's `+++ exited` line.)
        self.push_stack(&mut line, call);
        self.write_open_line(&line)?;
        Ok(())
    }

    /// A call whose exit was lost: `= ? <unavailable>`, as strace ends a call
    /// whose result it could not read.
    fn unavailable(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        // What was printed at its enter, as strace leaves it: `read(3, ) = ?`.
        let mut text = self.ended_part(call)?;
        text.push(')');
        let line = self.with_result(text, "? <unavailable>") + "\n";
        self.write_open_line(&line)?;
        Ok(())
    }

    /// Under `-e status=detached`: the call as far as its enter goes.
    fn detached(&mut self, call: &Call<'_>) -> Result<(), Error> {
        if !call.shown {
            return Ok(());
        }
        let text = self.enter_part(call);
        writeln!(self.out, "{text} <detached ...>")?;
        Ok(())
    }

    /// Ends a line left open at the end of the trace.
    fn finish(&mut self, context: &Context) -> Result<(), Error> {
        self.interrupt(None, context)
    }

    fn event(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        let tasks = &context.tasks;
        let tid = event.tid;
        match event.body {
            // strace: `exited` lines go with -e quiet=exit, `killed by` ones
            // with -e signal= (the signal set).
            BodyRef::TaskExit { status }
                if match ExitStatus(status).signal() {
                    None => self.opts.quiet.contains(&Quiet::Exit),
                    Some(signo) => !self.opts.signals.contains(&signo),
                } =>
            {
                self.live.remove(&tid);
            }
            BodyRef::TaskExit { status } => {
                self.interrupt(Some(tid), context)?;
                self.close_open_call()?;
                let prefix = self.prefix(tid, event.ts, None, tasks);
                let status = ExitStatus(status);
                let core = if status.core_dumped() {
                    " (core dumped)"
                } else {
                    ""
                };
                writeln!(self.out, "{prefix}+++ {status}{core} +++")?;
                self.live.remove(&tid);
            }
            BodyRef::Signal { signo, info, .. }
                if signo != 9 && self.opts.signals.contains(&(signo as u32)) =>
            {
                self.interrupt(Some(tid), context)?;
                self.close_open_call()?;
                // A signal ignored where it was sent has no place of its
                // own: the task's latest call is where it stood.
                let ip = format::signal_ip(info).or_else(|| self.last_ip.get(&tid).copied());
                let prefix = self.prefix(tid, event.ts, ip, tasks);
                writeln!(
                    self.out,
                    "{prefix}--- {} {} ---",
                    signal_name(signo as u32),
                    siginfo(self.consts(), signo, info, |pid| self
                        .comm_suffix(pid, tasks))
                )?;
            }
            BodyRef::Fork { child_tid, .. } => {
                self.live.insert(tid);
                self.live.insert(child_tid);
            }
            BodyRef::Lost { count } => {
                self.interrupt(None, context)?;
                let prefix = self.prefix(tid, event.ts, None, tasks);
                writeln!(
                    self.out,
                    "{prefix}<... {count} events lost here (cpu {}) ...>",
                    event.cpu
                )?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Each thread's lines to its own printer (`--thread -y`: one replay of
/// every thread, for the descriptors they share); other threads' events
/// only move the replay's state.
pub(super) struct ByThread<'o> {
    pub printers: HashMap<u32, StracePrinter<'o>>,
}

impl<'o> ByThread<'o> {
    fn of(&mut self, tid: u32) -> Option<&mut StracePrinter<'o>> {
        self.printers.get_mut(&tid)
    }
}

impl TraceSink for ByThread<'_> {
    fn enter(&mut self, call: &Call<'_>, shared: &Rc<Event>) -> Result<(), Error> {
        match self.of(call.enter.tid) {
            Some(printer) => printer.enter(call, shared),
            None => Ok(()),
        }
    }

    fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
        match self.of(call.enter.tid) {
            Some(printer) => printer.call(call),
            None => Ok(()),
        }
    }

    fn unreturned(&mut self, call: &Call<'_>, end: &EventRef<'_>) -> Result<(), Error> {
        match self.of(call.enter.tid) {
            Some(printer) => printer.unreturned(call, end),
            None => Ok(()),
        }
    }

    fn unavailable(&mut self, call: &Call<'_>) -> Result<(), Error> {
        match self.of(call.enter.tid) {
            Some(printer) => printer.unavailable(call),
            None => Ok(()),
        }
    }

    fn detached(&mut self, call: &Call<'_>) -> Result<(), Error> {
        match self.of(call.enter.tid) {
            Some(printer) => printer.detached(call),
            None => Ok(()),
        }
    }

    fn event(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error> {
        match self.of(event.tid) {
            Some(printer) => printer.event(event, context),
            None => Ok(()),
        }
    }

    fn finish(&mut self, context: &Context) -> Result<(), Error> {
        self.printers
            .values_mut()
            .try_for_each(|printer| printer.finish(context))
    }
}

impl StracePrinter<'_> {
    /// `-k`: the frames of `call`'s stack, one line each, onto `text`.
    fn push_stack(&self, text: &mut String, call: &Call<'_>) {
        // Asked first: looking for a stack scans the call's captures.
        if self.opts.stacks {
            let (stacks, lines) = (&call.context.stacks, self.opts.stack_lines);
            stacks.write_call(text, call.enter, call.exit.as_ref(), lines);
        }
    }
}
