//! The job script: reference text, quoting, and how the script behaves under bash.

use super::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        signal_grace: None,
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
    let dir = TempDir::new("hostile");
    let path = dir.0.join("job.sbatch");
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

/// `sample` with two arms as the script was rendered before `signal_grace` existed:
/// without the option the text must stay exactly this.
const REFERENCE_TWO_ARMS: &str = r#"#!/bin/bash
#SBATCH --job-name=hyperherd_demo
#SBATCH --array=0-1%2
#SBATCH --partition=gpu
#SBATCH --time=02:00:00
#SBATCH --mem=16G
#SBATCH --cpus-per-task=4
#SBATCH --gres=gpu:1
#SBATCH --output=/scratch/demo/.hyperherd/logs/%a.out
#SBATCH --error=/scratch/demo/.hyperherd/logs/%a.err
#SBATCH --open-mode=append
#SBATCH --exclusive
#SBATCH --account=abc

# Run divider — visible in both stdout and stderr after append
_HH_DIVIDER="==== HyperHerd run: job ${SLURM_JOB_ID} array-task ${SLURM_ARRAY_TASK_ID} $(date -Iseconds) ===="
_HH_TASK="$SLURM_ARRAY_TASK_ID"
printf "\n%s\n\n" "$_HH_DIVIDER"
printf "\n%s\n\n" "$_HH_DIVIDER" >&2

# Export HyperHerd environment variables
export HYPERHERD_WORKSPACE=/scratch/demo
export HYPERHERD_SWEEP_NAME=demo
export HYPERHERD_TRIAL_ID="$_HH_TASK"

# Per-trial lookup baked at submission time (no Python required here).
case "$_HH_TASK" in
  0)
    HYPERHERD_TRIAL_NAME=lr-0.1
    HYPERHERD_EXPERIMENT_NAME=lr-0.1
    OVERRIDES='experiment_name=lr-0.1 lr=0.1'
    ;;
  1)
    HYPERHERD_TRIAL_NAME=lr-0.01
    HYPERHERD_EXPERIMENT_NAME=lr-0.01
    OVERRIDES='experiment_name=lr-0.01 lr=0.01'
    ;;
  *)
    echo "HyperHerd: no lookup entry for SLURM_ARRAY_TASK_ID=$SLURM_ARRAY_TASK_ID" >&2
    exit 1
    ;;
esac
export HYPERHERD_TRIAL_NAME HYPERHERD_EXPERIMENT_NAME

# Record how the trial ends (herd-status reads it when SLURM accounting is off):
# "<array job id>_<task id> <exit status>", or "… TERM" when SLURM stops the trial.
_HH_EXIT=/scratch/demo/.hyperherd/exit/"$_HH_TASK"
_hh_end() { printf '%s %s\n' "${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}_$SLURM_ARRAY_TASK_ID" "$1" >"$_HH_EXIT.tmp" && mv -f "$_HH_EXIT.tmp" "$_HH_EXIT"; }
trap '_hh_end TERM; kill -TERM "$_hh_pid" 2>/dev/null; wait "$_hh_pid"; exit 143' TERM

# Invoke the user's launcher script
bash /scratch/demo/launch.sh "$OVERRIDES" <&0 &
_hh_pid=$!
wait "$_hh_pid"
_hh_rc=$?
_hh_end "$_hh_rc"
exit "$_hh_rc"
"#;

fn two_arms() -> Vec<Arm> {
    vec![
        arm(0, "lr-0.1", "experiment_name=lr-0.1 lr=0.1"),
        arm(1, "lr-0.01", "experiment_name=lr-0.01 lr=0.01"),
    ]
}

const USR2_LINE: &str =
    "HyperHerd: USR2 from SLURM (time limit or preemption in 90s): forwarded to the launcher";

#[test]
fn without_signal_grace_the_script_is_unchanged() {
    assert_eq!(render(&sample(two_arms(), 0)).unwrap(), REFERENCE_TWO_ARMS);
    let rebased = REFERENCE_TWO_ARMS.replace(
        "_HH_TASK=\"$SLURM_ARRAY_TASK_ID\"\n",
        "_HH_TASK=$((SLURM_ARRAY_TASK_ID + 5))\n\
         # Chunked submission: task ids are re-based, so logs are redirected by trial index.\n\
         exec >>/scratch/demo/.hyperherd/logs/\"$_HH_TASK\".out 2>>/scratch/demo/.hyperherd/logs/\"$_HH_TASK\".err\n",
    );
    assert_eq!(render(&sample(two_arms(), 5)).unwrap(), rebased);
}

#[test]
fn signal_grace_adds_the_directives_the_trap_and_the_wait_loop() {
    let mut s = sample(two_arms(), 0);
    s.signal_grace = Some(90);
    let text = render(&s).unwrap();
    assert!(text.contains(
        "#SBATCH --open-mode=append\n#SBATCH --signal=B:USR2@90\n#SBATCH --requeue\n#SBATCH --exclusive\n"
    ));
    assert!(text.contains(&format!(
        "\ntrap '_hh_usr2=$((_hh_usr2 + 1)); echo \"{USR2_LINE}\" >&2; kill -USR2 \"$_hh_pid\" 2>/dev/null' USR2\n"
    )));
    assert!(text.contains("while :; do sleep 5 & _hh_pid=$!; wait \"$_hh_pid\"; done\n"));
    // Everything else is the reference text: take the added lines out again.
    let added = [
        "#SBATCH --signal=B:USR2@90",
        "#SBATCH --requeue",
        "# SLURM's warning (--signal above) goes on to the launcher, which may checkpoint.",
        "_hh_usr2=0",
        &format!("trap '_hh_usr2=$((_hh_usr2 + 1)); echo \"{USR2_LINE}\" >&2; kill -USR2 \"$_hh_pid\" 2>/dev/null' USR2"),
        "# A trapped USR2 ends `wait` early (status > 128): wait again until the launcher has ended.",
        "while :; do",
        "    _hh_n=$_hh_usr2",
        "    [ \"$_hh_rc\" -gt 128 ] && [ \"$_hh_n\" != \"$_hh_usr2\" ] || break",
        "done",
        "if [ \"$_hh_usr2\" != 0 ] && [ \"$_hh_rc\" -gt 128 ]; then",
        "    # Killed by a signal after the warning: SLURM ends the job (TIMEOUT, preemption,",
        "    # requeue) so its state says why; the TERM trap records the exit.",
        "    trap '' USR2",
        "    while :; do sleep 5 & _hh_pid=$!; wait \"$_hh_pid\"; done",
        "fi",
    ];
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !added.contains(l))
        // The loop's body is the reference's own `wait` and `$?`, indented.
        .map(|l| match l {
            "    wait \"$_hh_pid\"" | "    _hh_rc=$?" => l.trim_start(),
            _ => l,
        })
        .collect();
    let reference: Vec<&str> = REFERENCE_TWO_ARMS.lines().collect();
    assert_eq!(kept, reference, "{text}");
    let dir = TempDir::new("syntax");
    let path = dir.0.join("job.sbatch");
    std::fs::write(&path, &text).unwrap();
    let st = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(st.success(), "bash -n rejected:\n{text}");
}

/// A directory of its own per test, removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("herd-script-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("exit")).unwrap();
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The rendered script running under bash as SLURM would start it (array job 100,
/// task 0), with `launcher` as the launcher's body. Stdout and stderr go to files.
struct Job {
    child: Child,
    dir: TempDir,
}

impl Job {
    fn start(name: &str, launcher: &str) -> Job {
        let dir = TempDir::new(name);
        let d = dir.0.display().to_string();
        std::fs::write(dir.0.join("launch.sh"), launcher).unwrap();
        let mut s = sample(vec![arm(0, "t0", "a=1")], 0);
        s.signal_grace = Some(90);
        s.workspace = d.clone();
        s.logs_dir = format!("{d}/logs");
        s.exit_dir = format!("{d}/exit");
        s.launcher = format!("{d}/launch.sh");
        std::fs::write(dir.0.join("job.sbatch"), render(&s).unwrap()).unwrap();
        let child = Command::new("bash")
            .arg(dir.0.join("job.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", "0")
            .env("SLURM_ARRAY_JOB_ID", "100")
            .env("SLURM_JOB_ID", "101")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.0.join("out")).unwrap())
            .stderr(std::fs::File::create(dir.0.join("err")).unwrap())
            .spawn()
            .unwrap();
        let job = Job { child, dir };
        // The launcher writes `started` once its own trap (if any) is set.
        let started = job.dir.0.join("started");
        let t = Instant::now();
        while !started.exists() {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "the launcher never started"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The batch shell took the launcher's pid right after starting it.
        std::thread::sleep(Duration::from_millis(100));
        job
    }

    fn signal(&self, sig: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), sig).unwrap();
    }

    /// The script's exit code, if it ends within `limit`.
    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let t = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st.code().expect("the script exits, it is not killed"));
            }
            if t.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.0.join(name)).unwrap_or_default()
    }
}

impl Drop for Job {
    /// A failed test still leaves nothing running: TERM lets the script's trap end the
    /// launcher, then the script itself (only ever the pid this test started).
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.signal(Signal::SIGTERM);
            if self.wait(Duration::from_secs(3)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

#[test]
fn usr2_reaches_a_launcher_that_checkpoints_and_exits_0() {
    let mut job = Job::start(
        "usr2-exit0",
        "trap 'kill \"$s\"; : >\"$HYPERHERD_WORKSPACE/got-usr2\"; exit 0' USR2\n\
         sleep 20 & s=$!\n\
         : >\"$HYPERHERD_WORKSPACE/started\"\n\
         wait \"$s\"\n\
         exit 3\n",
    );
    job.signal(Signal::SIGUSR2);
    assert_eq!(job.wait(Duration::from_secs(4)), Some(0));
    assert!(job.dir.0.join("got-usr2").exists());
    assert_eq!(job.file("exit/0"), "100_0 0\n");
    assert_eq!(
        job.file("err").matches(USR2_LINE).count(),
        1,
        "{}",
        job.file("err")
    );
}

#[test]
fn a_launcher_killed_by_usr2_leaves_the_end_to_slurm() {
    let mut job = Job::start(
        "usr2-killed",
        ": >\"$HYPERHERD_WORKSPACE/started\"\nexec sleep 20\n",
    );
    job.signal(Signal::SIGUSR2);
    assert_eq!(
        job.wait(Duration::from_secs(2)),
        None,
        "the script ended by itself"
    );
    assert_eq!(job.file("exit/0"), "");
    job.signal(Signal::SIGTERM);
    assert_eq!(job.wait(Duration::from_secs(3)), Some(143));
    assert_eq!(job.file("exit/0"), "100_0 TERM\n");
    assert_eq!(
        job.file("err").matches(USR2_LINE).count(),
        1,
        "{}",
        job.file("err")
    );
}

#[test]
fn a_launcher_that_carries_on_after_usr2_keeps_its_exit_status() {
    let mut job = Job::start(
        "usr2-ignored",
        "trap 'echo usr2' USR2\n\
         : >\"$HYPERHERD_WORKSPACE/started\"\n\
         for i in 1 2 3; do sleep 0.3; done\n\
         exit 7\n",
    );
    job.signal(Signal::SIGUSR2);
    assert_eq!(job.wait(Duration::from_secs(4)), Some(7));
    assert_eq!(job.file("exit/0"), "100_0 7\n");
    assert!(job.file("out").contains("\nusr2\n"), "{}", job.file("out"));
}
