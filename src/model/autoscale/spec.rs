//! The `autoscale:` field of a pool: which policy, with its settings.

use serde::{Deserialize, Serialize};

use super::Autoscaler;
use super::aws_simple::{SimpleScaling, SimpleScalingConfig};
use super::aws_step::{StepScaling, StepScalingConfig};
use super::aws_target_tracking::{TargetTracking, TargetTrackingConfig};
use super::backlog::{Backlog, BacklogConfig};
use super::hpa::{Hpa, HpaConfig};
use super::latency::{LatencyTarget, LatencyTargetConfig};
use super::predictive::{Predictive, PredictiveConfig};
use super::vertical::{Vertical, VerticalConfig};

/// A pool's autoscaling policy, as a scenario writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AutoscaleSpec {
    /// The Kubernetes HorizontalPodAutoscaler, with its documented defaults.
    Hpa(HpaConfig),
    /// AWS target tracking: keep a metric at a target.
    TargetTracking(TargetTrackingConfig),
    /// AWS step scaling: alarms with step adjustments.
    StepScaling(StepScalingConfig),
    /// AWS simple scaling: one adjustment per alarm, then a cooldown.
    SimpleScaling(SimpleScalingConfig),
    /// Vertical scaling: a bigger or smaller instance type, with a restart.
    Vertical(VerticalConfig),
    /// Several policies on one pool, each deciding on its own schedule; the pool takes
    /// the largest of their latest recommendations, so it scales in only when all agree
    /// (AWS: "each computes desired capacity independently; the group uses the maximum",
    /// e.g. predictive scaling beside target tracking). A recommendation computed before
    /// the pool's last capacity change is not used to scale in (see `Pool::largest_vote`).
    Combined(Vec<AutoscaleSpec>),
    /// AWS predictive scaling: a seasonal forecast, launched ahead by the boot time.
    Predictive(PredictiveConfig),
    /// Requests held per instance (queue backlog), like AWS's backlog-per-instance.
    Backlog(BacklogConfig),
    /// The pool's p95 latency against an objective.
    LatencyTarget(LatencyTargetConfig),
}

impl AutoscaleSpec {
    /// Builds the policies for a pool of `instance_type` (one, or several for
    /// `Combined`), checking their settings.
    pub fn build_all(&self, instance_type: &str) -> Result<Vec<Box<dyn Autoscaler>>, String> {
        let AutoscaleSpec::Combined(specs) = self else {
            return Ok(vec![self.build(instance_type)?]);
        };
        if specs.is_empty() {
            return Err("Combined needs at least one policy".into());
        }
        specs
            .iter()
            .map(|s| match s {
                AutoscaleSpec::Combined(_) => Err("Combined policies cannot be nested".to_string()),
                AutoscaleSpec::Vertical(_) => Err(
                    "Vertical cannot be combined: it changes the type, not the count".to_string(),
                ),
                s => s.build(instance_type),
            })
            .collect()
    }

    /// Builds a single policy for a pool of `instance_type`, checking its settings.
    pub fn build(&self, instance_type: &str) -> Result<Box<dyn Autoscaler>, String> {
        Ok(match self {
            AutoscaleSpec::Combined(_) => {
                return Err("Combined holds several policies: build them with build_all".into());
            }
            AutoscaleSpec::Hpa(c) => Box::new(Hpa::new(c.clone())?),
            AutoscaleSpec::Vertical(c) => Box::new(Vertical::new(c.clone(), instance_type)?),
            AutoscaleSpec::Predictive(c) => {
                Box::new(Predictive::new(c.clone()).map_err(|e| e.to_string())?)
            }
            AutoscaleSpec::TargetTracking(c) => {
                Box::new(TargetTracking::new(c.clone()).map_err(|e| e.to_string())?)
            }
            AutoscaleSpec::StepScaling(c) => {
                Box::new(StepScaling::new(c.clone()).map_err(|e| e.to_string())?)
            }
            AutoscaleSpec::SimpleScaling(c) => {
                Box::new(SimpleScaling::new(c.clone()).map_err(|e| e.to_string())?)
            }
            AutoscaleSpec::Backlog(c) => Box::new(Backlog::new(c.clone())?),
            AutoscaleSpec::LatencyTarget(c) => Box::new(LatencyTarget::new(c.clone())?),
        })
    }
}
