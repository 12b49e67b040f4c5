//! The app's frame time on the CPU: what `logic` and `ui` cost per frame, driven offscreen
//! by egui_kittest without a renderer (the GPU's share is not measured here).
//!
//! - `frame_paused_spike_0900`: the Monday spike paused at Mon 09:00 (5400 intervals,
//!   eight plots, the editor): the cost of drawing alone.
//! - `frame_paused_predictive_7_5_days`: scenarios/autoscaling/predictive.ron at its end
//!   (64,800 intervals): what long series cost to draw.
//! - `frame_playing_100k_max`: scenarios/bench/live-100k.ron (100,000 requests/s) playing
//!   at "max": the engine's 12 ms budget plus drawing. Under 33 ms means 30 fps or more
//!   before rendering.
// A benchmark's setup should fail loudly on a broken scenario.
#![allow(clippy::expect_used)]

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use scalesim::app::ScalesimApp;
use scalesim::app::live::Speed;

fn harness(
    file: &'static str,
    setup: impl FnOnce(&mut ScalesimApp) + 'static,
) -> Harness<'static, ScalesimApp> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_eframe(move |_cc| {
            let mut app = ScalesimApp::new(Some(&path));
            setup(&mut app);
            app
        });
    h.run_steps(2);
    h
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("app");
    g.sample_size(20);
    let mut paused = harness("scenarios/monday-spike.ron", |app| {
        app.run_to(15.0 * 3600.0);
    });
    g.bench_function("frame_paused_spike_0900", |b| b.iter(|| paused.step()));
    let mut week = harness("scenarios/autoscaling/predictive.ron", |app| {
        app.run_to(f64::INFINITY);
    });
    g.bench_function("frame_paused_predictive_7_5_days", |b| {
        b.iter(|| week.step())
    });
    let mut playing = harness("scenarios/bench/live-100k.ron", |app| {
        app.set_speed(Speed::Max);
        app.set_playing(true);
    });
    g.bench_function("frame_playing_100k_max", |b| b.iter(|| playing.step()));
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
