//! `herd-submit [WS]`: reconcile the manifest with the config, submit the chosen trials
//! as SLURM job arrays, record them.

use crate::cli::{self, Common, Output};
use crate::config::{self, Config};
use crate::error::Error;
use crate::local;
use crate::local::cpupool;
use crate::model::expand::expand;
use crate::model::ndjson;
use crate::model::pin::Pins;
use crate::model::reconcile::reconcile;
use crate::model::record::{read_refs, workspace_arg, Status, TrialRecord, TrialRef};
use crate::ops::plan;
use crate::ops::submit::{self, JournalPart};
use crate::ops::sync;
use crate::slurm;
use crate::store::script::{self, Arm};
use crate::store::workspace::{self, ByIndex, ManifestRecord, Workspace};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-submit: submit trials of a sweep as SLURM job arrays (or run them here)

Usage: herd-submit [OPTIONS] [WS]

Arguments:
  [WS]                      the workspace directory (holding hyperherd.yaml) or its
                            config file [default: the workspace of the stdin records,
                            else the nearest of . and its parents with hyperherd.yaml]

Options:
  -n, --dry-run             write nothing, submit nothing: print the job script(s) and
                            the plan
  -a, --all                 submit every pending trial (ready, failed, cancelled),
                            ignoring stdin
  -i, --indices SPEC        submit these indices, e.g. 0-4,7, ignoring stdin
                            (completed ones only with --rerun or --force)
  -p, --pin NAME=VALUE      only trials whose parameter NAME equals VALUE (repeatable)
  -j, --max-concurrent N    run at most N trials of each array job at once (%N)
      --keep-orphans        keep trials a config edit removes while they are running,
                            queued or completed, as orphans (nothing is resubmitted)
      --rerun               run completed trials named by --indices or on stdin again
  -f, --force               --keep-orphans, and let --indices name completed trials
                            (the reference's -f); never resubmits from stdin
  -l, --local               run the trials on this machine instead of SLURM (detached;
                            at most -j or CPUs/cpus_per_task at a time)
      --json                print NDJSON records of the submitted trials
      --table               print a short summary (the default on a terminal)
  -h, --help                print this help
  -V, --version             print the version

Which trials: the trial records on stdin (as printed by herd-expand or herd-status;
their index and hash must match the manifest), or, when stdin is a terminal or with
--all, every pending trial (ready, failed, cancelled). Statuses are synced from
SLURM first. Stdin records of completed trials are skipped unless --rerun; records
of trials the config no longer generates are skipped. A trial that is submitted,
queued or running is never submitted again, whatever the flags: stop it first
(herd-stop -i N). An empty stream submits nothing. A config edit that would drop
running, queued or completed trials is refused (exit 1) unless --keep-orphans.

With --local the same job script runs here, once per trial, with the variables a
SLURM array task sees, in the background: herd-submit returns at once and the trials
keep running after the terminal closes. herd-status, herd-stop, herd-tail and herd-res
work on a local sweep as on a SLURM one; slurm.time is enforced (TERM, then KILL
HERD_LOCAL_KILL_WAIT seconds later, default 30), slurm.mem is not.

Examples:
  herd-expand ~/sweeps/lr | herd-submit
  herd run --local              # the same, on this machine
  herd-status | jq -c 'select(.status==\"failed\")' | herd-submit
  herd-submit -i 3-5 --dry-run

Exit status: 0 ok, 1 SLURM refused or a workspace file is corrupt, 2 usage or config
error.
";

#[derive(Debug, Default)]
struct Args {
    common: Common,
    ws: Option<PathBuf>,
    dry_run: bool,
    which: cli::Which,
    pins: Vec<(String, String)>,
    max_concurrent: Option<u64>,
    force: bool,
    keep_orphans: bool,
    rerun: bool,
    local: bool,
    /// Internal: `--local-runner DIR` is the detached runner of a local job.
    runner: Option<PathBuf>,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        if args.common.parse(&arg, USAGE)? {
            continue;
        }
        if let Some(flag) = cli::Which::flag(&arg) {
            args.which.take(flag, &mut p)?;
            continue;
        }
        match arg {
            Short('n') | Long("dry-run") => args.dry_run = true,
            Short('p') | Long("pin") => args.pins.push(cli::split_pin(&p.value()?.string()?)?),
            Short('j') | Long("max-concurrent") => {
                let n: u64 = p.value()?.parse()?;
                if n == 0 {
                    return Err(Error::usage("--max-concurrent must be at least 1"));
                }
                args.max_concurrent = Some(n);
            }
            Short('f') | Long("force") => args.force = true,
            Long("keep-orphans") => args.keep_orphans = true,
            Long("rerun") => args.rerun = true,
            Short('l') | Long("local") => args.local = true,
            Long("local-runner") => args.runner = Some(PathBuf::from(p.value()?)),
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.which.check()?;
    Ok(args)
}

/// Entry point of `herd-submit`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    if let Some(dir) = &args.runner {
        local::run_runner(dir)?;
        return Ok(ExitCode::SUCCESS);
    }
    let refs = if args.which.all || args.which.indices.is_some() || cli::stdin_is_terminal() {
        None
    } else {
        Some(read_refs(std::io::stdin().lock())?)
    };
    // The workspace: the argument, else the one the stdin records belong to, so that
    // `herd-expand WS | herd-submit` needs WS only once.
    let ws_arg = workspace_arg(args.ws.clone(), refs.as_deref());
    let cfg = config::load(ws_arg.as_deref())?;
    submit::preflight(&cfg, args.local)?;
    let pins = Pins::parse(&cfg, &args.pins)?;
    let generated = expand(&cfg)?;
    let ws = Workspace::new(&cfg.workspace);
    let _lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut stored = ws.read_manifest()?.unwrap_or_default();
    let mut jobs = ws.read_job_ids()?;
    if !args.dry_run {
        let found = submit::recover(&ws, &mut stored, &mut jobs)?;
        if found > 0 {
            eprint_line(&format!(
                "recovered {found} interrupted submission(s) from the journal"
            ));
        }
        // Choose from current statuses: a trial that failed since the last sync is
        // pending, one that is still queued is not.
        if !jobs.is_empty() {
            let synced = sync::sync(&ws, &mut stored, &jobs, cfg.slurm.cpus_per_task)?;
            if let Some(why) = synced.stale {
                return Err(Error::failed(format!(
                    "cannot tell which trials are still live: {why}"
                ))
                .hint("nothing was submitted; try again when SLURM answers"));
            }
        }
    }
    let next = ws.next_index(&stored, &jobs)?;
    let keep_orphans = args.keep_orphans || args.force;
    let plan = reconcile(stored, generated, next, keep_orphans)
        .map_err(|orphans| submit::orphan_refusal(&orphans))?;
    workspace::check_new_indices(plan.next_index)?;
    let mut manifest = plan.records;
    let selected = select(
        &cfg,
        &manifest,
        &plan.dropped,
        refs.as_deref(),
        args.which.indices.as_deref(),
        Rerun {
            indices: args.rerun || args.force,
            stdin: args.rerun,
        },
    )?;
    let mut selected: Vec<u64> = {
        let by_index = ByIndex::new(&manifest);
        selected
            .into_iter()
            .filter(|i| by_index.get(*i).is_some_and(|r| pins.matches(&r.params)))
            .collect()
    };
    selected.sort_unstable();
    selected.dedup();
    if !args.dry_run {
        ws.write_manifest(&manifest)?;
        ws.write_next_index(plan.next_index)?;
    }
    if selected.is_empty() {
        if !pins.is_empty() {
            return Err(Error::invalid(format!(
                "no submittable trials match --pin {}",
                pins.describe()
            )));
        }
        eprint_line("nothing to submit");
        return Ok(ExitCode::SUCCESS);
    }
    let by_index = ByIndex::new(&manifest);
    let arms: Vec<Arm> = selected.iter().map(|&i| arm(&cfg, &by_index, i)).collect();
    // `selected` is sorted, and arms are in its order.
    let arm_size = |i: u64| {
        selected.binary_search(&i).map_or(0, |k| {
            arms[k].name.len() * 2 + arms[k].overrides.len() + 120
        })
    };
    let parts = if args.local {
        // A local job is one part: no array size or script size limit applies.
        vec![submit::Part {
            indices: selected.clone(),
            offset: 0,
        }]
    } else {
        let limits = match slurm::limits() {
            Ok(l) => l,
            Err(e) if args.dry_run => {
                eprint_line(&format!("note: {e}; assuming SLURM's default limits"));
                slurm::parse_limits("")
            }
            Err(e) => return Err(e),
        };
        submit::split(&selected, limits.max_array_size, arm_size)
    };
    let throttle = args.max_concurrent.or(cfg.slurm.max_concurrent);
    // How many trials a local runner runs at once (asked of the machine only for one).
    let local_slots = args.local.then(|| {
        throttle.unwrap_or_else(|| local::default_max_concurrent(cfg.slurm.cpus_per_task))
    });
    let mut scripts = Vec::with_capacity(parts.len());
    let mut arms = arms.into_iter().peekable();
    for part in &parts {
        let mine: Vec<Arm> =
            std::iter::from_fn(|| arms.next_if(|a| part.indices.binary_search(&a.index).is_ok()))
                .collect();
        scripts.push(script::render(&submit::part_script(
            &cfg, part, mine, throttle,
        ))?);
    }
    let mut out = cli::stdout();
    if args.dry_run {
        eprint_line(&format!(
            "dry run: would submit {} trial(s) as {} array job(s): {}",
            selected.len(),
            parts.len(),
            script::array_spec(&selected)
        ));
        for (k, s) in scripts.iter().enumerate() {
            if parts.len() > 1 {
                writeln!(
                    out,
                    "# ---- part {} of {}: {} ----",
                    k + 1,
                    parts.len(),
                    submit::script_path(&ws, k, parts.len()).display()
                )?;
            }
            out.write_all(s.as_bytes())?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    ws.create_dirs()?;
    let exit_dir = ws.dir().join("exit");
    std::fs::create_dir_all(&exit_dir)
        .map_err(|e| Error::io(format!("creating {}", exit_dir.display()), e))?;
    let job_name = submit::job_name(&cfg);
    let mut journal: Vec<JournalPart> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| JournalPart {
            part: p.clone(),
            token: submit::token(k),
            // A local job's id is herd's to choose: known before it starts.
            job_id: args.local.then(|| local::next_job_id(&ws, &jobs)),
        })
        .collect();
    submit::write_journal(&ws, &job_name, &journal)?;
    crate::runtime::crash_point("before-sbatch");
    let mut submitted: Vec<(u64, String)> = Vec::new();
    for k in 0..journal.len() {
        let path = submit::script_path(&ws, k, parts.len());
        script::write_executable(&path, &scripts[k])?;
        let comment = format!("--comment={}", journal[k].token);
        let started = match &journal[k].job_id {
            Some(id) => local::start(
                &ws,
                &local_spec(&cfg, id, &parts[k], local_slots.unwrap_or(1)),
                &scripts[k],
            )
            .map(|()| id.clone())
            .map_err(|error| slurm::SbatchFailure {
                error,
                maybe_submitted: false,
            }),
            None => slurm::sbatch(&path, &cfg.workspace, &[&comment]),
        };
        let job_id = match started {
            Ok(id) => id,
            // Nothing was queued: forget the intent.
            Err(f) if k == 0 && !f.maybe_submitted => {
                submit::clear_journal(&ws)?;
                return Err(f.error);
            }
            // The job may exist without herd knowing its id: the journal stays, and
            // the next sync (herd-status, herd-submit) looks for its token in squeue
            // and records it, or drops the part if it is not there.
            Err(f) if k == 0 => {
                return Err(Error::failed(f.error.to_string()).hint(
                    "sbatch may have queued the job anyway; herd-status or the next herd-submit looks for it in squeue and records it, so no trial runs twice",
                ));
            }
            Err(f) => {
                // Earlier parts are recorded; this and later ones stay journaled and
                // are settled (found in squeue or dropped) by the next submission.
                ws.write_manifest(&manifest)?;
                return Err(Error::failed(f.error.to_string()).hint(format!(
                    "parts 1-{k} of {} were submitted and recorded; run herd-submit again to submit the rest",
                    journal.len()
                )));
            }
        };
        crate::runtime::crash_point("after-sbatch");
        journal[k].job_id = Some(job_id.clone());
        submit::write_journal(&ws, &job_name, &journal)?;
        submit::record_part(
            &ws,
            &mut manifest,
            &mut jobs,
            &journal[k].part,
            &job_id,
            false,
        )?;
        for &i in &journal[k].part.indices {
            submitted.push((i, format!("{job_id}_{}", i - journal[k].part.offset)));
        }
    }
    crate::runtime::crash_point("before-manifest");
    ws.write_manifest(&manifest)?;
    submit::clear_journal(&ws)?;
    clear_signals(&ws, &selected);
    report(
        &cfg,
        &manifest,
        &submitted,
        &journal,
        local_slots,
        args.common.output(),
        &mut out,
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// What the local runner of `job_id` needs.
fn local_spec(cfg: &Config, job_id: &str, part: &submit::Part, slots: u64) -> local::Spec {
    local::Spec {
        job_id: job_id.to_string(),
        job_name: submit::job_name(cfg),
        workspace: cfg.workspace.clone(),
        indices: part.indices.clone(),
        max_concurrent: slots,
        time_limit_seconds: config::time_limit_seconds(&cfg.slurm),
        kill_wait_seconds: local::kill_wait_seconds(),
        cpus_per_task: cfg.slurm.cpus_per_task,
        req_mem_bytes: sync::mem_bytes(&cfg.slurm.mem, cfg.slurm.cpus_per_task),
        pool: cpupool::default_path(),
        pool_cpus: cpupool::default_cpus(),
    }
}

/// Which named trials that have completed (or were pruned or paused) may run again.
#[derive(Clone, Copy, Debug)]
struct Rerun {
    /// Those named by `--indices` (`--rerun`, `--force`).
    indices: bool,
    /// Those named on stdin (`--rerun` only).
    stdin: bool,
}

/// An array spec cut to about 60 characters at a comma (`0-3,5,…`).
fn clip_spec(spec: &str) -> String {
    if spec.is_empty() {
        return "none".into();
    }
    if spec.len() <= 60 {
        return spec.to_string();
    }
    let cut = spec[..60].rfind(',').unwrap_or(0);
    format!("{},…", &spec[..cut])
}

/// Which indices to submit. A live trial (submitted, queued, running) is never
/// chosen, whatever the flags: an index must not get a second live job.
fn select(
    cfg: &Config,
    manifest: &[ManifestRecord],
    dropped: &[ManifestRecord],
    refs: Option<&[TrialRef]>,
    spec: Option<&str>,
    rerun: Rerun,
) -> Result<Vec<u64>, Error> {
    let by_index = ByIndex::new(manifest);
    let status_of = |i: u64| by_index.get(i).map(|r| &r.status);
    if let Some(spec) = spec {
        let wanted = cli::parse_indices(spec)?;
        if wanted.iter().any(|i| status_of(*i).is_none()) {
            let unknown = wanted.iter().copied().filter(|i| status_of(*i).is_none());
            let known: Vec<u64> = manifest.iter().map(|r| r.index).collect();
            return Err(Error::invalid(format!(
                "--indices {spec}: no trial with index {} (the sweep's indices are {})",
                cli::some_indices(unknown),
                clip_spec(&script::array_spec(&known))
            ))
            .hint("herd-expand lists the trials and their indices"));
        }
        let listed = |pred: &dyn Fn(&Status) -> bool| -> Vec<String> {
            wanted
                .iter()
                .filter_map(|&i| status_of(i).filter(|s| pred(s)).map(|s| format!("{i}={s}")))
                .collect()
        };
        let live = listed(&|s| s.is_live());
        if !live.is_empty() {
            let ids: Vec<u64> = wanted
                .iter()
                .copied()
                .filter(|&i| status_of(i).is_some_and(Status::is_live))
                .collect();
            return Err(Error::invalid(format!(
                "refusing to submit trials that already have a live job: {}",
                live.join(", ")
            ))
            .hint(format!(
                "stop them first with herd-stop {} -i {}, then submit them again",
                cfg.workspace.display(),
                script::array_spec(&ids)
            )));
        }
        if !rerun.indices {
            let done = listed(&|s| *s == Status::Completed);
            if !done.is_empty() {
                return Err(Error::invalid(format!(
                    "refusing to resubmit trials already completed: {}",
                    done.join(", ")
                ))
                .hint("pass --rerun to run them again"));
            }
        }
        return Ok(wanted.into_iter().collect());
    }
    let Some(refs) = refs else {
        return Ok(manifest
            .iter()
            .filter(|r| r.status.is_pending())
            .map(|r| r.index)
            .collect());
    };
    let mut out = BTreeSet::new();
    let (mut live, mut done, mut gone) = (0, 0, 0);
    for r in refs {
        // A trial the config edit removed, which herd-expand still listed because it
        // looked active before this sync: no longer part of the sweep.
        if by_index.get(r.index).is_none()
            && dropped
                .iter()
                .any(|d| d.index == r.index && d.hash == r.hash)
        {
            gone += 1;
            continue;
        }
        let m = check_ref(cfg, &by_index, r)?;
        if m.status.is_pending() {
            out.insert(r.index);
        } else if m.status.is_live() {
            live += 1;
        } else if rerun.stdin {
            out.insert(r.index);
        } else {
            done += 1;
        }
    }
    if live > 0 {
        eprint_line(&format!(
            "skipped {live} trial(s) that are submitted, queued or running (herd-stop them first to run them again)"
        ));
    }
    if done > 0 {
        eprint_line(&format!(
            "skipped {done} trial(s) that are completed, pruned or paused (use --rerun to run them again)"
        ));
    }
    if gone > 0 {
        eprint_line(&format!(
            "skipped {gone} trial(s) the config no longer generates"
        ));
    }
    Ok(out.into_iter().collect())
}

/// The manifest record a stdin record names; refuses records of another workspace
/// and stale ones (index or hash no longer match).
pub(crate) fn check_ref<'a>(
    cfg: &Config,
    manifest: &ByIndex<'a>,
    r: &TrialRef,
) -> Result<&'a ManifestRecord, Error> {
    let ws = cfg.workspace.display().to_string();
    if let Some(w) = r.workspace.as_deref().filter(|w| *w != ws) {
        return Err(Error::invalid(format!(
            "stdin record of trial {} belongs to workspace {w}, not {ws}",
            r.index
        )));
    }
    let Some(m) = manifest.get(r.index) else {
        return Err(Error::invalid(format!(
            "stdin record of trial {} names an index this workspace does not have",
            r.index
        ))
        .hint("the plan is stale: run herd-expand again"));
    };
    if m.hash != r.hash {
        return Err(Error::invalid(format!(
            "stdin record of trial {} has hash {}, the manifest has {}",
            r.index, r.hash, m.hash
        ))
        .hint("the plan is stale: run herd-expand again"));
    }
    Ok(m)
}

fn arm(cfg: &Config, manifest: &ByIndex<'_>, index: u64) -> Arm {
    let rec = manifest.get(index);
    let tr = rec.map(|r| plan::record(cfg, r));
    Arm {
        index,
        name: tr
            .as_ref()
            .and_then(|t| t.experiment_name.clone())
            .unwrap_or_default(),
        overrides: tr.map(|t| t.overrides).unwrap_or_default(),
    }
}

/// A resubmitted trial starts without a stale prune/pause signal.
fn clear_signals(ws: &Workspace, indices: &[u64]) {
    for i in indices {
        let d = ws.results_dir().join(i.to_string());
        let _ = std::fs::remove_file(d.join("_signal"));
        let _ = std::fs::remove_file(d.join("_signal_escalated"));
    }
}

fn report(
    cfg: &Config,
    manifest: &[ManifestRecord],
    submitted: &[(u64, String)],
    journal: &[JournalPart],
    local_slots: Option<u64>,
    mode: Output,
    out: &mut impl Write,
) -> Result<(), Error> {
    match mode {
        Output::Json => {
            let by_index = ByIndex::new(manifest);
            let mut lines = ndjson::Lines::default();
            for (i, job) in submitted {
                if let Some(r) = by_index.get(*i) {
                    let mut rec: TrialRecord = plan::record(cfg, r);
                    rec.slurm_job_id = Some(job.clone());
                    lines.write(&mut *out, &rec)?;
                }
            }
        }
        Output::Table => {
            let ids: Vec<String> = journal.iter().filter_map(|p| p.job_id.clone()).collect();
            let indices: Vec<u64> = submitted.iter().map(|(i, _)| *i).collect();
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            match local_slots {
                Some(slots) => writeln!(
                    out,
                    "started {} trial{} ({}) on this machine as local job {}, at most {slots} at a time",
                    indices.len(),
                    plural(indices.len()),
                    script::array_spec(&indices),
                    ids.join(", ")
                )?,
                None => writeln!(
                    out,
                    "submitted {} trial{} ({}) as SLURM job{} {}",
                    indices.len(),
                    plural(indices.len()),
                    script::array_spec(&indices),
                    plural(ids.len()),
                    ids.join(", ")
                )?,
            }
            writeln!(
                out,
                "  workspace: {}",
                cfg.workspace.join(".hyperherd").display()
            )?;
            writeln!(
                out,
                "  logs:      {}",
                cfg.workspace.join(".hyperherd/logs").display()
            )?;
            writeln!(out, "  follow:    herd-status {}", cfg.workspace.display())?;
        }
    }
    Ok(())
}

fn eprint_line(msg: &str) {
    let _ = writeln!(std::io::stderr(), "herd-submit: {msg}");
}
