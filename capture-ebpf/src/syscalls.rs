//! `sys_enter` / `sys_exit`: a record per syscall, the enter held in the
//! CPU's slot for its exit, and the tail calls into the capture programs.

use aya_ebpf::EbpfContext;
use aya_ebpf::cty::c_void;
use aya_ebpf::helpers::generated::bpf_probe_read_kernel;
use aya_ebpf::helpers::generated::{bpf_get_current_task_btf, bpf_task_pt_regs};
use aya_ebpf::macros::raw_tracepoint;
use aya_ebpf::programs::RawTracePointContext;
use capture_ebpf::{
    ARG_IP, COMPAT_NR_BASE, ENTER_UNSEEN, EXIT_KILLED, EventKind, MAX_RULES, MAX_SNAPLEN, SysEnter,
    SysExit, SyscallSpec, at, how, size,
};
use core::mem::offset_of;

use crate::{copies::*, maps::*, ring::*, stacks::*};

/// The syscall registers of `struct pt_regs`, from `REGS_START` on: one
/// kernel read gets all six arguments and the syscall number.
#[cfg(bpf_target_arch = "x86_64")]
pub(crate) mod regs {
    pub const START: u64 = 56;
    /// r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip.
    pub type Window = [u64; 10];
    pub fn ip(w: &Window) -> u64 {
        w[9]
    }
    /// Where `struct pt_regs` keeps the user instruction pointer.
    pub const IP: usize = 128;
    pub fn args(w: &Window) -> [u64; 6] {
        [w[7], w[6], w[5], w[0], w[2], w[1]]
    }
    /// Where bp and bx are, read only for an `int $0x80` call.
    pub const COMPAT_START: u32 = 32;
    /// An `int $0x80` call's: ebx, ecx, edx, esi, edi, ebp.
    pub fn compat_args(w: &Window, [bp, bx]: [u64; 2]) -> [u64; 6] {
        [bx, w[4], w[5], w[6], w[7], bp].map(|r| u64::from(r as u32))
    }
    pub fn nr(w: &Window) -> i64 {
        w[8] as i64
    }
    /// `thread_info.status`'s bit for a call through the 32-bit ABI.
    pub const TS_COMPAT: u32 = 0x0002;
    pub const RT_SIGRETURN: i64 = 15;
    /// Where `struct pt_regs` keeps the user stack pointer.
    pub const SP: u32 = 152;
    /// Where it keeps rbp, and (none on x86_64) a link register.
    pub const FP: u32 = 32;
    pub const LR: Option<u32> = None;
    /// The restored signal mask's place from the stack pointer at
    /// rt_sigreturn: the frame's return address was popped, then come
    /// `struct ucontext`'s flags, link, stack and sigcontext.
    pub const SIGFRAME_MASK: u64 = 296;
}

#[cfg(bpf_target_arch = "aarch64")]
pub(crate) mod regs {
    pub const START: u64 = 0;
    /// regs[0..31], sp, pc, pstate, orig_x0, syscallno (low 32 bits).
    pub type Window = [u64; 36];
    pub fn args(w: &Window) -> [u64; 6] {
        [w[34], w[1], w[2], w[3], w[4], w[5]]
    }
    /// No 32-bit ABI is recorded here (TASK_COMPAT_STATUS_OFFSET stays 0).
    pub const COMPAT_START: u32 = 0;
    pub fn compat_args(w: &Window, _: [u64; 2]) -> [u64; 6] {
        args(w)
    }
    pub fn nr(w: &Window) -> i64 {
        w[35] as i32 as i64
    }
    pub fn ip(w: &Window) -> u64 {
        w[32]
    }
    /// Where `struct pt_regs` keeps the user pc.
    pub const IP: usize = 256;
    pub const TS_COMPAT: u32 = 0;
    pub const RT_SIGRETURN: i64 = 139;
    pub const SP: u32 = 248;
    /// Where it keeps x29 (the frame pointer) and x30 (the link register).
    pub const FP: u32 = 232;
    pub const LR: Option<u32> = Some(240);
    /// The frame at the stack pointer: siginfo, then `struct ucontext`'s
    /// flags, link and stack before the mask.
    pub const SIGFRAME_MASK: u64 = 168;
}

pub(crate) fn read_regs(ptr: u64) -> Option<regs::Window> {
    // Not zeroed first: that is a memset call per syscall.
    let mut window = core::mem::MaybeUninit::<regs::Window>::uninit();
    // SAFETY: the helper fills the whole window or fails (then it is not read).
    unsafe {
        let r = bpf_probe_read_kernel(
            window.as_mut_ptr().cast::<c_void>(),
            size_of::<regs::Window>() as u32,
            (ptr + regs::START) as *const c_void,
        );
        (r == 0).then(|| window.assume_init())
    }
}

/// The call being made, as traces number it, and its arguments: those of
/// the 64-bit ABI, or of the 32-bit one for an `int $0x80` call (see
/// `COMPAT_NR_BASE`).
fn call(nr: i64, regs_at: u64, window: &regs::Window) -> (i64, [u64; 6]) {
    let nr = numbered(nr);
    (nr, call_args(nr, regs_at, window))
}

/// The call `nr` the kernel was asked for, as traces number it: its own
/// number, or `COMPAT_NR_BASE` plus it for an `int $0x80` call.
fn numbered(nr: i64) -> i64 {
    if in_compat_call() {
        COMPAT_NR_BASE + nr
    } else {
        nr
    }
}

/// The arguments of call `nr` (as [`numbered`] numbers it).
fn call_args(nr: i64, regs_at: u64, window: &regs::Window) -> [u64; 6] {
    if nr >= COMPAT_NR_BASE {
        let more = read_kernel(regs_at, regs::COMPAT_START);
        regs::compat_args(window, more)
    } else {
        regs::args(window)
    }
}

/// Whether the current task's call came in through the 32-bit ABI: the
/// kernel marks it in the task's `thread_info.status` until it returns.
fn in_compat_call() -> bool {
    let at = global(&TASK_COMPAT_STATUS_OFFSET);
    if at == 0 {
        return false;
    }
    // A load through the task's BTF pointer, which the verifier checks
    // against the kernel's types (the offset is a constant to it), rather
    // than a helper call per syscall.
    // SAFETY: a BPF helper without preconditions; the load is checked.
    let status = unsafe {
        let task = bpf_get_current_task_btf().cast::<u8>();
        core::ptr::read_volatile(task.add(at as usize).cast::<u32>())
    };
    status & regs::TS_COMPAT != 0
}

// Raw tracepoints: no record formatting by the kernel before the program runs.
#[raw_tracepoint(tracepoint = "sys_enter")]
pub fn sys_enter(ctx: RawTracePointContext) -> i32 {
    match try_sys_enter(&ctx) {
        Ok(r) | Err(r) => r,
    }
}

/// Builds the enter record at the start of the scratch buffer and holds it
/// there for the exit (see `SLOT`).
pub(crate) fn try_sys_enter(ctx: &RawTracePointContext) -> Result<i32, i32> {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        return Ok(0);
    }
    let nr = numbered(ctx.arg(1));
    if !selected(nr) {
        hold_rejected(tid, tgid);
        return Ok(0);
    }
    let window = read_regs(ctx.arg(0)).ok_or(1)?;
    let mut args = call_args(nr, ctx.arg(0), &window);
    if nr == regs::RT_SIGRETURN {
        // It takes no argument; the one strace shows is the signal mask it
        // restores, from the frame on the user stack: its address.
        let sp: u64 = read_kernel(ctx.arg(0), regs::SP);
        args[0] = sp + regs::SIGFRAME_MASK;
    }
    let spec = spec(nr);
    let (buf, job) = job_slots()?;
    // An enter whose exit never came here (none is known to): out first.
    flush_held(buf);
    let record = SysEnter {
        header: header(EventKind::SysEnter, tid, tgid),
        nr,
        args,
        captures: 0,
        flags: 0,
    };
    write_at(buf, 0, &record);
    let mut out = Out::after::<SysEnter>(buf, 0);
    capture_value(&mut out, ARG_IP, regs::ip(&window));
    take_stack(ctx, &mut out, &record.header, nr);
    let wanted = spec.map_or(0, |s| u32::from(s.enter_rules));
    // Fast paths, without a tail call: no copy at all, or one buffer.
    if wanted == 0 {
        write_at(out.buf, offset_of!(SysEnter, captures), &out.count);
        hold(tid, tgid, nr, &args, 0, out.off);
        return Ok(0);
    }
    if let Some((arg, ptr, len)) = single_bytes_rule(spec, wanted, &args, 0) {
        capture_bytes(&mut out, arg, ptr, len);
        write_at(out.buf, offset_of!(SysEnter, captures), &out.count);
        let retry = if out.faulted { wanted } else { 0 };
        hold(tid, tgid, nr, &args, retry, out.off);
        return Ok(0);
    }
    *job = Job {
        args,
        ret: 0,
        nr,
        base: 0,
        off: out.off as u32,
        count: out.count,
        count_at: offset_of!(SysEnter, captures) as u32,
        rule: 0,
        wanted,
        faulted: 0,
        when: u32::from(at::ENTER),
        tid,
        tgid,
        step: 0,
        tally: 0,
        carry: 0,
    };
    Ok(next_capture(ctx, out.buf, job, spec))
}

#[raw_tracepoint(tracepoint = "sys_exit")]
pub fn sys_exit(ctx: RawTracePointContext) -> i32 {
    match try_sys_exit(&ctx) {
        Ok(r) | Err(r) => r,
    }
}

/// Builds the exit record after the held enter, if there is one, and
/// writes both out as one record.
pub(crate) fn try_sys_exit(ctx: &RawTracePointContext) -> Result<i32, i32> {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        return Ok(0);
    }
    let ret: i64 = ctx.arg(1);
    let (buf, job) = job_slots()?;
    let (pending, held) = match take_pending(tid) {
        // Left out by the selection at its enter.
        Taken::Call(p, _) if p.nr == REJECTED => return Ok(0),
        Taken::Call(p, held) => (Some(p), held),
        Taken::Unseen => {
            let (p, held) = enter_from_registers(ctx.arg(0), buf, tid, tgid, ENTER_UNSEEN)?;
            (Some(p), held)
        }
        Taken::ForkChild => (None, 0),
    };
    let (nr, args, mut wanted) = match pending {
        Some(p) => (p.nr, p.args, p.retry),
        // A new task's return from the fork: the call is its parent's.
        None => (regs::nr(&read_regs(ctx.arg(0)).ok_or(1)?), [0; 6], 0),
    };
    if !selected(nr) {
        return Ok(0);
    }
    let spec = spec(nr);
    // Out-buffers are only valid when the call succeeded (but for those
    // a failed call writes too).
    if let Some(spec) = spec
        && pending.is_some()
    {
        let out = if ret >= 0 {
            spec.exit_rules
        } else {
            spec.failed_exit_rules
        };
        wanted |= u32::from(out);
    }
    let record = SysExit {
        header: header(EventKind::SysExit, tid, tgid),
        nr,
        ret,
        captures: 0,
        flags: if crate::life::killed_on_return() {
            EXIT_KILLED
        } else {
            0
        },
    };
    let base = held & OFF_MASK;
    write_at(buf, base, &record);
    let events = if held > 0 { 2 } else { 1 };
    // Fast paths, without a tail call: no copy at all, or one buffer.
    let end = if wanted == 0 {
        Some(base + size_of::<SysExit>())
    } else if let Some((arg, ptr, len)) = single_bytes_rule(spec, wanted, &args, ret) {
        let mut out = Out::after::<SysExit>(buf, base);
        capture_bytes(&mut out, arg, ptr, len);
        write_at(out.buf, base + offset_of!(SysExit, captures), &out.count);
        Some(out.off)
    } else {
        None
    };
    if let Some(end) = end {
        emit(buf.as_ptr(), end, tid, tgid, events);
        return Ok(0);
    }
    *job = Job {
        args,
        ret,
        nr,
        base: base as u32,
        off: (base + size_of::<SysExit>()) as u32,
        count: 0,
        count_at: (base + offset_of!(SysExit, captures)) as u32,
        rule: 0,
        wanted,
        faulted: 0,
        when: u32::from(at::EXIT),
        tid,
        tgid,
        step: 0,
        tally: 0,
        carry: 0,
    };
    Ok(next_capture(ctx, buf, job, spec))
}

/// An exit whose enter never ran (seccomp rejected the call, which skips
/// the enter tracepoint; or the call began before recording): its enter
/// record, made now from the registers, which still hold the arguments, at
/// the start of the scratch buffer, and what the exit needs.
#[inline(always)]
fn enter_from_registers(
    regs_at: u64,
    buf: &mut Buf,
    tid: u32,
    tgid: u32,
    flags: u32,
) -> Result<(Pending, usize), i32> {
    let window = read_regs(regs_at).ok_or(1)?;
    let (nr, args) = call(regs::nr(&window), regs_at, &window);
    let record = SysEnter {
        header: header(EventKind::SysEnter, tid, tgid),
        nr,
        args,
        captures: 0,
        flags,
    };
    write_at(buf, 0, &record);
    let mut out = Out::after::<SysEnter>(buf, 0);
    capture_value(&mut out, ARG_IP, regs::ip(&window));
    write_at(out.buf, offset_of!(SysEnter, captures), &out.count);
    let pending = Pending {
        nr: record.nr,
        args: record.args,
        retry: 0,
        _pad: 0,
    };
    Ok((pending, out.off))
}

/// Holds the call the current task is in, its enter never seen, as if the
/// enter had just run, from its registers: `record --comm` chooses a
/// process at its exec, and its execve then shows whole (the exec record
/// that follows gives its path and argv), unless the selection leaves it
/// out.
pub(crate) fn hold_call_in_progress(tid: u32, tgid: u32) {
    // SAFETY: helpers without preconditions; the registers are only read
    // through a helper.
    let regs = unsafe { bpf_task_pt_regs(bpf_get_current_task_btf()) } as u64;
    let Ok((buf, _)) = job_slots() else {
        return;
    };
    if let Ok((p, len)) = enter_from_registers(regs, buf, tid, tgid, 0) {
        if selected(p.nr) {
            hold(tid, tgid, p.nr, &p.args, 0, len);
        } else {
            hold_rejected(tid, tgid);
        }
    }
}

/// Holds this thread's enter record (`len` bytes at the start of the
/// scratch buffer) and what its exit needs, in this CPU's slot: the
/// thread cannot leave the CPU while its program runs.
pub(crate) fn hold(tid: u32, tgid: u32, nr: i64, args: &[u64; 6], retry: u32, len: usize) {
    if let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: the per-CPU slot is ours while this program runs on this CPU.
        let slot = unsafe { &mut *slot };
        slot.tid = tid;
        slot.tgid = tgid;
        slot.open = 1;
        slot.held = len as u32;
        slot.pending = Pending {
            nr,
            args: *args,
            retry,
            _pad: 0,
        };
    }
}

/// Writes out the enter record held in this CPU's slot, if any, on its own.
pub(crate) fn flush_held(buf: &Buf) {
    if let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        if slot.held != 0 {
            emit(buf.as_ptr(), slot.held as usize, slot.tid, slot.tgid, 1);
            slot.held = 0;
        }
    }
}

/// What a syscall's exit finds of its enter.
pub(crate) enum Taken {
    /// What the enter left for the exit, and how many bytes of its record
    /// wait at the start of the scratch buffer (0: written out already).
    Call(Pending, usize),
    /// The enter never ran.
    Unseen,
    /// A new task returning from the fork that made it (see `FORK_CHILD`).
    ForkChild,
}

/// [`Pending::nr`] of a task the fork made: its first exit is the fork's
/// return in the child, which strace does not show.
pub(crate) const FORK_CHILD: i64 = -2;
/// [`Pending::nr`] of an entry used up.
const USED: i64 = -1;
/// [`Pending::nr`] of a call the selection leaves out (`record -e trace=`):
/// its exit is left out too.
const REJECTED: i64 = -3;

/// Marks the current call left out, in this CPU's slot, where its exit
/// looks first (a switch moves the mark to PENDING, as it moves a call's
/// enter): neither end goes to the ring.
fn hold_rejected(tid: u32, tgid: u32) {
    if let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        if slot.open != 0
            && slot.held != 0
            && let Ok((buf, _)) = job_slots()
        {
            // An enter whose exit never came here: out first.
            flush_held(buf);
        }
        slot.tid = tid;
        slot.tgid = tgid;
        slot.open = 1;
        slot.held = 0;
        slot.pending.nr = REJECTED;
    }
}

/// What this thread's enter left for its exit: in this CPU's slot, or in
/// PENDING if the thread was switched out during the call.
pub(crate) fn take_pending(tid: u32) -> Taken {
    if let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        if slot.open != 0 && slot.tid == tid {
            slot.open = 0;
            let held = slot.held as usize;
            slot.held = 0;
            return Taken::Call(slot.pending, held);
        }
    }
    let Some(kept) = PENDING.get_ptr_mut(&tid) else {
        return Taken::Unseen;
    };
    // SAFETY: this thread's entry: no one else writes it while it runs.
    let kept = unsafe { &mut *kept };
    let pending = *kept;
    // Marked used rather than deleted: the thread's next blocking call
    // updates it in place.
    kept.nr = USED;
    match pending.nr {
        USED => Taken::Unseen,
        FORK_CHILD => Taken::ForkChild,
        _ => Taken::Call(pending, 0),
    }
}

/// A thread switched out in a syscall: its enter record goes out now (the
/// call may block for long, or never return), and what its exit needs
/// moves to PENDING, where the exit finds it on whichever CPU it returns.
/// (An open slot always belongs to the task running on its CPU.)
#[raw_tracepoint(tracepoint = "sched_switch")]
pub fn sched_switch(_ctx: RawTracePointContext) -> u32 {
    let Some(slot) = SLOT.get_ptr_mut(0) else {
        return 0;
    };
    // SAFETY: see `hold`.
    let slot = unsafe { &mut *slot };
    if slot.open == 0 {
        return 0;
    }
    if let Ok((buf, _)) = job_slots() {
        flush_held(buf);
    }
    slot.open = 0;
    let pending = slot.pending;
    match PENDING.get_ptr_mut(&slot.tid) {
        // SAFETY: the thread's entry; it is not running.
        Some(kept) => unsafe { *kept = pending },
        // A full map only costs this call's exit captures.
        None => {
            let _ = PENDING.insert(&slot.tid, &pending, 0);
        }
    }
    0
}

/// The thread ends or becomes another program in its call: its held enter
/// goes out before the record that says so, and the call is over
/// (exit_group never returns; a successful execve's exit comes after).
pub(crate) fn end_held_call(tid: u32, closes: bool) {
    let Ok((buf, _)) = job_slots() else {
        return;
    };
    flush_held(buf);
    if closes && let Some(slot) = SLOT.get_ptr_mut(0) {
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        if slot.tid == tid {
            slot.open = 0;
        }
    }
}

/// Keeps a rule's index within the spec's rules, for the verifier.
const RULE_MASK: u32 = MAX_RULES as u32 - 1;
const _: () = assert!(MAX_RULES.is_power_of_two());

/// When the only copy wanted is one plain buffer (read, write, ...): its
/// argument, address and size.
#[inline(always)]
pub(crate) fn single_bytes_rule(
    spec: Option<&SyscallSpec>,
    wanted: u32,
    args: &[u64; 6],
    ret: i64,
) -> Option<(u8, u64, u64)> {
    let spec = spec?;
    if wanted.count_ones() != 1 {
        return None;
    }
    let rule = spec.rule[(wanted.trailing_zeros() & RULE_MASK) as usize];
    if rule.how != how::BYTES {
        return None;
    }
    let ptr = rule_ptr(&rule, args);
    (ptr != 0).then(|| (rule.arg, ptr, rule_len(&rule, args, ret)))
}

/// Where a rule copies from: its argument's pointer, past the parts of
/// the buffer other rules copy.
fn rule_ptr(rule: &capture_ebpf::CaptureSpec, args: &[u64; 6]) -> u64 {
    match arg_at(args, rule.arg) {
        0 => 0,
        ptr => ptr + part_offset(rule),
    }
}

fn part_offset(rule: &capture_ebpf::CaptureSpec) -> u64 {
    u64::from(rule.part) * u64::from(MAX_SNAPLEN)
}

/// The size a rule copies, before the snapshot length caps it.
pub(crate) fn rule_len(rule: &capture_ebpf::CaptureSpec, args: &[u64; 6], ret: i64) -> u64 {
    let whole = match rule.size_kind {
        size::FIXED => u64::from(rule.size),
        size::ARG => arg_at(args, rule.size_arg),
        size::RET => ret as u64,
        // Counts beyond this exceed any snapshot anyway (and avoid 128-bit math).
        size::ARG_TIMES => arg_at(args, rule.size_arg).min(1024) * u64::from(rule.size),
        // Whole longs of bits; no fd_set is near this bound's 8 KiB.
        size::FD_SET => (arg_at(args, rule.size_arg).min(1 << 16) + 63) / 64 * 8,
        _ => 0,
    };
    whole.saturating_sub(part_offset(rule))
}

/// Moves to the next rule that copies at this point of the call: tail-calls
/// the program for its kind of copy, or, when none is left, holds the
/// enter record or writes the exit out.
/// One program per kind keeps each small enough for the verifier.
/// (It returns an int: the verifier allows tail calls only in such functions.)
#[inline(always)]
pub(crate) fn next_capture<C: EbpfContext>(
    ctx: &C,
    buf: &mut Buf,
    job: &mut Job,
    spec: Option<&SyscallSpec>,
) -> i32 {
    // The lowest wanted rule from `job.rule` on (the bits below it are done).
    let left = if job.rule < MAX_RULES as u32 {
        job.wanted >> job.rule << job.rule
    } else {
        0
    };
    if let Some(spec) = spec
        && left != 0
    {
        let next = left.trailing_zeros() & RULE_MASK;
        job.rule = next;
        let how = spec.rule[next as usize].how;
        // SAFETY: the ctx is this program's; on failure we fall through.
        unsafe { CAPTURE.tail_call(ctx, u32::from(how)) };
    }
    write_at(buf, job.count_at as usize, &job.count);
    if job.when == u32::from(at::ENTER) {
        hold(
            job.tid,
            job.tgid,
            job.nr,
            &job.args,
            job.faulted,
            job.off as usize,
        );
    } else {
        let events = if job.base > 0 { 2 } else { 1 };
        emit(buf.as_ptr(), job.off as usize, job.tid, job.tgid, events);
    }
    0
}

/// Runs one capture program's kind of copy on the current rule, then goes on.
/// Inlined into each program with its `how`, so that each holds (and the
/// verifier checks) only its own kind of copy.
#[inline(always)]
pub(crate) fn run_capture(ctx: &RawTracePointContext, how: u8) -> i32 {
    let Ok((buf, job)) = job_slots() else {
        return 0;
    };
    let spec = spec(job.nr);
    if let Some(spec) = spec
        && job.rule < MAX_RULES as u32
    {
        let rule = spec.rule[(job.rule & RULE_MASK) as usize];
        let mut out = Out {
            buf,
            off: job.off as usize,
            count: job.count,
            faulted: false,
            last: job.base as usize + LAST_CAPTURE_AT,
        };
        let ptr = rule_ptr(&rule, &job.args);
        // Whether this capture continues in another run of this program.
        let mut more = false;
        // (An inode capture's argument is a pseudo one: it reads no pointer.)
        // The descriptor-inode program also names paths (no more programs
        // for the verifier to check at start-up).
        let served = rule.how == how
            || how == how::FD_INODES
                && matches!(
                    rule.how,
                    how::FD_PATH | how::CWD | how::SOCKET | how::NETLINK_SOCKET
                )
            || how == how::IOVECS && matches!(rule.how, how::MSGHDR | how::IOVECS32)
            || how == how::MAPPED_FILE && rule.how == how::EXEC_IMAGE;
        if (ptr != 0 || matches!(how, how::FD_INODES | how::MAPPED_FILE)) && served {
            let len = rule_len(&rule, &job.args, job.ret);
            match how {
                how::STR => capture_str(&mut out, rule.arg, ptr),
                how::BYTES => capture_bytes(&mut out, rule.arg, ptr, len),
                how::STR_ARRAY => {
                    more = capture_str_array_step(&mut out, rule.arg, ptr, job);
                }
                how::COUNT_PTRS => capture_ptr_count(&mut out, rule.arg, ptr),
                how::IOVECS if rule.how == how::MSGHDR => {
                    let whole =
                        rule.at != (at::ENTER | at::EXIT) || job.when == u32::from(at::EXIT);
                    more = capture_msghdr_step(&mut out, rule.arg, ptr, whole, job);
                }
                how::IOVECS => {
                    let i386 = rule.how == how::IOVECS32;
                    more = capture_iovec_step(&mut out, rule.arg, ptr, len, i386, job);
                }
                how::COUNT_DIRENTS => count_dirents(&mut out, rule.arg, ptr, len),
                how::FD_INODES => {
                    // The files and directories named by path: one walk
                    // for all, under the rule's own argument (a value the
                    // verifier does not follow), so that it checks one.
                    let named = match rule.how {
                        how::FD_PATH => fd_path(&mut out, job.ret),
                        how::CWD if job.ret >= 0 => Some(cwd_path()),
                        _ => None,
                    };
                    if let Some(path) = named {
                        capture_path(&mut out, rule.arg, path);
                    }
                    match rule.how {
                        how::FD_PATH => {
                            if let Some(path) = named {
                                capture_fd_device(&mut out, path);
                            }
                        }
                        how::SOCKET => capture_socket(&mut out, rule.arg, ptr, job.ret, false),
                        how::NETLINK_SOCKET => {
                            capture_socket(&mut out, rule.arg, ptr, job.ret, true)
                        }
                        how::CWD => {}
                        _ => capture_fd_inodes(&mut out, rule.arg, ptr, job.ret),
                    }
                }
                // `--stack` only (the loader loads this program then): the
                // files that name frames.
                how::MAPPED_FILE => {
                    let named = match rule.how {
                        how::EXEC_IMAGE if job.ret == 0 => exe_path(),
                        how::EXEC_IMAGE => None,
                        _ => mapped_file_path(&job.args, job.ret),
                    };
                    if let Some(path) = named {
                        capture_path(&mut out, rule.arg, path);
                    }
                    if rule.how == how::EXEC_IMAGE && job.ret == 0 {
                        capture_auxv(&mut out);
                    }
                }
                _ => {}
            }
        }
        job.off = out.off as u32;
        job.count = out.count;
        if out.faulted && job.when == u32::from(at::ENTER) {
            job.faulted |= 1 << (job.rule & RULE_MASK);
        }
        if more {
            // SAFETY: the ctx is this program's; on failure we fall through.
            unsafe { CAPTURE.tail_call(ctx, u32::from(how)) };
        }
        job.step = 0;
        job.tally = 0;
        job.carry = 0;
        job.rule += 1;
        next_capture(ctx, out.buf, job, Some(spec))
    } else {
        next_capture(ctx, buf, job, None)
    }
}

/// The capture programs, one per kind of copy, each `run_capture` with its
/// `how` (the loader puts them in CAPTURE at that index).
macro_rules! capture_programs {
    ($($name:ident => $how:expr),* $(,)?) => {$(
        #[raw_tracepoint(tracepoint = "sys_enter")]
        pub fn $name(ctx: RawTracePointContext) -> i32 {
            run_capture(&ctx, $how)
        }
    )*};
}

capture_programs! {
    capture_str_prog => how::STR,
    capture_bytes_prog => how::BYTES,
    capture_str_array_prog => how::STR_ARRAY,
    capture_count_ptrs_prog => how::COUNT_PTRS,
    capture_iovecs_prog => how::IOVECS,
    capture_dirents_prog => how::COUNT_DIRENTS,
    capture_fd_inodes_prog => how::FD_INODES,
    capture_images_prog => how::MAPPED_FILE,
}
