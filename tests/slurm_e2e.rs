//! End-to-end tests against a REAL single-node SLURM cluster (`tests/slurm/up`).
//!
//! No fake commands: `sbatch`, `squeue`, `scancel` and `scontrol` are the cluster's.
//! Each test is `#[ignore]`d with the reason, so a plain `cargo test` (`make test`)
//! lists them as ignored, never as passed; `make test-slurm` runs them with
//! `--ignored`, one at a time (they share one small cluster, and some restart it).
//! Asked to run, a test fails when no cluster answers: nothing here skips silently.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

/// A fresh workspace with `hyperherd.yaml` and a launcher that records what it got;
/// dropping it (also when the test panics) cancels its jobs, so a failing test never
/// leaves the small cluster busy for the next one.
fn workspace(tag: &str, yaml: &str, launcher_body: &str) -> Ws {
    Ws::new(
        write_workspace("e2e", tag, yaml, launcher_body),
        scancel_all,
    )
}

/// Every index of every recorded submission, sorted (duplicates kept: a trial
/// submitted twice shows twice).
fn submitted_indices(ws: &Path) -> Vec<u64> {
    let mut indices: Vec<u64> = job_ids(ws)
        .iter()
        .flat_map(|j| {
            j["indices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap())
        })
        .collect();
    indices.sort();
    indices
}

/// Wait until none of `jobs` is pending or running any more.
fn wait_gone(jobs: &[String], limit: Duration) {
    let deadline = Instant::now() + limit;
    let list = jobs.join(",");
    loop {
        let o = Command::new("squeue")
            .args(["-h", "-j", &list])
            .output()
            .unwrap();
        if o.status.success() && o.stdout.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "jobs {list} still in squeue after {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn recorded_jobs(ws: &Path) -> Vec<String> {
    job_ids(ws)
        .iter()
        .map(|j| j["slurm_job_id"].as_str().unwrap().to_string())
        .collect()
}

fn scancel_all(ws: &Path) {
    for j in recorded_jobs(ws) {
        let _ = Command::new("scancel").arg(&j).status();
    }
}

const TWELVE: &str = "name: e2e12
grid: all
launcher: ./launch.sh
slurm:
  partition: debug
  time: \"00:05:00\"
  mem: 100M
static_overrides: [data.root=/scratch/x]
parameters:
  lr: {type: continuous, low: 1.0e-4, high: 1.0e-2, scale: log, steps: 3}
  opt: {type: discrete, values: [adam, sgd]}
  bs: {type: discrete, values: [16, 32], abbrev: b}
";

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn twelve_trials_each_run_once_with_exactly_their_overrides() {
    let _cluster = cluster();
    let ws = workspace("twelve", TWELVE, "");
    let plan = expand(&ws);
    assert_eq!(plan.len(), 12);
    let (o, recs) = expand_submit(&ws, &[], &[]);
    assert!(
        o.status.success(),
        "herd-submit failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(recs.len(), 12);
    assert!(recs
        .iter()
        .all(|r| r["status"] == "submitted" && r["slurm_job_id"].is_string()));
    wait_gone(&recorded_jobs(&ws), Duration::from_secs(240));
    for t in &plan {
        let i = t["index"].as_u64().unwrap();
        let got = fs::read_to_string(ws.join(format!("out/{i}.overrides"))).unwrap();
        assert_eq!(
            got,
            format!("{}\n", t["overrides"].as_str().unwrap()),
            "trial {i} overrides"
        );
        let env = fs::read_to_string(ws.join(format!("out/{i}.env"))).unwrap();
        let name = t["experiment_name"].as_str().unwrap();
        assert_eq!(
            env,
            format!("{i}|{name}|{name}|e2e12\n"),
            "trial {i} environment, ran once"
        );
        let log = fs::read_to_string(ws.join(format!(".hyperherd/logs/{i}.out"))).unwrap();
        assert!(
            log.contains("==== HyperHerd run: job ") && log.contains(&format!("trial {i} done")),
            "{log}"
        );
        assert!(ws.join(format!(".hyperherd/logs/{i}.err")).exists());
        // herd-tail reads what SLURM wrote for the task.
        let tail = run(
            TAIL,
            &[ws.to_str().unwrap(), &i.to_string(), "--stdout", "-n", "1"],
            b"",
            &[],
        );
        ok(&tail);
        assert!(
            String::from_utf8_lossy(&tail.stdout).ends_with(&format!("trial {i} done\n")),
            "herd-tail {i}: {}",
            String::from_utf8_lossy(&tail.stdout)
        );
        let exit = fs::read_to_string(ws.join(format!(".hyperherd/exit/{i}"))).unwrap();
        assert!(
            exit.trim_end().ends_with(" 0"),
            "exit record of {i}: {exit}"
        );
    }
    // The log-grid floats reach the trainer exactly (B19): 10 ** -3 from glibc pow.
    assert!(plan
        .iter()
        .any(|t| t["overrides"].as_str().unwrap().contains("lr=0.001 ")));
    // A second run has nothing left to submit.
    let (o, recs) = expand_submit(&ws, &[], &[]);
    assert!(o.status.success());
    assert!(recs.is_empty());
    assert_eq!(recorded_jobs(&ws).len(), 1);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn hostile_values_arrive_literally_and_nothing_is_executed() {
    let _cluster = cluster();
    let yaml = "name: inject
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M}
static_overrides: [\"note=$(touch pwned) `touch pwned` ; touch pwned\", \"q='\\\"x\\\"'\"]
parameters:
  s:
    type: discrete
    values: [\"$(touch${IFS}pwned)\", \"`touch${IFS}pwned`\", \"a;touch${IFS}pwned\", \"it's\", \"ü-ß\"]
    labels: [dollar, tick, semi, quote, umlaut]
";
    let ws = workspace("inject", yaml, "");
    let plan = expand(&ws);
    assert_eq!(plan.len(), 5);
    let (o, _) = expand_submit(&ws, &[], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    wait_gone(&recorded_jobs(&ws), Duration::from_secs(240));
    for t in &plan {
        let i = t["index"].as_u64().unwrap();
        let got = fs::read_to_string(ws.join(format!("out/{i}.overrides"))).unwrap();
        assert_eq!(got, format!("{}\n", t["overrides"].as_str().unwrap()));
    }
    let raw = fs::read_to_string(ws.join("out/0.overrides")).unwrap();
    assert!(
        raw.contains("s=$(touch${IFS}pwned)")
            && raw.contains("note=$(touch pwned) `touch pwned` ; touch pwned")
    );
    for dir in [
        ws.to_path_buf(),
        ws.join(".hyperherd"),
        ws.join("out"),
        PathBuf::from("/root"),
        PathBuf::from("/"),
    ] {
        assert!(
            !dir.join("pwned").exists(),
            "injection created {}",
            dir.join("pwned").display()
        );
    }
    // Values with whitespace are refused at load, before anything reaches a script.
    let ws2 = workspace(
        "inject2",
        &yaml.replace("\"a;touch${IFS}pwned\"", "\"$(touch pwned)\""),
        "",
    );
    let o = run(SUBMIT, &["--all", ws2.to_str().unwrap()], b"", &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!ws2.join(".hyperherd/job_ids.json").exists());
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn sbatch_refusal_prints_slurms_message_and_changes_no_status() {
    let _cluster = cluster();
    let ws = workspace(
        "refused",
        &TWELVE.replace("partition: debug", "partition: nosuchpartition"),
        "",
    );
    let (o, recs) = expand_submit(&ws, &[], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("herd-submit: error: sbatch refused the job:") && err.contains("partition"),
        "{err}"
    );
    assert!(recs.is_empty());
    assert!(manifest_statuses(&ws).iter().all(|(_, s)| s == "ready"));
    assert!(recorded_jobs(&ws).is_empty());
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_crash_at_any_point_neither_loses_nor_doubles_a_job() {
    let _cluster = cluster();
    for point in ["before-sbatch", "after-sbatch", "before-manifest"] {
        let ws = workspace(&format!("crash-{point}"), TWELVE, "sleep 30");
        let (o, _) = expand_submit(&ws, &[], &[("HERD_TEST_CRASH_AT", point)]);
        assert!(!o.status.success(), "{point}: the crash hook did not fire");
        // The next submission settles the journal, then submits only what is not live.
        let o = run(SUBMIT, &["--all", ws.to_str().unwrap()], b"", &[]);
        assert!(
            o.status.success(),
            "{point}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let jobs = job_ids(&ws);
        let indices = submitted_indices(&ws);
        assert_eq!(
            indices,
            (0..12).collect::<Vec<u64>>(),
            "{point}: every trial submitted exactly once"
        );
        assert_eq!(jobs.len(), 1, "{point}: one array job in all");
        // herd-submit syncs before choosing: live trials may read queued or running.
        assert!(
            manifest_statuses(&ws)
                .iter()
                .all(|(_, s)| LIVE.contains(&s.as_str())),
            "{point}: {:?}",
            manifest_statuses(&ws)
        );
        assert!(
            !ws.join(".hyperherd/submit.journal").exists(),
            "{point}: journal settled"
        );
        // And squeue agrees: exactly one live array job of this sweep.
        let q = Command::new("squeue")
            .args(["-h", "--name=hyperherd_e2e12", "-o", "%F"])
            .output()
            .unwrap();
        let mut live: Vec<String> = String::from_utf8_lossy(&q.stdout)
            .lines()
            .map(String::from)
            .collect();
        live.sort();
        live.dedup();
        assert_eq!(
            live,
            recorded_jobs(&ws),
            "{point}: the live job is the recorded one"
        );
        scancel_all(&ws);
        wait_gone(&recorded_jobs(&ws), Duration::from_secs(120));
    }
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn concurrent_submitters_double_submit_nothing() {
    let _cluster = cluster();
    let ws = workspace("concurrent", TWELVE, "sleep 20");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(SUBMIT)
                .args(["--all", ws.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let indices = submitted_indices(&ws);
    assert_eq!(indices, (0..12).collect::<Vec<u64>>());
    assert!(manifest_statuses(&ws)
        .iter()
        .all(|(_, s)| LIVE.contains(&s.as_str())));
    scancel_all(&ws);
    wait_gone(&recorded_jobs(&ws), Duration::from_secs(120));
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn editing_the_sweep_keeps_finished_trials_and_refuses_to_drop_active_ones() {
    let _cluster = cluster();
    let yaml = "name: edit
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M}
parameters:
  x: {type: discrete, values: [1, 2, 3]}
";
    let ws = workspace("edit", yaml, "");
    let o = run(SUBMIT, &["-i", "0", ws.to_str().unwrap()], b"", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    wait_gone(&recorded_jobs(&ws), Duration::from_secs(120));
    // Mark what SLURM did (status sync is herd-status's job; here we edit by hand).
    let m = fs::read_to_string(ws.join(".hyperherd/manifest.json"))
        .unwrap()
        .replacen("\"submitted\"", "\"completed\"", 1);
    fs::write(ws.join(".hyperherd/manifest.json"), m).unwrap();
    // Remove 2 (ready) and add 4: kept trials keep index and status; 4 gets index 3.
    fs::write(
        ws.join("hyperherd.yaml"),
        yaml.replace("[1, 2, 3]", "[1, 3, 4]"),
    )
    .unwrap();
    let o = run(
        SUBMIT,
        &["--all", "--dry-run", ws.to_str().unwrap()],
        b"",
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plan = expand(&ws);
    let got: Vec<(u64, String)> = plan
        .iter()
        .map(|t| {
            (
                t["index"].as_u64().unwrap(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "completed".to_string()),
            (2, "ready".into()),
            (3, "ready".into())
        ]
    );
    // Removing the completed trial is refused without --force, and nothing changes.
    fs::write(
        ws.join("hyperherd.yaml"),
        yaml.replace("[1, 2, 3]", "[3, 4]"),
    )
    .unwrap();
    let before = fs::read(ws.join(".hyperherd/manifest.json")).unwrap();
    let o = run(SUBMIT, &["--all", ws.to_str().unwrap()], b"", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("idx 0 [completed] x-1"));
    assert_eq!(
        fs::read(ws.join(".hyperherd/manifest.json")).unwrap(),
        before
    );
    let o = run(
        SUBMIT,
        &["--all", "--force", "--dry-run", ws.to_str().unwrap()],
        b"",
        &[],
    );
    assert!(o.status.success());
}

/// How many tasks of this workspace's jobs squeue shows for `index`.
fn live_tasks(ws: &Path, index: u64) -> usize {
    let jobs = recorded_jobs(ws).join(",");
    let o = Command::new("squeue")
        .args(["-h", "-r", "-o", "%i", "-j", &jobs])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.trim().ends_with(&format!("_{index}")))
        .count()
}

/// On the real cluster: after an edit that removes a completed trial, `herd run -f`
/// keeps it as an orphan and submits nothing (it used to resubmit every trial, the
/// running one included); `-i` of a running trial is refused whatever the flags;
/// and a `herd run` whose plan lists a trial that was cancelled behind herd's back
/// (and that the edit removes) survives herd-submit's own sync and submits the
/// new trial in one go.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn force_never_doubles_a_live_job_and_a_run_survives_its_sync() {
    let _cluster = cluster();
    let yaml = "name: force
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M}
parameters:
  x: {type: discrete, values: [1, 2, 3]}
";
    let ws = workspace("force", yaml, "case \"$1\" in *x=2*) sleep 300;; esac");
    let w = ws.to_str().unwrap();
    ok(&run(HERD, &["run", w], b"", &[]));
    let poll = Duration::from_millis(500);
    wait_until(&ws, Duration::from_secs(120), poll, |r| {
        status_of(r, 0) == "completed"
            && status_of(r, 1) == "running"
            && status_of(r, 2) == "completed"
    });
    fs::write(
        ws.join("hyperherd.yaml"),
        yaml.replace("[1, 2, 3]", "[2, 3]"),
    )
    .unwrap();
    let o = run(HERD, &["run", w], b"", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pass --keep-orphans"));
    let jobs = recorded_jobs(&ws).len();
    let o = run(HERD, &["run", "-f", w], b"", &[]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to submit"));
    let o = run(SUBMIT, &["-f", "-i", "1", w], b"", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("herd-stop {w} -i 1")));
    assert_eq!(recorded_jobs(&ws).len(), jobs, "a job was submitted");
    assert_eq!(
        live_tasks(&ws, 1),
        1,
        "trial 1 must have exactly one live job"
    );

    // Cancel trial 1 behind herd's back; the edit removes it and adds x=4.
    let job1 = job_ids(&ws)[0]["slurm_job_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(Command::new("scancel")
        .arg(format!("{job1}_1"))
        .status()
        .unwrap()
        .success());
    wait_gone(&[format!("{job1}_1")], Duration::from_secs(60));
    fs::write(
        ws.join("hyperherd.yaml"),
        yaml.replace("[1, 2, 3]", "[1, 3, 4]"),
    )
    .unwrap();
    let o = run(HERD, &["run", w], b"", &[]);
    ok(&o);
    let all = job_ids(&ws);
    assert_eq!(all.len(), jobs + 1);
    assert_eq!(all[jobs]["indices"], serde_json::json!([3]));
    assert!(!manifest_statuses(&ws).iter().any(|(i, _)| *i == 1));
}

/// On the real cluster: a trial whose manifest says `failed` while SLURM runs its job
/// (what a requeued task can read as for one sync, while the accounting database
/// catches up; failed is final in the sync) is not submitted again by `herd run`:
/// squeue is asked, the trial is set back to running, and it keeps its one job.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_trial_read_as_failed_while_its_job_runs_gets_no_second_job() {
    let _cluster = cluster();
    let yaml = "name: requeued
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M}
parameters:
  x: {type: discrete, values: [1]}
";
    let ws = workspace("requeued", yaml, "sleep 300");
    let w = ws.to_str().unwrap();
    ok(&run(HERD, &["run", w], b"", &[]));
    wait_until(
        &ws,
        Duration::from_secs(120),
        Duration::from_millis(500),
        |r| status_of(r, 0) == "running",
    );
    let path = ws.join(".hyperherd/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    manifest[0]["status"] = "failed".into();
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let jobs = recorded_jobs(&ws).len();

    let o = run(HERD, &["run", w], b"", &[]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("SLURM has queued the earlier job of trial(s) 0 again"),
        "{err}"
    );
    assert_eq!(recorded_jobs(&ws).len(), jobs, "a second job was submitted");
    assert_eq!(
        live_tasks(&ws, 0),
        1,
        "trial 0 must have exactly one live job"
    );
    assert!(manifest_statuses(&ws).contains(&(0, "running".to_string())));
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn sweeps_beyond_max_array_size_are_chunked() {
    let _cluster = cluster();
    // Restart the cluster with MaxArraySize=10 (task ids 0..9), then restore it.
    let up = |max: &str| {
        let st = Command::new("bash")
            .arg("tests/slurm/up")
            .env("SLURM_HARNESS_MAX_ARRAY_SIZE", max)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "tests/slurm/up failed");
    };
    up("10");
    let yaml = "name: chunks
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M}
parameters:
  x: {type: discrete, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]}
";
    let ws = workspace("chunks", yaml, "sleep 1");
    let (o, recs) = expand_submit(&ws, &[], &[]);
    let result = std::panic::catch_unwind(|| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(recs.len(), 35);
        let jobs = job_ids(&ws);
        assert_eq!(jobs.len(), 4, "35 trials in parts of at most 10 task ids");
        // Cancel trial 23 only: its job id names the part and the re-based task id.
        let r23 = recs.iter().find(|r| r["index"] == 23).unwrap();
        let id23 = r23["slurm_job_id"].as_str().unwrap();
        assert!(
            id23.ends_with("_3"),
            "task id of 23 in the part starting at 20: {id23}"
        );
        Command::new("scancel").arg(id23).status().unwrap();
        wait_gone(&recorded_jobs(&ws), Duration::from_secs(300));
        for i in 0..35u64 {
            let env = fs::read_to_string(ws.join(format!("out/{i}.env")));
            if i == 23 {
                continue; // may or may not have started before the cancel
            }
            let env = env.unwrap_or_else(|_| panic!("trial {i} did not run"));
            assert!(
                env.starts_with(&format!("{i}|x-{i}|")) && env.lines().count() == 1,
                "trial {i}: {env}"
            );
            let log = fs::read_to_string(ws.join(format!(".hyperherd/logs/{i}.out"))).unwrap();
            assert!(log.contains(&format!("trial {i} done")));
        }
    });
    up("10001");
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// Success, exit 3, a timeout and a herd-stop: every trial reaches the right status
/// and SLURM state, and a re-run resubmits exactly the failed and cancelled ones.
fn slurm_outcomes(tag: &str) -> (Ws, Vec<serde_json::Value>) {
    let ws = workspace(tag, &OUTCOMES.replace("TIME", "00:01:00"), &outcomes_body());
    let recs = outcomes(&ws, &[], tag);
    (ws, recs)
}

/// The same sweep on SLURM and on the local backend gives the same records (ignoring
/// job ids, timings and resource figures) and the launcher the same arguments.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn outcomes_reach_the_right_status_with_accounting_and_match_the_local_backend() {
    let _cluster = cluster();
    let local_ws = write_workspace(
        "e2e",
        "local",
        &OUTCOMES.replace("TIME", "00:01:00"),
        &outcomes_body(),
    );
    // Both run at once (the local trials only sleep), so the comparison costs no time.
    let local = {
        let ws = local_ws.clone();
        std::thread::spawn(move || outcomes(&ws, &["--local", "-j", "4"], "local"))
    };
    let (slurm_ws, slurm_recs) = slurm_outcomes("acct");
    let local_recs = local.join().expect("the local run failed");
    let (slurm, local) = (
        comparable(&slurm_ws, &slurm_recs),
        comparable(&local_ws, &local_recs),
    );
    assert_eq!(slurm, local, "SLURM (left) and local (right) disagree");
    // The metrics the trials logged from inside their SLURM jobs were collected.
    assert!(
        slurm[0].ends_with(r#"| {"val_loss":0.125,"loss@last":0.5}"#),
        "{}",
        slurm[0]
    );
    assert!(slurm[1].ends_with(r#"| {"loss@last":0.5}"#), "{}", slurm[1]);
    for r in &local_recs {
        assert!(r["slurm_job_id"].as_str().unwrap().starts_with("local-"));
    }
    let _ = fs::remove_dir_all(&local_ws);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn outcomes_reach_the_right_status_without_accounting() {
    let _cluster = cluster();
    harness(&["--no-accounting"]);
    let r = std::panic::catch_unwind(|| drop(slurm_outcomes("noacct")));
    harness(&[]);
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_dead_controller_changes_nothing_and_says_so() {
    let _cluster = cluster();
    let ws = workspace("ctlddown", TWELVE, "sleep 120");
    let (o, _) = expand_submit(&ws, &[], &[]);
    assert!(o.status.success());
    let (o, _) = status_json(&ws, &[]);
    assert!(o.status.success());
    let before = fs::read(ws.join(".hyperherd/manifest.json")).unwrap();
    let pid = fs::read_to_string("/run/slurm-harness/slurmctld.pid").unwrap();
    Command::new("kill").arg(pid.trim()).status().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let jobs_before = fs::read(ws.join(".hyperherd/job_ids.json")).unwrap();
    let slow = [("HERD_SLURM_TIMEOUT", "20")];
    let (o, recs) = status_json(&ws, &slow);
    // herd-stop and herd-submit cannot tell what is live either: they refuse.
    let stop = run(STOP, &[ws.to_str().unwrap(), "-i", "0-3"], b"", &slow);
    let (resubmit, _) = expand_submit(&ws, &[], &slow);
    // A first submission asks the controller for its array limits first.
    let fresh = workspace("ctlddown2", TWELVE, "true");
    let (first, _) = expand_submit(&fresh, &[], &slow);
    harness(&[]);
    let err = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(1), "first herd-submit: {err}");
    assert!(err.contains("scontrol show config failed"), "{err}");
    assert!(
        !fresh.join(".hyperherd/job_ids.json").exists(),
        "nothing recorded"
    );
    assert!(manifest_statuses(&fresh).iter().all(|(_, s)| s == "ready"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("statuses are stale (nothing was changed)"),
        "{err}"
    );
    assert_eq!(recs.len(), 12, "the previous statuses are still printed");
    let err = String::from_utf8_lossy(&stop.stderr);
    assert_eq!(stop.status.code(), Some(1), "herd-stop: {err}");
    assert!(err.contains("cannot tell which trials are live"), "{err}");
    assert!(err.contains("nothing was cancelled"), "{err}");
    let err = String::from_utf8_lossy(&resubmit.stderr);
    assert_eq!(resubmit.status.code(), Some(1), "herd-submit: {err}");
    assert!(
        err.contains("cannot tell which trials are still live"),
        "{err}"
    );
    assert_eq!(
        fs::read(ws.join(".hyperherd/manifest.json")).unwrap(),
        before,
        "manifest unchanged"
    );
    assert_eq!(
        fs::read(ws.join(".hyperherd/job_ids.json")).unwrap(),
        jobs_before,
        "job_ids.json unchanged"
    );
    scancel_all(&ws);
}

/// Sends SIGCONT to a stopped slurmctld when dropped, also when the test panics.
struct Resume(String);

impl Drop for Resume {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-CONT", &self.0]).status();
    }
}

/// A controller that accepts connections but never answers (stopped with SIGSTOP, as
/// an overloaded one looks): the call is abandoned at HERD_SLURM_TIMEOUT, the tool
/// says which command did not answer, exits 1 and changes nothing.
#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_hung_controller_times_out_and_changes_nothing() {
    let _cluster = cluster();
    let ws = workspace("ctldhung", TWELVE, "sleep 120");
    let (o, _) = expand_submit(&ws, &[], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (o, _) = status_json(&ws, &[]);
    assert!(o.status.success());
    let before = fs::read(ws.join(".hyperherd/manifest.json")).unwrap();
    let pid = fs::read_to_string("/run/slurm-harness/slurmctld.pid").unwrap();
    let pid = pid.trim().to_string();
    assert!(Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap()
        .success());
    let resume = Resume(pid);
    let t = Instant::now();
    let (o, recs) = status_json(&ws, &[("HERD_SLURM_TIMEOUT", "3")]);
    let took = t.elapsed();
    drop(resume);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("did not answer within 3 s"), "{err}");
    assert!(
        err.contains("statuses are stale (nothing was changed)"),
        "{err}"
    );
    assert_eq!(recs.len(), 12, "the previous statuses are still printed");
    // One call times out (sacct, on slurmdbd, still answers); nothing waits longer.
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(
        fs::read(ws.join(".hyperherd/manifest.json")).unwrap(),
        before,
        "manifest unchanged"
    );
    // The controller is back: the next sync works again.
    let (o, _) = status_json(&ws, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    scancel_all(&ws);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn one_sync_of_500_trials_in_3_submissions_calls_sacct_and_squeue_once() {
    let _cluster = cluster();
    let values: Vec<String> = (0..500).map(|i| i.to_string()).collect();
    let yaml = format!(
        "name: count\ngrid: all\nlauncher: ./launch.sh\nslurm: {{partition: debug, time: \"00:05:00\", mem: 10M}}\nparameters:\n  x: {{type: discrete, values: [{}]}}\n",
        values.join(", ")
    );
    let ws = workspace("count", &yaml, "sleep 60");
    for spec in ["0-199", "200-399", "400-499"] {
        let o = run(SUBMIT, &["-i", spec, ws.to_str().unwrap()], b"", &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(recorded_jobs(&ws).len(), 3);
    // Count invocations with wrappers that log and then run the real commands.
    let bin = ws.join("wrap");
    fs::create_dir_all(&bin).unwrap();
    for cmd in ["sacct", "squeue", "scontrol"] {
        let real = String::from_utf8(
            Command::new("bash")
                .args(["-c", &format!("command -v {cmd}")])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let script = format!(
            "#!/bin/bash\necho {cmd} >> {}/calls\nexec {} \"$@\"\n",
            ws.display(),
            real.trim()
        );
        let p = bin.join(cmd);
        fs::write(&p, script).unwrap();
        Command::new("chmod").arg("+x").arg(&p).status().unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let (o, recs) = status_json(&ws, &[("PATH", &path)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(recs.len(), 500);
    let calls = fs::read_to_string(ws.join("calls")).unwrap();
    assert_eq!(
        calls.lines().filter(|l| *l == "sacct").count(),
        1,
        "{calls}"
    );
    assert_eq!(
        calls.lines().filter(|l| *l == "squeue").count(),
        1,
        "{calls}"
    );
    assert_eq!(
        calls.lines().filter(|l| *l == "scontrol").count(),
        0,
        "{calls}"
    );
    scancel_all(&ws);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_task_cancelled_while_pending_is_cancelled_at_the_next_sync() {
    let _cluster = cluster();
    // Held by --begin: every task stays pending for the whole test.
    let yaml = "name: pendcancel
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"00:05:00\", mem: 100M, extra_args: [\"--begin=now+1hour\"]}
parameters:
  x: {type: discrete, values: [1, 2, 3]}
";
    let ws = workspace("pendcancel", yaml, "");
    let (o, _) = expand_submit(&ws, &[], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let job = recorded_jobs(&ws)[0].clone();
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    assert!(recs.iter().all(|r| r["status"] == "queued"), "{recs:#?}");
    // Cancelled outside herd while pending: SLURM takes the task out of the array's
    // pending record; squeue no longer lists it, and accounting never gets a row of
    // its own for it.
    let c = Command::new("scancel")
        .arg(format!("{job}_1"))
        .status()
        .unwrap();
    assert!(c.success());
    let (o, recs) = status_json(&ws, &[]);
    ok(&o);
    let got: Vec<(&str, &str)> = recs
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or(""),
                r["slurm_state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("queued", "PENDING"),
            ("cancelled", "CANCELLED"),
            ("queued", "PENDING")
        ],
        "{recs:#?}"
    );
    // It is pending again: a plain submission would resubmit exactly it.
    let o = run(
        SUBMIT,
        &["--all", "--dry-run", ws.to_str().unwrap()],
        b"",
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("would submit 1 trial(s) as 1 array job(s): 1"),
        "{err}"
    );
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn successive_halving_sync_prunes_pauses_and_resumes_real_trials() {
    use common::halving::*;
    let _cluster = cluster();
    let (tag, yaml, body) = sync_case();
    let ws = workspace(tag, &yaml, &body);
    // herd-sh every second (--watch's minimum on SLURM is 10 s).
    sync_scenario(&ws, &[], Driver::Loop);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn successive_halving_asha_max_keeps_the_best_trial() {
    use common::halving::*;
    let _cluster = cluster();
    let (tag, yaml, body) = asha_case();
    let ws = workspace(tag, &yaml, &body);
    asha_max_scenario(&ws, &[]);
}

#[test]
#[ignore = "needs a real SLURM cluster: tests/slurm/up, then make test-slurm"]
fn a_promoted_trial_waits_for_its_old_job_and_the_backstop_cancels_ignored_signals() {
    use common::halving::*;
    let _cluster = cluster();
    let (tag, yaml, body) = wait_case();
    let ws = workspace(tag, &yaml, &body);
    wait_backstop_resume_scenario(&ws, &[]);
}
