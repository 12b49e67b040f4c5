//! The workload: arrivals per interval follow the rate curve (within Poisson noise), the
//! recorded offered rate is the curve's mean over each interval, and batches clump
//! arrivals as documented.

use scalesim::metrics::IntervalRow;

use super::common::*;

/// How the arrivals of a run compare with the expected counts per interval.
#[derive(Debug)]
struct Fit {
    rows: usize,
    /// Largest |arrivals − expected| / √expected.
    max_z: f64,
    /// Mean of z²: about 1 for Poisson counts (the index of dispersion).
    mean_z2: f64,
    total: u64,
    expected_total: f64,
}

/// Compares every row's arrivals with `expected(row)` (a mean count).
fn fit(rows: &[IntervalRow], expected: impl Fn(&IntervalRow) -> f64) -> Fit {
    let (mut max_z, mut sum_z2, mut total, mut expected_total) = (0.0f64, 0.0, 0, 0.0);
    for r in rows {
        let e = expected(r);
        assert!(e > 0.0, "row at {} expects no arrivals", r.start_secs);
        let z = (r.arrivals as f64 - e) / e.sqrt();
        max_z = max_z.max(z.abs());
        sum_z2 += z * z;
        total += r.arrivals;
        expected_total += e;
    }
    Fit {
        rows: rows.len(),
        max_z,
        mean_z2: sum_z2 / rows.len() as f64,
        total,
        expected_total,
    }
}

impl Fit {
    /// Poisson: every interval within 5 sd (over ~1,000 intervals the largest |z| is
    /// about 3.3 typically; P(|z| > 5) = 6e-7 per interval), the index of dispersion
    /// within 4 of its sd √(2/n) of 1 (0.18 for n = 1,000) and the total within 1 %.
    fn assert_poisson(&self, what: &str) {
        println!("{what}: {self:?}");
        assert!(
            self.max_z <= 5.0,
            "{what}: an interval is {:.1} Poisson sd away from the curve",
            self.max_z
        );
        let band = 4.0 * (2.0 / self.rows as f64).sqrt();
        assert!(
            (self.mean_z2 - 1.0).abs() <= band,
            "{what}: index of dispersion {:.3}, Poisson gives 1 ± {band:.3}",
            self.mean_z2
        );
        let rel = (self.total as f64 - self.expected_total).abs() / self.expected_total;
        assert!(
            rel <= 0.01,
            "{what}: {} arrivals, the curve says {:.0} ({:.2}% off)",
            self.total,
            self.expected_total,
            100.0 * rel
        );
    }
}

/// A light pool that serves everything at once: only the arrivals matter here.
fn scenario_with_rate(name: &str, start: &str, duration: f64, interval: f64, rate: &str) -> String {
    format!(
        r#"(
        name: "{name}",
        start: "{start}",
        duration_secs: {duration},
        seed: 21,
        interval_secs: {interval},
        workload: (
            rate: {rate},
            classes: [(name: "ping", demand: Constant(secs: 0.0001))],
        ),
        pools: [(name: "p", instance: "ref.1", workers: 16, queue_capacity: 1000, size: (min: 1, max: 1))],
    )"#
    )
}

/// Mean of a piecewise-linear rate through `knots` over [a, b] (flat outside them), by
/// integrating each straight piece exactly: the test's own version of the curve.
fn mean_rate(knots: &[(f64, f64)], a: f64, b: f64) -> f64 {
    let rate = |t: f64| -> f64 {
        if t <= knots[0].0 {
            return knots[0].1;
        }
        for w in knots.windows(2) {
            let ((t0, r0), (t1, r1)) = (w[0], w[1]);
            if t < t1 {
                return if t1 > t0 {
                    r0 + (r1 - r0) * (t - t0) / (t1 - t0)
                } else {
                    r1
                };
            }
        }
        knots[knots.len() - 1].1
    };
    // Break [a, b] at the knots; each piece is linear, so the trapezoid is exact.
    let mut cuts = vec![a];
    cuts.extend(knots.iter().map(|k| k.0).filter(|&t| t > a && t < b));
    cuts.push(b);
    let mut area = 0.0;
    for w in cuts.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        // Just inside the piece, so a jump at a cut takes the piece's own side.
        let eps = (hi - lo) * 1e-12;
        let (r_lo, r_hi) = (rate(lo + eps), rate(hi - eps));
        area += (r_lo + r_hi) / 2.0 * (hi - lo);
    }
    area / (b - a)
}

#[test]
fn arrivals_follow_a_ramp() {
    // 20/s for the first hour, a straight line up to 100/s over the second, 100/s for the
    // third: expected 20·3600 + 60·3600 + 100·3600 = 648,000 requests (sd 805, 0.12 %).
    // 35 s intervals do not divide the hour, so some intervals straddle the ramp's corners
    // and the last one is only 10,800 − 308·35 = 20 s long.
    let text = scenario_with_rate(
        "ramp",
        "mon 00:00",
        10_800.0,
        35.0,
        r#"Ramp(from_per_sec: 20, to_per_sec: 100, start: "+1h", ramp_secs: 3600)"#,
    );
    let s = scenario_from_text("ramp.ron", &text);
    let o = run(&s);
    let rows = o.recorder().rows();
    assert_eq!(rows.len(), 309);
    assert_eq!(
        (rows[308].start_secs, rows[308].end_secs),
        (10_780.0, 10_800.0)
    );
    let knots = [
        (0.0, 20.0),
        (3600.0, 20.0),
        (7200.0, 100.0),
        (10_800.0, 100.0),
    ];
    // The recorded offered rate is the curve's mean over the interval: e.g. the interval
    // [3570, 3605) is 30 s at 20/s and 5 s rising from 20 to 20 + 80·5/3600 = 20.111,
    // a mean of (30·20 + 5·20.0556)/35 = 20.0079/s.
    for r in rows {
        let want = mean_rate(&knots, r.start_secs, r.end_secs);
        assert!(
            (r.offered_per_sec - want).abs() <= 1e-9 * want,
            "offered {} at {}, expected {want}",
            r.offered_per_sec,
            r.start_secs
        );
    }
    let straddle = rows.iter().find(|r| r.start_secs == 3570.0).unwrap();
    let want = (30.0 * 20.0 + 5.0 * (20.0 + 80.0 * 5.0 / 3600.0 / 2.0)) / 35.0;
    assert!(
        (straddle.offered_per_sec - want).abs() < 1e-9 && (want - 20.0079).abs() < 1e-4,
        "{want}"
    );
    let f = fit(rows, |r| r.offered_per_sec * (r.end_secs - r.start_secs));
    assert!(
        (f.expected_total - 648_000.0).abs() < 1e-6,
        "{}",
        f.expected_total
    );
    assert_eq!(f.rows, 309);
    f.assert_poisson("Ramp 20 -> 100/s");
}

#[test]
fn arrivals_follow_steps() {
    // 50/s, then 200/s from +30m35s, then 10/s from +1h, for 1.5 h in 10 s intervals.
    // The interval [1830, 1840) holds the first step: (5·50 + 5·200)/10 = 125/s.
    // Expected total: 1835·50 + 1765·200 + 1800·10 = 91,750 + 353,000 + 18,000 = 462,750.
    let text = scenario_with_rate(
        "step",
        "tue 10:00",
        5400.0,
        10.0,
        r#"Step(initial_per_sec: 50, steps: [("+1h", 10), ("+30m35s", 200)])"#,
    );
    let s = scenario_from_text("step.ron", &text);
    let o = run(&s);
    let rows = o.recorder().rows();
    assert_eq!(rows.len(), 540);
    for r in rows {
        let want = match r.start_secs {
            t if t < 1830.0 => 50.0,
            1830.0 => 125.0,
            t if t < 3600.0 => 200.0,
            _ => 10.0,
        };
        assert!(
            (r.offered_per_sec - want).abs() < 1e-9,
            "offered {} at {}, expected {want}",
            r.offered_per_sec,
            r.start_secs
        );
    }
    let f = fit(rows, |r| r.offered_per_sec * 10.0);
    assert!((f.expected_total - 462_750.0).abs() < 1e-6);
    f.assert_poisson("Step 50 -> 200 -> 10/s");
}

#[test]
fn arrivals_follow_the_monday_spike() {
    // A scaled-down Monday spike from Sunday 22:00 to Monday 14:00 (16 h, 960 intervals of
    // 60 s): 5/s at night, 120/s at 09:00, the ramp starting 45 min before.
    let text = scenario_with_rate(
        "spike",
        "sun 22:00",
        57_600.0,
        60.0,
        r#"MondaySpike(night_per_sec: 5, peak_per_sec: 120, peak_at: "mon 09:00", ramp_secs: 2700)"#,
    );
    let s = scenario_from_text("spike.ron", &text);
    let o = run(&s);
    let rows = o.recorder().rows();
    assert_eq!(rows.len(), 960);
    // The shape, from the curve's definition: the night rate until the ramp starts at
    // 08:15 (Sunday 22:00 + 10 h 15 min = 36,900 s), the peak at 09:00 (39,600 s).
    for r in rows.iter().filter(|r| r.end_secs <= 36_900.0) {
        assert!(
            (r.offered_per_sec - 5.0).abs() < 1e-9,
            "night rate at {}: {}",
            r.start_secs,
            r.offered_per_sec
        );
    }
    let at_peak = rows.iter().find(|r| r.start_secs == 39_600.0).unwrap();
    assert!(
        (at_peak.offered_per_sec - 120.0).abs() < 1.0,
        "peak: {}",
        at_peak.offered_per_sec
    );
    let max = rows.iter().map(|r| r.offered_per_sec).fold(0.0, f64::max);
    assert!(max <= 120.0 + 1e-9 && max > 119.0, "max offered {max}");
    // The offered column is the compiled curve's integral over each interval.
    for r in rows {
        let want = s.profile.expected_arrivals(r.start_secs, r.end_secs) / 60.0;
        assert!((r.offered_per_sec - want).abs() <= 1e-9 * want.max(1.0));
    }
    let f = fit(rows, |r| r.offered_per_sec * 60.0);
    f.assert_poisson("MondaySpike 5 -> 120/s");
    // The interval counts rise and fall with the curve: the busiest hour has >20x the night's.
    assert!(f.total as f64 > 1_000_000.0, "{}", f.total);
}

#[test]
fn batches_keep_the_rate_and_clump_arrivals() {
    // Batch(mean_size: 4): batches of geometric size (mean m = 4) arrive at 200/4 = 50/s,
    // so the request rate is still 200/s, but counts are over-dispersed: the variance of a
    // compound Poisson count is λt·E[X²]/E[X] and for the geometric E[X²]/E[X] = 2m − 1 = 7.
    // Over 360 intervals of 10 s the dispersion index has sd ≈ 7·√(2/360) ≈ 0.5.
    let mut text = scenario_with_rate("batch", "mon 00:00", 3600.0, 10.0, "Constant(per_sec: 200)");
    text = text.replace(
        "rate: Constant(per_sec: 200),",
        "rate: Constant(per_sec: 200),\n            burst: Batch(mean_size: 4),",
    );
    let s = scenario_from_text("batch.ron", &text);
    let o = run(&s);
    let f = fit(o.recorder().rows(), |_| 2000.0);
    println!("Batch(mean_size: 4): {f:?}");
    // 720,000 expected, sd √(720,000·7) ≈ 2,245 (0.31 %): within 1.5 %.
    let rel = (f.total as f64 - 720_000.0).abs() / 720_000.0;
    assert!(rel <= 0.015, "{} arrivals vs 720,000", f.total);
    assert!(
        (5.0..=9.0).contains(&f.mean_z2),
        "index of dispersion {:.2}, expected about 7",
        f.mean_z2
    );
}

/// A scenario in `dir` replaying `trace.csv` (also in `dir`) for `duration` seconds.
fn trace_scenario(
    dir: &std::path::Path,
    trace: &str,
    duration: f64,
    rate: &str,
) -> std::path::PathBuf {
    std::fs::write(dir.join("trace.csv"), trace).unwrap();
    let path = dir.join("replay.ron");
    std::fs::write(
        &path,
        scenario_with_rate("replay", "mon 00:00", duration, 10.0, rate),
    )
    .unwrap();
    path
}

#[test]
fn a_negative_trace_time_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 a comment, 2 the header, 3 and 4 rows, 5 the negative time.
    let path = trace_scenario(
        dir.path(),
        "# made up\ntime_secs,count\n0,10\n60,20\n-60,5\n",
        600.0,
        r#"Trace(file: "trace.csv")"#,
    );
    let e = scalesim::scenario::load(&path).unwrap_err().to_string();
    assert!(e.contains("trace.csv:5: time_secs -60 is negative"), "{e}");
    // And the scenario line that names the trace: line 8 of the generated file.
    assert!(e.contains("replay.ron:8:"), "{e}");
}

#[test]
fn a_run_longer_than_its_trace_warns_with_both_lengths() {
    let dir = tempfile::tempdir().unwrap();
    // Ten one-minute buckets of 600 requests: the trace covers 600 s at 10/s.
    let mut trace = String::from("time_secs,count\n");
    for t in (0..600).step_by(60) {
        trace += &format!("{t},600\n");
    }
    let path = trace_scenario(dir.path(), &trace, 1200.0, r#"Trace(file: "trace.csv")"#);
    let s = scalesim::scenario::load(&path).unwrap();
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    let w = &s.warnings[0];
    assert!(w.contains("replay.ron:8:"), "{w}");
    assert!(w.contains("covers 600 s of the run"), "{w}");
    assert!(w.contains("the run lasts 1200 s"), "{w}");
    assert!(
        w.contains("10.000 requests/s, is held for the remaining 600 s"),
        "{w}"
    );
    // The held rate is what the run gets: 1200 s at 10/s = 12,000 expected.
    assert!((s.profile.expected_arrivals(0.0, 1200.0) - 12_000.0).abs() < 1e-6);
    // A run that fits the trace has nothing to warn about.
    let path = trace_scenario(dir.path(), &trace, 600.0, r#"Trace(file: "trace.csv")"#);
    assert!(scalesim::scenario::load(&path).unwrap().warnings.is_empty());
}

#[test]
fn a_huge_trace_is_read_only_as_far_as_a_short_run_needs() {
    // Two million one-second buckets (about 23 MB) ending with a row that is an error
    // (a negative time on line 2,000,001). A one-hour run from trace second 60 reads the
    // rows up to the first past 3,660 s and never reaches it; a run that needs the whole
    // trace does, and says where it is.
    let dir = tempfile::tempdir().unwrap();
    let mut trace = String::with_capacity(24_000_000);
    trace += "time_secs,count\n";
    for t in 0..1_999_999u32 {
        trace += &t.to_string();
        trace += ",2\n";
    }
    trace += "-1,2\n";
    let path = trace_scenario(
        dir.path(),
        &trace,
        3600.0,
        r#"Trace(file: "trace.csv", from_secs: 60)"#,
    );
    drop(trace);
    let s = scalesim::scenario::load(&path).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // 2/s throughout: 7,200 expected in the hour; the knots stay within the hour.
    assert!((s.profile.expected_arrivals(0.0, 3600.0) - 7200.0).abs() < 1e-6);
    // Two knots per one-second step of the hour, and the edges.
    assert!(
        s.profile.knots().len() <= 2 * 3600 + 4,
        "{}",
        s.profile.knots().len()
    );
    let (mut file, source) = scalesim::scenario::read(&path).unwrap();
    file.duration_secs = 2_500_000.0;
    let e = scalesim::scenario::Scenario::validate(file, &source)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("trace.csv:2000001: time_secs -1 is negative"),
        "{e}"
    );
}

#[test]
fn the_shipped_public_trace_replays_as_recorded() {
    // scenarios/traces/wwwusage.ron replays R's WWWusage (100 one-minute readings of the
    // users on a server, 84..228) at scale 2 for the 99 minutes the samples span. Rates are
    // samples, so they replay Smooth: straight lines between readings. The readings sum to
    // 13,708 and the first and last are 88 and 220, so the trapezoids give
    // 2 · 60 · (13,708 − (88 + 220)/2) = 1,626,480 requests (Poisson sd 1,275, 0.08 %).
    // The test reads the CSV itself and compares every 10 s interval with its own
    // integral of the lines, so the model's reader is checked, not trusted.
    let csv_path = repo_path("scenarios/traces/wwwusage.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    // The file carries its provenance, as scenarios/traces/README.md promises.
    for needed in [
        "Source: Durbin",
        "licence: part of R, GPL-2 | GPL-3",
        "Regenerate:",
    ] {
        assert!(csv.contains(needed), "wwwusage.csv does not say {needed:?}");
    }
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(lines.next(), Some("time_secs,rate_per_sec"));
    let knots: Vec<(f64, f64)> = lines
        .map(|l| {
            let (t, users) = l.split_once(',').unwrap();
            (
                t.parse::<f64>().unwrap(),
                2.0 * users.parse::<f64>().unwrap(),
            )
        })
        .collect();
    assert_eq!(knots.len(), 100);
    assert_eq!(knots[99], (5940.0, 440.0));
    let sum: f64 = knots.iter().map(|k| k.1).sum();
    assert_eq!(sum, 2.0 * 13_708.0);

    let s = load("scenarios/traces/wwwusage.ron");
    // The run is exactly as long as the trace: nothing to warn about.
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let o = run(&s);
    let rows = o.recorder().rows();
    assert_eq!(rows.len(), 594);
    for r in rows {
        let want = mean_rate(&knots, r.start_secs, r.end_secs);
        assert!(
            (r.offered_per_sec - want).abs() <= 1e-9 * want,
            "offered at {}: {} vs the trace's {want}",
            r.start_secs,
            r.offered_per_sec
        );
    }
    let f = fit(rows, |r| mean_rate(&knots, r.start_secs, r.end_secs) * 10.0);
    f.assert_poisson("WWWusage x2");
    assert!((f.expected_total - 1_626_480.0).abs() < 1e-6 * 1_626_480.0);
}
