//! `herd-sh [WS]`: successive halving: rank the trials by a streamed metric at each
//! rung, then prune, pause or resume them (or, with `--dry-run`, say so).

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config;
use crate::error::Error;
use crate::model::halving::{value_text, Action, Decision, Plan};
use crate::model::record::Status;
use crate::ops::halving::{self, Outcome, Request};
use crate::text::value::Value;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-sh: successive halving: prune, pause or resume trials by a streamed metric

Usage: herd-sh [OPTIONS] [WS]

Arguments:
  [WS]                     the workspace directory [default: the nearest of . and its
                           parents that holds hyperherd.yaml]

Options:
  -n, --dry-run            decide and print, change nothing
  -r, --reason             explain every decision (the human output)
      --metric M           the streamed metric to rank by
      --direction min|max  whether lower (min) or higher (max) is better
      --min-steps N        the first rung, in steps
      --budget N           the last rung is at most N steps
      --eta N              rungs at min-steps * eta^k (default 2)
      --mode sync|asha     sync: keep the better half of each rung's cohort, pausing
                           trials that cannot be ranked yet; asha: keep the top
                           1/eta of those that arrived, never pausing (default sync)
  -j, --max-concurrent N   at most N resumed trials run at once
  -w, --watch [SECS]       decide and act every SECS seconds until no trial runs or
                           is paused (default 30, minimum 10; local sweeps: 2 and 1);
                           prints each round's actions
      --json               print one NDJSON decision per trial (the default when
                           piped)
      --table              print the actions (the default on a terminal)
  -h, --help               print this help
  -V, --version            print the version

The flags override the successive_halving: section of hyperherd.yaml field by field;
without one, --metric, --direction, --min-steps and --budget are needed. Each trial's
metric is read from results/<i>/stream/<metric>.jsonl (written by herd-log --step).
A running trial below the cut is pruned, one whose rank cannot be told yet is
paused: herd-sh writes results/<i>/_signal, and the trial's next herd-log call
exits 3 so that the training loop stops. A paused trial that makes the cut again is
resumed (resubmitted), once its previous job has ended (until then: WAIT).

Examples:
  herd-sh --dry-run --reason
  herd-sh --metric val_loss --direction min --min-steps 10 --budget 80 -n
  herd-sh -n | jq -c 'select(.index == 7)'
  herd-sh --watch 60 &       # hands-off: prune and resume as the trials log

Exit status: 0 ok, 1 a workspace file is corrupt or SLURM failed, 2 usage or config
error (also: successive halving not configured, invalid parameters).
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    reason: bool,
    req: Request,
    watch: cli::Watch,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [&mut Standard(USAGE), &mut args.output, &mut args.watch]
        );
        let r = &mut args.req;
        match arg {
            Short('n') | Long("dry-run") => r.dry_run = true,
            Short('r') | Long("reason") => args.reason = true,
            Long("metric") => r.metric = Some(p.value()?.string()?),
            Long("direction") => r.maximize = Some(either(&mut p, "--direction", "min", "max")?),
            Long("min-steps") => r.min_steps = Some(p.value()?.parse()?),
            Long("budget") => r.budget = Some(p.value()?.parse()?),
            Long("eta") => r.eta = Some(p.value()?.parse()?),
            Long("mode") => r.asha = Some(either(&mut p, "--mode", "sync", "asha")?),
            Short('j') | Long("max-concurrent") => {
                let n: u64 = p.value()?.parse()?;
                if n == 0 {
                    return Err(Error::usage("--max-concurrent must be at least 1"));
                }
                r.max_concurrent = Some(n);
            }
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(args)
}

/// The value of a flag that is one of two words: false for `no`, true for `yes`.
fn either(p: &mut lexopt::Parser, flag: &str, no: &str, yes: &str) -> Result<bool, Error> {
    use lexopt::ValueExt;
    match p.value()?.string()? {
        w if w == no => Ok(false),
        w if w == yes => Ok(true),
        other => Err(Error::usage(format!(
            "{flag} '{other}': expected {no} or {yes}"
        ))),
    }
}

/// Entry point of `herd-sh`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    // A resumed local trial's runner is this program re-executed.
    if crate::local::runner_call(&argv)? {
        return Ok(ExitCode::SUCCESS);
    }
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    if args.watch.every.is_some() {
        return watch(&args, cfg);
    }
    let outcome = halving::halve(cfg, args.req.clone())?;
    if let Some(why) = &outcome.stale {
        cli::note(&format!("statuses may be stale: {why}"));
    }
    // A metric name nobody logs (a typo?) leaves every trial "not yet at rung 0".
    let live = |d: &&Decision| {
        !matches!(
            d.status,
            Status::Ready | Status::Pruned | Status::Failed | Status::Cancelled
        )
    };
    let mut pool = outcome.plan.decisions.iter().filter(live).peekable();
    if pool.peek().is_some() && pool.all(|d| d.max_step.is_none()) {
        cli::note(&format!(
            "no trial has logged '{m}' yet (results/<i>/stream/{m}.jsonl)",
            m = outcome.params.metric
        ));
    }
    print(&args, &outcome, false)?;
    Ok(ExitCode::SUCCESS)
}

/// Print an outcome: every decision (or, `acting_only`, those with an action) as
/// NDJSON, or the human block (with `--reason`, the explanations).
fn print(args: &Args, outcome: &Outcome, acting_only: bool) -> Result<(), Error> {
    let mut out = cli::stdout();
    match args.output.output() {
        Output::Json => {
            let jobs: BTreeMap<u64, &str> = outcome
                .applied
                .submitted
                .iter()
                .filter(|(_, j)| !j.is_empty())
                .map(|(i, j)| (*i, j.as_str()))
                .collect();
            for d in &outcome.plan.decisions {
                if acting_only && d.action == Action::None {
                    continue;
                }
                serde_json::to_writer(&mut out, &Record::of(d, jobs.get(&d.index).copied()))
                    .map_err(|e| Error::json("writing a decision", e))?;
                out.write_all(b"\n")?;
            }
        }
        Output::Table => {
            out.write_all(human(outcome).as_bytes())?;
            if args.reason {
                out.write_all(reasons(&outcome.plan).as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// `--watch`: decide and act every interval until no trial runs, waits to run or is
/// paused; print what each round did (nothing for a round without actions). A round
/// that cannot ask SLURM is said on stderr and tried again at the next tick.
fn watch(args: &Args, cfg: config::Config) -> Result<ExitCode, Error> {
    let mut secs = None;
    loop {
        match halving::halve(cfg.clone(), args.req.clone()) {
            Ok(outcome) => {
                if let Some(why) = &outcome.stale {
                    cli::note(&format!("statuses may be stale: {why}"));
                }
                let acted = outcome
                    .plan
                    .decisions
                    .iter()
                    .any(|d| d.action != Action::None);
                if acted {
                    print(args, &outcome, true)?;
                }
                if !outcome.busy {
                    cli::note("no trial is running, waiting to run or paused: done");
                    return Ok(ExitCode::SUCCESS);
                }
                secs = args.watch.interval(outcome.local_only)?;
            }
            // A usage or config error will not go away; anything else may.
            Err(e) if e.exit_code() == 2 => return Err(e),
            Err(e) => cli::warn(&e, ""),
        }
        std::thread::sleep(std::time::Duration::from_secs(
            secs.unwrap_or(cli::MIN_WATCH),
        ));
    }
}

/// One decision as an NDJSON record.
#[derive(Serialize)]
struct Record<'a> {
    index: u64,
    status: &'a str,
    max_step: Option<i64>,
    action: &'static str,
    verdict: &'static str,
    rung: Option<usize>,
    step: Option<u64>,
    value: Option<&'a Value>,
    cohort_size: Option<u64>,
    keep: Option<u64>,
    ahead: Option<u64>,
    unreached: Option<u64>,
    reason: &'a str,
    explanation: &'a str,
    label: &'static str,
    slurm_job_id: Option<&'a str>,
}

impl<'a> Record<'a> {
    fn of(d: &'a Decision, job: Option<&'a str>) -> Record<'a> {
        let s = d.standing.as_ref();
        Record {
            index: d.index,
            status: d.status.as_str(),
            max_step: d.max_step,
            action: d.action.as_str(),
            verdict: d.verdict.as_str(),
            rung: d.rung,
            step: s.map(|s| s.step),
            value: s.map(|s| &s.value),
            cohort_size: s.map(|s| s.cohort_size),
            keep: s.map(|s| s.keep),
            ahead: s.map(|s| s.ahead),
            unreached: s.map(|s| s.unreached),
            reason: &d.reason,
            explanation: &d.explanation,
            label: d.label,
            slurm_job_id: job,
        }
    }
}

/// The human block of §12.8: a header, one line per action, the summary.
fn human(o: &Outcome) -> String {
    let mut acting: Vec<&Decision> = o
        .plan
        .decisions
        .iter()
        .filter(|d| d.action != Action::None)
        .collect();
    if acting.is_empty() {
        return "Successive halving: no trials need action right now.\n".to_string();
    }
    acting.sort_by_key(|d| d.index);
    let mut s = format!(
        "Successive halving {}\u{2014} {} action(s):\n",
        if o.dry_run { "(dry run) " } else { "" },
        acting.len()
    );
    for d in acting {
        let word = d.action.as_str().to_uppercase();
        s.push_str(&format!("  #{:<4} {word:<7} {}\n", d.index, d.reason));
    }
    let a = &o.applied;
    let parts: Vec<String> = [
        (a.submitted.len(), "submitted"),
        (a.pruned.len(), "pruned"),
        (a.paused.len(), "paused"),
        (a.waiting.len(), "waiting"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    if !parts.is_empty() {
        let verb = if o.dry_run { "Would" } else { "Did" };
        s.push_str(&format!("{verb}: {}.\n", parts.join(", ")));
    }
    let (here, slurm): (Vec<&String>, Vec<&String>) =
        a.job_ids.iter().partition(|j| crate::local::is_local(j));
    if !slurm.is_empty() {
        let ids: Vec<&str> = slurm.iter().map(|j| j.as_str()).collect();
        s.push_str(&format!("SLURM job array: {}\n", ids.join(", ")));
    }
    if !here.is_empty() {
        let ids: Vec<&str> = here.iter().map(|j| j.as_str()).collect();
        s.push_str(&format!("Local job: {}\n", ids.join(", ")));
    }
    s
}

/// The `--reason` block of §12.8.
fn reasons(plan: &Plan) -> String {
    let shown = |d: &&Decision| {
        matches!(
            d.status,
            Status::Running
                | Status::Paused
                | Status::Submitted
                | Status::Queued
                | Status::Completed
        )
    };
    let mut with: Vec<&Decision> = plan
        .decisions
        .iter()
        .filter(shown)
        .filter(|d| d.standing.is_some())
        .collect();
    let mut without: Vec<&Decision> = plan
        .decisions
        .iter()
        .filter(shown)
        .filter(|d| d.standing.is_none())
        .collect();
    if with.is_empty() && without.is_empty() {
        return "\nWhy: no trials are in the successive-halving cohort yet.\n".to_string();
    }
    with.sort_by_key(|d| d.index);
    without.sort_by_key(|d| d.index);
    let mut s = String::from("\nWhy:\n");
    for d in with {
        if let Some(st) = &d.standing {
            s.push_str(&format!(
                "  #{:<4} {:<13} rung {} (step {}), value {}\n        {}\n",
                d.index,
                d.label,
                st.rung,
                st.step,
                value_text(&st.value),
                d.explanation
            ));
        }
    }
    for d in without {
        let why = match (plan.rungs.first(), d.max_step) {
            (None, _) => d.reason.clone(),
            (Some(r0), Some(m)) => format!("at step {m}, not yet at rung 0 (step {r0})"),
            (Some(r0), None) => format!("no metric logged yet, not yet at rung 0 (step {r0})"),
        };
        s.push_str(&format!("  #{:<4} {:<13} {why}\n", d.index, d.label));
    }
    s
}
