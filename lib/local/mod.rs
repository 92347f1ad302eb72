//! The local backend: a submission's job script run on this machine, for workstations
//! without SLURM.
//!
//! `herd-submit --local` writes the job's directory `.hyperherd/local/<job>/` (a copy
//! of the job script and `spec.json`) and starts a **runner**: the tool itself
//! (herd-submit, herd-sh) re-executed with `--local-runner DIR`, in a new session, so
//! it outlives the terminal.
//! The runner starts each trial as `bash job.sbatch` in its own process group, with the
//! variables a SLURM array task sees, at most `max_concurrent` at a time; it enforces
//! the time limit (TERM, then KILL after the kill wait, reported as `TIMEOUT`) and
//! acts on cancel markers that `herd-stop` leaves in `cancel/<task>`.
//!
//! Everything the runner knows goes to `events`, an append-only text file (one line per
//! event, so a crash loses at most a half line, which readers skip):
//!
//! ```text
//! runner <pid> <start ticks> <boot id> <unix ms>
//! start <task> <pid> <start ticks> <unix ms>
//! end <task> <STATE> <exit code|-> <max rss bytes|-> <unix ms>
//! lost <unix ms>
//! ```
//!
//! `lost` is written by a status sync, never by the runner: it found no `runner` line,
//! so the runner never started (herd-submit died first) and the job's trials are
//! pending again. The runner writes its `runner` line, and the sync its `lost` line,
//! while holding an `flock` on the events file, each only if the other line is absent:
//! a runner that was still starting when its job was declared lost runs nothing, and a
//! runner that recorded itself is never declared lost.
//!
//! [`observe`] folds it into SLURM-like observations for the status sync. Processes are
//! identified by pid *and* start time *and* boot id, so a reused pid or a reboot is
//! never mistaken for a live runner: a trial whose runner is gone is reported `LOST`
//! (its leftover processes are killed first), never "running" forever.

pub mod cpupool;

mod events;
mod proc;
mod runner;

use crate::error::Error;
use crate::model::record::Observation;
use crate::store::job_ids::JobRecord;
use crate::store::workspace::Workspace;
use events::{now_ms, read_events, settle_unstarted, TaskEvents};
use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

pub(crate) use proc::{alive, Proc};
use proc::{boot_id, signal_group};
pub use runner::run_runner;

/// The runner's entry: a tool that can start local jobs (herd-submit, herd-sh) is
/// re-executed as `TOOL --local-runner DIR`. True when `argv` is that call and the
/// runner has run.
pub fn runner_call(argv: &[std::ffi::OsString]) -> Result<bool, Error> {
    match argv {
        [flag, dir] if flag == "--local-runner" => {
            run_runner(std::path::Path::new(dir))?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Local job ids are `local-<n>`: never confused with a SLURM job id.
use crate::store::job_ids::LOCAL_PREFIX as PREFIX;

/// SLURM's default `KillWait`: how long a trial has between TERM and KILL.
pub const KILL_WAIT_SECONDS: u64 = 30;

/// The kill wait of a new local job: `HERD_LOCAL_KILL_WAIT` seconds, else SLURM's
/// default.
pub fn kill_wait_seconds() -> u64 {
    std::env::var("HERD_LOCAL_KILL_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(KILL_WAIT_SECONDS)
}

/// True for a job id of the local backend.
pub fn is_local(job_id: &str) -> bool {
    job_id.starts_with(PREFIX)
}

/// What the runner needs (`spec.json` in the job's directory).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Spec {
    /// `local-<n>`.
    pub job_id: String,
    /// `SLURM_JOB_NAME`.
    pub job_name: String,
    /// The workspace directory (the trials' working directory).
    pub workspace: PathBuf,
    /// Trial indices (= task ids: local jobs are never re-based), ascending.
    pub indices: Vec<u64>,
    /// At most this many trials at a time.
    pub max_concurrent: u64,
    /// The config's `slurm.time`, in seconds (none: unlimited).
    pub time_limit_seconds: Option<u64>,
    /// Seconds between TERM and KILL.
    pub kill_wait_seconds: u64,
    /// `SLURM_CPUS_PER_TASK`.
    pub cpus_per_task: u64,
    /// The config's `slurm.mem` in bytes (reported, not enforced).
    pub req_mem_bytes: Option<u64>,
    /// The CPU pool this user's runners share (see `cpupool`); none: not used.
    #[serde(default)]
    pub pool: Option<PathBuf>,
    /// The pool's size in CPUs.
    #[serde(default)]
    pub pool_cpus: u64,
}

/// `.hyperherd/local/`.
pub fn jobs_dir(ws: &Workspace) -> PathBuf {
    ws.dir().join("local")
}

/// `.hyperherd/local/<job>/`.
pub fn job_dir(ws: &Workspace, job_id: &str) -> PathBuf {
    jobs_dir(ws).join(job_id)
}

/// A fresh job id: one past every local id in `job_ids.json` and on disk.
pub fn next_job_id(ws: &Workspace, jobs: &[JobRecord]) -> String {
    let number = |s: &str| s.strip_prefix(PREFIX).and_then(|n| n.parse::<u64>().ok());
    let recorded = jobs.iter().filter_map(|j| number(&j.slurm_job_id));
    let on_disk: Vec<u64> = fs::read_dir(jobs_dir(ws))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| number(&e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    let max = recorded.chain(on_disk).max().unwrap_or(0);
    format!("{PREFIX}{}", max.saturating_add(1))
}

/// The default concurrency: the CPUs of this machine divided by the trial's
/// `cpus_per_task` (at least 1), so trials do not oversubscribe the machine.
pub fn default_max_concurrent(cpus_per_task: u64) -> u64 {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    (cpus / cpus_per_task.max(1)).max(1)
}

/// Write the job's directory and start its detached runner. Returns once the runner
/// has recorded itself, so a sync right after sees it alive.
pub fn start(ws: &Workspace, spec: &Spec, script: &str) -> Result<(), Error> {
    let dir = job_dir(ws, &spec.job_id);
    let cancel = dir.join("cancel");
    fs::create_dir_all(&cancel)
        .map_err(|e| Error::io(format!("creating {}", cancel.display()), e))?;
    crate::store::script::write_executable(&dir.join("job.sbatch"), script)?;
    let text =
        serde_json::to_vec_pretty(spec).map_err(|e| Error::json("writing the local job", e))?;
    crate::store::fs::write_atomic(&dir.join("spec.json"), &text)?;
    crate::runtime::crash_point("before-runner");
    let log_path = dir.join("runner.log");
    let log = crate::store::fs::open_append_nofollow(&log_path)
        .map_err(|e| crate::store::fs::state_error("opening", &log_path, e))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::io("finding this program's own executable", e))?;
    let mut cmd = Command::new(&exe);
    cmd.arg("--local-runner")
        .arg(&dir)
        .current_dir(&spec.workspace)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(Into::into));
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io(format!("starting the local runner {}", exe.display()), e))?;
    // The runner prints "ready" once its first event is written, then closes stdout.
    let mut answer = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut answer);
    }
    if answer.trim() != "ready" {
        let _ = child.wait();
        let log = crate::store::fs::read_optional(&log_path)
            .ok()
            .flatten()
            .unwrap_or_default();
        return Err(Error::failed(format!(
            "the local runner did not start: {}",
            log.lines().last().unwrap_or("no message")
        ))
        .hint(format!("its log is {}", log_path.display())));
    }
    // The runner lives on in its own session; this process does not wait for it.
    Ok(())
}

/// Write the cancel markers of `tasks` and TERM those that run (the runner sends KILL
/// after the kill wait and records them `CANCELLED`).
pub fn cancel(ws: &Workspace, job_id: &str, tasks: &[u64]) -> Result<(), Error> {
    if !crate::store::job_ids::is_job_id(job_id) {
        return Err(Error::failed(format!(
            "refusing to cancel {job_id:?}: not a job id"
        )));
    }
    let dir = job_dir(ws, job_id);
    let cancel = dir.join("cancel");
    // Markers go into the job's own directories, never through a planted link.
    for d in [&dir, &cancel] {
        if fs::symlink_metadata(d).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::failed(format!(
                "refusing to write cancel markers in {}: it is a symbolic link",
                d.display()
            ))
            .hint("herd keeps its state in regular files and directories; remove the link"));
        }
    }
    fs::create_dir_all(&cancel)
        .map_err(|e| Error::io(format!("creating {}", cancel.display()), e))?;
    for t in tasks {
        let p = cancel.join(t.to_string());
        crate::store::fs::open_nofollow(&p, OpenOptions::new().create(true).write(true))
            .map_err(|e| crate::store::fs::state_error("writing", &p, e))?;
    }
    let events = read_events(&dir);
    for t in tasks {
        if let Some(task) = events.tasks.get(t).filter(|x| x.end.is_none()) {
            signal_group(&task.proc, Signal::SIGTERM);
        }
    }
    Ok(())
}

/// What the local backend says about each task of `job_id` (the tasks of its job
/// record, `recorded`, and of its spec), keyed by task id.
///
/// A task the runner will never finish (the runner died, the machine rebooted, the
/// runner never started) is `LOST`; its leftover processes are killed first, so a
/// resubmission cannot run next to them. A task whose end the runner did not record
/// but whose exit record names this job ended as that record says: a finished trial
/// is never lost.
pub fn observe(ws: &Workspace, job_id: &str, recorded: &[u64]) -> BTreeMap<u64, Observation> {
    let dir = job_dir(ws, job_id);
    let spec: Option<Spec> = crate::store::fs::read_optional(&dir.join("spec.json"))
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok());
    let mut ev = read_events(&dir);
    let mut unsettled = None;
    if ev.runner.is_none() && !ev.lost {
        match settle_unstarted(&dir) {
            Ok(e) => ev = e,
            Err(e) => unsettled = Some(e),
        }
    }
    let runner_alive = ev.runner.as_ref().is_some_and(alive);
    let gone_why = match &ev.runner {
        None => "the local runner never started".to_string(),
        Some(r) if r.boot_id != boot_id() => "the machine rebooted during the trial".into(),
        Some(r) => format!(
            "the local runner (pid {}) stopped before the trial ended",
            r.pid
        ),
    };
    let cancelled = |t: u64| dir.join("cancel").join(t.to_string()).exists();
    let req_mem = spec.as_ref().and_then(|s| s.req_mem_bytes);
    let now = now_ms();
    let mut out = BTreeMap::new();
    let tasks: BTreeSet<u64> = spec
        .iter()
        .flat_map(|s| s.indices.iter().copied())
        .chain(ev.tasks.keys().copied())
        .chain(recorded.iter().copied())
        .collect();
    // How a task ended by its exit record (the job script writes it before it exits,
    // so a runner killed before it recorded the end leaves it behind).
    let by_record = |t: u64, started_ms: u64| {
        let path = ws.dir().join("exit").join(t.to_string());
        let mut o = crate::store::exits::exit_record(ws, t, &format!("{job_id}_{t}"))?;
        if o.state == "CANCELLED" && cancelled(t) {
            o.reason = Some("cancelled by herd-stop".into());
        }
        let ended = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as u64);
        if let (Some(ended), true) = (ended, started_ms > 0) {
            o.elapsed_seconds = Some(ended.saturating_sub(started_ms) / 1000);
        }
        Some(o)
    };
    for t in tasks {
        let mut o = Observation {
            req_mem_bytes: req_mem,
            ..Observation::default()
        };
        match ev.tasks.get(&t) {
            Some(TaskEvents {
                started_ms,
                end: Some((state, code, rss, ended)),
                ..
            }) => {
                o.state = state.clone();
                o.exit_code = *code;
                o.max_rss_bytes = *rss;
                o.elapsed_seconds = Some(ended.saturating_sub(*started_ms) / 1000);
                if state == "CANCELLED" {
                    o.reason = Some("cancelled by herd-stop".into());
                } else if state == "TIMEOUT" {
                    o.reason = Some("reached the time limit".into());
                }
            }
            Some(task) if runner_alive => {
                o.state = "RUNNING".into();
                o.elapsed_seconds = Some(now.saturating_sub(task.started_ms) / 1000);
            }
            Some(task) => {
                signal_group(&task.proc, Signal::SIGKILL);
                if let Some(ended) = by_record(t, task.started_ms) {
                    o = Observation {
                        req_mem_bytes: req_mem,
                        ..ended
                    };
                } else {
                    o.state = "LOST".into();
                    o.reason = Some(gone_why.clone());
                    o.elapsed_seconds = Some(now.saturating_sub(task.started_ms) / 1000);
                }
            }
            None if runner_alive => {
                o.state = "PENDING".into();
                o.reason = Some("waiting for a free slot".into());
            }
            None => {
                if let Some(ended) = by_record(t, 0) {
                    o = Observation {
                        req_mem_bytes: req_mem,
                        ..ended
                    };
                } else if cancelled(t) {
                    o.state = "CANCELLED".into();
                    o.reason = Some("cancelled by herd-stop".into());
                } else if let Some(e) = &unsettled {
                    // Not known to be dead: it must not be resubmitted.
                    o.state = "PENDING".into();
                    o.reason = Some(format!(
                        "the local runner has not started, and its job cannot be marked lost: {e}"
                    ));
                } else {
                    o.state = "LOST".into();
                    o.reason = Some(gone_why.clone());
                }
            }
        }
        out.insert(t, o);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::events::parse_events;
    use crate::local::proc::proc_stat;

    #[test]
    fn events_fold_into_tasks_and_half_lines_are_skipped() {
        let ev = parse_events(
            "runner 100 5000 abc 1\nstart 0 101 5001 1000\nstart 1 102 5002 1000\nend 0 COMPLETED 0 4096 3500\nend 1 FAI",
        );
        assert_eq!(ev.runner.as_ref().map(|r| r.pid), Some(100));
        assert_eq!(
            ev.tasks[&0].end,
            Some(("COMPLETED".into(), Some(0), Some(4096), 3500))
        );
        assert_eq!(
            ev.tasks[&1].end, None,
            "a half-written line is not an event"
        );
        assert_eq!(ev.tasks[&1].proc.boot_id, "abc");
        let ev = parse_events("end 4 CANCELLED - - 77\n");
        assert_eq!(ev.tasks[&4].end, Some(("CANCELLED".into(), None, None, 77)));
    }

    #[test]
    fn this_process_is_alive_and_a_changed_start_time_is_not() {
        let me = std::process::id() as i32;
        let (_, ticks) = proc_stat(me).unwrap();
        let p = Proc {
            pid: me,
            start_ticks: ticks,
            boot_id: boot_id().to_string(),
        };
        assert!(alive(&p));
        assert!(!alive(&Proc {
            start_ticks: ticks + 1,
            ..p.clone()
        }));
        assert!(!alive(&Proc {
            boot_id: "another-boot".into(),
            ..p
        }));
    }

    #[test]
    fn a_reboot_or_a_runner_that_never_started_leaves_lost_trials() {
        let root = std::env::temp_dir().join(format!("herd-local-obs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let ws = Workspace::new(&root);
        let dir = job_dir(&ws, "local-1");
        fs::create_dir_all(dir.join("cancel")).unwrap();
        let spec = Spec {
            job_id: "local-1".into(),
            job_name: "hyperherd_t".into(),
            workspace: root.clone(),
            indices: vec![0, 1, 2],
            max_concurrent: 1,
            time_limit_seconds: None,
            kill_wait_seconds: 30,
            cpus_per_task: 1,
            req_mem_bytes: Some(1 << 20),
            pool: None,
            pool_cpus: 0,
        };
        fs::write(dir.join("spec.json"), serde_json::to_vec(&spec).unwrap()).unwrap();
        // No events at all: the runner never started.
        let obs = observe(&ws, "local-1", &[]);
        assert!(obs
            .values()
            .all(|o| o.state == "LOST"
                && o.reason.as_deref() == Some("the local runner never started")));
        // Events from another boot: 0 finished, 1 was running, 2 never started, and a
        // cancel marker for 2.
        fs::write(
            dir.join("events"),
            "runner 4242 100 some-earlier-boot 1\nstart 0 4243 101 1000\nend 0 COMPLETED 0 - 3000\nstart 1 4244 102 3000\n",
        )
        .unwrap();
        fs::write(dir.join("cancel").join("2"), "").unwrap();
        let obs = observe(&ws, "local-1", &[]);
        assert_eq!(obs[&0].state, "COMPLETED");
        assert_eq!(obs[&0].elapsed_seconds, Some(2));
        assert_eq!(obs[&0].req_mem_bytes, Some(1 << 20));
        assert_eq!(obs[&1].state, "LOST");
        assert_eq!(
            obs[&1].reason.as_deref(),
            Some("the machine rebooted during the trial")
        );
        assert_eq!(obs[&2].state, "CANCELLED");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn job_ids_count_up_past_records_and_directories() {
        let root = std::env::temp_dir().join(format!("herd-local-ids-{}", std::process::id()));
        let ws = Workspace::new(&root);
        let _ = fs::remove_dir_all(&root);
        assert_eq!(next_job_id(&ws, &[]), "local-1");
        fs::create_dir_all(jobs_dir(&ws).join("local-4")).unwrap();
        let jobs = vec![JobRecord {
            slurm_job_id: "local-2".into(),
            indices: vec![0],
            task_offset: 0,
            retry: None,
        }];
        assert_eq!(next_job_id(&ws, &jobs), "local-5");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn cancel_markers_never_go_through_a_planted_link() {
        use std::os::unix::fs::symlink;
        let root = std::env::temp_dir().join(format!("herd-local-link-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let ws = Workspace::new(&root);
        let outside = root.join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("victim"), "precious").unwrap();
        // A marker planted as a link to a file herd must not touch.
        let markers = job_dir(&ws, "local-1").join("cancel");
        fs::create_dir_all(&markers).unwrap();
        symlink(outside.join("victim"), markers.join("0")).unwrap();
        let e = cancel(&ws, "local-1", &[0]).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // A job directory planted as a link to a directory elsewhere.
        symlink(&outside, job_dir(&ws, "local-2")).unwrap();
        assert!(cancel(&ws, "local-2", &[0]).is_err());
        assert!(!outside.join("cancel").exists());
        assert_eq!(
            fs::read_to_string(outside.join("victim")).unwrap(),
            "precious"
        );
        let _ = fs::remove_dir_all(&root);
    }
}
