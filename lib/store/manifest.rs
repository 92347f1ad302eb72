//! `manifest.json`: one record per trial, byte-compatible with the reference
//! (indented Python JSON, no trailing newline). A manifest with two records of one
//! index, an index past [`MAX_INDEX`], or a status that is not a string, is corrupt.

use crate::error::Error;
use crate::model::naming::trial_hash;
use crate::model::record::Status;
use crate::store::fs::{corrupt, parse_py_json, read_optional, write_atomic};
use crate::store::workspace::{check_index, too_far, Workspace};
use crate::text::pyjson;
use crate::text::value::{Assoc, Value};

pub use crate::model::record::ManifestRecord;

/// Manifest records looked up by trial index in O(1) (sweeps reach 100,000 trials).
#[derive(Debug)]
pub struct ByIndex<'a> {
    records: &'a [ManifestRecord],
    pos: crate::text::fxhash::FxHashMap<u64, usize>,
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

impl Workspace {
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
        for r in records {
            check_index(r.index).map_err(|m| too_far(&self.manifest_path(), &m))?;
        }
        write_atomic(&self.manifest_path(), manifest_text(records).as_bytes())
    }
}

/// The text of `manifest.json` (Python `json.dumps(indent=2)`, no trailing newline).
pub(super) fn manifest_text(records: &[ManifestRecord]) -> String {
    let mut out = String::with_capacity(64 + 320 * records.len());
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

pub(super) fn field<'a>(m: &'a Assoc, key: &str, at: usize) -> Result<&'a Value, String> {
    m.get(key)
        .ok_or_else(|| format!("record {at} has no '{key}'"))
}

pub(super) fn as_index(v: &Value, what: &str) -> Result<u64, String> {
    match v {
        Value::Int(i) if *i >= 0 => check_index(*i as u64).map_err(|m| format!("{what} {m}")),
        other => Err(format!(
            "{what} must be a non-negative integer, got {}",
            other.kind()
        )),
    }
}

/// A record's status: a string (one herd does not know is kept verbatim, as the
/// reference keeps raw SLURM states), or missing (a legacy record: `ready`); anything
/// else would read as `ready` and run a finished trial again, so it is refused.
fn as_status(v: Option<&Value>, at: usize, index: u64) -> Result<Status, String> {
    match v {
        None => Ok(Status::Ready),
        Some(Value::Str(s)) => Ok(Status::parse(s)),
        Some(other) => Err(format!(
            "record {at} (index {index}): status must be a string, got {}",
            other.kind()
        )),
    }
}

/// Refuse a second record of one index (herd-res would show one trial's results under
/// the other's name).
fn check_unique(records: &[ManifestRecord]) -> Result<(), String> {
    let mut seen: crate::text::fxhash::FxHashMap<u64, usize> = Default::default();
    seen.reserve(records.len());
    for (at, r) in records.iter().enumerate() {
        if let Some(first) = seen.insert(r.index, at) {
            return Err(format!(
                "record {at} (index {}): record {first} has this index too",
                r.index
            ));
        }
    }
    Ok(())
}

/// A field that is `None` when absent and `Some(None)` when `null`, so a `null`
/// status is told from a missing one.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
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
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<String>>,
}

pub(super) fn parse_manifest(text: &str) -> Result<Vec<ManifestRecord>, String> {
    if let Ok(stored) = serde_json::from_str::<Vec<StoredRecord>>(text) {
        let mut out = Vec::with_capacity(stored.len());
        for (at, r) in stored.into_iter().enumerate() {
            check_index(r.index).map_err(|m| format!("record {at}: index {m}"))?;
            let status = match r.status {
                None => Status::Ready,
                Some(Some(s)) => Status::parse(&s),
                Some(None) => as_status(Some(&Value::Null), at, r.index)?,
            };
            out.push(ManifestRecord {
                hash: r.hash.unwrap_or_else(|| trial_hash(&r.params, &r.extras)),
                index: r.index,
                params: r.params,
                extras: r.extras,
                experiment_name: r.experiment_name,
                status,
            });
        }
        check_unique(&out)?;
        return Ok(out);
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
        let status = as_status(m.get("status"), at, index)?;
        out.push(ManifestRecord {
            index,
            hash,
            params,
            extras,
            experiment_name,
            status,
        });
    }
    check_unique(&out)?;
    Ok(out)
}
