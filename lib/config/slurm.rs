//! The `slurm:` block: partition, time and memory syntax, resources, extra arguments.

use super::{
    chars::check_no_control,
    fields::{int_field, string_field, string_list},
    problems::{Problems, Section},
    retries::int_at_most,
    show::{repr, show},
    Slurm,
};
use crate::text::value::Value;

pub(super) const SLURM_KEYS: &[&str] = &[
    "partition",
    "time",
    "mem",
    "cpus_per_task",
    "gres",
    "max_concurrent",
    "extra_args",
    "max_queued",
    "signal_grace",
];

/// The `slurm:` block.
pub(super) fn slurm(p: &mut Problems, top: &Section) -> Slurm {
    let mut out = Slurm {
        partition: String::new(),
        time: "01:00:00".into(),
        mem: "8G".into(),
        cpus_per_task: 1,
        gres: None,
        max_concurrent: None,
        extra_args: Vec::new(),
        max_queued: None,
        signal_grace: None,
    };
    let map = match top.get("slurm") {
        Some(Value::Map(m)) => m,
        None => {
            p.push(
                "slurm",
                "missing (add a slurm: block with at least partition: <name>)",
            );
            return out;
        }
        Some(Value::Null) => {
            p.push(
                "slurm",
                "null is not allowed (add partition: <name> under slurm:)",
            );
            return out;
        }
        Some(other) => {
            p.push(
                "slurm",
                format!(
                    "{} must be a mapping with partition:, time:, mem:, ...",
                    show(other)
                ),
            );
            return out;
        }
    };
    let s = Section::new("slurm", map);
    s.check_keys(p, SLURM_KEYS);
    if let Some(v) = s.required(p, "partition", "add partition: <name> under slurm:") {
        if let Some(part) = string_field(p, "slurm.partition", v, "") {
            check_no_control(p, "slurm.partition", &part);
            out.partition = part;
        }
    }
    if let Some(v) = s.get("time") {
        if let Some(t) = string_field(p, "slurm.time", v, "\"01:00:00\"") {
            if check_no_control(p, "slurm.time", &t) && parse_slurm_time(&t).is_none() {
                p.push(
                    "slurm.time",
                    format!(
                        "{} is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"04:00:00\")",
                        repr(&t)
                    ),
                );
            }
            out.time = t;
        }
    }
    if let Some(v) = s.get("mem") {
        if let Some(m) = string_field(p, "slurm.mem", v, "\"16G\"") {
            if check_no_control(p, "slurm.mem", &m) && !is_slurm_mem(&m) {
                p.push(
                    "slurm.mem",
                    format!(
                        "{} is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"16G\")",
                        repr(&m)
                    ),
                );
            }
            out.mem = m;
        }
    }
    if let Some(v) = s.get("cpus_per_task") {
        out.cpus_per_task = int_field(p, "slurm.cpus_per_task", v, "cpus_per_task", 1).unwrap_or(1);
    }
    match s.get("gres") {
        None | Some(Value::Null) => {}
        Some(v) => {
            if let Some(g) = string_field(p, "slurm.gres", v, "\"gpu:1\"") {
                check_no_control(p, "slurm.gres", &g);
                out.gres = Some(g).filter(|g| !g.is_empty());
            }
        }
    }
    match s.get("max_concurrent") {
        None | Some(Value::Null) => {}
        Some(v) => {
            out.max_concurrent = int_field(p, "slurm.max_concurrent", v, "max_concurrent", 1)
        }
    }
    if let Some(v) = s.get("extra_args") {
        out.extra_args = string_list(p, "slurm.extra_args", v);
    }
    match s.get("max_queued") {
        None | Some(Value::Null) => {}
        Some(v) => out.max_queued = int_field(p, "slurm.max_queued", v, "max_queued", 1),
    }
    match s.get("signal_grace") {
        None | Some(Value::Null) => {}
        Some(v) => {
            out.signal_grace = int_field(p, "slurm.signal_grace", v, "signal_grace", 10)
                .and_then(|n| int_at_most(p, "slurm.signal_grace", n, "signal_grace", 3600))
        }
    }
    out
}

/// `Some(Some(seconds))`, `Some(None)` for infinite, `None` when not a SLURM time.
pub(crate) fn parse_slurm_time(s: &str) -> Option<Option<u64>> {
    if s.eq_ignore_ascii_case("infinite") || s.eq_ignore_ascii_case("unlimited") {
        return Some(None);
    }
    let num = |t: &str| -> Option<u64> {
        if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (Some(num(d)?), r),
        None => (None, s),
    };
    let parts = rest.split(':').map(num).collect::<Option<Vec<u64>>>()?;
    let secs = match (days, parts.as_slice()) {
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + s,
        (None, [h, m, s]) => h * 3600 + m * 60 + s,
        (Some(d), [h]) => d * 86400 + h * 3600,
        (Some(d), [h, m]) => d * 86400 + h * 3600 + m * 60,
        (Some(d), [h, m, s]) => d * 86400 + h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(Some(secs))
}

/// `<digits>[K|M|G|T]`, case-insensitive.
pub(super) fn is_slurm_mem(s: &str) -> bool {
    let digits = s
        .strip_suffix(['K', 'M', 'G', 'T', 'k', 'm', 'g', 't'])
        .unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}
