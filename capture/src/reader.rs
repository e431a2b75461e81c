//! The thread that empties the ring buffer: it only copies records out, in
//! chunks, and the event loop decodes them.
//!
//! Copying a record out costs a small fraction of decoding it, so the ring
//! is freed about as fast as the kernel fills it, and a burst waits in
//! chunks instead: memory the recorder touches only when a burst comes,
//! where every page of the ring is zeroed when it is created, which made a
//! large ring most of the start-up. The chunks in flight are bounded; past
//! that the reader waits, the ring fills up, and the kernel counts what
//! does not fit.
//!
//! The thread runs at the lowest real-time priority (when allowed): a
//! woken reader then runs at once instead of waiting for its turn beside
//! many busy threads (at nice -20 it was off the CPU for up to 35 ms at a
//! time beside 128 threads, long enough for 13 MiB to pile up), and since
//! it only copies, it never keeps a CPU for long.

use std::{
    io,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
        mpsc as std_mpsc,
    },
    thread::JoinHandle,
    time::Duration,
};

use tokio::sync::mpsc;

use crate::ring::Ring;

/// How long the reader sleeps when the kernel does not wake it (it does so
/// only when a lot waits): the most a record waits in a quiet ring.
const TICK: Duration = Duration::from_millis(10);
/// A chunk is handed over once it holds this much.
const CHUNK_BYTES: usize = 256 << 10;
/// Chunks in flight at most: what a burst may take in memory on top of the
/// ring buffer.
const CHUNKS_IN_FLIGHT: usize = 128;
/// Records taken in the final drain at most (targets of -p may still be
/// running, and writing).
const FINAL_RECORDS: usize = 1 << 20;

/// Records as the ring buffer held them, back to back.
#[derive(Default)]
pub struct Chunk {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    fn push(&mut self, record: &[u8]) {
        self.bytes.extend_from_slice(record);
        self.ends.push(self.bytes.len());
    }

    fn is_full(&self) -> bool {
        self.bytes.len() >= CHUNK_BYTES
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    pub fn records(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.bytes[a..b])
    }
}

/// The event loop's end of the reader thread.
pub struct Reader {
    chunks: mpsc::Receiver<Chunk>,
    /// Emptied chunks going back to be filled again.
    spare: std_mpsc::Sender<Chunk>,
    /// Rings the reader awake: to look at once, or to stop.
    doorbell: Arc<OwnedFd>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Reader {
    pub fn start(ring: Ring) -> io::Result<Self> {
        // SAFETY: eventfd has no preconditions; the fd is checked below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a new fd that nothing else owns.
        let doorbell = Arc::new(unsafe { OwnedFd::from_raw_fd(fd) });
        let (full, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
        let (spare, spares) = std_mpsc::channel();
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = Thread {
            epoll: watch(&ring, &doorbell)?,
            ring,
            full,
            spares,
            doorbell: doorbell.clone(),
            stopping: stopping.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("ring-reader".into())
            .spawn(move || thread.run())?;
        Ok(Self {
            chunks,
            spare,
            doorbell,
            stopping,
            thread: Some(thread),
        })
    }

    /// The next chunk; None once the reader has stopped (asked to, or failed:
    /// see [`Reader::finish`]).
    pub async fn next(&mut self) -> Option<Chunk> {
        self.chunks.recv().await
    }

    /// Gives a chunk back once its records are decoded.
    pub fn recycle(&self, mut chunk: Chunk) {
        chunk.clear();
        let _ = self.spare.send(chunk);
    }

    /// Asks the reader to empty the ring now (the kernel only wakes it when
    /// a lot waits).
    pub fn poke(&self) {
        ring(&self.doorbell);
    }

    /// Asks the reader to empty the ring one last time and stop; [`Reader::next`]
    /// returns the rest, then None.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        ring(&self.doorbell);
    }

    /// Waits for the thread to end and says whether it failed.
    pub fn finish(mut self) -> io::Result<()> {
        self.stop();
        self.chunks.close();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the ring buffer's reader panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Reader {
    /// Recording failed: the thread stops too (its next chunk finds no one
    /// to take it).
    fn drop(&mut self) {
        self.stop();
    }
}

fn ring(doorbell: &OwnedFd) {
    let one = 1u64;
    // SAFETY: writes 8 bytes from a local to our eventfd. A full counter
    // (never, in practice) already rings.
    unsafe { libc::write(doorbell.as_raw_fd(), (&raw const one).cast(), 8) };
}

/// The reader thread's side.
struct Thread {
    ring: Ring,
    epoll: OwnedFd,
    full: mpsc::Sender<Chunk>,
    spares: std_mpsc::Receiver<Chunk>,
    doorbell: Arc<OwnedFd>,
    stopping: Arc<AtomicBool>,
}

impl Thread {
    fn run(mut self) -> io::Result<()> {
        let lowest_real_time = libc::sched_param { sched_priority: 1 };
        // SAFETY: sets this thread's policy from a local. Best effort: without
        // the right it stays at the recorder's nice -20.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &lowest_real_time) };
        let mut chunk = Chunk::default();
        loop {
            let last = self.stopping.load(Ordering::Acquire);
            let limit = if last { FINAL_RECORDS } else { usize::MAX };
            if !self.empty_ring(&mut chunk, limit) || last {
                // Stopped, or the event loop is gone.
                return Ok(());
            }
            self.wait()?;
        }
    }

    /// Copies out what the ring holds (at most `limit` records), handing
    /// over each full chunk and the last one. False when the event loop is
    /// gone.
    fn empty_ring(&mut self, chunk: &mut Chunk, limit: usize) -> bool {
        let mut taken = 0;
        loop {
            let emptied = self.ring.drain(|record| {
                chunk.push(record);
                taken += 1;
                !chunk.is_full() && taken < limit
            });
            let done = emptied || taken >= limit;
            if chunk.is_full() || (done && !chunk.ends.is_empty()) {
                let next = self.spares.try_recv().unwrap_or_default();
                if self
                    .full
                    .blocking_send(std::mem::replace(chunk, next))
                    .is_err()
                {
                    return false;
                }
            }
            if done {
                return true;
            }
        }
    }

    /// Sleeps until the kernel wakes the ring's readers, the doorbell rings,
    /// or a tick passes.
    fn wait(&self) -> io::Result<()> {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 2];
        // SAFETY: epoll_wait on our own epoll fd, into a local array.
        let n = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.as_mut_ptr(),
                events.len() as libc::c_int,
                TICK.as_millis() as libc::c_int,
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            return if err.kind() == io::ErrorKind::Interrupted {
                Ok(())
            } else {
                Err(err)
            };
        }
        if events[..n as usize].iter().any(|e| e.u64 == DOORBELL) {
            let mut count = 0u64;
            // SAFETY: reads the eventfd's 8-byte counter into a local, which resets it.
            unsafe { libc::read(self.doorbell.as_raw_fd(), (&raw mut count).cast(), 8) };
        }
        Ok(())
    }
}

const RING: u64 = 0;
const DOORBELL: u64 = 1;

/// An epoll set of the ring, edge-triggered: it reports the kernel's
/// wakeups, not that data waits (some always does under load, and the
/// reader would spin on it), and the doorbell.
fn watch(ring: &Ring, doorbell: &OwnedFd) -> io::Result<OwnedFd> {
    // SAFETY: epoll_create1 has no preconditions; the fd is checked below.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new fd that nothing else owns.
    let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
    let watched = [
        (ring.as_raw_fd(), libc::EPOLLIN | libc::EPOLLET, RING),
        (doorbell.as_raw_fd(), libc::EPOLLIN, DOORBELL),
    ];
    for (fd, flags, token) in watched {
        let mut event = libc::epoll_event {
            events: flags as u32,
            u64: token,
        };
        // SAFETY: adds an fd of ours to our epoll set; the event is a local.
        if unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(epoll)
}
