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
    Config, Grid,
};
use crate::text::fxhash::FxHashSet;
use crate::text::value::{Assoc, Value};
use std::path::{Path, PathBuf};

/// Top-level keys. `hydra` (legacy `static_overrides`), `discord`, `mcp_servers` and
/// `workspace` are known to the reference; herd accepts and ignores them.
pub(super) const TOP_KEYS: &[&str] = &[
    "name",
    "grid",
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
        Some(Value::List(items)) => items,
        Some(other) => {
            p.push(
                "grid",
                format!("{} must be all or a list of parameter names (or left out: one parameter at a time)", show(other)),
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
            Grid::All => continue,
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
