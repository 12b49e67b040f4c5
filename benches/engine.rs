//! Engine throughput: simulated requests per wall-clock second (criterion reports them
//! as elements per second).
//!
//! - `mmc_10x4`: a slice of scenarios/bench/mmc-10x4.ron (10 instances x 4 workers,
//!   random balancer, utilisation 0.8, constant rate).
//! - `week_1000_first_hours`: the first two hours of scenarios/bench/week-1000.ron (a
//!   sloped diurnal curve, power-of-two choices over 30 instances).
//! - `three_services`: a slice of scenarios/bench/three-services.ron (web -> api -> db,
//!   synchronous calls over the network: three visits a request).
// A benchmark's setup should fail loudly on a broken scenario.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalesim::scenario::{Scenario, read};

fn scenario(path: &str, duration_secs: f64) -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut file, source) = read(&root.join(path)).expect("bench scenario parses");
    file.duration_secs = duration_secs;
    Scenario::validate(file, &source).expect("bench scenario is valid")
}

fn bench(c: &mut Criterion, name: &str, s: &Scenario) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    let expected = s
        .profile
        .expected_arrivals(0.0, s.file.duration_secs)
        .round() as u64;
    g.throughput(Throughput::Elements(expected));
    g.bench_function(name, |b| {
        b.iter(|| {
            black_box(
                scalesim::batch::run(s)
                    .expect("runs")
                    .summary
                    .requests
                    .completed,
            )
        })
    });
    g.finish();
}

fn engine(c: &mut Criterion) {
    // 3200 requests/s for 250 s: 800,000 requests per iteration.
    bench(
        c,
        "mmc_10x4",
        &scenario("scenarios/bench/mmc-10x4.ron", 250.0),
    );
    // Mon 00:00 to 02:00, the quiet end of the day: 480 falling to 400 requests/s.
    bench(
        c,
        "week_1000_first_hours",
        &scenario("scenarios/bench/week-1000.ron", 7200.0),
    );
    // Journeys: three visits and two calls a request (its throughput counts requests).
    bench(
        c,
        "three_services",
        &scenario("scenarios/bench/three-services.ron", 250.0),
    );
}

criterion_group!(benches, engine);
criterion_main!(benches);
