//! Which trials an operation acts on: the indices of `--indices`, or the trial
//! records on stdin (checked against the manifest), or every pending trial.

use crate::cli;
use crate::config::Config;
use crate::error::Error;
use crate::model::record::{Status, TrialRef};
use crate::store::manifest::{ByIndex, ManifestRecord};
use crate::store::script;
use std::collections::BTreeSet;

/// Which named trials that have completed (or were pruned or paused) may run again.
#[derive(Clone, Copy, Debug)]
pub struct Rerun {
    /// Those named by `--indices` (`--rerun`, `--force`).
    pub indices: bool,
    /// Those named on stdin (`--rerun` only).
    pub stdin: bool,
}

/// An array spec cut to about 60 characters at a comma (`0-3,5,…`).
fn clip_spec(spec: &str) -> String {
    if spec.is_empty() {
        return "none".into();
    }
    if spec.len() <= 60 {
        return spec.to_string();
    }
    let cut = spec[..60].rfind(',').unwrap_or(0);
    format!("{},…", &spec[..cut])
}

/// Which indices to submit. A live trial (submitted, queued, running, or paused or
/// pruned with its job still running: `running`) is never chosen, whatever the
/// flags: an index must not get a second live job.
pub fn select(
    cfg: &Config,
    manifest: &[ManifestRecord],
    dropped: &[ManifestRecord],
    refs: Option<&[TrialRef]>,
    spec: Option<&str>,
    rerun: Rerun,
    running: &BTreeSet<u64>,
) -> Result<Vec<u64>, Error> {
    let by_index = ByIndex::new(manifest);
    let status_of = |i: u64| by_index.get(i).map(|r| &r.status);
    if let Some(spec) = spec {
        let wanted = cli::parse_indices(spec)?;
        if wanted.iter().any(|i| status_of(*i).is_none()) {
            let unknown = wanted.iter().copied().filter(|i| status_of(*i).is_none());
            let known: Vec<u64> = manifest.iter().map(|r| r.index).collect();
            return Err(Error::invalid(format!(
                "--indices {spec}: no trial with index {} (the sweep's indices are {})",
                cli::some_indices(unknown),
                clip_spec(&script::array_spec(&known))
            ))
            .hint("herd-expand lists the trials and their indices"));
        }
        let listed = |pred: &dyn Fn(&Status) -> bool| -> Vec<String> {
            wanted
                .iter()
                .filter_map(|&i| status_of(i).filter(|s| pred(s)).map(|s| format!("{i}={s}")))
                .collect()
        };
        let live = listed(&|s| s.is_live());
        if !live.is_empty() {
            let ids: Vec<u64> = wanted
                .iter()
                .copied()
                .filter(|&i| status_of(i).is_some_and(Status::is_live))
                .collect();
            return Err(Error::invalid(format!(
                "refusing to submit trials that already have a live job: {}",
                live.join(", ")
            ))
            .hint(format!(
                "stop them first with herd-stop {} -i {}, then submit them again",
                cfg.workspace.display(),
                script::array_spec(&ids)
            )));
        }
        let lingering: Vec<String> = wanted
            .iter()
            .filter(|i| running.contains(i))
            .filter_map(|&i| status_of(i).map(|s| format!("{i}={s}")))
            .collect();
        if !lingering.is_empty() {
            return Err(Error::invalid(format!(
                "refusing to submit trials whose last job is still running: {}",
                lingering.join(", ")
            ))
            .hint(format!(
                "they stop at their next herd-log --step (or when prune_grace_seconds have passed); submit them once herd-status {} shows their job ended",
                cfg.workspace.display()
            )));
        }
        if !rerun.indices {
            let done = listed(&|s| *s == Status::Completed);
            if !done.is_empty() {
                return Err(Error::invalid(format!(
                    "refusing to resubmit trials already completed: {}",
                    done.join(", ")
                ))
                .hint("pass --rerun to run them again"));
            }
        }
        return Ok(wanted.into_iter().collect());
    }
    let Some(refs) = refs else {
        return Ok(manifest
            .iter()
            .filter(|r| r.status.is_pending())
            .map(|r| r.index)
            .collect());
    };
    let mut out = BTreeSet::new();
    let (mut live, mut lingering, mut done, mut gone) = (0, 0, 0, 0);
    for r in refs {
        // A trial the config edit removed, which herd-expand still listed because it
        // looked active before this sync: no longer part of the sweep.
        if by_index.get(r.index).is_none()
            && dropped
                .iter()
                .any(|d| d.index == r.index && d.hash == r.hash)
        {
            gone += 1;
            continue;
        }
        let m = check_ref(cfg, &by_index, r)?;
        if m.status.is_pending() {
            out.insert(r.index);
        } else if m.status.is_live() {
            live += 1;
        } else if running.contains(&m.index) {
            lingering += 1;
        } else if rerun.stdin {
            out.insert(r.index);
        } else {
            done += 1;
        }
    }
    if live > 0 {
        cli::note(&format!(
            "skipped {live} trial(s) that are submitted, queued or running (herd-stop them first to run them again)"
        ));
    }
    if lingering > 0 {
        cli::note(&format!(
            "skipped {lingering} paused or pruned trial(s) whose last job is still running (submit them once it has ended)"
        ));
    }
    if done > 0 {
        cli::note(&format!(
            "skipped {done} trial(s) that are completed, pruned or paused (use --rerun to run them again)"
        ));
    }
    if gone > 0 {
        cli::note(&format!(
            "skipped {gone} trial(s) the config no longer generates"
        ));
    }
    Ok(out.into_iter().collect())
}

/// The manifest record a stdin record names; refuses records of another workspace
/// and stale ones (index or hash no longer match).
pub fn check_ref<'a>(
    cfg: &Config,
    manifest: &ByIndex<'a>,
    r: &TrialRef,
) -> Result<&'a ManifestRecord, Error> {
    let ws = cfg.workspace.display().to_string();
    if let Some(w) = r.workspace.as_deref().filter(|w| *w != ws) {
        return Err(Error::invalid(format!(
            "stdin record of trial {} belongs to workspace {w}, not {ws}",
            r.index
        )));
    }
    let Some(m) = manifest.get(r.index) else {
        return Err(Error::invalid(format!(
            "stdin record of trial {} names an index this workspace does not have",
            r.index
        ))
        .hint("the plan is stale: run herd-expand again"));
    };
    if m.hash != r.hash {
        return Err(Error::invalid(format!(
            "stdin record of trial {} has hash {}, the manifest has {}",
            r.index, r.hash, m.hash
        ))
        .hint("the plan is stale: run herd-expand again"));
    }
    Ok(m)
}
