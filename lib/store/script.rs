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
mod tests {
    use super::*;
    use std::process::Command;

    fn sample(arms: Vec<Arm>, offset: u64) -> Script {
        Script {
            job_name: "hyperherd_demo".into(),
            array: "0-1%2".into(),
            partition: "gpu".into(),
            time: "02:00:00".into(),
            mem: "16G".into(),
            cpus: 4,
            gres: Some("gpu:1".into()),
            log_out: "/scratch/demo/.hyperherd/logs/%a.out".into(),
            log_err: "/scratch/demo/.hyperherd/logs/%a.err".into(),
            logs_dir: "/scratch/demo/.hyperherd/logs".into(),
            exit_dir: "/scratch/demo/.hyperherd/exit".into(),
            extra_args: vec!["--exclusive".into(), "--account=abc".into()],
            task_offset: offset,
            workspace: "/scratch/demo".into(),
            sweep: "demo".into(),
            launcher: "/scratch/demo/launch.sh".into(),
            arms,
        }
    }

    fn arm(i: u64, name: &str, ov: &str) -> Arm {
        Arm {
            index: i,
            name: name.into(),
            overrides: ov.into(),
        }
    }

    #[test]
    fn renders_the_reference_header_and_arms() {
        let text = render(&sample(
            vec![arm(0, "lr-0.1", "experiment_name=lr-0.1 lr=0.1")],
            0,
        ))
        .unwrap();
        assert!(text.starts_with(
            "#!/bin/bash\n#SBATCH --job-name=hyperherd_demo\n#SBATCH --array=0-1%2\n"
        ));
        assert!(text.contains(
            "#SBATCH --gres=gpu:1\n#SBATCH --output=/scratch/demo/.hyperherd/logs/%a.out\n"
        ));
        assert!(text.contains("#SBATCH --exclusive\n#SBATCH --account=abc\n\n# Run divider"));
        assert!(text.contains("_HH_DIVIDER=\"==== HyperHerd run: job ${SLURM_JOB_ID} array-task ${SLURM_ARRAY_TASK_ID} $(date -Iseconds) ====\""));
        assert!(text.contains(
            "export HYPERHERD_WORKSPACE=/scratch/demo\nexport HYPERHERD_SWEEP_NAME=demo\n"
        ));
        assert!(text.contains(
            "  0)\n    HYPERHERD_TRIAL_NAME=lr-0.1\n    HYPERHERD_EXPERIMENT_NAME=lr-0.1\n    OVERRIDES='experiment_name=lr-0.1 lr=0.1'\n    ;;\n  *)\n"
        ));
        assert!(text.contains("bash /scratch/demo/launch.sh \"$OVERRIDES\""));
    }

    #[test]
    fn hostile_values_stay_inert_and_bash_accepts_the_script() {
        let evil = "x=$(touch pwned) `id` ' \" ; ü";
        let text = render(&sample(vec![arm(3, evil, evil)], 5)).unwrap();
        assert!(text.contains("OVERRIDES='x=$(touch pwned) `id` '\"'\"' \" ; ü'"));
        assert!(text.contains("_HH_TASK=$((SLURM_ARRAY_TASK_ID + 5))"));
        let dir = std::env::temp_dir().join(format!("herd-script-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("job.sbatch");
        std::fs::write(&path, &text).unwrap();
        let st = Command::new("bash").arg("-n").arg(&path).status().unwrap();
        assert!(st.success(), "bash -n rejected:\n{text}");
    }

    #[test]
    fn control_characters_cannot_reach_an_sbatch_line() {
        let mut s = sample(vec![], 0);
        s.partition = "gpu\ntouch pwned".into();
        assert!(render(&s).unwrap_err().to_string().contains("refusing"));
    }

    #[test]
    fn the_template_never_emits_unescaped_values() {
        assert!(!TEMPLATE.contains("unescaped"));
        assert!(!TEMPLATE.contains("| raw"));
    }

    #[test]
    fn array_specs_collapse_runs() {
        assert_eq!(array_spec(&[0, 1, 2, 3]), "0-3");
        assert_eq!(array_spec(&[0, 1, 3, 5, 6, 7]), "0-1,3,5-7");
        assert_eq!(array_spec(&[5, 3, 1, 2]), "1-3,5");
        assert_eq!(array_spec(&[1, 1, 2, 2, 3]), "1-3");
        assert_eq!(array_spec(&[1, 3, 5]), "1,3,5");
        assert_eq!(array_spec(&[5]), "5");
    }
}
