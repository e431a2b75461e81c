//! clone: named arguments, as strace prints them.

use crate::decode::{CallView, flags};

impl CallView<'_> {
    /// clone is printed with named arguments, those its flags make meaningful:
    /// `clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x...)`:
    /// the printed arguments in `range` (by their place in that list).
    pub(super) fn render_clone(&self, out: &mut String, range: std::ops::Range<usize>) {
        let [flags, stack, parent_tid, child_tid, tls, _] = self.args;
        let mut parts = vec![format!(
            "child_stack={}",
            if stack == 0 {
                "NULL".to_owned()
            } else {
                format!("{stack:#x}")
            }
        )];
        let mut f = String::new();
        flags::clone_flags(&mut f, self.xlat, flags);
        parts.push(format!("flags={f}"));
        if flags & (0x100000 | 0x1000) != 0 {
            parts.push(format!("parent_tid={parent_tid:#x}"));
        }
        if flags & (0x1000000 | 0x200000) != 0 {
            parts.push(format!("child_tidptr={child_tid:#x}"));
        }
        if flags & 0x80000 != 0 {
            parts.push(format!("tls={tls:#x}"));
        }
        for (k, part) in parts.iter().enumerate().take(range.end).skip(range.start) {
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str(part);
        }
    }
}
