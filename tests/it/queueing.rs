//! Queueing theory: the simulator against Erlang C, M/M/c/K blocking (Kleinrock,
//! Queueing Systems, Vol. 1, Wiley, 1975), Pollaczek–Khinchine (Harchol-Balter,
//! Performance Modeling and Design of Computer Systems, Cambridge, 2013) and Little's law
//! (J. D. C. Little, "A Proof for the Queuing Formula: L = λW", Operations Research 9(3),
//! 1961).
//!
//! Method. Each scenario in scenarios/validation/ is one replication; the tests run
//! several independent replications (seeds 1..=n) in parallel and judge the tolerance with
//! the standard error of the replication means (sample standard deviation / √n). Runs
//! start empty; the warm-up is handled two ways: the run-long `wait_secs.mean` is used on
//! runs of 250,000 s and more, where the bias from starting empty is of the order of the
//! relaxation time over the run length (a few tens of seconds over 10⁵–10⁶ s, under 0.1 %);
//! and the mean response time is recomputed from the interval rows with the first
//! `WARMUP_ROWS` intervals (10,000 s) dropped and compared with W = W_q + 1/μ.

use scalesim::batch::RunOutput;
use scalesim::model::workload::curve::constant::Constant;
use scalesim::model::workload::{Demand, RateCurve};
use scalesim::scenario::Scenario;

use super::common::*;

/// Intervals (of 1,000 s in the validation scenarios) dropped as warm-up.
const WARMUP_ROWS: usize = 10;

#[test]
fn formulas_reproduce_the_domain_test_vectors() {
    // Worked by hand from the formulas: c=3, λ=2, μ=1 (A=2): B(3,2) = (8/6)/(1+2+2+8/6)
    // = 0.210526, C(3,2) = B/(1-ρ(1-B)) = 0.444444, W_q = C/(cμ-λ) = 0.444444,
    // W = W_q + 1/μ = 1.444444, L_q = λ W_q = 0.888889.
    assert!(
        (erlang_b(3, 2.0) - 0.210526).abs() < 5e-7,
        "{}",
        erlang_b(3, 2.0)
    );
    assert!(
        (erlang_c(3, 2.0) - 0.444444).abs() < 5e-7,
        "{}",
        erlang_c(3, 2.0)
    );
    assert!((mmc_wq(3, 2.0, 1.0) - 0.444444).abs() < 5e-7);
    assert!((mmc_wq(3, 2.0, 1.0) + 1.0 - 1.444444).abs() < 5e-7);
    assert!(
        (2.0 * mmc_wq(3, 2.0, 1.0) - 0.888889).abs() < 5e-7,
        "L_q = λ W_q"
    );
    // The bench vector: c=4, λ=3.2, μ=1: C ≈ 0.596432, W_q ≈ 0.745541, W ≈ 1.745541.
    assert!(
        (erlang_c(4, 3.2) - 0.596432).abs() < 5e-7,
        "{}",
        erlang_c(4, 3.2)
    );
    assert!(
        (mmc_wq(4, 3.2, 1.0) - 0.745541).abs() < 5e-7,
        "{}",
        mmc_wq(4, 3.2, 1.0)
    );
    // Call centre (λ=30/h, 5 min each, A=2.5): P(no wait) = 1 − C = 0.2978, 0.6801,
    // 0.8696, 0.9526 for 3..6 agents.
    for (c, p) in [(3, 0.2978), (4, 0.6801), (5, 0.8696), (6, 0.9526)] {
        assert!(
            (1.0 - erlang_c(c, 2.5) - p).abs() < 5e-5,
            "c={c}: {}",
            1.0 - erlang_c(c, 2.5)
        );
    }
    // Erlang B from its closed form (A^c/c!)/Σ A^k/k! at c=3, A=2: (8/6)/(1+2+2+8/6) = 0.210526.
    assert!((erlang_b(3, 2.0) - (8.0 / 6.0) / (1.0 + 2.0 + 2.0 + 8.0 / 6.0)).abs() < 1e-12);
    // M/M/1 is M/M/c with c=1: W_q = ρ/(μ−λ) = 0.8/0.2 = 4.0 at ρ=0.8, and P-K with
    // c_s²=1 agrees; M/D/1 (c_s²=0) waits half as long: 2.0.
    assert!((mmc_wq(1, 0.8, 1.0) - 4.0).abs() < 1e-12);
    assert!((pk_wq(0.8, 1.0, 1.0) - 4.0).abs() < 1e-12);
    assert!((pk_wq(0.8, 1.0, 0.0) - 2.0).abs() < 1e-12);
    // M/M/c/K with K=c is the Erlang loss system: blocking = B(c, A). B(2, 1.8) =
    // 1.62/(1+1.8+1.62) = 0.366516.
    assert!((mmck_blocking(2, 2, 1.8, 1.0) - erlang_b(2, 1.8)).abs() < 1e-12);
    assert!((mmck_blocking(2, 2, 1.8, 1.0) - 0.366516).abs() < 5e-7);
    // And M/M/1/K: p_K = (1−ρ)ρ^K/(1−ρ^(K+1)); ρ=0.5, K=3: 0.5·0.125/0.9375 = 0.0666667.
    assert!((mmck_blocking(1, 3, 0.5, 1.0) - 0.5 * 0.125 / 0.9375).abs() < 1e-12);
}

/// What an M/M/c or M/G/1 validation scenario describes: servers, arrival rate, mean
/// service time (read from the scenario, so the test and the file cannot drift apart).
struct Queue {
    c: u32,
    lambda: f64,
    mean_s: f64,
}

fn queue_of(s: &Scenario) -> Queue {
    assert_eq!(s.pools.len(), 1, "{}: one pool", s.file.name);
    let pool = &s.pools[0];
    assert_eq!(
        (pool.min, pool.max, pool.initial),
        (1, 1, 1),
        "{}: exactly one instance",
        s.file.name
    );
    assert_eq!(pool.instance.speed, 1.0);
    assert_eq!(pool.instance.boot_secs, 0.0);
    assert_eq!(pool.timeout, None, "{}: nobody abandons", s.file.name);
    let RateCurve::Constant(Constant { per_sec }) = s.file.workload.rate else {
        panic!("{}: a constant rate", s.file.name)
    };
    assert_eq!(s.classes.len(), 1);
    let mean_s = match s.classes[0].demand {
        Demand::Exponential { mean_secs } => mean_secs,
        Demand::Constant { secs } => secs,
        ref d => panic!("unexpected demand {d:?}"),
    };
    Queue {
        c: pool.workers,
        lambda: per_sec,
        mean_s,
    }
}

/// Mean response time from the rows after the warm-up: Σ mean·completed / Σ completed.
fn response_after_warmup(o: &RunOutput) -> f64 {
    let rows = &o.recorder().rows()[WARMUP_ROWS..];
    let n: u64 = rows.iter().map(|r| r.completed).sum();
    rows.iter()
        .map(|r| r.latency.mean * r.completed as f64)
        .sum::<f64>()
        / n as f64
}

/// Runs `reps` replications of `file` and checks the mean wait against `expected_wq`
/// within `tol` (relative), and the post-warm-up mean response against `expected_wq + E[S]`.
/// Also checks that the tolerance is at least 3 standard errors, so the test has power.
fn check_mean_wait(file: &str, reps: u64, expected_wq: f64, tol: f64) {
    let s = load(file);
    let q = queue_of(&s);
    let outs = replicate(&s, reps);
    let requests: u64 = outs.iter().map(|o| o.summary.requests.arrived).sum();
    for o in &outs {
        let r = &o.summary.requests;
        assert_eq!(r.dropped, 0, "{file}: the queue is effectively infinite");
        assert_eq!(r.arrived, r.completed + r.in_flight);
    }
    let wq = Estimate::of(
        &outs
            .iter()
            .map(|o| o.summary.wait_secs.mean)
            .collect::<Vec<_>>(),
    );
    let w = Estimate::of(&outs.iter().map(response_after_warmup).collect::<Vec<_>>());
    let expected_w = expected_wq + q.mean_s;
    println!(
        "{file}: c={} λ={} E[S]={} ρ={:.2}, {reps} replications, {requests} requests\n  \
         W_q expected {expected_wq:.6}, simulated {:.6} ± {:.6} (se {:.2}%), error {:.2}% ({:.1} se), tolerance {:.1}% = {:.1} se\n  \
         W (after {WARMUP_ROWS} warm-up intervals) expected {expected_w:.6}, simulated {:.6} ± {:.6}, error {:.2}%",
        q.c,
        q.lambda,
        q.mean_s,
        q.lambda * q.mean_s / f64::from(q.c),
        wq.mean,
        wq.se,
        100.0 * wq.rel_se(expected_wq),
        100.0 * wq.rel_err(expected_wq),
        (wq.mean - expected_wq).abs() / wq.se,
        100.0 * tol,
        tol * expected_wq / wq.se,
        w.mean,
        w.se,
        100.0 * w.rel_err(expected_w),
    );
    assert!(
        requests >= 1_000_000,
        "{file}: at least a million requests, got {requests}"
    );
    assert!(
        3.0 * wq.se <= tol * expected_wq,
        "{file}: the standard error {:.5} is too large for a {}% tolerance to mean anything; run more requests",
        wq.se,
        100.0 * tol
    );
    assert!(
        wq.rel_err(expected_wq) <= tol,
        "{file}: mean wait {:.6} ± {:.6} is {:.2}% away from {expected_wq:.6}",
        wq.mean,
        wq.se,
        100.0 * wq.rel_err(expected_wq)
    );
    assert!(
        w.rel_err(expected_w) <= tol,
        "{file}: mean response after warm-up {:.6} is {:.2}% away from {expected_w:.6}",
        w.mean,
        100.0 * w.rel_err(expected_w)
    );
}

#[test]
fn mm2_mean_wait_matches_erlang_c_at_utilisation_0_5() {
    // c=2, λ=1, μ=1 (A=1, ρ=0.5): B(1,1) = 0.5, B(2,1) = 0.5/2.5 = 0.2;
    // C = 0.2/(1 − 0.5·0.8) = 0.333333; W_q = C/(2−1) = 0.333333 s.
    let s = load("scenarios/validation/mmc-rho05.ron");
    let q = queue_of(&s);
    assert_eq!((q.c, q.lambda, q.mean_s), (2, 1.0, 1.0));
    let wq = mmc_wq(q.c, q.lambda, 1.0 / q.mean_s);
    assert!((wq - 0.333333).abs() < 5e-7, "{wq}");
    // Measured: one replication of 500,000 requests has a relative sd of about 0.9 %, so
    // 8 replications (4 million requests) give a standard error of about 0.33 %: 2 % is ~6 se.
    check_mean_wait("scenarios/validation/mmc-rho05.ron", 8, wq, 0.02);
}

#[test]
fn mm4_mean_wait_matches_erlang_c_at_utilisation_0_8() {
    // c=4, λ=3.2, μ=1 (A=3.2, ρ=0.8): B(4,3.2) = 0.228145 by the recursion;
    // C = 0.228145/(1 − 0.8·0.771855) = 0.596432; W_q = C/(4−3.2) = 0.745541 s.
    let s = load("scenarios/validation/mmc-rho08.ron");
    let q = queue_of(&s);
    assert_eq!((q.c, q.lambda, q.mean_s), (4, 3.2, 1.0));
    let wq = mmc_wq(q.c, q.lambda, 1.0 / q.mean_s);
    assert!((wq - 0.745541).abs() < 5e-7, "{wq}");
    // Measured: one replication of 800,000 requests has a relative sd of about 1.8 %;
    // 16 replications (12.8 million requests) give a standard error of about 0.45 %: 2 % is
    // ~4 se.
    check_mean_wait("scenarios/validation/mmc-rho08.ron", 16, wq, 0.02);
}

#[test]
fn mm8_mean_wait_matches_erlang_c_at_utilisation_0_9() {
    // c=8, λ=7.2, μ=1 (A=7.2, ρ=0.9): B(8,7.2) = 0.190313 by the recursion;
    // C = 0.190313/(1 − 0.9·0.809687) = 0.701533; W_q = C/(8−7.2) = 0.876916 s.
    let s = load("scenarios/validation/mmc-rho09.ron");
    let q = queue_of(&s);
    assert_eq!((q.c, q.lambda, q.mean_s), (8, 7.2, 1.0));
    let wq = mmc_wq(q.c, q.lambda, 1.0 / q.mean_s);
    assert!((wq - 0.876916).abs() < 5e-7, "{wq}");
    // Measured: near saturation waits are long-correlated; one replication of 2.88 million
    // requests has a relative sd of about 1.6 %, so 16 replications (46 million requests)
    // give a standard error of about 0.4 %: 2 % is ~5 se.
    check_mean_wait("scenarios/validation/mmc-rho09.ron", 16, wq, 0.02);
}

#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    // ρ = 0.8, E[S] = 1, c_s² = 0: W_q = ρ E[S] (1 + 0) / (2 (1 − ρ)) = 0.8 / 0.4 = 2.0 s.
    let s = load("scenarios/validation/md1-rho08.ron");
    let q = queue_of(&s);
    assert_eq!((q.c, q.lambda, q.mean_s), (1, 0.8, 1.0));
    assert!(
        matches!(s.classes[0].demand, Demand::Constant { .. }),
        "deterministic service"
    );
    let wq = pk_wq(q.lambda, q.mean_s, 0.0);
    assert!((wq - 2.0).abs() < 1e-12, "{wq}");
    // Measured: one replication of 800,000 requests has a relative sd of about 0.9 %;
    // 8 replications give a standard error of about 0.3 %: 2 % is ~6 se.
    check_mean_wait("scenarios/validation/md1-rho08.ron", 8, wq, 0.02);
}

#[test]
fn mmck_blocking_matches_the_formula() {
    // c=2, K=6 (queue_capacity 4), λ=1.8, μ=1: q_n = 1, 1.8, 1.62, then ×0.9 each:
    // 1.458, 1.3122, 1.18098, 1.062882; sum 9.434062; p_6 = 1.062882/9.434062 = 0.112664.
    let file = "scenarios/validation/mmck-blocking.ron";
    let s = load(file);
    let q = queue_of(&s);
    let k = q.c + s.pools[0].queue_capacity.unwrap();
    assert_eq!((q.c, k, q.lambda, q.mean_s), (2, 6, 1.8, 1.0));
    let expected = mmck_blocking(q.c, k, q.lambda, 1.0 / q.mean_s);
    assert!((expected - 0.112664).abs() < 5e-7, "{expected}");

    let outs = replicate(&s, 8);
    let mut fractions = Vec::new();
    for o in &outs {
        let r = &o.summary.requests;
        let d = &r.dropped_by_reason;
        assert_eq!(
            (d.no_capacity, d.timeout, d.failure),
            (0, 0, 0),
            "only full queues drop here"
        );
        assert_eq!(d.queue_full, r.dropped);
        assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
        // Never more than K in the system.
        assert!(
            o.recorder()
                .rows()
                .iter()
                .all(|row| row.in_flight <= u64::from(k))
        );
        fractions.push(d.queue_full as f64 / r.arrived as f64);
    }
    let requests: u64 = outs.iter().map(|o| o.summary.requests.arrived).sum();
    let b = Estimate::of(&fractions);
    println!(
        "{file}: M/M/{}/{k} at A={}: blocking expected {expected:.6}, simulated {:.6} ± {:.6} (se {:.2}%), error {:.2}%, {requests} requests",
        q.c,
        q.lambda,
        b.mean,
        b.se,
        100.0 * b.rel_se(expected),
        100.0 * b.rel_err(expected)
    );
    assert!(requests >= 1_000_000);
    // Measured: 8 replications of 900,000 requests give a standard error of about 0.3 %,
    // so 3 % is ~10 se.
    assert!(
        3.0 * b.se <= 0.03 * expected,
        "standard error {:.6} too large",
        b.se
    );
    assert!(
        b.rel_err(expected) <= 0.03,
        "blocking {:.6} vs {expected:.6}",
        b.mean
    );

    // The same law at the edge of stability: c=3, K=6, λ=3 (ρ=1, A=3): q_n = 1, 3, 4.5,
    // 4.5, 4.5, 4.5, 4.5 (sum 26.5): p_6 = 4.5/26.5 = 0.169811. A finite queue stays stable.
    let mut f = s.file.clone();
    f.workload.rate = RateCurve::Constant(Constant { per_sec: 3.0 });
    f.duration_secs = 200_000.0;
    f.pools[0].workers = Some(3);
    f.pools[0].queue_capacity = Some(3);
    let s2 = Scenario::validate(f, &scalesim::scenario::Source::inline("mm3k6", "")).unwrap();
    let expected2 = mmck_blocking(3, 6, 3.0, 1.0);
    assert!((expected2 - 4.5 / 26.5).abs() < 1e-12 && (expected2 - 0.169811).abs() < 5e-7);
    let outs2 = replicate(&s2, 4);
    let b2 = Estimate::of(
        &outs2
            .iter()
            .map(|o| {
                o.summary.requests.dropped_by_reason.queue_full as f64
                    / o.summary.requests.arrived as f64
            })
            .collect::<Vec<_>>(),
    );
    println!(
        "M/M/3/6 at A=3: blocking expected {expected2:.6}, simulated {:.6} ± {:.6}, error {:.2}%",
        b2.mean,
        b2.se,
        100.0 * b2.rel_err(expected2)
    );
    assert!(3.0 * b2.se <= 0.03 * expected2);
    assert!(
        b2.rel_err(expected2) <= 0.03,
        "blocking {:.6} vs {expected2:.6}",
        b2.mean
    );
}

#[test]
fn littles_law_holds_on_a_long_run() {
    // L = λ W: the time-average number in the system equals the arrival rate times the
    // mean time in the system. 40/s for 50,000 s ≈ 2 million requests, none dropped.
    let file = "scenarios/validation/little.ron";
    let s = load(file);
    let out = run(&s);
    let sum = &out.summary;
    let r = &sum.requests;
    assert_eq!(r.dropped, 0);
    assert!(r.arrived >= 1_000_000, "{}", r.arrived);
    let lambda = r.arrived as f64 / sum.duration_secs;
    let l = sum.in_flight_mean;
    let lw = lambda * sum.latency_secs.mean;
    println!(
        "{file}: L = {l:.6}, λ = {lambda:.4}/s, W = {:.6} s, λW = {lw:.6}, difference {:.4}%",
        sum.latency_secs.mean,
        100.0 * (l - lw).abs() / lw
    );
    // Utilisation 40 · 0.08 / 6 = 0.533: L is at least the busy workers, 3.2.
    assert!(l > 3.2 && l < 20.0, "L = {l}");
    assert!(
        (l - lw).abs() <= 0.01 * lw,
        "Little's law: L = {l}, λW = {lw}"
    );
    // And the queue part: L_q = L − (mean busy workers) and W_q: L_q = λ W_q.
    let busy = sum.pools[0].utilisation_mean * 6.0;
    let lq = l - busy;
    let lwq = lambda * sum.wait_secs.mean;
    println!("  L_q = L − busy = {lq:.6}, λ W_q = {lwq:.6}");
    assert!(
        (lq - lwq).abs() <= 0.01 * lwq.max(0.05),
        "L_q = {lq}, λW_q = {lwq}"
    );
}

#[test]
fn a_queue_without_a_bound_drops_nothing_and_says_so_in_its_file() {
    // M/M/1 at ρ = 0.95 (λ = 0.95/s, mean demand 1 s on one worker) for 20,000 s: the
    // queue often grows past 20, so a bound of 20 drops requests and no bound drops none.
    let text = |queue: &str| {
        format!(
            r#"(
            name: "mm1",
            duration_secs: 20000,
            seed: 3,
            workload: (
                rate: Constant(per_sec: 0.95),
                classes: [(name: "job", demand: Exponential(mean_secs: 1.0))],
            ),
            pools: [(name: "one", instance: "ref.1", queue_capacity: {queue},
                     timeout_secs: None, size: (min: 1, max: 1))],
        )"#
        )
    };
    let unbounded = scenario_from_text("mm1.ron", &text("None"));
    assert_eq!(unbounded.pools[0].queue_capacity, None);
    let out = run(&unbounded);
    let r = &out.summary.requests;
    assert_eq!(r.dropped, 0, "{r:?}");
    assert!(r.arrived > 18_000, "{r:?}");
    // Written back as `scenario.ron` writes it, the missing bound stays missing.
    let again = scenario_from_text("again.ron", &unbounded.to_ron().unwrap());
    assert_eq!(again.pools[0].queue_capacity, None);
    // The same requests with a bound of 20 lose some to a full queue.
    let bounded = run(&scenario_from_text("mm1-20.ron", &text("20")));
    assert!(bounded.summary.requests.dropped_by_reason.queue_full > 0);
}
