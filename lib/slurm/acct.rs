//! Accounting and queue queries: the one `sacct` call of a status sync, the `squeue`
//! call for live detail, `scontrol` when accounting is off ([`query`]), the parsers of
//! their output, and the herd status of every SLURM state (B27: each has one).

use crate::model::record::{Observation, Status};
use std::collections::HashMap;

pub(crate) use crate::slurm::observations::Observations;

/// The herd status of a SLURM state (B27: every state has one).
///
/// `None` for an unrecognised state: the trial keeps its previous status and the raw
/// state is shown in `slurm_state`.
pub fn map_state(state: &str) -> Option<Status> {
    Some(match state {
        "COMPLETED" => Status::Completed,
        "RUNNING" | "COMPLETING" | "STAGE_OUT" | "SIGNALING" => Status::Running,
        "PENDING" | "CONFIGURING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED"
        | "RESV_DEL_HOLD" | "RESIZING" | "SUSPENDED" | "STOPPED" => Status::Queued,
        "FAILED" | "TIMEOUT" | "OUT_OF_MEMORY" | "NODE_FAIL" | "BOOT_FAIL" | "DEADLINE"
        | "PREEMPTED" | "SPECIAL_EXIT" | "LOST" => Status::Failed,
        "CANCELLED" | "REVOKED" => Status::Cancelled,
        _ => return None,
    })
}

/// squeue's compact state codes → full names.
fn squeue_state(code: &str) -> String {
    match code {
        "PD" => "PENDING",
        "R" => "RUNNING",
        "CG" => "COMPLETING",
        "CD" => "COMPLETED",
        "CF" => "CONFIGURING",
        "F" => "FAILED",
        "CA" => "CANCELLED",
        "TO" => "TIMEOUT",
        "S" => "SUSPENDED",
        "ST" => "STOPPED",
        "PR" => "PREEMPTED",
        "NF" => "NODE_FAIL",
        "OOM" => "OUT_OF_MEMORY",
        "BF" => "BOOT_FAIL",
        "DL" => "DEADLINE",
        "RQ" => "REQUEUED",
        "RH" => "REQUEUE_HOLD",
        "RF" => "REQUEUE_FED",
        "RS" => "RESIZING",
        "RV" => "REVOKED",
        "RD" => "RESV_DEL_HOLD",
        "SE" => "SPECIAL_EXIT",
        "SO" => "STAGE_OUT",
        "SI" => "SIGNALING",
        other => other,
    }
    .to_string()
}

/// The tasks an id names: `1234_7` one, `1234_[5-9%2]` or `1234_[1,3-4]` several.
enum Tasks {
    One(u64),
    Many(Vec<u64>),
}

impl Tasks {
    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let (one, many) = match self {
            Tasks::One(t) => (Some(*t), &[][..]),
            Tasks::Many(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter().copied())
    }
}

/// `1234_7` → (1234, one task); `1234_[5-9%2]` → several; anything else → None
/// (plain jobs, heterogeneous components `1234+0`, non-numeric ids).
fn parse_job_tasks(id: &str) -> Option<(u64, Tasks)> {
    let (job, rest) = id.split_once('_')?;
    if job.is_empty() || !job.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let job: u64 = job.parse().ok()?;
    if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        let spec = inner.split('%').next().unwrap_or("");
        let mut tasks = Vec::new();
        for part in spec.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
                    if b < a || b - a > 10_000_000 {
                        return None;
                    }
                    tasks.extend(a..=b);
                }
                None => tasks.push(part.parse().ok()?),
            }
        }
        return Some((job, Tasks::Many(tasks)));
    }
    Some((job, Tasks::One(rest.parse().ok()?)))
}

/// `3:0` → 3; `0:15` → 143 (128 + signal); `0:0` → 0; `0:125` (SLURM's marker for
/// an out-of-memory kill, not a signal) → 125.
pub fn parse_exit_code(s: &str) -> Option<i64> {
    let (code, sig) = s.split_once(':')?;
    let (code, sig): (i64, i64) = (code.trim().parse().ok()?, sig.trim().parse().ok()?);
    Some(match sig {
        1..=64 => 128 + sig,
        0 => code,
        other => other,
    })
}

/// The exit status SLURM's `code` means in `state`: a task still pending or running
/// has none yet (SLURM prints 0:0), nor has one ended by a time limit or a cancel.
fn exit_code_in(state: &str, code: Option<i64>) -> Option<i64> {
    let ended = matches!(
        map_state(state),
        Some(Status::Completed | Status::Failed | Status::Cancelled)
    );
    code.filter(|c| {
        ended
            && (*c != 0
                || !matches!(
                    state,
                    "TIMEOUT" | "CANCELLED" | "PREEMPTED" | "NODE_FAIL" | "DEADLINE"
                ))
    })
}

/// sacct memory (`4680K`, `1.5G`, `512`, `4Gn` per node, `4Gc` per CPU) → bytes.
pub fn mem_bytes(s: &str, cpus: u64) -> Option<u64> {
    let mut t = s.trim();
    let mut factor = 1u64;
    if let Some(x) = t.strip_suffix(['n', 'N']) {
        t = x;
    } else if let Some(x) = t.strip_suffix(['c', 'C']) {
        t = x;
        factor = cpus.max(1);
    }
    if t.is_empty() {
        return None;
    }
    let (num, mult) = match t.chars().last()?.to_ascii_uppercase() {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        'T' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| (n * mult as f64) as u64 * factor)
}

/// `[D-]HH:MM:SS`, `MM:SS`, `SS` → seconds; anything else → None.
pub fn elapsed_seconds(s: &str) -> Option<u64> {
    let s = s.trim();
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (d.parse::<u64>().ok()?, r),
        None => (0, s),
    };
    // Up to three `:`-separated fields, without allocating (sacct prints one per task).
    let mut parts = [0u64; 3];
    let mut n = 0;
    for p in rest.split(':') {
        if n == 3 {
            return None;
        }
        parts[n] = p.parse().ok()?;
        n += 1;
    }
    let secs = match &parts[..n] {
        [h, m, s] => h * 3600 + m * 60 + s,
        [m, s] => m * 60 + s,
        [s] => *s,
        _ => return None,
    };
    Some(days * 86400 + secs)
}

/// The `--format` of the one sacct call.
pub const SACCT_FORMAT: &str = "JobID,State,ExitCode,Elapsed,MaxRSS,ReqMem";

/// Parse `sacct -P -n --format=JobID,State,ExitCode,Elapsed,MaxRSS,ReqMem` output.
///
/// Task rows (`J_T`) set state, exit code, elapsed, requested memory; `.batch` rows
/// the peak RSS; compact rows of pending tasks (`J_[a-b%c]`) set the state of tasks
/// no task row mentions.
pub(crate) fn parse_sacct(text: &str, cpus: u64) -> Observations {
    let mut obs = Observations::default();
    let mut compact: Vec<((u64, u64), &str, &str)> = Vec::new();
    for line in text.lines() {
        // JobID|State|ExitCode|Elapsed|MaxRSS|ReqMem, without a Vec per line.
        let mut f = [""; 6];
        let mut n = 0;
        for (slot, field) in f.iter_mut().zip(line.split('|')) {
            *slot = field.trim();
            n += 1;
        }
        if n < 2 {
            continue;
        }
        let get = |i: usize| Some(f[i]).filter(|s| !s.is_empty());
        let state_full = f[1];
        // A `+` marks a state cut to fit a column (`CANCELLED+`): the word is whole.
        let state = state_full
            .split_whitespace()
            .next()
            .unwrap_or("UNKNOWN")
            .trim_end_matches('+');
        let (id, step) = match f[0].split_once('.') {
            Some((id, step)) => (id, Some(step)),
            None => (f[0], None),
        };
        let Some((job, tasks)) = parse_job_tasks(id) else {
            continue;
        };
        match (step, &tasks) {
            (Some("batch"), Tasks::One(t)) => {
                let o = obs.entry((job, *t));
                if let Some(rss) = get(4).and_then(|m| mem_bytes(m, cpus)) {
                    o.max_rss_bytes = Some(o.max_rss_bytes.map_or(rss, |x| x.max(rss)));
                }
            }
            (Some(_), _) => {}
            (None, Tasks::Many(list)) => {
                for &t in list {
                    compact.push(((job, t), state, state_full));
                }
            }
            (None, Tasks::One(t)) => {
                let o = obs.entry((job, *t));
                o.state = state.to_string();
                o.reason = state_full.contains(' ').then(|| state_full.to_string());
                o.exit_code = exit_code_in(state, get(2).and_then(parse_exit_code));
                o.elapsed_seconds = get(3).and_then(elapsed_seconds);
                o.req_mem_bytes = get(5).and_then(|m| mem_bytes(m, cpus));
            }
        }
    }
    for (key, state, full) in compact {
        let o = obs.entry(key);
        if o.state.is_empty() {
            o.state = state.to_string();
            o.reason = full.contains(' ').then(|| full.to_string());
        }
    }
    obs.retain(|o| !o.state.is_empty() || o.max_rss_bytes.is_some());
    obs
}

/// Parse `squeue -h -r -o '%i|%t|%r'` output (state codes, pending reasons).
pub(crate) fn parse_squeue(text: &str) -> Observations {
    let mut obs = Observations::default();
    for line in text.lines() {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        if f.len() < 2 {
            continue;
        }
        let Some((job, tasks)) = parse_job_tasks(f[0]) else {
            continue;
        };
        let reason = f
            .get(2)
            .filter(|r| !r.is_empty() && **r != "None")
            .map(|r| r.to_string());
        for t in tasks.iter() {
            obs.insert(
                (job, t),
                Observation {
                    state: squeue_state(f[1]),
                    reason: reason.clone(),
                    ..Observation::default()
                },
            );
        }
    }
    obs
}

/// Parse `scontrol -o show job` output (one line per job/task; used without accounting).
pub(crate) fn parse_scontrol(text: &str) -> Observations {
    let mut obs = Observations::default();
    for line in text.lines() {
        let mut kv: HashMap<&str, &str> = HashMap::new();
        for tok in line.split_whitespace() {
            if let Some((k, v)) = tok.split_once('=') {
                kv.entry(k).or_insert(v);
            }
        }
        let (Some(job), Some(task), Some(state)) = (
            kv.get("ArrayJobId"),
            kv.get("ArrayTaskId"),
            kv.get("JobState"),
        ) else {
            continue;
        };
        let Some((job, tasks)) = parse_job_tasks(&format!("{job}_{task}")) else {
            continue;
        };
        for t in tasks.iter() {
            obs.insert(
                (job, t),
                Observation {
                    state: state.to_string(),
                    reason: kv
                        .get("Reason")
                        .filter(|r| **r != "None")
                        .map(|r| r.to_string()),
                    exit_code: exit_code_in(
                        state,
                        kv.get("ExitCode").and_then(|e| parse_exit_code(e)),
                    ),
                    elapsed_seconds: kv.get("RunTime").and_then(|e| elapsed_seconds(e)),
                    ..Observation::default()
                },
            );
        }
    }
    obs
}

/// What squeue says of the tasks of the job ids in `idlist` (the live ones: pending,
/// running, requeued); Err(why) when it cannot be asked.
pub(crate) fn live(idlist: &str) -> Result<Observations, String> {
    match super::run(
        "squeue",
        &["-h", "-r", "-j", idlist, "-o", "%i|%t|%r"],
        None,
    ) {
        Ok(o) if o.code == Some(0) => Ok(parse_squeue(&o.stdout)),
        // Every id already purged from the controller: nothing is live.
        Ok(o) if o.stderr.contains("Invalid job id specified") => Ok(Observations::default()),
        Ok(o) => Err(format!("squeue failed: {}", o.stderr.trim())),
        Err(e) => Err(e.to_string()),
    }
}

/// sacct (None when accounting is off), squeue, and scontrol (only without accounting)
/// over the job ids in `idlist`; Err(why) when any call failed.
#[allow(clippy::type_complexity)]
pub(crate) fn query(
    idlist: &str,
    cpus: u64,
) -> Result<(Option<Observations>, Observations, Observations), String> {
    let window = std::env::var("HERD_SACCT_WINDOW_DAYS")
        .ok()
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(30);
    let start = format!("now-{window}days");
    let sacct = match super::run(
        "sacct",
        &[
            "-P",
            "-n",
            "-j",
            idlist,
            "-S",
            &start,
            "-E",
            "now",
            &format!("--format={SACCT_FORMAT}"),
        ],
        None,
    ) {
        Ok(o) if o.code == Some(0) => Some(parse_sacct(&o.stdout, cpus)),
        Ok(o) if o.stderr.contains("accounting storage is disabled") => None,
        Ok(o) => return Err(format!("sacct failed: {}", o.stderr.trim())),
        Err(e) => return Err(e.to_string()),
    };
    let squeue = live(idlist)?;
    let scontrol = if sacct.is_none() {
        match super::run("scontrol", &["-o", "show", "job"], None) {
            Ok(o) if o.code == Some(0) => parse_scontrol(&o.stdout),
            Ok(o) => return Err(format!("scontrol failed: {}", o.stderr.trim())),
            Err(e) => return Err(e.to_string()),
        }
    } else {
        Observations::default()
    };
    Ok((sacct, squeue, scontrol))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from the test cluster: `sacct -P -n --format=JobID,State,ExitCode,
    // Elapsed,MaxRSS,ReqMem` for an array of 6 tasks (exit 0, exit 3, running,
    // completed, cancelled while running, running).
    const SACCT: &str = "1_0|COMPLETED|0:0|00:00:00||100M
1_0.batch|COMPLETED|0:0|00:00:00||
1_1|FAILED|3:0|00:00:00||100M
1_1.batch|FAILED|3:0|00:00:00||
1_2|RUNNING|0:0|00:00:10||100M
1_2.batch|RUNNING|0:0|00:00:10||
1_3|COMPLETED|0:0|00:00:02||100M
1_3.batch|COMPLETED|0:0|00:00:02|4680K|
1_4|CANCELLED by 0|0:0|00:00:03||100M
1_4.batch|CANCELLED|0:15|00:00:03|4612K|
1_5|RUNNING|0:0|00:00:03||100M
1_5.batch|RUNNING|0:0|00:00:03||
7_[1-7%1]|PENDING|0:0|00:00:00||
7_0|RUNNING|0:0|00:00:05||
9_2|TIMEOUT|0:0|00:01:14||4Gn
9_2.batch|CANCELLED|0:15|00:01:15|5000K|
9_3|OUT_OF_MEMORY|0:125|00:00:09||2Gc
";

    #[test]
    fn sacct_rows_become_observations() {
        let o = parse_sacct(SACCT, 2);
        let get = |j: u64, t: u64| o.get(&(j, t)).unwrap();
        assert_eq!(get(1, 0).state, "COMPLETED");
        assert_eq!(get(1, 1).exit_code, Some(3));
        assert_eq!(
            get(1, 2).exit_code,
            None,
            "a running task has no exit code yet"
        );
        assert_eq!(get(1, 4).exit_code, None, "cancelled: 0:0 is no exit code");
        assert_eq!(get(1, 3).max_rss_bytes, Some(4680 * 1024));
        assert_eq!(get(1, 3).req_mem_bytes, Some(100 << 20));
        assert_eq!(get(1, 4).state, "CANCELLED");
        assert_eq!(get(1, 4).reason.as_deref(), Some("CANCELLED by 0"));
        assert_eq!(get(7, 0).state, "RUNNING");
        for t in 1..=7 {
            assert_eq!(get(7, t).state, "PENDING");
        }
        assert_eq!(get(9, 2).state, "TIMEOUT");
        assert_eq!(get(9, 2).elapsed_seconds, Some(74));
        assert_eq!(get(9, 2).req_mem_bytes, Some(4 << 30));
        assert_eq!(
            get(9, 3).req_mem_bytes,
            Some(4 << 30),
            "2G per CPU × 2 CPUs"
        );
        assert_eq!(get(9, 3).exit_code, Some(125));
    }

    #[test]
    fn plus_suffixes_and_heterogeneous_jobs() {
        // `+` on a cut state; heterogeneous-job components (`J+K`) are not array
        // tasks of herd's and are skipped; an array task of a later job still counts.
        let o = parse_sacct(
            "1234+0|RUNNING|0:0|00:00:05||\n1234+1|PENDING|0:0|||\n1234_7|CANCELLED+|0:0|00:00:01||\n1234_8|COMPLETED|0:0|00:00:02||\n",
            1,
        );
        assert_eq!(o[&(1234, 7)].state, "CANCELLED");
        assert_eq!(o[&(1234, 8)].state, "COMPLETED");
        assert_eq!(o.len(), 2);
    }

    #[test]
    fn task_rows_win_over_compact_rows_in_any_order() {
        let o = parse_sacct("12345_[7-10%4]|PENDING|0:0|||\n12345_7|RUNNING|0:0|||\n", 1);
        assert_eq!(o[&(12345, 7)].state, "RUNNING");
        assert_eq!(o[&(12345, 8)].state, "PENDING");
        let o = parse_sacct("99999_[0-4%2]|CANCELLED by 1000|00:00:00||||\n", 1);
        assert!((0..5).all(|t| o[&(99999, t)].state == "CANCELLED"));
    }

    #[test]
    fn squeue_rows_with_ranges_and_reasons() {
        // Captured: `squeue -h -j 7 -o '%i|%t|%r'` (without -r) and with -r.
        let o = parse_squeue("7_[1-7%1]|PD|JobArrayTaskLimit\n7_0|R|None\n1_4|PD|Resources\n");
        assert_eq!(o[&(7, 3)].state, "PENDING");
        assert_eq!(o[&(7, 3)].reason.as_deref(), Some("JobArrayTaskLimit"));
        assert_eq!(o[&(7, 0)].reason, None);
        assert_eq!(o[&(1, 4)].reason.as_deref(), Some("Resources"));
    }

    #[test]
    fn scontrol_lines() {
        let line = "JobId=6 ArrayJobId=1 ArrayTaskId=4 ArrayTaskThrottle=3 JobName=job.sh JobState=CANCELLED Reason=None ExitCode=0:15 RunTime=00:00:03 TimeLimit=00:01:00";
        let o = parse_scontrol(line);
        let x = &o[&(1, 4)];
        assert_eq!(
            (x.state.as_str(), x.exit_code, x.elapsed_seconds),
            ("CANCELLED", Some(143), Some(3))
        );
    }

    #[test]
    fn every_state_has_a_mapping() {
        for s in [
            "COMPLETED",
            "RUNNING",
            "COMPLETING",
            "PENDING",
            "REQUEUED",
            "PREEMPTED",
            "SUSPENDED",
            "BOOT_FAIL",
            "DEADLINE",
            "OUT_OF_MEMORY",
            "NODE_FAIL",
            "TIMEOUT",
            "REVOKED",
            "CANCELLED",
            "FAILED",
            "SPECIAL_EXIT",
            "RESIZING",
            "CONFIGURING",
            "STOPPED",
        ] {
            assert!(map_state(s).is_some(), "{s}");
        }
        assert_eq!(map_state("TIMEOUT"), Some(Status::Failed));
        assert_eq!(map_state("OUT_OF_MEMORY"), Some(Status::Failed));
        assert_eq!(map_state("REQUEUED"), Some(Status::Queued));
        assert_eq!(map_state("WHATEVER"), None);
    }

    #[test]
    fn units() {
        assert_eq!(mem_bytes("1024K", 1), Some(1 << 20));
        assert_eq!(mem_bytes("1.5G", 1), Some(1_610_612_736));
        assert_eq!(mem_bytes("512", 1), Some(512));
        assert_eq!(mem_bytes("", 1), None);
        assert_eq!(mem_bytes("eleventy", 1), None);
        assert_eq!(elapsed_seconds("01:02:03"), Some(3723));
        assert_eq!(elapsed_seconds("2-01:00:00"), Some(176400));
        assert_eq!(elapsed_seconds("UNLIMITED"), None);
        assert_eq!(parse_exit_code("3:0"), Some(3));
        assert_eq!(parse_exit_code("0:15"), Some(143));
    }
}
