//! JSON text exactly as Python's `json.dumps` writes it (spec §0.5).
//!
//! Files shared with the reference (`manifest.json`, `job_ids.json`, results) and the
//! trial-hash input must match it byte for byte: `, ` / `: ` separators in the compact
//! form, `indent=2` layout, ASCII-only strings, float `repr` (`1e-05`, `1.0`), and
//! `NaN`/`Infinity` for non-finite floats.

use crate::text::ftext::{self, Kind};
use crate::text::pyfmt::json_str;
use crate::text::pystr::push_int;
use crate::text::value::Value;

/// Compact form (`{"a": 1, "b": [1, 2]}`); `sort_keys` sorts every mapping's keys.
#[allow(dead_code)] // used by the results store
pub(crate) fn compact(v: &Value, sort_keys: bool) -> String {
    let mut out = String::new();
    write_compact(&mut out, v, sort_keys);
    out
}

/// Indented form (`indent=2`), no trailing newline.
pub(crate) fn indented(v: &Value) -> String {
    let mut out = String::new();
    write_indented(&mut out, v, 0);
    out
}

fn write_scalar(out: &mut String, v: &Value) -> bool {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => push_int(out, *i),
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => ftext::push(out, *f, Kind::Json),
        Value::Str(s) => json_str(out, s),
        Value::List(_) | Value::Map(_) => return false,
    }
    true
}

/// Append the compact form of a mapping (see [`compact`]).
pub(crate) fn write_compact_map(out: &mut String, m: &crate::text::value::Assoc, sort_keys: bool) {
    let entries = &m.0;
    out.push('{');
    let mut write = |i: usize, (k, val): &(String, Value)| {
        if i > 0 {
            out.push_str(", ");
        }
        json_str(out, k);
        out.push_str(": ");
        write_compact(out, val, sort_keys);
    };
    if !sort_keys || entries.is_sorted_by(|a, b| a.0 <= b.0) {
        entries.iter().enumerate().for_each(|(i, e)| write(i, e));
    } else if entries.len() <= SMALL {
        // A trial's few keys are sorted on the stack (the trial hash sorts two maps
        // per trial). Insertion sort is stable, as `sort_by` is.
        let mut order = [0u8; SMALL];
        for i in 0..entries.len() {
            let mut j = i;
            while j > 0 && entries[usize::from(order[j - 1])].0 > entries[i].0 {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = i as u8;
        }
        for (i, &at) in order[..entries.len()].iter().enumerate() {
            write(i, &entries[usize::from(at)]);
        }
    } else {
        let mut order: Vec<&(String, Value)> = entries.iter().collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        order.into_iter().enumerate().for_each(|(i, e)| write(i, e));
    }
    out.push('}');
}

/// Maps with at most this many keys are sorted without allocating.
const SMALL: usize = 16;

fn write_compact(out: &mut String, v: &Value, sort_keys: bool) {
    if write_scalar(out, v) {
        return;
    }
    match v {
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, it, sort_keys);
            }
            out.push(']');
        }
        Value::Map(m) => write_compact_map(out, m, sort_keys),
        _ => {}
    }
}

fn newline(out: &mut String, level: usize) {
    // One copy for the usual depths (a manifest of 100,000 records has 900,000 lines).
    const SPACES: &str = "\n                ";
    match SPACES.get(..1 + 2 * level) {
        Some(s) => out.push_str(s),
        None => {
            out.push('\n');
            for _ in 0..level {
                out.push_str("  ");
            }
        }
    }
}

/// A key as [`json_str`] writes it, without its scan when it is a plain word (as
/// every field name herd writes is).
fn key_str(out: &mut String, k: &str) {
    if k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.push('"');
        out.push_str(k);
        out.push('"');
    } else {
        json_str(out, k);
    }
}

fn write_indented(out: &mut String, v: &Value, level: usize) {
    if write_scalar(out, v) {
        return;
    }
    match v {
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::Map(m) if m.is_empty() => out.push_str("{}"),
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_indented(out, it, level + 1);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Map(m) => write_indented_map(out, m, level),
        _ => {}
    }
}

/// Append the indented form of a mapping at nesting `level`.
pub(crate) fn write_indented_map(out: &mut String, m: &crate::text::value::Assoc, level: usize) {
    if m.is_empty() {
        out.push_str("{}");
        return;
    }
    let mut o = Object::open(out, level);
    for (k, v) in m.iter() {
        o.value(k, v);
    }
    o.close();
}

/// An indented JSON object written field by field, without building a value tree
/// (the manifest of a large sweep is written this way).
pub(crate) struct Object<'a> {
    out: &'a mut String,
    level: usize,
    empty: bool,
}

impl<'a> Object<'a> {
    /// Start an object at nesting `level` (the caller has placed the cursor).
    pub(crate) fn open(out: &'a mut String, level: usize) -> Object<'a> {
        out.push('{');
        Object {
            out,
            level,
            empty: true,
        }
    }

    fn key(&mut self, k: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        newline(self.out, self.level + 1);
        key_str(self.out, k);
        self.out.push_str(": ");
    }

    /// A field holding any value.
    pub(crate) fn value(&mut self, k: &str, v: &Value) {
        self.key(k);
        write_indented(self.out, v, self.level + 1);
    }

    /// A string field.
    pub(crate) fn str(&mut self, k: &str, s: &str) {
        self.key(k);
        json_str(self.out, s);
    }

    /// An integer field.
    pub(crate) fn int(&mut self, k: &str, i: u64) {
        self.key(k);
        crate::text::pystr::push_u64(self.out, i);
    }

    /// A mapping field.
    pub(crate) fn map(&mut self, k: &str, m: &crate::text::value::Assoc) {
        self.key(k);
        write_indented_map(self.out, m, self.level + 1);
    }

    /// Close the object (`{}` if it has no fields).
    pub(crate) fn close(self) {
        if !self.empty {
            newline(self.out, self.level);
        }
        self.out.push('}');
    }
}

/// Append `[`, one indented element per `write` call, `]` (indent=2 layout).
pub(crate) fn write_indented_list<T>(
    out: &mut String,
    items: &[T],
    mut write: impl FnMut(&mut String, &T),
) {
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, 1);
        write(out, it);
    }
    out.push_str("\n]");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn sorted_keys_come_out_as_a_stable_sort_orders_them() {
        let mut rng = crate::testrng::XorShift(7);
        for n in [0, 1, 2, 3, 5, 15, 16, 17, 40] {
            for _ in 0..20 {
                // Few distinct keys, so that some repeat (a stable sort keeps their order).
                let m = crate::text::value::Assoc(
                    (0..n)
                        .map(|i| (format!("k{}", rng.below(6)), Value::Int(i)))
                        .collect(),
                );
                let mut order: Vec<&(String, Value)> = m.0.iter().collect();
                order.sort_by(|a, b| a.0.cmp(&b.0));
                let mut want = String::from("{");
                for (i, (k, v)) in order.into_iter().enumerate() {
                    if i > 0 {
                        want.push_str(", ");
                    }
                    want.push_str(&format!("\"{k}\": {}", compact(v, true)));
                }
                want.push('}');
                let mut got = String::new();
                write_compact_map(&mut got, &m, true);
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn compact_matches_python() {
        // python3 -c 'import json; print(json.dumps({"b": [1, 2.5, None], "a": "ü", "c": 1e-05}))'
        let v = parse(r#"{"b": [1, 2.5, null], "a": "ü", "c": 1e-05}"#);
        assert_eq!(
            compact(&v, false),
            r#"{"b": [1, 2.5, null], "a": "\u00fc", "c": 1e-05}"#
        );
        assert_eq!(
            compact(&v, true),
            r#"{"a": "\u00fc", "b": [1, 2.5, null], "c": 1e-05}"#
        );
    }

    #[test]
    fn indented_matches_python() {
        // python3 -c 'import json; print(json.dumps([{"index": 0, "params": {"lr": 0.1}, "extras": {}, "l": []}], indent=2), end="")'
        let v = parse(r#"[{"index": 0, "params": {"lr": 0.1}, "extras": {}, "l": []}]"#);
        assert_eq!(
            indented(&v),
            "[\n  {\n    \"index\": 0,\n    \"params\": {\n      \"lr\": 0.1\n    },\n    \"extras\": {},\n    \"l\": []\n  }\n]"
        );
    }

    #[test]
    fn fields_of_an_object_at_any_depth_match_python() {
        // python3 -c 'import json; print(json.dumps({"a_1": 0, "b": {"c d": 18446744073709551615}}, indent=2), end="")'
        let mut out = String::new();
        let mut o = Object::open(&mut out, 0);
        o.int("a_1", 0);
        o.map(
            "b",
            &crate::text::value::Assoc(vec![("c d".into(), Value::BigInt(u64::MAX.to_string()))]),
        );
        o.close();
        assert_eq!(
            out,
            "{\n  \"a_1\": 0,\n  \"b\": {\n    \"c d\": 18446744073709551615\n  }\n}"
        );
        let mut deep = String::new();
        newline(&mut deep, 12);
        assert_eq!(deep, format!("\n{}", "  ".repeat(12)));
        let mut o = Object::open(&mut out, 0);
        o.int("x", u64::MAX);
        o.close();
        assert!(out.ends_with("\"x\": 18446744073709551615\n}"));
    }

    #[test]
    fn non_finite_floats_use_python_tokens() {
        let v = Value::List(vec![
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Float(-f64::INFINITY),
        ]);
        assert_eq!(compact(&v, false), "[NaN, Infinity, -Infinity]");
    }
}
