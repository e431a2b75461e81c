//! What each process's file descriptors refer to, rebuilt from the recorded
//! opens, dups, sockets, pipes and closes, forks and execs: `show -y` names
//! descriptors with it, `stats --by file` counts bytes per path with it.

use rustc_hash::FxHashMap;

use format::{BodyRef, EventRef};

use crate::decode::{CallView, FdEntry, FdTable};

/// Every process's descriptor table, as far as the trace tells.
#[derive(Default)]
pub struct FdTracker {
    tables: FxHashMap<u32, FdTable>,
}

impl FdTracker {
    pub fn table(&self, pid: u32) -> Option<&FdTable> {
        self.tables.get(&pid)
    }

    /// What descriptor `fd` of process `pid` refers to, if known.
    pub fn name(&self, pid: u32, fd: i64) -> Option<&[u8]> {
        Some(&self.tables.get(&pid)?.get(&fd)?.name)
    }

    /// Applies what a returned call did (see [`changes`]) to process `pid`.
    pub fn apply(&mut self, pid: u32, changes: Vec<FdChange>) {
        if changes.is_empty() {
            return;
        }
        let table = self.tables.entry(pid).or_default();
        for change in changes {
            match change {
                FdChange::Set(fd, entry) => {
                    table.insert(fd, entry);
                }
                FdChange::Copy(old, new, cloexec) => {
                    if let Some(entry) = table.get(&old).cloned() {
                        table.insert(new, FdEntry { cloexec, ..entry });
                    }
                }
                FdChange::Close(fd) => {
                    table.remove(&fd);
                }
            }
        }
    }

    /// A new process starts with a copy of its parent's descriptors; an exec
    /// closes the close-on-exec ones.
    pub fn event(&mut self, event: &EventRef<'_>) {
        match event.body {
            BodyRef::Fork { child_pid, .. } if child_pid != event.pid => {
                if let Some(parent) = self.tables.get(&event.pid).cloned() {
                    self.tables.insert(child_pid, parent);
                }
            }
            BodyRef::Exec { .. } => {
                if let Some(table) = self.tables.get_mut(&event.pid) {
                    table.retain(|_, entry| !entry.cloexec);
                }
            }
            _ => {}
        }
    }
}

/// A change to a process's descriptors made by a call.
pub enum FdChange {
    Set(i64, FdEntry),
    /// A duplicate of the first descriptor (with its own close-on-exec flag).
    Copy(i64, i64, bool),
    Close(i64),
}

pub fn changes(view: &CallView<'_>) -> Vec<FdChange> {
    const O_CLOEXEC: u64 = 0o2_000_000;
    let Some(ret) = view.result().filter(|r| *r >= 0) else {
        return Vec::new();
    };
    let args = view.args;
    let fd = |v: u64| i64::from(v as u32 as i32);
    let set = |fd: i64, name: &[u8], cloexec: bool| {
        FdChange::Set(
            fd,
            FdEntry {
                name: name.to_vec(),
                cloexec,
            },
        )
    };
    match view.syscall.name {
        "open" | "creat" => view
            .path(0)
            .map(|p| {
                set(
                    ret,
                    &p,
                    view.syscall.name == "open" && args[1] & O_CLOEXEC != 0,
                )
            })
            .into_iter()
            .collect(),
        "openat" | "openat2" => view
            .path(1)
            .map(|p| {
                set(
                    ret,
                    &p,
                    view.syscall.name == "openat" && args[2] & O_CLOEXEC != 0,
                )
            })
            .into_iter()
            .collect(),
        "dup" | "dup2" => vec![FdChange::Copy(fd(args[0]), ret, false)],
        "dup3" => vec![FdChange::Copy(fd(args[0]), ret, args[2] & O_CLOEXEC != 0)],
        "fcntl" if matches!(args[1], 0 | 1030) => {
            vec![FdChange::Copy(fd(args[0]), ret, args[1] == 1030)]
        }
        "close" => vec![FdChange::Close(fd(args[0]))],
        "socket" => vec![set(ret, b"socket", args[1] & O_CLOEXEC != 0)],
        "accept" => vec![set(ret, b"socket", false)],
        "accept4" => vec![set(ret, b"socket", args[3] & O_CLOEXEC != 0)],
        "pipe" | "pipe2" | "socketpair" => {
            let (arg, name, flags) = match view.syscall.name {
                "socketpair" => (3, &b"socket"[..], args[1]),
                "pipe2" => (0, &b"pipe"[..], args[1]),
                _ => (0, &b"pipe"[..], 0),
            };
            let cloexec = flags & O_CLOEXEC != 0;
            view.int_pair(arg)
                .map(|(a, b)| vec![set(a, name, cloexec), set(b, name, cloexec)])
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}
