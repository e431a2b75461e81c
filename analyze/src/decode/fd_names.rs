//! How descriptors that name no path are named, as /proc and strace -y name
//! them: by the inode the recorder read behind them; and sockets by their
//! ends, as strace -yy names them, from what the kernel told at the call.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use abi::socket_record as rec;
use format::CaptureStatus;

use super::{CallView, FdEntry, Xlat, strings};

/// A socket's ends as the kernel told them, printed as strace -yy prints
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketEnds {
    /// An inet or netlink socket, named once and for all.
    Named(String),
    /// A unix socket: its peer's inode (0: none known) and bound path.
    Unix {
        inode: u64,
        kind: &'static str,
        peer: u64,
        path: Vec<u8>,
    },
}

impl SocketEnds {
    /// These ends, with the peer `before` knew where these know none: a
    /// peer that closed no longer names itself, and strace keeps printing
    /// the one it saw.
    pub fn keeping_peer_of(self, before: &SocketEnds) -> SocketEnds {
        match (self, before) {
            (
                SocketEnds::Unix {
                    inode,
                    kind,
                    peer: 0,
                    path,
                },
                &SocketEnds::Unix {
                    inode: known, peer, ..
                },
            ) if known == inode => SocketEnds::Unix {
                inode,
                kind,
                peer,
                path,
            },
            (ends, _) => ends,
        }
    }

    /// strace -yy's text.
    pub fn text(&self) -> String {
        match self {
            SocketEnds::Named(text) => text.clone(),
            // strace names an unbound, unconnected datagram socket's
            // family alone.
            SocketEnds::Unix {
                inode,
                kind: "DGRAM",
                peer: 0,
                path,
            } if path.is_empty() => format!("UNIX:[{inode}]"),
            SocketEnds::Unix {
                inode,
                kind,
                peer,
                path,
            } => {
                let mut text = format!("UNIX-{kind}:[{inode}");
                if *peer != 0 {
                    let _ = write!(text, "->{peer}");
                }
                if !path.is_empty() {
                    text.push(',');
                    unix_path(&mut text, path);
                }
                text.push(']');
                text
            }
        }
    }
}
use crate::table::{ARG_SOCKET, Arg, FdEffect, Shape};

/// How /proc names a socket or pipe, by the inode the recorder read for it:
/// `socket:[1234]` (plain `socket` when there is none).
pub fn inode_name(kind: &str, inode: Option<u64>) -> Vec<u8> {
    match inode.filter(|&i| i != 0) {
        Some(inode) => format!("{kind}:[{inode}]").into_bytes(),
        None => kind.as_bytes().to_vec(),
    }
}

impl CallView<'_> {
    /// The two descriptors pipe, pipe2 and socketpair returned, with what
    /// they refer to (a unix socket pair's ends: each other).
    pub fn fd_pair(&self) -> Option<[(i64, FdEntry); 2]> {
        let FdEffect::Pair(kind) = self.syscall.fds else {
            return None;
        };
        let arg = self.syscall.args.iter().position(|a| {
            matches!(
                a,
                Arg::Mem {
                    shape: Shape::IntPair,
                    ..
                }
            )
        })?;
        let (a, b) = self.int_pair(arg as u8)?;
        let inodes = self.fd_inodes();
        let (ino_a, ino_b) = (inodes.first().copied(), inodes.get(1).copied());
        let cloexec = self.syscall.cloexec(&self.args);
        // socketpair's family and type are its first two arguments.
        let unix = kind == "socket" && self.args[0] == AF_UNIX;
        let ends = |own: Option<u64>, peer: Option<u64>| {
            let (inode, peer) = (own.filter(|&i| i != 0)?, peer.filter(|&i| i != 0)?);
            unix.then(|| SocketEnds::Unix {
                inode,
                kind: unix_kind(self.args[1] as u16 & 0xf),
                peer,
                path: Vec::new(),
            })
        };
        let entry = |own, peer| FdEntry {
            name: inode_name(kind, own),
            cloexec,
            ends: ends(own, peer),
            ..FdEntry::default()
        };
        Some([(a, entry(ino_a, ino_b)), (b, entry(ino_b, ino_a))])
    }

    /// The socket this call made or changed, named as the kernel told its
    /// ends after the call (`TCP:[127.0.0.1:42->127.0.0.1:8080]`).
    pub fn socket(&self) -> Option<FdEntry> {
        let mem = self
            .exit_mem(ARG_SOCKET)
            .filter(|m| m.status == CaptureStatus::Complete)?;
        let record = SocketRecord(mem.data);
        let inode = record.u64_at(rec::INODE)?;
        Some(FdEntry {
            name: inode_name("socket", Some(inode)),
            ends: record.ends(self.xlat),
            ..FdEntry::default()
        })
    }

    /// The netlink protocol of the socket the call used, as the kernel had
    /// it at the call's exit; none for another kind of socket.
    pub(super) fn netlink_protocol(&self) -> Option<u16> {
        let mem = self
            .exit_mem(ARG_SOCKET)
            .filter(|m| m.status == CaptureStatus::Complete)?;
        let record = SocketRecord(mem.data);
        (u64::from(record.u16_at(rec::FAMILY)?) == AF_NETLINK).then_some(())?;
        record.u16_at(rec::PROTOCOL)
    }
}

const AF_UNIX: u64 = 1;

/// strace's name of a unix socket's type.
fn unix_kind(sock_type: u16) -> &'static str {
    match sock_type {
        2 => "DGRAM",
        5 => "SEQPACKET",
        _ => "STREAM",
    }
}

/// A [`crate::table::CaptureKind::Socket`] capture, laid out as
/// `abi::socket_record` says.
struct SocketRecord<'a>(&'a [u8]);

impl SocketRecord<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        Some(u16::from_ne_bytes(self.0.get(at..at + 2)?.try_into().ok()?))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        Some(u32::from_ne_bytes(self.0.get(at..at + 4)?.try_into().ok()?))
    }

    fn u64_at(&self, at: usize) -> Option<u64> {
        Some(u64::from_ne_bytes(self.0.get(at..at + 8)?.try_into().ok()?))
    }

    fn addr(&self, at: usize) -> Option<[u8; 16]> {
        self.0.get(at..at + 16)?.try_into().ok()
    }

    /// The socket's ends: `TCP:[1234]` (unbound), `TCP:[127.0.0.1:42]`
    /// (bound), `TCPv6:[[::1]:42->[::1]:8080]`, `UNIX-STREAM:[1234->1235,"/run/x"]`,
    /// `NETLINK:[ROUTE:4974]`; none for a family strace names otherwise.
    fn ends(&self, xlat: &Xlat) -> Option<SocketEnds> {
        self.named(xlat)
            .map(SocketEnds::Named)
            .or_else(|| self.unix())
    }

    fn unix(&self) -> Option<SocketEnds> {
        (u64::from(self.u16_at(rec::FAMILY)?) == AF_UNIX).then_some(())?;
        let path = self.0.get(rec::UNIX_PATH..).unwrap_or_default();
        Some(SocketEnds::Unix {
            inode: self.u64_at(rec::INODE)?,
            kind: unix_kind(self.u16_at(rec::TYPE)?),
            peer: self.u64_at(rec::PEER_INODE)?,
            path: path.to_vec(),
        })
    }

    /// strace's text for an inet or netlink socket.
    fn named(&self, xlat: &Xlat) -> Option<String> {
        let inode = self.u64_at(rec::INODE)?;
        let protocol = self.u16_at(rec::PROTOCOL)?;
        match u64::from(self.u16_at(rec::FAMILY)?) {
            family @ (AF_INET | AF_INET6) => {
                let name = match protocol {
                    6 => "TCP",
                    17 => "UDP",
                    136 => "UDPLITE",
                    _ => return None,
                };
                let v6 = if family == AF_INET6 { "v6" } else { "" };
                let local_port = self.u16_at(rec::LOCAL_PORT)?;
                let remote_port = u16::from_be(self.u16_at(rec::REMOTE_PORT)?);
                let address = |at: usize| -> Option<String> {
                    let bytes = self.addr(at)?;
                    Some(if family == AF_INET6 {
                        format!("[{}]", Ipv6Addr::from(bytes))
                    } else {
                        Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()
                    })
                };
                let local = address(rec::LOCAL_ADDR)?;
                Some(match (local_port, remote_port) {
                    (0, 0) => format!("{name}{v6}:[{inode}]"),
                    // strace names a datagram socket by its own end alone.
                    (_, 0) => format!("{name}{v6}:[{local}:{local_port}]"),
                    _ if protocol != 6 => format!("{name}{v6}:[{local}:{local_port}]"),
                    _ => {
                        let remote = address(rec::REMOTE_ADDR)?;
                        format!("{name}{v6}:[{local}:{local_port}->{remote}:{remote_port}]")
                    }
                })
            }
            AF_NETLINK => match self.u32_at(rec::NETLINK_PORTID)? {
                0 => Some(format!("NETLINK:[{inode}]")),
                portid => {
                    let protocol = xlat
                        .netlink
                        .values
                        .iter()
                        .find(|(v, _)| *v == u64::from(protocol))
                        .and_then(|(_, n)| n.strip_prefix("NETLINK_"))
                        .map_or_else(|| protocol.to_string(), str::to_owned);
                    Some(format!("NETLINK:[{protocol}:{portid}]"))
                }
            },
            _ => None,
        }
    }
}

const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const AF_NETLINK: u64 = 16;

/// A bound unix socket's path, quoted (an abstract one, which starts with
/// a NUL, as `@name`).
fn unix_path(out: &mut String, path: &[u8]) {
    match path.strip_prefix(b"\0") {
        Some(name) => {
            out.push('@');
            strings::quote(out, name, false, strings::Hex::Never);
        }
        None => {
            let path = path.split(|&b| b == 0).next().unwrap_or_default();
            strings::quote(out, path, false, strings::Hex::Never);
        }
    }
}
