//! The recorder the model reports to as events happen. Counters and histograms are per
//! interval; levels (requests in flight, busy workers, queue lengths, live instances) are
//! integrated over time so averages are exact, not sampled.

use serde::Serialize;

use super::histogram::LatencyHistogram;
use super::slo::{SloWindows, ViolationPeriod};
use crate::model::instance::PoolId;
use crate::model::report::{Decision, DropReason, Observer, PoolSnapshot, SloTarget, TypeFacts};
use crate::model::topology::WorldConfig;
use crate::sim::{SimDuration, SimTime};

mod view;
pub(super) use view::RunView;

/// Simulated seconds in a day.
const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// A level that changes at events, integrated over time (count x nanoseconds).
#[derive(Clone, Copy, Debug, Default)]
struct Level {
    value: u64,
    since: u64,
    area: u128,
}

impl Level {
    #[inline]
    fn settle(&mut self, now: SimTime) {
        let now = now.as_nanos();
        if now > self.since {
            self.area += u128::from(self.value) * u128::from(now - self.since);
            self.since = now;
        }
    }

    #[inline]
    fn add(&mut self, now: SimTime, delta: u64) {
        self.settle(now);
        self.value += delta;
    }

    #[inline]
    fn sub(&mut self, now: SimTime, delta: u64) {
        self.settle(now);
        self.value = self.value.saturating_sub(delta);
    }

    /// The area since the last take, and a fresh start.
    fn take(&mut self, now: SimTime) -> u128 {
        self.settle(now);
        std::mem::take(&mut self.area)
    }
}

/// Counters of one interval (or the whole run).
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    arrivals: u64,
    completed: u64,
    drops: [u64; DropReason::COUNT],
    within_slo: u64,
    latency_sum_ns: u128,
    wait_sum_ns: u128,
    started: u64,
    retries: u64,
    abandoned_replies: u64,
}

impl Counts {
    fn absorb(&mut self, o: &Counts) {
        self.arrivals += o.arrivals;
        self.completed += o.completed;
        for (a, b) in self.drops.iter_mut().zip(o.drops) {
            *a += b;
        }
        self.within_slo += o.within_slo;
        self.latency_sum_ns += o.latency_sum_ns;
        self.wait_sum_ns += o.wait_sum_ns;
        self.started += o.started;
        self.retries += o.retries;
        self.abandoned_replies += o.abandoned_replies;
    }

    fn dropped(&self) -> u64 {
        self.drops.iter().sum()
    }
}

/// One request class's counts over the run.
#[derive(Clone, Debug, Default)]
pub(super) struct ClassCounts {
    pub(super) name: String,
    pub(super) arrived: u64,
    pub(super) completed: u64,
    pub(super) within_slo: u64,
    pub(super) drops: [u64; DropReason::COUNT],
    pub(super) latency_sum_ns: u128,
    /// Its latencies, kept only when there are several classes (with one, the run's
    /// histogram is the class's).
    pub(super) hist: Option<LatencyHistogram>,
}

/// Per-pool levels.
#[derive(Clone, Debug, Default)]
struct PoolLevels {
    /// Visits to it, by how they ended, and the latency of those that replied: over the
    /// closed intervals, and in the current one.
    visits: VisitCounts,
    visits_cur: VisitCounts,
    /// Dollars billed in the current interval.
    cost_interval_usd: f64,
    busy: Level,
    queued: Level,
    /// Instances in service (able to take requests, draining included).
    serving: Level,
    /// Workers of instances that can work (in service or draining).
    workers: Level,
    /// Instances that are billed (booting, in service, draining).
    live: Level,
    busy_area_run: u128,
    workers_area_run: u128,
    live_area_run: u128,
    max_live: u64,
    cost_usd: f64,
}

/// A service as the figures see it: its name, its pools, and whether they are shards.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceGroup {
    /// The service's name.
    pub name: String,
    /// Indices of its pools (one, or one per shard in shard order).
    pub pools: Vec<usize>,
    /// Whether its pools are shards of it (listed apart in a run's summary).
    pub sharded: bool,
}

/// One service's visits over the run: arrived at its balancer, replied, dropped there (by
/// reason), failed because a call they made failed; and the latency of those that replied.
#[derive(Clone, Debug, Default)]
pub(super) struct VisitCounts {
    pub(super) arrived: u64,
    pub(super) completed: u64,
    pub(super) dropped: [u64; DropReason::COUNT],
    pub(super) failed_by_calls: u64,
    pub(super) latency_sum_ns: u128,
    pub(super) hist: Option<LatencyHistogram>,
}

impl VisitCounts {
    /// Adds `other`'s visits to these (the shards of a service, added up).
    pub(super) fn add(&mut self, other: &VisitCounts) {
        self.arrived += other.arrived;
        self.completed += other.completed;
        for (d, o) in self.dropped.iter_mut().zip(other.dropped) {
            *d += o;
        }
        self.failed_by_calls += other.failed_by_calls;
        self.latency_sum_ns += other.latency_sum_ns;
        if let Some(h) = &other.hist {
            self.hist
                .get_or_insert_with(LatencyHistogram::new)
                .absorb(h);
        }
    }
}

/// Latency figures of a set of completed requests, in seconds (zeros when there are none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencyStats {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

impl LatencyStats {
    /// The figures of `completed` requests whose latencies `h` holds and add up to
    /// `sum_ns` (zeros when there are none).
    fn of(h: &LatencyHistogram, completed: u64, sum_ns: u128) -> LatencyStats {
        if completed == 0 {
            return LatencyStats::default();
        }
        let mut q = [0.0; 4];
        h.quantiles_secs(&[0.50, 0.90, 0.95, 0.99], &mut q);
        LatencyStats {
            mean: sum_ns as f64 / completed as f64 / 1e9,
            p50: q[0],
            p90: q[1],
            p95: q[2],
            p99: q[3],
            max: h.max_secs(),
        }
    }
}

/// One pool's figures over one interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PoolRow {
    /// Its state at the end of the interval.
    pub snapshot: PoolSnapshot,
    /// Busy workers / workers able to work, averaged over the interval (0..=1).
    pub utilisation: f64,
    /// Mean number of requests queued in the whole pool over the interval (all its
    /// instances' queues together).
    pub queue_total_mean: f64,
    /// Mean number of requests queued per instance in service over the interval (queued
    /// request-time / in-service instance-time).
    pub queue_per_instance_mean: f64,
    /// Visits that reached it in the interval (requests entering here, calls to it, and
    /// clients' tries).
    pub visits: u64,
    /// Visits it replied to in the interval.
    pub completed: u64,
    /// Visits dropped here in the interval, by reason (in [`DropReason::ALL`] order).
    pub drops: [u64; DropReason::COUNT],
    /// Visits that failed in the interval because a call they made failed.
    pub failed_by_calls: u64,
    /// Latency of the visits it replied to in the interval, from its balancer to its
    /// reply (zeros when there were none).
    pub latency: LatencyStats,
    /// Dollars billed for it in the interval.
    pub cost_usd: f64,
}

/// Everything recorded over one interval of simulated time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IntervalRow {
    /// Start, in seconds after the run start.
    pub start_secs: f64,
    /// End, in seconds after the run start.
    pub end_secs: f64,
    /// The rate curve's mean over the interval (requests per second).
    pub offered_per_sec: f64,
    /// Requests that arrived.
    pub arrivals: u64,
    /// Requests completed.
    pub completed: u64,
    /// Requests dropped, by reason (in [`DropReason::ALL`] order).
    pub drops: [u64; DropReason::COUNT],
    /// Tries sent again by clients (each is one more visit to an entry service).
    pub retries: u64,
    /// Tries served after their client had given up on them (work done for nothing).
    pub abandoned_replies: u64,
    /// Requests in the system at the end of the interval.
    pub in_flight: u64,
    /// Mean number of requests in the system over the interval.
    pub in_flight_mean: f64,
    /// Latency of requests completed in the interval.
    pub latency: LatencyStats,
    /// Share of requests that ended in the interval (completed or dropped) that completed
    /// within the SLO latency; 1 when none ended.
    pub within_slo: f64,
    /// Busy workers / workers able to work, over all pools.
    pub utilisation: f64,
    /// Mean number of requests queued over all pools together.
    pub queue_total_mean: f64,
    /// Mean number of requests queued per instance in service, over all pools.
    pub queue_per_instance_mean: f64,
    /// Dollars billed for the interval.
    pub cost_usd: f64,
    /// Dollars billed since the start.
    pub cost_cumulative_usd: f64,
    /// Each pool's figures, in scenario order.
    pub pools: Vec<PoolRow>,
}

impl IntervalRow {
    /// Requests dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.drops.iter().sum()
    }

    /// Requests per second that arrived.
    pub fn arrivals_per_sec(&self) -> f64 {
        self.arrivals as f64 / (self.end_secs - self.start_secs).max(f64::MIN_POSITIVE)
    }

    /// Instances in service over all pools.
    pub fn in_service(&self) -> u32 {
        self.pools.iter().map(|p| p.snapshot.in_service).sum()
    }

    /// The requests per second the design could serve at 100 % utilisation of its
    /// instances in service. One pool: its capacity. Several (services, shards): a request
    /// visits several pools, so their capacities do not add up; each pool's capacity is
    /// scaled by the requests per visit it saw in the interval (arrivals / its visits),
    /// and the design's is the smallest, its bottleneck's: web -> api -> db gives the
    /// weakest tier, a sharded service its hottest shard, retries the capacity left for
    /// new requests. Without visits in the interval, the pools' capacities added up.
    pub fn capacity_per_sec(&self) -> f64 {
        let sum = || self.pools.iter().map(|p| p.snapshot.capacity_per_sec).sum();
        if self.pools.len() <= 1 || self.arrivals == 0 {
            return sum();
        }
        let arrivals = self.arrivals as f64;
        let bottleneck = self
            .pools
            .iter()
            .filter(|p| p.visits > 0)
            .map(|p| p.snapshot.capacity_per_sec * arrivals / p.visits as f64)
            .fold(f64::INFINITY, f64::min);
        if bottleneck.is_finite() {
            bottleneck
        } else {
            sum()
        }
    }

    /// The forecast arrival rate over all pools that have one (`None` if none has).
    pub fn forecast_per_sec(&self) -> Option<f64> {
        self.pools
            .iter()
            .filter_map(|p| p.snapshot.forecast_per_sec)
            .reduce(|a, b| a + b)
    }

    /// Dollars per hour at the interval's average spend.
    pub fn cost_usd_per_hour(&self) -> f64 {
        self.cost_usd * 3600.0 / (self.end_secs - self.start_secs).max(f64::MIN_POSITIVE)
    }
}

/// Collects everything a run reports.
pub struct Recorder {
    interval: SimDuration,
    interval_start: SimTime,
    slo: SloTarget,
    slo_nanos: u64,
    cur: Counts,
    total: Counts,
    hist_interval: LatencyHistogram,
    hist_run: LatencyHistogram,
    in_flight: Level,
    in_flight_area_run: u128,
    pools: Vec<PoolLevels>,
    pool_names: Vec<String>,
    /// The services the pools serve (empty: each pool is a service of its own).
    services: Vec<ServiceGroup>,
    cost_interval_usd: f64,
    cost_total_usd: f64,
    rows: Vec<IntervalRow>,
    decisions: Vec<Decision>,
    launched: u64,
    live_total: u64,
    max_live_total: u64,
    serving_total: u64,
    slo_windows: SloWindows,
    classes: Vec<ClassCounts>,
    /// Nanoseconds from the midnight before the run start to the start.
    day_offset_ns: u64,
    /// Latencies by calendar day of the simulated clock (day 0: the day the run starts).
    day_hists: Vec<LatencyHistogram>,
    finished: bool,
    types: Vec<PoolTypes>,
    /// The facts of every type any pool has run, by name.
    type_facts: Vec<(String, TypeFacts)>,
    /// The warm-up to leave out of the run's figures: they are cleared when the first
    /// interval that ends at or after it closes (None: none, or already cleared).
    warmup_end: Option<SimTime>,
    /// Where the run's figures start: zero, or the end of the warm-up.
    measured_from: SimTime,
    /// Dollars billed during the warm-up (the series keep them; the run's figures not).
    cost_warmup_usd: f64,
    /// Requests in the system when the warm-up ended.
    in_flight_at_warmup: u64,
}

/// Instance types of one pool: which it runs now and the instance-hours of each.
#[derive(Clone, Debug, Default)]
struct PoolTypes {
    /// The type new instances get (the last a vertical resize moved to).
    current: String,
    /// Live instances of each type, integrated over time, in order of first use.
    live: Vec<(String, Level)>,
    /// Instances stopped and started again on another type.
    restarted: u64,
}

impl Recorder {
    /// A recorder for pools named `pool_names`, closing an interval every `interval`.
    pub fn new(pool_names: Vec<String>, interval: SimDuration, slo: SloTarget) -> Recorder {
        let pool_count = pool_names.len();
        Recorder {
            interval,
            interval_start: SimTime::ZERO,
            slo,
            slo_nanos: SimDuration::from_secs_f64(slo.latency_secs).as_nanos(),
            cur: Counts::default(),
            total: Counts::default(),
            // Each completion is recorded once, in the interval's histogram, which is merged
            // into the run's when the interval closes (same layout: a plain array add).
            hist_interval: LatencyHistogram::new(),
            hist_run: LatencyHistogram::new(),
            in_flight: Level::default(),
            in_flight_area_run: 0,
            pools: vec![PoolLevels::default(); pool_names.len()],
            pool_names,
            services: Vec::new(),
            cost_interval_usd: 0.0,
            cost_total_usd: 0.0,
            rows: Vec::new(),
            decisions: Vec::new(),
            launched: 0,
            live_total: 0,
            max_live_total: 0,
            serving_total: 0,
            slo_windows: SloWindows::new(
                SimDuration::from_secs_f64(slo.window_secs).as_nanos(),
                slo.percentile / 100.0,
            ),
            classes: vec![ClassCounts {
                name: "all".into(),
                ..ClassCounts::default()
            }],
            day_offset_ns: 0,
            day_hists: Vec::new(),
            finished: false,
            types: vec![PoolTypes::default(); pool_count],
            type_facts: Vec::new(),
            warmup_end: None,
            measured_from: SimTime::ZERO,
            cost_warmup_usd: 0.0,
            in_flight_at_warmup: 0,
        }
    }

    /// Leaves the first `warmup` of the run out of every run figure (the summary, the
    /// services, the classes, the SLO windows), as a steady-state study must: the figures
    /// are cleared when the first interval ending at or after `warmup` closes, so the
    /// warm-up is rounded up to whole intervals (see [`Recorder::measured_from`]). The
    /// interval series keep every interval. Arena clears its statistics the same
    /// way at the end of a warm-up period.
    pub fn with_warmup(mut self, warmup: SimDuration) -> Recorder {
        self.warmup_end = (warmup > SimDuration::ZERO).then(|| SimTime::ZERO + warmup);
        self
    }

    /// Where the run's figures start: zero without a warm-up, else the end of the
    /// interval the warm-up ended in (once it has closed).
    pub fn measured_from(&self) -> SimTime {
        self.measured_from
    }

    /// Clears every run figure at `now`, the end of the warm-up: totals, histograms,
    /// time integrals, maxima (restarted from the levels now), classes, SLO windows.
    fn clear_run_figures(&mut self, now: SimTime) {
        self.measured_from = now;
        self.in_flight_at_warmup = self.in_flight.value;
        self.total = Counts::default();
        self.hist_run.reset();
        for h in &mut self.day_hists {
            h.reset();
        }
        self.in_flight_area_run = 0;
        for p in &mut self.pools {
            let mut hist = std::mem::take(&mut p.visits).hist;
            if let Some(h) = hist.as_mut() {
                h.reset();
            }
            p.visits.hist = hist;
            p.busy_area_run = 0;
            p.workers_area_run = 0;
            p.live_area_run = 0;
            p.max_live = p.live.value;
            p.cost_usd = 0.0;
        }
        self.cost_warmup_usd = self.cost_total_usd;
        self.launched = 0;
        self.max_live_total = self.live_total;
        self.slo_windows.restart(now.as_nanos());
        for c in &mut self.classes {
            let mut hist = c.hist.take();
            if let Some(h) = hist.as_mut() {
                h.reset();
            }
            *c = ClassCounts {
                name: std::mem::take(&mut c.name),
                hist,
                ..ClassCounts::default()
            };
        }
        for t in &mut self.types {
            t.restarted = 0;
            for (_, level) in &mut t.live {
                level.take(now);
            }
        }
    }

    /// Tells the recorder which pools serve which service (a sharded service has one pool
    /// per shard), so a run's figures add shards up by service and list them apart.
    pub fn with_services(mut self, services: Vec<ServiceGroup>) -> Recorder {
        self.services = services;
        self
    }

    /// Names the request classes (in scenario order), to count each apart.
    pub fn with_classes(mut self, names: Vec<String>) -> Recorder {
        let several = names.len() > 1;
        self.classes = names
            .into_iter()
            .map(|name| ClassCounts {
                name,
                hist: several.then(LatencyHistogram::new),
                ..ClassCounts::default()
            })
            .collect();
        if self.classes.is_empty() {
            self.classes.push(ClassCounts::default());
        }
        self
    }

    /// Tells the recorder the simulated clock at the start (seconds after midnight), so
    /// that figures by calendar day split at midnight.
    pub fn with_day_start(mut self, secs_after_midnight: f64) -> Recorder {
        self.day_offset_ns = SimDuration::from_secs_f64(secs_after_midnight.rem_euclid(86_400.0))
            .as_nanos()
            .min(DAY_NS - 1);
        self
    }

    /// The recorder a world built from `config` reports to: its pools, classes, interval,
    /// SLO and the time of day the run starts (the instance types are told by the world).
    pub fn for_world(config: &WorldConfig) -> Recorder {
        let names = config.pools.iter().map(|p| p.name.clone()).collect();
        let services = config
            .services
            .iter()
            .map(|s| ServiceGroup {
                name: s.name.clone(),
                pools: s.pools.iter().map(|p| p.index()).collect(),
                sharded: s.shards.is_some(),
            })
            .collect();
        Recorder::new(names, config.interval, config.slo)
            .with_services(services)
            .with_classes(config.classes.iter().map(|c| c.name.clone()).collect())
            .with_day_start(config.clock.week_secs(0.0).rem_euclid(86_400.0))
    }

    /// The interval length.
    pub fn interval(&self) -> SimDuration {
        self.interval
    }

    /// The SLO.
    pub fn slo(&self) -> SloTarget {
        self.slo
    }

    /// When the current interval started.
    pub fn interval_start(&self) -> SimTime {
        self.interval_start
    }

    /// When the current interval ends.
    pub fn interval_end(&self) -> SimTime {
        self.interval_start + self.interval
    }

    /// The intervals closed so far.
    pub fn rows(&self) -> &[IntervalRow] {
        &self.rows
    }

    /// The decisions logged so far.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The services, each with its pools (each pool a service of its own if the recorder
    /// was not told otherwise).
    pub fn service_groups(&self) -> Vec<ServiceGroup> {
        if self.services.is_empty() {
            return self
                .pool_names
                .iter()
                .enumerate()
                .map(|(i, n)| ServiceGroup {
                    name: n.clone(),
                    pools: vec![i],
                    sharded: false,
                })
                .collect();
        }
        self.services.clone()
    }

    /// The pools' names, in scenario order.
    pub fn pool_names(&self) -> &[String] {
        &self.pool_names
    }

    pub(super) fn run_view(&self) -> RunView<'_> {
        RunView { rec: self }
    }
}

fn ratio(num: u128, den: u128) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl Observer for Recorder {
    #[inline]
    fn visit_arrived(&mut self, pool: PoolId) {
        self.pools[pool.index()].visits_cur.arrived += 1;
    }

    #[inline]
    fn visit_completed(&mut self, pool: PoolId, latency: SimDuration) {
        let v = &mut self.pools[pool.index()].visits_cur;
        v.completed += 1;
        v.latency_sum_ns += u128::from(latency.as_nanos());
        v.hist
            .get_or_insert_with(LatencyHistogram::new)
            .record_nanos(latency.as_nanos());
    }

    fn visit_dropped(&mut self, pool: PoolId, reason: DropReason) {
        self.pools[pool.index()].visits_cur.dropped[reason.index()] += 1;
    }

    fn visit_failed_by_call(&mut self, pool: PoolId) {
        self.pools[pool.index()].visits_cur.failed_by_calls += 1;
    }

    #[inline]
    fn arrived(&mut self, now: SimTime, class: u16, n: u64) {
        self.cur.arrivals += n;
        self.in_flight.add(now, n);
        if let Some(c) = self.classes.get_mut(usize::from(class)) {
            c.arrived += n;
        }
    }

    #[inline]
    fn dropped(&mut self, now: SimTime, reason: DropReason, class: u16, n: u64) {
        self.cur.drops[reason.index()] += n;
        self.in_flight.sub(now, n);
        self.slo_windows.dropped(now.as_nanos(), reason, n);
        if let Some(c) = self.classes.get_mut(usize::from(class)) {
            c.drops[reason.index()] += n;
        }
    }

    fn retried(&mut self, _now: SimTime, _class: u16) {
        self.cur.retries += 1;
    }

    fn abandoned_reply(&mut self, _now: SimTime, _class: u16) {
        self.cur.abandoned_replies += 1;
    }

    #[inline]
    fn service_started(&mut self, now: SimTime, pool: PoolId, waited: SimDuration) {
        let pool = pool.index();
        self.cur.started += 1;
        self.cur.wait_sum_ns += u128::from(waited.as_nanos());
        self.pools[pool].busy.add(now, 1);
    }

    #[inline]
    fn workers_freed(&mut self, now: SimTime, pool: PoolId, n: u64) {
        let pool = pool.index();
        self.pools[pool].busy.sub(now, n);
    }

    #[inline]
    fn completed(&mut self, now: SimTime, class: u16, latency: SimDuration) {
        let ns = latency.as_nanos();
        let within = ns <= self.slo_nanos;
        self.cur.completed += 1;
        self.cur.latency_sum_ns += u128::from(ns);
        self.cur.within_slo += u64::from(within);
        self.hist_interval.record_nanos(ns);
        self.in_flight.sub(now, 1);
        self.slo_windows.completed(now.as_nanos(), ns, within);
        if let Some(c) = self.classes.get_mut(usize::from(class)) {
            c.completed += 1;
            c.within_slo += u64::from(within);
            c.latency_sum_ns += u128::from(ns);
            if let Some(h) = c.hist.as_mut() {
                h.record_nanos(ns);
            }
        }
    }

    #[inline]
    fn enqueued(&mut self, now: SimTime, pool: PoolId) {
        let pool = pool.index();
        self.pools[pool].queued.add(now, 1);
    }

    #[inline]
    fn dequeued(&mut self, now: SimTime, pool: PoolId, n: u64) {
        let pool = pool.index();
        self.pools[pool].queued.sub(now, n);
    }

    fn instance_launched(&mut self, now: SimTime, pool: PoolId, during_run: bool) {
        let pool = pool.index();
        self.launched += u64::from(during_run);
        self.live_total += 1;
        self.max_live_total = self.max_live_total.max(self.live_total);
        let p = &mut self.pools[pool];
        p.live.add(now, 1);
        p.max_live = p.max_live.max(p.live.value);
    }

    fn instance_terminated(&mut self, now: SimTime, pool: PoolId) {
        let pool = pool.index();
        self.live_total = self.live_total.saturating_sub(1);
        self.pools[pool].live.sub(now, 1);
    }

    fn instance_serving(&mut self, now: SimTime, pool: PoolId, workers: u64) {
        let pool = pool.index();
        let p = &mut self.pools[pool];
        p.workers.add(now, workers);
        p.serving.add(now, 1);
        self.serving_total += 1;
        self.slo_windows.serving(now.as_nanos(), self.serving_total);
    }

    fn set_instance_type(&mut self, pool: PoolId, name: &str, facts: TypeFacts) {
        let pool = pool.index();
        self.types[pool].current = name.to_string();
        if !self.type_facts.iter().any(|(n, _)| n == name) {
            self.type_facts.push((name.to_string(), facts));
        }
    }

    fn instance_type_started(&mut self, now: SimTime, pool: PoolId, name: &str) {
        let pool = pool.index();
        let live = &mut self.types[pool].live;
        match live.iter_mut().find(|(n, _)| n == name) {
            Some((_, level)) => level.add(now, 1),
            None => {
                let mut level = Level::default();
                level.add(now, 1);
                live.push((name.to_string(), level));
            }
        }
    }

    fn instance_type_stopped(&mut self, now: SimTime, pool: PoolId, name: &str) {
        let pool = pool.index();
        if let Some((_, level)) = self.types[pool].live.iter_mut().find(|(n, _)| n == name) {
            level.sub(now, 1);
        }
    }

    fn instance_restarted(&mut self, pool: PoolId) {
        let pool = pool.index();
        self.types[pool].restarted += 1;
    }

    fn instance_stopped_serving(&mut self, now: SimTime, pool: PoolId, workers: u64) {
        let pool = pool.index();
        let p = &mut self.pools[pool];
        p.workers.sub(now, workers);
        p.serving.sub(now, 1);
        self.serving_total = self.serving_total.saturating_sub(1);
        self.slo_windows.serving(now.as_nanos(), self.serving_total);
    }

    fn billed(&mut self, pool: PoolId, usd: f64) {
        let pool = pool.index();
        self.cost_interval_usd += usd;
        self.pools[pool].cost_usd += usd;
        self.pools[pool].cost_interval_usd += usd;
    }

    fn decision(&mut self, d: Decision) {
        self.decisions.push(d);
    }

    fn close_interval(&mut self, now: SimTime, offered_per_sec: f64, pools: &[PoolSnapshot]) {
        let span_ns = (now - self.interval_start).as_nanos();
        if span_ns == 0 {
            return;
        }
        let span = span_ns as f64;
        let c = std::mem::take(&mut self.cur);
        let latency = LatencyStats::of(&self.hist_interval, c.completed, c.latency_sum_ns);
        self.hist_run.absorb(&self.hist_interval);
        // Figures by calendar day: each interval counts in the day it starts in.
        let day = ((self.day_offset_ns + self.interval_start.as_nanos()) / DAY_NS) as usize;
        if self.day_hists.len() <= day {
            self.day_hists.resize_with(day + 1, LatencyHistogram::new);
        }
        self.day_hists[day].absorb(&self.hist_interval);
        self.hist_interval.reset();
        let ended = c.completed + c.dropped();
        let in_flight_area = self.in_flight.take(now);
        self.in_flight_area_run += in_flight_area;
        let (mut busy_all, mut workers_all, mut queued_all, mut serving_all) =
            (0u128, 0u128, 0u128, 0u128);
        let mut rows = Vec::with_capacity(self.pools.len());
        for (i, p) in self.pools.iter_mut().enumerate() {
            let busy = p.busy.take(now);
            let workers = p.workers.take(now);
            let queued = p.queued.take(now);
            let serving = p.serving.take(now);
            p.busy_area_run += busy;
            p.workers_area_run += workers;
            p.live_area_run += p.live.take(now);
            busy_all += busy;
            workers_all += workers;
            queued_all += queued;
            serving_all += serving;
            let v = &p.visits_cur;
            let latency = v.hist.as_ref().map_or_else(LatencyStats::default, |h| {
                LatencyStats::of(h, v.completed, v.latency_sum_ns)
            });
            rows.push(PoolRow {
                snapshot: pools.get(i).copied().unwrap_or_default(),
                utilisation: ratio(busy, workers),
                queue_total_mean: queued as f64 / span,
                queue_per_instance_mean: ratio(queued, serving),
                visits: v.arrived,
                completed: v.completed,
                drops: v.dropped,
                failed_by_calls: v.failed_by_calls,
                latency,
                cost_usd: std::mem::take(&mut p.cost_interval_usd),
            });
            // The interval's visits join the run's; the histogram keeps its buckets.
            p.visits.add(&p.visits_cur);
            let mut hist = p.visits_cur.hist.take();
            if let Some(h) = hist.as_mut() {
                h.reset();
            }
            p.visits_cur = VisitCounts {
                hist,
                ..VisitCounts::default()
            };
        }
        self.cost_total_usd += self.cost_interval_usd;
        self.rows.push(IntervalRow {
            start_secs: self.interval_start.as_secs_f64(),
            end_secs: now.as_secs_f64(),
            offered_per_sec,
            arrivals: c.arrivals,
            completed: c.completed,
            drops: c.drops,
            retries: c.retries,
            abandoned_replies: c.abandoned_replies,
            in_flight: self.in_flight.value,
            in_flight_mean: in_flight_area as f64 / span,
            latency,
            within_slo: if ended > 0 {
                c.within_slo as f64 / ended as f64
            } else {
                1.0
            },
            utilisation: ratio(busy_all, workers_all),
            queue_total_mean: queued_all as f64 / span,
            queue_per_instance_mean: ratio(queued_all, serving_all),
            cost_usd: self.cost_interval_usd,
            cost_cumulative_usd: self.cost_total_usd,
            pools: rows,
        });
        self.cost_interval_usd = 0.0;
        self.total.absorb(&c);
        self.interval_start = now;
        self.slo_windows.advance(now.as_nanos());
        if self.warmup_end.is_some_and(|end| now >= end) {
            self.warmup_end = None;
            self.clear_run_figures(now);
        }
    }

    fn finish(&mut self, now: SimTime) {
        if !self.finished {
            self.finished = true;
            self.slo_windows.finish(now.as_nanos());
        }
    }
}
