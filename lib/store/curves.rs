//! A trial's learning curve as successive halving needs it (§12.3): from
//! `results/<i>/stream/<metric>.jsonl`, read once, the largest step and the raw value
//! at each rung reached. Nothing else of the stream is kept.
//!
//! Records are deduplicated per step (the largest `ts` wins, ties → the later line;
//! a missing, non-number or string `ts` counts as 0); a step is read with Python's
//! `int()` rules; records the reference would crash on (B33) are skipped. The value
//! at rung k is the one at the largest step ≤ rungs[k], else at the smallest step.
//!
//! Speed: a sweep of 10,000 trials with 1,000 steps each is 600 MB of streams. Of a
//! line in the shape herd-log and `log_result` write (`{"step": 12, "value": 0.123,
//! "ts": 1795942166.68}`) only the step is read, scanning bytes; the few lines that
//! end up mattering are checked and parsed in full at the end (see [`curve_of`]).
//! Any other line goes through the general JSON parser. Tests hold every way of
//! reading to the rules' line-by-line reading.

use crate::error::Error;
use crate::store::fs::{open_nofollow, state_error};
use crate::store::results::{parse_exact, TrialResults};
use crate::store::streams::py_int;
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
pub(in crate::store) enum Ts {
    Known(f64),
    Span(u32, u32),
}

/// A record's value: the span of a JSON value token, or one parsed by the fallback.
#[derive(Clone, Copy)]
pub(in crate::store) enum Val {
    Span(u32, u32),
    Parsed(u32),
}

/// Where a record's ts and value are: checked and located, or (in the optimistic
/// scan) only the start of a line whose step was read, resolved when needed.
#[derive(Clone, Copy)]
enum Src {
    Rec(Ts, Val),
    Line(u32),
}

/// The record currently kept for a step range.
#[derive(Clone, Copy)]
struct Cand {
    step: i64,
    src: Src,
}

/// The curve of stream text `b` (see the module doc).
///
/// First an optimistic scan: of a line in the common shape only the step is read,
/// and the few lines that end up mattering (the largest step's, and the records
/// kept for the rungs, or compared on a repeated step) are checked in full at the
/// end. The kept records are the best of all lines, so when each is a valid record
/// it is also the best of the valid ones. If one is not, the file is read again
/// with every line checked as it comes.
pub(crate) fn curve_of(b: &[u8], rungs: &[u64]) -> Curve {
    Scan::new(b, true)
        .run(rungs)
        .or_else(|| Scan::new(b, false).run(rungs))
        .unwrap_or(Curve {
            max_step: None,
            rung_values: Vec::new(),
        })
}

struct Scan<'a> {
    b: &'a [u8],
    optimistic: bool,
    parsed: Vec<Value>,
    /// A line the optimistic scan relied on is not a record after all.
    bad: bool,
}

impl<'a> Scan<'a> {
    fn new(b: &'a [u8], optimistic: bool) -> Scan<'a> {
        Scan {
            b,
            optimistic,
            parsed: Vec::new(),
            bad: false,
        }
    }

    /// The curve; None when the optimistic scan must give way to the careful one.
    fn run(mut self, rungs: &[u64]) -> Option<Curve> {
        let b = self.b;
        // The line of the largest step, the record of the smallest, and at[k]: the
        // record at the largest step ≤ rungs[k].
        let mut max: Option<Cand> = None;
        let mut lowest: Option<Cand> = None;
        let mut at: Vec<Option<Cand>> = vec![None; rungs.len()];
        // The rungs as steps (one beyond any i64 step compares the same as
        // i64::MAX), and the first rung at or above the last record's step: steps
        // mostly ascend.
        let lim: Vec<i64> = rungs
            .iter()
            .map(|&r| i64::try_from(r).unwrap_or(i64::MAX))
            .collect();
        let top = lim.last().copied().unwrap_or(i64::MIN);
        let mut first = 0;
        let mut i = 0;
        while i < b.len() {
            let (rec, next) = self.line(i);
            i = next;
            let Some(rec) = rec else { continue };
            if max.is_none_or(|m| rec.step > m.step) {
                max = Some(rec);
            }
            self.keep(&mut lowest, rec, |new, old| new < old);
            // Rungs ascend: the record counts for every rung at or above its step.
            if rec.step <= top {
                let fits = |k: usize| lim[k] >= rec.step && (k == 0 || lim[k - 1] < rec.step);
                if !(first < lim.len() && fits(first)) {
                    first = lim.partition_point(|&r| r < rec.step);
                }
                for slot in &mut at[first..] {
                    self.keep(slot, rec, |new, old| new > old);
                }
            }
        }
        if let Some(m) = max {
            self.resolve(m);
        }
        let max_step = max.map(|m| m.step);
        let reached = match max_step {
            Some(m) => rungs
                .iter()
                .take_while(|&&r| i128::from(m) >= r as i128)
                .count(),
            None => 0,
        };
        let vals: Vec<Option<Val>> = (0..reached)
            .map(|k| {
                at[k]
                    .or(lowest)
                    .and_then(|c| self.resolve(c))
                    .map(|(_, v)| v)
            })
            .collect();
        if self.bad {
            return None;
        }
        let rung_values = vals
            .into_iter()
            .map(|v| v.map_or(Value::Null, |v| value_of(b, v, &self.parsed)))
            .collect();
        Some(Curve {
            max_step,
            rung_values,
        })
    }

    /// The record of the line at `i` (None: not a record) and the next line's start.
    #[inline(always)]
    fn line(&mut self, i: usize) -> (Option<Cand>, usize) {
        let b = self.b;
        if self.optimistic {
            if let Some((step, j)) = scan::step_prefix(b, i) {
                let src = Src::Line(i as u32);
                return (Some(Cand { step, src }), scan::line_end(b, j) + 1);
            }
        } else if let Some((step, ts, val, next)) = scan::fast_line(b, i) {
            let src = Src::Rec(ts, val);
            return (Some(Cand { step, src }), next);
        }
        let end = scan::line_end(b, i);
        let rec = general_line(&b[i..end]).map(|(step, ts, v)| {
            self.parsed.push(v);
            let val = Val::Parsed(self.parsed.len() as u32 - 1);
            Cand {
                step,
                src: Src::Rec(Ts::Known(ts), val),
            }
        });
        (rec, end + 1)
    }

    /// The ts and value of a record; for a line of the optimistic scan, checked now
    /// (None, and the scan marked bad, when it is not a record with that step).
    fn resolve(&mut self, c: Cand) -> Option<(f64, Val)> {
        let b = self.b;
        let start = match c.src {
            Src::Rec(ts, val) => return Some((ts_of(b, ts), val)),
            Src::Line(start) => start as usize,
        };
        let got = match scan::fast_line(b, start) {
            Some((step, ts, val, _)) => Some((step, ts_of(b, ts), val)),
            None => general_line(&b[start..scan::line_end(b, start)]).map(|(step, ts, v)| {
                self.parsed.push(v);
                (step, ts, Val::Parsed(self.parsed.len() as u32 - 1))
            }),
        };
        match got {
            Some((step, ts, val)) if step == c.step => Some((ts, val)),
            _ => {
                self.bad = true;
                None
            }
        }
    }

    /// Put `rec` in `slot` if the slot is empty, `better(rec.step, slot.step)`, or
    /// the steps are equal and `rec`'s ts is at least the slot's (ties → the later
    /// line).
    #[inline(always)]
    fn keep(&mut self, slot: &mut Option<Cand>, rec: Cand, better: fn(i64, i64) -> bool) {
        match *slot {
            None => *slot = Some(rec),
            Some(old) if better(rec.step, old.step) => *slot = Some(rec),
            Some(old) if rec.step == old.step => {
                if let (Some((new, _)), Some((was, _))) = (self.resolve(rec), self.resolve(old)) {
                    if new >= was {
                        *slot = Some(rec);
                    }
                }
            }
            Some(_) => {}
        }
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

pub(in crate::store) mod scan;
#[cfg(test)]
mod tests;
