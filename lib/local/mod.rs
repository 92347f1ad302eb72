//! The local backend: a submission's job script run on this machine, for workstations
//! without SLURM.
//!
//! `herd-submit --local` writes the job's directory `.hyperherd/local/<job>/` (a copy
//! of the job script and `spec.json`) and starts a **runner**: herd-submit itself
//! re-executed with `--local-runner DIR`, in a new session, so it outlives the terminal.
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

use crate::error::Error;
use crate::local::cpupool::Pool;
use crate::model::record::Observation;
use crate::store::workspace::{self, JobRecord, Workspace};
use nix::libc;
use nix::sys::signal::{kill, SigSet, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Local job ids are `local-<n>`: never confused with a SLURM job id.
pub use crate::store::workspace::LOCAL_PREFIX as PREFIX;

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
    workspace::write_atomic(&dir.join("spec.json"), &text)?;
    crate::runtime::crash_point("before-runner");
    let log_path = dir.join("runner.log");
    let log = workspace::open_append_nofollow(&log_path)
        .map_err(|e| workspace::state_error("opening", &log_path, e))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::io("finding herd-submit's own executable", e))?;
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
        let log = workspace::read_optional(&log_path)
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
    if !workspace::is_job_id(job_id) {
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
        workspace::open_nofollow(&p, OpenOptions::new().create(true).write(true))
            .map_err(|e| workspace::state_error("writing", &p, e))?;
    }
    let events = read_events(&dir);
    for t in tasks {
        if let Some(task) = events.tasks.get(t).filter(|x| x.end.is_none()) {
            signal_group(&task.proc, Signal::SIGTERM);
        }
    }
    Ok(())
}

/// A process as the runner recorded it: pid, start time and boot, which together
/// name it for good.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Proc {
    pub(crate) pid: i32,
    pub(crate) start_ticks: u64,
    pub(crate) boot_id: String,
}

/// This process, as a [`Proc`].
pub(crate) fn this_process() -> Proc {
    let pid = std::process::id() as i32;
    Proc {
        pid,
        start_ticks: proc_stat(pid).map_or(0, |(_, t)| t),
        boot_id: boot_id().to_string(),
    }
}

/// One task as the events tell it.
#[derive(Clone, Debug, Default, PartialEq)]
struct TaskEvents {
    proc: Proc,
    started_ms: u64,
    /// (state, exit code, max rss, unix ms) once it ended.
    end: Option<(String, Option<i64>, Option<u64>, u64)>,
}

/// Everything the events file says.
#[derive(Debug, Default)]
struct Events {
    runner: Option<Proc>,
    /// A sync declared the job lost before its runner recorded itself.
    lost: bool,
    tasks: HashMap<u64, TaskEvents>,
}

fn parse_events(text: &str) -> Events {
    let mut ev = Events::default();
    // Only whole lines: the last one may be half-written by a crash.
    let whole = text.rfind('\n').map_or("", |k| &text[..k]);
    for line in whole.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let num = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok());
        let opt = |i: usize| f.get(i).filter(|s| **s != "-").copied();
        match f.first() {
            Some(&"runner") if f.len() >= 5 => {
                if let (Some(pid), Some(ticks)) = (num(1), num(2)) {
                    ev.runner = Some(Proc {
                        pid: pid as i32,
                        start_ticks: ticks,
                        boot_id: f[3].to_string(),
                    });
                }
            }
            Some(&"start") if f.len() >= 5 => {
                if let (Some(t), Some(pid), Some(ticks), Some(ms)) =
                    (num(1), num(2), num(3), num(4))
                {
                    let boot_id = ev.runner.as_ref().map(|r| r.boot_id.clone());
                    ev.tasks.insert(
                        t,
                        TaskEvents {
                            proc: Proc {
                                pid: pid as i32,
                                start_ticks: ticks,
                                boot_id: boot_id.unwrap_or_default(),
                            },
                            started_ms: ms,
                            end: None,
                        },
                    );
                }
            }
            Some(&"lost") => ev.lost = true,
            Some(&"end") if f.len() >= 6 => {
                if let (Some(t), Some(ms)) = (num(1), num(5)) {
                    let e = ev.tasks.entry(t).or_default();
                    if e.started_ms == 0 {
                        e.started_ms = ms;
                    }
                    e.end = Some((
                        f[2].to_string(),
                        opt(3).and_then(|s| s.parse().ok()),
                        opt(4).and_then(|s| s.parse().ok()),
                        ms,
                    ));
                }
            }
            _ => {}
        }
    }
    ev
}

fn read_events(dir: &Path) -> Events {
    let text = workspace::read_optional(&dir.join("events"))
        .ok()
        .flatten()
        .unwrap_or_default();
    parse_events(&text)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// This boot's id (a reboot makes every recorded pid meaningless), read once.
fn boot_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into())
    })
}

/// (state letter, start time in clock ticks since boot) of a process.
fn proc_stat(pid: i32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: comm may hold spaces and parentheses; fields follow the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // After comm: state is field 3 of the line, starttime field 22.
    Some((f.first()?.chars().next()?, f.get(19)?.parse().ok()?))
}

/// True when the recorded process still runs (same pid, same start, same boot).
pub(crate) fn alive(p: &Proc) -> bool {
    p.boot_id == boot_id()
        && proc_stat(p.pid).is_some_and(|(s, t)| t == p.start_ticks && s != 'Z' && s != 'X')
}

/// Signal a trial's process group, unless its pid now belongs to someone else (when
/// the leader is gone, only its old group can still carry that id).
fn signal_group(p: &Proc, sig: Signal) {
    if p.pid <= 1 || p.boot_id != boot_id() {
        return;
    }
    let ours = match proc_stat(p.pid) {
        Some((_, t)) => t == p.start_ticks,
        None => true,
    };
    if ours {
        let _ = kill(Pid::from_raw(-p.pid), sig);
    }
}

/// Lock the events file of the job in `dir` (creating both if need be).
fn lock_events(dir: &Path) -> std::io::Result<nix::fcntl::Flock<File>> {
    fs::create_dir_all(dir)?;
    let file = workspace::open_append_nofollow(&dir.join("events"))?;
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, e)| std::io::Error::from(e))
}

/// The events of a job whose runner has not recorded itself (call under the workspace
/// lock, so no herd-submit is starting it). Under the events file's lock: a runner
/// that recorded itself meanwhile is found; otherwise the job is marked `lost`, so that
/// a runner still starting runs nothing. Err when the mark cannot be written: the
/// job's fate is then unknown, and nothing may be resubmitted.
fn settle_unstarted(dir: &Path) -> std::io::Result<Events> {
    let mut held = lock_events(dir)?;
    let ev = read_events(dir);
    if ev.runner.is_some() || ev.lost {
        return Ok(ev);
    }
    held.write_all(format!("lost {}\n", now_ms()).as_bytes())?;
    held.sync_data()?;
    Ok(read_events(dir))
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
    let spec: Option<Spec> = workspace::read_optional(&dir.join("spec.json"))
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

/// A trial the runner has started.
struct Running {
    task: u64,
    started: Instant,
    started_ms: u64,
    /// Why it is being stopped (TIMEOUT or CANCELLED), and when TERM went out.
    stopping: Option<(&'static str, Instant)>,
    killed: bool,
    /// The job script's wait status and when it was reaped; the trial ends once the
    /// rest of its process group is gone too.
    leader_end: Option<(i32, Instant)>,
    /// The peak RSS of every process of the trial reaped so far, in bytes.
    rss: u64,
}

/// How long the rest of a trial's process group may take to go after SIGKILL before
/// the trial's end is recorded anyway.
const GROUP_WAIT: Duration = Duration::from_secs(5);

/// The process group of a process (also of a zombie not yet reaped).
fn proc_pgrp(pid: i32) -> Option<i32> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    // After comm: state, ppid, pgrp.
    rest.split(' ').nth(2)?.parse().ok()
}

/// The runner: `herd-submit --local-runner DIR`. Runs until every task has ended.
pub fn run_runner(dir: &Path) -> Result<(), Error> {
    close_inherited_fds();
    let spec_path = dir.join("spec.json");
    let spec: Spec = workspace::read_optional(&spec_path)?
        .ok_or_else(|| Error::failed(format!("{} is missing", spec_path.display())))
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| Error::json("reading the local job", e))
        })?;
    let events_path = dir.join("events");
    let me = this_process();
    crate::runtime::crash_point("runner-start");
    let log = |events: &mut File, line: String| {
        // One write per line: O_APPEND keeps lines whole across writers and crashes.
        let _ = events.write_all(line.as_bytes());
    };
    // Record this runner under the events file's lock, unless a sync declared the job
    // lost first (see the module doc): then its trials are pending again, and running
    // them here could run them twice.
    let mut held =
        lock_events(dir).map_err(|e| Error::io(format!("locking {}", events_path.display()), e))?;
    if read_events(dir).lost {
        return Err(Error::failed(format!(
            "{} was declared lost before its runner started; its trials are pending again",
            spec.job_id
        )));
    }
    log(
        &mut held,
        format!(
            "runner {} {} {} {}\n",
            me.pid,
            me.start_ticks,
            me.boot_id,
            now_ms()
        ),
    );
    let mut events = held
        .unlock()
        .map_err(|(_, e)| Error::io(format!("unlocking {}", events_path.display()), e.into()))?;
    let mut pool = spec
        .pool
        .clone()
        .map(|path| Pool::new(path, spec.pool_cpus, me.clone(), &spec.job_id));
    // Tell herd-submit the runner is recorded, then let go of its pipe.
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"ready\n");
        let _ = out.flush();
    }
    if let Ok(null) = File::open("/dev/null") {
        // SAFETY: both descriptors are valid; fd 1 is replaced atomically.
        unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), 1) };
    }

    // Orphans of the trials become this process's children, so that their peak memory
    // is seen when they are reaped (SLURM counts every process of the job).
    // SAFETY: plain FFI call; PR_SET_CHILD_SUBREAPER takes one integer argument.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let mut chld = SigSet::empty();
    chld.add(Signal::SIGCHLD);
    let _ = chld.thread_block();
    let logs = spec.workspace.join(".hyperherd").join("logs");
    let script = dir.join("job.sbatch");
    let cancel_dir = dir.join("cancel");
    let limit = spec.time_limit_seconds.map(Duration::from_secs);
    let kill_wait = Duration::from_secs(spec.kill_wait_seconds);
    let max = spec.max_concurrent.max(1) as usize;
    let (min, max_task) = (
        spec.indices.first().copied().unwrap_or(0),
        spec.indices.last().copied().unwrap_or(0),
    );
    let mut pending: VecDeque<u64> = spec.indices.iter().copied().collect();
    let mut running: HashMap<i32, Running> = HashMap::new();
    loop {
        // Reap every process that ended: a trial's job script, or any of its processes
        // (the runner is their subreaper, so one orphaned by a TERM, such as a trainer
        // whose launcher's bash died first, is reaped here and its peak memory counted).
        loop {
            // Peek first: until it is reaped, the zombie still tells its process group.
            // SAFETY: plain FFI calls with valid out-pointers.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let peeked = unsafe {
                libc::waitid(
                    libc::P_ALL,
                    0,
                    &mut info,
                    libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
                )
            };
            let pid = if peeked == 0 {
                unsafe { info.si_pid() }
            } else {
                0
            };
            if pid <= 0 {
                break;
            }
            let group = proc_pgrp(pid);
            let mut status = 0;
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            if unsafe { libc::wait4(pid, &mut status, 0, &mut ru) } != pid {
                break;
            }
            let rss = u64::try_from(ru.ru_maxrss).unwrap_or(0) * 1024;
            if let Some(r) = running.get_mut(&pid) {
                r.rss = r.rss.max(rss);
                if r.leader_end.is_none() {
                    r.leader_end = Some((status, Instant::now()));
                    // Like SLURM at the end of a job: nothing of the trial outlives it.
                    let _ = kill(Pid::from_raw(-pid), Signal::SIGKILL);
                }
            } else if let Some(r) = group.and_then(|g| running.get_mut(&g)) {
                r.rss = r.rss.max(rss);
            }
        }
        // A trial ends when its job script has ended and the rest of its process group
        // is gone (or did not go within GROUP_WAIT of SIGKILL).
        let ended: Vec<i32> = running
            .iter()
            .filter(|(pid, r)| {
                r.leader_end.is_some_and(|(_, at)| {
                    kill(Pid::from_raw(-**pid), None).is_err() || at.elapsed() >= GROUP_WAIT
                })
            })
            .map(|(pid, _)| *pid)
            .collect();
        for pid in ended {
            let Some(r) = running.remove(&pid) else {
                continue;
            };
            let Some((status, _)) = r.leader_end else {
                continue;
            };
            if let Some(p) = &pool {
                if let Err(e) = p.give_back(r.task) {
                    let _ = writeln!(std::io::stderr(), "the CPU pool: {e}");
                }
            }
            let code = if libc::WIFEXITED(status) {
                i64::from(libc::WEXITSTATUS(status))
            } else {
                128 + i64::from(libc::WTERMSIG(status))
            };
            // herd-stop may have sent TERM before this loop saw its marker.
            let why = r.stopping.map(|(why, _)| why).or_else(|| {
                cancel_dir
                    .join(r.task.to_string())
                    .exists()
                    .then_some("CANCELLED")
            });
            let (state, code) = match why {
                Some(why) => (why, None),
                None if code == 0 => ("COMPLETED", Some(0)),
                None => ("FAILED", Some(code)),
            };
            let rss = (r.rss > 0).then_some(r.rss);
            log(
                &mut events,
                format!(
                    "end {} {state} {} {} {}\n",
                    r.task,
                    code.map_or("-".into(), |c| c.to_string()),
                    rss.map_or("-".into(), |b| b.to_string()),
                    now_ms().max(r.started_ms)
                ),
            );
        }
        // Cancel markers: pending tasks end at once, running ones get TERM.
        let cancelled: BTreeSet<u64> = fs::read_dir(&cancel_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
                    .collect()
            })
            .unwrap_or_default();
        if !cancelled.is_empty() {
            pending.retain(|t| {
                if cancelled.contains(t) {
                    log(&mut events, format!("end {t} CANCELLED - - {}\n", now_ms()));
                    false
                } else {
                    true
                }
            });
        }
        let now = Instant::now();
        for (pid, r) in running.iter_mut().filter(|(_, r)| r.leader_end.is_none()) {
            if r.stopping.is_none() {
                let why = if cancelled.contains(&r.task) {
                    Some("CANCELLED")
                } else if limit.is_some_and(|l| now.duration_since(r.started) >= l) {
                    Some("TIMEOUT")
                } else {
                    None
                };
                if let Some(why) = why {
                    r.stopping = Some((why, now));
                    let _ = kill(Pid::from_raw(-*pid), Signal::SIGTERM);
                }
            } else if let Some((_, at)) = r.stopping {
                if !r.killed && now.duration_since(at) >= kill_wait {
                    r.killed = true;
                    let _ = kill(Pid::from_raw(-*pid), Signal::SIGKILL);
                }
            }
        }
        // Start trials while there is room in this job and in the machine's CPU pool.
        while running.len() < max {
            let Some(&task) = pending.front() else {
                break;
            };
            if let Some(p) = &pool {
                match p.take(task, spec.cpus_per_task.max(1)) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        // Never stop a sweep over the pool: run without it.
                        let _ = writeln!(
                            std::io::stderr(),
                            "the CPU pool {} cannot be used ({e}); this job's own limit applies",
                            p.path().display()
                        );
                        pool = None;
                    }
                }
            }
            pending.pop_front();
            let started_ms = now_ms();
            match spawn_task(&spec, &script, &logs, task, (min, max_task)) {
                Ok(pid) => {
                    let t = proc_stat(pid).map_or(0, |(_, t)| t);
                    log(
                        &mut events,
                        format!("start {task} {pid} {t} {started_ms}\n"),
                    );
                    running.insert(
                        pid,
                        Running {
                            task,
                            started: Instant::now(),
                            started_ms,
                            stopping: None,
                            killed: false,
                            leader_end: None,
                            rss: 0,
                        },
                    );
                }
                Err(e) => {
                    if let Some(p) = &pool {
                        let _ = p.give_back(task);
                    }
                    let _ = writeln!(std::io::stderr(), "task {task}: {e}");
                    log(
                        &mut events,
                        format!("end {task} FAILED 127 - {started_ms}\n"),
                    );
                }
            }
        }
        if running.is_empty() && pending.is_empty() {
            return Ok(());
        }
        wait_for_child(&chld, Duration::from_millis(250));
    }
}

/// Sleep until a child changes state or `timeout` passes (SIGCHLD is blocked).
fn wait_for_child(set: &SigSet, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as _,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: valid set and timespec; the siginfo out-pointer may be null.
    unsafe {
        libc::sigtimedwait(set.as_ref(), std::ptr::null_mut(), &ts);
    }
}

/// Start one trial: `bash job.sbatch` in its own process group, in the workspace,
/// logs appended, with the environment of a SLURM array task. Returns its pid.
fn spawn_task(
    spec: &Spec,
    script: &Path,
    logs: &Path,
    task: u64,
    (min, max): (u64, u64),
) -> std::io::Result<i32> {
    let append = |name: String| workspace::open_append_nofollow(&logs.join(name));
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(&spec.workspace)
        .stdin(Stdio::null())
        .stdout(append(format!("{task}.out"))?)
        .stderr(append(format!("{task}.err"))?)
        .process_group(0);
    // A runner started inside an allocation must not leak its SLURM_* into the trial.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SLURM_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("SLURM_JOB_ID", &spec.job_id)
        .env("SLURM_ARRAY_JOB_ID", &spec.job_id)
        .env("SLURM_ARRAY_TASK_ID", task.to_string())
        .env("SLURM_ARRAY_TASK_COUNT", spec.indices.len().to_string())
        .env("SLURM_ARRAY_TASK_MIN", min.to_string())
        .env("SLURM_ARRAY_TASK_MAX", max.to_string())
        .env("SLURM_JOB_NAME", &spec.job_name)
        .env("SLURM_CPUS_PER_TASK", spec.cpus_per_task.to_string())
        .env("SLURM_SUBMIT_DIR", &spec.workspace)
        .env("HERD_BACKEND", "local");
    let child = cmd.spawn()?;
    // The runner reaps with wait4 (for the peak RSS); the Child handle is not needed.
    Ok(child.id() as i32)
}

/// Close every descriptor above stderr that the runner inherited (a test harness's
/// pipe kept open by a detached runner would never see its end).
fn close_inherited_fds() {
    let fds: Vec<i32> = fs::read_dir("/proc/self/fd")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
                .filter(|fd| *fd > 2)
                .collect()
        })
        .unwrap_or_default();
    for fd in fds {
        let _ = nix::unistd::close(fd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
