//! `job.sbatch` rendering: one SLURM array script with every trial's values baked in.
//!
//! The template (`job.sbatch.tt`) goes through tinytemplate with a **shell-quoting
//! default formatter**, so a value from the YAML can only reach bash as one inert
//! single-quoted word (B1). The two exceptions are explicit and checked: `directive`
//! (text of an `#SBATCH` comment line, refused if it holds a control character, which
//! is the only way out of a comment) and `int` (numbers only).

use crate::error::Error;
use crate::text::pyfmt::shell_quote;
use serde::Serialize;
use serde_json::Value as Json;
use tinytemplate::TinyTemplate;

const TEMPLATE: &str = include_str!("job.sbatch.tt");

/// One `case` arm: a trial the script can run.
#[derive(Debug, Serialize)]
pub struct Arm {
    /// The trial index (what `HYPERHERD_TRIAL_ID` becomes).
    pub index: u64,
    /// The experiment name.
    pub name: String,
    /// The override string.
    pub overrides: String,
}

/// Everything the script needs.
#[derive(Debug, Serialize)]
pub struct Script {
    /// `--job-name`.
    pub job_name: String,
    /// `--array` spec including any `%throttle`, in task ids.
    pub array: String,
    /// `--partition`.
    pub partition: String,
    /// `--time`.
    pub time: String,
    /// `--mem`.
    pub mem: String,
    /// `--cpus-per-task`.
    pub cpus: u64,
    /// `--gres`, if any.
    pub gres: Option<String>,
    /// `--output` path pattern.
    pub log_out: String,
    /// `--error` path pattern.
    pub log_err: String,
    /// `.hyperherd/logs` (used when task ids are re-based).
    pub logs_dir: String,
    /// `.hyperherd/exit` (exit-status records).
    pub exit_dir: String,
    /// Extra `#SBATCH` lines.
    pub extra_args: Vec<String>,
    /// `slurm.signal_grace`: SLURM sends the batch shell USR2 this many seconds before
    /// the time limit (and at preemption where the site allows it), the script forwards
    /// it to the launcher, and the job may be requeued. `None`: the reference script.
    pub signal_grace: Option<u64>,
    /// Added to `SLURM_ARRAY_TASK_ID` to get the trial index (0: not re-based).
    pub task_offset: u64,
    /// The workspace directory.
    pub workspace: String,
    /// The sweep name.
    pub sweep: String,
    /// The launcher script.
    pub launcher: String,
    /// The trials, ascending by index.
    pub arms: Vec<Arm>,
}

fn quote(v: &Json, out: &mut String) -> tinytemplate::error::Result<()> {
    match v {
        Json::String(s) => out.push_str(&shell_quote(s)),
        Json::Number(n) => out.push_str(&n.to_string()),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        other => {
            return Err(tinytemplate::error::Error::GenericError {
                msg: format!("refusing to render {other} into a shell script"),
            })
        }
    }
    Ok(())
}

fn directive(v: &Json, out: &mut String) -> tinytemplate::error::Result<()> {
    match v {
        Json::String(s) if !s.chars().any(char::is_control) => out.push_str(s),
        Json::Number(n) => out.push_str(&n.to_string()),
        other => {
            return Err(tinytemplate::error::Error::GenericError {
                msg: format!("refusing to render {other} into an #SBATCH line"),
            })
        }
    }
    Ok(())
}

fn int(v: &Json, out: &mut String) -> tinytemplate::error::Result<()> {
    match v {
        Json::Number(n) if n.is_u64() => out.push_str(&n.to_string()),
        other => {
            return Err(tinytemplate::error::Error::GenericError {
                msg: format!("expected an integer, got {other}"),
            })
        }
    }
    Ok(())
}

/// Write a job script atomically and make it executable.
pub fn write_executable(path: &std::path::Path, text: &str) -> Result<(), Error> {
    // The mode is set on the new file before it replaces the old: never through a
    // link planted at `path`.
    crate::store::fs::write_atomic_mode(path, text.as_bytes(), Some(0o755))
}

/// Render the job script.
pub fn render(s: &Script) -> Result<String, Error> {
    let mut tt = TinyTemplate::new();
    tt.set_default_formatter(&quote);
    tt.add_formatter("directive", directive);
    tt.add_formatter("int", int);
    tt.add_template("job", TEMPLATE)
        .map_err(|e| Error::failed(format!("job script template: {e}")))?;
    tt.render("job", s)
        .map_err(|e| Error::failed(format!("rendering the job script: {e}")))
}

/// SLURM's array spec for sorted task ids: runs collapsed (`0-1,3,5-7`), spec §6.4.
pub fn array_spec(ids: &[u64]) -> String {
    let mut ids: Vec<u64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut end = start;
        while i + 1 < ids.len() && ids[i + 1] == end + 1 {
            i += 1;
            end = ids[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests;
