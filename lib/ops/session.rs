//! A session: a workspace opened once, the way every tool that changes or reads
//! statuses opens it. Load the config, take the lock, read the manifest and job ids,
//! settle a submission a crash interrupted (from its journal), sync statuses once.
//!
//! How strict each step is depends on what the caller is about to do ([`Mode`]): a
//! reader shows stale statuses rather than nothing, a change refuses to act on them.

use crate::cli;
use crate::config::Config;
use crate::error::Error;
use crate::ops::backstop;
use crate::ops::journal;
use crate::ops::sync;
use crate::store::cache::{self, Detail};
use crate::store::job_ids::JobRecord;
use crate::store::manifest::ManifestRecord;
use crate::store::workspace::{Lock, Workspace};
use std::collections::BTreeMap;

/// What the session is opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Show statuses (herd-status): the manifest must exist; a journal that cannot
    /// be settled makes the statuses stale (the cached details are shown), not an
    /// error.
    Read,
    /// Change live trials (herd-stop): the manifest must exist; a failed recovery is
    /// an error. The caller refuses to act when [`Session::stale`] is set.
    Change,
    /// Submit (herd-submit): the manifest may not exist yet; statuses are synced
    /// only when some job was ever submitted. The caller refuses when stale.
    Submit,
    /// A dry-run submission: no lock, no recovery, no sync; nothing is written.
    DryRun,
    /// Decide without acting (herd-sh --dry-run): as `Change`, statuses synced and
    /// written, but the backstop cancels nothing (B32).
    Look,
}

/// An opened workspace (holding its lock, unless a dry run).
pub struct Session {
    /// The loaded config.
    pub cfg: Config,
    /// The workspace's files.
    pub ws: Workspace,
    /// The manifest (empty before the first submission), statuses synced.
    pub manifest: Vec<ManifestRecord>,
    /// Every job ever submitted (`job_ids`).
    pub jobs: Vec<JobRecord>,
    /// The latest SLURM (or local) details of each trial.
    pub details: BTreeMap<u64, Detail>,
    /// Why the statuses could not be synced, if they could not.
    pub stale: Option<String>,
    _lock: Option<Lock>,
}

impl Session {
    /// Open the workspace of `cfg` for `mode`.
    pub fn open(cfg: Config, mode: Mode) -> Result<Session, Error> {
        let ws = Workspace::new(&cfg.workspace);
        if matches!(mode, Mode::Read | Mode::Change | Mode::Look) {
            ws.require_manifest()?;
        }
        let lock = if mode == Mode::DryRun {
            None
        } else {
            Some(ws.lock()?)
        };
        let mut manifest = ws.read_manifest()?.unwrap_or_default();
        let mut jobs = ws.read_job_ids()?;
        let mut stale = None;
        let mut details = BTreeMap::new();
        match mode {
            Mode::Read => match journal::recover(&ws, &mut manifest, &mut jobs) {
                Ok(_) => {
                    let s = sync::sync(&ws, &mut manifest, &jobs, cfg.slurm.cpus_per_task)?;
                    stale = s.stale;
                    details = s.details;
                }
                Err(e) => {
                    stale = Some(format!(
                        "an interrupted submission could not be settled: {e}"
                    ));
                    details = cache::read_cache(&ws);
                }
            },
            Mode::Change | Mode::Submit | Mode::Look => {
                let recovered = journal::recover(&ws, &mut manifest, &mut jobs)?;
                if mode == Mode::Submit && recovered > 0 {
                    cli::note(&format!(
                        "recovered {recovered} interrupted submission(s) from the journal"
                    ));
                }
                if mode != Mode::Submit || !jobs.is_empty() {
                    let s = sync::sync(&ws, &mut manifest, &jobs, cfg.slurm.cpus_per_task)?;
                    stale = s.stale;
                    details = s.details;
                }
            }
            Mode::DryRun => {}
        }
        // Trials that ignored their prune or pause signal past the grace period.
        if matches!(mode, Mode::Read | Mode::Change | Mode::Submit) && stale.is_none() {
            // A failed cancellation is said and retried at the next sync; it does not
            // stop the work the session was opened for.
            if let Err(e) =
                backstop::backstop(&ws, &manifest, &jobs, &mut details, cfg.prune_grace_seconds)
            {
                cli::warning(&format!("{e} (the backstop tries again at the next sync)"));
            }
        }
        Ok(Session {
            cfg,
            ws,
            manifest,
            jobs,
            details,
            stale,
            _lock: lock,
        })
    }
}
