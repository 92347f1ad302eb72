//! A retried trial's attempts, read from `job_ids.json`: each submission holding the
//! trial, the resources it ran with (a retry's own `mem`/`time`, else the config's),
//! and how it ended (the next retry's `retry_after`, or the latest sync's state).

use crate::config::Config;
use crate::model::record::{Attempt, TrialRecord};
use crate::store::cache::Detail;
use crate::store::job_ids::JobRecord;
use crate::text::fxhash::FxHashMap;
use std::collections::BTreeMap;

/// For each trial that some retry holds: the positions in `jobs` of its submissions,
/// oldest first. Empty (and cheap) for a sweep nothing was retried in.
pub(crate) struct History<'a> {
    jobs: &'a [JobRecord],
    of: FxHashMap<u64, Vec<usize>>,
}

impl<'a> History<'a> {
    /// Index the submissions of every retried trial.
    pub(crate) fn new(jobs: &'a [JobRecord]) -> History<'a> {
        let mut of: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        for j in jobs.iter().filter(|j| j.retry.is_some()) {
            for &i in &j.indices {
                of.entry(i).or_default();
            }
        }
        if !of.is_empty() {
            for (pos, j) in jobs.iter().enumerate() {
                for i in &j.indices {
                    if let Some(v) = of.get_mut(i) {
                        v.push(pos);
                    }
                }
            }
        }
        History { jobs, of }
    }

    /// How many retries in a row the trial's latest submissions were (0: its latest
    /// submission was by hand, or it was never retried).
    pub(crate) fn retries_in_a_row(&self, index: u64) -> u32 {
        self.of.get(&index).map_or(0, |v| {
            v.iter()
                .rev()
                .take_while(|&&p| self.jobs[p].retry.is_some())
                .count() as u32
        })
    }

    /// The resources the trial's latest submission ran with.
    pub(crate) fn latest_resources(&self, index: u64, cfg: &Config) -> (String, String) {
        let retry = self
            .of
            .get(&index)
            .and_then(|v| v.last())
            .and_then(|&p| self.jobs[p].retry.as_ref());
        match retry {
            Some(r) => (r.mem.clone(), r.time.clone()),
            None => (cfg.slurm.mem.clone(), cfg.slurm.time.clone()),
        }
    }

    /// The attempts of a retried trial, oldest first; None for one never retried.
    pub(crate) fn attempts(
        &self,
        index: u64,
        cfg: &Config,
        details: &BTreeMap<u64, Detail>,
    ) -> Option<Vec<Attempt>> {
        let v = self.of.get(&index)?;
        let mut out: Vec<Attempt> = Vec::with_capacity(v.len());
        for &p in v {
            let j = &self.jobs[p];
            let task = index.saturating_sub(j.task_offset);
            let (mem, time) = match &j.retry {
                Some(r) => (r.mem.clone(), r.time.clone()),
                None => (cfg.slurm.mem.clone(), cfg.slurm.time.clone()),
            };
            // This retry says how the previous attempt ended.
            if let (Some(r), Some(prev)) = (&j.retry, out.last_mut()) {
                let k = j.indices.iter().position(|&i| i == index);
                prev.slurm_state = k.and_then(|k| r.after.get(k)).cloned();
            }
            out.push(Attempt {
                slurm_job_id: format!("{}_{task}", j.slurm_job_id),
                mem,
                time,
                slurm_state: None,
            });
        }
        if let Some(last) = out.last_mut() {
            last.slurm_state = details
                .get(&index)
                .filter(|d| d.job == last.slurm_job_id && !d.obs.state.is_empty())
                .map(|d| d.obs.state.clone());
        }
        Some(out)
    }

    /// Fill `rec.attempts`.
    pub(crate) fn fill(
        &self,
        rec: &mut TrialRecord,
        cfg: &Config,
        details: &BTreeMap<u64, Detail>,
    ) {
        if !self.of.is_empty() {
            rec.attempts = self.attempts(rec.index, cfg, details);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::job_ids::Retry;

    fn job(id: &str, indices: &[u64], retry: Option<(&str, &str, &[&str])>) -> JobRecord {
        JobRecord {
            slurm_job_id: id.into(),
            indices: indices.to_vec(),
            task_offset: 0,
            retry: retry.map(|(mem, time, after)| Retry {
                mem: mem.into(),
                time: time.into(),
                after: after.iter().map(|s| s.to_string()).collect(),
            }),
        }
    }

    #[test]
    fn attempts_read_resources_and_ends_from_the_job_history() {
        let yaml = "name: demo\ngrid: all\nlauncher: ./launch.sh\nslurm: {partition: p, mem: 1G, time: \"00:10:00\"}\nparameters:\n  x: {type: discrete, values: [1, 2, 3]}\n";
        let ws = std::path::Path::new("/w");
        let cfg = crate::config::parse(yaml, &ws.join("hyperherd.yaml"), ws).unwrap();
        let jobs = vec![
            job("10", &[0, 1, 2], None),
            job(
                "11",
                &[1, 2],
                Some(("2G", "00:10:00", &["OUT_OF_MEMORY", "NODE_FAIL"])),
            ),
            // Index 2 submitted again by hand, then retried once more.
            job("12", &[2], None),
            job("13", &[2], Some(("1G", "00:15:00", &["TIMEOUT"]))),
        ];
        let h = History::new(&jobs);
        assert_eq!(h.retries_in_a_row(0), 0);
        assert_eq!(h.retries_in_a_row(1), 1);
        assert_eq!(
            h.retries_in_a_row(2),
            1,
            "the hand submission restarts the count"
        );
        assert_eq!(
            h.latest_resources(0, &cfg),
            ("1G".into(), "00:10:00".into())
        );
        assert_eq!(
            h.latest_resources(2, &cfg),
            ("1G".into(), "00:15:00".into())
        );
        let mut details = BTreeMap::new();
        details.insert(
            1,
            Detail {
                job: "11_1".into(),
                obs: crate::model::record::Observation {
                    state: "COMPLETED".into(),
                    ..Default::default()
                },
            },
        );
        assert_eq!(h.attempts(0, &cfg, &details), None, "never retried");
        let a = h.attempts(1, &cfg, &details).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = a
            .iter()
            .map(|a| {
                (
                    a.slurm_job_id.as_str(),
                    a.mem.as_str(),
                    a.slurm_state.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("10_1", "1G", Some("OUT_OF_MEMORY")),
                ("11_1", "2G", Some("COMPLETED"))
            ]
        );
        let a = h.attempts(2, &cfg, &details).unwrap();
        let states: Vec<Option<&str>> = a.iter().map(|a| a.slurm_state.as_deref()).collect();
        // The hand submission's end is not recorded anywhere (no retry followed it).
        assert_eq!(states, [Some("NODE_FAIL"), None, Some("TIMEOUT"), None]);
    }
}
