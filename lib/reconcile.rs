//! Reconciliation: the stored manifest + the freshly expanded trials → the new manifest.
//!
//! Identity is the trial hash (spec §8). Kept trials keep index, frozen name and
//! status; removed ones are dropped unless they are active (then the edit is refused,
//! or with `--force` they stay as orphans); added ones get new indices from the
//! workspace's high-water mark, so an index is never reused (B16).

use crate::expand::NamedTrial;
use crate::fxhash::FxHashSet as HashSet;
use crate::naming::trial_hash;
use crate::record::Status;
use crate::workspace::ManifestRecord;

/// The outcome of reconciling.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The new manifest, in order: stored records kept (and orphans), then additions.
    pub records: Vec<ManifestRecord>,
    /// How many stored records were kept because the config still generates them.
    pub kept: usize,
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
/// Without `force`, removing an active trial is refused: the error lists them.
pub fn reconcile(
    stored: &[ManifestRecord],
    generated: Vec<NamedTrial>,
    next_index: u64,
    force: bool,
) -> Result<Plan, Vec<ManifestRecord>> {
    let gen_hashes: Vec<String> = generated
        .iter()
        .map(|t| trial_hash(&t.trial.params, &t.trial.extras))
        .collect();
    // Sets of fingerprints (the hash's 12 hex digits as a number; anything else, such
    // as a hand-edited hash, by its text), so that the strings can move into records.
    let wanted: HashSet<Fingerprint> = if stored.is_empty() {
        HashSet::default()
    } else {
        gen_hashes.iter().map(|h| fingerprint(h)).collect()
    };
    let mut records = Vec::with_capacity(stored.len().max(generated.len()));
    let (mut kept, mut dropped, mut orphans) = (0, Vec::new(), Vec::new());
    for r in stored {
        if wanted.contains(&fingerprint(&r.hash)) {
            kept += 1;
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
    drop(wanted);
    let have: HashSet<Fingerprint> = stored.iter().map(|r| fingerprint(&r.hash)).collect();
    let mut next = next_index;
    let mut added = 0;
    let mut seen_new: HashSet<Fingerprint> =
        HashSet::with_capacity_and_hasher(generated.len(), Default::default());
    for (t, h) in generated.into_iter().zip(gen_hashes) {
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
        next += 1;
        added += 1;
    }
    Ok(Plan {
        records,
        kept,
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
    use crate::expand::Trial;
    use crate::value::{Assoc, Value};

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
            &[],
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

    #[test]
    fn keeps_adds_and_drops() {
        let old = stored(&[(0.1, Status::Completed), (0.01, Status::Ready)]);
        let p = reconcile(&old, gen(&[0.1, 0.001]), 2, false).unwrap();
        assert_eq!(p.kept, 1);
        assert_eq!(p.dropped.len(), 1);
        assert_eq!(p.added, 1);
        let idx: Vec<u64> = p.records.iter().map(|r| r.index).collect();
        assert_eq!(idx, [0, 2]);
        assert_eq!(p.records[0].status, Status::Completed);
    }

    #[test]
    fn removing_active_trials_needs_force() {
        let old = stored(&[(0.1, Status::Ready), (0.01, Status::Running)]);
        let refused = reconcile(&old, gen(&[0.1]), 2, false).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert!(refusal_message(&refused).contains("idx 1 [running] lr-0.01"));
        let p = reconcile(&old, gen(&[0.1]), 2, true).unwrap();
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
        let p = reconcile(&old, renamed, 1, false).unwrap();
        assert_eq!(p.records[0].experiment_name.as_deref(), Some("lr-0.1"));
        assert_eq!(p.records[1].experiment_name.as_deref(), Some("lr-0.01"));
    }
}
