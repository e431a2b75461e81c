//! ioctl: the argument its request takes.

const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;

/// How many arguments strace prints for `request` (none: all of them).
pub(super) fn shown_args(request: u64) -> Option<usize> {
    matches!(request, FIONCLEX | FIOCLEX).then_some(2)
}
