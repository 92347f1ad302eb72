//! Calls to SLURM's commands (`sbatch`, `scontrol`, `squeue`), each with a timeout,
//! and parsers of their output.
//!
//! A failed or timed-out call is an error that carries SLURM's own message; callers
//! never change any state on an error.

use crate::error::Error;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long any SLURM command may take before herd gives up on it.
pub fn timeout() -> Duration {
    let secs = std::env::var("HERD_SLURM_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// The output of a finished command.
#[derive(Debug)]
pub struct Output {
    /// Exit status (None when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Run `prog args…` (in `cwd` if given) with a timeout; stdin is closed.
pub fn run(prog: &str, args: &[&str], cwd: Option<&Path>) -> Result<Output, Error> {
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "SLURM's commands are not on PATH here; run herd on a login node of the cluster"
        } else {
            "check that SLURM's client commands work here"
        };
        Error::failed(format!("running {prog}: {e}")).hint(hint)
    })?;
    // Read both pipes on threads so a chatty command cannot block on a full pipe.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let deadline = Instant::now() + timeout();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::failed(format!(
                    "{prog} did not answer within {} s",
                    timeout().as_secs()
                ))
                .hint("the SLURM controller may be down or overloaded; try again later"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Error::io(format!("waiting for {prog}"), e)),
        }
    };
    Ok(Output {
        code: status.code(),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    })
}

/// Submit a batch script with `sbatch --parsable`; returns the job id.
///
/// `--parsable` in the script's own `extra_args` is harmless (B12): the output is
/// parsed the same way. Extra `args` go before the script path.
pub fn sbatch(script: &Path, cwd: &Path, args: &[&str]) -> Result<String, Error> {
    let path = script.to_string_lossy();
    let mut argv = vec!["--parsable"];
    argv.extend_from_slice(args);
    argv.push(&path);
    let out = run("sbatch", &argv, Some(cwd))?;
    if out.code != Some(0) {
        return Err(
            Error::failed(format!("sbatch refused the job: {}", out.stderr.trim()))
                .hint("no trial status was changed; fix the cause and submit again"),
        );
    }
    parse_sbatch(&out.stdout).ok_or_else(|| {
        Error::failed(format!(
            "could not read a job id from sbatch's output: {:?}",
            out.stdout.trim()
        ))
    })
}

/// `12345` or `12345;cluster` (from `--parsable`), or `Submitted batch job 12345`.
pub fn parse_sbatch(stdout: &str) -> Option<String> {
    let line = stdout.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let id = line.strip_prefix("Submitted batch job ").unwrap_or(line);
    let id = id.split(';').next()?.trim();
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
}

/// Limits read from `scontrol show config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `MaxArraySize`: task ids must be below this.
    pub max_array_size: u64,
    /// `MaxJobCount`: how many jobs (array tasks count) the controller holds.
    pub max_job_count: u64,
}

/// Read `MaxArraySize` and `MaxJobCount` (SLURM's defaults when absent).
///
/// `HERD_MAX_ARRAY_SIZE` overrides the query (for dry runs away from the cluster).
pub fn limits() -> Result<Limits, Error> {
    if let Some(n) = std::env::var("HERD_MAX_ARRAY_SIZE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return Ok(Limits {
            max_array_size: n.max(1),
            max_job_count: 10000,
        });
    }
    let out = run("scontrol", &["show", "config"], None)?;
    if out.code != Some(0) {
        return Err(Error::failed(format!(
            "scontrol show config failed: {}",
            out.stderr.trim()
        )));
    }
    Ok(parse_limits(&out.stdout))
}

/// Parse `scontrol show config` text.
pub fn parse_limits(text: &str) -> Limits {
    let get = |key: &str, default: u64| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(default)
    };
    Limits {
        max_array_size: get("MaxArraySize", 1001),
        max_job_count: get("MaxJobCount", 10000),
    }
}

/// Live jobs with this job name: `(array job id, comment)` pairs from `squeue`.
pub fn live_jobs_named(name: &str) -> Result<Vec<(String, String)>, Error> {
    let out = run("squeue", &["-h", "--name", name, "-o", "%F|%k"], None)?;
    if out.code != Some(0) {
        return Err(Error::failed(format!(
            "squeue failed: {}",
            out.stderr.trim()
        )));
    }
    let mut jobs: Vec<(String, String)> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(id, c)| (id.trim().to_string(), c.trim().to_string()))
        .collect();
    jobs.sort();
    jobs.dedup();
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbatch_output_forms() {
        assert_eq!(parse_sbatch("12345\n").as_deref(), Some("12345"));
        assert_eq!(parse_sbatch("12345;harness\n").as_deref(), Some("12345"));
        assert_eq!(
            parse_sbatch("Submitted batch job 77\n").as_deref(),
            Some("77")
        );
        assert_eq!(
            parse_sbatch("sbatch: warning: x\n9\n").as_deref(),
            Some("9")
        );
        assert_eq!(parse_sbatch("oops"), None);
        assert_eq!(parse_sbatch(""), None);
    }

    #[test]
    fn limits_from_captured_scontrol_output() {
        // Captured from the test cluster (`scontrol show config`, trimmed).
        let text = "Configuration data as of 2026-11-29T10:00:00\nMaxArraySize            = 10\nMaxJobCount             = 100000\nMaxStepCount            = 40000\n";
        assert_eq!(
            parse_limits(text),
            Limits {
                max_array_size: 10,
                max_job_count: 100000
            }
        );
        assert_eq!(
            parse_limits(""),
            Limits {
                max_array_size: 1001,
                max_job_count: 10000
            }
        );
    }
}
