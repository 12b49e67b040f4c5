//! The RON section: the scenario's source, applied as a file on disk is.

use egui::{Button, TextEdit, Ui};

use super::{EditorState, Section, all_errors_ui};
use crate::app::design::Design;

/// The source, with Apply and Revert; returns whether what runs changed.
pub(super) fn ron_ui(ui: &mut Ui, state: &mut EditorState, design: &mut Design) -> bool {
    let mut changed = false;
    let dirty = state.ron != state.ron_base;
    // Follow the design (form edits, a reload) unless the user is typing here.
    if state.ron_base != design.text() && !dirty && !state.ron_focused {
        state.ron = design.text().to_string();
        state.ron_base = design.text().to_string();
    }
    let r = ui.add(
        TextEdit::multiline(&mut state.ron)
            .code_editor()
            .desired_rows(16)
            .desired_width(f32::INFINITY),
    );
    let r = r.accessible_name("RON source");
    state.ron_focused = r.has_focus();
    let dirty = state.ron != state.ron_base;
    ui.horizontal(|ui| {
        if ui
            .button("Apply")
            .on_hover_text("Check this text and, if valid, run it")
            .clicked()
        {
            state.error_at = Some(Section::Ron);
            changed = design.set_text(state.ron.clone());
            state.ron_base = design.text().to_string();
        }
        if ui
            .add_enabled(dirty, Button::new("Revert"))
            .on_hover_text("Discard the edits made here")
            .clicked()
        {
            state.ron = design.text().to_string();
            state.ron_base = design.text().to_string();
        }
        if dirty {
            ui.weak("unapplied edits");
        }
    });
    all_errors_ui(ui, state, design, Section::Ron);
    changed
}
