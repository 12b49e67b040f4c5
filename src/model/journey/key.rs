//! The key a request carries (a customer, a product, a tenant): drawn on the workload's
//! own random stream, so two designs compared on one seed see the very same keys.

use rand::Rng;
use rand_distr::{Distribution, Zipf};
use serde::{Deserialize, Serialize};

use crate::model::config::{self, ConfigError};

/// How keys are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum KeyDist {
    /// Every key `1..=keys` equally likely.
    Uniform {
        /// How many keys.
        keys: u64,
    },
    /// Key `k` of `1..=keys` with probability proportional to `1 / k^exponent`: a few
    /// keys carry much of the traffic (G. K. Zipf, 1949; sampled by rejection-inversion,
    /// W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from
    /// monotone discrete distributions", ACM TOMACS 6(3), 1996).
    Zipf {
        /// How many keys.
        keys: u64,
        /// The skew, >= 0 (0 is uniform; about 1 is typical of web popularity).
        exponent: f64,
    },
}

impl KeyDist {
    /// How many keys there are.
    pub fn keys(&self) -> u64 {
        match self {
            KeyDist::Uniform { keys } | KeyDist::Zipf { keys, .. } => *keys,
        }
    }

    /// Checks the numbers; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.keys() == 0 {
            return Err(ConfigError::invalid("keys", "must be at least 1"));
        }
        if let KeyDist::Zipf { exponent, .. } = self {
            config::non_negative("exponent", *exponent)?;
        }
        Ok(())
    }

    /// The share of requests that carry key `k` (0 outside `1..=keys`).
    pub fn probability(&self, k: u64) -> f64 {
        let n = self.keys();
        if k == 0 || k > n {
            return 0.0;
        }
        match self {
            KeyDist::Uniform { .. } => 1.0 / n as f64,
            KeyDist::Zipf { exponent, .. } => {
                let norm: f64 = (1..=n).map(|i| (i as f64).powf(-exponent)).sum();
                (k as f64).powf(-exponent) / norm
            }
        }
    }

    /// A sampler for this distribution (checked by [`KeyDist::validate`] first).
    pub fn sampler(&self) -> Result<KeySampler, ConfigError> {
        self.validate()?;
        Ok(match self {
            KeyDist::Uniform { keys } => KeySampler::Uniform(*keys),
            KeyDist::Zipf { keys, exponent } => KeySampler::Zipf(
                Zipf::new(*keys as f64, *exponent)
                    .map_err(|e| ConfigError::invalid("exponent", e.to_string()))?,
            ),
        })
    }
}

/// Draws keys, `1..=keys`.
#[derive(Clone, Debug)]
pub enum KeySampler {
    /// Uniform over `1..=n`.
    Uniform(u64),
    /// Zipf.
    Zipf(Zipf<f64>),
}

impl KeySampler {
    /// One key.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            KeySampler::Uniform(n) => rand::RngExt::random_range(rng, 1..=*n),
            // The sampler returns whole numbers in 1..=n as floats.
            KeySampler::Zipf(z) => z.sample(rng) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;

    #[test]
    fn zipf_keys_follow_their_probabilities() {
        // 100 keys, exponent 1.1: P(1) = 1 / H where H = sum_{k=1}^{100} k^-1.1 = 3.98
        // (so about 25% of requests carry key 1), P(2) = P(1) / 2^1.1 = P(1) / 2.14.
        // 200,000 draws: the standard error of P(1)'s estimate is about
        // sqrt(0.25 * 0.75 / 200,000) = 0.001; allow 0.005.
        let dist = KeyDist::Zipf {
            keys: 100,
            exponent: 1.1,
        };
        let h: f64 = (1..=100).map(|k| f64::from(k).powf(-1.1)).sum();
        assert!((dist.probability(1) - 1.0 / h).abs() < 1e-12);
        let sampler = dist.sampler().unwrap();
        let mut rng = stream_rng(7, "workload/keys");
        let n = 200_000;
        let mut counts = vec![0u32; 101];
        for _ in 0..n {
            let k = sampler.draw(&mut rng);
            assert!((1..=100).contains(&k), "{k}");
            counts[k as usize] += 1;
        }
        for k in [1, 2, 10, 100] {
            let seen = f64::from(counts[k as usize]) / f64::from(n);
            let want = dist.probability(k);
            assert!((seen - want).abs() < 0.005, "key {k}: {seen} vs {want}");
        }
        // The probabilities add up to one.
        let total: f64 = (1..=100).map(|k| dist.probability(k)).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn uniform_keys_cover_the_range_evenly() {
        let dist = KeyDist::Uniform { keys: 4 };
        let s = dist.sampler().unwrap();
        let mut rng = stream_rng(1, "workload/keys");
        let mut counts = [0u32; 5];
        for _ in 0..40_000 {
            counts[s.draw(&mut rng) as usize] += 1;
        }
        // 10,000 expected each, standard deviation 87.
        assert_eq!(counts[0], 0);
        assert!(
            counts[1..].iter().all(|c| c.abs_diff(10_000) < 500),
            "{counts:?}"
        );
        assert_eq!(dist.probability(5), 0.0);
    }

    #[test]
    fn bad_key_counts_and_exponents_are_errors_that_name_the_field() {
        let e = KeyDist::Uniform { keys: 0 }.validate().unwrap_err();
        assert!(e.to_string().contains("keys"), "{e}");
        let e = KeyDist::Zipf {
            keys: 10,
            exponent: -1.0,
        }
        .sampler()
        .unwrap_err();
        assert!(e.to_string().contains("exponent"), "{e}");
    }
}
