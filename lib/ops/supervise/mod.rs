//! Supervision (`herd-watch`): one tick opens the workspace like every tool (lock,
//! recover, one sync, backstop), then acts by the config's rules: successive halving
//! when configured (the same decision as `herd-sh`), retries of trials whose job
//! ended badly (`retries:`), the next wave of deferred trials as the queue has room.
//! Every action is appended to `.hyperherd/events.jsonl` with its reason, and the
//! events the config's `notify:` names are handed to its command.
//!
//! A tick holds the workspace lock from the sync to the last write, so two watchers
//! (or a watcher and a `herd-submit`) never act on the same statuses.

mod notify;
mod retry;
pub mod watcher;

use crate::config::Config;
use crate::error::Error;
use crate::model::record::Status;
use crate::ops::halving::{halve_in, resolve, Request as HalvingRequest};
use crate::ops::room::{room, Room};
use crate::ops::session::{Mode, Session};
use crate::ops::submit::{self, Launched};
use crate::store::script::array_spec;
use crate::store::watch::{Event, WatchState};

/// What one tick did.
#[derive(Debug, Default)]
pub struct Tick {
    /// The events, in the order they happened (also appended to `events.jsonl`).
    pub events: Vec<Event>,
    /// Nothing is live, deferred, paused or left to retry: the sweep is over.
    pub finished: bool,
    /// The tick could not ask SLURM, or SLURM refused a submission: why (event
    /// `tick_failed`; what was done before it is logged).
    pub stale: Option<String>,
    /// The watcher was stopped (`herd-stop --all`): nothing was done.
    pub stopped: bool,
}

/// One supervision tick over the sweep of `cfg`.
pub fn tick(cfg: Config) -> Result<Tick, Error> {
    let notify = cfg.notify.clone();
    let workspace = cfg.workspace.clone();
    let t = tick_locked(cfg)?;
    // The notify command runs after the lock is released: a slow one blocks no tool.
    notify::notify(notify.as_ref(), &workspace, &t.events);
    Ok(t)
}

/// True when every job of the sweep ran here (and some job did).
fn local_only(jobs: &[crate::store::job_ids::JobRecord]) -> bool {
    !jobs.is_empty() && jobs.iter().all(|j| crate::local::is_local(&j.slurm_job_id))
}

/// True when the sweep's jobs all ran here (herd-watch's interval depends on it).
pub fn sweep_is_local(cfg: &Config) -> Result<bool, Error> {
    let ws = crate::store::workspace::Workspace::new(&cfg.workspace);
    Ok(local_only(&ws.read_job_ids()?))
}

fn tick_locked(cfg: Config) -> Result<Tick, Error> {
    let mut session = Session::open(cfg, Mode::Change)?;
    let mut state = session.ws.read_watch()?;
    let mut t = Tick::default();
    if state.stopped {
        t.stopped = true;
        return Ok(t);
    }
    let cfg = session.cfg.clone();
    let new = |name: &str, reason: String| {
        Event::now(
            name,
            &cfg.name,
            &cfg.workspace.display().to_string(),
            reason,
        )
    };
    if let Some(why) = session.stale.clone() {
        let why = format!("cannot tell which trials are live: {why}");
        return fail_tick(t, &session, &mut state, why, "nothing was changed");
    }
    let mut acted = false;
    // 1. Successive halving: prunes free room, resumes take it.
    if let Some(block) = &cfg.successive_halving {
        let params = resolve(Some(block), &HalvingRequest::default())?;
        let (_, applied, _) = halve_in(&mut session, &params, None)?;
        for (name, list) in [("pruned", &applied.pruned), ("paused", &applied.paused)] {
            for &i in list {
                let mut e = new(name, format!("successive halving on {}", params.metric));
                e.index = Some(i);
                t.events.push(e);
            }
        }
        for (i, job) in &applied.submitted {
            let mut e = new(
                "resumed",
                format!("successive halving on {}: made the cut", params.metric),
            );
            e.index = Some(*i);
            e.slurm_job_id = Some(job.clone());
            t.events.push(e);
        }
        acted |= !applied.pruned.is_empty()
            || !applied.paused.is_empty()
            || !applied.submitted.is_empty();
    }
    // 2. What the retry rules ask for.
    let (plan, given_up) = match retry::plan(&mut session, &mut state) {
        Ok(p) => p,
        Err(e) => {
            let then = "nothing was retried or submitted";
            return fail_tick(t, &session, &mut state, e.to_string(), then);
        }
    };
    t.events.extend(given_up);
    // 3. Room in the queue, asked once, and only when something goes to SLURM.
    let deferred = session
        .manifest
        .iter()
        .any(|r| r.status == Status::Deferred);
    // (Only SLURM submissions are ever deferred.)
    let mut free = if plan.needs_room() || deferred {
        match room(&cfg) {
            Ok(r) => Some(r),
            Err(e) => {
                let why = format!("cannot tell the room in the queue: {e}");
                return fail_tick(t, &session, &mut state, why, "nothing was submitted");
            }
        }
    } else {
        None
    };
    // 4. Retries, within the room. A submission SLURM refuses (or cannot take) ends
    // the tick: what was done so far is logged, the rest is tried at the next tick.
    let r = retry::retry(
        &mut session,
        &mut state,
        plan,
        free.as_ref().map(|r| r.free),
    );
    if let Some(room) = free.as_mut() {
        room.free = room.free.saturating_sub(r.submitted);
    }
    acted |= r.submitted > 0;
    let retries_left = r.left;
    t.events.extend(r.events);
    // 5. The next wave of deferred trials.
    let failed = match r.error {
        Some(e) => Some(e),
        None => match wave(&mut session, free.as_ref()) {
            Ok(Some(e)) => {
                acted = true;
                t.events.push(e);
                None
            }
            Ok(None) => None,
            Err(e) => Some(e),
        },
    };
    if let Some(e) = failed {
        let then = "the next tick tries again";
        return fail_tick(t, &session, &mut state, e.to_string(), then);
    }
    // 6. The end.
    let busy = session
        .manifest
        .iter()
        .any(|r| r.status.is_live() || matches!(r.status, Status::Deferred | Status::Paused))
        || !crate::ops::sync::still_running(&session.manifest, &session.jobs, &session.details)
            .is_empty();
    t.finished = !busy && !acted && retries_left == 0;
    if acted {
        state.finished = false;
    }
    if t.finished && !state.finished {
        state.finished = true;
        t.events.push(new("sweep_finished", summary(&session)));
    }
    finish_tick(&session, &mut state, &t.events)?;
    Ok(t)
}

/// End a tick that could not go on: log `tick_failed` with `why` and what follows
/// for the user (`then`), after what the tick did before.
fn fail_tick(
    mut t: Tick,
    session: &Session,
    state: &mut WatchState,
    why: String,
    then: &str,
) -> Result<Tick, Error> {
    let cfg = &session.cfg;
    let reason = format!("{why}; {then}");
    let workspace = cfg.workspace.display().to_string();
    t.events
        .push(Event::now("tick_failed", &cfg.name, &workspace, reason));
    t.stale = Some(why);
    finish_tick(session, state, &t.events)?;
    Ok(t)
}

/// Write the watcher's state and the events.
fn finish_tick(session: &Session, state: &mut WatchState, events: &[Event]) -> Result<(), Error> {
    session.ws.write_watch(state)?;
    session.ws.append_events(events)
}

/// "36 trials: 30 completed, 4 failed, 2 pruned".
fn summary(session: &Session) -> String {
    let parts: Vec<String> =
        crate::model::record::tally(session.manifest.iter().map(|r| &r.status))
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
    format!("{} trials: {}", session.manifest.len(), parts.join(", "))
}

/// Submit as many deferred trials as the queue has room for (lowest indices first).
fn wave(session: &mut Session, free: Option<&Room>) -> Result<Option<Event>, Error> {
    let mut deferred: Vec<u64> = session
        .manifest
        .iter()
        .filter(|r| r.status == Status::Deferred)
        .map(|r| r.index)
        .collect();
    let Some(room) = free else {
        return Ok(None);
    };
    if deferred.is_empty() || room.free == 0 {
        return Ok(None);
    }
    deferred.sort_unstable();
    let rest = deferred.split_off((room.free as usize).min(deferred.len()));
    let Launched::Submitted { job_ids, .. } =
        submit::relaunch(session, &deferred, false, None, None)?
    else {
        return Ok(None);
    };
    let cfg = &session.cfg;
    let mut e = Event::now(
        "submitted",
        &cfg.name,
        &cfg.workspace.display().to_string(),
        format!(
            "{} deferred trial(s) ({}) as job {}; {} still deferred; room was {}",
            deferred.len(),
            array_spec(&deferred),
            job_ids.join(", "),
            rest.len(),
            room.describe()
        ),
    );
    e.slurm_job_id = job_ids.first().cloned();
    Ok(Some(e))
}

/// The caps for scaled resources: the partition's limits where SLURM tells them (the
/// config's `retries.max_mem`/`max_time` apply on top, in the rule); none when SLURM
/// cannot be asked.
pub fn caps(cfg: &Config) -> crate::model::retry::Caps {
    crate::slurm::partition_caps(&cfg.slurm.partition).unwrap_or_default()
}
