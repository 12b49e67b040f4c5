//! The latency plot's logarithmic axis. egui_plot draws linear axes only, so the plot
//! takes `log10` of each value and this module puts the marks and labels back in
//! seconds: a p99 of 6 s and an SLO of 1 s then read side by side instead of the SLO
//! being squashed to the bottom.

use egui_plot::{GridInput, GridMark};

/// `log10(secs)`, or `None` for a value a log axis cannot show (an interval with nothing
/// completed reports 0).
pub fn to_log(secs: f64) -> Option<f64> {
    (secs > 0.0 && secs.is_finite()).then(|| secs.log10())
}

/// The marks of a log axis over `input.bounds` (in `log10` units): every decade, and
/// the 2 and 5 within it when there is room (each decade at least 6 fine steps wide),
/// or 1..9 when less than a decade is in view.
pub fn log_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let within: &[f64] = if hi - lo < 1.0 {
        &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else if input.base_step_size * 6.0 <= 1.0 {
        &[2.0, 5.0]
    } else {
        &[]
    };
    let mut marks = Vec::new();
    // Bounded: a plot is at most a few dozen decades tall.
    let first = lo.floor() as i32;
    let last = (hi.ceil() as i32).min(first + 60);
    for decade in first..=last {
        let d = f64::from(decade);
        marks.push(GridMark {
            value: d,
            step_size: 1.0,
        });
        for m in within {
            marks.push(GridMark {
                value: d + m.log10(),
                step_size: if within.len() > 2 { 0.05 } else { 0.3 },
            });
        }
    }
    marks.retain(|m| m.value >= lo && m.value <= hi);
    marks
}

/// A duration in readable units: "500 µs", "20 ms", "1.5 s", "2 min".
pub fn secs_label(secs: f64) -> String {
    let trim = |v: f64| {
        let s = format!("{v:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    };
    if secs >= 120.0 {
        format!("{} min", trim(secs / 60.0))
    } else if secs >= 1.0 {
        format!("{} s", trim(secs))
    } else if secs >= 1e-3 {
        format!("{} ms", trim(secs * 1e3))
    } else {
        format!("{} µs", trim(secs * 1e6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_marks_are_decades_with_2_and_5_when_there_is_room() {
        // 1 ms .. 10 s (log -3 .. 1) on a tall plot: decades -3..=1, and 2 and 5 in
        // each of the four decades below 10 s: 5 + 8 marks.
        let marks = log_marks(GridInput {
            bounds: (-3.0, 1.0),
            base_step_size: 0.02,
        });
        assert_eq!(marks.len(), 13);
        assert!(marks.iter().any(|m| (m.value - 2f64.log10()).abs() < 1e-12));
        // A short plot: decades only.
        let marks = log_marks(GridInput {
            bounds: (-3.0, 1.0),
            base_step_size: 0.5,
        });
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, vec![-3.0, -2.0, -1.0, 0.0, 1.0]);
        // Less than a decade (0.2 s .. 0.9 s): 0.2, 0.3, ..., 0.9.
        let marks = log_marks(GridInput {
            bounds: (0.2f64.log10() - 1e-9, 0.9f64.log10() + 1e-9),
            base_step_size: 0.01,
        });
        assert_eq!(marks.len(), 8);
        assert!(
            log_marks(GridInput {
                bounds: (f64::NAN, 1.0),
                base_step_size: 0.1,
            })
            .is_empty()
        );
    }

    #[test]
    fn values_go_to_log_and_labels_come_back_in_seconds() {
        assert_eq!(to_log(10.0), Some(1.0));
        assert_eq!(to_log(0.0), None);
        assert_eq!(secs_label(10f64.powf(to_log(0.02).unwrap())), "20 ms");
        assert_eq!(secs_label(1.0), "1 s");
        assert_eq!(secs_label(1.5), "1.5 s");
        assert_eq!(secs_label(0.0005), "500 µs");
        assert_eq!(secs_label(300.0), "5 min");
    }
}
