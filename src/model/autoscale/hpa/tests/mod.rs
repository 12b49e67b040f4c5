//! The HPA's unit tests, by what they test; here the helpers they share.

mod behavior;
mod config;
mod replica_calculator;

use super::*;
use crate::model::autoscale::{InstanceSample, Metric, Readiness};

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
