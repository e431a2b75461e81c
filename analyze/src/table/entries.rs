//! The entries of the syscall table, in x86_64 number order. Argument counts and
//! shapes follow strace's tables and the kernel's prototypes.

use super::{
    Arg::{self, *},
    At, Flags as F, Ret, Shape as S, Size, Syscall,
    class::{CLOCK, CREDS, DESC, FILE, IO, IPC, MEMORY, NETWORK, PROCESS, SIGNAL, STAT},
};

const fn sys(name: &'static str, args: &'static [Arg], ret: Ret, class: u16) -> Syscall {
    Syscall {
        name,
        args,
        ret,
        class,
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
const I: Ret = Ret::Int;

pub static TABLE: &[Syscall] = &[
    sys("read", &[Fd, out(RET, S::Bytes), Uint], I, DESC | IO),
    sys("write", &[Fd, inp(arg(2), S::Bytes), Uint], I, DESC | IO),
    sys("open", &[Path, Flags(F::Open), Mode], Ret::Fd, DESC | FILE),
    sys("close", &[Fd], I, DESC),
    sys("stat", &[Path, STAT_BUF], I, FILE | STAT),
    sys("fstat", &[Fd, STAT_BUF], I, DESC | STAT),
    sys("lstat", &[Path, STAT_BUF], I, FILE | STAT),
    sys(
        "poll",
        &[both(Size::ArgTimes(1, 8), S::Pollfds), Uint, Int],
        I,
        DESC,
    ),
    sys("lseek", &[Fd, Int, Flags(F::Whence)], I, DESC),
    sys(
        "mmap",
        &[Ptr, Uint, Flags(F::Prot), Flags(F::Map), Fd, Hex],
        Ret::Hex,
        MEMORY,
    ),
    sys("mprotect", &[Ptr, Uint, Flags(F::Prot)], I, MEMORY),
    sys("munmap", &[Ptr, Uint], I, MEMORY),
    sys("brk", &[Ptr], Ret::Hex, MEMORY),
    sys(
        "rt_sigaction",
        &[
            Signal,
            inp(fixed(32), S::Sigaction),
            out(fixed(32), S::Sigaction),
            Uint,
        ],
        I,
        SIGNAL,
    ),
    sys(
        "rt_sigprocmask",
        &[Flags(F::Sigprocmask), SIGSET_IN, SIGSET_OUT, Uint],
        I,
        SIGNAL,
    ),
    sys("rt_sigreturn", &[], Ret::NoReturn, SIGNAL),
    sys("ioctl", &[Fd, Flags(F::Ioctl), Hex], I, DESC),
    sys(
        "pread64",
        &[Fd, out(RET, S::Bytes), Uint, Int],
        I,
        DESC | IO,
    ),
    sys(
        "pwrite64",
        &[Fd, inp(arg(2), S::Bytes), Uint, Int],
        I,
        DESC | IO,
    ),
    sys("readv", &[Fd, out(arg(2), S::Iovecs), Uint], I, DESC | IO),
    sys("writev", &[Fd, inp(arg(2), S::Iovecs), Uint], I, DESC | IO),
    sys("access", &[Path, Flags(F::Access)], I, FILE),
    sys("pipe", &[out(fixed(8), S::IntPair)], I, DESC),
    sys(
        "select",
        &[Int, Ptr, Ptr, Ptr, inp(fixed(16), S::Timeval)],
        I,
        DESC,
    ),
    sys("sched_yield", &[], I, 0),
    sys(
        "mremap",
        &[Ptr, Uint, Uint, Flags(F::Mremap), Ptr],
        Ret::Hex,
        MEMORY,
    ),
    sys("msync", &[Ptr, Uint, Hex], I, MEMORY),
    sys("mincore", &[Ptr, Uint, Ptr], I, MEMORY),
    sys("madvise", &[Ptr, Uint, Flags(F::Madvise)], I, MEMORY),
    sys("shmget", &[Hex, Uint, Hex], I, IPC),
    sys("shmat", &[Int, Ptr, Hex], Ret::Hex, IPC | MEMORY),
    sys("shmctl", &[Int, Int, Ptr], I, IPC),
    sys("dup", &[Fd], Ret::Fd, DESC),
    sys("dup2", &[Fd, Fd], Ret::Fd, DESC),
    sys("pause", &[], I, SIGNAL),
    sys("nanosleep", &[TIMESPEC_IN, TIMESPEC_OUT], I, CLOCK),
    sys("getitimer", &[Int, out(fixed(32), S::Opaque)], I, 0),
    sys("alarm", &[Uint], I, 0),
    sys("setitimer", &[Int, Ptr, Ptr], I, 0),
    sys("getpid", &[], I, PROCESS),
    sys("sendfile", &[Fd, Fd, Ptr, Uint], I, DESC | NETWORK),
    sys(
        "socket",
        &[Flags(F::SockDomain), Flags(F::SockType), Int],
        Ret::Fd,
        NETWORK,
    ),
    sys("connect", &[Fd, inp(arg(2), S::Sockaddr), Uint], I, NETWORK),
    sys("accept", &[Fd, SOCKADDR_OUT, SOCKLEN], Ret::Fd, NETWORK),
    sys(
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
        NETWORK | IO,
    ),
    sys(
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
        NETWORK | IO,
    ),
    sys(
        "sendmsg",
        &[Fd, inp(fixed(56), S::Msghdr), Flags(F::Msg)],
        I,
        NETWORK | IO,
    ),
    sys(
        "recvmsg",
        &[Fd, out(fixed(56), S::Msghdr), Flags(F::Msg)],
        I,
        NETWORK | IO,
    ),
    sys("shutdown", &[Fd, Flags(F::Shut)], I, NETWORK),
    sys("bind", &[Fd, inp(arg(2), S::Sockaddr), Uint], I, NETWORK),
    sys("listen", &[Fd, Int], I, NETWORK),
    sys("getsockname", &[Fd, SOCKADDR_OUT, SOCKLEN], I, NETWORK),
    sys("getpeername", &[Fd, SOCKADDR_OUT, SOCKLEN], I, NETWORK),
    sys(
        "socketpair",
        &[
            Flags(F::SockDomain),
            Flags(F::SockType),
            Int,
            out(fixed(8), S::IntPair),
        ],
        I,
        NETWORK,
    ),
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
        NETWORK,
    ),
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
        NETWORK,
    ),
    sys("clone", &[Flags(F::Clone), Ptr, Ptr, Ptr, Hex], I, PROCESS),
    sys("fork", &[], I, PROCESS),
    sys("vfork", &[], I, PROCESS),
    sys("execve", &[Path, Argv, Envp], Ret::NoReturn, FILE | PROCESS),
    sys("exit", &[Int], Ret::NoReturn, PROCESS),
    sys(
        "wait4",
        &[
            Int,
            out(fixed(4), S::IntVal),
            Flags(F::Wait),
            out(fixed(144), S::Rusage),
        ],
        I,
        PROCESS,
    ),
    sys("kill", &[Int, Signal], I, SIGNAL | PROCESS),
    sys("uname", &[out(fixed(390), S::Utsname)], I, 0),
    sys("fcntl", &[Fd, Flags(F::Fcntl), Hex], I, DESC),
    sys("flock", &[Fd, Flags(F::Lock)], I, DESC),
    sys("fsync", &[Fd], I, DESC),
    sys("fdatasync", &[Fd], I, DESC),
    sys("truncate", &[Path, Int], I, FILE),
    sys("ftruncate", &[Fd, Int], I, DESC),
    sys("getdents", &[Fd, out(RET, S::Opaque), Uint], I, DESC),
    sys("getcwd", &[out(RET, S::OutPath), Uint], I, FILE),
    sys("chdir", &[Path], I, FILE),
    sys("fchdir", &[Fd], I, DESC),
    sys("rename", &[Path, Path], I, FILE),
    sys("mkdir", &[Path, Mode], I, FILE),
    sys("rmdir", &[Path], I, FILE),
    sys("creat", &[Path, Mode], Ret::Fd, DESC | FILE),
    sys("link", &[Path, Path], I, FILE),
    sys("unlink", &[Path], I, FILE),
    sys("symlink", &[Path, Path], I, FILE),
    sys("readlink", &[Path, out(RET, S::Bytes), Uint], I, FILE),
    sys("chmod", &[Path, Mode], I, FILE),
    sys("fchmod", &[Fd, Mode], I, DESC),
    sys("chown", &[Path, Int, Int], I, FILE),
    sys("fchown", &[Fd, Int, Int], I, DESC),
    sys("lchown", &[Path, Int, Int], I, FILE),
    sys("umask", &[Mode], I, 0),
    sys("gettimeofday", &[out(fixed(16), S::Timeval), Ptr], I, CLOCK),
    sys(
        "getrlimit",
        &[Flags(F::Rlimit), out(fixed(16), S::Rlimit)],
        I,
        0,
    ),
    sys("getrusage", &[Int, out(fixed(144), S::Rusage)], I, 0),
    sys("sysinfo", &[out(fixed(112), S::Sysinfo)], I, 0),
    sys("times", &[Ptr], I, 0),
    sys("ptrace", &[Int, Int, Ptr, Ptr], I, 0),
    sys("getuid", &[], I, CREDS),
    sys("getgid", &[], I, CREDS),
    sys("setuid", &[Int], I, CREDS),
    sys("setgid", &[Int], I, CREDS),
    sys("geteuid", &[], I, CREDS),
    sys("getegid", &[], I, CREDS),
    sys("setpgid", &[Int, Int], I, 0),
    sys("getppid", &[], I, 0),
    sys("getpgrp", &[], I, 0),
    sys("setsid", &[], I, 0),
    sys("setreuid", &[Int, Int], I, CREDS),
    sys("setregid", &[Int, Int], I, CREDS),
    sys("getgroups", &[Int, Ptr], I, CREDS),
    sys("setgroups", &[Int, Ptr], I, CREDS),
    sys("setresuid", &[Int, Int, Int], I, CREDS),
    sys("getresuid", &[Ptr, Ptr, Ptr], I, CREDS),
    sys("setresgid", &[Int, Int, Int], I, CREDS),
    sys("getresgid", &[Ptr, Ptr, Ptr], I, CREDS),
    sys("getpgid", &[Int], I, 0),
    sys("getsid", &[Int], I, 0),
    sys("capget", &[Ptr, Ptr], I, CREDS),
    sys("capset", &[Ptr, Ptr], I, CREDS),
    sys("rt_sigpending", &[SIGSET_OUT, Uint], I, SIGNAL),
    sys(
        "rt_sigtimedwait",
        &[SIGSET_IN, Ptr, TIMESPEC_IN, Uint],
        I,
        SIGNAL,
    ),
    sys("rt_sigsuspend", &[SIGSET_IN, Uint], I, SIGNAL),
    sys("sigaltstack", &[Ptr, Ptr], I, SIGNAL),
    sys("mknod", &[Path, Mode, Hex], I, FILE),
    sys(
        "statfs",
        &[Path, out(fixed(120), S::Statfs)],
        I,
        FILE | STAT,
    ),
    sys("fstatfs", &[Fd, out(fixed(120), S::Statfs)], I, DESC | STAT),
    sys("getpriority", &[Int, Int], I, 0),
    sys("setpriority", &[Int, Int, Int], I, 0),
    sys("mlock", &[Ptr, Uint], I, MEMORY),
    sys("munlock", &[Ptr, Uint], I, MEMORY),
    sys("mlockall", &[Hex], I, MEMORY),
    sys("munlockall", &[], I, MEMORY),
    sys("prctl", &[Flags(F::Prctl), Hex, Hex, Hex, Hex], I, 0),
    sys("arch_prctl", &[Flags(F::ArchPrctl), Hex], I, PROCESS),
    sys(
        "setrlimit",
        &[Flags(F::Rlimit), inp(fixed(16), S::Rlimit)],
        I,
        0,
    ),
    sys("chroot", &[Path], I, FILE),
    sys("sync", &[], I, 0),
    sys("mount", &[Str, Path, Str, Hex, Ptr], I, FILE),
    sys("umount2", &[Path, Hex], I, FILE),
    sys("sethostname", &[inp(arg(1), S::Bytes), Uint], I, 0),
    sys("gettid", &[], I, PROCESS),
    sys("readahead", &[Fd, Int, Uint], I, DESC),
    sys(
        "setxattr",
        &[Path, Str, inp(arg(3), S::Bytes), Uint, Hex],
        I,
        FILE,
    ),
    sys(
        "lsetxattr",
        &[Path, Str, inp(arg(3), S::Bytes), Uint, Hex],
        I,
        FILE,
    ),
    sys(
        "fsetxattr",
        &[Fd, Str, inp(arg(3), S::Bytes), Uint, Hex],
        I,
        DESC,
    ),
    sys("getxattr", &[Path, Str, out(RET, S::Bytes), Uint], I, FILE),
    sys("lgetxattr", &[Path, Str, out(RET, S::Bytes), Uint], I, FILE),
    sys("fgetxattr", &[Fd, Str, out(RET, S::Bytes), Uint], I, DESC),
    sys("listxattr", &[Path, out(RET, S::Bytes), Uint], I, FILE),
    sys("llistxattr", &[Path, out(RET, S::Bytes), Uint], I, FILE),
    sys("flistxattr", &[Fd, out(RET, S::Bytes), Uint], I, DESC),
    sys("removexattr", &[Path, Str], I, FILE),
    sys("lremovexattr", &[Path, Str], I, FILE),
    sys("fremovexattr", &[Fd, Str], I, DESC),
    sys("tkill", &[Int, Signal], I, SIGNAL),
    sys("time", &[Ptr], I, CLOCK),
    sys("futex", &[Ptr, Flags(F::Futex), Int, Ptr, Ptr, Int], I, 0),
    sys("sched_setaffinity", &[Int, Uint, Ptr], I, 0),
    sys("sched_getaffinity", &[Int, Uint, Ptr], I, 0),
    sys("set_tid_address", &[Ptr], I, 0),
    sys("fadvise64", &[Fd, Int, Uint, Int], I, DESC),
    sys("timer_create", &[Flags(F::Clock), Ptr, Ptr], I, 0),
    sys("getdents64", &[Fd, out(RET, S::Dirents), Uint], I, DESC),
    sys("restart_syscall", &[], I, 0),
    sys("clock_settime", &[Flags(F::Clock), TIMESPEC_IN], I, CLOCK),
    sys("clock_gettime", &[Flags(F::Clock), TIMESPEC_OUT], I, CLOCK),
    sys("clock_getres", &[Flags(F::Clock), TIMESPEC_OUT], I, CLOCK),
    sys(
        "clock_nanosleep",
        &[Flags(F::Clock), Flags(F::Timer), TIMESPEC_IN, TIMESPEC_OUT],
        I,
        CLOCK,
    ),
    sys("exit_group", &[Int], Ret::NoReturn, PROCESS),
    sys(
        "epoll_wait",
        &[Fd, out(Size::ArgTimes(2, 12), S::EpollEvent), Int, Int],
        I,
        DESC,
    ),
    sys(
        "epoll_ctl",
        &[Fd, Flags(F::EpollCtl), Fd, inp(fixed(12), S::EpollEvent)],
        I,
        DESC,
    ),
    sys("tgkill", &[Int, Int, Signal], I, SIGNAL),
    sys("utimes", &[Path, Ptr], I, FILE),
    sys("waitid", &[Int, Int, Ptr, Flags(F::Wait), Ptr], I, PROCESS),
    sys("inotify_init1", &[Hex], Ret::Fd, DESC),
    sys("inotify_add_watch", &[Fd, Path, Hex], I, DESC | FILE),
    sys(
        "openat",
        &[DirFd, Path, Flags(F::Open), Mode],
        Ret::Fd,
        DESC | FILE,
    ),
    sys("mkdirat", &[DirFd, Path, Mode], I, DESC | FILE),
    sys("mknodat", &[DirFd, Path, Mode, Hex], I, DESC | FILE),
    sys(
        "fchownat",
        &[DirFd, Path, Int, Int, Flags(F::At)],
        I,
        DESC | FILE,
    ),
    sys(
        "newfstatat",
        &[DirFd, Path, STAT_BUF, Flags(F::At)],
        I,
        DESC | FILE | STAT,
    ),
    sys("unlinkat", &[DirFd, Path, Flags(F::At)], I, DESC | FILE),
    sys("renameat", &[DirFd, Path, DirFd, Path], I, DESC | FILE),
    sys(
        "linkat",
        &[DirFd, Path, DirFd, Path, Flags(F::At)],
        I,
        DESC | FILE,
    ),
    sys("symlinkat", &[Path, DirFd, Path], I, DESC | FILE),
    sys(
        "readlinkat",
        &[DirFd, Path, out(RET, S::Bytes), Uint],
        I,
        DESC | FILE,
    ),
    sys("fchmodat", &[DirFd, Path, Mode], I, DESC | FILE),
    sys(
        "faccessat",
        &[DirFd, Path, Flags(F::Access)],
        I,
        DESC | FILE,
    ),
    sys("pselect6", &[Int, Ptr, Ptr, Ptr, TIMESPEC_IN, Ptr], I, DESC),
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
        DESC,
    ),
    sys("unshare", &[Flags(F::Clone)], I, 0),
    sys("set_robust_list", &[Ptr, Uint], I, 0),
    sys("get_robust_list", &[Int, Ptr, Ptr], I, 0),
    sys("splice", &[Fd, Ptr, Fd, Ptr, Uint, Hex], I, DESC),
    sys(
        "utimensat",
        &[DirFd, Path, Ptr, Flags(F::At)],
        I,
        DESC | FILE,
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
        DESC,
    ),
    sys("timerfd_create", &[Flags(F::Clock), Hex], Ret::Fd, DESC),
    sys("fallocate", &[Fd, Hex, Int, Int], I, DESC),
    sys(
        "timerfd_settime",
        &[
            Fd,
            Hex,
            inp(fixed(32), S::Itimerspec),
            out(fixed(32), S::Itimerspec),
        ],
        I,
        DESC,
    ),
    sys(
        "accept4",
        &[Fd, SOCKADDR_OUT, SOCKLEN, Flags(F::SockType)],
        Ret::Fd,
        NETWORK,
    ),
    sys(
        "signalfd4",
        &[Fd, SIGSET_IN, Uint, Hex],
        Ret::Fd,
        DESC | SIGNAL,
    ),
    sys("eventfd2", &[Uint, Flags(F::Eventfd)], Ret::Fd, DESC),
    sys("epoll_create1", &[Flags(F::Epoll)], Ret::Fd, DESC),
    sys("dup3", &[Fd, Fd, Flags(F::Dup3)], Ret::Fd, DESC),
    sys(
        "pipe2",
        &[out(fixed(8), S::IntPair), Flags(F::Pipe)],
        I,
        DESC,
    ),
    sys(
        "preadv",
        &[Fd, out(arg(2), S::Iovecs), Uint, Int],
        I,
        DESC | IO,
    ),
    sys(
        "pwritev",
        &[Fd, inp(arg(2), S::Iovecs), Uint, Int],
        I,
        DESC | IO,
    ),
    sys(
        "prlimit64",
        &[
            Int,
            Flags(F::Rlimit),
            inp(fixed(16), S::Rlimit),
            out(fixed(16), S::Rlimit),
        ],
        I,
        0,
    ),
    sys("sendmmsg", &[Fd, Ptr, Uint, Flags(F::Msg)], I, NETWORK),
    sys("recvmmsg", &[Fd, Ptr, Uint, Flags(F::Msg), Ptr], I, NETWORK),
    sys("getcpu", &[Ptr, Ptr, Ptr], I, 0),
    sys(
        "renameat2",
        &[DirFd, Path, DirFd, Path, Flags(F::Rename)],
        I,
        DESC | FILE,
    ),
    sys(
        "getrandom",
        &[out(RET, S::Bytes), Uint, Flags(F::Random)],
        I,
        0,
    ),
    sys("memfd_create", &[Str, Flags(F::Mfd)], Ret::Fd, DESC),
    sys(
        "execveat",
        &[DirFd, Path, Argv, Envp, Flags(F::At)],
        Ret::NoReturn,
        DESC | FILE | PROCESS,
    ),
    sys("copy_file_range", &[Fd, Ptr, Fd, Ptr, Uint, Hex], I, DESC),
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
        DESC | FILE | STAT,
    ),
    sys("rseq", &[Ptr, Hex, Hex, Hex], I, 0),
    sys("pidfd_open", &[Int, Hex], Ret::Fd, DESC),
    sys("clone3", &[inp(arg(1), S::CloneArgs), Uint], I, PROCESS),
    sys("close_range", &[Fd, Fd, Flags(F::CloseRange)], I, DESC),
    sys("openat2", &[DirFd, Path, Ptr, Uint], Ret::Fd, DESC | FILE),
    sys(
        "faccessat2",
        &[DirFd, Path, Flags(F::Access), Flags(F::At)],
        I,
        DESC | FILE,
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
        DESC,
    ),
    sys(
        "fchmodat2",
        &[DirFd, Path, Mode, Flags(F::At)],
        I,
        DESC | FILE,
    ),
];

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
