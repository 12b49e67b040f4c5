//! The desktop app, driven offscreen with egui_kittest (issue #4): open a scenario,
//! press Run, advance, and check that the plots, the summary, compare and the topology
//! show the run. Snapshots are in tests/snapshots/ (`UPDATE_SNAPSHOTS=1` rewrites them);
//! look at them when they change.
//!
//! Runs advance with `run_to` (a fixed simulated time), never with the wall clock, so
//! what is drawn is the same on every machine.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use scalesim::app::{ScalesimApp, View};
use scalesim::metrics::Recorder;

/// Mon 09:00 in the Monday spike (it starts Sun 18:00): the peak, 15 h in.
pub(super) const MON_0900_SECS: f64 = 15.0 * 3600.0;

/// The recorder of the first design's run.
pub(super) fn recorder(app: &ScalesimApp) -> &Recorder {
    app.designs()[0].run().unwrap().world().recorder()
}

pub(super) fn harness(file: &str) -> Harness<'static, ScalesimApp> {
    harness_sized(file, egui::vec2(1500.0, 950.0))
}

/// Presses and releases the primary button at `pos`, one event per frame as a hand does.
pub(super) fn click_at(h: &mut Harness<'static, ScalesimApp>, pos: egui::Pos2) {
    h.event(egui::Event::PointerMoved(pos));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
    // What the click asked for is applied at the start of the next frame.
    h.run_steps(1);
}

/// The app with `file` open in a window of `size` points, paused at the start.
pub(super) fn harness_sized(file: &str, size: egui::Vec2) -> Harness<'static, ScalesimApp> {
    // kittest's default frame: a quarter of a second.
    harness_with(file, size, 0.25)
}

/// The app with `file` open in a window of `size` points, paused at the start, each frame
/// `step_secs` of wall time apart (a double-click needs two clicks within 0.3 s).
pub(super) fn harness_with(
    file: &str,
    size: egui::Vec2,
    step_secs: f32,
) -> Harness<'static, ScalesimApp> {
    let path = Path::new(file).to_path_buf();
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(step_secs)
        .with_pixels_per_point(1.0)
        // Another machine's software rasterizer may round anti-aliased edges a little
        // differently: forgive a slightly larger colour distance and up to 200 pixels of
        // 1.4 million. A real change (a moved label, a different curve) fails thousands.
        .with_options(
            egui_kittest::SnapshotOptions::new()
                .threshold(1.5)
                .max_failed_pixels(200),
        )
        .build_eframe(move |_cc| {
            let mut app = ScalesimApp::new(Some(&path));
            // Tests move time themselves; frame-rate figures differ on every run.
            app.set_playing(false);
            app.set_show_wall_clock(false);
            app
        });
    h.run_steps(2);
    h
}

#[test]
fn run_shows_the_spike_in_the_plots_and_the_summary() {
    let mut h = harness("scenarios/monday-spike.ron");
    assert_eq!(h.state().designs().len(), 1);
    assert!(h.state().designs()[0].errors().is_empty());
    // Nothing has run yet: no intervals.
    let rows = |h: &Harness<'_, ScalesimApp>| recorder(h.state()).rows().len();
    assert_eq!(rows(&h), 0);
    // A click is handled in the next frame, and drawn in the one after.
    h.get_by_label("Run").click();
    h.run_steps(2);
    assert!(h.state().is_playing(), "Run starts simulated time");
    h.get_by_label("Pause").click();
    h.run_steps(2);
    assert!(!h.state().is_playing());
    // Step: one metrics interval (10 s) further.
    let before = h.state().target_secs();
    h.get_by_label("Step").click();
    h.run_steps(2);
    assert!((h.state().target_secs() - (before / 10.0).floor() * 10.0 - 10.0).abs() < 1e-9);
    h.state_mut().run_to(MON_0900_SECS);
    h.run_steps(2);
    // 15 h of 10 s intervals: 5400 rows, all in the plots' data.
    assert_eq!(rows(&h), 5400);
    // The summary strip shows the headline figures of the run so far.
    for label in [
        "requests",
        "p99 of completed",
        "within SLO, drops = misses",
        "SLO violation",
        "cost",
        "max instances",
    ] {
        h.get_by_label(label);
    }
    let sums = h.state().summaries();
    assert!(sums[0].1.requests.arrived > 1_000_000);
    assert!(sums[0].1.cost_usd > 0.0);
    // The plots are on screen with their titles.
    for title in ["Traffic", "Latency", "Instances", "Cost"] {
        assert!(h.query_all_by_label(title).count() >= 1, "{title}");
    }
    h.snapshot("app_monday_spike_0900");
    // Reset goes back to the start.
    h.get_by_label("Reset").click();
    h.run_steps(2);
    assert_eq!(rows(&h), 0);
}

#[test]
fn compare_overlays_two_designs_on_the_same_traffic() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.get_by_label("Compare: duplicate").click();
    h.run_steps(2);
    assert_eq!(h.state().designs().len(), 2);
    // Make the copy different: target tracking on the same pool.
    {
        let app = h.state_mut();
        let mut f = app.designs()[1].file().clone();
        f.name = "target tracking".into();
        f.pools[0].schedule.clear();
        f.pools[0].autoscale = Some(
            scalesim::scenario::ron_options()
                .from_str("TargetTracking(metric: Cpu, target: 0.6)")
                .unwrap(),
        );
        let d = app.design_mut(1).unwrap();
        assert!(d.set_file(f), "{:?}", d.errors());
        app.reset();
        app.run_to(MON_0900_SECS + 1800.0);
    }
    h.run_steps(2);
    let app = h.state();
    // Same seed, same requests: both designs saw exactly the same arrivals.
    let sums = app.summaries();
    assert_eq!(sums.len(), 2);
    assert_eq!(sums[0].1.requests.arrived, sums[1].1.requests.arrived);
    assert_ne!(sums[0].1.cost_usd, sums[1].1.cost_usd);
    // The table of differences names both designs and its figures; the design list
    // names the copy too.
    h.get_by_label("target tracking");
    assert!(h.query_all_by_label_contains("target tracking").count() >= 2);
    for col in [
        "p99 of completed, ms",
        "SLO violation min",
        "dropped",
        "cost $",
        "max instances",
    ] {
        h.get_by_label(col);
    }
    h.snapshot("app_compare");
}

#[test]
fn topology_and_decisions_show_the_fleet() {
    let mut h = harness("scenarios/autoscaling/target-tracking.ron");
    h.state_mut().run_to(MON_0900_SECS);
    h.get_by_label("Topology").click();
    h.run_steps(2);
    assert_eq!(h.state().view(), View::Topology);
    h.snapshot("app_topology");
    h.get_by_label("Decisions").click();
    h.run_steps(2);
    let decisions = recorder(h.state()).decisions().len();
    assert!(decisions > 5, "{decisions}");
    h.snapshot("app_decisions");
}

#[test]
fn a_missing_file_opens_the_built_in_scenario_with_the_error() {
    let h = harness("scenarios/no-such-file.ron");
    let app = h.state();
    assert_eq!(app.designs()[0].name(), "monday-spike");
    let (msg, is_error) = app.status().map(|(m, e)| (m.to_owned(), e)).unwrap();
    assert!(is_error && msg.contains("no-such-file.ron"), "{msg}");
}

#[test]
fn the_editor_rejects_a_bad_value_with_a_message_and_keeps_running() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().run_to(3600.0);
    h.run_steps(2);
    // The pool's min above its max (40): the checker's message appears in the panel,
    // and the last valid version keeps running (its hour of data is still there).
    h.get_by_label("min").set_value_accesskit(50.0);
    h.run_steps(3);
    let app = h.state();
    assert_eq!(
        app.designs()[0].file().pools[0].size.min,
        50,
        "the typed value stays"
    );
    assert!(
        app.designs()[0]
            .errors()
            .iter()
            .any(|e| e.contains("min 50 is greater than max 40")),
        "{:?}",
        app.designs()[0].errors()
    );
    // At the top of the panel, and beside both bounds (each marked).
    assert_eq!(
        h.query_all_by_label_contains("min 50 is greater than max 40")
            .count(),
        3
    );
    let _ = h.get_by_label("min: min 50 is greater than max 40");
    let _ = h.get_by_label("max: min 50 is greater than max 40");
    let rows = recorder(app).rows().len();
    assert_eq!(rows, 360, "a rejected edit does not restart the run");
    h.snapshot("app_editor_rejects");
    // A valid value restarts the run with it.
    h.get_by_label("min").set_value_accesskit(3.0);
    h.run_steps(3);
    let app = h.state();
    assert!(
        app.designs()[0].errors().is_empty(),
        "{:?}",
        app.designs()[0].errors()
    );
    assert_eq!(
        app.designs()[0].scenario().unwrap().file.pools[0].size.min,
        3
    );
    // A valid edit restarts the run and brings it back, at max, to where the user was
    // (09:00 is 3,600 s, 360 intervals), over the next frames, then pauses there as before.
    for _ in 0..600 {
        if recorder(h.state()).rows().len() >= 360 {
            break;
        }
        h.run_steps(1);
    }
    let app = h.state();
    assert_eq!(recorder(app).rows().len(), 360, "back where the user was");
    assert_eq!(app.now_secs(), 3600.0);
    assert!(!app.is_playing());
}

#[test]
fn export_writes_the_plots_as_png_and_the_series_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness("scenarios/monday-spike.ron");
    h.state_mut().set_export_dir(dir.path().join("exports"));
    h.state_mut().run_to(7200.0);
    h.run_steps(2);
    h.get_by_label("Export CSV").click();
    h.run_steps(2);
    // 2 h of 10 s intervals: a header and 720 rows, as `scalesim run` writes them.
    let csv = std::fs::read_to_string(dir.path().join("exports/monday-spike-series.csv")).unwrap();
    assert_eq!(csv.lines().count(), 721);
    assert!(csv.starts_with("time_secs,clock,offered_per_sec"));
    // The last plot's title (the last "Drops": the first is its toggle) lies below the
    // window: the plots scroll.
    let drops =
        |h: &Harness<'static, ScalesimApp>| h.query_all_by_label("Drops").last().unwrap().rect();
    assert!(drops(&h).bottom() > 950.0, "{:?}", drops(&h));
    h.get_by_label("Export PNG").click();
    // The click is read in this frame, the export asked for at the start of the next,
    // which is drawn with every plot fitted into the window: that frame is captured.
    h.run_steps(1);
    h.run_steps(1);
    assert!(drops(&h).bottom() < 950.0, "{:?}", drops(&h));
    // The screenshot arrives after that frame and is saved in the next; then the plots
    // scroll again.
    h.run_steps(3);
    assert!(drops(&h).bottom() > 950.0);
    let pngs: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(pngs.len(), 1, "{:?}", h.state().status());
    // Named by the scenario and the moment: 2 h after Sun 18:00.
    assert_eq!(pngs[0].file_name(), "monday-spike-Sun-2000.png");
    let bytes = std::fs::read(pngs[0].path()).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Cropped to the plots: narrower than the 1500 px window.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert!(width > 600 && width < 1500, "{width}");
    let (msg, is_error) = h.state().status().map(|(m, e)| (m.to_owned(), e)).unwrap();
    assert!(!is_error && msg.contains("plots saved to"), "{msg}");
}

#[test]
fn two_files_on_the_command_line_open_side_by_side_at_a_time() {
    // What `scalesim gui A B --at "mon 09:30"` builds before its first frame.
    let start = scalesim::app::Start {
        files: vec![
            "scenarios/monday-spike.ron".into(),
            "scenarios/autoscaling/target-tracking.ron".into(),
        ],
        speed: scalesim::app::live::Speed::Max,
        play: false,
        at: Some(scalesim::model::clock::At::parse("mon 09:30").unwrap()),
        frame_stats: false,
    };
    let app = ScalesimApp::from_start(&start);
    assert_eq!(app.designs().len(), 2);
    assert_eq!(app.selected(), 0);
    // Sun 18:00 to Mon 09:30 is 15 h 30 min: both runs are there, paused.
    for d in app.designs() {
        assert_eq!(d.run().unwrap().now_secs(), 55_800.0);
    }
    assert!(!app.is_playing());
    assert_ne!(app.designs()[0].colour(), app.designs()[1].colour());
}

#[test]
fn a_scenario_opens_from_the_library_and_another_is_added_to_compare() {
    let mut h = harness("scenarios/monday-spike.ron");
    h.get_by_label("Open from library").click();
    h.run_steps(2);
    h.get_by_label("hpa.ron").click();
    h.run_steps(2);
    assert_eq!(h.state().designs().len(), 1);
    assert_eq!(h.state().designs()[0].name(), "monday-hpa");
    let (msg, is_error) = h.state().status().map(|(m, e)| (m.to_owned(), e)).unwrap();
    assert!(!is_error && msg.contains("hpa.ron"), "{msg}");
    h.get_by_label("Compare: add from library").click();
    h.run_steps(2);
    h.get_by_label("scheduled.ron").click();
    h.run_steps(2);
    let names: Vec<&str> = h.state().designs().iter().map(|d| d.name()).collect();
    assert_eq!(names, ["monday-hpa", "monday-scheduled"]);
}

#[test]
fn save_as_writes_what_the_author_wrote_plus_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string("scenarios/monday-spike.ron").unwrap();
    let mut h = harness("scenarios/monday-spike.ron");
    // Type a new max, one key per frame, then Enter (the field is below the fold of the
    // side panel: scroll to it first, as a person does, and give it the keyboard).
    h.get_by_label("max").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("max").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    for c in "44".chars() {
        h.get_by_label("max").type_text(&c.to_string());
        h.run_steps(1);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().designs()[0].file().pools[0].size.max, 44);
    // Save as: a path typed in the panel, no desktop dialog.
    let target = dir.path().join("spike-44.ron");
    h.get_by_label("Save as").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Save as").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label("Save as")
        .type_text(&target.display().to_string());
    h.run_steps(1);
    h.get_by_label("Write").click();
    h.run_steps(3);
    let (msg, is_error) = h.state().status().map(|(m, e)| (m.to_owned(), e)).unwrap();
    assert!(!is_error && msg.starts_with("saved "), "{msg}");
    let written = std::fs::read_to_string(&target).unwrap();
    // The same 34 lines, comments and omitted fields; only the maximum changed.
    assert_eq!(written, original.replacen("max: 40", "max: 44", 1));
    assert!(!written.contains("r#None"));
    // An unwritable path says so and writes nothing.
    h.get_by_label("Save as").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label("Save as").type_text("/no/such/dir/x.ron");
    h.run_steps(1);
    h.get_by_label("Write").click();
    h.run_steps(3);
    let (msg, is_error) = h.state().status().map(|(m, e)| (m.to_owned(), e)).unwrap();
    assert!(is_error && msg.contains("/no/such/dir/x.ron"), "{msg}");
}

#[test]
fn the_topology_draws_the_service_graph_and_a_click_shows_one_service() {
    // zone-outage at 09:12, two minutes into zone a's outage: web-2 and web-3 in the
    // first tier, the db each calls in the second, each pool with its instances per zone.
    // A click on db-2 shows db-2's own figures in the plots: its visits (about half the
    // 660 requests a second, every request calls it once) rather than all arrivals.
    let mut h = harness_sized(
        "scenarios/failures/zone-outage.ron",
        egui::vec2(1280.0, 720.0),
    );
    h.state_mut().run_to(12.0 * 60.0);
    h.get_by_label("Topology").click();
    h.run_steps(2);
    assert_eq!(h.state().view(), View::Topology);
    h.snapshot("app_topology_services");
    h.get_by_label("service db-2").click();
    h.run_steps(3);
    assert_eq!(h.state().view(), View::Plots);
    assert_eq!(h.state().focused_service(), Some("db-2"));
    h.snapshot("app_plots_one_service");
    // Back to the whole request from the button above the plots.
    h.get_by_label("Show the whole request").click();
    h.run_steps(2);
    assert_eq!(h.state().focused_service(), None);
}

#[test]
fn the_form_adds_a_service_and_a_call_to_it() {
    // Monday spike has one pool, web. "Add a service" adds service2 (5 ms of CPU a
    // visit) and shows it; back on web, "Add the call" makes web call service2 after its
    // own work (each class's demand, kept as a step). The design runs again with two
    // services: every request now visits both.
    // A tall window: the work rows are below the fold of the side panel otherwise.
    let mut h = harness_sized("scenarios/monday-spike.ron", egui::vec2(1500.0, 1400.0));
    h.get_by_label("Add a service").click();
    h.run_steps(2);
    let file = h.state().designs()[0].file();
    assert_eq!(file.pools.len(), 2);
    assert_eq!(file.pools[1].name, "service2");
    // Show web again, from the pool picker.
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "pool")
        .click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "web")
        .click();
    h.run_steps(2);
    h.get_by_label("Add the call").click();
    h.run_steps(2);
    h.snapshot("app_form_call");
    let file = h.state().designs()[0].file();
    let work = &file.pools[0].work;
    assert_eq!(
        work.len(),
        2,
        "{work:?} {:?}",
        h.state().designs()[0].errors()
    );
    use scalesim::model::journey::work::StepSpec;
    assert_eq!(work[0], StepSpec::ClassDemand);
    assert_eq!(work[1], StepSpec::Call("service2".into()));
    h.state_mut().run_to(3600.0);
    h.run_steps(1);
    let rec = recorder(h.state());
    let groups = rec.service_groups();
    assert_eq!(groups.len(), 2);
    let rows = rec.rows();
    let visits = |i: usize| rows.iter().map(|r| r.pools[i].visits).sum::<u64>();
    assert!(
        visits(1) > 0 && visits(1) + 50 >= visits(0),
        "{} {}",
        visits(0),
        visits(1)
    );
}
