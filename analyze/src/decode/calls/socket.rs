//! socket: the protocol, named for the IP and netlink families.

use crate::decode::Xlat;

const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const AF_NETLINK: u64 = 16;

/// The name of protocol `value` in address family `domain`, where strace
/// names it.
pub(super) fn socket_protocol(xlat: &Xlat, domain: u64, value: u64) -> Option<&'static str> {
    let names: &[(u64, &'static str)] = match domain {
        AF_INET | AF_INET6 => &[(0, "IPPROTO_IP"), (6, "IPPROTO_TCP"), (17, "IPPROTO_UDP")],
        AF_NETLINK => xlat.netlink.values,
        _ => return None,
    };
    names
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, name)| *name)
}
