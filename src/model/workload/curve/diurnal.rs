//! A day shaped like a cosine.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, peak_time_of_day, rate, sample};
use crate::model::clock::SECS_PER_DAY;
use crate::model::timepoint::TimePoint;

/// A day shaped like a cosine: lowest 12 h away from `peak_at`, repeating daily:
/// `Diurnal(trough_per_sec: 20, peak_per_sec: 200, peak_at: "14:00")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diurnal {
    /// The lowest rate (12 h from the peak).
    pub trough_per_sec: f64,
    /// The highest rate.
    pub peak_per_sec: f64,
    /// Time of day of the peak, e.g. `"14:00"`.
    pub peak_at: TimePoint,
}

impl Shape for Diurnal {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let (lo, hi) = (
            rate("Diurnal", self.trough_per_sec)?,
            rate("Diurnal", self.peak_per_sec)?,
        );
        let peak_day_secs = peak_time_of_day(&self.peak_at);
        Ok(sample(ctx.clock, ctx.duration_secs, |_, w| {
            let day = w.rem_euclid(SECS_PER_DAY as f64);
            let phase = std::f64::consts::TAU * (day - peak_day_secs) / SECS_PER_DAY as f64;
            lo + (hi - lo) * (1.0 + phase.cos()) / 2.0
        }))
    }
}
