//! The app's timeline (issue 10): designs compared at max speed stay at the same
//! simulated time, and one time cursor (the timeline bar, a plot, a decision row) drives
//! every view while the run goes on.

use egui_kittest::kittest::{NodeT as _, Queryable};
use scalesim::app::live::Speed;
use scalesim::app::{AppCommand, ScalesimApp, View};

use super::gui::{MON_0900_SECS, click_at, harness, recorder};

/// Every design's simulated time.
fn times(app: &ScalesimApp) -> Vec<f64> {
    app.designs()
        .iter()
        .map(|d| d.run().unwrap().now_secs())
        .collect()
}

#[test]
fn compare_at_max_keeps_every_design_at_the_same_time() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.get_by_label("Compare: duplicate").click();
    h.run_steps(2);
    {
        // A copy with many more instances: its events cost more, so run on their own the
        // two would drift apart at max speed.
        let app = h.state_mut();
        let mut f = app.designs()[1].file().clone();
        f.name = "big fleet".into();
        f.pools[0].schedule.clear();
        f.pools[0].size.min = 40;
        f.pools[0].size.initial = 40;
        let d = app.design_mut(1).unwrap();
        assert!(d.set_file(f), "{:?}", d.errors());
        app.reset();
        app.set_speed(Speed::Max);
        app.set_playing(true);
    }
    let mut moved = 0.0;
    for _ in 0..12 {
        h.run_steps(1);
        let t = times(h.state());
        // Every frame is drawn with both designs at the same moment.
        assert_eq!(t[0], t[1], "designs out of step: {t:?}");
        moved = t[0];
    }
    assert!(moved > 0.0, "max speed moved simulated time");
    // The compare table compares the same span: the same requests arrived in both.
    let sums = h.state().summaries();
    assert_eq!(sums[0].1.requests.arrived, sums[1].1.requests.arrived);
}

#[test]
fn the_timeline_looks_back_while_the_run_goes_on() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    assert!(h.state().timeline().is_following());
    // Click the bar at a third of its width: the run is 18 h long, so about 6 h in
    // (Mon 00:00), well before the present (09:00).
    let bar = h.get_by_label("Timeline").rect();
    let third = egui::pos2(bar.left() + bar.width() / 3.0, bar.top() + 8.0);
    click_at(&mut h, third);
    let app = h.state();
    let shown = app.shown_secs();
    assert!(!app.timeline().is_following());
    // One point of a ~1,500 point bar is 18 h / 1,500 = 43 s.
    assert!((shown - 6.0 * 3600.0).abs() < 120.0, "{shown}");
    // The summary strip shows that moment: fewer requests than at 09:00.
    let back = app.summaries_shown()[0].1.requests.arrived;
    let now = app.summaries()[0].1.requests.arrived;
    assert!(back < now / 2, "{back} vs {now}");
    h.snapshot("app_timeline_look_back");

    // The run goes on while the user looks back; the cursor stays. (Playing at 600x
    // for a few frames (750 s at most), then to 09:30 exactly, so the snapshot is the same on
    // every machine.)
    h.state_mut().set_speed(Speed::Times(600.0));
    h.state_mut().set_playing(true);
    h.run_steps(5);
    let app = h.state();
    assert!(app.now_secs() > MON_0900_SECS);
    assert_eq!(app.shown_secs(), shown);
    h.state_mut().run_to(MON_0900_SECS + 1800.0);
    assert_eq!(h.state().shown_secs(), shown);
    // The topology shows that moment too, and says which.
    h.get_by_label("Topology").click();
    h.run_steps(2);
    // The moment kept at or before the cursor: an interval end (10 s) near Mon 00:00.
    let label = h
        .query_all_by_label_contains("monday")
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .find(|l| l.starts_with("monday-spike at "))
        .unwrap_or_default();
    assert!(
        label.contains("Sun 23:5") || label.contains("Mon 00:0"),
        "{label}"
    );
    h.snapshot("app_timeline_topology");
    // Follow snaps back to the present.
    h.get_by_label("Follow").click();
    h.run_steps(2);
    assert!(h.state().timeline().is_following());
    assert_eq!(h.state().shown_secs(), h.state().now_secs());
}

#[test]
fn a_decision_row_or_a_plot_moves_the_cursor() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    let first = recorder(h.state()).decisions()[0].clone();
    h.get_by_label("Decisions").click();
    h.run_steps(2);
    assert_eq!(h.state().view(), View::Decisions);
    h.get_by_label(&first.clock).click();
    h.run_steps(2);
    assert_eq!(h.state().shown_secs(), first.time_secs);

    // A click on a plot looks at the time under the pointer.
    h.state_mut().push_command(AppCommand::Follow);
    h.get_by_label("Plots").click();
    h.run_steps(2);
    // The plot's title (the last of the labels "Traffic": the first is its toggle).
    let traffic = h.query_all_by_label("Traffic").last().unwrap().rect();
    // Just under the "Traffic" title is the plot; half-way across its width.
    let pos = egui::pos2(traffic.left() + 500.0, traffic.bottom() + 60.0);
    click_at(&mut h, pos);
    let app = h.state();
    assert!(!app.timeline().is_following());
    let t = app.shown_secs();
    assert!(t > 0.0 && t < MON_0900_SECS, "{t}");
}
