//! Every ending, caps from the rules and from the partition, give-ups, rounding to what
//! SLURM grants, and the rules as `herd-watch --rules` lists them.

use super::*;

const GIB: u64 = 1 << 30;

fn res(mem: &str, time: &str) -> Resources {
    Resources {
        mem: mem.into(),
        time: time.into(),
    }
}

fn no_caps() -> Caps {
    Caps::default()
}

/// The decision for the defaults, attempt 1, no caps.
fn first(state: &str, mem: &str, time: &str) -> Decision {
    decide(&Retries::default(), state, 1, &res(mem, time), &no_caps())
}

fn retry(mem: &str, time: &str, outcome: &'static str, why: &str) -> Decision {
    Decision::Retry {
        resources: res(mem, time),
        outcome,
        why: why.into(),
    }
}

fn give_up(why: &str) -> Decision {
    Decision::GiveUp { why: why.into() }
}

/// The resources a retry asks for.
fn next(d: Decision) -> Resources {
    match d {
        Decision::Retry { resources, .. } => resources,
        other => panic!("expected a retry, got {other:?}"),
    }
}

fn oom_rule(rules: Retries, mem: Option<f64>, time: Option<f64>) -> Retries {
    Retries {
        out_of_memory: OnEnd::Scale { mem, time },
        ..rules
    }
}

// ---- each ending ----------------------------------------------------------------

#[test]
fn out_of_memory_doubles_mem() {
    assert_eq!(
        first("OUT_OF_MEMORY", "100M", "01:00:00"),
        retry(
            "200M",
            "01:00:00",
            "out_of_memory",
            "OUT_OF_MEMORY with mem 100M: attempt 2 of 3 with mem 200M"
        )
    );
}

#[test]
fn timeout_scales_time_by_one_and_a_half() {
    assert_eq!(
        first("TIMEOUT", "8G", "00:01:00"),
        retry(
            "8G",
            "00:02:00",
            "timeout",
            "TIMEOUT with time 00:01:00: attempt 2 of 3 with time 00:02:00"
        )
    );
}

#[test]
fn node_fail_preempted_and_boot_fail_retry_the_same() {
    for (state, key) in [
        ("NODE_FAIL", "node_fail"),
        ("PREEMPTED", "preempted"),
        ("BOOT_FAIL", "boot_fail"),
    ] {
        assert_eq!(
            first(state, "8G", "01:00:00"),
            retry(
                "8G",
                "01:00:00",
                key,
                &format!("{state}: attempt 2 of 3 with the same resources")
            )
        );
    }
}

#[test]
fn lost_is_treated_like_node_fail() {
    assert_eq!(
        first("LOST", "8G", "01:00:00"),
        retry(
            "8G",
            "01:00:00",
            "node_fail",
            "LOST: attempt 2 of 3 with the same resources"
        )
    );
}

#[test]
fn failed_is_not_retried_by_default() {
    assert_eq!(first("FAILED", "8G", "01:00:00"), Decision::NotRetried);
}

#[test]
fn other_states_are_not_retried() {
    for state in [
        "COMPLETED",
        "CANCELLED",
        "CANCELLED by 1000",
        "RUNNING",
        "PENDING",
        "DEADLINE",
        "",
        "out of memory",
    ] {
        assert_eq!(
            first(state, "8G", "01:00:00"),
            Decision::NotRetried,
            "{state:?}"
        );
    }
}

#[test]
fn states_are_read_case_blind_and_by_their_first_word() {
    assert_eq!(next(first("timeout", "8G", "01:00:00")).time, "01:30:00");
    assert_eq!(next(first("PREEMPTED ", "8G", "01:00:00")).mem, "8G");
}

#[test]
fn never_rules_are_not_retried() {
    let none = Retries::none();
    for state in ["OUT_OF_MEMORY", "TIMEOUT", "NODE_FAIL", "LOST", "FAILED"] {
        assert_eq!(
            decide(&none, state, 1, &res("8G", "01:00:00"), &no_caps()),
            Decision::NotRetried
        );
    }
    // A `never` rule wins over the attempts count.
    assert_eq!(
        decide(
            &Retries::default(),
            "FAILED",
            9,
            &res("8G", "01:00:00"),
            &no_caps()
        ),
        Decision::NotRetried
    );
}

#[test]
fn failed_can_be_retried_when_configured() {
    let rules = Retries {
        failed: OnEnd::Same,
        ..Retries::default()
    };
    assert_eq!(
        decide(&rules, "FAILED", 2, &res("8G", "01:00:00"), &no_caps()),
        retry(
            "8G",
            "01:00:00",
            "failed",
            "FAILED: attempt 3 of 3 with the same resources"
        )
    );
}

// ---- attempts -----------------------------------------------------------------

#[test]
fn no_attempts_left_gives_up() {
    let rules = Retries::default();
    let r = res("100M", "00:01:00");
    assert_eq!(
        decide(&rules, "TIMEOUT", 3, &r, &no_caps()),
        give_up("TIMEOUT with time 00:01:00: no attempts left (3 of 3)")
    );
    assert_eq!(
        decide(&rules, "NODE_FAIL", 3, &r, &no_caps()),
        give_up("NODE_FAIL: no attempts left (3 of 3)")
    );
    assert_eq!(
        decide(&rules, "OUT_OF_MEMORY", 2, &r, &no_caps()),
        retry(
            "200M",
            "00:01:00",
            "out_of_memory",
            "OUT_OF_MEMORY with mem 100M: attempt 3 of 3 with mem 200M"
        )
    );
    let once = Retries {
        attempts: 1,
        ..Retries::default()
    };
    assert_eq!(
        decide(&once, "PREEMPTED", 1, &r, &no_caps()),
        give_up("PREEMPTED: no attempts left (1 of 1)")
    );
    // Attempt 0 is read as the first.
    assert_eq!(
        decide(&rules, "NODE_FAIL", 0, &r, &no_caps()),
        retry(
            "100M",
            "00:01:00",
            "node_fail",
            "NODE_FAIL: attempt 2 of 3 with the same resources"
        )
    );
}

// ---- rounding -----------------------------------------------------------------

#[test]
fn mem_is_rounded_up_to_whole_mib_and_written_in_g_when_whole() {
    let mem = |m: &str, f: f64| {
        let rules = oom_rule(Retries::default(), Some(f), None);
        next(decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res(m, "01:00:00"),
            &no_caps(),
        ))
        .mem
    };
    assert_eq!(mem("8G", 1.5), "12G");
    assert_eq!(mem("100M", 2.0), "200M");
    assert_eq!(mem("100", 2.0), "200M", "no suffix means M");
    assert_eq!(
        mem("100m", 1.1),
        "110M",
        "no float noise: 110.00000000000001 is 110"
    );
    assert_eq!(mem("1G", 1.5), "1536M");
    assert_eq!(mem("512K", 2.0), "2M", "512K is granted as 1M");
    assert_eq!(mem("1T", 2.0), "2048G");
    assert_eq!(mem("3M", 1.5), "5M", "4.5 rounds up");
    assert_eq!(
        mem("1M", 1.0000000001),
        "2M",
        "a factor above 1 always grows"
    );
}

#[test]
fn time_is_rounded_up_to_whole_minutes() {
    let time = |t: &str, f: f64| {
        let rules = Retries {
            timeout: OnEnd::Scale {
                mem: None,
                time: Some(f),
            },
            ..Retries::default()
        };
        next(decide(&rules, "TIMEOUT", 1, &res("8G", t), &no_caps())).time
    };
    assert_eq!(time("00:01:00", 1.5), "00:02:00");
    assert_eq!(time("23:00:00", 1.5), "1-10:30:00");
    assert_eq!(time("90", 1.5), "02:15:00", "MM");
    assert_eq!(time("10:30", 1.5), "00:16:00", "MM:SS: 945 s is 15.75 min");
    assert_eq!(time("1-0", 2.0), "2-00:00:00", "D-HH");
    assert_eq!(time("1-12:30", 2.0), "3-01:00:00", "D-HH:MM");
    assert_eq!(time("0-00:00:10", 2.0), "00:01:00", "D-HH:MM:SS");
    assert_eq!(time("04:00:00", 1.1), "04:24:00");
}

#[test]
fn both_resources_can_grow() {
    let rules = oom_rule(Retries::default(), Some(2.0), Some(2.0));
    assert_eq!(
        decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("4G", "01:00:00"),
            &no_caps()
        ),
        retry(
            "8G",
            "02:00:00",
            "out_of_memory",
            "OUT_OF_MEMORY with mem 4G, time 01:00:00: attempt 2 of 3 with mem 8G, time 02:00:00"
        )
    );
}

// ---- caps ---------------------------------------------------------------------

fn capped(max_mem: Option<&str>, max_time: Option<&str>) -> Retries {
    Retries {
        max_mem: max_mem.map(String::from),
        max_time: max_time.map(String::from),
        ..Retries::default()
    }
}

#[test]
fn the_rules_cap_scaled_resources() {
    let rules = capped(Some("64G"), Some("2-00:00:00"));
    assert_eq!(
        decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("40G", "01:00:00"),
            &no_caps()
        ),
        retry(
            "64G",
            "01:00:00",
            "out_of_memory",
            "OUT_OF_MEMORY with mem 40G: attempt 2 of 3 with mem 64G (the cap)"
        )
    );
    assert_eq!(
        next(decide(
            &rules,
            "TIMEOUT",
            1,
            &res("8G", "1-12:00:00"),
            &no_caps()
        ))
        .time,
        "2-00:00:00"
    );
    // Below the cap, the cap does not show.
    assert_eq!(
        next(decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("16G", "01:00:00"),
            &no_caps()
        ))
        .mem,
        "32G"
    );
}

#[test]
fn the_partition_caps_scaled_resources() {
    let caps = Caps {
        max_mem_bytes: Some(48 * GIB),
        max_time_seconds: Some(4 * 3600),
    };
    let rules = Retries::default();
    assert_eq!(
        next(decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("40G", "01:00:00"),
            &caps
        ))
        .mem,
        "48G"
    );
    assert_eq!(
        next(decide(&rules, "TIMEOUT", 1, &res("8G", "03:00:00"), &caps)).time,
        "04:00:00"
    );
}

#[test]
fn the_smaller_cap_wins_from_either_side() {
    let partition = Caps {
        max_mem_bytes: Some(48 * GIB),
        max_time_seconds: Some(4 * 3600),
    };
    let r = res("40G", "03:00:00");
    // The rules are tighter.
    let tight = capped(Some("44G"), Some("03:30:00"));
    assert_eq!(
        next(decide(&tight, "OUT_OF_MEMORY", 1, &r, &partition)).mem,
        "44G"
    );
    assert_eq!(
        next(decide(&tight, "TIMEOUT", 1, &r, &partition)).time,
        "03:30:00"
    );
    // The partition is tighter.
    let loose = capped(Some("1T"), Some("7-00:00:00"));
    assert_eq!(
        next(decide(&loose, "OUT_OF_MEMORY", 1, &r, &partition)).mem,
        "48G"
    );
    assert_eq!(
        next(decide(&loose, "TIMEOUT", 1, &r, &partition)).time,
        "04:00:00"
    );
}

#[test]
fn caps_round_down_to_what_slurm_grants() {
    let caps = Caps {
        max_mem_bytes: Some(GIB + GIB / 2 + 1),
        max_time_seconds: Some(3630),
    };
    let rules = Retries::default();
    assert_eq!(
        next(decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("1G", "00:50:00"),
            &caps
        ))
        .mem,
        "1536M"
    );
    assert_eq!(
        next(decide(&rules, "TIMEOUT", 1, &res("1G", "00:50:00"), &caps)).time,
        "01:00:00"
    );
    // No limit (`infinite`, or 0 from the partition) is no cap.
    let open = Caps {
        max_mem_bytes: None,
        max_time_seconds: Some(0),
    };
    let rules = capped(None, Some("infinite"));
    assert_eq!(
        next(decide(
            &rules,
            "TIMEOUT",
            1,
            &res("1G", "1-00:00:00"),
            &open
        ))
        .time,
        "1-12:00:00"
    );
}

#[test]
fn at_the_cap_gives_up_naming_it() {
    let rules = capped(Some("64G"), None);
    assert_eq!(
        decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("64G", "01:00:00"),
            &no_caps()
        ),
        give_up("OUT_OF_MEMORY with mem 64G: mem is already at its cap of 64G (retries.max_mem)")
    );
    // Above the cap too (the config asked for more than the cap to begin with).
    assert_eq!(
        decide(
            &rules,
            "OUT_OF_MEMORY",
            1,
            &res("80G", "01:00:00"),
            &no_caps()
        ),
        give_up("OUT_OF_MEMORY with mem 80G: mem is already at its cap of 64G (retries.max_mem)")
    );
    let caps = Caps {
        max_mem_bytes: None,
        max_time_seconds: Some(4 * 3600),
    };
    assert_eq!(
        decide(&Retries::default(), "TIMEOUT", 1, &res("8G", "04:00:00"), &caps),
        give_up(
            "TIMEOUT with time 04:00:00: time is already at its cap of 04:00:00 (the partition's limit)"
        )
    );
}

#[test]
fn one_resource_at_its_cap_does_not_stop_the_other_growing() {
    let rules = oom_rule(capped(Some("64G"), None), Some(2.0), Some(2.0));
    assert_eq!(
        decide(&rules, "OUT_OF_MEMORY", 1, &res("64G", "01:00:00"), &no_caps()),
        retry(
            "64G",
            "02:00:00",
            "out_of_memory",
            "OUT_OF_MEMORY with mem 64G, time 01:00:00: attempt 2 of 3 with time 02:00:00, mem 64G as before (already at its cap)"
        )
    );
}

#[test]
fn resources_that_cannot_grow_give_up() {
    assert_eq!(
        first("TIMEOUT", "8G", "infinite"),
        give_up("TIMEOUT with time infinite: time infinite has no limit to raise")
    );
    assert_eq!(
        first("OUT_OF_MEMORY", "0", "01:00:00"),
        give_up("OUT_OF_MEMORY with mem 0: mem 0 has no limit to raise")
    );
    assert_eq!(
        first("OUT_OF_MEMORY", "8GB", "01:00:00"),
        give_up("OUT_OF_MEMORY with mem 8GB: mem \"8GB\" is not in SLURM syntax")
    );
}

// ---- describe -----------------------------------------------------------------

#[test]
fn describe_says_what_herd_watch_does_for_each_ending() {
    assert_eq!(
        describe(&capped(Some("64G"), None), &no_caps()),
        [
            "OUT_OF_MEMORY  retry with mem x2 (up to 64G), at most 3 attempts in all",
            "TIMEOUT        retry with time x1.5, at most 3 attempts in all",
            "NODE_FAIL      retry with the same resources, at most 3 attempts in all; LOST (a local runner gone) counts as NODE_FAIL",
            "PREEMPTED      retry with the same resources, at most 3 attempts in all",
            "BOOT_FAIL      retry with the same resources, at most 3 attempts in all",
            "FAILED         not retried",
        ]
    );
}

#[test]
fn describe_shows_the_effective_caps() {
    let rules = oom_rule(
        capped(Some("64G"), Some("3-00:00:00")),
        Some(4.0),
        Some(1.25),
    );
    let caps = Caps {
        max_mem_bytes: Some(48 * GIB),
        max_time_seconds: Some(2 * 86400),
    };
    let lines = describe(&rules, &caps);
    assert_eq!(
        lines[0],
        "OUT_OF_MEMORY  retry with mem x4 (up to 48G) and time x1.25 (up to 2-00:00:00), at most 3 attempts in all"
    );
    assert_eq!(
        lines[1],
        "TIMEOUT        retry with time x1.5 (up to 2-00:00:00), at most 3 attempts in all"
    );
}

#[test]
fn describe_with_nothing_to_retry() {
    let none: Vec<String> = describe(&Retries::none(), &no_caps());
    assert_eq!(none[0], "OUT_OF_MEMORY  not retried");
    assert_eq!(
        none[2],
        "NODE_FAIL      not retried; LOST (a local runner gone) counts as NODE_FAIL"
    );
    let once = Retries {
        attempts: 1,
        ..Retries::default()
    };
    let lines = describe(&once, &no_caps());
    assert_eq!(lines[1], "TIMEOUT        not retried (attempts: 1)");
    assert_eq!(lines[5], "FAILED         not retried");
}
