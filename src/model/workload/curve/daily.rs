//! A day given hour by hour.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, invalid, rate, sample};
use crate::model::clock::SECS_PER_DAY;

/// A day given hour by hour (24 rates, at 00:00, 01:00, ... 23:00), joined by straight
/// lines and repeating daily: `Daily(hourly_per_sec: [5, 4, ..., 8])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Daily {
    /// Rates at each hour of the day.
    pub hourly_per_sec: Vec<f64>,
}

impl Shape for Daily {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let hourly = &self.hourly_per_sec;
        if hourly.len() != 24 {
            return Err(invalid(
                "Daily",
                format!(
                    "hourly_per_sec needs 24 values (00:00 to 23:00), got {}",
                    hourly.len()
                ),
            ));
        }
        for r in hourly {
            rate("Daily", *r)?;
        }
        Ok(sample(ctx.clock, ctx.duration_secs, |_, w| {
            daily_at(hourly, w)
        }))
    }
}

/// Linear interpolation of 24 hourly values at week-clock `w`, wrapping at midnight.
fn daily_at(hourly: &[f64], w: f64) -> f64 {
    let h = w.rem_euclid(SECS_PER_DAY as f64) / 3600.0;
    let i = (h.floor() as usize).min(23);
    let frac = h - i as f64;
    let next = hourly[(i + 1) % 24];
    hourly[i] + (next - hourly[i]) * frac
}
