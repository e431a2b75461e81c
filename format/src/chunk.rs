//! A chunk: a block of events stored as columns, archived with rkyv and compressed
//! as one zstd frame, behind a small plain header.
//!
//! Each column is a byte stream of varints (see [`crate::varint`]), so a field that
//! barely changes (the syscall number of `dd`, its fd, its one-byte buffer) costs
//! almost nothing after zstd, and timestamps are stored as deltas. Decoding walks
//! the columns in place inside the decompressed archive: nothing is deserialised.
//!
//! On disk: `ChunkHeader` (48 bytes) | tids (`u32` each) | zstd frame.

use std::cell::Cell;

use rkyv::{Archive, Serialize, rancor, util::AlignedVec};

use crate::{
    Error,
    event::{Argv, Body, BodyRef, CaptureStatus, Captures, EventRef, Kind},
    varint::{Cursor, put_i64, put_u64},
};

/// The columns of one block of events.
#[derive(Archive, Serialize, Default, Debug)]
pub(crate) struct Block {
    /// Timestamp the first delta in `times` is relative to.
    base_ts: u64,
    /// The thread table: `threads` indexes these two columns.
    tids: Vec<u32>,
    pids: Vec<u32>,
    /// One [`Kind`] byte per event.
    kinds: Vec<u8>,
    threads: Vec<u8>,
    cpus: Vec<u8>,
    /// Zigzag delta from the previous event's timestamp.
    times: Vec<u8>,
    /// Syscall numbers (zigzag) of enter and exit events.
    nrs: Vec<u8>,
    /// Return values (zigzag) of exit events.
    rets: Vec<u8>,
    /// Every other number: syscall args, fork/exec/signal fields, lengths.
    ints: Vec<u8>,
    /// Capture descriptors: count, then (arg, status, len) per capture.
    caps: Vec<u8>,
    /// Captured bytes, exec strings and siginfo, back to back.
    data: Vec<u8>,
}

impl Block {
    fn clear(&mut self) {
        self.base_ts = 0;
        self.tids.clear();
        self.pids.clear();
        for column in [
            &mut self.kinds,
            &mut self.threads,
            &mut self.cpus,
            &mut self.times,
            &mut self.nrs,
            &mut self.rets,
            &mut self.ints,
            &mut self.caps,
            &mut self.data,
        ] {
            column.clear();
        }
    }
}

/// Accumulates events into a [`Block`] (the producer's side of a chunk).
#[derive(Default)]
pub(crate) struct BlockBuilder {
    block: Block,
    thread_slots: rustc_hash::FxHashMap<(u32, u32), u32>,
    events: u32,
    last_ts: u64,
    ts_first: u64,
    ts_last: u64,
}

impl BlockBuilder {
    pub fn len(&self) -> u32 {
        self.events
    }

    /// Bytes of column data so far (the chunk's size before compression, roughly).
    pub fn raw_bytes(&self) -> usize {
        let b = &self.block;
        [
            &b.kinds, &b.threads, &b.cpus, &b.times, &b.nrs, &b.rets, &b.ints, &b.caps, &b.data,
        ]
        .iter()
        .map(|c| c.len())
        .sum()
    }

    pub fn push(&mut self, event: &crate::Event) {
        let b = &mut self.block;
        if self.events == 0 {
            b.base_ts = event.ts;
            self.last_ts = event.ts;
            self.ts_first = event.ts;
            self.ts_last = event.ts;
        }
        self.events += 1;
        self.ts_first = self.ts_first.min(event.ts);
        self.ts_last = self.ts_last.max(event.ts);
        let next_slot = b.tids.len() as u32;
        let slot = *self
            .thread_slots
            .entry((event.tid, event.pid))
            .or_insert(next_slot);
        if slot == next_slot {
            b.tids.push(event.tid);
            b.pids.push(event.pid);
        }
        b.kinds.push(event.body.kind() as u8);
        put_u64(&mut b.threads, u64::from(slot));
        put_u64(&mut b.cpus, u64::from(event.cpu));
        put_i64(&mut b.times, event.ts.wrapping_sub(self.last_ts) as i64);
        self.last_ts = event.ts;
        match &event.body {
            Body::SysEnter { nr, args, captures } => {
                put_i64(&mut b.nrs, *nr);
                args.iter().for_each(|&a| put_u64(&mut b.ints, a));
                put_captures(b, captures);
            }
            Body::SysExit { nr, ret, captures } => {
                put_i64(&mut b.nrs, *nr);
                put_i64(&mut b.rets, *ret);
                put_captures(b, captures);
            }
            Body::Fork {
                child_tid,
                child_pid,
            } => {
                put_u64(&mut b.ints, u64::from(*child_tid));
                put_u64(&mut b.ints, u64::from(*child_pid));
            }
            Body::Exec {
                filename,
                comm,
                argv,
                envp,
            } => {
                put_bytes(b, filename);
                put_bytes(b, comm);
                put_u64(&mut b.ints, argv.len() as u64);
                argv.iter().for_each(|arg| put_bytes(b, arg));
                if let Some(envp) = envp {
                    put_u64(&mut b.ints, u64::from(envp.cut));
                    put_u64(&mut b.ints, envp.vars.len() as u64);
                    envp.vars.iter().for_each(|var| put_bytes(b, var));
                }
            }
            Body::TaskExit { status } => put_i64(&mut b.ints, i64::from(*status)),
            Body::Signal {
                signo,
                code,
                errno,
                info,
            } => {
                put_i64(&mut b.ints, i64::from(*signo));
                put_i64(&mut b.ints, i64::from(*code));
                put_i64(&mut b.ints, i64::from(*errno));
                put_bytes(b, info);
            }
            Body::Lost { count } => put_u64(&mut b.ints, *count),
            Body::NsTid { ns_tid } => put_u64(&mut b.ints, u64::from(*ns_tid)),
            Body::Stack { id, frames } => {
                put_u64(&mut b.ints, u64::from(*id));
                let bytes: Vec<u8> = frames.iter().flat_map(|f| f.to_le_bytes()).collect();
                put_bytes(b, &bytes);
            }
            Body::Mappings { maps } => {
                put_u64(&mut b.ints, maps.len() as u64);
                maps.iter().for_each(|map| put_bytes(b, &map.encode()));
            }
            Body::Files { cwd, fds } => {
                put_bytes(b, cwd);
                put_u64(&mut b.ints, fds.len() as u64);
                fds.iter().for_each(|file| put_bytes(b, &file.encode()));
            }
        }
    }

    /// Hands over the finished block and starts again in `empty`, a block
    /// whose buffers are reused (their memory is already mapped: fresh memory
    /// costs page faults on every block).
    pub fn take(&mut self, mut empty: Block) -> SealedBlock {
        empty.clear();
        let sealed = SealedBlock {
            block: std::mem::replace(&mut self.block, empty),
            events: self.events,
            ts_first: self.ts_first,
            ts_last: self.ts_last,
        };
        self.thread_slots.clear();
        self.events = 0;
        sealed
    }
}

fn put_bytes(b: &mut Block, bytes: &[u8]) {
    put_u64(&mut b.ints, bytes.len() as u64);
    b.data.extend_from_slice(bytes);
}

fn put_captures(b: &mut Block, captures: &[crate::Capture]) {
    put_u64(&mut b.caps, captures.len() as u64);
    for c in captures {
        b.caps.push(c.arg);
        b.caps.push(c.status as u8);
        put_u64(&mut b.caps, c.data.len() as u64);
        b.data.extend_from_slice(&c.data);
    }
}

/// A block ready to be compressed and written.
pub(crate) struct SealedBlock {
    block: Block,
    events: u32,
    ts_first: u64,
    ts_last: u64,
}

impl SealedBlock {
    /// The block's buffers, for reuse.
    pub fn into_block(self) -> Block {
        self.block
    }

    /// Archives and compresses the block into its on-disk bytes; also returns the
    /// uncompressed archive, which the writer indexes without decompressing.
    pub fn encode(
        &self,
        compressor: &mut zstd::bulk::Compressor<'_>,
    ) -> Result<(Vec<u8>, ChunkHeader, AlignedVec), Error> {
        let archive = rkyv::to_bytes::<rancor::Error>(&self.block)
            .map_err(|e| Error::Encode(e.to_string()))?;
        let payload = compressor.compress(&archive).map_err(Error::Compress)?;
        let header = ChunkHeader {
            thread_count: self.block.tids.len() as u32,
            compressed_len: u32::try_from(payload.len()).map_err(|_| Error::ChunkTooLarge)?,
            raw_len: u32::try_from(archive.len()).map_err(|_| Error::ChunkTooLarge)?,
            events: self.events,
            payload_crc: crc32fast::hash(&payload),
            ts_first: self.ts_first,
            ts_last: self.ts_last,
        };
        let mut out =
            Vec::with_capacity(ChunkHeader::SIZE + 4 * self.block.tids.len() + payload.len());
        out.extend_from_slice(&header.to_bytes());
        self.block
            .tids
            .iter()
            .for_each(|t| out.extend_from_slice(&t.to_le_bytes()));
        out.extend_from_slice(&payload);
        Ok((out, header, archive))
    }
}

/// The plain header in front of each chunk: enough to find, check and skip it
/// without decompressing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChunkHeader {
    pub thread_count: u32,
    pub compressed_len: u32,
    pub raw_len: u32,
    pub events: u32,
    pub payload_crc: u32,
    pub ts_first: u64,
    pub ts_last: u64,
}

impl ChunkHeader {
    pub const MAGIC: [u8; 4] = *b"STCK";
    pub const SIZE: usize = 48;
    /// Chunks bigger than this are refused as corrupt (the writer makes ~1 MiB ones).
    pub const MAX_RAW_LEN: u32 = 256 << 20;

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[0..4].copy_from_slice(&Self::MAGIC);
        out[4..8].copy_from_slice(&self.thread_count.to_le_bytes());
        out[8..12].copy_from_slice(&self.compressed_len.to_le_bytes());
        out[12..16].copy_from_slice(&self.raw_len.to_le_bytes());
        out[16..20].copy_from_slice(&self.events.to_le_bytes());
        out[20..24].copy_from_slice(&self.payload_crc.to_le_bytes());
        out[24..32].copy_from_slice(&self.ts_first.to_le_bytes());
        out[32..40].copy_from_slice(&self.ts_last.to_le_bytes());
        let crc = crc32fast::hash(&out[..40]);
        out[40..44].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and checks the header at `offset` in `file`. Returns the header and
    /// the byte range of the whole chunk.
    pub fn parse(file: &[u8], offset: u64) -> Result<(Self, std::ops::Range<usize>), Error> {
        let corrupt = |what: &str| Error::corrupt(offset, what);
        let start = usize::try_from(offset).map_err(|_| corrupt("chunk offset out of range"))?;
        let bytes = file
            .get(start..)
            .and_then(|rest| rest.get(..Self::SIZE))
            .ok_or_else(|| corrupt("chunk header cut short"))?;
        if bytes[0..4] != Self::MAGIC {
            return Err(corrupt("bad chunk magic"));
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let u64_at = |at: usize| u64::from(u32_at(at)) | (u64::from(u32_at(at + 4)) << 32);
        if crc32fast::hash(&bytes[..40]) != u32_at(40) {
            return Err(corrupt("chunk header checksum mismatch"));
        }
        let header = ChunkHeader {
            thread_count: u32_at(4),
            compressed_len: u32_at(8),
            raw_len: u32_at(12),
            events: u32_at(16),
            payload_crc: u32_at(20),
            ts_first: u64_at(24),
            ts_last: u64_at(32),
        };
        if header.raw_len > Self::MAX_RAW_LEN {
            return Err(corrupt("chunk larger than any writer makes"));
        }
        let len = Self::SIZE as u64
            + 4 * u64::from(header.thread_count)
            + u64::from(header.compressed_len);
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= file.len() as u64)
            .ok_or_else(|| corrupt("chunk runs past the end of the file"))?;
        Ok((header, start..end as usize))
    }

    /// Length of the whole chunk: header, tids and payload.
    pub fn chunk_len(&self) -> usize {
        Self::SIZE + 4 * self.thread_count as usize + self.compressed_len as usize
    }
}

/// A decompressed chunk whose archive was validated. Events are read from it in
/// place; the columns are checked as they are walked, and a walk that meets a bad
/// column stops and marks the chunk, which [`Chunk::check`] then reports.
pub struct Chunk {
    bytes: AlignedVec,
    events: u32,
    offset: u64,
    corrupt: Cell<bool>,
}

impl Chunk {
    /// Checks, decompresses and validates the archive of the chunk at `offset` of `file`.
    pub(crate) fn decode(file: &[u8], offset: u64) -> Result<Chunk, Error> {
        let (header, range) = ChunkHeader::parse(file, offset)?;
        let payload_start = range.start + ChunkHeader::SIZE + 4 * header.thread_count as usize;
        let payload = &file[payload_start..range.end];
        let corrupt = |what: &str| Error::corrupt(offset, what);
        if crc32fast::hash(payload) != header.payload_crc {
            return Err(corrupt("chunk checksum mismatch"));
        }
        let mut bytes = AlignedVec::with_capacity(header.raw_len as usize);
        bytes.resize(header.raw_len as usize, 0);
        let written = zstd::bulk::decompress_to_buffer(payload, &mut bytes[..])
            .map_err(|e| corrupt(&format!("chunk does not decompress: {e}")))?;
        if written != header.raw_len as usize {
            return Err(corrupt("chunk decompresses to the wrong size"));
        }
        Chunk::from_archive(bytes, &header, offset)
    }

    /// Validates the decompressed archive of the chunk `header` describes.
    pub(crate) fn from_archive(
        bytes: AlignedVec,
        header: &ChunkHeader,
        offset: u64,
    ) -> Result<Chunk, Error> {
        let corrupt = |what: &str| Error::corrupt(offset, what);
        let block = rkyv::access::<ArchivedBlock, rancor::Error>(&bytes)
            .map_err(|_| corrupt("chunk archive invalid"))?;
        if block.tids.len() != block.pids.len() || block.kinds.len() != header.events as usize {
            return Err(corrupt("chunk columns disagree on their lengths"));
        }
        Ok(Chunk {
            bytes,
            events: header.events,
            offset,
            corrupt: Cell::new(false),
        })
    }

    fn block(&self) -> &ArchivedBlock {
        // SAFETY: `decode` validated these bytes with `rkyv::access`, and they are
        // never modified afterwards.
        unsafe { rkyv::access_unchecked::<ArchivedBlock>(&self.bytes) }
    }

    /// Number of events in the chunk.
    pub fn len(&self) -> usize {
        self.events as usize
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// The chunk's events, in the order they were written.
    pub fn events(&self) -> Events<'_> {
        let b = self.block();
        Events {
            remaining: self.events,
            tids: b.tids.as_slice(),
            pids: b.pids.as_slice(),
            kinds: b.kinds.as_slice().iter(),
            threads: Cursor::new(&b.threads),
            cpus: Cursor::new(&b.cpus),
            times: Cursor::new(&b.times),
            nrs: Cursor::new(&b.nrs),
            rets: Cursor::new(&b.rets),
            ints: Cursor::new(&b.ints),
            caps: Cursor::new(&b.caps),
            data: Cursor::new(&b.data),
            ts: b.base_ts.to_native(),
            corrupt: &self.corrupt,
        }
    }

    /// Whether every walk of the events so far met only well-formed columns.
    pub fn check(&self) -> Result<(), Error> {
        if self.corrupt.get() {
            return Err(Error::corrupt(
                self.offset,
                "chunk columns are inconsistent",
            ));
        }
        Ok(())
    }

    /// Walks all events once, so that [`Chunk::check`] covers the whole chunk.
    pub fn validate(&self) -> Result<(), Error> {
        self.events().for_each(drop);
        self.check()
    }
}

/// Iterator over the events of a [`Chunk`].
pub struct Events<'a> {
    remaining: u32,
    tids: &'a [rkyv::rend::u32_le],
    pids: &'a [rkyv::rend::u32_le],
    kinds: std::slice::Iter<'a, u8>,
    threads: Cursor<'a>,
    cpus: Cursor<'a>,
    times: Cursor<'a>,
    nrs: Cursor<'a>,
    rets: Cursor<'a>,
    ints: Cursor<'a>,
    caps: Cursor<'a>,
    data: Cursor<'a>,
    ts: u64,
    corrupt: &'a Cell<bool>,
}

impl<'a> Events<'a> {
    fn decode(&mut self) -> Option<EventRef<'a>> {
        let kind = Kind::try_from(*self.kinds.next()?).ok()?;
        let slot = self.threads.u64()? as usize;
        let (tid, pid) = (
            self.tids.get(slot)?.to_native(),
            self.pids.get(slot)?.to_native(),
        );
        let cpu = self.cpus.u32()?;
        self.ts = self.ts.wrapping_add(self.times.i64()? as u64);
        let body = match kind {
            Kind::SysEnter => {
                let nr = self.nrs.i64()?;
                let mut args = [0u64; 6];
                for arg in &mut args {
                    *arg = self.ints.u64()?;
                }
                let captures = self.captures()?;
                BodyRef::SysEnter { nr, args, captures }
            }
            Kind::SysExit => {
                let nr = self.nrs.i64()?;
                let ret = self.rets.i64()?;
                let captures = self.captures()?;
                BodyRef::SysExit { nr, ret, captures }
            }
            Kind::Fork => BodyRef::Fork {
                child_tid: self.ints.u32()?,
                child_pid: self.ints.u32()?,
            },
            Kind::Exec | Kind::ExecEnv => {
                let filename = self.bytes()?;
                let comm = self.bytes()?;
                let argv = self.strings()?;
                let envp = if kind == Kind::ExecEnv {
                    let cut = self.ints.u64()? != 0;
                    Some((self.strings()?, cut))
                } else {
                    None
                };
                BodyRef::Exec {
                    filename,
                    comm,
                    argv,
                    envp,
                }
            }
            Kind::TaskExit => BodyRef::TaskExit {
                status: self.ints.i32()?,
            },
            Kind::Signal => BodyRef::Signal {
                signo: self.ints.i32()?,
                code: self.ints.i32()?,
                errno: self.ints.i32()?,
                info: self.bytes()?,
            },
            Kind::Lost => BodyRef::Lost {
                count: self.ints.u64()?,
            },
            Kind::Files => BodyRef::Files {
                cwd: self.bytes()?,
                fds: self.strings()?,
            },
            Kind::NsTid => BodyRef::NsTid {
                ns_tid: self.ints.u32()?,
            },
            Kind::Stack => BodyRef::Stack {
                id: self.ints.u32()?,
                frames: self.bytes()?,
            },
            Kind::Mappings => BodyRef::Mappings {
                maps: self.strings()?,
            },
            // The kernel's, never in a file: a corrupt chunk.
            Kind::UserStack => return None,
        };
        Some(EventRef {
            tid,
            pid,
            cpu,
            ts: self.ts,
            body,
        })
    }

    /// True when every column ends exactly with the last event.
    fn all_consumed(&self) -> bool {
        [
            self.threads,
            self.cpus,
            self.times,
            self.nrs,
            self.rets,
            self.ints,
            self.caps,
            self.data,
        ]
        .iter()
        .all(Cursor::is_empty)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.ints.u64()?).ok()?;
        self.data.take(len)
    }

    /// A count and as many strings (argv, envp), moved past.
    fn strings(&mut self) -> Option<Argv<'a>> {
        let count = self.ints.u32()?;
        let (lens, data) = (self.ints, self.data);
        for _ in 0..count {
            self.bytes()?;
        }
        Some(Argv { count, lens, data })
    }

    /// Returns the captures of this event and moves past them.
    fn captures(&mut self) -> Option<Captures<'a>> {
        let count = self.caps.u32()?;
        let captures = Captures {
            count,
            meta: self.caps,
            data: self.data,
        };
        for _ in 0..count {
            self.caps.byte()?;
            CaptureStatus::try_from(self.caps.byte()?).ok()?;
            let len = usize::try_from(self.caps.u64()?).ok()?;
            self.data.take(len)?;
        }
        Some(captures)
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = EventRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<EventRef<'a>> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let event = self.decode();
        if event.is_none() || (self.remaining == 0 && !self.all_consumed()) {
            self.remaining = 0;
            self.corrupt.set(true);
        }
        event
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}
