//! Round robin: each candidate in turn (AWS ALB's and NGINX's default).

use super::{Candidates, Policy};
use crate::sim::SimRng;

/// The cursor: the next candidate to pick.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    cursor: usize,
}

impl Policy for RoundRobin {
    fn pick(&mut self, c: &impl Candidates, _membership: u64, _rng: &mut SimRng) -> usize {
        let n = c.len();
        let i = self.cursor % n;
        self.cursor = (i + 1) % n;
        i
    }
}
