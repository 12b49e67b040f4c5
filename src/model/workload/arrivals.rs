//! A non-homogeneous Poisson arrival process, generated exactly by time change: draw a
//! unit-rate exponential gap `E` and find the time at which the rate's integral has grown
//! by `E` (`RateProfile::advance`). Optional burstiness: batches, or a two-state
//! Markov-modulated Poisson process (MMPP) whose mean rate is still the curve.

use crate::model::config::{self, ConfigError};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

use super::curve::{RateProfile, Segment};
use crate::sim::SimRng;

/// How arrivals clump together beyond plain Poisson.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Burst {
    /// Plain Poisson arrivals (squared coefficient of variation of gaps = 1).
    #[default]
    None,
    /// Requests come in batches with a geometric size of the given mean; batches arrive at
    /// `rate / mean_size`, so the request rate is still the curve.
    Batch {
        /// Mean requests per batch, >= 1.
        mean_size: f64,
    },
    /// Markov-modulated: the rate is `high_factor` times the curve during bursts and a lower
    /// factor (chosen so the long-run mean is the curve) between them; state durations are
    /// exponential with the given means.
    Mmpp {
        /// Rate multiplier during a burst, >= 1.
        high_factor: f64,
        /// Mean length of a burst.
        high_mean_secs: f64,
        /// Mean time between bursts.
        low_mean_secs: f64,
    },
}

impl Burst {
    /// Checks the parameters; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            Burst::None => Ok(()),
            Burst::Batch { mean_size } => {
                if mean_size.is_finite() && mean_size >= 1.0 {
                    Ok(())
                } else {
                    Err(ConfigError::invalid(
                        "mean_size",
                        format!("must be >= 1, got {mean_size}"),
                    ))
                }
            }
            Burst::Mmpp {
                high_factor,
                high_mean_secs,
                low_mean_secs,
            } => {
                if !(high_factor.is_finite() && high_factor >= 1.0) {
                    return Err(ConfigError::invalid(
                        "high_factor",
                        format!("must be >= 1, got {high_factor}"),
                    ));
                }
                config::positive("high_mean_secs", high_mean_secs)?;
                config::positive("low_mean_secs", low_mean_secs)?;
                let low = mmpp_low_factor(high_factor, high_mean_secs, low_mean_secs);
                if low < 0.0 {
                    return Err(ConfigError::whole(format!(
                        "a burst {high_factor}x for {high_mean_secs} s every {low_mean_secs} s \
                         carries more than the mean rate; make bursts shorter, rarer or lower"
                    )));
                }
                Ok(())
            }
        }
    }
}

/// The multiplier between bursts that keeps the time-average multiplier at 1:
/// `p_high * high + (1 - p_high) * low = 1`, with `p_high = high_mean / (high_mean + low_mean)`.
fn mmpp_low_factor(high: f64, high_mean_secs: f64, low_mean_secs: f64) -> f64 {
    let p_high = high_mean_secs / (high_mean_secs + low_mean_secs);
    (1.0 - p_high * high) / (1.0 - p_high)
}

/// Where an MMPP is: its factor now and when it switches.
#[derive(Clone, Debug)]
struct Modulation {
    high: bool,
    switch_at_secs: f64,
    high_factor: f64,
    low_factor: f64,
    high_mean_secs: f64,
    low_mean_secs: f64,
}

/// Generates arrival times (and batch sizes) in seconds after the start.
#[derive(Clone, Debug)]
pub struct ArrivalProcess {
    profile: RateProfile,
    rng: SimRng,
    burst_rng: SimRng,
    t_secs: f64,
    seg: usize,
    batch_mean: f64,
    modulation: Option<Modulation>,
    done: bool,
    /// The straight segment of the curve the process is on, so most gaps are solved
    /// without searching the knots.
    segment: Option<Segment>,
}

impl ArrivalProcess {
    /// Arrivals following `profile`; `rng` drives the gaps, `burst_rng` batch sizes and
    /// burst switching (separate streams, so turning burstiness on changes nothing else).
    pub fn new(
        profile: RateProfile,
        burst: &Burst,
        rng: SimRng,
        mut burst_rng: SimRng,
    ) -> ArrivalProcess {
        let (batch_mean, modulation) = match *burst {
            Burst::None => (1.0, None),
            Burst::Batch { mean_size } => (mean_size.max(1.0), None),
            Burst::Mmpp {
                high_factor,
                high_mean_secs,
                low_mean_secs,
            } => {
                let low_factor =
                    mmpp_low_factor(high_factor, high_mean_secs, low_mean_secs).max(0.0);
                // Start in the stationary distribution, so the mean holds from the first second.
                let p_high = high_mean_secs / (high_mean_secs + low_mean_secs);
                let high = burst_rng.random::<f64>() < p_high;
                let mean = if high { high_mean_secs } else { low_mean_secs };
                let first: f64 = Exp1.sample(&mut burst_rng);
                (
                    1.0,
                    Some(Modulation {
                        high,
                        switch_at_secs: first * mean,
                        high_factor,
                        low_factor,
                        high_mean_secs,
                        low_mean_secs,
                    }),
                )
            }
        };
        ArrivalProcess {
            profile,
            rng,
            burst_rng,
            t_secs: 0.0,
            seg: 0,
            batch_mean,
            modulation,
            done: false,
            segment: None,
        }
    }

    /// The rate curve being followed.
    pub fn profile(&self) -> &RateProfile {
        &self.profile
    }

    /// The next arrival: its time in seconds after the start and how many requests arrive
    /// together. `None` once the rate stays zero forever.
    pub fn next_arrival(&mut self) -> Option<(f64, u32)> {
        if self.done {
            return None;
        }
        if self.modulation.is_none() && self.batch_mean <= 1.0 {
            // Plain Poisson, the common case: one exponential gap, one inversion.
            let gap: f64 = Exp1.sample(&mut self.rng);
            if let Some(t) = self.segment.and_then(|seg| seg.advance(self.t_secs, gap)) {
                self.t_secs = t;
                return Some((t, 1));
            }
            let Some(t) = self.profile.advance(self.t_secs, &mut self.seg, gap) else {
                self.done = true;
                return None;
            };
            self.t_secs = t;
            self.segment = self.profile.segment(self.seg);
            return Some((t, 1));
        }
        loop {
            let gap: f64 = Exp1.sample(&mut self.rng);
            // Batches arrive at rate / mean size, so each unit of "mass" is worth mean_size requests.
            let mass = gap * self.batch_mean;
            let Some(m) = self.modulation.as_mut() else {
                let Some(t) = self.profile.advance(self.t_secs, &mut self.seg, mass) else {
                    self.done = true;
                    return None;
                };
                self.t_secs = t;
                return Some((t, self.batch_size()));
            };
            let factor = if m.high { m.high_factor } else { m.low_factor };
            let candidate = if factor > 0.0 {
                self.profile
                    .advance(self.t_secs, &mut self.seg, mass / factor)
            } else {
                None
            };
            match candidate {
                Some(t) if t < m.switch_at_secs => {
                    self.t_secs = t;
                    return Some((t, 1));
                }
                _ => {
                    // The state switches first. Poisson gaps are memoryless, so restarting the
                    // draw at the switch is exact.
                    self.t_secs = m.switch_at_secs;
                    m.high = !m.high;
                    let mean = if m.high {
                        m.high_mean_secs
                    } else {
                        m.low_mean_secs
                    };
                    let d: f64 = Exp1.sample(&mut self.burst_rng);
                    m.switch_at_secs += d * mean;
                    if candidate.is_none()
                        && self
                            .profile
                            .advance(self.t_secs, &mut self.seg, 1.0)
                            .is_none()
                    {
                        self.done = true;
                        return None;
                    }
                }
            }
        }
    }

    fn batch_size(&mut self) -> u32 {
        if self.batch_mean <= 1.0 {
            return 1;
        }
        // Geometric on {1, 2, ...} with mean m: success probability 1/m, by inversion.
        let p = 1.0 / self.batch_mean;
        let u: f64 = self.burst_rng.random();
        let k = 1.0 + ((1.0 - u).ln() / (1.0 - p).ln()).floor();
        k.min(u32::MAX as f64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::curve::Knot;
    use crate::sim::stream_rng;

    fn flat(rate: f64) -> RateProfile {
        RateProfile::from_knots(vec![Knot {
            t_secs: 0.0,
            per_sec: rate,
        }])
    }

    fn count_until(p: &mut ArrivalProcess, end: f64) -> u64 {
        let mut n = 0;
        while let Some((t, k)) = p.next_arrival() {
            if t > end {
                break;
            }
            n += u64::from(k);
        }
        n
    }

    #[test]
    fn every_burst_kind_keeps_the_mean_rate() {
        // 100/s for 20,000 s: 2 million expected. Plain Poisson has sd sqrt(2e6) = 1414
        // (0.07 %); batches and MMPP inflate the variance, so allow 2 %.
        for burst in [
            Burst::None,
            Burst::Batch { mean_size: 4.0 },
            Burst::Mmpp {
                high_factor: 3.0,
                high_mean_secs: 10.0,
                low_mean_secs: 90.0,
            },
        ] {
            let mut p =
                ArrivalProcess::new(flat(100.0), &burst, stream_rng(3, "a"), stream_rng(3, "b"));
            let n = count_until(&mut p, 20_000.0) as f64;
            assert!((n / 2e6 - 1.0).abs() < 0.02, "{burst:?}: {n}");
        }
    }

    #[test]
    fn an_mmpp_that_overshoots_the_mean_is_refused() {
        // 5x for half the time already carries 2.5x the mean.
        let b = Burst::Mmpp {
            high_factor: 5.0,
            high_mean_secs: 10.0,
            low_mean_secs: 10.0,
        };
        assert!(b.validate().is_err());
    }

    #[test]
    fn a_curve_that_drops_to_zero_ends_the_arrivals() {
        let p = RateProfile::from_knots(vec![
            Knot {
                t_secs: 0.0,
                per_sec: 10.0,
            },
            Knot {
                t_secs: 10.0,
                per_sec: 10.0,
            },
            Knot {
                t_secs: 10.0,
                per_sec: 0.0,
            },
        ]);
        let mut a = ArrivalProcess::new(p, &Burst::None, stream_rng(1, "a"), stream_rng(1, "b"));
        let mut last = 0.0;
        while let Some((t, _)) = a.next_arrival() {
            last = t;
        }
        assert!(last <= 10.0, "{last}");
    }
}
