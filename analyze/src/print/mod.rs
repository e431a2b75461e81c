//! The strace-style printer: what `strace -f` prints, from a replayed trace.
//!
//! Like strace, a call's line is started at its enter; when another task's
//! event comes first it is ended with ` <unfinished ...>` and the exit later
//! prints `<... name resumed>`. `[pid N] ` prefixes every line while more than
//! one task is traced. ` = ` results are aligned at column 40.
//!
//! Here: the entry points and the printer's state (prefixes, descriptors,
//! filters); `sink` turns each replayed call and event into lines; `options`
//! is what `show` was asked for.

use std::fmt::Write as _;
use std::{borrow::Cow, io::Write, rc::Rc};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use format::{Event, Trace};

use crate::{
    Call, Context, Error, Selection, Source,
    ahead::Ahead,
    decode::{CallView, FdTable, Xlat},
    replay,
    select::Quiet,
    status::ExitStatus,
    table,
    tasks::Tasks,
};

mod options;
mod sink;

/// The user instruction pointer recorded with a call's enter.
fn call_ip(enter: &Event) -> Option<u64> {
    let format::Body::SysEnter { captures, .. } = &enter.body else {
        return None;
    };
    let ip = captures.iter().find(|c| c.arg == abi::ARG_IP)?;
    Some(u64::from_le_bytes(ip.data.get(..8)?.try_into().ok()?))
}

use options::clock;
pub use options::{Clock, Precision, ShowOptions, TaskPrefix, TimeFormat};

/// Prints `trace` the way `strace -f` would.
pub fn print_strace(trace: &Trace, opts: &ShowOptions, out: &mut dyn Write) -> Result<(), Error> {
    let mut printer = StracePrinter::new(trace, opts, out);
    replay(trace, &opts.selection(), &mut printer)
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
    let threads: Vec<_> = index
        .threads
        .iter()
        .filter(|t| only.is_none_or(|o| t.tid == o))
        .collect();
    let tids: Vec<u32> = threads.iter().map(|t| t.tid.to_native()).collect();
    // Following descriptors takes every thread's events, in one replay.
    let mut texts = match opts.selection().follow_fds {
        true => Some(thread_texts(trace, &tids, opts)?.into_iter()),
        false => None,
    };
    for thread in threads {
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
        match texts.as_mut().and_then(Iterator::next) {
            Some(text) => out.write_all(&text)?,
            None => print_thread(trace, tid, opts, out)?,
        }
    }
    Ok(())
}

/// Prints thread `tid`'s calls, each on one whole line, without prefixes (a
/// block of `--thread`, or a file of strace -ff). It replays that thread's
/// events alone: with `-y`, see [`thread_texts`].
pub fn print_thread(
    trace: &Trace,
    tid: u32,
    opts: &ShowOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut events = opts.events.clone();
    events.tids = Some(vec![tid]);
    let mut printer = StracePrinter::for_thread(trace, opts, out);
    let selection = Selection {
        events: &events,
        ..opts.selection()
    };
    replay(trace, &selection, &mut printer)
}

/// What [`print_thread`] prints for each of `tids`, from one replay of
/// their processes and the processes those forked from, so that `-y` names
/// a descriptor whichever thread of its process opened it, or its parent
/// before the fork. The texts are held in memory until the replay ends.
pub fn thread_texts(
    trace: &Trace,
    tids: &[u32],
    opts: &ShowOptions,
) -> Result<Vec<Vec<u8>>, Error> {
    let index = trace.index();
    let parent: HashMap<u32, u32> = index
        .processes
        .iter()
        .map(|p| (p.pid.to_native(), p.ppid.to_native()))
        .collect();
    let mut pids: HashSet<u32> = HashSet::default();
    for thread in index.threads.iter() {
        if tids.contains(&thread.tid.to_native()) {
            let mut pid = thread.pid.to_native();
            while pid != 0 && pids.insert(pid) {
                pid = parent.get(&pid).copied().unwrap_or(0);
            }
        }
    }
    let mut events = opts.events.clone();
    let lineage = index
        .threads
        .iter()
        .filter(|t| pids.contains(&t.pid.to_native()))
        .map(|t| t.tid.to_native());
    events.tids = Some(match &opts.events.tids {
        // `--pid`, `--tid`: what they chose stays chosen.
        Some(chosen) => lineage
            .filter(|t| chosen.contains(t) || tids.contains(t))
            .collect(),
        None => lineage.collect(),
    });
    let mut texts = vec![Vec::new(); tids.len()];
    let mut outs: Vec<&mut dyn Write> = texts.iter_mut().map(|t| t as &mut dyn Write).collect();
    let printers = tids
        .iter()
        .zip(outs.iter_mut())
        .map(|(&tid, out)| (tid, StracePrinter::for_thread(trace, opts, &mut **out)))
        .collect();
    let selection = Selection {
        events: &events,
        ..opts.selection()
    };
    replay(trace, &selection, &mut sink::ByThread { printers })?;
    drop(outs);
    Ok(texts)
}

pub struct StracePrinter<'o> {
    opts: ShowOptions,
    /// The recording: its header, and once whole, its chunks to read ahead
    /// for a line cut short (see `ahead`).
    source: Source<'o>,
    /// The flag tables and struct layouts of the trace's architecture.
    xlat: &'static Xlat,
    anchor: format::ClockAnchor,
    /// Timestamp of the previous line, for `-r`.
    last_ts: Option<u64>,
    /// Print each call whole at its exit, never unfinished (`--thread`,
    /// `-e status=`, `-Z`, `-z`).
    whole_lines: bool,
    out: &'o mut dyn Write,
    /// The line being built, kept to reuse its allocation.
    line: String,
    /// Tasks alive now: more than one means `[pid N] ` prefixes.
    live: HashSet<u32>,
    /// A call entered but not yet printed: rendered whole at its exit, or as
    /// `<unfinished ...>` when another task's event comes first.
    open: Option<Open>,
    /// What of the open call is out already (a live view writes a call's
    /// start while it blocks, as strace does): the rest follows it.
    head: Option<String>,
    /// Tasks whose call prints whole at its exit though another line came
    /// first: a live view cannot read ahead what its enter failed to copy,
    /// so it does not print the call's start without it.
    whole_at_exit: HashSet<u32>,
    /// Each task's latest syscall, for `-n`.
    last_nr: HashMap<u32, i64>,
    /// Each task's latest call's instruction pointer, for `-i`.
    last_ip: HashMap<u32, u64>,
    /// Tasks whose latest call was made through the 32-bit ABI.
    in_compat: HashSet<u32>,
}

/// The call a line was started for.
struct Open {
    enter: Rc<Event>,
    name: Cow<'static, str>,
    syscall: Option<&'static table::Syscall>,
}

impl<'o> StracePrinter<'o> {
    /// The trace's constants, printed as `-X` asks.
    fn consts(&self) -> crate::decode::Consts {
        crate::decode::Consts {
            xlat: self.xlat,
            style: self.opts.decode.consts,
        }
    }

    /// A printer of one thread's calls, each on one whole line, without
    /// prefixes.
    fn for_thread(trace: &'o Trace, opts: &ShowOptions, out: &'o mut dyn Write) -> Self {
        let mut printer = Self::new(trace, opts, out);
        printer.whole_lines = true;
        printer.opts.prefix = TaskPrefix::None;
        printer
    }

    pub fn new(trace: &'o Trace, opts: &ShowOptions, out: &'o mut dyn Write) -> Self {
        Self::of(trace.into(), opts, out)
    }

    /// Writes out what the printer's output holds (a live view, between
    /// reads of the recording).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// A printer of a recording as far as `source` has it (one still being
    /// written: no reading ahead).
    pub fn of(source: Source<'o>, opts: &ShowOptions, out: &'o mut dyn Write) -> Self {
        Self {
            source,
            line: String::with_capacity(256),
            opts: opts.clone(),
            xlat: Xlat::of(&source.header.arch),
            anchor: source.header.clock.to_native(),
            last_ts: None,
            whole_lines: opts.calls.by_status(),
            out,
            live: HashSet::default(),
            open: None,
            head: None,
            whole_at_exit: HashSet::default(),
            last_nr: HashMap::default(),
            last_ip: HashMap::default(),
            in_compat: HashSet::default(),
        }
    }

    /// strace's line for a task whose call came through the other ABI than
    /// its last one: `[ Process PID=N runs in 32 bit mode. ]`, and back.
    fn personality(&mut self, tid: u32, nr: i64, context: &Context) -> Result<(), Error> {
        let compat = crate::syscalls::is_compat(&self.source.header.arch, nr);
        if !compat && self.in_compat.is_empty() {
            return Ok(());
        }
        let changed = if compat {
            self.in_compat.insert(tid)
        } else {
            self.in_compat.remove(&tid)
        };
        if changed && !self.opts.quiet.contains(&Quiet::Personality) {
            self.interrupt(None, context)?;
            let bits = if compat { 32 } else { 64 };
            self.close_open_call()?;
            writeln!(self.out, "[ Process PID={tid} runs in {bits} bit mode. ]")?;
        }
        Ok(())
    }

    /// `[pid N] ` while several tasks are traced, then the timestamp asked for.
    /// (`ip`: the line's user instruction pointer, for `-i`.)
    fn prefix(&mut self, tid: u32, ts: u64, ip: Option<u64>, tasks: &Tasks) -> String {
        let mut prefix = String::new();
        self.write_prefix(&mut prefix, tid, ts, ip, tasks);
        prefix
    }

    fn write_prefix(
        &mut self,
        prefix: &mut String,
        tid: u32,
        ts: u64,
        ip: Option<u64>,
        tasks: &Tasks,
    ) {
        // Without the formatting machinery: this runs for every line.
        let shown = match self.opts.ns_pids {
            true => tasks.ns_tid(tid).unwrap_or(tid),
            false => tid,
        };
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(shown);
        let padding = &"     "[digits.len().min(5)..];
        match self.opts.prefix {
            TaskPrefix::Terminal if self.live.len() > 1 => {
                prefix.push_str("[pid ");
                prefix.push_str(padding);
                prefix.push_str(digits);
                self.push_comm(prefix, tid, tasks);
                prefix.push_str("] ");
            }
            TaskPrefix::File => {
                prefix.push_str(digits);
                if self.opts.decode.pid_comms {
                    self.push_comm(prefix, tid, tasks);
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
        if self.opts.instruction_pointers {
            // As wide as the addresses of the task's ABI.
            let _ = match (ip, self.in_compat.contains(&tid)) {
                (Some(ip), false) => write!(prefix, "[{ip:016x}] "),
                (Some(ip), true) => write!(prefix, "[{ip:08x}] "),
                (None, false) => write!(prefix, "[????????????????] "),
                (None, true) => write!(prefix, "[????????] "),
            };
        }
        self.last_ts = Some(ts);
    }

    /// `<comm>` of task `pid` under `-Y` (empty when not asked or not known).
    fn comm_suffix(&self, pid: i32, tasks: &Tasks) -> String {
        let mut out = String::new();
        if let Ok(pid) = u32::try_from(pid) {
            self.push_comm(&mut out, pid, tasks);
        }
        out
    }

    /// `<comm>` of task `tid`, under `-Y`.
    fn push_comm(&self, out: &mut String, tid: u32, tasks: &Tasks) {
        if let Some(comm) = tasks.comm(tid).filter(|_| self.opts.decode.pid_comms) {
            out.push('<');
            out.push_str(comm);
            out.push('>');
        }
    }

    /// Another task's event: the open call (if it is not `tid`'s) is printed as
    /// far as its enter allows, and left unfinished.
    fn interrupt(&mut self, tid: Option<u32>, context: &Context) -> Result<(), Error> {
        if self.open.as_ref().is_some_and(|o| Some(o.enter.tid) != tid)
            && let Some(open) = self.open.take()
        {
            if self.head.take().is_some() {
                writeln!(self.out, " <unfinished ...>")?;
                return Ok(());
            }
            let ahead = match self.source.trace {
                Some(trace) => crate::ahead::look_ahead(trace, &open.enter),
                None if crate::ahead::reads_ahead(&open.enter) => {
                    self.whole_at_exit.insert(open.enter.tid);
                    return Ok(());
                }
                None => None,
            };
            let fds = context.fds.table(open.enter.pid);
            let args = self.enter_args(
                &open.enter,
                open.syscall,
                fds,
                &context.tasks,
                ahead.as_ref(),
            );
            let ip = call_ip(&open.enter);
            let mut text = self.prefix(open.enter.tid, open.enter.ts, ip, &context.tasks);
            let _ = write!(text, "{}({args} <unfinished ...>", open.name);
            writeln!(self.out, "{text}")?;
        }
        Ok(())
    }

    /// A live view, having read all there is for now: writes the start of
    /// the call left open (`read(0, `), as strace does while it blocks; its
    /// line ends when its exit or another line comes.
    pub fn show_open_call(&mut self, context: &Context) -> Result<(), Error> {
        // A start that needs the call's rest (see `interrupt`) waits for it.
        let Some(open) = self
            .open
            .as_ref()
            .filter(|o| self.head.is_none() && !crate::ahead::reads_ahead(&o.enter))
        else {
            return Ok(());
        };
        let (enter, name) = (Rc::clone(&open.enter), open.name.clone());
        let fds = context.fds.table(enter.pid);
        let args = self.enter_args(&enter, open.syscall, fds, &context.tasks, None);
        let mut text = self.prefix(enter.tid, enter.ts, call_ip(&enter), &context.tasks);
        let _ = write!(text, "{name}({args}");
        self.out.write_all(text.as_bytes())?;
        self.head = Some(text);
        Ok(())
    }

    /// Ends a call start already out (see [`Self::show_open_call`]) before a
    /// line of another kind: it is unfinished, and resumes later.
    fn close_open_call(&mut self) -> Result<(), Error> {
        if self.head.take().is_some() {
            self.open = None;
            writeln!(self.out, " <unfinished ...>")?;
        }
        Ok(())
    }

    /// Writes the line of the call left open: only its rest, where its start
    /// is out already.
    fn write_open_line(&mut self, text: &str) -> std::io::Result<()> {
        match self.head.take() {
            Some(head) if text.starts_with(&head) => {
                self.out.write_all(&text.as_bytes()[head.len()..])
            }
            // Its start reads otherwise now (a copy that faulted at enter):
            // the two apart.
            Some(_) => {
                self.out.write_all(b" <unfinished ...>\n")?;
                self.out.write_all(text.as_bytes())
            }
            None => self.out.write_all(text.as_bytes()),
        }
    }

    /// Whether `-e raw=` asks for call `name` undecoded.
    fn raw(&self, name: &str) -> bool {
        !self.opts.raw.is_none() && self.opts.raw.contains(name)
    }

    /// The start of the line of a call that ends without its exit: its
    /// enter part where its line is still open (or lines are whole), else
    /// `<... name resumed>`.
    fn ended_part(&mut self, call: &Call<'_>) -> Result<String, Error> {
        let tid = call.enter.tid;
        self.interrupt(Some(tid), call.context)?;
        let open = self.open.take_if(|o| o.enter.tid == tid).is_some();
        if open || self.whole_lines || self.whole_at_exit.remove(&tid) {
            return Ok(self.enter_part(call));
        }
        let ip = call_ip(call.enter);
        let mut text = self.prefix(tid, call.enter.ts, ip, &call.context.tasks);
        let _ = write!(text, "<... {} resumed>", call.name);
        Ok(text)
    }

    /// `name(` and the arguments known at enter (followed by `, ` if more come).
    fn enter_part(&mut self, call: &Call<'_>) -> String {
        let tasks = &call.context.tasks;
        let ip = call_ip(call.enter);
        let mut text = self.prefix(call.enter.tid, call.enter.ts, ip, tasks);
        text.push_str(&call.name);
        text.push('(');
        text.push_str(&self.enter_args(call.enter, call.syscall, call.fds, tasks, None));
        text
    }

    /// The arguments known at enter (followed by `, ` if more come).
    fn enter_args(
        &self,
        enter: &Event,
        syscall: Option<&'static table::Syscall>,
        fds: Option<&FdTable>,
        tasks: &Tasks,
        ahead: Option<&Ahead>,
    ) -> String {
        let format::Body::SysEnter { args, .. } = &enter.body else {
            return String::new();
        };
        if let Some(raw) = syscall.filter(|s| self.raw(s.name)) {
            return raw_args(args, raw.args.len());
        }
        let mut text = String::new();
        match syscall.and_then(|s| CallView::new(self.xlat, s, enter, None)) {
            Some(mut view) => {
                view.exec = tasks.exec(enter.tid);
                if let Some(ahead) = ahead {
                    view.exec = ahead.exec.as_ref().or(view.exec);
                    view.retried = &ahead.retried;
                }
                view.fds = fds;
                view.comms = Some(tasks.comms());
                let split = view.exit_split();
                let decode = self.opts.decoding(view.syscall.name);
                view.render_args(&mut text, 0..split, &decode);
                if split < view.syscall.args.len() && split > 0 && view.separates_exit_part() {
                    text.push_str(", ");
                }
            }
            None => text.push_str(&generic_args(args)),
        }
        text
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

/// A call the table does not know: its six registers in hex, as C's `%#lx`
/// prints them (`0` for zero).
fn generic_args(args: &[u64; 6]) -> String {
    raw_args(args, args.len())
}

/// The first `count` registers in hex (`-e raw=`, or a call the table does
/// not know).
fn raw_args(args: &[u64; 6], count: usize) -> String {
    args.iter()
        .take(count)
        .map(|&a| match a {
            0 => "0".to_owned(),
            a => format!("{a:#x}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
