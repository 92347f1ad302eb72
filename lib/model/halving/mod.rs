//! Successive halving, the decision (§12.2–12.5, 12.8), pure: given the trials of a
//! sweep (status, furthest step, the metric's value at each rung reached) decide for
//! each one whether it is promoted, pruned, paused or runs to budget, and what herd
//! does about it. No files, no SLURM: the caller (`ops::halving`) reads the streams
//! and applies the plan.
//!
//! Two schedulers share the rungs `min_steps·etaᵏ ≤ budget`:
//! - **sync**: the cohort at each rung is the previous rung's promoted trials; the
//!   cut keeps the better half, `K = ceil(m/2)` (eta only spaces the rungs), and a
//!   trial whose fate depends on cohort members still training is paused;
//! - **asha**: at each rung every trial that arrived there is ranked and the top
//!   `n/eta` (all, while fewer than eta arrived) survive; no pauses.
//!
//! Deliberate fixes against the reference: ASHA ranks in the configured direction
//! and NaN, ±inf and non-numbers rank last in both modes (B2); a paused trial that
//! would be resumed while its old job is still live waits instead (B31).
//!
//! Hyperband, later: a bracket is one successive-halving run with its own starting
//! budget (`min_steps`), so Hyperband is several [`Params`] (same metric, budget
//! and eta; `min_steps` = budget/etaˢ for s = s_max…0) and a split of the trials into
//! brackets. It would call [`decide`] once per bracket with that bracket's trials
//! and concatenate the plans in manifest order; nothing here needs to change.

mod objective;
mod words;

#[cfg(test)]
mod tests;

pub use words::{label, value_text};

use crate::model::record::Status;
use crate::text::value::Value;
use objective::cost;

/// The resolved successive-halving parameters: the config block's fields, each
/// possibly overridden by a `herd-sh` flag.
pub use crate::config::Halving as Params;

/// The rungs (§12.2): `min_steps·etaᵏ` while ≤ budget; empty when min_steps >
/// budget, min_steps is 0 or eta < 2.
pub fn rungs(min_steps: u64, budget: u64, eta: u64) -> Vec<u64> {
    let mut out = Vec::new();
    if min_steps == 0 || eta < 2 {
        return out;
    }
    let mut r = min_steps;
    while r <= budget {
        out.push(r);
        match r.checked_mul(eta) {
            Some(n) => r = n,
            None => break,
        }
    }
    out
}

/// One trial as the decision sees it.
#[derive(Clone, Debug)]
pub struct TrialInput {
    /// The trial's index.
    pub index: u64,
    /// Its manifest status.
    pub status: Status,
    /// The largest step logged for the metric (None: nothing logged).
    pub max_step: Option<i64>,
    /// The raw value at rung k, for each rung k the trial reached (§12.3).
    pub rung_values: Vec<Value>,
    /// True while the trial's previous job may still be running (B31).
    pub old_job_live: bool,
}

/// What the rules say about a trial (§12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// In the top part at its rung: keeps training toward the next.
    Promote,
    /// Below the cut.
    Prune,
    /// Cannot be decided until more of its cohort arrives.
    Pause,
    /// Cleared the last rung: trains to the budget.
    RunFree,
    /// Not (yet) at rung 0, not launched, or no rungs.
    NotAtRung,
    /// Excluded (pruned, failed, cancelled).
    None,
}

impl Verdict {
    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Promote => "promote",
            Verdict::Prune => "prune",
            Verdict::Pause => "pause",
            Verdict::RunFree => "run_free",
            Verdict::NotAtRung => "not_at_rung",
            Verdict::None => "none",
        }
    }
}

/// What herd does about a trial (the verdict → action table of §12.5, plus Wait).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Resume a paused trial.
    Submit,
    /// Stop it for good (`_signal` = `prune`).
    Prune,
    /// Stop it for now (`_signal` = `pause`).
    Pause,
    /// Would be resumed, but its old job is still live: resumed at a later call.
    Wait,
    /// Nothing.
    None,
}

impl Action {
    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Prune => "prune",
            Action::Pause => "pause",
            Action::Wait => "wait",
            Action::None => "none",
        }
    }
}

/// A trial's numbers at its decision rung. For ASHA, `ahead` is the trial's rank
/// (0 = best) among those that arrived and `unreached` is 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// The rung index.
    pub rung: usize,
    /// The rung's step.
    pub step: u64,
    /// The raw metric value there.
    pub value: Value,
    /// The cohort size (sync) or the number that arrived (asha).
    pub cohort_size: u64,
    /// How many are kept.
    pub keep: u64,
    /// How many arrived trials rank ahead.
    pub ahead: u64,
    /// How many of the cohort have not reached the rung yet.
    pub unreached: u64,
}

/// The decision about one trial.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The trial's index.
    pub index: u64,
    /// Its status.
    pub status: Status,
    /// Its largest logged step.
    pub max_step: Option<i64>,
    /// What to do.
    pub action: Action,
    /// Why, in the rules' terms.
    pub verdict: Verdict,
    /// The decision rung, when there is one.
    pub rung: Option<usize>,
    /// The one-line reason (§12.5).
    pub reason: String,
    /// The longer explanation of `--reason` (§12.8).
    pub explanation: String,
    /// The `--reason` label (§12.8), e.g. `CONTINUE`.
    pub label: &'static str,
    /// The numbers behind the verdict, when there are any.
    pub standing: Option<Standing>,
}

/// The decisions for a sweep.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The rungs used.
    pub rungs: Vec<u64>,
    /// One decision per trial, in the order given (manifest order).
    pub decisions: Vec<Decision>,
}

/// Where a trial stands before the rules: its place in the pool, or why it has none.
enum Entry {
    /// Pruned, failed or cancelled: no action, but ranked at the rungs it reached.
    Excluded,
    Ready,
    /// In the pool at this position.
    Pool(usize),
}

/// A pool trial: its highest rung reached (−1: none) and cost at each rung reached.
/// A `retired` member (pruned, failed, cancelled) still counts at the rungs it
/// reached, so that a cohort does not shrink as its bottom is pruned: the reference
/// leaves them out, and each later run then cuts the survivors again (two runs over
/// 8 trials prune 4, then 2 more). It is never waited for at a rung it did not reach.
struct Member<'a> {
    t: &'a TrialInput,
    reached: i64,
    costs: Vec<f64>,
    retired: bool,
}

impl Member<'_> {
    fn value(&self, k: usize) -> Value {
        self.t.rung_values.get(k).cloned().unwrap_or(Value::Null)
    }
}

/// Decide every trial (§12.4–12.5 and the verdict → action table).
pub fn decide(params: &Params, trials: &[TrialInput]) -> Plan {
    let rungs = rungs(params.min_steps, params.budget, params.eta);
    let mut entries = Vec::with_capacity(trials.len());
    let mut pool: Vec<Member<'_>> = Vec::new();
    for t in trials {
        let retired = matches!(
            t.status,
            Status::Pruned | Status::Failed | Status::Cancelled
        );
        if t.status == Status::Ready {
            entries.push(Entry::Ready);
            continue;
        }
        let reached = reached(t.max_step, &rungs);
        if retired && reached < 0 {
            entries.push(Entry::Excluded);
            continue;
        }
        let costs = (0..=reached.max(-1))
            .map(|k| {
                let v = t.rung_values.get(k as usize).unwrap_or(&Value::Null);
                cost(v, params.maximize)
            })
            .collect();
        pool.push(Member {
            t,
            reached,
            costs,
            retired,
        });
        entries.push(match retired {
            true => Entry::Excluded,
            false => Entry::Pool(pool.len() - 1),
        });
    }
    let ruled: Vec<Option<(Verdict, Standing)>> = if rungs.is_empty() {
        pool.iter().map(|_| None).collect()
    } else if params.asha {
        asha(&pool, &rungs, params.eta)
    } else {
        sync(&pool, &rungs)
    };
    let decisions = trials
        .iter()
        .zip(entries)
        .map(|(t, e)| {
            let (verdict, standing, reason) = match e {
                Entry::Excluded => (
                    Verdict::None,
                    None,
                    format!("{}: excluded from SH", t.status),
                ),
                Entry::Ready => (
                    Verdict::NotAtRung,
                    None,
                    "not launched \u{2014} SH never launches trials".to_string(),
                ),
                Entry::Pool(p) => match &ruled[p] {
                    Some((v, s)) => (*v, Some(s.clone()), words::reason(*v, Some(s))),
                    None if rungs.is_empty() => (
                        Verdict::NotAtRung,
                        None,
                        "no rung schedule (min_steps > budget)".to_string(),
                    ),
                    None => (
                        Verdict::NotAtRung,
                        None,
                        format!("still training toward rung 0 (step {})", rungs[0]),
                    ),
                },
            };
            finish(t, verdict, standing, reason)
        })
        .collect();
    Plan { rungs, decisions }
}

/// The highest rung index with `max_step ≥ rungs[k]` (−1 if none).
fn reached(max_step: Option<i64>, rungs: &[u64]) -> i64 {
    let Some(m) = max_step else { return -1 };
    rungs
        .iter()
        .take_while(|&&r| i128::from(m) >= i128::from(r))
        .count() as i64
        - 1
}

/// The action, label and explanation of a verdict, by the status table of §12.5.
fn finish(
    t: &TrialInput,
    verdict: Verdict,
    standing: Option<Standing>,
    mut reason: String,
) -> Decision {
    let action = match (&t.status, verdict) {
        (Status::Running, Verdict::Prune) => Action::Prune,
        (Status::Running, Verdict::Pause) => Action::Pause,
        (Status::Paused, Verdict::Prune) => Action::Prune,
        (Status::Paused, Verdict::Promote | Verdict::RunFree) if t.old_job_live => {
            reason.push_str(" \u{2014} resumes when its job ends");
            Action::Wait
        }
        (Status::Paused, Verdict::Promote | Verdict::RunFree) => Action::Submit,
        _ => Action::None,
    };
    let label = label(&t.status, action, verdict);
    let explanation = words::explanation(&t.status, verdict, standing.as_ref(), &reason);
    Decision {
        index: t.index,
        status: t.status.clone(),
        max_step: t.max_step,
        action,
        verdict,
        rung: standing.as_ref().map(|s| s.rung),
        reason,
        explanation,
        label,
        standing,
    }
}

/// The ranking order at rung `k`: a lower cost first, equal costs (Python's tuple
/// order: -0.0 equals 0.0; costs are never NaN) by the lower index. A strict total
/// order, so a member's place in the sorted arrivals is the number ranked ahead.
fn rank_order<'a>(
    pool: &'a [Member<'a>],
    k: usize,
) -> impl Fn(&usize, &usize) -> std::cmp::Ordering + 'a {
    move |&a, &b| {
        let (ca, cb) = (pool[a].costs[k], pool[b].costs[k]);
        ca.partial_cmp(&cb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(pool[a].t.index.cmp(&pool[b].t.index))
    }
}

/// The synchronous scheduler: a verdict and standing per pool member with a rung.
fn sync(pool: &[Member<'_>], rungs: &[u64]) -> Vec<Option<(Verdict, Standing)>> {
    let last = rungs.len() - 1;
    // Per member, its verdict and standing at each cohort it was in (index = rung).
    let mut at: Vec<Vec<(Verdict, Standing)>> = pool.iter().map(|_| Vec::new()).collect();
    let mut cohort: Vec<usize> = (0..pool.len()).collect();
    let mut promoted = vec![false; pool.len()];
    for (k, &step) in rungs.iter().enumerate() {
        // A retired member that did not reach this rung never will: not waited for.
        cohort.retain(|&p| !pool[p].retired || pool[p].reached >= k as i64);
        if cohort.is_empty() {
            break;
        }
        let m = cohort.len() as u64;
        let keep = m.div_ceil(2);
        let mut arrived: Vec<usize> = cohort
            .iter()
            .copied()
            .filter(|&p| pool[p].reached >= k as i64)
            .collect();
        // Members not at the rung get no verdict here; the loop keeps their lower ones.
        arrived.sort_by(rank_order(pool, k));
        let unreached = m - arrived.len() as u64;
        for &p in &cohort {
            promoted[p] = false;
        }
        for (ahead, &p) in arrived.iter().enumerate() {
            let ahead = ahead as u64;
            let verdict = if ahead >= keep {
                Verdict::Prune
            } else if ahead + unreached < keep {
                Verdict::Promote
            } else {
                Verdict::Pause
            };
            promoted[p] = verdict == Verdict::Promote;
            at[p].push((
                verdict,
                Standing {
                    rung: k,
                    step,
                    value: pool[p].value(k),
                    cohort_size: m,
                    keep,
                    ahead,
                    unreached,
                },
            ));
        }
        // The next cohort keeps this one's (manifest) order.
        let next: Vec<usize> = cohort.iter().copied().filter(|&p| promoted[p]).collect();
        cohort = next;
    }
    // A member's decision is at its highest cohort (§12.5): the one at the rung it
    // reached, if it got that far, else the last it was in.
    at.into_iter()
        .map(|mut seen| {
            let (v, s) = seen.pop()?;
            let v = if v == Verdict::Promote && s.rung == last {
                Verdict::RunFree
            } else {
                v
            };
            Some((v, s))
        })
        .collect()
}

/// ASHA: rank each rung's arrivals independently; the first rung that cuts a trial
/// prunes it.
fn asha(pool: &[Member<'_>], rungs: &[u64], eta: u64) -> Vec<Option<(Verdict, Standing)>> {
    let last = rungs.len() - 1;
    let mut out: Vec<Option<(Verdict, Standing)>> = pool.iter().map(|_| None).collect();
    for (k, &step) in rungs.iter().enumerate() {
        let mut arrived: Vec<usize> = (0..pool.len())
            .filter(|&p| pool[p].reached >= k as i64)
            .collect();
        if arrived.is_empty() {
            break;
        }
        arrived.sort_by(rank_order(pool, k));
        let n = arrived.len() as u64;
        let keep = if n < eta { n } else { n / eta };
        for (rank, &p) in arrived.iter().enumerate() {
            if matches!(out[p], Some((Verdict::Prune, _))) {
                continue;
            }
            let rank = rank as u64;
            let me = &pool[p];
            let verdict = if rank >= keep {
                Verdict::Prune
            } else if me.reached == k as i64 {
                if k == last {
                    Verdict::RunFree
                } else {
                    Verdict::Promote
                }
            } else {
                // Survives here; a higher rung decides.
                Verdict::Promote
            };
            out[p] = Some((
                verdict,
                Standing {
                    rung: k,
                    step,
                    value: me.value(k),
                    cohort_size: n,
                    keep,
                    ahead: rank,
                    unreached: 0,
                },
            ));
        }
    }
    out
}
