//! Running scenarios headless: one run, or many in parallel (rayon). Each run builds its
//! own world, so runs share nothing and the results do not depend on the thread count.

pub mod bands;
pub mod knee;
pub mod many;
pub mod stats;
pub mod sweep;
pub mod warmup;

use crate::model::topology::BuildError;
use std::time::Instant;

use rayon::prelude::*;

use crate::metrics::{EngineFigures, Recorder, RunSummary};
use crate::model::topology::World;
use crate::scenario::Scenario;
use crate::sim::Simulation;

/// What one headless run produced.
pub struct RunOutput {
    /// The headline figures (what `summary.json` holds).
    pub summary: RunSummary,
    /// The finished world, with its recorder (series and decisions).
    pub world: World<Recorder>,
}

impl RunOutput {
    /// The recorder with every interval and decision.
    pub fn recorder(&self) -> &Recorder {
        self.world.recorder()
    }
}

/// A run could not be built (the scenario passed validation, so this is rare).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the simulation: {0}")]
pub struct RunError(#[from] BuildError);

/// Runs `scenario` to its end with the seed in its file.
///
/// The summary holds what `scalesim run` prints and writes to `summary.json`; the
/// recorder holds every interval (`series.csv`) and decision (`decisions.csv`).
///
/// ```
/// use scalesim::scenario::{Scenario, Source, parse};
///
/// // Two m5.large (2 workers each) at 40 requests/s of 50 ms: about 50 % busy.
/// let text = r#"(
///     name: "two-instances",
///     duration_secs: 1800,
///     interval_secs: 60,
///     workload: (
///         rate: Constant(per_sec: 40),
///         classes: [(name: "page", demand: Exponential(mean_secs: 0.05))],
///     ),
///     pools: [(name: "web", instance: "m5.large", size: (min: 2, max: 2))],
/// )"#;
/// let source = Source::inline("two.ron", text);
/// let scenario = Scenario::validate(parse(&source).unwrap(), &source).unwrap();
/// let out = scalesim::batch::run(&scenario).unwrap();
/// let s = &out.summary;
/// // Every request is accounted for.
/// let r = &s.requests;
/// assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
/// // Latency of completed requests in seconds, the SLO verdict, the bill: 2 instances
/// // for half an hour at $0.096 an hour is $0.096.
/// assert!(s.latency_secs.p50 <= s.latency_secs.p99);
/// assert!(s.slo.met);
/// assert!((s.cost_usd - 0.096).abs() < 1e-9);
/// // One row per reporting interval: 1800 s / 60 s.
/// assert_eq!(out.recorder().rows().len(), 30);
/// ```
pub fn run(scenario: &Scenario) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let config = scenario.world_config();
    let recorder = Recorder::for_world(&config).with_warmup(scenario.warmup());
    let world = World::new(config, recorder)?;
    let mut sim = Simulation::new(world, scenario.end());
    sim.run();
    let stats = sim.stats();
    let wall_secs = wall.elapsed().as_secs_f64();
    let world = sim.into_model();
    let arrived = world
        .recorder()
        .rows()
        .iter()
        .map(|r| r.arrivals)
        .sum::<u64>();
    let per_sec = |n: f64| if wall_secs > 0.0 { n / wall_secs } else { 0.0 };
    let engine = EngineFigures {
        events: stats.events,
        peak_pending_events: stats.peak_pending,
        wall_secs,
        events_per_sec: per_sec(stats.events as f64),
        requests_per_sec: per_sec(arrived as f64),
    };
    let f = &scenario.file;
    let summary = RunSummary::from_recorder(
        world.recorder(),
        &f.name,
        f.seed,
        world.clock(),
        f.duration_secs,
        engine,
    );
    let summary = RunSummary {
        description: f.description.clone(),
        ..summary
    };
    Ok(RunOutput { summary, world })
}

/// Runs `scenario` once per seed, in parallel; results come back in seed order.
pub fn replicate(scenario: &Scenario, seeds: &[u64]) -> Result<Vec<RunOutput>, RunError> {
    seeds
        .par_iter()
        .map(|&seed| {
            let mut s = scenario.clone();
            s.file.seed = seed;
            run(&s)
        })
        .collect()
}
