//! The trial record: the one JSON object per line that flows between the tools.
//!
//! Every tool reads and writes these (NDJSON), so they compose with each other and
//! with `jq`. Absent knowledge is `null`, never `""`. Fields are documented in
//! `man/herd.7`.

use crate::text::value::Assoc;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The herd status of a trial.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Never submitted (the reference's legacy `pending` reads as this).
    Ready,
    /// Handed to SLURM; not yet seen by a sync.
    Submitted,
    /// Pending in SLURM.
    Queued,
    /// Running.
    Running,
    /// Finished with exit 0.
    Completed,
    /// Failed (non-zero exit, timeout, out of memory, node failure, …).
    Failed,
    /// Cancelled (by `herd-stop` or SLURM).
    Cancelled,
    /// Stopped by successive halving; terminal.
    Pruned,
    /// Paused by successive halving; resumable.
    Paused,
    /// Asked for, but not submitted yet: the user's queue was full (submit limit);
    /// `herd-watch` (or the next `herd-submit`) submits it when there is room.
    Deferred,
    /// A status written by another tool that herd does not know (kept verbatim).
    Other(String),
}

impl Status {
    /// Every status herd itself writes, in the order tables total them.
    pub const KNOWN: [&'static str; 10] = [
        "completed",
        "running",
        "queued",
        "submitted",
        "deferred",
        "ready",
        "failed",
        "cancelled",
        "paused",
        "pruned",
    ];

    /// The manifest text of the status.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Ready => "ready",
            Status::Submitted => "submitted",
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::Pruned => "pruned",
            Status::Paused => "paused",
            Status::Deferred => "deferred",
            Status::Other(s) => s,
        }
    }

    /// The `-s/--status LIST` flag group: every known status word, and `pending`.
    pub fn flag_group() -> crate::cli::Statuses {
        crate::cli::Statuses::new(&Status::KNOWN, |w| {
            !matches!(Status::parse(w), Status::Other(_))
        })
    }

    /// Parse manifest text; `pending` is the reference's legacy spelling of `ready`.
    pub fn parse(s: &str) -> Status {
        match s {
            "ready" | "pending" => Status::Ready,
            "submitted" => Status::Submitted,
            "queued" => Status::Queued,
            "running" => Status::Running,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            "pruned" => Status::Pruned,
            "paused" => Status::Paused,
            "deferred" => Status::Deferred,
            other => Status::Other(other.to_string()),
        }
    }

    /// True while SLURM (or the local runner) may still run the trial.
    pub fn is_live(&self) -> bool {
        matches!(self, Status::Submitted | Status::Queued | Status::Running)
    }

    /// True when a plain submission (re)submits the trial.
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Status::Ready | Status::Failed | Status::Cancelled | Status::Deferred
        )
    }
}

/// How many of `statuses` have each status: those of [`Status::KNOWN`] in its order,
/// then any other in alphabetical order.
pub fn tally<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for s in statuses {
        *counts.entry(s.as_str()).or_default() += 1;
    }
    let known = Status::KNOWN
        .iter()
        .filter_map(|k| counts.get(k).map(|n| (k.to_string(), *n)));
    let other = counts
        .iter()
        .filter(|(k, _)| !Status::KNOWN.contains(k))
        .map(|(k, n)| (k.to_string(), *n));
    known.chain(other).collect()
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Status::parse(&s))
    }
}

/// One trial, as printed by `herd-expand`, `herd-status`, `herd-submit`, ….
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrialRecord {
    /// The sweep name (`name` in hyperherd.yaml).
    pub sweep: String,
    /// The workspace directory, absolute.
    pub workspace: String,
    /// The trial index (stable for the life of the workspace).
    pub index: u64,
    /// The trial identity: 12 hex digits of SHA-1 over params and extras.
    pub hash: String,
    /// The frozen experiment name (null for legacy records without one).
    pub experiment_name: Option<String>,
    /// Parameter values, in order.
    pub params: Assoc,
    /// Values written by conditions' `set`, in order.
    pub extras: Assoc,
    /// The override string the launcher receives.
    pub overrides: String,
    /// The herd status.
    pub status: Status,
    /// The SLURM job id of the trial's latest submission (`JOBID_TASK`), if any.
    #[serde(default)]
    pub slurm_job_id: Option<String>,
    /// The raw SLURM state from the last sync (e.g. `TIMEOUT`, `OUT_OF_MEMORY`).
    #[serde(default)]
    pub slurm_state: Option<String>,
    /// Why the trial is pending or how it ended, when SLURM says.
    #[serde(default)]
    pub reason: Option<String>,
    /// The trial's exit code, once finished.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// Wall time so far or in total, in seconds.
    #[serde(default)]
    pub elapsed_seconds: Option<u64>,
    /// Peak resident memory, in bytes.
    #[serde(default)]
    pub max_rss_bytes: Option<u64>,
    /// Requested memory, in bytes.
    #[serde(default)]
    pub req_mem_bytes: Option<u64>,
    /// The last non-blank line of the trial's stdout log.
    #[serde(default)]
    pub last_log_line: Option<String>,
    /// The step the trial last logged to a metric stream, while it runs (read from
    /// the streams' tails: of the stream that got furthest, its last record's step).
    #[serde(default)]
    pub step: Option<i64>,
    /// Steps per minute over that stream's last 80 records, while the trial runs and
    /// its steps and times advance.
    #[serde(default)]
    pub steps_per_min: Option<f64>,
    /// Summary metrics the trial logged, when read.
    #[serde(default)]
    pub metrics: Option<Assoc>,
    /// The status before this command changed it (printed by `herd-stop` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<Status>,
    /// Every submission of a trial that herd-watch retried, oldest first (absent for
    /// a trial never retried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Vec<Attempt>>,
}

/// One submission of a retried trial: its job, the resources it ran with, and how it
/// ended (null while it runs or when SLURM no longer says).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// `JOB_TASK`.
    pub slurm_job_id: String,
    /// `--mem` it ran with.
    pub mem: String,
    /// `--time` it ran with.
    pub time: String,
    /// The SLURM state it ended in (`OUT_OF_MEMORY`, ...), or the latest one's state.
    pub slurm_state: Option<String>,
}

/// The part of a trial record that names a trial, as tools read it from stdin.
#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "a trial record")]
pub struct TrialRef {
    /// The trial index.
    pub index: u64,
    /// The trial hash (must match the manifest's).
    pub hash: String,
    /// The workspace the record came from.
    #[serde(default)]
    pub workspace: Option<String>,
}

/// The workspace to act on: the argument, else the one the stdin records belong to,
/// so that `herd-expand WS | herd-submit` needs WS only once.
pub fn workspace_arg(
    arg: Option<std::path::PathBuf>,
    refs: Option<&[TrialRef]>,
) -> Option<std::path::PathBuf> {
    arg.or_else(|| {
        refs?
            .first()?
            .workspace
            .clone()
            .map(std::path::PathBuf::from)
    })
}

/// Read trial records (NDJSON or concatenated JSON) from `input`.
pub fn read_refs(input: impl std::io::Read) -> Result<Vec<TrialRef>, crate::error::Error> {
    let mut out = Vec::new();
    for (n, r) in serde_json::Deserializer::from_reader(input)
        .into_iter::<TrialRef>()
        .enumerate()
    {
        out.push(r.map_err(|e| {
            crate::error::Error::invalid(format!(
                "reading trial record {} from stdin (expected herd-expand/herd-status output): {e}",
                n + 1
            ))
        })?);
    }
    Ok(out)
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

/// What a scheduler (SLURM or the local backend) says about one array task.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// The state's first word as SLURM prints it (`CANCELLED by 0` → `CANCELLED`).
    pub state: String,
    /// Why it is pending, or what ended it (`CANCELLED by 0`).
    pub reason: Option<String>,
    /// The exit status (128 + signal when a signal ended it).
    pub exit_code: Option<i64>,
    /// Wall time in seconds.
    pub elapsed_seconds: Option<u64>,
    /// Peak resident memory of the batch step, in bytes.
    pub max_rss_bytes: Option<u64>,
    /// Requested memory, in bytes.
    pub req_mem_bytes: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_keep_unknown_text() {
        for s in [
            "ready",
            "submitted",
            "queued",
            "running",
            "completed",
            "failed",
            "cancelled",
            "pruned",
            "paused",
            "completing",
        ] {
            assert_eq!(Status::parse(s).as_str(), s);
        }
        assert_eq!(Status::parse("pending"), Status::Ready);
    }
}
