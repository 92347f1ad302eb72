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
    /// Per member: where its bytes are in `arena`.
    members: Vec<(usize, usize)>,
    /// Slots (a power of two, at most half full): 0 empty, else the hash's high 32
    /// bits over the member's index + 1, so a probe reads a member only when the
    /// hashes agree.
    slots: Vec<u64>,
}

/// Where a string that is not a member would go (see [`StrSet::vacant_hashed`]).
pub(crate) struct Vacant {
    at: usize,
    hash: u64,
}

const HIGH: u64 = 0xffff_ffff_0000_0000;

impl StrSet {
    /// An empty set with room for `n` members before it grows.
    pub(crate) fn with_capacity(n: usize) -> StrSet {
        StrSet {
            arena: String::with_capacity(n.saturating_mul(32)),
            members: Vec::with_capacity(n),
            slots: vec![0; (n.max(8) * 2).next_power_of_two()],
        }
    }

    /// The hash the set files `s` under (for [`StrSet::vacant_hashed`] and
    /// [`StrSet::prefetch`], when it is worked out elsewhere or ahead).
    pub(crate) fn hash(s: &str) -> u64 {
        let mut h = FxHasher::default();
        h.write(s.as_bytes());
        h.finish()
    }

    /// Asks the CPU to bring the slot of `hash` into its cache: a lookup that follows
    /// a few lookups later then need not wait for memory (the table of a
    /// 100,000-trial sweep is megabytes, and each lookup was a cache miss).
    pub(crate) fn prefetch(&self, hash: u64) {
        if self.slots.is_empty() {
            return;
        }
        let at = hash as usize & (self.slots.len() - 1);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch reads nothing and cannot fault; the address is in bounds.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(at).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = at;
    }

    /// The slot holding `s`, or the empty slot where it would go.
    fn find(&self, s: &str, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            match self.slots[at] {
                0 => return at,
                slot if slot & HIGH == hash & HIGH => {
                    let (start, len) = self.members[(slot as u32) as usize - 1];
                    if self.arena.get(start..start + len) == Some(s) {
                        return at;
                    }
                }
                _ => {}
            }
            at = (at + 1) & mask;
        }
    }

    /// `None` if `s`, whose [`StrSet::hash`] is `hash`, is a member, else where it
    /// would go: [`StrSet::fill`] adds it there without looking again (nothing may be
    /// added in between).
    pub(crate) fn vacant_hashed(&mut self, s: &str, hash: u64) -> Option<Vacant> {
        if self.slots.is_empty() {
            self.slots = vec![0; 16];
        }
        let at = self.find(s, hash);
        (self.slots[at] == 0).then_some(Vacant { at, hash })
    }

    /// Adds `s` where [`StrSet::vacant_hashed`] said it goes.
    pub(crate) fn fill(&mut self, v: Vacant, s: &str) {
        // u32 indices: more members than that would not fit in memory anyway.
        let Ok(id) = u32::try_from(self.members.len() + 1) else {
            return;
        };
        self.members.push((self.arena.len(), s.len()));
        self.arena.push_str(s);
        self.slots[v.at] = (v.hash & HIGH) | u64::from(id);
        if self.members.len() * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// Adds `s`; true if it was not a member.
    pub(crate) fn insert(&mut self, s: &str) -> bool {
        self.insert_hashed(s, Self::hash(s))
    }

    /// [`StrSet::insert`] of `s`, whose [`StrSet::hash`] is `hash`.
    pub(crate) fn insert_hashed(&mut self, s: &str, hash: u64) -> bool {
        match self.vacant_hashed(s, hash) {
            Some(v) => {
                self.fill(v, s);
                true
            }
            None => false,
        }
    }

    /// Doubles the table and places every member again.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u64; size];
        for (i, &(start, len)) in self.members.iter().enumerate() {
            let hash = self.arena.get(start..start + len).map_or(0, Self::hash);
            let mut at = hash as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (hash & HIGH) | (i as u64 + 1);
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
        let mut rng = crate::testrng::XorShift(7);
        for _ in 0..20_000 {
            let seed = rng.next();
            let s = match seed >> 62 {
                0 => String::new(),
                1 => format!("lr={}", seed >> 50),
                _ => format!("opt=adam|lr={}|wd=0.{}", seed >> 52, seed >> 60),
            };
            let fresh = !std_set.contains(&s);
            match ours.vacant_hashed(&s, StrSet::hash(&s)) {
                Some(v) if seed & 1 == 0 => ours.fill(v, &s),
                Some(_) => assert!(ours.insert(&s), "{s}"),
                None => assert!(!fresh, "{s}"),
            }
            std_set.insert(s.clone());
            assert!(ours.vacant_hashed(&s, StrSet::hash(&s)).is_none(), "{s}");
            assert!(!ours.insert(&s));
        }
        assert_eq!(ours.members.len(), std_set.len());
        assert!(StrSet::with_capacity(4).vacant_hashed("x", 1).is_some());
    }
}
