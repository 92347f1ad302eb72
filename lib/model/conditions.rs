//! Conditions (spec §2.3): which trials a condition's `when` matches (parameter
//! matchers with numeric tolerance, or an expression), and what it does to them:
//! `exclude` drops them, `force` overrides parameters, `set` writes extras.
//!
//! [`apply_condition`] applies one condition to a list of trials, as the spec words
//! it; `rows` gives the same trials faster when the conditions force nothing.

use crate::config::{Condition, Config, Matcher, Op, SetValue, When};
use crate::expr::{truthy, Expr};
use crate::model::expand::{close, Trial};
use crate::text::pyfmt::repr_str;
use crate::text::pystr::{pyrepr, pystr};
use crate::text::value::{Assoc, Value};

/// A number written as a string in a condition, e.g. `le: "1e-3"` (Python float syntax).
fn numeric_text(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || ["true", "false", "null", "none"].contains(&t.to_ascii_lowercase().as_str())
    {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

/// The number a condition operand stands for when compared with a numeric value.
///
/// B13: a numeric-looking string is read as a number only when the trial's value is a
/// number, so string-valued parameters such as `'007'` still match themselves.
fn as_number_against(trial_value: &Value, operand: &Value) -> Option<(f64, f64)> {
    let a = trial_value.as_number()?;
    let b = match operand {
        Value::Str(s) => numeric_text(s)?,
        other => other.as_number()?,
    };
    Some((a, b))
}

/// Numeric-tolerant equality of a trial value and a condition operand.
pub(crate) fn matches_value(trial_value: &Value, operand: &Value) -> bool {
    match as_number_against(trial_value, operand) {
        Some((a, b)) => close(a, b),
        None => {
            trial_value.as_number().is_none()
                && operand.as_number().is_none()
                && trial_value == operand
        }
    }
}

fn any_matches(trial_value: &Value, operands: &Value) -> bool {
    match operands {
        Value::List(items) => items.iter().any(|o| matches_value(trial_value, o)),
        single => matches_value(trial_value, single),
    }
}

pub(crate) fn matcher_matches(v: &Value, m: &Matcher) -> bool {
    match m {
        Matcher::Eq(o) => matches_value(v, o),
        Matcher::AnyOf(list) => list.iter().any(|o| matches_value(v, o)),
        Matcher::Op(op, o) => match op {
            Op::Eq => matches_value(v, o),
            Op::Ne => !matches_value(v, o),
            Op::In => any_matches(v, o),
            Op::NotIn => !any_matches(v, o),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => match as_number_against(v, o) {
                None => false,
                Some((a, b)) => match op {
                    Op::Gt => a > b,
                    Op::Ge => a >= b,
                    Op::Lt => a < b,
                    _ => a <= b,
                },
            },
        },
    }
}

/// The expression namespace of a trial: each parameter's expression name → its value.
fn env<'a>(cfg: &'a Config, params: &'a Assoc) -> impl Iterator<Item = (&'a str, &'a Value)> {
    cfg.parameters.iter().enumerate().filter_map(|(i, p)| {
        // Params are usually in declaration order: try the same position first.
        let v = match params.0.get(i) {
            Some((k, v)) if *k == p.name => Some(v),
            _ => params.get(&p.name),
        };
        v.map(|v| (p.expr_name(), v))
    })
}

/// The value in the unused slots of a namespace built on the stack.
static NULL: Value = Value::Null;

fn eval(cfg: &Config, e: &Expr, params: &Assoc, at: &str) -> Result<Value, String> {
    // Evaluated once per trial and condition: the namespace of a usual sweep is
    // built on the stack.
    const ON_STACK: usize = 16;
    let result = if cfg.parameters.len() <= ON_STACK {
        let mut names: [(&str, &Value); ON_STACK] = [("", &NULL); ON_STACK];
        let mut n = 0;
        for (slot, entry) in names.iter_mut().zip(env(cfg, params)) {
            *slot = entry;
            n += 1;
        }
        e.eval(&names[..n])
    } else {
        e.eval(&env(cfg, params).collect::<Vec<_>>())
    };
    result.map_err(|msg| eval_failure(e, params, at, &msg))
}

/// The message of an expression that failed for the trial with `params`.
pub(crate) fn eval_failure(e: &Expr, params: &Assoc, at: &str, msg: &str) -> String {
    let fix = if msg.contains("by zero") {
        "guard the expression, e.g. 'x / y if y != 0 else 0'"
    } else {
        "guard the expression so that it works for every trial"
    };
    format!(
        "{at}: expression {} failed for trial {}: {msg} ({fix})",
        repr_str(e.source()),
        describe(params)
    )
}

/// `lr=0.1, opt=adam`, for messages.
pub(crate) fn describe(params: &Assoc) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", pystr(v)))
        .collect();
    parts.join(", ")
}

/// Where condition `i` and its expressions sit, for messages: the condition, its
/// `when.expr` and each `set` entry (made once, not once per trial).
pub(crate) fn places(i: usize, c: &Condition) -> (String, String, Vec<String>) {
    let at = format!("conditions[{i}] ({})", c.name);
    let when_at = format!("{at}.when.expr");
    let set_at = c.set.iter().map(|(k, _)| format!("{at}.set.{k}")).collect();
    (at, when_at, set_at)
}

/// Apply one condition to every trial, in order (spec §2.3).
pub(crate) fn apply_condition(
    cfg: &Config,
    i: usize,
    c: &Condition,
    trials: Vec<Trial>,
) -> Result<Vec<Trial>, String> {
    let places = places(i, c);
    let mut out = Vec::with_capacity(trials.len());
    for mut t in trials {
        if apply_one(cfg, c, &places, &mut t)? != Applied::Excluded {
            out.push(t);
        }
    }
    Ok(out)
}

/// What one condition did to one trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// `when` did not match: nothing.
    Untouched,
    /// It matched, and `exclude` dropped the trial.
    Excluded,
    /// It matched: `force` and `set` (if any) were applied.
    Matched,
}

/// Apply condition `c`, whose [`places`] are `places`, to the trial `t` in place.
pub(crate) fn apply_one(
    cfg: &Config,
    c: &Condition,
    (at, when_at, set_at): &(String, String, Vec<String>),
    t: &mut Trial,
) -> Result<Applied, String> {
    for w in &c.when {
        let hit = match w {
            When::Expr(e) => truthy(&eval(cfg, e, &t.params, when_at)?),
            When::Param(name, m) => t.params.get(name).is_some_and(|v| matcher_matches(v, m)),
        };
        if !hit {
            return Ok(Applied::Untouched);
        }
    }
    for (name, values) in &c.exclude {
        if t.params
            .get(name)
            .is_some_and(|v| values.iter().any(|o| matches_value(v, o)))
        {
            return Ok(Applied::Excluded);
        }
    }
    for (name, v) in c.force.iter() {
        let forced = match (t.params.get(name), v) {
            // A numeric-looking string forced onto a numeric parameter is a number.
            (Some(cur), Value::Str(s)) if cur.as_number().is_some() => match numeric_text(s) {
                Some(f) if !s.contains(['.', 'e', 'E']) && f.fract() == 0.0 && f.abs() < 9e15 => {
                    Value::Int(f as i64)
                }
                Some(f) => Value::Float(f),
                None => v.clone(),
            },
            _ => v.clone(),
        };
        t.params.insert(name, forced);
    }
    for ((key, sv), set_at) in c.set.iter().zip(set_at) {
        let v = match sv {
            SetValue::Literal(v) => v.clone(),
            SetValue::Expr(e) => {
                let v = eval(cfg, e, &t.params, set_at)?;
                check_set_result(at, key, e, &v)?;
                v
            }
        };
        t.extras.insert(key, v);
    }
    Ok(Applied::Matched)
}

/// B20: a `set` expression's result reaches the override string, so it obeys the same
/// rules as literal values: no whitespace or control characters, finite numbers.
pub(crate) fn check_set_result(at: &str, key: &str, e: &Expr, v: &Value) -> Result<(), String> {
    let bad = match v {
        Value::Str(s) => s.chars().any(|c| c.is_whitespace() || c.is_control()),
        Value::Float(f) => !f.is_finite(),
        // B7: like literal values, lists have no override text without spaces.
        Value::List(_) | Value::Map(_) => true,
        _ => false,
    };
    if bad {
        return Err(format!(
            "{at}.set.{key}: expression {} gave {} which cannot be passed as an override (no whitespace, control characters, lists or non-finite numbers)",
            repr_str(e.source()),
            pyrepr(v)
        ));
    }
    Ok(())
}
