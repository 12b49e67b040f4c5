//! Requests through several services (issue 11): the numbers a journey produces checked
//! against queueing theory, and failures that travel back up the calls.

use super::common::*;

/// Two services in series, each one single-worker instance with an unbounded queue, and
/// no time on the wire (so queueing theory applies as it stands). `call` is the step
/// that sends the visit on from the first to the second.
fn two_services(call: &str, mean_a: f64, mean_b: f64, per_sec: f64, secs: u32) -> String {
    format!(
        r#"(
            name: "tandem",
            duration_secs: {secs},
            seed: 11,
            workload: (
                rate: Constant(per_sec: {per_sec}),
                classes: [(name: "req", entry: "a", demand: Constant(secs: 0.0))],
            ),
            services: [
                (name: "a", instance: "ref.1", queue_capacity: None, timeout_secs: None,
                 size: (min: 1, max: 1),
                 work: [Cpu(Exponential(mean_secs: {mean_a})), {call}("b")]),
                (name: "b", instance: "ref.1", queue_capacity: None, timeout_secs: None,
                 size: (min: 1, max: 1),
                 work: [Cpu(Exponential(mean_secs: {mean_b}))]),
            ],
            network: (within_zone: Constant(secs: 0.0)),
        )"#
    )
}

#[test]
fn two_mm1_services_in_series_add_up_their_response_times() {
    // An asynchronous call as the last step hands the visit on without holding a's
    // worker: a tandem of two M/M/1 queues. Poisson arrivals at λ = 50/s; a serves at
    // μa = 100/s, b at μb = 80/s. By Burke's theorem a's departures are Poisson too, so
    // the mean response is 1/(μa − λ) + 1/(μb − λ) = 1/50 + 1/30 = 53.33 ms
    // (L. Kleinrock, Queueing Systems vol. 1, 1975, §4.8 on Jackson networks).
    // 40,000 s: 2 million requests; the estimate's error is well under 1 %.
    let s = scenario_from_text(
        "tandem.ron",
        &two_services("AsyncCall", 0.01, 0.0125, 50.0, 40_000),
    );
    let o = run(&s);
    let r = &o.summary.requests;
    assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
    assert_eq!(r.dropped, 0);
    let mean = o.summary.latency_secs.mean;
    let want = 1.0 / 50.0 + 1.0 / 30.0;
    assert!(
        (mean - want).abs() / want < 0.02,
        "mean response {mean} s, theory {want} s"
    );
    // b's own visits are an M/M/1's: 1/(μb − λ) = 33.3 ms on average.
    let b = &o.summary.services[1];
    assert!(
        (b.latency_secs.mean - 1.0 / 30.0).abs() * 30.0 < 0.02,
        "{:?}",
        b.latency_secs
    );
    assert_eq!(o.summary.services[0].visits, r.arrived);
    // Each server is busy λ/μ of the time: 50 % and 62.5 %.
    let util: Vec<f64> = o.summary.pools.iter().map(|p| p.utilisation_mean).collect();
    assert!((util[0] - 0.5).abs() < 0.01, "{util:?}");
    assert!((util[1] - 0.625).abs() < 0.01, "{util:?}");
}

#[test]
fn a_synchronous_call_holds_the_callers_worker_while_it_waits() {
    // The same two services, but a waits for b's reply on its one worker. Then b never
    // has more than one visit at a time (a sends the next only when b has replied), so
    // b's response is its bare service time, and a's worker is held for a's 10 ms plus
    // b's 12.5 ms: H = X_a + X_b, E[H] = 22.5 ms. At λ = 20/s a's worker is busy
    // ρ = 20 × 22.5 ms = 45 % of the time although its CPU works 20 %.
    // a is then an M/G/1 queue with holding time H: E[H²] = Var + mean² =
    // (0.01² + 0.0125²) + 0.0225² = 7.625e-4 s², so Pollaczek-Khinchine gives the wait
    // W = λ E[H²] / (2 (1 − ρ)) = 20 × 7.625e-4 / 1.1 = 13.86 ms and the response
    // W + E[H] = 36.36 ms.
    let s = scenario_from_text(
        "sync.ron",
        &two_services("Call", 0.01, 0.0125, 20.0, 40_000),
    );
    let o = run(&s);
    let util: Vec<f64> = o.summary.pools.iter().map(|p| p.utilisation_mean).collect();
    assert!((util[0] - 0.45).abs() < 0.01, "a's worker busy {util:?}");
    assert!((util[1] - 0.25).abs() < 0.01, "b's worker busy {util:?}");
    let want = 20.0 * 7.625e-4 / (2.0 * (1.0 - 0.45)) + 0.0225;
    let mean = o.summary.latency_secs.mean;
    assert!(
        (mean - want).abs() / want < 0.02,
        "mean response {mean} s, M/G/1 theory {want} s"
    );
}

#[test]
fn a_drop_in_a_called_service_fails_the_whole_request_once() {
    // b has no room: no queue behind one worker that takes 1 s per visit, while 20
    // requests a second arrive at a's four instances (round robin, one worker each).
    // Calls that find b busy are dropped as "queue full" and fail their request at once,
    // freeing a's worker. But b frees its worker at the very instant the a-instance it
    // served gets its own back and sends its next call: that instance keeps b to itself,
    // its worker always waiting, and the requests queued behind it wait until a's 30 s
    // timeout drops them: the lesson of a thread pool stuck on a slow dependency.
    let text = r#"(
        name: "full-dependency",
        duration_secs: 600,
        workload: (
            rate: Constant(per_sec: 20),
            classes: [(name: "req", entry: "a", demand: Constant(secs: 0.0))],
        ),
        services: [
            (name: "a", instance: "ref.1", size: (min: 4, max: 4), balancer: RoundRobin,
             work: [Cpu(Constant(secs: 0.001)), Call("b")]),
            (name: "b", instance: "ref.1", queue_capacity: Some(0), size: (min: 1, max: 1),
             work: [Cpu(Constant(secs: 1.0))]),
        ],
    )"#;
    let o = run(&scenario_from_text("full.ron", text));
    let r = &o.summary.requests;
    let d = &r.dropped_by_reason;
    // Every request ends once, whichever service dropped it.
    assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
    assert_eq!(r.dropped, d.queue_full + d.timeout, "{r:?}");
    assert_eq!(o.world.requests_in_flight() as u64, r.in_flight);
    // b completes one visit a second: 600 in 600 s, less the one under way at the end.
    assert!((598..=600).contains(&r.completed), "{r:?}");
    // Three a-instances see b busy: 15 of the 20 requests a second fail at once.
    assert!(d.queue_full as f64 > 0.7 * r.arrived as f64, "{r:?}");
    // The stuck instance's queue (100) fills at 5 a second within 20 s; from then on
    // its head times out after a's 30 s and the arrival after it takes the place, so
    // about 100 every 30 s end as timeouts (the rest of its share as queue full).
    assert!(d.timeout > 500, "{r:?}");
    // Per service: b dropped the calls, a's visits failed because of them, one for one;
    // what is still under way at each service adds up to what the world holds.
    let (a, b) = (&o.summary.services[0], &o.summary.services[1]);
    assert_eq!(b.dropped_by_reason.queue_full, b.dropped);
    assert_eq!(a.failed_by_calls, b.dropped);
    assert_eq!(a.visits, r.arrived);
    assert_eq!(b.completed, r.completed);
    assert_eq!(
        (a.in_flight + b.in_flight) as usize,
        o.world.visits_in_flight(),
        "{a:?} {b:?}"
    );
    // a's stuck worker is one of four: 25 % busy; b's always.
    let util: Vec<f64> = o.summary.pools.iter().map(|p| p.utilisation_mean).collect();
    assert!((util[0] - 0.25).abs() < 0.01 && util[1] > 0.99, "{util:?}");
}

#[test]
fn a_call_pays_the_network_latency_both_ways() {
    // 10 ms of CPU at a, 5 ms to b, 20 ms at b, 5 ms back: 40 ms, for the half of the
    // requests (and more) that find both idle at 1 request a second.
    let text = r#"(
        name: "wire",
        duration_secs: 3600,
        workload: (
            rate: Constant(per_sec: 1),
            classes: [(name: "req", entry: "a", demand: Constant(secs: 0.0))],
        ),
        services: [
            (name: "a", instance: "ref.1", size: (min: 1, max: 1),
             work: [Cpu(Constant(secs: 0.01)), Call("b")]),
            (name: "b", instance: "ref.1", size: (min: 1, max: 1),
             work: [Cpu(Constant(secs: 0.02))]),
        ],
        network: (within_zone: Constant(secs: 0.005)),
    )"#;
    let o = run(&scenario_from_text("wire.ron", text));
    let p50 = o.summary.latency_secs.p50;
    // The latency histogram keeps 0.1 % precision.
    assert!((p50 - 0.04).abs() < 0.04 * 0.002, "{p50}");
    // Without a network section, the default: a quarter of a millisecond each way on
    // average, so the median is a little above 30.5 ms.
    let default = text.replace(
        "        network: (within_zone: Constant(secs: 0.005)),\n",
        "",
    );
    let o = run(&scenario_from_text("wire-default.ron", &default));
    let p50 = o.summary.latency_secs.p50;
    assert!((0.0302..0.0312).contains(&p50), "{p50}");
}

#[test]
fn calls_to_unknown_services_and_cycles_are_errors_at_their_step() {
    let bad = two_services("Call", 0.01, 0.01, 1.0, 60).replace("Call(\"b\")", "Call(\"c\")");
    let e = scenario_error("unknown.ron", &bad);
    assert!(
        e.contains("calls \"c\", which is not defined; the pools are: a, b"),
        "{e}"
    );
    let cycle = two_services("Call", 0.01, 0.01, 1.0, 60).replace(
        "work: [Cpu(Exponential(mean_secs: 0.01))]),\n            ],",
        "work: [Cpu(Exponential(mean_secs: 0.01)), Call(\"a\")]),\n            ],",
    );
    let e = scenario_error("cycle.ron", &cycle);
    assert!(e.contains("cycle (a -> b -> a)"), "{e}");
}

#[test]
fn slow_dependency_exhausts_the_callers_workers_not_its_own() {
    // The scenario's claim: web drops requests, db drops none; web's workers are busy
    // far beyond its CPU share (waiting on db), and web's p99 is many times db's.
    let o = run(&load("scenarios/failures/slow-dependency.ron"));
    let (web, db) = (&o.summary.services[0], &o.summary.services[1]);
    assert_eq!((web.name.as_str(), db.name.as_str()), ("web", "db"));
    assert!(web.dropped_by_reason.queue_full > 100, "{web:?}");
    assert_eq!(db.dropped, 0, "{db:?}");
    // Web's own CPU: 5 ms a request at 75 a second on average (the ramp's mean), over 8
    // workers: 4.7 %. Its workers are busy ten times that.
    let cpu_share = 75.0 * 0.005 / 8.0;
    assert!(
        web.utilisation_mean > 8.0 * cpu_share,
        "{}",
        web.utilisation_mean
    );
    assert!(
        web.latency_secs.p99 > 5.0 * db.latency_secs.p99,
        "web p99 {} vs db p99 {}",
        web.latency_secs.p99,
        db.latency_secs.p99
    );
    // With an asynchronous call web's workers are free while db works: web no longer
    // drops, and every request reaches db.
    let o = run(&load_with("scenarios/failures/slow-dependency.ron", |f| {
        f.pools[0].work[1] = scalesim::model::journey::work::StepSpec::AsyncCall("db".into());
    }));
    let web = &o.summary.services[0];
    assert_eq!(web.dropped, 0, "{web:?}");
}

#[test]
fn y_split_at_equal_budget_breaks_before_the_monolith() {
    // The scenario's claim: on the same traffic and the same six instances each, the
    // split's synchronous chain saturates web (about 190 a second) while the monolith
    // (600 a second) meets the SLO; the two designs cost the same.
    let o = run(&load("scenarios/axes/y-split.ron"));
    let class = |n: &str| {
        o.summary
            .classes
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .clone()
    };
    let (mono, split) = (class("monolith"), class("split"));
    assert_eq!(mono.dropped, 0, "{mono:?}");
    assert!(mono.within_target_fraction > 0.999, "{mono:?}");
    assert!(split.dropped > 1000, "{split:?}");
    assert!(split.within_target_fraction < 0.9, "{split:?}");
    // Half the arrivals each: within 1 % of each other (the standard deviation of a
    // binomial split of a million is 0.1 %).
    let ratio = mono.arrived as f64 / split.arrived as f64;
    assert!((ratio - 1.0).abs() < 0.01, "{ratio}");
    let svc = |n: &str| o.summary.services.iter().find(|s| s.name == n).unwrap();
    let split_cost = svc("web").cost_usd + svc("api").cost_usd + svc("db").cost_usd;
    assert!((split_cost - svc("mono").cost_usd).abs() < 1e-6);
    // Web waits on the chain: its workers are the busiest; db's CPU has room to spare.
    assert!(svc("web").utilisation_mean > 2.0 * svc("db").utilisation_mean);
    // The drops are at web: calls that got through were served.
    assert_eq!(svc("web").dropped, split.dropped);
    assert_eq!(svc("api").dropped + svc("db").dropped, 0);
}

#[test]
fn after_an_asynchronous_call_the_rest_of_the_work_takes_a_worker_again() {
    // a calls b first, without holding its worker, then works 10 ms on the reply. At 5
    // requests a second: b's 50 ms, then a's 10 ms: a's worker is busy 5 × 10 ms = 5 %
    // of the time (not 30 %, as it would be holding it through b's work), and a request
    // takes about 60 ms (a little more when one waits behind another at b).
    let text = r#"(
        name: "async-then-work",
        duration_secs: 7200,
        workload: (
            rate: Constant(per_sec: 5),
            classes: [(name: "req", entry: "a", demand: Constant(secs: 0.0))],
        ),
        services: [
            (name: "a", instance: "ref.1", size: (min: 1, max: 1),
             work: [AsyncCall("b"), Cpu(Constant(secs: 0.01))]),
            (name: "b", instance: "ref.1", size: (min: 1, max: 1),
             work: [Cpu(Constant(secs: 0.05))]),
        ],
        network: (within_zone: Constant(secs: 0.0)),
    )"#;
    let o = run(&scenario_from_text("async.ron", text));
    let a = &o.summary.services[0];
    assert!((a.utilisation_mean - 0.05).abs() < 0.005, "{a:?}");
    // Half the requests or more find b idle: the median is exactly 60 ms.
    let p50 = o.summary.latency_secs.p50;
    assert!((p50 - 0.06).abs() < 0.06 * 0.002, "{p50}");
    let r = &o.summary.requests;
    assert_eq!(r.dropped, 0);
    assert_eq!(r.arrived, r.completed + r.in_flight);
}

/// A fan-out from `api` to `b` and `c`, each exponential with mean 20 ms on plenty of
/// workers (no queueing at 2 requests a second), no time on the wire; `wait` is `All` or
/// `First(k)`.
fn fan_out(wait: &str) -> String {
    format!(
        r#"(
        name: "fan-out",
        duration_secs: 40000,
        seed: 5,
        workload: (
            rate: Constant(per_sec: 2),
            classes: [(name: "req", entry: "api", demand: Constant(secs: 0.0))],
        ),
        services: [
            (name: "api", instance: "m5.4xlarge", size: (min: 2, max: 2),
             work: [FanOut(to: ["b", "c"], wait: {wait})]),
            (name: "b", instance: "m5.4xlarge", size: (min: 2, max: 2),
             work: [Cpu(Exponential(mean_secs: 0.02))]),
            (name: "c", instance: "m5.4xlarge", size: (min: 2, max: 2),
             work: [Cpu(Exponential(mean_secs: 0.02))]),
        ],
        network: (within_zone: Constant(secs: 0.0)),
    )"#
    )
}

#[test]
fn a_fan_out_waits_for_the_slowest_branch_or_the_first() {
    // Two independent exponentials with mean m: the maximum has mean m (1 + 1/2) = 1.5 m,
    // the minimum m / 2. With m = 20 ms: 30 ms and 10 ms. 80,000 requests: the standard
    // error of the mean is about 0.1 ms (the maximum's sd is sqrt(5)/2 m = 22 ms).
    // (Each branch's service has 32 workers and sees 2 visits a second of 20 ms: a visit
    // practically never waits for a worker.)
    let all = run(&scenario_from_text("all.ron", &fan_out("All")));
    let mean = all.summary.latency_secs.mean;
    assert!((mean - 0.03).abs() < 0.03 * 0.02, "wait for all: {mean}");
    let first = run(&scenario_from_text("first.ron", &fan_out("First(1)")));
    let mean = first.summary.latency_secs.mean;
    assert!(
        (mean - 0.01).abs() < 0.01 * 0.03,
        "wait for the first: {mean}"
    );
    // Every branch ran, also those nobody waited for: b and c each had every request,
    // and their visits ended once.
    for o in [&all, &first] {
        let r = &o.summary.requests;
        for s in &o.summary.services[1..] {
            assert!(s.visits >= r.completed, "{s:?}");
            assert_eq!(s.dropped + s.failed_by_calls, 0, "{s:?}");
        }
        assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
    }
    // A fan-out that waits for more branches than it has is an error at its `wait`.
    let e = scenario_error("three.ron", &fan_out("First(3)"));
    assert!(e.contains("can wait for 1 to 2 of them, not 3"), "{e}");
}

#[test]
fn the_run_table_tells_what_each_service_did() {
    // Where requests were dropped reads off `scalesim run`'s table: web dropped them,
    // api and db did not (the y-split scenario's hour).
    let scenario = std::fs::read_to_string(repo_path("scenarios/axes/y-split.ron")).unwrap();
    let (o, _, _dir) = run_binary_on("y-split.ron", &scenario, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == name) && l.contains("visits"))
            .unwrap_or_else(|| panic!("no service line for {name}:\n{table}"))
            .to_string()
    };
    assert!(!line("web").contains(" 0 dropped here"), "{table}");
    assert!(line("api").contains(" 0 dropped here"), "{table}");
    assert!(line("db").contains(" 0 dropped here"), "{table}");
}

#[test]
fn x_clone_capacity_grows_with_the_clones_and_so_does_the_bill() {
    // The scenario's claim: one m5.large (room for 200 a second) drops much of a ramp to
    // 700 a second; four clones behind a least-outstanding balancer, and one m5.2xlarge
    // of the same price, carry all of it within the objective, at four times the cost.
    let o = run(&load("scenarios/axes/x-clone.ron"));
    let class = |n: &str| o.summary.classes.iter().find(|c| c.name == n).unwrap();
    assert!(class("one").dropped as f64 > 0.3 * class("one").arrived as f64);
    for n in ["clones", "big"] {
        assert_eq!(class(n).dropped, 0, "{n}");
        assert!(
            class(n).latency_secs.p99 < 0.1,
            "{n}: {:?}",
            class(n).latency_secs
        );
    }
    let cost = |n: &str| {
        o.summary
            .services
            .iter()
            .find(|s| s.name == n)
            .unwrap()
            .cost_usd
    };
    assert!((cost("clones") / cost("one") - 4.0).abs() < 1e-6);
    assert!((cost("big") - cost("clones")).abs() < 1e-6);
}

#[test]
fn a_class_demand_step_runs_what_a_service_without_work_runs() {
    // Two classes with different demands into one pool: `work: [ClassDemand]` draws each
    // request's own class demand from the workload's streams, exactly as no work does,
    // so the two runs are the same run.
    let text = |work: &str| {
        format!(
            r#"(
                name: "class-demand",
                duration_secs: 600,
                workload: (
                    rate: Constant(per_sec: 50),
                    classes: [
                        (name: "page", weight: 0.9, demand: Exponential(mean_secs: 0.02)),
                        (name: "search", weight: 0.1, demand: Exponential(mean_secs: 0.2)),
                    ],
                ),
                pools: [(name: "web", instance: "m5.large", size: (min: 2, max: 2){work})],
            )"#
        )
    };
    let plain = run(&scenario_from_text("plain.ron", &text("")));
    let step = run(&scenario_from_text(
        "step.ron",
        &text(", work: [ClassDemand]"),
    ));
    assert_eq!(plain.summary.latency_secs, step.summary.latency_secs);
    assert_eq!(plain.summary.classes, step.summary.classes);
}
