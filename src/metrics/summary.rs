//! The run summary: the headline numbers an architect reads, and `summary.json`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::DropReason;
use super::histogram::LatencyHistogram;
use super::recorder::{ClassCounts, IntervalRow, Recorder};
use super::slo::ViolationPeriod;
use super::{REPLACEMENT_POLICY, SloTarget};
use crate::model::clock::WeekClock;
use crate::sim::SimTime;

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
    /// Requests that arrived (after the warm-up, if there was one).
    pub arrived: u64,
    /// Requests in the system when the warm-up ended (absent without one): with them,
    /// `in_flight_at_warmup + arrived = completed + dropped + in_flight`.
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub in_flight_at_warmup: u64,
    /// Requests served.
    pub completed: u64,
    /// Requests dropped, for any reason.
    pub dropped: u64,
    /// Requests still in the system at the end.
    pub in_flight: u64,
    /// Drops by reason.
    pub dropped_by_reason: DropCounts,
    /// Tries clients sent again (not requests: each is one more visit to the entry
    /// service, so `arrived + retries` is the load the entry services saw from clients).
    pub retries: u64,
    /// Tries served after their client had given up on them: work done for nothing.
    pub abandoned_replies: u64,
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
    /// The client gave up waiting, with no tries left.
    pub client_timeout: u64,
}

/// Latency of completed requests, in seconds. Dropped requests are not in these figures:
/// see [`LatencyCountingDrops`] for the view an SLO takes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Which requests these figures cover: always "completed requests".
    pub of: &'static str,
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

/// Latency percentiles over every request that ended, a dropped request counting as a
/// failure (slower than any completed one), as an SLO counts it. `None` (null in JSON)
/// when more than that share of requests failed: the percentile is a failure, not a time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencyCountingDrops {
    /// Which requests these figures cover: "ended requests, drops as failures".
    pub of: &'static str,
    /// Median, seconds.
    pub p50: Option<f64>,
    /// 90th percentile, seconds.
    pub p90: Option<f64>,
    /// 95th percentile, seconds.
    pub p95: Option<f64>,
    /// 99th percentile, seconds.
    pub p99: Option<f64>,
}

impl LatencyCountingDrops {
    fn new(hist: &LatencyHistogram, dropped: u64) -> LatencyCountingDrops {
        let completed = hist.len();
        let ended = completed + dropped;
        // The q-quantile of ended requests is the k-th smallest, k = ceil(q * ended); drops
        // sort after every completion, so it is a completion's latency while k <= completed.
        let at = |q: f64| {
            if ended == 0 {
                return Some(0.0);
            }
            let k = ((q * ended as f64).ceil() as u64).max(1);
            (k <= completed).then(|| hist.quantile_secs(k as f64 / completed as f64))
        };
        LatencyCountingDrops {
            of: "ended requests, drops as failures",
            p50: at(0.50),
            p90: at(0.90),
            p95: at(0.95),
            p99: at(0.99),
        }
    }
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
    /// The window the objective is judged over, seconds.
    pub window_secs: f64,
    /// Always true: a dropped request counts as a miss in every figure of this section.
    pub drops_count_as_misses: bool,
    /// Requests completed within the target / requests that ended (drops count as misses).
    pub within_target_fraction: f64,
    /// Whether `within_target_fraction` reached the percentile over the whole run.
    pub met: bool,
    /// Simulated seconds in windows that missed the objective (a whole number of windows,
    /// the last one possibly shorter): independent of the reporting interval.
    pub violation_secs: f64,
    /// Windows that missed the objective.
    pub violation_windows: u64,
    /// Windows judged in all.
    pub windows: u64,
    /// When the design broke: consecutive missed windows, each with what it looked like.
    pub violation_periods: Vec<PeriodSummary>,
}

/// One stretch of consecutive SLO windows that missed the objective.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PeriodSummary {
    /// When it started, on the simulated clock ("Mon 08:34:00").
    pub start: String,
    /// When it ended, on the simulated clock.
    pub end: String,
    /// Start, seconds after the run start.
    pub start_secs: f64,
    /// End, seconds after the run start.
    pub end_secs: f64,
    /// Seconds long.
    pub duration_secs: f64,
    /// The worst p99 latency of completed requests in any of its windows, seconds.
    pub worst_p99_secs: f64,
    /// Fewest instances in service during the period.
    pub instances_min: u64,
    /// Most instances in service during the period.
    pub instances_max: u64,
    /// Requests that ended in it.
    pub ended: u64,
    /// Of those, completed within the target.
    pub within_target: u64,
    /// Requests dropped in it.
    pub dropped: u64,
    /// Requests that missed the target, by cause ("slow responses": completed too late;
    /// "queue full", "no capacity", "timeouts", "failures": dropped), largest first.
    pub misses: Vec<Miss>,
    /// The cause of the most misses.
    pub main_cause: &'static str,
}

/// Requests that missed the SLO target for one cause.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Miss {
    /// The cause.
    pub cause: &'static str,
    /// How many requests.
    pub requests: u64,
}

impl PeriodSummary {
    fn new(p: &ViolationPeriod, clock: WeekClock) -> PeriodSummary {
        PeriodSummary {
            start: clock.label(SimTime::from_secs_f64(p.start_secs)),
            end: clock.label(SimTime::from_secs_f64(p.end_secs)),
            start_secs: p.start_secs,
            end_secs: p.end_secs,
            duration_secs: p.duration_secs(),
            worst_p99_secs: p.worst_p99_secs,
            instances_min: p.instances_min,
            instances_max: p.instances_max,
            ended: p.ended,
            within_target: p.within_target,
            dropped: p.drops.iter().sum(),
            misses: {
                let mut m: Vec<Miss> = ViolationPeriod::CAUSES
                    .iter()
                    .zip(p.misses())
                    .filter(|&(_, n)| n > 0)
                    .map(|(&cause, requests)| Miss { cause, requests })
                    .collect();
                // Stable: equal counts keep the causes' order.
                m.sort_by_key(|x| std::cmp::Reverse(x.requests));
                m
            },
            main_cause: p.main_cause(),
        }
    }

    /// "Mon 08:34:00-09:02:00 (28 min): p99 4.74 s, 12-40 instances, misses: 52% slow
    /// responses, 48% queue full" (causes of at least 5 % of the misses).
    pub fn describe(&self) -> String {
        let end = self
            .end
            .split_once(' ')
            .filter(|(day, _)| self.start.starts_with(day))
            .map_or(self.end.as_str(), |(_, time)| time);
        let instances = if self.instances_min == self.instances_max {
            format!("{} instances", self.instances_max)
        } else {
            format!("{}-{} instances", self.instances_min, self.instances_max)
        };
        let total: u64 = self.misses.iter().map(|m| m.requests).sum();
        let causes: Vec<String> = self
            .misses
            .iter()
            .filter(|m| 20 * m.requests >= total)
            .map(|m| {
                format!(
                    "{:.0}% {}",
                    100.0 * m.requests as f64 / total as f64,
                    m.cause
                )
            })
            .collect();
        format!(
            "{}-{} ({}): p99 {}, {instances}, misses: {}",
            self.start,
            end,
            fmt_minutes(self.duration_secs),
            fmt_latency(self.worst_p99_secs),
            causes.join(", ")
        )
    }
}

/// "45 s", "27 min", "3 h 05 min".
fn fmt_minutes(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.0} s")
    } else if secs < 3600.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        let m = (secs / 60.0).round() as u64;
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

/// "0.84 s", "12 ms".
fn fmt_latency(secs: f64) -> String {
    if secs < 0.1 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{secs:.2} s")
    }
}

/// One request class's figures over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Its name.
    pub name: String,
    /// Requests that arrived.
    pub arrived: u64,
    /// Requests served.
    pub completed: u64,
    /// Requests dropped, for any reason.
    pub dropped: u64,
    /// Drops by reason.
    pub dropped_by_reason: DropCounts,
    /// Completed within the SLO target / ended (drops count as misses).
    pub within_target_fraction: f64,
    /// Latency of its completed requests.
    pub latency_secs: LatencySummary,
}

/// One calendar day of the simulated clock (for runs longer than a day).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DaySummary {
    /// The day ("Mon", with the week after the first: "Mon (week 2)").
    pub day: String,
    /// The part of the day the run covered: start, seconds after the run start.
    pub start_secs: f64,
    /// End, seconds after the run start.
    pub end_secs: f64,
    /// Requests that arrived.
    pub arrived: u64,
    /// Requests served.
    pub completed: u64,
    /// Requests dropped.
    pub dropped: u64,
    /// 99th-percentile latency of completed requests, seconds.
    pub p99_secs: f64,
    /// Seconds of SLO windows that missed the objective.
    pub violation_secs: f64,
    /// Most instances alive (booting, in service, draining or failed) at an interval's end.
    pub max_instances: u32,
    /// Dollars billed.
    #[serde(serialize_with = "micro")]
    pub cost_usd: f64,
}

/// Writes dollars (and instance-hours) without the float noise of summing many small
/// bills, to a millionth: 18.432, not 18.43200000000016. The summary keeps the exact
/// values; only the files are rounded.
fn is_zero_u64(x: &u64) -> bool {
    *x == 0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn micro<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((x * 1e6).round() / 1e6)
}

/// Instance figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InstanceSummary {
    /// Most instances alive (billed) at once.
    pub max: u64,
    /// Instance-hours billed-time (booting included).
    #[serde(serialize_with = "micro")]
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
    /// vCPU-hours, all pools together.
    #[serde(serialize_with = "micro")]
    pub vcpu_hours: f64,
    /// GiB-hours of memory, all pools together.
    #[serde(serialize_with = "micro")]
    pub memory_gib_hours: f64,
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
    #[serde(serialize_with = "micro")]
    pub instance_hours: f64,
    /// Busy workers / workers able to work, over the run.
    pub utilisation_mean: f64,
    /// Dollars billed.
    #[serde(serialize_with = "micro")]
    pub cost_usd: f64,
    /// Its instance type at the end of the run (vertical scaling may have changed it).
    pub instance_type: String,
    /// Who rents that type (`"aws"`, `"gcp"`, `"custom"`; empty if the type does not say).
    pub provider: String,
    /// vCPU-hours: instance-hours times each type's vCPUs (what per-vCPU billing, as
    /// AWS Fargate's or GCP Cloud Run's, charges for).
    #[serde(serialize_with = "micro")]
    pub vcpu_hours: f64,
    /// GiB-hours: instance-hours times each type's memory (the other half of such bills,
    /// and what packing several services on one machine will have to respect).
    #[serde(serialize_with = "micro")]
    pub memory_gib_hours: f64,
    /// Instance-hours by instance type.
    pub hours_by_type: BTreeMap<String, f64>,
}

/// One service's visits over the run. Every visit ends once: `arrived = completed +
/// dropped + failed_by_calls + in_flight`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceSummary {
    /// Its name (the pool's).
    pub name: String,
    /// Visits that reached its balancer (requests entering here, and calls to it).
    pub visits: u64,
    /// Visits it replied to.
    pub completed: u64,
    /// Visits dropped here.
    pub dropped: u64,
    /// Visits dropped here, by reason.
    pub dropped_by_reason: DropCounts,
    /// Visits that failed because a call they made failed.
    pub failed_by_calls: u64,
    /// Visits still under way at the end.
    pub in_flight: u64,
    /// Time from its balancer to its reply, of the visits it replied to.
    pub latency_secs: LatencySummary,
    /// Busy workers / workers able to work, over the run (a worker waiting on a
    /// synchronous call is busy).
    pub utilisation_mean: f64,
    /// Dollars billed.
    #[serde(serialize_with = "micro")]
    pub cost_usd: f64,
}

/// One shard of a sharded service: the figures of its own group of instances.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShardSummary {
    /// The sharded service's name.
    pub service: String,
    /// The shard's index, `0..count`.
    pub shard: u32,
    /// Its figures, named as its pool is (`db[0]`).
    #[serde(flatten)]
    pub figures: ServiceSummary,
}

/// Everything `summary.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunSummary {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's `description`, what it is for (empty if it has none).
    pub description: String,
    /// The run seed.
    pub seed: u64,
    /// Simulated clock at the start.
    pub start: String,
    /// Simulated seconds.
    pub duration_secs: f64,
    /// Seconds at the start left out of every figure as the warm-up (a steady-state
    /// study's initial transient; absent when none was).
    #[serde(skip_serializing_if = "is_zero")]
    pub warmup_secs: f64,
    /// Request counts.
    pub requests: RequestCounts,
    /// Latency of completed requests.
    pub latency_secs: LatencySummary,
    /// Latency percentiles of every ended request, drops counting as failures.
    pub latency_counting_drops_secs: LatencyCountingDrops,
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
    #[serde(serialize_with = "micro")]
    pub cost_usd: f64,
    /// Dollars per million completed requests.
    #[serde(serialize_with = "micro")]
    pub cost_per_million_requests_usd: f64,
    /// Per-pool totals.
    pub pools: Vec<PoolSummary>,
    /// Per service (a pool seen as what it does for requests): its visits and how they
    /// ended, its latency, its utilisation and its cost.
    pub services: Vec<ServiceSummary>,
    /// Per shard of each sharded service (empty without shards): where the hot shard
    /// shows. A sharded service's entry in `services` adds its shards up.
    pub shards: Vec<ShardSummary>,
    /// Per request class.
    pub classes: Vec<ClassSummary>,
    /// Per calendar day, for runs longer than a day (empty otherwise).
    pub days: Vec<DaySummary>,
    /// The engine's figures.
    pub engine: EngineFigures,
}

impl RunSummary {
    /// Builds the summary from a recorder, over the intervals closed so far (the whole
    /// run once it has finished). `clock` names the times of violation periods and days.
    pub fn from_recorder(
        rec: &Recorder,
        scenario: &str,
        seed: u64,
        clock: WeekClock,
        duration_secs: f64,
        engine: EngineFigures,
    ) -> RunSummary {
        let v = rec.run_view();
        let drops = v.drops();
        let dropped: u64 = drops.iter().sum();
        let completed = v.completed();
        let h = v.hist();
        let latency = latency_summary(h, completed, v.mean_latency_secs());
        let SloTarget {
            latency_secs,
            percentile,
            ..
        } = v.slo();
        let ended = completed + dropped;
        let within = if ended > 0 {
            v.within_slo() as f64 / ended as f64
        } else {
            1.0
        };
        let needed = percentile / 100.0;
        let (violation_secs, violation_windows, windows) = v.slo_violation();
        let periods: Vec<PeriodSummary> = v
            .violation_periods()
            .map(|p| PeriodSummary::new(p, clock))
            .collect();
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
                    provider: v
                        .type_facts(ty)
                        .map(|f| f.provider.clone())
                        .unwrap_or_default(),
                    vcpu_hours: hours
                        .iter()
                        .map(|(n, h)| h * v.type_facts(n).map_or(0.0, |f| f64::from(f.vcpus)))
                        .sum(),
                    memory_gib_hours: hours
                        .iter()
                        .map(|(n, h)| h * v.type_facts(n).map_or(0.0, |f| f.memory_gib))
                        .sum(),
                    hours_by_type: hours.iter().map(|(n, h)| (n.to_string(), *h)).collect(),
                },
            )
            .collect();
        let (services, shards) = service_summaries(&v);
        let resizes = v.decisions().iter().filter(|d| d.resize.is_some()).count() as u64;
        let cost = v.cost_usd();
        // Rates and means are over the measured span: the run after its warm-up.
        let warmup_secs = v.measured_from_secs().min(duration_secs);
        let measured_secs = duration_secs - warmup_secs;
        let span_ns = measured_secs * 1e9;
        let classes = v
            .classes()
            .iter()
            .map(|c| class_summary(c, h, completed))
            .collect();
        let days = if duration_secs > 86_400.0 {
            let (hists, day0_secs) = v.day_hists();
            day_summaries(v.rows(), hists, day0_secs, &periods, clock)
        } else {
            Vec::new()
        };
        RunSummary {
            scenario: scenario.to_string(),
            // The caller knows the scenario's text; the recorder does not.
            description: String::new(),
            seed,
            start: clock.to_string(),
            duration_secs,
            warmup_secs,
            requests: RequestCounts {
                arrived: v.arrivals(),
                in_flight_at_warmup: v.in_flight_at_warmup(),
                completed,
                dropped,
                in_flight: v.in_flight(),
                dropped_by_reason: DropCounts::new(drops),
                retries: v.retries(),
                abandoned_replies: v.abandoned_replies(),
            },
            latency_secs: latency,
            latency_counting_drops_secs: LatencyCountingDrops::new(h, dropped),
            wait_secs: WaitSummary {
                mean: v.mean_wait_secs(),
            },
            throughput_per_sec: if measured_secs > 0.0 {
                completed as f64 / measured_secs
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
                window_secs: v.slo_window_secs(),
                drops_count_as_misses: true,
                within_target_fraction: within,
                met: within >= needed,
                violation_secs,
                violation_windows,
                windows,
                violation_periods: periods,
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
                vcpu_hours: pools.iter().map(|p| p.vcpu_hours).sum(),
                memory_gib_hours: pools.iter().map(|p| p.memory_gib_hours).sum(),
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
            services,
            shards,
            pools,
            classes,
            days,
            engine,
        }
    }
}

/// Each service's figures (a sharded service's shards added up), and each shard's.
fn service_summaries(v: &super::recorder::RunView<'_>) -> (Vec<ServiceSummary>, Vec<ShardSummary>) {
    let visits: Vec<(&str, &super::recorder::VisitCounts)> = v.visits().collect();
    // Busy and able worker-time and dollars per pool, to add shards up.
    let areas: Vec<(u128, u128, f64)> = v
        .pools()
        .map(|(_, busy, workers, _, _, cost)| (busy, workers, cost))
        .collect();
    let figures = |name: &str, members: &[usize]| {
        let mut c = super::recorder::VisitCounts::default();
        let (mut busy, mut workers, mut cost) = (0u128, 0u128, 0.0);
        for &p in members {
            let (Some((_, m)), Some(a)) = (visits.get(p), areas.get(p)) else {
                continue;
            };
            c.add(m);
            busy += a.0;
            workers += a.1;
            cost += a.2;
        }
        let dropped: u64 = c.dropped.iter().sum();
        let mean = if c.completed > 0 {
            c.latency_sum_ns as f64 / c.completed as f64 / 1e9
        } else {
            0.0
        };
        let empty = LatencyHistogram::new();
        ServiceSummary {
            name: name.to_string(),
            visits: c.arrived,
            completed: c.completed,
            dropped,
            dropped_by_reason: DropCounts::new(c.dropped),
            failed_by_calls: c.failed_by_calls,
            in_flight: c
                .arrived
                .saturating_sub(c.completed + dropped + c.failed_by_calls),
            latency_secs: latency_summary(c.hist.as_ref().unwrap_or(&empty), c.completed, mean),
            utilisation_mean: if workers == 0 {
                0.0
            } else {
                busy as f64 / workers as f64
            },
            cost_usd: cost,
        }
    };
    let mut services = Vec::new();
    let mut shards = Vec::new();
    for g in v.services() {
        services.push(figures(&g.name, &g.pools));
        if g.sharded {
            for (k, &p) in g.pools.iter().enumerate() {
                let name = visits.get(p).map_or("", |(n, _)| n);
                shards.push(ShardSummary {
                    service: g.name.clone(),
                    shard: k as u32,
                    figures: figures(name, &[p]),
                });
            }
        }
    }
    (services, shards)
}

impl DropCounts {
    fn new(drops: [u64; DropReason::COUNT]) -> DropCounts {
        DropCounts {
            queue_full: drops[DropReason::QueueFull.index()],
            no_capacity: drops[DropReason::NoCapacity.index()],
            timeout: drops[DropReason::Timeout.index()],
            failure: drops[DropReason::Failure.index()],
            client_timeout: drops[DropReason::ClientTimeout.index()],
        }
    }
}

fn latency_summary(h: &LatencyHistogram, completed: u64, mean: f64) -> LatencySummary {
    if completed == 0 {
        return LatencySummary {
            of: "completed requests",
            ..LatencySummary::default()
        };
    }
    let mut q = [0.0; 5];
    h.quantiles_secs(&[0.5, 0.9, 0.95, 0.99, 0.999], &mut q);
    LatencySummary {
        of: "completed requests",
        mean,
        p50: q[0],
        p90: q[1],
        p95: q[2],
        p99: q[3],
        p999: q[4],
        max: h.max_secs(),
    }
}

/// A class's figures; with a single class its latencies are the run's (`run_hist`).
fn class_summary(c: &ClassCounts, run_hist: &LatencyHistogram, run_completed: u64) -> ClassSummary {
    let dropped: u64 = c.drops.iter().sum();
    let ended = c.completed + dropped;
    let mean = if c.completed > 0 {
        c.latency_sum_ns as f64 / c.completed as f64 / 1e9
    } else {
        0.0
    };
    let hist = c.hist.as_ref().unwrap_or(run_hist);
    debug_assert!(c.hist.is_some() || c.completed == run_completed);
    ClassSummary {
        name: c.name.clone(),
        arrived: c.arrived,
        completed: c.completed,
        dropped,
        dropped_by_reason: DropCounts::new(c.drops),
        within_target_fraction: if ended > 0 {
            c.within_slo as f64 / ended as f64
        } else {
            1.0
        },
        latency_secs: latency_summary(hist, c.completed, mean),
    }
}

/// Figures by calendar day: each interval counts in the day it starts in (`hists` were
/// filled the same way); violation time is split at midnight.
fn day_summaries(
    rows: &[IntervalRow],
    hists: &[LatencyHistogram],
    day0_secs: f64,
    periods: &[PeriodSummary],
    clock: WeekClock,
) -> Vec<DaySummary> {
    const DAY: f64 = 86_400.0;
    let mut days: Vec<DaySummary> = Vec::new();
    for r in rows {
        let d = ((day0_secs + r.start_secs) / DAY).floor().max(0.0) as usize;
        while days.len() <= d {
            let n = days.len();
            let start = (n as f64 * DAY - day0_secs).max(0.0);
            let week_day = clock.label(SimTime::from_secs_f64(start));
            let name = week_day.split(' ').next().unwrap_or_default().to_string();
            // The week of the run, counted from its first day: the second Monday of a
            // ten-day run is "Mon (week 2)".
            let week = n / 7 + 1;
            days.push(DaySummary {
                day: if week > 1 {
                    format!("{name} (week {week})")
                } else {
                    name
                },
                start_secs: start,
                end_secs: start,
                ..DaySummary::default()
            });
        }
        let day = &mut days[d];
        day.end_secs = r.end_secs;
        day.arrived += r.arrivals;
        day.completed += r.completed;
        day.dropped += r.dropped();
        day.cost_usd += r.cost_usd;
        let alive = r
            .pools
            .iter()
            .map(|p| {
                let s = &p.snapshot;
                s.booting + s.in_service + s.draining + s.failed
            })
            .sum();
        day.max_instances = day.max_instances.max(alive);
    }
    for (day, hist) in days.iter_mut().zip(hists) {
        day.p99_secs = hist.quantile_secs(0.99);
        day.violation_secs = periods
            .iter()
            .map(|p| (p.end_secs.min(day.end_secs) - p.start_secs.max(day.start_secs)).max(0.0))
            .sum();
    }
    days
}
