//! `herd-res --steps`: the long-form history, one row per trial × metric × step,
//! columns `trial_id,step,metric,timestamp,value` (spec §10.1). The rows are written
//! trial by trial, each trial's rows rendered into one buffer.

use super::{write_csv_field, Format};
use crate::error::Error;
use crate::model::ndjson;
use crate::ops::results::{self, TrialStreams};
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
/// could not be read (each reported on stderr). Trials are rendered on worker
/// threads (see [`results::render_streams`]) and written in order.
pub(super) fn write(
    ws: &Workspace,
    trials: &[ManifestRecord],
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, Error> {
    if format == Format::Table {
        let mut table = Table::new(&[
            ("TRIAL", Align::Right),
            ("STEP", Align::Right),
            ("METRIC", Align::Left),
            ("TIMESTAMP", Align::Left),
            ("VALUE", Align::Right),
        ]);
        let failures = results::render_streams(ws, trials, table_rows, |rows| {
            rows.into_iter().for_each(|r| table.push(r));
            Ok(())
        })?;
        out.write_all(table.render().as_bytes())?;
        return Ok(failures);
    }
    match format {
        Format::Csv => writeln!(out, "{}", COLUMNS.join(","))?,
        Format::Tsv => writeln!(out, "{}", COLUMNS.join("\t"))?,
        Format::Json | Format::Table => {}
    }
    results::render_streams(
        ws,
        trials,
        |index, streams| rows(format, index, streams),
        |chunk| Ok(out.write_all(&chunk?)?),
    )
}

/// The table's cells of one trial's rows.
fn table_rows(index: u64, streams: &TrialStreams<'_>) -> Vec<Vec<String>> {
    let mut iso = isotime::IsoWriter::default();
    let mut cells = Vec::new();
    for (metric, points) in streams {
        for p in points {
            let mut ts = Vec::new();
            push_ts(&mut iso, &mut ts, p.ts);
            cells.push(vec![
                index.to_string(),
                p.step.to_string(),
                metric.to_string(),
                String::from_utf8(ts).unwrap_or_default(),
                cell(&p.value.value()).into_owned(),
            ]);
        }
    }
    cells
}

/// One trial's rows in a delimited format or NDJSON.
fn rows(format: Format, index: u64, streams: &TrialStreams<'_>) -> Result<Vec<u8>, Error> {
    // Sized for the rows (some 50 bytes each, 110 in NDJSON), so it never moves.
    let rows: usize = streams.iter().map(|(_, p)| p.len()).sum();
    let per_row = if format == Format::Json { 128 } else { 64 };
    let mut buf: Vec<u8> = Vec::with_capacity(rows * per_row + 256);
    let mut iso = isotime::IsoWriter::default();
    let mut num = String::new();
    // The trial's id, written once.
    let mut id = Vec::new();
    ndjson::write_u64(&mut id, index);
    for (metric, points) in streams {
        // The metric's name, written once per stream.
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
            if format == Format::Json {
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
                continue;
            }
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
                RawValue::Value(v) if format == Format::Csv => write_csv_field(&mut buf, &cell(v))?,
                RawValue::Value(v) => buf.extend_from_slice(escape(&cell(v)).as_bytes()),
            }
            buf.push(b'\n');
        }
    }
    Ok(buf)
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
