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

mod forecast;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::spec::{PolicyConfig, PoolContext};
use super::{Autoscaler, Observation, Recommendation};
use crate::model::clock::{SECS_PER_DAY, SECS_PER_WEEK, day_label_short, week_label_short};
use crate::model::config::{self, ConfigError};
use forecast::SeasonalHistory;

/// Width of one history slot, seconds (the 5-minute granularity of CloudWatch basic
/// monitoring, and the metric window).
const SLOT_SECS: f64 = 300.0;
const WEEK_SECS: f64 = SECS_PER_WEEK as f64;
const HOUR_SECS: f64 = 3600.0;
/// The metric window the policy asks for, seconds.
const WINDOW_SECS: f64 = 300.0;
/// How late the monitoring system delivers the window, seconds.
const LAG_SECS: f64 = 60.0;
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
