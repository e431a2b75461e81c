//! The reader: a trace file mapped with memmap2, its header and index accessed in
//! place, chunks decoded on demand (in parallel where the caller allows).
//!
//! A file without a valid trailer was cut (recorder killed, disk full): the reader
//! then scans the chunks from the start, keeps every complete one, and rebuilds
//! the index from them, reporting that it did so in [`Trace::recovery`].

use std::{fs::File, ops::ControlFlow, ops::Range, path::Path};

use memmap2::Mmap;
use rkyv::{rancor, util::AlignedVec};

use crate::{
    Error,
    chunk::{Chunk, ChunkHeader},
    event::EventRef,
    header::{ArchivedFileHeader, Preamble, Trailer},
    index::{ArchivedChunkEntry, ArchivedIndex, IndexBuilder},
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

/// An open trace file.
pub struct Trace {
    bytes: Bytes,
    header: Range<usize>,
    index: IndexBytes,
    recovery: Option<Recovery>,
}

impl Trace {
    /// Maps and checks `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(Error::Io)?;
        // SAFETY: the mapping is read-only; a file changed under us by another
        // process can give wrong data, which every access checks, but not UB in
        // safe code that only reads bytes through bounds-checked slices.
        let map = unsafe { Mmap::map(&file) }.map_err(Error::Io)?;
        Self::from_bytes(Bytes::Mapped(map))
    }

    /// Reads a trace held in memory.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut owned = AlignedVec::with_capacity(bytes.len());
        owned.extend_from_slice(bytes);
        Self::from_bytes(Bytes::Owned(owned))
    }

    fn from_bytes(bytes: Bytes) -> Result<Self, Error> {
        let file = bytes.as_slice();
        let preamble = Preamble::parse(file)?;
        let header = Preamble::SIZE..Preamble::SIZE + preamble.header_len as usize;
        let header_bytes = file
            .get(header.clone())
            .ok_or_else(|| Error::corrupt(Preamble::SIZE as u64, "header cut short"))?;
        rkyv::access::<ArchivedFileHeader, rancor::Error>(header_bytes)
            .map_err(|e| Error::corrupt(Preamble::SIZE as u64, &format!("header invalid: {e}")))?;
        let (index, recovery) = match Trailer::parse(file) {
            Some(trailer) => (IndexBytes::InFile(check_index(file, &trailer)?), None),
            None => {
                let (index, recovery) = rebuild_index(file, preamble.chunks_start())?;
                (IndexBytes::Rebuilt(index), Some(recovery))
            }
        };
        Ok(Trace {
            bytes,
            header,
            index,
            recovery,
        })
    }

    pub fn header(&self) -> &ArchivedFileHeader {
        // SAFETY: validated by `rkyv::access` in `from_bytes`; the bytes never change.
        unsafe { rkyv::access_unchecked(&self.bytes.as_slice()[self.header.clone()]) }
    }

    pub fn index(&self) -> &ArchivedIndex {
        let bytes = match &self.index {
            IndexBytes::InFile(range) => &self.bytes.as_slice()[range.clone()],
            IndexBytes::Rebuilt(vec) => vec.as_slice(),
        };
        // SAFETY: validated by `rkyv::access` when the trace was opened.
        unsafe { rkyv::access_unchecked(bytes) }
    }

    /// Set when the file was cut and its index rebuilt: show it as a warning.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Decodes chunk `i` of the index.
    pub fn chunk(&self, i: usize) -> Result<Chunk, Error> {
        let entry = self
            .index()
            .chunks
            .get(i)
            .ok_or_else(|| Error::corrupt(0, "chunk number out of range"))?;
        let chunk = Chunk::decode(self.bytes.as_slice(), entry.offset.to_native())?;
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
        let selected = self.select(filter);
        let mut walk = |chunk: Result<Chunk, Error>| -> Result<ControlFlow<()>, Error> {
            let chunk = chunk?;
            for event in chunk.events().filter(|e| filter.wants(e)) {
                if f(event).is_break() {
                    chunk.check()?;
                    return Ok(ControlFlow::Break(()));
                }
            }
            chunk.check()?;
            Ok(ControlFlow::Continue(()))
        };
        if threads <= 1 || selected.len() <= 1 {
            for &i in &selected {
                if walk(self.chunk(i))?.is_break() {
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
                    if ahead.send(self.chunk(i)).is_err() {
                        break;
                    }
                }
            });
            for chunk in chunks {
                if walk(chunk)?.is_break() {
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
                        share
                            .iter()
                            .map(|&i| {
                                let chunk = self.chunk(i)?;
                                let result = f(&chunk);
                                chunk.check().map(|()| result)
                            })
                            .collect::<Result<Vec<R>, Error>>()
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
fn check_index(file: &[u8], trailer: &Trailer) -> Result<Range<usize>, Error> {
    let offset = trailer.index_offset;
    let corrupt = |what: &str| Error::corrupt(offset, what);
    let end = offset
        .checked_add(trailer.index_len)
        .filter(|&end| end + Trailer::SIZE as u64 == file.len() as u64)
        .ok_or_else(|| corrupt("index does not end at the trailer"))?;
    if !(offset as usize).is_multiple_of(crate::header::ALIGN) {
        return Err(corrupt("index is not aligned"));
    }
    let range = offset as usize..end as usize;
    if crc32fast::hash(&file[range.clone()]) != trailer.index_crc {
        return Err(corrupt("index checksum mismatch"));
    }
    rkyv::access::<ArchivedIndex, rancor::Error>(&file[range.clone()])
        .map_err(|e| corrupt(&format!("index invalid: {e}")))?;
    Ok(range)
}

/// Decodes the chunk at `offset` and adds it to `builder`; returns its length.
fn index_chunk(file: &[u8], offset: u64, builder: &mut IndexBuilder) -> Result<usize, Error> {
    let (header, range) = ChunkHeader::parse(file, offset)?;
    let chunk = Chunk::decode(file, offset)?;
    let tids = &file[range.start + ChunkHeader::SIZE..][..4 * header.thread_count as usize];
    builder.add_chunk(header.entry(offset, tids), &chunk)?;
    Ok(header.chunk_len())
}

/// Scans a cut file chunk by chunk from `start` and indexes what is complete.
fn rebuild_index(file: &[u8], start: u64) -> Result<(AlignedVec, Recovery), Error> {
    let mut builder = IndexBuilder::default();
    let mut offset = start.min(file.len() as u64);
    let mut chunks = 0;
    // The first chunk that does not decode is where the recorder stopped.
    while let Ok(len) = index_chunk(file, offset, &mut builder) {
        offset += len as u64;
        chunks += 1;
    }
    let index = rkyv::to_bytes::<rancor::Error>(&builder.finish())
        .map_err(|e| Error::Encode(e.to_string()))?;
    let recovery = Recovery {
        chunks,
        stopped_at: offset,
        file_len: file.len() as u64,
    };
    Ok((index, recovery))
}
