//! Backlog per instance: keep the requests each instance holds near a target, the way
//! AWS recommends scaling on an SQS queue ("backlog per instance" = visible messages /
//! running instances, scaled to an acceptable backlog per instance) and KEDA scales on
//! queue length: `desired = ceil(total backlog / acceptable backlog per instance)`.

use serde::{Deserialize, Serialize};

use super::{Autoscaler, Metric, Observation, Readiness, Recommendation};

/// Scale so each instance holds about `per_instance` requests (queued + in service).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacklogConfig {
    /// Acceptable requests held per instance.
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

/// The backlog policy and its memory of recent recommendations.
#[derive(Clone, Debug)]
pub struct Backlog {
    config: BacklogConfig,
    /// `(time, recommendation)` over the scale-in delay, for the scale-in hold.
    recent: Vec<(f64, u32)>,
}

impl Backlog {
    /// Checks the configuration.
    pub fn new(config: BacklogConfig) -> Result<Backlog, String> {
        if !(config.per_instance.is_finite() && config.per_instance > 0.0) {
            return Err(format!(
                "Backlog: per_instance must be > 0, got {}",
                config.per_instance
            ));
        }
        for (name, v) in [
            ("period_secs", config.period_secs),
            ("window_secs", config.window_secs),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("Backlog: {name} must be > 0, got {v}"));
            }
        }
        if !(config.lag_secs >= 0.0 && config.scale_in_delay_secs >= 0.0) {
            return Err("Backlog: lag_secs and scale_in_delay_secs must be >= 0".into());
        }
        Ok(Backlog {
            config,
            recent: Vec::new(),
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
        self.recent
            .retain(|&(t, _)| now - t <= self.config.scale_in_delay_secs);
        self.recent.push((now, wanted));
        // Scale in only to the highest recommendation seen over the delay.
        let floor = self.recent.iter().map(|&(_, r)| r).max().unwrap_or(wanted);
        let desired = if wanted < obs.current {
            floor.min(obs.current)
        } else {
            wanted
        };
        let per_instance = total / f64::from(obs.current.max(1));
        let mut reason =
            format!("backlog {total:.1} = {per_instance:.2} per instance vs {per}: wants {raw}");
        if wanted != raw {
            reason += &format!(", bounded to {wanted} (min {}, max {})", obs.min, obs.max);
        }
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
}
