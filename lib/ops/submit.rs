//! Submission: reconcile, choose the trials, split them into array jobs (see
//! [`crate::ops::journal`] for the parts and the crash-safe journal), call `sbatch`
//! or start the local runner, record the result.

use crate::cli;
use crate::config::{self, Config};
use crate::error::Error;
use crate::local::{self, cpupool};
use crate::model::expand::expand;
use crate::model::pin::Pins;
use crate::model::reconcile::{reconcile, refusal_message};
use crate::model::record::TrialRef;
use crate::ops::journal::{
    clear_journal, job_name, part_script, record_part, script_path, split, token, write_journal,
    JournalPart, Part,
};
use crate::ops::plan;
use crate::ops::room::Room;
use crate::ops::select;
use crate::ops::session::{Mode, Session};
use crate::slurm;
use crate::store::job_ids::{JobRecord, Retry};
use crate::store::manifest::{ByIndex, ManifestRecord};
use crate::store::results::TrialResults;
use crate::store::script::{self, Arm};
use crate::store::workspace::Workspace;
use std::path::PathBuf;

/// What herd-submit refuses before it submits anything, and `herd-expand --check`
/// reports: the launcher must exist; for SLURM the workspace path reaches `#SBATCH`
/// lines, so whitespace, '%' and control characters in it are refused (B1).
pub fn preflight(cfg: &Config, local: bool) -> Result<(), Error> {
    cfg.check_launcher()?;
    if !local {
        check_slurm_path(cfg)?;
    }
    Ok(())
}

/// The workspace path must fit SLURM's `--output`/`--error` directives (not needed by
/// `--local`).
pub fn check_slurm_path(cfg: &Config) -> Result<(), Error> {
    let ws = cfg.workspace.display().to_string();
    if ws
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '%')
    {
        return Err(Error::invalid(format!("the workspace path {ws:?} contains whitespace, '%' or a control character"))
            .hint("SLURM's --output/--error directives cannot hold such paths; move the sweep to a plain path"));
    }
    Ok(())
}

/// The refusal of a config edit that removes running, queued or completed trials.
pub fn orphan_refusal(orphans: &[ManifestRecord]) -> Error {
    Error::failed(refusal_message(orphans)).hint(
        "pass --keep-orphans to herd-submit (herd run --keep-orphans) to keep them in the manifest as orphans (nothing is resubmitted), or revert the config edit",
    )
}

/// What to submit, as the arguments said it.
#[derive(Debug, Default)]
pub struct Request {
    /// The trial records read from stdin, when the trials come from there.
    pub refs: Option<Vec<TrialRef>>,
    /// `--indices SPEC`, unparsed.
    pub indices: Option<String>,
    /// `--pin NAME=VALUE`, untyped.
    pub pins: Vec<(String, String)>,
    /// `--dry-run`: write nothing, submit nothing.
    pub dry_run: bool,
    /// `--max-concurrent N`.
    pub max_concurrent: Option<u64>,
    /// `--force`.
    pub force: bool,
    /// `--keep-orphans`.
    pub keep_orphans: bool,
    /// `--rerun`.
    pub rerun: bool,
    /// `--local`: run here, not on SLURM.
    pub local: bool,
}

/// What a submission did.
pub enum Outcome {
    /// No trial was chosen.
    Nothing,
    /// A dry run: the job scripts that would be submitted.
    DryRun {
        /// How many trials.
        trials: usize,
        /// Their indices as an array spec.
        spec: String,
        /// Each part's script path and text.
        scripts: Vec<(PathBuf, String)>,
    },
    /// Trials were submitted (or started here) and recorded, or deferred for want of
    /// room in the queue.
    Submitted(Box<Submitted>),
}

/// The trials a submission recorded.
pub struct Submitted {
    /// The config the sweep was submitted with.
    pub cfg: Config,
    /// The manifest as written.
    pub manifest: Vec<ManifestRecord>,
    /// Each submitted index with its `JOB_TASK` id.
    pub trials: Vec<(u64, String)>,
    /// The job ids, one per part.
    pub job_ids: Vec<String>,
    /// For a local job: how many trials run at once.
    pub local_slots: Option<u64>,
    /// Chosen trials left for later: the queue had no room for them.
    pub deferred: Vec<u64>,
    /// The room found in the queue (SLURM only).
    pub room: Option<Room>,
}

/// Submit the trials `req` chooses from the sweep of `cfg`: reconcile the manifest
/// with the config, select, split into parts, journal the intent, call `sbatch` (or
/// start the local runner) per part, record each, clear stale signals.
pub fn submit(cfg: Config, req: Request) -> Result<Outcome, Error> {
    preflight(&cfg, req.local)?;
    let pins = Pins::parse(&cfg, &req.pins)?;
    let generated = expand(&cfg)?;
    let mode = if req.dry_run {
        Mode::DryRun
    } else {
        Mode::Submit
    };
    let session = Session::open(cfg, mode)?;
    // Choose from current statuses: a trial that failed since the last sync is
    // pending, one that is still queued is not.
    if let Some(why) = &session.stale {
        return Err(
            Error::failed(format!("cannot tell which trials are still live: {why}"))
                .hint("nothing was submitted; try again when SLURM answers"),
        );
    }
    let Session {
        cfg,
        ws,
        manifest: stored,
        mut jobs,
        details,
        ..
    } = session;
    let running = crate::ops::sync::still_running(&stored, &jobs, &details);
    let next = ws.next_index(&stored, &jobs)?;
    let keep_orphans = req.keep_orphans || req.force;
    let plan = reconcile(stored, generated, next, keep_orphans)
        .map_err(|orphans| orphan_refusal(&orphans))?;
    crate::store::job_ids::check_new_indices(plan.next_index)?;
    let mut manifest = plan.records;
    let selected = select::select(
        &cfg,
        &manifest,
        &plan.dropped,
        req.refs.as_deref(),
        req.indices.as_deref(),
        select::Rerun {
            indices: req.rerun || req.force,
            stdin: req.rerun,
        },
        &running,
    )?;
    let mut selected: Vec<u64> = {
        let by_index = ByIndex::new(&manifest);
        selected
            .into_iter()
            .filter(|i| by_index.get(*i).is_some_and(|r| pins.matches(&r.params)))
            .collect()
    };
    selected.sort_unstable();
    selected.dedup();
    if !req.local && !req.dry_run {
        skip_queued_again(&mut manifest, &jobs, &mut selected)?;
    }
    if !req.dry_run {
        ws.write_manifest(&manifest)?;
        ws.write_next_index(plan.next_index)?;
    }
    if selected.is_empty() {
        if !pins.is_empty() {
            return Err(Error::invalid(format!(
                "no submittable trials match --pin {}",
                pins.describe()
            )));
        }
        return Ok(Outcome::Nothing);
    }
    // On SLURM, take what the user's queue has room for; defer the rest (herd-watch,
    // or the next herd-submit, submits them as room frees), so no sbatch is refused
    // for a submit limit.
    let mut deferred = Vec::new();
    let mut room = None;
    if !req.local && !req.dry_run {
        let r = crate::ops::room::room(&cfg)?;
        if (selected.len() as u64) > r.free {
            deferred = selected.split_off(r.free as usize);
            defer(&mut manifest, &deferred);
            ws.write_manifest(&manifest)?;
        }
        room = Some(r);
    }
    if selected.is_empty() {
        // Nothing fits now: every chosen trial waits (and is printed as deferred).
        return Ok(Outcome::Submitted(Box::new(Submitted {
            cfg,
            manifest,
            trials: Vec::new(),
            job_ids: Vec::new(),
            local_slots: None,
            deferred,
            room,
        })));
    }
    let throttle = req.max_concurrent.or(cfg.slurm.max_concurrent);
    let how = How {
        local: req.local,
        throttle,
        dry_run: req.dry_run,
    };
    match launch(&cfg, &ws, &mut manifest, &mut jobs, &selected, how, None)? {
        Launched::DryRun {
            trials,
            spec,
            scripts,
        } => Ok(Outcome::DryRun {
            trials,
            spec,
            scripts,
        }),
        Launched::Submitted {
            trials,
            job_ids,
            local_slots,
        } => Ok(Outcome::Submitted(Box::new(Submitted {
            cfg,
            manifest,
            trials,
            job_ids,
            local_slots,
            deferred,
            room,
        }))),
    }
}

/// Drop from `selected` the trials whose latest SLURM job SLURM has queued again (a
/// requeued task can read as failed or cancelled for a moment; the user may have
/// named it, or `--force` asked for it): their status is set from squeue and they
/// keep their one job. One squeue call, only when a selected trial had a SLURM job;
/// if squeue cannot be asked, nothing is submitted.
fn skip_queued_again(
    manifest: &mut [ManifestRecord],
    jobs: &[JobRecord],
    selected: &mut Vec<u64>,
) -> Result<(), Error> {
    let latest = crate::ops::sync::latest_jobs(jobs);
    let tasks: Vec<(u64, &str, u64)> = selected
        .iter()
        .filter_map(|i| latest.get(i).map(|(job, task)| (*i, *job, *task)))
        .collect();
    let again = crate::ops::sync::queued_again(&tasks).map_err(|why| {
        Error::failed(format!(
            "cannot tell whether the chosen trials' earlier jobs are queued again: {why}"
        ))
        .hint("nothing was submitted; try again when SLURM answers")
    })?;
    if again.is_empty() {
        return Ok(());
    }
    crate::ops::sync::mark_queued_again(manifest, &again);
    selected.retain(|i| !again.contains_key(i));
    let list: Vec<String> = again.keys().map(u64::to_string).collect();
    crate::cli::note(&format!(
        "not submitted: SLURM has queued the earlier job of trial(s) {} again; it runs there",
        list.join(", ")
    ));
    Ok(())
}

/// Mark `indices` (sorted) deferred: asked for, waiting for room in the queue.
pub(crate) fn defer(manifest: &mut [ManifestRecord], indices: &[u64]) {
    for r in manifest.iter_mut() {
        if indices.binary_search(&r.index).is_ok() {
            r.status = crate::model::record::Status::Deferred;
        }
    }
}

/// How to launch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct How {
    /// Run here, not on SLURM.
    pub local: bool,
    /// At most this many at once (`--array=…%N`, or the local runner's slots).
    pub throttle: Option<u64>,
    /// Render the scripts only.
    pub dry_run: bool,
}

/// Launch `selected` (sorted, none of them live) in an open session (holding its
/// lock): the launcher and SLURM's commands checked first, at most `throttle` (else
/// `slurm.max_concurrent`) at once. Resumes, retries and waves go through here.
pub(crate) fn relaunch(
    session: &mut crate::ops::session::Session,
    selected: &[u64],
    local: bool,
    throttle: Option<u64>,
    retry: Option<&Retry>,
) -> Result<Launched, Error> {
    let crate::ops::session::Session {
        cfg,
        ws,
        manifest,
        jobs,
        ..
    } = session;
    cfg.check_launcher()?;
    if !local {
        check_slurm_path(cfg)?;
    }
    let how = How {
        local,
        throttle: throttle.or(cfg.slurm.max_concurrent),
        dry_run: false,
    };
    launch(cfg, ws, manifest, jobs, selected, how, retry)
}

/// What [`launch`] did.
pub(crate) enum Launched {
    /// A dry run: the scripts that would be submitted.
    DryRun {
        trials: usize,
        spec: String,
        scripts: Vec<(PathBuf, String)>,
    },
    /// Submitted and recorded in `manifest` and `jobs` (both written).
    Submitted {
        trials: Vec<(u64, String)>,
        job_ids: Vec<String>,
        local_slots: Option<u64>,
    },
}

/// Launch the `selected` trials (sorted, none of them live) of `manifest`: split them
/// into parts, journal the intent, clear their stale signals, call `sbatch` (or start
/// the local runner) per part, record each part. Call under the workspace lock.
pub(crate) fn launch(
    cfg: &Config,
    ws: &Workspace,
    manifest: &mut [ManifestRecord],
    jobs: &mut Vec<JobRecord>,
    selected: &[u64],
    how: How,
    retry: Option<&Retry>,
) -> Result<Launched, Error> {
    let by_index = ByIndex::new(manifest);
    let arms: Vec<Arm> = selected.iter().map(|&i| arm(cfg, &by_index, i)).collect();
    // `selected` is sorted, and arms are in its order.
    let arm_size = |i: u64| {
        selected.binary_search(&i).map_or(0, |k| {
            arms[k].name.len() * 2 + arms[k].overrides.len() + 120
        })
    };
    let parts = if how.local {
        // A local job is one part: no array size or script size limit applies.
        vec![Part {
            indices: selected.to_vec(),
            offset: 0,
            retry: None,
        }]
    } else {
        let limits = match slurm::limits() {
            Ok(l) => l,
            Err(e) if how.dry_run => {
                cli::note(&format!("note: {e}; assuming SLURM's default limits"));
                slurm::parse_limits("")
            }
            Err(e) => return Err(e),
        };
        split(selected, limits.max_array_size, arm_size)
    };
    // A retry's resources hold for every part; its reasons go with their indices.
    let parts: Vec<Part> = parts
        .into_iter()
        .map(|mut p| {
            p.retry = retry.map(|r| Retry {
                mem: r.mem.clone(),
                time: r.time.clone(),
                after: p
                    .indices
                    .iter()
                    .map(|i| {
                        selected
                            .binary_search(i)
                            .ok()
                            .and_then(|k| r.after.get(k).cloned())
                            .unwrap_or_default()
                    })
                    .collect(),
            });
            p
        })
        .collect();
    let throttle = how.throttle;
    // How many trials a local runner runs at once (asked of the machine only for one).
    let local_slots = how.local.then(|| {
        throttle.unwrap_or_else(|| local::default_max_concurrent(cfg.slurm.cpus_per_task))
    });
    let mut scripts = Vec::with_capacity(parts.len());
    let mut arms = arms.into_iter().peekable();
    for part in &parts {
        let mine: Vec<Arm> =
            std::iter::from_fn(|| arms.next_if(|a| part.indices.binary_search(&a.index).is_ok()))
                .collect();
        scripts.push(script::render(&part_script(cfg, part, mine, throttle))?);
    }
    if how.dry_run {
        return Ok(Launched::DryRun {
            trials: selected.len(),
            spec: script::array_spec(selected),
            scripts: scripts
                .into_iter()
                .enumerate()
                .map(|(k, s)| (script_path(ws, k, parts.len()), s))
                .collect(),
        });
    }
    ws.create_dirs()?;
    let exit_dir = ws.dir().join("exit");
    std::fs::create_dir_all(&exit_dir)
        .map_err(|e| Error::io(format!("creating {}", exit_dir.display()), e))?;
    let job_name = job_name(cfg);
    let mut journal: Vec<JournalPart> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| JournalPart {
            part: p.clone(),
            token: token(k),
            // A local job's id is herd's to choose: known before it starts.
            job_id: how.local.then(|| local::next_job_id(ws, jobs)),
        })
        .collect();
    write_journal(ws, &job_name, &journal)?;
    // Before sbatch: a job that starts at once must not see a stale prune or pause
    // signal (none of these trials has a job that could still read it).
    for &i in selected {
        TrialResults::new(ws, i).clear_signal()?;
    }
    crate::runtime::crash_point("before-sbatch");
    let mut submitted: Vec<(u64, String)> = Vec::new();
    for k in 0..journal.len() {
        let path = script_path(ws, k, parts.len());
        script::write_executable(&path, &scripts[k])?;
        let comment = format!("--comment={}", journal[k].token);
        let started = match &journal[k].job_id {
            Some(id) => local::start(
                ws,
                &local_spec(cfg, id, &parts[k], local_slots.unwrap_or(1)),
                &scripts[k],
            )
            .map(|()| id.clone())
            .map_err(|error| slurm::SbatchFailure {
                error,
                maybe_submitted: false,
            }),
            None => slurm::sbatch(&path, &cfg.workspace, &[&comment]),
        };
        let job_id = match started {
            Ok(id) => id,
            // Nothing was queued: forget the intent.
            Err(f) if k == 0 && !f.maybe_submitted => {
                clear_journal(ws)?;
                return Err(f.error);
            }
            // The job may exist without herd knowing its id: the journal stays, and
            // the next sync (herd-status, herd-submit) looks for its token in squeue
            // and records it, or drops the part if it is not there.
            Err(f) if k == 0 => {
                return Err(Error::failed(f.error.to_string()).hint(
                    "sbatch may have queued the job anyway; herd-status or the next herd-submit looks for it in squeue and records it, so no trial runs twice",
                ));
            }
            Err(f) => {
                // Earlier parts are recorded; this and later ones stay journaled and
                // are settled (found in squeue or dropped) by the next submission.
                ws.write_manifest(manifest)?;
                return Err(Error::failed(f.error.to_string()).hint(format!(
                    "parts 1-{k} of {} were submitted and recorded; run herd-submit again to submit the rest",
                    journal.len()
                )));
            }
        };
        crate::runtime::crash_point("after-sbatch");
        journal[k].job_id = Some(job_id.clone());
        write_journal(ws, &job_name, &journal)?;
        record_part(ws, manifest, jobs, &journal[k].part, &job_id, false)?;
        for &i in &journal[k].part.indices {
            submitted.push((i, format!("{job_id}_{}", i - journal[k].part.offset)));
        }
    }
    crate::runtime::crash_point("before-manifest");
    ws.write_manifest(manifest)?;
    clear_journal(ws)?;
    Ok(Launched::Submitted {
        trials: submitted,
        job_ids: journal.into_iter().filter_map(|p| p.job_id).collect(),
        local_slots,
    })
}

/// What the local runner of `job_id` needs.
fn local_spec(cfg: &Config, job_id: &str, part: &Part, slots: u64) -> local::Spec {
    // A retry runs with its own time limit (memory is not enforced here).
    let mut slurm = cfg.slurm.clone();
    if let Some(r) = &part.retry {
        slurm.time = r.time.clone();
        slurm.mem = r.mem.clone();
    }
    local::Spec {
        job_id: job_id.to_string(),
        job_name: job_name(cfg),
        workspace: cfg.workspace.clone(),
        indices: part.indices.clone(),
        max_concurrent: slots,
        time_limit_seconds: config::time_limit_seconds(&slurm),
        kill_wait_seconds: local::kill_wait_seconds(),
        cpus_per_task: cfg.slurm.cpus_per_task,
        req_mem_bytes: crate::slurm::acct::mem_bytes(&slurm.mem, cfg.slurm.cpus_per_task),
        pool: cpupool::default_path(),
        pool_cpus: cpupool::default_cpus(),
    }
}

fn arm(cfg: &Config, manifest: &ByIndex<'_>, index: u64) -> Arm {
    let rec = manifest.get(index);
    let tr = rec.map(|r| plan::record(cfg, r));
    Arm {
        index,
        name: tr
            .as_ref()
            .and_then(|t| t.experiment_name.clone())
            .unwrap_or_default(),
        overrides: tr.map(|t| t.overrides).unwrap_or_default(),
    }
}
