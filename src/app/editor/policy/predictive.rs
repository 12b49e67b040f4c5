//! The form of AWS predictive scaling.

use egui::Ui;

use crate::app::editor::convert::hours_to_secs;
use crate::app::editor::rows::{check_row_ui, combo_row_ui, drag_row_ui, target_row_ui};
use crate::model::autoscale::predictive::{PredictiveConfig, PredictiveMode};

/// Modes, in the order the form lists them.
const PREDICTIVE_MODES: [PredictiveMode; 2] = [
    PredictiveMode::ForecastAndScale,
    PredictiveMode::ForecastOnly,
];

/// The load per instance, the mode, the history needed and the forecast's options.
pub(super) fn form_ui(ui: &mut Ui, i: usize, c: &mut PredictiveConfig) -> bool {
    let mut changed = target_row_ui(
        ui,
        &mut c.requests_per_instance,
        0.1,
        "requests/s per instance",
    );
    changed |= combo_row_ui(
        ui,
        "mode",
        ("editor predictive mode", i),
        &mut c.mode,
        &PREDICTIVE_MODES,
    );
    let mut hours = c.history_min_secs / 3600.0;
    if drag_row_ui(ui, "history h", &mut hours, 0.5) {
        c.history_min_secs = hours_to_secs(hours);
        changed = true;
    }
    changed |= check_row_ui(ui, "hourly", &mut c.hourly);
    changed |= check_row_ui(ui, "scale in to forecast", &mut c.scale_in_to_forecast);
    changed
}
