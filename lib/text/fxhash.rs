//! A fast non-cryptographic hasher (the Fx hash of rustc/Firefox) for in-memory sets
//! and maps keyed by herd's own data. Not for anything an attacker controls across a
//! trust boundary: sweeps are the user's own config.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hasher: a multiply-rotate over 8-byte words.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// The hash with its high bits folded into the low bits a hash table indexes by
    /// (murmur3's finaliser step): the low bits of a product depend only on the low
    /// bits of the input, so keys that differ only past their first bytes (`a-1`,
    /// `a-2`, … as 8-byte words; whole floats' bits) would otherwise share one bucket
    /// group and make every insert scan them all (1,000,000 values took 26 s to load).
    #[inline]
    fn finish(&self) -> u64 {
        let h = (self.hash ^ (self.hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with the Fx hasher.
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with the Fx hasher.
pub(crate) type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_work_and_distinguish_similar_strings() {
        let mut s: FxHashSet<String> = FxHashSet::default();
        for i in 0..10_000 {
            assert!(s.insert(format!("lr={i}|opt=adam")));
        }
        assert!(!s.insert("lr=5|opt=adam".to_string()));
        assert!(s.insert("lr=5|opt=adam ".to_string()));
    }

    #[test]
    fn keys_differing_in_their_high_bytes_spread_over_buckets() {
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<FxHasher>::default();
        let low: HashSet<u64> = (0..1000u64)
            .map(|i| b.hash_one(format!("a-{i:06}")) & 0xfff)
            .collect();
        assert!(low.len() > 500, "{} distinct low bits", low.len());
        let floats: HashSet<u64> = (0..1000u64)
            .map(|i| b.hash_one((i as f64).to_bits()) & 0xfff)
            .collect();
        assert!(floats.len() > 500, "{} distinct low bits", floats.len());
    }
}
