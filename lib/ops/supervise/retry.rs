//! A tick's retries: each failed trial's latest job, judged by the `retries:` rules
//! (`model::retry`), is resubmitted with the resources the rule gives, or given up on
//! once (event `failed_for_good`). Retries that share resources share one array (an
//! array has one `--mem` and `--time`); each is recorded in `job_ids.json` with its
//! resources and the state its previous attempt ended in.

use crate::error::Error;
use crate::local;
use crate::model::record::Status;
use crate::model::retry::{decide, Caps, Decision, Resources};
use crate::ops::attempts::History;
use crate::ops::session::Session;
use crate::ops::submit::{self, Launched};
use crate::ops::sync::{latest_jobs, mark_queued_again, queued_again};
use crate::store::job_ids::Retry;
use crate::store::watch::{Event, WatchState};
use std::collections::BTreeMap;

/// What the retries of one tick did.
#[derive(Debug, Default)]
pub(super) struct Retried {
    /// One event per trial retried or given up on.
    pub events: Vec<Event>,
    /// Trials submitted again.
    pub submitted: u64,
    /// Trials due a retry that the queue had no room for (next tick).
    pub left: usize,
    /// A submission failed: the groups after it were not submitted.
    pub error: Option<Error>,
}

/// One trial to retry.
struct Due {
    index: u64,
    after: String,
    attempt: u32,
    why: String,
}

/// The retries the rules ask for, grouped by (local, mem, time).
#[derive(Default)]
pub(super) struct Plan {
    groups: BTreeMap<(bool, String, String), Vec<Due>>,
}

impl Plan {
    /// True when some retry goes to SLURM (and needs room in the queue).
    pub(super) fn needs_room(&self) -> bool {
        self.groups.keys().any(|(local, _, _)| !local)
    }
}

/// The failed trials not given up on: each one's index and latest job and task.
fn undecided(session: &Session, state: &WatchState) -> Vec<(u64, String, u64)> {
    let latest = latest_jobs(&session.jobs);
    session
        .manifest
        .iter()
        .filter(|r| r.status == Status::Failed)
        .filter_map(|r| {
            let (job, task) = latest.get(&r.index)?;
            let given_up = state.gave_up.get(&r.index) == Some(&format!("{job}_{task}"));
            (!given_up).then(|| (r.index, job.to_string(), *task))
        })
        .collect()
}

/// Of `undecided`, the trials SLURM has not queued again (see
/// [`crate::ops::sync::queued_again`]): the sync follows a requeued task, never a
/// second job for it. If squeue cannot be asked, the tick fails (nothing is retried).
fn not_requeued(
    session: &mut Session,
    undecided: Vec<(u64, String, u64)>,
) -> Result<Vec<(u64, String, u64)>, Error> {
    let tasks: Vec<(u64, &str, u64)> = undecided
        .iter()
        .map(|(i, job, task)| (*i, job.as_str(), *task))
        .collect();
    let again = queued_again(&tasks).map_err(|why| {
        Error::failed(format!(
            "cannot tell whether failed trials were queued again: {why}"
        ))
    })?;
    if mark_queued_again(&mut session.manifest, &again) {
        session.ws.write_manifest(&session.manifest)?;
    }
    Ok(undecided
        .into_iter()
        .filter(|(i, _, _)| !again.contains_key(i))
        .collect())
}

/// Judge every failed trial by the rules: the retries due, and an event for each
/// trial given up on (recorded in `state`, so it is said once).
pub(super) fn plan(
    session: &mut Session,
    state: &mut WatchState,
) -> Result<(Plan, Vec<Event>), Error> {
    let undecided = undecided(session, state);
    let undecided = not_requeued(session, undecided)?;
    let mut events = Vec::new();
    let cfg = &session.cfg;
    let sweep = cfg.name.clone();
    let wsname = cfg.workspace.display().to_string();
    let mut groups: BTreeMap<(bool, String, String), Vec<Due>> = BTreeMap::new();
    // (index, its last job, the attempt that ended, why): given up on.
    let mut give_up: Vec<(u64, String, u32, String)> = Vec::new();
    {
        let history = History::new(&session.jobs);
        let mut caps: Option<Caps> = None;
        for (index, job, task) in undecided {
            let job_task = format!("{job}_{task}");
            let ended = session
                .details
                .get(&index)
                .filter(|d| d.job == job_task && !d.obs.state.is_empty())
                .map_or_else(|| "FAILED".to_string(), |d| d.obs.state.clone());
            let here = local::is_local(&job);
            let none = Caps::default();
            let caps = if here {
                &none
            } else {
                caps.get_or_insert_with(|| super::caps(cfg))
            };
            let attempt = history.retries_in_a_row(index) + 1;
            let (mem, time) = history.latest_resources(index, cfg);
            let current = Resources { mem, time };
            match decide(&cfg.retries, &ended, attempt, &current, caps) {
                Decision::Retry { resources, why, .. } => groups
                    .entry((here, resources.mem, resources.time))
                    .or_default()
                    .push(Due {
                        index,
                        after: ended,
                        attempt: attempt + 1,
                        why,
                    }),
                Decision::GiveUp { why } => give_up.push((index, job_task, attempt, why)),
                Decision::NotRetried => give_up.push((
                    index,
                    job_task,
                    attempt,
                    format!("{ended}: not retried (see retries: in hyperherd.yaml)"),
                )),
            }
        }
    }
    for (index, job_task, attempt, why) in give_up {
        let mut e = Event::now("failed_for_good", &sweep, &wsname, why);
        e.index = Some(index);
        e.slurm_job_id = Some(job_task.clone());
        e.attempt = Some(attempt);
        events.push(e);
        state.gave_up.insert(index, job_task);
    }
    Ok((Plan { groups }, events))
}

/// Submit the planned retries, within `free` places in the queue (None: no limit).
pub(super) fn retry(
    session: &mut Session,
    state: &mut WatchState,
    plan: Plan,
    free: Option<u64>,
) -> Retried {
    let mut out = Retried::default();
    let sweep = session.cfg.name.clone();
    let wsname = session.cfg.workspace.display().to_string();
    let mut room = free;
    // The room goes to the lowest indices first, whatever their resources.
    let mut groups: Vec<((bool, String, String), Vec<Due>)> = plan
        .groups
        .into_iter()
        .map(|(k, mut due)| {
            due.sort_by_key(|d| d.index);
            (k, due)
        })
        .collect();
    groups.sort_by_key(|(_, due)| due.first().map(|d| d.index));
    for ((here, mem, time), mut due) in groups {
        // Local retries take no room in SLURM's queue.
        if !here {
            if let Some(left) = room.as_mut() {
                let take = (*left as usize).min(due.len());
                out.left += due.len() - take;
                due.truncate(take);
                *left -= take as u64;
            }
        }
        if due.is_empty() {
            continue;
        }
        let selected: Vec<u64> = due.iter().map(|d| d.index).collect();
        let retry = Retry {
            mem: mem.clone(),
            time: time.clone(),
            after: due.iter().map(|d| d.after.clone()).collect(),
        };
        let launched = submit::relaunch(session, &selected, here, None, Some(&retry));
        let trials = match launched {
            Ok(Launched::Submitted { trials, .. }) => trials,
            Ok(Launched::DryRun { .. }) => continue,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        out.submitted += trials.len() as u64;
        for (d, (_, job_task)) in due.iter().zip(&trials) {
            let mut e = Event::now("retried", &sweep, &wsname, d.why.clone());
            e.index = Some(d.index);
            e.slurm_job_id = Some(job_task.clone());
            e.attempt = Some(d.attempt);
            e.mem = Some(mem.clone());
            e.time_limit = Some(time.clone());
            out.events.push(e);
            state.gave_up.remove(&d.index);
        }
    }
    out
}
