//! An instance's life: launch, boot, service, drain, termination, failure and
//! replacement, and the rolling restart of a vertical resize.

use std::collections::VecDeque;

use crate::model::cost::BillingAccount;
use crate::model::instance::{Instance, InstanceId, InstanceState, PoolId};
use crate::model::monitor::InstanceMeter;
use crate::model::report::Observer;
use crate::model::request::DropReason;
use crate::sim::{EventQueue, SimDuration, SimTime};

use super::{Event, Why, World};

impl<O: Observer> World<O> {
    pub(super) fn launch(
        &mut self,
        now: SimTime,
        pool: PoolId,
        already_running: bool,
        q: &mut EventQueue<Event>,
    ) {
        self.launch_inner(now, pool, already_running, None, q);
    }

    /// Launches an instance; it serves after `boot_override` seconds if given, else after
    /// the pool's boot time.
    pub(super) fn launch_inner(
        &mut self,
        now: SimTime,
        pool: PoolId,
        already_running: bool,
        boot_override: Option<f64>,
        q: &mut EventQueue<Event>,
    ) {
        let pool = pool.index();
        let id = InstanceId(self.instances.len() as u32);
        // Into the zone of the pool's that is up and has the fewest of its instances;
        // with every one of its zones down, nothing can launch until one comes back.
        let Some(zone) = self.pick_zone(PoolId::of(pool)) else {
            return;
        };
        let p = &mut self.pools[pool];
        let cfg = &p.config;
        self.instances.push(Instance {
            zone,
            inbound: 0,
            id,
            pool: p.id,
            state: InstanceState::Booting,
            workers: cfg.workers,
            busy: 0,
            queue: VecDeque::new(),
            waiting: 0,
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
        self.recorder
            .instance_launched(now, PoolId::of(pool), !already_running);
        self.recorder
            .instance_type_started(now, PoolId::of(pool), &p.config.instance.name);
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

    pub(super) fn enter_service(
        &mut self,
        now: SimTime,
        id: InstanceId,
        q: &mut EventQueue<Event>,
    ) {
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
            .instance_serving(now, PoolId::of(pool), u64::from(workers));
        if rolling {
            self.restart_next(now, PoolId::of(pool), q);
        }
    }

    /// Takes `id` out of its pool's members; it no longer counts toward desired.
    pub(super) fn begin_drain(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
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

    pub(super) fn terminate(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
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
        self.recorder.billed(PoolId::of(pool), usd);
        self.lose_held(now, id, q);
        if matches!(was, InstanceState::InService | InstanceState::Draining) {
            self.recorder
                .instance_stopped_serving(now, PoolId::of(pool), u64::from(workers));
        }
        self.recorder.instance_terminated(now, PoolId::of(pool));
        let type_name = std::mem::take(&mut self.instances[id.0 as usize].type_name);
        self.recorder
            .instance_type_stopped(now, PoolId::of(pool), &type_name);
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
            self.restart_next(now, PoolId::of(pool), q);
        }
    }

    /// A draining instance holds nothing more (or its drain deadline passed, and what it
    /// holds is lost): it is terminated, or stopped and started again on its pool's new
    /// type if it drained for a restart.
    pub(super) fn drained(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        if self.instances[id.0 as usize].restart_secs.is_some() {
            self.lose_held(now, id, q);
            self.stop_and_start(now, id, q);
        } else {
            self.terminate(now, id, q);
        }
    }

    /// Stops a drained instance, changes its type to its pool's current one and starts it
    /// again: it is the same instance (one id, one member of the pool all along), billed
    /// anew from the start with the new type's price and its own minimum, as EC2 bills each
    /// start (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html>).
    pub(super) fn stop_and_start(
        &mut self,
        now: SimTime,
        id: InstanceId,
        q: &mut EventQueue<Event>,
    ) {
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
        self.recorder.billed(PoolId::of(pool), usd);
        self.recorder
            .instance_stopped_serving(now, PoolId::of(pool), u64::from(old_workers));
        self.recorder
            .instance_type_stopped(now, PoolId::of(pool), &old_type);
        self.recorder
            .instance_type_started(now, PoolId::of(pool), &new_type);
        self.recorder.instance_restarted(PoolId::of(pool));
        q.schedule_in(
            SimDuration::from_secs_f64(restart_secs),
            Event::BootDone { instance: id },
        );
    }

    /// The requests `id` holds (in service and queued) are lost: counted as failures.
    pub(super) fn lose_held(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        let pool = inst.pool.0 as usize;
        let busy = std::mem::take(&mut inst.busy);
        let queue = std::mem::take(&mut inst.queue);
        inst.waiting = 0;
        inst.inbound = 0;
        if busy > 0 {
            self.recorder
                .workers_freed(now, PoolId::of(pool), u64::from(busy));
        }
        if !queue.is_empty() {
            self.recorder
                .dequeued(now, PoolId::of(pool), queue.len() as u64);
        }
        // What it holds is found in the slab (a crash is rare; keeping a list per
        // instance would cost every request): served, queued, or waiting on a call.
        let lost: Vec<_> = self
            .requests
            .iter()
            .filter(|(_, r)| r.at == Some(id))
            .map(|(rid, _)| rid)
            .collect();
        for rid in lost {
            self.fail(now, rid, PoolId::of(pool), DropReason::Failure, q);
        }
    }

    /// `id` crashes: what it holds is lost and its workers are gone, but the balancer
    /// keeps routing to it until its health checks notice.
    pub(super) fn crash(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        inst.crash_armed = false;
        if inst.state != InstanceState::InService {
            // Drained, terminated or restarting: the draw is moot.
            return;
        }
        inst.state = InstanceState::Failed;
        let pool = inst.pool.0 as usize;
        let workers = inst.workers;
        self.lose_held(now, id, q);
        let inst = &mut self.instances[id.0 as usize];
        // No workers and no queue: `route` fails whatever still reaches it.
        inst.workers = 0;
        inst.queue_capacity = Some(0);
        if inst.metered {
            inst.meter.set(now, 0, 0);
        }
        self.recorder
            .instance_stopped_serving(now, PoolId::of(pool), u64::from(workers));
        let detect = self.pools[pool].config.unhealthy_detect;
        q.schedule_in(detect, Event::Unhealthy { instance: id });
    }

    /// The balancer takes the crashed `id` out; the group replaces it once its grace
    /// period (counted from launch) is over.
    pub(super) fn unhealthy(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
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
    pub(super) fn replace(
        &mut self,
        now: SimTime,
        id: InstanceId,
        what: &str,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Terminated {
            return;
        }
        let pool = inst.pool.0 as usize;
        let desired = self.pools[pool].desired;
        let why = Why {
            policy: crate::model::report::REPLACEMENT_POLICY.into(),
            raw_desired: desired,
            measure: None,
            metric_value: None,
            target: None,
            reason: format!("instance {} {what}: replaced", id.0),
        };
        self.log_decision(now, PoolId::of(pool), desired, desired, why);
        // The instances serving change: windows from before describe the crashed one.
        self.pools[pool].capacity_changed(now, None);
        self.terminate(now, id, q);
        self.reconcile(now, PoolId::of(pool), q);
    }

    /// The grace period of `id` is over: if it has not even booted, the group's balancer
    /// health checks fail it and it is replaced (a grace period shorter than the boot
    /// time replaces instances over and over).
    pub(super) fn grace_end(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
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
}
