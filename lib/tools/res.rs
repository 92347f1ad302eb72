//! `herd-res [WS]`: one row per trial with its parameters and logged metrics.
//!
//! Column order: `index`, `status`, `experiment_name`, the parameters in config
//! order, the summary metrics in first-seen order scanning the shown trials in index
//! order, then (with `--last`) the streamed metrics as `NAME@last`, in the same way.
//! Rows are the manifest's trials (before the first submission: the planned ones), in
//! index order unless `--sort` says otherwise.

use crate::cli::{self, Standard};
use crate::config::{self, Config};
use crate::error::{Error, EXIT_FAILED};
use crate::model::ndjson;
use crate::model::pin::Pins;
use crate::model::record::Status;
use crate::ops::plan;
use crate::ops::sync;
use crate::store::manifest::ManifestRecord;
use crate::store::results::TrialResults;
use crate::store::workspace::Workspace;
use crate::text::pystr::pystr;
use crate::text::table::{cell, write_tsv_field, Align, Table};
use crate::text::value::{Assoc, Value};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
herd-res: print one row per trial with its parameters and logged metrics

Usage: herd-res [OPTIONS] [WS|FILE]

Arguments:
  [WS|FILE]             the workspace directory (holding hyperherd.yaml) or a config
                        file [default: the nearest of . and its parents that holds
                        hyperherd.yaml]

Options:
      --last            add the latest value (highest step) of every streamed metric,
                        as columns NAME@last
      --sort [-]METRIC  sort rows by a metric (or parameter), ascending; -METRIC sorts
                        descending. Missing and NaN values go last
      --top N           print only the first N rows (after sorting)
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
  -s, --status LIST     only trials with these statuses (comma-separated, repeatable)
  -a, --all             show every trial: do not read trial records from stdin
      --tsv             print TSV (the default when piped)
      --csv             print CSV (RFC 4180 quoting)
      --json            print NDJSON trial records with their \"metrics\"
      --table           print an aligned table (the default on a terminal)
  -h, --help            print this help
  -V, --version         print the version

When stdin is a pipe or a file, it is read as trial records (herd-status, herd-expand)
and only those trials are shown. Floats print with 6 significant digits (%g) in
TSV, CSV and the table; --json keeps exact values (NaN and infinities become null).
TSV and the table escape tab, newline, carriage return and backslash as \\t \\n \\r
\\\\, other control characters as \\xHH and bidi controls as \\u{HHHH}, so no value
can drive the terminal; CSV and --json keep values exact.

Examples:
  herd-res --sort -val_acc --top 5
  herd-res --last -s running,completed
  herd-status | jq -c 'select(.params.lr < 0.01)' | herd-res --csv > lr.csv

Exit status: 0 ok, 1 a results file is corrupt (reported by name; the other rows
are printed), 2 usage or config error.
";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Tsv,
    Csv,
    Json,
    Table,
}

#[derive(Debug, Default)]
struct Args {
    ws: Option<PathBuf>,
    format: Option<Format>,
    last: bool,
    sort: Option<(String, bool)>,
    top: Option<usize>,
    pins: cli::Pins,
    statuses: Vec<String>,
    all: bool,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut statuses = Status::flag_group();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [&mut Standard(USAGE), &mut statuses, &mut args.pins]
        );
        match arg {
            Long("tsv") => args.format = Some(Format::Tsv),
            Long("csv") => args.format = Some(Format::Csv),
            Long("json") => args.format = Some(Format::Json),
            Long("table") => args.format = Some(Format::Table),
            Long("last") => args.last = true,
            Long("sort") => {
                let s = p.value()?.string()?;
                let (name, desc) = match s.strip_prefix('-') {
                    Some(n) => (n.to_string(), true),
                    None => (s.clone(), false),
                };
                if name.is_empty() {
                    return Err(Error::usage(format!("--sort '{s}': expected [-]METRIC")));
                }
                args.sort = Some((name, desc));
            }
            Long("top") => {
                let s = p.value()?.string()?;
                match s.parse::<usize>() {
                    Ok(n) if n >= 1 => args.top = Some(n),
                    _ => {
                        return Err(Error::usage(format!(
                            "--top '{s}': expected a number of rows (1 or more)"
                        )))
                    }
                }
            }
            Short('a') | Long("all") => args.all = true,
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.statuses = statuses.words;
    Ok(args)
}

/// The part of a trial record `herd-res` needs from stdin.
#[derive(Debug, Deserialize)]
struct StdinRecord {
    index: u64,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

/// True when stdin is a pipe or a regular file (not a terminal, not /dev/null).
fn stdin_has_input() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    let Ok(md) = std::fs::File::from(fd).metadata() else {
        return false;
    };
    let t = md.file_type();
    t.is_fifo() || t.is_file()
}

fn same_dir(a: &str, b: &Path) -> bool {
    if Path::new(a) == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Read trial records from stdin and return the indices they name, checked against
/// the sweep (same workspace, same hash).
fn stdin_indices(cfg: &Config, records: &[ManifestRecord]) -> Result<BTreeSet<u64>, Error> {
    let mut out = BTreeSet::new();
    let stream =
        serde_json::Deserializer::from_reader(io::stdin().lock()).into_iter::<StdinRecord>();
    for (n, rec) in stream.enumerate() {
        let rec = rec.map_err(|e| {
            if e.is_io() {
                Error::json("reading stdin", e)
            } else {
                Error::invalid(format!("stdin record {}: not a trial record: {e}", n + 1))
            }
        })?;
        if let Some(ws) = &rec.workspace {
            if !same_dir(ws, &cfg.workspace) {
                return Err(Error::invalid(format!(
                    "stdin: trial {} is from workspace {ws}, not {}",
                    rec.index,
                    cfg.workspace.display()
                )));
            }
        }
        let Some(r) = records.iter().find(|r| r.index == rec.index) else {
            return Err(Error::invalid(format!(
                "stdin: trial {} is not in the sweep",
                rec.index
            )));
        };
        if let Some(h) = &rec.hash {
            if *h != r.hash {
                return Err(Error::invalid(format!(
                    "stdin: trial {} has hash {h}, but the sweep's trial {} is {}",
                    rec.index, r.index, r.hash
                ))
                .hint("the records are stale; produce them again (herd-status, herd-expand)"));
            }
        }
        out.insert(rec.index);
    }
    Ok(out)
}

/// One trial with what was read of its results.
struct Row<'a> {
    rec: &'a ManifestRecord,
    /// Summary metrics, then `NAME@last` entries; `None` when a file was unreadable.
    metrics: Option<Assoc>,
    /// How many of `metrics` are summary metrics.
    n_summary: usize,
}

/// The values of a row's parameter and metric columns, in column order.
fn row_values<'r>(
    row: &'r Row<'_>,
    params: &'r [&str],
    metrics: &'r [String],
) -> impl Iterator<Item = Option<&'r Value>> + 'r {
    let m = row.metrics.as_ref();
    params
        .iter()
        .map(move |p| row.rec.params.get(p))
        .chain(metrics.iter().map(move |k| m.and_then(|m| m.get(k))))
}

/// Report a problem on stderr without stopping.
fn warn(kind: &str, msg: &dyn std::fmt::Display) {
    cli::note(&format!("{kind}: {msg}"));
}

/// Say on stderr when `results/` holds results of trials the manifest does not have
/// (`results/99.json`, `results/99/`): they are not shown, and silence would hide them.
fn note_stray_results(ws: &Workspace, manifest: &[ManifestRecord]) {
    let Ok(entries) = std::fs::read_dir(ws.results_dir()) else {
        return;
    };
    let known: BTreeSet<u64> = manifest.iter().map(|r| r.index).collect();
    let stray: BTreeSet<u64> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let stem = name.strip_suffix(".json").unwrap_or(name);
            let is_trial = stem.len() < name.len() || e.file_type().ok()?.is_dir();
            let i: u64 = stem.parse().ok().filter(|_| is_trial)?;
            (!known.contains(&i)).then_some(i)
        })
        .collect();
    if stray.is_empty() {
        return;
    }
    const SHOWN: usize = 10;
    let mut list: Vec<String> = stray.iter().take(SHOWN).map(u64::to_string).collect();
    if stray.len() > SHOWN {
        list.push("...".into());
    }
    warn(
        "note",
        &format!(
            "results of {} trial(s) not in the manifest are not shown: {}",
            stray.len(),
            list.join(", ")
        ),
    );
}

/// The summary metrics of a trial, then (with `last`) its streams' latest values as
/// `NAME@last`; also how many entries are summary metrics.
fn read_metrics(ws: &Workspace, index: u64, last: bool) -> Result<(Assoc, usize), Error> {
    let t = TrialResults::new(ws, index);
    let mut m = t.read_summary()?.unwrap_or_default();
    let n = m.len();
    if last {
        for (name, v) in t.last_values()? {
            m.0.push((format!("{name}@last"), v));
        }
    }
    Ok((m, n))
}

/// Writes one field of a delimited row.
type WriteField = fn(&mut dyn Write, &str) -> io::Result<()>;

/// Write a CSV field, quoted as [`csv_field`] does.
fn write_csv_field(out: &mut dyn Write, s: &str) -> io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        out.write_all(csv_field(s).as_bytes())
    } else {
        out.write_all(s.as_bytes())
    }
}

/// CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// How a sort value ranks: numbers, then other values by their text, then missing
/// values and NaN (always last, in index order).
fn sort_cmp(a: Option<&Value>, b: Option<&Value>, desc: bool) -> Ordering {
    fn class(v: Option<&Value>) -> (u8, f64, String) {
        match v {
            None | Some(Value::Null) => (2, 0.0, String::new()),
            Some(v) => match v.as_number() {
                Some(x) if x.is_nan() => (2, 0.0, String::new()),
                Some(x) => (0, x, String::new()),
                None => (1, 0.0, pystr(v)),
            },
        }
    }
    let (ca, xa, sa) = class(a);
    let (cb, xb, sb) = class(b);
    let ord = match ca.cmp(&cb) {
        Ordering::Equal => match ca {
            0 => xa.partial_cmp(&xb).unwrap_or(Ordering::Equal),
            1 => sa.cmp(&sb),
            _ => return Ordering::Equal,
        },
        other => return other,
    };
    if desc {
        ord.reverse()
    } else {
        ord
    }
}

/// Entry point of `herd-res`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    let pins = Pins::parse(&cfg, &args.pins.0)?;
    let ws = Workspace::new(&cfg.workspace);
    // The trials that exist: the manifest's. Before the first submission, the trials
    // the config plans (all ready, no results), so the table still shows the grid.
    let all: Vec<ManifestRecord> = match ws.read_manifest()? {
        Some(m) => {
            note_stray_results(&ws, &m);
            m
        }
        None => plan::load(&cfg)?.plan.records,
    };
    let mut records: Vec<&ManifestRecord> = all.iter().collect();
    records.sort_by_key(|r| r.index);
    let statuses: Vec<Status> = args.statuses.iter().map(|s| Status::parse(s)).collect();
    let wanted = if !args.all && stdin_has_input() {
        let w = stdin_indices(&cfg, &all)?;
        if w.is_empty() {
            warn(
                "warning",
                &"no trial records on stdin, so no rows (use --all to show every trial)",
            );
        }
        Some(w)
    } else {
        None
    };
    records.retain(|r| {
        pins.matches(&r.params)
            && (statuses.is_empty() || statuses.contains(&r.status))
            && wanted.as_ref().is_none_or(|w| w.contains(&r.index))
    });

    let mut failures = 0usize;
    let mut rows: Vec<Row> = Vec::with_capacity(records.len());
    for rec in records {
        let (metrics, n_summary) = match read_metrics(&ws, rec.index, args.last) {
            Ok((m, n)) => (Some(m), n),
            Err(e) => {
                failures += 1;
                warn("error", &e);
                (None, 0)
            }
        };
        rows.push(Row {
            rec,
            metrics,
            n_summary,
        });
    }

    // Metric columns: summary metrics first seen scanning the shown trials in index
    // order, then the NAME@last columns in the same way.
    let mut metric_names: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for streams in [false, true] {
        for row in &rows {
            let Some(m) = &row.metrics else { continue };
            let part = if streams {
                &m.0[row.n_summary..]
            } else {
                &m.0[..row.n_summary]
            };
            for (k, _) in part {
                if seen.insert(k.clone()) {
                    metric_names.push(k.clone());
                }
            }
        }
    }
    if metric_names.is_empty() && !rows.is_empty() && failures == 0 {
        let streamed = rows
            .iter()
            .any(|r| TrialResults::new(&ws, r.rec.index).has_streams());
        let msg = if streamed {
            "no summary metrics logged yet; --last shows the streamed ones"
        } else {
            "no results logged yet (trials log them with herd-log or hyperherd.log_result)"
        };
        warn("warning", &msg);
    }
    let param_names: Vec<&str> = cfg.parameters.iter().map(|p| p.name.as_str()).collect();

    if let Some((key, desc)) = &args.sort {
        let is_metric = metric_names.iter().any(|m| m == key);
        if !is_metric && !param_names.contains(&key.as_str()) {
            let avail = if metric_names.is_empty() {
                "no metrics are logged yet".to_string()
            } else {
                format!("metrics: {}", metric_names.join(", "))
            };
            return Err(Error::usage(format!(
                "--sort: unknown metric '{key}' ({avail})"
            )));
        }
        let value = |row: &Row| -> Option<Value> {
            if is_metric {
                row.metrics.as_ref().and_then(|m| m.get(key)).cloned()
            } else {
                row.rec.params.get(key).cloned()
            }
        };
        rows.sort_by(|a, b| sort_cmp(value(a).as_ref(), value(b).as_ref(), *desc));
    }
    if let Some(n) = args.top {
        rows.truncate(n);
    }

    let format = args
        .format
        .unwrap_or(match cli::OutputFlags::default().output() {
            cli::Output::Table => Format::Table,
            cli::Output::Json => Format::Tsv,
        });
    let mut out = cli::stdout();
    let mut header: Vec<&str> = vec!["index", "status", "experiment_name"];
    header.extend(param_names.iter().copied());
    header.extend(metric_names.iter().map(String::as_str));
    let values = |row| row_values(row, &param_names, &metric_names);
    match format {
        Format::Json => {
            // What herd-status last stored, without syncing (herd-res never asks
            // SLURM): the latest job id from job_ids.json, the details from
            // slurm_state.json when they are about that job.
            let jobs = match ws.read_job_ids() {
                Ok(j) => j,
                Err(e) => {
                    failures += 1;
                    warn("error", &e);
                    Vec::new()
                }
            };
            let latest = sync::latest_jobs(&jobs);
            let details = crate::store::cache::read_cache(&ws);
            let history = crate::ops::attempts::History::new(&jobs);
            let mut lines = ndjson::Lines::default();
            for row in rows {
                let mut rec = plan::record(&cfg, row.rec);
                sync::apply_detail(&mut rec, &details, &latest);
                history.fill(&mut rec, &cfg, &details);
                rec.metrics = row.metrics;
                lines.write(&mut out, &rec)?;
            }
        }
        Format::Tsv | Format::Csv => {
            let (field, sep): (WriteField, &[u8]) = if format == Format::Tsv {
                (write_tsv_field, b"\t")
            } else {
                (write_csv_field, b",")
            };
            for (i, h) in header.iter().enumerate() {
                if i > 0 {
                    out.write_all(sep)?;
                }
                field(&mut out, h)?;
            }
            out.write_all(b"\n")?;
            for row in &rows {
                write!(out, "{}", row.rec.index)?;
                out.write_all(sep)?;
                field(&mut out, row.rec.status.as_str())?;
                out.write_all(sep)?;
                field(&mut out, row.rec.experiment_name.as_deref().unwrap_or(""))?;
                for v in values(row) {
                    out.write_all(sep)?;
                    if let Some(v) = v {
                        field(&mut out, &cell(v))?;
                    }
                }
                out.write_all(b"\n")?;
            }
        }
        Format::Table => {
            let mut numeric = vec![true; header.len()];
            let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut line = vec![
                    row.rec.index.to_string(),
                    row.rec.status.to_string(),
                    row.rec.experiment_name.clone().unwrap_or_default(),
                ];
                for (i, v) in values(row).enumerate() {
                    if let Some(v) = v {
                        numeric[3 + i] &= v.as_number().is_some();
                    }
                    line.push(v.map(|v| cell(v).into_owned()).unwrap_or_default());
                }
                cells.push(line);
            }
            let mut heads: Vec<(&str, Align)> = vec![
                ("INDEX", Align::Right),
                ("STATUS", Align::Left),
                ("NAME", Align::Left),
            ];
            for (i, h) in header.iter().enumerate().skip(3) {
                let align = if numeric[i] {
                    Align::Right
                } else {
                    Align::Left
                };
                heads.push((h, align));
            }
            let mut t = Table::new(&heads);
            for line in cells {
                t.push(line);
            }
            out.write_all(t.render().as_bytes())?;
        }
    }
    out.flush()?;
    if failures > 0 {
        return Ok(ExitCode::from(EXIT_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Args, Error> {
        parse_args(a.iter().map(OsString::from).collect())
    }

    #[test]
    fn fields_escape() {
        let mut w = Vec::new();
        write_tsv_field(&mut w, "a\tb\nc\\d\re").unwrap();
        assert_eq!(String::from_utf8(w).unwrap(), "a\\tb\\nc\\\\d\\re");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn sorting_puts_missing_and_nan_last_both_ways() {
        let vals = [
            Some(Value::Float(0.5)),
            None,
            Some(Value::Float(f64::NAN)),
            Some(Value::Int(2)),
            Some(Value::Str("x".into())),
            Some(Value::Float(-1.0)),
        ];
        let order = |desc: bool| {
            let mut idx: Vec<usize> = (0..vals.len()).collect();
            idx.sort_by(|&a, &b| sort_cmp(vals[a].as_ref(), vals[b].as_ref(), desc));
            idx
        };
        assert_eq!(order(false), vec![5, 0, 3, 4, 1, 2]);
        assert_eq!(order(true), vec![3, 0, 5, 4, 1, 2]);
    }

    #[test]
    fn options_parse() {
        let a = args(&[
            "--sort",
            "-loss",
            "--top",
            "3",
            "-s",
            "running,completed",
            "ws",
        ])
        .unwrap();
        assert_eq!(a.sort, Some(("loss".into(), true)));
        assert_eq!(a.top, Some(3));
        assert_eq!(a.statuses, vec!["running", "completed"]);
        assert_eq!(a.ws, Some(PathBuf::from("ws")));
        for (argv, msg) in [
            (&["--top", "0"][..], "--top '0'"),
            (&["--sort", "-"][..], "expected [-]METRIC"),
            (&["-s", "a,,b"][..], "empty status"),
        ] {
            let e = args(argv).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains(msg), "{e}");
        }
    }
}
