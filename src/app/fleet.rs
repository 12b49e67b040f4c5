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
    /// The zone it runs in (index into [`ServiceGraph::zones`]).
    pub zone: u8,
}

/// The services and their calls: what does not change during a run, shared by every
/// copy of the fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceGraph {
    /// The services, in scenario order.
    pub services: Vec<ServiceView>,
    /// The zones' names (one, `default`, when the scenario names none).
    pub zones: Vec<String>,
}

/// One service: its pools (one per shard of a sharded service) and whom it calls.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    /// Its name.
    pub name: String,
    /// Indices of its pools in [`Fleet::pools`].
    pub pools: Vec<usize>,
    /// Whether its pools are shards, split by key.
    pub sharded: bool,
    /// Whether a request class enters here (the clients call it).
    pub entry: bool,
    /// The services its work calls (indices into `services`), each with whether the call
    /// holds the caller's worker.
    pub calls: Vec<(usize, bool)>,
}

impl ServiceGraph {
    /// The graph of `world`'s services.
    pub fn of<O: Observer>(world: &World<O>) -> ServiceGraph {
        use crate::model::journey::work::WorkStep;
        let entries = world.class_entries();
        let services = world
            .services()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut calls: Vec<(usize, bool)> = Vec::new();
                let first = s.pools.first().and_then(|p| world.pools().get(p.index()));
                for step in first.map_or(&[][..], |p| p.config().work.as_slice()) {
                    let mut add = |to: usize, sync: bool| {
                        if !calls.iter().any(|c| c.0 == to) {
                            calls.push((to, sync));
                        }
                    };
                    match step {
                        WorkStep::Call { to, sync } => add(to.index(), *sync),
                        WorkStep::FanOut { to, .. } => to.iter().for_each(|t| add(t.index(), true)),
                        WorkStep::Cpu(_) | WorkStep::ClassDemand => {}
                    }
                }
                ServiceView {
                    name: s.name.clone(),
                    pools: s.pools.iter().map(|p| p.index()).collect(),
                    sharded: s.shards.is_some(),
                    entry: entries.iter().any(|e| e.index() == i),
                    calls,
                }
            })
            .collect();
        ServiceGraph {
            services,
            zones: world.zone_names().to_vec(),
        }
    }

    /// Each service's tier: 0 for the services no other calls, then one more than the
    /// deepest of its callers (a call graph has no cycle: a scenario with one is
    /// rejected), so calls always point to a later tier.
    pub fn tiers(&self) -> Vec<usize> {
        let n = self.services.len();
        let mut tier = vec![0usize; n];
        // Longest path from a root, relaxed n times (the graph is small and acyclic).
        for _ in 0..n {
            let mut changed = false;
            for (i, s) in self.services.iter().enumerate() {
                for &(to, _) in &s.calls {
                    if to < n && tier[to] < tier[i] + 1 {
                        tier[to] = tier[i] + 1;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        tier
    }

    /// The service pool `pool` serves, and its shard if the service is sharded.
    pub fn service_of(&self, pool: usize) -> Option<(usize, Option<usize>)> {
        self.services.iter().enumerate().find_map(|(i, s)| {
            let k = s.pools.iter().position(|p| *p == pool)?;
            Some((i, s.sharded.then_some(k)))
        })
    }
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
    /// The services the pools serve and their calls (the same for a whole run).
    pub graph: Arc<ServiceGraph>,
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
                        zone: inst.zone,
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
        let graph = match names {
            Some(f) if f.graph.services.len() == world.services().len() => f.graph.clone(),
            _ => Arc::new(ServiceGraph::of(world)),
        };
        Fleet {
            at_secs,
            pools,
            graph,
        }
    }

    /// Instances copied, over all pools (what a copy costs).
    pub fn instance_count(&self) -> usize {
        self.pools.iter().map(|p| p.instances.len()).sum()
    }
}
