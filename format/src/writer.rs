//! The streaming writer. The producer encodes events into column buffers (cheap);
//! a background thread archives, compresses and writes each full block, so zstd
//! never runs on the producer's thread. A bounded queue bounds memory.

use std::{
    fs::File,
    io::Write,
    path::Path,
    sync::mpsc::{Receiver, SyncSender, sync_channel},
    thread::JoinHandle,
    time::Duration,
};

use rkyv::rancor;

use crate::{
    Error, Event,
    chunk::{Block, BlockBuilder, Chunk, ChunkHeader, SealedBlock},
    header::{ALIGN, FileHeader, Preamble, Trailer, padded},
    index::{ChunkEntry, IndexBuilder},
};

/// Tuning knobs; the defaults suit a syscall tracer.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// zstd level.
    pub level: i32,
    /// A block is sealed at this many events...
    pub chunk_events: u32,
    /// ...or this many bytes of column data...
    pub chunk_bytes: usize,
    /// ...or when its first event is this old, by the events' own clock
    /// (their `ts`: as later events come, and at [`Writer::flush_if_due`]'s
    /// time for a quiet spell), so that a killed recorder loses at most
    /// about this much, and a view following the file (`show --follow`)
    /// sees each event within this of its time, plus the caller's delays.
    pub flush_interval: Duration,
    /// Sealed blocks waiting for the background thread; `push` blocks beyond this.
    pub queue_depth: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        Self {
            level: 3,
            chunk_events: 1 << 16,
            chunk_bytes: 2 << 20,
            flush_interval: Duration::from_millis(70),
            queue_depth: 4,
        }
    }
}

/// What [`Writer::finish`] reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub syscalls: u64,
    pub lost: u64,
    pub chunks: u64,
    /// Size of the finished file.
    pub bytes: u64,
}

/// Writes a trace file. Call [`Writer::finish`] at the end to learn whether all
/// went well; a dropped writer also completes the file. Only a killed process
/// leaves a cut file, which readers recover up to its last complete chunk.
pub struct Writer {
    block: BlockBuilder,
    /// The `ts` of the block's first event.
    block_started: u64,
    options: WriterOptions,
    queue: Option<SyncSender<SealedBlock>>,
    /// Written blocks coming back for reuse.
    spent: Receiver<Block>,
    worker: Option<JoinHandle<Result<Summary, Error>>>,
}

impl Writer {
    /// Creates (truncates) `path` and writes the header.
    pub fn create(path: &Path, header: &FileHeader, options: WriterOptions) -> Result<Self, Error> {
        let file = File::create(path).map_err(Error::Io)?;
        Self::new(file, header, options)
    }

    /// Writes the header to `file` (empty, opened for writing) and starts the
    /// background thread.
    pub fn new(mut file: File, header: &FileHeader, options: WriterOptions) -> Result<Self, Error> {
        let header_bytes =
            rkyv::to_bytes::<rancor::Error>(header).map_err(|e| Error::Encode(e.to_string()))?;
        let preamble = Preamble::new(&header_bytes);
        file.write_all(&preamble.to_bytes()).map_err(Error::Io)?;
        file.write_all(&header_bytes).map_err(Error::Io)?;
        file.write_all(&vec![0; padded(header_bytes.len()) - header_bytes.len()])
            .map_err(Error::Io)?;
        let mut compressor = zstd::bulk::Compressor::new(options.level).map_err(Error::Compress)?;
        let (queue, blocks) = sync_channel(options.queue_depth);
        // One more slot than the queue: the worker never blocks returning one.
        let (recycle, spent) = sync_channel(options.queue_depth + 1);
        let start = preamble.chunks_start();
        let worker = std::thread::Builder::new()
            .name("trace-writer".into())
            .spawn(move || write_blocks(file, start, blocks, recycle, &mut compressor))
            .map_err(Error::Io)?;
        Ok(Self {
            block: BlockBuilder::default(),
            block_started: 0,
            options,
            queue: Some(queue),
            spent,
            worker: Some(worker),
        })
    }

    /// Appends one event. Events should come in time order per thread.
    pub fn push(&mut self, event: &Event) -> Result<(), Error> {
        if self.block.len() == 0 {
            self.block_started = event.ts;
        }
        self.block.push(event);
        let full = self.block.len() >= self.options.chunk_events
            || self.block.raw_bytes() >= self.options.chunk_bytes;
        if full || self.is_due(event.ts) {
            self.flush()?;
        }
        Ok(())
    }

    /// Seals the current block if its first event is older than the flush
    /// interval at `now` (the events' clock). Call it from a timer, so that
    /// a quiet period still reaches the disk.
    pub fn flush_if_due(&mut self, now: u64) -> Result<(), Error> {
        if self.block.len() > 0 && self.is_due(now) {
            self.flush()?;
        }
        Ok(())
    }

    fn is_due(&self, now: u64) -> bool {
        let age = Duration::from_nanos(now.saturating_sub(self.block_started));
        age >= self.options.flush_interval
    }

    /// Seals the current block and hands it to the background thread.
    pub fn flush(&mut self) -> Result<(), Error> {
        if self.block.len() == 0 {
            return Ok(());
        }
        let sealed = self.block.take(self.spent.try_recv().unwrap_or_default());
        let sent = self.queue.as_ref().map(|q| q.send(sealed).is_ok());
        if sent != Some(true) {
            // The background thread stopped: its result says why.
            return Err(self.join().err().unwrap_or(Error::WriterStopped));
        }
        Ok(())
    }

    /// Writes what is left, the index and the trailer.
    pub fn finish(mut self) -> Result<Summary, Error> {
        self.flush()?;
        self.join()
    }

    fn join(&mut self) -> Result<Summary, Error> {
        self.queue = None;
        let worker = self.worker.take().ok_or(Error::WriterStopped)?;
        worker.join().map_err(|_| Error::WriterStopped)?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Without `finish` (an error or panic in the producer), still keep what was pushed.
        if self.worker.is_some() {
            let _ = self.flush();
            let _ = self.join();
        }
    }
}

/// The background thread: compress and write each block, then the index.
fn write_blocks(
    mut file: File,
    mut offset: u64,
    blocks: Receiver<SealedBlock>,
    recycle: SyncSender<Block>,
    compressor: &mut zstd::bulk::Compressor<'_>,
) -> Result<Summary, Error> {
    let mut index = IndexBuilder::default();
    let mut chunks = 0;
    for block in blocks {
        let (bytes, header, archive) = block.encode(compressor)?;
        file.write_all(&bytes).map_err(Error::Io)?;
        // The index learns from the archived chunk, as recovery does from the file.
        let chunk = Chunk::from_archive(archive, &header, offset)?;
        let tids = &bytes[ChunkHeader::SIZE..ChunkHeader::SIZE + 4 * header.thread_count as usize];
        index.add_written_chunk(ChunkEntry::new(&header, offset, tids), &chunk)?;
        offset += bytes.len() as u64;
        // The producer may have stopped listening; then the block is just freed.
        let _ = recycle.try_send(block.into_block());
        chunks += 1;
    }
    let index = index.finish();
    let index_bytes =
        rkyv::to_bytes::<rancor::Error>(&index).map_err(|e| Error::Encode(e.to_string()))?;
    let pad = padded(offset as usize) - offset as usize;
    debug_assert!(pad < ALIGN);
    file.write_all(&vec![0; pad]).map_err(Error::Io)?;
    let index_offset = offset + pad as u64;
    file.write_all(&index_bytes).map_err(Error::Io)?;
    let trailer = Trailer {
        index_offset,
        index_len: index_bytes.len() as u64,
        index_crc: crc32fast::hash(&index_bytes),
    };
    file.write_all(&trailer.to_bytes()).map_err(Error::Io)?;
    match file.sync_all() {
        // A device (-o /dev/null) has nothing to sync.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {}
        other => other.map_err(Error::Io)?,
    }
    Ok(Summary {
        events: index.totals.events,
        syscalls: index.totals.syscalls,
        lost: index.totals.lost,
        chunks,
        bytes: index_offset + index_bytes.len() as u64 + Trailer::SIZE as u64,
    })
}
