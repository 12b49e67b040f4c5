//! The form of the Kubernetes HorizontalPodAutoscaler.

use egui::Ui;

use crate::app::editor::convert::{default_target, hpa_parts, hpa_target, metric_speed};
use crate::app::editor::rows::{drag_row_ui, metric_row_ui, note_row_ui, target_row_ui};
use crate::model::autoscale::hpa::{HpaConfig, MetricTarget};

/// The first metric and its target, the tolerance, the sync period and the scale-down
/// stabilization window.
pub(super) fn form_ui(ui: &mut Ui, i: usize, c: &mut HpaConfig) -> bool {
    let mut changed = false;
    let more = c.metrics.len().saturating_sub(1);
    match c.metrics.first_mut() {
        Some(MetricTarget::PoolAverageValue { metric, target }) => {
            note_row_ui(
                ui,
                &format!("metric: pool-wide {metric:?} (change it in the RON tab)"),
            );
            changed |= target_row_ui(ui, target, 0.1, "PoolAverageValue (per instance)");
        }
        Some(first) => {
            if let Some(mut m) = hpa_parts(first).map(|(m, _)| *m)
                && metric_row_ui(ui, ("editor hpa metric", i), &mut m)
            {
                // A new metric has a new unit: its target type and value start afresh.
                *first = hpa_target(m, default_target(m));
                changed = true;
            }
            let hint = match first {
                MetricTarget::Utilization { .. } => "Utilization (fraction of a vCPU)",
                MetricTarget::AverageValue { .. } => "AverageValue (per instance)",
                MetricTarget::Value { .. } => "Value (pool-wide)",
                MetricTarget::PoolAverageValue { .. } => "PoolAverageValue (per instance)",
            };
            if let Some((metric, target)) = hpa_parts(first) {
                changed |= target_row_ui(ui, target, metric_speed(*metric), hint);
            }
        }
        None => note_row_ui(ui, "no metrics: add one in the RON tab"),
    }
    if more > 0 {
        note_row_ui(ui, &format!("and {more} more metrics: edit in the RON tab"));
    }
    changed |= drag_row_ui(ui, "tolerance", &mut c.tolerance, 0.01);
    changed |= drag_row_ui(ui, "sync period s", &mut c.sync_period_secs, 1.0);
    // The window in force: the behavior's own, else the controller flag's.
    let window = match c
        .behavior
        .as_mut()
        .and_then(|b| b.scale_down.stabilization_window_secs.as_mut())
    {
        Some(w) => w,
        None => &mut c.downscale_stabilization_secs,
    };
    changed |= drag_row_ui(ui, "scale-down stabilization s", window, 1.0);
    changed
}
