//! Structures read from captured memory, printed as strace prints them.

use super::{Consts, Style, flags::HexNumber, strings};
use std::fmt::Write as _;

pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(super) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// One `struct pollfd`: fd, events, revents.
fn pollfd(b: &[u8], i: usize) -> Option<(i32, u16, u16)> {
    let at = i * 8;
    Some((
        u32_at(b, at)? as i32,
        u16_at(b, at + 4)?,
        u16_at(b, at + 6)?,
    ))
}

/// `[{fd=3, events=POLLIN}, ...]`: the first `count` entries of a `struct
/// pollfd` array, `...` for those not captured.
pub fn pollfds(out: &mut String, c: Consts, b: &[u8], count: u64) -> Option<()> {
    let shown = (b.len() / 8).min(usize::try_from(count).unwrap_or(usize::MAX));
    out.push('[');
    for i in 0..shown {
        let (fd, events, _) = pollfd(b, i)?;
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{{fd={fd}, events=");
        c.flags(out, crate::table::Flags::Poll, u64::from(events));
        out.push('}');
    }
    if count > shown as u64 {
        out.push_str(if shown > 0 { ", ..." } else { "..." });
    }
    out.push(']');
    Some(())
}

/// `[{fd=3, revents=POLLIN}]`: the entries poll returned events for, as strace
/// prints them after a successful poll's result.
pub fn poll_revents(out: &mut String, c: Consts, b: &[u8], count: u64) -> Option<()> {
    let shown = (b.len() / 8).min(usize::try_from(count).unwrap_or(usize::MAX));
    out.push('[');
    let mut first = true;
    for i in 0..shown {
        let (fd, _, revents) = pollfd(b, i)?;
        if revents == 0 {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        let _ = write!(out, "{{fd={fd}, revents=");
        c.flags(out, crate::table::Flags::Poll, u64::from(revents));
        out.push('}');
    }
    out.push(']');
    Some(())
}

/// `0x5555... /* 28 entries */`: getdents64's buffer, of which the recorder
/// kept the number of records.
pub fn dirent_count(out: &mut String, address: u64, b: &[u8]) -> Option<()> {
    let count = u32_at(b, 0)?;
    let _ = write!(out, "{address:#x} /* {count} entries */");
    Some(())
}

/// `[{d_ino=1, d_off=2, d_reclen=24, d_type=DT_DIR, d_name="."}, ...]`:
/// getdents64's `len` bytes of entries, as far as `b` holds them whole
/// (strace -v).
pub fn dirents(out: &mut String, c: Consts, b: &[u8], len: u64) {
    const NAME_AT: usize = 19;
    out.push('[');
    let mut at = 0;
    while (at as u64) < len {
        let Some(reclen) = u16_at(b, at + 16).map(usize::from) else {
            break;
        };
        let (Some(entry), Some(ino), Some(off)) =
            (b.get(at..at + reclen), u64_at(b, at), u64_at(b, at + 8))
        else {
            break;
        };
        if reclen < NAME_AT {
            break;
        }
        if at > 0 {
            out.push_str(", ");
        }
        let _ = write!(
            out,
            "{{d_ino={ino}, d_off={}, d_reclen={reclen}, d_type=",
            off as i64
        );
        c.table(out, &c.xlat.dirent_types, u64::from(entry[18]));
        out.push_str(", d_name=");
        strings::c_string(
            out,
            &entry[NAME_AT..],
            false,
            usize::MAX,
            strings::Hex::Never,
        );
        out.push('}');
        at += reclen;
    }
    if (at as u64) < len {
        out.push_str(if at > 0 { ", ..." } else { "..." });
    }
    out.push(']');
}

/// `{uptime=..., loads=[...], totalram=..., ..., mem_unit=1}` from a `struct sysinfo`.
pub fn sysinfo(out: &mut String, b: &[u8]) -> Option<()> {
    let u = |at| u64_at(b, at);
    let _ = write!(
        out,
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, \
         bufferram={}, totalswap={}, freeswap={}, procs={}, totalhigh={}, freehigh={}, \
         mem_unit={}}}",
        u(0)? as i64,
        u(8)?,
        u(16)?,
        u(24)?,
        u(32)?,
        u(40)?,
        u(48)?,
        u(56)?,
        u(64)?,
        u(72)?,
        u16_at(b, 80)?,
        u(88)?,
        u(96)?,
        u32_at(b, 104)?,
    );
    Some(())
}

/// `{sysname="Linux", nodename="host", ...}` from a `struct utsname` (fields of
/// 65 bytes; the snapshot holds the first two).
pub fn utsname(out: &mut String, b: &[u8], abbrev: bool) -> Option<()> {
    const NAMES: [&str; 6] = [
        "sysname",
        "nodename",
        "release",
        "version",
        "machine",
        "domainname",
    ];
    let field = |k: usize| {
        let f = b.get(k * 65..(k + 1) * 65)?;
        Some(f.split(|&c| c == 0).next().unwrap_or_default())
    };
    // The first two; all six with `-v`, as far as the recording has them.
    let shown = if abbrev { 2 } else { NAMES.len() };
    field(1)?;
    out.push('{');
    for (k, name) in NAMES.iter().enumerate().take(shown) {
        let Some(value) = field(k) else {
            out.push_str(", ...");
            break;
        };
        if k > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{name}=");
        strings::c_string(out, value, false, usize::MAX, strings::Hex::Never);
    }
    if abbrev {
        out.push_str(", ...");
    }
    out.push('}');
    Some(())
}

/// A copied array of `struct iovec`: 16 bytes each, or 8 in i386's ABI.
#[derive(Clone, Copy)]
pub struct IovecArray<'a> {
    pub bytes: &'a [u8],
    pub i386: bool,
}

impl IovecArray<'_> {
    fn width(self) -> usize {
        if self.i386 { 8 } else { 16 }
    }

    /// How many whole entries were copied.
    pub fn len(self) -> usize {
        self.bytes.len() / self.width()
    }

    /// Entry `i`: base address and length.
    pub fn get(self, i: usize) -> Option<(u64, u64)> {
        let at = i * self.width();
        match self.i386 {
            true => Some((
                u64::from(u32_at(self.bytes, at)?),
                u64::from(u32_at(self.bytes, at + 4)?),
            )),
            false => Some((u64_at(self.bytes, at)?, u64_at(self.bytes, at + 8)?)),
        }
    }
}

/// The fields of a `struct stat` strace prints, whatever the layout.
struct StatFields {
    dev: u64,
    ino: u64,
    mode: u32,
    nlink: u32,
    uid: u32,
    gid: u32,
    rdev: u64,
    size: i64,
    blksize: i32,
    blocks: i64,
    /// atime, mtime and ctime: seconds and nanoseconds.
    times: [(i64, u64); 3],
}

/// `{st_mode=S_IFREG|0644, st_size=123, ...}` from a `struct stat`; every
/// field (`-v`) unless `abbrev`.
pub fn stat(out: &mut String, c: Consts, b: &[u8], abbrev: bool) -> Option<()> {
    let time = |k: usize| Some((u64_at(b, 72 + 16 * k)? as i64, u64_at(b, 80 + 16 * k)?));
    let fields = StatFields {
        dev: u64_at(b, 0)?,
        ino: u64_at(b, 8)?,
        mode: u32_at(b, c.xlat.stat_mode)?,
        nlink: u32_at(b, c.xlat.stat_nlink)?,
        uid: u32_at(b, c.xlat.stat_uid)?,
        gid: u32_at(b, c.xlat.stat_gid)?,
        rdev: u64_at(b, c.xlat.stat_rdev)?,
        size: u64_at(b, c.xlat.stat_size)? as i64,
        blksize: u32_at(b, 56)? as i32,
        blocks: u64_at(b, 64)? as i64,
        times: [time(0)?, time(1)?, time(2)?],
    };
    print_stat(out, c, &fields, abbrev);
    Some(())
}

/// The same from i386's `struct stat64` (packed, 32-bit times).
pub fn stat64_i386(out: &mut String, c: Consts, b: &[u8], abbrev: bool) -> Option<()> {
    let time = |at: usize| {
        Some((
            i64::from(u32_at(b, at)? as i32),
            u64::from(u32_at(b, at + 4)?),
        ))
    };
    let fields = StatFields {
        dev: u64_at(b, 0)?,
        ino: u64_at(b, 88)?,
        mode: u32_at(b, 16)?,
        nlink: u32_at(b, 20)?,
        uid: u32_at(b, 24)?,
        gid: u32_at(b, 28)?,
        rdev: u64_at(b, 32)?,
        size: u64_at(b, 44)? as i64,
        blksize: u32_at(b, 52)? as i32,
        blocks: u64_at(b, 56)? as i64,
        times: [time(64)?, time(72)?, time(80)?],
    };
    print_stat(out, c, &fields, abbrev);
    Some(())
}

fn print_stat(out: &mut String, c: Consts, f: &StatFields, abbrev: bool) {
    out.push('{');
    if !abbrev {
        let _ = write!(out, "st_dev={}, st_ino={}, ", makedev(c, f.dev), f.ino);
    }
    out.push_str("st_mode=");
    file_mode(out, c, f.mode);
    if !abbrev {
        let _ = write!(
            out,
            ", st_nlink={}, st_uid={}, st_gid={}, st_blksize={}, st_blocks={}",
            f.nlink, f.uid, f.gid, f.blksize, f.blocks
        );
    }
    match f.mode & 0o170000 {
        0o020000 | 0o060000 => {
            let _ = write!(out, ", st_rdev={}", makedev(c, f.rdev));
        }
        _ => {
            let _ = write!(out, ", st_size={}", f.size);
        }
    }
    if abbrev {
        out.push_str(", ...}");
        return;
    }
    for (name, (seconds, nanos)) in ["atime", "mtime", "ctime"].iter().zip(f.times) {
        let _ = write!(out, ", st_{name}={seconds}");
        if let Some(date) = u32::try_from(nanos).ok().and_then(|n| date(seconds, n, 9)) {
            let _ = write!(out, " /* {date} */");
        }
        let _ = write!(out, ", st_{name}_nsec={nanos}");
    }
    out.push('}');
}

/// `makedev(0x8, 0x1)`: a kernel device number (new encoding) as strace
/// prints it (`0x801` in the raw style).
fn makedev(c: Consts, dev: u64) -> String {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let mut text = String::new();
    c.styled(&mut text, HexNumber(dev), |text| {
        text.push_str("makedev(");
        super::hex(text, major);
        text.push_str(", ");
        super::hex(text, minor);
        text.push(')');
    });
    text
}

/// `{stx_mask=..., stx_attributes=..., stx_mode=S_IFREG|0644, stx_size=123, ...}`
/// from a `struct statx`.
pub fn statx(out: &mut String, c: Consts, b: &[u8], abbrev: bool) -> Option<()> {
    if !abbrev {
        return statx_whole(out, c, b);
    }
    out.push_str("{stx_mask=");
    c.flags(
        out,
        crate::table::Flags::StatxMask,
        u64::from(u32_at(b, 0)?),
    );
    out.push_str(", stx_attributes=");
    c.table(out, &c.xlat.statx_attrs, u64_at(b, 8)?);
    out.push_str(", stx_mode=");
    file_mode(out, c, u32::from(u16_at(b, 28)?));
    let _ = write!(out, ", stx_size={}, ...}}", u64_at(b, 40)?);
    Some(())
}

/// Every field of a `struct statx` the kernel filled (`-v`), in strace's
/// order: the birth time and mount id only where the mask says so.
fn statx_whole(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    const STATX_MNT_ID: u32 = 0x1000;
    let mask = u32_at(b, 0)?;
    out.push_str("{stx_mask=");
    c.flags(out, crate::table::Flags::StatxMask, u64::from(mask));
    let _ = write!(out, ", stx_blksize={}, stx_attributes=", u32_at(b, 4)?);
    c.table(out, &c.xlat.statx_attrs, u64_at(b, 8)?);
    let _ = write!(
        out,
        ", stx_nlink={}, stx_uid={}, stx_gid={}, stx_mode=",
        u32_at(b, 16)?,
        u32_at(b, 20)?,
        u32_at(b, 24)?
    );
    file_mode(out, c, u32::from(u16_at(b, 28)?));
    let _ = write!(
        out,
        ", stx_ino={}, stx_size={}, stx_blocks={}, stx_attributes_mask=",
        u64_at(b, 32)?,
        u64_at(b, 40)?,
        u64_at(b, 48)?
    );
    c.table(out, &c.xlat.statx_attrs, u64_at(b, 56)?);
    // Each time only if the kernel filled it in (its bit in stx_mask).
    let times = [
        ("atime", 64, 0x20),
        ("btime", 80, 0x800),
        ("ctime", 96, 0x80),
        ("mtime", 112, 0x40),
    ];
    for (name, at, bit) in times {
        if mask & bit == 0 {
            continue;
        }
        let (seconds, nanos) = (u64_at(b, at)? as i64, u32_at(b, at + 8)?);
        let _ = write!(out, ", stx_{name}={{tv_sec={seconds}, tv_nsec={nanos}}}");
        if let Some(date) = date(seconds, nanos, 9) {
            let _ = write!(out, " /* {date} */");
        }
    }
    let _ = write!(
        out,
        ", stx_rdev_major={}, stx_rdev_minor={}, stx_dev_major={}, stx_dev_minor={}",
        u32_at(b, 128)?,
        u32_at(b, 132)?,
        u32_at(b, 136)?,
        u32_at(b, 140)?
    );
    if mask & STATX_MNT_ID != 0 {
        out.push_str(", stx_mnt_id=");
        super::hex(out, u64_at(b, 144)?);
    }
    out.push('}');
    Some(())
}

/// `S_IFREG|0644` (`0100644` in the raw style).
pub fn file_mode(out: &mut String, c: Consts, mode: u32) {
    c.styled(out, super::octal_mode(mode), |out| {
        file_mode_names(out, mode)
    });
}

fn file_mode_names(out: &mut String, mode: u32) {
    let kind = match mode & 0o170000 {
        0o100000 => "S_IFREG",
        0o040000 => "S_IFDIR",
        0o020000 => "S_IFCHR",
        0o060000 => "S_IFBLK",
        0o010000 => "S_IFIFO",
        0o120000 => "S_IFLNK",
        0o140000 => "S_IFSOCK",
        _ => "",
    };
    if !kind.is_empty() {
        out.push_str(kind);
        out.push('|');
    }
    for (bit, name) in [
        (0o4000, "S_ISUID|"),
        (0o2000, "S_ISGID|"),
        (0o1000, "S_ISVTX|"),
    ] {
        if mode & bit != 0 {
            out.push_str(name);
        }
    }
    out.push_str(&super::octal_mode(mode & 0o777));
}

/// `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
pub fn rlimit(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    rlimit_pair(
        out,
        c,
        (u64_at(b, 0)?, u64_at(b, 8)?),
        (u64::MAX, "RLIM64_INFINITY"),
    );
    Some(())
}

/// The same from i386's 32-bit `struct rlimit`.
pub fn rlimit32(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let pair = (u64::from(u32_at(b, 0)?), u64::from(u32_at(b, 4)?));
    rlimit_pair(out, c, pair, (u64::from(u32::MAX), "RLIM_INFINITY"));
    Some(())
}

fn rlimit_pair(out: &mut String, c: Consts, (cur, max): (u64, u64), infinity: (u64, &str)) {
    let limit = |out: &mut String, v: u64| {
        if v == infinity.0 {
            c.named(out, v, infinity.1);
        } else if v > 1024 && v.is_multiple_of(1024) {
            c.named(out, v, &format!("{}*1024", v / 1024));
        } else {
            super::push_int(out, v);
        }
    };
    out.push_str("{rlim_cur=");
    limit(out, cur);
    out.push_str(", rlim_max=");
    limit(out, max);
    out.push('}');
}

/// `{tv_sec=1, tv_nsec=500}`.
pub fn timespec(out: &mut String, b: &[u8]) -> Option<()> {
    out.push_str(&format!(
        "{{tv_sec={}, tv_nsec={}}}",
        u64_at(b, 0)? as i64,
        u64_at(b, 8)? as i64
    ));
    Some(())
}

/// i386's `struct user_desc`: `{entry_number=-1, base_addr=0xf7d8e740,
/// limit=0x0fffff, seg_32bit=1, ...}`, numbers as strace's C formats.
pub fn user_desc(out: &mut String, b: &[u8]) -> Option<()> {
    // C's `%#08x`: no `0x` for 0.
    let hex8 = |v: u32| match v {
        0 => "00000000".to_owned(),
        v => format!("{v:#08x}"),
    };
    let bits = u32_at(b, 12)?;
    let _ = write!(
        out,
        "{{entry_number={}, base_addr={}, limit={}, seg_32bit={}, contents={}, \
         read_exec_only={}, limit_in_pages={}, seg_not_present={}, useable={}}}",
        u32_at(b, 0)? as i32,
        hex8(u32_at(b, 4)?),
        hex8(u32_at(b, 8)?),
        bits & 1,
        (bits >> 1) & 3,
        (bits >> 3) & 1,
        (bits >> 4) & 1,
        (bits >> 5) & 1,
        (bits >> 6) & 1
    );
    Some(())
}

/// `{tv_sec=1, tv_usec=500}` from i386's 32-bit timeval.
pub fn timeval32(out: &mut String, b: &[u8]) -> Option<()> {
    let (seconds, micros) = (u32_at(b, 0)? as i32, u32_at(b, 4)? as i32);
    let _ = write!(out, "{{tv_sec={seconds}, tv_usec={micros}}}");
    Some(())
}

/// The same from i386's 32-bit timespec.
pub fn timespec32(out: &mut String, b: &[u8]) -> Option<()> {
    let (seconds, nanos) = (u32_at(b, 0)? as i32, u32_at(b, 4)? as i32);
    let _ = write!(out, "{{tv_sec={seconds}, tv_nsec={nanos}}}");
    Some(())
}

/// `{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=5, tv_nsec=0}}`.
pub fn itimerspec(out: &mut String, b: &[u8]) -> Option<()> {
    interval_and_value(out, b, timespec)
}

/// `{it_interval=..., it_value=...}`: two times of 16 bytes, each printed
/// by `time`.
fn interval_and_value(
    out: &mut String,
    b: &[u8],
    time: fn(&mut String, &[u8]) -> Option<()>,
) -> Option<()> {
    out.push_str("{it_interval=");
    time(out, b.get(..16)?)?;
    out.push_str(", it_value=");
    time(out, b.get(16..)?)?;
    out.push('}');
    Some(())
}

/// `{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=0}}`.
pub fn itimerval(out: &mut String, b: &[u8]) -> Option<()> {
    interval_and_value(out, b, timeval)
}

/// `{sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}`: the value only when
/// it is set, the signal by name where one is sent, and what the kind of
/// notice adds (a thread id, or a function and its attributes).
pub fn sigevent(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let value = u64_at(b, 0)?;
    let signo = u32_at(b, 8)?;
    let notify = u32_at(b, 12)? as usize;
    out.push('{');
    if value != 0 {
        let int = value as u32 as i32;
        let _ = write!(
            out,
            "sigev_value={{sival_int={int}, sival_ptr={value:#x}}}, "
        );
    }
    out.push_str("sigev_signo=");
    if notify == c.xlat.sigev_none {
        let _ = write!(out, "{signo}");
    } else {
        c.signal(out, signo);
    }
    out.push_str(", sigev_notify=");
    c.table(out, &c.xlat.sigev_notify, notify as u64);
    if notify == c.xlat.sigev_thread_id {
        let _ = write!(out, ", sigev_notify_thread_id={}", u32_at(b, 16)? as i32);
    } else if notify == c.xlat.sigev_thread {
        out.push_str(", sigev_notify_function=");
        super::pointer(out, u64_at(b, 16)?);
        out.push_str(", sigev_notify_attributes=");
        super::pointer(out, u64_at(b, 24)?);
    }
    out.push('}');
    Some(())
}

/// `[0, 4]`: `count` 32-bit ids, `...` past what was copied.
pub fn ids(out: &mut String, b: &[u8], count: u64) -> Option<()> {
    let copied: Vec<u32> = b.chunks_exact(4).filter_map(|c| u32_at(c, 0)).collect();
    list(out, &copied, count);
    Some(())
}

/// `[1, 2, ...]`: `total` items, of which `items` were copied (the rest is
/// `...`).
fn list(out: &mut String, items: &[impl std::fmt::Display], total: u64) {
    let shown = items
        .len()
        .min(usize::try_from(total).unwrap_or(usize::MAX));
    out.push('[');
    for (k, item) in items[..shown].iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{item}");
    }
    if (shown as u64) < total {
        out.push_str(if shown > 0 { ", ..." } else { "..." });
    }
    out.push(']');
}

/// `[0 1]`: the CPUs a mask holds, by number.
pub fn cpuset(out: &mut String, b: &[u8]) -> Option<()> {
    bits(out, b, u64::MAX);
    Some(())
}

/// `[3 4]`: the descriptors a select set holds, below `nfds`.
pub fn fd_set(out: &mut String, b: &[u8], nfds: u64) -> Option<()> {
    bits(out, b, nfds);
    Some(())
}

/// `{sigmask=NULL, sigsetsize=8}`: the mask's address (its contents are not
/// recorded).
pub fn pselect_sigmask(out: &mut String, b: &[u8]) -> Option<()> {
    out.push_str("{sigmask=");
    super::pointer(out, u64_at(b, 0)?);
    let _ = write!(out, ", sigsetsize={}}}", u64_at(b, 8)?);
    Some(())
}

/// `{len=4, filter=0x7fffffffe610}`.
pub fn sock_fprog(out: &mut String, b: &[u8]) -> Option<()> {
    let len = u16::from_ne_bytes([*b.first()?, *b.get(1)?]);
    let _ = write!(out, "{{len={len}, filter=");
    super::pointer(out, u64_at(b, 8)?);
    out.push('}');
    Some(())
}

/// `{version=_LINUX_CAPABILITY_VERSION_3, pid=0}`.
pub fn cap_header(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let version = u32_at(b, 0)?;
    out.push_str("{version=");
    c.table(out, &c.xlat.capability_version, u64::from(version));
    let _ = write!(out, ", pid={}}}", u32_at(b, 4)? as i32);
    Some(())
}

/// `{effective=1<<CAP_CHOWN|..., permitted=..., inheritable=0}`: each set
/// in 32-bit halves, one struct per half (version 1 has only the first).
pub fn cap_data(out: &mut String, c: Consts, b: &[u8], version: Option<u32>) -> Option<()> {
    let halves = if version? as usize == c.xlat.capability_version_1 {
        1
    } else {
        2
    };
    let set = |field: usize| -> Option<u64> {
        let mut value = 0;
        for half in 0..halves {
            value |= u64::from(u32_at(b, 12 * half + 4 * field)?) << (32 * half);
        }
        Some(value)
    };
    let (effective, permitted, inheritable) = (set(0)?, set(1)?, set(2)?);
    for (name, value) in [
        ("{effective=", effective),
        (", permitted=", permitted),
        (", inheritable=", inheritable),
    ] {
        out.push_str(name);
        capability_set(out, c, value);
    }
    out.push('}');
    Some(())
}

/// `[0x00000000000001, 0000000000000000]`: the longs of a node mask of
/// `maxnode` - 1 bits, each as C's `%#016lx` prints it (no `0x` for 0).
pub fn nodemask(out: &mut String, b: &[u8], maxnode: u64) -> Option<()> {
    let longs = (maxnode.saturating_add(62) / 64) as usize;
    let copied: Vec<u64> = b.chunks_exact(8).filter_map(|c| u64_at(c, 0)).collect();
    let words: Vec<String> = copied
        .iter()
        .map(|&w| match w {
            0 => "0".repeat(16),
            w => format!("{w:#016x}"),
        })
        .collect();
    list(out, &words, longs as u64);
    Some(())
}

/// `[ECONNREFUSED]`: an int that holds an errno (`[0]` for none).
pub fn errno_val(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let value = u32_at(b, 0)? as i32;
    out.push('[');
    match crate::syscalls::errno(-i64::from(value)).filter(|_| value > 0) {
        Some((name, _)) => c.named(out, value, name),
        None => super::push_int(out, value),
    }
    out.push(']');
    Some(())
}

/// The unit of the second field of a time pair.
pub enum Precision {
    Nanoseconds,
    Microseconds,
}

/// `[{tv_sec=1700000000, tv_nsec=5} /* 2023-11-14T22:13:20.000000005+0000 */,
/// UTIME_OMIT]`: two times, each with its date in the local time zone, as
/// strace prints the times utimensat and utimes set.
pub fn utimes(out: &mut String, c: Consts, b: &[u8], precision: Precision) -> Option<()> {
    const UTIME_NOW: u64 = (1 << 30) - 1;
    const UTIME_OMIT: u64 = (1 << 30) - 2;
    let (field, digits, per_second) = match precision {
        Precision::Nanoseconds => ("tv_nsec", 9, 1),
        Precision::Microseconds => ("tv_usec", 6, 1000),
    };
    out.push('[');
    for k in 0..2 {
        if k > 0 {
            out.push_str(", ");
        }
        let seconds = u64_at(b, 16 * k)? as i64;
        let fraction = u64_at(b, 16 * k + 8)?;
        let time = format!("{{tv_sec={seconds}, {field}={}}}", fraction as i64);
        match (&precision, fraction) {
            (Precision::Nanoseconds, UTIME_NOW) => c.named(out, time, "UTIME_NOW"),
            (Precision::Nanoseconds, UTIME_OMIT) => c.named(out, time, "UTIME_OMIT"),
            _ => {
                out.push_str(&time);
                let nanos = u32::try_from(fraction.saturating_mul(per_second)).ok();
                if let Some(date) = nanos.and_then(|n| date(seconds, n, digits)) {
                    let _ = write!(out, " /* {date} */");
                }
            }
        }
    }
    out.push(']');
    Some(())
}

/// `2023-11-14T22:13:20.000000005+0000`: a time in the local time zone, its
/// fraction in `digits` digits when it has one, as strace prints dates.
fn date(seconds: i64, nanos: u32, digits: usize) -> Option<String> {
    use chrono::TimeZone as _;
    let time = chrono::Local.timestamp_opt(seconds, nanos).single()?;
    let fraction = match nanos {
        0 => String::new(),
        n => {
            let all = format!("{n:09}");
            format!(".{}", &all[..digits])
        }
    };
    Some(format!(
        "{}{fraction}{}",
        time.format("%Y-%m-%dT%H:%M:%S"),
        time.format("%z")
    ))
}

/// io_uring_setup's `struct io_uring_params`: what was asked for, and, once
/// `set_up`, what the kernel made (`{flags=0, sq_thread_cpu=0,
/// sq_thread_idle=0, sq_entries=8, cq_entries=16, features=..., sq_off={...},
/// cq_off={...}}`).
pub fn io_uring_params(out: &mut String, c: Consts, b: &[u8], set_up: bool) -> Option<()> {
    let field = |k: usize| u32_at(b, 4 * k);
    let flags = field(2)?;
    out.push_str("{flags=");
    c.table(out, &c.xlat.io_uring_setup, u64::from(flags));
    let _ = write!(
        out,
        ", sq_thread_cpu={}, sq_thread_idle={}",
        field(3)?,
        field(4)?
    );
    if flags as usize & c.xlat.io_uring_setup_attach_wq != 0 {
        let _ = write!(out, ", wq_fd={}", field(6)? as i32);
    }
    if set_up {
        let _ = write!(
            out,
            ", sq_entries={}, cq_entries={}, features=",
            field(0)?,
            field(1)?
        );
        c.table(out, &c.xlat.io_uring_features, u64::from(field(5)?));
        let names = ["head", "tail", "ring_mask", "ring_entries"];
        let sq = ["flags", "dropped", "array"];
        let cq = ["overflow", "cqes", "flags"];
        for (name, at, last) in [("sq_off", 10, sq), ("cq_off", 20, cq)] {
            let _ = write!(out, ", {name}={{");
            for (k, member) in names.iter().chain(&last).enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{member}={}", field(at + k)?);
            }
            out.push('}');
        }
    }
    out.push('}');
    Some(())
}

/// `[0 3 9]`: the numbers of the bits set in `b` (little-endian longs),
/// below `limit`.
fn bits(out: &mut String, b: &[u8], limit: u64) {
    out.push('[');
    let set = b.iter().enumerate().flat_map(|(byte_no, byte)| {
        (0..8u64)
            .filter(move |bit| byte & (1 << bit) != 0)
            .map(move |bit| byte_no as u64 * 8 + bit)
    });
    for (k, n) in set.take_while(|&n| n < limit).enumerate() {
        if k > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{n}");
    }
    out.push(']');
}

/// Whether any of the first `limit` bits of `b` is set.
pub fn any_bit(b: &[u8], limit: u64) -> bool {
    b.iter().enumerate().any(|(byte_no, &byte)| {
        (0..8u64).any(|bit| byte & (1 << bit) != 0 && byte_no as u64 * 8 + bit < limit)
    })
}

/// `{ss_sp=0x5555555592a0, ss_flags=0, ss_size=13504}`.
pub fn stack(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    out.push_str("{ss_sp=");
    super::pointer(out, u64_at(b, 0)?);
    out.push_str(", ss_flags=");
    c.table(out, &c.xlat.ss_flags, u64::from(u32_at(b, 8)?));
    let _ = write!(out, ", ss_size={}}}", u64_at(b, 16)?);
    Some(())
}

/// `[1, 0, 1, 0]`: a byte per page, at most `limit` of them.
pub fn page_vector(out: &mut String, b: &[u8], pages: u64, limit: usize) -> Option<()> {
    list(out, &b[..b.len().min(limit)], pages);
    Some(())
}

/// `{l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=10}` from a
/// `struct flock`, with `l_pid` as the kernel wrote it back (`found`).
pub fn flock(out: &mut String, c: Consts, b: &[u8], found: bool) -> Option<()> {
    flock_at(out, c, b, found, [8, 16, 24])
}

/// The same from i386's packed `struct flock64`.
pub fn flock64_i386(out: &mut String, c: Consts, b: &[u8], found: bool) -> Option<()> {
    flock_at(out, c, b, found, [4, 12, 20])
}

/// A lock whose start, length and pid are at `at`.
fn flock_at(out: &mut String, c: Consts, b: &[u8], found: bool, at: [usize; 3]) -> Option<()> {
    let [start, len, pid] = at;
    out.push_str("{l_type=");
    c.table(out, &c.xlat.lock_type, u64::from(u16_at(b, 0)?));
    out.push_str(", l_whence=");
    c.flags(out, crate::table::Flags::Whence, u64::from(u16_at(b, 2)?));
    let _ = write!(
        out,
        ", l_start={}, l_len={}",
        u64_at(b, start)? as i64,
        u64_at(b, len)? as i64
    );
    if found {
        let _ = write!(out, ", l_pid={}", u32_at(b, pid)? as i32);
    }
    out.push('}');
    Some(())
}

/// `{tv_sec=1, tv_usec=500}`.
pub fn timeval(out: &mut String, b: &[u8]) -> Option<()> {
    let _ = write!(
        out,
        "{{tv_sec={}, tv_usec={}}}",
        u64_at(b, 0)? as i64,
        u64_at(b, 8)? as i64
    );
    Some(())
}

/// `{ru_utime={tv_sec=0, tv_usec=1894}, ru_stime={tv_sec=0, tv_usec=0}, ...}`;
/// every field (`-v`) unless `abbrev`.
pub fn rusage(out: &mut String, b: &[u8], abbrev: bool) -> Option<()> {
    out.push_str("{ru_utime=");
    timeval(out, b)?;
    out.push_str(", ru_stime=");
    timeval(out, b.get(16..)?)?;
    if abbrev {
        out.push_str(", ...}");
        return Some(());
    }
    const LONGS: [&str; 14] = [
        "maxrss", "ixrss", "idrss", "isrss", "minflt", "majflt", "nswap", "inblock", "oublock",
        "msgsnd", "msgrcv", "nsignals", "nvcsw", "nivcsw",
    ];
    for (k, name) in LONGS.iter().enumerate() {
        let _ = write!(out, ", ru_{name}={}", u64_at(b, 32 + 8 * k)? as i64);
    }
    out.push('}');
    Some(())
}

/// `{f_type=EXT2_SUPER_MAGIC, f_bsize=4096, ..., f_flags=ST_VALID|ST_RELATIME}`
/// from a 64-bit `struct statfs`.
pub fn statfs(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let word = |i: usize| u64_at(b, i * 8);
    out.push_str("{f_type=");
    c.table(out, &c.xlat.fs_magic, word(0)?);
    let _ = write!(
        out,
        ", f_bsize={}, f_blocks={}, f_bfree={}, f_bavail={}, f_files={}, f_ffree={}, f_fsid={{val=[",
        word(1)?,
        word(2)?,
        word(3)?,
        word(4)?,
        word(5)?,
        word(6)?
    );
    super::hex(out, u64::from(u32_at(b, 56)?));
    out.push_str(", ");
    super::hex(out, u64::from(u32_at(b, 60)?));
    let _ = write!(
        out,
        "]}}, f_namelen={}, f_frsize={}, f_flags=",
        word(8)?,
        word(9)?
    );
    c.table(out, &c.xlat.statfs_flags, word(10)?);
    out.push('}');
    Some(())
}

/// One `struct epoll_event`: `{events=EPOLLIN, data={u32=4, u64=4}}`.
fn epoll_event(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let events = u32_at(b, 0)?;
    let data = u64_at(b, c.xlat.epoll_event_data)?;
    out.push_str("{events=");
    c.table(out, &c.xlat.epoll_events, u64::from(events));
    let _ = write!(out, ", data={{u32={}, u64={data}}}}}", data as u32);
    Some(())
}

/// epoll_ctl's event, or the first `count` events epoll_wait returned:
/// `[{events=EPOLLIN, data={u32=4, u64=4}}, ...]`.
pub fn epoll_events(out: &mut String, c: Consts, b: &[u8], count: Option<u64>) -> Option<()> {
    let size = c.xlat.epoll_event_size;
    let Some(count) = count else {
        return epoll_event(out, c, b);
    };
    out.push('[');
    for i in 0..count {
        if i > 0 {
            out.push_str(", ");
        }
        let at = usize::try_from(i).ok()? * size;
        match b.get(at..at + size) {
            Some(event) => epoll_event(out, c, event)?,
            // Past what the recording copied.
            None => {
                out.push_str("...");
                break;
            }
        }
    }
    out.push(']');
    Some(())
}

/// `[3, 4]`.
pub fn int_pair(out: &mut String, b: &[u8]) -> Option<()> {
    out.push_str(&format!(
        "[{}, {}]",
        u32_at(b, 0)? as i32,
        u32_at(b, 4)? as i32
    ));
    Some(())
}

/// A wait status, `[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]`.
pub fn wait_status(out: &mut String, b: &[u8]) -> Option<()> {
    let s = u32_at(b, 0)?;
    let sig = s & 0x7f;
    let text = if sig == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {}", (s >> 8) & 0xff)
    } else if sig == 0x7f {
        format!(
            "WIFSTOPPED(s) && WSTOPSIG(s) == {}",
            super::signal_name((s >> 8) & 0xff)
        )
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!(
            "WIFSIGNALED(s) && WTERMSIG(s) == {}{core}",
            super::signal_name(sig)
        )
    };
    let _ = write!(out, "[{{{text}}}]");
    Some(())
}

/// A capability set: one list of names by default, otherwise each 32-bit
/// half on its own, as the kernel's struct holds them
/// (`0xfeffffff /* 1<<CAP_CHOWN|... */|0x1ff /* 1<<CAP_MAC_OVERRIDE|... */`).
fn capability_set(out: &mut String, c: Consts, value: u64) {
    let table = &c.xlat.capability_sets;
    if c.style == Style::Abbrev {
        return c.table(out, table, value);
    }
    let names = Consts::abbrev(c.xlat);
    let low = value & u64::from(u32::MAX);
    let high = value & !u64::from(u32::MAX);
    c.styled(out, HexNumber(low), |out| names.table(out, table, low));
    if high != 0 {
        out.push('|');
        c.styled(out, HexNumber(high >> 32), |out| {
            names.table(out, table, high)
        });
    }
}

/// `[1]` (an int behind a pointer).
pub fn int_val(out: &mut String, b: &[u8]) -> Option<()> {
    out.push('[');
    int_val_plain(out, b)?;
    out.push(']');
    Some(())
}

/// An `int`, without brackets.
pub fn int_val_plain(out: &mut String, b: &[u8]) -> Option<()> {
    let _ = write!(out, "{}", u32_at(b, 0)? as i32);
    Some(())
}

/// A socket address.
pub fn sockaddr(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let family = u16_at(b, 0)?;
    out.push_str("{sa_family=");
    c.flags(out, crate::table::Flags::SockDomain, u64::from(family));
    match family {
        2 => {
            let port = b.get(2..4)?;
            let a = b.get(4..8)?;
            out.push_str(", sin_port=");
            c.named(
                out,
                RawBytes(port),
                &format!("htons({})", u16::from_be_bytes([port[0], port[1]])),
            );
            out.push_str(", sin_addr=");
            let addr = format!("inet_addr(\"{}.{}.{}.{}\")", a[0], a[1], a[2], a[3]);
            c.named(out, RawBytes(a), &addr);
            out.push('}');
        }
        16 => {
            // Padding a caller left unset, which strace shows.
            match u16_at(b, 2)? {
                0 => {}
                pad => {
                    let _ = write!(out, ", nl_pad={pad:#x}");
                }
            }
            let _ = write!(
                out,
                ", nl_pid={}, nl_groups={:08x}}}",
                u32_at(b, 4)? as i32,
                u32_at(b, 8)?
            );
        }
        // An unnamed one (its length is the family's alone) has no path.
        1 if b.len() <= 2 => out.push('}'),
        1 => {
            out.push_str(", sun_path=");
            let path = b.get(2..).unwrap_or_default();
            strings::quote(out, path, true, strings::Hex::Never);
            out.push('}');
        }
        10 => {
            let port = b.get(2..4)?;
            let flowinfo = b.get(4..8)?;
            let addr: [u8; 16] = b.get(8..24)?.try_into().ok()?;
            let ip = std::net::Ipv6Addr::from(addr);
            out.push_str(", sin6_port=");
            c.named(
                out,
                RawBytes(port),
                &format!("htons({})", u16::from_be_bytes([port[0], port[1]])),
            );
            out.push_str(", sin6_flowinfo=");
            let flow = u32::from_be_bytes(flowinfo.try_into().ok()?);
            c.named(out, RawBytes(flowinfo), &format!("htonl({flow})"));
            // The address is a statement of its own in the default style.
            match c.style {
                Style::Abbrev => {
                    let _ = write!(out, ", inet_pton(AF_INET6, \"{ip}\", &sin6_addr)");
                }
                _ => {
                    out.push_str(", sin6_addr=");
                    c.named(
                        out,
                        RawBytes(&addr),
                        &format!("inet_pton(AF_INET6, \"{ip}\")"),
                    );
                }
            }
            let _ = write!(out, ", sin6_scope_id={}}}", u32_at(b, 24)?);
        }
        _ => out.push_str(", sa_data=...}"),
    }
    Some(())
}

/// A signal set, `[INT TERM]` (or `~[...]` when most are set).
pub fn sigset(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    let set = u64_at(b, 0)?;
    let (negated, bits) = if set.count_ones() > 32 {
        (true, !set)
    } else {
        (false, set)
    };
    if negated {
        out.push('~');
    }
    out.push('[');
    for (k, n) in (1..=64u32)
        .filter(|n| bits & (1 << (n - 1)) != 0)
        .enumerate()
    {
        if k > 0 {
            out.push(' ');
        }
        let name = super::signal_name(n);
        c.named(out, n, name.strip_prefix("SIG").unwrap_or(&name));
    }
    out.push(']');
    Some(())
}

/// Bytes as a C string of `\x` escapes: how the raw style prints a port
/// or an address in network order (`"\x00\x50"`).
struct RawBytes<'a>(&'a [u8]);

impl std::fmt::Display for RawBytes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"")?;
        for b in self.0 {
            write!(f, "\\x{b:02x}")?;
        }
        f.write_str("\"")
    }
}

/// The kernel's `struct sigaction` (x86_64): handler, flags, restorer, mask.
pub fn sigaction(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    sigaction_of(out, c, b, 8)
}

/// The same from i386's, whose handler, flags and restorer are 32-bit.
pub fn sigaction32(out: &mut String, c: Consts, b: &[u8]) -> Option<()> {
    sigaction_of(out, c, b, 4)
}

/// A `struct sigaction` of `long`-byte handler, flags and restorer, then
/// the mask.
fn sigaction_of(out: &mut String, c: Consts, b: &[u8], long: usize) -> Option<()> {
    const SA_RESTORER: u64 = 0x0400_0000;
    let word = |k: usize| match long {
        4 => u32_at(b, 4 * k).map(u64::from),
        _ => u64_at(b, 8 * k),
    };
    let (handler, flags, restorer) = (word(0)?, word(1)?, word(2)?);
    out.push_str("{sa_handler=");
    match handler {
        0 => c.named(out, 0, "SIG_DFL"),
        1 => c.named(out, HexNumber(1), "SIG_IGN"),
        h => out.push_str(&format!("{h:#x}")),
    }
    out.push_str(", sa_mask=");
    sigset(out, c, b.get(3 * long..3 * long + 8)?)?;
    out.push_str(", sa_flags=");
    c.table(out, &c.xlat.sa_flags, flags);
    if flags & SA_RESTORER != 0 {
        let _ = write!(out, ", sa_restorer={restorer:#x}");
    }
    out.push('}');
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::xlat::{AARCH64, X86_64};

    fn x86() -> Consts {
        Consts::abbrev(&X86_64)
    }

    fn arm() -> Consts {
        Consts::abbrev(&AARCH64)
    }

    #[test]
    fn decodes_structs() {
        let mut st = vec![0u8; 144];
        st[24..28].copy_from_slice(&0o100644u32.to_ne_bytes());
        st[48..56].copy_from_slice(&33699u64.to_ne_bytes());
        let mut s = String::new();
        stat(&mut s, x86(), &st, true).unwrap();
        assert_eq!(s, "{st_mode=S_IFREG|0644, st_size=33699, ...}");
        // asm-generic's layout: the mode right after st_ino.
        let mut st = vec![0u8; 128];
        st[16..20].copy_from_slice(&0o40755u32.to_ne_bytes());
        st[48..56].copy_from_slice(&4096u64.to_ne_bytes());
        let mut s = String::new();
        stat(&mut s, arm(), &st, true).unwrap();
        assert_eq!(s, "{st_mode=S_IFDIR|0755, st_size=4096, ...}");
        // -v: asm-generic's 32-bit st_nlink, st_uid and st_gid.
        st[8..16].copy_from_slice(&5u64.to_ne_bytes());
        st[20..24].copy_from_slice(&2u32.to_ne_bytes());
        st[24..28].copy_from_slice(&1000u32.to_ne_bytes());
        st[28..32].copy_from_slice(&100u32.to_ne_bytes());
        let mut s = String::new();
        stat(&mut s, arm(), &st, false).unwrap();
        assert!(
            s.starts_with(
                "{st_dev=makedev(0, 0), st_ino=5, st_mode=S_IFDIR|0755, st_nlink=2, \
                 st_uid=1000, st_gid=100, st_blksize=0, st_blocks=0, st_size=4096, st_atime=0"
            ),
            "{s}"
        );
        let mut s = String::new();
        file_mode(&mut s, x86(), 0o41777);
        assert_eq!(s, "S_IFDIR|S_ISVTX|0777");

        let mut s = String::new();
        let mut rl = 8_388_608u64.to_ne_bytes().to_vec();
        rl.extend(u64::MAX.to_ne_bytes());
        rlimit(&mut s, x86(), &rl).unwrap();
        assert_eq!(s, "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");

        let mut s = String::new();
        sockaddr(
            &mut s,
            x86(),
            &[2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        )
        .unwrap();
        assert_eq!(
            s,
            "{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"127.0.0.1\")}"
        );

        let mut stx = vec![0u8; 256];
        stx[0..4].copy_from_slice(&0x17ffu32.to_ne_bytes());
        stx[8..16].copy_from_slice(&0x2000u64.to_ne_bytes());
        stx[28..30].copy_from_slice(&0o40755u16.to_ne_bytes());
        stx[40..48].copy_from_slice(&4096u64.to_ne_bytes());
        let mut s = String::new();
        statx(&mut s, x86(), &stx, true).unwrap();
        assert_eq!(
            s,
            "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=STATX_ATTR_MOUNT_ROOT, \
             stx_mode=S_IFDIR|0755, stx_size=4096, ...}"
        );

        let mut info = vec![0u8; 112];
        for (at, v) in [(0, 8162u64), (8, 28256), (32, 1 << 30), (104, 1)] {
            info[at..at + 8].copy_from_slice(&v.to_ne_bytes());
        }
        info[80..82].copy_from_slice(&84u16.to_ne_bytes());
        let mut s = String::new();
        sysinfo(&mut s, &info).unwrap();
        assert_eq!(
            s,
            "{uptime=8162, loads=[28256, 0, 0], totalram=1073741824, freeram=0, sharedram=0, \
             bufferram=0, totalswap=0, freeswap=0, procs=84, totalhigh=0, freehigh=0, mem_unit=1}"
        );

        let mut uts = vec![0u8; 200];
        uts[..5].copy_from_slice(b"Linux");
        uts[65..67].copy_from_slice(b"vm");
        let mut s = String::new();
        utsname(&mut s, &uts, true).unwrap();
        assert_eq!(s, "{sysname=\"Linux\", nodename=\"vm\", ...}");
        // -v with one snapshot of the two: what it holds.
        let mut s = String::new();
        utsname(&mut s, &uts, false).unwrap();
        assert_eq!(s, "{sysname=\"Linux\", nodename=\"vm\", release=\"\", ...}");

        let mut s = String::new();
        dirent_count(&mut s, 0x5555_0000, &28u32.to_ne_bytes()).unwrap();
        assert_eq!(s, "0x55550000 /* 28 entries */");

        let mut fds = Vec::new();
        for (fd, events, revents) in [(3i32, 1u16, 0x11u16), (4, 4, 0)] {
            fds.extend(fd.to_ne_bytes());
            fds.extend(events.to_ne_bytes());
            fds.extend(revents.to_ne_bytes());
        }
        let mut s = String::new();
        pollfds(&mut s, x86(), &fds, 2).unwrap();
        assert_eq!(s, "[{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}]");
        let mut s = String::new();
        pollfds(&mut s, x86(), &fds, 3).unwrap();
        assert_eq!(s, "[{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, ...]");
        let mut s = String::new();
        poll_revents(&mut s, x86(), &fds, 2).unwrap();
        assert_eq!(s, "[{fd=3, revents=POLLIN|POLLHUP}]");

        let mut s = String::new();
        wait_status(&mut s, &(7u32 << 8).to_ne_bytes()).unwrap();
        assert_eq!(s, "[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]");
    }
}
