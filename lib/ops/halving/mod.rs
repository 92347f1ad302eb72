//! Successive halving as an operation (`herd-sh`): resolve the parameters (the
//! config's `successive_halving` block, overridden flag by flag), open the workspace,
//! read each trial's curve of the metric, decide (`model::halving`), and either say
//! what would happen (a dry run) or apply the plan ([`apply`]).

mod apply;

use crate::config::{Config, Halving};
use crate::error::Error;
use crate::model::halving::{decide, rungs, Action, Params, Plan, TrialInput};
use crate::ops::session::{Mode, Session};
use crate::ops::sync::still_running;
use crate::store::curves::{Curve, CurveReader};
use crate::store::manifest::ManifestRecord;
use crate::store::results::check_stream_name;
use crate::store::workspace::Workspace;

/// What `herd-sh` was asked: every parameter may override the config's block.
#[derive(Debug, Default, Clone)]
pub struct Request {
    /// `--metric`.
    pub metric: Option<String>,
    /// `--direction` (true: max).
    pub maximize: Option<bool>,
    /// `--min-steps`.
    pub min_steps: Option<u64>,
    /// `--budget`.
    pub budget: Option<u64>,
    /// `--eta`.
    pub eta: Option<u64>,
    /// `--mode` (true: asha).
    pub asha: Option<bool>,
    /// `-j/--max-concurrent`: the throttle of a resubmission.
    pub max_concurrent: Option<u64>,
    /// `-n/--dry-run`: decide only.
    pub dry_run: bool,
}

/// What was done (or, in a dry run, would be): indices sorted.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    /// Resumed trials and their `JOB_TASK` (empty in a dry run).
    pub submitted: Vec<(u64, String)>,
    /// The SLURM job ids of the resubmission.
    pub job_ids: Vec<String>,
    /// Pruned trials.
    pub pruned: Vec<u64>,
    /// Paused trials.
    pub paused: Vec<u64>,
    /// Trials to resume once their old job has ended (B31).
    pub waiting: Vec<u64>,
}

/// The result of one `herd-sh` call.
#[derive(Debug)]
pub struct Outcome {
    /// The parameters used.
    pub params: Params,
    /// The decisions.
    pub plan: Plan,
    /// True when nothing was changed on purpose.
    pub dry_run: bool,
    /// What was (or would be) done.
    pub applied: Applied,
    /// Why the statuses could not be synced, if they could not.
    pub stale: Option<String>,
    /// Every job of the sweep is local (no controller is asked).
    pub local_only: bool,
    /// Some trial still runs, waits to run or is paused: the sweep is not over.
    pub busy: bool,
}

/// Decide (and unless a dry run, apply) successive halving for the sweep of `cfg`.
pub fn halve(cfg: Config, req: Request) -> Result<Outcome, Error> {
    let params = resolve(cfg.successive_halving.as_ref(), &req)?;
    // A dry run syncs but never cancels (B32); applying refuses stale statuses.
    let mode = if req.dry_run {
        Mode::Look
    } else {
        Mode::Change
    };
    let mut session = Session::open(cfg, mode)?;
    if let (Some(why), false) = (&session.stale, req.dry_run) {
        return Err(
            Error::failed(format!("cannot tell which trials are live: {why}"))
                .hint("nothing was pruned, paused or resumed; try again when SLURM answers (or look with --dry-run)"),
        );
    }
    let local_only = session
        .jobs
        .iter()
        .all(|j| crate::local::is_local(&j.slurm_job_id));
    let stale = session.stale.clone();
    let (plan, applied, busy) = if req.dry_run {
        let (plan, busy) = decide_in(&session, &params)?;
        let applied = would(&plan);
        (plan, applied, busy)
    } else {
        halve_in(&mut session, &params, req.max_concurrent)?
    };
    Ok(Outcome {
        params,
        plan,
        dry_run: req.dry_run,
        applied,
        stale,
        local_only,
        busy,
    })
}

/// Decide in an open session: the plan, and whether some trial still runs, waits to
/// run or is paused.
fn decide_in(session: &Session, params: &Params) -> Result<(Plan, bool), Error> {
    let going = still_running(&session.manifest, &session.jobs, &session.details);
    let mut trials = inputs(&session.ws, &session.manifest, params)?;
    for t in &mut trials {
        t.old_job_live = going.contains(&t.index);
    }
    let busy = !going.is_empty()
        || trials
            .iter()
            .any(|t| t.status.is_live() || t.status == crate::model::record::Status::Paused);
    Ok((decide(params, &trials), busy))
}

/// Decide and apply in an open session (holding its lock, statuses fresh): the plan,
/// what was done, and whether the sweep is still busy. herd-sh and herd-watch's tick.
pub(crate) fn halve_in(
    session: &mut Session,
    params: &Params,
    max_concurrent: Option<u64>,
) -> Result<(Plan, Applied, bool), Error> {
    let (plan, busy) = decide_in(session, params)?;
    let applied = apply::apply(session, &plan, max_concurrent)?;
    Ok((plan, applied, busy))
}

/// The parameters: the block, overridden field by field by the flags (§12.1).
pub(crate) fn resolve(block: Option<&Halving>, req: &Request) -> Result<Params, Error> {
    let metric = req
        .metric
        .clone()
        .or_else(|| block.map(|b| b.metric.clone()));
    let maximize = req.maximize.or(block.map(|b| b.maximize));
    let min_steps = req.min_steps.or(block.map(|b| b.min_steps));
    let budget = req.budget.or(block.map(|b| b.budget));
    let missing: Vec<&str> = [
        ("--metric", metric.is_none()),
        ("--direction", maximize.is_none()),
        ("--min-steps", min_steps.is_none()),
        ("--budget", budget.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(f, _)| *f)
    .collect();
    let (Some(metric), Some(maximize), Some(min_steps), Some(budget)) =
        (metric, maximize, min_steps, budget)
    else {
        return Err(
            Error::invalid("successive halving is not configured").hint(format!(
                "add a `successive_halving:` section to hyperherd.yaml (metric, direction, \
                 min_steps, budget) or pass the missing flag(s): {}",
                missing.join(", ")
            )),
        );
    };
    let params = Params {
        metric,
        maximize,
        min_steps,
        budget,
        eta: req.eta.or(block.map(|b| b.eta)).unwrap_or(2),
        asha: req.asha.or(block.map(|b| b.asha)).unwrap_or(false),
    };
    let mut report = Vec::new();
    if params.min_steps < 1 {
        report.push("min_steps must be at least 1".to_string());
    }
    if params.budget < 1 {
        report.push("budget must be at least 1".to_string());
    }
    if params.eta < 2 {
        report.push(format!("eta ({}) must be at least 2", params.eta));
    }
    if params.min_steps > params.budget {
        report.push(format!(
            "min_steps ({}) must be <= budget ({})",
            params.min_steps, params.budget
        ));
    }
    if !report.is_empty() {
        return Err(Error::invalid(format!(
            "invalid successive-halving parameters: {}",
            report.join("; ")
        ))
        .hint("fix the flags or the successive_halving: section of hyperherd.yaml"));
    }
    check_stream_name(&params.metric)?;
    Ok(params)
}

/// One input per manifest record, in manifest order; the streams are read on two
/// threads (the sweep's streams can be hundreds of megabytes).
fn inputs(
    ws: &Workspace,
    manifest: &[ManifestRecord],
    params: &Params,
) -> Result<Vec<TrialInput>, Error> {
    let rungs = rungs(params.min_steps, params.budget, params.eta);
    let read = |part: &[ManifestRecord]| -> Result<Vec<Curve>, Error> {
        let mut reader = CurveReader::default();
        part.iter()
            .map(|r| reader.read(ws, r.index, &params.metric, &rungs))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let curves: Vec<Curve> = if threads < 2 || manifest.len() < 64 {
        read(manifest)?
    } else {
        let (a, b) = manifest.split_at(manifest.len() / 2);
        let (ca, cb) = std::thread::scope(|s| {
            let other = s.spawn(|| read(b));
            let mine = read(a);
            (mine, other.join())
        });
        let cb = cb.map_err(|_| Error::failed("reading the metric streams failed"))?;
        let mut all = ca?;
        all.extend(cb?);
        all
    };
    Ok(manifest
        .iter()
        .zip(curves)
        .map(|(r, c)| TrialInput {
            index: r.index,
            status: r.status.clone(),
            max_step: c.max_step,
            rung_values: c.rung_values,
            old_job_live: false,
        })
        .collect())
}

/// What applying `plan` would do.
fn would(plan: &Plan) -> Applied {
    let mut a = Applied::default();
    for d in &plan.decisions {
        match d.action {
            Action::Submit => a.submitted.push((d.index, String::new())),
            Action::Prune => a.pruned.push(d.index),
            Action::Pause => a.paused.push(d.index),
            Action::Wait => a.waiting.push(d.index),
            Action::None => {}
        }
    }
    a.submitted.sort();
    a.pruned.sort_unstable();
    a.paused.sort_unstable();
    a.waiting.sort_unstable();
    a
}
