//! Determinism: one scenario and one seed give the very same run, through the library,
//! through parallel replications and through the command line; and common random numbers:
//! two designs run with one seed see the very same requests.

use std::path::Path;
use std::process::Command;

use scalesim::batch::RunOutput;
use scalesim::metrics::RunSummary;
use scalesim::metrics::output::{decisions_csv, series_csv, summary_json};
use scalesim::model::balancer::BalancerKind;
use scalesim::scenario::Scenario;

use super::common::*;

/// A design with randomness everywhere it can be: bursty arrivals, several classes,
/// random routing, two pools, a schedule, timeouts and drains.
pub const BUSY_DESIGN: &str = r#"// Determinism fixture: randomness in the workload and in the design.
(
    name: "busy-design",
    start: "mon 08:00",
    duration_secs: 1800,
    seed: 5,
    interval_secs: 10,
    workload: (
        rate: Ramp(from_per_sec: 100, to_per_sec: 400, start: "08:05", ramp_secs: 900),
        burst: Mmpp(high_factor: 3, high_mean_secs: 5, low_mean_secs: 30),
        classes: [
            (name: "page",   weight: 0.7, demand: LogNormal(mean_secs: 0.03, cv: 1.2)),
            (name: "search", weight: 0.2, demand: HyperExponential(mean_secs: 0.1, cv: 2)),
            (name: "report", weight: 0.1, demand: Pareto(mean_secs: 0.5, shape: 2.2), pool: "batch"),
        ],
    ),
    pools: [
        (
            name: "web",
            instance: "m5.large",
            queue_capacity: 20,
            timeout_secs: 1.5,
            size: (min: 2, max: 12, initial: 4),
            balancer: PowerOfTwo,
            schedule: [(at: "08:10", desired: 10), (at: "08:25", desired: 6)],
        ),
        (
            name: "batch",
            instance: "c5.xlarge",
            queue_capacity: 50,
            size: (min: 2, max: 2),
            balancer: Random,
        ),
    ],
)
"#;

/// The summary with the three wall-clock figures zeroed (they vary between runs).
fn without_wall_clock(s: &RunSummary) -> RunSummary {
    let mut s = s.clone();
    s.engine.wall_secs = 0.0;
    s.engine.events_per_sec = 0.0;
    s.engine.requests_per_sec = 0.0;
    s
}

fn series(o: &RunOutput, s: &Scenario) -> String {
    let rec = o.recorder();
    series_csv(rec.rows(), rec.pool_names(), s.clock)
}

#[test]
fn same_scenario_and_seed_give_identical_runs() {
    let s = scenario_from_text("busy-design.ron", BUSY_DESIGN);
    let a = run(&s);
    let b = run(&s);
    let r = &a.summary.requests;
    // The fixture exercises the random paths: many requests, drops, several decisions.
    assert!(r.arrived > 200_000 && r.dropped > 0, "{r:?}");
    assert_eq!(a.recorder().decisions().len(), 2);
    let (sa, sb) = (series(&a, &s), series(&b, &s));
    assert_eq!(
        sa.lines().count(),
        1 + 180,
        "a header and 1800 s / 10 s = 180 rows"
    );
    assert!(
        sa == sb,
        "series.csv differs between two runs with seed {}",
        s.file.seed
    );
    assert_eq!(
        decisions_csv(a.recorder().decisions()),
        decisions_csv(b.recorder().decisions())
    );
    assert_eq!(
        a.recorder().rows(),
        b.recorder().rows(),
        "every figure of every interval"
    );
    assert_eq!(
        without_wall_clock(&a.summary),
        without_wall_clock(&b.summary)
    );
    assert_eq!(
        summary_json(&without_wall_clock(&a.summary)).unwrap(),
        summary_json(&without_wall_clock(&b.summary)).unwrap()
    );

    // A different seed gives a different run (so the comparison above can fail).
    let mut other = s.clone();
    other.file.seed = 6;
    let c = run(&other);
    assert_ne!(series(&c, &other), sa, "seed 6 should not repeat seed 5");
}

#[test]
fn parallel_replications_repeat_a_single_run() {
    // Runs in parallel share nothing: seed 9 replicated three times on the rayon pool
    // equals seed 9 run alone, and the results come back in seed order.
    let s = scenario_from_text("busy-design.ron", BUSY_DESIGN);
    let outs = scalesim::batch::replicate(&s, &[9, 10, 9, 9]).unwrap();
    let mut alone = s.clone();
    alone.file.seed = 9;
    let single = run(&alone);
    let expected = series(&single, &alone);
    for (i, o) in outs.iter().enumerate() {
        let seed = if i == 1 { 10 } else { 9 };
        assert_eq!(o.summary.seed, seed);
        if seed == 9 {
            assert!(
                series(o, &alone) == expected,
                "replication {i} differs from the single run"
            );
            assert_eq!(
                without_wall_clock(&o.summary),
                without_wall_clock(&single.summary)
            );
        } else {
            assert_ne!(series(o, &alone), expected);
        }
    }
}

fn scalesim_run(file: &Path, out: &Path, extra: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_scalesim"))
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "scalesim run failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// summary.json parsed, with the three wall-clock figures removed.
fn summary_without_wall_clock(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let engine = v["engine"]
        .as_object_mut()
        .expect("summary.json has an engine object");
    for k in ["wall_secs", "events_per_sec", "requests_per_sec"] {
        assert!(engine.remove(k).is_some(), "summary.json lacks engine.{k}");
    }
    assert!(
        engine.contains_key("events"),
        "the deterministic engine figures stay"
    );
    v
}

#[test]
fn two_cli_runs_write_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("busy-design.ron");
    std::fs::write(&file, BUSY_DESIGN).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // --seed and --duration go through the same path as the file's own values.
    scalesim_run(&file, &a, &["--seed", "3", "--duration", "900", "--quiet"]);
    scalesim_run(&file, &b, &["--seed", "3", "--duration", "900", "--quiet"]);
    let read = |d: &Path, f: &str| {
        std::fs::read(d.join(f)).unwrap_or_else(|e| panic!("{}/{f}: {e}", d.display()))
    };
    let series_a = read(&a, "series.csv");
    assert_eq!(
        String::from_utf8_lossy(&series_a).lines().count(),
        1 + 90,
        "900 s of 10 s intervals"
    );
    assert!(
        series_a == read(&b, "series.csv"),
        "series.csv differs between two runs"
    );
    assert!(
        read(&a, "decisions.csv") == read(&b, "decisions.csv"),
        "decisions.csv differs"
    );
    assert!(
        read(&a, "scenario.ron") == read(&b, "scenario.ron"),
        "scenario.ron differs"
    );
    let (ja, jb) = (
        summary_without_wall_clock(&a.join("summary.json")),
        summary_without_wall_clock(&b.join("summary.json")),
    );
    assert_eq!(ja, jb, "summary.json differs beyond the wall-clock figures");
    assert_eq!(ja["seed"], 3);
    assert_eq!(ja["duration_secs"], 900.0);

    // The library with the same seed and duration writes the same series.
    let mut s = scenario_from_text("busy-design.ron", BUSY_DESIGN);
    s.file.seed = 3;
    s.file.duration_secs = 900.0;
    let s = Scenario::validate(
        s.file,
        &scalesim::scenario::Source::inline("busy-design.ron", BUSY_DESIGN),
    )
    .unwrap();
    let o = run(&s);
    assert!(
        series(&o, &s).as_bytes() == series_a.as_slice(),
        "the CLI and the library disagree"
    );

    // scenario.ron repeats the run: running it again gives the same series.
    let c = dir.path().join("c");
    scalesim_run(&a.join("scenario.ron"), &c, &["--quiet"]);
    assert!(
        read(&c, "series.csv") == series_a,
        "re-running scenario.ron does not repeat the run"
    );
}

#[test]
fn designs_compared_on_one_seed_see_the_same_arrivals() {
    // Common random numbers: the workload's streams are apart from the design's, so
    // changing the balancer (RoundRobin vs Random vs PowerOfTwo ...), the instance count
    // or the instance type leaves the arrivals of every interval unchanged.
    let base = scenario_from_text("busy-design.ron", BUSY_DESIGN);
    let variant = |edit: &dyn Fn(&mut scalesim::scenario::ScenarioFile)| {
        let mut f = base.file.clone();
        edit(&mut f);
        Scenario::validate(
            f,
            &scalesim::scenario::Source::inline("variant", BUSY_DESIGN),
        )
        .unwrap()
    };
    let mut designs = Vec::new();
    for kind in [
        BalancerKind::RoundRobin,
        BalancerKind::Random,
        BalancerKind::PowerOfTwo,
        BalancerKind::LeastOutstanding,
        BalancerKind::WeightedRoundRobin,
    ] {
        designs.push((
            format!("{kind:?}"),
            variant(&|f| f.pools[0].balancer = kind),
        ));
    }
    designs.push((
        "bigger instances".into(),
        variant(&|f| f.pools[0].instance = "m5.xlarge".into()),
    ));
    designs.push((
        "fixed 3 instances".into(),
        variant(&|f| {
            f.pools[0].size = scalesim::scenario::PoolSize {
                min: 3,
                max: 3,
                initial: 3,
            };
            f.pools[0].schedule.clear();
        }),
    ));
    let runs: Vec<(String, RunOutput)> = {
        use rayon::prelude::*;
        designs
            .into_par_iter()
            .map(|(name, s)| (name, run(&s)))
            .collect()
    };
    let arrivals = |o: &RunOutput| {
        o.recorder()
            .rows()
            .iter()
            .map(|r| r.arrivals)
            .collect::<Vec<u64>>()
    };
    let reference = arrivals(&runs[0].1);
    assert!(reference.len() == 180 && reference.iter().all(|&a| a > 0));
    for (name, o) in &runs {
        assert_eq!(
            arrivals(o),
            reference,
            "{name} sees different arrivals than RoundRobin"
        );
        assert_eq!(
            o.summary.requests.arrived,
            runs[0].1.summary.requests.arrived
        );
    }
    // The designs do differ (otherwise equal arrivals would prove nothing): the latency
    // of the RoundRobin and the 3-instance runs, say.
    let p99 = |o: &RunOutput| o.summary.latency_secs.p99;
    let distinct: std::collections::BTreeSet<u64> =
        runs.iter().map(|(_, o)| p99(o).to_bits()).collect();
    assert!(
        distinct.len() >= 4,
        "the designs should behave differently: {:?}",
        runs.iter().map(|(n, o)| (n, p99(o))).collect::<Vec<_>>()
    );
}
