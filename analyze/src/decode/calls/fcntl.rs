//! fcntl: the argument and the result each command has.

use crate::{
    decode::{CallView, Options, hex, push_int},
    table::Arg,
};

const F_DUPFD: u64 = 0;
const F_GETFD: u64 = 1;
const F_SETFD: u64 = 2;
const F_GETFL: u64 = 3;
const F_DUPFD_CLOEXEC: u64 = 1030;
const F_ADD_SEALS: u64 = 1033;
const F_GET_SEALS: u64 = 1034;
const FD_CLOEXEC: u64 = 1;

/// What an fcntl command does to descriptors.
pub enum FcntlEffect {
    /// F_DUPFD, F_DUPFD_CLOEXEC: a copy of the first argument, close-on-exec or not.
    Dup { cloexec: bool },
    /// F_SETFD: the first argument's close-on-exec flag set or cleared.
    SetCloexec(bool),
}

/// What fcntl's third argument is for command `cmd`, given the table's
/// (the lock struct its ABI copies); none for the commands that take none
/// (strace prints two arguments then).
pub(super) fn fcntl_arg(cmd: u64, table: Arg) -> Option<Arg> {
    use crate::table::{At, Shape};
    let Arg::Mem { size, shape, .. } = table else {
        return Some(table);
    };
    // A lock to set, as the caller described it; the one found, as the
    // kernel wrote it back.
    let flock = |at| Arg::Mem { at, size, shape };
    // i386's fcntl64 takes its 64-bit locks by commands of their own, and
    // 32-bit ones (which glibc never passes) by the others.
    let i386 = shape == Shape::Flock64;
    use crate::table::Flags as F;
    match cmd {
        5..=7 if i386 => Some(Arg::Ptr),
        // F_GETLK64, F_SETLK64, F_SETLKW64
        12 if i386 => Some(flock(At::Exit)),
        13 | 14 if i386 => Some(flock(At::Enter)),
        F_GETFD | F_GETFL | 9 | 11 | 1025 | 1032 | 1034 => None,
        2 => Some(Arg::Flags(F::FdFlags)),
        4 => Some(Arg::Flags(F::Open)),
        F_ADD_SEALS => Some(Arg::Flags(F::Seals)),
        // F_GETLK, F_OFD_GETLK
        5 | 36 => Some(flock(At::Exit)),
        // F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW
        6 | 7 | 37 | 38 => Some(flock(At::Enter)),
        _ => Some(Arg::Int),
    }
}

impl CallView<'_> {
    /// What this fcntl does to its process's descriptors, if anything.
    pub fn fcntl_effect(&self) -> Option<FcntlEffect> {
        match self.args[1] {
            F_DUPFD => Some(FcntlEffect::Dup { cloexec: false }),
            F_DUPFD_CLOEXEC => Some(FcntlEffect::Dup { cloexec: true }),
            F_SETFD => Some(FcntlEffect::SetCloexec(self.args[2] & FD_CLOEXEC != 0)),
            _ => None,
        }
    }

    /// fcntl's result by command: a descriptor, flags, or a number.
    pub(super) fn render_fcntl_ret(&self, out: &mut String, ret: i64, opts: &Options) {
        let consts = self.consts(opts);
        let flags = |out: &mut String, table| {
            hex(out, ret as u64);
            out.push_str(" (flags ");
            consts.flags(out, table, ret as u64);
            out.push(')');
        };
        match self.args[1] {
            F_DUPFD | F_DUPFD_CLOEXEC => self.fd(out, ret, opts),
            F_GETFD if ret != 0 => flags(out, crate::table::Flags::FdFlags),
            F_GETFL => flags(out, crate::table::Flags::Open),
            F_GET_SEALS if ret != 0 => {
                hex(out, ret as u64);
                out.push_str(" (seals ");
                consts.flags(out, crate::table::Flags::Seals, ret as u64);
                out.push(')');
            }
            _ => push_int(out, ret),
        }
    }
}
