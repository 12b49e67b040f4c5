//! Autoscaling policies: pure decisions over what the monitoring system reported.
//!
//! Every `period` the world builds an [`Observation`] of a pool, with metrics as an
//! autoscaler sees them (averaged over a window and delivered with a lag, not the
//! simulator's instant truth), and asks the pool's policy for a [`Recommendation`]: a
//! desired capacity and the reason in words. The world applies it and logs it, also when
//! the policy wanted a change and held it back (stabilization, cooldown, limits).
//!
//! Each policy lives in its own file and follows the documented behaviour of the real
//! system it is named after (each file cites its source; docs/autoscaling.md sums them
//! up); its tests reproduce the documentation's
//! worked examples. Policies keep only the state the real controller keeps (recent
//! recommendations, last scaling time), so an evaluation depends on nothing else.

pub mod aws;
pub mod aws_simple;
pub mod aws_step;
pub mod aws_target_tracking;
pub mod backlog;
pub mod hpa;
pub mod latency;
pub mod predictive;
pub mod scheduled;
pub mod spec;
pub mod vertical;

pub use spec::AutoscaleSpec;

use serde::{Deserialize, Serialize};

/// Which metric a policy scales on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// CPU utilisation: busy workers / workers, 0..=1 (AWS `ASGAverageCPUUtilization`,
    /// Kubernetes resource `cpu` utilisation with requests = one vCPU per worker).
    Cpu,
    /// Requests completed per second per instance (AWS `ALBRequestCountPerTarget` / 60).
    RequestsPerTarget,
    /// Requests waiting or in service per instance (a queue/backlog metric).
    QueuePerInstance,
    /// 95th-percentile latency in seconds over the window (pool-wide, not per instance).
    LatencyP95,
}

impl Metric {
    /// The quantity this metric's values are in, for the decision log.
    pub fn measure(self) -> Measure {
        match self {
            Metric::Cpu => Measure::Cpu,
            Metric::RequestsPerTarget => Measure::RequestsPerSecPerInstance,
            Metric::QueuePerInstance => Measure::QueuePerInstance,
            Metric::LatencyP95 => Measure::LatencyP95,
        }
    }

    /// The metric's name in decision reasons, the same words for every policy: "cpu",
    /// "requests", "queue", "p95 latency".
    pub fn label(self) -> &'static str {
        match self {
            Metric::Cpu => "cpu",
            Metric::RequestsPerTarget => "requests",
            Metric::QueuePerInstance => "queue",
            Metric::LatencyP95 => "p95 latency",
        }
    }

    /// A value of the metric in reasons, with its unit: CPU as a percentage ("81%"),
    /// requests as a rate ("62.5/s"), a queue as a count ("3.5"), latency in seconds
    /// ("0.42 s"); at most two decimals, trailing zeros dropped.
    pub fn format(self, v: f64) -> String {
        match self {
            Metric::Cpu => format!("{}%", short(v * 100.0)),
            Metric::RequestsPerTarget => format!("{}/s", short(v)),
            Metric::QueuePerInstance => short(v),
            Metric::LatencyP95 => format!("{} s", short(v)),
        }
    }
}

/// At most two decimals, without trailing zeros: 81.00000000000001 -> "81", 54.5 -> "54.5".
fn short(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The quantity a decision's `metric_value` and `target` are in, so that the decision
/// log names it and one column never mixes units (CPU as a fraction, never a percent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// CPU utilisation of the instances, a fraction of their capacity (0.6 = 60 %).
    Cpu,
    /// Requests per second per instance.
    RequestsPerSecPerInstance,
    /// Requests per second over the whole pool (arrivals, or a forecast of them).
    RequestsPerSec,
    /// CPU in use per instance, vCPU (a Kubernetes resource `AverageValue` target on `cpu`).
    CpuCoresPerInstance,
    /// Requests held (queued or in service) per instance.
    QueuePerInstance,
    /// Requests held over the whole pool (a backlog).
    Queue,
    /// The pool's 95th-percentile latency, seconds.
    LatencyP95,
}

impl Measure {
    /// The name written in `decisions.csv`'s `metric` column.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Cpu => "cpu",
            Measure::RequestsPerSecPerInstance => "requests_per_sec_per_instance",
            Measure::RequestsPerSec => "requests_per_sec",
            Measure::CpuCoresPerInstance => "cpu_cores_per_instance",
            Measure::QueuePerInstance => "queue_per_instance",
            Measure::Queue => "queue",
            Measure::LatencyP95 => "latency_p95",
        }
    }

    /// The unit of its values, written in `decisions.csv`'s `unit` column.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::Cpu => "fraction",
            Measure::RequestsPerSecPerInstance | Measure::RequestsPerSec => "req/s",
            Measure::QueuePerInstance | Measure::Queue => "requests",
            Measure::CpuCoresPerInstance => "vCPU",
            Measure::LatencyP95 => "s",
        }
    }
}

/// Where an instance is, as an autoscaler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Launched, not serving yet (Kubernetes `Pending`, AWS `Pending`).
    Booting,
    /// Serving, but inside its warm-up / initialization period: its metrics are not
    /// trusted yet (AWS instance warm-up, HPA `cpu-initialization-period`, GCP
    /// initialization period).
    Warming,
    /// Serving and trusted.
    Ready,
}

/// One instance's samples over the last metric window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InstanceSample {
    /// Where it is.
    pub readiness: Readiness,
    /// Seconds since it was launched.
    pub age_secs: f64,
    /// Its CPU utilisation over the window (0..=1), `None` if no sample reached the
    /// monitoring system (booting, or launched inside the window).
    pub cpu: Option<f64>,
    /// Requests it completed per second over the window.
    pub requests_per_sec: Option<f64>,
    /// Mean requests it held (queued + in service) over the window.
    pub queue: Option<f64>,
    /// Its workers: the capacity its `cpu` is a fraction of (one per vCPU of its type
    /// unless the pool sets `workers`). The CPU request of a Kubernetes pod, by which the
    /// HPA weighs each pod's utilisation (summed usage / summed requests).
    pub workers: u32,
}

/// What a policy sees at one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Simulated seconds since the start of the run.
    pub now_secs: f64,
    /// Seconds since Monday 00:00 on the simulated clock (for schedules and seasonality).
    pub week_secs: f64,
    /// The pool's current desired capacity (`spec.replicas`, ASG `DesiredCapacity`).
    pub current: u32,
    /// The pool's bounds.
    pub min: u32,
    /// The pool's bounds.
    pub max: u32,
    /// One sample per live (booting or in-service) instance, oldest first.
    pub instances: Vec<InstanceSample>,
    /// Pool-wide p95 latency over the window, seconds (`None` if nothing completed).
    pub latency_p95_secs: Option<f64>,
    /// Requests that arrived at the pool per second over the window.
    pub arrivals_per_sec: Option<f64>,
    /// Seconds from launch to in service (for policies that scale ahead of load).
    pub boot_secs: f64,
}

impl Observation {
    /// The average of `metric` over ready instances that reported it (warming and booting
    /// instances excluded, as AWS and GCP exclude them), or `None` when none did
    /// (AWS `INSUFFICIENT_DATA`: never read as low utilisation).
    pub fn ready_average(&self, metric: Metric) -> Option<f64> {
        if metric == Metric::LatencyP95 {
            return self.latency_p95_secs;
        }
        let values: Vec<f64> = self
            .instances
            .iter()
            .filter(|i| i.readiness == Readiness::Ready)
            .filter_map(|i| i.value(metric))
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.iter().sum::<f64>() / values.len() as f64)
        }
    }

    /// The simulated clock `secs` seconds after the start, as a person reads it
    /// ("Mon 09:04:30"), for reasons like "cooldown until ...".
    pub fn clock_at(&self, secs: f64) -> String {
        let week = self.week_secs + (secs - self.now_secs);
        crate::model::clock::week_label(week.round().max(0.0) as u64)
    }

    /// Instances in a given state.
    pub fn count(&self, readiness: Readiness) -> u32 {
        self.instances
            .iter()
            .filter(|i| i.readiness == readiness)
            .count() as u32
    }
}

impl InstanceSample {
    /// This instance's value of a per-instance metric (`None` for latency, which is
    /// pool-wide, or when it reported nothing).
    pub fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Cpu => self.cpu,
            Metric::RequestsPerTarget => self.requests_per_sec,
            Metric::QueuePerInstance => self.queue,
            Metric::LatencyP95 => None,
        }
    }
}

/// What a policy answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// The capacity the policy sets (already within min..=max, where max is
    /// [`Autoscaler::max_capacity`]). Equal to the current capacity when it holds.
    pub desired: u32,
    /// What the bare formula asked for before stabilization, cooldowns, rate limits and
    /// min/max; differs from `desired` when something held it back.
    pub raw_desired: u32,
    /// The metric value the decision was based on, if any.
    pub metric_value: Option<f64>,
    /// The target it was compared with, if any.
    pub target: Option<f64>,
    /// Why, in words a person reads in the decision log: "cpu 81% > target 60%: 4 -> 6",
    /// "scale-down stabilization holds 12", "cooldown until 09:04:30", "at max 40".
    pub reason: String,
}

impl Recommendation {
    /// A recommendation to keep `current`, with a reason.
    pub fn hold(current: u32, reason: impl Into<String>) -> Recommendation {
        Recommendation {
            desired: current,
            raw_desired: current,
            metric_value: None,
            target: None,
            reason: reason.into(),
        }
    }
}

/// An autoscaling policy with the state its real counterpart keeps.
pub trait Autoscaler: Send + std::fmt::Debug {
    /// A short name for the decision log ("hpa", "target-tracking", ...).
    fn name(&self) -> &'static str;

    /// Seconds between evaluations (HPA sync period 15 s; CloudWatch alarm period 60 s).
    fn period_secs(&self) -> f64;

    /// The metric window (seconds) the observation should average over, and the lag
    /// (seconds) with which the monitoring system delivers it.
    fn window_secs(&self) -> (f64, f64);

    /// The quantity the `metric_value` and `target` of this policy's last recommendation
    /// are in (`None` when they carry none, e.g. a schedule).
    fn measure(&self) -> Option<Measure> {
        None
    }

    /// Decides. `obs.current` is what the pool is set to now.
    fn evaluate(&mut self, obs: &Observation) -> Recommendation;

    /// Tells the policy its recommendation was applied at `now_secs` (capacity went from
    /// `from` to `to`), for cooldowns and rate limits.
    fn applied(&mut self, now_secs: f64, from: u32, to: u32) {
        let _ = (now_secs, from, to);
    }

    /// The most instances this policy may set in a pool configured with at most
    /// `max_configured`: that maximum itself, unless the policy may raise it (AWS
    /// predictive scaling's `IncreaseMaxCapacity`, which raises it to the forecast capacity
    /// plus a buffer, for good). The world clamps recommendations to this.
    fn max_capacity(&self, max_configured: u32) -> u32 {
        max_configured
    }

    /// What this policy asks for when it shares a pool with others (the pool follows
    /// the largest vote). Usually its recommendation; a policy that never scales in by
    /// itself (predictive) votes for the capacity it needs instead, so another policy can
    /// bring the pool down to it. `None`: no opinion yet.
    fn vote(&self, rec: &Recommendation) -> Option<u32> {
        Some(rec.desired)
    }

    /// For forecasting policies: the rate (requests per second) they expect at
    /// `week_secs` seconds after Monday 00:00, to draw beside the actual arrivals.
    fn forecast_per_sec(&self, week_secs: f64) -> Option<f64> {
        let _ = week_secs;
        None
    }

    /// For vertical policies: the rung of their type ladder the pool should move to,
    /// decided by the last `evaluate` (taken once). Others never resize.
    fn take_resize(&mut self) -> Option<usize> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_words_a_metric_value_the_same_way() {
        // 0.81 of capacity is 81%; 62.5 requests per second per instance; 3.25 queued
        // requests (two decimals at most); 0.420 s of latency loses its trailing zero.
        assert_eq!(Metric::Cpu.format(0.81), "81%");
        assert_eq!(Metric::RequestsPerTarget.format(62.5), "62.5/s");
        assert_eq!(Metric::QueuePerInstance.format(3.254), "3.25");
        assert_eq!(Metric::LatencyP95.format(0.420), "0.42 s");
        // Rounding away a float's noise: 0.29 * 100 is 28.999999999999996, read "29%".
        assert_eq!(Metric::Cpu.format(0.29), "29%");
        assert_eq!(Metric::RequestsPerTarget.label(), "requests");
    }
}
