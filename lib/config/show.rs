//! Values as messages show them: Python-style quoting, cut when long.

use super::chars::is_control;
use crate::text::pyfmt::repr_f64;
use crate::text::value::Value;
use std::fmt::Write as _;

/// A value as messages show it: strings quoted Python-style, floats as Python's
/// `repr`, `true`/`false`/`null` as written in YAML; long values are cut.
pub(super) fn show(v: &Value) -> String {
    let mut s = String::new();
    show_into(&mut s, v);
    if s.chars().count() > 80 {
        s = s.chars().take(77).collect::<String>() + "...";
    }
    s
}

fn show_into(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => out.push_str(&repr_f64(*f)),
        Value::Str(s) => out.push_str(&repr(s)),
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(out, it);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr(k));
                out.push_str(": ");
                show_into(out, v);
            }
            out.push('}');
        }
    }
}

/// A list of values as [`show`] writes it, cut after the first 20 (`…, and 999980
/// more]`): a message about a long list stays readable.
pub(super) fn show_some(values: &[Value]) -> String {
    const SHOWN: usize = 20;
    if values.len() <= SHOWN {
        return show(&Value::List(values.to_vec()));
    }
    let head = show(&Value::List(values[..SHOWN].to_vec()));
    format!(
        "{}, … and {} more]",
        &head[..head.len() - 1],
        values.len() - SHOWN
    )
}

/// A list of strings as Python prints it: `['a', 'b']`.
pub(super) fn show_strs<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| repr(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// Python `repr` of a string: single quotes unless it holds `'` and no `"`.
pub(super) fn repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            _ => push_escaped(&mut out, c),
        }
    }
    out.push(q);
    out
}

/// `s` with control characters written as escapes (for key paths and names).
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_control(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => out.push(c),
    }
}

/// How a wrong value is described: "a list", "an empty document", ….
pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "an empty document",
        other => other.kind(),
    }
}
