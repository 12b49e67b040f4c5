//! Engine throughput: simulated requests per wall-clock second.
//!
//! `mmc_10x4` runs a slice of scenarios/bench/mmc-10x4.ron (10 instances x 4 workers,
//! random balancer, utilisation 0.8); `monday_spike_hour` the busiest hour of the
//! Monday spike (least-outstanding over up to 40 instances). Throughput is reported in
//! elements (requests) per second.

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

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);

    // 3200 requests/s for 250 s: 800,000 requests per iteration.
    let mmc = scenario("scenarios/bench/mmc-10x4.ron", 250.0);
    g.throughput(Throughput::Elements(800_000));
    g.bench_function("mmc_10x4_800k_requests", |b| {
        b.iter(|| {
            black_box(
                scalesim::batch::run(&mmc)
                    .expect("runs")
                    .summary
                    .requests
                    .completed,
            )
        })
    });

    // Mon 08:30 to 09:30 of the spike: the ramp, the overload and the recovery.
    let mut spike = scenario("scenarios/monday-spike.ron", 3600.0);
    spike.file.start = "mon 08:30".to_string().try_into().expect("valid start");
    let spike = Scenario::validate(
        spike.file.clone(),
        &scalesim::scenario::Source::inline("spike", ""),
    )
    .expect("still valid");
    let expected = spike.profile.expected_arrivals(0.0, 3600.0) as u64;
    g.throughput(Throughput::Elements(expected));
    g.bench_function("monday_spike_busiest_hour", |b| {
        b.iter(|| {
            black_box(
                scalesim::batch::run(&spike)
                    .expect("runs")
                    .summary
                    .requests
                    .completed,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
