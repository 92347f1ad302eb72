//! What sacct, squeue or scontrol said, by (array job id, task id).
//!
//! A sync looks up every task of its jobs, and a large sweep is one array of up to
//! 100,000 tasks: per job, tasks sit in a vector indexed by task id (looked up in
//! order, that is a walk through memory, not a hash probe and a cache miss per task).
//! A task id far past the others (an odd or hostile row) goes to a small map instead,
//! so one row cannot make the vector huge.

use crate::model::record::Observation;
use crate::text::fxhash::FxHashMap;

/// Observations keyed by (array job id, task id).
#[derive(Debug, Default)]
pub(crate) struct Observations {
    jobs: FxHashMap<u64, Tasks>,
}

/// One job's tasks.
#[derive(Debug, Default)]
struct Tasks {
    /// By task id, from 0.
    dense: Vec<Option<Observation>>,
    /// Task ids past what `dense` has grown to.
    sparse: FxHashMap<u64, Option<Observation>>,
}

/// How far past its length `dense` may grow for one task: a task id further than
/// this goes to `sparse`.
const SLACK: u64 = 4096;

impl Tasks {
    fn get(&self, task: u64) -> Option<&Observation> {
        match self
            .dense
            .get(task as usize)
            .filter(|_| task < self.dense.len() as u64)
        {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(&task)?.as_ref(),
        }
    }

    fn slot(&mut self, task: u64) -> &mut Option<Observation> {
        let len = self.dense.len() as u64;
        if task >= len && task <= 2 * len + SLACK {
            let new_len = task + 1;
            self.dense.resize_with(new_len as usize, || None);
            // Tasks kept aside before now have their place in the vector.
            let dense = &mut self.dense;
            self.sparse.retain(|&t, o| {
                if t < new_len {
                    dense[t as usize] = o.take();
                }
                t >= new_len
            });
        }
        if task < self.dense.len() as u64 {
            &mut self.dense[task as usize]
        } else {
            self.sparse.entry(task).or_default()
        }
    }
}

impl Observations {
    /// The observation of task `key.1` of job `key.0`.
    pub(crate) fn get(&self, key: &(u64, u64)) -> Option<&Observation> {
        self.jobs.get(&key.0)?.get(key.1)
    }

    /// The observation of `key`, made empty if there is none.
    pub(crate) fn entry(&mut self, key: (u64, u64)) -> &mut Observation {
        self.jobs
            .entry(key.0)
            .or_default()
            .slot(key.1)
            .get_or_insert_with(Observation::default)
    }

    /// Set the observation of `key`.
    pub(crate) fn insert(&mut self, key: (u64, u64), o: Observation) {
        *self.jobs.entry(key.0).or_default().slot(key.1) = Some(o);
    }

    /// Keep only the observations `keep` says to.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Observation) -> bool) {
        for tasks in self.jobs.values_mut() {
            let slots = tasks.dense.iter_mut().chain(tasks.sparse.values_mut());
            for slot in slots {
                if slot.as_ref().is_some_and(|o| !keep(o)) {
                    *slot = None;
                }
            }
        }
    }

    /// How many tasks have an observation.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let tasks = self.jobs.values();
        tasks
            .map(|t| t.dense.iter().chain(t.sparse.values()).flatten().count())
            .sum()
    }
}

#[cfg(test)]
impl std::ops::Index<&(u64, u64)> for Observations {
    type Output = Observation;
    fn index(&self, key: &(u64, u64)) -> &Observation {
        self.get(key).expect("no observation of this task")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_tasks_go_aside_and_come_back_when_the_vector_reaches_them() {
        let mut o = Observations::default();
        let obs = |s: &str| Observation {
            state: s.into(),
            ..Observation::default()
        };
        o.insert((5, 1_000_000), obs("FAR"));
        o.insert((5, 0), obs("A"));
        o.insert((5, 6000), obs("B"));
        assert_eq!(o.jobs[&5].dense.len(), 1, "one far row does not grow it");
        for t in 1..6000 {
            o.entry((5, t)).state = "X".into();
        }
        assert_eq!(o[&(5, 6000)].state, "B", "moved into the vector");
        assert_eq!(o[&(5, 1_000_000)].state, "FAR");
        assert_eq!(o[&(5, 0)].state, "A");
        assert!(o.get(&(5, 6001)).is_none() && o.get(&(6, 0)).is_none());
        assert_eq!(o.len(), 6002);
        o.retain(|x| x.state != "X");
        assert_eq!(o.len(), 3);
    }
}
