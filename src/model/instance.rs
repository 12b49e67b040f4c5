//! Instance types (vCPUs, speed, price, boot time) and running instances with their
//! workers, bounded FIFO queue and lifecycle.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::config::{self, ConfigError};
use super::cost::BillingAccount;
use super::monitor::InstanceMeter;
use super::request::RequestId;

use crate::sim::{EventKey, SimTime};

/// Index of an instance in the world's instance vector (never reused within a run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(pub u32);

/// Index of a pool in the world's pool vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolId(pub u16);

impl PoolId {
    /// The id of the pool at `index` in the world's configuration.
    pub fn of(index: usize) -> PoolId {
        PoolId(u16::try_from(index).unwrap_or(u16::MAX))
    }

    /// Its position in the world's pool vector.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A kind of machine one can rent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceType {
    /// Its name, e.g. `"m5.large"`.
    pub name: String,
    /// Virtual CPUs; by default each runs one worker.
    pub vcpus: u32,
    /// Memory in GiB (reported, not yet a constraint).
    pub memory_gib: f64,
    /// Speed of one vCPU relative to the reference vCPU that demands are measured on.
    #[serde(default = "one")]
    pub speed: f64,
    /// On-demand price in US dollars per hour.
    pub price_usd_per_hour: f64,
    /// Seconds from launch until it can serve (boot, agent start, health check).
    pub boot_secs: f64,
    /// Where the type comes from, e.g. `"aws"`, `"gcp"`, `"custom"`.
    #[serde(default)]
    pub provider: String,
}

fn one() -> f64 {
    1.0
}

impl InstanceType {
    /// Checks that the numbers describe a machine; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.vcpus == 0 {
            return Err(ConfigError::invalid("vcpus", "must be at least 1"));
        }
        config::positive("speed", self.speed)?;
        config::non_negative("price_usd_per_hour", self.price_usd_per_hour)?;
        config::non_negative("boot_secs", self.boot_secs)?;
        config::non_negative("memory_gib", self.memory_gib)
    }
}

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    /// Launched and billed, not yet serving.
    Booting,
    /// Receiving traffic from the balancer.
    InService,
    /// No new traffic; finishing what it holds before it is terminated.
    Draining,
    /// Crashed: serves nothing, still billed, until the group replaces it. The balancer
    /// sends it requests (which fail) until its health checks notice.
    Failed,
    /// Gone; no longer billed.
    Terminated,
}

/// One running (or once-running) machine in a pool.
#[derive(Debug)]
pub struct Instance {
    /// Its id.
    pub id: InstanceId,
    /// The pool it belongs to.
    pub pool: PoolId,
    /// Lifecycle state.
    pub state: InstanceState,
    /// Requests it can serve at once.
    pub workers: u32,
    /// Workers busy now.
    pub busy: u32,
    /// Requests waiting for a worker, oldest first.
    pub queue: VecDeque<RequestId>,
    /// Requests it accepted that wait on an asynchronous call without holding a worker.
    pub waiting: u32,
    /// Calls its balancer has sent it from another zone that are still on the wire (the
    /// balancer counts them as open; a draining instance waits for them).
    pub inbound: u32,
    /// The zone it runs in (index into the world's zones).
    pub zone: u8,
    /// Most requests the queue holds; one more is dropped (`None`: no bound).
    pub queue_capacity: Option<u32>,
    /// Speed of each worker relative to the reference vCPU.
    pub speed: f64,
    /// `1 / speed`, so a service time is a multiplication on the per-request path.
    pub inv_speed: f64,
    /// When it was launched (or the run start, for instances already running then).
    pub launched_at: SimTime,
    /// Whether it has finished booting (it may still be passing health checks).
    pub booted: bool,
    /// When it entered service (its warm-up counts from here).
    pub in_service_at: Option<SimTime>,
    /// Counters for the monitoring system (kept only when `metered`).
    pub meter: InstanceMeter,
    /// Whether its pool is watched by an autoscaler, so `meter` must be kept.
    pub metered: bool,
    /// Whether a queue-timeout check is pending for it.
    pub timeout_armed: bool,
    /// The pending drain deadline, cancelled if it drains first.
    pub drain_deadline: Option<EventKey>,
    /// What it has cost so far (since its latest start, for an instance restarted on
    /// another type: its earlier runs were billed when it stopped).
    pub billing: BillingAccount,
    /// The instance type it runs as (it changes when a vertical resize restarts it).
    pub type_name: String,
    /// While it drains to be restarted on its pool's new type (a vertical resize: stop,
    /// change the type, start): the seconds the restart takes.
    pub restart_secs: Option<f64>,
    /// Whether a crash is scheduled for it (a restart must not draw a second one).
    pub crash_armed: bool,
}

impl Instance {
    /// Requests it holds: in service, queued, or waiting on an asynchronous call (open
    /// connections, as a balancer counts them). What "least outstanding" balances on.
    pub fn outstanding(&self) -> u32 {
        self.busy + self.queue.len() as u32 + self.waiting + self.inbound
    }

    /// Whether it has a free worker.
    pub fn has_idle_worker(&self) -> bool {
        self.busy < self.workers
    }

    /// A worker takes a request.
    pub fn begin_service(&mut self) {
        self.busy += 1;
    }

    /// A worker finished its request and is free again.
    pub fn end_service(&mut self) {
        self.busy = self.busy.saturating_sub(1);
    }
}
