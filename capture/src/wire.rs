//! Turning ring-buffer records into `format` events.

use capture_ebpf::{
    CaptureHeader, ENTER_UNSEEN, EXIT_KILLED, EventKind, Exec, Fork, Header, NsTid, Signal,
    SysEnter, SysExit, TaskExit,
};
use format::{Body, Capture, CaptureStatus, Environment, Event};
use rustc_hash::FxHashSet;

/// Turns records into events, reusing the memory of events already written
/// (two allocations per event were a third of the recorder's time).
#[derive(Default)]
pub struct Decoder {
    /// Written events, their capture lists emptied (but not freed).
    events: Vec<Event>,
    /// Captures of written events, their buffers kept.
    captures: Vec<Capture>,
    /// Tasks with an event so far (or a fork that made them).
    seen: FxHashSet<u32>,
    /// The task of the latest event, in `seen`: most events are of the task
    /// of the one before, and skip the set.
    last_tid: u32,
}

/// Written events (and captures) kept for reuse: more than are in flight at
/// once (what the reorder queue holds and a drain batch adds), so that each
/// batch finds its memory ready and none is freed.
const MAX_SPARE: usize = 64 << 10;

impl Decoder {
    /// Hands back an event that was written, for its buffers to be reused.
    pub fn recycle(&mut self, mut event: Event) {
        if let Body::SysEnter { captures, .. } | Body::SysExit { captures, .. } = &mut event.body {
            let room = MAX_SPARE.saturating_sub(self.captures.len());
            self.captures.extend(captures.drain(..).take(room));
        }
        if self.events.len() < MAX_SPARE {
            self.events.push(event);
        }
    }

    /// The events in one ring-buffer record, in order, each passed to `each`:
    /// one event, or a syscall's enter and exit written together (a call that
    /// returned on the CPU it began on). A record of unknown kind or a size
    /// that does not match (a mismatched eBPF object) ends the events:
    /// skipped, not trusted.
    pub fn decode(&mut self, mut bytes: &[u8], mut each: impl FnMut(Event)) {
        while !bytes.is_empty() {
            let Some((event, used, made_at_exit)) = self.decode_one(bytes) else {
                return;
            };
            if let Some(event) = self.first_seen(event, made_at_exit) {
                each(event);
            }
            bytes = bytes.get(used..).unwrap_or_default();
        }
    }

    /// An enter made at its call's exit (`ENTER_UNSEEN`) as a task's first
    /// event is a call that began before recording (the program's wait for
    /// its start, or a call in progress when -p attached): only its exit
    /// is kept, as strace shows nothing of it. Later, it is a call seccomp
    /// rejected, whose enter never runs, kept whole.
    fn first_seen(&mut self, event: Event, made_at_exit: bool) -> Option<Event> {
        if let Body::Fork { child_tid, .. } = event.body {
            self.seen.insert(child_tid);
        }
        let first = event.tid != self.last_tid && self.seen.insert(event.tid);
        self.last_tid = event.tid;
        if first && made_at_exit {
            self.recycle(event);
            return None;
        }
        Some(event)
    }

    /// The event at the start of `bytes`, in spare memory where there is
    /// some, how many bytes it takes, and whether it is an enter made at its
    /// call's exit (`ENTER_UNSEEN`).
    fn decode_one(&mut self, bytes: &[u8]) -> Option<(Event, usize, bool)> {
        let header: Header = read(bytes, 0)?;
        let list = self
            .events
            .pop()
            .map(|mut e| take_captures(&mut e.body))
            .unwrap_or_default();
        let kind = u8::try_from(header.kind).ok()?;
        let mut made_at_exit = false;
        let (body, used) = match EventKind::try_from(kind).ok()? {
            EventKind::SysEnter => {
                let r: SysEnter = read(bytes, 0)?;
                made_at_exit = r.flags & ENTER_UNSEEN != 0;
                let (captures, end) =
                    self.captures(bytes, size_of::<SysEnter>(), r.captures, list)?;
                let body = Body::SysEnter {
                    nr: r.nr,
                    args: r.args,
                    captures,
                };
                (body, end)
            }
            EventKind::SysExit => {
                let r: SysExit = read(bytes, 0)?;
                let (mut captures, end) =
                    self.captures(bytes, size_of::<SysExit>(), r.captures, list)?;
                // First, so that readers find it at once.
                if r.flags & EXIT_KILLED != 0 {
                    captures.insert(
                        0,
                        Capture {
                            arg: abi::ARG_KILLED,
                            status: CaptureStatus::Complete,
                            data: Vec::new(),
                        },
                    );
                }
                let body = Body::SysExit {
                    nr: r.nr,
                    ret: r.ret,
                    captures,
                };
                (body, end)
            }
            EventKind::NsTid => {
                let r: NsTid = read(bytes, 0)?;
                (Body::NsTid { ns_tid: r.ns_tid }, size_of::<NsTid>())
            }
            EventKind::Fork => {
                let r: Fork = read(bytes, 0)?;
                let body = Body::Fork {
                    child_tid: r.child_tid,
                    child_pid: r.child_tgid,
                };
                (body, size_of::<Fork>())
            }
            EventKind::Exec => {
                let r: Exec = read(bytes, 0)?;
                let args = r.args.get(..r.args_len as usize)?;
                let env = r.env.get(..r.env_len as usize)?;
                let body = Body::Exec {
                    filename: until_nul(&r.filename).to_vec(),
                    comm: until_nul(&r.comm).to_vec(),
                    argv: split_argv(args),
                    envp: Some(Environment {
                        vars: split_argv(env),
                        cut: r.env_cut != 0,
                    }),
                };
                (body, size_of::<Exec>())
            }
            EventKind::TaskExit => {
                let status = read::<TaskExit>(bytes, 0)?.exit_code;
                (Body::TaskExit { status }, size_of::<TaskExit>())
            }
            EventKind::Signal => {
                let r: Signal = read(bytes, 0)?;
                let mut info = r.info.get(..r.info_len as usize)?.to_vec();
                // The format's place for it: after a whole siginfo.
                if !info.is_empty() && r.ip != 0 {
                    info.extend_from_slice(&r.ip.to_le_bytes());
                }
                let body = Body::Signal {
                    signo: r.signo,
                    code: r.code,
                    errno: r.errno,
                    info,
                };
                (body, size_of::<Signal>())
            }
            // Only the recorder writes these, into the file.
            EventKind::Lost
            | EventKind::ExecEnv
            | EventKind::Files
            | EventKind::Stack
            | EventKind::Mappings
            | EventKind::UserStack => return None,
        };
        let event = Event {
            tid: header.tid,
            pid: header.tgid,
            cpu: header.cpu,
            ts: header.ts,
            body,
        };
        Some((event, used, made_at_exit))
    }

    /// The `count` captures that follow a record's fixed part at `start`, in
    /// `list` (empty) and spare captures, and where they end.
    fn captures(
        &mut self,
        bytes: &[u8],
        start: usize,
        count: u32,
        mut list: Vec<Capture>,
    ) -> Option<(Vec<Capture>, usize)> {
        let mut at = start;
        for _ in 0..count {
            let h: CaptureHeader = read(bytes, at)?;
            let data = bytes.get(at + 8..at + 8 + h.len as usize)?;
            let status = CaptureStatus::try_from(h.status).ok()?;
            let mut capture = self.captures.pop().unwrap_or(Capture {
                arg: 0,
                status,
                data: Vec::new(),
            });
            (capture.arg, capture.status) = (h.arg, status);
            capture.data.clear();
            capture.data.extend_from_slice(data);
            list.push(capture);
            at += 8 + (h.len as usize).next_multiple_of(8);
        }
        Some((list, at))
    }
}

/// A syscall event's captures, with their buffers, to be filled again.
fn take_captures(body: &mut Body) -> Vec<Capture> {
    match body {
        Body::SysEnter { captures, .. } | Body::SysExit { captures, .. } => {
            std::mem::take(captures)
        }
        _ => Vec::new(),
    }
}

/// The strings of an argv block ("a\0b\0"); a block cut short ends in a partial one.
fn split_argv(args: &[u8]) -> Vec<Vec<u8>> {
    if args.is_empty() {
        return Vec::new();
    }
    let body = args.strip_suffix(&[0]).unwrap_or(args);
    body.split(|&b| b == 0).map(<[u8]>::to_vec).collect()
}

/// The bytes before the first NUL (all of them without one).
pub fn until_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Whether `record` is a `UserStack` (`--stack=dwarf`), which the stacks
/// take rather than the decoder.
pub fn is_user_stack(record: &[u8]) -> bool {
    read::<Header>(record, 0).is_some_and(|h| h.kind == EventKind::UserStack as u32)
}

/// Copies a wire struct out of `bytes` at `at` if they are long enough.
/// Only `Pod` types: any bit pattern must be a valid value.
pub fn read<T: aya::Pod>(bytes: &[u8], at: usize) -> Option<T> {
    let src = bytes.get(at..at.checked_add(size_of::<T>())?)?;
    // SAFETY: the length is checked, `Pod` promises every bit pattern is a
    // valid T, and read_unaligned needs no alignment.
    Some(unsafe { std::ptr::read_unaligned(src.as_ptr().cast::<T>()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        Decoder::default().decode(bytes, |e| events.push(e));
        events
    }

    fn bytes_of<T>(value: &T) -> Vec<u8> {
        // SAFETY: test-only view of a plain wire struct.
        unsafe { std::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()) }
            .to_vec()
    }

    #[test]
    fn decodes_an_exit_with_a_capture_and_refuses_a_cut_record() {
        let exit = SysExit {
            header: Header {
                kind: EventKind::SysExit as u32,
                tid: 7,
                tgid: 7,
                cpu: 1,
                ts: 99,
            },
            nr: 0,
            ret: 5,
            captures: 1,
            flags: 0,
        };
        let mut bytes = bytes_of(&exit);
        bytes.extend_from_slice(&bytes_of(&CaptureHeader {
            arg: 1,
            status: 0,
            _pad: 0,
            len: 5,
        }));
        bytes.extend_from_slice(b"hello\0\0\0");
        let event = decode(&bytes).remove(0);
        let Body::SysExit { ret, captures, .. } = event.body else {
            panic!("{event:?}")
        };
        assert_eq!((ret, captures[0].data.as_slice()), (5, &b"hello"[..]));
        assert_eq!(captures.len(), 1);
        // Marked killed: an empty capture says so, before the others.
        let killed = SysExit {
            flags: capture_ebpf::EXIT_KILLED,
            ..exit
        };
        let mut marked = bytes_of(&killed);
        marked.extend_from_slice(&bytes[size_of::<SysExit>()..]);
        let Body::SysExit { captures, .. } = decode(&marked).remove(0).body else {
            panic!("not an exit")
        };
        let args: Vec<u8> = captures.iter().map(|c| c.arg).collect();
        assert_eq!(args, [abi::ARG_KILLED, 1]);
        assert_eq!(decode(&bytes[..bytes.len() - 8]).len(), 0);
        assert_eq!(decode(&bytes[..10]).len(), 0);
        // An enter and its exit written together; a cut exit is dropped.
        let enter = SysEnter {
            header: Header {
                kind: EventKind::SysEnter as u32,
                ts: 98,
                ..exit.header
            },
            nr: 0,
            args: [1, 2, 3, 4, 5, 6],
            captures: 0,
            flags: 0,
        };
        let mut pair = bytes_of(&enter);
        pair.extend_from_slice(&bytes);
        let events = decode(&pair);
        assert!(matches!(events[0].body, Body::SysEnter { nr: 0, .. }));
        assert!(matches!(events[1].body, Body::SysExit { ret: 5, .. }));
        assert_eq!((events.len(), events[0].ts, events[1].ts), (2, 98, 99));
        assert_eq!(decode(&pair[..pair.len() - 8]).len(), 1);
        // Buffers are reused across kinds, and hold only the new data.
        let mut decoder = Decoder::default();
        decoder.recycle(events.into_iter().nth(1).unwrap());
        let mut again = Vec::new();
        decoder.decode(&pair, |e| again.push(e));
        decoder.recycle(again.remove(0));
        let hi = CaptureHeader {
            arg: 1,
            status: 0,
            _pad: 0,
            len: 2,
        };
        let short = [
            &bytes[..bytes.len() - 16],
            &bytes_of(&hi),
            b"hi\0\0\0\0\0\0",
        ]
        .concat();
        let mut exits = Vec::new();
        decoder.decode(&short, |e| exits.push(e));
        assert_eq!(again, decode(&pair)[1..]);
        let Body::SysExit { captures, .. } = &exits[0].body else {
            panic!("{exits:?}")
        };
        assert_eq!(captures[0].data, b"hi");
        assert_eq!(split_argv(b"sh\0-c\0"), [&b"sh"[..], b"-c"]);
        assert_eq!(split_argv(b"\0"), [b""]);
        assert_eq!(split_argv(b"ab\0cu"), [&b"ab"[..], b"cu"]);
    }

    /// An enter made at the exit is dropped as a task's first event (a call
    /// begun before recording), and kept later (a call seccomp rejected).
    #[test]
    fn an_enter_made_at_its_exit_is_kept_only_after_the_tasks_first_event() {
        let header = |kind: EventKind, ts| Header {
            kind: kind as u32,
            tid: 7,
            tgid: 7,
            cpu: 0,
            ts,
        };
        let pair = |ts| {
            let enter = SysEnter {
                header: header(EventKind::SysEnter, ts),
                nr: 110,
                args: [0; 6],
                captures: 0,
                flags: ENTER_UNSEEN,
            };
            let exit = SysExit {
                header: header(EventKind::SysExit, ts + 1),
                nr: 110,
                ret: -1,
                captures: 0,
                flags: 0,
            };
            [bytes_of(&enter), bytes_of(&exit)].concat()
        };
        let mut decoder = Decoder::default();
        let mut events = Vec::new();
        decoder.decode(&pair(10), |e| events.push(e));
        decoder.decode(&pair(20), |e| events.push(e));
        let kinds: Vec<(u64, bool)> = events
            .iter()
            .map(|e| (e.ts, matches!(e.body, Body::SysEnter { .. })))
            .collect();
        assert_eq!(kinds, [(11, false), (20, true), (21, false)]);
    }
}
