//! `herd-res --steps`: the long-form history, one row per trial × metric × step,
//! columns `trial_id,step,metric,timestamp,value` (spec §10.1). The rows are written
//! as they are read, trial by trial, through one buffer.

use super::{write_csv_field, Format};
use crate::error::Error;
use crate::model::ndjson;
use crate::ops::results;
use crate::store::manifest::ManifestRecord;
use crate::store::results::Point;
use crate::store::workspace::Workspace;
use crate::text::isotime;
use crate::text::pyfmt::fmt_g;
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
                push_ts(&mut iso, &mut ts, p);
                t.push(vec![
                    index.to_string(),
                    p.step.to_string(),
                    metric.to_string(),
                    String::from_utf8(ts).unwrap_or_default(),
                    cell(&p.value).into_owned(),
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
                    push_ts(&mut iso, &mut buf, p);
                    buf.extend_from_slice(b"\",\"value\":");
                    ndjson::write_value(&mut buf, &p.value);
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
                    push_ts(&mut iso, &mut buf, p);
                    buf.push(sep);
                    match &p.value {
                        // Numbers need no quoting or escaping.
                        Value::Float(x) => buf.extend_from_slice(fmt_g(*x, 6).as_bytes()),
                        Value::Int(i) => ndjson::write_i64(&mut buf, *i),
                        v if format == Format::Csv => write_csv_field(&mut buf, &cell(v))?,
                        v => buf.extend_from_slice(escape(&cell(v)).as_bytes()),
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

/// A point's time as Python prints it, nothing when it has none (or one Python
/// cannot convert).
fn push_ts(iso: &mut isotime::IsoWriter, buf: &mut Vec<u8>, p: &Point) {
    if let Some(s) = p.ts.and_then(isotime::py_seconds) {
        iso.push(buf, s);
    }
}
