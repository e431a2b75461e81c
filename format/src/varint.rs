//! LEB128 varints and zigzag: the column encoding of a chunk. Small numbers, which
//! most syscall fields and timestamp deltas are, take one or two bytes.

/// Appends `value` as an unsigned LEB128 varint.
#[inline]
pub fn put_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends `value` zigzag-encoded, so small negative numbers stay short.
#[inline]
pub fn put_i64(out: &mut Vec<u8>, value: i64) {
    put_u64(out, ((value << 1) ^ (value >> 63)) as u64);
}

/// A read position in one column. Reads fail (return `None`) at the end of the
/// column or on an overlong varint; they never panic.
#[derive(Clone, Copy, Debug)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    #[inline(always)]
    pub fn u64(&mut self) -> Option<u64> {
        // Most values fit in one byte: keep that path tiny so it inlines.
        match self.bytes.first() {
            Some(&byte) if byte < 0x80 => {
                self.bytes = &self.bytes[1..];
                Some(u64::from(byte))
            }
            _ => self.u64_long(),
        }
    }

    #[inline(never)]
    fn u64_long(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for (i, &byte) in self.bytes.iter().enumerate().take(10) {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                self.bytes = &self.bytes[i + 1..];
                return Some(value);
            }
        }
        None
    }

    #[inline]
    pub fn i64(&mut self) -> Option<i64> {
        let raw = self.u64()?;
        Some(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        self.u64().and_then(|v| u32::try_from(v).ok())
    }

    #[inline]
    pub fn i32(&mut self) -> Option<i32> {
        self.i64().and_then(|v| i32::try_from(v).ok())
    }

    /// The next byte, left to read.
    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.bytes.first().copied()
    }

    #[inline]
    pub fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    #[inline]
    pub fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_extremes() {
        let mut out = Vec::new();
        let unsigned = [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX];
        let signed = [0, -1, 1, i64::MIN, i64::MAX, -300];
        unsigned.iter().for_each(|&v| put_u64(&mut out, v));
        signed.iter().for_each(|&v| put_i64(&mut out, v));
        let mut cursor = Cursor::new(&out);
        for &v in &unsigned {
            assert_eq!(cursor.u64(), Some(v));
        }
        for &v in &signed {
            assert_eq!(cursor.i64(), Some(v));
        }
        assert!(cursor.is_empty());
        assert_eq!(cursor.u64(), None);
    }

    #[test]
    fn rejects_overlong_and_cut_varints() {
        assert_eq!(Cursor::new(&[0x80; 11]).u64(), None);
        assert_eq!(Cursor::new(&[0x80, 0x80]).u64(), None);
    }
}
