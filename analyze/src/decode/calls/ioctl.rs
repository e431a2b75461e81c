//! ioctl: the argument each request takes.

use crate::table::Arg;

const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;
const FIONBIO: u64 = 0x5421;
const FIOASYNC: u64 = 0x5452;
const FICLONE: u64 = 0x4004_9409;

/// How many arguments strace prints for `request` (none: all of them).
pub(super) fn shown_args(request: u64) -> Option<usize> {
    matches!(request, FIONCLEX | FIOCLEX).then_some(2)
}

/// What the third argument is for `request`, given the table's (an int
/// copied from where it points).
pub(super) fn arg(request: u64, table: Arg) -> Arg {
    match request {
        FIONBIO | FIOASYNC => table,
        // The source descriptor itself.
        FICLONE => Arg::Fd,
        _ => Arg::Hex,
    }
}
