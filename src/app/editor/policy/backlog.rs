//! The form of the backlog-per-instance policy.

use egui::Ui;

use crate::app::editor::rows::{drag_row_ui, target_row_ui};
use crate::model::autoscale::backlog::BacklogConfig;

/// The backlog per instance, the period and the scale-in delay.
pub(super) fn form_ui(ui: &mut Ui, c: &mut BacklogConfig) -> bool {
    let mut changed = target_row_ui(ui, &mut c.per_instance, 0.1, "requests held per instance");
    changed |= drag_row_ui(ui, "period s", &mut c.period_secs, 1.0);
    changed |= drag_row_ui(ui, "scale-in delay s", &mut c.scale_in_delay_secs, 1.0);
    changed
}
