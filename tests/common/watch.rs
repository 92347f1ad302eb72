//! Supervision scenarios both end-to-end suites run, each on its backend: real
//! trials that end well, time out, fail, or (on SLURM with cgroups) run out of
//! memory, and herd-watch in the foreground retrying them by the `retries:` rules
//! until the sweep is over.

use super::*;
use std::time::{Duration, Instant};

pub const WATCH: &str = env!("CARGO_BIN_EXE_herd-watch");

/// The sweep: one trial per `kinds` entry (`ok`, `slow`, `fail`, `oom`), with the
/// given time limit and memory, and `retries:` as given.
pub fn retry_sweep(name: &str, kinds: &[&str], time: &str, mem: &str, retries: &str) -> String {
    format!(
        "name: {name}\ngrid: all\nlauncher: ./launch.sh\nslurm: {{partition: debug, time: \"{time}\", mem: {mem}}}\nretries: {retries}\nparameters:\n  kind: {{type: discrete, values: [{}]}}\n",
        kinds.join(", ")
    )
}

/// The trials: `slow` sleeps `slow_secs` (past the first time limit) on its first
/// run and 1 s on a later one (it resumes from a checkpoint, say), `fail` exits 1,
/// `oom` holds 250 MB for a second, `ok` ends at once.
pub fn retry_body(slow_secs: u64) -> String {
    format!(
        "case \"$1\" in\n  *kind=slow*) mark=\"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.began\"; if [ -e \"$mark\" ]; then sleep 1; else touch \"$mark\"; sleep {slow_secs}; fi ;;\n  *kind=fail*) exit 1 ;;\n  *kind=oom*) exec python3 -c 'import time; b = b\"x\" * (250 * 1024 * 1024); time.sleep(1)' ;;\nesac\n"
    )
}

/// Run `herd-watch ARGS WS` until it exits; panic (after killing it) past `limit`.
pub fn watch_until_over(ws: &Path, args: &[&str], limit: Duration) -> Output {
    let mut c = Command::new(WATCH);
    c.env("HERD_LOCAL_POOL", "off")
        .args(args)
        .arg(ws)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "herd-watch still running after {limit:?}\nstdout:\n{}\nstderr:\n{}\nevents:\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr),
                fs::read_to_string(ws.join(".hyperherd/events.jsonl")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `.hyperherd/events.jsonl`, parsed.
pub fn events(ws: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(ws.join(".hyperherd/events.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The events named `name`, as (index, reason).
pub fn named(events: &[serde_json::Value], name: &str) -> Vec<(Option<u64>, String)> {
    events
        .iter()
        .filter(|e| e["event"] == name)
        .map(|e| {
            (
                e["index"].as_u64(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The record of the trial whose `kind` is `kind`.
pub fn of_kind<'a>(recs: &'a [serde_json::Value], kind: &str) -> &'a serde_json::Value {
    recs.iter()
        .find(|r| r["params"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no trial of kind {kind}"))
}

/// The retry scenario: submit the sweep of `kinds`, run herd-watch until it says the
/// sweep is over, then check every trial's end, attempts and the events. `first` and
/// `second` are the time limits of the slow trial's two attempts; `submit_args` picks
/// the backend.
pub fn retry_scenario(
    ws: &Path,
    kinds: &[&str],
    submit_args: &[&str],
    every: &str,
    (first, second): (&str, &str),
    limit: Duration,
) {
    let (o, _) = expand_submit(ws, submit_args, &[]);
    ok(&o);
    let o = watch_until_over(ws, &["--every", every, "--json"], limit);
    ok(&o);
    let (_, recs) = status_json(ws, &[]);
    let ev = events(ws);
    let show = || {
        format!(
            "records:\n{}\nevents:\n{}",
            recs.iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            ev.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    // herd-watch printed the events it appended.
    let printed: Vec<serde_json::Value> = records(&o.stdout);
    assert_eq!(printed, ev, "{}", show());
    let ok_rec = of_kind(&recs, "ok");
    assert_eq!(ok_rec["status"], "completed", "{}", show());
    assert!(ok_rec.get("attempts").is_none(), "{}", show());
    let slow = of_kind(&recs, "slow");
    assert_eq!(slow["status"], "completed", "{}", show());
    let a = slow["attempts"]
        .as_array()
        .expect("the slow trial's attempts");
    assert_eq!(a.len(), 2, "{}", show());
    assert_eq!(a[0]["time"], first, "{}", show());
    assert_eq!(a[0]["slurm_state"], "TIMEOUT", "{}", show());
    assert_eq!(a[1]["time"], second, "{}", show());
    assert_eq!(a[1]["slurm_state"], "COMPLETED", "{}", show());
    let fail = of_kind(&recs, "fail");
    assert_eq!(fail["status"], "failed", "{}", show());
    assert!(
        fail.get("attempts").is_none(),
        "a FAILED trial is not retried"
    );
    let fail_index = fail["index"].as_u64();
    let given_up = named(&ev, "failed_for_good");
    assert_eq!(given_up.len(), 1, "{}", show());
    assert_eq!(given_up[0].0, fail_index, "{}", show());
    let mut retried_expected = 1;
    if kinds.contains(&"oom") {
        retried_expected += 1;
        let oom = of_kind(&recs, "oom");
        assert_eq!(oom["status"], "completed", "{}", show());
        let a = oom["attempts"]
            .as_array()
            .expect("the oom trial's attempts");
        assert_eq!(a.len(), 2, "{}", show());
        assert_eq!(a[0]["slurm_state"], "OUT_OF_MEMORY", "{}", show());
        assert_eq!(a[0]["mem"], "150M", "{}", show());
        assert_eq!(a[1]["mem"], "300M", "{}", show());
        assert_eq!(a[1]["slurm_state"], "COMPLETED", "{}", show());
    }
    assert_eq!(named(&ev, "retried").len(), retried_expected, "{}", show());
    let finished = named(&ev, "sweep_finished");
    assert_eq!(finished.len(), 1, "{}", show());
    assert_eq!(ev.last().unwrap()["event"], "sweep_finished", "{}", show());
    // The retries are recorded where the reference still reads job_ids.json: every
    // record has its slurm_job_id and indices; herd's additions ride along.
    let jobs = job_ids(ws);
    let retries: Vec<&serde_json::Value> = jobs.iter().filter(|j| j.get("mem").is_some()).collect();
    assert_eq!(retries.len(), retried_expected, "{jobs:?}");
    for j in &jobs {
        assert!(
            j["slurm_job_id"].is_string() && j["indices"].is_array(),
            "{j}"
        );
    }
    // A second watcher has nothing left to do: it says nothing new and exits at once.
    let again = watch_until_over(ws, &["--json"], Duration::from_secs(60));
    ok(&again);
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(events(ws).len(), ev.len(), "nothing new was logged");
}

/// Poll `cond` every second until it holds; panic naming `what` after `limit`.
pub fn wait_for(cond: impl Fn() -> bool, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what} after {limit:?}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}
