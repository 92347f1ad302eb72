//! `herd-stop [WS]`: cancel live trials with one `scancel` call and mark them cancelled.

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config;
use crate::error::Error;
use crate::model::ndjson;
use crate::model::record::{read_refs, workspace_arg};
use crate::ops::stop::{self, Targets};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-stop: cancel running or queued trials

Usage: herd-stop [OPTIONS] [WS]

Arguments:
  [WS]                the workspace directory [default: the nearest of . and its
                      parents that holds hyperherd.yaml]

Options:
  -i, --indices SPEC  cancel these trials, e.g. 3 or 0-4,7
  -a, --all           cancel every live trial (submitted, queued, running) and
                      every deferred one, and stop herd-watch
      --json          print NDJSON records of the cancelled trials
      --table         print a summary (the default on a terminal)
  -h, --help          print this help
  -V, --version       print the version

Without -i or --all, the trial records on stdin name the trials to cancel. Statuses
are synced first, so a trial that has already finished is never cancelled. All
cancellations go to SLURM in one scancel call; a local trial's whole process group
gets TERM (KILL 30 s later if it is still there). The records printed carry the status
each trial had before (previous_status).

A lone positional that is not an existing directory but reads as indices
(herd-stop 3, herd-stop 0-4,7) means -i with the workspace found from here, as in
the reference.

Examples:
  herd-stop -i 3
  herd-status -s running --json | jq -c 'select(.elapsed_seconds > 3600)' | herd-stop
  herd-stop --all

Exit status: 0 ok, 1 scancel failed or SLURM could not be asked (nothing changed),
2 usage error.
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    which: cli::Which,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [&mut Standard(USAGE), &mut args.output, &mut args.which]
        );
        match arg {
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.which.check()?;
    // The reference's `herd stop 3`: a positional that is no directory but an index
    // spec names the trials, in the workspace found from here.
    if let Some(spec) = args
        .ws
        .as_deref()
        .and_then(|a| cli::index_positional(a, true))
    {
        if args.which.indices.is_some() || args.which.all {
            return Err(Error::usage(format!(
                "'{spec}' is not a workspace; to cancel trial(s) {spec}, pass -i {spec} alone"
            )));
        }
        args.which.indices = Some(spec);
        args.ws = None;
    }
    Ok(args)
}

/// Entry point of `herd-stop`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let targets = match (&args.which.indices, args.which.all) {
        (Some(spec), _) => Targets::Indices(cli::parse_indices(spec)?.into_iter().collect()),
        (None, true) => Targets::All,
        (None, false) if cli::stdin_is_terminal() => {
            return Err(Error::usage(
                "name the trials: -i SPEC, --all, or trial records on stdin",
            ))
        }
        (None, false) => Targets::Refs(read_refs(std::io::stdin().lock())?),
    };
    // The workspace: the argument, else the one the stdin records belong to.
    let refs = match &targets {
        Targets::Refs(r) => Some(r.as_slice()),
        _ => None,
    };
    let ws_arg = workspace_arg(args.ws.clone(), refs);
    let cfg = config::load(ws_arg.as_deref())?;
    let stopped = stop::stop(cfg, targets)?;
    if let Some(job) = &stopped.watcher {
        cli::note(&format!("stopped the watcher (cancelled its job {job})"));
    }
    if stopped.records.is_empty() {
        cli::note("no live trials to cancel");
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = cli::stdout();
    match args.output.output() {
        Output::Json => {
            let mut lines = ndjson::Lines::default();
            for rec in &stopped.records {
                lines.write(&mut out, rec)?;
            }
        }
        Output::Table => {
            let idx: Vec<String> = stopped
                .records
                .iter()
                .map(|r| r.index.to_string())
                .collect();
            writeln!(out, "cancelled {} trial(s): {}", idx.len(), idx.join(", "))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
