//! Metric streams, `results/<i>/stream/<name>.jsonl`: the names a trial may log
//! under, the line of one record, the reader (deduplicated per step), the list of a
//! trial's streams, and a running trial's progress read from their tails (spec
//! §12.7). The files' layout and locking are in [`super::results`].

use crate::error::Error;
use crate::store::results::{parse_exact, Point, TrialResults};
use crate::store::workspace::Workspace;
use crate::text::pyjson;
use crate::text::swar;
use crate::text::value::{Assoc, Value};
use nix::libc;
use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Refuse stream names that would leave `stream/`: empty names, absolute names, and
/// names with an empty, `.` or `..` component (`/` and `\` both separate components,
/// as in the reference's check).
pub fn check_stream_name(name: &str) -> Result<(), Error> {
    let bad = |why: &str| {
        Err(
            Error::invalid(format!("invalid metric name '{name}': {why}"))
                .hint("stream names are relative paths under stream/, e.g. 'loss' or 'train/loss'"),
        )
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.contains('\0') {
        return bad("it contains a NUL character");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return bad("it must be relative");
    }
    for part in name.split(['/', '\\']) {
        match part {
            ".." => return bad("it must not contain '..' components"),
            "" | "." => return bad("it has an empty or '.' component"),
            _ => {}
        }
    }
    Ok(())
}

/// The stream line of one record, `\n` included.
pub(crate) fn stream_line(step: i64, value: &Value, ts: f64) -> String {
    let rec = Assoc(vec![
        ("step".into(), Value::Int(step)),
        ("value".into(), value.clone()),
        ("ts".into(), Value::Float(ts)),
    ]);
    let mut line = pyjson::compact(&Value::Map(rec), false);
    line.push('\n');
    line
}

/// Parse stream text: skip lines that do not parse or have no integer `step`, keep
/// per step the record with the largest `ts` (ties: the later line), sort by step.
///
/// A line in the shape herd-log and `log_result` write (`{"step": 12, "value":
/// 0.123, "ts": 1795942166.68}`) is read by scanning its bytes (the scan of
/// [`super::curves`]); any other line goes through the general JSON parser, and a
/// test holds both to the same result.
pub(crate) fn parse_stream(b: &[u8]) -> Vec<Point> {
    parse_stream_raw(b)
        .into_iter()
        .map(|p| Point {
            step: p.step,
            ts: p.ts.number(),
            value: match p.value {
                RawValue::Token(t) => fast_value(t),
                RawValue::Value(v) => v,
            },
        })
        .collect()
}

/// A stream record as `herd-res --steps` prints it, borrowing the stream's text: a
/// line the scan took keeps its `ts` and value as written (formatting them needs
/// no parsing in the common case), any other line is parsed.
#[derive(Debug)]
pub(crate) struct RawPoint<'a> {
    /// The record's step.
    pub step: i64,
    /// Its `ts`.
    pub ts: RawTs<'a>,
    /// Its value.
    pub value: RawValue<'a>,
}

/// A record's `ts`: a JSON number's text, or the general parser's number.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawTs<'a> {
    /// A JSON number without an exponent (at most 40 characters).
    Text(&'a str),
    /// A parsed `ts` (None: missing or not a number).
    Num(Option<f64>),
}

impl RawTs<'_> {
    /// The number, as [`parse_stream`] reads it.
    pub(crate) fn number(self) -> Option<f64> {
        match self {
            RawTs::Text(t) => t.parse().ok(),
            RawTs::Num(x) => x,
        }
    }
}

/// A record's value: a number token as written (a JSON number, `NaN`, `Infinity`,
/// `-Infinity`), or a parsed value.
#[derive(Debug)]
pub(crate) enum RawValue<'a> {
    /// The token.
    Token(&'a str),
    /// The parsed value.
    Value(Value),
}

impl RawValue<'_> {
    /// The value, as [`parse_stream`] reads it.
    pub(crate) fn value(&self) -> Value {
        match self {
            RawValue::Token(t) => fast_value(t),
            RawValue::Value(v) => v.clone(),
        }
    }
}

/// [`parse_stream`], keeping the text of what the scan took: the same records,
/// deduplicated and sorted the same way.
pub(crate) fn parse_stream_raw(b: &[u8]) -> Vec<RawPoint<'_>> {
    use crate::store::curves::{scan, Ts, Val};
    let fast = b.len() < u32::MAX as usize;
    let text = std::str::from_utf8(b).ok();
    let span = |from: u32, to: u32| -> &str {
        let (from, to) = (from as usize, to as usize);
        match text {
            Some(t) => t.get(from..to).unwrap_or(""),
            None => std::str::from_utf8(&b[from..to]).unwrap_or(""),
        }
    };
    let mut points: Vec<RawPoint> = Vec::with_capacity(b.len() / 48);
    let mut i = 0;
    while i < b.len() {
        if fast {
            if let Some((step, Ts::Span(t0, t1), Val::Span(v0, v1), next)) = scan::fast_line(b, i) {
                points.push(RawPoint {
                    step,
                    ts: RawTs::Text(span(t0, t1)),
                    value: RawValue::Token(span(v0, v1)),
                });
                i = next;
                continue;
            }
        }
        let end = scan::line_end(b, i);
        if let Some(p) = general_point(&String::from_utf8_lossy(&b[i..end])) {
            points.push(RawPoint {
                step: p.step,
                ts: RawTs::Num(p.ts),
                value: RawValue::Value(p.value),
            });
        }
        i = end + 1;
    }
    dedupe(points, |p| p.step, |p| p.ts.number())
}

/// The value of a token the scan took, as the general parser reads it: `NaN`,
/// `Infinity`, `-Infinity`, an int, a float (with a point or an exponent, correctly
/// rounded by both; the scan keeps exponents in range); the rarer ints (a `-0`,
/// which JSON reads as a float, and 19 digits or more) through [`parse_exact`].
pub(crate) fn fast_value(t: &str) -> Value {
    match t {
        "NaN" => return Value::Float(f64::NAN),
        "Infinity" => return Value::Float(f64::INFINITY),
        "-Infinity" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    if t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        if let Ok(x) = t.parse::<f64>() {
            return Value::Float(x);
        }
    } else if t.len() < 19 && t != "-0" {
        if let Ok(i) = t.parse::<i64>() {
            return Value::Int(i);
        }
    }
    parse_exact(t).unwrap_or(Value::Null)
}

/// One line through the general JSON parser: its record, or None when the line does
/// not parse or has no `step` Python's `int()` reads ([`py_int`]).
fn general_point(line: &str) -> Option<Point> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let Ok(Value::Map(m)) = parse_exact(line) else {
        return None;
    };
    let step = py_int(m.get("step")?)?;
    let ts = m.get("ts").and_then(Value::as_number);
    let value = m.get("value").cloned().unwrap_or(Value::Null);
    Some(Point { step, value, ts })
}

/// Python's `int(v)` for a step, where it fits in 64 bits: an int, a bool, a finite
/// float truncated toward zero, or a string of digits with an optional sign,
/// surrounding whitespace and `_` between digits. None where `int()` raises (B33).
pub(in crate::store) fn py_int(v: &Value) -> Option<i64> {
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

/// Records in line order to one per step, sorted by step: of equal steps the one
/// with the largest `ts` (a missing, string or NaN `ts` counts as 0, as the
/// reference compares them), the later line on ties.
fn dedupe<P>(mut points: Vec<P>, step: fn(&P) -> i64, ts: fn(&P) -> Option<f64>) -> Vec<P> {
    let key = |t: Option<f64>| t.filter(|x| !x.is_nan()).unwrap_or(0.0);
    // Streams are logged in step order, once a step: then there is nothing to do.
    if points.windows(2).all(|w| step(&w[0]) < step(&w[1])) {
        return points;
    }
    // Stable sort by step, then keep the best record of each run of equal steps.
    points.sort_by_key(step);
    let mut out: Vec<P> = Vec::with_capacity(points.len());
    for p in points {
        match out.last_mut() {
            Some(last) if step(last) == step(&p) => {
                // Later lines come later in a stable sort: on equal ts they win.
                if key(ts(&p)) >= key(ts(last)) {
                    *last = p;
                }
            }
            _ => out.push(p),
        }
    }
    out
}

/// The stream names under `dir` (`train/loss` for `train/loss.jsonl`), in file-name
/// order. Links are not followed; a name that is not UTF-8 is skipped, with all below it.
pub(crate) fn collect_streams(dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || e.file_name().to_str().is_some());
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e)
                if e.depth() == 0
                    && e.io_error().map(|x| x.kind()) == Some(ErrorKind::NotFound) =>
            {
                return Ok(())
            }
            Err(e) => {
                let at = e.path().unwrap_or(dir).to_path_buf();
                return Err(Error::io(format!("listing {}", at.display()), e.into()));
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Some(rel) = entry.path().strip_prefix(dir).ok().and_then(Path::to_str) else {
            continue;
        };
        if let Some(stem) = rel.strip_suffix(".jsonl") {
            out.push(stem.to_string());
        }
    }
    Ok(())
}

/// How far a trial has got: the step its streams last logged, and how fast it goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The last record's step of the stream that got furthest.
    pub step: i64,
    /// Steps per minute over that stream's tail, when its steps and times advance.
    pub steps_per_min: Option<f64>,
}

/// How many lines of each stream's end are read (spec §12.7).
const TAIL_LINES: usize = 80;
/// The size of one read from a stream's end.
const TAIL_BLOCK: u64 = 8 * 1024;
/// The most bytes read from one stream: 80 lines of a record are far below it, so
/// only a file that is not a stream (one long line) reaches it, and is not read whole.
const TAIL_MAX: u64 = 1 << 20;

/// The progress of trial `index` of `ws` (spec §12.7): of its streams (sorted by
/// name), the one whose last record has the largest step, the first on ties. None
/// when no stream has a record with a step; a stream that cannot be read (a link, a
/// FIFO, no permission) is skipped, as is every line that does not parse.
pub(crate) fn progress(ws: &Workspace, index: u64) -> Option<Progress> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = TrialResults::new(ws, index).stream_dir();
    let mut names = Vec::new();
    collect_streams(&dir, &mut names).ok()?;
    names.sort();
    let mut best: Option<Progress> = None;
    // A sync reads this for every running trial: four system calls a stream (open
    // without following a link or blocking on a FIFO, fstat, one read, close).
    let mut opts = OpenOptions::new();
    opts.read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    for name in names {
        let Ok(file) = opts.open(dir.join(format!("{name}.jsonl"))) else {
            continue;
        };
        let Some(len) = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
        else {
            continue;
        };
        let Some(p) = tail(&file, len).and_then(|t| progress_of(&t)) else {
            continue;
        };
        if best.is_none_or(|b| p.step > b.step) {
            best = Some(p);
        }
    }
    best
}

/// The trials that have a `results/<i>/` directory, from one read of `results/`:
/// the others have no streams, and a sync of many running trials then tries no
/// directory that is not there.
pub(crate) fn trials_with_results(ws: &Workspace) -> crate::text::fxhash::FxHashSet<u64> {
    std::fs::read_dir(ws.results_dir())
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The last [`TAIL_LINES`] lines of `file` (`len` bytes; fewer lines if it has
/// fewer), read by blocks from its end; at most [`TAIL_MAX`] bytes, a cut first line
/// dropped.
fn tail(file: &File, len: u64) -> Option<Vec<u8>> {
    let mut start = len;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut newlines = 0;
    // One newline more than lines: the window's first line is then whole.
    while start > 0 && newlines <= TAIL_LINES && len - start < TAIL_MAX {
        let n = TAIL_BLOCK.min(start);
        start -= n;
        let mut block = vec![0u8; n as usize];
        file.read_exact_at(&mut block, start).ok()?;
        newlines += swar::count_byte(&block, b'\n');
        blocks.push(block);
    }
    blocks.reverse();
    let mut buf = blocks.concat();
    // Lines as `str::lines` cuts them: one final newline ends the last line.
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    let mut from = 0;
    if start > 0 && newlines <= TAIL_LINES {
        // Stopped by the byte limit inside a line: its start was not read.
        from = buf
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |p| p + 1);
    }
    // The last TAIL_LINES lines start after the TAIL_LINES-th newline from the end.
    let at = swar::nth_last_byte(&buf[from..], b'\n', TAIL_LINES).map_or(from, |p| from + p + 1);
    buf.drain(..at);
    Some(buf)
}

/// The progress that one stream's tail shows: the last record's step, and the rate
/// from the first record with both `step` and `ts` to the last record.
fn progress_of(tail: &[u8]) -> Option<Progress> {
    // Only the last record and the first one with a `ts` matter: parse from each end
    // until they are found (usually one line each), not all 80.
    let record = |line: &[u8]| -> Option<(i64, Option<f64>)> {
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        let Ok(Value::Map(m)) = parse_exact(line) else {
            return None;
        };
        let step = match m.get("step") {
            Some(Value::Int(s)) => *s,
            Some(Value::Float(f)) if f.is_finite() => f.trunc() as i64,
            _ => return None,
        };
        Some((step, m.get("ts").and_then(Value::as_number)))
    };
    let lines = tail.split(|&b| b == b'\n');
    let (step, last_ts) = lines.clone().rev().find_map(record)?;
    let first = lines
        .clone()
        .find_map(|l| record(l).and_then(|(s, t)| Some((s, t?))));
    let steps_per_min = match (first, last_ts) {
        (Some((s0, t0)), Some(t1)) if t1 > t0 && step > s0 => {
            let rate = (step - s0) as f64 / (t1 - t0) * 60.0;
            rate.is_finite().then_some(rate)
        }
        _ => None,
    };
    Some(Progress {
        step,
        steps_per_min,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail_of(p: &Path) -> Option<String> {
        let f = File::open(p).unwrap();
        let len = f.metadata().unwrap().len();
        tail(&f, len).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn line(step: i64, ts: f64) -> String {
        format!("{{\"step\": {step}, \"value\": 0.5, \"ts\": {ts}}}\n")
    }

    /// The rules line by line, through the general parser only.
    fn general_only(text: &[u8]) -> Vec<Point> {
        let text = String::from_utf8_lossy(text);
        dedupe(
            text.lines().filter_map(general_point).collect(),
            |p| p.step,
            |p| p.ts,
        )
    }

    /// The reference's rules for repeated steps, checked against `herd res --steps`
    /// of hyperherd 0.1.3 (where it does not raise): a missing `ts` counts as 0 and
    /// the later line wins ties; `true` is step 1. Where it raises (string steps and
    /// string `ts`), steps are read with `int()` and a string `ts` counts as 0.
    #[test]
    fn repeated_steps_keep_the_reference_s_record() {
        let text = br#"{"step": 1, "value": 1.5, "ts": -5.0}
{"step": 1, "value": 2.5}
{"step": 4.9, "value": 5.5, "ts": 12.0}
{"step": 4, "value": 5.25, "ts": 11.0}
{"step": true, "value": 6.5, "ts": 13.0}
{"step": 5, "value": 7.5, "ts": 14.0}
{"step": 5, "value": 8.5}
{"step": 6, "value": 9.5, "ts": 0}
{"step": 6, "value": 10.5}
{"step": 7, "value": 1.5, "ts": "x"}
{"step": 7, "value": 2.5, "ts": -3}
{"step": " 40 ", "value": 3.5, "ts": 1}
{"step": "4_0", "value": 4.5, "ts": 0.5}
{"step": "4.0", "value": 0.0, "ts": 9}
{"step": null, "value": 0.0, "ts": 9}
"#;
        let got: Vec<(i64, String)> = parse_stream(text)
            .into_iter()
            .map(|p| (p.step, format!("{:?}", p.value)))
            .collect();
        let want: Vec<(i64, String)> = [
            (1, Value::Float(6.5)),
            (4, Value::Float(5.5)),
            (5, Value::Float(7.5)),
            (6, Value::Float(10.5)),
            (7, Value::Float(1.5)),
            (40, Value::Float(3.5)),
        ]
        .into_iter()
        .map(|(s, v)| (s, format!("{v:?}")))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn the_fast_path_reads_as_the_general_parser_does() {
        const STEPS: &[&str] = &[
            "0",
            "1",
            "7",
            "12",
            "-3",
            "007",
            "3.0",
            "2.9",
            "\"4\"",
            "true",
            "null",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999",
            "1e2",
        ];
        const VALUES: &[&str] = &[
            "0.123",
            "1",
            "-0",
            "0",
            "-0.0",
            "42",
            "-17",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e5",
            "1E-7",
            "2.5e+3",
            "0.1234567890123456789",
            "12345678901234567890",
            "123456789012345678",
            "-123456789012345678",
            "1e308",
            "1e400",
            "\"str\"",
            "\"a,b\"",
            "true",
            "false",
            "null",
            "[1, 2.5]",
            "{\"a\": 1}",
            "01",
            "1.",
            ".5",
            "nan",
            "0.30000000000000004",
            "4.9406564584124654e-324",
        ];
        const TS: &[Option<&str>] = &[
            Some("1795942166.68"),
            Some("1795942166"),
            Some("1795942166.9999996"),
            Some("1.0"),
            Some("-0"),
            Some("0"),
            Some("1e9"),
            Some("\"later\""),
            Some("NaN"),
            Some("null"),
            Some("12345678901234567890"),
            Some("1795942166.123456789012345678901234567890123"),
            None,
        ];
        const GAPS: &[(&str, &str, &str)] = &[
            ("{\"step\": ", ", \"value\": ", ", \"ts\": "),
            ("{\"step\":", ",\"value\":", ",\"ts\":"),
            ("{ \"step\": ", " , \"value\" : ", ",  \"ts\": "),
            ("{\"step\": ", ", \"value\": ", ", \"ts\":  "),
        ];
        const ENDS: &[&str] = &["}\n", "}  \n", "}\r\n", "}\t\n", "} x\n", "\n", "}}\n"];
        // A small deterministic generator: many shapes, repeated steps, odd lines.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as usize) % n
        };
        for round in 0..300 {
            let mut text = String::new();
            for _ in 0..(1 + next(40)) {
                let pick = next(10);
                let (s0, s1, s2) = if pick < 6 {
                    GAPS[0]
                } else {
                    GAPS[next(GAPS.len())]
                };
                let step = if pick < 5 {
                    STEPS[next(5)]
                } else {
                    STEPS[next(STEPS.len())]
                };
                let value = VALUES[next(VALUES.len())];
                let end = if pick < 7 {
                    ENDS[0]
                } else {
                    ENDS[next(ENDS.len())]
                };
                match (next(12), TS[next(TS.len())]) {
                    (0, _) => text.push_str("not json\n"),
                    (1, _) => text.push_str("\n  \n"),
                    (2, Some(ts)) => text.push_str(&format!(
                        "{{\"value\": {value}, \"step\": {step}, \"ts\": {ts}{end}"
                    )),
                    (3, _) => text.push_str(&format!("  {s0}{step}{s1}{value}}}\n")),
                    (_, Some(ts)) => text.push_str(&format!("{s0}{step}{s1}{value}{s2}{ts}{end}")),
                    (_, None) => text.push_str(&format!("{s0}{step}{s1}{value}{end}")),
                }
            }
            if round % 7 == 0 {
                // No newline at the end, or a cut line.
                text.pop();
            }
            let fast = format!("{:?}", parse_stream(text.as_bytes()));
            let general = format!("{:?}", general_only(text.as_bytes()));
            assert_eq!(fast, general, "round {round}:\n{text}");
            let raw: Vec<Point> = parse_stream_raw(text.as_bytes())
                .into_iter()
                .map(|p| Point {
                    step: p.step,
                    ts: p.ts.number(),
                    value: p.value.value(),
                })
                .collect();
            assert_eq!(format!("{raw:?}"), general, "raw, round {round}:\n{text}");
        }
        // Invalid UTF-8 on a line the general path reads.
        let bytes = b"{\"step\": 1, \"value\": \"\xff\", \"ts\": 1.5}\n{\"step\": 2, \"value\": 1, \"ts\": 2}";
        assert_eq!(
            format!("{:?}", parse_stream(bytes)),
            format!("{:?}", general_only(bytes))
        );
    }

    #[test]
    fn the_rate_runs_from_the_first_timed_record_to_the_last() {
        let t = format!(
            "{}garbage\n{{\"step\": 3}}\n{}",
            line(10, 100.0),
            line(40, 130.0)
        );
        assert_eq!(
            progress_of(t.as_bytes()),
            Some(Progress {
                step: 40,
                steps_per_min: Some(60.0)
            })
        );
        assert_eq!(
            progress_of(line(7, 1.0).as_bytes()).map(|p| p.steps_per_min),
            Some(None)
        );
        // Time that stands still or steps that go back give no rate.
        let back = format!("{}{}", line(10, 100.0), line(5, 130.0));
        assert_eq!(
            progress_of(back.as_bytes()).map(|p| (p.step, p.steps_per_min)),
            Some((5, None))
        );
        assert_eq!(progress_of(b"not json\n[1]\n"), None);
    }

    #[test]
    fn only_the_last_80_lines_are_read_and_a_long_line_is_not_read_whole() {
        let d = std::env::temp_dir().join(format!("herd-stream-tail-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("s.jsonl");
        let text: String = (0..1000).map(|i| line(i, i as f64)).collect();
        std::fs::write(&p, &text).unwrap();
        let t = tail_of(&p).unwrap();
        assert_eq!(t.lines().count(), 80);
        assert!(t.starts_with("{\"step\": 920,"), "{}", &t[..40]);
        // 80 lines from step 920 at one step a second: 60 steps a minute.
        assert_eq!(
            progress_of(t.as_bytes()),
            Some(Progress {
                step: 999,
                steps_per_min: Some(60.0)
            })
        );
        // A file of one line longer than the limit: nothing whole is left.
        std::fs::write(&p, "x".repeat(3 << 20)).unwrap();
        assert_eq!(tail_of(&p).as_deref(), Some(""));
        std::fs::write(&p, format!("{}\n{}", "x".repeat(3 << 20), line(5, 1.0))).unwrap();
        assert_eq!(tail_of(&p).unwrap(), line(5, 1.0).trim_end());
        let _ = std::fs::remove_dir_all(&d);
    }
}
