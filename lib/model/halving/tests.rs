//! The rules of §12.2–12.5 and 12.8, the worked example of §12.9, and B2/B31.

use super::*;

fn params(min_steps: u64, budget: u64, eta: u64, asha: bool, maximize: bool) -> Params {
    Params {
        metric: "val_loss".into(),
        maximize,
        min_steps,
        budget,
        eta,
        asha,
    }
}

/// A trial whose stream holds `points` (step, value), reduced as the store does.
fn trial(index: u64, status: &str, points: &[(i64, f64)], rungs: &[u64]) -> TrialInput {
    let max_step = points.iter().map(|p| p.0).max();
    let mut rung_values = Vec::new();
    if let Some(m) = max_step {
        for &r in rungs.iter().take_while(|&&r| m >= r as i64) {
            let at = points
                .iter()
                .filter(|p| p.0 <= r as i64)
                .max_by_key(|p| p.0)
                .or_else(|| points.iter().min_by_key(|p| p.0))
                .map(|p| p.1);
            rung_values.push(at.map_or(Value::Null, Value::Float));
        }
    }
    TrialInput {
        index,
        status: Status::parse(status),
        max_step,
        rung_values,
        old_job_live: false,
    }
}

fn summary(plan: &Plan) -> Vec<(u64, &'static str, &'static str, Option<usize>)> {
    plan.decisions
        .iter()
        .map(|d| (d.index, d.action.as_str(), d.verdict.as_str(), d.rung))
        .collect()
}

const R: [u64; 4] = [10, 20, 40, 80];

fn worked(resume: bool) -> Vec<TrialInput> {
    vec![
        trial(0, "running", &[(10, 0.1), (20, 0.05)], &R),
        trial(1, "running", &[(10, 0.2), (20, 0.3)], &R),
        trial(2, "running", &[(10, 0.3)], &R),
        trial(3, "running", &[(5, 0.05)], &R),
        trial(4, "paused", &[(10, if resume { 0.01 } else { 0.9 })], &R),
        trial(5, "ready", &[], &R),
    ]
}

#[test]
fn rungs_follow_12_2() {
    assert_eq!(rungs(10, 80, 2), [10, 20, 40, 80]);
    assert_eq!(rungs(10, 100, 2), [10, 20, 40, 80]);
    assert_eq!(rungs(10, 10, 2), [10]);
    assert_eq!(rungs(10, 100, 3), [10, 30, 90]);
    assert!(rungs(20, 10, 2).is_empty());
    assert!(rungs(10, 100, 1).is_empty());
    assert!(rungs(0, 100, 2).is_empty());
    assert_eq!(rungs(1 << 63, u64::MAX, 2), [1 << 63]);
}

#[test]
fn worked_example_sync() {
    let plan = decide(&params(10, 80, 2, false, false), &worked(false));
    assert_eq!(plan.rungs, R);
    assert_eq!(
        summary(&plan),
        [
            (0, "none", "promote", Some(1)),
            (1, "prune", "prune", Some(1)),
            (2, "pause", "pause", Some(0)),
            (3, "none", "not_at_rung", None),
            (4, "prune", "prune", Some(0)),
            (5, "none", "not_at_rung", None),
        ]
    );
    let d = &plan.decisions;
    assert_eq!(d[1].reason, "bottom-half at rung 1 (step 20)");
    assert_eq!(
        d[2].reason,
        "undecidable at rung 0 (step 10) — pausing until field catches up"
    );
    assert_eq!(
        d[2].explanation,
        "cohort of 5, keep top 3: 2 ahead, 1 not yet at this rung → can't decide until the field catches up"
    );
    assert_eq!(d[3].reason, "still training toward rung 0 (step 10)");
    assert_eq!(d[4].reason, "bottom-half at rung 0 (step 10)");
    assert_eq!(
        d[4].explanation,
        "cohort of 5, keep top 3: 3 trial(s) already ranked ahead (≥ 3) → bottom half"
    );
    assert_eq!(d[5].reason, "not launched — SH never launches trials");
    assert_eq!(d[0].reason, "top-half at rung 1 (step 20)");
    assert_eq!(
        d[0].explanation,
        "rank 1 of 2 arrived, keep top 1: survives → keeps training toward the next rung"
    );
    assert_eq!(
        d[1].explanation,
        "rank 2 of 2 arrived, keep top 1: below the cut → prune"
    );
    let labels: Vec<&str> = d.iter().map(|d| d.label).collect();
    assert_eq!(
        labels,
        ["CONTINUE", "PRUNE", "PAUSE", "PRE-RUNG", "PRUNE", "PRE-RUNG"]
    );
    let s = d[2].standing.as_ref().unwrap();
    assert_eq!(
        (s.rung, s.step, s.cohort_size, s.keep, s.ahead, s.unreached),
        (0, 10, 5, 3, 2, 1)
    );
    assert_eq!(s.value, Value::Float(0.3));
}

#[test]
fn worked_example_asha() {
    let plan = decide(&params(10, 80, 2, true, false), &worked(false));
    assert_eq!(
        summary(&plan),
        [
            (0, "none", "promote", Some(1)),
            (1, "prune", "prune", Some(1)),
            (2, "prune", "prune", Some(0)),
            (3, "none", "not_at_rung", None),
            (4, "prune", "prune", Some(0)),
            (5, "none", "not_at_rung", None),
        ]
    );
    let s = plan.decisions[2].standing.as_ref().unwrap();
    assert_eq!(
        (s.rung, s.cohort_size, s.keep, s.ahead, s.unreached),
        (0, 4, 2, 2, 0)
    );
    assert_eq!(
        plan.decisions[2].explanation,
        "rank 3 of 4 arrived, keep top 2: below the cut → prune"
    );
}

#[test]
fn worked_example_resume() {
    let plan = decide(&params(10, 80, 2, false, false), &worked(true));
    assert_eq!(
        summary(&plan),
        [
            (0, "pause", "pause", Some(1)),
            (1, "pause", "pause", Some(0)),
            (2, "prune", "prune", Some(0)),
            (3, "none", "not_at_rung", None),
            (4, "submit", "promote", Some(0)),
            (5, "none", "not_at_rung", None),
        ]
    );
    let d = &plan.decisions;
    assert_eq!(
        d[0].reason,
        "undecidable at rung 1 (step 20) — pausing until field catches up"
    );
    assert_eq!(d[4].reason, "top-half at rung 0 (step 10)");
    assert_eq!(d[4].label, "RESUME");
    assert_eq!(
        d[4].explanation,
        "cohort of 5, keep top 3: 0 ahead + 1 not yet at rung < 3 → top half"
    );
}

#[test]
fn b31_a_live_old_job_waits() {
    let mut trials = worked(true);
    trials[4].old_job_live = true;
    let d = &decide(&params(10, 80, 2, false, false), &trials).decisions[4];
    assert_eq!((d.action, d.verdict), (Action::Wait, Verdict::Promote));
    assert_eq!(
        d.reason,
        "top-half at rung 0 (step 10) — resumes when its job ends"
    );
    assert_eq!(d.label, "WAIT");
    // A live old job changes nothing for a prune.
    let mut trials = worked(false);
    trials[4].old_job_live = true;
    let d = &decide(&params(10, 80, 2, false, false), &trials).decisions[4];
    assert_eq!(d.action, Action::Prune);
}

#[test]
fn b2_max_ranks_higher_first_in_both_modes() {
    let r = [10];
    let vals = [0.9, 0.8, 0.2, 0.1];
    let trials: Vec<TrialInput> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| trial(i as u64, "running", &[(10, *v)], &r))
        .collect();
    for asha in [false, true] {
        let plan = decide(&params(10, 10, 2, asha, true), &trials);
        let v: Vec<&str> = plan.decisions.iter().map(|d| d.verdict.as_str()).collect();
        assert_eq!(v, ["run_free", "run_free", "prune", "prune"], "asha={asha}");
        let labels: Vec<&str> = plan.decisions.iter().map(|d| d.label).collect();
        assert_eq!(labels, ["RUN-TO-BUDGET", "RUN-TO-BUDGET", "PRUNE", "PRUNE"]);
    }
    // And `min` still keeps the lowest.
    let plan = decide(&params(10, 10, 2, true, false), &trials);
    let v: Vec<&str> = plan.decisions.iter().map(|d| d.verdict.as_str()).collect();
    assert_eq!(v, ["prune", "prune", "run_free", "run_free"]);
    assert_eq!(
        plan.decisions[2].reason,
        "cleared final rung at rung 0 (step 10) — running to budget"
    );
    assert_eq!(
        plan.decisions[3].explanation,
        "rank 1 of 4 arrived, keep top 2: survived the final rung → running to budget"
    );
}

#[test]
fn nan_inf_and_non_numbers_are_worst_in_both_directions() {
    let r = [10];
    for maximize in [false, true] {
        for asha in [false, true] {
            let mut trials: Vec<TrialInput> = [f64::NAN, f64::INFINITY, 0.5, f64::NEG_INFINITY]
                .iter()
                .enumerate()
                .map(|(i, v)| trial(i as u64, "running", &[(10, *v)], &r))
                .collect();
            trials.push(TrialInput {
                index: 4,
                status: Status::Running,
                max_step: Some(10),
                rung_values: vec![Value::Str("0.25".into())],
                old_job_live: false,
            });
            trials.push(TrialInput {
                index: 5,
                status: Status::Running,
                max_step: Some(10),
                rung_values: vec![Value::Str("loss".into())],
                old_job_live: false,
            });
            let plan = decide(&params(10, 10, 2, asha, maximize), &trials);
            let v: Vec<&str> = plan.decisions.iter().map(|d| d.verdict.as_str()).collect();
            // Two real numbers (0.5 and "0.25") and the worst ones by index: 0 next.
            // sync keeps 3 of 6, asha 6/2 = 3.
            assert_eq!(
                v,
                ["run_free", "prune", "run_free", "prune", "run_free", "prune"],
                "maximize={maximize} asha={asha}"
            );
        }
    }
}

#[test]
fn ties_put_the_lower_index_ahead() {
    let r = [10];
    let trials: Vec<TrialInput> = (0..3)
        .map(|i| trial(i, "running", &[(10, 0.5)], &r))
        .collect();
    for asha in [false, true] {
        let plan = decide(&params(10, 10, 2, asha, false), &trials);
        let ahead: Vec<u64> = plan
            .decisions
            .iter()
            .map(|d| d.standing.as_ref().unwrap().ahead)
            .collect();
        assert_eq!(ahead, [0, 1, 2], "asha={asha}");
    }
    // -0.0 and 0.0 tie too.
    let trials = vec![
        trial(0, "running", &[(10, 0.0)], &r),
        trial(1, "running", &[(10, -0.0)], &r),
    ];
    for asha in [false, true] {
        let plan = decide(&params(10, 10, 2, asha, false), &trials);
        assert_eq!(plan.decisions[1].standing.as_ref().unwrap().ahead, 1);
    }
}

#[test]
fn exclusions_ready_and_missing_streams() {
    let trials = vec![
        trial(0, "pruned", &[(10, 0.1)], &R),
        trial(1, "failed", &[(10, 0.1)], &R),
        trial(2, "cancelled", &[], &R),
        trial(3, "pending", &[(10, 0.1)], &R),
        trial(4, "running", &[], &R),
        trial(5, "weird", &[(10, 0.4)], &R),
        trial(6, "submitted", &[(10, 0.9)], &R),
        trial(7, "completed", &[(10, 0.2)], &R),
    ];
    let plan = decide(&params(10, 80, 2, false, false), &trials);
    let d = &plan.decisions;
    assert_eq!(d[0].reason, "pruned: excluded from SH");
    assert_eq!(d[1].reason, "failed: excluded from SH");
    assert_eq!(d[2].reason, "cancelled: excluded from SH");
    assert_eq!((d[0].verdict, d[0].action), (Verdict::None, Action::None));
    assert_eq!(d[0].label, "NO-OP");
    assert_eq!(d[3].verdict, Verdict::NotAtRung);
    assert_eq!(d[3].reason, "not launched — SH never launches trials");
    assert_eq!(d[4].reason, "still training toward rung 0 (step 10)");
    assert_eq!(d[4].max_step, None);
    assert_eq!(d[4].label, "PRE-RUNG");
    // Ranked at rung 0: 0 and 1 (retired, but they reached it), 4 (unreached), 5, 6,
    // 7; 2 never reached it. m = 6, K = 3; order 0 (0.1), 1 (0.1), 7 (0.2), 5, 6.
    assert_eq!((d[7].verdict, d[7].action), (Verdict::Pause, Action::None));
    assert_eq!(d[7].label, "COMPLETE");
    assert_eq!(
        d[7].explanation,
        "completed — final result ranks 3 of 6 at rung 0 (keep top 3)"
    );
    assert_eq!((d[5].verdict, d[5].action), (Verdict::Prune, Action::None));
    assert_eq!(d[5].label, "NO-OP");
    assert_eq!((d[6].verdict, d[6].action), (Verdict::Prune, Action::None));
    assert_eq!(d[6].label, "JUST-LAUNCHED");
}

/// The reference leaves pruned trials out of the cohort, so every run halves the
/// survivors again; here a second run over the same streams changes nothing.
#[test]
fn a_second_run_does_not_cut_the_survivors_again() {
    let r = [10u64, 20, 40];
    for asha in [false, true] {
        let qs = [0.8, 0.1, 0.5, 0.3, 0.7, 0.2, 0.6, 0.4];
        let mut trials: Vec<TrialInput> = qs
            .iter()
            .enumerate()
            .map(|(i, q)| trial(i as u64, "running", &[(10, *q)], &r))
            .collect();
        let p = params(10, 40, 2, asha, false);
        let first = decide(&p, &trials);
        let pruned: Vec<u64> = first
            .decisions
            .iter()
            .filter(|d| d.action == Action::Prune)
            .map(|d| d.index)
            .collect();
        assert_eq!(pruned, [0, 2, 4, 6], "asha={asha}");
        for t in &mut trials {
            if pruned.contains(&t.index) {
                t.status = Status::Pruned;
            }
        }
        let second = decide(&p, &trials);
        for d in &second.decisions {
            assert_eq!(d.action, Action::None, "asha={asha}: {d:?}");
            if !pruned.contains(&d.index) {
                assert_eq!(d.verdict, Verdict::Promote, "asha={asha}: {d:?}");
            }
        }
    }
}

#[test]
fn verdict_to_action_table() {
    let r = [10];
    // One trial alone always clears the only rung; two: the second is pruned.
    for (status, win, lose) in [
        ("running", Action::None, Action::Prune),
        ("paused", Action::Submit, Action::Prune),
        ("submitted", Action::None, Action::None),
        ("queued", Action::None, Action::None),
        ("completed", Action::None, Action::None),
        ("odd", Action::None, Action::None),
    ] {
        let trials = vec![
            trial(0, status, &[(10, 0.1)], &r),
            trial(1, status, &[(10, 0.2)], &r),
        ];
        let plan = decide(&params(10, 10, 2, false, false), &trials);
        assert_eq!(plan.decisions[0].verdict, Verdict::RunFree);
        assert_eq!(plan.decisions[0].action, win, "{status}");
        assert_eq!(plan.decisions[1].action, lose, "{status}");
    }
    // A paused trial whose verdict is pause stays paused.
    let trials = vec![
        trial(0, "paused", &[(10, 0.3)], &r),
        trial(1, "running", &[(10, 0.1)], &r),
        trial(2, "running", &[(1, 0.1)], &r),
    ];
    let d = &decide(&params(10, 10, 2, false, false), &trials).decisions[0];
    assert_eq!(
        (d.verdict, d.action, d.label),
        (Verdict::Pause, Action::None, "STAY-PAUSED")
    );
}

#[test]
fn no_rungs_and_empty_cohorts() {
    let trials = worked(false);
    let plan = decide(&params(20, 10, 2, false, false), &trials);
    assert!(plan.rungs.is_empty());
    for d in &plan.decisions[..5] {
        assert_eq!(d.reason, "no rung schedule (min_steps > budget)");
        assert_eq!(d.verdict, Verdict::NotAtRung);
    }
    assert!(decide(&params(10, 80, 2, false, false), &[])
        .decisions
        .is_empty());
    // Nobody at rung 0 yet: all pre-rung, in both modes.
    let trials = vec![
        trial(0, "running", &[(3, 0.1)], &R),
        trial(1, "running", &[], &R),
    ];
    for asha in [false, true] {
        let plan = decide(&params(10, 80, 2, asha, false), &trials);
        assert!(plan
            .decisions
            .iter()
            .all(|d| d.verdict == Verdict::NotAtRung));
    }
}

#[test]
fn run_free_at_the_last_rung_and_a_stall_below() {
    // Two trials reach every rung: the best runs free at rung 3; the other is cut at 0.
    let trials = vec![
        trial(
            0,
            "running",
            &[(10, 0.1), (20, 0.1), (40, 0.1), (80, 0.1)],
            &R,
        ),
        trial(1, "running", &[(10, 0.2), (80, 0.2)], &R),
    ];
    let plan = decide(&params(10, 80, 2, false, false), &trials);
    assert_eq!(summary(&plan)[0], (0, "none", "run_free", Some(3)));
    assert_eq!(summary(&plan)[1], (1, "prune", "prune", Some(0)));
    // The cohort at rung 1 is just trial 0, which has not reached it: it stays
    // promoted at rung 0 (it is in cohort 1 but undecided there).
    let trials = vec![
        trial(0, "running", &[(10, 0.1)], &R),
        trial(1, "running", &[(10, 0.2)], &R),
    ];
    let plan = decide(&params(10, 80, 2, false, false), &trials);
    assert_eq!(summary(&plan)[0], (0, "none", "promote", Some(0)));
    // A value from the first record past the rung counts (§12.3).
    let t = trial(0, "running", &[(15, 0.7)], &R);
    assert_eq!(t.rung_values, [Value::Float(0.7)]);
}

#[test]
fn values_shown_with_g4() {
    assert_eq!(value_text(&Value::Float(0.123456)), "0.1235");
    assert_eq!(value_text(&Value::Int(12345)), "1.234e+04");
    assert_eq!(value_text(&Value::Bool(true)), "1");
    assert_eq!(value_text(&Value::Float(f64::NAN)), "nan");
    assert_eq!(value_text(&Value::Str("0.1".into())), "n/a");
    assert_eq!(value_text(&Value::Null), "n/a");
}

/// The sync rules exactly as §12.5 writes them (quadratic), for random sweeps with
/// ties, NaN and stragglers: the sorted implementation must agree on every verdict
/// and standing.
#[test]
// The loops follow the pseudo-code's indices on purpose.
#[allow(clippy::needless_range_loop)]
fn sync_matches_the_pseudo_code() {
    let mut rng = crate::testrng::XorShift(0x00c0_ffee_1234_5678);
    let rungs = [2u64, 4, 8];
    for _ in 0..500 {
        let n = rng.below(12);
        let trials: Vec<TrialInput> = (0..n as u64)
            .map(|i| {
                let pts: Vec<(i64, f64)> = (0..rng.below(10))
                    .map(|s| {
                        let v = match rng.below(8) {
                            0 => f64::NAN,
                            k => k as f64 / 4.0,
                        };
                        (s as i64 + 1, v)
                    })
                    .collect();
                let status = ["running", "paused", "completed"][rng.below(3)];
                trial(i, status, &pts, &rungs)
            })
            .collect();
        let plan = decide(&params(2, 8, 2, false, false), &trials);
        // The pseudo-code.
        let reached: Vec<i64> = trials
            .iter()
            .map(|t| super::reached(t.max_step, &rungs))
            .collect();
        let norm = |t: usize, k: usize| super::objective::cost(&trials[t].rung_values[k], false);
        let mut c: Vec<usize> = (0..n).collect();
        let mut verdicts: Vec<Vec<Option<(Verdict, u64, u64)>>> = vec![vec![None; 3]; n];
        let mut cohorts = 0;
        for k in 0..rungs.len() {
            if c.is_empty() {
                break;
            }
            cohorts += 1;
            let m = c.len() as u64;
            let keep = m.div_ceil(2);
            for &t in &c {
                if reached[t] >= k as i64 {
                    let ahead = c
                        .iter()
                        .filter(|&&o| {
                            o != t
                                && reached[o] >= k as i64
                                && (norm(o, k) < norm(t, k) || (norm(o, k) == norm(t, k) && o < t))
                        })
                        .count() as u64;
                    let unreached = c
                        .iter()
                        .filter(|&&o| o != t && reached[o] < k as i64)
                        .count() as u64;
                    let v = if ahead >= keep {
                        Verdict::Prune
                    } else if ahead + unreached < keep {
                        Verdict::Promote
                    } else {
                        Verdict::Pause
                    };
                    verdicts[t][k] = Some((v, ahead, unreached));
                }
            }
            c.retain(|&t| matches!(verdicts[t][k], Some((Verdict::Promote, _, _))));
        }
        for (t, d) in plan.decisions.iter().enumerate() {
            let r = reached[t];
            if r < 0 {
                assert_eq!(d.verdict, Verdict::NotAtRung);
                continue;
            }
            let j = if (r as usize) < cohorts && verdicts[t][r as usize].is_some() {
                r as usize
            } else {
                (0..cohorts)
                    .rev()
                    .find(|&j| verdicts[t][j].is_some())
                    .unwrap()
            };
            let (v, ahead, unreached) = verdicts[t][j].unwrap();
            let v = if v == Verdict::Promote && j == rungs.len() - 1 {
                Verdict::RunFree
            } else {
                v
            };
            let s = d.standing.as_ref().unwrap();
            assert_eq!(
                (d.verdict, d.rung, s.ahead, s.unreached),
                (v, Some(j), ahead, unreached)
            );
        }
    }
}
