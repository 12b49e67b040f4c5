//! The form of vertical scaling.

use egui::Ui;

use crate::app::editor::EditorState;
use crate::app::editor::rows::{check_row_ui, drag_row_ui, parsed_row_ui, target_row_ui};
use crate::model::autoscale::vertical::VerticalConfig;

/// The ladder of types, the CPU thresholds, the restart time and the cooldown.
pub(super) fn form_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    i: usize,
    c: &mut VerticalConfig,
) -> bool {
    let mut changed = false;
    let text = c.types.join(", ");
    // Typed as a comma-separated list; the checker says which name it does not know.
    if let Some(types) = parsed_row_ui(ui, state, &format!("pool{i}.types"), "types", &text, |s| {
        Ok::<_, std::convert::Infallible>(
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }) {
        c.types = types;
        changed = true;
    }
    changed |= target_row_ui(
        ui,
        &mut c.scale_up_above,
        0.01,
        "CPU above which to move up a size",
    );
    changed |= drag_row_ui(ui, "scale down below", &mut c.scale_down_below, 0.01);
    changed |= drag_row_ui(ui, "restart s", &mut c.restart_secs, 1.0);
    changed |= check_row_ui(ui, "all at once", &mut c.all_at_once);
    changed |= drag_row_ui(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}
