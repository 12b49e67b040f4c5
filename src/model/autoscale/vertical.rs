//! Vertical scaling (elastic resource capacity): instead of adding instances, move the
//! pool to a bigger or smaller instance type, paying a restart for each move (on EC2:
//! stop, change the type, start). It teaches the two limits of scaling up: a ceiling (the
//! biggest type) and a pause (capacity drops while instances restart).
//!
//! The decision is pure like every policy's: CPU over a window against two thresholds,
//! one step up or down the ladder of types, then a cooldown. The world carries the move
//! out (`Autoscaler::take_resize`): every instance drains, stops, changes type and starts
//! again after `restart_secs`, one at a time (rolling) or all at once. It stays the same
//! instance (counted as restarted, not launched), and the move is logged as a resize.

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Metric, Observation, Recommendation};
use crate::model::config::{self, ConfigError};

/// Move up or down a ladder of instance types on CPU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerticalConfig {
    /// Instance types from smallest to biggest; the pool's own type must be one of them.
    pub types: Vec<String>,
    /// Move up a size when CPU is above this (0..=1).
    #[serde(default = "default_up")]
    pub scale_up_above: f64,
    /// Move down a size when CPU is below this (0..=1).
    #[serde(default = "default_down")]
    pub scale_down_below: f64,
    /// Seconds an instance is out of service while it restarts on its new type.
    #[serde(default = "default_restart")]
    pub restart_secs: f64,
    /// Restart every instance at once (capacity drops to zero for `restart_secs`) instead
    /// of one at a time (the default: a rolling restart, capacity down by one instance).
    #[serde(default)]
    pub all_at_once: bool,
    /// Seconds after a move before the next one may start.
    #[serde(default = "default_cooldown")]
    pub cooldown_secs: f64,
    /// Seconds between evaluations (and the metric window).
    #[serde(default = "default_period")]
    pub period_secs: f64,
}

fn default_up() -> f64 {
    0.75
}
fn default_down() -> f64 {
    0.25
}
fn default_restart() -> f64 {
    60.0
}
fn default_cooldown() -> f64 {
    600.0
}
fn default_period() -> f64 {
    60.0
}

impl VerticalConfig {
    /// Checks every setting; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::within("scale_down_below", self.scale_down_below, 0.0, 1.0)?;
        config::within("scale_up_above", self.scale_up_above, 0.0, 1.0)?;
        if self.scale_down_below >= self.scale_up_above {
            return Err(ConfigError::invalid(
                "scale_down_below",
                format!(
                    "{} must be below scale_up_above ({})",
                    self.scale_down_below, self.scale_up_above
                ),
            ));
        }
        config::non_negative("restart_secs", self.restart_secs)?;
        config::non_negative("cooldown_secs", self.cooldown_secs)?;
        config::positive("period_secs", self.period_secs)
    }
}

/// The vertical policy: where on the ladder the pool is, and when it last moved.
#[derive(Clone, Debug)]
pub struct Vertical {
    config: VerticalConfig,
    rung: usize,
    last_move_secs: Option<f64>,
    pending: Option<usize>,
}

impl Vertical {
    /// A policy on the rung of `current_type` (the pool's instance type); fails if the
    /// configuration is invalid or the type is not on its ladder.
    pub fn new(config: VerticalConfig, current_type: &str) -> Result<Vertical, ConfigError> {
        config.validate()?;
        let Some(rung) = config.types.iter().position(|t| t == current_type) else {
            return Err(ConfigError::invalid(
                "types",
                format!(
                    "the pool's instance type {current_type:?} is not in types {:?}",
                    config.types
                ),
            ));
        };
        Ok(Vertical {
            config,
            rung,
            last_move_secs: None,
            pending: None,
        })
    }

    /// The restart pause of a move, seconds.
    pub fn restart_secs(&self) -> f64 {
        self.config.restart_secs
    }
}

impl Autoscaler for Vertical {
    fn name(&self) -> &'static str {
        "vertical"
    }

    fn measure(&self) -> Option<super::Measure> {
        Some(super::Measure::Cpu)
    }

    fn period_secs(&self) -> f64 {
        self.config.period_secs
    }

    fn window_secs(&self) -> (f64, f64) {
        (self.config.period_secs, 60.0)
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let cur = obs.current;
        let Some(cpu) = obs.ready_average(Metric::Cpu) else {
            return Recommendation::hold(cur, "no CPU data: hold");
        };
        let types = &self.config.types;
        let here = &types[self.rung];
        let mut rec = Recommendation::hold(cur, format!("cpu {:.0}% on {here}: hold", cpu * 100.0));
        rec.metric_value = Some(cpu);
        let wanted = if cpu > self.config.scale_up_above {
            rec.target = Some(self.config.scale_up_above);
            if self.rung + 1 < types.len() {
                Some(self.rung + 1)
            } else {
                rec.reason = format!(
                    "cpu {:.0}% on {here}: already the biggest type (the ceiling)",
                    cpu * 100.0
                );
                None
            }
        } else if cpu < self.config.scale_down_below && self.rung > 0 {
            rec.target = Some(self.config.scale_down_below);
            Some(self.rung - 1)
        } else {
            None
        };
        let Some(to) = wanted else { return rec };
        if let Some(t) = self.last_move_secs
            && obs.now_secs - t < self.config.cooldown_secs
        {
            rec.reason = format!(
                "cpu {:.0}% wants {}, cooldown until {}",
                cpu * 100.0,
                types[to],
                obs.clock_at(t + self.config.cooldown_secs)
            );
            return rec;
        }
        if obs
            .instances
            .iter()
            .any(|i| i.readiness == super::Readiness::Booting)
        {
            rec.reason = format!(
                "cpu {:.0}% wants {}, instances still restarting",
                cpu * 100.0,
                types[to]
            );
            return rec;
        }
        rec.reason = format!(
            "cpu {:.0}% on {here}: resize to {}, restarting {} instances for {} s",
            cpu * 100.0,
            types[to],
            cur,
            self.config.restart_secs
        );
        self.rung = to;
        self.last_move_secs = Some(obs.now_secs);
        self.pending = Some(to);
        rec
    }

    fn take_resize(&mut self) -> Option<usize> {
        self.pending.take()
    }
}

impl PolicyConfig for VerticalConfig {
    /// The pool's family from its own type up (`m5.large` .. `m5.24xlarge`), the
    /// defaults for the rest.
    fn example(pool: &PoolContext<'_>) -> Self {
        let mut types: Vec<String> = pool.family.to_vec();
        if !types.iter().any(|t| t == pool.instance_type) {
            types.insert(0, pool.instance_type.to_string());
        }
        VerticalConfig {
            types,
            scale_up_above: default_up(),
            scale_down_below: default_down(),
            restart_secs: default_restart(),
            all_at_once: false,
            cooldown_secs: default_cooldown(),
            period_secs: default_period(),
        }
    }

    fn build(&self, pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(Vertical::new(self.clone(), pool.instance_type)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::autoscale::{InstanceSample, Readiness};

    fn obs(now: f64, cpu: f64) -> Observation {
        let ready = InstanceSample {
            readiness: Readiness::Ready,
            age_secs: 1000.0,
            cpu: Some(cpu),
            requests_per_sec: None,
            queue: None,
            workers: 1,
        };
        Observation {
            now_secs: now,
            week_secs: now,
            current: 2,
            min: 1,
            max: 4,
            instances: vec![ready; 2],
            latency_p95_secs: None,
            arrivals_per_sec: None,
            boot_secs: 90.0,
        }
    }

    fn config() -> VerticalConfig {
        VerticalConfig {
            types: vec!["m5.large".into(), "m5.xlarge".into(), "m5.2xlarge".into()],
            scale_up_above: 0.75,
            scale_down_below: 0.25,
            restart_secs: 60.0,
            all_at_once: false,
            cooldown_secs: 600.0,
            period_secs: 60.0,
        }
    }

    #[test]
    fn climbs_one_size_per_cooldown_up_to_the_ceiling() {
        let mut v = Vertical::new(config(), "m5.large").unwrap();
        // 90 % > 75 %: large -> xlarge at t=60, the count stays 2.
        let r = v.evaluate(&obs(60.0, 0.9));
        assert_eq!((r.desired, v.take_resize()), (2, Some(1)));
        assert!(r.reason.contains("resize to m5.xlarge"), "{}", r.reason);
        // Still hot at t=300: within the 600 s cooldown, no move.
        let r = v.evaluate(&obs(300.0, 0.9));
        assert_eq!(v.take_resize(), None);
        // 60 + 600 = 660 s after a Monday 00:00 start: Mon 00:11:00.
        assert!(
            r.reason.contains("cooldown until Mon 00:11:00"),
            "{}",
            r.reason
        );
        // t=700: xlarge -> 2xlarge; t=1400: already the biggest: the ceiling.
        v.evaluate(&obs(700.0, 0.9));
        assert_eq!(v.take_resize(), Some(2));
        let r = v.evaluate(&obs(1400.0, 0.9));
        assert_eq!(v.take_resize(), None);
        assert!(r.reason.contains("ceiling"), "{}", r.reason);
        // Cool: 10 % < 25 % steps back down to xlarge.
        v.evaluate(&obs(2100.0, 0.1));
        assert_eq!(v.take_resize(), Some(1));
    }

    #[test]
    fn the_pool_type_must_be_on_the_ladder_and_thresholds_ordered() {
        assert!(Vertical::new(config(), "c5.large").is_err());
        let mut c = config();
        c.scale_down_below = 0.8;
        assert!(Vertical::new(c, "m5.large").is_err());
    }
}
