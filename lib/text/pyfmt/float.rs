//! Python's text of a float: `repr`, `'%g'` and `json.dumps`.

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
        push_scientific(&mut out, &digits, exp, false);
    }
    out
}

/// Python `'%.{precision}g' % x`: the exact binary value rounded to `precision`
/// significant digits (ties to even), positional if the decimal exponent is in
/// `-4..precision`, else scientific; trailing zeros and a bare point removed.
/// A precision of 0 is treated as 1, as Python does.
pub(crate) fn fmt_g(x: f64, precision: usize) -> String {
    printf_g(x, precision, false)
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
