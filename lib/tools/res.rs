//! `herd-res [WS]`: one row per trial with its parameters and logged metrics.
//!
//! Column order: `index`, `status`, `experiment_name`, the parameters in config
//! order, the summary metrics in first-seen order scanning the shown trials in index
//! order, then (with `--last`) the streamed metrics as `NAME@last`, in the same way.
//! Rows are the manifest's trials (before the first submission: the planned ones), in
//! index order unless `--sort` says otherwise.

use crate::cli::{self, Standard};
use crate::config;
use crate::error::{Error, EXIT_FAILED};
use crate::model::ndjson;
use crate::model::pin::Pins;
use crate::model::record::Status;
use crate::ops::results::{self, Row};
use crate::ops::{plan, sync};
use crate::store::results::check_stream_name;
use crate::store::workspace::Workspace;
use crate::text::spark;
use crate::text::table::{cell, write_tsv_field, Align, Table};
use crate::text::value::Value;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The cells of a `--spark` line.
const SPARK_WIDTH: usize = 20;

mod groups;
mod steps;

/// The exit status: 1 when some trial's results could not be read.
fn exit(failures: usize) -> ExitCode {
    if failures > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

const USAGE: &str = "\
herd-res: print one row per trial with its parameters and logged metrics

Usage: herd-res [OPTIONS] [WS|FILE]
       herd-res --steps [OPTIONS] [WS|FILE]
       herd-res --by PARAM[,PARAM] [OPTIONS] [WS|FILE]

Arguments:
  [WS|FILE]             the workspace directory (holding hyperherd.yaml) or a config
                        file [default: the nearest of . and its parents that holds
                        hyperherd.yaml]

Options:
      --last            add the latest value (highest step) of every streamed metric,
                        as columns NAME@last
      --steps           print every step of every stream instead: one row per trial,
                        metric and step, columns trial_id,step,metric,timestamp,value
      --by PARAM[,..]   one row per group of trials sharing these parameters' values
                        (repeatable): trials, then per metric M: M.n M.mean M.std
                        M.min M.max M.missing (NaN, strings, bools count as missing)
      --spark METRIC    add a column METRIC~ drawing the trial's stream (repeatable)
      --ascii           draw sparklines with _.-~^ (also when the locale is not UTF-8)
      --sort [-]METRIC  sort rows by a metric (or parameter), ascending; -METRIC sorts
                        descending. Missing and NaN values go last. With --by: groups,
                        by the metric's mean
      --top N           print only the first N rows (after sorting)
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
  -s, --status LIST     only trials with these statuses (comma-separated, repeatable)
  -a, --all             show every trial: do not read trial records from stdin
      --tsv             print TSV (the default when piped)
      --csv             print CSV (RFC 4180 quoting)
      --json            print NDJSON trial records with their \"metrics\" (--steps:
                        one object per row; --by: one per group)
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
  herd-res --steps --csv -s completed > steps.csv
  herd-res --by lr,optimizer --sort val_loss
  herd-res --sort val_loss --top 5 --spark loss
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
    steps: bool,
    by: Vec<String>,
    spark: Vec<String>,
    ascii: bool,
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
            Long("steps") => args.steps = true,
            Long("ascii") => args.ascii = true,
            Long("spark") => {
                let name = p.value()?.string()?;
                check_stream_name(&name)?;
                if !args.spark.contains(&name) {
                    args.spark.push(name);
                }
            }
            Long("by") => {
                let s = p.value()?.string()?;
                for name in s.split(',') {
                    if name.is_empty() {
                        return Err(Error::usage(format!("--by '{s}': expected PARAM[,PARAM]")));
                    }
                    if !args.by.iter().any(|b| b == name) {
                        args.by.push(name.to_string());
                    }
                }
            }
            Long("sort") => args.sort = Some(cli::split_sort(&p.value()?.string()?)?),
            Long("top") => args.top = Some(cli::count("--top", &p.value()?.string()?, "rows", 1)?),
            Short('a') | Long("all") => args.all = true,
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.statuses = statuses.words;
    if !args.by.is_empty() && !args.spark.is_empty() {
        return Err(Error::usage(
            "--spark draws one trial's stream; it does not apply to the groups of --by",
        ));
    }
    if args.steps {
        let conflict = [
            (args.last, "--last"),
            (args.sort.is_some(), "--sort"),
            (!args.by.is_empty(), "--by"),
            (!args.spark.is_empty(), "--spark"),
        ];
        if let Some((_, flag)) = conflict.iter().find(|(on, _)| *on) {
            return Err(Error::usage(format!(
                "--steps prints every step of every stream; {flag} does not apply to it"
            )));
        }
    }
    Ok(args)
}

/// The values of a row's parameter and metric columns, in column order.
fn row_values<'r>(
    row: &'r Row,
    params: &'r [String],
    metrics: &'r [String],
) -> impl Iterator<Item = Option<&'r Value>> + 'r {
    let m = row.metrics.as_ref();
    params
        .iter()
        .map(move |p| row.rec.params.get(p))
        .chain(metrics.iter().map(move |k| m.and_then(|m| m.get(k))))
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

/// Entry point of `herd-res`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    let ws = Workspace::new(&cfg.workspace);
    let sel = results::Selection {
        pins: Pins::parse(&cfg, &args.pins.0)?,
        statuses: args.statuses.iter().map(|s| Status::parse(s)).collect(),
        all: args.all,
    };
    let mut trials = results::select(&cfg, &ws, &sel)?;
    let format = args
        .format
        .unwrap_or(match cli::OutputFlags::default().output() {
            cli::Output::Table => Format::Table,
            cli::Output::Json => Format::Tsv,
        });
    if args.steps {
        if let Some(n) = args.top {
            trials.truncate(n);
        }
        let mut out = cli::stdout();
        let failures = steps::write(&ws, &trials, format, &mut out)?;
        out.flush()?;
        return Ok(exit(failures));
    }
    let mut res = results::gather(&cfg, &ws, trials, args.last, &args.spark);
    if !args.by.is_empty() {
        let mut groups = results::group(&res, &args.by)?;
        if let Some((key, desc)) = &args.sort {
            results::sort_groups(&res, &args.by, &mut groups, key, *desc)?;
        }
        if let Some(n) = args.top {
            groups.truncate(n);
        }
        let mut out = cli::stdout();
        groups::write(&args.by, &res.metric_names, &groups, format, &mut out)?;
        out.flush()?;
        return Ok(exit(res.failures));
    }
    if let Some((key, desc)) = &args.sort {
        res.sort(key, *desc)?;
    }
    if let Some(n) = args.top {
        res.rows.truncate(n);
    }
    let mut failures = res.failures;
    let (rows, param_names, metric_names) = (res.rows, res.param_names, res.metric_names);

    let mut out = cli::stdout();
    let ascii = args.ascii || !spark::utf8_locale(|k| std::env::var(k).ok());
    let spark_names: Vec<String> = args.spark.iter().map(|m| format!("{m}~")).collect();
    let sparks = |row: &Row| -> Vec<String> {
        row.series
            .iter()
            .map(|s| spark::sparkline(s, SPARK_WIDTH, ascii))
            .collect()
    };
    let mut header: Vec<&str> = vec!["index", "status", "experiment_name"];
    header.extend(param_names.iter().map(String::as_str));
    header.extend(metric_names.iter().map(String::as_str));
    header.extend(spark_names.iter().map(String::as_str));
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
                    results::warn("error", &e);
                    Vec::new()
                }
            };
            let latest = sync::latest_jobs(&jobs);
            let details = crate::store::cache::read_cache(&ws);
            let history = crate::ops::attempts::History::new(&jobs);
            let mut lines = ndjson::Lines::default();
            for row in rows {
                let mut rec = plan::record(&cfg, &row.rec);
                sync::apply_detail(&mut rec, &details, &latest);
                history.fill(&mut rec, &cfg, &details);
                rec.metrics = row.metrics.clone();
                if args.spark.is_empty() {
                    lines.write(&mut out, &rec)?;
                    continue;
                }
                // The record's line with a "spark" object before its closing brace.
                let mut line = Vec::new();
                lines.write(&mut line, &rec)?;
                if line.ends_with(b"}\n") {
                    line.truncate(line.len() - 2);
                    line.extend_from_slice(b",\"spark\":{");
                    for (k, (name, drawn)) in args.spark.iter().zip(sparks(&row)).enumerate() {
                        if k > 0 {
                            line.push(b',');
                        }
                        ndjson::write_str(&mut line, name);
                        line.push(b':');
                        ndjson::write_str(&mut line, &drawn);
                    }
                    line.extend_from_slice(b"}}\n");
                }
                out.write_all(&line)?;
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
                for drawn in sparks(row) {
                    out.write_all(sep)?;
                    field(&mut out, &drawn)?;
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
                for (i, drawn) in sparks(row).into_iter().enumerate() {
                    numeric[3 + param_names.len() + metric_names.len() + i] = false;
                    line.push(drawn);
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
    Ok(exit(failures))
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
