//! How a trial is named: value text, `experiment_name`, the override string, the hash.
//!
//! The name and hash are byte-compatible with the reference (spec §3, §5.1). The
//! override string differs on purpose (B19): floats carry their exact round-trip text,
//! so the trainer receives exactly the value in the manifest.

use crate::config::{Config, ParamKind, Parameter};
use crate::text::ftext::{self, Kind};
use crate::text::fxhash::FxHashMap;
use crate::text::pyjson;
use crate::text::pystr::{push_int, py_eq, pystr};
use crate::text::sha1::sha1;
use crate::text::value::{Assoc, Value};
use std::collections::HashMap;

/// The label of `value` for `param`, if it has labels and the value maps to one.
///
/// Mirrors a Python dict keyed by value: `1`, `1.0` and `True` find the same label,
/// and a later duplicate value's label wins.
fn label<'a>(param: &'a Parameter, value: &Value) -> Option<&'a str> {
    let ParamKind::Discrete {
        values,
        labels: Some(labels),
    } = &param.kind
    else {
        return None;
    };
    values
        .iter()
        .zip(labels)
        .rev()
        .find(|(v, _)| py_eq(v, value))
        .map(|(_, l)| l.as_str())
}

fn push_token(out: &mut String, param: Option<&Parameter>, value: &Value) {
    if let Some(l) = param.and_then(|p| label(p, value)) {
        out.push_str(l);
        return;
    }
    match value {
        Value::Float(f) => ftext::push(out, *f, Kind::G(4)),
        Value::Str(s) => out.push_str(s),
        Value::Int(i) => push_int(out, *i),
        other => out.push_str(&pystr(other)),
    }
}

/// The longest override string a launcher can be given: Linux limits one argument
/// (and one environment string) to `MAX_ARG_STRLEN`, 131072 bytes with its NUL; a
/// longer one fails every trial with "Argument list too long".
pub const MAX_OVERRIDE_BYTES: usize = 131_071;

/// Names many trials of one config: what [`experiment_name`] does, with each
/// parameter found by name and each label by value in constant time (a sweep with
/// 100,000 parameters or labelled values would otherwise take quadratic time).
pub struct Namer<'c> {
    cfg: &'c Config,
    by_name: FxHashMap<&'c str, usize>,
    /// Per parameter with labels: value key → positions in `values` with that key.
    /// (std's hasher: a float's bits, whose low bits are zero for whole numbers, would
    /// all land in one bucket of an Fx map.)
    labels: Vec<Option<HashMap<LabelKey, Vec<usize>>>>,
}

/// What Python's dict lookup hashes a value by: numbers (and bools) by numeric value,
/// strings by text. Values with one key may still differ (two ints beyond 2^53), so
/// a lookup confirms with [`py_eq`].
#[derive(Hash, PartialEq, Eq)]
enum LabelKey {
    Num(u64),
    Str(String),
    Other,
}

fn label_key(v: &Value) -> LabelKey {
    match v {
        Value::Str(s) => LabelKey::Str(s.clone()),
        other => match other.as_number() {
            Some(f) => LabelKey::Num(if f == 0.0 { 0 } else { f.to_bits() }),
            None => LabelKey::Other,
        },
    }
}

impl<'c> Namer<'c> {
    /// The lookup tables of `cfg`.
    pub fn new(cfg: &'c Config) -> Namer<'c> {
        let by_name = cfg
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let labels = cfg
            .parameters
            .iter()
            .map(|p| match &p.kind {
                ParamKind::Discrete {
                    values,
                    labels: Some(_),
                } => {
                    let mut m: HashMap<LabelKey, Vec<usize>> = HashMap::new();
                    for (i, v) in values.iter().enumerate() {
                        m.entry(label_key(v)).or_default().push(i);
                    }
                    Some(m)
                }
                _ => None,
            })
            .collect();
        Namer {
            cfg,
            by_name,
            labels,
        }
    }

    /// The parameter called `name`, trying position `at` first (params are usually in
    /// declaration order).
    pub fn param(&self, at: usize, name: &str) -> Option<(usize, &'c Parameter)> {
        let ps = &self.cfg.parameters;
        match ps.get(at) {
            Some(p) if p.name == name => Some((at, p)),
            _ => self.by_name.get(name).map(|&i| (i, &ps[i])),
        }
    }

    /// [`experiment_name`] of `params`.
    pub fn name(&self, params: &Assoc) -> String {
        let mut out = String::with_capacity(16 * params.len());
        self.push_name(&mut out, params);
        out
    }

    /// [`Namer::name`], appended to `out`.
    pub fn push_name(&self, out: &mut String, params: &Assoc) {
        for (i, (name, v)) in params.iter().enumerate() {
            let p = self.param(i, name);
            if i > 0 {
                out.push('_');
            }
            out.push_str(p.map_or(name, |(_, p)| p.token()));
            out.push('-');
            self.push_token(out, p, v);
        }
    }

    /// The name token of `v` as a value of parameter `i` (its label, or its text).
    pub fn token(&self, i: usize, v: &Value) -> String {
        let mut out = String::new();
        self.push_token(&mut out, self.cfg.parameters.get(i).map(|p| (i, p)), v);
        out
    }

    fn push_token(&self, out: &mut String, p: Option<(usize, &Parameter)>, v: &Value) {
        if let Some((i, param)) = p {
            if let (
                Some(Some(map)),
                ParamKind::Discrete {
                    values,
                    labels: Some(labels),
                },
            ) = (self.labels.get(i), &param.kind)
            {
                // The last equal value's label wins (see `label`).
                let hit = map.get(&label_key(v)).and_then(|at| {
                    at.iter()
                        .rev()
                        .find(|&&j| j < labels.len() && py_eq(&values[j], v))
                });
                if let Some(&j) = hit {
                    out.push_str(&labels[j]);
                    return;
                }
            }
        }
        push_token(out, None, v);
    }
}

/// The text of one value in the override string.
///
/// Floats use their shortest round-trip text (B19: the reference used `%.10g`, which
/// loses digits), bools are `true`/`false`, null is `null`, anything else `str()`.
#[cfg(test)]
pub fn override_value(v: &Value) -> String {
    let mut s = String::new();
    push_override_value(&mut s, v);
    s
}

fn push_override_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Float(f) => ftext::push(out, *f, Kind::Repr),
        Value::Str(s) => out.push_str(s),
        Value::Int(i) => push_int(out, *i),
        other => out.push_str(&pystr(other)),
    }
}

/// The override string passed to the launcher (spec §4): the name, the parameters in
/// stored order, the static overrides verbatim, then the extras (so `set` wins).
pub fn override_string(name: &str, params: &Assoc, statics: &[String], extras: &Assoc) -> String {
    let mut out = String::with_capacity(64 + 24 * (params.len() + extras.len()));
    push_override_string(&mut out, name, params, statics, extras);
    out
}

/// [`override_string`], appended to `out` (which must be empty: words are separated
/// by spaces from what is already there).
pub fn push_override_string(
    out: &mut String,
    name: &str,
    params: &Assoc,
    statics: &[String],
    extras: &Assoc,
) {
    let sep = |out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
    };
    if !name.is_empty() {
        out.push_str("experiment_name=");
        out.push_str(name);
    }
    for (k, v) in params.iter() {
        sep(out);
        out.push_str(k);
        out.push('=');
        push_override_value(out, v);
    }
    for s in statics {
        sep(out);
        out.push_str(s);
    }
    for (k, v) in extras.iter() {
        sep(out);
        out.push_str(k);
        out.push('=');
        push_override_value(out, v);
    }
}

/// The trial hash: the first 12 hex digits of SHA-1 over the compact, key-sorted
/// Python JSON of `{"extras": …, "params": …}` (spec §5.1).
pub fn trial_hash(params: &Assoc, extras: &Assoc) -> String {
    let mut text = String::new();
    let hex = trial_hash_with(&mut text, params, extras);
    // Hex digits: always UTF-8.
    String::from_utf8_lossy(&hex).into_owned()
}

/// [`trial_hash`] as 12 ASCII hex digits, with `text` as scratch space for the JSON
/// (no allocation once it has grown).
pub fn trial_hash_with(text: &mut String, params: &Assoc, extras: &Assoc) -> [u8; 12] {
    text.clear();
    text.reserve(64 + 32 * (params.len() + extras.len()));
    text.push_str("{\"extras\": ");
    pyjson::write_compact_map(text, extras, true);
    text.push_str(", \"params\": ");
    pyjson::write_compact_map(text, params, true);
    text.push('}');
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 12];
    for (pair, &byte) in hex.chunks_exact_mut(2).zip(&sha1(text.as_bytes())[..6]) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 15)];
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assoc(pairs: &[(&str, Value)]) -> Assoc {
        Assoc(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn hash_vectors_from_the_spec() {
        let e = Assoc::new();
        let cases: Vec<(Assoc, Assoc, &str)> = vec![
            (
                assoc(&[("lr", Value::Float(0.1))]),
                e.clone(),
                "60628230bff2",
            ),
            (
                assoc(&[
                    ("opt", Value::Str("adam".into())),
                    ("lr", Value::Float(0.001)),
                ]),
                e.clone(),
                "ec7cda0abee7",
            ),
            (assoc(&[("a", Value::Int(1))]), e.clone(), "01abd10c8aeb"),
            (
                assoc(&[("a", Value::Float(1.0))]),
                e.clone(),
                "05c69766e632",
            ),
            (
                assoc(&[("lr", Value::Float(1e-5))]),
                e.clone(),
                "bda819b9a37c",
            ),
            (
                assoc(&[
                    ("x", Value::Null),
                    ("y", Value::List(vec![Value::Int(1), Value::Int(2)])),
                    ("z", Value::Str("ü".into())),
                ]),
                e.clone(),
                "d15b8209b9d8",
            ),
            (
                assoc(&[
                    ("learning_rate", Value::Float(0.0001)),
                    ("optimizer", Value::Str("sgd".into())),
                    ("use_amp", Value::Bool(true)),
                ]),
                assoc(&[
                    ("scheduler.warmup", Value::Int(100)),
                    ("tag", Value::Str("sgd-x".into())),
                ]),
                // The spec's vector table says 052b676130ef; CPython 3.11 gives c7b33ade283a
                // (as does the spec's own manifest example in §5.1).
                "c7b33ade283a",
            ),
        ];
        for (p, x, want) in cases {
            assert_eq!(trial_hash(&p, &x), want, "params {p:?}");
        }
    }

    #[test]
    fn pystr_renders_like_python() {
        assert_eq!(pystr(&Value::Bool(true)), "True");
        assert_eq!(pystr(&Value::Null), "None");
        assert_eq!(pystr(&Value::Float(1e-5)), "1e-05");
        let l = Value::List(vec![
            Value::Str("a".into()),
            Value::Str("b'c".into()),
            Value::Null,
            Value::Bool(true),
            Value::Float(1e-5),
        ]);
        assert_eq!(pystr(&l), "['a', \"b'c\", None, True, 1e-05]");
        let m = Value::Map(assoc(&[("a", Value::Int(1))]));
        assert_eq!(pystr(&m), "{'a': 1}");
    }

    #[test]
    fn override_values_are_exact() {
        assert_eq!(
            override_value(&Value::Float(5.623413251903491e-05)),
            "5.623413251903491e-05"
        );
        assert_eq!(override_value(&Value::Null), "null");
        assert_eq!(override_value(&Value::Bool(false)), "false");
        assert_eq!(override_value(&Value::Int(32)), "32");
    }

    #[test]
    fn override_string_orders_statics_before_extras() {
        let s = override_string(
            "lr-0.001",
            &assoc(&[("lr", Value::Float(0.001))]),
            &["scheduler.type=linear".into(), "data.root=/x".into()],
            &assoc(&[("scheduler.type", Value::Str("cosine".into()))]),
        );
        assert_eq!(
            s,
            "experiment_name=lr-0.001 lr=0.001 scheduler.type=linear data.root=/x scheduler.type=cosine"
        );
        let s = override_string("", &assoc(&[("ckpt", Value::Null)]), &[], &Assoc::new());
        assert_eq!(s, "ckpt=null");
    }
}
