//! The entries of the syscall table, in x86_64 number order. Argument counts and
//! shapes follow strace's tables and the kernel's prototypes.

use super::{
    Arg::{self, *},
    At, Decoder, FdEffect, Flags as F, Ret, Shape as S, Size, Syscall,
};

const fn sys(name: &'static str, args: &'static [Arg], ret: Ret) -> Syscall {
    Syscall {
        name,
        args,
        ret,
        moves_data: false,
        fds: FdEffect::None,
        decoder: Decoder::Generic,
    }
}

/// A call with a decoder of its own (see [`Decoder`]).
const fn decoded(decoder: Decoder, syscall: Syscall) -> Syscall {
    Syscall { decoder, ..syscall }
}

/// A call that changes its process's descriptors (see [`FdEffect`]).
const fn fds(fds: FdEffect, syscall: Syscall) -> Syscall {
    Syscall { fds, ..syscall }
}

/// A call that moves data through the descriptor in argument 0 (see
/// [`Syscall::moves_data`]).
const fn moves_data(syscall: Syscall) -> Syscall {
    Syscall {
        moves_data: true,
        ..syscall
    }
}

/// Memory read at enter.
const fn inp(size: Size, shape: S) -> Arg {
    Mem {
        at: At::Enter,
        size,
        shape,
    }
}

/// Memory written by the call, read at exit.
const fn out(size: Size, shape: S) -> Arg {
    Mem {
        at: At::Exit,
        size,
        shape,
    }
}

/// Memory read at enter and again at exit.
const fn both(size: Size, shape: S) -> Arg {
    Mem {
        at: At::Both,
        size,
        shape,
    }
}

const fn fixed(n: u16) -> Size {
    Size::Fixed(n)
}

const fn arg(n: u8) -> Size {
    Size::Arg(n)
}

const RET: Size = Size::Ret;
const STAT_BUF: Arg = out(fixed(144), S::Stat);
const TIMESPEC_IN: Arg = inp(fixed(16), S::Timespec);
const TIMESPEC_OUT: Arg = out(fixed(16), S::Timespec);
const SOCKADDR_OUT: Arg = out(fixed(128), S::Sockaddr);
const SOCKLEN: Arg = both(fixed(4), S::Socklen);
const SIGSET_IN: Arg = inp(fixed(8), S::Sigset);
const SIGSET_OUT: Arg = out(fixed(8), S::Sigset);
const ITIMERSPEC_IN: Arg = inp(fixed(32), S::Itimerspec);
const ITIMERSPEC_OUT: Arg = out(fixed(32), S::Itimerspec);
const ITIMERVAL_OUT: Arg = out(fixed(32), S::Itimerval);
const ID_OUT: Arg = out(fixed(4), S::IntVal);
const CAP_HEADER: Arg = inp(fixed(8), S::CapHeader);
/// select's sets: the descriptors asked about, and those found ready.
const FD_SET: Arg = both(Size::FdSet(0), S::FdSet);
const I: Ret = Ret::Int;

pub static TABLE: &[Syscall] = &[
    moves_data(sys("read", &[Fd, out(RET, S::Bytes), Uint], I)),
    moves_data(sys("write", &[Fd, inp(arg(2), S::Bytes), Uint], I)),
    fds(
        FdEffect::Opens,
        sys("open", &[Path, Flags(F::Open), Mode], Ret::Fd),
    ),
    fds(FdEffect::Closes, sys("close", &[Fd], I)),
    sys("stat", &[Path, STAT_BUF], I),
    sys("fstat", &[Fd, STAT_BUF], I),
    sys("lstat", &[Path, STAT_BUF], I),
    decoded(
        Decoder::Poll,
        sys(
            "poll",
            &[both(Size::ArgTimes(1, 8), S::Pollfds), Uint, Int],
            I,
        ),
    ),
    sys("lseek", &[Fd, Int, Flags(F::Whence)], I),
    sys(
        "mmap",
        &[Ptr, Uint, Flags(F::Prot), Flags(F::Map), Fd, Hex],
        Ret::Hex,
    ),
    sys("mprotect", &[Ptr, Uint, Flags(F::Prot)], I),
    sys("munmap", &[Ptr, Uint], I),
    sys("brk", &[Ptr], Ret::Hex),
    sys(
        "rt_sigaction",
        &[
            Signal,
            inp(fixed(32), S::Sigaction),
            out(fixed(32), S::Sigaction),
            Uint,
        ],
        I,
    ),
    sys(
        "rt_sigprocmask",
        &[Flags(F::Sigprocmask), SIGSET_IN, SIGSET_OUT, Uint],
        I,
    ),
    sys(
        "rt_sigreturn",
        &[inp(fixed(8), S::SigframeMask)],
        Ret::NoReturn,
    ),
    // The third argument is copied as an int: what FIONBIO and its kind
    // point at (the decoder prints other requests' as a number).
    decoded(
        Decoder::Ioctl,
        sys("ioctl", &[Fd, Flags(F::Ioctl), inp(fixed(4), S::IntVal)], I),
    ),
    moves_data(sys("pread64", &[Fd, out(RET, S::Bytes), Uint, Int], I)),
    moves_data(sys("pwrite64", &[Fd, inp(arg(2), S::Bytes), Uint, Int], I)),
    moves_data(sys("readv", &[Fd, out(arg(2), S::Iovecs), Uint], I)),
    moves_data(sys("writev", &[Fd, inp(arg(2), S::Iovecs), Uint], I)),
    sys("access", &[Path, Flags(F::Access)], I),
    fds(
        FdEffect::Pair("pipe"),
        sys("pipe", &[out(fixed(8), S::IntPair)], I),
    ),
    decoded(
        Decoder::Select,
        sys(
            "select",
            &[Int, FD_SET, FD_SET, FD_SET, both(fixed(16), S::Timeval)],
            I,
        ),
    ),
    sys("sched_yield", &[], I),
    decoded(
        Decoder::Mremap,
        sys(
            "mremap",
            &[Ptr, Uint, Uint, Flags(F::Mremap), Ptr],
            Ret::Hex,
        ),
    ),
    sys("msync", &[Ptr, Uint, Flags(F::Msync)], I),
    // The vector's size is the pages of the length; the snapshot length
    // bounds the copy.
    sys("mincore", &[Ptr, Uint, out(arg(1), S::PageVector)], I),
    sys("madvise", &[Ptr, Uint, Flags(F::Madvise)], I),
    sys("shmget", &[Hex, Uint, Hex], I),
    sys("shmat", &[Int, Ptr, Hex], Ret::Hex),
    sys("shmctl", &[Int, Int, Ptr], I),
    fds(FdEffect::Dups, sys("dup", &[Fd], Ret::Fd)),
    fds(FdEffect::Dups, sys("dup2", &[Fd, Fd], Ret::Fd)),
    sys("pause", &[], I),
    decoded(
        Decoder::Sleep,
        sys("nanosleep", &[TIMESPEC_IN, TIMESPEC_OUT], I),
    ),
    sys("getitimer", &[Flags(F::Itimer), ITIMERVAL_OUT], I),
    sys("alarm", &[Uint], I),
    sys(
        "setitimer",
        &[
            Flags(F::Itimer),
            inp(fixed(32), S::Itimerval),
            ITIMERVAL_OUT,
        ],
        I,
    ),
    sys("getpid", &[], Ret::Pid),
    sys("sendfile", &[Fd, Fd, Ptr, Uint], I),
    decoded(
        Decoder::Socket,
        fds(
            FdEffect::Socket,
            sys(
                "socket",
                &[Flags(F::SockDomain), Flags(F::SockType), Int],
                Ret::Fd,
            ),
        ),
    ),
    fds(
        FdEffect::SocketEnds,
        sys("connect", &[Fd, inp(arg(2), S::Sockaddr), Uint], I),
    ),
    fds(
        FdEffect::Socket,
        sys("accept", &[Fd, SOCKADDR_OUT, SOCKLEN], Ret::Fd),
    ),
    fds(
        FdEffect::SocketEnds,
        moves_data(sys(
            "sendto",
            &[
                Fd,
                inp(arg(2), S::Bytes),
                Uint,
                Flags(F::Msg),
                inp(arg(5), S::Sockaddr),
                Uint,
            ],
            I,
        )),
    ),
    fds(
        FdEffect::SocketEnds,
        moves_data(sys(
            "recvfrom",
            &[
                Fd,
                out(RET, S::Bytes),
                Uint,
                Flags(F::Msg),
                SOCKADDR_OUT,
                SOCKLEN,
            ],
            I,
        )),
    ),
    fds(
        FdEffect::SocketEnds,
        moves_data(sys(
            "sendmsg",
            &[Fd, inp(fixed(0), S::Msghdr), Flags(F::Msg)],
            I,
        )),
    ),
    fds(
        FdEffect::SocketEnds,
        moves_data(sys(
            "recvmsg",
            &[Fd, both(fixed(0), S::Msghdr), Flags(F::Msg)],
            I,
        )),
    ),
    sys("shutdown", &[Fd, Flags(F::Shut)], I),
    fds(
        FdEffect::SocketEnds,
        sys("bind", &[Fd, inp(arg(2), S::Sockaddr), Uint], I),
    ),
    fds(FdEffect::SocketEnds, sys("listen", &[Fd, Int], I)),
    fds(
        FdEffect::SocketEnds,
        sys("getsockname", &[Fd, SOCKADDR_OUT, SOCKLEN], I),
    ),
    fds(
        FdEffect::SocketEnds,
        sys("getpeername", &[Fd, SOCKADDR_OUT, SOCKLEN], I),
    ),
    fds(
        FdEffect::Pair("socket"),
        sys(
            "socketpair",
            &[
                Flags(F::SockDomain),
                Flags(F::SockType),
                Int,
                out(fixed(8), S::IntPair),
            ],
            I,
        ),
    ),
    decoded(
        Decoder::Sockopt,
        sys(
            "setsockopt",
            &[
                Fd,
                Flags(F::SockLevel),
                Flags(F::SockOpt),
                inp(arg(4), S::IntVal),
                Uint,
            ],
            I,
        ),
    ),
    decoded(
        Decoder::Sockopt,
        sys(
            "getsockopt",
            &[
                Fd,
                Flags(F::SockLevel),
                Flags(F::SockOpt),
                out(fixed(4), S::IntVal),
                both(fixed(4), S::Socklen),
            ],
            I,
        ),
    ),
    decoded(
        Decoder::Clone,
        sys("clone", &[Flags(F::Clone), Ptr, Ptr, Ptr, Hex], Ret::Pid),
    ),
    sys("fork", &[], Ret::Pid),
    sys("vfork", &[], Ret::Pid),
    sys("execve", &[Path, Argv, Envp], Ret::NoReturn),
    sys("exit", &[Int], Ret::NoReturn),
    sys(
        "wait4",
        &[
            Pid,
            out(fixed(4), S::WaitStatus),
            Flags(F::Wait),
            out(fixed(144), S::Rusage),
        ],
        Ret::Pid,
    ),
    sys("kill", &[Pid, Signal], I),
    sys("uname", &[out(fixed(390), S::Utsname)], I),
    decoded(
        Decoder::Fcntl,
        fds(
            FdEffect::Fcntl,
            // The third argument is copied both ways as a struct flock: the
            // lock commands' (the decoder shows the other commands' as they
            // are).
            sys(
                "fcntl",
                &[Fd, Flags(F::Fcntl), both(fixed(32), S::Flock)],
                I,
            ),
        ),
    ),
    sys("flock", &[Fd, Flags(F::Lock)], I),
    sys("fsync", &[Fd], I),
    sys("fdatasync", &[Fd], I),
    sys("truncate", &[Path, Int], I),
    sys("ftruncate", &[Fd, Int], I),
    sys("getdents", &[Fd, out(RET, S::Opaque), Uint], I),
    sys("getcwd", &[out(RET, S::OutPath), Uint], I),
    sys("chdir", &[Path], I),
    sys("fchdir", &[Fd], I),
    fds(FdEffect::Renames, sys("rename", &[Path, Path], I)),
    sys("mkdir", &[Path, Mode], I),
    fds(FdEffect::Removes, sys("rmdir", &[Path], I)),
    fds(FdEffect::Creates, sys("creat", &[Path, Mode], Ret::Fd)),
    sys("link", &[Path, Path], I),
    fds(FdEffect::Removes, sys("unlink", &[Path], I)),
    sys("symlink", &[Path, Path], I),
    sys("readlink", &[Path, out(RET, S::Bytes), Uint], I),
    sys("chmod", &[Path, Mode], I),
    sys("fchmod", &[Fd, Mode], I),
    sys("chown", &[Path, Int, Int], I),
    sys("fchown", &[Fd, Int, Int], I),
    sys("lchown", &[Path, Int, Int], I),
    sys("umask", &[Mode], Ret::Mode),
    sys("gettimeofday", &[out(fixed(16), S::Timeval), Ptr], I),
    sys(
        "getrlimit",
        &[Flags(F::Rlimit), out(fixed(16), S::Rlimit)],
        I,
    ),
    sys(
        "getrusage",
        &[Flags(F::Rusage), out(fixed(144), S::Rusage)],
        I,
    ),
    sys("sysinfo", &[out(fixed(112), S::Sysinfo)], I),
    sys("times", &[Ptr], I),
    sys("ptrace", &[Int, Pid, Ptr, Ptr], I),
    sys("getuid", &[], I),
    sys("getgid", &[], I),
    sys("setuid", &[Int], I),
    sys("setgid", &[Int], I),
    sys("geteuid", &[], I),
    sys("getegid", &[], I),
    sys("setpgid", &[Pid, Pid], I),
    sys("getppid", &[], Ret::Pid),
    sys("getpgrp", &[], Ret::Pid),
    sys("setsid", &[], Ret::Pid),
    sys("setreuid", &[Int, Int], I),
    sys("setregid", &[Int, Int], I),
    sys("getgroups", &[Int, out(Size::ArgTimes(0, 4), S::Ids)], I),
    sys("setgroups", &[Int, inp(Size::ArgTimes(0, 4), S::Ids)], I),
    sys("setresuid", &[Int, Int, Int], I),
    sys("getresuid", &[ID_OUT, ID_OUT, ID_OUT], I),
    sys("setresgid", &[Int, Int, Int], I),
    sys("getresgid", &[ID_OUT, ID_OUT, ID_OUT], I),
    sys("getpgid", &[Pid], Ret::Pid),
    sys("getsid", &[Pid], Ret::Pid),
    sys("capget", &[CAP_HEADER, out(fixed(24), S::CapData)], I),
    sys("capset", &[CAP_HEADER, inp(fixed(24), S::CapData)], I),
    sys("rt_sigpending", &[SIGSET_OUT, Uint], I),
    sys("rt_sigtimedwait", &[SIGSET_IN, Ptr, TIMESPEC_IN, Uint], I),
    sys("rt_sigsuspend", &[SIGSET_IN, Uint], I),
    sys(
        "sigaltstack",
        &[inp(fixed(24), S::Stack), out(fixed(24), S::Stack)],
        I,
    ),
    sys("mknod", &[Path, Mode, Hex], I),
    sys("statfs", &[Path, out(fixed(120), S::Statfs)], I),
    sys("fstatfs", &[Fd, out(fixed(120), S::Statfs)], I),
    sys("getpriority", &[Flags(F::Priority), Int], I),
    sys("setpriority", &[Flags(F::Priority), Int, Int], I),
    sys("mlock", &[Ptr, Uint], I),
    sys("munlock", &[Ptr, Uint], I),
    sys("mlockall", &[Flags(F::Mlockall)], I),
    sys("munlockall", &[], I),
    // The second argument is copied as a string: PR_SET_NAME's name (the
    // decoder prints other options' as they are).
    decoded(
        Decoder::Prctl,
        // The second argument as the name PR_SET_NAME reads and
        // PR_GET_NAME writes (16 bytes with its NUL); the decoder shows
        // it only for those.
        sys(
            "prctl",
            &[Flags(F::Prctl), both(fixed(16), S::OutPath), Hex, Hex, Hex],
            I,
        ),
    ),
    sys("arch_prctl", &[Flags(F::ArchPrctl), Hex], I),
    sys(
        "setrlimit",
        &[Flags(F::Rlimit), inp(fixed(16), S::Rlimit)],
        I,
    ),
    sys("chroot", &[Path], I),
    sys("sync", &[], I),
    sys("mount", &[Str, Path, Str, Hex, Ptr], I),
    sys("umount2", &[Path, Hex], I),
    sys("sethostname", &[inp(arg(1), S::Bytes), Uint], I),
    sys("gettid", &[], Ret::Pid),
    sys("readahead", &[Fd, Int, Uint], I),
    sys(
        "setxattr",
        &[Path, Str, inp(arg(3), S::Bytes), Uint, Hex],
        I,
    ),
    sys(
        "lsetxattr",
        &[Path, Str, inp(arg(3), S::Bytes), Uint, Hex],
        I,
    ),
    sys("fsetxattr", &[Fd, Str, inp(arg(3), S::Bytes), Uint, Hex], I),
    sys("getxattr", &[Path, Str, out(RET, S::Bytes), Uint], I),
    sys("lgetxattr", &[Path, Str, out(RET, S::Bytes), Uint], I),
    sys("fgetxattr", &[Fd, Str, out(RET, S::Bytes), Uint], I),
    sys("listxattr", &[Path, out(RET, S::Bytes), Uint], I),
    sys("llistxattr", &[Path, out(RET, S::Bytes), Uint], I),
    sys("flistxattr", &[Fd, out(RET, S::Bytes), Uint], I),
    sys("removexattr", &[Path, Str], I),
    sys("lremovexattr", &[Path, Str], I),
    sys("fremovexattr", &[Fd, Str], I),
    sys("tkill", &[Pid, Signal], I),
    sys("time", &[Ptr], I),
    decoded(
        Decoder::Futex,
        sys(
            "futex",
            &[Ptr, Flags(F::Futex), Int, TIMESPEC_IN, Ptr, Hex],
            I,
        ),
    ),
    sys("sched_setaffinity", &[Pid, Uint, inp(arg(1), S::Cpuset)], I),
    sys("sched_getaffinity", &[Pid, Uint, out(RET, S::Cpuset)], I),
    sys("set_tid_address", &[Ptr], I),
    sys("fadvise64", &[Fd, Int, Uint, Flags(F::Fadvise)], I),
    sys(
        "timer_create",
        &[
            Flags(F::Clock),
            inp(fixed(32), S::Sigevent),
            out(fixed(4), S::IntVal),
        ],
        I,
    ),
    sys(
        "timer_settime",
        &[Int, Flags(F::Timer), ITIMERSPEC_IN, ITIMERSPEC_OUT],
        I,
    ),
    sys("timer_gettime", &[Int, ITIMERSPEC_OUT], I),
    sys("timer_getoverrun", &[Int], I),
    sys("timer_delete", &[Int], I),
    sys("getdents64", &[Fd, out(RET, S::Dirents), Uint], I),
    sys("restart_syscall", &[], I),
    sys("clock_settime", &[Flags(F::Clock), TIMESPEC_IN], I),
    sys("clock_gettime", &[Flags(F::Clock), TIMESPEC_OUT], I),
    sys("clock_getres", &[Flags(F::Clock), TIMESPEC_OUT], I),
    decoded(
        Decoder::Sleep,
        sys(
            "clock_nanosleep",
            &[Flags(F::Clock), Flags(F::Timer), TIMESPEC_IN, TIMESPEC_OUT],
            I,
        ),
    ),
    sys("exit_group", &[Int], Ret::NoReturn),
    sys(
        "epoll_wait",
        &[Fd, out(Size::ArgTimes(2, 12), S::EpollEvent), Int, Int],
        I,
    ),
    sys(
        "epoll_ctl",
        &[Fd, Flags(F::EpollCtl), Fd, inp(fixed(12), S::EpollEvent)],
        I,
    ),
    sys("tgkill", &[Pid, Pid, Signal], I),
    sys("utimes", &[Path, inp(fixed(32), S::Utimes)], I),
    sys(
        "mbind",
        &[
            Ptr,
            Uint,
            Flags(F::Mempolicy),
            inp(Size::FdSet(4), S::Nodemask),
            Uint,
            Flags(F::Mbind),
        ],
        I,
    ),
    sys(
        "set_mempolicy",
        &[Flags(F::Mempolicy), inp(Size::FdSet(2), S::Nodemask), Uint],
        I,
    ),
    sys(
        "get_mempolicy",
        &[
            out(fixed(4), S::MempolicyMode),
            out(Size::FdSet(2), S::Nodemask),
            Uint,
            Ptr,
            Flags(F::GetMempolicy),
        ],
        I,
    ),
    sys("waitid", &[Int, Int, Ptr, Flags(F::Wait), Ptr], I),
    fds(
        FdEffect::Anon("anon_inode:inotify"),
        sys("inotify_init1", &[Hex], Ret::Fd),
    ),
    sys("inotify_add_watch", &[Fd, Path, Hex], I),
    fds(
        FdEffect::Opens,
        sys("openat", &[DirFd, Path, Flags(F::Open), Mode], Ret::Fd),
    ),
    sys("mkdirat", &[DirFd, Path, Mode], I),
    sys("mknodat", &[DirFd, Path, Mode, Hex], I),
    sys("fchownat", &[DirFd, Path, Int, Int, Flags(F::At)], I),
    sys("newfstatat", &[DirFd, Path, STAT_BUF, Flags(F::At)], I),
    fds(
        FdEffect::Removes,
        sys("unlinkat", &[DirFd, Path, Flags(F::At)], I),
    ),
    fds(
        FdEffect::Renames,
        sys("renameat", &[DirFd, Path, DirFd, Path], I),
    ),
    sys("linkat", &[DirFd, Path, DirFd, Path, Flags(F::At)], I),
    sys("symlinkat", &[Path, DirFd, Path], I),
    sys("readlinkat", &[DirFd, Path, out(RET, S::Bytes), Uint], I),
    sys("fchmodat", &[DirFd, Path, Mode], I),
    sys("faccessat", &[DirFd, Path, Flags(F::Access)], I),
    decoded(
        Decoder::Select,
        sys(
            "pselect6",
            &[
                Int,
                FD_SET,
                FD_SET,
                FD_SET,
                both(fixed(16), S::Timespec),
                inp(fixed(16), S::PselectSigmask),
            ],
            I,
        ),
    ),
    decoded(
        Decoder::Poll,
        sys(
            "ppoll",
            &[
                both(Size::ArgTimes(1, 8), S::Pollfds),
                Uint,
                both(fixed(16), S::Timespec),
                SIGSET_IN,
                Uint,
            ],
            I,
        ),
    ),
    sys("unshare", &[Flags(F::Clone)], I),
    sys("set_robust_list", &[Ptr, Uint], I),
    sys("get_robust_list", &[Pid, Ptr, Ptr], I),
    sys("splice", &[Fd, Ptr, Fd, Ptr, Uint, Hex], I),
    sys(
        "utimensat",
        &[DirFd, Path, inp(fixed(32), S::Utimens), Flags(F::At)],
        I,
    ),
    sys(
        "epoll_pwait",
        &[
            Fd,
            out(Size::ArgTimes(2, 12), S::EpollEvent),
            Int,
            Int,
            SIGSET_IN,
            Uint,
        ],
        I,
    ),
    fds(
        FdEffect::Anon("anon_inode:[timerfd]"),
        sys(
            "timerfd_create",
            &[Flags(F::Clock), Flags(F::Timerfd)],
            Ret::Fd,
        ),
    ),
    sys("fallocate", &[Fd, Hex, Int, Int], I),
    sys(
        "timerfd_settime",
        &[Fd, Flags(F::TimerfdSettime), ITIMERSPEC_IN, ITIMERSPEC_OUT],
        I,
    ),
    sys("timerfd_gettime", &[Fd, ITIMERSPEC_OUT], I),
    fds(
        FdEffect::Socket,
        sys(
            "accept4",
            &[Fd, SOCKADDR_OUT, SOCKLEN, Flags(F::Accept4)],
            Ret::Fd,
        ),
    ),
    fds(
        FdEffect::Anon("anon_inode:[signalfd]"),
        sys(
            "signalfd4",
            &[Fd, SIGSET_IN, Uint, Flags(F::Signalfd)],
            Ret::Fd,
        ),
    ),
    fds(
        FdEffect::Anon("anon_inode:[eventfd]"),
        sys("eventfd2", &[Uint, Flags(F::Eventfd)], Ret::Fd),
    ),
    fds(
        FdEffect::Anon("anon_inode:[eventpoll]"),
        sys("epoll_create1", &[Flags(F::Epoll)], Ret::Fd),
    ),
    fds(
        FdEffect::Dups,
        sys("dup3", &[Fd, Fd, Flags(F::Dup3)], Ret::Fd),
    ),
    fds(
        FdEffect::Pair("pipe"),
        sys("pipe2", &[out(fixed(8), S::IntPair), Flags(F::Pipe)], I),
    ),
    moves_data(sys("preadv", &[Fd, out(arg(2), S::Iovecs), Uint, Int], I)),
    moves_data(sys("pwritev", &[Fd, inp(arg(2), S::Iovecs), Uint, Int], I)),
    sys(
        "prlimit64",
        &[
            Pid,
            Flags(F::Rlimit),
            inp(fixed(16), S::Rlimit),
            out(fixed(16), S::Rlimit),
        ],
        I,
    ),
    sys("sendmmsg", &[Fd, Ptr, Uint, Flags(F::Msg)], I),
    sys("recvmmsg", &[Fd, Ptr, Uint, Flags(F::Msg), Ptr], I),
    sys("getcpu", &[Ptr, Ptr, Ptr], I),
    fds(
        FdEffect::Renames,
        sys(
            "renameat2",
            &[DirFd, Path, DirFd, Path, Flags(F::Rename)],
            I,
        ),
    ),
    sys(
        "seccomp",
        &[
            Flags(F::SeccompOp),
            Flags(F::SeccompFilter),
            inp(fixed(16), S::SockFprog),
        ],
        I,
    ),
    decoded(
        Decoder::Getrandom,
        sys(
            "getrandom",
            &[out(RET, S::Bytes), Uint, Flags(F::Random)],
            I,
        ),
    ),
    sys("memfd_create", &[Str, Flags(F::Mfd)], Ret::Fd),
    sys(
        "execveat",
        &[DirFd, Path, Argv, Envp, Flags(F::At)],
        Ret::NoReturn,
    ),
    sys("copy_file_range", &[Fd, Ptr, Fd, Ptr, Uint, Hex], I),
    sys(
        "statx",
        &[
            DirFd,
            Path,
            Flags(F::Statx),
            Flags(F::StatxMask),
            out(fixed(256), S::Statx),
        ],
        I,
    ),
    sys("rseq", &[Ptr, Hex, Hex, Hex], I),
    fds(
        FdEffect::Anon("anon_inode:[io_uring]"),
        sys(
            "io_uring_setup",
            &[Uint, both(fixed(120), S::IoUringParams)],
            Ret::Fd,
        ),
    ),
    sys(
        "io_uring_enter",
        &[Fd, Uint, Uint, Flags(F::IoUringEnter), Ptr, Uint],
        I,
    ),
    // The argument is an array of descriptors for IORING_REGISTER_FILES (the
    // decoder shows it only then).
    decoded(
        Decoder::IoUringRegister,
        sys(
            "io_uring_register",
            &[
                Fd,
                Flags(F::IoUringRegister),
                inp(Size::ArgTimes(3, 4), S::Ids),
                Uint,
            ],
            I,
        ),
    ),
    fds(
        FdEffect::Anon("anon_inode:[pidfd]"),
        sys("pidfd_open", &[Pid, Hex], Ret::Fd),
    ),
    decoded(
        Decoder::Clone3,
        sys("clone3", &[inp(arg(1), S::CloneArgs), Uint], Ret::Pid),
    ),
    fds(
        FdEffect::ClosesRange,
        sys("close_range", &[Fd, Fd, Flags(F::CloseRange)], I),
    ),
    fds(
        FdEffect::Opens,
        sys("openat2", &[DirFd, Path, Ptr, Uint], Ret::Fd),
    ),
    sys(
        "faccessat2",
        &[DirFd, Path, Flags(F::Access), Flags(F::Faccessat)],
        I,
    ),
    sys(
        "epoll_pwait2",
        &[
            Fd,
            out(Size::ArgTimes(2, 12), S::EpollEvent),
            Int,
            Ptr,
            SIGSET_IN,
            Uint,
        ],
        I,
    ),
    sys("fchmodat2", &[DirFd, Path, Mode, Flags(F::At)], I),
];

/// i386's calls whose structs it lays out its own way (32-bit longs and
/// times), and its calls with 64-bit times (`clock_gettime64`, which
/// x86_64's name without the suffix): their entries for calls made through
/// the 32-bit ABI, which [`super::lookup`] takes before the shared ones.
pub static I386_TABLE: &[Syscall] = &[
    decoded(
        Decoder::Futex,
        sys(
            "futex",
            &[Ptr, Flags(F::Futex), Int, TIMESPEC32_IN, Ptr, Hex],
            I,
        ),
    ),
    decoded(
        Decoder::Futex,
        sys(
            "futex_time64",
            &[Ptr, Flags(F::Futex), Int, TIMESPEC_IN, Ptr, Hex],
            I,
        ),
    ),
    sys("clock_gettime64", &[Flags(F::Clock), TIMESPEC_OUT], I),
    sys("clock_settime64", &[Flags(F::Clock), TIMESPEC_IN], I),
    sys("clock_getres_time64", &[Flags(F::Clock), TIMESPEC_OUT], I),
    decoded(
        Decoder::Sleep,
        sys(
            "clock_nanosleep_time64",
            &[Flags(F::Clock), Flags(F::Timer), TIMESPEC_IN, TIMESPEC_OUT],
            I,
        ),
    ),
    sys(
        "timer_settime64",
        &[Int, Flags(F::Timer), ITIMERSPEC_IN, ITIMERSPEC_OUT],
        I,
    ),
    sys("timer_gettime64", &[Int, ITIMERSPEC_OUT], I),
    sys(
        "timerfd_settime64",
        &[Fd, Flags(F::TimerfdSettime), ITIMERSPEC_IN, ITIMERSPEC_OUT],
        I,
    ),
    sys("timerfd_gettime64", &[Fd, ITIMERSPEC_OUT], I),
    sys(
        "utimensat_time64",
        &[DirFd, Path, inp(fixed(32), S::Utimens), Flags(F::At)],
        I,
    ),
    decoded(
        Decoder::Poll,
        sys(
            "ppoll_time64",
            &[
                both(Size::ArgTimes(1, 8), S::Pollfds),
                Uint,
                both(fixed(16), S::Timespec),
                SIGSET_IN,
                Uint,
            ],
            I,
        ),
    ),
    sys("sched_rr_get_interval_time64", &[Pid, TIMESPEC_OUT], I),
    sys(
        "mmap2",
        &[Ptr, Uint, Flags(F::Prot), Flags(F::Map), Fd, Pages],
        Ret::Hex,
    ),
    sys("gettimeofday", &[out(fixed(8), S::Timeval32), Ptr], I),
    moves_data(sys("readv", &[Fd, out(arg(2), S::Iovecs32), Uint], I)),
    moves_data(sys("writev", &[Fd, inp(arg(2), S::Iovecs32), Uint], I)),
    decoded(
        Decoder::ThreadArea,
        sys("set_thread_area", &[both(fixed(16), S::UserDesc)], I),
    ),
    decoded(
        Decoder::Llseek,
        sys(
            "_llseek",
            &[Fd, Uint, Uint, out(fixed(8), S::Loff), Flags(F::Whence)],
            I,
        ),
    ),
    decoded(
        Decoder::Fcntl,
        fds(
            FdEffect::Fcntl,
            // Its 64-bit locks are i386's packed struct flock64.
            sys(
                "fcntl64",
                &[Fd, Flags(F::Fcntl), both(fixed(24), S::Flock64)],
                I,
            ),
        ),
    ),
    decoded(
        Decoder::Sleep,
        sys("nanosleep", &[TIMESPEC32_IN, TIMESPEC32_OUT], I),
    ),
    sys("clock_gettime", &[Flags(F::Clock), TIMESPEC32_OUT], I),
    sys("clock_settime", &[Flags(F::Clock), TIMESPEC32_IN], I),
    sys("clock_getres", &[Flags(F::Clock), TIMESPEC32_OUT], I),
    decoded(
        Decoder::Sleep,
        sys(
            "clock_nanosleep",
            &[
                Flags(F::Clock),
                Flags(F::Timer),
                TIMESPEC32_IN,
                TIMESPEC32_OUT,
            ],
            I,
        ),
    ),
    sys("stat64", &[Path, STAT64_BUF], I),
    sys("lstat64", &[Path, STAT64_BUF], I),
    sys("fstat64", &[Fd, STAT64_BUF], I),
    sys("fstatat64", &[DirFd, Path, STAT64_BUF, Flags(F::At)], I),
    sys(
        "rt_sigaction",
        &[
            Signal,
            inp(fixed(20), S::Sigaction32),
            out(fixed(20), S::Sigaction32),
            Uint,
        ],
        I,
    ),
    sys("getrlimit", &[Flags(F::Rlimit), RLIMIT32_OUT], I),
    sys("ugetrlimit", &[Flags(F::Rlimit), RLIMIT32_OUT], I),
    sys(
        "setrlimit",
        &[Flags(F::Rlimit), inp(fixed(8), S::Rlimit32)],
        I,
    ),
];

pub(super) const TIMESPEC32_IN: Arg = inp(fixed(8), S::Timespec32);
const TIMESPEC32_OUT: Arg = out(fixed(8), S::Timespec32);
const STAT64_BUF: Arg = out(fixed(96), S::Stat64);
const RLIMIT32_OUT: Arg = out(fixed(8), S::Rlimit32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_a_real_syscall_once() {
        let mut seen = std::collections::HashSet::new();
        for s in TABLE {
            assert!(seen.insert(s.name), "{} twice", s.name);
            let known = ::syscalls::x86_64::Sysno::iter().any(|n| n.name() == s.name);
            assert!(known, "{} is not an x86_64 syscall", s.name);
            assert!(s.args.len() <= 6, "{}", s.name);
        }
    }

    #[test]
    fn sizes_refer_to_integer_arguments() {
        for s in TABLE {
            for rule in s.captures() {
                if let Size::Arg(n) | Size::ArgTimes(n, _) = rule.size {
                    let target = s.args.get(n as usize);
                    assert!(
                        matches!(target, Some(Uint | Int | Hex)),
                        "{}: size from arg {n} ({target:?})",
                        s.name
                    );
                }
            }
        }
    }
}
