//! `herd-stop [WS]`: cancel live trials with one `scancel` call and mark them cancelled.

use crate::cli::{self, Common, Output};
use crate::config;
use crate::error::Error;
use crate::local;
use crate::model::ndjson;
use crate::model::record::Status;
use crate::model::record::{read_refs, workspace_arg};
use crate::ops::submit;
use crate::ops::sync::{self, latest_jobs};
use crate::slurm;
use crate::store::workspace::{ByIndex, Workspace};
use crate::tools::status::{detailed_record, Logs};
use crate::tools::submit::check_ref;
use std::collections::{BTreeMap, BTreeSet};
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
  -a, --all           cancel every live trial (submitted, queued, running)
      --json          print NDJSON records of the cancelled trials
      --table         print a summary (the default on a terminal)
  -h, --help          print this help
  -V, --version       print the version

Without -i or --all, the trial records on stdin name the trials to cancel. Statuses
are synced first, so a trial that has already finished is never cancelled. All
cancellations go to SLURM in one scancel call; a local trial's whole process group
gets TERM (KILL 30 s later if it is still there). The records printed carry the status
each trial had before (previous_status).

A lone positional that is not an existing path but reads as indices (herd-stop 3,
herd-stop 0-4,7) means -i with the workspace found from here, as in the reference.

Examples:
  herd-stop -i 3
  herd-status -s running --json | jq -c 'select(.elapsed_seconds > 3600)' | herd-stop
  herd-stop --all

Exit status: 0 ok, 1 scancel failed or SLURM could not be asked (nothing changed),
2 usage error.
";

#[derive(Debug, Default)]
struct Args {
    common: Common,
    ws: Option<PathBuf>,
    which: cli::Which,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        if args.common.parse(&arg, USAGE)? {
            continue;
        }
        if let Some(flag) = cli::Which::flag(&arg) {
            args.which.take(flag, &mut p)?;
            continue;
        }
        match arg {
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.which.check()?;
    // The reference's `herd stop 3`: a positional that is no path but an index spec
    // names the trials, in the workspace found from here.
    if let Some(spec) = args.ws.as_deref().and_then(cli::index_positional) {
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
    let wanted: Option<BTreeSet<u64>> = match (&args.which.indices, args.which.all) {
        (Some(spec), _) => Some(cli::parse_indices(spec)?.into_iter().collect()),
        (None, true) => None,
        (None, false) if cli::stdin_is_terminal() => {
            return Err(Error::usage(
                "name the trials: -i SPEC, --all, or trial records on stdin",
            ))
        }
        (None, false) => None,
    };
    let refs = if wanted.is_none() && !args.which.all {
        Some(read_refs(std::io::stdin().lock())?)
    } else {
        None
    };
    // The workspace: the argument, else the one the stdin records belong to.
    let ws_arg = workspace_arg(args.ws.clone(), refs.as_deref());
    let cfg = config::load(ws_arg.as_deref())?;
    let ws = Workspace::new(&cfg.workspace);
    ws.require_manifest()?;
    let _lock = ws.lock()?;
    let mut manifest = ws.read_manifest()?.unwrap_or_default();
    let mut jobs = ws.read_job_ids()?;
    submit::recover(&ws, &mut manifest, &mut jobs)?;
    let synced = sync::sync(&ws, &mut manifest, &jobs, cfg.slurm.cpus_per_task)?;
    if let Some(why) = synced.stale {
        return Err(
            Error::failed(format!("cannot tell which trials are live: {why}"))
                .hint("nothing was cancelled; try again when SLURM answers"),
        );
    }
    let by_index = ByIndex::new(&manifest);
    let wanted: Option<BTreeSet<u64>> = match refs {
        Some(refs) => Some(
            refs.iter()
                .map(|r| check_ref(&cfg, &by_index, r).map(|m| m.index))
                .collect::<Result<_, Error>>()?,
        ),
        None => wanted,
    };
    if let Some(w) = &wanted {
        if w.iter().any(|i| by_index.get(*i).is_none()) {
            let unknown = w.iter().copied().filter(|i| by_index.get(*i).is_none());
            return Err(Error::invalid(format!(
                "no trial with index {}",
                cli::some_indices(unknown)
            )));
        }
    }
    let latest = latest_jobs(&jobs);
    let targets: Vec<(usize, String)> = manifest
        .iter()
        .enumerate()
        .filter(|(_, r)| wanted.as_ref().is_none_or(|w| w.contains(&r.index)))
        .filter(|(_, r)| r.status.is_live())
        .filter_map(|(k, r)| latest.get(&r.index).map(|(j, t)| (k, format!("{j}_{t}"))))
        .collect();
    let skipped = wanted
        .as_ref()
        .map_or(0, |w| w.len())
        .saturating_sub(targets.len());
    if skipped > 0 && wanted.is_some() {
        let _ = writeln!(
            std::io::stderr(),
            "herd-stop: {skipped} trial(s) are not live (finished or never submitted); left alone"
        );
    }
    let mut out = cli::stdout();
    if targets.is_empty() {
        let _ = writeln!(std::io::stderr(), "herd-stop: no live trials to cancel");
        return Ok(ExitCode::SUCCESS);
    }
    // SLURM's trials in one scancel call; local ones through their runners.
    let ids: Vec<&str> = targets
        .iter()
        .map(|(_, j)| j.as_str())
        .filter(|j| !local::is_local(j))
        .collect();
    if !ids.is_empty() {
        let o = slurm::run("scancel", &ids, None)?;
        if o.code != Some(0) {
            return Err(
                Error::failed(format!("scancel failed: {}", o.stderr.trim()))
                    .hint("no trial was marked cancelled; check with herd-status and try again"),
            );
        }
    }
    let mut local_tasks: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (k, _) in &targets {
        if let Some((job, task)) = latest.get(&manifest[*k].index) {
            if local::is_local(job) {
                local_tasks.entry(*job).or_default().push(*task);
            }
        }
    }
    for (job, tasks) in &local_tasks {
        local::cancel(&ws, job, tasks)?;
    }
    let mut previous = Vec::with_capacity(targets.len());
    for (k, _) in &targets {
        previous.push(manifest[*k].status.clone());
        manifest[*k].status = Status::Cancelled;
    }
    ws.write_manifest(&manifest)?;
    let cancelled: Vec<u64> = targets.iter().map(|(k, _)| manifest[*k].index).collect();
    let details = sync::note_cancelled(&ws, &cancelled, synced.details)?;
    match args.common.output() {
        Output::Json => {
            let mut lines = ndjson::Lines::default();
            let logs = Logs::scan(&ws);
            for ((k, _), prev) in targets.iter().zip(previous) {
                let mut rec = detailed_record(&cfg, &logs, manifest[*k].clone(), &details, &latest);
                rec.previous_status = Some(prev);
                lines.write(&mut out, &rec)?;
            }
        }
        Output::Table => {
            let idx: Vec<String> = targets
                .iter()
                .map(|(k, _)| manifest[*k].index.to_string())
                .collect();
            writeln!(
                out,
                "cancelled {} trial(s): {}",
                targets.len(),
                idx.join(", ")
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
