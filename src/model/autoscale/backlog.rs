//! Backlog per instance: keep the requests each instance holds near a target, the way
//! AWS recommends scaling on an SQS queue ("backlog per instance" = visible messages /
//! running instances, scaled to an acceptable backlog per instance) and KEDA scales on
//! queue length: `desired = ceil(total backlog / acceptable backlog per instance)`.
//!
//! The backlog counted here is what instances hold, in service and queued. An instance
//! with `w` workers holds `w * utilisation` requests while it keeps up, and more only once
//! it queues, so `per_instance` must be below the workers per instance: a target of 1.2
//! on 2 workers keeps them about 60 % busy; a target of 3 on 2 workers is met only by
//! saturated instances with a standing queue. Below saturation such a target always asks
//! for fewer instances, so the pool shrinks until it overloads, the queues fill, the
//! backlog jumps and the pool is sent to its maximum, over and over.
//!
//! Scale-in is held twice, as real controllers hold it:
//! - by the scale-in delay: the pool goes down only to the highest recommendation of the
//!   last `scale_in_delay_secs`, counting the capacity the policy found when it started
//!   as a recommendation (the Kubernetes HPA seeds its scale-down stabilization the same
//!   way, `recordInitialRecommendation` in
//!   <https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go>),
//!   so it never scales in before having wanted fewer instances for the whole delay;
//! - by the metric window: not on a window that started before the policy's own last
//!   capacity change. The total is summed over the instances still in the pool, so a
//!   window measured before a scale-in leaves out what the removed instances held and
//!   would ask for fewer again (a scale-in 40 -> 20 followed at once by 20 -> 7).

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Metric, Observation, Readiness, Recommendation};
use crate::model::config::{self, ConfigError};

/// Scale so each instance holds about `per_instance` requests (queued + in service).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacklogConfig {
    /// Acceptable requests held per instance (in service and queued). Keep it below the
    /// workers per instance (see the module docs): 1.2 on 2 workers is about 60 % busy.
    pub per_instance: f64,
    /// Seconds between evaluations.
    #[serde(default = "default_period")]
    pub period_secs: f64,
    /// The window the backlog is averaged over, seconds.
    #[serde(default = "default_period")]
    pub window_secs: f64,
    /// How late the monitoring system reports it, seconds.
    #[serde(default = "default_lag")]
    pub lag_secs: f64,
    /// Scale in only after the backlog asked for fewer instances for this long.
    #[serde(default = "default_scale_in_delay")]
    pub scale_in_delay_secs: f64,
}

fn default_period() -> f64 {
    60.0
}
fn default_lag() -> f64 {
    60.0
}
fn default_scale_in_delay() -> f64 {
    300.0
}

impl BacklogConfig {
    /// Checks every setting; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::positive("per_instance", self.per_instance)?;
        config::positive("period_secs", self.period_secs)?;
        config::positive("window_secs", self.window_secs)?;
        config::non_negative("lag_secs", self.lag_secs)?;
        config::non_negative("scale_in_delay_secs", self.scale_in_delay_secs)
    }
}

/// The backlog policy and its memory of recent recommendations.
#[derive(Clone, Debug)]
pub struct Backlog {
    config: BacklogConfig,
    /// `(time, recommendation)` over the scale-in delay, for the scale-in hold.
    recent: Vec<(f64, u32)>,
    /// When this policy last changed the capacity (seconds after the start).
    last_change_secs: Option<f64>,
    /// Whether the capacity found at the first evaluation was recorded.
    seeded: bool,
}

impl Backlog {
    /// A policy that has seen nothing yet; fails if the configuration is invalid.
    pub fn new(config: BacklogConfig) -> Result<Backlog, ConfigError> {
        config.validate()?;
        Ok(Backlog {
            config,
            recent: Vec::new(),
            last_change_secs: None,
            seeded: false,
        })
    }
}

impl Autoscaler for Backlog {
    fn name(&self) -> &'static str {
        "backlog"
    }

    fn measure(&self) -> Option<super::Measure> {
        Some(super::Measure::QueuePerInstance)
    }

    fn period_secs(&self) -> f64 {
        self.config.period_secs
    }

    fn window_secs(&self) -> (f64, f64) {
        (self.config.window_secs, self.config.lag_secs)
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        // The total backlog is what the serving instances hold; booting ones hold nothing.
        let values: Vec<f64> = obs
            .instances
            .iter()
            .filter(|i| i.readiness != Readiness::Booting)
            .filter_map(|i| i.value(Metric::QueuePerInstance))
            .collect();
        if values.is_empty() {
            return Recommendation::hold(obs.current, "no backlog data yet: hold");
        }
        let total: f64 = values.iter().sum();
        let per = self.config.per_instance;
        let raw = ((total / per).ceil() as u32).max(1);
        let wanted = raw.clamp(obs.min, obs.max);
        let now = obs.now_secs;
        let current = obs.current;
        let per_instance = total / f64::from(current.max(1));
        let mut reason =
            format!("backlog {total:.1} = {per_instance:.2} per instance vs {per}: wants {raw}");
        if wanted != raw {
            reason += &format!(", bounded to {wanted} (min {}, max {})", obs.min, obs.max);
        }
        let window_start = now - self.config.lag_secs - self.config.window_secs;
        if wanted < current
            && let Some(changed) = self.last_change_secs.filter(|&t| window_start < t)
        {
            // An answer for the capacity before the change: neither acted on nor remembered.
            reason += &format!(
                "; the metric window from {} predates the change at {}: hold {current}",
                obs.clock_at(window_start),
                obs.clock_at(changed)
            );
            return Recommendation {
                desired: current,
                raw_desired: raw,
                metric_value: Some(per_instance),
                target: Some(per),
                reason,
            };
        }
        if !self.seeded {
            // The capacity found at the start counts as a recommendation (see the module docs).
            self.recent.push((now, current));
            self.seeded = true;
        }
        self.recent
            .retain(|&(t, _)| now - t <= self.config.scale_in_delay_secs);
        self.recent.push((now, wanted));
        // Scale in only to the highest recommendation seen over the delay.
        let floor = self.recent.iter().map(|&(_, r)| r).max().unwrap_or(wanted);
        let desired = if wanted < current {
            floor.min(current)
        } else {
            wanted
        };
        if desired != wanted {
            reason += &format!(
                "; scale-in held at {desired} (highest recommendation in the last {} s)",
                self.config.scale_in_delay_secs
            );
        }
        Recommendation {
            desired,
            raw_desired: raw,
            // Per instance, in the target's unit (the total is in the reason).
            metric_value: Some(per_instance),
            target: Some(per),
            reason,
        }
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        if from != to {
            self.last_change_secs = Some(now_secs);
        }
    }
}

impl PolicyConfig for BacklogConfig {
    /// 1.2 requests held per instance (about 60 % busy on 2 workers), the defaults for
    /// the rest.
    fn example(_pool: &PoolContext<'_>) -> Self {
        BacklogConfig {
            per_instance: 1.2,
            period_secs: default_period(),
            window_secs: default_period(),
            lag_secs: default_lag(),
            scale_in_delay_secs: default_scale_in_delay(),
        }
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        BacklogConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(Backlog::new(self.clone())?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::aws::testing::observe;
    use super::*;

    /// 1.5 held per instance (values exact in binary, so no ceil of 5.000000001).
    fn policy() -> Backlog {
        Backlog::new(BacklogConfig {
            per_instance: 1.5,
            period_secs: 60.0,
            window_secs: 60.0,
            lag_secs: 60.0,
            scale_in_delay_secs: 300.0,
        })
        .unwrap()
    }

    /// `n` ready instances (the pool's desired capacity) holding `held` requests each on
    /// average over the window.
    fn holding(now_secs: f64, n: u32, held: f64) -> Observation {
        let mut obs = observe(now_secs, Some(0.5), n, 0, 0);
        for i in &mut obs.instances {
            i.queue = Some(held);
        }
        obs
    }

    #[test]
    fn desired_is_the_total_backlog_over_the_acceptable_backlog_per_instance() {
        // 10 instances holding 3 each: 30 held / 1.5 per instance = 20.
        let r = policy().evaluate(&holding(60.0, 10, 3.0));
        assert_eq!((r.raw_desired, r.desired), (20, 20));
        assert_eq!((r.metric_value, r.target), (Some(3.0), Some(1.5)));
    }

    #[test]
    fn it_scales_in_only_after_wanting_fewer_for_the_whole_delay() {
        let mut p = policy();
        // 10 instances holding 0.75 each: 7.5 / 1.5 = 5 wanted from the first evaluation
        // at 60 s. The 10 found then count as a recommendation, so it holds 10 while that
        // one is at most 300 s old (at 360 s it is exactly 300 s old); at 420 s only the
        // 5s are left.
        for t in [60.0, 120.0, 240.0, 360.0] {
            let r = p.evaluate(&holding(t, 10, 0.75));
            assert_eq!(
                (r.raw_desired, r.desired),
                (5, 10),
                "at {t} s: {}",
                r.reason
            );
            assert!(r.reason.contains("scale-in held at 10"), "{}", r.reason);
        }
        let r = p.evaluate(&holding(420.0, 10, 0.75));
        assert_eq!(r.desired, 5, "{}", r.reason);
    }

    #[test]
    fn no_second_scale_in_on_a_window_measured_before_the_first() {
        let mut p = policy();
        // 40 holding 0.5 = 20 held: 20 / 1.5 = 13.3, 14 wanted from 60 s; the 40 found at
        // 60 s stop counting after 360 s, so at 420 s 40 -> 14.
        for t in [60.0, 120.0, 180.0, 240.0, 300.0, 360.0] {
            assert_eq!(p.evaluate(&holding(t, 40, 0.5)).desired, 40);
        }
        let r = p.evaluate(&holding(420.0, 40, 0.5));
        assert_eq!(r.desired, 14, "{}", r.reason);
        p.applied(420.0, 40, 14);
        // At 480 s the window (360-420 s, delivered a minute late) was measured on the 40;
        // only the 14 left report it: 14 * 0.5 = 7 held, which would ask for
        // ceil(7 / 1.5) = 5. It holds 14 and says why.
        let r = p.evaluate(&holding(480.0, 14, 0.5));
        assert_eq!((r.raw_desired, r.desired), (5, 14), "{}", r.reason);
        assert!(
            r.reason.contains(
                "the metric window from Mon 00:06:00 predates the change at Mon 00:07:00"
            ),
            "{}",
            r.reason
        );
        // From 540 s the window (420-480 s) starts at the change: a reading of the 14. At
        // 0.75 each it asks for 14 * 0.75 / 1.5 = 7, and the delay holds 14 (wanted from
        // 240 s to 420 s), not the stale window.
        let r = p.evaluate(&holding(540.0, 14, 0.75));
        assert_eq!((r.raw_desired, r.desired), (7, 14), "{}", r.reason);
        assert!(!r.reason.contains("predates"), "{}", r.reason);
    }
}
