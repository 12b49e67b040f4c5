//! The knee of a design: the load where it stops meeting its objective, and the load
//! where it stops responding at all. The scenario's traffic curve is scaled, shape kept,
//! over a geometric grid of peak rates; between the last point that passed and the first
//! that failed, the edge is found by bisection (on the logarithm of the load, as the grid
//! is spaced). Along the way each point's cost per million requests tells whether the
//! bill grows in proportion to the load.
//!
//! "Responding" is the queueing sense of the word: the design serves what arrives. Past
//! saturation the throughput stays flat while the load grows, and the rest is dropped or
//! waits in queues that keep growing (Gunther, *Guerrilla Capacity Planning*, 2007, ch. 4;
//! Jain, *The Art of Computer Systems Performance Analysis*, 1991, §3.3, the "knee
//! capacity" and "usable capacity" of a throughput curve).

use std::str::FromStr;

use rayon::prelude::*;
use serde::Serialize;

use super::many::replication_seeds;
use crate::metrics::RunSummary;
use crate::scenario::Scenario;

/// A point responds when at least this share of the requests that arrived was served.
pub const RESPONDING_SERVED: f64 = 0.9;

/// What decides whether a load meets the objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KneeMetric {
    /// The median latency (drops counting as failures) within the SLO's latency.
    P50,
    /// The 90th percentile, likewise.
    P90,
    /// The 95th percentile, likewise.
    P95,
    /// The 99th percentile, likewise.
    P99,
    /// The scenario's objective as it is written: its share of requests within the
    /// latency, windows aside.
    Slo,
}

/// A `--metric` the knee does not know.
#[derive(Debug, thiserror::Error)]
#[error("expected p50, p90, p95, p99 or slo, got `{0}`")]
pub struct MetricError(String);

impl FromStr for KneeMetric {
    type Err = MetricError;

    fn from_str(s: &str) -> Result<KneeMetric, MetricError> {
        match s {
            "p50" => Ok(KneeMetric::P50),
            "p90" => Ok(KneeMetric::P90),
            "p95" => Ok(KneeMetric::P95),
            "p99" => Ok(KneeMetric::P99),
            "slo" => Ok(KneeMetric::Slo),
            _ => Err(MetricError(s.to_owned())),
        }
    }
}

impl KneeMetric {
    /// The metric's value in a run: seconds for a percentile (infinite when drops fill
    /// the tail), the share within the latency for `Slo`.
    fn value(self, s: &RunSummary) -> f64 {
        let l = &s.latency_counting_drops_secs;
        let secs = |p: Option<f64>| p.unwrap_or(f64::INFINITY);
        match self {
            KneeMetric::P50 => secs(l.p50),
            KneeMetric::P90 => secs(l.p90),
            KneeMetric::P95 => secs(l.p95),
            KneeMetric::P99 => secs(l.p99),
            KneeMetric::Slo => s.slo.within_target_fraction,
        }
    }

    /// Whether `value` meets the objective of `s`.
    fn meets(self, value: f64, s: &RunSummary) -> bool {
        match self {
            KneeMetric::Slo => value >= s.slo.percentile / 100.0,
            _ => value <= s.slo.latency_secs,
        }
    }
}

/// Why the knee cannot be searched.
#[derive(Debug, thiserror::Error)]
pub enum KneeError {
    /// The scenario's rate is zero throughout: nothing to scale.
    #[error("the scenario has no traffic to scale (its rate is 0 throughout)")]
    NoTraffic,
    /// The range of loads is empty or upside down.
    #[error("--from {from_per_sec} and --to {to_per_sec}: need 0 < from < to (peak requests/s)")]
    BadRange {
        /// The lowest load asked for.
        from_per_sec: f64,
        /// The highest.
        to_per_sec: f64,
    },
    /// A run could not be built.
    #[error(transparent)]
    Run(#[from] super::RunError),
}

/// How to search.
#[derive(Clone, Debug)]
pub struct KneeSpec {
    /// What meets the objective.
    pub metric: KneeMetric,
    /// The lowest peak rate tried, requests/s (default: a quarter of the scenario's).
    pub from_per_sec: Option<f64>,
    /// The highest, requests/s (default: four times the scenario's).
    pub to_per_sec: Option<f64>,
    /// Points of the grid, both ends included (at least 2).
    pub steps: usize,
    /// Runs per point, on the seeds a batch would use (their metric values averaged).
    pub replications: u64,
    /// Halvings of each edge's bracket (on the log of the load) after the grid.
    pub bisections: u32,
}

impl Default for KneeSpec {
    fn default() -> KneeSpec {
        KneeSpec {
            metric: KneeMetric::P99,
            from_per_sec: None,
            to_per_sec: None,
            steps: 9,
            replications: 1,
            bisections: 5,
        }
    }
}

/// How a point was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A point of the grid.
    Grid,
    /// A bisection step towards an edge.
    Bisection,
}

/// One load tried.
#[derive(Clone, Debug, Serialize)]
pub struct KneePoint {
    /// The peak of the scaled traffic curve, requests/s.
    pub peak_per_sec: f64,
    /// The scale applied to the scenario's curve.
    pub scale: f64,
    /// Requests that arrived per second, averaged over the run.
    pub arrivals_per_sec: f64,
    /// Requests served per second.
    pub throughput_per_sec: f64,
    /// The share of arrivals served (the rest dropped or still queued at the end).
    pub served_fraction: f64,
    /// The metric's value (mean over the replications).
    pub value: f64,
    /// Whether it meets the objective.
    pub meets: bool,
    /// Whether the design still serves what arrives ([`RESPONDING_SERVED`]).
    pub responding: bool,
    /// Dollars billed.
    pub cost_usd: f64,
    /// Dollars per million requests served.
    pub cost_per_million_usd: f64,
    /// The most instances at once.
    pub max_instances: f64,
    /// Grid point or bisection step.
    pub found: Found,
}

/// Where a property is lost: the highest load known to have it, the lowest known not to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Edge {
    /// The highest peak rate (requests/s) that still had it.
    pub last_good_per_sec: f64,
    /// The lowest peak rate that did not.
    pub first_bad_per_sec: f64,
}

/// Whether the bill grows in proportion to the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostGrowth {
    /// Log-log slope of cost against throughput within 0.85..=1.15.
    Linear,
    /// Slower than the load (a fixed fleet, or a minimum size amortised).
    SubLinear,
    /// Faster than the load.
    SuperLinear,
    /// Fewer than three responding points with a cost.
    Unknown,
}

/// What the search found.
#[derive(Clone, Debug, Serialize)]
pub struct KneeReport {
    /// The scenario's name.
    pub scenario: String,
    /// The metric judged.
    pub metric: KneeMetric,
    /// The scenario's own peak rate, requests/s (scale 1).
    pub base_peak_per_sec: f64,
    /// Every point tried, by load.
    pub points: Vec<KneePoint>,
    /// Where the objective stops being met (None: met everywhere, or nowhere).
    pub objective_edge: Option<Edge>,
    /// Where the design stops responding (None: it responds everywhere, or nowhere).
    pub response_edge: Option<Edge>,
    /// The slope of log(cost) against log(throughput) over the responding points.
    pub cost_slope: Option<f64>,
    /// What the slope says.
    pub cost_growth: CostGrowth,
}

/// Runs `scenario` with its curve scaled to peak at `peak_per_sec`, `spec.replications`
/// times, and averages what the knee needs.
fn point(
    scenario: &Scenario,
    base_peak: f64,
    peak_per_sec: f64,
    spec: &KneeSpec,
    found: Found,
) -> Result<KneePoint, KneeError> {
    let scale = peak_per_sec / base_peak;
    let mut s = scenario.clone();
    s.profile = s.profile.scaled(scale);
    let seeds = replication_seeds(s.file.seed, spec.replications.max(1));
    let runs: Vec<RunSummary> = seeds
        .par_iter()
        .map(|&seed| {
            let mut r = s.clone();
            r.file.seed = seed;
            super::run(&r).map(|o| o.summary)
        })
        .collect::<Result<_, _>>()?;
    let n = runs.len() as f64;
    let mean = |f: &dyn Fn(&RunSummary) -> f64| runs.iter().map(f).sum::<f64>() / n;
    let measured = |r: &RunSummary| (r.duration_secs - r.warmup_secs).max(f64::MIN_POSITIVE);
    let arrivals = mean(&|r| r.requests.arrived as f64 / measured(r));
    let throughput = mean(&|r| r.throughput_per_sec);
    let served = mean(&|r| {
        let q = &r.requests;
        let offered = q.arrived + q.in_flight_at_warmup;
        if offered == 0 {
            1.0
        } else {
            q.completed as f64 / offered as f64
        }
    });
    let value = mean(&|r| spec.metric.value(r));
    let cost = mean(&|r| r.cost_usd);
    let completed = mean(&|r| r.requests.completed as f64);
    Ok(KneePoint {
        peak_per_sec,
        scale,
        arrivals_per_sec: arrivals,
        throughput_per_sec: throughput,
        served_fraction: served,
        value,
        meets: spec.metric.meets(value, &runs[0]),
        responding: served >= RESPONDING_SERVED,
        cost_usd: cost,
        cost_per_million_usd: if completed > 0.0 {
            cost / completed * 1e6
        } else {
            0.0
        },
        max_instances: mean(&|r| r.instances.max as f64),
        found,
    })
}

/// The edge of property `has` in `points` (sorted by load): the last point with it before
/// the first without it, if the grid has both.
fn edge(points: &[KneePoint], has: fn(&KneePoint) -> bool) -> Option<Edge> {
    let first_bad = points.iter().position(|p| !has(p))?;
    let good = points[..first_bad].last()?;
    Some(Edge {
        last_good_per_sec: good.peak_per_sec,
        first_bad_per_sec: points[first_bad].peak_per_sec,
    })
}

/// Narrows the edge of `has` in `grid` by bisection on the log of the load; returns the
/// points it ran.
fn bisect(
    scenario: &Scenario,
    base_peak: f64,
    spec: &KneeSpec,
    grid: &[KneePoint],
    has: fn(&KneePoint) -> bool,
) -> Result<Vec<KneePoint>, KneeError> {
    let mut points = grid.to_vec();
    let mut added = Vec::new();
    for _ in 0..spec.bisections {
        let Some(e) = edge(&points, has) else {
            break;
        };
        let mid = (e.last_good_per_sec * e.first_bad_per_sec).sqrt();
        let p = point(scenario, base_peak, mid, spec, Found::Bisection)?;
        let at = points.partition_point(|q| q.peak_per_sec < mid);
        points.insert(at, p.clone());
        added.push(p);
    }
    Ok(added)
}

/// Least-squares slope of log(cost) on log(throughput) over the responding points with
/// both above zero (None with fewer than three).
fn cost_slope(points: &[KneePoint]) -> Option<f64> {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.responding && p.cost_usd > 0.0 && p.throughput_per_sec > 0.0)
        .map(|p| (p.throughput_per_sec.ln(), p.cost_usd.ln()))
        .collect();
    if xy.len() < 3 {
        return None;
    }
    let n = xy.len() as f64;
    let (mx, my) = (
        xy.iter().map(|p| p.0).sum::<f64>() / n,
        xy.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Searches the knee of `scenario` as `spec` says: the grid's points in parallel, then
/// the two edges by bisection. Errors name what is wrong (a scenario with no traffic, a
/// range upside down, a run that fails).
pub fn find_knee(scenario: &Scenario, spec: &KneeSpec) -> Result<KneeReport, KneeError> {
    let base = scenario.profile.max_rate();
    if base <= 0.0 {
        return Err(KneeError::NoTraffic);
    }
    let from = spec.from_per_sec.unwrap_or(base / 4.0);
    let to = spec.to_per_sec.unwrap_or(base * 4.0);
    if !(from > 0.0 && to > from && to.is_finite()) {
        return Err(KneeError::BadRange {
            from_per_sec: from,
            to_per_sec: to,
        });
    }
    let steps = spec.steps.max(2);
    let ratio = (to / from).powf(1.0 / (steps - 1) as f64);
    let grid: Vec<f64> = (0..steps)
        .map(|k| {
            if k + 1 == steps {
                to
            } else {
                from * ratio.powi(k as i32)
            }
        })
        .collect();
    let mut points = grid
        .par_iter()
        .map(|&peak| point(scenario, base, peak, spec, Found::Grid))
        .collect::<Result<Vec<_>, _>>()?;
    // The two edges are searched at once (each bisection is one load at a time).
    let (objective, response) = rayon::join(
        || bisect(scenario, base, spec, &points, |p| p.meets),
        || bisect(scenario, base, spec, &points, |p| p.responding),
    );
    points.extend(objective?);
    points.extend(response?);
    points.sort_by(|a, b| a.peak_per_sec.total_cmp(&b.peak_per_sec));
    let objective_edge = edge(&points, |p| p.meets);
    let response_edge = edge(&points, |p| p.responding);
    let slope = cost_slope(&points);
    let cost_growth = match slope {
        None => CostGrowth::Unknown,
        Some(b) if b < 0.85 => CostGrowth::SubLinear,
        Some(b) if b > 1.15 => CostGrowth::SuperLinear,
        Some(_) => CostGrowth::Linear,
    };
    Ok(KneeReport {
        scenario: scenario.file.name.clone(),
        metric: spec.metric,
        base_peak_per_sec: base,
        points,
        objective_edge,
        response_edge,
        cost_slope: slope,
        cost_growth,
    })
}

/// `knee.csv`: a row per point, by load.
pub fn knee_csv(r: &KneeReport) -> String {
    let mut out = String::from(
        "peak_per_sec,scale,arrivals_per_sec,throughput_per_sec,served_fraction,value,\
         meets_objective,responding,cost_usd,cost_per_million_usd,max_instances,found\n",
    );
    for p in &r.points {
        out += &format!(
            "{:.4},{:.6},{:.4},{:.4},{:.6},{:.6},{},{},{:.6},{:.6},{:.2},{}\n",
            p.peak_per_sec,
            p.scale,
            p.arrivals_per_sec,
            p.throughput_per_sec,
            p.served_fraction,
            p.value,
            p.meets,
            p.responding,
            p.cost_usd,
            p.cost_per_million_usd,
            p.max_instances,
            match p.found {
                Found::Grid => "grid",
                Found::Bisection => "bisection",
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(peak: f64, meets: bool, responding: bool, tput: f64, cost: f64) -> KneePoint {
        KneePoint {
            peak_per_sec: peak,
            scale: 1.0,
            arrivals_per_sec: peak,
            throughput_per_sec: tput,
            served_fraction: 1.0,
            value: 0.0,
            meets,
            responding,
            cost_usd: cost,
            cost_per_million_usd: 0.0,
            max_instances: 1.0,
            found: Found::Grid,
        }
    }

    #[test]
    fn edges_lie_between_the_last_good_point_and_the_first_bad() {
        let pts = [
            p(10.0, true, true, 10.0, 1.0),
            p(20.0, true, true, 20.0, 2.0),
            p(40.0, false, true, 40.0, 4.0),
            p(80.0, false, false, 50.0, 5.0),
        ];
        assert_eq!(
            edge(&pts, |p| p.meets),
            Some(Edge {
                last_good_per_sec: 20.0,
                first_bad_per_sec: 40.0
            })
        );
        assert_eq!(
            edge(&pts, |p| p.responding).unwrap().first_bad_per_sec,
            80.0
        );
        // Bad from the first point: no edge to report.
        assert_eq!(edge(&pts[2..], |p| p.meets), None);
    }

    #[test]
    fn cost_slope_is_one_when_cost_follows_the_load_and_zero_for_a_fixed_fleet() {
        // Cost = 0.1 x throughput: ln cost = ln 0.1 + ln x, slope 1.
        let linear = [
            p(10.0, true, true, 10.0, 1.0),
            p(20.0, true, true, 20.0, 2.0),
            p(40.0, true, true, 40.0, 4.0),
        ];
        assert!((cost_slope(&linear).unwrap() - 1.0).abs() < 1e-12);
        let fixed = [
            p(10.0, true, true, 10.0, 3.0),
            p(20.0, true, true, 20.0, 3.0),
            p(40.0, true, true, 40.0, 3.0),
        ];
        assert_eq!(cost_slope(&fixed), Some(0.0));
        assert_eq!(cost_slope(&fixed[..2]), None);
    }
}
