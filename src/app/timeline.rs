//! The timeline: one time cursor that every view shows, as in the rerun viewer.
//!
//! A run keeps a [`Moment`] per metrics interval (the fleet as the topology draws it and
//! the headline figures), so the user can look back at any past moment while the run
//! goes on ahead, without simulating again. Memory stays bounded: past
//! [`History::MAX_MOMENTS`] moments (or [`History::MAX_INSTANCES`] instance copies) every
//! other moment is dropped and the stride doubles, so a week-long run keeps a moment
//! every few intervals rather than running out of memory.

use super::fleet::Fleet;
use crate::metrics::RunSummary;

/// Everything needed to redraw one past moment.
#[derive(Clone, Debug)]
pub struct Moment {
    /// The fleet at the end of the interval.
    pub fleet: Fleet,
    /// The headline figures over the run up to that moment.
    pub summary: RunSummary,
}

impl Moment {
    /// Simulated seconds since the start.
    pub fn at_secs(&self) -> f64 {
        self.fleet.at_secs
    }
}

/// The moments a run has kept, oldest first, one every `stride` intervals.
#[derive(Clone, Debug, Default)]
pub struct History {
    moments: Vec<Moment>,
    /// Keep one interval in `stride` (a power of two).
    stride: u64,
    /// Instance copies held over all moments.
    instances: usize,
}

impl History {
    /// At most this many moments are kept.
    pub const MAX_MOMENTS: usize = 8192;
    /// At most this many instance copies are kept over all moments (about 24 bytes each).
    pub const MAX_INSTANCES: usize = 2_000_000;

    /// An empty history that keeps every interval.
    pub fn new() -> History {
        History {
            moments: Vec::new(),
            stride: 1,
            instances: 0,
        }
    }

    /// Whether the moment closing interval number `index` (1 for the first interval's
    /// end, 0 for the start) is one to keep: callers skip building the others.
    pub fn wants(&self, index: u64) -> bool {
        index.is_multiple_of(self.stride.max(1))
    }

    /// Keeps `moment`, the one closing interval number `index` (see [`History::wants`]).
    pub fn push(&mut self, index: u64, moment: Moment) {
        if self.wants(index) {
            self.keep(moment);
        }
    }

    /// Keeps `moment`, the run's last (its end), whatever the stride: the end can always
    /// be shown.
    pub fn push_last(&mut self, moment: Moment) {
        self.keep(moment);
    }

    fn keep(&mut self, moment: Moment) {
        self.instances += moment.fleet.instance_count();
        self.moments.push(moment);
        while self.moments.len() > Self::MAX_MOMENTS || self.instances > Self::MAX_INSTANCES {
            if self.moments.len() < 2 {
                break;
            }
            self.thin();
        }
    }

    /// Drops every other moment (keeping the first, at the start) and doubles the stride.
    fn thin(&mut self) {
        self.stride = self.stride.max(1) * 2;
        let mut i = 0;
        self.moments.retain(|_| {
            let keep = i % 2 == 0;
            i += 1;
            keep
        });
        self.instances = self.moments.iter().map(|m| m.fleet.instance_count()).sum();
    }

    /// The latest moment at or before `secs` (`None` before the first).
    pub fn at(&self, secs: f64) -> Option<&Moment> {
        let n = self.moments.partition_point(|m| m.at_secs() <= secs + 1e-9);
        n.checked_sub(1).map(|i| &self.moments[i])
    }

    /// All moments kept, oldest first.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    /// One moment kept every this many intervals.
    pub fn stride(&self) -> u64 {
        self.stride
    }
}

/// Where the user looks: the time cursor.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timeline {
    /// The moment shown, seconds after the start; `None` follows the run's present.
    cursor: Option<f64>,
}

impl Timeline {
    /// A timeline that follows the run.
    pub fn following() -> Timeline {
        Timeline { cursor: None }
    }

    /// Whether the views follow the run's present.
    pub fn is_following(&self) -> bool {
        self.cursor.is_none()
    }

    /// Shows the moment at `secs` (the run goes on ahead).
    pub fn look_at(&mut self, secs: f64) {
        self.cursor = Some(secs.max(0.0));
    }

    /// Snaps back to the run's present.
    pub fn follow(&mut self) {
        self.cursor = None;
    }

    /// The cursor, if the user set one.
    pub fn cursor(&self) -> Option<f64> {
        self.cursor
    }

    /// The time every view shows when the runs are at `now_secs`: the cursor, never past
    /// the present (a cursor ahead of the run waits for it), or the present itself.
    pub fn shown_secs(&self, now_secs: f64) -> f64 {
        self.cursor.map_or(now_secs, |c| c.min(now_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fleet::{InstanceView, PoolView};
    use crate::metrics::{EngineFigures, Recorder, SloTarget};
    use crate::model::balancer::BalancerKind;
    use crate::model::clock::WeekClock;
    use crate::model::instance::InstanceState;

    fn moment(at_secs: f64, instances: usize) -> Moment {
        let rec = Recorder::new(
            vec!["web".into()],
            crate::sim::SimDuration::from_secs(10),
            SloTarget {
                latency_secs: 1.0,
                percentile: 99.0,
                window_secs: 300.0,
            },
        );
        let summary = RunSummary::from_recorder(
            &rec,
            "t",
            1,
            WeekClock::default(),
            at_secs,
            EngineFigures::default(),
        );
        let inst = InstanceView {
            id: 0,
            state: InstanceState::InService,
            busy: 1,
            workers: 2,
            queued: 0,
            queue_capacity: None,
            zone: 0,
        };
        Moment {
            fleet: Fleet {
                at_secs,
                pools: vec![PoolView {
                    name: "web".into(),
                    instance_type: "m5.large".into(),
                    vcpus: 2,
                    balancer: BalancerKind::RoundRobin,
                    desired: 1,
                    min: 1,
                    max: 1,
                    in_service: 1,
                    capacity_per_sec: 10.0,
                    instances: vec![inst; instances],
                }],
                graph: Default::default(),
            },
            summary,
        }
    }

    #[test]
    fn the_moment_shown_is_the_latest_at_or_before_the_cursor() {
        let mut h = History::new();
        for k in 0..=3u64 {
            h.push(k, moment(k as f64 * 10.0, 1));
        }
        // Moments at 0, 10, 20, 30: 25 s shows 20, 10 shows 10, past the end shows 30.
        assert_eq!(h.at(25.0).map(Moment::at_secs), Some(20.0));
        assert_eq!(h.at(10.0).map(Moment::at_secs), Some(10.0));
        assert_eq!(h.at(99.0).map(Moment::at_secs), Some(30.0));
        assert!(h.at(-1.0).is_none());
    }

    #[test]
    fn a_long_run_keeps_a_bounded_history_evenly_spread() {
        let mut h = History::new();
        // 3 x MAX_MOMENTS intervals: the stride doubles twice (to 4), leaving
        // 3 * 8192 / 4 = 6144 moments, every 4th interval, still from the start.
        let n = 3 * History::MAX_MOMENTS as u64;
        for k in 0..n {
            if h.wants(k) {
                h.push(k, moment(k as f64, 0));
            }
        }
        assert_eq!(h.stride(), 4);
        assert!(h.moments().len() <= History::MAX_MOMENTS);
        assert_eq!(h.moments().len(), 3 * History::MAX_MOMENTS / 4);
        assert_eq!(h.moments()[0].at_secs(), 0.0);
        assert!(
            h.moments()
                .windows(2)
                .all(|w| w[1].at_secs() - w[0].at_secs() == 4.0)
        );
    }

    #[test]
    fn many_instances_thin_the_history_too() {
        let mut h = History::new();
        // 1,000,000 instances per moment: a third moment would hold 3 M > 2 M copies, so
        // every other one goes (0 and 2 stay) and the stride is 2.
        let per = 1_000_000;
        for k in 0..3u64 {
            h.push(k, moment(k as f64, per));
        }
        assert_eq!(h.stride(), 2);
        let kept: Vec<f64> = h.moments().iter().map(Moment::at_secs).collect();
        assert_eq!(kept, vec![0.0, 2.0]);
    }

    #[test]
    fn the_cursor_never_runs_ahead_of_the_run() {
        let mut t = Timeline::following();
        assert_eq!(t.shown_secs(500.0), 500.0);
        t.look_at(200.0);
        assert_eq!(t.shown_secs(500.0), 200.0);
        // A cursor set past the present (a decision row of a design further on) waits.
        t.look_at(800.0);
        assert_eq!(t.shown_secs(500.0), 500.0);
        t.follow();
        assert!(t.is_following());
    }
}
