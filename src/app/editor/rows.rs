//! Rows of a two-column grid: a label, then the widget it names (for screen readers
//! and tests, through `labelled_by`).

use egui::{ComboBox, TextEdit, Ui};

use super::EditorState;
use super::field_errors::row_errors_ui;
use crate::model::autoscale::Metric;
use crate::model::timepoint::TimePoint;

/// Metrics, in the order the picker lists them.
const METRICS: [Metric; 4] = [
    Metric::Cpu,
    Metric::RequestsPerTarget,
    Metric::QueuePerInstance,
    Metric::LatencyP95,
];

/// A number dragged or typed.
pub(super) fn drag_row_ui<N: egui::emath::Numeric>(
    ui: &mut Ui,
    label: &str,
    value: &mut N,
    speed: f64,
) -> bool {
    let l = ui.label(label);
    let r = ui
        .add(crate::app::number(value).speed(speed))
        .labelled_by(l.id);
    ui.end_row();
    row_errors_ui(ui, label, &r);
    r.changed()
}

/// The row of a policy's main target, with what it means beside it.
pub(super) fn target_row_ui(ui: &mut Ui, value: &mut f64, speed: f64, hint: &str) -> bool {
    let l = ui.label("target");
    let r = ui
        .horizontal(|ui| {
            let r = ui
                .add(crate::app::number(value).speed(speed))
                .labelled_by(l.id);
            if !hint.is_empty() {
                ui.weak(hint);
            }
            r
        })
        .inner;
    ui.end_row();
    row_errors_ui(ui, "target", &r);
    r.changed()
}

/// A check box, found by its text.
pub(super) fn check_row_ui(ui: &mut Ui, text: &str, value: &mut bool) -> bool {
    ui.label("");
    let r = ui.checkbox(value, text);
    ui.end_row();
    row_errors_ui(ui, text, &r);
    r.changed()
}

/// A weak note in the widget column.
pub(super) fn note_row_ui(ui: &mut Ui, text: &str) {
    ui.label("");
    ui.weak(text);
    ui.end_row();
}

/// One of `options`, shown as their `Debug` names (the file's names).
pub(super) fn combo_row_ui<T: Copy + PartialEq + std::fmt::Debug>(
    ui: &mut Ui,
    label: &str,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    value: &mut T,
    options: &[T],
) -> bool {
    let mut changed = false;
    let l = ui.label(label);
    let r = ComboBox::from_id_salt(id_salt)
        .selected_text(format!("{value:?}"))
        .show_ui(ui, |ui| {
            for o in options {
                changed |= ui.selectable_value(value, *o, format!("{o:?}")).changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    row_errors_ui(ui, label, &r);
    changed
}

/// The metric a policy watches.
pub(super) fn metric_row_ui(
    ui: &mut Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    metric: &mut Metric,
) -> bool {
    combo_row_ui(ui, "metric", id_salt, metric, &METRICS)
}

/// A time point typed as text; an unreadable one is reported beside it and never
/// reaches the design.
pub(super) fn time_row_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    tp: &mut TimePoint,
) -> bool {
    let current = tp.as_str().to_string();
    match parsed_row_ui(ui, state, key, label, &current, |s| TimePoint::try_from(s)) {
        Some(new) => {
            *tp = new;
            true
        }
        None => false,
    }
}

/// A text field for a value that must parse: keeps what is typed (under `key`) and
/// applies it when the field loses focus or on Enter, not at every key (a half-typed
/// "mon 0" is not a time to restart the run at). An entry that does not parse stays
/// on screen with the reason below it; returns the value when it parses.
pub(super) fn parsed_row_ui<T, E: std::fmt::Display>(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    current: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<T> {
    let l = ui.label(label);
    let buf = state
        .texts
        .entry(key.to_string())
        .or_insert_with(|| current.to_string());
    let r = ui
        .add(TextEdit::singleline(buf).desired_width(160.0))
        .labelled_by(l.id);
    ui.end_row();
    row_errors_ui(ui, label, &r);
    let mut out = None;
    if r.lost_focus() {
        if buf != current || state.text_errors.contains_key(key) {
            match parse(buf) {
                Ok(v) => {
                    state.text_errors.remove(key);
                    out = Some(v);
                }
                Err(e) => {
                    state.text_errors.insert(key.to_string(), e.to_string());
                }
            }
        }
    } else if !r.has_focus() && !state.text_errors.contains_key(key) && buf != current {
        // Changed elsewhere (the RON tab, a kind switch): show the value that is there.
        *buf = current.to_string();
    }
    if let Some(e) = state.text_errors.get(key) {
        ui.label("");
        ui.colored_label(ui.visuals().error_fg_color, e);
        ui.end_row();
    }
    out
}
