//! Python's text of a float: `repr`, `'%g'` and `json.dumps`.

use std::fmt::Write as _;

/// Python `repr(float)` (also `str(float)`): the shortest digit string that
/// round-trips, positional for decimal exponents in `-4..16` (always with a
/// fractional part, `1.0`), otherwise scientific (`1e-05`, `1.5e+16`);
/// `nan`, `inf`, `-inf`, `-0.0`.
pub(crate) fn repr_f64(x: f64) -> String {
    let mut out = String::with_capacity(24);
    push_repr(&mut out, x);
    out
}

/// [`repr_f64`], appended to `out`.
pub(crate) fn push_repr(out: &mut String, x: f64) {
    if let Some(s) = non_finite(x, "nan", "inf", "-inf") {
        out.push_str(s);
        return;
    }
    let s = Shortest::of(x.abs());
    if x.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&s.exp) {
        push_positional(out, s.digits(), s.exp);
        if s.n as i32 <= s.exp + 1 {
            out.push_str(".0");
        }
    } else {
        push_scientific(out, s.digits(), s.exp, false);
    }
}

/// Python `'%.{precision}g' % x`: the exact binary value rounded to `precision`
/// significant digits (ties to even), positional if the decimal exponent is in
/// `-4..precision`, else scientific; trailing zeros and a bare point removed.
/// A precision of 0 is treated as 1, as Python does.
pub(crate) fn fmt_g(x: f64, precision: usize) -> String {
    let mut out = String::new();
    fmt_g_into(&mut out, x, precision);
    out
}

/// [`fmt_g`], appended to `out` (no allocation for the common values).
pub(crate) fn fmt_g_into(out: &mut String, x: f64, precision: usize) {
    if !g_scaled(out, x, precision) && !g_fast(out, x, precision) {
        out.push_str(&printf_g(x, precision, false));
    }
}

/// `%.{precision}g` of `x` by scaling it to an integer of `precision` digits in one
/// floating-point operation by an exact power of ten (relative error at most 2^-53,
/// so under 1.2e-16 · 10^precision absolute). The rounding of that integer is the
/// exact value's when the scaled value is not within 10^(precision − 15) of a
/// half-integer; false (nothing written) then, and for precisions above 12, values
/// far from 1 (the power of ten not exact), zero, NaN and infinities.
fn g_scaled(out: &mut String, x: f64, precision: usize) -> bool {
    g_scaled_parts(x, precision).is_some_and(|(digits, k, e)| {
        if x.is_sign_negative() {
            out.push('-');
        }
        let digits = std::str::from_utf8(&digits[..k]).unwrap_or("0");
        if e >= -4 && e < precision.max(1) as i32 {
            push_positional(out, digits, e);
        } else {
            push_scientific(out, digits, e, false);
        }
        true
    })
}

/// The digits (ASCII, `k` of them, no trailing zeros) and decimal exponent of
/// [`g_scaled`].
fn g_scaled_parts(x: f64, precision: usize) -> Option<([u8; 12], usize, i32)> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let p = precision.max(1);
    if p > 12 || !x.is_normal() {
        return None;
    }
    let a = x.abs();
    // The decimal exponent from the binary one: right or one too small
    // (78913 / 2^18 is log10(2) to within 2e-7; the shift floors).
    let e2 = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut e = (e2 * 78_913) >> 18;
    let lo = POW10[p - 1];
    let hi = POW10[p];
    let mut scaled = 0.0;
    for _ in 0..2 {
        let k = p as i32 - 1 - e;
        scaled = match k {
            0.. => a * *POW10.get(k as usize)?,
            _ => a / *POW10.get((-k) as usize)?,
        };
        if scaled >= hi {
            e += 1;
        } else {
            break;
        }
    }
    if !(lo..hi).contains(&scaled) {
        return None;
    }
    let tolerance = 1.2e-16 * hi * 4.0;
    // Positive and below 1e12: the casts truncate, which is floor here.
    let whole = scaled as u64;
    if ((scaled - whole as f64) - 0.5).abs() <= tolerance {
        return None;
    }
    let mut n = (scaled + 0.5) as u64;
    if n as f64 >= hi {
        // 9.999995 -> 10.0000: one more digit before the point.
        n /= 10;
        e += 1;
    }
    let mut digits = [0u8; 12];
    for d in digits[..p].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut k = p;
    while k > 1 && digits[k - 1] == b'0' {
        k -= 1;
    }
    Some((digits, k, e))
}

/// `%.{precision}g` of a finite `x` from its shortest round-trip digits, without
/// the exact (slow) expansion. For a normal double and at most 15 digits, half a
/// unit of the last place shown (relative: over 5e-16) exceeds the distance from the
/// exact value to the shortest digits (half an ulp, relative: at most 1.2e-16). So
/// when the shortest digits have at most `precision` digits they are the answer;
/// when they have more, rounding them gives what
/// rounding the exact value gives, unless they end in exactly `5` at the first
/// dropped place (a decimal midpoint strictly between the exact value and the
/// shortest digits would itself round-trip and be at least as short, so the
/// shortest digits lie on the exact value's side of every midpoint but that one).
/// Appended to `out`; false, with nothing written, in that case and for NaN,
/// infinities, subnormals and precisions above 15.
fn g_fast(out: &mut String, x: f64, precision: usize) -> bool {
    if !x.is_finite() || precision > 15 || (x != 0.0 && x.abs() < f64::MIN_POSITIVE) {
        return false;
    }
    let p = precision.max(1);
    let Shortest {
        d: mut digits,
        n: mut k,
        mut exp,
    } = Shortest::of(x.abs());
    if k > p {
        let up = match digits[p] {
            b'6'..=b'9' => true,
            b'5' if k > p + 1 => true,
            b'5' => return false,
            _ => false,
        };
        k = p;
        if up {
            k = round_up(&mut digits, p, &mut exp);
        }
    }
    while k > 1 && digits[k - 1] == b'0' {
        k -= 1;
    }
    let Ok(digits) = std::str::from_utf8(&digits[..k]) else {
        return false;
    };
    if x.is_sign_negative() {
        out.push('-');
    }
    if exp >= -4 && i64::from(exp) < p as i64 {
        push_positional(out, digits, exp);
    } else {
        push_scientific(out, digits, exp, false);
    }
    true
}

/// Python `'%.{precision}g' % x`, or with `alt` the `'%#.{precision}g'` form,
/// which keeps the trailing zeros and always writes the point (`1.00`, `100.`,
/// `1.e+16`).
pub(crate) fn printf_g(x: f64, precision: usize, alt: bool) -> String {
    if let Some(s) = non_finite(x, "nan", "inf", "-inf") {
        return s.to_owned();
    }
    let p = precision.max(1);
    // With a precision, `{:e}` rounds the exact binary value correctly (ties to
    // even), and carries into the exponent (9.9995 -> 1.000e1).
    let (mut digits, exp) = sci_parts(&format!("{:.*e}", p - 1, x.abs()));
    while !alt && digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if exp >= -4 && i64::from(exp) < p as i64 {
        push_positional(&mut out, &digits, exp);
        if alt && digits.len() as i32 == exp + 1 {
            out.push('.');
        }
    } else {
        push_scientific(&mut out, &digits, exp, alt);
    }
    out
}

/// Python `'%.{precision}e' % x`, or with `alt` the `'%#.{precision}e'` form,
/// which writes the point even without decimals (`1.e+16`).
pub(crate) fn printf_e(x: f64, precision: usize, alt: bool) -> String {
    if let Some(s) = non_finite(x, "nan", "inf", "-inf") {
        return s.to_owned();
    }
    let (digits, exp) = sci_parts(&format!("{:.*e}", precision, x.abs()));
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    push_scientific(&mut out, &digits, exp, alt);
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

/// The shortest significant digits that round-trip to a finite, non-negative
/// double, as Python's dtoa mode 0 chooses them: of the shortest strings that
/// round-trip, the closest to the exact binary value, and of two equally close
/// (1902082627979291.25 -> ...291.2 or ...291.3) the one ending in an even digit.
/// zmij (Schubfach; serde_json's float writer, already linked) makes the same
/// choice in a fixed number of integer operations; the standard library's `{:e}`
/// rounds such ties up and would need the exact expansion to check.
pub(super) struct Shortest {
    /// The ASCII digits, `d[..n]`, no trailing zeros (`0` for zero).
    pub(super) d: [u8; 32],
    /// How many digits.
    pub(super) n: usize,
    /// The decimal exponent of the first digit.
    pub(super) exp: i32,
}

impl Shortest {
    /// The shortest digits of `x` (finite, non-negative).
    pub(super) fn of(x: f64) -> Shortest {
        let mut buf = zmij::Buffer::new();
        // zmij writes `123.0`, `0.0001`, `1.5e-7` or `1e+16`: at most 17 digits.
        let dec = Decimal::parse(buf.format_finite(x).as_bytes());
        let mut s = Shortest {
            d: [b'0'; 32],
            n: 1,
            exp: 0,
        };
        if let Some(Decimal {
            d,
            n,
            exp: Some(exp),
            ..
        }) = dec
        {
            (s.d, s.n, s.exp) = (d, n, exp);
            while s.n > 1 && s.d[s.n - 1] == b'0' {
                s.n -= 1;
            }
        }
        s
    }

    /// The digits as text.
    pub(super) fn digits(&self) -> &str {
        std::str::from_utf8(&self.d[..self.n]).unwrap_or("0")
    }
}

/// The significant digits of a decimal number's text without a sign (`123.0`,
/// `0.0001`, `1.5e-7`, `1E+16`): leading zeros skipped, the first 32 kept.
struct Decimal {
    /// The ASCII digits, `d[..n]`.
    d: [u8; 32],
    n: usize,
    /// The decimal exponent of the first digit; None when every digit is zero.
    exp: Option<i32>,
    /// A nonzero digit past the 32nd was dropped.
    tail_nonzero: bool,
}

impl Decimal {
    /// `text` read, or None when it is not such a number (or its exponent is
    /// past an i32).
    fn parse(text: &[u8]) -> Option<Decimal> {
        // The exponent, if any, is after the last digit of the mantissa: search from
        // the end (a float as Python writes it has none, or a short one).
        let e_at = text
            .iter()
            .rposition(|&c| c | 0x20 == b'e')
            .unwrap_or(text.len());
        let exp10: i32 = match text.get(e_at + 1..) {
            None => 0,
            Some(e) => std::str::from_utf8(e).ok()?.parse().ok()?,
        };
        let mantissa = &text[..e_at];
        let dot = mantissa
            .iter()
            .position(|&c| c == b'.')
            .unwrap_or(mantissa.len());
        let mut dec = Decimal {
            d: [b'0'; 32],
            n: 0,
            exp: None,
            tail_nonzero: false,
        };
        let mut first: Option<i32> = None;
        for (j, &c) in mantissa.iter().enumerate() {
            if j == dot {
                continue;
            }
            if !c.is_ascii_digit() {
                return None;
            }
            if first.is_none() {
                if c == b'0' {
                    continue;
                }
                first = Some(if j < dot {
                    (dot - 1 - j) as i32
                } else {
                    -((j - dot) as i32)
                });
            }
            if dec.n < dec.d.len() {
                dec.d[dec.n] = c;
                dec.n += 1;
            } else if c != b'0' {
                dec.tail_nonzero = true;
            }
        }
        dec.exp = match first {
            Some(f) => Some(f.checked_add(exp10)?),
            None => None,
        };
        Some(dec)
    }
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

/// Writes `d.ddd × 10^exp` as Python does: `1e-05`, `1.5e+16`, `1e+100`; with
/// `point`, a single digit gets its point too (`1.e-05`).
fn push_scientific(out: &mut String, digits: &str, exp: i32, point: bool) {
    out.push_str(&digits[..1]);
    if point || digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exp.unsigned_abs());
}

/// `%.{precision}g` of the float a JSON number `token` (with a point or an
/// exponent) parses to, read from its digits without parsing it: the double is
/// within half an ulp (relative 1.2e-16) of the text, so rounding the text's digits
/// gives the double's rounding unless the digits after the last shown one are
/// within 1e-9 (in units of that digit, relative 1e-9 · 10^-precision) of a half.
/// False, with nothing written, then and for precisions above 9, a value outside
/// 1e-290 to 1e290 (far from subnormals) or text that is not such a token.
pub(crate) fn g_of_token(out: &mut String, token: &str, precision: usize) -> bool {
    let p = precision.max(1);
    if p > 9 {
        return false;
    }
    let (negative, rest) = match token.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, token),
    };
    let Some(Decimal {
        d: mut digits,
        n: mut k,
        exp,
        tail_nonzero,
    }) = Decimal::parse(rest.as_bytes())
    else {
        return false;
    };
    let Some(mut exp) = exp else {
        // All zeros: 0.0 or -0.0.
        out.push_str(if negative { "-0" } else { "0" });
        return true;
    };
    if !(-290..=290).contains(&exp) {
        return false;
    }
    if k > p {
        // The dropped digits as a fraction of the last kept one, against a half.
        let dropped = &digits[p..k];
        let near = |d: u8, rest: u8| {
            dropped[0] == d && dropped[1..].iter().take(9).all(|&c| c == rest) && dropped.len() > 9
        };
        let exact_half =
            dropped[0] == b'5' && dropped[1..].iter().all(|&c| c == b'0') && !tail_nonzero;
        if exact_half || near(b'4', b'9') || near(b'5', b'0') {
            return false;
        }
        let up = dropped[0] >= b'5';
        k = p;
        if up {
            k = round_up(&mut digits, p, &mut exp);
        }
    }
    while k > 1 && digits[k - 1] == b'0' {
        k -= 1;
    }
    let Ok(digits) = std::str::from_utf8(&digits[..k]) else {
        return false;
    };
    if negative {
        out.push('-');
    }
    if exp >= -4 && exp < p as i32 {
        push_positional(out, digits, exp);
    } else {
        push_scientific(out, digits, exp, false);
    }
    true
}

/// Add one unit in the last place of the decimal digits `digits[..len]` (carrying
/// through nines); returns how many digits there are after. All nines (9.99 ->
/// 10.0) become the one digit `1` and a larger exponent.
fn round_up(digits: &mut [u8], len: usize, exp: &mut i32) -> usize {
    for i in (0..len).rev() {
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            return len;
        }
    }
    digits[0] = b'1';
    *exp += 1;
    1
}
