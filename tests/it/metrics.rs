//! What the figures mean: the SLO is judged over fixed windows whatever the reporting
//! interval, violation periods say when a design broke, latency is labelled by what it
//! counts, and runs report per class and per day.

use rayon::prelude::*;

use super::common::*;

#[test]
fn slo_violation_does_not_depend_on_the_reporting_interval() {
    // The same requests reported every 1, 10, 60 and 300 s: the reporting interval only
    // adds tick events that change nothing in the world, so the runs are the same requests
    // with the same latencies, and the SLO (judged over its own 60 s windows) must give the
    // same violation time and periods to the second. Before the windows it gave 1,840 /
    // 440 / 480 / 600 s for this kind of run.
    let runs: Vec<_> = [1.0, 10.0, 60.0, 300.0]
        .par_iter()
        .map(|&iv| {
            let s = load_with("scenarios/autoscaling/target-tracking.ron", |f| {
                f.interval_secs = iv;
            });
            (iv, run(&s).summary)
        })
        .collect();
    let (_, first) = &runs[0];
    assert!(
        first.slo.violation_secs > 0.0,
        "the ramp should break the SLO at least once"
    );
    assert_eq!(first.slo.window_secs, 60.0);
    // Violation time is a whole number of 60 s windows here (the run, 64,800 s, is 1,080).
    assert_eq!(first.slo.windows, 1080);
    assert_eq!(
        first.slo.violation_secs,
        60.0 * first.slo.violation_windows as f64
    );
    for (iv, s) in &runs[1..] {
        assert_eq!(
            s.requests, first.requests,
            "interval {iv} s: other requests"
        );
        assert_eq!(
            (s.slo.violation_secs, &s.slo.violation_periods),
            (first.slo.violation_secs, &first.slo.violation_periods),
            "interval {iv} s"
        );
    }
}

#[test]
fn violation_periods_say_when_the_monday_spike_broke() {
    let s = run(&load("scenarios/monday-spike.ron")).summary;
    let periods = &s.slo.violation_periods;
    assert!(!periods.is_empty(), "monday-spike breaks its SLO");
    // The periods add up to the violation time and do not overlap.
    let total: f64 = periods.iter().map(|p| p.duration_secs).sum();
    assert!(
        (total - s.slo.violation_secs).abs() < 1e-6,
        "{total} vs {}",
        s.slo.violation_secs
    );
    for w in periods.windows(2) {
        assert!(w[0].end_secs < w[1].start_secs, "{w:?}");
    }
    // The design breaks on the Monday morning ramp, between 08:00 and 09:30 (14-15.5 h
    // after Sunday 18:00), not at night.
    for p in periods {
        assert!(
            p.start_secs >= 14.0 * 3600.0 && p.end_secs <= 15.5 * 3600.0,
            "{}",
            p.describe()
        );
        assert!(p.start.starts_with("Mon 08") || p.start.starts_with("Mon 09"));
        // Every missed window has more than 1 % misses among its ended requests, so a
        // period's misses are more than 1 % of what ended in it.
        assert!(
            (p.ended - p.within_target) as f64 > 0.01 * p.ended as f64,
            "{p:?}"
        );
        assert!(p.instances_min >= 1 && p.instances_min <= p.instances_max);
    }
    // All of monday-spike's drops are queue-full drops (the queue of 100 per instance fills
    // before anything waits 10 s): the longest period's misses are full queues and the
    // slow responses of requests that waited in them.
    let longest = periods
        .iter()
        .max_by(|a, b| a.duration_secs.total_cmp(&b.duration_secs))
        .unwrap();
    assert_eq!(s.requests.dropped_by_reason.queue_full, s.requests.dropped);
    let causes: Vec<&str> = longest.misses.iter().map(|m| m.cause).collect();
    assert!(
        causes
            .iter()
            .all(|c| ["slow responses", "queue full"].contains(c)),
        "{}",
        longest.describe()
    );
    assert!(causes.contains(&"queue full"), "{}", longest.describe());
    assert!(longest.worst_p99_secs > 1.0, "{}", longest.describe());
}

#[test]
fn latency_counting_drops_as_failures_is_a_failure_once_drops_pass_the_percentile() {
    // Of monday-spike's ended requests, some 0.X % are dropped. p50 counting drops is still
    // a completed request's latency; a percentile q is a failure (None) exactly when fewer
    // than ceil(q * ended) requests completed.
    let s = run(&load("scenarios/monday-spike.ron")).summary;
    let r = &s.requests;
    let ended = r.completed + r.dropped;
    let c = &s.latency_counting_drops_secs;
    assert_eq!(c.of, "ended requests, drops as failures");
    assert_eq!(s.latency_secs.of, "completed requests");
    for (q, v) in [(0.5, c.p50), (0.9, c.p90), (0.95, c.p95), (0.99, c.p99)] {
        let k = (q * ended as f64).ceil() as u64;
        assert_eq!(v.is_none(), k > r.completed, "p{} {v:?}", q * 100.0);
        if let Some(v) = v {
            // Counting drops can only make a percentile slower.
            let completed_only = match q {
                0.5 => s.latency_secs.p50,
                0.9 => s.latency_secs.p90,
                0.95 => s.latency_secs.p95,
                _ => s.latency_secs.p99,
            };
            assert!(
                v >= completed_only,
                "p{}: {v} < {completed_only}",
                q * 100.0
            );
        }
    }
}

#[test]
fn classes_are_counted_apart() {
    // monday-spike: "page" (90 %, 50 ms mean) and "search" (10 %, 200 ms mean). The class
    // shares of arrivals follow the weights (binomial: 11.4 M arrivals, sd of the share
    // ~0.0001), and search, four times slower per request, has the higher p99.
    let s = run(&load("scenarios/monday-spike.ron")).summary;
    assert_eq!(s.classes.len(), 2);
    let (page, search) = (&s.classes[0], &s.classes[1]);
    assert_eq!(
        (page.name.as_str(), search.name.as_str()),
        ("page", "search")
    );
    let share = search.arrived as f64 / s.requests.arrived as f64;
    assert!((share - 0.1).abs() < 0.002, "search share {share}");
    assert!(search.latency_secs.p99 > page.latency_secs.p99);
    // Both classes wait in the same FIFO queues, chosen without regard to class, so they
    // see the same waits: their mean latencies differ by their mean service times on an
    // m5.large (speed 1.0), 0.2 - 0.05 = 0.15 s. (The wait's sd is about 1 s over a
    // million search requests: a standard error near 0.001 s.)
    let gap = search.latency_secs.mean - page.latency_secs.mean;
    assert!((gap - 0.15).abs() < 0.01, "mean latency gap {gap}");
}

#[test]
fn runs_longer_than_a_day_report_each_calendar_day() {
    // monday-spike lengthened to 2 days from Sunday 18:00: the run covers Sun 18:00-24:00,
    // all of Monday and Tue 00:00-18:00, three calendar days whose figures add up to the
    // run's.
    let s = run(&load_with("scenarios/monday-spike.ron", |f| {
        f.duration_secs = 2.0 * 86_400.0;
    }))
    .summary;
    let days: Vec<&str> = s.days.iter().map(|d| d.day.as_str()).collect();
    assert_eq!(days, ["Sun", "Mon", "Tue"]);
    assert_eq!(
        (s.days[0].start_secs, s.days[0].end_secs),
        (0.0, 6.0 * 3600.0)
    );
    assert_eq!(s.days[1].end_secs - s.days[1].start_secs, 86_400.0);
    let sum = |f: fn(&scalesim::metrics::DaySummary) -> u64| s.days.iter().map(f).sum::<u64>();
    assert_eq!(sum(|d| d.arrived), s.requests.arrived);
    assert_eq!(sum(|d| d.dropped), s.requests.dropped);
    let cost: f64 = s.days.iter().map(|d| d.cost_usd).sum();
    assert!((cost - s.cost_usd).abs() < 1e-6 * s.cost_usd);
    let violation: f64 = s.days.iter().map(|d| d.violation_secs).sum();
    assert!((violation - s.slo.violation_secs).abs() < 1e-6);
    // Monday holds the spike: the most violation time and a higher p99 than the quiet
    // Sunday evening.
    assert!(s.days[1].violation_secs > 0.0);
    assert!(
        s.days
            .iter()
            .all(|d| d.violation_secs <= s.days[1].violation_secs)
    );
    assert!(s.days[1].p99_secs > s.days[0].p99_secs);
    // A run of a day or less has no per-day section.
    let short = run(&load("scenarios/monday-spike.ron")).summary;
    assert!(short.days.is_empty());
}

#[test]
fn summary_json_carries_no_float_noise_in_costs() {
    // Costs are sums of many per-second bills; the file writes them to a millionth of a
    // dollar, so a cost reads 17.194 and not 17.193999999999999.
    let out = run(&load("scenarios/monday-spike.ron"));
    let json = scalesim::metrics::output::summary_json(&out.summary).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut costs = vec![v["cost_usd"].as_f64().unwrap()];
    costs.extend(
        v["pools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["cost_usd"].as_f64().unwrap()),
    );
    for c in costs {
        let text = format!("{c}");
        let decimals = text.split('.').nth(1).map_or(0, str::len);
        assert!(decimals <= 6, "{text}");
        assert!((c - out.summary.cost_usd).abs() < 1e-6 || c <= out.summary.cost_usd);
    }
}

#[test]
fn instance_hours_are_also_reported_as_vcpu_and_memory_hours_with_the_provider() {
    // Two m5.large (2 vCPU, 8 GiB, AWS) for one hour -> 2 instance-hours, 2 x 2 = 4 vCPU-hours and
    // 2 x 8 = 16 GiB-hours. A custom type of the scenario's own, 3 vCPU and 5.5 GiB,
    // runs 1 instance for the hour: 3 vCPU-hours and 5.5 GiB-hours, provider "lab".
    let scenario = r#"(
        name: "resources",
        description: "two pools, one of a custom type",
        duration_secs: 3600,
        instance_types: [(name: "lab.odd", provider: "lab", vcpus: 3, memory_gib: 5.5,
                          price_usd_per_hour: 0.1, boot_secs: 30)],
        workload: (
            rate: Constant(per_sec: 5),
            classes: [
                (name: "a", demand: Constant(secs: 0.01), pool: "web"),
                (name: "b", demand: Constant(secs: 0.01), pool: "lab"),
            ],
        ),
        pools: [
            (name: "web", instance: "m5.large", size: (min: 2, max: 2)),
            (name: "lab", instance: "lab.odd", size: (min: 1, max: 1)),
        ],
    )"#;
    let out = run(&scenario_from_text("resources.ron", scenario));
    let s = &out.summary;
    assert_eq!(s.description, "two pools, one of a custom type");
    let (web, lab) = (&s.pools[0], &s.pools[1]);
    assert_eq!(
        (web.provider.as_str(), lab.provider.as_str()),
        ("aws", "lab")
    );
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(web.instance_hours, 2.0) && close(lab.instance_hours, 1.0));
    assert!(close(web.vcpu_hours, 4.0), "{}", web.vcpu_hours);
    assert!(
        close(web.memory_gib_hours, 16.0),
        "{}",
        web.memory_gib_hours
    );
    assert!(close(lab.vcpu_hours, 3.0) && close(lab.memory_gib_hours, 5.5));
    assert!(close(s.instances.vcpu_hours, 7.0));
    assert!(close(s.instances.memory_gib_hours, 21.5));
    // The table `scalesim run` prints says what the scenario is for, under its name.
    let (o, out_dir, _dir) = run_binary_on("resources.ron", scenario, &[]);
    let table = text(&o.stdout);
    assert_eq!(
        table.lines().nth(1),
        Some("  about      two pools, one of a custom type"),
        "{table}"
    );
    // And summary.json carries the resources.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["instances"]["vcpu_hours"], 7.0);
    assert_eq!(json["pools"][1]["provider"], "lab");
}
