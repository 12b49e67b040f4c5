//! The path of a request: an arrival is routed by its class to its entry service, the
//! service's balancer picks an in-service instance, and the instance serves it, queues it
//! or drops it. A worker runs the service's work step by step: CPU demand, or a call to
//! another service, which is routed the same way and replies when its own work is done.
//! A drop anywhere fails the whole request (see `docs/journeys.md`).

use crate::model::instance::{InstanceId, InstanceState, PoolId};
use crate::model::journey::service::ServiceId;
use crate::model::journey::work::Step;
use crate::model::report::Observer;
use crate::model::request::{ClientRequest, DropReason, Request, RequestId};
use crate::sim::{EventQueue, SimDuration, SimTime};

use super::{Event, InService, World};

impl<O: Observer> World<O> {
    pub(super) fn schedule_next_arrival(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        if let Some((t, count)) = self.workload.next_arrival()
            && t <= self.end
        {
            // The generator is monotone; rounding to nanoseconds can only tie with now.
            q.schedule_stream_in(t - now, Event::Arrival { count });
        }
    }

    /// A request arrives from the client: drawn from the workload, sent to its class's
    /// entry service.
    pub(super) fn route(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        let drawn = self.workload.draw();
        self.recorder.arrived(now, drawn.class, 1);
        if self
            .class_clients
            .get(usize::from(drawn.class))
            .is_some_and(Option::is_some)
        {
            let cid = self.clients.insert(ClientRequest {
                class: drawn.class,
                key: drawn.key,
                demand_secs: drawn.demand_secs,
                sent: now,
                tries: 0,
                last_cost: 0,
                current: None,
            });
            self.send_try(now, cid, q);
            return;
        }
        let rid = self.requests.insert(Request::new(
            now,
            drawn.demand_secs,
            drawn.class,
            drawn.key,
            None,
        ));
        self.visit(now, rid, drawn.entry, q);
    }

    /// The visit `rid` reaches the balancer of `service` (of the shard its key goes to,
    /// if the service is sharded): an instance serves it, queues it, or it is dropped
    /// (and its request fails).
    pub(super) fn visit(
        &mut self,
        now: SimTime,
        rid: RequestId,
        service: ServiceId,
        q: &mut EventQueue<Event>,
    ) {
        // Only a sharded service reads the key (the common case stays one lookup).
        let s = &self.services[service.index()];
        let pool = match (&s.shards, s.pools.first()) {
            (None, Some(p)) => p.index(),
            _ => s
                .pool_for(self.requests.get(rid).map_or(0, |v| v.key))
                .index(),
        };
        let p = &mut self.pools[pool];
        let view = InService {
            ids: &p.in_service,
            instances: &self.instances,
        };
        self.recorder.visit_arrived(PoolId::of(pool));
        let Some(i) = p.balancer.pick(&view, p.membership, &mut self.routing_rng) else {
            self.fail(now, rid, PoolId::of(pool), DropReason::NoCapacity, q);
            return;
        };
        let id = p.in_service[i];
        if let Some(m) = p.monitor.as_mut() {
            m.arrived();
        }
        // A call's balancer runs in its caller's zone; an instance in another zone gets
        // the call after the hop between zones.
        if self.zone_names.len() > 1
            && let Some(caller) = self.caller_instance(rid)
            && self.crosses(caller, id)
        {
            let hop = self.wire(true);
            self.instances[id.0 as usize].inbound += 1;
            if let Some(v) = self.requests.get_mut(rid) {
                v.at = Some(id);
            }
            q.schedule_in(
                hop,
                Event::Forward {
                    instance: id,
                    request: rid,
                },
            );
            return;
        }
        self.accept(now, id, rid, q);
    }

    /// The instance of the visit that made the call `rid` (`None` for a request from the
    /// client).
    fn caller_instance(&self, rid: RequestId) -> Option<InstanceId> {
        let parent = self.requests.get(rid)?.parent?;
        self.requests.get(parent)?.at
    }

    /// Instance `id` takes the visit `rid`: to a free worker, else into its queue, else
    /// the visit is dropped.
    pub(super) fn accept(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &mut self.instances[id.0 as usize];
        if inst.has_idle_worker() {
            self.start_service(now, id, rid, q);
        } else if inst
            .queue_capacity
            .is_none_or(|cap| inst.queue.len() < cap as usize)
        {
            inst.queue.push_back(rid);
            if inst.metered {
                inst.meter.set(now, inst.busy, inst.outstanding());
            }
            let pool = inst.pool;
            let timeout = self.pools[pool.index()].config.timeout;
            if let Some(v) = self.requests.get_mut(rid) {
                v.at = Some(id);
                v.queued_at = now;
            }
            self.recorder.enqueued(now, pool);
            let inst = &mut self.instances[id.0 as usize];
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
            let pool = inst.pool;
            self.fail(now, rid, pool, reason, q);
        }
    }

    /// A worker of `id` takes the visit `rid` and runs its current step.
    pub(super) fn start_service(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        let Some(v) = self.requests.get_mut(rid) else {
            return;
        };
        v.at = Some(id);
        v.worker = true;
        let queued_at = v.queued_at;
        let inst = &mut self.instances[id.0 as usize];
        inst.begin_service();
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        let pool = inst.pool;
        self.recorder.service_started(now, pool, now - queued_at);
        self.run_step(now, rid, q);
    }

    /// The visit `rid`, holding a worker, runs its current step: CPU work (its end is a
    /// `StepDone`), a call, or, past the last step, its reply.
    fn run_step(&mut self, now: SimTime, rid: RequestId, q: &mut EventQueue<Event>) {
        let Some(v) = self.requests.get(rid) else {
            return;
        };
        let Some(id) = v.at else { return };
        let inst = &self.instances[id.0 as usize];
        let pool = inst.pool.index();
        let demand_secs = match self.works[pool].get(usize::from(v.step)) {
            None => {
                self.finish(now, rid, q);
                return;
            }
            Some(Step::ClassDemand) => v.demand_secs,
            Some(Step::Cpu(sampler)) => {
                let service = self.pools[pool].config.service.index();
                sampler.sample(&mut self.demand_rngs[service])
            }
            Some(Step::Call { to, sync }) => {
                let (to, sync) = ([*to], *sync);
                self.call_out(now, rid, &to, 1, sync, q);
                return;
            }
            Some(Step::FanOut { to, wait }) => {
                let (to, wait) = (to.clone(), *wait);
                self.call_out(now, rid, &to, wait, true, q);
                return;
            }
        };
        let service = SimDuration::from_secs_f64(demand_secs * inst.inv_speed);
        q.schedule_in(
            service,
            Event::StepDone {
                instance: id,
                request: rid,
            },
        );
    }

    /// The visit `rid` calls each of `to` at once and waits for `wait` replies, keeping
    /// its worker (`sync`) or giving it back while the calls are out.
    fn call_out(
        &mut self,
        now: SimTime,
        rid: RequestId,
        to: &[ServiceId],
        wait: u16,
        sync: bool,
        q: &mut EventQueue<Event>,
    ) {
        let Some(v) = self.requests.get_mut(rid) else {
            return;
        };
        v.awaiting = wait;
        v.spare = (to.len() as u16).saturating_sub(wait);
        let (step, demand_secs, class, key, at) = (v.step, v.demand_secs, v.class, v.key, v.at);
        if !sync && let Some(id) = at {
            // The worker goes back to the pool while the call is out.
            v.worker = false;
            self.instances[id.0 as usize].waiting += 1;
            self.free_worker(now, id, q);
        }
        for service in to {
            let mut child = Request::new(now, demand_secs, class, key, Some(rid));
            child.parent_step = step;
            let child = self.requests.insert(child);
            let wire = self.wire(false);
            q.schedule_in(
                wire,
                Event::CallArrives {
                    request: child,
                    service: *service,
                },
            );
        }
    }

    /// A worker of `id` finished the CPU step of `rid`: on to the next step.
    pub(super) fn step_done(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &self.instances[id.0 as usize];
        if matches!(
            inst.state,
            InstanceState::Terminated | InstanceState::Failed
        ) {
            // Its requests were counted as failures when it was terminated or crashed.
            return;
        }
        let Some(v) = self.requests.get_mut(rid) else {
            return;
        };
        v.step += 1;
        self.run_step(now, rid, q);
    }

    /// The visit `rid` has done its work: it leaves its instance (freeing its worker if it
    /// holds one) and replies to its caller, or, for the request itself, completes.
    fn finish(&mut self, now: SimTime, rid: RequestId, q: &mut EventQueue<Event>) {
        let Some(v) = self.requests.remove(rid) else {
            return;
        };
        let Some(id) = v.at else { return };
        let inst = &mut self.instances[id.0 as usize];
        let pool = inst.pool;
        if v.worker {
            inst.end_service();
        }
        if inst.metered {
            inst.meter.completed();
            inst.meter.set(now, inst.busy, inst.outstanding());
            if let Some(m) = self.pools[pool.index()].monitor.as_mut() {
                m.completed(now - v.arrived);
            }
        }
        if v.worker {
            self.recorder.workers_freed(now, pool, 1);
        }
        self.recorder.visit_completed(pool, now - v.arrived);
        match v.parent {
            None => match v.client {
                None => self.recorder.completed(now, v.class, now - v.arrived),
                Some(cid) => self.client_reply(now, cid, rid, v.class),
            },
            Some(parent) => {
                // The reply goes back the way the call came: across zones if it crossed.
                let crossed = self.zone_names.len() > 1
                    && self
                        .requests
                        .get(parent)
                        .and_then(|p| p.at)
                        .is_some_and(|caller| self.crosses(caller, id));
                let wire = self.wire(crossed);
                q.schedule_in(
                    wire,
                    Event::Reply {
                        request: parent,
                        step: v.parent_step,
                    },
                );
            }
        }
        if v.worker {
            self.next_in_queue(now, id, q);
        } else {
            // It waited on a call without a worker: a draining instance may now be done.
            self.settle(now, id, q);
        }
    }

    /// One way of a call on the wire, within a zone or `between` two: a latency drawn
    /// from the design's network stream.
    fn wire(&mut self, between: bool) -> SimDuration {
        let latency = if between {
            &self.network_between
        } else {
            &self.network_within
        };
        SimDuration::from_secs_f64(latency.sample(&mut self.network_rng))
    }

    /// The call `rid` reaches the balancer of `service`, the service it calls.
    pub(super) fn call_arrives(
        &mut self,
        now: SimTime,
        rid: RequestId,
        service: ServiceId,
        q: &mut EventQueue<Event>,
    ) {
        // Its caller may have failed while it was on the wire: it still arrives and is
        // served (nothing cancels it), and its reply will find no one.
        let Some(v) = self.requests.get_mut(rid) else {
            return;
        };
        v.arrived = now;
        v.queued_at = now;
        self.visit(now, rid, service, q);
    }

    /// A call that `rid` made at its step `step` replied: once every reply it waits for
    /// is in, `rid` goes on with its next step, on the worker it kept (a synchronous
    /// call) or on one it takes again (an asynchronous call).
    pub(super) fn reply(
        &mut self,
        now: SimTime,
        rid: RequestId,
        step: u16,
        q: &mut EventQueue<Event>,
    ) {
        // A caller that has already failed (its instance crashed) has left the slab, and
        // one that has moved on needs no more replies (a fan-out's extra branches): the
        // reply is dropped on the floor, as a real one would be.
        let Some(v) = self.requests.get_mut(rid) else {
            return;
        };
        if v.step != step || v.awaiting == 0 {
            return;
        }
        v.awaiting -= 1;
        if v.awaiting > 0 {
            return;
        }
        v.step += 1;
        if v.worker {
            self.run_step(now, rid, q);
            return;
        }
        let Some(id) = v.at else { return };
        // Back in line for a worker from now: its wait counts from here.
        v.queued_at = now;
        let pool = self.instances[id.0 as usize].pool.index();
        let done = usize::from(v.step) >= self.works[pool].len();
        let inst = &mut self.instances[id.0 as usize];
        inst.waiting = inst.waiting.saturating_sub(1);
        if done {
            self.finish(now, rid, q);
        } else {
            self.accept(now, id, rid, q);
        }
    }

    /// The visit `rid` was dropped at `pool` with `reason`: it ends, and so does every
    /// caller waiting on it, up to the request, which is counted as dropped once. The
    /// caller of this function has already released what `rid` itself held.
    pub(super) fn fail(
        &mut self,
        now: SimTime,
        rid: RequestId,
        pool: PoolId,
        reason: DropReason,
        q: &mut EventQueue<Event>,
    ) {
        let Some(mut v) = self.requests.remove(rid) else {
            return;
        };
        self.recorder.visit_dropped(pool, reason);
        let mut vid = rid;
        loop {
            let Some(parent) = v.parent else {
                match v.client {
                    None => self.recorder.dropped(now, reason, v.class, 1),
                    Some(cid) => self.try_failed(now, cid, vid, reason, q),
                }
                return;
            };
            // The caller waits for this visit: it fails too, unless it has moved on (an
            // extra branch of a fan-out) or can spare the branch (a fan-out waiting for
            // the first k, with more than k still out).
            let Some(p) = self.requests.get_mut(parent) else {
                return;
            };
            if p.step != v.parent_step || p.awaiting == 0 {
                return;
            }
            if p.spare > 0 {
                p.spare -= 1;
                return;
            }
            // Out of the slab before its instance moves on, so nothing there (a drained
            // instance losing what it holds) can fail it a second time.
            let Some(caller) = self.requests.remove(parent) else {
                return;
            };
            if let Some(id) = caller.at {
                let caller_pool = self.instances[id.0 as usize].pool;
                self.recorder.visit_failed_by_call(caller_pool);
                if caller.worker {
                    self.free_worker(now, id, q);
                } else {
                    let inst = &mut self.instances[id.0 as usize];
                    inst.waiting = inst.waiting.saturating_sub(1);
                    self.settle(now, id, q);
                }
            }
            v = caller;
            vid = parent;
        }
    }

    /// A worker of `id` went back to its pool without its visit ending there (an
    /// asynchronous call went out, or a call failed its caller): it takes the next
    /// queued visit.
    fn free_worker(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &mut self.instances[id.0 as usize];
        inst.end_service();
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        let pool = inst.pool;
        self.recorder.workers_freed(now, pool, 1);
        self.next_in_queue(now, id, q);
    }

    /// A worker of `id` is free: it takes the oldest queued visit that has not timed out,
    /// and a draining instance left with nothing is done.
    fn next_in_queue(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let pool = self.instances[id.0 as usize].pool;
        let timeout = self.pools[pool.index()].config.timeout;
        while let Some(rid) = self.instances[id.0 as usize].queue.pop_front() {
            self.recorder.dequeued(now, pool, 1);
            let Some(v) = self.requests.get(rid) else {
                continue;
            };
            if timeout.is_some_and(|t| now - v.queued_at >= t) {
                // Due to time out at this very instant (its timeout event is queued behind us).
                self.fail(now, rid, pool, DropReason::Timeout, q);
                continue;
            }
            self.start_service(now, id, rid, q);
            break;
        }
        self.settle(now, id, q);
    }

    /// A draining instance that holds nothing any more is done draining.
    pub(super) fn settle(&mut self, now: SimTime, id: InstanceId, q: &mut EventQueue<Event>) {
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Draining && inst.outstanding() == 0 {
            self.drained(now, id, q);
        }
    }

    pub(super) fn queue_timeout(
        &mut self,
        now: SimTime,
        id: InstanceId,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &mut self.instances[id.0 as usize];
        inst.timeout_armed = false;
        if matches!(
            inst.state,
            InstanceState::Terminated | InstanceState::Failed
        ) {
            return;
        }
        let pool = inst.pool;
        let Some(timeout) = self.pools[pool.index()].config.timeout else {
            return;
        };
        let inst = &mut self.instances[id.0 as usize];
        let requests = &self.requests;
        let queued_at = |rid: &RequestId| requests.get(*rid).map_or(now, |v| v.queued_at);
        // Queues are FIFO and the timeout is the pool's, so deadlines are in queue order:
        // only the head can be due, and one pending check per instance is enough.
        let mut expired = Vec::new();
        while inst
            .queue
            .front()
            .is_some_and(|rid| now - queued_at(rid) >= timeout)
        {
            expired.extend(inst.queue.pop_front());
        }
        if let Some(head) = inst.queue.front() {
            inst.timeout_armed = true;
            q.schedule_in(
                queued_at(head) + timeout - now,
                Event::QueueTimeout { instance: id },
            );
        }
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        for rid in &expired {
            self.fail(now, *rid, pool, DropReason::Timeout, q);
        }
        if !expired.is_empty() {
            self.recorder.dequeued(now, pool, expired.len() as u64);
        }
        self.settle(now, id, q);
    }
}
