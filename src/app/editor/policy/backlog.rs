//! The form of the backlog-per-instance policy.

use egui::Ui;

use crate::app::editor::rows::{drag_row_ui, target_row_ui};
use crate::model::autoscale::backlog::BacklogConfig;

/// A new policy: three requests held per instance, the schema's period, lag and delay
/// (a test checks they match a file's defaults).
pub(super) fn new_config() -> BacklogConfig {
    BacklogConfig {
        per_instance: 3.0,
        period_secs: 60.0,
        window_secs: 60.0,
        lag_secs: 60.0,
        scale_in_delay_secs: 300.0,
    }
}

/// The backlog per instance, the period and the scale-in delay.
pub(super) fn form_ui(ui: &mut Ui, c: &mut BacklogConfig) -> bool {
    let mut changed = target_row_ui(ui, &mut c.per_instance, 0.1, "requests held per instance");
    changed |= drag_row_ui(ui, "period s", &mut c.period_secs, 1.0);
    changed |= drag_row_ui(ui, "scale-in delay s", &mut c.scale_in_delay_secs, 1.0);
    changed
}
