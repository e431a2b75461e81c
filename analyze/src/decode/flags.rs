//! Rendering flags and constants from an architecture's tables
//! (`O_RDONLY|O_CLOEXEC`); the tables themselves are data, in
//! `analyze/xlat/`, generated into [`Xlat`] by the build script.

use super::xlat::Xlat;
use crate::table::Flags;
use std::fmt::{Display, Write as _};

/// How named constants print: strace's `-X`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// By name: `O_RDONLY|O_CLOEXEC` (strace's default).
    #[default]
    Abbrev,
    /// By number: `0x80000`.
    Raw,
    /// Both: `0x80000 /* O_RDONLY|O_CLOEXEC */`.
    Verbose,
}

/// An architecture's tables, printing their constants in one [`Style`].
/// Every named constant a decoder prints goes through here.
#[derive(Clone, Copy)]
pub struct Consts {
    pub xlat: &'static Xlat,
    pub style: Style,
}

/// A number as strace's raw style prints a flag or table value: hex, with
/// 0 as `0`.
pub struct HexNumber(pub u64);

impl Display for HexNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            0 => f.write_str("0"),
            v => write!(f, "{v:#x}"),
        }
    }
}

impl Consts {
    /// Constants by name, strace's default style.
    pub fn abbrev(xlat: &'static Xlat) -> Self {
        Self {
            xlat,
            style: Style::Abbrev,
        }
    }

    /// `value` by `flags`' table (hex when there is none).
    pub fn flags(self, out: &mut String, flags: Flags, value: u64) {
        // strace prints a socket's type and its flags as two constants:
        // `0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */`.
        if flags == Flags::SockType
            && self.style != Style::Abbrev
            && let Some((mask, kinds)) = self.xlat.sock_type.field
            && value & !mask != 0
            && kinds.iter().any(|(v, _)| *v == value & mask)
        {
            let t = &self.xlat.sock_type;
            let kind = Table { bits: &[], ..*t };
            let flags = Table { field: None, ..*t };
            self.table(out, &kind, value & mask);
            out.push('|');
            return self.table(out, &flags, value & !mask);
        }
        let number = match flags {
            // An int: strace prints its 32 bits.
            Flags::Rusage => value & u64::from(u32::MAX),
            _ => value,
        };
        self.styled(out, HexNumber(number), |out| {
            render(out, self.xlat, flags, value)
        });
    }

    /// `value` by table `t`.
    pub fn table(self, out: &mut String, t: &Table, value: u64) {
        self.styled(out, HexNumber(value), |out| render_with(out, t, value));
    }

    /// A signal by its number: `SIGTERM`, `15` or `15 /* SIGTERM */`.
    pub fn signal(self, out: &mut String, signo: u32) {
        self.styled(out, signo, |out| out.push_str(&super::signal_name(signo)));
    }

    /// A constant strace names in place of `number` (`AT_FDCWD` for -100).
    pub fn named(self, out: &mut String, number: impl Display, name: &str) {
        self.styled(out, number, |out| out.push_str(name));
    }

    /// Prints `number` as the style asks, `name` appending its name (or,
    /// for a value without one, the number as the default style has it).
    pub fn styled(self, out: &mut String, number: impl Display, name: impl FnOnce(&mut String)) {
        match self.style {
            Style::Abbrev => name(out),
            Style::Raw => {
                let _ = write!(out, "{number}");
            }
            Style::Verbose => {
                let start = out.len();
                name(out);
                let text = out.split_off(start);
                let number = number.to_string();
                // A value without a name prints once, with its own comment
                // if it has one (`0x20 /* IORING_ENTER_??? */`).
                let unnamed = text
                    .strip_prefix(&number)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(" /*"));
                if unnamed {
                    out.push_str(&text);
                } else {
                    let _ = write!(out, "{number} /* {text} */");
                }
            }
        }
    }

    /// clone's flags: the CLONE_* bits, then the exit signal in the low
    /// byte, each styled on its own as strace does
    /// (`0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */`).
    pub fn clone_flags(self, out: &mut String, value: u64) {
        let bits = value & !0xff;
        let signal = (value & 0xff) as u32;
        if bits != 0 {
            self.table(out, &self.xlat.clone, bits);
        }
        if signal != 0 {
            if bits != 0 {
                out.push('|');
            }
            self.signal(out, signal);
        }
        if value == 0 {
            out.push('0');
        }
    }
}

/// How one table's values are printed.
#[derive(Clone, Copy)]
pub struct Table {
    /// Printed when the value is 0 (`None`: print `0`).
    pub zero: Option<&'static str>,
    /// strace's text for a value none of whose names apply, in a comment
    /// after it (`0x20 /* IORING_ENTER_??? */`); `None`: the number alone.
    pub unknown: Option<&'static str>,
    /// A field of exact values in the low bits (open's access mode, mmap's type).
    pub field: Option<(u64, &'static [(u64, &'static str)])>,
    /// Single bits (or bit groups) printed joined by `|`.
    pub bits: &'static [(u64, &'static str)],
    /// Values printed as a whole (enumerations).
    pub values: &'static [(u64, &'static str)],
}

impl Table {
    /// The value of the flag or constant `name` in this table.
    pub fn value_of(&self, name: &str) -> Option<u64> {
        let field = self.field.map_or(&[][..], |(_, values)| values);
        self.bits
            .iter()
            .chain(self.values)
            .chain(field)
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
    }
}

/// The table of `flags` on `xlat`'s architecture, if it has one.
pub fn table(xlat: &'static Xlat, flags: Flags) -> Option<&'static Table> {
    Some(match flags {
        Flags::Open => &xlat.open,
        Flags::Access => &xlat.access,
        Flags::At => &xlat.at,
        Flags::Prot => &xlat.prot,
        Flags::Map => &xlat.map,
        Flags::ArchPrctl => &xlat.arch_prctl,
        Flags::Rlimit => &xlat.rlimit,
        Flags::SockDomain => &xlat.sock_domain,
        Flags::SockType => &xlat.sock_type,
        Flags::Msg => &xlat.msg,
        Flags::Whence => &xlat.whence,
        Flags::Sigprocmask => &xlat.sigprocmask,
        Flags::Random => &xlat.random,
        Flags::Clock => &xlat.clock,
        Flags::Wait => &xlat.wait,
        Flags::Fcntl => &xlat.fcntl,
        Flags::Pipe | Flags::Dup3 => &xlat.pipe,
        Flags::Shut => &xlat.shut,
        Flags::Ioctl => &xlat.ioctl,
        Flags::SockLevel => &xlat.sock_level,
        Flags::Poll => &xlat.poll,
        Flags::Statx => &xlat.statx,
        Flags::StatxMask => &xlat.statx_mask,
        Flags::FdFlags => &xlat.fd_flags,
        Flags::Mremap => &xlat.mremap,
        Flags::Madvise => &xlat.madvise,
        Flags::Lock => &xlat.lock,
        Flags::Timer => &xlat.timer,
        Flags::Epoll => &xlat.epoll,
        Flags::EpollCtl => &xlat.epoll_ctl,
        Flags::Rename => &xlat.rename,
        Flags::Eventfd => &xlat.eventfd,
        Flags::Mfd => &xlat.mfd,
        Flags::CloseRange => &xlat.close_range,
        Flags::Fadvise => &xlat.fadvise,
        Flags::Seals => &xlat.seals,
        Flags::Timerfd => &xlat.timerfd,
        Flags::Signalfd => &xlat.signalfd,
        Flags::Msync => &xlat.msync,
        Flags::Mlockall => &xlat.mlockall,
        Flags::Priority => &xlat.priority,
        Flags::Accept4 => &xlat.accept4,
        Flags::Faccessat => &xlat.faccessat,
        Flags::TimerfdSettime => &xlat.timerfd_settime,
        Flags::Itimer => &xlat.itimer_which,
        Flags::SeccompOp => &xlat.seccomp_op,
        Flags::Mempolicy => &xlat.mempolicy,
        Flags::IoUringEnter => &xlat.io_uring_enter,
        Flags::IoUringRegister => &xlat.io_uring_register,
        Flags::Mbind => &xlat.mbind,
        Flags::GetMempolicy => &xlat.get_mempolicy,
        Flags::SeccompFilter => &xlat.seccomp_filter,
        Flags::Rusage => &xlat.rusage_who,
        Flags::Prctl => &xlat.prctl,
        _ => return None,
    })
}

/// Appends `value` decoded by `flags`' table (hex when there is none), by
/// name ([`Consts::flags`] prints it in any style).
fn render(out: &mut String, xlat: &'static Xlat, flags: Flags, value: u64) {
    if flags == Flags::Futex {
        return futex_op(out, xlat, value);
    }
    // An int in a register: its upper half is not the caller's.
    let value = if flags == Flags::Rusage {
        value as i32 as i64 as u64
    } else {
        value
    };
    match table(xlat, flags) {
        Some(t) => render_with(out, t, value),
        None => out.push_str(&format!("{value:#x}")),
    }
}

fn render_with(out: &mut String, t: &Table, value: u64) {
    if let Some(&(_, name)) = t.values.iter().find(|(v, _)| *v == value) {
        out.push_str(name);
        return;
    }
    if !t.values.is_empty() && t.bits.is_empty() {
        unknown(out, t, value);
        return;
    }
    match t.zero {
        Some(zero) if value == 0 => return out.push_str(zero),
        None if value == 0 && t.field.is_none() => return out.push('0'),
        _ => {}
    }
    let mut parts: Vec<String> = Vec::new();
    let mut rest = value;
    let mut named = false;
    if let Some((mask, names)) = t.field {
        let field = value & mask;
        match names.iter().find(|(v, _)| *v == field) {
            Some(&(_, name)) => {
                parts.push(name.to_owned());
                named = true;
            }
            None => parts.push(format!("{field:#x}")),
        }
        rest &= !mask;
    }
    for &(bit, name) in t.bits {
        if rest & bit == bit && bit != 0 {
            parts.push(name.to_owned());
            named = true;
            rest &= !bit;
        }
    }
    if !named {
        return unknown(out, t, value);
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    out.push_str(&parts.join("|"));
}

/// A value none of the table's names apply to: the number, with strace's
/// comment where the table has one (`0x20 /* IORING_ENTER_??? */`).
fn unknown(out: &mut String, t: &Table, value: u64) {
    let _ = write!(out, "{}", HexNumber(value));
    if let Some(text) = t.unknown {
        let _ = write!(out, " /* {text} */");
    }
}

fn futex_op(out: &mut String, xlat: &Xlat, value: u64) {
    const PRIVATE: u64 = 128;
    const REALTIME: u64 = 256;
    let op = value & !(PRIVATE | REALTIME);
    match xlat.futex_ops.values.iter().find(|(v, _)| *v == op) {
        Some(&(_, name)) => out.push_str(name),
        None => return unknown(out, &xlat.futex_ops, value),
    }
    if value & PRIVATE != 0 {
        out.push_str("_PRIVATE");
    }
    if value & REALTIME != 0 {
        out.push_str("|FUTEX_CLOCK_REALTIME");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::xlat;

    fn r(flags: Flags, value: u64) -> String {
        let mut s = String::new();
        render(&mut s, &xlat::X86_64, flags, value);
        s
    }

    fn arm(flags: Flags, value: u64) -> String {
        let mut s = String::new();
        render(&mut s, &xlat::AARCH64, flags, value);
        s
    }

    #[test]
    fn renders_like_strace() {
        assert_eq!(r(Flags::Open, 0o2_000_000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(r(Flags::Open, 0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(r(Flags::Open, 0o20_200_002), "O_RDWR|O_TMPFILE");
        assert_eq!(r(Flags::Prot, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(r(Flags::Prot, 0), "PROT_NONE");
        assert_eq!(r(Flags::Map, 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(r(Flags::Map, 0x812), "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
        assert_eq!(r(Flags::Access, 4), "R_OK");
        assert_eq!(r(Flags::At, 0x1000), "AT_EMPTY_PATH");
        assert_eq!(r(Flags::At, 0), "0");
        assert_eq!(r(Flags::ArchPrctl, 0x1002), "ARCH_SET_FS");
        assert_eq!(r(Flags::Rlimit, 3), "RLIMIT_STACK");
        assert_eq!(r(Flags::Futex, 129), "FUTEX_WAKE_PRIVATE");
        assert_eq!(r(Flags::Msg, 0x100), "MSG_WAITALL");
        assert_eq!(r(Flags::Msg, 0), "0");
        assert_eq!(r(Flags::Poll, 0x2011), "POLLIN|POLLHUP|POLLRDHUP");
        assert_eq!(r(Flags::Lock, 6), "LOCK_EX|LOCK_NB");
        assert_eq!(r(Flags::Madvise, 4), "MADV_DONTNEED");
        assert_eq!(r(Flags::Fcntl, 1032), "F_GETPIPE_SZ");
        assert_eq!(
            r(Flags::Open, 0o2_204_000),
            "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"
        );
        assert_eq!(
            r(Flags::Statx, 0x900),
            "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT"
        );
        assert_eq!(
            r(Flags::StatxMask, 0x25e),
            "STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_MTIME|STATX_SIZE"
        );
        assert_eq!(
            r(Flags::StatxMask, 0x17ff),
            "STATX_BASIC_STATS|STATX_MNT_ID"
        );
    }

    /// `-X raw` and `-X verbose`: a value's number, alone or with its names.
    #[test]
    fn styles_are_straces() {
        let styled = |style, flags, value| {
            let mut s = String::new();
            Consts {
                xlat: &xlat::X86_64,
                style,
            }
            .flags(&mut s, flags, value);
            s
        };
        let (raw, verbose) = (Style::Raw, Style::Verbose);
        assert_eq!(styled(raw, Flags::Open, 0o2_000_000), "0x80000");
        assert_eq!(
            styled(verbose, Flags::Open, 0o2_000_000),
            "0x80000 /* O_RDONLY|O_CLOEXEC */"
        );
        assert_eq!(styled(verbose, Flags::Prot, 0), "0 /* PROT_NONE */");
        assert_eq!(styled(verbose, Flags::At, 0), "0");
        assert_eq!(styled(raw, Flags::Rusage, u64::MAX), "0xffffffff");
        assert_eq!(
            styled(verbose, Flags::SockType, 0x80003),
            "0x3 /* SOCK_RAW */|0x80000 /* SOCK_CLOEXEC */"
        );
        assert_eq!(
            styled(verbose, Flags::SockType, 0x99),
            "0x99 /* SOCK_??? */"
        );
        assert_eq!(
            styled(verbose, Flags::Map, 0x1000_0022),
            "0x10000022 /* MAP_PRIVATE|MAP_ANONYMOUS|0x10000000 */"
        );
        let mut s = String::new();
        Consts {
            xlat: &xlat::X86_64,
            style: verbose,
        }
        .clone_flags(&mut s, 0x1200011);
        assert_eq!(
            s,
            "0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */"
        );
    }

    /// aarch64's open flags differ from x86_64's (asm-generic's values).
    #[test]
    fn each_architecture_has_its_own_values() {
        assert_eq!(
            arm(Flags::Open, 0o2_040_000),
            "O_RDONLY|O_CLOEXEC|O_DIRECTORY"
        );
        assert_eq!(r(Flags::Open, 0o2_040_000), "O_RDONLY|O_DIRECT|O_CLOEXEC");
        assert_eq!(arm(Flags::Open, 0o20_040_002), "O_RDWR|O_TMPFILE");
        assert_eq!(arm(Flags::Map, 0x62), "MAP_PRIVATE|MAP_ANONYMOUS|0x40");
        assert_eq!(arm(Flags::Prot, 0x15), "PROT_READ|PROT_EXEC|PROT_BTI");
        assert_eq!(xlat::X86_64.open.value_of("O_TMPFILE"), Some(0o20_200_000));
        assert_eq!(xlat::AARCH64.open.value_of("O_TMPFILE"), Some(0o20_040_000));
    }
}
