//! Reconciliation: the stored manifest + the freshly expanded trials → the new manifest.
//!
//! Identity is the trial hash (spec §8). Kept trials keep index, frozen name and
//! status; removed ones are dropped unless they are active (then the edit is refused,
//! or with `--force` they stay as orphans); added ones get new indices from the
//! workspace's high-water mark, so an index is never reused (B16).

use crate::model::expand::NamedTrial;
use crate::model::naming::trial_hash;
use crate::model::record::ManifestRecord;
use crate::model::record::Status;
use crate::text::fxhash::FxHashSet as HashSet;

/// The outcome of reconciling.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The new manifest, in order: stored records kept (and orphans), then additions.
    pub records: Vec<ManifestRecord>,
    /// Stored records dropped (not active, no longer generated).
    pub dropped: Vec<ManifestRecord>,
    /// Active records no longer generated: kept as orphans with `--force`.
    pub orphans: Vec<ManifestRecord>,
    /// How many trials were added.
    pub added: usize,
    /// The high-water mark after assigning new indices.
    pub next_index: u64,
}

/// True for statuses that must not disappear silently from the manifest.
pub fn is_active(s: &Status) -> bool {
    matches!(
        s,
        Status::Running | Status::Queued | Status::Submitted | Status::Completed
    )
}

/// Reconcile `stored` with `generated`. New indices start at `next_index`.
///
/// Both are consumed: kept records move into the plan, so a large sweep is never held
/// three times over. Without `force`, removing an active trial is refused: the error
/// lists them.
pub fn reconcile(
    stored: Vec<ManifestRecord>,
    generated: Vec<NamedTrial>,
    next_index: u64,
    force: bool,
) -> Result<Plan, Vec<ManifestRecord>> {
    let gen_hashes: Vec<String> = generated
        .iter()
        .map(|t| trial_hash(&t.trial.params, &t.trial.extras))
        .collect();
    // Usually the config still generates the stored trials in the stored order: that
    // prefix is kept (and adds nothing) without a set lookup. Sets of fingerprints
    // (the hash's 12 hex digits as a number; anything else, such as a hand-edited
    // hash, by its text) settle the rest, so the strings can move into records.
    let same = stored
        .iter()
        .zip(&gen_hashes)
        .take_while(|(r, h)| r.hash == **h)
        .count();
    let wanted: HashSet<Fingerprint> = if stored.len() > same {
        gen_hashes.iter().map(|h| fingerprint(h)).collect()
    } else {
        HashSet::default()
    };
    let have: HashSet<Fingerprint> = if generated.len() > same {
        stored.iter().map(|r| fingerprint(&r.hash)).collect()
    } else {
        HashSet::default()
    };
    let mut records = Vec::with_capacity(stored.len().max(generated.len()));
    let (mut dropped, mut orphans) = (Vec::new(), Vec::new());
    let mut stored = stored.into_iter();
    records.extend(stored.by_ref().take(same));
    for r in stored {
        if wanted.contains(&fingerprint(&r.hash)) {
            records.push(r);
        } else if is_active(&r.status) {
            orphans.push(r.clone());
            records.push(r);
        } else {
            dropped.push(r);
        }
    }
    if !orphans.is_empty() && !force {
        return Err(orphans);
    }
    drop(wanted);
    let mut next = next_index;
    let mut added = 0;
    let mut seen_new: HashSet<Fingerprint> = HashSet::default();
    for (t, h) in generated.into_iter().zip(gen_hashes).skip(same) {
        let f = fingerprint(&h);
        if have.contains(&f) || !seen_new.insert(f) {
            continue;
        }
        records.push(ManifestRecord {
            index: next,
            hash: h,
            params: t.trial.params,
            extras: t.trial.extras,
            experiment_name: Some(t.name),
            status: Status::Ready,
        });
        // Cannot overflow (next <= MAX_INDEX + 1); callers refuse a `next_index` past
        // the largest index before anything is written.
        next = next.saturating_add(1);
        added += 1;
    }
    Ok(Plan {
        records,
        dropped,
        orphans,
        added,
        next_index: next,
    })
}

/// A trial hash as a set key: its 12 lowercase hex digits as a number, or (for a
/// stored hash of another shape) the text itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Fingerprint {
    Hex(u64),
    Text(String),
}

fn fingerprint(h: &str) -> Fingerprint {
    let hex = h.len() == 12
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match u64::from_str_radix(h, 16) {
        Ok(n) if hex => Fingerprint::Hex(n),
        _ => Fingerprint::Text(h.to_string()),
    }
}

/// The refusal text for an edit that removes active trials (at most 5 listed).
pub fn refusal_message(orphans: &[ManifestRecord]) -> String {
    let mut msg = format!(
        "the config edit removes {} trial(s) that are running, queued or completed:",
        orphans.len()
    );
    for r in orphans.iter().take(5) {
        msg.push_str(&format!(
            "\n  idx {} [{}] {}",
            r.index,
            r.status,
            r.experiment_name.as_deref().unwrap_or("")
        ));
    }
    if orphans.len() > 5 {
        msg.push_str(&format!("\n  ... and {} more", orphans.len() - 5));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expand::Trial;
    use crate::text::value::{Assoc, Value};

    fn gen(vals: &[f64]) -> Vec<NamedTrial> {
        vals.iter()
            .map(|&v| NamedTrial {
                trial: Trial {
                    params: Assoc(vec![("lr".into(), Value::Float(v))]),
                    extras: Assoc::new(),
                },
                name: format!("lr-{v}"),
            })
            .collect()
    }

    fn stored(vals: &[(f64, Status)]) -> Vec<ManifestRecord> {
        reconcile(
            Vec::new(),
            gen(&vals.iter().map(|v| v.0).collect::<Vec<_>>()),
            0,
            false,
        )
        .unwrap()
        .records
        .into_iter()
        .zip(vals)
        .map(|(mut r, (_, s))| {
            r.status = s.clone();
            r
        })
        .collect()
    }

    /// The rule of spec §8 written plainly (string sets, every record cloned): the
    /// model the fast paths of `reconcile` must agree with.
    fn model(
        stored: &[ManifestRecord],
        generated: &[NamedTrial],
        next_index: u64,
        force: bool,
    ) -> Result<Plan, Vec<ManifestRecord>> {
        let hashes: Vec<String> = generated
            .iter()
            .map(|t| trial_hash(&t.trial.params, &t.trial.extras))
            .collect();
        let (mut records, mut dropped, mut orphans) = (vec![], vec![], vec![]);
        for r in stored {
            if hashes.contains(&r.hash) {
                records.push(r.clone());
            } else if is_active(&r.status) {
                orphans.push(r.clone());
                records.push(r.clone());
            } else {
                dropped.push(r.clone());
            }
        }
        if !orphans.is_empty() && !force {
            return Err(orphans);
        }
        let (mut next, mut added, mut seen) = (next_index, 0, Vec::<String>::new());
        for (t, h) in generated.iter().zip(hashes) {
            if stored.iter().any(|r| r.hash == h) || seen.contains(&h) {
                continue;
            }
            seen.push(h.clone());
            records.push(ManifestRecord {
                index: next,
                hash: h,
                params: t.trial.params.clone(),
                extras: t.trial.extras.clone(),
                experiment_name: Some(t.name.clone()),
                status: Status::Ready,
            });
            next += 1;
            added += 1;
        }
        Ok(Plan {
            records,
            dropped,
            orphans,
            added,
            next_index: next,
        })
    }

    fn summary(p: &Result<Plan, Vec<ManifestRecord>>) -> String {
        let line = |rs: &[ManifestRecord]| {
            rs.iter()
                .map(|r| format!("{}:{}:{}", r.index, r.hash, r.status))
                .collect::<Vec<_>>()
                .join(" ")
        };
        match p {
            Ok(p) => format!(
                "records [{}] dropped [{}] orphans [{}] added {} next {}",
                line(&p.records),
                line(&p.dropped),
                line(&p.orphans),
                p.added,
                p.next_index
            ),
            Err(o) => format!("refused [{}]", line(o)),
        }
    }

    #[test]
    fn agrees_with_the_plain_rule_on_random_edits() {
        let pool = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
        let statuses = [
            Status::Ready,
            Status::Submitted,
            Status::Running,
            Status::Completed,
            Status::Failed,
            Status::Cancelled,
        ];
        let mut rng = crate::testrng::XorShift(0x5EED_1234_ABCD_0001);
        for _ in 0..20_000 {
            let pick = |rng: &mut crate::testrng::XorShift, n: usize| -> Vec<f64> {
                (0..n).map(|_| pool[rng.below(pool.len())]).collect()
            };
            let n = rng.below(7);
            let first = pick(&mut rng, n);
            let mut old = stored(
                &first
                    .iter()
                    .map(|&v| (v, statuses[rng.below(statuses.len())].clone()))
                    .collect::<Vec<_>>(),
            );
            // Now and then a hand-edited hash, or a stored trial listed twice.
            if !old.is_empty() && rng.below(5) == 0 {
                let k = rng.below(old.len());
                old[k].hash = if rng.below(2) == 0 {
                    old[k].hash.to_uppercase()
                } else {
                    "edited".into()
                };
            }
            if !old.is_empty() && rng.below(8) == 0 {
                let k = rng.below(old.len());
                old.push(old[k].clone());
            }
            // The new config: the old values kept in order up to a point, then others.
            let keep = rng.below(first.len() + 1);
            let mut vals = first[..keep].to_vec();
            let n = rng.below(5);
            vals.extend(pick(&mut rng, n));
            let force = rng.below(2) == 0;
            let next = old.len() as u64 + rng.below(3) as u64;
            let want = summary(&model(&old, &gen(&vals), next, force));
            let got = summary(&reconcile(old.clone(), gen(&vals), next, force));
            assert_eq!(got, want, "stored {first:?} then {vals:?}, force {force}");
        }
    }

    #[test]
    fn keeps_adds_and_drops() {
        let old = stored(&[(0.1, Status::Completed), (0.01, Status::Ready)]);
        let p = reconcile(old.clone(), gen(&[0.1, 0.001]), 2, false).unwrap();
        assert_eq!(p.dropped.len(), 1);
        assert_eq!(p.added, 1);
        let idx: Vec<u64> = p.records.iter().map(|r| r.index).collect();
        assert_eq!(idx, [0, 2]);
        assert_eq!(p.records[0].status, Status::Completed);
    }

    #[test]
    fn removing_active_trials_needs_force() {
        let old = stored(&[(0.1, Status::Ready), (0.01, Status::Running)]);
        let refused = reconcile(old.clone(), gen(&[0.1]), 2, false).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert!(refusal_message(&refused).contains("idx 1 [running] lr-0.01"));
        let p = reconcile(old.clone(), gen(&[0.1]), 2, true).unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.orphans.len(), 1);
    }

    #[test]
    fn fingerprints_tell_exactly_the_hashes_apart() {
        assert_eq!(
            fingerprint("60628230bff2"),
            Fingerprint::Hex(0x60628230bff2)
        );
        // Uppercase or another length is another (textual) identity, never equal.
        assert_ne!(fingerprint("60628230BFF2"), fingerprint("60628230bff2"));
        assert_ne!(fingerprint("060628230bff2"), fingerprint("60628230bff2"));
        assert_eq!(fingerprint("legacy"), Fingerprint::Text("legacy".into()));
    }

    #[test]
    fn frozen_names_survive_abbrev_edits() {
        let old = stored(&[(0.1, Status::Ready)]);
        let mut renamed = gen(&[0.1, 0.01]);
        renamed[0].name = "learning_rate-0.1".into();
        let p = reconcile(old.clone(), renamed, 1, false).unwrap();
        assert_eq!(p.records[0].experiment_name.as_deref(), Some("lr-0.1"));
        assert_eq!(p.records[1].experiment_name.as_deref(), Some("lr-0.01"));
    }
}
