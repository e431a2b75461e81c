//! Rendering a call as strace does: its arguments, captured memory and
//! result, each as its table entry says, asking the call's decoder
//! (`calls`) where it has its own say.

use std::fmt::Write as _;

use format::CaptureStatus;

use super::*;
use crate::table::{Arg, At, Decoder, Ret, Shape, Size};
use netlink::{Netlink, Span};
use structs::Precision;

impl CallView<'_> {
    /// Index of the first argument only known at exit: strace prints the
    /// arguments before it at enter, the rest after `<... resumed>`.
    pub fn exit_split(&self) -> usize {
        // clone3's exit adds to its struct, before the size.
        if self.syscall.decoder == Decoder::Clone3 {
            return 1;
        }
        self.syscall
            .args
            .iter()
            .position(|a| matches!(a, Arg::Mem { at, shape, .. } if !printed_at_enter(*at, *shape)))
            .unwrap_or(self.syscall.args.len())
    }

    /// Whether the part printed at exit follows a `, ` (clone3's follows
    /// its struct directly: ` => {parent_tid=[1234]}, 88`).
    pub fn separates_exit_part(&self) -> bool {
        self.syscall.decoder != Decoder::Clone3
    }

    /// Each argument shown, on its own (`--json`), handed to `each` in
    /// turn (rendered into one buffer, not a string each).
    pub fn each_arg_text(&self, opts: &Options, mut each: impl FnMut(&str)) {
        if let Some(texts) = self.own_arg_texts(opts) {
            texts.iter().for_each(|text| each(text));
            return;
        }
        let mut text = String::new();
        for i in 0..self.syscall.args.len() {
            text.clear();
            self.render_args(&mut text, i..i + 1, opts);
            let text = text.strip_prefix(", ").unwrap_or(&text);
            if !text.is_empty() {
                each(text);
            }
        }
    }

    /// Appends arguments `range` (with their separating commas).
    pub fn render_args(&self, out: &mut String, range: std::ops::Range<usize>, opts: &Options) {
        if self.render_own_args(out, range.clone(), opts) {
            return;
        }
        for i in range.start..range.end.min(self.shown_args()) {
            if !self.shows(i) {
                continue;
            }
            if i > 0 {
                out.push_str(", ");
            }
            self.render_arg(out, i, opts);
        }
    }

    pub(super) fn render_arg(&self, out: &mut String, i: usize, opts: &Options) {
        let value = self.args[i];
        let arg_no = i as u8;
        let consts = self.consts(opts);
        if self.render_own_arg(out, i, consts) {
            return;
        }
        let kind = self.arg_kind(i);
        match kind {
            Arg::Int => push_int(out, int(value)),
            Arg::Pid => self.pid(out, int(value), opts),
            Arg::Fd => self.fd(out, int(value), opts),
            Arg::DirFd => match int(value) {
                crate::fds::AT_FDCWD => {
                    // `-y`: `AT_FDCWD</tmp>`, where the working directory is known.
                    consts.named(out, crate::fds::AT_FDCWD, "AT_FDCWD");
                    self.fd_name(out, crate::fds::AT_FDCWD, opts);
                }
                fd => self.fd(out, fd, opts),
            },
            Arg::Uint => push_int(out, value),
            Arg::Hex => hex(out, value),
            Arg::Pages => hex(out, value.saturating_mul(4096)),
            Arg::Ptr => pointer(out, value),
            Arg::Mode => out.push_str(&octal_mode(value as u32)),
            Arg::Signal => consts.signal(out, value as u32),
            Arg::Flags(f) => consts.flags(out, f, value),
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
                        Some(exec) => {
                            strings::c_string(out, &exec.filename, false, limit, opts.hex)
                        }
                        None => pointer(out, value),
                    },
                }
            }
            Arg::Argv | Arg::Envp if !opts.deref => pointer(out, value),
            Arg::Argv => self.render_argv(out, value, opts),
            Arg::Envp if !opts.abbrev && self.exec.is_some_and(|e| e.envp.is_some()) => {
                if let Some(envp) = self.exec.and_then(|e| e.envp.as_ref()) {
                    exec_argv(out, &envp.vars, envp.cut, opts);
                }
            }
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

    /// A descriptor, with what it refers to under `-y`.
    pub(super) fn fd(&self, out: &mut String, fd: i64, opts: &Options) {
        push_int(out, fd);
        self.fd_name(out, fd, opts);
    }

    /// `<what fd refers to>` under `-y`, where it is known.
    fn fd_name(&self, out: &mut String, fd: i64, opts: &Options) {
        if let Some(entry) = self.fds.and_then(|t| t.get(&fd)) {
            entry.show(out, opts);
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

    fn render_argv(&self, out: &mut String, value: u64, opts: &Options) {
        let mems: Vec<Mem<'_>> = self.enter_mems(self.arg_index(Arg::Argv)).collect();
        let faulted = mems.is_empty() || mems.iter().any(|m| m.status == CaptureStatus::Fault);
        // The kernel side copies the first strings only, then marks that more
        // follow (an empty partial copy): the exec record has them all.
        let more = mems
            .last()
            .is_some_and(|m| m.status == CaptureStatus::Partial && m.data.is_empty());
        let longer = self.exec.filter(|exec| exec.argv.len() >= mems.len());
        if faulted || more && longer.is_some() {
            match self.exec {
                Some(exec) => exec_argv(out, &exec.argv, false, opts),
                None => pointer(out, value),
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
        let consts = self.consts(opts);
        // `-e verbose=`: data, strings and the ids getgroups wrote still
        // show, structs do not (a signal frame's mask is `{mask=ADDR}`).
        let shown_anyway = match shape {
            Shape::Bytes | Shape::OutPath => true,
            Shape::Ids => at == At::Exit,
            _ => false,
        };
        if !opts.deref && !shown_anyway {
            if shape == Shape::SigframeMask {
                out.push_str("{mask=");
                pointer(out, value);
                out.push('}');
                return;
            }
            return pointer(out, value);
        }
        if matches!(shape, Shape::Iovecs | Shape::Iovecs32) {
            return self.render_iovecs(out, i, at, size, shape == Shape::Iovecs32, opts);
        }
        if shape == Shape::Msghdr {
            return self.render_msghdr(out, i, at, opts);
        }
        let mem = match at {
            At::Enter => self.enter_mem(arg_no),
            At::Both if printed_at_enter(at, shape) => self.enter_mem(arg_no),
            // A failed call's address length, or io_uring_setup's
            // parameters: as they went in.
            At::Both
                if matches!(shape, Shape::Socklen | Shape::IoUringParams)
                    && ret.is_some_and(|r| r < 0) =>
            {
                self.enter_mem(arg_no)
            }
            // Out-buffers mean something only when the call succeeded (or
            // for the calls that write them when they fail).
            At::Exit | At::Both => match ret {
                Some(r) if r >= 0 || self.syscall.writes_when_failed() => self.exit_mem(arg_no),
                _ => None,
            },
        };
        let Some(mem) = mem.filter(|m| m.status != CaptureStatus::Fault) else {
            // Recordings older than the mask's copy have nothing to show.
            if shape == Shape::SigframeMask && mem.is_none() {
                return;
            }
            return pointer(out, value);
        };
        let len = match size {
            Size::Fixed(n) => u64::from(n),
            Size::Arg(k) => self.args[k as usize],
            Size::Ret => ret.unwrap_or(0).max(0) as u64,
            Size::ArgTimes(k, n) => self.args[k as usize].saturating_mul(u64::from(n)),
            Size::FdSet(k) => self.args[k as usize].min(1 << 16).div_ceil(64) * 8,
        };
        let hex = self.buffer_hex(opts.hex);
        let done = match shape {
            Shape::Bytes => {
                match self.netlink(opts) {
                    Some(netlink) => netlink.messages(out, Span::new(mem.data, len)),
                    None => strings::buffer(out, mem.data, len, opts.strsize, hex),
                }
                Some(())
            }
            Shape::OutPath => {
                let path = mem.data.split(|&b| b == 0).next().unwrap_or_default();
                let cut = mem.status == CaptureStatus::Partial && path.len() == mem.data.len();
                strings::c_string(out, path, cut, usize::MAX, opts.hex);
                Some(())
            }
            Shape::Sysinfo => structs::sysinfo(out, mem.data),
            Shape::Utsname => structs::utsname(out, &self.exit_whole(arg_no), opts.abbrev),
            Shape::Stat => structs::stat(out, consts, mem.data, opts.abbrev),
            Shape::Statx => structs::statx(out, consts, mem.data, opts.abbrev),
            Shape::Rlimit => structs::rlimit(out, consts, mem.data),
            Shape::Timespec => structs::timespec(out, mem.data),
            Shape::Timespec32 => structs::timespec32(out, mem.data),
            Shape::Timeval32 => structs::timeval32(out, mem.data),
            Shape::Stat64 => structs::stat64_i386(out, consts, mem.data, opts.abbrev),
            Shape::Rlimit32 => structs::rlimit32(out, consts, mem.data),
            Shape::Sigaction32 => structs::sigaction32(out, consts, mem.data),
            // `[3<pipe:[1234]>, 4<pipe:[1234]>]`, as strace -y prints them.
            Shape::IntPair => match &self.fd_pair() {
                Some([(a, entry_a), (b, entry_b)]) if opts.fd_paths || opts.fd_sockets => {
                    let _ = write!(out, "[{a}");
                    entry_a.show(out, opts);
                    let _ = write!(out, ", {b}");
                    entry_b.show(out, opts);
                    out.push(']');
                    Some(())
                }
                _ => structs::int_pair(out, mem.data),
            },
            // A wait that reaped no child (WNOHANG: 0) wrote no status.
            Shape::WaitStatus if ret == Some(0) => None,
            Shape::WaitStatus => structs::wait_status(out, mem.data),
            Shape::Socklen if at == At::Both => self.render_socklen(out, arg_no, mem.data),
            Shape::IntVal if at == At::Exit && self.writes_errno() => {
                structs::errno_val(out, consts, mem.data)
            }
            Shape::IntVal | Shape::Socklen => structs::int_val(out, mem.data),
            Shape::Utimens => structs::utimes(out, consts, mem.data, Precision::Nanoseconds),
            Shape::Utimes => structs::utimes(out, consts, mem.data, Precision::Microseconds),
            Shape::Sockaddr => {
                let len = self.sockaddr_len(i).unwrap_or(mem.data.len());
                structs::sockaddr(out, consts, &mem.data[..len.min(mem.data.len())])
            }
            Shape::Sigset => structs::sigset(out, consts, mem.data),
            Shape::SigframeMask => {
                let mut mask = String::new();
                structs::sigset(&mut mask, consts, mem.data).map(|()| {
                    let _ = write!(out, "{{mask={mask}}}");
                })
            }
            Shape::Sigaction => structs::sigaction(out, consts, mem.data),
            Shape::Pollfds => structs::pollfds(out, consts, mem.data, self.args[1]),
            Shape::Dirents => match self.exit_mems(arg_no).get(1) {
                Some(entries) if !opts.abbrev => {
                    structs::dirents(out, consts, entries.data, len);
                    Some(())
                }
                _ => structs::dirent_count(out, value, mem.data),
            },
            Shape::Statfs => structs::statfs(out, consts, mem.data),
            Shape::Timeval => structs::timeval(out, mem.data),
            Shape::Itimerspec => structs::itimerspec(out, mem.data),
            Shape::Itimerval => structs::itimerval(out, mem.data),
            Shape::Sigevent => structs::sigevent(out, consts, mem.data),
            Shape::Ids => {
                let count = match (at, size) {
                    (At::Enter, Size::ArgTimes(k, _)) => self.args[usize::from(k)],
                    (At::Enter, _) => self.args[0],
                    (At::Exit | At::Both, _) => ret.unwrap_or(0).max(0) as u64,
                };
                structs::ids(out, mem.data, count)
            }
            Shape::IoUringParams => {
                let set_up = ret.is_some_and(|r| r >= 0);
                structs::io_uring_params(out, consts, mem.data, set_up)
            }
            Shape::Cpuset => structs::cpuset(out, mem.data),
            Shape::FdSet => structs::fd_set(out, mem.data, self.args[0]),
            Shape::PselectSigmask => structs::pselect_sigmask(out, mem.data),
            // Only a filter's third argument is a program.
            Shape::SockFprog if self.args[0] as usize == self.xlat.seccomp_set_mode_filter => {
                structs::sock_fprog(out, mem.data)
            }
            Shape::SockFprog => None,
            Shape::Stack => structs::stack(out, consts, mem.data),
            Shape::CapHeader => structs::cap_header(out, consts, mem.data),
            Shape::Nodemask => match size {
                Size::FdSet(k) => structs::nodemask(out, mem.data, self.args[usize::from(k)]),
                _ => None,
            },
            Shape::MempolicyMode => structs::u32_at(mem.data, 0).map(|mode| {
                out.push('[');
                consts.flags(out, crate::table::Flags::Mempolicy, mode.into());
                out.push(']');
            }),
            Shape::CapData => {
                let version = self.enter_mem(0).and_then(|h| structs::u32_at(h.data, 0));
                structs::cap_data(out, consts, mem.data, version)
            }
            Shape::PageVector => {
                let pages = len.div_ceil(self.xlat.page_size as u64);
                structs::page_vector(out, mem.data, pages, opts.strsize)
            }
            Shape::Rusage => structs::rusage(out, mem.data, opts.abbrev),
            // epoll_wait's array holds as many events as it returned;
            // epoll_ctl's is one.
            Shape::EpollEvent => {
                let count = (at == At::Exit).then(|| ret.unwrap_or(0).max(0) as u64);
                structs::epoll_events(out, consts, mem.data, count)
            }
            Shape::Flock => structs::flock(out, consts, mem.data, at == At::Exit),
            Shape::Flock64 => structs::flock64_i386(out, consts, mem.data, at == At::Exit),
            Shape::UserDesc => structs::user_desc(out, mem.data),
            Shape::Loff => structs::u64_at(mem.data, 0).map(|offset| {
                let _ = write!(out, "[{offset}]");
            }),
            // Copied, not decoded yet: the address, as before.
            Shape::CloneArgs => None,
            // Printed above (the iovec array and its data, a msghdr), or
            // never copied.
            Shape::Iovecs | Shape::Iovecs32 | Shape::Msghdr | Shape::Opaque => None,
        };
        if done.is_none() {
            pointer(out, value);
        }
    }

    /// `[{iov_base="...", iov_len=5}, ...]`: each entry's data up to its length
    /// at enter (writev), up to what the call returned in all at exit (readv).
    fn render_iovecs(
        &self,
        out: &mut String,
        i: usize,
        at: At,
        size: Size,
        i386: bool,
        opts: &Options,
    ) {
        let arg_no = i as u8;
        let (mems, left) = match (at, self.ret()) {
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
        let array = structs::IovecArray {
            bytes: array.data,
            i386,
        };
        let count = match size {
            Size::Arg(k) => self.args[k as usize],
            _ => array.len() as u64,
        };
        iovecs(out, array, data, count, left, opts, None);
    }

    /// How sendto and recvfrom print a netlink socket's data: as its
    /// messages (`-e verbose=none`: as bytes).
    pub(super) fn netlink<'o>(&self, opts: &'o Options) -> Option<Netlink<'o>> {
        // Only calls on sockets record one (read and write are hot).
        if self.syscall.fds != crate::table::FdEffect::SocketEnds {
            return None;
        }
        let protocol = self.netlink_protocol()?;
        opts.deref.then(|| Netlink {
            protocol: Some(protocol),
            c: self.consts(opts),
            opts,
        })
    }

    /// A socklen_t the kernel may change: `[16]`, or `[128 => 16]` when it did.
    /// The length of the socket address in argument `i`: what the call
    /// wrote to its length argument (getsockname, accept), or the length
    /// argument that follows it (connect, bind).
    fn sockaddr_len(&self, i: usize) -> Option<usize> {
        let next = i + 1;
        let len = match self.syscall.args.get(next)? {
            Arg::Mem {
                shape: Shape::Socklen,
                ..
            } => {
                let mem = self.exit_mem(next as u8)?;
                u64::from(structs::u32_at(mem.data, 0)?)
            }
            Arg::Uint | Arg::Int => self.args[next],
            _ => return None,
        };
        usize::try_from(len).ok()
    }

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
        // A signal interrupted the call: the kernel restarts it or turns
        // this into EINTR on its way out, so strace prints no -1.
        if let Some((name, text)) = crate::syscalls::restart_errno(ret) {
            let _ = write!(out, "? {name} ({text})");
            return;
        }
        if let Some((name, text)) = crate::syscalls::errno(ret) {
            let _ = write!(out, "-1 {name} ({text})");
            return;
        }
        if self.render_own_ret(out, ret, opts) {
            return;
        }
        match self.syscall.ret {
            Ret::Hex => hex(out, ret as u64),
            Ret::Mode => out.push_str(&octal_mode(ret as u32)),
            Ret::Fd => self.fd(out, ret, opts),
            Ret::Pid => self.pid(out, ret, opts),
            _ => push_int(out, ret),
        }
        self.render_after_ret(out, ret, opts);
    }
}

/// Whether a [`Arg::Mem`] argument is printed with the arguments known at
/// enter. poll's array and ppoll's timeout are, though copied at exit too: what
/// the kernel wrote back there shows after the result.
fn printed_at_enter(at: At, shape: Shape) -> bool {
    match at {
        At::Enter => true,
        At::Exit => false,
        At::Both => matches!(
            shape,
            Shape::Pollfds
                | Shape::Timespec
                | Shape::Timespec32
                | Shape::Timeval
                | Shape::FdSet
                | Shape::UserDesc
        ),
    }
}

/// An exec record's argv as strace prints argv: as many strings as the
/// string limit (`-s`), then `...`.
/// `["sh", "-c", ...]`: an exec record's argv or environment (`cut`: its
/// last string cut short, and more after it).
fn exec_argv(out: &mut String, argv: &[Vec<u8>], cut: bool, opts: &Options) {
    out.push('[');
    // strace shows at most `-s` strings, all of them with -v.
    let shown = argv.len().min(if opts.abbrev {
        opts.strsize
    } else {
        usize::MAX
    });
    for (k, a) in argv[..shown].iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        let partial = cut && k + 1 == argv.len();
        strings::c_string(out, a, partial, opts.strsize, opts.hex);
    }
    if argv.len() > shown || cut {
        out.push_str(if shown > 0 { ", ..." } else { "..." });
    }
    out.push(']');
}

/// `[{iov_base="...", iov_len=5}, ...]` from an iovec array's copy and its
/// entries' data: `count` entries, at most `left` bytes of data shown in all.
pub(super) fn iovecs(
    out: &mut String,
    array: structs::IovecArray,
    data: &[Mem<'_>],
    count: u64,
    mut left: u64,
    opts: &Options,
    netlink: Option<Netlink>,
) {
    let entries = array
        .len()
        .min(usize::try_from(count).unwrap_or(usize::MAX));
    out.push('[');
    for k in 0..entries {
        let Some((base, len)) = array.get(k) else {
            break;
        };
        if k > 0 {
            out.push_str(", ");
        }
        out.push_str("{iov_base=");
        let shown = len.min(left);
        left -= shown;
        match data.get(k).filter(|d| d.status != CaptureStatus::Fault) {
            _ if base == 0 => out.push_str("NULL"),
            _ if shown == 0 => out.push_str("\"\""),
            Some(d) => match netlink {
                Some(netlink) => netlink.messages(out, Span::new(d.data, shown)),
                None => strings::buffer(out, d.data, shown, opts.strsize, opts.hex),
            },
            None => pointer(out, base),
        }
        let _ = write!(out, ", iov_len={len}}}");
    }
    if count > entries as u64 {
        out.push_str(if entries > 0 { ", ..." } else { "..." });
    }
    out.push(']');
}
