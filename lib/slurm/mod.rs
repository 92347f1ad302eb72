//! Calls to SLURM's commands (`sbatch`, `scontrol`, `squeue`), each with a timeout,
//! and parsers of their output.
//!
//! A failed or timed-out call is an error that carries SLURM's own message; callers
//! never change any state on an error.

pub mod acct;
mod limits;
pub(crate) mod observations;

use crate::error::Error;
pub use limits::{current_user, partition_caps, queued_jobs, submit_limit};
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
    call(prog, args, cwd).map_err(|f| f.error)
}

/// A SLURM command that gave no output: why, and whether it was still running when
/// herd gave up on it (it may have done its work all the same).
struct CallFailure {
    error: Error,
    timed_out: bool,
}

/// [`run`], telling a command that timed out from one that never started.
fn call(prog: &str, args: &[&str], cwd: Option<&Path>) -> Result<Output, CallFailure> {
    let mut cmd = Command::new(prog);
    cmd.args(args);
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let limit = timeout();
    match run_within(cmd, limit) {
        Ok(Some(out)) => Ok(out),
        Ok(None) => Err(CallFailure {
            error: timed_out(prog, limit),
            timed_out: true,
        }),
        Err(e) => Err(CallFailure {
            error: not_started(prog, &e),
            timed_out: false,
        }),
    }
}

fn timed_out(prog: &str, limit: Duration) -> Error {
    Error::failed(format!(
        "{prog} did not answer within {} s",
        limit.as_secs()
    ))
    .hint("the SLURM controller may be down or overloaded; try again later")
}

fn not_started(prog: &str, e: &std::io::Error) -> Error {
    let hint = if e.kind() == std::io::ErrorKind::NotFound {
        "SLURM's commands are not on PATH here: run herd on a login node of the cluster, or run the sweep on this machine with 'herd run --local'"
    } else {
        "check that SLURM's client commands work here"
    };
    Error::failed(format!("running {prog}: {e}")).hint(hint)
}

/// Run `cmd` with stdin closed, collecting stdout and stderr, for at most `limit`;
/// `None` when it did not finish in time (it is killed and reaped).
///
/// Single-threaded: both pipes are drained with poll(2), so a chatty command cannot
/// block on a full pipe, and the exit is noticed as soon as the pipes close (no
/// polling interval). Forking tools stay single-threaded this way, which matters
/// under qemu-user (see tests/qemu-runner).
pub fn run_within(mut cmd: Command, limit: Duration) -> std::io::Result<Option<Output>> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

    let deadline = Instant::now() + limit;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut pipes = [
        child.stdout.take().map(Pipe::Out),
        child.stderr.take().map(Pipe::Err),
    ];
    let mut bufs = [Vec::new(), Vec::new()];
    let mut chunk = vec![0u8; 64 * 1024];
    let timed_out = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if pipes.iter().all(Option::is_none) {
            break false;
        }
        if left.is_zero() {
            break true;
        }
        let ms = PollTimeout::try_from(left.as_millis().max(1).min(i32::MAX as u128))
            .unwrap_or(PollTimeout::MAX);
        let ready: Vec<bool> = {
            let mut fds: Vec<PollFd> = pipes
                .iter()
                .flatten()
                .map(|p| PollFd::new(p.as_fd(), PollFlags::POLLIN))
                .collect();
            match poll(&mut fds, ms) {
                Ok(_) => fds
                    .iter()
                    .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                    .collect(),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let mut ready = ready.into_iter();
        for (slot, buf) in pipes.iter_mut().zip(bufs.iter_mut()) {
            let Some(pipe) = slot else { continue };
            if !ready.next().unwrap_or(false) {
                continue;
            }
            match pipe.read(&mut chunk) {
                Ok(0) => *slot = None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    };
    // Both pipes closed: the command has exited or is about to. (A descendant that
    // kept them open would have run us into the deadline instead.)
    let status = if timed_out {
        None
    } else {
        loop {
            if let Some(st) = child.try_wait()? {
                break Some(st);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        return Ok(None);
    };
    let [out, err] = bufs;
    Ok(Some(Output {
        code: status.code(),
        stdout: lossy(out),
        stderr: lossy(err),
    }))
}

/// `bytes` as text, invalid UTF-8 replaced (valid text, the usual case, is not copied:
/// sacct of a large array prints megabytes).
fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A command's stdout or stderr pipe.
enum Pipe {
    Out(std::process::ChildStdout),
    Err(std::process::ChildStderr),
}

impl Pipe {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        match self {
            Pipe::Out(p) => p.as_fd(),
            Pipe::Err(p) => p.as_fd(),
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Pipe::Out(p) => p.read(buf),
            Pipe::Err(p) => p.read(buf),
        }
    }
}

/// Cancel jobs or array tasks (`JOB_TASK` ids) with one `scancel` call.
pub fn scancel(ids: &[&str]) -> Result<(), Error> {
    let o = run("scancel", ids, None)?;
    if o.code != Some(0) {
        return Err(
            Error::failed(format!("scancel failed: {}", o.stderr.trim()))
                .hint("no trial was marked cancelled; check with herd-status and try again"),
        );
    }
    Ok(())
}

/// Why `sbatch` gave no job id, and whether the job may exist anyway.
#[derive(Debug)]
pub struct SbatchFailure {
    /// What went wrong, for the user.
    pub error: Error,
    /// True when sbatch may have queued the job although herd has no id for it: it
    /// timed out (the controller may have accepted the job after herd gave up), or it
    /// said yes in words herd cannot read. The caller must keep its journal so the
    /// job is found by its token before anything is submitted again.
    pub maybe_submitted: bool,
}

/// Submit a batch script with `sbatch --parsable`; returns the job id.
///
/// `--parsable` in the script's own `extra_args` is harmless (B12): the output is
/// parsed the same way. Extra `args` go before the script path.
pub fn sbatch(script: &Path, cwd: &Path, args: &[&str]) -> Result<String, SbatchFailure> {
    let path = script.to_string_lossy();
    let mut argv = vec!["--parsable"];
    argv.extend_from_slice(args);
    argv.push(&path);
    // A command that never started queued nothing; the controller may have queued
    // the job after herd gave up waiting.
    let out = call("sbatch", &argv, Some(cwd)).map_err(|f| SbatchFailure {
        error: f.error,
        maybe_submitted: f.timed_out,
    })?;
    if out.code != Some(0) {
        return Err(SbatchFailure {
            error: Error::failed(format!("sbatch refused the job: {}", out.stderr.trim()))
                .hint("no trial status was changed; fix the cause and submit again"),
            maybe_submitted: false,
        });
    }
    parse_sbatch(&out.stdout).ok_or_else(|| SbatchFailure {
        error: Error::failed(format!(
            "could not read a job id from sbatch's output: {:?}",
            out.stdout.trim()
        )),
        maybe_submitted: true,
    })
}

/// `12345` or `12345;cluster` (from `--parsable`), or `Submitted batch job 12345`:
/// the last line that is one of these, so a site's wrapper may print notices
/// before or after it.
pub fn parse_sbatch(stdout: &str) -> Option<String> {
    stdout.lines().rev().find_map(|line| {
        let line = line.trim();
        let id = line.strip_prefix("Submitted batch job ").unwrap_or(line);
        let id = id.split(';').next()?.trim();
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
    })
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

    // run_within is the process helper under every SLURM call; these run `sh`, not a
    // stand-in for SLURM.
    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn both_pipes_are_drained_beyond_their_buffers() {
        // 300 KB on each stream, interleaved: a reader of one pipe at a time would
        // block the command on the other's full 64 KiB buffer.
        let script = "i=0; while [ $i -lt 300 ]; do head -c 1000 /dev/zero | tr '\\0' o; \
                      head -c 1000 /dev/zero | tr '\\0' e >&2; i=$((i+1)); done; exit 7";
        let out = run_within(sh(script), Duration::from_secs(60))
            .unwrap()
            .unwrap();
        assert_eq!(out.code, Some(7));
        assert_eq!(out.stdout.len(), 300_000);
        assert_eq!(out.stderr.len(), 300_000);
        assert!(out.stdout.bytes().all(|b| b == b'o'));
        assert!(out.stderr.bytes().all(|b| b == b'e'));
    }

    #[test]
    fn a_command_past_its_limit_is_killed_and_reaped() {
        let t = Instant::now();
        let out = run_within(
            sh("echo started; exec sleep 30"),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(out.is_none());
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    #[test]
    fn a_command_that_closes_its_output_early_is_still_waited_for() {
        let out = run_within(
            sh("exec >&- 2>&-; sleep 0.2; exit 3"),
            Duration::from_secs(30),
        )
        .unwrap()
        .unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    }

    #[test]
    fn a_missing_command_is_not_found_and_a_signal_has_no_code() {
        let e = run_within(
            Command::new("/nonexistent/herd-no-such-command"),
            Duration::from_secs(5),
        );
        assert_eq!(e.unwrap_err().kind(), std::io::ErrorKind::NotFound);
        let out = run_within(sh("kill -KILL $$"), Duration::from_secs(30))
            .unwrap()
            .unwrap();
        assert_eq!(out.code, None);
        let out = run_within(sh("printf 'caf\\303\\251 \\377'"), Duration::from_secs(30))
            .unwrap()
            .unwrap();
        assert_eq!(out.stdout, "café \u{fffd}");
    }

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
        // A site's wrapper may add notices after the id.
        assert_eq!(
            parse_sbatch("4242\nNote: charged to account ml\n\n").as_deref(),
            Some("4242")
        );
        assert_eq!(parse_sbatch("oops"), None);
        assert_eq!(parse_sbatch("job 12 queued\n"), None);
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
