//! Autoscaling end to end (issue #3): the shipped Monday-spike scenarios under each policy,
//! a stabilization window on an oscillating load, bounds, billing minimum, the decision
//! log and bad autoscaling settings.
//!
//! The shipped scenarios take seconds each (the predictive one simulates 7.5 days), so
//! they are run once, in parallel, and shared by the tests that read them. The Monday-spike
//! ones stop at Mon 10:40 (60,000 s after Sun 18:00): past the night, the ramp, the peak
//! and scheduled.ron's 10:30 release of its minimum, without the plateau until noon.

use std::sync::{LazyLock, Mutex, MutexGuard};

use rayon::prelude::*;
use scalesim::batch::RunOutput;
use scalesim::metrics::IntervalRow;
use scalesim::model::instance::InstanceState;

use super::common::*;

// ---------------------------------------------------------------------------------------
// The shipped scenarios, run once.

/// Where the Monday-spike runs stop: Mon 10:40, 16 h 40 min after Sun 18:00.
const SPIKE_END_SECS: f64 = 60_000.0;

/// Every scenario in scenarios/autoscaling/, by file stem: predictive.ron as shipped, the
/// others until [`SPIKE_END_SECS`].
static SHIPPED: LazyLock<Vec<(String, Mutex<RunOutput>)>> = LazyLock::new(|| {
    let mut files = ron_files_under(&repo_path("scenarios/autoscaling"));
    // The longest run first, so it does not start last on a busy pool.
    files.sort_by_key(|p| !p.ends_with("predictive.ron"));
    files
        .par_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let rel = path.strip_prefix(root()).unwrap().to_str().unwrap();
            let s = load_with(rel, |f| {
                if stem != "predictive" {
                    f.duration_secs = f.duration_secs.min(SPIKE_END_SECS);
                }
            });
            (stem, Mutex::new(run(&s)))
        })
        .collect()
});

/// The run of `scenarios/autoscaling/{stem}.ron`.
fn shipped(stem: &str) -> MutexGuard<'static, RunOutput> {
    let Some((_, out)) = SHIPPED.iter().find(|(s, _)| s == stem) else {
        panic!("no scenarios/autoscaling/{stem}.ron");
    };
    out.lock().unwrap_or_else(|e| e.into_inner())
}

/// Intervals starting in `[from, to)` (seconds after the run's start).
fn rows_in(rows: &[IntervalRow], from: f64, to: f64) -> Vec<&IntervalRow> {
    rows.iter()
        .filter(|r| r.start_secs >= from && r.start_secs < to)
        .collect()
}

/// Intervals in `[from, to)` where fewer than 99 % of requests met the SLO latency.
fn slo_breaches(rows: &[IntervalRow], from: f64, to: f64) -> usize {
    rows_in(rows, from, to)
        .iter()
        .filter(|r| r.within_slo < 0.99)
        .count()
}

// Monday 08:00 and 09:30 after a Sun 18:00 start: 14 h = 50,400 s and 15.5 h = 55,800 s.
const RAMP_FROM: f64 = 14.0 * 3600.0;
const RAMP_TO: f64 = 15.5 * 3600.0;

// ---------------------------------------------------------------------------------------
// 1. Reactive policies breach the SLO on the ramp; a schedule or a forecast does not.

#[test]
fn reactive_policies_breach_the_slo_on_the_monday_ramp_and_a_schedule_does_not() {
    let mut counts = Vec::new();
    for stem in [
        "target-tracking",
        "step-scaling",
        "simple-scaling",
        "hpa",
        "scheduled",
    ] {
        let out = shipped(stem);
        let rows = out.recorder().rows();
        // 08:00-09:30 is 5,400 s = 540 intervals of 10 s: the window is really there.
        assert_eq!(rows_in(rows, RAMP_FROM, RAMP_TO).len(), 540, "{stem}");
        counts.push((stem, slo_breaches(rows, RAMP_FROM, RAMP_TO)));
    }
    eprintln!("intervals with within_slo < 0.99, Mon 08:00-09:30: {counts:?}");
    // Measured at seed 42: target-tracking 41, hpa 11, step- and simple-scaling many more;
    // each reactive policy acts on load minutes old and then waits ~90 s of boot, so the
    // 45-minute ramp from 40 to 900 req/s outruns it.
    for (stem, n) in &counts[..3] {
        assert!(*n > 0, "{stem}: no SLO breach on the ramp ({counts:?})");
    }
    // The weekly schedule sets min 40 at 08:00, so 40 instances (~40 · 2 workers / 0.065 s
    // ≈ 1,230 req/s at 100 %) serve the 900 req/s peak from the start of the ramp.
    let scheduled = counts.iter().find(|(s, _)| *s == "scheduled").unwrap().1;
    assert_eq!(scheduled, 0, "scheduled breaches the SLO ({counts:?})");
    // ...and the schedule really did fill the fleet: at 09:00 (54,000 s) 40 in service.
    let out = shipped("scheduled");
    let at_nine = out
        .recorder()
        .rows()
        .iter()
        .find(|r| r.start_secs == 54_000.0)
        .unwrap();
    assert_eq!(at_nine.pools[0].snapshot.in_service, 40);
}

#[test]
fn predictive_scaling_meets_the_slo_on_the_second_monday_morning() {
    let out = shipped("predictive");
    let rows = out.recorder().rows();
    // Start Mon 00:00; the second Monday's 08:00-09:30 is 7 d + 8 h = 633,600 s to
    // 7 d + 9.5 h = 639,000 s: 5,400 s = 90 intervals of 60 s.
    let (from, to) = (7.0 * 86_400.0 + 8.0 * 3600.0, 7.0 * 86_400.0 + 9.5 * 3600.0);
    assert_eq!(rows_in(rows, from, to).len(), 90);
    let first = slo_breaches(rows, 8.0 * 3600.0, 9.5 * 3600.0);
    let second = slo_breaches(rows, from, to);
    eprintln!(
        "predictive: intervals with within_slo < 0.99, Mon 08:00-09:30: first week {first}, second week {second}"
    );
    let breaches: Vec<String> = rows_in(rows, from, to)
        .iter()
        .filter(|r| r.within_slo < 0.99)
        .map(|r| {
            format!(
                "{} s: within {:.3}, {} in service, {} booting, {:.0} req/s",
                r.start_secs,
                r.within_slo,
                r.pools[0].snapshot.in_service,
                r.pools[0].snapshot.booting,
                r.arrivals_per_sec()
            )
        })
        .collect();
    // The forecast's decisions from 06:00 on the second Monday, to explain a breach.
    let log: Vec<String> = out
        .recorder()
        .decisions()
        .iter()
        .filter(|d| d.time_secs >= from - 2.0 * 3600.0 && d.time_secs < to)
        .map(|d| format!("{} {} -> {}: {}", d.clock, d.from, d.to, d.reason))
        .collect();
    eprintln!("predictive, second Monday 06:00-09:30:\n{}", log.join("\n"));
    // The first Monday has no history (no forecast before 24 h): target tracking alone
    // chases the ramp and breaks the SLO for a few minutes (measured: 7 intervals), so
    // the load is a real test of the second Monday.
    assert!(
        first > 0,
        "the first Monday met the SLO without any forecast"
    );
    // With history the policy forecasts each hour's peak and launches ahead by the boot
    // time: 900 req/s needs ceil(900 / 24) = 38 instances at the scenario's 24 req/s each
    // (24 · 0.065 s / 2 workers ≈ 78 % CPU).
    assert!(
        log.iter().any(|l| l.contains("forecast")),
        "no forecast on the second Monday:\n{}",
        log.join("\n")
    );
    assert_eq!(
        second,
        0,
        "second Monday breaches:\n{}\ndecisions:\n{}",
        breaches.join("\n"),
        log.join("\n")
    );
    // Combined with target tracking, the pool follows the larger vote: predictive never
    // scales in by itself, but it votes only for the hour's forecast need, so target
    // tracking takes the fleet down at night. At 03:00 each night (40 req/s needs
    // ceil(40 / 24) = 2; target tracking settles at 2-3) it is small again...
    let week = 7.0 * 86_400.0;
    for day in 1..7 {
        let t = day as f64 * 86_400.0 + 3.0 * 3600.0;
        let night = rows_in(out.recorder().rows(), t, t + 60.0);
        assert!(!night.is_empty(), "no row at day {day} 03:00");
        assert!(
            night.iter().all(|r| r.in_service() <= 5),
            "day {day} 03:00: {} in service",
            night.first().map_or(0, |r| r.in_service())
        );
    }
    // ...and on the second Monday the forecast has it near 38 before the ramp starts
    // at 08:15 (launched at 07:55 for the 08:00 hour, 90 s boot).
    let before_ramp = rows_in(
        out.recorder().rows(),
        week + 8.0 * 3600.0 + 600.0,
        week + 8.0 * 3600.0 + 660.0,
    );
    // The forecast is shown beside the traffic (series.csv's forecast_per_sec): none on
    // the first day (no history yet); on the second Monday at 08:45 it matches the curve
    // (measured: 724 forecast vs 698 offered, 3.7 %; allow 10 %).
    let first_day = rows_in(out.recorder().rows(), 0.0, 86_000.0);
    assert!(first_day.iter().all(|r| r.forecast_per_sec().is_none()));
    let t = week + 8.75 * 3600.0;
    let at = rows_in(out.recorder().rows(), t, t + 60.0);
    let (forecast, offered) = (
        at[0].forecast_per_sec().expect("a forecast"),
        at[0].offered_per_sec,
    );
    assert!(
        (forecast / offered - 1.0).abs() < 0.10,
        "forecast {forecast} vs offered {offered}"
    );
    assert!(!before_ramp.is_empty(), "no row at the second Monday 08:10");
    assert!(
        before_ramp.iter().all(|r| r.in_service() >= 30),
        "second Monday 08:10: {} in service",
        before_ramp.first().map_or(0, |r| r.in_service())
    );
}

// ---------------------------------------------------------------------------------------
// 2. A stabilization window damps an oscillating load.

/// One HPA pool under a load that alternates every 2 minutes for an hour between 40 and
/// 200 req/s, with the given scale-down stabilization window.
fn oscillating(window_secs: u32) -> String {
    // Steps at +120, +240, ... +3480 s: odd multiples of 120 s go high, even ones low.
    let steps: Vec<String> = (1..30)
        .map(|k| {
            let rate = if k % 2 == 1 { 200 } else { 40 };
            format!("(\"+{}\", {rate})", k * 120)
        })
        .collect();
    format!(
        r#"(
        name: "oscillating-{window_secs}",
        duration_secs: 3600,
        seed: 7,
        interval_secs: 10,
        workload: (
            rate: Step(initial_per_sec: 40, steps: [{}]),
            classes: [(name: "req", demand: Exponential(mean_secs: 0.05))],
        ),
        pools: [(
            name: "web",
            instance: "m5.large",
            size: (min: 1, max: 20, initial: 2),
            autoscale: Hpa(
                metrics: [Utilization(metric: Cpu, target: 0.6)],
                behavior: (scale_down: (stabilization_window_secs: {window_secs})),
            ),
        )],
    )"#,
        steps.join(", ")
    )
}

#[test]
fn a_stabilization_window_reduces_scaling_actions_on_an_oscillating_load() {
    let outs: Vec<RunOutput> = [300, 0]
        .par_iter()
        .map(|&w| run(&scenario_from_text("oscillating.ron", &oscillating(w))))
        .collect();
    let (held, free) = (&outs[0].summary.instances, &outs[1].summary.instances);
    eprintln!(
        "oscillating load: scaling actions {} with a 300 s window ({} held), {} with none ({} held)",
        held.scaling_actions, held.held_decisions, free.scaling_actions, free.held_decisions
    );
    // 200 req/s · 0.05 s = 10 busy vCPU, at 60 % of 2 per instance: ceil(10 / 1.2) = 9
    // instances; 40 req/s: ceil(2 / 1.2) = 2. Without a window the HPA follows each of the
    // 29 steps down and up again (each move at least one action). With 300 s, every
    // scale-down is capped by the largest recommendation of the last 300 s, which always
    // covers a 120 s high phase (phases alternate every 120 s < 300 s), so after the first
    // rise it keeps the high count.
    assert!(
        held.scaling_actions < free.scaling_actions,
        "300 s window: {} actions, none: {} actions",
        held.scaling_actions,
        free.scaling_actions
    );
    // Without a window the pool did follow the load down: at least one scale-in per low
    // phase after the first rise, 14 low phases from +240 s on.
    assert!(free.scaling_actions >= 14, "{}", free.scaling_actions);
    // The window's holds are logged as decisions.
    assert!(
        outs[0]
            .recorder()
            .decisions()
            .iter()
            .any(|d| d.from == d.to && d.reason.contains("stabilization")),
        "no stabilization hold logged"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Min and max are never crossed.

/// The pool's minimum at `t` seconds: 2 as written, except in scheduled.ron, whose weekly
/// actions set min 40 at Mon 08:00 (50,400 s after Sun 18:00) and back to 2 at Mon 10:30
/// (59,400 s). At the very instants of the actions either bound may apply (an evaluation
/// may fall on the same second), so only the open interval between them requires 40.
fn min_at(stem: &str, t: f64) -> u32 {
    if stem == "scheduled" && t > 50_400.0 && t < 59_400.0 {
        40
    } else {
        2
    }
}

#[test]
fn autoscalers_never_cross_the_pool_bounds() {
    const MAX: u32 = 40;
    let mut reached_max = Vec::new();
    for (stem, _) in SHIPPED.iter() {
        let out = shipped(stem);
        let decisions = out.recorder().decisions();
        assert!(!decisions.is_empty(), "{stem}: no decision logged");
        for d in decisions {
            let min = min_at(stem, d.time_secs);
            assert!(
                (min..=MAX).contains(&d.to),
                "{stem}: decision outside [{min}, {MAX}]: {d:?}"
            );
        }
        let mut peak = 0;
        for r in out.recorder().rows() {
            let s = &r.pools[0].snapshot;
            peak = peak.max(s.in_service + s.booting);
            assert!(
                s.in_service + s.booting <= MAX,
                "{stem}: {} in service + {} booting > {MAX} at {} s",
                s.in_service,
                s.booting,
                r.end_secs
            );
            let min = min_at(stem, r.end_secs);
            assert!(
                (min..=MAX).contains(&s.desired),
                "{stem}: desired {} outside [{min}, {MAX}] at {} s",
                s.desired,
                r.end_secs
            );
        }
        if peak == MAX {
            reached_max.push(stem.clone());
        }
    }
    // The bound was pressed, not just never approached: the 900 req/s peak needs
    // 900 · 0.065 s / (2 · 0.6) ≈ 49 instances at 60 % CPU, more than 40.
    assert!(
        reached_max.len() >= 3,
        "few runs reached max 40: {reached_max:?}"
    );
    // min_at's times are those of scheduled.ron's actions, as logged.
    let out = shipped("scheduled");
    let schedule: Vec<(f64, u32)> = out
        .recorder()
        .decisions()
        .iter()
        .filter(|d| d.policy == "schedule")
        .map(|d| (d.time_secs, d.to))
        .collect();
    // 08:00: min 40 raises the fleet to 40; 10:30: min 2 leaves it at 40 for the policy.
    assert_eq!(schedule, [(50_400.0, 40), (59_400.0, 40)]);
}

// ---------------------------------------------------------------------------------------
// 4. Billing: never less than the minimum per start, and the total adds up.

#[test]
fn flapping_instances_are_billed_at_least_the_minimum() {
    let out = shipped("target-tracking");
    // m5.large at $0.096/h with a 60 s minimum: 0.096 · 60 / 3600 = $0.0016.
    let minimum_usd: f64 = 0.096 * 60.0 / 3600.0;
    assert!((minimum_usd - 0.0016).abs() < 1e-12);
    let instances = out.world.instances();
    let stopped: Vec<f64> = instances
        .iter()
        .filter(|i| i.launched_at.as_secs_f64() > 0.0 && i.state == InstanceState::Terminated)
        .map(|i| i.billing.total_usd())
        .collect();
    // The night flaps 2 <-> 3 (scale-in threshold 54 % close to 2 instances' load), so
    // instances are launched and terminated during the run.
    let night_flaps = out
        .recorder()
        .decisions()
        .iter()
        .filter(|d| d.time_secs < RAMP_FROM && d.from != d.to)
        .count();
    let cheapest = stopped.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "target-tracking: {night_flaps} capacity changes before Mon 08:00, {} instances launched and terminated, cheapest ${cheapest:.6}",
        stopped.len()
    );
    assert!(night_flaps >= 2, "{night_flaps}");
    assert!(
        !stopped.is_empty(),
        "no instance was launched and terminated"
    );
    for usd in &stopped {
        assert!(
            *usd >= minimum_usd * (1.0 - 1e-12),
            "an instance was billed ${usd} < ${minimum_usd}"
        );
    }
    // Every dollar of the run is some instance's: the summary equals the sum of the bills.
    let sum: f64 = instances.iter().map(|i| i.billing.total_usd()).sum();
    let total = out.summary.cost_usd;
    assert!(
        (total - sum).abs() <= 1e-9 * total,
        "summary ${total} vs sum of bills ${sum}"
    );
}

// ---------------------------------------------------------------------------------------
// 5. The decision log.

#[test]
fn decisions_say_why_capacity_changed_and_why_it_was_held() {
    let out = shipped("target-tracking");
    let decisions = out.recorder().decisions();
    // AWS target tracking's scale-out alarm wants 3 datapoints of one minute above target:
    // the reason says so, e.g. "cpu 81% > target 60% for 3 datapoints: 4 -> 6".
    let Some(out_d) = decisions
        .iter()
        .find(|d| d.to > d.from && d.reason.contains("3 datapoints"))
    else {
        panic!("no scale-out citing its 3 datapoints in {decisions:#?}");
    };
    assert_eq!(out_d.policy, "target-tracking");
    assert!(out_d.metric_value.unwrap() > 0.6, "{out_d:?}");
    assert_eq!(out_d.target, Some(0.6));
    // A hold: the policy wanted another capacity (raw_desired) and kept the current one,
    // with the reason (at max 40 on the peak, or a scale-in judged unsafe at night).
    let holds: Vec<_> = decisions.iter().filter(|d| d.from == d.to).collect();
    assert!(!holds.is_empty(), "no hold logged");
    for h in &holds {
        assert_ne!(h.raw_desired, h.to, "a hold wanted no change: {h:?}");
        assert!(
            !h.reason.trim().is_empty(),
            "a hold without a reason: {h:?}"
        );
    }
    assert!(
        holds
            .iter()
            .any(|h| h.raw_desired > 40 && h.reason.contains("at max 40")),
        "no hold at max 40: {holds:#?}"
    );

    // The HPA holds scale-downs within its 300 s stabilization window and says so.
    let out = shipped("hpa");
    let held: Vec<_> = out
        .recorder()
        .decisions()
        .iter()
        .filter(|d| d.from == d.to)
        .collect();
    let Some(stab) = held.iter().find(|d| d.reason.contains("stabilization")) else {
        panic!("hpa: no stabilization hold in {held:#?}");
    };
    // The stabilization floor is a past, larger recommendation: it wanted fewer.
    assert!(stab.raw_desired < stab.to, "{stab:?}");
    assert_eq!(out.summary.instances.held_decisions, held.len() as u64);
}

#[test]
fn the_cli_writes_the_decision_log_as_csv() {
    // hpa.ron's first hour (Sun 18:00-19:00, 40 req/s): 4 pods at ~33 % CPU, so it scales
    // in (4 -> 3 at 18:02:45) and logs stabilization holds.
    let hpa = std::fs::read_to_string(repo_path("scenarios/autoscaling/hpa.ron")).unwrap();
    assert!(hpa.contains("duration_secs: 64800,"));
    let short = hpa.replacen("duration_secs: 64800,", "duration_secs: 3600,", 1);
    let (o, out_dir, _dir) = run_binary_on("hpa-hour.ron", &short, &["--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv_text = std::fs::read_to_string(out_dir.join("decisions.csv")).unwrap();
    assert_eq!(
        csv_text.lines().next(),
        Some(
            "time_secs,clock,pool,policy,metric,unit,metric_value,target,from,raw_desired,to,type_from,type_to,reason"
        )
    );
    // The file holds the same decisions as the library's run of the same scenario.
    let lib = run(&scenario_from_text("hpa-hour.ron", &short));
    let decisions = lib.recorder().decisions();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(!decisions.is_empty());
    assert_eq!(records.len(), decisions.len(), "{csv_text}");
    for (rec, d) in records.iter().zip(decisions) {
        assert_eq!(rec[0].parse::<f64>().unwrap(), d.time_secs, "{rec:?}");
        assert_eq!(&rec[1], d.clock);
        assert_eq!((&rec[2], &rec[3]), (d.pool.as_str(), d.policy.as_str()));
        let n = |i: usize| rec[i].parse::<u32>().unwrap();
        assert_eq!(
            (&rec[4], &rec[5]),
            (d.metric.unwrap_or(""), d.unit.unwrap_or(""))
        );
        assert_eq!(
            (n(8), n(9), n(10)),
            (d.from, d.raw_desired, d.to),
            "{rec:?}"
        );
        // An HPA never resizes: no types.
        assert_eq!((&rec[11], &rec[12]), ("", ""));
        assert_eq!(&rec[13], d.reason);
    }
    // The first line is a hold: the formula wants 3 of the 4 pods at 18:02:45, but the HPA
    // recorded 4 as its first recommendation at 18:00 (upstream's
    // recordInitialRecommendation), and the 300 s scale-down window still holds it.
    assert_eq!(
        (
            &records[0][1],
            &records[0][8],
            &records[0][9],
            &records[0][10]
        ),
        ("Sun 18:02:45", "4", "3", "4")
    );
    // The 4 recorded at 18:00:15 stays in the window through 18:05:15 (upstream's
    // `Before(now - 300)` is false at exactly 300 s) and is out at 18:05:30: 4 -> 3.
    assert_eq!(
        (
            &records[1][1],
            &records[1][8],
            &records[1][9],
            &records[1][10]
        ),
        ("Sun 18:05:30", "4", "3", "3")
    );
}

// ---------------------------------------------------------------------------------------
// 6. Bad autoscaling settings are input errors at their line, never a panic.

/// A valid scenario whose `autoscale:` is on line 13.
const GOOD: &str = r#"// Autoscaling settings with (at most) one mistake.
(
    name: "bad-autoscale",
    duration_secs: 60,
    workload: (
        rate: Constant(per_sec: 5),
        classes: [(name: "page", demand: Exponential(mean_secs: 0.02))],
    ),
    pools: [(
        name: "web",
        instance: "m5.large",
        size: (min: 2, max: 4),
        autoscale: TargetTracking(metric: Cpu, target: 0.6),
    )],
)
"#;

#[test]
fn bad_autoscaling_settings_are_reported_at_their_line() {
    const TT: &str = "TargetTracking(metric: Cpu, target: 0.6)";
    let dir = tempfile::tempdir().unwrap();
    // (file, replacement of the policy, words the message must contain)
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "negative-target.ron",
            "TargetTracking(metric: Cpu, target: -1)",
            &["target", "-1"],
        ),
        (
            "unknown-hpa-field.ron",
            "Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)], colour: 1)",
            &["colour", "Hpa"],
        ),
        (
            "unknown-behavior-field.ron",
            "Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)], behavior: (scale_down: (window_secs: 300)))",
            &["window_secs", "stabilization_window_secs"],
        ),
    ];
    for (name, policy, words) in cases {
        assert!(GOOD.contains(TT));
        let path = dir.path().join(name);
        std::fs::write(&path, GOOD.replacen(TT, policy, 1)).unwrap();
        let p = path.to_str().unwrap();
        let o = scalesim(&["check", p]);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}\nstdout: {out}\nstderr: {err}"
        );
        assert!(
            !err.contains("panicked") && !out.contains("panicked"),
            "{err}"
        );
        // "<file>:13:<col>: ..."
        let Some(at) = err.find(&format!("{p}:")) else {
            panic!("{name}: the message does not name {p}:\n{err}");
        };
        let mut loc = err[at + p.len() + 1..].splitn(3, ':');
        let line: usize = loc.next().unwrap().parse().unwrap();
        let col: usize = loc.next().unwrap().parse().unwrap();
        assert_eq!(line, 13, "{name}: {err}");
        assert!(
            col > "        autoscale: ".len(),
            "{name}: column {col} in {err}"
        );
        for w in words {
            assert!(err.contains(w), "{name}: no {w:?} in\n{err}");
        }
    }
    // The unedited file passes, so the failures come from the edits.
    let good = dir.path().join("good.ron");
    std::fs::write(&good, GOOD).unwrap();
    let o = scalesim(&["check", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

// ---------------------------------------------------------------------------------------
// Lifecycle: load-balancer health checks delay service after boot.

#[test]
fn an_instance_gets_traffic_only_after_its_health_checks_pass() {
    // One instance from the start; the schedule adds one at +100 s. It boots in 20 s and
    // then must pass 3 checks 10 s apart: in service at 100 + 20 + 3 * 10 = +150 s.
    // Rows are 10 s long and report the state at their end, so the row starting at
    // +130 (ending +140) still shows 1 in service and 1 booting, the row starting at
    // +140 (ending +150) shows 2 in service.
    let text = r#"(
        name: "health-checks",
        duration_secs: 300,
        workload: (
            rate: Constant(per_sec: 10),
            classes: [(name: "r", demand: Exponential(mean_secs: 0.01))],
        ),
        instance_types: [(name: "t", vcpus: 1, memory_gib: 1, price_usd_per_hour: 0.1, boot_secs: 20)],
        pools: [(
            name: "web",
            instance: "t",
            size: (min: 1, max: 2),
            health_check: (interval_secs: 10, healthy_threshold: 3),
            schedule: [(at: "+100", desired: 2)],
        )],
    )"#;
    let out = run(&scenario_from_text("health-checks.ron", text));
    let rows = out.recorder().rows();
    let at = |start: f64| rows.iter().find(|r| r.start_secs == start).expect("row");
    let (before, after) = (at(130.0), at(140.0));
    assert_eq!(
        (before.in_service(), before.pools[0].snapshot.booting),
        (1, 1)
    );
    assert_eq!(
        (after.in_service(), after.pools[0].snapshot.booting),
        (2, 0)
    );
    // Billing runs from launch, health checks included: 300 s for the first, 200 s for
    // the second, at $0.1/h: 0.1 * 500 / 3600 = $0.013889.
    assert!(
        (out.summary.cost_usd - 0.1 * 500.0 / 3600.0).abs() < 1e-9,
        "{}",
        out.summary.cost_usd
    );
}

// ---------------------------------------------------------------------------------------
// Vertical scaling: a rolling restart keeps serving, restarting all at once does not.

#[test]
fn a_rolling_resize_keeps_serving_and_an_all_at_once_resize_goes_dark() {
    use scalesim::model::autoscale::AutoscaleSpec;
    let variant = |all_at_once: bool| {
        load_with("scenarios/autoscaling/vertical.ron", |f| {
            f.duration_secs = SPIKE_END_SECS;
            if let Some(AutoscaleSpec::Vertical(v)) = &mut f.pools[0].autoscale {
                v.all_at_once = all_at_once;
            }
        })
    };
    let (rolling, at_once) = rayon::join(|| run(&variant(false)), || run(&variant(true)));
    // Three moves up the ladder on the ramp (08:24, 08:34, 08:44), each a decision.
    for out in [&rolling, &at_once] {
        let moves = out
            .recorder()
            .decisions()
            .iter()
            .filter(|d| d.policy == "vertical")
            .count();
        assert_eq!(moves, 3);
    }
    // Rolling: one of four instances restarts at a time, so some instance always serves
    // and no request finds the pool empty. All at once: for each 60 s restart nothing
    // serves, so requests arriving then are dropped for lack of capacity (measured:
    // about 70,000 at 300-800 req/s over three restarts).
    let no_capacity = |o: &RunOutput| o.summary.requests.dropped_by_reason.no_capacity;
    assert_eq!(no_capacity(&rolling), 0);
    assert!(no_capacity(&at_once) > 10_000, "{}", no_capacity(&at_once));
    // Both end on m5.4xlarge: 4 instances x 16 workers.
    for out in [&rolling, &at_once] {
        let last = out.recorder().rows().last().expect("rows");
        assert_eq!(last.in_service(), 4);
        assert_eq!(out.world.pools()[0].config().workers, 16);
    }
}

// ---------------------------------------------------------------------------------------
// Several policies on one pool: no scale-in on a reading of another capacity.

/// Target tracking's metric window in predictive.ron: a 60 s datapoint delivered 60 s late,
/// so the reading used at `t` was taken over `[t - 120, t - 60]`.
const TT_WINDOW_SECS: f64 = 120.0;

#[test]
fn a_combined_pool_never_scales_in_on_a_reading_of_another_capacity() {
    let out = shipped("predictive");
    let rec = out.recorder();
    // Instances in service at the end of the 60 s interval ending at `t`.
    let in_service_at = |t: f64| {
        rec.rows()
            .iter()
            .find(|r| r.end_secs == t)
            .map(|r| r.pools[0].snapshot.in_service)
    };
    // The bug, on the old code: at each evening hour boundary predictive's new hourly vote
    // released its hold and the pool fell to target tracking's vote, and in the same second
    // target tracking applied a reading taken on the old capacity to the new one. Tue
    // 18:55: predictive's 19:00 step needs 16, so 26 fell to target tracking's vote of 18
    // (cpu 41.3 % on 26: ceil(26 * 0.413 / 0.6) = 18); then cpu 39.6 %, measured on the 26
    // over 18:53-18:54, applied to 18 asked for ceil(18 * 0.396 / 0.6) = 12 and the pool
    // went to 16 (predictive's vote), below the ceil(26 * 0.396 / 0.6) = 18 that reading
    // asks for, and had to scale out again at 18:59. 17 such scale-ins in the week.
    let mut last_other: Option<(f64, String)> = None;
    let (mut stale, mut too_far) = (Vec::new(), Vec::new());
    let mut tt_scale_ins = 0;
    for d in rec.decisions() {
        if d.policy == "target-tracking" && d.to < d.from {
            tt_scale_ins += 1;
            // No scale-in on a window that starts before another source's change.
            if let Some((t, who)) = &last_other
                && d.time_secs - t < TT_WINDOW_SECS
            {
                stale.push(format!(
                    "{} {} -> {} after {who} at {t} s",
                    d.clock, d.from, d.to
                ));
            }
            // Never below what the reading asks for on the capacity it was taken on:
            // ceil(in service at the window's end * cpu / 60 %).
            let n = in_service_at(d.time_secs - 60.0).expect("a row at the window's end");
            let cpu = d.metric_value.expect("target tracking logs its cpu");
            let fresh = (f64::from(n) * cpu / 0.6 - 1e-9).ceil() as u32;
            if d.to < fresh {
                too_far.push(format!(
                    "{} {} -> {}: cpu {cpu:.4} measured on {n} asks for {fresh}",
                    d.clock, d.from, d.to
                ));
            }
        }
        if d.from != d.to && d.policy != "target-tracking" {
            last_other = Some((d.time_secs, d.policy.clone()));
        }
    }
    assert!(
        tt_scale_ins >= 20,
        "only {tt_scale_ins} target-tracking scale-ins"
    );
    assert!(
        stale.is_empty(),
        "scale-ins on stale windows:\n{}",
        stale.join("\n")
    );
    assert!(
        too_far.is_empty(),
        "scale-ins too far:\n{}",
        too_far.join("\n")
    );
    // The run does meet the situation: predictive's hourly vote lowers the pool, and target
    // tracking's next scale-in is held until a window measured after the change arrives.
    let released = rec
        .decisions()
        .iter()
        .filter(|d| d.policy == "predictive" && d.to < d.from)
        .count();
    let held: Vec<_> = rec
        .decisions()
        .iter()
        .filter(|d| d.reason.contains("predates the capacity change"))
        .collect();
    assert!(released >= 5, "{released} releases");
    assert!(!held.is_empty(), "no scale-in held for a stale window");
    for h in &held {
        assert_eq!(h.from, h.to, "{h:?}");
        assert!(h.raw_desired < h.to, "{h:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Vertical scaling counts restarts as restarts and capacity at each instance's type.

#[test]
fn a_vertical_resize_counts_the_same_instances_and_each_type_at_its_own_capacity() {
    let out = shipped("vertical");
    let i = &out.summary.instances;
    // Four instances throughout: a resize stops, retypes and starts each of them, so none
    // is launched, 3 moves x 4 = 12 are restarted, and never more than 4 exist at once.
    assert_eq!((i.max, i.launched, i.restarted), (4, 0, 12));
    // Each move is a capacity change (a resize), not a hold.
    assert_eq!((i.resizes, i.scaling_actions, i.held_decisions), (3, 3, 0));
    let decisions = out.recorder().decisions();
    let moves: Vec<(String, String)> = decisions.iter().filter_map(|d| d.resize.clone()).collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        moves,
        [
            pair("m5.large", "m5.xlarge"),
            pair("m5.xlarge", "m5.2xlarge"),
            pair("m5.2xlarge", "m5.4xlarge"),
        ]
    );
    for (d, (from, to)) in decisions.iter().zip(&moves) {
        assert!(
            d.reason.contains(&format!("{from} -> {to}")),
            "{}",
            d.reason
        );
        assert_eq!((d.from, d.to), (4, 4));
    }
    // decisions.csv carries the types in their own columns, filled on the resize rows only.
    let csv_text = scalesim::metrics::output::decisions_csv(decisions);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (tf, tt) = (col("type_from"), col("type_to"));
    let csv_moves: Vec<(String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| !r[tf].is_empty())
        .map(|r| (r[tf].to_string(), r[tt].to_string()))
        .collect();
    assert_eq!(csv_moves, moves);
    let pool = &out.summary.pools[0];
    assert_eq!(pool.instance_type, "m5.4xlarge");
    // Instance-hours by type add up to the total.
    let by_type: f64 = i.hours_by_type.values().sum();
    assert!((by_type - i.instance_hours).abs() < 1e-9 * i.instance_hours);
    assert_eq!(i.hours_by_type, pool.hours_by_type);
    // m5.large from Sun 18:00 to the first move at Mon 08:24 (51,840 s): 4 * 14.4 h =
    // 57.6 h, plus the rolling stagger: the k-th instance stops about k * 63 s later (a
    // few seconds of drain and the 60 s restart of the one before), 6 * 63 s = 0.105 h.
    let h = |t: &str| i.hours_by_type.get(t).copied().unwrap_or(0.0);
    assert!(
        (57.6..57.6 + 6.0 * 70.0 / 3600.0).contains(&h("m5.large")),
        "{}",
        h("m5.large")
    );
    // m5.xlarge and m5.2xlarge each run 10 minutes (the cooldown between moves) on every
    // instance, staggered alike: 4 * 600 s = 0.667 h.
    for t in ["m5.xlarge", "m5.2xlarge"] {
        assert!((h(t) - 4.0 * 600.0 / 3600.0).abs() < 0.02, "{t}: {}", h(t));
    }
    // Capacity counts each instance in service at its own type: mean demand 0.9 * 0.05 +
    // 0.1 * 0.2 = 0.065 s. Ten seconds into the first move three m5.large (2 workers) serve:
    // 3 * 2 / 0.065 = 92.3 req/s (the new type's 4 workers for all three would be 184.6).
    let rows = out.recorder().rows();
    let at = |end: f64| rows.iter().find(|r| r.end_secs == end).expect("row");
    let first = at(51_850.0);
    assert_eq!(first.in_service(), 3);
    assert!((first.capacity_per_sec() - 3.0 * 2.0 / 0.065).abs() < 1e-6);
    // At the end four m5.4xlarge (16 workers): 4 * 16 / 0.065 = 984.6 req/s.
    let last = rows.last().expect("rows");
    assert!((last.capacity_per_sec() - 4.0 * 16.0 / 0.065).abs() < 1e-6);
}

// ---------------------------------------------------------------------------------------
// Backlog scaling follows the ramp instead of sawing.

#[test]
fn backlog_scaling_follows_the_ramp_without_sawing() {
    let out = shipped("backlog");
    let changes: Vec<_> = out
        .recorder()
        .decisions()
        .iter()
        .filter(|d| d.from != d.to)
        .collect();
    let log = || {
        changes
            .iter()
            .map(|d| format!("{} {} -> {}", d.clock, d.from, d.to))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // With 3 held per instance on 2 workers the pool sawed 40 -> 20 -> 7 -> 4 -> 40 on the
    // ramp (Mon 08:28-08:31) and launched 520 instances in 18 h. At 1.2 it grows from the
    // night's 3 to the max of 40 once: 37 launches (a margin of 8 for noise).
    let launched = out.summary.instances.launched;
    assert!(launched <= 45, "{launched} launches:\n{}", log());
    for pair in changes.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let gap = b.time_secs - a.time_secs;
        // No scale-in right after another: its window (a minute, a minute late) would
        // describe the capacity before the first.
        if a.to < a.from && b.to < b.from {
            assert!(gap >= 120.0, "scale-ins {gap} s apart:\n{}", log());
        }
        // No scale-in undone within 10 minutes: it went below what the load needs.
        if a.to < a.from && b.to > b.from {
            assert!(gap >= 600.0, "scale-in undone after {gap} s:\n{}", log());
        }
    }
    // The ramp (Mon 08:15-09:00, 51,300-54,000 s after Sun 18:00) only adds capacity.
    assert!(
        changes
            .iter()
            .filter(|d| (51_300.0..54_000.0).contains(&d.time_secs))
            .all(|d| d.to > d.from),
        "{}",
        log()
    );
    // The pool was ready for the peak: the SLO is met over the run.
    assert!(out.summary.slo.met, "{:?}", out.summary.slo);
}
