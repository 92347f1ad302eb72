//! Submission: split the chosen trials into array jobs that fit SLURM's limits,
//! render their scripts, journal the intent, call `sbatch`, record the result.
//!
//! Crash safety: before any `sbatch`, the intent is journaled in
//! `.hyperherd/submit.journal` (each part with a unique `--comment` token). If herd is
//! killed anywhere after that, the next submission (under the workspace lock) finds
//! each part's job in `squeue` by its token and records it; a part that is not in the
//! queue is not running, so its trials may be submitted again.

use crate::cli;
use crate::config::{self, Config};
use crate::error::Error;
use crate::local::{self, cpupool};
use crate::model::expand::expand;
use crate::model::pin::Pins;
use crate::model::reconcile::{reconcile, refusal_message};
use crate::model::record::{Status, TrialRef};
use crate::ops::plan;
use crate::ops::select;
use crate::ops::session::{Mode, Session};
use crate::ops::sync;
use crate::slurm;
use crate::store::script::{self, Arm, Script};
use crate::store::workspace::{self, ByIndex, JobRecord, ManifestRecord, Workspace};
use crate::text::value::{Assoc, Value};
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

/// SLURM refuses batch scripts over 4 MB by default; stay well below.
pub const SCRIPT_BUDGET: usize = 3_500_000;

/// One array job of a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Trial indices, ascending.
    pub indices: Vec<u64>,
    /// Task id = index − offset (0 unless the indices exceed `MaxArraySize`).
    pub offset: u64,
}

/// Split sorted `indices` into parts whose task ids stay below `max_array_size` and
/// whose scripts stay under [`SCRIPT_BUDGET`] (`arm_bytes` sizes one arm).
pub fn split(indices: &[u64], max_array_size: u64, arm_bytes: impl Fn(u64) -> usize) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let mut size = 0usize;
    for &i in indices {
        let fits = parts.last().is_some_and(|p| {
            i - p.offset < max_array_size
                && (p.indices.len() as u64) < max_array_size
                && size + arm_bytes(i) <= SCRIPT_BUDGET
        });
        if !fits {
            let offset = if i < max_array_size { 0 } else { i };
            parts.push(Part {
                indices: Vec::new(),
                offset,
            });
            size = 0;
        }
        size += arm_bytes(i);
        if let Some(p) = parts.last_mut() {
            p.indices.push(i);
        }
    }
    parts
}

/// The SLURM job name of a sweep's submissions (also how a crashed submission's jobs
/// are found in squeue).
pub fn job_name(cfg: &Config) -> String {
    format!("hyperherd_{}", cfg.name)
}

/// The script of one part.
pub fn part_script(cfg: &Config, part: &Part, arms: Vec<Arm>, throttle: Option<u64>) -> Script {
    let ws = Workspace::new(&cfg.workspace);
    let logs = ws.logs_dir().display().to_string();
    let tasks: Vec<u64> = part.indices.iter().map(|i| i - part.offset).collect();
    let mut array = script::array_spec(&tasks);
    if let Some(t) = throttle {
        array.push_str(&format!("%{t}"));
    }
    let (log_out, log_err) = if part.offset == 0 {
        (format!("{logs}/%a.out"), format!("{logs}/%a.err"))
    } else {
        // Task ids are re-based: the script itself appends to logs/<index>.*; SLURM's
        // own messages for the task go here.
        (
            format!("{logs}/slurm-%A_%a.out"),
            format!("{logs}/slurm-%A_%a.err"),
        )
    };
    Script {
        job_name: job_name(cfg),
        array,
        partition: cfg.slurm.partition.clone(),
        time: cfg.slurm.time.clone(),
        mem: cfg.slurm.mem.clone(),
        cpus: cfg.slurm.cpus_per_task,
        gres: cfg.slurm.gres.clone().filter(|g| !g.is_empty()),
        log_out,
        log_err,
        logs_dir: logs,
        exit_dir: ws.dir().join("exit").display().to_string(),
        extra_args: cfg.slurm.extra_args.clone(),
        task_offset: part.offset,
        workspace: cfg.workspace.display().to_string(),
        sweep: cfg.name.clone(),
        launcher: cfg.launcher.display().to_string(),
        arms,
    }
}

/// Where part `k` of `n` is written: `job.sbatch`, or `job.<k>.sbatch` for more parts.
pub fn script_path(ws: &Workspace, k: usize, n: usize) -> PathBuf {
    if n <= 1 || k == 0 {
        ws.dir().join("job.sbatch")
    } else {
        ws.dir().join(format!("job.{k}.sbatch"))
    }
}

/// A journaled part: what was about to be (or was) submitted.
#[derive(Debug, Clone)]
pub struct JournalPart {
    /// The part.
    pub part: Part,
    /// The `--comment` token that identifies its job in `squeue`.
    pub token: String,
    /// The job id once sbatch answered.
    pub job_id: Option<String>,
}

fn journal_path(ws: &Workspace) -> PathBuf {
    ws.dir().join("submit.journal")
}

/// Write the journal (atomically).
pub fn write_journal(ws: &Workspace, job_name: &str, parts: &[JournalPart]) -> Result<(), Error> {
    let v = Value::Map(Assoc(vec![
        ("job_name".into(), Value::Str(job_name.into())),
        (
            "parts".into(),
            Value::List(
                parts
                    .iter()
                    .map(|p| {
                        Value::Map(Assoc(vec![
                            ("token".into(), Value::Str(p.token.clone())),
                            ("offset".into(), Value::Int(p.part.offset as i64)),
                            (
                                "indices".into(),
                                Value::List(
                                    p.part
                                        .indices
                                        .iter()
                                        .map(|&i| Value::Int(i as i64))
                                        .collect(),
                                ),
                            ),
                            (
                                "job_id".into(),
                                p.job_id.clone().map_or(Value::Null, Value::Str),
                            ),
                        ]))
                    })
                    .collect(),
            ),
        ),
    ]));
    workspace::write_atomic(
        &journal_path(ws),
        crate::text::pyjson::indented(&v).as_bytes(),
    )
}

fn read_journal(ws: &Workspace) -> Result<Option<(String, Vec<JournalPart>)>, Error> {
    let path = journal_path(ws);
    let Some(text) = workspace::read_optional(&path)? else {
        return Ok(None);
    };
    let bad = |why: String| {
        let why = if why.is_empty() {
            why
        } else {
            format!(": {why}")
        };
        Error::failed(format!("{} is corrupt{why}", path.display()))
            .hint("inspect it; remove it only if no submission is in flight")
    };
    let Ok(Value::Map(m)) = workspace::parse_py_json(&text) else {
        return Err(bad(String::new()));
    };
    let Some(Value::Str(job_name)) = m.get("job_name") else {
        return Err(bad(String::new()));
    };
    let Some(Value::List(items)) = m.get("parts") else {
        return Err(bad(String::new()));
    };
    let index = |v: &Value, k: usize, what: &str| match v {
        Value::Int(i) if *i >= 0 => {
            workspace::check_index(*i as u64).map_err(|m| bad(format!("part {k}: {what} {m}")))
        }
        other => Err(bad(format!(
            "part {k}: {what} must be a non-negative integer, got {}",
            other.kind()
        ))),
    };
    let mut parts = Vec::new();
    for (k, it) in items.iter().enumerate() {
        let Value::Map(p) = it else {
            return Err(bad(format!("part {k} is not an object")));
        };
        let (Some(Value::Str(token)), Some(offset), Some(Value::List(idx))) =
            (p.get("token"), p.get("offset"), p.get("indices"))
        else {
            return Err(bad(format!("part {k} lacks its token, offset or indices")));
        };
        let offset = index(offset, k, "offset")?;
        let indices = idx
            .iter()
            .map(|v| index(v, k, "indices"))
            .collect::<Result<Vec<u64>, Error>>()?;
        let job_id = match p.get("job_id") {
            None | Some(Value::Null) => None,
            Some(Value::Str(j)) if workspace::is_job_id(j) => Some(j.clone()),
            Some(other) => {
                return Err(bad(format!(
                    "part {k}: job_id {} is not a job id (digits, or local-<digits>)",
                    crate::text::pyjson::compact(other, false)
                )))
            }
        };
        parts.push(JournalPart {
            part: Part { indices, offset },
            token: token.clone(),
            job_id,
        });
    }
    Ok(Some((job_name.clone(), parts)))
}

/// Record a submitted part: append to `job_ids.json` (once) and mark its trials
/// submitted (when `recovering` a journal, only those still pending).
pub fn record_part(
    ws: &Workspace,
    manifest: &mut [ManifestRecord],
    jobs: &mut Vec<JobRecord>,
    part: &Part,
    job_id: &str,
    recovering: bool,
) -> Result<(), Error> {
    if !jobs.iter().any(|j| j.slurm_job_id == job_id) {
        jobs.push(JobRecord {
            slurm_job_id: job_id.to_string(),
            indices: part.indices.clone(),
            task_offset: part.offset,
        });
        ws.write_job_ids(jobs)?;
    }
    // Trials still waiting for submission are now submitted (also when a crash came
    // between writing job_ids.json and the manifest). Trials that already moved on
    // (running, completed, ...) are left alone: the journal is settled before any sync,
    // so only a stale record could say otherwise.
    for r in manifest.iter_mut() {
        if part.indices.binary_search(&r.index).is_ok() && (!recovering || r.status.is_pending()) {
            r.status = Status::Submitted;
        }
    }
    Ok(())
}

/// A part that left the queue before the crash was noticed may still have run: the job
/// script's exit records (written after the journal, naming a job herd has not
/// recorded) give its job id.
fn job_from_exit_records(
    ws: &Workspace,
    part: &Part,
    since: std::time::SystemTime,
    jobs: &[JobRecord],
) -> Option<String> {
    part.indices.iter().find_map(|i| {
        let path = ws.dir().join("exit").join(i.to_string());
        let fresh = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        let text = workspace::read_optional(&path)
            .ok()
            .flatten()
            .filter(|_| fresh)?;
        let job = text
            .split_whitespace()
            .next()?
            .split('_')
            .next()?
            .to_string();
        // The file is the job script's; what is not a job id is not taken for one.
        (workspace::is_job_id(&job) && !jobs.iter().any(|j| j.slurm_job_id == job)).then_some(job)
    })
}

/// Finish a submission interrupted by a crash (call under the workspace lock).
///
/// Returns how many parts were found alive and recorded.
pub fn recover(
    ws: &Workspace,
    manifest: &mut [ManifestRecord],
    jobs: &mut Vec<JobRecord>,
) -> Result<usize, Error> {
    let Some((job_name, mut parts)) = read_journal(ws)? else {
        return Ok(0);
    };
    if parts.iter().any(|p| p.job_id.is_none()) {
        // A failing squeue leaves the journal in place: never guess.
        let live = slurm::live_jobs_named(&job_name)?;
        let since = std::fs::metadata(journal_path(ws))
            .and_then(|m| m.modified())
            .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
        for p in parts.iter_mut().filter(|p| p.job_id.is_none()) {
            p.job_id = live
                .iter()
                .find(|(_, c)| *c == p.token)
                .map(|(id, _)| id.clone())
                .or_else(|| job_from_exit_records(ws, &p.part, since, jobs));
        }
    }
    let mut found = 0;
    for p in &parts {
        if let Some(id) = &p.job_id {
            record_part(ws, manifest, jobs, &p.part, id, true)?;
            found += 1;
        }
    }
    ws.write_manifest(manifest)?;
    std::fs::remove_file(journal_path(ws))
        .map_err(|e| Error::io("removing the submit journal", e))?;
    Ok(found)
}

/// Remove the journal after a completed submission.
pub fn clear_journal(ws: &Workspace) -> Result<(), Error> {
    match std::fs::remove_file(journal_path(ws)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("removing the submit journal", e)),
    }
}

/// A fresh, unique token for `--comment` (pid + time + part number).
pub fn token(k: usize) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("herd:{}-{nanos}-{k}", std::process::id())
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
    /// Trials were submitted (or started here) and recorded.
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
        ..
    } = session;
    let next = ws.next_index(&stored, &jobs)?;
    let keep_orphans = req.keep_orphans || req.force;
    let plan = reconcile(stored, generated, next, keep_orphans)
        .map_err(|orphans| orphan_refusal(&orphans))?;
    workspace::check_new_indices(plan.next_index)?;
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
    let by_index = ByIndex::new(&manifest);
    let arms: Vec<Arm> = selected.iter().map(|&i| arm(&cfg, &by_index, i)).collect();
    // `selected` is sorted, and arms are in its order.
    let arm_size = |i: u64| {
        selected.binary_search(&i).map_or(0, |k| {
            arms[k].name.len() * 2 + arms[k].overrides.len() + 120
        })
    };
    let parts = if req.local {
        // A local job is one part: no array size or script size limit applies.
        vec![Part {
            indices: selected.clone(),
            offset: 0,
        }]
    } else {
        let limits = match slurm::limits() {
            Ok(l) => l,
            Err(e) if req.dry_run => {
                cli::note(&format!("note: {e}; assuming SLURM's default limits"));
                slurm::parse_limits("")
            }
            Err(e) => return Err(e),
        };
        split(&selected, limits.max_array_size, arm_size)
    };
    let throttle = req.max_concurrent.or(cfg.slurm.max_concurrent);
    // How many trials a local runner runs at once (asked of the machine only for one).
    let local_slots = req.local.then(|| {
        throttle.unwrap_or_else(|| local::default_max_concurrent(cfg.slurm.cpus_per_task))
    });
    let mut scripts = Vec::with_capacity(parts.len());
    let mut arms = arms.into_iter().peekable();
    for part in &parts {
        let mine: Vec<Arm> =
            std::iter::from_fn(|| arms.next_if(|a| part.indices.binary_search(&a.index).is_ok()))
                .collect();
        scripts.push(script::render(&part_script(&cfg, part, mine, throttle))?);
    }
    if req.dry_run {
        return Ok(Outcome::DryRun {
            trials: selected.len(),
            spec: script::array_spec(&selected),
            scripts: scripts
                .into_iter()
                .enumerate()
                .map(|(k, s)| (script_path(&ws, k, parts.len()), s))
                .collect(),
        });
    }
    ws.create_dirs()?;
    let exit_dir = ws.dir().join("exit");
    std::fs::create_dir_all(&exit_dir)
        .map_err(|e| Error::io(format!("creating {}", exit_dir.display()), e))?;
    let job_name = job_name(&cfg);
    let mut journal: Vec<JournalPart> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| JournalPart {
            part: p.clone(),
            token: token(k),
            // A local job's id is herd's to choose: known before it starts.
            job_id: req.local.then(|| local::next_job_id(&ws, &jobs)),
        })
        .collect();
    write_journal(&ws, &job_name, &journal)?;
    crate::runtime::crash_point("before-sbatch");
    let mut submitted: Vec<(u64, String)> = Vec::new();
    for k in 0..journal.len() {
        let path = script_path(&ws, k, parts.len());
        script::write_executable(&path, &scripts[k])?;
        let comment = format!("--comment={}", journal[k].token);
        let started = match &journal[k].job_id {
            Some(id) => local::start(
                &ws,
                &local_spec(&cfg, id, &parts[k], local_slots.unwrap_or(1)),
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
                clear_journal(&ws)?;
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
                ws.write_manifest(&manifest)?;
                return Err(Error::failed(f.error.to_string()).hint(format!(
                    "parts 1-{k} of {} were submitted and recorded; run herd-submit again to submit the rest",
                    journal.len()
                )));
            }
        };
        crate::runtime::crash_point("after-sbatch");
        journal[k].job_id = Some(job_id.clone());
        write_journal(&ws, &job_name, &journal)?;
        record_part(
            &ws,
            &mut manifest,
            &mut jobs,
            &journal[k].part,
            &job_id,
            false,
        )?;
        for &i in &journal[k].part.indices {
            submitted.push((i, format!("{job_id}_{}", i - journal[k].part.offset)));
        }
    }
    crate::runtime::crash_point("before-manifest");
    ws.write_manifest(&manifest)?;
    clear_journal(&ws)?;
    clear_signals(&ws, &selected);
    Ok(Outcome::Submitted(Box::new(Submitted {
        cfg,
        manifest,
        trials: submitted,
        job_ids: journal.into_iter().filter_map(|p| p.job_id).collect(),
        local_slots,
    })))
}

/// What the local runner of `job_id` needs.
fn local_spec(cfg: &Config, job_id: &str, part: &Part, slots: u64) -> local::Spec {
    local::Spec {
        job_id: job_id.to_string(),
        job_name: job_name(cfg),
        workspace: cfg.workspace.clone(),
        indices: part.indices.clone(),
        max_concurrent: slots,
        time_limit_seconds: config::time_limit_seconds(&cfg.slurm),
        kill_wait_seconds: local::kill_wait_seconds(),
        cpus_per_task: cfg.slurm.cpus_per_task,
        req_mem_bytes: sync::mem_bytes(&cfg.slurm.mem, cfg.slurm.cpus_per_task),
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

/// A resubmitted trial starts without a stale prune/pause signal.
fn clear_signals(ws: &Workspace, indices: &[u64]) {
    for i in indices {
        let d = ws.results_dir().join(i.to_string());
        let _ = std::fs::remove_file(d.join("_signal"));
        let _ = std::fs::remove_file(d.join("_signal_escalated"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sweeps_are_one_part_without_offset() {
        let p = split(&[0, 1, 2, 5], 1001, |_| 100);
        assert_eq!(
            p,
            vec![Part {
                indices: vec![0, 1, 2, 5],
                offset: 0
            }]
        );
    }

    #[test]
    fn indices_beyond_max_array_size_are_rebased() {
        let idx: Vec<u64> = (0..35).collect();
        let p = split(&idx, 10, |_| 100);
        let shape: Vec<(u64, usize)> = p.iter().map(|p| (p.offset, p.indices.len())).collect();
        assert_eq!(shape, [(0, 10), (10, 10), (20, 10), (30, 5)]);
        for part in &p {
            assert!(part.indices.iter().all(|i| i - part.offset < 10));
        }
    }

    #[test]
    fn large_scripts_are_split_by_size() {
        let idx: Vec<u64> = (0..1000).collect();
        let p = split(&idx, 10_001, |_| SCRIPT_BUDGET / 300);
        assert_eq!(p.len(), 4);
        assert!(p.iter().all(|p| p.offset == 0));
        assert_eq!(p.iter().map(|p| p.indices.len()).sum::<usize>(), 1000);
    }

    #[test]
    fn a_journal_naming_a_path_or_a_huge_index_is_corrupt() {
        let d = std::env::temp_dir().join(format!("herd-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        let part = |job: &str, idx: &str| {
            format!(
                "{{\"job_name\": \"hyperherd_t\", \"parts\": [{{\"token\": \"herd:1\", \"offset\": 0, \"indices\": [{idx}], \"job_id\": {job}}}]}}"
            )
        };
        std::fs::write(journal_path(&ws), part("\"77\"", "0, 1")).unwrap();
        let (_, parts) = read_journal(&ws).unwrap().unwrap();
        assert_eq!(parts[0].job_id.as_deref(), Some("77"));
        assert_eq!(parts[0].part.indices, [0, 1]);
        for (job, idx) in [
            ("\"local-/../../x\"", "0"),
            ("\"7;rm\"", "0"),
            ("7", "0"),
            ("\"7\"", "9223372036854775807"),
            ("\"7\"", "-1"),
            ("\"7\"", "\"0\""),
        ] {
            std::fs::write(journal_path(&ws), part(job, idx)).unwrap();
            let e = read_journal(&ws).unwrap_err();
            assert_eq!(e.exit_code(), 1);
            assert!(
                e.to_string().contains("submit.journal is corrupt: part 0"),
                "{job} {idx}: {e}"
            );
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
