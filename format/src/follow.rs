//! Reading a trace while a recorder is still writing it (`show --follow`):
//! its header once it is there, then each chunk once it is whole, in file
//! order, until the recorder writes the index and trailer after the last.
//!
//! The file is mapped again at each poll (the mapping of a growing file
//! does not grow); a chunk is taken only when it decodes (its checksum
//! covers every byte), so a half-written one waits for the next poll.

use std::{cell::Cell, fs::File};

use memmap2::Mmap;
use rkyv::util::AlignedVec;

use crate::{
    Error, EventRef,
    chunk::{Chunk, ChunkHeader},
    header::{ArchivedFileHeader, Preamble, Trailer},
    reader::check_index,
};

/// A trace file being written, read as it grows.
pub struct Follow {
    file: File,
    header: AlignedVec,
    /// Where the next chunk starts.
    offset: Cell<u64>,
}

/// What a poll found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// More may come.
    Growing,
    /// The recorder wrote its index: every chunk has been read.
    Finished,
}

impl Follow {
    /// Starts following `file`, once its header is written (`None` before).
    pub fn start(file: File) -> Result<Option<Self>, Error> {
        let map = map(&file)?;
        if map.len() < Preamble::SIZE {
            return Ok(None);
        }
        let preamble = Preamble::parse(&map)?;
        let range = preamble.size..preamble.size + preamble.header_len as usize;
        let Some(bytes) = map.get(range) else {
            return Ok(None);
        };
        let header = crate::header::current_header(preamble.major, bytes, preamble.size as u64)?;
        Ok(Some(Follow {
            file,
            header,
            offset: Cell::new(preamble.chunks_start()),
        }))
    }

    pub fn header(&self) -> &ArchivedFileHeader {
        // SAFETY: `start` validated these bytes, never changed since.
        unsafe { rkyv::access_unchecked::<ArchivedFileHeader>(&self.header) }
    }

    /// Hands `f` every event of the chunks completed since the last poll.
    pub fn poll(&self, mut f: impl FnMut(EventRef<'_>)) -> Result<Progress, Error> {
        let map = map(&self.file)?;
        // With the trailer written (and its index whole: not chunk bytes
        // that happen to end alike), the chunks end where the index begins.
        let trailer = Trailer::parse(&map).filter(|t| check_index(&map, t).is_ok());
        let end = trailer.map_or(map.len() as u64, |t| t.index_offset);
        let mut offset = self.offset.get();
        while offset + (ChunkHeader::SIZE as u64) <= end {
            let Ok(chunk) = Chunk::decode(&map, offset) else {
                break;
            };
            let (header, _) = ChunkHeader::parse(&map, offset)?;
            chunk.events().for_each(&mut f);
            offset += header.chunk_len() as u64;
            self.offset.set(offset);
        }
        Ok(match trailer {
            Some(_) => Progress::Finished,
            None => Progress::Growing,
        })
    }
}

fn map(file: &File) -> Result<Mmap, Error> {
    // SAFETY: read-only; the recorder only appends, and every chunk read is
    // checked (its checksum) before it is used.
    unsafe { Mmap::map(file) }.map_err(Error::Io)
}
