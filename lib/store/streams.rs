//! Metric streams, `results/<i>/stream/<name>.jsonl`: the names a trial may log
//! under, the line of one record, the reader (deduplicated per step), and the list
//! of a trial's streams. The files' layout and locking are in [`super::results`].

use crate::error::Error;
use crate::store::results::{parse_exact, Point};
use crate::text::pyjson;
use crate::text::value::{Assoc, Value};
use std::io::ErrorKind;
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
pub(crate) fn parse_stream(text: &str) -> Vec<Point> {
    let mut points: Vec<(usize, Point)> = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok(Value::Map(m)) = parse_exact(line) else {
            continue;
        };
        let step = match m.get("step") {
            Some(Value::Int(s)) => *s,
            Some(Value::Float(f)) if f.is_finite() => f.trunc() as i64,
            _ => continue,
        };
        let ts = m.get("ts").and_then(Value::as_number);
        let value = m.get("value").cloned().unwrap_or(Value::Null);
        points.push((at, Point { step, value, ts }));
    }
    // Stable sort by step, then keep the best record of each run of equal steps.
    points.sort_by_key(|(_, p)| p.step);
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for (_, p) in points {
        match out.last_mut() {
            Some(last) if last.step == p.step => {
                // Later lines come later in a stable sort: on equal ts they win.
                let newer = match (p.ts, last.ts) {
                    (Some(a), Some(b)) => a >= b,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => true,
                };
                if newer {
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
