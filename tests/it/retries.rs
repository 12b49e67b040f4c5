//! Client timeouts and retries (issue 11): tries follow the backoff formula, a try the
//! client gave up on is served for no one, a retry quota stops a storm, and the
//! retry-storm scenario's claim holds.

use super::common::*;

/// One class whose client is `client`, sent at `per_sec` for `secs` into `service`.
fn with_client(client: &str, service: &str, per_sec: f64, secs: u32) -> String {
    format!(
        r#"(
            name: "client",
            duration_secs: {secs},
            seed: 6,
            workload: (
                rate: Constant(per_sec: {per_sec}),
                classes: [(name: "req", entry: "api", demand: Constant(secs: 0.0),
                           client: {client})],
            ),
            services: [{service}],
        )"#
    )
}

/// A service with no instance: every try is turned away at once (no capacity).
const DOWN: &str = r#"(name: "api", instance: "ref.1", size: (min: 0, max: 1),
                        work: [Cpu(Constant(secs: 0.01))])"#;

#[test]
fn tries_follow_the_backoff_formula() {
    // Every try fails at once; four tries with base 0.1 s, cap 5 s and no jitter wait
    // 0.1, 0.2 and 0.4 s: the request is dropped 0.7 s after it was sent, having retried
    // three times. So each request is in the system exactly 0.7 s, and by Little's law
    // the mean number in the system is λ × 0.7 = 10 × 0.7 = 7 (an M/D/∞ count: over
    // 2,000 s its estimate's error is well under 1 %).
    let text = with_client(
        "(retry: (attempts: 4, base_secs: 0.1, cap_secs: 5.0, jitter: None))",
        DOWN,
        10.0,
        2000,
    );
    let o = run(&scenario_from_text("backoff.ron", &text));
    let r = &o.summary.requests;
    assert_eq!(r.completed, 0);
    assert_eq!(r.dropped, r.dropped_by_reason.no_capacity);
    assert_eq!(r.arrived, r.dropped + r.in_flight);
    // Three retries for each request dropped; those in flight at the end have made
    // between none and three.
    assert!(r.retries >= 3 * r.dropped && r.retries <= 3 * (r.dropped + r.in_flight));
    let l = o.summary.in_flight_mean;
    assert!((l - 7.0).abs() < 0.15, "{l}");
}

#[test]
fn a_timed_out_try_is_retried_and_still_served_for_no_one() {
    // Each try needs 2 s of the single worker; the client waits 0.5 s, backs off 0.25 s
    // and tries once more: tries at 0 and 0.75 s, given up at 1.25 s with
    // client_timeout. Nothing completes for a client, yet the server works on: every
    // try it serves is an abandoned reply. In the system 1.25 s each: L = 0.2 × 1.25.
    let service = r#"(name: "api", instance: "ref.1", size: (min: 1, max: 1),
                      queue_capacity: None, timeout_secs: None,
                      work: [Cpu(Constant(secs: 2.0))])"#;
    let text = with_client(
        "(timeout_secs: 0.5, retry: (attempts: 2, base_secs: 0.25, cap_secs: 1.0, jitter: None))",
        service,
        0.2,
        20_000,
    );
    let o = run(&scenario_from_text("timeout.ron", &text));
    let r = &o.summary.requests;
    assert_eq!(r.completed, 0);
    assert_eq!(r.dropped, r.dropped_by_reason.client_timeout);
    assert!(r.dropped > 3_500, "{r:?}");
    // Two tries a request, 4 s of work at 0.2 a second: the worker is 80 % busy, and
    // nearly every try is served in the end (for no one).
    assert!(
        r.abandoned_replies as f64 > 0.95 * 2.0 * r.dropped as f64,
        "{r:?}"
    );
    let l = o.summary.in_flight_mean;
    assert!((l - 0.25).abs() < 0.01, "{l}");
    // The services section counts the tries as visits: twice the requests.
    let api = &o.summary.services[0];
    assert!(api.visits >= 2 * r.dropped, "{api:?}");
}

#[test]
fn a_retry_quota_runs_dry_when_everything_fails() {
    // The SDKs' bucket: 500 tokens, 5 a retry, nothing put back (nothing succeeds): 100
    // retries in all, then every request gets its single try.
    let text = with_client(
        "(retry: (attempts: 4, base_secs: 0.1, cap_secs: 5.0, jitter: Full, \
          quota: (tokens: 500, retry_cost: 5, timeout_cost: 10)))",
        DOWN,
        10.0,
        600,
    );
    let o = run(&scenario_from_text("quota.ron", &text));
    assert_eq!(o.summary.requests.retries, 100);
    assert!(o.summary.requests.dropped > 5_000);
}

#[test]
fn client_settings_are_checked() {
    let bad = with_client("(timeout_secs: 0.0)", DOWN, 1.0, 10);
    let e = scenario_error("t.ron", &bad);
    assert!(e.contains("client") && e.contains("timeout_secs"), "{e}");
    let bad = with_client(
        "(retry: (attempts: 0, base_secs: 0.1, cap_secs: 1.0, jitter: None))",
        DOWN,
        1.0,
        10,
    );
    let e = scenario_error("a.ron", &bad);
    assert!(e.contains("attempts"), "{e}");
}

#[test]
fn retry_storm_holds_without_a_budget_and_ends_with_one() {
    // The scenario's claim: after a flash crowd of about a minute, the APIs whose clients
    // retry without a budget (at once, or with backoff and jitter) still get about four
    // tries per request twenty minutes later and drop most of them; the one whose
    // clients keep the SDKs' retry quota is back to its 280 visits a second and drops
    // nothing in those minutes.
    let o = run(&load("scenarios/failures/retry-storm.ron"));
    let rows = o.recorder().rows();
    let names = o.recorder().pool_names().to_vec();
    let late = |pool: &str| {
        let i = names.iter().position(|n| n == pool).unwrap();
        let tail: Vec<_> = rows.iter().filter(|r| r.start_secs >= 1200.0).collect();
        let secs: f64 = tail.iter().map(|r| r.end_secs - r.start_secs).sum();
        let visits: u64 = tail.iter().map(|r| r.pools[i].visits).sum();
        let dropped: u64 = tail
            .iter()
            .map(|r| r.pools[i].drops.iter().sum::<u64>())
            .sum();
        (visits as f64 / secs, dropped)
    };
    for pool in ["api-a", "api-b"] {
        let (per_sec, dropped) = late(pool);
        assert!(per_sec > 3.0 * 280.0, "{pool}: {per_sec} visits/s");
        assert!(dropped > 10_000, "{pool}: {dropped}");
    }
    let (per_sec, dropped) = late("api-c");
    assert!((per_sec - 280.0).abs() < 15.0, "api-c: {per_sec} visits/s");
    assert_eq!(dropped, 0);
    let class = |n: &str| o.summary.classes.iter().find(|c| c.name == n).unwrap();
    assert!(class("no backoff").dropped as f64 > 0.5 * class("no backoff").arrived as f64);
    assert!(class("backoff").dropped as f64 > 0.5 * class("backoff").arrived as f64);
    assert!((class("quota").dropped as f64) < 0.15 * class("quota").arrived as f64);
    // The storm is work for no one: hundreds of thousands of tries served after their
    // client had given up.
    assert!(o.summary.requests.abandoned_replies > 500_000);
}
