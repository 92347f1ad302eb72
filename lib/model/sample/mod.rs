//! `grid: random` and `grid: sobol`: trials drawn from the parameters' ranges.
//!
//! Candidate `k` (0, 1, 2, …) takes its values from numbers that depend only on the
//! seed, `k` and the parameter's position (its dimension), so raising `samples`
//! appends trials and keeps every earlier one. Each candidate goes through the
//! conditions as a grid's trials do; one that a condition excludes, or that repeats an
//! earlier trial's parameters (dedupe, spec §2.4) or experiment name, is skipped and
//! the next candidate drawn, until `samples` trials are accepted, or
//! [`max_candidates`] have been drawn (the space is too small: an error).
//! `docs/sampling.md` specifies the numbers and how they become values.

pub(crate) mod rng;
pub(crate) mod sobol;

use crate::config::{Config, Draw, Grid, Method, ParamKind, Parameter, Sampling, Scale};
use crate::model::conditions::apply_condition;
use crate::model::expand::{push_dedupe_key, NamedTrial, Trial};
use crate::model::naming::Namer;
use crate::text::glibm;
use crate::text::strset::StrSet;
use crate::text::value::{Assoc, Value};

/// How many candidates a sweep of `samples` trials may draw before giving up.
pub(crate) fn max_candidates(samples: u64) -> u64 {
    samples.saturating_mul(64).saturating_add(10_000)
}

/// The generator of one sweep: per dimension, its Sobol directions and scramble seed.
struct Source {
    method: Method,
    seed: u64,
    sobol: Vec<([u32; 32], u32)>,
}

impl Source {
    fn new(plan: &Sampling, dims: usize) -> Source {
        let sobol = match plan.method {
            Method::Random => Vec::new(),
            Method::Sobol => (0..dims)
                .map(|d| {
                    (
                        sobol::directions(d),
                        sobol::scramble_seed(plan.seed, d as u64),
                    )
                })
                .collect(),
        };
        Source {
            method: plan.method,
            seed: plan.seed,
            sobol,
        }
    }

    /// The number of candidate `k`, dimension `d`, as (u in [0, 1), its bits as a
    /// fraction of 2^bits).
    fn draw(&self, k: u64, d: usize) -> (f64, u64, u32) {
        match self.method {
            Method::Random => {
                let x = rng::bits(self.seed, k, d as u64);
                (rng::unit(x), x >> 11, 53)
            }
            Method::Sobol => {
                let (v, s) = &self.sobol[d];
                // k < 2^32: max_candidates of MAX_TRIALS is far below.
                let x = sobol::owen_scramble(sobol::point(v, k as u32), *s);
                (sobol::unit32(x), u64::from(x), 32)
            }
        }
    }
}

/// One parameter as the sampler draws it, with its range's ends on its scale
/// (`log10` of them for `scale: log`) worked out once.
pub(super) struct Axis<'a> {
    p: &'a Parameter,
    draw: &'a Draw,
    span: (f64, f64),
}

impl<'a> Axis<'a> {
    pub(super) fn new(p: &'a Parameter, draw: &'a Draw) -> Axis<'a> {
        let span = match &p.kind {
            ParamKind::Continuous {
                low,
                high,
                scale: Scale::Log,
                ..
            } => (glibm::log10(*low), glibm::log10(*high)),
            ParamKind::Continuous { low, high, .. } => (*low, *high),
            ParamKind::Discrete { .. } => (0.0, 0.0),
        };
        Axis { p, draw, span }
    }

    /// The parameter's value for the number `(u, x, bits)`.
    pub(super) fn value(&self, (u, x, bits): (f64, u64, u32)) -> Value {
        let draw = self.draw;
        match &self.p.kind {
            ParamKind::Discrete { values, .. } => {
                let n = values.len();
                let i = match &draw.weights {
                    None => ((u128::from(x) * n as u128) >> bits) as usize,
                    Some(w) => {
                        let total: f64 = w.iter().sum();
                        let target = u * total;
                        let mut acc = 0.0;
                        w.iter()
                            .position(|&wi| {
                                acc += wi;
                                target < acc
                            })
                            .unwrap_or(n - 1)
                    }
                };
                values[i.min(n - 1)].clone()
            }
            ParamKind::Continuous {
                low, high, scale, ..
            } => {
                let (low, high) = (*low, *high);
                let (a, b) = self.span;
                let f = match scale {
                    Scale::Linear => low + u * (high - low),
                    Scale::Log => glibm::pow(10.0, a + u * (b - a)),
                }
                .clamp(low, high);
                match draw.round {
                    None => Value::Float(f),
                    Some((q, int)) => rounded(f, q, int, low, high),
                }
            }
        }
    }
}

/// `f` rounded to the nearest multiple of `q` inside [low, high] (config checked that
/// one exists and that the multiples are exact): `k / (1/q)` when `1/q` is a whole
/// number (so `round: 0.001` gives `0.123`, not `0.12300000000000001`), else `k * q`.
fn rounded(f: f64, q: f64, int: bool, low: f64, high: f64) -> Value {
    let (first, last) = ((low / q).ceil(), (high / q).floor());
    let k = (f / q).round().clamp(first, last);
    if int {
        return Value::Int((k * q) as i64);
    }
    let r = 1.0 / q;
    let v = if q < 1.0 && r.fract() == 0.0 {
        k / r
    } else {
        k * q
    };
    Value::Float(v + 0.0)
}

/// The trials of a sampling sweep, named, in the order they were accepted.
pub(crate) fn sample(
    cfg: &Config,
    plan: &Sampling,
    namer: &Namer,
) -> Result<Vec<NamedTrial>, String> {
    let n = plan.samples as usize;
    let limit = max_candidates(plan.samples);
    if let Some(most) = space_bound(cfg, plan).filter(|&m| m < plan.samples) {
        return Err(format!(
            "samples: {n} asks for more distinct trials than grid: {} can draw: its parameters have at most {most} distinct combinations (lower samples, or widen the parameters)",
            plan.method.word()
        ));
    }
    let source = Source::new(plan, cfg.parameters.len());
    let axes: Vec<Axis> = (cfg.parameters.iter().zip(&plan.draws))
        .map(|(p, draw)| Axis::new(p, draw))
        .collect();
    let room = n.min(1 << 16);
    let mut out: Vec<NamedTrial> = Vec::with_capacity(room);
    let mut keys = StrSet::with_capacity(room);
    let mut names = StrSet::with_capacity(room);
    let mut key = String::new();
    let mut order = Vec::with_capacity(cfg.parameters.len());
    let mut k: u64 = 0;
    // Candidates go through the conditions in batches (a condition acts on each trial
    // alone, so a batch gives what one candidate at a time would).
    while out.len() < n && k < limit {
        let batch = ((n - out.len()) as u64).max(64).min(limit - k);
        let mut trials = Vec::with_capacity(batch as usize);
        for c in k..k + batch {
            let params = Assoc(
                axes.iter()
                    .enumerate()
                    .map(|(d, axis)| (axis.p.name.clone(), axis.value(source.draw(c, d))))
                    .collect(),
            );
            trials.push(Trial {
                params,
                extras: Assoc::new(),
            });
        }
        k += batch;
        for (i, cond) in cfg.conditions.iter().enumerate() {
            trials = apply_condition(cfg, i, cond, trials)?;
        }
        for t in trials {
            if out.len() == n {
                break;
            }
            key.clear();
            push_dedupe_key(&mut key, &mut order, &t.params);
            if keys.contains(&key) {
                continue;
            }
            let name = namer.name(&t.params);
            if !names.insert(&name) {
                continue;
            }
            keys.insert(&key);
            out.push(NamedTrial { trial: t, name });
        }
    }
    if out.len() < n {
        return Err(format!(
            "samples: {n} asks for more distinct trials than grid: {} found in {limit} candidates ({} found; conditions, dedupe and rounding leave too few distinct values: lower samples, or widen the parameters)",
            plan.method.word(),
            out.len()
        ));
    }
    Ok(out)
}

/// An upper bound of the distinct parameter combinations the sweep can draw, when
/// every parameter has finitely many values (discrete, or continuous with `round`):
/// the product of their counts, each raised by the values conditions may force on
/// it. `None` when some parameter is continuous without `round` (or past 2^64).
fn space_bound(cfg: &Config, plan: &Sampling) -> Option<u64> {
    let mut total: u64 = 1;
    for (p, draw) in cfg.parameters.iter().zip(&plan.draws) {
        let count = match (&p.kind, draw.round) {
            (ParamKind::Discrete { values, .. }, _) => values.len() as u64,
            (ParamKind::Continuous { low, high, .. }, Some((q, _))) => {
                ((high / q).floor() - (low / q).ceil()) as u64 + 1
            }
            (ParamKind::Continuous { .. }, None) => return None,
        };
        let forced = cfg
            .conditions
            .iter()
            .filter(|c| c.force.get(&p.name).is_some())
            .count() as u64;
        total = total.checked_mul(count.checked_add(forced)?)?;
    }
    Some(total)
}

/// The plan `herd-expand --check` prints: one line per parameter.
pub(crate) fn describe_plan(cfg: &Config) -> Vec<String> {
    let Grid::Sample(plan) = &cfg.grid else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "sampling: grid: {}, samples: {}, seed: {}",
        plan.method.word(),
        plan.samples,
        plan.seed
    )];
    for (p, draw) in cfg.parameters.iter().zip(&plan.draws) {
        use crate::text::pyfmt::repr_f64;
        let how = match &p.kind {
            ParamKind::Discrete { values, .. } => {
                let shown: Vec<String> = values.iter().map(crate::text::pystr::pystr).collect();
                match &draw.weights {
                    None => format!("uniform over [{}]", shown.join(", ")),
                    Some(w) => {
                        let total: f64 = w.iter().sum();
                        let parts: Vec<String> = shown
                            .iter()
                            .zip(w)
                            .map(|(v, wi)| format!("{v}: {}", repr_f64(wi / total)))
                            .collect();
                        format!("weighted over {{{}}}", parts.join(", "))
                    }
                }
            }
            ParamKind::Continuous {
                low, high, scale, ..
            } => {
                let dist = match scale {
                    Scale::Linear => "uniform",
                    Scale::Log => "log-uniform",
                };
                let round = match draw.round {
                    None => String::new(),
                    Some((q, true)) => format!(", rounded to multiples of {}", q as i64),
                    Some((q, false)) => format!(", rounded to multiples of {}", repr_f64(q)),
                };
                format!("{dist} on [{}, {}]{round}", repr_f64(*low), repr_f64(*high))
            }
        };
        lines.push(format!("  {}: {how}", p.name));
    }
    if !cfg.conditions.is_empty() {
        let names: Vec<&str> = cfg.conditions.iter().map(|c| c.name.as_str()).collect();
        lines.push(format!(
            "conditions: {} ({}), applied to every candidate; excluded and repeated ones are replaced",
            names.len(),
            names.join(", ")
        ));
    }
    lines
}

#[cfg(test)]
mod tests;
