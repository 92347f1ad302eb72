//! The runner: `herd-submit --local-runner DIR`, a detached process that runs a local
//! job's trials (see the [module doc](super)) and records each start and end in the
//! job's `events` file.

use crate::error::Error;
use crate::local::cpupool::Pool;
use crate::local::events::{lock_events, now_ms, read_events};
use crate::local::proc::{proc_pgrp, proc_stat, this_process};
use crate::local::Spec;
use crate::store::workspace;
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
