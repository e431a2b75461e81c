//! Wire structs shared by systrace's eBPF programs (`src/main.rs`, built for the
//! bpf target by `capture/build.rs`) and the user-space recorder in `capture`.
//!
//! Data flow: user space fills the `SPECS` map with one [`SyscallSpec`] per
//! syscall number (what to copy, from the syscall table in `analyze`) and sets
//! the globals named below; a program then writes a record (a [`Header`]-first
//! struct, for syscalls followed by [`CaptureHeader`]+data pairs) into the ring
//! buffer. User space checks each record's `kind` with [`EventKind::try_from`]
//! and its length before reading it. These are wire types, not the on-disk
//! types: the `format` crate owns those.
#![no_std]

/// Ring buffer of records.
pub const EVENTS_MAP: &str = "EVENTS";
/// Filter: one byte per thread-group id, 1 when traced, in groups of
/// [`TRACED_GROUP`] (an array lookup is inlined by the verifier; a hash lookup
/// on every syscall of every process costs more than the rest of the filter).
pub const TRACED_MAP: &str = "TRACED";
/// What to copy per syscall number (array of [`SyscallSpec`]).
pub const SPECS_MAP: &str = "SPECS";
pub const SELECTED_MAP: &str = "SELECTED";
/// The user stacks of calls (`record --stack=fp`), by id.
pub const STACKS_MAP: &str = "STACKS";
/// Distinct user stacks the stack table holds at most.
pub const MAX_STACKS: u32 = 16 << 10;
/// Program array of the capture programs, indexed by [`how`].
pub const CAPTURE_MAP: &str = "CAPTURE";
/// Per-thread [`LostCount`]: records the ring buffer had no room for.
pub const LOST_MAP: &str = "LOST";
/// Per thread switched out in a syscall, what the call's exit needs.
pub const PENDING_MAP: &str = "PENDING";

/// Globals the loader sets before loading (`EbpfLoader::set_global`).
pub mod globals {
    /// Most bytes copied per user buffer (1..=[`super::MAX_SNAPLEN`]).
    pub const SNAPLEN: &str = "SNAPLEN";
    /// Trace every process but `SELF_TGID` (1) or only those in `TRACED` (0).
    pub const TRACE_ALL: &str = "TRACE_ALL";
    /// systrace's own tgid, never traced.
    pub const SELF_TGID: &str = "SELF_TGID";
    /// Record only the calls `SELECTED_MAP` holds (1), or every call (0).
    pub const SELECTING: &str = "SELECTING";
    /// Each call's user stack: one of [`super::stack_mode`].
    pub const STACK_MODE: &str = "STACK_MODE";
    /// `--stack=dwarf`: bytes of user stack copied per call, at most
    /// [`super::MAX_STACK_BYTES`].
    pub const STACK_BYTES: &str = "STACK_BYTES";
    /// `--stack`: `mm_struct.exe_file` and `mm_struct.saved_auxv`, where an
    /// exec's program and load addresses are.
    pub const IMAGE_OFFSETS: &str = "IMAGE_OFFSETS";
    /// Offsets in `struct task_struct`, read from the kernel's BTF.
    pub const TASK_PID: &str = "TASK_PID_OFFSET";
    pub const TASK_TGID: &str = "TASK_TGID_OFFSET";
    pub const TASK_EXIT_CODE: &str = "TASK_EXIT_CODE_OFFSET";
    pub const TASK_MM: &str = "TASK_MM_OFFSET";
    /// Offsets of `arg_start` and `arg_end` in `struct mm_struct`.
    pub const MM_ARG_START: &str = "MM_ARG_START_OFFSET";
    pub const MM_ARG_END: &str = "MM_ARG_END_OFFSET";
    /// Offsets of `env_start` and `env_end` in `struct mm_struct`.
    pub const MM_ENV_START: &str = "MM_ENV_START_OFFSET";
    pub const MM_ENV_END: &str = "MM_ENV_END_OFFSET";
    /// Offset of `filename` in `struct linux_binprm`.
    pub const BPRM_FILENAME: &str = "BPRM_FILENAME_OFFSET";
    /// The path from a task to the inode behind one of its descriptors:
    /// task_struct.files, files_struct.fdt, fdtable.max_fds and .fd,
    /// file.f_inode, inode.i_ino.
    pub const TASK_FILES: &str = "TASK_FILES_OFFSET";
    pub const FILES_FDT: &str = "FILES_FDT_OFFSET";
    pub const FDT_MAX_FDS: &str = "FDT_MAX_FDS_OFFSET";
    pub const FDT_FD: &str = "FDT_FD_OFFSET";
    pub const FILE_INODE: &str = "FILE_INODE_OFFSET";
    pub const INODE_INO: &str = "INODE_INO_OFFSET";
    /// Where a fatal signal turned into SIGKILL keeps its siginfo:
    /// task_struct.signal and .pending, signal_struct.shared_pending and
    /// .group_exit_code, sigqueue.info.
    pub const TASK_SIGNAL: &str = "TASK_SIGNAL_OFFSET";
    pub const TASK_PENDING: &str = "TASK_PENDING_OFFSET";
    /// `sigpending.signal`: the task's pending set, for a SIGKILL waiting
    /// at a call's exit.
    pub const SIGPENDING_SIGNAL: &str = "SIGPENDING_SIGNAL_OFFSET";
    pub const SIGNAL_SHARED_PENDING: &str = "SIGNAL_SHARED_PENDING_OFFSET";
    pub const SIGNAL_GROUP_EXIT_CODE: &str = "SIGNAL_GROUP_EXIT_CODE_OFFSET";
    pub const SIGQUEUE_INFO: &str = "SIGQUEUE_INFO_OFFSET";
    /// Where a task's `thread_info.status` is, from the task (x86_64: its
    /// TS_COMPAT bit marks a 32-bit call); 0 where there is none.
    pub const TASK_COMPAT_STATUS: &str = "TASK_COMPAT_STATUS_OFFSET";
    /// Wake the reader once this many bytes wait in the ring buffer.
    pub const WAKEUP_BYTES: &str = "WAKEUP_BYTES";
    /// What naming a path takes, as [`super::PathOffsets`].
    pub const PATH_OFFSETS: &str = "PATH_OFFSETS";
    /// `record --comm`'s names, as [`super::CommNames`].
    pub const COMMS: &str = "COMMS";
    /// `record --cgroup`'s cgroups, as [`super::CgroupChoice`].
    pub const CGROUPS: &str = "CGROUPS";
    /// What naming another task's cgroup takes, as [`super::CgroupOffsets`].
    pub const CGROUP_OFFSETS: &str = "CGROUP_OFFSETS";
    /// `task_struct.thread_pid`, `pid.level`, `pid.numbers`: a task's id in
    /// its own pid namespace.
    pub const NS_OFFSETS: &str = "NS_OFFSETS";
    /// What naming a socket's ends takes, as [`super::SockOffsets`].
    pub const SOCK_OFFSETS: &str = "SOCK_OFFSETS";
}

/// Ring buffer size in bytes as compiled (a power of two, multiple of the page
/// size); the loader sets the size `record --buffer-size` asks for.
pub const EVENTS_BYTES: u32 = 64 << 20;
/// Thread-group ids per `TRACED` entry.
pub const TRACED_GROUP: usize = 64;
/// One `TRACED` entry of [`TRACED_GROUP`] flags.
pub type TracedGroup = [u8; TRACED_GROUP];
/// `TRACED` entries as compiled: enough for the kernel's largest pid_max
/// (PID_MAX_LIMIT, 4M). The loader sizes the map to the running pid_max.
pub const MAX_TRACED_GROUPS: u32 = (1 << 22) / TRACED_GROUP as u32;
/// Threads whose losses the `LOST` map can count at once (the recorder
/// removes a thread's entry once it has ended).
pub const MAX_LOSING: u32 = 1 << 14;
/// Threads switched out in a syscall whose arguments are kept for its exit,
/// as compiled (for `record -a`); the loader sizes the map to
/// [`MAX_PENDING_TARGETED`] when it traces chosen processes (preallocating
/// 64K entries took 5 ms of start-up). A full map costs only the exit
/// captures of the calls that did not fit.
pub const MAX_PENDING: u32 = 1 << 16;
/// [`MAX_PENDING`] when tracing a program or `-p` processes.
pub const MAX_PENDING_TARGETED: u32 = 1 << 13;
/// Places in the SPECS map: one per [`call_index`] of both ABIs.
pub const MAX_SYSCALLS: u32 = abi::CALL_INDEXES;
pub use abi::MAX_SNAPLEN;
/// Capture rules per syscall.
pub const MAX_RULES: usize = 8;
/// argv strings copied per execve (one more marks "more follow").
pub const MAX_ARGV: u32 = 16;
/// argv strings copied per run of the copying program (it runs up to
/// MAX_ARGV / ARGV_PER_STEP times for one call).
pub const ARGV_PER_STEP: u32 = 4;
/// envp pointers counted per execve.
pub const MAX_ENVP: u32 = 256;
/// Directory entries counted per getdents64 (a 32 KiB buffer holds at most 1365).
pub const MAX_DIRENTS: u32 = 2048;
/// iovecs copied per readv/writev.
pub const MAX_IOVECS: u32 = 4;
/// Per-CPU scratch a syscall record is assembled in.
pub const SCRATCH_BYTES: usize = 4096;
/// Bytes of `filename` kept in an exec record.
pub const EXEC_FILENAME_BYTES: usize = 256;
/// Bytes of the new program's argv (NUL-separated strings) kept in an exec record.
pub const EXEC_ARGS_BYTES: usize = 1024;
/// Bytes of the new program's environment kept in an exec record (`show -v`).
pub const EXEC_ENV_BYTES: usize = 4096;
pub use abi::SIGINFO_BYTES;

pub use abi::{COMPAT_NR_BASE, EventKind, call_at, call_index};

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

/// raw_syscalls/sys_enter, followed by `captures` captures.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SysEnter {
    pub header: Header,
    pub nr: i64,
    pub args: [u64; 6],
    pub captures: u32,
    /// [`ENTER_UNSEEN`] or 0.
    pub flags: u32,
}

/// A [`SysEnter`] flag: the call's enter never ran (seccomp rejected the
/// call before it, or the call began before recording did); the record was
/// made at its exit, from the registers, which still hold its arguments.
pub const ENTER_UNSEEN: u32 = 1;

/// raw_syscalls/sys_exit, followed by `captures` captures.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SysExit {
    pub header: Header,
    pub nr: i64,
    pub ret: i64,
    pub captures: u32,
    /// [`EXIT_KILLED`] or 0.
    pub flags: u32,
}

/// A [`SysExit`] flag: a SIGKILL waited for the thread as its call
/// returned (a kill, another thread's exit_group, a core dump), so it ends
/// before reaching user space: a tracer stopping it there (strace) never
/// sees the call return. Not set for a fatal signal the kernel turned into
/// SIGKILL (see `fatal_signal_turned_kill`), which a tracer does see.
pub const EXIT_KILLED: u32 = 1;

/// One copied user buffer: this header, then `len` bytes, padded to 8.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureHeader {
    pub arg: u8,
    /// 0 complete, 1 partial (cut at the snapshot length), 2 fault.
    pub status: u8,
    pub _pad: u16,
    pub len: u32,
}

/// Capture status values, as in `format::CaptureStatus`.
/// [`abi::CaptureStatus`] as the programs write it.
pub mod status {
    use abi::CaptureStatus;
    pub const COMPLETE: u8 = CaptureStatus::Complete as u8;
    pub const PARTIAL: u8 = CaptureStatus::Partial as u8;
    pub const FAULT: u8 = CaptureStatus::Fault as u8;
}

/// sched_process_fork: a new task.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Fork {
    pub header: Header,
    pub child_tid: u32,
    pub child_tgid: u32,
}

/// sched_process_fork, for a child in a pid namespace of its own: its id
/// there (the header names the child).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NsTid {
    pub header: Header,
    pub ns_tid: u32,
    pub _pad: u32,
}

/// sched_process_exec: a successful exec.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Exec {
    pub header: Header,
    pub old_tid: u32,
    /// Bytes of `args` that hold the argv strings (each NUL-terminated).
    pub args_len: u32,
    /// Whether argv was longer than `args`.
    pub args_cut: u32,
    /// Bytes of `env` that hold the environment strings, and whether the
    /// environment was longer.
    pub env_len: u32,
    pub env_cut: u32,
    pub _pad: u32,
    pub comm: [u8; 16],
    /// NUL-terminated.
    pub filename: [u8; EXEC_FILENAME_BYTES],
    /// argv, read from the new program's memory, where the kernel just put it.
    pub args: [u8; EXEC_ARGS_BYTES],
    /// The environment, from there too.
    pub env: [u8; EXEC_ENV_BYTES],
}

/// sched_process_exit: `exit_code` is wait(2)-encoded.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskExit {
    pub header: Header,
    pub exit_code: i32,
    pub group_dead: u32,
}

/// signal_deliver.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Signal {
    pub header: Header,
    pub signo: i32,
    pub errno: i32,
    pub code: i32,
    /// Bytes of `info` that hold a copied `siginfo` (0 when there was none).
    pub info_len: u32,
    pub sa_handler: u64,
    pub sa_flags: u64,
    pub info: [u8; SIGINFO_BYTES],
    /// Where the task's user code stood when the signal came (0: unknown,
    /// as for a signal ignored, recorded where it was sent).
    pub ip: u64,
}

/// Records dropped on this CPU (the header's tid: whose, or 0 if several).
/// Records lost by one thread since recording began (never reset: the
/// recorder reports what grew since it last looked).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LostCount {
    pub count: u64,
    /// When the latest of them was lost (where the gap ends).
    pub last_ts: u64,
    pub tgid: u32,
    /// The CPU of the latest loss.
    pub cpu: u32,
}

/// How one argument is copied (from `analyze`'s capture rules).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureSpec {
    pub arg: u8,
    /// Bit set of [`at::ENTER`] and [`at::EXIT`].
    pub at: u8,
    /// One of [`how`].
    pub how: u8,
    /// One of [`size`].
    pub size_kind: u8,
    /// The argument holding the size, for [`size::ARG`] and [`size::ARG_TIMES`].
    pub size_arg: u8,
    /// Which part of the buffer the rule copies: from `part` *
    /// [`MAX_SNAPLEN`] bytes in (a struct larger than a snapshot is copied
    /// by one rule per part).
    pub part: u8,
    /// Fixed size, or the element size for [`size::ARG_TIMES`].
    pub size: u16,
}

/// When to copy.
pub mod at {
    pub const ENTER: u8 = abi::At::Enter as u8;
    pub const EXIT: u8 = abi::At::Exit as u8;
}

/// How to copy: [`abi::CaptureKind`] as the programs match it.
pub mod how {
    use abi::CaptureKind;
    pub const STR: u8 = CaptureKind::Str as u8;
    pub const BYTES: u8 = CaptureKind::Bytes as u8;
    pub const STR_ARRAY: u8 = CaptureKind::StrArray as u8;
    pub const COUNT_PTRS: u8 = CaptureKind::CountPtrs as u8;
    pub const IOVECS: u8 = CaptureKind::Iovecs as u8;
    pub const COUNT_DIRENTS: u8 = CaptureKind::CountDirents as u8;
    pub const FD_INODES: u8 = CaptureKind::FdInodes as u8;
    pub const FD_PATH: u8 = CaptureKind::FdPath as u8;
    pub const CWD: u8 = CaptureKind::Cwd as u8;
    pub const SOCKET: u8 = CaptureKind::Socket as u8;
    pub const MSGHDR: u8 = CaptureKind::Msghdr as u8;
    pub const NETLINK_SOCKET: u8 = CaptureKind::NetlinkSocket as u8;
    pub const IOVECS32: u8 = CaptureKind::Iovecs32 as u8;
    pub const MAPPED_FILE: u8 = CaptureKind::MappedFile as u8;
    pub const EXEC_IMAGE: u8 = CaptureKind::ExecImage as u8;
}

/// What `record --stack` takes at each call's enter.
pub mod stack_mode {
    pub const OFF: u32 = 0;
    /// The kernel's walk by frame pointers, into the stack table.
    pub const FP: u32 = 1;
    /// Registers and the top of the stack ([`super::UserStack`]), which
    /// the recorder unwinds with the programs' DWARF call frame info.
    pub const DWARF: u32 = 2;
}

/// Most bytes of user stack `--stack=dwarf` copies per call (a per-CPU
/// map value, which the kernel keeps under 32 KiB).
pub const MAX_STACK_BYTES: u32 = 16 << 10;

/// `--stack=dwarf`: a call's user registers and the top of its stack,
/// from the stack pointer up, at its enter: this, then `len` bytes. Its
/// header is the enter's own (same task and time), by which the recorder
/// finds the call.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct UserStack {
    pub header: Header,
    pub ip: u64,
    pub sp: u64,
    /// The frame pointer (x86_64's rbp, aarch64's x29).
    pub fp: u64,
    /// aarch64's link register (x30); 0 on x86_64.
    pub lr: u64,
    pub len: u32,
    pub _pad: u32,
}

pub use abi::{
    ARG_AUXV, ARG_CWD, ARG_EXE, ARG_FD_DEVICE, ARG_FD_INODES, ARG_FD_PATH, ARG_IP, ARG_MAPPED,
    ARG_SOCKET, ARG_STACK, STACK_IP_ONLY, socket_record,
};

/// The member offsets a path is named by, walking from a file or a
/// working directory up through dentries and mounts (read from the
/// kernel's BTF), at their [`path_at`] places.
pub type PathOffsets = [u32; path_at::COUNT];

/// Command names `record --comm` chooses at most.
pub const MAX_COMMS: usize = 8;
/// `record --comm`'s names, each as the kernel keeps a task's `comm` (16
/// bytes, NUL-padded) in two words; unused ones zero.
pub type CommNames = [u64; 2 * MAX_COMMS];
/// Where a task's cgroup is, by [`cgroup_at`]: for a task other than the
/// current one (a signal's target), whose cgroup no helper tells.
pub type CgroupOffsets = [u32; cgroup_at::COUNT];

/// The places of [`CgroupOffsets`].
pub mod cgroup_at {
    /// `task_struct.cgroups` (a `css_set`).
    pub const TASK_CGROUPS: usize = 0;
    /// `css_set.dfl_cgrp`: its cgroup in the v2 hierarchy.
    pub const DFL_CGRP: usize = 1;
    pub const LEVEL: usize = 2;
    /// `cgroup.ancestors`: by level, up to its own.
    pub const ANCESTORS: usize = 3;
    pub const KN: usize = 4;
    /// `kernfs_node.id`: the cgroup's id.
    pub const KN_ID: usize = 5;
    pub const COUNT: usize = 6;
}

/// Cgroups `record --cgroup` chooses at most.
pub const MAX_CGROUPS: usize = 8;
/// `record --cgroup`'s cgroups: (id, level) pairs, a task being chosen when
/// its ancestor at that level of the cgroup v2 hierarchy has that id (it is
/// in the cgroup or below it); unused ones zero.
pub type CgroupChoice = [u64; 2 * MAX_CGROUPS];

/// Places in [`PathOffsets`].
pub mod path_at {
    /// `file.f_path`, `struct path`'s `mnt` and `dentry`.
    pub const FILE_PATH: usize = 0;
    pub const PATH_MNT: usize = 1;
    pub const PATH_DENTRY: usize = 2;
    /// `dentry.d_parent`, and the name: `d_name` plus `qstr.name`.
    pub const DENTRY_PARENT: usize = 3;
    pub const DENTRY_NAME: usize = 4;
    /// `vfsmount.mnt_root`; `mount.mnt` (the vfsmount inside it),
    /// `mount.mnt_parent` and `mount.mnt_mountpoint`.
    pub const VFSMOUNT_ROOT: usize = 5;
    pub const MOUNT_MNT: usize = 6;
    pub const MOUNT_PARENT: usize = 7;
    pub const MOUNT_MOUNTPOINT: usize = 8;
    /// `task_struct.fs`, `fs_struct.pwd` and `fs_struct.root`.
    pub const TASK_FS: usize = 9;
    pub const FS_PWD: usize = 10;
    pub const FS_ROOT: usize = 11;
    /// `inode.i_mode` and `inode.i_rdev`: a device file's kind and number.
    pub const INODE_MODE: usize = 12;
    pub const INODE_RDEV: usize = 13;
    pub const COUNT: usize = 14;
}

/// The offsets a socket's ends are read through (see `sock_at`), each
/// [`NO_OFFSET`] where this kernel has no such member (IPv6 or unix sockets
/// built as modules).
pub type SockOffsets = [u32; sock_at::COUNT];

/// A member the kernel's BTF does not have.
pub const NO_OFFSET: u32 = u32::MAX;

/// Places in [`SockOffsets`].
pub mod sock_at {
    /// `file.private_data` (a socket's `struct socket`), `socket.sk`.
    pub const FILE_PRIVATE: usize = 0;
    pub const SOCKET_SK: usize = 1;
    /// `struct sock_common` (a `struct sock` starts with one): family,
    /// local and remote ports, IPv4 and IPv6 addresses.
    pub const FAMILY: usize = 2;
    pub const LOCAL_PORT: usize = 3;
    pub const REMOTE_PORT: usize = 4;
    pub const LOCAL_V4: usize = 5;
    pub const REMOTE_V4: usize = 6;
    pub const LOCAL_V6: usize = 7;
    pub const REMOTE_V6: usize = 8;
    /// `sock.sk_type`, `sock.sk_protocol`, `sock.sk_socket`.
    pub const TYPE: usize = 9;
    pub const PROTOCOL: usize = 10;
    pub const SOCK_SOCKET: usize = 11;
    /// `socket_alloc.vfs_inode` (a socket's inode follows it) plus `inode.i_ino`.
    pub const SOCKET_INO: usize = 12;
    /// `unix_sock.peer` and `.addr`; `unix_address.len` and `.name`.
    pub const UNIX_PEER: usize = 13;
    pub const UNIX_ADDR: usize = 14;
    pub const UNIX_ADDR_LEN: usize = 15;
    pub const UNIX_ADDR_NAME: usize = 16;
    /// `netlink_sock.portid`.
    pub const NETLINK_PORTID: usize = 17;
    /// `sock.sk_ino`: the inode number a socket keeps once its file is
    /// gone (6.17 and later).
    pub const SOCK_INO: usize = 18;
    pub const COUNT: usize = 19;
}

/// Where the size comes from.
pub mod size {
    use abi::SizeKind;
    pub const FIXED: u8 = SizeKind::Fixed as u8;
    pub const ARG: u8 = SizeKind::Arg as u8;
    pub const RET: u8 = SizeKind::Ret as u8;
    pub const ARG_TIMES: u8 = SizeKind::ArgTimes as u8;
    pub const FD_SET: u8 = SizeKind::FdSet as u8;
}

/// What to copy for one syscall number.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallSpec {
    pub rules: u16,
    /// The exit rules that also run when the call failed (an interrupted
    /// sleep writes the time left).
    pub failed_exit_rules: u16,
    /// Bit sets of the rules that copy at enter and at exit (rule `i` is bit
    /// `i`), worked out by the loader so that the programs need not. (u16,
    /// not u8: from a u8 the compiler knows a rule's index is below 8 and
    /// drops the mask that shows the verifier so.)
    pub enter_rules: u16,
    pub exit_rules: u16,
    pub rule: [CaptureSpec; MAX_RULES],
}

const _: () = assert!(core::mem::size_of::<Header>() == 24);
const _: () = assert!(core::mem::size_of::<SysEnter>() == 24 + 8 + 48 + 8);
const _: () = assert!(core::mem::size_of::<SysExit>() == 24 + 24);
const _: () = assert!(core::mem::size_of::<CaptureHeader>() == 8);
const _: () = assert!(core::mem::size_of::<Fork>() == 32);
const _: () = assert!(core::mem::size_of::<NsTid>() == 32);
const _: () = assert!(
    core::mem::size_of::<Exec>()
        == 24 + 24 + 16 + EXEC_FILENAME_BYTES + EXEC_ARGS_BYTES + EXEC_ENV_BYTES
);
const _: () = assert!(core::mem::size_of::<TaskExit>() == 32);
const _: () = assert!(core::mem::size_of::<Signal>() == 24 + 16 + 16 + SIGINFO_BYTES + 8);
const _: () = assert!(core::mem::size_of::<LostCount>() == 24);
const _: () = assert!(core::mem::size_of::<CaptureSpec>() == 8);
const _: () = assert!(core::mem::size_of::<SyscallSpec>() == 8 + 8 * MAX_RULES);

#[cfg(feature = "user")]
mod pod {
    // SAFETY: plain `#[repr(C)]` integers and byte arrays with explicit
    // padding: any bit pattern is valid, so the recorder may read them out of
    // any bytes of the right length (and the loader write them into maps).
    unsafe impl aya::Pod for super::SyscallSpec {}
    unsafe impl aya::Pod for super::LostCount {}
    unsafe impl aya::Pod for super::Header {}
    unsafe impl aya::Pod for super::SysEnter {}
    unsafe impl aya::Pod for super::SysExit {}
    unsafe impl aya::Pod for super::UserStack {}
    unsafe impl aya::Pod for super::CaptureHeader {}
    unsafe impl aya::Pod for super::Fork {}
    unsafe impl aya::Pod for super::NsTid {}
    unsafe impl aya::Pod for super::Exec {}
    unsafe impl aya::Pod for super::TaskExit {}
    unsafe impl aya::Pod for super::Signal {}
}
