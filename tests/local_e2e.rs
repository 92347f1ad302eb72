//! End-to-end tests of the local backend (`herd-submit --local`): real processes on
//! this machine, no SLURM needed, so they run in every `make test`.
//!
//! Each test has its own workspace; dropping it (also on a panic) stops its trials.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::*;

/// A test workspace whose trials are stopped when it is dropped (also on a panic).
fn workspace(tag: &str, yaml: &str, body: &str) -> Ws {
    Ws::new(write_workspace("local", tag, yaml, body), stop_all)
}

fn stop_all(ws: &Path) {
    let _ = run(STOP, &["--all", ws.to_str().unwrap()], b"", &[]);
    kill_job(ws, "local-1");
}

/// True when process `pid` is alive and started at `ticks` (field 22 of its stat):
/// the process the events recorded, not a later one that got its pid.
fn same_process(pid: i32, ticks: &str) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_string();
            // Fields after the command: state is field 3, start time field 22.
            after.split_whitespace().nth(19).map(|t| t == ticks)
        })
        .unwrap_or(false)
}

/// Kill a local job's runner and its trials' process groups, each only while it is
/// the very process the job's events recorded (a pid reused since by anything else,
/// even this test's own process group, is left alone).
fn kill_job(ws: &Path, job: &str) {
    for line in events(ws, job).lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let (pid, ticks, group) = match f.as_slice() {
            ["runner", pid, ticks, ..] => (pid, ticks, false),
            ["start", _, pid, ticks, ..] => (pid, ticks, true),
            _ => continue,
        };
        let Ok(pid) = pid.parse::<i32>() else {
            continue;
        };
        if pid > 1 && same_process(pid, ticks) {
            let _ = nix_kill(if group { -pid } else { pid }, 9);
        }
    }
}

/// A sweep of one discrete parameter `k` with the values 0..n.
fn sweep(name: &str, n: u32, time: &str) -> String {
    sweep_of(name, &(0..n).collect::<Vec<_>>(), time)
}

/// A sweep of one discrete parameter `k` with these values.
fn sweep_of(name: &str, values: &[u32], time: &str) -> String {
    let v: Vec<String> = values.iter().map(u32::to_string).collect();
    format!(
        "name: {name}\ngrid: all\nlauncher: ./launch.sh\nslurm: {{partition: debug, time: \"{time}\", mem: 100M}}\nparameters:\n  k: {{type: discrete, values: [{}]}}\n",
        v.join(", ")
    )
}

/// Sync until `done` holds for the records (or fail after `limit`).
fn wait_for(
    ws: &Path,
    limit: Duration,
    done: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    wait_until(ws, limit, Duration::from_millis(200), done)
}

fn all_final(recs: &[serde_json::Value]) -> bool {
    recs.iter()
        .all(|r| !LIVE.contains(&r["status"].as_str().unwrap_or("")))
}

fn field<'a>(r: &'a serde_json::Value, k: &str) -> &'a str {
    r[k].as_str().unwrap_or("")
}

fn events(ws: &Path, job: &str) -> String {
    fs::read_to_string(ws.join(format!(".hyperherd/local/{job}/events"))).unwrap_or_default()
}

fn runner_pid(ws: &Path, job: &str) -> Option<i32> {
    events(ws, job)
        .lines()
        .find_map(|l| l.strip_prefix("runner "))
        .and_then(|l| l.split(' ').next()?.parse().ok())
}

/// Pids the runner started (the trials' process-group leaders).
fn trial_pids(ws: &Path, job: &str) -> Vec<i32> {
    events(ws, job)
        .lines()
        .filter_map(|l| l.strip_prefix("start "))
        .filter_map(|l| l.split(' ').nth(1)?.parse().ok())
        .collect()
}

/// `kill -SIG -- PID`. The `--` matters: procps' kill reads `kill -9 -145` as
/// `kill -9 -1` and SIGKILLs every process the caller may signal (it took down the
/// test cluster's daemons and the shell running the tests).
fn nix_kill(pid: i32, sig: i32) -> bool {
    Command::new("kill")
        .arg(format!("-{sig}"))
        .arg("--")
        .arg(pid.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// (state, process group, session) from /proc/<pid>/stat.
fn stat_of(pid: &str) -> Option<(char, i64, i64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some((
        f.first()?.chars().next()?,
        f.get(2)?.parse().ok()?,
        f.get(3)?.parse().ok()?,
    ))
}

/// True while a process of the group `pgid` runs (zombies, which only wait for a
/// parent to reap them, do not count).
fn group_alive(pgid: i32) -> bool {
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            stat_of(&e.file_name().to_string_lossy())
                .is_some_and(|(state, pgrp, _)| pgrp == i64::from(pgid) && state != 'Z')
        })
}

fn session_of(pid: i32) -> Option<i64> {
    stat_of(&pid.to_string()).map(|(_, _, sid)| sid)
}

#[test]
fn group_alive_sees_a_live_group_and_not_a_dead_one() {
    let mut child = Command::new("sleep")
        .arg("30")
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(group_alive(pid));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!group_alive(pid));
}

#[test]
fn success_failure_timeout_and_stop_reach_the_right_status() {
    let ws = workspace(
        "outcomes",
        &OUTCOMES.replace("TIME", "00:00:03"),
        &outcomes_body(),
    );
    let recs = outcomes(&ws, &["--local", "-j", "4"], "local");
    for r in &recs {
        assert!(field(r, "slurm_job_id").starts_with("local-1_"), "{r}");
    }
    assert_eq!(recs[1]["exit_code"], 3);
    assert_eq!(recs[2]["exit_code"], serde_json::Value::Null, "{}", recs[2]);
    assert_eq!(field(&recs[3], "slurm_state"), "CANCELLED");
    // Nothing of the timed-out or stopped trials is left running.
    for pid in trial_pids(&ws, "local-1") {
        assert!(!group_alive(pid), "process group {pid} survived");
    }
}

#[test]
fn trials_see_slurm_variables_append_logs_and_outlive_herd_submit() {
    let body = "env | grep -E '^(SLURM_|HERD_BACKEND=)' | sort > \"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.slurm\"\npwd > \"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.pwd\"\nsleep 2";
    let ws = workspace("env", &sweep("envs", 3, "00:05:00"), body);
    // A variable of an enclosing allocation must not leak into the trials.
    let (o, recs) = expand_submit(&ws, &["--local", "--json"], &[("SLURM_NTASKS", "8")]);
    ok(&o);
    assert_eq!(recs.len(), 3);
    // herd-submit has returned (its output pipe closed) while every trial still runs.
    assert!(
        !events(&ws, "local-1").contains("\nend "),
        "a trial ended already"
    );
    let runner = runner_pid(&ws, "local-1").expect("the runner recorded itself");
    assert_ne!(
        session_of(runner),
        session_of(std::process::id() as i32),
        "the runner is detached into its own session"
    );
    let recs = wait_for(&ws, Duration::from_secs(60), all_final);
    let w = ws.to_str().unwrap();
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(field(r, "status"), "completed", "{r}");
        let env = fs::read_to_string(ws.join(format!("out/{i}.slurm"))).unwrap();
        let want = format!(
            "HERD_BACKEND=local\nSLURM_ARRAY_JOB_ID=local-1\nSLURM_ARRAY_TASK_COUNT=3\nSLURM_ARRAY_TASK_ID={i}\nSLURM_ARRAY_TASK_MAX=2\nSLURM_ARRAY_TASK_MIN=0\nSLURM_CPUS_PER_TASK=1\nSLURM_JOB_ID=local-1\nSLURM_JOB_NAME=hyperherd_envs\nSLURM_SUBMIT_DIR={w}\n"
        );
        assert_eq!(env, want);
        assert_eq!(
            fs::read_to_string(ws.join(format!("out/{i}.pwd"))).unwrap(),
            format!("{w}\n")
        );
        assert_eq!(
            fs::read_to_string(ws.join(format!("out/{i}.overrides"))).unwrap(),
            format!("experiment_name=k-{i} k={i}\n")
        );
    }
    // A second run of trial 0 appends to its logs, behind a new divider.
    let o = run(SUBMIT, &["--local", "--force", "-i", "0", w], b"", &[]);
    ok(&o);
    wait_for(&ws, Duration::from_secs(60), all_final);
    let log = fs::read_to_string(ws.join(".hyperherd/logs/0.out")).unwrap();
    assert_eq!(
        log.matches("==== HyperHerd run: job local-1 ").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("==== HyperHerd run: job local-2 ").count(),
        1,
        "{log}"
    );
    assert_eq!(log.matches("trial 0 done").count(), 2, "{log}");
    let err = fs::read_to_string(ws.join(".hyperherd/logs/0.err")).unwrap();
    assert_eq!(err.matches("==== HyperHerd run").count(), 2, "{err}");
}

#[test]
fn at_most_max_concurrent_run_and_stopped_queued_trials_never_start() {
    let body = "sleep 1";
    let ws = workspace("queue", &sweep("queue", 4, "00:05:00"), body);
    let (o, _) = expand_submit(&ws, &["--local", "-j", "1", "--table"], &[]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with(
            "started 4 trials (0-3) on this machine as local job local-1, at most 1 at a time\n"
        ),
        "{out}"
    );
    let o = run(STOP, &["--json", "-i", "3", ws.to_str().unwrap()], b"", &[]);
    ok(&o);
    let stopped = records(&o.stdout);
    assert_eq!(field(&stopped[0], "previous_status"), "queued");
    let recs = wait_for(&ws, Duration::from_secs(60), all_final);
    let statuses: Vec<&str> = recs.iter().map(|r| field(r, "status")).collect();
    assert_eq!(
        statuses,
        ["completed", "completed", "completed", "cancelled"]
    );
    assert!(!ws.join("out/3.env").exists(), "a stopped queued trial ran");
    // One at a time: each trial started after the previous one ended.
    let ev = events(&ws, "local-1");
    let order: Vec<&str> = ev
        .lines()
        .filter(|l| l.starts_with("start ") || l.starts_with("end "))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .map(|s| if s.starts_with("start") { "s" } else { "e" })
        .collect();
    let ends_of_run: Vec<&str> = order.iter().copied().filter(|_| true).collect();
    let mut depth = 0i32;
    for x in &ends_of_run {
        depth += if *x == "s" { 1 } else { -1 };
        assert!(depth <= 1, "two trials ran at once: {ev}");
    }
}

/// (start ms, end ms) of every trial of local job `job` (from its events).
fn intervals(ws: &Path, job: &str) -> Vec<(u64, u64)> {
    let ev = events(ws, job);
    let at = |kind: &str, task: &str, field: usize| {
        ev.lines()
            .map(|l| l.split(' ').collect::<Vec<_>>())
            .find(|f| f[0] == kind && f[1] == task)
            .and_then(|f| f.get(field)?.parse::<u64>().ok())
    };
    ev.lines()
        .filter_map(|l| l.strip_prefix("start "))
        .filter_map(|l| l.split(' ').next())
        .map(|task| (at("start", task, 4).unwrap(), at("end", task, 5).unwrap()))
        .collect()
}

/// The most trials of `jobs` that ran at the same time.
fn most_at_once(jobs: &[(&Path, &str)]) -> usize {
    let mut edges: Vec<(u64, i32)> = jobs
        .iter()
        .flat_map(|(ws, job)| intervals(ws, job))
        .flat_map(|(s, e)| [(s, 1), (e, -1)])
        .collect();
    // At the same millisecond an end comes before a start.
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

/// Two local jobs at once share the machine's CPUs (a pool of 2 here): never more
/// than 2 trials run together, though each job allows 4; without the pool they do.
#[test]
fn two_local_jobs_share_the_cpu_pool() {
    let pool = std::env::temp_dir().join(format!("herd-local-pool-{}", std::process::id()));
    let _ = fs::remove_file(&pool);
    let run_two = |tag: &str, pool_env: &str| {
        let a = workspace(
            &format!("{tag}a"),
            &sweep(&format!("{tag}a"), 4, "00:05:00"),
            "sleep 1",
        );
        let b = workspace(
            &format!("{tag}b"),
            &sweep(&format!("{tag}b"), 4, "00:05:00"),
            "sleep 1",
        );
        let env = [("HERD_LOCAL_POOL", pool_env), ("HERD_LOCAL_CPUS", "2")];
        for ws in [&a, &b] {
            let (o, _) = expand_submit(ws, &["--local", "-j", "4"], &env);
            ok(&o);
        }
        for ws in [&a, &b] {
            let recs = wait_for(ws, Duration::from_secs(60), all_final);
            assert!(
                recs.iter().all(|r| field(r, "status") == "completed"),
                "{recs:?}"
            );
        }
        most_at_once(&[(&a, "local-1"), (&b, "local-1")])
    };
    let shared = run_two("pool", pool.to_str().unwrap());
    assert_eq!(
        shared, 2,
        "trials of both jobs at once, with a pool of 2 CPUs"
    );
    assert_eq!(
        fs::read_to_string(&pool).unwrap(),
        "",
        "every trial gave its CPUs back"
    );
    let _ = fs::remove_file(&pool);
    let unshared = run_two("nopool", "off");
    assert!(unshared > 2, "without the pool, {unshared} at most at once");
}

#[test]
fn a_killed_runner_leaves_lost_trials_that_are_resubmitted() {
    // Trials sleep until the test leaves `out/finish`; then they finish at once.
    let body = "[ -e \"$HYPERHERD_WORKSPACE/out/finish\" ] && exit 0\nsleep 300";
    let ws = workspace("killed", &sweep("killed", 4, "00:05:00"), body);
    let (o, _) = expand_submit(&ws, &["--local", "-j", "2"], &[]);
    ok(&o);
    wait_for(&ws, Duration::from_secs(30), |recs| {
        recs.iter().filter(|r| r["status"] == "running").count() == 2
    });
    let runner = runner_pid(&ws, "local-1").unwrap();
    assert!(nix_kill(runner, 9));
    // Wait until the kernel has reaped it (it is not this process's child).
    let deadline = Instant::now() + Duration::from_secs(10);
    while fs::read_to_string(format!("/proc/{runner}/stat"))
        .is_ok_and(|s| !s.contains(") Z") && !s.contains(") X"))
    {
        assert!(Instant::now() < deadline, "the runner survived SIGKILL");
        std::thread::sleep(Duration::from_millis(50));
    }
    // One sync tells the truth: every trial is lost (failed), none "running".
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    for r in &recs {
        assert_eq!(
            (field(r, "status"), field(r, "slurm_state")),
            ("failed", "LOST"),
            "{r}"
        );
        assert!(
            field(r, "reason").contains("stopped before the trial ended"),
            "{r}"
        );
    }
    for pid in trial_pids(&ws, "local-1") {
        assert!(
            !group_alive(pid),
            "trial process group {pid} outlived its runner"
        );
    }
    // herd-submit resubmits them, and this time they finish.
    fs::write(ws.join("out/finish"), "").unwrap();
    let o = run(
        SUBMIT,
        &["--local", "--all", ws.to_str().unwrap()],
        b"",
        &[],
    );
    ok(&o);
    let recs = wait_for(&ws, Duration::from_secs(60), all_final);
    for r in &recs {
        assert_eq!(field(r, "status"), "completed", "{r}");
        assert!(field(r, "slurm_job_id").starts_with("local-2_"), "{r}");
    }
}

#[test]
fn the_time_limit_sends_term_then_kill() {
    // The trial ignores TERM (and so does its sleep): only KILL ends it.
    let body = "trap '' TERM\nsleep 300";
    let ws = workspace("kill", &sweep("killwait", 1, "00:00:02"), body);
    let (o, _) = expand_submit(&ws, &["--local"], &[("HERD_LOCAL_KILL_WAIT", "1")]);
    ok(&o);
    let recs = wait_for(&ws, Duration::from_secs(30), all_final);
    assert_eq!(
        (field(&recs[0], "status"), field(&recs[0], "slurm_state")),
        ("failed", "TIMEOUT")
    );
    assert!(
        recs[0]["elapsed_seconds"].as_u64().unwrap() >= 3,
        "{}",
        recs[0]
    );
    for pid in trial_pids(&ws, "local-1") {
        assert!(!group_alive(pid), "process group {pid} survived KILL");
    }
}

#[test]
fn a_runner_that_cannot_start_is_an_error_and_records_nothing() {
    let ws = workspace("nostart", &sweep("nostart", 2, "00:05:00"), "");
    let (o, _) = expand_submit(&ws, &["--local"], &[("HERD_TEST_CRASH_AT", "runner-start")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("herd-submit: error: the local runner did not start"),
        "{err}"
    );
    assert!(err.contains("hint: its log is "), "{err}");
    assert!(job_ids(&ws).is_empty());
    assert!(!ws.join(".hyperherd/submit.journal").exists());
    let statuses: Vec<String> = manifest_statuses(&ws).into_iter().map(|(_, s)| s).collect();
    assert_eq!(statuses, ["ready", "ready"]);
}

#[test]
fn tail_follows_a_local_trial_to_its_end() {
    let body = "for i in 1 2 3; do echo \"line $i\"; sleep 0.5; done";
    let ws = workspace("tail", &sweep("tail", 1, "00:05:00"), body);
    let (o, _) = expand_submit(&ws, &["--local"], &[]);
    ok(&o);
    wait_for(&ws, Duration::from_secs(30), |r| {
        r[0]["status"] == "running"
    });
    let o = run(
        TAIL,
        &["-f", "--stdout", ws.to_str().unwrap(), "0"],
        b"",
        &[],
    );
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("line 3"), "{out}");
}

#[test]
fn status_wait_returns_when_nothing_is_live_and_reports_progress() {
    let ws = workspace("wait", &sweep("wait", 3, "00:05:00"), "sleep 1");
    let (o, _) = expand_submit(&ws, &["--local", "-j", "1"], &[]);
    ok(&o);
    let o = run(
        STATUS,
        &["--wait", "1", "--table", ws.to_str().unwrap()],
        b"",
        &[],
    );
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("3 trials: 3 completed"), "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() >= 2, "one progress line per change: {err}");
    assert!(lines[0].starts_with("herd-status: 0/3 finished ("), "{err}");
    assert_eq!(
        lines.last().copied(),
        Some("herd-status: 3/3 finished (3 completed)")
    );
}

/// `herd-status --watch` on a real terminal (tmux): the table is redrawn in place as
/// trials progress, never scrolled.
#[test]
fn watch_redraws_the_table_in_place_on_a_terminal() {
    let tmux_ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        tmux_ok,
        "tmux does not run: install it (make test does, as root) to test the terminal view"
    );
    let ws = workspace("watch", &sweep("watch", 3, "00:05:00"), "sleep 2");
    let (o, _) = expand_submit(&ws, &["--local", "-j", "1"], &[]);
    ok(&o);
    let session = format!("herd-watch-{}", std::process::id());
    let cmd = format!(
        "{STATUS} --watch 1 {}; echo WATCH-ENDED; sleep 60",
        ws.display()
    );
    let st = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "150",
            "-y",
            "40",
            &cmd,
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let capture = || {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut frames = Vec::new();
    let last = loop {
        let screen = capture();
        if screen.contains("WATCH-ENDED") {
            break screen;
        }
        frames.push(screen);
        assert!(Instant::now() < deadline, "--watch never ended: {frames:?}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    // Every frame holds exactly one table: redrawn in place from the top.
    frames.retain(|f| !f.trim().is_empty()); // before the first draw
    for f in frames.iter().chain([&last]) {
        assert_eq!(f.matches("INDEX  STATUS").count(), 1, "{f}");
        assert!(f.trim_start().starts_with("INDEX  STATUS"), "{f}");
    }
    assert!(
        frames.iter().any(|f| f.contains("1 completed, 1 running")),
        "no frame showed the sweep in progress: {frames:#?}"
    );
    assert!(last.contains("3 trials: 3 completed"), "{last}");
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// After an edit that removes a completed trial, `herd run --force` keeps it as an
/// orphan and submits only what is pending: never a second job for a running trial,
/// never a finished one again. (It used to resubmit every trial of the sweep.)
#[test]
fn force_keeps_orphans_and_never_resubmits_live_or_finished_trials() {
    let ws = workspace(
        "force",
        &sweep_of("force", &[0, 1, 2, 3], "00:05:00"),
        "case \"$1\" in *k=1*) sleep 120;; esac",
    );
    let w = ws.to_str().unwrap();
    ok(&run(HERD, &["run", "--local", w], b"", &[]));
    wait_for(&ws, Duration::from_secs(30), |r| {
        status_of(r, 1) == "running" && [0, 2, 3].iter().all(|&i| status_of(r, i) == "completed")
    });
    fs::write(
        ws.join("hyperherd.yaml"),
        sweep_of("force", &[1, 2, 3], "00:05:00"),
    )
    .unwrap();
    let o = run(HERD, &["run", "--local", w], b"", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("pass --keep-orphans"), "{}", stderr(&o));
    let jobs = job_ids(&ws).len();

    for flags in [&["--force"][..], &["--keep-orphans"], &["-f", "-j", "2"]] {
        let mut args = vec!["run", "--local"];
        args.extend_from_slice(flags);
        args.push(w);
        let o = run(HERD, &args, b"", &[]);
        ok(&o);
        assert!(
            stderr(&o).contains("nothing to submit"),
            "{flags:?}: {}",
            stderr(&o)
        );
        assert_eq!(job_ids(&ws).len(), jobs, "{flags:?} submitted a job");
    }
    // A live trial is refused by name, whatever the flags, and the hint stops it.
    for flags in [&["-f"][..], &["--keep-orphans", "--rerun"]] {
        let mut args = vec!["--local", "-i", "1"];
        args.extend_from_slice(flags);
        args.push(w);
        let o = run(SUBMIT, &args, b"", &[]);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("1=running"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("herd-stop {w} -i 1")),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(job_ids(&ws).len(), jobs);
    // `herd run --rerun` alone would name every trial: refused.
    let o = run(HERD, &["run", "--local", "--rerun", w], b"", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // A completed trial named with -i runs again only when asked to.
    // (The edit still removes trial 0, so each call keeps it as an orphan.)
    let o = run(
        SUBMIT,
        &["--local", "--keep-orphans", "-i", "2", w],
        b"",
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--rerun"), "{}", stderr(&o));
    ok(&run(
        SUBMIT,
        &["--local", "--keep-orphans", "--rerun", "-i", "2", w],
        b"",
        &[],
    ));
    let all = job_ids(&ws);
    assert_eq!(all.len(), jobs + 1);
    assert_eq!(all[jobs]["indices"], serde_json::json!([2]));
    let m = manifest_statuses(&ws);
    assert!(m.contains(&(0, "completed".into())), "{m:?}");
}

/// `herd run` after an edit, when a trial the edit removes failed since the last
/// sync: herd-expand still lists it (it looked running), herd-submit's own sync
/// finds it failed and drops it. The run must survive that and resubmit the failed
/// trial the edit keeps, in one go.
#[test]
fn a_run_after_an_edit_survives_the_sync_it_triggers() {
    let ws = workspace(
        "resync",
        &sweep_of("resync", &[0, 1, 2], "00:05:00"),
        "case \"$1\" in *k=1*) sleep 3; exit 1;; *k=2*) exit 1;; esac",
    );
    let w = ws.to_str().unwrap();
    ok(&run(HERD, &["run", "--local", w], b"", &[]));
    wait_for(&ws, Duration::from_secs(30), |r| {
        status_of(r, 1) == "running"
            && status_of(r, 0) == "completed"
            && status_of(r, 2) == "failed"
    });
    // Trial 1 fails now, unseen by any sync.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ws.join(".hyperherd/exit/1").exists() {
        assert!(Instant::now() < deadline, "trial 1 never ended");
        std::thread::sleep(Duration::from_millis(200));
    }
    fs::write(
        ws.join("hyperherd.yaml"),
        sweep_of("resync", &[0, 2], "00:05:00"),
    )
    .unwrap();
    let o = run(HERD, &["run", "--local", w], b"", &[]);
    ok(&o);
    assert!(
        stderr(&o).contains("skipped 1 trial(s) the config no longer generates"),
        "{}",
        stderr(&o)
    );
    let jobs = job_ids(&ws);
    assert_eq!(jobs.last().unwrap()["indices"], serde_json::json!([2]));
    let m = manifest_statuses(&ws);
    assert!(!m.iter().any(|(i, _)| *i == 1), "{m:?}");
}

/// (status, slurm_state, reason) of every record.
fn states(recs: &[serde_json::Value]) -> Vec<(String, String, String)> {
    recs.iter()
        .map(|r| {
            (
                field(r, "status").to_string(),
                field(r, "slurm_state").to_string(),
                field(r, "reason").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_submission_killed_before_its_runner_started_leaves_lost_pending_trials() {
    let ws = workspace("nevers", &sweep("nevers", 2, "00:05:00"), "");
    let w = ws.to_str().unwrap();
    // herd-submit dies right after journaling `local-1`, before anything of the job
    // exists on disk.
    let (o, _) = expand_submit(
        &ws,
        &["--local"],
        &[("HERD_TEST_CRASH_AT", "before-sbatch")],
    );
    assert!(!o.status.success(), "the crash point did not fire");
    // The next sync records the journaled job and finds that it never started.
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    let never = (
        "failed".to_string(),
        "LOST".to_string(),
        "the local runner never started".to_string(),
    );
    assert_eq!(states(&recs), [never.clone(), never], "{recs:#?}");
    assert_eq!(job_ids(&ws).len(), 1, "the journaled job is recorded");
    // `herd-status --wait` returns at once: nothing is live.
    let o = run(STATUS, &["--wait", "1", "--json", w], b"", &[]);
    ok(&o);
    // A plain herd-submit resubmits them, and they run.
    let o = run(SUBMIT, &["--local", "--all", w], b"", &[]);
    ok(&o);
    let recs = wait_for(&ws, Duration::from_secs(60), all_final);
    for r in &recs {
        assert_eq!(field(r, "status"), "completed", "{r}");
        assert!(field(r, "slurm_job_id").starts_with("local-2_"), "{r}");
    }
}

#[test]
fn a_runner_that_starts_after_its_job_was_declared_lost_runs_nothing() {
    let ws = workspace("late", &sweep("late", 2, "00:05:00"), "");
    // herd-submit dies with the job's directory written but its runner not started.
    let (o, _) = expand_submit(
        &ws,
        &["--local"],
        &[("HERD_TEST_CRASH_AT", "before-runner")],
    );
    assert!(!o.status.success(), "the crash point did not fire");
    let dir = ws.join(".hyperherd/local/local-1");
    assert!(dir.join("spec.json").exists());
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    assert!(recs.iter().all(|r| r["slurm_state"] == "LOST"), "{recs:#?}");
    // The runner turns up late (it was starting while herd-submit died): it must not
    // run trials that are now pending again.
    let o = run(SUBMIT, &["--local-runner", dir.to_str().unwrap()], b"", &[]);
    assert!(!o.status.success(), "the late runner ran");
    assert!(
        String::from_utf8_lossy(&o.stdout).trim().is_empty(),
        "the late runner said it was ready"
    );
    let ev = events(&ws, "local-1");
    assert!(!ev.contains("start "), "a trial was started: {ev}");
    assert!(!ws.join("out/0.overrides").exists());
    let (_, recs) = status_json(&ws, &[]);
    assert!(recs.iter().all(|r| r["status"] == "failed"), "{recs:#?}");
}

#[test]
fn a_trial_that_ended_before_its_runner_was_killed_keeps_its_exit_record() {
    // Trial 0 exits 0, trial 1 exits 3, once the test leaves `out/finish`.
    let body = "while [ ! -e \"$HYPERHERD_WORKSPACE/out/finish\" ]; do sleep 0.1; done\n[ \"$HYPERHERD_TRIAL_ID\" = 0 ] || exit 3";
    let ws = workspace("ended", &sweep("ended", 2, "00:05:00"), body);
    let (o, _) = expand_submit(&ws, &["--local", "-j", "2"], &[]);
    ok(&o);
    wait_for(&ws, Duration::from_secs(30), |recs| {
        recs.iter().all(|r| r["status"] == "running")
    });
    // Freeze the runner, let the trials end (the job script writes their exit
    // records), then kill the runner before it could record the ends.
    let runner = runner_pid(&ws, "local-1").unwrap();
    assert!(nix_kill(runner, 19));
    fs::write(ws.join("out/finish"), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    for (i, code) in [(0, 0), (1, 3)] {
        let want = format!("local-1_{i} {code}\n");
        while fs::read_to_string(ws.join(format!(".hyperherd/exit/{i}"))).ok() != Some(want.clone())
        {
            assert!(Instant::now() < deadline, "no exit record for trial {i}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert!(nix_kill(runner, 9));
    while fs::read_to_string(format!("/proc/{runner}/stat"))
        .is_ok_and(|s| !s.contains(") Z") && !s.contains(") X"))
    {
        assert!(Instant::now() < deadline, "the runner survived SIGKILL");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !events(&ws, "local-1").contains("\nend "),
        "the runner recorded an end"
    );
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    let got: Vec<(&str, &str, Option<i64>)> = recs
        .iter()
        .map(|r| {
            (
                field(r, "status"),
                field(r, "slurm_state"),
                r["exit_code"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("completed", "COMPLETED", Some(0)),
            ("failed", "FAILED", Some(3))
        ],
        "{recs:#?}"
    );
    // Only the failed trial is submitted again.
    let o = run(
        SUBMIT,
        &["--local", "--all", "--dry-run", ws.to_str().unwrap()],
        b"",
        &[],
    );
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("would submit 1 trial(s) as 1 array job(s): 1"),
        "{err}"
    );
}

#[test]
fn a_timed_out_trial_reports_the_peak_memory_of_its_processes() {
    // The memory is held by a child of the launcher (as a trainer run by launch.sh
    // would be) that takes half a second to save its work on TERM: the launcher's
    // bash dies first and orphans it.
    let body = "bash -c 'trap \"sleep 0.5; exit 143\" TERM; x=$(head -c 50000000 /dev/zero | tr \"\\0\" a); sleep 100 & wait'";
    let ws = workspace("rss", &sweep("rss", 1, "00:00:02"), body);
    let (o, _) = expand_submit(&ws, &["--local"], &[("HERD_LOCAL_KILL_WAIT", "1")]);
    ok(&o);
    let recs = wait_for(&ws, Duration::from_secs(30), all_final);
    assert_eq!(field(&recs[0], "slurm_state"), "TIMEOUT", "{}", recs[0]);
    let rss = recs[0]["max_rss_bytes"].as_u64().unwrap_or(0);
    assert!(rss >= 40_000_000, "max_rss_bytes {rss}: {}", recs[0]);
}

/// Stop every local job a test started (herd-sh resubmits as new local jobs), also
/// the runners of paused or pruned trials herd-stop would not touch.
fn stop_every_runner(ws: &Path) {
    stop_all(ws);
    if let Ok(dirs) = fs::read_dir(ws.join(".hyperherd/local")) {
        for d in dirs.flatten() {
            kill_job(ws, &d.file_name().to_string_lossy());
        }
    }
}

fn halving_workspace(tag: &str, yaml: &str, body: &str) -> Ws {
    Ws::new(write_workspace("local", tag, yaml, body), stop_every_runner)
}

#[test]
fn successive_halving_sync_prunes_pauses_and_resumes_real_trials() {
    use common::halving::*;
    let (tag, yaml, body) = sync_case();
    let ws = halving_workspace(tag, &yaml, &body);
    // Two at a time, as on the test cluster's 2 CPUs: early trials wait at rung 0.
    // Hands-off: herd-sh --watch 1 drives it.
    sync_scenario(&ws, &["--local", "-j", "2"], Driver::Watch);
}

#[test]
fn successive_halving_asha_max_keeps_the_best_trial() {
    use common::halving::*;
    let (tag, yaml, body) = asha_case();
    let ws = halving_workspace(tag, &yaml, &body);
    asha_max_scenario(&ws, &["--local", "-j", "2"]);
}

#[test]
fn a_promoted_trial_waits_for_its_old_job_and_the_backstop_cancels_ignored_signals() {
    use common::halving::*;
    let (tag, yaml, body) = wait_case();
    let ws = halving_workspace(tag, &yaml, &body);
    wait_backstop_resume_scenario(&ws, &["--local", "-j", "2"]);
}

/// herd-watch retries a local trial that timed out with more time, gives up on one
/// that failed, and exits once the sweep is over (the local runner enforces
/// `slurm.time`; memory is not enforced here, so no OUT_OF_MEMORY).
#[test]
fn herd_watch_retries_a_local_timeout_with_more_time_and_not_a_failure() {
    use common::watch::*;
    let yaml = retry_sweep(
        "wlocal",
        &["ok", "slow", "fail"],
        "0:04",
        "100M",
        "{attempts: 3}",
    );
    let ws = halving_workspace("wlocal", &yaml, &retry_body(6));
    // 4 s is past; ×1.5 = 6 s rounds up to SLURM's whole minute.
    retry_scenario(
        &ws,
        &["ok", "slow", "fail"],
        &["--local", "-j", "3"],
        "1",
        ("0:04", "00:01:00"),
        Duration::from_secs(90),
    );
}

/// herd-watch runs the sweep's successive halving each tick (the decision herd-sh
/// makes), and logs each prune, pause and resume in events.jsonl.
#[test]
fn herd_watch_runs_successive_halving_each_tick() {
    use common::halving::*;
    let (_, yaml, body) = sync_case();
    let ws = halving_workspace("shwatch", &yaml, &body);
    sync_scenario(&ws, &["--local", "-j", "2"], Driver::HerdWatch);
}

/// notify: hands the chosen events to the command, one JSON line each on its stdin,
/// the same lines events.jsonl holds.
#[test]
fn herd_watch_hands_chosen_events_to_the_notify_command() {
    use common::watch::*;
    let mut yaml = retry_sweep(
        "wnotify",
        &["ok", "fail"],
        "00:05:00",
        "100M",
        "{attempts: 3}",
    );
    yaml.push_str("notify:\n  command: [sh, -c, 'cat >> notified.jsonl']\n  on: [failed_for_good, sweep_finished]\n");
    let ws = halving_workspace("wnotify", &yaml, &retry_body(1));
    let (o, _) = expand_submit(&ws, &["--local"], &[]);
    ok(&o);
    ok(&watch_until_over(
        &ws,
        &["--every", "1", "--json"],
        Duration::from_secs(60),
    ));
    let sent = fs::read_to_string(ws.join("notified.jsonl")).unwrap();
    let logged: Vec<String> = fs::read_to_string(ws.join(".hyperherd/events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"failed_for_good\"") || l.contains("\"sweep_finished\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert_eq!(sent, logged.concat());
}

/// herd-stop --all stops a foreground herd-watch at its next tick, and cancels the
/// sweep's live trials.
#[test]
fn herd_stop_all_stops_a_running_herd_watch() {
    use common::watch::*;
    let yaml = retry_sweep("wstop", &["slow"], "00:05:00", "100M", "{attempts: 3}");
    let ws = halving_workspace("wstop", &yaml, &retry_body(60));
    let (o, _) = expand_submit(&ws, &["--local"], &[]);
    ok(&o);
    let watcher = std::process::Command::new(WATCH)
        .args(["--every", "1", ws.to_str().unwrap()])
        .env("HERD_LOCAL_POOL", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let o = run(STOP, &["--all", ws.to_str().unwrap()], b"", &[]);
    ok(&o);
    let t = Instant::now();
    let out = watcher.wait_with_output().unwrap();
    assert!(t.elapsed() < Duration::from_secs(10), "herd-watch went on");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stopped by herd-stop --all"), "{err}");
    assert_eq!(manifest_statuses(&ws), vec![(0, "cancelled".to_string())]);
    // A --once tick from cron now does nothing, and says why.
    let o = run(WATCH, &["--once", ws.to_str().unwrap()], b"", &[]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing done"));
}
