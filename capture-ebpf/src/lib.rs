//! Wire structs shared by systrace's eBPF programs (`src/main.rs`, built for the
//! bpf target by `capture/build.rs`) and the user-space recorder in `capture`.
//!
//! Data flow: a program fills one of these `#[repr(C)]` records in the ring buffer;
//! user space reads the bytes, checks the header's `kind` with [`EventKind::try_from`]
//! and only then reinterprets the record. They are wire types, not the on-disk
//! types: the `format` crate owns those.
#![no_std]

/// Name of the ring buffer map.
pub const EVENTS_MAP: &str = "EVENTS";
/// Name of the hash map holding the traced process ids (tgid -> 1).
pub const TRACED_MAP: &str = "TRACED";
/// Name of the per-CPU array (one `u64` slot) counting records the ring buffer
/// had no room for.
pub const LOST_MAP: &str = "LOST";
/// Ring buffer size in bytes (a power of two, multiple of the page size).
pub const EVENTS_BYTES: u32 = 16 << 20;
/// Most processes traced at once.
pub const MAX_TRACED: u32 = 65536;

/// What a record is; the first field of every record.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SysEnter = 1,
    SysExit = 2,
}

impl TryFrom<u32> for EventKind {
    type Error = u32;
    fn try_from(value: u32) -> Result<Self, u32> {
        match value {
            1 => Ok(Self::SysEnter),
            2 => Ok(Self::SysExit),
            other => Err(other),
        }
    }
}

/// Common header of every record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Header {
    pub kind: u32,
    pub tid: u32,
    pub tgid: u32,
    pub cpu: u32,
    /// bpf_ktime_get_ns: CLOCK_MONOTONIC nanoseconds.
    pub ts: u64,
}

/// raw_syscalls/sys_enter: the call number and its six raw arguments.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SysEnter {
    pub header: Header,
    pub nr: i64,
    pub args: [u64; 6],
}

/// raw_syscalls/sys_exit: the call number and its return value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SysExit {
    pub header: Header,
    pub nr: i64,
    pub ret: i64,
}

const _: () = assert!(core::mem::size_of::<Header>() == 24);
const _: () = assert!(core::mem::size_of::<SysEnter>() == 24 + 8 + 48);
const _: () = assert!(core::mem::size_of::<SysExit>() == 24 + 16);
