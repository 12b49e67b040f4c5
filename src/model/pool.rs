//! Pools: a group of identical instances behind one balancer, with min / desired / max
//! capacity. Whatever changes `desired` (a schedule now, autoscalers later), the pool
//! reconciles: launches instances, or picks some to drain.

use serde::{Deserialize, Serialize};

use super::autoscale::{AutoscaleSpec, Autoscaler};
use super::balancer::{Balancer, BalancerKind};
use super::cost::Billing;
use super::instance::{Instance, InstanceId, InstanceState, InstanceType, PoolId};
use super::monitor::Monitor;
use super::workload::{Demand, DemandSampler};
use crate::sim::{SimDuration, SimRng};

/// Which instances go first when a pool shrinks. Booting instances always go before
/// in-service ones: they serve nobody yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScaleInOrder {
    /// The most recently launched (as a Kubernetes ReplicaSet prefers).
    #[default]
    Newest,
    /// The longest running.
    Oldest,
    /// The one holding the fewest requests (least to drain).
    LeastLoaded,
}

pub use super::autoscale::scheduled::ScheduledChange;

/// A pool's configuration, as checked from a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolConfig {
    /// Its name.
    pub name: String,
    /// The instance type of every member.
    pub instance: InstanceType,
    /// Requests each instance serves at once.
    pub workers: u32,
    /// Requests each instance queues beyond its workers.
    pub queue_capacity: u32,
    /// How long a request may wait in a queue before it is dropped (`None`: forever).
    pub timeout: Option<SimDuration>,
    /// Fewest instances.
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// Instances running (already in service) when the run starts.
    pub initial: u32,
    /// How requests are spread over instances.
    pub balancer: BalancerKind,
    /// Which instances go first on scale-in.
    pub scale_in: ScaleInOrder,
    /// Longest a draining instance may take to finish its requests before it is
    /// terminated anyway (like an ELB deregistration delay).
    pub drain_timeout: SimDuration,
    /// How instances are billed.
    pub billing: Billing,
    /// Planned capacity changes.
    pub schedule: Vec<ScheduledChange>,
    /// The autoscaling policy, if any.
    pub autoscale: Option<AutoscaleSpec>,
    /// After entering service, how long an instance's metrics are not trusted by the
    /// autoscaler (AWS instance warm-up, the HPA's CPU initialization period).
    pub warmup: SimDuration,
    /// Boot time distribution, seconds (default: the instance type's `boot_secs`).
    pub boot: Option<Demand>,
    /// After booting, how long the balancer's health checks take to pass before the
    /// instance gets traffic.
    pub health_check_delay: SimDuration,
    /// For vertical scaling: the ladder of types it may move along (resolved from the
    /// catalog), the restart pause of a move in seconds, and whether all instances
    /// restart at once.
    pub resize: Option<(Vec<InstanceType>, f64, bool)>,
    /// Mean time to failure of an in-service instance (none: never fails).
    pub mttf: Option<SimDuration>,
    /// From a crash until the balancer's health checks take the instance out.
    pub unhealthy_detect: SimDuration,
    /// With balancer health checks for the group: the grace period after launch.
    pub health_check_grace: Option<SimDuration>,
}

/// A pool during a run.
#[derive(Debug)]
pub struct Pool {
    /// Its id.
    pub id: PoolId,
    /// Its configuration.
    pub config: PoolConfig,
    /// Desired capacity.
    pub desired: u32,
    /// The balancer in front of it.
    pub balancer: Balancer,
    /// Booting and in-service instances, in launch order: these count toward `desired`.
    pub members: Vec<InstanceId>,
    /// Instances receiving traffic, in the order they entered service.
    pub in_service: Vec<InstanceId>,
    /// Instances draining.
    pub draining: Vec<InstanceId>,
    /// Bumped whenever `in_service` changes.
    pub membership: u64,
    /// Mean demand of the classes it serves (CPU-seconds), for its capacity figure.
    pub mean_demand_secs: f64,
    /// Current bounds (scheduled actions may change them).
    pub min: u32,
    /// Current bounds (scheduled actions may change them).
    pub max: u32,
    /// The autoscaling policies (usually none or one). Each is taken out while it decides.
    pub autoscalers: Vec<Option<Box<dyn Autoscaler>>>,
    /// Each policy's latest recommendation; the pool follows the largest.
    pub latest: Vec<Option<u32>>,
    /// What the monitoring system has recorded (only with an autoscaler).
    pub monitor: Option<Monitor>,
    /// The last held-back decision logged, so a steady hold is logged once, not every period.
    pub last_held: Option<(u32, String)>,
    /// A rolling resize: old-type instances still to restart, one after another.
    pub restart_queue: Vec<InstanceId>,
    /// Draws boot times when they vary.
    pub boot: Option<(DemandSampler, SimRng)>,
    /// Draws times to failure (only when instances fail).
    pub failure_rng: Option<SimRng>,
}

impl Pool {
    /// A pool with no instances yet.
    /// `autoscalers` and `boot` are built by the world (they need the run's seed).
    pub fn new(
        id: PoolId,
        config: PoolConfig,
        mean_demand_secs: f64,
        autoscalers: Vec<Box<dyn Autoscaler>>,
        boot: Option<(DemandSampler, SimRng)>,
        failure_rng: Option<SimRng>,
    ) -> Pool {
        let desired = config.initial;
        let balancer = Balancer::new(config.balancer);
        // The history must reach back over the longest window plus lag of any policy.
        let keep = autoscalers
            .iter()
            .map(|a| {
                let (window, lag) = a.window_secs();
                window + lag
            })
            .fold(None, |m: Option<f64>, k| Some(m.map_or(k, |m| m.max(k))));
        let monitor = keep.map(Monitor::new);
        let latest = vec![None; autoscalers.len()];
        Pool {
            min: config.min,
            max: config.max,
            autoscalers: autoscalers.into_iter().map(Some).collect(),
            latest,
            monitor,
            last_held: None,
            restart_queue: Vec::new(),
            boot,
            failure_rng,
            id,
            config,
            desired,
            balancer,
            members: Vec::new(),
            in_service: Vec::new(),
            draining: Vec::new(),
            membership: 0,
            mean_demand_secs,
        }
    }

    /// Requests per second `serving` working instances could serve at 100 % utilisation.
    pub fn capacity_per_sec(&self, serving: u32) -> f64 {
        if self.mean_demand_secs <= 0.0 {
            return 0.0;
        }
        let per_instance =
            f64::from(self.config.workers) * self.config.instance.speed / self.mean_demand_secs;
        per_instance * f64::from(serving)
    }

    /// Clamps a wanted capacity to the pool's current bounds.
    pub fn clamp(&self, desired: u32) -> u32 {
        desired.clamp(self.min, self.max)
    }

    /// The members to remove so that `desired` remain: failed ones first, then booting
    /// ones, then by the scale-in order. `instances` is the world's instance vector.
    pub fn pick_for_scale_in(&self, count: usize, instances: &[Instance]) -> Vec<InstanceId> {
        let state = |id: &InstanceId| instances[id.0 as usize].state;
        let mut chosen: Vec<InstanceId> = self
            .members
            .iter()
            .filter(|id| state(id) == InstanceState::Failed)
            .copied()
            .take(count)
            .collect();
        // Newest booting next: it has been billed the least.
        let rest = count.saturating_sub(chosen.len());
        chosen.extend(
            self.members
                .iter()
                .rev()
                .filter(|id| state(id) == InstanceState::Booting)
                .copied()
                .take(rest),
        );
        let mut serving: Vec<InstanceId> = self
            .members
            .iter()
            .filter(|id| state(id) == InstanceState::InService)
            .copied()
            .collect();
        match self.config.scale_in {
            ScaleInOrder::Newest => serving.reverse(),
            ScaleInOrder::Oldest => {}
            // Stable sort: among equals, the oldest goes first.
            ScaleInOrder::LeastLoaded => {
                serving.sort_by_key(|id| instances[id.0 as usize].outstanding())
            }
        }
        let rest = count.saturating_sub(chosen.len());
        chosen.extend(serving.into_iter().take(rest));
        chosen
    }
}
