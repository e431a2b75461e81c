//! `systrace record`: load the eBPF programs, start or attach to the targets, and
//! stream the ring buffer into a trace file until they end (or the user stops).

use std::{
    collections::HashSet,
    ffi::OsString,
    fs::OpenOptions,
    os::unix::fs::OpenOptionsExt as _,
    path::{Path, PathBuf},
    sync::atomic::{AtomicI32, AtomicU32, Ordering},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use aya::maps::{MapData, PerCpuArray, RingBuf};
use capture_ebpf::{EVENTS_MAP, LOST_MAP, LostState};
use format::{Body, Event, Writer, WriterOptions};
use tokio::io::{Interest, unix::AsyncFd};

use crate::{
    loader::{self, Filter},
    spawn::{Credentials, HeldChild},
    wire,
};

/// How often the recorder drains the ring buffer (the kernel only wakes it when
/// a lot has piled up), checks on the targets and flushes a quiet trace.
const TICK: Duration = Duration::from_millis(10);
/// Records from different CPUs reach the ring buffer slightly out of timestamp
/// order; events this close to the newest are held back to be sorted in.
const REORDER_WINDOW_NS: u64 = 20_000_000;
/// How often tasks still believed alive are checked in /proc.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// What `systrace record` was asked to do.
pub struct RecordConfig {
    pub output: PathBuf,
    pub snaplen: u32,
    pub target: Target,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Run the program as this user (`-u`, else the one sudo names).
    pub user: Option<String>,
}

/// What to trace.
pub enum Target {
    /// Start this program.
    Command(Vec<OsString>),
    /// Attach to these running processes.
    Pids(Vec<u32>),
    /// Every process on the machine but systrace.
    All,
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

/// Records and returns the exit status to leave with: the program's own (128 +
/// signal if a signal killed it), or 0 for `-p` and `-a`.
pub fn record(config: RecordConfig) -> anyhow::Result<u8> {
    check_environment()?;
    // From now on a Ctrl-C or SIGTERM is counted, not fatal, even during setup.
    catch_stop_signals();
    let credentials = Credentials::for_program(config.user.as_deref())?;
    // Fork first: no thread may exist yet (see `spawn`).
    let (child, filter, live) = match &config.target {
        Target::Command(command) => {
            let child = HeldChild::spawn(command, credentials.as_ref())?;
            let filter = Filter::Pids(vec![child.pid]);
            let live = HashSet::from([child.pid]);
            (Some(child), filter, live)
        }
        Target::Pids(pids) => (None, Filter::Pids(thread_groups(pids)?), threads_of(pids)),
        Target::All => (None, Filter::All, HashSet::new()),
    };
    let mut ebpf = loader::load(config.snaplen, &filter)?;
    let writer = create_writer(&config.output, config.snaplen, credentials.as_ref())?;
    let root = child.as_ref().map(|c| c.pid);
    if let Some(child) = child {
        child.release()?;
    }
    let ring = RingBuf::try_from(
        ebpf.take_map(EVENTS_MAP)
            .context("ring buffer map missing")?,
    )?;
    let lost = PerCpuArray::try_from(ebpf.take_map(LOST_MAP).context("lost map missing")?)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the event loop")?;
    let mut recorder = Recorder {
        writer,
        held_back: Vec::new(),
        live,
        root,
        root_status: None,
        interrupts: 0,
        deadline: config.duration.map(|d| Instant::now() + d),
        tracing_all: matches!(config.target, Target::All),
        last_prune: Instant::now(),
    };
    runtime.block_on(recorder.run(ring))?;
    recorder.report_lost(&lost)?;
    // A program still running when the user stopped recording: as if the stop
    // signal had ended us (-p and -a end that way normally: 0).
    let status = match (recorder.root, recorder.root_status) {
        (_, Some(status)) => status,
        (Some(_), None) => 128 + stop_signals().1 as u8,
        (None, None) => 0,
    };
    let summary = recorder.writer.finish().context("finishing the trace")?;
    drop(ebpf);
    eprintln!(
        "systrace: {} events ({} syscalls), {} lost, {} bytes ({:.1} bytes/syscall) -> {}",
        summary.events,
        summary.syscalls,
        summary.lost,
        summary.bytes,
        summary.bytes as f64 / summary.syscalls.max(1) as f64,
        config.output.display()
    );
    Ok(status)
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

/// The thread-group ids of `pids` (a tid given to -p means its whole process).
fn thread_groups(pids: &[u32]) -> anyhow::Result<Vec<u32>> {
    pids.iter()
        .map(|&pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|_| {
                anyhow::anyhow!("attach: ptrace(PTRACE_SEIZE, {pid}): No such process")
            })?;
            status
                .lines()
                .find_map(|l| l.strip_prefix("Tgid:"))
                .and_then(|v| v.trim().parse().ok())
                .with_context(|| format!("reading the process id of {pid}"))
        })
        .collect()
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

/// Trace files hold buffers, which hold secrets: only their owner may read them.
fn create_writer(path: &Path, snaplen: u32, owner: Option<&Credentials>) -> anyhow::Result<Writer> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    if let Some(owner) = owner {
        std::os::unix::fs::fchown(&file, Some(owner.uid), Some(owner.gid))
            .with_context(|| format!("giving {} to its user", path.display()))?;
    }
    Writer::new(
        file,
        &crate::machine::header(snaplen),
        WriterOptions::default(),
    )
    .with_context(|| format!("writing {}", path.display()))
}

struct Recorder {
    writer: Writer,
    /// Events within the reorder window of the newest one, sorted on the next drain.
    held_back: Vec<Event>,
    /// Traced tasks alive as far as the trace shows.
    live: HashSet<u32>,
    /// The program systrace started, if it did.
    root: Option<u32>,
    root_status: Option<u8>,
    /// Ctrl-C or SIGTERM received.
    interrupts: u32,
    deadline: Option<Instant>,
    /// `-a`: only time or the user ends recording.
    tracing_all: bool,
    last_prune: Instant,
}

impl Recorder {
    /// Drains the ring buffer until the targets are gone or the user stops.
    async fn run(&mut self, ring: RingBuf<MapData>) -> anyhow::Result<()> {
        // SAFETY: the RingBuf owns its map fd, which stays open and unchanged for
        // as long as the AsyncFd owns the RingBuf.
        let mut ring = unsafe { AsyncFd::register_with_interest(ring, Interest::READABLE) }
            .map_err(|e| e.into_parts().1)
            .context("watching the ring buffer")?;
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                guard = ring.readable_mut() => {
                    let mut guard = guard?;
                    self.drain(guard.get_inner_mut(), false)?;
                    guard.clear_ready();
                }
                _ = tick.tick() => {
                    self.drain(ring.get_mut(), false)?;
                    self.writer.flush_if_due()?;
                }
            }
            if self.stop_requested() || self.finished()? {
                break;
            }
        }
        self.drain(ring.get_mut(), true)
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
        let Some(root) = self.root.filter(|_| self.root_status.is_none()) else {
            return true;
        };
        if count > 1 {
            return true;
        }
        if last == libc::SIGTERM {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(root as i32, libc::SIGTERM) };
        }
        eprintln!("systrace: waiting for the program to end; interrupt again to stop now");
        false
    }

    /// Whether recording is over: the time is up, or every traced task ended
    /// (with a program of our own: it and every descendant, like strace -f).
    fn finished(&mut self) -> anyhow::Result<bool> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(true);
        }
        if let Some(root) = self.root
            && self.root_status.is_none()
        {
            self.root_status = reap(root)?;
            if self.root_status.is_none() {
                return Ok(false);
            }
        }
        if self.tracing_all {
            return Ok(false);
        }
        // A task whose exit record was lost must not keep us waiting forever.
        if !self.live.is_empty() && self.last_prune.elapsed() >= PRUNE_EVERY {
            self.last_prune = Instant::now();
            self.live
                .retain(|tid| Path::new(&format!("/proc/{tid}")).exists());
        }
        Ok(self.live.is_empty())
    }

    /// Moves what the ring buffer holds into the trace, in timestamp order.
    fn drain(&mut self, ring: &mut RingBuf<MapData>, all: bool) -> anyhow::Result<()> {
        while let Some(item) = ring.next() {
            if let Some(event) = wire::decode(&item) {
                track_life(&mut self.live, &event);
                self.held_back.push(event);
            }
        }
        if self.held_back.is_empty() {
            return Ok(());
        }
        self.held_back.sort_by_key(|e| e.ts);
        let newest = self.held_back.last().map_or(0, |e| e.ts);
        let ready = if all {
            self.held_back.len()
        } else {
            self.held_back
                .partition_point(|e| e.ts + REORDER_WINDOW_NS <= newest)
        };
        for event in self.held_back.drain(..ready) {
            self.writer.push(&event)?;
        }
        Ok(())
    }

    /// Writes a lost-events record for records dropped since the last one the
    /// kernel side could report itself.
    fn report_lost(&mut self, lost: &PerCpuArray<MapData, LostState>) -> anyhow::Result<()> {
        let per_cpu = lost.get(&0, 0).context("reading the lost counters")?;
        let ts = self.held_back.last().map_or(0, |e| e.ts);
        for (cpu, state) in per_cpu.iter().enumerate() {
            if state.count > 0 {
                self.writer.push(&Event {
                    tid: state.tid,
                    pid: 0,
                    cpu: cpu as u32,
                    ts,
                    body: Body::Lost { count: state.count },
                })?;
            }
        }
        Ok(())
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
/// the count on every tick. (exec resets caught signals, so the program still
/// gets the default behaviour.)
fn catch_stop_signals() {
    for signo in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: installs an async-signal-safe handler (atomics only).
        unsafe { libc::signal(signo, on_stop_signal as *const () as libc::sighandler_t) };
    }
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

/// The program's exit status once it has ended.
fn reap(pid: u32) -> anyhow::Result<Option<u8>> {
    let mut status = 0;
    // SAFETY: plain waitpid on our own child.
    match unsafe { libc::waitpid(pid as i32, &mut status, libc::WNOHANG) } {
        0 => Ok(None),
        -1 => Err(std::io::Error::last_os_error()).context("waiting for the program"),
        _ if libc::WIFEXITED(status) => Ok(Some(libc::WEXITSTATUS(status) as u8)),
        _ if libc::WIFSIGNALED(status) => Ok(Some(128 + libc::WTERMSIG(status) as u8)),
        _ => Ok(None),
    }
}
