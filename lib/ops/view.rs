//! The reconciled view of a workspace: each trial's record with what SLURM (or the
//! local backend) last said about its latest job, the last line its logs show, and
//! for a running trial (or a paused or pruned one whose job still runs) the step its
//! metric streams reached (spec §12.7).

use crate::config::Config;
use crate::model::record::{Status, TrialRecord};
use crate::ops::plan;
use crate::ops::session::Session;
use crate::ops::sync;
use crate::store::cache::Detail;
use crate::store::manifest::ManifestRecord;
use crate::store::streams;
use crate::store::workspace::Workspace;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A synced view of a workspace: records with SLURM details, and staleness.
pub struct View {
    /// Every trial, in manifest order.
    pub records: Vec<TrialRecord>,
    /// Why the statuses could not be synced, if they could not.
    pub stale: Option<String>,
    /// Every submission is local (no controller is asked).
    pub local_only: bool,
    /// The trials' logs (the table reads error logs too).
    pub logs: Logs,
}

impl View {
    /// The records of an opened session (which is closed: its lock is released).
    pub fn of(s: Session) -> View {
        let latest = sync::latest_jobs(&s.jobs);
        let logs = Logs::scan(&s.ws);
        // Running, or paused or pruned with the last job still going: steps come in.
        let going = sync::still_running(&s.manifest, &s.jobs, &s.details);
        let history = crate::ops::attempts::History::new(&s.jobs);
        let mut records: Vec<TrialRecord> = s
            .manifest
            .into_iter()
            .map(|r| {
                let mut rec = detailed_record(&s.cfg, &logs, r, &s.details, &latest);
                history.fill(&mut rec, &s.cfg, &s.details);
                rec
            })
            .collect();
        let with_results = streams::trials_with_results(&s.ws);
        let wanted: Vec<usize> = records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == Status::Running || going.contains(&r.index))
            .filter(|(_, r)| with_results.contains(&r.index))
            .map(|(k, _)| k)
            .collect();
        // One thread: a second one makes every later munmap a cross-CPU TLB flush,
        // which costs more than it saves here.
        let found: Vec<Option<streams::Progress>> = wanted
            .iter()
            .map(|&k| streams::progress(&s.ws, records[k].index))
            .collect();
        for (k, p) in wanted.into_iter().zip(found) {
            if let Some(p) = p {
                (records[k].step, records[k].steps_per_min) = (Some(p.step), p.steps_per_min);
            }
        }
        let local_only = s
            .jobs
            .iter()
            .all(|j| crate::local::is_local(&j.slurm_job_id));
        View {
            records,
            stale: s.stale,
            local_only,
            logs,
        }
    }
}

/// The trials' stdout logs: which exist (one directory read, not one failed open per
/// trial that has not run yet), and their last lines.
pub struct Logs {
    dir: PathBuf,
    present: crate::text::fxhash::FxHashSet<u64>,
}

impl Logs {
    /// Read the logs directory once.
    pub(crate) fn scan(ws: &Workspace) -> Logs {
        let dir = ws.logs_dir();
        let present = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name();
                        name.to_str()?.strip_suffix(".out")?.parse().ok()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Logs { dir, present }
    }

    /// The last line of trial `index`'s stdout log (see [`last_log_line`]).
    pub(crate) fn last_line(&self, index: u64) -> Option<String> {
        if !self.present.contains(&index) {
            return None;
        }
        last_log_line(&self.dir.join(format!("{index}.out")))
    }

    /// The LAST LOG column of the table: what the trial's latest run said last. A
    /// failed trial's last error line (a traceback's last line), else its stdout's; a
    /// trial that has not started yet shows nothing, since its logs are an earlier
    /// run's.
    pub(crate) fn table_line(&self, r: &TrialRecord) -> Option<String> {
        match r.status {
            Status::Submitted | Status::Queued => None,
            Status::Failed => last_log_line(&self.dir.join(format!("{}.err", r.index)))
                .or_else(|| r.last_log_line.clone()),
            _ => r.last_log_line.clone(),
        }
    }
}

/// True for herd's run divider (`==== HyperHerd run: job J array-task T <time> ====`),
/// which the job script prints to both logs when a run starts.
fn is_divider(line: &str) -> bool {
    line.starts_with("==== HyperHerd run: job ") && line.ends_with(" ====")
}

/// A trial record with everything known about its latest submission.
pub(crate) fn detailed_record(
    cfg: &Config,
    logs: &Logs,
    r: ManifestRecord,
    details: &BTreeMap<u64, Detail>,
    latest: &sync::Latest<'_>,
) -> TrialRecord {
    let index = r.index;
    let mut rec = plan::into_record(cfg, r);
    sync::apply_detail(&mut rec, details, latest);
    rec.last_log_line = logs.last_line(index);
    rec
}

/// The last non-blank line that the latest run wrote to a log (B29), reading only its
/// tail: lines before the last run divider are an earlier run's, and the divider is
/// herd's own. None when the latest run has written nothing yet.
pub(crate) fn last_log_line(path: &Path) -> Option<String> {
    // A FIFO or device planted as a log must not block the sync (herd(7), SAFETY).
    let mut f =
        crate::store::fs::open_nofollow(path, std::fs::OpenOptions::new().read(true)).ok()?;
    let len = f.metadata().ok()?.len();
    let start = len.saturating_sub(64 * 1024);
    f.seek(SeekFrom::Start(start)).ok()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    text.lines()
        .map(str::trim)
        .rev()
        .take_while(|l| !is_divider(l))
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO or a symlink planted as a trial's log gives no last line; it neither
    /// blocks the sync (a FIFO with no writer would) nor is followed.
    #[test]
    fn a_planted_fifo_or_link_as_a_log_is_skipped_at_once() {
        let d = std::env::temp_dir().join(format!("herd-lastlog-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let fifo = d.join("0.out");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        std::fs::write(d.join("secret"), "secret line\n").unwrap();
        std::os::unix::fs::symlink(d.join("secret"), d.join("1.out")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let paths = [fifo, d.join("1.out")];
        std::thread::spawn(move || {
            let _ = tx.send(paths.iter().map(|p| last_log_line(p)).collect::<Vec<_>>());
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO log blocked");
        assert_eq!(got, [None, None]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn last_log_line_skips_trailing_blank_lines() {
        let p = std::env::temp_dir().join(format!("herd-lastlog-{}", std::process::id()));
        std::fs::write(
            &p,
            "epoch 1\nepoch 2 loss=0.5\n\n==== HyperHerd run: job 7 array-task 0 2025-01-01T00:00:00+00:00 ====\n\n\n",
        )
        .unwrap();
        assert_eq!(
            last_log_line(&p).as_deref(),
            None,
            "the latest run has printed nothing yet"
        );
        std::fs::write(
            &p,
            "\n==== HyperHerd run: job 7 array-task 0 x ====\n\nstep 1\n\n",
        )
        .unwrap();
        assert_eq!(last_log_line(&p).as_deref(), Some("step 1"));
        std::fs::write(&p, "==== HyperHerd run ====\n").unwrap();
        assert_eq!(
            last_log_line(&p).as_deref(),
            Some("==== HyperHerd run ===="),
            "only herd's divider is skipped"
        );
        std::fs::write(&p, "epoch 3\n\n  \n").unwrap();
        assert_eq!(last_log_line(&p).as_deref(), Some("epoch 3"));
        assert_eq!(last_log_line(Path::new("/nonexistent/x")), None);
    }
}
