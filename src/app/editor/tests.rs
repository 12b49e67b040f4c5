//! The panel driven offscreen with egui_kittest: every documented label, kinds
//! switched from the combo boxes, errors shown where the edit was made.

use super::curves::{CurveKind, peak_time, switch_curve};
use super::*;
use egui_kittest::kittest::Queryable;

#[test]
fn min_above_max_is_rejected_with_the_checkers_message_and_kept() {
    let mut d = test_design();
    let mut f = d.file.clone();
    f.pools[0].size.min = 5;
    f.pools[0].size.max = 3;
    assert!(!d.set_file(f));
    assert!(
        d.errors
            .iter()
            .any(|e| e.contains("size: min 5 is greater than max 3")),
        "{:?}",
        d.errors
    );
    assert_eq!((d.file.pools[0].size.min, d.file.pools[0].size.max), (5, 3));
}

/// What the panel edits, for driving it offscreen.
struct Panel {
    editor: EditorState,
    design: Design,
    catalog: Catalog,
    changed: bool,
}

fn harness(design: Design) -> egui_kittest::Harness<'static, Panel> {
    let panel = Panel {
        editor: EditorState::default(),
        design,
        catalog: Catalog::builtin().unwrap(),
        changed: false,
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(520.0, 4000.0))
        .build_ui_state(
            |ui, p: &mut Panel| {
                p.changed |= editor_ui(ui, &mut p.editor, &mut p.design, &p.catalog);
            },
            panel,
        );
    h.run();
    h
}

#[test]
fn every_documented_input_is_found_by_its_label_once() {
    let h = harness(test_design());
    for label in [
        "name",
        "start",
        "duration h",
        "interval s",
        "SLO latency s",
        "SLO percentile",
        "curve",
        "night per sec",
        "peak per sec",
        "peak at",
        "ramp s",
        "page weight",
        "instance type",
        "workers",
        "queue capacity",
        "timeout s",
        "min",
        "max",
        "initial",
        "balancer",
        "scale-in",
        "warm-up s",
        "drain s",
        "crash MTTF h",
        "grace s",
        "policy",
        "RON source",
        "Apply",
    ] {
        // get_by_label panics if the label is missing or names two widgets.
        let _ = h.get_by_label(label);
    }
}

#[test]
fn failures_and_the_grace_period_are_switched_on_from_the_panel() {
    let mut h = harness(test_design());
    assert!(h.state().design.file.pools[0].failures.is_none());
    h.get_by_label("instances crash").click();
    h.run();
    h.get_by_label("group uses balancer checks").click();
    h.run();
    let p = h.state();
    // The defaults offered: a crash every 6 h of service, the console's 300 s grace.
    assert_eq!(
        p.design.file.pools[0].failures.as_ref().unwrap().mttf_hours,
        6.0
    );
    assert_eq!(p.design.file.pools[0].health_check_grace_secs, Some(300.0));
    assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
    assert!(p.changed, "a valid change restarts the run");
    assert!(
        p.design.text().contains("mttf_hours: 6.0"),
        "{}",
        p.design.text()
    );
    // A zero MTTF is refused by the checker, with its words.
    h.get_by_label("crash MTTF h").set_value_accesskit(0.0);
    h.run();
    let errors = &h.state().design.errors;
    assert!(
        errors.iter().any(|e| e.contains("expected a number > 0")),
        "{errors:?}"
    );
}

#[test]
fn a_bound_and_a_timeout_are_switched_off_and_back_on() {
    let mut h = harness(test_design());
    let pool = |h: &egui_kittest::Harness<'_, Panel>| h.state().design.file.pools[0].clone();
    let (cap, timeout) = (pool(&h).queue_capacity, pool(&h).timeout_secs);
    assert!(cap.is_some() && timeout.is_some(), "{cap:?} {timeout:?}");
    let tick_both = |h: &mut egui_kittest::Harness<'_, Panel>| {
        for label in ["no bound", "wait forever"] {
            h.get_by_label(label).click();
            h.run();
        }
    };
    // Ticking "no bound" and "wait forever" clears them (None: unbounded, forever)...
    tick_both(&mut h);
    assert_eq!(
        (pool(&h).queue_capacity, pool(&h).timeout_secs),
        (None, None)
    );
    assert!(
        h.state().design.errors.is_empty(),
        "{:?}",
        h.state().design.errors
    );
    // ...and unticking them brings back a bound and a timeout: the defaults offered,
    // 100 requests and 30 s.
    tick_both(&mut h);
    assert_eq!(
        (pool(&h).queue_capacity, pool(&h).timeout_secs),
        (Some(100), Some(30.0))
    );
}

#[test]
fn every_policy_shows_its_target() {
    let catalog = Catalog::builtin().unwrap();
    for kind in policy::kinds() {
        let mut d = test_design();
        let mut f = d.file.clone();
        f.pools[0].autoscale = policy::new_spec(kind, &f.pools[0], catalog.types());
        d.set_file(f);
        let h = harness(d);
        let targets = h.query_all_by_label("target").count();
        let expected = usize::from(!matches!(kind, policy::NO_POLICY | "Combined"));
        assert_eq!(targets, expected, "{kind}");
    }
}

#[test]
fn every_curve_shows_its_parameters() {
    for (kind, label) in [
        (CurveKind::Constant, "per sec"),
        (CurveKind::Ramp, "to per sec"),
        (CurveKind::Diurnal, "trough per sec"),
        (CurveKind::FlashCrowd, "extra per sec"),
    ] {
        let mut d = test_design();
        let mut f = d.file.clone();
        f.workload.rate =
            switch_curve(&f.workload.rate, kind, f.duration_secs, (1.0, 2.0)).unwrap();
        d.set_file(f);
        let h = harness(d);
        let _ = h.get_by_label(label);
        let _ = h.get_by_label("curve");
    }
}

#[test]
fn min_above_max_shows_the_message_beside_both_bounds() {
    let mut h = harness(test_design());
    h.get_by_label("min").set_value_accesskit(5.0);
    h.run();
    h.get_by_label("max").set_value_accesskit(3.0);
    h.run();
    // Beside both bounds, each marked, and named in the status line at the top; not
    // repeated at the end of the section.
    for row in [
        "min: min 5 is greater than max 3",
        "max: min 5 is greater than max 3",
    ] {
        assert_eq!(h.query_all_by_label(row).count(), 1, "{row}");
    }
    assert_eq!(
        h.query_all_by_label_contains("size: min 5 is greater than max 3")
            .count(),
        1
    );
    let p = h.state();
    assert_eq!(
        (
            p.design.file.pools[0].size.min,
            p.design.file.pools[0].size.max
        ),
        (5, 3)
    );
    assert_eq!(p.editor.error_at, Some(Section::Pool));
}

#[test]
fn a_valid_edit_reports_a_change_and_reaches_the_ron_text() {
    let mut h = harness(test_design());
    h.get_by_label("max").set_value_accesskit(50.0);
    h.run();
    let p = h.state();
    assert!(p.changed);
    assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
    assert!(p.editor.ron.contains("max: 50"), "{}", p.editor.ron);
}

#[test]
fn apply_checks_the_ron_text_and_shows_errors_with_their_place() {
    let mut h = harness(test_design());
    let text = h.state().editor.ron.replace("min: 2", "min: 50");
    h.state_mut().editor.ron = text;
    h.run();
    h.get_by_label("Apply").click();
    h.run();
    let p = h.state();
    assert_eq!(p.editor.error_at, Some(Section::Ron));
    assert!(
        p.design
            .errors
            .iter()
            .any(|e| e.contains(":") && e.contains("size: min 50 is greater than max 40")),
        "{:?}",
        p.design.errors
    );
}

#[test]
fn choosing_a_kind_in_the_combo_boxes_switches_curve_and_policy() {
    let mut h = harness(test_design());
    h.get_by_label("curve").click();
    h.run();
    h.get_by_label("Diurnal").click();
    h.run();
    let _ = h.get_by_label("trough per sec");
    h.get_by_label("policy").click();
    h.run();
    h.get_by_label("TargetTracking").click();
    h.run();
    let _ = h.get_by_label("target");
    let p = h.state();
    assert!(p.changed);
    assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
    assert_eq!(
        CurveKind::of(&p.design.file.workload.rate),
        Some(CurveKind::Diurnal)
    );
    assert_eq!(
        policy::kind_of(p.design.file.pools[0].autoscale.as_ref()),
        "TargetTracking"
    );
}

#[test]
fn an_unreadable_time_is_reported_beside_its_field_and_not_applied() {
    let mut h = harness(test_design());
    let field = h.get_by_label("peak at");
    field.focus();
    h.run();
    h.get_by_label("peak at").type_text("x");
    h.run();
    // Nothing is said while the user types; Enter applies, and the reason shows.
    assert_eq!(
        h.query_all_by_label_contains("expected a time such as")
            .count(),
        0
    );
    h.key_press(egui::Key::Enter);
    h.run();
    let _ = h.get_by_label_contains("expected a time such as");
    assert_eq!(
        peak_time(&h.state().design.file.workload.rate)
            .unwrap()
            .as_str(),
        "mon 09:00"
    );
}

#[test]
fn a_time_typed_one_key_per_frame_applies_once_on_enter() {
    let mut h = harness(test_design());
    h.get_by_label("peak at").focus();
    h.run();
    // Select what is there and type over it, one character per frame as a person types:
    // "mon 0" on the way would be a valid time; it must not be applied.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    for c in "mon 09:30".chars() {
        h.get_by_label("peak at").type_text(&c.to_string());
        h.run();
        assert!(!h.state().changed, "applied before Enter, at {c:?}");
        assert_eq!(
            peak_time(&h.state().design.file.workload.rate)
                .unwrap()
                .as_str(),
            "mon 09:00"
        );
    }
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().changed);
    assert_eq!(
        peak_time(&h.state().design.file.workload.rate)
            .unwrap()
            .as_str(),
        "mon 09:30"
    );
}

/// Types `text` into the number field labelled `label` one key per frame, as a person
/// does, checking before Enter that nothing was applied; then presses Enter.
fn type_number(h: &mut egui_kittest::Harness<'static, Panel>, label: &str, text: &str) {
    // A click turns a drag value into a text field, with its text selected.
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    let before = h.state().design.text().to_string();
    for c in text.chars() {
        h.get_by_label(label).type_text(&c.to_string());
        h.run();
        assert!(
            !h.state().changed,
            "{label}: applied before Enter, at {c:?}"
        );
        assert_eq!(h.state().design.text(), before, "{label}: edited at {c:?}");
        assert!(
            h.state().design.errors.is_empty(),
            "{label}: error at {c:?}"
        );
    }
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn numbers_typed_one_key_per_frame_are_applied_whole() {
    let mut h = harness(test_design());
    // "0.55" passes through "0" (an invalid SLO latency) and "0." on the way.
    type_number(&mut h, "SLO latency s", "0.55");
    assert!(h.state().changed);
    assert_eq!(h.state().design.file.slo.latency_secs, 0.55);
    assert!(h.state().design.errors.is_empty());
    // "37" passes through "3" (below min): the whole number is what arrives.
    h.state_mut().changed = false;
    type_number(&mut h, "max", "37");
    assert!(h.state().changed);
    assert_eq!(h.state().design.file.pools[0].size.max, 37);
}

#[test]
fn a_policy_error_is_shown_beside_its_own_field() {
    // A target tracking policy whose target is 0: the message names `target` and sits
    // under the target row, not under its neighbour `disable_scale_in`.
    let mut d = test_design();
    let mut f = d.file.clone();
    f.pools[0].autoscale = Some(
        crate::scenario::ron_options()
            .from_str("TargetTracking(metric: Cpu, target: 0.6)")
            .unwrap(),
    );
    assert!(d.set_file(f));
    let mut h = harness(d);
    type_number(&mut h, "target", "0");
    let p = h.state();
    assert_eq!(p.design.errors.len(), 1, "{:?}", p.design.errors);
    assert_eq!(
        p.design.error_fields,
        vec![Some("pools[0].autoscale.target".to_string())]
    );
    let _ = h.get_by_label("target: must be a positive number, got 0");
    assert_eq!(h.query_all_by_label_contains("disable_scale_in").count(), 0);
}
