//! socket: the protocol, named for the IP and netlink families.

use crate::decode::{Consts, flags::HexNumber};

const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const AF_NETLINK: u64 = 16;

/// Protocol `value` of address family `domain` by name, where strace
/// names it: whether it did.
pub(super) fn render_protocol(out: &mut String, consts: Consts, domain: u64, value: u64) -> bool {
    let names: &[(u64, &'static str)] = match domain {
        AF_INET | AF_INET6 => &[(0, "IPPROTO_IP"), (6, "IPPROTO_TCP"), (17, "IPPROTO_UDP")],
        AF_NETLINK => consts.xlat.netlink.values,
        _ => return false,
    };
    match names.iter().find(|(v, _)| *v == value) {
        Some((_, name)) => consts.named(out, HexNumber(value), name),
        None => return false,
    }
    true
}
