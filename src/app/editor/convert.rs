//! Pure conversions between the file's values and what the editor shows: texts,
//! spans, hours, labels, ladders and default targets. Nothing here draws.

use crate::model::autoscale::Metric;
use crate::model::autoscale::hpa::MetricTarget;
use crate::model::instance::InstanceType;
use crate::model::timepoint::TimePoint;
use crate::model::workload::{Burst, Demand, RateProfile};

/// Seconds for `hours`, to the millisecond (typed hours such as 1.1 are not exact in
/// binary, and 3960.0000000000005 s would be written to the file).
pub(super) fn hours_to_secs(hours: f64) -> f64 {
    (hours * 3_600_000.0).round() / 1000.0
}

/// The time point `secs` after the start.
pub(super) fn after_start(secs: f64) -> Option<TimePoint> {
    TimePoint::try_from(span_text(secs)).ok()
}

/// `secs` written as a time point after the start: `"+1h30m"`, `"+45s"`, `"+0s"`.
pub(super) fn span_text(secs: f64) -> String {
    let s = if secs.is_finite() && secs > 0.0 {
        secs.round() as u64
    } else {
        0
    };
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::from("+");
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || s == 0 {
        out.push_str(&format!("{sec}s"));
    }
    out
}

/// How arrivals come: `"Poisson"`, `"in batches of 4 on average"`.
pub(super) fn burst_text(burst: &Burst) -> String {
    match burst {
        Burst::None => "Poisson".into(),
        Burst::Batch { mean_size } => format!("in batches of {mean_size} on average"),
        Burst::Mmpp { high_factor, .. } => format!("bursts at {high_factor}x the curve"),
    }
}

/// `"LogNormal, mean 50 ms"`.
pub(super) fn demand_text(d: &Demand) -> String {
    let kind = match d {
        Demand::Constant { .. } => "Constant",
        Demand::Exponential { .. } => "Exponential",
        Demand::LogNormal { .. } => "LogNormal",
        Demand::Pareto { .. } => "Pareto",
        Demand::HyperExponential { .. } => "HyperExponential",
        Demand::Empirical { .. } => "Empirical",
    };
    let mean = d.mean_secs();
    if mean < 1.0 {
        format!("{kind}, mean {:.3} s ({:.0} ms)", mean, mean * 1000.0)
    } else {
        format!("{kind}, mean {mean:.2} s")
    }
}

/// `n` points `[hours after the start, requests per second]` over the run.
pub(super) fn preview_points(profile: &RateProfile, duration_secs: f64, n: usize) -> Vec<[f64; 2]> {
    if !(duration_secs.is_finite() && duration_secs > 0.0) || n < 2 {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let t = duration_secs * i as f64 / (n - 1) as f64;
            [t / 3600.0, profile.rate_at(t)]
        })
        .collect()
}

/// `"m5.large · 2 vCPU · $0.096/h"`.
pub(super) fn instance_label(t: &InstanceType) -> String {
    format!(
        "{} · {} vCPU · ${}/h",
        t.name,
        t.vcpus,
        price_text(t.price_usd_per_hour)
    )
}

/// A price per hour with three decimals, four when the fourth matters (t3 prices).
pub(super) fn price_text(p: f64) -> String {
    let mut s = format!("{p:.4}");
    if s.ends_with('0') {
        s.pop();
    }
    s
}

/// The value a policy should hold `metric` at when nothing better is known.
pub(super) fn default_target(metric: Metric) -> f64 {
    match metric {
        Metric::Cpu => 0.6,
        Metric::RequestsPerTarget => 20.0,
        Metric::QueuePerInstance => 3.0,
        Metric::LatencyP95 => 0.3,
    }
}

/// A sensible drag speed for a value of `metric`.
pub(super) fn metric_speed(metric: Metric) -> f64 {
    match metric {
        Metric::Cpu | Metric::LatencyP95 => 0.01,
        Metric::RequestsPerTarget | Metric::QueuePerInstance => 0.1,
    }
}

/// An HPA target on `metric` of the type Kubernetes uses for it.
pub(super) fn hpa_target(metric: Metric, target: f64) -> MetricTarget {
    match metric {
        Metric::Cpu => MetricTarget::Utilization { metric, target },
        Metric::LatencyP95 => MetricTarget::Value { metric, target },
        Metric::RequestsPerTarget | Metric::QueuePerInstance => {
            MetricTarget::AverageValue { metric, target }
        }
    }
}

/// The metric and target of an HPA target on a per-instance or latency metric (`None`
/// for a pool-wide total, whose metric is not a [`Metric`]).
pub(super) fn hpa_parts(t: &mut MetricTarget) -> Option<(&mut Metric, &mut f64)> {
    match t {
        MetricTarget::Utilization { metric, target }
        | MetricTarget::AverageValue { metric, target }
        | MetricTarget::Value { metric, target } => Some((metric, target)),
        MetricTarget::PoolAverageValue { .. } => None,
    }
}

/// A step's bounds relative to the threshold: `"+0..+0.2"`, `"+0.2.."`, `"..-0.1"`.
pub(super) fn bounds_text(lower: Option<f64>, upper: Option<f64>) -> String {
    let b = |v: Option<f64>| v.map(|v| format!("{v:+}")).unwrap_or_default();
    format!("{}..{}", b(lower), b(upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::editor::test_design;
    use crate::model::catalog::Catalog;

    /// The rate preview's samples (as the workload section draws it).
    const PREVIEW_SAMPLES: usize = 400;

    #[test]
    fn the_preview_samples_the_profile_over_the_run() {
        let d = test_design();
        let s = d.scenario.as_ref().unwrap();
        let pts = preview_points(&s.profile, 64800.0, PREVIEW_SAMPLES);
        assert_eq!(pts.len(), PREVIEW_SAMPLES);
        assert_eq!(pts[0], [0.0, s.profile.rate_at(0.0)]);
        assert_eq!(pts[PREVIEW_SAMPLES - 1], [18.0, s.profile.rate_at(64800.0)]);
        let peak = pts.iter().map(|p| p[1]).fold(0.0, f64::max);
        assert!(peak > 800.0 && peak <= 900.0, "{peak}");
        assert!(preview_points(&s.profile, 0.0, 10).is_empty());
    }

    #[test]
    fn spans_and_hours_are_written_as_the_file_expects() {
        assert_eq!(span_text(5400.0), "+1h30m");
        assert_eq!(span_text(45.0), "+45s");
        assert_eq!(span_text(0.0), "+0s");
        assert_eq!(span_text(3600.0), "+1h");
        for s in [0.0, 45.0, 5400.0, 16200.0, 86461.0] {
            assert!(after_start(s).is_some(), "{s}");
        }
        assert_eq!(hours_to_secs(1.1), 3960.0);
        assert_eq!(hours_to_secs(18.0), 64800.0);
    }

    #[test]
    fn instance_types_read_like_the_catalog() {
        let catalog = Catalog::builtin().unwrap();
        let m5 = catalog.get("m5.large").unwrap();
        assert_eq!(instance_label(m5), "m5.large · 2 vCPU · $0.096/h");
        assert_eq!(price_text(0.0416), "0.0416");
        assert_eq!(bounds_text(Some(0.0), Some(0.2)), "+0..+0.2");
        assert_eq!(bounds_text(None, Some(-0.1)), "..-0.1");
    }
}
