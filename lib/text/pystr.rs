//! Python `str()`, `repr()` and `==` of a value (spec §0.4).

use crate::text::pyfmt::{repr_f64, repr_str};
use crate::text::value::Value;

/// Python `str()` of a value (spec §0.4).
pub fn pystr(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => pyrepr(other),
    }
}

/// Append Python `str()` of an int (its decimal text) to `out`, without the
/// allocation of `to_string`: names, override strings and hashes write one per
/// integer value of every trial.
pub(crate) fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    push_u64(out, i.unsigned_abs());
}

/// Append the decimal text of `n` to `out` (no allocation).
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Python `repr()` of a value: like `str()` but strings are quoted.
pub fn pyrepr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.clone(),
        Value::Float(f) => repr_f64(*f),
        Value::Str(s) => repr_str(s),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(pyrepr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), pyrepr(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python `==` between two values: numbers (int, float, bool) compare numerically,
/// two ints exactly (as floats, 2^53 + 1 would equal 2^53).
pub fn py_eq(a: &Value, b: &Value) -> bool {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return x == y;
    }
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_int_is_to_string() {
        for i in [0, 7, -7, 10, 1234567890, i64::MAX, i64::MIN, i64::MIN + 1] {
            let mut s = String::from(">");
            push_int(&mut s, i);
            assert_eq!(s, format!(">{i}"));
        }
    }

    #[test]
    fn equality_is_pythons() {
        assert!(py_eq(&Value::Int(32), &Value::Float(32.0)));
        assert!(py_eq(&Value::Bool(true), &Value::Int(1)));
        assert!(!py_eq(&Value::Str("1".into()), &Value::Int(1)));
        assert!(py_eq(&Value::Null, &Value::Null));
        let big = 1i64 << 53;
        assert!(!py_eq(&Value::Int(big), &Value::Int(big + 1)));
        assert!(py_eq(&Value::Int(big + 1), &Value::Int(big + 1)));
    }
}
