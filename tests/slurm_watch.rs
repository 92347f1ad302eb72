//! Supervision end to end on a REAL single-node SLURM cluster (`tests/slurm/up`):
//! herd-watch retrying trials that ran out of memory (`up --cgroups` enforces
//! `--mem`) or time, a requeued task followed to its end with USR2 forwarded to its
//! trainer, a 30-trial sweep finishing in waves under a QOS limit of 8 queued jobs
//! (`up --limits`) both in the foreground and as the self-resubmitting watcher job,
//! and a tick while the controller is down.
//!
//! No fake commands. Each test is `#[ignore]`d with the reason, so `make test` lists
//! them as ignored; `make test-slurm` runs them. Asked to run, a test fails when no
//! cluster answers. Tests that change the cluster's mode put it back, also on failure.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::watch::*;
use common::*;

/// Runs `f` with the cluster in the mode `args` gives, and puts it back to the
/// default mode afterwards, also when `f` panics.
fn in_mode(args: &[&str], f: impl FnOnce() + std::panic::UnwindSafe) {
    harness(args);
    let r = std::panic::catch_unwind(f);
    harness(&[]);
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

fn sacctmgr(args: &[&str]) {
    let o = Command::new("sacctmgr")
        .arg("-i")
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "sacctmgr {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Cancels every job a workspace recorded, and its watcher job.
fn scancel_all(ws: &Path) {
    for j in job_ids(ws) {
        let _ = Command::new("scancel")
            .arg(j["slurm_job_id"].as_str().unwrap_or("0"))
            .status();
    }
    let _ = Command::new("scancel")
        .args(["-n", &format!("herd-watch_{}", name_of(ws))])
        .status();
}

fn name_of(ws: &Path) -> String {
    fs::read_to_string(ws.join("hyperherd.yaml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("name: ").map(str::to_string))
        .unwrap()
}

fn workspace(tag: &str, yaml: &str, body: &str) -> Ws {
    Ws::new(write_workspace("watch", tag, yaml, body), scancel_all)
}

fn squeue_lines(args: &[&str]) -> Vec<String> {
    let o = Command::new("squeue")
        .arg("-h")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The retry scenario on the cluster in `mode`: TIMEOUT lands 60-90 s after the
/// start (the slow trial sleeps 150 s), the retry resumes and ends in a second.
fn retries_in_mode(mode: &[&str], name: &'static str, kinds: &'static [&'static str], mem: &str) {
    let yaml = retry_sweep(name, kinds, "00:01:00", mem, "{attempts: 3}");
    in_mode(mode, move || {
        let ws = workspace(name, &yaml, &retry_body(150));
        let limit = Duration::from_secs(420);
        retry_scenario(&ws, kinds, &[], "10", ("00:01:00", "00:02:00"), limit);
    });
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn herd_watch_retries_out_of_memory_and_timeout_with_more_and_not_a_failure() {
    let _cluster = cluster();
    retries_in_mode(
        &["--cgroups"],
        "wretry",
        &["ok", "slow", "fail", "oom"],
        "150M",
    );
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn herd_watch_retries_a_timeout_without_accounting() {
    let _cluster = cluster();
    retries_in_mode(
        &["--no-accounting"],
        "wnoacct",
        &["ok", "slow", "fail"],
        "100M",
    );
}

/// `scontrol requeue` is the closest the test cluster gets to preemption: the task
/// goes back to the queue and runs again. Before it, SLURM's warning (USR2, as
/// `--signal=B:USR2@30` sends it, here with `scancel --signal=USR2 --batch`) reaches
/// the trainer through the job script. herd follows the task through the requeue: it
/// never reads as failed, and the second run completes it.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_requeued_task_is_followed_to_its_end_and_its_trainer_saw_usr2() {
    let _cluster = cluster();
    let yaml = "name: wrequeue\ngrid: all\nlauncher: ./launch.sh\nslurm: {partition: debug, time: \"00:05:00\", mem: 100M, signal_grace: 30}\nparameters:\n  x: {type: discrete, values: [1]}\n";
    // The launcher execs its trainer, as herd(7) advises, so USR2 reaches it. The
    // first run waits for the warning, saves that it got it, and goes on until
    // SLURM stops it; the second run finds the mark and finishes.
    let body = "mark=\"$HYPERHERD_WORKSPACE/out/usr2\"\nif [ -e \"$mark\" ]; then exit 0; fi\nexec bash -c 'trap \"echo usr2 >> \\\"$0\\\"\" USR2; while :; do sleep 1; done' \"$mark\"";
    let ws = workspace("requeue", yaml, body);
    let (o, _) = expand_submit(&ws, &[], &[]);
    ok(&o);
    let job = job_ids(&ws)[0]["slurm_job_id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = format!("{job}_0");
    wait_for(
        || {
            status_json(&ws, &[])
                .1
                .first()
                .is_some_and(|r| r["status"] == "running")
        },
        Duration::from_secs(60),
        "the trial to run",
    );
    let script = fs::read_to_string(ws.join(".hyperherd/job.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --signal=B:USR2@30\n#SBATCH --requeue\n"));
    std::thread::sleep(Duration::from_secs(2));
    let st = Command::new("scancel")
        .args(["--signal=USR2", "--batch", &task])
        .status()
        .unwrap();
    assert!(st.success());
    wait_for(
        || ws.join("out/usr2").exists(),
        Duration::from_secs(30),
        "the trainer to see USR2",
    );
    let st = Command::new("scontrol")
        .args(["requeue", &task])
        .status()
        .unwrap();
    assert!(st.success(), "scontrol requeue");
    // Followed across the requeue: queued or running, never failed, then completed.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (_, recs) = status_json(&ws, &[]);
        let s = recs[0]["status"].as_str().unwrap().to_string();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "completed" {
            break;
        }
        assert!(
            ["running", "queued", "submitted"].contains(&s.as_str()),
            "statuses seen: {seen:?}"
        );
        assert!(Instant::now() < deadline, "statuses seen: {seen:?}");
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(
        seen.iter().any(|s| s == "queued"),
        "the requeue was seen: {seen:?}"
    );
    // One job, run twice: the same job id, no resubmission by herd.
    assert_eq!(job_ids(&ws).len(), 1);
    assert_eq!(
        fs::read_to_string(ws.join("out/usr2")).unwrap(),
        "usr2\n",
        "the trainer saw USR2 once"
    );
    let runs = fs::read_to_string(ws.join("out/0.overrides")).unwrap();
    assert_eq!(runs.lines().count(), 2, "two runs of the task: {runs}");
}

/// Submit the sweep, then start the watcher job (`herd-watch --slurm`, one tick every
/// 30 s), which returns at once; the watcher job's name.
fn submit_with_watcher_job(ws: &Path) -> String {
    let (o, _) = expand_submit(ws, &[], &[]);
    ok(&o);
    let o = run(
        WATCH,
        &["--slurm", "--every", "30", ws.to_str().unwrap()],
        b"",
        &[],
    );
    ok(&o);
    format!("herd-watch_{}", name_of(ws))
}

const WAVES: usize = 30;

fn waves_sweep(name: &str) -> String {
    let xs: Vec<String> = (0..WAVES).map(|i| i.to_string()).collect();
    format!(
        "name: {name}\ngrid: all\nlauncher: ./launch.sh\nslurm: {{partition: debug, time: \"00:05:00\", mem: 50M}}\nparameters:\n  x: {{type: discrete, values: [{}]}}\n",
        xs.join(", ")
    )
}

/// Every trial ran exactly once, all completed, nothing was refused.
fn all_done_once(ws: &Path) {
    let (_, recs) = status_json(ws, &[]);
    assert_eq!(recs.len(), WAVES);
    for r in &recs {
        assert_eq!(r["status"], "completed", "{r}");
    }
    let mut indices: Vec<u64> = job_ids(ws)
        .iter()
        .flat_map(|j| j["indices"].as_array().unwrap().clone())
        .map(|i| i.as_u64().unwrap())
        .collect();
    indices.sort();
    assert_eq!(indices, (0..WAVES as u64).collect::<Vec<_>>(), "each once");
    let ev = events(ws);
    assert!(named(&ev, "tick_failed").is_empty(), "{ev:?}");
    assert!(named(&ev, "submitted").len() >= 2, "in waves: {ev:?}");
    assert_eq!(named(&ev, "sweep_finished").len(), 1, "{ev:?}");
    for k in 0..WAVES {
        let runs = fs::read_to_string(ws.join(format!("out/{k}.overrides"))).unwrap();
        assert_eq!(runs.lines().count(), 1, "trial {k} ran once");
    }
}

/// A limit of 8 queued jobs: herd-submit takes what fits and defers the rest
/// (no refused sbatch), herd-watch submits the rest in waves, in the foreground and
/// as the self-resubmitting watcher job with nothing left on the login side.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn thirty_trials_under_a_limit_of_8_queued_jobs_finish_in_waves() {
    let _cluster = cluster();
    in_mode(&["--limits"], || {
        sacctmgr(&["add", "qos", "lim8", "MaxSubmitJobsPerUser=8"]);
        sacctmgr(&[
            "modify",
            "user",
            "root",
            "set",
            "qos+=lim8",
            "defaultqos=lim8",
        ]);
        let r = std::panic::catch_unwind(|| {
            // In the foreground.
            let ws = workspace("waves", &waves_sweep("wwaves"), "sleep 1");
            let (o, recs) = expand_submit(&ws, &[], &[]);
            ok(&o);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("deferred 23 trial(s) (7-29)"), "{err}");
            assert!(err.contains("QOS lim8 MaxSubmitJobsPerUser=8"), "{err}");
            assert_eq!(recs.len(), WAVES, "submitted and deferred records");
            assert_eq!(job_ids(&ws).len(), 1);
            let st = manifest_statuses(&ws);
            assert_eq!(st.iter().filter(|(_, s)| s == "deferred").count(), 23);
            let o = watch_until_over(&ws, &["--every", "10"], Duration::from_secs(300));
            ok(&o);
            all_done_once(&ws);
            // As the watcher job: herd-watch --slurm returns at once.
            let ws = workspace("wavesjob", &waves_sweep("wwavesjob"), "sleep 1");
            let name = submit_with_watcher_job(&ws);
            wait_for(
                || {
                    let (_, recs) = status_json(&ws, &[]);
                    recs.iter().all(|r| r["status"] == "completed")
                        && squeue_lines(&["-n", &name]).is_empty()
                },
                Duration::from_secs(420),
                "the watcher job to finish the sweep and end",
            );
            all_done_once(&ws);
            let state = fs::read_to_string(ws.join(".hyperherd/watch.json")).unwrap();
            assert!(state.contains("\"job\": null"), "{state}");
        });
        sacctmgr(&[
            "modify",
            "user",
            "root",
            "set",
            "qos=normal",
            "defaultqos=normal",
        ]);
        sacctmgr(&["delete", "qos", "lim8"]);
        if let Err(e) = r {
            std::panic::resume_unwind(e);
        }
    });
}

/// A tick while the controller is down says so (event `tick_failed`, exit 1) and
/// changes nothing; the next tick, with the controller back, retries as usual.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_tick_while_the_controller_is_down_changes_nothing_and_the_next_recovers() {
    let _cluster = cluster();
    let yaml = retry_sweep(
        "wdown",
        &["fail"],
        "00:05:00",
        "100M",
        "{failed: same, attempts: 2}",
    );
    let ws = workspace("down", &yaml, &retry_body(1));
    let (o, _) = expand_submit(&ws, &[], &[]);
    ok(&o);
    wait_for(
        || status_json(&ws, &[]).1[0]["status"] == "failed",
        Duration::from_secs(60),
        "the trial to fail",
    );
    let before = fs::read(ws.join(".hyperherd/manifest.json")).unwrap();
    let jobs_before = fs::read(ws.join(".hyperherd/job_ids.json")).unwrap();
    let pid = fs::read_to_string("/run/slurm-harness/slurmctld.pid").unwrap();
    Command::new("kill").arg(pid.trim()).status().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let down = run(
        WATCH,
        &["--once", "--json", ws.to_str().unwrap()],
        b"",
        &[("HERD_SLURM_TIMEOUT", "10")],
    );
    harness(&[]);
    assert_eq!(
        down.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    let ev = events(&ws);
    assert_eq!(named(&ev, "tick_failed").len(), 1, "{ev:?}");
    assert_eq!(
        fs::read(ws.join(".hyperherd/manifest.json")).unwrap(),
        before
    );
    assert_eq!(
        fs::read(ws.join(".hyperherd/job_ids.json")).unwrap(),
        jobs_before
    );
    let up = run(WATCH, &["--once", "--json", ws.to_str().unwrap()], b"", &[]);
    ok(&up);
    let ev = events(&ws);
    assert_eq!(named(&ev, "retried").len(), 1, "{ev:?}");
    assert_eq!(job_ids(&ws).len(), 2);
}

/// herd-stop --all cancels the queued watcher job along with the trials.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn herd_stop_all_cancels_the_watcher_job() {
    let _cluster = cluster();
    let yaml = retry_sweep("wstopjob", &["slow"], "00:05:00", "100M", "{attempts: 3}");
    let ws = workspace("stopjob", &yaml, &retry_body(120));
    // The watcher job (or, after its first tick, its successor) is queued or running.
    let name = submit_with_watcher_job(&ws);
    assert_eq!(squeue_lines(&["-n", &name]).len(), 1);
    let o = run(STOP, &["--all", ws.to_str().unwrap()], b"", &[]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("stopped the watcher (cancelled its job"),
        "{err}"
    );
    wait_for(
        || squeue_lines(&["-n", &name]).is_empty(),
        Duration::from_secs(30),
        "the watcher job to leave the queue",
    );
    let state = fs::read_to_string(ws.join(".hyperherd/watch.json")).unwrap();
    assert!(state.contains("\"stopped\": true"), "{state}");
}
