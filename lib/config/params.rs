//! `parameters`: discrete and continuous parameters, their names, abbreviations,
//! labels and defaults.

use super::{
    chars::{check_token, is_control, is_safe_token},
    expr_name_of,
    fields::{check_value, float_field, int_field, string_field},
    problems::{item, join, Problems, Section},
    show::{escape, repr, show, show_some, show_strs},
    Draw, ParamKind, Parameter, Scale, MAX_TRIALS,
};
use crate::text::fxhash::{FxHashMap, FxHashSet};
use crate::text::pyfmt::repr_f64;
use crate::text::pystr::py_eq;
use crate::text::value::Value;

const DISCRETE_KEYS: &[&str] = &["type", "values", "labels", "default", "abbrev", "weights"];
const CONTINUOUS_KEYS: &[&str] = &[
    "type", "low", "high", "scale", "steps", "default", "abbrev", "round",
];
/// The keys of either parameter type, checked when `type` is missing or wrong.
pub(super) const PARAM_KEYS: &[&str] = &[
    "type", "values", "labels", "low", "high", "scale", "steps", "default", "abbrev", "weights",
    "round",
];
/// Characters a parameter name may not contain (besides control characters): they
/// break the `name=value` override syntax or the launcher's word splitting.
pub(super) const FORBIDDEN_NAME_CHARS: &[char] = &['\'', '"', '`', '=', '\\', ' '];

/// What the cross-checks need of every declared parameter, valid or not.
pub(super) struct Declared {
    pub(super) name: String,
    pub(super) has_default: bool,
    /// `steps:` is given (meaningless when sampling).
    pub(super) steps: bool,
    /// `round` and `weights` (each `None` when absent or invalid).
    pub(super) draw: Draw,
}

/// `parameters`: the valid ones, and every declared one (for the cross-checks).
pub(super) fn parameters(p: &mut Problems, top: &Section) -> (Vec<Parameter>, Vec<Declared>) {
    let map = match top.get("parameters") {
        Some(Value::Map(m)) if !m.is_empty() => m,
        Some(Value::Map(_)) => {
            p.push("parameters", "the sweep needs at least one parameter (add e.g. lr: {type: discrete, values: [0.1, 0.01]})");
            return (Vec::new(), Vec::new());
        }
        None => {
            p.push(
                "parameters",
                "missing (add e.g. lr: {type: discrete, values: [0.1, 0.01]} under parameters:)",
            );
            return (Vec::new(), Vec::new());
        }
        Some(other) => {
            p.push(
                "parameters",
                format!(
                    "{} must be a mapping of parameter name to spec",
                    show(other)
                ),
            );
            return (Vec::new(), Vec::new());
        }
    };
    let mut params = Vec::new();
    let mut declared = Vec::new();
    for (name, spec) in map.iter() {
        let has_default =
            matches!(spec, Value::Map(m) if !matches!(m.get("default"), None | Some(Value::Null)));
        let steps = matches!(spec, Value::Map(m) if m.get("steps").is_some());
        let mut draw = Draw::default();
        if let Some(param) = parameter(p, name, spec) {
            if let Value::Map(m) = spec {
                draw = draw_of(p, &Section::new(join("parameters", name), m), &param);
            }
            params.push(param);
        }
        declared.push(Declared {
            name: name.to_string(),
            has_default,
            steps,
            draw,
        });
    }
    check_collisions(p, &declared);
    (params, declared)
}

/// One parameter; `None` when it has a problem.
fn parameter(p: &mut Problems, name: &str, spec: &Value) -> Option<Parameter> {
    let path = join("parameters", name);
    let before = p.len();
    let Value::Map(map) = spec else {
        p.push(
            &path,
            format!(
                "{} must be a mapping with type: discrete or type: continuous",
                show(spec)
            ),
        );
        return None;
    };
    let s = Section::new(path.clone(), map);
    let abbrev = match s.get("abbrev") {
        None | Some(Value::Null) => None,
        Some(v) => string_field(p, &s.at("abbrev"), v, ""),
    };
    check_name(
        p,
        &s,
        name,
        abbrev.as_deref(),
        s.get("abbrev").is_some_and(|v| !matches!(v, Value::Null)),
    );
    let kind = match s.get("type") {
        Some(Value::Str(t)) if t == "discrete" => {
            s.check_param_keys(p, DISCRETE_KEYS, "discrete");
            discrete(p, &s)
        }
        Some(Value::Str(t)) if t == "continuous" => {
            s.check_param_keys(p, CONTINUOUS_KEYS, "continuous");
            continuous(p, &s)
        }
        Some(other) => {
            s.check_keys(p, PARAM_KEYS);
            p.push(
                &s.at("type"),
                format!(
                    "{} is not a parameter type (use discrete or continuous)",
                    show(other)
                ),
            );
            None
        }
        None => {
            s.check_keys(p, PARAM_KEYS);
            p.push(
                &s.at("type"),
                "missing (add type: discrete or type: continuous)",
            );
            None
        }
    };
    let (kind, default) = kind?;
    (p.len() == before).then(|| Parameter {
        name: name.to_string(),
        abbrev,
        kind,
        default,
    })
}

/// Name-safety rules (spec 1.6, rules 1 and 2). `explicit` is true when `abbrev:` is
/// given (even if invalid), so the name itself is not the experiment-name token.
fn check_name(p: &mut Problems, s: &Section, name: &str, abbrev: Option<&str>, explicit: bool) {
    // An empty name would give the override word `=1` (and `+` alone, `+=1`).
    if expr_name_of(name).is_empty() {
        p.push(
            &s.path,
            format!(
                "parameter name {} is empty{} (name the parameter as the launcher expects it, e.g. lr)",
                repr(name),
                if name.is_empty() { "" } else { " after its Hydra prefix" }
            ),
        );
        return;
    }
    match abbrev {
        Some(a) if !is_safe_token(a) => p.push(
            &s.at("abbrev"),
            format!(
                "parameter '{}': abbrev {} contains characters that would corrupt file paths or override syntax; allowed characters are letters, digits, '.', '_', '-'",
                escape(name),
                repr(a)
            ),
        ),
        None if !explicit && !is_safe_token(name) => p.push(
            &s.path,
            format!(
                "parameter name {} contains characters unsafe for filenames or override syntax (allowed: letters, digits, '.', '_', '-'). Set an explicit `abbrev:` on this parameter so the experiment name stays clean.",
                repr(name)
            ),
        ),
        _ => {}
    }
    // compat (B1/B20): control characters are forbidden too, not only \n \r \t.
    let mut bad: Vec<char> = name
        .chars()
        .filter(|c| FORBIDDEN_NAME_CHARS.contains(c) || is_control(*c))
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().map(|c| c.to_string()).collect();
        p.push(
            &s.path,
            format!(
                "parameter name {} contains forbidden characters {}; rename the parameter (they break the override syntax)",
                repr(name),
                show_strs(&shown)
            ),
        );
    }
}

/// Two parameters may not expose the same expression name (`x` and `+x`).
fn check_collisions(p: &mut Problems, declared: &[Declared]) {
    let mut first_of: FxHashMap<&str, &Declared> = FxHashMap::default();
    for d in declared {
        let e = expr_name_of(&d.name);
        if let Some(first) = first_of.get(e).copied() {
            p.push(
                &join("parameters", &d.name),
                format!(
                    "Parameter name collision in expression namespace: {} and {} both expose as {} (rename one of them)",
                    repr(&first.name),
                    repr(&d.name),
                    repr(e)
                ),
            );
        } else {
            first_of.insert(e, d);
        }
    }
}

/// `type: discrete`: values, labels, default.
fn discrete(p: &mut Problems, s: &Section) -> Option<(ParamKind, Option<Value>)> {
    let values = match s.required(p, "values", "add values: [...] with at least one value")? {
        Value::List(items) if items.len() as u64 > MAX_TRIALS => {
            p.push(
                &s.at("values"),
                format!(
                    "{} values are more than a sweep may have trials ({MAX_TRIALS}; split the sweep)",
                    items.len()
                ),
            );
            return None;
        }
        Value::List(items) if !items.is_empty() => items.clone(),
        Value::List(_) => {
            p.push(&s.at("values"), "[] is empty (give at least one value)");
            return None;
        }
        other => {
            p.push(
                &s.at("values"),
                format!(
                    "{} must be a list of values such as [0.1, 0.01]",
                    show(other)
                ),
            );
            return None;
        }
    };
    let labels_given = !matches!(s.get("labels"), None | Some(Value::Null));
    for (i, v) in values.iter().enumerate() {
        let at = item(&s.at("values"), i);
        check_value(p, &at, v);
        if let Value::Str(text) = v {
            if !labels_given && text.contains('/') {
                p.push(
                    &at,
                    format!(
                        "value {} contains '/'; provide a `labels:` list (one short name per value) so the experiment name stays a valid file name",
                        repr(text)
                    ),
                );
            }
        }
    }
    let labels = if labels_given {
        labels(p, s, values.len())
    } else {
        None
    };
    let default = match s.get("default") {
        None | Some(Value::Null) => None,
        Some(d) => {
            let at = s.at("default");
            let before = p.len();
            check_value(p, &at, d);
            if p.len() == before && !values.iter().any(|v| py_eq(v, d)) {
                p.push(
                    &at,
                    format!(
                        "default {} is not in values: {} (use one of the values)",
                        show(d),
                        show_some(&values)
                    ),
                );
            }
            Some(d.clone())
        }
    };
    Some((ParamKind::Discrete { values, labels }, default))
}

/// `labels`: one non-empty, unique string per value, without `/` or whitespace.
fn labels(p: &mut Problems, s: &Section, n_values: usize) -> Option<Vec<String>> {
    let at = s.at("labels");
    let items = match s.get("labels") {
        Some(Value::List(items)) => items,
        Some(other) => {
            p.push(
                &at,
                format!("{} must be a list of strings, one per value", show(other)),
            );
            return None;
        }
        None => return None,
    };
    if items.len() != n_values {
        p.push(
            &at,
            format!(
                "labels has {} entries but values has {}; they must match 1-to-1",
                items.len(),
                n_values
            ),
        );
    }
    if items
        .iter()
        .any(|l| !matches!(l, Value::Str(s) if !s.is_empty()))
    {
        p.push(
            &at,
            format!(
                "labels must be non-empty strings, got: {}",
                show(&Value::List(items.clone()))
            ),
        );
        return None;
    }
    let labels: Vec<String> = items
        .iter()
        .filter_map(|l| match l {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for (i, l) in labels.iter().enumerate() {
        if l.contains('/') {
            p.push(
                &item(&at, i),
                format!("labels may not contain '/', got: {}", repr(l)),
            );
        }
        check_token(p, &item(&at, i), l);
    }
    let mut dups: Vec<&str> = Vec::new();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut reported: FxHashSet<&str> = FxHashSet::default();
    for l in &labels {
        if !seen.insert(l) && reported.insert(l) {
            dups.push(l);
        }
    }
    if !dups.is_empty() {
        p.push(
            &at,
            format!(
                "labels must be unique, got: {} (repeated: {})",
                show_strs(&labels),
                show_strs(&dups)
            ),
        );
    }
    Some(labels)
}

/// `type: continuous`: low, high, scale, steps, default (stored as a float).
fn continuous(p: &mut Problems, s: &Section) -> Option<(ParamKind, Option<Value>)> {
    let low = s
        .required(p, "low", "add low: <number>")
        .and_then(|v| float_field(p, &s.at("low"), v));
    let high = s
        .required(p, "high", "add high: <number>")
        .and_then(|v| float_field(p, &s.at("high"), v));
    let scale = match s.get("scale") {
        None => Some(Scale::Linear),
        Some(Value::Str(t)) if t == "linear" => Some(Scale::Linear),
        Some(Value::Str(t)) if t == "log" => Some(Scale::Log),
        Some(other) => {
            p.push(
                &s.at("scale"),
                format!("{} is not a scale (use linear or log)", show(other)),
            );
            None
        }
    };
    let steps = match s.get("steps") {
        None => Some(5),
        Some(v) => int_field(p, &s.at("steps"), v, "steps", 1).and_then(|n| {
            if n <= MAX_TRIALS {
                return Some(n);
            }
            p.push(
                &s.at("steps"),
                format!(
                    "{n} is more steps than a sweep may have trials ({MAX_TRIALS}; use fewer steps)"
                ),
            );
            None
        }),
    };
    let default = match s.get("default") {
        None | Some(Value::Null) => None,
        Some(v) => Some(float_field(p, &s.at("default"), v)),
    };
    let (low, high, scale, steps) = (low?, high?, scale?, steps?);
    if low >= high {
        p.push(
            &s.path,
            format!(
                "low ({}) must be less than high ({})",
                repr_f64(low),
                repr_f64(high)
            ),
        );
    }
    if scale == Scale::Log && low <= 0.0 {
        p.push(
            &s.at("low"),
            format!("log scale requires low > 0, got {}", repr_f64(low)),
        );
    }
    let default = match default {
        None => None,
        Some(d) => {
            let d = d?;
            if d < low || d > high {
                p.push(
                    &s.at("default"),
                    format!(
                        "default {} is outside range [{}, {}]",
                        repr_f64(d),
                        repr_f64(low),
                        repr_f64(high)
                    ),
                );
            }
            Some(Value::Float(d))
        }
    };
    Some((
        ParamKind::Continuous {
            low,
            high,
            scale,
            steps,
        },
        default,
    ))
}

/// `round` (a continuous parameter) and `weights` (a discrete one), read whatever the
/// grid mode; `top` refuses them outside a sampling mode.
fn draw_of(p: &mut Problems, s: &Section, param: &Parameter) -> Draw {
    let mut draw = Draw::default();
    if let (Some(v), ParamKind::Continuous { low, high, .. }) = (s.get("round"), &param.kind) {
        let at = s.at("round");
        let q = match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        };
        match q {
            Some(q) if q.is_finite() && q > 0.0 => {
                // The multiples k*q inside [low, high], counted in doubles: k must
                // stay exact (below 2^53) and at least one must exist.
                let (first, last) = ((low / q).ceil(), (high / q).floor());
                if last.abs().max(first.abs()) >= 9.007_199_254_740_992e15 {
                    p.push(&at, format!("{} is too small for the range [{}, {}] (multiples of it past 2^53 are not exact; use a larger quantum)", show(v), repr_f64(*low), repr_f64(*high)));
                } else if first > last {
                    p.push(&at, format!("no multiple of {} lies in [{}, {}] (use a smaller quantum or widen the range)", show(v), repr_f64(*low), repr_f64(*high)));
                } else {
                    draw.round = Some((q, matches!(v, Value::Int(_))));
                }
            }
            _ => p.push(
                &at,
                format!(
                    "{} must be a positive number: the quantum draws are rounded to (e.g. round: 0.001, or round: 1 for integers)",
                    show(v)
                ),
            ),
        }
    }
    if let (Some(v), ParamKind::Discrete { values, .. }) = (s.get("weights"), &param.kind) {
        let at = s.at("weights");
        match v {
            Value::List(items) if items.len() == values.len() => {
                let mut ws = Vec::with_capacity(items.len());
                for (i, w) in items.iter().enumerate() {
                    match w {
                        Value::Int(n) if *n > 0 => ws.push(*n as f64),
                        Value::Float(f) if f.is_finite() && *f > 0.0 => ws.push(*f),
                        other => p.push(
                            &item(&at, i),
                            format!(
                                "{} must be a positive number (a value's relative chance; leave the value out of values: to never draw it)",
                                show(other)
                            ),
                        ),
                    }
                }
                if ws.len() == items.len() && ws.iter().sum::<f64>().is_finite() {
                    draw.weights = Some(ws);
                }
            }
            Value::List(items) => p.push(
                &at,
                format!(
                    "has {} entries but values has {}; give one weight per value",
                    items.len(),
                    values.len()
                ),
            ),
            other => p.push(
                &at,
                format!(
                    "{} must be a list of positive numbers, one per value (e.g. weights: [2, 1, 1])",
                    show(other)
                ),
            ),
        }
    }
    draw
}
