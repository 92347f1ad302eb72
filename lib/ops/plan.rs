//! The sweep as it stands: config + expansion + the stored manifest, reconciled.
//!
//! Read-only: `herd-expand` shows this, `herd-submit` writes it. Trials already in the
//! manifest keep their index, frozen name and status; new ones appear as they would be
//! appended.

use crate::config::Config;
use crate::error::Error;
use crate::model::expand::expand;
use crate::model::naming::push_override_string;
use crate::model::reconcile::{reconcile, refusal_message, Plan};
use crate::model::record::TrialRecord;
use crate::store::manifest::ManifestRecord;
use crate::store::workspace::Workspace;

/// The reconciled view of a workspace (nothing is written).
#[derive(Debug)]
pub struct Sweep {
    /// How many trials the config generates.
    pub generated: usize,
    /// The reconciliation (with orphans kept, as `--force` would).
    pub plan: Plan,
    /// True when a manifest existed.
    pub had_manifest: bool,
}

/// Expand the config and reconcile it with the stored manifest, if any.
pub fn load(cfg: &Config) -> Result<Sweep, Error> {
    load_with(cfg, None)
}

/// [`load`], with the manifest's text when the caller has read it already
/// (`Some(None)`: there is no manifest), as [`Workspace::read_manifest_text`] gives it.
pub fn load_with(cfg: &Config, manifest: Option<Option<String>>) -> Result<Sweep, Error> {
    let generated = expand(cfg)?;
    let ws = Workspace::new(&cfg.workspace);
    let text = match manifest {
        Some(text) => text,
        None => ws.read_manifest_text()?,
    };
    let stored = ws.parse_manifest(text)?;
    let had_manifest = stored.is_some();
    let stored = stored.unwrap_or_default();
    let jobs = ws.read_job_ids()?;
    let next = ws.next_index(&stored, &jobs)?;
    let count = generated.len();
    // With force, orphans are kept rather than refused, so this never fails; should it,
    // it is an error, not a panic.
    let plan = reconcile(stored, generated, next, true)
        .map_err(|orphans| Error::failed(refusal_message(&orphans)))?;
    crate::store::job_ids::check_new_indices(plan.next_index)?;
    Ok(Sweep {
        generated: count,
        plan,
        had_manifest,
    })
}

/// The record of a stored trial: overrides from its frozen name and the current
/// static overrides (spec §4).
pub fn record(cfg: &Config, r: &ManifestRecord) -> TrialRecord {
    into_record(cfg, r.clone())
}

/// Append a stored trial's override string to `out`.
pub fn push_overrides(out: &mut String, cfg: &Config, r: &ManifestRecord) {
    push_override_string(
        out,
        r.experiment_name.as_deref().unwrap_or(""),
        &r.params,
        &cfg.static_overrides,
        &r.extras,
    );
}

/// [`record`], consuming the stored trial (no copies of its values).
pub fn into_record(cfg: &Config, r: ManifestRecord) -> TrialRecord {
    let mut overrides = String::new();
    push_overrides(&mut overrides, cfg, &r);
    TrialRecord {
        sweep: cfg.name.clone(),
        workspace: cfg.workspace.display().to_string(),
        index: r.index,
        hash: r.hash,
        overrides,
        experiment_name: r.experiment_name,
        params: r.params,
        extras: r.extras,
        status: r.status,
        slurm_job_id: None,
        slurm_state: None,
        reason: None,
        exit_code: None,
        elapsed_seconds: None,
        max_rss_bytes: None,
        req_mem_bytes: None,
        last_log_line: None,
        step: None,
        steps_per_min: None,
        metrics: None,
        previous_status: None,
        attempts: None,
    }
}
