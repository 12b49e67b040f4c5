//! Random: a candidate drawn uniformly.

use super::{Candidates, Policy, below};
use crate::sim::SimRng;

/// No state: every pick is a fresh draw.
#[derive(Clone, Debug, Default)]
pub struct Random;

impl Policy for Random {
    fn pick(&mut self, c: &impl Candidates, _membership: u64, rng: &mut SimRng) -> usize {
        below(rng, c.len())
    }
}
