//! Decoding one syscall's arguments and result into strace's text, driven by
//! the syscall table ([`crate::table`]): each [`Arg`] says how its value (and
//! the memory captured for it) is printed.

mod fd_names;
mod flags;
mod strings;
mod structs;

use format::{Capture, CaptureRef, CaptureStatus, Event, EventRef};
use std::fmt::Write as _;

use crate::table::{Arg, At, Ret, Shape, Size, Syscall};

pub use fd_names::inode_name;
pub use strings::Hex;

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
    /// `-Y`: pids with the command name of the task, `1234<sh>`.
    pub pid_comms: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            strsize: 32,
            hex: Hex::Never,
            fd_paths: false,
            pid_comms: false,
        }
    }
}

/// What each file descriptor of a process refers to, rebuilt from the recorded
/// opens, dups, sockets, pipes and closes (for `-y`).
pub type FdTable = std::collections::HashMap<i64, FdEntry>;

#[derive(Clone, Debug)]
pub struct FdEntry {
    pub name: Vec<u8>,
    /// Closed by a successful exec.
    pub cloexec: bool,
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
    pub syscall: &'static Syscall,
    pub args: [u64; 6],
    pub enter: &'a [Capture],
    pub exit: Option<EventRef<'a>>,
    /// The exec event's filename and argv, for an execve whose enter copy
    /// faulted (the new program's memory replaced the old one's by its exit).
    pub exec: Option<&'a (Vec<u8>, Vec<Vec<u8>>)>,
    /// The process's descriptors, for `-y`.
    pub fds: Option<&'a FdTable>,
    /// The command name of each live task, for `-Y`.
    pub comms: Option<&'a rustc_hash::FxHashMap<u32, String>>,
}

impl<'a> CallView<'a> {
    /// The call's view from its enter event and (if it returned) exit event.
    pub fn new(
        syscall: &'static Syscall,
        enter: &'a Event,
        exit: Option<EventRef<'a>>,
    ) -> Option<Self> {
        let format::Body::SysEnter { args, captures, .. } = &enter.body else {
            return None;
        };
        Some(Self {
            syscall,
            args: *args,
            enter: captures,
            exit,
            exec: None,
            fds: None,
            comms: None,
        })
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
        let retried = faulted && self.exit_captures().any(|c| c.arg == arg);
        let at_enter = self.enter.iter().filter(move |c| !retried && c.arg == arg);
        let at_exit = self
            .exit_captures()
            .filter(move |c| retried && c.arg == arg);
        at_enter
            .map(|c| Mem {
                status: c.status,
                data: &c.data,
            })
            .chain(at_exit.map(|c| Mem {
                status: c.status,
                data: c.data,
            }))
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

    fn exit_mem(&self, arg: u8) -> Option<Mem<'a>> {
        self.exit_captures().find(|c| c.arg == arg).map(|c| Mem {
            status: c.status,
            data: c.data,
        })
    }

    /// Whether argument `i` is printed at all (open's mode only with O_CREAT).
    fn shows(&self, i: usize) -> bool {
        let name = self.syscall.name;
        if self.syscall.args.get(i) == Some(&Arg::Mode) && matches!(name, "open" | "openat") {
            let flags = if name == "open" {
                self.args[1]
            } else {
                self.args[2]
            };
            return flags & flags::O_CREAT != 0 || flags & flags::O_TMPFILE == flags::O_TMPFILE;
        }
        true
    }

    /// Index of the first argument only known at exit: strace prints the
    /// arguments before it at enter, the rest after `<... resumed>`.
    pub fn exit_split(&self) -> usize {
        self.syscall
            .args
            .iter()
            .position(|a| matches!(a, Arg::Mem { at, shape, .. } if !printed_at_enter(*at, *shape)))
            .unwrap_or(self.syscall.args.len())
    }

    /// Appends arguments `range` (with their separating commas).
    pub fn render_args(&self, out: &mut String, range: std::ops::Range<usize>, opts: &Options) {
        if self.syscall.name == "clone" {
            return self.render_clone(out, range);
        }
        // futex and fcntl show only the arguments their command uses.
        let shown = match (self.syscall.name, self.args[1] & 0x7f) {
            ("futex", 1) => 3,
            ("futex", 0) => 4,
            ("fcntl", _) if fcntl_arg(self.args[1]).is_none() => 2,
            // FIONCLEX and FIOCLEX take no argument.
            ("ioctl", _) if matches!(self.args[1], 0x5450 | 0x5451) => 2,
            _ => self.syscall.args.len(),
        };
        for i in range.start..range.end.min(shown) {
            if !self.shows(i) {
                continue;
            }
            if i > 0 {
                out.push_str(", ");
            }
            self.render_arg(out, i, opts);
        }
    }

    fn render_arg(&self, out: &mut String, i: usize, opts: &Options) {
        let value = self.args[i];
        let arg_no = i as u8;
        // socket's protocol is named for the IP families.
        if self.syscall.name == "socket" && i == 2 && matches!(self.args[0], 2 | 10) {
            let name = match value {
                0 => "IPPROTO_IP",
                6 => "IPPROTO_TCP",
                17 => "IPPROTO_UDP",
                _ => "",
            };
            if !name.is_empty() {
                return out.push_str(name);
            }
        }
        let kind = match (self.syscall.name, i) {
            ("fcntl", 2) => fcntl_arg(self.args[1]).unwrap_or(Arg::Hex),
            _ => self.syscall.args[i],
        };
        match kind {
            Arg::Int => push_int(out, int(value)),
            Arg::Pid => self.pid(out, int(value), opts),
            Arg::Fd => self.fd(out, int(value), opts),
            Arg::DirFd => match int(value) {
                -100 => out.push_str("AT_FDCWD"),
                fd => self.fd(out, fd, opts),
            },
            Arg::Uint => push_int(out, value),
            Arg::Hex => hex(out, value),
            Arg::Ptr => pointer(out, value),
            Arg::Mode => out.push_str(&octal_mode(value as u32 & 0o7777)),
            Arg::Signal => out.push_str(&signal_name(value as u32)),
            Arg::Flags(f) => flags::render(out, f, value),
            Arg::Path | Arg::Str => {
                let limit = if self.syscall.args[i] == Arg::Path {
                    usize::MAX
                } else {
                    opts.strsize
                };
                match self.enter_mem(arg_no) {
                    Some(m) if m.status != CaptureStatus::Fault => strings::c_string(
                        out,
                        m.data,
                        m.status == CaptureStatus::Partial,
                        limit,
                        opts.hex,
                    ),
                    _ => match self.exec.filter(|_| self.syscall.args.contains(&Arg::Argv)) {
                        Some((filename, _)) => {
                            strings::c_string(out, filename, false, limit, opts.hex)
                        }
                        None => pointer(out, value),
                    },
                }
            }
            Arg::Argv => self.render_argv(out, value, opts),
            Arg::Envp => {
                pointer(out, value);
                if let Some(m) = self.enter_mem(arg_no)
                    && m.status != CaptureStatus::Fault
                    && let Some(n) = m.data.get(..4)
                {
                    let n = u32::from_ne_bytes([n[0], n[1], n[2], n[3]]);
                    let more = if m.status == CaptureStatus::Partial {
                        "+"
                    } else {
                        ""
                    };
                    let _ = write!(out, " /* {n}{more} vars */");
                }
            }
            Arg::Mem { at, size, shape } => self.render_mem(out, i, at, size, shape, opts),
        }
    }

    /// clone is printed with named arguments, those its flags make meaningful:
    /// `clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x...)`.
    fn render_clone(&self, out: &mut String, range: std::ops::Range<usize>) {
        if range.start > 0 {
            return;
        }
        let [flags, stack, parent_tid, child_tid, tls, _] = self.args;
        let mut parts = vec![format!(
            "child_stack={}",
            if stack == 0 {
                "NULL".to_owned()
            } else {
                format!("{stack:#x}")
            }
        )];
        let mut f = String::new();
        flags::clone_flags(&mut f, flags);
        parts.push(format!("flags={f}"));
        if flags & (0x100000 | 0x1000) != 0 {
            parts.push(format!("parent_tid={parent_tid:#x}"));
        }
        if flags & (0x1000000 | 0x200000) != 0 {
            parts.push(format!("child_tidptr={child_tid:#x}"));
        }
        if flags & 0x80000 != 0 {
            parts.push(format!("tls={tls:#x}"));
        }
        out.push_str(&parts.join(", "));
    }

    /// A descriptor, with what it refers to under `-y`.
    fn fd(&self, out: &mut String, fd: i64, opts: &Options) {
        push_int(out, fd);
        if opts.fd_paths
            && let Some(entry) = self.fds.and_then(|t| t.get(&fd))
        {
            out.push('<');
            out.push_str(&String::from_utf8_lossy(&entry.name));
            out.push('>');
        }
    }

    /// A pid, with the command name of its task under `-Y` (while it lives).
    fn pid(&self, out: &mut String, pid: i64, opts: &Options) {
        push_int(out, pid);
        if opts.pid_comms
            && let Some(comm) = u32::try_from(pid).ok().and_then(|p| self.comms?.get(&p))
        {
            out.push('<');
            out.push_str(comm);
            out.push('>');
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
                        if matches!(shape, Shape::Bytes | Shape::Iovecs) =>
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
        let (array, data) = mems.split_first()?;
        let array = usable(array)?;
        let mut buffers = Vec::new();
        for k in 0..array.len() / 16 {
            let Some((_, len)) = structs::iovec(array, k) else {
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

    fn render_argv(&self, out: &mut String, value: u64, opts: &Options) {
        let mems: Vec<Mem<'_>> = self.enter_mems(self.arg_index(Arg::Argv)).collect();
        let faulted = mems.is_empty() || mems.iter().any(|m| m.status == CaptureStatus::Fault);
        if faulted {
            if let Some((_, argv)) = self.exec {
                out.push('[');
                for (k, a) in argv.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    strings::c_string(out, a, false, opts.strsize, opts.hex);
                }
                out.push(']');
            } else {
                pointer(out, value);
            }
            return;
        }
        out.push('[');
        for (k, m) in mems.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if m.status == CaptureStatus::Partial && m.data.is_empty() {
                out.push_str("...");
            } else {
                let cut = m.status == CaptureStatus::Partial;
                strings::c_string(out, m.data, cut, opts.strsize, opts.hex);
            }
        }
        out.push(']');
    }

    fn arg_index(&self, wanted: Arg) -> u8 {
        self.syscall
            .args
            .iter()
            .position(|a| *a == wanted)
            .unwrap_or(0) as u8
    }

    fn render_mem(
        &self,
        out: &mut String,
        i: usize,
        at: At,
        size: Size,
        shape: Shape,
        opts: &Options,
    ) {
        let value = self.args[i];
        let arg_no = i as u8;
        let ret = self.ret();
        if shape == Shape::Iovecs {
            return self.render_iovecs(out, i, at, size, opts);
        }
        let mem = match at {
            At::Enter => self.enter_mem(arg_no),
            At::Both if printed_at_enter(at, shape) => self.enter_mem(arg_no),
            // Out-buffers mean something only when the call succeeded.
            At::Exit | At::Both => match ret {
                Some(r) if r >= 0 => self.exit_mem(arg_no),
                _ => None,
            },
        };
        let Some(mem) = mem.filter(|m| m.status != CaptureStatus::Fault) else {
            return pointer(out, value);
        };
        let len = match size {
            Size::Fixed(n) => u64::from(n),
            Size::Arg(k) => self.args[k as usize],
            Size::Ret => ret.unwrap_or(0).max(0) as u64,
            Size::ArgTimes(k, n) => self.args[k as usize].saturating_mul(u64::from(n)),
        };
        let hex = if self.syscall.name == "getrandom" {
            Hex::Always
        } else {
            opts.hex
        };
        let done = match shape {
            Shape::Bytes => {
                strings::buffer(out, mem.data, len, opts.strsize, hex);
                Some(())
            }
            Shape::OutPath => {
                let path = mem.data.split(|&b| b == 0).next().unwrap_or_default();
                let cut = mem.status == CaptureStatus::Partial && path.len() == mem.data.len();
                strings::c_string(out, path, cut, usize::MAX, opts.hex);
                Some(())
            }
            Shape::Sysinfo => structs::sysinfo(out, mem.data),
            Shape::Utsname => structs::utsname(out, mem.data),
            Shape::Stat => structs::stat(out, mem.data),
            Shape::Statx => structs::statx(out, mem.data),
            Shape::Rlimit => structs::rlimit(out, mem.data),
            Shape::Timespec => structs::timespec(out, mem.data),
            Shape::IntPair => match self.fd_pair_names().filter(|_| opts.fd_paths) {
                // `[3<pipe:[1234]>, 4<pipe:[1234]>]`, as strace -y prints them.
                Some([(a, name_a), (b, name_b)]) => {
                    let _ = write!(
                        out,
                        "[{a}<{}>, {b}<{}>]",
                        String::from_utf8_lossy(&name_a),
                        String::from_utf8_lossy(&name_b)
                    );
                    Some(())
                }
                None => structs::int_pair(out, mem.data),
            },
            Shape::IntVal if self.syscall.name.starts_with("wait") => {
                structs::wait_status(out, mem.data)
            }
            Shape::Socklen if at == At::Both => self.render_socklen(out, arg_no, mem.data),
            Shape::IntVal | Shape::Socklen => structs::int_val(out, mem.data),
            Shape::Sockaddr => structs::sockaddr(out, mem.data),
            Shape::Sigset => structs::sigset(out, mem.data),
            Shape::Sigaction => structs::sigaction(out, mem.data),
            Shape::Pollfds => structs::pollfds(out, mem.data, self.args[1]),
            Shape::Dirents => structs::dirent_count(out, value, mem.data),
            // Copied, not decoded yet: the address, as before.
            Shape::Statfs
            | Shape::Timeval
            | Shape::Itimerspec
            | Shape::Msghdr
            | Shape::Rusage
            | Shape::EpollEvent
            | Shape::CloneArgs => None,
            // Printed above (the iovec array and its data), or never copied.
            Shape::Iovecs | Shape::Opaque => None,
        };
        if done.is_none() {
            pointer(out, value);
        }
    }

    /// `[{iov_base="...", iov_len=5}, ...]`: each entry's data up to its length
    /// at enter (writev), up to what the call returned in all at exit (readv).
    fn render_iovecs(&self, out: &mut String, i: usize, at: At, size: Size, opts: &Options) {
        let arg_no = i as u8;
        let (mems, mut left) = match (at, self.ret()) {
            (At::Enter, _) => (self.enter_mems(arg_no).collect(), u64::MAX),
            (_, Some(ret)) if ret >= 0 => (self.exit_mems(arg_no), ret as u64),
            _ => (Vec::new(), 0),
        };
        let Some((array, data)) = mems
            .split_first()
            .filter(|(a, _)| a.status != CaptureStatus::Fault)
        else {
            return pointer(out, self.args[i]);
        };
        let count = match size {
            Size::Arg(k) => self.args[k as usize],
            _ => (array.data.len() / 16) as u64,
        };
        let entries = (array.data.len() / 16).min(usize::try_from(count).unwrap_or(usize::MAX));
        out.push('[');
        for k in 0..entries {
            let Some((base, len)) = structs::iovec(array.data, k) else {
                break;
            };
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str("{iov_base=");
            let shown = len.min(left);
            left -= shown;
            match data.get(k).filter(|d| d.status != CaptureStatus::Fault) {
                _ if shown == 0 => out.push_str("\"\""),
                Some(d) => strings::buffer(out, d.data, shown, opts.strsize, opts.hex),
                None => pointer(out, base),
            }
            let _ = write!(out, ", iov_len={len}}}");
        }
        if count > entries as u64 {
            out.push_str(if entries > 0 { ", ..." } else { "..." });
        }
        out.push(']');
    }

    /// fcntl's result by command: a descriptor, flags, or a number.
    fn render_fcntl_ret(&self, out: &mut String, ret: i64, opts: &Options) {
        let flags = |out: &mut String, table| {
            hex(out, ret as u64);
            out.push_str(" (flags ");
            flags::render(out, table, ret as u64);
            out.push(')');
        };
        match self.args[1] {
            F_DUPFD | F_DUPFD_CLOEXEC => self.fd(out, ret, opts),
            F_GETFD if ret != 0 => flags(out, crate::table::Flags::FdFlags),
            F_GETFL => flags(out, crate::table::Flags::Open),
            _ => push_int(out, ret),
        }
    }

    /// What a successful poll wrote back, after its result: ` (Timeout)` or
    /// ` ([{fd=3, revents=POLLIN}])`.
    fn render_poll_result(&self, out: &mut String, ret: i64) {
        if ret == 0 {
            out.push_str(" (Timeout)");
            return;
        }
        let Some(mem) = self
            .exit_mem(0)
            .filter(|m| m.status != CaptureStatus::Fault)
        else {
            return;
        };
        out.push_str(" (");
        let _ = structs::poll_revents(out, mem.data, self.args[1]);
        // ppoll's time left.
        if let Some(Arg::Mem {
            at: At::Both,
            shape: Shape::Timespec,
            ..
        }) = self.syscall.args.get(2)
            && let Some(left) = self
                .exit_mem(2)
                .filter(|m| m.status != CaptureStatus::Fault)
        {
            out.push_str(", left ");
            let _ = structs::timespec(out, left.data);
        }
        out.push(')');
    }

    /// A socklen_t the kernel may change: `[16]`, or `[128 => 16]` when it did.
    fn render_socklen(&self, out: &mut String, arg: u8, exit: &[u8]) -> Option<()> {
        let after = exit.get(..4)?;
        let before = self
            .enter_mem(arg)
            .filter(|m| m.status != CaptureStatus::Fault)
            .and_then(|m| m.data.get(..4));
        out.push('[');
        match before {
            Some(b) if b != after => {
                structs::int_val_plain(out, b)?;
                out.push_str(" => ");
            }
            _ => {}
        }
        structs::int_val_plain(out, after)?;
        out.push(']');
        Some(())
    }

    /// Appends the whole call on one line, `name(args) = result`, unpadded.
    pub fn render_line(&self, out: &mut String, opts: &Options) {
        out.push_str(self.syscall.name);
        out.push('(');
        self.render_args(out, 0..self.syscall.args.len(), opts);
        out.push_str(") = ");
        self.render_ret(out, opts);
    }

    /// Appends ` = result` as strace prints it (the caller pads before it).
    pub fn render_ret(&self, out: &mut String, opts: &Options) {
        let Some(ret) = self.ret() else {
            out.push('?');
            return;
        };
        if let Some((name, text)) = crate::syscalls::errno(ret) {
            let _ = write!(out, "-1 {name} ({text})");
            return;
        }
        if let Some((name, text)) = restart_errno(ret) {
            let _ = write!(out, "? {name} ({text})");
            return;
        }
        if self.syscall.name == "fcntl" {
            return self.render_fcntl_ret(out, ret, opts);
        }
        match self.syscall.ret {
            Ret::Hex => hex(out, ret as u64),
            Ret::Fd => self.fd(out, ret, opts),
            Ret::Pid => self.pid(out, ret, opts),
            _ => push_int(out, ret),
        }
        if matches!(
            self.syscall.args.first(),
            Some(Arg::Mem {
                shape: Shape::Pollfds,
                ..
            })
        ) {
            self.render_poll_result(out, ret);
        }
    }
}

const F_DUPFD: u64 = 0;
const F_GETFD: u64 = 1;
const F_GETFL: u64 = 3;
const F_DUPFD_CLOEXEC: u64 = 1030;

/// What fcntl's third argument is for command `cmd`; none for the commands
/// that take none (strace prints two arguments then).
fn fcntl_arg(cmd: u64) -> Option<Arg> {
    use crate::table::Flags as F;
    match cmd {
        F_GETFD | F_GETFL | 9 | 11 | 1025 | 1032 | 1034 => None,
        2 => Some(Arg::Flags(F::FdFlags)),
        4 => Some(Arg::Flags(F::Open)),
        5..=7 | 36..=38 => Some(Arg::Ptr),
        _ => Some(Arg::Int),
    }
}

/// Whether a [`Arg::Mem`] argument is printed with the arguments known at
/// enter. poll's array and ppoll's timeout are, though copied at exit too: what
/// the kernel wrote back there shows after the result.
fn printed_at_enter(at: At, shape: Shape) -> bool {
    match at {
        At::Enter => true,
        At::Exit => false,
        At::Both => matches!(shape, Shape::Pollfds | Shape::Timespec),
    }
}

/// Kernel-internal errnos that strace names when a signal interrupted a call.
fn restart_errno(ret: i64) -> Option<(&'static str, &'static str)> {
    Some(match -ret {
        512 => ("ERESTARTSYS", "To be restarted if SA_RESTART is set"),
        513 => ("ERESTARTNOINTR", "To be restarted"),
        514 => ("ERESTARTNOHAND", "To be restarted if no handler"),
        516 => ("ERESTART_RESTARTBLOCK", "Interrupted by signal"),
        _ => return None,
    })
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
    if value == 0 {
        out.push('0');
    } else {
        let _ = write!(out, "{value:#x}");
    }
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
