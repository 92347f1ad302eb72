//! Byte scanning eight bytes at a time (SWAR), for the JSON and text writers: which
//! blocks hold a byte that needs escaping, how long a plain prefix is, how many times
//! a byte occurs.

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

/// How many bytes of `s` are `b`, eight at a time (the size-optimised build counts a
/// byte at a time otherwise).
pub(crate) fn count_byte(s: &[u8], b: u8) -> usize {
    let mut chunks = s.chunks_exact(8);
    let mut n = 0;
    for c in chunks.by_ref() {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
            ^ (LO * u64::from(b));
        // A byte of x is zero exactly where s had b; this marks each such byte's top
        // bit without borrows crossing bytes.
        let zero = !(((x & !HI) + !HI) | x) & HI;
        n += zero.count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&c| c == b).count()
}

/// The position of the `n`-th `b` of `s` counted from its end (`n` ≥ 1), if `s`
/// has that many: whole 8-byte blocks are counted at once, the block that holds it
/// is searched byte by byte.
pub(crate) fn nth_last_byte(s: &[u8], b: u8, n: usize) -> Option<usize> {
    let mut left = n;
    let mut end = s.len();
    while end >= 8 {
        let c = &s[end - 8..end];
        let here = count_byte(c, b);
        if here >= left {
            break;
        }
        left -= here;
        end -= 8;
    }
    s[..end].iter().rposition(|&c| {
        if c == b {
            left -= 1;
        }
        c == b && left == 0
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_last_byte_finds_the_nth_from_the_end() {
        let text: Vec<u8> = (0..200u32)
            .map(|i| if i % 5 == 0 { b'\n' } else { b'x' })
            .collect();
        for end in [0, 1, 7, 8, 9, 63, 64, 199, 200] {
            let s = &text[..end];
            let at: Vec<usize> = (0..s.len()).rev().filter(|&i| s[i] == b'\n').collect();
            for n in 1..50 {
                assert_eq!(
                    nth_last_byte(s, b'\n', n),
                    at.get(n - 1).copied(),
                    "{end} {n}"
                );
            }
        }
    }

    #[test]
    fn count_byte_counts_every_occurrence_at_every_alignment() {
        let text: Vec<u8> = (0..300u32)
            .map(|i| {
                if i % 7 == 0 || i % 11 == 3 {
                    b'\n'
                } else {
                    (i % 251) as u8
                }
            })
            .collect();
        for start in 0..9 {
            for end in [start, start + 1, 150, 299, 300] {
                let s = &text[start..end.max(start)];
                for b in [b'\n', 0u8, 0x80, 0xff, b'a'] {
                    assert_eq!(
                        count_byte(s, b),
                        s.iter().filter(|&&c| c == b).count(),
                        "{start}..{end} {b}"
                    );
                }
            }
        }
    }
}
