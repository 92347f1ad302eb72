//! The cooperative-stop backstop (reference §7.6): a pruned or paused trial stops
//! itself at its next `herd-log --step`; one whose job is still running
//! `prune_grace_seconds` after its signal was written is cancelled, once.
//!
//! Runs after a sync, under the workspace lock, in every session that may change
//! things. Never in a dry run (the reference's `herd sh --dry-run` cancels, B32).

use crate::cli;
use crate::error::Error;
use crate::local;
use crate::model::record::Status;
use crate::ops::sync::{job_may_run, latest_jobs};
use crate::slurm;
use crate::store::cache::{write_cache, Detail};
use crate::store::job_ids::JobRecord;
use crate::store::manifest::ManifestRecord;
use crate::store::results::TrialResults;
use crate::store::workspace::Workspace;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// One trial the backstop cancelled.
#[derive(Clone, Debug, PartialEq)]
pub struct Escalated {
    /// The trial.
    pub index: u64,
    /// `JOB_TASK` of the cancelled job.
    pub job: String,
    /// How long the signal had been there, in seconds.
    pub age: u64,
}

/// A signal file's age in seconds (now − mtime, at least 0), if it exists.
fn signal_age(path: &std::path::Path, now: SystemTime) -> Option<u64> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let mtime = meta.modified().ok()?;
    Some(now.duration_since(mtime).map_or(0, |d| d.as_secs()))
}

/// Cancel the job of every pruned or paused trial that has ignored its signal for
/// `grace` seconds or more (0 turns the backstop off), write its escalation marker,
/// say so on stderr, and note the reason in the details cache.
pub fn backstop(
    ws: &Workspace,
    manifest: &[ManifestRecord],
    jobs: &[JobRecord],
    details: &mut BTreeMap<u64, Detail>,
    grace: u64,
) -> Result<Vec<Escalated>, Error> {
    // Only pruned or paused trials are the backstop's (none, in most syncs).
    let halved = |r: &ManifestRecord| matches!(r.status, Status::Pruned | Status::Paused);
    if grace == 0 || !manifest.iter().any(halved) {
        return Ok(Vec::new());
    }
    let latest = latest_jobs(jobs);
    let now = SystemTime::now();
    // (index, job, task, JOB_TASK, age, status word)
    let mut overdue: Vec<(u64, &str, u64, String, u64, &'static str)> = Vec::new();
    for r in manifest {
        let word = match r.status {
            Status::Pruned => "pruned",
            Status::Paused => "paused",
            _ => continue,
        };
        let Some(&(job, task)) = latest.get(&r.index) else {
            continue;
        };
        let job_task = format!("{job}_{task}");
        // Only a job the last sync saw queued or running; an unknown one is left to
        // the next sync (cancelling on a guess could hit a job that already ended).
        let seen = details.get(&r.index).is_some_and(|d| d.job == job_task);
        if !seen || !job_may_run(details, r.index, &job_task) {
            continue;
        }
        let trial = TrialResults::new(ws, r.index);
        if std::fs::symlink_metadata(trial.escalated_path()).is_ok() {
            continue;
        }
        let Some(age) = signal_age(&trial.signal_path(), now) else {
            continue;
        };
        if age >= grace {
            overdue.push((r.index, job, task, job_task, age, word));
        }
    }
    if overdue.is_empty() {
        return Ok(Vec::new());
    }
    // SLURM's in one scancel call; local ones through their runners, a call per job.
    let ids: Vec<&str> = overdue
        .iter()
        .filter(|o| !local::is_local(o.1))
        .map(|o| o.3.as_str())
        .collect();
    if !ids.is_empty() {
        slurm::scancel(&ids)?;
    }
    let mut local_tasks: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for &(_, job, task, ..) in overdue.iter().filter(|o| local::is_local(o.1)) {
        local_tasks.entry(job).or_default().push(task);
    }
    for (job, tasks) in &local_tasks {
        local::cancel(ws, job, tasks)?;
    }
    let mut out = Vec::with_capacity(overdue.len());
    for (index, _, _, job, age, word) in overdue {
        // The marker is what stops a second cancellation; its write failing is said.
        let marker = TrialResults::new(ws, index).escalated_path();
        if let Err(e) = crate::store::fs::write_atomic(&marker, b"1") {
            cli::warning(&format!(
                "trial #{index}: could not write its escalation marker: {e}"
            ));
        }
        let kind = if local::is_local(&job) {
            "local"
        } else {
            "SLURM"
        };
        cli::note(&format!(
            "trial #{index} ignored its {word} signal for {age}s (grace {grace}s) \u{2014} force-cancelled {kind} job {job}."
        ));
        if let Some(d) = details.get_mut(&index) {
            d.obs.reason = Some(format!(
                "ignored its {word} signal for {age}s (grace {grace}s); cancelled by herd"
            ));
        }
        out.push(Escalated { index, job, age });
    }
    write_cache(ws, details)?;
    Ok(out)
}
