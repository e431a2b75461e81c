//! The footer index: where each chunk is and what it holds, plus per-thread and
//! per-process tables and totals, so that views can start without reading events.
//!
//! [`IndexBuilder`] derives all of it from the events themselves. The writer and
//! the recovery scan of a cut file both use it, so a rebuilt index equals the one
//! the writer would have written.

use rkyv::{Archive, Deserialize, Serialize};
use rustc_hash::FxHashMap;

use crate::{
    Error,
    chunk::{Chunk, ChunkHeader},
    event::{BodyRef, EventRef},
};

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    pub chunks: Vec<ChunkEntry>,
    /// Ordered by first event.
    pub threads: Vec<ThreadInfo>,
    /// Ordered by first event.
    pub processes: Vec<ProcessInfo>,
    /// Lost events per (cpu, tid); tid 0 when the kernel side could not tell.
    pub lost: Vec<LostInfo>,
    pub totals: Totals,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ChunkEntry {
    /// Byte offset of the chunk header in the file.
    pub offset: u64,
    pub compressed_len: u32,
    pub raw_len: u32,
    pub events: u32,
    pub ts_first: u64,
    pub ts_last: u64,
    pub tids: Vec<u32>,
}

impl ChunkEntry {
    /// The entry of the chunk whose header is `header`, at `offset` in the
    /// file; `tids` are the bytes that follow the header.
    pub(crate) fn new(header: &ChunkHeader, offset: u64, tids: &[u8]) -> Self {
        Self {
            offset,
            compressed_len: header.compressed_len,
            raw_len: header.raw_len,
            events: header.events,
            ts_first: header.ts_first,
            ts_last: header.ts_last,
            tids: tids
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        }
    }
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    pub tid: u32,
    pub pid: u32,
    pub first_ts: u64,
    pub last_ts: u64,
    pub events: u64,
    pub syscalls: u64,
    pub lost: u64,
    /// wait(2)-style status, if the thread's end was recorded.
    pub exit_status: Option<i32>,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: u32,
    /// 0 when the fork was not recorded (the traced root, or attached processes).
    pub ppid: u32,
    /// Command name after the last exec (or inherited from the parent).
    pub comm: Vec<u8>,
    pub filename: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    pub first_ts: u64,
    pub last_ts: u64,
    /// wait(2)-style status of the thread group leader, if recorded.
    pub exit_status: Option<i32>,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct LostInfo {
    pub cpu: u32,
    pub tid: u32,
    pub count: u64,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub events: u64,
    /// Syscall entries.
    pub syscalls: u64,
    pub lost: u64,
    pub first_ts: u64,
    pub last_ts: u64,
}

/// Builds an [`Index`] from the chunks and events it is shown, in file order.
#[derive(Default)]
pub(crate) struct IndexBuilder {
    chunks: Vec<ChunkEntry>,
    threads: FxHashMap<u32, ThreadInfo>,
    processes: FxHashMap<u32, ProcessInfo>,
    lost: FxHashMap<(u32, u32), u64>,
    totals: Totals,
}

impl IndexBuilder {
    /// Adds a chunk and all its events; a chunk with bad columns is refused
    /// whole, leaving the builder as it was.
    pub(crate) fn add_chunk(&mut self, entry: ChunkEntry, chunk: &Chunk) -> Result<(), Error> {
        chunk.validate()?;
        chunk.events().for_each(|e| self.observe(&e));
        self.chunks.push(entry);
        Ok(())
    }

    /// Adds a chunk the writer itself just built, in one walk instead of two:
    /// its columns come from well-formed events, so the walk that refuses a
    /// bad chunk before observing it is not needed. It is still checked after.
    pub(crate) fn add_written_chunk(
        &mut self,
        entry: ChunkEntry,
        chunk: &Chunk,
    ) -> Result<(), Error> {
        chunk.events().for_each(|e| self.observe(&e));
        chunk.check()?;
        self.chunks.push(entry);
        Ok(())
    }

    fn observe(&mut self, event: &EventRef<'_>) {
        let totals = &mut self.totals;
        if totals.events == 0 {
            totals.first_ts = event.ts;
        }
        totals.events += 1;
        totals.first_ts = totals.first_ts.min(event.ts);
        totals.last_ts = totals.last_ts.max(event.ts);

        let thread = self.threads.entry(event.tid).or_insert_with(|| ThreadInfo {
            tid: event.tid,
            pid: event.pid,
            first_ts: event.ts,
            ..ThreadInfo::default()
        });
        thread.pid = event.pid;
        thread.events += 1;
        thread.first_ts = thread.first_ts.min(event.ts);
        thread.last_ts = thread.last_ts.max(event.ts);

        // Processes' times come from their threads in `finish`; only the rare
        // process-life events touch them here.
        match event.body {
            BodyRef::SysEnter { .. } => {
                thread.syscalls += 1;
                totals.syscalls += 1;
            }
            BodyRef::SysExit { .. }
            | BodyRef::Signal { .. }
            | BodyRef::Files { .. }
            | BodyRef::NsTid { .. }
            | BodyRef::Stack { .. }
            | BodyRef::Mappings { .. } => {}
            BodyRef::Lost { count } => {
                // Counts come from the file: saturate rather than trust them.
                thread.lost = thread.lost.saturating_add(count);
                totals.lost = totals.lost.saturating_add(count);
                let per_cpu = self.lost.entry((event.cpu, event.tid)).or_default();
                *per_cpu = per_cpu.saturating_add(count);
            }
            BodyRef::TaskExit { status } => {
                thread.exit_status = Some(status);
                if event.tid == event.pid {
                    self.process(event.pid).exit_status = Some(status);
                }
            }
            BodyRef::Exec {
                filename,
                comm,
                argv,
                ..
            } => {
                let process = self.process(event.pid);
                process.filename = filename.to_vec();
                process.comm = comm.to_vec();
                process.argv = argv.map(<[u8]>::to_vec).collect();
            }
            BodyRef::Fork { child_pid, .. } if child_pid != event.pid => {
                let comm = self.process(event.pid).comm.clone();
                let child = self.process(child_pid);
                child.ppid = event.pid;
                child.first_ts = child.first_ts.min(event.ts);
                child.last_ts = child.last_ts.max(event.ts);
                if child.comm.is_empty() {
                    child.comm = comm;
                }
            }
            BodyRef::Fork { .. } => {}
        }
    }

    fn process(&mut self, pid: u32) -> &mut ProcessInfo {
        self.processes.entry(pid).or_insert_with(|| ProcessInfo {
            pid,
            first_ts: u64::MAX,
            ..ProcessInfo::default()
        })
    }

    pub fn finish(mut self) -> Index {
        let mut threads: Vec<_> = self.threads.into_values().collect();
        threads.sort_by_key(|t| (t.first_ts, t.tid));
        for thread in &threads {
            let process = self
                .processes
                .entry(thread.pid)
                .or_insert_with(|| ProcessInfo {
                    pid: thread.pid,
                    first_ts: u64::MAX,
                    ..ProcessInfo::default()
                });
            process.first_ts = process.first_ts.min(thread.first_ts);
            process.last_ts = process.last_ts.max(thread.last_ts);
        }
        let mut processes: Vec<_> = self.processes.into_values().collect();
        processes.sort_by_key(|p| (p.first_ts, p.pid));
        let mut lost: Vec<_> = self
            .lost
            .into_iter()
            .map(|((cpu, tid), count)| LostInfo { cpu, tid, count })
            .collect();
        lost.sort_by_key(|l| (l.cpu, l.tid));
        Index {
            chunks: self.chunks,
            threads,
            processes,
            lost,
            totals: self.totals,
        }
    }
}
