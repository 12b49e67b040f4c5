//! The form of AWS target tracking.

use egui::Ui;

use crate::app::editor::convert::{default_target, metric_speed};
use crate::app::editor::rows::{check_row_ui, drag_row_ui, metric_row_ui, target_row_ui};
use crate::model::autoscale::aws_target_tracking::TargetTrackingConfig;

/// The metric, its target, the scale-in ratio and whether scale-in is off.
pub(super) fn form_ui(ui: &mut Ui, i: usize, c: &mut TargetTrackingConfig) -> bool {
    let mut changed = metric_row_ui(ui, ("editor tt metric", i), &mut c.metric);
    if changed {
        // A new metric has a new unit: the old target means nothing in it.
        c.target = default_target(c.metric);
    }
    changed |= target_row_ui(ui, &mut c.target, metric_speed(c.metric), "");
    changed |= drag_row_ui(ui, "scale-in ratio", &mut c.scale_in_ratio, 0.01);
    changed |= check_row_ui(ui, "disable scale-in", &mut c.disable_scale_in);
    changed
}
