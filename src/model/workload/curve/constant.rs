//! The same rate all the time.

use serde::{Deserialize, Serialize};

use super::{CurveContext, CurveError, Knot, Shape, knot, rate};

/// The same rate all the time: `Constant(per_sec: 50)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    /// Requests per second.
    pub per_sec: f64,
}

impl Shape for Constant {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let r = rate("Constant", self.per_sec)?;
        Ok(vec![knot(0.0, r), knot(ctx.duration_secs, r)])
    }
}
