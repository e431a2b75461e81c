//! What a traced process already has open when recording begins, read
//! from /proc: strace -y names such descriptors (a terminal, an inherited
//! pipe, a file opened before `-p` attached) from /proc as it prints them;
//! the trace keeps them in a `Files` event before the process's first.
//! Likewise the ids its threads have in a pid namespace of its own (a
//! container's), in `NsTid` events.

use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use format::{Body, Event, OpenFile};

/// The files process `pid` has open and its working directory, as an
/// event. A process about to exec (`before_exec`) loses its close-on-exec
/// descriptors there: they are left out. `None` when /proc has no such
/// process.
pub fn snapshot(pid: u32, before_exec: bool) -> Option<Event> {
    let process = Path::new("/proc").join(pid.to_string());
    let cwd = std::fs::read_link(process.join("cwd"))
        .map(|p| p.as_os_str().as_bytes().to_vec())
        .unwrap_or_default();
    let mut fds: Vec<OpenFile> = std::fs::read_dir(process.join("fd"))
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let fd: i32 = entry.file_name().to_str()?.parse().ok()?;
            if before_exec && closes_on_exec(&process, fd) {
                return None;
            }
            let name = std::fs::read_link(entry.path()).ok()?;
            Some(OpenFile {
                fd,
                device: device(&entry.path()),
                name: name.as_os_str().as_bytes().to_vec(),
            })
        })
        .collect();
    fds.sort_by_key(|file| file.fd);
    Some(Event {
        tid: pid,
        pid,
        cpu: 0,
        ts: crate::machine::monotonic_ns(),
        body: Body::Files { cwd, fds },
    })
}

/// Whether descriptor `fd` has O_CLOEXEC (its fdinfo's octal `flags`).
fn closes_on_exec(process: &Path, fd: i32) -> bool {
    const O_CLOEXEC: u32 = 0o2000000;
    let info = std::fs::read_to_string(process.join("fdinfo").join(fd.to_string()));
    info.ok()
        .and_then(|info| {
            let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
            u32::from_str_radix(flags.trim(), 8).ok()
        })
        .is_some_and(|flags| flags & O_CLOEXEC != 0)
}

/// A device file's mode and number as the kernel has them (see
/// `format::OpenFile::device`); 0 for anything else.
fn device(link: &Path) -> u64 {
    const S_IFMT: u32 = 0o170000;
    let Ok(meta) = std::fs::metadata(link) else {
        return 0;
    };
    if !matches!(meta.mode() & S_IFMT, 0o020000 | 0o060000) {
        return 0;
    }
    let rdev = meta.rdev();
    let (major, minor) = (libc::major(rdev), libc::minor(rdev));
    (u64::from(meta.mode()) << 32) | u64::from(major << 20 | minor)
}

/// The ids the threads of process `pid` have in its own pid namespace,
/// where that is not the machine's (the last of /proc's `NSpid:` values), as
/// events; none for a process in the machine's namespace, or gone.
pub fn namespace_ids(pid: u32) -> Vec<Event> {
    let task = Path::new("/proc").join(pid.to_string()).join("task");
    let Ok(threads) = std::fs::read_dir(task) else {
        return Vec::new();
    };
    threads
        .flatten()
        .filter_map(|entry| {
            let tid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            let ids = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
            let ns_tid: u32 = ids.split_whitespace().last()?.parse().ok()?;
            (ns_tid != tid).then(|| Event {
                tid,
                pid,
                cpu: 0,
                ts: crate::machine::monotonic_ns(),
                body: Body::NsTid { ns_tid },
            })
        })
        .collect()
}
