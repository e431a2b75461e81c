//! The events a trace holds, in two forms: [`Event`] owns its data (what producers
//! and tests build), [`EventRef`] borrows it from a decoded chunk (what readers get,
//! with no copy). [`EventRef::to_owned`] links the two.

use crate::varint::Cursor;

pub use abi::CaptureStatus;

/// A snapshot of user memory named by one syscall argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Capture {
    /// Index of the argument (0..6) that pointed at the memory.
    pub arg: u8,
    pub status: CaptureStatus,
    pub data: Vec<u8>,
}

impl Capture {
    /// A pseudo argument's value (`abi::ARG_STACK`, `ARG_IP`, ...): its
    /// first 8 bytes, native-endian.
    pub fn value(&self) -> Option<u64> {
        capture_value(&self.data)
    }
}

/// The first 8 bytes of a capture, native-endian.
fn capture_value(data: &[u8]) -> Option<u64> {
    Some(u64::from_ne_bytes(data.get(..8)?.try_into().ok()?))
}

/// One event as the kernel reported it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    pub tid: u32,
    /// Thread group id (the process id).
    pub pid: u32,
    pub cpu: u32,
    /// CLOCK_MONOTONIC nanoseconds.
    pub ts: u64,
    pub body: Body,
}

/// What happened, with the data of each kind of event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// raw_syscalls/sys_enter, with in-buffers and strings copied at entry.
    SysEnter {
        /// The syscall number; a call made through a 32-bit ABI (`int
        /// $0x80` on x86_64) is `abi::COMPAT_NR_BASE` plus its own.
        nr: i64,
        args: [u64; 6],
        captures: Vec<Capture>,
    },
    /// raw_syscalls/sys_exit, with out-buffers copied at exit.
    SysExit {
        nr: i64,
        ret: i64,
        captures: Vec<Capture>,
    },
    /// A new task: a thread when `child_pid` equals the parent's pid, else a process.
    Fork { child_tid: u32, child_pid: u32 },
    /// A successful execve: the new program and its command name.
    Exec {
        filename: Vec<u8>,
        comm: Vec<u8>,
        argv: Vec<Vec<u8>>,
        /// Its environment, where recorded (from version 3 on).
        envp: Option<Environment>,
    },
    /// A task ended; `status` is encoded like wait(2)'s status.
    TaskExit { status: i32 },
    /// A signal was delivered to the task.
    Signal {
        signo: i32,
        code: i32,
        errno: i32,
        /// Raw `siginfo_t` bytes ([`abi::SIGINFO_BYTES`]) when the recorder could copy them,
        /// then, where it knew it, the user instruction pointer at delivery
        /// (8 bytes, little-endian; see [`signal_ip`]).
        info: Vec<u8>,
    },
    /// `count` events of this task (tid 0: unknown task) on this cpu were dropped here.
    Lost { count: u64 },
    /// The files a process had open and its working directory when
    /// recording began (from version 4 on), as /proc named them.
    Files { cwd: Vec<u8>, fds: Vec<OpenFile> },
    /// The task's id in its own pid namespace, where that is not the
    /// machine's (from version 5 on): at its fork, or when recording began.
    NsTid { ns_tid: u32 },
    /// A user stack, innermost frame first, under the id calls name it by
    /// (`abi::ARG_STACK`); before the first call that has it (version 5).
    Stack { id: u32, frames: Vec<u64> },
    /// The file mappings of the event's process (version 5).
    Mappings { maps: Vec<Mapping> },
}

/// A file mapped into a process: where, from what offset of which file,
/// and which build of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    /// The file offset mapped at `start`.
    pub offset: u64,
    /// The ELF build id the file had when recorded (empty: none known).
    pub build_id: Vec<u8>,
    /// The file's device and inode numbers when recorded (0: not known).
    pub device: u64,
    pub inode: u64,
    pub path: Vec<u8>,
}

/// The flag on a [`Mapping`]'s build id length byte that says its device
/// and inode follow the build id (mappings written before them lack both).
const MAPPING_HAS_INODE: u8 = 0x80;

impl Mapping {
    /// The bytes of one in a [`BodyRef::Mappings`] list: three words, the
    /// build id's length (a byte, with [`MAPPING_HAS_INODE`]) and bytes,
    /// the device and inode (two words), the path.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let id = &self.build_id[..self.build_id.len().min(127)];
        [
            &self.start.to_le_bytes()[..],
            &self.end.to_le_bytes(),
            &self.offset.to_le_bytes(),
            &[id.len() as u8 | MAPPING_HAS_INODE],
            id,
            &self.device.to_le_bytes(),
            &self.inode.to_le_bytes(),
            &self.path,
        ]
        .concat()
    }

    /// One of a [`BodyRef::Mappings`] list (`None`: cut short).
    pub fn decode(bytes: &[u8]) -> Option<Mapping> {
        let word = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
        let length = *bytes.get(24)?;
        let id_end = 25 + usize::from(length & !MAPPING_HAS_INODE);
        let (device, inode, path_at) = match length & MAPPING_HAS_INODE {
            0 => (0, 0, id_end),
            _ => (word(id_end)?, word(id_end + 8)?, id_end + 16),
        };
        Some(Mapping {
            start: word(0)?,
            end: word(8)?,
            offset: word(16)?,
            build_id: bytes.get(25..id_end)?.to_vec(),
            device,
            inode,
            path: bytes.get(path_at..)?.to_vec(),
        })
    }
}

/// A descriptor a process had when recording began.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OpenFile {
    pub fd: i32,
    /// A device file's `st_mode` (high half) and `st_rdev` (`major << 20 |
    /// minor`, low half), as `abi::ARG_FD_DEVICE` holds them; 0 otherwise.
    pub device: u64,
    /// What /proc/PID/fd names it (`/tmp/x (deleted)`, `pipe:[1234]`).
    pub name: Vec<u8>,
}

impl OpenFile {
    /// The bytes of one in a [`BodyRef::Files`] list: fd and device, then
    /// the name.
    pub(crate) fn encode(&self) -> Vec<u8> {
        [
            &self.fd.to_le_bytes()[..],
            &self.device.to_le_bytes(),
            &self.name,
        ]
        .concat()
    }

    /// One of a [`BodyRef::Files`] list (`None`: cut short).
    pub fn decode(bytes: &[u8]) -> Option<OpenFile> {
        Some(OpenFile {
            fd: i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?),
            device: u64::from_le_bytes(bytes.get(4..12)?.try_into().ok()?),
            name: bytes.get(12..)?.to_vec(),
        })
    }
}

/// An exec's environment strings, as far as they were kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Environment {
    pub vars: Vec<Vec<u8>>,
    /// Whether more followed that were not kept (the last may be cut short).
    pub cut: bool,
}

/// Numeric tag of each [`Body`] variant in the `kinds` column.
pub(crate) use abi::EventKind as Kind;

impl Body {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Body::SysEnter { .. } => Kind::SysEnter,
            Body::SysExit { .. } => Kind::SysExit,
            Body::Fork { .. } => Kind::Fork,
            Body::Exec { envp: None, .. } => Kind::Exec,
            Body::Exec { envp: Some(_), .. } => Kind::ExecEnv,
            Body::TaskExit { .. } => Kind::TaskExit,
            Body::Signal { .. } => Kind::Signal,
            Body::Lost { .. } => Kind::Lost,
            Body::Files { .. } => Kind::Files,
            Body::NsTid { .. } => Kind::NsTid,
            Body::Stack { .. } => Kind::Stack,
            Body::Mappings { .. } => Kind::Mappings,
        }
    }
}

impl Body {
    /// The syscall number of an enter or exit.
    pub fn syscall_nr(&self) -> Option<i64> {
        match self {
            Body::SysEnter { nr, .. } | Body::SysExit { nr, .. } => Some(*nr),
            _ => None,
        }
    }
}

/// The user instruction pointer a signal event's `info` ends with, if it
/// has one (after its siginfo's [`abi::SIGINFO_BYTES`]).
pub fn signal_ip(info: &[u8]) -> Option<u64> {
    let at = abi::SIGINFO_BYTES;
    let ip = info.get(at..at + 8)?;
    Some(u64::from_le_bytes(ip.try_into().ok()?))
}

/// The frames of a [`BodyRef::Stack`], from its bytes.
pub fn stack_frames(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes
        .chunks_exact(8)
        .map(|f| u64::from_le_bytes(f.try_into().unwrap_or_default()))
}

/// A capture borrowed from a decoded chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureRef<'a> {
    pub arg: u8,
    pub status: CaptureStatus,
    pub data: &'a [u8],
}

impl CaptureRef<'_> {
    /// A pseudo argument's value: see [`Capture::value`].
    pub fn value(&self) -> Option<u64> {
        capture_value(self.data)
    }
}

/// The captures of one syscall event, decoded lazily from the chunk's columns.
/// The event's walk checked them, so iteration cannot fail.
#[derive(Clone, Copy, Debug)]
pub struct Captures<'a> {
    pub(crate) count: u32,
    pub(crate) meta: Cursor<'a>,
    pub(crate) data: Cursor<'a>,
}

impl<'a> Captures<'a> {
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The argument of the first capture, read without decoding it (a
    /// mark the recorder puts first is found in passing).
    pub fn first_arg(&self) -> Option<u8> {
        (self.count > 0).then(|| self.meta.peek()).flatten()
    }

    /// The capture of argument `arg`, if one was taken.
    pub fn get(&self, arg: u8) -> Option<CaptureRef<'a>> {
        self.into_iter().find(|c| c.arg == arg)
    }
}

impl<'a> Iterator for Captures<'a> {
    type Item = CaptureRef<'a>;

    fn next(&mut self) -> Option<CaptureRef<'a>> {
        if self.count == 0 {
            return None;
        }
        self.count -= 1;
        let arg = self.meta.byte()?;
        let status = CaptureStatus::try_from(self.meta.byte()?).ok()?;
        let len = usize::try_from(self.meta.u64()?).ok()?;
        let data = self.data.take(len)?;
        Some(CaptureRef { arg, status, data })
    }
}

/// An argv list borrowed from a decoded chunk.
#[derive(Clone, Copy, Debug)]
pub struct Argv<'a> {
    pub(crate) count: u32,
    pub(crate) lens: Cursor<'a>,
    pub(crate) data: Cursor<'a>,
}

impl<'a> Iterator for Argv<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.count == 0 {
            return None;
        }
        self.count -= 1;
        let len = usize::try_from(self.lens.u64()?).ok()?;
        self.data.take(len)
    }
}

/// An event borrowed from a decoded chunk.
#[derive(Clone, Copy, Debug)]
pub struct EventRef<'a> {
    pub tid: u32,
    pub pid: u32,
    pub cpu: u32,
    pub ts: u64,
    pub body: BodyRef<'a>,
}

/// [`Body`], borrowed.
#[derive(Clone, Copy, Debug)]
pub enum BodyRef<'a> {
    SysEnter {
        nr: i64,
        args: [u64; 6],
        captures: Captures<'a>,
    },
    SysExit {
        nr: i64,
        ret: i64,
        captures: Captures<'a>,
    },
    Fork {
        child_tid: u32,
        child_pid: u32,
    },
    Exec {
        filename: &'a [u8],
        comm: &'a [u8],
        argv: Argv<'a>,
        envp: Option<(Argv<'a>, bool)>,
    },
    TaskExit {
        status: i32,
    },
    Signal {
        signo: i32,
        code: i32,
        errno: i32,
        info: &'a [u8],
    },
    Lost {
        count: u64,
    },
    Files {
        cwd: &'a [u8],
        /// Each an [`OpenFile`], encoded: see [`OpenFile::decode`].
        fds: Argv<'a>,
    },
    NsTid {
        ns_tid: u32,
    },
    Stack {
        id: u32,
        /// Each frame's address, as 8 little-endian bytes.
        frames: &'a [u8],
    },
    Mappings {
        /// Each a [`Mapping`], encoded: see [`Mapping::decode`].
        maps: Argv<'a>,
    },
}

impl EventRef<'_> {
    /// A syscall exit's return value.
    pub fn ret(&self) -> Option<i64> {
        match self.body {
            BodyRef::SysExit { ret, .. } => Some(ret),
            _ => None,
        }
    }

    /// Copies the event out of its chunk.
    pub fn to_owned(&self) -> Event {
        let captures = |c: Captures<'_>| {
            c.map(|c| Capture {
                arg: c.arg,
                status: c.status,
                data: c.data.to_vec(),
            })
            .collect()
        };
        let body = match self.body {
            BodyRef::SysEnter {
                nr,
                args,
                captures: c,
            } => Body::SysEnter {
                nr,
                args,
                captures: captures(c),
            },
            BodyRef::SysExit {
                nr,
                ret,
                captures: c,
            } => Body::SysExit {
                nr,
                ret,
                captures: captures(c),
            },
            BodyRef::Fork {
                child_tid,
                child_pid,
            } => Body::Fork {
                child_tid,
                child_pid,
            },
            BodyRef::Exec {
                filename,
                comm,
                argv,
                envp,
            } => Body::Exec {
                filename: filename.to_vec(),
                comm: comm.to_vec(),
                argv: argv.map(<[u8]>::to_vec).collect(),
                envp: envp.map(|(vars, cut)| Environment {
                    vars: vars.map(<[u8]>::to_vec).collect(),
                    cut,
                }),
            },
            BodyRef::TaskExit { status } => Body::TaskExit { status },
            BodyRef::Signal {
                signo,
                code,
                errno,
                info,
            } => Body::Signal {
                signo,
                code,
                errno,
                info: info.to_vec(),
            },
            BodyRef::Lost { count } => Body::Lost { count },
            BodyRef::Files { cwd, fds } => Body::Files {
                cwd: cwd.to_vec(),
                fds: fds.filter_map(OpenFile::decode).collect(),
            },
            BodyRef::NsTid { ns_tid } => Body::NsTid { ns_tid },
            BodyRef::Stack { id, frames } => Body::Stack {
                id,
                frames: stack_frames(frames).collect(),
            },
            BodyRef::Mappings { maps } => Body::Mappings {
                maps: maps.filter_map(Mapping::decode).collect(),
            },
        };
        Event {
            tid: self.tid,
            pid: self.pid,
            cpu: self.cpu,
            ts: self.ts,
            body,
        }
    }

    /// Copies the event into `out`, reusing its buffers when both are syscall
    /// events of the same kind: what a reader that keeps many enters calls.
    pub fn copy_into(&self, out: &mut Event) {
        let reused = match (self.body, &mut out.body) {
            (
                BodyRef::SysEnter { nr, args, captures },
                Body::SysEnter {
                    nr: to_nr,
                    args: to_args,
                    captures: to,
                },
            ) => {
                (*to_nr, *to_args) = (nr, args);
                copy_captures(captures, to);
                true
            }
            (
                BodyRef::SysExit { nr, ret, captures },
                Body::SysExit {
                    nr: to_nr,
                    ret: to_ret,
                    captures: to,
                },
            ) => {
                (*to_nr, *to_ret) = (nr, ret);
                copy_captures(captures, to);
                true
            }
            _ => false,
        };
        if reused {
            (out.tid, out.pid, out.cpu, out.ts) = (self.tid, self.pid, self.cpu, self.ts);
        } else {
            *out = self.to_owned();
        }
    }
}

/// Copies `from` over `to`, keeping the allocations of `to`'s captures.
fn copy_captures(from: Captures<'_>, to: &mut Vec<Capture>) {
    let mut kept = 0;
    for c in from {
        match to.get_mut(kept) {
            Some(slot) => {
                (slot.arg, slot.status) = (c.arg, c.status);
                slot.data.clear();
                slot.data.extend_from_slice(c.data);
            }
            None => to.push(Capture {
                arg: c.arg,
                status: c.status,
                data: c.data.to_vec(),
            }),
        }
        kept += 1;
    }
    to.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mapping comes back as written; one written before mappings kept
    /// their inode (no flag on the build id's length) reads with none.
    #[test]
    fn mappings_read_back_with_and_without_their_inode() {
        let map = Mapping {
            start: 0x7f00_0000_1000,
            end: 0x7f00_0000_9000,
            offset: 0x1000,
            build_id: vec![0xab; 20],
            device: 0x803,
            inode: 4242,
            path: b"/usr/lib/x86_64-linux-gnu/libc.so.6".to_vec(),
        };
        assert_eq!(Mapping::decode(&map.encode()), Some(map.clone()));
        let old = [
            &map.start.to_le_bytes()[..],
            &map.end.to_le_bytes(),
            &map.offset.to_le_bytes(),
            &[20],
            &map.build_id,
            &map.path,
        ]
        .concat();
        let read = Mapping::decode(&old).unwrap();
        assert_eq!((read.device, read.inode, &read.path), (0, 0, &map.path));
        assert_eq!(Mapping::decode(&map.encode()[..30]), None);
    }
}
