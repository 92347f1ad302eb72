//! The `successive_halving` block.

use super::{
    fields::{int_field, string_field},
    problems::{Problems, Section},
    show::show,
    Halving,
};
use crate::text::value::Value;

pub(super) const HALVING_KEYS: &[&str] =
    &["metric", "direction", "min_steps", "budget", "eta", "mode"];

/// `successive_halving`: null or absent means not configured.
pub(super) fn halving(p: &mut Problems, top: &Section) -> Option<Halving> {
    let map = match top.get("successive_halving")? {
        Value::Map(m) => m,
        Value::Null => return None,
        other => {
            p.push(
                "successive_halving",
                format!(
                    "{} must be a mapping with metric:, direction:, min_steps: and budget:",
                    show(other)
                ),
            );
            return None;
        }
    };
    let s = Section::new("successive_halving", map);
    s.check_keys(p, HALVING_KEYS);
    let metric = s
        .required(p, "metric", "add metric: <name of a streamed metric>")
        .and_then(|v| string_field(p, &s.at("metric"), v, "\"val_loss\""));
    let direction = s
        .required(p, "direction", "add direction: min or direction: max")
        .and_then(|v| match v {
            Value::Str(d) if d == "min" => Some(false),
            Value::Str(d) if d == "max" => Some(true),
            other => {
                p.push(
                    &s.at("direction"),
                    format!("{} must be min or max", show(other)),
                );
                None
            }
        });
    let min_steps = s
        .required(p, "min_steps", "add min_steps: <first rung, in steps>")
        .and_then(|v| int_field(p, &s.at("min_steps"), v, "min_steps", 1));
    let budget = s
        .required(p, "budget", "add budget: <last rung, in steps>")
        .and_then(|v| int_field(p, &s.at("budget"), v, "budget", 1));
    let eta = match s.get("eta") {
        None => Some(2),
        Some(v) => int_field(p, &s.at("eta"), v, "eta", 2),
    };
    let asha = match s.get("mode") {
        None => Some(false),
        Some(Value::Str(m)) if m == "sync" => Some(false),
        Some(Value::Str(m)) if m == "asha" => Some(true),
        Some(other) => {
            p.push(
                &s.at("mode"),
                format!("{} must be sync or asha", show(other)),
            );
            None
        }
    };
    if let (Some(m), Some(b)) = (min_steps, budget) {
        if m > b {
            p.push(
                "successive_halving",
                format!("successive_halving.min_steps ({m}) must be <= budget ({b})"),
            );
        }
    }
    Some(Halving {
        metric: metric?,
        maximize: direction?,
        min_steps: min_steps?,
        budget: budget?,
        eta: eta?,
        asha: asha?,
    })
}
