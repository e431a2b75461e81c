//! Netlink messages, printed as strace prints the data a program sends to
//! or receives from a netlink socket: each message's header, then its
//! payload as its protocol defines it (rtnetlink's links, addresses and
//! routes with their attributes; errors and acknowledgements), anything
//! else as hex bytes. The data is the recording's snapshot of the buffer,
//! which may stop before the buffer does: what lies past it prints as `...`.

use super::flags::{Consts, HexNumber, Table};
use super::{Options, push_int, strings};
use std::fmt::Write as _;

const NETLINK_ROUTE: u16 = 0;
const NETLINK_SOCK_DIAG: u16 = 4;
const NETLINK_AUDIT: u16 = 9;

/// `struct nlmsghdr`'s size, and `struct nlattr`'s.
const HEADER: usize = 16;
const ATTR_HEADER: usize = 4;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_MIN_TYPE: u16 = 16;
const NLM_F_CAPPED: u16 = 0x100;
const RTM_DELACTION: u16 = 49;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// `len` bytes of a buffer, of which `data` (a prefix) were captured.
#[derive(Clone, Copy)]
pub(super) struct Span<'a> {
    pub data: &'a [u8],
    pub len: usize,
}

impl<'a> Span<'a> {
    pub fn new(data: &'a [u8], len: u64) -> Self {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        Span {
            data: &data[..data.len().min(len)],
            len,
        }
    }

    /// The bytes from `at` on.
    fn from(self, at: usize) -> Span<'a> {
        Span {
            data: self.data.get(at..).unwrap_or_default(),
            len: self.len.saturating_sub(at),
        }
    }

    /// The first `n` bytes.
    fn take(self, n: usize) -> Span<'a> {
        Span {
            data: &self.data[..self.data.len().min(n)],
            len: self.len.min(n),
        }
    }

    fn bytes<const N: usize>(self, at: usize) -> Option<[u8; N]> {
        self.data.get(at..at + N)?.try_into().ok()
    }

    fn u8(self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    fn u16(self, at: usize) -> Option<u16> {
        self.bytes(at).map(u16::from_ne_bytes)
    }

    fn u32(self, at: usize) -> Option<u32> {
        self.bytes(at).map(u32::from_ne_bytes)
    }
}

/// Rounds up to netlink's 4-byte alignment.
fn align(len: usize) -> usize {
    len.saturating_add(3) & !3
}

/// A `struct nlmsghdr`.
struct Header {
    len: u32,
    kind: u16,
    flags: u16,
    seq: u32,
    pid: u32,
}

impl Header {
    fn read(s: Span) -> Option<Header> {
        Some(Header {
            len: s.u32(0)?,
            kind: s.u16(4)?,
            flags: s.u16(6)?,
            seq: s.u32(8)?,
            pid: s.u32(12)?,
        })
    }
}

/// What kind of value an attribute holds, and so how it prints.
#[derive(Clone, Copy)]
enum Value {
    U8,
    U16,
    U32,
    S32,
    Str,
    /// A link-layer address, `02:fc:00:00:00:01`.
    Hwaddr,
    /// An address of the message's family, `inet_addr("127.0.0.1")`.
    Inet,
    /// A u32 of named bits.
    Flags(fn(&super::xlat::Xlat) -> &Table),
    /// A u32 named whole.
    Named(fn(&super::xlat::Xlat) -> &Table),
    CacheInfo,
    /// Printed as hex bytes.
    Opaque,
}

/// The attribute list that follows an rtnetlink message's struct.
#[derive(Clone, Copy)]
enum Attrs {
    Link,
    Addr {
        family: u8,
    },
    Route {
        family: u8,
    },
    /// An error's extended acknowledgement.
    ErrorAck,
}

impl Attrs {
    fn table(self, c: Consts) -> &'static Table {
        match self {
            Attrs::Link => &c.xlat.rtnl_link_attrs,
            Attrs::Addr { .. } => &c.xlat.rtnl_addr_attrs,
            Attrs::Route { .. } => &c.xlat.rtnl_route_attrs,
            Attrs::ErrorAck => &c.xlat.nlmsgerr_attrs,
        }
    }

    fn family(self) -> u8 {
        match self {
            Attrs::Addr { family } | Attrs::Route { family } => family,
            _ => 0,
        }
    }

    /// What attribute `kind` holds, as strace decodes it.
    fn value(self, kind: u16) -> Value {
        use Value::*;
        match (self, kind) {
            (Attrs::Link, 1 | 2 | 54) => Hwaddr,
            (Attrs::Link, 3 | 6 | 20 | 38 | 53 | 56 | 57) => Str,
            (Attrs::Link, 16 | 17 | 33 | 39) => U8,
            (
                Attrs::Link,
                4
                | 5
                | 10
                | 13
                | 15
                | 19
                | 21
                | 27
                | 30
                | 31
                | 32
                | 35
                | 40
                | 41
                | 47
                | 48
                | 49
                | 50
                | 51
                | 58..=61,
            ) => U32,
            (Attrs::Link, 37 | 45 | 46) => S32,
            (Attrs::Link, 29) => Flags(|x| &x.rtext_filter),
            (Attrs::Addr { .. }, 1 | 2 | 4 | 5 | 7) => Inet,
            (Attrs::Addr { .. }, 3) => Str,
            (Attrs::Addr { .. }, 6) => CacheInfo,
            (Attrs::Addr { .. }, 8) => Flags(|x| &x.ifa_flags),
            (Attrs::Addr { .. }, 9) => U32,
            (Attrs::Addr { .. }, 10) => S32,
            (Attrs::Route { .. }, 1 | 2 | 5 | 7) => Inet,
            (Attrs::Route { .. }, 3 | 4 | 6 | 11 | 16 | 25 | 30) => U32,
            (Attrs::Route { .. }, 15) => Named(|x| &x.rt_tables),
            (Attrs::Route { .. }, 20 | 26 | 27) => U8,
            (Attrs::Route { .. }, 21 | 28 | 29) => U16,
            (Attrs::ErrorAck, 1) => Str,
            (Attrs::ErrorAck, 2 | 5 | 6) => U32,
            _ => Opaque,
        }
    }
}

/// The messages of one netlink socket, printed as `opts` asks.
#[derive(Clone, Copy)]
pub(super) struct Netlink<'o> {
    /// The socket's protocol (`NETLINK_ROUTE`: 0), where the recording has it.
    pub protocol: Option<u16>,
    pub c: Consts,
    pub opts: &'o Options,
}

impl Netlink<'_> {
    /// The messages in `s`: `[{nlmsg_len=20, ...}, {ifa_family=AF_INET, ...}]`,
    /// several in brackets of their own.
    pub fn messages(self, out: &mut String, mut s: Span) {
        let mut in_array = false;
        for count in 0.. {
            if s.len < HEADER {
                self.hex(out, s);
                break;
            }
            let Some(header) = Header::read(s) else {
                out.push_str("...");
                break;
            };
            if self.opts.abbrev && count == self.opts.strsize {
                out.push_str("...");
                break;
            }
            let whole = align(header.len as usize);
            let next = (header.len as usize >= HEADER && s.len > whole).then(|| s.from(whole));
            if !in_array && next.is_some() {
                out.push('[');
                in_array = true;
            }
            self.message(out, &header, s.take(header.len as usize));
            let Some(rest) = next else { break };
            out.push_str(", ");
            s = rest;
        }
        if in_array {
            out.push(']');
        }
    }

    /// One message: its header, alone or with its payload in brackets.
    fn message(self, out: &mut String, header: &Header, s: Span) {
        let with_payload = s.len > HEADER;
        if with_payload {
            out.push('[');
        }
        self.header(out, header);
        if with_payload {
            out.push_str(", ");
            self.payload(out, header, s.from(HEADER));
            out.push(']');
        }
    }

    fn header(self, out: &mut String, h: &Header) {
        let _ = write!(out, "{{nlmsg_len={}, nlmsg_type=", h.len);
        let x = self.c.xlat;
        let types = match self.protocol {
            _ if h.kind < NLMSG_MIN_TYPE => Some(&x.nlmsg_types),
            // strace, not knowing the protocol, names the common types only.
            None => Some(&x.nlmsg_types),
            Some(NETLINK_ROUTE) => Some(&x.nl_route_types),
            Some(NETLINK_AUDIT) => Some(&x.nl_audit_types),
            Some(_) => None,
        };
        match types {
            Some(t) => self.c.table(out, t, u64::from(h.kind)),
            None => {
                let _ = write!(out, "{}", HexNumber(u64::from(h.kind)));
            }
        }
        out.push_str(", nlmsg_flags=");
        self.flags(out, h);
        let _ = write!(out, ", nlmsg_seq={}, nlmsg_pid={}}}", h.seq, h.pid);
    }

    /// The common flags, then those of the message's kind (a request to
    /// get, to make, to delete; an acknowledgement).
    fn flags(self, out: &mut String, h: &Header) {
        let x = self.c.xlat;
        let kind_flags = match (self.protocol, h.kind) {
            (_, NLMSG_ERROR) => Some(&x.netlink_ack_flags),
            (_, k) if k < NLMSG_MIN_TYPE => None,
            (Some(NETLINK_SOCK_DIAG), _) | (Some(NETLINK_ROUTE), RTM_DELACTION) => {
                Some(&x.netlink_get_flags)
            }
            (Some(NETLINK_ROUTE), k) => match k & 3 {
                0 => Some(&x.netlink_new_flags),
                1 => Some(&x.netlink_delete_flags),
                2 => Some(&x.netlink_get_flags),
                _ => None,
            },
            _ => None,
        };
        let value = u64::from(h.flags);
        let tables = [Some(&x.netlink_flags), kind_flags];
        self.c.styled(out, HexNumber(value), |out| {
            let mut rest = value;
            let mut named = false;
            for &(bit, name) in tables.iter().flatten().flat_map(|t| t.bits) {
                if bit != 0 && rest & bit == bit {
                    if named {
                        out.push('|');
                    }
                    out.push_str(name);
                    named = true;
                    rest &= !bit;
                }
            }
            match (named, rest) {
                (false, 0) => out.push('0'),
                (false, _) => {
                    let _ = write!(out, "{} /* NLM_F_??? */", HexNumber(value));
                }
                (true, 0) => {}
                (true, _) => {
                    let _ = write!(out, "|{rest:#x}");
                }
            }
        });
    }

    fn payload(self, out: &mut String, h: &Header, s: Span) {
        if h.kind == NLMSG_ERROR {
            return self.error(out, h, s);
        }
        if h.kind >= NLMSG_MIN_TYPE && self.protocol == Some(NETLINK_ROUTE) {
            return self.route(out, h.kind, s);
        }
        if h.kind == NLMSG_DONE && s.len == 4 {
            return match s.u32(0) {
                Some(v) => push_int(out, v as i32),
                None => out.push_str("..."),
            };
        }
        self.hex(out, s);
    }

    /// `{error=-ENODEV, msg=...}`: the error, and the message it answers
    /// (its header alone when the kernel capped it).
    fn error(self, out: &mut String, h: &Header, s: Span) {
        if s.len < 4 {
            return self.hex(out, s);
        }
        let Some(error) = s.u32(0) else {
            return out.push_str("...");
        };
        let error = error as i32;
        out.push_str("{error=");
        match crate::syscalls::errno(i64::from(error)) {
            Some((name, _)) => self.c.named(out, error, &format!("-{name}")),
            None => push_int(out, error),
        }
        let m = s.from(4);
        if m.len > 0 {
            out.push_str(", msg=");
            if m.len < HEADER {
                self.hex(out, m);
            } else if let Some(inner) = Header::read(m) {
                let shown = match h.flags & NLM_F_CAPPED {
                    0 => inner.len as usize,
                    _ => HEADER,
                }
                .min(m.len);
                self.message(out, &inner, m.take(shown));
                if m.len > shown {
                    out.push_str(", ");
                    self.attrs(out, m.from(shown), Attrs::ErrorAck);
                }
            } else {
                out.push_str("...");
            }
        }
        out.push('}');
    }

    /// An rtnetlink message: a link's, an address's or a route's struct and
    /// attributes; the family alone for the others.
    fn route(self, out: &mut String, kind: u16, s: Span) {
        let Some(family) = s.u8(0) else {
            return out.push_str("...");
        };
        match kind {
            16..=19 => self.link(out, family, s),
            20..=22 => self.addr(out, family, s),
            24..=26 => self.rtmsg(out, family, s),
            _ => {
                out.push_str("{family=");
                self.family(out, family);
                if s.len > 1 {
                    out.push_str(", ");
                    self.hex(out, s.from(1));
                }
                out.push('}');
            }
        }
    }

    fn family(self, out: &mut String, family: u8) {
        self.c
            .table(out, &self.c.xlat.sock_domain, u64::from(family));
    }

    /// The fields of a struct of `size` bytes after its family, printed by
    /// `fields` when the payload holds the struct and it was captured; then
    /// its attributes.
    fn with_struct(
        self,
        out: &mut String,
        s: Span,
        size: usize,
        attrs: Attrs,
        fields: impl FnOnce(&mut String),
    ) {
        out.push_str(", ");
        let captured = s.len >= size && s.data.len() >= size;
        if captured {
            fields(out);
        } else {
            out.push_str("...");
        }
        out.push('}');
        if captured && s.len > align(size) {
            out.push_str(", ");
            self.attrs(out, s.from(align(size)), attrs);
        }
    }

    /// `{ifi_family=AF_UNSPEC, ifi_type=ARPHRD_ETHER, ifi_index=2, ...}`.
    fn link(self, out: &mut String, family: u8, s: Span) {
        out.push_str("{ifi_family=");
        self.family(out, family);
        let c = self.c;
        self.with_struct(out, s, 16, Attrs::Link, |out| {
            out.push_str("ifi_type=");
            c.table(out, &c.xlat.arp_hardware_types, field(s.u16(2)));
            let _ = write!(out, ", ifi_index={}, ifi_flags=", field(s.u32(4)));
            c.table(out, &c.xlat.iff_flags, field(s.u32(8)));
            let _ = write!(out, ", ifi_change={}", HexNumber(field(s.u32(12))));
        });
    }

    /// `{ifa_family=AF_INET, ifa_prefixlen=8, ifa_flags=..., ...}`.
    fn addr(self, out: &mut String, family: u8, s: Span) {
        out.push_str("{ifa_family=");
        self.family(out, family);
        let c = self.c;
        self.with_struct(out, s, 8, Attrs::Addr { family }, |out| {
            let _ = write!(out, "ifa_prefixlen={}, ifa_flags=", field(s.u8(1)));
            c.table(out, &c.xlat.ifa_flags, field(s.u8(2)));
            out.push_str(", ifa_scope=");
            c.table(out, &c.xlat.rt_scopes, field(s.u8(3)));
            let _ = write!(out, ", ifa_index={}", field(s.u32(4)));
        });
    }

    /// `{rtm_family=AF_INET, rtm_dst_len=24, ..., rtm_flags=0}`.
    fn rtmsg(self, out: &mut String, family: u8, s: Span) {
        out.push_str("{rtm_family=");
        self.family(out, family);
        let c = self.c;
        self.with_struct(out, s, 12, Attrs::Route { family }, |out| {
            let byte = |at| field(s.u8(at));
            let _ = write!(
                out,
                "rtm_dst_len={}, rtm_src_len={}, rtm_tos=",
                byte(1),
                byte(2)
            );
            c.table(out, &c.xlat.ip_tos, byte(3));
            for (name, at, table) in [
                ("rtm_table", 4, &c.xlat.rt_tables),
                ("rtm_protocol", 5, &c.xlat.rt_protocols),
                ("rtm_scope", 6, &c.xlat.rt_scopes),
                ("rtm_type", 7, &c.xlat.rt_types),
            ] {
                let _ = write!(out, ", {name}=");
                c.table(out, table, byte(at));
            }
            out.push_str(", rtm_flags=");
            c.table(out, &c.xlat.rtm_flags, field(s.u32(8)));
        });
    }

    /// Attributes: `[{nla_len=8, nla_type=IFLA_MTU}, 1500]`, several in
    /// brackets of their own.
    fn attrs(self, out: &mut String, mut s: Span, attrs: Attrs) {
        let mut in_array = false;
        for count in 0.. {
            if s.len < ATTR_HEADER {
                self.hex(out, s);
                break;
            }
            let (Some(len), Some(kind)) = (s.u16(0), s.u16(2)) else {
                out.push_str("...");
                break;
            };
            if self.opts.abbrev && count == self.opts.strsize {
                out.push_str("...");
                break;
            }
            let len = usize::from(len);
            let whole = align(len);
            let next = (len >= ATTR_HEADER && s.len > whole).then(|| s.from(whole));
            if !in_array && next.is_some() {
                out.push('[');
                in_array = true;
            }
            self.attr(out, len, kind, s.take(len), attrs);
            let Some(rest) = next else { break };
            out.push_str(", ");
            s = rest;
        }
        if in_array {
            out.push(']');
        }
    }

    fn attr(self, out: &mut String, len: usize, kind: u16, s: Span, attrs: Attrs) {
        const NESTED: u16 = 0x8000;
        const NET_BYTEORDER: u16 = 0x4000;
        let with_value = s.len > ATTR_HEADER;
        if with_value {
            out.push('[');
        }
        let _ = write!(out, "{{nla_len={len}, nla_type=");
        if kind & NESTED != 0 {
            out.push_str("NLA_F_NESTED|");
        }
        if kind & NET_BYTEORDER != 0 {
            out.push_str("NLA_F_NET_BYTEORDER|");
        }
        let kind = kind & !(NESTED | NET_BYTEORDER);
        self.c.table(out, attrs.table(self.c), u64::from(kind));
        out.push('}');
        if with_value {
            out.push_str(", ");
            let value = s.from(ATTR_HEADER);
            if self
                .value(out, attrs.value(kind), attrs.family(), value)
                .is_none()
            {
                self.hex(out, value);
            }
            out.push(']');
        }
    }

    /// An attribute's value; none when it does not hold one of its kind
    /// (then it prints as hex).
    fn value(self, out: &mut String, kind: Value, family: u8, s: Span) -> Option<()> {
        let whole = |size: usize| (s.len >= size).then_some(());
        match kind {
            Value::U8 => {
                whole(1)?;
                push_int(out, s.u8(0)?);
            }
            Value::U16 => {
                whole(2)?;
                push_int(out, s.u16(0)?);
            }
            Value::U32 => {
                whole(4)?;
                push_int(out, s.u32(0)?);
            }
            Value::S32 => {
                whole(4)?;
                push_int(out, s.u32(0)? as i32);
            }
            Value::Flags(table) | Value::Named(table) => {
                whole(4)?;
                self.c.table(out, table(self.c.xlat), u64::from(s.u32(0)?));
            }
            Value::Str => {
                let ends = s.data.contains(&0);
                let cut = !ends && s.data.len() < s.len;
                strings::c_string(out, s.data, cut, self.opts.strsize, self.opts.hex);
            }
            Value::Hwaddr => {
                (s.data.len() == s.len).then_some(())?;
                let bytes: Vec<String> = s.data.iter().map(|b| format!("{b:02x}")).collect();
                out.push_str(&bytes.join(":"));
            }
            Value::Inet => match family {
                AF_INET => {
                    whole(4)?;
                    let a: [u8; 4] = s.bytes(0)?;
                    let ip = std::net::Ipv4Addr::from(a);
                    let _ = write!(out, "inet_addr(\"{ip}\")");
                }
                AF_INET6 => {
                    whole(16)?;
                    let ip = std::net::Ipv6Addr::from(s.bytes::<16>(0)?);
                    let _ = write!(out, "inet_pton(AF_INET6, \"{ip}\")");
                }
                _ => return None,
            },
            Value::CacheInfo => {
                whole(16)?;
                let _ = write!(
                    out,
                    "{{ifa_prefered={}, ifa_valid={}, cstamp={}, tstamp={}}}",
                    s.u32(0)?,
                    s.u32(4)?,
                    s.u32(8)?,
                    s.u32(12)?
                );
            }
            Value::Opaque => return None,
        }
        Some(())
    }

    /// Bytes as strace prints what it does not decode: every byte in hex.
    fn hex(self, out: &mut String, s: Span) {
        strings::buffer(
            out,
            s.data,
            s.len as u64,
            self.opts.strsize,
            strings::Hex::Always,
        );
    }
}

/// A field read from a struct the caller checked was captured whole.
fn field(value: Option<impl Into<u64>>) -> u64 {
    value.map_or(0, Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::xlat;

    fn shown(data: &[u8], len: usize) -> String {
        let opts = Options::default();
        let netlink = Netlink {
            protocol: Some(NETLINK_ROUTE),
            c: Consts::abbrev(&xlat::X86_64),
            opts: &opts,
        };
        let mut out = String::new();
        netlink.messages(&mut out, Span::new(data, len as u64));
        out
    }

    /// ip's address request: one message in a larger buffer of zeros.
    fn ip_request() -> Vec<u8> {
        let mut data = vec![0u8; 152];
        data[..8].copy_from_slice(&[24, 0, 0, 0, 22, 0, 1, 3]);
        data[8..12].copy_from_slice(&7u32.to_ne_bytes());
        data
    }

    #[test]
    fn messages_are_straces() {
        assert_eq!(
            shown(&ip_request(), 152),
            "[[{nlmsg_len=24, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, \
             nlmsg_seq=7, nlmsg_pid=0}, {ifa_family=AF_UNSPEC, ifa_prefixlen=0, ifa_flags=0, \
             ifa_scope=RT_SCOPE_UNIVERSE, ifa_index=0}], {nlmsg_len=0, nlmsg_type=0 /* NLMSG_??? */, \
             nlmsg_flags=0, nlmsg_seq=0, nlmsg_pid=0}]"
        );
    }

    #[test]
    fn what_the_snapshot_lacks_is_cut() {
        let data = ip_request();
        assert_eq!(
            shown(&data[..20], 152),
            "[[{nlmsg_len=24, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, \
             nlmsg_seq=7, nlmsg_pid=0}, {ifa_family=AF_UNSPEC, ...}], ...]"
        );
    }
}
