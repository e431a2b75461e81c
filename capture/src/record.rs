//! `systrace record`: load the eBPF programs, run the program under them, and
//! stream the ring buffer into a trace file until the program ends.

use std::{
    ffi::OsString,
    fs::OpenOptions,
    os::unix::fs::OpenOptionsExt as _,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context as _, bail};
use aya::{
    Ebpf,
    maps::{HashMap, MapData, PerCpuArray, RingBuf},
    programs::TracePoint,
};
use capture_ebpf::{EVENTS_MAP, EventKind, Header, LOST_MAP, SysEnter, SysExit, TRACED_MAP};
use format::{Body, Event, Writer, WriterOptions};
use tokio::io::{Interest, unix::AsyncFd};

use crate::spawn::HeldChild;

/// The eBPF object built by `build.rs` from `capture-ebpf`.
static EBPF_OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/systrace"));

/// How often the recorder checks on the program and flushes a quiet trace.
const TICK: Duration = Duration::from_millis(100);

/// What `systrace record` was asked to do.
pub struct RecordConfig {
    pub output: PathBuf,
    pub command: Vec<OsString>,
}

/// This machine cannot trace (exit status 2, like strace's usage errors).
#[derive(Debug)]
pub struct Unsupported(String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// Records `config.command` and returns the exit status to leave with: the
/// program's own, or 128 + signal if a signal killed it.
pub fn record(config: RecordConfig) -> anyhow::Result<u8> {
    check_environment()?;
    // Fork first: no thread may exist yet (see `spawn`).
    let child = HeldChild::spawn(&config.command)?;
    let pid = child.pid;
    let mut ebpf = load(pid)?;
    let writer = create_writer(&config.output)?;
    child.release()?;

    let ring = RingBuf::try_from(
        ebpf.take_map(EVENTS_MAP)
            .context("ring buffer map missing")?,
    )?;
    let lost =
        PerCpuArray::<_, u64>::try_from(ebpf.take_map(LOST_MAP).context("lost map missing")?)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the event loop")?;
    let mut recorder = Recorder {
        writer,
        lost_seen: Vec::new(),
        last_ts: 0,
        interrupts: 0,
    };
    let status = runtime.block_on(recorder.run(ring, &lost, pid))?;
    let summary = recorder.writer.finish().context("finishing the trace")?;
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
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        bail!(Unsupported(
            "recording needs root (eBPF needs CAP_BPF and CAP_PERFMON): run it with sudo".into()
        ));
    }
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        bail!(Unsupported(
            "this kernel has no BTF (/sys/kernel/btf/vmlinux): build it with CONFIG_DEBUG_INFO_BTF=y".into()
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
                "tracefs is not mounted and mounting it failed: mount -t tracefs nodev /sys/kernel/tracing".into()
            ));
        }
    }
    Ok(())
}

/// Loads and attaches the programs, with `pid` in the filter.
fn load(pid: u32) -> anyhow::Result<Ebpf> {
    let mut ebpf = Ebpf::load(EBPF_OBJECT).context("loading the eBPF programs")?;
    let mut traced: HashMap<_, u32, u8> =
        HashMap::try_from(ebpf.map_mut(TRACED_MAP).context("filter map missing")?)?;
    traced
        .insert(pid, 1, 0)
        .context("adding the program to the filter")?;
    for name in ["sys_enter", "sys_exit"] {
        let program: &mut TracePoint = ebpf
            .program_mut(name)
            .with_context(|| format!("eBPF program {name} missing"))?
            .try_into()?;
        program.load().with_context(|| format!("loading {name}"))?;
        program
            .attach("raw_syscalls", name)
            .with_context(|| format!("attaching {name}"))?;
    }
    Ok(ebpf)
}

/// Trace files hold buffers, which hold secrets: only the owner may read them.
fn create_writer(path: &Path) -> anyhow::Result<Writer> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    Writer::new(file, &crate::machine::header(0), WriterOptions::default())
        .with_context(|| format!("writing {}", path.display()))
}

struct Recorder {
    writer: Writer,
    /// Lost records already written to the trace, per CPU.
    lost_seen: Vec<u64>,
    /// Timestamp of the newest event, where lost records are placed.
    last_ts: u64,
    /// Ctrl-Cs received: the first is the program's, the second stops recording.
    interrupts: u32,
}

impl Recorder {
    /// Drains the ring buffer until the program has ended; returns its status.
    async fn run(
        &mut self,
        ring: RingBuf<MapData>,
        lost: &PerCpuArray<MapData, u64>,
        pid: u32,
    ) -> anyhow::Result<u8> {
        use tokio::signal::unix::{SignalKind, signal};
        // SAFETY: the RingBuf owns its map fd, which stays open and unchanged for
        // as long as the AsyncFd owns the RingBuf.
        let mut ring = unsafe { AsyncFd::register_with_interest(ring, Interest::READABLE) }
            .map_err(|e| e.into_parts().1)
            .context("watching the ring buffer")?;
        let mut children = signal(SignalKind::child())?;
        let mut interrupts = signal(SignalKind::interrupt())?;
        let mut tick = tokio::time::interval(TICK);
        let status = loop {
            tokio::select! {
                guard = ring.readable_mut() => {
                    let mut guard = guard?;
                    self.drain(guard.get_inner_mut())?;
                    guard.clear_ready();
                }
                _ = children.recv() => {}
                _ = tick.tick() => {
                    self.note_lost(lost)?;
                    self.writer.flush_if_due()?;
                }
                // The terminal sends Ctrl-C to the program too: keep recording
                // until it ends. A second one stops recording at once.
                _ = interrupts.recv() => {
                    self.interrupts += 1;
                    if self.interrupts > 1 {
                        break 128 + libc::SIGINT as u8;
                    }
                    eprintln!("systrace: waiting for the program to end; Ctrl-C again to stop now");
                }
            }
            if let Some(status) = reap(pid)? {
                break status;
            }
        };
        self.drain(ring.get_mut())?;
        self.note_lost(lost)?;
        Ok(status)
    }

    fn drain(&mut self, ring: &mut RingBuf<MapData>) -> anyhow::Result<()> {
        while let Some(item) = ring.next() {
            if let Some(event) = decode(&item) {
                self.last_ts = event.ts;
                self.writer.push(&event)?;
            }
        }
        Ok(())
    }

    /// Writes a lost-events record per CPU for records the kernel dropped since
    /// last time, at the current end of the trace.
    fn note_lost(&mut self, lost: &PerCpuArray<MapData, u64>) -> anyhow::Result<()> {
        let per_cpu = lost.get(&0, 0).context("reading the lost counters")?;
        self.lost_seen.resize(per_cpu.len(), 0);
        for (cpu, (&count, seen)) in per_cpu.iter().zip(&mut self.lost_seen).enumerate() {
            if count > *seen {
                self.writer.push(&Event {
                    tid: 0,
                    pid: 0,
                    cpu: cpu as u32,
                    ts: self.last_ts,
                    body: Body::Lost {
                        count: count - *seen,
                    },
                })?;
                *seen = count;
            }
        }
        Ok(())
    }
}

/// Turns one ring-buffer record into an event; `None` for a record of unknown
/// kind or size (a mismatched eBPF object), which is skipped.
fn decode(bytes: &[u8]) -> Option<Event> {
    let header: Header = read_record(bytes)?;
    let body = match EventKind::try_from(header.kind).ok()? {
        EventKind::SysEnter => {
            let r: SysEnter = read_record(bytes)?;
            Body::SysEnter {
                nr: r.nr,
                args: r.args,
                captures: Vec::new(),
            }
        }
        EventKind::SysExit => {
            let r: SysExit = read_record(bytes)?;
            Body::SysExit {
                nr: r.nr,
                ret: r.ret,
                captures: Vec::new(),
            }
        }
    };
    Some(Event {
        tid: header.tid,
        pid: header.tgid,
        cpu: header.cpu,
        ts: header.ts,
        body,
    })
}

/// Copies a `#[repr(C)]` wire struct out of `bytes` if they are long enough.
fn read_record<T: Copy>(bytes: &[u8]) -> Option<T> {
    if bytes.len() < size_of::<T>() {
        return None;
    }
    // SAFETY: the length is checked, the wire structs are plain integers (every bit
    // pattern is valid), and read_unaligned needs no alignment.
    Some(unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) })
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
