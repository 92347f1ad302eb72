//! The document's top-level keys: `name`, `launcher`, `static_overrides`, `grid` and
//! the defaults it requires, and [`build`], which reads every block.

use super::{
    chars::{check_no_control, is_safe_token, sanitized},
    conditions::conditions,
    fields::{int_field, string_field, string_list},
    halving::halving,
    normalize,
    params::{parameters, Declared},
    problems::{item, join, Problems, Section},
    retries::{notify, retries},
    show::{repr, show, show_strs},
    slurm::slurm,
    Config, Grid, Method, Sampling, MAX_TRIALS, SOBOL_MAX_DIMS,
};
use crate::text::fxhash::FxHashSet;
use crate::text::value::{Assoc, Value};
use std::path::{Path, PathBuf};

/// Top-level keys. `hydra` (legacy `static_overrides`), `discord`, `mcp_servers` and
/// `workspace` are known to the reference; herd accepts and ignores them.
pub(super) const TOP_KEYS: &[&str] = &[
    "name",
    "grid",
    "samples",
    "seed",
    "slurm",
    "launcher",
    "static_overrides",
    "parameters",
    "conditions",
    "constraints",
    "successive_halving",
    "prune_grace_seconds",
    "retries",
    "notify",
    "hydra",
    "discord",
    "mcp_servers",
    "workspace",
];

/// Everything below the document: each part pushes its own problems.
pub(super) fn build(p: &mut Problems, doc: &Assoc, path: &Path, workspace: &Path) -> Config {
    let top = Section::new("", doc);
    top.check_keys(p, TOP_KEYS);
    let name = sweep_name(p, &top);
    let slurm = slurm(p, &top);
    let launcher = launcher(p, &top, workspace);
    let static_overrides = static_overrides(p, &top);
    let (parameters, declared) = parameters(p, &top);
    let names: Vec<&str> = declared.iter().map(|d| d.name.as_str()).collect();
    let grid = grid(p, &top, &names);
    let grid = sampling(p, &top, grid, &declared);
    check_defaults(p, &grid, &declared);
    let conditions = conditions(p, &top, &names);
    let successive_halving = halving(p, &top);
    let prune_grace_seconds = match top.get("prune_grace_seconds") {
        None => 600,
        Some(v) => int_field(p, "prune_grace_seconds", v, "prune_grace_seconds", 0).unwrap_or(600),
    };
    let retries = retries(p, &top);
    let notify = notify(p, &top);
    Config {
        path: path.to_path_buf(),
        workspace: workspace.to_path_buf(),
        name,
        grid,
        slurm,
        launcher,
        static_overrides,
        parameters,
        conditions,
        successive_halving,
        prune_grace_seconds,
        retries,
        notify,
    }
}

/// `name`: a string of `[A-Za-z0-9._-]+` (compat, B1: it becomes the job name and
/// part of file names).
fn sweep_name(p: &mut Problems, top: &Section) -> String {
    let Some(v) = top.required(p, "name", "add e.g. name: my-sweep") else {
        return String::new();
    };
    let Some(name) = string_field(p, "name", v, "") else {
        return String::new();
    };
    if check_no_control(p, "name", &name) && !is_safe_token(&name) {
        p.push(
            "name",
            format!(
                "{} may only contain letters, digits, '.', '_' and '-' (it becomes the SLURM job name and part of file names; e.g. {})",
                repr(&name),
                sanitized(&name)
            ),
        );
    }
    name
}

/// `launcher`: resolved against the workspace, lexically normalised; may be empty.
fn launcher(p: &mut Problems, top: &Section, workspace: &Path) -> PathBuf {
    let Some(v) = top.get("launcher") else {
        return PathBuf::new();
    };
    let Some(s) = string_field(p, "launcher", v, "\"./launch.sh\"") else {
        return PathBuf::new();
    };
    // compat (B1): the launcher path goes into the job script too.
    check_no_control(p, "launcher", &s);
    let l = Path::new(&s);
    if s.is_empty() || l.is_absolute() {
        l.to_path_buf()
    } else {
        normalize(&workspace.join(l))
    }
}

/// `static_overrides`, else the legacy `hydra.static_overrides` (no merge).
fn static_overrides(p: &mut Problems, top: &Section) -> Vec<String> {
    if let Some(v) = top.get("static_overrides") {
        return string_list(p, "static_overrides", v);
    }
    match top.get("hydra") {
        Some(Value::Map(h)) => match h.get("static_overrides") {
            Some(v) => string_list(p, "hydra.static_overrides", v),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `grid`: `all`, a list of parameter names, or absent/null (one at a time).
fn grid(p: &mut Problems, top: &Section, names: &[&str]) -> Grid {
    let items = match top.get("grid") {
        None | Some(Value::Null) => return Grid::OneAtATime,
        Some(Value::Str(s)) if s == "all" => return Grid::All,
        Some(Value::Str(s)) if s == "random" || s == "sobol" => {
            let method = if s == "random" {
                Method::Random
            } else {
                Method::Sobol
            };
            return Grid::Sample(Sampling {
                method,
                samples: 0,
                seed: 0,
                draws: Vec::new(),
            });
        }
        Some(Value::List(items)) => items,
        Some(other) => {
            p.push(
                "grid",
                format!("{} must be all, random, sobol or a list of parameter names (or left out: one parameter at a time)", show(other)),
            );
            return Grid::All;
        }
    };
    let mut list = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        if let Some(s) = string_field(p, &item("grid", i), it, "") {
            list.push(s);
        }
    }
    let known: FxHashSet<&str> = names.iter().copied().collect();
    let unknown: Vec<&String> = list
        .iter()
        .filter(|g| !known.contains(g.as_str()))
        .collect();
    if !unknown.is_empty() {
        p.push(
            "grid",
            format!(
                "grid references unknown parameters: {} (parameters are: {})",
                show_strs(&unknown),
                show_strs(names)
            ),
        );
    }
    Grid::List(list)
}

/// Parameters outside the grid need a default. compat: every offending parameter is
/// reported, in declaration order (the reference named one, from a hash set).
fn check_defaults(p: &mut Problems, grid: &Grid, declared: &[Declared]) {
    let listed: FxHashSet<&str> = match grid {
        Grid::List(g) => g.iter().map(String::as_str).collect(),
        _ => FxHashSet::default(),
    };
    for d in declared.iter().filter(|d| !d.has_default) {
        let why = match grid {
            Grid::All | Grid::Sample(_) => continue,
            Grid::List(_) if listed.contains(d.name.as_str()) => continue,
            Grid::List(_) => "it is not in the grid: add 'default:' or list it in grid",
            Grid::OneAtATime => {
                "grid is not set, so all parameters need defaults: add 'default:' or use 'grid: all'"
            }
        };
        p.push(
            &join("parameters", &d.name),
            format!("parameter {} needs a default value ({why})", repr(&d.name)),
        );
    }
}

/// `samples`, `seed`, and the parameters' `round`/`weights`/`steps`, checked against
/// the grid mode: a sampling mode needs `samples` and has no use for `steps`; a grid
/// mode has no use for the others.
fn sampling(p: &mut Problems, top: &Section, grid: Grid, declared: &[Declared]) -> Grid {
    let Grid::Sample(mut plan) = grid else {
        for key in ["samples", "seed"] {
            if top.get(key).is_some() {
                p.push(
                    key,
                    format!(
                        "only used by grid: random or grid: sobol (remove {key}:, or set grid: random to draw trials)"
                    ),
                );
            }
        }
        for d in declared {
            for (given, key, what) in [
                (d.draw.round.is_some(), "round", "rounds drawn values"),
                (d.draw.weights.is_some(), "weights", "weighs drawn values"),
            ] {
                if given {
                    p.push(
                        &join(&join("parameters", &d.name), key),
                        format!("{what}, so it is only used by grid: random or grid: sobol (remove {key}:, or set grid: random)"),
                    );
                }
            }
        }
        return grid;
    };
    let word = plan.method.word();
    plan.samples = match top.get("samples") {
        None => {
            p.push(
                "samples",
                format!("missing (grid: {word} draws this many trials: add e.g. samples: 50)"),
            );
            0
        }
        Some(v) => {
            match int_field(p, "samples", v, "samples", 1) {
                Some(n) if n > MAX_TRIALS => {
                    p.push(
                    "samples",
                    format!("{n} is more trials than a sweep may have ({MAX_TRIALS}; split the sweep)"),
                );
                    0
                }
                Some(n) => n,
                None => 0,
            }
        }
    };
    plan.seed = match top.get("seed") {
        None | Some(Value::Null) => 0,
        Some(v) => int_field(p, "seed", v, "seed", 0).unwrap_or(0),
    };
    for d in declared.iter().filter(|d| d.steps) {
        p.push(
            &join(&join("parameters", &d.name), "steps"),
            format!("not used by grid: {word}, which draws values from [low, high] (remove steps:, or add round: to draw multiples of a quantum)"),
        );
    }
    if plan.method == Method::Sobol && declared.len() > SOBOL_MAX_DIMS {
        p.push(
            "grid",
            format!(
                "sobol draws at most {SOBOL_MAX_DIMS} parameters, this sweep has {} (use grid: random, or fewer parameters)",
                declared.len()
            ),
        );
    }
    plan.draws = declared.iter().map(|d| d.draw.clone()).collect();
    Grid::Sample(plan)
}
