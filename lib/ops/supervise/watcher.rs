//! The watcher as a small SLURM job that resubmits itself (`herd-watch --slurm`), so
//! that nothing has to stay alive on the login node: each job runs one tick
//! (`herd-watch --once --resubmit`) and, unless the sweep is over or the watcher was
//! stopped, submits the next one to begin `every` seconds later. One at a time per
//! workspace: the job id is kept in `watch.json`, and a new one is submitted only
//! under the workspace lock when the recorded one is no longer queued (or is the job
//! doing the submitting).

use crate::config::Config;
use crate::error::Error;
use crate::slurm;
use crate::store::workspace::Workspace;
use crate::text::pyfmt::shell_quote;
use std::path::Path;

/// The job name of a sweep's watcher.
pub fn job_name(cfg: &Config) -> String {
    format!("herd-watch_{}", cfg.name)
}

/// The watcher job's script: one tick and the resubmission, minimal resources.
fn script(cfg: &Config, exe: &Path, every: u64) -> String {
    let ws = Workspace::new(&cfg.workspace);
    let mut s = String::from("#!/bin/bash\n");
    s.push_str(&format!("#SBATCH --job-name={}\n", job_name(cfg)));
    s.push_str(&format!("#SBATCH --partition={}\n", cfg.slurm.partition));
    s.push_str("#SBATCH --time=00:10:00\n#SBATCH --mem=256M\n#SBATCH --cpus-per-task=1\n");
    s.push_str(&format!(
        "#SBATCH --output={}\n#SBATCH --open-mode=append\n",
        ws.logs_dir().join("watch.out").display()
    ));
    // The account and QOS the sweep's jobs are charged to, nothing else (a GPU).
    for a in cfg.slurm.extra_args.iter().map(|a| a.trim()) {
        if ["--account", "-A", "--qos", "-q"]
            .iter()
            .any(|f| a.starts_with(&format!("{f}=")) || a.starts_with(&format!("{f} ")))
        {
            s.push_str(&format!("#SBATCH {a}\n"));
        }
    }
    s.push_str(&format!(
        "exec {} --once --resubmit --every {every} {}\n",
        shell_quote(&exe.display().to_string()),
        shell_quote(&cfg.workspace.display().to_string())
    ));
    s
}

/// True while SLURM has `job` queued or running; an error when squeue cannot tell
/// (then a second watcher must not be started, nor the first assumed gone).
fn is_queued(job: &str) -> Result<bool, Error> {
    let o = slurm::run("squeue", &["-h", "-j", job, "-o", "%i %t"], None)?;
    match o.code {
        Some(0) => Ok(!o.stdout.trim().is_empty()),
        // A job SLURM has forgotten: long gone.
        _ if o.stderr.contains("Invalid job id") => Ok(false),
        _ => Err(
            Error::failed(format!("squeue -j {job} failed: {}", o.stderr.trim()))
                .hint("try again when SLURM answers"),
        ),
    }
}

/// Submit the watcher job to begin in `begin_in` seconds (0: now), unless another
/// one is queued. `own`: the job doing the submitting (inside a watcher job).
/// Returns the new job id, or None when another watcher job is queued.
pub fn submit(
    cfg: &Config,
    every: u64,
    begin_in: u64,
    own: Option<&str>,
) -> Result<Option<String>, Error> {
    let ws = Workspace::new(&cfg.workspace);
    let _lock = ws.lock()?;
    let mut state = ws.read_watch()?;
    if own.is_some() && state.stopped {
        return Ok(None);
    }
    if let Some(j) = &state.job {
        if Some(j.as_str()) != own && is_queued(j)? {
            return Ok(None);
        }
    }
    crate::ops::submit::check_slurm_path(cfg)?;
    let exe = std::env::current_exe().map_err(|e| Error::io("finding herd-watch's own path", e))?;
    let path = ws.dir().join("watch.sbatch");
    crate::store::script::write_executable(&path, &script(cfg, &exe, every))?;
    let begin = format!("--begin=now+{begin_in}");
    let id = slurm::sbatch(&path, &cfg.workspace, &[&begin]).map_err(|f| f.error)?;
    state.job = Some(id.clone());
    state.stopped = false;
    ws.write_watch(&state)?;
    Ok(Some(id))
}

/// A watcher started by hand acts again after `herd-stop --all` stopped the last one.
pub fn resume(cfg: &Config) -> Result<(), Error> {
    let ws = Workspace::new(&cfg.workspace);
    let _lock = ws.lock()?;
    let mut state = ws.read_watch()?;
    if state.stopped {
        state.stopped = false;
        ws.write_watch(&state)?;
    }
    Ok(())
}

/// Forget a finished watcher (the sweep is over): no job is recorded any more.
pub fn forget(cfg: &Config, own: &str) -> Result<(), Error> {
    let ws = Workspace::new(&cfg.workspace);
    let _lock = ws.lock()?;
    let mut state = ws.read_watch()?;
    if state.job.as_deref() == Some(own) {
        state.job = None;
        ws.write_watch(&state)?;
    }
    Ok(())
}

/// Mark the watcher stopped (`herd-stop --all`), so that a running or queued one
/// neither acts nor resubmits: needs no SLURM. Takes the lock. Returns the
/// watcher's recorded job, if any.
pub fn mark_stopped(ws: &Workspace) -> Result<Option<String>, Error> {
    let _lock = ws.lock()?;
    let mut state = ws.read_watch()?;
    if state.stopped && state.job.is_none() {
        return Ok(None);
    }
    let job = state.job.take();
    state.stopped = true;
    ws.write_watch(&state)?;
    Ok(job)
}

/// Cancel the stopped watcher's job if SLURM still has it queued; its id if so.
pub fn cancel(job: &str) -> Result<Option<String>, Error> {
    if is_queued(job)? {
        slurm::scancel(&[job])?;
        return Ok(Some(job.to_string()));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_runs_one_tick_with_quoted_paths() {
        let yaml = "name: demo\ngrid: all\nlauncher: ./launch.sh\nslurm: {partition: debug}\nparameters:\n  lr: {type: discrete, values: [1, 2]}\n";
        let ws = Path::new("/scratch/my ws");
        let mut cfg = crate::config::parse(yaml, &ws.join("hyperherd.yaml"), ws).unwrap();
        cfg.slurm.extra_args = vec!["--account=ml".into(), "--gres=gpu:1".into()];
        let s = script(&cfg, Path::new("/opt/herd/bin/herd-watch"), 60);
        assert!(s.contains("#SBATCH --job-name=herd-watch_demo\n"));
        assert!(s.contains("#SBATCH --account=ml\n"));
        assert!(!s.contains("gres"));
        assert!(s.ends_with(
            "exec /opt/herd/bin/herd-watch --once --resubmit --every 60 '/scratch/my ws'\n"
        ));
    }
}
