//! The run summary: the headline numbers an architect reads, and `summary.json`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::DropReason;
use super::recorder::{REPLACEMENT_POLICY, Recorder, SloTarget};

/// The engine's own figures: how much work the run was and how fast it went.
/// `wall_secs`, `events_per_sec` and `requests_per_sec` vary between runs; nothing else does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct EngineFigures {
    /// Events handled.
    pub events: u64,
    /// Most events pending at once (a measure of memory in flight).
    pub peak_pending_events: usize,
    /// Wall-clock seconds the run took.
    pub wall_secs: f64,
    /// Events handled per wall-clock second.
    pub events_per_sec: f64,
    /// Simulated requests (arrivals) per wall-clock second.
    pub requests_per_sec: f64,
}

/// Request counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RequestCounts {
    /// Requests that arrived.
    pub arrived: u64,
    /// Requests served.
    pub completed: u64,
    /// Requests dropped, for any reason.
    pub dropped: u64,
    /// Requests still in the system at the end.
    pub in_flight: u64,
    /// Drops by reason.
    pub dropped_by_reason: DropCounts,
}

/// Drops by reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DropCounts {
    /// The chosen queue was full.
    pub queue_full: u64,
    /// No instance in service.
    pub no_capacity: u64,
    /// Waited longer than the timeout.
    pub timeout: u64,
    /// The instance failed or was terminated.
    pub failure: u64,
}

/// Latency of completed requests, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Mean (exact).
    pub mean: f64,
    /// Median (0.1 % precision).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest.
    pub max: f64,
}

/// Time spent waiting for a worker, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WaitSummary {
    /// Mean wait of requests that started service (exact).
    pub mean: f64,
}

/// How the run did against its SLO.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SloSummary {
    /// The latency target, seconds.
    pub latency_secs: f64,
    /// The share that must meet it, percent.
    pub percentile: f64,
    /// Requests completed within the target / requests that ended (drops count as misses).
    pub within_target_fraction: f64,
    /// Whether `within_target_fraction` reached the percentile.
    pub met: bool,
    /// Simulated seconds in intervals that missed the objective.
    pub violation_secs: f64,
    /// Intervals that missed the objective.
    pub violation_intervals: u64,
}

/// Instance figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InstanceSummary {
    /// Most instances alive (billed) at once.
    pub max: u64,
    /// Instance-hours billed-time (booting included).
    pub instance_hours: f64,
    /// Instances launched during the run (not counting those running at the start, nor
    /// instances restarted on another type: see `restarted`).
    pub launched: u64,
    /// Instances stopped and started again on another type by vertical resizes (the same
    /// instances, not new capacity).
    pub restarted: u64,
    /// Capacity changes made: changes of the instance count, and vertical resizes.
    pub scaling_actions: u64,
    /// Of `scaling_actions`, the vertical resizes (the instance type changed, the count
    /// did not).
    pub resizes: u64,
    /// Evaluations that wanted a change and were held back (stabilization, cooldown,
    /// limits), as logged in `decisions.csv`.
    pub held_decisions: u64,
    /// Instance-hours by instance type, all pools together.
    pub hours_by_type: BTreeMap<String, f64>,
    /// Unhealthy instances the group replaced (crashed, or not booted by the end of the
    /// health-check grace period).
    pub replaced: u64,
}

/// One pool's totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PoolSummary {
    /// Its name.
    pub name: String,
    /// Most instances alive at once.
    pub max_instances: u64,
    /// Instance-hours.
    pub instance_hours: f64,
    /// Busy workers / workers able to work, over the run.
    pub utilisation_mean: f64,
    /// Dollars billed.
    pub cost_usd: f64,
    /// Its instance type at the end of the run (vertical scaling may have changed it).
    pub instance_type: String,
    /// Instance-hours by instance type.
    pub hours_by_type: BTreeMap<String, f64>,
}

/// Everything `summary.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunSummary {
    /// The scenario's name.
    pub scenario: String,
    /// The run seed.
    pub seed: u64,
    /// Simulated clock at the start.
    pub start: String,
    /// Simulated seconds.
    pub duration_secs: f64,
    /// Request counts.
    pub requests: RequestCounts,
    /// Latency of completed requests.
    pub latency_secs: LatencySummary,
    /// Waiting time.
    pub wait_secs: WaitSummary,
    /// Completed requests per simulated second.
    pub throughput_per_sec: f64,
    /// Mean requests in the system (Little's L).
    pub in_flight_mean: f64,
    /// The SLO outcome.
    pub slo: SloSummary,
    /// Instance figures.
    pub instances: InstanceSummary,
    /// Dollars billed in all.
    pub cost_usd: f64,
    /// Dollars per million completed requests.
    pub cost_per_million_requests_usd: f64,
    /// Per-pool totals.
    pub pools: Vec<PoolSummary>,
    /// The engine's figures.
    pub engine: EngineFigures,
}

impl RunSummary {
    /// Builds the summary from a finished recorder.
    pub fn from_recorder(
        rec: &Recorder,
        scenario: &str,
        seed: u64,
        start: &str,
        duration_secs: f64,
        engine: EngineFigures,
    ) -> RunSummary {
        let v = rec.run_view();
        let drops = v.drops();
        let dropped: u64 = drops.iter().sum();
        let completed = v.completed();
        let h = v.hist();
        let latency = if completed > 0 {
            LatencySummary {
                mean: v.mean_latency_secs(),
                p50: h.quantile_secs(0.5),
                p90: h.quantile_secs(0.9),
                p95: h.quantile_secs(0.95),
                p99: h.quantile_secs(0.99),
                p999: h.quantile_secs(0.999),
                max: h.max_secs(),
            }
        } else {
            LatencySummary::default()
        };
        let SloTarget {
            latency_secs,
            percentile,
        } = v.slo();
        let ended = completed + dropped;
        let within = if ended > 0 {
            v.within_slo() as f64 / ended as f64
        } else {
            1.0
        };
        let needed = percentile / 100.0;
        let (mut violation_secs, mut violation_intervals) = (0.0, 0);
        for r in v.rows() {
            if r.within_slo < needed {
                violation_secs += r.end_secs - r.start_secs;
                violation_intervals += 1;
            }
        }
        let ns_per_hour = 3600e9;
        let types: Vec<_> = v.types().collect();
        let mut restarted = 0;
        let mut hours_by_type = BTreeMap::new();
        for (_, r, hours) in &types {
            restarted += r;
            for (name, h) in hours {
                *hours_by_type.entry(name.to_string()).or_insert(0.0) += h;
            }
        }
        let pools: Vec<PoolSummary> = v
            .pools()
            .zip(&types)
            .map(
                |((name, busy, workers, live, max_live, cost), (ty, _, hours))| PoolSummary {
                    name: name.to_string(),
                    max_instances: max_live,
                    instance_hours: live as f64 / ns_per_hour,
                    utilisation_mean: if workers == 0 {
                        0.0
                    } else {
                        busy as f64 / workers as f64
                    },
                    cost_usd: cost,
                    instance_type: ty.to_string(),
                    hours_by_type: hours.iter().map(|(n, h)| (n.to_string(), *h)).collect(),
                },
            )
            .collect();
        let resizes = v.decisions().iter().filter(|d| d.resize.is_some()).count() as u64;
        let cost = v.cost_usd();
        let span_ns = duration_secs * 1e9;
        RunSummary {
            scenario: scenario.to_string(),
            seed,
            start: start.to_string(),
            duration_secs,
            requests: RequestCounts {
                arrived: v.arrivals(),
                completed,
                dropped,
                in_flight: v.in_flight(),
                dropped_by_reason: DropCounts {
                    queue_full: drops[DropReason::QueueFull.index()],
                    no_capacity: drops[DropReason::NoCapacity.index()],
                    timeout: drops[DropReason::Timeout.index()],
                    failure: drops[DropReason::Failure.index()],
                },
            },
            latency_secs: latency,
            wait_secs: WaitSummary {
                mean: v.mean_wait_secs(),
            },
            throughput_per_sec: if duration_secs > 0.0 {
                completed as f64 / duration_secs
            } else {
                0.0
            },
            in_flight_mean: if span_ns > 0.0 {
                v.in_flight_area_ns() as f64 / span_ns
            } else {
                0.0
            },
            slo: SloSummary {
                latency_secs,
                percentile,
                within_target_fraction: within,
                met: within >= needed,
                violation_secs,
                violation_intervals,
            },
            instances: InstanceSummary {
                max: v.max_live(),
                instance_hours: pools.iter().map(|p| p.instance_hours).sum(),
                launched: v.launched(),
                restarted,
                scaling_actions: v.decisions().iter().filter(|d| d.from != d.to).count() as u64
                    + resizes,
                resizes,
                held_decisions: v
                    .decisions()
                    .iter()
                    .filter(|d| {
                        d.from == d.to && d.policy != REPLACEMENT_POLICY && d.resize.is_none()
                    })
                    .count() as u64,
                hours_by_type,
                replaced: v
                    .decisions()
                    .iter()
                    .filter(|d| d.policy == REPLACEMENT_POLICY)
                    .count() as u64,
            },
            cost_usd: cost,
            cost_per_million_requests_usd: if completed > 0 {
                cost / completed as f64 * 1e6
            } else {
                0.0
            },
            pools,
            engine,
        }
    }
}
