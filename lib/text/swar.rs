//! Byte scanning eight bytes at a time (SWAR), for the JSON and text writers: which
//! blocks hold a byte that needs escaping, and how long a plain prefix is.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// True when some byte of `x` is below 0x20, `"` or `\` (the bytes JSON escapes).
#[inline]
pub(crate) fn needs_json_escape(x: u64) -> bool {
    let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
    let q = x ^ (LO * u64::from(b'"'));
    let quote = q.wrapping_sub(LO) & !q & HI;
    let b = x ^ (LO * u64::from(b'\\'));
    let backslash = b.wrapping_sub(LO) & !b & HI;
    (below_space | quote | backslash) != 0
}

/// True when some byte of `x` is outside printable ASCII (0x20..=0x7E).
#[inline]
pub(crate) fn outside_printable_ascii(x: u64) -> bool {
    let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
    let above_tilde = (x.wrapping_add(LO) | x) & HI;
    (below_space | above_tilde) != 0
}

/// The length of the longest prefix of `s` whose bytes all pass `plain`, checked
/// eight bytes at a time with `block_has_special`.
#[inline]
pub(crate) fn plain_prefix(
    s: &[u8],
    block_has_special: impl Fn(u64) -> bool,
    plain: impl Fn(u8) -> bool,
) -> usize {
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut block = [0u8; 8];
        block.copy_from_slice(&s[i..i + 8]);
        if block_has_special(u64::from_le_bytes(block)) {
            break;
        }
        i += 8;
    }
    while i < s.len() && plain(s[i]) {
        i += 1;
    }
    i
}
