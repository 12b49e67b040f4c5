//! What the model reports as it runs, in its own types: why a request was dropped, the
//! objective it is judged by, each pool's state at an interval's end, every capacity
//! decision, and the [`Observer`] that is told of every event. The metrics layer
//! implements the observer (`metrics::Recorder`); the model never reads metrics.

use serde::{Deserialize, Serialize};

use super::instance::PoolId;
use crate::sim::{SimDuration, SimTime};

/// Why a request ended without being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// The chosen instance's queue was full.
    QueueFull,
    /// No instance was in service to take it.
    NoCapacity,
    /// It waited in a queue longer than the pool's timeout.
    Timeout,
    /// The instance holding it failed or was terminated before finishing it.
    Failure,
    /// The client gave up waiting (its timeout) and had no tries left. The servers may
    /// still be working on it: nothing tells them.
    ClientTimeout,
}

impl DropReason {
    /// Every reason, in column order.
    pub const ALL: [DropReason; DropReason::COUNT] = [
        DropReason::QueueFull,
        DropReason::NoCapacity,
        DropReason::Timeout,
        DropReason::Failure,
        DropReason::ClientTimeout,
    ];

    /// How many reasons there are.
    pub const COUNT: usize = 5;

    /// The snake-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::NoCapacity => "no_capacity",
            DropReason::Timeout => "timeout",
            DropReason::Failure => "failure",
            DropReason::ClientTimeout => "client_timeout",
        }
    }

    /// Position in [`DropReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The service-level objective: in every `window_secs` window, `percentile` % of the
/// requests that end complete within `latency_secs` (drops count as misses).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SloTarget {
    /// The latency target in seconds.
    pub latency_secs: f64,
    /// The share of requests (in percent, e.g. 99) that must meet it.
    pub percentile: f64,
    /// The evaluation window, seconds: the objective is judged window by window,
    /// whatever the reporting interval.
    pub window_secs: f64,
}

/// What the model tells the recorder about a pool at the end of an interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PoolSnapshot {
    /// Instances booting.
    pub booting: u32,
    /// Instances in service.
    pub in_service: u32,
    /// Instances draining.
    pub draining: u32,
    /// Instances crashed and not yet replaced.
    pub failed: u32,
    /// The pool's desired capacity.
    pub desired: u32,
    /// Requests per second the in-service instances can serve at 100 % utilisation.
    pub capacity_per_sec: f64,
    /// The arrival rate a forecasting autoscaler expected for the interval, if any.
    pub forecast_per_sec: Option<f64>,
}

/// The `policy` of a decision-log line that records an unhealthy instance's replacement.
pub const REPLACEMENT_POLICY: &str = "health-check";

/// A change of capacity, or one that was wanted and held back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// When, in seconds after the start.
    pub time_secs: f64,
    /// When, on the simulated clock ("Mon 08:31:00").
    pub clock: String,
    /// Which pool.
    pub pool: String,
    /// Who decided ("schedule", or an autoscaling policy).
    pub policy: String,
    /// The metric the decision was based on ("cpu", "requests_per_sec", ...), if any.
    pub metric: Option<&'static str>,
    /// The unit of `metric_value` and `target` ("fraction", "req/s", "s", ...).
    pub unit: Option<&'static str>,
    /// The metric value the decision was based on, if any, in `unit`.
    pub metric_value: Option<f64>,
    /// The target it was compared with, if any, in `unit`.
    pub target: Option<f64>,
    /// Desired capacity before.
    pub from: u32,
    /// What the policy's formula asked for, before holds and limits.
    pub raw_desired: u32,
    /// Desired capacity after (equal to `from` when the change was held back).
    pub to: u32,
    /// Why, in words.
    pub reason: String,
    /// For a vertical resize, the instance type before and after: a capacity change even
    /// though the count (`from`, `to`) stays.
    pub resize: Option<(String, String)>,
}

/// What the summary needs to know of an instance type besides its name: the resources
/// its instance-hours are made of, and where it is rented.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeFacts {
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory, GiB.
    pub memory_gib: f64,
    /// Who rents it (`"aws"`, `"gcp"`, `"custom"`).
    pub provider: String,
}

/// What the world tells as it runs: every arrival, start of service, completion and drop,
/// every instance launched, serving, stopped or resized, every dollar billed, every
/// capacity decision, and each interval's end. The metrics layer implements it (`metrics::Recorder`), and a test can
/// implement it to watch a run.
pub trait Observer {
    /// `n` requests of class `class` arrived.
    fn arrived(&mut self, now: SimTime, class: u16, n: u64);

    /// `n` requests of class `class` were dropped.
    fn dropped(&mut self, now: SimTime, reason: DropReason, class: u16, n: u64);

    /// A client sent a request of class `class` again, after a try failed or timed out
    /// (each retry is one more visit to the entry service: load).
    fn retried(&mut self, now: SimTime, class: u16);

    /// A try of class `class` that its client had given up on was served anyway: the
    /// reply finds no one waiting (work done for nothing).
    fn abandoned_reply(&mut self, now: SimTime, class: u16);

    /// A worker of `pool` took a request that had waited `waited`.
    fn service_started(&mut self, now: SimTime, pool: PoolId, waited: SimDuration);

    /// `n` workers of `pool` became free (a request finished or was abandoned).
    fn workers_freed(&mut self, now: SimTime, pool: PoolId, n: u64);

    /// A request of class `class` completed with the given latency (arrival to response).
    fn completed(&mut self, now: SimTime, class: u16, latency: SimDuration);

    /// A visit (a request at its entry service, or a call) reached `pool`'s balancer.
    fn visit_arrived(&mut self, pool: PoolId);

    /// A visit to `pool` replied after `latency` (from its balancer to its reply).
    fn visit_completed(&mut self, pool: PoolId, latency: SimDuration);

    /// A visit was dropped at `pool` (its request fails with `reason`).
    fn visit_dropped(&mut self, pool: PoolId, reason: DropReason);

    /// A visit to `pool` failed because a call it made failed.
    fn visit_failed_by_call(&mut self, pool: PoolId);

    /// `pool`'s queues grew by one.
    fn enqueued(&mut self, now: SimTime, pool: PoolId);

    /// `pool`'s queues shrank by `n`.
    fn dequeued(&mut self, now: SimTime, pool: PoolId, n: u64);

    /// An instance of `pool` was launched (it is billed from now). `during_run` is false
    /// for instances already running when the run starts.
    fn instance_launched(&mut self, now: SimTime, pool: PoolId, during_run: bool);

    /// An instance of `pool` was terminated.
    fn instance_terminated(&mut self, now: SimTime, pool: PoolId);

    /// An instance of `pool` with `workers` workers entered service.
    fn instance_serving(&mut self, now: SimTime, pool: PoolId, workers: u64);

    /// `pool`'s instances are now of type `name` (at the start, and after a resize),
    /// whose resources are `facts`.
    fn set_instance_type(&mut self, pool: PoolId, name: &str, facts: TypeFacts);

    /// An instance of `pool` of type `name` started (launched, or started again after a
    /// restart): its hours count toward that type from `now`.
    fn instance_type_started(&mut self, now: SimTime, pool: PoolId, name: &str);

    /// An instance of `pool` of type `name` stopped (terminated, or stopped to restart on
    /// another type).
    fn instance_type_stopped(&mut self, now: SimTime, pool: PoolId, name: &str);

    /// An instance of `pool` was stopped and started again on another type (a vertical
    /// resize): the same instance, not a new launch.
    fn instance_restarted(&mut self, pool: PoolId);

    /// An instance of `pool` with `workers` workers stopped serving (it terminated or
    /// crashed).
    fn instance_stopped_serving(&mut self, now: SimTime, pool: PoolId, workers: u64);

    /// `usd` dollars were billed for `pool`.
    fn billed(&mut self, pool: PoolId, usd: f64);

    /// Logs a capacity decision.
    fn decision(&mut self, d: Decision);

    /// Closes the interval ending at `now` (which may be early, for the last one).
    fn close_interval(&mut self, now: SimTime, offered_per_sec: f64, pools: &[PoolSnapshot]);

    /// Ends the run at `now`: closes the last SLO window, shorter than the others if the
    /// run is not a whole number of windows. Call after the last interval closed.
    fn finish(&mut self, now: SimTime);
}
