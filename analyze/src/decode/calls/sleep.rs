//! nanosleep and clock_nanosleep: the time left means something only when
//! a signal interrupted the call (ERESTART_RESTARTBLOCK and the like at the
//! exit); otherwise strace prints where it would have gone.

use crate::{syscalls::restart_errno, table::Arg};

/// What argument `i` of a sleep that returned `ret` is, given the table's.
pub(super) fn arg(table: &[Arg], i: usize, ret: Option<i64>) -> Arg {
    let time_left = i + 1 == table.len();
    let interrupted = ret.and_then(restart_errno).is_some();
    if time_left && !interrupted {
        Arg::Ptr
    } else {
        table[i]
    }
}
