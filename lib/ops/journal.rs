//! The crash-safe part of a submission: how the chosen trials are split into array
//! jobs that fit SLURM's limits (and their scripts), and the journal of the intent.
//!
//! Before any `sbatch`, the intent is journaled in `.hyperherd/submit.journal` (each
//! part with a unique `--comment` token). If herd is killed anywhere after that, the
//! next submission (under the workspace lock) finds each part's job in `squeue` by
//! its token and records it; a part that is not in the queue is not running, so its
//! trials may be submitted again.

use crate::config::Config;
use crate::error::Error;
use crate::model::record::Status;
use crate::slurm;
use crate::store::job_ids::{JobRecord, Retry};
use crate::store::manifest::ManifestRecord;
use crate::store::script::{self, Arm, Script};
use crate::store::workspace::{self, Workspace};
use crate::text::value::{Assoc, Value};
use std::path::PathBuf;

/// SLURM refuses batch scripts over 4 MB by default; stay well below.
pub const SCRIPT_BUDGET: usize = 3_500_000;

/// One array job of a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Trial indices, ascending.
    pub indices: Vec<u64>,
    /// Task id = index − offset (0 unless the indices exceed `MaxArraySize`).
    pub offset: u64,
    /// A retry's resources and reasons (`after` in the order of `indices`).
    pub retry: Option<Retry>,
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
                retry: None,
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
        time: part
            .retry
            .as_ref()
            .map_or_else(|| cfg.slurm.time.clone(), |r| r.time.clone()),
        mem: part
            .retry
            .as_ref()
            .map_or_else(|| cfg.slurm.mem.clone(), |r| r.mem.clone()),
        cpus: cfg.slurm.cpus_per_task,
        gres: cfg.slurm.gres.clone().filter(|g| !g.is_empty()),
        log_out,
        log_err,
        logs_dir: logs,
        exit_dir: ws.dir().join("exit").display().to_string(),
        extra_args: cfg.slurm.extra_args.clone(),
        signal_grace: cfg.slurm.signal_grace,
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
                        let mut v = Value::Map(Assoc(vec![
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
                        ]));
                        if let (Value::Map(m), Some(r)) = (&mut v, &p.part.retry) {
                            r.write_keys(m);
                        }
                        v
                    })
                    .collect(),
            ),
        ),
    ]));
    crate::store::fs::write_atomic(
        &journal_path(ws),
        crate::text::pyjson::indented(&v).as_bytes(),
    )
}

fn read_journal(ws: &Workspace) -> Result<Option<(String, Vec<JournalPart>)>, Error> {
    let path = journal_path(ws);
    let Some(text) = crate::store::fs::read_optional(&path)? else {
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
    let Ok(Value::Map(m)) = crate::store::fs::parse_py_json(&text) else {
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
            Some(Value::Str(j)) if crate::store::job_ids::is_job_id(j) => Some(j.clone()),
            Some(other) => {
                return Err(bad(format!(
                    "part {k}: job_id {} is not a job id (digits, or local-<digits>)",
                    crate::text::pyjson::compact(other, false)
                )))
            }
        };
        let retry = crate::store::job_ids::parse_retry(p, k, indices.len()).map_err(bad)?;
        parts.push(JournalPart {
            part: Part {
                indices,
                offset,
                retry,
            },
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
            retry: part.retry.clone(),
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
        let text = crate::store::fs::read_optional(&path)
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
        (crate::store::job_ids::is_job_id(&job) && !jobs.iter().any(|j| j.slurm_job_id == job))
            .then_some(job)
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
                offset: 0,
                retry: None,
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
