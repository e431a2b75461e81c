//! The strace-style printer: what `strace -f` prints, from a replayed trace.
//!
//! Like strace, a call's line is started at its enter; when another task's
//! event comes first it is ended with ` <unfinished ...>` and the exit later
//! prints `<... name resumed>`. `[pid N] ` prefixes every line while more than
//! one task is traced. ` = ` results are aligned at column 40.

use std::{collections::HashSet, io::Write};

use format::{BodyRef, Event, EventRef, Filter, Trace};

use crate::{
    Error, TraceSink,
    decode::{CallView, Options, signal_name},
    replay, syscalls, table,
};

/// Column at which strace starts ` = result`.
const RESULT_COLUMN: usize = 40;

/// Prints `trace` the way `strace -f -s 32` would.
pub fn print_strace(trace: &Trace, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = StracePrinter::new(trace.header().arch.as_str(), Options::default(), out);
    replay(trace, &Filter::default(), &mut printer)?;
    printer.finish()
}

pub struct StracePrinter<'o> {
    arch: String,
    opts: Options,
    out: &'o mut dyn Write,
    /// Tasks alive now: more than one means `[pid N] ` prefixes.
    live: HashSet<u32>,
    /// A call entered but not yet printed: rendered whole at its exit, or as
    /// `<unfinished ...>` when another task's event comes first.
    open: Option<Event>,
    /// Threads whose current call was printed as unfinished.
    unfinished: HashSet<u32>,
    /// Filename and argv of each thread's latest exec, for an execve whose
    /// copy faulted.
    exec: std::collections::HashMap<u32, (Vec<u8>, Vec<Vec<u8>>)>,
}

impl<'o> StracePrinter<'o> {
    pub fn new(arch: &str, opts: Options, out: &'o mut dyn Write) -> Self {
        Self {
            arch: arch.to_owned(),
            opts,
            out,
            live: HashSet::new(),
            open: None,
            unfinished: HashSet::new(),
            exec: Default::default(),
        }
    }

    /// Ends a line left open at the end of the trace.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.interrupt(None)
    }

    fn prefix(&self, tid: u32) -> String {
        if self.live.len() > 1 {
            format!("[pid {tid:>5}] ")
        } else {
            String::new()
        }
    }

    /// Another task's event: the open call (if it is not `tid`'s) is printed as
    /// far as its enter allows, and left unfinished.
    fn interrupt(&mut self, tid: Option<u32>) -> Result<(), Error> {
        if self.open.as_ref().is_some_and(|e| Some(e.tid) != tid)
            && let Some(enter) = self.open.take()
        {
            let text = self.enter_part(&enter);
            writeln!(self.out, "{text} <unfinished ...>")?;
            self.unfinished.insert(enter.tid);
        }
        Ok(())
    }

    /// `name(` and the arguments known at enter (followed by `, ` if more come).
    fn enter_part(&self, enter: &Event) -> String {
        let format::Body::SysEnter { nr, args, .. } = &enter.body else {
            return String::new();
        };
        let mut text = self.prefix(enter.tid);
        text.push_str(&self.name(*nr));
        text.push('(');
        match table::lookup(&self.arch, *nr).and_then(|s| CallView::new(s, enter, None)) {
            Some(mut view) => {
                view.exec = self.exec.get(&enter.tid);
                let split = view.exit_split();
                view.render_args(&mut text, 0..split, &self.opts);
                if split < view.syscall.args.len() && split > 0 {
                    text.push_str(", ");
                }
            }
            None => text.push_str(&generic_args(args)),
        }
        text
    }

    fn name(&self, nr: i64) -> String {
        syscalls::name(&self.arch, nr).map_or_else(|| format!("syscall_{nr:#x}"), str::to_owned)
    }
}

/// Pads `line` to the result column and appends the result.
fn with_result(mut line: String, result: &str) -> String {
    let width = line.chars().count();
    if width < RESULT_COLUMN {
        line.push_str(&" ".repeat(RESULT_COLUMN - width));
    } else {
        line.push(' ');
    }
    line.push_str("= ");
    line.push_str(result);
    line
}

impl TraceSink for StracePrinter<'_> {
    fn enter(&mut self, enter: &Event) -> Result<(), Error> {
        self.interrupt(Some(enter.tid))?;
        self.live.insert(enter.tid);
        self.open = Some(enter.clone());
        Ok(())
    }

    fn call(&mut self, call: &crate::Call<'_>) -> Result<(), Error> {
        let enter = call.enter;
        let tid = enter.tid;
        self.interrupt(Some(tid))?;
        let format::Body::SysEnter { nr, args, .. } = &enter.body else {
            return Ok(());
        };
        // Whole line, or the part after `<... name resumed>`.
        let whole = self.open.take_if(|e| e.tid == tid).is_some();
        self.unfinished.remove(&tid);
        let mut text = self.prefix(tid);
        let view = table::lookup(&self.arch, *nr).and_then(|s| CallView::new(s, enter, call.exit));
        let result = match view {
            Some(mut view) => {
                view.exec = self.exec.get(&tid);
                let all = view.syscall.args.len();
                let split = view.exit_split();
                if whole {
                    text.push_str(&self.name(*nr));
                    text.push('(');
                    view.render_args(&mut text, 0..all, &self.opts);
                } else {
                    text.push_str(&format!("<... {} resumed>", self.name(*nr)));
                    let mut rest = String::new();
                    view.render_args(&mut rest, split..all, &self.opts);
                    text.push_str(rest.strip_prefix(", ").unwrap_or(&rest));
                }
                text.push(')');
                let mut result = String::new();
                view.render_ret(&mut result);
                result
            }
            None => {
                if whole {
                    text.push_str(&format!("{}({}", self.name(*nr), generic_args(args)));
                } else {
                    text.push_str(&format!("<... {} resumed>", self.name(*nr)));
                }
                text.push(')');
                match call.exit.map(|e| e.body) {
                    Some(BodyRef::SysExit { ret, .. }) => match syscalls::errno(ret) {
                        Some((name, desc)) => format!("-1 {name} ({desc})"),
                        None => ret.to_string(),
                    },
                    _ => "?".to_owned(),
                }
            }
        };
        writeln!(self.out, "{}", with_result(text, &result))?;
        Ok(())
    }

    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error> {
        let tid = event.tid;
        match event.body {
            BodyRef::TaskExit { status } => {
                self.interrupt(Some(tid))?;
                if let Some(enter) = self.open.take_if(|e| e.tid == tid) {
                    // exit_group never returns: strace ends its line with ` = ?`.
                    let mut text = self.enter_part(&enter);
                    if text.ends_with(", ") {
                        text.truncate(text.len() - 2);
                    }
                    writeln!(self.out, "{}", with_result(text + ")", "?"))?;
                }
                let prefix = self.prefix(tid);
                let sig = status & 0x7f;
                if sig == 0 {
                    writeln!(
                        self.out,
                        "{prefix}+++ exited with {} +++",
                        (status >> 8) & 0xff
                    )?;
                } else {
                    let core = if status & 0x80 != 0 {
                        " (core dumped)"
                    } else {
                        ""
                    };
                    writeln!(
                        self.out,
                        "{prefix}+++ killed by {}{core} +++",
                        signal_name(sig as u32)
                    )?;
                }
                self.live.remove(&tid);
                self.exec.remove(&tid);
            }
            BodyRef::Signal { signo, info, .. } if signo != 9 => {
                self.interrupt(Some(tid))?;
                let prefix = self.prefix(tid);
                writeln!(
                    self.out,
                    "{prefix}--- {} {} ---",
                    signal_name(signo as u32),
                    siginfo(signo, info)
                )?;
            }
            BodyRef::Fork { child_tid, .. } => {
                self.live.insert(tid);
                self.live.insert(child_tid);
            }
            BodyRef::Exec { filename, argv, .. } => {
                self.exec
                    .insert(tid, (filename.to_vec(), argv.map(<[u8]>::to_vec).collect()));
            }
            BodyRef::Lost { count } => {
                self.interrupt(None)?;
                writeln!(
                    self.out,
                    "{}<... {count} events lost here ...>",
                    self.prefix(tid)
                )?;
            }
            _ => {}
        }
        Ok(())
    }
}

fn generic_args(args: &[u64; 6]) -> String {
    args.iter()
        .map(|a| format!("{a:#x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1, ...}` from a kernel siginfo.
fn siginfo(signo: i32, info: &[u8]) -> String {
    let int = |at: usize| {
        info.get(at..at + 4)
            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    let long = |at: usize| {
        info.get(at..at + 8)
            .map(|b| i64::from_ne_bytes(b.try_into().unwrap_or([0; 8])))
    };
    let Some(code) = int(8) else {
        return format!("{{si_signo={}}}", signal_name(signo as u32));
    };
    let name = signal_name(signo as u32);
    let code_name = match (signo, code) {
        (17, 1) => "CLD_EXITED".to_owned(),
        (17, 2) => "CLD_KILLED".to_owned(),
        (17, 3) => "CLD_DUMPED".to_owned(),
        (17, 4) => "CLD_TRAPPED".to_owned(),
        (17, 5) => "CLD_STOPPED".to_owned(),
        (17, 6) => "CLD_CONTINUED".to_owned(),
        (_, 0) => "SI_USER".to_owned(),
        (_, 0x80) => "SI_KERNEL".to_owned(),
        (_, -1) => "SI_QUEUE".to_owned(),
        (_, -6) => "SI_TKILL".to_owned(),
        (_, c) => c.to_string(),
    };
    let pid = int(16).unwrap_or(0);
    let uid = int(20).unwrap_or(0);
    if signo == 17 && (1..=6).contains(&code) {
        let status = int(24).unwrap_or(0);
        let status = if code == 1 {
            status.to_string()
        } else {
            signal_name(status as u32)
        };
        format!(
            "{{si_signo={name}, si_code={code_name}, si_pid={pid}, si_uid={uid}, si_status={status}, si_utime={}, si_stime={}}}",
            long(32).unwrap_or(0),
            long(40).unwrap_or(0)
        )
    } else if code <= 0 {
        format!("{{si_signo={name}, si_code={code_name}, si_pid={pid}, si_uid={uid}}}")
    } else {
        format!(
            "{{si_signo={name}, si_code={code_name}, si_addr={:#x}}}",
            long(16).unwrap_or(0)
        )
    }
}
