//! `systrace record`: load the eBPF programs, start or attach to the targets, and
//! stream the ring buffer into a trace file until they end (or the user stops).

use std::{
    collections::{HashMap, HashSet},
    ffi::OsString,
    path::{Path, PathBuf},
    sync::atomic::{AtomicI32, AtomicU32, Ordering},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use aya::maps::{HashMap as BpfHashMap, MapData, StackTraceMap};
use capture_ebpf::{EVENTS_MAP, LOST_MAP, LostCount, STACKS_MAP};
use format::{Body, Event, Writer, WriterOptions};
use tokio::signal::unix::{SignalKind, signal as watch_signal};

use crate::{
    files,
    loader::{self, Filter},
    output::{Kind, Output},
    reader::{Chunk, Reader},
    reorder::Reorder,
    ring::Ring,
    spawn::{Credentials, HeldChild},
    stacks::Stacks,
    wire::Decoder,
};

/// How often the recorder collects loss counts, checks on the targets and
/// flushes a quiet trace.
const TICK: Duration = Duration::from_millis(10);
/// How often tasks still believed alive are checked in /proc.
const PRUNE_EVERY: Duration = Duration::from_secs(1);
/// After `--duration`, how long a program sent SIGTERM has before SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(2);
/// How often a growing loss is reported while recording.
const WARN_EVERY: Duration = Duration::from_secs(1);

/// What `systrace record` was asked to do.
pub struct RecordConfig {
    pub output: PathBuf,
    pub snaplen: u32,
    pub target: Target,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Run the program as this user (`-u`, else the one sudo names).
    pub user: Option<String>,
    /// The ring buffer's size in bytes (a power of two, at least a page).
    pub buffer_bytes: u32,
    /// What of the traced tasks is kept.
    pub keep: Keep,
    /// Handed the output file once its header is written (threads may run
    /// from then on): `trace`'s printer follows it.
    pub started: Option<Box<dyn FnOnce(std::fs::File) + Send>>,
    /// Whether the output stays for the user (its path ends the summary
    /// line); `trace` without `--save` removes it.
    pub kept: bool,
}

/// What `record` keeps of the tasks it traces, each as given (for the
/// trace's header) and as the kernel side applies it. Default: everything.
#[derive(Default)]
pub struct Keep {
    /// `-e trace=`: the calls recorded (process life always is).
    pub calls: Option<(String, analyze::select::TraceSet)>,
    /// `--cgroup`: only tasks in these cgroups or below them.
    pub cgroups: Vec<(String, loader::Cgroup)>,
    /// `--stack`: each call's user stack.
    pub stacks: Option<loader::StackChoice>,
}

/// What to trace.
pub enum Target {
    /// Start this program.
    Command(Vec<OsString>),
    /// Attach to these running processes.
    Pids(Vec<u32>),
    /// Every process on the machine but systrace.
    All,
    /// The processes running programs of these names (`--comm`), now and
    /// whenever one execs such a program, with their threads and children;
    /// only time or the user ends it.
    Named(Vec<String>),
}

/// This machine cannot trace (exit status 2, like strace's usage errors).
#[derive(Debug)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// Records, as `config` says.
pub fn record(config: RecordConfig) -> anyhow::Result<Recorded> {
    if let Some(d) = config.duration
        && Instant::now().checked_add(d).is_none()
    {
        bail!("--duration {}: too long", humantime::format_duration(d));
    }
    check_environment()?;
    // From now on a Ctrl-C or SIGTERM is counted, not fatal, even during setup.
    let ignored_signals = catch_stop_signals();
    let credentials = Credentials::for_program(config.user.as_deref())?;
    let mut output = Output::create(&config.output, Kind::Trace)?;
    // Fork first: no thread may exist yet (see `spawn`).
    let (child, filter, live) = match &config.target {
        Target::Command(command) => {
            let child = HeldChild::spawn(command, credentials.as_ref(), &ignored_signals)?;
            let filter = Filter::Pids(vec![child.pid]);
            let live = HashSet::from([child.pid]);
            (Some(child), filter, live)
        }
        Target::Pids(pids) => (None, Filter::Pids(thread_groups(pids)?), threads_of(pids)),
        Target::All => (None, Filter::All, HashSet::new()),
        Target::Named(names) => {
            let pids = processes_named(names);
            (None, Filter::Pids(pids.clone()), threads_of(&pids))
        }
    };
    // The program keeps the priority it was started with.
    raise_priority();
    let keep = &config.keep;
    let calls = keep.calls.as_ref().map(|(_, set)| loader::call_bits(set));
    let cgroups: Vec<loader::Cgroup> = keep.cgroups.iter().map(|(_, c)| *c).collect();
    let comms = match &config.target {
        Target::Named(names) => names.as_slice(),
        _ => &[],
    };
    let choice = loader::Choice {
        calls: calls.as_deref(),
        comms,
        cgroups: &cgroups,
        stacks: keep.stacks,
    };
    let selection = format::Selection {
        calls: keep.calls.as_ref().map(|(given, _)| given.clone()),
        comms: comms.to_vec(),
        cgroups: keep
            .cgroups
            .iter()
            .map(|(given, _)| given.clone())
            .collect(),
        stacks: keep.stacks.is_some(),
    };
    let mut ebpf = loader::load(config.snaplen, &filter, &choice, config.buffer_bytes)?;
    if let Target::Pids(pids) = &config.target {
        // A process that ended while the programs were loading.
        thread_groups(pids)?;
    }
    let writer = Writer::new(
        output.take_file()?,
        &crate::machine::header(config.snaplen, selection),
        WriterOptions::default(),
    )
    .with_context(|| format!("writing {}", output.writing_to().display()))?;
    if let Some(started) = config.started {
        started(output.file().try_clone().context("sharing the output")?);
    }
    let root = child.as_ref().map(|c| c.pid);
    // What the processes already have open: the program's before it execs
    // (held until released), the attached ones' as they are.
    let mut files: Vec<Event> = match (&child, &filter) {
        (Some(child), _) => files::snapshot(child.pid, true).into_iter().collect(),
        (None, Filter::Pids(pids)) => pids
            .iter()
            .filter_map(|&pid| files::snapshot(pid, false))
            .collect(),
        (None, _) => Vec::new(),
    };
    // And the ids they have in pid namespaces of their own (a container's).
    let running = match &filter {
        Filter::Pids(pids) if child.is_none() => pids.clone(),
        Filter::All => all_processes(),
        Filter::Pids(_) => Vec::new(),
    };
    files.extend(running.into_iter().flat_map(files::namespace_ids));
    if let Some(child) = child {
        child.release()?;
    }
    // Recording has begun: from now on an unfinished trace stays.
    output.keep();
    let ring = match ebpf.take_map(EVENTS_MAP) {
        Some(aya::maps::Map::RingBuf(map)) => Ring::new(map).context("mapping the ring buffer")?,
        _ => bail!("ring buffer map missing"),
    };
    let lost = BpfHashMap::try_from(ebpf.take_map(LOST_MAP).context("lost map missing")?)?;
    let stacks = match config.keep.stacks {
        Some(loader::StackChoice::Fp) => {
            let table = ebpf.take_map(STACKS_MAP).context("stack map missing")?;
            Some(Stacks::from_kernel(StackTraceMap::try_from(table)?, root))
        }
        Some(loader::StackChoice::Dwarf { .. }) => Some(Stacks::unwound(root)),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the event loop")?;
    let mut recorder = Recorder {
        writer,
        decoder: Decoder::default(),
        reorder: Reorder::default(),
        stacks,
        live,
        root,
        root_status: None,
        interrupts: 0,
        deadline: config.duration.and_then(|d| Instant::now().checked_add(d)),
        duration: config.duration,
        kill_at: None,
        tracing_all: matches!(config.target, Target::All | Target::Named(_)),
        last_prune: Instant::now(),
        lost,
        reported: HashMap::new(),
        lost_total: 0,
        warned_at: 0,
        last_warning: None,
    };
    files
        .into_iter()
        .for_each(|event| recorder.reorder.push(event));
    let writing = |what: &str| format!("{what} {}", output.writing_to().display());
    let reader = Reader::start(ring).context("starting the ring buffer's reader")?;
    runtime
        .block_on(recorder.run(reader))
        .with_context(|| writing("writing"))?;
    // A program still running when the user stopped recording: as if the stop
    // signal had ended us (-p and -a end that way normally: 0).
    let status = match (recorder.root, recorder.root_status) {
        (_, Some(status)) => status,
        (Some(_), None) => 128 + stop_signals().1 as u8,
        (None, None) => 0,
    };
    let unstacked = recorder.stacks.as_ref().map_or(0, Stacks::missing);
    let summary = recorder
        .writer
        .finish()
        .with_context(|| writing("finishing"))?;
    drop(ebpf);
    output.commit()?;
    let kept = match config.kept {
        true => format!(" -> {}", config.output.display()),
        false => String::new(),
    };
    // --stack=dwarf: calls whose stack copy the ring had no room for.
    let unstacked = match unstacked {
        0 => String::new(),
        n => format!(", {n} calls without a stack"),
    };
    let summary = format!(
        "systrace: {} events ({} syscalls), {} lost{unstacked}, {} bytes ({:.1} bytes/syscall){kept}",
        summary.events,
        summary.syscalls,
        summary.lost,
        summary.bytes,
        summary.bytes as f64 / summary.syscalls.max(1) as f64,
    );
    Ok(Recorded { status, summary })
}

/// What a recording came to.
pub struct Recorded {
    /// The exit status to leave with: the program's own (128 + signal if a
    /// signal killed it), or 0 for `-p` and `-a`.
    pub status: u8,
    /// systrace's closing line: events, syscalls, lost, bytes (and where
    /// the recording is, when it stays).
    pub summary: String,
}

/// Puts the recorder ahead of the programs it traces: the scheduler shares a
/// CPU per thread, so one recorder beside 64 busy threads would get 1/65 of
/// it and fall behind (half the events of 64 threads making short calls were
/// lost at the default priority, none at this one). Best effort.
fn raise_priority() {
    // SAFETY: setpriority on this thread; threads made later inherit it.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -20) };
}

fn check_environment() -> anyhow::Result<()> {
    if !can_load_ebpf() {
        bail!(Unsupported(
            "recording needs root (eBPF needs CAP_BPF and CAP_PERFMON): run it with sudo".into()
        ));
    }
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        bail!(Unsupported(
            "this kernel has no BTF (/sys/kernel/btf/vmlinux): build it with CONFIG_DEBUG_INFO_BTF=y"
                .into()
        ));
    }
    let tracefs = Path::new("/sys/kernel/tracing");
    if !tracefs.join("events").exists() {
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tracefs", "nodev"])
            .arg(tracefs)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            bail!(Unsupported(
                "tracefs is not mounted and mounting it failed: mount -t tracefs nodev /sys/kernel/tracing"
                    .into()
            ));
        }
    }
    Ok(())
}

/// Whether this process may load and attach tracing programs: CAP_BPF and
/// CAP_PERFMON, or CAP_SYS_ADMIN, in its effective set.
fn can_load_ebpf() -> bool {
    const CAP_SYS_ADMIN: u32 = 21;
    const CAP_PERFMON: u32 = 38;
    const CAP_BPF: u32 = 39;
    let effective = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        })
        .unwrap_or(0);
    let has = |cap: u32| effective & (1 << cap) != 0;
    has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))
}

/// The thread-group ids of `pids` (a tid given to -p means its whole process),
/// refused like strace refuses them when gone or already dead (a zombie).
fn thread_groups(pids: &[u32]) -> anyhow::Result<Vec<u32>> {
    pids.iter()
        .map(|&pid| {
            let attach = |why: &str| anyhow::anyhow!("attach: ptrace(PTRACE_SEIZE, {pid}): {why}");
            let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .map_err(|_| attach("No such process"))?;
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(str::trim)
            };
            if field("State:").is_some_and(|s| s.starts_with(['Z', 'X'])) {
                return Err(attach("Operation not permitted"));
            }
            field("Tgid:")
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("reading the process id of {pid}"))
        })
        .collect()
}

/// Every process running now, systrace aside.
fn all_processes() -> Vec<u32> {
    let us = std::process::id();
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|&pid| pid != us)
                .collect()
        })
        .unwrap_or_default()
}

/// The processes (but systrace) whose command name, as the kernel keeps it
/// (its first 15 bytes), is one of `names`.
fn processes_named(names: &[String]) -> Vec<u32> {
    all_processes()
        .into_iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| {
                names
                    .iter()
                    .any(|n| n.as_str() == comm.trim_end_matches('\n'))
            })
        })
        .collect()
}

/// Whether task `tid` still runs: it exists and is no zombie.
fn alive(tid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{tid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which may hold anything but ends at the last ')'.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        !matches!(state, Some('Z' | 'X') | None)
    })
}

/// The threads of the processes of `pids`, as live now.
fn threads_of(pids: &[u32]) -> HashSet<u32> {
    let mut threads = HashSet::new();
    for pid in pids {
        if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            threads.extend(
                dir.flatten()
                    .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok()),
            );
        }
    }
    threads
}

struct Recorder {
    writer: Writer,
    /// Records into events.
    decoder: Decoder,
    /// Events on their way to the writer, put back in time order.
    reorder: Reorder,
    /// `--stack`: the stacks and mappings the trace needs.
    stacks: Option<Stacks>,
    /// Traced tasks alive as far as the trace shows.
    live: HashSet<u32>,
    /// The program systrace started, if it did.
    root: Option<u32>,
    root_status: Option<u8>,
    /// Ctrl-C or SIGTERM received.
    interrupts: u32,
    /// When `--duration` is up.
    deadline: Option<Instant>,
    duration: Option<Duration>,
    /// When the program, sent SIGTERM at the deadline, gets SIGKILL.
    kill_at: Option<Instant>,
    /// `-a`: only time or the user ends recording.
    tracing_all: bool,
    last_prune: Instant,
    /// The kernel's per-thread loss counters, and what of them is in the trace.
    lost: BpfHashMap<MapData, u32, LostCount>,
    reported: HashMap<u32, u64>,
    lost_total: u64,
    /// The loss last warned about, and when.
    warned_at: u64,
    last_warning: Option<Instant>,
}

impl Recorder {
    /// Takes the reader's records until the targets are gone or the user stops.
    async fn run(&mut self, mut reader: Reader) -> anyhow::Result<()> {
        let mut tick = tokio::time::interval(TICK);
        // The program's end: its last records are in the ring by then, and
        // are wanted now, not at the reader's next tick.
        let mut child_ended = watch_signal(SignalKind::child()).context("watching for SIGCHLD")?;
        loop {
            tokio::select! {
                chunk = reader.next() => match chunk {
                    Some(chunk) => self.take(&reader, chunk)?,
                    // The reader failed: finish says why.
                    None => break,
                },
                _ = child_ended.recv() => reader.poke(),
                _ = tick.tick() => {
                    self.collect_losses()?;
                    // What a quiet spell held back, out to the file.
                    self.write_ready(false)?;
                    self.writer.flush_if_due(crate::machine::monotonic_ns())?;
                }
            }
            if self.stop_requested() || self.finished()? {
                break;
            }
        }
        reader.stop();
        while let Some(chunk) = reader.next().await {
            self.take(&reader, chunk)?;
        }
        reader.finish().context("reading the ring buffer")?;
        self.collect_losses()?;
        self.write_ready(true)
    }

    /// Whether a Ctrl-C or SIGTERM ends recording now. With a program of our own,
    /// the first one is the program's (the terminal sends Ctrl-C to it too; a
    /// SIGTERM is passed on) and recording goes on until it ends.
    fn stop_requested(&mut self) -> bool {
        let (count, last) = stop_signals();
        if count == self.interrupts {
            return false;
        }
        self.interrupts = count;
        let Some(root) = self.running_root() else {
            return true;
        };
        if count > 1 {
            return true;
        }
        if last == libc::SIGTERM {
            signal(root, libc::SIGTERM);
        }
        eprintln!("systrace: waiting for the program to end; interrupt again to stop now");
        false
    }

    /// The program systrace started, while it runs.
    fn running_root(&self) -> Option<u32> {
        self.root.filter(|_| self.root_status.is_none())
    }

    /// Whether recording is over: the time is up, or every traced task ended
    /// (with a program of our own: it and every descendant, like strace -f).
    fn finished(&mut self) -> anyhow::Result<bool> {
        if self.time_is_up()? {
            return Ok(true);
        }
        if let Some(root) = self.running_root() {
            self.root_status = reap(root, false)?;
            if self.root_status.is_none() {
                return Ok(false);
            }
        }
        if self.tracing_all {
            return Ok(false);
        }
        // A task whose exit record was lost must not keep us waiting forever.
        if self.last_prune.elapsed() >= PRUNE_EVERY {
            self.last_prune = Instant::now();
            self.live.retain(|&tid| alive(tid));
            self.forget_ended_losers();
        }
        Ok(self.live.is_empty())
    }

    /// `--duration`: -p and -a stop recording when it is up. A program of our
    /// own is asked to end (SIGTERM, as `timeout` does) and recorded while it
    /// does; if it is still running after [`TERM_GRACE`], it is killed
    /// (SIGKILL) and recording ends, descendants or not.
    fn time_is_up(&mut self) -> anyhow::Result<bool> {
        let now = Instant::now();
        if let Some(kill_at) = self.kill_at
            && now >= kill_at
        {
            if let Some(root) = self.running_root() {
                eprintln!(
                    "systrace: the program did not end within {TERM_GRACE:?}: sending SIGKILL"
                );
                signal(root, libc::SIGKILL);
                self.root_status = reap(root, true)?;
            }
            return Ok(true);
        }
        let Some(deadline) = self.deadline.filter(|&d| now >= d) else {
            return Ok(false);
        };
        self.deadline = None;
        let Some(root) = self.running_root() else {
            return Ok(true);
        };
        let took = self.duration.map(humantime::format_duration);
        eprintln!(
            "systrace: --duration {} is up: sending SIGTERM to the program (pid {root})",
            took.map(|d| d.to_string()).unwrap_or_default()
        );
        signal(root, libc::SIGTERM);
        self.kill_at = Some(deadline + TERM_GRACE);
        Ok(false)
    }

    /// Decodes a chunk of records and writes out what is ready.
    fn take(&mut self, reader: &Reader, chunk: Chunk) -> anyhow::Result<()> {
        let Self {
            live,
            reorder,
            decoder,
            stacks,
            ..
        } = self;
        for record in chunk.records() {
            if let Some(stacks) = stacks
                && crate::wire::is_user_stack(record)
            {
                stacks.unwind(record);
                continue;
            }
            decoder.decode(record, |mut event| {
                track_life(live, &event);
                if let Some(stacks) = stacks {
                    stacks.before(&mut event, |e| reorder.push(e));
                }
                reorder.push(event);
            });
        }
        reader.recycle(chunk);
        self.write_ready(false)
    }

    /// Writes the held-back events that are ready (all of them at the end),
    /// in timestamp order.
    fn write_ready(&mut self, all: bool) -> anyhow::Result<()> {
        let now = crate::machine::monotonic_ns();
        while let Some(event) = self.reorder.pop_ready(all, now) {
            self.writer.push(&event)?;
            self.decoder.recycle(event);
        }
        Ok(())
    }

    /// Turns what the kernel's loss counters gained since the last look into
    /// lost-events markers, each in its own thread at its latest loss.
    fn collect_losses(&mut self) -> anyhow::Result<()> {
        let tids = self
            .lost
            .keys()
            .collect::<Result<Vec<u32>, _>>()
            .context("reading the lost counters")?;
        for tid in tids {
            // Gone since the keys were read: nothing new.
            let Ok(latest) = self.lost.get(&tid, 0) else {
                continue;
            };
            let (count, cpu) = (latest.count, latest.cpu);
            let seen = self.reported.entry(tid).or_default();
            if count <= *seen {
                continue;
            }
            let new = count - *seen;
            *seen = count;
            self.lost_total += new;
            self.reorder.push(Event {
                tid,
                pid: latest.tgid,
                cpu,
                ts: latest.last_ts,
                body: Body::Lost { count: new },
            });
        }
        if self.lost_total > self.warned_at
            && self.last_warning.is_none_or(|t| t.elapsed() >= WARN_EVERY)
        {
            self.last_warning = Some(Instant::now());
            self.warned_at = self.lost_total;
            eprintln!(
                "systrace: warning: {} events lost so far: the recorder cannot keep up (the trace marks where; a larger --buffer-size absorbs longer bursts)",
                self.lost_total
            );
        }
        Ok(())
    }

    /// Drops the loss counters of threads that ended (their tids may be reused).
    fn forget_ended_losers(&mut self) {
        let ended: Vec<u32> = self
            .reported
            .keys()
            .copied()
            .filter(|&tid| !alive(tid))
            .collect();
        for tid in ended {
            if self.lost.remove(&tid).is_ok() {
                self.reported.remove(&tid);
            }
        }
    }
}

static STOP_SIGNALS: AtomicU32 = AtomicU32::new(0);
static LAST_STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(signo: libc::c_int) {
    // Only atomics: this runs in a signal handler.
    LAST_STOP_SIGNAL.store(signo, Ordering::Relaxed);
    STOP_SIGNALS.fetch_add(1, Ordering::Relaxed);
}

/// Counts SIGINT and SIGTERM instead of dying of them; the event loop looks at
/// the count on every tick, so `kill -INT` ends a recording cleanly even where
/// the signal came ignored (a background job's). Returns those that came
/// ignored: exec resets a caught signal to its default, and the program must
/// start with them ignored, as it would without a tracer.
fn catch_stop_signals() -> Vec<libc::c_int> {
    let mut ignored = Vec::new();
    for signo in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: all-zero sigactions are valid; the handler is
        // async-signal-safe (atomics only).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signo, &action, &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN {
                ignored.push(signo);
            }
        }
    }
    ignored
}

/// How many stop signals have arrived, and the last one.
fn stop_signals() -> (u32, i32) {
    (
        STOP_SIGNALS.load(Ordering::Relaxed),
        LAST_STOP_SIGNAL.load(Ordering::Relaxed),
    )
}

/// Keeps the set of live traced tasks up to date.
fn track_life(live: &mut HashSet<u32>, event: &Event) {
    match event.body {
        Body::Fork { child_tid, .. } => {
            live.insert(child_tid);
        }
        Body::TaskExit { .. } => {
            live.remove(&event.tid);
        }
        _ => {}
    }
}

fn signal(pid: u32, signo: i32) {
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(pid as i32, signo) };
}

/// The program's exit status once it has ended (waiting for it with `wait`).
fn reap(pid: u32, wait: bool) -> anyhow::Result<Option<u8>> {
    let mut status = 0;
    let flags = if wait { 0 } else { libc::WNOHANG };
    // SAFETY: plain waitpid on our own child.
    match unsafe { libc::waitpid(pid as i32, &mut status, flags) } {
        0 => Ok(None),
        -1 => Err(std::io::Error::last_os_error()).context("waiting for the program"),
        _ if libc::WIFEXITED(status) => Ok(Some(libc::WEXITSTATUS(status) as u8)),
        _ if libc::WIFSIGNALED(status) => Ok(Some(128 + libc::WTERMSIG(status) as u8)),
        _ => Ok(None),
    }
}
