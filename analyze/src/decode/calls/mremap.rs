//! mremap: the new address is an argument only with MREMAP_FIXED.

const MREMAP_FIXED: u64 = 2;

/// How many arguments strace prints for `flags`.
pub(super) fn shown_args(flags: u64) -> usize {
    if flags & MREMAP_FIXED != 0 { 5 } else { 4 }
}
