//! Batch speed-up: the same batch on one thread and on every core. A batch's runs share
//! nothing (each builds its own world), so on 2 cores it should take little more than
//! half the time on one; the README reports the ratio.
//!
//! - `batch/threads=N`: the Monday spike's scenario family in one batch: monday-spike,
//!   target-tracking, step-scaling, 2 replications each (6 runs, 6 worlds), on N threads.
// A benchmark's setup should fail loudly on a broken scenario.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use scalesim::batch::many::{Job, run_all};

fn jobs() -> Vec<Job> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "scenarios/monday-spike.ron",
        "scenarios/autoscaling/target-tracking.ron",
        "scenarios/autoscaling/step-scaling.ron",
    ]
    .iter()
    .enumerate()
    .map(|(i, f)| {
        let job = Job::load(i, &root.join(f));
        assert!(job.scenario.is_ok(), "{f}: {:?}", job.scenario.err());
        job
    })
    .collect()
}

fn batch(c: &mut Criterion) {
    let jobs = jobs();
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        g.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| pool.install(|| black_box(run_all(&jobs, 2, &|_| {}).len())))
        });
    }
    g.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);
