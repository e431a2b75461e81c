//! The vocabulary every part of systrace shares, defined once: the eBPF
//! programs copy user memory by these kinds and sizes and mark each copy
//! with its status; the recorder passes them on; the file format stores the
//! status; the syscall table (in `analyze`) says, per argument, which kind of
//! copy it needs, and the loader hands that to the kernel as these numbers.
//!
//! `no_std` and without dependencies, so the eBPF programs can use it.
#![no_std]

/// What an event is: the first field of every kernel record, and the tag
/// of each event in a trace file's `kinds` column (the values are in files:
/// they never change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum EventKind {
    SysEnter = 1,
    SysExit = 2,
    Fork = 3,
    Exec = 4,
    TaskExit = 5,
    Signal = 6,
    /// Events the ring buffer had no room for (written by the recorder,
    /// never by the kernel).
    Lost = 7,
    /// The file format's tag of an exec that carries its environment
    /// (format version 3; the kernel writes `Exec` records).
    ExecEnv = 8,
    /// The files a process had open, and its working directory, when
    /// recording began (format version 4; written by the recorder).
    Files = 9,
    /// A task's id in its own pid namespace, where that is not the
    /// machine's (format version 5): written by the kernel at the task's
    /// fork, by the recorder for a task it finds running.
    NsTid = 10,
    /// A user stack (`record --stack=fp`): its id and frames, written by the
    /// recorder once, before the first call that has it (format version 5).
    Stack = 11,
    /// A process's file mappings, read from /proc/PID/maps by the recorder
    /// at its first stack after an exec (format version 5).
    Mappings = 12,
    /// The registers and top of the user stack at a call's enter
    /// (`record --stack=dwarf`): written by the kernel, unwound by the
    /// recorder into a `Stack`, never in a file.
    UserStack = 13,
}

impl TryFrom<u8> for EventKind {
    type Error = u8;
    fn try_from(value: u8) -> Result<Self, u8> {
        Ok(match value {
            1 => Self::SysEnter,
            2 => Self::SysExit,
            3 => Self::Fork,
            4 => Self::Exec,
            5 => Self::TaskExit,
            6 => Self::Signal,
            7 => Self::Lost,
            8 => Self::ExecEnv,
            9 => Self::Files,
            10 => Self::NsTid,
            11 => Self::Stack,
            12 => Self::Mappings,
            13 => Self::UserStack,
            other => return Err(other),
        })
    }
}

/// How much of a user buffer the recorder could copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CaptureStatus {
    /// The whole buffer was copied.
    Complete = 0,
    /// The buffer was longer than the snapshot length: the data is its start.
    Partial = 1,
    /// Reading user memory failed: no data, and strace would print the address.
    Fault = 2,
}

impl TryFrom<u8> for CaptureStatus {
    type Error = u8;
    fn try_from(value: u8) -> Result<Self, u8> {
        match value {
            0 => Ok(Self::Complete),
            1 => Ok(Self::Partial),
            2 => Ok(Self::Fault),
            other => Err(other),
        }
    }
}

/// The ways the kernel side copies user memory (and the index of each
/// capture program in the tail-call map).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CaptureKind {
    /// A NUL-terminated string.
    Str = 1,
    /// `size` bytes.
    Bytes = 2,
    /// An array of string pointers (argv), each string copied.
    StrArray = 3,
    /// An array of pointers, of which only the count is kept (envp).
    CountPtrs = 4,
    /// An iovec array (`size` = element count), then the data of the first iovecs.
    Iovecs = 5,
    /// Directory records (`size` bytes of them), of which only the count is kept.
    CountDirents = 6,
    /// The inode numbers behind the descriptors a call returned (a socket's or
    /// a pipe's, as `strace -y` names them), recorded under [`ARG_FD_INODES`]:
    /// its result (when the rule's argument is ARG_FD_INODES) or the int pair
    /// its argument points at.
    FdInodes = 7,
    /// The path the kernel knows for the file a call's returned descriptor
    /// refers to (mounts crossed, symlinks resolved: strace's `-y`), under
    /// [`ARG_FD_PATH`]; copied by the `FdInodes` program.
    FdPath = 8,
    /// The task's working directory after the call (chdir, fchdir), as the
    /// kernel knows it, under [`ARG_CWD`]; copied by the `FdInodes` program.
    Cwd = 9,
    /// A socket's ends as the kernel has them after the call (strace's
    /// `-yy`), under [`ARG_SOCKET`], laid out as [`socket_record`] says: the
    /// socket the call returned (when the rule's argument is ARG_SOCKET) or
    /// the descriptor in its argument. Copied by the `FdInodes` program.
    Socket = 10,
    /// A `struct msghdr` (sendmsg, recvmsg) and what it points at, in
    /// order: the header (56 bytes), the name (`msg_namelen` bytes), the
    /// control data (`msg_controllen`), the iovec array, then the data of
    /// the first iovecs as [`CaptureKind::Iovecs`] copies them (at exit: up
    /// to what the call moved). A rule at both enter and exit copies only
    /// the header at enter (what the kernel then rewrites). Copied by the
    /// `Iovecs` program.
    Msghdr = 11,
    /// A [`CaptureKind::Socket`] record of the descriptor in the rule's
    /// argument only when it is a netlink socket, whose protocol says how
    /// its messages decode (sendto, recvfrom, sendmsg, recvmsg: hot calls,
    /// which other sockets should not slow). Copied by the `FdInodes` program.
    NetlinkSocket = 12,
    /// [`CaptureKind::Iovecs`] of i386's 8-byte iovecs (32-bit base and
    /// length). Copied by the `Iovecs` program.
    Iovecs32 = 13,
    /// `record --stack`: the path of the file an mmap mapped executable
    /// (its descriptor's, as the kernel names it), under [`ARG_MAPPED`], so
    /// that frames in it can be named later. Copied by the `FdInodes` program.
    MappedFile = 14,
    /// `record --stack`: after a successful exec, the program's path (the
    /// kernel's `mm->exe_file`) under [`ARG_EXE`], and where the program and
    /// its interpreter were loaded under [`ARG_AUXV`]. Copied by the
    /// `FdInodes` program.
    ExecImage = 15,
}

impl CaptureKind {
    /// Whether only `record --stack` needs this copy: what names frames.
    pub const fn for_stacks(self) -> bool {
        matches!(self, Self::MappedFile | Self::ExecImage)
    }
}

/// Largest snapshot of one user buffer; a struct larger than this is
/// copied in parts of this size (see `CaptureSpec::part`).
pub const MAX_SNAPLEN: u32 = 200;

/// The pseudo argument index of [`CaptureKind::Socket`] captures.
pub const ARG_SOCKET: u8 = 10;

/// The pseudo argument index under which a [`CaptureKind::FdPath`] capture
/// of a device file is followed by its kind and number (8 bytes: the
/// inode's `i_mode` in the high half, its `i_rdev`, `major << 20 | minor`,
/// in the low), as strace's `decode-fds=dev` shows them.
pub const ARG_FD_DEVICE: u8 = 11;

/// Where each field is in a [`CaptureKind::Socket`] capture. Ports and
/// addresses are as `struct sock_common` holds them: the local port in the
/// host's byte order, the remote one and the addresses in the network's (an
/// IPv4 address in the first 4 of its 16 bytes). A unix socket's bound path
/// (`sun_path`, as long as the address says) follows the fixed part.
pub mod socket_record {
    pub const FAMILY: usize = 0;
    pub const TYPE: usize = 2;
    pub const PROTOCOL: usize = 4;
    pub const LOCAL_PORT: usize = 6;
    pub const REMOTE_PORT: usize = 8;
    pub const NETLINK_PORTID: usize = 12;
    pub const INODE: usize = 16;
    /// A unix socket's peer's inode (0: none).
    pub const PEER_INODE: usize = 24;
    pub const LOCAL_ADDR: usize = 32;
    pub const REMOTE_ADDR: usize = 48;
    pub const UNIX_PATH: usize = 64;
    /// The longest `sun_path`.
    pub const UNIX_PATH_MAX: usize = 108;
}

/// The pseudo argument index of [`CaptureKind::FdInodes`] captures.
pub const ARG_FD_INODES: u8 = 6;

/// The pseudo argument indexes of [`CaptureKind::FdPath`] and
/// [`CaptureKind::Cwd`] captures. Their data: the path's components from
/// the last up, each NUL-terminated (`libc.so.6\0lib\0usr\0` is
/// `/usr/lib/libc.so.6`), cut where the snapshot length ends (partial).
pub const ARG_FD_PATH: u8 = 8;
pub const ARG_CWD: u8 = 9;

/// The pseudo argument index of an empty capture on the exit of a call its
/// thread never returned to user space from: a SIGKILL waited for it (a
/// kill, another thread's exit_group, a core dump). strace, stopping the
/// thread there, never sees such a call return and ends it with `= ?`.
/// The recorder puts it first among the exit's captures.
pub const ARG_KILLED: u8 = 12;

/// The pseudo argument index under which an enter carries the id of its
/// user stack (8 bytes): with `record --stack=fp`, the id the kernel's
/// stack table gave it; with `--stack=dwarf`, the id the recorder gave the
/// stack it unwound. The recorder writes each stack once, in a `Stack`
/// event before the first call that has it.
pub const ARG_STACK: u8 = 13;

/// An [`ARG_STACK`] value of `--stack=fp` that is no id: the frame pointer
/// at the call pointed nowhere in its stack (code built without frame
/// pointers keeps anything in it), so the stack is the call's instruction
/// pointer alone (`ARG_IP`), as the kernel's walk would have found at a
/// higher cost; the recorder gives it an id.
pub const STACK_IP_ONLY: u64 = u64::MAX;

/// The pseudo argument index of a [`CaptureKind::MappedFile`] capture: a
/// path, laid out as [`ARG_FD_PATH`]'s.
pub const ARG_MAPPED: u8 = 14;

/// The pseudo argument index of the program's path in a
/// [`CaptureKind::ExecImage`] capture, laid out as [`ARG_FD_PATH`]'s.
pub const ARG_EXE: u8 = 15;

/// The pseudo argument index under which a [`CaptureKind::ExecImage`]
/// capture carries the new program's auxiliary vector entries `AT_ENTRY`
/// (its entry point, as loaded) and `AT_BASE` (its interpreter's load
/// address, 0 without one): two u64s.
pub const ARG_AUXV: u8 = 16;

/// The pseudo argument index under which every enter carries the user
/// instruction pointer of its call (8 bytes, as strace's `-i` shows it).
pub const ARG_IP: u8 = 7;

/// When an argument's memory is copied (as bits: `Both` is both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum At {
    /// Input: copied at enter.
    Enter = 1,
    /// Output: copied at exit, and only when the call succeeded.
    Exit = 2,
    /// Both (e.g. poll's fds: events at enter, revents at exit).
    Both = 3,
}

/// Where a copy's size comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SizeKind {
    /// A fixed number of bytes.
    Fixed = 1,
    /// The value of an argument.
    Arg = 2,
    /// The call's return value.
    Ret = 3,
    /// The value of an argument times a fixed element size.
    ArgTimes = 4,
    /// An `fd_set` of as many bits as an argument says, in whole longs (as
    /// the kernel reads it).
    FdSet = 5,
}

/// Where calls made through a second, 32-bit ABI are numbered: an x86_64
/// task's `int $0x80` calls are i386 calls, stored as this plus their i386
/// number, above any number the native ABI can pass (the kernel reads it
/// as an int). So one number names a call everywhere: in the kernel's
/// capture specs, in traces and in views.
pub const COMPAT_NR_BASE: i64 = 1 << 32;

/// Every call number of either ABI that names a syscall is below this.
pub const NR_LIMIT: i64 = 512;

/// How many places [`call_index`] gives.
pub const CALL_INDEXES: u32 = 2 * NR_LIMIT as u32;

/// A dense index for call number `nr`, for tables by number (the kernel's
/// capture specs, the views' name caches): native calls first, then
/// 32-bit ones. `None` for numbers no syscall has.
pub const fn call_index(nr: i64) -> Option<u32> {
    if nr >= 0 && nr < NR_LIMIT {
        Some(nr as u32)
    } else if nr >= COMPAT_NR_BASE && nr < COMPAT_NR_BASE + NR_LIMIT {
        Some((nr - COMPAT_NR_BASE + NR_LIMIT) as u32)
    } else {
        None
    }
}

/// The call number at [`call_index`] `index`.
pub const fn call_at(index: u32) -> i64 {
    let index = index as i64;
    if index < NR_LIMIT {
        index
    } else {
        index - NR_LIMIT + COMPAT_NR_BASE
    }
}

/// Bytes of a `siginfo` kept with a signal (all its fields strace prints).
pub const SIGINFO_BYTES: usize = 48;
