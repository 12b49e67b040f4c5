//! Means and 95% confidence intervals of independent replications (Student's t), the
//! figures a batch reports for each headline metric.

use serde::{Deserialize, Serialize};

/// Two-sided 95% critical values of Student's t, t(0.975, df), for df = 1..=30, then
/// 40, 60, 120 and infinity (NIST/SEMATECH e-Handbook of Statistical Methods, table
/// 1.3.6.7.2, <https://www.itl.nist.gov/div898/handbook/eda/section3/eda3672.htm>).
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];
const T_975_TAIL: [(f64, f64); 4] = [
    (40.0, 2.021),
    (60.0, 2.000),
    (120.0, 1.980),
    (f64::INFINITY, 1.960),
];

/// t(0.975, df): from the table up to 30 degrees of freedom, then interpolated linearly
/// in 1/df between 30, 40, 60, 120 and infinity (the table's own advice; off by under
/// 0.001). `df = 0` has no interval: infinity.
pub fn t_975(df: u64) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= 30 {
        return T_975[df as usize - 1];
    }
    let x = 1.0 / df as f64;
    let mut lo = (30.0, T_975[29]);
    for hi in T_975_TAIL {
        if (df as f64) <= hi.0 {
            let (x0, x1) = (1.0 / lo.0, 1.0 / hi.0);
            return lo.1 + (hi.1 - lo.1) * (x0 - x) / (x0 - x1);
        }
        lo = hi;
    }
    1.960
}

/// A metric over independent replications: its mean and the half-width of its 95%
/// Student-t confidence interval (`mean ± ci95`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The mean over the replications.
    pub mean: f64,
    /// Half the width of the 95% interval: `t(0.975, n-1) × s / sqrt(n)` (0 with one
    /// replication, which has no spread to measure; see `n`).
    pub ci95: f64,
    /// How many replications.
    pub n: u64,
}

impl Estimate {
    /// The estimate from the replications' values.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len() as u64;
        if n == 0 {
            return Estimate::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate { mean, ci95: 0.0, n };
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        Estimate {
            mean,
            ci95: t_975(n - 1) * (var / n as f64).sqrt(),
            n,
        }
    }

    /// The half-width relative to the mean (infinite for a zero mean with a spread).
    pub fn relative_ci95(&self) -> f64 {
        if self.ci95 == 0.0 {
            0.0
        } else {
            self.ci95 / self.mean.abs()
        }
    }
}

/// How many leading observations of `series` to drop as the initial transient, by
/// MSER-5 (K. P. White, "An effective truncation heuristic for bias reduction in
/// simulation output", Simulation 69(6), 1997; W. W. Franklin and K. P. White, "Stationarity
/// tests and MSER-5", Winter Simulation Conference 2008): average the series in batches
/// of 5, and drop the `d` first batches that minimise the squared standard error of the
/// rest, `sum((y_i − mean)²) / (n − d)²`, searching only the first half (a minimum past it
/// says the run is too short to tell). Returns observations, a multiple of 5.
pub fn mser5(series: &[f64]) -> usize {
    let batches: Vec<f64> = series
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    let n = batches.len();
    if n < 4 {
        return 0;
    }
    // Suffix sums make every candidate O(1): for the last m batches, the sum of squared
    // deviations is sum(y²) − (sum y)² / m.
    let (mut sum, mut sq) = (0.0, 0.0);
    let mut best = (f64::INFINITY, 0);
    let mut stats = vec![(0.0, 0.0); n + 1];
    for (i, y) in batches.iter().enumerate().rev() {
        sum += y;
        sq += y * y;
        stats[i] = (sum, sq);
    }
    for (d, &(s, q)) in stats.iter().enumerate().take(n / 2 + 1) {
        let m = (n - d) as f64;
        let ssd = (q - s * s / m).max(0.0);
        let score = ssd / (m * m);
        if score < best.0 {
            best = (score, d);
        }
    }
    best.1 * 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_values_match_the_table_and_interpolate_between_its_rows() {
        assert_eq!(t_975(1), 12.706);
        assert_eq!(t_975(9), 2.262);
        assert_eq!(t_975(30), 2.042);
        assert_eq!(t_975(40), 2.021);
        // df = 49 (50 replications): the exact value is 2.0096 (R: qt(0.975, 49)).
        assert!((t_975(49) - 2.0096).abs() < 0.001, "{}", t_975(49));
        // df = 99: 1.9842.
        assert!((t_975(99) - 1.9842).abs() < 0.001, "{}", t_975(99));
        assert!((t_975(1_000_000) - 1.96).abs() < 1e-4);
        assert!(t_975(0).is_infinite());
    }

    #[test]
    fn mser5_drops_a_transient_and_nothing_from_a_stationary_series() {
        // A queue filling from empty: 0, 1, ..., 99 over the first 100 observations, then
        // 100 ± 1 alternating for 900. The batches of the ramp lie far below the rest, so
        // MSER-5 drops them all (100 observations) and no more than a batch beyond.
        let mut series: Vec<f64> = (0..100).map(f64::from).collect();
        series.extend((0..900).map(|i| if i % 2 == 0 { 99.0 } else { 101.0 }));
        let d = mser5(&series);
        assert!((100..=105).contains(&d), "{d}");
        assert_eq!(d % 5, 0);
        // Stationary: nothing to drop.
        let flat: Vec<f64> = (0..1000).map(|i| f64::from(i % 7)).collect();
        assert!(mser5(&flat) <= 10, "{}", mser5(&flat));
        // Too short to judge.
        assert_eq!(mser5(&[1.0, 2.0, 3.0]), 0);
    }

    #[test]
    fn the_interval_of_a_known_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7 = 4.571, s = 2.138,
        // s / sqrt(8) = 0.756, t(0.975, 7) = 2.365: half-width 1.788.
        let e = Estimate::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!((e.mean, e.n), (5.0, 8));
        assert!((e.ci95 - 2.365 * (32.0f64 / 7.0 / 8.0).sqrt()).abs() < 1e-12);
        assert!((e.ci95 - 1.788).abs() < 0.001, "{}", e.ci95);
        assert!((e.relative_ci95() - 1.788 / 5.0).abs() < 0.001);
        // One value: a mean, no interval.
        assert_eq!(Estimate::of(&[3.0]).ci95, 0.0);
        assert_eq!(Estimate::of(&[]).n, 0);
    }
}
