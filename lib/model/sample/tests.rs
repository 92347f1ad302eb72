use super::*;
use crate::config::parse;
use crate::model::expand::expand;
use crate::model::naming::{override_string, trial_hash};

fn cfg(text: &str) -> Config {
    parse(
        text,
        std::path::Path::new("/ws/hyperherd.yaml"),
        std::path::Path::new("/ws"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn sweep(method: &str, samples: u64, params: &str, rest: &str) -> Config {
    cfg(&format!(
        "name: s\nslurm: {{partition: p}}\ngrid: {method}\nsamples: {samples}\nseed: 7\nparameters:\n{params}{rest}"
    ))
}

const PARAMS: &str = "  lr: {type: continuous, low: 1.0e-5, high: 1.0e-1, scale: log}\n  wd: {type: continuous, low: 0, high: 0.1, round: 0.001}\n  opt: {type: discrete, values: [adam, sgd, rmsprop], weights: [2, 1, 1]}\n  bs: {type: continuous, low: 8, high: 256, round: 1}\n";

#[test]
fn values_lie_in_their_ranges_and_rounding_holds() {
    for method in ["random", "sobol"] {
        let c = sweep(method, 500, PARAMS, "");
        let trials = expand(&c).unwrap();
        assert_eq!(trials.len(), 500);
        for t in &trials {
            let p = &t.trial.params;
            let lr = p.get("lr").unwrap().as_number().unwrap();
            assert!((1e-5..=1e-1).contains(&lr));
            match p.get("wd").unwrap() {
                Value::Float(w) => {
                    assert!((0.0..=0.1).contains(w));
                    let text = crate::text::pyfmt::repr_f64(*w);
                    assert!(text.len() <= 5, "{text}");
                }
                other => panic!("{other:?}"),
            }
            assert!(matches!(p.get("bs"), Some(Value::Int(b)) if (8..=256).contains(b)));
        }
    }
}

#[test]
fn raising_samples_appends_and_keeps_earlier_hashes() {
    let conds = "conditions:\n  - name: no-sgd-big\n    when: {opt: sgd, expr: \"bs > 128\"}\n    exclude: {opt: [sgd]}\n  - name: warm\n    when: {expr: \"lr > 0.01\"}\n    set: {warmup: 5}\n";
    for method in ["random", "sobol"] {
        let small = expand(&sweep(method, 40, PARAMS, conds)).unwrap();
        let big = expand(&sweep(method, 90, PARAMS, conds)).unwrap();
        assert_eq!(big.len(), 90);
        for (a, b) in small.iter().zip(&big) {
            assert_eq!(a.name, b.name);
            assert_eq!(
                trial_hash(&a.trial.params, &a.trial.extras),
                trial_hash(&b.trial.params, &b.trial.extras)
            );
        }
        // The conditions hold of every trial.
        for t in &big {
            let p = &t.trial.params;
            let bs = p.get("bs").unwrap().as_number().unwrap();
            assert!(!(p.get("opt") == Some(&Value::Str("sgd".into())) && bs > 128.0));
            let lr = p.get("lr").unwrap().as_number().unwrap();
            assert_eq!(t.trial.extras.get("warmup").is_some(), lr > 0.01);
        }
    }
}

/// Two discrete parameters with two values each: a space of 4 trials.
const OPT_BS: &str =
    "  opt: {type: discrete, values: [adam, sgd]}\n  bs: {type: discrete, values: [1, 2]}\n";

#[test]
fn a_small_space_is_an_error_naming_how_many_were_found() {
    let c = sweep("random", 5, OPT_BS, "");
    let e = expand(&c).unwrap_err().to_string();
    assert!(e.contains("at most 4 distinct combinations"), "{e}");
    // The bound is no use when a condition excludes most of the space.
    let c = sweep(
        "random",
        3,
        OPT_BS,
        "conditions:\n  - name: sgd-only\n    when: {opt: adam}\n    exclude: {opt: [adam]}\n",
    );
    let e = expand(&c).unwrap_err().to_string();
    assert!(e.contains("(2 found;"), "{e}");
    assert!(e.contains("10192 candidates"), "{e}");
    assert_eq!(expand(&sweep("sobol", 4, OPT_BS, "")).unwrap().len(), 4);
}

#[test]
fn names_show_four_digits_and_overrides_the_exact_float() {
    let c = sweep(
        "random",
        3,
        "  lr: {type: continuous, low: 1.0e-5, high: 1.0e-1, scale: log}\n",
        "",
    );
    for t in expand(&c).unwrap() {
        let Some(Value::Float(f)) = t.trial.params.get("lr") else {
            panic!()
        };
        let exact = crate::text::pyfmt::repr_f64(*f);
        let o = override_string(&t.name, &t.trial.params, &[], &t.trial.extras);
        assert!(o.ends_with(&format!(" lr={exact}")), "{o}");
        let shown = t.name.strip_prefix("lr-").unwrap();
        assert!(shown.len() < exact.len(), "{shown} vs {exact}");
        let back: f64 = shown.parse().unwrap();
        assert!((back - f).abs() <= 5e-4 * f, "{shown} vs {exact}");
    }
}

#[test]
fn log_uniform_fills_each_decade_equally() {
    let p = Parameter {
        name: "lr".into(),
        abbrev: None,
        kind: ParamKind::Continuous {
            low: 1e-5,
            high: 1e-1,
            scale: Scale::Log,
            steps: 5,
        },
        default: None,
    };
    let plan = Sampling {
        method: Method::Random,
        samples: 40_000,
        seed: 3,
        draws: vec![Draw::default()],
    };
    let src = Source::new(&plan, 1);
    let mut decades = [0u32; 4];
    for k in 0..40_000 {
        let Value::Float(f) = Axis::new(&p, &Draw::default()).value(src.draw(k, 0)) else {
            panic!()
        };
        let d = (glibm::log10(f) + 5.0).floor().clamp(0.0, 3.0) as usize;
        decades[d] += 1;
    }
    for n in decades {
        assert!((9_700..=10_300).contains(&n), "{decades:?}");
    }
}

#[test]
fn weights_set_the_chances() {
    let p = Parameter {
        name: "opt".into(),
        abbrev: None,
        kind: ParamKind::Discrete {
            values: vec![Value::Int(0), Value::Int(1)],
            labels: None,
        },
        default: None,
    };
    let draw = Draw {
        round: None,
        weights: Some(vec![3.0, 1.0]),
    };
    let plan = Sampling {
        method: Method::Random,
        samples: 1,
        seed: 0,
        draws: vec![draw.clone()],
    };
    let src = Source::new(&plan, 1);
    let zeros = (0..20_000)
        .filter(|&k| Axis::new(&p, &draw).value(src.draw(k, 0)) == Value::Int(0))
        .count();
    assert!((14_700..=15_300).contains(&zeros), "{zeros}");
}

/// Hickernell's centred L2 discrepancy, squared.
fn centred_discrepancy(points: &[Vec<f64>]) -> f64 {
    let n = points.len() as f64;
    let d = points[0].len() as i32;
    let mut a = 0.0;
    for x in points {
        a += x
            .iter()
            .map(|&v| 1.0 + 0.5 * (v - 0.5).abs() - 0.5 * (v - 0.5).powi(2))
            .product::<f64>();
    }
    let mut b = 0.0;
    for x in points {
        for y in points {
            b += x
                .iter()
                .zip(y)
                .map(|(&u, &v)| {
                    1.0 + 0.5 * (u - 0.5).abs() + 0.5 * (v - 0.5).abs() - 0.5 * (u - v).abs()
                })
                .product::<f64>();
        }
    }
    (13.0f64 / 12.0).powi(d) - 2.0 / n * a + b / (n * n)
}

#[test]
fn scrambled_sobol_has_lower_discrepancy_than_random() {
    for dims in 2..=4 {
        for seed in [0, 1, 99] {
            let pts = |method| {
                let plan = Sampling {
                    method,
                    samples: 256,
                    seed,
                    draws: Vec::new(),
                };
                let src = Source::new(&plan, dims);
                (0..256)
                    .map(|k| (0..dims).map(|d| src.draw(k, d).0).collect())
                    .collect::<Vec<Vec<f64>>>()
            };
            let (s, r) = (
                centred_discrepancy(&pts(Method::Sobol)),
                centred_discrepancy(&pts(Method::Random)),
            );
            assert!(s * 4.0 < r, "dims {dims} seed {seed}: sobol {s} random {r}");
        }
    }
}

#[test]
fn the_plan_names_every_draw() {
    let c = sweep("sobol", 10, PARAMS, "");
    assert_eq!(
        describe_plan(&c),
        [
            "sampling: grid: sobol, samples: 10, seed: 7",
            "  lr: log-uniform on [1e-05, 0.1]",
            "  wd: uniform on [0.0, 0.1], rounded to multiples of 0.001",
            "  opt: weighted over {adam: 0.5, sgd: 0.25, rmsprop: 0.25}",
            "  bs: uniform on [8.0, 256.0], rounded to multiples of 1",
        ]
    );
}
