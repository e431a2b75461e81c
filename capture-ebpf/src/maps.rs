//! The maps and per-CPU state the programs share, the loader's globals,
//! and the filter of traced thread groups.

use aya_ebpf::helpers::bpf_get_current_pid_tgid;
use aya_ebpf::helpers::generated::bpf_get_current_ancestor_cgroup_id;
use aya_ebpf::macros::map;
use aya_ebpf::maps::{Array, HashMap, PerCpuArray, ProgramArray, RingBuf, StackTrace};
use capture_ebpf::{
    EVENTS_BYTES, LostCount, MAX_LOSING, MAX_PENDING, MAX_SNAPLEN, MAX_SYSCALLS, MAX_TRACED_GROUPS,
    SCRATCH_BYTES, SyscallSpec, TRACED_GROUP, TracedGroup, call_index,
};
use core::mem::offset_of;

#[map(name = "EVENTS")]
pub(crate) static EVENTS: RingBuf = RingBuf::with_byte_size(EVENTS_BYTES, 0);
#[map(name = "TRACED")]
pub(crate) static TRACED: Array<TracedGroup> = Array::with_max_entries(MAX_TRACED_GROUPS, 0);
#[map(name = "SPECS")]
pub(crate) static SPECS: Array<SyscallSpec> = Array::with_max_entries(MAX_SYSCALLS, 0);
/// `record -e trace=`: the calls recorded, a bit per call index (see
/// `call_index`), read when `SELECTING` is set.
#[map(name = "SELECTED")]
pub(crate) static SELECTED: Array<u64> = Array::with_max_entries(MAX_SYSCALLS / 64, 0);
/// `record --stack=fp`: each distinct user stack once, by the id the
/// kernel gives it (sized to one entry at load without stacks).
#[map(name = "STACKS")]
pub(crate) static STACKS: StackTrace = StackTrace::with_max_entries(capture_ebpf::MAX_STACKS, 0);
/// `record --stack=dwarf`: where a call's registers and stack copy are
/// built before they go into the ring buffer (about 20 KiB per CPU, made
/// at load whatever the mode: a per-CPU value's size is fixed).
#[map(name = "STACK_COPY")]
pub(crate) static STACK_COPY: PerCpuArray<StackCopy> = PerCpuArray::with_max_entries(1, 0);

#[repr(C)]
pub(crate) struct StackCopy {
    pub(crate) record: capture_ebpf::UserStack,
    /// A page more than is copied, so that every page's copy is in bounds.
    pub(crate) bytes: [u8; capture_ebpf::MAX_STACK_BYTES as usize + 4096],
}

/// Records lost per thread. Only the thread itself loses its records, on
/// one CPU at a time, so its entry is counted without atomics; one hash for
/// all CPUs (a per-CPU one cost a sixth of start-up to preallocate).
/// Preallocated: an entry allocated on the loss path could fail in the
/// very burst that loses records, and a loss must never go uncounted.
#[map(name = "LOST")]
pub(crate) static LOST: HashMap<u32, LostCount> = HashMap::with_max_entries(MAX_LOSING, 0);
/// Arguments of syscalls in progress, for the captures at exit.
/// Per thread, what its current syscall's exit needs. Entries are updated in
/// place and removed when the thread ends: cheaper than insert + delete per call.
/// Preallocated: `sched_switch` inserts with the run queue locked.
#[map(name = "PENDING")]
pub(crate) static PENDING: HashMap<u32, Pending> = HashMap::with_max_entries(MAX_PENDING, 0);

/// The call in progress of the thread running on this CPU: where its
/// enter leaves what its exit needs, and its enter record, held in the
/// scratch buffer so that the exit writes both as one record (one ring
/// buffer write per call, not two). Cheaper than a hash per call. If the
/// thread is switched out in the call (see `sched_switch`), its enter
/// record goes out on its own, as a call that blocks is seen while it
/// blocks, and the rest moves to PENDING, where the exit finds it on
/// whichever CPU it returns.
#[map(name = "SLOT")]
pub(crate) static SLOT: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

#[derive(Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) tid: u32,
    pub(crate) tgid: u32,
    /// Whether `pending` waits for `tid`'s exit.
    pub(crate) open: u32,
    /// Bytes of `tid`'s enter record held at the start of the scratch
    /// buffer (0: none, or already written out).
    pub(crate) held: u32,
    /// Bytes this CPU wrote to the ring since it last looked how full it is.
    pub(crate) unchecked: u32,
    /// Whether the ring was WAKEUP_BYTES full when this CPU last looked.
    pub(crate) lagging: u32,
    pub(crate) pending: Pending,
}

/// What a syscall's exit needs from its enter.
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    /// The syscall this is for (-1: none in progress).
    pub(crate) nr: i64,
    pub(crate) args: [u64; 6],
    /// Enter rules whose copy faulted, to run again at exit: a buffer the
    /// program has not touched yet may not be paged in at enter, and probes
    /// cannot fault pages in; by the exit the kernel has read it.
    pub(crate) retry: u32,
    pub(crate) _pad: u32,
}
#[map(name = "SCRATCH")]
pub(crate) static SCRATCH: PerCpuArray<Scratch> = PerCpuArray::with_max_entries(1, 0);
/// The capture programs, indexed by `how` (see `next_capture`).
#[map(name = "CAPTURE")]
pub(crate) static CAPTURE: ProgramArray = ProgramArray::with_max_entries(16, 0);

/// This CPU's records in the making: an enter held for its exit (at 0),
/// then the exit, so that a call that returns where it began is one
/// record. Each of the two is at most SCRATCH_BYTES; every offset is
/// masked to below twice that, and the buffer has room for a write of
/// SCRATCH_BYTES more, so every write is in bounds whatever the verifier
/// knows of the offset. Masking also makes the offsets of different paths
/// look alike to the verifier, which keeps its work within limits.
#[repr(C)]
pub(crate) struct Scratch {
    pub(crate) job: Job,
    pub(crate) data: Buf,
}
// Records are written at multiples of their alignment from here (see
// `write_at`); map values are 8-aligned.
const _: () = assert!(offset_of!(Scratch, data) % 8 == 0);

pub(crate) type Buf = [u8; 3 * SCRATCH_BYTES];
/// The most an enter and its exit take together.
pub(crate) const PAIR_BYTES: usize = 2 * SCRATCH_BYTES;
pub(crate) const OFF_MASK: usize = PAIR_BYTES - 1;

/// A syscall record being completed across tail calls: what the capture
/// programs need, kept per CPU.
pub(crate) struct Job {
    pub(crate) args: [u64; 6],
    pub(crate) ret: i64,
    pub(crate) nr: i64,
    /// Where the record starts in the scratch buffer (after the held
    /// enter, for an exit) and where its next capture goes.
    pub(crate) base: u32,
    pub(crate) off: u32,
    pub(crate) count: u32,
    /// Where the record keeps its capture count.
    pub(crate) count_at: u32,
    /// The rule to look at next.
    pub(crate) rule: u32,
    /// Bit set of the rules to run in this record.
    pub(crate) wanted: u32,
    /// Enter rules whose copy faulted (see [`Pending::retry`]).
    pub(crate) faulted: u32,
    /// at::ENTER or at::EXIT.
    pub(crate) when: u32,
    pub(crate) tid: u32,
    pub(crate) tgid: u32,
    /// A capture done in steps, one per run of its program (see
    /// `capture_iovec_step`, `capture_str_array_step`): the next step, and
    /// what the steps so far leave for the next (strings done, bytes
    /// left to show).
    pub(crate) step: u32,
    pub(crate) tally: u32,
    pub(crate) carry: u64,
}

// Globals set by the loader (see `capture_ebpf::globals`).
#[unsafe(no_mangle)]
pub(crate) static SNAPLEN: u32 = MAX_SNAPLEN;
#[unsafe(no_mangle)]
pub(crate) static TRACE_ALL: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SELF_TGID: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SELECTING: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static STACK_MODE: u32 = capture_ebpf::stack_mode::OFF;
#[unsafe(no_mangle)]
pub(crate) static STACK_BYTES: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static IMAGE_OFFSETS: [u32; 2] = [0; 2];
#[unsafe(no_mangle)]
pub(crate) static TASK_PID_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_TGID_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_EXIT_CODE_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_MM_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static MM_ARG_START_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static MM_ARG_END_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static MM_ENV_START_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static MM_ENV_END_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static BPRM_FILENAME_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_FILES_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static FILES_FDT_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static FDT_MAX_FDS_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static FDT_FD_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static FILE_INODE_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static INODE_INO_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_SIGNAL_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_PENDING_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SIGPENDING_SIGNAL_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SIGNAL_SHARED_PENDING_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SIGNAL_GROUP_EXIT_CODE_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static SIGQUEUE_INFO_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static TASK_COMPAT_STATUS_OFFSET: u32 = 0;
#[unsafe(no_mangle)]
pub(crate) static WAKEUP_BYTES: u64 = 1 << 20;
#[unsafe(no_mangle)]
pub(crate) static PATH_OFFSETS: capture_ebpf::PathOffsets = [0; capture_ebpf::path_at::COUNT];
#[unsafe(no_mangle)]
pub(crate) static SOCK_OFFSETS: capture_ebpf::SockOffsets =
    [capture_ebpf::NO_OFFSET; capture_ebpf::sock_at::COUNT];

#[unsafe(no_mangle)]
pub(crate) static COMMS: capture_ebpf::CommNames = [0; 2 * capture_ebpf::MAX_COMMS];
#[unsafe(no_mangle)]
pub(crate) static CGROUPS: capture_ebpf::CgroupChoice = [0; 2 * capture_ebpf::MAX_CGROUPS];
#[unsafe(no_mangle)]
pub(crate) static NS_OFFSETS: [u32; 3] = [0; 3];
#[unsafe(no_mangle)]
pub(crate) static CGROUP_OFFSETS: capture_ebpf::CgroupOffsets = [0; capture_ebpf::cgroup_at::COUNT];

pub(crate) fn global<T: Copy>(g: &T) -> T {
    // SAFETY: reading a global the loader may have rewritten: volatile, so the
    // compiler does not fold the default value in.
    unsafe { core::ptr::read_volatile(g) }
}

/// Room one capture may need in the scratch buffer: header + data.
pub(crate) const CAPTURE_ROOM: usize = 8 + MAX_SNAPLEN as usize + 8;
/// Captures start no later than this, so every one fits.
pub(crate) const LAST_CAPTURE_AT: usize = SCRATCH_BYTES - CAPTURE_ROOM;

/// (tid, tgid) of the current task, from one helper call.
pub(crate) fn current_ids() -> (u32, u32) {
    let id = bpf_get_current_pid_tgid();
    (id as u32, (id >> 32) as u32)
}

pub(crate) fn is_traced(tgid: u32) -> bool {
    // Without `--cgroup`, the verifier drops the test (a constant).
    chosen(tgid) && (global(&CGROUPS[0]) == 0 || in_chosen_cgroup())
}

/// [`is_traced`] for a task other than the current one, at `task`.
pub(crate) fn is_traced_task(tgid: u32, task: u64) -> bool {
    chosen(tgid) && (global(&CGROUPS[0]) == 0 || task_in_chosen_cgroup(task))
}

/// Whether thread group `tgid` is one recording follows (every one but
/// systrace, or those the filter holds), cgroups aside.
fn chosen(tgid: u32) -> bool {
    if global(&TRACE_ALL) != 0 {
        tgid != global(&SELF_TGID)
    } else {
        // SAFETY: a plain read of a flag byte.
        traced_flag(tgid).is_some_and(|flag| unsafe { *flag } != 0)
    }
}

/// [`in_chosen_cgroup`] for the task at `task`: its cgroup of the v2
/// hierarchy, and that cgroup's ancestor at each chosen level.
fn task_in_chosen_cgroup(task: u64) -> bool {
    use capture_ebpf::cgroup_at::*;
    let at = |i: usize| global(&CGROUP_OFFSETS[i]);
    let css: u64 = crate::copies::read_kernel(task, at(TASK_CGROUPS));
    let cgroup: u64 = crate::copies::read_kernel(css, at(DFL_CGRP));
    let level: i32 = crate::copies::read_kernel(cgroup, at(LEVEL));
    for i in 0..capture_ebpf::MAX_CGROUPS {
        let id = global(&CGROUPS[2 * i]);
        if id == 0 {
            break;
        }
        let wanted = global(&CGROUPS[2 * i + 1]);
        if wanted > level as u64 {
            continue;
        }
        let ancestors = cgroup + u64::from(at(ANCESTORS));
        let ancestor: u64 = crate::copies::read_kernel(ancestors + 8 * wanted, 0);
        let kn: u64 = crate::copies::read_kernel(ancestor, at(KN));
        if crate::copies::read_kernel::<u64>(kn, at(KN_ID)) == id {
            return true;
        }
    }
    false
}

/// Whether the current task is in a cgroup `record --cgroup` chose, or
/// below one. Not inlined: the programs that test every event stay as
/// small as without cgroups (inlined, dd's recording cost 2.6% more).
#[inline(never)]
fn in_chosen_cgroup() -> bool {
    for i in 0..capture_ebpf::MAX_CGROUPS {
        let id = global(&CGROUPS[2 * i]);
        if id == 0 {
            break;
        }
        let level = global(&CGROUPS[2 * i + 1]) as i32;
        // SAFETY: a helper without preconditions.
        if unsafe { bpf_get_current_ancestor_cgroup_id(level) } == id {
            return true;
        }
    }
    false
}

/// Whether a task named `comm` (as the kernel keeps it) is one `record
/// --comm` chose.
pub(crate) fn comm_chosen(comm: &[u8; 16]) -> bool {
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&comm[at..at + 8]);
        u64::from_ne_bytes(bytes)
    };
    let (low, high) = (word(0), word(8));
    for i in 0..capture_ebpf::MAX_COMMS {
        let name = global(&COMMS[2 * i]);
        if name == 0 {
            break;
        }
        if name == low && global(&COMMS[2 * i + 1]) == high {
            return true;
        }
    }
    false
}

/// The filter's flag byte for `tgid` (none past the map's pid range).
pub(crate) fn traced_flag(tgid: u32) -> Option<*mut u8> {
    let group = TRACED.get_ptr_mut(tgid / TRACED_GROUP as u32)?;
    // SAFETY: the index is below TRACED_GROUP; the entry lives in the map.
    Some(unsafe { (*group).as_mut_ptr().add(tgid as usize % TRACED_GROUP) })
}

/// Puts `tgid` in the filter or takes it out. A byte store: forks of
/// neighbouring tgids on other CPUs write other bytes of the entry.
pub(crate) fn set_traced(tgid: u32, traced: bool) {
    if let Some(flag) = traced_flag(tgid) {
        // SAFETY: see `traced_flag`.
        unsafe { flag.write_volatile(u8::from(traced)) };
    }
}

/// Whether call `nr` is recorded: every one, or those `SELECTED` holds.
pub(crate) fn selected(nr: i64) -> bool {
    if global(&SELECTING) == 0 {
        return true;
    }
    let Some(index) = call_index(nr) else {
        return false;
    };
    SELECTED
        .get(index / 64)
        .is_some_and(|word| word & (1 << (index % 64)) != 0)
}

pub(crate) fn spec(nr: i64) -> Option<&'static SyscallSpec> {
    let spec = SPECS.get(call_index(nr)?)?;
    (spec.rules > 0).then_some(spec)
}

/// This CPU's record buffer and capture job.
pub(crate) fn job_slots() -> Result<(&'static mut Buf, &'static mut Job), i32> {
    let scratch = SCRATCH.get_ptr_mut(0).ok_or(1)?;
    // SAFETY: a per-CPU slot, ours while this program (and its tail calls) run.
    Ok(unsafe { (&mut (*scratch).data, &mut (*scratch).job) })
}
