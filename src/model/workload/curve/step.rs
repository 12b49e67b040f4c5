//! Jumps to new rates at given times.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, knot, rate};
use crate::model::timepoint::TimePoint;

/// Jumps to a new rate at given times and holds it until the next step:
/// `Step(initial_per_sec: 10, steps: [("mon 09:00", 50)])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The rate before the first step.
    pub initial_per_sec: f64,
    /// `(at, per_sec)` pairs; order does not matter.
    pub steps: Vec<(TimePoint, f64)>,
}

impl Shape for Step {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let mut steps: Vec<(f64, f64)> = self
            .steps
            .iter()
            .map(|(at, r)| Ok((ctx.clock.resolve(at.at()), rate("Step", *r)?)))
            .collect::<Result<_, CurveError>>()?;
        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut current = rate("Step", self.initial_per_sec)?;
        let mut knots = vec![knot(0.0, current)];
        for (t, r) in steps {
            knots.push(knot(t, current));
            knots.push(knot(t, r));
            current = r;
        }
        let last_t = knots[knots.len() - 1].t_secs;
        knots.push(knot(ctx.duration_secs.max(last_t), current));
        Ok(knots)
    }
}
