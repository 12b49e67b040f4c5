//! The form of AWS simple scaling.

use egui::Ui;

use super::ADJUSTMENT_TYPES;
use crate::app::editor::convert::metric_speed;
use crate::app::editor::rows::{
    combo_row_ui, drag_row_ui, metric_row_ui, note_row_ui, target_row_ui,
};
use crate::model::autoscale::Metric;
use crate::model::autoscale::aws_simple::{SimplePolicy, SimpleScalingConfig};
use crate::model::autoscale::aws_step::{AdjustmentType, default_lag_secs};

/// The group's `DefaultCooldown` when a scenario does not set it, seconds.
const DEFAULT_COOLDOWN_SECS: f64 = 300.0;

/// A new policy on CPU: add two instances at 70 %, remove one at 30 %, then the group's
/// default cooldown. One datapoint per alarm, CloudWatch's lag.
pub(super) fn new_config() -> SimpleScalingConfig {
    let side = |threshold: f64, adjustment: i32| SimplePolicy {
        threshold,
        datapoints: None,
        evaluation_periods: 1,
        adjustment_type: AdjustmentType::ChangeInCapacity,
        adjustment,
        min_adjustment_magnitude: None,
        cooldown_secs: None,
    };
    SimpleScalingConfig {
        metric: Metric::Cpu,
        lag_secs: default_lag_secs(),
        cooldown_secs: DEFAULT_COOLDOWN_SECS,
        scale_out: Some(side(0.7, 2)),
        scale_in: Some(side(0.3, -1)),
    }
}

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
