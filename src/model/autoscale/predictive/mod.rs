//! Predictive scaling: launch capacity ahead of load the pool has seen at this time before
//! (AWS EC2 Auto Scaling predictive scaling,
//! <https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-predictive-scaling.html>;
//! GCP predictive autoscaling,
//! <https://cloud.google.com/compute/docs/autoscaler/predictive-autoscaling>).
//!
//! A reactive policy sees a Monday-morning ramp only once it has happened and then waits
//! for the boot time; this one remembers last week and launches before the ramp.
//!
//! What AWS documents, and followed here:
//! - No forecast before **24 h** of metric history (`history_min_secs`); until then the
//!   policy holds, and a reactive policy running beside it does the work.
//! - The forecast is **hourly** and capacity is set **at the beginning of each hour**
//!   (`hourly: true`, the default), launched `SchedulingBufferTime` ahead
//!   (`scheduling_buffer_secs`; by default the pool's boot time, so the capacity is in
//!   service when the hour starts).
//! - "If actual capacity is less than the predicted capacity, Amazon EC2 Auto Scaling scales
//!   out ... so that its desired capacity is equal to the predicted capacity. If actual
//!   capacity is greater than the predicted capacity, Amazon EC2 Auto Scaling doesn't
//!   scale in capacity." So by default this policy only ever adds capacity; removing it is
//!   left to a target-tracking or step policy beside it (AWS recommends pairing them).
//! - `ForecastOnly` computes and reports the forecast but never changes capacity
//!   (AWS's API default; here `ForecastAndScale` is the default, since a policy that
//!   never scales is a surprising thing to get by writing its name in a scenario).
//! - Min and max are honoured unless `MaxCapacityBreachBehavior: IncreaseMaxCapacity`
//!   (`max_capacity_buffer_pct`): then the maximum may be raised to the forecast capacity
//!   plus a buffer (doc example: forecast 50, max 40, buffer 10 % -> effective max 55), and,
//!   as AWS warns, the raised maximum stays ([`Autoscaler::max_capacity`]).
//!
//! AWS's forecast is "machine learning" over 14 days; it is not published. The simulator
//! uses a seasonal forecast a student can redo by hand:
//! 1. Every evaluation brings the arrival rate over a 300 s window delivered 60 s late. It
//!    is filed under the 5-minute slot of the simulated clock that holds the window's
//!    middle; samples falling in one slot during one visit are averaged.
//! 2. When the clock leaves a slot, that visit's mean updates two running means: the
//!    slot's entry for its **time of week** (2016 entries, Mon 00:00 to Sun 23:55) and its
//!    entry for its **time of day** (288 entries). Each is `m += w * (x - m)` with
//!    `w = max(1 / n, 1/2)` for the `n`-th visit: the first two visits are averaged, then
//!    the newest counts half, the one before a quarter, and so on (about the last two
//!    weeks matter, like AWS's 14 days). Memory is these 2304 entries, whatever the run
//!    length.
//! 3. The forecast for a moment is its time-of-week entry if that slot of the week has been
//!    seen (Monday 09:00 from previous Mondays, not from Sunday), else its time-of-day
//!    entry (the same time on the previous days), else none.
//! 4. The capacity for an hour is `ceil(peak / requests_per_instance)`, where the peak is
//!    the busiest forecast 5-minute slot of that hour: AWS does not say how its hourly
//!    value is aggregated, and sizing for the busiest 5 minutes keeps a spike inside the
//!    hour from being averaged away.
//!
//! Simulator choices, where AWS says nothing:
//! - Evaluations are discrete (every `evaluate_every_secs`), so the step for the hour
//!   starting at `H` is taken at the last evaluation at or before `H - buffer`, up to one
//!   period earlier than AWS would launch, never later.
//! - `scale_in_to_forecast: true` (off by default, not AWS) lets the policy run alone: it
//!   then also lowers capacity to the forecast, but only while the measured arrivals are
//!   no more than 10 % above what was forecast for the same 5 minutes ("scale in only when
//!   the demand actually drops"): when they run higher the forecast is evidently low, and
//!   it holds.
//!
//! GCP's predictive autoscaler is close to this with `history_min_secs: 259200` (3 days),
//! `hourly: false` and `scale_in_to_forecast: true`; its final size is the larger of the
//! reactive and predictive recommendations, as AWS's is.

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Observation, Recommendation};
use crate::model::clock::{SECS_PER_DAY, SECS_PER_WEEK, day_label_short, week_label_short};
use crate::model::config::{self, ConfigError};

/// Width of one history slot, seconds (the 5-minute granularity of CloudWatch basic
/// monitoring, and the metric window).
const SLOT_SECS: f64 = 300.0;
/// History slots in a day (24 h / 5 min).
const SLOTS_PER_DAY: usize = (SECS_PER_DAY / 300) as usize;
/// History slots in a week (7 * 288).
const SLOTS_PER_WEEK: usize = (SECS_PER_WEEK / 300) as usize;
const WEEK_SECS: f64 = SECS_PER_WEEK as f64;
const HOUR_SECS: f64 = 3600.0;
/// The metric window the policy asks for, seconds.
const WINDOW_SECS: f64 = 300.0;
/// How late the monitoring system delivers the window, seconds.
const LAG_SECS: f64 = 60.0;
/// The smallest weight a new visit gets in a slot's running mean (see the module docs).
const FORGET: f64 = 0.5;
/// How far measured arrivals may run above the forecast for the same slot before
/// `scale_in_to_forecast` stops trusting the forecast to remove capacity (10 %, AWS's
/// "usually more than 10%" band for target tracking's scale-in).
const ABOVE_FORECAST_TOLERANCE: f64 = 0.1;
/// AWS `SchedulingBufferTime` range: 0..=3600 s.
const MAX_SCHEDULING_BUFFER_SECS: f64 = 3600.0;
/// AWS `MaxCapacityBuffer` range: 0..=100 %.
const MAX_CAPACITY_BUFFER_PCT: u32 = 100;

/// Whether the policy acts on its forecast (AWS `Mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PredictiveMode {
    /// Forecast and report, never change capacity: to judge a forecast before trusting it.
    ForecastOnly,
    /// Forecast and set capacity from it (the default here; AWS's API defaults to
    /// `ForecastOnly`).
    #[default]
    ForecastAndScale,
}

/// Predictive scaling: `autoscale: Predictive(requests_per_instance: 50)`.
///
/// Checked by `validate` when the scenario is loaded: a bad value is an error that names
/// its field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictiveConfig {
    /// The load one instance should carry, requests per second (like the target of AWS's
    /// `ALBRequestCountPerTarget`, per second rather than per minute). Capacity for a
    /// forecast is `ceil(forecast / requests_per_instance)`.
    pub requests_per_instance: f64,
    /// Whether to act on the forecast (default `ForecastAndScale`).
    #[serde(default)]
    pub mode: PredictiveMode,
    /// Seconds of arrival history needed before the first forecast (default 86400: AWS's
    /// 24 h; GCP needs 3 days, 259200). Until then the policy holds and says how much it
    /// has learned.
    #[serde(default = "default_history_min_secs")]
    pub history_min_secs: f64,
    /// How far ahead of the forecast need capacity is launched, seconds (AWS
    /// `SchedulingBufferTime`, 0..=3600). Default: the pool's boot time, so new instances
    /// are in service when the load they are for arrives.
    #[serde(default)]
    pub scheduling_buffer_secs: Option<f64>,
    /// Let the forecast raise the pool's maximum (AWS `MaxCapacityBreachBehavior:
    /// IncreaseMaxCapacity` with `MaxCapacityBuffer` in percent of the forecast capacity,
    /// 0..=100). Default none: the maximum is a hard limit (`HonorMaxCapacity`).
    #[serde(default)]
    pub max_capacity_buffer_pct: Option<u32>,
    /// Seconds between evaluations, each recording the arrival rate (default 300, one per
    /// history slot; at most 3600). Capacity still changes only hourly unless `hourly` is
    /// off.
    #[serde(default = "default_evaluate_every_secs")]
    pub evaluate_every_secs: f64,
    /// Set capacity once per clock hour, for that hour's forecast, as AWS does (default
    /// true). False: act at every evaluation, for the forecast from `now + buffer` to the
    /// next evaluation's `now + buffer` (closer to GCP).
    #[serde(default = "default_hourly")]
    pub hourly: bool,
    /// Also lower capacity to the forecast (default false: AWS's predictive scaling never
    /// scales in). Scale-in then happens only while measured arrivals are within 10 % of
    /// the forecast for the same time.
    #[serde(default)]
    pub scale_in_to_forecast: bool,
}

fn default_history_min_secs() -> f64 {
    SECS_PER_DAY as f64
}
fn default_evaluate_every_secs() -> f64 {
    300.0
}
fn default_hourly() -> bool {
    true
}

impl PredictiveConfig {
    /// A configuration with the defaults for everything but the load per instance.
    pub fn new(requests_per_instance: f64) -> PredictiveConfig {
        PredictiveConfig {
            requests_per_instance,
            mode: PredictiveMode::default(),
            history_min_secs: default_history_min_secs(),
            scheduling_buffer_secs: None,
            max_capacity_buffer_pct: None,
            evaluate_every_secs: default_evaluate_every_secs(),
            hourly: default_hourly(),
            scale_in_to_forecast: false,
        }
    }

    /// Checks the values describe a policy that can run.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::positive("requests_per_instance", self.requests_per_instance)?;
        config::non_negative("history_min_secs", self.history_min_secs)?;
        if let Some(b) = self.scheduling_buffer_secs {
            // AWS SchedulingBufferTime.
            config::within("scheduling_buffer_secs", b, 0.0, MAX_SCHEDULING_BUFFER_SECS)?;
        }
        if let Some(p) = self.max_capacity_buffer_pct {
            // AWS MaxCapacityBuffer, a percentage.
            config::within(
                "max_capacity_buffer_pct",
                f64::from(p),
                0.0,
                f64::from(MAX_CAPACITY_BUFFER_PCT),
            )?;
        }
        // At most an hour, so every hourly step has an evaluation to take it.
        if !(self.evaluate_every_secs > 0.0 && self.evaluate_every_secs <= HOUR_SECS) {
            return Err(ConfigError::invalid(
                "evaluate_every_secs",
                format!("must be in (0, 3600], got {}", self.evaluate_every_secs),
            ));
        }
        Ok(())
    }
}

/// A running mean with forgetting, over the visits to one slot (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct RunningMean {
    mean_per_sec: f64,
    visits: u32,
}

impl RunningMean {
    fn push(&mut self, x: f64) {
        self.visits = self.visits.saturating_add(1);
        let w = (1.0 / f64::from(self.visits)).max(FORGET);
        self.mean_per_sec += w * (x - self.mean_per_sec);
    }

    fn get(&self) -> Option<f64> {
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
struct SeasonalHistory {
    weekly: Box<[RunningMean]>,
    daily: Box<[RunningMean]>,
    open: Option<OpenSlot>,
    /// Clock seconds (from the run's first Monday 00:00) at which the first and the latest
    /// recorded windows ended.
    first_end_secs: Option<f64>,
    last_end_secs: f64,
}

impl SeasonalHistory {
    fn new() -> SeasonalHistory {
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
    fn slot_of_window(end_secs: f64) -> i64 {
        ((end_secs - WINDOW_SECS / 2.0) / SLOT_SECS).floor() as i64
    }

    /// Records the rate measured over the window ending at clock `end_secs`.
    fn record(&mut self, end_secs: f64, rate_per_sec: f64) {
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
    fn span_secs(&self) -> f64 {
        match self.first_end_secs {
            Some(first) => self.last_end_secs - first + WINDOW_SECS,
            None => 0.0,
        }
    }

    /// The forecast for slot `index`: the same time of week if seen, else the same time of
    /// day.
    fn slot_forecast(&self, index: i64) -> Option<f64> {
        let w = week_slot(index);
        self.weekly[w]
            .get()
            .or_else(|| self.daily[w % SLOTS_PER_DAY].get())
    }

    /// The busiest forecast slot overlapping `[from_secs, to_secs)`: its rate and the clock
    /// second it starts at.
    fn peak(&self, from_secs: f64, to_secs: f64) -> Option<(f64, f64)> {
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

/// The predictive policy: see the module docs.
#[derive(Debug)]
pub struct Predictive {
    config: PredictiveConfig,
    history: SeasonalHistory,
    /// Clock seconds from the Monday 00:00 before the run to the run's start, learnt from
    /// the first observation, so time keeps counting past the end of a week.
    clock_offset_secs: Option<f64>,
    /// The last clock hour (hours since that Monday 00:00) whose step was taken.
    last_hour: Option<i64>,
    /// The highest maximum the forecast raised the pool to (0: never raised). AWS: "The
    /// increased maximum capacity then becomes the new normal maximum capacity".
    raised_max: u32,
    /// The capacity the last hourly step asked for (its vote beside other policies).
    hour_need: Option<u32>,
}

impl Predictive {
    /// A policy with no history yet; fails if the configuration is invalid.
    pub fn new(config: PredictiveConfig) -> Result<Predictive, ConfigError> {
        config.validate()?;
        Ok(Predictive {
            config,
            history: SeasonalHistory::new(),
            clock_offset_secs: None,
            last_hour: None,
            raised_max: 0,
            hour_need: None,
        })
    }

    /// The forecast arrival rate, requests per second, at `week_secs` seconds after Monday
    /// 00:00 (for drawing the forecast beside the arrivals), or `None` before
    /// `history_min_secs` of history or for a time of day never seen.
    pub fn forecast_per_sec(&self, week_secs: f64) -> Option<f64> {
        if self.history.span_secs() < self.config.history_min_secs {
            return None;
        }
        let index = (week_secs.rem_euclid(WEEK_SECS) / SLOT_SECS).floor() as i64;
        self.history.slot_forecast(index)
    }

    /// The step this evaluation takes: the clock interval to provision for, and the hour it
    /// belongs to in hourly mode. `None`: between hourly steps.
    fn step(&mut self, clock: f64, buffer: f64) -> Option<(f64, f64, Option<f64>)> {
        let period = self.config.evaluate_every_secs;
        if !self.config.hourly {
            // Launched now, in service at `clock + buffer`; the next evaluation's launches
            // take over one period later.
            return Some((clock + buffer, clock + buffer + period, None));
        }
        // The latest hour whose launch time (start - buffer) comes before the next
        // evaluation: waiting for that one would launch too late.
        let hour = ((clock + period + buffer) / HOUR_SECS).ceil() as i64 - 1;
        if self.last_hour.is_some_and(|h| h >= hour) {
            return None;
        }
        self.last_hour = Some(hour);
        let start = hour as f64 * HOUR_SECS;
        Some((start.max(clock), start + HOUR_SECS, Some(start)))
    }
}

impl Autoscaler for Predictive {
    fn name(&self) -> &'static str {
        "predictive"
    }

    fn measure(&self) -> Option<super::Measure> {
        Some(super::Measure::RequestsPerSec)
    }

    fn period_secs(&self) -> f64 {
        self.config.evaluate_every_secs
    }

    fn window_secs(&self) -> (f64, f64) {
        (WINDOW_SECS, LAG_SECS)
    }

    fn forecast_per_sec(&self, week_secs: f64) -> Option<f64> {
        Predictive::forecast_per_sec(self, week_secs)
    }

    fn vote(&self, _rec: &Recommendation) -> Option<u32> {
        // Beside another policy, predictive asks for the capacity this hour needs: the
        // group takes the larger, so the other policy may scale in down to it (AWS).
        match self.config.mode {
            PredictiveMode::ForecastOnly => None,
            PredictiveMode::ForecastAndScale => self.hour_need,
        }
    }

    fn max_capacity(&self, max_configured: u32) -> u32 {
        max_configured.max(self.raised_max)
    }

    fn evaluate(&mut self, obs: &Observation) -> Recommendation {
        let c = &self.config;
        let rpi = c.requests_per_instance;
        let current = obs.current;
        let offset = *self
            .clock_offset_secs
            .get_or_insert_with(|| (obs.week_secs - obs.now_secs).rem_euclid(WEEK_SECS));
        let clock = offset + obs.now_secs;
        let window_end = clock - LAG_SECS;
        let arrivals = obs.arrivals_per_sec.filter(|r| r.is_finite() && *r >= 0.0);
        if let Some(rate) = arrivals {
            self.history.record(window_end, rate);
        }

        let learned = self.history.span_secs();
        if learned < c.history_min_secs {
            return Recommendation {
                ..Recommendation::hold(
                    current,
                    format!(
                        "learning: {} of {} history",
                        fmt_duration(learned),
                        fmt_duration(c.history_min_secs)
                    ),
                )
            };
        }

        let (buffer, buffer_is) = match c.scheduling_buffer_secs {
            Some(b) => (b, "buffer"),
            None if obs.boot_secs.is_finite() => (obs.boot_secs.max(0.0), "boot"),
            None => (0.0, "boot"),
        };
        let Some((from, to, hour)) = self.step(clock, buffer) else {
            // Between hourly steps `last_hour` is the hour whose step was taken last.
            let next = (self.last_hour.unwrap_or_default() + 1) as f64 * HOUR_SECS;
            return Recommendation {
                metric_value: self
                    .history
                    .slot_forecast((clock / SLOT_SECS).floor() as i64),
                ..Recommendation::hold(
                    current,
                    format!(
                        "holds {current}: next hourly step for {} (launch by {})",
                        week_label_short(next),
                        week_label_short(next - buffer)
                    ),
                )
            };
        };
        let c = &self.config;
        let span = match hour {
            Some(start) => format!(
                "{}-{}",
                week_label_short(start),
                day_label_short(start + HOUR_SECS).unwrap_or_default()
            ),
            None => format!(
                "{}-{}",
                week_label_short(from),
                day_label_short(to).unwrap_or_default()
            ),
        };
        let Some((forecast, peak_at)) = self.history.peak(from, to) else {
            return Recommendation {
                ..Recommendation::hold(current, format!("no history for {span}: holds {current}"))
            };
        };
        let needed = (forecast / rpi).ceil() as u32;
        let what = format!(
            "forecast {} req/s at {} ({}+{} s {buffer_is}) needs {needed} at {} req/s each",
            fmt_rate(forecast),
            week_label_short(peak_at),
            if hour.is_some() {
                format!("peak of {span}, ")
            } else {
                String::new()
            },
            fmt_rate(buffer),
            fmt_rate(rpi),
        );
        let recommend = |desired: u32, reason: String| Recommendation {
            desired,
            raw_desired: needed,
            // The forecast is the pool's rate; the per-instance rate it is divided by is in
            // another unit, so it stays in the reason, not in `target`.
            metric_value: Some(forecast),
            target: None,
            reason,
        };
        if c.mode == PredictiveMode::ForecastOnly {
            return recommend(
                current,
                format!("forecast only: {what}; capacity stays {current}"),
            );
        }

        // AWS IncreaseMaxCapacity: room up to the forecast capacity plus the buffer, kept
        // once raised. "Close to or exceeds the maximum" is read as: the forecast plus its
        // buffer would not fit under the current maximum.
        let mut max = obs.max.max(self.raised_max);
        let mut raised = String::new();
        if let Some(pct) = c.max_capacity_buffer_pct {
            let room = u64::from(needed) + (u64::from(needed) * u64::from(pct)).div_ceil(100);
            let room = u32::try_from(room).unwrap_or(u32::MAX);
            if room > max {
                max = room;
                self.raised_max = room;
                raised = format!("; max raised to {room} (forecast + {pct}%)");
            }
        }
        let min = obs.min;
        let max = max.max(min);
        let bounded = needed.clamp(min, max);
        self.hour_need = Some(bounded);
        let bound = if needed > max {
            format!(" (at max {max})")
        } else if needed < min {
            format!(" (at min {min})")
        } else {
            String::new()
        };

        let (desired, why) = if bounded > current {
            (bounded, format!("{current} -> {bounded}{bound}"))
        } else if bounded == current {
            (current, format!("holds {current}{bound}"))
        } else if !c.scale_in_to_forecast {
            (
                current,
                format!("holds {current} (predictive scaling does not scale in)"),
            )
        } else {
            // Trust the forecast to remove capacity only if it matched what just happened.
            let measured = self
                .history
                .slot_forecast(SeasonalHistory::slot_of_window(window_end));
            match (arrivals, measured) {
                (Some(a), Some(f)) if a <= f * (1.0 + ABOVE_FORECAST_TOLERANCE) => {
                    (bounded, format!("{current} -> {bounded}{bound}"))
                }
                (Some(a), Some(f)) => (
                    current,
                    format!(
                        "holds {current} (arrivals {} req/s > forecast {} req/s for the same \
                         time: no scale-in)",
                        fmt_rate(a),
                        fmt_rate(f)
                    ),
                ),
                _ => (
                    current,
                    format!("holds {current} (no measured arrivals to confirm: no scale-in)"),
                ),
            }
        };
        // Only a pool whose bounds moved under it holds outside them; bring it back inside.
        let desired = desired.clamp(min, max);
        recommend(desired, format!("{what}: {why}{raised}"))
    }
}

/// `"6 h"`, `"23.9 h"`, `"35 min"`.
fn fmt_duration(secs: f64) -> String {
    if secs < HOUR_SECS {
        format!("{:.0} min", secs / 60.0)
    } else {
        let h = format!("{:.1}", secs / HOUR_SECS);
        format!("{} h", h.trim_end_matches(".0"))
    }
}

/// A rate or a count of seconds as a person reads it: `"812"`, `"7.5"`.
fn fmt_rate(x: f64) -> String {
    if x.abs() >= 10.0 || x == x.round() {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

impl PolicyConfig for PredictiveConfig {
    /// 24 requests per second per instance (about 60 % of an m5.large on the Monday
    /// spike's requests), the defaults for the rest.
    fn example(_pool: &PoolContext<'_>) -> Self {
        PredictiveConfig::new(24.0)
    }

    fn validate(&self, _pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        PredictiveConfig::validate(self)
    }

    fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
        Ok(Box::new(Predictive::new(self.clone())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: f64 = 86_400.0;
    const H: f64 = 3600.0;
    const MIN: f64 = 60.0;

    /// A weekday: 100 req/s at night, up linearly from 07:00 to 1000 req/s at 09:00, flat
    /// until 10:00, down to 100 by 12:00.
    fn weekday(day_secs: f64) -> f64 {
        let t = day_secs / H;
        if !(7.0..12.0).contains(&t) {
            100.0
        } else if t < 9.0 {
            100.0 + 900.0 * (t - 7.0) / 2.0
        } else if t < 10.0 {
            1000.0
        } else {
            1000.0 - 900.0 * (t - 10.0) / 2.0
        }
    }

    /// `weekday` every day.
    fn daily_curve(clock: f64) -> f64 {
        weekday(clock.rem_euclid(DAY))
    }

    /// `weekday` Monday to Friday, a flat 100 req/s at the weekend.
    fn weekly_curve(clock: f64) -> f64 {
        if clock.rem_euclid(WEEK_SECS) >= 5.0 * DAY {
            100.0
        } else {
            weekday(clock.rem_euclid(DAY))
        }
    }

    /// The mean rate over the 300 s window ending at `end` (trapezoids of 1 s: exact for
    /// these curves, whose corners fall on whole seconds).
    fn window_mean(curve: &dyn Fn(f64) -> f64, end: f64) -> f64 {
        let start = end - WINDOW_SECS;
        let mut sum = 0.0;
        for i in 0..WINDOW_SECS as usize {
            let t = start + i as f64;
            sum += (curve(t) + curve(t + 1.0)) / 2.0;
        }
        sum / WINDOW_SECS
    }

    /// A pool and its monitoring, applying every recommendation as the world will.
    struct World {
        policy: Predictive,
        /// Clock seconds since Monday 00:00 at the start of the run.
        start: f64,
        current: u32,
        min: u32,
        max: u32,
        boot_secs: f64,
    }

    impl World {
        fn new(config: PredictiveConfig, current: u32, min: u32, max: u32) -> World {
            World {
                policy: Predictive::new(config).unwrap(),
                start: 0.0,
                current,
                min,
                max,
                boot_secs: 90.0,
            }
        }

        fn obs(&self, t: f64, arrivals: Option<f64>) -> Observation {
            Observation {
                now_secs: t,
                week_secs: (self.start + t).rem_euclid(WEEK_SECS),
                current: self.current,
                min: self.min,
                max: self.max,
                instances: vec![],
                latency_p95_secs: None,
                arrivals_per_sec: arrivals,
                boot_secs: self.boot_secs,
            }
        }

        /// One evaluation at run time `t`, arrivals measured from `curve` over the window
        /// [t - 360, t - 60], the recommendation applied.
        fn step(&mut self, t: f64, curve: &dyn Fn(f64) -> f64) -> Recommendation {
            let arrivals = window_mean(curve, self.start + t - LAG_SECS);
            self.step_with(t, Some(arrivals))
        }

        fn step_with(&mut self, t: f64, arrivals: Option<f64>) -> Recommendation {
            let obs = self.obs(t, arrivals);
            let rec = self.policy.evaluate(&obs);
            if rec.desired != self.current {
                self.policy.applied(t, self.current, rec.desired);
                self.current = rec.desired;
            }
            rec
        }

        /// Evaluations every `period` from `from` to `to` inclusive, with their times.
        fn run(
            &mut self,
            from: f64,
            to: f64,
            period: f64,
            curve: &dyn Fn(f64) -> f64,
        ) -> Vec<(f64, Recommendation)> {
            let mut out = Vec::new();
            let mut t = from;
            while t <= to {
                out.push((t, self.step(t, curve)));
                t += period;
            }
            out
        }
    }

    /// The windows' means are sums of 300 rounded terms: equal to the worked value to 1e-6.
    fn assert_near(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
    }

    fn at(log: &[(f64, Recommendation)], t: f64) -> &Recommendation {
        &log.iter().find(|(u, _)| *u == t).unwrap().1
    }

    #[test]
    fn config_parses_with_defaults_and_rejects_bad_values() {
        let opts = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let c: PredictiveConfig = opts.from_str("(requests_per_instance: 50)").unwrap();
        assert_eq!(c, PredictiveConfig::new(50.0));
        // The documented defaults: scale, 24 h, boot-time buffer, hard max, 300 s, hourly.
        assert_eq!(c.mode, PredictiveMode::ForecastAndScale);
        assert_eq!(c.history_min_secs, 86_400.0);
        assert_eq!(c.scheduling_buffer_secs, None);
        assert_eq!(c.max_capacity_buffer_pct, None);
        assert_eq!(c.evaluate_every_secs, 300.0);
        assert!(c.hourly && !c.scale_in_to_forecast);

        let c: PredictiveConfig = opts
            .from_str(
                "(requests_per_instance: 50, mode: ForecastOnly, scheduling_buffer_secs: 300, \
                 max_capacity_buffer_pct: 10, hourly: false)",
            )
            .unwrap();
        assert_eq!(c.scheduling_buffer_secs, Some(300.0));
        assert_eq!(c.max_capacity_buffer_pct, Some(10));

        for bad in [
            "(requests_per_instance: 0)",
            "(requests_per_instance: 50, scheduling_buffer_secs: 4000)",
            "(requests_per_instance: 50, max_capacity_buffer_pct: 101)",
            "(requests_per_instance: 50, evaluate_every_secs: 0)",
            "(requests_per_instance: 50, evaluate_every_secs: 7200)",
            "(requests_per_instance: 50, history_min_secs: -1)",
            "(requests_per_instance: 50, target: 0.6)",
        ] {
            let rejected = match opts.from_str::<PredictiveConfig>(bad) {
                Err(_) => true,
                Ok(c) => c.validate().is_err(),
            };
            assert!(rejected, "{bad}");
        }
    }

    #[test]
    fn window_and_period() {
        let p = Predictive::new(PredictiveConfig::new(50.0)).unwrap();
        assert_eq!(p.period_secs(), 300.0);
        assert_eq!(p.window_secs(), (300.0, 60.0));
        assert_eq!(p.name(), "predictive");
    }

    #[test]
    fn no_forecast_before_history_min_secs() {
        let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
        // Evaluations every 300 s from t = 300 (Mon 00:05): the first window is [-60, 240]
        // and the latest ends at t - 60, so they cover t seconds: 23.92 h at t = 86100.
        let log = w.run(300.0, 86_100.0, 300.0, &daily_curve);
        for (_, rec) in &log {
            assert_eq!(rec.desired, 2);
            assert!(rec.reason.starts_with("learning: "), "{}", rec.reason);
        }
        // 6 h in: 21600 s of history of 86400.
        assert_eq!(at(&log, 6.0 * H).reason, "learning: 6 h of 24 h history");
        // 86100 s = 23.92 h -> "23.9 h".
        assert_eq!(
            at(&log, 86_100.0).reason,
            "learning: 23.9 h of 24 h history"
        );
        assert_eq!(w.policy.forecast_per_sec(DAY + 9.0 * H), None);
        // At t = 86400 the windows cover exactly 24 h: the forecast exists.
        w.step(DAY, &daily_curve);
        assert!(w.policy.forecast_per_sec(DAY + 9.0 * H).is_some());
    }

    #[test]
    fn one_day_of_history_forecasts_tomorrow_and_scales_ahead() {
        let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
        // Monday learning, Tuesday until 10:00.
        let log = w.run(300.0, DAY + 10.0 * H, 300.0, &daily_curve);

        // Tue 09:00's slot was filed on Monday from the window [08:59, 09:04] (evaluated
        // at 09:05, 60 s lag): 60 s of ramp averaging (992.5 + 1000) / 2 = 996.25 and 240 s
        // at 1000 -> (996.25 * 60 + 1000 * 240) / 300 = 999.25 req/s, 0.075 % from 1000.
        let f = w.policy.forecast_per_sec(DAY + 9.0 * H).unwrap();
        assert!((f - 1000.0).abs() / 1000.0 < 0.03, "{f}");
        assert_near(f, 999.25);

        // Hourly steps with a 300 s period and a 90 s boot buffer come at hh:55 (hh:55 +
        // 300 + 90 passes the hour). Tue 06:55, for 07:00-08:00: the busiest slot is 07:55,
        // its window [07:54, 07:59] all on the ramp, mean = the ramp at 07:56:30 =
        // 100 + 900 * 56.5/120 = 523.75 -> ceil(523.75 / 50) = ceil(10.475) = 11.
        let r = at(&log, DAY + 6.0 * H + 55.0 * MIN);
        assert_eq!((r.desired, r.raw_desired), (11, 11));
        assert_near(r.metric_value.unwrap(), 523.75);
        // 50 req/s per instance is in the reason, not in `target` (another unit).
        assert_eq!(r.target, None);
        // Tue 07:55, for 08:00-09:00: slot 08:55, the ramp at 08:56:30 =
        // 100 + 900 * 116.5/120 = 973.75 -> ceil(19.475) = 20.
        let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
        assert_eq!(r.desired, 20);
        assert_eq!(
            r.reason,
            "forecast 974 req/s at Tue 08:55 (peak of Tue 08:00-09:00, +90 s boot) needs 20 \
             at 50 req/s each: 11 -> 20"
        );
        // Tue 08:55, for 09:00-10:00: peak 1000 (slot 09:05 on) -> 20, already there.
        let r = at(&log, DAY + 8.0 * H + 55.0 * MIN);
        assert_eq!((r.desired, r.metric_value), (20, Some(1000.0)));
        assert!(r.reason.ends_with("holds 20"), "{}", r.reason);

        // The 20 instances needed at 09:00 (1000 / 50) were asked for at least the boot
        // time before 09:00 (here at 07:55, 65 min before).
        let first = log
            .iter()
            .find(|(t, r)| *t >= DAY && r.desired >= 20)
            .unwrap()
            .0;
        assert!(first <= DAY + 9.0 * H - w.boot_secs, "{first}");
        // After the first step (Tue 00:00, as soon as 24 h were known), the steps come at
        // hh:55 only.
        for (t, r) in log.iter().filter(|(t, _)| *t > DAY) {
            if !r.reason.contains("forecast") {
                assert!(r.reason.starts_with("learning") || r.reason.contains("next hourly"));
            } else {
                assert_eq!(t.rem_euclid(H), 55.0 * MIN, "{t}: {}", r.reason);
            }
        }
        // Between steps the policy says when the next one is.
        assert_eq!(
            at(&log, DAY + 9.0 * H).reason,
            "holds 20: next hourly step for Tue 10:00 (launch by Tue 09:58:30)"
        );
    }

    #[test]
    fn every_evaluation_mode_steps_with_the_ramp() {
        let mut c = PredictiveConfig::new(50.0);
        c.hourly = false;
        let mut w = World::new(c, 2, 2, 40);
        let log = w.run(300.0, DAY + 9.0 * H, 300.0, &daily_curve);
        // At a, capacity covers [a + 90, a + 390), slots by the rate at their start + 90 s.
        // Tue 08:40: slots 08:40 (ramp at 08:41:30 = 861.25), 08:45 (898.75) -> ceil(17.975)
        // = 18. 08:45: slots 08:45, 08:50 (936.25) -> 19. 08:50: 08:50, 08:55 (973.75) -> 20.
        assert_eq!(at(&log, DAY + 8.0 * H + 40.0 * MIN).desired, 18);
        assert_eq!(at(&log, DAY + 8.0 * H + 45.0 * MIN).desired, 19);
        assert_eq!(at(&log, DAY + 8.0 * H + 50.0 * MIN).desired, 20);
    }

    #[test]
    fn a_week_of_history_forecasts_monday_from_last_monday() {
        let mut c = PredictiveConfig::new(50.0);
        c.scale_in_to_forecast = true;
        let mut w = World::new(c, 2, 2, 40);
        let week = WEEK_SECS;
        let log = w.run(300.0, week + 7.0 * H, 300.0, &weekly_curve);

        // Mon 09:00 has been seen once, last Monday: 999.25 (as in the one-day test).
        assert_near(w.policy.forecast_per_sec(9.0 * H).unwrap(), 999.25);
        // Sunday 09:00 was quiet: 100.
        assert_near(
            w.policy.forecast_per_sec(6.0 * DAY + 9.0 * H).unwrap(),
            100.0,
        );
        // The time-of-day mean it did not use: the seven visits weigh Sun 1/2, Sat 1/4,
        // Fri 1/8, Thu 1/16, Wed 1/32, Tue 1/64, Mon 1/64, so the weekdays 1/4 in all:
        // 0.75 * 100 + 0.25 * 999.25 = 324.8125.
        assert_near(w.policy.history.daily[9 * 12].get().unwrap(), 324.8125);

        // Mon 06:55, the step for 07:00-08:00: last Monday's 07:55 slot, 523.75 -> 11 (from
        // Sunday it would be 100 -> 2; from the daily mean 205.9 -> 5).
        let r = at(&log, week + 6.0 * H + 55.0 * MIN);
        assert_near(r.metric_value.unwrap(), 523.75);
        assert_eq!((r.raw_desired, r.desired), (11, 11));
        assert!(r.reason.ends_with("2 -> 11"), "{}", r.reason);
    }

    #[test]
    fn no_scale_in_when_arrivals_exceed_the_forecast() {
        // Monday learns the weekday; on Tuesday the load stays at 1000 after 10:00.
        let long_day = |clock: f64| {
            if clock >= DAY + 10.0 * H {
                1000.0
            } else {
                daily_curve(clock)
            }
        };
        let mut c = PredictiveConfig::new(50.0);
        c.scale_in_to_forecast = true;
        let mut w = World::new(c.clone(), 2, 2, 40);
        let log = w.run(300.0, DAY + 13.0 * H, 300.0, &long_day);
        // Tue 10:55, for 11:00-12:00: peak slot 11:00, the ramp down at 11:01:30 =
        // 1000 - 900 * 61.5/120 = 538.75 -> 11 < 20. The window just measured,
        // [10:49, 10:54], holds 1000 req/s; Monday's forecast for that slot was the ramp at
        // 10:51:30, 1000 - 900 * 51.5/120 = 613.75, and 1000 > 613.75 * 1.1: hold 20.
        let r = at(&log, DAY + 10.0 * H + 55.0 * MIN);
        assert_eq!((r.raw_desired, r.desired), (11, 20));
        assert!(
            r.reason.ends_with(
                "holds 20 (arrivals 1000 req/s > forecast 614 req/s for the same time: no scale-in)"
            ),
            "{}",
            r.reason
        );
        // Still holding at 12:55 (forecast 100 -> 2, arrivals 1000).
        assert_eq!(at(&log, DAY + 12.0 * H + 55.0 * MIN).desired, 20);

        // The same Tuesday as Monday: measured 613.75 = forecast, so it scales in to 11,
        // then at 11:55 (slot 12:00 window [11:59, 12:04]: (103.75 * 60 + 100 * 240) / 300
        // = 100.75 -> 3) to 3.
        let mut w = World::new(c, 2, 2, 40);
        let log = w.run(300.0, DAY + 12.0 * H, 300.0, &daily_curve);
        assert_eq!(at(&log, DAY + 10.0 * H + 55.0 * MIN).desired, 11);
        assert_eq!(at(&log, DAY + 11.0 * H + 55.0 * MIN).desired, 3);

        // AWS's default never scales in, whatever the arrivals.
        let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
        let log = w.run(300.0, DAY + 13.0 * H, 300.0, &daily_curve);
        let r = at(&log, DAY + 10.0 * H + 55.0 * MIN);
        assert_eq!((r.raw_desired, r.desired), (11, 20));
        assert!(
            r.reason
                .ends_with("holds 20 (predictive scaling does not scale in)")
        );
        assert_eq!(w.current, 20);
    }

    #[test]
    fn min_and_max_are_respected() {
        let mut w = World::new(PredictiveConfig::new(50.0), 5, 5, 10);
        let log = w.run(300.0, DAY + 8.0 * H, 300.0, &daily_curve);
        // Tue 05:55, for 06:00-07:00: 100 req/s -> 2, below min 5: 5.
        let r = at(&log, DAY + 5.0 * H + 55.0 * MIN);
        assert_eq!((r.raw_desired, r.desired), (2, 5));
        assert!(r.reason.ends_with("holds 5 (at min 5)"), "{}", r.reason);
        // Tue 07:55: 973.75 -> 20, above max 10: 10.
        let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
        assert_eq!((r.raw_desired, r.desired), (20, 10));
        assert!(r.reason.ends_with("(at max 10)"), "{}", r.reason);
        assert!(log.iter().all(|(_, r)| (5..=10).contains(&r.desired)));
        assert_eq!(w.policy.max_capacity(10), 10);
    }

    #[test]
    fn max_capacity_buffer_reproduces_the_aws_example() {
        // AWS: "if the predicted capacity is 50 and the maximum capacity is 40, then the
        // effective maximum capacity is 55" with a 10 % buffer. 1000 req/s at 20 each = 50.
        let flat = |_: f64| 1000.0;
        for (pct, max_after, desired) in [(Some(10), 55, 50), (Some(0), 50, 50), (None, 40, 40)] {
            let mut c = PredictiveConfig::new(20.0);
            c.max_capacity_buffer_pct = pct;
            let mut w = World::new(c, 10, 2, 40);
            let log = w.run(300.0, DAY + H, 300.0, &flat);
            // The first step, Tue 00:00 (24 h known): 50 + ceil(50 * 10 / 100) = 55; with
            // 0 %, 50; without a buffer the max stays 40 and so does the pool.
            let r = at(&log, DAY);
            assert_eq!((r.raw_desired, w.current), (50, desired), "{pct:?}");
            assert_eq!(w.policy.max_capacity(40), max_after, "{pct:?}");
        }
    }

    #[test]
    fn forecast_only_never_changes_capacity() {
        let mut c = PredictiveConfig::new(50.0);
        c.mode = PredictiveMode::ForecastOnly;
        let mut w = World::new(c, 4, 2, 40);
        let log = w.run(300.0, 2.0 * DAY, 300.0, &daily_curve);
        assert!(log.iter().all(|(_, r)| r.desired == 4));
        // It still reports the forecast: Tue 07:55, 973.75 -> would need 20.
        let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
        assert_eq!(r.raw_desired, 20);
        assert_near(r.metric_value.unwrap(), 973.75);
        assert!(r.reason.starts_with("forecast only: forecast 974 req/s"));
        assert!(
            r.reason
                .ends_with("needs 20 at 50 req/s each; capacity stays 4")
        );
    }

    #[test]
    fn history_is_bounded_whatever_the_run_length() {
        let mut c = PredictiveConfig::new(50.0);
        c.evaluate_every_secs = 60.0;
        let mut w = World::new(c, 2, 2, 40);
        let before = (w.policy.history.weekly.len(), w.policy.history.daily.len());
        // Ten weeks of one-minute evaluations: 100800 samples.
        let ten_weeks = 10.0 * WEEK_SECS;
        let mut t = 60.0;
        while t <= ten_weeks {
            w.step_with(t, Some(daily_curve(t)));
            t += 60.0;
        }
        // 2016 time-of-week and 288 time-of-day entries, before and after.
        assert_eq!(before, (2016, 288));
        let h = &w.policy.history;
        assert_eq!((h.weekly.len(), h.daily.len()), (2016, 288));
        // Each time-of-week slot was visited once a week (the last week's final slot is
        // still open): 10 visits; each time-of-day slot 70 times.
        assert_eq!(h.weekly[9 * 12].visits, 10);
        assert_eq!(h.daily[9 * 12].visits, 70);
    }

    #[test]
    fn runs_starting_mid_week_keep_their_clock() {
        // Start Sunday 18:00: the first week wraps past Monday 00:00 and slots stay put.
        let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
        w.start = 6.0 * DAY + 18.0 * H;
        let log = w.run(300.0, DAY + 15.0 * H, 300.0, &daily_curve);
        // Run time DAY + 13:55 is Tue 07:55 (Sun 18:00 + 1 d 13:55), the step for
        // 08:00-09:00: Tuesday never seen, so Monday's (next week's) slots by time of day:
        // 973.75 at 08:55 -> 20.
        let r = at(&log, DAY + 13.0 * H + 55.0 * MIN);
        assert_eq!(r.desired, 20);
        assert!(r.reason.contains("at Tue 08:55"), "{}", r.reason);
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_duration(35.0 * MIN), "35 min");
        assert_eq!(fmt_duration(6.0 * H), "6 h");
        assert_eq!(fmt_rate(812.4), "812");
        assert_eq!(fmt_rate(7.5), "7.5");
        assert_eq!(fmt_rate(90.0), "90");
    }
}
