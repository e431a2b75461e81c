//! The file's preamble and header, and its trailer.
//!
//! Layout of a trace file:
//!
//! ```text
//! preamble (32 bytes) | header (rkyv, padded to 16) | chunk* | index (rkyv, 16-aligned) | trailer (32 bytes)
//! ```
//!
//! The preamble is plain bytes so that a reader can refuse a newer major version
//! before it interprets anything else. From version 2 on it carries the
//! header's CRC and ends in its own, so that one flipped byte anywhere before
//! the chunks (the architecture, the clock anchor) is an error, not a
//! silently wrong reading. Version 1 files (a 16-byte preamble, no
//! checksums) are still read.

use rkyv::{Archive, Deserialize, Serialize, rancor, util::AlignedVec};

use crate::Error;

/// First bytes of every trace file.
pub const MAGIC: [u8; 8] = *b"SYSTRACE";
/// Readers refuse files of another major version.
pub const VERSION_MAJOR: u16 = 6;
/// Readers accept any minor version of their major one.
pub const VERSION_MINOR: u16 = 0;
/// Alignment of the rkyv sections (header and index) within the file.
pub(crate) const ALIGN: usize = 16;

/// What was traced, where, and how to turn event timestamps into wall-clock time.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct FileHeader {
    /// `std::env::consts::ARCH` of the recording machine, e.g. `x86_64`.
    pub arch: String,
    pub kernel_release: String,
    pub hostname: String,
    /// The recorder's command line.
    pub command: Vec<String>,
    /// Most bytes copied from one user buffer.
    pub snaplen: u32,
    pub clock: ClockAnchor,
    /// Name and version of the program that wrote the file.
    pub recorder: String,
    /// What the recorder was asked to keep, where it kept less than every
    /// call of every task it traced (from version 5 on).
    pub selection: Selection,
    /// The recording's own id, a UUID: random at record time (from version
    /// 6 on); for an older file, derived from its header's bytes, so that
    /// it is the same at every reading.
    pub id: [u8; 16],
}

impl FileHeader {
    /// A new recording's header fields but the id, which this draws.
    pub fn with_new_id(mut self) -> Self {
        self.id = uuid::Uuid::new_v4().into_bytes();
        self
    }
}

impl ArchivedFileHeader {
    /// The recording's id as text (`67e55044-10b1-426f-9247-bb680e5fe0c8`).
    pub fn id_text(&self) -> String {
        uuid::Uuid::from_bytes(self.id).hyphenated().to_string()
    }
}

/// A recording's own choice of what to keep (`record -e trace=`, `--comm`,
/// `--cgroup`): calls outside it were never recorded, which a view must not
/// take for calls that never happened.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// The calls kept, as `-e trace=` gave them (`trace=openat,%net`);
    /// `None`: every call.
    pub calls: Option<String>,
    /// Processes chosen by command name (and their children).
    pub comms: Vec<String>,
    /// Tasks chosen by cgroup v2 path (and the cgroups below).
    pub cgroups: Vec<String>,
    /// Whether each call's user stack was kept too (`record --stack`).
    pub stacks: bool,
}

impl ArchivedSelection {
    /// Whether the recording kept everything of the tasks it traced.
    pub fn is_everything(&self) -> bool {
        self.calls.is_none() && self.comms.is_empty() && self.cgroups.is_empty()
    }
}

/// The header of version 5: [`FileHeader`] without its id.
#[derive(Archive, Serialize, Deserialize)]
struct FileHeaderV5 {
    arch: String,
    kernel_release: String,
    hostname: String,
    command: Vec<String>,
    snaplen: u32,
    clock: ClockAnchor,
    recorder: String,
    selection: Selection,
}

/// The header of versions 1 to 4: [`FileHeaderV5`] without its selection.
#[derive(Archive, Serialize, Deserialize)]
struct FileHeaderV4 {
    arch: String,
    kernel_release: String,
    hostname: String,
    command: Vec<String>,
    snaplen: u32,
    clock: ClockAnchor,
    recorder: String,
}

/// The header bytes of a file of major version `major`, as this version
/// lays them out: an older header is read in its own layout and written
/// again in this one (a recording older than selections kept everything;
/// one older than ids takes one derived from its header's bytes).
pub(crate) fn current_header(major: u16, bytes: &[u8], at: u64) -> Result<AlignedVec, Error> {
    let mut aligned = AlignedVec::with_capacity(bytes.len());
    aligned.extend_from_slice(bytes);
    let invalid = |_| Error::corrupt(at, "header invalid");
    if major >= 6 {
        rkyv::access::<ArchivedFileHeader, rancor::Error>(&aligned).map_err(invalid)?;
        return Ok(aligned);
    }
    let old = match major {
        5 => rkyv::from_bytes::<FileHeaderV5, rancor::Error>(&aligned).map_err(invalid)?,
        _ => {
            let v4 = rkyv::from_bytes::<FileHeaderV4, rancor::Error>(&aligned).map_err(invalid)?;
            FileHeaderV5 {
                arch: v4.arch,
                kernel_release: v4.kernel_release,
                hostname: v4.hostname,
                command: v4.command,
                snaplen: v4.snaplen,
                clock: v4.clock,
                recorder: v4.recorder,
                selection: Selection::default(),
            }
        }
    };
    let header = FileHeader {
        arch: old.arch,
        kernel_release: old.kernel_release,
        hostname: old.hostname,
        command: old.command,
        snaplen: old.snaplen,
        clock: old.clock,
        recorder: old.recorder,
        selection: old.selection,
        id: uuid::Uuid::new_v5(&OLDER_FILES, bytes).into_bytes(),
    };
    rkyv::to_bytes::<rancor::Error>(&header).map_err(|e| Error::Encode(e.to_string()))
}

/// The namespace of ids derived from older files' headers.
const OLDER_FILES: uuid::Uuid = uuid::Uuid::from_u128(0x5f3c_1e2a_9b7d_4c61_8e0f_2a4b_6c8d_9e01);

/// One instant read on both clocks: events carry CLOCK_MONOTONIC nanoseconds,
/// people want wall-clock time.
#[derive(Archive, Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockAnchor {
    pub monotonic_ns: u64,
    /// Nanoseconds since the Unix epoch at `monotonic_ns`.
    pub unix_ns: i64,
}

impl ClockAnchor {
    /// Unix-epoch nanoseconds of the monotonic timestamp `ts`: the one
    /// conversion every view uses.
    pub fn unix_ns(&self, ts: u64) -> i64 {
        let delta = ts.wrapping_sub(self.monotonic_ns) as i64;
        self.unix_ns.wrapping_add(delta)
    }
}

impl ArchivedClockAnchor {
    /// The anchor as read from the file.
    pub fn to_native(&self) -> ClockAnchor {
        ClockAnchor {
            monotonic_ns: self.monotonic_ns.to_native(),
            unix_ns: self.unix_ns.to_native(),
        }
    }
}

/// The fixed bytes at offset 0: magic, version, the header's length and CRC,
/// and (at 28..32) the CRC of the bytes before it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Preamble {
    /// The file's major version.
    pub major: u16,
    pub header_len: u32,
    /// `None` in version 1 files.
    pub header_crc: Option<u32>,
    /// 16 in version 1 files.
    pub size: usize,
}

impl Preamble {
    pub const SIZE: usize = 32;
    const V1_SIZE: usize = 16;

    pub fn new(header: &[u8]) -> Self {
        Preamble {
            major: VERSION_MAJOR,
            header_len: header.len() as u32,
            header_crc: Some(crc32fast::hash(header)),
            size: Self::SIZE,
        }
    }

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&VERSION_MAJOR.to_le_bytes());
        out[10..12].copy_from_slice(&VERSION_MINOR.to_le_bytes());
        out[12..16].copy_from_slice(&self.header_len.to_le_bytes());
        out[16..20].copy_from_slice(&self.header_crc.unwrap_or(0).to_le_bytes());
        let crc = crc32fast::hash(&out[..28]);
        out[28..].copy_from_slice(&crc.to_le_bytes());
        out
    }

    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        if file.is_empty() {
            return Err(Error::Empty);
        }
        let bytes = file.get(..Self::V1_SIZE).ok_or(Error::NotATrace)?;
        if bytes[..8] != MAGIC {
            return Err(Error::NotATrace);
        }
        let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let u32_at =
            |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let (major, minor) = (u16_at(8), u16_at(10));
        let header_len = u32_at(bytes, 12);
        if major == 1 {
            return Ok(Preamble {
                major,
                header_len,
                header_crc: None,
                size: Self::V1_SIZE,
            });
        }
        // Every version from 2 on ends its preamble in this CRC: check it
        // before believing the version.
        let bytes = file
            .get(..Self::SIZE)
            .ok_or_else(|| Error::corrupt(0, "preamble cut short"))?;
        if crc32fast::hash(&bytes[..28]) != u32_at(bytes, 28) {
            return Err(Error::corrupt(0, "preamble checksum mismatch"));
        }
        // Version 3 added a tag (an exec with its environment); a version
        // 2 file is a version 3 file without it.
        if !(2..=VERSION_MAJOR).contains(&major) {
            return Err(Error::Version { major, minor });
        }
        Ok(Preamble {
            major,
            header_len,
            header_crc: Some(u32_at(bytes, 16)),
            size: Self::SIZE,
        })
    }

    /// Offset of the first chunk.
    pub fn chunks_start(&self) -> u64 {
        (self.size + padded(self.header_len as usize)) as u64
    }
}

/// The fixed 32 bytes at the end of a complete file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Trailer {
    pub index_offset: u64,
    pub index_len: u64,
    pub index_crc: u32,
}

impl Trailer {
    pub const SIZE: usize = 32;
    pub const MAGIC: [u8; 8] = *b"STRCEND1";

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[..8].copy_from_slice(&self.index_offset.to_le_bytes());
        out[8..16].copy_from_slice(&self.index_len.to_le_bytes());
        out[16..20].copy_from_slice(&self.index_crc.to_le_bytes());
        out[24..].copy_from_slice(&Self::MAGIC);
        out
    }

    /// The trailer at the end of `file`, or `None` if the file does not end in one
    /// (it was cut before the recorder finished).
    pub fn parse(file: &[u8]) -> Option<Self> {
        let start = file.len().checked_sub(Self::SIZE)?;
        let bytes = &file[start..];
        if bytes[24..] != Self::MAGIC {
            return None;
        }
        let u64_at = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(b)
        };
        Some(Trailer {
            index_offset: u64_at(0),
            index_len: u64_at(8),
            index_crc: u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]),
        })
    }
}

/// `len` rounded up to [`ALIGN`].
pub(crate) fn padded(len: usize) -> usize {
    len.div_ceil(ALIGN) * ALIGN
}
