//! The form of the latency-target policy.

use egui::Ui;

use crate::app::editor::rows::{drag_row_ui, target_row_ui};
use crate::model::autoscale::latency::LatencyTargetConfig;

/// The p95 objective, how far below it scale-in starts, and the cooldown.
pub(super) fn form_ui(ui: &mut Ui, c: &mut LatencyTargetConfig) -> bool {
    let mut changed = target_row_ui(ui, &mut c.target_secs, 0.01, "p95 latency, seconds");
    changed |= drag_row_ui(ui, "scale-in below", &mut c.scale_in_below, 0.01);
    changed |= drag_row_ui(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}
