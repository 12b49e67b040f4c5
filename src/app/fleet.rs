//! What the topology view draws, copied out of the world: each pool's balancer, bounds
//! and instances (state, busy workers, queue). A copy is a few bytes per instance, so the
//! run keeps one per metrics interval and the view can show any past moment without
//! simulating again (see [`super::timeline::History`]).

use std::sync::Arc;

use crate::model::balancer::BalancerKind;
use crate::model::instance::InstanceState;
use crate::model::report::Observer;
use crate::model::topology::World;

/// One instance as the topology draws it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InstanceView {
    /// Its id (the number in its tooltip).
    pub id: u32,
    /// Where it is in its life.
    pub state: InstanceState,
    /// Workers serving a request.
    pub busy: u32,
    /// All its workers.
    pub workers: u32,
    /// Requests waiting in its queue.
    pub queued: u32,
    /// Its queue's bound (`None`: unbounded).
    pub queue_capacity: Option<u32>,
}

/// One pool as the topology draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolView {
    /// The pool's name.
    pub name: Arc<str>,
    /// The instance type it launches now (a vertical policy may change it).
    pub instance_type: Arc<str>,
    /// vCPUs of that type.
    pub vcpus: u32,
    /// Its balancer's algorithm.
    pub balancer: BalancerKind,
    /// Desired capacity.
    pub desired: u32,
    /// Bounds at that moment (scheduled actions change them).
    pub min: u32,
    /// Bounds at that moment.
    pub max: u32,
    /// Instances receiving traffic.
    pub in_service: u32,
    /// Requests per second the instances in service could serve at 100 % utilisation.
    pub capacity_per_sec: f64,
    /// Members (booting, in service, failed) in launch order, then those draining.
    pub instances: Vec<InstanceView>,
}

/// Every pool at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fleet {
    /// Simulated seconds since the start.
    pub at_secs: f64,
    /// One per pool, in scenario order.
    pub pools: Vec<PoolView>,
}

impl Fleet {
    /// The world's pools as they are now. `names` carries the strings of an earlier copy
    /// (pool and type names), so copies share them instead of allocating each time.
    pub fn of<O: Observer>(world: &World<O>, at_secs: f64, names: Option<&Fleet>) -> Fleet {
        let all = world.instances();
        let pools = world
            .pools()
            .iter()
            .enumerate()
            .map(|(i, pool)| {
                let config = pool.config();
                let earlier = names.and_then(|f| f.pools.get(i));
                let name = match earlier {
                    Some(e) if *e.name == *config.name => e.name.clone(),
                    _ => Arc::from(config.name.as_str()),
                };
                let instance_type = match earlier {
                    Some(e) if *e.instance_type == *config.instance.name => e.instance_type.clone(),
                    _ => Arc::from(config.instance.name.as_str()),
                };
                let (min, max) = pool.bounds();
                let instances = pool
                    .members()
                    .iter()
                    .chain(pool.draining())
                    .filter_map(|id| all.get(id.0 as usize))
                    .map(|inst| InstanceView {
                        id: inst.id.0,
                        state: inst.state,
                        busy: inst.busy,
                        workers: inst.workers,
                        queued: u32::try_from(inst.queue.len()).unwrap_or(u32::MAX),
                        queue_capacity: inst.queue_capacity,
                    })
                    .collect();
                PoolView {
                    name,
                    instance_type,
                    vcpus: config.instance.vcpus,
                    balancer: config.balancer,
                    desired: pool.desired(),
                    min,
                    max,
                    in_service: u32::try_from(pool.in_service().len()).unwrap_or(u32::MAX),
                    capacity_per_sec: pool.serving_capacity_per_sec(all),
                    instances,
                }
            })
            .collect();
        Fleet { at_secs, pools }
    }

    /// Instances copied, over all pools (what a copy costs).
    pub fn instance_count(&self) -> usize {
        self.pools.iter().map(|p| p.instances.len()).sum()
    }
}
