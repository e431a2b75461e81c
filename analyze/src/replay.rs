//! Replay: reads a trace in time order, pairs each thread's syscall enter with
//! its exit, and resolves each call once for every view: its name and table
//! entry, whether the view shows it (`-e trace=`, `-e status=`, `-P`), and
//! what is known of its process then ([`Context`]: descriptors, followed
//! through every call shown or not, and each task's name and latest exec).
//! Sinks receive the resolved [`Call`], as ripgrep's searcher hands its sink
//! a match it has already located.

use std::{borrow::Cow, ops::ControlFlow, rc::Rc};

use rustc_hash::FxHashMap;

use format::{ArchivedFileHeader, BodyRef, Event, EventRef, Filter, Step, Trace};

use crate::{
    Error,
    decode::{CallView, FdEntry, FdTable, Xlat},
    fds::{FdChange, FdTracker},
    select::{CallFilter, Status},
    syscalls,
    table::{self, Arg, Syscall},
    tasks::Tasks,
};

/// One syscall, resolved: enter and exit paired, named, looked up, selected.
#[derive(Clone)]
pub struct Call<'a> {
    /// The enter event (copied out of its chunk: the exit may be in a later one).
    pub enter: &'a Event,
    /// None: the call never returned (exit_group, a kill), its exit was lost,
    /// or it was in progress when recording stopped.
    pub exit: Option<EventRef<'a>>,
    pub nr: i64,
    /// strace's name for it (`syscall_0x..` for an unknown number).
    pub name: Cow<'static, str>,
    /// What the table says of it, if it knows the call.
    pub syscall: Option<&'static Syscall>,
    /// The flag tables and struct layouts of the trace's architecture.
    pub xlat: &'static Xlat,
    /// Whether the view shows this call, at this point of it (see
    /// [`TraceSink`]'s methods): its name and paths, and how it ended.
    pub shown: bool,
    /// Whether its name and paths alone would have it shown (`-e trace=`,
    /// `-P`), whatever its outcome.
    pub selected: bool,
    /// Its process's descriptors as the call found them (when followed).
    pub fds: Option<&'a FdTable>,
    /// What the replay knows of every process now.
    pub context: &'a Context,
    /// What the call did to them (applied once every sink has seen it).
    changes: &'a [FdChange],
}

impl<'a> Call<'a> {
    pub fn ret(&self) -> Option<i64> {
        self.exit.and_then(|e| e.ret())
    }

    /// Its arguments and captures as the decoders read them.
    pub fn view(&self) -> Option<CallView<'a>> {
        let mut view = CallView::new(self.xlat, self.syscall?, self.enter, self.exit)?;
        view.fds = self.fds;
        view.exec = self.context.tasks.exec(self.enter.tid);
        view.comms = Some(self.context.tasks.comms());
        Some(view)
    }

    /// What descriptor `fd` refers to once the call returned (`-y` on a
    /// returned descriptor).
    pub fn fd_after(&self, fd: i64) -> Option<&'a FdEntry> {
        crate::fds::entry_after(self.fds, self.changes, fd)
    }
}

/// Receives a replayed trace, in time order.
pub trait TraceSink {
    /// Before the first event.
    fn begin(&mut self, _trace: &Trace) -> Result<(), Error> {
        Ok(())
    }
    /// A syscall starts (its exit comes later through [`TraceSink::call`]),
    /// shown or not by its name and paths. `shared` is its enter event, for
    /// a sink to keep without copying.
    fn enter(&mut self, _call: &Call<'_>, _shared: &Rc<Event>) -> Result<(), Error> {
        Ok(())
    }
    /// A syscall returned.
    fn call(&mut self, call: &Call<'_>) -> Result<(), Error>;
    /// A thread ended inside `call` (`end`: its TaskExit, just after this,
    /// or the call's exit marked killed: a SIGKILL waited as it returned):
    /// exit_group, or a kill.
    fn unreturned(&mut self, _call: &Call<'_>, _end: &EventRef<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// Any event that is not a syscall enter or exit (fork, exec, exit,
    /// signal, lost), with what the replay knows of every process until it
    /// (the event itself is applied after).
    fn event(&mut self, event: &EventRef<'_>, context: &Context) -> Result<(), Error>;
    /// A call whose exit was lost (the ring buffer had no room): its thread
    /// entered another call, or returned from another, next. strace's
    /// `= ? <unavailable>`.
    fn unavailable(&mut self, _call: &Call<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// A call still in progress when the recording stopped (strace's
    /// `<detached ...>`); comes after every other event, one per thread.
    fn detached(&mut self, _call: &Call<'_>) -> Result<(), Error> {
        Ok(())
    }
    /// The trace's events so far made a whole number of its chunks (what
    /// came since was delivered).
    fn chunk_end(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// After the last event.
    fn finish(&mut self, _context: &Context) -> Result<(), Error> {
        Ok(())
    }
}

/// What one view reads, shows and follows.
#[derive(Clone, Copy)]
pub struct Selection<'a> {
    /// Which events are read at all (`--pid`, `--tid`, `--since`, `--until`).
    pub events: &'a Filter,
    /// `-e trace=`, `-e status=`.
    pub calls: &'a CallFilter,
    /// `-P`: only calls that name one of these paths or use a descriptor
    /// that refers to one.
    pub paths: &'a [Vec<u8>],
    /// Follow each process's descriptors (`-y`, `-P`, per-file views).
    pub follow_fds: bool,
    /// Follow each task's command name (`-Y`).
    pub follow_comms: bool,
}

/// What the replay knows of every process at a point of the trace, for sinks.
pub struct Context {
    pub fds: FdTracker,
    pub tasks: Tasks,
    /// The recording's stacks (`show -k`).
    pub stacks: crate::stacks::Stacks,
}

/// The point of a call a sink hears about: which outcomes the view shows there.
#[derive(Clone, Copy)]
enum Point {
    Entered,
    Returned,
    Unreturned,
    Unavailable,
    Detached,
}

/// Replays `trace` into `sink`, as `selection` asks. A call is delivered at its
/// exit; one its thread ended in goes to [`TraceSink::unreturned`]; one still
/// in progress when the trace ends goes to [`TraceSink::detached`], last.
pub fn replay(
    trace: &Trace,
    selection: &Selection<'_>,
    sink: &mut dyn TraceSink,
) -> Result<(), Error> {
    let mut replayer = Replayer::new(trace.into(), selection);
    sink.begin(trace)?;
    let mut result = Ok(());
    trace.walk(selection.events, 2, |step| {
        let outcome = match step {
            Step::Event(event) => replayer.push(&event, sink),
            Step::ChunkEnd => sink.chunk_end(),
        };
        match outcome {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                result = Err(e);
                ControlFlow::Break(())
            }
        }
    })?;
    result?;
    replayer.finish(sink)
}

/// What a view knows of a recording beside its events: its header, and
/// once the recording is whole, the trace itself (its index; its chunks, to
/// read a call's rest ahead). A recording still being written has only
/// its header.
#[derive(Clone, Copy)]
pub struct Source<'t> {
    pub header: &'t ArchivedFileHeader,
    pub trace: Option<&'t Trace>,
}

impl<'t> From<&'t Trace> for Source<'t> {
    fn from(trace: &'t Trace) -> Self {
        Source {
            header: trace.header(),
            trace: Some(trace),
        }
    }
}

/// A replay fed one event at a time, in time order: what [`replay`] keeps
/// between events (the calls each thread is in, the signals held for their
/// exits), for a source that is not a whole trace read at once.
pub struct Replayer<'a> {
    resolver: Resolver<'a>,
    /// Each thread's call in progress: its enter.
    open: FxHashMap<u32, Rc<Event>>,
    spare: Spare,
    held: HeldSignals,
}

impl<'a> Replayer<'a> {
    pub fn new(source: Source<'a>, selection: &'a Selection<'a>) -> Self {
        Self {
            resolver: Resolver::new(source, selection),
            open: FxHashMap::default(),
            spare: Spare::default(),
            held: HeldSignals::default(),
        }
    }

    /// The next event of the recording.
    pub fn push(&mut self, event: &EventRef<'_>, sink: &mut dyn TraceSink) -> Result<(), Error> {
        let Self {
            resolver,
            open,
            spare,
            held,
        } = self;
        match event.body {
            BodyRef::Signal { .. } if open.contains_key(&event.tid) => {
                held.hold(event);
                Ok(())
            }
            BodyRef::SysEnter { .. } => {
                let enter = spare.copy(event);
                let lost = match open.remove(&event.tid) {
                    Some(old) => {
                        let step = resolver
                            .deliver(&old, None, Point::Unavailable, sink)
                            .and_then(|()| held.release(event.tid, &resolver.context, sink));
                        spare.keep(old);
                        step
                    }
                    None => Ok(()),
                };
                resolver.context.tasks.entered(event.tid);
                let step = lost.and_then(|()| resolver.entered(&enter, sink));
                open.insert(event.tid, enter);
                step
            }
            BodyRef::SysExit { nr, captures, .. } => match open.remove(&event.tid) {
                // A SIGKILL ends the thread before the call returns to it:
                // as a call that never returns (strace saw no return).
                Some(enter) if enter.body.syscall_nr() == Some(nr) && killed(captures) => {
                    let step = held
                        .release(event.tid, &resolver.context, sink)
                        .and_then(|()| resolver.unreturned(&enter, event, sink));
                    spare.keep(enter);
                    step
                }
                // The exit of the call entered (not of a later one whose
                // enter was lost).
                Some(enter) if enter.body.syscall_nr() == Some(nr) => {
                    let step = resolver.deliver(&enter, Some(*event), Point::Returned, sink);
                    spare.keep(enter);
                    step.and_then(|()| held.release(event.tid, &resolver.context, sink))
                }
                Some(enter) => {
                    let step = resolver
                        .deliver(&enter, None, Point::Unavailable, sink)
                        .and_then(|()| held.release(event.tid, &resolver.context, sink));
                    spare.keep(enter);
                    step
                }
                None => Ok(()),
            },
            BodyRef::TaskExit { .. } => {
                let unreturned = open.remove(&event.tid);
                held.release(event.tid, &resolver.context, sink)
                    .and_then(|()| match &unreturned {
                        Some(enter) => resolver.unreturned(enter, event, sink),
                        None => Ok(()),
                    })
                    .and_then(|()| sink.event(event, &resolver.context))
                    .map(|()| resolver.event(event))
            }
            _ => {
                let step = sink.event(event, &resolver.context);
                resolver.event(event);
                step
            }
        }
    }

    /// What the replay knows of every process now.
    pub fn context(&self) -> &Context {
        &self.resolver.context
    }

    /// After the last event: the signals still held, then the calls still
    /// in progress, as detached.
    pub fn finish(self, sink: &mut dyn TraceSink) -> Result<(), Error> {
        let Self {
            mut resolver,
            open,
            mut held,
            ..
        } = self;
        held.release_all(&resolver.context, sink)?;
        let mut detached: Vec<Rc<Event>> = open.into_values().collect();
        detached.sort_by_key(|e| e.tid);
        for enter in &detached {
            resolver.deliver(enter, None, Point::Detached, sink)?;
        }
        sink.finish(&resolver.context)
    }
}

/// The state every view shares: names and table entries by number for the
/// trace's architecture, and each process's descriptors.
struct Resolver<'a> {
    selection: &'a Selection<'a>,
    arch: &'a str,
    xlat: &'static Xlat,
    /// By [`abi::call_index`]: every call number that names a syscall has one.
    names: Vec<Option<&'static str>>,
    syscalls: Vec<Option<&'static Syscall>>,
    /// Whether `-e trace=` names each number.
    traced: Vec<bool>,
    /// Whether descriptors are followed: asked, and the recording allows
    /// (see [`crate::fds::unfollowed_by`]).
    follow_fds: bool,
    context: Context,
    /// The changes of the call being delivered (kept to reuse the vector).
    changes: Vec<FdChange>,
}

impl<'a> Resolver<'a> {
    fn new(source: Source<'a>, selection: &'a Selection<'a>) -> Self {
        let arch = source.header.arch.as_str();
        // Looked up once per number: this runs for every call.
        let numbers = (0..abi::CALL_INDEXES).map(abi::call_at);
        let mut resolver = Self {
            selection,
            arch,
            xlat: Xlat::of(arch),
            names: numbers.clone().map(|nr| syscalls::name(arch, nr)).collect(),
            syscalls: numbers.clone().map(|nr| table::lookup(arch, nr)).collect(),
            traced: Vec::new(),
            follow_fds: selection.follow_fds && crate::fds::unfollowed_by(source.header).is_empty(),
            context: Context {
                fds: FdTracker::default(),
                tasks: Tasks::new(source.trace.map(Trace::index), selection.follow_comms),
                stacks: Default::default(),
            },
            changes: Vec::new(),
        };
        resolver.traced = numbers.map(|nr| resolver.wanted(nr)).collect();
        resolver
    }

    fn name(&self, nr: i64) -> Cow<'static, str> {
        match syscalls::index(nr).and_then(|n| self.names.get(n)) {
            Some(Some(name)) => Cow::Borrowed(name),
            _ => Cow::Owned(syscalls::unknown(self.arch, nr)),
        }
    }

    /// Whether `-e trace=` names call number `nr`.
    fn wanted(&self, nr: i64) -> bool {
        let compat = syscalls::is_compat(self.arch, nr);
        self.selection.calls.wants_syscall(&self.name(nr), compat)
    }

    fn syscall(&self, nr: i64) -> Option<&'static Syscall> {
        syscalls::index(nr)
            .and_then(|n| self.syscalls.get(n))
            .copied()
            .flatten()
    }

    /// Whether the view shows the call `enter` starts, by its name and (`-P`)
    /// the paths it names or its descriptors refer to.
    fn selected(&self, enter: &Event) -> bool {
        let Some(nr) = enter.body.syscall_nr() else {
            return false;
        };
        let traced = match syscalls::index(nr).and_then(|n| self.traced.get(n)) {
            Some(&traced) => traced,
            None => self.wanted(nr),
        };
        traced && (self.selection.paths.is_empty() || self.touches_paths(enter, nr))
    }

    fn touches_paths(&self, enter: &Event, nr: i64) -> bool {
        let Some(view) = self
            .syscall(nr)
            .and_then(|s| CallView::new(self.xlat, s, enter, None))
        else {
            return false;
        };
        let fds = self.context.fds.table(enter.pid);
        let wanted = |name: &[u8]| self.selection.paths.iter().any(|p| p == name);
        view.syscall
            .args
            .iter()
            .enumerate()
            .any(|(i, arg)| match arg {
                Arg::Path => view.path(i).is_some_and(|p| wanted(&p)),
                // (AT_FDCWD is no descriptor that -P matches, as in strace.)
                Arg::Fd | Arg::DirFd => fds
                    .filter(|_| view.args[i] as i32 as i64 != crate::fds::AT_FDCWD)
                    .and_then(|t| t.get(&(view.args[i] as i32 as i64)))
                    .is_some_and(|e| wanted(&e.name)),
                _ => false,
            })
    }

    /// Resolves the call `enter` started and hands it to `sink` at `point`;
    /// then applies what it did to its process's descriptors.
    fn deliver(
        &mut self,
        enter: &Event,
        exit: Option<EventRef<'_>>,
        point: Point,
        sink: &mut dyn TraceSink,
    ) -> Result<(), Error> {
        self.resolve_changes(enter, exit);
        self.reap(enter, exit);
        let result = self.with_call(enter, exit, point, |call| match point {
            Point::Returned => sink.call(call),
            Point::Unavailable => sink.unavailable(call),
            Point::Detached => sink.detached(call),
            Point::Entered | Point::Unreturned => Ok(()),
        });
        if !self.changes.is_empty() {
            self.context.fds.apply(enter.pid, self.changes.drain(..));
        }
        result
    }

    fn entered(&mut self, enter: &Rc<Event>, sink: &mut dyn TraceSink) -> Result<(), Error> {
        self.changes.clear();
        self.with_call(enter, None, Point::Entered, |call| sink.enter(call, enter))
    }

    fn unreturned(
        &mut self,
        enter: &Event,
        end: &EventRef<'_>,
        sink: &mut dyn TraceSink,
    ) -> Result<(), Error> {
        self.changes.clear();
        self.with_call(enter, None, Point::Unreturned, |call| {
            sink.unreturned(call, end)
        })
    }

    /// What a returned call did to its process's descriptors, if followed.
    fn resolve_changes(&mut self, enter: &Event, exit: Option<EventRef<'_>>) {
        self.changes.clear();
        if !self.follow_fds || exit.is_none() {
            return;
        }
        let Some(nr) = enter.body.syscall_nr() else {
            return;
        };
        if let Some(mut view) = self
            .syscall(nr)
            .and_then(|s| CallView::new(self.xlat, s, enter, exit))
        {
            view.fds = self.context.fds.table(enter.pid);
            crate::fds::changes(&view, &mut self.changes);
        }
    }

    fn with_call(
        &self,
        enter: &Event,
        exit: Option<EventRef<'_>>,
        point: Point,
        deliver: impl FnOnce(&Call<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let Some(nr) = enter.body.syscall_nr() else {
            return Ok(());
        };
        let calls = self.selection.calls;
        let ret = exit.and_then(|e| e.ret());
        let outcome = match point {
            Point::Entered => true,
            Point::Returned => calls.wants_result(ret),
            Point::Unreturned => calls.wants_result(None),
            Point::Unavailable => calls.status.contains(&Status::Unavailable),
            Point::Detached => calls.by_status() && calls.status.contains(&Status::Detached),
        };
        let selected = self.selected(enter);
        deliver(&Call {
            enter,
            exit,
            nr,
            name: self.name(nr),
            syscall: self.syscall(nr),
            xlat: self.xlat,
            shown: outcome && selected,
            selected,
            fds: self.context.fds.table(enter.pid),
            context: &self.context,
            changes: &self.changes,
        })
    }

    /// A call that returns an ended process's pid (wait4) reaped it.
    fn reap(&mut self, enter: &Event, exit: Option<EventRef<'_>>) {
        let pid = exit
            .and_then(|e| e.ret())
            .and_then(|r| u32::try_from(r).ok());
        let returns_pid = enter
            .body
            .syscall_nr()
            .and_then(|nr| self.syscall(nr))
            .is_some_and(|s| s.ret == table::Ret::Pid);
        if let Some(pid) = pid.filter(|_| returns_pid) {
            self.context.tasks.returned_pid(pid);
        }
    }

    /// Forks copy descriptors and names, execs close the close-on-exec
    /// descriptors and rename, ends forget.
    fn event(&mut self, event: &EventRef<'_>) {
        if self.follow_fds {
            self.context.fds.event(event);
        }
        self.context.tasks.event(event);
        self.context.stacks.event(event);
    }
}

/// Whether an exit's captures mark it killed: a SIGKILL waited as the
/// call returned, so its thread never got back to user space (strace saw
/// no return). The recorder puts the mark first.
pub(crate) fn killed(captures: format::Captures<'_>) -> bool {
    captures.first_arg() == Some(table::ARG_KILLED)
}

/// Signals generated for a thread while it was in a syscall (ones it ignores,
/// which are never delivered): reported after that syscall, where the thread
/// notices them on its way back to user space and where strace prints them.
#[derive(Default)]
struct HeldSignals(FxHashMap<u32, Vec<Event>>);

impl HeldSignals {
    fn hold(&mut self, signal: &EventRef<'_>) {
        self.0
            .entry(signal.tid)
            .or_default()
            .push(signal.to_owned());
    }

    fn release(
        &mut self,
        tid: u32,
        context: &Context,
        sink: &mut dyn TraceSink,
    ) -> Result<(), Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        for signal in self.0.remove(&tid).unwrap_or_default() {
            if let format::Body::Signal {
                signo,
                code,
                errno,
                info,
            } = &signal.body
            {
                sink.event(
                    &EventRef {
                        tid: signal.tid,
                        pid: signal.pid,
                        cpu: signal.cpu,
                        ts: signal.ts,
                        body: BodyRef::Signal {
                            signo: *signo,
                            code: *code,
                            errno: *errno,
                            info,
                        },
                    },
                    context,
                )?;
            }
        }
        Ok(())
    }

    /// At the end of the trace: what is still held, by thread.
    fn release_all(&mut self, context: &Context, sink: &mut dyn TraceSink) -> Result<(), Error> {
        let mut tids: Vec<u32> = self.0.keys().copied().collect();
        tids.sort_unstable();
        for tid in tids {
            self.release(tid, context, sink)?;
        }
        Ok(())
    }
}

/// Enter events done with, kept to be overwritten by later ones: copying an
/// enter into one reuses its buffers instead of allocating per call.
#[derive(Default)]
struct Spare(Vec<Rc<Event>>);

impl Spare {
    fn copy(&mut self, event: &EventRef<'_>) -> Rc<Event> {
        match self.0.pop() {
            Some(mut kept) => {
                if let Some(slot) = Rc::get_mut(&mut kept) {
                    event.copy_into(slot);
                    return kept;
                }
                Rc::new(event.to_owned())
            }
            None => Rc::new(event.to_owned()),
        }
    }

    /// Keeps `event` if no sink holds on to it.
    fn keep(&mut self, event: Rc<Event>) {
        if Rc::strong_count(&event) == 1 && self.0.len() < 64 {
            self.0.push(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use format::{Body, FileHeader, Writer, WriterOptions};

    struct Count(Vec<(i64, Option<i64>)>);

    impl TraceSink for Count {
        fn call(&mut self, call: &Call<'_>) -> Result<(), Error> {
            self.0.push((call.nr, call.ret()));
            Ok(())
        }
        fn event(&mut self, _: &EventRef<'_>, _: &Context) -> Result<(), Error> {
            Ok(())
        }
    }

    /// An exit is paired only with the enter of the same call: when events
    /// were lost between them, read's enter and close's exit are not one call.
    #[test]
    fn pairs_only_matching_calls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let mut w =
            Writer::create(&path, &FileHeader::default(), WriterOptions::default()).unwrap();
        let bodies = [
            Body::SysEnter {
                nr: 0,
                args: [0; 6],
                captures: vec![],
            },
            Body::Lost { count: 2 },
            Body::SysExit {
                nr: 3,
                ret: 0,
                captures: vec![],
            },
            Body::SysEnter {
                nr: 1,
                args: [0; 6],
                captures: vec![],
            },
            Body::SysExit {
                nr: 1,
                ret: 5,
                captures: vec![],
            },
        ];
        for (ts, body) in bodies.into_iter().enumerate() {
            let event = Event {
                tid: 1,
                pid: 1,
                cpu: 0,
                ts: ts as u64,
                body,
            };
            w.push(&event).unwrap();
        }
        w.finish().unwrap();
        let trace = Trace::open(&path).unwrap();
        let mut sink = Count(Vec::new());
        let selection = Selection {
            events: &Filter::default(),
            calls: &CallFilter::default(),
            paths: &[],
            follow_fds: true,
            follow_comms: false,
        };
        replay(&trace, &selection, &mut sink).unwrap();
        assert_eq!(sink.0, [(1, Some(5))]);
    }
}
