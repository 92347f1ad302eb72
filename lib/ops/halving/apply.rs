//! Applying a successive-halving plan (reference §12.1, §12.6): write the `prune`
//! signals, then the `pause` signals (each atomically), update the manifest once,
//! then resume the promoted paused trials as one submission per backend (chunked
//! like any submission). A paused trial is resumed only when its old job has ended
//! (the plan says `wait` otherwise, B31), so no index ever has two live jobs.

use crate::error::Error;
use crate::local;
use crate::model::halving::{Action, Plan};
use crate::model::record::Status;
use crate::ops::halving::Applied;
use crate::ops::session::Session;
use crate::ops::submit::{self, Launched};
use crate::ops::sync::latest_jobs;
use crate::store::results::{Signal, TrialResults};

/// Carry out `plan` in the session's workspace (under its lock).
pub(crate) fn apply(
    session: &mut Session,
    plan: &Plan,
    max_concurrent: Option<u64>,
) -> Result<Applied, Error> {
    let pick = |want: fn(&Action) -> bool| -> Vec<u64> {
        let mut v: Vec<u64> = plan
            .decisions
            .iter()
            .filter(|d| want(&d.action))
            .map(|d| d.index)
            .collect();
        v.sort_unstable();
        v
    };
    let pruned = pick(|a| matches!(a, Action::Prune));
    let paused = pick(|a| matches!(a, Action::Pause));
    let resume = pick(|a| matches!(a, Action::Submit));
    let waiting = pick(|a| matches!(a, Action::Wait));
    for (indices, signal) in [(&pruned, Signal::Prune), (&paused, Signal::Pause)] {
        for &i in indices {
            TrialResults::new(&session.ws, i).write_signal(signal)?;
        }
    }
    if !pruned.is_empty() || !paused.is_empty() {
        for r in session.manifest.iter_mut() {
            if pruned.binary_search(&r.index).is_ok() {
                r.status = Status::Pruned;
            } else if paused.binary_search(&r.index).is_ok() {
                r.status = Status::Paused;
            }
        }
        session.ws.write_manifest(&session.manifest)?;
    }
    let mut submitted = Vec::new();
    let mut job_ids = Vec::new();
    if !resume.is_empty() {
        // Each trial resumes where it ran before: here, or on SLURM.
        let (here, slurm): (Vec<u64>, Vec<u64>) = {
            let latest = latest_jobs(&session.jobs);
            resume
                .iter()
                .partition(|i| latest.get(i).is_some_and(|(j, _)| local::is_local(j)))
        };
        for (group, local) in [(slurm, false), (here, true)] {
            if group.is_empty() {
                continue;
            }
            if let Launched::Submitted {
                trials,
                job_ids: ids,
                ..
            } = submit::relaunch(session, &group, local, max_concurrent, None)?
            {
                submitted.extend(trials);
                job_ids.extend(ids);
            }
        }
    }
    Ok(Applied {
        submitted,
        job_ids,
        pruned,
        paused,
        waiting,
    })
}
