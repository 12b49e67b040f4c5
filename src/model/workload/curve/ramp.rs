//! A straight line from one rate to another.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, invalid, knot, rate};
use crate::model::timepoint::TimePoint;

/// A straight line from one rate to another:
/// `Ramp(from_per_sec: 10, to_per_sec: 100, start: "08:00", ramp_secs: 3600)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    /// The rate before the ramp.
    pub from_per_sec: f64,
    /// The rate after the ramp.
    pub to_per_sec: f64,
    /// When the ramp begins.
    pub start: TimePoint,
    /// How long it takes.
    pub ramp_secs: f64,
}

impl Shape for Ramp {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let ramp_secs = self.ramp_secs;
        if !(ramp_secs.is_finite() && ramp_secs > 0.0) {
            return Err(invalid(
                "Ramp",
                format!("ramp_secs must be > 0, got {ramp_secs}"),
            ));
        }
        let t0 = ctx.clock.resolve(self.start.at());
        let (from, to) = (
            rate("Ramp", self.from_per_sec)?,
            rate("Ramp", self.to_per_sec)?,
        );
        Ok(vec![
            knot(0.0, from),
            knot(t0, from),
            knot(t0 + ramp_secs, to),
            knot(ctx.duration_secs.max(t0 + ramp_secs), to),
        ])
    }
}
