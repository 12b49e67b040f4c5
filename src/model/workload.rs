//! The traffic: an arrival-rate curve, optional burstiness, and request classes whose
//! service demand follows a distribution.
//!
//! Randomness is split into streams (`workload/arrivals`, `workload/burst`,
//! `workload/classes`, `workload/demand/<class>`), all apart from the design's streams,
//! so two designs run with one seed see exactly the same requests.

mod arrivals;
pub mod curve;
mod demand;
mod trace;

pub use arrivals::{ArrivalProcess, Burst};
pub use curve::{CurveContext, CurveError, Knot, RateCurve, RateProfile, SMOOTH_STEP_SECS};
pub use demand::{Demand, DemandSampler};
pub use trace::{TraceColumn, TraceRows, TraceShape, TraceSpan, read_trace};

use crate::model::config::ConfigError;
use crate::model::journey::key::{KeyDist, KeySampler};
use crate::model::journey::service::ServiceId;
use rand::RngExt;

use crate::sim::{SimRng, SimTime, stream_rng};

/// One request class as the simulation uses it.
#[derive(Clone, Debug)]
pub struct ClassModel {
    /// Its name, for reports.
    pub name: String,
    /// Its share of the traffic (weights need not add up to 1).
    pub weight: f64,
    /// Its service demand.
    pub demand: Demand,
    /// The service it enters by.
    pub entry: ServiceId,
    /// The key its requests carry (none: keyless, which no sharded service accepts).
    pub key: Option<KeyDist>,
    /// How its client waits and retries (none: one try, waited for as long as it takes).
    pub client: Option<crate::model::journey::retry::Client>,
}

struct ClassRuntime {
    cumulative: f64,
    sampler: DemandSampler,
    rng: SimRng,
    entry: ServiceId,
    /// Its keys and their stream (`workload/keys/<class>`).
    key: Option<(KeySampler, SimRng)>,
}

/// One request drawn from the workload: which class and how much work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawn {
    /// Index of the class.
    pub class: u16,
    /// Service demand in CPU-seconds on a reference vCPU.
    pub demand_secs: f64,
    /// The service it enters by.
    pub entry: ServiceId,
    /// Its key (0 for a class without keys).
    pub key: u64,
}

/// The workload of one run: arrival times and request draws.
pub struct Workload {
    arrivals: ArrivalProcess,
    classes: Vec<ClassRuntime>,
    class_rng: SimRng,
    total_weight: f64,
}

impl Workload {
    /// Builds the workload's random streams from the run seed.
    pub fn new(
        profile: RateProfile,
        burst: &Burst,
        classes: &[ClassModel],
        seed: u64,
    ) -> Result<Workload, ConfigError> {
        let mut cumulative = 0.0;
        let mut runtime = Vec::with_capacity(classes.len());
        for c in classes {
            cumulative += c.weight;
            runtime.push(ClassRuntime {
                cumulative,
                sampler: c.demand.sampler()?,
                rng: stream_rng(seed, &format!("workload/demand/{}", c.name)),
                entry: c.entry,
                key: match &c.key {
                    Some(k) => Some((
                        k.sampler()?,
                        stream_rng(seed, &format!("workload/keys/{}", c.name)),
                    )),
                    None => None,
                },
            });
        }
        if runtime.is_empty() || cumulative.is_nan() || cumulative <= 0.0 {
            return Err(ConfigError::invalid(
                "classes",
                "the workload needs at least one class with weight > 0",
            ));
        }
        Ok(Workload {
            arrivals: ArrivalProcess::new(
                profile,
                burst,
                stream_rng(seed, "workload/arrivals"),
                stream_rng(seed, "workload/burst"),
            ),
            classes: runtime,
            class_rng: stream_rng(seed, "workload/classes"),
            total_weight: cumulative,
        })
    }

    /// The rate curve.
    pub fn profile(&self) -> &RateProfile {
        self.arrivals.profile()
    }

    /// The next arrival instant and how many requests arrive then.
    pub fn next_arrival(&mut self) -> Option<(SimTime, u32)> {
        self.arrivals
            .next_arrival()
            .map(|(t, n)| (SimTime::from_secs_f64(t), n))
    }

    /// How many request classes there are.
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// Draws one request's class and demand.
    pub fn draw(&mut self) -> Drawn {
        let class = if self.classes.len() == 1 {
            0
        } else {
            let u = self.class_rng.random::<f64>() * self.total_weight;
            self.classes
                .iter()
                .position(|c| u < c.cumulative)
                .unwrap_or(self.classes.len() - 1)
        };
        let c = &mut self.classes[class];
        Drawn {
            class: class as u16,
            demand_secs: c.sampler.sample(&mut c.rng),
            entry: c.entry,
            key: c.key.as_mut().map_or(0, |(k, rng)| k.draw(rng)),
        }
    }
}
