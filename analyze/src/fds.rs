//! What each process's file descriptors refer to, rebuilt from the recorded
//! opens, dups, sockets, pipes and closes, forks and execs. Replay follows
//! them once for every view, through every call, shown or not: `show -y`
//! names descriptors with them, `-P` selects by them, `stats --by file`
//! counts bytes per path with them.

use rustc_hash::FxHashMap;

use format::{BodyRef, EventRef, OpenFile};

use crate::{
    decode::{CallView, Device, FcntlEffect, FdEntry, FdTable, SocketEnds, inode_name},
    table::{self, Arg, FdEffect},
};

/// The calls a recording left out (`record -e trace=`) that close or
/// replace a descriptor: with one of those missing, a number that a call
/// left out reused would keep an old name, so descriptors are not named at
/// all (`-y` prints plain numbers). Empty: descriptors can be followed. A
/// rename or unlink left out only leaves a file under the name it was
/// opened by.
pub fn unfollowed_by(header: &format::ArchivedFileHeader) -> Vec<&'static str> {
    let Some(calls) = header.selection.calls.as_ref() else {
        return Vec::new();
    };
    let kept = crate::select::CallFilter::parse(calls.as_str()).ok();
    let arch = header.arch.as_str();
    table::TABLE
        .iter()
        .filter(|s| {
            use FdEffect::*;
            matches!(s.fds, Dups | Fcntl | Closes | ClosesRange)
        })
        // The calls of the recording's architecture (not i386's fcntl64).
        .filter(|s| crate::syscalls::number(arch, s.name).is_some())
        .filter(|s| !kept.as_ref().is_some_and(|k| k.wants_name(s.name)))
        .map(|s| s.name)
        .collect()
}

/// Every process's descriptor table, as far as the trace tells.
#[derive(Default)]
pub struct FdTracker {
    tables: FxHashMap<u32, FdTable>,
}

impl FdTracker {
    pub fn table(&self, pid: u32) -> Option<&FdTable> {
        self.tables.get(&pid)
    }

    /// Applies what a returned call did (see [`changes`]) to process `pid`.
    pub fn apply(&mut self, pid: u32, changes: impl IntoIterator<Item = FdChange>) {
        let mut changes = changes.into_iter().peekable();
        if changes.peek().is_none() {
            return;
        }
        let table = self.tables.entry(pid).or_default();
        // Unix sockets that just got a peer (accept): (peer, socket).
        let mut met = Vec::new();
        // Removals and renames, which every process sees.
        let mut files = Vec::new();
        for change in changes {
            match change {
                FdChange::Set(fd, entry) => {
                    if let Some(SocketEnds::Unix { inode, peer, .. }) = entry.ends
                        && peer != 0
                    {
                        met.push((peer, inode));
                    }
                    table.insert(fd, entry);
                }
                FdChange::Ends(fd, new) => match table.get_mut(&fd) {
                    Some(entry) => {
                        entry.ends = match (new.ends, &entry.ends) {
                            (Some(ends), Some(before)) => Some(ends.keeping_peer_of(before)),
                            (ends, _) => ends,
                        };
                    }
                    None => {
                        table.insert(fd, new);
                    }
                },
                FdChange::Copy(old, new, cloexec) => match table.get(&old).cloned() {
                    Some(entry) => {
                        table.insert(new, FdEntry { cloexec, ..entry });
                    }
                    // A copy of something unknown: `new` no longer is what it was.
                    None => {
                        table.remove(&new);
                    }
                },
                FdChange::Close(fd) => {
                    table.remove(&fd);
                }
                FdChange::CloseRange(first, last) => {
                    table.retain(|fd, _| !(first..=last).contains(fd));
                }
                FdChange::Cloexec(first, last, cloexec) => {
                    for (_, entry) in table
                        .iter_mut()
                        .filter(|(fd, _)| (first..=last).contains(*fd))
                    {
                        entry.cloexec = cloexec;
                    }
                }
                change @ (FdChange::Removed(_) | FdChange::Renamed { .. }) => files.push(change),
            }
        }
        for (connected, accepted) in met {
            self.meet(connected, accepted);
        }
        for change in files {
            self.file_changed(&change);
        }
    }

    /// Names in every process follow a file removed or renamed, as strace
    /// reads them then from /proc: `</tmp/x>(deleted)`, the new name.
    fn file_changed(&mut self, change: &FdChange) {
        let entries = self.tables.values_mut().flat_map(|t| t.values_mut());
        match change {
            FdChange::Removed(path) => {
                for entry in entries.filter(|e| e.name == *path && e.ends.is_none()) {
                    entry.deleted = true;
                }
            }
            FdChange::Renamed { from, to, exchange } => {
                for entry in entries.filter(|e| !e.deleted && e.ends.is_none()) {
                    if let Some(name) = renamed(&entry.name, from, to)
                        .or_else(|| exchange.then(|| renamed(&entry.name, to, from)).flatten())
                    {
                        entry.name = name;
                    }
                }
            }
            _ => {}
        }
    }

    /// A unix socket's peer is an inode only once the other side accepted
    /// it: the connecting socket learns it then, wherever it is traced.
    fn meet(&mut self, connected: u64, accepted: u64) {
        for entry in self.tables.values_mut().flat_map(|t| t.values_mut()) {
            if let Some(SocketEnds::Unix { inode, peer, .. }) = &mut entry.ends
                && *inode == connected
                && *peer == 0
            {
                *peer = accepted;
            }
        }
    }

    /// A new process starts with a copy of its parent's descriptors; an exec
    /// closes the close-on-exec ones.
    pub fn event(&mut self, event: &EventRef<'_>) {
        match event.body {
            BodyRef::Fork { child_pid, .. } if child_pid != event.pid => {
                let parent = self.tables.get(&event.pid).cloned().unwrap_or_default();
                self.tables.insert(child_pid, parent);
            }
            BodyRef::Exec { .. } => {
                if let Some(table) = self.tables.get_mut(&event.pid) {
                    table.retain(|_, entry| !entry.cloexec);
                }
            }
            // What the process had when recording began.
            BodyRef::Files { cwd, fds } => {
                let table = self.tables.entry(event.pid).or_default();
                for file in fds.filter_map(OpenFile::decode) {
                    // /proc's mark of a removed file.
                    let (name, deleted) = match file.name.strip_suffix(b" (deleted)") {
                        Some(name) => (name.to_vec(), true),
                        None => (file.name, false),
                    };
                    let entry = FdEntry {
                        name,
                        device: Device::of(file.device),
                        deleted,
                        ..FdEntry::default()
                    };
                    table.insert(i64::from(file.fd), entry);
                }
                if !cwd.is_empty() {
                    let entry = FdEntry {
                        name: cwd.to_vec(),
                        ..FdEntry::default()
                    };
                    table.insert(AT_FDCWD, entry);
                }
            }
            _ => {}
        }
    }
}

/// A change to a process's descriptors made by a call.
pub enum FdChange {
    Set(i64, FdEntry),
    /// A socket's ends, as the kernel told them after a call (the entry
    /// for a socket the table did not know).
    Ends(i64, FdEntry),
    /// A duplicate of the first descriptor (with its own close-on-exec flag).
    Copy(i64, i64, bool),
    Close(i64),
    /// `close_range(first, last)`.
    CloseRange(i64, i64),
    /// Close-on-exec set or cleared on a range (fcntl F_SETFD, close_range).
    Cloexec(i64, i64, bool),
    /// The file at this path was removed, for every process.
    Removed(Vec<u8>),
    /// The file (or directory) at the first path now has the second; with
    /// RENAME_EXCHANGE, the two swapped.
    Renamed {
        from: Vec<u8>,
        to: Vec<u8>,
        exchange: bool,
    },
}

/// What `fd` refers to once `changes` are applied to `before` (the name
/// only: a copy's close-on-exec flag is not looked at).
pub fn entry_after<'a>(
    before: Option<&'a FdTable>,
    changes: &'a [FdChange],
    fd: i64,
) -> Option<&'a FdEntry> {
    let mut entry = before.and_then(|t| t.get(&fd));
    for change in changes {
        match *change {
            FdChange::Set(set, ref new) if set == fd => entry = Some(new),
            FdChange::Copy(old, new, _) if new == fd => {
                entry = before.and_then(|t| t.get(&old));
            }
            FdChange::Close(closed) if closed == fd => entry = None,
            FdChange::CloseRange(first, last) if (first..=last).contains(&fd) => entry = None,
            _ => {}
        }
    }
    entry
}

/// Where a process's working directory is kept in its table, as the
/// directory descriptor that stands for it.
pub const AT_FDCWD: i64 = -100;

/// `name` after `from` was renamed `to`: itself, or something under it.
fn renamed(name: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    let rest = name.strip_prefix(from)?;
    (rest.is_empty() || rest.starts_with(b"/")).then(|| [to, rest].concat())
}

/// The `k`th path a call names, made absolute from the directory it is
/// relative to (its directory descriptor, or the working directory) where
/// that one is known, `.` and `..` resolved as written.
fn path_named(view: &CallView<'_>, k: usize) -> Option<Vec<u8>> {
    let args = view.syscall.args;
    let at = args
        .iter()
        .enumerate()
        .filter(|(_, a)| **a == Arg::Path)
        .nth(k)?
        .0;
    let dirfd = match at.checked_sub(1).map(|i| (args[i], i)) {
        Some((Arg::DirFd, i)) => fd(view.args[i]),
        _ => AT_FDCWD,
    };
    let path = view.path(at)?;
    let joined = match view.fds.and_then(|t| t.get(&dirfd)) {
        Some(dir) if !path.starts_with(b"/") => [&dir.name[..], b"/", &path].concat(),
        _ if !path.starts_with(b"/") => return None,
        _ => path,
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in joined.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let absolute: Vec<u8> = parts
        .iter()
        .flat_map(|p| [&b"/"[..], p])
        .flatten()
        .copied()
        .collect();
    Some(if absolute.is_empty() {
        b"/".to_vec()
    } else {
        absolute
    })
}

/// A descriptor number from a register.
fn fd(v: u64) -> i64 {
    i64::from(v as u32 as i32)
}

/// The path an open call opened: a relative path joined to its directory
/// descriptor when that one's path is known (as strace -y shows it).
pub fn open_path(view: &CallView<'_>) -> Option<Vec<u8>> {
    let syscall = view.syscall;
    if !matches!(syscall.fds, FdEffect::Opens | FdEffect::Creates) {
        return None;
    }
    let path = view.path(syscall.arg_index(Arg::Path)?)?;
    let dirfd = syscall
        .arg_index(Arg::DirFd)
        .map_or(AT_FDCWD, |i| fd(view.args[i]));
    // The kernel's own name for what was opened, where it was recorded.
    if let Some(named) = view.kernel_path(table::ARG_FD_PATH) {
        return Some(named);
    }
    match view.fds.and_then(|t| t.get(&dirfd)) {
        Some(dir) if !path.starts_with(b"/") => {
            let mut joined = dir.name.clone();
            joined.push(b'/');
            joined.extend_from_slice(&path);
            Some(joined)
        }
        _ => Some(path),
    }
}

/// What a returned call did to its process's descriptors, added to `out`. A
/// descriptor a call returns that is not named here is forgotten: its number
/// was reused.
pub fn changes(view: &CallView<'_>, out: &mut Vec<FdChange>) {
    let Some(ret) = view.result().filter(|r| *r >= 0) else {
        return;
    };
    let args = view.args;
    let set = |fd: i64, name: &[u8], cloexec: bool| {
        FdChange::Set(
            fd,
            FdEntry {
                name: name.to_vec(),
                cloexec,
                ..FdEntry::default()
            },
        )
    };
    let cloexec = view.syscall.cloexec(&view.args);
    match view.syscall.fds {
        FdEffect::Opens | FdEffect::Creates => out.push(match open_path(view) {
            Some(name) => FdChange::Set(
                ret,
                FdEntry {
                    name,
                    cloexec,
                    device: view.device(),
                    ..FdEntry::default()
                },
            ),
            None => FdChange::Close(ret),
        }),
        FdEffect::Dups => out.push(FdChange::Copy(fd(args[0]), ret, cloexec)),
        FdEffect::Fcntl => match view.fcntl_effect() {
            Some(FcntlEffect::Dup { cloexec }) => {
                out.push(FdChange::Copy(fd(args[0]), ret, cloexec))
            }
            Some(FcntlEffect::SetCloexec(on)) => {
                out.push(FdChange::Cloexec(fd(args[0]), fd(args[0]), on));
            }
            None => {}
        },
        FdEffect::Closes => out.push(FdChange::Close(fd(args[0]))),
        FdEffect::ClosesRange => {
            const CLOSE_RANGE_CLOEXEC: u64 = 4;
            let (first, last) = (fd(args[0]), args[1].min(i32::MAX as u64) as i64);
            out.push(if args[2] & CLOSE_RANGE_CLOEXEC != 0 {
                FdChange::Cloexec(first, last, true)
            } else {
                FdChange::CloseRange(first, last)
            });
        }
        FdEffect::Socket => {
            let mut entry = view.socket().unwrap_or(FdEntry {
                name: inode_name("socket", view.fd_inodes().first().copied()),
                cloexec,
                ..FdEntry::default()
            });
            entry.cloexec = cloexec;
            out.push(FdChange::Set(ret, entry));
        }
        FdEffect::Removes => {
            if let Some(path) = path_named(view, 0) {
                out.push(FdChange::Removed(path));
            }
        }
        FdEffect::Renames => {
            const RENAME_EXCHANGE: u64 = 2;
            if let (Some(from), Some(to)) = (path_named(view, 0), path_named(view, 1)) {
                let exchange = view.args[4] & RENAME_EXCHANGE != 0 && view.syscall.args.len() == 5;
                out.push(FdChange::Renamed { from, to, exchange });
            }
        }
        FdEffect::SocketEnds => {
            if let Some(entry) = view.socket() {
                out.push(FdChange::Ends(fd(args[0]), entry));
            }
        }
        FdEffect::Pair(_) => {
            if let Some(pair) = view.fd_pair() {
                out.extend(pair.map(|(fd, entry)| FdChange::Set(fd, entry)));
            }
        }
        // Descriptors of kernel objects, named as /proc names them.
        FdEffect::Anon(name) => out.push(set(ret, name.as_bytes(), false)),
        FdEffect::None if view.syscall.ret == table::Ret::Fd => out.push(FdChange::Close(ret)),
        FdEffect::None => {}
    }
    // The working directory, kept as `AT_FDCWD`'s entry.
    if let Some(cwd) = view.kernel_path(table::ARG_CWD) {
        out.push(set(AT_FDCWD, &cwd, false));
    }
}
