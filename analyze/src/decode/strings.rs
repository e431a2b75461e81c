//! Strings and buffers, quoted the way strace quotes them.

/// Which bytes are printed as `\xNN` (strace's `-x`, `-xx`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hex {
    /// Octal escapes for what is not printable.
    #[default]
    Never,
    /// `-x`: the whole string in hex if any byte is not printable.
    NonPrintable,
    /// `-xx` (and getrandom's buffer): every byte in hex.
    Always,
}

/// Appends `bytes` as a C string literal with strace's escapes. With
/// `nul_terminated`, stops at the first NUL.
pub fn quote(out: &mut String, bytes: &[u8], nul_terminated: bool, hex: Hex) {
    let bytes = match nul_terminated {
        true => &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())],
        false => bytes,
    };
    let printable = |c: u8| (b' '..=b'~').contains(&c) || b"\t\n\x0b\x0c\r".contains(&c);
    let hex = match hex {
        Hex::Always => true,
        Hex::NonPrintable => !bytes.iter().all(|&c| printable(c)),
        Hex::Never => false,
    };
    out.push('"');
    for (i, &c) in bytes.iter().enumerate() {
        if nul_terminated && c == 0 {
            break;
        }
        if hex {
            out.push_str(&format!("\\x{c:02x}"));
            continue;
        }
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\x0c' => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\x0b' => out.push_str("\\v"),
            b' '..=b'~' => out.push(c as char),
            _ => {
                // Octal, as short as it can be unless an octal digit follows.
                out.push('\\');
                let next_is_octal = bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_octal || c >> 6 != 0 {
                    out.push((b'0' + (c >> 6)) as char);
                }
                if next_is_octal || c >> 3 != 0 {
                    out.push((b'0' + ((c >> 3) & 7)) as char);
                }
                out.push((b'0' + (c & 7)) as char);
            }
        }
    }
    out.push('"');
}

/// A buffer of `len` bytes of which `data` were captured, printed like strace
/// prints I/O buffers: at most `limit` bytes, `...` after the quote if cut.
pub fn buffer(out: &mut String, data: &[u8], len: u64, limit: usize, hex: Hex) {
    let shown = data.len().min(limit);
    quote(out, &data[..shown], false, hex);
    if len > shown as u64 {
        out.push_str("...");
    }
}

/// A NUL-terminated string of which `data` was captured (`cut` when the capture
/// stopped before its end), printed at most `limit` bytes long.
pub fn c_string(out: &mut String, data: &[u8], cut: bool, limit: usize, hex: Hex) {
    let shown = data.len().min(limit);
    quote(out, &data[..shown], true, hex);
    if cut || data.len() > limit {
        out.push_str("...");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(bytes: &[u8]) -> String {
        let mut s = String::new();
        quote(&mut s, bytes, false, Hex::Never);
        s
    }

    #[test]
    fn hex_modes() {
        let mut s = String::new();
        quote(&mut s, b"ab\x01", false, Hex::NonPrintable);
        assert_eq!(s, r#""\x61\x62\x01""#);
        let mut s = String::new();
        quote(&mut s, b"ab\n", false, Hex::NonPrintable);
        assert_eq!(s, r#""ab\n""#);
        let mut s = String::new();
        quote(&mut s, b"a", false, Hex::Always);
        assert_eq!(s, r#""\x61""#);
    }

    #[test]
    fn escapes_like_strace() {
        assert_eq!(q(b"hi\n"), r#""hi\n""#);
        assert_eq!(q(b"\x7fELF\x02\x01"), r#""\177ELF\2\1""#);
        assert_eq!(q(b"\x00\x00"), r#""\0\0""#);
        assert_eq!(q(b"\x00\x31"), r#""\0001""#);
        assert_eq!(q(b"\x10t"), r#""\20t""#);
        assert_eq!(q(b"a\"b\\"), r#""a\"b\\""#);
        assert_eq!(q(&[0xc3, 0xa9]), r#""\303\251""#);
    }

    #[test]
    fn cuts_at_the_limit() {
        let mut s = String::new();
        buffer(&mut s, b"abcdef", 6, 4, Hex::Never);
        assert_eq!(s, r#""abcd"..."#);
        let mut s = String::new();
        buffer(&mut s, b"ab", 2, 4, Hex::Never);
        assert_eq!(s, r#""ab""#);
    }
}
