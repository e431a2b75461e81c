//! setsockopt and getsockopt: the option, named for its level.

use crate::decode::Xlat;

const SOL_IP: u64 = 0;
const SOL_SOCKET: u64 = 1;
const SOL_TCP: u64 = 6;
const SOL_IPV6: u64 = 41;

/// SO_ERROR: its value is an errno, which strace names (`[ECONNREFUSED]`).
pub(super) fn holds_errno(level: u64, option: u64) -> bool {
    const SO_ERROR: u64 = 4;
    level == SOL_SOCKET && option == SO_ERROR
}

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
