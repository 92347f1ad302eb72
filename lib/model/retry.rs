//! The retry decision, pure: given the config's `retries:` rules, how a trial's latest
//! job ended and what it asked for, decide whether herd-watch resubmits the trial and
//! with which resources ([`decide`]); and the rules as lines a user reads
//! ([`describe`], for `herd-watch --rules`). No files, no SLURM: the caller finds the
//! job's state and the partition's limits.
//!
//! Scaled resources are rounded up to what SLURM grants (whole MiB, whole minutes) and
//! never exceed the cap, the smaller of `retries.max_mem`/`max_time` and the
//! partition's limit; a trial already at the cap of every resource its rule scales is
//! given up rather than resubmitted to fail the same way.

use crate::config::{parse_slurm_time, OnEnd, Retries};

/// A job's resources in SLURM syntax, as sbatch takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// `--mem`: `<n>[K|M|G|T]`, no suffix meaning M.
    pub mem: String,
    /// `--time`: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`.
    pub time: String,
}

/// The partition's limits, found by the caller; `None` when it has none (or does not
/// say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// The most memory one job may ask for, in bytes.
    pub max_mem_bytes: Option<u64>,
    /// The longest time limit one job may ask for, in seconds.
    pub max_time_seconds: Option<u64>,
}

/// What herd-watch does about a trial whose job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Resubmit with these resources.
    Retry {
        /// The resources of the next attempt.
        resources: Resources,
        /// The rule applied: its config key (`out_of_memory`, `timeout`, ...).
        outcome: &'static str,
        /// For humans and the events log:
        /// `OUT_OF_MEMORY with mem 100M: attempt 2 of 3 with mem 200M`.
        why: String,
    },
    /// A retryable ending, but no attempts are left or the resources are at the cap.
    GiveUp {
        /// For humans and the events log:
        /// `TIMEOUT with time 00:01:00: no attempts left (3 of 3)`.
        why: String,
    },
    /// Not an ending herd retries (COMPLETED, CANCELLED, RUNNING, unknown states), or
    /// its rule is `never`.
    NotRetried,
}

/// The endings herd retries: SLURM's name and the config key, in [`describe`]'s order.
const ENDINGS: [(&str, &str); 6] = [
    ("OUT_OF_MEMORY", "out_of_memory"),
    ("TIMEOUT", "timeout"),
    ("NODE_FAIL", "node_fail"),
    ("PREEMPTED", "preempted"),
    ("BOOT_FAIL", "boot_fail"),
    ("FAILED", "failed"),
];

/// Decide what to do about a trial whose latest job ended in `state` (SLURM's raw
/// state, e.g. `OUT_OF_MEMORY`, or `CANCELLED by 1000`; `LOST`, the local backend's
/// lost runner, counts as NODE_FAIL) after `attempt` (1-based) with `current`
/// resources; `caps` are the partition's limits.
pub fn decide(
    rules: &Retries,
    state: &str,
    attempt: u32,
    current: &Resources,
    caps: &Caps,
) -> Decision {
    let Some((label, key)) = ending(state) else {
        return Decision::NotRetried;
    };
    let (mem_factor, time_factor) = match rule(rules, key) {
        OnEnd::Never => return Decision::NotRetried,
        OnEnd::Same => (None, None),
        OnEnd::Scale { mem, time } => (*mem, *time),
    };
    let mut head = label.to_string();
    let mut was = Vec::new();
    if mem_factor.is_some() {
        was.push(format!("mem {}", current.mem));
    }
    if time_factor.is_some() {
        was.push(format!("time {}", current.time));
    }
    if !was.is_empty() {
        head = format!("{head} with {}", was.join(", "));
    }
    let attempt = attempt.max(1);
    if attempt >= rules.attempts {
        return Decision::GiveUp {
            why: format!("{head}: no attempts left ({attempt} of {})", rules.attempts),
        };
    }
    let limits = Limits::new(rules, caps);
    let mut next = current.clone();
    let mut grew = Vec::new();
    let mut stuck = Vec::new();
    if let Some(f) = mem_factor {
        match grow(mem_mib(&current.mem), f, 1, limits.mem) {
            Ok((mib, at_cap)) => {
                next.mem = format_mem(mib);
                grew.push(format!("mem {}{}", next.mem, cap_note(at_cap)));
            }
            Err(why) => stuck.push((
                "mem",
                &current.mem,
                why,
                limits.mem.map(|c| format_mem(c.value)),
            )),
        }
    }
    if let Some(f) = time_factor {
        let secs = parse_slurm_time(&current.time).map(|t| t.unwrap_or(0));
        match grow(secs, f, 60, limits.time) {
            Ok((s, at_cap)) => {
                next.time = format_time(s);
                grew.push(format!("time {}{}", next.time, cap_note(at_cap)));
            }
            Err(why) => stuck.push((
                "time",
                &current.time,
                why,
                limits.time.map(|c| format_time(c.value)),
            )),
        }
    }
    if grew.is_empty() && !stuck.is_empty() {
        let whys: Vec<String> = stuck
            .iter()
            .map(|(what, cur, why, cap)| why.long(what, cur, cap.as_deref()))
            .collect();
        return Decision::GiveUp {
            why: format!("{head}: {}", whys.join("; ")),
        };
    }
    for (what, cur, why, _) in &stuck {
        grew.push(format!("{what} {cur} as before ({})", why.short()));
    }
    let with = if grew.is_empty() {
        "the same resources".to_string()
    } else {
        grew.join(", ")
    };
    Decision::Retry {
        resources: next,
        outcome: key,
        why: format!(
            "{head}: attempt {} of {} with {with}",
            attempt + 1,
            rules.attempts
        ),
    }
}

/// One line per ending saying what herd-watch does, for `herd-watch --rules`:
/// `OUT_OF_MEMORY  retry with mem x2 (up to 64G), at most 3 attempts in all`.
pub fn describe(rules: &Retries, caps: &Caps) -> Vec<String> {
    let limits = Limits::new(rules, caps);
    let width = ENDINGS.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 2;
    let at_most = format!("at most {} attempts in all", rules.attempts);
    ENDINGS
        .iter()
        .map(|&(label, key)| {
            let mut text = match rule(rules, key) {
                OnEnd::Never => "not retried".to_string(),
                _ if rules.attempts <= 1 => "not retried (attempts: 1)".to_string(),
                OnEnd::Same => format!("retry with the same resources, {at_most}"),
                OnEnd::Scale { mem, time } => {
                    let mut parts = Vec::new();
                    if let Some(f) = mem {
                        let cap = limits.mem.map(|c| format_mem(c.value));
                        parts.push(format!("mem x{f}{}", up_to(cap)));
                    }
                    if let Some(f) = time {
                        let cap = limits.time.map(|c| format_time(c.value));
                        parts.push(format!("time x{f}{}", up_to(cap)));
                    }
                    format!("retry with {}, {at_most}", parts.join(" and "))
                }
            };
            if key == "node_fail" {
                text.push_str("; LOST (a local runner gone) counts as NODE_FAIL");
            }
            format!("{label:<width$}{text}")
        })
        .collect()
}

/// The ending a raw state names, with the label used in texts, and its config key.
fn ending(state: &str) -> Option<(&'static str, &'static str)> {
    let word = state.split_whitespace().next()?.to_ascii_uppercase();
    if word == "LOST" {
        return Some(("LOST", "node_fail"));
    }
    ENDINGS.iter().copied().find(|(label, _)| *label == word)
}

/// The rule for a config key.
fn rule<'a>(rules: &'a Retries, key: &str) -> &'a OnEnd {
    match key {
        "out_of_memory" => &rules.out_of_memory,
        "timeout" => &rules.timeout,
        "node_fail" => &rules.node_fail,
        "preempted" => &rules.preempted,
        "boot_fail" => &rules.boot_fail,
        _ => &rules.failed,
    }
}

/// A cap and where it comes from.
#[derive(Debug, Clone, Copy)]
struct Cap {
    /// MiB for memory, seconds for time.
    value: u64,
    /// `retries.max_mem`, `the partition's limit`, ...
    source: &'static str,
}

/// The effective caps: the smaller of the rules' and the partition's.
struct Limits {
    mem: Option<Cap>,
    time: Option<Cap>,
}

impl Limits {
    fn new(rules: &Retries, caps: &Caps) -> Limits {
        // Caps round down to what SLURM grants: whole MiB, whole minutes.
        let rule_mem = rules.max_mem.as_deref().and_then(mem_mib_floor);
        let part_mem = caps.max_mem_bytes.map(|b| b >> 20);
        let rule_time = rules
            .max_time
            .as_deref()
            .and_then(|t| parse_slurm_time(t).flatten());
        let minutes = |s: u64| if s >= 60 { s / 60 * 60 } else { s };
        Limits {
            mem: smaller(rule_mem, part_mem, "retries.max_mem"),
            time: smaller(
                rule_time.filter(|&s| s > 0).map(minutes),
                caps.max_time_seconds.filter(|&s| s > 0).map(minutes),
                "retries.max_time",
            ),
        }
    }
}

fn smaller(rule: Option<u64>, partition: Option<u64>, rule_name: &'static str) -> Option<Cap> {
    let rule = rule.map(|value| Cap {
        value,
        source: rule_name,
    });
    let partition = partition.map(|value| Cap {
        value,
        source: "the partition's limit",
    });
    match (rule, partition) {
        (Some(r), Some(p)) if p.value < r.value => Some(p),
        (r, p) => r.or(p),
    }
}

/// Why a resource could not grow.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stuck {
    /// Already at (or above) its cap.
    AtCap(&'static str),
    /// No limit (`0`, `infinite`): nothing to raise.
    Unlimited,
    /// The current value is not SLURM syntax.
    Unreadable,
}

impl Stuck {
    fn long(self, what: &str, current: &str, cap: Option<&str>) -> String {
        match self {
            Stuck::AtCap(source) => format!(
                "{what} is already at its cap of {} ({source})",
                cap.unwrap_or(current)
            ),
            Stuck::Unlimited => format!("{what} {current} has no limit to raise"),
            Stuck::Unreadable => format!("{what} {current:?} is not in SLURM syntax"),
        }
    }

    fn short(self) -> &'static str {
        match self {
            Stuck::AtCap(_) => "already at its cap",
            Stuck::Unlimited => "no limit to raise",
            Stuck::Unreadable => "not in SLURM syntax",
        }
    }
}

/// `current × factor`, rounded up to a multiple of `unit` and capped; with whether
/// the result is the cap.
fn grow(
    current: Option<u64>,
    factor: f64,
    unit: u64,
    cap: Option<Cap>,
) -> Result<(u64, bool), Stuck> {
    let cur = current.ok_or(Stuck::Unreadable)?;
    if cur == 0 {
        return Err(Stuck::Unlimited);
    }
    if let Some(c) = cap {
        if cur >= c.value {
            return Err(Stuck::AtCap(c.source));
        }
    }
    let units = ceil_exact(cur as f64 * factor / unit as f64);
    let mut new = units.saturating_mul(unit).max(cur + 1);
    let mut at_cap = false;
    if let Some(c) = cap {
        if new >= c.value {
            new = c.value;
            at_cap = true;
        }
    }
    Ok((new, at_cap))
}

/// `x` rounded up, except that a value within floating-point noise of a whole number
/// is that number (100 × 1.1 is 110.00000000000001, and means 110).
fn ceil_exact(x: f64) -> u64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r as u64
    } else {
        x.ceil() as u64
    }
}

fn cap_note(at_cap: bool) -> &'static str {
    if at_cap {
        " (the cap)"
    } else {
        ""
    }
}

fn up_to(cap: Option<String>) -> String {
    cap.map(|c| format!(" (up to {c})")).unwrap_or_default()
}

/// SLURM mem text (`<n>[K|M|G|T]`, no suffix meaning M) in KiB.
fn mem_kib(s: &str) -> Option<u64> {
    let t = s.trim();
    let (digits, kib) = match t.as_bytes().last()?.to_ascii_uppercase() {
        b'K' => (&t[..t.len() - 1], 1u64),
        b'M' => (&t[..t.len() - 1], 1 << 10),
        b'G' => (&t[..t.len() - 1], 1 << 20),
        b'T' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1 << 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(kib)
}

/// SLURM mem text in MiB, rounded up (what SLURM grants for `512K`).
fn mem_mib(s: &str) -> Option<u64> {
    mem_kib(s).map(|k| k.div_ceil(1024))
}

/// SLURM mem text in MiB, rounded down (a cap must not be exceeded).
fn mem_mib_floor(s: &str) -> Option<u64> {
    mem_kib(s).map(|k| k / 1024)
}

/// MiB as SLURM mem text: `<n>G` when a whole number of GiB, else `<n>M`.
fn format_mem(mib: u64) -> String {
    if mib % 1024 == 0 {
        format!("{}G", mib / 1024)
    } else {
        format!("{mib}M")
    }
}

/// Seconds as a SLURM time: `HH:MM:SS`, or `D-HH:MM:SS` from one day up.
fn format_time(secs: u64) -> String {
    let (d, rest) = (secs / 86400, secs % 86400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests;
