//! setsockopt and getsockopt: the option, named for its level.

use crate::decode::Xlat;

const SOL_IP: u64 = 0;
const SOL_SOCKET: u64 = 1;
const SOL_TCP: u64 = 6;
const SOL_IPV6: u64 = 41;

/// The name of option `option` at `level`, where strace names it.
pub(super) fn option_name(xlat: &Xlat, level: u64, option: u64) -> Option<&'static str> {
    let table = match level {
        SOL_SOCKET => &xlat.so_options,
        SOL_TCP => &xlat.tcp_options,
        SOL_IP => &xlat.ip_options,
        SOL_IPV6 => &xlat.ipv6_options,
        _ => return None,
    };
    table
        .values
        .iter()
        .find(|(v, _)| *v == option)
        .map(|(_, name)| *name)
}
