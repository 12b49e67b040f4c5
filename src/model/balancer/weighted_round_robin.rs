//! Smooth weighted round robin, as NGINX does it (`ngx_http_upstream_get_peer` in its
//! `src/http/ngx_http_upstream_round_robin.c`; the `weight` of
//! <https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server>): every candidate gains its weight, the one with the most is picked and pays back the
//! total, so a candidate of weight 5 among weights 1 and 1 is picked 5 times in 7, spread
//! out (a, a, b, a, c, a, a) rather than in a burst.

use super::{Candidates, Policy};
use crate::sim::SimRng;

/// Each candidate's current credit, and the candidate set it belongs to.
#[derive(Clone, Debug)]
pub struct WeightedRoundRobin {
    current: Vec<f64>,
    membership: u64,
}

impl Default for WeightedRoundRobin {
    fn default() -> Self {
        // No real membership is u64::MAX, so the first pick starts the credits afresh.
        WeightedRoundRobin {
            current: Vec::new(),
            membership: u64::MAX,
        }
    }
}

impl Policy for WeightedRoundRobin {
    fn pick(&mut self, c: &impl Candidates, membership: u64, _rng: &mut SimRng) -> usize {
        let n = c.len();
        if self.membership != membership || self.current.len() != n {
            self.current.clear();
            self.current.resize(n, 0.0);
            self.membership = membership;
        }
        let mut total = 0.0;
        let mut best = 0;
        for i in 0..n {
            let w = c.weight(i);
            total += w;
            self.current[i] += w;
            if self.current[i] > self.current[best] {
                best = i;
            }
        }
        self.current[best] -= total;
        best
    }
}
