//! The form of AWS simple scaling.

use egui::Ui;

use super::ADJUSTMENT_TYPES;
use crate::app::editor::convert::metric_speed;
use crate::app::editor::rows::{
    combo_row_ui, drag_row_ui, metric_row_ui, note_row_ui, target_row_ui,
};
use crate::model::autoscale::aws_simple::{SimplePolicy, SimpleScalingConfig};

/// The metric, then each side's threshold and adjustment, and the cooldown.
pub(super) fn form_ui(ui: &mut Ui, i: usize, c: &mut SimpleScalingConfig) -> bool {
    let mut changed = metric_row_ui(ui, ("editor simple metric", i), &mut c.metric);
    let speed = metric_speed(c.metric);
    match c.scale_out.as_mut() {
        Some(p) => {
            changed |= target_row_ui(ui, &mut p.threshold, speed, "scale-out alarm threshold");
            changed |= side_rows_ui(ui, "scale-out", i, p);
        }
        None => note_row_ui(ui, "no scale-out policy: add one in the RON tab"),
    }
    match c.scale_in.as_mut() {
        Some(p) => {
            changed |= drag_row_ui(ui, "scale-in threshold", &mut p.threshold, speed);
            changed |= side_rows_ui(ui, "scale-in", i, p);
        }
        None => note_row_ui(ui, "no scale-in policy: add one in the RON tab"),
    }
    changed |= drag_row_ui(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}

/// One side's adjustment type and adjustment.
fn side_rows_ui(ui: &mut Ui, side: &str, i: usize, p: &mut SimplePolicy) -> bool {
    let mut changed = combo_row_ui(
        ui,
        &format!("{side} type"),
        ("editor simple type", side, i),
        &mut p.adjustment_type,
        &ADJUSTMENT_TYPES,
    );
    changed |= drag_row_ui(ui, &format!("{side} adjustment"), &mut p.adjustment, 0.25);
    changed
}
