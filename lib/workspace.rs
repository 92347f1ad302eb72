//! The `.hyperherd/` store: paths, the lock, atomic writes, manifest and job_ids I/O.
//!
//! `manifest.json` and `job_ids.json` are byte-compatible with the reference (indented
//! Python JSON, no trailing newline). Every write is atomic (temp file, fsync, rename,
//! fsync of the directory) and every read-modify-write holds an exclusive `flock` on
//! `.hyperherd/lock` (B15). A corrupt file is an error naming it; it is never replaced.

use crate::error::Error;
use crate::naming::trial_hash;
use crate::pyjson;
use crate::record::Status;
use crate::value::{Assoc, Value};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The paths of one workspace.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The workspace directory (holds hyperherd.yaml), absolute.
    pub root: PathBuf,
}

/// One trial as stored in `manifest.json` (spec §5.1).
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestRecord {
    /// The trial index.
    pub index: u64,
    /// The trial hash (recomputed for legacy records without one).
    pub hash: String,
    /// Parameter values.
    pub params: Assoc,
    /// Extras from conditions.
    pub extras: Assoc,
    /// The frozen experiment name (absent in legacy records).
    pub experiment_name: Option<String>,
    /// The status.
    pub status: Status,
}

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
}

/// Manifest records looked up by trial index in O(1) (sweeps reach 100,000 trials).
#[derive(Debug)]
pub struct ByIndex<'a> {
    records: &'a [ManifestRecord],
    pos: crate::fxhash::FxHashMap<u64, usize>,
}

impl<'a> ByIndex<'a> {
    /// Index `records`.
    pub fn new(records: &'a [ManifestRecord]) -> ByIndex<'a> {
        ByIndex {
            records,
            pos: records
                .iter()
                .enumerate()
                .map(|(k, r)| (r.index, k))
                .collect(),
        }
    }

    /// The record of trial `index`.
    pub fn get(&self, index: u64) -> Option<&'a ManifestRecord> {
        self.pos.get(&index).map(|&k| &self.records[k])
    }
}

/// An exclusive lock on `.hyperherd/lock`, released on drop.
#[derive(Debug)]
pub struct Lock {
    _flock: nix::fcntl::Flock<File>,
}

impl Workspace {
    /// The workspace rooted at `root` (absolute).
    pub fn new(root: &Path) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
        }
    }

    /// `.hyperherd/`.
    pub fn dir(&self) -> PathBuf {
        self.root.join(".hyperherd")
    }
    /// `.hyperherd/manifest.json`.
    pub fn manifest_path(&self) -> PathBuf {
        self.dir().join("manifest.json")
    }
    /// `.hyperherd/job_ids.json`.
    pub fn job_ids_path(&self) -> PathBuf {
        self.dir().join("job_ids.json")
    }
    /// `.hyperherd/logs/`.
    pub fn logs_dir(&self) -> PathBuf {
        self.dir().join("logs")
    }
    /// `.hyperherd/results/`.
    pub fn results_dir(&self) -> PathBuf {
        self.dir().join("results")
    }
    /// `.hyperherd/next_index`: herd's high-water mark of assigned indices (B16).
    pub fn next_index_path(&self) -> PathBuf {
        self.dir().join("next_index")
    }

    /// True when the workspace has a manifest (the reference's definition of "exists").
    pub fn exists(&self) -> bool {
        self.manifest_path().is_file()
    }

    /// Fail (exit 2, with the way out) unless the workspace has a manifest.
    pub fn require_manifest(&self) -> Result<(), Error> {
        if self.exists() {
            return Ok(());
        }
        Err(
            Error::invalid(format!("{} has no manifest yet", self.dir().display()))
                .hint("submit the sweep first: herd-expand | herd-submit"),
        )
    }

    /// Create `.hyperherd/` and `.hyperherd/logs/`.
    pub fn create_dirs(&self) -> Result<(), Error> {
        let logs = self.logs_dir();
        fs::create_dir_all(&logs).map_err(|e| Error::io(format!("creating {}", logs.display()), e))
    }

    /// Take the exclusive workspace lock (blocks until free). Creates `.hyperherd/`.
    pub fn lock(&self) -> Result<Lock, Error> {
        self.create_dirs()?;
        let path = self.dir().join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let flock = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, errno)| Error::io(format!("locking {}", path.display()), errno.into()))?;
        Ok(Lock { _flock: flock })
    }

    /// The manifest's text, unparsed; `None` when there is none.
    pub fn read_manifest_text(&self) -> Result<Option<String>, Error> {
        read_optional(&self.manifest_path())
    }

    /// Read the manifest; `None` when there is none.
    pub fn read_manifest(&self) -> Result<Option<Vec<ManifestRecord>>, Error> {
        let text = self.read_manifest_text()?;
        self.parse_manifest(text)
    }

    /// The records of a manifest text from [`Workspace::read_manifest_text`].
    pub fn parse_manifest(
        &self,
        text: Option<String>,
    ) -> Result<Option<Vec<ManifestRecord>>, Error> {
        let Some(text) = text else {
            return Ok(None);
        };
        parse_manifest(&text)
            .map(Some)
            .map_err(|msg| corrupt(&self.manifest_path(), &msg))
    }

    /// Write the manifest atomically. Hold the lock around read-modify-write.
    pub fn write_manifest(&self, records: &[ManifestRecord]) -> Result<(), Error> {
        write_atomic(&self.manifest_path(), manifest_text(records).as_bytes())
    }

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
        self.next_index_after(
            manifest.iter().map(|r| r.index + 1).max().unwrap_or(0),
            jobs,
        )
    }

    /// [`Workspace::next_index`] given the manifest's own: `manifest_next` is one past
    /// its highest index (0 when it is empty).
    pub fn next_index_after(&self, manifest_next: u64, jobs: &[JobRecord]) -> Result<u64, Error> {
        let mut next = manifest_next;
        next = next.max(
            jobs.iter()
                .flat_map(|j| &j.indices)
                .map(|i| i + 1)
                .max()
                .unwrap_or(0),
        );
        for dir in [self.results_dir(), self.logs_dir()] {
            next = next.max(max_numbered_entry(&dir).map_or(0, |i| i + 1));
        }
        if let Some(text) = read_optional(&self.next_index_path())? {
            if let Ok(n) = text.trim().parse::<u64>() {
                next = next.max(n);
            }
        }
        Ok(next)
    }

    /// Record the high-water mark after assigning indices below `next`.
    pub fn write_next_index(&self, next: u64) -> Result<(), Error> {
        write_atomic(&self.next_index_path(), format!("{next}\n").as_bytes())
    }
}

/// The largest `N` among entries named `N`, `N.json`, `N.out`, `N.err` in `dir`.
fn max_numbered_entry(dir: &Path) -> Option<u64> {
    let entries = fs::read_dir(dir).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let stem = name.split('.').next()?;
            stem.parse::<u64>().ok()
        })
        .max()
}

fn corrupt(path: &Path, msg: &str) -> Error {
    Error::failed(format!("{} is corrupt: {msg}", path.display()))
        .hint("nothing was changed; restore the file from a backup or fix it by hand")
}

/// Read a file that may not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Write `data` to `path` atomically: a temp file in the same directory, fsync,
/// rename over the target, fsync of the directory.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let what = |verb: &str| format!("{verb} {}", path.display());
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| Error::io(what("writing"), e))?;
        f.write_all(data)
            .map_err(|e| Error::io(what("writing"), e))?;
        f.sync_all().map_err(|e| Error::io(what("syncing"), e))?;
        fs::rename(&tmp, path).map_err(|e| Error::io(what("replacing"), e))?;
        if let Ok(d) = File::open(dir) {
            // Best effort: some filesystems refuse fsync on directories.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The text of `manifest.json` (Python `json.dumps(indent=2)`, no trailing newline).
fn manifest_text(records: &[ManifestRecord]) -> String {
    let mut out = String::with_capacity(64 + 256 * records.len());
    pyjson::write_indented_list(&mut out, records, |out, r| {
        let mut o = pyjson::Object::open(out, 1);
        o.int("index", r.index);
        o.str("hash", &r.hash);
        o.map("params", &r.params);
        o.map("extras", &r.extras);
        if let Some(n) = &r.experiment_name {
            o.str("experiment_name", n);
        }
        o.str("status", r.status.as_str());
        o.close();
    });
    out
}

impl JobRecord {
    fn to_value(&self) -> Value {
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
        Value::Map(m)
    }
}

/// Python's json module writes NaN/Infinity; accept them when reading its files.
pub(crate) fn parse_py_json(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            let fixed = replace_non_finite(text);
            serde_json::from_str::<Value>(&fixed.0)
                .map(|v| restore_non_finite(v, &fixed.1))
                .map_err(|_| first.to_string())
        }
    }
}

/// Replace bare `NaN`/`Infinity`/`-Infinity` tokens (outside strings) by marker strings.
fn replace_non_finite(text: &str) -> (String, [&'static str; 3]) {
    // As JSON text the markers are strings starting with an escaped NUL, which no
    // file written by either tool contains.
    const MARKS: [&str; 3] = [
        "\"\\u0000herd:nan\"",
        "\"\\u0000herd:inf\"",
        "\"\\u0000herd:-inf\"",
    ];
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let token = [("NaN", 0), ("Infinity", 1), ("-Infinity", 2)]
            .into_iter()
            .find(|(t, _)| rest.starts_with(t));
        if let Some((t, i)) = token {
            out.push_str(MARKS[i]);
            rest = &rest[t.len()..];
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (out, ["\u{0}herd:nan", "\u{0}herd:inf", "\u{0}herd:-inf"])
}

fn restore_non_finite(v: Value, marks: &[&str; 3]) -> Value {
    match v {
        Value::Str(s) => match marks.iter().position(|m| *m == s) {
            Some(0) => Value::Float(f64::NAN),
            Some(1) => Value::Float(f64::INFINITY),
            Some(_) => Value::Float(f64::NEG_INFINITY),
            None => Value::Str(s),
        },
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|x| restore_non_finite(x, marks))
                .collect(),
        ),
        Value::Map(m) => Value::Map(Assoc(
            m.0.into_iter()
                .map(|(k, x)| (k, restore_non_finite(x, marks)))
                .collect(),
        )),
        other => other,
    }
}

fn field<'a>(m: &'a Assoc, key: &str, at: usize) -> Result<&'a Value, String> {
    m.get(key)
        .ok_or_else(|| format!("record {at} has no '{key}'"))
}

fn as_index(v: &Value, what: &str) -> Result<u64, String> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as u64),
        other => Err(format!(
            "{what} must be a non-negative integer, got {}",
            other.kind()
        )),
    }
}

/// A manifest record as stored, read without an intermediate value tree (the fast
/// path; files with Python's `NaN` tokens or odd shapes take the general one).
#[derive(serde::Deserialize)]
struct StoredRecord {
    index: u64,
    hash: Option<String>,
    #[serde(default)]
    params: Assoc,
    #[serde(default)]
    extras: Assoc,
    experiment_name: Option<String>,
    status: Option<String>,
}

fn parse_manifest(text: &str) -> Result<Vec<ManifestRecord>, String> {
    if let Ok(stored) = serde_json::from_str::<Vec<StoredRecord>>(text) {
        return Ok(stored
            .into_iter()
            .map(|r| ManifestRecord {
                hash: r.hash.unwrap_or_else(|| trial_hash(&r.params, &r.extras)),
                index: r.index,
                params: r.params,
                extras: r.extras,
                experiment_name: r.experiment_name,
                status: r.status.as_deref().map_or(Status::Ready, Status::parse),
            })
            .collect());
    }
    let Value::List(items) = parse_py_json(text)? else {
        return Err("expected a JSON array of trial records".into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        let Value::Map(m) = item else {
            return Err(format!("record {at} is not an object"));
        };
        let index = as_index(field(&m, "index", at)?, &format!("record {at}: index"))?;
        let map_of = |key: &str| -> Result<Assoc, String> {
            match m.get(key) {
                None => Ok(Assoc::new()),
                Some(Value::Map(a)) => Ok(a.clone()),
                Some(other) => Err(format!(
                    "record {at}: '{key}' must be an object, got {}",
                    other.kind()
                )),
            }
        };
        let params = map_of("params")?;
        let extras = map_of("extras")?;
        let hash = match m.get("hash") {
            Some(Value::Str(h)) => h.clone(),
            // Legacy records without a hash: recompute it (spec §5.1).
            _ => trial_hash(&params, &extras),
        };
        let experiment_name = match m.get("experiment_name") {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let status = match m.get("status") {
            Some(Value::Str(s)) => Status::parse(s),
            _ => Status::Ready,
        };
        out.push(ManifestRecord {
            index,
            hash,
            params,
            extras,
            experiment_name,
            status,
        });
    }
    Ok(out)
}

fn parse_job_ids(text: &str) -> Result<Vec<JobRecord>, String> {
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
        let Value::List(idx) = field(&m, "indices", at)? else {
            return Err(format!("record {at}: indices must be a list"));
        };
        let indices = idx
            .iter()
            .map(|v| as_index(v, &format!("record {at}: indices")))
            .collect::<Result<Vec<u64>, String>>()?;
        let task_offset = match m.get("task_offset") {
            Some(v) => as_index(v, &format!("record {at}: task_offset"))?,
            None => 0,
        };
        out.push(JobRecord {
            slurm_job_id,
            indices,
            task_offset,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[\n  {\n    \"index\": 1,\n    \"hash\": \"c7b33ade283a\",\n    \"params\": {\n      \"learning_rate\": 0.0001,\n      \"optimizer\": \"sgd\",\n      \"use_amp\": true\n    },\n    \"extras\": {\n      \"scheduler.warmup\": 100,\n      \"tag\": \"sgd-x\"\n    },\n    \"experiment_name\": \"lr-0.0001_opt-sgd_use_amp-True\",\n    \"status\": \"ready\"\n  }\n]";

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("herd-ws-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn manifest_round_trips_byte_for_byte() {
        let recs = parse_manifest(MANIFEST).unwrap();
        assert_eq!(recs[0].index, 1);
        assert_eq!(manifest_text(&recs), MANIFEST);
        assert_eq!(manifest_text(&[]), "[]");
    }

    #[test]
    fn job_ids_round_trip_byte_for_byte() {
        let text = "[\n  {\n    \"slurm_job_id\": \"1001\",\n    \"indices\": [\n      0,\n      1,\n      2\n    ]\n  }\n]";
        let jobs = parse_job_ids(text).unwrap();
        let v = Value::List(jobs.iter().map(JobRecord::to_value).collect());
        assert_eq!(pyjson::indented(&v), text);
    }

    #[test]
    fn chunked_job_records_keep_their_task_offset() {
        let jobs = vec![JobRecord {
            slurm_job_id: "7".into(),
            indices: vec![20, 21],
            task_offset: 20,
        }];
        let text = pyjson::indented(&Value::List(jobs.iter().map(JobRecord::to_value).collect()));
        assert!(text.contains("\"task_offset\": 20"), "{text}");
        assert_eq!(parse_job_ids(&text).unwrap(), jobs);
    }

    #[test]
    fn corrupt_manifest_is_an_error_and_untouched() {
        let d = tempdir("corrupt");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        fs::write(ws.manifest_path(), "[{\"index\": ").unwrap();
        let e = ws.read_manifest().unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("manifest.json is corrupt"), "{e}");
        assert_eq!(
            fs::read_to_string(ws.manifest_path()).unwrap(),
            "[{\"index\": "
        );
    }

    #[test]
    fn next_index_never_reuses_history() {
        let d = tempdir("hwm");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        assert_eq!(ws.next_index(&[], &[]).unwrap(), 0);
        let jobs = vec![JobRecord {
            slurm_job_id: "1".into(),
            indices: vec![0, 4],
            task_offset: 0,
        }];
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 5);
        fs::create_dir_all(ws.results_dir()).unwrap();
        fs::write(ws.results_dir().join("7.json"), "{}").unwrap();
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 8);
        ws.write_next_index(12).unwrap();
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 12);
    }

    #[test]
    fn python_non_finite_tokens_are_read() {
        let v = parse_py_json(r#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN"}"#).unwrap();
        let Value::Map(m) = v else { panic!() };
        assert!(matches!(m.get("a"), Some(Value::Float(f)) if f.is_nan()));
        assert_eq!(m.get("c"), Some(&Value::Str("NaN".into())));
    }

    #[test]
    fn legacy_records_get_their_hash_recomputed() {
        let recs = parse_manifest(
            r#"[{"index": 0, "params": {"lr": 0.1}, "extras": {}, "status": "pending"}]"#,
        )
        .unwrap();
        assert_eq!(recs[0].hash, trial_hash(&recs[0].params, &recs[0].extras));
        assert_eq!(recs[0].status, Status::Ready);
    }
}
