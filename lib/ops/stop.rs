//! Stop: cancel live trials (SLURM's in one `scancel` call, local ones through their
//! runners) and mark them cancelled, from statuses synced first so that a trial that
//! has already finished is never cancelled.

use crate::cli;
use crate::config::Config;
use crate::error::Error;
use crate::local;
use crate::model::record::{Status, TrialRecord, TrialRef};
use crate::ops::select::check_ref;
use crate::ops::session::{Mode, Session};
use crate::ops::supervise::watcher;
use crate::ops::sync::latest_jobs;
use crate::ops::view::{detailed_record, Logs};
use crate::slurm;
use crate::store::manifest::ByIndex;
use std::collections::{BTreeMap, BTreeSet};

/// Which trials to stop.
#[derive(Debug)]
pub enum Targets {
    /// These indices (`--indices`).
    Indices(BTreeSet<u64>),
    /// Every live trial (`--all`).
    All,
    /// The trials these stdin records name.
    Refs(Vec<TrialRef>),
}

/// The trials a stop cancelled: their records as now (cancelled), each with the
/// status it had before (`previous_status`). Empty when no chosen trial was live.
pub struct Stopped {
    /// The cancelled trials, in manifest order.
    pub records: Vec<TrialRecord>,
    /// `--all`: the watcher's queued job, if one was cancelled.
    pub watcher: Option<String>,
}

/// Cancel the live trials among `targets` in the workspace of `cfg`.
pub fn stop(cfg: Config, targets: Targets) -> Result<Stopped, Error> {
    // Everything: the watcher first, so that it submits nothing more (also when SLURM
    // cannot be asked now: the mark needs none).
    let watcher_job = match targets {
        Targets::All => {
            watcher::mark_stopped(&crate::store::workspace::Workspace::new(&cfg.workspace))?
        }
        _ => None,
    };
    let session = Session::open(cfg, Mode::Change)?;
    if let Some(why) = &session.stale {
        return Err(
            Error::failed(format!("cannot tell which trials are live: {why}"))
                .hint("nothing was cancelled; try again when SLURM answers"),
        );
    }
    let Session {
        cfg,
        ws,
        mut manifest,
        jobs,
        details,
        ..
    } = session;
    let by_index = ByIndex::new(&manifest);
    let wanted: Option<BTreeSet<u64>> = match targets {
        Targets::Refs(refs) => Some(
            refs.iter()
                .map(|r| check_ref(&cfg, &by_index, r).map(|m| m.index))
                .collect::<Result<_, Error>>()?,
        ),
        Targets::Indices(w) => Some(w),
        Targets::All => None,
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
    let watcher = match &watcher_job {
        Some(j) => watcher::cancel(j)?,
        None => None,
    };
    let latest = latest_jobs(&jobs);
    let chosen = |r: &&crate::store::manifest::ManifestRecord| {
        wanted.as_ref().is_none_or(|w| w.contains(&r.index))
    };
    let targets: Vec<(usize, String)> = manifest
        .iter()
        .enumerate()
        .filter(|(_, r)| chosen(r))
        .filter(|(_, r)| r.status.is_live())
        .filter_map(|(k, r)| latest.get(&r.index).map(|(j, t)| (k, format!("{j}_{t}"))))
        .collect();
    // Deferred trials have no job: they are cancelled here, so no wave submits them.
    let deferred: Vec<usize> = manifest
        .iter()
        .enumerate()
        .filter(|(_, r)| chosen(r) && r.status == Status::Deferred)
        .map(|(k, _)| k)
        .collect();
    let skipped = wanted
        .as_ref()
        .map_or(0, |w| w.len())
        .saturating_sub(targets.len() + deferred.len());
    if skipped > 0 && wanted.is_some() {
        cli::note(&format!(
            "{skipped} trial(s) are not live (finished or never submitted); left alone"
        ));
    }
    if targets.is_empty() && deferred.is_empty() {
        return Ok(Stopped {
            records: Vec::new(),
            watcher,
        });
    }
    // SLURM's trials in one scancel call; local ones through their runners.
    let ids: Vec<&str> = targets
        .iter()
        .map(|(_, j)| j.as_str())
        .filter(|j| !local::is_local(j))
        .collect();
    if !ids.is_empty() {
        slurm::scancel(&ids)?;
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
    // The live trials cancelled, and the deferred ones (no job), in manifest order.
    let mut changed: Vec<usize> = targets.iter().map(|(k, _)| *k).chain(deferred).collect();
    changed.sort_unstable();
    let mut previous = Vec::with_capacity(changed.len());
    for &k in &changed {
        previous.push(manifest[k].status.clone());
        manifest[k].status = Status::Cancelled;
    }
    ws.write_manifest(&manifest)?;
    let cancelled: Vec<u64> = changed.iter().map(|&k| manifest[k].index).collect();
    let details = crate::store::cache::note_cancelled(&ws, &cancelled, details)?;
    let logs = Logs::scan(&ws);
    let records = changed
        .iter()
        .zip(previous)
        .map(|(&k, prev)| {
            let mut rec = detailed_record(&cfg, &logs, manifest[k].clone(), &details, &latest);
            rec.previous_status = Some(prev);
            rec
        })
        .collect();
    Ok(Stopped { records, watcher })
}
