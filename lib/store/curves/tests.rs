//! The curve reader: the rules of §12.3, and the fast path held to the general one.

use super::*;
use crate::testrng::XorShift;
use std::collections::BTreeMap;

/// The reading the rules describe, line by line through the general parser only.
fn general(b: &[u8], rungs: &[u64]) -> Curve {
    let mut by_step: BTreeMap<i64, (f64, Value)> = BTreeMap::new();
    for line in b.split(|&c| c == b'\n') {
        if let Some((step, ts, v)) = general_line(line) {
            match by_step.get(&step) {
                Some((old, _)) if ts < *old => {}
                _ => {
                    by_step.insert(step, (ts, v));
                }
            }
        }
    }
    let max_step = by_step.keys().next_back().copied();
    let reached = max_step.map_or(0, |m| {
        rungs
            .iter()
            .take_while(|&&r| i128::from(m) >= r as i128)
            .count()
    });
    let rung_values = (0..reached)
        .map(|k| {
            let r = rungs[k].min(i64::MAX as u64) as i64;
            by_step
                .range(..=r)
                .next_back()
                .or_else(|| by_step.iter().next())
                .map(|(_, (_, v))| v.clone())
                .unwrap_or(Value::Null)
        })
        .collect();
    Curve {
        max_step,
        rung_values,
    }
}

/// Every way of reading `text` (optimistic when it does not give way, careful,
/// and the two together) agrees with the rules' reading.
fn both(text: &str, rungs: &[u64]) -> Curve {
    let b = text.as_bytes();
    let want = format!("{:?}", general(b, rungs));
    let careful = Scan::new(b, false)
        .run(rungs)
        .expect("the careful scan never gives way");
    assert_eq!(format!("{careful:?}"), want, "careful: {text}");
    if let Some(opt) = Scan::new(b, true).run(rungs) {
        assert_eq!(format!("{opt:?}"), want, "optimistic: {text}");
    }
    let fast = curve_of(b, rungs);
    assert_eq!(format!("{fast:?}"), want, "{text}");
    fast
}

const R: [u64; 4] = [10, 20, 40, 80];

#[test]
fn reads_the_common_shape() {
    let c = both(
        "{\"step\": 10, \"value\": 0.1, \"ts\": 1.5}\n{\"step\": 20, \"value\": 0.05, \"ts\": 2.5}\n",
        &R,
    );
    assert_eq!(c.max_step, Some(20));
    assert_eq!(c.rung_values, [Value::Float(0.1), Value::Float(0.05)]);
}

#[test]
fn empty_and_unreached() {
    assert_eq!(
        both("", &R),
        Curve {
            max_step: None,
            rung_values: vec![]
        }
    );
    let c = both("{\"step\": 5, \"value\": 0.05, \"ts\": 1.0}\n", &R);
    assert_eq!((c.max_step, c.rung_values.len()), (Some(5), 0));
}

#[test]
fn dedupes_by_largest_ts_ties_to_the_later_line() {
    let text = "{\"step\": 10, \"value\": 1, \"ts\": 5.0}\n\
                {\"step\": 10, \"value\": 2, \"ts\": 4.0}\n\
                {\"step\": 10, \"value\": 3, \"ts\": 5.0}\n\
                {\"step\": 20, \"value\": 4}\n\
                {\"step\": 20, \"value\": 5, \"ts\": \"9\"}\n";
    let c = both(text, &R);
    // Step 10: ts 5.0 twice, the later (3) wins; step 20: both ts count as 0 → 5.
    assert_eq!(c.rung_values, [Value::Int(3), Value::Int(5)]);
}

#[test]
fn steps_follow_python_int_and_b33_records_are_skipped() {
    let text = "{\"step\": 9.9, \"value\": 1}\n\
                {\"step\": \" 40 \", \"value\": 2}\n\
                {\"step\": \"20.0\", \"value\": 3}\n\
                {\"step\": NaN, \"value\": 4}\n\
                42\n[1, 2]\n{\"step\": {}, \"value\": 5}\n\
                {\"value\": 6}\nnot json\n\n   \n\
                {\"step\": \"1_0\", \"value\": 7, \"ts\": 1}\n\
                {\"step\": true, \"value\": 8}\n";
    let c = both(text, &R);
    assert_eq!(c.max_step, Some(40));
    // rung 10: step 10 ("1_0", later than 9.9 → 9); rung 20: largest step ≤ 20 is 10;
    // rung 40: 40.
    assert_eq!(c.rung_values, [Value::Int(7), Value::Int(7), Value::Int(2)]);
}

#[test]
fn value_before_the_first_record_is_the_smallest_steps() {
    let c = both(
        "{\"step\": 25, \"value\": 0.7, \"ts\": 1.0}\n{\"step\": 15, \"value\": 0.8, \"ts\": 2.0}\n",
        &R,
    );
    assert_eq!(c.rung_values, [Value::Float(0.8), Value::Float(0.8)]);
    let c = both("{\"step\": 45, \"value\": NaN, \"ts\": 1.0}\n", &R);
    assert!(matches!(c.rung_values[..], [Value::Float(x), _, _] if x.is_nan()));
}

/// Random streams of shuffled, repeated steps, mixing the common shape with every
/// odd line the general parser must take.
#[test]
fn fast_and_general_agree_on_random_streams() {
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let odd = [
        "{\"step\": 3, \"value\": \"0.5\", \"ts\": 1.0}",
        "{\"step\":3,\"value\":0.25,\"ts\":1.0}",
        "  {\"step\": 4, \"value\": 0.1, \"ts\": 2.0}  ",
        "{\"step\": 05, \"value\": 0.1, \"ts\": 2.0}",
        "{\"step\": 6, \"value\": 1e400, \"ts\": 2.0}",
        "{\"step\": 6, \"value\": 1e-400, \"ts\": 2.0}",
        "{\"step\": 7, \"value\": 12345678901234567890123, \"ts\": 3.0}",
        "{\"step\": 7, \"value\": 0.5, \"ts\": 12345678901234567890}",
        "{\"step\": 8, \"value\": 0.5, \"ts\": 1e3}",
        "{\"step\": 8, \"value\": -Infinity, \"ts\": 9.0}",
        "{\"step\": 8, \"value\": 0.5, \"ts\": NaN}",
        "{\"step\": 9, \"value\": 0.5, \"ts\": 1.}",
        "{\"step\": 9, \"value\": null, \"ts\": 1.5}",
        "{\"step\": 9, \"value\": 0.5, \"ts\": 1.5} x",
        "{\"step\": 9, \"value\": 0.5, \"ts\": 1.5}\r",
        "{\"step\": -1, \"value\": 0.5, \"ts\": 1.5}",
        "{\"step\": -0, \"value\": -0, \"ts\": -0.0}",
        "{\"step\": 10, \"value\": [1], \"ts\": 1.5, \"extra\": 1}",
        "{\"step\": 10, \"value\": 0.5, \"ts\": \"5\"}",
        "{\"step\": 10, \"value\": 0.5, \"ts\": true}",
        "{\"step\": 123456789012345678901, \"value\": 0.5}",
        "{\"step\": 11, \"value\": 0.5, \"ts\": 1.5",
        "{\"step\": 11, \"value\": \u{e9}, \"ts\": 1.5}",
        "{\"step\": 12.5, \"value\": 1e5, \"ts\": 0.5}",
        "{\"step\": 12, \"value\": 1E+5, \"ts\": 0.25}",
        "",
    ];
    let rungs = [2u64, 4, 8, 16];
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..rng.below(30) {
            if rng.below(4) == 0 {
                text.push_str(odd[rng.below(odd.len())]);
            } else {
                let step = rng.below(20) as i64 - 2;
                let ts = rng.below(4) as f64 / 2.0;
                let value = rng.below(1000) as f64 / 997.0;
                text.push_str(&format!(
                    "{{\"step\": {step}, \"value\": {value:?}, \"ts\": {ts:?}}}"
                ));
            }
            text.push('\n');
        }
        if rng.below(2) == 0 {
            text.pop();
        }
        both(&text, &rungs);
    }
}

#[test]
fn the_common_shape_needs_no_second_reading() {
    let text: String = (1..=100)
        .map(|s| {
            format!(
                "{{\"step\": {s}, \"value\": {}, \"ts\": {}.5}}\n",
                1.0 / s as f64,
                1000 + s
            )
        })
        .collect();
    let c = Scan::new(text.as_bytes(), true)
        .run(&R)
        .expect("optimistic");
    assert_eq!(c.max_step, Some(100));
    assert_eq!(c.rung_values[3], Value::Float(1.0 / 80.0));
    // A broken line that would have won sends the reading to the careful scan.
    let broken = format!("{text}{{\"step\": 200, \"value\": 1, \"ts\": oops}}\n");
    assert!(Scan::new(broken.as_bytes(), true).run(&R).is_none());
    assert_eq!(both(&broken, &R).max_step, Some(100));
}

#[test]
fn reads_files_and_missing_ones() {
    let dir = std::env::temp_dir().join(format!("herd-curves-{}", std::process::id()));
    let ws = Workspace::new(&dir);
    let mut r = CurveReader::default();
    // No workspace directory at all: no records.
    assert_eq!(r.read(&ws, 0, "loss", &R).unwrap().max_step, None);
    let tr = TrialResults::new(&ws, 3);
    std::fs::create_dir_all(tr.stream_dir().join("train")).unwrap();
    std::fs::write(
        tr.stream_path("train/loss"),
        "{\"step\": 10, \"value\": 0.5, \"ts\": 1.0}\n",
    )
    .unwrap();
    let c = r.read(&ws, 3, "train/loss", &R).unwrap();
    assert_eq!(c.rung_values, [Value::Float(0.5)]);
    // A symbolic link is refused, not followed.
    std::os::unix::fs::symlink(tr.stream_path("train/loss"), tr.stream_path("link")).unwrap();
    let e = r.read(&ws, 3, "link", &R).unwrap_err();
    assert!(e.to_string().contains("symbolic link"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
