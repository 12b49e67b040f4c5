//! Replaying a recorded trace (the reading and the shapes are in `workload/trace.rs`).

use serde::{Deserialize, Serialize};

use super::super::trace::{ReplayOptions, TraceShape};
use super::{CurveContext, CurveError, Knot, Shape, invalid};

/// Replays a recorded trace: a CSV with a header row, `time_secs` (seconds from the
/// trace's start, >= 0, increasing) and either `rate_per_sec` (requests per second at
/// that instant) or `count` (requests in the bucket from that row to the next). Lines
/// starting with `#` are comments. Trace second `T` plays at run second
/// `offset_secs + (T - from_secs)`; before `offset_secs` the rate at `from_secs` is held,
/// and after `to_secs` or the trace's last row the last rate is held (a run that outlasts
/// the trace gets a warning giving both lengths). Only the rows the run needs are read,
/// so a long trace costs what the replayed part costs. See `docs/traces.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// The CSV file, relative to the scenario file.
    pub file: String,
    /// Multiplies every rate (1 = as recorded; 0.5 = half the traffic).
    #[serde(default = "default_scale")]
    pub scale: f64,
    /// The first trace second to replay (default 0, the trace's start).
    #[serde(default)]
    pub from_secs: f64,
    /// The trace second at which the replay stops and its last rate is held
    /// (default: the trace's end).
    #[serde(default)]
    pub to_secs: Option<f64>,
    /// The run second at which trace second `from_secs` plays (default 0, the start).
    #[serde(default)]
    pub offset_secs: f64,
    /// `Steps` (flat between rows) or `Smooth` (straight lines between rows). Default:
    /// `Steps` for a `count` column (a count is a total over its bucket, and steps keep
    /// every bucket's count exactly), `Smooth` for `rate_per_sec` (samples of a rate that
    /// moves continuously).
    #[serde(default)]
    pub shape: Option<TraceShape>,
}

/// Traces replay as recorded unless scaled.
pub fn default_scale() -> f64 {
    1.0
}

impl Trace {
    /// A plain replay of `file`: the whole trace, as recorded, from the run's start.
    pub fn of(file: &str) -> Trace {
        Trace {
            file: file.to_string(),
            scale: default_scale(),
            from_secs: 0.0,
            to_secs: None,
            offset_secs: 0.0,
            shape: None,
        }
    }
}

impl Shape for Trace {
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError> {
        for (name, v) in [
            ("scale", self.scale),
            ("from_secs", self.from_secs),
            ("offset_secs", self.offset_secs),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(
                    "Trace",
                    format!("{name} must be a finite number >= 0, got {v}"),
                ));
            }
        }
        if let Some(to) = self.to_secs
            && !(to.is_finite() && to > self.from_secs)
        {
            return Err(invalid(
                "Trace",
                format!(
                    "to_secs must be a finite number greater than from_secs ({}), got {to}",
                    self.from_secs
                ),
            ));
        }
        let opts = ReplayOptions {
            scale: self.scale,
            from_secs: self.from_secs,
            to_secs: self.to_secs,
            offset_secs: self.offset_secs,
            shape: self.shape,
        };
        let end = ctx.duration_secs;
        let rows = (ctx.load_trace)(&self.file, opts.span(end))?;
        let replay = super::super::trace::replay(&self.file, &rows, &opts, end)?;
        ctx.warnings.borrow_mut().extend(replay.warnings);
        Ok(replay.knots)
    }

    fn trace_files_mut(&mut self) -> Vec<&mut String> {
        vec![&mut self.file]
    }
}
