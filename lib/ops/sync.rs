//! Status sync: what SLURM says about each trial's latest submission → herd statuses.
//!
//! One `sacct` call per sync, batched over the job ids that can still change, with an
//! explicit time window; at most one `squeue` call for live detail; one `scontrol`
//! call only when accounting is off. A failed or timed-out call changes nothing (B3):
//! the caller gets the previous statuses and the reason they are stale. Without
//! accounting, finished trials are read from the exit records the job script writes
//! (`.hyperherd/exit/<index>`). Every SLURM state has a documented mapping (B27).

use crate::error::Error;
use crate::local;
use crate::model::record::Status;
use crate::slurm::acct::{self, Observations};
use crate::store::cache::write_cache;
use crate::store::exits::exit_record;
use crate::store::job_ids::JobRecord;
use crate::store::manifest::ManifestRecord;
use crate::store::workspace::Workspace;
use crate::text::fxhash::FxHashMap;
use std::collections::BTreeMap;

use crate::model::record::Observation;
use crate::slurm::acct::map_state;
use crate::store::cache::{read_cache, Detail};

/// Where each trial's latest submission lives: index → (job id, task id).
pub(crate) fn latest_jobs(jobs: &[JobRecord]) -> Latest<'_> {
    let mut latest = Latest::default();
    latest.reserve(jobs.iter().map(|j| j.indices.len()).max().unwrap_or(0));
    for j in jobs {
        for &i in &j.indices {
            latest.insert(
                i,
                (j.slurm_job_id.as_str(), i.saturating_sub(j.task_offset)),
            );
        }
    }
    latest
}

/// Fill `rec`'s SLURM fields: the job id of the trial's latest submission, and the
/// details of the last sync only if they are about that submission (a
/// just-resubmitted trial has none yet). Reads nothing: herd-status and herd-res
/// pass what they have.
pub(crate) fn apply_detail(
    rec: &mut crate::model::record::TrialRecord,
    details: &BTreeMap<u64, Detail>,
    latest: &Latest<'_>,
) {
    rec.slurm_job_id = latest.get(&rec.index).map(|(j, t)| format!("{j}_{t}"));
    if let Some(d) = details
        .get(&rec.index)
        .filter(|d| Some(&d.job) == rec.slurm_job_id.as_ref())
    {
        rec.slurm_state = (!d.obs.state.is_empty()).then(|| d.obs.state.clone());
        rec.reason = d.obs.reason.clone();
        rec.exit_code = d.obs.exit_code;
        rec.elapsed_seconds = d.obs.elapsed_seconds;
        rec.max_rss_bytes = d.obs.max_rss_bytes;
        rec.req_mem_bytes = d.obs.req_mem_bytes;
    }
}

/// Trial index → (job id, task id) of its latest submission.
pub(crate) type Latest<'a> = FxHashMap<u64, (&'a str, u64)>;

/// The result of a sync: details per index, and whether the statuses are stale.
#[derive(Debug, Default)]
pub struct Synced {
    /// Latest known details per trial index.
    pub details: BTreeMap<u64, Detail>,
    /// When SLURM could not be asked: why (statuses were left unchanged).
    pub stale: Option<String>,
}

/// True for statuses a sync may change.
fn may_change(s: &Status) -> bool {
    matches!(
        s,
        Status::Submitted | Status::Queued | Status::Running | Status::Other(_)
    )
}

/// True for the statuses successive halving sets: sticky (a sync never changes
/// them), but their last job may still be running until the trial sees its signal.
fn halved(s: &Status) -> bool {
    matches!(s, Status::Paused | Status::Pruned)
}

/// True when the detail of `job_task` in `details` says its job may still run:
/// no detail about that job yet, or a state that maps to a live status.
pub(crate) fn job_may_run(details: &BTreeMap<u64, Detail>, index: u64, job_task: &str) -> bool {
    match details.get(&index).filter(|d| d.job == job_task) {
        None => true,
        Some(d) => map_state(&d.obs.state).is_none_or(|s| s.is_live()),
    }
}

/// The paused or pruned trials whose latest job may still be running (its detail
/// says live, or nothing is known of it yet): such a trial must not get a second job.
pub(crate) fn still_running(
    manifest: &[ManifestRecord],
    jobs: &[JobRecord],
    details: &BTreeMap<u64, Detail>,
) -> std::collections::BTreeSet<u64> {
    if !manifest.iter().any(|r| halved(&r.status)) {
        return Default::default();
    }
    let latest = latest_jobs(jobs);
    manifest
        .iter()
        .filter(|r| halved(&r.status))
        .filter(|r| {
            latest
                .get(&r.index)
                .is_some_and(|(j, t)| job_may_run(details, r.index, &format!("{j}_{t}")))
        })
        .map(|r| r.index)
        .collect()
}

/// Sync every trial's status (call under the workspace lock; writes the manifest).
pub fn sync(
    ws: &Workspace,
    manifest: &mut [ManifestRecord],
    jobs: &[JobRecord],
    cpus: u64,
) -> Result<Synced, Error> {
    let latest = latest_jobs(jobs);
    let mut cache = read_cache(ws);
    // Trials whose status may change, and paused or pruned ones whose last job may
    // still run (their status stays; their detail tells whether the job ended).
    let asked = |r: &ManifestRecord| {
        latest.get(&r.index).is_some_and(|(j, t)| {
            may_change(&r.status)
                || (halved(&r.status) && job_may_run(&cache, r.index, &format!("{j}_{t}")))
        })
    };
    let open: Vec<u64> = manifest
        .iter()
        .filter(|r| asked(r))
        .map(|r| r.index)
        .collect();
    if open.is_empty() {
        return Ok(Synced {
            details: cache,
            stale: None,
        });
    }
    let mut ids: Vec<&str> = open
        .iter()
        .map(|i| latest[i].0)
        .filter(|j| !local::is_local(j))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let (sacct, squeue, scontrol) = if ids.is_empty() {
        // Only local jobs: SLURM is not asked (it need not exist here).
        (None, Observations::default(), Observations::default())
    } else {
        match acct::query(&ids.join(","), cpus) {
            Ok(o) => o,
            Err(why) => {
                return Ok(Synced {
                    details: cache,
                    stale: Some(why),
                })
            }
        }
    };
    // Local jobs: their runners' events (one read per job).
    let mut local_obs: BTreeMap<&str, BTreeMap<u64, Observation>> = BTreeMap::new();
    for i in &open {
        let job = latest[i].0;
        if local::is_local(job) && !local_obs.contains_key(job) {
            let recorded: Vec<u64> = jobs
                .iter()
                .filter(|j| j.slurm_job_id == job)
                .flat_map(|j| j.indices.iter().copied())
                .collect();
            local_obs.insert(job, local::observe(ws, job, &recorded));
        }
    }

    let mut changed = 0;
    let open: std::collections::BTreeSet<u64> = open.into_iter().collect();
    for r in manifest.iter_mut().filter(|r| open.contains(&r.index)) {
        let (job, task) = &latest[&r.index];
        let job_task = format!("{job}_{task}");
        let obs = if local::is_local(job) {
            match local_obs.get_mut(job).and_then(|m| m.remove(task)) {
                Some(o) => o,
                None => continue,
            }
        } else {
            let key = (job.parse::<u64>().unwrap_or(u64::MAX), *task);
            let waiting = matches!(r.status, Status::Submitted | Status::Queued);
            match slurm_observation(
                &sacct, &squeue, &scontrol, ws, r.index, key, &job_task, waiting,
            ) {
                Some(o) => o,
                None => continue,
            }
        };
        if let Some(new) = map_state(&obs.state).filter(|_| !halved(&r.status)) {
            if new != r.status {
                r.status = new;
                changed += 1;
            }
        }
        cache.insert(r.index, Detail { job: job_task, obs });
    }
    if changed > 0 {
        ws.write_manifest(manifest)?;
    }
    write_cache(ws, &cache)?;
    Ok(Synced {
        details: cache,
        stale: None,
    })
}

/// What SLURM says about trial `index`, task `key` (`job_task` as text); None while
/// accounting lags a fresh submission (the status stays as it is). `waiting`: the
/// trial was submitted or queued before this sync.
#[allow(clippy::too_many_arguments)]
fn slurm_observation(
    sacct: &Option<Observations>,
    squeue: &Observations,
    scontrol: &Observations,
    ws: &Workspace,
    index: u64,
    key: (u64, u64),
    job_task: &str,
    waiting: bool,
) -> Option<Observation> {
    let from_acct = sacct.as_ref().and_then(|s| s.get(&key)).cloned();
    // A task that left the controller's queue while accounting still has it pending (or
    // has no row for it) was taken out of the queue before it started: a pending task
    // cancelled out of its array never gets an accounting row of its own, and the
    // array's row keeps saying PENDING. Only a task that never ran is read this way:
    // one that ran has an exit record from its job script.
    let left_pending = || {
        exit_record(ws, index, job_task).unwrap_or_else(|| Observation {
            state: "CANCELLED".into(),
            reason: Some("left the queue before it started (cancelled while pending)".into()),
            ..Observation::default()
        })
    };
    // squeue is the controller's live view (the database lags): it wins while the
    // task is queued or running; accounting has the final word and the numbers.
    Some(match (squeue.get(&key), from_acct) {
        (Some(live), Some(mut acct)) => {
            acct.state = live.state.clone();
            acct.reason = live.reason.clone().or(acct.reason);
            acct
        }
        (Some(live), None) => live.clone(),
        (None, Some(acct)) if waiting && acct.state == "PENDING" => Observation {
            req_mem_bytes: acct.req_mem_bytes,
            ..left_pending()
        },
        (None, Some(acct)) => acct,
        (None, None) => match scontrol
            .get(&key)
            .cloned()
            .or_else(|| exit_record(ws, index, job_task))
        {
            Some(o) => o,
            None if sacct.is_some() && waiting => left_pending(),
            None if sacct.is_some() => return None, // accounting lags a fresh submission
            None => Observation {
                state: "LOST".into(),
                reason: Some("left SLURM without an exit record".into()),
                ..Observation::default()
            },
        },
    })
}

/// Of the trials `tasks` (index, latest job, task), those SLURM has queued again,
/// with the live status squeue gives them. A task requeued after a preemption, a node
/// failure or `scontrol requeue` keeps its job id and can read as failed or cancelled
/// for a moment while the accounting database catches up; such a trial must never get
/// a second job. One squeue call, only when some task is on SLURM; Err(why) when
/// squeue cannot be asked (then nobody can tell, and the caller submits nothing).
pub(crate) fn queued_again(tasks: &[(u64, &str, u64)]) -> Result<BTreeMap<u64, Status>, String> {
    let mut ids: Vec<&str> = tasks
        .iter()
        .map(|(_, job, _)| *job)
        .filter(|job| !local::is_local(job))
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    let live = acct::live(&ids.join(","))?;
    Ok(tasks
        .iter()
        .filter_map(|(index, job, task)| {
            let seen = job
                .parse::<u64>()
                .ok()
                .and_then(|j| live.get(&(j, *task)))?;
            Some((*index, map_state(&seen.state).unwrap_or(Status::Queued)))
        })
        .collect())
}

/// Set the statuses `again` found (see [`queued_again`]); true when one changed.
pub(crate) fn mark_queued_again(
    manifest: &mut [ManifestRecord],
    again: &BTreeMap<u64, Status>,
) -> bool {
    let mut changed = false;
    for r in manifest.iter_mut() {
        if let Some(s) = again.get(&r.index) {
            changed |= r.status != *s;
            r.status = s.clone();
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slurm::acct::{parse_sacct, parse_squeue};

    #[test]
    fn a_waiting_task_gone_from_squeue_with_accounting_still_pending_was_cancelled() {
        let root = std::env::temp_dir().join(format!("herd-leftq-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let ws = Workspace::new(&root);
        std::fs::create_dir_all(ws.dir().join("exit")).unwrap();
        let sacct = Some(parse_sacct("5_[0-2]|PENDING|0:0|00:00:00||100M\n", 1));
        let squeue = parse_squeue("5_0|PD|BeginTime\n");
        let none = Observations::default();
        let obs = |t: u64, waiting: bool| {
            slurm_observation(
                &sacct,
                &squeue,
                &none,
                &ws,
                t,
                (5, t),
                &format!("5_{t}"),
                waiting,
            )
        };
        assert_eq!(obs(0, true).unwrap().state, "PENDING", "still in the queue");
        let gone = obs(1, true).unwrap();
        assert_eq!(gone.state, "CANCELLED");
        assert!(gone.reason.unwrap().contains("cancelled while pending"));
        assert_eq!(
            obs(1, false).unwrap().state,
            "PENDING",
            "only a trial that was waiting"
        );
        // One that ran and ended before accounting saw it: its exit record says how.
        std::fs::write(ws.dir().join("exit").join("2"), "5_2 0\n").unwrap();
        assert_eq!(obs(2, true).unwrap().state, "COMPLETED");
        // No accounting row at all: the same reading.
        let sacct = Some(Observations::default());
        let o = slurm_observation(&sacct, &squeue, &none, &ws, 1, (5, 1), "5_1", true);
        assert_eq!(o.unwrap().state, "CANCELLED");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_paused_or_pruned_trial_may_still_run_until_its_jobs_end_is_seen() {
        let rec = |index: u64, status: Status| ManifestRecord {
            index,
            hash: String::new(),
            params: Default::default(),
            extras: Default::default(),
            experiment_name: None,
            status,
        };
        let manifest = vec![
            rec(0, Status::Paused),
            rec(1, Status::Pruned),
            rec(2, Status::Paused),
            rec(3, Status::Running),
            rec(4, Status::Paused),
        ];
        let jobs = vec![JobRecord {
            slurm_job_id: "7".into(),
            indices: vec![0, 1, 2, 3],
            task_offset: 0,
            retry: None,
        }];
        let detail = |job: &str, state: &str| Detail {
            job: job.into(),
            obs: Observation {
                state: state.into(),
                ..Observation::default()
            },
        };
        let mut details = BTreeMap::new();
        details.insert(0, detail("7_0", "RUNNING"));
        details.insert(1, detail("7_1", "COMPLETED"));
        // 2: the detail is about an older job: nothing is known of 7_2 yet.
        details.insert(2, detail("6_2", "COMPLETED"));
        let running = still_running(&manifest, &jobs, &details);
        // 3 is live by its status (not this set's business); 4 never had a job.
        assert_eq!(running.into_iter().collect::<Vec<_>>(), [0, 2]);
        assert!(!job_may_run(&details, 1, "7_1"));
        assert!(job_may_run(&details, 0, "7_0"));
        assert!(job_may_run(&details, 9, "7_9"));
    }

    #[test]
    fn latest_submission_wins_with_offsets() {
        let jobs = vec![
            JobRecord {
                slurm_job_id: "1001".into(),
                indices: vec![0, 1, 2],
                task_offset: 0,
                retry: None,
            },
            JobRecord {
                slurm_job_id: "1003".into(),
                indices: vec![2, 3],
                task_offset: 0,
                retry: None,
            },
            JobRecord {
                slurm_job_id: "1005".into(),
                indices: vec![20, 21],
                task_offset: 20,
                retry: None,
            },
        ];
        let l = latest_jobs(&jobs);
        assert_eq!(l[&2], ("1003", 2));
        assert_eq!(l[&0], ("1001", 0));
        assert_eq!(l[&21], ("1005", 1));
    }
}
