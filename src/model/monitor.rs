//! Monitoring as autoscalers see it: per-instance counters sampled every few seconds into
//! a short history, from which an [`Observation`] is cut over a window that ended `lag`
//! ago, the way CloudWatch delivers one-minute datapoints late and Kubernetes' metrics
//! server scrapes every 15 s. An autoscaler never sees the simulator's instant truth.

use std::collections::VecDeque;

use super::autoscale::{InstanceSample, Observation, Readiness};
use super::instance::{Instance, InstanceId, InstanceState};
use crate::sim::{SimDuration, SimTime};

/// Seconds between samples of the counters: the resolution of every metric window.
pub const SAMPLE_SECS: u64 = 5;

/// Cumulative counters of one instance (kept only in pools with an autoscaler).
#[derive(Clone, Copy, Debug, Default)]
pub struct InstanceMeter {
    busy: u64,
    held: u64,
    since_ns: u64,
    /// Busy workers x nanoseconds since launch.
    busy_area: u128,
    /// Requests held (queued + in service) x nanoseconds since launch.
    held_area: u128,
    /// Requests completed since launch.
    completed: u64,
}

impl InstanceMeter {
    fn settle(&mut self, now: SimTime) {
        let now = now.as_nanos();
        if now > self.since_ns {
            let dt = u128::from(now - self.since_ns);
            self.busy_area += u128::from(self.busy) * dt;
            self.held_area += u128::from(self.held) * dt;
            self.since_ns = now;
        }
    }

    /// Starts counting at `now`.
    pub fn start(now: SimTime) -> InstanceMeter {
        InstanceMeter {
            since_ns: now.as_nanos(),
            ..InstanceMeter::default()
        }
    }

    /// The instance now has `busy` busy workers and holds `held` requests.
    #[inline]
    pub fn set(&mut self, now: SimTime, busy: u32, held: u32) {
        self.settle(now);
        self.busy = u64::from(busy);
        self.held = u64::from(held);
    }

    /// A request completed.
    #[inline]
    pub fn completed(&mut self) {
        self.completed += 1;
    }
}

/// A latency histogram coarse enough to keep one per sample: 8 buckets per power of two
/// (about 9 % wide), over microseconds.
#[derive(Clone, Debug)]
struct CoarseHistogram {
    counts: Vec<u32>,
}

const COARSE_SUB: u32 = 8;
const COARSE_BUCKETS: usize = 48 * COARSE_SUB as usize;

impl CoarseHistogram {
    fn new() -> CoarseHistogram {
        CoarseHistogram {
            counts: vec![0; COARSE_BUCKETS],
        }
    }

    fn index(micros: u64) -> usize {
        let v = micros.max(1);
        let msb = 63 - v.leading_zeros();
        // The three bits below the leading one pick the sub-bucket.
        let sub = if msb >= 3 {
            (v >> (msb - 3)) & 7
        } else {
            (v << (3 - msb)) & 7
        };
        ((msb * COARSE_SUB) as usize + sub as usize).min(COARSE_BUCKETS - 1)
    }

    /// The upper edge of bucket `i`, microseconds.
    fn upper(i: usize) -> f64 {
        let msb = (i as u32) / COARSE_SUB;
        let sub = (i as u32 % COARSE_SUB) as f64;
        2f64.powi(msb as i32) * (1.0 + (sub + 1.0) / COARSE_SUB as f64)
    }

    fn record(&mut self, nanos: u64) {
        self.counts[Self::index(nanos / 1_000)] += 1;
    }
}

/// The counters at one sampling instant.
#[derive(Clone, Debug)]
struct Sample {
    at: SimTime,
    /// `(instance, busy area, held area, completed)`, cumulative.
    instances: Vec<(InstanceId, u128, u128, u64)>,
    /// Arrivals at the pool since the start.
    arrivals: u64,
    /// Latencies of requests completed since the previous sample.
    latency: CoarseHistogram,
}

/// A pool's monitoring history.
#[derive(Clone, Debug)]
pub struct Monitor {
    history: VecDeque<Sample>,
    keep: SimDuration,
    arrivals: u64,
    latency: CoarseHistogram,
}

impl Monitor {
    /// A monitor that keeps `keep_secs` of history (the longest window plus lag).
    pub fn new(keep_secs: f64) -> Monitor {
        Monitor {
            history: VecDeque::new(),
            keep: SimDuration::from_secs_f64(keep_secs + 2.0 * SAMPLE_SECS as f64),
            arrivals: 0,
            latency: CoarseHistogram::new(),
        }
    }

    /// A request arrived at the pool.
    #[inline]
    pub fn arrived(&mut self) {
        self.arrivals += 1;
    }

    /// A request of the pool completed with this latency.
    #[inline]
    pub fn completed(&mut self, latency: SimDuration) {
        self.latency.record(latency.as_nanos());
    }

    /// Takes a sample of `members` (the pool's live instances) at `now`.
    pub fn sample(
        &mut self,
        now: SimTime,
        members: impl Iterator<Item = InstanceId>,
        instances: &mut [Instance],
    ) {
        let rows = members
            .map(|id| {
                let inst = &mut instances[id.0 as usize];
                inst.meter.settle(now);
                (
                    id,
                    inst.meter.busy_area,
                    inst.meter.held_area,
                    inst.meter.completed,
                )
            })
            .collect();
        let latency = std::mem::replace(&mut self.latency, CoarseHistogram::new());
        self.history.push_back(Sample {
            at: now,
            instances: rows,
            arrivals: self.arrivals,
            latency,
        });
        while self.history.front().is_some_and(|s| now - s.at > self.keep) {
            self.history.pop_front();
        }
    }

    /// What the monitoring system reports at `now` about the window of `window_secs` that
    /// ended `lag_secs` ago, for the pool's live `members`. `base` carries the pool-level
    /// fields (capacity, bounds, clock); this fills in the samples.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &self,
        now: SimTime,
        window_secs: f64,
        lag_secs: f64,
        members: &[InstanceId],
        instances: &[Instance],
        warmup: SimDuration,
        mut obs: Observation,
    ) -> Observation {
        let end = now
            .as_nanos()
            .saturating_sub(SimDuration::from_secs_f64(lag_secs).as_nanos());
        let start = end.saturating_sub(SimDuration::from_secs_f64(window_secs).as_nanos());
        // The last samples at or before each end of the window.
        let find = |t: u64| self.history.iter().rposition(|s| s.at.as_nanos() <= t);
        let window = match (find(start), find(end)) {
            (Some(a), Some(b)) if b > a => Some((a, b)),
            _ => None,
        };
        if let Some((a, b)) = window {
            let (sa, sb) = (&self.history[a], &self.history[b]);
            let span = (sb.at - sa.at).as_secs_f64();
            obs.arrivals_per_sec = Some((sb.arrivals - sa.arrivals) as f64 / span);
            let mut merged = CoarseHistogram::new();
            for s in self.history.range(a + 1..=b) {
                for (m, c) in merged.counts.iter_mut().zip(&s.latency.counts) {
                    *m += c;
                }
            }
            obs.latency_p95_secs = merged.quantile_micros(0.95).map(|us| us / 1e6);
        }
        obs.instances = members
            .iter()
            .map(|&id| {
                let inst = &instances[id.0 as usize];
                let readiness = match (inst.state, inst.in_service_at) {
                    (InstanceState::InService, Some(t)) if now - t >= warmup => Readiness::Ready,
                    (InstanceState::InService, _) => Readiness::Warming,
                    _ => Readiness::Booting,
                };
                let mut sample = InstanceSample {
                    readiness,
                    age_secs: (now - inst.launched_at).as_secs_f64(),
                    cpu: None,
                    requests_per_sec: None,
                    queue: None,
                    workers: inst.workers,
                };
                // An instance reports only if it was sampled at both ends of the window
                // (one launched inside the window has no datapoint yet) and is serving.
                if let Some((a, b)) = window
                    && readiness != Readiness::Booting
                {
                    let (sa, sb) = (&self.history[a], &self.history[b]);
                    let row = |s: &Sample| s.instances.iter().find(|r| r.0 == id).copied();
                    if let (Some(ra), Some(rb)) = (row(sa), row(sb)) {
                        let span = (sb.at - sa.at).as_secs_f64();
                        let ns = span * 1e9;
                        sample.cpu =
                            Some((rb.1 - ra.1) as f64 / (ns * f64::from(inst.workers.max(1))));
                        sample.requests_per_sec = Some((rb.3 - ra.3) as f64 / span);
                        sample.queue = Some((rb.2 - ra.2) as f64 / ns);
                    }
                }
                sample
            })
            .collect();
        obs
    }
}

impl CoarseHistogram {
    /// The value at quantile `q`, microseconds (upper edge of its bucket), if any.
    fn quantile_micros(&self, q: f64) -> Option<f64> {
        let total: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return None;
        }
        let target = ((q * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= target {
                return Some(Self::upper(i));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarse_buckets_are_about_nine_percent_wide_and_ordered() {
        // 1000 us: msb 9 (512), next bits 111 -> bucket 9*8+7 = 79, upper edge
        // 512 * (1 + 8/8) = 1024 us.
        assert_eq!(CoarseHistogram::index(1000), 79);
        assert_eq!(CoarseHistogram::upper(79), 1024.0);
        let mut h = CoarseHistogram::new();
        for us in [100u64, 200, 300, 400, 500, 600, 700, 800, 900, 1000] {
            h.record(us * 1000);
        }
        // p95 of ten values is the 10th (1000 us), reported as its bucket's edge, 1024.
        assert_eq!(h.quantile_micros(0.95), Some(1024.0));
        let p50 = h.quantile_micros(0.5).unwrap();
        assert!((500.0..=560.0).contains(&p50), "{p50}");
    }
}
