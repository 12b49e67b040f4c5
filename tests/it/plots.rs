//! The plots as a user handles them (issue 10): the wheel zooms time on every plot at
//! once, a restart gives a fresh view where the new run's data is, the latency axis goes
//! logarithmic, and a legend entry hides its series.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use scalesim::app::ScalesimApp;

use super::gui::{MON_0900_SECS, click_at, harness, harness_with};

/// A point inside the latency plot: under its header row (which holds the unique
/// "log scale" toggle), a third of the way across the window.
fn in_latency_plot(h: &Harness<'static, ScalesimApp>) -> egui::Pos2 {
    let header = h.get_by_label("log scale").rect();
    egui::pos2(500.0, header.bottom() + 60.0)
}

/// One notch of a mouse wheel (`up`: away from the user), then a few frames for egui's
/// smoothed scrolling to play out.
fn wheel(h: &mut Harness<'static, ScalesimApp>, up: bool) {
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, if up { 1.0 } else { -1.0 }),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(6);
}

/// The pointer over the latency plot, then three wheel notches in: where the pointer is,
/// and the span of time in view afterwards.
fn three_notches_in(h: &mut Harness<'static, ScalesimApp>) -> (egui::Pos2, (f64, f64)) {
    let pos = in_latency_plot(h);
    h.event(egui::Event::PointerMoved(pos));
    h.run_steps(1);
    for _ in 0..3 {
        wheel(h, true);
    }
    (pos, h.state().plot_view_secs().unwrap_or_default())
}

#[test]
fn the_wheel_zooms_time_and_a_restart_shows_the_new_run() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    let (a0, z0) = h.state().plot_view_secs().expect("plots drawn");
    // Following the run: all of it, from the start (less a margin) to about now.
    assert!(a0 <= 0.0 && z0 >= MON_0900_SECS, "{a0}..{z0}");

    let (_, (a1, z1)) = three_notches_in(&mut h);
    // Three notches in: a much shorter span, still around the pointer (a third across
    // a plot of the whole run, so about 15 h / 3 = 5 h in).
    assert!(z1 - a1 < 0.7 * (z0 - a0), "{a1}..{z1} vs {a0}..{z0}");
    assert!(a1 > a0 && z1 < z0, "{a1}..{z1}");
    // Out again: wider than it was zoomed in.
    wheel(&mut h, false);
    let (a2, z2) = h.state().plot_view_secs().unwrap();
    assert!(z2 - a2 > z1 - a1, "{a2}..{z2}");
    // Zoomed in to the early hours and the run restarted: the view is the new run's
    // (up to 01:00 of run time), not a window into hours that have no data yet.
    for _ in 0..3 {
        wheel(&mut h, true);
    }
    h.get_by_label("Reset").click();
    h.run_steps(2);
    h.state_mut().run_to(3600.0);
    h.run_steps(2);
    let (a3, z3) = h.state().plot_view_secs().unwrap();
    assert!(
        a3 <= 0.0 && (3600.0..1.2 * 3600.0).contains(&z3),
        "{a3}..{z3}"
    );
}

#[test]
fn latency_goes_logarithmic_and_a_legend_entry_hides_its_series() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(MON_0900_SECS + 1800.0);
    h.run_steps(2);
    assert!(!h.state().log_latency());
    h.get_by_label("log scale").click();
    h.run_steps(2);
    assert!(h.state().log_latency());
    // The latency legend's "p95": hidden on a click, crossed out in the legend.
    h.get_by_label("p95").click();
    h.run_steps(2);
    assert!(h.state().is_series_hidden("Latency/p95"));
    h.snapshot("app_latency_log_p95_hidden");
    h.get_by_label("p95").click();
    h.run_steps(2);
    assert!(!h.state().is_series_hidden("Latency/p95"));
    h.get_by_label("log scale").click();
    h.run_steps(2);
    assert!(!h.state().log_latency());
}

/// The Monday spike run to 09:00, its frames 1/30 s apart (as a real window's, so that
/// two clicks a few frames apart make a double-click and a drag takes a few frames).
fn at_0900_with_fast_frames() -> Harness<'static, ScalesimApp> {
    let mut h = harness_with(
        "scenarios/monday-spike.ron",
        egui::vec2(1500.0, 950.0),
        1.0 / 30.0,
    );
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    h
}

#[test]
fn a_double_click_resets_the_view() {
    let mut h = at_0900_with_fast_frames();
    let (a0, z0) = h.state().plot_view_secs().unwrap();
    let (pos, (a1, z1)) = three_notches_in(&mut h);
    assert!(z1 - a1 < 0.7 * (z0 - a0), "{a1}..{z1} vs {a0}..{z0}");
    // Two clicks 4 frames (0.13 s) apart: within egui's 0.3 s, a double-click.
    click_at(&mut h, pos);
    click_at(&mut h, pos);
    // Every plot fits all of the run again within a few frames (each takes the shared
    // time axis from the one drawn before it).
    h.run_steps(4);
    let (a2, z2) = h.state().plot_view_secs().unwrap();
    assert!(a2 <= 0.0 && z2 >= MON_0900_SECS, "{a2}..{z2}");
}

#[test]
fn a_right_drag_zooms_into_a_box() {
    let mut h = at_0900_with_fast_frames();
    let (a0, z0) = h.state().plot_view_secs().unwrap();
    // Right button down inside the latency plot, dragged 300 points right and 20 down
    // over a few frames (as a hand moves), released there.
    let from = in_latency_plot(&h);
    let to = from + egui::vec2(300.0, 20.0);
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Secondary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    h.event(egui::Event::PointerMoved(from));
    h.run_steps(1);
    h.event(button(from, true));
    h.run_steps(1);
    for k in 1..=4 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (k as f32 / 4.0),
        ));
        h.run_steps(1);
    }
    h.event(button(to, false));
    h.run_steps(4);
    let (a1, z1) = h.state().plot_view_secs().unwrap();
    // 300 of the plot's ~1,000 points: about 30% of the time in view.
    assert!(z1 - a1 < 0.5 * (z0 - a0), "{a1}..{z1} vs {a0}..{z0}");
}
