//! poll and ppoll: what the kernel wrote back, after the result.

use format::CaptureStatus;

use crate::{
    decode::{CallView, Consts, structs},
    table::{Arg, At, Shape},
};

impl CallView<'_> {
    /// ` (Timeout)`, or ` ([{fd=3, revents=POLLIN}])` and ppoll's time left.
    pub(super) fn render_poll_result(&self, out: &mut String, ret: i64, consts: Consts) {
        if ret == 0 {
            out.push_str(" (Timeout)");
            return;
        }
        let Some(mem) = self
            .exit_mem(0)
            .filter(|m| m.status != CaptureStatus::Fault)
        else {
            return;
        };
        out.push_str(" (");
        let _ = structs::poll_revents(out, consts, mem.data, self.args[1]);
        if let Some(Arg::Mem {
            at: At::Both,
            shape: Shape::Timespec,
            ..
        }) = self.syscall.args.get(2)
            && let Some(left) = self
                .exit_mem(2)
                .filter(|m| m.status != CaptureStatus::Fault)
        {
            out.push_str(", left ");
            let _ = structs::timespec(out, left.data);
        }
        out.push(')');
    }
}
