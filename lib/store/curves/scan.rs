//! The byte-level scanning of stream lines: fixed texts compared as words, runs of
//! digits and the end of a line found eight bytes at a time, and the checks that a
//! token is a JSON number the general parser reads the same way.

use super::{Ts, Val};

/// A fixed text of 8 to 16 bytes, as its first and last eight bytes, compared as two
/// words: musl's `memcmp`, which a slice comparison calls, goes byte by byte, and
/// these comparisons run several times on each of millions of lines.
pub(super) struct Pat {
    len: usize,
    first: u64,
    last: u64,
}

pub(super) const fn pat(p: &[u8]) -> Pat {
    const fn word(p: &[u8], at: usize) -> u64 {
        let mut w = 0u64;
        let mut k = 0;
        while k < 8 {
            w |= (p[at + k] as u64) << (8 * k);
            k += 1;
        }
        w
    }
    Pat {
        len: p.len(),
        first: word(p, 0),
        last: word(p, p.len() - 8),
    }
}

#[inline(always)]
pub(super) fn load8(b: &[u8], j: usize) -> Option<u64> {
    let w: [u8; 8] = b.get(j..j + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// The end of the run of ASCII digits starting at `j`, eight bytes at a time.
#[inline(always)]
pub(super) fn digits_end(b: &[u8], mut j: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    while let Some(w) = load8(b, j) {
        // Per byte: x = byte ^ '0' is below 10 exactly for a digit; the high bit of
        // (x & 0x7f) + 0x76, or of x itself, marks the others (no carry between bytes).
        let x = w ^ (LO * 0x30);
        let other = (((x & (LO * 0x7f)) + LO * 0x76) | x) & (LO * 0x80);
        if other != 0 {
            return j + (other.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while b.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    j
}

/// True when `b[j..]` starts with `p`.
#[inline(always)]
pub(super) fn at_pat(b: &[u8], j: usize, p: &Pat) -> bool {
    load8(b, j) == Some(p.first) && load8(b, j + p.len - 8) == Some(p.last)
}

const STEP: Pat = pat(b"{\"step\": ");
const VALUE: Pat = pat(b", \"value\": ");
const TS: Pat = pat(b", \"ts\": ");
const INFINITY: Pat = pat(b"Infinity");
const NEG_INFINITY: Pat = pat(b"-Infinity");

/// The start of a line in the common shape, `{"step": INT, "value": `: the step (an
/// int of at most 18 digits without a leading zero, as JSON writes it) and where the
/// value starts.
#[inline(always)]
pub(super) fn step_prefix(b: &[u8], i: usize) -> Option<(i64, usize)> {
    if !at_pat(b, i, &STEP) {
        return None;
    }
    let mut j = i + STEP.len;
    let neg = b.get(j) == Some(&b'-');
    if neg {
        j += 1;
    }
    let ds = j;
    j = digits_end(b, j);
    if j == ds || j - ds > 18 || (b[ds] == b'0' && j - ds > 1) {
        return None;
    }
    let mut step: i64 = 0;
    for &c in &b[ds..j] {
        step = step * 10 + i64::from(c - b'0');
    }
    if !at_pat(b, j, &VALUE) {
        return None;
    }
    Some((if neg { -step } else { step }, j + VALUE.len))
}

/// The fast path: a line `{"step": INT, "value": NUMBER, "ts": NUMBER}` (then only
/// blanks) starting at `i`. Returns the step, ts span, value span and the start of
/// the next line; None for any other line (the general parser takes it).
#[inline]
pub(in crate::store) fn fast_line(b: &[u8], i: usize) -> Option<(i64, Ts, Val, usize)> {
    let (step, mut j) = step_prefix(b, i)?;
    let vs = j;
    j = value_token(b, j)?;
    let ve = j;
    if !at_pat(b, j, &TS) {
        return None;
    }
    j += TS.len;
    let ts_start = j;
    let (end, exp) = number(b, j)?;
    // Without an exponent and this short, a ts parses to a finite float as both
    // paths read it; anything else goes to the general parser.
    // (An all-digit ts of 19 digits or more is a big int to the general parser.)
    let digits_only = b[ts_start..end].iter().all(u8::is_ascii_digit);
    if exp.is_some() || end - ts_start > 40 || (digits_only && end - ts_start >= 19) {
        return None;
    }
    j = end;
    if b.get(j) != Some(&b'}') {
        return None;
    }
    j += 1;
    while let Some(b' ' | b'\t' | b'\r') = b.get(j) {
        j += 1;
    }
    match b.get(j) {
        None => {}
        Some(b'\n') => j += 1,
        Some(_) => return None,
    }
    Some((
        step,
        Ts::Span(ts_start as u32, end as u32),
        Val::Span(vs as u32, ve as u32),
        j,
    ))
}

/// The end of a value token the fast path takes: a JSON number that serde_json reads
/// to a finite float or an int (length plus exponent below 300, so it never
/// overflows), or
/// Python's `NaN`, `Infinity`, `-Infinity`.
#[inline]
pub(super) fn value_token(b: &[u8], j: usize) -> Option<usize> {
    match b.get(j) {
        Some(b'N') if b.get(j + 1) == Some(&b'a') && b.get(j + 2) == Some(&b'N') => {
            return Some(j + 3)
        }
        Some(b'I') if at_pat(b, j, &INFINITY) => return Some(j + INFINITY.len),
        Some(b'-') if at_pat(b, j, &NEG_INFINITY) => return Some(j + NEG_INFINITY.len),
        _ => {}
    }
    let (end, exp) = number(b, j)?;
    if (end - j) as u64 + u64::from(exp.unwrap_or(0)) >= 300 {
        return None;
    }
    Some(end)
}

/// A JSON number at `j`: its end and, if it has an exponent, the exponent's
/// magnitude (saturated). None when the text there is not a JSON number.
#[inline]
pub(super) fn number(b: &[u8], mut j: usize) -> Option<(usize, Option<u32>)> {
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let int_start = j;
    j = digits_end(b, j);
    if j == int_start || (b[int_start] == b'0' && j - int_start > 1) {
        return None;
    }
    if b.get(j) == Some(&b'.') {
        j += 1;
        let fs = j;
        j = digits_end(b, j);
        if j == fs {
            return None;
        }
    }
    let mut exp = None;
    if let Some(b'e' | b'E') = b.get(j) {
        j += 1;
        if let Some(b'+' | b'-') = b.get(j) {
            j += 1;
        }
        let es = j;
        let mut e: u32 = 0;
        while let Some(&c @ b'0'..=b'9') = b.get(j) {
            e = e.saturating_mul(10).saturating_add(u32::from(c - b'0'));
            j += 1;
        }
        if j == es {
            return None;
        }
        exp = Some(e);
    }
    Some((j, exp))
}

/// The index of the first `\n` at or after `j`, or the length: eight bytes at a
/// time (the classic zero-byte test; its false positives lie above a true hit).
#[inline(always)]
pub(in crate::store) fn line_end(b: &[u8], mut j: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    while let Some(w) = load8(b, j) {
        let x = w ^ (LO * u64::from(b'\n'));
        let hit = x.wrapping_sub(LO) & !x & (LO * 0x80);
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    b[j.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| j + n)
}
