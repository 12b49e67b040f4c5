//! Rate curves as the editor switches between them: their kinds, levels, peaks and
//! summaries, and the curve of another kind that stands in for one. Nothing here draws.

use super::convert::after_start;
use crate::model::timepoint::TimePoint;
use crate::model::workload::curve::{
    constant::Constant, daily::Daily, diurnal::Diurnal, flash_crowd::FlashCrowd,
    monday_spike::MondaySpike, points::Points, ramp::Ramp, replay::Trace, step::Step,
    weekly::Weekly,
};
use crate::model::workload::{RateCurve, RateProfile};

/// The kinds of rate curve, as the curve picker offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum CurveKind {
    /// A constant rate.
    Constant,
    /// A linear ramp between two rates.
    Ramp,
    /// A cosine day between a trough and a peak.
    Diurnal,
    /// The Monday-morning spike of an office application.
    MondaySpike,
    /// A crowd arriving on top of another curve.
    FlashCrowd,
    /// Rates that change at given times.
    Step,
    /// Rates at given times, linear between them.
    Points,
    /// 24 hourly rates.
    Daily,
    /// A day times seven day factors.
    Weekly,
    /// Rates replayed from a CSV file.
    Trace,
}

impl CurveKind {
    /// Every kind, in the order the picker lists them.
    pub(super) const ALL: [CurveKind; 10] = [
        CurveKind::Constant,
        CurveKind::Ramp,
        CurveKind::Diurnal,
        CurveKind::MondaySpike,
        CurveKind::FlashCrowd,
        CurveKind::Step,
        CurveKind::Points,
        CurveKind::Daily,
        CurveKind::Weekly,
        CurveKind::Trace,
    ];

    /// The kind of `curve`, if the editor has a stand-in for it (a curve the model
    /// registers later is edited in the RON tab until it has one here).
    pub(super) fn of(curve: &RateCurve) -> Option<CurveKind> {
        CurveKind::ALL
            .into_iter()
            .find(|k| k.label() == curve.kind())
    }

    /// The name the picker shows: the scenario file's (as `RateCurve::kind` gives it).
    pub(super) fn label(self) -> &'static str {
        match self {
            CurveKind::Constant => "Constant",
            CurveKind::Ramp => "Ramp",
            CurveKind::Diurnal => "Diurnal",
            CurveKind::MondaySpike => "MondaySpike",
            CurveKind::FlashCrowd => "FlashCrowd",
            CurveKind::Step => "Step",
            CurveKind::Points => "Points",
            CurveKind::Daily => "Daily",
            CurveKind::Weekly => "Weekly",
            CurveKind::Trace => "Trace",
        }
    }
}

/// What switching curve kinds needs besides the curve.
pub(super) struct CurveDefaults {
    /// The run's length, to place ramps and crowds inside it.
    pub(super) duration_secs: f64,
    /// Levels to use when the curve does not tell (a trace): the running profile's.
    pub(super) fallback: (f64, f64),
}

/// A few words on a curve that has no widgets here.
pub(super) fn curve_summary(curve: &RateCurve) -> String {
    match curve {
        RateCurve::Step(Step { steps, .. }) => format!("{} steps", steps.len()),
        RateCurve::Points(p) => format!("{} points", p.0.len()),
        RateCurve::Daily(_) => "24 hourly rates".into(),
        RateCurve::Weekly(Weekly { daily, .. }) => {
            format!("a {} day times 7 factors", daily.kind())
        }
        RateCurve::Trace(Trace { file, .. }) => format!("the trace {file}"),
        other => other.kind().into(),
    }
}

/// The lowest and highest rate a curve is written with, per second (None: only the
/// trace file knows).
pub(super) fn levels(curve: &RateCurve) -> Option<(f64, f64)> {
    match curve {
        RateCurve::Constant(Constant { per_sec }) => Some((*per_sec, *per_sec)),
        RateCurve::Step(Step {
            initial_per_sec,
            steps,
        }) => min_max(std::iter::once(*initial_per_sec).chain(steps.iter().map(|s| s.1))),
        RateCurve::Ramp(Ramp {
            from_per_sec,
            to_per_sec,
            ..
        }) => min_max([*from_per_sec, *to_per_sec].into_iter()),
        RateCurve::Points(points) => min_max(points.0.iter().map(|p| p.1)),
        RateCurve::Diurnal(Diurnal {
            trough_per_sec,
            peak_per_sec,
            ..
        }) => min_max([*trough_per_sec, *peak_per_sec].into_iter()),
        RateCurve::Daily(Daily { hourly_per_sec }) => min_max(hourly_per_sec.iter().copied()),
        RateCurve::Weekly(Weekly { daily, day_factors }) => {
            // The busiest day's levels: quieter days are the week's shape, not its level.
            let (lo, hi) = levels(daily)?;
            let (_, busiest) = min_max(day_factors.iter().copied())?;
            Some((lo * busiest, hi * busiest))
        }
        RateCurve::MondaySpike(MondaySpike {
            night_per_sec,
            peak_per_sec,
            ..
        }) => min_max([*night_per_sec, *peak_per_sec].into_iter()),
        // The crowd is an extra on top: the levels are the normal traffic's.
        RateCurve::FlashCrowd(FlashCrowd { base, .. }) => levels(base),
        RateCurve::Trace(_) => None,
    }
}

/// The lowest and highest rate of a compiled profile.
pub(super) fn profile_levels(profile: &RateProfile) -> Option<(f64, f64)> {
    min_max(profile.knots().iter().map(|k| k.per_sec))
}

/// The lowest and highest of `values` (None if there are none).
fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| {
        Some(match acc {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        })
    })
}

/// The time of the daily peak, for the curves that have one.
pub(super) fn peak_time(curve: &RateCurve) -> Option<TimePoint> {
    match curve {
        RateCurve::Diurnal(Diurnal { peak_at, .. })
        | RateCurve::MondaySpike(MondaySpike { peak_at, .. }) => Some(peak_at.clone()),
        RateCurve::FlashCrowd(FlashCrowd { base, .. })
        | RateCurve::Weekly(Weekly { daily: base, .. }) => peak_time(base),
        _ => None,
    }
}

/// The curve of `kind` that stands in for `curve`: the same low and high rates (or
/// `fallback` when the curve does not tell), the same peak time where both have one,
/// ramps and crowds placed inside a run of `duration_secs`. Leaving a flash crowd for
/// the kind of its base gives the base back. None for a trace, which needs a file.
pub(super) fn switch_curve(
    curve: &RateCurve,
    kind: CurveKind,
    duration_secs: f64,
    fallback: (f64, f64),
) -> Option<RateCurve> {
    if let RateCurve::FlashCrowd(FlashCrowd { base, .. }) = curve
        && CurveKind::of(base) == Some(kind)
    {
        return Some((**base).clone());
    }
    let (low, high) = levels(curve).unwrap_or(fallback);
    // A flat curve has no quiet level to keep: a quarter of its rate lets a shape show.
    let low = if low < high { low } else { high / 4.0 };
    let d = if duration_secs.is_finite() && duration_secs > 0.0 {
        duration_secs
    } else {
        3600.0
    };
    let time = |s: &str| TimePoint::try_from(s).ok();
    Some(match kind {
        CurveKind::Constant => RateCurve::Constant(Constant { per_sec: high }),
        CurveKind::Step => RateCurve::Step(Step {
            initial_per_sec: low,
            steps: vec![(after_start(d / 2.0)?, high)],
        }),
        CurveKind::Ramp => RateCurve::Ramp(Ramp {
            from_per_sec: low,
            to_per_sec: high,
            start: after_start(d / 4.0)?,
            ramp_secs: (d / 4.0).round().max(1.0),
        }),
        CurveKind::Points => RateCurve::Points(Points(vec![
            (after_start(0.0)?, low),
            (after_start(d / 2.0)?, high),
            (after_start(d)?, low),
        ])),
        CurveKind::Diurnal => RateCurve::Diurnal(Diurnal {
            trough_per_sec: low,
            peak_per_sec: high,
            peak_at: peak_time(curve).or_else(|| time("14:00"))?,
        }),
        CurveKind::Daily => RateCurve::Daily(Daily {
            hourly_per_sec: (0..24)
                .map(|h| {
                    // A cosine day peaking at 14:00, like Diurnal's default.
                    let phase = std::f64::consts::TAU * (f64::from(h) - 14.0) / 24.0;
                    low + (high - low) * (1.0 + phase.cos()) / 2.0
                })
                .collect(),
        }),
        CurveKind::Weekly => RateCurve::Weekly(Weekly {
            daily: Box::new(RateCurve::Diurnal(Diurnal {
                trough_per_sec: low,
                peak_per_sec: high,
                peak_at: peak_time(curve).or_else(|| time("14:00"))?,
            })),
            // Weekdays in full, a quieter weekend.
            day_factors: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.5],
        }),
        CurveKind::MondaySpike => RateCurve::MondaySpike(MondaySpike {
            night_per_sec: low,
            peak_per_sec: high,
            peak_at: peak_time(curve).or_else(|| time("mon 09:00"))?,
            ramp_secs: 2700.0,
            // The schema's defaults (a test checks they match).
            plateau_factor: 0.8,
            lunch_factor: 0.65,
            weekday_peak_factor: 0.8,
        }),
        CurveKind::FlashCrowd => RateCurve::FlashCrowd(FlashCrowd {
            base: Box::new(curve.clone()),
            at: after_start(d / 3.0)?,
            // Doubles the peak: a crowd the current design has to notice.
            extra_per_sec: high,
            // Scaled to the run, so rise and decay are both visible in it.
            rise_secs: (d / 40.0).round().clamp(30.0, 900.0),
            decay_secs: (d / 12.0).round().clamp(60.0, 3600.0),
        }),
        CurveKind::Trace => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::editor::test_design;
    fn spike() -> RateCurve {
        crate::scenario::ron_options()
            .from_str(
                "MondaySpike(night_per_sec: 40, peak_per_sec: 900, peak_at: \"mon 09:00\", ramp_secs: 2700)",
            )
            .unwrap()
    }

    #[test]
    fn switching_curve_kind_keeps_the_levels() {
        let s = spike();
        assert_eq!(levels(&s), Some((40.0, 900.0)));
        for kind in [
            CurveKind::Ramp,
            CurveKind::Diurnal,
            CurveKind::Step,
            CurveKind::Points,
            CurveKind::Daily,
            CurveKind::Weekly,
            CurveKind::FlashCrowd,
        ] {
            let c = switch_curve(&s, kind, 64800.0, (1.0, 2.0)).unwrap();
            assert_eq!(CurveKind::of(&c), Some(kind));
            assert_eq!(c.kind(), kind.label());
            let (lo, hi) = levels(&c).unwrap();
            assert!(
                (lo - 40.0).abs() < 1e-9 && (hi - 900.0).abs() < 1e-9,
                "{kind:?}: {lo} {hi}"
            );
        }
        let d = switch_curve(&s, CurveKind::Diurnal, 64800.0, (1.0, 2.0)).unwrap();
        // The peak time travels with the levels, and back again.
        assert_eq!(peak_time(&d).unwrap().as_str(), "mon 09:00");
        assert_eq!(
            switch_curve(&d, CurveKind::MondaySpike, 64800.0, (1.0, 2.0)).unwrap(),
            s
        );
        assert_eq!(
            switch_curve(&s, CurveKind::Constant, 64800.0, (1.0, 2.0)).unwrap(),
            RateCurve::Constant(Constant { per_sec: 900.0 })
        );
    }

    #[test]
    fn a_flat_curve_gets_a_quiet_level_and_keeps_its_rate_as_the_peak() {
        let c = RateCurve::Constant(Constant { per_sec: 100.0 });
        let r = switch_curve(&c, CurveKind::Ramp, 3600.0, (1.0, 2.0)).unwrap();
        assert_eq!(levels(&r), Some((25.0, 100.0)));
        assert_eq!(
            switch_curve(&r, CurveKind::Constant, 3600.0, (1.0, 2.0)).unwrap(),
            c
        );
    }

    #[test]
    fn leaving_a_flash_crowd_for_its_base_kind_gives_the_base_back() {
        let s = spike();
        let f = switch_curve(&s, CurveKind::FlashCrowd, 64800.0, (1.0, 2.0)).unwrap();
        assert_eq!(
            switch_curve(&f, CurveKind::MondaySpike, 64800.0, (1.0, 2.0)).unwrap(),
            s
        );
    }

    #[test]
    fn a_trace_cannot_be_made_and_lends_the_running_levels() {
        let s = spike();
        assert_eq!(switch_curve(&s, CurveKind::Trace, 3600.0, (1.0, 2.0)), None);
        let t = RateCurve::Trace(Trace {
            file: "x.csv".into(),
            scale: 1.0,
            from_secs: 0.0,
            to_secs: None,
            offset_secs: 0.0,
            shape: None,
        });
        assert_eq!(
            switch_curve(&t, CurveKind::Constant, 3600.0, (5.0, 50.0)).unwrap(),
            RateCurve::Constant(Constant { per_sec: 50.0 })
        );
    }

    #[test]
    fn the_monday_spike_defaults_are_the_schemas() {
        let parsed = spike();
        let made = switch_curve(
            &RateCurve::Constant(Constant { per_sec: 900.0 }),
            CurveKind::MondaySpike,
            64800.0,
            (0.0, 0.0),
        )
        .unwrap();
        let RateCurve::MondaySpike(MondaySpike {
            plateau_factor: a1,
            lunch_factor: b1,
            weekday_peak_factor: c1,
            ..
        }) = parsed
        else {
            panic!()
        };
        let RateCurve::MondaySpike(MondaySpike {
            plateau_factor: a2,
            lunch_factor: b2,
            weekday_peak_factor: c2,
            ..
        }) = made
        else {
            panic!()
        };
        assert_eq!((a1, b1, c1), (a2, b2, c2));
    }

    #[test]
    fn every_curve_the_editor_makes_validates() {
        let base = test_design();
        for kind in CurveKind::ALL {
            let Some(c) = switch_curve(
                &base.file.workload.rate,
                kind,
                base.file.duration_secs,
                (1.0, 2.0),
            ) else {
                assert_eq!(kind, CurveKind::Trace);
                continue;
            };
            let mut d = test_design();
            let mut f = d.file.clone();
            f.workload.rate = c;
            d.set_file(f);
            assert!(d.errors.is_empty(), "{kind:?}: {:?}", d.errors);
        }
    }
}
