//! Straight lines through given points.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, invalid, knot, rate};
use crate::model::timepoint::TimePoint;

/// Straight lines through `(at, per_sec)` points; flat before the first and after the
/// last: `Points([("08:00", 10), ("09:00", 120), ("10:00", 80)])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Points(pub Vec<(TimePoint, f64)>);

impl Shape for Points {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        if self.0.is_empty() {
            return Err(invalid(
                "Points",
                "needs at least one (at, per_sec) point".into(),
            ));
        }
        let mut pts: Vec<Knot> = self
            .0
            .iter()
            .map(|(at, r)| Ok(knot(ctx.clock.resolve(at.at()), rate("Points", *r)?)))
            .collect::<Result<_, CurveError>>()?;
        pts.sort_by(|a, b| a.t_secs.total_cmp(&b.t_secs));
        let first = pts[0].per_sec;
        let last = pts[pts.len() - 1];
        let mut knots = vec![knot(0.0, first)];
        knots.extend(pts.iter().copied());
        knots.push(knot(ctx.duration_secs.max(last.t_secs), last.per_sec));
        Ok(knots)
    }
}
