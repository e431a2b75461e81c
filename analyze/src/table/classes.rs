//! strace's trace classes (`-e trace=%file`, `%net`, `%%stat`, ...): which
//! syscalls each one holds, by name, for every syscall strace names, whether
//! or not the table decodes it.
//!
//! The lists are what strace 6.1 selects on x86_64, read off it by tracing a
//! program that makes every syscall once (the `strace_classes` test does it
//! again and compares), plus the syscalls newer than strace 6.1, classed as
//! later strace releases class them (fchmodat2, cachestat, mseal, ...).

use std::{collections::HashMap, sync::OnceLock};

/// A set of classes, one bit each.
pub type Classes = u32;

pub const FILE: Classes = 1 << 0;
pub const DESC: Classes = 1 << 1;
pub const NETWORK: Classes = 1 << 2;
pub const PROCESS: Classes = 1 << 3;
pub const MEMORY: Classes = 1 << 4;
pub const SIGNAL: Classes = 1 << 5;
pub const IPC: Classes = 1 << 6;
pub const CREDS: Classes = 1 << 7;
pub const CLOCK: Classes = 1 << 8;
pub const STAT: Classes = 1 << 9;
pub const LSTAT: Classes = 1 << 10;
pub const FSTAT: Classes = 1 << 11;
pub const STAT_LIKE: Classes = 1 << 12;
pub const STATFS: Classes = 1 << 13;
pub const FSTATFS: Classes = 1 << 14;
pub const STATFS_LIKE: Classes = 1 << 15;
pub const PURE: Classes = 1 << 16;

/// The class `%NAME` names (`name` without its `%`), as strace spells them.
pub fn by_name(name: &str) -> Option<Classes> {
    Some(match name {
        "file" => FILE,
        "desc" => DESC,
        "network" | "net" => NETWORK,
        "process" => PROCESS,
        "memory" => MEMORY,
        "signal" => SIGNAL,
        "ipc" => IPC,
        "creds" => CREDS,
        "clock" => CLOCK,
        "stat" => STAT,
        "lstat" => LSTAT,
        "fstat" => FSTAT,
        "%stat" => STAT_LIKE,
        "statfs" => STATFS,
        "fstatfs" => FSTATFS,
        "%statfs" => STATFS_LIKE,
        "pure" => PURE,
        _ => return None,
    })
}

/// The classes strace also accepts without a `%` (`-e trace=file`): the
/// seven older ones. strace 6.1 refuses a bare `creds`, `net` or `clock`.
pub fn by_bare_name(name: &str) -> Option<Classes> {
    match name {
        "file" | "desc" | "network" | "process" | "memory" | "signal" | "ipc" => by_name(name),
        _ => None,
    }
}

/// The classes syscall `name` belongs to (none for a name strace does not class).
pub fn of(name: &str) -> Classes {
    static INDEX: OnceLock<HashMap<&'static str, Classes>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for (class, names) in MEMBERS {
            for name in *names {
                *index.entry(*name).or_default() |= class;
            }
        }
        index
    });
    index.get(name).copied().unwrap_or(0)
}

/// Every syscall of `class`, by name.
pub fn members(class: Classes) -> impl Iterator<Item = &'static str> {
    MEMBERS
        .iter()
        .filter(move |(c, _)| *c == class)
        .flat_map(|(_, names)| names.iter().copied())
}

static MEMBERS: &[(Classes, &[&str])] = &[
    // %file: take a file name
    (
        FILE,
        &[
            "access",
            "acct",
            "chdir",
            "chmod",
            "chown",
            "chroot",
            "creat",
            "execve",
            "execveat",
            "faccessat",
            "faccessat2",
            "fanotify_mark",
            "fchmodat",
            "fchmodat2",
            "fchownat",
            "fsconfig",
            "fspick",
            "futimesat",
            "getcwd",
            "getxattr",
            "getxattrat",
            "inotify_add_watch",
            "lchown",
            "lgetxattr",
            "link",
            "linkat",
            "listxattr",
            "listxattrat",
            "llistxattr",
            "lremovexattr",
            "lsetxattr",
            "lstat",
            "mkdir",
            "mkdirat",
            "mknod",
            "mknodat",
            "mount",
            "mount_setattr",
            "move_mount",
            "name_to_handle_at",
            "newfstatat",
            "open",
            "open_tree",
            "openat",
            "openat2",
            "pivot_root",
            "quotactl",
            "readlink",
            "readlinkat",
            "removexattr",
            "removexattrat",
            "rename",
            "renameat",
            "renameat2",
            "rmdir",
            "setxattr",
            "setxattrat",
            "stat",
            "statfs",
            "statx",
            "swapoff",
            "swapon",
            "symlink",
            "symlinkat",
            "truncate",
            "umount2",
            "unlink",
            "unlinkat",
            "uselib",
            "utime",
            "utimensat",
            "utimes",
        ],
    ),
    // %desc: take or return a descriptor
    (
        DESC,
        &[
            "bpf",
            "cachestat",
            "close",
            "copy_file_range",
            "creat",
            "dup",
            "dup2",
            "dup3",
            "epoll_create",
            "epoll_create1",
            "epoll_ctl",
            "epoll_pwait",
            "epoll_pwait2",
            "epoll_wait",
            "eventfd",
            "eventfd2",
            "execveat",
            "faccessat",
            "faccessat2",
            "fadvise64",
            "fallocate",
            "fanotify_init",
            "fanotify_mark",
            "fchdir",
            "fchmod",
            "fchmodat",
            "fchmodat2",
            "fchown",
            "fchownat",
            "fcntl",
            "fdatasync",
            "fgetxattr",
            "finit_module",
            "flistxattr",
            "flock",
            "fremovexattr",
            "fsconfig",
            "fsetxattr",
            "fsmount",
            "fsopen",
            "fspick",
            "fstat",
            "fstatfs",
            "fsync",
            "ftruncate",
            "futimesat",
            "getdents",
            "getdents64",
            "getxattrat",
            "inotify_add_watch",
            "inotify_init",
            "inotify_init1",
            "inotify_rm_watch",
            "io_uring_enter",
            "io_uring_register",
            "io_uring_setup",
            "ioctl",
            "kexec_file_load",
            "landlock_add_rule",
            "landlock_create_ruleset",
            "landlock_restrict_self",
            "linkat",
            "listxattrat",
            "lseek",
            "memfd_create",
            "memfd_secret",
            "mkdirat",
            "mknodat",
            "mmap",
            "mount_setattr",
            "move_mount",
            "mq_getsetattr",
            "mq_notify",
            "mq_open",
            "mq_timedreceive",
            "mq_timedsend",
            "name_to_handle_at",
            "newfstatat",
            "open",
            "open_by_handle_at",
            "open_tree",
            "openat",
            "openat2",
            "perf_event_open",
            "pidfd_getfd",
            "pidfd_open",
            "pidfd_send_signal",
            "pipe",
            "pipe2",
            "poll",
            "ppoll",
            "pread64",
            "preadv",
            "preadv2",
            "process_madvise",
            "process_mrelease",
            "pselect6",
            "pwrite64",
            "pwritev",
            "pwritev2",
            "quotactl_fd",
            "read",
            "readahead",
            "readlinkat",
            "readv",
            "removexattrat",
            "renameat",
            "renameat2",
            "select",
            "sendfile",
            "setns",
            "setxattrat",
            "signalfd",
            "signalfd4",
            "splice",
            "statx",
            "symlinkat",
            "sync_file_range",
            "syncfs",
            "tee",
            "timerfd_create",
            "timerfd_gettime",
            "timerfd_settime",
            "unlinkat",
            "userfaultfd",
            "utimensat",
            "vmsplice",
            "write",
            "writev",
        ],
    ),
    // %network (%net)
    (
        NETWORK,
        &[
            "accept",
            "accept4",
            "bind",
            "connect",
            "getpeername",
            "getpmsg",
            "getsockname",
            "getsockopt",
            "listen",
            "putpmsg",
            "recvfrom",
            "recvmmsg",
            "recvmsg",
            "sendfile",
            "sendmmsg",
            "sendmsg",
            "sendto",
            "setsockopt",
            "shutdown",
            "socket",
            "socketpair",
        ],
    ),
    // %process: process life
    (
        PROCESS,
        &[
            "clone",
            "clone3",
            "execve",
            "execveat",
            "exit",
            "exit_group",
            "fork",
            "kill",
            "pidfd_send_signal",
            "rt_sigqueueinfo",
            "rt_tgsigqueueinfo",
            "tgkill",
            "tkill",
            "vfork",
            "wait4",
            "waitid",
        ],
    ),
    // %memory: mappings
    (
        MEMORY,
        &[
            "brk",
            "get_mempolicy",
            "io_destroy",
            "io_setup",
            "io_uring_register",
            "madvise",
            "map_shadow_stack",
            "mbind",
            "migrate_pages",
            "mincore",
            "mlock",
            "mlock2",
            "mlockall",
            "mmap",
            "move_pages",
            "mprotect",
            "mremap",
            "mseal",
            "msync",
            "munlock",
            "munlockall",
            "munmap",
            "pkey_mprotect",
            "remap_file_pages",
            "set_mempolicy",
            "set_mempolicy_home_node",
            "shmat",
            "shmdt",
        ],
    ),
    // %signal
    (
        SIGNAL,
        &[
            "io_uring_enter",
            "kill",
            "pause",
            "pidfd_send_signal",
            "rt_sigaction",
            "rt_sigpending",
            "rt_sigprocmask",
            "rt_sigqueueinfo",
            "rt_sigreturn",
            "rt_sigsuspend",
            "rt_sigtimedwait",
            "rt_tgsigqueueinfo",
            "sigaltstack",
            "signalfd",
            "signalfd4",
            "tgkill",
            "tkill",
        ],
    ),
    // %ipc: System V IPC
    (
        IPC,
        &[
            "msgctl",
            "msgget",
            "msgrcv",
            "msgsnd",
            "semctl",
            "semget",
            "semop",
            "semtimedop",
            "shmat",
            "shmctl",
            "shmdt",
            "shmget",
        ],
    ),
    // %creds: user and group ids, capabilities
    (
        CREDS,
        &[
            "capget",
            "capset",
            "getegid",
            "geteuid",
            "getgid",
            "getgroups",
            "getresgid",
            "getresuid",
            "getuid",
            "prctl",
            "setfsgid",
            "setfsuid",
            "setgid",
            "setgroups",
            "setregid",
            "setresgid",
            "setresuid",
            "setreuid",
            "setuid",
        ],
    ),
    // %clock: read or set clocks
    (
        CLOCK,
        &[
            "adjtimex",
            "clock_adjtime",
            "clock_getres",
            "clock_gettime",
            "clock_settime",
            "gettimeofday",
            "settimeofday",
            "time",
        ],
    ),
    // %stat: stat a file name
    (STAT, &["stat"]),
    // %lstat
    (LSTAT, &["lstat"]),
    // %fstat: stat a descriptor
    (FSTAT, &["fstat", "newfstatat", "statx"]),
    // %%stat: every stat variant
    (
        STAT_LIKE,
        &["fstat", "lstat", "newfstatat", "stat", "statx"],
    ),
    // %statfs
    (STATFS, &["statfs"]),
    // %fstatfs
    (FSTATFS, &["fstatfs"]),
    // %%statfs: every statfs variant
    (STATFS_LIKE, &["fstatfs", "statfs", "ustat"]),
    // %pure: never fail, take no arguments
    (
        PURE,
        &[
            "getegid", "geteuid", "getgid", "getpgrp", "getpid", "getppid", "gettid", "getuid",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscalls_are_in_strace_s_classes() {
        assert_eq!(of("openat"), FILE | DESC);
        assert_eq!(of("fstat"), DESC | FSTAT | STAT_LIKE);
        assert_eq!(of("getpid"), PURE);
        assert_eq!(of("sched_yield"), 0);
        assert_eq!(by_name("%stat"), Some(STAT_LIKE));
        assert_eq!(by_bare_name("clock"), None);
        assert_eq!(by_bare_name("creds"), None);
        assert_eq!(by_bare_name("ipc"), Some(IPC));
        assert!(members(NETWORK).any(|n| n == "accept4"));
    }
}
