//! herd-watch's files: `events.jsonl` (one JSON record per action a supervision tick
//! took, appended, with the reason) and `watch.json` (the watcher's memory between
//! ticks: its own SLURM job, the trials it gave up on, whether it announced the end).
//! Both are herd's own; the reference ignores them.

use crate::error::Error;
use crate::store::fs::{open_append_nofollow, read_optional, state_error, write_atomic};
use crate::store::job_ids::is_job_id;
use crate::store::workspace::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// One line of `events.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Unix time, seconds.
    pub ts: u64,
    /// The same instant as `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    /// The event (`config::NOTIFY_EVENTS` lists them).
    pub event: String,
    /// The sweep name.
    pub sweep: String,
    /// The workspace, absolute.
    pub workspace: String,
    /// The trial, for events about one trial.
    pub index: Option<u64>,
    /// The trial's new (or last) job, `JOB_TASK`.
    pub slurm_job_id: Option<String>,
    /// The attempt the trial is on (1 = its first submission).
    pub attempt: Option<u32>,
    /// Memory of the new attempt.
    pub mem: Option<String>,
    /// Time limit of the new attempt.
    pub time_limit: Option<String>,
    /// Why, in words.
    pub reason: String,
}

impl Event {
    /// An event of `name` stamped now.
    pub fn now(name: &str, sweep: &str, workspace: &str, reason: String) -> Event {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Event {
            ts,
            time: crate::text::isotime::utc(ts as i64),
            event: name.to_string(),
            sweep: sweep.to_string(),
            workspace: workspace.to_string(),
            index: None,
            slurm_job_id: None,
            attempt: None,
            mem: None,
            time_limit: None,
            reason,
        }
    }

    /// The event as one compact JSON line (with its newline).
    pub fn line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

/// What the watcher remembers between ticks (`watch.json`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct WatchState {
    /// The self-resubmitting watcher's pending or running SLURM job, if any.
    #[serde(default)]
    pub job: Option<String>,
    /// Trials given up on, each with the `JOB_TASK` whose end was final (a later
    /// submission by hand makes the trial eligible again).
    #[serde(default)]
    pub gave_up: BTreeMap<u64, String>,
    /// The end of the sweep was announced (reset when something is submitted).
    #[serde(default)]
    pub finished: bool,
    /// `herd-stop --all` stopped the watcher: a watcher job that still starts exits
    /// without a tick and without resubmitting itself.
    #[serde(default)]
    pub stopped: bool,
}

impl Workspace {
    /// `.hyperherd/events.jsonl`.
    pub fn events_path(&self) -> PathBuf {
        self.dir().join("events.jsonl")
    }

    fn watch_path(&self) -> PathBuf {
        self.dir().join("watch.json")
    }

    /// Append `events` in one write (hold the lock).
    pub fn append_events(&self, events: &[Event]) -> Result<(), Error> {
        if events.is_empty() {
            return Ok(());
        }
        let text: String = events.iter().map(Event::line).collect();
        let path = self.events_path();
        let mut f = open_append_nofollow(&path).map_err(|e| state_error("opening", &path, e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("appending to {}", path.display()), e))
    }

    /// Read `watch.json` (missing: the default state).
    pub fn read_watch(&self) -> Result<WatchState, Error> {
        let path = self.watch_path();
        let Some(text) = read_optional(&path)? else {
            return Ok(WatchState::default());
        };
        let st: WatchState = serde_json::from_str(&text)
            .map_err(|e| crate::store::fs::corrupt(&path, &e.to_string()))?;
        if let Some(j) = &st.job {
            if !is_job_id(j) {
                return Err(crate::store::fs::corrupt(
                    &path,
                    &format!("job {j:?} is not a job id"),
                ));
            }
        }
        Ok(st)
    }

    /// Write `watch.json` atomically (hold the lock).
    pub fn write_watch(&self, st: &WatchState) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(st)
            .map_err(|e| Error::failed(format!("writing the watcher's state: {e}")))?;
        write_atomic(&self.watch_path(), format!("{text}\n").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_append_as_lines_and_state_round_trips() {
        let dir = std::env::temp_dir().join(format!("herd-watch-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".hyperherd")).unwrap();
        let ws = Workspace::new(&dir);
        let mut e = Event::now("retried", "s", "/w", "OUT_OF_MEMORY".into());
        e.index = Some(3);
        ws.append_events(&[e.clone(), e.clone()]).unwrap();
        let text = std::fs::read_to_string(ws.events_path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        let back: Event = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(ws.read_watch().unwrap(), WatchState::default());
        let mut st = WatchState {
            job: Some("42".into()),
            ..Default::default()
        };
        st.gave_up.insert(3, "41_3".into());
        ws.write_watch(&st).unwrap();
        assert_eq!(ws.read_watch().unwrap(), st);
        std::fs::write(ws.dir().join("watch.json"), r#"{"job": "../x"}"#).unwrap();
        assert!(ws.read_watch().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
