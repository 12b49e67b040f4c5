//! The predictive policy's unit tests.

use super::*;

const DAY: f64 = 86_400.0;
const H: f64 = 3600.0;
const MIN: f64 = 60.0;

/// A weekday: 100 req/s at night, up linearly from 07:00 to 1000 req/s at 09:00, flat
/// until 10:00, down to 100 by 12:00.
fn weekday(day_secs: f64) -> f64 {
    let t = day_secs / H;
    if !(7.0..12.0).contains(&t) {
        100.0
    } else if t < 9.0 {
        100.0 + 900.0 * (t - 7.0) / 2.0
    } else if t < 10.0 {
        1000.0
    } else {
        1000.0 - 900.0 * (t - 10.0) / 2.0
    }
}

/// `weekday` every day.
fn daily_curve(clock: f64) -> f64 {
    weekday(clock.rem_euclid(DAY))
}

/// `weekday` Monday to Friday, a flat 100 req/s at the weekend.
fn weekly_curve(clock: f64) -> f64 {
    if clock.rem_euclid(WEEK_SECS) >= 5.0 * DAY {
        100.0
    } else {
        weekday(clock.rem_euclid(DAY))
    }
}

/// The mean rate over the 300 s window ending at `end` (trapezoids of 1 s: exact for
/// these curves, whose corners fall on whole seconds).
fn window_mean(curve: &dyn Fn(f64) -> f64, end: f64) -> f64 {
    let start = end - WINDOW_SECS;
    let mut sum = 0.0;
    for i in 0..WINDOW_SECS as usize {
        let t = start + i as f64;
        sum += (curve(t) + curve(t + 1.0)) / 2.0;
    }
    sum / WINDOW_SECS
}

/// A pool and its monitoring, applying every recommendation as the world will.
struct World {
    policy: Predictive,
    /// Clock seconds since Monday 00:00 at the start of the run.
    start: f64,
    current: u32,
    min: u32,
    max: u32,
    boot_secs: f64,
}

impl World {
    fn new(config: PredictiveConfig, current: u32, min: u32, max: u32) -> World {
        World {
            policy: Predictive::new(config).unwrap(),
            start: 0.0,
            current,
            min,
            max,
            boot_secs: 90.0,
        }
    }

    fn obs(&self, t: f64, arrivals: Option<f64>) -> Observation {
        Observation {
            now_secs: t,
            week_secs: (self.start + t).rem_euclid(WEEK_SECS),
            current: self.current,
            min: self.min,
            max: self.max,
            instances: vec![],
            latency_p95_secs: None,
            arrivals_per_sec: arrivals,
            boot_secs: self.boot_secs,
        }
    }

    /// One evaluation at run time `t`, arrivals measured from `curve` over the window
    /// [t - 360, t - 60], the recommendation applied.
    fn step(&mut self, t: f64, curve: &dyn Fn(f64) -> f64) -> Recommendation {
        let arrivals = window_mean(curve, self.start + t - LAG_SECS);
        self.step_with(t, Some(arrivals))
    }

    fn step_with(&mut self, t: f64, arrivals: Option<f64>) -> Recommendation {
        let obs = self.obs(t, arrivals);
        let rec = self.policy.evaluate(&obs);
        if rec.desired != self.current {
            self.policy.applied(t, self.current, rec.desired);
            self.current = rec.desired;
        }
        rec
    }

    /// Evaluations every `period` from `from` to `to` inclusive, with their times.
    fn run(
        &mut self,
        from: f64,
        to: f64,
        period: f64,
        curve: &dyn Fn(f64) -> f64,
    ) -> Vec<(f64, Recommendation)> {
        let mut out = Vec::new();
        let mut t = from;
        while t <= to {
            out.push((t, self.step(t, curve)));
            t += period;
        }
        out
    }
}

/// The windows' means are sums of 300 rounded terms: equal to the worked value to 1e-6.
fn assert_near(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
}

fn at(log: &[(f64, Recommendation)], t: f64) -> &Recommendation {
    &log.iter().find(|(u, _)| *u == t).unwrap().1
}

#[test]
fn config_parses_with_defaults_and_rejects_bad_values() {
    let opts =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let c: PredictiveConfig = opts.from_str("(requests_per_instance: 50)").unwrap();
    assert_eq!(c, PredictiveConfig::new(50.0));
    // The documented defaults: scale, 24 h, boot-time buffer, hard max, 300 s, hourly.
    assert_eq!(c.mode, PredictiveMode::ForecastAndScale);
    assert_eq!(c.history_min_secs, 86_400.0);
    assert_eq!(c.scheduling_buffer_secs, None);
    assert_eq!(c.max_capacity_buffer_pct, None);
    assert_eq!(c.evaluate_every_secs, 300.0);
    assert!(c.hourly && !c.scale_in_to_forecast);

    let c: PredictiveConfig = opts
        .from_str(
            "(requests_per_instance: 50, mode: ForecastOnly, scheduling_buffer_secs: 300, \
             max_capacity_buffer_pct: 10, hourly: false)",
        )
        .unwrap();
    assert_eq!(c.scheduling_buffer_secs, Some(300.0));
    assert_eq!(c.max_capacity_buffer_pct, Some(10));

    for bad in [
        "(requests_per_instance: 0)",
        "(requests_per_instance: 50, scheduling_buffer_secs: 4000)",
        "(requests_per_instance: 50, max_capacity_buffer_pct: 101)",
        "(requests_per_instance: 50, evaluate_every_secs: 0)",
        "(requests_per_instance: 50, evaluate_every_secs: 7200)",
        "(requests_per_instance: 50, history_min_secs: -1)",
        "(requests_per_instance: 50, target: 0.6)",
    ] {
        let rejected = match opts.from_str::<PredictiveConfig>(bad) {
            Err(_) => true,
            Ok(c) => c.validate().is_err(),
        };
        assert!(rejected, "{bad}");
    }
}

#[test]
fn window_and_period() {
    let p = Predictive::new(PredictiveConfig::new(50.0)).unwrap();
    assert_eq!(p.period_secs(), 300.0);
    assert_eq!(p.window_secs(), (300.0, 60.0));
    assert_eq!(p.name(), "predictive");
}

#[test]
fn no_forecast_before_history_min_secs() {
    let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
    // Evaluations every 300 s from t = 300 (Mon 00:05): the first window is [-60, 240]
    // and the latest ends at t - 60, so they cover t seconds: 23.92 h at t = 86100.
    let log = w.run(300.0, 86_100.0, 300.0, &daily_curve);
    for (_, rec) in &log {
        assert_eq!(rec.desired, 2);
        assert!(rec.reason.starts_with("learning: "), "{}", rec.reason);
    }
    // 6 h in: 21600 s of history of 86400.
    assert_eq!(at(&log, 6.0 * H).reason, "learning: 6 h of 24 h history");
    // 86100 s = 23.92 h -> "23.9 h".
    assert_eq!(
        at(&log, 86_100.0).reason,
        "learning: 23.9 h of 24 h history"
    );
    assert_eq!(w.policy.forecast_per_sec(DAY + 9.0 * H), None);
    // At t = 86400 the windows cover exactly 24 h: the forecast exists.
    w.step(DAY, &daily_curve);
    assert!(w.policy.forecast_per_sec(DAY + 9.0 * H).is_some());
}

#[test]
fn one_day_of_history_forecasts_tomorrow_and_scales_ahead() {
    let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
    // Monday learning, Tuesday until 10:00.
    let log = w.run(300.0, DAY + 10.0 * H, 300.0, &daily_curve);

    // Tue 09:00's slot was filed on Monday from the window [08:59, 09:04] (evaluated
    // at 09:05, 60 s lag): 60 s of ramp averaging (992.5 + 1000) / 2 = 996.25 and 240 s
    // at 1000 -> (996.25 * 60 + 1000 * 240) / 300 = 999.25 req/s, 0.075 % from 1000.
    let f = w.policy.forecast_per_sec(DAY + 9.0 * H).unwrap();
    assert!((f - 1000.0).abs() / 1000.0 < 0.03, "{f}");
    assert_near(f, 999.25);

    // Hourly steps with a 300 s period and a 90 s boot buffer come at hh:55 (hh:55 +
    // 300 + 90 passes the hour). Tue 06:55, for 07:00-08:00: the busiest slot is 07:55,
    // its window [07:54, 07:59] all on the ramp, mean = the ramp at 07:56:30 =
    // 100 + 900 * 56.5/120 = 523.75 -> ceil(523.75 / 50) = ceil(10.475) = 11.
    let r = at(&log, DAY + 6.0 * H + 55.0 * MIN);
    assert_eq!((r.desired, r.raw_desired), (11, 11));
    assert_near(r.metric_value.unwrap(), 523.75);
    // 50 req/s per instance is in the reason, not in `target` (another unit).
    assert_eq!(r.target, None);
    // Tue 07:55, for 08:00-09:00: slot 08:55, the ramp at 08:56:30 =
    // 100 + 900 * 116.5/120 = 973.75 -> ceil(19.475) = 20.
    let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
    assert_eq!(r.desired, 20);
    assert_eq!(
        r.reason,
        "forecast 974 req/s at Tue 08:55 (peak of Tue 08:00-09:00, +90 s boot) needs 20 \
         at 50 req/s each: 11 -> 20"
    );
    // Tue 08:55, for 09:00-10:00: peak 1000 (slot 09:05 on) -> 20, already there.
    let r = at(&log, DAY + 8.0 * H + 55.0 * MIN);
    assert_eq!((r.desired, r.metric_value), (20, Some(1000.0)));
    assert!(r.reason.ends_with("holds 20"), "{}", r.reason);

    // The 20 instances needed at 09:00 (1000 / 50) were asked for at least the boot
    // time before 09:00 (here at 07:55, 65 min before).
    let first = log
        .iter()
        .find(|(t, r)| *t >= DAY && r.desired >= 20)
        .unwrap()
        .0;
    assert!(first <= DAY + 9.0 * H - w.boot_secs, "{first}");
    // After the first step (Tue 00:00, as soon as 24 h were known), the steps come at
    // hh:55 only.
    for (t, r) in log.iter().filter(|(t, _)| *t > DAY) {
        if !r.reason.contains("forecast") {
            assert!(r.reason.starts_with("learning") || r.reason.contains("next hourly"));
        } else {
            assert_eq!(t.rem_euclid(H), 55.0 * MIN, "{t}: {}", r.reason);
        }
    }
    // Between steps the policy says when the next one is.
    assert_eq!(
        at(&log, DAY + 9.0 * H).reason,
        "holds 20: next hourly step for Tue 10:00 (launch by Tue 09:58:30)"
    );
}

#[test]
fn every_evaluation_mode_steps_with_the_ramp() {
    let mut c = PredictiveConfig::new(50.0);
    c.hourly = false;
    let mut w = World::new(c, 2, 2, 40);
    let log = w.run(300.0, DAY + 9.0 * H, 300.0, &daily_curve);
    // At a, capacity covers [a + 90, a + 390), slots by the rate at their start + 90 s.
    // Tue 08:40: slots 08:40 (ramp at 08:41:30 = 861.25), 08:45 (898.75) -> ceil(17.975)
    // = 18. 08:45: slots 08:45, 08:50 (936.25) -> 19. 08:50: 08:50, 08:55 (973.75) -> 20.
    assert_eq!(at(&log, DAY + 8.0 * H + 40.0 * MIN).desired, 18);
    assert_eq!(at(&log, DAY + 8.0 * H + 45.0 * MIN).desired, 19);
    assert_eq!(at(&log, DAY + 8.0 * H + 50.0 * MIN).desired, 20);
}

#[test]
fn a_week_of_history_forecasts_monday_from_last_monday() {
    let mut c = PredictiveConfig::new(50.0);
    c.scale_in_to_forecast = true;
    let mut w = World::new(c, 2, 2, 40);
    let week = WEEK_SECS;
    let log = w.run(300.0, week + 7.0 * H, 300.0, &weekly_curve);

    // Mon 09:00 has been seen once, last Monday: 999.25 (as in the one-day test).
    assert_near(w.policy.forecast_per_sec(9.0 * H).unwrap(), 999.25);
    // Sunday 09:00 was quiet: 100.
    assert_near(
        w.policy.forecast_per_sec(6.0 * DAY + 9.0 * H).unwrap(),
        100.0,
    );
    // The time-of-day mean it did not use: the seven visits weigh Sun 1/2, Sat 1/4,
    // Fri 1/8, Thu 1/16, Wed 1/32, Tue 1/64, Mon 1/64, so the weekdays 1/4 in all:
    // 0.75 * 100 + 0.25 * 999.25 = 324.8125.
    assert_near(w.policy.history.daily[9 * 12].get().unwrap(), 324.8125);

    // Mon 06:55, the step for 07:00-08:00: last Monday's 07:55 slot, 523.75 -> 11 (from
    // Sunday it would be 100 -> 2; from the daily mean 205.9 -> 5).
    let r = at(&log, week + 6.0 * H + 55.0 * MIN);
    assert_near(r.metric_value.unwrap(), 523.75);
    assert_eq!((r.raw_desired, r.desired), (11, 11));
    assert!(r.reason.ends_with("2 -> 11"), "{}", r.reason);
}

#[test]
fn no_scale_in_when_arrivals_exceed_the_forecast() {
    // Monday learns the weekday; on Tuesday the load stays at 1000 after 10:00.
    let long_day = |clock: f64| {
        if clock >= DAY + 10.0 * H {
            1000.0
        } else {
            daily_curve(clock)
        }
    };
    let mut c = PredictiveConfig::new(50.0);
    c.scale_in_to_forecast = true;
    let mut w = World::new(c.clone(), 2, 2, 40);
    let log = w.run(300.0, DAY + 13.0 * H, 300.0, &long_day);
    // Tue 10:55, for 11:00-12:00: peak slot 11:00, the ramp down at 11:01:30 =
    // 1000 - 900 * 61.5/120 = 538.75 -> 11 < 20. The window just measured,
    // [10:49, 10:54], holds 1000 req/s; Monday's forecast for that slot was the ramp at
    // 10:51:30, 1000 - 900 * 51.5/120 = 613.75, and 1000 > 613.75 * 1.1: hold 20.
    let r = at(&log, DAY + 10.0 * H + 55.0 * MIN);
    assert_eq!((r.raw_desired, r.desired), (11, 20));
    assert!(
        r.reason.ends_with(
            "holds 20 (arrivals 1000 req/s > forecast 614 req/s for the same time: no scale-in)"
        ),
        "{}",
        r.reason
    );
    // Still holding at 12:55 (forecast 100 -> 2, arrivals 1000).
    assert_eq!(at(&log, DAY + 12.0 * H + 55.0 * MIN).desired, 20);

    // The same Tuesday as Monday: measured 613.75 = forecast, so it scales in to 11,
    // then at 11:55 (slot 12:00 window [11:59, 12:04]: (103.75 * 60 + 100 * 240) / 300
    // = 100.75 -> 3) to 3.
    let mut w = World::new(c, 2, 2, 40);
    let log = w.run(300.0, DAY + 12.0 * H, 300.0, &daily_curve);
    assert_eq!(at(&log, DAY + 10.0 * H + 55.0 * MIN).desired, 11);
    assert_eq!(at(&log, DAY + 11.0 * H + 55.0 * MIN).desired, 3);

    // AWS's default never scales in, whatever the arrivals.
    let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
    let log = w.run(300.0, DAY + 13.0 * H, 300.0, &daily_curve);
    let r = at(&log, DAY + 10.0 * H + 55.0 * MIN);
    assert_eq!((r.raw_desired, r.desired), (11, 20));
    assert!(
        r.reason
            .ends_with("holds 20 (predictive scaling does not scale in)")
    );
    assert_eq!(w.current, 20);
}

#[test]
fn min_and_max_are_respected() {
    let mut w = World::new(PredictiveConfig::new(50.0), 5, 5, 10);
    let log = w.run(300.0, DAY + 8.0 * H, 300.0, &daily_curve);
    // Tue 05:55, for 06:00-07:00: 100 req/s -> 2, below min 5: 5.
    let r = at(&log, DAY + 5.0 * H + 55.0 * MIN);
    assert_eq!((r.raw_desired, r.desired), (2, 5));
    assert!(r.reason.ends_with("holds 5 (at min 5)"), "{}", r.reason);
    // Tue 07:55: 973.75 -> 20, above max 10: 10.
    let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
    assert_eq!((r.raw_desired, r.desired), (20, 10));
    assert!(r.reason.ends_with("(at max 10)"), "{}", r.reason);
    assert!(log.iter().all(|(_, r)| (5..=10).contains(&r.desired)));
    assert_eq!(w.policy.max_capacity(10), 10);
}

#[test]
fn max_capacity_buffer_reproduces_the_aws_example() {
    // AWS: "if the predicted capacity is 50 and the maximum capacity is 40, then the
    // effective maximum capacity is 55" with a 10 % buffer. 1000 req/s at 20 each = 50.
    let flat = |_: f64| 1000.0;
    for (pct, max_after, desired) in [(Some(10), 55, 50), (Some(0), 50, 50), (None, 40, 40)] {
        let mut c = PredictiveConfig::new(20.0);
        c.max_capacity_buffer_pct = pct;
        let mut w = World::new(c, 10, 2, 40);
        let log = w.run(300.0, DAY + H, 300.0, &flat);
        // The first step, Tue 00:00 (24 h known): 50 + ceil(50 * 10 / 100) = 55; with
        // 0 %, 50; without a buffer the max stays 40 and so does the pool.
        let r = at(&log, DAY);
        assert_eq!((r.raw_desired, w.current), (50, desired), "{pct:?}");
        assert_eq!(w.policy.max_capacity(40), max_after, "{pct:?}");
    }
}

#[test]
fn forecast_only_never_changes_capacity() {
    let mut c = PredictiveConfig::new(50.0);
    c.mode = PredictiveMode::ForecastOnly;
    let mut w = World::new(c, 4, 2, 40);
    let log = w.run(300.0, 2.0 * DAY, 300.0, &daily_curve);
    assert!(log.iter().all(|(_, r)| r.desired == 4));
    // It still reports the forecast: Tue 07:55, 973.75 -> would need 20.
    let r = at(&log, DAY + 7.0 * H + 55.0 * MIN);
    assert_eq!(r.raw_desired, 20);
    assert_near(r.metric_value.unwrap(), 973.75);
    assert!(r.reason.starts_with("forecast only: forecast 974 req/s"));
    assert!(
        r.reason
            .ends_with("needs 20 at 50 req/s each; capacity stays 4")
    );
}

#[test]
fn history_is_bounded_whatever_the_run_length() {
    let mut c = PredictiveConfig::new(50.0);
    c.evaluate_every_secs = 60.0;
    let mut w = World::new(c, 2, 2, 40);
    let before = (w.policy.history.weekly.len(), w.policy.history.daily.len());
    // Ten weeks of one-minute evaluations: 100800 samples.
    let ten_weeks = 10.0 * WEEK_SECS;
    let mut t = 60.0;
    while t <= ten_weeks {
        w.step_with(t, Some(daily_curve(t)));
        t += 60.0;
    }
    // 2016 time-of-week and 288 time-of-day entries, before and after.
    assert_eq!(before, (2016, 288));
    let h = &w.policy.history;
    assert_eq!((h.weekly.len(), h.daily.len()), (2016, 288));
    // Each time-of-week slot was visited once a week (the last week's final slot is
    // still open): 10 visits; each time-of-day slot 70 times.
    assert_eq!(h.weekly[9 * 12].visits, 10);
    assert_eq!(h.daily[9 * 12].visits, 70);
}

#[test]
fn runs_starting_mid_week_keep_their_clock() {
    // Start Sunday 18:00: the first week wraps past Monday 00:00 and slots stay put.
    let mut w = World::new(PredictiveConfig::new(50.0), 2, 2, 40);
    w.start = 6.0 * DAY + 18.0 * H;
    let log = w.run(300.0, DAY + 15.0 * H, 300.0, &daily_curve);
    // Run time DAY + 13:55 is Tue 07:55 (Sun 18:00 + 1 d 13:55), the step for
    // 08:00-09:00: Tuesday never seen, so Monday's (next week's) slots by time of day:
    // 973.75 at 08:55 -> 20.
    let r = at(&log, DAY + 13.0 * H + 55.0 * MIN);
    assert_eq!(r.desired, 20);
    assert!(r.reason.contains("at Tue 08:55"), "{}", r.reason);
}

#[test]
fn formats() {
    assert_eq!(fmt_duration(35.0 * MIN), "35 min");
    assert_eq!(fmt_duration(6.0 * H), "6 h");
    assert_eq!(fmt_rate(812.4), "812");
    assert_eq!(fmt_rate(7.5), "7.5");
    assert_eq!(fmt_rate(90.0), "90");
}
