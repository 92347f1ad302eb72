//! `herd-test [WS] [INDEX]`: run one trial here, in the foreground, exactly as its
//! SLURM job would: same working directory, environment and override string.

use crate::cli;
use crate::config::dotenv;
use crate::config::{self, Config};
use crate::error::Error;
use crate::model::expand::expand;
use crate::model::reconcile::reconcile;
use crate::ops::plan;
use crate::store::script;
use crate::store::workspace::Workspace;
use crate::text::pyfmt::shell_quote;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
herd-test: run one trial here, in the foreground, exactly as its job would

Usage: herd-test [OPTIONS] [WS] [INDEX]

Arguments:
  [WS]             the workspace directory (holding hyperherd.yaml) or its config
                   file [default: the nearest of . and its parents that holds
                   hyperherd.yaml]
  [INDEX]          the trial to run [default: the lowest index]; a lone number that
                   is not a directory is the INDEX

Options:
  -n, --dry-run    print the command and its environment, run nothing
  -f, --force      run a trial that was submitted before (the results it logs
                   mix with those of its job)
  -h, --help       print this help
  -V, --version    print the version

The launcher runs as 'bash LAUNCHER \"OVERRIDES\"' in the workspace directory, with
the environment of herd-test plus HYPERHERD_WORKSPACE, HYPERHERD_SWEEP_NAME,
HYPERHERD_TRIAL_ID, HYPERHERD_TRIAL_NAME and HYPERHERD_EXPERIMENT_NAME, and with
the variables of WS/.env that the environment does not set. Its output goes to the
terminal, not to the log files. herd-test submits nothing; a trial the manifest does
not hold yet is stored first (as herd-submit would), so it keeps its index.

Examples:
  herd-test                 # the first trial of the sweep in .
  herd-test 3               # trial 3
  herd-test ~/sweeps/lr 3 --dry-run

Exit status: the launcher's; 1 a workspace file is unreadable or corrupt, 2 usage or
config error, an unknown INDEX, or a trial that was submitted before (without
--force).
";

#[derive(Debug, Default)]
struct Args {
    ws: Option<PathBuf>,
    index: Option<u64>,
    dry_run: bool,
    force: bool,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut positionals: Vec<OsString> = Vec::new();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(arg, p, [&mut cli::Standard(USAGE)]);
        match arg {
            Short('n') | Long("dry-run") => args.dry_run = true,
            Short('f') | Long("force") => args.force = true,
            Value(v) if positionals.len() < 2 => positionals.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let index = |v: &OsString| -> Result<u64, Error> {
        let s = v.to_string_lossy();
        s.parse()
            .map_err(|_| Error::usage(format!("INDEX '{s}' is not a trial index (a whole number)")))
    };
    let mut positionals = positionals.into_iter();
    match (positionals.next(), positionals.next()) {
        (None, _) => {}
        // A lone number is the index, unless a directory has that name.
        (Some(one), None) => match cli::index_positional(Path::new(&one), false) {
            Some(_) => args.index = Some(index(&one)?),
            None => args.ws = Some(one.into()),
        },
        (Some(ws), Some(i)) => {
            args.index = Some(index(&i)?);
            args.ws = Some(ws.into());
        }
    }
    Ok(args)
}

/// Entry point of `herd-test`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    cfg.check_launcher()?;
    let sweep = plan::load(&cfg)?;
    let records = &sweep.plan.records;
    let index = match args.index {
        Some(i) => i,
        None => records.iter().map(|r| r.index).min().unwrap_or(0),
    };
    // B5: the trial is looked up by its index, never by its position.
    let Some(stored) = records.iter().find(|r| r.index == index) else {
        let mut all: Vec<u64> = records.iter().map(|r| r.index).collect();
        all.sort_unstable();
        return Err(
            Error::invalid(format!("no trial with index {index}")).hint(format!(
                "the sweep's trials are {}",
                script::array_spec(&all)
            )),
        );
    };
    let is_new = index + (sweep.plan.added as u64) >= sweep.plan.next_index;
    let ws = Workspace::new(&cfg.workspace);
    if !args.force {
        // The latest job that ran the trial: the one whose results are there now.
        if let Some(job) = ws
            .read_job_ids()?
            .into_iter()
            .rfind(|j| j.indices.contains(&index))
        {
            return Err(Error::invalid(format!(
                "trial {index} was submitted before (job {}): the results this run logs would mix with that job's",
                job.slurm_job_id
            ))
            .hint("test a trial that was never submitted ('herd-expand' shows them as ready), or pass --force"));
        }
    }
    let rec = plan::record(&cfg, stored);
    let name = rec.experiment_name.clone().unwrap_or_default();
    let ws_text = cfg.workspace.display().to_string();
    let vars = [
        ("HYPERHERD_WORKSPACE", ws_text.clone()),
        ("HYPERHERD_SWEEP_NAME", cfg.name.clone()),
        ("HYPERHERD_TRIAL_ID", index.to_string()),
        ("HYPERHERD_TRIAL_NAME", name.clone()),
        ("HYPERHERD_EXPERIMENT_NAME", name.clone()),
    ];
    let env_file = cfg.workspace.join(".env");
    let dotenv = dotenv::load(&env_file)?.unwrap_or_default();
    if !dotenv.is_empty() {
        let mut keys: Vec<&str> = dotenv.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        note(&format!(
            "loaded {} variable(s) from {}: {}",
            keys.len(),
            env_file.display(),
            keys.join(", ")
        ));
    }
    let launcher = cfg.launcher.display().to_string();
    let command = format!(
        "bash {} {}",
        shell_quote(&launcher),
        shell_quote(&rec.overrides)
    );
    if args.dry_run {
        let mut out = cli::stdout();
        writeln!(out, "cd {} &&", shell_quote(&ws_text))?;
        for (k, v) in &vars {
            writeln!(out, "  {k}={} \\", shell_quote(v))?;
        }
        writeln!(out, "  {command}")?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // A trial not yet in the manifest is stored first (as herd-submit would store
    // it): the results it logs then belong to it, and no later trial is renumbered.
    if is_new {
        persist_plan(&cfg, &ws)?;
    }
    let shown_name = if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    };
    note(&format!("trial {index}{shown_name} in {ws_text}"));
    note(&command);
    let mut cmd = Command::new("bash");
    cmd.arg(&cfg.launcher)
        .arg(&rec.overrides)
        .current_dir(&cfg.workspace)
        .envs(dotenv.iter().map(|(k, v)| (k, v)))
        .envs(vars.iter().map(|(k, v)| (k, v)));
    let status = cli::run_foreground(&mut cmd).map_err(|e| Error::io("running bash", e))?;
    if status.success() {
        note(&format!("trial {index} completed"));
    } else {
        note(&format!(
            "trial {index} failed ({})",
            cli::describe_status(status)
        ));
    }
    Ok(cli::exit_like(status))
}

/// Write the reconciled manifest and the index high-water mark under the lock. A
/// config edit that would drop active trials is left for herd-submit to refuse.
fn persist_plan(cfg: &Config, ws: &Workspace) -> Result<(), Error> {
    let _lock = ws.lock()?;
    let stored = ws.read_manifest()?.unwrap_or_default();
    let jobs = ws.read_job_ids()?;
    let next = ws.next_index(&stored, &jobs)?;
    if let Ok(plan) = reconcile(stored, expand(cfg)?, next, false) {
        crate::store::job_ids::check_new_indices(plan.next_index)?;
        ws.write_manifest(&plan.records)?;
        ws.write_next_index(plan.next_index)?;
    }
    Ok(())
}

fn note(msg: &str) {
    cli::note(msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, Error> {
        parse_args(v.iter().map(OsString::from).collect())
    }

    #[test]
    fn a_lone_number_is_the_index() {
        let a = parse(&["3"]).unwrap();
        assert_eq!((a.ws, a.index), (None, Some(3)));
        let a = parse(&["ws", "3"]).unwrap();
        assert_eq!((a.ws, a.index), (Some("ws".into()), Some(3)));
        let a = parse(&["ws"]).unwrap();
        assert_eq!((a.ws, a.index), (Some("ws".into()), None));
        // "." is a directory, and so is "/": numbers only are indices.
        assert!(parse(&["ws", "x"]).is_err());
        assert!(parse(&["ws", "1", "2"]).is_err());
    }
}
