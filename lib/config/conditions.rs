//! `conditions` (legacy `constraints`): `when` matchers and expressions, `exclude`,
//! `force` and `set`.

use super::{
    chars::is_control,
    expr_name_of,
    fields::{check_value, string_field},
    params::FORBIDDEN_NAME_CHARS,
    problems::{item, join, Problems, Section},
    show::{escape, repr, show, show_strs},
    Condition, Matcher, Op, SetValue, When,
};
use crate::expr::Expr;
use crate::text::value::{Assoc, Value};

const CONDITION_KEYS: &[&str] = &["name", "when", "exclude", "force", "set"];
/// The operators of an operator map, sorted as the reference lists them.
const OPERATORS: &[(&str, Op)] = &[
    ("eq", Op::Eq),
    ("ge", Op::Ge),
    ("gt", Op::Gt),
    ("in", Op::In),
    ("le", Op::Le),
    ("lt", Op::Lt),
    ("ne", Op::Ne),
    ("not_in", Op::NotIn),
];

/// `conditions`, else the legacy `constraints` (ignored when both are present).
pub(super) fn conditions(p: &mut Problems, top: &Section, names: &[&str]) -> Vec<Condition> {
    let key = if top.get("conditions").is_some() {
        "conditions"
    } else {
        "constraints"
    };
    let items = match top.get(key) {
        None => return Vec::new(),
        Some(Value::List(items)) => items,
        Some(Value::Null) => {
            p.push(key, "null is not allowed (write [] or remove the key)");
            return Vec::new();
        }
        Some(other) => {
            p.push(key, format!("{} must be a list of conditions", show(other)));
            return Vec::new();
        }
    };
    let expr_names: Vec<&str> = names.iter().map(|n| expr_name_of(n)).collect();
    let ctx = Names {
        params: names,
        expr: &expr_names,
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| condition(p, &item(key, i), c, &ctx))
        .collect()
}

/// The names a condition may use: parameters, and their expression names.
struct Names<'a> {
    params: &'a [&'a str],
    expr: &'a [&'a str],
}

/// One condition; `None` when it has a problem.
fn condition(p: &mut Problems, path: &str, v: &Value, names: &Names) -> Option<Condition> {
    let Value::Map(map) = v else {
        p.push(
            path,
            format!(
                "{} must be a mapping with when: and exclude:, force: or set:",
                show(v)
            ),
        );
        return None;
    };
    let s = Section::new(path, map);
    let before = p.len();
    s.check_keys(p, CONDITION_KEYS);
    let name = match s.get("name") {
        None => "unnamed".to_string(),
        Some(n) => string_field(p, &s.at("name"), n, "").unwrap_or_else(|| "unnamed".into()),
    };
    p.prefix = format!("Constraint '{}': ", escape(&name));
    let empty = |k: &str| match s.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::Map(m)) => m.is_empty(),
        _ => false,
    };
    if empty("exclude") && empty("force") && empty("set") {
        p.push(
            path,
            "must have at least one of 'exclude', 'force', or 'set' (a condition with only 'when' does nothing)",
        );
    }
    let when = when(p, &s, names);
    let exclude = exclude(p, &s, names);
    let force = force(p, &s, names);
    let set = set(p, &s, names);
    p.prefix.clear();
    (p.len() == before).then_some(Condition {
        name,
        when,
        exclude,
        force,
        set,
    })
}

/// A mapping-valued condition key; `None` when absent, null, or not a mapping.
fn cond_map<'a>(p: &mut Problems, s: &Section<'a>, key: &str, what: &str) -> Option<&'a Assoc> {
    match s.get(key)? {
        Value::Map(m) => Some(m),
        Value::Null => None,
        other => {
            p.push(
                &s.at(key),
                format!("'{key}' must be a mapping of {what}, got {}", show(other)),
            );
            None
        }
    }
}

/// A key of `when`/`exclude`/`force` must name a parameter.
fn check_param_ref(p: &mut Problems, path: &str, section: &str, key: &str, names: &Names) -> bool {
    if names.params.contains(&key) {
        return true;
    }
    p.push(
        path,
        format!(
            "'{section}' references unknown parameter {} (parameters are: {})",
            repr(key),
            show_strs(names.params)
        ),
    );
    false
}

fn when(p: &mut Problems, s: &Section, names: &Names) -> Vec<When> {
    let at = s.at("when");
    let map = match s.get("when") {
        Some(Value::Map(m)) if !m.is_empty() => m,
        Some(Value::Map(_)) => {
            p.push(
                &at,
                "'when' must have at least one entry (parameter: value, or expr: \"...\")",
            );
            return Vec::new();
        }
        None | Some(Value::Null) => {
            p.push(&at, "'when' is missing (add when: {parameter: value})");
            return Vec::new();
        }
        Some(other) => {
            p.push(
                &at,
                format!(
                    "'when' must be a mapping of parameter to value, got {}",
                    show(other)
                ),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(map.len());
    for (key, m) in map.iter() {
        let path = join(&at, key);
        if key == "expr" {
            match m {
                Value::Str(src) if !src.trim().is_empty() => match Expr::compile(src, names.expr) {
                    Ok(e) => out.push(When::Expr(e)),
                    Err(msg) => p.push(&path, msg),
                },
                other => p.push(
                    &path,
                    format!(
                        "'when.expr' must be a non-empty string, got {}",
                        show(other)
                    ),
                ),
            }
            continue;
        }
        if !check_param_ref(p, &path, "when", key, names) {
            continue;
        }
        if let Some(matcher) = matcher(p, &path, key, m) {
            out.push(When::Param(key.to_string(), matcher));
        }
    }
    out
}

/// A `when` matcher. compat (B13): literals keep their YAML type (no numeric coercion
/// of strings); the expander compares a numeric-looking string numerically only when
/// the trial's value is a number.
fn matcher(p: &mut Problems, path: &str, param: &str, m: &Value) -> Option<Matcher> {
    match m {
        Value::Map(ops) => {
            if ops.len() != 1 {
                let mut keys: Vec<&str> = ops.iter().map(|(k, _)| k).collect();
                keys.sort_unstable();
                p.push(
                    path,
                    format!(
                        "operator-map for '{}' must have exactly one operator key, got {}",
                        escape(param),
                        show_strs(&keys)
                    ),
                );
                return None;
            }
            let (op_name, arg) = ops.iter().next()?;
            let Some(op) = OPERATORS
                .iter()
                .find(|(n, _)| *n == op_name)
                .map(|(_, o)| *o)
            else {
                let valid: Vec<&str> = OPERATORS.iter().map(|(n, _)| *n).collect();
                p.push(
                    path,
                    format!(
                        "unknown operator {} for '{}'. Valid operators: {}",
                        repr(op_name),
                        escape(param),
                        show_strs(&valid)
                    ),
                );
                return None;
            };
            let path = join(path, op_name);
            match (op, arg) {
                (Op::In | Op::NotIn, Value::List(items)) => {
                    check_match_items(p, &path, items).then(|| Matcher::Op(op, arg.clone()))
                }
                (Op::In | Op::NotIn, _) => {
                    p.push(
                        &path,
                        format!(
                            "operator '{op_name}' on '{}' requires a list value",
                            escape(param)
                        ),
                    );
                    None
                }
                // compat (B7): one operand only; `eq: [3, 5, 7]` never matched anything.
                (_, Value::List(_) | Value::Map(_)) => {
                    p.push(
                        &path,
                        format!(
                            "operator '{op_name}' compares with one value, got {} (to match any of several values use in: [...])",
                            show(arg)
                        ),
                    );
                    None
                }
                _ => Some(Matcher::Op(op, arg.clone())),
            }
        }
        Value::List(items) => {
            check_match_items(p, path, items).then(|| Matcher::AnyOf(items.clone()))
        }
        scalar => Some(Matcher::Eq(scalar.clone())),
    }
}

/// compat (B7): list elements that are lists or mappings could never match a value.
fn check_match_items(p: &mut Problems, path: &str, items: &[Value]) -> bool {
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        if matches!(it, Value::List(_) | Value::Map(_)) {
            p.push(
                &item(path, i),
                format!(
                    "{} is {}; parameter values are scalars, so it can never match",
                    show(it),
                    it.kind()
                ),
            );
            ok = false;
        }
    }
    ok
}

fn exclude(p: &mut Problems, s: &Section, names: &Names) -> Vec<(String, Vec<Value>)> {
    let Some(map) = cond_map(p, s, "exclude", "parameter to values") else {
        return Vec::new();
    };
    let at = s.at("exclude");
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if !check_param_ref(p, &path, "exclude", key, names) {
            continue;
        }
        let values = match v {
            Value::List(items) => items.clone(),
            scalar => vec![scalar.clone()],
        };
        if check_match_items(p, &path, &values) {
            out.push((key.to_string(), values));
        }
    }
    out
}

fn force(p: &mut Problems, s: &Section, names: &Names) -> Assoc {
    let mut out = Assoc::new();
    let Some(map) = cond_map(p, s, "force", "parameter to value") else {
        return out;
    };
    let at = s.at("force");
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if check_param_ref(p, &path, "force", key, names) {
            check_value(p, &path, v);
            out.0.push((key.to_string(), v.clone()));
        }
    }
    out
}

fn set(p: &mut Problems, s: &Section, names: &Names) -> Vec<(String, SetValue)> {
    let Some(map) = cond_map(p, s, "set", "override key to value") else {
        return Vec::new();
    };
    let at = s.at("set");
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if key.is_empty() {
            p.push(&path, "set keys must be non-empty strings");
            continue;
        }
        check_set_key(p, &path, key);
        match v {
            Value::Map(m) if m.len() == 1 && m.get("expr").is_some() => match m.get("expr") {
                Some(Value::Str(src)) if !src.trim().is_empty() => {
                    match Expr::compile(src, names.expr) {
                        Ok(e) => out.push((key.to_string(), SetValue::Expr(e))),
                        Err(msg) => p.push(&path, format!("set.{}: {msg}", escape(key))),
                    }
                }
                other => p.push(
                    &join(&path, "expr"),
                    format!(
                        "'set.{}.expr' must be a non-empty string, got {}",
                        escape(key),
                        other.map_or_else(|| "null".into(), show)
                    ),
                ),
            },
            literal => {
                check_value(p, &path, literal);
                out.push((key.to_string(), SetValue::Literal(literal.clone())));
            }
        }
    }
    out
}

/// compat (B20): a `set` key becomes `key=value` in the override string, so it follows
/// the parameter-name character rule.
fn check_set_key(p: &mut Problems, path: &str, key: &str) {
    let mut bad: Vec<String> = key
        .chars()
        .filter(|c| FORBIDDEN_NAME_CHARS.contains(c) || is_control(*c) || c.is_whitespace())
        .map(|c| c.to_string())
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        p.push(
            path,
            format!(
                "set key {} contains forbidden characters {}; rename it (they break the override syntax)",
                repr(key),
                show_strs(&bad)
            ),
        );
    }
}
