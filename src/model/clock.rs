//! The simulated wall clock: a run starts at a weekday and time ("sun 18:00"), so curves
//! and schedules can speak of "mon 09:00", and plots can label the axis in clock time.

use std::fmt;

use crate::sim::SimTime;

/// Seconds in a day.
pub const SECS_PER_DAY: u64 = 86_400;
/// Seconds in a week.
pub const SECS_PER_WEEK: u64 = 7 * SECS_PER_DAY;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A malformed clock or time-point string, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: expected {expected}")]
pub struct ClockError {
    /// What was written.
    pub what: String,
    /// What would have been accepted.
    pub expected: &'static str,
}

/// Maps simulated time to a weekday and time of day (default: the run starts Monday 00:00).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WeekClock {
    /// Seconds since Monday 00:00 at simulated time zero.
    start_week_secs: u64,
}

impl WeekClock {
    /// A clock whose run starts at `start`, written like `"sun 18:00"` or `"mon 08:30:15"`.
    pub fn parse(start: &str) -> Result<WeekClock, ClockError> {
        let err = || ClockError {
            what: format!("{start:?}"),
            expected: "a weekday and a time such as \"sun 18:00\" or \"mon 08:30:15\"",
        };
        let (day, time) = start
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(err)?;
        let day = parse_day(day).ok_or_else(err)?;
        let secs = parse_time_of_day(time.trim()).ok_or_else(err)?;
        Ok(WeekClock {
            start_week_secs: day * SECS_PER_DAY + secs,
        })
    }

    /// Seconds since Monday 00:00 when the run starts.
    pub fn start_week_secs(self) -> u64 {
        self.start_week_secs
    }

    /// Where in the week (seconds since Monday 00:00, in `[0, week)`) the clock is
    /// `t_secs` after the start.
    pub fn week_secs(self, t_secs: f64) -> f64 {
        (self.start_week_secs as f64 + t_secs).rem_euclid(SECS_PER_WEEK as f64)
    }

    /// The label a person reads, e.g. `"Mon 08:47:10"`.
    pub fn label(self, t: SimTime) -> String {
        week_label(self.start_week_secs + t.as_nanos() / SimTime::from_secs(1).as_nanos())
    }

    /// Seconds after the start at which the time point `at` falls.
    pub fn resolve(self, at: &At) -> f64 {
        match *at {
            At::AfterStart { secs } => secs,
            At::Weekly { week_secs } => {
                (week_secs as f64 - self.start_week_secs as f64).rem_euclid(SECS_PER_WEEK as f64)
            }
            At::Daily { day_secs } => (day_secs as f64
                - (self.start_week_secs % SECS_PER_DAY) as f64)
                .rem_euclid(SECS_PER_DAY as f64),
        }
    }
}

/// The label of a point in the week given in seconds since Monday 00:00 (taken modulo a
/// week), e.g. `"Mon 08:47:10"`.
pub fn week_label(week_secs: u64) -> String {
    let week = week_secs % SECS_PER_WEEK;
    let day = (week / SECS_PER_DAY) as usize;
    let s = week % SECS_PER_DAY;
    let mut name = DAYS[day].to_string();
    name[..1].make_ascii_uppercase();
    format!("{name} {:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// A shorter label of a point in the week, for reasons and forecasts that name whole
/// minutes: `"Tue 09:00"`, with seconds only when there are some (`"Tue 08:58:30"`).
/// `week_secs` may be negative or beyond a week (taken modulo a week).
pub fn week_label_short(week_secs: f64) -> String {
    let s = week_secs.rem_euclid(SECS_PER_WEEK as f64).round() as u64 % SECS_PER_WEEK;
    let mut name = DAYS[(s / SECS_PER_DAY) as usize].to_string();
    name[..1].make_ascii_uppercase();
    format!("{name} {}", day_label_short(week_secs).unwrap_or_default())
}

/// The time of day of a point in the week, `"09:00"` or `"08:58:30"`; `None` for a value
/// that is not a number.
pub fn day_label_short(week_secs: f64) -> Option<String> {
    if !week_secs.is_finite() {
        return None;
    }
    let s = week_secs.rem_euclid(SECS_PER_WEEK as f64).round() as u64 % SECS_PER_DAY;
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    Some(if sec == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    })
}

impl fmt::Display for WeekClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label(SimTime::ZERO))
    }
}

/// A point in time as a scenario writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum At {
    /// `"+1h30m"`, `"+90s"`, `"+3600"`: this long after the start.
    AfterStart {
        /// Seconds after the start.
        secs: f64,
    },
    /// `"mon 09:00"`: the first time at or after the start that the clock shows this.
    Weekly {
        /// Seconds since Monday 00:00.
        week_secs: u64,
    },
    /// `"09:00"`: the first time at or after the start that the clock shows this time of day.
    Daily {
        /// Seconds since midnight.
        day_secs: u64,
    },
}

impl At {
    /// Parses `"+1h30m"`, `"+45s"`, `"+3600"`, `"mon 09:00"` or `"09:00:30"`.
    pub fn parse(s: &str) -> Result<At, ClockError> {
        let s = s.trim();
        let err = || ClockError {
            what: format!("{s:?}"),
            expected: "a time such as \"mon 09:00\", \"08:30\" or \"+1h30m\" (after the start)",
        };
        if let Some(rel) = s.strip_prefix('+') {
            return parse_span_secs(rel)
                .map(|secs| At::AfterStart { secs })
                .ok_or_else(err);
        }
        if let Some((day, time)) = s.split_once(char::is_whitespace) {
            let day = parse_day(day).ok_or_else(err)?;
            let secs = parse_time_of_day(time.trim()).ok_or_else(err)?;
            return Ok(At::Weekly {
                week_secs: day * SECS_PER_DAY + secs,
            });
        }
        parse_time_of_day(s)
            .map(|day_secs| At::Daily { day_secs })
            .ok_or_else(err)
    }
}

fn parse_day(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let short = lower.get(..3)?;
    DAYS.iter().position(|d| *d == short).map(|i| i as u64)
}

/// `"09:00"` or `"09:00:30"` as seconds since midnight.
fn parse_time_of_day(s: &str) -> Option<u64> {
    let mut parts = s.split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let sec: u64 = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// `"1h30m"`, `"90s"`, `"2d"`, `"3600"` (plain seconds) as seconds.
fn parse_span_secs(s: &str) -> Option<f64> {
    if let Ok(secs) = s.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then_some(secs);
    }
    let mut total = 0.0;
    let mut number = String::new();
    let mut any = false;
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400.0,
            'h' => 3_600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        let n: f64 = number.parse().ok()?;
        total += n * unit;
        number.clear();
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_drop_zero_seconds_and_wrap_the_week() {
        // 1 day + 9 h is Tuesday 09:00; a week + 8 h 58.5 min wraps to Monday 08:58:30.
        assert_eq!(week_label_short(86_400.0 + 9.0 * 3600.0), "Tue 09:00");
        assert_eq!(
            week_label_short(SECS_PER_WEEK as f64 + 8.0 * 3600.0 + 58.5 * 60.0),
            "Mon 08:58:30"
        );
        // One hour before Monday 00:00 is Sunday 23:00.
        assert_eq!(week_label_short(-3600.0), "Sun 23:00");
        assert_eq!(day_label_short(f64::NAN), None);
    }

    #[test]
    fn monday_nine_is_fifteen_hours_after_sunday_six_pm() {
        // Sun 18:00 -> Mon 09:00 = 6 h + 9 h = 15 h = 54_000 s.
        let clock = WeekClock::parse("sun 18:00").unwrap();
        assert_eq!(clock.resolve(&At::parse("mon 09:00").unwrap()), 54_000.0);
        // "09:00" with no day is the next 09:00: the same one.
        assert_eq!(clock.resolve(&At::parse("09:00").unwrap()), 54_000.0);
        assert_eq!(clock.resolve(&At::parse("+1h30m").unwrap()), 5_400.0);
        assert_eq!(clock.label(SimTime::from_secs(54_000 + 70)), "Mon 09:01:10");
        // The week wraps: Sun 18:00 + 7 h is Mon 01:00.
        assert_eq!(clock.label(SimTime::from_secs(7 * 3600)), "Mon 01:00:00");
    }

    #[test]
    fn malformed_times_are_rejected_with_what_was_expected() {
        for bad in [
            "",
            "funday 09:00",
            "mon 25:00",
            "+1x",
            "9",
            "mon",
            "+",
            "10:61",
        ] {
            assert!(At::parse(bad).is_err(), "{bad} should not parse");
        }
        let e = WeekClock::parse("someday").unwrap_err();
        assert!(e.to_string().contains("sun 18:00"), "{e}");
    }
}
