//! sendmsg's and recvmsg's `struct msghdr`, as strace prints it: the name
//! as a socket address, the iovecs with their data, the control messages
//! (descriptors passed, credentials) and the flags.

use std::fmt::Write as _;

use format::CaptureStatus;

use super::netlink::Netlink;
use super::render::iovecs;
use super::structs::{u32_at, u64_at};
use super::*;
use crate::table::{At, Flags};

/// Where each field is in a `struct msghdr` (x86_64, aarch64).
const NAME: usize = 0;
const NAMELEN: usize = 8;
const IOV: usize = 16;
const IOVLEN: usize = 24;
const CONTROL: usize = 32;
const CONTROLLEN: usize = 40;
const FLAGS: usize = 48;

const AF_NETLINK: u16 = 16;

/// The captures of a msghdr, in the order the recorder copies them.
const HEADER: usize = 0;
const NAME_BYTES: usize = 1;
const CONTROL_BYTES: usize = 2;
const IOV_ARRAY: usize = 3;

impl CallView<'_> {
    /// `{msg_name=..., msg_namelen=16, msg_iov=[...], msg_iovlen=1,
    /// msg_control=[...], msg_controllen=24, msg_flags=0}`: as sendmsg
    /// passed it at enter, as recvmsg's kernel filled it at exit (its
    /// name length as `before => after` where the call changed it).
    pub(super) fn render_msghdr(&self, out: &mut String, i: usize, at: At, opts: &Options) {
        let arg = i as u8;
        // A recvmsg that failed: strace shows the name length it offered.
        if at == At::Both
            && self.ret().is_some_and(|r| r < 0)
            && let Some(namelen) = self.enter_mem(arg).and_then(|m| u32_at(m.data, NAMELEN))
        {
            let _ = write!(out, "{{msg_namelen={namelen}}}");
            return;
        }
        let (mems, left) = match (at, self.ret()) {
            (At::Enter, _) => (self.enter_mems(arg).collect(), u64::MAX),
            (_, Some(ret)) if ret >= 0 => (self.exit_mems(arg), ret as u64),
            _ => (Vec::new(), 0),
        };
        let Some(header) = mems
            .get(HEADER)
            .filter(|m| m.status == CaptureStatus::Complete && m.data.len() >= 56)
        else {
            return pointer(out, self.args[i]);
        };
        let field = |at: usize| u64_at(header.data, at).unwrap_or(0);
        let (name, namelen) = (field(NAME), field(NAMELEN) as u32);
        let (iovlen, controllen) = (field(IOVLEN), field(CONTROLLEN));
        let consts = self.consts(opts);
        out.push_str("{msg_name=");
        let name_bytes = mems
            .get(NAME_BYTES)
            .filter(|m| m.status == CaptureStatus::Complete && namelen > 0)
            .and_then(|m| m.data.get(..namelen as usize));
        let decoded = name_bytes.is_some_and(|b| structs::sockaddr(out, consts, b).is_some());
        if !decoded {
            pointer(out, name);
        }
        out.push_str(", msg_namelen=");
        let before = (at == At::Both)
            .then(|| self.enter_mem(arg))
            .flatten()
            .and_then(|m| u32_at(m.data, NAMELEN));
        match before {
            Some(before) if before != namelen => {
                let _ = write!(out, "{before} => {namelen}");
            }
            _ => push_int(out, namelen),
        }
        out.push_str(", msg_iov=");
        match mems
            .get(IOV_ARRAY)
            .filter(|m| m.status != CaptureStatus::Fault)
        {
            Some(array) => {
                // strace decodes netlink messages by the name's family.
                let family = name_bytes.and_then(|b| structs::u16_at(b, 0));
                let netlink = (family == Some(AF_NETLINK) && opts.deref).then(|| Netlink {
                    protocol: self.netlink_protocol(),
                    c: consts,
                    opts,
                });
                let data = &mems[IOV_ARRAY + 1..];
                let array = structs::IovecArray {
                    bytes: array.data,
                    i386: false,
                };
                iovecs(out, array, data, iovlen, left, opts, netlink)
            }
            None => pointer(out, field(IOV)),
        }
        let _ = write!(out, ", msg_iovlen={iovlen}");
        if controllen > 0 {
            out.push_str(", msg_control=");
            match mems
                .get(CONTROL_BYTES)
                .filter(|m| m.status != CaptureStatus::Fault)
            {
                Some(control) => self.control_messages(out, *control, controllen, opts),
                None => pointer(out, field(CONTROL)),
            }
        }
        let _ = write!(out, ", msg_controllen={controllen}, msg_flags=");
        consts.flags(out, Flags::Msg, field(FLAGS) & u64::from(u32::MAX));
        out.push('}');
    }

    /// `[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS,
    /// cmsg_data=[5]}]`: each control message as far as it was copied.
    fn control_messages(&self, out: &mut String, control: Mem<'_>, len: u64, opts: &Options) {
        const HEADER_BYTES: usize = 16;
        let consts = self.consts(opts);
        let b = control.data;
        out.push('[');
        let mut at = 0;
        while let (Some(cmsg_len), Some(level), Some(kind)) =
            (u64_at(b, at), u32_at(b, at + 8), u32_at(b, at + 12))
        {
            if at > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{{cmsg_len={cmsg_len}, cmsg_level=");
            consts.flags(out, Flags::SockLevel, u64::from(level));
            out.push_str(", cmsg_type=");
            let end = usize::try_from(cmsg_len).unwrap_or(usize::MAX);
            let data = b
                .get(at + HEADER_BYTES..end.min(b.len()))
                .unwrap_or_default();
            match (level, kind) {
                (SOL_SOCKET, SCM_RIGHTS) => {
                    consts.named(out, kind, "SCM_RIGHTS");
                    out.push_str(", cmsg_data=[");
                    for (k, fd) in data.chunks_exact(4).enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        let fd = i32::from_ne_bytes([fd[0], fd[1], fd[2], fd[3]]);
                        self.fd(out, i64::from(fd), opts);
                    }
                    out.push(']');
                }
                (SOL_SOCKET, SCM_CREDENTIALS) if data.len() >= 12 => {
                    consts.named(out, kind, "SCM_CREDENTIALS");
                    let int = |k: usize| u32_at(data, 4 * k).unwrap_or(0);
                    let _ = write!(
                        out,
                        ", cmsg_data={{pid={}, uid={}, gid={}}}",
                        int(0) as i32,
                        int(1),
                        int(2)
                    );
                }
                _ => {
                    let _ = write!(out, "{kind:#x}, cmsg_data=");
                    strings::buffer(out, data, data.len() as u64, opts.strsize, Hex::Always);
                }
            }
            out.push('}');
            // Each message starts on a long's boundary.
            let next = (end + 7) & !7;
            if cmsg_len < HEADER_BYTES as u64 || next <= at || next >= b.len() {
                break;
            }
            at = next;
        }
        if (b.len() as u64) < len {
            out.push_str(", ...");
        }
        out.push(']');
    }
}

const SOL_SOCKET: u32 = 1;
const SCM_RIGHTS: u32 = 1;
const SCM_CREDENTIALS: u32 = 2;
