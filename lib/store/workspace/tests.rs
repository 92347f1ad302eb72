use super::*;
use crate::model::naming::trial_hash;
use crate::model::record::Status;
use crate::store::fs::{parse_py_json, read_optional};
use crate::store::job_ids::{parse_job_ids, JobRecord};
use crate::store::manifest::{manifest_text, parse_manifest};
use crate::text::pyjson;
use crate::text::value::Value;
use std::fs;

const MANIFEST: &str = "[\n  {\n    \"index\": 1,\n    \"hash\": \"c7b33ade283a\",\n    \"params\": {\n      \"learning_rate\": 0.0001,\n      \"optimizer\": \"sgd\",\n      \"use_amp\": true\n    },\n    \"extras\": {\n      \"scheduler.warmup\": 100,\n      \"tag\": \"sgd-x\"\n    },\n    \"experiment_name\": \"lr-0.0001_opt-sgd_use_amp-True\",\n    \"status\": \"ready\"\n  }\n]";

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("herd-ws-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn manifest_round_trips_byte_for_byte() {
    let recs = parse_manifest(MANIFEST).unwrap();
    assert_eq!(recs[0].index, 1);
    assert_eq!(manifest_text(&recs), MANIFEST);
    assert_eq!(manifest_text(&[]), "[]");
}

#[test]
fn job_ids_round_trip_byte_for_byte() {
    let text = "[\n  {\n    \"slurm_job_id\": \"1001\",\n    \"indices\": [\n      0,\n      1,\n      2\n    ]\n  }\n]";
    let jobs = parse_job_ids(text).unwrap();
    let v = Value::List(jobs.iter().map(JobRecord::to_value).collect());
    assert_eq!(pyjson::indented(&v), text);
}

#[test]
fn chunked_job_records_keep_their_task_offset() {
    let jobs = vec![JobRecord {
        slurm_job_id: "7".into(),
        indices: vec![20, 21],
        task_offset: 20,
        retry: None,
    }];
    let text = pyjson::indented(&Value::List(jobs.iter().map(JobRecord::to_value).collect()));
    assert!(text.contains("\"task_offset\": 20"), "{text}");
    assert_eq!(parse_job_ids(&text).unwrap(), jobs);
}

#[test]
fn corrupt_manifest_is_an_error_and_untouched() {
    let d = tempdir("corrupt");
    let ws = Workspace::new(&d);
    ws.create_dirs().unwrap();
    fs::write(ws.manifest_path(), "[{\"index\": ").unwrap();
    let e = ws.read_manifest().unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("manifest.json is corrupt"), "{e}");
    assert_eq!(
        fs::read_to_string(ws.manifest_path()).unwrap(),
        "[{\"index\": "
    );
}

#[test]
fn next_index_never_reuses_history() {
    let d = tempdir("hwm");
    let ws = Workspace::new(&d);
    ws.create_dirs().unwrap();
    assert_eq!(ws.next_index(&[], &[]).unwrap(), 0);
    let jobs = vec![JobRecord {
        slurm_job_id: "1".into(),
        indices: vec![0, 4],
        task_offset: 0,
        retry: None,
    }];
    assert_eq!(ws.next_index(&[], &jobs).unwrap(), 5);
    fs::create_dir_all(ws.results_dir()).unwrap();
    fs::write(ws.results_dir().join("7.json"), "{}").unwrap();
    assert_eq!(ws.next_index(&[], &jobs).unwrap(), 8);
    ws.write_next_index(12).unwrap();
    assert_eq!(ws.next_index(&[], &jobs).unwrap(), 12);
}

#[test]
fn python_non_finite_tokens_are_read() {
    let v = parse_py_json(r#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN"}"#).unwrap();
    let Value::Map(m) = v else { panic!() };
    assert!(matches!(m.get("a"), Some(Value::Float(f)) if f.is_nan()));
    assert_eq!(m.get("c"), Some(&Value::Str("NaN".into())));
}

#[test]
fn legacy_records_get_their_hash_recomputed() {
    let recs = parse_manifest(
        r#"[{"index": 0, "params": {"lr": 0.1}, "extras": {}, "status": "pending"}]"#,
    )
    .unwrap();
    assert_eq!(recs[0].hash, trial_hash(&recs[0].params, &recs[0].extras));
    assert_eq!(recs[0].status, Status::Ready);
}

// Hostile state files: what a copied, edited or planted `.hyperherd/` may hold.

fn job_ids_with(id: &str) -> String {
    format!("[{{\"slurm_job_id\": {id}, \"indices\": [0]}}]")
}

#[test]
fn job_ids_that_are_not_job_ids_are_corrupt() {
    for ok in ["\"1001\"", "1001", "\"local-3\"", "\"0\""] {
        assert!(parse_job_ids(&job_ids_with(ok)).is_ok(), "{ok}");
    }
    for bad in [
        "\"local-/../../x\"",
        "\"../x\"",
        "\"local-\"",
        "\"\"",
        "\"12345_7\"",
        "\"--all\"",
        "\"1 2\"",
        "\"local-1/..\"",
        "-1",
    ] {
        let e = parse_job_ids(&job_ids_with(bad)).unwrap_err();
        assert!(e.contains("record 0"), "{bad}: {e}");
    }
}

#[test]
fn indices_past_the_largest_are_corrupt() {
    let max = 9007199254740991u64; // 2^53 - 1
    let rec = |i: u64, extra: &str| {
        format!("[{{\"index\": {i}, \"params\": {{\"a\": {extra}1}}, \"extras\": {{}}, \"status\": \"ready\"}}]")
    };
    assert!(parse_manifest(&rec(max, "")).is_ok());
    // Both the fast path and the general one (Python's NaN forces the latter).
    for extra in ["", "NaN, \"b\": "] {
        let e = parse_manifest(&rec(max + 1, extra)).unwrap_err();
        assert!(
            e.contains("record 0") && e.contains("9007199254740992"),
            "{e}"
        );
    }
    let e = parse_job_ids(&format!(
        "[{{\"slurm_job_id\": \"1\", \"indices\": [0, {}]}}]",
        i64::MAX
    ))
    .unwrap_err();
    assert!(e.contains("record 0"), "{e}");
}

#[test]
fn a_huge_next_index_or_results_entry_is_refused_not_wrapped() {
    let d = tempdir("hugeidx");
    let ws = Workspace::new(&d);
    ws.create_dirs().unwrap();
    fs::write(ws.next_index_path(), format!("{}\n", u64::MAX)).unwrap();
    let e = ws.next_index(&[], &[]).unwrap_err();
    assert_eq!(e.exit_code(), 1, "{e}");
    assert!(e.to_string().contains("next_index"), "{e}");
    fs::write(ws.next_index_path(), "not a number\n").unwrap();
    assert!(ws.next_index(&[], &[]).is_err());
    fs::remove_file(ws.next_index_path()).unwrap();
    fs::create_dir_all(ws.results_dir().join("9223372036854775807")).unwrap();
    let e = ws.next_index(&[], &[]).unwrap_err();
    assert!(e.to_string().contains("9223372036854775807"), "{e}");
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn two_records_of_one_index_are_corrupt() {
    for extra in ["", ", \"x\": NaN"] {
        let text = format!(
            "[{{\"index\": 0, \"params\": {{\"a\": 1}}, \"extras\": {{}}, \"status\": \"ready\"}}, \
             {{\"index\": 1, \"params\": {{\"a\": 2}}, \"extras\": {{}}, \"status\": \"ready\"}}, \
             {{\"index\": 0, \"params\": {{\"a\": 3}}, \"extras\": {{}}, \"status\": \"ready\"{extra}}}]"
        );
        let e = parse_manifest(&text).unwrap_err();
        assert!(
            e.contains("record 2 (index 0)") && e.contains("record 0"),
            "{e}"
        );
    }
}

#[test]
fn a_status_that_is_not_a_string_is_corrupt() {
    for status in ["5", "null", "true", "[\"ready\"]"] {
        for extra in ["", ", \"x\": NaN"] {
            let text = format!(
                "[{{\"index\": 0, \"params\": {{\"a\": 1}}, \"extras\": {{}}, \"status\": \"done\"}}, \
                 {{\"index\": 7, \"params\": {{\"a\": 2}}, \"extras\": {{}}, \"status\": {status}{extra}}}]"
            );
            let e = parse_manifest(&text).unwrap_err();
            assert!(
                e.contains("record 1 (index 7)") && e.contains("status"),
                "{e}"
            );
        }
    }
    // Unknown status strings are kept verbatim, as the reference keeps raw SLURM
    // states (spec 5.1); a missing status is a legacy record's `ready`.
    let recs = parse_manifest(
        "[{\"index\": 0, \"params\": {}, \"extras\": {}, \"status\": \"boot_fail\"}, {\"index\": 1, \"params\": {}, \"extras\": {}}]",
    )
    .unwrap();
    assert_eq!(recs[0].status, Status::Other("boot_fail".into()));
    assert_eq!(recs[1].status, Status::Ready);
}

#[cfg(unix)]
#[test]
fn writes_never_follow_a_planted_symlink() {
    use std::os::unix::fs::symlink;
    let d = tempdir("symw");
    let ws = Workspace::new(&d);
    ws.create_dirs().unwrap();
    let victim = d.join("victim");
    fs::write(&victim, "precious").unwrap();
    // The target itself is a symlink: refused, the victim untouched.
    symlink(&victim, ws.manifest_path()).unwrap();
    let e = ws.write_manifest(&[]).unwrap_err();
    assert!(e.to_string().contains("manifest.json"), "{e}");
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    fs::remove_file(ws.manifest_path()).unwrap();
    // The old predictable temporary name, planted: not written through.
    let tmp = ws
        .dir()
        .join(format!(".manifest.json.tmp.{}", std::process::id()));
    symlink(&victim, &tmp).unwrap();
    ws.write_manifest(&[]).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(fs::read_to_string(ws.manifest_path()).unwrap(), "[]");
    assert!(fs::symlink_metadata(&tmp).unwrap().file_type().is_symlink());
    // The lock file.
    symlink(&victim, ws.dir().join("lock")).unwrap();
    let e = ws.lock().unwrap_err();
    assert!(e.to_string().contains("lock"), "{e}");
    let _ = fs::remove_dir_all(&d);
}

#[cfg(unix)]
#[test]
fn reads_refuse_what_is_not_a_regular_file() {
    use std::os::unix::fs::symlink;
    let d = tempdir("symr");
    let ws = Workspace::new(&d);
    ws.create_dirs().unwrap();
    // A FIFO would block the reader forever: refused at once.
    nix::unistd::mkfifo(
        &ws.manifest_path(),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let path = ws.manifest_path();
    std::thread::spawn(move || {
        let _ = tx.send(read_optional(&path).map(|_| ()).map_err(|e| e.to_string()));
    });
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("reading a FIFO blocked");
    let e = got.unwrap_err();
    assert!(e.contains("FIFO"), "{e}");
    fs::remove_file(ws.manifest_path()).unwrap();
    // /dev/zero would be read forever; through a symlink or not.
    symlink("/dev/zero", ws.job_ids_path()).unwrap();
    let e = ws.read_job_ids().unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("symbolic link"), "{e}");
    let e = read_optional(Path::new("/dev/zero")).unwrap_err();
    assert!(e.to_string().contains("character device"), "{e}");
    // A directory.
    fs::create_dir(ws.next_index_path()).unwrap();
    let e = ws.next_index(&[], &[]).unwrap_err();
    assert!(e.to_string().contains("directory"), "{e}");
    let _ = fs::remove_dir_all(&d);
}
