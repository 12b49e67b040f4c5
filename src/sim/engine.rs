//! The stepping loop: `step`, `run_until`, `run`.

use super::queue::EventQueue;
use super::time::SimTime;

/// A simulated system: it reacts to its own events and schedules new ones.
///
/// The engine calls [`Model::handle`] for each event in `(time, sequence)` order; the
/// model owns all its state, so a whole simulation is `Send` when the model is.
pub trait Model {
    /// The typed events this model schedules.
    type Event;

    /// Schedules the first events. Called once, at time zero.
    fn init(&mut self, queue: &mut EventQueue<Self::Event>);

    /// Reacts to one event at simulated time `now` (equal to `queue.now()`).
    fn handle(&mut self, now: SimTime, event: Self::Event, queue: &mut EventQueue<Self::Event>);

    /// Called once when the run reaches its end time, to close open accounts.
    fn finish(&mut self, end: SimTime) {
        let _ = end;
    }
}

/// Counters of the engine's own work, for the `engine` figures a run reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Events handled so far.
    pub events: u64,
    /// The largest number of pending events seen (a measure of memory in flight).
    pub peak_pending: usize,
}

/// A model, its pending events and an end time.
pub struct Simulation<M: Model> {
    model: M,
    queue: EventQueue<M::Event>,
    end: SimTime,
    stats: EngineStats,
    finished: bool,
}

impl<M: Model> Simulation<M> {
    /// Builds a simulation that will stop at `end` (events due at `end` still run).
    pub fn new(mut model: M, end: SimTime) -> Self {
        let mut queue = EventQueue::new();
        model.init(&mut queue);
        Simulation {
            model,
            queue,
            end,
            stats: EngineStats::default(),
            finished: false,
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// When the run ends.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Whether the run has reached its end time.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The model, to read its state.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, to change it between steps.
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Takes the model out, ending the simulation.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The engine's counters.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// Handles the next event if it is due no later than the end; returns its time.
    /// When nothing more is due, finishes the run and returns `None`.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_until(self.end)
    }

    #[inline]
    fn step_until(&mut self, limit: SimTime) -> Option<SimTime> {
        if self.finished {
            return None;
        }
        let limit = limit.min(self.end);
        let pending = self.queue.len();
        match self.queue.pop_until(limit) {
            Some((now, event)) => {
                self.stats.peak_pending = self.stats.peak_pending.max(pending);
                self.stats.events += 1;
                self.model.handle(now, event, &mut self.queue);
                Some(now)
            }
            None => {
                if limit == self.end {
                    self.finish();
                }
                None
            }
        }
    }

    /// Handles every event due at or before `t` (capped at the end), then moves the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        while self.step_until(t).is_some() {}
        if !self.finished {
            self.queue.advance_to(t.min(self.end));
        }
    }

    /// Handles at most `max_events` events due at or before `t` (capped at the end);
    /// returns whether it got there, in which case the clock is moved to `t`. Lets a
    /// caller with a time budget (the app, between frames) advance in slices.
    pub fn run_until_at_most(&mut self, t: SimTime, max_events: u64) -> bool {
        for _ in 0..max_events {
            if self.step_until(t).is_none() {
                if !self.finished {
                    self.queue.advance_to(t.min(self.end));
                }
                return true;
            }
        }
        false
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        while self.step().is_some() {}
    }

    fn finish(&mut self) {
        self.queue.advance_to(self.end);
        self.model.finish(self.end);
        self.finished = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimDuration;

    /// Ticks every 10 ns and records when.
    struct Ticker {
        seen: Vec<SimTime>,
        finished_at: Option<SimTime>,
    }

    impl Model for Ticker {
        type Event = ();
        fn init(&mut self, q: &mut EventQueue<()>) {
            q.schedule_in(SimDuration(10), ());
        }
        fn handle(&mut self, now: SimTime, _: (), q: &mut EventQueue<()>) {
            self.seen.push(now);
            q.schedule_in(SimDuration(10), ());
        }
        fn finish(&mut self, end: SimTime) {
            self.finished_at = Some(end);
        }
    }

    #[test]
    fn run_until_stops_at_the_limit_and_run_reaches_the_end() {
        let mut sim = Simulation::new(
            Ticker {
                seen: vec![],
                finished_at: None,
            },
            SimTime(50),
        );
        sim.run_until(SimTime(25));
        // Ticks at 10 and 20 are due by 25; the clock then rests at 25.
        assert_eq!(sim.model().seen, vec![SimTime(10), SimTime(20)]);
        assert_eq!(sim.now(), SimTime(25));
        assert!(!sim.is_finished());
        sim.run();
        // 30, 40, 50 (an event due exactly at the end still runs), then finish at 50.
        assert_eq!(sim.model().seen.len(), 5);
        assert_eq!(sim.model().finished_at, Some(SimTime(50)));
        assert_eq!(sim.stats().events, 5);
        assert!(sim.is_finished());
        assert_eq!(sim.step(), None);
    }

    #[test]
    fn run_until_at_most_advances_in_slices() {
        let mut sim = Simulation::new(
            Ticker {
                seen: vec![],
                finished_at: None,
            },
            SimTime(50),
        );
        // Ticks at 10, 20, 30, 40 are due by 45: two slices of 2 events do not get
        // there (the clock stays at the last event), the third does and rests at 45.
        assert!(!sim.run_until_at_most(SimTime(45), 2));
        assert_eq!(sim.now(), SimTime(20));
        assert!(!sim.run_until_at_most(SimTime(45), 2));
        assert!(sim.run_until_at_most(SimTime(45), 2));
        assert_eq!(sim.now(), SimTime(45));
        assert_eq!(sim.model().seen.len(), 4);
        // Past the end: the tick at 50 runs and the run finishes.
        assert!(sim.run_until_at_most(SimTime(1000), 10));
        assert!(sim.is_finished());
        assert_eq!(sim.model().finished_at, Some(SimTime(50)));
    }
}
