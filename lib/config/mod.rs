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

pub mod dotenv;
pub(crate) mod yamlscan;

use crate::error::Error;
use crate::expr::Expr;
use crate::text::fxhash::{FxHashMap, FxHashSet};
use crate::text::value::{Assoc, Value};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

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
    /// `successive_halving`, if configured.
    pub successive_halving: Option<Halving>,
    /// `prune_grace_seconds` (default 600).
    pub prune_grace_seconds: u64,
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
}

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

/// The `successive_halving:` block.
#[derive(Debug, Clone)]
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

/// The config file name inside a workspace directory.
pub const CONFIG_FILE: &str = "hyperherd.yaml";

/// The most trials one sweep may expand to (and so the most values one parameter may
/// have); beyond this a typo is far more likely than intent, and memory would run out
/// before SLURM said no.
pub const MAX_TRIALS: u64 = 5_000_000;

/// Top-level keys. `hydra` (legacy `static_overrides`), `discord`, `mcp_servers` and
/// `workspace` are known to the reference; herd accepts and ignores them.
const TOP_KEYS: &[&str] = &[
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
    "hydra",
    "discord",
    "mcp_servers",
    "workspace",
];
const SLURM_KEYS: &[&str] = &[
    "partition",
    "time",
    "mem",
    "cpus_per_task",
    "gres",
    "max_concurrent",
    "extra_args",
];
const DISCRETE_KEYS: &[&str] = &["type", "values", "labels", "default", "abbrev"];
const CONTINUOUS_KEYS: &[&str] = &["type", "low", "high", "scale", "steps", "default", "abbrev"];
/// The keys of either parameter type, checked when `type` is missing or wrong.
const PARAM_KEYS: &[&str] = &[
    "type", "values", "labels", "low", "high", "scale", "steps", "default", "abbrev",
];
const CONDITION_KEYS: &[&str] = &["name", "when", "exclude", "force", "set"];
const HALVING_KEYS: &[&str] = &["metric", "direction", "min_steps", "budget", "eta", "mode"];
/// The operators of an operator map, sorted as the reference lists them.
const OPERATORS: &[(&str, Op)] = &[
    ("eq", Op::Eq),
    ("ge", Op::Ge),
    ("gt", Op::Gt),
    ("in", Op::In),
    ("le", Op::Le),
    ("lt", Op::Lt),
    ("ne", Op::Ne),
    ("not_in", Op::NotIn),
];
/// Characters a parameter name may not contain (besides control characters): they
/// break the `name=value` override syntax or the launcher's word splitting.
const FORBIDDEN_NAME_CHARS: &[char] = &['\'', '"', '`', '=', '\\', ' '];

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
// Problems

/// Collects `path: message` lines; the config is valid when none were pushed.
#[derive(Default)]
struct Problems {
    lines: Vec<String>,
    /// Put before every message (`Constraint 'x': ` while a condition is read).
    prefix: String,
}

impl Problems {
    fn push(&mut self, path: &str, msg: impl AsRef<str>) {
        self.lines
            .push(format!("{path}: {}{}", self.prefix, msg.as_ref()));
    }

    /// A problem with the file as a whole (no key path).
    fn plain(&mut self, msg: String) {
        self.lines.push(msg);
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn into_error(self, path: &Path) -> Error {
        Error::Config {
            path: path.to_path_buf(),
            problems: self.lines,
        }
    }
}

/// `path.key`, with control characters in the key made visible.
fn join(path: &str, key: &str) -> String {
    let key = escape(key);
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
fn item(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A mapping being read: its key path and its entries.
struct Section<'a> {
    path: String,
    map: &'a Assoc,
}

impl<'a> Section<'a> {
    fn new(path: impl Into<String>, map: &'a Assoc) -> Section<'a> {
        Section {
            path: path.into(),
            map,
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of a required key; a `missing` problem (with `fix`) when absent.
    fn required(&self, p: &mut Problems, key: &str, fix: &str) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            p.push(&self.at(key), format!("missing ({fix})"));
        }
        v
    }

    /// compat (B21): unknown keys are an error, with a suggestion.
    fn check_keys(&self, p: &mut Problems, known: &[&str]) {
        for (k, _) in self.map.iter() {
            if !known.contains(&k) {
                p.push(&self.at(k), format!("unknown key ({})", suggest(k, known)));
            }
        }
    }

    /// Like `check_keys` for a parameter of type `kind`: a key of the other type is
    /// named as such.
    fn check_param_keys(&self, p: &mut Problems, known: &[&str], kind: &str) {
        for (k, _) in self.map.iter() {
            if known.contains(&k) {
                continue;
            }
            let msg = if PARAM_KEYS.contains(&k) {
                format!(
                    "not a key of a {kind} parameter (valid keys: {})",
                    known.join(", ")
                )
            } else {
                format!("unknown key ({})", suggest(k, known))
            };
            p.push(&self.at(k), msg);
        }
    }
}

/// "did you mean 'mem'?" (Levenshtein distance ≤ 2, or a prefix), else the valid keys.
fn suggest(key: &str, known: &[&str]) -> String {
    let near = known
        .iter()
        .map(|k| (levenshtein(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    let prefix = || {
        known
            .iter()
            .copied()
            .find(|k| key.chars().count() >= 2 && (k.starts_with(key) || key.starts_with(k)))
    };
    match near.or_else(prefix) {
        Some(k) => format!("did you mean '{k}'?"),
        None => format!("valid keys: {}", known.join(", ")),
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != *cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

// ---------------------------------------------------------------------------------
// Showing values in messages

/// A value as messages show it: strings quoted Python-style, floats as Python's
/// `repr`, `true`/`false`/`null` as written in YAML; long values are cut.
fn show(v: &Value) -> String {
    let mut s = String::new();
    show_into(&mut s, v);
    if s.chars().count() > 80 {
        s = s.chars().take(77).collect::<String>() + "...";
    }
    s
}

fn show_into(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => out.push_str(&py_float(*f)),
        Value::Str(s) => out.push_str(&repr(s)),
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(out, it);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr(k));
                out.push_str(": ");
                show_into(out, v);
            }
            out.push('}');
        }
    }
}

/// A list of strings as Python prints it: `['a', 'b']`.
/// A list of values as [`show`] writes it, cut after the first 20 (`…, and 999980
/// more]`): a message about a long list stays readable.
fn show_some(values: &[Value]) -> String {
    const SHOWN: usize = 20;
    if values.len() <= SHOWN {
        return show(&Value::List(values.to_vec()));
    }
    let head = show(&Value::List(values[..SHOWN].to_vec()));
    format!(
        "{}, … and {} more]",
        &head[..head.len() - 1],
        values.len() - SHOWN
    )
}

fn show_strs<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| repr(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// Python `repr` of a string: single quotes unless it holds `'` and no `"`.
fn repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            _ => push_escaped(&mut out, c),
        }
    }
    out.push(q);
    out
}

/// `s` with control characters written as escapes (for key paths and names).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_control(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => out.push(c),
    }
}

/// Python's float `repr`: shortest round-trip digits, positional for exponents in
/// -4..16, else `1e-05` style.
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mant) = match mant.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let (int, frac) = if exp >= 0 {
            let e = exp as usize + 1;
            if digits.len() <= e {
                (
                    format!("{digits}{}", "0".repeat(e - digits.len())),
                    "0".to_string(),
                )
            } else {
                (digits[..e].to_string(), digits[e..].to_string())
            }
        } else {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat((-exp - 1) as usize)),
            )
        };
        format!("{sign}{int}.{frac}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.unsigned_abs())
    }
}

/// How a wrong value is described: "a list", "an empty document", ….
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "an empty document",
        other => other.kind(),
    }
}

// ---------------------------------------------------------------------------------
// Character rules

/// C0 controls, DEL, C1 controls (U+0080–U+009F, e.g. NEL U+0085) and the Unicode
/// line and paragraph separators: each can end a line for some reader of the job
/// script or the override string.
fn is_control(c: char) -> bool {
    matches!(c as u32, 0..=0x1f | 0x7f..=0x9f | 0x2028 | 0x2029)
}

fn control_char(s: &str) -> Option<char> {
    s.chars().find(|c| is_control(*c))
}

fn unicode(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// `the control character U+000A`, `the line separator U+2028`, ….
fn described(c: char) -> String {
    let what = match c {
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        _ => "control character",
    };
    format!("the {what} {}", unicode(c))
}

/// compat (B1): a string that reaches the job script may not hold a control character
/// (a newline would inject shell commands). True when `s` is clean.
fn check_no_control(p: &mut Problems, path: &str, s: &str) -> bool {
    match control_char(s) {
        Some(c) => {
            p.push(
                path,
                format!(
                    "{} contains {} (remove it: it would break the job script)",
                    repr(s),
                    described(c)
                ),
            );
            false
        }
        None => true,
    }
}

/// compat (B20): a string that becomes part of the override string may hold neither
/// control characters nor whitespace, because the launcher word-splits that string.
fn check_token(p: &mut Problems, path: &str, s: &str) {
    if let Some(c) = control_char(s) {
        p.push(
            path,
            format!(
                "{} contains {} (values are passed to the launcher in one space-separated string; remove it)",
                repr(s),
                described(c)
            ),
        );
    } else if s.chars().any(char::is_whitespace) {
        let fixed: String = s.split_whitespace().collect::<Vec<_>>().join("_");
        p.push(
            path,
            format!(
                "{} contains whitespace (values are passed to the launcher in one space-separated string; write e.g. {})",
                repr(s),
                repr(&fixed)
            ),
        );
    }
}

/// The experiment-name token rule: `[A-Za-z0-9._-]+`.
fn is_safe_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `s` with every character outside the token set replaced by `_`.
fn sanitized(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "sweep".into()
    } else {
        t
    }
}

// ---------------------------------------------------------------------------------
// Typed fields

/// A string field. Only strings are accepted (`example` shows a valid one).
fn string_field(p: &mut Problems, path: &str, v: &Value, example: &str) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        other => {
            let fix = match other {
                Value::Int(_) | Value::Float(_) | Value::Bool(_) => " (put it in quotes)",
                _ => "",
            };
            let such = if example.is_empty() {
                String::new()
            } else {
                format!(" such as {example}")
            };
            p.push(path, format!("{} must be a string{such}{fix}", show(other)));
            None
        }
    }
}

/// A whole-number field, at least `min`. compat (§1.3): pydantic-lax, but no bools.
fn int_field(p: &mut Problems, path: &str, v: &Value, field: &str, min: u64) -> Option<u64> {
    let n = match lax_int(v) {
        Ok(n) => n,
        Err(why) => {
            p.push(path, format!("{} {why}", show(v)));
            return None;
        }
    };
    match u64::try_from(n) {
        Ok(u) if u >= min => Some(u),
        _ => {
            let rule = if min == 0 {
                format!("{field} must not be negative")
            } else {
                format!("{field} must be at least {min}")
            };
            p.push(path, format!("{n} is not allowed ({rule})"));
            None
        }
    }
}

/// An int, a float with zero fraction, or a numeric string (`" 4 "`, `"4.0"`).
fn lax_int(v: &Value) -> Result<i64, &'static str> {
    const WHOLE: &str = "must be a whole number";
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            if f.abs() < 9.0e18 {
                Ok(*f as i64)
            } else {
                Err("is too large")
            }
        }
        Value::Str(s) => {
            let t = s.trim();
            let int_part = match t.split_once('.') {
                Some((i, frac)) if frac.chars().all(|c| c == '0') => i,
                Some(_) => return Err(WHOLE),
                None => t,
            };
            let digits = int_part.strip_prefix(['+', '-']).unwrap_or(int_part);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(WHOLE);
            }
            int_part.parse::<i64>().map_err(|_| "is too large")
        }
        _ => Err(WHOLE),
    }
}

/// A number field: an int, a float, or a numeric string in Python `float()` syntax.
/// compat: bools are not numbers here; non-finite values are rejected (JSON cannot
/// carry them).
fn float_field(p: &mut Problems, path: &str, v: &Value) -> Option<f64> {
    let f = match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => parse_py_float(s),
        _ => None,
    };
    match f {
        None => {
            p.push(path, format!("{} must be a number", show(v)));
            None
        }
        Some(f) if !f.is_finite() => {
            p.push(
                path,
                format!("{} is not a finite number (JSON cannot store it)", show(v)),
            );
            None
        }
        Some(f) => Some(f),
    }
}

/// Python `float()` of a string: surrounding whitespace, `_` between digits, `inf`,
/// `nan`.
fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let b = t.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let between =
                i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
            if !between {
                return None;
            }
        }
    }
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    cleaned.parse::<f64>().ok()
}

/// A list of strings, each checked for control characters. compat: null is an error.
fn string_list(p: &mut Problems, path: &str, v: &Value) -> Vec<String> {
    let items = match v {
        Value::List(items) => items,
        Value::Null => {
            p.push(path, "null is not allowed (write [] or remove the key)");
            return Vec::new();
        }
        other => {
            p.push(path, format!("{} must be a list of strings", show(other)));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let at = item(path, i);
        if let Some(s) = string_field(p, &at, it, "") {
            check_no_control(p, &at, &s);
            out.push(s);
        }
    }
    out
}

/// compat (B7): parameter values must be scalars; lists and mappings crashed the
/// reference. Also rejects non-finite floats. True when `v` is acceptable.
fn check_scalar(p: &mut Problems, path: &str, v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Map(_) => {
            p.push(
                path,
                format!(
                    "{} is {}; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)",
                    show(v),
                    v.kind()
                ),
            );
            false
        }
        Value::Float(f) if !f.is_finite() => {
            p.push(
                path,
                format!("{} is not a finite number (JSON cannot store it)", show(v)),
            );
            false
        }
        _ => true,
    }
}

/// A scalar value that ends up in a trial (value, default, force, set literal).
fn check_value(p: &mut Problems, path: &str, v: &Value) {
    if check_scalar(p, path, v) {
        if let Value::Str(s) = v {
            check_token(p, path, s);
        }
    }
}

/// Python `==` between two scalars: numbers (and bools) compare numerically.
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        _ => match (a.as_number(), b.as_number()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
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

/// What the text shows before it is parsed (see [`crate::config::yamlscan`]): flow nesting too
/// deep to parse quickly (then nothing else is looked at: returns false), directives,
/// and plain numbers that YAML 1.1 and 1.2 read differently (B22).
fn prescan(p: &mut Problems, text: &str) -> bool {
    use crate::config::yamlscan::{scan, What, MAX_FLOW_DEPTH};
    for f in scan(text) {
        let at = format!("line {} column {}", f.line, f.column);
        match f.what {
            What::TooDeep => {
                p.plain(format!(
                    "invalid YAML: brackets nested more than {MAX_FLOW_DEPTH} deep at {at} (a config needs a few levels; look for brackets that are never closed)"
                ));
                return false;
            }
            What::Directive(d) => p.plain(format!(
                "invalid YAML: the directive {} at line {} is not supported (herd reads every file as YAML 1.2 without tags; delete the line)",
                repr(&d),
                f.line
            )),
            // compat: `time: 4:00:00` is a string in YAML 1.2 and herd reads it so
            // (B22); base 60 matters only where values become trial parameters.
            What::Ambiguous { ref text, ref section, .. }
                if !matches!(section.as_deref(), Some("parameters" | "conditions" | "constraints"))
                    && text.contains(':') => {}
            What::Ambiguous { text, key, .. } => {
                let key = key.map_or_else(String::new, |k| format!(" (the value of {})", repr(&k)));
                p.plain(format!(
                    "ambiguous YAML number {text} at {at}{key}: {} (write it in quotes for a string, e.g. '{text}', or as a plain decimal number)",
                    ambiguity(&text)
                ));
            }
        }
    }
    true
}

/// How YAML 1.1 (the reference tool) and YAML 1.2 (herd) differ on `text`.
fn ambiguity(text: &str) -> String {
    let body = text.trim_start_matches(['-', '+']);
    if body.contains(':') {
        "YAML 1.1 (the reference tool) reads it as a base-60 number, YAML 1.2 (herd) as a string"
            .into()
    } else if body.contains('_') {
        "YAML 1.1 (the reference tool) reads the underscores as digit separators, YAML 1.2 (herd) reads it as a string".into()
    } else if body.len() > 1 && matches!(body.as_bytes()[1], b'b' | b'B') {
        "YAML 1.1 (the reference tool) reads it as a binary number, YAML 1.2 as a string".into()
    } else if body.len() > 1 && matches!(body.as_bytes()[1], b'o' | b'O') {
        "YAML 1.1 (the reference tool) reads it as a string, YAML 1.2 as an octal number".into()
    } else {
        "YAML 1.1 (the reference tool) reads a leading zero as octal, YAML 1.2 as decimal".into()
    }
}

/// compat (B22): a YAML error is a problem with its line and column, never a panic;
/// a duplicate key is an error (the reference let the last one win silently).
fn yaml_problem(text: &str, e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    let loc = e.location().map(|l| (l.line(), l.column()));
    if msg.contains("duplicate key '") {
        return duplicate_key_problem(text, &msg, loc);
    }
    if msg.contains("recursion limit exceeded") {
        let at = loc.map_or_else(String::new, |(l, c)| format!(" at line {l} column {c}"));
        return format!("invalid YAML: the document is nested more than 128 levels deep{at} (a config needs a few levels; look for an indentation or bracket mistake)");
    }
    if msg.contains("more than one document") {
        return "invalid YAML: the file holds more than one YAML document (remove the '---' line that starts the second)".into();
    }
    let mut msg = plain_serde_message(&msg);
    // libyaml's reader reports a byte offset (and a bogus line 1 column 1).
    if let Some((head, tail)) = msg.split_once(" at position ") {
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(offset) = digits.parse::<usize>() {
            let (line, column) = line_column(text, offset);
            msg = format!("{head} at line {line} column {column}");
        }
    }
    let at = match loc {
        Some((line, column)) if !msg.contains(" at line ") => {
            format!(" at line {line} column {column}")
        }
        _ => String::new(),
    };
    format!("invalid YAML: {msg}{at}")
}

/// serde's "invalid type" wording, said in terms of the YAML file.
fn plain_serde_message(msg: &str) -> String {
    let msg = msg.replace(
        "invalid type: enum, expected a JSON value",
        "YAML tags such as '!foo' are not supported",
    );
    let Some((head, rest)) = msg.split_once("invalid type: ") else {
        return msg;
    };
    if let Some((what, tail)) = rest.split_once(", expected a string") {
        return format!("{head}mapping keys must be strings, found {what}{tail}");
    }
    for wide in [
        " as u128, expected a JSON value",
        " as i128, expected a JSON value",
    ] {
        if let Some((what, tail)) = rest.split_once(wide) {
            return format!(
                "{head}{} is too large (the limit is 2^63-1){tail}",
                what.replace('`', "")
            );
        }
    }
    msg
}

/// Line and column (1-based, in bytes) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, column)
}

/// The duplicate-key message with the lines of the repeated key. serde_yaml reports
/// the position of the mapping, not of the key, so the key's lines are looked up in
/// the block mapping that starts there.
fn duplicate_key_problem(text: &str, msg: &str, loc: Option<(usize, usize)>) -> String {
    const FIX: &str = "(a key may appear only once; delete or rename one of them)";
    let (prefix, rest) = msg.split_once("duplicate key '").unwrap_or(("", msg));
    let key = rest.rsplit_once('\'').map_or(rest, |(k, _)| k);
    let Some((line, column)) = loc else {
        return format!("{prefix}duplicate key {} {FIX}", repr(key));
    };
    let lines = key_lines(text, key, line, column - 1);
    if lines.len() >= 2 {
        let shown: Vec<String> = lines.iter().map(usize::to_string).collect();
        let (last, init) = shown.split_last().unwrap_or((&shown[0], &[]));
        return format!(
            "{prefix}duplicate key {} at lines {} and {last} {FIX}",
            repr(key),
            init.join(", ")
        );
    }
    format!(
        "{prefix}duplicate key {} in the mapping at line {line} column {column} {FIX}",
        repr(key)
    )
}

/// Lines (1-based) from `first` on where `key:` stands at exactly `indent` spaces,
/// until the block ends (a line indented less).
fn key_lines(text: &str, key: &str, first: usize, indent: usize) -> Vec<usize> {
    let spellings = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    let mut found = Vec::new();
    for (i, l) in text.lines().enumerate().skip(first.saturating_sub(1)) {
        let body = l.trim_start_matches(' ');
        let depth = l.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if depth < indent {
            break;
        }
        let is_key = depth == indent
            && spellings.iter().any(|k| {
                body.strip_prefix(k.as_str())
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            });
        if is_key {
            found.push(i + 1);
        }
    }
    found
}

/// Everything below the document: each part pushes its own problems.
fn build(p: &mut Problems, doc: &Assoc, path: &Path, workspace: &Path) -> Config {
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

/// The `slurm:` block.
fn slurm(p: &mut Problems, top: &Section) -> Slurm {
    let mut out = Slurm {
        partition: String::new(),
        time: "01:00:00".into(),
        mem: "8G".into(),
        cpus_per_task: 1,
        gres: None,
        max_concurrent: None,
        extra_args: Vec::new(),
    };
    let map = match top.get("slurm") {
        Some(Value::Map(m)) => m,
        None => {
            p.push(
                "slurm",
                "missing (add a slurm: block with at least partition: <name>)",
            );
            return out;
        }
        Some(Value::Null) => {
            p.push(
                "slurm",
                "null is not allowed (add partition: <name> under slurm:)",
            );
            return out;
        }
        Some(other) => {
            p.push(
                "slurm",
                format!(
                    "{} must be a mapping with partition:, time:, mem:, ...",
                    show(other)
                ),
            );
            return out;
        }
    };
    let s = Section::new("slurm", map);
    s.check_keys(p, SLURM_KEYS);
    if let Some(v) = s.required(p, "partition", "add partition: <name> under slurm:") {
        if let Some(part) = string_field(p, "slurm.partition", v, "") {
            check_no_control(p, "slurm.partition", &part);
            out.partition = part;
        }
    }
    if let Some(v) = s.get("time") {
        if let Some(t) = string_field(p, "slurm.time", v, "\"01:00:00\"") {
            if check_no_control(p, "slurm.time", &t) && parse_slurm_time(&t).is_none() {
                p.push(
                    "slurm.time",
                    format!(
                        "{} is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"04:00:00\")",
                        repr(&t)
                    ),
                );
            }
            out.time = t;
        }
    }
    if let Some(v) = s.get("mem") {
        if let Some(m) = string_field(p, "slurm.mem", v, "\"16G\"") {
            if check_no_control(p, "slurm.mem", &m) && !is_slurm_mem(&m) {
                p.push(
                    "slurm.mem",
                    format!(
                        "{} is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"16G\")",
                        repr(&m)
                    ),
                );
            }
            out.mem = m;
        }
    }
    if let Some(v) = s.get("cpus_per_task") {
        out.cpus_per_task = int_field(p, "slurm.cpus_per_task", v, "cpus_per_task", 1).unwrap_or(1);
    }
    match s.get("gres") {
        None | Some(Value::Null) => {}
        Some(v) => {
            if let Some(g) = string_field(p, "slurm.gres", v, "\"gpu:1\"") {
                check_no_control(p, "slurm.gres", &g);
                out.gres = Some(g).filter(|g| !g.is_empty());
            }
        }
    }
    match s.get("max_concurrent") {
        None | Some(Value::Null) => {}
        Some(v) => {
            out.max_concurrent = int_field(p, "slurm.max_concurrent", v, "max_concurrent", 1)
        }
    }
    if let Some(v) = s.get("extra_args") {
        out.extra_args = string_list(p, "slurm.extra_args", v);
    }
    out
}

/// `Some(Some(seconds))`, `Some(None)` for infinite, `None` when not a SLURM time.
fn parse_slurm_time(s: &str) -> Option<Option<u64>> {
    if s.eq_ignore_ascii_case("infinite") || s.eq_ignore_ascii_case("unlimited") {
        return Some(None);
    }
    let num = |t: &str| -> Option<u64> {
        if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (Some(num(d)?), r),
        None => (None, s),
    };
    let parts = rest.split(':').map(num).collect::<Option<Vec<u64>>>()?;
    let secs = match (days, parts.as_slice()) {
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + s,
        (None, [h, m, s]) => h * 3600 + m * 60 + s,
        (Some(d), [h]) => d * 86400 + h * 3600,
        (Some(d), [h, m]) => d * 86400 + h * 3600 + m * 60,
        (Some(d), [h, m, s]) => d * 86400 + h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(Some(secs))
}

/// `<digits>[K|M|G|T]`, case-insensitive.
fn is_slurm_mem(s: &str) -> bool {
    let digits = s
        .strip_suffix(['K', 'M', 'G', 'T', 'k', 'm', 'g', 't'])
        .unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------------
// Parameters

/// What the cross-checks need of every declared parameter, valid or not.
struct Declared {
    name: String,
    has_default: bool,
}

/// `parameters`: the valid ones, and every declared one (for the cross-checks).
fn parameters(p: &mut Problems, top: &Section) -> (Vec<Parameter>, Vec<Declared>) {
    let map = match top.get("parameters") {
        Some(Value::Map(m)) if !m.is_empty() => m,
        Some(Value::Map(_)) => {
            p.push("parameters", "the sweep needs at least one parameter (add e.g. lr: {type: discrete, values: [0.1, 0.01]})");
            return (Vec::new(), Vec::new());
        }
        None => {
            p.push(
                "parameters",
                "missing (add e.g. lr: {type: discrete, values: [0.1, 0.01]} under parameters:)",
            );
            return (Vec::new(), Vec::new());
        }
        Some(other) => {
            p.push(
                "parameters",
                format!(
                    "{} must be a mapping of parameter name to spec",
                    show(other)
                ),
            );
            return (Vec::new(), Vec::new());
        }
    };
    let mut params = Vec::new();
    let mut declared = Vec::new();
    for (name, spec) in map.iter() {
        let has_default =
            matches!(spec, Value::Map(m) if !matches!(m.get("default"), None | Some(Value::Null)));
        declared.push(Declared {
            name: name.to_string(),
            has_default,
        });
        if let Some(param) = parameter(p, name, spec) {
            params.push(param);
        }
    }
    check_collisions(p, &declared);
    (params, declared)
}

/// One parameter; `None` when it has a problem.
fn parameter(p: &mut Problems, name: &str, spec: &Value) -> Option<Parameter> {
    let path = join("parameters", name);
    let before = p.len();
    let Value::Map(map) = spec else {
        p.push(
            &path,
            format!(
                "{} must be a mapping with type: discrete or type: continuous",
                show(spec)
            ),
        );
        return None;
    };
    let s = Section::new(path.clone(), map);
    let abbrev = match s.get("abbrev") {
        None | Some(Value::Null) => None,
        Some(v) => string_field(p, &s.at("abbrev"), v, ""),
    };
    check_name(
        p,
        &s,
        name,
        abbrev.as_deref(),
        s.get("abbrev").is_some_and(|v| !matches!(v, Value::Null)),
    );
    let kind = match s.get("type") {
        Some(Value::Str(t)) if t == "discrete" => {
            s.check_param_keys(p, DISCRETE_KEYS, "discrete");
            discrete(p, &s)
        }
        Some(Value::Str(t)) if t == "continuous" => {
            s.check_param_keys(p, CONTINUOUS_KEYS, "continuous");
            continuous(p, &s)
        }
        Some(other) => {
            s.check_keys(p, PARAM_KEYS);
            p.push(
                &s.at("type"),
                format!(
                    "{} is not a parameter type (use discrete or continuous)",
                    show(other)
                ),
            );
            None
        }
        None => {
            s.check_keys(p, PARAM_KEYS);
            p.push(
                &s.at("type"),
                "missing (add type: discrete or type: continuous)",
            );
            None
        }
    };
    let (kind, default) = kind?;
    (p.len() == before).then(|| Parameter {
        name: name.to_string(),
        abbrev,
        kind,
        default,
    })
}

/// Name-safety rules (spec 1.6, rules 1 and 2). `explicit` is true when `abbrev:` is
/// given (even if invalid), so the name itself is not the experiment-name token.
fn check_name(p: &mut Problems, s: &Section, name: &str, abbrev: Option<&str>, explicit: bool) {
    // An empty name would give the override word `=1` (and `+` alone, `+=1`).
    if expr_name_of(name).is_empty() {
        p.push(
            &s.path,
            format!(
                "parameter name {} is empty{} (name the parameter as the launcher expects it, e.g. lr)",
                repr(name),
                if name.is_empty() { "" } else { " after its Hydra prefix" }
            ),
        );
        return;
    }
    match abbrev {
        Some(a) if !is_safe_token(a) => p.push(
            &s.at("abbrev"),
            format!(
                "parameter '{}': abbrev {} contains characters that would corrupt file paths or override syntax; allowed characters are letters, digits, '.', '_', '-'",
                escape(name),
                repr(a)
            ),
        ),
        None if !explicit && !is_safe_token(name) => p.push(
            &s.path,
            format!(
                "parameter name {} contains characters unsafe for filenames or override syntax (allowed: letters, digits, '.', '_', '-'). Set an explicit `abbrev:` on this parameter so the experiment name stays clean.",
                repr(name)
            ),
        ),
        _ => {}
    }
    // compat (B1/B20): control characters are forbidden too, not only \n \r \t.
    let mut bad: Vec<char> = name
        .chars()
        .filter(|c| FORBIDDEN_NAME_CHARS.contains(c) || is_control(*c))
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().map(|c| c.to_string()).collect();
        p.push(
            &s.path,
            format!(
                "parameter name {} contains forbidden characters {}; rename the parameter (they break the override syntax)",
                repr(name),
                show_strs(&shown)
            ),
        );
    }
}

/// Two parameters may not expose the same expression name (`x` and `+x`).
fn check_collisions(p: &mut Problems, declared: &[Declared]) {
    let mut first_of: FxHashMap<&str, &Declared> = FxHashMap::default();
    for d in declared {
        let e = expr_name_of(&d.name);
        if let Some(first) = first_of.get(e).copied() {
            p.push(
                &join("parameters", &d.name),
                format!(
                    "Parameter name collision in expression namespace: {} and {} both expose as {} (rename one of them)",
                    repr(&first.name),
                    repr(&d.name),
                    repr(e)
                ),
            );
        } else {
            first_of.insert(e, d);
        }
    }
}

/// `type: discrete`: values, labels, default.
fn discrete(p: &mut Problems, s: &Section) -> Option<(ParamKind, Option<Value>)> {
    let values = match s.required(p, "values", "add values: [...] with at least one value")? {
        Value::List(items) if items.len() as u64 > MAX_TRIALS => {
            p.push(
                &s.at("values"),
                format!(
                    "{} values are more than a sweep may have trials ({MAX_TRIALS}; split the sweep)",
                    items.len()
                ),
            );
            return None;
        }
        Value::List(items) if !items.is_empty() => items.clone(),
        Value::List(_) => {
            p.push(&s.at("values"), "[] is empty (give at least one value)");
            return None;
        }
        other => {
            p.push(
                &s.at("values"),
                format!(
                    "{} must be a list of values such as [0.1, 0.01]",
                    show(other)
                ),
            );
            return None;
        }
    };
    let labels_given = !matches!(s.get("labels"), None | Some(Value::Null));
    for (i, v) in values.iter().enumerate() {
        let at = item(&s.at("values"), i);
        check_value(p, &at, v);
        if let Value::Str(text) = v {
            if !labels_given && text.contains('/') {
                p.push(
                    &at,
                    format!(
                        "value {} contains '/'; provide a `labels:` list (one short name per value) so the experiment name stays a valid file name",
                        repr(text)
                    ),
                );
            }
        }
    }
    let labels = if labels_given {
        labels(p, s, values.len())
    } else {
        None
    };
    let default = match s.get("default") {
        None | Some(Value::Null) => None,
        Some(d) => {
            let at = s.at("default");
            let before = p.len();
            check_value(p, &at, d);
            if p.len() == before && !values.iter().any(|v| py_eq(v, d)) {
                p.push(
                    &at,
                    format!(
                        "default {} is not in values: {} (use one of the values)",
                        show(d),
                        show_some(&values)
                    ),
                );
            }
            Some(d.clone())
        }
    };
    Some((ParamKind::Discrete { values, labels }, default))
}

/// `labels`: one non-empty, unique string per value, without `/` or whitespace.
fn labels(p: &mut Problems, s: &Section, n_values: usize) -> Option<Vec<String>> {
    let at = s.at("labels");
    let items = match s.get("labels") {
        Some(Value::List(items)) => items,
        Some(other) => {
            p.push(
                &at,
                format!("{} must be a list of strings, one per value", show(other)),
            );
            return None;
        }
        None => return None,
    };
    if items.len() != n_values {
        p.push(
            &at,
            format!(
                "labels has {} entries but values has {}; they must match 1-to-1",
                items.len(),
                n_values
            ),
        );
    }
    if items
        .iter()
        .any(|l| !matches!(l, Value::Str(s) if !s.is_empty()))
    {
        p.push(
            &at,
            format!(
                "labels must be non-empty strings, got: {}",
                show(&Value::List(items.clone()))
            ),
        );
        return None;
    }
    let labels: Vec<String> = items
        .iter()
        .filter_map(|l| match l {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for (i, l) in labels.iter().enumerate() {
        if l.contains('/') {
            p.push(
                &item(&at, i),
                format!("labels may not contain '/', got: {}", repr(l)),
            );
        }
        check_token(p, &item(&at, i), l);
    }
    let mut dups: Vec<&str> = Vec::new();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut reported: FxHashSet<&str> = FxHashSet::default();
    for l in &labels {
        if !seen.insert(l) && reported.insert(l) {
            dups.push(l);
        }
    }
    if !dups.is_empty() {
        p.push(
            &at,
            format!(
                "labels must be unique, got: {} (repeated: {})",
                show_strs(&labels),
                show_strs(&dups)
            ),
        );
    }
    Some(labels)
}

/// `type: continuous`: low, high, scale, steps, default (stored as a float).
fn continuous(p: &mut Problems, s: &Section) -> Option<(ParamKind, Option<Value>)> {
    let low = s
        .required(p, "low", "add low: <number>")
        .and_then(|v| float_field(p, &s.at("low"), v));
    let high = s
        .required(p, "high", "add high: <number>")
        .and_then(|v| float_field(p, &s.at("high"), v));
    let scale = match s.get("scale") {
        None => Some(Scale::Linear),
        Some(Value::Str(t)) if t == "linear" => Some(Scale::Linear),
        Some(Value::Str(t)) if t == "log" => Some(Scale::Log),
        Some(other) => {
            p.push(
                &s.at("scale"),
                format!("{} is not a scale (use linear or log)", show(other)),
            );
            None
        }
    };
    let steps = match s.get("steps") {
        None => Some(5),
        Some(v) => int_field(p, &s.at("steps"), v, "steps", 1).and_then(|n| {
            if n <= MAX_TRIALS {
                return Some(n);
            }
            p.push(
                &s.at("steps"),
                format!(
                    "{n} is more steps than a sweep may have trials ({MAX_TRIALS}; use fewer steps)"
                ),
            );
            None
        }),
    };
    let default = match s.get("default") {
        None | Some(Value::Null) => None,
        Some(v) => Some(float_field(p, &s.at("default"), v)),
    };
    let (low, high, scale, steps) = (low?, high?, scale?, steps?);
    if low >= high {
        p.push(
            &s.path,
            format!(
                "low ({}) must be less than high ({})",
                py_float(low),
                py_float(high)
            ),
        );
    }
    if scale == Scale::Log && low <= 0.0 {
        p.push(
            &s.at("low"),
            format!("log scale requires low > 0, got {}", py_float(low)),
        );
    }
    let default = match default {
        None => None,
        Some(d) => {
            let d = d?;
            if d < low || d > high {
                p.push(
                    &s.at("default"),
                    format!(
                        "default {} is outside range [{}, {}]",
                        py_float(d),
                        py_float(low),
                        py_float(high)
                    ),
                );
            }
            Some(Value::Float(d))
        }
    };
    Some((
        ParamKind::Continuous {
            low,
            high,
            scale,
            steps,
        },
        default,
    ))
}

// ---------------------------------------------------------------------------------
// Grid and defaults

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

// ---------------------------------------------------------------------------------
// Conditions

/// `conditions`, else the legacy `constraints` (ignored when both are present).
fn conditions(p: &mut Problems, top: &Section, names: &[&str]) -> Vec<Condition> {
    let key = if top.get("conditions").is_some() {
        "conditions"
    } else {
        "constraints"
    };
    let items = match top.get(key) {
        None => return Vec::new(),
        Some(Value::List(items)) => items,
        Some(Value::Null) => {
            p.push(key, "null is not allowed (write [] or remove the key)");
            return Vec::new();
        }
        Some(other) => {
            p.push(key, format!("{} must be a list of conditions", show(other)));
            return Vec::new();
        }
    };
    let expr_names: Vec<&str> = names.iter().map(|n| expr_name_of(n)).collect();
    let ctx = Names {
        params: names,
        expr: &expr_names,
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| condition(p, &item(key, i), c, &ctx))
        .collect()
}

/// The names a condition may use: parameters, and their expression names.
struct Names<'a> {
    params: &'a [&'a str],
    expr: &'a [&'a str],
}

/// One condition; `None` when it has a problem.
fn condition(p: &mut Problems, path: &str, v: &Value, names: &Names) -> Option<Condition> {
    let Value::Map(map) = v else {
        p.push(
            path,
            format!(
                "{} must be a mapping with when: and exclude:, force: or set:",
                show(v)
            ),
        );
        return None;
    };
    let s = Section::new(path, map);
    let before = p.len();
    s.check_keys(p, CONDITION_KEYS);
    let name = match s.get("name") {
        None => "unnamed".to_string(),
        Some(n) => string_field(p, &s.at("name"), n, "").unwrap_or_else(|| "unnamed".into()),
    };
    p.prefix = format!("Constraint '{}': ", escape(&name));
    let empty = |k: &str| match s.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::Map(m)) => m.is_empty(),
        _ => false,
    };
    if empty("exclude") && empty("force") && empty("set") {
        p.push(
            path,
            "must have at least one of 'exclude', 'force', or 'set' (a condition with only 'when' does nothing)",
        );
    }
    let when = when(p, &s, names);
    let exclude = exclude(p, &s, names);
    let force = force(p, &s, names);
    let set = set(p, &s, names);
    p.prefix.clear();
    (p.len() == before).then_some(Condition {
        name,
        when,
        exclude,
        force,
        set,
    })
}

/// A mapping-valued condition key; `None` when absent, null, or not a mapping.
fn cond_map<'a>(p: &mut Problems, s: &Section<'a>, key: &str, what: &str) -> Option<&'a Assoc> {
    match s.get(key)? {
        Value::Map(m) => Some(m),
        Value::Null => None,
        other => {
            p.push(
                &s.at(key),
                format!("'{key}' must be a mapping of {what}, got {}", show(other)),
            );
            None
        }
    }
}

/// A key of `when`/`exclude`/`force` must name a parameter.
fn check_param_ref(p: &mut Problems, path: &str, section: &str, key: &str, names: &Names) -> bool {
    if names.params.contains(&key) {
        return true;
    }
    p.push(
        path,
        format!(
            "'{section}' references unknown parameter {} (parameters are: {})",
            repr(key),
            show_strs(names.params)
        ),
    );
    false
}

fn when(p: &mut Problems, s: &Section, names: &Names) -> Vec<When> {
    let at = s.at("when");
    let map = match s.get("when") {
        Some(Value::Map(m)) if !m.is_empty() => m,
        Some(Value::Map(_)) => {
            p.push(
                &at,
                "'when' must have at least one entry (parameter: value, or expr: \"...\")",
            );
            return Vec::new();
        }
        None | Some(Value::Null) => {
            p.push(&at, "'when' is missing (add when: {parameter: value})");
            return Vec::new();
        }
        Some(other) => {
            p.push(
                &at,
                format!(
                    "'when' must be a mapping of parameter to value, got {}",
                    show(other)
                ),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(map.len());
    for (key, m) in map.iter() {
        let path = join(&at, key);
        if key == "expr" {
            match m {
                Value::Str(src) if !src.trim().is_empty() => match Expr::compile(src, names.expr) {
                    Ok(e) => out.push(When::Expr(e)),
                    Err(msg) => p.push(&path, msg),
                },
                other => p.push(
                    &path,
                    format!(
                        "'when.expr' must be a non-empty string, got {}",
                        show(other)
                    ),
                ),
            }
            continue;
        }
        if !check_param_ref(p, &path, "when", key, names) {
            continue;
        }
        if let Some(matcher) = matcher(p, &path, key, m) {
            out.push(When::Param(key.to_string(), matcher));
        }
    }
    out
}

/// A `when` matcher. compat (B13): literals keep their YAML type (no numeric coercion
/// of strings); the expander compares a numeric-looking string numerically only when
/// the trial's value is a number.
fn matcher(p: &mut Problems, path: &str, param: &str, m: &Value) -> Option<Matcher> {
    match m {
        Value::Map(ops) => {
            if ops.len() != 1 {
                let mut keys: Vec<&str> = ops.iter().map(|(k, _)| k).collect();
                keys.sort_unstable();
                p.push(
                    path,
                    format!(
                        "operator-map for '{}' must have exactly one operator key, got {}",
                        escape(param),
                        show_strs(&keys)
                    ),
                );
                return None;
            }
            let (op_name, arg) = ops.iter().next()?;
            let Some(op) = OPERATORS
                .iter()
                .find(|(n, _)| *n == op_name)
                .map(|(_, o)| *o)
            else {
                let valid: Vec<&str> = OPERATORS.iter().map(|(n, _)| *n).collect();
                p.push(
                    path,
                    format!(
                        "unknown operator {} for '{}'. Valid operators: {}",
                        repr(op_name),
                        escape(param),
                        show_strs(&valid)
                    ),
                );
                return None;
            };
            let path = join(path, op_name);
            match (op, arg) {
                (Op::In | Op::NotIn, Value::List(items)) => {
                    check_match_items(p, &path, items).then(|| Matcher::Op(op, arg.clone()))
                }
                (Op::In | Op::NotIn, _) => {
                    p.push(
                        &path,
                        format!(
                            "operator '{op_name}' on '{}' requires a list value",
                            escape(param)
                        ),
                    );
                    None
                }
                // compat (B7): one operand only; `eq: [3, 5, 7]` never matched anything.
                (_, Value::List(_) | Value::Map(_)) => {
                    p.push(
                        &path,
                        format!(
                            "operator '{op_name}' compares with one value, got {} (to match any of several values use in: [...])",
                            show(arg)
                        ),
                    );
                    None
                }
                _ => Some(Matcher::Op(op, arg.clone())),
            }
        }
        Value::List(items) => {
            check_match_items(p, path, items).then(|| Matcher::AnyOf(items.clone()))
        }
        scalar => Some(Matcher::Eq(scalar.clone())),
    }
}

/// compat (B7): list elements that are lists or mappings could never match a value.
fn check_match_items(p: &mut Problems, path: &str, items: &[Value]) -> bool {
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        if matches!(it, Value::List(_) | Value::Map(_)) {
            p.push(
                &item(path, i),
                format!(
                    "{} is {}; parameter values are scalars, so it can never match",
                    show(it),
                    it.kind()
                ),
            );
            ok = false;
        }
    }
    ok
}

fn exclude(p: &mut Problems, s: &Section, names: &Names) -> Vec<(String, Vec<Value>)> {
    let Some(map) = cond_map(p, s, "exclude", "parameter to values") else {
        return Vec::new();
    };
    let at = s.at("exclude");
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if !check_param_ref(p, &path, "exclude", key, names) {
            continue;
        }
        let values = match v {
            Value::List(items) => items.clone(),
            scalar => vec![scalar.clone()],
        };
        if check_match_items(p, &path, &values) {
            out.push((key.to_string(), values));
        }
    }
    out
}

fn force(p: &mut Problems, s: &Section, names: &Names) -> Assoc {
    let mut out = Assoc::new();
    let Some(map) = cond_map(p, s, "force", "parameter to value") else {
        return out;
    };
    let at = s.at("force");
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if check_param_ref(p, &path, "force", key, names) {
            check_value(p, &path, v);
            out.0.push((key.to_string(), v.clone()));
        }
    }
    out
}

fn set(p: &mut Problems, s: &Section, names: &Names) -> Vec<(String, SetValue)> {
    let Some(map) = cond_map(p, s, "set", "override key to value") else {
        return Vec::new();
    };
    let at = s.at("set");
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map.iter() {
        let path = join(&at, key);
        if key.is_empty() {
            p.push(&path, "set keys must be non-empty strings");
            continue;
        }
        check_set_key(p, &path, key);
        match v {
            Value::Map(m) if m.len() == 1 && m.get("expr").is_some() => match m.get("expr") {
                Some(Value::Str(src)) if !src.trim().is_empty() => {
                    match Expr::compile(src, names.expr) {
                        Ok(e) => out.push((key.to_string(), SetValue::Expr(e))),
                        Err(msg) => p.push(&path, format!("set.{}: {msg}", escape(key))),
                    }
                }
                other => p.push(
                    &join(&path, "expr"),
                    format!(
                        "'set.{}.expr' must be a non-empty string, got {}",
                        escape(key),
                        other.map_or_else(|| "null".into(), show)
                    ),
                ),
            },
            literal => {
                check_value(p, &path, literal);
                out.push((key.to_string(), SetValue::Literal(literal.clone())));
            }
        }
    }
    out
}

/// compat (B20): a `set` key becomes `key=value` in the override string, so it follows
/// the parameter-name character rule.
fn check_set_key(p: &mut Problems, path: &str, key: &str) {
    let mut bad: Vec<String> = key
        .chars()
        .filter(|c| FORBIDDEN_NAME_CHARS.contains(c) || is_control(*c) || c.is_whitespace())
        .map(|c| c.to_string())
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        p.push(
            path,
            format!(
                "set key {} contains forbidden characters {}; rename it (they break the override syntax)",
                repr(key),
                show_strs(&bad)
            ),
        );
    }
}

// ---------------------------------------------------------------------------------
// Successive halving

/// `successive_halving`: null or absent means not configured.
fn halving(p: &mut Problems, top: &Section) -> Option<Halving> {
    let map = match top.get("successive_halving")? {
        Value::Map(m) => m,
        Value::Null => return None,
        other => {
            p.push(
                "successive_halving",
                format!(
                    "{} must be a mapping with metric:, direction:, min_steps: and budget:",
                    show(other)
                ),
            );
            return None;
        }
    };
    let s = Section::new("successive_halving", map);
    s.check_keys(p, HALVING_KEYS);
    let metric = s
        .required(p, "metric", "add metric: <name of a streamed metric>")
        .and_then(|v| string_field(p, &s.at("metric"), v, "\"val_loss\""));
    let direction = s
        .required(p, "direction", "add direction: min or direction: max")
        .and_then(|v| match v {
            Value::Str(d) if d == "min" => Some(false),
            Value::Str(d) if d == "max" => Some(true),
            other => {
                p.push(
                    &s.at("direction"),
                    format!("{} must be min or max", show(other)),
                );
                None
            }
        });
    let min_steps = s
        .required(p, "min_steps", "add min_steps: <first rung, in steps>")
        .and_then(|v| int_field(p, &s.at("min_steps"), v, "min_steps", 1));
    let budget = s
        .required(p, "budget", "add budget: <last rung, in steps>")
        .and_then(|v| int_field(p, &s.at("budget"), v, "budget", 1));
    let eta = match s.get("eta") {
        None => Some(2),
        Some(v) => int_field(p, &s.at("eta"), v, "eta", 2),
    };
    let asha = match s.get("mode") {
        None => Some(false),
        Some(Value::Str(m)) if m == "sync" => Some(false),
        Some(Value::Str(m)) if m == "asha" => Some(true),
        Some(other) => {
            p.push(
                &s.at("mode"),
                format!("{} must be sync or asha", show(other)),
            );
            None
        }
    };
    if let (Some(m), Some(b)) = (min_steps, budget) {
        if m > b {
            p.push(
                "successive_halving",
                format!("successive_halving.min_steps ({m}) must be <= budget ({b})"),
            );
        }
    }
    Some(Halving {
        metric: metric?,
        maximize: direction?,
        min_steps: min_steps?,
        budget: budget?,
        eta: eta?,
        asha: asha?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n    abbrev: lr\n";

    fn parse_str(text: &str) -> Result<Config, Error> {
        parse(text, Path::new("/ws/hyperherd.yaml"), Path::new("/ws"))
    }

    fn ok(text: &str) -> Config {
        match parse_str(text) {
            Ok(c) => c,
            Err(e) => panic!("expected a valid config, got {e}\n--- config:\n{text}"),
        }
    }

    fn problems(text: &str) -> Vec<String> {
        match parse_str(text) {
            Ok(_) => panic!("expected problems\n--- config:\n{text}"),
            Err(Error::Config { problems, .. }) => problems,
            Err(e) => panic!("expected Error::Config, got {e:?}"),
        }
    }

    /// The single problem of `text`.
    fn one(text: &str) -> String {
        let p = problems(text);
        assert_eq!(p.len(), 1, "expected one problem, got {p:#?}");
        p[0].clone()
    }

    /// BASE plus top-level YAML.
    fn with(extra: &str) -> String {
        format!("{BASE}{extra}")
    }

    /// A config whose `parameters:` block is `block`.
    fn params(block: &str) -> String {
        format!("name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n{block}")
    }

    /// A config whose `slurm:` block has `lines` after the partition.
    fn slurm_with(lines: &str) -> String {
        format!("name: t\ngrid: all\nslurm:\n  partition: short\n{lines}parameters:\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n")
    }

    /// Parameters opt [adam, sgd], lr [0.1, 0.01], y [1, 3, 5], and `conditions:` = `block`.
    fn conds(block: &str) -> String {
        format!(
            "name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n  opt:\n    type: discrete\n    values: [adam, sgd]\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n  y:\n    type: discrete\n    values: [1, 3, 5]\nconditions:\n{block}"
        )
    }

    /// True when lib/expr.rs is the real validator (not the placeholder interface).
    fn real_expr() -> bool {
        Expr::compile("zz_unknown + 1", &["x"]).is_err()
    }

    fn discrete_values(c: &Config, i: usize) -> (Vec<Value>, Option<Vec<String>>) {
        match &c.parameters[i].kind {
            ParamKind::Discrete { values, labels } => (values.clone(), labels.clone()),
            ParamKind::Continuous { .. } => panic!("not discrete"),
        }
    }

    // ---- locate and load ----------------------------------------------------

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("herd-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn locate_a_directory_means_its_hyperherd_yaml() {
        let d = temp_dir("locate-dir");
        std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
        let (file, ws) = locate(Some(&d)).unwrap();
        assert_eq!(file, d.join(CONFIG_FILE));
        assert_eq!(ws, d);
    }

    #[test]
    fn locate_a_file_is_the_config_itself() {
        let d = temp_dir("locate-file");
        let f = d.join("other.yml");
        std::fs::write(&f, BASE).unwrap();
        assert_eq!(locate(Some(&f)).unwrap(), (f.clone(), d.clone()));
        // `..` and `.` are collapsed lexically.
        let odd = d.join("sub").join("..").join(".").join("other.yml");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        assert_eq!(locate(Some(&odd)).unwrap(), (f, d));
    }

    #[test]
    fn locate_a_directory_without_config_names_it_and_hints() {
        let d = temp_dir("locate-empty");
        let e = locate(Some(&d)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("no hyperherd.yaml in {}", d.display())
        );
        assert_eq!(
            e.hint_text(),
            Some("create one with 'herd init' or pass the config file")
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn locate_a_missing_path_names_it() {
        let d = temp_dir("locate-missing");
        let e = locate(Some(&d.join("nope.yaml"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no config at {} (no such file or directory)",
                d.join("nope.yaml").display()
            )
        );
        assert!(e.hint_text().is_some());
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("/scratch/x/../scripts/./run.sh")),
            PathBuf::from("/scratch/scripts/run.sh")
        );
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("/a/b/../../..")), PathBuf::from("/"));
    }

    #[test]
    fn load_reads_the_workspace_config() {
        let d = temp_dir("load");
        std::fs::write(d.join(CONFIG_FILE), with("launcher: launch.sh\n")).unwrap();
        let c = load(Some(&d)).unwrap();
        assert_eq!(c.workspace, d);
        assert_eq!(c.path, d.join(CONFIG_FILE));
        assert_eq!(c.launcher, d.join("launch.sh"));
    }

    #[test]
    fn load_rejects_a_file_that_is_not_utf8() {
        let d = temp_dir("load-utf8");
        std::fs::write(d.join(CONFIG_FILE), b"name: t\xff\n").unwrap();
        let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
            panic!("expected a config error")
        };
        assert_eq!(
            problems,
            ["the file is not valid UTF-8 (first bad byte at offset 7; save it as UTF-8)"]
        );
    }

    #[test]
    fn load_rejects_a_workspace_path_with_a_control_character() {
        let d = temp_dir("load-ws").join("a\nb");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
        let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
            panic!("expected a config error")
        };
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("workspace directory: '"),
            "{problems:?}"
        );
        assert!(problems[0]
            .contains("a\\nb' contains the control character U+000A (rename the directory"));
        // C1 controls and the Unicode separators too (they passed, then broke the
        // job script's rendering).
        for (c, what) in [
            ('\u{85}', "the control character U+0085"),
            ('\u{2028}', "the line separator U+2028"),
            ('\u{2029}', "the paragraph separator U+2029"),
        ] {
            let d = temp_dir("load-ws-c1").join(format!("a{c}b"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
            let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
                panic!("expected a config error for {what}")
            };
            assert!(
                problems[0].starts_with("workspace directory: '"),
                "{problems:?}"
            );
            assert!(
                problems[0].contains(&format!("contains {what} (rename the directory")),
                "{problems:?}"
            );
        }
    }

    // ---- the document -------------------------------------------------------

    #[test]
    fn minimal_config_gets_every_default() {
        let c = ok(BASE);
        assert_eq!(c.name, "t");
        assert_eq!(c.grid, Grid::All);
        assert_eq!(c.slurm.partition, "short");
        assert_eq!(c.slurm.time, "01:00:00");
        assert_eq!(c.slurm.mem, "8G");
        assert_eq!(c.slurm.cpus_per_task, 1);
        assert_eq!(c.slurm.gres, None);
        assert_eq!(c.slurm.max_concurrent, None);
        assert!(c.slurm.extra_args.is_empty());
        assert_eq!(c.launcher, PathBuf::new());
        assert!(c.static_overrides.is_empty());
        assert!(c.conditions.is_empty());
        assert!(c.successive_halving.is_none());
        assert_eq!(c.prune_grace_seconds, 600);
        assert_eq!(c.parameters.len(), 1);
        assert_eq!(c.parameters[0].token(), "lr");
        assert_eq!(
            discrete_values(&c, 0).0,
            vec![Value::Float(0.1), Value::Float(0.01)]
        );
        assert_eq!(c.path, PathBuf::from("/ws/hyperherd.yaml"));
        assert_eq!(c.workspace, PathBuf::from("/ws"));
    }

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let p = one("name: t\nparameters: [1, 2\n");
        assert!(p.starts_with("invalid YAML: "), "{p}");
        assert!(p.contains("at line 3 column 1"), "{p}");
    }

    #[test]
    fn yaml_error_without_position_in_its_text_gets_one() {
        assert_eq!(
            one("\tname: t\n"),
            "invalid YAML: found character that cannot start any token, while scanning for the next token at line 1 column 1"
        );
    }

    #[test]
    fn yaml_tags_are_explained() {
        assert_eq!(
            one("name: !foo t\n"),
            "invalid YAML: name: YAML tags such as '!foo' are not supported at line 1 column 7"
        );
    }

    #[test]
    fn duplicate_top_level_key_names_both_lines_and_the_fix() {
        assert_eq!(
            one(&with("name: u\n")),
            "duplicate key 'name' at lines 1 and 10 (a key may appear only once; delete or rename one of them)"
        );
    }

    #[test]
    fn duplicate_nested_key_is_an_error() {
        assert_eq!(
            one(&slurm_with("  partition: long\n")),
            "slurm: duplicate key 'partition' at lines 4 and 5 (a key may appear only once; delete or rename one of them)"
        );
        assert_eq!(
            one(&with("# comment\nx: {a: 1, a: 2}\n").replace("name: t\n", "")),
            "x: duplicate key 'a' in the mapping at line 10 column 4 (a key may appear only once; delete or rename one of them)"
        );
    }

    #[test]
    fn unsupported_yaml_values_are_explained() {
        assert_eq!(
            one("name: t\n? [a]\n: b\n"),
            "invalid YAML: mapping keys must be strings, found sequence at line 2 column 3"
        );
        assert_eq!(
            one("name: t\nx: 99999999999999999999\n"),
            "invalid YAML: x: integer 99999999999999999999 is too large (the limit is 2^63-1) at line 2 column 4"
        );
        assert_eq!(
            one("name: t\nx: -9999999999999999999\n"),
            "invalid YAML: x: integer -9999999999999999999 is too large (the limit is 2^63-1) at line 2 column 4"
        );
    }

    #[test]
    fn multiple_documents_are_an_error() {
        assert_eq!(
            one(&format!("{BASE}---\nname: u\n")),
            "invalid YAML: the file holds more than one YAML document (remove the '---' line that starts the second)"
        );
    }

    #[test]
    fn control_character_in_the_yaml_text_is_located() {
        assert_eq!(
            one("name: t\nslurm: \u{1}\n"),
            "invalid YAML: control characters are not allowed at line 2 column 8"
        );
    }

    #[test]
    fn document_must_be_a_mapping() {
        assert_eq!(
            one("- a\n"),
            "the config must be a YAML mapping (found a list; see 'herd init' for an example)"
        );
        assert_eq!(
            one("hello\n"),
            "the config must be a YAML mapping (found a string; see 'herd init' for an example)"
        );
        assert_eq!(one(""), "the config must be a YAML mapping (found an empty document; see 'herd init' for an example)");
    }

    #[test]
    fn unknown_top_level_key_suggests_the_near_one() {
        assert_eq!(
            one(&with("condition: []\n")),
            "condition: unknown key (did you mean 'conditions'?)"
        );
    }

    #[test]
    fn unknown_key_far_from_all_lists_the_valid_keys() {
        assert_eq!(
            one(&slurm_with("  zzzzzz: 1\n")),
            "slurm.zzzzzz: unknown key (valid keys: partition, time, mem, cpus_per_task, gres, max_concurrent, extra_args)"
        );
    }

    #[test]
    fn unknown_key_prefix_match_is_suggested() {
        assert_eq!(
            one(&slurm_with("  memory: 8G\n")),
            "slurm.memory: unknown key (did you mean 'mem'?)"
        );
        assert_eq!(
            one(&slurm_with("  cpus: 2\n")),
            "slurm.cpus: unknown key (did you mean 'cpus_per_task'?)"
        );
    }

    #[test]
    fn unknown_key_in_a_parameter_a_condition_and_halving() {
        let p = problems(&params(
            "  lr:\n    type: discrete\n    vaules: [1]\n    values: [1]\n",
        ));
        assert_eq!(
            p,
            ["parameters.lr.vaules: unknown key (did you mean 'values'?)"]
        );
        let p = problems(&conds(
            "  - when: {opt: sgd}\n    frce: {lr: 0.1}\n    set: {a: 1}\n",
        ));
        assert_eq!(
            p,
            ["conditions[0].frce: unknown key (did you mean 'force'?)"]
        );
        let p = problems(&with("successive_halving: {metric: loss, direction: min, min_steps: 1, budget: 4, etaa: 3}\n"));
        assert_eq!(
            p,
            ["successive_halving.etaa: unknown key (did you mean 'eta'?)"]
        );
    }

    #[test]
    fn unknown_key_of_the_other_parameter_type_is_an_error() {
        let p = one(&params(
            "  lr:\n    type: continuous\n    low: 0\n    high: 1\n    values: [1]\n",
        ));
        assert_eq!(
            p,
            "parameters.lr.values: not a key of a continuous parameter (valid keys: type, low, high, scale, steps, default, abbrev)"
        );
    }

    #[test]
    fn keys_the_reference_knows_are_accepted_and_ignored() {
        let c = ok(&with(
            "discord: {guild_id: 123}\nmcp_servers: [{name: x, command: y}]\nworkspace: /elsewhere\nhydra: {run: {dir: x}}\n",
        ));
        assert_eq!(c.workspace, PathBuf::from("/ws"));
        assert!(c.static_overrides.is_empty());
    }

    #[test]
    fn all_problems_are_reported_together() {
        let text = "name: 1\ngrid: ALL\nslurm:\n  partition: p\n  mem: 16\n  cpus_per_task: 0\nparameters:\n  lr:\n    type: continuous\n    low: 1\n    high: 0\n    steps: 0\n";
        let p = problems(text);
        assert_eq!(
            p,
            [
                "name: 1 must be a string (put it in quotes)",
                "slurm.mem: 16 must be a string such as \"16G\" (put it in quotes)",
                "slurm.cpus_per_task: 0 is not allowed (cpus_per_task must be at least 1)",
                "parameters.lr.steps: 0 is not allowed (steps must be at least 1)",
                "grid: 'ALL' must be all or a list of parameter names (or left out: one parameter at a time)",
            ]
        );
        let e = parse_str(text).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e
            .to_string()
            .starts_with("/ws/hyperherd.yaml: 5 problems\n  name: 1 must be a string"));
    }

    // ---- name -----------------------------------------------------------------

    #[test]
    fn name_is_required() {
        let text = BASE.replace("name: t\n", "");
        assert_eq!(one(&text), "name: missing (add e.g. name: my-sweep)");
    }

    #[test]
    fn name_must_be_a_string() {
        assert_eq!(
            one(&BASE.replace("name: t", "name: 123")),
            "name: 123 must be a string (put it in quotes)"
        );
    }

    #[test]
    fn name_must_be_safe_for_job_and_file_names() {
        assert_eq!(
            one(&BASE.replace("name: t", "name: my sweep")),
            "name: 'my sweep' may only contain letters, digits, '.', '_' and '-' (it becomes the SLURM job name and part of file names; e.g. my_sweep)"
        );
    }

    #[test]
    fn name_with_a_newline_is_rejected() {
        assert_eq!(
            one(&BASE.replace("name: t", "name: \"t\\nrm -rf ~\"")),
            "name: 't\\nrm -rf ~' contains the control character U+000A (remove it: it would break the job script)"
        );
    }

    // ---- static_overrides, hydra, launcher ------------------------------------

    #[test]
    fn static_overrides_are_stored() {
        let c = ok(&with(
            "static_overrides: [\"data.path=/scratch\", \"max_epochs=10\"]\n",
        ));
        assert_eq!(c.static_overrides, ["data.path=/scratch", "max_epochs=10"]);
    }

    #[test]
    fn legacy_hydra_static_overrides_are_used_when_top_level_is_absent() {
        let c = ok(&with("hydra: {static_overrides: [\"a=1\", \"b=2\"]}\n"));
        assert_eq!(c.static_overrides, ["a=1", "b=2"]);
    }

    #[test]
    fn top_level_static_overrides_win_over_hydra() {
        let c = ok(&with(
            "static_overrides: [\"new=1\"]\nhydra: {static_overrides: [\"old=1\"]}\n",
        ));
        assert_eq!(c.static_overrides, ["new=1"]);
    }

    #[test]
    fn empty_hydra_gives_no_overrides() {
        assert!(ok(&with("hydra: {}\n")).static_overrides.is_empty());
    }

    #[test]
    fn static_overrides_null_is_an_error() {
        assert_eq!(
            one(&with("static_overrides:\n")),
            "static_overrides: null is not allowed (write [] or remove the key)"
        );
    }

    #[test]
    fn static_override_entries_must_be_clean_strings() {
        assert_eq!(
            one(&with("static_overrides: [\"a=1\\nb\"]\n")),
            "static_overrides[0]: 'a=1\\nb' contains the control character U+000A (remove it: it would break the job script)"
        );
        assert_eq!(
            one(&with("static_overrides: [3]\n")),
            "static_overrides[0]: 3 must be a string (put it in quotes)"
        );
        assert_eq!(
            one(&with("hydra: {static_overrides: [\"a\\tb\"]}\n")),
            "hydra.static_overrides[0]: 'a\\tb' contains the control character U+0009 (remove it: it would break the job script)"
        );
    }

    #[test]
    fn launcher_is_resolved_lexically_against_the_workspace() {
        let c = parse(
            &with("launcher: ../scripts/run.sh\n"),
            Path::new("/scratch/x/hyperherd.yaml"),
            Path::new("/scratch/x"),
        )
        .unwrap();
        assert_eq!(c.launcher, PathBuf::from("/scratch/scripts/run.sh"));
        assert_eq!(
            ok(&with("launcher: /opt/run.sh\n")).launcher,
            PathBuf::from("/opt/run.sh")
        );
        assert_eq!(
            ok(&with("launcher: ~/run.sh\n")).launcher,
            PathBuf::from("/ws/~/run.sh")
        );
        assert_eq!(ok(&with("launcher: \"\"\n")).launcher, PathBuf::new());
    }

    #[test]
    fn launcher_must_be_a_string() {
        assert_eq!(
            one(&with("launcher: [a]\n")),
            "launcher: ['a'] must be a string such as \"./launch.sh\""
        );
    }

    // ---- slurm ----------------------------------------------------------------

    #[test]
    fn slurm_block_is_required() {
        let text = BASE.replace("slurm:\n  partition: short\n", "");
        assert_eq!(
            one(&text),
            "slurm: missing (add a slurm: block with at least partition: <name>)"
        );
    }

    #[test]
    fn slurm_null_is_an_error() {
        let text = BASE.replace("slurm:\n  partition: short\n", "slurm:\n");
        assert_eq!(
            one(&text),
            "slurm: null is not allowed (add partition: <name> under slurm:)"
        );
    }

    #[test]
    fn slurm_partition_is_required() {
        let text = BASE.replace("  partition: short\n", "  mem: 1G\n");
        assert_eq!(
            one(&text),
            "slurm.partition: missing (add partition: <name> under slurm:)"
        );
    }

    #[test]
    fn slurm_fields_are_read() {
        let c = ok(&slurm_with(
            "  time: 2-12:30:00\n  mem: 512m\n  cpus_per_task: \" 4 \"\n  gres: gpu:1\n  max_concurrent: 2.0\n  extra_args: [--exclusive, --account=abc]\n",
        ));
        assert_eq!(c.slurm.time, "2-12:30:00");
        assert_eq!(c.slurm.mem, "512m");
        assert_eq!(c.slurm.cpus_per_task, 4);
        assert_eq!(c.slurm.gres.as_deref(), Some("gpu:1"));
        assert_eq!(c.slurm.max_concurrent, Some(2));
        assert_eq!(c.slurm.extra_args, ["--exclusive", "--account=abc"]);
        assert_eq!(
            time_limit_seconds(&c.slurm),
            Some(2 * 86400 + 12 * 3600 + 30 * 60)
        );
    }

    #[test]
    fn slurm_time_unquoted_is_a_string_in_yaml_1_2() {
        assert_eq!(ok(&slurm_with("  time: 4:00:00\n")).slurm.time, "4:00:00");
    }

    #[test]
    fn slurm_time_must_be_a_string() {
        assert_eq!(
            one(&slurm_with("  time: 60\n")),
            "slurm.time: 60 must be a string such as \"01:00:00\" (put it in quotes)"
        );
    }

    #[test]
    fn slurm_time_must_be_a_slurm_time() {
        assert_eq!(
            one(&slurm_with("  time: 4h\n")),
            "slurm.time: '4h' is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"04:00:00\")"
        );
    }

    #[test]
    fn slurm_time_formats() {
        let secs = |t: &str| parse_slurm_time(t);
        assert_eq!(secs("90"), Some(Some(5400)));
        assert_eq!(secs("90:30"), Some(Some(5430)));
        assert_eq!(secs("01:00:00"), Some(Some(3600)));
        assert_eq!(secs("1-2"), Some(Some(93600)));
        assert_eq!(secs("1-2:03"), Some(Some(93780)));
        assert_eq!(secs("1-02:03:04"), Some(Some(93784)));
        assert_eq!(secs("infinite"), Some(None));
        assert_eq!(secs("UNLIMITED"), Some(None));
        for bad in [
            "",
            "1:2:3:4",
            "1-",
            "-1",
            "1-2:3:4:5",
            "a",
            "1.5",
            " 10",
            "1--2",
            "1234567890",
        ] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn time_limit_seconds_is_none_without_a_limit() {
        assert_eq!(
            time_limit_seconds(&ok(&slurm_with("  time: UNLIMITED\n")).slurm),
            None
        );
        assert_eq!(
            time_limit_seconds(&ok(&slurm_with("  time: \"0\"\n")).slurm),
            None
        );
        assert_eq!(time_limit_seconds(&ok(BASE).slurm), Some(3600));
    }

    #[test]
    fn slurm_mem_must_be_a_string() {
        assert_eq!(
            one(&slurm_with("  mem: 16\n")),
            "slurm.mem: 16 must be a string such as \"16G\" (put it in quotes)"
        );
    }

    #[test]
    fn slurm_mem_must_be_a_size() {
        assert_eq!(
            one(&slurm_with("  mem: 16GB\n")),
            "slurm.mem: '16GB' is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"16G\")"
        );
    }

    #[test]
    fn slurm_partition_with_a_newline_is_rejected() {
        let text = BASE.replace("partition: short", "partition: \"short\\n#SBATCH --x\"");
        assert_eq!(
            one(&text),
            "slurm.partition: 'short\\n#SBATCH --x' contains the control character U+000A (remove it: it would break the job script)"
        );
    }

    #[test]
    fn slurm_gres_and_extra_args_reject_control_characters() {
        assert!(one(&slurm_with("  gres: \"gpu:1\\r\"\n"))
            .starts_with("slurm.gres: 'gpu:1\\r' contains the control character U+000D"));
        assert!(one(&slurm_with("  extra_args: [\"--a\\u007f\"]\n"))
            .starts_with("slurm.extra_args[0]: '--a\\x7f' contains the control character U+007F"));
    }

    #[test]
    fn slurm_empty_gres_means_none() {
        assert_eq!(ok(&slurm_with("  gres: \"\"\n")).slurm.gres, None);
        assert_eq!(ok(&slurm_with("  gres:\n")).slurm.gres, None);
    }

    #[test]
    fn slurm_max_concurrent_must_be_at_least_one() {
        assert_eq!(
            one(&slurm_with("  max_concurrent: 0\n")),
            "slurm.max_concurrent: 0 is not allowed (max_concurrent must be at least 1)"
        );
        assert_eq!(
            ok(&slurm_with("  max_concurrent:\n")).slurm.max_concurrent,
            None
        );
    }

    #[test]
    fn slurm_extra_args_null_is_an_error() {
        assert_eq!(
            one(&slurm_with("  extra_args:\n")),
            "slurm.extra_args: null is not allowed (write [] or remove the key)"
        );
    }

    #[test]
    fn integer_fields_are_lax_but_not_bools() {
        assert_eq!(
            ok(&slurm_with("  cpus_per_task: \"4.0\"\n"))
                .slurm
                .cpus_per_task,
            4
        );
        assert_eq!(
            ok(&slurm_with("  cpus_per_task: 3.0\n"))
                .slurm
                .cpus_per_task,
            3
        );
        assert_eq!(
            one(&slurm_with("  cpus_per_task: 2.5\n")),
            "slurm.cpus_per_task: 2.5 must be a whole number"
        );
        assert_eq!(
            one(&slurm_with("  cpus_per_task: true\n")),
            "slurm.cpus_per_task: true must be a whole number"
        );
        assert_eq!(
            one(&slurm_with("  cpus_per_task: \"1e1\"\n")),
            "slurm.cpus_per_task: '1e1' must be a whole number"
        );
        assert_eq!(
            one(&slurm_with("  cpus_per_task: \"0x10\"\n")),
            "slurm.cpus_per_task: '0x10' must be a whole number"
        );
        assert_eq!(
            one(&slurm_with("  cpus_per_task: 1e30\n")),
            "slurm.cpus_per_task: 1e+30 is too large"
        );
    }

    // ---- grid and defaults ----------------------------------------------------

    #[test]
    fn grid_must_be_exactly_all_or_a_list() {
        assert_eq!(
            one(&BASE.replace("grid: all", "grid: ALL")),
            "grid: 'ALL' must be all or a list of parameter names (or left out: one parameter at a time)"
        );
    }

    #[test]
    fn grid_list_with_unknown_names_is_reported() {
        assert_eq!(
            one(&BASE.replace("grid: all", "grid: [lr, z, w]")),
            "grid: grid references unknown parameters: ['z', 'w'] (parameters are: ['lr'])"
        );
        assert_eq!(
            one(&BASE.replace("grid: all", "grid: [lr, 3]")),
            "grid[1]: 3 must be a string (put it in quotes)"
        );
    }

    #[test]
    fn grid_null_means_one_at_a_time_and_empty_list_is_kept() {
        let text = BASE
            .replace("grid: all", "grid:")
            .replace("abbrev: lr", "default: 0.1");
        assert_eq!(ok(&text).grid, Grid::OneAtATime);
        let text = BASE
            .replace("grid: all", "grid: []")
            .replace("abbrev: lr", "default: 0.1");
        assert_eq!(ok(&text).grid, Grid::List(vec![]));
    }

    #[test]
    fn without_grid_every_missing_default_is_reported_in_order() {
        let text = "name: t\nslurm: {partition: p}\nparameters:\n  b: {type: discrete, values: [1]}\n  a: {type: discrete, values: [1], default: 1}\n  c: {type: continuous, low: 0, high: 1}\n";
        assert_eq!(
            problems(text),
            [
                "parameters.b: parameter 'b' needs a default value (grid is not set, so all parameters need defaults: add 'default:' or use 'grid: all')",
                "parameters.c: parameter 'c' needs a default value (grid is not set, so all parameters need defaults: add 'default:' or use 'grid: all')",
            ]
        );
    }

    #[test]
    fn grid_list_needs_defaults_for_the_rest() {
        let text = "name: t\ngrid: [a]\nslurm: {partition: p}\nparameters:\n  a: {type: discrete, values: [1]}\n  y: {type: discrete, values: [1]}\n";
        assert_eq!(
            one(text),
            "parameters.y: parameter 'y' needs a default value (it is not in the grid: add 'default:' or list it in grid)"
        );
    }

    // ---- parameters -----------------------------------------------------------

    #[test]
    fn parameters_are_required_and_non_empty() {
        let head = "name: t\ngrid: all\nslurm: {partition: p}\n";
        assert_eq!(
            one(head),
            "parameters: missing (add e.g. lr: {type: discrete, values: [0.1, 0.01]} under parameters:)"
        );
        assert_eq!(
            one(&format!("{head}parameters: {{}}\n")),
            "parameters: the sweep needs at least one parameter (add e.g. lr: {type: discrete, values: [0.1, 0.01]})"
        );
        assert_eq!(
            one(&format!("{head}parameters: [a]\n")),
            "parameters: ['a'] must be a mapping of parameter name to spec"
        );
    }

    #[test]
    fn parameter_spec_must_be_a_mapping() {
        assert_eq!(
            one(&params("  lr: [1, 2]\n")),
            "parameters.lr: [1, 2] must be a mapping with type: discrete or type: continuous"
        );
    }

    #[test]
    fn parameter_type_is_required_and_checked() {
        assert_eq!(
            one(&params("  lr: {values: [1]}\n")),
            "parameters.lr.type: missing (add type: discrete or type: continuous)"
        );
        assert_eq!(
            one(&params("  lr: {type: Discrete, values: [1]}\n")),
            "parameters.lr.type: 'Discrete' is not a parameter type (use discrete or continuous)"
        );
        assert_eq!(
            problems(&params("  lr: {typ: discrete, values: [1]}\n")),
            [
                "parameters.lr.typ: unknown key (did you mean 'type'?)",
                "parameters.lr.type: missing (add type: discrete or type: continuous)",
            ]
        );
    }

    #[test]
    fn discrete_values_are_required_non_empty_lists() {
        assert_eq!(
            one(&params("  lr: {type: discrete}\n")),
            "parameters.lr.values: missing (add values: [...] with at least one value)"
        );
        assert_eq!(
            one(&params("  lr: {type: discrete, values: []}\n")),
            "parameters.lr.values: [] is empty (give at least one value)"
        );
        assert_eq!(
            one(&params("  lr: {type: discrete, values: 3}\n")),
            "parameters.lr.values: 3 must be a list of values such as [0.1, 0.01]"
        );
    }

    #[test]
    fn discrete_values_keep_their_yaml_1_2_types() {
        let c = ok(&params(
            "  x:\n    type: discrete\n    values: [1e-3, 1.0e-3, yes, '010', null, true, \"1\", 0x10]\n",
        ));
        assert_eq!(
            discrete_values(&c, 0).0,
            vec![
                Value::Float(0.001),
                Value::Float(0.001),
                Value::Str("yes".into()),
                Value::Str("010".into()),
                Value::Null,
                Value::Bool(true),
                Value::Str("1".into()),
                Value::Int(16)
            ]
        );
    }

    #[test]
    fn hostile_inputs_are_refused_or_loaded_in_linear_time() {
        use std::time::{Duration, Instant};
        // Generous bounds for a debug build on a busy machine: the quadratic paths
        // these guard took minutes (release) at these sizes.
        let t = Instant::now();
        let deep = format!(
            "{}x: {}{}\n",
            params("  a: {type: discrete, values: [1]}\n"),
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(one(&deep).contains("brackets nested more than 128 deep at line 7"));
        let many: String = (0..50_000)
            .map(|i| format!("  p{i}: {{type: discrete, values: [1]}}\n"))
            .collect();
        let c = ok(&params(&many));
        // Loaded, then refused: one trial's override string cannot be passed.
        let e = crate::model::expand::expand(&c).unwrap_err().to_string();
        assert!(e.contains("its override string is 877795 bytes"), "{e}");
        let values: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
        let labels: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
        let c = ok(&params(&format!(
            "  a: {{type: discrete, values: [{}], labels: [{}]}}\n",
            values.join(","),
            labels.join(",")
        )));
        assert!(crate::ops::fragments::Fresh::new(&c).is_some());
        assert_eq!(
            crate::model::expand::expand(&c).unwrap()[99_999].name,
            "a-v99999"
        );
        for steps in ["1000000000", "9223372036854775807"] {
            assert!(one(&params(&format!(
                "  a: {{type: continuous, low: 0, high: 1, steps: {steps}}}\n"
            )))
            .contains("is more steps than a sweep may have trials"));
        }
        assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    }

    #[test]
    fn numbers_yaml_1_1_and_1_2_read_differently_are_refused() {
        // B22: YAML 1.1 (the reference) reads 010 as 8, YAML 1.2 as 10, serde_norway
        // as the string "010"; each such form is refused with its line and the fix.
        let p = problems(&params(
            "  x: {type: discrete, values: [010, 0b101, 0o17, 1_000, 7]}\n  y:\n    type: discrete\n    values:\n      - 1:30\n      - '1:30'\n",
        ));
        let at: Vec<&str> = p.iter().map(|l| &l[..l.find(':').unwrap_or(0)]).collect();
        assert_eq!(
            at,
            [
                "ambiguous YAML number 010 at line 6 column 32 (the value of 'values')",
                "ambiguous YAML number 0b101 at line 6 column 37 (the value of 'values')",
                "ambiguous YAML number 0o17 at line 6 column 44 (the value of 'values')",
                "ambiguous YAML number 1_000 at line 6 column 50 (the value of 'values')",
                "ambiguous YAML number 1",
            ]
        );
        // slurm.time stays a string in YAML 1.2 (base 60 only matters for values).
        assert_eq!(ok(&slurm_with("  time: 4:00:00\n")).slurm.time, "4:00:00");
        assert!(one(&slurm_with("  cpus_per_task: 08\n"))
            .contains("ambiguous YAML number 08 at line 5"));
    }

    #[test]
    fn list_values_are_rejected_with_a_string_suggestion() {
        assert_eq!(
            one(&params("  shape: {type: discrete, values: [[3, 5], 7]}\n")),
            "parameters.shape.values[0]: [3, 5] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
        );
    }

    #[test]
    fn mapping_values_and_defaults_are_rejected() {
        assert_eq!(
            one(&params("  m: {type: discrete, values: [{a: 1}]}\n")),
            "parameters.m.values[0]: {'a': 1} is a mapping; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
        );
        assert_eq!(
            one(&params("  m: {type: discrete, values: [1], default: [1]}\n")),
            "parameters.m.default: [1] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
        );
    }

    #[test]
    fn non_finite_values_are_rejected() {
        assert_eq!(
            one(&params("  x: {type: discrete, values: [.inf, 1]}\n")),
            "parameters.x.values[0]: inf is not a finite number (JSON cannot store it)"
        );
    }

    #[test]
    fn string_values_with_whitespace_are_rejected() {
        assert_eq!(
            one(&params("  opt: {type: discrete, values: [adam, \"adam w\"]}\n")),
            "parameters.opt.values[1]: 'adam w' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'adam_w')"
        );
    }

    #[test]
    fn string_values_with_control_characters_are_rejected() {
        assert_eq!(
            one(&params("  opt: {type: discrete, values: [\"a\\u0001\"]}\n")),
            "parameters.opt.values[0]: 'a\\x01' contains the control character U+0001 (values are passed to the launcher in one space-separated string; remove it)"
        );
    }

    #[test]
    fn values_with_a_slash_need_labels() {
        let p = problems(&params("  ckpt: {type: discrete, values: [/p/a, /p/b]}\n"));
        assert_eq!(p.len(), 2);
        assert!(
            p[0].starts_with(
                "parameters.ckpt.values[0]: value '/p/a' contains '/'; provide a `labels:` list"
            ),
            "{p:?}"
        );
    }

    #[test]
    fn labels_are_stored_one_per_value() {
        let c = ok(&params("  ckpt: {type: discrete, values: [/p/a, /p/b], labels: [a, b]}\n  lr: {type: discrete, values: [1]}\n"));
        assert_eq!(
            discrete_values(&c, 0).1,
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(discrete_values(&c, 1).1, None);
    }

    #[test]
    fn labels_may_not_contain_a_slash() {
        assert_eq!(
            one(&params(
                "  c: {type: discrete, values: [/p/a], labels: [x/y]}\n"
            )),
            "parameters.c.labels[0]: labels may not contain '/', got: 'x/y'"
        );
    }

    #[test]
    fn labels_must_match_values_one_to_one() {
        assert_eq!(
            one(&params(
                "  c: {type: discrete, values: [1, 2, 3], labels: [a, b]}\n"
            )),
            "parameters.c.labels: labels has 2 entries but values has 3; they must match 1-to-1"
        );
    }

    #[test]
    fn labels_must_be_unique() {
        assert_eq!(
            one(&params(
                "  c: {type: discrete, values: [1, 2], labels: [x, x]}\n"
            )),
            "parameters.c.labels: labels must be unique, got: ['x', 'x'] (repeated: ['x'])"
        );
        assert_eq!(
            one(&params("  c: {type: discrete, values: [1, 2, 3, 4, 5], labels: [x, y, x, y, x]}\n")),
            "parameters.c.labels: labels must be unique, got: ['x', 'y', 'x', 'y', 'x'] (repeated: ['x', 'y'])"
        );
    }

    #[test]
    fn labels_must_be_non_empty_strings() {
        assert_eq!(
            one(&params(
                "  c: {type: discrete, values: [1, 2], labels: [x, \"\"]}\n"
            )),
            "parameters.c.labels: labels must be non-empty strings, got: ['x', '']"
        );
        assert_eq!(
            one(&params("  c: {type: discrete, values: [1], labels: x}\n")),
            "parameters.c.labels: 'x' must be a list of strings, one per value"
        );
    }

    #[test]
    fn labels_with_whitespace_are_rejected() {
        assert_eq!(
            one(&params("  c: {type: discrete, values: [1], labels: [\"a b\"]}\n")),
            "parameters.c.labels[0]: 'a b' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'a_b')"
        );
    }

    #[test]
    fn discrete_default_must_be_one_of_the_values() {
        let text = "name: t\nslurm: {partition: p}\nparameters:\n  opt: {type: discrete, values: [adam, sgd], default: rmsprop}\n";
        assert_eq!(
            one(text),
            "parameters.opt.default: default 'rmsprop' is not in values: ['adam', 'sgd'] (use one of the values)"
        );
    }

    #[test]
    fn discrete_default_uses_python_equality() {
        let c = ok(&params("  x: {type: discrete, values: [1, 2], default: 1.0}\n  b: {type: discrete, values: [1], default: true}\n"));
        assert_eq!(c.parameters[0].default, Some(Value::Float(1.0)));
        assert_eq!(c.parameters[1].default, Some(Value::Bool(true)));
        assert_eq!(
            one(&params(
                "  x: {type: discrete, values: [1, 2], default: \"1\"}\n"
            )),
            "parameters.x.default: default '1' is not in values: [1, 2] (use one of the values)"
        );
    }

    #[test]
    fn continuous_is_read_with_float_defaults() {
        let c = ok(&params("  lr: {type: continuous, low: 1e-4, high: \"1e-2\", scale: log, steps: 3, default: 1}\n").replace("1}", "0.001}"));
        let ParamKind::Continuous {
            low,
            high,
            scale,
            steps,
        } = c.parameters[0].kind.clone()
        else {
            panic!()
        };
        assert_eq!((low, high, scale, steps), (1e-4, 1e-2, Scale::Log, 3));
        assert_eq!(c.parameters[0].default, Some(Value::Float(0.001)));
        let c = ok(&params(
            "  x: {type: continuous, low: 0, high: \"1_0\", default: 1}\n",
        ));
        let ParamKind::Continuous {
            high, scale, steps, ..
        } = c.parameters[0].kind.clone()
        else {
            panic!()
        };
        assert_eq!((high, scale, steps), (10.0, Scale::Linear, 5));
        assert_eq!(c.parameters[0].default, Some(Value::Float(1.0)));
    }

    #[test]
    fn continuous_low_must_be_below_high() {
        assert_eq!(
            one(&params("  x: {type: continuous, low: 1, high: 1.0}\n")),
            "parameters.x: low (1.0) must be less than high (1.0)"
        );
    }

    #[test]
    fn continuous_log_needs_positive_low() {
        assert_eq!(
            one(&params(
                "  x: {type: continuous, low: 0, high: 1, scale: log}\n"
            )),
            "parameters.x.low: log scale requires low > 0, got 0.0"
        );
    }

    #[test]
    fn continuous_steps_must_be_at_least_one() {
        assert_eq!(
            one(&params(
                "  lr: {type: continuous, low: 0, high: 1, steps: 0}\n"
            )),
            "parameters.lr.steps: 0 is not allowed (steps must be at least 1)"
        );
    }

    #[test]
    fn continuous_default_must_be_in_range() {
        assert_eq!(
            one(&params(
                "  x: {type: continuous, low: 0, high: 1, default: 2}\n"
            )),
            "parameters.x.default: default 2.0 is outside range [0.0, 1.0]"
        );
    }

    #[test]
    fn continuous_scale_is_linear_or_log() {
        assert_eq!(
            one(&params(
                "  x: {type: continuous, low: 0, high: 1, scale: Log}\n"
            )),
            "parameters.x.scale: 'Log' is not a scale (use linear or log)"
        );
    }

    #[test]
    fn continuous_bounds_are_required_finite_numbers() {
        assert_eq!(
            one(&params("  x: {type: continuous, high: 1}\n")),
            "parameters.x.low: missing (add low: <number>)"
        );
        assert_eq!(
            one(&params("  x: {type: continuous, low: abc, high: 1}\n")),
            "parameters.x.low: 'abc' must be a number"
        );
        assert_eq!(
            one(&params("  x: {type: continuous, low: true, high: 1}\n")),
            "parameters.x.low: true must be a number"
        );
        assert_eq!(
            one(&params("  x: {type: continuous, low: 0, high: .inf}\n")),
            "parameters.x.high: inf is not a finite number (JSON cannot store it)"
        );
        assert_eq!(
            one(&params("  x: {type: continuous, low: \"nan\", high: 1}\n")),
            "parameters.x.low: 'nan' is not a finite number (JSON cannot store it)"
        );
    }

    #[test]
    fn python_float_syntax_for_strings() {
        assert_eq!(parse_py_float(" 2 "), Some(2.0));
        assert_eq!(parse_py_float("1_000.5"), Some(1000.5));
        assert_eq!(parse_py_float("5."), Some(5.0));
        assert_eq!(parse_py_float(".5e-3"), Some(0.0005));
        assert!(parse_py_float("-Infinity").is_some_and(|f| f == f64::NEG_INFINITY));
        for bad in ["_1", "1_", "1__0", "1_.5", "0x10", "", "e5", "1e"] {
            assert_eq!(parse_py_float(bad), None, "{bad:?}");
        }
    }

    // ---- name safety (test_config.py) -----------------------------------------

    #[test]
    fn token_is_the_name_without_abbrev() {
        let c = ok(&params("  learning_rate: {type: discrete, values: [1]}\n  model.lr: {type: discrete, values: [1]}\n"));
        assert_eq!(c.parameters[0].token(), "learning_rate");
        assert_eq!(c.parameters[1].token(), "model.lr");
    }

    #[test]
    fn unsafe_name_without_abbrev_is_rejected() {
        assert_eq!(
            one(&params("  foo/bar: {type: discrete, values: [1]}\n")),
            "parameters.foo/bar: parameter name 'foo/bar' contains characters unsafe for filenames or override syntax (allowed: letters, digits, '.', '_', '-'). Set an explicit `abbrev:` on this parameter so the experiment name stays clean."
        );
        assert_eq!(
            ok(&params(
                "  foo/bar: {type: discrete, values: [1], abbrev: fb}\n"
            ))
            .parameters[0]
                .token(),
            "fb"
        );
    }

    #[test]
    fn name_with_a_space_and_no_abbrev_reports_unsafe_and_forbidden() {
        let p = problems(&params("  learning rate: {type: discrete, values: [1]}\n"));
        assert_eq!(p.len(), 2);
        assert!(p[0].contains("unsafe for filenames"), "{p:?}");
        assert!(p[1].contains("forbidden characters [' ']"), "{p:?}");
    }

    #[test]
    fn unsafe_abbrev_is_rejected() {
        assert_eq!(
            one(&params("  lr: {type: discrete, values: [1], abbrev: bad/abbrev}\n")),
            "parameters.lr.abbrev: parameter 'lr': abbrev 'bad/abbrev' contains characters that would corrupt file paths or override syntax; allowed characters are letters, digits, '.', '_', '-'"
        );
        assert!(one(&params(
            "  lr: {type: discrete, values: [1], abbrev: \"\"}\n"
        ))
        .contains("abbrev '' contains characters"));
    }

    #[test]
    fn forbidden_characters_in_names_are_rejected_even_with_abbrev() {
        assert_eq!(
            one(&params("  \"foo'bar\": {type: discrete, values: [1], abbrev: fb}\n")),
            "parameters.foo'bar: parameter name \"foo'bar\" contains forbidden characters [\"'\"]; rename the parameter (they break the override syntax)"
        );
        assert!(one(&params(
            "  foo=bar: {type: discrete, values: [1], abbrev: fb}\n"
        ))
        .contains("forbidden characters ['=']"));
        assert!(one(&params(
            "  foo bar: {type: discrete, values: [1], abbrev: fb}\n"
        ))
        .contains("forbidden characters [' ']"));
        assert!(one(&params(
            "  \"a\\u0002b\": {type: discrete, values: [1], abbrev: fb}\n"
        ))
        .contains("forbidden characters ['\\x02']"));
    }

    #[test]
    fn hydra_prefixed_names_with_abbrev_are_accepted() {
        let c = ok(&params(
            "  +experiment: {type: discrete, values: [1], abbrev: exp}\n  ++mode: {type: discrete, values: [1], abbrev: m}\n  ~legacy: {type: discrete, values: [1], abbrev: lg}\n",
        ));
        let e: Vec<&str> = c.parameters.iter().map(Parameter::expr_name).collect();
        assert_eq!(e, ["experiment", "mode", "legacy"]);
    }

    #[test]
    fn expression_namespace_collision_is_rejected() {
        assert_eq!(
            one(&params("  experiment: {type: discrete, values: [1]}\n  +experiment: {type: discrete, values: [1], abbrev: e}\n")),
            "parameters.+experiment: Parameter name collision in expression namespace: 'experiment' and '+experiment' both expose as 'experiment' (rename one of them)"
        );
    }

    // ---- conditions -------------------------------------------------------------

    #[test]
    fn condition_with_only_set_is_valid_and_stored() {
        let c = ok(&conds("  - set: {foo.bar: 1}\n    when: {opt: adam}\n"));
        assert_eq!(c.conditions.len(), 1);
        assert_eq!(c.conditions[0].name, "unnamed");
        let [(k, SetValue::Literal(v))] = c.conditions[0].set.as_slice() else {
            panic!()
        };
        assert_eq!((k.as_str(), v), ("foo.bar", &Value::Int(1)));
    }

    #[test]
    fn condition_with_only_when_is_rejected() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n")),
            "conditions[0]: Constraint 'x': must have at least one of 'exclude', 'force', or 'set' (a condition with only 'when' does nothing)"
        );
        assert!(one(&conds(
            "  - when: {opt: sgd}\n    exclude: {}\n    set: {}\n"
        ))
        .contains("must have at least one of"));
    }

    #[test]
    fn condition_literals_keep_their_types() {
        let c = ok(&conds(
            "  - when: {opt: adam, lr: {le: \"1e-3\"}}\n    exclude: {opt: [sgd], lr: 0.1}\n",
        ));
        let cond = &c.conditions[0];
        let When::Param(p0, Matcher::Eq(Value::Str(s))) = &cond.when[0] else {
            panic!("{:?}", cond.when)
        };
        assert_eq!((p0.as_str(), s.as_str()), ("opt", "adam"));
        // compat (B13): "1e-3" stays a string; the expander compares it numerically.
        let When::Param(_, Matcher::Op(Op::Le, Value::Str(t))) = &cond.when[1] else {
            panic!("{:?}", cond.when)
        };
        assert_eq!(t, "1e-3");
        assert_eq!(
            cond.exclude[0],
            ("opt".to_string(), vec![Value::Str("sgd".into())])
        );
        assert_eq!(cond.exclude[1], ("lr".to_string(), vec![Value::Float(0.1)]));
    }

    #[test]
    fn condition_matchers_and_actions_are_read() {
        let c = ok(&conds(
            "  - name: c1\n    when: {opt: [sgd, adam], y: {in: [1, 3]}, lr: {gt: 0.01}}\n    force: {y: 5}\n    set: {sched.tag: {expr: \"opt + '-x'\"}, warm: 100}\n",
        ));
        let cond = &c.conditions[0];
        assert_eq!(cond.name, "c1");
        assert!(
            matches!(&cond.when[0], When::Param(p, Matcher::AnyOf(v)) if p == "opt" && v.len() == 2)
        );
        assert!(
            matches!(&cond.when[1], When::Param(p, Matcher::Op(Op::In, Value::List(_))) if p == "y")
        );
        assert!(
            matches!(&cond.when[2], When::Param(_, Matcher::Op(Op::Gt, Value::Float(f))) if *f == 0.01)
        );
        assert_eq!(cond.force.get("y"), Some(&Value::Int(5)));
        assert!(
            matches!(&cond.set[0], (k, SetValue::Expr(e)) if k == "sched.tag" && e.source() == "opt + '-x'")
        );
        assert!(matches!(&cond.set[1], (k, SetValue::Literal(Value::Int(100))) if k == "warm"));
    }

    #[test]
    fn condition_when_expr_is_read() {
        let c = ok(&conds(
            "  - when: {expr: \"y > 1\"}\n    exclude: {y: [3]}\n",
        ));
        assert!(matches!(&c.conditions[0].when[0], When::Expr(e) if e.source() == "y > 1"));
    }

    #[test]
    fn condition_when_expr_must_be_a_non_empty_string() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {expr: \"\"}\n    set: {a: 1}\n")),
            "conditions[0].when.expr: Constraint 'x': 'when.expr' must be a non-empty string, got ''"
        );
    }

    #[test]
    fn operator_map_must_have_one_key() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {lr: {lt: 1, gt: 0}}\n    set: {a: 1}\n")),
            "conditions[0].when.lr: Constraint 'x': operator-map for 'lr' must have exactly one operator key, got ['gt', 'lt']"
        );
    }

    #[test]
    fn unknown_operator_is_rejected() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {lr: {approx: 0.1}}\n    set: {a: 1}\n")),
            "conditions[0].when.lr: Constraint 'x': unknown operator 'approx' for 'lr'. Valid operators: ['eq', 'ge', 'gt', 'in', 'le', 'lt', 'ne', 'not_in']"
        );
    }

    #[test]
    fn in_operator_requires_a_list() {
        assert_eq!(
            one(&conds(
                "  - name: x\n    when: {y: {in: 3}}\n    set: {a: 1}\n"
            )),
            "conditions[0].when.y.in: Constraint 'x': operator 'in' on 'y' requires a list value"
        );
    }

    #[test]
    fn comparison_operator_with_a_list_is_rejected() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {y: {eq: [3, 5]}}\n    set: {a: 1}\n")),
            "conditions[0].when.y.eq: Constraint 'x': operator 'eq' compares with one value, got [3, 5] (to match any of several values use in: [...])"
        );
    }

    #[test]
    fn nested_lists_in_matchers_are_rejected() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {y: [[3]]}\n    set: {a: 1}\n")),
            "conditions[0].when.y[0]: Constraint 'x': [3] is a list; parameter values are scalars, so it can never match"
        );
    }

    #[test]
    fn when_exclude_force_must_reference_parameters() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {nonexistent: val}\n    set: {a: 1}\n")),
            "conditions[0].when.nonexistent: Constraint 'x': 'when' references unknown parameter 'nonexistent' (parameters are: ['opt', 'lr', 'y'])"
        );
        assert!(
            one(&conds("  - when: {opt: sgd}\n    exclude: {bogus: [1]}\n"))
                .contains("'exclude' references unknown parameter 'bogus'")
        );
        assert!(one(&conds("  - when: {opt: sgd}\n    force: {bogus: 1}\n"))
            .contains("'force' references unknown parameter 'bogus'"));
    }

    #[test]
    fn when_is_required_and_non_empty() {
        assert_eq!(
            one(&conds("  - name: x\n    set: {a: 1}\n")),
            "conditions[0].when: Constraint 'x': 'when' is missing (add when: {parameter: value})"
        );
        assert_eq!(
            one(&conds("  - name: x\n    when: {}\n    set: {a: 1}\n")),
            "conditions[0].when: Constraint 'x': 'when' must have at least one entry (parameter: value, or expr: \"...\")"
        );
    }

    #[test]
    fn force_values_must_be_clean_scalars() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n    force: {y: [1, 2]}\n")),
            "conditions[0].force.y: Constraint 'x': [1, 2] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
        );
        assert!(
            one(&conds("  - when: {opt: sgd}\n    force: {opt: \"a b\"}\n"))
                .contains("'a b' contains whitespace")
        );
    }

    #[test]
    fn set_literal_mappings_and_lists_are_rejected() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {thing: {foo: bar}}\n")),
            "conditions[0].set.thing: Constraint 'x': {'foo': 'bar'} is a mapping; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
        );
        assert!(one(&conds("  - when: {opt: sgd}\n    set: {thing: [1]}\n"))
            .contains("[1] is a list; values must be scalars"));
    }

    #[test]
    fn set_literal_strings_must_not_contain_whitespace() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {tag: \"a b\"}\n")),
            "conditions[0].set.tag: Constraint 'x': 'a b' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'a_b')"
        );
    }

    #[test]
    fn set_keys_are_checked() {
        assert_eq!(
            one(&conds(
                "  - name: x\n    when: {opt: sgd}\n    set: {\"\": 1}\n"
            )),
            "conditions[0].set.: Constraint 'x': set keys must be non-empty strings"
        );
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {a=b: 1}\n")),
            "conditions[0].set.a=b: Constraint 'x': set key 'a=b' contains forbidden characters ['=']; rename it (they break the override syntax)"
        );
    }

    #[test]
    fn set_expr_must_be_a_non_empty_string() {
        assert_eq!(
            one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {k: {expr: 3}}\n")),
            "conditions[0].set.k.expr: Constraint 'x': 'set.k.expr' must be a non-empty string, got 3"
        );
    }

    #[test]
    fn conditions_null_or_not_a_list_is_an_error() {
        assert_eq!(
            one(&conds("")),
            "conditions: null is not allowed (write [] or remove the key)"
        );
        assert_eq!(
            one(&conds("  a: 1\n")),
            "conditions: {'a': 1} must be a list of conditions"
        );
        assert_eq!(
            one(&conds("  - 3\n")),
            "conditions[0]: 3 must be a mapping with when: and exclude:, force: or set:"
        );
    }

    #[test]
    fn legacy_constraints_key_is_read_and_validated() {
        let text = conds("  - when: {opt: sgd}\n    exclude: {lr: [0.1]}\n")
            .replace("conditions:", "constraints:");
        assert_eq!(ok(&text).conditions.len(), 1);
        let text = conds("  - when: {nonexistent: val}\n    exclude: {lr: [0.1]}\n")
            .replace("conditions:", "constraints:");
        assert!(one(&text).starts_with("constraints[0].when.nonexistent: Constraint 'unnamed': 'when' references unknown parameter"));
    }

    #[test]
    fn conditions_win_over_constraints() {
        let text = conds(
            "  - when: {opt: sgd}\n    exclude: {lr: [0.1]}\nconstraints:\n  - when: {bogus: 1}\n",
        );
        assert_eq!(ok(&text).conditions.len(), 1);
    }

    #[test]
    fn expressions_are_validated_with_parameter_expression_names() {
        if !real_expr() {
            return; // lib/expr.rs is still the placeholder interface
        }
        let p = one(&conds(
            "  - name: x\n    when: {expr: \"z > 1\"}\n    exclude: {y: [3]}\n",
        ));
        assert!(
            p.starts_with("conditions[0].when.expr: Constraint 'x': "),
            "{p}"
        );
        assert!(p.contains("Unknown name"), "{p}");
        let p = one(&conds(
            "  - name: x\n    when: {opt: sgd}\n    set: {x: {expr: \"abs(y)\"}}\n",
        ));
        assert!(
            p.starts_with("conditions[0].set.x: Constraint 'x': set.x: "),
            "{p}"
        );
        assert!(p.contains("Disallowed function"), "{p}");
        ok(&conds(
            "  - when: {y: {ge: 0}}\n    set: {x: {expr: \"min(max(y, 0), 10)\"}}\n",
        ));
        let c = ok(&params("  +experiment: {type: discrete, values: [a], abbrev: e}\nconditions:\n  - when: {expr: \"experiment == 'a'\"}\n    set: {n: 1}\n"));
        assert_eq!(c.conditions.len(), 1);
    }

    // ---- successive halving and prune grace -------------------------------------

    #[test]
    fn successive_halving_is_read_with_defaults() {
        let c = ok(&with(
            "successive_halving: {metric: val_loss, direction: min, min_steps: 10, budget: 80}\n",
        ));
        let h = c.successive_halving.unwrap();
        assert_eq!(
            (
                h.metric.as_str(),
                h.maximize,
                h.min_steps,
                h.budget,
                h.eta,
                h.asha
            ),
            ("val_loss", false, 10, 80, 2, false)
        );
        let c = ok(&with("successive_halving: {metric: acc, direction: max, min_steps: 1, budget: 9, eta: 3, mode: asha}\n"));
        let h = c.successive_halving.unwrap();
        assert_eq!((h.maximize, h.eta, h.asha), (true, 3, true));
        assert!(ok(&with("successive_halving:\n"))
            .successive_halving
            .is_none());
    }

    #[test]
    fn successive_halving_min_steps_must_not_exceed_budget() {
        assert_eq!(
            one(&with(
                "successive_halving: {metric: l, direction: min, min_steps: 20, budget: 10}\n"
            )),
            "successive_halving: successive_halving.min_steps (20) must be <= budget (10)"
        );
    }

    #[test]
    fn successive_halving_fields_are_checked() {
        assert_eq!(
            problems(&with("successive_halving: {direction: up, min_steps: 0, budget: 4, eta: 1, mode: fast}\n")),
            [
                "successive_halving.metric: missing (add metric: <name of a streamed metric>)",
                "successive_halving.direction: 'up' must be min or max",
                "successive_halving.min_steps: 0 is not allowed (min_steps must be at least 1)",
                "successive_halving.eta: 1 is not allowed (eta must be at least 2)",
                "successive_halving.mode: 'fast' must be sync or asha",
            ]
        );
    }

    #[test]
    fn prune_grace_seconds_is_a_non_negative_integer() {
        assert_eq!(
            ok(&with("prune_grace_seconds: \"30\"\n")).prune_grace_seconds,
            30
        );
        assert_eq!(
            one(&with("prune_grace_seconds: -1\n")),
            "prune_grace_seconds: -1 is not allowed (prune_grace_seconds must not be negative)"
        );
    }

    // ---- helpers ----------------------------------------------------------------

    #[test]
    fn py_float_matches_python_repr() {
        let cases = [
            (0.001, "0.001"),
            (1e-5, "1e-05"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (5.623413251903491e-05, "5.623413251903491e-05"),
            (0.00031622776601683794, "0.00031622776601683794"),
            (1234567.89, "1234567.89"),
            (-0.0, "-0.0"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
            (0.0001, "0.0001"),
        ];
        for (f, s) in cases {
            assert_eq!(py_float(f), s);
        }
    }

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(repr("a"), "'a'");
        assert_eq!(repr("b'c"), "\"b'c\"");
        assert_eq!(repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr("x\\y\n"), "'x\\\\y\\n'");
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("partiton", SLURM_KEYS), "did you mean 'partition'?");
        assert_eq!(
            suggest("static_override", TOP_KEYS),
            "did you mean 'static_overrides'?"
        );
        assert_eq!(
            suggest("q", HALVING_KEYS),
            "valid keys: metric, direction, min_steps, budget, eta, mode"
        );
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    // ---- the no-panic property test -------------------------------------------

    const FUZZ_BASE: &str = r#"# a sweep
name: demo
grid: [lr, opt]
launcher: ./launch.sh
static_overrides: ["data.path=/scratch", "seed=1"]
slurm:
  partition: gpu
  time: "02:00:00"
  mem: 16G
  cpus_per_task: 4
  gres: gpu:1
  max_concurrent: 2
  extra_args: [--exclusive]
parameters:
  lr:
    type: continuous
    low: 1.0e-4
    high: 1e-2
    scale: log
    steps: 3
    default: 0.001
    abbrev: lr
  opt:
    type: discrete
    values: [adam, sgd]
    default: adam
  ckpt:
    type: discrete
    values: [/p/a, /p/b]
    labels: [a, b]
    default: /p/a
  +experiment: {type: discrete, values: [small, large], default: small, abbrev: exp}
conditions:
  - name: sgd-lr
    when: {opt: sgd, lr: {gt: 0.001}, expr: "lr < 0.01 and opt == 'sgd'"}
    exclude: {lr: [0.01]}
    force: {ckpt: /p/b}
    set: {sched.warmup: 100, tag: {expr: "opt + '-x'"}}
  - when: {+experiment: [small], opt: {in: [adam]}}
    set: {note: yes}
successive_halving: {metric: val_loss, direction: min, min_steps: 10, budget: 80, eta: 2, mode: sync}
prune_grace_seconds: 600
"#;

    const SNIPPETS: &[&str] = &[
        // The hostile-input limits: sizes, nesting, lengths, characters, YAML forms.
        "9223372036854775807",
        "1000000000",
        "5000001",
        "4999999",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{a: {a: {a: {a: {a: {a: {a: {a: [[[[[[[[",
        "\u{85}",
        "\u{2028}",
        "\u{2029}",
        "\u{9f}",
        "\u{feff}",
        "%TAG ! tag:x,2000:\n---\n",
        "%YAML 1.1\n",
        "010",
        "0b101",
        "0o17",
        "1_000",
        "1:30",
        "\"\": {type: discrete, values: [1]}",
        "{expr: \"[0] * 4000000 == [1]\"}",
        "{expr: \"'a' * 200000\"}",
        "null",
        "~",
        "[]",
        "{}",
        ".nan",
        "-.inf",
        "-1",
        "0",
        "1e999",
        "\"\"",
        "[1, [2]]",
        "{a: 1}",
        "{expr: \"x +\"}",
        "&a ",
        "*a",
        "!tag ",
        "'",
        "\"",
        ": ",
        "- ",
        "\n  ",
        "\t",
        "\u{0}",
        "é",
        "#",
        "99999999999999999999",
        "all",
        "log",
        "discrete",
        "continuous",
        "{gt: 1, lt: 2}",
        "{in: 3}",
        "? ",
        "|\n",
        ">-\n",
        "---\n",
        "<<: ",
        "\\",
        "%YAML 1.2\n",
    ];

    use crate::testrng::XorShift;

    fn mutate(rng: &mut XorShift, text: &[u8]) -> Vec<u8> {
        let mut b = text.to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(b.len() + 1);
            let len = 1 + rng.below(8);
            let end = (at + len).min(b.len());
            match rng.below(8) {
                0 => {
                    b.drain(at..end);
                }
                1 => {
                    let piece: Vec<u8> = b[at..end].to_vec();
                    b.splice(at..at, piece);
                }
                2 => {
                    let byte = match rng.below(3) {
                        0 => b":- \n'\"[]{},#&*!|>?%@`\t"[rng.below(22)],
                        1 => b'0' + rng.below(10) as u8,
                        _ => rng.next() as u8,
                    };
                    b.insert(at, byte);
                }
                3 if rng.below(50) == 0 => {
                    // A long string: override-length and message-length limits.
                    let long = "x".repeat(1 + rng.below(140_000));
                    b.splice(at..at, long.bytes());
                }
                3 => {
                    let s = SNIPPETS[rng.below(SNIPPETS.len())].as_bytes();
                    b.splice(at..at, s.iter().copied());
                }
                op => b = mutate_lines(rng, &b, op),
            }
        }
        b
    }

    fn mutate_lines(rng: &mut XorShift, b: &[u8], op: usize) -> Vec<u8> {
        let mut lines: Vec<Vec<u8>> = b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
        let i = rng.below(lines.len());
        let j = rng.below(lines.len());
        match op {
            4 => {
                lines.remove(i);
            }
            5 => {
                let l = lines[i].clone();
                lines.insert(j, l);
            }
            6 => lines.swap(i, j),
            _ => {
                // Swap the values (text after ": ") of two lines.
                let split = |l: &[u8]| l.windows(2).position(|w| w == b": ").map(|p| p + 2);
                if let (Some(a), Some(c)) = (split(&lines[i]), split(&lines[j])) {
                    let va = lines[i][a..].to_vec();
                    let vc = lines[j][c..].to_vec();
                    lines[i].truncate(a);
                    lines[i].extend(vc);
                    lines[j].truncate(c);
                    lines[j].extend(va);
                }
            }
        }
        lines.join(&b'\n')
    }

    /// Feeds random mutations of a valid config through `parse`: it must return,
    /// never panic. `HERD_FUZZ_ITERS` (default 20000) and `HERD_FUZZ_SEED` override.
    #[test]
    fn random_mutations_never_panic() {
        ok(FUZZ_BASE);
        let iters: usize = std::env::var("HERD_FUZZ_ITERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20_000);
        let seed: u64 = std::env::var("HERD_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        let mut rng = XorShift(seed | 1);
        let (mut oks, mut errs) = (0usize, 0usize);
        let mut current = FUZZ_BASE.as_bytes().to_vec();
        for _ in 0..iters {
            // Mostly fresh mutants of the valid config, sometimes a drifting one.
            let base = if rng.below(4) == 0 {
                current.clone()
            } else {
                FUZZ_BASE.as_bytes().to_vec()
            };
            current = mutate(&mut rng, &base);
            let text = String::from_utf8_lossy(&current).into_owned();
            let result = std::panic::catch_unwind(|| {
                let Ok(cfg) = parse_str(&text) else {
                    return false;
                };
                // Expansion too, where the sweep is small enough to be quick: it
                // must refuse (size, names, overrides, expressions), never panic.
                let small = cfg.parameters.iter().fold(1u64, |n, p| {
                    n.saturating_mul(match &p.kind {
                        ParamKind::Discrete { values, .. } => values.len() as u64,
                        ParamKind::Continuous { steps, .. } => *steps,
                    })
                }) <= 10_000;
                if small {
                    let _ = crate::model::expand::expand(&cfg);
                } else {
                    let _ = crate::model::expand::check_size(&cfg);
                }
                true
            });
            match result {
                Ok(true) => oks += 1,
                Ok(false) => errs += 1,
                Err(_) => panic!("parse panicked on input:\n{text:?}"),
            }
        }
        if iters >= 1000 {
            assert!(
                oks > 0 && errs > 0,
                "mutations too weak or too strong: {oks} ok, {errs} errors"
            );
        }
    }
}
