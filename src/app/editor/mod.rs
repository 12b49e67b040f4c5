//! The scenario editor: the side panel that edits the selected design's scenario.
//!
//! Sections: the scenario (name, start, duration, metrics interval, SLO), the workload
//! (rate curve with its parameters and a preview of the offered rate, request class
//! weights), the pools (instance type from the catalog, workers, queue, timeout, size,
//! balancer, scale-in order, warm-up, the autoscaling policy and its parameters) and the
//! RON source itself.
//!
//! Every edit is made on a copy of the design's file and handed to [`Design::set_file`],
//! which writes it as RON and checks it exactly as a file on disk is checked. Widgets
//! therefore accept out-of-range numbers (min above max, a negative rate): the checker
//! rejects them with the same message `scalesim check` prints, shown in red under the
//! section that was edited, and the last valid version keeps running. A valid change
//! makes [`editor_ui`] return true, and the app restarts the run.
//!
//! Accessibility labels (each input can be found with `egui_kittest`'s
//! `get_by_label`; only the widgets of the chosen curve and policy are shown):
//!
//! - Scenario: `name`, `start`, `duration h`, `interval s`, `SLO latency s`,
//!   `SLO percentile`.
//! - Workload: `curve` (kind), then by kind: Constant `per sec`; Ramp `from per sec`,
//!   `to per sec`, `ramp start`, `ramp s`; Diurnal `trough per sec`, `peak per sec`,
//!   `peak at`; MondaySpike `night per sec`, `peak per sec`, `peak at`, `ramp s`,
//!   `plateau factor`, `lunch factor`, `weekday peak factor`; FlashCrowd `base curve`
//!   (the base's own widgets follow), `crowd at`, `extra per sec`, `rise s`, `decay s`.
//!   Each request class: `<class> weight` (e.g. `page weight`).
//! - Pools: `pool` (only with several pools), `instance type`, `workers`,
//!   `queue capacity`, `timeout s`, `min`, `max`, `initial`, `balancer`, `scale-in`,
//!   `warm-up s`, `drain s`, `crash MTTF h`, `grace s`, `policy`, then by policy (`target` is always its main target):
//!   TargetTracking `metric`, `target`, `scale-in ratio`; Hpa `metric`, `target`,
//!   `tolerance`, `sync period s`, `scale-down stabilization s`; StepScaling `metric`,
//!   `target` (scale-out threshold), `scale-out type`, `scale-out <bounds>` per step,
//!   `scale-in threshold`, `scale-in type`, `scale-in <bounds>` per step; SimpleScaling
//!   `metric`, `target` (scale-out threshold), `scale-out type`, `scale-out adjustment`,
//!   `scale-in threshold`, `scale-in type`, `scale-in adjustment`, `cooldown s`;
//!   Predictive `target` (requests per second per instance), `mode`, `history h`;
//!   Backlog `target` (requests held per instance), `period s`, `scale-in delay s`;
//!   LatencyTarget `target` (p95 seconds), `scale-in below`, `cooldown s`; Vertical
//!   `types`, `target` (CPU above which to move up), `scale down below`, `restart s`,
//!   `cooldown s`. Check boxes are found by their text.
//! - RON: the text field `RON source` and the buttons `Apply` and `Revert`.
//!
//! The pure conversions (texts, levels, ladders, kinds of curve) live in `convert` and
//! `curves`, apart from the widgets; each policy's defaults and form in `policy/<name>.rs`.

mod convert;
mod curves;
mod field_errors;
mod policy;
mod pools;
mod ron;
mod rows;
mod scenario;
#[cfg(test)]
mod tests;

/// The built-in scenario as a design, for the tests of the editor's modules.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
fn test_design() -> Design {
    Design::from_text(super::DEFAULT_SCENARIO, None, egui::Color32::WHITE).unwrap()
}
mod workload;

use std::collections::BTreeMap;

use egui::{CollapsingHeader, Ui};

use super::design::Design;
use crate::model::autoscale::AutoscaleSpec;
use crate::model::catalog::Catalog;
use crate::model::workload::RateCurve;
use crate::scenario::ScenarioFile;

/// Where an edit was made, so its errors show under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    /// Name, start, duration, interval, SLO.
    Scenario,
    /// The rate curve and the classes.
    Workload,
    /// The pool shown and its policy.
    Pool,
    /// The RON source.
    Ron,
}

/// The editor's memory between frames.
#[derive(Default)]
pub struct EditorState {
    /// The section of the last edit; its errors are shown under it. None: the errors
    /// came from elsewhere (a file opened or reloaded), so they are shown at the top.
    error_at: Option<Section>,
    /// The pool shown, as an index into the file's pools.
    pool: usize,
    /// The RON source in the text editor.
    ron: String,
    /// The design text `ron` was loaded from: if they differ, the user has unapplied edits.
    ron_base: String,
    /// Whether the RON editor had the keyboard focus last frame (its text is not replaced
    /// under the cursor).
    ron_focused: bool,
    /// The design's text at the end of the last frame, to notice changes made elsewhere.
    known_text: Option<String>,
    /// Text fields whose value must parse (time points, type lists), as typed, by field.
    texts: BTreeMap<String, String>,
    /// Why such a text does not parse, by field (it never reaches the design).
    text_errors: BTreeMap<String, String>,
    /// Curves switched away from, by field and kind, so switching back restores them.
    curves: BTreeMap<(String, &'static str), RateCurve>,
    /// Policies switched away from, by pool and kind, so switching back restores them.
    policies: BTreeMap<(usize, &'static str), AutoscaleSpec>,
}

/// Draws the editor for `design`; returns whether the running version changed.
pub fn editor_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    design: &mut Design,
    catalog: &Catalog,
) -> bool {
    notice_outside_changes(state, design);
    let mut changed = false;
    status_ui(ui, state, design);
    let errors = field_errors(state, design);

    CollapsingHeader::new("Scenario")
        .default_open(true)
        .show(ui, |ui| {
            field_errors::begin_section(ui, "", &errors);
            let mut file = design.file.clone();
            if scenario::scenario_ui(ui, state, &mut file) {
                changed |= apply(state, design, file, Section::Scenario);
            }
            section_errors_ui(ui, state, Section::Scenario);
        });

    CollapsingHeader::new("Workload")
        .default_open(true)
        .show(ui, |ui| {
            field_errors::begin_section(ui, "workload.rate", &errors);
            let mut file = design.file.clone();
            let edited = workload::workload_ui(ui, state, &mut file, design.scenario.as_ref());
            if edited {
                changed |= apply(state, design, file, Section::Workload);
            }
            section_errors_ui(ui, state, Section::Workload);
            workload::preview_ui(ui, design.scenario.as_ref(), !design.errors.is_empty());
        });

    CollapsingHeader::new("Pools")
        .default_open(true)
        .show(ui, |ui| {
            field_errors::begin_section(ui, &format!("pools[{}]", state.pool), &errors);
            let mut file = design.file.clone();
            if pools::pools_ui(ui, state, &mut file, catalog) {
                changed |= apply(state, design, file, Section::Pool);
            }
            section_errors_ui(ui, state, Section::Pool);
        });

    // Open by default: the source is the whole truth, and its Apply button must be at hand.
    CollapsingHeader::new("RON")
        .default_open(true)
        .show(ui, |ui| {
            changed |= ron::ron_ui(ui, state, design);
        });

    state.known_text = Some(design.text().to_string());
    changed
}

/// If the design's text changed since the last frame without this editor (a file opened
/// or reloaded, another design selected), forgets what belonged to the old text.
fn notice_outside_changes(state: &mut EditorState, design: &Design) {
    if state.known_text.as_deref() == Some(design.text()) {
        return;
    }
    state.error_at = None;
    state.texts.clear();
    state.text_errors.clear();
    state.curves.clear();
    state.policies.clear();
}

/// The design's errors with the field each is about: the checker's path, or for a
/// problem found while parsing a form edit that names its field ("size: min 5 is greater
/// than max 3"), that field of the pool being edited.
fn field_errors(state: &EditorState, design: &Design) -> Vec<field_errors::FieldError> {
    design
        .errors
        .iter()
        .enumerate()
        .map(|(k, message)| {
            let named = message
                .split_once(": ")
                .map(|(head, _)| head)
                .filter(|head| !head.contains(' ') && state.error_at == Some(Section::Pool))
                .map(|head| format!("pools[{}].{head}", state.pool));
            field_errors::FieldError {
                path: design.error_fields.get(k).cloned().flatten().or(named),
                problem: field_errors::problem_of(message),
                message: message.clone(),
            }
        })
        .collect()
}

/// One line on what runs (always one line, so that an error appearing or going does not
/// move the fields under it), and the errors that belong to no section.
fn status_ui(ui: &mut Ui, state: &EditorState, design: &Design) {
    if design.errors.is_empty() {
        ui.weak("Valid: this version runs.");
        return;
    }
    if design.scenario.is_some() {
        // Name the first problem here too: the field may be scrolled out of sight.
        let first = design
            .errors
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Rejected: {first}. The last valid version keeps running."),
        );
    } else {
        ui.weak("Nothing runs until the scenario is valid.");
    }
    if state.error_at.is_none() {
        errors_ui(ui, &design.errors);
    }
}

/// Hands the edited `file` to the design (which checks it) and remembers where the edit
/// was made.
fn apply(state: &mut EditorState, design: &mut Design, file: ScenarioFile, at: Section) -> bool {
    state.error_at = Some(at);
    design.set_file(file)
}

/// All the design's errors, if the last edit was made in section `at` (the RON source,
/// whose errors carry their line and column).
fn all_errors_ui(ui: &mut Ui, state: &EditorState, design: &Design, at: Section) {
    if state.error_at == Some(at) {
        errors_ui(ui, &design.errors);
    }
}

/// The design's errors that no field of section `at` showed beside it, if the last
/// edit was made there.
fn section_errors_ui(ui: &mut Ui, state: &EditorState, at: Section) {
    if state.error_at == Some(at) {
        errors_ui(ui, &field_errors::unclaimed(ui));
    }
}

/// Each error in the theme's error colour.
fn errors_ui(ui: &mut Ui, errors: &[String]) {
    let colour = ui.visuals().error_fg_color;
    for e in errors {
        ui.colored_label(colour, e);
    }
}
