//! Least outstanding requests: the candidate holding the fewest requests (AWS ALB
//! `least_outstanding_requests`, in the routing algorithms of
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>;
//! NGINX `least_conn`). Ties go to the first after the last pick, so equal candidates
//! take turns.

use super::{Candidates, Policy};
use crate::sim::SimRng;

/// Where the search for the least loaded starts: after the last pick.
#[derive(Clone, Debug, Default)]
pub struct LeastOutstanding {
    cursor: usize,
}

impl Policy for LeastOutstanding {
    fn pick(&mut self, c: &impl Candidates, _membership: u64, _rng: &mut SimRng) -> usize {
        let n = c.len();
        let start = self.cursor % n;
        let mut best = start;
        let mut best_load = c.outstanding(start);
        for k in 1..n {
            // Nothing beats an idle candidate.
            if best_load == 0 {
                break;
            }
            let i = (start + k) % n;
            let load = c.outstanding(i);
            if load < best_load {
                best = i;
                best_load = load;
            }
        }
        self.cursor = (best + 1) % n;
        best
    }
}
