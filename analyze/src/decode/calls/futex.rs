//! futex: the arguments its operation uses, in strace's order. The
//! registers mean different things per operation: the fourth is a timeout
//! or a count (val2), the sixth a bitset, a comparison value or an encoded
//! operation.

use std::fmt::Write as _;

use crate::decode::{CallView, Consts, Options, Style, flags::HexNumber, hex, push_int};

const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;
const FUTEX_BITSET_MATCH_ANY: u64 = 0xffff_ffff;
const FUTEX_OP_OPARG_SHIFT: u64 = 8;

/// One printed argument.
enum Part {
    /// A register as the table types it: the address, the operation, val, the
    /// timeout (captured), uaddr2.
    Arg(usize),
    /// The fourth register as a count.
    Val2,
    /// The sixth as a bitset (FUTEX_BITSET_MATCH_ANY).
    Bitset,
    /// The sixth as a number.
    Val3,
    /// The sixth as FUTEX_WAKE_OP's encoded operation and comparison.
    WakeOp,
}

use Part::*;

/// What operation `cmd` (without its flags) prints after the address and the
/// operation itself.
fn parts(cmd: u64) -> &'static [Part] {
    match cmd {
        // FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI
        0 => &[Arg(2), Arg(3)],
        9 => &[Arg(2), Arg(3), Bitset],
        11 => &[Arg(2), Arg(3), Arg(4)],
        // FUTEX_WAKE, FUTEX_FD, FUTEX_WAKE_BITSET
        1 | 2 => &[Arg(2)],
        10 => &[Arg(2), Bitset],
        // FUTEX_REQUEUE, FUTEX_CMP_REQUEUE(_PI), FUTEX_WAKE_OP
        3 => &[Arg(2), Val2, Arg(4)],
        4 | 12 => &[Arg(2), Val2, Arg(4), Val3],
        5 => &[Arg(2), Val2, Arg(4), WakeOp],
        // FUTEX_LOCK_PI, FUTEX_LOCK_PI2; FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI
        6 | 13 => &[Arg(3)],
        7 | 8 => &[],
        _ => &[Arg(2), Arg(3), Arg(4), Val3],
    }
}

impl CallView<'_> {
    /// `futex(0x..., FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, FUTEX_BITSET_MATCH_ANY)`:
    /// the printed arguments in `range` (by their place in that list).
    pub(super) fn render_futex(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        opts: &Options,
    ) {
        let cmd = self.args[1] & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        let printed = [Arg(0), Arg(1)].iter().chain(parts(cmd));
        for (k, part) in printed.enumerate().take(range.end).skip(range.start) {
            if k > 0 {
                out.push_str(", ");
            }
            let val3 = self.args[5] as u32 as u64;
            match *part {
                Arg(i) => self.render_arg(out, i, opts),
                Val2 => push_int(out, self.args[3] as u32 as u64),
                Bitset if val3 == FUTEX_BITSET_MATCH_ANY => {
                    self.consts(opts)
                        .named(out, HexNumber(val3), "FUTEX_BITSET_MATCH_ANY");
                }
                Bitset => hex(out, val3),
                Val3 => push_int(out, val3),
                WakeOp => self.render_wake_op(out, val3, self.consts(opts)),
            }
        }
    }

    /// FUTEX_WAKE_OP's encoded operation: `FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1`.
    fn render_wake_op(&self, out: &mut String, val3: u64, consts: Consts) {
        let op = (val3 >> 28) & 0xf;
        if op & FUTEX_OP_OPARG_SHIFT != 0 {
            out.push_str("FUTEX_OP_OPARG_SHIFT<<28|");
        }
        // Each part styled on its own; strace's raw style puts the part's
        // shift before its comment (`0<<28 /* FUTEX_OP_??? */`).
        let part = |out: &mut String, table, value, shift: &str, unknown: &str| {
            if consts.style == Style::Raw {
                let _ = write!(out, "{}{shift} /* {unknown} */", HexNumber(value));
            } else {
                consts.table(out, table, value);
                out.push_str(shift);
            }
        };
        part(
            out,
            &self.xlat.futex_wake_ops,
            op & !FUTEX_OP_OPARG_SHIFT,
            "<<28",
            "FUTEX_OP_???",
        );
        out.push('|');
        hex(out, (val3 >> 12) & 0xfff);
        out.push_str("<<12|");
        part(
            out,
            &self.xlat.futex_wake_cmps,
            (val3 >> 24) & 0xf,
            "<<24",
            "FUTEX_OP_CMP_???",
        );
        out.push('|');
        hex(out, val3 & 0xfff);
    }
}
