//! The decoders of calls whose arguments or result need more than their
//! table entry's [`crate::table::Arg`]s say, one file per family, named by
//! the entry's [`crate::table::Decoder`]. Rendering asks them here, through
//! the entry's decoder, and never by the call's name.

mod clone;
mod fcntl;
mod futex;
mod ioctl;
mod llseek;
mod mremap;
mod poll;
mod prctl;
mod select;
mod sleep;
mod socket;
mod sockopt;

pub use fcntl::FcntlEffect;

use super::{CallView, Consts, Hex, Options};
use crate::table::{Arg, Decoder};

/// io_uring_register's operation whose argument is an array of descriptors.
const IORING_REGISTER_FILES: u64 = 2;

impl CallView<'_> {
    /// How many of its arguments the call shows: fcntl's command, ioctl's
    /// request and mremap's flags decide.
    pub(super) fn shown_args(&self) -> usize {
        let cmd = self.args[1];
        match self.syscall.decoder {
            Decoder::Fcntl => fcntl::fcntl_arg(cmd, self.syscall.args[2])
                .is_none()
                .then_some(2),
            Decoder::Ioctl => ioctl::shown_args(cmd),
            Decoder::Mremap => Some(mremap::shown_args(self.args[3])),
            _ => None,
        }
        .unwrap_or(self.syscall.args.len())
    }

    /// What argument `i` is, where the decoder knows better than the table
    /// (fcntl's and ioctl's third, by command).
    pub(super) fn arg_kind(&self, i: usize) -> Arg {
        match (self.syscall.decoder, i) {
            (Decoder::Fcntl, 2) => {
                fcntl::fcntl_arg(self.args[1], self.syscall.args[2]).unwrap_or(Arg::Hex)
            }
            (Decoder::Ioctl, 2) => ioctl::arg(self.args[1], self.syscall.args[2]),
            (Decoder::Sleep, _) => sleep::arg(self.syscall.args, i, self.ret()),
            // The descriptors of IORING_REGISTER_FILES; any other
            // operation's argument by its address.
            (Decoder::IoUringRegister, 2) if self.args[1] != IORING_REGISTER_FILES => Arg::Ptr,
            _ => self.syscall.args[i],
        }
    }

    /// Argument `i`, where the decoder prints it its own way (socket's
    /// protocol by its family, a socket option by its level): whether it did.
    pub(super) fn render_own_arg(&self, out: &mut String, i: usize, consts: Consts) -> bool {
        match (self.syscall.decoder, i) {
            (Decoder::Socket, 2) => {
                socket::render_protocol(out, consts, self.args[0], self.args[2])
            }
            (Decoder::Sockopt, 2) => {
                sockopt::render_option(out, consts, self.args[1], self.args[2]);
                true
            }
            _ => false,
        }
    }

    /// The arguments, where the decoder prints them its own way (clone's
    /// named ones, futex's by operation): whether it did.
    pub(super) fn render_own_args(
        &self,
        out: &mut String,
        range: std::ops::Range<usize>,
        opts: &Options,
    ) -> bool {
        match self.syscall.decoder {
            Decoder::Clone => {
                self.render_clone(out, range, self.consts(opts));
                true
            }
            Decoder::Clone3 => {
                self.render_clone3(out, range, self.consts(opts));
                true
            }
            Decoder::Futex => {
                self.render_futex(out, range, opts);
                true
            }
            Decoder::Prctl => {
                self.render_prctl(out, range, opts);
                true
            }
            Decoder::Llseek => {
                self.render_llseek(out, range, opts);
                true
            }
            _ => false,
        }
    }

    /// Whether the int the call wrote is an errno (getsockopt's SO_ERROR).
    pub(super) fn writes_errno(&self) -> bool {
        self.syscall.decoder == Decoder::Sockopt && sockopt::holds_errno(self.args[1], self.args[2])
    }

    /// Each argument on its own, where the decoder's split them otherwise
    /// (clone3's exit part belongs to its struct).
    pub(super) fn own_arg_texts(&self, opts: &Options) -> Option<Vec<String>> {
        (self.syscall.decoder == Decoder::Clone3).then(|| self.clone3_arg_texts(self.consts(opts)))
    }

    /// A successful result, where the decoder prints it its own way (fcntl's
    /// by command): whether it did.
    pub(super) fn render_own_ret(&self, out: &mut String, ret: i64, opts: &Options) -> bool {
        match self.syscall.decoder {
            Decoder::Fcntl => {
                self.render_fcntl_ret(out, ret, opts);
                true
            }
            Decoder::Prctl => self.render_prctl_ret(out, ret),
            _ => false,
        }
    }

    /// How its buffers print under `hex` (`-x`): getrandom's always in hex.
    pub(super) fn buffer_hex(&self, hex: Hex) -> Hex {
        match self.syscall.decoder {
            Decoder::Getrandom => Hex::Always,
            _ => hex,
        }
    }

    /// What follows the result, where the decoder adds to it (poll's revents).
    pub(super) fn render_after_ret(&self, out: &mut String, ret: i64, opts: &Options) {
        match self.syscall.decoder {
            Decoder::Poll => self.render_poll_result(out, ret, self.consts(opts)),
            Decoder::Select => self.render_select_result(out, ret, opts.deref),
            Decoder::ThreadArea if ret == 0 && opts.deref => {
                // The entry the kernel chose (strace reads it back).
                if let Some(entry) = self
                    .exit_mem(0)
                    .and_then(|m| super::structs::u32_at(m.data, 0))
                {
                    out.push_str(" (entry_number=");
                    super::push_int(out, entry);
                    out.push(')');
                }
            }
            _ => {}
        }
    }
}
