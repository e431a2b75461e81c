//! What replay knows of each task beside its descriptors: its command name
//! (strace's `-Y`), the exec its execve in progress made (for one whose own
//! copy faulted), and which ended processes their parents have not reaped
//! yet.

use rustc_hash::{FxHashMap, FxHashSet};

use format::{BodyRef, EventRef, Filter, Trace};

/// An exec's filename and argv.
pub type Exec = (Vec<u8>, Vec<Vec<u8>>);

#[derive(Default)]
pub struct Tasks {
    /// Followed only when asked (`-Y`): the index's names, then each exec's.
    comms: FxHashMap<u32, String>,
    follow_comms: bool,
    /// Processes that ended and are not yet reaped: strace names them until
    /// then (`si_pid=1234<sh>`).
    zombies: FxHashSet<u32>,
    /// Per thread in an execve whose copies faulted, the exec it made.
    execs: FxHashMap<u32, Exec>,
}

impl Tasks {
    /// With command names (`comms`) from the trace's index, when asked.
    pub fn new(trace: &Trace, comms: bool) -> Self {
        Self {
            comms: if comms {
                commands(trace)
            } else {
                FxHashMap::default()
            },
            follow_comms: comms,
            ..Self::default()
        }
    }

    /// Each task's command name, as far as followed.
    pub fn comms(&self) -> &FxHashMap<u32, String> {
        &self.comms
    }

    pub fn comm(&self, tid: u32) -> Option<&str> {
        self.comms.get(&tid).map(String::as_str)
    }

    /// The exec thread `tid`'s execve in progress made, when its own copies
    /// faulted (see [`Tasks::look_ahead_for_exec`]).
    pub fn exec(&self, tid: u32) -> Option<&Exec> {
        self.execs.get(&tid)
    }

    /// An execve entered at `ts` whose copy of its path or argv faulted (a
    /// page this process has not touched yet is not in its memory, and a
    /// probe cannot fault it in; after the exec the old memory is gone):
    /// the exec record that follows holds both, as the kernel took them.
    /// strace prints them at the enter, before that record comes, so it is
    /// looked for ahead: the thread's next event, unless that is another
    /// call's or its exit (the execve failed, and made none).
    pub fn look_ahead_for_exec(&mut self, trace: &Trace, tid: u32, ts: u64) {
        self.execs.remove(&tid);
        let ahead = Filter {
            tids: Some(vec![tid]),
            since: Some(ts),
            until: None,
        };
        for i in trace.select(&ahead) {
            // A chunk that does not decode: the replay reports it.
            let Ok(chunk) = trace.chunk(i) else {
                return;
            };
            let after = chunk
                .events()
                .filter(|e| ahead.wants(e))
                .skip_while(|e| e.ts == ts && matches!(e.body, BodyRef::SysEnter { .. }));
            for event in after {
                match event.body {
                    BodyRef::Exec { filename, argv, .. } => {
                        let exec = (filename.to_vec(), argv.map(<[u8]>::to_vec).collect());
                        self.execs.insert(tid, exec);
                        return;
                    }
                    BodyRef::SysEnter { .. }
                    | BodyRef::SysExit { .. }
                    | BodyRef::TaskExit { .. } => {
                        return;
                    }
                    _ => {}
                }
            }
        }
    }

    /// A call returned `pid` (wait4, waitid): an ended process it names was
    /// reaped, and is no longer named.
    pub fn returned_pid(&mut self, pid: u32) {
        if self.zombies.remove(&pid) {
            self.comms.remove(&pid);
        }
    }

    /// Forks inherit the name, execs set it, ends forget a thread's (a
    /// process's waits for its parent's wait).
    pub fn event(&mut self, event: &EventRef<'_>) {
        let tid = event.tid;
        match event.body {
            BodyRef::Fork { child_tid, .. } => {
                if let Some(comm) = self.comms.get(&tid).cloned() {
                    self.comms.insert(child_tid, comm);
                }
            }
            BodyRef::Exec { filename, .. } if self.follow_comms => {
                // The kernel's comm: the file's name, cut at 15 bytes.
                let base = filename.rsplit(|&b| b == b'/').next().unwrap_or_default();
                let comm = String::from_utf8_lossy(&base[..base.len().min(15)]);
                self.comms.insert(tid, comm.into_owned());
            }
            BodyRef::TaskExit { .. } => {
                self.execs.remove(&tid);
                if tid == event.pid {
                    self.zombies.insert(tid);
                } else {
                    self.comms.remove(&tid);
                }
            }
            _ => {}
        }
    }
}

/// Each task's command name as the index knows it (its last).
fn commands(trace: &Trace) -> FxHashMap<u32, String> {
    let index = trace.index();
    let comm_of = |pid: u32| {
        index
            .processes
            .iter()
            .find(|p| p.pid == pid)
            .map(|p| String::from_utf8_lossy(&p.comm).into_owned())
    };
    index
        .threads
        .iter()
        .filter_map(|t| Some((t.tid.to_native(), comm_of(t.pid.to_native())?)))
        .collect()
}
