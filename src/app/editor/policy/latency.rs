//! The form of the latency-target policy.

use egui::Ui;

use crate::app::editor::convert::default_target;
use crate::app::editor::rows::{drag_row_ui, target_row_ui};
use crate::model::autoscale::Metric;
use crate::model::autoscale::latency::LatencyTargetConfig;

/// A new policy: p95 under 0.3 s, the schema's period, lag and cooldown (a test checks
/// they match a file's defaults).
pub(super) fn new_config() -> LatencyTargetConfig {
    LatencyTargetConfig {
        target_secs: default_target(Metric::LatencyP95),
        scale_in_below: 0.5,
        period_secs: 30.0,
        window_secs: 30.0,
        lag_secs: 30.0,
        cooldown_secs: 180.0,
    }
}

/// The p95 objective, how far below it scale-in starts, and the cooldown.
pub(super) fn form_ui(ui: &mut Ui, c: &mut LatencyTargetConfig) -> bool {
    let mut changed = target_row_ui(ui, &mut c.target_secs, 0.01, "p95 latency, seconds");
    changed |= drag_row_ui(ui, "scale-in below", &mut c.scale_in_below, 0.01);
    changed |= drag_row_ui(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}
