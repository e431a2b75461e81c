//! A kernel `siginfo_t` as strace prints it in `--- SIG... {...} ---` lines:
//! the code named for its signal, then the fields that code fills.

use std::fmt::Write as _;

use super::{Consts, Xlat, flags::HexNumber, flags::Table};

const SIGILL: i32 = 4;
const SIGTRAP: i32 = 5;
const SIGBUS: i32 = 7;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
const SIGCHLD: i32 = 17;
const SI_TIMER: i32 = -2;
const CLD_EXITED: i32 = 1;

/// `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1, ...}` from the bytes of
/// a siginfo; `comm` names a pid (`-Y`).
pub fn siginfo(c: Consts, signo: i32, info: &[u8], comm: impl Fn(i32) -> String) -> String {
    let int = |at: usize| {
        info.get(at..at + 4)
            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    let long = |at: usize| {
        info.get(at..at + 8)
            .map(|b| i64::from_ne_bytes(b.try_into().unwrap_or([0; 8])))
    };
    let mut out = String::from("{si_signo=");
    c.signal(&mut out, signo as u32);
    let Some(code) = int(8) else {
        out.push('}');
        return out;
    };
    out.push_str(", si_code=");
    match code_name(c.xlat, signo, code) {
        // strace's number for a code is its 32 bits in hex.
        Some(name) => c.named(&mut out, HexNumber(u64::from(code as u32)), name),
        None => super::push_int(&mut out, code),
    }
    let pointer = |out: &mut String, field: &str, value: i64| match value {
        0 => {
            let _ = write!(out, ", {field}=NULL");
        }
        v => {
            let _ = write!(out, ", {field}={v:#x}");
        }
    };
    let kernel_sent = code > 0;
    match signo {
        SIGCHLD if kernel_sent => {
            let pid = int(16).unwrap_or(0);
            let status = int(24).unwrap_or(0);
            let status = if code == CLD_EXITED {
                status.to_string()
            } else {
                let mut name = String::new();
                c.signal(&mut name, status as u32);
                name
            };
            let _ = write!(
                out,
                ", si_pid={pid}{}, si_uid={}, si_status={status}, si_utime={}, si_stime={}",
                comm(pid),
                int(20).unwrap_or(0),
                clock_ticks(c, long(32).unwrap_or(0)),
                clock_ticks(c, long(40).unwrap_or(0))
            );
        }
        SIGILL | SIGTRAP | SIGBUS | SIGFPE | SIGSEGV if kernel_sent => {
            pointer(&mut out, "si_addr", long(16).unwrap_or(0));
        }
        // Other signals the kernel sends carry nothing more strace prints.
        _ if kernel_sent => {}
        _ if code == SI_TIMER => {
            out.push_str(", si_timerid=");
            super::hex(&mut out, int(16).unwrap_or(0) as u32 as u64);
            let _ = write!(
                out,
                ", si_overrun={}, si_int={}",
                int(20).unwrap_or(0),
                int(24).unwrap_or(0)
            );
            pointer(&mut out, "si_ptr", long(24).unwrap_or(0));
        }
        _ => {
            let pid = int(16).unwrap_or(0);
            let _ = write!(
                out,
                ", si_pid={pid}{}, si_uid={}",
                comm(pid),
                int(20).unwrap_or(0)
            );
        }
    }
    out.push('}');
    out
}

/// CPU time in clock ticks (USER_HZ, 100 a second), with strace's comment in
/// seconds when there is any (not in the raw style): `8 /* 0.08 s */`.
fn clock_ticks(c: Consts, ticks: i64) -> String {
    if ticks == 0 || c.style == super::Style::Raw {
        return ticks.to_string();
    }
    format!("{ticks} /* {}.{:02} s */", ticks / 100, ticks % 100)
}

/// The name of `code` for `signo`: its own codes, then the ones any signal
/// may carry.
fn code_name(xlat: &Xlat, signo: i32, code: i32) -> Option<&'static str> {
    let own: Option<&Table> = match signo {
        _ if code <= 0 => None,
        SIGCHLD => Some(&xlat.cld_codes),
        SIGSEGV => Some(&xlat.segv_codes),
        SIGBUS => Some(&xlat.bus_codes),
        SIGILL => Some(&xlat.ill_codes),
        SIGFPE => Some(&xlat.fpe_codes),
        SIGTRAP => Some(&xlat.trap_codes),
        _ => None,
    };
    let value = code as i64 as u64;
    own.into_iter()
        .chain([&xlat.si_codes])
        .flat_map(|table| table.values)
        .find(|(v, _)| *v == value)
        .map(|(_, name)| *name)
}
