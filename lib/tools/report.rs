//! `herd-report [WS] [-o FILE]`: one self-contained HTML page of a sweep: statuses,
//! every trial ranked by an objective, the metric curves, each parameter against the
//! objective, parallel coordinates, and the failed trials' log tails.

use crate::cli::{self, Standard};
use crate::config;
use crate::error::{Error, EXIT_FAILED};
use crate::model::pin::Pins;
use crate::model::record::Status;
use crate::ops::report::{self, Options};
use crate::store::fs::write_atomic;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-report: write a sweep's results as one self-contained HTML page

Usage: herd-report [OPTIONS] [WS|FILE]

Arguments:
  [WS|FILE]             the workspace directory (holding hyperherd.yaml) or a config
                        file [default: the nearest of . and its parents that holds
                        hyperherd.yaml]

Options:
  -o, --output FILE     where to write the page; - writes it to stdout
                        [default: report.html in the workspace]
      --sort [-]METRIC  rank trials by a metric, ascending (lower is better);
                        -METRIC ranks descending. A streamed metric ranks by its
                        value at the last step [default: the successive_halving
                        block's metric and direction, else the first summary metric]
      --top K           highlight the K best trials in the charts [default: 5]
      --lines N         lines of each log shown for a failed trial [default: 20]
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
  -s, --status LIST     only trials with these statuses (comma-separated, repeatable)
  -h, --help            print this help
  -V, --version         print the version

The page has the status counts, a table of every trial (click a column to sort),
every streamed metric's curves, each parameter against the objective, parallel
coordinates and the last log lines of failed trials. It needs no network and has
a light and a dark theme. Statuses are read as herd-res reads them (as last
recorded; SLURM is not asked). The path written is printed on stderr.

Examples:
  herd-report
  herd-report --sort -val_acc --top 3 -o ~/public_html/lr.html
  herd-report -o - | gzip > report.html.gz

Exit status: 0 ok, 1 a results file or log could not be read (named on the page
and on stderr; the page is written), 2 usage or config error.
";

#[derive(Debug, Default)]
struct Args {
    ws: Option<PathBuf>,
    output: Option<PathBuf>,
    sort: Option<(String, bool)>,
    top: Option<usize>,
    lines: Option<usize>,
    pins: cli::Pins,
    statuses: Vec<String>,
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
            Short('o') | Long("output") => args.output = Some(PathBuf::from(p.value()?)),
            Long("sort") => args.sort = Some(cli::split_sort(&p.value()?.string()?)?),
            Long("top") => {
                args.top = Some(cli::count("--top", &p.value()?.string()?, "trials", 1)?)
            }
            Long("lines") => {
                args.lines = Some(cli::count("--lines", &p.value()?.string()?, "lines", 0)?)
            }
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.statuses = statuses.words;
    Ok(args)
}

/// Entry point of `herd-report`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    let pins = Pins::parse(&cfg, &args.pins.0)?;
    let opts = Options {
        sort: args.sort,
        top: args.top.unwrap_or(5),
        log_lines: args.lines.unwrap_or(20),
        statuses: args.statuses.iter().map(|s| Status::parse(s)).collect(),
    };
    let r = report::gather(&cfg, &pins, &opts)?;
    for p in &r.problems {
        cli::note(&format!("error: {p}"));
    }
    let page = crate::report::html(&r);
    let to = args
        .output
        .unwrap_or_else(|| cfg.workspace.join("report.html"));
    if to.as_os_str() == "-" {
        let mut out = cli::stdout();
        out.write_all(page.as_bytes())?;
        out.flush()?;
    } else {
        write_atomic(&to, page.as_bytes())?;
        cli::note(&format!("wrote {}", to.display()));
    }
    if !r.problems.is_empty() {
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
    fn options_parse() {
        let a = args(&["--sort", "-acc", "--top", "3", "-o", "-", "ws"]).unwrap();
        assert_eq!(a.sort, Some(("acc".into(), true)));
        assert_eq!(a.top, Some(3));
        assert_eq!(a.output, Some(PathBuf::from("-")));
        assert_eq!(a.ws, Some(PathBuf::from("ws")));
        for (argv, msg) in [
            (&["--top", "0"][..], "--top '0'"),
            (&["--lines", "x"][..], "--lines 'x'"),
            (&["--sort", "-"][..], "expected [-]METRIC"),
        ] {
            let e = args(argv).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains(msg), "{e}");
        }
    }
}
