//! The reference and herd share a trial's results: `hyperherd.log_result` (PyPI
//! hyperherd 0.1.3) and `herd-log` write into one workspace, in turns, and each side
//! reads the other's files identically.
//!
//! Needs a Python with hyperherd 0.1.3: `$HERD_PYTHON`, else `target/pyref/bin/python`
//! (`tests/python_interop.sh` creates it and runs this with `--ignored`). A plain
//! `cargo test` lists the test as ignored, with the reason; asked to run without such
//! a Python, it fails.

mod common;
use common::herd_log;
use herd::store::results::TrialResults;
use herd::store::workspace::Workspace;
use herd::text::pystr::pystr;
use herd::text::value::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    let py = std::env::var_os("HERD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyref/bin/python"));
    let ok = Command::new(&py)
        .args([
            "-c",
            "import importlib.metadata as m; assert m.version('hyperherd') == '0.1.3'",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return py;
    }
    let msg = format!(
        "no Python with hyperherd 0.1.3 at {} (run tests/python_interop.sh)",
        py.display()
    );
    panic!("{msg}");
}

const CONFIG: &str = "\
name: interop
launcher: launch.sh
slurm:
  partition: cpu
grid: all
parameters:
  lr:
    type: discrete
    values: [0.001, 0.01]
";

/// A workspace of [`CONFIG`] (its own per test: the tests run side by side).
fn workspace(py: &Path, tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("herd-interop-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("hyperherd.yaml"), CONFIG).unwrap();
    let launcher = d.join("launch.sh");
    std::fs::write(&launcher, "#!/bin/bash\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The reference's own `herd run --dry-run` writes the manifest (its B23).
    let herd = py.parent().unwrap().join("herd");
    let out = Command::new(herd)
        .args(["run", "--dry-run"])
        .arg(&d)
        .output()
        .expect("running the reference's herd");
    assert!(
        d.join(".hyperherd/manifest.json").is_file(),
        "herd run --dry-run wrote no manifest: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

/// Run Python code with the trial's environment; panic with its stderr on failure.
fn py_run(py: &Path, ws: &Path, trial: &str, code: &str) -> String {
    let out = Command::new(py)
        .args(["-c", code])
        .env("HYPERHERD_WORKSPACE", ws)
        .env("HYPERHERD_TRIAL_ID", trial)
        .output()
        .expect("running python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Python's view of a trial: the summary (`load_trial_results`) and the deduplicated
/// streams (`collect_step_rows`, what `herd res --steps` prints), one line per value,
/// each value as `repr([v])`.
const PY_VIEW: &str = r#"
import os
from hyperherd.logging import load_trial_results, collect_step_rows
ws, t = os.environ["HYPERHERD_WORKSPACE"], int(os.environ["HYPERHERD_TRIAL_ID"])
for k, v in load_trial_results(ws, t).items():
    print("summary", k, repr([v]))
for _, step, metric, _, v in collect_step_rows(ws, [{"index": t}]):
    print("stream", metric, step, repr([v]))
"#;

/// herd's view of the same, in the same text.
fn herd_view(ws: &Path, trial: u64) -> String {
    let t = TrialResults::new(&Workspace::new(ws), trial);
    let mut out = String::new();
    let one = |v: &Value| pystr(&Value::List(vec![v.clone()]));
    for (k, v) in t.read_summary().unwrap().unwrap_or_default().iter() {
        out.push_str(&format!("summary {k} {}\n", one(v)));
    }
    for name in t.stream_names().unwrap() {
        for p in t.read_stream(&name).unwrap() {
            out.push_str(&format!("stream {name} {} {}\n", p.step, one(&p.value)));
        }
    }
    out
}

#[test]
#[ignore = "needs Python hyperherd 0.1.3: run tests/python_interop.sh"]
fn python_and_herd_share_a_trial() {
    let py = python();
    let ws = workspace(&py, "share");

    // Turns: Python, herd, Python, herd — summary and stream, into trial 0.
    py_run(
        &py,
        &ws,
        "0",
        r#"
from hyperherd import log_result
log_result("loss", 0.5)
log_result("acc", float("nan"))
log_result("name", "caf\u00e9 \"q\" \\ end")
log_result("list", [1, 2.5, None, True, {"a": 1e-05}])
log_result("tokens", 2**70)
log_result("ctx", -2**65, step=0)
log_result("train/loss", 1.0, step=0)
log_result("train/loss", 0.75, step=1)
log_result("val", 3, step=0)
"#,
    );
    herd_log(&ws, "0", &["acc", "0.75", "epochs", "10", "big", "1e300"]);
    herd_log(
        &ws,
        "0",
        &["--step", "2", "train/loss", "0.5", "val", "inf"],
    );
    herd_log(&ws, "0", &["--step", "1", "train/loss", "0.625"]);
    py_run(
        &py,
        &ws,
        "0",
        r#"
from hyperherd import log_result
log_result("final", True)
log_result("loss", 0.25)
log_result("train/loss", 0.375, step=3)
"#,
    );
    herd_log(&ws, "0", &["z", "-1", "neg_inf", "-inf"]);
    // And a trial written by herd alone.
    herd_log(&ws, "1", &["loss", "0.125", "note", "plain"]);
    herd_log(&ws, "1", &["--step", "0", "loss", "0.125"]);

    for (trial, id) in [(0, "0"), (1, "1")] {
        let python_view = py_run(&py, &ws, id, PY_VIEW);
        assert_eq!(herd_view(&ws, trial), python_view, "trial {trial}");
    }
    // The summary is byte for byte what Python's json.dump(..., indent=2) writes.
    let summary = ws.join(".hyperherd/results/0.json");
    let redump = py_run(
        &py,
        &ws,
        "0",
        r#"
import json, os, sys
p = os.path.join(os.environ["HYPERHERD_WORKSPACE"], ".hyperherd/results/0.json")
sys.stdout.write(json.dumps(json.load(open(p)), indent=2))
"#,
    );
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), redump);
    let view = herd_view(&ws, 0);
    assert!(
        view.starts_with("summary loss [0.25]\nsummary acc [0.75]\n"),
        "{view}"
    );
    assert!(view.contains("stream train/loss 1 [0.625]\n"), "{view}");

    // herd-res and the reference's `herd res` print the same cells (the reference
    // has no status column and no escapes; herd-res's TSV is unescaped first).
    if let Some(ours) = herd_res_tsv(&ws) {
        let theirs = reference_res_tsv(&py, &ws);
        let mut compared = 0;
        for (trial, row) in theirs {
            let mine = ours.iter().find(|(t, _)| *t == trial).expect("trial row");
            for (col, cell) in row {
                if col == "trial_id" {
                    continue;
                }
                let got = mine.1.iter().find(|(c, _)| *c == col);
                assert_eq!(
                    got.map(|(_, v)| v.as_str()),
                    Some(cell.as_str()),
                    "trial {trial} column {col}"
                );
                compared += 1;
            }
        }
        // 2 trials x (experiment_name, lr, 11 metrics).
        assert_eq!(compared, 26);
    }
    let _ = std::fs::remove_dir_all(&ws);
}

type TsvRows = Vec<(String, Vec<(String, String)>)>;

fn parse_tsv(text: &str, key: &str) -> TsvRows {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let at = header.iter().position(|h| *h == key).unwrap();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let row = header
                .iter()
                .zip(&cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect();
            (cells[at].to_string(), row)
        })
        .collect()
}

/// Undo herd-res's TSV escapes (`\\t \\n \\r \\\\`).
fn tsv_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// `herd-res --all WS` as rows, or `None` while the config loader is a stub.
fn herd_res_tsv(ws: &Path) -> Option<TsvRows> {
    let out = Command::new(env!("CARGO_BIN_EXE_herd-res"))
        .arg("--all")
        .arg(ws)
        .output()
        .expect("running herd-res");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("config loading is not implemented yet") {
        eprintln!("SKIPPED herd-res part of python interop: config::load is a stub");
        return None;
    }
    assert!(out.status.success(), "herd-res: {stderr}");
    let mut rows = parse_tsv(&String::from_utf8(out.stdout).unwrap(), "index");
    for (_, row) in &mut rows {
        row.retain(|(c, _)| c != "status");
        for (_, cell) in row.iter_mut() {
            *cell = tsv_unescape(cell);
        }
    }
    Some(rows)
}

/// The reference's `herd res WS` as rows keyed by trial.
fn reference_res_tsv(py: &Path, ws: &Path) -> TsvRows {
    let out = Command::new(py.parent().unwrap().join("herd"))
        .arg("res")
        .arg(ws)
        .output()
        .expect("running the reference's herd res");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_tsv(&String::from_utf8(out.stdout).unwrap(), "trial_id")
}

/// herd-init's default launch.sh, run as herd runs it (`bash launch.sh "<overrides>"`),
/// hands a trainer that calls the reference's `hyperherd.parse_overrides()` every
/// setting (the launcher used to split them into words, so the trainer saw only the
/// first and failed with KeyError).
#[test]
#[ignore = "needs Python hyperherd 0.1.3: run tests/python_interop.sh"]
fn the_default_launcher_feeds_parse_overrides() {
    let py = python();
    let dir = std::env::temp_dir().join(format!("herd-interop-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let init = Command::new(env!("CARGO_BIN_EXE_herd-init"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    std::fs::write(
        dir.join("train.py"),
        "from hyperherd import parse_overrides\no = parse_overrides()\nprint(sorted(o.items()))\n",
    )
    .unwrap();
    // `python` in launch.sh is the reference's venv interpreter.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("python"),
        format!("#!/bin/sh\nexec '{}' \"$@\"\n", py.display()),
    )
    .unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(bin.join("python"), mode).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = Command::new("bash")
        .arg("launch.sh")
        .arg("experiment_name=lr-0.1_opt-adam lr=0.1 opt=adam steps=3")
        .current_dir(&dir)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "[('experiment_name', 'lr-0.1_opt-adam'), ('lr', 0.1), ('opt', 'adam'), ('steps', 3)]\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Streams the reference's `log_result` writes (with its bare `NaN`) are what herd-sh
/// ranks: trial 1 logs NaN at the rung, so it ranks last though trial 0's value is
/// larger; applied, herd-sh writes the signal and the status.
#[test]
#[ignore = "needs Python hyperherd 0.1.3: run tests/python_interop.sh"]
fn herd_sh_ranks_what_log_result_streams() {
    let py = python();
    let ws = workspace(&py, "sh");
    // Both trials running (as a sync would have found them).
    let manifest = ws.join(".hyperherd/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("\"pending\"", "\"running\"")
            .replace("\"ready\"", "\"running\""),
    )
    .unwrap();
    let log = |trial: &str, values: &[(u32, &str)]| {
        let calls: Vec<String> = values
            .iter()
            .map(|(s, v)| format!("log_result('val_loss', {v}, step={s})"))
            .collect();
        py_run(
            &py,
            &ws,
            trial,
            &format!("from hyperherd import log_result\n{}", calls.join("\n")),
        );
    };
    log("0", &[(1, "0.9"), (2, "0.8"), (2, "0.7")]); // a repeated step: the later wins
    log("1", &[(1, "0.1"), (2, "float('nan')")]);
    let sh = env!("CARGO_BIN_EXE_herd-sh");
    let args = [
        ws.to_str().unwrap(),
        "--json",
        "--metric",
        "val_loss",
        "--direction",
        "min",
        "--min-steps",
        "2",
        "--budget",
        "4",
    ];
    let out = Command::new(sh)
        .args(args)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs[0]["verdict"], "promote", "{recs:?}");
    assert_eq!(recs[0]["value"], 0.7, "{recs:?}");
    assert_eq!(recs[1]["action"], "prune", "{recs:?}");
    assert_eq!(
        recs[1]["value"],
        serde_json::Value::Null,
        "NaN is null: {recs:?}"
    );
    // Applied: the signal, and the manifest still plain JSON with the new status.
    let out = Command::new(sh).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signal = ws.join(".hyperherd/results/1/_signal");
    assert_eq!(std::fs::read_to_string(signal).unwrap(), "prune");
    let statuses = py_run(
        &py,
        &ws,
        "0",
        "import json, os\nfor r in json.load(open(os.path.join(os.environ['HYPERHERD_WORKSPACE'], '.hyperherd', 'manifest.json'))): print(r['index'], r['status'])",
    );
    assert_eq!(statuses, "0 running\n1 pruned\n");
    let _ = std::fs::remove_dir_all(&ws);
}
