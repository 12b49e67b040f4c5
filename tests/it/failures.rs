//! Instance crashes, balancer health checks and the group's health-check grace period
//! (issue #3's lifecycle: "health-check grace"; AWS `HealthCheckGracePeriod`,
//! <https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html>).

use scalesim::batch::RunOutput;
use scalesim::metrics::REPLACEMENT_POLICY;

use super::common::*;

/// A fixed pool of `n` 2-vCPU instances (10 s boot) at `rate` requests/s of 10 ms
/// exponential demand, for `secs`, with the pool settings in `extra`.
fn fixed_pool(n: u32, rate: f64, secs: f64, balancer: &str, extra: &str) -> String {
    format!(
        r#"(
    name: "failures",
    duration_secs: {secs},
    seed: 11,
    interval_secs: 60,
    workload: (
        rate: Constant(per_sec: {rate}),
        classes: [(name: "req", demand: Exponential(mean_secs: 0.01))],
    ),
    instance_types: [
        (name: "ref.2", vcpus: 2, memory_gib: 4, price_usd_per_hour: 0.1, boot_secs: 10),
    ],
    pools: [(
        name: "web",
        instance: "ref.2",
        size: (min: {n}, max: {n}),
        balancer: {balancer},
        {extra}
    )],
)"#
    )
}

/// The replacement lines of the decision log: (time, instance id, reason).
fn replacements(out: &RunOutput) -> Vec<(f64, usize, String)> {
    out.recorder()
        .decisions()
        .iter()
        .filter(|d| d.policy == REPLACEMENT_POLICY)
        .map(|d| {
            // "instance 17 crashed; ...": the id is the second word.
            let id = d.reason.split(' ').nth(1).unwrap().parse().unwrap();
            (d.time_secs, id, d.reason.clone())
        })
        .collect()
}

fn failure_drops(out: &RunOutput) -> u64 {
    out.summary.requests.dropped_by_reason.failure
}

#[test]
fn crashed_instances_are_replaced_and_lose_a_detection_window_of_traffic() {
    // 4 instances, each failing once per hour of service on average, for 20 h. ALB
    // checks: 30 s interval, 2 failed checks to take a crashed instance out (60 s), 5
    // passing ones (150 s) before a replacement serves.
    let s = scenario_from_text(
        "crashes",
        &fixed_pool(
            4,
            200.0,
            72_000.0,
            "RoundRobin",
            "health_check: (interval_secs: 30, healthy_threshold: 5, unhealthy_threshold: 2),
             failures: (mttf_hours: 1),",
        ),
    );
    let out = run(&s);
    let reps = replacements(&out);
    // Service time: 4 x 20 h less each crash's outage (60 s detection + 10 s boot + 150 s
    // checks = 220 s), so about 80 / (1 + 220/3600) = 75 crashes expected; Poisson sd 8.7.
    let n = reps.len() as f64;
    assert!((40.0..=110.0).contains(&n), "{n} crashes, expected ~75");
    assert_eq!(out.summary.instances.replaced, reps.len() as u64);
    assert!(reps.iter().all(|r| r.2.contains("crashed")), "{reps:?}");
    // Desired never moves: a failed instance is swapped for its replacement, never both.
    assert_eq!(out.summary.instances.max, 4);
    assert_eq!(out.summary.instances.launched, reps.len() as u64);
    // Each crash fails what reaches the dead instance in the 60 s before it is taken out:
    // round robin over 4 sends it 200/4 = 50/s, so 3000 requests, a few more when a
    // replacement is still booting (1 in 3, 66.7/s); plus the 0.5 it held on average.
    let per_crash = failure_drops(&out) as f64 / n;
    assert!(
        (2900.0..=3600.0).contains(&per_crash),
        "{per_crash:.0} failed requests per crash, expected 3000-3400"
    );
    // Little else is lost at 25 % utilisation: queues overflow only in the rare minutes
    // when 3 of the 4 are down at once (the last one then runs at 100 %); with a 220 s
    // outage per crash that is about 4 (220/3600)^3 of the time, a minute in 20 h.
    let other = out.summary.requests.dropped - failure_drops(&out);
    assert!(
        other * 100 < failure_drops(&out),
        "{:?}",
        out.summary.requests
    );
}

#[test]
fn least_outstanding_balancing_sends_everything_to_a_crashed_instance() {
    // The black-hole effect: a crashed instance holds nothing, so "least outstanding"
    // picks it for every request until the health checks take it out, where round robin
    // sends it only its 1-in-4 share. At 75 % utilisation (600/s x 10 ms on 8 workers)
    // the live instances are rarely idle, so they rarely tie with it. Same seed.
    let extra = "failures: (mttf_hours: 2),";
    let rr = run(&scenario_from_text(
        "rr",
        &fixed_pool(4, 600.0, 36_000.0, "RoundRobin", extra),
    ));
    let lo = run(&scenario_from_text(
        "lo",
        &fixed_pool(4, 600.0, 36_000.0, "LeastOutstanding", extra),
    ));
    assert!(!replacements(&rr).is_empty());
    // Per crash: round robin loses 60 s x 150/s = 9000; least outstanding a large part of
    // 60 s x 600/s = 36,000 (measured: 21,000; it ties with instances that are idle).
    let per = |o: &RunOutput| failure_drops(o) as f64 / replacements(o).len() as f64;
    assert!((8500.0..=10_000.0).contains(&per(&rr)), "{}", per(&rr));
    assert!(
        per(&lo) > 2.0 * per(&rr),
        "least outstanding {:.0} vs round robin {:.0} per crash",
        per(&lo),
        per(&rr)
    );
}

#[test]
fn a_grace_period_shorter_than_the_boot_replaces_instances_over_and_over() {
    // 2 instances, raised to 4 at +10 min; new ones take 200 s to boot. With a 120 s
    // grace the group's health check fails each new instance before it boots and
    // replaces it, every 120 s: at 600 + 120 k s for k = 1..=24 before the end at 3590 s,
    // 2 instances each time: 48 replacements and never more than 2 serving.
    let schedule = r#"boot: Constant(secs: 200),
        schedule: [(at: "+10m", desired: 4)],"#;
    let grace = |g: &str| {
        let text = fixed_pool(2, 50.0, 3590.0, "RoundRobin", "")
            .replace("(min: 2, max: 2)", "(min: 2, max: 4)")
            .replace(
                "balancer: RoundRobin,",
                &format!("balancer: RoundRobin, {schedule} {g}"),
            );
        run(&scenario_from_text("grace", &text))
    };
    let short = grace("health_check_grace_secs: 120,");
    let reps = replacements(&short);
    assert_eq!(reps.len(), 48, "{reps:?}");
    assert!(
        reps[0]
            .2
            .contains("had not booted when its 120 s grace period ended")
    );
    assert!((reps[0].0 - 720.0).abs() < 1e-6);
    let rows = short.recorder().rows();
    assert!(rows.iter().all(|r| r.pools[0].snapshot.in_service <= 2));
    // With 300 s the same instances boot inside their grace period and serve from 800 s.
    let long = grace("health_check_grace_secs: 300,");
    assert!(replacements(&long).is_empty());
    let last = long.recorder().rows().last().unwrap();
    assert_eq!(last.pools[0].snapshot.in_service, 4);
    // Without balancer health checks for the group (EC2 checks), a slow boot is never
    // failed either.
    assert!(replacements(&grace("")).is_empty());
}

#[test]
fn a_crash_inside_the_grace_period_is_replaced_when_it_ends() {
    // Instances fail after 3 min of service on average; detection takes 60 s. With a
    // 900 s grace period, no instance is replaced before 900 s after its launch, even
    // though most crash and are detected well before. Without one, most are replaced
    // within their first 900 s.
    let text = |g: &str| {
        fixed_pool(
            2,
            20.0,
            7200.0,
            "RoundRobin",
            &format!("failures: (mttf_hours: 0.05), {g}"),
        )
    };
    let launched = |o: &RunOutput, id: usize| o.world.instances()[id].launched_at.as_secs_f64();
    let graced = run(&scenario_from_text(
        "grace",
        &text("health_check_grace_secs: 900,"),
    ));
    let reps = replacements(&graced);
    // Each instance lives 900 s at least: 2 x 7200 / 900 = 16 at most.
    assert!((8..=16).contains(&reps.len()), "{reps:?}");
    for (t, id, _) in &reps {
        assert!(
            *t >= launched(&graced, *id) + 900.0 - 1e-6,
            "instance {id} replaced at {t}"
        );
    }
    let ungraced = run(&scenario_from_text("no grace", &text("")));
    let early = replacements(&ungraced)
        .iter()
        .filter(|(t, id, _)| *t < launched(&ungraced, *id) + 900.0)
        .count();
    // Exponential lifetimes of mean 180 s (+10 s boot, +60 s detection): P(replaced
    // within 900 s) = 1 - exp(-830/180) = 0.99.
    assert!(
        early * 10 >= replacements(&ungraced).len() * 9,
        "{early} of {} replaced early",
        replacements(&ungraced).len()
    );
}

#[test]
fn instances_replaced_within_a_minute_are_billed_the_minute() {
    // The replacement loop with a 30 s grace period: from +10 min each of the 2 extra
    // instances lives 30 s, then is replaced, at 600 + 30 k s for k = 1..=99 before the
    // end at 3590 s: 198 replaced instances, each billed the 60 s minimum, not 30 s.
    // At $0.1/h:
    //   the 2 initial instances, 3590 s each:        2 x 3590 x 0.1 / 3600 = 0.199444
    //   198 replaced instances, 60 s each:         198 x   60 x 0.1 / 3600 = 0.330000
    //   2 launched at 3570 s, settled at the end:    2 x   60 x 0.1 / 3600 = 0.003333
    // total 0.532778 (with per-second billing and no minimum: 0.365 + 0.0011).
    let text = fixed_pool(2, 50.0, 3590.0, "RoundRobin", "")
        .replace("(min: 2, max: 2)", "(min: 2, max: 4)")
        .replace(
            "balancer: RoundRobin,",
            r#"balancer: RoundRobin, boot: Constant(secs: 200),
               schedule: [(at: "+10m", desired: 4)], health_check_grace_secs: 30,"#,
        );
    let out = run(&scenario_from_text("minimum", &text));
    assert_eq!(out.summary.instances.replaced, 198);
    let expected = 2.0 * 3590.0 * 0.1 / 3600.0 + 200.0 * 60.0 * 0.1 / 3600.0;
    assert!(
        (out.summary.cost_usd - expected).abs() < 1e-6,
        "cost {} expected {expected}",
        out.summary.cost_usd
    );
}
