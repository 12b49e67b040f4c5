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
//! [`Readiness::Booting`]: super::Readiness::Booting
//! [`Readiness::Warming`]: super::Readiness::Warming
//! [`Readiness::Ready`]: super::Readiness::Ready
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

mod config;
mod replica_calculator;
#[cfg(test)]
mod tests;

pub use config::{
    HpaBehavior, HpaConfig, MetricTarget, PoolMetric, ScaleDownRules, ScaleUpRules, ScalingPolicy,
    SelectPolicy,
};

use super::{Autoscaler, Measure, Observation, Recommendation};
use crate::model::config::{ConfigError, FieldPath, non_negative, positive};
use config::{Rules, Target, check_rules, resolve_target, stabilization_window};
use replica_calculator::{MissingMetric, Proposal, Tolerances};

/// `scaleUpLimitFactor` and `scaleUpLimitMinimum` of `horizontal.go`: without `behavior`
/// a sync may set at most `max(2 × current, 4)` replicas.
const LEGACY_SCALE_UP_FACTOR: f64 = 2.0;
const LEGACY_SCALE_UP_MINIMUM: f64 = 4.0;

/// Replica counts are `int32` in the Kubernetes API.
const MAX_REPLICAS: u32 = i32::MAX as u32;

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
