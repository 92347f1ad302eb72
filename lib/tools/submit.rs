//! `herd-submit [WS]`: reconcile the manifest with the config, submit the chosen trials
//! as SLURM job arrays, record them.

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config;
use crate::error::Error;
use crate::local;
use crate::model::ndjson;
use crate::model::record::{read_refs, workspace_arg, TrialRecord};
use crate::ops::plan;
use crate::ops::submit::{self, Outcome, Request, Submitted};
use crate::store::manifest::ByIndex;
use crate::store::script;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-submit: submit trials of a sweep as SLURM job arrays (or run them here)

Usage: herd-submit [OPTIONS] [WS]

Arguments:
  [WS]                      the workspace directory (holding hyperherd.yaml) or its
                            config file [default: the workspace of the stdin records,
                            else the nearest of . and its parents with hyperherd.yaml]

Options:
  -n, --dry-run             write nothing, submit nothing: print the job script(s) and
                            the plan
  -a, --all                 submit every pending trial (ready, failed, cancelled),
                            ignoring stdin
  -i, --indices SPEC        submit these indices, e.g. 0-4,7, ignoring stdin
                            (completed ones only with --rerun or --force)
  -p, --pin NAME=VALUE      only trials whose parameter NAME equals VALUE (repeatable)
  -j, --max-concurrent N    run at most N trials of each array job at once (%N)
      --keep-orphans        keep trials a config edit removes while they are running,
                            queued or completed, as orphans (nothing is resubmitted)
      --rerun               run completed trials named by --indices or on stdin again
  -f, --force               --keep-orphans, and let --indices name completed trials
                            (the reference's -f); never resubmits from stdin
  -l, --local               run the trials on this machine instead of SLURM (detached;
                            at most -j or CPUs/cpus_per_task at a time)
      --json                print NDJSON records of the submitted trials
      --table               print a short summary (the default on a terminal)
  -h, --help                print this help
  -V, --version             print the version

Which trials: the trial records on stdin (as printed by herd-expand or herd-status;
their index and hash must match the manifest), or, when stdin is a terminal or with
--all, every pending trial (ready, failed, cancelled). Statuses are synced from
SLURM first. Stdin records of completed trials are skipped unless --rerun; records
of trials the config no longer generates are skipped. A trial that is submitted,
queued or running is never submitted again, whatever the flags: stop it first
(herd-stop -i N). An empty stream submits nothing. A config edit that would drop
running, queued or completed trials is refused (exit 1) unless --keep-orphans.

With --local the same job script runs here, once per trial, with the variables a
SLURM array task sees, in the background: herd-submit returns at once and the trials
keep running after the terminal closes. herd-status, herd-stop, herd-tail and herd-res
work on a local sweep as on a SLURM one; slurm.time is enforced (TERM, then KILL
HERD_LOCAL_KILL_WAIT seconds later, default 30), slurm.mem is not.

Examples:
  herd-expand ~/sweeps/lr | herd-submit
  herd run --local              # the same, on this machine
  herd-status | jq -c 'select(.status==\"failed\")' | herd-submit
  herd-submit -i 3-5 --dry-run

Exit status: 0 ok, 1 SLURM refused or a workspace file is corrupt, 2 usage or config
error.
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    dry_run: bool,
    which: cli::Which,
    pins: cli::Pins,
    max_concurrent: Option<u64>,
    force: bool,
    keep_orphans: bool,
    rerun: bool,
    local: bool,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [
                &mut Standard(USAGE),
                &mut args.output,
                &mut args.which,
                &mut args.pins,
            ]
        );
        match arg {
            Short('n') | Long("dry-run") => args.dry_run = true,
            Short('j') | Long("max-concurrent") => {
                let n: u64 = p.value()?.parse()?;
                if n == 0 {
                    return Err(Error::usage("--max-concurrent must be at least 1"));
                }
                args.max_concurrent = Some(n);
            }
            Short('f') | Long("force") => args.force = true,
            Long("keep-orphans") => args.keep_orphans = true,
            Long("rerun") => args.rerun = true,
            Short('l') | Long("local") => args.local = true,
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.which.check()?;
    Ok(args)
}

/// Entry point of `herd-submit`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    // The runner of a local job is this program re-executed (see `local::start`).
    if local::runner_call(&argv)? {
        return Ok(ExitCode::SUCCESS);
    }
    let args = parse_args(argv)?;
    let refs = if args.which.all || args.which.indices.is_some() || cli::stdin_is_terminal() {
        None
    } else {
        Some(read_refs(std::io::stdin().lock())?)
    };
    // The workspace: the argument, else the one the stdin records belong to, so that
    // `herd-expand WS | herd-submit` needs WS only once.
    let ws_arg = workspace_arg(args.ws.clone(), refs.as_deref());
    let cfg = config::load(ws_arg.as_deref())?;
    let mode = args.output.output();
    let workspace = cfg.workspace.clone();
    let outcome = submit::submit(
        cfg,
        Request {
            refs,
            indices: args.which.indices,
            pins: args.pins.0,
            dry_run: args.dry_run,
            max_concurrent: args.max_concurrent,
            force: args.force,
            keep_orphans: args.keep_orphans,
            rerun: args.rerun,
            local: args.local,
        },
    )?;
    let mut out = cli::stdout();
    match outcome {
        Outcome::Nothing => cli::note("nothing to submit"),
        Outcome::DryRun {
            trials,
            spec,
            scripts,
        } => {
            cli::note(&format!(
                "dry run: would submit {trials} trial(s) as {} array job(s): {spec}",
                scripts.len(),
            ));
            let n = scripts.len();
            for (k, (path, s)) in scripts.iter().enumerate() {
                if n > 1 {
                    writeln!(out, "# ---- part {} of {n}: {} ----", k + 1, path.display())?;
                }
                out.write_all(s.as_bytes())?;
            }
        }
        Outcome::Submitted(done) => {
            report(&done, mode, &mut out)?;
            if let Some(room) = &done.room {
                say_deferred(&workspace, &done.deferred, room, done.trials.len());
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Say which trials wait for room in the queue, and what submits them.
fn say_deferred(
    workspace: &std::path::Path,
    deferred: &[u64],
    room: &crate::ops::room::Room,
    submitted: usize,
) {
    if deferred.is_empty() {
        return;
    }
    let ws = crate::text::pyfmt::shell_quote(&workspace.display().to_string());
    // The queue as it is now, with this submission's trials in it.
    let now = crate::ops::room::Room {
        queued: room.queued + submitted as u64,
        ..room.clone()
    };
    cli::note(&format!(
        "deferred {} trial(s) ({}): no room in the queue, {}",
        deferred.len(),
        script::array_spec(deferred),
        now.describe()
    ));
    cli::note(&format!(
        "  herd-watch {ws} submits them as room frees (or run herd-submit {ws} again later)"
    ));
}

fn report(done: &Submitted, mode: Output, out: &mut impl Write) -> Result<(), Error> {
    let (cfg, submitted) = (&done.cfg, &done.trials);
    match mode {
        Output::Json => {
            let by_index = ByIndex::new(&done.manifest);
            let mut lines = ndjson::Lines::default();
            for (i, job) in submitted {
                if let Some(r) = by_index.get(*i) {
                    let mut rec: TrialRecord = plan::record(cfg, r);
                    rec.slurm_job_id = Some(job.clone());
                    lines.write(&mut *out, &rec)?;
                }
            }
            for i in &done.deferred {
                if let Some(r) = by_index.get(*i) {
                    lines.write(&mut *out, &plan::record(cfg, r))?;
                }
            }
        }
        Output::Table if submitted.is_empty() => {}
        Output::Table => {
            let ids = &done.job_ids;
            let indices: Vec<u64> = submitted.iter().map(|(i, _)| *i).collect();
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            match done.local_slots {
                Some(slots) => writeln!(
                    out,
                    "started {} trial{} ({}) on this machine as local job {}, at most {slots} at a time",
                    indices.len(),
                    plural(indices.len()),
                    script::array_spec(&indices),
                    ids.join(", ")
                )?,
                None => writeln!(
                    out,
                    "submitted {} trial{} ({}) as SLURM job{} {}",
                    indices.len(),
                    plural(indices.len()),
                    script::array_spec(&indices),
                    plural(ids.len()),
                    ids.join(", ")
                )?,
            }
            writeln!(
                out,
                "  workspace: {}",
                cfg.workspace.join(".hyperherd").display()
            )?;
            writeln!(
                out,
                "  logs:      {}",
                cfg.workspace.join(".hyperherd/logs").display()
            )?;
            writeln!(out, "  follow:    herd-status {}", cfg.workspace.display())?;
        }
    }
    Ok(())
}
