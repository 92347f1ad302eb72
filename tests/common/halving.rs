//! Successive-halving scenarios both end-to-end suites run, each on its backend:
//! real trials streaming a known value per step with herd-log, checkpointing their
//! step, stopping when herd-log exits 3, and herd-sh deciding every second.

use super::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub const SH: &str = env!("CARGO_BIN_EXE_herd-sh");

/// A sweep of one parameter `q` (the value every step of the trial logs), with a
/// successive-halving block.
pub fn halving_sweep(name: &str, qs: &[&str], block: &str, grace: u64) -> String {
    format!(
        "name: {name}\ngrid: all\nlauncher: ./launch.sh\nprune_grace_seconds: {grace}\nslurm: {{partition: debug, time: \"00:10:00\", mem: 100M}}\nparameters:\n  q: {{type: discrete, values: [{}]}}\nsuccessive_halving: {{{block}}}\n",
        qs.join(", ")
    )
}

/// The sync-mode sweep of [`sync_scenario`]: (name, config, launcher body).
pub fn sync_case() -> (&'static str, String, String) {
    let qs = ["0.8", "0.1", "0.5", "0.3", "0.7", "0.2", "0.6", "0.4"];
    let block = "metric: val_loss, direction: min, min_steps: 2, budget: 8";
    (
        "shsync",
        halving_sweep("shsync", &qs, block, 600),
        trainer(8, 1.0),
    )
}

/// The ASHA sweep of [`asha_max_scenario`]: (name, config, launcher body).
pub fn asha_case() -> (&'static str, String, String) {
    let qs = ["0.2", "0.4", "0.1", "0.3", "0.9"];
    let block = "metric: val_loss, direction: max, min_steps: 2, budget: 8, mode: asha";
    (
        "shasha",
        halving_sweep("shasha", &qs, block, 600),
        trainer(8, 1.0),
    )
}

/// The sweep of [`wait_backstop_resume_scenario`]: two trials that only sleep, a
/// grace period of 3 s. (name, config, launcher body).
pub fn wait_case() -> (&'static str, String, String) {
    let block = "metric: val_loss, direction: min, min_steps: 2, budget: 4";
    let body = "echo run >> \"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.runs\"\nsleep 600";
    (
        "shwait",
        halving_sweep("shwait", &["0.1", "0.9"], block, 3),
        body.to_string(),
    )
}

/// The trainer: reads `q` from its override string, resumes from its checkpoint
/// (`out/<i>.ckpt`, the last step done), then every `step_secs` logs `q` as
/// `val_loss` at the next step with herd-log, checkpoints, and stops cleanly when
/// herd-log exits 3 (pruned or paused). Each run appends `run <first step>` to
/// `out/<i>.runs`. It ends after step `budget`.
pub fn trainer(budget: u64, step_secs: f64) -> String {
    let log = env!("CARGO_BIN_EXE_herd-log");
    format!(
        r#"read -r -a ARGS <<< "$1"
for a in "${{ARGS[@]}}"; do case $a in q=*) q=${{a#q=}};; esac; done
ck="$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.ckpt"
s=$(cat "$ck" 2>/dev/null || echo 0)
echo "run $((s + 1))" >> "$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.runs"
while (( s < {budget} )); do
  sleep {step_secs}
  s=$((s + 1))
  '{log}' --step "$s" val_loss "$q"
  rc=$?
  echo "$s" > "$ck"
  if (( rc == 3 )); then echo "asked to stop at step $s"; exit 0; fi
  (( rc == 0 )) || exit "$rc"
done"#
    )
}

/// The steps trial `i` logged, in file order.
pub fn logged_steps(ws: &Path, i: u64) -> Vec<u64> {
    fs::read_to_string(ws.join(format!(".hyperherd/results/{i}/stream/val_loss.jsonl")))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["step"].as_u64())
        .collect()
}

/// How many runs trial `i` started.
pub fn runs(ws: &Path, i: u64) -> usize {
    fs::read_to_string(ws.join(format!("out/{i}.runs")))
        .unwrap_or_default()
        .lines()
        .count()
}

/// `herd-sh WS ARGS… --json`: its records by index (panics unless it succeeds).
pub fn sh(ws: &Path, args: &[&str]) -> BTreeMap<u64, serde_json::Value> {
    let mut a = vec![ws.to_str().unwrap(), "--json"];
    a.extend_from_slice(args);
    let o = run(SH, &a, b"", &[]);
    ok(&o);
    records(&o.stdout)
        .into_iter()
        .map(|r| (r["index"].as_u64().unwrap(), r))
        .collect()
}

/// Run herd-sh every `tick` until no trial is live or paused (or fail after
/// `limit`); returns the final herd-status records.
pub fn halve_until_done(ws: &Path, tick: Duration, limit: Duration) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + limit;
    loop {
        sh(ws, &[]);
        let (o, recs) = status_json(ws, &[]);
        ok(&o);
        let busy = recs.iter().any(|r| {
            let s = r["status"].as_str().unwrap_or("");
            LIVE.contains(&s) || s == "paused"
        });
        if !busy {
            return recs;
        }
        assert!(Instant::now() < deadline, "never settled: {recs:#?}");
        std::thread::sleep(tick);
    }
}

/// `herd-sh --watch 1 --json`: the hands-off mode, until it says the sweep is done
/// (or fail after `limit`); returns the final herd-status records. Every record it
/// printed is an action.
pub fn watch_until_done(ws: &Path, limit: Duration) -> Vec<serde_json::Value> {
    let mut child = std::process::Command::new(SH)
        .args([ws.to_str().unwrap(), "--watch", "1", "--json"])
        .env("HERD_LOCAL_POOL", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "herd-sh --watch never finished: {:#?}",
                status_json(ws, &[]).1
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let o = child.wait_with_output().unwrap();
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("done"), "{err}");
    let acts = records(&o.stdout);
    assert!(!acts.is_empty());
    assert!(acts.iter().all(|r| r["action"] != "none"), "{acts:?}");
    let (o, recs) = status_json(ws, &[]);
    ok(&o);
    recs
}

/// How herd-sh is run in a scenario.
#[derive(Clone, Copy, Debug)]
pub enum Driver {
    /// The test calls herd-sh every second.
    Loop,
    /// `herd-sh --watch 1`.
    Watch,
    /// `herd-watch --every 1`: the supervisor runs the same decision each tick.
    HerdWatch,
}

/// Sync mode on 8 trials whose every step logs their `q` (lower is better): rungs
/// 2, 4, 8. The best four survive rung 0 and the best two rung 1; every other trial
/// is pruned and stops at its next step; paused trials resume from their checkpoint
/// (each step is logged exactly once: never two copies of a trial at once); the best
/// trial runs to the budget and completes.
pub fn sync_scenario(ws: &Path, submit_args: &[&str], driver: Driver) {
    let (o, _) = expand_submit(ws, submit_args, &[]);
    ok(&o);
    let recs = match driver {
        Driver::Loop => halve_until_done(ws, Duration::from_secs(1), Duration::from_secs(400)),
        Driver::Watch => watch_until_done(ws, Duration::from_secs(400)),
        Driver::HerdWatch => {
            use super::watch::{events, named, watch_until_over};
            let o = watch_until_over(ws, &["--every", "1", "--json"], Duration::from_secs(400));
            ok(&o);
            let ev = events(ws);
            for name in ["pruned", "paused", "resumed", "sweep_finished"] {
                assert!(!named(&ev, name).is_empty(), "no {name} event: {ev:?}");
            }
            let (o, recs) = status_json(ws, &[]);
            ok(&o);
            recs
        }
    };
    let qs: Vec<f64> = expand(ws)
        .iter()
        .map(|r| r["params"]["q"].as_f64().unwrap())
        .collect();
    let mut by_q: Vec<u64> = (0..qs.len() as u64).collect();
    by_q.sort_by(|a, b| qs[*a as usize].total_cmp(&qs[*b as usize]));
    let summary: Vec<String> = by_q
        .iter()
        .map(|&i| {
            format!(
                "#{i} q={} {} steps {:?} runs {}",
                qs[i as usize],
                status_of(&recs, i),
                logged_steps(ws, i),
                runs(ws, i)
            )
        })
        .collect();
    let why = summary.join("\n");
    for &i in &by_q {
        let steps = logged_steps(ws, i);
        let expected: Vec<u64> = (1..=steps.len() as u64).collect();
        assert_eq!(
            steps, expected,
            "trial {i}: each step once, in order\n{why}"
        );
    }
    // The best: to the budget.
    assert_eq!(status_of(&recs, by_q[0]), "completed", "{why}");
    assert_eq!(logged_steps(ws, by_q[0]).len(), 8, "{why}");
    // Bottom half of rung 0: pruned there, stopped by the step after (a trial
    // logs at most one more step between a decision and its next herd-log); the next
    // two are pruned at rung 1 (step 4), before the budget.
    for &i in &by_q[4..] {
        assert_eq!(status_of(&recs, i), "pruned", "{why}");
        assert!(logged_steps(ws, i).len() <= 4, "{why}");
    }
    for &i in &by_q[2..4] {
        assert_eq!(status_of(&recs, i), "pruned", "{why}");
        let n = logged_steps(ws, i).len();
        assert!((4..8).contains(&n), "{why}");
    }
    let second = status_of(&recs, by_q[1]);
    assert!(second == "completed" || second == "pruned", "{why}");
    assert!(logged_steps(ws, by_q[1]).len() >= 4, "{why}");
    // Somebody waited at a rung and was resumed from its checkpoint.
    assert!(
        by_q.iter().any(|&i| runs(ws, i) > 1),
        "nobody resumed\n{why}"
    );
    // Pruned trials stopped: no signal is left on a resumed survivor.
    assert!(!ws
        .join(format!(".hyperherd/results/{}/_signal", by_q[0]))
        .exists());
}

/// ASHA with `direction: max` (B2): the highest value is best, so the best trial is
/// never pruned and runs to the budget, and no pruned trial beats it.
pub fn asha_max_scenario(ws: &Path, submit_args: &[&str]) {
    let (o, _) = expand_submit(ws, submit_args, &[]);
    ok(&o);
    let recs = halve_until_done(ws, Duration::from_secs(1), Duration::from_secs(300));
    let qs: Vec<f64> = expand(ws)
        .iter()
        .map(|r| r["params"]["q"].as_f64().unwrap())
        .collect();
    let best = (0..qs.len())
        .max_by(|a, b| qs[*a].total_cmp(&qs[*b]))
        .unwrap() as u64;
    let worst = (0..qs.len())
        .min_by(|a, b| qs[*a].total_cmp(&qs[*b]))
        .unwrap() as u64;
    let why = format!(
        "{:?}",
        (0..qs.len() as u64)
            .map(|i| (
                i,
                qs[i as usize],
                status_of(&recs, i).to_string(),
                logged_steps(ws, i)
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(status_of(&recs, best), "completed", "{why}");
    assert_eq!(logged_steps(ws, best).len(), 8, "{why}");
    assert_eq!(status_of(&recs, worst), "pruned", "{why}");
    assert!(logged_steps(ws, worst).len() < 8, "{why}");
    // ASHA never pauses.
    for i in 0..qs.len() as u64 {
        assert_eq!(runs(ws, i), 1, "{why}");
        assert_ne!(status_of(&recs, i), "paused", "{why}");
    }
}

/// B31 and the backstop: two trials whose jobs ignore herd-log (they only sleep; the
/// test logs for them). Trial 0 reaches rung 0 first and is paused; trial 1 arrives
/// worse, so 0 is promoted while its old job still runs: herd-sh waits (no second
/// job) and prunes 1. Both jobs ignore their signals; after the grace period the next
/// sync cancels each once, writing the escalation marker; then herd-sh resumes 0.
pub fn wait_backstop_resume_scenario(ws: &Path, submit_args: &[&str]) {
    let (o, _) = expand_submit(ws, submit_args, &[]);
    ok(&o);
    wait_until(
        ws,
        Duration::from_secs(120),
        Duration::from_millis(300),
        |r| status_of(r, 0) == "running" && status_of(r, 1) == "running",
    );
    herd_log(ws, "0", &["--step", "2", "val_loss", "0.1"]);
    let d = sh(ws, &[]);
    assert_eq!(d[&0]["action"], "pause", "{d:?}");
    assert_eq!(d[&1]["action"], "none", "{d:?}");
    let signal = ws.join(".hyperherd/results/0/_signal");
    assert_eq!(fs::read_to_string(&signal).unwrap(), "pause");
    let jobs_before = job_ids(ws).len();
    herd_log(ws, "1", &["--step", "2", "val_loss", "0.9"]);
    // A dry run says what it would do and does nothing.
    let d = sh(ws, &["--dry-run"]);
    assert_eq!(d[&0]["action"], "wait", "{d:?}");
    assert_eq!(d[&1]["action"], "prune", "{d:?}");
    assert!(!ws.join(".hyperherd/results/1/_signal").exists());
    let d = sh(ws, &[]);
    assert_eq!(d[&0]["action"], "wait", "{d:?}");
    assert_eq!(d[&0]["verdict"], "promote", "{d:?}");
    assert_eq!(d[&1]["action"], "prune", "{d:?}");
    assert_eq!(
        job_ids(ws).len(),
        jobs_before,
        "a job was submitted for a live trial"
    );
    assert_eq!(
        manifest_statuses(ws),
        [(0, "paused".to_string()), (1, "pruned".to_string())]
    );
    // Nor does herd-submit give either a second job while theirs still run.
    let o = run(SUBMIT, &[ws.to_str().unwrap(), "-i", "0-1"], b"", &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("whose last job is still running: 0=paused, 1=pruned"),
        "{err}"
    );
    assert_eq!(job_ids(ws).len(), jobs_before);
    // Both signals are ignored. After the grace period (3 s) a sync cancels each job
    // once and says so.
    std::thread::sleep(Duration::from_secs(4));
    let o = run(STATUS, &["--json", ws.to_str().unwrap()], b"", &[]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("trial #0 ignored its paused signal"), "{err}");
    assert!(err.contains("trial #1 ignored its pruned signal"), "{err}");
    for i in 0..2 {
        let marker = ws.join(format!(".hyperherd/results/{i}/_signal_escalated"));
        assert_eq!(fs::read_to_string(marker).unwrap(), "1");
    }
    let o = run(STATUS, &["--json", ws.to_str().unwrap()], b"", &[]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("ignored its"));
    // Once the old job has ended, herd-sh resumes trial 0 (its signal cleared first).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let d = sh(ws, &[]);
        if d[&0]["action"] == "submit" {
            assert!(d[&0]["slurm_job_id"].is_string(), "{d:?}");
            break;
        }
        assert_eq!(d[&0]["action"], "wait", "{d:?}");
        assert!(Instant::now() < deadline, "never resumed: {d:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(job_ids(ws).len(), jobs_before + 1);
    assert!(!signal.exists());
    // The resumed job starts (the launcher records its run), and the other stays pruned.
    let recs = wait_until(
        ws,
        Duration::from_secs(120),
        Duration::from_millis(300),
        |_| runs(ws, 0) == 2,
    );
    assert_eq!(status_of(&recs, 1), "pruned");
}
