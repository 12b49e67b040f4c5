//! What the three AWS EC2 Auto Scaling policies (target tracking, step and simple scaling)
//! share: CloudWatch alarms over one-minute datapoints, adjustment types and their
//! rounding, the checks AWS applies when a policy is created, and the wording of reasons.
//!
//! Sources: the EC2 Auto Scaling user guide's pages on step and simple scaling
//! (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html>),
//! target tracking
//! (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html>)
//! and CloudWatch alarm evaluation
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{Metric, Observation, Readiness, Recommendation};
use crate::model::config::ConfigError;

/// CloudWatch's alarm period for these policies, in seconds: one datapoint per minute
/// (detailed monitoring; basic monitoring would be 300 s).
pub const DATAPOINT_SECS: f64 = 60.0;

/// Longest alarm evaluation range accepted, in datapoints: CloudWatch limits
/// `EvaluationPeriods * Period` to one day.
const MAX_EVALUATION_PERIODS: u32 = 1440;

/// How an adjustment changes the group's capacity (AWS `AdjustmentType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdjustmentType {
    /// Add (or, negative, remove) this many instances: current 3, adjustment 5 -> 8.
    #[default]
    ChangeInCapacity,
    /// Set the capacity to this many instances: current 3, adjustment 5 -> 5.
    ExactCapacity,
    /// Add (or remove) this percentage of the current capacity: current 10, adjustment
    /// 10 -> 11. Fractions round as AWS documents: above 1 down (12.7 -> 12), between 0
    /// and 1 up to 1, between -1 and 0 to -1, below -1 toward zero (-6.67 -> -6).
    PercentChangeInCapacity,
}

/// The default delivery lag of a CloudWatch 1-minute datapoint, seconds.
pub(crate) fn default_lag_secs() -> f64 {
    60.0
}

/// Which side of its threshold a policy acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// Scale-out: the metric is at or above the threshold.
    Above,
    /// Scale-in: the metric is at or below the threshold.
    Below,
}

/// The delivery lag of a datapoint: seconds, zero or more.
pub(crate) fn check_lag(lag_secs: f64) -> Result<(), ConfigError> {
    crate::model::config::non_negative("lag_secs", lag_secs)
}

/// A CloudWatch alarm's threshold and "N out of M" shape, for the policy at `field`.
pub(crate) fn check_alarm(
    field: &str,
    threshold: f64,
    datapoints: Option<u32>,
    evaluation_periods: u32,
) -> Result<(), ConfigError> {
    if !threshold.is_finite() {
        return Err(ConfigError::invalid(
            format!("{field}.threshold"),
            format!("must be a finite number, got {threshold}"),
        ));
    }
    if evaluation_periods == 0 || evaluation_periods > MAX_EVALUATION_PERIODS {
        return Err(ConfigError::invalid(
            format!("{field}.evaluation_periods"),
            format!(
                "must be 1..={MAX_EVALUATION_PERIODS} (one-minute datapoints, at most a \
                 day), got {evaluation_periods}"
            ),
        ));
    }
    let n = datapoints.unwrap_or(evaluation_periods);
    if n == 0 || n > evaluation_periods {
        return Err(ConfigError::invalid(
            format!("{field}.datapoints"),
            format!("must be 1..=evaluation_periods ({evaluation_periods}), got {n}"),
        ));
    }
    Ok(())
}

/// `min_adjustment_magnitude` of the policy at `field`: only for percentages, at least 1.
pub(crate) fn check_magnitude(
    field: &str,
    kind: AdjustmentType,
    min_magnitude: Option<u32>,
) -> Result<(), ConfigError> {
    let at = format!("{field}.min_adjustment_magnitude");
    match min_magnitude {
        Some(_) if kind != AdjustmentType::PercentChangeInCapacity => Err(ConfigError::invalid(
            at,
            format!("applies only to PercentChangeInCapacity (this policy uses {kind:?})"),
        )),
        Some(0) => Err(ConfigError::invalid(
            at,
            "must be at least 1 (omit it for none)",
        )),
        _ => Ok(()),
    }
}

/// Scale-out adjustments add and scale-in adjustments remove; an exact capacity is a
/// capacity, so never negative. `field` is the adjustment's own path.
pub(crate) fn check_adjustment_sign(
    field: &str,
    kind: AdjustmentType,
    adjustment: i32,
    side: Side,
) -> Result<(), ConfigError> {
    let ok = match (kind, side) {
        (AdjustmentType::ExactCapacity, _) => adjustment >= 0,
        (_, Side::Above) => adjustment >= 0,
        (_, Side::Below) => adjustment <= 0,
    };
    if ok {
        return Ok(());
    }
    let expected = match (kind, side) {
        (AdjustmentType::ExactCapacity, _) => "a capacity >= 0",
        (_, Side::Above) => "a change >= 0 (scale-out adds capacity)",
        (_, Side::Below) => "a change <= 0 (scale-in removes capacity)",
    };
    Err(ConfigError::invalid(
        field,
        format!("is {adjustment}: expected {expected}"),
    ))
}

/// Both alarms breaching at once would make the group flap between them.
pub(crate) fn check_threshold_order(out: f64, inn: f64) -> Result<(), ConfigError> {
    if inn > out {
        Err(ConfigError::invalid(
            "scale_in.threshold",
            format!(
                "{inn} is above scale_out.threshold {out}: a metric between them would \
                 breach both alarms"
            ),
        ))
    } else {
        Ok(())
    }
}

/// Rounds to a billionth, so that arithmetic noise does not move a value across a bound a
/// person wrote (0.6 - 0.5 is 0.09999999999999998 in floating point, but means 0.1).
pub(crate) fn snap(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// AWS's rounding of a non-integer percentage change: values greater than 1 round down,
/// between 0 and 1 to 1, between -1 and 0 to -1, less than -1 up (toward zero).
pub(crate) fn round_percent_change(change: f64) -> i64 {
    let x = snap(change);
    if x >= 1.0 {
        x.floor() as i64
    } else if x > 0.0 {
        1
    } else if x == 0.0 {
        0
    } else if x > -1.0 {
        -1
    } else {
        x.ceil() as i64
    }
}

/// The capacity an adjustment asks for, from `base` instances (before min/max).
pub(crate) fn adjusted_capacity(
    base: u32,
    kind: AdjustmentType,
    adjustment: i32,
    min_magnitude: Option<u32>,
) -> i64 {
    let base = i64::from(base);
    match kind {
        AdjustmentType::ChangeInCapacity => base + i64::from(adjustment),
        AdjustmentType::ExactCapacity => i64::from(adjustment),
        AdjustmentType::PercentChangeInCapacity => {
            let mut change = round_percent_change(base as f64 * f64::from(adjustment) / 100.0);
            // MinAdjustmentMagnitude lifts a small change, never a zero one (an
            // "unchanged" step stays unchanged).
            if let Some(m) = min_magnitude.map(i64::from)
                && change != 0
                && change.abs() < m
            {
                change = m * change.signum();
            }
            base + change
        }
    }
}

/// An adjustment in words: "+2", "-10%", "exactly 5".
pub(crate) fn describe_adjustment(kind: AdjustmentType, adjustment: i32) -> String {
    match kind {
        AdjustmentType::ChangeInCapacity => format!("{adjustment:+}"),
        AdjustmentType::PercentChangeInCapacity => format!("{adjustment:+}%"),
        AdjustmentType::ExactCapacity => format!("exactly {adjustment}"),
    }
}

/// The last datapoints CloudWatch holds for a policy's alarms (`None`: missing).
#[derive(Clone, Debug, Default)]
pub(crate) struct Datapoints {
    values: VecDeque<Option<f64>>,
    keep: usize,
}

impl Datapoints {
    /// Holds the last `keep` datapoints.
    pub(crate) fn new(keep: u32) -> Datapoints {
        Datapoints {
            values: VecDeque::new(),
            keep: keep.max(1) as usize,
        }
    }

    pub(crate) fn push(&mut self, value: Option<f64>) {
        if self.values.len() == self.keep {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    /// Whether at least `n` of the last `m` datapoints breach. A missing datapoint does
    /// not breach: missing data is never read as high or low.
    pub(crate) fn alarm(&self, n: u32, m: u32, breaches: impl Fn(f64) -> bool) -> bool {
        let breaching = self
            .values
            .iter()
            .rev()
            .take(m as usize)
            .filter(|v| v.is_some_and(&breaches))
            .count();
        breaching >= n as usize
    }

    /// How many of the latest datapoints breach in a row.
    pub(crate) fn run(&self, breaches: impl Fn(f64) -> bool) -> usize {
        self.values
            .iter()
            .rev()
            .take_while(|v| v.is_some_and(&breaches))
            .count()
    }
}

/// Scale-ins whose effect the datapoints may not show yet.
///
/// AWS counts instances that are terminating as part of the current capacity while it
/// scales in, so that "we don't remove more instances than necessary". The policy does
/// not see terminating instances; it sees datapoints, and a datapoint whose minute began
/// before a scale-in describes the capacity before it. So while such a datapoint decides,
/// the capacity before that scale-in is the base of the next one.
#[derive(Clone, Debug, Default)]
pub(crate) struct RecentScaleIns(Vec<(f64, u32)>);

impl RecentScaleIns {
    pub(crate) fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        if to < from {
            self.0.push((now_secs, from));
        }
    }

    /// The capacity the datapoint measured over the minute from `window_start_secs`
    /// describes for scaling in: the largest capacity before a scale-in inside or after
    /// that minute, else `current`.
    pub(crate) fn base(&mut self, current: u32, window_start_secs: f64) -> u32 {
        self.0.retain(|&(at, _)| at > window_start_secs);
        self.0.iter().map(|&(_, from)| from).fold(current, u32::max)
    }
}

/// The start (seconds after the run start) of the minute the datapoint seen at `now_secs`
/// was measured over.
pub(crate) fn window_start_secs(now_secs: f64, lag_secs: f64) -> f64 {
    now_secs - lag_secs - DATAPOINT_SECS
}

/// Instances launched by a scale-out that are not yet past their warm-up (booting or
/// warming): AWS leaves them out of the metric and out of the capacity a scale-out
/// counts from, and lets no scale-in start while there are any.
pub(crate) fn warming_up(obs: &Observation) -> u32 {
    obs.count(Readiness::Booting) + obs.count(Readiness::Warming)
}

/// "cpu 81%".
pub(crate) fn describe(metric: Metric, v: f64) -> String {
    format!("{} {}", metric.label(), metric.format(v))
}

/// "1 instance" / "4 instances".
pub(crate) fn instances(n: u32) -> String {
    if n == 1 {
        "1 instance".into()
    } else {
        format!("{n} instances")
    }
}

/// A recommendation that keeps the current capacity (within min/max), with the metric
/// and threshold that were looked at.
pub(crate) fn hold(
    obs: &Observation,
    raw: i64,
    value: Option<f64>,
    threshold: Option<f64>,
    reason: String,
) -> Recommendation {
    Recommendation {
        desired: obs.current.clamp(obs.min, obs.max),
        raw_desired: to_capacity(raw),
        metric_value: value,
        target: threshold,
        reason,
    }
}

/// A recommendation for capacity `wanted` (before min/max), formula result `raw`, with
/// the reason `why` completed by what happens: "why: 10 -> 14", "why: at max 40".
pub(crate) fn change(
    obs: &Observation,
    raw: i64,
    wanted: i64,
    value: Option<f64>,
    threshold: Option<f64>,
    why: &str,
) -> Recommendation {
    let (min, max, current) = (obs.min, obs.max, obs.current);
    let desired = to_capacity(wanted).clamp(min, max);
    let limit = if wanted > i64::from(max) {
        format!("at max {max}")
    } else if wanted < i64::from(min) {
        format!("at min {min}")
    } else {
        String::new()
    };
    let reason = match (desired == current, limit.is_empty()) {
        (false, true) => format!("{why}: {current} -> {desired}"),
        (false, false) => format!("{why}: {current} -> {desired} (asked {wanted}, {limit})"),
        (true, false) => format!("{why}: {limit}"),
        (true, true) => format!("{why}: hold {current}"),
    };
    Recommendation {
        desired,
        raw_desired: to_capacity(raw),
        metric_value: value,
        target: threshold,
        reason,
    }
}

fn to_capacity(x: i64) -> u32 {
    u32::try_from(x.max(0)).unwrap_or(u32::MAX)
}

/// Observations for the AWS policies' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::super::{InstanceSample, Observation, Readiness};

    /// A pool at `now_secs` with `ready` instances past warm-up reporting `cpu`,
    /// `warming` in service but warming up (reporting 100 % CPU, which must not count)
    /// and `booting` not serving yet. Desired capacity = all of them; bounds 1..=40.
    pub(crate) fn observe(
        now_secs: f64,
        cpu: Option<f64>,
        ready: u32,
        warming: u32,
        booting: u32,
    ) -> Observation {
        let sample = |readiness, cpu| InstanceSample {
            readiness,
            age_secs: 600.0,
            cpu,
            requests_per_sec: None,
            queue: None,
            workers: 1,
        };
        let mut instances = Vec::new();
        instances.extend((0..ready).map(|_| sample(Readiness::Ready, cpu)));
        instances.extend((0..warming).map(|_| sample(Readiness::Warming, Some(1.0))));
        instances.extend((0..booting).map(|_| sample(Readiness::Booting, None)));
        Observation {
            now_secs,
            week_secs: now_secs,
            current: ready + warming + booting,
            min: 1,
            max: 40,
            instances,
            latency_p95_secs: None,
            arrivals_per_sec: None,
            boot_secs: 90.0,
        }
    }
}
