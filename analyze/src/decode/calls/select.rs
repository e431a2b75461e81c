//! select and pselect6: the descriptors found ready, after the result.

use format::CaptureStatus;

use crate::{
    decode::{CallView, structs},
    table::{Arg, Shape},
};

/// The sets' arguments, and the names strace gives what they hold at exit.
const SETS: [(u8, &str); 3] = [(1, "in"), (2, "out"), (3, "except")];
/// The timeout's argument.
const TIMEOUT: u8 = 4;

impl CallView<'_> {
    /// ` (Timeout)`, or ` (in [3], out [4], left {tv_sec=0, tv_nsec=999})`
    /// (the time left's address without `deref`).
    pub(super) fn render_select_result(&self, out: &mut String, ret: i64, deref: bool) {
        if ret == 0 {
            out.push_str(" (Timeout)");
            return;
        }
        if ret < 0 {
            return;
        }
        let nfds = self.args[0];
        let mut parts = Vec::new();
        for (arg, name) in SETS {
            if let Some(set) = self
                .exit_mem(arg)
                .filter(|m| m.status != CaptureStatus::Fault)
                && structs::any_bit(set.data, nfds)
            {
                let mut text = format!("{name} ");
                let _ = structs::fd_set(&mut text, set.data, nfds);
                parts.push(text);
            }
        }
        if let Some(left) = self
            .exit_mem(TIMEOUT)
            .filter(|m| m.status != CaptureStatus::Fault)
        {
            let mut text = String::from("left ");
            let printed = match self.syscall.args.get(usize::from(TIMEOUT)) {
                _ if !deref => {
                    crate::decode::pointer(&mut text, self.args[usize::from(TIMEOUT)]);
                    Some(())
                }
                Some(Arg::Mem {
                    shape: Shape::Timeval,
                    ..
                }) => structs::timeval(&mut text, left.data),
                _ => structs::timespec(&mut text, left.data),
            };
            if printed.is_some() {
                parts.push(text);
            }
        }
        if !parts.is_empty() {
            out.push_str(" (");
            out.push_str(&parts.join(", "));
            out.push(')');
        }
    }
}
