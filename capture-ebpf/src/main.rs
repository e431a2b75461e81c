//! systrace's eBPF programs. Built for bpfel-unknown-none by `capture/build.rs`.
//!
//! - `sys_enter` / `sys_exit` (raw_syscalls tracepoints, `syscalls`): a record
//!   per syscall of the traced processes, with the user memory the `SPECS`
//!   map says to copy (`copies`, one tail-called program per kind of copy).
//!   The enter is built in a per-CPU scratch buffer and held there (`SLOT`)
//!   until its exit is built after it; both go into the ring buffer as one
//!   record (`ring`). `sched_switch` writes a held enter out on its own, and
//!   moves what the exit needs to the `PENDING` hash, when the thread leaves
//!   the CPU mid-call. A call made through the 32-bit ABI (`int $0x80`,
//!   marked in the task's `thread_info.status`) is numbered from
//!   `COMPAT_NR_BASE`, with i386's argument registers.
//! - `sched_process_fork` / `_exec` / `_exit`, `signal_deliver` and (for
//!   signals the target ignores) `signal_generate` (raw tracepoints, `life`):
//!   process life. A fork of a traced process puts the child in the filter
//!   here, in the kernel, before the child can run. Where the kernel turned
//!   a fatal signal into SIGKILL, the signal's own siginfo is read from its
//!   queue. A syscall exit whose enter never ran (seccomp rejected the call)
//!   makes its enter record from the registers.
//! - `stacks`: `record --stack`: each call's user stack at its enter (an id
//!   in the kernel's table of frame-pointer walks, or the registers and the
//!   top of the stack for the recorder to unwind), and the files mmap maps
//!   executable and an exec's program, which name the frames later.
//! - `maps`: the maps, the per-CPU state and the globals the loader sets.
//!
//! A record the ring buffer has no room for is counted for the thread that
//! lost it (`LOST`, with the time of its latest loss); the recorder turns new
//! counts into lost-event markers in that thread, where the gap is.
#![cfg_attr(target_arch = "bpf", no_std)]
#![cfg_attr(target_arch = "bpf", no_main)]

#[cfg(target_arch = "bpf")]
mod copies;
#[cfg(target_arch = "bpf")]
mod life;
#[cfg(target_arch = "bpf")]
mod maps;
#[cfg(target_arch = "bpf")]
mod ring;
#[cfg(target_arch = "bpf")]
mod stacks;
#[cfg(target_arch = "bpf")]
mod syscalls;

#[cfg(target_arch = "bpf")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    // SAFETY: the verifier rejects any program with a reachable panic.
    unsafe { core::hint::unreachable_unchecked() }
}

#[cfg(target_arch = "bpf")]
#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";

#[cfg(not(target_arch = "bpf"))]
fn main() {}
