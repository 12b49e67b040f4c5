//! Which shard a key goes to (the Z axis of the scale cube: partition by key). Every
//! scheme is a fixed function of the key, so a key's shard is the same on every machine
//! and in every run.

use serde::{Deserialize, Serialize};

use crate::model::config::ConfigError;

/// How a sharded service splits its key space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ShardBy {
    /// `mix(key) mod shards`: even for any key popularity, but adding a shard moves
    /// almost every key.
    Hash,
    /// Keys `1..=keys` cut into equal consecutive ranges: neighbouring keys share a
    /// shard (good for range scans; a popular range makes a hot shard).
    Range,
    /// Each shard owns `vnodes` points on a 64-bit ring; a key goes to the first point at
    /// or after `mix(key)`. Adding a shard moves about 1/N of the keys (D. Karger et al.,
    /// "Consistent hashing and random trees", STOC 1997).
    ConsistentHash {
        /// Points per shard on the ring (more: a more even split).
        vnodes: u32,
    },
}

/// SplitMix64's output for the state `x` (S. Vigna's public-domain reference,
/// <https://prng.di.unimi.it/splitmix64.c>): a fixed, well-mixed hash of a 64-bit key.
/// `mix(0)` is `0xE220A8397B1DCDAF`, the generator's first output from seed 0.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key-to-shard map for a given number of shards (and, for ranges, of keys).
#[derive(Clone, Debug)]
pub struct ShardMap {
    shards: u32,
    keys: u64,
    how: Scheme,
}

#[derive(Clone, Debug)]
enum Scheme {
    Hash,
    Range,
    /// The ring's points, sorted, each with its shard.
    Ring(Vec<(u64, u32)>),
}

impl ShardMap {
    /// The map of `by` over `shards` shards for keys `1..=keys` (the key count matters to
    /// ranges only).
    pub fn new(by: &ShardBy, shards: u32, keys: u64) -> Result<ShardMap, ConfigError> {
        if shards == 0 {
            return Err(ConfigError::invalid("count", "must be at least 1"));
        }
        let how = match by {
            ShardBy::Hash => Scheme::Hash,
            ShardBy::Range => {
                if keys == 0 {
                    return Err(ConfigError::invalid(
                        "by",
                        "Range needs the key count: give the request class a key",
                    ));
                }
                Scheme::Range
            }
            ShardBy::ConsistentHash { vnodes } => {
                if *vnodes == 0 {
                    return Err(ConfigError::invalid("vnodes", "must be at least 1"));
                }
                let mut ring: Vec<(u64, u32)> = (0..shards)
                    .flat_map(|s| {
                        (0..*vnodes).map(move |v| (mix(u64::from(s) << 32 | u64::from(v)), s))
                    })
                    .collect();
                ring.sort_unstable();
                Scheme::Ring(ring)
            }
        };
        Ok(ShardMap { shards, keys, how })
    }

    /// How many shards.
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// The shard (`0..shards`) that holds `key`.
    pub fn shard_of(&self, key: u64) -> u32 {
        let n = u64::from(self.shards);
        match &self.how {
            Scheme::Hash => (mix(key) % n) as u32,
            // Keys outside 1..=keys are clamped into it (a trace may carry others).
            Scheme::Range => {
                let k = key.clamp(1, self.keys) - 1;
                ((u128::from(k) * u128::from(n)) / u128::from(self.keys)) as u32
            }
            Scheme::Ring(ring) => {
                let h = mix(key);
                let i = ring.partition_point(|(p, _)| *p < h);
                ring.get(i).or(ring.first()).map_or(0, |(_, s)| *s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_splitmix64() {
        // SplitMix64 seeded with 0 (state 0): its first outputs are mix(0) and mix(γ),
        // with γ = 0x9E3779B97F4A7C15 its increment. The first is the published
        // 0xE220A8397B1DCDAF.
        assert_eq!(mix(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(mix(1), 0x910A_2DEC_8902_5CC1);
    }

    #[test]
    fn a_known_key_goes_to_the_documented_shard() {
        // Hash over 8 shards: mix(0) ends in 0xAF = 0b1010_1111, so key 0 -> 0b111 = 7;
        // mix(1) ends in 0xC1 -> 1.
        let hash = ShardMap::new(&ShardBy::Hash, 8, 0).unwrap();
        assert_eq!((hash.shard_of(0), hash.shard_of(1)), (7, 1));
        // Range over 4 shards of keys 1..=1000: 250 keys each.
        let range = ShardMap::new(&ShardBy::Range, 4, 1000).unwrap();
        let shards: Vec<u32> = [1, 250, 251, 500, 501, 999, 1000]
            .iter()
            .map(|k| range.shard_of(*k))
            .collect();
        assert_eq!(shards, vec![0, 0, 1, 1, 2, 3, 3]);
        // Consistent hashing: the shard owning the first ring point at or after mix(key).
        let ring = ShardMap::new(&ShardBy::ConsistentHash { vnodes: 4 }, 3, 0).unwrap();
        let points: Vec<(u64, u32)> = {
            let mut p: Vec<(u64, u32)> = (0..3u32)
                .flat_map(|s| (0..4u32).map(move |v| (mix(u64::from(s) << 32 | u64::from(v)), s)))
                .collect();
            p.sort_unstable();
            p
        };
        for key in [0u64, 1, 42, 99_999] {
            let h = mix(key);
            let owner = points.iter().find(|(p, _)| *p >= h).unwrap_or(&points[0]).1;
            assert_eq!(ring.shard_of(key), owner, "key {key}");
        }
    }

    #[test]
    fn adding_a_shard_moves_about_one_in_n_keys_with_consistent_hashing() {
        // 8 -> 9 shards, 128 points each, 100,000 keys: about 1/9 = 11% of the keys move,
        // all of them to the new shard. Plain hashing moves about 8/9 of them.
        let by = ShardBy::ConsistentHash { vnodes: 128 };
        let (a, b) = (
            ShardMap::new(&by, 8, 0).unwrap(),
            ShardMap::new(&by, 9, 0).unwrap(),
        );
        let keys = 100_000u64;
        let mut moved = 0;
        for k in 1..=keys {
            let (from, to) = (a.shard_of(k), b.shard_of(k));
            if from != to {
                moved += 1;
                assert_eq!(to, 8, "key {k} moved between old shards");
            }
        }
        let share = moved as f64 / keys as f64;
        assert!((0.08..0.15).contains(&share), "{share}");
        let (a, b) = (
            ShardMap::new(&ShardBy::Hash, 8, 0).unwrap(),
            ShardMap::new(&ShardBy::Hash, 9, 0).unwrap(),
        );
        let moved = (1..=keys)
            .filter(|k| a.shard_of(*k) != b.shard_of(*k))
            .count();
        assert!(moved as f64 / keys as f64 > 0.8);
    }

    #[test]
    fn every_scheme_spreads_uniform_keys_evenly() {
        // 100,000 keys over 8 shards: 12,500 each. Range splits exactly and hash nearly
        // (binomial: a standard deviation of 0.8%). On a ring a shard's share is the sum
        // of its 128 arcs, whose relative standard deviation is about 1/sqrt(128) = 8.8%:
        // allow three of them.
        for (by, tolerance) in [
            (ShardBy::Hash, 0.03),
            (ShardBy::Range, 0.0001),
            (ShardBy::ConsistentHash { vnodes: 128 }, 0.27),
        ] {
            let m = ShardMap::new(&by, 8, 100_000).unwrap();
            let mut counts = [0u32; 8];
            for k in 1..=100_000 {
                counts[m.shard_of(k) as usize] += 1;
            }
            for c in counts {
                let off = (f64::from(c) - 12_500.0).abs() / 12_500.0;
                assert!(off <= tolerance, "{by:?}: {counts:?}");
            }
        }
    }

    #[test]
    fn bad_shard_maps_are_errors() {
        assert!(ShardMap::new(&ShardBy::Hash, 0, 10).is_err());
        assert!(ShardMap::new(&ShardBy::Range, 4, 0).is_err());
        assert!(ShardMap::new(&ShardBy::ConsistentHash { vnodes: 0 }, 4, 0).is_err());
    }
}
