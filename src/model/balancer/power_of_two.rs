//! Power of two choices: two distinct candidates at random, the one holding fewer
//! requests wins (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing",
//! 2001; Envoy's least request with `choice_count` 2; NGINX `random two least_conn`).

use super::{Candidates, Policy, below};
use crate::sim::SimRng;

/// No state: every pick is two fresh draws.
#[derive(Clone, Debug, Default)]
pub struct PowerOfTwo;

impl Policy for PowerOfTwo {
    fn pick(&mut self, c: &impl Candidates, _membership: u64, rng: &mut SimRng) -> usize {
        let n = c.len();
        let a = below(rng, n);
        // A second, distinct candidate: draw from the other n - 1 and skip over a.
        let mut b = below(rng, n - 1);
        if b >= a {
            b += 1;
        }
        if c.outstanding(b) < c.outstanding(a) {
            b
        } else {
            a
        }
    }
}
