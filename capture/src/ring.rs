//! The reading end of the eBPF ring buffer, with its data pages mapped once.
//!
//! The kernel lets a reader map the data pages twice in a row, so that a
//! record wrapping around the end reads as one slice; aya's `RingBuf` does
//! that, and then every page of the ring counts twice in the recorder's
//! resident memory (128 MiB for a 64 MiB ring). Here the pages are
//! mapped once and the rare record that wraps is copied into one piece. The
//! protocol is the kernel's (kernel/bpf/ringbuf.c): each record has an 8-byte
//! header whose length word carries a busy bit until the record is committed
//! and a discard bit if it was dropped; the reader publishes how far it has
//! read in the consumer page, which frees the space.

use std::{
    io,
    os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd},
    ptr::NonNull,
    sync::atomic::{AtomicU32, AtomicU64, Ordering},
};

use aya::maps::MapData;

const HEADER_BYTES: u64 = 8;
const BUSY: u32 = 1 << 31;
const DISCARDED: u32 = 1 << 30;

pub struct Ring {
    map: MapData,
    /// The consumer page (read-write): the position the reader has read to.
    consumer: Mapping,
    /// The producer page, then the data pages (read-only).
    producer: Mapping,
    page: usize,
    mask: u64,
    /// The next record's position (in bytes, ever increasing).
    pos: u64,
    /// A record that wraps around the end of the data, in one piece.
    wrapped: Vec<u8>,
}

impl Ring {
    /// Maps the ring buffer map `map`.
    pub fn new(map: MapData) -> io::Result<Self> {
        let size = map.info().map_err(io::Error::other)?.max_entries() as usize;
        if !size.is_power_of_two() {
            return Err(io::Error::other(format!(
                "ring buffer size {size} is not a power of two"
            )));
        }
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .map_err(|_| io::Error::last_os_error())?;
        let fd = map.fd().as_fd();
        let consumer = Mapping::new(fd, page, libc::PROT_READ | libc::PROT_WRITE, 0)?;
        let producer = Mapping::new(fd, page + size, libc::PROT_READ, page)?;
        let pos = consumer.atomic_u64(0).load(Ordering::Acquire);
        Ok(Self {
            map,
            consumer,
            producer,
            page,
            mask: size as u64 - 1,
            pos,
            wrapped: Vec::new(),
        })
    }

    /// Hands committed records to `f`, oldest first, freeing each one's
    /// space after, until `f` returns false or none is left. True when it
    /// read all there was.
    pub fn drain(&mut self, mut f: impl FnMut(&[u8]) -> bool) -> bool {
        let mut produced = self.producer.atomic_u64(0).load(Ordering::Acquire);
        loop {
            if self.pos == produced {
                produced = self.producer.atomic_u64(0).load(Ordering::Acquire);
                if self.pos == produced {
                    return true;
                }
            }
            let at = self.page + (self.pos & self.mask) as usize;
            // Headers are 8-aligned and the data a whole number of pages:
            // a header never wraps.
            let header = self.producer.atomic_u32(at).load(Ordering::Acquire);
            if header & BUSY != 0 {
                // Reserved but not yet committed: it and all after it wait.
                return true;
            }
            let len = u64::from(header & !(BUSY | DISCARDED));
            let more =
                header & DISCARDED != 0 || f(self.record(self.pos + HEADER_BYTES, len as usize));
            self.pos += (HEADER_BYTES + len).next_multiple_of(8);
            self.consumer
                .atomic_u64(0)
                .store(self.pos, Ordering::Release);
            if !more {
                return false;
            }
        }
    }

    /// The `len` bytes at ring position `pos`, in one piece.
    fn record(&mut self, pos: u64, len: usize) -> &[u8] {
        let size = self.mask as usize + 1;
        let start = (pos & self.mask) as usize;
        let len = len.min(size);
        let first = len.min(size - start);
        let head = self.producer.bytes(self.page + start, first);
        if first == len {
            return head;
        }
        self.wrapped.clear();
        self.wrapped.extend_from_slice(head);
        self.wrapped
            .extend_from_slice(self.producer.bytes(self.page, len - first));
        &self.wrapped
    }
}

impl AsFd for Ring {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.map.fd().as_fd()
    }
}

impl AsRawFd for Ring {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

/// A shared mapping of part of the map, unmapped when dropped.
struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping belongs to its owner alone; moving it to another
// thread moves only the pointer, and it is unmapped once, on drop.
unsafe impl Send for Mapping {}

impl Mapping {
    fn new(fd: BorrowedFd<'_>, len: usize, prot: libc::c_int, offset: usize) -> io::Result<Self> {
        let offset = libc::off_t::try_from(offset).map_err(io::Error::other)?;
        // SAFETY: a fresh shared mapping of the map's fd; the kernel checks
        // the length and offset against the ring buffer.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(io::Error::last_os_error)?;
        Ok(Self { ptr, len })
    }

    /// The word the kernel shares at byte `at`, which must be 8-aligned.
    fn atomic_u64(&self, at: usize) -> &AtomicU64 {
        assert!(at + 8 <= self.len && at.is_multiple_of(8));
        // SAFETY: in bounds and aligned (checked; the mapping is page-aligned);
        // the kernel writes it only atomically.
        unsafe { &*self.ptr.as_ptr().add(at).cast::<AtomicU64>() }
    }

    fn atomic_u32(&self, at: usize) -> &AtomicU32 {
        assert!(at + 4 <= self.len && at.is_multiple_of(4));
        // SAFETY: as for `atomic_u64`.
        unsafe { &*self.ptr.as_ptr().add(at).cast::<AtomicU32>() }
    }

    /// `len` bytes from byte `at`.
    fn bytes(&self, at: usize, len: usize) -> &[u8] {
        assert!(at + len <= self.len);
        // SAFETY: in bounds (checked). The kernel does not write a record's
        // bytes between its commit and the reader's release of it.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(at), len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: our own mapping, no longer borrowed.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}
