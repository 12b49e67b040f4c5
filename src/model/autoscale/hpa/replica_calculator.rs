//! Each metric's replica proposal, as `pkg/controller/podautoscaler/replica_calculator.go`
//! computes it (with `metrics/utilization.go`): pods grouped by readiness, usage ratios
//! in the controller's integer units, tolerances, and the conservative fill-in of pods
//! that are not ready or miss a sample.

use super::config::{PoolMetric, Target};
use super::{Hpa, MAX_REPLICAS};
use crate::model::autoscale::{InstanceSample, Metric, Observation, Readiness};

/// Milli-units of CPU request per worker: one vCPU.
const MILLI_PER_WORKER: i64 = 1000;

/// `Tolerances` of `replica_calculator.go`: the ratio band within which nothing changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Tolerances {
    pub(super) down: f64,
    pub(super) up: f64,
}

impl Tolerances {
    /// `isWithin`: `1 - down <= ratio <= 1 + up`. A NaN ratio is never within.
    fn within(self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// Why a metric gives no proposal at this sync (upstream's `computeReplicasForMetric`
/// returns an error and the controller goes on with the other metrics).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum MissingMetric {
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

impl Hpa {
    /// One metric's proposal (`computeReplicasForMetric`), or why it has none.
    pub(super) fn propose(
        &self,
        target: Target,
        obs: &Observation,
    ) -> Result<Proposal, MissingMetric> {
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
}

/// One metric's answer.
#[derive(Clone, Debug)]
pub(super) struct Proposal {
    pub(super) replicas: u32,
    /// The measured value as the HPA status reports it (without filled-in pods), in the
    /// target's measure (a fraction for utilization).
    pub(super) value: f64,
    /// The target, in the same measure.
    pub(super) target: f64,
    /// "cpu 81% vs target 60%: ratio 1.35 -> 6".
    pub(super) text: String,
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
