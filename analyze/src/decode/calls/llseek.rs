//! i386's _llseek: the offset comes in two registers, high half first,
//! and strace prints it as one number: `_llseek(3, 4096, [4096], SEEK_SET)`.

use crate::decode::{CallView, Options, push_int};

/// The table's arguments: descriptor, offset's high and low halves, result,
/// whence.
const LOW_HALF: usize = 2;

impl CallView<'_> {
    pub(super) fn render_llseek(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        opts: &Options,
    ) {
        for i in range.filter(|&i| i != LOW_HALF) {
            if i > 0 {
                out.push_str(", ");
            }
            match i {
                1 => push_int(
                    out,
                    ((self.args[1] << 32) | (self.args[2] & 0xffff_ffff)) as i64,
                ),
                _ => self.render_arg(out, i, opts),
            }
        }
    }
}
