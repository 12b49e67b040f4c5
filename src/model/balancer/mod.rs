//! Load-balancing policies: given the in-service candidates, pick one.
//!
//! A policy sees only what a real balancer sees: how many requests each candidate holds
//! (outstanding) and its weight (capacity). It keeps the small state real balancers keep
//! (a round-robin cursor, smooth weighted round-robin counters).
//!
//! Each policy is one file in this folder: a struct holding its state, `Default` for a
//! fresh balancer, and [`Policy::pick`]. Registering it is one line in the `balancers!`
//! list below, which makes the [`BalancerKind`] a scenario names
//! (`balancer: LeastOutstanding`), the list the editor offers ([`BalancerKind::ALL`]) and
//! the dispatch, a `match` rather than a virtual call, as `pick` runs once per request.

mod least_outstanding;
mod power_of_two;
mod random;
mod round_robin;
mod weighted_round_robin;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::sim::SimRng;

/// A uniform index in `0..n` (`n >= 1`): Lemire's multiply-and-shift with rejection, so
/// exactly uniform, and one 32-bit draw in all but about `n / 2^32` of the cases. Cheaper
/// than the general `random_range` on the per-request path.
#[inline]
fn below(rng: &mut SimRng, n: usize) -> usize {
    let n = n.min(u32::MAX as usize) as u64;
    let mut m = u64::from(rng.next_u32()) * n;
    if (m as u32 as u64) < n {
        // 2^32 mod n: the low products below it would make some indices more likely.
        let threshold = ((1u64 << 32) - n) % n;
        while (m as u32 as u64) < threshold {
            m = u64::from(rng.next_u32()) * n;
        }
    }
    (m >> 32) as usize
}

/// What a policy may look at for candidate `i`.
pub trait Candidates {
    /// How many candidates there are (at least one when `pick` is called).
    fn len(&self) -> usize;
    /// Requests candidate `i` holds (in service plus queued).
    fn outstanding(&self, i: usize) -> u32;
    /// Candidate `i`'s weight (its capacity).
    fn weight(&self, i: usize) -> f64;
    /// Whether there are no candidates.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One balancing algorithm with its state: what every balancer file implements.
///
/// A whole balancer file: the state and the pick. Registering it is then the line
/// `First(first::First),` in this module's `balancers!` list.
///
/// ```
/// use scalesim::model::balancer::{Candidates, Policy};
/// use scalesim::sim::{SimRng, stream_rng};
///
/// /// Always the first candidate that holds nothing, else the first.
/// #[derive(Clone, Debug, Default)]
/// struct FirstIdle;
///
/// impl Policy for FirstIdle {
///     fn pick(&mut self, c: &impl Candidates, _membership: u64, _rng: &mut SimRng) -> usize {
///         (0..c.len()).find(|&i| c.outstanding(i) == 0).unwrap_or(0)
///     }
/// }
///
/// struct Loads(Vec<u32>);
/// impl Candidates for Loads {
///     fn len(&self) -> usize {
///         self.0.len()
///     }
///     fn outstanding(&self, i: usize) -> u32 {
///         self.0[i]
///     }
///     fn weight(&self, _i: usize) -> f64 {
///         1.0
///     }
/// }
///
/// let mut rng = stream_rng(1, "example");
/// assert_eq!(FirstIdle.pick(&Loads(vec![3, 1, 0, 0]), 0, &mut rng), 2);
/// ```
pub trait Policy: Default {
    /// Picks one of `c.len() >= 2` candidates. `membership` changes whenever the candidate
    /// set does, so per-candidate state can be reset; `rng` is the balancer's own stream.
    fn pick(&mut self, c: &impl Candidates, membership: u64, rng: &mut SimRng) -> usize;
}

/// Declares [`BalancerKind`] and the balancer's state from the list of algorithms: one
/// line per algorithm, naming its variant and its file's state type.
macro_rules! balancers {
    ($( $(#[$doc:meta])* $variant:ident($module:ident::$state:ident), )+) => {
        /// Which algorithm a pool's balancer uses.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub enum BalancerKind {
            /// Each candidate in turn (AWS ALB's and NGINX's default).
            // The first algorithm of the list is the default.
            #[default]
            $( $(#[$doc])* $variant, )+
        }

        impl BalancerKind {
            /// Every algorithm, in the order the editor offers them.
            pub const ALL: &[BalancerKind] = &[$(BalancerKind::$variant,)+];

            /// The name a scenario writes (`"LeastOutstanding"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(BalancerKind::$variant => stringify!($variant),)+
                }
            }
        }

        /// The state of one balancer, by algorithm.
        #[derive(Clone, Debug)]
        enum State {
            $($variant($module::$state),)+
        }

        impl State {
            fn new(kind: BalancerKind) -> State {
                match kind {
                    $(BalancerKind::$variant => State::$variant(Default::default()),)+
                }
            }

            fn pick(&mut self, c: &impl Candidates, membership: u64, rng: &mut SimRng) -> usize {
                match self {
                    $(State::$variant(s) => s.pick(c, membership, rng),)+
                }
            }
        }
    };
}

balancers! {
    // First: the default (its doc is written in the macro, before `#[default]`).
    RoundRobin(round_robin::RoundRobin),
    /// Uniformly at random.
    Random(random::Random),
    /// The candidate holding the fewest requests (ALB `least_outstanding_requests`,
    /// NGINX `least_conn`); ties go round-robin.
    LeastOutstanding(least_outstanding::LeastOutstanding),
    /// Two distinct candidates at random, the one holding fewer wins (Envoy least
    /// request with `choice_count` 2; NGINX `random two least_conn`).
    PowerOfTwo(power_of_two::PowerOfTwo),
    /// Round-robin in proportion to capacity (workers x speed), with NGINX's smooth
    /// weighted round-robin so heavy candidates are not picked in bursts.
    WeightedRoundRobin(weighted_round_robin::WeightedRoundRobin),
}

/// A balancer: a policy and its state.
#[derive(Clone, Debug)]
pub struct Balancer {
    kind: BalancerKind,
    state: State,
}

impl Balancer {
    /// A fresh balancer of the given kind.
    pub fn new(kind: BalancerKind) -> Balancer {
        Balancer {
            kind,
            state: State::new(kind),
        }
    }

    /// Its policy.
    pub fn kind(&self) -> BalancerKind {
        self.kind
    }

    /// Picks a candidate index, or `None` if there is none. `membership` changes whenever
    /// the candidate set does, so per-candidate state can be reset.
    pub fn pick(
        &mut self,
        c: &impl Candidates,
        membership: u64,
        rng: &mut SimRng,
    ) -> Option<usize> {
        match c.len() {
            0 => None,
            1 => Some(0),
            _ => Some(self.state.pick(c, membership, rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;

    struct Fixed {
        load: Vec<u32>,
        weight: Vec<f64>,
    }

    impl Candidates for Fixed {
        fn len(&self) -> usize {
            self.load.len()
        }
        fn outstanding(&self, i: usize) -> u32 {
            self.load[i]
        }
        fn weight(&self, i: usize) -> f64 {
            self.weight[i]
        }
    }

    fn picks(kind: BalancerKind, c: &Fixed, n: usize) -> Vec<usize> {
        let mut b = Balancer::new(kind);
        let mut rng = stream_rng(1, "t");
        (0..n).map(|_| b.pick(c, 0, &mut rng).unwrap()).collect()
    }

    #[test]
    fn every_registered_kind_is_listed_once_and_names_what_a_scenario_writes() {
        assert_eq!(BalancerKind::ALL.len(), 5);
        for (i, k) in BalancerKind::ALL.iter().enumerate() {
            assert!(!BalancerKind::ALL[..i].contains(k), "{k:?} twice");
            let parsed: BalancerKind = ron::from_str(k.name()).unwrap();
            assert_eq!(parsed, *k);
            assert_eq!(Balancer::new(*k).kind(), *k);
        }
        assert_eq!(BalancerKind::default(), BalancerKind::RoundRobin);
    }

    #[test]
    fn below_is_uniform_and_in_range() {
        // 3 does not divide 2^32, so a biased method would show; 300,000 draws put
        // 100,000 in each (sd 258): allow 1,500.
        let mut rng = stream_rng(5, "below");
        let mut counts = [0u32; 3];
        for _ in 0..300_000 {
            counts[below(&mut rng, 3)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (98_500..=101_500).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn round_robin_cycles_and_least_outstanding_finds_the_idle_one() {
        let c = Fixed {
            load: vec![3, 0, 5],
            weight: vec![1.0; 3],
        };
        assert_eq!(picks(BalancerKind::RoundRobin, &c, 4), vec![0, 1, 2, 0]);
        assert_eq!(picks(BalancerKind::LeastOutstanding, &c, 2), vec![1, 1]);
    }

    #[test]
    fn smooth_weighted_round_robin_matches_nginx() {
        // NGINX's documented example: weights 5, 1, 1 give a, a, b, a, c, a, a per 7 picks.
        let c = Fixed {
            load: vec![0; 3],
            weight: vec![5.0, 1.0, 1.0],
        };
        assert_eq!(
            picks(BalancerKind::WeightedRoundRobin, &c, 7),
            vec![0, 0, 1, 0, 2, 0, 0]
        );
    }

    #[test]
    fn power_of_two_never_picks_the_busiest_of_the_pair() {
        // With 2 candidates P2C always compares both, so it always picks the lighter.
        let c = Fixed {
            load: vec![9, 1],
            weight: vec![1.0; 2],
        };
        assert!(
            picks(BalancerKind::PowerOfTwo, &c, 100)
                .iter()
                .all(|&i| i == 1)
        );
        // Random spreads evenly: 10,000 picks over 4 -> 2,500 each, sd ~43; allow 10 %.
        let c4 = Fixed {
            load: vec![0; 4],
            weight: vec![1.0; 4],
        };
        let mut counts = [0; 4];
        for i in picks(BalancerKind::Random, &c4, 10_000) {
            counts[i] += 1;
        }
        assert!(
            counts.iter().all(|&k| (2250..=2750).contains(&k)),
            "{counts:?}"
        );
    }
}
