//! The world: workload -> balancer -> pools of instances, driven by the engine.
//!
//! This is where requests flow: an arrival is routed by its class to a pool, the pool's
//! balancer picks an in-service instance, and the instance serves it at once, queues it,
//! or drops it. Capacity changes reconcile pools; every interval the recorder closes a
//! row of figures.

mod clients;
mod lifecycle;
mod requests;
mod scaling;
mod zones;

pub use zones::Outage;

use super::autoscale::spec::PoolContext;
use super::balancer::Candidates;
use super::clock::WeekClock;
use super::instance::{Instance, InstanceId, InstanceState, PoolId};
use super::journey::service::{ServiceConfig, ServiceId};
use super::journey::work::{Step, WorkStep};
use super::pool::{Pool, PoolConfig};
use super::request::{ClientRequest, ClientRequestId, Request, RequestId};
use super::workload::{Burst, ClassModel, DemandSampler, RateProfile, Workload};
use crate::model::report::{Observer, PoolSnapshot, SloTarget};
use crate::sim::{EventQueue, Model, SimDuration, SimRng, SimTime, Slab, stream_rng};

/// Everything the world is built from (a checked scenario, in model terms).
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The run seed.
    pub seed: u64,
    /// The simulated clock.
    pub clock: WeekClock,
    /// When the run ends.
    pub end: SimTime,
    /// Length of a metrics interval.
    pub interval: SimDuration,
    /// The service-level objective.
    pub slo: SloTarget,
    /// The arrival-rate curve.
    pub profile: RateProfile,
    /// Burstiness on top of it.
    pub burst: Burst,
    /// Request classes (each routed to a pool).
    pub classes: Vec<ClassModel>,
    /// The pools: one per service, or one per shard of a sharded service.
    pub pools: Vec<PoolConfig>,
    /// The services, with the pools that serve them.
    pub services: Vec<ServiceConfig>,
    /// What calls between pools pay on the wire.
    pub network: super::journey::network::Network,
    /// The zones instances are spread over (at least one).
    pub zones: Vec<String>,
    /// When zones go down, and for how long.
    pub outages: Vec<Outage>,
}

/// The world's events.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// `count` requests arrive now.
    Arrival {
        /// How many (more than one for batch arrivals).
        count: u32,
    },
    /// A call reaches the balancer of the service it calls, after its network latency.
    CallArrives {
        /// The call.
        request: RequestId,
        /// The service called.
        service: ServiceId,
    },
    /// A reply reaches the visit that made the call, after its network latency.
    Reply {
        /// The caller.
        request: RequestId,
        /// The caller's step that made the call.
        step: u16,
    },
    /// A worker of `instance` finishes the CPU step it runs for `request`.
    StepDone {
        /// The instance.
        instance: InstanceId,
        /// The visit.
        request: RequestId,
    },
    /// Check `instance`'s queue head for requests that waited too long.
    QueueTimeout {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` has booted and enters service (or starts its health checks).
    BootDone {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` has passed the balancer's health checks and enters service.
    Healthy {
        /// The instance.
        instance: InstanceId,
    },
    /// A draining `instance` ran out of time and is terminated with what it holds.
    DrainDeadline {
        /// The instance.
        instance: InstanceId,
    },
    /// A scheduled capacity change of `pool` (index into its schedule).
    Scheduled {
        /// The pool.
        pool: PoolId,
        /// Index into the pool's schedule.
        index: u32,
    },
    /// A call that `instance`'s balancer picked it for, in another zone than the
    /// caller's, reaches it after the hop between zones.
    Forward {
        /// The instance.
        instance: InstanceId,
        /// The call.
        request: RequestId,
    },
    /// Every instance in `zone` fails, and nothing launches there until it is up.
    ZoneDown {
        /// The zone.
        zone: u8,
    },
    /// `zone` is back: instances launch there again.
    ZoneUp {
        /// The zone.
        zone: u8,
    },
    /// A client's timeout for its try `request` expires.
    ClientTimeout {
        /// The client's request.
        client: ClientRequestId,
        /// The try it waits for.
        request: RequestId,
    },
    /// A client sends its request again, its backoff over.
    Retry {
        /// The client's request.
        client: ClientRequestId,
    },
    /// The end of a metrics interval.
    Tick,
    /// The monitoring system samples the counters of autoscaled pools.
    Sample,
    /// `instance` crashes.
    Crash {
        /// The instance.
        instance: InstanceId,
    },
    /// The balancer's health checks notice that a crashed `instance` is down.
    Unhealthy {
        /// The instance.
        instance: InstanceId,
    },
    /// The group replaces the unhealthy `instance` (its grace period is over).
    Replace {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance`'s health-check grace period ends; if it has not booted, it is replaced.
    GraceEnd {
        /// The instance.
        instance: InstanceId,
    },
    /// One of `pool`'s autoscaling policies evaluates.
    Autoscale {
        /// The pool.
        pool: PoolId,
        /// Which of its policies.
        policy: u8,
    },
}

/// A world that cannot be built from its configuration (a checked scenario never is
/// one: `Scenario::validate` reports these problems at their place in the file).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// The workload's classes are invalid (a demand distribution, the weights).
    #[error("workload: {0}")]
    Workload(#[from] crate::model::config::ConfigError),
    /// A pool's autoscaling policy is invalid.
    #[error("pool {pool}: autoscale: {source}")]
    Autoscale {
        /// The pool's name.
        pool: String,
        /// What is wrong, and in which field of `autoscale`.
        source: crate::model::config::ConfigError,
    },
    /// A network latency distribution is invalid.
    #[error("network: {field}: {source}")]
    Network {
        /// Which latency.
        field: &'static str,
        /// What is wrong.
        source: crate::model::config::ConfigError,
    },
    /// A step of a pool's work is invalid.
    #[error("pool {pool}: work: {source}")]
    Work {
        /// The pool's name.
        pool: String,
        /// What is wrong.
        source: crate::model::config::ConfigError,
    },
    /// A pool's boot-time distribution is invalid.
    #[error("pool {pool}: boot: {source}")]
    Boot {
        /// The pool's name.
        pool: String,
        /// What is wrong.
        source: crate::model::config::ConfigError,
    },
}

/// Who asked for a capacity change and why, for the decision log.
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    /// The policy ("schedule", "hpa", ...).
    pub policy: String,
    /// What the formula asked for before holds and limits.
    pub raw_desired: u32,
    /// The quantity `metric_value` and `target` are in.
    pub measure: Option<crate::model::autoscale::Measure>,
    /// The metric value it was based on.
    pub metric_value: Option<f64>,
    /// The target it was compared with.
    pub target: Option<f64>,
    /// The reason in words.
    pub reason: String,
}

/// The simulated cloud.
///
/// A world is built from a checked scenario and advanced by the engine; between steps
/// it can be read, which is how the app draws a run while it goes on.
///
/// ```
/// use scalesim::metrics::Recorder;
/// use scalesim::model::topology::World;
/// use scalesim::scenario::{Scenario, Source, parse};
/// use scalesim::sim::{SimTime, Simulation};
///
/// let text = r#"(
///     name: "step-by-step",
///     duration_secs: 600,
///     interval_secs: 60,
///     workload: (
///         rate: Constant(per_sec: 20),
///         classes: [(name: "page", demand: Exponential(mean_secs: 0.05))],
///     ),
///     pools: [(name: "web", instance: "m5.large", size: (min: 2, max: 2))],
/// )"#;
/// let source = Source::inline("step.ron", text);
/// let scenario = Scenario::validate(parse(&source).unwrap(), &source).unwrap();
/// let config = scenario.world_config();
/// let world = World::new(config.clone(), Recorder::for_world(&config)).unwrap();
/// let mut sim = Simulation::new(world, scenario.end());
///
/// // Five simulated minutes: five closed intervals, two instances in service.
/// sim.run_until(SimTime::from_secs_f64(300.0));
/// let world = sim.model();
/// assert_eq!(world.recorder().rows().len(), 5);
/// assert_eq!(world.pools()[0].in_service().len(), 2);
///
/// // Then to the end.
/// sim.run();
/// assert!(sim.is_finished());
/// assert_eq!(sim.model().recorder().rows().len(), 10);
/// ```
pub struct World<O> {
    clock: WeekClock,
    end: SimTime,
    workload: Workload,
    instances: Vec<Instance>,
    pools: Vec<Pool>,
    /// What every event is reported to.
    recorder: O,
    /// Visits in flight (requests, and the calls they make), from their balancer to
    /// their end.
    requests: Slab<Request>,
    /// Requests of clients that time out or retry, from their first try to their end.
    clients: Slab<ClientRequest>,
    /// Each class's entry service and, if its client times out or retries, its policy
    /// and the stream its jitter is drawn from (`client/jitter/<class>`).
    class_entries: Vec<ServiceId>,
    class_clients: Vec<Option<clients::ClassClient>>,
    /// Each pool's work for a visit, as steps ready to run.
    works: Vec<Vec<Step>>,
    /// One-way latency of a call within a zone and between zones, and the design's
    /// stream they are drawn from.
    network_within: DemandSampler,
    network_between: DemandSampler,
    network_rng: SimRng,
    /// The zones' names, whether each is up, and when each outage happens.
    zone_names: Vec<String>,
    zone_up: Vec<bool>,
    outages: Vec<Outage>,
    /// The services, with the pools that serve them and how keys pick a shard.
    services: Vec<ServiceConfig>,
    /// Each service's stream for the CPU demand of its own steps (`workload/demand/
    /// service/<name>`: the workload's, so two designs with the same services draw the
    /// same; the shards of a service share it).
    demand_rngs: Vec<SimRng>,
    /// The metrics interval's length, and when the current one started.
    interval: SimDuration,
    interval_start: SimTime,
    routing_rng: SimRng,
}

struct InService<'a> {
    ids: &'a [InstanceId],
    instances: &'a [Instance],
}

impl Candidates for InService<'_> {
    fn len(&self) -> usize {
        self.ids.len()
    }
    fn outstanding(&self, i: usize) -> u32 {
        self.instances[self.ids[i].0 as usize].outstanding()
    }
    fn weight(&self, i: usize) -> f64 {
        let inst = &self.instances[self.ids[i].0 as usize];
        f64::from(inst.workers) * inst.speed
    }
}

/// What the run's summary reports of an instance type.
fn type_facts(t: &super::instance::InstanceType) -> crate::model::report::TypeFacts {
    crate::model::report::TypeFacts {
        vcpus: t.vcpus,
        memory_gib: t.memory_gib,
        provider: t.provider.clone(),
    }
}

impl<O: Observer> World<O> {
    /// Builds the world, reporting to `recorder` (for a run's figures,
    /// `metrics::Recorder::for_world(&config)`); fails if a distribution or a policy is
    /// invalid (a checked scenario never is).
    pub fn new(config: WorldConfig, mut recorder: O) -> Result<World<O>, BuildError> {
        let workload = Workload::new(
            config.profile.clone(),
            &config.burst,
            &config.classes,
            config.seed,
        )?;
        for (i, p) in config.pools.iter().enumerate() {
            recorder.set_instance_type(PoolId::of(i), &p.instance.name, type_facts(&p.instance));
        }
        let mut pools = Vec::with_capacity(config.pools.len());
        for (i, p) in config.pools.iter().enumerate() {
            // The pool's mean demand per visit: its own CPU steps' if it has work, else
            // its classes' demands weighted by their traffic share (all classes' for a
            // service only called, which runs the demand of whatever calls it).
            let class_mean = |only_here: bool| {
                let (w, wd) = config
                    .classes
                    .iter()
                    .filter(|c| !only_here || c.entry == p.service)
                    .fold((0.0, 0.0), |(w, wd), c| {
                        (w + c.weight, wd + c.weight * c.demand.mean_secs())
                    });
                if w > 0.0 { wd / w } else { 0.0 }
            };
            let classes_here = || {
                let here = class_mean(true);
                if here > 0.0 { here } else { class_mean(false) }
            };
            let mean = if p.work.is_empty() {
                classes_here()
            } else {
                p.work
                    .iter()
                    .map(|s| match s {
                        WorkStep::Cpu(d) => d.mean_secs(),
                        WorkStep::ClassDemand => classes_here(),
                        WorkStep::Call { .. } | WorkStep::FanOut { .. } => 0.0,
                    })
                    .sum()
            };
            let autoscalers = match &p.autoscale {
                Some(spec) => {
                    // The family matters only to the editor's new vertical policies.
                    let pool = PoolContext {
                        instance_type: &p.instance.name,
                        family: &[],
                    };
                    spec.build_all(&pool)
                        .map_err(|source| BuildError::Autoscale {
                            pool: p.name.clone(),
                            source,
                        })?
                }
                None => Vec::new(),
            };
            let boot = match &p.boot {
                Some(d) => Some((
                    d.sampler().map_err(|source| BuildError::Boot {
                        pool: p.name.clone(),
                        source,
                    })?,
                    // The design's randomness, one stream per pool.
                    stream_rng(config.seed, &format!("design/boot/{}", p.name)),
                )),
                None => None,
            };
            let failure_rng = p
                .mttf
                .map(|_| stream_rng(config.seed, &format!("design/failures/{}", p.name)));
            pools.push(Pool::new(
                PoolId(i as u16),
                p.clone(),
                mean,
                autoscalers,
                boot,
                failure_rng,
            ));
        }
        let mut works = Vec::with_capacity(config.pools.len());
        for p in &config.pools {
            let mut steps = Vec::with_capacity(p.work.len().max(1));
            for step in &p.work {
                steps.push(match step {
                    WorkStep::ClassDemand => Step::ClassDemand,
                    WorkStep::Cpu(d) => {
                        Step::Cpu(d.sampler().map_err(|source| BuildError::Work {
                            pool: p.name.clone(),
                            source,
                        })?)
                    }
                    WorkStep::Call { to, sync } => Step::Call {
                        to: *to,
                        sync: *sync,
                    },
                    WorkStep::FanOut { to, wait } => Step::FanOut {
                        to: to.clone(),
                        wait: *wait,
                    },
                });
            }
            if steps.is_empty() {
                steps.push(Step::ClassDemand);
            }
            works.push(steps);
        }
        let network_within =
            config
                .network
                .within_zone
                .sampler()
                .map_err(|source| BuildError::Network {
                    field: "within_zone",
                    source,
                })?;
        let network_between =
            config
                .network
                .between_zones
                .sampler()
                .map_err(|source| BuildError::Network {
                    field: "between_zones",
                    source,
                })?;
        let demand_rngs = config
            .services
            .iter()
            .map(|s| stream_rng(config.seed, &format!("workload/demand/service/{}", s.name)))
            .collect();
        Ok(World {
            clock: config.clock,
            end: config.end,
            workload,
            instances: Vec::new(),
            pools,
            recorder,
            requests: Slab::new(),
            clients: Slab::new(),
            class_entries: config.classes.iter().map(|c| c.entry).collect(),
            class_clients: config
                .classes
                .iter()
                .map(|c| {
                    c.client
                        .clone()
                        .map(|p| clients::ClassClient::new(p, config.seed, &c.name))
                })
                .collect(),
            works,
            services: config.services,
            demand_rngs,
            network_within,
            network_between,
            zone_up: vec![true; config.zones.len().max(1)],
            zone_names: config.zones.clone(),
            outages: config.outages,
            network_rng: stream_rng(config.seed, "design/network"),
            interval: config.interval,
            interval_start: SimTime::ZERO,
            // The design's randomness, apart from the workload's (common random numbers).
            routing_rng: stream_rng(config.seed, "design/routing"),
        })
    }

    /// What the run reports to (for a run's figures, the metrics recorder with every
    /// closed interval and decision).
    pub fn recorder(&self) -> &O {
        &self.recorder
    }

    /// Requests in flight: sent by the client, not yet ended (calls they made are not
    /// counted; see [`World::visits_in_flight`]).
    pub fn requests_in_flight(&self) -> usize {
        self.requests
            .iter()
            .filter(|(_, v)| v.parent.is_none() && v.client.is_none())
            .count()
            + self.clients.len()
    }

    /// Visits in flight at a service: requests and the calls they made that have reached
    /// their service's balancer and not ended (calls still on the wire are not yet
    /// anywhere; see [`World::calls_on_the_wire`]).
    pub fn visits_in_flight(&self) -> usize {
        self.requests.iter().filter(|(_, v)| v.at.is_some()).count()
    }

    /// Calls sent that have not reached their service's balancer yet (on the wire).
    pub fn calls_on_the_wire(&self) -> usize {
        self.requests.iter().filter(|(_, v)| v.at.is_none()).count()
    }

    /// The simulated clock.
    pub fn clock(&self) -> WeekClock {
        self.clock
    }

    /// The pools.
    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    /// The services, with the pools that serve them (a sharded service has one per shard).
    pub fn services(&self) -> &[ServiceConfig] {
        &self.services
    }

    /// The service each request class enters by, in class order.
    pub fn class_entries(&self) -> &[ServiceId] {
        &self.class_entries
    }

    /// The zones' names, in the order instances' `zone` indexes them.
    pub fn zone_names(&self) -> &[String] {
        &self.zone_names
    }

    /// Whether `zone` is up now.
    pub fn zone_is_up(&self, zone: u8) -> bool {
        self.zone_up.get(usize::from(zone)).copied().unwrap_or(true)
    }

    /// Every instance launched so far (terminated ones included).
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// The arrival-rate curve.
    pub fn profile(&self) -> &RateProfile {
        self.workload.profile()
    }

    fn instance(&mut self, id: InstanceId) -> &mut Instance {
        &mut self.instances[id.0 as usize]
    }

    fn tick(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        let last = now >= self.end;
        for pi in 0..self.pools.len() {
            let p = &self.pools[pi];
            let billing = p.config.billing.clone();
            let live: Vec<InstanceId> = p.members.iter().chain(&p.draining).copied().collect();
            for id in live {
                let acct = &mut self.instances[id.0 as usize].billing;
                // At the end of the run, settle the bill as if each were stopped now.
                let usd = if last {
                    acct.close(now, &billing)
                } else {
                    acct.accrue(now)
                };
                self.recorder.billed(PoolId::of(pi), usd);
            }
        }
        // Forecasts are read for the middle of the interval that closes now.
        let mid_secs = (self.interval_start.as_secs_f64() + now.as_secs_f64()) / 2.0;
        let week_secs = self.clock.week_secs(mid_secs);
        let snapshots: Vec<PoolSnapshot> = self
            .pools
            .iter()
            .map(|p| self.snapshot(p, week_secs))
            .collect();
        let from = self.interval_start.as_secs_f64();
        let span = now.as_secs_f64() - from;
        let offered = if span > 0.0 {
            self.workload.profile().expected_arrivals(from, from + span) / span
        } else {
            0.0
        };
        self.recorder.close_interval(now, offered, &snapshots);
        self.interval_start = now;
        if last {
            self.recorder.finish(now);
        }
        if !last {
            let next = (now + self.interval).min(self.end);
            q.schedule_in(next - now, Event::Tick);
        }
    }

    fn snapshot(&self, p: &Pool, week_secs: f64) -> PoolSnapshot {
        let count = |state| {
            p.members
                .iter()
                .filter(|id| self.instances[id.0 as usize].state == state)
                .count() as u32
        };
        let in_service = count(InstanceState::InService);
        PoolSnapshot {
            booting: count(InstanceState::Booting),
            in_service,
            // Members draining are draining to be restarted on a new type.
            draining: p.draining.len() as u32 + count(InstanceState::Draining),
            failed: count(InstanceState::Failed),
            desired: p.desired,
            capacity_per_sec: p.serving_capacity_per_sec(&self.instances),
            forecast_per_sec: p
                .autoscalers
                .iter()
                .flatten()
                .find_map(|a| a.forecast_per_sec(week_secs)),
        }
    }
}

impl<O: Observer> Model for World<O> {
    type Event = Event;

    fn init(&mut self, q: &mut EventQueue<Event>) {
        for pi in 0..self.pools.len() {
            for _ in 0..self.pools[pi].config.initial {
                self.launch(SimTime::ZERO, PoolId::of(pi), true, q);
            }
            for (index, change) in self.pools[pi].config.schedule.iter().enumerate() {
                if change.at <= self.end {
                    // Times come from the scenario resolved against the start: never negative.
                    q.schedule_in(
                        change.at - SimTime::ZERO,
                        Event::Scheduled {
                            pool: PoolId(pi as u16),
                            index: index as u32,
                        },
                    );
                }
            }
        }
        if self.pools.iter().any(|p| p.monitor.is_some()) {
            q.schedule_in(SimDuration::ZERO, Event::Sample);
        }
        for (pi, p) in self.pools.iter().enumerate() {
            for (index, a) in p.autoscalers.iter().enumerate() {
                let Some(a) = a else { continue };
                // The first evaluation after one period, when the monitor has data.
                let period =
                    SimDuration::from_secs_f64(a.period_secs()).max(SimDuration::from_secs(1));
                q.schedule_in(
                    period,
                    Event::Autoscale {
                        pool: PoolId(pi as u16),
                        policy: index as u8,
                    },
                );
            }
        }
        for o in &self.outages {
            if o.from <= self.end {
                q.schedule_in(o.from - SimTime::ZERO, Event::ZoneDown { zone: o.zone });
                if o.until <= self.end {
                    q.schedule_in(o.until - SimTime::ZERO, Event::ZoneUp { zone: o.zone });
                }
            }
        }
        self.schedule_next_arrival(SimTime::ZERO, q);
        let first_tick = (SimTime::ZERO + self.interval).min(self.end);
        q.schedule_in(first_tick - SimTime::ZERO, Event::Tick);
    }

    fn handle(&mut self, now: SimTime, event: Event, q: &mut EventQueue<Event>) {
        match event {
            Event::Arrival { count } => {
                for _ in 0..count {
                    self.route(now, q);
                }
                self.schedule_next_arrival(now, q);
            }
            Event::StepDone { instance, request } => self.step_done(now, instance, request, q),
            Event::CallArrives { request, service } => self.call_arrives(now, request, service, q),
            Event::Reply { request, step } => self.reply(now, request, step, q),
            Event::QueueTimeout { instance } => self.queue_timeout(now, instance, q),
            Event::BootDone { instance } => {
                self.instance(instance).booted = true;
                let inst = &self.instances[instance.0 as usize];
                let delay = self.pools[inst.pool.0 as usize].config.health_check_delay;
                if delay > SimDuration::ZERO && inst.state == InstanceState::Booting {
                    q.schedule_in(delay, Event::Healthy { instance });
                } else {
                    self.enter_service(now, instance, q);
                }
            }
            Event::Healthy { instance } => self.enter_service(now, instance, q),
            Event::DrainDeadline { instance } => {
                self.instance(instance).drain_deadline = None;
                if self.instances[instance.0 as usize].state == InstanceState::Draining {
                    self.drained(now, instance, q);
                }
            }
            Event::Scheduled { pool, index } => self.scheduled(now, pool, index, q),
            Event::Crash { instance } => self.crash(now, instance, q),
            Event::Unhealthy { instance } => self.unhealthy(now, instance, q),
            Event::Replace { instance } => {
                self.replace(now, instance, "crashed; failed its health checks", q)
            }
            Event::GraceEnd { instance } => self.grace_end(now, instance, q),
            Event::Sample => self.sample(now, q),
            Event::Autoscale { pool, policy } => self.autoscale(now, pool, usize::from(policy), q),
            Event::Forward { instance, request } => self.forwarded(now, instance, request, q),
            Event::ZoneDown { zone } => self.zone_down(now, zone, q),
            Event::ZoneUp { zone } => self.zone_up(now, zone, q),
            Event::ClientTimeout { client, request } => {
                self.client_timeout(now, client, request, q)
            }
            Event::Retry { client } => self.retry(now, client, q),
            Event::Tick => self.tick(now, q),
        }
    }
}
