//! `herd-res --by PARAM`: one row per group of trials sharing the values of the
//! grouping parameters, with `trials` and, per metric column `M`, `M.n`, `M.mean`,
//! `M.std`, `M.min`, `M.max` and `M.missing`.

use super::{write_csv_field, Format, WriteField};
use crate::error::Error;
use crate::model::aggregate::{Group, Stats};
use crate::model::ndjson;
use crate::text::table::{cell, write_tsv_field, Align, Table};
use crate::text::value::Value;
use std::io::Write;

/// The statistics of each metric, in column order.
const PARTS: [&str; 6] = ["n", "mean", "std", "min", "max", "missing"];

/// The cells of one metric's statistics, in [`PARTS`] order (empty when there is
/// no such value).
fn stat_cells(s: &Stats) -> [String; 6] {
    let f = |x: Option<f64>| {
        x.map(|x| cell(&Value::Float(x)).into_owned())
            .unwrap_or_default()
    };
    [
        s.n.to_string(),
        f(s.mean()),
        f(s.std()),
        f(s.min()),
        f(s.max()),
        s.missing.to_string(),
    ]
}

/// Write `groups` (grouped by `by`, with statistics of `metrics`) in `format`.
pub(super) fn write(
    by: &[String],
    metrics: &[String],
    groups: &[Group],
    format: Format,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut header: Vec<String> = by.to_vec();
    header.push("trials".into());
    for m in metrics {
        header.extend(PARTS.iter().map(|p| format!("{m}.{p}")));
    }
    let cells = |g: &Group| -> Vec<String> {
        let mut line: Vec<String> = g
            .key
            .iter()
            .map(|v| v.as_ref().map(|v| cell(v).into_owned()).unwrap_or_default())
            .collect();
        line.push(g.indices.len().to_string());
        for s in &g.stats {
            line.extend(stat_cells(s));
        }
        line
    };
    match format {
        Format::Json => {
            let mut buf = Vec::new();
            for g in groups {
                buf.clear();
                buf.extend_from_slice(b"{\"group\":{");
                for (k, (name, v)) in by.iter().zip(&g.key).enumerate() {
                    if k > 0 {
                        buf.push(b',');
                    }
                    ndjson::write_str(&mut buf, name);
                    buf.push(b':');
                    ndjson::write_value(&mut buf, v.as_ref().unwrap_or(&Value::Null));
                }
                buf.extend_from_slice(b"},\"trials\":");
                ndjson::write_u64(&mut buf, g.indices.len() as u64);
                buf.extend_from_slice(b",\"indices\":[");
                for (k, i) in g.indices.iter().enumerate() {
                    if k > 0 {
                        buf.push(b',');
                    }
                    ndjson::write_u64(&mut buf, *i);
                }
                buf.extend_from_slice(b"],\"metrics\":{");
                for (k, (name, s)) in metrics.iter().zip(&g.stats).enumerate() {
                    if k > 0 {
                        buf.push(b',');
                    }
                    let float = |x: Option<f64>| x.map_or(Value::Null, Value::Float);
                    ndjson::write_str(&mut buf, name);
                    buf.extend_from_slice(b":{\"n\":");
                    ndjson::write_u64(&mut buf, s.n);
                    for (part, x) in [
                        ("mean", s.mean()),
                        ("std", s.std()),
                        ("min", s.min()),
                        ("max", s.max()),
                    ] {
                        buf.extend_from_slice(format!(",\"{part}\":").as_bytes());
                        ndjson::write_value(&mut buf, &float(x));
                    }
                    buf.extend_from_slice(b",\"missing\":");
                    ndjson::write_u64(&mut buf, s.missing);
                    buf.push(b'}');
                }
                buf.extend_from_slice(b"}}\n");
                out.write_all(&buf)?;
            }
        }
        Format::Tsv | Format::Csv => {
            let (field, sep): (WriteField, &[u8]) = if format == Format::Tsv {
                (write_tsv_field, b"\t")
            } else {
                (write_csv_field, b",")
            };
            let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        out.write_all(sep)?;
                    }
                    field(out, c)?;
                }
                out.write_all(b"\n")
            };
            line(out, &header)?;
            for g in groups {
                line(out, &cells(g))?;
            }
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = groups.iter().map(cells).collect();
            // A grouping column is right-aligned when all its values are numbers.
            let heads: Vec<(&str, Align)> = header
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let numeric = i >= by.len()
                        || groups
                            .iter()
                            .all(|g| g.key[i].as_ref().is_none_or(|v| v.as_number().is_some()));
                    (h.as_str(), if numeric { Align::Right } else { Align::Left })
                })
                .collect();
            let mut t = Table::new(&heads);
            for r in rows {
                t.push(r);
            }
            out.write_all(t.render().as_bytes())?;
        }
    }
    Ok(())
}
