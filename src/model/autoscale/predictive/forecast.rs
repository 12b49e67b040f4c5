//! The seasonal forecast: arrival rates filed by 5-minute slot of the week and of the
//! day, as running means that forget (see the module docs of the policy).

use super::{SLOT_SECS, WINDOW_SECS};
use crate::model::clock::{SECS_PER_DAY, SECS_PER_WEEK};

/// History slots in a day (24 h / 5 min).
const SLOTS_PER_DAY: usize = (SECS_PER_DAY / 300) as usize;
/// History slots in a week (7 * 288).
const SLOTS_PER_WEEK: usize = (SECS_PER_WEEK / 300) as usize;
/// The smallest weight a new visit gets in a slot's running mean (see the module docs).
const FORGET: f64 = 0.5;

/// A running mean with forgetting, over the visits to one slot (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct RunningMean {
    mean_per_sec: f64,
    pub(super) visits: u32,
}

impl RunningMean {
    fn push(&mut self, x: f64) {
        self.visits = self.visits.saturating_add(1);
        let w = (1.0 / f64::from(self.visits)).max(FORGET);
        self.mean_per_sec += w * (x - self.mean_per_sec);
    }

    pub(super) fn get(&self) -> Option<f64> {
        (self.visits > 0).then_some(self.mean_per_sec)
    }
}

/// The slot being visited now: samples are averaged until the clock leaves it.
#[derive(Clone, Copy, Debug)]
struct OpenSlot {
    /// Slot number counted from the Monday 00:00 before the run started.
    index: i64,
    sum_per_sec: f64,
    samples: u32,
}

/// Arrival rates by time of week and time of day: fixed size, whatever the run length.
#[derive(Clone, Debug)]
pub(super) struct SeasonalHistory {
    pub(super) weekly: Box<[RunningMean]>,
    pub(super) daily: Box<[RunningMean]>,
    open: Option<OpenSlot>,
    /// Clock seconds (from the run's first Monday 00:00) at which the first and the latest
    /// recorded windows ended.
    first_end_secs: Option<f64>,
    last_end_secs: f64,
}

impl SeasonalHistory {
    pub(super) fn new() -> SeasonalHistory {
        SeasonalHistory {
            weekly: vec![RunningMean::default(); SLOTS_PER_WEEK].into_boxed_slice(),
            daily: vec![RunningMean::default(); SLOTS_PER_DAY].into_boxed_slice(),
            open: None,
            first_end_secs: None,
            last_end_secs: 0.0,
        }
    }

    /// The slot (from the first Monday 00:00) holding the middle of a window ending at
    /// `end_secs`: the window's mean is most like the rate at its middle.
    pub(super) fn slot_of_window(end_secs: f64) -> i64 {
        ((end_secs - WINDOW_SECS / 2.0) / SLOT_SECS).floor() as i64
    }

    /// Records the rate measured over the window ending at clock `end_secs`.
    pub(super) fn record(&mut self, end_secs: f64, rate_per_sec: f64) {
        let index = Self::slot_of_window(end_secs);
        match &mut self.open {
            Some(open) if open.index == index => {
                open.sum_per_sec += rate_per_sec;
                open.samples += 1;
            }
            _ => {
                self.close();
                self.open = Some(OpenSlot {
                    index,
                    sum_per_sec: rate_per_sec,
                    samples: 1,
                });
            }
        }
        self.first_end_secs.get_or_insert(end_secs);
        self.last_end_secs = end_secs;
    }

    /// Folds the finished visit into its time-of-week and time-of-day means.
    fn close(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let mean = open.sum_per_sec / f64::from(open.samples.max(1));
        let week_slot = week_slot(open.index);
        self.weekly[week_slot].push(mean);
        self.daily[week_slot % SLOTS_PER_DAY].push(mean);
    }

    /// Seconds of clock time the recorded windows cover.
    pub(super) fn span_secs(&self) -> f64 {
        match self.first_end_secs {
            Some(first) => self.last_end_secs - first + WINDOW_SECS,
            None => 0.0,
        }
    }

    /// The forecast for slot `index`: the same time of week if seen, else the same time of
    /// day.
    pub(super) fn slot_forecast(&self, index: i64) -> Option<f64> {
        let w = week_slot(index);
        self.weekly[w]
            .get()
            .or_else(|| self.daily[w % SLOTS_PER_DAY].get())
    }

    /// The busiest forecast slot overlapping `[from_secs, to_secs)`: its rate and the clock
    /// second it starts at.
    pub(super) fn peak(&self, from_secs: f64, to_secs: f64) -> Option<(f64, f64)> {
        let first = (from_secs / SLOT_SECS).floor() as i64;
        let last = ((to_secs / SLOT_SECS).ceil() as i64 - 1).max(first);
        let mut best: Option<(f64, f64)> = None;
        for index in first..=last {
            if let Some(rate) = self.slot_forecast(index)
                && best.is_none_or(|(b, _)| rate > b)
            {
                best = Some((rate, index as f64 * SLOT_SECS));
            }
        }
        best
    }
}

fn week_slot(index: i64) -> usize {
    index.rem_euclid(SLOTS_PER_WEEK as i64) as usize
}
