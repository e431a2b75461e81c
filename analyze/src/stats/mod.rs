//! `systrace stats`: summaries of a recording, strace `-c`'s table and more.
//!
//! Data flow: [`tally`] reads the chunks in parallel and counts each one on its
//! own ([`Tally`]), pairing every thread's enters and exits inside the chunk;
//! a call that straddles chunks is paired while the chunks' tallies are merged
//! in file order (`Edges`). Only what a view needs is counted, so the default
//! table costs little more than reading. The per-file view needs every
//! process's descriptors in call order, so [`files`] replays the trace instead.
//! [`report`] turns the counts into text and JSON; [`view`] puts together
//! what one `stats` request prints.

pub mod files;
mod latency;
pub mod report;
pub mod stacks;
pub mod view;

use rustc_hash::FxHashMap;

use format::{BodyRef, Chunk, Filter, Trace};

pub use latency::Histogram;

use crate::{Error, select::CallFilter, syscalls, table};

/// What to count, besides calls, errors and time per syscall.
#[derive(Clone, Debug, Default)]
pub struct Want {
    /// Latency histograms per syscall (percentiles, `--hist`).
    pub latency: bool,
    pub processes: bool,
    pub threads: bool,
    pub errnos: bool,
    /// mmap sizes and kinds (`--mmap`).
    pub mmap: bool,
}

/// Calls, failed calls and time spent (enter to exit) of one row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub calls: u64,
    pub errors: u64,
    pub ns: u64,
    /// The shortest and longest call (when `calls` > 0).
    pub min_ns: u64,
    pub max_ns: u64,
}

impl Row {
    fn add(&mut self, failed: bool, ns: u64) {
        self.min_ns = if self.calls == 0 {
            ns
        } else {
            self.min_ns.min(ns)
        };
        self.max_ns = self.max_ns.max(ns);
        self.calls += 1;
        self.errors += u64::from(failed);
        // Saturating: a timestamp a corrupt file made up must not wrap.
        self.ns = self.ns.saturating_add(ns);
    }

    pub(crate) fn merge(&mut self, other: &Row) {
        if other.calls == 0 {
            return;
        }
        self.min_ns = if self.calls == 0 {
            other.min_ns
        } else {
            self.min_ns.min(other.min_ns)
        };
        self.max_ns = self.max_ns.max(other.max_ns);
        self.calls += other.calls;
        self.errors += other.errors;
        self.ns = self.ns.saturating_add(other.ns);
    }

    /// Mean time per call.
    pub fn avg_ns(&self) -> u64 {
        self.ns.checked_div(self.calls).unwrap_or(0)
    }
}

/// The mappings made by mmap: how many, of what size and kind, by whom.
#[derive(Clone, Debug, Default)]
pub struct Mappings {
    pub sizes: Histogram,
    pub private: u64,
    pub shared: u64,
    pub anonymous: u64,
    pub file_backed: u64,
}

/// Counts of one chunk, or (merged) of the whole trace.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// By the syscall number's [`abi::call_index`] (see [`Tally::row`]).
    pub syscalls: Vec<Row>,
    pub latency: Vec<Option<Histogram>>,
    /// By pid, and by tid (with the pid).
    pub processes: FxHashMap<u32, Row>,
    pub threads: FxHashMap<u32, (u32, Row)>,
    /// Failed calls by (syscall number, errno).
    pub errnos: FxHashMap<(i64, i64), u64>,
    pub mappings: Mappings,
}

/// One returned call, as the tally sees it.
struct Call {
    tid: u32,
    pid: u32,
    nr: i64,
    args: [u64; 6],
    ret: i64,
    ns: u64,
}

/// What the tally counts, fixed for a run: the options and the trace's names.
pub struct Plan {
    want: Want,
    /// Whether calls of each syscall number are counted (`-e trace=`).
    counted: Vec<bool>,
    calls: CallFilter,
    events: Filter,
    mmap_nr: Option<i64>,
}

impl Plan {
    pub fn new(trace: &Trace, calls: &CallFilter, events: &Filter, want: Want) -> Self {
        let arch = trace.header().arch.as_str();
        let counted = (0..abi::CALL_INDEXES)
            .map(|index| {
                let nr = abi::call_at(index);
                calls.wants_syscall(
                    &syscalls::display_name(arch, nr),
                    syscalls::is_compat(arch, nr),
                )
            })
            .collect();
        Self {
            want,
            counted,
            calls: calls.clone(),
            events: events.clone(),
            mmap_nr: syscalls::number(arch, "mmap"),
        }
    }
}

impl Tally {
    fn add(&mut self, plan: &Plan, call: &Call) {
        let Some(nr) = syscalls::index(call.nr) else {
            return;
        };
        if !plan.counted.get(nr).copied().unwrap_or(false)
            || !plan.calls.wants_result(Some(call.ret))
        {
            return;
        }
        let failed = syscalls::failed(call.ret);
        if self.syscalls.len() <= nr {
            self.syscalls.resize(nr + 1, Row::default());
        }
        self.syscalls[nr].add(failed, call.ns);
        let want = &plan.want;
        if want.latency {
            if self.latency.len() <= nr {
                self.latency.resize(nr + 1, None);
            }
            self.latency[nr].get_or_insert_default().add(call.ns);
        }
        if want.processes {
            self.processes
                .entry(call.pid)
                .or_default()
                .add(failed, call.ns);
        }
        if want.threads {
            let (pid, row) = self.threads.entry(call.tid).or_default();
            *pid = call.pid;
            row.add(failed, call.ns);
        }
        if want.errnos && failed {
            *self.errnos.entry((call.nr, -call.ret)).or_default() += 1;
        }
        if want.mmap && Some(call.nr) == plan.mmap_nr && !failed {
            let m = &mut self.mappings;
            m.sizes.add(call.args[1]);
            let flags = call.args[3];
            const SHARED: u64 = 0x1;
            const ANONYMOUS: u64 = 0x20;
            // MAP_SHARED and MAP_SHARED_VALIDATE (3) share memory; MAP_PRIVATE (2) does not.
            if flags & SHARED != 0 {
                m.shared += 1;
            } else {
                m.private += 1;
            }
            if flags & ANONYMOUS != 0 {
                m.anonymous += 1;
            } else {
                m.file_backed += 1;
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        if self.syscalls.len() < other.syscalls.len() {
            self.syscalls.resize(other.syscalls.len(), Row::default());
        }
        for (mine, theirs) in self.syscalls.iter_mut().zip(&other.syscalls) {
            mine.merge(theirs);
        }
        if self.latency.len() < other.latency.len() {
            self.latency.resize(other.latency.len(), None);
        }
        for (mine, theirs) in self.latency.iter_mut().zip(other.latency) {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => m.merge(&t),
                (None, Some(t)) => *mine = Some(t),
                _ => {}
            }
        }
        for (pid, row) in other.processes {
            self.processes.entry(pid).or_default().merge(&row);
        }
        for (tid, (pid, row)) in other.threads {
            let (p, r) = self.threads.entry(tid).or_default();
            *p = pid;
            r.merge(&row);
        }
        for (key, n) in other.errnos {
            *self.errnos.entry(key).or_default() += n;
        }
        let (m, o) = (&mut self.mappings, other.mappings);
        m.sizes.merge(&o.sizes);
        m.private += o.private;
        m.shared += o.shared;
        m.anonymous += o.anonymous;
        m.file_backed += o.file_backed;
    }

    /// All syscalls together.
    /// The row of syscall number `nr`, and its latencies.
    pub fn row(&self, nr: i64) -> (Option<&Row>, Option<&Histogram>) {
        let Some(at) = syscalls::index(nr) else {
            return (None, None);
        };
        (
            self.syscalls.get(at),
            self.latency.get(at).and_then(Option::as_ref),
        )
    }

    pub fn total(&self) -> Row {
        let mut total = Row::default();
        for row in &self.syscalls {
            total.merge(row);
        }
        total
    }
}

/// An enter whose exit is in a later chunk.
#[derive(Clone, Copy, Debug)]
struct Enter {
    pid: u32,
    nr: i64,
    args: [u64; 6],
    ts: u64,
}

/// How a thread's first event of a chunk ends a call entered in an earlier one.
#[derive(Clone, Copy, Debug)]
enum FirstEnd {
    Exit {
        nr: i64,
        ret: i64,
        ts: u64,
    },
    /// The thread ended (a call such as exit_group never returns), or
    /// its call's exit is marked killed (strace saw no return).
    TaskEnd,
}

/// A chunk's loose ends: what its threads did first and left open last.
#[derive(Debug, Default)]
struct Edges {
    first: Vec<(u32, FirstEnd)>,
    /// Threads with syscall events in the chunk: their state at its end is the chunk's.
    touched: Vec<u32>,
    open: Vec<(u32, Enter)>,
}

/// Counts one chunk's calls, paired inside it.
fn tally_chunk(chunk: &Chunk, plan: &Plan) -> (Tally, Edges) {
    let mut tally = Tally::default();
    let mut edges = Edges::default();
    // Per thread seen in this chunk: its call in progress.
    let mut state: FxHashMap<u32, Option<Enter>> = FxHashMap::default();
    for event in chunk.events().filter(|e| plan.events.wants(e)) {
        let tid = event.tid;
        match event.body {
            BodyRef::SysEnter { nr, args, .. } => {
                state.insert(
                    tid,
                    Some(Enter {
                        pid: event.pid,
                        nr,
                        args,
                        ts: event.ts,
                    }),
                );
            }
            BodyRef::SysExit { nr, ret, captures } => match state.get_mut(&tid) {
                Some(slot) => {
                    if let Some(enter) = slot.take().filter(|e| e.nr == nr)
                        && !crate::replay::killed(captures)
                    {
                        tally.add(plan, &paired(tid, &enter, ret, event.ts));
                    }
                }
                None => {
                    let ts = event.ts;
                    let end = match crate::replay::killed(captures) {
                        true => FirstEnd::TaskEnd,
                        false => FirstEnd::Exit { nr, ret, ts },
                    };
                    edges.first.push((tid, end));
                    state.insert(tid, None);
                }
            },
            BodyRef::TaskExit { .. } => {
                let seen = state.insert(tid, None).is_some();
                if !seen {
                    edges.first.push((tid, FirstEnd::TaskEnd));
                }
            }
            _ => {}
        }
    }
    for (tid, open) in state {
        edges.touched.push(tid);
        if let Some(enter) = open {
            edges.open.push((tid, enter));
        }
    }
    (tally, edges)
}

fn paired(tid: u32, enter: &Enter, ret: i64, exit_ts: u64) -> Call {
    Call {
        tid,
        pid: enter.pid,
        nr: enter.nr,
        args: enter.args,
        ret,
        ns: exit_ts.saturating_sub(enter.ts),
    }
}

/// Counts the calls of `trace` that `plan` selects, on `threads` threads;
/// `progress` is told of each chunk done.
pub fn tally(
    trace: &Trace,
    plan: &Plan,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Tally, Error> {
    let chunks = trace.map_chunks(&plan.events, threads, |chunk| {
        let counted = tally_chunk(chunk, plan);
        progress();
        counted
    })?;
    let mut total = Tally::default();
    let mut open: FxHashMap<u32, Enter> = FxHashMap::default();
    for (tally, edges) in chunks {
        for (tid, end) in edges.first {
            if let (Some(enter), FirstEnd::Exit { nr, ret, ts }) = (open.remove(&tid), end)
                && enter.nr == nr
            {
                total.add(plan, &paired(tid, &enter, ret, ts));
            }
        }
        for tid in edges.touched {
            open.remove(&tid);
        }
        open.extend(edges.open);
        total.merge(tally);
    }
    Ok(total)
}

/// Which table `stats` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum By {
    #[default]
    Syscall,
    Process,
    Thread,
    Errno,
    File,
    /// Per distinct user stack (`record --stack`).
    Stack,
}

/// strace's `-S`: how rows are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Time,
    MinTime,
    MaxTime,
    AvgTime,
    Calls,
    Errors,
    Name,
    /// In syscall number order (strace's `-S nothing`).
    Nothing,
}

/// A column of strace -c's table (`-U`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    TimePercent,
    TotalTime,
    MinTime,
    MaxTime,
    AvgTime,
    Calls,
    Errors,
    Name,
}

impl Column {
    /// strace's default: `% time  seconds  usecs/call  calls  errors  syscall`.
    pub const DEFAULT: [Column; 6] = [
        Column::TimePercent,
        Column::TotalTime,
        Column::AvgTime,
        Column::Calls,
        Column::Errors,
        Column::Name,
    ];
}

/// Table entries of this trace's arch, by syscall number.
pub fn table_of(trace: &Trace, nr: i64) -> Option<&'static table::Syscall> {
    table::lookup(&trace.header().arch, nr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use format::{Body, Capture, CaptureStatus, Event, FileHeader, Writer, WriterOptions};

    fn event(tid: u32, ts: u64, body: Body) -> Event {
        Event {
            tid,
            pid: 10,
            cpu: 0,
            ts,
            body,
        }
    }

    fn enter(tid: u32, ts: u64, nr: i64, len: u64, flags: u64) -> Event {
        let captures: Vec<Capture> = vec![Capture {
            arg: 0,
            status: CaptureStatus::Complete,
            data: vec![1],
        }];
        event(
            tid,
            ts,
            Body::SysEnter {
                nr,
                args: [0, len, 3, flags, 0, 0],
                captures,
            },
        )
    }

    fn exit(tid: u32, ts: u64, nr: i64, ret: i64) -> Event {
        event(
            tid,
            ts,
            Body::SysExit {
                nr,
                ret,
                captures: vec![],
            },
        )
    }

    /// An x86_64 trace at `path`, in chunks of `chunk_events`.
    fn writer(path: &std::path::Path, chunk_events: u32) -> Writer {
        let header = FileHeader {
            arch: "x86_64".into(),
            ..FileHeader::default()
        };
        let options = WriterOptions {
            chunk_events,
            ..WriterOptions::default()
        };
        Writer::create(path, &header, options).unwrap()
    }

    fn t_all(trace: &Trace) -> Tally {
        let want = Want {
            threads: true,
            ..Want::default()
        };
        let plan = Plan::new(trace, &CallFilter::default(), &Filter::default(), want);
        tally(trace, &plan, 2, &|| {}).unwrap()
    }

    /// A call whose exit is marked killed is not counted (strace saw no
    /// return), wherever chunks split the events.
    #[test]
    fn a_call_its_thread_was_killed_in_is_not_counted() {
        let killed = |tid, ts| {
            let mut exit = exit(tid, ts, 0, -512);
            if let Body::SysExit { captures, .. } = &mut exit.body {
                captures.push(Capture {
                    arg: table::ARG_KILLED,
                    status: CaptureStatus::Complete,
                    data: vec![],
                });
            }
            exit
        };
        let events = [
            enter(1, 100, 0, 1, 0),
            killed(1, 200),
            event(1, 300, Body::TaskExit { status: 9 }),
            enter(2, 400, 0, 1, 0),
            exit(2, 500, 0, -512),
            enter(2, 600, 0, 1, 0),
            killed(2, 700),
        ];
        for chunk_events in 1..=events.len() as u32 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.bin");
            let mut w = writer(&path, chunk_events);
            for e in &events {
                w.push(e).unwrap();
            }
            w.finish().unwrap();
            let t = t_all(&Trace::open(&path).unwrap());
            assert_eq!(t.syscalls[0].calls, 1, "chunks of {chunk_events}");
            assert!(!t.threads.contains_key(&1), "chunks of {chunk_events}");
        }
    }

    /// Calls that straddle chunk boundaries are paired like the others.
    #[test]
    fn pairs_across_chunks_and_counts_each_view() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let mut w = writer(&path, 3);
        let mut ts = 0;
        let mut next = || {
            ts += 100;
            ts
        };
        // Thread 1: 20 mmaps (private anonymous, 4 KiB) and a failed close;
        // thread 2: a read that spans everything, then exit_group.
        w.push(&enter(2, next(), 0, 1, 0)).unwrap();
        for _ in 0..20 {
            w.push(&enter(1, next(), 9, 4096, 0x22)).unwrap();
            w.push(&exit(1, next(), 9, 0x7000)).unwrap();
        }
        w.push(&enter(1, next(), 3, 0, 0)).unwrap();
        w.push(&exit(1, next(), 3, -9)).unwrap();
        w.push(&event(2, next(), Body::Lost { count: 7 })).unwrap();
        w.push(&exit(2, next(), 0, 1)).unwrap();
        w.push(&enter(2, next(), 231, 0, 0)).unwrap();
        w.push(&event(2, next(), Body::TaskExit { status: 0 }))
            .unwrap();
        w.finish().unwrap();
        let trace = Trace::open(&path).unwrap();
        assert!(trace.index().chunks.len() > 10);
        let want = Want {
            latency: true,
            processes: true,
            threads: true,
            errnos: true,
            mmap: true,
        };
        let plan = Plan::new(&trace, &CallFilter::default(), &Filter::default(), want);
        for threads in [1, 2] {
            let t = tally(&trace, &plan, threads, &|| {}).unwrap();
            assert_eq!(t.syscalls[9].calls, 20);
            assert_eq!(t.syscalls[9].ns, 20 * 100);
            assert_eq!(
                t.syscalls[3],
                Row {
                    calls: 1,
                    errors: 1,
                    ns: 100,
                    min_ns: 100,
                    max_ns: 100,
                }
            );
            assert_eq!(t.syscalls[0].calls, 1, "the read across chunks");
            assert_eq!(t.syscalls[0].ns, 44 * 100, "the lost record took a tick");
            assert_eq!(t.syscalls.get(231).map_or(0, |r| r.calls), 0);
            assert_eq!(t.total().calls, 22);
            assert_eq!(t.processes[&10].calls, 22);
            assert_eq!(t.threads[&1].1.calls, 21);
            assert_eq!(t.errnos[&(3, 9)], 1);
            assert_eq!(t.mappings.private, 20);
            assert_eq!(t.mappings.anonymous, 20);
            assert_eq!(t.mappings.sizes.log2(), [(4096, 20)]);
            assert_eq!(t.latency[9].as_ref().unwrap().percentile(0.5), 100);
        }
        // Thread 2 had events lost: the thread table and the footer say so.
        let mut text = String::new();
        report::thread_table(&mut text, &t_all(&trace), &trace, SortBy::Time);
        let row = text.lines().find(|l| l.contains(" 2 ")).unwrap();
        assert!(row.split_whitespace().nth(6) == Some("7"), "{text}");
        let mut text = String::new();
        report::lost(&mut text, &trace);
        assert_eq!(text, "lost: 7 events (tid 2: 7)\n");
        let only_close = CallFilter::parse("trace=close").unwrap();
        let plan = Plan::new(&trace, &only_close, &Filter::default(), Want::default());
        let t = tally(&trace, &plan, 2, &|| {}).unwrap();
        assert_eq!(t.total().calls, 1);
    }
}
