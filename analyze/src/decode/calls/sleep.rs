//! nanosleep and clock_nanosleep: the time left means something only when
//! a signal interrupted the call; after a full sleep strace prints where it
//! would have gone.

use crate::table::Arg;

/// What argument `i` of a sleep that returned `ret` is, given the table's.
pub(super) fn arg(table: &[Arg], i: usize, ret: Option<i64>) -> Arg {
    let time_left = i + 1 == table.len();
    match ret {
        Some(0) if time_left => Arg::Ptr,
        _ => table[i],
    }
}
