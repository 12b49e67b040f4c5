//! AWS EC2 Auto Scaling **target tracking**
//! (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html>).
//!
//! You give a metric and a target value; Auto Scaling creates two CloudWatch alarms and
//! moves capacity in proportion to the metric: `capacity * metric / target`, the change
//! rounded up when adding and down when removing ("we act conservatively": adding 1.5
//! instances adds 2, removing 1.5 removes 1).
//!
//! What is documented, and followed here:
//! - One datapoint per 60 s period; missing data leaves the alarms in INSUFFICIENT_DATA,
//!   which never scales and is never read as low utilisation.
//! - Scale-in is less eager than scale-out: only when the metric is "far enough below the
//!   target value (usually more than 10% lower)". `disable_scale_in` turns it off.
//! - Instance warm-up: instances still warming up are left out of the metric (the
//!   [`Observation::ready_average`] already leaves them out); "while scaling out, Amazon
//!   EC2 Auto Scaling considers instances that are warming up as part of the current
//!   capacity", so a breach that asks for the same capacity again adds nothing and a
//!   larger one adds only the difference; and scale-in is blocked while the warm-up of a
//!   scale-out is in progress.
//!
//! What is *observed behaviour, not contract* (seen in the auto-created
//! `TargetTracking-...-AlarmHigh/AlarmLow` alarms as third parties describe them, not in
//! AWS's guides), so
//! it is configurable: the scale-out alarm wants 3 datapoints above the target in 3
//! minutes, the scale-in alarm 15 datapoints below `0.9 * target` in 15 minutes (ratios
//! between 0.7 and 0.9 have been observed).
//!
//! Simulator choices, where AWS says nothing:
//! - Scale-out counts from the instances past their warm-up, whose average the metric is:
//!   `ceil(ready * metric / target)`, kept only if above the desired capacity (which
//!   already holds the warming ones).
//! - The exact rounding is not published; the documented examples fix it as: scale-out
//!   adds `ceil` of the proportional change, scale-in removes `floor` of its size (so the
//!   new capacity is `ceil(capacity * metric / target)` either way).
//! - Scale-in counts from the desired capacity, but while the deciding datapoint was
//!   measured before a recent scale-in it counts from the capacity before it, as AWS
//!   counts instances that are terminating: a late datapoint does not remove twice.

use serde::{Deserialize, Serialize};

use super::aws::{
    DATAPOINT_SECS, Datapoints, RecentScaleIns, change, check_lag, default_lag_secs, describe,
    hold, instances, snap, warming_up, window_start_secs,
};
use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Metric, Observation, Readiness, Recommendation};
use crate::model::config::{self, ConfigError};

/// Longest alarm accepted, in datapoints (CloudWatch: at most a day of 1-minute periods).
const MAX_DATAPOINTS: u32 = 1440;

/// Target tracking: keep `metric` near `target` (`autoscale: TargetTracking(metric: Cpu,
/// target: 0.6)`).
///
/// Checked by `validate` when the scenario is loaded: a bad value is an error that names
/// its field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingConfig {
    /// The metric to track: the average over instances past their warm-up. It should
    /// fall as capacity grows (CPU, requests per instance); `LatencyP95` is accepted but
    /// is not proportional to capacity, so expect a rougher ride.
    pub metric: Metric,
    /// The value to hold the metric at, in its unit: `Cpu` as a fraction (0.6 for 60 %),
    /// `RequestsPerTarget` in requests per second per instance, `QueuePerInstance` in
    /// requests, `LatencyP95` in seconds.
    pub target: f64,
    /// Seconds between the end of a datapoint's minute and the moment the alarms see it
    /// (default 60: CloudWatch delivers a 1-minute datapoint about a minute late).
    #[serde(default = "default_lag_secs")]
    pub lag_secs: f64,
    /// Consecutive datapoints above `target` before scaling out (default 3: the observed
    /// "3 datapoints within 3 minutes" AlarmHigh; not documented by AWS).
    #[serde(default = "default_high")]
    pub alarm_high_datapoints: u32,
    /// Consecutive datapoints below `target * scale_in_ratio` before scaling in (default
    /// 15: the observed "15 datapoints within 15 minutes" AlarmLow; not documented).
    #[serde(default = "default_low")]
    pub alarm_low_datapoints: u32,
    /// Where the scale-in alarm sits, as a fraction of `target`, in (0, 1] (default 0.9:
    /// AWS says "usually more than 10% lower"; 0.7 to 0.9 has been observed).
    #[serde(default = "default_ratio")]
    pub scale_in_ratio: f64,
    /// Never remove capacity (AWS `DisableScaleIn`, default false).
    #[serde(default)]
    pub disable_scale_in: bool,
}

fn default_high() -> u32 {
    3
}
fn default_low() -> u32 {
    15
}
fn default_ratio() -> f64 {
    0.9
}

impl TargetTrackingConfig {
    /// A configuration with AWS's defaults for everything but the metric and target.
    pub fn new(metric: Metric, target: f64) -> TargetTrackingConfig {
        TargetTrackingConfig {
            metric,
            target,
            lag_secs: default_lag_secs(),
            alarm_high_datapoints: default_high(),
            alarm_low_datapoints: default_low(),
            scale_in_ratio: default_ratio(),
            disable_scale_in: false,
        }
    }

    /// Checks the values describe a policy AWS would accept.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::positive("target", self.target)?;
        check_lag(self.lag_secs)?;
        for (field, n) in [
            ("alarm_high_datapoints", self.alarm_high_datapoints),
            ("alarm_low_datapoints", self.alarm_low_datapoints),
        ] {
            if n == 0 || n > MAX_DATAPOINTS {
                return Err(ConfigError::invalid(
                    field,
                    format!("must be 1..={MAX_DATAPOINTS} (one-minute datapoints), got {n}"),
                ));
            }
        }
        if !(self.scale_in_ratio > 0.0 && self.scale_in_ratio <= 1.0) {
            return Err(ConfigError::invalid(
                "scale_in_ratio",
                format!(
                    "must be in (0, 1] (a fraction of the target), got {}",
                    self.scale_in_ratio
                ),
            ));
        }
        Ok(())
    }

    fn scale_in_threshold(&self) -> f64 {
        self.target * self.scale_in_ratio
    }
}

/// The target tracking policy: see the module docs.
#[derive(Debug)]
pub struct TargetTracking {
    config: TargetTrackingConfig,
    datapoints: Datapoints,
    scale_ins: RecentScaleIns,
}

impl TargetTracking {
    /// A policy with no datapoints yet; fails if the configuration is invalid.
    pub fn new(config: TargetTrackingConfig) -> Result<TargetTracking, ConfigError> {
        config.validate()?;
        let keep = config
            .alarm_high_datapoints
            .max(config.alarm_low_datapoints);
        Ok(TargetTracking {
            config,
            datapoints: Datapoints::new(keep),
            scale_ins: RecentScaleIns::default(),
        })
    }
}

impl Autoscaler for TargetTracking {
    fn name(&self) -> &'static str {
        "target-tracking"
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
        let c = &self.config;
        let (metric, target, low) = (c.metric, c.target, c.scale_in_threshold());
        let value = obs.ready_average(metric);
        self.datapoints.push(value);
        let base_in = self
            .scale_ins
            .base(obs.current, window_start_secs(obs.now_secs, c.lag_secs));
        let current = obs.current;
        let Some(v) = value else {
            return hold(
                obs,
                i64::from(current),
                None,
                Some(target),
                "insufficient data: hold".into(),
            );
        };
        // The managed alarms: GreaterThanThreshold on the target, LessThanThreshold on
        // the scale-in threshold, every datapoint of the range breaching.
        let (n_high, n_low) = (c.alarm_high_datapoints, c.alarm_low_datapoints);
        let high = |x: f64| snap(x - target) > 0.0;
        let is_low = |x: f64| snap(x - low) < 0.0;
        let warming = warming_up(obs);

        if self.datapoints.alarm(n_high, n_high, high) {
            let ready = obs.count(Readiness::Ready);
            let raw = snap(f64::from(ready) * v / target).ceil() as i64;
            let why = format!(
                "{} > target {} for {n_high} datapoints",
                describe(metric, v),
                metric.format(target)
            );
            if raw <= i64::from(current) {
                // The warming instances already in the desired capacity cover what the
                // metric asks for.
                let reason = if warming > 0 {
                    format!(
                        "{why}: {ready} in service need {raw}, {current} already set \
                         ({} warming up)",
                        instances(warming)
                    )
                } else {
                    format!("{why}: {ready} in service need {raw}, hold {current}")
                };
                return hold(obs, raw, Some(v), Some(target), reason);
            }
            return change(obs, raw, raw, Some(v), Some(target), &why);
        }

        if self.datapoints.alarm(n_low, n_low, is_low) {
            // "Act conservatively": remove the proportional change rounded down
            // (-1.5 -> -1), i.e. keep the proportional capacity rounded up.
            let exact = snap(f64::from(base_in) * v / target);
            let raw = i64::from(base_in) - (f64::from(base_in) - exact).floor() as i64;
            let why = format!(
                "{} < {} ({} x target {}) for {n_low} datapoints",
                describe(metric, v),
                metric.format(low),
                c.scale_in_ratio,
                metric.format(target)
            );
            if c.disable_scale_in {
                return hold(
                    obs,
                    raw,
                    Some(v),
                    Some(target),
                    format!("{why}: scale-in disabled, hold {current}"),
                );
            }
            if warming > 0 {
                return hold(
                    obs,
                    raw,
                    Some(v),
                    Some(target),
                    format!("scale-in blocked: {} still warming up", instances(warming)),
                );
            }
            if raw >= i64::from(current) {
                // Only when the datapoint predates a scale-in that already removed what
                // it asks for.
                return hold(
                    obs,
                    raw,
                    Some(v),
                    Some(target),
                    format!(
                        "{why}: measured on {base_in} before the last scale-in, {raw} \
                         already enough, hold {current}"
                    ),
                );
            }
            return change(obs, raw, raw, Some(v), Some(target), &why);
        }

        // No alarm: say how far the metric is from one.
        let why = if high(v) {
            format!(
                "{} > target {} for {} of {n_high} datapoints",
                describe(metric, v),
                metric.format(target),
                self.datapoints.run(high)
            )
        } else if is_low(v) {
            format!(
                "{} < {} for {} of {n_low} datapoints",
                describe(metric, v),
                metric.format(low),
                self.datapoints.run(is_low)
            )
        } else {
            format!(
                "{} within {}..{} of target",
                describe(metric, v),
                metric.format(low),
                metric.format(target)
            )
        };
        hold(
            obs,
            i64::from(current),
            Some(v),
            Some(target),
            format!("{why}: hold {current}"),
        )
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        self.scale_ins.applied(now_secs, from, to);
    }
}

impl PolicyConfig for TargetTrackingConfig {
    /// CPU at 60 %, AWS's defaults for the rest.
    fn example(_pool: &PoolContext<'_>) -> Self {
        TargetTrackingConfig::new(Metric::Cpu, 0.6)
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        TargetTrackingConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(TargetTracking::new(self.clone())?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::aws::testing::observe;
    use super::*;

    fn ron_options() -> ron::Options {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
    }

    fn cpu_60() -> TargetTracking {
        TargetTracking::new(TargetTrackingConfig::new(Metric::Cpu, 0.6)).unwrap()
    }

    /// Feeds the same observation at `from_secs`, +60, ... `n` times; returns the last
    /// answer.
    fn feed(
        p: &mut TargetTracking,
        n: u32,
        from_secs: f64,
        cpu: f64,
        ready: u32,
    ) -> Recommendation {
        let mut last = None;
        for i in 0..n {
            let now = from_secs + 60.0 * f64::from(i);
            last = Some(p.evaluate(&observe(now, Some(cpu), ready, 0, 0)));
        }
        last.unwrap()
    }

    #[test]
    fn scales_out_after_three_datapoints_proportionally_rounding_up() {
        let mut p = cpu_60();
        // Two datapoints at 81 % are not yet an alarm.
        let r = feed(&mut p, 2, 60.0, 0.81, 10);
        assert_eq!(r.desired, 10);
        assert_eq!(
            r.reason,
            "cpu 81% > target 60% for 2 of 3 datapoints: hold 10"
        );
        // The third: 10 * 0.81 / 0.6 = 13.5 -> up to 14.
        let r = p.evaluate(&observe(180.0, Some(0.81), 10, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (14, 14));
        assert_eq!(r.reason, "cpu 81% > target 60% for 3 datapoints: 10 -> 14");
        // The average of ten 0.81 samples, up to float noise.
        assert!((r.metric_value.unwrap() - 0.81).abs() < 1e-12);
        assert_eq!(r.target, Some(0.6));
    }

    #[test]
    fn rounds_up_out_and_down_in_as_documented() {
        // "Adding 1.5 -> add 2": 3 instances at 90 % with target 60 % need
        // 3 * 0.9 / 0.6 = 4.5, i.e. +1.5 -> +2 -> 5.
        let mut p = cpu_60();
        let r = feed(&mut p, 3, 60.0, 0.9, 3);
        assert_eq!(r.desired, 5, "{}", r.reason);
        // "Removing 1.5 -> remove 1": 3 instances at 30 % need 3 * 0.3 / 0.6 = 1.5,
        // i.e. -1.5 -> -1 -> 2.
        let mut p = cpu_60();
        let r = feed(&mut p, 15, 60.0, 0.3, 3);
        assert_eq!((r.desired, r.raw_desired), (2, 2), "{}", r.reason);
    }

    #[test]
    fn exact_target_multiples_do_not_round_by_float_noise() {
        // 10 * 0.9 / 0.6 is 15.000000000000002 in floating point; it means 15.
        let mut p = cpu_60();
        let r = feed(&mut p, 3, 60.0, 0.9, 10);
        assert_eq!(r.desired, 15, "{}", r.reason);
    }

    #[test]
    fn scales_in_after_fifteen_low_datapoints_rounding_down() {
        let mut p = cpu_60();
        // 14 datapoints at 40 % (< 54 % = 0.9 x 60 %) are not enough.
        let r = feed(&mut p, 14, 60.0, 0.4, 14);
        assert_eq!(r.desired, 14);
        assert_eq!(r.reason, "cpu 40% < 54% for 14 of 15 datapoints: hold 14");
        // The 15th: 14 * 0.4 / 0.6 = 9.33, a change of -4.67, rounded down in size to
        // -4 -> 10.
        let r = p.evaluate(&observe(900.0, Some(0.4), 14, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (10, 10));
        assert_eq!(
            r.reason,
            "cpu 40% < 54% (0.9 x target 60%) for 15 datapoints: 14 -> 10"
        );
    }

    #[test]
    fn between_the_alarms_it_holds() {
        let mut p = cpu_60();
        // 57 % is below the target but above 54 %: no alarm however long it lasts.
        let r = feed(&mut p, 30, 60.0, 0.57, 10);
        assert_eq!((r.desired, r.raw_desired), (10, 10));
        assert_eq!(r.reason, "cpu 57% within 54%..60% of target: hold 10");
        // Exactly at the target is not above it (GreaterThanThreshold).
        let r = feed(&mut p, 5, 1860.0, 0.6, 10);
        assert_eq!(r.desired, 10);
    }

    #[test]
    fn missing_data_holds_and_breaks_the_streak() {
        let mut p = cpu_60();
        feed(&mut p, 2, 60.0, 0.9, 10);
        // No ready instance reported: INSUFFICIENT_DATA, never read as low.
        let r = p.evaluate(&observe(180.0, None, 10, 0, 0));
        assert_eq!(
            (r.desired, r.reason.as_str()),
            (10, "insufficient data: hold")
        );
        // The gap broke the run: one more high datapoint is 1 of 3, not an alarm.
        let r = p.evaluate(&observe(240.0, Some(0.9), 10, 0, 0));
        assert_eq!(r.desired, 10, "{}", r.reason);
        // Missing data is never low: 20 missing datapoints never scale in.
        let mut p = cpu_60();
        for i in 0..20 {
            let r = p.evaluate(&observe(60.0 * f64::from(i), None, 10, 0, 0));
            assert_eq!(r.desired, 10);
        }
    }

    #[test]
    fn warming_instances_count_toward_capacity_not_the_metric() {
        let mut p = cpu_60();
        let r = feed(&mut p, 3, 60.0, 0.81, 10);
        assert_eq!(r.desired, 14);
        p.applied(180.0, 10, 14);
        // Next minute: the 10 ready still at 81 % (the 4 booting serve nobody yet):
        // 10 * 1.35 = 13.5 -> 14, already set -> hold, not 14 * 1.35 = 19.
        let r = p.evaluate(&observe(240.0, Some(0.81), 10, 0, 4));
        assert_eq!((r.desired, r.raw_desired), (14, 14));
        assert_eq!(
            r.reason,
            "cpu 81% > target 60% for 3 datapoints: 10 in service need 14, 14 already \
             set (4 instances warming up)"
        );
        // Warming instances report 100 % (see `observe`) but are left out: the metric is
        // the ready ones' 81 %. The load grows to 96 % on the ready ones: 10 * 1.6 = 16,
        // so only the difference, 2, is added.
        let r = p.evaluate(&observe(300.0, Some(0.96), 10, 4, 0));
        assert!((r.metric_value.unwrap() - 0.96).abs() < 1e-12);
        assert_eq!(r.desired, 16, "{}", r.reason);
    }

    #[test]
    fn scale_in_is_blocked_while_a_scale_out_warms_up() {
        let mut p = cpu_60();
        feed(&mut p, 14, 60.0, 0.3, 10);
        // 15th low datapoint, but 4 instances are warming up: 14 * 0.3 / 0.6 = 7 asked,
        // held.
        let r = p.evaluate(&observe(900.0, Some(0.3), 10, 4, 0));
        assert_eq!((r.desired, r.raw_desired), (14, 7), "{}", r.reason);
        assert_eq!(r.reason, "scale-in blocked: 4 instances still warming up");
        // Warm-up over: 14 * 0.5 = 7.
        let r = p.evaluate(&observe(960.0, Some(0.3), 14, 0, 0));
        assert_eq!(r.desired, 7, "{}", r.reason);
    }

    #[test]
    fn disable_scale_in_never_removes() {
        let mut c = TargetTrackingConfig::new(Metric::Cpu, 0.6);
        c.disable_scale_in = true;
        let mut p = TargetTracking::new(c).unwrap();
        // 15 datapoints at 10 %: 10 * 0.1 / 0.6 = 1.67, -8.33 -> -8 -> 2 asked, held at 10.
        let r = feed(&mut p, 15, 60.0, 0.1, 10);
        assert_eq!((r.desired, r.raw_desired), (10, 2));
        assert!(
            r.reason.ends_with("scale-in disabled, hold 10"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn a_late_datapoint_does_not_scale_in_twice() {
        let mut p = cpu_60();
        // t = 900: 15 datapoints at 40 % on 14 -> 14 * 0.4 / 0.6 = 9.33, -4.67 -> -4 -> 10.
        let r = feed(&mut p, 15, 60.0, 0.4, 14);
        assert_eq!(r.desired, 10);
        p.applied(900.0, 14, 10);
        // t = 960: the datapoint covers 840..900 s, before the scale-in, and still says
        // 40 %: measured on 14 it asks 10 again, already set -> hold (on 10 it would
        // wrongly ask 10 * 0.667 = 6.67 -> 7).
        let r = p.evaluate(&observe(960.0, Some(0.4), 10, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (10, 10), "{}", r.reason);
        assert!(
            r.reason.contains("measured on 14 before the last scale-in"),
            "{}",
            r.reason
        );
        // t = 1020: the datapoint covers 900..960 s, after it: the 10 now run at
        // 14 * 0.4 / 10 = 56 %, above the 54 % threshold: the low alarm is over.
        let r = p.evaluate(&observe(1020.0, Some(0.56), 10, 0, 0));
        assert_eq!(r.desired, 10, "{}", r.reason);
    }

    #[test]
    fn never_beyond_min_or_max() {
        let mut p = cpu_60();
        // 38 at 90 %: 38 * 1.5 = 57 -> max 40.
        let r = feed(&mut p, 3, 60.0, 0.9, 38);
        assert_eq!((r.desired, r.raw_desired), (40, 57));
        assert_eq!(
            r.reason,
            "cpu 90% > target 60% for 3 datapoints: 38 -> 40 (asked 57, at max 40)"
        );
        let r = p.evaluate(&observe(240.0, Some(0.9), 40, 0, 0));
        assert_eq!(r.desired, 40);
        assert_eq!(r.reason, "cpu 90% > target 60% for 3 datapoints: at max 40");
        // 4 at 6 % with min 2: 4 * 0.06 / 0.6 = 0.4, -3.6 -> -3 -> 1, below min -> 2.
        let mut p = cpu_60();
        let mut last = None;
        for i in 0..15 {
            let mut obs = observe(60.0 * f64::from(i), Some(0.06), 4, 0, 0);
            obs.min = 2;
            last = Some(p.evaluate(&obs));
        }
        let r = last.unwrap();
        assert_eq!((r.desired, r.raw_desired), (2, 1), "{}", r.reason);
    }

    #[test]
    fn config_shape_defaults_and_errors() {
        let c: TargetTrackingConfig = ron_options()
            .from_str("(metric: Cpu, target: 0.6)")
            .unwrap();
        assert_eq!(c, TargetTrackingConfig::new(Metric::Cpu, 0.6));
        // Defaults: lag 60 s, 3 high / 15 low datapoints, scale-in below 0.9 x target.
        assert_eq!(
            (c.lag_secs, c.alarm_high_datapoints, c.alarm_low_datapoints),
            (60.0, 3, 15)
        );
        assert_eq!((c.scale_in_ratio, c.disable_scale_in), (0.9, false));
        let back: TargetTrackingConfig = ron_options()
            .from_str(&ron::ser::to_string(&c).unwrap())
            .unwrap();
        assert_eq!(back, c);
        let p = TargetTracking::new(c).unwrap();
        assert_eq!((p.name(), p.period_secs()), ("target-tracking", 60.0));
        assert_eq!(p.window_secs(), (60.0, 60.0));

        // What a scenario loader reports: RON's error, else the configuration's check.
        let err = |text: &str| match ron_options().from_str::<TargetTrackingConfig>(text) {
            Err(e) => e.to_string(),
            Ok(c) => c.validate().unwrap_err().to_string(),
        };
        assert!(err("(metric: Cpu, target: 0)").contains("target: must be"));
        assert!(err("(metric: Cpu, target: 0.6, scale_in_ratio: 1.2)").contains("scale_in_ratio"));
        assert!(
            err("(metric: Cpu, target: 0.6, alarm_low_datapoints: 0)")
                .contains("alarm_low_datapoints: must be")
        );
        assert!(err("(metric: Cpu, target: 0.6, cooldown_secs: 60)").contains("cooldown_secs"));
    }

    #[test]
    fn the_design_example_parses_inside_a_pool_enum() {
        // As a pool's `autoscale:` field would hold it, if the scenario's enum wraps this
        // config in a newtype variant and reads RON with `unwrap_variant_newtypes`.
        #[derive(Debug, Deserialize)]
        enum Autoscale {
            TargetTracking(TargetTrackingConfig),
        }
        let opts = ron_options()
            .with_default_extension(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
        let Autoscale::TargetTracking(c) = opts
            .from_str::<Autoscale>("TargetTracking(metric: Cpu, target: 0.6)")
            .unwrap();
        assert_eq!(c.target, 0.6);
    }
}
