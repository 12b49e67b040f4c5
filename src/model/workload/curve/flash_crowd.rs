//! A sudden crowd on top of a base curve.

use serde::{Deserialize, Serialize};

use super::{
    CurveContext, CurveError, Knot, RateCurve, SMOOTH_STEP_SECS, Shape, invalid, knot, rate,
};
use crate::model::timepoint::TimePoint;

/// A sudden crowd on top of a base curve: extra load rises linearly over `rise_secs`
/// from `at`, then decays exponentially with time constant `decay_secs`:
/// `FlashCrowd(base: Constant(per_sec: 50), at: "mon 10:00", extra_per_sec: 500,
/// rise_secs: 60, decay_secs: 900)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlashCrowd {
    /// The normal traffic underneath.
    pub base: Box<RateCurve>,
    /// When the crowd starts arriving.
    pub at: TimePoint,
    /// Extra requests per second at the top of the crowd.
    pub extra_per_sec: f64,
    /// Time from the start of the crowd to its top.
    pub rise_secs: f64,
    /// Time constant of the decay after the top.
    pub decay_secs: f64,
}

impl Shape for FlashCrowd {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        let extra = rate("FlashCrowd", self.extra_per_sec)?;
        let (rise_secs, decay_secs) = (self.rise_secs, self.decay_secs);
        if !(rise_secs.is_finite()
            && rise_secs >= 0.0
            && decay_secs.is_finite()
            && decay_secs > 0.0)
        {
            return Err(invalid(
                "FlashCrowd",
                format!(
                    "rise_secs must be >= 0 and decay_secs > 0, got {rise_secs} and {decay_secs}"
                ),
            ));
        }
        let base = self.base.compile(ctx)?;
        let t0 = ctx.clock.resolve(self.at.at());
        let top = t0 + rise_secs;
        let stop = top + 10.0 * decay_secs;
        let bump = |t: f64| {
            if t < t0 {
                0.0
            } else if t < top {
                extra * (t - t0) / rise_secs
            } else {
                extra * (-(t - top) / decay_secs).exp()
            }
        };
        // The crowd is sampled finely enough to follow its rise and decay (at least 40
        // knots on each), and the base keeps its own knots outside.
        let step = (rise_secs.min(decay_secs) / 40.0).clamp(0.5, SMOOTH_STEP_SECS);
        let mut knots: Vec<Knot> = base
            .knots()
            .iter()
            .copied()
            .filter(|k| k.t_secs < t0 || k.t_secs > stop)
            .collect();
        let mut t = t0;
        while t <= stop {
            knots.push(knot(t, base.rate_at(t) + bump(t)));
            t += step;
        }
        knots.push(knot(top, base.rate_at(top) + extra));
        knots.sort_by(|a, b| a.t_secs.total_cmp(&b.t_secs));
        Ok(knots)
    }

    fn trace_files_mut(&mut self) -> Vec<&mut String> {
        self.base.trace_files_mut()
    }
}
