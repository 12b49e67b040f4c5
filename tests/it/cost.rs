//! Cost: per-second billing from launch (boot included) to termination, with the 60 s
//! minimum per start (EC2: <https://aws.amazon.com/about-aws/whats-new/2017/10/announcing-amazon-ec2-per-second-billing/>;
//! docs/model.md, "Billing"), worked out exactly for known schedules.

use scalesim::batch::RunOutput;

use super::common::*;

/// A pool of `box` instances at `price` $/h. `extra` goes into the pool (schedule, ...).
fn pool_scenario(
    duration: f64,
    rate: f64,
    price: f64,
    boot_secs: f64,
    size: &str,
    extra: &str,
) -> String {
    format!(
        r#"(
        name: "cost",
        duration_secs: {duration},
        seed: 3,
        interval_secs: 60,
        workload: (
            rate: Constant(per_sec: {rate}),
            classes: [(name: "req", demand: Exponential(mean_secs: 0.05))],
        ),
        instance_types: [
            (name: "box", provider: "custom", vcpus: 2, memory_gib: 4, speed: 1.0, price_usd_per_hour: {price}, boot_secs: {boot_secs}),
        ],
        pools: [(name: "p", instance: "box", size: {size}, {extra})],
    )"#
    )
}

fn cost_run(text: &str) -> RunOutput {
    run(&scenario_from_text("cost.ron", text))
}

/// `a` equals `b` within 1e-9 relative.
fn assert_usd(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1e-9),
        "{what}: ${got} billed, expected ${want}"
    );
}

/// Every place a run reports its cost agrees on the total.
fn assert_cost_everywhere(o: &RunOutput, want: f64) {
    let rows = o.recorder().rows();
    assert_usd("summary.cost_usd", o.summary.cost_usd, want);
    assert_usd("pools[0].cost_usd", o.summary.pools[0].cost_usd, want);
    assert_usd(
        "last row cost_cumulative_usd",
        rows.last().unwrap().cost_cumulative_usd,
        want,
    );
    assert_usd(
        "sum of row cost_usd",
        rows.iter().map(|r| r.cost_usd).sum(),
        want,
    );
}

#[test]
fn a_fixed_pool_costs_instances_times_price_times_hours() {
    // n = 3 instances at p = $0.25/h for D = 7200 s: n·p·D/3600 = 3 · 0.25 · 2 = $1.50.
    // They are running when the run starts, so no minimum applies; 7200 s is whole seconds.
    let o = cost_run(&pool_scenario(
        7200.0,
        20.0,
        0.25,
        90.0,
        "(min: 3, max: 3)",
        "",
    ));
    assert_cost_everywhere(&o, 3.0 * 0.25 * 7200.0 / 3600.0);
    assert_usd("1.5", o.summary.cost_usd, 1.5);
    // Each 60 s interval costs 3 · 0.25 · 60 / 3600 = $0.0125.
    for r in o.recorder().rows() {
        assert_usd("one interval", r.cost_usd, 0.0125);
        assert_usd("per hour", r.cost_usd_per_hour(), 0.75);
    }
    // 3 instances × 2 h = 6 instance-hours; none launched during the run.
    assert!(
        (o.summary.instances.instance_hours - 6.0).abs() < 1e-9,
        "{}",
        o.summary.instances.instance_hours
    );
    assert_eq!(
        (o.summary.instances.launched, o.summary.instances.max),
        (0, 3)
    );
    // Per million completed requests: $1.50 / completed · 10⁶.
    let per_million = 1.5 / o.summary.requests.completed as f64 * 1e6;
    assert_usd(
        "per million",
        o.summary.cost_per_million_requests_usd,
        per_million,
    );
}

#[test]
fn a_scheduled_scale_up_is_billed_from_launch_including_boot() {
    // p = $0.40/h, D = 3600 s. Two instances all along: 2 · 0.4 · 3600/3600 = $0.80.
    // At T = +1000 s desired becomes 5: three instances launch at 1000 s, boot for b = 120 s
    // and serve from 1120 s, but are billed from launch: 3 · 0.4 · (3600 − 1000)/3600
    // = 3 · 0.4 · 2600/3600 = $0.866667. Total $1.666667.
    // (Billing from the end of boot instead would give 3 · 0.4 · 2480/3600 = $0.826667.)
    let o = cost_run(&pool_scenario(
        3600.0,
        20.0,
        0.4,
        120.0,
        "(min: 2, max: 6, initial: 2)",
        r#"schedule: [(at: "+1000", desired: 5)]"#,
    ));
    let want: f64 = 2.0 * 0.4 + 3.0 * 0.4 * 2600.0 / 3600.0;
    assert!((want - 1.666_666_667).abs() < 1e-9);
    assert_cost_everywhere(&o, want);
    let rows = o.recorder().rows();
    // The interval [960, 1020) holds the launch: 2 instances × 60 s + 3 × 20 s = 180
    // instance-seconds × 0.4/3600 = $0.02.
    let launch = rows.iter().find(|r| r.start_secs == 960.0).unwrap();
    assert_usd("the launch interval", launch.cost_usd, 180.0 * 0.4 / 3600.0);
    assert_eq!(
        (
            launch.pools[0].snapshot.booting,
            launch.pools[0].snapshot.in_service
        ),
        (3, 2)
    );
    // Still booting at 1080–1140's start? They finish booting at 1120, so by the end of
    // [1080, 1140) all five serve.
    let booted = rows.iter().find(|r| r.start_secs == 1080.0).unwrap();
    assert_eq!(
        (
            booted.pools[0].snapshot.booting,
            booted.pools[0].snapshot.in_service
        ),
        (0, 5)
    );
    // Instance-hours: 2 + 3 · 2600/3600 = 4.166667.
    assert!((o.summary.instances.instance_hours - (2.0 + 3.0 * 2600.0 / 3600.0)).abs() < 1e-9);
    assert_eq!(
        (o.summary.instances.launched, o.summary.instances.max),
        (3, 5)
    );
}

#[test]
fn a_short_lived_instance_is_billed_per_second_with_a_one_minute_minimum() {
    // One instance all along (D = 600 s at p = $0.36/h: 0.36 · 600/3600 = $0.06), plus a
    // second launched by the schedule at +100 s and removed again. Instance-seconds billed
    // in all (× 0.36/3600 gives dollars):
    //   removed at +120 (ran 20 s):      600 + max(60, 20) = 660 s      -> $0.066
    //   removed at +161.2 (ran 61.2 s):  600 + 62 (rounded up) = 662 s  -> $0.0662
    //   removed at +190 (ran 90 s):      600 + 90 = 690 s               -> $0.069
    //   still booting at +120 (boot 30 s, with traffic): terminated at once: 660 s -> $0.066
    //   hourly billing (increment and minimum 3600 s), removed at +120: the new instance
    //   pays a whole hour; the first, running before the run began, pays exactly the
    //   600 s it ran inside the window (its hour boundaries lie outside it):
    //   600 + 3600 = 4200 s -> $0.42
    //   scale-in Oldest, removed at +120: the instance that was running at the start goes
    //   instead (120 s: no minimum, it was paid before the run began) and the new one
    //   runs 500 s to the end: 620 s -> $0.062
    // The short-lived instance's bill is the difference from the same pool without the
    // schedule: $0.006 for the first case, exactly the 60 s minimum.
    let p = 0.36;
    let base = cost_run(&pool_scenario(600.0, 0.0, p, 0.0, "(min: 1, max: 2)", ""));
    assert_cost_everywhere(&base, p * 600.0 / 3600.0);
    assert_usd("baseline", base.summary.cost_usd, 0.06);
    assert_eq!(
        base.summary.requests.arrived, 0,
        "no traffic: drains finish at once"
    );

    let schedule = r#"schedule: [(at: "+100", desired: 2), (at: "+120", desired: 1)]"#;
    let cases: [(&str, f64, f64, String, f64); 6] = [
        ("removed after 20 s", 0.0, 0.0, schedule.to_string(), 660.0),
        (
            "removed after 61.2 s",
            0.0,
            0.0,
            schedule.replace("+120", "+161.2"),
            662.0,
        ),
        (
            "removed after 90 s",
            0.0,
            0.0,
            schedule.replace("+120", "+190"),
            690.0,
        ),
        (
            "removed while booting",
            30.0,
            20.0,
            schedule.to_string(),
            660.0,
        ),
        (
            "hourly billing",
            0.0,
            0.0,
            format!("billing: (increment_secs: 3600, minimum_secs: 3600), {schedule}"),
            4200.0,
        ),
        (
            "scale-in oldest",
            0.0,
            0.0,
            format!("scale_in: Oldest, {schedule}"),
            620.0,
        ),
    ];
    for (what, boot, rate, extra, billed_secs) in cases {
        let o = cost_run(&pool_scenario(
            600.0,
            rate,
            p,
            boot,
            "(min: 1, max: 2)",
            &extra,
        ));
        let want = p * billed_secs / 3600.0;
        println!(
            "{what}: ${:.9}, expected ${want:.9} ({billed_secs} instance-seconds)",
            o.summary.cost_usd
        );
        assert_cost_everywhere(&o, want);
        let decisions = o.recorder().decisions();
        assert_eq!(
            decisions.iter().map(|d| (d.from, d.to)).collect::<Vec<_>>(),
            vec![(1, 2), (2, 1)],
            "{what}: the schedule's two decisions"
        );
        assert_eq!(o.summary.instances.launched, 1, "{what}");
        assert_eq!(o.summary.instances.max, 2, "{what}");
        // Whatever was cut short, conservation still holds.
        let r = &o.summary.requests;
        assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight, "{what}");
    }
    // The first case against the baseline: the drained instance costs exactly its minute.
    let short = cost_run(&pool_scenario(
        600.0,
        0.0,
        p,
        0.0,
        "(min: 1, max: 2)",
        schedule,
    ));
    assert_usd(
        "the short-lived instance",
        short.summary.cost_usd - base.summary.cost_usd,
        p * 60.0 / 3600.0,
    );
}
