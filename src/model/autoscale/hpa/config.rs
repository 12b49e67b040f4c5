//! The HPA's configuration as a scenario writes it (the `autoscaling/v2` API types, with
//! the defaults of `pkg/apis/autoscaling/v2/defaults.go` and the controller's flags), and
//! its checks, which turn it into the controller's `Target`s and `Rules`.

use serde::{Deserialize, Serialize};

use super::Hpa;
use crate::model::autoscale::spec::{PolicyConfig, PoolContext};
use crate::model::autoscale::{Autoscaler, Measure, Metric};
use crate::model::config::{self, ConfigError};

/// Kubernetes API validation: `periodSeconds` must be in (0, 1800].
const MAX_POLICY_PERIOD_SECS: f64 = 1800.0;

/// Kubernetes API validation: `stabilizationWindowSeconds` must be in [0, 3600].
const MAX_STABILIZATION_WINDOW_SECS: f64 = 3600.0;

/// How an HPA scales a pool, as written in a scenario: `Hpa(metrics: [Utilization(metric:
/// Cpu, target: 0.6)])`. Every field but `metrics` defaults to the Kubernetes default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HpaConfig {
    /// What to scale on (`spec.metrics`): each target proposes a replica count on its own
    /// and the largest proposal wins. Unset: CPU utilization 80 %, the Kubernetes default
    /// (`autoscaling.DefaultCPUUtilization`). An explicitly empty list is an error.
    #[serde(default = "default_metrics")]
    pub metrics: Vec<MetricTarget>,
    /// Seconds between two evaluations (`--horizontal-pod-autoscaler-sync-period`, 15 s).
    #[serde(default = "default_sync_period_secs")]
    pub sync_period_secs: f64,
    /// Relative change of the usage ratio ignored as noise, in both directions unless
    /// `behavior` sets one: no scaling while `1 - tolerance <= ratio <= 1 + tolerance`
    /// (`--horizontal-pod-autoscaler-tolerance`, 0.1 = 10 %).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Seconds of past recommendations whose highest bounds a scale-down
    /// (`--horizontal-pod-autoscaler-downscale-stabilization`, 300 s): the whole
    /// stabilization without `behavior`, and `behavior.scale_down`'s window when it sets
    /// none.
    #[serde(default = "default_downscale_stabilization_secs")]
    pub downscale_stabilization_secs: f64,
    /// `spec.behavior`. Unset: the legacy normalization (scale-down stabilization of
    /// `downscale_stabilization_secs`, at most `max(2 × current, 4)` replicas per sync).
    /// Set, even to `()`: stabilization windows and rate-limit policies, the parts it
    /// leaves out taking the `autoscaling/v2` defaults.
    #[serde(default)]
    pub behavior: Option<HpaBehavior>,
    /// Seconds after launch during which a pod's CPU sample is trusted only once a full
    /// metric window has been collected since it became ready
    /// (`--horizontal-pod-autoscaler-cpu-initialization-period`, 300 s).
    #[serde(default = "default_cpu_initialization_period_secs")]
    pub cpu_initialization_period_secs: f64,
    /// Seconds after launch within which a pod that turned not-ready counts as never
    /// having been ready, so its CPU sample is ignored
    /// (`--horizontal-pod-autoscaler-initial-readiness-delay`, 30 s). In this model a
    /// warming instance has been not-ready since launch, so any positive value ignores
    /// it for CPU after the initialization period; 0 trusts it from then on.
    #[serde(default = "default_initial_readiness_delay_secs")]
    pub initial_readiness_delay_secs: f64,
    /// Seconds of history each metric sample averages over (60 s).
    #[serde(default = "default_metric_window_secs")]
    pub metric_window_secs: f64,
    /// Seconds from the end of a sample's window until the controller sees it (15 s).
    #[serde(default = "default_metric_lag_secs")]
    pub metric_lag_secs: f64,
}

/// One entry of `spec.metrics`: a target on one metric. `target` is in the metric's own
/// unit: a fraction of the CPU request for `Utilization`; vCPU, requests per second or
/// requests held per pod for `AverageValue` and `PoolAverageValue`; seconds for `Value`
/// on `LatencyP95`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum MetricTarget {
    /// A resource target as a share of the pods' requests (`type: Resource`,
    /// `target.averageUtilization`); CPU only, a pod requesting one vCPU per worker.
    Utilization {
        /// The resource; only [`Metric::Cpu`] has a request.
        metric: Metric,
        /// Utilization to hold, as a fraction of the request (0.6 = 60 %); a whole
        /// percent, as Kubernetes takes an integer.
        target: f64,
    },
    /// An average per pod over the pods' own samples (`type: Pods`, or `Resource` with
    /// `target.averageValue`): CPU in vCPU, requests completed per second, requests held.
    AverageValue {
        /// A per-instance metric (not [`Metric::LatencyP95`]).
        metric: Metric,
        /// Average per pod to hold, in the metric's unit (resolution 0.001).
        target: f64,
    },
    /// A pool-wide value (`type: Object`/`External` with `target.value`): the ratio
    /// `value / target` multiplies the ready pods.
    Value {
        /// A pool-wide metric: [`Metric::LatencyP95`].
        metric: Metric,
        /// Value to hold, in the metric's unit (seconds for latency; resolution 0.001).
        target: f64,
    },
    /// A pool-wide total to share out per pod (`type: Object`/`External` with
    /// `target.averageValue`, e.g. a load balancer's requests per second, a queue's
    /// length): `ceil(total / target)` pods, whatever their readiness.
    PoolAverageValue {
        /// The pool-wide total.
        metric: PoolMetric,
        /// What one pod should take of it, in the metric's unit (resolution 0.001).
        target: f64,
    },
}

/// A pool-wide metric for [`MetricTarget::PoolAverageValue`], as an Ingress or a load
/// balancer (`Object`) or a metrics adapter (`External`) reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PoolMetric {
    /// Requests arriving at the pool per second over the window.
    RequestsPerSec,
    /// Requests held by the pool (queued + in service), averaged over the window.
    Queue,
}

impl PoolMetric {
    pub(super) fn name(self) -> &'static str {
        match self {
            PoolMetric::RequestsPerSec => "requests",
            PoolMetric::Queue => "queue",
        }
    }

    /// Decisions report the total per pod, as the HPA status does (`averageValue`).
    fn measure(self) -> Measure {
        match self {
            PoolMetric::RequestsPerSec => Measure::RequestsPerSecPerInstance,
            PoolMetric::Queue => Measure::QueuePerInstance,
        }
    }

    pub(super) fn unit(self) -> &'static str {
        match self {
            PoolMetric::RequestsPerSec => "/s",
            PoolMetric::Queue => "",
        }
    }
}

/// `spec.behavior`: how fast, and after how much hesitation, each direction may move.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HpaBehavior {
    /// Rules for adding pods (default: stabilization 0 s, max of 100 % and 4 pods per 15 s).
    #[serde(default)]
    pub scale_up: ScaleUpRules,
    /// Rules for removing pods (default: stabilization from the controller flag, 100 %
    /// per 15 s).
    #[serde(default)]
    pub scale_down: ScaleDownRules,
}

/// `behavior.scaleUp`, with the scale-up defaults of `pkg/apis/autoscaling/v2/defaults.go`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleUpRules {
    /// Seconds of past recommendations whose minimum caps a scale-up (0 s: none).
    #[serde(default)]
    pub stabilization_window_secs: f64,
    /// Which policy limit applies when several do (default `Max`: the largest change).
    #[serde(default)]
    pub select_policy: SelectPolicy,
    /// Rate limits (default: `Percent(value: 100, period_secs: 15)` and
    /// `Pods(value: 4, period_secs: 15)`).
    #[serde(default = "default_scale_up_policies")]
    pub policies: Vec<ScalingPolicy>,
    /// Tolerance above the target before scaling up (`scaleUp.tolerance`, Kubernetes
    /// ≥ 1.33); unset: the HPA's `tolerance`.
    #[serde(default)]
    pub tolerance: Option<f64>,
}

/// `behavior.scaleDown`, with the scale-down defaults of `pkg/apis/autoscaling/v2/defaults.go`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDownRules {
    /// Seconds of past recommendations whose maximum floors a scale-down; unset: the
    /// controller's flag, `downscale_stabilization_secs` (300 s), as upstream's
    /// `maybeInitScaleDownStabilizationWindow` fills it in.
    #[serde(default)]
    pub stabilization_window_secs: Option<f64>,
    /// Which policy limit applies when several do (default `Max`: the largest change);
    /// `Disabled` forbids scaling down.
    #[serde(default)]
    pub select_policy: SelectPolicy,
    /// Rate limits (default: `Percent(value: 100, period_secs: 15)`).
    #[serde(default = "default_scale_down_policies")]
    pub policies: Vec<ScalingPolicy>,
    /// Tolerance below the target before scaling down (`scaleDown.tolerance`, Kubernetes
    /// ≥ 1.33); unset: the HPA's `tolerance`.
    #[serde(default)]
    pub tolerance: Option<f64>,
}

/// `selectPolicy`: how the limits of several policies combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectPolicy {
    /// The policy allowing the largest change wins (Kubernetes default).
    #[default]
    Max,
    /// The policy allowing the smallest change wins.
    Min,
    /// No scaling in this direction at all.
    Disabled,
}

/// One rate-limit policy (`HPAScalingPolicy`): at most this much change within any
/// `period_secs`, counted from the replica count at the start of that period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ScalingPolicy {
    /// At most `value` pods added or removed per period.
    Pods {
        /// Pods per period (> 0).
        value: u32,
        /// Length of the period in seconds, (0, 1800].
        period_secs: f64,
    },
    /// At most `value` percent of the period's starting count added or removed per period
    /// (rounded up when adding, the removal rounded up when removing).
    Percent {
        /// Percent of the pods at the start of the period (> 0).
        value: u32,
        /// Length of the period in seconds, (0, 1800].
        period_secs: f64,
    },
}

impl ScalingPolicy {
    pub(super) fn period_secs(self) -> f64 {
        match self {
            ScalingPolicy::Pods { period_secs, .. }
            | ScalingPolicy::Percent { period_secs, .. } => period_secs,
        }
    }

    fn value(self) -> u32 {
        match self {
            ScalingPolicy::Pods { value, .. } | ScalingPolicy::Percent { value, .. } => value,
        }
    }

    /// The name a decision log shows: "Percent 100%/15s", "Pods 4/15s".
    pub(super) fn label(self) -> String {
        match self {
            ScalingPolicy::Pods { value, period_secs } => format!("Pods {value}/{period_secs}s"),
            ScalingPolicy::Percent { value, period_secs } => {
                format!("Percent {value}%/{period_secs}s")
            }
        }
    }
}

fn default_metrics() -> Vec<MetricTarget> {
    vec![MetricTarget::Utilization {
        metric: Metric::Cpu,
        target: 0.8,
    }]
}
fn default_sync_period_secs() -> f64 {
    15.0
}
fn default_tolerance() -> f64 {
    0.1
}
fn default_downscale_stabilization_secs() -> f64 {
    300.0
}
fn default_cpu_initialization_period_secs() -> f64 {
    300.0
}
fn default_initial_readiness_delay_secs() -> f64 {
    30.0
}
// The controller reads the resource metrics API; metrics-server's default resolution
// (scrape interval) is 15 s, and we let each sample average CPU over the last 60 s, so the
// HPA reacts to a minute of history that is up to 15 s old.
fn default_metric_window_secs() -> f64 {
    60.0
}
fn default_metric_lag_secs() -> f64 {
    15.0
}
pub(super) fn default_scale_up_policies() -> Vec<ScalingPolicy> {
    vec![
        ScalingPolicy::Percent {
            value: 100,
            period_secs: 15.0,
        },
        ScalingPolicy::Pods {
            value: 4,
            period_secs: 15.0,
        },
    ]
}
fn default_scale_down_policies() -> Vec<ScalingPolicy> {
    vec![ScalingPolicy::Percent {
        value: 100,
        period_secs: 15.0,
    }]
}

impl Default for HpaConfig {
    fn default() -> Self {
        HpaConfig {
            metrics: default_metrics(),
            sync_period_secs: default_sync_period_secs(),
            tolerance: default_tolerance(),
            downscale_stabilization_secs: default_downscale_stabilization_secs(),
            behavior: None,
            cpu_initialization_period_secs: default_cpu_initialization_period_secs(),
            initial_readiness_delay_secs: default_initial_readiness_delay_secs(),
            metric_window_secs: default_metric_window_secs(),
            metric_lag_secs: default_metric_lag_secs(),
        }
    }
}

impl Default for ScaleUpRules {
    fn default() -> Self {
        ScaleUpRules {
            stabilization_window_secs: 0.0,
            select_policy: SelectPolicy::Max,
            policies: default_scale_up_policies(),
            tolerance: None,
        }
    }
}

impl Default for ScaleDownRules {
    fn default() -> Self {
        ScaleDownRules {
            stabilization_window_secs: None,
            select_policy: SelectPolicy::Max,
            policies: default_scale_down_policies(),
            tolerance: None,
        }
    }
}

/// A metric target checked and converted to the integers the controller works with.
#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    /// CPU utilization, target in whole percent of the request.
    Utilization { target_pct: i64 },
    /// Average per pod, target in milli-units.
    AverageValue { metric: Metric, target_milli: i64 },
    /// Pool-wide value, target in milli-units.
    Value { metric: Metric, target_milli: i64 },
    /// Pool-wide total per pod, target in milli-units.
    PoolAverageValue {
        metric: PoolMetric,
        target_milli: i64,
    },
}

impl Target {
    /// The quantity a proposal's value and target are reported in.
    pub(super) fn measure(self) -> Measure {
        match self {
            Target::Utilization { .. } => Measure::Cpu,
            Target::AverageValue {
                metric: Metric::Cpu,
                ..
            } => Measure::CpuCoresPerInstance,
            Target::AverageValue { metric, .. } | Target::Value { metric, .. } => metric.measure(),
            Target::PoolAverageValue { metric, .. } => metric.measure(),
        }
    }
}

/// One direction's rules, direction-independent.
#[derive(Clone, Debug)]
pub(super) struct Rules {
    pub(super) stabilization_window_secs: f64,
    pub(super) select_policy: SelectPolicy,
    pub(super) policies: Vec<ScalingPolicy>,
}

/// Kubernetes' API validation of a stabilization window: 0..=3600 seconds.
pub(super) fn stabilization_window(field: &str, value: f64) -> Result<(), ConfigError> {
    config::within(field, value, 0.0, MAX_STABILIZATION_WINDOW_SECS)
}

/// Checks one metric target and converts it to controller units.
pub(super) fn resolve_target(target: &MetricTarget) -> Result<Target, ConfigError> {
    let (kind, what, value) = match *target {
        MetricTarget::Utilization { metric, target } => {
            ("Utilization", format!("{metric:?}"), target)
        }
        MetricTarget::AverageValue { metric, target } => {
            ("AverageValue", format!("{metric:?}"), target)
        }
        MetricTarget::Value { metric, target } => ("Value", format!("{metric:?}"), target),
        MetricTarget::PoolAverageValue { metric, target } => {
            ("PoolAverageValue", format!("{metric:?}"), target)
        }
    };
    if !value.is_finite() || value <= 0.0 {
        return Err(ConfigError::invalid(
            "target",
            format!("{kind} target for {what} must be a positive number, got {value}"),
        ));
    }
    match *target {
        MetricTarget::Utilization { metric, target } => {
            if metric != Metric::Cpu {
                return Err(ConfigError::invalid(
                    "metric",
                    format!(
                        "Utilization is a share of a resource request and only Cpu has one; \
                         for {metric:?} use AverageValue{}",
                        if metric == Metric::LatencyP95 {
                            " or, as latency is pool-wide, Value"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            let pct = target * 100.0;
            // Kubernetes takes `averageUtilization` as an integer percent; the tolerance
            // absorbs float noise such as 0.29 * 100 = 28.999999999999996.
            if (pct - pct.round()).abs() > 1e-6 {
                return Err(ConfigError::invalid(
                    "target",
                    format!(
                        "Utilization target {target} is not a whole percent (Kubernetes takes \
                         an integer averageUtilization); write e.g. {:.2}",
                        pct.round() / 100.0
                    ),
                ));
            }
            Ok(Target::Utilization {
                target_pct: pct.round() as i64,
            })
        }
        MetricTarget::AverageValue { metric, target } => {
            if metric == Metric::LatencyP95 {
                return Err(ConfigError::invalid(
                    "metric",
                    "AverageValue needs a per-pod metric and LatencyP95 is pool-wide; use \
                     Value(metric: LatencyP95, target: ...)",
                ));
            }
            Ok(Target::AverageValue {
                metric,
                target_milli: target_milli(kind, &what, target)?,
            })
        }
        MetricTarget::Value { metric, target } => {
            if metric != Metric::LatencyP95 {
                return Err(ConfigError::invalid(
                    "metric",
                    format!(
                        "Value targets a pool-wide metric (LatencyP95); {metric:?} is per pod, \
                         use AverageValue(metric: {metric:?}, target: ...)"
                    ),
                ));
            }
            Ok(Target::Value {
                metric,
                target_milli: target_milli(kind, &what, target)?,
            })
        }
        MetricTarget::PoolAverageValue { metric, target } => Ok(Target::PoolAverageValue {
            metric,
            target_milli: target_milli(kind, &what, target)?,
        }),
    }
}

fn target_milli(kind: &str, what: &str, target: f64) -> Result<i64, ConfigError> {
    let milli = (target * 1000.0).round();
    if milli < 1.0 {
        return Err(ConfigError::invalid(
            "target",
            format!(
                "{kind} target {target} for {what} is below 0.001, the resolution of \
                 Kubernetes quantities"
            ),
        ));
    }
    Ok(milli as i64)
}

/// Checks one direction's behavior with the Kubernetes API validation ranges.
pub(super) fn check_rules(
    field: &str,
    stabilization_window_secs: f64,
    select_policy: SelectPolicy,
    policies: &[ScalingPolicy],
) -> Result<Rules, ConfigError> {
    stabilization_window(
        &format!("{field}.stabilization_window_secs"),
        stabilization_window_secs,
    )?;
    if policies.is_empty() {
        return Err(ConfigError::invalid(
            format!("{field}.policies"),
            "is empty; give at least one policy, or leave the field out for the default \
             (select_policy: Disabled forbids the direction)",
        ));
    }
    for (i, policy) in policies.iter().enumerate() {
        if policy.value() == 0 {
            return Err(ConfigError::invalid(
                format!("{field}.policies[{i}].value"),
                "must be greater than zero",
            ));
        }
        let period = policy.period_secs();
        if !(period > 0.0 && period <= MAX_POLICY_PERIOD_SECS) {
            return Err(ConfigError::invalid(
                format!("{field}.policies[{i}].period_secs"),
                format!("must be within (0, 1800], got {period}"),
            ));
        }
    }
    Ok(Rules {
        stabilization_window_secs,
        select_policy,
        policies: policies.to_vec(),
    })
}

impl PolicyConfig for HpaConfig {
    /// CPU utilization at 60 %, like the other policies' examples (a scenario that names
    /// no metric gets Kubernetes' 80 %), every other setting at Kubernetes' default.
    fn example(_pool: &PoolContext<'_>) -> Self {
        HpaConfig {
            metrics: vec![MetricTarget::Utilization {
                metric: Metric::Cpu,
                target: 0.6,
            }],
            ..HpaConfig::default()
        }
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(Hpa::new(self.clone())?))
    }
}
