//! `hyperherd.yaml`: the typed configuration, its loading and its validation.
//!
//! [`locate`] finds the config file and the workspace, [`load`] reads and validates it,
//! [`parse`] validates text (for tests). Validation reports every problem at once, each
//! as `<key.path>: <what is wrong, with the offending value> (<the fix>)`, in an
//! [`Error::Config`] (exit 2).
//!
//! Reading follows the reference (spec section 1) with deliberate differences, each
//! marked `compat:` at the code and recorded in `docs/compat.md`: YAML 1.2 scalars,
//! syntax errors with line and column, unknown and duplicate keys are errors, values
//! that would break the job script or the override string are rejected at load
//! (B1, B7, B20), and condition values keep their YAML type (B13).

mod chars;
mod conditions;
pub mod dotenv;
mod fields;
mod halving;
mod params;
mod problems;
mod retries;
mod show;
mod slurm;
mod top;
mod yaml;
pub(crate) mod yamlscan;

use crate::error::Error;
use crate::expr::Expr;
use crate::text::value::{Assoc, Value};
use chars::{control_char, described};
use problems::Problems;
use show::{kind_of, repr};
pub(crate) use slurm::parse_slurm_time;
use std::path::{Component, Path, PathBuf};
use top::build;
use yaml::{prescan, yaml_problem};

/// A loaded, validated sweep configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, absolute.
    pub path: PathBuf,
    /// The workspace: the directory holding the config file, absolute.
    pub workspace: PathBuf,
    /// `name`: the sweep name.
    pub name: String,
    /// `grid`: how parameters are combined.
    pub grid: Grid,
    /// `slurm`: job resources.
    pub slurm: Slurm,
    /// `launcher`, resolved against the workspace and lexically normalised; empty if unset.
    pub launcher: PathBuf,
    /// `static_overrides` (or the legacy `hydra.static_overrides`).
    pub static_overrides: Vec<String>,
    /// `parameters`, in declaration order.
    pub parameters: Vec<Parameter>,
    /// `conditions` (or the legacy `constraints`), in order.
    pub conditions: Vec<Condition>,
    /// `successive_halving`, if configured. Validated at load, so that configs written
    /// for the reference load; read by `herd-sh`.
    pub successive_halving: Option<Halving>,
    /// `prune_grace_seconds` (default 600); see `successive_halving`.
    #[allow(dead_code)]
    pub prune_grace_seconds: u64,
    /// `retries`: what herd-watch does when a trial's job ends badly (defaults when
    /// absent or null; `retries: false` retries nothing).
    pub retries: Retries,
    /// `notify`: the command herd-watch runs on sweep events, if configured.
    pub notify: Option<Notify>,
}

/// The grid mode.
#[derive(Debug, Clone, PartialEq)]
pub enum Grid {
    /// `grid: all`: the full Cartesian product in declaration order.
    All,
    /// `grid: [p, q]`: the product of the listed parameters, the rest at defaults.
    List(Vec<String>),
    /// No `grid`: all defaults, then one parameter varied at a time.
    OneAtATime,
    /// `grid: random` or `grid: sobol`: `samples` trials drawn from the parameters'
    /// ranges (see `docs/sampling.md`).
    Sample(Sampling),
}

/// A sampling mode's plan: the method, how many trials, the seed, and per parameter
/// (in declaration order) its rounding and weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// `grid: random` or `grid: sobol`.
    pub method: Method,
    /// `samples` (1..=[`MAX_TRIALS`]).
    pub samples: u64,
    /// `seed` (default 0).
    pub seed: u64,
    /// One per parameter, in declaration order.
    pub draws: Vec<Draw>,
}

/// How the numbers of a sampling mode are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Independent uniform numbers from a counter-based SplitMix64 hash.
    Random,
    /// A scrambled Sobol sequence (Joe–Kuo directions, hash-based Owen scramble).
    Sobol,
}

impl Method {
    /// The word after `grid:`.
    pub fn word(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Sobol => "sobol",
        }
    }
}

/// The sampling options of one parameter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draw {
    /// `round`: the quantum a continuous draw is rounded to, and whether the values
    /// are ints (`round` was written as an integer).
    pub round: Option<(f64, bool)>,
    /// `weights`: one positive weight per discrete value.
    pub weights: Option<Vec<f64>>,
}

/// The most parameters `grid: sobol` draws (the Joe–Kuo directions herd carries).
pub const SOBOL_MAX_DIMS: usize = 32;

/// The `slurm:` block.
#[derive(Debug, Clone)]
pub struct Slurm {
    /// `partition` (required).
    pub partition: String,
    /// `time` (default `01:00:00`).
    pub time: String,
    /// `mem` (default `8G`).
    pub mem: String,
    /// `cpus_per_task` (default 1).
    pub cpus_per_task: u64,
    /// `gres`, when non-empty.
    pub gres: Option<String>,
    /// `max_concurrent` (≥ 1), the array throttle.
    pub max_concurrent: Option<u64>,
    /// `extra_args`: each becomes an `#SBATCH` line.
    pub extra_args: Vec<String>,
    /// `max_queued` (≥ 1): at most this many of the user's jobs (array tasks count one
    /// each) queued or running at once; the fallback when SLURM does not tell.
    pub max_queued: Option<u64>,
    /// `signal_grace` (10..=3600 seconds): the job script asks for
    /// `#SBATCH --signal=B:USR2@<signal_grace>`; none when absent.
    #[allow(dead_code)] // read by the job script's writer
    pub signal_grace: Option<u64>,
}

/// One parameter of the sweep.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The parameter name (also the override key).
    pub name: String,
    /// `abbrev`: the token used in experiment names instead of the name.
    pub abbrev: Option<String>,
    /// Discrete values or a continuous range.
    pub kind: ParamKind,
    /// `default`, if any (null means none).
    pub default: Option<Value>,
}

/// The two parameter types.
#[derive(Debug, Clone)]
pub enum ParamKind {
    /// `type: discrete`.
    Discrete {
        /// `values`, in order (duplicates allowed).
        values: Vec<Value>,
        /// `labels`, one per value, used in experiment names.
        labels: Option<Vec<String>>,
    },
    /// `type: continuous`.
    Continuous {
        /// `low`.
        low: f64,
        /// `high` (> low).
        high: f64,
        /// `scale`.
        scale: Scale,
        /// `steps` (≥ 1, default 5).
        steps: u64,
    },
}

/// Discretisation scale of a continuous parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Evenly spaced.
    Linear,
    /// Evenly spaced in log10.
    Log,
}

impl Config {
    /// The launcher must be set and exist before a trial can run (herd-submit,
    /// herd-test).
    pub fn check_launcher(&self) -> Result<(), crate::error::Error> {
        use crate::error::Error;
        if self.launcher.as_os_str().is_empty() {
            return Err(
                Error::invalid(format!("{}: launcher is not set", self.path.display()))
                    .hint("add 'launcher: ./launch.sh' to hyperherd.yaml"),
            );
        }
        if !self.launcher.is_file() {
            return Err(Error::invalid(format!(
                "launcher {} does not exist",
                self.launcher.display()
            ))
            .hint("create it or fix the 'launcher' path in hyperherd.yaml"));
        }
        Ok(())
    }
}

impl Parameter {
    /// The experiment-name token: the abbrev, else the name.
    pub fn token(&self) -> &str {
        self.abbrev.as_deref().unwrap_or(&self.name)
    }

    /// The name seen by expressions: leading `+`, then leading `~`, stripped.
    pub fn expr_name(&self) -> &str {
        expr_name_of(&self.name)
    }
}

/// One entry of `conditions`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// `name` (default `unnamed`), used in messages.
    pub name: String,
    /// `when`: every entry must match (AND).
    pub when: Vec<When>,
    /// `exclude`: drop the trial if a listed parameter has a listed value.
    pub exclude: Vec<(String, Vec<Value>)>,
    /// `force`: overwrite parameters (keys keep their position).
    pub force: Assoc,
    /// `set`: write extras, in order.
    pub set: Vec<(String, SetValue)>,
}

/// One entry of a condition's `when`.
#[derive(Debug, Clone)]
pub enum When {
    /// `expr: "…"`: true when the expression is truthy.
    Expr(Expr),
    /// `param: matcher`.
    Param(String, Matcher),
}

/// How a `when` entry compares a parameter's value.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A scalar: numeric-tolerant equality.
    Eq(Value),
    /// A list: any element equal.
    AnyOf(Vec<Value>),
    /// An operator map `{op: value}`.
    Op(Op, Value),
}

/// The operators of an operator map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `in` (value is a list)
    In,
    /// `not_in` (value is a list)
    NotIn,
}

/// A `set` entry's value.
#[derive(Debug, Clone)]
pub enum SetValue {
    /// Stored verbatim.
    Literal(Value),
    /// `{expr: "…"}`: evaluated against the trial's post-force parameters.
    Expr(Expr),
}

/// The `successive_halving:` block (validated), and the parameters `herd-sh` decides
/// with once its flags have overridden them (`model::halving::Params`).
#[derive(Debug, Clone, PartialEq)]
pub struct Halving {
    /// `metric`: the streamed metric to rank by.
    pub metric: String,
    /// `direction`: true for `max`.
    pub maximize: bool,
    /// `min_steps` (≥ 1).
    pub min_steps: u64,
    /// `budget` (≥ min_steps).
    pub budget: u64,
    /// `eta` (≥ 2, default 2).
    pub eta: u64,
    /// `mode`: true for `asha`, false for `sync`.
    pub asha: bool,
}

/// The `retries:` block: what herd-watch does when a trial's SLURM job ends badly.
/// One rule per ending, keyed as in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Retries {
    /// `attempts` (1..=100, default 3): submissions per trial in all, the first
    /// included; 1 never retries.
    pub attempts: u32,
    /// `out_of_memory` (OUT_OF_MEMORY; default `{mem: 2}`).
    pub out_of_memory: OnEnd,
    /// `timeout` (TIMEOUT; default `{time: 1.5}`).
    pub timeout: OnEnd,
    /// `node_fail` (NODE_FAIL, and a local runner that was lost; default `same`).
    pub node_fail: OnEnd,
    /// `preempted` (PREEMPTED; default `same`).
    pub preempted: OnEnd,
    /// `boot_fail` (BOOT_FAIL; default `same`).
    pub boot_fail: OnEnd,
    /// `failed` (FAILED, the trial's own non-zero exit; default `never`).
    pub failed: OnEnd,
    /// `max_mem`: the cap for scaled memory, SLURM mem syntax (`64G`).
    pub max_mem: Option<String>,
    /// `max_time`: the cap for scaled time, SLURM time syntax (`2-00:00:00`).
    pub max_time: Option<String>,
}

/// What to do when a job ended one way.
#[derive(Debug, Clone, PartialEq)]
pub enum OnEnd {
    /// `never`: not retried.
    Never,
    /// `same`: resubmitted with the same resources.
    Same,
    /// `{mem: f, time: g}`: resubmitted with the named resources multiplied
    /// (1 < factor ≤ 16; at least one is set).
    Scale {
        /// The memory factor.
        mem: Option<f64>,
        /// The time factor.
        time: Option<f64>,
    },
}

impl Default for Retries {
    /// The rules when `retries:` is absent or null.
    fn default() -> Retries {
        Retries {
            attempts: 3,
            out_of_memory: OnEnd::Scale {
                mem: Some(2.0),
                time: None,
            },
            timeout: OnEnd::Scale {
                mem: None,
                time: Some(1.5),
            },
            node_fail: OnEnd::Same,
            preempted: OnEnd::Same,
            boot_fail: OnEnd::Same,
            failed: OnEnd::Never,
            max_mem: None,
            max_time: None,
        }
    }
}

impl Retries {
    /// `retries: false`: one attempt, nothing retried.
    pub fn none() -> Retries {
        Retries {
            attempts: 1,
            out_of_memory: OnEnd::Never,
            timeout: OnEnd::Never,
            node_fail: OnEnd::Never,
            preempted: OnEnd::Never,
            boot_fail: OnEnd::Never,
            failed: OnEnd::Never,
            max_mem: None,
            max_time: None,
        }
    }
}

/// The `notify:` block: a command run (without a shell) on sweep events, the event
/// as JSON on its stdin.
#[derive(Debug, Clone, PartialEq)]
pub struct Notify {
    /// `command`: the argv, program first (non-empty).
    pub command: Vec<String>,
    /// `on`: the events that run it (names from [`NOTIFY_EVENTS`]; default
    /// `[sweep_finished, failed_for_good]`).
    pub on: Vec<String>,
}

/// The events `notify.on` may name.
pub const NOTIFY_EVENTS: &[&str] = &[
    "submitted",
    "retried",
    "failed_for_good",
    "pruned",
    "paused",
    "resumed",
    "sweep_finished",
    "tick_failed",
];

/// The config file name inside a workspace directory.
pub const CONFIG_FILE: &str = "hyperherd.yaml";

/// The most trials one sweep may expand to (and so the most values one parameter may
/// have); beyond this a typo is far more likely than intent, and memory would run out
/// before SLURM said no.
pub const MAX_TRIALS: u64 = 5_000_000;

/// The name seen by expressions: leading `+`, then leading `~`, stripped.
pub(crate) fn expr_name_of(name: &str) -> &str {
    name.trim_start_matches('+').trim_start_matches('~')
}

// ---------------------------------------------------------------------------------
// Locating and loading

/// Find the config file and the workspace from a command-line argument.
///
/// `arg` defaults to `.` and is made absolute lexically (`.` and `..` collapsed, no
/// symlink resolution). A directory means `<dir>/hyperherd.yaml`; a file is the config
/// itself, whatever its name. Returns `(config file, workspace directory)`.
///
/// Without `arg`, the workspace is the nearest directory, from the current one
/// upward, that holds `hyperherd.yaml` (as git finds `.git`), so a tool run in
/// `.hyperherd/logs` finds its sweep; a note names it when it is not `.`.
pub fn locate(arg: Option<&Path>) -> Result<(PathBuf, PathBuf), Error> {
    if arg.is_none() {
        if let Some(ws) = find_upward(&absolute(Path::new("."))?) {
            return Ok((ws.join(CONFIG_FILE), ws));
        }
    }
    let given = arg.unwrap_or(Path::new("."));
    let abs = absolute(given)?;
    let hint = "create one with 'herd init' or pass the config file";
    match std::fs::metadata(&abs) {
        Ok(meta) if meta.is_dir() => {
            let file = abs.join(CONFIG_FILE);
            if file.is_file() {
                Ok((file, abs))
            } else {
                Err(Error::invalid(format!("no {CONFIG_FILE} in {}", abs.display())).hint(hint))
            }
        }
        Ok(_) => {
            let ws = abs
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
            Ok((abs, ws))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::invalid(format!(
            "no config at {} (no such file or directory)",
            abs.display()
        ))
        .hint(hint)),
        Err(e) => Err(Error::io(format!("reading {}", abs.display()), e)),
    }
}

/// The nearest of `start` and its ancestors that holds a `hyperherd.yaml` file;
/// notes the workspace when it is not `start` itself.
pub fn find_upward(start: &Path) -> Option<PathBuf> {
    let found = start
        .ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file())?
        .to_path_buf();
    if found != start {
        crate::cli::note(&format!("using the workspace {}", found.display()));
    }
    Some(found)
}

/// Locate, read and validate the config (see [`locate`] and [`parse`]).
pub fn load(arg: Option<&Path>) -> Result<Config, Error> {
    let (path, workspace) = locate(arg)?;
    let bytes =
        std::fs::read(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let mut p = Problems::default();
    // compat (B1): the workspace path goes into the job script's #SBATCH lines.
    let ws_text = workspace.to_string_lossy();
    if let Some(c) = control_char(&ws_text) {
        p.push(
            "workspace directory",
            format!(
                "{} contains {} (rename the directory: its path goes into the job script)",
                repr(&ws_text),
                described(c)
            ),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => validate(&text, &path, &workspace, p),
        Err(e) => {
            p.plain(format!(
                "the file is not valid UTF-8 (first bad byte at offset {}; save it as UTF-8)",
                e.utf8_error().valid_up_to()
            ));
            Err(p.into_error(&path))
        }
    }
}

/// Validate config text as if read from `path` in `workspace` (both absolute).
#[cfg(test)]
pub fn parse(text: &str, path: &Path, workspace: &Path) -> Result<Config, Error> {
    validate(text, path, workspace, Problems::default())
}

/// The SLURM time limit in seconds; `None` for `infinite`/`UNLIMITED` and for `0`
/// (SLURM reads a zero limit as "no limit"). Formats: `M`, `M:S`, `H:M:S`, `D-H`,
/// `D-H:M`, `D-H:M:S`.
pub fn time_limit_seconds(slurm: &Slurm) -> Option<u64> {
    parse_slurm_time(&slurm.time).flatten().filter(|&s| s > 0)
}

/// `p` made absolute against the current directory, lexically.
fn absolute(p: &Path) -> Result<PathBuf, Error> {
    if p.is_absolute() {
        return Ok(normalize(p));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the current directory", e))?;
    Ok(normalize(&cwd.join(p)))
}

/// Collapse `.` and `..` lexically (Python's `os.path.normpath`); `/..` is `/`.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Validation

/// Parse the YAML and build the config, adding to the problems already found.
fn validate(text: &str, path: &Path, workspace: &Path, mut p: Problems) -> Result<Config, Error> {
    // compat: a byte-order mark (some Windows editors write one) is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !prescan(&mut p, text) {
        return Err(p.into_error(path));
    }
    let doc = match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Map(m)) => m,
        Ok(other) => {
            p.plain(format!(
                "the config must be a YAML mapping (found {}; see 'herd init' for an example)",
                kind_of(&other)
            ));
            return Err(p.into_error(path));
        }
        Err(e) => {
            p.plain(yaml_problem(text, &e));
            return Err(p.into_error(path));
        }
    };
    let cfg = build(&mut p, &doc, path, workspace);
    if p.len() == 0 {
        Ok(cfg)
    } else {
        Err(p.into_error(path))
    }
}

#[cfg(test)]
mod tests;
