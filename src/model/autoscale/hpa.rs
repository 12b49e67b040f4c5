//! Kubernetes HorizontalPodAutoscaler (`autoscaling/v2`), computed the way the controller in
//! `kubernetes/kubernetes:pkg/controller/podautoscaler` computes it (DOMAIN.md section 1).
//!
//! Every sync period, for each metric: group the pods (pending, not ready, missing a
//! sample, ready), take `ceil(ratio * ready pods)` with the tolerance and the
//! conservative 0 % / 100 % rule, and keep the largest proposal over all metrics. That
//! raw answer is then normalized with `behavior`: stabilization windows over past
//! recommendations, rate-limit policies over past scale events, and the pool's min/max.
//!
//! Mapping of the simulator's instance states onto pod states (DOMAIN.md 1.4):
//! - [`Readiness::Booting`] is a `Pending` pod: set aside as not ready for every metric
//!   (counted as 0 on a scale-up, dropped otherwise).
//! - [`Readiness::Warming`] is a running pod that has not yet become `Ready`: for CPU its
//!   sample is not trusted (ignored as not ready); other metrics count it, as upstream
//!   checks readiness for CPU only; it is not in the ready-pod count of object metrics.
//! - [`Readiness::Ready`] is a `Ready` pod. Within the CPU initialization period its CPU
//!   sample is still ignored until one full metric window has been collected since it
//!   became ready.
//! - Any running pod without a sample for the metric is *missing* (upstream checks for a
//!   sample before it checks readiness).
//!
//! Quantities are handled as Kubernetes does: per-pod values and targets in milli-units
//! (integers), CPU utilization as a whole percent of the request (truncated), ratios as
//! `f64`, so edge cases round the way the real controller rounds them.

use serde::{Deserialize, Serialize};

use super::{Autoscaler, InstanceSample, Metric, Observation, Readiness, Recommendation};

/// The CPU request of one pod, in milli-vCPU: the simulator's CPU utilisation is busy
/// workers / workers, which is utilisation of a request of one vCPU per worker.
const CPU_REQUEST_MILLI: i64 = 1000;

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
    /// Relative change of the usage ratio ignored as noise: no scaling while
    /// `|1 - ratio| <= tolerance` (`--horizontal-pod-autoscaler-tolerance`, 0.1 = 10 %).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Stabilization windows and rate limits per direction (`spec.behavior`); unset parts
    /// take the Kubernetes defaults.
    #[serde(default)]
    pub behavior: HpaBehavior,
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

/// One entry of `spec.metrics`: a target on one [`Metric`]. `target` is in the metric's
/// own unit: a fraction of the CPU request for `Utilization`, vCPU / requests per second /
/// requests held per pod for `AverageValue`, seconds for `Value` on `LatencyP95`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum MetricTarget {
    /// A resource target as a share of the pods' request (`type: Resource`,
    /// `target.averageUtilization`); CPU only, with a request of one vCPU per worker.
    Utilization {
        /// The resource; only [`Metric::Cpu`] has a request.
        metric: Metric,
        /// Utilization to hold, as a fraction of the request (0.6 = 60 %); a whole
        /// percent, as Kubernetes takes an integer.
        target: f64,
    },
    /// An average per pod (`type: Pods`, or `Resource` with `target.averageValue`):
    /// CPU in vCPU, requests per second, requests held.
    AverageValue {
        /// A per-instance metric (not [`Metric::LatencyP95`]).
        metric: Metric,
        /// Average per pod to hold, in the metric's unit (resolution 0.001).
        target: f64,
    },
    /// A pool-wide value (`type: Object`/`External` with `target.value`): the ratio
    /// `value / target` multiplies the ready pods (DOMAIN.md 1.10).
    Value {
        /// A pool-wide metric: [`Metric::LatencyP95`].
        metric: Metric,
        /// Value to hold, in the metric's unit (seconds for latency; resolution 0.001).
        target: f64,
    },
}

/// `spec.behavior`: how fast, and after how much hesitation, each direction may move.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HpaBehavior {
    /// Rules for adding pods (default: stabilization 0 s, max of 100 % and 4 pods per 15 s).
    #[serde(default)]
    pub scale_up: ScaleUpRules,
    /// Rules for removing pods (default: stabilization 300 s, 100 % per 15 s).
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
}

/// `behavior.scaleDown`, with the scale-down defaults of `pkg/apis/autoscaling/v2/defaults.go`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDownRules {
    /// Seconds of past recommendations whose maximum floors a scale-down (300 s, from
    /// `--horizontal-pod-autoscaler-downscale-stabilization`).
    #[serde(default = "default_scale_down_stabilization_secs")]
    pub stabilization_window_secs: f64,
    /// Which policy limit applies when several do (default `Max`: the largest change);
    /// `Disabled` forbids scaling down.
    #[serde(default)]
    pub select_policy: SelectPolicy,
    /// Rate limits (default: `Percent(value: 100, period_secs: 15)`).
    #[serde(default = "default_scale_down_policies")]
    pub policies: Vec<ScalingPolicy>,
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
fn default_scale_down_stabilization_secs() -> f64 {
    300.0
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
            behavior: HpaBehavior::default(),
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
        }
    }
}

impl Default for ScaleDownRules {
    fn default() -> Self {
        ScaleDownRules {
            stabilization_window_secs: default_scale_down_stabilization_secs(),
            select_policy: SelectPolicy::Max,
            policies: default_scale_down_policies(),
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
}

/// One direction's rules, direction-independent.
#[derive(Clone, Debug)]
struct Rules {
    stabilization_window_secs: f64,
    select_policy: SelectPolicy,
    policies: Vec<ScalingPolicy>,
}

/// A past change of the pool's size, for the rate limits.
#[derive(Clone, Copy, Debug)]
struct ScaleEvent {
    at_secs: f64,
    replicas: u32,
}

/// The Kubernetes HPA controller for one pool, with the state the controller keeps:
/// recent recommendations (for stabilization) and recent scale events (for rate limits).
#[derive(Clone, Debug)]
pub struct Hpa {
    config: HpaConfig,
    targets: Vec<Target>,
    scale_up: Rules,
    scale_down: Rules,
    /// `(time in seconds, raw recommendation)`, pruned once outside both windows.
    recommendations: Vec<(f64, u32)>,
    scale_up_events: Vec<ScaleEvent>,
    scale_down_events: Vec<ScaleEvent>,
}

impl Hpa {
    /// Checks `config` and builds the controller; the error says which field is wrong
    /// and why.
    pub fn new(config: HpaConfig) -> Result<Hpa, String> {
        if config.metrics.is_empty() {
            return Err("hpa: `metrics` is empty; give at least one target, e.g. \
                        Utilization(metric: Cpu, target: 0.6)"
                .into());
        }
        let targets = config
            .metrics
            .iter()
            .enumerate()
            .map(|(i, m)| resolve_target(m).map_err(|e| format!("hpa: metrics[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        positive("sync_period_secs", config.sync_period_secs)?;
        non_negative("tolerance", config.tolerance)?;
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
        let up = &config.behavior.scale_up;
        let scale_up = check_rules(
            "behavior.scale_up",
            up.stabilization_window_secs,
            up.select_policy,
            &up.policies,
        )?;
        let down = &config.behavior.scale_down;
        let scale_down = check_rules(
            "behavior.scale_down",
            down.stabilization_window_secs,
            down.select_policy,
            &down.policies,
        )?;
        Ok(Hpa {
            config,
            targets,
            scale_up,
            scale_down,
            recommendations: Vec::new(),
            scale_up_events: Vec::new(),
            scale_down_events: Vec::new(),
        })
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &HpaConfig {
        &self.config
    }

    /// The inclusive tolerance band of DOMAIN.md 1.2. Kubernetes >= 1.33 writes it as
    /// `1 - down <= ratio <= 1 + up`, which differs from this only for a ratio of exactly
    /// "1.1" in floating point; we keep the documented `|1 - ratio| <= tolerance`.
    fn within_tolerance(&self, ratio: f64) -> bool {
        (1.0 - ratio).abs() <= self.config.tolerance
    }

    /// One metric's proposal (`computeReplicasForMetric`), or why it has none.
    fn propose(&self, target: Target, obs: &Observation) -> Result<Proposal, String> {
        match target {
            Target::Utilization { target_pct } => {
                let usage = Usage::Utilization { target_pct };
                self.pod_metric(obs, Metric::Cpu, usage)
            }
            Target::AverageValue {
                metric,
                target_milli,
            } => self.pod_metric(obs, metric, Usage::Average { target_milli }),
            Target::Value {
                metric,
                target_milli,
            } => self.object_metric(obs, metric, target_milli),
        }
    }

    /// Sorts the pods for one metric as `groupPods` does.
    fn group_pods(&self, obs: &Observation, metric: Metric) -> PodGroups {
        let mut groups = PodGroups::default();
        for pod in &obs.instances {
            if pod.readiness == Readiness::Booting {
                groups.unready += 1;
                continue;
            }
            let Some(milli) = pod.value(metric).and_then(to_milli) else {
                groups.missing += 1;
                continue;
            };
            if metric == Metric::Cpu && self.cpu_sample_untrusted(pod, obs) {
                groups.unready += 1;
                continue;
            }
            groups.ready.push(milli);
        }
        groups
    }

    /// The CPU readiness rule of `groupPods` (DOMAIN.md 1.4, item 4).
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
    ) -> Result<Proposal, String> {
        let current = obs.current;
        let groups = self.group_pods(obs, metric);
        if groups.ready.is_empty() {
            return Err(format!(
                "no ready pods with metrics ({})",
                metric_name(metric)
            ));
        }
        let ready_count = groups.ready.len();
        let ready_sum = groups.ready.iter().fold(0i64, |a, &b| a.saturating_add(b));
        let measured = usage.current(ready_sum, ready_count);
        let ratio = usage.ratio(measured);
        let head = usage.describe(metric, measured);
        let proposal = |replicas: u32, text: String| Proposal {
            replicas,
            value: usage.display_value(measured),
            target: usage.display_target(),
            text,
        };

        let scale_up_with_unready = groups.unready > 0 && ratio > 1.0;
        if !scale_up_with_unready && groups.missing == 0 {
            if self.within_tolerance(ratio) {
                return Ok(proposal(
                    current,
                    format!("{head}: within tolerance (ratio {ratio:.2})"),
                ));
            }
            let replicas = ceil_replicas(ratio * ready_count as f64);
            return Ok(proposal(
                replicas,
                format!("{head}: ratio {ratio:.2} -> {replicas}"),
            ));
        }

        // The conservative rule: fill in the pods we could not trust so that they damp
        // the move rather than drive it.
        let mut sum = ready_sum;
        let mut count = ready_count;
        let mut fills = Vec::new();
        if groups.missing > 0 {
            if ratio < 1.0 {
                let fill = usage.missing_on_scale_down();
                sum = sum.saturating_add(fill.saturating_mul(groups.missing as i64));
                count += groups.missing;
                fills.push(format!(
                    "{} missing counted at {}",
                    groups.missing,
                    usage.describe_fill()
                ));
            } else if ratio > 1.0 {
                count += groups.missing;
                fills.push(format!("{} missing counted as 0", groups.missing));
            } else {
                fills.push(format!("{} missing left out", groups.missing));
            }
        }
        if scale_up_with_unready {
            count += groups.unready;
            fills.push(format!("{} not ready counted as 0", groups.unready));
        }
        let new_ratio = usage.ratio(usage.current(sum, count));
        let adjusted = format!(
            "{head}: ratio {ratio:.2}; {} -> ratio {new_ratio:.2}",
            fills.join(", ")
        );
        if self.within_tolerance(new_ratio) {
            return Ok(proposal(current, format!("{adjusted}: within tolerance")));
        }
        if (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
            return Ok(proposal(
                current,
                format!("{adjusted}: direction reversed, hold"),
            ));
        }
        let replicas = ceil_replicas(new_ratio * count as f64);
        // Counting the filled-in pods can still point the other way; current upstream
        // guards both resource and plain metrics against that.
        if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
            return Ok(proposal(
                current,
                format!("{adjusted} -> {replicas} moves against the ratio, hold"),
            ));
        }
        Ok(proposal(replicas, format!("{adjusted} -> {replicas}")))
    }

    /// `GetObjectMetricReplicas` / `GetExternalMetricReplicas` with a `Value` target:
    /// `ceil(value / target * ready pods)`.
    fn object_metric(
        &self,
        obs: &Observation,
        metric: Metric,
        target_milli: i64,
    ) -> Result<Proposal, String> {
        let Some(value) = obs.ready_average(metric) else {
            return Err(format!("no {} samples in the window", metric_name(metric)));
        };
        let Some(value_milli) = to_milli(value) else {
            return Err(format!("{} is not a number", metric_name(metric)));
        };
        let ratio = value_milli as f64 / target_milli as f64;
        let head = format!(
            "{} {:.3} s vs target {:.3} s",
            metric_name(metric),
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
        } else if self.within_tolerance(ratio) {
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

    /// `normalizeDesiredReplicasWithBehaviors`: stabilization, then rate limits and
    /// min/max. Returns the final count and what held it back, if anything.
    fn normalize(&mut self, obs: &Observation, raw: u32) -> (u32, Vec<String>) {
        let now = obs.now_secs;
        let current = obs.current;
        let mut notes = Vec::new();

        // Stabilization (current upstream logic): the result may not go above the lowest
        // recommendation of the scale-up window nor below the highest of the scale-down
        // window. A new controller has no history, so, as upstream, nothing holds back its
        // first decision.
        let up_cutoff = now - self.scale_up.stabilization_window_secs;
        let down_cutoff = now - self.scale_down.stabilization_window_secs;
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
        let keep_after = now
            - self
                .scale_up
                .stabilization_window_secs
                .max(self.scale_down.stabilization_window_secs);
        self.recommendations.retain(|&(at, _)| at > keep_after);
        self.recommendations.push((now, raw));
        if stabilized != raw {
            if raw >= current {
                notes.push(format!(
                    "scale-up stabilization holds {stabilized} (min recommendation in the last {} s)",
                    self.scale_up.stabilization_window_secs
                ));
            } else {
                notes.push(format!(
                    "scale-down stabilization holds {stabilized} (max recommendation in the last {} s)",
                    self.scale_down.stabilization_window_secs
                ));
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
                }
            } else if i64::from(stabilized) > limit.replicas {
                // limit.replicas is within current..max here, so it fits in u32.
                desired = u32::try_from(limit.replicas).unwrap_or(current);
                notes.push(limit.describe("scale-up", current));
            }
        } else if stabilized < current {
            let limit = self.scale_down_limit(now, current);
            if i64::from(obs.min) >= limit.replicas {
                if stabilized < obs.min {
                    desired = obs.min;
                    notes.push(format!("at min {}", obs.min));
                }
            } else if i64::from(stabilized) < limit.replicas {
                // limit.replicas is within min..current here, so it fits in u32.
                desired = u32::try_from(limit.replicas).unwrap_or(current);
                notes.push(limit.describe("scale-down", current));
            }
        }
        (desired, notes)
    }

    /// Forgets scale events no policy period can still see.
    fn prune_events(&mut self, now: f64) {
        let longest = self
            .scale_up
            .policies
            .iter()
            .chain(&self.scale_down.policies)
            .map(|p| p.period_secs())
            .fold(0.0, f64::max);
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
        let rules = &self.scale_up;
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
        let rules = &self.scale_down;
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

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let current = obs.current;
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
        let mut best: Option<Proposal> = None;
        let mut failures = Vec::new();
        for &target in &self.targets {
            match self.propose(target, obs) {
                Ok(p) => {
                    if best.as_ref().is_none_or(|b| p.replicas > b.replicas) {
                        best = Some(p);
                    }
                }
                Err(e) => failures.push(e),
            }
        }
        let Some(best) = best else {
            return Recommendation::hold(current, format!("{}: hold", failures.join("; ")));
        };
        // A metric we cannot read might be the one that needs the capacity, so without
        // it scaling down is not safe (scaling up still is).
        if !failures.is_empty() && best.replicas < current {
            return Recommendation {
                desired: current,
                raw_desired: current,
                metric_value: Some(best.value),
                target: Some(best.target),
                reason: format!(
                    "{}; but {}: no scale-down while a metric is missing, hold",
                    best.text,
                    failures.join("; ")
                ),
            };
        }

        let raw = best.replicas;
        let (desired, notes) = self.normalize(obs, raw);
        let mut reason = best.text;
        for note in notes {
            reason.push_str("; ");
            reason.push_str(&note);
        }
        for failure in failures {
            reason.push_str(&format!(" ({failure})"));
        }
        Recommendation {
            desired,
            raw_desired: raw,
            metric_value: Some(best.value),
            target: Some(best.target),
            reason,
        }
    }

    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
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
    /// config's unit (a fraction for utilization).
    value: f64,
    /// The target, in the config's unit.
    target: f64,
    /// "cpu 81% vs target 60%: ratio 1.35 -> 6".
    text: String,
}

/// Pods sorted for one metric: the milli-values of ready pods, and how many were set
/// aside as not ready or were missing a sample.
#[derive(Clone, Debug, Default)]
struct PodGroups {
    ready: Vec<i64>,
    unready: usize,
    missing: usize,
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
    /// Current usage in the controller's integer unit: utilization percent truncated
    /// (`GetResourceUtilizationRatio`), or the average milli-value truncated
    /// (`GetMetricUsageRatio`).
    fn current(self, sum_milli: i64, pods: usize) -> i64 {
        let pods = (pods as i64).max(1);
        match self {
            Usage::Utilization { .. } => {
                sum_milli.saturating_mul(100) / pods.saturating_mul(CPU_REQUEST_MILLI)
            }
            Usage::Average { .. } => sum_milli / pods,
        }
    }

    fn ratio(self, current: i64) -> f64 {
        match self {
            Usage::Utilization { target_pct } => current as f64 / target_pct as f64,
            Usage::Average { target_milli } => current as f64 / target_milli as f64,
        }
    }

    /// The value a missing pod counts for on a scale-down: its whole request (or the
    /// target, if the target is above 100 %) for utilization, the target for averages.
    fn missing_on_scale_down(self) -> i64 {
        match self {
            Usage::Utilization { target_pct } => CPU_REQUEST_MILLI * target_pct.max(100) / 100,
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
        let name = metric_name(metric);
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

/// The name of a metric in a decision log.
fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Cpu => "cpu",
        Metric::RequestsPerTarget => "requests",
        Metric::QueuePerInstance => "queue",
        Metric::LatencyP95 => "p95 latency",
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

/// `int32(math.Ceil(x))`, saturating instead of wrapping (the cast saturates, NaN is 0).
fn ceil_replicas(x: f64) -> u32 {
    x.ceil() as u32
}

fn positive(field: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "hpa: `{field}` must be a positive number, got {value}"
        ))
    }
}

fn non_negative(field: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!("hpa: `{field}` must be zero or more, got {value}"))
    }
}

/// Checks one metric target and converts it to controller units.
fn resolve_target(target: &MetricTarget) -> Result<Target, String> {
    let (kind, metric, value) = match *target {
        MetricTarget::Utilization { metric, target } => ("Utilization", metric, target),
        MetricTarget::AverageValue { metric, target } => ("AverageValue", metric, target),
        MetricTarget::Value { metric, target } => ("Value", metric, target),
    };
    if !value.is_finite() || value <= 0.0 {
        return Err(format!(
            "{kind} target for {metric:?} must be a positive number, got {value}"
        ));
    }
    match *target {
        MetricTarget::Utilization { metric, target } => {
            if metric != Metric::Cpu {
                return Err(format!(
                    "Utilization is a share of a resource request and only Cpu has one; \
                     for {metric:?} use AverageValue{}",
                    if metric == Metric::LatencyP95 {
                        " or, as latency is pool-wide, Value"
                    } else {
                        ""
                    }
                ));
            }
            let pct = target * 100.0;
            // Kubernetes takes `averageUtilization` as an integer percent; the tolerance
            // absorbs float noise such as 0.29 * 100 = 28.999999999999996.
            if (pct - pct.round()).abs() > 1e-6 {
                return Err(format!(
                    "Utilization target {target} is not a whole percent (Kubernetes takes an \
                     integer averageUtilization); write e.g. {:.2}",
                    pct.round() / 100.0
                ));
            }
            Ok(Target::Utilization {
                target_pct: pct.round() as i64,
            })
        }
        MetricTarget::AverageValue { metric, target } => {
            if metric == Metric::LatencyP95 {
                return Err(
                    "AverageValue needs a per-pod metric and LatencyP95 is pool-wide; \
                            use Value(metric: LatencyP95, target: ...)"
                        .into(),
                );
            }
            Ok(Target::AverageValue {
                metric,
                target_milli: target_milli(kind, metric, target)?,
            })
        }
        MetricTarget::Value { metric, target } => {
            if metric != Metric::LatencyP95 {
                return Err(format!(
                    "Value targets a pool-wide metric (LatencyP95); {metric:?} is per pod, \
                     use AverageValue(metric: {metric:?}, target: ...)"
                ));
            }
            Ok(Target::Value {
                metric,
                target_milli: target_milli(kind, metric, target)?,
            })
        }
    }
}

fn target_milli(kind: &str, metric: Metric, target: f64) -> Result<i64, String> {
    let milli = (target * 1000.0).round();
    if milli < 1.0 {
        return Err(format!(
            "{kind} target {target} for {metric:?} is below 0.001, the resolution of \
             Kubernetes quantities"
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
) -> Result<Rules, String> {
    if !(0.0..=MAX_STABILIZATION_WINDOW_SECS).contains(&stabilization_window_secs) {
        return Err(format!(
            "hpa: `{field}.stabilization_window_secs` must be within 0..=3600, got \
             {stabilization_window_secs}"
        ));
    }
    if policies.is_empty() {
        return Err(format!(
            "hpa: `{field}.policies` is empty; give at least one policy, or leave the field \
             out for the default (select_policy: Disabled forbids the direction)"
        ));
    }
    for (i, policy) in policies.iter().enumerate() {
        if policy.value() == 0 {
            return Err(format!(
                "hpa: `{field}.policies[{i}]`: value must be greater than zero"
            ));
        }
        let period = policy.period_secs();
        if !(period > 0.0 && period <= MAX_POLICY_PERIOD_SECS) {
            return Err(format!(
                "hpa: `{field}.policies[{i}]`: period_secs must be within (0, 1800], got {period}"
            ));
        }
    }
    Ok(Rules {
        stabilization_window_secs,
        select_policy,
        policies: policies.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pod that has been ready for an hour, past every initialization period.
    fn pod(cpu: Option<f64>) -> InstanceSample {
        InstanceSample {
            readiness: Readiness::Ready,
            age_secs: 3600.0,
            cpu,
            requests_per_sec: None,
            queue: None,
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

    fn hpa(metrics: Vec<MetricTarget>) -> Hpa {
        Hpa::new(HpaConfig {
            metrics,
            ..HpaConfig::default()
        })
        .unwrap()
    }

    fn cpu_hpa(target: f64) -> Hpa {
        hpa(vec![MetricTarget::Utilization {
            metric: Metric::Cpu,
            target,
        }])
    }

    /// Evaluates and, like the world, applies a change.
    fn step(hpa: &mut Hpa, o: &Observation) -> Recommendation {
        let rec = hpa.evaluate(o);
        if rec.desired != o.current {
            hpa.applied(o.now_secs, o.current, rec.desired);
        }
        rec
    }

    #[test]
    fn doc_example_200m_of_100m_doubles_and_50m_halves() {
        // DOMAIN 1.1: 200m / 100m -> ratio 2.0 -> replicas doubled. 4 pods at 0.2 vCPU with an
        // AverageValue target of 0.1 vCPU: ceil(4 * 200/100) = 8. Default scale-up limit
        // for 4 = max(ceil(4 * 2), 4 + 4) = 8, so all 8 go through.
        let mut h = hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.2));
        assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
        assert_eq!(rec.metric_value, Some(0.2));
        assert_eq!(rec.target, Some(0.1));

        // 50m / 100m -> ratio 0.5 -> halved: ceil(4 * 0.5) = 2. A new controller has no
        // past recommendations, so the 300 s window holds nothing back, and 100 %/15 s
        // allows removing all 4.
        let mut h = hpa(vec![MetricTarget::AverageValue {
            metric: Metric::Cpu,
            target: 0.1,
        }]);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.05));
        assert_eq!((rec.raw_desired, rec.desired), (2, 2), "{}", rec.reason);
    }

    #[test]
    fn reason_reads_like_the_decision_log() {
        // 4 pods at 81 % against 60 %: ratio 81/60 = 1.35, ceil(1.35 * 4) = ceil(5.4) = 6.
        let mut h = cpu_hpa(0.6);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.81));
        assert_eq!(rec.desired, 6);
        assert_eq!(rec.reason, "cpu 81% vs target 60%: ratio 1.35 -> 6");
        assert_eq!(rec.metric_value, Some(0.81));
        assert_eq!(rec.target, Some(0.6));
    }

    #[test]
    fn tolerance_ratio_1_08_holds_and_0_85_scales() {
        // 54 % against 50 %: ratio 1.08, |1 - 1.08| = 0.08 <= 0.1 -> no change.
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&cpu_obs(0.0, 4, 0.54));
        assert_eq!((rec.raw_desired, rec.desired), (4, 4));
        assert_eq!(
            rec.reason,
            "cpu 54% vs target 50%: within tolerance (ratio 1.08)"
        );

        // 51 % against 60 %: ratio 0.85, |1 - 0.85| = 0.15 > 0.1 -> scale:
        // ceil(0.85 * 10) = ceil(8.5) = 9.
        let mut h = cpu_hpa(0.6);
        let rec = h.evaluate(&cpu_obs(0.0, 10, 0.51));
        assert_eq!((rec.raw_desired, rec.desired), (9, 9), "{}", rec.reason);

        // Float parity (DOMAIN 1.2 caveat): 66/60 = 1.1 and 1.1 - 1.0 = 0.10000000000000009
        // > 0.1, so the real controller scales: ceil(1.1 * 10) = 11.
        let mut h = cpu_hpa(0.6);
        let rec = h.evaluate(&cpu_obs(0.0, 10, 0.66));
        assert_eq!(rec.raw_desired, 11, "{}", rec.reason);
    }

    #[test]
    fn missing_metric_blocks_the_scale_down() {
        // DOMAIN 1.5, first example: target 50 %, 4 pods, 3 at 25 % and 1 with no sample.
        // Ratio 25/50 = 0.5 < 1, so the missing pod counts at 100 % of its request:
        // (250 * 3 + 1000) / 4000 = 43.75 %, truncated to 43 % as the controller does ->
        // ratio 0.86 (0.875 untruncated), |1 - 0.86| > 0.1, ceil(0.86 * 4) = ceil(3.44) = 4
        // = current -> no scale-down.
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
        // DOMAIN 1.5, second example: target 50 %, 3 ready pods at 100 % and 1 not ready.
        // Ratio 100/50 = 2.0 > 1, so the unready pod counts as 0: 3000 / 4000 = 75 % ->
        // ratio 1.5 -> ceil(1.5 * 4) = 6. The warming pod's own 90 % is not trusted.
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
        // DOMAIN 1.5: 2 ready at 100 % and 2 unready, target 50 %. The fast path would say
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
        // 10 % is not trusted. The 2 old pods at 100 %: ratio 2.0, the 2 new ones count as
        // 0: 2000 / 4000 = 50 % -> ratio 1.0 -> within tolerance -> hold.
        let mut h = cpu_hpa(0.5);
        let mut instances = pods(2, 1.0);
        for _ in 0..2 {
            instances.push(InstanceSample {
                age_secs: 100.0,
                ..pod(Some(0.1))
            });
        }
        let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances.clone()));
        assert_eq!(rec.desired, 4, "{}", rec.reason);

        // At 200 s they have been ready 140 s >= 75 s: trusted. (2 * 1000 + 2 * 100) / 4000
        // = 55 % -> ratio 1.1 -> |1 - 1.1| = 0.10000000000000009 > 0.1 ->
        // ceil(1.1 * 4) = ceil(4.4) = 5.
        for p in &mut instances[2..] {
            p.age_secs = 200.0;
        }
        let rec = h.evaluate(&obs(15.0, 4, 1, 10, instances));
        assert_eq!(rec.raw_desired, 5, "{}", rec.reason);
    }

    #[test]
    fn several_metrics_the_largest_proposal_wins() {
        // CPU: 75 % vs 50 % -> ratio 1.5 -> ceil(1.5 * 4) = 6.
        // Requests: 100/s vs 50/s per pod -> ratio 2.0 -> ceil(2.0 * 4) = 8. Max = 8, and
        // the decision reports the requests metric. Scale-up limit for 4 is 8.
        let with = |order_cpu_first: bool| {
            let cpu = MetricTarget::Utilization {
                metric: Metric::Cpu,
                target: 0.5,
            };
            let rps = MetricTarget::AverageValue {
                metric: Metric::RequestsPerTarget,
                target: 50.0,
            };
            let mut h = hpa(if order_cpu_first {
                vec![cpu, rps]
            } else {
                vec![rps, cpu]
            });
            let instances = (0..4)
                .map(|_| InstanceSample {
                    requests_per_sec: Some(100.0),
                    ..pod(Some(0.75))
                })
                .collect();
            h.evaluate(&obs(0.0, 4, 1, 20, instances))
        };
        for order in [true, false] {
            let rec = with(order);
            assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
            assert_eq!(rec.metric_value, Some(100.0));
            assert_eq!(rec.target, Some(50.0));
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
        // is not ready). Scale-up limit for 5 = max(10, 9) = 10.
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
    }

    #[test]
    fn default_scale_up_limits() {
        // DOMAIN 1.8, no prior events, 1 % target against 100 % CPU: ratio 100.
        // current 1  -> limit max(ceil(1 * 2), 1 + 4)  = max(2, 5)   = 5
        // current 3  -> limit max(ceil(3 * 2), 3 + 4)  = max(6, 7)   = 7
        // current 10 -> limit max(ceil(10 * 2), 10 + 4) = max(20, 14) = 20
        for (current, raw, expected, by) in [
            (1, 100, 5, "Pods 4/15s"),
            (3, 300, 7, "Pods 4/15s"),
            (10, 1000, 20, "Percent 100%/15s"),
        ] {
            let mut h = cpu_hpa(0.01);
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
    }

    #[test]
    fn scale_up_allowance_is_shared_within_the_period() {
        // 10 -> 20 at t = 0 uses the whole 100 %/15 s. At t = 10 (an early sync) the period
        // began at 20 - 10 = 10, so Percent allows ceil(10 * 2) = 20 and Pods 10 + 4 = 14:
        // limit 20 = current, held. At t = 15 the event has aged out: 20 -> 40.
        let mut h = cpu_hpa(0.01);
        assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 1.0)).desired, 20);
        assert_eq!(step(&mut h, &cpu_obs(10.0, 20, 1.0)).desired, 20);
        assert_eq!(step(&mut h, &cpu_obs(15.0, 20, 1.0)).desired, 40);
    }

    #[test]
    fn doc_example_scale_down_policies_80_to_72() {
        // DOMAIN 1.9: Pods 4/60 s and Percent 10/60 s, select Max (the larger change).
        // Every pod serves 10/s against a 100/s target: ratio 0.1, raw ceil(0.1 * 80) = 8.
        let mut config = HpaConfig {
            metrics: vec![MetricTarget::AverageValue {
                metric: Metric::RequestsPerTarget,
                target: 100.0,
            }],
            ..HpaConfig::default()
        };
        config.behavior.scale_down.policies = vec![
            ScalingPolicy::Pods {
                value: 4,
                period_secs: 60.0,
            },
            ScalingPolicy::Percent {
                value: 10,
                period_secs: 60.0,
            },
        ];
        let mut h = Hpa::new(config).unwrap();
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
    fn sustained_dip_scales_down_after_300_s() {
        // As above, but the dip lasts. The only 10 is the recommendation of t = 0; it is in
        // the window (now - 300, now] up to t = 285 and leaves it at t = 300, when the max
        // of the window is 5 and 100 %/15 s allows it: 10 -> 5.
        let mut h = cpu_hpa(0.5);
        assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 0.5)).desired, 10);
        for i in 1..=19 {
            let now = f64::from(i) * 15.0;
            let rec = step(&mut h, &cpu_obs(now, 10, 0.25));
            assert_eq!(rec.desired, 10, "t = {now}: {}", rec.reason);
        }
        let rec = step(&mut h, &cpu_obs(300.0, 10, 0.25));
        assert_eq!(rec.desired, 5, "{}", rec.reason);
    }

    #[test]
    fn select_policy_disabled_forbids_scale_down() {
        // 20 % against 50 %: ratio 0.4, raw ceil(0.4 * 10) = 4, but scale-down is disabled.
        let mut config = HpaConfig {
            metrics: vec![MetricTarget::Utilization {
                metric: Metric::Cpu,
                target: 0.5,
            }],
            ..HpaConfig::default()
        };
        config.behavior.scale_down.select_policy = SelectPolicy::Disabled;
        let mut h = Hpa::new(config).unwrap();
        for i in 0..40 {
            let rec = step(&mut h, &cpu_obs(f64::from(i) * 15.0, 10, 0.2));
            assert_eq!((rec.raw_desired, rec.desired), (4, 10), "{}", rec.reason);
            assert!(
                rec.reason
                    .ends_with("; scale-down disabled (select_policy: Disabled)")
            );
        }
        // Scaling up still works: 100 % -> ratio 2 -> 20 (limit max(20, 14) = 20).
        assert_eq!(step(&mut h, &cpu_obs(600.0, 10, 1.0)).desired, 20);
    }

    #[test]
    fn min_and_max_are_never_crossed() {
        // 100 % against 50 % with 8 pods: raw 16, rate limit max(16, 12) = 16, max 10.
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&obs(0.0, 8, 2, 10, pods(8, 1.0)));
        assert_eq!((rec.raw_desired, rec.desired), (16, 10));
        assert_eq!(
            rec.reason,
            "cpu 100% vs target 50%: ratio 2.00 -> 16; at max 10"
        );

        // 5 % against 50 % with 4 pods: raw ceil(0.1 * 4) = 1, min 3.
        let mut h = cpu_hpa(0.5);
        let rec = h.evaluate(&obs(0.0, 4, 3, 10, pods(4, 0.05)));
        assert_eq!((rec.raw_desired, rec.desired), (1, 3));
        assert!(rec.reason.ends_with("; at min 3"), "{}", rec.reason);

        // Outside the bounds (someone resized the pool): brought back without metrics.
        let mut h = cpu_hpa(0.5);
        assert_eq!(h.evaluate(&obs(0.0, 12, 2, 10, pods(12, 1.0))).desired, 10);
        assert_eq!(h.evaluate(&obs(0.0, 1, 2, 10, pods(1, 0.0))).desired, 2);

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
        // CPU says 4 (ratio 0.5), latency has no samples: DOMAIN 1.6 -> no scale-down.
        let mut h = hpa(vec![
            MetricTarget::Utilization {
                metric: Metric::Cpu,
                target: 0.5,
            },
            MetricTarget::Value {
                metric: Metric::LatencyP95,
                target: 0.3,
            },
        ]);
        let rec = h.evaluate(&cpu_obs(0.0, 8, 0.25));
        assert_eq!(rec.desired, 8, "{}", rec.reason);
        // CPU says 16 (ratio 2): scaling up is still allowed.
        let rec = h.evaluate(&cpu_obs(15.0, 8, 1.0));
        assert_eq!(rec.desired, 16, "{}", rec.reason);
    }

    #[test]
    fn config_reads_from_ron_with_kubernetes_defaults() {
        let config: HpaConfig =
            ron::from_str("(metrics: [Utilization(metric: Cpu, target: 0.6)])").unwrap();
        assert_eq!(config.sync_period_secs, 15.0);
        assert_eq!(config.tolerance, 0.1);
        assert_eq!(config.cpu_initialization_period_secs, 300.0);
        assert_eq!(config.initial_readiness_delay_secs, 30.0);
        assert_eq!(config.behavior, HpaBehavior::default());
        assert_eq!(config.behavior.scale_down.stabilization_window_secs, 300.0);
        assert_eq!(config.behavior.scale_up.stabilization_window_secs, 0.0);
        let h = Hpa::new(config).unwrap();
        assert_eq!(h.period_secs(), 15.0);
        assert_eq!(h.window_secs(), (60.0, 15.0));

        // No metrics at all: CPU utilization 80 %, the Kubernetes default.
        let config: HpaConfig = ron::from_str("()").unwrap();
        assert_eq!(config, HpaConfig::default());

        // A partial scale-down block keeps the other scale-down defaults.
        let config: HpaConfig = ron::from_str(
            "(
                metrics: [
                    Utilization(metric: Cpu, target: 0.6),
                    AverageValue(metric: RequestsPerTarget, target: 50),
                    Value(metric: LatencyP95, target: 0.3),
                ],
                behavior: (scale_down: (policies: [Pods(value: 4, period_secs: 60)])),
            )",
        )
        .unwrap();
        assert_eq!(config.behavior.scale_down.stabilization_window_secs, 300.0);
        assert_eq!(config.behavior.scale_up, ScaleUpRules::default());
        assert!(Hpa::new(config).is_ok());

        // Inside a pool, as a newtype variant of the scenario's policy enum (with RON's
        // unwrap_variant_newtypes extension the inner parentheses can go).
        #[derive(Debug, Deserialize)]
        enum Autoscale {
            Hpa(HpaConfig),
        }
        let options = ron::Options::default().with_default_extension(
            ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
                | ron::extensions::Extensions::IMPLICIT_SOME,
        );
        let Autoscale::Hpa(config) = options
            .from_str("Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)], tolerance: 0.05)")
            .unwrap();
        assert_eq!(config.tolerance, 0.05);
        assert_eq!(config.metrics.len(), 1);

        // Unknown fields are errors, at every level.
        assert!(ron::from_str::<HpaConfig>("(sync_period: 15)").is_err());
        assert!(ron::from_str::<HpaConfig>("(behavior: (scale_up: (window_secs: 5)))").is_err());
        assert!(
            ron::from_str::<HpaConfig>(
                "(metrics: [Utilization(metric: Cpu, target: 0.6, extra: 1)])"
            )
            .is_err()
        );
    }

    #[test]
    fn nonsense_configs_are_rejected_with_a_reason() {
        let with_metrics = |metrics| {
            Hpa::new(HpaConfig {
                metrics,
                ..HpaConfig::default()
            })
            .unwrap_err()
        };
        assert!(with_metrics(vec![]).contains("`metrics` is empty"));
        let e = with_metrics(vec![MetricTarget::Utilization {
            metric: Metric::Cpu,
            target: 0.0,
        }]);
        assert!(e.contains("must be a positive number"), "{e}");
        let e = with_metrics(vec![MetricTarget::AverageValue {
            metric: Metric::QueuePerInstance,
            target: -3.0,
        }]);
        assert!(e.contains("metrics[0]"), "{e}");
        let e = with_metrics(vec![MetricTarget::Utilization {
            metric: Metric::RequestsPerTarget,
            target: 0.6,
        }]);
        assert!(e.contains("only Cpu has one"), "{e}");
        let e = with_metrics(vec![MetricTarget::Utilization {
            metric: Metric::Cpu,
            target: 0.655,
        }]);
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

        let config = HpaConfig {
            sync_period_secs: 0.0,
            ..HpaConfig::default()
        };
        assert!(Hpa::new(config).unwrap_err().contains("sync_period_secs"));
        let config = HpaConfig {
            tolerance: f64::NAN,
            ..HpaConfig::default()
        };
        assert!(Hpa::new(config).unwrap_err().contains("tolerance"));
        let mut config = HpaConfig::default();
        config.behavior.scale_down.policies.clear();
        assert!(
            Hpa::new(config)
                .unwrap_err()
                .contains("scale_down.policies")
        );
        let mut config = HpaConfig::default();
        config.behavior.scale_up.policies = vec![ScalingPolicy::Pods {
            value: 0,
            period_secs: 15.0,
        }];
        assert!(Hpa::new(config).unwrap_err().contains("greater than zero"));
        let mut config = HpaConfig::default();
        config.behavior.scale_up.stabilization_window_secs = 7200.0;
        assert!(Hpa::new(config).unwrap_err().contains("0..=3600"));
    }
}
