//! Capacity decisions: desired capacity set by policies, schedules and resizes, the
//! votes of several policies combined, the decision log, and the monitoring samples
//! policies read.

use crate::model::autoscale::Observation;
use crate::model::instance::{InstanceId, InstanceState, PoolId};
use crate::model::monitor::SAMPLE_SECS;
use crate::model::pool::Vote;
use crate::model::report::Decision;
use crate::model::report::Observer;
use crate::sim::{EventQueue, SimDuration, SimTime};

use super::{Event, Why, World, type_facts};

impl<O: Observer> World<O> {
    /// Sets `pool`'s desired capacity (clamped to its current min..=max), logs the
    /// decision with `why`, and launches or drains instances to match.
    pub fn set_desired(
        &mut self,
        now: SimTime,
        pool: PoolId,
        wanted: u32,
        why: Why,
        q: &mut EventQueue<Event>,
    ) {
        self.set_desired_by(now, pool, wanted, why, None, q);
    }

    /// [`World::set_desired`] on behalf of policy `by` of the pool (`None`: not a policy).
    pub(super) fn set_desired_by(
        &mut self,
        now: SimTime,
        pool: PoolId,
        wanted: u32,
        why: Why,
        by: Option<usize>,
        q: &mut EventQueue<Event>,
    ) {
        let pool = pool.index();
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
        self.log_decision(now, PoolId::of(pool), from, to, Why { reason, ..why });
        self.pools[pool].desired = to;
        self.pools[pool].last_held = None;
        if to != from {
            self.pools[pool].capacity_changed(now, by);
        }
        self.reconcile(now, PoolId::of(pool), q);
    }

    /// Writes one line of the decision log (`from == to` for a change held back).
    pub(super) fn log_decision(
        &mut self,
        now: SimTime,
        pool: PoolId,
        from: u32,
        to: u32,
        why: Why,
    ) {
        self.log_change(now, pool, from, to, why, None);
    }

    /// [`World::log_decision`], for a vertical resize `(from type, to type)` too.
    pub(super) fn log_change(
        &mut self,
        now: SimTime,
        pool: PoolId,
        from: u32,
        to: u32,
        why: Why,
        resize: Option<(String, String)>,
    ) {
        let pool = pool.index();
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
    pub(super) fn scheduled(
        &mut self,
        now: SimTime,
        pool: PoolId,
        index: u32,
        q: &mut EventQueue<Event>,
    ) {
        let pool = pool.index();
        let Some(change) = self.pools[pool]
            .config
            .schedule
            .get(index as usize)
            .cloned()
        else {
            return;
        };
        let p = &mut self.pools[pool];
        let before = crate::model::autoscale::scheduled::Bounds {
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
        self.set_desired(now, PoolId::of(pool), wanted, why, q);
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
    pub(super) fn resize(
        &mut self,
        now: SimTime,
        pool: PoolId,
        rung: usize,
        rec: &crate::model::autoscale::Recommendation,
        q: &mut EventQueue<Event>,
    ) {
        let pool = pool.index();
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
            measure: Some(crate::model::autoscale::Measure::Cpu),
            metric_value: rec.metric_value,
            target: rec.target,
            reason: format!(
                "{} ({} -> {}, {} vCPUs -> {}, {how})",
                rec.reason, from_type.name, new_type.name, from_type.vcpus, new_type.vcpus
            ),
        };
        let resize = Some((from_type.name.clone(), new_type.name.clone()));
        self.log_change(now, PoolId::of(pool), count, count, why, resize);
        self.recorder
            .set_instance_type(PoolId::of(pool), &new_type.name, type_facts(&new_type));
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
                self.restart_next(now, PoolId::of(pool), q);
            }
        }
    }

    /// Starts restarting `id` on its pool's current type: it leaves the balancer, drains,
    /// then stops and starts again ([`World::stop_and_start`]). It stays a member of the
    /// pool throughout. Returns whether a restart began (not for an instance already of
    /// that type, booting on it, or failed: those are replaced or kept as they are).
    pub(super) fn restart(
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
    pub(super) fn restart_next(&mut self, now: SimTime, pool: PoolId, q: &mut EventQueue<Event>) {
        let pool = pool.index();
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
    pub(super) fn sample(&mut self, now: SimTime, q: &mut EventQueue<Event>) {
        for p in &mut self.pools {
            if let Some(m) = p.monitor.as_mut() {
                m.sample(now, p.members.iter().copied(), &mut self.instances);
            }
        }
        q.schedule_in(SimDuration::from_secs(SAMPLE_SECS), Event::Sample);
    }

    /// Asks policy `index` of `pool` for a decision and applies it. With several policies
    /// the pool follows the largest of their latest recommendations.
    pub(super) fn autoscale(
        &mut self,
        now: SimTime,
        pool: PoolId,
        index: usize,
        q: &mut EventQueue<Event>,
    ) {
        let pool = pool.index();
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
        let per_capacity = measure != Some(crate::model::autoscale::Measure::RequestsPerSec);
        if per_capacity
            && rec.desired < current
            && let Some(stale) = self.stale_window(now, PoolId::of(pool), index, window, lag)
        {
            rec.reason = format!("{}; but {stale}: hold {current}", rec.reason);
            rec.desired = current;
        }
        if let Some(rung) = policy.take_resize() {
            self.resize(now, PoolId::of(pool), rung, &rec, q);
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
            self.set_desired_by(now, PoolId::of(pool), desired, why, Some(index), q);
        } else if why.raw_desired != current {
            // Wanted a change and held it back: log it once per policy and wanted capacity
            // (the reason's numbers move every period; the hold is the news).
            let key = (why.raw_desired, why.policy.clone());
            if self.pools[pool].last_held.as_ref() != Some(&key) {
                self.log_decision(now, PoolId::of(pool), current, current, why);
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
    pub(super) fn stale_window(
        &self,
        now: SimTime,
        pool: PoolId,
        index: usize,
        window_secs: f64,
        lag_secs: f64,
    ) -> Option<String> {
        let pool = pool.index();
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

    pub(super) fn reconcile(&mut self, now: SimTime, pool: PoolId, q: &mut EventQueue<Event>) {
        let pool = pool.index();
        let p = &self.pools[pool];
        let desired = p.desired as usize;
        let have = p.members.len();
        if desired > have {
            for _ in have..desired {
                self.launch(now, PoolId::of(pool), false, q);
            }
        } else if desired < have {
            for id in p.pick_for_scale_in(have - desired, &self.instances) {
                self.begin_drain(now, id, q);
            }
        }
    }
}
