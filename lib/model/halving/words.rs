//! The words of a decision (§12.5, 12.8): reasons, `--reason` labels, explanations
//! and the value as `--reason` shows it. Exact strings, Unicode punctuation included.

use super::{Action, Standing, Verdict};
use crate::model::record::Status;
use crate::text::pyfmt::fmt_g;
use crate::text::value::Value;

/// The reason of a ruled verdict: `top-half at rung R (step S)`, ….
pub(super) fn reason(v: Verdict, s: Option<&Standing>) -> String {
    let at = s.map_or(String::new(), |s| {
        format!(" at rung {} (step {})", s.rung, s.step)
    });
    match v {
        Verdict::Promote => format!("top-half{at}"),
        Verdict::Prune => format!("bottom-half{at}"),
        Verdict::Pause => format!("undecidable{at} \u{2014} pausing until field catches up"),
        Verdict::RunFree => format!("cleared final rung{at} \u{2014} running to budget"),
        Verdict::NotAtRung | Verdict::None => String::new(),
    }
}

/// The `--reason` label (§12.8; `WAIT` for a resume that waits for the old job).
pub fn label(status: &Status, action: Action, verdict: Verdict) -> &'static str {
    match (status, action, verdict) {
        (Status::Completed, _, _) => "COMPLETE",
        (Status::Submitted | Status::Queued, _, _) => "JUST-LAUNCHED",
        (_, Action::Prune, _) => "PRUNE",
        (_, Action::Pause, _) => "PAUSE",
        (_, Action::Submit, _) => "RESUME",
        (_, Action::Wait, _) => "WAIT",
        (_, _, Verdict::RunFree) => "RUN-TO-BUDGET",
        (_, _, Verdict::Promote) => "CONTINUE",
        (Status::Paused, _, _) => "STAY-PAUSED",
        (_, _, Verdict::NotAtRung) => "PRE-RUNG",
        _ => "NO-OP",
    }
}

/// The explanation of `--reason` (§12.8); without a standing, the reason.
pub(super) fn explanation(
    status: &Status,
    v: Verdict,
    s: Option<&Standing>,
    reason: &str,
) -> String {
    let Some(s) = s else {
        return reason.to_string();
    };
    let (rank, m, keep) = (s.ahead + 1, s.cohort_size, s.keep);
    if *status == Status::Completed {
        return format!(
            "completed \u{2014} final result ranks {rank} of {m} at rung {} (keep top {keep})",
            s.rung
        );
    }
    if s.unreached == 0 {
        let tail = match v {
            Verdict::Prune => "below the cut \u{2192} prune",
            Verdict::RunFree => "survived the final rung \u{2192} running to budget",
            _ => "survives \u{2192} keeps training toward the next rung",
        };
        return format!("rank {rank} of {m} arrived, keep top {keep}: {tail}");
    }
    let (ahead, u) = (s.ahead, s.unreached);
    let tail = match v {
        Verdict::Prune => {
            format!("{ahead} trial(s) already ranked ahead (\u{2265} {keep}) \u{2192} bottom half")
        }
        Verdict::Promote => {
            format!("{ahead} ahead + {u} not yet at rung < {keep} \u{2192} top half")
        }
        Verdict::RunFree => format!(
            "{ahead} ahead + {u} not yet at rung < {keep} \u{2192} top half (final rung \u{2192} run to budget)"
        ),
        _ => format!(
            "{ahead} ahead, {u} not yet at this rung \u{2192} can't decide until the field catches up"
        ),
    };
    format!("cohort of {m}, keep top {keep}: {tail}")
}

/// A metric value as `--reason` shows it: Python `%.4g` of a number (bool as 0/1,
/// as Python's `%` takes it), `n/a` for anything else.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => u8::from(*b).to_string(),
        Value::Int(i) => fmt_g(*i as f64, 4),
        Value::BigInt(s) => s.parse::<f64>().map_or("n/a".into(), |x| fmt_g(x, 4)),
        Value::Float(f) => fmt_g(*f, 4),
        _ => "n/a".to_string(),
    }
}
