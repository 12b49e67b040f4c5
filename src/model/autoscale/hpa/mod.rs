//! Kubernetes HorizontalPodAutoscaler (`autoscaling/v2`), computed the way the controller
//! computes it. Sources, read in kubernetes/kubernetes (master branch, 2025, after v1.33:
//! it has KEP-4951's per-direction tolerances):
//! - `pkg/controller/podautoscaler/horizontal.go`: `reconcileAutoscaler`,
//!   `recordInitialRecommendation`, `computeReplicasForMetrics`, `normalizeDesiredReplicas`
//!   with `stabilizeRecommendation` and `convertDesiredReplicasWithRules` (no `behavior`),
//!   `normalizeDesiredReplicasWithBehaviors` with `stabilizeRecommendationWithBehaviors`
//!   and `convertDesiredReplicasWithBehaviorRate` (with `behavior`), `tolerancesForHpa`;
//! - `pkg/controller/podautoscaler/replica_calculator.go`: `GetResourceReplicas`,
//!   `calcPlainMetricReplicas`, `GetObjectMetricReplicas`, `GetObjectPerPodMetricReplicas`,
//!   `GetExternalPerPodMetricReplicas`, `groupPods`, `Tolerances.isWithin`;
//! - `pkg/controller/podautoscaler/metrics/utilization.go`: `GetResourceUtilizationRatio`,
//!   `GetMetricUsageRatio`;
//! - `pkg/apis/autoscaling/v2/defaults.go`: `SetDefaults_HorizontalPodAutoscalerBehavior`;
//! - the user documentation,
//!   <https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/>.
//!
//! The unit tests reproduce upstream's own cases (`horizontal_test.go`,
//! `replica_calculator_test.go`) and name them.
//!
//! # What is modelled
//!
//! Every sync period (15 s):
//! 1. On its first evaluation the controller records the current replica count as a
//!    recommendation (`recordInitialRecommendation`), so a new HPA cannot go below the
//!    pool's size within its first scale-down stabilization window.
//! 2. A pool at 0 replicas with `min > 0` is left alone (scaling disabled); one outside
//!    `[min, max]` is brought back within them without looking at metrics.
//! 3. Every metric proposes a replica count on its own and the largest proposal wins. If
//!    some metric cannot be read and the others propose fewer pods than now, nothing
//!    changes (a missing metric may be the one that needs the pods).
//!    - `Utilization` (resource `cpu`): Σ usage ÷ Σ request over the ready pods with a
//!      sample, in whole percent (truncated), so pods of different sizes weigh by their
//!      request. Pods missing a sample count with their own request at
//!      `max(100 %, target)` on a scale-down and 0 % on a scale-up; not-ready pods count
//!      at 0 % on a scale-up and are dropped otherwise; then `ceil(ratio × pods counted)`
//!      unless that reverses the direction.
//!    - `AverageValue` (type `Pods`, or resource `cpu` in vCPU): the plain average of the
//!      ready pods' values, missing pods filled with the target on a scale-down.
//!    - `Value` on a pool-wide metric (type `Object`/`External`; here p95 latency):
//!      `ceil(value ÷ target × ready pods)`.
//!    - `PoolAverageValue` (type `Object`/`External` with `target.averageValue`; here the
//!      pool's requests per second or requests held): `ceil(total ÷ per-pod target)`,
//!      with the tolerance checked on `total ÷ (target × pods)`, independent of
//!      readiness.
//! 4. Tolerance: a ratio within `1 − down ≤ ratio ≤ 1 + up` proposes no change. Both
//!    default to `tolerance` (the controller's `--horizontal-pod-autoscaler-tolerance`,
//!    10 %); `behavior.scale_up.tolerance` / `behavior.scale_down.tolerance` set one
//!    direction (Kubernetes ≥ 1.33, `HPAConfigurableTolerance`).
//! 5. Normalization of the largest proposal:
//!    - without `behavior` (the legacy path, `normalizeDesiredReplicas`): the highest
//!      recommendation of the last `downscale_stabilization_secs` (the controller's
//!      `--horizontal-pod-autoscaler-downscale-stabilization`, 300 s), no scale-up
//!      stabilization, and at most `max(2 × current, 4)` pods per evaluation, then
//!      `[min, max]`. For 3 pods wanting 1,000 that gives 6.
//!    - with `behavior` (even an empty one): the v2 defaults fill whatever it leaves out
//!      (`SetDefaults_HorizontalPodAutoscalerBehavior`): scale-up stabilization 0 s and
//!      the larger of +100 % and +4 pods per 15 s; scale-down stabilization from the
//!      controller flag and −100 % per 15 s. The stabilization windows bound the result
//!      by past recommendations, the policies by past scale events. For 3 pods wanting
//!      1,000 that gives 7.
//! 6. Replica counts are `int32` in the Kubernetes API: proposals clamp at `i32::MAX`.
//!
//! # Pod states
//!
//! - [`Readiness::Booting`] is a `Pending` pod: set aside as not ready for every metric
//!   (counted as 0 on a scale-up, dropped otherwise).
//! - [`Readiness::Warming`] is a running pod that has not yet become `Ready`: for CPU its
//!   sample is not trusted (ignored as not ready); other metrics count it, as upstream
//!   checks readiness for CPU only; it is not in the ready-pod count of `Value` targets.
//! - [`Readiness::Ready`] is a `Ready` pod. Within the CPU initialization period its CPU
//!   sample is still ignored until one full metric window has been collected since it
//!   became ready.
//! - Any running pod without a sample for the metric is *missing* (upstream checks for a
//!   sample before it checks readiness).
//!
//! Quantities are handled as Kubernetes does: per-pod values and targets in milli-units
//! (integers), CPU utilization as a whole percent of the request (truncated), ratios as
//! `f64`, so edge cases round the way the real controller rounds them. Decisions report
//! CPU utilization as a fraction (0.81 for 81 %), every other value in its own unit per
//! pod (see [`Hpa::measure`](Autoscaler::measure)).
//!
//! # Where the model simplifies
//!
//! - A pod's CPU request is its workers, one vCPU each (the type's vCPUs unless the pool
//!   sets `workers`), and its usage never exceeds it: requests equal limits. Kubernetes
//!   lets a burstable pod use more than its request (utilization above 100 %).
//! - A pod's readiness time is the end of its boot (`boot_secs` after launch), the only
//!   one the observation has; a warming pod has been not-ready since launch.
//! - Draining instances are not members of the pool, as upstream ignores pods with a
//!   deletion timestamp; "status replicas" (`PoolAverageValue`) are the pool's live
//!   instances, booting ones included, and "spec replicas" its desired capacity.
//! - Metrics are averages over `metric_window_secs` delivered `metric_lag_secs` late, not
//!   metrics-server's scrapes. `PoolAverageValue` on `Queue` sums the requests held by
//!   the instances that reported a sample in the window.
//! - Syncs fall on exact multiples of the period, so a recommendation lies exactly on a
//!   window's edge more often than in a real cluster; the edge is treated as upstream's
//!   comparisons do: the legacy path keeps it (`timestamp.Before(cutoff)` drops only
//!   older ones), the behavior path drops it (`timestamp.After(cutoff)` keeps only newer).
//! - Not modelled: container resource metrics, memory, pod-level resources, scaling to
//!   zero (`HPAScaleToZero`), the controller's status and event writes.
//! - While a hold does not change (same reason, same capacity), the recommendation
//!   repeats the `raw_desired` of its first evaluation, so the decision log shows one
//!   row per hold instead of one per 15 s sync (the raw count moves with every sample).

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, InstanceSample, Measure, Metric, Observation, Readiness, Recommendation};
use crate::model::config::{self, ConfigError, FieldPath, non_negative, positive};

/// Milli-units of CPU request per worker: one vCPU.
const MILLI_PER_WORKER: i64 = 1000;

/// Kubernetes API validation: `periodSeconds` must be in (0, 1800].
const MAX_POLICY_PERIOD_SECS: f64 = 1800.0;

/// Kubernetes API validation: `stabilizationWindowSeconds` must be in [0, 3600].
const MAX_STABILIZATION_WINDOW_SECS: f64 = 3600.0;

/// `scaleUpLimitFactor` and `scaleUpLimitMinimum` of `horizontal.go`: without `behavior`
/// a sync may set at most `max(2 × current, 4)` replicas.
const LEGACY_SCALE_UP_FACTOR: f64 = 2.0;
const LEGACY_SCALE_UP_MINIMUM: f64 = 4.0;

/// Replica counts are `int32` in the Kubernetes API.
const MAX_REPLICAS: u32 = i32::MAX as u32;

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
    fn name(self) -> &'static str {
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

    fn unit(self) -> &'static str {
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
    fn period_secs(self) -> f64 {
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
    fn label(self) -> String {
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
fn default_scale_up_policies() -> Vec<ScalingPolicy> {
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
enum Target {
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
    fn measure(self) -> Measure {
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

/// `Tolerances` of `replica_calculator.go`: the ratio band within which nothing changes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tolerances {
    down: f64,
    up: f64,
}

impl Tolerances {
    /// `isWithin`: `1 - down <= ratio <= 1 + up`. A NaN ratio is never within.
    fn within(self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// One direction's rules, direction-independent.
#[derive(Clone, Debug)]
struct Rules {
    stabilization_window_secs: f64,
    select_policy: SelectPolicy,
    policies: Vec<ScalingPolicy>,
}

/// How the largest proposal becomes the desired count.
#[derive(Clone, Debug)]
enum Normalization {
    /// No `behavior`: `normalizeDesiredReplicas`.
    Legacy { downscale_window_secs: f64 },
    /// `behavior` with the defaults filled in: `normalizeDesiredReplicasWithBehaviors`.
    Behavior { scale_up: Rules, scale_down: Rules },
}

/// A past change of the pool's size, for the rate limits.
#[derive(Clone, Copy, Debug)]
struct ScaleEvent {
    at_secs: f64,
    replicas: u32,
}

/// What held a recommendation back, for telling one hold from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limiter {
    ScaleUpStabilization,
    ScaleDownStabilization,
    ScaleUpRate,
    ScaleDownRate,
    AtMax,
    AtMin,
}

/// A hold as first reported: what held, at what capacity, and the raw count then.
#[derive(Clone, Copy, Debug)]
struct Hold {
    limiter: Limiter,
    capacity: u32,
    raw_desired: u32,
}

/// The Kubernetes HPA controller for one pool, with the state the controller keeps:
/// recent recommendations (for stabilization) and recent scale events (for rate limits).
#[derive(Clone, Debug)]
pub struct Hpa {
    config: HpaConfig,
    targets: Vec<Target>,
    tolerances: Tolerances,
    normalization: Normalization,
    /// `(time in seconds, raw recommendation)`, pruned once outside every window.
    recommendations: Vec<(f64, u32)>,
    /// Whether the first evaluation recorded the initial recommendation.
    initialized: bool,
    scale_up_events: Vec<ScaleEvent>,
    scale_down_events: Vec<ScaleEvent>,
    /// The quantity of the metric that decided the last recommendation.
    last_measure: Option<Measure>,
    /// The hold under way, if the last evaluations held.
    hold: Option<Hold>,
}

/// Why a metric gives no proposal at this sync (upstream's `computeReplicasForMetric`
/// returns an error and the controller goes on with the other metrics).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum MissingMetric {
    /// No ready pod reported the metric.
    #[error("no ready pods with metrics ({metric})")]
    NoReadyPods {
        /// The metric's name.
        metric: &'static str,
    },
    /// The pods have no resource request to take a utilization of.
    #[error("the {pods} request no {metric} (no workers)")]
    NoRequest {
        /// The metric's name.
        metric: &'static str,
        /// Which pods: "ready pods" or "pods".
        pods: &'static str,
    },
    /// Nothing reached the monitoring system in the window.
    #[error("no {metric} samples in the window")]
    NoSamples {
        /// The metric's name.
        metric: &'static str,
    },
    /// The samples gave no number.
    #[error("{metric} is not a number")]
    NotANumber {
        /// The metric's name.
        metric: &'static str,
    },
}

/// The reasons metrics are missing, as one phrase for the decision log.
fn joined(failures: &[MissingMetric]) -> String {
    let words: Vec<String> = failures.iter().map(ToString::to_string).collect();
    words.join("; ")
}

impl Hpa {
    /// Checks `config` and builds the controller; the error says which field is wrong
    /// and why.
    pub fn new(config: HpaConfig) -> Result<Hpa, ConfigError> {
        if config.metrics.is_empty() {
            return Err(ConfigError::invalid(
                "metrics",
                "is empty; give at least one target, e.g. Utilization(metric: Cpu, target: 0.6)",
            ));
        }
        let targets = config
            .metrics
            .iter()
            .enumerate()
            .map(|(i, m)| {
                resolve_target(m).map_err(|e| e.under(FieldPath::root().field("metrics").index(i)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        positive("sync_period_secs", config.sync_period_secs)?;
        non_negative("tolerance", config.tolerance)?;
        stabilization_window(
            "downscale_stabilization_secs",
            config.downscale_stabilization_secs,
        )?;
        non_negative(
            "cpu_initialization_period_secs",
            config.cpu_initialization_period_secs,
        )?;
        non_negative(
            "initial_readiness_delay_secs",
            config.initial_readiness_delay_secs,
        )?;
        positive("metric_window_secs", config.metric_window_secs)?;
        non_negative("metric_lag_secs", config.metric_lag_secs)?;
        let mut tolerances = Tolerances {
            down: config.tolerance,
            up: config.tolerance,
        };
        let normalization = match &config.behavior {
            None => Normalization::Legacy {
                downscale_window_secs: config.downscale_stabilization_secs,
            },
            Some(behavior) => {
                let up = &behavior.scale_up;
                let scale_up = check_rules(
                    "behavior.scale_up",
                    up.stabilization_window_secs,
                    up.select_policy,
                    &up.policies,
                )?;
                let down = &behavior.scale_down;
                let scale_down = check_rules(
                    "behavior.scale_down",
                    down.stabilization_window_secs
                        .unwrap_or(config.downscale_stabilization_secs),
                    down.select_policy,
                    &down.policies,
                )?;
                // `tolerancesForHpa`: a direction's own tolerance replaces the flag's.
                if let Some(t) = up.tolerance {
                    non_negative("behavior.scale_up.tolerance", t)?;
                    tolerances.up = t;
                }
                if let Some(t) = down.tolerance {
                    non_negative("behavior.scale_down.tolerance", t)?;
                    tolerances.down = t;
                }
                Normalization::Behavior {
                    scale_up,
                    scale_down,
                }
            }
        };
        Ok(Hpa {
            config,
            targets,
            tolerances,
            normalization,
            recommendations: Vec::new(),
            initialized: false,
            scale_up_events: Vec::new(),
            scale_down_events: Vec::new(),
            last_measure: None,
            hold: None,
        })
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &HpaConfig {
        &self.config
    }

    /// One metric's proposal (`computeReplicasForMetric`), or why it has none.
    fn propose(&self, target: Target, obs: &Observation) -> Result<Proposal, MissingMetric> {
        match target {
            Target::Utilization { target_pct } => {
                self.pod_metric(obs, Metric::Cpu, Usage::Utilization { target_pct })
            }
            Target::AverageValue {
                metric,
                target_milli,
            } => self.pod_metric(obs, metric, Usage::Average { target_milli }),
            Target::Value {
                metric,
                target_milli,
            } => self.object_metric(obs, metric, target_milli),
            Target::PoolAverageValue {
                metric,
                target_milli,
            } => self.pool_average(obs, metric, target_milli),
        }
    }

    /// Sorts the pods for one metric as `groupPods` does, each with its CPU request.
    fn group_pods(&self, obs: &Observation, metric: Metric) -> PodGroups {
        let mut groups = PodGroups::default();
        for pod in &obs.instances {
            let request_milli = i64::from(pod.workers).saturating_mul(MILLI_PER_WORKER);
            if pod.readiness == Readiness::Booting {
                groups.unready.push(request_milli);
                continue;
            }
            let Some(milli) = pod_value(pod, metric).and_then(to_milli) else {
                groups.missing.push(request_milli);
                continue;
            };
            if metric == Metric::Cpu && self.cpu_sample_untrusted(pod, obs) {
                groups.unready.push(request_milli);
                continue;
            }
            groups.ready.push(PodValue {
                milli,
                request_milli,
            });
        }
        groups
    }

    /// The CPU readiness rule of `groupPods`.
    fn cpu_sample_untrusted(&self, pod: &InstanceSample, obs: &Observation) -> bool {
        let within_init = pod.age_secs < self.config.cpu_initialization_period_secs;
        match pod.readiness {
            Readiness::Booting => true,
            // Not ready: inside the initialization period always ignored; after it,
            // ignored if it never was ready, i.e. it turned not-ready (at launch, in this
            // model) within the initial readiness delay of its start.
            Readiness::Warming => within_init || self.config.initial_readiness_delay_secs > 0.0,
            // Ready: inside the initialization period, ignored until a whole sample window
            // lies after the moment it became ready. We take that moment as the end of
            // boot, the only readiness time the observation gives.
            Readiness::Ready => {
                let since_ready_secs = pod.age_secs - obs.boot_secs;
                within_init
                    && since_ready_secs
                        < self.config.metric_window_secs + self.config.metric_lag_secs
            }
        }
    }

    /// `GetResourceReplicas` (utilization) and `calcPlainMetricReplicas` (average value).
    fn pod_metric(
        &self,
        obs: &Observation,
        metric: Metric,
        usage: Usage,
    ) -> Result<Proposal, MissingMetric> {
        let current = obs.current;
        let groups = self.group_pods(obs, metric);
        if groups.ready.is_empty() {
            return Err(MissingMetric::NoReadyPods {
                metric: metric.label(),
            });
        }
        let Some(measured) = usage.current(&groups.ready) else {
            return Err(MissingMetric::NoRequest {
                metric: metric.label(),
                pods: "ready pods",
            });
        };
        let ratio = usage.ratio(measured);
        let head = usage.describe(metric, measured);
        let proposal = |replicas: u32, text: String| Proposal {
            replicas,
            value: usage.display_value(measured),
            target: usage.display_target(),
            text,
        };

        let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            if self.tolerances.within(ratio) {
                return Ok(proposal(
                    current,
                    format!("{head}: within tolerance (ratio {ratio:.2})"),
                ));
            }
            let replicas = ceil_replicas(ratio * groups.ready.len() as f64);
            return Ok(proposal(
                replicas,
                format!("{head}: ratio {ratio:.2} -> {replicas}"),
            ));
        }

        // The conservative rule: fill in the pods we could not trust so that they damp
        // the move rather than drive it, each with its own request.
        let mut values = groups.ready.clone();
        let mut fills = Vec::new();
        let missing = groups.missing.len();
        if missing > 0 {
            if ratio < 1.0 {
                values.extend(groups.missing.iter().map(|&request_milli| PodValue {
                    milli: usage.missing_on_scale_down(request_milli),
                    request_milli,
                }));
                fills.push(format!(
                    "{missing} missing counted at {}",
                    usage.describe_fill()
                ));
            } else if ratio > 1.0 {
                values.extend(groups.missing.iter().map(|&request_milli| PodValue {
                    milli: 0,
                    request_milli,
                }));
                fills.push(format!("{missing} missing counted as 0"));
            } else {
                fills.push(format!("{missing} missing left out"));
            }
        }
        if scale_up_with_unready {
            values.extend(groups.unready.iter().map(|&request_milli| PodValue {
                milli: 0,
                request_milli,
            }));
            fills.push(format!("{} not ready counted as 0", groups.unready.len()));
        }
        let Some(new_measured) = usage.current(&values) else {
            return Err(MissingMetric::NoRequest {
                metric: metric.label(),
                pods: "pods",
            });
        };
        let new_ratio = usage.ratio(new_measured);
        let adjusted = format!(
            "{head}: ratio {ratio:.2}; {} -> ratio {new_ratio:.2}",
            fills.join(", ")
        );
        if self.tolerances.within(new_ratio) {
            return Ok(proposal(current, format!("{adjusted}: within tolerance")));
        }
        if (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
            return Ok(proposal(
                current,
                format!("{adjusted}: direction reversed, hold"),
            ));
        }
        let replicas = ceil_replicas(new_ratio * values.len() as f64);
        // Counting the filled-in pods can still point the other way; upstream guards both
        // resource and plain metrics against that.
        if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
            return Ok(proposal(
                current,
                format!("{adjusted} -> {replicas} moves against the ratio, hold"),
            ));
        }
        Ok(proposal(replicas, format!("{adjusted} -> {replicas}")))
    }

    /// `GetObjectMetricReplicas` / `GetExternalMetricReplicas` with a `Value` target
    /// (`getUsageRatioReplicaCount`): `ceil(value / target * ready pods)`.
    fn object_metric(
        &self,
        obs: &Observation,
        metric: Metric,
        target_milli: i64,
    ) -> Result<Proposal, MissingMetric> {
        let Some(value) = obs.ready_average(metric) else {
            return Err(MissingMetric::NoSamples {
                metric: metric.label(),
            });
        };
        let Some(value_milli) = to_milli(value) else {
            return Err(MissingMetric::NotANumber {
                metric: metric.label(),
            });
        };
        let ratio = value_milli as f64 / target_milli as f64;
        let head = format!(
            "{} {:.3} s vs target {:.3} s",
            metric.label(),
            value_milli as f64 / 1000.0,
            target_milli as f64 / 1000.0
        );
        let (replicas, text) = if obs.current == 0 {
            // Scale from zero: the ready pods would be none, so upstream uses the ratio alone.
            let replicas = ceil_replicas(ratio);
            (
                replicas,
                format!("{head}: ratio {ratio:.2} from 0 -> {replicas}"),
            )
        } else if self.tolerances.within(ratio) {
            (
                obs.current,
                format!("{head}: within tolerance (ratio {ratio:.2})"),
            )
        } else {
            // Ready pods are those serving and Ready; while all are pending this gives 0,
            // as upstream does, and min/max and stabilization decide.
            let ready = obs.count(Readiness::Ready);
            let replicas = ceil_replicas(ratio * f64::from(ready));
            (
                replicas,
                format!("{head}: ratio {ratio:.2} x {ready} ready -> {replicas}"),
            )
        };
        Ok(Proposal {
            replicas,
            value: value_milli as f64 / 1000.0,
            target: target_milli as f64 / 1000.0,
            text,
        })
    }

    /// `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`: the pool's
    /// total shared out per pod, `ceil(total / target)`, unless `total / (target × pods)`
    /// is within tolerance; pods are all the pool's live instances (`status.replicas`),
    /// ready or not.
    fn pool_average(
        &self,
        obs: &Observation,
        metric: PoolMetric,
        target_milli: i64,
    ) -> Result<Proposal, MissingMetric> {
        let total = match metric {
            PoolMetric::RequestsPerSec => obs.arrivals_per_sec,
            PoolMetric::Queue => {
                let held: Vec<f64> = obs.instances.iter().filter_map(|i| i.queue).collect();
                (!held.is_empty()).then(|| held.iter().sum::<f64>())
            }
        };
        let Some(total) = total else {
            return Err(MissingMetric::NoSamples {
                metric: metric.name(),
            });
        };
        let Some(total_milli) = to_milli(total) else {
            return Err(MissingMetric::NotANumber {
                metric: metric.name(),
            });
        };
        let pods = u32::try_from(obs.instances.len()).unwrap_or(MAX_REPLICAS);
        let ratio = total_milli as f64 / (target_milli as f64 * f64::from(pods));
        // As the HPA status reports it: the total per pod, rounded up to a milli-unit.
        let per_pod_milli = if pods == 0 {
            total_milli
        } else {
            (total_milli as f64 / f64::from(pods)).ceil() as i64
        };
        let (value, target) = (per_pod_milli as f64 / 1000.0, target_milli as f64 / 1000.0);
        let unit = metric.unit();
        let head = format!(
            "{} {:.1}{unit} over {pods} pods = {value:.1}{unit} per pod vs target {target:.1}{unit}",
            metric.name(),
            total_milli as f64 / 1000.0,
        );
        let (replicas, text) = if self.tolerances.within(ratio) {
            (pods, format!("{head}: within tolerance (ratio {ratio:.2})"))
        } else {
            let replicas = ceil_replicas(total_milli as f64 / target_milli as f64);
            (
                replicas,
                format!("{head}: ratio {ratio:.2} -> total / target = {replicas}"),
            )
        };
        Ok(Proposal {
            replicas,
            value,
            target,
            text,
        })
    }

    /// Normalizes the largest proposal; returns the desired count, what held it back in
    /// words, and what held it last.
    fn normalize(&mut self, obs: &Observation, raw: u32) -> (u32, Vec<String>, Option<Limiter>) {
        match &self.normalization {
            Normalization::Legacy {
                downscale_window_secs,
            } => {
                let window = *downscale_window_secs;
                self.normalize_legacy(obs, raw, window)
            }
            Normalization::Behavior { .. } => self.normalize_with_behaviors(obs, raw),
        }
    }

    /// `stabilizeRecommendation`: the highest of `raw` and the recommendations of the
    /// last `window_secs` (one exactly `window_secs` old included), then `raw` recorded.
    fn stabilize_legacy(&mut self, now: f64, raw: u32, window_secs: f64) -> u32 {
        let cutoff = now - window_secs;
        self.recommendations.retain(|&(at, _)| at >= cutoff);
        let stabilized = self
            .recommendations
            .iter()
            .map(|&(_, rec)| rec)
            .fold(raw, u32::max);
        self.recommendations.push((now, raw));
        stabilized
    }

    /// `normalizeDesiredReplicas`: scale-down stabilization, then
    /// `convertDesiredReplicasWithRules` (at most `max(2 × current, 4)`, then min/max).
    fn normalize_legacy(
        &mut self,
        obs: &Observation,
        raw: u32,
        window_secs: f64,
    ) -> (u32, Vec<String>, Option<Limiter>) {
        let current = obs.current;
        let mut notes = Vec::new();
        let mut limiter = None;
        let stabilized = self.stabilize_legacy(obs.now_secs, raw, window_secs);
        if stabilized != raw {
            notes.push(format!(
                "scale-down stabilization holds {stabilized} (max recommendation in the last {window_secs} s)"
            ));
            limiter = Some(Limiter::ScaleDownStabilization);
        }
        let scale_up_limit = legacy_scale_up_limit(current);
        let (max_allowed, at_max) = if obs.max > scale_up_limit {
            (scale_up_limit, false)
        } else {
            (obs.max, true)
        };
        let mut desired = stabilized;
        if stabilized < obs.min {
            desired = obs.min;
            notes.push(format!("at min {}", obs.min));
            limiter = Some(Limiter::AtMin);
        } else if stabilized > max_allowed {
            desired = max_allowed;
            if at_max {
                notes.push(format!("at max {}", obs.max));
                limiter = Some(Limiter::AtMax);
            } else {
                notes.push(format!(
                    "scale-up limited to {scale_up_limit} (max(2 x {current}, 4))"
                ));
                limiter = Some(Limiter::ScaleUpRate);
            }
        }
        (desired, notes, limiter)
    }

    /// `normalizeDesiredReplicasWithBehaviors`: stabilization, then rate limits and
    /// min/max.
    fn normalize_with_behaviors(
        &mut self,
        obs: &Observation,
        raw: u32,
    ) -> (u32, Vec<String>, Option<Limiter>) {
        let Normalization::Behavior {
            scale_up,
            scale_down,
        } = &self.normalization
        else {
            return (raw, Vec::new(), None);
        };
        let (up_window, down_window) = (
            scale_up.stabilization_window_secs,
            scale_down.stabilization_window_secs,
        );
        let now = obs.now_secs;
        let current = obs.current;
        let mut notes = Vec::new();
        let mut limiter = None;

        // `stabilizeRecommendationWithBehaviors`: the result may not go above the lowest
        // recommendation of the scale-up window nor below the highest of the scale-down
        // window (both windows exclude a recommendation exactly their length old).
        let up_cutoff = now - up_window;
        let down_cutoff = now - down_window;
        let mut up_rec = raw;
        let mut down_rec = raw;
        for &(at, rec) in &self.recommendations {
            if at > up_cutoff {
                up_rec = up_rec.min(rec);
            }
            if at > down_cutoff {
                down_rec = down_rec.max(rec);
            }
        }
        let mut stabilized = current;
        if stabilized < up_rec {
            stabilized = up_rec;
        }
        if stabilized > down_rec {
            stabilized = down_rec;
        }
        let keep_after = now - up_window.max(down_window);
        self.recommendations.retain(|&(at, _)| at > keep_after);
        self.recommendations.push((now, raw));
        if stabilized != raw {
            if raw >= current {
                notes.push(format!(
                    "scale-up stabilization holds {stabilized} (min recommendation in the last {up_window} s)"
                ));
                limiter = Some(Limiter::ScaleUpStabilization);
            } else {
                notes.push(format!(
                    "scale-down stabilization holds {stabilized} (max recommendation in the last {down_window} s)"
                ));
                limiter = Some(Limiter::ScaleDownStabilization);
            }
        }

        // Rate limits and bounds (`convertDesiredReplicasWithBehaviorRate`).
        self.prune_events(now);
        let mut desired = stabilized;
        if stabilized > current {
            let limit = self.scale_up_limit(now, current);
            if i64::from(obs.max) <= limit.replicas {
                if stabilized > obs.max {
                    desired = obs.max;
                    notes.push(format!("at max {}", obs.max));
                    limiter = Some(Limiter::AtMax);
                }
            } else if i64::from(stabilized) > limit.replicas {
                // limit.replicas is within current..max here, so it fits in u32.
                desired = u32::try_from(limit.replicas).unwrap_or(current);
                notes.push(limit.describe("scale-up", current));
                limiter = Some(Limiter::ScaleUpRate);
            }
        } else if stabilized < current {
            let limit = self.scale_down_limit(now, current);
            if i64::from(obs.min) >= limit.replicas {
                if stabilized < obs.min {
                    desired = obs.min;
                    notes.push(format!("at min {}", obs.min));
                    limiter = Some(Limiter::AtMin);
                }
            } else if i64::from(stabilized) < limit.replicas {
                // limit.replicas is within min..current here, so it fits in u32.
                desired = u32::try_from(limit.replicas).unwrap_or(current);
                notes.push(limit.describe("scale-down", current));
                limiter = Some(Limiter::ScaleDownRate);
            }
        }
        (desired, notes, limiter)
    }

    /// The rules of both directions (empty on the legacy path, which has no policies).
    fn behavior_rules(&self) -> Option<(&Rules, &Rules)> {
        match &self.normalization {
            Normalization::Behavior {
                scale_up,
                scale_down,
            } => Some((scale_up, scale_down)),
            Normalization::Legacy { .. } => None,
        }
    }

    /// Forgets scale events no policy period can still see.
    fn prune_events(&mut self, now: f64) {
        let longest = self
            .behavior_rules()
            .map(|(up, down)| {
                up.policies
                    .iter()
                    .chain(&down.policies)
                    .map(|p| p.period_secs())
                    .fold(0.0, f64::max)
            })
            .unwrap_or(0.0);
        // Both lists are kept for the longest period of either direction, because the
        // start of a period counts the changes in both directions.
        let keep_after = now - longest;
        self.scale_up_events.retain(|e| e.at_secs > keep_after);
        self.scale_down_events.retain(|e| e.at_secs > keep_after);
    }

    /// The replica count at the start of a policy's period:
    /// `current - added in the period + removed in the period`.
    fn period_start(&self, now: f64, current: u32, period_secs: f64) -> i64 {
        let cutoff = now - period_secs;
        let added: i64 = self
            .scale_up_events
            .iter()
            .filter(|e| e.at_secs > cutoff)
            .map(|e| i64::from(e.replicas))
            .sum();
        let removed: i64 = self
            .scale_down_events
            .iter()
            .filter(|e| e.at_secs > cutoff)
            .map(|e| i64::from(e.replicas))
            .sum();
        i64::from(current) - added + removed
    }

    /// `calculateScaleUpLimitWithScalingRules`, floored at `current`.
    fn scale_up_limit(&self, now: f64, current: u32) -> Limit {
        let Some((rules, _)) = self.behavior_rules() else {
            return Limit::disabled(current);
        };
        if rules.select_policy == SelectPolicy::Disabled {
            return Limit::disabled(current);
        }
        let mut best: Option<Limit> = None;
        for &policy in &rules.policies {
            let start = self.period_start(now, current, policy.period_secs());
            let proposed = match policy {
                ScalingPolicy::Pods { value, .. } => start + i64::from(value),
                // Rounded up, or a small pool could never grow by a percentage.
                ScalingPolicy::Percent { value, .. } => {
                    (start as f64 * (1.0 + f64::from(value) / 100.0)).ceil() as i64
                }
            };
            let better = match (&best, rules.select_policy) {
                (None, _) => true,
                (Some(b), SelectPolicy::Min) => proposed < b.replicas,
                (Some(b), _) => proposed > b.replicas,
            };
            if better {
                best = Some(Limit {
                    replicas: proposed,
                    policy: Some(policy),
                    period_start: start,
                });
            }
        }
        let mut limit = best.unwrap_or(Limit::disabled(current));
        // Already grown by the whole allowance this period: wait for events to age out.
        limit.replicas = limit.replicas.max(i64::from(current));
        limit
    }

    /// `calculateScaleDownLimitWithBehaviors`, capped at `current`.
    fn scale_down_limit(&self, now: f64, current: u32) -> Limit {
        let Some((_, rules)) = self.behavior_rules() else {
            return Limit::disabled(current);
        };
        if rules.select_policy == SelectPolicy::Disabled {
            return Limit::disabled(current);
        }
        let mut best: Option<Limit> = None;
        for &policy in &rules.policies {
            let start = self.period_start(now, current, policy.period_secs());
            let proposed = match policy {
                ScalingPolicy::Pods { value, .. } => start - i64::from(value),
                // Truncated like Go's int32(): the number removed is rounded up.
                ScalingPolicy::Percent { value, .. } => {
                    (start as f64 * (1.0 - f64::from(value) / 100.0)) as i64
                }
            };
            let better = match (&best, rules.select_policy) {
                (None, _) => true,
                (Some(b), SelectPolicy::Min) => proposed > b.replicas,
                (Some(b), _) => proposed < b.replicas,
            };
            if better {
                best = Some(Limit {
                    replicas: proposed,
                    policy: Some(policy),
                    period_start: start,
                });
            }
        }
        let mut limit = best.unwrap_or(Limit::disabled(current));
        // Already shrunk by the whole allowance this period: wait for events to age out.
        limit.replicas = limit.replicas.min(i64::from(current));
        limit
    }

    /// The `raw_desired` to report for a decision that held `current` back because of
    /// `limiter`: the raw count of the hold's first evaluation while the hold is the same
    /// (same limiter, same capacity), so the world logs it once.
    fn report_hold(&mut self, limiter: Limiter, current: u32, raw: u32) -> u32 {
        match self.hold {
            Some(h) if h.limiter == limiter && h.capacity == current => h.raw_desired,
            _ => {
                self.hold = Some(Hold {
                    limiter,
                    capacity: current,
                    raw_desired: raw,
                });
                raw
            }
        }
    }
}

impl Autoscaler for Hpa {
    fn name(&self) -> &'static str {
        "hpa"
    }

    fn period_secs(&self) -> f64 {
        self.config.sync_period_secs
    }

    /// A 60 s resource-metrics window delivered with a 15 s scrape lag by default
    /// (`metric_window_secs`, `metric_lag_secs`).
    fn window_secs(&self) -> (f64, f64) {
        (self.config.metric_window_secs, self.config.metric_lag_secs)
    }

    /// The metric that decided the last recommendation (the largest proposal): CPU
    /// utilization as a fraction, an `AverageValue` on CPU in vCPU per pod, other
    /// per-pod and pool-wide averages per pod, latency in seconds.
    fn measure(&self) -> Option<Measure> {
        self.last_measure
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let current = obs.current;
        // `recordInitialRecommendation`: before anything else, the current count is the
        // first recommendation, so the scale-down window starts from it.
        if !self.initialized {
            self.recommendations.push((obs.now_secs, current));
            self.initialized = true;
        }
        self.last_measure = None;
        // A hold is the same hold only while the capacity has not moved in between.
        if self.hold.is_some_and(|h| h.capacity != current) {
            self.hold = None;
        }
        // `reconcileAutoscaler`: a target scaled to zero by hand is left alone, and a
        // count outside the bounds is brought back without looking at metrics.
        if current == 0 && obs.min > 0 {
            return Recommendation::hold(
                0,
                "scaling disabled: the pool is at 0 replicas (Kubernetes leaves it there)",
            );
        }
        if current > obs.max {
            return Recommendation {
                desired: obs.max,
                raw_desired: obs.max,
                metric_value: None,
                target: None,
                reason: format!("{current} is above max {}: -> {}", obs.max, obs.max),
            };
        }
        if current < obs.min {
            return Recommendation {
                desired: obs.min,
                raw_desired: obs.min,
                metric_value: None,
                target: None,
                reason: format!("{current} is below min {}: -> {}", obs.min, obs.min),
            };
        }

        // `computeReplicasForMetrics`: every metric on its own, the largest wins; the
        // first of equal proposals is the one reported.
        let mut best: Option<(Proposal, Measure)> = None;
        let mut failures = Vec::new();
        for &target in &self.targets {
            match self.propose(target, obs) {
                Ok(p) => {
                    if best.as_ref().is_none_or(|(b, _)| p.replicas > b.replicas) {
                        best = Some((p, target.measure()));
                    }
                }
                Err(e) => failures.push(e),
            }
        }
        let Some((best, measure)) = best else {
            return Recommendation::hold(current, format!("{}: hold", joined(&failures)));
        };
        self.last_measure = Some(measure);
        // A metric we cannot read might be the one that needs the capacity, so without
        // it scaling down is not safe (scaling up still is). Upstream returns before
        // normalizing, so no recommendation is recorded.
        if !failures.is_empty() && best.replicas < current {
            return Recommendation {
                desired: current,
                raw_desired: current,
                metric_value: Some(best.value),
                target: Some(best.target),
                reason: format!(
                    "{}; but {}: no scale-down while a metric is missing, hold",
                    best.text,
                    joined(&failures)
                ),
            };
        }

        let raw = best.replicas;
        let (desired, notes, limiter) = self.normalize(obs, raw);
        let mut reason = best.text;
        for note in notes {
            reason.push_str("; ");
            reason.push_str(&note);
        }
        for failure in failures {
            reason.push_str(&format!(" ({failure})"));
        }
        let raw_desired = match limiter {
            Some(limiter) if desired == current && raw != current => {
                self.report_hold(limiter, current, raw)
            }
            _ => raw,
        };
        Recommendation {
            desired,
            raw_desired,
            metric_value: Some(best.value),
            target: Some(best.target),
            reason,
        }
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        self.hold = None;
        // `storeScaleEvent`: what was added or removed, and when, for the rate limits.
        if to > from {
            self.scale_up_events.push(ScaleEvent {
                at_secs: now_secs,
                replicas: to - from,
            });
        } else if to < from {
            self.scale_down_events.push(ScaleEvent {
                at_secs: now_secs,
                replicas: from - to,
            });
        }
        self.prune_events(now_secs);
    }
}

/// One metric's answer.
#[derive(Clone, Debug)]
struct Proposal {
    replicas: u32,
    /// The measured value as the HPA status reports it (without filled-in pods), in the
    /// target's measure (a fraction for utilization).
    value: f64,
    /// The target, in the same measure.
    target: f64,
    /// "cpu 81% vs target 60%: ratio 1.35 -> 6".
    text: String,
}

/// One pod's sample and CPU request, both in milli-units.
#[derive(Clone, Copy, Debug)]
struct PodValue {
    milli: i64,
    request_milli: i64,
}

/// Pods sorted for one metric: the ready pods' samples, and the requests of the pods set
/// aside as not ready or missing a sample.
#[derive(Clone, Debug, Default)]
struct PodGroups {
    ready: Vec<PodValue>,
    unready: Vec<i64>,
    missing: Vec<i64>,
}

/// How per-pod milli-values become a usage ratio for a pod metric.
#[derive(Clone, Copy, Debug)]
enum Usage {
    /// Resource utilization: whole percent of the summed requests.
    Utilization { target_pct: i64 },
    /// Plain average: milli-units per pod.
    Average { target_milli: i64 },
}

impl Usage {
    /// Current usage in the controller's integer unit: utilization percent, Σ usage × 100
    /// ÷ Σ request truncated (`GetResourceUtilizationRatio`), or the average milli-value
    /// truncated (`GetMetricUsageRatio`). `None` when the pods request nothing.
    fn current(self, pods: &[PodValue]) -> Option<i64> {
        let usage = pods.iter().fold(0i64, |a, p| a.saturating_add(p.milli));
        match self {
            Usage::Utilization { .. } => {
                let requests = pods
                    .iter()
                    .fold(0i64, |a, p| a.saturating_add(p.request_milli));
                (requests > 0).then(|| usage.saturating_mul(100) / requests)
            }
            Usage::Average { .. } => Some(usage / (pods.len() as i64).max(1)),
        }
    }

    fn ratio(self, current: i64) -> f64 {
        match self {
            Usage::Utilization { target_pct } => current as f64 / target_pct as f64,
            Usage::Average { target_milli } => current as f64 / target_milli as f64,
        }
    }

    /// The value a missing pod counts for on a scale-down: its whole request (or the
    /// target's share of it, if the target is above 100 %) for utilization, the target
    /// for averages.
    fn missing_on_scale_down(self, request_milli: i64) -> i64 {
        match self {
            Usage::Utilization { target_pct } => {
                request_milli.saturating_mul(target_pct.max(100)) / 100
            }
            Usage::Average { target_milli } => target_milli,
        }
    }

    fn describe_fill(self) -> String {
        match self {
            Usage::Utilization { target_pct } => format!("{}%", target_pct.max(100)),
            Usage::Average { .. } => "target".into(),
        }
    }

    fn display_value(self, current: i64) -> f64 {
        match self {
            Usage::Utilization { .. } => current as f64 / 100.0,
            Usage::Average { .. } => current as f64 / 1000.0,
        }
    }

    fn display_target(self) -> f64 {
        match self {
            Usage::Utilization { target_pct } => target_pct as f64 / 100.0,
            Usage::Average { target_milli } => target_milli as f64 / 1000.0,
        }
    }

    /// "cpu 81% vs target 60%", "requests 62.0/s per pod vs target 50.0/s".
    fn describe(self, metric: Metric, current: i64) -> String {
        let name = metric.label();
        match self {
            Usage::Utilization { target_pct } => {
                format!("{name} {current}% vs target {target_pct}%")
            }
            Usage::Average { target_milli } => {
                let value = current as f64 / 1000.0;
                let target = target_milli as f64 / 1000.0;
                match metric {
                    Metric::Cpu => {
                        format!("{name} {value:.3} vCPU per pod vs target {target:.3}")
                    }
                    Metric::RequestsPerTarget => {
                        format!("{name} {value:.1}/s per pod vs target {target:.1}/s")
                    }
                    Metric::QueuePerInstance | Metric::LatencyP95 => {
                        format!("{name} {value:.1} per pod vs target {target:.1}")
                    }
                }
            }
        }
    }
}

/// A rate limit and the policy that set it.
#[derive(Clone, Copy, Debug)]
struct Limit {
    replicas: i64,
    /// `None` when the direction is disabled.
    policy: Option<ScalingPolicy>,
    period_start: i64,
}

impl Limit {
    fn disabled(current: u32) -> Limit {
        Limit {
            replicas: i64::from(current),
            policy: None,
            period_start: i64::from(current),
        }
    }

    /// "scale-up limited to 8 by Percent 100%/15s".
    fn describe(&self, direction: &str, current: u32) -> String {
        let Some(policy) = self.policy else {
            return format!("{direction} disabled (select_policy: Disabled)");
        };
        let mut text = format!(
            "{direction} limited to {} by {}",
            self.replicas,
            policy.label()
        );
        if self.period_start != i64::from(current) {
            text.push_str(&format!(
                " (was {} at the start of the last {} s)",
                self.period_start,
                policy.period_secs()
            ));
        }
        text
    }
}

/// `calculateScaleUpLimit`: `int32(max(2 × current, 4))`.
fn legacy_scale_up_limit(current: u32) -> u32 {
    let limit = (LEGACY_SCALE_UP_FACTOR * f64::from(current)).max(LEGACY_SCALE_UP_MINIMUM);
    if limit >= f64::from(MAX_REPLICAS) {
        MAX_REPLICAS
    } else {
        limit as u32
    }
}

/// A pod's value of a per-pod metric: CPU as vCPU in use (its utilisation times its
/// workers), the others as sampled.
fn pod_value(pod: &InstanceSample, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Cpu => pod.cpu.map(|c| c * f64::from(pod.workers)),
        _ => pod.value(metric),
    }
}

/// A sample as a Kubernetes milli-quantity; `None` for a value that is not a number, which
/// the monitoring system would not have delivered.
fn to_milli(value: f64) -> Option<i64> {
    if value.is_finite() {
        // Saturating cast on purpose: absurdly large samples stay absurdly large.
        Some((value.max(0.0) * 1000.0).round() as i64)
    } else {
        None
    }
}

/// `int32(math.Ceil(x))`, clamped at `math.MaxInt32` as upstream clamps an overflowing
/// count (NaN gives 0).
fn ceil_replicas(x: f64) -> u32 {
    if x > f64::from(MAX_REPLICAS) {
        MAX_REPLICAS
    } else {
        x.ceil() as u32
    }
}

/// Kubernetes' API validation of a stabilization window: 0..=3600 seconds.
fn stabilization_window(field: &str, value: f64) -> Result<(), ConfigError> {
    config::within(field, value, 0.0, MAX_STABILIZATION_WINDOW_SECS)
}

/// Checks one metric target and converts it to controller units.
fn resolve_target(target: &MetricTarget) -> Result<Target, ConfigError> {
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
fn check_rules(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-worker pod that has been ready for an hour, past every initialization period.
    fn pod(cpu: Option<f64>) -> InstanceSample {
        InstanceSample {
            readiness: Readiness::Ready,
            age_secs: 3600.0,
            cpu,
            requests_per_sec: None,
            queue: None,
            workers: 1,
        }
    }

    /// A ready pod of `workers` workers (its CPU request, in vCPU) at `cpu` of them.
    fn sized(workers: u32, cpu: Option<f64>) -> InstanceSample {
        InstanceSample {
            workers,
            ..pod(cpu)
        }
    }

    fn pods(n: usize, cpu: f64) -> Vec<InstanceSample> {
        (0..n).map(|_| pod(Some(cpu))).collect()
    }

    fn obs(
        now_secs: f64,
        current: u32,
        min: u32,
        max: u32,
        instances: Vec<InstanceSample>,
    ) -> Observation {
        Observation {
            now_secs,
            week_secs: now_secs,
            current,
            min,
            max,
            instances,
            latency_p95_secs: None,
            arrivals_per_sec: None,
            boot_secs: 60.0,
        }
    }

    /// Observation of `n` ready pods all at `cpu`, with `n` as the current size.
    fn cpu_obs(now_secs: f64, n: u32, cpu: f64) -> Observation {
        obs(now_secs, n, 1, 1000, pods(n as usize, cpu))
    }

    /// `n` pods (the pool's size) while the pool receives `per_sec` requests per second.
    fn arrivals_obs(n: u32, per_sec: f64) -> Observation {
        let mut o = obs(0.0, n, 1, 5000, pods(n as usize, 0.5));
        o.arrivals_per_sec = Some(per_sec);
        o
    }

    /// No `behavior`: the legacy normalization.
    fn hpa(metrics: Vec<MetricTarget>) -> Hpa {
        Hpa::new(HpaConfig {
            metrics,
            ..HpaConfig::default()
        })
        .unwrap()
    }

    fn with_behavior(metrics: Vec<MetricTarget>, behavior: HpaBehavior) -> Hpa {
        Hpa::new(HpaConfig {
            metrics,
            behavior: Some(behavior),
            ..HpaConfig::default()
        })
        .unwrap()
    }

    fn cpu(target: f64) -> MetricTarget {
        MetricTarget::Utilization {
            metric: Metric::Cpu,
            target,
        }
    }

    fn cpu_hpa(target: f64) -> Hpa {
        hpa(vec![cpu(target)])
    }

    fn requests_per_pod(target: f64) -> MetricTarget {
        MetricTarget::PoolAverageValue {
            metric: PoolMetric::RequestsPerSec,
            target,
        }
    }

    /// Past its first evaluation, with no recommendation on record: upstream's tests
    /// build this state with `recommendations: []timestampedRecommendation{}` (an empty,
    /// not nil, list, so `recordInitialRecommendation` records nothing).
    fn started(mut h: Hpa) -> Hpa {
        h.initialized = true;
        h
    }

    /// The first metric's proposal alone (`replica_calculator.go`, before normalization).
    fn proposal(h: &Hpa, o: &Observation) -> Proposal {
        h.propose(h.targets[0], o).unwrap()
    }

    /// Evaluates and, like the world, applies a change.
    fn step(hpa: &mut Hpa, o: &Observation) -> Recommendation {
        let rec = hpa.evaluate(o);
        if rec.desired != o.current {
            hpa.applied(o.now_secs, o.current, rec.desired);
        }
        rec
    }

    fn ron_options() -> ron::Options {
        ron::Options::default().with_default_extension(
            ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
                | ron::extensions::Extensions::IMPLICIT_SOME,
        )
    }

    #[test]
    fn doc_example_200m_of_100m_doubles_and_50m_halves() {
        // kubernetes.io HPA docs, "Algorithm details": 200m against 100m -> ratio 2.0 ->
        // replicas doubled. 4 one-vCPU pods at 0.2 vCPU with an AverageValue target of
        // 0.1 vCPU: ceil(4 * 200/100) = 8. No behavior: the legacy limit for 4 is
        // max(2 * 4, 4) = 8, so all 8 go through.
        let mut h = hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.2));
        assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
        assert_eq!(rec.metric_value, Some(0.2));
        assert_eq!(rec.target, Some(0.1));
        assert_eq!(h.measure(), Some(Measure::CpuCoresPerInstance));

        // 50m / 100m -> ratio 0.5 -> halved: ceil(4 * 0.5) = 2. A new HPA recorded its 4
        // pods as its first recommendation (`recordInitialRecommendation`), and the
        // 300 s scale-down window takes the highest recommendation: 4 stays.
        let mut h = hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.05));
        assert_eq!((rec.raw_desired, rec.desired), (2, 4), "{}", rec.reason);
        // Past its first evaluation with nothing in the window, it halves: 4 -> 2.
        let mut h = started(hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]));
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.05));
        assert_eq!((rec.raw_desired, rec.desired), (2, 2), "{}", rec.reason);

        // A two-worker pod at 10 % uses 0.2 vCPU: the AverageValue is in vCPU, not a
        // fraction. 2 pods at 0.2 vCPU against 0.1 -> ceil(2 * 2.0) = 4.
        let mut h = hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]);
        let o = obs(0.0, 2, 1, 10, vec![sized(2, Some(0.1)); 2]);
        let rec = h.evaluate(&o);
        assert_eq!(
            (rec.desired, rec.metric_value),
            (4, Some(0.2)),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn reason_reads_like_the_decision_log() {
        // 4 pods at 81 % against 60 %: ratio 81/60 = 1.35, ceil(1.35 * 4) = ceil(5.4) = 6,
        // within the legacy limit max(2 * 4, 4) = 8. CPU is reported as a fraction.
        let mut h = cpu_hpa(0.6);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.81));
        assert_eq!(rec.desired, 6);
        assert_eq!(rec.reason, "cpu 81% vs target 60%: ratio 1.35 -> 6");
        assert_eq!(rec.metric_value, Some(0.81));
        assert_eq!(rec.target, Some(0.6));
        assert_eq!(h.measure(), Some(Measure::Cpu));
    }

    #[test]
    fn tolerance_band_is_inclusive_as_upstream_writes_it() {
        // replica_calculator.go `Tolerances.isWithin`: 1 - down <= ratio <= 1 + up.
        // 54 % against 50 %: ratio 1.08 <= 1.1 -> no change.
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.54));
        assert_eq!((rec.raw_desired, rec.desired), (4, 4));
        assert_eq!(
            rec.reason,
            "cpu 54% vs target 50%: within tolerance (ratio 1.08)"
        );

        // 51 % against 60 %: ratio 0.85 < 0.9 -> ceil(0.85 * 10) = ceil(8.5) = 9.
        let mut h = started(cpu_hpa(0.6));
        let rec = h.evaluate(&cpu_obs(0.0, 10, 0.51));
        assert_eq!((rec.raw_desired, rec.desired), (9, 9), "{}", rec.reason);

        // The band's edge in floating point: 66/60 and 1.0 + 0.1 are the same double
        // (1.1000000000000000888), so the ratio is within and nothing changes. (The
        // older `|1 - ratio| <= tolerance` gave 0.10000000000000009 > 0.1 and scaled.)
        let mut h = cpu_hpa(0.6);
        let rec = h.evaluate(&cpu_obs(0.0, 10, 0.66));
        assert_eq!(rec.raw_desired, 10, "{}", rec.reason);
        assert!(rec.reason.contains("within tolerance"), "{}", rec.reason);
    }

    #[test]
    fn missing_metric_blocks_the_scale_down() {
        // kubernetes.io HPA docs (missing metrics): target 50 %, 4 pods, 3 at 25 % and 1
        // with no sample. Ratio 25/50 = 0.5 < 1, so the missing pod counts at 100 % of its
        // request: (250 * 3 + 1000) / 4000 = 43.75 %, truncated to 43 % as the controller
        // does -> ratio 0.86, outside tolerance, ceil(0.86 * 4) = ceil(3.44) = 4 =
        // current -> no scale-down.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(3, 0.25);
        instances.push(pod(None));
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
        assert_eq!((rec.raw_desired, rec.desired), (4, 4), "{}", rec.reason);
        assert!(
            rec.reason.contains("1 missing counted at 100%"),
            "{}",
            rec.reason
        );
        // The status reports the measured 25 %, not the filled-in 43 %.
        assert_eq!(rec.metric_value, Some(0.25));
    }

    #[test]
    fn unready_pod_damps_the_scale_up() {
        // kubernetes.io HPA docs: target 50 %, 3 ready pods at 100 % and 1 not ready.
        // Ratio 100/50 = 2.0 > 1, so the unready pod counts as 0: 3000 / 4000 = 75 % ->
        // ratio 1.5 -> ceil(1.5 * 4) = 6 (legacy limit 8). The warming pod's own 90 % is
        // not trusted.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(3, 1.0);
        instances.push(InstanceSample {
            readiness: Readiness::Warming,
            age_secs: 90.0,
            ..pod(Some(0.9))
        });
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
        assert_eq!((rec.raw_desired, rec.desired), (6, 6), "{}", rec.reason);
        assert!(
            rec.reason.contains("1 not ready counted as 0"),
            "{}",
            rec.reason
        );

        // A pending (booting) pod is set aside the same way.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(3, 1.0);
        instances.push(InstanceSample {
            readiness: Readiness::Booting,
            age_secs: 10.0,
            ..pod(None)
        });
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
        assert_eq!(rec.desired, 6, "{}", rec.reason);
    }

    #[test]
    fn two_ready_two_unready_does_not_scale() {
        // 2 ready at 100 % and 2 unready, target 50 %. The fast path would say
        // ceil(2.0 * 2) = 4; rebalanced: 2000 / 4000 = 50 % -> ratio 1.0 -> within
        // tolerance -> hold 4.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(2, 1.0);
        for _ in 0..2 {
            instances.push(InstanceSample {
                readiness: Readiness::Booting,
                age_secs: 10.0,
                ..pod(None)
            });
        }
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
        assert_eq!((rec.raw_desired, rec.desired), (4, 4), "{}", rec.reason);
        assert!(
            rec.reason.ends_with("-> ratio 1.00: within tolerance"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn ready_pod_in_cpu_initialization_period_is_ignored_until_a_window_is_collected() {
        // Target 50 %. Pods launched 100 s ago, booted in 60 s: ready for 40 s, less than
        // window 60 s + lag 15 s, and inside the 300 s initialization period, so their
        // 30 % is not trusted. The 2 old pods at 100 %: ratio 2.0, the 2 new ones count as
        // 0: 2000 / 4000 = 50 % -> ratio 1.0 -> within tolerance -> hold.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(2, 1.0);
        for _ in 0..2 {
            instances.push(InstanceSample {
                age_secs: 100.0,
                ..pod(Some(0.3))
            });
        }
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances.clone()));
        assert_eq!(rec.desired, 4, "{}", rec.reason);

        // At 200 s they have been ready 140 s >= 75 s: trusted. (2 * 1000 + 2 * 300) /
        // 4000 = 65 % -> ratio 1.3 -> ceil(1.3 * 4) = ceil(5.2) = 6.
        for p in &mut instances[2..] {
            p.age_secs = 200.0;
        }
        let rec = h.evaluate(&obs(15.0, 4, 1, 10, instances));
        assert_eq!(rec.raw_desired, 6, "{}", rec.reason);
    }

    #[test]
    fn several_metrics_the_largest_proposal_wins() {
        // CPU: 75 % vs 50 % -> ratio 1.5 -> ceil(1.5 * 4) = 6.
        // Requests: 100/s vs 50/s per pod -> ratio 2.0 -> ceil(2.0 * 4) = 8. Max = 8, and
        // the decision reports the requests metric. Legacy limit for 4 is 8.
        let with = |order_cpu_first: bool| {
            let rps = MetricTarget::AverageValue {
                metric: Metric::RequestsPerTarget,
                target: 50.0,
            };
            let mut h = hpa(if order_cpu_first {
                vec![cpu(0.5), rps]
            } else {
                vec![rps, cpu(0.5)]
            });
            let instances = (0..4)
                .map(|_| InstanceSample {
                    requests_per_sec: Some(100.0),
                    ..pod(Some(0.75))
                })
                .collect();
            let rec = h.evaluate(&obs(0.0, 4, 1, 20, instances));
            (rec, h.measure())
        };
        for order in [true, false] {
            let (rec, measure) = with(order);
            assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
            assert_eq!(rec.metric_value, Some(100.0));
            assert_eq!(rec.target, Some(50.0));
            assert_eq!(measure, Some(Measure::RequestsPerSecPerInstance));
            assert!(
                rec.reason.starts_with("requests 100.0/s per pod"),
                "{}",
                rec.reason
            );
        }
    }

    #[test]
    fn latency_value_target_scales_the_ready_pods() {
        // p95 0.45 s vs 0.3 s: ratio 450/300 = 1.5, times 4 ready pods = 6 (the booting pod
        // is not ready). Legacy limit for 5 = max(10, 4) = 10.
        let mut h = hpa(vec![MetricTarget::Value {
            metric: Metric::LatencyP95,
            target: 0.3,
        }]);
        let mut instances = pods(4, 0.5);
        instances.push(InstanceSample {
            readiness: Readiness::Booting,
            ..pod(None)
        });
        let mut o = obs(0.0, 5, 1, 20, instances);
        o.latency_p95_secs = Some(0.45);
        let rec = h.evaluate(&o);
        assert_eq!((rec.raw_desired, rec.desired), (6, 6), "{}", rec.reason);
        assert_eq!(rec.metric_value, Some(0.45));
        assert_eq!(h.measure(), Some(Measure::LatencyP95));
    }

    #[test]
    fn no_behavior_takes_the_legacy_path_not_the_v2_defaults() {
        // defaults.go `SetDefaults_HorizontalPodAutoscalerBehavior` fills the v2 defaults
        // only into a behavior that is there; without one, horizontal.go normalizes with
        // `normalizeDesiredReplicas`. 3 pods asked for 1,000 (1,000 req/s at 1 req/s per
        // pod: ceil(1000 / 1) = 1000):
        // - legacy, `calculateScaleUpLimit(3)` = max(2 * 3, 4) = 6, the case "scaleUpLimit
        //   is the limit because scaleUpLimit < maxReplicas" of horizontal_test.go
        //   TestConvertDesiredReplicasWithRules (current 3, desired 1000, max 2000);
        // - v2 defaults, the larger of Percent 100 %/15 s (3 * 2 = 6) and Pods 4/15 s
        //   (3 + 4 = 7): 7.
        let o = {
            let mut o = arrivals_obs(3, 1000.0);
            o.max = 2000;
            o
        };
        let mut legacy = hpa(vec![requests_per_pod(1.0)]);
        let rec = legacy.evaluate(&o);
        assert_eq!((rec.raw_desired, rec.desired), (1000, 6), "{}", rec.reason);
        assert!(
            rec.reason
                .ends_with("; scale-up limited to 6 (max(2 x 3, 4))"),
            "{}",
            rec.reason
        );
        let mut v2 = with_behavior(vec![requests_per_pod(1.0)], HpaBehavior::default());
        let rec = v2.evaluate(&o);
        assert_eq!((rec.raw_desired, rec.desired), (1000, 7), "{}", rec.reason);
        assert!(
            rec.reason
                .ends_with("; scale-up limited to 7 by Pods 4/15s"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn legacy_bounds_follow_convert_desired_replicas_with_rules() {
        // horizontal_test.go TestConvertDesiredReplicasWithRules, on an HPA past its first
        // evaluation (so stabilization passes the desired count through). The desired
        // count is made exact with requests per pod: ceil(total / 1 per pod).
        // (current, desired, min, max, expected, reason)
        for (current, desired, min, max, expected, reason) in [
            // "prenormalized desired replicas within range"
            (5, 7, 3, 8, 7, None),
            // "prenormalized desired replicas < minReplicas": TooFewReplicas
            (3, 1, 2, 8, 2, Some("at min 2")),
            // "scaleUpLimit is the limit because scaleUpLimit < maxReplicas"
            (
                3,
                1000,
                1,
                2000,
                6,
                Some("scale-up limited to 6 (max(2 x 3, 4))"),
            ),
            // "maxReplicas is the limit because maxReplicas < scaleUpLimit"; upstream's
            // case starts at 20 > max 10, which reconcileAutoscaler already brings to 10
            // without metrics, so here the pool starts at 8: limit max(16, 4) = 16 > 10.
            (8, 1000, 1, 10, 10, Some("at max 10")),
        ] {
            let mut h = started(hpa(vec![requests_per_pod(1.0)]));
            let mut o = arrivals_obs(current, f64::from(desired));
            (o.min, o.max) = (min, max);
            let rec = h.evaluate(&o);
            assert_eq!(
                (rec.raw_desired, rec.desired),
                (desired, expected),
                "{}",
                rec.reason
            );
            match reason {
                Some(r) => assert!(rec.reason.ends_with(r), "{}", rec.reason),
                None => assert!(!rec.reason.contains(';'), "{}", rec.reason),
            }
        }
    }

    #[test]
    fn legacy_stabilization_takes_the_highest_recommendation_of_the_window() {
        // horizontal_test.go TestNormalizeDesiredReplicas (`stabilizeRecommendation`, a
        // 5-minute window), prenormalized 3 (or 5 for the empty log), times in seconds
        // before now:
        let now = 10_000.0;
        for (name, history, raw, expected) in [
            ("empty log", vec![], 5, 5),
            ("stabilize", vec![(120.0, 4), (60.0, 5)], 3, 5),
            ("no stabilize", vec![(120.0, 1), (60.0, 2)], 3, 3),
            (
                "no stabilize - old recommendations",
                vec![(600.0, 10), (540.0, 9)],
                3,
                3,
            ),
            (
                "stabilize - old recommendations",
                vec![(600.0, 10), (60.0, 4), (120.0, 5), (540.0, 9)],
                3,
                5,
            ),
        ] {
            let mut h = started(cpu_hpa(0.5));
            h.recommendations = history.iter().map(|&(ago, rec)| (now - ago, rec)).collect();
            assert_eq!(h.stabilize_legacy(now, raw, 300.0), expected, "{name}");
            // The new recommendation is on record, the old ones are gone.
            assert_eq!(h.recommendations.last(), Some(&(now, raw)), "{name}");
            assert!(h.recommendations.iter().all(|&(at, _)| at >= now - 300.0));
        }
    }

    #[test]
    fn a_new_hpa_records_its_size_as_the_first_recommendation() {
        // horizontal_test.go TestScaleDownStabilizeInitialSize: 5 pods of 1 vCPU at
        // 100, 300, 500, 250, 250 m, target 50 %, no recommendations yet (nil):
        // 1400 / 5000 = 28 % -> ratio 0.56 -> ceil(0.56 * 5) = ceil(2.8) = 3, but the
        // recorded initial 5 is the highest of the window: 5 stays ("ScaleDownStabilized").
        let levels = [0.1, 0.3, 0.5, 0.25, 0.25];
        let five = |now: f64| {
            let instances = levels.iter().map(|&c| pod(Some(c))).collect();
            obs(now, 5, 2, 6, instances)
        };
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&five(0.0));
        assert_eq!((rec.raw_desired, rec.desired), (3, 5), "{}", rec.reason);
        assert!(
            rec.reason.ends_with(
                "; scale-down stabilization holds 5 (max recommendation in the last 300 s)"
            ),
            "{}",
            rec.reason
        );
        // TestScaleDown, the same pods with an empty (not nil) list: 5 -> 3.
        let mut h = started(cpu_hpa(0.5));
        assert_eq!(h.evaluate(&five(0.0)).desired, 3);

        // Over time, legacy path: the initial 5 (t = 0) is still in the window at t = 300
        // (`Before(now - 300)` is false for it) and gone at t = 315, when the highest
        // recommendation is the 3 of every sync since: 5 -> 3.
        let mut h = cpu_hpa(0.5);
        for i in 0..=20 {
            let now = f64::from(i) * 15.0;
            assert_eq!(step(&mut h, &five(now)).desired, 5, "t = {now}");
        }
        assert_eq!(step(&mut h, &five(315.0)).desired, 3);

        // With a behavior the initial record counts the same way, but the window keeps
        // only recommendations after now - 300 (`After(cutoff)`): 5 -> 3 at t = 300.
        let mut h = with_behavior(vec![cpu(0.5)], HpaBehavior::default());
        for i in 0..20 {
            let now = f64::from(i) * 15.0;
            assert_eq!(step(&mut h, &five(now)).desired, 5, "t = {now}");
        }
        assert_eq!(step(&mut h, &five(300.0)).desired, 3);
    }

    #[test]
    fn utilization_weighs_pods_by_their_requests() {
        // replica_calculator_test.go TestReplicaCalcMissingMetricsScaleDownTargetOver100:
        // 4 pods requesting 1, 1, 2, 2 vCPU, target 300 %; pod 0 not ready (a warming pod
        // past its initialization period, never ready), pods 1 and 2 using 0.1 vCPU each
        // (10 % and 5 %), pod 3 without a sample.
        // (Upstream's pods have two containers with that request each; here every
        // request and usage is halved, which keeps every ratio.)
        // Ready: (100 + 100) / (1000 + 2000) = 6.67 % -> 6 % (expectedUtilization 6),
        // ratio 6/300 = 0.02. Scale-down, so pod 3 counts at max(100, 300) % of its own
        // request: 2000 * 300 / 100 = 6000 m. (100 + 100 + 6000) / (1000 + 2000 + 2000)
        // = 124 % -> ratio 0.413 -> ceil(0.413 * 3) = ceil(1.24) = 2 (expectedReplicas).
        // Averaging the pods' utilizations instead would say (10 + 5) / 2 = 7 %.
        let h = cpu_hpa(3.0);
        let instances = vec![
            InstanceSample {
                readiness: Readiness::Warming,
                ..sized(1, Some(0.2))
            },
            sized(1, Some(0.1)),
            sized(2, Some(0.05)),
            sized(2, None),
        ];
        let p = proposal(&h, &obs(0.0, 4, 1, 10, instances));
        assert_eq!((p.replicas, p.value), (2, 0.06), "{}", p.text);
        assert!(p.text.contains("1 missing counted at 300%"), "{}", p.text);

        // replica_calculator_test.go TestReplicaCalcTolerance: requests 0.9, 1.0, 1.1
        // vCPU (here 9, 10, 11 workers: ten times the size, the same ratios) using 1010,
        // 1030, 1020 m (x10): 30600 / 30000 = 102 % of target 100 % -> within -> 3.
        let h = cpu_hpa(1.0);
        let instances = [(9, 1010.0), (10, 1030.0), (11, 1020.0)]
            .iter()
            .map(|&(w, level)| sized(w, Some(level / (f64::from(w) * 100.0))))
            .collect();
        let p = proposal(&h, &obs(0.0, 3, 1, 10, instances));
        assert_eq!((p.replicas, p.value), (3, 1.02), "{}", p.text);

        // Mixed sizes during a vertical rollout: 2 pods of 2 vCPU at 90 % and 2 of 8 vCPU
        // at 20 %, target 60 %. Weighted: (2 * 1.8 + 2 * 1.6) / 20 = 34 % -> ratio 0.567
        // -> ceil(0.567 * 4) = ceil(2.27) = 3. The unweighted mean, (90 + 90 + 20 + 20) / 4
        // = 55 % (ratio 0.92, within tolerance), would have kept 4.
        let h = cpu_hpa(0.6);
        let instances = vec![
            sized(2, Some(0.9)),
            sized(2, Some(0.9)),
            sized(8, Some(0.2)),
            sized(8, Some(0.2)),
        ];
        let p = proposal(&h, &obs(0.0, 4, 1, 10, instances));
        assert_eq!((p.replicas, p.value), (3, 0.34), "{}", p.text);

        // A scale-up counts unready pods at 0 % of their own request: ready 2 vCPU pod at
        // 100 % and a booting 8 vCPU pod, target 50 %: ratio 2.0, then 2000 / 10000 = 20 %
        // -> ratio 0.4: the direction reverses, hold 2.
        let h = cpu_hpa(0.5);
        let instances = vec![
            sized(2, Some(1.0)),
            InstanceSample {
                readiness: Readiness::Booting,
                ..sized(8, None)
            },
        ];
        let p = proposal(&h, &obs(0.0, 2, 1, 10, instances));
        assert_eq!(p.replicas, 2, "{}", p.text);
        assert!(p.text.ends_with("direction reversed, hold"), "{}", p.text);
    }

    #[test]
    fn pool_average_value_shares_the_total_per_pod() {
        // replica_calculator_test.go, per-pod Object/External metrics
        // (`GetObjectPerPodMetricReplicas`, `GetExternalPerPodMetricReplicas`):
        // replicas = ceil(total / per-pod target) unless total / (target * pods) is within
        // tolerance; usage reported = ceil(total / pods) milli.
        // (upstream test, pods, total, per-pod target, replicas, usage per pod)
        for (name, n, total, target, replicas, usage) in [
            // 8600 / (2150 * 3) = 1.33 -> ceil(8600 / 2150) = 4; ceil(8600 / 3) = 2867 m.
            (
                "TestReplicaCalcScaleUpPerPodCMExternal",
                3,
                8.6,
                2.15,
                4,
                2.867,
            ),
            // 8600 / (2867 * 5) = 0.60 -> ceil(8600 / 2867) = ceil(2.9997) = 3; 1720 m.
            (
                "TestReplicaCalcScaleDownPerPodCMExternal",
                5,
                8.6,
                2.867,
                3,
                1.72,
            ),
            // 8600 / (2900 * 3) = 0.989, within 10 % -> 3.
            (
                "TestReplicaCalcTolerancePerPodCMExternal",
                3,
                8.6,
                2.9,
                3,
                2.867,
            ),
            // 20000 / (5000 * 3) = 1.33 -> ceil(20000 / 5000) = 4; ceil(20000 / 3) = 6667.
            (
                "TestReplicaCalcScaleUpCMPerPodObject",
                3,
                20.0,
                5.0,
                4,
                6.667,
            ),
            // 6000 / (2000 * 5) = 0.6 -> ceil(6000 / 2000) = 3; 1200 m.
            (
                "TestReplicaCalcScaleDownPerPodCMObject",
                5,
                6.0,
                2.0,
                3,
                1.2,
            ),
            // 20166 / (5000 * 4) = 1.008, within -> 4; ceil(20166 / 4) = 5042 m.
            (
                "TestReplicaCalcTolerancePerPodCMObject",
                4,
                20.166,
                5.0,
                4,
                5.042,
            ),
        ] {
            let h = hpa(vec![requests_per_pod(target)]);
            let p = proposal(&h, &arrivals_obs(n, total));
            assert_eq!(
                (p.replicas, p.value, p.target),
                (replicas, usage, target),
                "{name}: {}",
                p.text
            );
        }

        // Independent of readiness: of the 3 pods of the first case one is booting and one
        // warming, and the answer is still ceil(8.6 / 2.15) = 4 over 3 pods.
        let h = hpa(vec![requests_per_pod(2.15)]);
        let mut o = arrivals_obs(3, 8.6);
        o.instances[0].readiness = Readiness::Booting;
        o.instances[1].readiness = Readiness::Warming;
        assert_eq!(proposal(&h, &o).replicas, 4);

        // The pool's requests held, summed over the instances that reported: 6 + 9 + 5 =
        // 20 held against 5 per pod over 3 pods: 20 / 15 = 1.33 -> ceil(20 / 5) = 4.
        let mut h = hpa(vec![MetricTarget::PoolAverageValue {
            metric: PoolMetric::Queue,
            target: 5.0,
        }]);
        let instances = [6.0, 9.0, 5.0]
            .iter()
            .map(|&q| InstanceSample {
                queue: Some(q),
                ..pod(Some(0.5))
            })
            .collect();
        let rec = h.evaluate(&obs(0.0, 3, 1, 10, instances));
        assert_eq!(rec.desired, 4, "{}", rec.reason);
        assert_eq!(h.measure(), Some(Measure::QueuePerInstance));
        assert_eq!(rec.metric_value, Some(6.667));
        assert_eq!(
            rec.reason,
            "queue 20.0 over 3 pods = 6.7 per pod vs target 5.0: ratio 1.33 -> total / target = 4"
        );

        // No arrivals measured yet: no proposal, so nothing changes.
        let mut h = hpa(vec![requests_per_pod(10.0)]);
        let rec = h.evaluate(&cpu_obs(0.0, 3, 0.5));
        assert_eq!(rec.desired, 3);
        assert_eq!(rec.reason, "no requests samples in the window: hold");
    }

    #[test]
    fn tolerances_per_direction() {
        // replica_calculator_test.go TestReplicaCalcConfigurableTolerance: 3 pods
        // requesting 0.9, 1.0, 1.1 vCPU (here 9, 10, 11 workers, the same ratios), target
        // 100 %, each case with (scale-down, scale-up) tolerances.
        let with = |down: f64, up: f64| {
            let behavior = HpaBehavior {
                scale_up: ScaleUpRules {
                    tolerance: Some(up),
                    ..ScaleUpRules::default()
                },
                scale_down: ScaleDownRules {
                    tolerance: Some(down),
                    ..ScaleDownRules::default()
                },
            };
            with_behavior(vec![cpu(1.0)], behavior)
        };
        let three = |levels: [f64; 3]| {
            let instances = [9, 10, 11]
                .iter()
                .zip(levels)
                .map(|(&w, level)| sized(w, Some(level / (f64::from(w) * 100.0))))
                .collect();
            obs(0.0, 3, 1, 10, instances)
        };
        for (name, down, up, levels, utilization, replicas) in [
            // 101 %: outside a 0 % band -> ceil(1.01 * 3) = ceil(3.03) = 4.
            (
                "Outside of a 0% tolerance",
                0.0,
                0.0,
                [909.0, 1010.0, 1111.0],
                1.01,
                4,
            ),
            // 190 % <= 1 + 2.0 -> 3.
            (
                "Within a 200% scale-up tolerance",
                0.1,
                2.0,
                [1890.0, 1910.0, 1900.0],
                1.9,
                3,
            ),
            // 109 % > 1 + 0.08 -> ceil(1.09 * 3) = ceil(3.27) = 4.
            (
                "Outside 8% scale-up tolerance (and superfuous scale-down tolerance)",
                2.0,
                0.08,
                [1100.0, 1080.0, 1090.0],
                1.09,
                4,
            ),
            // 65 % >= 1 - 0.36 = 0.64 -> 3.
            (
                "Within a 36% scale-down tolerance",
                0.36,
                0.1,
                [660.0, 640.0, 650.0],
                0.65,
                3,
            ),
            // 65 % < 1 - 0.34 = 0.66 -> ceil(0.65 * 3) = ceil(1.95) = 2.
            (
                "Outside a 34% scale-down tolerance",
                0.34,
                0.1,
                [660.0, 640.0, 650.0],
                0.65,
                2,
            ),
        ] {
            let p = proposal(&with(down, up), &three(levels));
            assert_eq!(
                (p.replicas, p.value),
                (replicas, utilization),
                "{name}: {}",
                p.text
            );
        }

        // TestReplicaCalcConfigurableTolerancePerPodCMExternal: tolerances (0.1, 0.01), 3
        // pods, 8.6 total at 2.8 per pod: 8600 / 8400 = 1.024 > 1.01 -> ceil(8600 / 2800)
        // = 4. With the global 10 % alone it would be within and stay 3.
        let behavior = HpaBehavior {
            scale_up: ScaleUpRules {
                tolerance: Some(0.01),
                ..ScaleUpRules::default()
            },
            ..HpaBehavior::default()
        };
        let h = with_behavior(vec![requests_per_pod(2.8)], behavior);
        assert_eq!(
            h.tolerances,
            Tolerances {
                down: 0.1,
                up: 0.01
            }
        );
        assert_eq!(proposal(&h, &arrivals_obs(3, 8.6)).replicas, 4);
        let h = hpa(vec![requests_per_pod(2.8)]);
        assert_eq!(proposal(&h, &arrivals_obs(3, 8.6)).replicas, 3);

        // The global tolerance sets both directions when the behavior leaves them out.
        let h = Hpa::new(HpaConfig {
            tolerance: 0.05,
            behavior: Some(HpaBehavior::default()),
            ..HpaConfig::default()
        })
        .unwrap();
        assert_eq!(
            h.tolerances,
            Tolerances {
                down: 0.05,
                up: 0.05
            }
        );
    }

    #[test]
    fn replica_counts_clamp_at_i32_max() {
        // replica_calculator_test.go TestExternalPerPodMetricReplicaOverflow: a total of
        // MaxInt64 milli-units at 1 milli-unit per pod -> math.MaxInt32 replicas. Here
        // 1e300 req/s saturates the milli-quantity at i64::MAX and the target is 0.001.
        let h = hpa(vec![requests_per_pod(0.001)]);
        let p = proposal(&h, &arrivals_obs(1, 1e300));
        assert_eq!(p.replicas, 2_147_483_647);
        // TestReplicaCalcScaleUpOverflow, an Object metric with a Value target: MaxInt64
        // against 1 over 3 pods -> MaxInt32. Here p95 latency 1e300 s against 0.001 s.
        let h = hpa(vec![MetricTarget::Value {
            metric: Metric::LatencyP95,
            target: 0.001,
        }]);
        let mut o = cpu_obs(0.0, 3, 0.5);
        o.latency_p95_secs = Some(1e300);
        assert_eq!(proposal(&h, &o).replicas, 2_147_483_647);
        // The legacy limit of a huge pool stays an int32 too: max(2 * 2^31, 4) clamps.
        assert_eq!(legacy_scale_up_limit(u32::MAX), 2_147_483_647);
    }

    #[test]
    fn v2_default_scale_up_policies() {
        // defaults.go: scale-up Percent 100 %/15 s and Pods 4/15 s, select Max. With no
        // prior events, 1 % target against 100 % CPU: ratio 100.
        // current 1  -> limit max(ceil(1 * 2), 1 + 4)  = max(2, 5)   = 5
        // current 3  -> limit max(ceil(3 * 2), 3 + 4)  = max(6, 7)   = 7
        // current 10 -> limit max(ceil(10 * 2), 10 + 4) = max(20, 14) = 20
        for (current, raw, expected, by) in [
            (1, 100, 5, "Pods 4/15s"),
            (3, 300, 7, "Pods 4/15s"),
            (10, 1000, 20, "Percent 100%/15s"),
        ] {
            let mut h = with_behavior(vec![cpu(0.01)], HpaBehavior::default());
            let rec = h.evaluate(&cpu_obs(0.0, current, 1.0));
            assert_eq!(
                (rec.raw_desired, rec.desired),
                (raw, expected),
                "{}",
                rec.reason
            );
            assert!(
                rec.reason
                    .ends_with(&format!("; scale-up limited to {expected} by {by}")),
                "{}",
                rec.reason
            );
        }
        // Without a behavior, max(2 * current, 4): 1 -> 4, 3 -> 6, 10 -> 20.
        for (current, expected) in [(1, 4), (3, 6), (10, 20)] {
            let mut h = cpu_hpa(0.01);
            assert_eq!(h.evaluate(&cpu_obs(0.0, current, 1.0)).desired, expected);
        }
    }

    #[test]
    fn scale_up_allowance_is_shared_within_the_period() {
        // 10 -> 20 at t = 0 uses the whole 100 %/15 s. At t = 10 (an early sync) the period
        // began at 20 - 10 = 10, so Percent allows ceil(10 * 2) = 20 and Pods 10 + 4 = 14:
        // limit 20 = current, held. At t = 15 the event has aged out: 20 -> 40.
        let mut h = with_behavior(vec![cpu(0.01)], HpaBehavior::default());
        assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 1.0)).desired, 20);
        assert_eq!(step(&mut h, &cpu_obs(10.0, 20, 1.0)).desired, 20);
        assert_eq!(step(&mut h, &cpu_obs(15.0, 20, 1.0)).desired, 40);
    }

    #[test]
    fn doc_example_scale_down_policies_80_to_72() {
        // kubernetes.io HPA docs, "Scaling policies": Pods 4/60 s and Percent 10/60 s,
        // select Max (the larger change). The example isolates the policies, so the
        // scale-down stabilization window is 0 here (with the default 300 s the initial
        // recommendation of 80 would hold the first 5 minutes).
        // Every pod serves 10/s against a 100/s target: ratio 0.1, raw ceil(0.1 * 80) = 8.
        let behavior = HpaBehavior {
            scale_down: ScaleDownRules {
                stabilization_window_secs: Some(0.0),
                policies: vec![
                    ScalingPolicy::Pods {
                        value: 4,
                        period_secs: 60.0,
                    },
                    ScalingPolicy::Percent {
                        value: 10,
                        period_secs: 60.0,
                    },
                ],
                ..ScaleDownRules::default()
            },
            ..HpaBehavior::default()
        };
        let mut h = with_behavior(
            vec![MetricTarget::AverageValue {
                metric: Metric::RequestsPerTarget,
                target: 100.0,
            }],
            behavior,
        );
        let at = |now: f64, current: u32| {
            let instances = (0..current)
                .map(|_| InstanceSample {
                    requests_per_sec: Some(10.0),
                    ..pod(Some(0.1))
                })
                .collect();
            obs(now, current, 1, 100, instances)
        };

        // 80 -> proposals {80 - 4 = 76, int(80 * 0.9) = 72}, largest change: 72 (-8).
        let rec = step(&mut h, &at(0.0, 80));
        assert_eq!((rec.raw_desired, rec.desired), (8, 72), "{}", rec.reason);
        assert!(
            rec.reason
                .ends_with("; scale-down limited to 72 by Percent 10%/60s"),
            "{}",
            rec.reason
        );

        // t = 15, 30, 45: the 8 removed at t = 0 are inside the 60 s period, so the period
        // began at 72 + 8 = 80 and the limit is still 72 = current: held.
        for now in [15.0, 30.0, 45.0] {
            let rec = step(&mut h, &at(now, 72));
            assert_eq!(rec.desired, 72, "t = {now}: {}", rec.reason);
            assert!(
                rec.reason
                    .contains("(was 80 at the start of the last 60 s)")
            );
        }

        // t = 60: the t = 0 event is no longer after the cutoff 60 - 60 = 0, so the period
        // starts at 72: {68, int(72 * 0.9) = int(64.8) = 64} -> 64 (-8, 10 % rounded up).
        let rec = step(&mut h, &at(60.0, 72));
        assert_eq!(rec.desired, 64, "{}", rec.reason);

        // Below 40 pods the Pods policy removes more: 30 -> {26, int(27.0) = 27} -> 26.
        let rec = step(&mut h, &at(200.0, 30));
        assert_eq!(rec.desired, 26, "{}", rec.reason);
    }

    #[test]
    fn dip_within_five_minutes_does_not_scale_down() {
        // 10 pods, target 50 %. At t = 0 CPU is on target (raw 10). A dip to 25 % for
        // t = 15..=105 asks for ceil(0.5 * 10) = 5, but the max recommendation of the last
        // 300 s is 10, so 10 holds; from t = 120 load is back (raw 10). Never scales down.
        let mut h = cpu_hpa(0.5);
        for i in 0..=40 {
            let now = f64::from(i) * 15.0;
            let cpu = if (1..=7).contains(&i) { 0.25 } else { 0.5 };
            let rec = step(&mut h, &cpu_obs(now, 10, cpu));
            assert_eq!(rec.desired, 10, "t = {now}: {}", rec.reason);
            if cpu < 0.5 {
                assert_eq!(rec.raw_desired, 5);
                assert!(
                    rec.reason.ends_with(
                        "; scale-down stabilization holds 10 (max recommendation in the last 300 s)"
                    ),
                    "{}",
                    rec.reason
                );
            }
        }
    }

    #[test]
    fn sustained_dip_scales_down_after_the_window() {
        // As above, but the dip lasts. The only 10s are the initial recommendation and the
        // raw 10 of t = 0. Legacy path: they stay in the window through t = 300 (exactly
        // 300 s old is not `Before(now - 300)`) and leave it at t = 315, when the max is 5:
        // 10 -> 5.
        let mut h = cpu_hpa(0.5);
        assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 0.5)).desired, 10);
        for i in 1..=20 {
            let now = f64::from(i) * 15.0;
            let rec = step(&mut h, &cpu_obs(now, 10, 0.25));
            assert_eq!(rec.desired, 10, "t = {now}: {}", rec.reason);
        }
        let rec = step(&mut h, &cpu_obs(315.0, 10, 0.25));
        assert_eq!(rec.desired, 5, "{}", rec.reason);

        // With a behavior (default 100 %/15 s down), the window keeps only what is after
        // now - 300 (`After(cutoff)`): 10 -> 5 at t = 300.
        let mut h = with_behavior(vec![cpu(0.5)], HpaBehavior::default());
        assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 0.5)).desired, 10);
        for i in 1..20 {
            let now = f64::from(i) * 15.0;
            assert_eq!(step(&mut h, &cpu_obs(now, 10, 0.25)).desired, 10);
        }
        assert_eq!(step(&mut h, &cpu_obs(300.0, 10, 0.25)).desired, 5);
    }

    #[test]
    fn select_policy_disabled_forbids_scale_down() {
        // 20 % against 50 %: ratio 0.4, raw ceil(0.4 * 10) = 4, but scale-down is disabled.
        let behavior = HpaBehavior {
            scale_down: ScaleDownRules {
                select_policy: SelectPolicy::Disabled,
                ..ScaleDownRules::default()
            },
            ..HpaBehavior::default()
        };
        let mut h = with_behavior(vec![cpu(0.5)], behavior);
        for i in 0..40 {
            let rec = step(&mut h, &cpu_obs(f64::from(i) * 15.0, 10, 0.2));
            assert_eq!((rec.raw_desired, rec.desired), (4, 10), "{}", rec.reason);
        }
        // Once the initial 10 has left the 300 s window, the disabled policy holds.
        let rec = step(&mut h, &cpu_obs(600.0, 10, 0.2));
        assert!(
            rec.reason
                .ends_with("; scale-down disabled (select_policy: Disabled)"),
            "{}",
            rec.reason
        );
        // Scaling up still works: 100 % -> ratio 2 -> 20 (limit max(20, 14) = 20).
        assert_eq!(step(&mut h, &cpu_obs(615.0, 10, 1.0)).desired, 20);
    }

    #[test]
    fn min_and_max_are_never_crossed() {
        // 100 % against 50 % with 8 pods: raw 16, legacy limit max(16, 4) = 16, max 10.
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&obs(0.0, 8, 2, 10, pods(8, 1.0)));
        assert_eq!((rec.raw_desired, rec.desired), (16, 10));
        assert_eq!(
            rec.reason,
            "cpu 100% vs target 50%: ratio 2.00 -> 16; at max 10"
        );

        // 5 % against 50 % with 4 pods: raw ceil(0.1 * 4) = 1, min 3 (past the first
        // evaluation, so no stabilization in the way).
        let mut h = started(cpu_hpa(0.5));
        let rec = h.evaluate(&obs(0.0, 4, 3, 10, pods(4, 0.05)));
        assert_eq!((rec.raw_desired, rec.desired), (1, 3));
        assert!(rec.reason.ends_with("; at min 3"), "{}", rec.reason);

        // Outside the bounds (someone resized the pool): brought back without metrics.
        let mut h = cpu_hpa(0.5);
        assert_eq!(h.evaluate(&obs(0.0, 12, 2, 10, pods(12, 1.0))).desired, 10);
        assert_eq!(h.evaluate(&obs(0.0, 1, 2, 10, pods(1, 0.0))).desired, 2);
        assert_eq!(h.measure(), None);

        // A long random-ish walk stays inside [2, 10].
        let mut h = cpu_hpa(0.5);
        let mut current = 5;
        for i in 0..200u32 {
            let cpu = f64::from((i * 37) % 101) / 100.0;
            let rec = step(
                &mut h,
                &obs(
                    f64::from(i) * 15.0,
                    current,
                    2,
                    10,
                    pods(current as usize, cpu),
                ),
            );
            assert!((2..=10).contains(&rec.desired), "{}", rec.reason);
            current = rec.desired;
        }
    }

    #[test]
    fn no_ready_pods_with_metrics_holds() {
        let mut h = cpu_hpa(0.6);
        let instances = (0..3)
            .map(|_| InstanceSample {
                readiness: Readiness::Booting,
                ..pod(None)
            })
            .collect();
        let rec = h.evaluate(&obs(0.0, 3, 1, 10, instances));
        assert_eq!(rec.desired, 3);
        assert_eq!(rec.reason, "no ready pods with metrics (cpu): hold");
    }

    #[test]
    fn an_unreadable_metric_blocks_scale_down_only() {
        // CPU says 4 (ratio 0.5), latency has no samples: no scale-down
        // (horizontal.go `computeReplicasForMetrics`: some metrics invalid and fewer
        // replicas proposed).
        let mut h = started(hpa(vec![
            cpu(0.5),
            MetricTarget::Value {
                metric: Metric::LatencyP95,
                target: 0.3,
            },
        ]));
        let rec = h.evaluate(&cpu_obs(0.0, 8, 0.25));
        assert_eq!(rec.desired, 8, "{}", rec.reason);
        assert!(
            rec.reason
                .contains("no scale-down while a metric is missing")
        );
        // CPU says 16 (ratio 2): scaling up is still allowed (legacy limit 16).
        let rec = h.evaluate(&cpu_obs(15.0, 8, 1.0));
        assert_eq!(rec.desired, 16, "{}", rec.reason);
    }

    #[test]
    fn a_steady_hold_reports_the_raw_count_of_its_first_evaluation() {
        // 20 pods at 60 % against 60 % (raw 20), then load falls and the 300 s scale-down
        // window holds 20 while the raw count wanders with every sample:
        // 40 % -> ratio 0.667 -> ceil(13.3) = 14; 44 % -> 0.733 -> ceil(14.7) = 15;
        // 37 % -> 0.617 -> ceil(12.3) = 13. One hold (scale-down stabilization at 20):
        // every sync reports the first raw count, 14, so the world logs it once.
        let mut h = with_behavior(vec![cpu(0.6)], HpaBehavior::default());
        assert_eq!(step(&mut h, &cpu_obs(0.0, 20, 0.6)).raw_desired, 20);
        for (now, cpu) in [
            (15.0, 0.40),
            (30.0, 0.44),
            (45.0, 0.37),
            (60.0, 0.6),
            (75.0, 0.44),
        ] {
            let rec = step(&mut h, &cpu_obs(now, 20, cpu));
            assert_eq!(rec.desired, 20, "{}", rec.reason);
            // At t = 60 load is on target: raw 20 = current, not a hold at all.
            let expected = if now == 60.0 { 20 } else { 14 };
            assert_eq!(rec.raw_desired, expected, "t = {now}: {}", rec.reason);
        }
        // The capacity moves (another policy, or a person): a hold at 18 is a new hold and
        // reports its own raw count, 36 % of 18 pods -> ceil(0.6 * 18) = ceil(10.8) = 11.
        let rec = step(&mut h, &cpu_obs(90.0, 18, 0.36));
        assert_eq!((rec.raw_desired, rec.desired), (11, 18), "{}", rec.reason);

        // A different reason at the same capacity is a new hold: at max 20, 100 % of 20
        // pods against 60 % -> ceil(1.667 * 20) = 34, then 90 % -> ceil(1.5 * 20) = 30
        // still reports 34.
        let mut h = cpu_hpa(0.6);
        let full = |now, cpu| obs(now, 20, 1, 20, pods(20, cpu));
        assert_eq!(step(&mut h, &full(0.0, 1.0)).raw_desired, 34);
        let rec = step(&mut h, &full(15.0, 0.9));
        assert_eq!((rec.raw_desired, rec.desired), (34, 20), "{}", rec.reason);
        assert!(rec.reason.ends_with("; at max 20"), "{}", rec.reason);
    }

    #[test]
    fn config_reads_from_ron_with_kubernetes_defaults() {
        let config: HpaConfig = ron_options()
            .from_str("(metrics: [Utilization(metric: Cpu, target: 0.6)])")
            .unwrap();
        assert_eq!(config.sync_period_secs, 15.0);
        assert_eq!(config.tolerance, 0.1);
        assert_eq!(config.downscale_stabilization_secs, 300.0);
        assert_eq!(config.cpu_initialization_period_secs, 300.0);
        assert_eq!(config.initial_readiness_delay_secs, 30.0);
        // No behavior: the legacy path, not the v2 defaults.
        assert_eq!(config.behavior, None);
        let h = Hpa::new(config).unwrap();
        assert_eq!(h.period_secs(), 15.0);
        assert_eq!(h.window_secs(), (60.0, 15.0));
        let Normalization::Legacy {
            downscale_window_secs,
        } = h.normalization
        else {
            panic!("no behavior was given");
        };
        assert_eq!(downscale_window_secs, 300.0);

        // No metrics at all: CPU utilization 80 %, the Kubernetes default.
        let config: HpaConfig = ron_options().from_str("()").unwrap();
        assert_eq!(config, HpaConfig::default());

        // A partial scale-down block keeps the other defaults; its window comes from the
        // controller flag.
        let config: HpaConfig = ron_options()
            .from_str(
                "(
                    metrics: [
                        Utilization(metric: Cpu, target: 0.6),
                        AverageValue(metric: RequestsPerTarget, target: 50),
                        Value(metric: LatencyP95, target: 0.3),
                        PoolAverageValue(metric: RequestsPerSec, target: 40),
                    ],
                    downscale_stabilization_secs: 120,
                    behavior: (
                        scale_up: (tolerance: 0.05),
                        scale_down: (policies: [Pods(value: 4, period_secs: 60)]),
                    ),
                )",
            )
            .unwrap();
        let behavior = config.behavior.clone().unwrap();
        assert_eq!(behavior.scale_down.stabilization_window_secs, None);
        assert_eq!(behavior.scale_up.tolerance, Some(0.05));
        assert_eq!(behavior.scale_up.policies, default_scale_up_policies());
        let h = Hpa::new(config).unwrap();
        let Normalization::Behavior { scale_down, .. } = &h.normalization else {
            panic!("a behavior was given");
        };
        assert_eq!(scale_down.stabilization_window_secs, 120.0);
        assert_eq!(
            h.tolerances,
            Tolerances {
                down: 0.1,
                up: 0.05
            }
        );

        // An empty behavior is a behavior: every v2 default.
        let config: HpaConfig = ron_options().from_str("(behavior: ())").unwrap();
        assert_eq!(config.behavior, Some(HpaBehavior::default()));

        // Inside a pool, as a newtype variant of the scenario's policy enum (with RON's
        // unwrap_variant_newtypes extension the inner parentheses can go).
        #[derive(Debug, Deserialize)]
        enum Autoscale {
            Hpa(HpaConfig),
        }
        let Autoscale::Hpa(config) = ron_options()
            .from_str("Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)], tolerance: 0.05)")
            .unwrap();
        assert_eq!(config.tolerance, 0.05);
        assert_eq!(config.metrics.len(), 1);

        // Unknown fields are errors, at every level.
        let parse = |s: &str| ron_options().from_str::<HpaConfig>(s);
        assert!(parse("(sync_period: 15)").is_err());
        assert!(parse("(behavior: (scale_up: (window_secs: 5)))").is_err());
        assert!(parse("(metrics: [Utilization(metric: Cpu, target: 0.6, extra: 1)])").is_err());
        assert!(parse("(metrics: [PoolAverageValue(metric: Cpu, target: 1)])").is_err());
    }

    #[test]
    fn nonsense_configs_are_rejected_with_a_reason() {
        let with_metrics = |metrics| {
            Hpa::new(HpaConfig {
                metrics,
                ..HpaConfig::default()
            })
            .unwrap_err()
            .to_string()
        };
        assert!(with_metrics(vec![]).contains("metrics: is empty"));
        let e = with_metrics(vec![cpu(0.0)]);
        assert!(e.contains("must be a positive number"), "{e}");
        let e = with_metrics(vec![MetricTarget::AverageValue {
            metric: Metric::QueuePerInstance,
            target: -3.0,
        }]);
        assert!(e.starts_with("metrics[0].target: "), "{e}");
        let e = with_metrics(vec![MetricTarget::Utilization {
            metric: Metric::RequestsPerTarget,
            target: 0.6,
        }]);
        assert!(e.contains("only Cpu has one"), "{e}");
        let e = with_metrics(vec![cpu(0.655)]);
        assert!(e.contains("not a whole percent"), "{e}");
        let e = with_metrics(vec![MetricTarget::Value {
            metric: Metric::Cpu,
            target: 0.5,
        }]);
        assert!(e.contains("use AverageValue"), "{e}");
        let e = with_metrics(vec![MetricTarget::AverageValue {
            metric: Metric::LatencyP95,
            target: 0.5,
        }]);
        assert!(e.contains("pool-wide"), "{e}");
        let e = with_metrics(vec![requests_per_pod(0.0001)]);
        assert!(e.contains("below 0.001"), "{e}");

        let config = HpaConfig {
            sync_period_secs: 0.0,
            ..HpaConfig::default()
        };
        assert!(
            Hpa::new(config)
                .unwrap_err()
                .to_string()
                .contains("sync_period_secs")
        );
        let config = HpaConfig {
            tolerance: f64::NAN,
            ..HpaConfig::default()
        };
        assert!(
            Hpa::new(config)
                .unwrap_err()
                .to_string()
                .contains("tolerance")
        );
        let config = HpaConfig {
            downscale_stabilization_secs: 4000.0,
            ..HpaConfig::default()
        };
        let e = Hpa::new(config).unwrap_err().to_string();
        assert!(
            e.contains("downscale_stabilization_secs") && e.contains("0..=3600"),
            "{e}"
        );
        let with = |behavior| {
            Hpa::new(HpaConfig {
                behavior: Some(behavior),
                ..HpaConfig::default()
            })
            .unwrap_err()
            .to_string()
        };
        let mut behavior = HpaBehavior::default();
        behavior.scale_down.policies.clear();
        assert!(with(behavior).contains("scale_down.policies"));
        let mut behavior = HpaBehavior::default();
        behavior.scale_up.policies = vec![ScalingPolicy::Pods {
            value: 0,
            period_secs: 15.0,
        }];
        assert!(with(behavior).contains("greater than zero"));
        let mut behavior = HpaBehavior::default();
        behavior.scale_up.stabilization_window_secs = 7200.0;
        assert!(with(behavior).contains("0..=3600"));
        let mut behavior = HpaBehavior::default();
        behavior.scale_down.tolerance = Some(-0.1);
        assert!(with(behavior).contains("behavior.scale_down.tolerance"));
    }
}
