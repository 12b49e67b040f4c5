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
use crate::sim::{SimDuration, SimRng, SimTime};

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
    /// Requests each instance queues beyond its workers (`None`: no bound).
    pub queue_capacity: Option<u32>,
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
    /// Its work for each visit, in order (empty: the request class's demand).
    pub work: Vec<crate::model::journey::work::WorkStep>,
    /// The service it serves (a sharded service has a pool per shard).
    pub service: crate::model::journey::service::ServiceId,
    /// The zones its instances are spread over (indices into the world's zones, at least
    /// one).
    pub zones: Vec<u8>,
}

/// One policy's latest opinion of a pool's capacity, beside the other policies' (AWS: "each
/// policy determines the desired capacity independently, and the desired capacity is set
/// to the maximum of those").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vote {
    /// The policy's name, for the decision log.
    pub policy: &'static str,
    /// The capacity it asks for.
    pub desired: u32,
    /// The pool's desired capacity when it was computed: a proportional policy's answer
    /// holds for that capacity only. `None` for a vote that does not depend on the
    /// capacity (a forecast of the arrivals).
    pub at_capacity: Option<u32>,
    /// When it was computed.
    pub at: SimTime,
}

/// The capacity a pool with several policies follows, and the votes left out of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Combined {
    /// The largest usable vote (never below `current` on the strength of a stale vote).
    pub desired: u32,
    /// Votes below the current capacity that were computed before its last change, so do
    /// not count toward a scale-in: `(policy, vote, capacity it was computed at)`.
    pub stale: Vec<(&'static str, u32, Option<u32>)>,
}

/// The largest usable of `votes` for a pool at `current` desired capacity whose capacity
/// last changed at `changed` (see [`Pool::largest_vote`]).
pub fn combine_votes(votes: &[Option<Vote>], current: u32, changed: Option<SimTime>) -> Combined {
    let mut desired = None;
    let mut stale = Vec::new();
    for v in votes.iter().flatten() {
        let fresh = match v.at_capacity {
            None => true,
            Some(c) => c == current && changed.is_none_or(|t| v.at >= t),
        };
        let usable = if v.desired < current && !fresh {
            stale.push((v.policy, v.desired, v.at_capacity));
            current
        } else {
            v.desired
        };
        desired = Some(desired.map_or(usable, |d: u32| d.max(usable)));
    }
    Combined {
        desired: desired.unwrap_or(current),
        stale,
    }
}

/// A pool during a run. The world changes it; everyone else reads it through the
/// accessors below (its fields are the model's own).
#[derive(Debug)]
pub struct Pool {
    /// Its id.
    pub(in crate::model) id: PoolId,
    /// Its configuration.
    pub(in crate::model) config: PoolConfig,
    /// Desired capacity.
    pub(in crate::model) desired: u32,
    /// The balancer in front of it.
    pub(in crate::model) balancer: Balancer,
    /// Booting and in-service instances, in launch order: these count toward `desired`.
    pub(in crate::model) members: Vec<InstanceId>,
    /// Instances receiving traffic, in the order they entered service.
    pub(in crate::model) in_service: Vec<InstanceId>,
    /// Instances draining.
    pub(in crate::model) draining: Vec<InstanceId>,
    /// Bumped whenever `in_service` changes.
    pub(in crate::model) membership: u64,
    /// Mean demand of the classes it serves (CPU-seconds), for its capacity figure.
    pub(in crate::model) mean_demand_secs: f64,
    /// Current bounds (scheduled actions may change them).
    pub(in crate::model) min: u32,
    /// Current bounds (scheduled actions may change them).
    pub(in crate::model) max: u32,
    /// The autoscaling policies (usually none or one). Each is taken out while it decides.
    pub(in crate::model) autoscalers: Vec<Option<Box<dyn Autoscaler>>>,
    /// Each policy's latest vote; the pool follows the largest usable one (see
    /// [`Pool::largest_vote`]).
    pub(in crate::model) latest: Vec<Option<Vote>>,
    /// When the pool's desired capacity last changed (by a policy, a schedule, a resize or
    /// a replacement), and which policy changed it (`None`: not a policy).
    pub(in crate::model) last_change: Option<(SimTime, Option<usize>)>,
    /// For each policy, when the capacity last changed by something other than that
    /// policy: a metric window that starts before it describes another capacity.
    pub(in crate::model) changed_by_others_at: Vec<Option<SimTime>>,
    /// What the monitoring system has recorded (only with an autoscaler).
    pub(in crate::model) monitor: Option<Monitor>,
    /// The last held-back decision logged, so a steady hold is logged once, not every period.
    pub(in crate::model) last_held: Option<(u32, String)>,
    /// A rolling resize: old-type instances still to restart, one after another.
    pub(in crate::model) restart_queue: Vec<InstanceId>,
    /// The instance a rolling resize is restarting now: the next one waits until it
    /// serves again.
    pub(in crate::model) restarting: Option<InstanceId>,
    /// Draws boot times when they vary.
    pub(in crate::model) boot: Option<(DemandSampler, SimRng)>,
    /// Draws times to failure (only when instances fail).
    pub(in crate::model) failure_rng: Option<SimRng>,
}

impl Pool {
    /// Its id.
    pub fn id(&self) -> PoolId {
        self.id
    }

    /// Its configuration, as the scenario gave it.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Its desired capacity now.
    pub fn desired(&self) -> u32 {
        self.desired
    }

    /// Its bounds now `(min, max)` (scheduled actions may change them).
    pub fn bounds(&self) -> (u32, u32) {
        (self.min, self.max)
    }

    /// Booting and in-service instances, in launch order: these count toward `desired`.
    pub fn members(&self) -> &[InstanceId] {
        &self.members
    }

    /// Instances receiving traffic, in the order they entered service.
    pub fn in_service(&self) -> &[InstanceId] {
        &self.in_service
    }

    /// Instances draining: no new requests, finishing what they hold.
    pub fn draining(&self) -> &[InstanceId] {
        &self.draining
    }

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
        let changed_by_others_at = vec![None; autoscalers.len()];
        Pool {
            min: config.min,
            max: config.max,
            autoscalers: autoscalers.into_iter().map(Some).collect(),
            latest,
            last_change: None,
            changed_by_others_at,
            monitor,
            last_held: None,
            restart_queue: Vec::new(),
            restarting: None,
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

    /// Requests per second the instances in service could serve at 100 % utilisation, each
    /// with its own workers and speed (during a vertical resize some still run the old
    /// type). `instances` is the world's instance vector.
    pub fn serving_capacity_per_sec(&self, instances: &[Instance]) -> f64 {
        if self.mean_demand_secs <= 0.0 {
            return 0.0;
        }
        let worker_speed: f64 = self
            .in_service
            .iter()
            .map(|id| {
                let inst = &instances[id.0 as usize];
                f64::from(inst.workers) * inst.speed
            })
            .sum();
        worker_speed / self.mean_demand_secs
    }

    /// The capacity the pool's policies agree on, at `current` desired capacity: the largest
    /// of their latest votes. A vote computed before the last capacity change was an answer
    /// for another capacity (target tracking's `capacity * metric / target` at 12 is not its
    /// answer at 5); it may still keep capacity up, but it is not used to scale in, since
    /// removing capacity on a stale answer is what AWS's rule of taking the largest is there
    /// to prevent ("The intention is to prevent Amazon EC2 Auto Scaling from removing too
    /// many instances", <https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scale-based-on-demand.html>).
    /// The policy deciding now passes its fresh vote in `latest` like the others.
    pub fn largest_vote(&self, current: u32) -> Combined {
        combine_votes(&self.latest, current, self.last_change.map(|(t, _)| t))
    }

    /// Records that the desired capacity changed at `now`, made by policy `by` (`None`: a
    /// schedule, a resize or a replacement).
    pub fn capacity_changed(&mut self, now: SimTime, by: Option<usize>) {
        self.last_change = Some((now, by));
        for (i, at) in self.changed_by_others_at.iter_mut().enumerate() {
            if by != Some(i) {
                *at = Some(now);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(
        policy: &'static str,
        desired: u32,
        at_capacity: Option<u32>,
        at_secs: u64,
    ) -> Option<Vote> {
        Some(Vote {
            policy,
            desired,
            at_capacity,
            at: SimTime::from_secs(at_secs),
        })
    }

    #[test]
    fn the_pool_follows_the_largest_vote_computed_at_its_capacity() {
        // AWS's example: target tracking needs 10, predictive 8: the group is set to 10.
        let votes = [
            vote("predictive", 8, None, 100),
            vote("target-tracking", 10, Some(12), 100),
        ];
        assert_eq!(combine_votes(&votes, 12, None).desired, 10);
        // Both fresh at 12 and below it: the pool scales in to the larger, 9.
        let votes = [
            vote("predictive", 5, None, 3600),
            vote("target-tracking", 9, Some(12), 3540),
        ];
        let c = combine_votes(&votes, 12, Some(SimTime::from_secs(3000)));
        assert_eq!((c.desired, c.stale.len()), (9, 0));
    }

    #[test]
    fn a_vote_for_another_capacity_keeps_capacity_but_never_removes_it() {
        // Target tracking voted 5 when the pool was at 12 (a CPU reading on 12 instances);
        // a schedule then set 20 at 3,550 s; predictive's new hourly vote at 3,600 s is 3.
        // Falling to 5 would apply the reading on 12 to 20: the stale vote counts as 20,
        // the pool stays at 20 until target tracking votes again on a fresh window.
        let votes = [
            vote("predictive", 3, None, 3600),
            vote("target-tracking", 5, Some(12), 3540),
        ];
        let c = combine_votes(&votes, 20, Some(SimTime::from_secs(3550)));
        assert_eq!(c.desired, 20);
        assert_eq!(c.stale, vec![("target-tracking", 5, Some(12))]);
        // Computed at the current capacity but before a change away and back (12 -> 20
        // -> 12): stale as well.
        let c = combine_votes(&votes[1..], 12, Some(SimTime::from_secs(3550)));
        assert_eq!((c.desired, c.stale.len()), (12, 1));
        // A stale vote above the capacity still raises it: keeping capacity is safe.
        let votes = [vote("target-tracking", 25, Some(12), 3540)];
        assert_eq!(
            combine_votes(&votes, 20, Some(SimTime::from_secs(3550))).desired,
            25
        );
        // No votes yet: the pool keeps its capacity.
        assert_eq!(combine_votes(&[None, None], 7, None).desired, 7);
    }
}
