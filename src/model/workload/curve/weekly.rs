//! A daily shape scaled by one factor per weekday.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, RateCurve, Shape, invalid, rate, sample};
use crate::model::clock::SECS_PER_DAY;

/// A daily shape scaled by one factor per weekday (Monday first):
/// `Weekly(daily: Diurnal(...), day_factors: [1, 1, 1, 1, 0.9, 0.4, 0.3])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weekly {
    /// The shape of a day.
    pub daily: Box<RateCurve>,
    /// Seven multipliers, Monday to Sunday.
    pub day_factors: Vec<f64>,
}

impl Shape for Weekly {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let factors = &self.day_factors;
        if factors.len() != 7 {
            return Err(invalid(
                "Weekly",
                format!(
                    "day_factors needs 7 values (Monday to Sunday), got {}",
                    factors.len()
                ),
            ));
        }
        for f in factors {
            rate("Weekly", *f)?;
        }
        let inner = self.daily.compile(ctx)?;
        Ok(sample(ctx.clock, ctx.duration_secs, |t, w| {
            let day = ((w / SECS_PER_DAY as f64) as usize).min(6);
            inner.rate_at(t) * factors[day]
        }))
    }

    fn trace_files_mut(&mut self) -> Vec<&mut String> {
        self.daily.trace_files_mut()
    }
}
