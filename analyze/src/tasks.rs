//! What replay knows of each task beside its descriptors: its command name
//! (strace's `-Y`), the exec its call in progress made (for an execve whose
//! own copy faulted), and which ended processes their parents have not
//! reaped yet.

use rustc_hash::{FxHashMap, FxHashSet};

use format::{ArchivedIndex, BodyRef, EventRef};

/// What an exec record says of the new program.
#[derive(Clone, Debug)]
pub struct Exec {
    pub filename: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    /// Where the recording has it.
    pub envp: Option<format::Environment>,
}

#[derive(Default)]
pub struct Tasks {
    /// Followed only when asked (`-Y`): the index's names, then each exec's.
    comms: FxHashMap<u32, String>,
    follow_comms: bool,
    /// Processes that ended and are not yet reaped: strace names them until
    /// then (`si_pid=1234<sh>`).
    zombies: FxHashSet<u32>,
    /// Per thread, the exec its call in progress made.
    execs: FxHashMap<u32, Exec>,
    /// Per thread in a pid namespace of its own, its id there.
    ns_tids: FxHashMap<u32, u32>,
}

impl Tasks {
    /// With command names (`comms`) from the trace's index, when asked
    /// (a recording still being written has none yet: the names come from
    /// its events).
    pub fn new(index: Option<&ArchivedIndex>, comms: bool) -> Self {
        Self {
            comms: match index {
                Some(index) if comms => commands(index),
                _ => FxHashMap::default(),
            },
            follow_comms: comms,
            ..Self::default()
        }
    }

    /// Each task's command name, as far as followed.
    pub fn comms(&self) -> &FxHashMap<u32, String> {
        &self.comms
    }

    /// The id task `tid` has in its own pid namespace (`show --ns-pids`),
    /// where the recording knows one.
    pub fn ns_tid(&self, tid: u32) -> Option<u32> {
        self.ns_tids.get(&tid).copied()
    }

    pub fn comm(&self, tid: u32) -> Option<&str> {
        self.comms.get(&tid).map(String::as_str)
    }

    /// The exec thread `tid`'s call in progress made (an execve's exit
    /// comes after its exec record), for an execve whose own copies faulted.
    pub fn exec(&self, tid: u32) -> Option<&Exec> {
        self.execs.get(&tid)
    }

    /// Thread `tid` entered a call: the exec of its last one is not this one's.
    pub fn entered(&mut self, tid: u32) {
        self.execs.remove(&tid);
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
            BodyRef::Exec {
                filename,
                argv,
                envp,
                ..
            } => {
                if self.follow_comms {
                    // The kernel's comm: the file's name, cut at 15 bytes.
                    let base = filename.rsplit(|&b| b == b'/').next().unwrap_or_default();
                    let comm = String::from_utf8_lossy(&base[..base.len().min(15)]);
                    self.comms.insert(tid, comm.into_owned());
                }
                self.execs.insert(tid, exec_of(filename, argv, envp));
            }
            BodyRef::NsTid { ns_tid } => {
                self.ns_tids.insert(tid, ns_tid);
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
fn commands(index: &ArchivedIndex) -> FxHashMap<u32, String> {
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

/// An exec record's filename, argv and environment, owned.
pub fn exec_of<'a>(
    filename: &[u8],
    argv: impl Iterator<Item = &'a [u8]>,
    envp: Option<(format::Argv<'a>, bool)>,
) -> Exec {
    Exec {
        filename: filename.to_vec(),
        argv: argv.map(<[u8]>::to_vec).collect(),
        envp: envp.map(|(vars, cut)| format::Environment {
            vars: vars.map(<[u8]>::to_vec).collect(),
            cut,
        }),
    }
}
