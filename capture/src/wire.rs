//! Turning ring-buffer records into `format` events.

use std::collections::HashMap;

use analyze::table::{self, Arg};
use capture_ebpf::{
    CaptureHeader, EventKind, Exec, Fork, Header, Lost, Signal, SysEnter, SysExit, TaskExit,
};
use format::{Body, Capture, CaptureStatus, Event};

/// Decodes records; keeps what an exec record needs from the execve before it.
#[derive(Default)]
pub struct Decoder {
    /// argv captured at each thread's last execve enter.
    argv: HashMap<u32, Vec<Vec<u8>>>,
}

impl Decoder {
    /// The event in `bytes`, or `None` for a record of unknown kind or a size
    /// that does not match (a mismatched eBPF object): skipped, not trusted.
    pub fn decode(&mut self, bytes: &[u8]) -> Option<Event> {
        let header: Header = read(bytes, 0)?;
        let body = match EventKind::try_from(header.kind).ok()? {
            EventKind::SysEnter => {
                let r: SysEnter = read(bytes, 0)?;
                let captures = captures(bytes, size_of::<SysEnter>(), r.captures)?;
                self.remember_argv(header.tid, r.nr, &captures);
                Body::SysEnter {
                    nr: r.nr,
                    args: r.args,
                    captures,
                }
            }
            EventKind::SysExit => {
                let r: SysExit = read(bytes, 0)?;
                Body::SysExit {
                    nr: r.nr,
                    ret: r.ret,
                    captures: captures(bytes, size_of::<SysExit>(), r.captures)?,
                }
            }
            EventKind::Fork => {
                let r: Fork = read(bytes, 0)?;
                Body::Fork {
                    child_tid: r.child_tid,
                    child_pid: r.child_tgid,
                }
            }
            EventKind::Exec => {
                let r: Exec = read(bytes, 0)?;
                let argv = self
                    .argv
                    .remove(&r.old_tid)
                    .or_else(|| self.argv.remove(&header.tid))
                    .unwrap_or_default();
                Body::Exec {
                    filename: until_nul(&r.filename).to_vec(),
                    comm: until_nul(&r.comm).to_vec(),
                    argv,
                }
            }
            EventKind::TaskExit => {
                let r: TaskExit = read(bytes, 0)?;
                self.argv.remove(&header.tid);
                Body::TaskExit {
                    status: r.exit_code,
                }
            }
            EventKind::Signal => {
                let r: Signal = read(bytes, 0)?;
                let info = r.info.get(..r.info_len as usize)?.to_vec();
                Body::Signal {
                    signo: r.signo,
                    code: r.code,
                    errno: r.errno,
                    info,
                }
            }
            EventKind::Lost => Body::Lost {
                count: read::<Lost>(bytes, 0)?.count,
            },
        };
        Some(Event {
            tid: header.tid,
            pid: header.tgid,
            cpu: header.cpu,
            ts: header.ts,
            body,
        })
    }

    /// Keeps the argv strings of an execve-like call for its exec record.
    fn remember_argv(&mut self, tid: u32, nr: i64, captures: &[Capture]) {
        let Some(syscall) = table::lookup(std::env::consts::ARCH, nr) else {
            return;
        };
        let Some(argv_arg) = syscall.args.iter().position(|a| *a == Arg::Argv) else {
            return;
        };
        let argv = captures
            .iter()
            .filter(|c| usize::from(c.arg) == argv_arg && c.status != CaptureStatus::Partial)
            .map(|c| c.data.clone())
            .collect();
        self.argv.insert(tid, argv);
    }
}

/// The `count` captures that follow a record's fixed part at `start`.
fn captures(bytes: &[u8], start: usize, count: u32) -> Option<Vec<Capture>> {
    let mut out = Vec::with_capacity(count as usize);
    let mut at = start;
    for _ in 0..count {
        let h: CaptureHeader = read(bytes, at)?;
        let data = bytes.get(at + 8..at + 8 + h.len as usize)?;
        out.push(Capture {
            arg: h.arg,
            status: CaptureStatus::try_from(h.status).ok()?,
            data: data.to_vec(),
        });
        at += 8 + (h.len as usize).next_multiple_of(8);
    }
    Some(out)
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Copies a `#[repr(C)]` wire struct out of `bytes` at `at` if they are long enough.
fn read<T: Copy>(bytes: &[u8], at: usize) -> Option<T> {
    let src = bytes.get(at..at.checked_add(size_of::<T>())?)?;
    // SAFETY: the length is checked, the wire structs are plain integers and byte
    // arrays (every bit pattern is valid), and read_unaligned needs no alignment.
    Some(unsafe { std::ptr::read_unaligned(src.as_ptr().cast::<T>()) })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            _pad: 0,
        };
        let mut bytes = bytes_of(&exit);
        bytes.extend_from_slice(&bytes_of(&CaptureHeader {
            arg: 1,
            status: 0,
            _pad: 0,
            len: 5,
        }));
        bytes.extend_from_slice(b"hello\0\0\0");
        let event = Decoder::default().decode(&bytes).unwrap();
        let Body::SysExit { ret, captures, .. } = event.body else {
            panic!("{event:?}")
        };
        assert_eq!((ret, captures[0].data.as_slice()), (5, &b"hello"[..]));
        assert!(
            Decoder::default()
                .decode(&bytes[..bytes.len() - 8])
                .is_none()
        );
        assert!(Decoder::default().decode(&bytes[..10]).is_none());
    }
}
