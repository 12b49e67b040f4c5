//! AWS EC2 Auto Scaling **simple scaling** with its cooldown
//! (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html>,
//! <https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scaling-cooldowns.html>).
//!
//! A simple scaling policy has one CloudWatch alarm and one adjustment (the same
//! adjustment types as step scaling). "After a scaling activity is started, the policy
//! must wait for the scaling activity or health check replacement to complete and the
//! cooldown period to expire before responding to additional alarms." The cooldown is
//! the group's `DefaultCooldown` (300 s) unless the policy sets its own `Cooldown`.
//! During it the alarms keep evaluating, but the policy ignores them; an alarm still on
//! when the cooldown ends acts at once.
//!
//! Here one [`SimpleScalingConfig`] holds the group's two simple policies, one per
//! direction; they share the group's cooldown, as in AWS.
//!
//! Simulator choices, where the guide leaves room:
//! - A scale-out activity completes when none of the instances it launched is booting any
//!   more. The policy looks once a minute, so when it first sees no booting instance it
//!   dates the completion at `launch + boot_secs` (never later than now): the cooldown is
//!   then counted from when the instances came into service, not from when the policy
//!   noticed. Any booting instance (a health-check replacement too) holds the policy.
//! - A scale-in activity completes when it is applied. AWS starts the cooldown only after
//!   the instances deregister from the load balancer; the policy does not see draining
//!   instances, so the cooldown can start up to a drain time early.

use serde::{Deserialize, Serialize};

use super::aws::{
    AdjustmentType, DATAPOINT_SECS, Datapoints, Side, adjusted_capacity, change,
    check_adjustment_sign, check_alarm, check_lag, check_magnitude, check_threshold_order,
    default_lag_secs, describe, describe_adjustment, hold, instances, snap,
};
use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Metric, Observation, Readiness, Recommendation};
use crate::model::config::{self, ConfigError};

/// One simple scaling policy: its CloudWatch alarm and its single adjustment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimplePolicy {
    /// The alarm threshold, in the metric's unit (`Cpu`: 0.7 for 70 %). The scale-out
    /// alarm breaches at or above it, the scale-in alarm at or below it.
    pub threshold: f64,
    /// Breaching datapoints needed to go to ALARM (`DatapointsToAlarm`, the N of "N out
    /// of M"; default: `evaluation_periods`, as in CloudWatch).
    #[serde(default)]
    pub datapoints: Option<u32>,
    /// Datapoints the alarm looks at (`EvaluationPeriods`, the M; default 1), one per
    /// 60 s period.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// How `adjustment` is read (default `ChangeInCapacity`).
    #[serde(default)]
    pub adjustment_type: AdjustmentType,
    /// The change: instances, a percentage or an exact capacity. Positive to scale out,
    /// negative to scale in.
    pub adjustment: i32,
    /// With `PercentChangeInCapacity` only: change by at least this many instances
    /// (`MinAdjustmentMagnitude`; default none).
    #[serde(default)]
    pub min_adjustment_magnitude: Option<u32>,
    /// This policy's cooldown in seconds, overriding the group's (`Cooldown`; default
    /// none).
    #[serde(default)]
    pub cooldown_secs: Option<f64>,
}

/// Simple scaling: a scale-out and a scale-in simple policy on one metric, with the
/// group's cooldown (`autoscale: SimpleScaling(metric: Cpu, scale_out: (threshold: 0.7,
/// adjustment: 2), scale_in: (threshold: 0.3, adjustment: -1))`).
///
/// Checked by `validate` when the scenario is loaded: a bad value is an error that names
/// its field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleScalingConfig {
    /// The metric the alarms watch: the average over in-service instances.
    pub metric: Metric,
    /// Seconds between the end of a datapoint's minute and the moment the alarm sees it
    /// (default 60: CloudWatch delivers a 1-minute datapoint about a minute late).
    #[serde(default = "default_lag_secs")]
    pub lag_secs: f64,
    /// Seconds after a scaling activity completes before the policies answer alarms
    /// again (the group's `DefaultCooldown`, default 300).
    #[serde(default = "default_cooldown_secs")]
    pub cooldown_secs: f64,
    /// The policy that adds capacity (none: never scale out).
    #[serde(default)]
    pub scale_out: Option<SimplePolicy>,
    /// The policy that removes capacity (none: never scale in).
    #[serde(default)]
    pub scale_in: Option<SimplePolicy>,
}

fn one() -> u32 {
    1
}

/// AWS's `DefaultCooldown`, seconds.
fn default_cooldown_secs() -> f64 {
    300.0
}

impl SimpleScalingConfig {
    /// Checks the alarms, adjustments and cooldowns as AWS would.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_lag(self.lag_secs)?;
        check_cooldown("cooldown_secs", self.cooldown_secs)?;
        if self.scale_out.is_none() && self.scale_in.is_none() {
            return Err(ConfigError::whole(
                "simple scaling needs a scale_out or a scale_in policy (or both)",
            ));
        }
        for (field, policy, side) in [
            ("scale_out", &self.scale_out, Side::Above),
            ("scale_in", &self.scale_in, Side::Below),
        ] {
            let Some(p) = policy else { continue };
            check_alarm(field, p.threshold, p.datapoints, p.evaluation_periods)?;
            check_magnitude(field, p.adjustment_type, p.min_adjustment_magnitude)?;
            check_adjustment_sign(
                &format!("{field}.adjustment"),
                p.adjustment_type,
                p.adjustment,
                side,
            )?;
            if let Some(c) = p.cooldown_secs {
                check_cooldown(&format!("{field}.cooldown_secs"), c)?;
            }
        }
        if let (Some(o), Some(i)) = (&self.scale_out, &self.scale_in) {
            check_threshold_order(o.threshold, i.threshold)?;
        }
        Ok(())
    }

    fn policy(&self, side: Side) -> Option<&SimplePolicy> {
        match side {
            Side::Above => self.scale_out.as_ref(),
            Side::Below => self.scale_in.as_ref(),
        }
    }
}

fn check_cooldown(field: &str, secs: f64) -> Result<(), ConfigError> {
    config::non_negative(field, secs)
}

/// A scaling activity the world applied and the policy has not yet seen complete.
#[derive(Clone, Copy, Debug)]
struct Activity {
    at_secs: f64,
    from: u32,
    to: u32,
}

/// The simple scaling policy: see the module docs.
#[derive(Debug)]
pub struct SimpleScaling {
    config: SimpleScalingConfig,
    datapoints: Datapoints,
    activity: Option<Activity>,
    /// Seconds after the start until which alarms are ignored.
    cooldown_until_secs: Option<f64>,
}

impl SimpleScaling {
    /// A policy with no datapoints and no cooldown yet; fails if the configuration is
    /// invalid.
    pub fn new(config: SimpleScalingConfig) -> Result<SimpleScaling, ConfigError> {
        config.validate()?;
        let keep = [&config.scale_out, &config.scale_in]
            .into_iter()
            .flatten()
            .map(|p| p.evaluation_periods)
            .max()
            .unwrap_or(1);
        Ok(SimpleScaling {
            config,
            datapoints: Datapoints::new(keep),
            activity: None,
            cooldown_until_secs: None,
        })
    }

    /// The alarm in ALARM now, scale-out first (both can breach at equal thresholds).
    fn alarm(&self) -> Option<(Side, &SimplePolicy)> {
        [Side::Above, Side::Below].into_iter().find_map(|side| {
            let p = self.config.policy(side)?;
            let t = p.threshold;
            let on = self.datapoints.alarm(
                p.datapoints.unwrap_or(p.evaluation_periods),
                p.evaluation_periods,
                |x| match side {
                    Side::Above => snap(x - t) >= 0.0,
                    Side::Below => snap(x - t) <= 0.0,
                },
            );
            on.then_some((side, p))
        })
    }

    /// When the cooldown after `a` ends, now that no instance is booting.
    fn cooldown_end(&self, a: Activity, obs: &Observation) -> f64 {
        let completed = if a.to > a.from {
            (a.at_secs + obs.boot_secs).clamp(a.at_secs, obs.now_secs.max(a.at_secs))
        } else {
            a.at_secs
        };
        let side = if a.to > a.from {
            Side::Above
        } else {
            Side::Below
        };
        let cooldown = self
            .config
            .policy(side)
            .and_then(|p| p.cooldown_secs)
            .unwrap_or(self.config.cooldown_secs);
        completed + cooldown
    }
}

impl Autoscaler for SimpleScaling {
    fn name(&self) -> &'static str {
        "simple-scaling"
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
        let current = obs.current;
        let value = obs.ready_average(metric);
        self.datapoints.push(value);
        let booting = obs.count(Readiness::Booting);
        if booting == 0
            && let Some(a) = self.activity.take()
        {
            self.cooldown_until_secs = Some(self.cooldown_end(a, obs));
        }
        if self
            .cooldown_until_secs
            .is_some_and(|until| obs.now_secs >= until)
        {
            self.cooldown_until_secs = None;
        }

        // The alarm evaluates whatever the policy then does with it.
        let fired = self.alarm().map(|(side, p)| {
            let raw = adjusted_capacity(
                current,
                p.adjustment_type,
                p.adjustment,
                p.min_adjustment_magnitude,
            );
            let sign = if side == Side::Above { ">=" } else { "<=" };
            let seen = value.map_or_else(
                || format!("{} (no datapoint now)", metric.label()),
                |v| describe(metric, v),
            );
            let why = format!(
                "{seen} {sign} {}, {}",
                metric.format(p.threshold),
                describe_adjustment(p.adjustment_type, p.adjustment)
            );
            (side, p.threshold, raw, why)
        });
        let raw_now = fired.as_ref().map_or(i64::from(current), |f| f.2);
        let threshold = fired.as_ref().map(|f| f.1);

        if booting > 0 {
            return hold(
                obs,
                raw_now,
                value,
                threshold,
                format!(
                    "scaling activity in progress: {} booting",
                    instances(booting)
                ),
            );
        }
        if let Some(until) = self.cooldown_until_secs {
            let ignored = fired
                .as_ref()
                .map_or(String::new(), |f| format!(" ({} ignored)", f.3));
            return hold(
                obs,
                raw_now,
                value,
                threshold,
                format!(
                    "cooldown until {} (+{until:.0} s){ignored}",
                    obs.clock_at(until)
                ),
            );
        }
        let Some((side, threshold, raw, why)) = fired else {
            let Some(v) = value else {
                return hold(obs, raw_now, None, None, "insufficient data: hold".into());
            };
            let mut bounds = Vec::new();
            if let Some(p) = &self.config.scale_out {
                bounds.push(format!("out at >= {}", metric.format(p.threshold)));
            }
            if let Some(p) = &self.config.scale_in {
                bounds.push(format!("in at <= {}", metric.format(p.threshold)));
            }
            return hold(
                obs,
                raw_now,
                Some(v),
                None,
                format!(
                    "{}, no alarm ({}): hold {current}",
                    describe(metric, v),
                    bounds.join(", ")
                ),
            );
        };
        // A scale-out policy only adds and a scale-in policy only removes, so an exact
        // capacity on the wrong side of the current one holds.
        let wanted = match side {
            Side::Above => raw.max(i64::from(current)),
            Side::Below => raw.min(i64::from(current)),
        };
        change(obs, raw, wanted, value, Some(threshold), &why)
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        if from != to {
            self.activity = Some(Activity {
                at_secs: now_secs,
                from,
                to,
            });
            // A new activity replaces any cooldown: it starts again when this completes.
            self.cooldown_until_secs = None;
        }
    }
}

impl PolicyConfig for SimpleScalingConfig {
    /// On CPU: +2 instances at or above 70 %, -1 at or below 30 %, the 300 s cooldown.
    fn example(_pool: &PoolContext<'_>) -> Self {
        let policy = |threshold, adjustment| SimplePolicy {
            threshold,
            datapoints: None,
            evaluation_periods: 1,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            adjustment,
            min_adjustment_magnitude: None,
            cooldown_secs: None,
        };
        SimpleScalingConfig {
            metric: Metric::Cpu,
            lag_secs: default_lag_secs(),
            cooldown_secs: default_cooldown_secs(),
            scale_out: Some(policy(0.7, 2)),
            scale_in: Some(policy(0.3, -1)),
        }
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        SimpleScalingConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(SimpleScaling::new(self.clone())?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::aws::testing::observe;
    use super::*;

    fn ron_options() -> ron::Options {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
    }

    /// +2 at >= 70 %, -1 at <= 30 %, default 300 s cooldown.
    fn policy() -> SimpleScaling {
        let config: SimpleScalingConfig = ron_options()
            .from_str(
                "(metric: Cpu, scale_out: (threshold: 0.7, adjustment: 2), \
                  scale_in: (threshold: 0.3, adjustment: -1))",
            )
            .unwrap();
        SimpleScaling::new(config).unwrap()
    }

    /// Runs the policy once a minute from t = 60 s to `until_secs` with the CPU at `cpu`
    /// on whatever capacity it sets; launched instances boot for 90 s (`observe`'s
    /// boot_secs). Returns the times and sizes of the changes it made.
    fn simulate(p: &mut SimpleScaling, start: u32, cpu: f64, until_secs: f64) -> Vec<(f64, u32)> {
        let mut capacity = start;
        let mut ready = start;
        let mut launched_at = 0.0;
        let mut changes = Vec::new();
        let mut now = 60.0;
        while now <= until_secs {
            if now - launched_at >= 90.0 {
                ready = capacity;
            }
            let booting = capacity.saturating_sub(ready);
            let r = p.evaluate(&observe(now, Some(cpu), ready, 0, booting));
            if r.desired != capacity {
                p.applied(now, capacity, r.desired);
                changes.push((now, r.desired));
                if r.desired > capacity {
                    launched_at = now;
                } else {
                    ready = r.desired;
                }
                capacity = r.desired;
            }
            now += 60.0;
        }
        changes
    }

    #[test]
    fn a_sustained_alarm_scales_once_per_cooldown() {
        let mut p = policy();
        // 80 % for 15 minutes. t = 60: 4 -> 6. The 2 boot until 150 s; the policy sees
        // them in service at 180 and dates completion at 60 + 90 = 150, so the cooldown
        // runs to 150 + 300 = 450: t = 480 is the next evaluation, 6 -> 8; it completes
        // at 570 and cools down to 870: t = 900, 8 -> 10. Three changes, not fifteen.
        let changes = simulate(&mut p, 4, 0.8, 960.0);
        assert_eq!(changes, vec![(60.0, 6), (480.0, 8), (900.0, 10)]);
    }

    #[test]
    fn cooldown_holds_alarms_then_expires() {
        let mut p = policy();
        let r = p.evaluate(&observe(60.0, Some(0.8), 4, 0, 0));
        assert_eq!(r.reason, "cpu 80% >= 70%, +2: 4 -> 6");
        p.applied(60.0, 4, 6);
        // t = 120: the 2 new instances still boot.
        let r = p.evaluate(&observe(120.0, Some(0.8), 4, 0, 2));
        assert_eq!((r.desired, r.raw_desired), (6, 8));
        assert_eq!(
            r.reason,
            "scaling activity in progress: 2 instances booting"
        );
        // t = 180: in service since 60 + 90 = 150; cooldown until 150 + 300 = 450.
        let r = p.evaluate(&observe(180.0, Some(0.8), 6, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (6, 8));
        assert_eq!(
            r.reason,
            "cooldown until Mon 00:07:30 (+450 s) (cpu 80% >= 70%, +2 ignored)"
        );
        // t = 420: still inside the cooldown.
        let r = p.evaluate(&observe(420.0, Some(0.8), 6, 0, 0));
        assert_eq!(r.desired, 6, "{}", r.reason);
        // t = 480 >= 450: the alarm, still on, acts: 6 + 2 = 8.
        let r = p.evaluate(&observe(480.0, Some(0.8), 6, 0, 0));
        assert_eq!(r.desired, 8, "{}", r.reason);
    }

    #[test]
    fn scale_in_cools_down_from_when_it_is_applied() {
        let mut p = policy();
        // 20 % at t = 60: 4 - 1 = 3; the cooldown runs from 60 to 360.
        let r = p.evaluate(&observe(60.0, Some(0.2), 4, 0, 0));
        assert_eq!(r.desired, 3);
        p.applied(60.0, 4, 3);
        let r = p.evaluate(&observe(300.0, Some(0.2), 3, 0, 0));
        assert_eq!(
            r.reason,
            "cooldown until Mon 00:06:00 (+360 s) (cpu 20% <= 30%, -1 ignored)"
        );
        // t = 360: the cooldown is over: 3 - 1 = 2.
        let r = p.evaluate(&observe(360.0, Some(0.2), 3, 0, 0));
        assert_eq!(r.desired, 2, "{}", r.reason);
    }

    #[test]
    fn a_policy_cooldown_overrides_the_default() {
        let config: SimpleScalingConfig = ron_options()
            .from_str(
                "(metric: Cpu, cooldown_secs: 600, \
                  scale_in: (threshold: 0.3, adjustment: -1, cooldown_secs: 120))",
            )
            .unwrap();
        let mut p = SimpleScaling::new(config).unwrap();
        assert_eq!(p.evaluate(&observe(60.0, Some(0.2), 4, 0, 0)).desired, 3);
        p.applied(60.0, 4, 3);
        // The scale-in policy's own 120 s, not the group's 600 s: until 180.
        let r = p.evaluate(&observe(120.0, Some(0.2), 3, 0, 0));
        assert_eq!(
            r.reason,
            "cooldown until Mon 00:03:00 (+180 s) (cpu 20% <= 30%, -1 ignored)"
        );
        assert_eq!(p.evaluate(&observe(180.0, Some(0.2), 3, 0, 0)).desired, 2);
    }

    #[test]
    fn a_replacement_booting_holds_the_policy_too() {
        let mut p = policy();
        // No activity of its own, but an instance is booting (health-check replacement).
        let r = p.evaluate(&observe(60.0, Some(0.9), 3, 0, 1));
        assert_eq!((r.desired, r.raw_desired), (4, 6));
        assert_eq!(r.reason, "scaling activity in progress: 1 instance booting");
    }

    #[test]
    fn adjustment_types_and_limits() {
        let config: SimpleScalingConfig = ron_options()
            .from_str(
                "(metric: Cpu, scale_out: (threshold: 0.7, adjustment_type: \
                  PercentChangeInCapacity, adjustment: 25, min_adjustment_magnitude: 2))",
            )
            .unwrap();
        let mut p = SimpleScaling::new(config).unwrap();
        // +25 % of 4 = 1, at least 2 -> 6.
        let r = p.evaluate(&observe(60.0, Some(0.9), 4, 0, 0));
        assert_eq!(r.desired, 6, "{}", r.reason);
        assert_eq!(r.reason, "cpu 90% >= 70%, +25%: 4 -> 6");
        // 39 instances: +25 % = 9.75 -> 9 -> 48, max 40.
        let mut p = policy_with(
            "(threshold: 0.7, adjustment_type: PercentChangeInCapacity, adjustment: 25)",
        );
        let r = p.evaluate(&observe(60.0, Some(0.9), 39, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (40, 48));
        assert_eq!(
            r.reason,
            "cpu 90% >= 70%, +25%: 39 -> 40 (asked 48, at max 40)"
        );
        // ExactCapacity 5 from 3 -> 5.
        let mut p = policy_with("(threshold: 0.7, adjustment_type: ExactCapacity, adjustment: 5)");
        assert_eq!(p.evaluate(&observe(60.0, Some(0.9), 3, 0, 0)).desired, 5);
        // ExactCapacity 5 on a scale-out alarm with 8 instances: a scale-out policy never
        // removes, hold 8.
        let mut p = policy_with("(threshold: 0.7, adjustment_type: ExactCapacity, adjustment: 5)");
        let r = p.evaluate(&observe(60.0, Some(0.9), 8, 0, 0));
        assert_eq!((r.desired, r.raw_desired), (8, 5), "{}", r.reason);
    }

    fn policy_with(scale_out: &str) -> SimpleScaling {
        let text = format!("(metric: Cpu, scale_out: {scale_out})");
        SimpleScaling::new(ron_options().from_str(&text).unwrap()).unwrap()
    }

    #[test]
    fn no_alarm_and_missing_data_hold() {
        let mut p = policy();
        let r = p.evaluate(&observe(60.0, Some(0.5), 4, 0, 0));
        assert_eq!(
            r.reason,
            "cpu 50%, no alarm (out at >= 70%, in at <= 30%): hold 4"
        );
        let r = p.evaluate(&observe(120.0, None, 4, 0, 0));
        assert_eq!(
            (r.desired, r.reason.as_str()),
            (4, "insufficient data: hold")
        );
    }

    #[test]
    fn config_defaults_and_errors() {
        let c: SimpleScalingConfig = ron_options()
            .from_str("(metric: Cpu, scale_out: (threshold: 0.7, adjustment: 1))")
            .unwrap();
        // DefaultCooldown 300 s, lag 60 s.
        assert_eq!((c.cooldown_secs, c.lag_secs), (300.0, 60.0));
        let back: SimpleScalingConfig = ron_options()
            .from_str(&ron::ser::to_string(&c).unwrap())
            .unwrap();
        assert_eq!(back, c);
        let p = SimpleScaling::new(c).unwrap();
        assert_eq!(
            (p.name(), p.period_secs(), p.window_secs()),
            ("simple-scaling", 60.0, (60.0, 60.0))
        );

        // What a scenario loader reports: RON's error, else the configuration's check.
        let err = |text: &str| match ron_options().from_str::<SimpleScalingConfig>(text) {
            Err(e) => e.to_string(),
            Ok(c) => c.validate().unwrap_err().to_string(),
        };
        let e = err("(metric: Cpu, scale_out: (threshold: 0.3, adjustment: 1), \
                     scale_in: (threshold: 0.7, adjustment: -1))");
        assert!(e.contains("would breach both alarms"), "{e}");
        let e = err("(metric: Cpu, scale_out: (threshold: 0.7, adjustment: -1))");
        assert!(e.contains("scale_out.adjustment: is -1"), "{e}");
        let e = err("(metric: Cpu, cooldown_secs: -5, scale_out: (threshold: 0.7, adjustment: 1))");
        assert!(e.contains("cooldown_secs: must be"), "{e}");
        let e = err("(metric: Cpu, scale_out: (threshold: 0.7, datapoints: 3, adjustment: 1))");
        assert!(
            e.contains("datapoints: must be 1..=evaluation_periods"),
            "{e}"
        );
        let e = err("(metric: Cpu, scale_out: (threshold: 0.7, adjustment: 1, steps: []))");
        assert!(e.contains("steps"), "{e}");
    }
}
