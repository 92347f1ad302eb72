//! `job_ids.json` (one record per submission, byte-compatible with the reference),
//! job id validation, and `next_index`: herd's high-water mark of assigned indices,
//! so no index is ever used twice in a workspace (B16).

use crate::error::Error;
use crate::store::fs::{corrupt, parse_py_json, read_optional, write_atomic};
use crate::store::manifest::{as_index, field, ManifestRecord};
use crate::store::workspace::{check_index, too_far, Workspace, MAX_INDEX};
use crate::text::pyjson;
use crate::text::value::{Assoc, Value};
use std::fs;
use std::path::Path;

/// Local job ids are `local-<n>`: never confused with a SLURM job id (digits).
pub const LOCAL_PREFIX: &str = "local-";

/// One submission as stored in `job_ids.json` (spec §5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    /// The SLURM job id (a string, as the reference writes it).
    pub slurm_job_id: String,
    /// The array indices of that submission, in submission order.
    pub indices: Vec<u64>,
    /// SLURM task id = index − `task_offset` (herd's chunked submissions, B14). Written
    /// only when non-zero, so ordinary records stay byte-compatible with the reference.
    pub task_offset: u64,
    /// herd-watch's retry: the resources it ran with and why (herd's own keys, which
    /// the reference ignores; absent from ordinary submissions).
    pub retry: Option<Retry>,
}

/// What a retry submission records in its `job_ids.json` record: `mem`, `time` (the
/// resources its array ran with, SLURM syntax) and `retry_after` (per index, in the
/// order of `indices`, the SLURM state its previous attempt ended in).
#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    /// `--mem` of the array.
    pub mem: String,
    /// `--time` of the array.
    pub time: String,
    /// The state each trial's previous attempt ended in (`OUT_OF_MEMORY`, ...).
    pub after: Vec<String>,
}

/// True for text that may be stored as a retry's `mem` or `time`: what SLURM takes
/// (`200M`, `1-02:00:00`), nothing a shell or terminal would act on.
pub fn is_resource(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-')
}

/// True for a stored SLURM end state (`OUT_OF_MEMORY`, `NODE_FAIL`, ...).
pub fn is_state_word(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// True for a job id herd stores: SLURM's numeric id (`12345`, as `sbatch --parsable`
/// and squeue's `%F` give it) or the local backend's `local-<n>`, at most 19 digits.
/// Anything else (a path, an option, an array task `12345_7`) is refused where it is
/// read, since job ids name directories (`local/<id>/`) and are handed to `scancel`.
pub fn is_job_id(id: &str) -> bool {
    let digits = id.strip_prefix(LOCAL_PREFIX).unwrap_or(id);
    (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Workspace {
    /// Read `job_ids.json`; empty when there is none.
    pub fn read_job_ids(&self) -> Result<Vec<JobRecord>, Error> {
        let path = self.job_ids_path();
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        parse_job_ids(&text).map_err(|msg| corrupt(&path, &msg))
    }

    /// Write `job_ids.json` atomically. Hold the lock around read-modify-write.
    pub fn write_job_ids(&self, jobs: &[JobRecord]) -> Result<(), Error> {
        for j in jobs {
            if !is_job_id(&j.slurm_job_id) {
                return Err(Error::failed(format!(
                    "refusing to record {:?} in {}: not a job id",
                    j.slurm_job_id,
                    self.job_ids_path().display()
                )));
            }
            for &i in j.indices.iter().chain([&j.task_offset]) {
                check_index(i).map_err(|m| too_far(&self.job_ids_path(), &m))?;
            }
        }
        let v = Value::List(jobs.iter().map(JobRecord::to_value).collect());
        write_atomic(&self.job_ids_path(), pyjson::indented(&v).as_bytes())
    }

    /// The first index never used in this workspace (B16): above every index in the
    /// manifest, in the job history, in `results/`, in `logs/` and the stored mark.
    pub fn next_index(
        &self,
        manifest: &[ManifestRecord],
        jobs: &[JobRecord],
    ) -> Result<u64, Error> {
        let mut next = 0;
        for r in manifest {
            next = next.max(one_past(r.index, &self.manifest_path())?);
        }
        self.next_index_after(next, jobs)
    }

    /// [`Workspace::next_index`] given the manifest's own: `manifest_next` is one past
    /// its highest index (0 when it is empty).
    ///
    /// The result is at most `MAX_INDEX + 1`; an index past [`MAX_INDEX`] anywhere is an
    /// error naming where it was found. Callers that assign indices from it check the
    /// last one with [`check_new_indices`].
    pub fn next_index_after(&self, manifest_next: u64, jobs: &[JobRecord]) -> Result<u64, Error> {
        let mut next = manifest_next;
        for i in jobs.iter().flat_map(|j| &j.indices) {
            next = next.max(one_past(*i, &self.job_ids_path())?);
        }
        for dir in [self.results_dir(), self.logs_dir()] {
            if let Some(i) = max_numbered_entry(&dir)? {
                next = next.max(one_past(i, &dir)?);
            }
        }
        let path = self.next_index_path();
        if let Some(text) = read_optional(&path)? {
            let n = text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n <= MAX_INDEX + 1)
                .ok_or_else(|| {
                    corrupt(
                        &path,
                        &format!(
                            "expected the next trial index (0 to {}), got {:?}",
                            MAX_INDEX + 1,
                            text.trim()
                        ),
                    )
                })?;
            next = next.max(n);
        }
        Ok(next)
    }

    /// Record the high-water mark after assigning indices below `next`.
    pub fn write_next_index(&self, next: u64) -> Result<(), Error> {
        if next > MAX_INDEX + 1 {
            return Err(too_far(
                &self.next_index_path(),
                &format!("{} is past the largest trial index, {MAX_INDEX}", next - 1),
            ));
        }
        write_atomic(&self.next_index_path(), format!("{next}\n").as_bytes())
    }
}

/// Fail unless every index below `next` (the first index not assigned after adding
/// trials) is at most [`MAX_INDEX`]: call before writing or showing new trials.
pub fn check_new_indices(next: u64) -> Result<(), Error> {
    if next <= MAX_INDEX + 1 {
        return Ok(());
    }
    Err(Error::failed(format!(
        "new trials would get indices up to {}, past the largest trial index, {MAX_INDEX} (2^53 - 1)",
        next - 1
    ))
    .hint("nothing was written; this workspace has used up its indices: start the sweep in a new workspace"))
}

/// `index + 1`, unless `index` (found in `path`) is past [`MAX_INDEX`].
fn one_past(index: u64, path: &Path) -> Result<u64, Error> {
    check_index(index)
        .map(|i| i + 1)
        .map_err(|m| too_far(path, &m))
}

/// The largest `N` among entries named `N`, `N.json`, `N.out`, `N.err` in `dir`; an
/// all-digit name past [`MAX_INDEX`] is an error naming it.
fn max_numbered_entry(dir: &Path) -> Result<Option<u64>, Error> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut max = None;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.split('.').next()) else {
            continue;
        };
        if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let i = stem
            .parse::<u64>()
            .ok()
            .filter(|&i| i <= MAX_INDEX)
            .ok_or_else(|| {
                too_far(
                    &dir.join(&name),
                    &format!("{stem} is past the largest trial index, {MAX_INDEX} (2^53 - 1)"),
                )
            })?;
        max = max.max(Some(i));
    }
    Ok(max)
}

impl JobRecord {
    pub(crate) fn to_value(&self) -> Value {
        let mut m = Assoc(vec![
            ("slurm_job_id".into(), Value::Str(self.slurm_job_id.clone())),
            (
                "indices".into(),
                Value::List(self.indices.iter().map(|&i| Value::Int(i as i64)).collect()),
            ),
        ]);
        if self.task_offset != 0 {
            m.insert("task_offset", Value::Int(self.task_offset as i64));
        }
        if let Some(r) = &self.retry {
            r.write_keys(&mut m);
        }
        Value::Map(m)
    }
}

impl Retry {
    /// Add the retry's keys (`mem`, `time`, `retry_after`) to a record: a
    /// `job_ids.json` record or a journaled part, which [`parse_retry`] reads back.
    pub(crate) fn write_keys(&self, m: &mut Assoc) {
        m.insert("mem", Value::Str(self.mem.clone()));
        m.insert("time", Value::Str(self.time.clone()));
        let after = self.after.iter().map(|s| Value::Str(s.clone())).collect();
        m.insert("retry_after", Value::List(after));
    }
}

pub(super) fn parse_job_ids(text: &str) -> Result<Vec<JobRecord>, String> {
    let Value::List(items) = parse_py_json(text)? else {
        return Err("expected a JSON array of submission records".into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        let Value::Map(m) = item else {
            return Err(format!("record {at} is not an object"));
        };
        let slurm_job_id = match field(&m, "slurm_job_id", at)? {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            other => {
                return Err(format!(
                    "record {at}: slurm_job_id must be a string, got {}",
                    other.kind()
                ))
            }
        };
        if !is_job_id(&slurm_job_id) {
            return Err(format!(
                "record {at}: slurm_job_id {slurm_job_id:?} is not a job id (digits, or local-<digits>)"
            ));
        }
        let Value::List(idx) = field(&m, "indices", at)? else {
            return Err(format!("record {at}: indices must be a list"));
        };
        // One message prefix per record, not one per index (a job holds 100,000).
        let what = format!("record {at}: indices");
        let indices = idx
            .iter()
            .map(|v| as_index(v, &what))
            .collect::<Result<Vec<u64>, String>>()?;
        let task_offset = match m.get("task_offset") {
            Some(v) => as_index(v, &format!("record {at}: task_offset"))?,
            None => 0,
        };
        let retry = parse_retry(&m, at, indices.len())?;
        out.push(JobRecord {
            slurm_job_id,
            indices,
            task_offset,
            retry,
        });
    }
    Ok(out)
}

/// A record's retry keys: all three or none.
pub(crate) fn parse_retry(m: &Assoc, at: usize, n: usize) -> Result<Option<Retry>, String> {
    let (mem, time, after) = (m.get("mem"), m.get("time"), m.get("retry_after"));
    if mem.is_none() && time.is_none() && after.is_none() {
        return Ok(None);
    }
    let text = |v: Option<&Value>, key: &str, ok: fn(&str) -> bool| match v {
        Some(Value::Str(s)) if ok(s) => Ok(s.clone()),
        Some(other) => Err(format!(
            "record {at}: {key} {} is not a value herd records",
            pyjson::compact(other, false)
        )),
        None => Err(format!(
            "record {at}: a retry record needs mem, time and retry_after"
        )),
    };
    let mem = text(mem, "mem", is_resource)?;
    let time = text(time, "time", is_resource)?;
    let Some(Value::List(items)) = after else {
        return Err(format!("record {at}: retry_after must be a list"));
    };
    let after = items
        .iter()
        .map(|v| text(Some(v), "retry_after", is_state_word))
        .collect::<Result<Vec<String>, String>>()?;
    if after.len() != n {
        return Err(format!(
            "record {at}: retry_after has {} states for {n} indices",
            after.len()
        ));
    }
    Ok(Some(Retry { mem, time, after }))
}
