//! A run that advances a slice at a time, between frames, within a wall-time budget.

use std::time::{Duration, Instant};

use super::fleet::Fleet;
use super::timeline::{History, Moment};
use crate::metrics::{EngineFigures, Recorder, RunSummary};
use crate::model::topology::{BuildError, World};
use crate::scenario::Scenario;
use crate::sim::{SimDuration, SimTime, Simulation};

/// Events handled between two looks at the wall clock: a few milliseconds' work at the
/// engine's millions of events per second, so a frame overshoots its budget by little.
const SLICE_EVENTS: u64 = 4096;

/// How fast simulated time goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Simulated seconds per wall-clock second (1 = real time).
    Times(f64),
    /// As fast as the budget per frame allows.
    Max,
}

impl Speed {
    /// The presets offered in the toolbar.
    pub const PRESETS: [Speed; 7] = [
        Speed::Times(1.0),
        Speed::Times(10.0),
        Speed::Times(60.0),
        Speed::Times(600.0),
        Speed::Times(3600.0),
        Speed::Times(36_000.0),
        Speed::Max,
    ];

    /// A short label: "1×", "1 min/s", "max".
    pub fn label(self) -> String {
        match self {
            Speed::Max => "max".into(),
            Speed::Times(x) if x >= 3600.0 => format!("{:.0} h/s", x / 3600.0),
            Speed::Times(x) if x >= 60.0 => format!("{:.0} min/s", x / 60.0),
            Speed::Times(x) => format!("{x:.0}×"),
        }
    }
}

/// One design's run in progress.
pub struct LiveRun {
    sim: Simulation<World<Recorder>>,
    seed: u64,
    /// Wall time spent inside the engine.
    busy: Duration,
    /// The scenario's name, for the summaries of past moments.
    name: String,
    /// The metrics interval: a moment is kept at the end of each (or of every few).
    interval: SimDuration,
    /// The number of the next interval end to keep a moment at.
    next_moment: u64,
    /// Past moments, to redraw any of them without simulating again.
    history: History,
    /// Whether the moment at the end is kept (it is kept once: a finished run asked to
    /// advance again, as a shorter design is while the others go on, keeps no more).
    end_kept: bool,
}

impl LiveRun {
    /// Builds the run of `scenario` with `seed` at time zero.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<LiveRun, BuildError> {
        let mut config = scenario.world_config();
        config.seed = seed;
        let recorder = Recorder::for_world(&config).with_warmup(scenario.warmup());
        let world = World::new(config, recorder)?;
        let mut run = LiveRun {
            sim: Simulation::new(world, scenario.end()),
            seed,
            busy: Duration::ZERO,
            name: scenario.file.name.clone(),
            interval: SimDuration::from_secs_f64(scenario.file.interval_secs),
            next_moment: 0,
            history: History::new(),
            end_kept: false,
        };
        run.keep_moment();
        Ok(run)
    }

    /// The simulated time of interval end number `k` (0: the start), capped at the end.
    fn moment_time(&self, k: u64) -> SimTime {
        let t = SimTime(self.interval.as_nanos().saturating_mul(k));
        t.min(self.sim.end())
    }

    /// Keeps the moment the run is at (an interval end) and moves on to the next one.
    fn keep_moment(&mut self) {
        if self.end_kept {
            return;
        }
        self.end_kept = self.sim.now() >= self.sim.end();
        let k = self.next_moment;
        if self.history.wants(k) || self.end_kept {
            let names = self.history.moments().last().map(|m| &m.fleet);
            let fleet = Fleet::of(self.world(), self.now_secs(), names);
            let summary = self.summary();
            let moment = Moment { fleet, summary };
            if self.end_kept {
                self.history.push_last(moment);
            } else {
                self.history.push(k, moment);
            }
        }
        self.next_moment = k + 1;
    }

    /// The moments kept so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The moment to show at `secs`: the latest kept at or before it.
    pub fn moment_at(&self, secs: f64) -> Option<&Moment> {
        self.history.at(secs)
    }

    /// The seed it runs with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The simulated world, to read.
    pub fn world(&self) -> &World<Recorder> {
        self.sim.model()
    }

    /// Simulated seconds since the start.
    pub fn now_secs(&self) -> f64 {
        self.sim.now().as_secs_f64()
    }

    /// Simulated seconds at the end.
    pub fn end_secs(&self) -> f64 {
        self.sim.end().as_secs_f64()
    }

    /// Whether it has reached its end.
    pub fn finished(&self) -> bool {
        self.sim.is_finished()
    }

    /// Advances to `t_secs` (capped at the end) unless `deadline` passes first; returns
    /// whether it got there. It stops at every interval end on the way to keep a moment
    /// there.
    pub fn advance_to(&mut self, t_secs: f64, deadline: Instant) -> bool {
        let t = SimTime::from_secs_f64(t_secs.min(self.end_secs()));
        let started = Instant::now();
        let events_before = self.sim.stats().events;
        let mut kept = 0;
        let reached = loop {
            let boundary = self.moment_time(self.next_moment);
            let stop = t.min(boundary);
            let got_there = self.sim.run_until_at_most(stop, SLICE_EVENTS);
            if got_there && stop == boundary && self.sim.now() >= boundary {
                self.keep_moment();
                kept += 1;
            }
            if got_there && stop == t {
                break true;
            }
            // One slice at least per call, so a slow frame never stalls the run.
            let handled = self.sim.stats().events - events_before;
            if (handled >= SLICE_EVENTS || kept > 0) && Instant::now() >= deadline {
                break false;
            }
        };
        self.busy += started.elapsed();
        reached
    }

    /// The engine's figures so far: events, and their rate over the wall time it ran.
    pub fn engine(&self) -> EngineFigures {
        let stats = self.sim.stats();
        let wall_secs = self.busy.as_secs_f64();
        let arrived: u64 = self
            .world()
            .recorder()
            .rows()
            .iter()
            .map(|r| r.arrivals)
            .sum();
        let per_sec = |n: f64| if wall_secs > 0.0 { n / wall_secs } else { 0.0 };
        EngineFigures {
            events: stats.events,
            peak_pending_events: stats.peak_pending,
            wall_secs,
            events_per_sec: per_sec(stats.events as f64),
            requests_per_sec: per_sec(arrived as f64),
        }
    }

    /// The headline figures over the intervals closed so far.
    pub fn summary(&self) -> RunSummary {
        let world = self.world();
        RunSummary::from_recorder(
            world.recorder(),
            &self.name,
            self.seed,
            world.clock(),
            self.now_secs(),
            self.engine(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Source, parse};

    fn scenario() -> Scenario {
        let text = r#"(name: "t", duration_secs: 600, interval_secs: 10,
            workload: (rate: Constant(per_sec: 100), classes: [(name: "a", demand: Exponential(mean_secs: 0.01))]),
            pools: [(name: "w", instance: "m5.large", size: (min: 2, max: 2))])"#;
        let source = Source::inline("t", text);
        Scenario::validate(parse(&source).unwrap(), &source).unwrap()
    }

    #[test]
    fn advancing_in_slices_gives_the_same_run_as_one_go() {
        let s = scenario();
        let far = Instant::now() + Duration::from_secs(60);
        let mut whole = LiveRun::new(&s, 5).unwrap();
        assert!(whole.advance_to(600.0, far));
        let mut sliced = LiveRun::new(&s, 5).unwrap();
        let mut t = 0.0;
        while !sliced.finished() {
            t += 7.3;
            sliced.advance_to(t, far);
        }
        // 600 s at 10 s intervals: 60 rows, identical whatever the slicing.
        assert_eq!(whole.world().recorder().rows().len(), 60);
        assert_eq!(
            whole.world().recorder().rows(),
            sliced.world().recorder().rows()
        );
    }

    #[test]
    fn a_deadline_in_the_past_still_makes_progress() {
        let s = scenario();
        let mut run = LiveRun::new(&s, 5).unwrap();
        // One slice or one interval per call at least, so a slow frame never stalls the
        // run: 100 requests/s make about 3,000 events in the first 10 s interval, fewer
        // than a slice, so the call stops at that interval's end.
        let reached = run.advance_to(600.0, Instant::now());
        assert!(!reached);
        assert!(run.engine().events >= SLICE_EVENTS || run.now_secs() >= 10.0);
        assert_eq!(run.history().moments().len(), 2, "the start and 10 s");
    }

    #[test]
    fn a_finished_run_keeps_its_last_moment_once() {
        let s = scenario();
        let far = Instant::now() + Duration::from_secs(60);
        let mut run = LiveRun::new(&s, 5).unwrap();
        assert!(run.advance_to(600.0, far));
        // 600 s at 10 s intervals: the start and 60 interval ends.
        assert_eq!(run.history().moments().len(), 61);
        // Asked again and again (a shorter design beside a longer one), it keeps no more.
        for _ in 0..5 {
            assert!(run.advance_to(900.0, far));
        }
        assert_eq!(run.history().moments().len(), 61);
        assert_eq!(run.history().moments()[60].at_secs(), 600.0);
    }
}
