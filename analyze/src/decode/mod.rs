//! Decoding one syscall's arguments and result into strace's text, driven by
//! the syscall table ([`crate::table`]): each [`Arg`] says how its value (and
//! the memory captured for it) is printed. Here: a call as the recording has
//! it ([`CallView`]: registers, captures, descriptors); `render` prints it,
//! with `flags`, `structs` and `strings` for the pieces.

mod calls;
mod fd_names;
pub mod flags;
mod msghdr;
mod netlink;
mod render;
mod siginfo;
mod strings;
mod structs;
pub mod xlat;

use format::{Capture, CaptureRef, CaptureStatus, Event, EventRef};
use std::fmt::Write as _;

use crate::table::{Arg, At, Shape, Size, Syscall};

pub use calls::FcntlEffect;
pub use fd_names::{SocketEnds, inode_name};
pub use flags::{Consts, Style};
pub use siginfo::siginfo;
pub use strings::Hex;
pub use xlat::Xlat;

/// What a call moved through its descriptor (see [`CallView::io_buffers`]).
pub struct IoBuffers<'a> {
    /// Through an iovec array: strace dumps each buffer under its own heading.
    pub vectored: bool,
    /// Each buffer's captured bytes (`None`: not captured) and bytes moved.
    pub buffers: Vec<(Option<&'a [u8]>, u64)>,
    /// Bytes moved through iovecs past the ones the recorder copies.
    pub uncopied: u64,
}

/// Printing options (strace's `-s`, `-x`).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Longest string shown (`-s`).
    pub strsize: usize,
    /// `-x`, `-xx`.
    pub hex: Hex,
    /// `-y`: file descriptors with what they refer to, `3</etc/passwd>`.
    pub fd_paths: bool,
    /// `-yy`: sockets by their ends, `3<TCP:[127.0.0.1:42->127.0.0.1:8080]>`.
    pub fd_sockets: bool,
    /// `-yy`: device files with their number, `3</dev/null<char 1:3>>`.
    pub fd_devices: bool,
    /// `-Y`: pids with the command name of the task, `1234<sh>`.
    pub pid_comms: bool,
    /// Large structs and arrays shown in part, strace's default (`-e
    /// abbrev=`; `-v` turns it off).
    pub abbrev: bool,
    /// Structs and arrays shown at all, not as their address (`-e verbose=`).
    pub deref: bool,
    /// How named constants print (`-X`).
    pub consts: Style,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            strsize: 32,
            hex: Hex::Never,
            fd_paths: false,
            fd_sockets: false,
            fd_devices: false,
            pid_comms: false,
            abbrev: true,
            deref: true,
            consts: Style::Abbrev,
        }
    }
}

/// What each file descriptor of a process refers to, rebuilt from the recorded
/// opens, dups, sockets, pipes and closes (for `-y`).
pub type FdTable = std::collections::HashMap<i64, FdEntry>;

#[derive(Clone, Debug, Default)]
pub struct FdEntry {
    pub name: Vec<u8>,
    /// Closed by a successful exec.
    pub cloexec: bool,
    /// A socket's ends, where the kernel told them (`-yy`:
    /// `TCP:[127.0.0.1:42->127.0.0.1:8080]`).
    pub ends: Option<SocketEnds>,
    /// A device file's kind and number (`-yy`: `/dev/null<char 1:3>`).
    pub device: Option<Device>,
    /// The file was removed since (unlink): `</tmp/x>(deleted)`.
    pub deleted: bool,
}

/// A device file's kind and number, as strace prints them: `char 1:3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub block: bool,
    pub major: u32,
    pub minor: u32,
}

impl Device {
    /// A device file's kind and number from its `st_mode` (high half) and
    /// `st_rdev` (low half, `major << 20 | minor`); none for another file.
    pub fn of(mode_and_rdev: u64) -> Option<Device> {
        let (mode, rdev) = ((mode_and_rdev >> 32) as u32, mode_and_rdev as u32);
        let block = match mode & 0o170000 {
            0o060000 => true,
            0o020000 => false,
            _ => return None,
        };
        Some(Device {
            block,
            major: rdev >> 20,
            minor: rdev & 0xfffff,
        })
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.block { "block" } else { "char" };
        write!(f, "{kind} {}:{}", self.major, self.minor)
    }
}

impl FdEntry {
    /// Appends what `-y` (the name) or `-yy` (a socket's ends, a device's
    /// number) print after the descriptor, if anything: `</etc/passwd>`,
    /// `</tmp/x>(deleted)`. Whether it did.
    pub fn show(&self, out: &mut String, opts: &Options) -> bool {
        let name = String::from_utf8_lossy(&self.name);
        match (&self.ends, self.device) {
            (Some(ends), _) if opts.fd_sockets => {
                let _ = write!(out, "<{}>", ends.text());
            }
            (_, Some(device)) if opts.fd_devices => {
                let _ = write!(out, "<{name}<{device}>>");
            }
            _ if opts.fd_paths => {
                out.push('<');
                out.push_str(&name);
                out.push('>');
            }
            _ => return false,
        }
        if self.deleted {
            out.push_str("(deleted)");
        }
        true
    }
}

/// One captured buffer, whether from the enter or the exit event.
#[derive(Clone, Copy)]
struct Mem<'a> {
    status: CaptureStatus,
    data: &'a [u8],
}

/// A syscall as the decoder sees it: the table entry, the raw arguments, the
/// captures of both events and the result.
pub struct CallView<'a> {
    /// The flag tables and struct layouts of the trace's architecture.
    pub xlat: &'static Xlat,
    pub syscall: &'static Syscall,
    pub args: [u64; 6],
    pub enter: &'a [Capture],
    pub exit: Option<EventRef<'a>>,
    /// The exec event's filename and argv, for an execve whose enter copy
    /// faulted (the new program's memory replaced the old one's by its exit).
    pub exec: Option<&'a crate::tasks::Exec>,
    /// Before its exit: the exit's captures, read ahead (see `ahead`), for
    /// copies that faulted at enter.
    pub retried: &'a [Capture],
    /// The process's descriptors, for `-y`.
    pub fds: Option<&'a FdTable>,
    /// The command name of each live task, for `-Y`.
    pub comms: Option<&'a rustc_hash::FxHashMap<u32, String>>,
}

impl<'a> CallView<'a> {
    /// The call's view from its enter event and (if it returned) exit event.
    pub fn new(
        xlat: &'static Xlat,
        syscall: &'static Syscall,
        enter: &'a Event,
        exit: Option<EventRef<'a>>,
    ) -> Option<Self> {
        let format::Body::SysEnter { args, captures, .. } = &enter.body else {
            return None;
        };
        Some(Self {
            xlat,
            syscall,
            args: *args,
            enter: captures,
            exit,
            exec: None,
            retried: &[],
            fds: None,
            comms: None,
        })
    }

    /// The trace's constants, printed as `opts` asks.
    fn consts(&self, opts: &Options) -> Consts {
        Consts {
            xlat: self.xlat,
            style: opts.consts,
        }
    }

    fn ret(&self) -> Option<i64> {
        self.exit?.ret()
    }

    fn exit_captures(&self) -> impl Iterator<Item = CaptureRef<'a>> + 'a {
        let captures = match self.exit.map(|e| e.body) {
            Some(format::BodyRef::SysExit { captures, .. }) => Some(captures),
            _ => None,
        };
        captures.into_iter().flatten()
    }

    /// Memory of argument `arg` copied at enter; one that faulted there is
    /// looked for again at exit (the kernel side re-reads it then).
    fn enter_mems(&self, arg: u8) -> impl Iterator<Item = Mem<'_>> {
        let faulted = self
            .enter
            .iter()
            .any(|c| c.arg == arg && c.status == CaptureStatus::Fault);
        // An execve's exit copies from the new program's memory: its exec
        // record holds what the old one passed (see `exec`).
        let faulted = faulted && !self.syscall.args.contains(&Arg::Argv);
        let at_exit = self.exit_captures().any(|c| c.arg == arg);
        let ahead = !at_exit && self.retried.iter().any(|c| c.arg == arg);
        let retried = faulted && (at_exit || ahead);
        let owned = |c: &'a Capture| Mem {
            status: c.status,
            data: &c.data,
        };
        let at_enter = self.enter.iter().filter(move |c| !retried && c.arg == arg);
        let from_exit = self
            .exit_captures()
            .filter(move |c| retried && c.arg == arg)
            .map(|c| Mem {
                status: c.status,
                data: c.data,
            });
        let from_ahead = self
            .retried
            .iter()
            .filter(move |c| retried && ahead && c.arg == arg);
        at_enter
            .map(owned)
            .chain(from_exit)
            .chain(from_ahead.map(owned))
    }

    /// The first of [`Self::enter_mems`].
    fn enter_mem(&self, arg: u8) -> Option<Mem<'_>> {
        self.enter_mems(arg).next()
    }

    /// Every capture of argument `arg` at exit (an iovec array and its data).
    fn exit_mems(&self, arg: u8) -> Vec<Mem<'a>> {
        self.exit_captures()
            .filter(|c| c.arg == arg)
            .map(|c| Mem {
                status: c.status,
                data: c.data,
            })
            .collect()
    }

    /// A struct copied at exit in snapshot-sized parts (see
    /// [`Shape::copied_whole`]), joined as far as the parts run whole.
    fn exit_whole(&self, arg: u8) -> Vec<u8> {
        let part = crate::table::MAX_SNAPLEN as usize;
        let mut whole = Vec::new();
        for mem in self.exit_mems(arg) {
            if mem.status == CaptureStatus::Fault || whole.len() % part != 0 {
                break;
            }
            whole.extend_from_slice(mem.data);
        }
        whole
    }

    fn exit_mem(&self, arg: u8) -> Option<Mem<'a>> {
        self.exit_captures().find(|c| c.arg == arg).map(|c| Mem {
            status: c.status,
            data: c.data,
        })
    }

    /// Whether argument `i` is printed at all: a mode beside open's flags
    /// only with O_CREAT or O_TMPFILE.
    fn shows(&self, i: usize) -> bool {
        if self.syscall.args.get(i) != Some(&Arg::Mode) {
            return true;
        }
        match self
            .syscall
            .arg_index(Arg::Flags(crate::table::Flags::Open))
        {
            Some(at) => {
                let flags = self.args[at];
                let open = &self.xlat.open;
                let flag = |name| open.value_of(name).unwrap_or(0);
                let tmpfile = flag("O_TMPFILE");
                flags & flag("O_CREAT") != 0 || (tmpfile != 0 && flags & tmpfile == tmpfile)
            }
            None => true,
        }
    }

    /// The path argument `arg` as captured, if it was.
    pub fn path(&self, arg: usize) -> Option<Vec<u8>> {
        let m = self.enter_mem(arg as u8)?;
        (m.status != CaptureStatus::Fault).then(|| m.data.to_vec())
    }

    /// The data a [`Syscall::moves_data`] call read or wrote through its
    /// descriptor: one buffer, or one per iovec (`vectored`), each as far as
    /// it was captured (at most the snapshot length; `None` where the copy
    /// faulted) with how many bytes the call moved through it (a write: was
    /// asked to). `None` for a read that failed, or a call that moves no data.
    ///
    /// [`Syscall::moves_data`]: crate::table::Syscall::moves_data
    pub fn io_buffers(&self) -> Option<IoBuffers<'_>> {
        let (i, at, shape, size) =
            self.syscall
                .args
                .iter()
                .enumerate()
                .find_map(|(i, a)| match a {
                    Arg::Mem { at, shape, size }
                        if matches!(
                            shape,
                            Shape::Bytes | Shape::Iovecs | Shape::Iovecs32 | Shape::Msghdr
                        ) =>
                    {
                        Some((i as u8, *at, *shape, *size))
                    }
                    _ => None,
                })?;
        // As strace dumps: what a read returned; what a write was asked to
        // write, whether or not it succeeded.
        let mut left = match self.syscall.io()? {
            crate::table::Io::Read => u64::try_from(self.ret()?).ok()?,
            crate::table::Io::Write => match (shape, size) {
                (Shape::Bytes, Size::Arg(k)) => self.args[k as usize],
                _ => u64::MAX,
            },
        };
        let mems: Vec<Mem<'_>> = match at {
            At::Enter => self.enter_mems(i).collect(),
            At::Exit | At::Both => self.exit_mems(i),
        };
        fn usable<'m>(m: &Mem<'m>) -> Option<&'m [u8]> {
            (m.status != CaptureStatus::Fault).then_some(m.data)
        }
        if shape == Shape::Bytes {
            let data = mems.first().and_then(usable);
            return Some(IoBuffers {
                vectored: false,
                buffers: vec![(data, left)],
                uncopied: 0,
            });
        }
        // A msghdr's iovecs follow its header, name and control data.
        let skipped = if shape == Shape::Msghdr { 3 } else { 0 };
        let (array, data) = mems.get(skipped..)?.split_first()?;
        let array = structs::IovecArray {
            bytes: usable(array)?,
            i386: shape == Shape::Iovecs32,
        };
        let mut buffers = Vec::new();
        for k in 0..array.len() {
            let Some((_, len)) = array.get(k) else {
                break;
            };
            let moved = len.min(left);
            if moved == 0 {
                break;
            }
            left -= moved;
            buffers.push((data.get(k).and_then(usable), moved));
        }
        Some(IoBuffers {
            vectored: true,
            buffers,
            // A read into more iovecs than the recorder copies.
            uncopied: if left == u64::MAX { 0 } else { left },
        })
    }

    /// The return value, if the call returned.
    pub fn result(&self) -> Option<i64> {
        self.ret()
    }

    /// The inode numbers the recorder read behind the descriptors the call
    /// returned (sockets and pipes).
    /// The path the kernel gave what the call left under pseudo argument
    /// `arg` (`ARG_FD_PATH`: the file an open returned; `ARG_CWD`: the
    /// working directory), when the recording named it whole.
    pub fn kernel_path(&self, arg: u8) -> Option<Vec<u8>> {
        let mem = self
            .exit_mem(arg)
            .filter(|m| m.status == CaptureStatus::Complete)?;
        Some(kernel_path(mem.data))
    }

    /// The kind and number of the device file an open returned.
    pub fn device(&self) -> Option<Device> {
        let mem = self.exit_mem(crate::table::ARG_FD_DEVICE)?;
        Device::of(u64::from_ne_bytes(mem.data.get(..8)?.try_into().ok()?))
    }

    pub fn fd_inodes(&self) -> Vec<u64> {
        self.exit_mem(crate::table::ARG_FD_INODES)
            .filter(|m| m.status != CaptureStatus::Fault)
            .map(|m| {
                m.data
                    .chunks_exact(8)
                    .filter_map(|c| c.try_into().ok().map(u64::from_ne_bytes))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The two ints a successful pipe/socketpair wrote to argument `arg`.
    pub fn int_pair(&self, arg: u8) -> Option<(i64, i64)> {
        let m = self.exit_mem(arg)?;
        let b = m.data.get(..8)?;
        let a = i32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
        let c = i32::from_ne_bytes([b[4], b[5], b[6], b[7]]);
        Some((i64::from(a), i64::from(c)))
    }
}

/// A C `int` argument: the low 32 bits, unless the register holds a 64-bit value.
fn int(value: u64) -> i64 {
    if value > u64::from(u32::MAX) {
        value as i64
    } else {
        i64::from(value as u32 as i32)
    }
}

/// A mode as C's `%#03o` prints it: `0644`, `000`.
pub fn octal_mode(mode: u32) -> String {
    let digits = if mode == 0 {
        String::new()
    } else {
        format!("0{mode:o}")
    };
    format!(
        "{}{digits}",
        "0".repeat(3usize.saturating_sub(digits.len()))
    )
}

/// Appends a decimal number without the formatting machinery (it is on every line).
fn push_int(out: &mut String, value: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(value));
}

fn hex(out: &mut String, value: u64) {
    let _ = write!(out, "{}", flags::HexNumber(value));
}

fn pointer(out: &mut String, value: u64) {
    if value == 0 {
        out.push_str("NULL");
    } else {
        let _ = write!(out, "{value:#x}");
    }
}

/// `SIGTERM`, or the number for one without a name.
pub fn signal_name(signo: u32) -> String {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match signo {
        0..=31 => NAMES[signo as usize].to_owned(),
        32 => "SIGRTMIN".to_owned(),
        33..=64 => format!("SIGRT_{}", signo - 32),
        _ => signo.to_string(),
    }
}

/// The path a kernel path capture (`ARG_FD_PATH`'s layout: components from
/// the last up, each NUL-terminated) names.
pub fn kernel_path(components: &[u8]) -> Vec<u8> {
    let mut path = Vec::with_capacity(components.len() + 1);
    for name in components
        .split(|&b| b == 0)
        .rev()
        .filter(|n| !n.is_empty())
    {
        path.push(b'/');
        path.extend_from_slice(name);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    path
}
