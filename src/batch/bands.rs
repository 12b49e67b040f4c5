//! Bands over time: the 5th, 50th and 95th percentile of each interval's figures across
//! a scenario's replications, so a time-varying run (the Monday ramp) gets an error band
//! over time, not only intervals on its totals. Written as `bands.csv`.

use std::fmt::Write;

use crate::metrics::{DropReason, IntervalRow};

/// A series that gets a band: its column (named as in `series.csv`), and how an
/// interval's row gives it.
pub struct Banded {
    /// Its column name in `series.csv`; `bands.csv` adds `_p5`, `_p50`, `_p95`.
    pub column: &'static str,
    /// How a row gives it.
    pub read: fn(&IntervalRow) -> f64,
}

const fn banded(column: &'static str, read: fn(&IntervalRow) -> f64) -> Banded {
    Banded { column, read }
}

fn pools_sum(r: &IntervalRow, f: fn(&crate::metrics::PoolRow) -> u32) -> f64 {
    r.pools.iter().map(|p| f64::from(f(p))).sum()
}

/// The series with bands: those the plots draw.
pub const BANDED: [Banded; 24] = [
    banded("offered_per_sec", |r| r.offered_per_sec),
    banded("arrivals_per_sec", IntervalRow::arrivals_per_sec),
    banded("capacity_per_sec", IntervalRow::capacity_per_sec),
    banded("latency_mean_secs", |r| r.latency.mean),
    banded("latency_p50_secs", |r| r.latency.p50),
    banded("latency_p95_secs", |r| r.latency.p95),
    banded("latency_p99_secs", |r| r.latency.p99),
    banded("within_slo", |r| r.within_slo),
    banded("instances_in_service", |r| {
        pools_sum(r, |p| p.snapshot.in_service)
    }),
    banded("instances_booting", |r| {
        pools_sum(r, |p| p.snapshot.booting)
    }),
    banded("instances_draining", |r| {
        pools_sum(r, |p| p.snapshot.draining)
    }),
    banded("instances_failed", |r| pools_sum(r, |p| p.snapshot.failed)),
    banded("desired", |r| pools_sum(r, |p| p.snapshot.desired)),
    banded("utilisation", |r| r.utilisation),
    banded("queue_total_mean", |r| r.queue_total_mean),
    banded("queue_per_instance_mean", |r| r.queue_per_instance_mean),
    banded("in_flight_mean", |r| r.in_flight_mean),
    banded("cost_usd_per_hour", IntervalRow::cost_usd_per_hour),
    banded("cost_cumulative_usd", |r| r.cost_cumulative_usd),
    banded("dropped_queue_full", |r| {
        r.drops[DropReason::QueueFull.index()] as f64
    }),
    banded("dropped_no_capacity", |r| {
        r.drops[DropReason::NoCapacity.index()] as f64
    }),
    banded("dropped_timeout", |r| {
        r.drops[DropReason::Timeout.index()] as f64
    }),
    banded("dropped_failure", |r| {
        r.drops[DropReason::Failure.index()] as f64
    }),
    banded("dropped_client_timeout", |r| {
        r.drops[DropReason::ClientTimeout.index()] as f64
    }),
];

/// One run's banded series: per interval, its start (seconds) and the [`BANDED`] values,
/// kept as `f32` (seven significant digits, ample for a band) so that a batch holds
/// 100 bytes per interval and run.
pub type RunSeries = Vec<(f64, [f32; BANDED.len()])>;

/// The banded series of a run's intervals.
pub fn series_of(rows: &[IntervalRow]) -> RunSeries {
    rows.iter()
        .map(|r| (r.start_secs, BANDED.each_ref().map(|b| (b.read)(r) as f32)))
        .collect()
}

/// The `q` quantile of `sorted` (ascending, not empty), interpolated between order
/// statistics as R's default (type 7) and NumPy's `linear` do: position `q (n - 1)`.
pub fn quantile(sorted: &[f32], q: f64) -> f32 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f32::NAN;
    };
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (f64::from(sorted[lo]), f64::from(sorted[hi]));
    (a + (h - lo as f64) * (b - a)) as f32
}

/// One interval's bands: its start, and for each [`BANDED`] series (p5, p50, p95).
#[derive(Clone, Debug, PartialEq)]
pub struct BandRow {
    /// The interval's start, seconds after the run start.
    pub time_secs: f64,
    /// (5th, 50th, 95th percentile) of each series, in [`BANDED`] order.
    pub values: [[f32; 3]; BANDED.len()],
}

/// The bands of a scenario's runs, interval by interval (over the intervals every run
/// has: runs of one scenario have the same).
pub fn bands(runs: &[&RunSeries]) -> Vec<BandRow> {
    let intervals = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    let mut column = Vec::with_capacity(runs.len());
    (0..intervals)
        .map(|i| BandRow {
            time_secs: runs[0][i].0,
            values: std::array::from_fn(|k| {
                column.clear();
                column.extend(runs.iter().map(|r| r[i].1[k]));
                column.sort_by(f32::total_cmp);
                [0.05, 0.5, 0.95].map(|q| quantile(&column, q))
            }),
        })
        .collect()
}

/// The header of `bands.csv`.
pub fn header() -> String {
    let mut h = String::from("index,scenario,time_secs");
    for b in &BANDED {
        for p in ["p5", "p50", "p95"] {
            let _ = write!(h, ",{}_{p}", b.column);
        }
    }
    h.push('\n');
    h
}

/// The rows of scenario `index` (named `scenario`) in `bands.csv`.
pub fn rows_csv(index: usize, scenario: &str, rows: &[BandRow]) -> String {
    // A name with a comma or quote is quoted, as csv writers do.
    let name = if scenario.contains([',', '"', '\n']) {
        format!("\"{}\"", scenario.replace('"', "\"\""))
    } else {
        scenario.to_owned()
    };
    let mut out = String::new();
    for r in rows {
        let _ = write!(out, "{index},{name},{}", r.time_secs);
        // The shortest text that reads back as the same f32: "0", "0.25", "871.4302".
        for v in &r.values {
            for x in v {
                let _ = write!(out, ",{x}");
            }
        }
        out.push('\n');
    }
    out
}

/// The scenario index a `bands.csv` row starts with (None for a line that has none).
pub fn row_index(line: &str) -> Option<usize> {
    line.split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_as_r_type_7() {
        // 1..=5: p50 is 3; p5 sits at 0.05 * 4 = 0.2 of the way from 1 to 2: 1.2;
        // p95 at 3.8: 4.8 (R: quantile(1:5, c(.05, .5, .95)) gives 1.2 3.0 4.8).
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((quantile(&xs, 0.05) - 1.2).abs() < 1e-6);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert!((quantile(&xs, 0.95) - 4.8).abs() < 1e-6);
        assert_eq!(quantile(&[7.0], 0.05), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn bands_take_each_interval_across_runs() {
        // Three runs, two intervals; the first series is 1, 2, 3 in interval 0 (in run
        // order 3, 1, 2) and 10, 20, 30 in interval 1: medians 2 and 20.
        let run = |a: f32, b: f32| -> RunSeries {
            vec![(0.0, [a; BANDED.len()]), (60.0, [b; BANDED.len()])]
        };
        let (r1, r2, r3) = (run(3.0, 30.0), run(1.0, 10.0), run(2.0, 20.0));
        let b = bands(&[&r1, &r2, &r3]);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].time_secs, 60.0);
        assert_eq!(b[0].values[0][1], 2.0);
        assert_eq!(b[1].values[0][1], 20.0);
        // p5 of 1, 2, 3: 1 + 0.1 = 1.1.
        assert!((b[0].values[0][0] - 1.1).abs() < 1e-6);
        let csv = rows_csv(3, "a,b", &b);
        assert!(csv.starts_with("3,\"a,b\",0,"), "{csv}");
        assert_eq!(row_index(&csv), Some(3));
        assert_eq!(
            header().split(',').count(),
            csv.lines().next().unwrap().split(',').count() - 1
        );
    }
}
