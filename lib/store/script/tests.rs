//! The job script: reference text, quoting, and how the script behaves under bash.

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
    assert!(
        text.starts_with("#!/bin/bash\n#SBATCH --job-name=hyperherd_demo\n#SBATCH --array=0-1%2\n")
    );
    assert!(text
        .contains("#SBATCH --gres=gpu:1\n#SBATCH --output=/scratch/demo/.hyperherd/logs/%a.out\n"));
    assert!(text.contains("#SBATCH --exclusive\n#SBATCH --account=abc\n\n# Run divider"));
    assert!(text.contains("_HH_DIVIDER=\"==== HyperHerd run: job ${SLURM_JOB_ID} array-task ${SLURM_ARRAY_TASK_ID} $(date -Iseconds) ====\""));
    assert!(text
        .contains("export HYPERHERD_WORKSPACE=/scratch/demo\nexport HYPERHERD_SWEEP_NAME=demo\n"));
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
