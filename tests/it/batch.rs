//! Batch work (issue 12): many scenarios in parallel, replications with confidence
//! intervals, results files, and a batch that goes on past a broken file.

use super::common::*;

/// An M/M/1 queue at utilisation `rho` (one single-worker reference instance, 10 ms a
/// request) for `secs` seconds, named `name`.
fn mm1(name: &str, rho: f64, secs: u32) -> String {
    format!(
        r#"(
            name: "{name}",
            duration_secs: {secs},
            seed: 3,
            workload: (
                rate: Constant(per_sec: {}),
                classes: [(name: "req", demand: Exponential(mean_secs: 0.01))],
            ),
            pools: [(name: "one", instance: "ref.1", queue_capacity: None, timeout_secs: None,
                     size: (min: 1, max: 1))],
        )"#,
        rho * 100.0
    )
}

/// The `results.json` a batch wrote to `out`.
fn results(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// A scenario result's estimate of `metric`: (mean, 95% half-width).
fn metric(result: &serde_json::Value, metric: &str) -> (f64, f64) {
    let m = result["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m[0] == metric)
        .unwrap();
    (
        m[1]["mean"].as_f64().unwrap(),
        m[1]["ci95"].as_f64().unwrap(),
    )
}

#[test]
fn batch_runs_every_scenario_in_a_folder_and_goes_on_past_a_broken_one() {
    // Two scenarios in a folder and a sub-folder, and a file that does not parse: the
    // two run, the broken one is reported with its error, and the exit code says so.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("a.ron"), mm1("low", 0.5, 600)).unwrap();
    std::fs::write(input.join("sub/b.ron"), mm1("high", 0.9, 600)).unwrap();
    std::fs::write(
        input.join("broken.ron"),
        "(\n  name: \"broken\",\n  nonsense: 3,\n",
    )
    .unwrap();
    std::fs::write(input.join("notes.txt"), "not a scenario").unwrap();
    let out = dir.path().join("out");
    let o = scalesim(&[
        "batch",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("broken.ron"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("low") && stdout.contains("high"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[0].starts_with(
            "file,scenario,replications,warmup_secs,status,error,p99_secs,p99_secs_ci95"
        )
    );
    // Sorted paths: a.ron, broken.ron, sub/b.ron.
    assert!(rows[1].contains(",low,1,0,ok,"), "{}", rows[1]);
    assert!(rows[2].contains(",broken,0,0,error,"), "{}", rows[2]);
    assert!(rows[3].contains(",high,1,0,ok,"), "{}", rows[3]);
    let json = results(&out);
    assert_eq!(json.as_array().unwrap().len(), 3);
}

#[test]
fn one_replication_is_the_run_scalesim_run_makes() {
    // Replication 1 runs with the scenario's own seed: its p99 is summary.json's.
    let (o, run_out, dir) = run_binary_on("low.ron", &mm1("low", 0.5, 600), &["--quiet"]);
    assert!(o.status.success());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_out.join("summary.json")).unwrap())
            .unwrap();
    let out = dir.path().join("batch");
    let o = scalesim(&[
        "batch",
        dir.path().join("low.ron").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json = results(&out);
    let r = &json[0];
    assert_eq!(r["seeds"][0], 3);
    let (p99, _) = metric(r, "p99_secs");
    assert_eq!(p99, summary["latency_secs"]["p99"].as_f64().unwrap());
}

#[test]
fn replications_give_a_mean_and_an_interval_that_covers_theory() {
    // M/M/1 at ρ = 0.5 with 10 ms service: mean response 1 / (μ − λ) = 1 / (100 − 50) =
    // 20 ms. Ten replications of 2,000 s (100,000 requests each): the 95% interval of
    // the mean latency is about ±0.3 ms and should hold 20 ms. It can miss (one time in
    // twenty by chance); the seeds are fixed, so the outcome is too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1.ron");
    std::fs::write(&file, mm1("mm1", 0.5, 2000)).unwrap();
    let out = dir.path().join("out");
    let o = scalesim(&[
        "batch",
        file.to_str().unwrap(),
        "--replications",
        "10",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json = results(&out);
    let r = &json[0];
    assert_eq!(r["seeds"].as_array().unwrap().len(), 10);
    let (mean, ci) = metric(r, "mean_latency_secs");
    assert!(ci > 0.0 && ci < 0.002, "{mean} ± {ci}");
    assert!((mean - 0.020).abs() <= ci, "{mean} ± {ci} misses 0.020");
    // The table shows the interval.
    assert!(text(&o.stdout).contains('±'), "{}", text(&o.stdout));
}

#[test]
fn batch_input_errors_exit_2_with_a_message() {
    let o = scalesim(&["batch", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no such scenario file or folder"));
    let dir = tempfile::tempdir().unwrap();
    let o = scalesim(&["batch", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no scenario files"),
        "{}",
        text(&o.stderr)
    );
    let o = scalesim(&["batch", "scenarios/monday-spike.ron", "--replications", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn compare_finds_no_difference_between_identical_designs_and_a_real_one_otherwise() {
    // Common random numbers: the same file twice gives the very same runs, so every
    // difference is exactly zero. Two instances against one on the same traffic: B's
    // latency is lower and it runs more instances in every pair, both significant.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ron");
    let b = dir.path().join("b.ron");
    std::fs::write(&a, mm1("one", 0.7, 600)).unwrap();
    std::fs::write(
        &b,
        mm1("two", 0.7, 600).replace("size: (min: 1, max: 1)", "size: (min: 2, max: 2)"),
    )
    .unwrap();
    let out = dir.path().join("cmp");
    let o = scalesim(&[
        "compare",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--replications",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    for row in csv.lines().skip(1) {
        assert!(row.ends_with(",no_significant_difference"), "{row}");
        assert!(row.contains(",0.000000,0.000000,"), "{row}");
    }
    let o = scalesim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--replications",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let row = |m: &str| csv.lines().find(|l| l.starts_with(m)).unwrap().to_owned();
    assert!(row("p99_secs,").ends_with(",better"), "{csv}");
    // The reference type is free, so the price of the second instance shows as
    // instances, not dollars.
    assert!(row("max_instances,").ends_with(",worse"), "{csv}");
    assert!(
        text(&o.stdout).contains("two against one"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn precision_replicates_until_every_interval_is_tight_enough_and_stops() {
    // M/M/1 at ρ = 0.5 over 2,000 s (100,000 requests a run): a run's p99 varies by
    // several percent, so 5% needs a few runs and 3% about three times as many (n grows
    // as 1 / precision²); both stop before the cap, every interval within its target.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1.ron");
    std::fs::write(&file, mm1("mm1", 0.5, 2000)).unwrap();
    let runs_for = |precision: &str| {
        let out = dir.path().join(format!("out-{precision}"));
        let o = scalesim(&[
            "batch",
            file.to_str().unwrap(),
            "--precision",
            precision,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let json = results(&out);
        let r = json[0].clone();
        let p: f64 = precision.parse().unwrap();
        for m in r["metrics"].as_array().unwrap() {
            let (name, mean, ci) = (
                m[0].as_str().unwrap(),
                m[1]["mean"].as_f64().unwrap(),
                m[1]["ci95"].as_f64().unwrap(),
            );
            if name != "slo_met" {
                assert!(ci <= p * mean.abs() + 1e-12, "{name}: {mean} ± {ci}");
            }
        }
        r["seeds"].as_array().unwrap().len()
    };
    let (loose, tight) = (runs_for("0.05"), runs_for("0.03"));
    assert!((2..100).contains(&loose), "{loose}");
    assert!(tight > loose && tight < 100, "{loose} {tight}");
    let o = scalesim(&["batch", file.to_str().unwrap(), "--precision", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("between 0 and 1"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn slices_of_a_batch_merge_into_the_very_files_one_run_writes() {
    // Five scenarios, two replications each, run whole and as slices 1/2 and 2/2 (round
    // robin: scenarios 1, 3, 5 and 2, 4): the merged results.csv and results.json are
    // byte for byte the whole run's.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (k, rho) in [0.3, 0.4, 0.5, 0.6, 0.7].iter().enumerate() {
        std::fs::write(
            input.join(format!("s{k}.ron")),
            mm1(&format!("s{k}"), *rho, 300),
        )
        .unwrap();
    }
    let batch = |extra: &[&str], out: &str| {
        let out = dir.path().join(out);
        let mut args = vec![
            "batch",
            input.to_str().unwrap(),
            "--replications",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = scalesim(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        out
    };
    let whole = batch(&[], "whole");
    let s1 = batch(&["--shard", "1/2"], "s1");
    let s2 = batch(&["--shard", "2/2"], "s2");
    let slice_rows = std::fs::read_to_string(s1.join("results.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(slice_rows, 1 + 3);
    let merged = dir.path().join("merged");
    let o = scalesim(&[
        "merge",
        s2.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    for f in ["results.csv", "results.json", "bands.csv"] {
        let (a, b) = (
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs");
    }
    // A slice merged twice, or a bad --shard, is the user's mistake.
    let o = scalesim(&[
        "merge",
        s1.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("in two slices"),
        "{}",
        text(&o.stderr)
    );
    let o = scalesim(&["batch", input.to_str().unwrap(), "--shard", "3/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("I/N"), "{}", text(&o.stderr));
}

#[test]
fn confidence_intervals_cover_erlang_c_at_about_their_stated_rate() {
    // M/M/2 at ρ = 0.5 (λ = 1/s, μ = 1/s): Erlang C gives a mean wait of 1/3 s, so a mean
    // response of 4/3 s. Twenty batches of 50 independent replications of 10,000 s each
    // (10,000 requests a run; starting empty biases a run's mean by about 0.1%, a fifth
    // of the interval's half-width): each batch's 95% Student-t interval of the mean
    // response should hold 4/3 nineteen times in twenty. Bin(20, 0.95) is 16 or more
    // with probability 0.997; the seeds are fixed, so the outcome is too.
    use scalesim::batch::many::replication_seeds;
    use scalesim::batch::stats::Estimate;
    let s = load_with("scenarios/validation/mmc-rho05.ron", |f| {
        f.duration_secs = 10_000.0;
    });
    let expected = mmc_wq(2, 1.0, 1.0) + 1.0;
    assert!((expected - 4.0 / 3.0).abs() < 1e-9);
    let mut covered = 0;
    let mut widths = Vec::new();
    for b in 0..20u64 {
        let seeds = replication_seeds(1000 + b, 50);
        let runs = scalesim::batch::replicate(&s, &seeds).unwrap();
        let means: Vec<f64> = runs.iter().map(|o| o.summary.latency_secs.mean).collect();
        let e = Estimate::of(&means);
        widths.push(e.ci95);
        if (e.mean - expected).abs() <= e.ci95 {
            covered += 1;
        }
    }
    println!("{covered} of 20 intervals hold {expected}");
    assert!(covered >= 16, "{covered} of 20 intervals hold {expected}");
    // The intervals are narrow enough to mean something: about 1% of the mean.
    let w = widths.iter().sum::<f64>() / widths.len() as f64;
    assert!(w < 0.03 * expected, "{w}");
}

#[test]
fn a_sweep_runs_every_point_and_a_bad_path_names_the_valid_ones() {
    // M/M/1 at 30, 50 and 70 requests a second: p99 grows with the load, every point in
    // the results; a path that does not exist exits 2 and lists the fields there.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1.ron");
    std::fs::write(&file, mm1("mm1", 0.5, 600)).unwrap();
    let out = dir.path().join("sweep");
    let o = scalesim(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "workload.rate.per_sec=30..70:20",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    // A column per swept path, holding the point's value.
    assert_eq!(
        &header[..4],
        ["file", "scenario", "workload.rate.per_sec", "replications"]
    );
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[0].contains("workload.rate.per_sec=30"), "{}", rows[0]);
    assert_eq!(rows[1].split(',').nth(2), Some("50"));
    let at = header.iter().position(|h| *h == "p99_secs").unwrap();
    let p99 = |row: &str| -> f64 { row.split(',').nth(at).unwrap().parse().unwrap() };
    assert!(
        p99(rows[0]) < p99(rows[1]) && p99(rows[1]) < p99(rows[2]),
        "{csv}"
    );
    let o = scalesim(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "pools.one.sise.max=1,2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("no field `sise` at pools.one"), "{err}");
    assert!(err.contains("size") && !err.contains("panicked"), "{err}");
}

#[test]
fn mser5_finds_the_transient_of_a_queue_started_empty_at_high_load() {
    // M/M/1 at ρ = 0.95 (λ = 0.95/s, 1 s of work a request) starts empty and fills
    // towards its mean of ρ / (1 − ρ) = 19 requests in the system, with a relaxation time
    // of about 1 / (μ (1 − √ρ)²) = 1,560 s for its slowest part. Averaged over 40
    // replications, the 10 s interval series climbs from 0 to about 15 in the first
    // 300 s, then creeps up within its noise (±2): MSER-5 cuts the climb (550 s with these
    // seeds), and the part it keeps is near the steady state while the part it cuts is
    // well below it.
    use scalesim::batch::many::replication_seeds;
    use scalesim::batch::stats::mser5;
    let text = r#"(
        name: "mm1-high",
        duration_secs: 40000,
        interval_secs: 10,
        seed: 5,
        workload: (
            rate: Constant(per_sec: 0.95),
            classes: [(name: "req", demand: Exponential(mean_secs: 1.0))],
        ),
        pools: [(name: "one", instance: "ref.1", queue_capacity: None, timeout_secs: None,
                 size: (min: 1, max: 1))],
    )"#;
    let s = scenario_from_text("mm1-high.ron", text);
    let runs = scalesim::batch::replicate(&s, &replication_seeds(5, 40)).unwrap();
    let n = runs[0].recorder().rows().len();
    let series: Vec<f64> = (0..n)
        .map(|i| {
            runs.iter()
                .map(|o| o.recorder().rows()[i].in_flight_mean)
                .sum::<f64>()
                / runs.len() as f64
        })
        .collect();
    let d = mser5(&series);
    println!(
        "MSER-5 drops {d} intervals ({} s); series at 0, 300, 550, 1000, 2000, 5000 s: {:?}",
        d * 10,
        [0, 30, 55, 100, 200, 500].map(|i| series[i])
    );
    assert!((20..=2000).contains(&d), "{d}");
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let (cut, kept) = (mean(&series[..d]), mean(&series[d..]));
    assert!(cut < 0.8 * 19.0, "{cut}");
    assert!((kept - 19.0).abs() < 3.0, "{kept}");
}

#[test]
fn a_warmup_leaves_the_start_out_of_every_figure_but_not_out_of_the_series() {
    // M/M/1 at ρ = 0.5 for an hour in 60 s intervals, with and without a warm-up of
    // 600 s: the run is the same (same seed), so the series are equal; the figures with
    // the warm-up are those of intervals 10..60 alone.
    let ron = mm1("warm", 0.5, 3600).replace("seed: 3,", "seed: 3, interval_secs: 60,");
    let whole = run(&scenario_from_text("w.ron", &ron));
    let warm_text = ron.replace("seed: 3,", "seed: 3, warmup_secs: 600,");
    let warm = run(&scenario_from_text("w.ron", &warm_text));
    let rows = warm.recorder().rows();
    assert_eq!(rows.len(), 60);
    assert_eq!(rows.len(), whole.recorder().rows().len());
    assert_eq!(rows[59].completed, whole.recorder().rows()[59].completed);
    let after = &rows[10..];
    let s = &warm.summary;
    assert_eq!(s.warmup_secs, 600.0);
    let r = &s.requests;
    assert_eq!(r.arrived, after.iter().map(|x| x.arrivals).sum::<u64>());
    assert_eq!(r.completed, after.iter().map(|x| x.completed).sum::<u64>());
    assert!(r.arrived < whole.summary.requests.arrived);
    // Requests in the system at 600 s were counted in neither the arrivals nor lost.
    assert_eq!(
        r.in_flight_at_warmup + r.arrived,
        r.completed + r.dropped + r.in_flight
    );
    assert_eq!(r.in_flight_at_warmup, rows[9].in_flight);
    let cost: f64 = after.iter().map(|x| x.cost_usd).sum();
    assert!((s.cost_usd - cost).abs() < 1e-9, "{} {cost}", s.cost_usd);
    // Rates are over the 3,000 measured seconds.
    assert!((s.throughput_per_sec - r.completed as f64 / 3000.0).abs() < 1e-9);
    assert_eq!(s.slo.windows, 50);
    // A warm-up between interval ends is rounded up to the next: 630 s becomes 660 s.
    let odd = warm_text.replace("warmup_secs: 600", "warmup_secs: 630");
    assert_eq!(
        run(&scenario_from_text("w.ron", &odd)).summary.warmup_secs,
        660.0
    );
    // One as long as the run is an error at the field.
    let err = scenario_error(
        "w.ron",
        &ron.replace("seed: 3,", "seed: 3, warmup_secs: 3600,"),
    );
    assert!(err.contains("warmup_secs"), "{err}");

    // The command line's --warmup does the same, and says what it did.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.ron");
    std::fs::write(&file, &ron).unwrap();
    let out = dir.path().join("out");
    let o = scalesim(&[
        "run",
        file.to_str().unwrap(),
        "--warmup",
        "630",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("rounded up to whole intervals of 60 s"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("warm-up    the first 660 s"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["warmup_secs"], 660.0);
}

#[test]
fn warmup_auto_cuts_the_transient_of_a_queue_started_empty_and_keeps_a_spike_whole() {
    // The queue of mser5_finds_the_transient_...: M/M/1 at ρ = 0.95 started empty climbs
    // for several hundred seconds towards 19 requests in the system. `auto` averages five
    // pilot runs and cuts the start of their climb (50 s with these seeds: five runs are
    // noisier than the forty of that test, and MSER-5 stops cutting once the noise
    // outweighs the bias), never as much as half the run; a Monday spike has no steady
    // state, and keeps its whole run.
    use scalesim::batch::warmup::{Chosen, Warmup, choose};
    let ron = r#"(
        name: "mm1-high",
        duration_secs: 40000,
        interval_secs: 10,
        seed: 5,
        workload: (
            rate: Constant(per_sec: 0.95),
            classes: [(name: "req", demand: Exponential(mean_secs: 1.0))],
        ),
        pools: [(name: "one", instance: "ref.1", queue_capacity: None, timeout_secs: None,
                 size: (min: 1, max: 1))],
    )"#;
    let mut s = scenario_from_text("mm1-high.ron", ron);
    let chosen = choose(&mut s, Warmup::Auto).unwrap();
    println!("auto warm-up: {chosen:?}");
    let Chosen::Secs(secs) = chosen else {
        panic!("a constant rate is a steady-state study: {chosen:?}")
    };
    assert!((20.0..=20_000.0).contains(&secs), "{secs}");
    assert_eq!(s.file.warmup_secs, Some(secs));
    let mut spike = load("scenarios/monday-spike.ron");
    assert_eq!(
        choose(&mut spike, Warmup::Auto).unwrap(),
        Chosen::TimeVarying
    );
    assert_eq!(spike.file.warmup_secs, None);
    assert!(choose(&mut spike, Warmup::Secs(1e9)).is_err());

    // The command line says what it removed and writes it to the results.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1-high.ron");
    std::fs::write(&file, ron).unwrap();
    let out = dir.path().join("out");
    let o = scalesim(&[
        "batch",
        file.to_str().unwrap(),
        "--warmup",
        "auto",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!(
            "MSER-5 on 5 pilot runs removes the first {secs} s"
        )),
        "{err}"
    );
    assert_eq!(results(&out)[0]["warmup_secs"].as_f64(), Some(secs));
    let o = scalesim(&["batch", file.to_str().unwrap(), "--warmup", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("auto"), "{}", text(&o.stderr));
}

#[test]
fn bands_give_every_interval_its_spread_across_replications() {
    // Five replications of M/M/1 at ρ = 0.7 (70 requests/s) for 600 s in 60 s intervals:
    // bands.csv has a row per interval (10) with p5 <= p50 <= p95 for every series, and
    // the median arrival rate near 70/s (an interval's count has a standard deviation of
    // sqrt(4200) = 65, about 1.1 requests/s).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.ron");
    std::fs::write(
        &file,
        mm1("banded", 0.7, 600).replace("seed: 3,", "seed: 3, interval_secs: 60,"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = scalesim(&[
        "batch",
        file.to_str().unwrap(),
        "--replications",
        "5",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let bands = std::fs::read_to_string(out.join("bands.csv")).unwrap();
    let mut lines = bands.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["index", "scenario", "time_secs"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for r in &rows {
        assert_eq!(r.len(), header.len());
        for k in (3..header.len()).step_by(3) {
            let v: Vec<f64> = r[k..k + 3].iter().map(|x| x.parse().unwrap()).collect();
            assert!(v[0] <= v[1] && v[1] <= v[2], "{} {v:?}", header[k]);
        }
        let arrivals: f64 = r[col("arrivals_per_sec_p50")].parse().unwrap();
        assert!((arrivals - 70.0).abs() < 5.0, "{arrivals}");
        let (lo, hi): (f64, f64) = (
            r[col("arrivals_per_sec_p5")].parse().unwrap(),
            r[col("arrivals_per_sec_p95")].parse().unwrap(),
        );
        assert!(hi > lo, "five runs of Poisson arrivals differ: {lo} {hi}");
    }
    assert_eq!(rows[9][col("time_secs")], "540");
}
