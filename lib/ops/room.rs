//! Room in the user's SLURM queue: how many more jobs (array tasks count one each)
//! SLURM accepts now, from the user's limits (association and QOS `MaxSubmitJobs`,
//! the cluster's `MaxJobCount`, or the config's `slurm.max_queued`) and what is
//! queued. Submissions take at most this many and defer the rest, so that no `sbatch`
//! is refused for a limit. One place is kept free (for limits of 4 and more) so that
//! the self-resubmitting watcher's next job always fits.

use crate::config::Config;
use crate::error::Error;
use crate::slurm;

/// The room found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Room {
    /// How many more jobs may be queued now.
    pub free: u64,
    /// The limit that applies.
    pub limit: u64,
    /// The user's jobs queued or running now.
    pub queued: u64,
    /// Where the limit comes from (`QOS lim4 MaxSubmitJobsPerUser=4`, `slurm.max_queued`).
    pub source: String,
}

impl Room {
    /// "7 of 8 queued (QOS lim8 MaxSubmitJobsPerUser=8; one place kept for herd-watch)".
    pub fn describe(&self) -> String {
        let kept = if kept(self.limit) > 0 {
            "; one place kept for herd-watch"
        } else {
            ""
        };
        format!(
            "{} of {} queued ({}{kept})",
            self.queued, self.limit, self.source
        )
    }
}

/// The places of a limit kept for herd-watch's own job (queued while the trials
/// run): one, unless the limit is too small to share.
fn kept(limit: u64) -> u64 {
    u64::from(limit >= 4)
}

/// The QOS the sweep's jobs ask for in `extra_args` (`--qos=X`, `--qos X`, `-q X`).
fn qos_of(cfg: &Config) -> Option<String> {
    let args = &cfg.slurm.extra_args;
    args.iter().enumerate().find_map(|(k, a)| {
        let a = a.trim();
        if let Some(q) = a.strip_prefix("--qos=") {
            return Some(q.trim().to_string());
        }
        for flag in ["--qos ", "-q "] {
            if let Some(q) = a.strip_prefix(flag) {
                return Some(q.trim().to_string());
            }
        }
        (a == "--qos" || a == "-q")
            .then(|| args.get(k + 1).map(|q| q.trim().to_string()))
            .flatten()
    })
}

/// The room in the queue for the sweep of `cfg`: the smallest of SLURM's limits for
/// this user and `slurm.max_queued`, less the user's jobs queued now.
pub fn room(cfg: &Config) -> Result<Room, Error> {
    // Documented in herd(7): the room, without asking SLURM (tests; a site whose
    // accounting is slow to answer).
    if let Some(n) = std::env::var("HERD_QUEUE_ROOM")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return Ok(Room {
            free: n,
            limit: n,
            queued: 0,
            source: "HERD_QUEUE_ROOM".into(),
        });
    }
    let user = slurm::current_user();
    let found = slurm::submit_limit(&user, qos_of(cfg).as_deref());
    let (limit, source) = match (found, cfg.slurm.max_queued) {
        (Ok(l), Some(m)) if m < l.max => (m, "slurm.max_queued".to_string()),
        (Ok(l), _) => (l.max, l.source),
        (Err(_), Some(m)) => (m, "slurm.max_queued".to_string()),
        (Err(e), None) => return Err(e),
    };
    let queued = slurm::queued_jobs(&user)?;
    Ok(Room {
        free: limit.saturating_sub(queued).saturating_sub(kept(limit)),
        limit,
        queued,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(extra: &str) -> Config {
        let yaml = format!("name: demo\ngrid: all\nlauncher: ./launch.sh\nslurm: {{partition: p, extra_args: [{extra}]}}\nparameters:\n  x: {{type: discrete, values: [1]}}\n");
        let ws = std::path::Path::new("/w");
        crate::config::parse(&yaml, &ws.join("hyperherd.yaml"), ws).unwrap()
    }

    #[test]
    fn the_qos_comes_from_the_extra_args_in_any_spelling() {
        assert_eq!(qos_of(&cfg("\"--qos=short\"")).as_deref(), Some("short"));
        assert_eq!(qos_of(&cfg("\"--qos short\"")).as_deref(), Some("short"));
        assert_eq!(qos_of(&cfg("\"-q long\"")).as_deref(), Some("long"));
        assert_eq!(qos_of(&cfg("\"--account=ml\"")), None);
    }

    #[test]
    fn a_room_says_where_its_limit_comes_from() {
        let r = Room {
            free: 3,
            limit: 8,
            queued: 4,
            source: "QOS lim8 MaxSubmitJobsPerUser=8".into(),
        };
        assert_eq!(
            r.describe(),
            "4 of 8 queued (QOS lim8 MaxSubmitJobsPerUser=8; one place kept for herd-watch)"
        );
        let small = Room { limit: 2, ..r };
        assert_eq!(
            small.describe(),
            "4 of 2 queued (QOS lim8 MaxSubmitJobsPerUser=8)"
        );
    }
}
