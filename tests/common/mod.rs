//! Helpers shared by the end-to-end suites (`slurm_e2e`, `local_e2e`): running the
//! tools, making workspaces, reading what herd wrote.
#![allow(dead_code)] // each suite uses its own subset

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const HERD: &str = env!("CARGO_BIN_EXE_herd");
pub const EXPAND: &str = env!("CARGO_BIN_EXE_herd-expand");
pub const SUBMIT: &str = env!("CARGO_BIN_EXE_herd-submit");
pub const STATUS: &str = env!("CARGO_BIN_EXE_herd-status");
pub const STOP: &str = env!("CARGO_BIN_EXE_herd-stop");
pub const TAIL: &str = env!("CARGO_BIN_EXE_herd-tail");
pub const RES: &str = env!("CARGO_BIN_EXE_herd-res");

/// Serialises a suite's tests on the real cluster (2 CPUs; some tests restart it).
static CLUSTER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Take the real SLURM cluster for one test; fails the test when no cluster answers
/// (nothing here skips silently).
pub fn cluster() -> std::sync::MutexGuard<'static, ()> {
    let guard = CLUSTER.lock().unwrap_or_else(|p| p.into_inner());
    let up = Command::new("sinfo")
        .arg("-h")
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    assert!(up, "no SLURM cluster answers (run tests/slurm/up first)");
    guard
}

/// `tests/slurm/up ARGS`: the cluster in another mode (restarting what changed).
pub fn harness(args: &[&str]) {
    let st = Command::new("bash")
        .arg("tests/slurm/up")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "tests/slurm/up {args:?} failed");
}

/// A test workspace that runs `cleanup` on it when dropped (also when the test
/// panics), so a failing test leaves nothing running for the next one.
pub struct Ws {
    path: PathBuf,
    cleanup: fn(&Path),
}

impl Ws {
    /// Guard `path` with `cleanup`.
    pub fn new(path: PathBuf, cleanup: fn(&Path)) -> Ws {
        Ws { path, cleanup }
    }
}

impl std::ops::Deref for Ws {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        (self.cleanup)(&self.path);
    }
}

/// A fresh directory `/tmp/herd-<suite>-<tag>-<pid>` with `hyperherd.yaml` and a
/// launcher that records what each trial received (`out/<index>.overrides`,
/// `out/<index>.env`), prints `trial <index> done`, then runs `launcher_body`.
pub fn write_workspace(suite: &str, tag: &str, yaml: &str, launcher_body: &str) -> PathBuf {
    let ws = PathBuf::from(format!("/tmp/herd-{suite}-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&ws);
    fs::create_dir_all(ws.join("out")).unwrap();
    fs::write(ws.join("hyperherd.yaml"), yaml).unwrap();
    let launcher = format!(
        "#!/bin/bash\n# Records exactly what the trial received, one run per line.\nprintf '%s\\n' \"$1\" >> \"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.overrides\"\nprintf '%s|%s|%s|%s\\n' \"$HYPERHERD_TRIAL_ID\" \"$HYPERHERD_TRIAL_NAME\" \"$HYPERHERD_EXPERIMENT_NAME\" \"$HYPERHERD_SWEEP_NAME\" >> \"$HYPERHERD_WORKSPACE/out/$HYPERHERD_TRIAL_ID.env\"\necho \"trial $HYPERHERD_TRIAL_ID done\"\n{launcher_body}\n"
    );
    fs::write(ws.join("launch.sh"), launcher).unwrap();
    ws
}

/// Run `bin args…` with `stdin` fed in and extra environment.
pub fn run(bin: &str, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin);
    // Local jobs of tests running side by side must not wait for each other's CPUs:
    // the machine-wide pool is off unless a test sets HERD_LOCAL_POOL itself.
    c.env("HERD_LOCAL_POOL", "off");
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// Panic, showing what the tool printed, unless it succeeded.
pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// NDJSON lines of `out` as JSON values (other lines skipped).
pub fn records(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// `herd-log ARGS…` as trial `trial` of workspace `ws`; panics unless it succeeds.
pub fn herd_log<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(ws: &Path, trial: &str, args: &[S]) {
    let out = Command::new(env!("CARGO_BIN_EXE_herd-log"))
        .args(args)
        .env("HYPERHERD_WORKSPACE", ws)
        .env("HYPERHERD_TRIAL_ID", trial)
        .output()
        .expect("running herd-log");
    assert!(
        out.status.success(),
        "herd-log {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `herd-expand WS` records.
pub fn expand(ws: &Path) -> Vec<serde_json::Value> {
    let o = run(EXPAND, &[ws.to_str().unwrap()], b"", &[]);
    assert!(
        o.status.success(),
        "herd-expand failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    records(&o.stdout)
}

/// `herd-expand WS | herd-submit WS EXTRA…`, returning the submitted records.
pub fn expand_submit(
    ws: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Output, Vec<serde_json::Value>) {
    let plan = run(EXPAND, &[ws.to_str().unwrap()], b"", &[]);
    assert!(
        plan.status.success(),
        "herd-expand failed: {}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let mut args = vec![ws.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run(SUBMIT, &args, &plan.stdout, env);
    let recs = records(&o.stdout);
    (o, recs)
}

/// `herd-status --json WS`.
pub fn status_json(ws: &Path, env: &[(&str, &str)]) -> (Output, Vec<serde_json::Value>) {
    let o = run(STATUS, &["--json", ws.to_str().unwrap()], b"", env);
    let recs = records(&o.stdout);
    (o, recs)
}

/// Sync every `poll` until `done` holds for the records (or fail after `limit`).
pub fn wait_until(
    ws: &Path,
    limit: std::time::Duration,
    poll: std::time::Duration,
    done: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let (o, recs) = status_json(ws, &[]);
        ok(&o);
        if done(&recs) {
            return recs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting: {recs:#?}"
        );
        std::thread::sleep(poll);
    }
}

/// The status of trial `index` among the records ("" when it is not there).
pub fn status_of(recs: &[serde_json::Value], index: u64) -> &str {
    recs.iter()
        .find(|r| r["index"] == index)
        .and_then(|r| r["status"].as_str())
        .unwrap_or("")
}

/// `.hyperherd/job_ids.json`.
pub fn job_ids(ws: &Path) -> Vec<serde_json::Value> {
    let text =
        fs::read_to_string(ws.join(".hyperherd/job_ids.json")).unwrap_or_else(|_| "[]".into());
    serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap()
}

/// (index, status) of every manifest record.
pub fn manifest_statuses(ws: &Path) -> Vec<(u64, String)> {
    let text = fs::read_to_string(ws.join(".hyperherd/manifest.json")).unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    v.iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Statuses of a trial the scheduler may still run.
pub const LIVE: [&str; 3] = ["submitted", "queued", "running"];

/// The success / exit 3 / timeout / herd-stop sweep both backends run, so their
/// records can be compared. `slow` outlives the 1-minute limit; `stopme` is stopped.
pub const OUTCOMES: &str = "name: outcomes
grid: all
launcher: ./launch.sh
slurm: {partition: debug, time: \"TIME\", mem: 100M}
parameters:
  what: {type: discrete, values: [ok, exit3, slow, stopme]}
";

/// The launcher body of [`OUTCOMES`]: every trial logs a streamed metric with
/// herd-log (this build's, by its absolute path), a successful one a summary metric
/// too, so the backends' collected results can be compared.
pub fn outcomes_body() -> String {
    let log = env!("CARGO_BIN_EXE_herd-log");
    format!(
        "'{log}' --step 1 loss 0.5\ncase \"$1\" in\n  *what=ok*) '{log}' val_loss 0.125; exit 0;;\n  *what=exit3*) exit 3;;\n  *) sleep 300;;\nesac"
    )
}

/// What must agree between backends: per trial (index, name, status, slurm_state,
/// exit_code, overrides, last log line), what the launcher received, and the metrics
/// herd-res collects, ignoring job ids, timings and resource figures.
pub fn comparable(ws: &Path, recs: &[serde_json::Value]) -> Vec<String> {
    let res = run(
        RES,
        &["--json", "--last", "--all", ws.to_str().unwrap()],
        b"",
        &[],
    );
    ok(&res);
    let metrics: std::collections::BTreeMap<u64, String> = records(&res.stdout)
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["metrics"].to_string()))
        .collect();
    recs.iter()
        .map(|r| {
            let i = r["index"].as_u64().unwrap();
            let got = fs::read_to_string(ws.join(format!("out/{i}.overrides"))).unwrap_or_default();
            format!(
                "{i} {} {} {} {} {} | {} | {} | {}",
                r["experiment_name"],
                r["status"],
                r["slurm_state"],
                r["exit_code"],
                r["overrides"],
                r["last_log_line"],
                got.trim(),
                metrics.get(&i).map_or("-", String::as_str)
            )
        })
        .collect()
}

/// Run the [`OUTCOMES`] sweep in `ws` (`submit_args` choose the backend): wait for
/// trial 3 to run and stop it, wait until nothing is live, check every trial's status,
/// state and exit code and that a re-run would resubmit exactly the failed and
/// cancelled ones. Returns the final records.
pub fn outcomes(ws: &Path, submit_args: &[&str], tag: &str) -> Vec<serde_json::Value> {
    use std::time::{Duration, Instant};
    let (o, _) = expand_submit(ws, submit_args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let deadline = Instant::now() + Duration::from_secs(120);
    // Trial 3 must be running (to be stopped) and trial 0 finished (to show that a
    // finished trial is never cancelled).
    loop {
        let (_, recs) = status_json(ws, &[]);
        let status = |i: u64| {
            recs.iter()
                .find(|r| r["index"] == i)
                .and_then(|r| r["status"].as_str())
                .unwrap_or("")
                .to_string()
        };
        if status(3) == "running" && status(0) == "completed" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "trial 3 never ran or trial 0 never completed: {recs:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let o = run(STOP, &["--json", "-i", "3", ws.to_str().unwrap()], b"", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stopped: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            stopped["status"].as_str(),
            stopped["previous_status"].as_str()
        ),
        (Some("cancelled"), Some("running"))
    );
    // A finished trial is never cancelled.
    let o = run(STOP, &["-i", "0", ws.to_str().unwrap()], b"", &[]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not live"));
    // The time limit is a minute; SLURM acts on it within about 30 s more, and its
    // accounting lags the controller by a few seconds: sync until final.
    let deadline = Instant::now() + Duration::from_secs(240);
    let recs = loop {
        let (o, recs) = status_json(ws, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if recs
            .iter()
            .all(|r| !LIVE.contains(&r["status"].as_str().unwrap_or("")))
        {
            break recs;
        }
        assert!(Instant::now() < deadline, "not final: {recs:?}");
        std::thread::sleep(Duration::from_secs(1));
    };
    let got: Vec<(&str, &str, Option<i64>)> = recs
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap(),
                r["slurm_state"].as_str().unwrap_or(""),
                r["exit_code"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        got[0],
        ("completed", "COMPLETED", Some(0)),
        "{tag}: {recs:?}"
    );
    assert_eq!(got[1], ("failed", "FAILED", Some(3)), "{tag}: {recs:?}");
    assert_eq!(
        (got[2].0, got[2].1),
        ("failed", "TIMEOUT"),
        "{tag}: {recs:?}"
    );
    assert_eq!(got[3].0, "cancelled", "{tag}: {recs:?}");
    assert_eq!(recs[0]["last_log_line"], "trial 0 done");
    // Re-running submits exactly the failed and cancelled trials.
    let mut args = vec!["--all", "--dry-run", ws.to_str().unwrap()];
    args.extend_from_slice(submit_args);
    let o = run(SUBMIT, &args, b"", &[]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("would submit 3 trial(s) as 1 array job(s): 1-3"),
        "{err}"
    );
    recs
}
pub mod halving;
pub mod watch;
