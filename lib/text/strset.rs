//! A set of strings kept in one arena: exact membership for the hundreds of thousands
//! of dedupe keys and names an expansion checks, without a heap block per string
//! (allocating, and at the end freeing, one `String` per key was a sixth of a
//! 100,000-trial sampled expansion).

use crate::text::fxhash::FxHasher;
use std::hash::Hasher;

/// The strings, back to back, and an open-addressing table of them.
#[derive(Default)]
pub(crate) struct StrSet {
    /// Every member's bytes, back to back.
    arena: String,
    /// Per member: its hash, and where its bytes are in `arena`.
    members: Vec<(u64, usize, usize)>,
    /// Slots (a power of two, at most half full): 0 empty, else member index + 1.
    slots: Vec<u32>,
}

impl StrSet {
    /// An empty set with room for `n` members before it grows.
    pub(crate) fn with_capacity(n: usize) -> StrSet {
        StrSet {
            arena: String::with_capacity(n.saturating_mul(24)),
            members: Vec::with_capacity(n),
            slots: vec![0; (n.max(8) * 2).next_power_of_two()],
        }
    }

    fn hash(s: &str) -> u64 {
        let mut h = FxHasher::default();
        h.write(s.as_bytes());
        h.finish()
    }

    /// The slot holding `s`, or the empty slot where it would go.
    fn find(&self, s: &str, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            match self.slots[at] {
                0 => return at,
                m => {
                    let (h, start, len) = self.members[m as usize - 1];
                    if h == hash && self.arena.get(start..start + len) == Some(s) {
                        return at;
                    }
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Whether `s` is a member.
    pub(crate) fn contains(&self, s: &str) -> bool {
        !self.slots.is_empty() && self.slots[self.find(s, Self::hash(s))] != 0
    }

    /// Adds `s`; true if it was not a member.
    pub(crate) fn insert(&mut self, s: &str) -> bool {
        if self.slots.is_empty() {
            self.slots = vec![0; 16];
        }
        let hash = Self::hash(s);
        let at = self.find(s, hash);
        if self.slots[at] != 0 {
            return false;
        }
        // u32 slots: more members than that would not fit in memory anyway.
        let Ok(id) = u32::try_from(self.members.len() + 1) else {
            return false;
        };
        self.members.push((hash, self.arena.len(), s.len()));
        self.arena.push_str(s);
        self.slots[at] = id;
        if self.members.len() * 2 > self.slots.len() {
            self.grow();
        }
        true
    }

    /// Doubles the table and places every member again.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        for (i, &(h, _, _)) in self.members.iter().enumerate() {
            let mut at = h as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = i as u32 + 1;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Agrees with a standard set on inserts and lookups, through several growths,
    /// with strings that share prefixes and the empty string.
    #[test]
    fn behaves_as_a_set() {
        let mut ours = StrSet::default();
        let mut std_set = HashSet::new();
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let s = match seed >> 62 {
                0 => String::new(),
                1 => format!("lr={}", seed >> 50),
                _ => format!("opt=adam|lr={}|wd=0.{}", seed >> 52, seed >> 60),
            };
            assert_eq!(ours.contains(&s), std_set.contains(&s), "{s}");
            assert_eq!(ours.insert(&s), std_set.insert(s.clone()), "{s}");
            assert!(ours.contains(&s));
        }
        assert_eq!(ours.members.len(), std_set.len());
        assert!(!StrSet::with_capacity(4).contains("x"));
    }
}
