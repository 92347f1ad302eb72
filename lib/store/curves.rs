//! A trial's learning curve as successive halving needs it (§12.3): from
//! `results/<i>/stream/<metric>.jsonl`, read once, the largest step and the raw value
//! at each rung reached. Nothing else of the stream is kept.
//!
//! Records are deduplicated per step (the largest `ts` wins, ties → the later line;
//! a missing, non-number or string `ts` counts as 0); a step is read with Python's
//! `int()` rules; records the reference would crash on (B33) are skipped. The value
//! at rung k is the one at the largest step ≤ rungs[k], else at the smallest step.
//!
//! Speed: a sweep of 10,000 trials with 1,000 steps each is 600 MB of streams. Lines
//! in the shape herd-log and `log_result` write (`{"step": 12, "value": 0.123, "ts":
//! 1795942166.68}`) are scanned as bytes: the step parsed, the value and ts only
//! delimited (and checked to be JSON numbers), and parsed only for the few lines that
//! end up mattering. Any other line goes through the general JSON parser. A test holds
//! the two paths to the same answers.

use crate::error::Error;
use crate::store::fs::{open_nofollow, state_error};
use crate::store::results::{parse_exact, TrialResults};
use crate::store::workspace::Workspace;
use crate::text::value::Value;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read};

/// The largest stream herd reads: 1 GiB, some 17 million steps. Far above any real
/// run; a larger file is refused rather than read into memory.
const MAX_STREAM_BYTES: u64 = 1 << 30;

/// What successive halving needs of one trial's stream.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Curve {
    /// The largest step logged (None: no usable record).
    pub max_step: Option<i64>,
    /// The raw value at rung k for every rung k reached (`max_step ≥ rungs[k]`).
    pub rung_values: Vec<Value>,
}

/// Reads curves, reusing one buffer across trials.
#[derive(Default)]
pub(crate) struct CurveReader {
    buf: Vec<u8>,
}

impl CurveReader {
    /// The curve of metric `metric` of trial `index`; a missing file (or directory) is
    /// an empty curve. The metric name must have been checked
    /// ([`crate::store::results::check_stream_name`]).
    pub(crate) fn read(
        &mut self,
        ws: &Workspace,
        index: u64,
        metric: &str,
        rungs: &[u64],
    ) -> Result<Curve, Error> {
        let path = TrialResults::new(ws, index).stream_path(metric);
        let file = match open_nofollow(&path, OpenOptions::new().read(true)) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(curve_of(b"", rungs)),
            // A parent that is not a directory: no stream there either.
            Err(e) if e.raw_os_error() == Some(nix::libc::ENOTDIR) => {
                return Ok(curve_of(b"", rungs))
            }
            Err(e) => return Err(state_error("reading", &path, e)),
        };
        let len = file.metadata().map_or(0, |m| m.len());
        if len > MAX_STREAM_BYTES {
            return Err(too_large(&path));
        }
        self.buf.clear();
        self.buf.reserve(len as usize + 1);
        file.take(MAX_STREAM_BYTES + 1)
            .read_to_end(&mut self.buf)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if self.buf.len() as u64 > MAX_STREAM_BYTES {
            return Err(too_large(&path));
        }
        Ok(curve_of(&self.buf, rungs))
    }
}

fn too_large(path: &std::path::Path) -> Error {
    Error::failed(format!(
        "refusing to read {}: it is larger than 1 GiB, more than any training run logs",
        path.display()
    ))
    .hint("move the file away (successive halving then treats the trial as not yet logged)")
}

/// A record's `ts`: parsed, or the span of a JSON number not yet parsed.
#[derive(Clone, Copy)]
enum Ts {
    Known(f64),
    Span(u32, u32),
}

/// A record's value: the span of a JSON value token, or one parsed by the fallback.
#[derive(Clone, Copy)]
enum Val {
    Span(u32, u32),
    Parsed(u32),
}

/// The record currently kept for a step range.
#[derive(Clone, Copy)]
struct Cand {
    step: i64,
    ts: Ts,
    val: Val,
}

/// The curve of stream text `b` (see the module doc).
pub(crate) fn curve_of(b: &[u8], rungs: &[u64]) -> Curve {
    let mut parsed: Vec<Value> = Vec::new();
    let mut max_step: Option<i64> = None;
    let mut lowest: Option<Cand> = None;
    // at[k]: the record at the largest step ≤ rungs[k] so far.
    let mut at: Vec<Option<Cand>> = vec![None; rungs.len()];
    let mut i = 0;
    while i < b.len() {
        let (rec, next) = match fast_line(b, i) {
            Some((step, ts, val, next)) => (Some(Cand { step, ts, val }), next),
            None => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
                let rec = general_line(&b[i..end]).map(|(step, ts, v)| {
                    parsed.push(v);
                    Cand {
                        step,
                        ts: Ts::Known(ts),
                        val: Val::Parsed(parsed.len() as u32 - 1),
                    }
                });
                (rec, end + 1)
            }
        };
        i = next;
        let Some(rec) = rec else { continue };
        max_step = Some(max_step.map_or(rec.step, |m| m.max(rec.step)));
        keep(&mut lowest, rec, b, |new, old| new < old);
        // Rungs ascend: the record counts for every rung at or above its step.
        let first = rungs.partition_point(|&r| (r as i128) < i128::from(rec.step));
        for slot in &mut at[first..] {
            keep(slot, rec, b, |new, old| new > old);
        }
    }
    let reached = match max_step {
        Some(m) => rungs
            .iter()
            .take_while(|&&r| i128::from(m) >= r as i128)
            .count(),
        None => 0,
    };
    let rung_values = (0..reached)
        .map(|k| match at[k].or(lowest) {
            Some(c) => value_of(b, c.val, &parsed),
            None => Value::Null,
        })
        .collect();
    Curve {
        max_step,
        rung_values,
    }
}

/// Put `rec` in `slot` if the slot is empty, `better(rec.step, slot.step)`, or the
/// steps are equal and `rec`'s ts is at least the slot's (ties → the later line).
#[inline]
fn keep(slot: &mut Option<Cand>, rec: Cand, b: &[u8], better: fn(i64, i64) -> bool) {
    match slot {
        None => *slot = Some(rec),
        Some(old) if better(rec.step, old.step) => *slot = Some(rec),
        Some(old) if rec.step == old.step => {
            if ts_of(b, rec.ts) >= ts_of(b, old.ts) {
                *slot = Some(rec);
            }
        }
        Some(_) => {}
    }
}

fn ts_of(b: &[u8], ts: Ts) -> f64 {
    match ts {
        Ts::Known(x) => x,
        // A span checked to be a JSON number without exponent: plain ASCII.
        Ts::Span(s, e) => std::str::from_utf8(&b[s as usize..e as usize])
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0),
    }
}

fn value_of(b: &[u8], v: Val, parsed: &[Value]) -> Value {
    match v {
        Val::Parsed(k) => parsed[k as usize].clone(),
        Val::Span(s, e) => std::str::from_utf8(&b[s as usize..e as usize])
            .ok()
            .and_then(|t| parse_exact(t).ok())
            .unwrap_or(Value::Null),
    }
}

/// The fast path: a line `{"step": INT, "value": NUMBER, "ts": NUMBER}` (then only
/// blanks) starting at `i`. Returns the step, ts span, value span and the start of
/// the next line; None for any other line (the general parser takes it).
#[inline]
fn fast_line(b: &[u8], i: usize) -> Option<(i64, Ts, Val, usize)> {
    const STEP: &[u8] = b"{\"step\": ";
    const VALUE: &[u8] = b", \"value\": ";
    const TS: &[u8] = b", \"ts\": ";
    let mut j = i;
    if !b[j..].starts_with(STEP) {
        return None;
    }
    j += STEP.len();
    // The step: an int of at most 18 digits, no leading zero (JSON's grammar).
    let neg = b.get(j) == Some(&b'-');
    if neg {
        j += 1;
    }
    let ds = j;
    let mut step: i64 = 0;
    while let Some(&c @ b'0'..=b'9') = b.get(j) {
        step = step * 10 + i64::from(c - b'0');
        j += 1;
        if j - ds > 18 {
            return None;
        }
    }
    if j == ds || (b[ds] == b'0' && j - ds > 1) {
        return None;
    }
    if neg {
        step = -step;
    }
    if !b[j..].starts_with(VALUE) {
        return None;
    }
    j += VALUE.len();
    let vs = j;
    j = value_token(b, j)?;
    let ve = j;
    if !b[j..].starts_with(TS) {
        return None;
    }
    j += TS.len();
    let ts_start = j;
    let (end, exp) = number(b, j)?;
    // Without an exponent and this short, a ts parses to a finite float as both
    // paths read it; anything else goes to the general parser.
    // (An all-digit ts of 19 digits or more is a big int to the general parser.)
    let digits_only = b[ts_start..end].iter().all(u8::is_ascii_digit);
    if exp.is_some() || end - ts_start > 40 || (digits_only && end - ts_start >= 19) {
        return None;
    }
    j = end;
    if b.get(j) != Some(&b'}') {
        return None;
    }
    j += 1;
    while let Some(b' ' | b'\t' | b'\r') = b.get(j) {
        j += 1;
    }
    match b.get(j) {
        None => {}
        Some(b'\n') => j += 1,
        Some(_) => return None,
    }
    Some((
        step,
        Ts::Span(ts_start as u32, end as u32),
        Val::Span(vs as u32, ve as u32),
        j,
    ))
}

/// The end of a value token the fast path takes: a JSON number that serde_json reads
/// to a finite float or an int (length plus exponent below 300, so it never
/// overflows), or
/// Python's `NaN`, `Infinity`, `-Infinity`.
#[inline]
fn value_token(b: &[u8], j: usize) -> Option<usize> {
    for lit in [&b"NaN"[..], b"Infinity", b"-Infinity"] {
        if b[j..].starts_with(lit) {
            return Some(j + lit.len());
        }
    }
    let (end, exp) = number(b, j)?;
    if (end - j) as u64 + u64::from(exp.unwrap_or(0)) >= 300 {
        return None;
    }
    Some(end)
}

/// A JSON number at `j`: its end and, if it has an exponent, the exponent's
/// magnitude (saturated). None when the text there is not a JSON number.
#[inline]
fn number(b: &[u8], mut j: usize) -> Option<(usize, Option<u32>)> {
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let int_start = j;
    while b.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    if j == int_start || (b[int_start] == b'0' && j - int_start > 1) {
        return None;
    }
    if b.get(j) == Some(&b'.') {
        j += 1;
        let fs = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == fs {
            return None;
        }
    }
    let mut exp = None;
    if let Some(b'e' | b'E') = b.get(j) {
        j += 1;
        if let Some(b'+' | b'-') = b.get(j) {
            j += 1;
        }
        let es = j;
        let mut e: u32 = 0;
        while let Some(&c @ b'0'..=b'9') = b.get(j) {
            e = e.saturating_mul(10).saturating_add(u32::from(c - b'0'));
            j += 1;
        }
        if j == es {
            return None;
        }
        exp = Some(e);
    }
    Some((j, exp))
}

/// The general path: any line, parsed as JSON. Returns the step, ts and value of a
/// record the rules use, None for one they skip.
fn general_line(line: &[u8]) -> Option<(i64, f64, Value)> {
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|c| !blank(c))?;
    let end = line.iter().rposition(|c| !blank(c))? + 1;
    let text = String::from_utf8_lossy(&line[start..end]);
    let Ok(Value::Map(m)) = parse_exact(&text) else {
        return None;
    };
    let step = py_int(m.get("step")?)?;
    let ts = match m.get("ts") {
        Some(Value::Str(_)) | None => 0.0,
        Some(v) => v.as_number().filter(|x| !x.is_nan()).unwrap_or(0.0),
    };
    let value = m.get("value").cloned().unwrap_or(Value::Null);
    Some((step, ts, value))
}

/// Python's `int(v)` for a step, where it fits in 64 bits: an int, a bool, a finite
/// float truncated toward zero, or a string of digits with an optional sign,
/// surrounding whitespace and `_` between digits. None where `int()` raises (B33).
fn py_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Float(f) if f.is_finite() && f.abs() < 9.2e18 => Some(f.trunc() as i64),
        Value::Str(s) => {
            let t = s.trim_matches(char::is_whitespace);
            let (neg, digits) = match t.as_bytes().first()? {
                b'-' => (true, &t[1..]),
                b'+' => (false, &t[1..]),
                _ => (false, t),
            };
            let d = digits.as_bytes();
            if d.is_empty() || !d[0].is_ascii_digit() || !d[d.len() - 1].is_ascii_digit() {
                return None;
            }
            let mut clean = String::with_capacity(d.len() + 1);
            if neg {
                clean.push('-');
            }
            for (k, &c) in d.iter().enumerate() {
                match c {
                    b'0'..=b'9' => clean.push(c as char),
                    b'_' if d[k - 1] != b'_' => {}
                    _ => return None,
                }
            }
            clean.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
