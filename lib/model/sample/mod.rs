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
use crate::error::Error;
use crate::model::conditions::{apply_one, places, Applied};
use crate::model::expand::{push_dedupe_key, words_bound, NamedTrial, Trial};
use crate::model::naming::Namer;
use crate::runtime::par;
use crate::text::glibm;
use crate::text::strset::StrSet;
use crate::text::value::Value;

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
    /// The sum of `weights:`, when there are weights.
    weight_total: f64,
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
        let weight_total = draw.weights.as_ref().map_or(0.0, |w| w.iter().sum());
        Axis {
            p,
            draw,
            span,
            weight_total,
        }
    }

    /// The parameter's value for the number `(u, x, bits)`.
    #[cfg(test)]
    pub(super) fn value(&self, number: (f64, u64, u32)) -> Value {
        let mut v = Value::Null;
        self.value_into(&mut v, number);
        v
    }

    /// [`Axis::value`], written into `slot` (a string's storage reused).
    fn value_into(&self, slot: &mut Value, (u, x, bits): (f64, u64, u32)) {
        let draw = self.draw;
        match &self.p.kind {
            ParamKind::Discrete { values, .. } => {
                let n = values.len();
                let i = match &draw.weights {
                    None => ((u128::from(x) * n as u128) >> bits) as usize,
                    Some(w) => {
                        let target = u * self.weight_total;
                        let mut acc = 0.0;
                        w.iter()
                            .position(|&wi| {
                                acc += wi;
                                target < acc
                            })
                            .unwrap_or(n - 1)
                    }
                };
                match (slot, &values[i.min(n - 1)]) {
                    (Value::Str(to), Value::Str(from)) => to.clone_from(from),
                    (slot, v) => *slot = v.clone(),
                }
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
                *slot = match draw.round {
                    None => Value::Float(f),
                    Some((q, int)) => rounded(f, q, int, low, high),
                };
            }
        }
    }
}

/// The draws of one sweep: its generator and each parameter's axis.
pub(crate) struct Drawer<'c> {
    source: Source,
    axes: Vec<Axis<'c>>,
}

impl<'c> Drawer<'c> {
    /// The draws of `cfg`, which samples by `plan`.
    pub(crate) fn new(cfg: &'c Config, plan: &'c Sampling) -> Drawer<'c> {
        Drawer {
            source: Source::new(plan, cfg.parameters.len()),
            axes: (cfg.parameters.iter().zip(&plan.draws))
                .map(|(p, draw)| Axis::new(p, draw))
                .collect(),
        }
    }

    /// Candidate `k` before the conditions, written into `t`: its parameters in
    /// declaration order, no extras (the storage of `t` reused).
    pub(crate) fn fill(&self, k: u64, t: &mut Trial) {
        t.extras.0.clear();
        // Conditions only set values or append entries: the first entries of a
        // trial filled before are still the parameters, in order.
        t.params.0.truncate(self.axes.len());
        if t.params.0.len() < self.axes.len() {
            t.params.0.clear();
            t.params
                .0
                .extend(self.axes.iter().map(|a| (a.p.name.clone(), Value::Null)));
        }
        for (d, (axis, (_, slot))) in self.axes.iter().zip(&mut t.params.0).enumerate() {
            axis.value_into(slot, self.source.draw(k, d));
        }
    }

    /// The trial of candidate `k`: `conditioned` when a condition changed it (see
    /// [`Accepted::conditioned`]), else the candidate drawn again into `scratch`.
    pub(crate) fn trial<'t>(
        &self,
        k: u64,
        conditioned: Option<&'t Trial>,
        scratch: &'t mut Trial,
    ) -> &'t Trial {
        match conditioned {
            Some(t) => t,
            None => {
                self.fill(k, scratch);
                scratch
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

/// What the sampler hands on for each trial it accepts.
pub(crate) struct Accepted<'a> {
    /// The candidate it was drawn as.
    pub k: u64,
    /// Its experiment name.
    pub name: &'a str,
    /// [`words_bound`] of its parameters plus that of its extras.
    pub words: usize,
    /// The trial, when a condition forced a parameter or set an extra; else it is
    /// what [`Drawer::fill`] gives for `k`.
    pub conditioned: Option<Box<Trial>>,
}

/// The trials of a sampling sweep, named, in the order they were accepted.
pub(crate) fn sample(
    cfg: &Config,
    plan: &Sampling,
    namer: &Namer,
) -> Result<Vec<NamedTrial>, Error> {
    let mut out = Vec::with_capacity((plan.samples as usize).min(1 << 20));
    let drawer = Drawer::new(cfg, plan);
    sample_each(cfg, plan, namer, &drawer, |a| {
        let trial = match a.conditioned {
            Some(t) => *t,
            None => {
                let mut t = Trial::default();
                drawer.fill(a.k, &mut t);
                t
            }
        };
        out.push(NamedTrial {
            trial,
            name: a.name.to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// Draws candidates one at a time and hands each trial it accepts to `accept`, in
/// order; fails (a config error) when the conditions or an expression fail, or when
/// the sweep cannot give `samples` distinct trials. One trial is built and reused for
/// every candidate: nothing is allocated per candidate but what `accept` keeps.
pub(crate) fn sample_each(
    cfg: &Config,
    plan: &Sampling,
    namer: &Namer,
    drawer: &Drawer,
    mut accept: impl FnMut(Accepted<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let problem = |msg: String| Error::config(&cfg.path, msg);
    let n = plan.samples as usize;
    let limit = max_candidates(plan.samples);
    if let Some(most) = space_bound(cfg, plan).filter(|&m| m < plan.samples) {
        return Err(problem(format!(
            "samples: {n} asks for more distinct trials than grid: {} can draw: its parameters have at most {most} distinct combinations (lower samples, or widen the parameters)",
            plan.method.word()
        )));
    }
    let places: Vec<_> = (cfg.conditions.iter().enumerate())
        .map(|(i, c)| places(i, c))
        .collect();
    // Candidates `from..to`, drawn and through the conditions, with their dedupe keys
    // and names: made on the cores, chunk by chunk, and accepted below in candidate
    // order, so the trials are those one candidate at a time gives.
    let draw = |&(from, to): &(u64, u64)| -> Drawn {
        let count = (to - from) as usize;
        let mut d = Drawn {
            passed: Vec::with_capacity(count),
            keys: String::with_capacity(count * 64),
            names: String::with_capacity(count * 48),
            failed: None,
        };
        let mut t = Trial::default();
        let mut order = Vec::new();
        'candidates: for k in from..to {
            drawer.fill(k, &mut t);
            let mut conditioned = false;
            for (c, at) in cfg.conditions.iter().zip(&places) {
                match apply_one(cfg, c, at, &mut t) {
                    Ok(Applied::Excluded) => continue 'candidates,
                    Ok(Applied::Matched) => conditioned |= !c.force.is_empty() || !c.set.is_empty(),
                    Ok(Applied::Untouched) => {}
                    Err(msg) => {
                        d.failed = Some((k, msg));
                        return d;
                    }
                }
            }
            push_dedupe_key(&mut d.keys, &mut order, &t.params);
            namer.push_name(&mut d.names, &t.params);
            let (key_start, name_start) =
                d.passed.last().map_or((0, 0), |p| (p.key_end, p.name_end));
            d.passed.push(Passed {
                k,
                words: words_bound(&t.params).saturating_add(words_bound(&t.extras)),
                key_end: d.keys.len(),
                name_end: d.names.len(),
                key_hash: StrSet::hash(&d.keys[key_start..]),
                name_hash: StrSet::hash(&d.names[name_start..]),
                trial: conditioned.then(|| Box::new(t.clone())),
            });
        }
        d
    };
    let room = n.min(1 << 20);
    let mut keys = StrSet::with_capacity(room);
    let mut names = StrSet::with_capacity(room);
    let mut accepted = 0;
    let mut next: u64 = 0;
    // Rounds of as many candidates as trials are still wanted (at least 64): each
    // candidate gives one trial at most, so none is drawn past the last one needed.
    while accepted < n && next < limit {
        let round = ((n - accepted) as u64).max(64).min(limit - next);
        let chunks: Vec<(u64, u64)> = (next..next + round)
            .step_by(CHUNK as usize)
            .map(|from| (from, (from + CHUNK).min(next + round)))
            .collect();
        next += round;
        par::ordered(&chunks, 2, 2, draw, |d| {
            let (mut key_start, mut name_start) = (0, 0);
            // The sets' slots of the candidate AHEAD places on are asked for early.
            const AHEAD: usize = 8;
            for p in d.passed.iter().take(AHEAD) {
                keys.prefetch(p.key_hash);
                names.prefetch(p.name_hash);
            }
            let mut passed = d.passed;
            for i in 0..passed.len() {
                if let Some(q) = passed.get(i + AHEAD) {
                    keys.prefetch(q.key_hash);
                    names.prefetch(q.name_hash);
                }
                let p = &mut passed[i];
                let key = &d.keys[key_start..p.key_end];
                let name = &d.names[name_start..p.name_end];
                (key_start, name_start) = (p.key_end, p.name_end);
                if accepted == n {
                    return Ok(());
                }
                let Some(slot) = keys.vacant_hashed(key, p.key_hash) else {
                    continue;
                };
                if !names.insert_hashed(name, p.name_hash) {
                    continue;
                }
                keys.fill(slot, key);
                accept(Accepted {
                    k: p.k,
                    name,
                    words: p.words,
                    conditioned: p.trial.take(),
                })?;
                accepted += 1;
            }
            // A failure past the last trial needed is never reached.
            match d.failed {
                Some((_, msg)) if accepted < n => Err(problem(msg)),
                _ => Ok(()),
            }
        })?;
    }
    if accepted < n {
        return Err(problem(format!(
            "samples: {n} asks for more distinct trials than grid: {} found in {limit} candidates ({accepted} found; conditions, dedupe and rounding leave too few distinct values: lower samples, or widen the parameters)",
            plan.method.word(),
        )));
    }
    Ok(())
}

/// Candidates per chunk of work handed to a worker.
const CHUNK: u64 = 1024;

/// A chunk of candidates as a worker leaves them: those that passed the conditions,
/// their dedupe keys and names back to back, and the candidate that failed, if one
/// did (the chunk stops there).
struct Drawn {
    passed: Vec<Passed>,
    keys: String,
    names: String,
    failed: Option<(u64, String)>,
}

/// A candidate that passed the conditions.
struct Passed {
    k: u64,
    words: usize,
    key_end: usize,
    name_end: usize,
    /// The [`StrSet::hash`] of its key and of its name.
    key_hash: u64,
    name_hash: u64,
    /// The trial, when a condition made it differ from candidate `k` as drawn.
    trial: Option<Box<Trial>>,
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
