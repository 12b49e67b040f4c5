//! Latency target: scale on the pool's p95 latency against an objective. Latency is not
//! proportional to capacity the way utilisation is (it explodes near saturation), so the
//! policy steps rather than solving a ratio: above the target it adds capacity in
//! proportion to the overshoot (at least one instance, at most doubling), below
//! `scale_in_below` of the target for a sustained time it removes one instance.

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Observation, Recommendation};
use crate::model::config::{self, ConfigError};

/// Keep the p95 latency under `target_secs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyTargetConfig {
    /// The p95 latency objective, seconds.
    pub target_secs: f64,
    /// Scale in only while p95 stays below this fraction of the target.
    #[serde(default = "default_scale_in_below")]
    pub scale_in_below: f64,
    /// Seconds between evaluations.
    #[serde(default = "default_period")]
    pub period_secs: f64,
    /// The window p95 is computed over, seconds.
    #[serde(default = "default_period")]
    pub window_secs: f64,
    /// How late the monitoring system reports it, seconds.
    #[serde(default = "default_lag")]
    pub lag_secs: f64,
    /// After any change, wait this long before the next (new instances must boot and the
    /// queue drain before latency tells anything).
    #[serde(default = "default_cooldown")]
    pub cooldown_secs: f64,
}

fn default_scale_in_below() -> f64 {
    0.5
}
fn default_period() -> f64 {
    30.0
}
fn default_lag() -> f64 {
    30.0
}
fn default_cooldown() -> f64 {
    180.0
}

impl LatencyTargetConfig {
    /// Checks every setting; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::positive("target_secs", self.target_secs)?;
        if !(self.scale_in_below > 0.0 && self.scale_in_below < 1.0) {
            return Err(ConfigError::invalid(
                "scale_in_below",
                format!(
                    "must be between 0 and 1 (a fraction of the target), got {}",
                    self.scale_in_below
                ),
            ));
        }
        config::positive("period_secs", self.period_secs)?;
        config::positive("window_secs", self.window_secs)?;
        config::non_negative("lag_secs", self.lag_secs)?;
        config::non_negative("cooldown_secs", self.cooldown_secs)
    }
}

/// The latency policy.
#[derive(Clone, Debug)]
pub struct LatencyTarget {
    config: LatencyTargetConfig,
    last_change_secs: Option<f64>,
    /// When p95 first went below the scale-in threshold in the current quiet stretch.
    quiet_since_secs: Option<f64>,
}

impl LatencyTarget {
    /// A policy that has seen nothing yet; fails if the configuration is invalid.
    pub fn new(config: LatencyTargetConfig) -> Result<LatencyTarget, ConfigError> {
        config.validate()?;
        Ok(LatencyTarget {
            config,
            last_change_secs: None,
            quiet_since_secs: None,
        })
    }
}

impl Autoscaler for LatencyTarget {
    fn name(&self) -> &'static str {
        "latency-target"
    }

    fn measure(&self) -> Option<super::Measure> {
        Some(super::Measure::LatencyP95)
    }

    fn period_secs(&self) -> f64 {
        self.config.period_secs
    }

    fn window_secs(&self) -> (f64, f64) {
        (self.config.window_secs, self.config.lag_secs)
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let target = self.config.target_secs;
        let Some(p95) = obs.latency_p95_secs else {
            return Recommendation::hold(obs.current, "no completed requests in the window: hold");
        };
        let cur = obs.current;
        let raw = if p95 > target {
            self.quiet_since_secs = None;
            // Overshoot 1.5x -> +50 %, never less than one more, never more than double.
            let grow = ((f64::from(cur) * (p95 / target - 1.0)).ceil() as u32).clamp(1, cur.max(1));
            cur + grow
        } else if p95 < target * self.config.scale_in_below {
            let since = *self.quiet_since_secs.get_or_insert(obs.now_secs);
            if obs.now_secs - since >= self.config.cooldown_secs {
                cur.saturating_sub(1)
            } else {
                cur
            }
        } else {
            self.quiet_since_secs = None;
            cur
        };
        let bounded = raw.clamp(obs.min, obs.max);
        let mut rec = Recommendation {
            desired: bounded,
            raw_desired: raw,
            metric_value: Some(p95),
            target: Some(target),
            reason: format!("p95 {:.3} s vs target {target} s: wants {raw}", p95),
        };
        if bounded != raw {
            rec.reason += &format!(" (bounded to {bounded})");
        }
        if let Some(t) = self.last_change_secs
            && bounded != cur
            && obs.now_secs - t < self.config.cooldown_secs
        {
            rec.desired = cur;
            rec.reason += &format!(
                "; cooldown until {}",
                obs.clock_at(t + self.config.cooldown_secs)
            );
        }
        rec
    }

    fn applied(&mut self, now_secs: f64, _from: u32, _to: u32) {
        self.last_change_secs = Some(now_secs);
        self.quiet_since_secs = None;
    }
}

impl PolicyConfig for LatencyTargetConfig {
    /// p95 under 0.3 s, the defaults for the rest.
    fn example(_pool: &PoolContext<'_>) -> Self {
        LatencyTargetConfig {
            target_secs: 0.3,
            scale_in_below: default_scale_in_below(),
            period_secs: default_period(),
            window_secs: default_period(),
            lag_secs: default_lag(),
            cooldown_secs: default_cooldown(),
        }
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        LatencyTargetConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(LatencyTarget::new(self.clone())?))
    }
}
