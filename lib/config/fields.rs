//! Typed field readers: strings, integers, numbers, string lists and trial values,
//! each pushing a problem when the value does not fit.

use super::{
    chars::{check_no_control, check_token},
    problems::{item, Problems},
    show::show,
};
use crate::text::value::Value;

/// A string field. Only strings are accepted (`example` shows a valid one).
pub(super) fn string_field(
    p: &mut Problems,
    path: &str,
    v: &Value,
    example: &str,
) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        other => {
            let fix = match other {
                Value::Int(_) | Value::Float(_) | Value::Bool(_) => " (put it in quotes)",
                _ => "",
            };
            let such = if example.is_empty() {
                String::new()
            } else {
                format!(" such as {example}")
            };
            p.push(path, format!("{} must be a string{such}{fix}", show(other)));
            None
        }
    }
}

/// A whole-number field, at least `min`. compat (§1.3): pydantic-lax, but no bools.
pub(super) fn int_field(
    p: &mut Problems,
    path: &str,
    v: &Value,
    field: &str,
    min: u64,
) -> Option<u64> {
    let n = match lax_int(v) {
        Ok(n) => n,
        Err(why) => {
            p.push(path, format!("{} {why}", show(v)));
            return None;
        }
    };
    match u64::try_from(n) {
        Ok(u) if u >= min => Some(u),
        _ => {
            let rule = if min == 0 {
                format!("{field} must not be negative")
            } else {
                format!("{field} must be at least {min}")
            };
            p.push(path, format!("{n} is not allowed ({rule})"));
            None
        }
    }
}

/// An int, a float with zero fraction, or a numeric string (`" 4 "`, `"4.0"`).
fn lax_int(v: &Value) -> Result<i64, &'static str> {
    const WHOLE: &str = "must be a whole number";
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            if f.abs() < 9.0e18 {
                Ok(*f as i64)
            } else {
                Err("is too large")
            }
        }
        Value::Str(s) => {
            let t = s.trim();
            let int_part = match t.split_once('.') {
                Some((i, frac)) if frac.chars().all(|c| c == '0') => i,
                Some(_) => return Err(WHOLE),
                None => t,
            };
            let digits = int_part.strip_prefix(['+', '-']).unwrap_or(int_part);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(WHOLE);
            }
            int_part.parse::<i64>().map_err(|_| "is too large")
        }
        _ => Err(WHOLE),
    }
}

/// A number field: an int, a float, or a numeric string in Python `float()` syntax.
/// compat: bools are not numbers here; non-finite values are rejected (JSON cannot
/// carry them).
pub(super) fn float_field(p: &mut Problems, path: &str, v: &Value) -> Option<f64> {
    let f = match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => parse_py_float(s),
        _ => None,
    };
    match f {
        None => {
            p.push(path, format!("{} must be a number", show(v)));
            None
        }
        Some(f) if !f.is_finite() => {
            p.push(
                path,
                format!("{} is not a finite number (JSON cannot store it)", show(v)),
            );
            None
        }
        Some(f) => Some(f),
    }
}

/// Python `float()` of a string: surrounding whitespace, `_` between digits, `inf`,
/// `nan`.
pub(super) fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let b = t.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let between =
                i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
            if !between {
                return None;
            }
        }
    }
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    cleaned.parse::<f64>().ok()
}

/// A list of strings, each checked for control characters. compat: null is an error.
pub(super) fn string_list(p: &mut Problems, path: &str, v: &Value) -> Vec<String> {
    let items = match v {
        Value::List(items) => items,
        Value::Null => {
            p.push(path, "null is not allowed (write [] or remove the key)");
            return Vec::new();
        }
        other => {
            p.push(path, format!("{} must be a list of strings", show(other)));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let at = item(path, i);
        if let Some(s) = string_field(p, &at, it, "") {
            check_no_control(p, &at, &s);
            out.push(s);
        }
    }
    out
}

/// compat (B7): parameter values must be scalars; lists and mappings crashed the
/// reference. Also rejects non-finite floats. True when `v` is acceptable.
fn check_scalar(p: &mut Problems, path: &str, v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Map(_) => {
            p.push(
                path,
                format!(
                    "{} is {}; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)",
                    show(v),
                    v.kind()
                ),
            );
            false
        }
        Value::Float(f) if !f.is_finite() => {
            p.push(
                path,
                format!("{} is not a finite number (JSON cannot store it)", show(v)),
            );
            false
        }
        _ => true,
    }
}

/// A scalar value that ends up in a trial (value, default, force, set literal).
pub(super) fn check_value(p: &mut Problems, path: &str, v: &Value) {
    if check_scalar(p, path, v) {
        if let Value::Str(s) = v {
            check_token(p, path, s);
        }
    }
}
