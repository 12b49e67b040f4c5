//! Arrival-rate curves as a scenario describes them, and their compiled form: a
//! piecewise-linear rate in requests per second over seconds since the start.
//!
//! Every curve compiles to knots. Straight shapes (constant, step, ramp, points, traces)
//! compile exactly; smooth shapes (diurnal, daily, weekly, Monday spike, flash crowd) are
//! sampled on a grid aligned with the clock and joined by straight lines. The knots *are*
//! the model: arrivals follow them exactly (see `arrivals.rs`), and plots draw them.

use serde::{Deserialize, Serialize};

use std::cell::RefCell;

use super::trace::{TraceRows, TraceSpan};
use crate::model::clock::{SECS_PER_DAY, WeekClock};
use crate::model::timepoint::TimePoint;

pub mod constant;
pub mod daily;
pub mod diurnal;
pub mod flash_crowd;
pub mod monday_spike;
pub mod points;
pub mod ramp;
pub mod replay;
pub mod step;
pub mod weekly;

/// How smooth shapes are sampled: one knot per this many seconds of clock time.
pub const SMOOTH_STEP_SECS: f64 = 30.0;

/// What every curve file implements: how its shape becomes knots.
pub trait Shape {
    /// The knots of the rate over `[0, ctx.duration_secs]`, in time order (equal times
    /// make a jump). Errors name the curve and what is wrong.
    fn knots(&self, ctx: &CurveContext<'_>) -> Result<Vec<Knot>, CurveError>;

    /// The trace files this curve replays (its own, or those of the curves it wraps), so
    /// the scenario loader can make their paths absolute.
    fn trace_files_mut(&mut self) -> Vec<&mut String> {
        Vec::new()
    }
}

/// Declares [`RateCurve`] from the list of curves: one line per curve, naming its variant
/// (the word a scenario writes) and its file's type.
macro_rules! curves {
    ($( $(#[$doc:meta])* $variant:ident($module:ident::$ty:ident), )+) => {
        /// The arrival rate over time, in requests per second.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub enum RateCurve {
            $( $(#[$doc])* $variant($module::$ty), )+
        }

        impl RateCurve {
            /// Every kind a scenario can name, in the order the editor offers them.
            pub const KINDS: &[&str] = &[$(stringify!($variant),)+];

            /// The kind's name, as a scenario writes it (`"MondaySpike"`).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(RateCurve::$variant(_) => stringify!($variant),)+
                }
            }

            fn shape(&self) -> &dyn Shape {
                match self {
                    $(RateCurve::$variant(c) => c,)+
                }
            }

            /// The trace files this curve replays, to rewrite their paths.
            pub fn trace_files_mut(&mut self) -> Vec<&mut String> {
                match self {
                    $(RateCurve::$variant(c) => c.trace_files_mut(),)+
                }
            }
        }
    };
}

curves! {
    /// The same rate all the time.
    Constant(constant::Constant),
    /// Jumps to a new rate at given times; holds it until the next step.
    Step(step::Step),
    /// A straight line from one rate to another.
    Ramp(ramp::Ramp),
    /// Straight lines through `(at, per_sec)` points; flat before the first and after the last.
    Points(points::Points),
    /// A day shaped like a cosine: lowest 12 h away from `peak_at`, repeating daily.
    Diurnal(diurnal::Diurnal),
    /// A day given hour by hour (24 rates), joined by straight lines, repeating daily.
    Daily(daily::Daily),
    /// A daily shape scaled by one factor per weekday (Monday first).
    Weekly(weekly::Weekly),
    /// The Monday-morning spike: quiet nights and weekends, a steep ramp to the peak on
    /// weekday mornings, a lunch dip and an afternoon plateau.
    MondaySpike(monday_spike::MondaySpike),
    /// A sudden crowd on top of a base curve.
    FlashCrowd(flash_crowd::FlashCrowd),
    /// Replays a recorded trace (a CSV of rates or counts; see `docs/traces.md`).
    Trace(replay::Trace),
}

/// A curve that cannot be compiled, with the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurveError {
    /// A rate is negative, infinite or not a number.
    #[error("rate {value} in {curve} is not a finite number of requests per second >= 0")]
    BadRate {
        /// Which curve.
        curve: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A structural problem (wrong number of values, a zero-length ramp...).
    #[error("{curve}: {reason}")]
    Invalid {
        /// Which curve.
        curve: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// One corner of a piecewise-linear rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knot {
    /// Seconds after the start.
    pub t_secs: f64,
    /// Requests per second at that time.
    pub per_sec: f64,
}

/// A compiled rate: straight lines between knots. Two knots at the same time make a jump
/// (the rate is right-continuous: at the jump it already has the new value). Before the
/// first knot and after the last the rate is flat.
#[derive(Clone, Debug, PartialEq)]
pub struct RateProfile {
    knots: Vec<Knot>,
}

/// One straight piece of a rate curve: `rate(t) = r0 + slope * (t - t0)` on `[t0, t1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    t0: f64,
    t1: f64,
    r0: f64,
    slope: f64,
}

impl Segment {
    /// The time at which `mass` more expected arrivals have accumulated after `t`, if
    /// that happens within this segment (`t` must lie in it).
    #[inline]
    pub fn advance(&self, t: f64, mass: f64) -> Option<f64> {
        if t < self.t0 {
            return None;
        }
        let r = self.r0 + self.slope * (t - self.t0);
        let x = if self.slope == 0.0 {
            if r <= 0.0 {
                return None;
            }
            mass / r
        } else {
            // r x + slope x^2 / 2 = mass, in the form that does not cancel for small slopes.
            let disc = r * r + 2.0 * self.slope * mass;
            if disc < 0.0 {
                return None;
            }
            let denom = r + disc.sqrt();
            if denom <= 0.0 {
                return None;
            }
            2.0 * mass / denom
        };
        let next = t + x;
        (next < self.t1).then_some(next)
    }
}

/// What compiling a curve needs besides the curve itself.
pub struct CurveContext<'a> {
    /// The run's clock, for curves that speak of weekdays and times of day.
    pub clock: WeekClock,
    /// How long the run lasts, in seconds.
    pub duration_secs: f64,
    /// Reads the rows of a trace file (named as in the scenario) that a span of trace
    /// seconds needs (see [`super::read_trace`]).
    pub load_trace: &'a dyn Fn(&str, TraceSpan) -> Result<TraceRows, CurveError>,
    /// What compiling found worth telling the user without stopping the run (a trace
    /// that ends before the run does), in the order found.
    pub warnings: RefCell<Vec<String>>,
}

impl RateCurve {
    /// Compiles the curve over `[0, ctx.duration_secs]`.
    pub fn compile(&self, ctx: &CurveContext<'_>) -> Result<RateProfile, CurveError> {
        Ok(RateProfile::from_knots(self.shape().knots(ctx)?))
    }
}

/// `v` as a rate of `curve`: a finite number of requests per second >= 0.
fn rate(curve: &'static str, v: f64) -> Result<f64, CurveError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(CurveError::BadRate { curve, value: v })
    }
}

/// A structural problem of `curve`.
fn invalid(curve: &'static str, reason: String) -> CurveError {
    CurveError::Invalid { curve, reason }
}

fn knot(t_secs: f64, per_sec: f64) -> Knot {
    Knot { t_secs, per_sec }
}

/// The time of day (seconds since midnight) a peak is written at, ignoring its weekday.
fn peak_time_of_day(p: &TimePoint) -> f64 {
    use crate::model::clock::At;
    match *p.at() {
        At::Daily { day_secs } => day_secs as f64,
        At::Weekly { week_secs } => (week_secs % SECS_PER_DAY) as f64,
        At::AfterStart { secs } => secs.rem_euclid(SECS_PER_DAY as f64),
    }
}

/// Samples `f(week_secs)` at every multiple of [`SMOOTH_STEP_SECS`] of clock time within
/// `[0, end]`, plus both ends.
/// `f` gets both the seconds after the start and the week clock.
fn sample(clock: WeekClock, end: f64, f: impl Fn(f64, f64) -> f64) -> Vec<Knot> {
    let origin = clock.week_secs(0.0);
    let mut knots = vec![knot(0.0, f(0.0, origin))];
    // First grid point strictly after the start, aligned with the clock.
    let mut t = SMOOTH_STEP_SECS - origin.rem_euclid(SMOOTH_STEP_SECS);
    while t < end {
        knots.push(knot(t, f(t, clock.week_secs(t))));
        t += SMOOTH_STEP_SECS;
    }
    if end > 0.0 {
        knots.push(knot(end, f(end, clock.week_secs(end))));
    }
    knots
}

impl RateProfile {
    /// A profile through `knots`, which must be sorted by time (equal times make a jump).
    /// An empty list means no traffic at all.
    pub fn from_knots(mut knots: Vec<Knot>) -> RateProfile {
        if knots.is_empty() {
            knots.push(knot(0.0, 0.0));
        }
        RateProfile { knots }
    }

    /// The knots, in time order.
    pub fn knots(&self) -> &[Knot] {
        &self.knots
    }

    /// The rate at `t_secs` after the start (right-continuous at jumps).
    pub fn rate_at(&self, t_secs: f64) -> f64 {
        let k = &self.knots;
        let i = k.partition_point(|p| p.t_secs <= t_secs);
        if i == 0 {
            return k[0].per_sec;
        }
        if i == k.len() {
            return k[k.len() - 1].per_sec;
        }
        let (a, b) = (k[i - 1], k[i]);
        a.per_sec + (b.per_sec - a.per_sec) * (t_secs - a.t_secs) / (b.t_secs - a.t_secs)
    }

    /// The expected number of arrivals in `[from, to]`: the integral of the rate.
    pub fn expected_arrivals(&self, from_secs: f64, to_secs: f64) -> f64 {
        if to_secs <= from_secs {
            return 0.0;
        }
        let k = &self.knots;
        let mut total = 0.0;
        // Flat part before the first knot.
        let first = k[0];
        if from_secs < first.t_secs {
            total += first.per_sec * (to_secs.min(first.t_secs) - from_secs);
        }
        for w in k.windows(2) {
            let (a, b) = (w[0], w[1]);
            let lo = from_secs.max(a.t_secs);
            let hi = to_secs.min(b.t_secs);
            if hi > lo {
                let slope = (b.per_sec - a.per_sec) / (b.t_secs - a.t_secs);
                let r_lo = a.per_sec + slope * (lo - a.t_secs);
                let r_hi = a.per_sec + slope * (hi - a.t_secs);
                total += (r_lo + r_hi) / 2.0 * (hi - lo);
            }
        }
        let last = k[k.len() - 1];
        if to_secs > last.t_secs {
            total += last.per_sec * (to_secs - from_secs.max(last.t_secs));
        }
        total
    }

    /// The highest rate anywhere on the curve.
    pub fn max_rate(&self) -> f64 {
        self.knots.iter().map(|k| k.per_sec).fold(0.0, f64::max)
    }

    /// The same shape with every rate multiplied by `factor` (>= 0): the load of the same
    /// day, `factor` times over.
    pub fn scaled(&self, factor: f64) -> RateProfile {
        RateProfile {
            knots: self
                .knots
                .iter()
                .map(|k| knot(k.t_secs, k.per_sec * factor.max(0.0)))
                .collect(),
        }
    }

    /// The straight segment that starts at knot `seg` (`None` past the last knot or for a
    /// zero-width jump).
    pub fn segment(&self, seg: usize) -> Option<Segment> {
        let a = *self.knots.get(seg)?;
        let (t1, r1) = match self.knots.get(seg + 1) {
            Some(b) => (b.t_secs, b.per_sec),
            None => (f64::INFINITY, a.per_sec),
        };
        let width = t1 - a.t_secs;
        if width <= 0.0 {
            return None;
        }
        let slope = if t1.is_finite() {
            (r1 - a.per_sec) / width
        } else {
            0.0
        };
        Some(Segment {
            t0: a.t_secs,
            t1,
            r0: a.per_sec,
            slope,
        })
    }

    /// The time at which `mass` more expected arrivals have accumulated after `t_secs`,
    /// or `None` if the rate stays zero forever after. `seg` is a hint: the index of the
    /// knot at or before `t_secs`, updated for the next call (keeps the search O(1)).
    pub fn advance(&self, t_secs: f64, seg: &mut usize, mut mass: f64) -> Option<f64> {
        let k = &self.knots;
        let mut t = t_secs;
        let mut i = (*seg).min(k.len() - 1);
        // Resynchronise the hint if time moved past it, or back before it (an MMPP
        // restarting at a switch).
        while i > 0 && k[i].t_secs > t {
            i -= 1;
        }
        while i + 1 < k.len() && k[i + 1].t_secs <= t {
            i += 1;
        }
        if t < k[0].t_secs {
            let r = k[0].per_sec;
            let room = r * (k[0].t_secs - t);
            if mass <= room && r > 0.0 {
                return Some(t + mass / r);
            }
            mass -= room;
            t = k[0].t_secs;
        }
        while i + 1 < k.len() {
            let (a, b) = (k[i], k[i + 1]);
            let width = b.t_secs - a.t_secs;
            if width > 0.0 && a.per_sec == b.per_sec {
                // Flat segment (the common case): no square root needed.
                let room = a.per_sec * (b.t_secs - t);
                if mass <= room && a.per_sec > 0.0 {
                    *seg = i;
                    return Some((t + mass / a.per_sec).min(b.t_secs));
                }
                mass -= room;
            } else if width > 0.0 {
                let slope = (b.per_sec - a.per_sec) / width;
                let r = a.per_sec + slope * (t - a.t_secs);
                let room = (r + b.per_sec) / 2.0 * (b.t_secs - t);
                if mass <= room {
                    // Solve r x + slope x^2 / 2 = mass for x >= 0, in the form that does not
                    // cancel when slope is tiny: x = 2 mass / (r + sqrt(r^2 + 2 slope mass)).
                    let disc = (r * r + 2.0 * slope * mass).max(0.0);
                    let denom = r + disc.sqrt();
                    if denom > 0.0 {
                        *seg = i;
                        return Some((t + 2.0 * mass / denom).min(b.t_secs));
                    }
                }
                mass -= room;
            }
            i += 1;
            t = k[i].t_secs;
        }
        *seg = i;
        let r = k[i].per_sec;
        (r > 0.0).then(|| t + mass / r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::trace::TraceShape;
    use super::*;

    fn ctx(duration_secs: f64) -> CurveContext<'static> {
        CurveContext {
            clock: WeekClock::parse("sun 18:00").unwrap(),
            duration_secs,
            load_trace: &|_, _| {
                Err(CurveError::Invalid {
                    curve: "Trace",
                    reason: "no traces in these tests".into(),
                })
            },
            warnings: RefCell::default(),
        }
    }

    fn tp(s: &str) -> TimePoint {
        TimePoint::try_from(s).unwrap()
    }

    #[test]
    fn a_step_jumps_and_integrates_exactly() {
        let c = RateCurve::Step(step::Step {
            initial_per_sec: 10.0,
            steps: vec![(tp("+100"), 30.0)],
        });
        let p = c.compile(&ctx(200.0)).unwrap();
        assert_eq!(p.rate_at(99.9), 10.0);
        assert_eq!(p.rate_at(100.0), 30.0, "right-continuous at the jump");
        // 100 s at 10/s + 100 s at 30/s = 4000 arrivals expected.
        assert!((p.expected_arrivals(0.0, 200.0) - 4000.0).abs() < 1e-9);
    }

    #[test]
    fn advance_inverts_the_integral_across_a_ramp() {
        // Rate rises from 0 to 10/s over 10 s: mass by time x is x^2 / 2.
        let p = RateProfile::from_knots(vec![knot(0.0, 0.0), knot(10.0, 10.0)]);
        let mut seg = 0;
        // Mass 8 is reached at x = 4 (4^2/2 = 8).
        let t = p.advance(0.0, &mut seg, 8.0).unwrap();
        assert!((t - 4.0).abs() < 1e-12, "{t}");
        // Past the last knot the rate stays 10/s: mass 50 (whole ramp) + 20 -> t = 12.
        let t = p.advance(0.0, &mut 0, 70.0).unwrap();
        assert!((t - 12.0).abs() < 1e-12, "{t}");
        // A curve that ends at zero has no more arrivals.
        let z = RateProfile::from_knots(vec![knot(0.0, 1.0), knot(1.0, 0.0)]);
        assert_eq!(z.advance(0.0, &mut 0, 5.0), None);
    }

    #[test]
    fn the_monday_spike_is_quiet_at_night_and_peaks_at_nine() {
        let c = RateCurve::MondaySpike(monday_spike::MondaySpike {
            night_per_sec: 40.0,
            peak_per_sec: 900.0,
            peak_at: tp("mon 09:00"),
            ramp_secs: 2700.0,
            plateau_factor: 0.8,
            lunch_factor: 0.65,
            weekday_peak_factor: 0.8,
        });
        // Sun 18:00 start: Mon 03:00 is 9 h in, Mon 09:00 is 15 h in, Mon 08:15 is 14.25 h.
        let p = c.compile(&ctx(20.0 * 3600.0)).unwrap();
        assert_eq!(p.rate_at(9.0 * 3600.0), 40.0);
        assert!((p.rate_at(15.0 * 3600.0) - 900.0).abs() < 1e-9);
        assert!((p.rate_at(14.25 * 3600.0) - 40.0).abs() < 1e-9);
        // Halfway up the ramp (08:37:30) the eased level is exactly 1/2: 40 + 860/2 = 470.
        assert!((p.rate_at(14.625 * 3600.0) - 470.0).abs() < 1e-6);
        // Lunch dip at 12:45 (18.75 h in): 40 + 860 * 0.65 = 599.
        assert!((p.rate_at(18.75 * 3600.0) - 599.0).abs() < 1e-6);
    }

    #[test]
    fn bad_curves_say_what_is_wrong() {
        let e = RateCurve::Constant(constant::Constant { per_sec: -1.0 })
            .compile(&ctx(10.0))
            .unwrap_err();
        assert!(e.to_string().contains("-1"), "{e}");
        let e = RateCurve::Daily(daily::Daily {
            hourly_per_sec: vec![1.0; 23],
        })
        .compile(&ctx(10.0))
        .unwrap_err();
        assert!(e.to_string().contains("24"), "{e}");
    }

    /// A `Trace` of the given options (the file name is only a label here).
    fn trace(
        scale: f64,
        from_secs: f64,
        to_secs: Option<f64>,
        offset_secs: f64,
        shape: Option<TraceShape>,
    ) -> RateCurve {
        RateCurve::Trace(replay::Trace {
            file: "t.csv".into(),
            scale,
            from_secs,
            to_secs,
            offset_secs,
            shape,
        })
    }

    /// Compiles `curve` over `duration_secs` with `csv` as its trace; returns the profile
    /// (or the error) and the warnings.
    fn replay(
        csv: &str,
        curve: &RateCurve,
        duration_secs: f64,
    ) -> (Result<RateProfile, CurveError>, Vec<String>) {
        let load =
            |_: &str, span: TraceSpan| super::super::read_trace(csv.as_bytes(), "t.csv", span);
        let c = CurveContext {
            clock: WeekClock::parse("mon 00:00").unwrap(),
            duration_secs,
            load_trace: &load,
            warnings: RefCell::default(),
        };
        let p = curve.compile(&c);
        (p, c.warnings.take())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Three one-minute buckets: 600, 1200 and 0 requests (10/s, 20/s, 0/s).
    const COUNTS: &str = "time_secs,count\n0,600\n60,1200\n120,0\n";

    #[test]
    fn count_buckets_replay_as_steps_by_default() {
        let (p, warnings) = replay(COUNTS, &trace(1.0, 0.0, None, 0.0, None), 180.0);
        let p = p.unwrap();
        assert_eq!(p.rate_at(30.0), 10.0);
        assert_eq!(p.rate_at(60.0), 20.0, "the second bucket starts at 60 s");
        assert_eq!(p.rate_at(119.9), 20.0);
        // The last bucket is as wide as the one before: 0/s on [120, 180).
        assert_eq!(p.rate_at(150.0), 0.0);
        // Every bucket keeps its count: 600 + 1200 + 0.
        assert!(close(p.expected_arrivals(0.0, 60.0), 600.0));
        assert!(close(p.expected_arrivals(0.0, 180.0), 1800.0));
        // The trace covers [0, 180) and the run lasts 180 s: nothing to warn about.
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn smooth_counts_join_bucket_middles_and_keep_the_total() {
        // Mean rates 10, 20, 0 at the middles 30, 90, 150, flat to the trace's ends.
        let (p, _) = replay(
            COUNTS,
            &trace(1.0, 0.0, None, 0.0, Some(TraceShape::Smooth)),
            180.0,
        );
        let p = p.unwrap();
        assert_eq!(p.rate_at(10.0), 10.0);
        // Halfway from (30, 10) to (90, 20).
        assert!(close(p.rate_at(60.0), 15.0));
        // Halfway from (90, 20) to (150, 0).
        assert!(close(p.rate_at(120.0), 10.0));
        // Equal buckets: the total is kept (300 + 900 + 600 + 0 = 1800)...
        assert!(close(p.expected_arrivals(0.0, 180.0), 1800.0));
        // ...but the first bucket gains an eighth of its difference with the second:
        // 600 + (1200 - 600) / 8 = 675 (300 flat to 30 s, then 30 s averaging 12.5/s).
        assert!(close(p.expected_arrivals(0.0, 60.0), 675.0));
        // The middle one loses an eighth of both differences: 1200 - 75 - 150 = 975
        // (30 s averaging 17.5/s, 30 s averaging 15/s); the last gains 1200 / 8 = 150.
        assert!(close(p.expected_arrivals(60.0, 120.0), 975.0));
        assert!(close(p.expected_arrivals(120.0, 180.0), 150.0));
    }

    #[test]
    fn scale_multiplies_every_rate() {
        let (p, _) = replay(COUNTS, &trace(0.5, 0.0, None, 0.0, None), 180.0);
        let p = p.unwrap();
        // 10/s and 20/s halved; 1800 requests halved.
        assert_eq!(p.rate_at(30.0), 5.0);
        assert_eq!(p.rate_at(90.0), 10.0);
        assert!(close(p.expected_arrivals(0.0, 180.0), 900.0));
        let (p, _) = replay(COUNTS, &trace(0.0, 0.0, None, 0.0, None), 180.0);
        assert_eq!(p.unwrap().max_rate(), 0.0);
    }

    #[test]
    fn rate_samples_are_joined_by_lines_unless_steps_are_asked_for() {
        let csv = "time_secs,rate_per_sec\n0,10\n100,30\n";
        let (p, warnings) = replay(csv, &trace(1.0, 0.0, None, 0.0, None), 200.0);
        let p = p.unwrap();
        // Halfway from 10/s to 30/s; after the last sample its rate is held.
        assert!(close(p.rate_at(50.0), 20.0));
        assert_eq!(p.rate_at(150.0), 30.0);
        // The samples end at 100 s, the run at 200 s: one warning with both lengths.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert!(w.contains("covers 100 s of the run"), "{w}");
        assert!(w.contains("the run lasts 200 s"), "{w}");
        assert!(
            w.contains("30.000 requests/s, is held for the remaining 100 s"),
            "{w}"
        );
        let (p, _) = replay(
            csv,
            &trace(1.0, 0.0, None, 0.0, Some(TraceShape::Steps)),
            200.0,
        );
        let p = p.unwrap();
        assert_eq!(p.rate_at(50.0), 10.0, "each sample holds until the next");
        assert_eq!(p.rate_at(100.0), 30.0);
    }

    #[test]
    fn a_window_of_the_trace_plays_from_the_offset() {
        // One-minute buckets at 0, 60, ..., 600 whose count is their start time: rates
        // 0, 1, 2, ..., 10/s. Replay trace seconds [120, 300) from run second 60:
        // run second t plays trace second 120 + (t - 60).
        let mut csv = String::from("time_secs,count\n");
        for t in (0..=600).step_by(60) {
            csv += &format!("{t},{t}\n");
        }
        let curve = trace(1.0, 120.0, Some(300.0), 60.0, None);
        let (p, warnings) = replay(&csv, &curve, 400.0);
        let p = p.unwrap();
        // Before the offset the rate at trace second 120 (2/s) is held.
        assert_eq!(p.rate_at(0.0), 2.0);
        assert_eq!(p.rate_at(59.0), 2.0);
        // Run 100 -> trace 160 (bucket at 120: 2/s); run 130 -> trace 190 (3/s);
        // run 200 -> trace 260 (4/s).
        assert_eq!(p.rate_at(100.0), 2.0);
        assert_eq!(p.rate_at(130.0), 3.0);
        assert_eq!(p.rate_at(200.0), 4.0);
        // The window ends at run 60 + 180 = 240; its last rate, 4/s, is held, not the
        // 5/s that follows in the file.
        assert_eq!(p.rate_at(240.0), 4.0);
        assert_eq!(p.rate_at(399.0), 4.0);
        // 60 s x 2 before, 60 x (2 + 3 + 4) in the window, 160 s x 4 after = 1300.
        assert!(close(p.expected_arrivals(0.0, 400.0), 1300.0));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert!(w.contains("covers 180 s of the run"), "{w}");
        assert!(w.contains("to_secs is 300"), "{w}");
        assert!(w.contains("the run lasts 400 s"), "{w}");
        assert!(w.contains("remaining 160 s"), "{w}");
        // A run that ends inside the window has nothing to warn about.
        let (_, warnings) = replay(&csv, &curve, 200.0);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_window_cuts_smooth_samples_where_it_starts() {
        // Rate 0/s at 0 rising to 100/s at 100: from trace second 25, the run starts at
        // 25/s and reaches 100/s 75 s in; 40 s in it is at 65/s.
        let csv = "time_secs,rate_per_sec\n0,0\n100,100\n";
        let (p, warnings) = replay(csv, &trace(1.0, 25.0, None, 0.0, None), 75.0);
        let p = p.unwrap();
        assert!(close(p.rate_at(0.0), 25.0));
        assert!(close(p.rate_at(40.0), 65.0));
        assert!(close(p.rate_at(75.0), 100.0));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn an_offset_past_the_run_plays_nothing_and_says_so() {
        let (p, warnings) = replay(COUNTS, &trace(1.0, 0.0, None, 500.0, None), 180.0);
        assert_eq!(p.unwrap().rate_at(100.0), 10.0, "the first rate is held");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("offset_secs 500 is at or after the run's end (180 s)"));
    }

    #[test]
    fn bad_trace_options_name_the_field() {
        let cases = [
            (trace(-1.0, 0.0, None, 0.0, None), "scale must be"),
            (trace(f64::NAN, 0.0, None, 0.0, None), "scale must be"),
            (trace(1.0, -5.0, None, 0.0, None), "from_secs must be"),
            (
                trace(1.0, 0.0, None, f64::INFINITY, None),
                "offset_secs must be",
            ),
            (trace(1.0, 60.0, Some(60.0), 0.0, None), "to_secs must be"),
            // The trace covers [0, 180): nothing is left to play from 180.
            (
                trace(1.0, 180.0, None, 0.0, None),
                "from_secs 180 is at or past the end",
            ),
        ];
        for (curve, needle) in cases {
            let (p, _) = replay(COUNTS, &curve, 60.0);
            let e = p.unwrap_err().to_string();
            assert!(e.contains(needle), "{curve:?}: {e}");
        }
        let (p, _) = replay("time_secs,count\n", &trace(1.0, 0.0, None, 0.0, None), 60.0);
        assert!(p.unwrap_err().to_string().contains("has no rows"));
    }

    #[test]
    fn the_new_trace_fields_default_to_a_plain_replay() {
        // As a scenario reads it: RON with unwrapped variant newtypes.
        let ron = crate::scenario::ron_options();
        let c: RateCurve = ron.from_str(r#"Trace(file: "t.csv")"#).unwrap();
        assert_eq!(c, trace(1.0, 0.0, None, 0.0, None));
        let e = ron
            .from_str::<RateCurve>(r#"Trace(file: "t.csv", speed: 2)"#)
            .unwrap_err();
        assert!(e.to_string().contains("speed"), "{e}");
        let c: RateCurve = crate::scenario::ron_options()
            .from_str(r#"Trace(file: "t.csv", scale: 2, to_secs: Some(60), shape: Some(Smooth))"#)
            .unwrap();
        assert_eq!(
            c,
            trace(2.0, 0.0, Some(60.0), 0.0, Some(TraceShape::Smooth))
        );
    }
}
