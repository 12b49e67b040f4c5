//! The form of AWS step scaling.

use egui::Ui;

use super::ADJUSTMENT_TYPES;
use crate::app::editor::convert::{bounds_text, metric_speed};
use crate::app::editor::rows::{
    combo_row_ui, drag_row_ui, metric_row_ui, note_row_ui, target_row_ui,
};
use crate::model::autoscale::aws_step::{AdjustmentType, StepAdjustment, StepScalingConfig};

/// The metric, then each side's threshold, adjustment type and step adjustments.
pub(super) fn form_ui(ui: &mut Ui, i: usize, c: &mut StepScalingConfig) -> bool {
    let mut changed = metric_row_ui(ui, ("editor step metric", i), &mut c.metric);
    let speed = metric_speed(c.metric);
    match c.scale_out.as_mut() {
        Some(p) => {
            changed |= target_row_ui(ui, &mut p.threshold, speed, "scale-out alarm threshold");
            changed |=
                step_policy_rows_ui(ui, "scale-out", i, &mut p.adjustment_type, &mut p.steps);
        }
        None => note_row_ui(ui, "no scale-out policy: add one in the RON tab"),
    }
    match c.scale_in.as_mut() {
        Some(p) => {
            changed |= drag_row_ui(ui, "scale-in threshold", &mut p.threshold, speed);
            changed |= step_policy_rows_ui(ui, "scale-in", i, &mut p.adjustment_type, &mut p.steps);
        }
        None => note_row_ui(ui, "no scale-in policy: add one in the RON tab"),
    }
    changed
}

/// A step policy's adjustment type and each step's adjustment (bounds: in the RON tab).
fn step_policy_rows_ui(
    ui: &mut Ui,
    side: &str,
    i: usize,
    kind: &mut AdjustmentType,
    steps: &mut [StepAdjustment],
) -> bool {
    let mut changed = combo_row_ui(
        ui,
        &format!("{side} type"),
        ("editor step type", side, i),
        kind,
        &ADJUSTMENT_TYPES,
    );
    for s in steps.iter_mut() {
        let label = format!("{side} {}", bounds_text(s.lower, s.upper));
        changed |= drag_row_ui(ui, &label, &mut s.adjustment, 0.25);
    }
    note_row_ui(ui, "step bounds: edit in the RON tab");
    changed
}
