//! Process life: forks (which extend the filter), execs, exits and
//! signals.

use aya_ebpf::cty::c_void;
use aya_ebpf::helpers::generated::{
    bpf_get_current_task_btf, bpf_probe_read_kernel, bpf_probe_read_kernel_str,
    bpf_probe_read_user, bpf_task_pt_regs,
};
use aya_ebpf::helpers::{bpf_get_current_comm, bpf_get_current_task};
use aya_ebpf::macros::raw_tracepoint;
use aya_ebpf::programs::RawTracePointContext;
use capture_ebpf::{
    EXEC_FILENAME_BYTES, EventKind, Exec, Fork, NsTid, SIGINFO_BYTES, Signal, TaskExit,
};

use crate::{copies::*, maps::*, ring::*, syscalls::*};

#[raw_tracepoint(tracepoint = "sched_process_fork")]
pub fn sched_process_fork(ctx: RawTracePointContext) -> u32 {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        return 0;
    }
    let child: u64 = ctx.arg(1);
    let child_task = child;
    let record = Fork {
        header: header(EventKind::Fork, tid, tgid),
        child_tid: read_kernel(child, global(&TASK_PID_OFFSET)),
        child_tgid: read_kernel(child, global(&TASK_TGID_OFFSET)),
    };
    if record.child_tgid != tgid && global(&TRACE_ALL) == 0 {
        // Follow the child before it can run: it is not scheduled yet.
        set_traced(record.child_tgid, true);
    }
    // Its first exit is its return from this fork (see `take_pending`).
    let child = Pending {
        nr: FORK_CHILD,
        args: [0; 6],
        retry: 0,
        _pad: 0,
    };
    let _ = PENDING.insert(&record.child_tid, &child, 0);
    emit_record(record, tid, tgid);
    let ns_tid = ns_tid_of(child_task);
    if ns_tid != 0 && ns_tid != record.child_tid {
        let named = NsTid {
            header: header(EventKind::NsTid, record.child_tid, record.child_tgid),
            ns_tid,
            _pad: 0,
        };
        emit_record(named, tid, tgid);
    }
    0
}

#[raw_tracepoint(tracepoint = "sched_process_exec")]
pub fn sched_process_exec(ctx: RawTracePointContext) -> u32 {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        // `record --comm`: a process is chosen when it execs a program of
        // a chosen name, and followed from then on (its exec is its first
        // event). Without names, the verifier drops this (a constant).
        let chosen =
            global(&COMMS[0]) != 0 && bpf_get_current_comm().is_ok_and(|comm| comm_chosen(&comm));
        if !chosen {
            return 0;
        }
        set_traced(tgid, true);
        if !is_traced(tgid) {
            // Not in a chosen cgroup.
            return 0;
        }
        hold_call_in_progress(tid, tgid);
    }
    let task: u64 = ctx.arg(0);
    let old_tid: i32 = ctx.arg(1);
    let bprm: u64 = ctx.arg(2);
    let filename: u64 = read_kernel(bprm, global(&BPRM_FILENAME_OFFSET));
    // The execve's enter goes first, and the scratch buffer is free for this record.
    end_held_call(tid, false);
    let Ok((buf, _)) = job_slots() else {
        return 0;
    };
    // The record is too big for the BPF stack: build it in the scratch buffer.
    // SAFETY: Exec fits in the scratch buffer (checked at compile time; the
    // reads into its arrays stay within the buffer's third part).
    let record = unsafe { &mut *buf.as_mut_ptr().cast::<Exec>() };
    record.header = header(EventKind::Exec, tid, tgid);
    record.old_tid = old_tid as u32;
    record._pad = 0;
    let mm: u64 = read_kernel(task, global(&TASK_MM_OFFSET));
    let start: u64 = read_kernel(mm, global(&MM_ARG_START_OFFSET));
    let end: u64 = read_kernel(mm, global(&MM_ARG_END_OFFSET));
    (record.args_len, record.args_cut) = read_strings(&mut record.args, start, end);
    let start: u64 = read_kernel(mm, global(&MM_ENV_START_OFFSET));
    let end: u64 = read_kernel(mm, global(&MM_ENV_END_OFFSET));
    (record.env_len, record.env_cut) = read_strings(&mut record.env, start, end);
    record.comm = bpf_get_current_comm().unwrap_or_default();
    // SAFETY: reads a kernel string into the record's array.
    unsafe {
        bpf_probe_read_kernel_str(
            record.filename.as_mut_ptr().cast::<c_void>(),
            EXEC_FILENAME_BYTES as u32,
            filename as *const c_void,
        )
    };
    emit(
        (record as *const Exec).cast(),
        size_of::<Exec>(),
        tid,
        tgid,
        1,
    );
    0
}

const _: () = assert!(size_of::<Exec>() <= PAIR_BYTES);

/// Copies the user memory from `start` to `end` (NUL-separated strings) into
/// `into`, as much as fits: how many bytes it holds, and whether more did
/// not fit.
fn read_strings<const N: usize>(into: &mut [u8; N], start: u64, end: u64) -> (u32, u32) {
    const { assert!(N.is_power_of_two()) };
    let len = end.saturating_sub(start);
    let cut = u32::from(len > N as u64);
    let len = if len > N as u64 { N as u64 } else { len };
    // SAFETY: reads at most the array's size (the mask keeps the verifier
    // sure of it); the helper checks the user pointer.
    let r = unsafe {
        bpf_probe_read_user(
            into.as_mut_ptr().cast::<c_void>(),
            (len & (2 * N as u64 - 1)) as u32,
            start as *const c_void,
        )
    };
    (if r == 0 { len as u32 } else { 0 }, cut)
}

#[raw_tracepoint(tracepoint = "sched_process_exit")]
pub fn sched_process_exit(ctx: RawTracePointContext) -> u32 {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        return 0;
    }
    let task: u64 = ctx.arg(0);
    let group_dead: u64 = ctx.arg(1);
    let record = TaskExit {
        header: header(EventKind::TaskExit, tid, tgid),
        exit_code: read_kernel(task, global(&TASK_EXIT_CODE_OFFSET)),
        group_dead: (group_dead & 0xff) as u32,
    };
    let _ = PENDING.remove(&tid);
    end_held_call(tid, true);
    if record.group_dead != 0 && global(&TRACE_ALL) == 0 {
        set_traced(tgid, false);
    }
    emit_record(record, tid, tgid);
    0
}

#[raw_tracepoint(tracepoint = "signal_deliver")]
pub fn signal_deliver(ctx: RawTracePointContext) -> u32 {
    let (tid, tgid) = current_ids();
    if !is_traced(tgid) {
        return 0;
    }
    let signo: i32 = ctx.arg(0);
    if signo == SIGKILL
        && tid == tgid
        && let Some(record) = fatal_signal_turned_kill(tid, tgid)
    {
        emit_record(record, tid, tgid);
        return 0;
    }
    let action: u64 = ctx.arg(2);
    let sa_flags: u64 = read_kernel(action, 8);
    // A signal the kernel forces fatal (a seccomp kill, a signal frame it
    // could not write) bypasses debuggers: strace never shows it, only the
    // death it causes.
    if sa_flags & SA_IMMUTABLE != 0 {
        return 0;
    }
    let mut record = signal_record(
        tid,
        tgid,
        signo,
        ctx.arg(1),
        read_kernel(action, 0),
        sa_flags,
    );
    record.ip = current_user_ip();
    emit_record(record, tid, tgid);
    0
}

/// Where the current task's user code stands: the instruction pointer in
/// the registers it entered the kernel with.
fn current_user_ip() -> u64 {
    // SAFETY: helpers without preconditions; the load goes through the
    // registers' BTF pointer, which the verifier checks.
    unsafe {
        let regs = bpf_task_pt_regs(bpf_get_current_task_btf()) as *const u8;
        if regs.is_null() {
            return 0;
        }
        core::ptr::read_volatile(regs.add(crate::syscalls::regs::IP).cast::<u64>())
    }
}

/// The id of `task` in its own pid namespace (`pid->numbers[pid->level]`),
/// or 0 in the machine's (level 0).
fn ns_tid_of(task: u64) -> u32 {
    let at = |i: usize| global(&NS_OFFSETS[i]);
    let pid: u64 = read_kernel(task, at(0));
    let level: u32 = read_kernel(pid, at(1));
    if level == 0 {
        return 0;
    }
    // `struct upid` is { int nr; struct pid_namespace *ns; }: 16 bytes.
    let numbers = pid + u64::from(at(2));
    read_kernel(numbers + 16 * u64::from(level & 0xff), 0)
}

/// The kernel's own mark on an action it forced (`include/linux/signal_types.h`).
const SA_IMMUTABLE: u64 = 0x0080_0000;

const SIGKILL: i32 = 9;

/// A fatal signal sent to a process no debugger traces is turned into
/// SIGKILL for all its threads at once (the kernel's `complete_signal`):
/// SIGKILL is what is delivered, while the signal's own siginfo waits in the
/// queue it was sent to, and the process's exit code names it. strace, which
/// keeps the kernel from that shortcut, shows the signal itself: so does
/// this, from the queue, in the thread group's leader (strace shows it in
/// one thread).
fn fatal_signal_turned_kill(tid: u32, tgid: u32) -> Option<Signal> {
    // SAFETY: a helper without preconditions; the pointer is only read through helpers.
    let task = unsafe { bpf_get_current_task() };
    let signal: u64 = read_kernel(task, global(&TASK_SIGNAL_OFFSET));
    let signo = group_exit_code(signal) & 0x7f;
    if signo == 0 || signo == SIGKILL {
        return None;
    }
    let queues = [
        signal + u64::from(global(&SIGNAL_SHARED_PENDING_OFFSET)),
        task + u64::from(global(&TASK_PENDING_OFFSET)),
    ];
    for queue in queues {
        // `struct sigpending` starts with its list; each `struct sigqueue`
        // with its link.
        let mut node: u64 = read_kernel(queue, 0);
        for _ in 0..4 {
            if node == queue || node == 0 {
                break;
            }
            let info = node + u64::from(global(&SIGQUEUE_INFO_OFFSET));
            let queued: i32 = read_kernel(info, 0);
            if queued == signo {
                let mut record = signal_record(tid, tgid, signo, info, 0, 0);
                record.ip = current_user_ip();
                return Some(record);
            }
            node = read_kernel(node, 0);
        }
    }
    None
}

/// Whether the current task ends on its way back to user space: a SIGKILL
/// waits for it, and is not a fatal signal the kernel turned into one for a
/// process no debugger traces (the group exits with that signal, one that
/// dumps no core: a core dump and exit_group kill with SIGKILL under a
/// debugger too).
pub(crate) fn killed_on_return() -> bool {
    // A load through the task's BTF pointer, as `in_compat_call`'s: this
    // runs at every exit. `sig[0]` of `task->pending.signal`.
    let at = global(&TASK_PENDING_OFFSET) + global(&SIGPENDING_SIGNAL_OFFSET);
    // SAFETY: a BPF helper without preconditions; the load is checked.
    let pending = unsafe {
        let task = bpf_get_current_task_btf().cast::<u8>();
        core::ptr::read_volatile(task.add(at as usize).cast::<u64>())
    };
    if pending & (1 << (SIGKILL - 1)) == 0 {
        return false;
    }
    // SAFETY: a helper without preconditions; the pointer is only read through helpers.
    let task = unsafe { bpf_get_current_task() };
    let signal: u64 = read_kernel(task, global(&TASK_SIGNAL_OFFSET));
    let signo = group_exit_code(signal) & 0x7f;
    signo == 0 || signo == SIGKILL || CORE_DUMPING & (1 << signo) != 0
}

/// The signals whose default action dumps core (`SIG_KERNEL_COREDUMP_MASK`):
/// SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU,
/// SIGXFSZ, SIGSYS.
const CORE_DUMPING: u64 =
    1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 11 | 1 << 24 | 1 << 25 | 1 << 31;

/// What the thread group whose `struct signal_struct` is at `signal` is
/// exiting with (a signal number, or a status << 8), set when it begins to;
/// 0 before.
fn group_exit_code(signal: u64) -> i32 {
    read_kernel(signal, global(&SIGNAL_GROUP_EXIT_CODE_OFFSET))
}

/// A signal the target ignores is never delivered, so signal_deliver never
/// sees it; strace (through ptrace) still shows it. Record it where it is
/// generated, on the target's timeline.
#[raw_tracepoint(tracepoint = "signal_generate")]
pub fn signal_generate(ctx: RawTracePointContext) -> u32 {
    const TRACE_SIGNAL_IGNORED: i32 = 1;
    let result: i32 = ctx.arg(4);
    if result != TRACE_SIGNAL_IGNORED {
        return 0;
    }
    let task: u64 = ctx.arg(2);
    let tid: u32 = read_kernel(task, global(&TASK_PID_OFFSET));
    let tgid: u32 = read_kernel(task, global(&TASK_TGID_OFFSET));
    if !is_traced_task(tgid, task) {
        return 0;
    }
    // A process already dying of a signal ignores the rest: it never stops
    // for them, and strace shows none.
    let signal: u64 = read_kernel(task, global(&TASK_SIGNAL_OFFSET));
    if group_exit_code(signal) != 0 {
        return 0;
    }
    // SIG_DFL: the default action of an ignored signal is to ignore it.
    let record = signal_record(tid, tgid, ctx.arg(0), ctx.arg(1), 0, 0);
    emit_record(record, tid, tgid);
    0
}

/// A Signal record, with the kernel's siginfo when `info` points at one
/// (small values mean "no info" or "from the kernel").
pub(crate) fn signal_record(
    tid: u32,
    tgid: u32,
    signo: i32,
    info: u64,
    sa_handler: u64,
    sa_flags: u64,
) -> Signal {
    let mut record = Signal {
        header: header(EventKind::Signal, tid, tgid),
        signo,
        errno: 0,
        code: 0,
        info_len: 0,
        sa_handler,
        sa_flags,
        info: [0; SIGINFO_BYTES],
        ip: 0,
    };
    if info > 4096 {
        // SAFETY: reads into the record's array; the helper checks the pointer.
        let r = unsafe {
            bpf_probe_read_kernel(
                record.info.as_mut_ptr().cast::<c_void>(),
                SIGINFO_BYTES as u32,
                info as *const c_void,
            )
        };
        if r == 0 {
            record.info_len = SIGINFO_BYTES as u32;
            record.errno = i32::from_ne_bytes([
                record.info[4],
                record.info[5],
                record.info[6],
                record.info[7],
            ]);
            record.code = i32::from_ne_bytes([
                record.info[8],
                record.info[9],
                record.info[10],
                record.info[11],
            ]);
        }
    }
    record
}
