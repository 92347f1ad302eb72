//! Trial expansion: value lists, grid modes, conditions, dedupe (spec §2).
//!
//! The order of the trials is the reference's exactly, because it decides index
//! assignment, and discretised floats are bit-identical to the reference's (glibc
//! `log10`/`pow`, see `glibm`), because they decide the trial hash.

use crate::config::{Config, Grid, ParamKind, Parameter, Scale};
use crate::error::Error;
use crate::model::conditions::{apply_condition, describe};
use crate::model::naming::{push_override_string, Namer, MAX_OVERRIDE_BYTES};
use crate::model::rows::{expand_rows, RowConditions};
use crate::model::sample::sample;
use crate::text::ftext::{self, Kind};
use crate::text::fxhash::{FxHashMap, FxHashSet};
use crate::text::glibm;
use crate::text::pystr::{push_int, py_eq, pystr};
use crate::text::strset::StrSet;
use crate::text::value::{Assoc, Value};

pub use crate::config::MAX_TRIALS;

/// One expanded trial: parameter values and the extras written by `set`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trial {
    /// Parameter values, in grid-mode order.
    pub params: Assoc,
    /// Extras from conditions' `set`, in first-written order.
    pub extras: Assoc,
}

/// A trial with its frozen name, as the rest of the toolkit sees it.
#[derive(Clone, Debug)]
pub struct NamedTrial {
    /// The trial.
    pub trial: Trial,
    /// Its experiment name.
    pub name: String,
}

/// The discretised values of a parameter (spec §2.1).
pub fn values_of(p: &Parameter) -> Vec<Value> {
    match &p.kind {
        ParamKind::Discrete { values, .. } => values.clone(),
        ParamKind::Continuous {
            low,
            high,
            scale,
            steps,
        } => {
            let (low, high, n) = (*low, *high, *steps);
            if n <= 1 {
                return vec![Value::Float(low)];
            }
            let last = (n - 1) as f64;
            match scale {
                Scale::Linear => (0..n)
                    .map(|i| Value::Float(low + ((i as f64 * (high - low)) / last)))
                    .collect(),
                Scale::Log => {
                    let (a, b) = (glibm::log10(low), glibm::log10(high));
                    (0..n)
                        .map(|i| Value::Float(glibm::pow(10.0, a + ((i as f64 * (b - a)) / last))))
                        .collect()
                }
            }
        }
    }
}

/// Expand the config into its trials, in the reference's order, and name them.
///
/// Fails (exit 2) on an expression that errors at run time, a sweep with no trials
/// or too many, and on two trials with the same experiment name.
pub fn expand(cfg: &Config) -> Result<Vec<NamedTrial>, Error> {
    let problem = |msg: String| Error::config(&cfg.path, msg);
    check_size(cfg).map_err(problem)?;
    if let Grid::Sample(plan) = &cfg.grid {
        // Accepted candidates have distinct names by construction.
        let named = sample(cfg, plan, &Namer::new(cfg))?;
        check_override_lengths(cfg, &named)?;
        return Ok(named);
    }
    let lists: Vec<Vec<Value>> = cfg.parameters.iter().map(values_of).collect();
    let namer = Namer::new(cfg);
    // A product sweep's name collisions are known from its value lists (no trial
    // need be built to refuse it).
    // Conditions that force no parameter only drop trials and add extras: the trials'
    // parameters are then rows of the product, whose properties hold of them too.
    let product_rows = matches!(cfg.grid, Grid::All)
        && cfg.conditions.iter().all(|c| c.force.is_empty())
        && distinct_axes(&lists);
    let known_unique = match product_rows.then(|| product_collisions(cfg, &namer, &lists)) {
        // A collision in the product may be among the trials a condition excludes.
        Some(Some(Err(problems))) if cfg.conditions.is_empty() => {
            return Err(Error::Config {
                path: cfg.path.clone(),
                problems,
            })
        }
        Some(Some(Ok(()))) => true,
        _ => false,
    };
    let named = match RowConditions::new(cfg, &lists).filter(|_| rows_apply(cfg)) {
        Some(conds) => expand_rows(cfg, &namer, &lists, conds, !product_rows),
        None => general(cfg, &namer, &lists, product_rows),
    }
    .map_err(problem)?;
    if named.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no trials left after applying conditions",
            cfg.path.display()
        ))
        .hint("check the 'exclude' entries of your conditions"));
    }
    if !known_unique {
        check_unique_names(cfg, &named)?;
    }
    check_override_lengths(cfg, &named)?;
    Ok(named)
}

/// The named trials as the spec words it: combine by grid mode, apply each condition
/// to the whole list in turn, dedupe unless `product_rows` (rows of a product of
/// distinct values are distinct: dedupe would keep them all), name.
pub(crate) fn general(
    cfg: &Config,
    namer: &Namer,
    lists: &[Vec<Value>],
    product_rows: bool,
) -> Result<Vec<NamedTrial>, String> {
    let mut trials = combine(cfg, lists)?;
    for (i, cond) in cfg.conditions.iter().enumerate() {
        trials = apply_condition(cfg, i, cond, trials)?;
    }
    if !product_rows {
        trials = dedupe(trials, |t| &t.params);
    }
    Ok(trials
        .into_iter()
        .map(|t| NamedTrial {
            name: namer.name(&t.params),
            trial: t,
        })
        .collect())
}

/// Whether [`expand_rows`] may make the trials: a `grid: all` sweep (whose conditions,
/// [`RowConditions::new`] checks, force nothing) with parameters of distinct names.
fn rows_apply(cfg: &Config) -> bool {
    let mut names = FxHashSet::default();
    matches!(cfg.grid, Grid::All) && cfg.parameters.iter().all(|p| names.insert(p.name.as_str()))
}

/// How many values a parameter has, known without building them.
fn count_of(p: &Parameter) -> u64 {
    match &p.kind {
        ParamKind::Discrete { values, .. } => values.len() as u64,
        ParamKind::Continuous { steps, .. } => *steps,
    }
}

/// Refuse a sweep of more than [`MAX_TRIALS`] trials from the parameters' value
/// counts alone, before any value or trial is built (checked arithmetic: a product
/// of large counts must not wrap around).
pub(crate) fn check_size(cfg: &Config) -> Result<(), String> {
    let product = |axes: &mut dyn Iterator<Item = (&str, u64)>| -> Result<(), String> {
        let mut total: u64 = 1;
        for (name, n) in axes {
            match total.checked_mul(n) {
                Some(t) if t <= MAX_TRIALS => total = t,
                _ => return Err(format!(
                    "grid: the product of the parameters up to '{name}' already has more than {MAX_TRIALS} trials (use a partial grid or fewer steps)"
                )),
            }
        }
        Ok(())
    };
    match &cfg.grid {
        Grid::All => product(
            &mut cfg
                .parameters
                .iter()
                .map(|p| (p.name.as_str(), count_of(p))),
        ),
        Grid::List(names) => {
            let by_name: FxHashMap<&str, &Parameter> = cfg
                .parameters
                .iter()
                .map(|p| (p.name.as_str(), p))
                .collect();
            let mut axes = Vec::with_capacity(names.len());
            for n in names {
                let p = by_name
                    .get(n.as_str())
                    .ok_or_else(|| format!("grid: unknown parameter '{n}'"))?;
                axes.push((n.as_str(), count_of(p)));
            }
            product(&mut axes.into_iter())
        }
        // `samples` is checked at load.
        Grid::Sample(_) => Ok(()),
        Grid::OneAtATime => {
            // 1 (the defaults) + every value that differs from its default.
            let mut total: u64 = 1;
            for p in &cfg.parameters {
                let n = match (&p.kind, &p.default) {
                    (ParamKind::Discrete { values, .. }, Some(d)) => {
                        values.iter().filter(|v| !same_as_default(v, d)).count() as u64
                    }
                    _ => count_of(p),
                };
                total = total.saturating_add(n);
            }
            if total > MAX_TRIALS {
                return Err(format!(
                    "grid: one parameter at a time gives more than {MAX_TRIALS} trials (give the parameters fewer values or steps)"
                ));
            }
            Ok(())
        }
    }
}

/// The name collisions of a `grid: all` sweep without conditions whose rows are all
/// kept by dedupe, from its value lists alone: `Some(Ok)` when no two trials share a
/// name, `Some(Err)` with the problems when some do (as [`check_unique_names`] words
/// them), `None` when only naming every trial can tell (a value's token holds `_`).
///
/// A name is its tokens joined with `_`; with no `_` inside a value's token it spells
/// the tokens one way, so two trials share a name exactly when, on every axis, their
/// values share a token. The first trial that repeats a name then has the first
/// repeated token of some axis `k` (at position `v`, first seen at `u`) and the first
/// value on every other axis: it is trial `v * stride(k)` for the smallest such
/// product, and it repeats trial `u * stride(k)`.
fn product_collisions(
    cfg: &Config,
    namer: &Namer,
    lists: &[Vec<Value>],
) -> Option<Result<(), Vec<String>>> {
    if !matches!(cfg.grid, Grid::All) || !distinct_axes(lists) {
        return None;
    }
    let mut repeats: Vec<Option<(usize, usize)>> = Vec::with_capacity(lists.len());
    let mut distinct: u64 = 1;
    for (k, list) in lists.iter().enumerate() {
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        let mut first = None;
        for (pos, v) in list.iter().enumerate() {
            let t = namer.token(k, v);
            if t.contains('_') {
                return None;
            }
            match seen.get(&t) {
                Some(&u) => {
                    first.get_or_insert((u, pos));
                }
                None => {
                    seen.insert(t, pos);
                }
            }
        }
        distinct = distinct.saturating_mul(seen.len() as u64);
        repeats.push(first);
    }
    let total: u64 = lists.iter().map(|l| l.len() as u64).product();
    let mut stride: u64 = 1;
    let mut best: Option<(u64, u64, usize)> = None; // (i, j, axis)
    for k in (0..lists.len()).rev() {
        if let Some((u, v)) = repeats[k] {
            let i = v as u64 * stride;
            if best.is_none_or(|(b, _, _)| i < b) {
                best = Some((i, u as u64 * stride, k));
            }
        }
        stride *= lists[k].len() as u64;
    }
    let Some((i, j, k)) = best else {
        return Some(Ok(()));
    };
    let (u, v) = repeats[k]?;
    let row = |at: usize| {
        Assoc(
            cfg.parameters
                .iter()
                .zip(lists)
                .enumerate()
                .map(|(m, (p, l))| (p.name.clone(), l[if m == k { at } else { 0 }].clone()))
                .collect(),
        )
    };
    let (first, later) = (row(u), row(v));
    Some(Err(collision_problems(
        (j as usize, &first),
        (i as usize, &later),
        &namer.name(&later),
        total - distinct,
    )))
}

/// The collision report: the first trial that repeats a name, and how many more do.
fn collision_problems(
    first: (usize, &Assoc),
    later: (usize, &Assoc),
    name: &str,
    repeating: u64,
) -> Vec<String> {
    let mut problems = vec![format!(
        "trials {} ({}) and {} ({}) share the experiment name '{}' (give the parameters distinct 'labels:' or 'abbrev:', or fewer steps)",
        first.0,
        clip(&describe(first.1)),
        later.0,
        clip(&describe(later.1)),
        clip(name)
    )];
    if repeating > 1 {
        problems.push(format!(
            "{} more trials repeat the experiment name of an earlier trial",
            repeating - 1
        ));
    }
    problems
}

/// `s`, cut to 200 characters (`…` marks a cut): a message stays one readable line.
fn clip(s: &str) -> String {
    const MAX: usize = 200;
    match s.char_indices().nth(MAX) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}

/// An upper bound of the override text of a value (exact for strings).
fn value_bound(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        Value::Float(_) => 32,
        Value::Int(_) => 20,
        Value::Null | Value::Bool(_) => 5,
        other => pystr(other).len(),
    }
}

pub(crate) fn words_bound(a: &Assoc) -> usize {
    a.iter().fold(0usize, |n, (k, v)| {
        n.saturating_add(2 + k.len() + value_bound(v))
    })
}

/// Every trial's override string must fit in one argument of the launcher (see
/// [`MAX_OVERRIDE_BYTES`]); checked here, which every path to a trial goes through.
fn check_override_lengths(cfg: &Config, named: &[NamedTrial]) -> Result<(), Error> {
    let mut check = OverrideCheck::new(cfg);
    for (i, t) in named.iter().enumerate() {
        check.trial(i, &t.name, &t.trial)?;
    }
    Ok(())
}

/// The override-length check of one trial after another, from lengths alone unless
/// a bound says a trial may be too long.
pub(crate) struct OverrideCheck<'c> {
    cfg: &'c Config,
    statics: usize,
    text: String,
}

impl<'c> OverrideCheck<'c> {
    pub(crate) fn new(cfg: &'c Config) -> OverrideCheck<'c> {
        let statics = cfg
            .static_overrides
            .iter()
            .fold(0usize, |n, s| n.saturating_add(1 + s.len()));
        OverrideCheck {
            cfg,
            statics,
            text: String::new(),
        }
    }

    /// Whether a trial named `name` whose parameters and extras have [`words_bound`]s
    /// adding up to `words` surely fits (else [`OverrideCheck::trial`] says).
    pub(crate) fn fits(&self, name: &str, words: usize) -> bool {
        let bound = "experiment_name=".len() + name.len() + self.statics.saturating_add(words);
        bound <= MAX_OVERRIDE_BYTES
    }

    /// Trial `i`, named `name`: an error if its override string is too long.
    pub(crate) fn trial(&mut self, i: usize, name: &str, t: &Trial) -> Result<(), Error> {
        if self.fits(
            name,
            words_bound(&t.params).saturating_add(words_bound(&t.extras)),
        ) {
            return Ok(());
        }
        let cfg = self.cfg;
        self.text.clear();
        push_override_string(
            &mut self.text,
            name,
            &t.params,
            &cfg.static_overrides,
            &t.extras,
        );
        if self.text.len() <= MAX_OVERRIDE_BYTES {
            return Ok(());
        }
        Err(Error::config(
            &cfg.path,
            format!(
                "trial {i} ({}), experiment name '{}': its override string is {} bytes, more than the {MAX_OVERRIDE_BYTES} Linux passes in one argument (MAX_ARG_STRLEN), so the launcher could not start (shorten static_overrides, long values or set results)",
                clip(&describe(&t.params)),
                clip(name),
                self.text.len()
            ),
        ))
    }
}

/// Combine the value lists by grid mode (spec §2.2).
fn combine(cfg: &Config, lists: &[Vec<Value>]) -> Result<Vec<Trial>, String> {
    let defaults: Assoc = Assoc(
        cfg.parameters
            .iter()
            .filter_map(|p| p.default.clone().map(|d| (p.name.clone(), d)))
            .collect(),
    );
    let trial = |params: Assoc| Trial {
        params,
        extras: Assoc::new(),
    };
    match &cfg.grid {
        Grid::All => {
            let axes: Vec<(&str, &[Value])> = cfg
                .parameters
                .iter()
                .zip(lists)
                .map(|(p, l)| (p.name.as_str(), l.as_slice()))
                .collect();
            Ok(product(&Assoc::new(), &axes)?
                .into_iter()
                .map(trial)
                .collect())
        }
        Grid::List(names) => {
            let position: FxHashMap<&str, usize> = cfg
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.as_str(), i))
                .collect();
            let mut axes = Vec::with_capacity(names.len());
            for n in names {
                let i = *position
                    .get(n.as_str())
                    .ok_or_else(|| format!("grid: unknown parameter '{n}'"))?;
                axes.push((cfg.parameters[i].name.as_str(), lists[i].as_slice()));
            }
            Ok(product(&defaults, &axes)?.into_iter().map(trial).collect())
        }
        Grid::Sample(_) => Err("grid: a sampling mode has no combinations".to_string()),
        Grid::OneAtATime => {
            let mut out = vec![trial(defaults.clone())];
            for (p, list) in cfg.parameters.iter().zip(lists) {
                let default = p.default.as_ref();
                for v in list {
                    if default.is_some_and(|d| same_as_default(v, d)) {
                        continue;
                    }
                    let mut params = defaults.clone();
                    params.insert(&p.name, v.clone());
                    out.push(trial(params));
                }
            }
            Ok(out)
        }
    }
}

/// Odometer product of `axes` (last varies fastest), each row starting from `base`.
fn product(base: &Assoc, axes: &[(&str, &[Value])]) -> Result<Vec<Assoc>, String> {
    let mut total: u64 = 1;
    for (name, values) in axes {
        total = total.saturating_mul(values.len() as u64);
        if total > MAX_TRIALS {
            return Err(format!(
                "grid: the product of the parameters up to '{name}' already has more than {MAX_TRIALS} trials (use a partial grid or fewer steps)"
            ));
        }
    }
    let mut out = Vec::with_capacity(total as usize);
    let mut idx = vec![0usize; axes.len()];
    if axes.iter().any(|(_, v)| v.is_empty()) {
        return Ok(out);
    }
    // Where `Assoc::insert` puts each axis in a row (a key of `base` keeps its place,
    // a new one goes at the end), found once: rows are then filled by position.
    let mut template = base.clone();
    let mut position: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, (k, _)) in base.0.iter().enumerate() {
        position.entry(k.as_str()).or_insert(i);
    }
    let slots: Vec<usize> = axes
        .iter()
        .map(|(name, _)| {
            let next = template.0.len();
            let slot = *position.entry(name).or_insert(next);
            if slot == next {
                template.0.push((name.to_string(), Value::Null));
            }
            slot
        })
        .collect();
    loop {
        let mut row = template.clone();
        for (((_, values), &i), &slot) in axes.iter().zip(&idx).zip(&slots) {
            row.0[slot].1 = values[i].clone();
        }
        out.push(row);
        // Advance the odometer from the last axis.
        let mut k = axes.len();
        loop {
            if k == 0 {
                return Ok(out);
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < axes[k].1.len() {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// One-at-a-time skips values equal to the default: floats with relative tolerance
/// 1e-9, everything else with Python `==`.
fn same_as_default(v: &Value, d: &Value) -> bool {
    match (v, d) {
        (Value::Float(a), Value::Float(b)) => close(*a, *b),
        _ => py_eq(v, d),
    }
}

pub(crate) fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The text of a value in a dedupe key.
fn push_key_value(key: &mut String, v: &Value) {
    match v {
        Value::Float(f) => ftext::push(key, *f, Kind::G(10)),
        Value::Str(s) => key.push_str(s),
        Value::Int(i) => push_int(key, *i),
        other => key.push_str(&pystr(other)),
    }
}

/// True when every axis has values with distinct dedupe-key texts, none holding the
/// key's separators (`|`, `=`): two rows of their product never share a key.
pub(crate) fn distinct_axes(lists: &[Vec<Value>]) -> bool {
    lists.iter().all(|list| {
        let mut seen = FxHashSet::default();
        list.iter().all(|v| {
            let mut text = String::new();
            push_key_value(&mut text, v);
            !text.contains(['|', '=']) && seen.insert(text)
        })
    })
}

/// Drop later duplicates (spec §2.4): the key is the sorted `name=value` pairs, floats
/// to 10 significant digits. Kept as the reference does it so that both tools expand
/// the same trial list from the same config (see docs/compat.md, B10).
pub(crate) fn dedupe<T>(trials: Vec<T>, params: impl Fn(&T) -> &Assoc) -> Vec<T> {
    let mut seen = StrSet::with_capacity(trials.len());
    let mut order = Vec::new();
    let mut keep = Vec::with_capacity(trials.len());
    let mut key = String::new();
    for t in &trials {
        key.clear();
        push_dedupe_key(&mut key, &mut order, params(t));
        keep.push(seen.insert(&key));
    }
    trials
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// The dedupe key of `params` (spec §2.4): the sorted `name=value` pairs joined by
/// `|`, floats to 10 significant digits. `order` is scratch space.
pub(crate) fn push_dedupe_key(key: &mut String, order: &mut Vec<usize>, params: &Assoc) {
    order.clear();
    order.extend(0..params.len());
    order.sort_by(|&a, &b| params.0[a].0.cmp(&params.0[b].0));
    key.reserve(16 * order.len());
    for (i, &at) in order.iter().enumerate() {
        let (k, v) = &params.0[at];
        if i > 0 {
            key.push('|');
        }
        key.push_str(k);
        key.push('=');
        push_key_value(key, v);
    }
}

/// Two trials with one experiment name would share the trainer's output directory.
fn check_unique_names(cfg: &Config, named: &[NamedTrial]) -> Result<(), Error> {
    let mut first: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(named.len(), Default::default());
    let mut earliest: Option<(usize, usize)> = None;
    let mut repeating = 0u64;
    for (i, t) in named.iter().enumerate() {
        if let Some(&j) = first.get(t.name.as_str()) {
            earliest.get_or_insert((j, i));
            repeating += 1;
        } else {
            first.insert(&t.name, i);
        }
    }
    match earliest {
        None => Ok(()),
        Some((j, i)) => Err(Error::Config {
            path: cfg.path.clone(),
            problems: collision_problems(
                (j, &named[j].trial.params),
                (i, &named[i].trial.params),
                &named[i].name,
                repeating,
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Slurm;
    use crate::config::{Condition, Matcher, Op, SetValue, When};
    use std::path::PathBuf;

    fn discrete(name: &str, values: Vec<Value>, default: Option<Value>) -> Parameter {
        Parameter {
            name: name.into(),
            abbrev: None,
            kind: ParamKind::Discrete {
                values,
                labels: None,
            },
            default,
        }
    }

    fn cfg(grid: Grid, parameters: Vec<Parameter>, conditions: Vec<Condition>) -> Config {
        Config {
            path: PathBuf::from("/ws/hyperherd.yaml"),
            workspace: PathBuf::from("/ws"),
            name: "t".into(),
            grid,
            slurm: Slurm {
                partition: "p".into(),
                time: "01:00:00".into(),
                mem: "8G".into(),
                cpus_per_task: 1,
                gres: None,
                max_concurrent: None,
                extra_args: vec![],
                max_queued: None,
                signal_grace: None,
            },
            launcher: PathBuf::new(),
            static_overrides: vec![],
            parameters,
            conditions,
            successive_halving: None,
            prune_grace_seconds: 600,
            retries: crate::config::Retries::default(),
            notify: None,
        }
    }

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::Int(i)).collect()
    }
    fn strs(v: &[&str]) -> Vec<Value> {
        v.iter().map(|s| Value::Str(s.to_string())).collect()
    }
    fn names(c: &Config) -> Vec<String> {
        expand(c).unwrap().into_iter().map(|t| t.name).collect()
    }

    #[test]
    fn grid_all_is_odometer_order() {
        let c = cfg(
            Grid::All,
            vec![
                discrete("a", ints(&[1, 2]), None),
                discrete("b", strs(&["x", "y", "z"]), None),
            ],
            vec![],
        );
        assert_eq!(
            names(&c),
            ["a-1_b-x", "a-1_b-y", "a-1_b-z", "a-2_b-x", "a-2_b-y", "a-2_b-z"]
        );
    }

    #[test]
    fn partial_grid_appends_parameters_without_default() {
        let c = cfg(
            Grid::List(vec!["c".into(), "a".into()]),
            vec![
                discrete("a", ints(&[1, 2]), None),
                discrete("b", strs(&["x", "y"]), Some(Value::Str("y".into()))),
                discrete("c", ints(&[10, 20]), Some(Value::Int(20))),
            ],
            vec![],
        );
        assert_eq!(
            names(&c),
            [
                "b-y_c-10_a-1",
                "b-y_c-10_a-2",
                "b-y_c-20_a-1",
                "b-y_c-20_a-2"
            ]
        );
    }

    #[test]
    fn empty_grid_is_one_trial_of_defaults() {
        let c = cfg(
            Grid::List(vec![]),
            vec![discrete("a", ints(&[1, 2]), Some(Value::Int(2)))],
            vec![],
        );
        assert_eq!(names(&c), ["a-2"]);
    }

    #[test]
    fn one_at_a_time_skips_the_default() {
        let lr = Parameter {
            name: "lr".into(),
            abbrev: None,
            kind: ParamKind::Continuous {
                low: 0.001,
                high: 0.1,
                scale: Scale::Log,
                steps: 3,
            },
            default: Some(Value::Float(0.01)),
        };
        let c = cfg(
            Grid::OneAtATime,
            vec![
                lr,
                discrete("bs", ints(&[16, 32, 64]), Some(Value::Int(32))),
                discrete(
                    "opt",
                    strs(&["adam", "sgd"]),
                    Some(Value::Str("adam".into())),
                ),
            ],
            vec![],
        );
        assert_eq!(
            names(&c),
            [
                "lr-0.01_bs-32_opt-adam",
                "lr-0.001_bs-32_opt-adam",
                "lr-0.1_bs-32_opt-adam",
                "lr-0.01_bs-16_opt-adam",
                "lr-0.01_bs-64_opt-adam",
                "lr-0.01_bs-32_opt-sgd"
            ]
        );
    }

    #[test]
    fn linear_values_are_floats() {
        let p = Parameter {
            name: "x".into(),
            abbrev: None,
            kind: ParamKind::Continuous {
                low: 1.0,
                high: 10.0,
                scale: Scale::Linear,
                steps: 4,
            },
            default: None,
        };
        assert_eq!(
            values_of(&p),
            vec![
                Value::Float(1.0),
                Value::Float(4.0),
                Value::Float(7.0),
                Value::Float(10.0)
            ]
        );
    }

    #[test]
    fn conditions_exclude_force_and_dedupe() {
        let when_in = Condition {
            name: "c".into(),
            when: vec![When::Param(
                "bs".into(),
                Matcher::Op(Op::In, Value::List(ints(&[64, 128]))),
            )],
            exclude: vec![],
            force: Assoc(vec![("bs".into(), Value::Int(256))]),
            set: vec![],
        };
        let c = cfg(
            Grid::All,
            vec![discrete("bs", ints(&[32, 64, 128]), None)],
            vec![when_in],
        );
        assert_eq!(names(&c), ["bs-32", "bs-256"]);
    }

    /// True when [`dedupe`] would keep every trial, known without building a key per
    /// trial: a product grid without conditions whose every axis has values with
    /// distinct key texts, none holding the key's separators (`|`, `=`), so that no
    /// two rows can share a key.
    fn cannot_repeat(cfg: &Config, lists: &[Vec<Value>]) -> bool {
        cfg.conditions.is_empty() && matches!(cfg.grid, Grid::All) && distinct_axes(lists)
    }

    #[test]
    fn the_dedupe_shortcut_is_taken_only_when_no_key_can_repeat() {
        let grid = |a: Vec<Value>, b: Vec<Value>| {
            cfg(
                Grid::All,
                vec![discrete("a", a, None), discrete("b", b, None)],
                vec![],
            )
        };
        let lists = |c: &Config| c.parameters.iter().map(values_of).collect::<Vec<_>>();
        let distinct = grid(ints(&[1, 2]), strs(&["x", "y"]));
        assert!(cannot_repeat(&distinct, &lists(&distinct)));
        // 1 and 1.0 have one key text: the reference dedupes them, and so does herd.
        let same = grid(vec![Value::Int(1), Value::Float(1.0)], strs(&["x"]));
        assert!(!cannot_repeat(&same, &lists(&same)));
        // Separators in values make keys ambiguous ("a=1|b=2" + "3" vs "1" + "2|b=3").
        let seps = grid(strs(&["1|b=2", "1"]), strs(&["3", "2|b=3"]));
        assert!(!cannot_repeat(&seps, &lists(&seps)));
        // Whenever the shortcut is taken, dedupe would have kept every trial.
        for c in [&distinct, &same, &seps] {
            let trials = combine(c, &lists(c)).unwrap();
            if cannot_repeat(c, &lists(c)) {
                assert_eq!(dedupe(trials.clone(), |t| &t.params).len(), trials.len());
            }
        }
        assert_eq!(
            expand(&seps).unwrap().len(),
            3,
            "the ambiguous pair is one trial"
        );
    }

    #[test]
    fn numeric_strings_match_numbers_only() {
        // B13: "1e-3" compares numerically with a float, "007" stays a string.
        let le = Condition {
            name: "c".into(),
            when: vec![When::Param(
                "lr".into(),
                Matcher::Op(Op::Le, Value::Str("1e-3".into())),
            )],
            exclude: vec![],
            force: Assoc::new(),
            set: vec![("clamped".into(), SetValue::Literal(Value::Int(1)))],
        };
        let c = cfg(
            Grid::All,
            vec![discrete(
                "lr",
                vec![Value::Float(0.0001), Value::Float(0.01)],
                None,
            )],
            vec![le],
        );
        let t = expand(&c).unwrap();
        assert_eq!(t[0].trial.extras.get("clamped"), Some(&Value::Int(1)));
        assert!(t[1].trial.extras.is_empty());
        let id = Condition {
            name: "c".into(),
            when: vec![When::Param(
                "id".into(),
                Matcher::Eq(Value::Str("007".into())),
            )],
            exclude: vec![("id".into(), vec![Value::Str("007".into())])],
            force: Assoc::new(),
            set: vec![],
        };
        let c = cfg(
            Grid::All,
            vec![discrete("id", strs(&["007", "008"]), None)],
            vec![id],
        );
        assert_eq!(names(&c), ["id-008"]);
    }

    #[test]
    fn colliding_names_are_a_config_error() {
        let c = cfg(
            Grid::All,
            vec![discrete(
                "x",
                vec![Value::Float(1.00001), Value::Float(1.00002)],
                None,
            )],
            vec![],
        );
        let e = expand(&c).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(
            msg.contains("trials 0 (x=1.00001) and 1 (x=1.00002) share the experiment name 'x-1'"),
            "{msg}"
        );
    }

    #[test]
    fn huge_products_are_refused_before_allocating() {
        let big: Vec<Value> = (0..10_000).map(Value::Int).collect();
        let c = cfg(
            Grid::All,
            vec![discrete("a", big.clone(), None), discrete("b", big, None)],
            vec![],
        );
        assert!(expand(&c)
            .unwrap_err()
            .to_string()
            .contains("more than 5000000 trials"));
    }
}
