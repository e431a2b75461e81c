//! setsockopt and getsockopt: the option, named for its level.

use std::fmt::Write as _;

use crate::decode::Consts;

const SOL_IP: u64 = 0;
const SOL_SOCKET: u64 = 1;
const SOL_TCP: u64 = 6;
const SOL_IPV6: u64 = 41;
const SOL_NETLINK: u64 = 270;

/// SO_ERROR: its value is an errno, which strace names (`[ECONNREFUSED]`).
pub(super) fn holds_errno(level: u64, option: u64) -> bool {
    const SO_ERROR: u64 = 4;
    level == SOL_SOCKET && option == SO_ERROR
}

/// Option `option` of `level`: named from the level's table (a number it
/// lacks as strace prints it), or a number where strace knows no level.
pub(super) fn render_option(out: &mut String, consts: Consts, level: u64, option: u64) {
    let xlat = consts.xlat;
    let table = match level {
        SOL_SOCKET => &xlat.so_options,
        SOL_TCP => &xlat.tcp_options,
        SOL_IP => &xlat.ip_options,
        SOL_IPV6 => &xlat.ipv6_options,
        SOL_NETLINK => &xlat.netlink_options,
        _ => {
            let _ = write!(out, "{option}");
            return;
        }
    };
    consts.table(out, table, option);
}
