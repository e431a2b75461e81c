//! socket: the protocol, named for the IP families.

/// The name of protocol `value` in address family `domain`, where strace
/// names it (AF_INET and AF_INET6).
pub(super) fn socket_protocol(domain: u64, value: u64) -> Option<&'static str> {
    if !matches!(domain, 2 | 10) {
        return None;
    }
    match value {
        0 => Some("IPPROTO_IP"),
        6 => Some("IPPROTO_TCP"),
        17 => Some("IPPROTO_UDP"),
        _ => None,
    }
}
