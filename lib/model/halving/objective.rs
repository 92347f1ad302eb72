//! The normalised objective of a metric value (§12.3): Python's `float(value)`, made
//! a cost (lower is better) in the configured direction, with everything `float()`
//! refuses — and NaN and ±inf — as the worst cost of all.

use crate::text::value::Value;

/// Python `float(v)` for the values a stream can hold: numbers, booleans (1.0/0.0),
/// and strings `float()` accepts (surrounding whitespace and `_` between digits
/// allowed). `None` for null, lists, maps and any other string.
pub(crate) fn py_float(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Int(i) => Some(*i as f64),
        Value::BigInt(s) => s.parse::<f64>().ok(),
        Value::Float(f) => Some(*f),
        Value::Str(s) => float_of_str(s),
        Value::Null | Value::List(_) | Value::Map(_) => None,
    }
}

/// CPython's `float(str)`: strip whitespace; an optional sign, then a decimal number
/// (digits with single `_` between digits, a point, an exponent) or `inf`,
/// `infinity`, `nan` in any case.
fn float_of_str(s: &str) -> Option<f64> {
    let t = s.trim_matches(char::is_whitespace);
    if t.is_empty() {
        return None;
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'+' | b'-' => (&t[..1], &t[1..]),
        _ => ("", t),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        let x = if lower == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if sign == "-" { -x } else { x });
    }
    // The decimal grammar, checked by hand (Rust's parser would also take forms
    // Python refuses, and refuses the `_` Python takes).
    let b = body.as_bytes();
    let mut clean = String::with_capacity(t.len());
    clean.push_str(sign);
    let mut i = 0;
    let digits = |i: &mut usize, clean: &mut String| -> Option<usize> {
        let start = *i;
        while *i < b.len() {
            match b[*i] {
                c @ b'0'..=b'9' => clean.push(c as char),
                b'_' if *i > start
                    && b[*i - 1].is_ascii_digit()
                    && b.get(*i + 1).is_some_and(u8::is_ascii_digit) => {}
                _ => break,
            }
            *i += 1;
        }
        if b.get(*i) == Some(&b'_') {
            return None;
        }
        Some(*i - start)
    };
    let int_len = digits(&mut i, &mut clean)?;
    let mut frac_len = 0;
    if b.get(i) == Some(&b'.') {
        clean.push('.');
        i += 1;
        frac_len = digits(&mut i, &mut clean)?;
    }
    if int_len + frac_len == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        clean.push('e');
        i += 1;
        if let Some(&c @ (b'+' | b'-')) = b.get(i) {
            clean.push(c as char);
            i += 1;
        }
        if digits(&mut i, &mut clean)? == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    clean.parse::<f64>().ok()
}

/// The cost of a value when ranking: lower is better. For `max` the value is
/// negated; NaN, ±inf and values `float()` refuses are `+inf`, the worst (B2: the
/// same in both directions and both modes).
pub(crate) fn cost(v: &Value, maximize: bool) -> f64 {
    match py_float(v) {
        Some(x) if x.is_finite() => {
            if maximize {
                -x
            } else {
                x
            }
        }
        _ => f64::INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Option<f64> {
        float_of_str(x)
    }

    #[test]
    fn strings_follow_python_float() {
        assert_eq!(s("0.05"), Some(0.05));
        assert_eq!(s(" 1e-3 "), Some(0.001));
        assert_eq!(s("1_000"), Some(1000.0));
        assert_eq!(s("1_000.2_5e1_0"), Some(1000.25e10));
        assert_eq!(s("\t-.5\n"), Some(-0.5));
        assert_eq!(s("5."), Some(5.0));
        assert_eq!(s("+1E+2"), Some(100.0));
        assert_eq!(s("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(s("nan").unwrap().is_nan());
        for bad in [
            "", " ", "1__0", "_1", "1_", "1._5", "abc", "1e", ".", "e5", "0x10", "1 0", "--1",
            "1e+", "inf1", "1_e5",
        ] {
            assert_eq!(s(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn values_and_costs() {
        assert_eq!(py_float(&Value::Bool(true)), Some(1.0));
        assert_eq!(py_float(&Value::Bool(false)), Some(0.0));
        assert_eq!(py_float(&Value::Int(-3)), Some(-3.0));
        assert_eq!(py_float(&Value::Null), None);
        assert_eq!(py_float(&Value::List(vec![])), None);
        assert_eq!(cost(&Value::Float(0.9), true), -0.9);
        assert_eq!(cost(&Value::Float(0.9), false), 0.9);
        for worst in [
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Str("loss".into()),
            Value::Null,
        ] {
            assert_eq!(cost(&worst, true), f64::INFINITY);
            assert_eq!(cost(&worst, false), f64::INFINITY);
        }
    }
}
