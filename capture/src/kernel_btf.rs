//! Member offsets of a few kernel structs, read straight out of the kernel's
//! BTF (`/sys/kernel/btf/vmlinux`) in one pass over its type records.
//!
//! A full BTF model of vmlinux (every type and name, in hash maps) costs a
//! tenth of a second and tens of MiB; the recorder needs thirteen numbers.
//! So this reads the raw format: it walks the type section once, noting where
//! each type starts and which structs carry a wanted name, then looks up
//! members in those structs only, through anonymous structs and unions.
//! Everything read is bounds-checked: a malformed BTF is an error, never a
//! panic.

use anyhow::{Context as _, anyhow, bail};

const MAGIC: u16 = 0xeb9f;
const KIND_STRUCT: u32 = 4;
const KIND_UNION: u32 = 5;
const KIND_TYPEDEF: u32 = 8;
const KIND_VOLATILE: u32 = 9;
const KIND_CONST: u32 = 10;
const KIND_RESTRICT: u32 = 11;
const KIND_TYPE_TAG: u32 = 18;

/// A BTF blob, its types indexed by id.
pub struct KernelBtf<'a> {
    types: &'a [u8],
    strings: &'a [u8],
    /// Byte position of each type's record in `types`, by id (id 0 is void).
    starts: Vec<u32>,
    /// The ids of the structs, where lookups by name start.
    structs: Vec<u32>,
}

/// One type record's header.
#[derive(Clone, Copy)]
struct TypeHeader {
    name_off: u32,
    kind: u32,
    vlen: u32,
    kind_flag: bool,
    /// Size, or the referenced type's id.
    size_or_type: u32,
}

impl<'a> KernelBtf<'a> {
    /// Indexes the type records of `data`, a BTF blob in this machine's byte order.
    pub fn parse(data: &'a [u8]) -> anyhow::Result<Self> {
        let u32_at = |at: usize| read_u32(data, at).context("BTF header cut short");
        let magic = data
            .get(..2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            .context("BTF header cut short")?;
        if magic != MAGIC {
            bail!("not BTF in this byte order (magic {magic:#x})");
        }
        let header_len = u32_at(4)? as usize;
        let (type_off, type_len) = (u32_at(8)? as usize, u32_at(12)? as usize);
        let (str_off, str_len) = (u32_at(16)? as usize, u32_at(20)? as usize);
        let section = |off: usize, len: usize| {
            let start = header_len.checked_add(off)?;
            data.get(start..start.checked_add(len)?)
        };
        let types = section(type_off, type_len).context("BTF type section out of bounds")?;
        let strings = section(str_off, str_len).context("BTF string section out of bounds")?;
        // The walk reads only each record's info word: it visits every type
        // of the kernel (about 150K), and is most of what reading offsets costs.
        let mut starts = Vec::with_capacity(types.len() / 16);
        starts.push(0);
        let mut structs = Vec::new();
        let mut at = 0;
        while at < types.len() {
            let info = read_u32(types, at + 4).context("BTF type record out of bounds")?;
            let (kind, vlen) = ((info >> 24) & 0x1f, info & 0xffff);
            if kind == KIND_STRUCT {
                structs.push(starts.len() as u32);
            }
            starts.push(at as u32);
            at += 12 + trailer_len(kind, vlen)?;
        }
        Ok(Self {
            types,
            strings,
            starts,
            structs,
        })
    }

    /// The byte offset of `member` in `struct strukt`, looking inside
    /// anonymous structs and unions (where newer kernels keep many fields).
    pub fn member_offset(&self, strukt: &str, member: &str) -> anyhow::Result<u32> {
        self.structs
            .iter()
            .copied()
            .filter(|&id| {
                self.header(id)
                    .is_ok_and(|h| self.is_named(h.name_off, strukt.as_bytes()))
            })
            .find_map(|id| self.find_member(id, member.as_bytes(), 0).transpose())
            .transpose()?
            .ok_or_else(|| anyhow!("BTF: struct {strukt} has no member {member}"))
    }

    /// Looks for `name` among the members of struct or union `id`, at `depth`
    /// levels of anonymous nesting.
    fn find_member(&self, id: u32, name: &[u8], depth: u32) -> anyhow::Result<Option<u32>> {
        if depth > 8 {
            return Ok(None);
        }
        let header = self.header(id)?;
        let at = self.starts[id as usize] as usize + 12;
        for i in 0..header.vlen as usize {
            let member = at + i * 12;
            let name_off = read_u32(self.types, member).context("BTF member out of bounds")?;
            let ty = read_u32(self.types, member + 4).context("BTF member out of bounds")?;
            let offset = read_u32(self.types, member + 8).context("BTF member out of bounds")?;
            // With kind_flag, the low 24 bits are the offset, the rest a bitfield size.
            let bits = if header.kind_flag {
                offset & 0x00ff_ffff
            } else {
                offset
            };
            let own = self.name(name_off).unwrap_or_default();
            if own == name {
                return Ok(Some(bits / 8));
            }
            if own.is_empty() {
                let inner = self.resolve(ty)?;
                let kind = self.header(inner)?.kind;
                if (kind == KIND_STRUCT || kind == KIND_UNION)
                    && let Some(found) = self.find_member(inner, name, depth + 1)?
                {
                    return Ok(Some(bits / 8 + found));
                }
            }
        }
        Ok(None)
    }

    /// Follows typedefs and qualifiers to the type they name.
    fn resolve(&self, mut id: u32) -> anyhow::Result<u32> {
        for _ in 0..32 {
            let header = self.header(id)?;
            match header.kind {
                KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_TYPE_TAG => {
                    id = header.size_or_type;
                }
                _ => return Ok(id),
            }
        }
        bail!("BTF: type {id} refers to itself")
    }

    fn header(&self, id: u32) -> anyhow::Result<TypeHeader> {
        let at = *self
            .starts
            .get(id as usize)
            .filter(|_| id != 0)
            .with_context(|| format!("BTF: no type {id}"))?;
        header_at(self.types, at as usize)
    }

    /// Whether the string at `off` in the string section is `name` (without
    /// scanning the string for its end first: most names differ at once).
    fn is_named(&self, off: u32, name: &[u8]) -> bool {
        let at = off as usize;
        self.strings.get(at..at + name.len()) == Some(name)
            && self.strings.get(at + name.len()) == Some(&0)
    }

    /// The NUL-terminated string at `off` in the string section.
    fn name(&self, off: u32) -> Option<&[u8]> {
        let rest = self.strings.get(off as usize..)?;
        Some(&rest[..rest.iter().position(|&b| b == 0)?])
    }
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn header_at(types: &[u8], at: usize) -> anyhow::Result<TypeHeader> {
    let field = |n: usize| read_u32(types, at + 4 * n).context("BTF type record out of bounds");
    let info = field(1)?;
    Ok(TypeHeader {
        name_off: field(0)?,
        kind: (info >> 24) & 0x1f,
        vlen: info & 0xffff,
        kind_flag: info >> 31 != 0,
        size_or_type: field(2)?,
    })
}

/// Bytes that follow a type record's 12-byte header, by kind.
fn trailer_len(kind: u32, vlen: u32) -> anyhow::Result<usize> {
    let vlen = vlen as usize;
    Ok(match kind {
        // int, var, decl_tag: one u32.
        1 | 14 | 17 => 4,
        // ptr, fwd, typedef, volatile, const, restrict, func, float, type_tag.
        2 | 7..=12 | 16 | 18 => 0,
        // array: element type, index type, count.
        3 => 12,
        // struct, union (members), datasec (vars), enum64 (values).
        4 | 5 | 15 | 19 => 12 * vlen,
        // enum (values), func_proto (params).
        6 | 13 => 8 * vlen,
        kind => bail!("BTF: unknown type kind {kind}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same offsets as btf-rs, a full BTF parser, finds in this
    /// machine's kernel.
    #[test]
    fn offsets_agree_with_a_full_parser() {
        let Ok(bytes) = std::fs::read("/sys/kernel/btf/vmlinux") else {
            eprintln!("skipping: no /sys/kernel/btf/vmlinux here");
            return;
        };
        let ours = KernelBtf::parse(&bytes).unwrap();
        let full = btf_rs::Btf::from_bytes(&bytes).unwrap();
        for (strukt, member) in [
            ("task_struct", "pid"),
            ("task_struct", "tgid"),
            ("task_struct", "exit_code"),
            ("task_struct", "mm"),
            ("task_struct", "files"),
            ("mm_struct", "arg_start"),
            ("mm_struct", "arg_end"),
            ("linux_binprm", "filename"),
            ("files_struct", "fdt"),
            ("fdtable", "max_fds"),
            ("fdtable", "fd"),
            ("file", "f_inode"),
            ("inode", "i_ino"),
            // What -yy names sockets by.
            ("file", "private_data"),
            ("socket", "sk"),
            ("sock_common", "skc_family"),
            ("sock_common", "skc_num"),
            ("sock_common", "skc_dport"),
            ("sock_common", "skc_rcv_saddr"),
            ("sock_common", "skc_daddr"),
            ("sock_common", "skc_v6_rcv_saddr"),
            ("sock_common", "skc_v6_daddr"),
            ("sock", "sk_type"),
            ("sock", "sk_protocol"),
            ("sock", "sk_socket"),
            ("sock", "sk_ino"),
            ("socket_alloc", "vfs_inode"),
            ("unix_sock", "peer"),
            ("unix_sock", "addr"),
            ("unix_address", "len"),
            ("unix_address", "name"),
            ("netlink_sock", "portid"),
        ] {
            let expected = full
                .resolve_types_by_name(strukt)
                .unwrap()
                .iter()
                .find_map(|ty| match ty {
                    btf_rs::Type::Struct(s) => find_full(&full, &s.members, member),
                    _ => None,
                })
                .unwrap();
            assert_eq!(
                ours.member_offset(strukt, member).unwrap(),
                expected,
                "{strukt}.{member}"
            );
        }
        assert!(ours.member_offset("task_struct", "no_such_member").is_err());
    }

    fn find_full(btf: &btf_rs::Btf, members: &[btf_rs::Member], name: &str) -> Option<u32> {
        members.iter().find_map(|m| {
            let own = btf.resolve_name(m).ok()?;
            if own == name {
                return Some(m.bit_offset() / 8);
            }
            if !own.is_empty() {
                return None;
            }
            let inner = match btf.resolve_chained_type(m).ok()? {
                btf_rs::Type::Struct(s) | btf_rs::Type::Union(s) => {
                    find_full(btf, &s.members, name)?
                }
                _ => return None,
            };
            Some(m.bit_offset() / 8 + inner)
        })
    }

    #[test]
    fn malformed_btf_is_an_error() {
        assert!(KernelBtf::parse(&[]).is_err());
        assert!(KernelBtf::parse(&[0x9f, 0xeb, 1, 0, 24, 0, 0, 0]).is_err());
        let mut header = vec![0x9f, 0xeb, 1, 0, 24, 0, 0, 0];
        // A type section that claims more bytes than there are.
        for field in [0u32, 100, 0, 0] {
            header.extend(field.to_ne_bytes());
        }
        assert!(KernelBtf::parse(&header).is_err());
    }
}
