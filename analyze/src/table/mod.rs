//! The syscall table: for every syscall, its arguments, what `record` copies
//! from user memory for each, and how `show` decodes it. One table is the source
//! of truth for both: `capture` turns [`Syscall::captures`] into the BPF map that
//! tells the kernel side what to copy, and the printers read the same [`Arg`]s.
//!
//! Entries are keyed by name, so one table serves every architecture; numbers
//! come from the `syscalls` crate ([`crate::syscalls::name`]).

pub mod classes;
mod entries;

pub use entries::TABLE;

/// One syscall.
#[derive(Clone, Copy, Debug)]
pub struct Syscall {
    pub name: &'static str,
    pub args: &'static [Arg],
    pub ret: Ret,
    /// Moves data through the descriptor in argument 0, as many bytes as it
    /// returns (read, write, sendto, ...). strace's classes (`%file`, ...) are
    /// kept apart, for every syscall, in [`classes`].
    pub moves_data: bool,
    /// What the call does to its process's descriptors when it succeeds.
    pub fds: FdEffect,
    /// Who prints its arguments and result, when its `args` alone cannot.
    pub decoder: Decoder,
}

/// A call whose arguments or result need more than its [`Arg`]s say: the
/// decoder that owns them (as strace's `SYS_FUNC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// The arguments as the entry lists them.
    Generic,
    /// clone's named arguments, in strace's order.
    Clone,
    /// clone3's `struct clone_args`, and what the kernel wrote through it.
    Clone3,
    /// futex: the arguments its operation uses.
    Futex,
    /// fcntl: the argument and the result its command has.
    Fcntl,
    /// ioctl: no argument for FIOCLEX and FIONCLEX.
    Ioctl,
    /// poll, ppoll: what the kernel wrote back, after the result.
    Poll,
    /// select, pselect6: the descriptors found ready, after the result.
    Select,
    /// mremap: the new address only with MREMAP_FIXED.
    Mremap,
    /// nanosleep, clock_nanosleep: the time left only when interrupted.
    Sleep,
    /// prctl: the arguments its option uses.
    Prctl,
    /// setsockopt, getsockopt: the option named for its level.
    Sockopt,
    /// socket: the protocol named for the IP families.
    Socket,
    /// getrandom: its buffer always in hex.
    Getrandom,
    /// io_uring_register: the argument its operation takes.
    IoUringRegister,
    /// i386's _llseek: the offset's two halves printed as one number.
    Llseek,
    /// set_thread_area: the entry the kernel chose, after the result.
    ThreadArea,
}

/// What a successful call does to its process's descriptors: how `show -y`
/// and `stats --by file` follow them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdEffect {
    /// Nothing known (a descriptor it returns is forgotten: its number was
    /// reused for something unnamed).
    None,
    /// Opens its [`Arg::Path`] (relative to its [`Arg::DirFd`], if it has
    /// one) as the descriptor it returns, with its `Flags(Open)` argument.
    Opens,
    /// Opens its path as `open(O_CREAT|O_WRONLY|O_TRUNC)` would (creat).
    Creates,
    /// The descriptor it returns is a copy of argument 0.
    Dups,
    /// fcntl: F_DUPFD and F_DUPFD_CLOEXEC copy, F_SETFD sets close-on-exec.
    Fcntl,
    /// Closes argument 0.
    Closes,
    /// close_range: closes arguments 0 to 1, or marks them close-on-exec.
    ClosesRange,
    /// The descriptor it returns is a socket.
    Socket,
    /// Sets or reads the ends of its socket, argument 0 (bind, connect,
    /// listen, getsockname): `-yy` names them anew from there.
    SocketEnds,
    /// Removes the file at its path (unlink, unlinkat, rmdir): descriptors
    /// still open on it print `(deleted)`, as strace -y shows them.
    Removes,
    /// Renames its first path to its second (rename, renameat, renameat2):
    /// descriptors open on it, or under it, take the new name.
    Renames,
    /// Writes two new descriptors of this kind (`pipe`, `socket`) at its
    /// [`Shape::IntPair`] argument.
    Pair(&'static str),
    /// The descriptor it returns is a kernel object, named as /proc names it.
    Anon(&'static str),
}

/// Which way a [`Syscall::moves_data`] call moves data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Io {
    Read,
    Write,
}

/// One argument: how it is decoded, and (for pointers to user memory) what is
/// copied and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Signed decimal.
    Int,
    /// A process or thread id, in decimal (`-Y` adds its command name).
    Pid,
    /// Unsigned decimal.
    Uint,
    /// Hexadecimal (`0x...`).
    Hex,
    /// A file offset in 4096-byte pages (mmap2's), printed in bytes, in hex.
    Pages,
    /// Octal file mode (`0644`).
    Mode,
    /// A pointer printed as an address (or `NULL`).
    Ptr,
    /// A file descriptor.
    Fd,
    /// A directory fd where `AT_FDCWD` is allowed.
    DirFd,
    /// A signal number (`SIGTERM`).
    Signal,
    /// Flags or a constant from a named table.
    Flags(Flags),
    /// A NUL-terminated path, copied at enter.
    Path,
    /// A NUL-terminated string that is not a path, copied at enter.
    Str,
    /// execve's argv: each string copied at enter.
    Argv,
    /// execve's envp: only the count is kept (`/* 12 vars */`).
    Envp,
    /// Memory copied at enter, exit or both, `size` bytes of it (capped by the
    /// snapshot length), decoded as `shape`.
    Mem { at: At, size: Size, shape: Shape },
}

/// When a [`Arg::Mem`] argument's memory is copied.
pub use abi::At;

/// How many bytes a [`Arg::Mem`] argument points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Fixed(u16),
    /// The value of argument N.
    Arg(u8),
    /// The return value (bytes the call says are valid).
    Ret,
    /// The value of argument N times a fixed element size.
    ArgTimes(u8, u16),
    /// An `fd_set` of argument N bits, in whole longs.
    FdSet(u8),
}

/// What the bytes of a [`Arg::Mem`] argument are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Data, printed as an escaped string.
    Bytes,
    /// A NUL-terminated path the kernel wrote (getcwd), printed whole.
    OutPath,
    /// An array of `struct iovec`, followed by the data of the first ones.
    Iovecs,
    /// The same of i386's 8-byte iovecs.
    Iovecs32,
    Stat,
    Statx,
    Statfs,
    Timespec,
    Timeval,
    Itimerspec,
    /// Two timevals: interval and value.
    Itimerval,
    /// timer_create's `struct sigevent`.
    Sigevent,
    /// An array of uids or gids, as many as the count argument says (or,
    /// at exit, as the call returned).
    Ids,
    /// A CPU mask, printed as the numbers of the CPUs in it.
    Cpuset,
    /// sigaltstack's `stack_t`.
    Stack,
    /// mincore's vector: a byte per page of the length.
    PageVector,
    /// A set of descriptors (select's), as many bits as the first argument.
    FdSet,
    /// pselect6's sixth argument: the signal mask's address and size.
    PselectSigmask,
    /// A classic BPF program (`struct sock_fprog`): seccomp's filter.
    SockFprog,
    /// capget/capset's header: the version and the pid.
    CapHeader,
    /// A set of NUMA nodes, as many bits as the call's maxnode says.
    Nodemask,
    /// get_mempolicy's mode, written back.
    MempolicyMode,
    /// io_uring_setup's `struct io_uring_params`: the flags asked for, and
    /// what the kernel set up.
    IoUringParams,
    /// utimensat's two timespecs (UTIME_NOW and UTIME_OMIT named), and
    /// utimes'/futimesat's two timevals, each with its date.
    Utimens,
    Utimes,
    /// capget/capset's sets, one or two structs as the header's version says.
    CapData,
    Sockaddr,
    /// A `socklen_t` (in/out length of a sockaddr).
    Socklen,
    Msghdr,
    Sigaction,
    Sigset,
    /// The signal mask rt_sigreturn restores, from its signal frame (the
    /// recorder puts the mask's address in its first argument).
    SigframeMask,
    Pollfds,
    /// Two ints (pipe and socketpair fds).
    IntPair,
    /// One int (optval).
    IntVal,
    /// A wait(2) status.
    WaitStatus,
    Rlimit,
    Rusage,
    Utsname,
    Dirents,
    Sysinfo,
    EpollEvent,
    CloneArgs,
    /// A `struct flock` (fcntl's locks).
    Flock,
    /// i386's layouts, with 32-bit longs and times: `struct timespec`
    /// (`old_timespec32`), `struct stat64`, the kernel's `struct sigaction`
    /// and `struct rlimit`.
    Timespec32,
    Timeval32,
    Stat64,
    /// i386's `struct flock64` (packed), fcntl64's locks.
    Flock64,
    /// A 64-bit offset the call wrote (`_llseek`'s result): `[N]`.
    Loff,
    /// i386's `struct user_desc` (set_thread_area's TLS descriptor).
    UserDesc,
    Sigaction32,
    Rlimit32,
    /// Opaque: printed as an address.
    Opaque,
}

impl Shape {
    /// Whether a view prints every byte of it (`uname -v`'s six names):
    /// copied in as many snapshots as it spans, where others keep the first.
    pub fn copied_whole(self) -> bool {
        self == Shape::Utsname
    }

    /// Whether i386's ABI lays this memory out as x86_64's does: no long,
    /// pointer or 32-bit time in it.
    pub fn same_in_i386(self) -> bool {
        use Shape::*;
        matches!(
            self,
            Bytes
                | OutPath
                | Statx
                | Sigset
                | Pollfds
                | IntPair
                | IntVal
                | WaitStatus
                | Utsname
                | Sockaddr
                | Socklen
                | EpollEvent
                | CloneArgs
                | IoUringParams
                | CapHeader
                | CapData
                | PageVector
                | MempolicyMode
                | Timespec32
                | Timeval32
                | Stat64
                | Flock64
                | Iovecs32
                | Loff
                | UserDesc
                | Sigaction32
                | Rlimit32
                | Opaque
        )
    }
}

/// Named constant and flag tables (their decoders live with the printers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flags {
    Open,
    Access,
    At,
    Prot,
    Map,
    Mremap,
    Madvise,
    Clone,
    SockDomain,
    SockType,
    SockOpt,
    SockLevel,
    Msg,
    Shut,
    Whence,
    Fcntl,
    /// fcntl's F_SETFD/F_GETFD flags.
    FdFlags,
    Ioctl,
    Futex,
    Sigprocmask,
    Sa,
    Wait,
    Clock,
    Prctl,
    ArchPrctl,
    Rlimit,
    Poll,
    Epoll,
    EpollCtl,
    Random,
    Rename,
    Statx,
    StatxMask,
    Pipe,
    Eventfd,
    Mfd,
    Dup3,
    CloseRange,
    Timer,
    Lock,
    /// posix_fadvise's advice.
    Fadvise,
    /// memfd seals (fcntl F_ADD_SEALS, F_GET_SEALS).
    Seals,
    /// timerfd_create's flags.
    Timerfd,
    /// signalfd4's flags.
    Signalfd,
    Msync,
    Mlockall,
    /// getpriority/setpriority's `which`.
    Priority,
    /// accept4's flags.
    Accept4,
    /// faccessat2's flags (0x200 is AT_EACCESS there).
    Faccessat,
    /// timerfd_settime's flags.
    TimerfdSettime,
    /// getitimer/setitimer's `which`.
    Itimer,
    /// seccomp's operation and its filter flags.
    SeccompOp,
    SeccompFilter,
    /// io_uring_enter's flags; io_uring_register's operation.
    IoUringEnter,
    IoUringRegister,
    /// A memory policy's mode and its flags; mbind's and get_mempolicy's flags.
    Mempolicy,
    Mbind,
    GetMempolicy,
    /// getrusage's `who` (an int: RUSAGE_CHILDREN is -1).
    Rusage,
}

/// How the return value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Signed decimal (most calls).
    Int,
    /// A new file descriptor.
    Fd,
    /// A process or thread id (`-Y` adds its command name).
    Pid,
    /// An address (mmap, brk).
    Hex,
    /// A file mode, in octal (umask).
    Mode,
    /// Never returns on success (execve, exit, exit_group, rt_sigreturn).
    NoReturn,
}

/// What to copy for one argument, derived from its [`Arg`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureRule {
    pub arg: u8,
    pub at: At,
    pub kind: CaptureKind,
    pub size: Size,
    /// Which snapshot-sized part of a larger struct it copies (0: from the
    /// start).
    pub part: u8,
}

impl CaptureRule {
    /// A copy at the call's exit of what the kernel knows (pseudo argument
    /// `arg`: a path, a socket, inodes), not of user memory.
    const fn at_exit(arg: u8, kind: CaptureKind, size: Size) -> Self {
        CaptureRule {
            arg,
            at: At::Exit,
            kind,
            size,
            part: 0,
        }
    }
}

pub use abi::{
    ARG_AUXV, ARG_CWD, ARG_EXE, ARG_FD_DEVICE, ARG_FD_INODES, ARG_FD_PATH, ARG_KILLED, ARG_MAPPED,
    ARG_SOCKET, CaptureKind, MAX_SNAPLEN,
};

impl Syscall {
    /// Whether this entry decodes the call of the same name made through
    /// i386's ABI too: the same arguments in the same order, each a register
    /// value, a string, or memory laid out alike in both ABIs.
    pub fn same_in_i386(&self) -> bool {
        let generic = matches!(
            self.decoder,
            Decoder::Generic | Decoder::Socket | Decoder::Getrandom
        );
        generic
            && !OTHER_IN_I386.contains(&self.name)
            && self.args.iter().all(|arg| match arg {
                // Arrays of pointers, which are half as wide there.
                Arg::Argv | Arg::Envp => false,
                Arg::Mem { shape, .. } => shape.same_in_i386(),
                _ => true,
            })
    }

    /// The index of the first argument that is `wanted`.
    pub fn arg_index(&self, wanted: Arg) -> Option<usize> {
        self.args.iter().position(|&a| a == wanted)
    }

    /// Whether the flags it was called with ask for close-on-exec (all the
    /// flag sets that can carry it use O_CLOEXEC's bit).
    pub fn cloexec(&self, args: &[u64; 6]) -> bool {
        const O_CLOEXEC: u64 = 0o2_000_000;
        self.args.iter().zip(args).any(|(arg, &value)| {
            matches!(
                arg,
                Arg::Flags(Flags::Open | Flags::SockType | Flags::Dup3 | Flags::Pipe)
            ) && value & O_CLOEXEC != 0
        })
    }

    /// For a call that moves data through its descriptor, which way: into
    /// memory when its buffer is filled at exit.
    pub fn io(&self) -> Option<Io> {
        if !self.moves_data {
            return None;
        }
        let filled_at_exit = self
            .args
            .iter()
            .any(|a| matches!(a, Arg::Mem { at: At::Exit, .. }));
        Some(if filled_at_exit { Io::Read } else { Io::Write })
    }

    /// Whether the call writes its out-buffers when it fails too: a sleep a
    /// signal interrupted writes the time left.
    pub fn writes_when_failed(&self) -> bool {
        self.decoder == Decoder::Sleep
    }

    /// What `record` copies for this syscall, argument by argument, then the
    /// inodes behind the sockets and pipes it returns (`strace -y` names them
    /// by inode).
    pub fn captures(&self) -> impl Iterator<Item = CaptureRule> + '_ {
        self.arg_captures()
            .chain(self.fd_inodes())
            .chain(self.paths())
            .chain(self.socket_ends())
            .chain(self.images())
    }

    /// What names stack frames later (`record --stack` only, see
    /// `CaptureKind::for_stacks`): the file an mmap maps, the program an
    /// exec loads.
    fn images(&self) -> Option<CaptureRule> {
        let rule = |arg, kind| CaptureRule::at_exit(arg, kind, Size::Fixed(0));
        match self.name {
            "mmap" => Some(rule(ARG_MAPPED, CaptureKind::MappedFile)),
            "execve" | "execveat" => Some(rule(ARG_EXE, CaptureKind::ExecImage)),
            _ => None,
        }
    }

    /// What `-yy` names a socket by, as the kernel has it after a call that
    /// makes or changes one: the socket it returns, or its argument.
    fn socket_ends(&self) -> Option<CaptureRule> {
        let rule = |arg, kind| CaptureRule::at_exit(arg, kind, Size::Fixed(0));
        match self.fds {
            FdEffect::Socket => Some(rule(ARG_SOCKET, CaptureKind::Socket)),
            // Sending and receiving are hot: only a netlink socket's
            // record, for its messages' protocol.
            FdEffect::SocketEnds if self.moves_data => Some(rule(0, CaptureKind::NetlinkSocket)),
            FdEffect::SocketEnds => Some(rule(0, CaptureKind::Socket)),
            _ => None,
        }
    }

    /// What `-y` names as the kernel does: the file an open returned, the
    /// working directory a call leaves (execve: where the program starts).
    fn paths(&self) -> Option<CaptureRule> {
        let rule = |arg, kind| CaptureRule::at_exit(arg, kind, Size::Fixed(0));
        if matches!(self.fds, FdEffect::Opens | FdEffect::Creates) && self.ret == Ret::Fd {
            return Some(rule(ARG_FD_PATH, CaptureKind::FdPath));
        }
        matches!(self.name, "chdir" | "fchdir" | "execve" | "execveat")
            .then(|| rule(ARG_CWD, CaptureKind::Cwd))
    }

    fn fd_inodes(&self) -> Option<CaptureRule> {
        let rule = |arg, size| CaptureRule::at_exit(arg, CaptureKind::FdInodes, size);
        if self.ret == Ret::Fd && classes::of(self.name) & classes::NETWORK != 0 {
            return Some(rule(ARG_FD_INODES, Size::Ret));
        }
        let pair = self.args.iter().position(|a| {
            matches!(
                a,
                Arg::Mem {
                    shape: Shape::IntPair,
                    ..
                }
            )
        })?;
        Some(rule(pair as u8, Size::Fixed(8)))
    }

    fn arg_captures(&self) -> impl Iterator<Item = CaptureRule> + '_ {
        self.args.iter().enumerate().flat_map(|(i, arg)| {
            let rule = |at, kind, size| CaptureRule {
                arg: i as u8,
                at,
                kind,
                size,
                part: 0,
            };
            let first = match *arg {
                Arg::Path | Arg::Str => Some(rule(At::Enter, CaptureKind::Str, Size::Fixed(0))),
                Arg::Argv => Some(rule(At::Enter, CaptureKind::StrArray, Size::Fixed(0))),
                Arg::Envp => Some(rule(At::Enter, CaptureKind::CountPtrs, Size::Fixed(0))),
                Arg::Mem {
                    at,
                    size,
                    shape: Shape::Iovecs,
                } => Some(rule(at, CaptureKind::Iovecs, size)),
                Arg::Mem {
                    at,
                    size,
                    shape: Shape::Iovecs32,
                } => Some(rule(at, CaptureKind::Iovecs32, size)),
                Arg::Mem {
                    at,
                    size,
                    shape: Shape::Dirents,
                } => Some(rule(at, CaptureKind::CountDirents, size)),
                Arg::Mem {
                    at,
                    size,
                    shape: Shape::Msghdr,
                } => Some(rule(at, CaptureKind::Msghdr, size)),
                Arg::Mem {
                    shape: Shape::Opaque,
                    ..
                } => None,
                Arg::Mem { at, size, .. } => Some(rule(at, CaptureKind::Bytes, size)),
                _ => None,
            };
            // A struct shown whole (`-v`) that spans several snapshots: a
            // rule for each further part.
            let parts = match *arg {
                Arg::Mem {
                    shape,
                    size: Size::Fixed(n),
                    ..
                } if shape.copied_whole() => u32::from(n).div_ceil(MAX_SNAPLEN),
                _ => 1,
            };
            let further = (1..parts).filter_map(move |part| {
                first.map(|first| CaptureRule {
                    part: part as u8,
                    ..first
                })
            });
            // getdents64's entries as far as a snapshot holds them (`-v`),
            // after their count.
            let entries = first
                .filter(|_| {
                    matches!(
                        arg,
                        Arg::Mem {
                            shape: Shape::Dirents,
                            ..
                        }
                    )
                })
                .map(|count| CaptureRule {
                    kind: CaptureKind::Bytes,
                    ..count
                });
            first.into_iter().chain(entries).chain(further)
        })
    }
}

/// The table entry for syscall `name`.
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static Syscall>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| TABLE.iter().map(|s| (s.name, s)).collect())
        .get(name)
        .copied()
}

/// The table entry for syscall number `nr` on `arch`. A call made through
/// the 32-bit ABI gets i386's own entry where its structs are laid out
/// otherwise ([`entries::I386_TABLE`]), else its name's entry where that
/// reads it as the i386 ABI lays it out ([`Syscall::same_in_i386`]); the
/// others print their registers raw.
pub fn lookup(arch: &str, nr: i64) -> Option<&'static Syscall> {
    let name = crate::syscalls::name(arch, nr)?;
    if !crate::syscalls::is_compat(arch, nr) {
        return by_name(name);
    }
    // (x86_64's 32-bit ABI is i386's.)
    let own = entries::I386_TABLE
        .iter()
        .find(|s| arch == "x86_64" && s.name == name);
    own.or_else(|| by_name(name).filter(|s| s.same_in_i386()))
}

/// Calls whose i386 version of the same name takes other arguments: a
/// struct of them (mmap, select), another order (clone), or a 64-bit value
/// split across two registers.
const OTHER_IN_I386: &[&str] = &[
    "mmap",
    "select",
    "clone",
    "fadvise64",
    "pread64",
    "pwrite64",
    "truncate64",
    "ftruncate64",
    "fallocate",
    "sync_file_range",
    "readahead",
    "fanotify_mark",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_effects_and_their_arguments_come_from_the_table() {
        let openat = by_name("openat").unwrap();
        assert_eq!(
            (
                openat.fds,
                openat.arg_index(Arg::DirFd),
                openat.arg_index(Arg::Path)
            ),
            (FdEffect::Opens, Some(0), Some(1))
        );
        let cloexec = [0, 0o2_000_000, 0, 0, 0, 0];
        assert!(by_name("pipe2").unwrap().cloexec(&cloexec));
        assert!(by_name("socket").unwrap().cloexec(&cloexec));
        // pipe has no flags; open's are its second argument too, openat's its third.
        assert!(!by_name("pipe").unwrap().cloexec(&cloexec));
        assert!(by_name("open").unwrap().cloexec(&cloexec));
        assert!(!by_name("openat").unwrap().cloexec(&cloexec));
        assert_eq!(by_name("socketpair").unwrap().fds, FdEffect::Pair("socket"));
        assert_eq!(by_name("creat").unwrap().fds, FdEffect::Creates);
        assert_eq!(by_name("read").unwrap().fds, FdEffect::None);
    }

    #[test]
    fn i386_calls_get_the_entries_that_read_them_right() {
        let i386 = |nr: i64| abi::COMPAT_NR_BASE + nr;
        let name = |nr| crate::syscalls::name("x86_64", nr);
        assert_eq!(
            (name(i386(4)), name(i386(192)), name(4)),
            (Some("write"), Some("mmap2"), Some("stat"))
        );
        assert_eq!(
            crate::syscalls::display_name("x86_64", i386(999)),
            "syscall_0x3e7"
        );
        // write and open read the same arguments in both ABIs; nanosleep's
        // timespec has 32-bit fields there (i386's own entry), and old
        // mmap takes a struct.
        assert!(lookup("x86_64", i386(4)).is_some_and(|s| s.name == "write"));
        assert!(lookup("x86_64", i386(5)).is_some_and(|s| s.name == "open"));
        let nanosleep = lookup("x86_64", i386(162)).unwrap();
        assert_eq!(nanosleep.args[0], entries::TIMESPEC32_IN);
        assert!(lookup("x86_64", 35).is_some_and(|s| s.args[0] != nanosleep.args[0]));
        assert!(lookup("x86_64", i386(90)).is_none());
        assert!(lookup("aarch64", i386(4)).is_none());
    }

    #[test]
    fn calls_with_decoders_of_their_own_name_them() {
        for (name, decoder) in [
            ("clone", Decoder::Clone),
            ("futex", Decoder::Futex),
            ("fcntl", Decoder::Fcntl),
            ("ioctl", Decoder::Ioctl),
            ("poll", Decoder::Poll),
            ("ppoll", Decoder::Poll),
            ("select", Decoder::Select),
            ("pselect6", Decoder::Select),
            ("socket", Decoder::Socket),
            ("getrandom", Decoder::Getrandom),
            ("read", Decoder::Generic),
        ] {
            assert_eq!(by_name(name).unwrap().decoder, decoder, "{name}");
        }
        let wait4 = by_name("wait4").unwrap();
        assert!(matches!(
            wait4.args[1],
            Arg::Mem {
                shape: Shape::WaitStatus,
                ..
            }
        ));
    }
}
