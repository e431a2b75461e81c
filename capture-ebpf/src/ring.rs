//! Writing records into the ring buffer: when to wake the reader, and
//! counting per thread what did not fit.

use aya_ebpf::bindings::{BPF_RB_AVAIL_DATA, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP};
use aya_ebpf::helpers::{bpf_get_smp_processor_id, bpf_ktime_get_ns};
use capture_ebpf::{EventKind, Header, LostCount, SCRATCH_BYTES};

use crate::{maps::*, syscalls::*};

pub(crate) fn header(kind: EventKind, tid: u32, tgid: u32) -> Header {
    Header {
        kind: kind as u32,
        tid,
        tgid,
        // SAFETY: BPF helpers without preconditions.
        cpu: unsafe { bpf_get_smp_processor_id() },
        ts: unsafe { bpf_ktime_get_ns() },
    }
}

/// Copies `len` bytes at `data` (a record of `events` events) into the
/// ring buffer; counts them as lost when there is no room.
pub(crate) fn emit(data: *const u8, len: usize, tid: u32, tgid: u32, events: u64) {
    let len = if len > PAIR_BYTES { PAIR_BYTES } else { len };
    let flags = wakeup_flags(len as u64);
    // SAFETY: `data` points at a scratch buffer of more than PAIR_BYTES or a
    // record of at least `len` bytes (callers pass their own size).
    let bytes = unsafe { core::slice::from_raw_parts(data, len) };
    if EVENTS.output::<[u8]>(bytes, flags).is_err() {
        lose(tid, tgid, events);
    }
}

/// Counts `events` events of `tid` as lost, with when.
pub(crate) fn lose(tid: u32, tgid: u32, events: u64) {
    // SAFETY: a BPF helper without preconditions.
    let ts = unsafe { bpf_ktime_get_ns() };
    // SAFETY: a BPF helper without preconditions.
    let cpu = unsafe { bpf_get_smp_processor_id() };
    match LOST.get_ptr_mut(&tid) {
        // SAFETY: the entry of the thread running here: no other writer.
        Some(lost) => unsafe {
            (*lost).count += events;
            (*lost).last_ts = ts;
            (*lost).tgid = tgid;
            (*lost).cpu = cpu;
        },
        None => {
            let first = LostCount {
                count: events,
                last_ts: ts,
                tgid,
                cpu,
            };
            // A full map (MAX_LOSING threads losing at once) loses the count.
            let _ = LOST.insert(&tid, &first, 0);
        }
    }
}

/// Waking the reader per record costs more than the record (an
/// inter-processor interrupt), and so would asking the ring each time how
/// much waits: each CPU asks once per CHECK_EVERY bytes it wrote, and
/// wakes the reader if WAKEUP_BYTES wait. The reader also polls on a
/// short timer.
pub(crate) fn wakeup_flags(len: u64) -> u64 {
    const CHECK_EVERY: u32 = 64 << 10;
    if let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        slot.unchecked += len as u32;
        if slot.lagging == 0 && slot.unchecked < CHECK_EVERY {
            return BPF_RB_NO_WAKEUP as u64;
        }
        slot.unchecked = 0;
        // While the reader lags, every record wakes it: the wakeup
        // preempts this CPU's producer for the reader, which keeps the
        // ring from overflowing under many busy threads.
        let lagging = EVENTS.query(BPF_RB_AVAIL_DATA as u64) >= global(&WAKEUP_BYTES);
        slot.lagging = u32::from(lagging);
        return if lagging {
            BPF_RB_FORCE_WAKEUP as u64
        } else {
            BPF_RB_NO_WAKEUP as u64
        };
    }
    if EVENTS.query(BPF_RB_AVAIL_DATA as u64) >= global(&WAKEUP_BYTES) {
        BPF_RB_FORCE_WAKEUP as u64
    } else {
        BPF_RB_NO_WAKEUP as u64
    }
}

/// Writes a fixed-size record (process life) straight into the ring
/// buffer, after the enter held on this CPU, which is older: each CPU's
/// records reach the ring in time order (the recorder relies on it).
pub(crate) fn emit_record<T: 'static>(record: T, tid: u32, tgid: u32) {
    if let Ok((buf, _)) = job_slots() {
        flush_held(buf);
    }
    match EVENTS.reserve::<T>(0) {
        Some(mut entry) => {
            entry.write(record);
            entry.submit(wakeup_flags(size_of::<T>() as u64));
        }
        None => lose(tid, tgid, 1),
    }
}

/// Copies `record` to `buf[off..]`. Every record and capture starts at a
/// multiple of 8 (captures are padded to it), so the write is aligned: an
/// unaligned one is a byte store per byte in eBPF, which made copying the
/// records most of the programs' own time.
pub(crate) fn write_at<T>(buf: &mut Buf, off: usize, record: &T) {
    const { assert!(size_of::<T>() <= SCRATCH_BYTES && align_of::<T>() <= 8) };
    let off = off & OFF_MASK & !(align_of::<T>() - 1);
    // SAFETY: off < 2 * SCRATCH_BYTES and T fits in SCRATCH_BYTES more;
    // the buffer is 8-aligned and off a multiple of T's alignment.
    unsafe {
        buf.as_mut_ptr()
            .add(off)
            .cast::<T>()
            .write(core::ptr::read(record))
    };
}
