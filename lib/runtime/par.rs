//! Work spread over the machine's cores with the results kept in order.
//!
//! Several tools make one piece of output per item (a trial's record, a trial's
//! rendered streams) where making it is most of the work and writing it is little:
//! [`ordered`] makes them on worker threads and hands them back in item order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `make` on each of `jobs` and hands each result to `take` in the order of
/// `jobs`. With two or more cores (at most `max_workers` are used) and at least
/// `min_jobs` jobs, `make` runs on worker threads that take jobs in turn while this
/// thread puts the results back in order; else everything runs here, in order. When
/// `take` fails, the workers stop at their next job and its error is returned.
pub fn ordered<J: Sync, T: Send, E>(
    jobs: &[J],
    max_workers: usize,
    min_jobs: usize,
    make: impl Fn(&J) -> T + Sync,
    mut take: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(max_workers);
    if workers < 2 || jobs.len() < min_jobs.max(2) {
        for j in jobs {
            take(make(j))?;
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| -> Result<(), E> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, T)>(4 * workers);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, make) = (&next, &make);
            s.spawn(move || loop {
                let at = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(at) else { break };
                // The receiver is gone when `take` failed: stop.
                if tx.send((at, make(job))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Results come in the order workers finish; hand them on in job order.
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (at, done) in rx {
            waiting.insert(at, done);
            while let Some(done) = waiting.remove(&due) {
                // Returning drops `rx`, which stops the workers.
                take(done)?;
                due += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results arrive in job order however long each job takes, on workers and
    /// here alike; a failing `take` stops the run with its error.
    #[test]
    fn keeps_the_order_and_stops_on_failure() {
        let jobs: Vec<u64> = (0..200).collect();
        for (workers, min) in [(4, 1), (1, 1), (4, 1000)] {
            let mut got = Vec::new();
            let make = |&j: &u64| {
                std::thread::sleep(std::time::Duration::from_micros((j * 7919) % 300));
                j * 2
            };
            ordered(&jobs, workers, min, make, |t| {
                got.push(t);
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(got, jobs.iter().map(|j| j * 2).collect::<Vec<_>>());
        }
        let mut seen = 0;
        let r = ordered(
            &jobs,
            4,
            1,
            |&j| j,
            |t| {
                seen += 1;
                if t == 10 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((r, seen), (Err("stop"), 11));
    }
}
