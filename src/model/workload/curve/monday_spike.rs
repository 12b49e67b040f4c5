//! The Monday-morning spike.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, invalid, peak_time_of_day, rate, sample};
use crate::model::clock::SECS_PER_DAY;
use crate::model::timepoint::TimePoint;

/// The Monday-morning spike: a quiet weekend and night, a steep ramp to `peak_per_sec`
/// at `peak_at` on weekday mornings, a lunch dip and an afternoon plateau, then evening.
/// Monday's peak is the highest; Tuesday to Friday peak at `weekday_peak_factor` of it:
/// `MondaySpike(night_per_sec: 40, peak_per_sec: 900, peak_at: "mon 09:00", ramp_secs: 2700)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MondaySpike {
    /// Rate at night and at weekends.
    pub night_per_sec: f64,
    /// Monday's peak rate.
    pub peak_per_sec: f64,
    /// Time of the peak, e.g. `"mon 09:00"` or `"09:00"` (only the time of day is used).
    pub peak_at: TimePoint,
    /// How long the ramp from night to peak lasts.
    pub ramp_secs: f64,
    /// The afternoon plateau as a fraction of the day's peak.
    #[serde(default = "default_plateau")]
    pub plateau_factor: f64,
    /// The bottom of the lunch dip (around 12:45) as a fraction of the day's peak.
    #[serde(default = "default_lunch")]
    pub lunch_factor: f64,
    /// Tuesday to Friday's peak as a fraction of Monday's.
    #[serde(default = "default_weekday_peak")]
    pub weekday_peak_factor: f64,
}

/// The afternoon plateau's default, a fraction of the day's peak.
pub fn default_plateau() -> f64 {
    0.8
}
/// The lunch dip's default, a fraction of the day's peak.
pub fn default_lunch() -> f64 {
    0.65
}
/// Tuesday to Friday's default peak, a fraction of Monday's.
pub fn default_weekday_peak() -> f64 {
    0.8
}

impl Shape for MondaySpike {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let night = rate("MondaySpike", self.night_per_sec)?;
        let peak = rate("MondaySpike", self.peak_per_sec)?;
        for (name, f) in [
            ("plateau_factor", self.plateau_factor),
            ("lunch_factor", self.lunch_factor),
            ("weekday_peak_factor", self.weekday_peak_factor),
        ] {
            if !(f.is_finite() && f >= 0.0) {
                return Err(invalid(
                    "MondaySpike",
                    format!("{name} must be a number >= 0, got {f}"),
                ));
            }
        }
        let peak_tod = peak_time_of_day(&self.peak_at);
        let ramp_secs = self.ramp_secs;
        if !(ramp_secs.is_finite() && ramp_secs > 0.0 && ramp_secs < peak_tod) {
            return Err(invalid(
                "MondaySpike",
                format!(
                    "ramp_secs must be > 0 and start after midnight (peak at {peak_tod:.0} s \
                     of the day), got {ramp_secs}"
                ),
            ));
        }
        let day_shape =
            spike_day_knots(peak_tod, ramp_secs, self.plateau_factor, self.lunch_factor);
        let weekday_peak = peak * self.weekday_peak_factor;
        Ok(sample(ctx.clock, ctx.duration_secs, |_, w| {
            let day = (w / SECS_PER_DAY as f64) as u64;
            let tod = w - (day * SECS_PER_DAY) as f64;
            let day_peak = match day {
                0 => peak,
                1..=4 => weekday_peak,
                _ => return night,
            };
            cosine_interpolate(&day_shape, tod, night, day_peak)
        }))
    }
}

/// The weekday shape of the Monday spike: `(time of day, level)` corners, where a level
/// is a fraction of the way from the night rate to the day's peak.
fn spike_day_knots(peak_tod: f64, ramp_secs: f64, plateau: f64, lunch: f64) -> Vec<(f64, f64)> {
    let hour = 3600.0;
    let wanted = [
        (0.0, 0.0),
        (peak_tod - ramp_secs, 0.0),
        (peak_tod, 1.0),
        (peak_tod + 0.75 * hour, plateau),
        (12.0 * hour, plateau),
        (12.75 * hour, lunch),
        (13.5 * hour, plateau),
        (17.0 * hour, plateau),
        (20.0 * hour, 0.25),
        (23.0 * hour, 0.0),
        (SECS_PER_DAY as f64, 0.0),
    ];
    // Corners that would go back in time (a late peak swallowing lunch) are dropped.
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(wanted.len());
    for (t, level) in wanted {
        if out.last().is_none_or(|&(prev, _)| t > prev) {
            out.push((t, level));
        }
    }
    out
}

/// Level at `tod` along `corners`, eased with a half cosine between corners so the
/// curve has no kinks, mapped from `[0, 1]` onto `[night, peak]`.
fn cosine_interpolate(corners: &[(f64, f64)], tod: f64, night: f64, peak: f64) -> f64 {
    let i = corners
        .partition_point(|&(t, _)| t <= tod)
        .clamp(1, corners.len() - 1);
    let (t0, l0) = corners[i - 1];
    let (t1, l1) = corners[i];
    let x = ((tod - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let eased = (1.0 - (std::f64::consts::PI * x).cos()) / 2.0;
    let level = l0 + (l1 - l0) * eased;
    night + (peak - night) * level
}
