//! systrace's trace file format.
//!
//! A recording is written once and read many times, by views that want all of it,
//! one thread of it, or a time window of it. Data flows like this:
//!
//! ```text
//! producer --Event--> Writer --columns--> [background thread: rkyv + zstd] --> file
//! file --mmap--> Trace --index (in place)--> chunk selection --zstd--> Chunk --EventRef--> views
//! ```
//!
//! - `header`: preamble (magic, version), the [`FileHeader`] (machine, command,
//!   snaplen, clock anchor) and the trailer.
//! - `chunk` ([`Chunk`]): events ([`Event`], [`EventRef`]) as varint columns in
//!   an rkyv archive, one zstd frame each, behind a plain header with sizes,
//!   count, time range and tids.
//! - [`Index`]: the footer, read zero-copy from the mapping: chunk table, threads,
//!   processes, lost events, totals.
//! - [`Writer`]: streaming, bounded memory, compression off the producer's thread.
//! - [`Trace`]: checked, zero-copy reading; a cut file is recovered by scanning.
//! - [`Follow`]: a file still being written, read chunk by chunk as it grows.
//!
//! Every byte read from a file is checked (checksums, rkyv validation, bounded
//! varints); a bad file is an [`Error`] naming the offset, never a panic.

mod chunk;
mod event;
mod follow;
mod header;
mod index;
mod reader;
mod varint;
mod writer;

pub use chunk::{Chunk, Events};
pub use event::{
    Argv, Body, BodyRef, Capture, CaptureRef, CaptureStatus, Captures, Environment, Event,
    EventRef, Mapping, OpenFile, signal_ip, stack_frames,
};
pub use follow::{Follow, Progress};
pub use header::{
    ArchivedClockAnchor, ArchivedFileHeader, ArchivedSelection, ClockAnchor, FileHeader, Selection,
    VERSION_MAJOR, VERSION_MINOR,
};
pub use index::{
    ArchivedChunkEntry, ArchivedIndex, ArchivedLostInfo, ArchivedProcessInfo, ArchivedThreadInfo,
    ArchivedTotals, ChunkEntry, Index, LostInfo, ProcessInfo, ThreadInfo, Totals,
};
pub use reader::{Filter, Recovery, Skipped, Step, Trace};
pub use writer::{Summary, Writer, WriterOptions};

/// Everything that can go wrong reading or writing a trace.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(std::io::Error),
    #[error("empty file: the recorder stopped before writing anything")]
    Empty,
    #[error("not a systrace trace file (bad magic at byte offset 0)")]
    NotATrace,
    #[error(
        "trace format version {major}.{minor} is not supported by this systrace \
         (it reads versions 1 to {VERSION_MAJOR}); use a matching systrace release"
    )]
    Version { major: u16, minor: u16 },
    #[error("corrupt trace at byte offset {offset}: {what}")]
    Corrupt { offset: u64, what: String },
    #[error("cannot encode trace data: {0}")]
    Encode(String),
    #[error("zstd compression failed: {0}")]
    Compress(std::io::Error),
    #[error("a chunk exceeds 4 GiB")]
    ChunkTooLarge,
    #[error("the trace writer's background thread stopped unexpectedly")]
    WriterStopped,
}

impl Error {
    pub(crate) fn corrupt(offset: u64, what: &str) -> Self {
        Error::Corrupt {
            offset,
            what: what.to_owned(),
        }
    }
}
