//! The runner: `herd-submit --local-runner DIR`, a detached process that runs a local
//! job's trials (see the [module doc](super)) and records each start and end in the
//! job's `events` file.

use crate::error::Error;
use crate::local::cpupool::Pool;
use crate::local::events::{append, lock_events, now_ms, read_events};
use crate::local::proc::{proc_pgrp, proc_stat, this_process};
use crate::local::Spec;
use crate::store::exits::{remove_exit_record, write_exit_record};
use crate::store::workspace::Workspace;
use nix::libc;
use nix::sys::signal::{kill, SigSet, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// The runner: `herd-submit --local-runner DIR`. Runs until every task has ended.
pub fn run_runner(dir: &Path) -> Result<(), Error> {
    close_inherited_fds();
    let spec_path = dir.join("spec.json");
    let spec: Spec = crate::store::fs::read_optional(&spec_path)?
        .ok_or_else(|| Error::failed(format!("{} is missing", spec_path.display())))
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| Error::json("reading the local job", e))
        })?;
    let events_path = dir.join("events");
    let me = this_process();
    crate::runtime::crash_point("runner-start");
    let ws = Workspace::new(&spec.workspace);
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
    // Unrecorded, this runner would be declared lost by the next sync while it runs
    // the trials, which would then run twice: it runs nothing.
    let line = format!(
        "runner {} {} {} {}\n",
        me.pid,
        me.start_ticks,
        me.boot_id,
        now_ms()
    );
    append(&mut *held, &line)
        .map_err(|e| Error::io(format!("writing {}", events_path.display()), e))?;
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
    // Ends recorded nowhere yet (see `record_end`), tried again every turn.
    let mut unrecorded: Vec<End> = Vec::new();
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
            let line = format!(
                "end {} {state} {} {} {}\n",
                r.task,
                code.map_or("-".into(), |c| c.to_string()),
                rss.map_or("-".into(), |b| b.to_string()),
                now_ms().max(r.started_ms)
            );
            let end = End::new(r.task, state, code, line);
            if !end.record(&mut events, &ws, &spec.job_id, write_exit_record) {
                unrecorded.push(end);
            }
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
                    let line = format!("end {t} CANCELLED - - {}\n", now_ms());
                    let end = End::new(*t, "CANCELLED", None, line);
                    if !end.record(&mut events, &ws, &spec.job_id, write_exit_record) {
                        unrecorded.push(end);
                    }
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
                    let line = format!("start {task} {pid} {t} {started_ms}\n");
                    if let Err(e) = append(&mut events, &line) {
                        // Its end is what matters, and is recorded (or retried) alone.
                        let _ =
                            writeln!(std::io::stderr(), "recording the start of task {task}: {e}");
                    }
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
                    let line = format!("end {task} FAILED 127 - {started_ms}\n");
                    let end = End::new(task, "FAILED", Some(127), line);
                    if !end.record(&mut events, &ws, &spec.job_id, write_exit_record) {
                        unrecorded.push(end);
                    }
                }
            }
        }
        unrecorded.retain(|end| !end.record(&mut events, &ws, &spec.job_id, write_exit_record));
        if running.is_empty() && pending.is_empty() {
            if unrecorded.is_empty() {
                return Ok(());
            }
            let tasks: Vec<String> = unrecorded.iter().map(|e| e.task.to_string()).collect();
            return Err(Error::failed(format!(
                "the end of task(s) {} of {} could not be recorded; they read as LOST",
                tasks.join(", "),
                spec.job_id
            )));
        }
        wait_for_child(&chld, Duration::from_millis(250));
    }
}

/// A trial's end as the runner decided it, to be recorded.
struct End {
    task: u64,
    /// Its exit record's word: the exit status, `TERM` (cancelled) or `TIMEOUT`.
    verdict: String,
    /// Its line in the events file.
    line: String,
}

impl End {
    fn new(task: u64, state: &str, code: Option<i64>, line: String) -> End {
        let verdict = match (state, code) {
            ("TIMEOUT", _) => "TIMEOUT".to_string(),
            ("COMPLETED", _) => "0".to_string(),
            (_, Some(c)) if c != 0 => c.to_string(),
            ("FAILED", _) => "1".to_string(),
            _ => "TERM".to_string(),
        };
        End {
            task,
            verdict,
            line,
        }
    }

    /// Record the end; true once it is recorded somewhere a sync reads.
    ///
    /// The events file is the record (one retry, see [`append`]). When it cannot be
    /// written, the trial's exit record carries the runner's verdict instead: a sync
    /// reads it once the runner is gone. When that fails too, the job script's own
    /// exit record is removed, so the trial reads as `LOST`, never as a success that
    /// was not recorded; false then, and the runner tries again on its next turn.
    fn record(
        &self,
        events: &mut impl Write,
        ws: &Workspace,
        job_id: &str,
        write_record: impl FnOnce(&Workspace, u64, &str, &str) -> Result<(), Error>,
    ) -> bool {
        let Err(e) = append(events, &self.line) else {
            return true;
        };
        let mut err = std::io::stderr();
        let _ = writeln!(
            err,
            "recording the end of task {} in the events: {e}",
            self.task
        );
        let job = format!("{job_id}_{}", self.task);
        match write_record(ws, self.task, &job, &self.verdict) {
            Ok(()) => true,
            Err(e) => {
                let _ = writeln!(err, "writing the exit record of task {}: {e}", self.task);
                if let Err(e) = remove_exit_record(ws, self.task) {
                    let _ = writeln!(err, "removing the exit record of task {}: {e}", self.task);
                }
                false
            }
        }
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
    let append = |name: String| crate::store::fs::open_append_nofollow(&logs.join(name));
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
    use crate::local::events::parse_events;
    use crate::store::exits::exit_record;

    /// An events file that cannot be written (a full disk, a revoked mount).
    struct Failing;

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// An events file whose first write is cut short.
    struct ShortOnce(Vec<u8>, bool);

    impl Write for ShortOnce {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let n = if self.1 { b.len() } else { b.len() / 2 };
            self.1 = true;
            self.0.extend_from_slice(&b[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn workspace(tag: &str) -> (std::path::PathBuf, Workspace) {
        let root = std::env::temp_dir().join(format!("herd-end-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join(".hyperherd").join("exit")).unwrap();
        let ws = Workspace::new(&root);
        (root, ws)
    }

    #[test]
    fn a_short_write_is_retried_and_the_half_line_skipped() {
        let mut f = ShortOnce(Vec::new(), false);
        append(&mut f, "end 3 COMPLETED 0 - 1234\n").unwrap();
        let ev = parse_events(std::str::from_utf8(&f.0).unwrap());
        let end = ev.tasks[&3].end.clone().unwrap();
        assert_eq!((end.0.as_str(), end.1, end.3), ("COMPLETED", Some(0), 1234));
    }

    #[test]
    fn an_end_the_events_cannot_hold_goes_to_the_exit_record() {
        let (root, ws) = workspace("record");
        // The job script saw TERM and recorded so; the runner's verdict is TIMEOUT.
        fs::write(ws.dir().join("exit").join("3"), "local-1_3 TERM\n").unwrap();
        let end = End::new(3, "TIMEOUT", None, "end 3 TIMEOUT - - 9\n".into());
        assert!(end.record(&mut Failing, &ws, "local-1", write_exit_record));
        let o = exit_record(&ws, 3, "local-1_3").unwrap();
        assert_eq!(o.state, "TIMEOUT");
        let end = End::new(4, "FAILED", Some(2), "end 4 FAILED 2 - - 9\n".into());
        assert!(end.record(&mut Failing, &ws, "local-1", write_exit_record));
        let o = exit_record(&ws, 4, "local-1_4").unwrap();
        assert_eq!((o.state.as_str(), o.exit_code), ("FAILED", Some(2)));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn an_end_recorded_nowhere_never_reads_as_a_success() {
        let (root, ws) = workspace("nowhere");
        // The job script exited 0 and recorded it; the runner cancelled the trial.
        fs::write(ws.dir().join("exit").join("5"), "local-1_5 0\n").unwrap();
        let end = End::new(5, "CANCELLED", None, "end 5 CANCELLED - - 9\n".into());
        let refused = |_: &Workspace, _: u64, _: &str, _: &str| -> Result<(), Error> {
            Err(Error::failed("no space left"))
        };
        assert!(!end.record(&mut Failing, &ws, "local-1", refused));
        assert_eq!(
            exit_record(&ws, 5, "local-1_5"),
            None,
            "no record left to read as COMPLETED: the trial reads as LOST"
        );
        let _ = fs::remove_dir_all(&root);
    }
}
