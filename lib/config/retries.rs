//! The `retries:` block (what herd-watch does when a trial's job ends badly) and the
//! `notify:` block (the command it runs on sweep events).

use super::{
    chars::check_no_control,
    fields::{float_field, int_field, string_field, string_list},
    problems::{item, Problems, Section},
    show::{repr, show},
    slurm::{is_slurm_mem, parse_slurm_time},
    Notify, OnEnd, Retries, NOTIFY_EVENTS,
};
use crate::text::value::Value;

pub(super) const RETRIES_KEYS: &[&str] = &[
    "attempts",
    "out_of_memory",
    "timeout",
    "node_fail",
    "preempted",
    "boot_fail",
    "failed",
    "max_mem",
    "max_time",
];

pub(super) const NOTIFY_KEYS: &[&str] = &["command", "on"];

/// The keys of a factor mapping such as `{mem: 2, time: 1.5}`.
const FACTOR_KEYS: &[&str] = &["mem", "time"];

/// `notify.on` when left out.
const DEFAULT_EVENTS: &[&str] = &["sweep_finished", "failed_for_good"];

/// A command given as an example in fixes.
const EXAMPLE_COMMAND: &str = "[mail, -s, herd, you@example.org]";

/// `n` if at most `max`, else a problem in the words `int_field` uses for its minimum.
pub(super) fn int_at_most(
    p: &mut Problems,
    path: &str,
    n: u64,
    field: &str,
    max: u64,
) -> Option<u64> {
    if n > max {
        p.push(
            path,
            format!("{n} is not allowed ({field} must be at most {max})"),
        );
        return None;
    }
    Some(n)
}

/// `retries`: absent or null means the defaults, `false` retries nothing.
pub(super) fn retries(p: &mut Problems, top: &Section) -> Retries {
    let map = match top.get("retries") {
        None | Some(Value::Null) => return Retries::default(),
        Some(Value::Bool(false)) => return Retries::none(),
        Some(Value::Map(m)) => m,
        Some(other) => {
            p.push(
                "retries",
                format!(
                    "{} must be a mapping such as {{attempts: 3, out_of_memory: {{mem: 2}}}}, or false to retry nothing (leave it out for the defaults)",
                    show(other)
                ),
            );
            return Retries::default();
        }
    };
    let s = Section::new("retries", map);
    s.check_keys(p, RETRIES_KEYS);
    let mut out = Retries::default();
    if let Some(v) = s.get("attempts") {
        let at = s.at("attempts");
        if let Some(n) = int_field(p, &at, v, "attempts", 1)
            .and_then(|n| int_at_most(p, &at, n, "attempts", 100))
        {
            out.attempts = u32::try_from(n).unwrap_or(100);
        }
    }
    let rules = [
        ("out_of_memory", &mut out.out_of_memory),
        ("timeout", &mut out.timeout),
        ("node_fail", &mut out.node_fail),
        ("preempted", &mut out.preempted),
        ("boot_fail", &mut out.boot_fail),
        ("failed", &mut out.failed),
    ];
    for (key, rule) in rules {
        if let Some(r) = s.get(key).and_then(|v| on_end(p, &s.at(key), v)) {
            *rule = r;
        }
    }
    match s.get("max_mem") {
        None | Some(Value::Null) => {}
        Some(v) => out.max_mem = max_mem(p, &s.at("max_mem"), v),
    }
    match s.get("max_time") {
        None | Some(Value::Null) => {}
        Some(v) => out.max_time = max_time(p, &s.at("max_time"), v),
    }
    out
}

/// One outcome's rule: `never`, `same` or a factor mapping.
fn on_end(p: &mut Problems, path: &str, v: &Value) -> Option<OnEnd> {
    let map = match v {
        Value::Str(w) if w == "never" => return Some(OnEnd::Never),
        Value::Str(w) if w == "same" => return Some(OnEnd::Same),
        Value::Map(m) => m,
        other => {
            p.push(
                path,
                format!(
                    "{} must be never, same or a mapping of factors such as {{mem: 2}} or {{time: 1.5}}",
                    show(other)
                ),
            );
            return None;
        }
    };
    if map.iter().next().is_none() {
        p.push(
            path,
            "{} names no factor (write e.g. {mem: 2} or {time: 1.5}, or same or never)",
        );
        return None;
    }
    let s = Section::new(path, map);
    s.check_keys(p, FACTOR_KEYS);
    let mem = s.get("mem").map(|v| factor(p, &s.at("mem"), v));
    let time = s.get("time").map(|v| factor(p, &s.at("time"), v));
    match (mem, time) {
        (None, None) | (Some(None), _) | (_, Some(None)) => None,
        (mem, time) => Some(OnEnd::Scale {
            mem: mem.flatten(),
            time: time.flatten(),
        }),
    }
}

/// A resource factor: a number, 1 < f ≤ 16.
fn factor(p: &mut Problems, path: &str, v: &Value) -> Option<f64> {
    let f = float_field(p, path, v)?;
    if f > 1.0 && f <= 16.0 {
        return Some(f);
    }
    p.push(
        path,
        format!(
            "{} is not allowed (a factor must be more than 1 and at most 16, e.g. 2 to double; write same to keep the resources)",
            show(v)
        ),
    );
    None
}

/// `max_mem`: a non-zero SLURM memory size.
fn max_mem(p: &mut Problems, path: &str, v: &Value) -> Option<String> {
    let m = string_field(p, path, v, "\"64G\"")?;
    if !check_no_control(p, path, &m) {
        return None;
    }
    if !is_slurm_mem(&m) {
        p.push(
            path,
            format!(
                "{} is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"64G\")",
                repr(&m)
            ),
        );
        return None;
    }
    if m.bytes().filter(u8::is_ascii_digit).all(|b| b == b'0') {
        p.push(
            path,
            format!(
                "{} is not allowed (a cap must be more than zero; leave max_mem out for no cap)",
                repr(&m)
            ),
        );
        return None;
    }
    Some(m)
}

/// `max_time`: a SLURM time; `infinite` (or `0`, SLURM's "no limit") means no cap.
fn max_time(p: &mut Problems, path: &str, v: &Value) -> Option<String> {
    let t = string_field(p, path, v, "\"2-00:00:00\"")?;
    if !check_no_control(p, path, &t) {
        return None;
    }
    match parse_slurm_time(&t) {
        None => {
            p.push(
                path,
                format!(
                    "{} is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"2-00:00:00\")",
                    repr(&t)
                ),
            );
            None
        }
        Some(None) | Some(Some(0)) => None,
        Some(Some(_)) => Some(t),
    }
}

/// `notify`: absent or null means no notifications.
pub(super) fn notify(p: &mut Problems, top: &Section) -> Option<Notify> {
    let map = match top.get("notify")? {
        Value::Map(m) => m,
        Value::Null => return None,
        other => {
            p.push(
                "notify",
                format!(
                    "{} must be a mapping with command: {EXAMPLE_COMMAND} and on: [sweep_finished, failed_for_good]",
                    show(other)
                ),
            );
            return None;
        }
    };
    let s = Section::new("notify", map);
    s.check_keys(p, NOTIFY_KEYS);
    let fix = format!("add command: {EXAMPLE_COMMAND}, the program and its arguments");
    let command = match s.required(p, "command", &fix) {
        Some(v) => command(p, &s.at("command"), v),
        None => Vec::new(),
    };
    let on = match s.get("on") {
        None => DEFAULT_EVENTS.iter().map(|e| e.to_string()).collect(),
        Some(v) => events(p, &s.at("on"), v),
    };
    Some(Notify { command, on })
}

/// `notify.command`: a non-empty argv, run without a shell.
fn command(p: &mut Problems, path: &str, v: &Value) -> Vec<String> {
    match v {
        Value::Str(c) => {
            let words: Vec<&str> = c.split_whitespace().collect();
            p.push(
                path,
                format!(
                    "{} must be a list (write [{}]; it runs without a shell, so write [sh, -c, {}] if one is wanted)",
                    repr(c),
                    words.join(", "),
                    repr(c)
                ),
            );
            Vec::new()
        }
        Value::Null => {
            p.push(
                path,
                format!("null is not allowed (write the program and its arguments as a list, e.g. {EXAMPLE_COMMAND})"),
            );
            Vec::new()
        }
        _ => {
            let argv = string_list(p, path, v);
            match argv.first() {
                None if matches!(v, Value::List(items) if items.is_empty()) => p.push(
                    path,
                    format!("[] is empty (name the program and its arguments, e.g. {EXAMPLE_COMMAND})"),
                ),
                Some(prog) if prog.trim().is_empty() => p.push(
                    &item(path, 0),
                    format!(
                        "{} is not a program (the first item names the program, e.g. {EXAMPLE_COMMAND})",
                        repr(prog)
                    ),
                ),
                _ => {}
            }
            argv
        }
    }
}

/// `notify.on`: event names from [`NOTIFY_EVENTS`], duplicates dropped.
fn events(p: &mut Problems, path: &str, v: &Value) -> Vec<String> {
    let items = match v {
        Value::List(items) => items,
        Value::Str(e) => {
            p.push(
                path,
                format!("{} must be a list (write on: [{e}])", repr(e)),
            );
            return Vec::new();
        }
        Value::Null => {
            p.push(
                path,
                "null is not allowed (list the events, or leave on: out for [sweep_finished, failed_for_good])",
            );
            return Vec::new();
        }
        other => {
            p.push(
                path,
                format!(
                    "{} must be a list of events such as [sweep_finished, failed_for_good]",
                    show(other)
                ),
            );
            return Vec::new();
        }
    };
    if items.is_empty() {
        p.push(
            path,
            "[] names no event (list some, e.g. [sweep_finished, failed_for_good], or remove notify:)",
        );
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let at = item(path, i);
        let Some(e) = string_field(p, &at, it, "") else {
            continue;
        };
        if !NOTIFY_EVENTS.contains(&e.as_str()) {
            p.push(
                &at,
                format!(
                    "{} is not an event (valid events: {})",
                    repr(&e),
                    NOTIFY_EVENTS.join(", ")
                ),
            );
        } else if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}
