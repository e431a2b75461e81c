//! The strace-style printer: what `strace -f` prints, from a replayed trace.
//!
//! Like strace, a call's line is started at its enter; when another task's
//! event comes first it is ended with ` <unfinished ...>` and the exit later
//! prints `<... name resumed>`. `[pid N] ` prefixes every line while more than
//! one task is traced. ` = ` results are aligned at column 40.

use std::fmt::Write as _;
use std::{borrow::Cow, io::Write, rc::Rc};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use format::{BodyRef, Event, EventRef, Filter, Trace};

use crate::{
    Error, TraceSink,
    decode::{CallView, Options, signal_name},
    fds::{self, FdTracker},
    replay,
    select::{CallFilter, Quiet, Set, Status},
    status::ExitStatus,
    syscalls, table,
};

/// How `show` prints, beyond decoding: strace's options applied at show time.
#[derive(Clone, Debug)]
pub struct ShowOptions {
    pub decode: Options,
    /// `-e trace=`, `-e status=` (`-Z`, `-z`).
    pub calls: CallFilter,
    pub time: TimeFormat,
    /// `-T`: the time spent in each call.
    pub durations: Option<Precision>,
    /// `--pid`/`--tid`, `--since`/`--until`.
    pub events: Filter,
    /// `-a`: the column at which ` = result` starts.
    pub result_column: usize,
    /// `-n`: each call's number, `[  NR] `, before its name.
    pub syscall_numbers: bool,
    /// How lines name their task.
    pub prefix: TaskPrefix,
    /// `-e signal=`: which `--- SIG... ---` lines print.
    pub signals: Set<u32>,
    /// `-e quiet=`, `-q`: which messages do not.
    pub quiet: Set<Quiet>,
    /// `-e read=`, `-e write=`: descriptors whose data is dumped in hex.
    pub dump_reads: Set<i64>,
    pub dump_writes: Set<i64>,
    /// `-P`: only calls that name one of these paths, or use a descriptor
    /// that refers to one.
    pub paths: Vec<Vec<u8>>,
}

impl Default for ShowOptions {
    fn default() -> Self {
        Self {
            decode: Options::default(),
            calls: CallFilter::default(),
            time: TimeFormat::default(),
            durations: None,
            events: Filter::default(),
            result_column: 40,
            syscall_numbers: false,
            prefix: TaskPrefix::Terminal,
            signals: Set::all(),
            quiet: Set::none(),
            dump_reads: Set::none(),
            dump_writes: Set::none(),
            paths: Vec::new(),
        }
    }
}

/// How each line names its task, as strace -f does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskPrefix {
    /// `[pid  1234] ` once more than one task is traced (strace on a terminal).
    Terminal,
    /// `1234  ` on every line (strace -f -o FILE).
    File,
    /// None (one thread's own file, strace -ff).
    None,
}

/// strace's `-t`, `-tt`, `-ttt` (`--absolute-timestamps`) and `-r`
/// (`--relative-timestamps`): either, both or neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeFormat {
    /// The time of day or Unix time of each line.
    pub absolute: Option<(Clock, Precision)>,
    /// The time since the previous line.
    pub relative: Option<Precision>,
}

/// Which clock `-t` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The local time of day (`-t`, `-tt`).
    Time,
    /// Seconds since the epoch (`-ttt`).
    Unix,
}

/// How finely a time is printed: strace's s, ms, us, ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    S,
    Ms,
    Us,
    Ns,
}

impl Precision {
    /// strace's name of a precision.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "s" => Precision::S,
            "ms" => Precision::Ms,
            "us" => Precision::Us,
            "ns" => Precision::Ns,
            _ => return None,
        })
    }

    /// `.123` for ms, nothing for s: the fraction of a second, truncated.
    fn fraction(self, nanos: u64) -> String {
        match self {
            Precision::S => String::new(),
            Precision::Ms => format!(".{:03}", nanos / 1_000_000),
            Precision::Us => format!(".{:06}", nanos / 1000),
            Precision::Ns => format!(".{nanos:09}"),
        }
    }

    /// A duration: seconds, then the fraction.
    fn duration(self, ns: u64, width: usize) -> String {
        format!(
            "{:>width$}{}",
            ns / 1_000_000_000,
            self.fraction(ns % 1_000_000_000)
        )
    }
}

/// Prints `trace` the way `strace -f` would.
pub fn print_strace(trace: &Trace, opts: &ShowOptions, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = StracePrinter::new(trace, opts, out);
    replay(trace, &opts.events, &mut printer)?;
    printer.finish()
}

/// Prints one block per thread, ordered by start (`--thread`), or only thread
/// `only`: a header, then every call on one whole line.
pub fn print_threads(
    trace: &Trace,
    only: Option<u32>,
    opts: &ShowOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let index = trace.index();
    for thread in index
        .threads
        .iter()
        .filter(|t| only.is_none_or(|o| t.tid == o))
    {
        let (tid, pid) = (thread.tid.to_native(), thread.pid.to_native());
        let process = index.processes.iter().find(|p| p.pid == pid);
        let comm = process.map_or(String::new(), |p| {
            String::from_utf8_lossy(&p.comm).into_owned()
        });
        let exe = process.map_or(String::new(), |p| {
            String::from_utf8_lossy(&p.filename).into_owned()
        });
        let anchor = trace.header().clock.to_native();
        let when = |ts: u64| clock(anchor.unix_ns(ts), Clock::Time, Precision::Us);
        let end = match thread.exit_status.as_ref() {
            Some(s) => ExitStatus(s.to_native()).to_string(),
            None => "still running when recording stopped".to_owned(),
        };
        writeln!(
            out,
            "=== thread {tid} of process {pid} ({comm}, {exe}): {} to {}, {end} ===",
            when(thread.first_ts.to_native()).trim_end(),
            when(thread.last_ts.to_native()).trim_end(),
        )?;
        print_thread(trace, tid, opts, out)?;
    }
    Ok(())
}

/// Prints thread `tid`'s calls, each on one whole line, without prefixes (a
/// block of `--thread`, or a file of strace -ff).
pub fn print_thread(
    trace: &Trace,
    tid: u32,
    opts: &ShowOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut events = opts.events.clone();
    events.tids = Some(vec![tid]);
    let mut printer = StracePrinter::new(trace, opts, out);
    printer.whole_lines = true;
    printer.opts.prefix = TaskPrefix::None;
    replay(trace, &events, &mut printer)?;
    printer.finish()
}

/// Wall-clock text of `unix_ns` (local time of day or Unix time), then a space.
fn clock(unix_ns: i64, clock: Clock, precision: Precision) -> String {
    let secs = unix_ns.div_euclid(1_000_000_000);
    let nanos = unix_ns.rem_euclid(1_000_000_000) as u32;
    let fraction = precision.fraction(u64::from(nanos));
    match clock {
        Clock::Unix => format!("{secs}{fraction} "),
        Clock::Time => match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(utc) => {
                let local = utc.with_timezone(&chrono::Local);
                format!("{}{fraction} ", local.format("%H:%M:%S"))
            }
            None => String::new(),
        },
    }
}

pub struct StracePrinter<'o> {
    opts: ShowOptions,
    anchor: format::ClockAnchor,
    /// Timestamp of the previous line, for `-r`.
    last_ts: Option<u64>,
    /// Print each call whole at its exit, never unfinished (`--thread`,
    /// `-e status=`, `-Z`, `-z`).
    whole_lines: bool,
    out: &'o mut dyn Write,
    /// The line being built, kept to reuse its allocation.
    line: String,
    /// Names and table entries by syscall number, for this trace's arch.
    names: Vec<Option<&'static str>>,
    syscalls: Vec<Option<&'static table::Syscall>>,
    /// Tasks alive now: more than one means `[pid N] ` prefixes.
    live: HashSet<u32>,
    /// A call entered but not yet printed: rendered whole at its exit, or as
    /// `<unfinished ...>` when another task's event comes first.
    open: Option<Rc<Event>>,
    /// Each process's descriptors, for `-y` and `-P`.
    fds: FdTracker,
    /// Follow descriptors: `-y` or `-P` needs them.
    track_fds: bool,
    /// Each task's command name, for `-Y`: the index's, then each exec's.
    comms: HashMap<u32, String>,
    /// Processes that ended and are not yet reaped, for `-Y`.
    zombies: HashSet<u32>,
    /// Each task's latest syscall, for `-n`.
    last_nr: HashMap<u32, i64>,
    /// Filename and argv of each thread's latest exec, for an execve whose
    /// copy faulted.
    exec: HashMap<u32, (Vec<u8>, Vec<Vec<u8>>)>,
}

impl<'o> StracePrinter<'o> {
    pub fn new(trace: &Trace, opts: &ShowOptions, out: &'o mut dyn Write) -> Self {
        let arch = trace.header().arch.as_str();
        let numbers = 0..1024;
        Self {
            line: String::with_capacity(256),
            names: numbers.clone().map(|nr| syscalls::name(arch, nr)).collect(),
            syscalls: numbers.map(|nr| table::lookup(arch, nr)).collect(),
            opts: opts.clone(),
            anchor: trace.header().clock.to_native(),
            last_ts: None,
            whole_lines: opts.calls.by_status(),
            out,
            live: HashSet::default(),
            open: None,
            exec: Default::default(),
            fds: Default::default(),
            track_fds: opts.decode.fd_paths || !opts.paths.is_empty(),
            last_nr: HashMap::default(),
            zombies: HashSet::default(),
            comms: if opts.decode.pid_comms {
                commands(trace)
            } else {
                HashMap::default()
            },
        }
    }

    /// Ends a line left open at the end of the trace.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.interrupt(None)
    }

    /// `[pid N] ` while several tasks are traced, then the timestamp asked for.
    fn prefix(&mut self, tid: u32, ts: u64) -> String {
        let mut prefix = String::new();
        self.write_prefix(&mut prefix, tid, ts);
        prefix
    }

    fn write_prefix(&mut self, prefix: &mut String, tid: u32, ts: u64) {
        // Without the formatting machinery: this runs for every line.
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(tid);
        let padding = &"     "[digits.len().min(5)..];
        match self.opts.prefix {
            TaskPrefix::Terminal if self.live.len() > 1 => {
                prefix.push_str("[pid ");
                prefix.push_str(padding);
                prefix.push_str(digits);
                self.push_comm(prefix, tid);
                prefix.push_str("] ");
            }
            TaskPrefix::File => {
                prefix.push_str(digits);
                if self.opts.decode.pid_comms {
                    self.push_comm(prefix, tid);
                } else {
                    prefix.push_str(padding);
                }
                prefix.push(' ');
            }
            TaskPrefix::Terminal | TaskPrefix::None => {}
        }
        let wall = self.anchor.unix_ns(ts);
        if let Some((kind, precision)) = self.opts.time.absolute {
            prefix.push_str(&clock(wall, kind, precision));
        }
        if let Some(precision) = self.opts.time.relative {
            let delta = precision.duration(ts.saturating_sub(self.last_ts.unwrap_or(ts)), 6);
            match self.opts.time.absolute {
                Some(_) => prefix.push_str(&format!("(+{delta}) ")),
                None => prefix.push_str(&format!("{delta} ")),
            }
        }
        if self.opts.syscall_numbers {
            // strace's leader: the task's latest syscall, on every line.
            let nr = self.last_nr.get(&tid).copied().unwrap_or(0);
            let _ = write!(prefix, "[{nr:>4}] ");
        }
        self.last_ts = Some(ts);
    }

    /// A thread that ended is gone; a process stays, a zombie, until its
    /// parent reaps it (strace names it until then: `si_pid=1234<sh>`).
    fn forget_comm(&mut self, tid: u32, pid: u32) {
        if tid == pid {
            self.zombies.insert(tid);
        } else {
            self.comms.remove(&tid);
        }
    }

    /// `<comm>` of task `pid` under `-Y` (empty when not asked or not known).
    fn comm_suffix(&self, pid: i32) -> String {
        let mut out = String::new();
        if let Ok(pid) = u32::try_from(pid) {
            self.push_comm(&mut out, pid);
        }
        out
    }

    /// `<comm>` of task `tid`, under `-Y`.
    fn push_comm(&self, out: &mut String, tid: u32) {
        if let Some(comm) = self.comms.get(&tid).filter(|_| self.opts.decode.pid_comms) {
            out.push('<');
            out.push_str(comm);
            out.push('>');
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
        }
        Ok(())
    }

    /// `name(` and the arguments known at enter (followed by `, ` if more come).
    fn enter_part(&mut self, enter: &Event) -> String {
        let format::Body::SysEnter { nr, args, .. } = &enter.body else {
            return String::new();
        };
        let mut text = self.prefix(enter.tid, enter.ts);
        text.push_str(&self.name(*nr));
        text.push('(');
        match self
            .syscall(*nr)
            .and_then(|s| CallView::new(s, enter, None))
        {
            Some(mut view) => {
                view.exec = self.exec.get(&enter.tid);
                view.fds = self.fds.table(enter.pid);
                view.comms = Some(&self.comms);
                let split = view.exit_split();
                view.render_args(&mut text, 0..split, &self.opts.decode);
                if split < view.syscall.args.len() && split > 0 {
                    text.push_str(", ");
                }
            }
            None => text.push_str(&generic_args(args)),
        }
        text
    }

    fn name(&self, nr: i64) -> Cow<'static, str> {
        match usize::try_from(nr)
            .ok()
            .and_then(|n| self.names.get(n))
            .copied()
            .flatten()
        {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(syscalls::unknown(nr)),
        }
    }

    /// The table entry of syscall `nr` (looked up once per number).
    fn syscall(&self, nr: i64) -> Option<&'static table::Syscall> {
        usize::try_from(nr)
            .ok()
            .and_then(|n| self.syscalls.get(n))
            .copied()
            .flatten()
    }

    /// Follows what a call that is not printed did to its process's
    /// descriptors, so that `-y` still names them right afterwards.
    fn follow_fds(&mut self, enter: &Event, exit: Option<EventRef<'_>>) {
        let format::Body::SysEnter { nr, .. } = enter.body else {
            return;
        };
        let Some(mut view) = self.syscall(nr).and_then(|s| CallView::new(s, enter, exit)) else {
            return;
        };
        view.fds = self.fds.table(enter.pid);
        let changes = fds::changes(&view);
        self.fds.apply(enter.pid, changes);
    }

    /// Whether the call `enter` starts is shown at all (`-e trace=`, `-P`).
    fn wanted(&self, enter: &Event) -> bool {
        match &enter.body {
            format::Body::SysEnter { nr, .. } => {
                self.opts.calls.wants_name(&self.name(*nr))
                    && (self.opts.paths.is_empty() || self.touches_paths(enter, *nr))
            }
            _ => false,
        }
    }

    /// `-P`: whether the call names one of the paths, or uses a descriptor
    /// that refers to one (as the recorded opens, dups and closes left it).
    fn touches_paths(&self, enter: &Event, nr: i64) -> bool {
        let Some(view) = self.syscall(nr).and_then(|s| CallView::new(s, enter, None)) else {
            return false;
        };
        let fds = self.fds.table(enter.pid);
        let wanted = |name: &[u8]| self.opts.paths.iter().any(|p| p == name);
        view.syscall
            .args
            .iter()
            .enumerate()
            .any(|(i, arg)| match arg {
                table::Arg::Path => view.path(i).is_some_and(|p| wanted(&p)),
                table::Arg::Fd | table::Arg::DirFd => fds
                    .and_then(|t| t.get(&(view.args[i] as i32 as i64)))
                    .is_some_and(|e| wanted(&e.name)),
                _ => false,
            })
    }

    /// Pads `line` to the result column and appends `= `.
    fn pad_to_result(&self, line: &mut String) {
        let width = if line.is_ascii() {
            line.len()
        } else {
            line.chars().count()
        };
        let pad = self.opts.result_column.saturating_sub(width).max(1);
        for _ in 0..pad {
            line.push(' ');
        }
        line.push_str("= ");
    }

    /// Pads `line` to the result column and appends the result.
    fn with_result(&self, mut line: String, result: &str) -> String {
        self.pad_to_result(&mut line);
        line.push_str(result);
        line
    }

    /// `-e read=`/`-e write=`: strace's hex and text dump of the data the call
    /// moved through a chosen descriptor, as far as it was captured.
    fn dump(&self, text: &mut String, view: &CallView<'_>) {
        let fd = view.args[0] as i32 as i64;
        let chosen = match view.syscall.io() {
            Some(table::Io::Read) => self.opts.dump_reads.contains(&fd),
            Some(table::Io::Write) => self.opts.dump_writes.contains(&fd),
            None => false,
        };
        let Some(io) = view.io_buffers().filter(|_| chosen) else {
            return;
        };
        for (k, (data, moved)) in io.buffers.iter().enumerate() {
            if io.vectored {
                let _ = writeln!(text, " * {moved} bytes in buffer {k}");
            }
            let data = data.unwrap_or_default();
            let shown = &data[..data
                .len()
                .min(usize::try_from(*moved).unwrap_or(usize::MAX))];
            hex_dump(text, shown);
            if (shown.len() as u64) < *moved {
                let _ = writeln!(
                    text,
                    " | ... {} more bytes not captured (the recording kept {}) |",
                    moved - shown.len() as u64,
                    shown.len()
                );
            }
        }
        if io.uncopied > 0 {
            let _ = writeln!(
                text,
                " * {} more bytes in iovecs the recording did not copy",
                io.uncopied
            );
        }
    }
}

/// strace's dump: ` | 00000  68 65 6c 6c 6f 0a  ...  hello.   |`, 16 bytes a line.
fn hex_dump(out: &mut String, data: &[u8]) {
    for (line, bytes) in data.chunks(16).enumerate() {
        let _ = write!(out, " | {:05x}  ", line * 16);
        for i in 0..16 {
            if i == 8 {
                out.push(' ');
            }
            match bytes.get(i) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
        }
        out.push(' ');
        for i in 0..16 {
            out.push(match bytes.get(i) {
                Some(&b) if (0x20..0x7f).contains(&b) => b as char,
                Some(_) => '.',
                None => ' ',
            });
        }
        out.push_str(" |\n");
    }
}

/// Each task's command name as the index knows it (its last).
fn commands(trace: &Trace) -> HashMap<u32, String> {
    let index = trace.index();
    let comm_of = |pid: u32| {
        index
            .processes
            .iter()
            .find(|p| p.pid == pid)
            .map(|p| String::from_utf8_lossy(&p.comm).into_owned())
    };
    index
        .threads
        .iter()
        .filter_map(|t| Some((t.tid.to_native(), comm_of(t.pid.to_native())?)))
        .collect()
}

impl TraceSink for StracePrinter<'_> {
    fn enter(&mut self, enter: &Rc<Event>) -> Result<(), Error> {
        if self.opts.syscall_numbers
            && let format::Body::SysEnter { nr, .. } = enter.body
        {
            self.last_nr.insert(enter.tid, nr);
        }
        if !self.wanted(enter) {
            return Ok(());
        }
        self.live.insert(enter.tid);
        if self.whole_lines {
            return Ok(());
        }
        self.interrupt(Some(enter.tid))?;
        self.open = Some(Rc::clone(enter));
        Ok(())
    }

    fn call(&mut self, call: &crate::Call<'_>) -> Result<(), Error> {
        let enter = call.enter;
        let tid = enter.tid;
        let ret = call.exit.and_then(|e| e.ret());
        if !self.wanted(enter) || !self.opts.calls.wants_result(ret) {
            if self.track_fds {
                self.follow_fds(enter, call.exit);
            }
            return Ok(());
        }
        self.interrupt(Some(tid))?;
        let format::Body::SysEnter { nr, args, .. } = &enter.body else {
            return Ok(());
        };
        // Whole line, or the part after `<... name resumed>`.
        let whole = self.whole_lines || self.open.take_if(|e| e.tid == tid).is_some();
        let exit_ts = call.exit.map_or(enter.ts, |e| e.ts);
        // One buffer for every line: no allocation per call.
        let mut text = std::mem::take(&mut self.line);
        text.clear();
        self.write_prefix(&mut text, tid, if whole { enter.ts } else { exit_ts });
        let view = self
            .syscall(*nr)
            .and_then(|s| CallView::new(s, enter, call.exit));
        let mut dump = String::new();
        let (changes, fd_result) = match view {
            Some(mut view) => {
                view.exec = self.exec.get(&tid);
                view.fds = self.fds.table(enter.pid);
                // A call that returns an ended process's pid reaped it.
                if view.syscall.ret == table::Ret::Pid
                    && let Some(pid) = ret.and_then(|r| u32::try_from(r).ok())
                    && self.zombies.remove(&pid)
                {
                    self.comms.remove(&pid);
                }
                view.comms = Some(&self.comms);
                let all = view.syscall.args.len();
                let split = view.exit_split();
                if whole {
                    text.push_str(&self.name(*nr));
                    text.push('(');
                    view.render_args(&mut text, 0..all, &self.opts.decode);
                } else {
                    let _ = write!(text, "<... {} resumed>", self.name(*nr));
                    let mut rest = String::new();
                    view.render_args(&mut rest, split..all, &self.opts.decode);
                    text.push_str(rest.strip_prefix(", ").unwrap_or(&rest));
                }
                text.push(')');
                self.pad_to_result(&mut text);
                // A returned descriptor is named as the call left the table (below).
                let plain = Options {
                    fd_paths: false,
                    ..self.opts.decode
                };
                view.render_ret(&mut text, &plain);
                self.dump(&mut dump, &view);
                let changes = if self.track_fds {
                    fds::changes(&view)
                } else {
                    Vec::new()
                };
                let fd_result = (view.syscall.ret == table::Ret::Fd)
                    .then_some(ret)
                    .flatten();
                (changes, fd_result)
            }
            None => {
                if whole {
                    let _ = write!(text, "{}({}", self.name(*nr), generic_args(args));
                } else {
                    let _ = write!(text, "<... {} resumed>", self.name(*nr));
                }
                text.push(')');
                self.pad_to_result(&mut text);
                let _ = match ret.map(|r| (r, syscalls::errno(r))) {
                    Some((_, Some((name, desc)))) => write!(text, "-1 {name} ({desc})"),
                    Some((ret, None)) => write!(text, "{ret}"),
                    None => write!(text, "?"),
                };
                (Vec::new(), None)
            }
        };
        if self.track_fds {
            self.fds.apply(enter.pid, changes);
        }
        if self.opts.decode.fd_paths
            && let Some(entry) = fd_result
                .filter(|fd| *fd >= 0)
                .and_then(|fd| self.fds.table(enter.pid)?.get(&fd))
        {
            let _ = write!(text, "<{}>", String::from_utf8_lossy(&entry.name));
        }
        if let Some(precision) = self.opts.durations {
            let spent = exit_ts.saturating_sub(enter.ts);
            let _ = write!(text, " <{}>", precision.duration(spent, 0));
        }
        text.push('\n');
        text.push_str(&dump);
        let written = self.out.write_all(text.as_bytes());
        self.line = text;
        written?;
        Ok(())
    }

    /// exit_group never returns: strace ends its line with ` = ?` (a whole
    /// line, or the line left open at its enter).
    fn unreturned(&mut self, enter: &Event, _end: &EventRef<'_>) -> Result<(), Error> {
        if !self.wanted(enter) || !self.opts.calls.wants_result(None) {
            return Ok(());
        }
        self.interrupt(Some(enter.tid))?;
        let open = self.open.take_if(|e| e.tid == enter.tid);
        if open.is_some() || self.whole_lines {
            let mut text = self.enter_part(enter);
            if text.ends_with(", ") {
                text.truncate(text.len() - 2);
            }
            writeln!(self.out, "{}", self.with_result(text + ")", "?"))?;
        }
        Ok(())
    }

    /// A call whose exit was lost: `= ? <unavailable>`, as strace ends a call
    /// whose result it could not read.
    fn unavailable(&mut self, enter: &Event) -> Result<(), Error> {
        if !self.wanted(enter) || !self.opts.calls.status.contains(&Status::Unavailable) {
            return Ok(());
        }
        self.interrupt(Some(enter.tid))?;
        let open = self.open.take_if(|e| e.tid == enter.tid).is_some();
        // What was printed at its enter, as strace leaves it: `read(3, ) = ?`.
        let mut text = if open || self.whole_lines {
            self.enter_part(enter)
        } else {
            // Its start was printed `<unfinished ...>`.
            let format::Body::SysEnter { nr, .. } = enter.body else {
                return Ok(());
            };
            let mut text = self.prefix(enter.tid, enter.ts);
            let _ = write!(text, "<... {} resumed>", self.name(nr));
            text
        };
        text.push(')');
        writeln!(self.out, "{}", self.with_result(text, "? <unavailable>"))?;
        Ok(())
    }

    /// Under `-e status=detached`: the call as far as its enter goes.
    fn detached(&mut self, enter: &Event) -> Result<(), Error> {
        if !self.opts.calls.by_status()
            || !self.opts.calls.status.contains(&Status::Detached)
            || !self.wanted(enter)
        {
            return Ok(());
        }
        let text = self.enter_part(enter);
        writeln!(self.out, "{text} <detached ...>")?;
        Ok(())
    }

    fn event(&mut self, event: &EventRef<'_>) -> Result<(), Error> {
        let tid = event.tid;
        self.fds.event(event);
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
                self.exec.remove(&tid);
                self.forget_comm(tid, event.pid);
            }
            BodyRef::TaskExit { status } => {
                self.interrupt(Some(tid))?;
                let prefix = self.prefix(tid, event.ts);
                let status = ExitStatus(status);
                let core = if status.core_dumped() {
                    " (core dumped)"
                } else {
                    ""
                };
                writeln!(self.out, "{prefix}+++ {status}{core} +++")?;
                self.live.remove(&tid);
                self.exec.remove(&tid);
                self.forget_comm(tid, event.pid);
            }
            BodyRef::Signal { signo, info, .. }
                if signo != 9 && self.opts.signals.contains(&(signo as u32)) =>
            {
                self.interrupt(Some(tid))?;
                let prefix = self.prefix(tid, event.ts);
                writeln!(
                    self.out,
                    "{prefix}--- {} {} ---",
                    signal_name(signo as u32),
                    siginfo(signo, info, |pid| self.comm_suffix(pid))
                )?;
            }
            BodyRef::Fork { child_tid, .. } => {
                self.live.insert(tid);
                self.live.insert(child_tid);
                if let Some(comm) = self.comms.get(&tid).cloned() {
                    self.comms.insert(child_tid, comm);
                }
            }
            BodyRef::Exec { filename, argv, .. } => {
                if self.opts.decode.pid_comms {
                    // The kernel's comm: the file's name, cut at 15 bytes.
                    let base = filename.rsplit(|&b| b == b'/').next().unwrap_or_default();
                    let comm = String::from_utf8_lossy(&base[..base.len().min(15)]);
                    self.comms.insert(tid, comm.into_owned());
                }
                self.exec
                    .insert(tid, (filename.to_vec(), argv.map(<[u8]>::to_vec).collect()));
            }
            BodyRef::Lost { count } => {
                self.interrupt(None)?;
                let prefix = self.prefix(tid, event.ts);
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

fn generic_args(args: &[u64; 6]) -> String {
    args.iter()
        .map(|a| format!("{a:#x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1, ...}` from a kernel siginfo.
fn siginfo(signo: i32, info: &[u8], comm: impl Fn(i32) -> String) -> String {
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
    let pid = format!("{pid}{}", comm(pid));
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
