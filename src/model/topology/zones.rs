//! Zones: where a pool's instances run, what a zone outage does to them, and which calls
//! cross from one zone to another (and pay for it on the wire).
//!
//! A pool spreads its instances over its zones as an AWS Auto Scaling group does over
//! its Availability Zones: each launch goes to the zone with the fewest of the pool's
//! instances, skipping zones that are down ("Amazon EC2 Auto Scaling attempts to
//! distribute instances evenly between the Availability Zones",
//! <https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html>).
//! An outage fails every instance in its zone at once; the balancers notice through their
//! health checks, as for any crash, and the groups replace them in the zones still up.

use crate::model::instance::{InstanceId, InstanceState, PoolId};
use crate::model::report::Observer;
use crate::model::request::{DropReason, RequestId};
use crate::sim::{EventQueue, SimTime};

use super::{Event, World};

/// A zone outage: from `from` until `until`, nothing in `zone` runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    /// The zone (index into the world's zones).
    pub zone: u8,
    /// When it goes down.
    pub from: SimTime,
    /// When it is back.
    pub until: SimTime,
}

impl<O: Observer> World<O> {
    /// The zone a new instance of `pool` goes to: among the pool's zones that are up, the
    /// one with the fewest of its live instances (the first such in the pool's order on a
    /// tie, so launches into an empty pool go round robin). `None`: all are down.
    pub(super) fn pick_zone(&self, pool: PoolId) -> Option<u8> {
        let pool = pool.index();
        let p = &self.pools[pool];
        let zones = &p.config.zones;
        if zones.len() <= 1 {
            // One zone: no choice to make (and a down zone still stops launches).
            let z = zones.first().copied().unwrap_or(0);
            return self.zone_is_up(z).then_some(z);
        }
        let live = |z: u8| {
            p.members
                .iter()
                .filter(|id| {
                    let inst = &self.instances[id.0 as usize];
                    inst.zone == z && inst.state != InstanceState::Failed
                })
                .count()
        };
        zones
            .iter()
            .copied()
            .filter(|z| self.zone_is_up(*z))
            .min_by_key(|z| live(*z))
    }

    /// Whether a call from a caller in `from` to `to` crosses zones.
    pub(super) fn crosses(&self, from: InstanceId, to: InstanceId) -> bool {
        self.instances[from.0 as usize].zone != self.instances[to.0 as usize].zone
    }

    /// `zone` goes down: every instance there fails (one booting never boots); each pool
    /// replaces them elsewhere once its balancer's health checks notice.
    pub(super) fn zone_down(&mut self, now: SimTime, zone: u8, q: &mut EventQueue<Event>) {
        if let Some(up) = self.zone_up.get_mut(usize::from(zone)) {
            *up = false;
        }
        let hit: Vec<InstanceId> = self
            .instances
            .iter()
            .filter(|i| {
                i.zone == zone
                    && matches!(
                        i.state,
                        InstanceState::Booting | InstanceState::InService | InstanceState::Draining
                    )
            })
            .map(|i| i.id)
            .collect();
        for id in hit {
            match self.instances[id.0 as usize].state {
                InstanceState::InService => self.crash(now, id, q),
                InstanceState::Booting => {
                    // It never comes up; its group finds out as for a crashed instance.
                    let inst = &mut self.instances[id.0 as usize];
                    inst.state = InstanceState::Failed;
                    inst.workers = 0;
                    inst.queue_capacity = Some(0);
                    let detect = self.pools[inst.pool.index()].config.unhealthy_detect;
                    q.schedule_in(detect, Event::Unhealthy { instance: id });
                }
                // Already out of the balancer: what it still held is lost with it.
                _ => {
                    self.lose_held(now, id, q);
                    self.terminate(now, id, q);
                }
            }
        }
    }

    /// `zone` is back: pools short of their desired capacity launch again (into the
    /// zones with the fewest instances, so mostly into this one).
    pub(super) fn zone_up(&mut self, now: SimTime, zone: u8, q: &mut EventQueue<Event>) {
        if let Some(up) = self.zone_up.get_mut(usize::from(zone)) {
            *up = true;
        }
        for pool in 0..self.pools.len() {
            if self.pools[pool].config.zones.contains(&zone) {
                self.reconcile(now, PoolId::of(pool), q);
            }
        }
    }

    /// A call crossed zones to `id`, which its balancer picked: it is accepted there, or
    /// fails if `id` went down meanwhile.
    pub(super) fn forwarded(
        &mut self,
        now: SimTime,
        id: InstanceId,
        rid: RequestId,
        q: &mut EventQueue<Event>,
    ) {
        let inst = &mut self.instances[id.0 as usize];
        inst.inbound = inst.inbound.saturating_sub(1);
        let (state, pool) = (inst.state, inst.pool);
        // Lost already if `id` failed or was terminated while the call was on the wire.
        if self.requests.get(rid).is_none_or(|v| v.at != Some(id)) {
            self.settle(now, id, q);
            return;
        }
        if matches!(state, InstanceState::Failed | InstanceState::Terminated) {
            self.fail(now, rid, PoolId::of(pool.index()), DropReason::Failure, q);
            return;
        }
        self.accept(now, id, rid, q);
    }
}
