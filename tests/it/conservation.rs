//! Conservation: every request that arrives ends exactly once — completed, dropped (with a
//! reason) or still in flight at the end — on every scenario in scenarios/ and on a design
//! built to drop requests for every reason.

use rayon::prelude::*;

use scalesim::batch::RunOutput;

use super::common::*;

/// Longest simulated time a scenario file is run for in the conservation test (6 h);
/// monday-spike.ron always runs in full.
const CAP_SECS: f64 = 6.0 * 3600.0;

/// Checks the run's books: totals, the interval rows against the totals, and the rows
/// against each other. Returns a description of the first problem.
fn books_balance(label: &str, o: &RunOutput) -> Result<(), String> {
    let s = &o.summary;
    let r = &s.requests;
    let d = &r.dropped_by_reason;
    let rows = o.recorder().rows();
    let fail = |what: String| Err(format!("{label}: {what}"));
    if r.arrived != r.completed + r.dropped + r.in_flight {
        return fail(format!(
            "arrived {} != completed {} + dropped {} + in flight {}",
            r.arrived, r.completed, r.dropped, r.in_flight
        ));
    }
    if r.dropped != d.queue_full + d.no_capacity + d.timeout + d.failure + d.client_timeout {
        return fail(format!("dropped {} != the sum by reason {d:?}", r.dropped));
    }
    // By class: the classes add up to the totals, reason by reason, and none ends more
    // requests than arrived in it.
    let by_class =
        |f: fn(&scalesim::metrics::ClassSummary) -> u64| s.classes.iter().map(f).sum::<u64>();
    let class_totals = (
        by_class(|c| c.arrived),
        by_class(|c| c.completed),
        by_class(|c| c.dropped_by_reason.queue_full),
        by_class(|c| c.dropped_by_reason.no_capacity),
        by_class(|c| c.dropped_by_reason.timeout),
        by_class(|c| c.dropped_by_reason.failure),
    );
    let totals = (
        r.arrived,
        r.completed,
        d.queue_full,
        d.no_capacity,
        d.timeout,
        d.failure,
    );
    if class_totals != totals {
        return fail(format!(
            "classes add up to {class_totals:?} (arrived, completed, drops by reason), the totals are {totals:?}"
        ));
    }
    if let Some(c) = s
        .classes
        .iter()
        .find(|c| c.completed + c.dropped > c.arrived)
    {
        return fail(format!(
            "class {} ends more requests than arrived: {c:?}",
            c.name
        ));
    }
    let sum = |f: fn(&scalesim::metrics::IntervalRow) -> u64| rows.iter().map(f).sum::<u64>();
    let (arr, comp, drop) = (
        sum(|x| x.arrivals),
        sum(|x| x.completed),
        sum(|x| x.dropped()),
    );
    if (arr, comp, drop) != (r.arrived, r.completed, r.dropped) {
        return fail(format!(
            "rows add up to arrived {arr}, completed {comp}, dropped {drop}; the summary says {}, {}, {}",
            r.arrived, r.completed, r.dropped
        ));
    }
    // Interval by interval: in flight at the end = before + arrivals − completed − dropped.
    let mut in_flight = 0u64;
    let mut t = 0.0;
    for (i, row) in rows.iter().enumerate() {
        if row.start_secs != t || row.end_secs <= row.start_secs {
            return fail(format!(
                "row {i} covers [{}, {}), expected to start at {t}",
                row.start_secs, row.end_secs
            ));
        }
        t = row.end_secs;
        let expected = (in_flight + row.arrivals).checked_sub(row.completed + row.dropped());
        if expected != Some(row.in_flight) {
            return fail(format!(
                "row {i} at {} s: {in_flight} in flight + {} arrived − {} completed − {} dropped != {} in flight",
                row.start_secs,
                row.arrivals,
                row.completed,
                row.dropped(),
                row.in_flight
            ));
        }
        in_flight = row.in_flight;
    }
    if in_flight != r.in_flight {
        return fail(format!(
            "the last row has {in_flight} in flight, the summary {}",
            r.in_flight
        ));
    }
    // Every visit to every service ends once too: what the services count as under way
    // is what the world still holds.
    let visits_open: u64 = s.services.iter().map(|v| v.in_flight).sum();
    let visits_ended: u64 = s
        .services
        .iter()
        .map(|v| v.completed + v.dropped + v.failed_by_calls + v.in_flight)
        .sum();
    let visits: u64 = s.services.iter().map(|v| v.visits).sum();
    if visits_open != o.world.visits_in_flight() as u64 || visits_ended != visits {
        return fail(format!(
            "services count {visits} visits, {visits_ended} ended or open, {visits_open} open; the world holds {}",
            o.world.visits_in_flight()
        ));
    }
    // What the model still holds is what the books say is in flight: every request that
    // ended left the world's slab, and none is lost from it.
    if o.world.requests_in_flight() as u64 != r.in_flight {
        return fail(format!(
            "the world holds {} requests, the summary says {} are in flight",
            o.world.requests_in_flight(),
            r.in_flight
        ));
    }
    if (t - s.duration_secs).abs() > 1e-6 {
        return fail(format!(
            "rows end at {t} s, the run lasts {} s",
            s.duration_secs
        ));
    }
    Ok(())
}

#[test]
fn every_scenario_file_conserves_requests() {
    let files = ron_files_under(&repo_path("scenarios"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    // The walk is recursive: the top level, bench/ and validation/ are all there.
    for must in [
        "scenarios/monday-spike.ron",
        "scenarios/bench/mmc-10x4.ron",
        "scenarios/validation/mmc-rho09.ron",
    ] {
        assert!(
            names.iter().any(|n| n == must),
            "{must} not found in {names:?}"
        );
    }
    let results: Vec<(String, Result<RunOutput, String>)> = names
        .par_iter()
        .map(|name| {
            let full_run = name.ends_with("monday-spike.ron");
            let mut capped = None;
            let s = load_with(name, |f| {
                if !full_run && f.duration_secs > CAP_SECS {
                    capped = Some(f.duration_secs);
                    f.duration_secs = CAP_SECS;
                }
            });
            if let Some(d) = capped {
                println!("{name}: capped from {d} s to {CAP_SECS} s");
            }
            let out = scalesim::batch::run(&s).map_err(|e| format!("{name}: {e}"));
            (
                name.clone(),
                out.and_then(|o| books_balance(name, &o).map(|()| o)),
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut any_drops = false;
    for (name, res) in &results {
        match res {
            Ok(o) => {
                let r = &o.summary.requests;
                println!(
                    "{name}: {} s, arrived {} = completed {} + dropped {} + in flight {}",
                    o.summary.duration_secs, r.arrived, r.completed, r.dropped, r.in_flight
                );
                if r.arrived == 0 {
                    problems.push(format!("{name}: no request arrived, nothing was checked"));
                }
                any_drops |= r.dropped > 0;
                if name.ends_with("monday-spike.ron") && o.summary.duration_secs != 64_800.0 {
                    problems.push(format!("{name} must run in full (64,800 s)"));
                }
            }
            Err(e) => problems.push(e.clone()),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The Monday spike overloads its pool: at least one scenario exercises drops.
    assert!(
        any_drops,
        "no scenario dropped anything; the drop paths were not checked"
    );
}

#[test]
fn a_design_that_drops_for_every_reason_still_conserves_requests() {
    // Nothing is in service for the first 45 s (the pool starts empty and instances boot in
    // 45 s): no_capacity. Then 3 instances of 2 workers face 40/s of Pareto work of mean 0.15 s
    // (utilisation 1.0) in small queues with a 2 s timeout: queue_full and timeout. At +10m
    // the pool shrinks to 1 and the two drained instances get 50 ms to finish what they hold: failure.
    // Batches of mean 3 make the arrivals clump.
    let text = r#"(
        name: "every-drop",
        duration_secs: 1200,
        seed: 11,
        interval_secs: 7,
        workload: (
            rate: Constant(per_sec: 40),
            burst: Batch(mean_size: 3),
            classes: [
                (name: "a", weight: 3, demand: Pareto(mean_secs: 0.15, shape: 1.5)),
                (name: "b", weight: 1, demand: Exponential(mean_secs: 0.15)),
            ],
        ),
        instance_types: [
            (name: "slowboot", vcpus: 2, memory_gib: 4, speed: 1.0, price_usd_per_hour: 0.1, boot_secs: 45),
        ],
        pools: [(
            name: "web",
            instance: "slowboot",
            queue_capacity: 4,
            timeout_secs: 2,
            drain_timeout_secs: 0.05,
            size: (min: 0, max: 3),
            balancer: PowerOfTwo,
            schedule: [(at: "+0", desired: 3), (at: "+10m", desired: 1)],
        )],
    )"#;
    let s = scenario_from_text("every-drop.ron", text);
    let o = run(&s);
    books_balance("every-drop", &o).unwrap();
    let d = &o.summary.requests.dropped_by_reason;
    println!(
        "every-drop: {:?}, {:?}",
        o.summary.requests,
        o.recorder().decisions()
    );
    assert!(d.no_capacity > 0, "no_capacity drops while booting: {d:?}");
    assert!(d.queue_full > 0, "queue_full drops: {d:?}");
    assert!(d.timeout > 0, "timeout drops: {d:?}");
    assert!(
        d.failure > 0,
        "failure drops when the drain deadline passes: {d:?}"
    );
    // Before the first instance is in service (45 s), every arrival is dropped for lack
    // of capacity: the first 6 intervals of 7 s (0–42 s) complete nothing.
    for row in &o.recorder().rows()[..6] {
        assert_eq!(row.completed, 0);
        assert_eq!(row.dropped(), row.arrivals, "row at {}", row.start_secs);
        assert_eq!(
            row.drops[scalesim::metrics::DropReason::NoCapacity.index()],
            row.arrivals
        );
    }
}
