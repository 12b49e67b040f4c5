//! The knee (issue 12): scaling a design's load until it stops meeting its objective
//! and until it stops responding, checked against an M/M/1 queue whose edges are known.

use super::common::*;

#[test]
fn the_knee_of_an_mm1_queue_is_where_queueing_theory_puts_it() {
    // One single-worker instance, 10 ms of exponential work a request (μ = 100/s), an
    // unbounded queue: M/M/1. Its response time is exponential with rate μ − λ, so its
    // p99 is ln(100) / (μ − λ) = 4.605 / (100 − λ): within the 0.1 s objective while
    // λ <= 100 − 46.05 = 53.95/s. Past λ = μ the queue grows without end and it serves
    // about μ T of the λ T that arrive: under 90% once λ > 100 / 0.9 = 111.1/s. A fixed
    // fleet costs the same at every load: the cost grows slower than the load.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1.ron");
    std::fs::write(
        &file,
        r#"(
            name: "mm1-knee",
            duration_secs: 3000,
            seed: 11,
            slo: (latency_secs: 0.1, percentile: 99),
            workload: (
                rate: Constant(per_sec: 50),
                classes: [(name: "req", demand: Exponential(mean_secs: 0.01))],
            ),
            instance_types: [(name: "ref.1p", provider: "reference", vcpus: 1, memory_gib: 1,
                              speed: 1.0, price_usd_per_hour: 0.1, boot_secs: 0)],
            pools: [(name: "one", instance: "ref.1p", queue_capacity: None, timeout_secs: None,
                     size: (min: 1, max: 1))],
        )"#,
    )
    .unwrap();
    let out = dir.path().join("knee");
    let o = scalesim(&[
        "knee",
        file.to_str().unwrap(),
        "--metric",
        "p99",
        "--from",
        "20",
        "--to",
        "200",
        "--steps",
        "7",
        "--bisections",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    println!("{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("knee.json")).unwrap()).unwrap();
    let edge = |name: &str| {
        (
            report[name]["last_good_per_sec"].as_f64().unwrap(),
            report[name]["first_bad_per_sec"].as_f64().unwrap(),
        )
    };
    // Six bisections of a grid step of (200/20)^(1/6) = 1.468 leave a bracket 0.6% wide;
    // the p99 of ~150,000 requests is known within a few percent.
    let (good, bad) = edge("objective_edge");
    assert!(bad / good < 1.01, "{good} {bad}");
    assert!(good > 53.95 * 0.93 && bad < 53.95 * 1.07, "{good} {bad}");
    let (good, bad) = edge("response_edge");
    assert!(good > 111.1 * 0.93 && bad < 111.1 * 1.07, "{good} {bad}");
    assert_eq!(report["cost_growth"], "sub_linear");
    assert!(
        stdout.contains("stops meeting its objective between"),
        "{stdout}"
    );
    assert!(stdout.contains("stops responding"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("knee.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 7 + 12, "{csv}");
    assert!(csv.starts_with("peak_per_sec,scale,"));
}

#[test]
fn knee_input_errors_exit_2_with_a_message() {
    let o = scalesim(&[
        "knee",
        repo_path("scenarios/validation/mmc-rho08.ron")
            .to_str()
            .unwrap(),
        "--from",
        "10",
        "--to",
        "5",
        "--out",
        tempfile::tempdir().unwrap().path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("0 < from < to"),
        "{}",
        text(&o.stderr)
    );
    let o = scalesim(&["knee", "no-such.ron"]);
    assert_eq!(o.status.code(), Some(2));
    let o = scalesim(&["knee", "x.ron", "--metric", "p42"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("p99"), "{}", text(&o.stderr));
}
