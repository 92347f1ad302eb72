//! Many writers, one trial: 8 processes × 500 `herd-log` calls each, summary and
//! stream, into the same trial. Every value must be there and every file valid.

mod common;
use common::herd_log;
use std::collections::BTreeSet;
use std::path::PathBuf;

const WORKERS: usize = 8;
const CALLS: usize = 500;

fn workspace() -> PathBuf {
    let d = std::env::temp_dir().join(format!("herd-concurrency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join(".hyperherd")).unwrap();
    // herd-log refuses a trial the manifest does not have.
    std::fs::write(
        d.join(".hyperherd/manifest.json"),
        "[{\"index\": 0, \"params\": {}, \"extras\": {}, \"status\": \"running\"}]",
    )
    .unwrap();
    d
}

#[test]
fn concurrent_writers_lose_nothing() {
    let ws = workspace();
    // Each worker is a sequence of processes, as a training rank calling herd-log in
    // its loop; the 8 sequences run at once.
    std::thread::scope(|s| {
        for w in 0..WORKERS {
            let ws = &ws;
            s.spawn(move || {
                for i in 0..CALLS {
                    herd_log(ws, "0", &[format!("w{w}_{i}"), i.to_string()]);
                    herd_log(
                        ws,
                        "0",
                        &[
                            "--step".to_string(),
                            i.to_string(),
                            "train/loss".into(),
                            (w * CALLS + i).to_string(),
                        ],
                    );
                }
            });
        }
    });

    let results = ws.join(".hyperherd/results");
    let summary = std::fs::read_to_string(results.join("0.json")).unwrap();
    let summary: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&summary).expect("the summary is valid JSON");
    assert_eq!(summary.len(), WORKERS * CALLS, "summary entries lost");
    for w in 0..WORKERS {
        for i in 0..CALLS {
            assert_eq!(summary[&format!("w{w}_{i}")], serde_json::json!(i));
        }
    }

    let stream = std::fs::read_to_string(results.join("0/stream/train/loss.jsonl")).unwrap();
    assert!(stream.ends_with('\n'));
    let mut values = BTreeSet::new();
    for line in stream.lines() {
        let rec: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad line {line:?}: {e}"));
        let keys: Vec<&str> = rec.keys().map(String::as_str).collect();
        assert_eq!(keys, ["step", "value", "ts"]);
        let v = rec["value"].as_u64().unwrap() as usize;
        assert_eq!(rec["step"].as_u64().unwrap() as usize, v % CALLS);
        assert!(values.insert(v), "value {v} appended twice");
    }
    assert_eq!(values.len(), WORKERS * CALLS, "stream lines lost");

    let leftovers: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(&ws);
}
