//! futex: the arguments its operation uses.

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;

/// How many arguments strace prints for operation `op` (none: all of them).
pub(super) fn shown_args(op: u64) -> Option<usize> {
    // Without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME.
    match op & 0x7f {
        FUTEX_WAKE => Some(3),
        FUTEX_WAIT => Some(4),
        _ => None,
    }
}
