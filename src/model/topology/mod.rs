//! The world: workload -> balancer -> pools of instances, driven by the engine.
//!
//! This is where requests flow: an arrival is routed by its class to a pool, the pool's
//! balancer picks an in-service instance, and the instance serves it at once, queues it,
//! or drops it. Capacity changes reconcile pools; every interval the recorder closes a
//! row of figures.

use std::collections::VecDeque;

use super::autoscale::Observation;
use super::autoscale::spec::PoolContext;
use super::balancer::Candidates;
use super::clock::WeekClock;
use super::cost::BillingAccount;
use super::instance::{Instance, InstanceId, InstanceState, PoolId};
use super::monitor::{InstanceMeter, SAMPLE_SECS};
use super::pool::{Pool, PoolConfig, Vote};
use super::request::{DropReason, Request};
use super::workload::{Burst, ClassModel, RateProfile, Workload};
use crate::metrics::{Decision, PoolSnapshot, Recorder, SloTarget};
use crate::sim::{EventQueue, Model, SimDuration, SimRng, SimTime, stream_rng};

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
    /// The pools.
    pub pools: Vec<PoolConfig>,
}

/// The world's events.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// `count` requests arrive now.
    Arrival {
        /// How many (more than one for batch arrivals).
        count: u32,
    },
    /// A worker of `instance` finishes a request.
    Departure {
        /// The instance.
        instance: InstanceId,
        /// When the request arrived.
        arrived: SimTime,
        /// Its class.
        class: u16,
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
/// let world = World::new(scenario.world_config()).unwrap();
/// let mut sim = Simulation::new(world, scenario.end());
///
/// // Five simulated minutes: five closed intervals, two instances in service.
/// sim.run_until(SimTime::from_secs_f64(300.0));
/// let world = sim.model();
/// assert_eq!(world.recorder().rows().len(), 5);
/// assert_eq!(world.pools()[0].in_service.len(), 2);
///
/// // Then to the end.
/// sim.run();
/// assert!(sim.is_finished());
/// assert_eq!(sim.model().recorder().rows().len(), 10);
/// ```
pub struct World {
    clock: WeekClock,
    end: SimTime,
    workload: Workload,
    instances: Vec<Instance>,
    pools: Vec<Pool>,
    recorder: Recorder,
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
fn type_facts(t: &super::instance::InstanceType) -> crate::metrics::TypeFacts {
    crate::metrics::TypeFacts {
        vcpus: t.vcpus,
        memory_gib: t.memory_gib,
        provider: t.provider.clone(),
    }
}

impl World {
    /// Builds the world; fails if a distribution or a policy is invalid (a checked
    /// scenario never is).
    pub fn new(config: WorldConfig) -> Result<World, BuildError> {
        let workload = Workload::new(
            config.profile.clone(),
            &config.burst,
            &config.classes,
            config.seed,
        )?;
        let names = config.pools.iter().map(|p| p.name.clone()).collect();
        let mut recorder = Recorder::new(names, config.interval, config.slo)
            .with_classes(config.classes.iter().map(|c| c.name.clone()).collect())
            .with_day_start(config.clock.week_secs(0.0).rem_euclid(86_400.0));
        for (i, p) in config.pools.iter().enumerate() {
            recorder.set_instance_type(i, &p.instance.name, type_facts(&p.instance));
        }
        let mut pools = Vec::with_capacity(config.pools.len());
        for (i, p) in config.pools.iter().enumerate() {
            // The pool's mean demand: its classes' demands weighted by their traffic share.
            let (w, wd) = config
                .classes
                .iter()
                .filter(|c| c.pool == i)
                .fold((0.0, 0.0), |(w, wd), c| {
                    (w + c.weight, wd + c.weight * c.demand.mean_secs())
                });
            let mean = if w > 0.0 { wd / w } else { 0.0 };
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
        Ok(World {
            clock: config.clock,
            end: config.end,
            workload,
            instances: Vec::new(),
            pools,
            recorder,
            // The design's randomness, apart from the workload's (common random numbers).
            routing_rng: stream_rng(config.seed, "design/routing"),
        })
    }

    /// The recorder, with every closed interval and decision.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The simulated clock.
    pub fn clock(&self) -> WeekClock {
        self.clock
    }

    /// The pools.
    pub fn pools(&self) -> &[Pool] {
        &self.pools
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

    fn schedule_next_arrival(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        if let Some((t, count)) = self.workload.next_arrival()
            && t <= self.end
        {
            // The generator is monotone; rounding to nanoseconds can only tie with now.
            q.schedule_stream_in(t - now, Event::Arrival { count });
        }
    }

    fn route(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        let drawn = self.workload.draw();
        self.recorder.arrived(now, drawn.class, 1);
        let pool = &mut self.pools[drawn.pool];
        let view = InService {
            ids: &pool.in_service,
            instances: &self.instances,
        };
        let Some(i) = pool
            .balancer
            .pick(&view, pool.membership, &mut self.routing_rng)
        else {
            self.recorder
                .dropped(now, DropReason::NoCapacity, drawn.class, 1);
            return;
        };
        let id = pool.in_service[i];
        if let Some(m) = pool.monitor.as_mut() {
            m.arrived();
        }
        let timeout = pool.config.timeout;
        let p = drawn.pool;
        let req = Request {
            arrived: now,
            demand_secs: drawn.demand_secs,
            class: drawn.class,
        };
        let inst = &mut self.instances[id.0 as usize];
        if inst.has_idle_worker() {
            self.start_service(now, id, req, q);
        } else if inst
            .queue_capacity
            .is_none_or(|cap| inst.queue.len() < cap as usize)
        {
            inst.queue.push_back(req);
            if inst.metered {
                inst.meter.set(now, inst.busy, inst.outstanding());
            }
            self.recorder.enqueued(now, p);
            if let Some(t) = timeout
                && !inst.timeout_armed
            {
                inst.timeout_armed = true;
                q.schedule_in(t, Event::QueueTimeout { instance: id });
            }
        } else {
            // A crashed instance has no workers and no queue: its requests fail.
            let reason = if inst.state == InstanceState::Failed {
                DropReason::Failure
            } else {
                DropReason::QueueFull
            };
            self.recorder.dropped(now, reason, drawn.class, 1);
        }
    }

    fn start_service(
        &mut self,
        now: SimTime,
        id: InstanceId,
        req: Request,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &mut self.instances[id.0 as usize];
        inst.busy += 1;
        if let Some(n) = inst.busy_by_class.get_mut(usize::from(req.class)) {
            *n += 1;
        }
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        let service = SimDuration::from_secs_f64(req.demand_secs * inst.inv_speed);
        let pool = inst.pool.0 as usize;
        self.recorder.service_started(now, pool, now - req.arrived);
        q.schedule_in(
            service,
            Event::Departure {
                instance: id,
                arrived: req.arrived,
                class: req.class,
            },
        );
    }

    fn departure(
        &mut self,
        now: SimTime,
        id: InstanceId,
        arrived: SimTime,
        class: u16,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &mut self.instances[id.0 as usize];
        if matches!(
            inst.state,
            InstanceState::Terminated | InstanceState::Failed
        ) {
            // Its requests were counted as failures when it was terminated or crashed.
            return;
        }
        inst.busy -= 1;
        if let Some(n) = inst.busy_by_class.get_mut(usize::from(class)) {
            *n -= 1;
        }
        let pool = inst.pool.0 as usize;
        if inst.metered {
            inst.meter.completed();
            inst.meter.set(now, inst.busy, inst.outstanding());
            if let Some(m) = self.pools[pool].monitor.as_mut() {
                m.completed(now - arrived);
            }
        }
        self.recorder.workers_freed(now, pool, 1);
        self.recorder.completed(now, class, now - arrived);
        let timeout = self.pools[pool].config.timeout;
        while let Some(req) = self.instances[id.0 as usize].queue.pop_front() {
            self.recorder.dequeued(now, pool, 1);
            if timeout.is_some_and(|t| now - req.arrived >= t) {
                // Due to time out at this very instant (its timeout event is queued behind us).
                self.recorder
                    .dropped(now, DropReason::Timeout, req.class, 1);
                continue;
            }
            self.start_service(now, id, req, q);
            break;
        }
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Draining && inst.outstanding() == 0 {
            self.drained(now, id, q);
        }
    }

    fn queue_timeout(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        inst.timeout_armed = false;
        if matches!(
            inst.state,
            InstanceState::Terminated | InstanceState::Failed
        ) {
            return;
        }
        let pool = inst.pool.0 as usize;
        let Some(timeout) = self.pools[pool].config.timeout else {
            return;
        };
        let inst = &mut self.instances[id.0 as usize];
        let mut expired = 0;
        // Queues are FIFO and the timeout is the pool's, so deadlines are in queue order:
        // only the head can be due, and one pending check per instance is enough.
        while inst
            .queue
            .front()
            .is_some_and(|r| now - r.arrived >= timeout)
        {
            if let Some(r) = inst.queue.pop_front() {
                self.recorder.dropped(now, DropReason::Timeout, r.class, 1);
            }
            expired += 1;
        }
        if let Some(head) = inst.queue.front() {
            inst.timeout_armed = true;
            q.schedule_in(
                head.arrived + timeout - now,
                Event::QueueTimeout { instance: id },
            );
        }
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        if expired > 0 {
            self.recorder.dequeued(now, pool, expired);
        }
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Draining && inst.outstanding() == 0 {
            self.drained(now, id, q);
        }
    }

    fn launch(
        &mut self,
        now: SimTime,
        pool: usize,
        already_running: bool,
        q: &mut EventQueue<Event>,
    ) {
        self.launch_inner(now, pool, already_running, None, q);
    }

    /// Launches an instance; it serves after `boot_override` seconds if given, else after
    /// the pool's boot time.
    fn launch_inner(
        &mut self,
        now: SimTime,
        pool: usize,
        already_running: bool,
        boot_override: Option<f64>,
        q: &mut EventQueue<Event>,
    ) {
        let id = InstanceId(self.instances.len() as u32);
        let p = &mut self.pools[pool];
        let cfg = &p.config;
        self.instances.push(Instance {
            id,
            pool: p.id,
            state: InstanceState::Booting,
            workers: cfg.workers,
            busy: 0,
            busy_by_class: vec![0; self.workload.class_count()],
            queue: VecDeque::new(),
            queue_capacity: cfg.queue_capacity,
            speed: cfg.instance.speed,
            inv_speed: 1.0 / cfg.instance.speed,
            launched_at: now,
            booted: already_running,
            in_service_at: None,
            meter: InstanceMeter::start(now),
            // Not `autoscaler`: the policy is taken out of the pool while it decides.
            metered: p.monitor.is_some(),
            timeout_armed: false,
            drain_deadline: None,
            billing: BillingAccount::open(cfg.instance.price_usd_per_hour, now, !already_running),
            type_name: cfg.instance.name.clone(),
            restart_secs: None,
            crash_armed: false,
        });
        p.members.push(id);
        self.recorder.instance_launched(now, pool, !already_running);
        self.recorder
            .instance_type_started(now, pool, &p.config.instance.name);
        if let Some(grace) = p.config.health_check_grace
            && !already_running
        {
            q.schedule_in(grace, Event::GraceEnd { instance: id });
        }
        if already_running {
            self.enter_service(now, id, q);
        } else {
            let boot_secs = match (boot_override, p.boot.as_mut()) {
                (Some(b), _) => b,
                (None, Some((sampler, rng))) => sampler.sample(rng),
                (None, None) => p.config.instance.boot_secs,
            };
            q.schedule_in(
                SimDuration::from_secs_f64(boot_secs),
                Event::BootDone { instance: id },
            );
        }
    }

    fn enter_service(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        if inst.state != InstanceState::Booting {
            return;
        }
        inst.state = InstanceState::InService;
        inst.in_service_at = Some(now);
        let (pool, workers) = (inst.pool.0 as usize, inst.workers);
        let p = &mut self.pools[pool];
        p.in_service.push(id);
        p.membership += 1;
        // A rolling resize goes on when the instance it restarted serves again.
        let rolling = p.restarting == Some(id);
        if rolling {
            p.restarting = None;
        }
        let armed = self.instances[id.0 as usize].crash_armed;
        if let (Some(mttf), Some(rng), false) = (p.config.mttf, p.failure_rng.as_mut(), armed) {
            // Memoryless: the time to failure from entering service is exponential (a
            // restarted instance whose earlier draw is still pending keeps that one).
            let draw: f64 = rand::RngExt::sample(rng, rand_distr::Exp1);
            q.schedule_in(
                SimDuration::from_secs_f64(draw * mttf.as_secs_f64()),
                Event::Crash { instance: id },
            );
            self.instances[id.0 as usize].crash_armed = true;
        }
        self.recorder
            .instance_serving(now, pool, u64::from(workers));
        if rolling {
            self.restart_next(now, pool, q);
        }
    }

    /// Takes `id` out of its pool's members; it no longer counts toward desired.
    fn begin_drain(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &self.instances[id.0 as usize];
        let pool = inst.pool.0 as usize;
        let state = inst.state;
        let p = &mut self.pools[pool];
        p.members.retain(|m| *m != id);
        if matches!(state, InstanceState::Booting | InstanceState::Failed) {
            // Nothing to drain: it serves nobody.
            self.terminate(now, id, q);
            return;
        }
        p.in_service.retain(|m| *m != id);
        p.membership += 1;
        p.draining.push(id);
        let drain_timeout = p.config.drain_timeout;
        let inst = self.instance(id);
        inst.state = InstanceState::Draining;
        // Removed while it drained for a restart: it goes for good instead.
        inst.restart_secs = None;
        if let Some(key) = inst.drain_deadline.take() {
            q.cancel(key);
        }
        let inst = self.instance(id);
        if inst.outstanding() == 0 {
            self.terminate(now, id, q);
        } else {
            let key = q.schedule_in(drain_timeout, Event::DrainDeadline { instance: id });
            self.instance(id).drain_deadline = Some(key);
        }
    }

    fn terminate(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        let pool = inst.pool.0 as usize;
        let was = inst.state;
        if was == InstanceState::Terminated {
            return;
        }
        inst.state = InstanceState::Terminated;
        let workers = inst.workers;
        if let Some(key) = inst.drain_deadline.take() {
            q.cancel(key);
        }
        let billing = &self.pools[pool].config.billing;
        let usd = inst.billing.close(now, billing);
        self.recorder.billed(pool, usd);
        self.lose_held(now, id);
        if matches!(was, InstanceState::InService | InstanceState::Draining) {
            self.recorder
                .instance_stopped_serving(now, pool, u64::from(workers));
        }
        self.recorder.instance_terminated(now, pool);
        let type_name = std::mem::take(&mut self.instances[id.0 as usize].type_name);
        self.recorder.instance_type_stopped(now, pool, &type_name);
        let p = &mut self.pools[pool];
        p.draining.retain(|m| *m != id);
        p.members.retain(|m| *m != id);
        if matches!(was, InstanceState::InService | InstanceState::Failed) {
            let before = p.in_service.len();
            p.in_service.retain(|m| *m != id);
            if p.in_service.len() != before {
                p.membership += 1;
            }
        }
        if p.restarting == Some(id) {
            // Removed while it restarted: the rolling resize goes on with the next one.
            p.restarting = None;
            self.restart_next(now, pool, q);
        }
    }

    /// A draining instance holds nothing more (or its drain deadline passed, and what it
    /// holds is lost): it is terminated, or stopped and started again on its pool's new
    /// type if it drained for a restart.
    fn drained(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        if self.instances[id.0 as usize].restart_secs.is_some() {
            self.lose_held(now, id);
            self.stop_and_start(now, id, q);
        } else {
            self.terminate(now, id, q);
        }
    }

    /// Stops a drained instance, changes its type to its pool's current one and starts it
    /// again: it is the same instance (one id, one member of the pool all along), billed
    /// anew from the start with the new type's price and its own minimum, as EC2 bills each
    /// start (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html>).
    fn stop_and_start(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        let Some(restart_secs) = inst.restart_secs.take() else {
            return;
        };
        if let Some(key) = inst.drain_deadline.take() {
            q.cancel(key);
        }
        let pool = inst.pool.0 as usize;
        let old_workers = inst.workers;
        let cfg = &self.pools[pool].config;
        let usd = inst.billing.close(now, &cfg.billing);
        inst.billing = BillingAccount::open(cfg.instance.price_usd_per_hour, now, true);
        let old_type = std::mem::replace(&mut inst.type_name, cfg.instance.name.clone());
        inst.workers = cfg.workers;
        inst.speed = cfg.instance.speed;
        inst.inv_speed = 1.0 / cfg.instance.speed;
        inst.queue_capacity = cfg.queue_capacity;
        inst.state = InstanceState::Booting;
        inst.booted = false;
        inst.in_service_at = None;
        if inst.metered {
            inst.meter.set(now, 0, 0);
        }
        let new_type = cfg.instance.name.clone();
        self.recorder.billed(pool, usd);
        self.recorder
            .instance_stopped_serving(now, pool, u64::from(old_workers));
        self.recorder.instance_type_stopped(now, pool, &old_type);
        self.recorder.instance_type_started(now, pool, &new_type);
        self.recorder.instance_restarted(pool);
        q.schedule_in(
            SimDuration::from_secs_f64(restart_secs),
            Event::BootDone { instance: id },
        );
    }

    /// The requests `id` holds (in service and queued) are lost: counted as failures.
    fn lose_held(&mut self, now: SimTime, id: InstanceId) {
        let inst = &mut self.instances[id.0 as usize];
        let pool = inst.pool.0 as usize;
        let (busy, queued) = (inst.busy, inst.queue.len() as u64);
        inst.busy = 0;
        let queue = std::mem::take(&mut inst.queue);
        let busy_by_class = std::mem::take(&mut inst.busy_by_class);
        if busy > 0 {
            self.recorder.workers_freed(now, pool, u64::from(busy));
            for (class, &n) in busy_by_class.iter().enumerate() {
                if n > 0 {
                    self.recorder
                        .dropped(now, DropReason::Failure, class as u16, u64::from(n));
                }
            }
        }
        if queued > 0 {
            self.recorder.dequeued(now, pool, queued);
            for r in &queue {
                self.recorder.dropped(now, DropReason::Failure, r.class, 1);
            }
        }
        let inst = &mut self.instances[id.0 as usize];
        inst.busy_by_class = busy_by_class;
        inst.busy_by_class.fill(0);
    }

    /// `id` crashes: what it holds is lost and its workers are gone, but the balancer
    /// keeps routing to it until its health checks notice.
    fn crash(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        inst.crash_armed = false;
        if inst.state != InstanceState::InService {
            // Drained, terminated or restarting: the draw is moot.
            return;
        }
        inst.state = InstanceState::Failed;
        let pool = inst.pool.0 as usize;
        let workers = inst.workers;
        self.lose_held(now, id);
        let inst = &mut self.instances[id.0 as usize];
        // No workers and no queue: `route` fails whatever still reaches it.
        inst.workers = 0;
        inst.queue_capacity = Some(0);
        if inst.metered {
            inst.meter.set(now, 0, 0);
        }
        self.recorder
            .instance_stopped_serving(now, pool, u64::from(workers));
        let detect = self.pools[pool].config.unhealthy_detect;
        q.schedule_in(detect, Event::Unhealthy { instance: id });
    }

    /// The balancer takes the crashed `id` out; the group replaces it once its grace
    /// period (counted from launch) is over.
    fn unhealthy(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &self.instances[id.0 as usize];
        if inst.state != InstanceState::Failed {
            return;
        }
        let launched = inst.launched_at;
        let p = &mut self.pools[inst.pool.0 as usize];
        p.in_service.retain(|m| *m != id);
        p.membership += 1;
        let grace_end = launched + p.config.health_check_grace.unwrap_or(SimDuration::ZERO);
        if grace_end > now {
            q.schedule_in(grace_end - now, Event::Replace { instance: id });
        } else {
            self.replace(now, id, "crashed; failed its health checks", q);
        }
    }

    /// Terminates the unhealthy `id` and launches its replacement (desired is unchanged).
    fn replace(&mut self, now: SimTime, id: InstanceId, what: &str, q: &mut EventQueue<Event>) {
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Terminated {
            return;
        }
        let pool = inst.pool.0 as usize;
        let desired = self.pools[pool].desired;
        let why = Why {
            policy: crate::metrics::REPLACEMENT_POLICY.into(),
            raw_desired: desired,
            measure: None,
            metric_value: None,
            target: None,
            reason: format!("instance {} {what}: replaced", id.0),
        };
        self.log_decision(now, pool, desired, desired, why);
        // The instances serving change: windows from before describe the crashed one.
        self.pools[pool].capacity_changed(now, None);
        self.terminate(now, id, q);
        self.reconcile(now, pool, q);
    }

    /// The grace period of `id` is over: if it has not even booted, the group's balancer
    /// health checks fail it and it is replaced (a grace period shorter than the boot
    /// time replaces instances over and over).
    fn grace_end(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Booting && !inst.booted {
            let grace = self.pools[inst.pool.0 as usize]
                .config
                .health_check_grace
                .unwrap_or(SimDuration::ZERO);
            let what = format!(
                "had not booted when its {:.0} s grace period ended",
                grace.as_secs_f64()
            );
            self.replace(now, id, &what, q);
        }
    }

    /// Sets `pool`'s desired capacity (clamped to its current min..=max), logs the
    /// decision with `why`, and launches or drains instances to match.
    pub fn set_desired(
        &mut self,
        now: SimTime,
        pool: usize,
        wanted: u32,
        why: Why,
        q: &mut EventQueue<Event>,
    ) {
        self.set_desired_by(now, pool, wanted, why, None, q);
    }

    /// [`World::set_desired`] on behalf of policy `by` of the pool (`None`: not a policy).
    fn set_desired_by(
        &mut self,
        now: SimTime,
        pool: usize,
        wanted: u32,
        why: Why,
        by: Option<usize>,
        q: &mut EventQueue<Event>,
    ) {
        let p = &self.pools[pool];
        let from = p.desired;
        let to = p.clamp(wanted);
        let mut reason = why.reason;
        if to != wanted {
            let bound = if wanted > to {
                format!("at max {to}")
            } else {
                format!("at min {to}")
            };
            reason = format!("{reason}; {bound}");
        }
        self.log_decision(now, pool, from, to, Why { reason, ..why });
        self.pools[pool].desired = to;
        self.pools[pool].last_held = None;
        if to != from {
            self.pools[pool].capacity_changed(now, by);
        }
        self.reconcile(now, pool, q);
    }

    /// Writes one line of the decision log (`from == to` for a change held back).
    fn log_decision(&mut self, now: SimTime, pool: usize, from: u32, to: u32, why: Why) {
        self.log_change(now, pool, from, to, why, None);
    }

    /// [`World::log_decision`], for a vertical resize `(from type, to type)` too.
    fn log_change(
        &mut self,
        now: SimTime,
        pool: usize,
        from: u32,
        to: u32,
        why: Why,
        resize: Option<(String, String)>,
    ) {
        self.recorder.decision(Decision {
            time_secs: now.as_secs_f64(),
            clock: self.clock.label(now),
            pool: self.pools[pool].config.name.clone(),
            policy: why.policy,
            metric: why.measure.map(|m| m.name()),
            unit: why.measure.map(|m| m.unit()),
            metric_value: why.metric_value,
            target: why.target,
            from,
            raw_desired: why.raw_desired,
            to,
            reason: why.reason,
            resize,
        });
    }

    /// Applies a scheduled action: new bounds and/or desired capacity.
    fn scheduled(&mut self, now: SimTime, pool: usize, index: u32, q: &mut EventQueue<Event>) {
        let Some(change) = self.pools[pool]
            .config
            .schedule
            .get(index as usize)
            .cloned()
        else {
            return;
        };
        let p = &mut self.pools[pool];
        let before = super::autoscale::scheduled::Bounds {
            min: p.min,
            max: p.max,
            desired: p.desired,
        };
        let (after, reason) = change.apply(before);
        p.min = after.min;
        p.max = after.max;
        let wanted = after.desired;
        let why = Why {
            policy: "schedule".into(),
            raw_desired: change.desired.unwrap_or(wanted),
            measure: None,
            metric_value: None,
            target: None,
            reason,
        };
        // Bounds apply to the current capacity too (AWS: setting min above desired raises it).
        self.set_desired(now, pool, wanted, why, q);
        if change.weekly {
            q.schedule_in(
                SimDuration::from_secs(crate::model::clock::SECS_PER_WEEK),
                Event::Scheduled {
                    pool: PoolId(pool as u16),
                    index,
                },
            );
        }
    }

    /// Vertical scaling: moves `pool` to rung `rung` of its type ladder. Every instance
    /// drains, stops, changes type and starts again after the restart pause (on EC2: stop,
    /// change the instance type, start), one at a time or all at once, so capacity dips
    /// while it happens. The instance count does not change; the decision log records the
    /// move as a resize from one type to the other.
    fn resize(
        &mut self,
        now: SimTime,
        pool: usize,
        rung: usize,
        rec: &super::autoscale::Recommendation,
        q: &mut EventQueue<Event>,
    ) {
        let p = &mut self.pools[pool];
        let Some((ladder, restart_secs, all_at_once)) = p.config.resize.clone() else {
            return;
        };
        let Some(new_type) = ladder.get(rung).cloned() else {
            return;
        };
        let from_type = std::mem::replace(&mut p.config.instance, new_type.clone());
        // Workers follow the vCPUs: that is what a bigger machine buys.
        p.config.workers = new_type.vcpus;
        let old: Vec<InstanceId> = p.members.clone();
        let count = p.desired;
        let how = if all_at_once {
            "all at once"
        } else {
            "one at a time"
        };
        let why = Why {
            policy: "vertical".into(),
            raw_desired: count,
            measure: Some(super::autoscale::Measure::Cpu),
            metric_value: rec.metric_value,
            target: rec.target,
            reason: format!(
                "{} ({} -> {}, {} vCPUs -> {}, {how})",
                rec.reason, from_type.name, new_type.name, from_type.vcpus, new_type.vcpus
            ),
        };
        let resize = Some((from_type.name.clone(), new_type.name.clone()));
        self.log_change(now, pool, count, count, why, resize);
        self.recorder
            .set_instance_type(pool, &new_type.name, type_facts(&new_type));
        if all_at_once {
            for id in old {
                self.restart(now, id, restart_secs, q);
            }
        } else {
            // Rolling: restart the first now, the next when it serves again. Restarts pop
            // from the back: the newest instance first.
            let p = &mut self.pools[pool];
            p.restart_queue = old;
            if p.restarting.is_none() {
                self.restart_next(now, pool, q);
            }
        }
    }

    /// Starts restarting `id` on its pool's current type: it leaves the balancer, drains,
    /// then stops and starts again ([`World::stop_and_start`]). It stays a member of the
    /// pool throughout. Returns whether a restart began (not for an instance already of
    /// that type, booting on it, or failed: those are replaced or kept as they are).
    fn restart(
        &mut self,
        now: SimTime,
        id: InstanceId,
        restart_secs: f64,
        q: &mut EventQueue<Event>,
    ) -> bool {
        let inst = &self.instances[id.0 as usize];
        let pool = inst.pool.0 as usize;
        let p = &self.pools[pool];
        if inst.state != InstanceState::InService
            || inst.type_name == p.config.instance.name
            || !p.members.contains(&id)
        {
            return false;
        }
        let drain_timeout = p.config.drain_timeout;
        let p = &mut self.pools[pool];
        p.in_service.retain(|m| *m != id);
        p.membership += 1;
        let inst = self.instance(id);
        inst.state = InstanceState::Draining;
        inst.restart_secs = Some(restart_secs);
        if inst.outstanding() == 0 {
            self.stop_and_start(now, id, q);
        } else {
            let key = q.schedule_in(drain_timeout, Event::DrainDeadline { instance: id });
            self.instance(id).drain_deadline = Some(key);
        }
        true
    }

    /// Restarts the next instance of a rolling resize, if any is left.
    fn restart_next(&mut self, now: SimTime, pool: usize, q: &mut EventQueue<Event>) {
        let Some((_, restart_secs, _)) = self.pools[pool].config.resize.clone() else {
            return;
        };
        while let Some(id) = self.pools[pool].restart_queue.pop() {
            // Skip instances that scale-in already removed, or that need no restart.
            if self.restart(now, id, restart_secs, q) {
                self.pools[pool].restarting = Some(id);
                return;
            }
        }
    }

    /// Samples the counters of every autoscaled pool.
    fn sample(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        for p in &mut self.pools {
            if let Some(m) = p.monitor.as_mut() {
                m.sample(now, p.members.iter().copied(), &mut self.instances);
            }
        }
        q.schedule_in(SimDuration::from_secs(SAMPLE_SECS), Event::Sample);
    }

    /// Asks policy `index` of `pool` for a decision and applies it. With several policies
    /// the pool follows the largest of their latest recommendations.
    fn autoscale(&mut self, now: SimTime, pool: usize, index: usize, q: &mut EventQueue<Event>) {
        let Some(mut policy) = self.pools[pool]
            .autoscalers
            .get_mut(index)
            .and_then(Option::take)
        else {
            return;
        };
        // A policy may raise the maximum (AWS predictive scaling's IncreaseMaxCapacity).
        self.pools[pool].max = policy.max_capacity(self.pools[pool].max);
        let p = &self.pools[pool];
        let base = Observation {
            now_secs: now.as_secs_f64(),
            week_secs: self.clock.week_secs(now.as_secs_f64()),
            current: p.desired,
            min: p.min,
            max: p.max,
            instances: Vec::new(),
            latency_p95_secs: None,
            arrivals_per_sec: None,
            boot_secs: p.config.instance.boot_secs,
        };
        let (window, lag) = policy.window_secs();
        let obs = match &p.monitor {
            Some(m) => m.observe(
                now,
                window,
                lag,
                &p.members,
                &self.instances,
                p.config.warmup,
                base,
            ),
            None => base,
        };
        let mut rec = policy.evaluate(&obs);
        let name = policy.name();
        let measure = policy.measure();
        let current = self.pools[pool].desired;
        // Pool-wide arrivals (a forecast's input) do not depend on the capacity; every other
        // metric is per instance or the pool's latency, which do.
        let per_capacity = measure != Some(super::autoscale::Measure::RequestsPerSec);
        if per_capacity
            && rec.desired < current
            && let Some(stale) = self.stale_window(now, pool, index, window, lag)
        {
            rec.reason = format!("{}; but {stale}: hold {current}", rec.reason);
            rec.desired = current;
        }
        if let Some(rung) = policy.take_resize() {
            self.resize(now, pool, rung, &rec, q);
            self.pools[pool].capacity_changed(now, Some(index));
        }
        let period = SimDuration::from_secs_f64(policy.period_secs());
        let p = &mut self.pools[pool];
        p.latest[index] = policy.vote(&rec).map(|desired| Vote {
            policy: name,
            desired,
            at_capacity: per_capacity.then_some(current),
            at: now,
        });
        if p.latest.len() > 1 {
            // Several policies: the pool follows the largest vote (AWS: each computes its
            // capacity independently and the group uses the maximum), but not a vote
            // computed for another capacity when that would remove instances.
            let combined = p.largest_vote(current);
            for (other, vote, at) in &combined.stale {
                let at = at.map_or(String::new(), |c| format!(" (computed at {c})"));
                rec.reason = format!(
                    "{}; {other}'s vote {vote}{at} predates the last capacity change: not \
                     used to scale in",
                    rec.reason
                );
            }
            if combined.desired != rec.desired {
                rec.reason = format!(
                    "{}; the largest of the policies' votes is {}",
                    rec.reason, combined.desired
                );
                rec.desired = combined.desired;
            }
        }
        let desired = self.pools[pool].clamp(rec.desired);
        let why = Why {
            policy: name.into(),
            raw_desired: rec.raw_desired,
            measure: measure.filter(|_| rec.metric_value.is_some() || rec.target.is_some()),
            metric_value: rec.metric_value,
            target: rec.target,
            reason: rec.reason,
        };
        if desired != current {
            policy.applied(now.as_secs_f64(), current, desired);
            self.set_desired_by(now, pool, desired, why, Some(index), q);
        } else if why.raw_desired != current {
            // Wanted a change and held it back: log it once per policy and wanted capacity
            // (the reason's numbers move every period; the hold is the news).
            let key = (why.raw_desired, why.policy.clone());
            if self.pools[pool].last_held.as_ref() != Some(&key) {
                self.log_decision(now, pool, current, current, why);
                self.pools[pool].last_held = Some(key);
            }
        }
        self.pools[pool].autoscalers[index] = Some(policy);
        q.schedule_in(
            period.max(SimDuration::from_secs(1)),
            Event::Autoscale {
                pool: PoolId(pool as u16),
                policy: index as u8,
            },
        );
    }

    /// Why the metric window of policy `index` of `pool` (`window_secs` long, delivered
    /// `lag_secs` late, read at `now`) describes another capacity: it starts before a
    /// capacity change that policy did not make (another policy's, a schedule's, a resize
    /// or a replacement). `None` when it does not.
    ///
    /// Such a window is not used to remove capacity: a CPU reading taken on 12 instances,
    /// applied to the 5 another policy just left, asks for 2. Target tracking avoids this
    /// for its own scale-ins by counting "instances that are terminating as part of the
    /// current capacity of the group" (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html>);
    /// a change made by someone else is invisible to it, so the world holds its scale-in
    /// until a window measured after the change arrives, as AWS blocks scale-in until new
    /// instances are warm and their data is in the metric
    /// (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html>).
    /// Scaling out on such a window is left alone: it errs on the side of availability,
    /// which AWS puts first ("scale out ... if any of the target tracking policies are
    /// ready for scale out, but ... scale in only if all ... are ready to scale in").
    fn stale_window(
        &self,
        now: SimTime,
        pool: usize,
        index: usize,
        window_secs: f64,
        lag_secs: f64,
    ) -> Option<String> {
        let changed = self.pools[pool]
            .changed_by_others_at
            .get(index)
            .copied()
            .flatten()?;
        let start_secs = now.as_secs_f64() - lag_secs - window_secs;
        if start_secs >= changed.as_secs_f64() {
            return None;
        }
        let label =
            |secs: f64| crate::model::clock::week_label(self.clock.week_secs(secs).round() as u64);
        Some(format!(
            "the metric window from {} predates the capacity change at {}",
            label(start_secs),
            label(changed.as_secs_f64())
        ))
    }

    fn reconcile(&mut self, now: SimTime, pool: usize, q: &mut EventQueue<Event>) {
        let p = &self.pools[pool];
        let desired = p.desired as usize;
        let have = p.members.len();
        if desired > have {
            for _ in have..desired {
                self.launch(now, pool, false, q);
            }
        } else if desired < have {
            for id in p.pick_for_scale_in(have - desired, &self.instances) {
                self.begin_drain(now, id, q);
            }
        }
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
                self.recorder.billed(pi, usd);
            }
        }
        // Forecasts are read for the middle of the interval that closes now.
        let mid_secs = (self.recorder.interval_start().as_secs_f64() + now.as_secs_f64()) / 2.0;
        let week_secs = self.clock.week_secs(mid_secs);
        let snapshots: Vec<PoolSnapshot> = self
            .pools
            .iter()
            .map(|p| self.snapshot(p, week_secs))
            .collect();
        let from = self.recorder.interval_start().as_secs_f64();
        let span = now.as_secs_f64() - from;
        let offered = if span > 0.0 {
            self.workload.profile().expected_arrivals(from, from + span) / span
        } else {
            0.0
        };
        self.recorder.close_interval(now, offered, &snapshots);
        if last {
            self.recorder.finish(now);
        }
        if !last {
            let next = self.recorder.interval_end().min(self.end);
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

impl Model for World {
    type Event = Event;

    fn init(&mut self, q: &mut EventQueue<Event>) {
        for pi in 0..self.pools.len() {
            for _ in 0..self.pools[pi].config.initial {
                self.launch(SimTime::ZERO, pi, true, q);
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
        self.schedule_next_arrival(SimTime::ZERO, q);
        let first_tick = self.recorder.interval_end().min(self.end);
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
            Event::Departure {
                instance,
                arrived,
                class,
            } => self.departure(now, instance, arrived, class, q),
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
            Event::Scheduled { pool, index } => self.scheduled(now, pool.0 as usize, index, q),
            Event::Crash { instance } => self.crash(now, instance, q),
            Event::Unhealthy { instance } => self.unhealthy(now, instance, q),
            Event::Replace { instance } => {
                self.replace(now, instance, "crashed; failed its health checks", q)
            }
            Event::GraceEnd { instance } => self.grace_end(now, instance, q),
            Event::Sample => self.sample(now, q),
            Event::Autoscale { pool, policy } => {
                self.autoscale(now, pool.0 as usize, usize::from(policy), q)
            }
            Event::Tick => self.tick(now, q),
        }
    }
}
