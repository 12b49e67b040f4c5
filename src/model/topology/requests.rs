//! The path of a request: an arrival is routed by its class to a pool, the pool's
//! balancer picks an in-service instance, and the instance serves it, queues it or drops it.

use crate::model::instance::{InstanceId, InstanceState, PoolId};
use crate::model::report::Observer;
use crate::model::request::{DropReason, Request, RequestId};
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

    pub(super) fn route(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
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
            served_by: None,
        };
        let inst = &mut self.instances[id.0 as usize];
        if inst.has_idle_worker() {
            let rid = self.requests.insert(req);
            self.start_service(now, id, rid, q);
        } else if inst
            .queue_capacity
            .is_none_or(|cap| inst.queue.len() < cap as usize)
        {
            inst.queue.push_back(self.requests.insert(req));
            if inst.metered {
                inst.meter.set(now, inst.busy, inst.outstanding());
            }
            self.recorder.enqueued(now, PoolId::of(p));
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

    pub(super) fn start_service(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        let Some(req) = self.requests.get_mut(rid) else {
            return;
        };
        req.served_by = Some(id);
        let (arrived, demand_secs) = (req.arrived, req.demand_secs);
        let inst = &mut self.instances[id.0 as usize];
        inst.begin_service();
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        let service = SimDuration::from_secs_f64(demand_secs * inst.inv_speed);
        let pool = inst.pool.0 as usize;
        self.recorder
            .service_started(now, PoolId::of(pool), now - arrived);
        q.schedule_in(
            service,
            Event::Departure {
                instance: id,
                request: rid,
            },
        );
    }

    pub(super) fn departure(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
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
        let Some(Request { arrived, class, .. }) = self.requests.remove(rid) else {
            return;
        };
        inst.end_service();
        let pool = inst.pool.0 as usize;
        if inst.metered {
            inst.meter.completed();
            inst.meter.set(now, inst.busy, inst.outstanding());
            if let Some(m) = self.pools[pool].monitor.as_mut() {
                m.completed(now - arrived);
            }
        }
        self.recorder.workers_freed(now, PoolId::of(pool), 1);
        self.recorder.completed(now, class, now - arrived);
        let timeout = self.pools[pool].config.timeout;
        while let Some(rid) = self.instances[id.0 as usize].queue.pop_front() {
            self.recorder.dequeued(now, PoolId::of(pool), 1);
            let Some(req) = self.requests.get(rid) else {
                continue;
            };
            if timeout.is_some_and(|t| now - req.arrived >= t) {
                // Due to time out at this very instant (its timeout event is queued behind us).
                let class = req.class;
                self.requests.remove(rid);
                self.recorder.dropped(now, DropReason::Timeout, class, 1);
                continue;
            }
            self.start_service(now, id, rid, q);
            break;
        }
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
        let pool = inst.pool.0 as usize;
        let Some(timeout) = self.pools[pool].config.timeout else {
            return;
        };
        let inst = &mut self.instances[id.0 as usize];
        let requests = &mut self.requests;
        let mut expired = 0;
        // Queues are FIFO and the timeout is the pool's, so deadlines are in queue order:
        // only the head can be due, and one pending check per instance is enough.
        let arrived = |requests: &crate::sim::Slab<Request>, rid: &RequestId| {
            requests.get(*rid).map_or(now, |r| r.arrived)
        };
        while inst
            .queue
            .front()
            .is_some_and(|rid| now - arrived(requests, rid) >= timeout)
        {
            if let Some(r) = inst.queue.pop_front().and_then(|rid| requests.remove(rid)) {
                self.recorder.dropped(now, DropReason::Timeout, r.class, 1);
            }
            expired += 1;
        }
        if let Some(head) = inst.queue.front() {
            inst.timeout_armed = true;
            q.schedule_in(
                arrived(requests, head) + timeout - now,
                Event::QueueTimeout { instance: id },
            );
        }
        if inst.metered {
            inst.meter.set(now, inst.busy, inst.outstanding());
        }
        if expired > 0 {
            self.recorder.dequeued(now, PoolId::of(pool), expired);
        }
        let inst = &self.instances[id.0 as usize];
        if inst.state == InstanceState::Draining && inst.outstanding() == 0 {
            self.drained(now, id, q);
        }
    }
}
