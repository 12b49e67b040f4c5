//! AWS EC2 Auto Scaling **step scaling**
//! (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html>),
//! and the pieces the three AWS policies share: CloudWatch alarms over 60 s datapoints,
//! adjustment types and their rounding, and the wording of reasons.
//!
//! A step scaling policy is attached to a CloudWatch alarm you create. When the alarm is
//! in ALARM, the latest datapoint's distance from the alarm threshold picks one *step
//! adjustment* (bounds relative to the threshold) and its adjustment changes capacity.
//! There is no cooldown: the policy answers every alarm, even during a scaling activity.
//! What keeps it from adding the same instances twice is warm-up: "while scaling out, we
//! do not consider instances that are warming up as part of the current capacity", so a
//! second breach in the same step computes the same capacity and adds nothing, and a
//! larger step adds only the difference. Scaling in, instances that are terminating still
//! count as capacity, and "a scale-in activity can't start while a scale-out activity is
//! in progress".
//!
//! Here one [`StepScalingConfig`] holds the group's two step policies, one per direction,
//! each with its own alarm, as the guide's worked example does.

use serde::{Deserialize, Serialize};

pub use super::aws::AdjustmentType;
use super::aws::{
    DATAPOINT_SECS, Datapoints, RecentScaleIns, Side, adjusted_capacity, change,
    check_adjustment_sign, check_alarm, check_lag, check_magnitude, check_threshold_order,
    default_lag_secs, describe, describe_adjustment, hold, instances, snap, warming_up,
    window_start_secs,
};
use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Metric, Observation, Readiness, Recommendation};
use crate::model::config::ConfigError;

/// One step adjustment: when the metric's distance from the alarm threshold lies between
/// `lower` and `upper`, change capacity by `adjustment`.
///
/// Bounds are relative to the threshold and in the metric's unit (for `Cpu`, a fraction:
/// `0.1` is ten percentage points). An omitted bound is open (minus or plus infinity).
/// Above the threshold the lower bound is inclusive and the upper exclusive; below it the
/// lower bound is exclusive and the upper inclusive, as AWS defines them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepAdjustment {
    /// Lower bound, relative to the threshold (omitted: minus infinity).
    #[serde(default)]
    pub lower: Option<f64>,
    /// Upper bound, relative to the threshold (omitted: plus infinity).
    #[serde(default)]
    pub upper: Option<f64>,
    /// The change: instances, a percentage or an exact capacity, by the policy's
    /// `adjustment_type`. Positive for scale-out steps, negative (or 0) for scale-in.
    pub adjustment: i32,
}

/// One step scaling policy: its CloudWatch alarm and its step adjustments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPolicy {
    /// The alarm threshold, in the metric's unit (`Cpu`: 0.5 for 50 %). The scale-out
    /// alarm breaches when the metric is at or above it, the scale-in alarm when it is at
    /// or below it (`GreaterThanOrEqualToThreshold` / `LessThanOrEqualToThreshold`, which
    /// match the inclusive step bounds at the threshold).
    pub threshold: f64,
    /// Breaching datapoints needed to go to ALARM (`DatapointsToAlarm`, the N of "N out
    /// of M"; default: `evaluation_periods`, as in CloudWatch).
    #[serde(default)]
    pub datapoints: Option<u32>,
    /// Datapoints the alarm looks at (`EvaluationPeriods`, the M; default 1), one per
    /// 60 s period.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// How `adjustment` values are read (default `ChangeInCapacity`).
    #[serde(default)]
    pub adjustment_type: AdjustmentType,
    /// With `PercentChangeInCapacity` only: change by at least this many instances
    /// (`MinAdjustmentMagnitude`; default none).
    #[serde(default)]
    pub min_adjustment_magnitude: Option<u32>,
    /// The step adjustments: no gaps, no overlaps, covering every breach on this
    /// policy's side of the threshold.
    pub steps: Vec<StepAdjustment>,
}

/// Step scaling: a scale-out and a scale-in step policy on one metric
/// (`autoscale: StepScaling(metric: Cpu, scale_out: (...), scale_in: (...))`).
///
/// Checked by [`StepScalingConfig::validate`] when the scenario is loaded: a bad step is
/// an error that names its field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepScalingConfig {
    /// The metric the alarms watch: the average over instances past their warm-up.
    pub metric: Metric,
    /// Seconds between the end of a datapoint's minute and the moment the alarm sees it
    /// (default 60: CloudWatch delivers a 1-minute datapoint about a minute late).
    #[serde(default = "default_lag_secs")]
    pub lag_secs: f64,
    /// The policy that adds capacity (none: never scale out).
    #[serde(default)]
    pub scale_out: Option<StepPolicy>,
    /// The policy that removes capacity (none: never scale in).
    #[serde(default)]
    pub scale_in: Option<StepPolicy>,
}

fn one() -> u32 {
    1
}

impl StepScalingConfig {
    /// Checks the alarms and steps as AWS would when the policy is created.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_lag(self.lag_secs)?;
        if self.scale_out.is_none() && self.scale_in.is_none() {
            return Err(ConfigError::whole(
                "step scaling needs a scale_out or a scale_in policy (or both)",
            ));
        }
        if let Some(p) = &self.scale_out {
            p.validate("scale_out", Side::Above)?;
        }
        if let Some(p) = &self.scale_in {
            p.validate("scale_in", Side::Below)?;
        }
        if let (Some(o), Some(i)) = (&self.scale_out, &self.scale_in) {
            check_threshold_order(o.threshold, i.threshold)?;
        }
        Ok(())
    }
}

impl StepPolicy {
    fn validate(&self, field: &str, side: Side) -> Result<(), ConfigError> {
        check_alarm(
            field,
            self.threshold,
            self.datapoints,
            self.evaluation_periods,
        )?;
        check_magnitude(field, self.adjustment_type, self.min_adjustment_magnitude)?;
        for (i, s) in self.steps.iter().enumerate() {
            check_adjustment_sign(
                &format!("{field}.steps[{i}].adjustment"),
                self.adjustment_type,
                s.adjustment,
                side,
            )?;
        }
        validate_steps(field, &self.steps, side)
    }

    fn datapoints_to_alarm(&self) -> u32 {
        self.datapoints.unwrap_or(self.evaluation_periods)
    }
}

/// cover this policy's whole side of the threshold.
fn validate_steps(field: &str, steps: &[StepAdjustment], side: Side) -> Result<(), ConfigError> {
    let err = |msg: String| Err(ConfigError::invalid(format!("{field}.steps"), msg));
    if steps.is_empty() {
        return err("needs at least one step adjustment".into());
    }
    for (i, s) in steps.iter().enumerate() {
        for b in [s.lower, s.upper].into_iter().flatten() {
            if !b.is_finite() {
                return err(format!(
                    "steps[{i}] has bound {b}; omit a bound to make it open"
                ));
            }
        }
        match (s.lower, s.upper) {
            (None, None) => {
                return err(format!(
                    "steps[{i}] has neither a lower nor an upper bound; give it at least one"
                ));
            }
            (Some(l), Some(u)) if l >= u => {
                return err(format!(
                    "steps[{i}] has lower bound {l} not below its upper bound {u}"
                ));
            }
            _ => {}
        }
    }
    let open_lower: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].lower.is_none())
        .collect();
    if open_lower.len() > 1 {
        return err(format!(
            "only one step may have an open lower bound (minus infinity); steps{open_lower:?} do"
        ));
    }
    let open_upper: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].upper.is_none())
        .collect();
    if open_upper.len() > 1 {
        return err(format!(
            "only one step may have an open upper bound (plus infinity); steps{open_upper:?} do"
        ));
    }
    // Sorted by lower bound (the open one first), consecutive steps must meet exactly.
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| steps[i].lower.unwrap_or(f64::NEG_INFINITY);
        key(a).total_cmp(&key(b))
    });
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let b_lower = steps[b].lower.unwrap_or(f64::NEG_INFINITY);
        let Some(a_upper) = steps[a].upper else {
            return err(format!(
                "steps[{a}] runs to plus infinity, so it overlaps steps[{b}] (from {b_lower})"
            ));
        };
        if a_upper < b_lower {
            return err(format!(
                "gap between {a_upper} and {b_lower}: steps[{a}] ends at {a_upper}, the next \
                 step, steps[{b}], starts at {b_lower}"
            ));
        }
        if a_upper > b_lower {
            return err(format!(
                "steps[{a}] (up to {a_upper}) overlaps steps[{b}] (from {b_lower})"
            ));
        }
    }
    let (first, last) = match (order.first(), order.last()) {
        (Some(&f), Some(&l)) => (&steps[f], &steps[l]),
        _ => return err("needs at least one step adjustment".into()),
    };
    match side {
        Side::Above => {
            if let Some(l) = first.lower.filter(|&l| l > 0.0) {
                return err(format!(
                    "the lowest step starts at {l}, so a breach between 0 and {l} above the \
                     threshold finds no step; start it at 0"
                ));
            }
            if let Some(u) = last.upper {
                return err(format!(
                    "the highest step ends at {u}; leave its upper bound open so every \
                     breach above the threshold finds a step"
                ));
            }
        }
        Side::Below => {
            if let Some(u) = last.upper.filter(|&u| u < 0.0) {
                return err(format!(
                    "the highest step ends at {u}, so a breach between {u} and 0 below the \
                     threshold finds no step; end it at 0"
                ));
            }
            if let Some(l) = first.lower {
                return err(format!(
                    "the lowest step starts at {l}; leave its lower bound open so every \
                     breach below the threshold finds a step"
                ));
            }
        }
    }
    Ok(())
}

/// The step whose range holds `breach` (metric minus threshold), with AWS's inclusive /
/// exclusive bounds for the side of the threshold the policy acts on.
fn find_step(steps: &[StepAdjustment], breach: f64, side: Side) -> Option<&StepAdjustment> {
    steps.iter().find(|s| match side {
        Side::Above => s.lower.is_none_or(|l| breach >= l) && s.upper.is_none_or(|u| breach < u),
        Side::Below => s.lower.is_none_or(|l| breach > l) && s.upper.is_none_or(|u| breach <= u),
    })
}

/// The step scaling policy: see the module docs.
#[derive(Debug)]
pub struct StepScaling {
    config: StepScalingConfig,
    datapoints: Datapoints,
    scale_ins: RecentScaleIns,
}

impl StepScaling {
    /// A policy with no datapoints yet; fails if the configuration is invalid.
    pub fn new(config: StepScalingConfig) -> Result<StepScaling, ConfigError> {
        config.validate()?;
        let keep = [&config.scale_out, &config.scale_in]
            .into_iter()
            .flatten()
            .map(|p| p.evaluation_periods)
            .max()
            .unwrap_or(1);
        Ok(StepScaling {
            config,
            datapoints: Datapoints::new(keep),
            scale_ins: RecentScaleIns::default(),
        })
    }

    fn in_alarm(&self, policy: &StepPolicy, side: Side) -> bool {
        let t = policy.threshold;
        self.datapoints.alarm(
            policy.datapoints_to_alarm(),
            policy.evaluation_periods,
            |x| match side {
                Side::Above => snap(x - t) >= 0.0,
                Side::Below => snap(x - t) <= 0.0,
            },
        )
    }

    fn scale_out(&self, obs: &Observation, p: &StepPolicy, v: f64) -> Recommendation {
        let metric = self.config.metric;
        let breach = snap(v - p.threshold);
        let head = format!("{} >= {}", describe(metric, v), metric.format(p.threshold));
        let Some(step) = find_step(&p.steps, breach, Side::Above) else {
            // N of M alarms can be in ALARM while the latest datapoint is back below.
            return hold(
                obs,
                i64::from(obs.current),
                Some(v),
                Some(p.threshold),
                format!(
                    "scale-out alarm on, but {} is below {}: no step applies, hold {}",
                    describe(metric, v),
                    metric.format(p.threshold),
                    obs.current
                ),
            );
        };
        // Instances still warming up are not part of the capacity a scale-out counts
        // from; they are already in the desired capacity, so the same step again adds
        // nothing and a larger step adds the difference.
        let warming = warming_up(obs);
        let base = obs.count(Readiness::Ready);
        let raw = adjusted_capacity(
            base,
            p.adjustment_type,
            step.adjustment,
            p.min_adjustment_magnitude,
        );
        let step_words = describe_adjustment(p.adjustment_type, step.adjustment);
        let why = if p.adjustment_type == AdjustmentType::ExactCapacity {
            format!("{head}, step {step_words}")
        } else {
            format!("{head}, step {step_words} of {base} in service")
        };
        if raw <= i64::from(obs.current) {
            let already = if warming > 0 {
                format!(
                    "{} already set ({} warming up)",
                    obs.current,
                    instances(warming)
                )
            } else {
                format!("hold {}", obs.current)
            };
            return hold(
                obs,
                raw,
                Some(v),
                Some(p.threshold),
                format!("{why} asks {raw}: {already}"),
            );
        }
        change(obs, raw, raw, Some(v), Some(p.threshold), &why)
    }

    /// `base`: the capacity the datapoint describes (see [`RecentScaleIns`]).
    fn scale_in(&self, obs: &Observation, p: &StepPolicy, v: f64, base: u32) -> Recommendation {
        let metric = self.config.metric;
        let breach = snap(v - p.threshold);
        let head = format!("{} <= {}", describe(metric, v), metric.format(p.threshold));
        let Some(step) = find_step(&p.steps, breach, Side::Below) else {
            return hold(
                obs,
                i64::from(obs.current),
                Some(v),
                Some(p.threshold),
                format!(
                    "scale-in alarm on, but {} is above {}: no step applies, hold {}",
                    describe(metric, v),
                    metric.format(p.threshold),
                    obs.current
                ),
            );
        };
        let raw = adjusted_capacity(
            base,
            p.adjustment_type,
            step.adjustment,
            p.min_adjustment_magnitude,
        );
        let warming = warming_up(obs);
        if warming > 0 {
            return hold(
                obs,
                raw,
                Some(v),
                Some(p.threshold),
                format!("scale-in blocked: {} still warming up", instances(warming)),
            );
        }
        let step_words = describe_adjustment(p.adjustment_type, step.adjustment);
        let why = if p.adjustment_type == AdjustmentType::ExactCapacity {
            format!("{head}, step {step_words}")
        } else if base > obs.current {
            format!("{head}, step {step_words} of {base} (before the last scale-in)")
        } else {
            format!("{head}, step {step_words} of {base}")
        };
        if raw >= i64::from(obs.current) {
            return hold(
                obs,
                raw,
                Some(v),
                Some(p.threshold),
                format!("{why} asks {raw}: hold {}", obs.current),
            );
        }
        change(obs, raw, raw, Some(v), Some(p.threshold), &why)
    }
}

impl Autoscaler for StepScaling {
    fn name(&self) -> &'static str {
        "step-scaling"
    }

    fn measure(&self) -> Option<super::Measure> {
        Some(self.config.metric.measure())
    }

    fn period_secs(&self) -> f64 {
        DATAPOINT_SECS
    }

    fn window_secs(&self) -> (f64, f64) {
        (DATAPOINT_SECS, self.config.lag_secs)
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let metric = self.config.metric;
        let value = obs.ready_average(metric);
        self.datapoints.push(value);
        let base_in = self.scale_ins.base(
            obs.current,
            window_start_secs(obs.now_secs, self.config.lag_secs),
        );
        let Some(v) = value else {
            return hold(
                obs,
                i64::from(obs.current),
                None,
                None,
                "insufficient data: hold".into(),
            );
        };
        // Scale-out first: AWS lets no scale-in start while a scale-out is in progress,
        // and with both thresholds equal both alarms can breach at the threshold.
        if let Some(p) = &self.config.scale_out
            && self.in_alarm(p, Side::Above)
        {
            return self.scale_out(obs, p, v);
        }
        if let Some(p) = &self.config.scale_in
            && self.in_alarm(p, Side::Below)
        {
            return self.scale_in(obs, p, v, base_in);
        }
        let mut bounds = Vec::new();
        if let Some(p) = &self.config.scale_out {
            bounds.push(format!("out at >= {}", metric.format(p.threshold)));
        }
        if let Some(p) = &self.config.scale_in {
            bounds.push(format!("in at <= {}", metric.format(p.threshold)));
        }
        hold(
            obs,
            i64::from(obs.current),
            Some(v),
            None,
            format!(
                "{}, no alarm ({}): hold {}",
                describe(metric, v),
                bounds.join(", "),
                obs.current
            ),
        )
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        self.scale_ins.applied(now_secs, from, to);
    }
}

impl PolicyConfig for StepScalingConfig {
    /// On CPU: +1 instance from 60 %, +3 from 80 %; -1 at or below 30 %.
    fn example(_pool: &PoolContext<'_>) -> Self {
        let step = |lower, upper, adjustment| StepAdjustment {
            lower,
            upper,
            adjustment,
        };
        let policy = |threshold, steps| StepPolicy {
            threshold,
            datapoints: None,
            evaluation_periods: 1,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            min_adjustment_magnitude: None,
            steps,
        };
        StepScalingConfig {
            metric: Metric::Cpu,
            lag_secs: default_lag_secs(),
            scale_out: Some(policy(
                0.6,
                vec![step(Some(0.0), Some(0.2), 1), step(Some(0.2), None, 3)],
            )),
            scale_in: Some(policy(0.3, vec![step(None, Some(0.0), -1)])),
        }
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        StepScalingConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(StepScaling::new(self.clone())?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::aws::round_percent_change;
    use super::super::aws::testing::observe;
    use super::*;

    fn ron_options() -> ron::Options {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
    }

    /// The guide's example: threshold 50 %, PercentChangeInCapacity, steps
    /// [0,10) 0, [10,20) +10 %, [20,inf) +30 % and (-10,0] 0, (-20,-10] -10 %,
    /// (-inf,-20] -30 %, written as a user would write it.
    const DOC_EXAMPLE: &str = "(
        metric: Cpu,
        scale_out: (threshold: 0.5, adjustment_type: PercentChangeInCapacity, steps: [
            (lower: 0.0, upper: 0.1, adjustment: 0),
            (lower: 0.1, upper: 0.2, adjustment: 10),
            (lower: 0.2, adjustment: 30),
        ]),
        scale_in: (threshold: 0.5, adjustment_type: PercentChangeInCapacity, steps: [
            (lower: -0.1, upper: 0.0, adjustment: 0),
            (lower: -0.2, upper: -0.1, adjustment: -10),
            (upper: -0.2, adjustment: -30),
        ]),
    )";

    fn doc_policy() -> StepScaling {
        let config: StepScalingConfig = ron_options().from_str(DOC_EXAMPLE).unwrap();
        StepScaling::new(config).unwrap()
    }

    /// The error a scenario loader reports: RON's for what does not parse, else the
    /// configuration's own check.
    fn parse_err(text: &str) -> String {
        match ron_options().from_str::<StepScalingConfig>(text) {
            Err(e) => e.to_string(),
            Ok(c) => c.validate().unwrap_err().to_string(),
        }
    }

    #[test]
    fn doc_worked_example_10_11_14_13_10() {
        let mut p = doc_policy();
        // 60 %: breach +0.1 -> [0.1, 0.2) -> +10 % of 10 = 1 -> 11.
        let r = p.evaluate(&observe(60.0, Some(0.6), 10, 0, 0));
        assert_eq!(r.desired, 11, "{}", r.reason);
        assert_eq!(
            r.reason,
            "cpu 60% >= 50%, step +10% of 10 in service: 10 -> 11"
        );
        p.applied(60.0, 10, 11);
        // The new instance is past warm-up, 70 %: breach +0.2 -> [0.2, inf) -> +30 % of
        // 11 = 3.3 -> 3 (above 1 rounds down) -> 14.
        let r = p.evaluate(&observe(600.0, Some(0.7), 11, 0, 0));
        assert_eq!(r.desired, 14, "{}", r.reason);
        p.applied(600.0, 11, 14);
        // 40 %: breach -0.1 -> (-0.2, -0.1] -> -10 % of 14 = -1.4 -> -1 (below -1 rounds
        // toward zero) -> 13.
        let r = p.evaluate(&observe(1200.0, Some(0.4), 14, 0, 0));
        assert_eq!(r.desired, 13, "{}", r.reason);
        p.applied(1200.0, 14, 13);
        // Three minutes later the datapoint (window 1260..1320 s) is after the scale-in.
        // 30 %: breach -0.2 -> (-inf, -0.2] -> -30 % of 13 = -3.9 -> -3 -> 10.
        let r = p.evaluate(&observe(1380.0, Some(0.3), 13, 0, 0));
        assert_eq!(r.desired, 10, "{}", r.reason);
        // The average of thirteen 0.3 samples, up to float noise.
        assert!((r.metric_value.unwrap() - 0.3).abs() < 1e-12);
        assert_eq!(r.target, Some(0.5));
    }

    #[test]
    fn between_the_unchanged_steps_nothing_moves() {
        let mut p = doc_policy();
        // 55 %: breach +0.05 -> [0, 0.1) -> +0 % -> 10, hold.
        let r = p.evaluate(&observe(60.0, Some(0.55), 10, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (10, 10), "{}", r.reason);
        // 45 %: breach -0.05 -> (-0.1, 0] -> 0 -> hold.
        let r = p.evaluate(&observe(120.0, Some(0.45), 10, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (10, 10), "{}", r.reason);
        // Exactly 50 %: both alarms breach (>= and <=); scale-out's [0, 0.1) step wins: 0.
        let r = p.evaluate(&observe(180.0, Some(0.5), 10, 0, 0));
        assert_eq!(r.desired, 10, "{}", r.reason);
    }

    #[test]
    fn bounds_are_inclusive_on_the_threshold_side_as_documented() {
        let config: StepScalingConfig = ron_options().from_str(DOC_EXAMPLE).unwrap();
        let out = &config.scale_out.as_ref().unwrap().steps;
        let inn = &config.scale_in.as_ref().unwrap().steps;
        // Above: lower inclusive, upper exclusive: +0.1 is in [0.1, 0.2), not [0, 0.1).
        assert_eq!(find_step(out, 0.1, Side::Above).unwrap().adjustment, 10);
        // +0.2 is in [0.2, inf).
        assert_eq!(find_step(out, 0.2, Side::Above).unwrap().adjustment, 30);
        // Below: lower exclusive, upper inclusive: -0.1 is in (-0.2, -0.1], -0.2 in
        // (-inf, -0.2].
        assert_eq!(find_step(inn, -0.1, Side::Below).unwrap().adjustment, -10);
        assert_eq!(find_step(inn, -0.2, Side::Below).unwrap().adjustment, -30);
        // 0 below the threshold is in (-0.1, 0].
        assert_eq!(find_step(inn, 0.0, Side::Below).unwrap().adjustment, 0);
    }

    #[test]
    fn warming_instances_make_a_repeated_breach_a_single_activity() {
        // The guide's warm-up example: 60 % -> 11; then 62 % while the new instance warms
        // up: 10 % of 10 (warming not counted) = 1 -> 11, already desired -> no change;
        // then 70 % while it still warms: 30 % of 10 = 3 -> 13, so only 2 are added.
        let mut p = doc_policy();
        let r = p.evaluate(&observe(60.0, Some(0.6), 10, 0, 0));
        assert_eq!(r.desired, 11);
        p.applied(60.0, 10, 11);
        let r = p.evaluate(&observe(120.0, Some(0.62), 10, 1, 0));
        assert_eq!((r.desired, r.raw_desired), (11, 11), "{}", r.reason);
        assert!(r.reason.contains("1 instance warming up"), "{}", r.reason);
        let r = p.evaluate(&observe(180.0, Some(0.7), 10, 1, 0));
        assert_eq!(r.desired, 13, "{}", r.reason);
    }

    #[test]
    fn scale_in_waits_for_scale_out_warm_up() {
        let mut p = doc_policy();
        // 30 % asks -30 % of 12 = -3.6 -> -3 -> 9, but 2 instances still warm up.
        let r = p.evaluate(&observe(60.0, Some(0.3), 10, 1, 1));
        assert_eq!((r.desired, r.raw_desired), (12, 9), "{}", r.reason);
        assert_eq!(r.reason, "scale-in blocked: 2 instances still warming up");
    }

    #[test]
    fn a_datapoint_from_before_a_scale_in_does_not_remove_again() {
        let mut p = doc_policy();
        // 40 % at t = 600: -10 % of 14 = -1.4 -> -1 -> 13.
        let r = p.evaluate(&observe(600.0, Some(0.4), 14, 0, 0));
        assert_eq!(r.desired, 13);
        p.applied(600.0, 14, 13);
        // At t = 660 the datapoint covers 540..600 s (lag 60 s), before the scale-in: it
        // describes 14 instances, which count as the base (AWS counts terminating ones):
        // 14 - 1 = 13, already set -> hold.
        let r = p.evaluate(&observe(660.0, Some(0.4), 13, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (13, 13), "{}", r.reason);
        // At t = 720 the datapoint covers 600..660 s, after it; still 40 % on 13:
        // -10 % of 13 = -1.3 -> -1 -> 12.
        let r = p.evaluate(&observe(720.0, Some(0.4), 13, 0, 0));
        assert_eq!(r.desired, 12, "{}", r.reason);
    }

    #[test]
    fn adjustment_types_follow_the_documented_examples() {
        use AdjustmentType::*;
        // ChangeInCapacity: current 3, adjustment 5 -> 3 + 5 = 8.
        assert_eq!(adjusted_capacity(3, ChangeInCapacity, 5, None), 8);
        // ExactCapacity: current 3, adjustment 5 -> 5.
        assert_eq!(adjusted_capacity(3, ExactCapacity, 5, None), 5);
        // PercentChangeInCapacity: current 10, +10 % -> 10 + 1 = 11.
        assert_eq!(adjusted_capacity(10, PercentChangeInCapacity, 10, None), 11);
        // 10 % of 127 = 12.7 -> 12 (above 1 rounds down) -> 139.
        assert_eq!(
            adjusted_capacity(127, PercentChangeInCapacity, 10, None),
            139
        );
        // 25 % of 4 = 1, with MinAdjustmentMagnitude 2 -> +2 -> 6.
        assert_eq!(
            adjusted_capacity(4, PercentChangeInCapacity, 25, Some(2)),
            6
        );
        // -25 % of 4 = -1, with magnitude 2 -> -2 -> 2.
        assert_eq!(
            adjusted_capacity(4, PercentChangeInCapacity, -25, Some(2)),
            2
        );
        // A 0 % step stays 0 even with a minimum magnitude.
        assert_eq!(adjusted_capacity(4, PercentChangeInCapacity, 0, Some(2)), 4);
    }

    #[test]
    fn percent_rounding_follows_the_documented_examples() {
        // The guide's four examples.
        assert_eq!(round_percent_change(12.7), 12);
        assert_eq!(round_percent_change(0.67), 1);
        assert_eq!(round_percent_change(-0.58), -1);
        assert_eq!(round_percent_change(-6.67), -6);
        // Integers stay as they are.
        assert_eq!(round_percent_change(1.0), 1);
        assert_eq!(round_percent_change(-1.0), -1);
        assert_eq!(round_percent_change(0.0), 0);
        // Through capacities: 3 x 22 % = 0.66 -> 1; 3 x -19 % = -0.57 -> -1;
        // 29 x -23 % = -6.67 -> -6.
        assert_eq!(
            adjusted_capacity(3, AdjustmentType::PercentChangeInCapacity, 22, None),
            4
        );
        assert_eq!(
            adjusted_capacity(3, AdjustmentType::PercentChangeInCapacity, -19, None),
            2
        );
        assert_eq!(
            adjusted_capacity(29, AdjustmentType::PercentChangeInCapacity, -23, None),
            23
        );
    }

    #[test]
    fn never_beyond_min_or_max() {
        let mut p = doc_policy();
        // 90 % on 38: +30 % of 38 = 11.4 -> 11 -> 49, max 40.
        let r = p.evaluate(&observe(60.0, Some(0.9), 38, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (40, 49));
        assert_eq!(
            r.reason,
            "cpu 90% >= 50%, step +30% of 38 in service: 38 -> 40 (asked 49, at max 40)"
        );
        // Already at max 40: holds and says so.
        let r = p.evaluate(&observe(120.0, Some(0.9), 40, 0, 0));
        assert_eq!(r.desired, 40);
        assert!(r.reason.ends_with("at max 40"), "{}", r.reason);
        // 10 % on 3 with min 2: -30 % of 3 = -0.9 -> -1 -> 2; then on 2: -0.6 -> -1 -> 1,
        // below min 2 -> 2.
        let mut obs = observe(600.0, Some(0.1), 3, 0, 0);
        obs.min = 2;
        assert_eq!(p.evaluate(&obs).desired, 2);
        let mut obs = observe(900.0, Some(0.1), 2, 0, 0);
        obs.min = 2;
        let r = p.evaluate(&obs);
        assert_eq!((r.desired, r.raw_desired), (2, 1));
        assert!(r.reason.ends_with("at min 2"), "{}", r.reason);
    }

    #[test]
    fn n_out_of_m_datapoints_and_missing_data() {
        let text = "(metric: Cpu, scale_out: (threshold: 0.7, datapoints: 2, \
                    evaluation_periods: 3, steps: [(lower: 0.0, adjustment: 2)]))";
        let config: StepScalingConfig = ron_options().from_str(text).unwrap();
        let mut p = StepScaling::new(config).unwrap();
        // 80 %: 1 breaching of the last 3 -> no alarm.
        assert_eq!(p.evaluate(&observe(60.0, Some(0.8), 4, 0, 0)).desired, 4);
        // Missing: INSUFFICIENT_DATA, hold; the gap does not breach.
        let r = p.evaluate(&observe(120.0, None, 4, 0, 0));
        assert_eq!(
            (r.desired, r.reason.as_str()),
            (4, "insufficient data: hold")
        );
        // 80 % again: 2 breaching of [80, missing, 80] -> ALARM: 4 + 2 = 6.
        let r = p.evaluate(&observe(180.0, Some(0.8), 4, 0, 0));
        assert_eq!(r.desired, 6, "{}", r.reason);
    }

    #[test]
    fn config_defaults_and_round_trip() {
        let config: StepScalingConfig = ron_options()
            .from_str(
                "(metric: Cpu, scale_out: (threshold: 0.7, steps: [(lower: 0.0, adjustment: 1)]))",
            )
            .unwrap();
        assert_eq!(config.lag_secs, 60.0);
        assert!(config.scale_in.is_none());
        let out = config.scale_out.as_ref().unwrap();
        // EvaluationPeriods default 1, DatapointsToAlarm defaults to it.
        assert_eq!((out.evaluation_periods, out.datapoints_to_alarm()), (1, 1));
        assert_eq!(out.adjustment_type, AdjustmentType::ChangeInCapacity);
        let text = ron::ser::to_string(&config).unwrap();
        let back: StepScalingConfig = ron_options().from_str(&text).unwrap();
        assert_eq!(back, config);
        let p = StepScaling::new(config).unwrap();
        assert_eq!((p.period_secs(), p.window_secs()), (60.0, (60.0, 60.0)));
    }

    #[test]
    fn bad_steps_are_explained() {
        let gap = parse_err(
            "(metric: Cpu, scale_out: (threshold: 0.5, steps: [
                (lower: 0.0, upper: 0.1, adjustment: 1), (lower: 0.2, adjustment: 2)]))",
        );
        assert!(
            gap.contains("scale_out.steps: gap between 0.1 and 0.2"),
            "{gap}"
        );
        let overlap = parse_err(
            "(metric: Cpu, scale_out: (threshold: 0.5, steps: [
                (lower: 0.0, upper: 0.2, adjustment: 1), (lower: 0.1, adjustment: 2)]))",
        );
        assert!(overlap.contains("overlaps"), "{overlap}");
        let two_open = parse_err(
            "(metric: Cpu, scale_in: (threshold: 0.5, steps: [
                (upper: -0.1, adjustment: -1), (upper: 0.0, adjustment: -2)]))",
        );
        assert!(
            two_open.contains("only one step may have an open lower bound"),
            "{two_open}"
        );
        let uncovered = parse_err(
            "(metric: Cpu, scale_out: (threshold: 0.5, steps: [(lower: 0.1, adjustment: 1)]))",
        );
        assert!(uncovered.contains("start it at 0"), "{uncovered}");
        let closed_top = parse_err(
            "(metric: Cpu, scale_out: (threshold: 0.5, steps: [(lower: 0.0, upper: 0.3, adjustment: 1)]))",
        );
        assert!(
            closed_top.contains("leave its upper bound open"),
            "{closed_top}"
        );
        let sign = parse_err(
            "(metric: Cpu, scale_in: (threshold: 0.3, steps: [(upper: 0.0, adjustment: 1)]))",
        );
        assert!(
            sign.contains("scale_in.steps[0].adjustment: is 1"),
            "{sign}"
        );
        let magnitude = parse_err(
            "(metric: Cpu, scale_out: (threshold: 0.5, min_adjustment_magnitude: 2, \
             steps: [(lower: 0.0, adjustment: 1)]))",
        );
        assert!(
            magnitude.contains("only to PercentChangeInCapacity"),
            "{magnitude}"
        );
        let nothing = parse_err("(metric: Cpu)");
        assert!(
            nothing.contains("needs a scale_out or a scale_in"),
            "{nothing}"
        );
        let unknown = parse_err(
            "(metric: Cpu, cooldown_secs: 300, scale_out: (threshold: 0.5, steps: [(lower: 0.0, adjustment: 1)]))",
        );
        assert!(unknown.contains("cooldown_secs"), "{unknown}");
    }
}
