//! The app as a student first finds it (issue 10): the scenario's story above the plots,
//! the library by folder with teaching scenarios apart from benchmarks, a light theme,
//! and a laptop-sized window.

use egui_kittest::kittest::Queryable;

use super::gui::{MON_0900_SECS, harness, harness_sized};

#[test]
fn the_story_is_told_above_the_plots() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    let _ = h.get_by_label("About monday-spike");
    let _ = h.get_by_label(
        "The Monday-morning spike: a quiet weekend, then everyone logs in around 09:00.",
    );
    let _ = h.get_by_label_contains("Try: move the 09:00 step to 08:30");
    h.snapshot("app_story");
}

#[test]
fn the_library_keeps_benchmarks_and_validation_apart() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.get_by_label("Open from library").click();
    h.run_steps(2);
    let _ = h.get_by_label("Benchmarks and validation");
    // Teaching scenarios by their file names, each with its first sentence beside it.
    let _ = h.get_by_label("target-tracking.ron");
    let _ = h.get_by_label("mmc-rho08.ron");
    let _ = h.get_by_label("M/M/4 at utilisation 0.8");
    // Benchmarks come after the separator, teaching ones before it.
    let y = |label: &str| h.get_by_label(label).rect().top();
    assert!(y("hpa.ron") < y("Benchmarks and validation"));
    assert!(y("live-100k.ron") > y("Benchmarks and validation"));
}

#[test]
fn the_light_theme_reads_as_well_as_the_dark() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(1);
    // As a user picks it: the Theme box, then Light.
    h.get_by_label("Theme").click();
    h.run_steps(2);
    h.get_by_label("Light").click();
    h.run_steps(2);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    h.snapshot("app_light_theme");
    h.get_by_label("Topology").click();
    h.run_steps(2);
    h.snapshot("app_light_theme_topology");
}

#[test]
fn a_1280x720_window_shows_the_toolbar_the_timeline_and_the_plots() {
    let mut h = harness_sized("scenarios/monday-spike.ron", egui::vec2(1280.0, 720.0));
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    // Everything a student needs first is on screen without scrolling: the controls,
    // the timeline, the figures and the first plot (its time labels are painted, not
    // widgets: look at the snapshot; `plots::time_grid_steps` keeps them apart).
    for label in [
        "Run",
        "Step",
        "Theme",
        "Timeline",
        "Traffic",
        "About monday-spike",
    ] {
        let r = h.query_all_by_label(label).last().map(|n| n.rect());
        let r = r.unwrap_or_else(|| panic!("{label} missing"));
        assert!(
            r.bottom() <= 720.0 && r.right() <= 1280.0,
            "{label} off screen: {r:?}"
        );
    }
    h.snapshot("app_1280x720");
}
