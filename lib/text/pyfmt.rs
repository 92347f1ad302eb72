//! Python-compatible text for floats and strings.
//!
//! HyperHerd is Python, so its names, manifests and messages contain Python's own
//! renderings of values: `repr(float)`, `'%g' % x`, `json.dumps` strings and
//! floats, `repr(str)` and `shlex.quote`. The functions here reproduce those
//! byte for byte (spec section 0, CPython 3.11).

use std::fmt::Write as _;

/// Python `repr(float)` (also `str(float)`): the shortest digit string that
/// round-trips, positional for decimal exponents in `-4..16` (always with a
/// fractional part, `1.0`), otherwise scientific (`1e-05`, `1.5e+16`);
/// `nan`, `inf`, `-inf`, `-0.0`.
pub(crate) fn repr_f64(x: f64) -> String {
    if let Some(s) = non_finite(x, "nan", "inf", "-inf") {
        return s.to_owned();
    }
    let (digits, exp) = shortest_digits(x.abs());
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        push_positional(&mut out, &digits, exp);
        if digits.len() as i32 <= exp + 1 {
            out.push_str(".0");
        }
    } else {
        push_scientific(&mut out, &digits, exp);
    }
    out
}

/// Python `'%.{precision}g' % x`: the exact binary value rounded to `precision`
/// significant digits (ties to even), positional if the decimal exponent is in
/// `-4..precision`, else scientific; trailing zeros and a bare point removed.
/// A precision of 0 is treated as 1, as Python does.
pub(crate) fn fmt_g(x: f64, precision: usize) -> String {
    if let Some(s) = non_finite(x, "nan", "inf", "-inf") {
        return s.to_owned();
    }
    let p = precision.max(1);
    // With a precision, `{:e}` rounds the exact binary value correctly (ties to
    // even), and carries into the exponent (9.9995 -> 1.000e1).
    let (mut digits, exp) = sci_parts(&format!("{:.*e}", p - 1, x.abs()));
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if exp >= -4 && i64::from(exp) < p as i64 {
        push_positional(&mut out, &digits, exp);
    } else {
        push_scientific(&mut out, &digits, exp);
    }
    out
}

/// Python `json.dumps` of a float: `repr` digits, with `NaN`, `Infinity` and
/// `-Infinity` for the non-finite values (what Python emits, though not JSON).
pub(crate) fn json_f64(x: f64) -> String {
    match non_finite(x, "NaN", "Infinity", "-Infinity") {
        Some(s) => s.to_owned(),
        None => repr_f64(x),
    }
}

/// Appends Python `json.dumps(s)` (with the default `ensure_ascii=True`) to
/// `out`, quotes included: `"` and `\` backslash-escaped, `\n \r \t \b \f` as
/// short escapes, every other char outside 0x20..=0x7E as `\u00xx` (lowercase
/// hex), astral chars as a surrogate pair (`\ud83d\ude00`).
pub(crate) fn json_str(out: &mut String, s: &str) {
    use crate::text::swar::{needs_json_escape, outside_printable_ascii, plain_prefix};
    out.reserve(s.len() + 2);
    out.push('"');
    let mut rest = s;
    loop {
        // Runs of printable ASCII without quotes or backslashes, eight bytes at a time.
        let n = plain_prefix(
            rest.as_bytes(),
            |x| outside_printable_ascii(x) || needs_json_escape(x),
            |b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\',
        );
        // The run is ASCII, so `n` is a char boundary.
        out.push_str(&rest[..n]);
        let Some(c) = rest[n..].chars().next() else {
            break;
        };
        rest = &rest[n + c.len_utf8()..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python `repr(str)`: single quotes unless the text contains `'` and no `"`;
/// `\\`, the chosen quote, `\t \n \r` escaped; other ASCII controls and DEL as
/// `\xNN`; non-ASCII kept when printable for Python 3.11 (Unicode 14.0),
/// otherwise `\xNN`, `\uNNNN` or `\UNNNNNNNN` (lowercase hex).
pub(crate) fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let code = u32::from(c);
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if c == '\t' {
            out.push_str("\\t");
        } else if c == '\n' {
            out.push_str("\\n");
        } else if c == '\r' {
            out.push_str("\\r");
        } else if code < 0x20 || code == 0x7f {
            let _ = write!(out, "\\x{code:02x}");
        } else if code < 0x7f || is_printable(code) {
            out.push(c);
        } else if code <= 0xff {
            let _ = write!(out, "\\x{code:02x}");
        } else if code <= 0xffff {
            let _ = write!(out, "\\u{code:04x}");
        } else {
            let _ = write!(out, "\\U{code:08x}");
        }
    }
    out.push(quote);
    out
}

/// Python `shlex.quote`: `''` for the empty string; unchanged if every char is
/// an ASCII letter, digit or one of `_@%+=:,./-`; otherwise wrapped in single
/// quotes with each `'` written as `'"'"'`.
pub(crate) fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b);
    if s.bytes().all(safe) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// The text for NaN / +inf / -inf, or `None` for a finite `x`.
fn non_finite(
    x: f64,
    nan: &'static str,
    inf: &'static str,
    neg_inf: &'static str,
) -> Option<&'static str> {
    if x.is_nan() {
        Some(nan)
    } else if x.is_infinite() {
        Some(if x > 0.0 { inf } else { neg_inf })
    } else {
        None
    }
}

/// The shortest significant digits that round-trip to `x` (positive, finite)
/// and their decimal exponent, chosen as Python's dtoa mode 0 does.
fn shortest_digits(x: f64) -> (String, i32) {
    // Rust's `{:e}` finds the shortest length and a round-tripping digit string
    // of that length. When two such strings are equally close to the exact
    // binary value (1902082627979291.25 -> ...291.2 or ...291.3) Rust rounds up
    // but Python takes the even digit. The correctly rounded string of the same
    // length (exact value, ties to even) is Python's choice whenever it
    // round-trips; when it does not (near a power of two, where the rounding
    // interval is lopsided) Rust's candidate is the only one.
    let (digits, exp) = sci_parts(&format!("{x:e}"));
    let rounded = format!("{:.*e}", digits.len() - 1, x);
    if rounded.parse::<f64>() == Ok(x) {
        return sci_parts(&rounded);
    }
    (digits, exp)
}

/// Splits Rust's `{:e}` output of a non-negative finite number (`1.25e-7`,
/// `0e0`) into its significant digits (`125`) and decimal exponent (`-7`).
fn sci_parts(s: &str) -> (String, i32) {
    let (mantissa, exponent) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (negative, magnitude) = match exponent.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, exponent),
    };
    let value = magnitude
        .bytes()
        .fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'));
    (digits, if negative { -value } else { value })
}

/// Writes `d.ddd × 10^exp` positionally (`0.00125`, `1250`, `12.5`), without
/// adding a fractional part the digits do not have.
fn push_positional(out: &mut String, digits: &str, exp: i32) {
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
        return;
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        out.push_str(digits);
        for _ in digits.len()..int_len {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    }
}

/// Writes `d.ddd × 10^exp` as Python does: `1e-05`, `1.5e+16`, `1e+100`.
fn push_scientific(out: &mut String, digits: &str, exp: i32) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exp.unsigned_abs());
}

/// Python 3.11 `str.isprintable` for one non-ASCII code point.
fn is_printable(code: u32) -> bool {
    let i = NON_PRINTABLE.partition_point(|&(_, last)| last < code);
    NON_PRINTABLE.get(i).is_none_or(|&(first, _)| first > code)
}

#[rustfmt::skip]
/// Inclusive ranges of code points that Python 3.11 (Unicode 14.0.0) does not
/// consider printable: categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except the
/// ASCII space. Generated from `chr(c).isprintable()` over all code points.
const NON_PRINTABLE: [(u32, u32); 701] = [
    (0x0, 0x1f), (0x7f, 0xa0), (0xad, 0xad), (0x378, 0x379), (0x380, 0x383), (0x38b, 0x38b),
    (0x38d, 0x38d), (0x3a2, 0x3a2), (0x530, 0x530), (0x557, 0x558), (0x58b, 0x58c),
    (0x590, 0x590), (0x5c8, 0x5cf), (0x5eb, 0x5ee), (0x5f5, 0x605), (0x61c, 0x61c),
    (0x6dd, 0x6dd), (0x70e, 0x70f), (0x74b, 0x74c), (0x7b2, 0x7bf), (0x7fb, 0x7fc),
    (0x82e, 0x82f), (0x83f, 0x83f), (0x85c, 0x85d), (0x85f, 0x85f), (0x86b, 0x86f),
    (0x88f, 0x897), (0x8e2, 0x8e2), (0x984, 0x984), (0x98d, 0x98e), (0x991, 0x992),
    (0x9a9, 0x9a9), (0x9b1, 0x9b1), (0x9b3, 0x9b5), (0x9ba, 0x9bb), (0x9c5, 0x9c6),
    (0x9c9, 0x9ca), (0x9cf, 0x9d6), (0x9d8, 0x9db), (0x9de, 0x9de), (0x9e4, 0x9e5),
    (0x9ff, 0xa00), (0xa04, 0xa04), (0xa0b, 0xa0e), (0xa11, 0xa12), (0xa29, 0xa29),
    (0xa31, 0xa31), (0xa34, 0xa34), (0xa37, 0xa37), (0xa3a, 0xa3b), (0xa3d, 0xa3d),
    (0xa43, 0xa46), (0xa49, 0xa4a), (0xa4e, 0xa50), (0xa52, 0xa58), (0xa5d, 0xa5d),
    (0xa5f, 0xa65), (0xa77, 0xa80), (0xa84, 0xa84), (0xa8e, 0xa8e), (0xa92, 0xa92),
    (0xaa9, 0xaa9), (0xab1, 0xab1), (0xab4, 0xab4), (0xaba, 0xabb), (0xac6, 0xac6),
    (0xaca, 0xaca), (0xace, 0xacf), (0xad1, 0xadf), (0xae4, 0xae5), (0xaf2, 0xaf8),
    (0xb00, 0xb00), (0xb04, 0xb04), (0xb0d, 0xb0e), (0xb11, 0xb12), (0xb29, 0xb29),
    (0xb31, 0xb31), (0xb34, 0xb34), (0xb3a, 0xb3b), (0xb45, 0xb46), (0xb49, 0xb4a),
    (0xb4e, 0xb54), (0xb58, 0xb5b), (0xb5e, 0xb5e), (0xb64, 0xb65), (0xb78, 0xb81),
    (0xb84, 0xb84), (0xb8b, 0xb8d), (0xb91, 0xb91), (0xb96, 0xb98), (0xb9b, 0xb9b),
    (0xb9d, 0xb9d), (0xba0, 0xba2), (0xba5, 0xba7), (0xbab, 0xbad), (0xbba, 0xbbd),
    (0xbc3, 0xbc5), (0xbc9, 0xbc9), (0xbce, 0xbcf), (0xbd1, 0xbd6), (0xbd8, 0xbe5),
    (0xbfb, 0xbff), (0xc0d, 0xc0d), (0xc11, 0xc11), (0xc29, 0xc29), (0xc3a, 0xc3b),
    (0xc45, 0xc45), (0xc49, 0xc49), (0xc4e, 0xc54), (0xc57, 0xc57), (0xc5b, 0xc5c),
    (0xc5e, 0xc5f), (0xc64, 0xc65), (0xc70, 0xc76), (0xc8d, 0xc8d), (0xc91, 0xc91),
    (0xca9, 0xca9), (0xcb4, 0xcb4), (0xcba, 0xcbb), (0xcc5, 0xcc5), (0xcc9, 0xcc9),
    (0xcce, 0xcd4), (0xcd7, 0xcdc), (0xcdf, 0xcdf), (0xce4, 0xce5), (0xcf0, 0xcf0),
    (0xcf3, 0xcff), (0xd0d, 0xd0d), (0xd11, 0xd11), (0xd45, 0xd45), (0xd49, 0xd49),
    (0xd50, 0xd53), (0xd64, 0xd65), (0xd80, 0xd80), (0xd84, 0xd84), (0xd97, 0xd99),
    (0xdb2, 0xdb2), (0xdbc, 0xdbc), (0xdbe, 0xdbf), (0xdc7, 0xdc9), (0xdcb, 0xdce),
    (0xdd5, 0xdd5), (0xdd7, 0xdd7), (0xde0, 0xde5), (0xdf0, 0xdf1), (0xdf5, 0xe00),
    (0xe3b, 0xe3e), (0xe5c, 0xe80), (0xe83, 0xe83), (0xe85, 0xe85), (0xe8b, 0xe8b),
    (0xea4, 0xea4), (0xea6, 0xea6), (0xebe, 0xebf), (0xec5, 0xec5), (0xec7, 0xec7),
    (0xece, 0xecf), (0xeda, 0xedb), (0xee0, 0xeff), (0xf48, 0xf48), (0xf6d, 0xf70),
    (0xf98, 0xf98), (0xfbd, 0xfbd), (0xfcd, 0xfcd), (0xfdb, 0xfff), (0x10c6, 0x10c6),
    (0x10c8, 0x10cc), (0x10ce, 0x10cf), (0x1249, 0x1249), (0x124e, 0x124f), (0x1257, 0x1257),
    (0x1259, 0x1259), (0x125e, 0x125f), (0x1289, 0x1289), (0x128e, 0x128f), (0x12b1, 0x12b1),
    (0x12b6, 0x12b7), (0x12bf, 0x12bf), (0x12c1, 0x12c1), (0x12c6, 0x12c7), (0x12d7, 0x12d7),
    (0x1311, 0x1311), (0x1316, 0x1317), (0x135b, 0x135c), (0x137d, 0x137f), (0x139a, 0x139f),
    (0x13f6, 0x13f7), (0x13fe, 0x13ff), (0x1680, 0x1680), (0x169d, 0x169f), (0x16f9, 0x16ff),
    (0x1716, 0x171e), (0x1737, 0x173f), (0x1754, 0x175f), (0x176d, 0x176d), (0x1771, 0x1771),
    (0x1774, 0x177f), (0x17de, 0x17df), (0x17ea, 0x17ef), (0x17fa, 0x17ff), (0x180e, 0x180e),
    (0x181a, 0x181f), (0x1879, 0x187f), (0x18ab, 0x18af), (0x18f6, 0x18ff), (0x191f, 0x191f),
    (0x192c, 0x192f), (0x193c, 0x193f), (0x1941, 0x1943), (0x196e, 0x196f), (0x1975, 0x197f),
    (0x19ac, 0x19af), (0x19ca, 0x19cf), (0x19db, 0x19dd), (0x1a1c, 0x1a1d), (0x1a5f, 0x1a5f),
    (0x1a7d, 0x1a7e), (0x1a8a, 0x1a8f), (0x1a9a, 0x1a9f), (0x1aae, 0x1aaf), (0x1acf, 0x1aff),
    (0x1b4d, 0x1b4f), (0x1b7f, 0x1b7f), (0x1bf4, 0x1bfb), (0x1c38, 0x1c3a), (0x1c4a, 0x1c4c),
    (0x1c89, 0x1c8f), (0x1cbb, 0x1cbc), (0x1cc8, 0x1ccf), (0x1cfb, 0x1cff), (0x1f16, 0x1f17),
    (0x1f1e, 0x1f1f), (0x1f46, 0x1f47), (0x1f4e, 0x1f4f), (0x1f58, 0x1f58), (0x1f5a, 0x1f5a),
    (0x1f5c, 0x1f5c), (0x1f5e, 0x1f5e), (0x1f7e, 0x1f7f), (0x1fb5, 0x1fb5), (0x1fc5, 0x1fc5),
    (0x1fd4, 0x1fd5), (0x1fdc, 0x1fdc), (0x1ff0, 0x1ff1), (0x1ff5, 0x1ff5), (0x1fff, 0x200f),
    (0x2028, 0x202f), (0x205f, 0x206f), (0x2072, 0x2073), (0x208f, 0x208f), (0x209d, 0x209f),
    (0x20c1, 0x20cf), (0x20f1, 0x20ff), (0x218c, 0x218f), (0x2427, 0x243f), (0x244b, 0x245f),
    (0x2b74, 0x2b75), (0x2b96, 0x2b96), (0x2cf4, 0x2cf8), (0x2d26, 0x2d26), (0x2d28, 0x2d2c),
    (0x2d2e, 0x2d2f), (0x2d68, 0x2d6e), (0x2d71, 0x2d7e), (0x2d97, 0x2d9f), (0x2da7, 0x2da7),
    (0x2daf, 0x2daf), (0x2db7, 0x2db7), (0x2dbf, 0x2dbf), (0x2dc7, 0x2dc7), (0x2dcf, 0x2dcf),
    (0x2dd7, 0x2dd7), (0x2ddf, 0x2ddf), (0x2e5e, 0x2e7f), (0x2e9a, 0x2e9a), (0x2ef4, 0x2eff),
    (0x2fd6, 0x2fef), (0x2ffc, 0x3000), (0x3040, 0x3040), (0x3097, 0x3098), (0x3100, 0x3104),
    (0x3130, 0x3130), (0x318f, 0x318f), (0x31e4, 0x31ef), (0x321f, 0x321f), (0xa48d, 0xa48f),
    (0xa4c7, 0xa4cf), (0xa62c, 0xa63f), (0xa6f8, 0xa6ff), (0xa7cb, 0xa7cf), (0xa7d2, 0xa7d2),
    (0xa7d4, 0xa7d4), (0xa7da, 0xa7f1), (0xa82d, 0xa82f), (0xa83a, 0xa83f), (0xa878, 0xa87f),
    (0xa8c6, 0xa8cd), (0xa8da, 0xa8df), (0xa954, 0xa95e), (0xa97d, 0xa97f), (0xa9ce, 0xa9ce),
    (0xa9da, 0xa9dd), (0xa9ff, 0xa9ff), (0xaa37, 0xaa3f), (0xaa4e, 0xaa4f), (0xaa5a, 0xaa5b),
    (0xaac3, 0xaada), (0xaaf7, 0xab00), (0xab07, 0xab08), (0xab0f, 0xab10), (0xab17, 0xab1f),
    (0xab27, 0xab27), (0xab2f, 0xab2f), (0xab6c, 0xab6f), (0xabee, 0xabef), (0xabfa, 0xabff),
    (0xd7a4, 0xd7af), (0xd7c7, 0xd7ca), (0xd7fc, 0xf8ff), (0xfa6e, 0xfa6f), (0xfada, 0xfaff),
    (0xfb07, 0xfb12), (0xfb18, 0xfb1c), (0xfb37, 0xfb37), (0xfb3d, 0xfb3d), (0xfb3f, 0xfb3f),
    (0xfb42, 0xfb42), (0xfb45, 0xfb45), (0xfbc3, 0xfbd2), (0xfd90, 0xfd91), (0xfdc8, 0xfdce),
    (0xfdd0, 0xfdef), (0xfe1a, 0xfe1f), (0xfe53, 0xfe53), (0xfe67, 0xfe67), (0xfe6c, 0xfe6f),
    (0xfe75, 0xfe75), (0xfefd, 0xff00), (0xffbf, 0xffc1), (0xffc8, 0xffc9), (0xffd0, 0xffd1),
    (0xffd8, 0xffd9), (0xffdd, 0xffdf), (0xffe7, 0xffe7), (0xffef, 0xfffb), (0xfffe, 0xffff),
    (0x1000c, 0x1000c), (0x10027, 0x10027), (0x1003b, 0x1003b), (0x1003e, 0x1003e),
    (0x1004e, 0x1004f), (0x1005e, 0x1007f), (0x100fb, 0x100ff), (0x10103, 0x10106),
    (0x10134, 0x10136), (0x1018f, 0x1018f), (0x1019d, 0x1019f), (0x101a1, 0x101cf),
    (0x101fe, 0x1027f), (0x1029d, 0x1029f), (0x102d1, 0x102df), (0x102fc, 0x102ff),
    (0x10324, 0x1032c), (0x1034b, 0x1034f), (0x1037b, 0x1037f), (0x1039e, 0x1039e),
    (0x103c4, 0x103c7), (0x103d6, 0x103ff), (0x1049e, 0x1049f), (0x104aa, 0x104af),
    (0x104d4, 0x104d7), (0x104fc, 0x104ff), (0x10528, 0x1052f), (0x10564, 0x1056e),
    (0x1057b, 0x1057b), (0x1058b, 0x1058b), (0x10593, 0x10593), (0x10596, 0x10596),
    (0x105a2, 0x105a2), (0x105b2, 0x105b2), (0x105ba, 0x105ba), (0x105bd, 0x105ff),
    (0x10737, 0x1073f), (0x10756, 0x1075f), (0x10768, 0x1077f), (0x10786, 0x10786),
    (0x107b1, 0x107b1), (0x107bb, 0x107ff), (0x10806, 0x10807), (0x10809, 0x10809),
    (0x10836, 0x10836), (0x10839, 0x1083b), (0x1083d, 0x1083e), (0x10856, 0x10856),
    (0x1089f, 0x108a6), (0x108b0, 0x108df), (0x108f3, 0x108f3), (0x108f6, 0x108fa),
    (0x1091c, 0x1091e), (0x1093a, 0x1093e), (0x10940, 0x1097f), (0x109b8, 0x109bb),
    (0x109d0, 0x109d1), (0x10a04, 0x10a04), (0x10a07, 0x10a0b), (0x10a14, 0x10a14),
    (0x10a18, 0x10a18), (0x10a36, 0x10a37), (0x10a3b, 0x10a3e), (0x10a49, 0x10a4f),
    (0x10a59, 0x10a5f), (0x10aa0, 0x10abf), (0x10ae7, 0x10aea), (0x10af7, 0x10aff),
    (0x10b36, 0x10b38), (0x10b56, 0x10b57), (0x10b73, 0x10b77), (0x10b92, 0x10b98),
    (0x10b9d, 0x10ba8), (0x10bb0, 0x10bff), (0x10c49, 0x10c7f), (0x10cb3, 0x10cbf),
    (0x10cf3, 0x10cf9), (0x10d28, 0x10d2f), (0x10d3a, 0x10e5f), (0x10e7f, 0x10e7f),
    (0x10eaa, 0x10eaa), (0x10eae, 0x10eaf), (0x10eb2, 0x10eff), (0x10f28, 0x10f2f),
    (0x10f5a, 0x10f6f), (0x10f8a, 0x10faf), (0x10fcc, 0x10fdf), (0x10ff7, 0x10fff),
    (0x1104e, 0x11051), (0x11076, 0x1107e), (0x110bd, 0x110bd), (0x110c3, 0x110cf),
    (0x110e9, 0x110ef), (0x110fa, 0x110ff), (0x11135, 0x11135), (0x11148, 0x1114f),
    (0x11177, 0x1117f), (0x111e0, 0x111e0), (0x111f5, 0x111ff), (0x11212, 0x11212),
    (0x1123f, 0x1127f), (0x11287, 0x11287), (0x11289, 0x11289), (0x1128e, 0x1128e),
    (0x1129e, 0x1129e), (0x112aa, 0x112af), (0x112eb, 0x112ef), (0x112fa, 0x112ff),
    (0x11304, 0x11304), (0x1130d, 0x1130e), (0x11311, 0x11312), (0x11329, 0x11329),
    (0x11331, 0x11331), (0x11334, 0x11334), (0x1133a, 0x1133a), (0x11345, 0x11346),
    (0x11349, 0x1134a), (0x1134e, 0x1134f), (0x11351, 0x11356), (0x11358, 0x1135c),
    (0x11364, 0x11365), (0x1136d, 0x1136f), (0x11375, 0x113ff), (0x1145c, 0x1145c),
    (0x11462, 0x1147f), (0x114c8, 0x114cf), (0x114da, 0x1157f), (0x115b6, 0x115b7),
    (0x115de, 0x115ff), (0x11645, 0x1164f), (0x1165a, 0x1165f), (0x1166d, 0x1167f),
    (0x116ba, 0x116bf), (0x116ca, 0x116ff), (0x1171b, 0x1171c), (0x1172c, 0x1172f),
    (0x11747, 0x117ff), (0x1183c, 0x1189f), (0x118f3, 0x118fe), (0x11907, 0x11908),
    (0x1190a, 0x1190b), (0x11914, 0x11914), (0x11917, 0x11917), (0x11936, 0x11936),
    (0x11939, 0x1193a), (0x11947, 0x1194f), (0x1195a, 0x1199f), (0x119a8, 0x119a9),
    (0x119d8, 0x119d9), (0x119e5, 0x119ff), (0x11a48, 0x11a4f), (0x11aa3, 0x11aaf),
    (0x11af9, 0x11bff), (0x11c09, 0x11c09), (0x11c37, 0x11c37), (0x11c46, 0x11c4f),
    (0x11c6d, 0x11c6f), (0x11c90, 0x11c91), (0x11ca8, 0x11ca8), (0x11cb7, 0x11cff),
    (0x11d07, 0x11d07), (0x11d0a, 0x11d0a), (0x11d37, 0x11d39), (0x11d3b, 0x11d3b),
    (0x11d3e, 0x11d3e), (0x11d48, 0x11d4f), (0x11d5a, 0x11d5f), (0x11d66, 0x11d66),
    (0x11d69, 0x11d69), (0x11d8f, 0x11d8f), (0x11d92, 0x11d92), (0x11d99, 0x11d9f),
    (0x11daa, 0x11edf), (0x11ef9, 0x11faf), (0x11fb1, 0x11fbf), (0x11ff2, 0x11ffe),
    (0x1239a, 0x123ff), (0x1246f, 0x1246f), (0x12475, 0x1247f), (0x12544, 0x12f8f),
    (0x12ff3, 0x12fff), (0x1342f, 0x143ff), (0x14647, 0x167ff), (0x16a39, 0x16a3f),
    (0x16a5f, 0x16a5f), (0x16a6a, 0x16a6d), (0x16abf, 0x16abf), (0x16aca, 0x16acf),
    (0x16aee, 0x16aef), (0x16af6, 0x16aff), (0x16b46, 0x16b4f), (0x16b5a, 0x16b5a),
    (0x16b62, 0x16b62), (0x16b78, 0x16b7c), (0x16b90, 0x16e3f), (0x16e9b, 0x16eff),
    (0x16f4b, 0x16f4e), (0x16f88, 0x16f8e), (0x16fa0, 0x16fdf), (0x16fe5, 0x16fef),
    (0x16ff2, 0x16fff), (0x187f8, 0x187ff), (0x18cd6, 0x18cff), (0x18d09, 0x1afef),
    (0x1aff4, 0x1aff4), (0x1affc, 0x1affc), (0x1afff, 0x1afff), (0x1b123, 0x1b14f),
    (0x1b153, 0x1b163), (0x1b168, 0x1b16f), (0x1b2fc, 0x1bbff), (0x1bc6b, 0x1bc6f),
    (0x1bc7d, 0x1bc7f), (0x1bc89, 0x1bc8f), (0x1bc9a, 0x1bc9b), (0x1bca0, 0x1ceff),
    (0x1cf2e, 0x1cf2f), (0x1cf47, 0x1cf4f), (0x1cfc4, 0x1cfff), (0x1d0f6, 0x1d0ff),
    (0x1d127, 0x1d128), (0x1d173, 0x1d17a), (0x1d1eb, 0x1d1ff), (0x1d246, 0x1d2df),
    (0x1d2f4, 0x1d2ff), (0x1d357, 0x1d35f), (0x1d379, 0x1d3ff), (0x1d455, 0x1d455),
    (0x1d49d, 0x1d49d), (0x1d4a0, 0x1d4a1), (0x1d4a3, 0x1d4a4), (0x1d4a7, 0x1d4a8),
    (0x1d4ad, 0x1d4ad), (0x1d4ba, 0x1d4ba), (0x1d4bc, 0x1d4bc), (0x1d4c4, 0x1d4c4),
    (0x1d506, 0x1d506), (0x1d50b, 0x1d50c), (0x1d515, 0x1d515), (0x1d51d, 0x1d51d),
    (0x1d53a, 0x1d53a), (0x1d53f, 0x1d53f), (0x1d545, 0x1d545), (0x1d547, 0x1d549),
    (0x1d551, 0x1d551), (0x1d6a6, 0x1d6a7), (0x1d7cc, 0x1d7cd), (0x1da8c, 0x1da9a),
    (0x1daa0, 0x1daa0), (0x1dab0, 0x1deff), (0x1df1f, 0x1dfff), (0x1e007, 0x1e007),
    (0x1e019, 0x1e01a), (0x1e022, 0x1e022), (0x1e025, 0x1e025), (0x1e02b, 0x1e0ff),
    (0x1e12d, 0x1e12f), (0x1e13e, 0x1e13f), (0x1e14a, 0x1e14d), (0x1e150, 0x1e28f),
    (0x1e2af, 0x1e2bf), (0x1e2fa, 0x1e2fe), (0x1e300, 0x1e7df), (0x1e7e7, 0x1e7e7),
    (0x1e7ec, 0x1e7ec), (0x1e7ef, 0x1e7ef), (0x1e7ff, 0x1e7ff), (0x1e8c5, 0x1e8c6),
    (0x1e8d7, 0x1e8ff), (0x1e94c, 0x1e94f), (0x1e95a, 0x1e95d), (0x1e960, 0x1ec70),
    (0x1ecb5, 0x1ed00), (0x1ed3e, 0x1edff), (0x1ee04, 0x1ee04), (0x1ee20, 0x1ee20),
    (0x1ee23, 0x1ee23), (0x1ee25, 0x1ee26), (0x1ee28, 0x1ee28), (0x1ee33, 0x1ee33),
    (0x1ee38, 0x1ee38), (0x1ee3a, 0x1ee3a), (0x1ee3c, 0x1ee41), (0x1ee43, 0x1ee46),
    (0x1ee48, 0x1ee48), (0x1ee4a, 0x1ee4a), (0x1ee4c, 0x1ee4c), (0x1ee50, 0x1ee50),
    (0x1ee53, 0x1ee53), (0x1ee55, 0x1ee56), (0x1ee58, 0x1ee58), (0x1ee5a, 0x1ee5a),
    (0x1ee5c, 0x1ee5c), (0x1ee5e, 0x1ee5e), (0x1ee60, 0x1ee60), (0x1ee63, 0x1ee63),
    (0x1ee65, 0x1ee66), (0x1ee6b, 0x1ee6b), (0x1ee73, 0x1ee73), (0x1ee78, 0x1ee78),
    (0x1ee7d, 0x1ee7d), (0x1ee7f, 0x1ee7f), (0x1ee8a, 0x1ee8a), (0x1ee9c, 0x1eea0),
    (0x1eea4, 0x1eea4), (0x1eeaa, 0x1eeaa), (0x1eebc, 0x1eeef), (0x1eef2, 0x1efff),
    (0x1f02c, 0x1f02f), (0x1f094, 0x1f09f), (0x1f0af, 0x1f0b0), (0x1f0c0, 0x1f0c0),
    (0x1f0d0, 0x1f0d0), (0x1f0f6, 0x1f0ff), (0x1f1ae, 0x1f1e5), (0x1f203, 0x1f20f),
    (0x1f23c, 0x1f23f), (0x1f249, 0x1f24f), (0x1f252, 0x1f25f), (0x1f266, 0x1f2ff),
    (0x1f6d8, 0x1f6dc), (0x1f6ed, 0x1f6ef), (0x1f6fd, 0x1f6ff), (0x1f774, 0x1f77f),
    (0x1f7d9, 0x1f7df), (0x1f7ec, 0x1f7ef), (0x1f7f1, 0x1f7ff), (0x1f80c, 0x1f80f),
    (0x1f848, 0x1f84f), (0x1f85a, 0x1f85f), (0x1f888, 0x1f88f), (0x1f8ae, 0x1f8af),
    (0x1f8b2, 0x1f8ff), (0x1fa54, 0x1fa5f), (0x1fa6e, 0x1fa6f), (0x1fa75, 0x1fa77),
    (0x1fa7d, 0x1fa7f), (0x1fa87, 0x1fa8f), (0x1faad, 0x1faaf), (0x1fabb, 0x1fabf),
    (0x1fac6, 0x1facf), (0x1fada, 0x1fadf), (0x1fae8, 0x1faef), (0x1faf7, 0x1faff),
    (0x1fb93, 0x1fb93), (0x1fbcb, 0x1fbef), (0x1fbfa, 0x1ffff), (0x2a6e0, 0x2a6ff),
    (0x2b739, 0x2b73f), (0x2b81e, 0x2b81f), (0x2cea2, 0x2ceaf), (0x2ebe1, 0x2f7ff),
    (0x2fa1e, 0x2ffff), (0x3134b, 0xe00ff), (0xe01f0, 0x10ffff),
];

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors below were printed by CPython 3.11 (`repr`, `json.dumps`, `'%.Ng' %`,
    // `shlex.quote`); the floats are given as bit patterns.

    #[test]
    fn repr_and_json_floats() {
        for &(bits, repr, json) in FLOATS {
            let x = f64::from_bits(bits);
            assert_eq!(repr_f64(x), repr, "repr of {bits:#018x}");
            assert_eq!(json_f64(x), json, "json of {bits:#018x}");
        }
        assert_eq!(repr_f64(f64::NAN), "nan");
        assert_eq!(repr_f64(f64::INFINITY), "inf");
        assert_eq!(repr_f64(f64::NEG_INFINITY), "-inf");
        assert_eq!(json_f64(f64::NAN), "NaN");
        assert_eq!(json_f64(f64::INFINITY), "Infinity");
        assert_eq!(json_f64(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn g_formats() {
        for &(bits, g4, g6, g10) in G {
            let x = f64::from_bits(bits);
            assert_eq!(fmt_g(x, 4), g4, "%.4g of {bits:#018x}");
            assert_eq!(fmt_g(x, 6), g6, "%.6g of {bits:#018x}");
            assert_eq!(fmt_g(x, 10), g10, "%.10g of {bits:#018x}");
        }
        for &(bits, p, want) in G_OTHER {
            assert_eq!(
                fmt_g(f64::from_bits(bits), p),
                want,
                "%.{p}g of {bits:#018x}"
            );
        }
        for (x, want) in [
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(fmt_g(x, 4), want);
        }
    }

    #[test]
    fn spec_g_table() {
        // Spec 0.3, verbatim.
        let table: [(f64, [&str; 3]); 19] = [
            (0.001, ["0.001", "0.001", "0.001"]),
            (1e-05, ["1e-05", "1e-05", "1e-05"]),
            (0.1, ["0.1", "0.1", "0.1"]),
            (1.0, ["1", "1", "1"]),
            (100.0, ["100", "100", "100"]),
            (0.00012345, ["0.0001234", "0.00012345", "0.00012345"]),
            (12345.0, ["1.234e+04", "12345", "12345"]),
            (123456.0, ["1.235e+05", "123456", "123456"]),
            (10000.0, ["1e+04", "10000", "10000"]),
            (99999.5, ["1e+05", "99999.5", "99999.5"]),
            (1e+16, ["1e+16", "1e+16", "1e+16"]),
            (1000000000000000.0, ["1e+15", "1e+15", "1e+15"]),
            (
                5.623413251903491e-05,
                ["5.623e-05", "5.62341e-05", "5.623413252e-05"],
            ),
            (
                0.00031622776601683794,
                ["0.0003162", "0.000316228", "0.000316227766"],
            ),
            (
                0.0017782794100389228,
                ["0.001778", "0.00177828", "0.00177827941"],
            ),
            (1234567.89, ["1.235e+06", "1.23457e+06", "1234567.89"]),
            (0.30000000000000004, ["0.3", "0.3", "0.3"]),
            (0.00025, ["0.00025", "0.00025", "0.00025"]),
            (-0.0, ["-0", "-0", "-0"]),
        ];
        for (x, [g4, g6, g10]) in table {
            assert_eq!(
                [fmt_g(x, 4), fmt_g(x, 6), fmt_g(x, 10)],
                [g4, g6, g10],
                "{x:?}"
            );
        }
    }

    #[test]
    fn strings() {
        for &(s, json, repr, shq) in STRINGS {
            let mut out = String::from("prefix:");
            json_str(&mut out, s);
            assert_eq!(out.strip_prefix("prefix:"), Some(json), "json of {s:?}");
            assert_eq!(repr_str(s), repr, "repr of {s:?}");
            assert_eq!(shell_quote(s), shq, "shlex.quote of {s:?}");
        }
    }

    #[test]
    fn printable_table_is_sorted() {
        assert!(NON_PRINTABLE.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(NON_PRINTABLE.iter().all(|&(a, b)| a <= b));
    }

    /// `(bits, repr(x), json.dumps(x))` from CPython 3.11.
    const FLOATS: &[(u64, &str, &str)] = &[
        (0x0000000000000000, "0.0", "0.0"),
        (0x8000000000000000, "-0.0", "-0.0"),
        (0x3ff0000000000000, "1.0", "1.0"),
        (0xbff0000000000000, "-1.0", "-1.0"),
        (0x3fb999999999999a, "0.1", "0.1"),
        (0x3fc999999999999a, "0.2", "0.2"),
        (
            0x3fd3333333333334,
            "0.30000000000000004",
            "0.30000000000000004",
        ),
        (0x3ee4f8b588e368f1, "1e-05", "1e-05"),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001"),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001"),
        (
            0x3f1a36e2eb1c432c,
            "9.999999999999999e-05",
            "9.999999999999999e-05",
        ),
        (0x4341c37937e08000, "1e+16", "1e+16"),
        (
            0x430c6bf526340000,
            "1000000000000000.0",
            "1000000000000000.0",
        ),
        (
            0x4341c37937e07fff,
            "9999999999999998.0",
            "9999999999999998.0",
        ),
        (0x4480f0cf064dd592, "1e+22", "1e+22"),
        (0x44b52d02c7e14af6, "1e+23", "1e+23"),
        (0x0000000000000001, "5e-324", "5e-324"),
        (
            0x7fefffffffffffff,
            "1.7976931348623157e+308",
            "1.7976931348623157e+308",
        ),
        (
            0x0010000000000000,
            "2.2250738585072014e-308",
            "2.2250738585072014e-308",
        ),
        (0x4059000000000000, "100.0", "100.0"),
        (0x4132d687e3d70a3d, "1234567.89", "1234567.89"),
        (
            0x3f0d7b9e14a91d46,
            "5.623413251903491e-05",
            "5.623413251903491e-05",
        ),
        (
            0x3f34b96be9c2da2c,
            "0.00031622776601683794",
            "0.00031622776601683794",
        ),
        (
            0x3f5d22a4fa316fac,
            "0.0017782794100389228",
            "0.0017782794100389228",
        ),
        (
            0x3eff75104d551d6c,
            "3.000000000000001e-05",
            "3.000000000000001e-05",
        ),
        (0x3f50624dd2f1a9fc, "0.001", "0.001"),
        (0x3f847ae147ae147b, "0.01", "0.01"),
        (0x40c81c8000000000, "12345.0", "12345.0"),
        (0x40fe240000000000, "123456.0", "123456.0"),
        (0x40c3880000000000, "10000.0", "10000.0"),
        (0x40f869f800000000, "99999.5", "99999.5"),
        (0x3f202e4b6ce5dc68, "0.00012345", "0.00012345"),
        (0x3f30624dd2f1a9fc, "0.00025", "0.00025"),
        (0x54b249ad2594c37d, "1e+100", "1e+100"),
        (0x434aa535d3d0c000, "1.5e+16", "1.5e+16"),
        (0x405edd2f1a9fbe77, "123.456", "123.456"),
        (0x4004000000000000, "2.5", "2.5"),
        (0x3fe0000000000000, "0.5", "0.5"),
        (0x3fc0000000000000, "0.125", "0.125"),
        (
            0x41dac2f9c5abb1d4,
            "1795942166.6827288",
            "1795942166.6827288",
        ),
        (0x3feccccccccccccd, "0.9", "0.9"),
        (0x3e7ad7f29abcaf48, "1e-07", "1e-07"),
        (0x3e8421f5f40d8376, "1.5e-07", "1.5e-07"),
        (0x4011666666666666, "4.35", "4.35"),
        (0x4005666666666666, "2.675", "2.675"),
        (0x444b1ae4d6e2ef50, "1e+21", "1e+21"),
        (
            0x437b69b4ba630f35,
            "1.2345678901234568e+17",
            "1.2345678901234568e+17",
        ),
        (
            0x3fe9999999999999,
            "0.7999999999999999",
            "0.7999999999999999",
        ),
        (
            0x3fd5555555555555,
            "0.3333333333333333",
            "0.3333333333333333",
        ),
        (
            0x3fe5555555555555,
            "0.6666666666666666",
            "0.6666666666666666",
        ),
        (0x00000000000007e8, "1e-320", "1e-320"),
        (0x3e45798ee2308c3a, "1e-08", "1e-08"),
        (
            0x3e501b2b29a4692c,
            "1.5000000000000002e-08",
            "1.5000000000000002e-08",
        ),
        (
            0x3e336df73e2dbf07,
            "4.5237955350981864e-09",
            "4.5237955350981864e-09",
        ),
        (0x3e7ad7f29abcaf48, "1e-07", "1e-07"),
        (0x3e8421f5f40d8376, "1.5e-07", "1.5e-07"),
        (
            0x3e6e0d73fddf7542,
            "5.597723860804959e-08",
            "5.597723860804959e-08",
        ),
        (0x3eb0c6f7a0b5ed8d, "1e-06", "1e-06"),
        (0x3eb92a737110e454, "1.5e-06", "1.5e-06"),
        (
            0x3eaf02e8913a46bf,
            "9.242105840237294e-07",
            "9.242105840237294e-07",
        ),
        (0x3ee4f8b588e368f1, "1e-05", "1e-05"),
        (
            0x3eef75104d551d6a,
            "1.5000000000000002e-05",
            "1.5000000000000002e-05",
        ),
        (
            0x3ed387e12a977494,
            "4.6565007009977335e-06",
            "4.6565007009977335e-06",
        ),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001"),
        (
            0x3f23a92a30553262,
            "0.00015000000000000001",
            "0.00015000000000000001",
        ),
        (
            0x3f0aa02153d65483,
            "5.078412730622711e-05",
            "5.078412730622711e-05",
        ),
        (0x3f50624dd2f1a9fc, "0.001", "0.001"),
        (0x3f589374bc6a7efa, "0.0015", "0.0015"),
        (
            0x3f433f5750a65bd4,
            "0.000587384828849897",
            "0.000587384828849897",
        ),
        (0x3f847ae147ae147b, "0.01", "0.01"),
        (0x3f8eb851eb851eb8, "0.015", "0.015"),
        (
            0x3f5e41375824d533,
            "0.0018466034385487661",
            "0.0018466034385487661",
        ),
        (0x3fb999999999999a, "0.1", "0.1"),
        (
            0x3fc3333333333334,
            "0.15000000000000002",
            "0.15000000000000002",
        ),
        (
            0x3faa35b05ca5172a,
            "0.05119086390418055",
            "0.05119086390418055",
        ),
        (0x3ff0000000000000, "1.0", "1.0"),
        (0x3ff8000000000000, "1.5", "1.5"),
        (
            0x3fe427ffce74b19f,
            "0.6298827202168019",
            "0.6298827202168019",
        ),
        (0x4024000000000000, "10.0", "10.0"),
        (0x402e000000000000, "15.0", "15.0"),
        (0x401fb8154aee4d64, "7.929768725199526", "7.929768725199526"),
        (0x4059000000000000, "100.0", "100.0"),
        (0x4062c00000000000, "150.0", "150.0"),
        (0x4022d31ef72a3238, "9.412345622921848", "9.412345622921848"),
        (0x408f400000000000, "1000.0", "1000.0"),
        (0x4097700000000000, "1500.0", "1500.0"),
        (0x4072f66b925b971b, "303.4012626245255", "303.4012626245255"),
        (0x40c3880000000000, "10000.0", "10000.0"),
        (0x40cd4c0000000000, "15000.0", "15000.0"),
        (0x408c55a49b9aef5e, "906.705374918394", "906.705374918394"),
        (0x40f86a0000000000, "100000.0", "100000.0"),
        (0x41024f8000000000, "150000.0", "150000.0"),
        (0x40f3c4474146dc19, "80964.45343671775", "80964.45343671775"),
        (0x412e848000000000, "1000000.0", "1000000.0"),
        (0x4136e36000000000, "1500000.0", "1500000.0"),
        (0x4125297cf70fa532, "693438.4825412391", "693438.4825412391"),
        (0x416312d000000000, "10000000.0", "10000000.0"),
        (0x416c9c3800000000, "15000000.0", "15000000.0"),
        (
            0x41198fcd746d5e7e,
            "418803.36369846005",
            "418803.36369846005",
        ),
        (0x4197d78400000000, "100000000.0", "100000000.0"),
        (0x41a1e1a300000000, "150000000.0", "150000000.0"),
        (0x41976ad53851cb7e, "98219342.07987782", "98219342.07987782"),
        (0x41cdcd6500000000, "1000000000.0", "1000000000.0"),
        (0x41d65a0bc0000000, "1500000000.0", "1500000000.0"),
        (0x41ccc0848a901292, "964757781.1255667", "964757781.1255667"),
        (0x4202a05f20000000, "10000000000.0", "10000000000.0"),
        (0x420bf08eb0000000, "15000000000.0", "15000000000.0"),
        (0x41f85c4a8f756a1b, "6539225335.338405", "6539225335.338405"),
        (0x42374876e8000000, "100000000000.0", "100000000000.0"),
        (0x424176592e000000, "150000000000.0", "150000000000.0"),
        (0x422caa144af3b6d3, "61556270457.85708", "61556270457.85708"),
        (0x426d1a94a2000000, "1000000000000.0", "1000000000000.0"),
        (0x4275d3ef79800000, "1500000000000.0", "1500000000000.0"),
        (
            0x424255b0969214cb,
            "157494095140.16245",
            "157494095140.16245",
        ),
        (0x42a2309ce5400000, "10000000000000.0", "10000000000000.0"),
        (0x42ab48eb57e00000, "15000000000000.0", "15000000000000.0"),
        (0x42417691678c0649, "150007369496.0491", "150007369496.0491"),
        (0x42d6bcc41e900000, "100000000000000.0", "100000000000000.0"),
        (0x42e10d9316ec0000, "150000000000000.0", "150000000000000.0"),
        (
            0x42c8072ae240ebf0,
            "52838126617047.875",
            "52838126617047.875",
        ),
        (
            0x430c6bf526340000,
            "1000000000000000.0",
            "1000000000000000.0",
        ),
        (
            0x431550f7dca70000,
            "1500000000000000.0",
            "1500000000000000.0",
        ),
        (0x42cb14a93c1aeb7d, "59551105168854.98", "59551105168854.98"),
        (0x4341c37937e08000, "1e+16", "1e+16"),
        (0x434aa535d3d0c000, "1.5e+16", "1.5e+16"),
        (
            0x431b07bc7d7f206d,
            "1902082627979291.2",
            "1902082627979291.2",
        ),
        (0x4376345785d8a000, "1e+17", "1e+17"),
        (0x4380a741a4627800, "1.5e+17", "1.5e+17"),
        (
            0x43557d25b0a293a1,
            "2.4194301366521476e+16",
            "2.4194301366521476e+16",
        ),
        (0x43abc16d674ec800, "1e+18", "1e+18"),
        (0x43b4d1120d7b1600, "1.5e+18", "1.5e+18"),
        (
            0x435ab7fd272ab896,
            "3.008258922478857e+16",
            "3.008258922478857e+16",
        ),
        (0x43e158e460913d00, "1e+19", "1e+19"),
        (0x43ea055690d9db80, "1.5e+19", "1.5e+19"),
        (
            0x43d01890d60cb0b6,
            "4.639344612232845e+18",
            "4.639344612232845e+18",
        ),
        (
            0x4ba48f1170c6a5b8,
            "2.520508886254791e+56",
            "2.520508886254791e+56",
        ),
        (
            0x9de819a384e55160,
            "-1.3078325753326087e-164",
            "-1.3078325753326087e-164",
        ),
        (
            0x009687537ff12229,
            "8.020454185344875e-306",
            "8.020454185344875e-306",
        ),
        (
            0xd3d08a4875139237,
            "-5.520247602701434e+95",
            "-5.520247602701434e+95",
        ),
        (
            0x7fb332c46822a6b2,
            "1.3481511352565332e+307",
            "1.3481511352565332e+307",
        ),
        (
            0xa082e653b53302fc,
            "-4.510736401610344e-152",
            "-4.510736401610344e-152",
        ),
        (
            0x9d65b133c20ba2c2,
            "-4.598285530683988e-167",
            "-4.598285530683988e-167",
        ),
        (
            0x08fd1560079dd25a,
            "2.2549164308669227e-265",
            "2.2549164308669227e-265",
        ),
        (
            0x8dcc7df266809a11,
            "-3.3382290318309466e-242",
            "-3.3382290318309466e-242",
        ),
        (
            0x088dc55562f28d1a,
            "1.8032870614534522e-267",
            "1.8032870614534522e-267",
        ),
        (
            0x57aab877d8e94b15,
            "2.056336735325363e+114",
            "2.056336735325363e+114",
        ),
        (
            0x1ad8052a36a80bdf,
            "2.3154679121635733e-179",
            "2.3154679121635733e-179",
        ),
        (
            0xb00f2da278511608,
            "-3.365758894954051e-77",
            "-3.365758894954051e-77",
        ),
        (
            0x0959520a6b77730f,
            "1.2564221826973801e-263",
            "1.2564221826973801e-263",
        ),
        (
            0xd6636c79c74c7ccf,
            "-1.4255457662275307e+108",
            "-1.4255457662275307e+108",
        ),
        (
            0x8b278a89563e9bed,
            "-6.271356729925946e-255",
            "-6.271356729925946e-255",
        ),
        (
            0x81f06b40552454f1,
            "-2.451713448084286e-299",
            "-2.451713448084286e-299",
        ),
        (
            0x761fdfa6c20ef164,
            "9.80139523074198e+260",
            "9.80139523074198e+260",
        ),
        (
            0x1f89a3ef2274ea18,
            "9.337626876928696e-157",
            "9.337626876928696e-157",
        ),
        (
            0x87aa964a02cdf2af,
            "-9.829339850708039e-272",
            "-9.829339850708039e-272",
        ),
        (
            0x3e5039c3cc099a1e,
            "1.5111308428878306e-08",
            "1.5111308428878306e-08",
        ),
        (
            0x4796fbb0ae9ca08b,
            "7.637466489256164e+36",
            "7.637466489256164e+36",
        ),
        (0x412280b2728a6fcf, "606297.2237124386", "606297.2237124386"),
        (
            0x5daeb5a4fc3b66fa,
            "1.8724118987309223e+143",
            "1.8724118987309223e+143",
        ),
        (
            0xd26541d96b52b08d,
            "-8.457369071504067e+88",
            "-8.457369071504067e+88",
        ),
        (
            0xb28a8e201dd377bf,
            "-3.151956093904538e-65",
            "-3.151956093904538e-65",
        ),
        (
            0x1b3f2eb6fd741069,
            "1.9237702985759142e-177",
            "1.9237702985759142e-177",
        ),
        (
            0xeea27e9b45114889,
            "-8.557180741706732e+224",
            "-8.557180741706732e+224",
        ),
        (
            0x71434296ff769e37,
            "3.919272921816599e+237",
            "3.919272921816599e+237",
        ),
        (
            0x97f9b00335f11af2,
            "-3.518888127049424e-193",
            "-3.518888127049424e-193",
        ),
        (
            0x6d5c38eafeef16e9,
            "6.226583602396954e+218",
            "6.226583602396954e+218",
        ),
        (
            0x7ea170220ac793f5,
            "9.342493961839943e+301",
            "9.342493961839943e+301",
        ),
        (
            0xb884701136971e1b,
            "-1.9219579633873388e-36",
            "-1.9219579633873388e-36",
        ),
        (
            0xe2e77eec027385c9,
            "-2.7710069928766645e+168",
            "-2.7710069928766645e+168",
        ),
        (
            0xa5edf848d48dd9f3,
            "-5.5342217715919344e-126",
            "-5.5342217715919344e-126",
        ),
        (
            0x09820a2912ca3f70,
            "7.161151236494367e-263",
            "7.161151236494367e-263",
        ),
        (
            0x4a970dc5356f8bd1,
            "2.1563617561820117e+51",
            "2.1563617561820117e+51",
        ),
        (
            0xccf6de7303f8670d,
            "-5.879835796964826e+62",
            "-5.879835796964826e+62",
        ),
        (
            0xcfa296035f27ff08,
            "-4.20334080243081e+75",
            "-4.20334080243081e+75",
        ),
        (
            0xfac4eccd20918fa7,
            "-2.4309247058257325e+283",
            "-2.4309247058257325e+283",
        ),
        (
            0x498b8cfed5157e9d,
            "1.9660881771172497e+46",
            "1.9660881771172497e+46",
        ),
        (
            0x316ba0a2ddd4a054,
            "1.2509281961843529e-70",
            "1.2509281961843529e-70",
        ),
        (
            0x93bab4c8a0931ed4,
            "-1.2395240624415874e-213",
            "-1.2395240624415874e-213",
        ),
        (
            0x1d3baa82e88e752f,
            "7.330772511687761e-168",
            "7.330772511687761e-168",
        ),
        (
            0x184b6364b9b338eb,
            "1.2005966978159995e-191",
            "1.2005966978159995e-191",
        ),
        (
            0x508253cabd4aeab0,
            "6.790904903235197e+79",
            "6.790904903235197e+79",
        ),
        (
            0xf99e0d3fafdd8733,
            "-6.658951177311344e+277",
            "-6.658951177311344e+277",
        ),
        (
            0x3dc31756e1d7300f,
            "3.472663496178347e-11",
            "3.472663496178347e-11",
        ),
        (
            0x061141336be49ee7,
            "1.9011273762428104e-279",
            "1.9011273762428104e-279",
        ),
        (
            0x84f4018c1bea8593,
            "-8.40863175056195e-285",
            "-8.40863175056195e-285",
        ),
        (
            0xdeb2b49d3d0840fb,
            "-1.494884947598215e+148",
            "-1.494884947598215e+148",
        ),
        (
            0xb5dd469041c9886e,
            "-3.129875757904895e-49",
            "-3.129875757904895e-49",
        ),
        (0x4291caba4b1e943e, "4890601637797.061", "4890601637797.061"),
        (
            0x5c3489aeede26c2e,
            "1.4927686855928095e+136",
            "1.4927686855928095e+136",
        ),
        (
            0x9d3c175d205bc308,
            "-7.443440496741236e-168",
            "-7.443440496741236e-168",
        ),
        (
            0x53a623088f32a1f2,
            "9.235160788988694e+94",
            "9.235160788988694e+94",
        ),
        (
            0x1b2fee6b47bc7548,
            "9.849847443229877e-178",
            "9.849847443229877e-178",
        ),
        (
            0x021f1f7abfbd7d14,
            "1.8589396843823187e-298",
            "1.8589396843823187e-298",
        ),
        (
            0xb4a9a02444e9e4a5,
            "-5.2254543203884025e-55",
            "-5.2254543203884025e-55",
        ),
        (
            0x07bd02213fc2a908,
            "2.1448972627671746e-271",
            "2.1448972627671746e-271",
        ),
        (
            0xa41753b02d1ef7bf,
            "-8.023412280661299e-135",
            "-8.023412280661299e-135",
        ),
        (
            0x493cd8f487efda6b,
            "6.433203289088148e+44",
            "6.433203289088148e+44",
        ),
        (
            0x2e5ac5c71799e728,
            "2.1533334616766958e-85",
            "2.1533334616766958e-85",
        ),
        (
            0xb9a4ede2e414a8aa,
            "-5.159456824900385e-31",
            "-5.159456824900385e-31",
        ),
        (
            0x5dcfd595a82cb2cd,
            "7.763962982965778e+143",
            "7.763962982965778e+143",
        ),
        (
            0x047d84d0970216fc,
            "4.846441322569109e-287",
            "4.846441322569109e-287",
        ),
        (
            0xf481d77d798c06fe,
            "-1.63509888938627e+253",
            "-1.63509888938627e+253",
        ),
        (
            0x27e93762b372c56b,
            "1.999925911258964e-116",
            "1.999925911258964e-116",
        ),
        (
            0x4c977a1c05713dc6,
            "9.43151712723743e+60",
            "9.43151712723743e+60",
        ),
        (
            0x889c52727b73ccf8,
            "-3.4310629624762327e-267",
            "-3.4310629624762327e-267",
        ),
        (
            0x117c4c8451a3b990,
            "1.9113169276177676e-224",
            "1.9113169276177676e-224",
        ),
        (
            0xb9fee0ca13446df8,
            "-2.435851284119776e-29",
            "-2.435851284119776e-29",
        ),
        (
            0x05b106e3bcac6462,
            "2.9312979380576017e-281",
            "2.9312979380576017e-281",
        ),
        (
            0xfb5003accb138653,
            "-9.52544688305008e+285",
            "-9.52544688305008e+285",
        ),
        (
            0x8adee1ce5a11cca5,
            "-2.5709278807925426e-256",
            "-2.5709278807925426e-256",
        ),
        (
            0x89f1115ce69d2f3b,
            "-8.672452194375415e-261",
            "-8.672452194375415e-261",
        ),
        (
            0x65302714f1b9ab7c,
            "2.6181924993049584e+179",
            "2.6181924993049584e+179",
        ),
        (
            0x3ffd9073dd0c8b94,
            "1.8477667460180998",
            "1.8477667460180998",
        ),
        (
            0xd4c51b979ffd6a18,
            "-2.308400613633363e+100",
            "-2.308400613633363e+100",
        ),
        (
            0x4a9538d96111b4b5,
            "1.9850294774233545e+51",
            "1.9850294774233545e+51",
        ),
        (
            0x093f755f9bdeb398,
            "3.9024890233767604e-264",
            "3.9024890233767604e-264",
        ),
        (
            0x51d800211734bc44,
            "1.8650013724823333e+86",
            "1.8650013724823333e+86",
        ),
        (
            0xa0ec0966fe4a5ce0,
            "-4.2825209640040053e-150",
            "-4.2825209640040053e-150",
        ),
        (
            0xaa4259edba6bc77c,
            "-4.0007182839838024e-105",
            "-4.0007182839838024e-105",
        ),
        (
            0xde15bae6ef2b1ae5,
            "-1.695896633339047e+145",
            "-1.695896633339047e+145",
        ),
        (
            0x3b37348070c61508,
            "1.9194796297953935e-23",
            "1.9194796297953935e-23",
        ),
        (
            0x6006e31e84c955f1,
            "3.8358371609081525e+154",
            "3.8358371609081525e+154",
        ),
        (
            0x4cf6ea684f6b8f60,
            "5.89184583348768e+62",
            "5.89184583348768e+62",
        ),
        (
            0x02da6bab7b1ffc6a,
            "6.463781884136819e-295",
            "6.463781884136819e-295",
        ),
        (
            0x596307eef517e382,
            "3.9314217183634974e+122",
            "3.9314217183634974e+122",
        ),
        (
            0xe3d546797f4bd052,
            "-8.221916193197485e+172",
            "-8.221916193197485e+172",
        ),
        (
            0x72bdd708417e16c9,
            "5.09371772918123e+244",
            "5.09371772918123e+244",
        ),
        (
            0x26883cd55e320f4a,
            "4.583127579370836e-123",
            "4.583127579370836e-123",
        ),
        (
            0x4e4e16c8ad9a6296,
            "1.6223956492569323e+69",
            "1.6223956492569323e+69",
        ),
        (
            0x95b5afe784b58297,
            "-4.323196343200956e-204",
            "-4.323196343200956e-204",
        ),
        (
            0xf7141e0fa8f51ac5,
            "-4.054232168339281e+265",
            "-4.054232168339281e+265",
        ),
        (
            0x72241b9e7f914fe8,
            "6.703984117317147e+241",
            "6.703984117317147e+241",
        ),
        (
            0xb3cf153053b3b0ff,
            "-3.8685708850998573e-59",
            "-3.8685708850998573e-59",
        ),
        (
            0xd12c95ce32d1464e,
            "-1.0846002984741944e+83",
            "-1.0846002984741944e+83",
        ),
        (
            0x672aa0bacdc02ecd,
            "9.268797776635653e+188",
            "9.268797776635653e+188",
        ),
        (
            0x9b6a8dffe1594dc4,
            "-1.3106107292680793e-176",
            "-1.3106107292680793e-176",
        ),
        (
            0xcaa3419238363a3c,
            "-3.602288168311086e+51",
            "-3.602288168311086e+51",
        ),
        (
            0x116e39d535bb8498,
            "1.0207341065930029e-224",
            "1.0207341065930029e-224",
        ),
        (
            0x2ce537787f1876d3,
            "2.034271031793098e-92",
            "2.034271031793098e-92",
        ),
        (
            0x8835b502b6125e0c,
            "-4.108895954920574e-269",
            "-4.108895954920574e-269",
        ),
        (
            0x15a6042cd26542ee,
            "2.19440843181699e-204",
            "2.19440843181699e-204",
        ),
        (
            0xbc554082735dc327,
            "-4.608290858055872e-18",
            "-4.608290858055872e-18",
        ),
        (
            0x9b66fc50ecfcc396,
            "-1.1344584240664915e-176",
            "-1.1344584240664915e-176",
        ),
        (
            0xd018098461eeac37,
            "-6.95828714262347e+77",
            "-6.95828714262347e+77",
        ),
        (
            0xa85e1914ac11d871,
            "-3.0554760619969925e-114",
            "-3.0554760619969925e-114",
        ),
        (
            0x098f16a4520235bc,
            "1.2341069310508632e-262",
            "1.2341069310508632e-262",
        ),
        (
            0x6fb8dcca47331d97,
            "1.5077898956141338e+230",
            "1.5077898956141338e+230",
        ),
        (
            0xdab46b11ada219c6,
            "-8.84578610825651e+128",
            "-8.84578610825651e+128",
        ),
        (
            0xad56e8699211a8d8,
            "-2.8114207536558327e-90",
            "-2.8114207536558327e-90",
        ),
        (
            0x655050a0a637a18a,
            "1.057799132518894e+180",
            "1.057799132518894e+180",
        ),
        (
            0x91648dc1a417a0fe,
            "-6.941031593335631e-225",
            "-6.941031593335631e-225",
        ),
        (
            0x184f3fcc746fe5b9,
            "1.3698463652310203e-191",
            "1.3698463652310203e-191",
        ),
        (
            0xea329344c4eb26e0,
            "-3.639922832487471e+203",
            "-3.639922832487471e+203",
        ),
        (
            0x63be9abf3cc6d62d,
            "2.9568040865723085e+172",
            "2.9568040865723085e+172",
        ),
        (
            0x060236cbcbfe2f8d,
            "1.0034147813332942e-279",
            "1.0034147813332942e-279",
        ),
        (0xc05ac2764adff823, "-107.03847", "-107.03847"),
        (0x4051b21f4b1ee243, "70.78316", "70.78316"),
        (0x4083380000000000, "615.0", "615.0"),
        (0x4077100000000000, "369.0", "369.0"),
        (0x40843d70a3d70a3d, "647.68", "647.68"),
        (0xc084180000000000, "-643.0", "-643.0"),
        (0x407fe1a161e4f766, "510.1019", "510.1019"),
        (0x407ac4cccccccccd, "428.3", "428.3"),
        (0xc08118b851eb851f, "-547.09", "-547.09"),
        (0x4053d836113404ea, "79.3783", "79.3783"),
        (0x3fe999999999999a, "0.8", "0.8"),
        (0xc06a9ef66a550870, "-212.96758", "-212.96758"),
        (0x4089600000000000, "812.0", "812.0"),
        (0xc06661234eb9a177, "-179.03556", "-179.03556"),
        (0xc06c01cac083126f, "-224.056", "-224.056"),
        (0xc0573b5f45e0b4e1, "-92.92769", "-92.92769"),
        (0x4088380000000000, "775.0", "775.0"),
        (0xc06ecc9fbe76c8b4, "-246.3945", "-246.3945"),
        (0x4073158fc504816f, "305.3476", "305.3476"),
        (0x40828c3d70a3d70a, "593.53", "593.53"),
        (0xc0522568f08461fa, "-72.58453", "-72.58453"),
        (0x408e280000000000, "965.0", "965.0"),
        (0x407bbdf0d844d014, "443.8713", "443.8713"),
        (0x408a800000000000, "848.0", "848.0"),
        (0xc081eb4189374bc7, "-573.407", "-573.407"),
        (0x408e07eb851eb852, "960.99", "960.99"),
        (0x40527a3d70a3d70a, "73.91", "73.91"),
        (0xc07dc3bd31b9b670, "-476.23369", "-476.23369"),
        (0x40863c8f5c28f5c3, "711.57", "711.57"),
        (0x4022000000000000, "9.0", "9.0"),
        (0xc05d8ca57a786c22, "-118.1976", "-118.1976"),
        (0xc063a570a3d70a3d, "-157.17", "-157.17"),
        (0xc039000000000000, "-25.0", "-25.0"),
        (0xc081980000000000, "-563.0", "-563.0"),
        (0xc061c00000000000, "-142.0", "-142.0"),
        (0xc08471ae147ae148, "-654.21", "-654.21"),
        (0x4077533333333333, "373.2", "373.2"),
        (0xc04d7020c49ba5e3, "-58.876", "-58.876"),
        (0x4089091374bc6a7f, "801.1345", "801.1345"),
        (0x40853f9f7f8ca81a, "679.95288", "679.95288"),
        (0xc05deb22d0e56042, "-119.674", "-119.674"),
        (0x4063bcdf7a4e7ab7, "157.90228", "157.90228"),
        (0xc089e00000000000, "-828.0", "-828.0"),
        (0xc05e49f8a0902de0, "-121.1558", "-121.1558"),
        (0xc07a3a9205bc01a3, "-419.66065", "-419.66065"),
        (0x405ec66666666666, "123.1", "123.1"),
        (0x4046c85f06f69446, "45.5654", "45.5654"),
        (0xc07e6f924f227d03, "-486.97322", "-486.97322"),
        (0xc06db21cac083127, "-237.566", "-237.566"),
        (0xc0823c0000000000, "-583.5", "-583.5"),
        (0x408d470bac710cb3, "936.8807", "936.8807"),
        (0xc07c613333333333, "-454.075", "-454.075"),
        (0xc082b08624dd2f1b, "-598.0655", "-598.0655"),
        (0xc088180000000000, "-771.0", "-771.0"),
        (0x406a400000000000, "210.0", "210.0"),
        (0x4053400000000000, "77.0", "77.0"),
        (0x4040049ba5e353f8, "32.036", "32.036"),
        (0x4055ff95810624dd, "87.9935", "87.9935"),
        (0xc087a00000000000, "-756.0", "-756.0"),
        (0x4077e00000000000, "382.0", "382.0"),
    ];
    /// `(bits, "%.4g", "%.6g", "%.10g")` from CPython 3.11.
    const G: &[(u64, &str, &str, &str)] = &[
        (0x0000000000000000, "0", "0", "0"),
        (0x8000000000000000, "-0", "-0", "-0"),
        (0x3ff0000000000000, "1", "1", "1"),
        (0xbff0000000000000, "-1", "-1", "-1"),
        (0x3fb999999999999a, "0.1", "0.1", "0.1"),
        (0x3fc999999999999a, "0.2", "0.2", "0.2"),
        (0x3fd3333333333334, "0.3", "0.3", "0.3"),
        (0x3ee4f8b588e368f1, "1e-05", "1e-05", "1e-05"),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001", "0.0001"),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001", "0.0001"),
        (0x3f1a36e2eb1c432c, "0.0001", "0.0001", "0.0001"),
        (0x4341c37937e08000, "1e+16", "1e+16", "1e+16"),
        (0x430c6bf526340000, "1e+15", "1e+15", "1e+15"),
        (0x4341c37937e07fff, "1e+16", "1e+16", "1e+16"),
        (0x4480f0cf064dd592, "1e+22", "1e+22", "1e+22"),
        (0x44b52d02c7e14af6, "1e+23", "1e+23", "1e+23"),
        (
            0x0000000000000001,
            "4.941e-324",
            "4.94066e-324",
            "4.940656458e-324",
        ),
        (
            0x7fefffffffffffff,
            "1.798e+308",
            "1.79769e+308",
            "1.797693135e+308",
        ),
        (
            0x0010000000000000,
            "2.225e-308",
            "2.22507e-308",
            "2.225073859e-308",
        ),
        (0x4059000000000000, "100", "100", "100"),
        (0x4132d687e3d70a3d, "1.235e+06", "1.23457e+06", "1234567.89"),
        (
            0x3f0d7b9e14a91d46,
            "5.623e-05",
            "5.62341e-05",
            "5.623413252e-05",
        ),
        (
            0x3f34b96be9c2da2c,
            "0.0003162",
            "0.000316228",
            "0.000316227766",
        ),
        (
            0x3f5d22a4fa316fac,
            "0.001778",
            "0.00177828",
            "0.00177827941",
        ),
        (0x3eff75104d551d6c, "3e-05", "3e-05", "3e-05"),
        (0x3f50624dd2f1a9fc, "0.001", "0.001", "0.001"),
        (0x3f847ae147ae147b, "0.01", "0.01", "0.01"),
        (0x40c81c8000000000, "1.234e+04", "12345", "12345"),
        (0x40fe240000000000, "1.235e+05", "123456", "123456"),
        (0x40c3880000000000, "1e+04", "10000", "10000"),
        (0x40f869f800000000, "1e+05", "99999.5", "99999.5"),
        (0x3f202e4b6ce5dc68, "0.0001234", "0.00012345", "0.00012345"),
        (0x3f30624dd2f1a9fc, "0.00025", "0.00025", "0.00025"),
        (0x54b249ad2594c37d, "1e+100", "1e+100", "1e+100"),
        (0x434aa535d3d0c000, "1.5e+16", "1.5e+16", "1.5e+16"),
        (0x405edd2f1a9fbe77, "123.5", "123.456", "123.456"),
        (0x4004000000000000, "2.5", "2.5", "2.5"),
        (0x3fe0000000000000, "0.5", "0.5", "0.5"),
        (0x3fc0000000000000, "0.125", "0.125", "0.125"),
        (0x41dac2f9c5abb1d4, "1.796e+09", "1.79594e+09", "1795942167"),
        (0x3feccccccccccccd, "0.9", "0.9", "0.9"),
        (0x3e7ad7f29abcaf48, "1e-07", "1e-07", "1e-07"),
        (0x3e8421f5f40d8376, "1.5e-07", "1.5e-07", "1.5e-07"),
        (0x4011666666666666, "4.35", "4.35", "4.35"),
        (0x4005666666666666, "2.675", "2.675", "2.675"),
        (0x444b1ae4d6e2ef50, "1e+21", "1e+21", "1e+21"),
        (
            0x437b69b4ba630f35,
            "1.235e+17",
            "1.23457e+17",
            "1.23456789e+17",
        ),
        (0x3fe9999999999999, "0.8", "0.8", "0.8"),
        (0x3fd5555555555555, "0.3333", "0.333333", "0.3333333333"),
        (0x3fe5555555555555, "0.6667", "0.666667", "0.6666666667"),
        (
            0x00000000000007e8,
            "1e-320",
            "9.99989e-321",
            "9.999888672e-321",
        ),
        (0x3e45798ee2308c3a, "1e-08", "1e-08", "1e-08"),
        (0x3e501b2b29a4692c, "1.5e-08", "1.5e-08", "1.5e-08"),
        (
            0x3e336df73e2dbf07,
            "4.524e-09",
            "4.5238e-09",
            "4.523795535e-09",
        ),
        (0x3e7ad7f29abcaf48, "1e-07", "1e-07", "1e-07"),
        (0x3e8421f5f40d8376, "1.5e-07", "1.5e-07", "1.5e-07"),
        (
            0x3e6e0d73fddf7542,
            "5.598e-08",
            "5.59772e-08",
            "5.597723861e-08",
        ),
        (0x3eb0c6f7a0b5ed8d, "1e-06", "1e-06", "1e-06"),
        (0x3eb92a737110e454, "1.5e-06", "1.5e-06", "1.5e-06"),
        (
            0x3eaf02e8913a46bf,
            "9.242e-07",
            "9.24211e-07",
            "9.24210584e-07",
        ),
        (0x3ee4f8b588e368f1, "1e-05", "1e-05", "1e-05"),
        (0x3eef75104d551d6a, "1.5e-05", "1.5e-05", "1.5e-05"),
        (
            0x3ed387e12a977494,
            "4.657e-06",
            "4.6565e-06",
            "4.656500701e-06",
        ),
        (0x3f1a36e2eb1c432d, "0.0001", "0.0001", "0.0001"),
        (0x3f23a92a30553262, "0.00015", "0.00015", "0.00015"),
        (
            0x3f0aa02153d65483,
            "5.078e-05",
            "5.07841e-05",
            "5.078412731e-05",
        ),
        (0x3f50624dd2f1a9fc, "0.001", "0.001", "0.001"),
        (0x3f589374bc6a7efa, "0.0015", "0.0015", "0.0015"),
        (
            0x3f433f5750a65bd4,
            "0.0005874",
            "0.000587385",
            "0.0005873848288",
        ),
        (0x3f847ae147ae147b, "0.01", "0.01", "0.01"),
        (0x3f8eb851eb851eb8, "0.015", "0.015", "0.015"),
        (
            0x3f5e41375824d533,
            "0.001847",
            "0.0018466",
            "0.001846603439",
        ),
        (0x3fb999999999999a, "0.1", "0.1", "0.1"),
        (0x3fc3333333333334, "0.15", "0.15", "0.15"),
        (0x3faa35b05ca5172a, "0.05119", "0.0511909", "0.0511908639"),
        (0x3ff0000000000000, "1", "1", "1"),
        (0x3ff8000000000000, "1.5", "1.5", "1.5"),
        (0x3fe427ffce74b19f, "0.6299", "0.629883", "0.6298827202"),
        (0x4024000000000000, "10", "10", "10"),
        (0x402e000000000000, "15", "15", "15"),
        (0x401fb8154aee4d64, "7.93", "7.92977", "7.929768725"),
        (0x4059000000000000, "100", "100", "100"),
        (0x4062c00000000000, "150", "150", "150"),
        (0x4022d31ef72a3238, "9.412", "9.41235", "9.412345623"),
        (0x408f400000000000, "1000", "1000", "1000"),
        (0x4097700000000000, "1500", "1500", "1500"),
        (0x4072f66b925b971b, "303.4", "303.401", "303.4012626"),
        (0x40c3880000000000, "1e+04", "10000", "10000"),
        (0x40cd4c0000000000, "1.5e+04", "15000", "15000"),
        (0x408c55a49b9aef5e, "906.7", "906.705", "906.7053749"),
        (0x40f86a0000000000, "1e+05", "100000", "100000"),
        (0x41024f8000000000, "1.5e+05", "150000", "150000"),
        (0x40f3c4474146dc19, "8.096e+04", "80964.5", "80964.45344"),
        (0x412e848000000000, "1e+06", "1e+06", "1000000"),
        (0x4136e36000000000, "1.5e+06", "1.5e+06", "1500000"),
        (0x4125297cf70fa532, "6.934e+05", "693438", "693438.4825"),
        (0x416312d000000000, "1e+07", "1e+07", "10000000"),
        (0x416c9c3800000000, "1.5e+07", "1.5e+07", "15000000"),
        (0x41198fcd746d5e7e, "4.188e+05", "418803", "418803.3637"),
        (0x4197d78400000000, "1e+08", "1e+08", "100000000"),
        (0x41a1e1a300000000, "1.5e+08", "1.5e+08", "150000000"),
        (
            0x41976ad53851cb7e,
            "9.822e+07",
            "9.82193e+07",
            "98219342.08",
        ),
        (0x41cdcd6500000000, "1e+09", "1e+09", "1000000000"),
        (0x41d65a0bc0000000, "1.5e+09", "1.5e+09", "1500000000"),
        (
            0x41ccc0848a901292,
            "9.648e+08",
            "9.64758e+08",
            "964757781.1",
        ),
        (0x4202a05f20000000, "1e+10", "1e+10", "1e+10"),
        (0x420bf08eb0000000, "1.5e+10", "1.5e+10", "1.5e+10"),
        (0x41f85c4a8f756a1b, "6.539e+09", "6.53923e+09", "6539225335"),
        (0x42374876e8000000, "1e+11", "1e+11", "1e+11"),
        (0x424176592e000000, "1.5e+11", "1.5e+11", "1.5e+11"),
        (
            0x422caa144af3b6d3,
            "6.156e+10",
            "6.15563e+10",
            "6.155627046e+10",
        ),
        (0x426d1a94a2000000, "1e+12", "1e+12", "1e+12"),
        (0x4275d3ef79800000, "1.5e+12", "1.5e+12", "1.5e+12"),
        (
            0x424255b0969214cb,
            "1.575e+11",
            "1.57494e+11",
            "1.574940951e+11",
        ),
        (0x42a2309ce5400000, "1e+13", "1e+13", "1e+13"),
        (0x42ab48eb57e00000, "1.5e+13", "1.5e+13", "1.5e+13"),
        (
            0x42417691678c0649,
            "1.5e+11",
            "1.50007e+11",
            "1.500073695e+11",
        ),
        (0x42d6bcc41e900000, "1e+14", "1e+14", "1e+14"),
        (0x42e10d9316ec0000, "1.5e+14", "1.5e+14", "1.5e+14"),
        (
            0x42c8072ae240ebf0,
            "5.284e+13",
            "5.28381e+13",
            "5.283812662e+13",
        ),
        (0x430c6bf526340000, "1e+15", "1e+15", "1e+15"),
        (0x431550f7dca70000, "1.5e+15", "1.5e+15", "1.5e+15"),
        (
            0x42cb14a93c1aeb7d,
            "5.955e+13",
            "5.95511e+13",
            "5.955110517e+13",
        ),
        (0x4341c37937e08000, "1e+16", "1e+16", "1e+16"),
        (0x434aa535d3d0c000, "1.5e+16", "1.5e+16", "1.5e+16"),
        (
            0x431b07bc7d7f206d,
            "1.902e+15",
            "1.90208e+15",
            "1.902082628e+15",
        ),
        (0x4376345785d8a000, "1e+17", "1e+17", "1e+17"),
        (0x4380a741a4627800, "1.5e+17", "1.5e+17", "1.5e+17"),
        (
            0x43557d25b0a293a1,
            "2.419e+16",
            "2.41943e+16",
            "2.419430137e+16",
        ),
        (0x43abc16d674ec800, "1e+18", "1e+18", "1e+18"),
        (0x43b4d1120d7b1600, "1.5e+18", "1.5e+18", "1.5e+18"),
        (
            0x435ab7fd272ab896,
            "3.008e+16",
            "3.00826e+16",
            "3.008258922e+16",
        ),
        (0x43e158e460913d00, "1e+19", "1e+19", "1e+19"),
        (0x43ea055690d9db80, "1.5e+19", "1.5e+19", "1.5e+19"),
        (
            0x43d01890d60cb0b6,
            "4.639e+18",
            "4.63934e+18",
            "4.639344612e+18",
        ),
        (
            0x4ba48f1170c6a5b8,
            "2.521e+56",
            "2.52051e+56",
            "2.520508886e+56",
        ),
        (
            0x9de819a384e55160,
            "-1.308e-164",
            "-1.30783e-164",
            "-1.307832575e-164",
        ),
        (
            0x009687537ff12229,
            "8.02e-306",
            "8.02045e-306",
            "8.020454185e-306",
        ),
        (
            0xd3d08a4875139237,
            "-5.52e+95",
            "-5.52025e+95",
            "-5.520247603e+95",
        ),
        (
            0x7fb332c46822a6b2,
            "1.348e+307",
            "1.34815e+307",
            "1.348151135e+307",
        ),
        (
            0xa082e653b53302fc,
            "-4.511e-152",
            "-4.51074e-152",
            "-4.510736402e-152",
        ),
        (
            0x9d65b133c20ba2c2,
            "-4.598e-167",
            "-4.59829e-167",
            "-4.598285531e-167",
        ),
        (
            0x08fd1560079dd25a,
            "2.255e-265",
            "2.25492e-265",
            "2.254916431e-265",
        ),
        (
            0x8dcc7df266809a11,
            "-3.338e-242",
            "-3.33823e-242",
            "-3.338229032e-242",
        ),
        (
            0x088dc55562f28d1a,
            "1.803e-267",
            "1.80329e-267",
            "1.803287061e-267",
        ),
        (
            0x57aab877d8e94b15,
            "2.056e+114",
            "2.05634e+114",
            "2.056336735e+114",
        ),
        (
            0x1ad8052a36a80bdf,
            "2.315e-179",
            "2.31547e-179",
            "2.315467912e-179",
        ),
        (
            0xb00f2da278511608,
            "-3.366e-77",
            "-3.36576e-77",
            "-3.365758895e-77",
        ),
        (
            0x0959520a6b77730f,
            "1.256e-263",
            "1.25642e-263",
            "1.256422183e-263",
        ),
        (
            0xd6636c79c74c7ccf,
            "-1.426e+108",
            "-1.42555e+108",
            "-1.425545766e+108",
        ),
        (
            0x8b278a89563e9bed,
            "-6.271e-255",
            "-6.27136e-255",
            "-6.27135673e-255",
        ),
        (
            0x81f06b40552454f1,
            "-2.452e-299",
            "-2.45171e-299",
            "-2.451713448e-299",
        ),
        (
            0x761fdfa6c20ef164,
            "9.801e+260",
            "9.8014e+260",
            "9.801395231e+260",
        ),
        (
            0x1f89a3ef2274ea18,
            "9.338e-157",
            "9.33763e-157",
            "9.337626877e-157",
        ),
        (
            0x87aa964a02cdf2af,
            "-9.829e-272",
            "-9.82934e-272",
            "-9.829339851e-272",
        ),
        (
            0x3e5039c3cc099a1e,
            "1.511e-08",
            "1.51113e-08",
            "1.511130843e-08",
        ),
        (
            0x4796fbb0ae9ca08b,
            "7.637e+36",
            "7.63747e+36",
            "7.637466489e+36",
        ),
        (0x412280b2728a6fcf, "6.063e+05", "606297", "606297.2237"),
        (
            0x5daeb5a4fc3b66fa,
            "1.872e+143",
            "1.87241e+143",
            "1.872411899e+143",
        ),
        (
            0xd26541d96b52b08d,
            "-8.457e+88",
            "-8.45737e+88",
            "-8.457369072e+88",
        ),
        (
            0xb28a8e201dd377bf,
            "-3.152e-65",
            "-3.15196e-65",
            "-3.151956094e-65",
        ),
        (
            0x1b3f2eb6fd741069,
            "1.924e-177",
            "1.92377e-177",
            "1.923770299e-177",
        ),
        (
            0xeea27e9b45114889,
            "-8.557e+224",
            "-8.55718e+224",
            "-8.557180742e+224",
        ),
        (
            0x71434296ff769e37,
            "3.919e+237",
            "3.91927e+237",
            "3.919272922e+237",
        ),
        (
            0x97f9b00335f11af2,
            "-3.519e-193",
            "-3.51889e-193",
            "-3.518888127e-193",
        ),
        (
            0x6d5c38eafeef16e9,
            "6.227e+218",
            "6.22658e+218",
            "6.226583602e+218",
        ),
        (
            0x7ea170220ac793f5,
            "9.342e+301",
            "9.34249e+301",
            "9.342493962e+301",
        ),
        (
            0xb884701136971e1b,
            "-1.922e-36",
            "-1.92196e-36",
            "-1.921957963e-36",
        ),
        (
            0xe2e77eec027385c9,
            "-2.771e+168",
            "-2.77101e+168",
            "-2.771006993e+168",
        ),
        (
            0xa5edf848d48dd9f3,
            "-5.534e-126",
            "-5.53422e-126",
            "-5.534221772e-126",
        ),
        (
            0x09820a2912ca3f70,
            "7.161e-263",
            "7.16115e-263",
            "7.161151236e-263",
        ),
        (
            0x4a970dc5356f8bd1,
            "2.156e+51",
            "2.15636e+51",
            "2.156361756e+51",
        ),
        (
            0xccf6de7303f8670d,
            "-5.88e+62",
            "-5.87984e+62",
            "-5.879835797e+62",
        ),
        (
            0xcfa296035f27ff08,
            "-4.203e+75",
            "-4.20334e+75",
            "-4.203340802e+75",
        ),
        (
            0xfac4eccd20918fa7,
            "-2.431e+283",
            "-2.43092e+283",
            "-2.430924706e+283",
        ),
        (
            0x498b8cfed5157e9d,
            "1.966e+46",
            "1.96609e+46",
            "1.966088177e+46",
        ),
        (
            0x316ba0a2ddd4a054,
            "1.251e-70",
            "1.25093e-70",
            "1.250928196e-70",
        ),
        (
            0x93bab4c8a0931ed4,
            "-1.24e-213",
            "-1.23952e-213",
            "-1.239524062e-213",
        ),
        (
            0x1d3baa82e88e752f,
            "7.331e-168",
            "7.33077e-168",
            "7.330772512e-168",
        ),
        (
            0x184b6364b9b338eb,
            "1.201e-191",
            "1.2006e-191",
            "1.200596698e-191",
        ),
        (
            0x508253cabd4aeab0,
            "6.791e+79",
            "6.7909e+79",
            "6.790904903e+79",
        ),
        (
            0xf99e0d3fafdd8733,
            "-6.659e+277",
            "-6.65895e+277",
            "-6.658951177e+277",
        ),
        (
            0x3dc31756e1d7300f,
            "3.473e-11",
            "3.47266e-11",
            "3.472663496e-11",
        ),
        (
            0x061141336be49ee7,
            "1.901e-279",
            "1.90113e-279",
            "1.901127376e-279",
        ),
        (
            0x84f4018c1bea8593,
            "-8.409e-285",
            "-8.40863e-285",
            "-8.408631751e-285",
        ),
        (
            0xdeb2b49d3d0840fb,
            "-1.495e+148",
            "-1.49488e+148",
            "-1.494884948e+148",
        ),
        (
            0xb5dd469041c9886e,
            "-3.13e-49",
            "-3.12988e-49",
            "-3.129875758e-49",
        ),
        (
            0x4291caba4b1e943e,
            "4.891e+12",
            "4.8906e+12",
            "4.890601638e+12",
        ),
        (
            0x5c3489aeede26c2e,
            "1.493e+136",
            "1.49277e+136",
            "1.492768686e+136",
        ),
        (
            0x9d3c175d205bc308,
            "-7.443e-168",
            "-7.44344e-168",
            "-7.443440497e-168",
        ),
        (
            0x53a623088f32a1f2,
            "9.235e+94",
            "9.23516e+94",
            "9.235160789e+94",
        ),
        (
            0x1b2fee6b47bc7548,
            "9.85e-178",
            "9.84985e-178",
            "9.849847443e-178",
        ),
        (
            0x021f1f7abfbd7d14,
            "1.859e-298",
            "1.85894e-298",
            "1.858939684e-298",
        ),
        (
            0xb4a9a02444e9e4a5,
            "-5.225e-55",
            "-5.22545e-55",
            "-5.22545432e-55",
        ),
        (
            0x07bd02213fc2a908,
            "2.145e-271",
            "2.1449e-271",
            "2.144897263e-271",
        ),
        (
            0xa41753b02d1ef7bf,
            "-8.023e-135",
            "-8.02341e-135",
            "-8.023412281e-135",
        ),
        (
            0x493cd8f487efda6b,
            "6.433e+44",
            "6.4332e+44",
            "6.433203289e+44",
        ),
        (
            0x2e5ac5c71799e728,
            "2.153e-85",
            "2.15333e-85",
            "2.153333462e-85",
        ),
        (
            0xb9a4ede2e414a8aa,
            "-5.159e-31",
            "-5.15946e-31",
            "-5.159456825e-31",
        ),
        (
            0x5dcfd595a82cb2cd,
            "7.764e+143",
            "7.76396e+143",
            "7.763962983e+143",
        ),
        (
            0x047d84d0970216fc,
            "4.846e-287",
            "4.84644e-287",
            "4.846441323e-287",
        ),
        (
            0xf481d77d798c06fe,
            "-1.635e+253",
            "-1.6351e+253",
            "-1.635098889e+253",
        ),
        (
            0x27e93762b372c56b,
            "2e-116",
            "1.99993e-116",
            "1.999925911e-116",
        ),
        (
            0x4c977a1c05713dc6,
            "9.432e+60",
            "9.43152e+60",
            "9.431517127e+60",
        ),
        (
            0x889c52727b73ccf8,
            "-3.431e-267",
            "-3.43106e-267",
            "-3.431062962e-267",
        ),
        (
            0x117c4c8451a3b990,
            "1.911e-224",
            "1.91132e-224",
            "1.911316928e-224",
        ),
        (
            0xb9fee0ca13446df8,
            "-2.436e-29",
            "-2.43585e-29",
            "-2.435851284e-29",
        ),
        (
            0x05b106e3bcac6462,
            "2.931e-281",
            "2.9313e-281",
            "2.931297938e-281",
        ),
        (
            0xfb5003accb138653,
            "-9.525e+285",
            "-9.52545e+285",
            "-9.525446883e+285",
        ),
        (
            0x8adee1ce5a11cca5,
            "-2.571e-256",
            "-2.57093e-256",
            "-2.570927881e-256",
        ),
        (
            0x89f1115ce69d2f3b,
            "-8.672e-261",
            "-8.67245e-261",
            "-8.672452194e-261",
        ),
        (
            0x65302714f1b9ab7c,
            "2.618e+179",
            "2.61819e+179",
            "2.618192499e+179",
        ),
        (0x3ffd9073dd0c8b94, "1.848", "1.84777", "1.847766746"),
        (
            0xd4c51b979ffd6a18,
            "-2.308e+100",
            "-2.3084e+100",
            "-2.308400614e+100",
        ),
        (
            0x4a9538d96111b4b5,
            "1.985e+51",
            "1.98503e+51",
            "1.985029477e+51",
        ),
        (
            0x093f755f9bdeb398,
            "3.902e-264",
            "3.90249e-264",
            "3.902489023e-264",
        ),
        (
            0x51d800211734bc44,
            "1.865e+86",
            "1.865e+86",
            "1.865001372e+86",
        ),
        (
            0xa0ec0966fe4a5ce0,
            "-4.283e-150",
            "-4.28252e-150",
            "-4.282520964e-150",
        ),
        (
            0xaa4259edba6bc77c,
            "-4.001e-105",
            "-4.00072e-105",
            "-4.000718284e-105",
        ),
        (
            0xde15bae6ef2b1ae5,
            "-1.696e+145",
            "-1.6959e+145",
            "-1.695896633e+145",
        ),
        (
            0x3b37348070c61508,
            "1.919e-23",
            "1.91948e-23",
            "1.91947963e-23",
        ),
        (
            0x6006e31e84c955f1,
            "3.836e+154",
            "3.83584e+154",
            "3.835837161e+154",
        ),
        (
            0x4cf6ea684f6b8f60,
            "5.892e+62",
            "5.89185e+62",
            "5.891845833e+62",
        ),
        (
            0x02da6bab7b1ffc6a,
            "6.464e-295",
            "6.46378e-295",
            "6.463781884e-295",
        ),
        (
            0x596307eef517e382,
            "3.931e+122",
            "3.93142e+122",
            "3.931421718e+122",
        ),
        (
            0xe3d546797f4bd052,
            "-8.222e+172",
            "-8.22192e+172",
            "-8.221916193e+172",
        ),
        (
            0x72bdd708417e16c9,
            "5.094e+244",
            "5.09372e+244",
            "5.093717729e+244",
        ),
        (
            0x26883cd55e320f4a,
            "4.583e-123",
            "4.58313e-123",
            "4.583127579e-123",
        ),
        (
            0x4e4e16c8ad9a6296,
            "1.622e+69",
            "1.6224e+69",
            "1.622395649e+69",
        ),
        (
            0x95b5afe784b58297,
            "-4.323e-204",
            "-4.3232e-204",
            "-4.323196343e-204",
        ),
        (
            0xf7141e0fa8f51ac5,
            "-4.054e+265",
            "-4.05423e+265",
            "-4.054232168e+265",
        ),
        (
            0x72241b9e7f914fe8,
            "6.704e+241",
            "6.70398e+241",
            "6.703984117e+241",
        ),
        (
            0xb3cf153053b3b0ff,
            "-3.869e-59",
            "-3.86857e-59",
            "-3.868570885e-59",
        ),
        (
            0xd12c95ce32d1464e,
            "-1.085e+83",
            "-1.0846e+83",
            "-1.084600298e+83",
        ),
        (
            0x672aa0bacdc02ecd,
            "9.269e+188",
            "9.2688e+188",
            "9.268797777e+188",
        ),
        (
            0x9b6a8dffe1594dc4,
            "-1.311e-176",
            "-1.31061e-176",
            "-1.310610729e-176",
        ),
        (
            0xcaa3419238363a3c,
            "-3.602e+51",
            "-3.60229e+51",
            "-3.602288168e+51",
        ),
        (
            0x116e39d535bb8498,
            "1.021e-224",
            "1.02073e-224",
            "1.020734107e-224",
        ),
        (
            0x2ce537787f1876d3,
            "2.034e-92",
            "2.03427e-92",
            "2.034271032e-92",
        ),
        (
            0x8835b502b6125e0c,
            "-4.109e-269",
            "-4.1089e-269",
            "-4.108895955e-269",
        ),
        (
            0x15a6042cd26542ee,
            "2.194e-204",
            "2.19441e-204",
            "2.194408432e-204",
        ),
        (
            0xbc554082735dc327,
            "-4.608e-18",
            "-4.60829e-18",
            "-4.608290858e-18",
        ),
        (
            0x9b66fc50ecfcc396,
            "-1.134e-176",
            "-1.13446e-176",
            "-1.134458424e-176",
        ),
        (
            0xd018098461eeac37,
            "-6.958e+77",
            "-6.95829e+77",
            "-6.958287143e+77",
        ),
        (
            0xa85e1914ac11d871,
            "-3.055e-114",
            "-3.05548e-114",
            "-3.055476062e-114",
        ),
        (
            0x098f16a4520235bc,
            "1.234e-262",
            "1.23411e-262",
            "1.234106931e-262",
        ),
        (
            0x6fb8dcca47331d97,
            "1.508e+230",
            "1.50779e+230",
            "1.507789896e+230",
        ),
        (
            0xdab46b11ada219c6,
            "-8.846e+128",
            "-8.84579e+128",
            "-8.845786108e+128",
        ),
        (
            0xad56e8699211a8d8,
            "-2.811e-90",
            "-2.81142e-90",
            "-2.811420754e-90",
        ),
        (
            0x655050a0a637a18a,
            "1.058e+180",
            "1.0578e+180",
            "1.057799133e+180",
        ),
        (
            0x91648dc1a417a0fe,
            "-6.941e-225",
            "-6.94103e-225",
            "-6.941031593e-225",
        ),
        (
            0x184f3fcc746fe5b9,
            "1.37e-191",
            "1.36985e-191",
            "1.369846365e-191",
        ),
        (
            0xea329344c4eb26e0,
            "-3.64e+203",
            "-3.63992e+203",
            "-3.639922832e+203",
        ),
        (
            0x63be9abf3cc6d62d,
            "2.957e+172",
            "2.9568e+172",
            "2.956804087e+172",
        ),
        (
            0x060236cbcbfe2f8d,
            "1.003e-279",
            "1.00341e-279",
            "1.003414781e-279",
        ),
        (0xc05ac2764adff823, "-107", "-107.038", "-107.03847"),
        (0x4051b21f4b1ee243, "70.78", "70.7832", "70.78316"),
        (0x4083380000000000, "615", "615", "615"),
        (0x4077100000000000, "369", "369", "369"),
        (0x40843d70a3d70a3d, "647.7", "647.68", "647.68"),
        (0xc084180000000000, "-643", "-643", "-643"),
        (0x407fe1a161e4f766, "510.1", "510.102", "510.1019"),
        (0x407ac4cccccccccd, "428.3", "428.3", "428.3"),
        (0xc08118b851eb851f, "-547.1", "-547.09", "-547.09"),
        (0x4053d836113404ea, "79.38", "79.3783", "79.3783"),
        (0x3fe999999999999a, "0.8", "0.8", "0.8"),
        (0xc06a9ef66a550870, "-213", "-212.968", "-212.96758"),
        (0x4089600000000000, "812", "812", "812"),
        (0xc06661234eb9a177, "-179", "-179.036", "-179.03556"),
        (0xc06c01cac083126f, "-224.1", "-224.056", "-224.056"),
        (0xc0573b5f45e0b4e1, "-92.93", "-92.9277", "-92.92769"),
        (0x4088380000000000, "775", "775", "775"),
        (0xc06ecc9fbe76c8b4, "-246.4", "-246.394", "-246.3945"),
        (0x4073158fc504816f, "305.3", "305.348", "305.3476"),
        (0x40828c3d70a3d70a, "593.5", "593.53", "593.53"),
        (0xc0522568f08461fa, "-72.58", "-72.5845", "-72.58453"),
        (0x408e280000000000, "965", "965", "965"),
        (0x407bbdf0d844d014, "443.9", "443.871", "443.8713"),
        (0x408a800000000000, "848", "848", "848"),
        (0xc081eb4189374bc7, "-573.4", "-573.407", "-573.407"),
        (0x408e07eb851eb852, "961", "960.99", "960.99"),
        (0x40527a3d70a3d70a, "73.91", "73.91", "73.91"),
        (0xc07dc3bd31b9b670, "-476.2", "-476.234", "-476.23369"),
        (0x40863c8f5c28f5c3, "711.6", "711.57", "711.57"),
        (0x4022000000000000, "9", "9", "9"),
        (0xc05d8ca57a786c22, "-118.2", "-118.198", "-118.1976"),
        (0xc063a570a3d70a3d, "-157.2", "-157.17", "-157.17"),
        (0xc039000000000000, "-25", "-25", "-25"),
        (0xc081980000000000, "-563", "-563", "-563"),
        (0xc061c00000000000, "-142", "-142", "-142"),
        (0xc08471ae147ae148, "-654.2", "-654.21", "-654.21"),
        (0x4077533333333333, "373.2", "373.2", "373.2"),
        (0xc04d7020c49ba5e3, "-58.88", "-58.876", "-58.876"),
        (0x4089091374bc6a7f, "801.1", "801.135", "801.1345"),
        (0x40853f9f7f8ca81a, "680", "679.953", "679.95288"),
        (0xc05deb22d0e56042, "-119.7", "-119.674", "-119.674"),
        (0x4063bcdf7a4e7ab7, "157.9", "157.902", "157.90228"),
        (0xc089e00000000000, "-828", "-828", "-828"),
        (0xc05e49f8a0902de0, "-121.2", "-121.156", "-121.1558"),
        (0xc07a3a9205bc01a3, "-419.7", "-419.661", "-419.66065"),
        (0x405ec66666666666, "123.1", "123.1", "123.1"),
        (0x4046c85f06f69446, "45.57", "45.5654", "45.5654"),
        (0xc07e6f924f227d03, "-487", "-486.973", "-486.97322"),
        (0xc06db21cac083127, "-237.6", "-237.566", "-237.566"),
        (0xc0823c0000000000, "-583.5", "-583.5", "-583.5"),
        (0x408d470bac710cb3, "936.9", "936.881", "936.8807"),
        (0xc07c613333333333, "-454.1", "-454.075", "-454.075"),
        (0xc082b08624dd2f1b, "-598.1", "-598.066", "-598.0655"),
        (0xc088180000000000, "-771", "-771", "-771"),
        (0x406a400000000000, "210", "210", "210"),
        (0x4053400000000000, "77", "77", "77"),
        (0x4040049ba5e353f8, "32.04", "32.036", "32.036"),
        (0x4055ff95810624dd, "87.99", "87.9935", "87.9935"),
        (0xc087a00000000000, "-756", "-756", "-756"),
        (0x4077e00000000000, "382", "382", "382"),
        (0x3fe0000000000000, "0.5", "0.5", "0.5"),
        (0x3ff8000000000000, "1.5", "1.5", "1.5"),
        (0x4004000000000000, "2.5", "2.5", "2.5"),
        (0x3fd0000000000000, "0.25", "0.25", "0.25"),
        (0x3fd8000000000000, "0.375", "0.375", "0.375"),
        (0x40c81c8000000000, "1.234e+04", "12345", "12345"),
        (0x40934a0000000000, "1234", "1234.5", "1234.5"),
        (0x3f5439de481f5382, "0.001234", "0.0012345", "0.0012345"),
        (0x3eea36e2eb1c432d, "1.25e-05", "1.25e-05", "1.25e-05"),
        (0x4021000000000000, "8.5", "8.5", "8.5"),
        (0x4023000000000000, "9.5", "9.5", "9.5"),
        (0x40f869b000000000, "1e+05", "99995", "99995"),
        (0x412e841c00000000, "1e+06", "999950", "999950"),
        (0x4023ffbe76c8b439, "9.999", "9.9995", "9.9995"),
        (0x3f506218230c7483, "0.001", "0.00099995", "0.00099995"),
        (0x3f1a36da54164f1a, "0.0001", "9.99995e-05", "9.99995e-05"),
        (0x40f13d2840000000, "7.061e+04", "70610.5", "70610.51562"),
        (0x40fa7b4680000000, "1.085e+05", "108468", "108468.4062"),
        (0x41213acc80000000, "5.646e+05", "564582", "564582.25"),
        (0x40ee484740000000, "6.202e+04", "62018.2", "62018.22656"),
        (0x40f0407980000000, "6.657e+04", "66567.6", "66567.59375"),
        (0x40ebc15fc0000000, "5.684e+04", "56843", "56842.99219"),
        (0x4110cca6a0000000, "2.752e+05", "275242", "275241.6562"),
        (0x410bce1b00000000, "2.278e+05", "227779", "227779.375"),
        (0x40cad9bb40000000, "1.375e+04", "13747.5", "13747.46289"),
        (0x40de1ecc00000000, "3.084e+04", "30843.2", "30843.1875"),
        (0x4090923180000000, "1061", "1060.55", "1060.54834"),
        (0x4117553400000000, "3.823e+05", "382285", "382285"),
        (0x4128d87c80000000, "8.141e+05", "814142", "814142.25"),
        (0x414d16d580000000, "3.813e+06", "3.81278e+06", "3812779"),
        (0x41022e6240000000, "1.489e+05", "148940", "148940.2812"),
        (0x4126be01c0000000, "7.452e+05", "745217", "745216.875"),
        (0x414fecb640000000, "4.184e+06", "4.18443e+06", "4184428.5"),
        (0x40affab300000000, "4093", "4093.35", "4093.349609"),
        (0x4152a1aee0000000, "4.884e+06", "4.88416e+06", "4884155.5"),
        (0x40d055c340000000, "1.673e+04", "16727.1", "16727.05078"),
        (0x40a0091240000000, "2053", "2052.54", "2052.535645"),
        (0x40994f2e00000000, "1620", "1619.79", "1619.794922"),
        (0x4100f8a4a0000000, "1.39e+05", "139029", "139028.5781"),
        (0x40b7cedc00000000, "6095", "6094.86", "6094.859375"),
        (0x40da752dc0000000, "2.709e+04", "27092.7", "27092.71484"),
        (0x40c471fc00000000, "1.047e+04", "10468", "10467.96875"),
        (0x40aa256580000000, "3347", "3346.7", "3346.698242"),
        (0x40c1169140000000, "8749", "8749.13", "8749.134766"),
        (0x40cbf2b080000000, "1.431e+04", "14309.4", "14309.37891"),
        (0x40cbab8100000000, "1.417e+04", "14167", "14167.00781"),
        (0x4142c5cb20000000, "2.461e+06", "2.46057e+06", "2460566.25"),
        (0x409dc7c080000000, "1906", "1905.94", "1905.937988"),
        (0x41363f02c0000000, "1.458e+06", "1.45792e+06", "1457922.75"),
        (0x40c43746c0000000, "1.035e+04", "10350.6", "10350.55273"),
        (0x412428c540000000, "6.606e+05", "660579", "660578.625"),
        (0x411bec2780000000, "4.575e+05", "457482", "457481.875"),
        (0x4118cbef00000000, "4.063e+05", "406268", "406267.75"),
        (0x412ea2f080000000, "1.004e+06", "1.0039e+06", "1003896.25"),
        (0x40f690a200000000, "9.243e+04", "92426.1", "92426.125"),
        (0x4148d35640000000, "3.254e+06", "3.25393e+06", "3253932.5"),
        (0x40fbd3b800000000, "1.14e+05", "113980", "113979.5"),
        (0x40b1628600000000, "4451", "4450.52", "4450.523438"),
        (0x411020e080000000, "2.642e+05", "264248", "264248.125"),
        (0x40b9c720c0000000, "6599", "6599.13", "6599.12793"),
        (0x41022f5800000000, "1.49e+05", "148971", "148971"),
        (0x40b9b83580000000, "6584", "6584.21", "6584.208984"),
        (0x4106e2b740000000, "1.875e+05", "187479", "187478.9062"),
        (0x408d8b8700000000, "945.4", "945.441", "945.440918"),
        (0x40c02e89e0000000, "8285", "8285.08", "8285.077148"),
        (0x40d5fbda80000000, "2.251e+04", "22511.4", "22511.41406"),
        (0x4138316480000000, "1.586e+06", "1.58551e+06", "1585508.5"),
        (0x414eda4b40000000, "4.044e+06", "4.04393e+06", "4043926.5"),
        (0x4118e35800000000, "4.078e+05", "407766", "407766"),
        (0x40d1a74b00000000, "1.808e+04", "18077.2", "18077.17188"),
        (0x40d07970e0000000, "1.687e+04", "16869.8", "16869.76367"),
        (0x413ecd3dc0000000, "2.019e+06", "2.01862e+06", "2018621.75"),
        (0x412843de00000000, "7.951e+05", "795119", "795119"),
        (0x410d6d2b00000000, "2.411e+05", "241061", "241061.375"),
        (0x4126143500000000, "7.235e+05", "723482", "723482.5"),
        (0x40b21e3840000000, "4638", "4638.22", "4638.219727"),
        (0x40a8621200000000, "3121", "3121.04", "3121.035156"),
        (0x410fb74600000000, "2.598e+05", "259817", "259816.75"),
        (0x414d929140000000, "3.876e+06", "3.87613e+06", "3876130.5"),
        (0x40e8c23f00000000, "5.071e+04", "50706", "50705.96875"),
        (0x40e9044000000000, "5.123e+04", "51234", "51234"),
        (0x40db4ad980000000, "2.795e+04", "27947.4", "27947.39844"),
        (0x40f6b14740000000, "9.295e+04", "92948.5", "92948.45312"),
        (0x40bae41200000000, "6884", "6884.07", "6884.070312"),
        (0x4157e1c140000000, "6.26e+06", "6.26048e+06", "6260485"),
        (0x40f4edec00000000, "8.573e+04", "85726.8", "85726.75"),
        (0x40e733d480000000, "4.752e+04", "47518.6", "47518.64062"),
        (0x410d0d8880000000, "2.38e+05", "238001", "238001.0625"),
        (0x40f7b141c0000000, "9.704e+04", "97044.1", "97044.10938"),
        (0x40b8f9e300000000, "6394", "6393.89", "6393.886719"),
        (0x4135213b80000000, "1.385e+06", "1.38476e+06", "1384763.5"),
        (0x416066e600000000, "8.599e+06", "8.59934e+06", "8599344"),
        (0x4144b77280000000, "2.715e+06", "2.71536e+06", "2715365"),
        (0x40c9e37dc0000000, "1.325e+04", "13255", "13254.98242"),
        (0x40c870fb00000000, "1.251e+04", "12514", "12513.96094"),
        (0x4112b52a40000000, "3.065e+05", "306507", "306506.5625"),
        (0x4110876700000000, "2.708e+05", "270810", "270809.75"),
        (0x408dc42300000000, "952.5", "952.517", "952.5170898"),
        (0x40e47c1780000000, "4.195e+04", "41952.7", "41952.73438"),
        (0x40f10d3100000000, "6.984e+04", "69843.1", "69843.0625"),
        (0x40b13e7480000000, "4414", "4414.46", "4414.455078"),
        (0x40f7abeb40000000, "9.696e+04", "96958.7", "96958.70312"),
        (0x40e73d0400000000, "4.759e+04", "47592.1", "47592.125"),
        (0x409a795d80000000, "1694", "1694.34", "1694.341309"),
        (0x4137a81900000000, "1.55e+06", "1.55036e+06", "1550361"),
        (0x4115deb800000000, "3.583e+05", "358318", "358318"),
        (0x414e017b40000000, "3.933e+06", "3.93292e+06", "3932918.5"),
        (0x40b5b2a000000000, "5555", "5554.62", "5554.625"),
        (0x40f9613800000000, "1.04e+05", "103956", "103955.5"),
        (0x40b1786e80000000, "4472", "4472.43", "4472.431641"),
        (0x410320a080000000, "1.567e+05", "156692", "156692.0625"),
        (0x40aba77480000000, "3540", "3539.73", "3539.727539"),
        (0x40c9fe0e40000000, "1.331e+04", "13308.1", "13308.11133"),
        (0x40c74a8300000000, "1.193e+04", "11925", "11925.02344"),
        (0x40d3ab6500000000, "2.014e+04", "20141.6", "20141.57812"),
        (0x40f0786840000000, "6.746e+04", "67462.5", "67462.51562"),
    ];
    /// `(bits, p, "%.{p}g")` from CPython 3.11.
    const G_OTHER: &[(u64, usize, &str)] = &[
        (0x3fe0000000000000, 1, "0.5"),
        (0x3ff8000000000000, 1, "2"),
        (0x4004000000000000, 1, "2"),
        (0x3fc0000000000000, 2, "0.12"),
        (0x3fd8000000000000, 2, "0.38"),
        (0x405edd2f1a9fbe77, 1, "1e+02"),
        (0x405edd2f1a9fbe77, 2, "1.2e+02"),
        (0x405edd2f1a9fbe77, 3, "123"),
        (0x3ee4f8b588e368f1, 1, "1e-05"),
        (0x4023000000000000, 1, "1e+01"),
        (0x3f201f31f46ed246, 17, "0.00012300000000000001"),
        (0x3fb999999999999a, 17, "0.10000000000000001"),
        (0x3fb999999999999a, 20, "0.10000000000000000555"),
        (0x7e37e43c8800759c, 25, "1.00000000000000005250476e+300"),
        (0x405edd2f1a9fbe77, 0, "1e+02"),
        (0x0000000000000001, 3, "4.94e-324"),
    ];
    /// `(s, json.dumps(s), repr(s), shlex.quote(s))` from CPython 3.11.
    const STRINGS: &[(&str, &str, &str, &str)] = &[
        ("", "\"\"", "''", "''"),
        ("a", "\"a\"", "'a'", "a"),
        ("it's", "\"it's\"", "\"it's\"", "'it'\"'\"'s'"),
        (
            "say \"hi\"",
            "\"say \\\"hi\\\"\"",
            "'say \"hi\"'",
            "'say \"hi\"'",
        ),
        (
            "both ' and \"",
            "\"both ' and \\\"\"",
            "'both \\' and \"'",
            "'both '\"'\"' and \"'",
        ),
        (
            "back\\slash",
            "\"back\\\\slash\"",
            "'back\\\\slash'",
            "'back\\slash'",
        ),
        (
            "tab\u{9}here",
            "\"tab\\there\"",
            "'tab\\there'",
            "'tab\u{9}here'",
        ),
        (
            "new\u{a}line",
            "\"new\\nline\"",
            "'new\\nline'",
            "'new\u{a}line'",
        ),
        ("cr\u{d}x", "\"cr\\rx\"", "'cr\\rx'", "'cr\u{d}x'"),
        (
            "\u{0}\u{1}\u{1f}\u{7f}",
            "\"\\u0000\\u0001\\u001f\\u007f\"",
            "'\\x00\\x01\\x1f\\x7f'",
            "'\u{0}\u{1}\u{1f}\u{7f}'",
        ),
        ("\u{8}\u{c}", "\"\\b\\f\"", "'\\x08\\x0c'", "'\u{8}\u{c}'"),
        ("\u{fc}", "\"\\u00fc\"", "'\u{fc}'", "'\u{fc}'"),
        (
            "opt-\u{fc}",
            "\"opt-\\u00fc\"",
            "'opt-\u{fc}'",
            "'opt-\u{fc}'",
        ),
        (
            "na\u{ef}ve caf\u{e9}",
            "\"na\\u00efve caf\\u00e9\"",
            "'na\u{ef}ve caf\u{e9}'",
            "'na\u{ef}ve caf\u{e9}'",
        ),
        (
            "\u{80}\u{9f}\u{a0}\u{ad}\u{ff}",
            "\"\\u0080\\u009f\\u00a0\\u00ad\\u00ff\"",
            "'\\x80\\x9f\\xa0\\xad\u{ff}'",
            "'\u{80}\u{9f}\u{a0}\u{ad}\u{ff}'",
        ),
        (
            "\u{2028}\u{2029}",
            "\"\\u2028\\u2029\"",
            "'\\u2028\\u2029'",
            "'\u{2028}\u{2029}'",
        ),
        (
            "\u{200b}\u{200e}\u{feff}",
            "\"\\u200b\\u200e\\ufeff\"",
            "'\\u200b\\u200e\\ufeff'",
            "'\u{200b}\u{200e}\u{feff}'",
        ),
        (
            "\u{100}\u{378}",
            "\"\\u0100\\u0378\"",
            "'\u{100}\\u0378'",
            "'\u{100}\u{378}'",
        ),
        (
            "\u{1f600}",
            "\"\\ud83d\\ude00\"",
            "'\u{1f600}'",
            "'\u{1f600}'",
        ),
        (
            "\u{e0001}",
            "\"\\udb40\\udc01\"",
            "'\\U000e0001'",
            "'\u{e0001}'",
        ),
        (
            "\u{10ffff}",
            "\"\\udbff\\udfff\"",
            "'\\U0010ffff'",
            "'\u{10ffff}'",
        ),
        ("\u{e000}", "\"\\ue000\"", "'\\ue000'", "'\u{e000}'"),
        (
            "\u{1f600} grin",
            "\"\\ud83d\\ude00 grin\"",
            "'\u{1f600} grin'",
            "'\u{1f600} grin'",
        ),
        (
            "\u{65e5}\u{672c}\u{8a9e}",
            "\"\\u65e5\\u672c\\u8a9e\"",
            "'\u{65e5}\u{672c}\u{8a9e}'",
            "'\u{65e5}\u{672c}\u{8a9e}'",
        ),
        ("lr=0.001", "\"lr=0.001\"", "'lr=0.001'", "lr=0.001"),
        ("a b", "\"a b\"", "'a b'", "'a b'"),
        (
            "x;rm -rf /",
            "\"x;rm -rf /\"",
            "'x;rm -rf /'",
            "'x;rm -rf /'",
        ),
        ("o'neil", "\"o'neil\"", "\"o'neil\"", "'o'\"'\"'neil'"),
        ("$HOME", "\"$HOME\"", "'$HOME'", "'$HOME'"),
        ("@%+=:,./-_", "\"@%+=:,./-_\"", "'@%+=:,./-_'", "@%+=:,./-_"),
        ("A-Z_0-9", "\"A-Z_0-9\"", "'A-Z_0-9'", "A-Z_0-9"),
        ("tab\u{9}", "\"tab\\t\"", "'tab\\t'", "'tab\u{9}'"),
        ("~tilde", "\"~tilde\"", "'~tilde'", "'~tilde'"),
        ("*", "\"*\"", "'*'", "'*'"),
        ("a/b.c", "\"a/b.c\"", "'a/b.c'", "a/b.c"),
        ("\u{3000}", "\"\\u3000\"", "'\\u3000'", "'\u{3000}'"),
        ("\u{a0}", "\"\\u00a0\"", "'\\xa0'", "'\u{a0}'"),
        (
            "\u{600}\u{61c}",
            "\"\\u0600\\u061c\"",
            "'\\u0600\\u061c'",
            "'\u{600}\u{61c}'",
        ),
        (
            "\u{16fe4}",
            "\"\\ud81b\\udfe4\"",
            "'\u{16fe4}'",
            "'\u{16fe4}'",
        ),
        (
            "\u{1fae0}",
            "\"\\ud83e\\udee0\"",
            "'\u{1fae0}'",
            "'\u{1fae0}'",
        ),
        (
            "\u{11f00}",
            "\"\\ud807\\udf00\"",
            "'\\U00011f00'",
            "'\u{11f00}'",
        ),
        (
            "\u{3a9}\u{2248}\u{e7}\u{221a}",
            "\"\\u03a9\\u2248\\u00e7\\u221a\"",
            "'\u{3a9}\u{2248}\u{e7}\u{221a}'",
            "'\u{3a9}\u{2248}\u{e7}\u{221a}'",
        ),
        ("\u{1b}[0m", "\"\\u001b[0m\"", "'\\x1b[0m'", "'\u{1b}[0m'"),
        (
            "{\"k\": [1, 2]}",
            "\"{\\\"k\\\": [1, 2]}\"",
            "'{\"k\": [1, 2]}'",
            "'{\"k\": [1, 2]}'",
        ),
        (
            "trailing\\",
            "\"trailing\\\\\"",
            "'trailing\\\\'",
            "'trailing\\'",
        ),
    ];
}
