//! `herd-res --steps`: the long-form history, one row per trial × metric × step,
//! columns `trial_id,step,metric,timestamp,value` (spec §10.1). The rows are written
//! as they are read, trial by trial, through one buffer.

use super::{write_csv_field, Format};
use crate::error::Error;
use crate::model::ndjson;
use crate::ops::results;
use crate::store::manifest::ManifestRecord;
use crate::store::streams::{fast_value, RawTs, RawValue};
use crate::store::workspace::Workspace;
use crate::text::isotime;
use crate::text::pyfmt::{fmt_g_into, g_of_token};
use crate::text::table::{cell, escape, Align, Table};
use crate::text::value::Value;
use std::io::Write;

/// The header of the delimited formats, the reference's.
const COLUMNS: [&str; 5] = ["trial_id", "step", "metric", "timestamp", "value"];

/// Write the rows of `trials`' streams in `format`; returns how many trials' streams
/// could not be read (each reported on stderr).
pub(super) fn write(
    ws: &Workspace,
    trials: &[ManifestRecord],
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, Error> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut iso = isotime::IsoWriter::default();
    let mut num = String::new();
    let mut table = (format == Format::Table).then(|| {
        Table::new(&[
            ("TRIAL", Align::Right),
            ("STEP", Align::Right),
            ("METRIC", Align::Left),
            ("TIMESTAMP", Align::Left),
            ("VALUE", Align::Right),
        ])
    });
    match format {
        Format::Csv => buf.extend_from_slice(COLUMNS.join(",").as_bytes()),
        Format::Tsv => buf.extend_from_slice(COLUMNS.join("\t").as_bytes()),
        Format::Json | Format::Table => {}
    }
    if !buf.is_empty() {
        buf.push(b'\n');
    }
    let failures = results::for_each_stream(ws, trials, |index, metric, points| {
        if let Some(t) = &mut table {
            for p in points {
                let mut ts = Vec::new();
                push_ts(&mut iso, &mut ts, p.ts);
                t.push(vec![
                    index.to_string(),
                    p.step.to_string(),
                    metric.to_string(),
                    String::from_utf8(ts).unwrap_or_default(),
                    cell(&p.value.value()).into_owned(),
                ]);
            }
            return Ok(());
        }
        // The parts every row of this stream shares, written once.
        let mut id = Vec::new();
        ndjson::write_u64(&mut id, index);
        let name: Vec<u8> = match format {
            Format::Csv => {
                let mut v = Vec::new();
                write_csv_field(&mut v, metric)?;
                v
            }
            Format::Tsv => escape(metric).as_bytes().to_vec(),
            _ => {
                let mut v = Vec::new();
                ndjson::write_str(&mut v, metric);
                v
            }
        };
        for p in points {
            match format {
                Format::Json => {
                    buf.extend_from_slice(b"{\"trial_id\":");
                    buf.extend_from_slice(&id);
                    buf.extend_from_slice(b",\"step\":");
                    ndjson::write_i64(&mut buf, p.step);
                    buf.extend_from_slice(b",\"metric\":");
                    buf.extend_from_slice(&name);
                    buf.extend_from_slice(b",\"timestamp\":\"");
                    push_ts(&mut iso, &mut buf, p.ts);
                    buf.extend_from_slice(b"\",\"value\":");
                    match &p.value {
                        // An int as written is its JSON text; other tokens are read
                        // (a float is written as its shortest round-trip digits).
                        RawValue::Token(t)
                            if t.bytes().all(|c| c.is_ascii_digit() || c == b'-') && *t != "-0" =>
                        {
                            buf.extend_from_slice(t.as_bytes())
                        }
                        v => ndjson::write_value(&mut buf, &v.value()),
                    }
                    buf.extend_from_slice(b"}\n");
                }
                _ => {
                    let sep = if format == Format::Csv { b',' } else { b'\t' };
                    buf.extend_from_slice(&id);
                    buf.push(sep);
                    ndjson::write_i64(&mut buf, p.step);
                    buf.push(sep);
                    buf.extend_from_slice(&name);
                    buf.push(sep);
                    push_ts(&mut iso, &mut buf, p.ts);
                    buf.push(sep);
                    // Numbers need no quoting or escaping.
                    match &p.value {
                        RawValue::Token(t) => push_number(&mut buf, &mut num, t),
                        RawValue::Value(Value::Float(x)) => {
                            num.clear();
                            fmt_g_into(&mut num, *x, 6);
                            buf.extend_from_slice(num.as_bytes());
                        }
                        RawValue::Value(Value::Int(i)) => ndjson::write_i64(&mut buf, *i),
                        RawValue::Value(v) if format == Format::Csv => {
                            write_csv_field(&mut buf, &cell(v))?
                        }
                        RawValue::Value(v) => buf.extend_from_slice(escape(&cell(v)).as_bytes()),
                    }
                    buf.push(b'\n');
                }
            }
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        Ok(())
    })?;
    out.write_all(&buf)?;
    if let Some(t) = table {
        out.write_all(t.render().as_bytes())?;
    }
    Ok(failures)
}

/// A record's time as Python prints it, nothing when it has none (or one Python
/// cannot convert).
fn push_ts(iso: &mut isotime::IsoWriter, buf: &mut Vec<u8>, ts: RawTs) {
    let secs = match ts {
        RawTs::Text(t) => {
            isotime::seconds_of_text(t).or_else(|| ts.number().and_then(isotime::py_seconds))
        }
        RawTs::Num(x) => x.and_then(isotime::py_seconds),
    };
    if let Some(s) = secs {
        iso.push(buf, s);
    }
}

/// A number token as the cells print its value: an int as written (its `str()`),
/// a float with 6 significant digits (from its text when that tells them), `nan`,
/// `inf`, `-inf`.
fn push_number(buf: &mut Vec<u8>, num: &mut String, t: &str) {
    num.clear();
    let float = t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E'));
    if float && g_of_token(num, t, 6) {
        buf.extend_from_slice(num.as_bytes());
        return;
    }
    match fast_value(t) {
        Value::Float(x) => {
            num.clear();
            fmt_g_into(num, x, 6);
            buf.extend_from_slice(num.as_bytes());
        }
        v => buf.extend_from_slice(cell(&v).as_bytes()),
    }
}
