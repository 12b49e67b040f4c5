//! The scenario section: name, start, duration, metrics interval and SLO.

use egui::{Grid, Ui};

use super::EditorState;
use super::convert::hours_to_secs;
use super::rows::{drag_row_ui, parsed_row_ui};
use crate::scenario::{ScenarioFile, StartClock};

/// Name, start, duration, metrics interval and SLO.
pub(super) fn scenario_ui(ui: &mut Ui, state: &mut EditorState, file: &mut ScenarioFile) -> bool {
    let mut changed = false;
    Grid::new("editor scenario").num_columns(2).show(ui, |ui| {
        let name = file.name.clone();
        if let Some(n) = parsed_row_ui(ui, state, "name", "name", &name, |s| {
            if s.trim().is_empty() {
                Err("a scenario needs a name")
            } else {
                Ok(s.to_string())
            }
        }) {
            file.name = n;
            changed = true;
        }

        let start = String::from(file.start.clone());
        if let Some(c) = parsed_row_ui(ui, state, "start", "start", &start, |s| {
            StartClock::try_from(s.to_string())
        }) {
            file.start = c;
            changed = true;
        }

        // Hours read better than 64800 s; the file keeps seconds.
        let mut hours = file.duration_secs / 3600.0;
        if drag_row_ui(ui, "duration h", &mut hours, 0.25) {
            file.duration_secs = hours_to_secs(hours);
            changed = true;
        }
        changed |= drag_row_ui(ui, "interval s", &mut file.interval_secs, 1.0);
        changed |= drag_row_ui(ui, "SLO latency s", &mut file.slo.latency_secs, 0.01);
        changed |= drag_row_ui(ui, "SLO percentile", &mut file.slo.percentile, 0.1);
    });
    changed
}
