//! The reader: a trace file mapped with memmap2, its header and index accessed in
//! place, chunks decoded on demand (in parallel where the caller allows).
//!
//! A file without a valid trailer was cut (recorder killed, disk full): the reader
//! then scans the chunks from the start, keeps every complete one, and rebuilds
//! the index from them, reporting that it did so in [`Trace::recovery`].
//! Traces concatenated into one file are read as the first of them
//! ([`Trace::concatenated`]). A chunk that turns out corrupt when a view reads
//! it is skipped, and the view goes on; [`Trace::skipped`] says what was lost.

use std::{fs::File, ops::ControlFlow, ops::Range, path::Path, sync::Mutex};

use memmap2::Mmap;
use rkyv::{rancor, util::AlignedVec};

use crate::{
    Error,
    chunk::{Chunk, ChunkHeader},
    event::EventRef,
    header::{ArchivedFileHeader, Preamble, Trailer},
    index::{ArchivedChunkEntry, ArchivedIndex, ChunkEntry, IndexBuilder},
};

/// The bytes of a trace: a file mapping, or a copy in memory (fuzzing, tests).
enum Bytes {
    Mapped(Mmap),
    Owned(AlignedVec),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(vec) => vec,
        }
    }
}

/// Where two traces were glued together: a trailer, then a new preamble.
const CONCATENATED: &[u8] = b"STRCEND1SYSTRACE";

/// Where the index lives: in the file, or rebuilt by a recovery scan.
enum IndexBytes {
    InFile(Range<usize>),
    Rebuilt(AlignedVec),
}

/// What a recovery scan of a cut file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// Complete chunks kept.
    pub chunks: usize,
    /// Where the scan stopped: the first byte not part of a complete chunk.
    pub stopped_at: u64,
    pub file_len: u64,
    /// Damaged stretches the scan went past to later complete chunks.
    pub skipped: Vec<Skipped>,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "trace was not finished (recorder killed or disk full?): index rebuilt by scanning; \
             kept {} complete chunks, ignored {} bytes from offset {}",
            self.chunks,
            self.file_len - self.stopped_at,
            self.stopped_at
        )
    }
}

/// A stretch of the file a reader could not use and went past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub offset: u64,
    /// Events in it, when the index knew.
    pub events: Option<u64>,
    /// Its time range, as offsets from the trace's first event, when known.
    pub time: Option<(u64, u64)>,
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "skipped a corrupt chunk at byte offset {}", self.offset)?;
        if let Some(events) = self.events {
            write!(f, ": {events} events")?;
        }
        if let Some((from, to)) = self.time {
            let s = |ns: u64| ns as f64 / 1e9;
            write!(f, " from +{:.6}s to +{:.6}s", s(from), s(to))?;
        }
        write!(f, " ({})", self.reason)
    }
}

/// Which events a reader wants: chunks that cannot hold any are never decompressed.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these threads (all when `None`).
    pub tids: Option<Vec<u32>>,
    /// Only events at or after this monotonic timestamp.
    pub since: Option<u64>,
    /// Only events at or before this monotonic timestamp.
    pub until: Option<u64>,
}

impl Filter {
    fn wants_chunk(&self, chunk: &ArchivedChunkEntry) -> bool {
        let in_time = self.since.is_none_or(|s| chunk.ts_last.to_native() >= s)
            && self.until.is_none_or(|u| chunk.ts_first.to_native() <= u);
        let has_thread = self
            .tids
            .as_ref()
            .is_none_or(|tids| chunk.tids.iter().any(|t| tids.contains(&t.to_native())));
        in_time && has_thread
    }

    /// Whether `event` passes the filter.
    pub fn wants(&self, event: &EventRef<'_>) -> bool {
        self.since.is_none_or(|s| event.ts >= s)
            && self.until.is_none_or(|u| event.ts <= u)
            && self.tids.as_ref().is_none_or(|t| t.contains(&event.tid))
    }
}

/// What [`Trace::walk`] hands over: an event, or the end of a chunk.
pub enum Step<'a> {
    Event(EventRef<'a>),
    ChunkEnd,
}

/// An open trace file.
pub struct Trace {
    bytes: Bytes,
    /// The trace's length: less than the file's when traces were concatenated.
    len: usize,
    /// The header, in this version's layout (see `current_header`).
    header: AlignedVec,
    index: IndexBytes,
    recovery: Option<Recovery>,
    /// Set when the file holds more traces after this one: where the next begins.
    concatenated: Option<u64>,
    /// Corrupt chunks views went past.
    skipped: Mutex<Vec<Skipped>>,
}

impl Trace {
    /// Maps and checks `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        Self::from_file(&File::open(path).map_err(Error::Io)?)
    }

    /// Maps and checks an open file.
    pub fn from_file(file: &File) -> Result<Self, Error> {
        // SAFETY: the mapping is read-only; a file changed under us by another
        // process can give wrong data, which every access checks, but not UB in
        // safe code that only reads bytes through bounds-checked slices.
        let map = unsafe { Mmap::map(file) }.map_err(Error::Io)?;
        Self::from_bytes(Bytes::Mapped(map))
    }

    /// Reads a trace held in memory.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut owned = AlignedVec::with_capacity(bytes.len());
        owned.extend_from_slice(bytes);
        Self::from_bytes(Bytes::Owned(owned))
    }

    fn from_bytes(bytes: Bytes) -> Result<Self, Error> {
        let whole = bytes.as_slice();
        let preamble = Preamble::parse(whole)?;
        let (file, concatenated) = match first_of_concatenated(whole) {
            Some(end) => (&whole[..end], Some(end as u64)),
            None => (whole, None),
        };
        let header_range = preamble.size..preamble.size + preamble.header_len as usize;
        let at = preamble.size as u64;
        let header_bytes = file
            .get(header_range)
            .ok_or_else(|| Error::corrupt(at, "header cut short"))?;
        if preamble
            .header_crc
            .is_some_and(|crc| crc != crc32fast::hash(header_bytes))
        {
            return Err(Error::corrupt(at, "header checksum mismatch"));
        }
        let header = crate::header::current_header(preamble.major, header_bytes, at)?;
        let (index, recovery) = match Trailer::parse(file) {
            Some(trailer) => (IndexBytes::InFile(check_index(file, &trailer)?), None),
            None => {
                let (index, recovery) = rebuild_index(file, preamble.chunks_start())?;
                (IndexBytes::Rebuilt(index), Some(recovery))
            }
        };
        let len = file.len();
        Ok(Trace {
            bytes,
            len,
            header,
            index,
            recovery,
            concatenated,
            skipped: Mutex::new(Vec::new()),
        })
    }

    /// The trace's bytes.
    fn file(&self) -> &[u8] {
        &self.bytes.as_slice()[..self.len]
    }

    pub fn header(&self) -> &ArchivedFileHeader {
        // SAFETY: validated by `current_header` in `from_bytes`; never changed.
        unsafe { rkyv::access_unchecked(&self.header) }
    }

    pub fn index(&self) -> &ArchivedIndex {
        let bytes = match &self.index {
            IndexBytes::InFile(range) => &self.file()[range.clone()],
            IndexBytes::Rebuilt(vec) => vec.as_slice(),
        };
        // SAFETY: validated by `rkyv::access` when the trace was opened.
        unsafe { rkyv::access_unchecked(bytes) }
    }

    /// Set when the file was cut and its index rebuilt: show it as a warning.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Set when more traces follow this one in the file: the byte offset
    /// where the next begins (only the first is read).
    pub fn concatenated(&self) -> Option<u64> {
        self.concatenated
    }

    /// The corrupt chunks that views of this trace went past so far, and
    /// what the recovery scan of a cut file went past.
    pub fn skipped(&self) -> Vec<Skipped> {
        let mut all = self
            .recovery
            .as_ref()
            .map_or(Vec::new(), |r| r.skipped.clone());
        all.extend(self.skipped.lock().map(|s| s.clone()).unwrap_or_default());
        all
    }

    /// A chunk that fails to decode: noted, and passed over (a read or
    /// allocation failure is not corruption, and still stops the view).
    fn skip(&self, i: usize, error: Error) -> Result<(), Error> {
        let Error::Corrupt { offset, what } = error else {
            return Err(error);
        };
        let entry = self.index().chunks.get(i);
        let first = self.index().totals.first_ts.to_native();
        let skipped = Skipped {
            offset,
            events: entry.map(|e| u64::from(e.events.to_native())),
            time: entry.map(|e| {
                (
                    e.ts_first.to_native().saturating_sub(first),
                    e.ts_last.to_native().saturating_sub(first),
                )
            }),
            reason: what,
        };
        if let Ok(mut list) = self.skipped.lock()
            && !list.contains(&skipped)
        {
            list.push(skipped);
        }
        Ok(())
    }

    /// Decodes chunk `i` of the index.
    pub fn chunk(&self, i: usize) -> Result<Chunk, Error> {
        let entry = self
            .index()
            .chunks
            .get(i)
            .ok_or_else(|| Error::corrupt(0, "chunk number out of range"))?;
        let chunk = Chunk::decode(self.file(), entry.offset.to_native())?;
        if chunk.len() != entry.events.to_native() as usize {
            return Err(Error::corrupt(
                entry.offset.to_native(),
                "chunk disagrees with the index",
            ));
        }
        Ok(chunk)
    }

    /// Indexes of the chunks that may hold events `filter` wants, in file order.
    pub fn select(&self, filter: &Filter) -> Vec<usize> {
        let chunks = &self.index().chunks;
        (0..chunks.len())
            .filter(|&i| filter.wants_chunk(&chunks[i]))
            .collect()
    }

    /// Calls `f` with every event `filter` wants, in file order. With
    /// `threads` > 1, the chunks ahead are decompressed on another thread
    /// (up to `threads` of them) while `f` runs. `f` can stop early with `Break`.
    pub fn for_each(
        &self,
        filter: &Filter,
        threads: usize,
        mut f: impl FnMut(EventRef<'_>) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        self.walk(filter, threads, |step| match step {
            Step::Event(event) => f(event),
            Step::ChunkEnd => ControlFlow::Continue(()),
        })
    }

    /// [`Trace::for_each`], with a [`Step::ChunkEnd`] after each chunk's
    /// events (for a view whose output is cut where the trace's chunks end).
    pub fn walk(
        &self,
        filter: &Filter,
        threads: usize,
        mut f: impl FnMut(Step<'_>) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        let selected = self.select(filter);
        let mut walk = |i: usize, chunk: Result<Chunk, Error>| -> Result<ControlFlow<()>, Error> {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => return self.skip(i, e).map(|()| ControlFlow::Continue(())),
            };
            let mut flow = ControlFlow::Continue(());
            for event in chunk.events().filter(|e| filter.wants(e)) {
                if f(Step::Event(event)).is_break() {
                    flow = ControlFlow::Break(());
                    break;
                }
            }
            // Columns that end badly: the events before were good, the rest is gone.
            if let Err(e) = chunk.check() {
                self.skip(i, e)?;
            }
            if flow.is_continue() {
                flow = f(Step::ChunkEnd);
            }
            Ok(flow)
        };
        if threads <= 1 || selected.len() <= 1 {
            for &i in &selected {
                if walk(i, self.chunk(i))?.is_break() {
                    break;
                }
            }
            return Ok(());
        }
        std::thread::scope(|scope| {
            let (ahead, chunks) = std::sync::mpsc::sync_channel(threads);
            scope.spawn(move || {
                for &i in &selected {
                    // The reader stopped (done early, or an error): so do we.
                    if ahead.send((i, self.chunk(i))).is_err() {
                        break;
                    }
                }
            });
            for (i, chunk) in chunks {
                if walk(i, chunk)?.is_break() {
                    break;
                }
            }
            Ok(())
        })
    }

    /// Runs `f` on every chunk `filter` selects, `threads` at a time, and returns
    /// its results in file order. `f` sees whole chunks: filter events with
    /// [`Filter::wants`].
    pub fn map_chunks<R: Send>(
        &self,
        filter: &Filter,
        threads: usize,
        f: impl Fn(&Chunk) -> R + Sync,
    ) -> Result<Vec<R>, Error> {
        let selected = self.select(filter);
        let threads = threads.clamp(1, selected.len().max(1));
        let per_thread = selected.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = selected
                .chunks(per_thread.max(1))
                .map(|share| {
                    let f = &f;
                    scope.spawn(move || {
                        let mut results = Vec::with_capacity(share.len());
                        for &i in share {
                            let chunk = match self.chunk(i) {
                                Ok(chunk) => chunk,
                                Err(e) => {
                                    self.skip(i, e)?;
                                    continue;
                                }
                            };
                            let result = f(&chunk);
                            match chunk.check() {
                                Ok(()) => results.push(result),
                                Err(e) => self.skip(i, e)?,
                            }
                        }
                        Ok::<_, Error>(results)
                    })
                })
                .collect();
            let mut results = Vec::with_capacity(selected.len());
            for worker in workers {
                let done = worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                results.extend(done?);
            }
            Ok(results)
        })
    }
}

/// Checks the index the trailer points at and returns its byte range.
pub(crate) fn check_index(file: &[u8], trailer: &Trailer) -> Result<Range<usize>, Error> {
    let offset = trailer.index_offset;
    let corrupt = |what: &str| Error::corrupt(offset, what);
    let end = offset
        .checked_add(trailer.index_len)
        .filter(|&end| end.checked_add(Trailer::SIZE as u64) == Some(file.len() as u64))
        .ok_or_else(|| corrupt("index does not end at the trailer"))?;
    if !(offset as usize).is_multiple_of(crate::header::ALIGN) {
        return Err(corrupt("index is not aligned"));
    }
    let range = offset as usize..end as usize;
    if crc32fast::hash(&file[range.clone()]) != trailer.index_crc {
        return Err(corrupt("index checksum mismatch"));
    }
    rkyv::access::<ArchivedIndex, rancor::Error>(&file[range.clone()])
        .map_err(|_| corrupt("index invalid"))?;
    Ok(range)
}

/// Decodes the chunk at `offset` and adds it to `builder`; returns its length.
fn index_chunk(file: &[u8], offset: u64, builder: &mut IndexBuilder) -> Result<usize, Error> {
    let (header, range) = ChunkHeader::parse(file, offset)?;
    let chunk = Chunk::decode(file, offset)?;
    let tids = &file[range.start + ChunkHeader::SIZE..][..4 * header.thread_count as usize];
    builder.add_chunk(ChunkEntry::new(&header, offset, tids), &chunk)?;
    Ok(header.chunk_len())
}

/// Scans a cut file chunk by chunk from `start` and indexes what is complete.
/// A chunk that does not decode is either where the recorder stopped or
/// damage: the scan goes on at the next chunk that decodes, if any.
fn rebuild_index(file: &[u8], start: u64) -> Result<(AlignedVec, Recovery), Error> {
    let mut builder = IndexBuilder::default();
    let mut offset = start.min(file.len() as u64);
    let mut chunks = 0;
    let mut skipped = Vec::new();
    loop {
        match index_chunk(file, offset, &mut builder) {
            Ok(len) => {
                offset += len as u64;
                chunks += 1;
            }
            Err(error) => {
                let Some(next) = next_chunk(file, offset + 1) else {
                    break;
                };
                skipped.push(Skipped {
                    offset,
                    events: None,
                    time: None,
                    reason: format!(
                        "{} bytes that are no complete chunk: {error}",
                        next - offset
                    ),
                });
                offset = next;
            }
        }
    }
    let index = rkyv::to_bytes::<rancor::Error>(&builder.finish())
        .map_err(|e| Error::Encode(e.to_string()))?;
    let recovery = Recovery {
        chunks,
        stopped_at: offset,
        file_len: file.len() as u64,
        skipped,
    };
    Ok((index, recovery))
}

/// The offset of the first chunk at or after `from` that decodes.
fn next_chunk(file: &[u8], from: u64) -> Option<u64> {
    let from = usize::try_from(from).ok()?;
    let mut at = from;
    while let Some(found) = file
        .get(at..)?
        .windows(ChunkHeader::MAGIC.len())
        .position(|w| w == ChunkHeader::MAGIC)
    {
        let offset = (at + found) as u64;
        if Chunk::decode(file, offset).is_ok() {
            return Some(offset);
        }
        at += found + 1;
    }
    None
}

/// Where the second trace begins, when `file` is traces glued together
/// (`cat a.bin b.bin`) and the first is complete: its trailer's index must
/// check out right before the second's preamble.
fn first_of_concatenated(file: &[u8]) -> Option<usize> {
    // A single complete trace is never searched.
    if let Some(trailer) = Trailer::parse(file)
        && check_index(file, &trailer).is_ok()
    {
        return None;
    }
    let split = file
        .windows(CONCATENATED.len())
        .position(|w| w == CONCATENATED)?
        + 8;
    let first = &file[..split];
    let trailer = Trailer::parse(first)?;
    check_index(first, &trailer).ok().map(|_| split)
}
