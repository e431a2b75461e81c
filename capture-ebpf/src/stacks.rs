//! `record --stack`: each call's user stack, taken at its enter, and what
//! names its frames later: the files mmap maps executable and an exec's
//! program and load addresses.
//!
//! - `fp`: the kernel walks the frame pointers into the STACKS table and
//!   the enter carries the id (`ARG_STACK`).
//! - `dwarf`: the registers and the top of the stack go into the ring as a
//!   `UserStack` record beside the enter (same task and time); the recorder
//!   unwinds it with the DWARF call frame info of the files mapped there.

use aya_ebpf::bindings::BPF_F_USER_STACK;
use aya_ebpf::cty::c_void;
use aya_ebpf::helpers::generated::{bpf_loop, bpf_probe_read_user};
use aya_ebpf::programs::RawTracePointContext;
use aya_ebpf::programs::tracing::StackIdContext as _;
use capture_ebpf::{
    ARG_AUXV, ARG_STACK, COMPAT_NR_BASE, EventKind, Header, MAX_STACK_BYTES, STACK_IP_ONLY,
    UserStack, path_at, stack_mode,
};

use crate::{copies::*, maps::*, ring::*, syscalls::regs};

/// Takes the user stack of the call whose enter `header` starts, as
/// `--stack` asks. Without it, the verifier drops all of this (the mode
/// is a constant to it).
#[inline(always)]
pub(crate) fn take_stack(ctx: &RawTracePointContext, out: &mut Out, header: &Header, nr: i64) {
    match global(&STACK_MODE) {
        stack_mode::FP => {
            // A frame pointer below the stack pointer, or far above it, is
            // no frame pointer: the kernel's walk would fault on it at
            // once, and a fault costs more than a walk.
            let regs_at: u64 = ctx.arg(0);
            let sp: u64 = read_kernel(regs_at, regs::SP);
            let fp: u64 = read_kernel(regs_at, regs::FP);
            if fp < sp || fp - sp >= MAX_FRAME_SPAN {
                capture_value(out, ARG_STACK, STACK_IP_ONLY);
            } else if let Ok(id) = ctx.get_stackid(&STACKS, u64::from(BPF_F_USER_STACK)) {
                capture_value(out, ARG_STACK, id as u64);
            }
        }
        // The recorder unwinds the native ABI's frames only.
        stack_mode::DWARF if nr < COMPAT_NR_BASE => copy_stack(ctx.arg(0), header),
        _ => {}
    }
}

/// Writes a `UserStack` record of the registers at `regs_at` and the
/// stack above the stack pointer. A record the ring has no room for is
/// left out: its call goes without a stack (the recorder counts those).
#[inline(never)]
fn copy_stack(regs_at: u64, header: &Header) {
    let Some(copy) = STACK_COPY.get_ptr_mut(0) else {
        return;
    };
    // SAFETY: a per-CPU slot, ours while this program runs.
    let copy = unsafe { &mut *copy };
    let sp: u64 = read_kernel(regs_at, regs::SP);
    copy.record = UserStack {
        header: Header {
            kind: EventKind::UserStack as u32,
            ..*header
        },
        ip: read_kernel(regs_at, regs::IP as u32),
        sp,
        fp: read_kernel(regs_at, regs::FP),
        lr: regs::LR.map_or(0, |at| read_kernel(regs_at, at)),
        len: 0,
        _pad: 0,
    };
    // Page by page: a page never touched (a large local buffer) is not
    // there to read, and would fail a single copy whole; the helper leaves
    // zeros for it, and the frames around it are still there. A
    // `bpf_loop`, so that the verifier checks one page's copy, not each.
    let mut walk = PageWalk {
        at: sp,
        end: sp.saturating_add(stack_len(sp)),
        off: 0,
        copied: 0,
    };
    // SAFETY: the callback only reaches `walk` through the pointer it is given.
    unsafe {
        bpf_loop(
            MAX_STACK_BYTES / PAGE as u32 + 1,
            copy_page as *mut c_void,
            (&raw mut walk).cast::<c_void>(),
            0,
        )
    };
    let copied = walk.copied;
    copy.record.len = copied as u32;
    let mut size = size_of::<UserStack>() as u64 + copied;
    if size > size_of::<StackCopy>() as u64 {
        size = size_of::<StackCopy>() as u64;
    }
    // SAFETY: `size` bytes of the slot, which holds them.
    let bytes = unsafe {
        core::slice::from_raw_parts((copy as *const StackCopy).cast::<u8>(), size as usize)
    };
    let _ = EVENTS.output::<[u8]>(bytes, wakeup_flags(size));
}

/// Where a stack's copy stands: the next user address and where it goes,
/// where the copy ends, and how much of it was there.
struct PageWalk {
    at: u64,
    end: u64,
    off: u64,
    copied: u64,
}

/// Copies the page `walk` stands at (or the part of it up to the end):
/// 0 goes on, 1 stops.
extern "C" fn copy_page(_turn: u64, walk: *mut c_void) -> i64 {
    // SAFETY: bpf_loop passes the PageWalk `copy_stack` gave it.
    let walk = unsafe { &mut *walk.cast::<PageWalk>() };
    let Some(copy) = STACK_COPY.get_ptr_mut(0) else {
        return 1;
    };
    if walk.at >= walk.end {
        return 1;
    }
    let page_end = (walk.at | (PAGE - 1)) + 1;
    let mut n = if page_end < walk.end {
        page_end
    } else {
        walk.end
    } - walk.at;
    n &= 2 * PAGE - 1;
    if n > PAGE {
        n = PAGE;
    }
    let off = walk.off & (u64::from(MAX_STACK_BYTES) - 1);
    // SAFETY: at most a page at an offset below MAX_STACK_BYTES, into the
    // slot's array, a page longer; the helper checks the user pointer.
    let r = unsafe {
        bpf_probe_read_user(
            (*copy)
                .bytes
                .as_mut_ptr()
                .add(off as usize)
                .cast::<c_void>(),
            n as u32,
            walk.at as *const c_void,
        )
    };
    walk.at += n;
    walk.off = off + n;
    if r == 0 {
        walk.copied = walk.off;
    }
    0
}

/// How much stack to copy from `sp`: `--stack-size` bytes, or up to the
/// end of the environment strings when that is nearer (the top of the main
/// thread's stack, past which nothing is mapped).
fn stack_len(sp: u64) -> u64 {
    let want = u64::from(global(&STACK_BYTES));
    let mm: u64 = read_kernel(current_task(), global(&TASK_MM_OFFSET));
    let env_end: u64 = read_kernel(mm, global(&MM_ENV_END_OFFSET));
    if sp < env_end && env_end - sp < want {
        (env_end - sp) & !7
    } else {
        want
    }
}

const PAGE: u64 = 4096;
/// How far above the stack pointer a frame pointer may be: a stack's
/// default limit (8 MiB).
const MAX_FRAME_SPAN: u64 = 8 << 20;
const PROT_EXEC: u64 = 4;

/// After an mmap: the `struct path` of the file it mapped executable, to
/// name under `ARG_MAPPED`.
pub(crate) fn mapped_file_path(args: &[u64; 6], ret: i64) -> Option<u64> {
    const MAP_ANONYMOUS: u64 = 0x20;
    let failed = (-4095..0).contains(&ret);
    let fd = args[4] as i32;
    if failed || args[2] & PROT_EXEC == 0 || args[3] & MAP_ANONYMOUS != 0 || fd < 0 {
        return None;
    }
    let file = fd_file(fd as u64);
    (file != 0).then(|| file + u64::from(path_offset(path_at::FILE_PATH)))
}

/// After a successful exec: the `struct path` of the program, to name
/// under `ARG_EXE`.
pub(crate) fn exe_path() -> Option<u64> {
    let mm: u64 = read_kernel(current_task(), global(&TASK_MM_OFFSET));
    let exe: u64 = read_kernel(mm, global(&IMAGE_OFFSETS[0]));
    (exe != 0).then(|| exe + u64::from(path_offset(path_at::FILE_PATH)))
}

/// After a successful exec: where the program and its interpreter were
/// loaded (`ARG_AUXV`: AT_ENTRY, then AT_BASE), from the auxiliary vector
/// the kernel keeps. A `bpf_loop`, so that the verifier checks one entry.
pub(crate) fn capture_auxv(out: &mut Out) {
    let mm: u64 = read_kernel(current_task(), global(&TASK_MM_OFFSET));
    let mut walk = AuxvWalk {
        at: mm + u64::from(global(&IMAGE_OFFSETS[1])),
        entry: 0,
        base: 0,
    };
    // SAFETY: the callback only reaches `walk` through the pointer it is given.
    unsafe {
        bpf_loop(
            AUXV_ENTRIES,
            auxv_entry as *mut c_void,
            (&raw mut walk).cast::<c_void>(),
            0,
        )
    };
    capture_value(out, ARG_AUXV, walk.entry);
    capture_value(out, ARG_AUXV, walk.base);
}

/// Where a walk of the auxiliary vector stands, and what it found.
struct AuxvWalk {
    at: u64,
    entry: u64,
    base: u64,
}

/// One (key, value) entry of the auxiliary vector: 0 goes on, 1 stops.
extern "C" fn auxv_entry(_turn: u64, walk: *mut c_void) -> i64 {
    const AT_NULL: u64 = 0;
    const AT_BASE: u64 = 7;
    const AT_ENTRY: u64 = 9;
    // SAFETY: bpf_loop passes the AuxvWalk `capture_auxv` gave it.
    let walk = unsafe { &mut *walk.cast::<AuxvWalk>() };
    let key: u64 = read_kernel(walk.at, 0);
    let value: u64 = read_kernel(walk.at, 8);
    walk.at += 16;
    match key {
        AT_NULL => return 1,
        AT_BASE => walk.base = value,
        AT_ENTRY => walk.entry = value,
        _ => {}
    }
    0
}

/// Auxiliary vector entries looked through for AT_ENTRY and AT_BASE (the
/// kernel writes a few others first, see create_elf_tables).
const AUXV_ENTRIES: u32 = 24;
