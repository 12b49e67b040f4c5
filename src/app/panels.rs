//! The window's panels: toolbar, status bar, the side panel (designs and editor) and
//! the centre (summary, plots, topology, decisions). They draw and push commands; they
//! never open, save, remove or restart designs themselves (see [`AppCommand`]).

use egui::{RichText, Ui};

use super::fleet::Fleet;
use super::live::Speed;
use super::summary::{compare_table_ui, decisions_table_ui, headline};
use super::{AppCommand, ScalesimApp, View, editor, plots, theme, topology};

impl ScalesimApp {
    fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let play = if self.playing { "Pause" } else { "Run" };
            if ui
                .button(play)
                .on_hover_text("Start or pause simulated time (space)")
                .clicked()
            {
                self.push_command(AppCommand::TogglePlay);
            }
            if ui
                .button("Step")
                .on_hover_text("Advance one metrics interval and pause")
                .clicked()
            {
                self.push_command(AppCommand::Step);
            }
            if ui
                .button("Reset")
                .on_hover_text("Back to the start")
                .clicked()
            {
                self.push_command(AppCommand::Reset);
            }
            ui.separator();
            let speed_label = ui.label("Speed");
            egui::ComboBox::from_id_salt("speed")
                .selected_text(self.speed.label())
                .show_ui(ui, |ui| {
                    for s in Speed::PRESETS {
                        ui.selectable_value(&mut self.speed, s, s.label());
                    }
                })
                .response
                .labelled_by(speed_label.id);
            if let Speed::Times(x) = &mut self.speed {
                ui.add(
                    egui::DragValue::new(x)
                        .update_while_editing(false)
                        .range(0.1..=1_000_000.0)
                        .speed(10.0)
                        .suffix(" sim s / s"),
                )
                .labelled_by(speed_label.id);
            }
            ui.separator();
            let seed_label = ui.label("Seed");
            let seed = ui
                .add(egui::DragValue::new(&mut self.seed).update_while_editing(false))
                .labelled_by(seed_label.id);
            if seed.changed() {
                self.push_command(AppCommand::Restart);
            }
            ui.separator();
            ui.selectable_value(&mut self.view, View::Plots, "Plots");
            ui.selectable_value(&mut self.view, View::Topology, "Topology");
            ui.selectable_value(&mut self.view, View::Decisions, "Decisions");
            ui.separator();
            if ui.button("Export PNG").clicked() {
                self.push_command(AppCommand::ExportPng);
            }
            if ui.button("Export CSV").clicked() {
                self.push_command(AppCommand::ExportCsv);
            }
        });
    }

    fn summary_strip_ui(&self, ui: &mut Ui) {
        let sums = self.summaries_shown();
        if sums.is_empty() {
            ui.colored_label(
                theme::ERROR,
                "Nothing runs: fix the scenario's errors in the editor.",
            );
            return;
        }
        if sums.len() == 1 {
            let (i, s) = &sums[0];
            let shown = self.shown_secs();
            let row = self.designs[*i].run.as_ref().and_then(|r| {
                let rows = r.world().recorder().rows();
                let n = rows.partition_point(|row| row.end_secs <= shown + 1e-9);
                n.checked_sub(1).map(|k| &rows[k])
            });
            ui.horizontal_wrapped(|ui| {
                for (label, value) in headline(s, row) {
                    ui.vertical(|ui| {
                        ui.label(RichText::new(label).small().weak());
                        ui.label(RichText::new(value).strong().size(16.0));
                    });
                    ui.add_space(12.0);
                }
            });
        } else {
            compare_table_ui(ui, &self.designs, &sums);
        }
    }

    fn centre_ui(&mut self, ui: &mut Ui) {
        // Export PNG saves the view shown: the plots' scroll area, or all of the centre.
        self.export.plots_rect = Some(ui.available_rect_before_wrap());
        match self.view {
            View::Plots => {
                ui.horizontal_wrapped(|ui| {
                    for (i, t) in plots::titles().into_iter().enumerate() {
                        if let Some(on) = self.shown_plots.get_mut(i) {
                            ui.toggle_value(on, t);
                        }
                    }
                });
                let inputs: Vec<plots::PlotInput<'_>> = self
                    .designs
                    .iter()
                    .filter_map(|d| {
                        let run = d.run.as_ref()?;
                        let rec = run.world().recorder();
                        Some(plots::PlotInput {
                            name: d.name(),
                            colour: d.colour,
                            rows: rec.rows(),
                            decisions: rec.decisions(),
                            slo_secs: rec.slo().latency_secs,
                        })
                    })
                    .collect();
                let shown = self.shown_plots.iter().filter(|s| **s).count().max(1);
                // Fill the height when few plots are on; scroll when many.
                let per = ((ui.available_height() - 24.0 * shown as f32) / shown as f32)
                    .clamp(110.0, 320.0);
                let clock = self.clock();
                let cursor = (!self.timeline.is_following()).then(|| self.shown_secs());
                let out = egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        plots::plots_ui(
                            ui,
                            &inputs,
                            clock,
                            &self.shown_plots,
                            per,
                            cursor,
                            self.generation,
                        )
                    });
                self.export.plots_rect = Some(out.inner_rect);
                if let Some(t) = out.inner {
                    self.push_command(AppCommand::LookAt(t.clamp(0.0, self.now_secs())));
                }
            }
            View::Topology => {
                let shown = self.shown_secs();
                let following = self.timeline.is_following();
                let clock = self.clock();
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        for d in &self.designs {
                            let Some(run) = &d.run else { continue };
                            let live;
                            let fleet = if following {
                                live = Fleet::of(run.world(), run.now_secs(), None);
                                &live
                            } else if let Some(m) = run.moment_at(shown) {
                                &m.fleet
                            } else {
                                continue;
                            };
                            let rows = run.world().recorder().rows();
                            let n = rows.partition_point(|r| r.end_secs <= fleet.at_secs + 1e-9);
                            let row = n.checked_sub(1).map(|k| &rows[k]);
                            ui.label(
                                RichText::new(format!(
                                    "{} at {}",
                                    d.name(),
                                    clock.label(crate::sim::SimTime::from_secs_f64(fleet.at_secs))
                                ))
                                .strong()
                                .color(d.colour),
                            );
                            topology::topology_ui(ui, fleet, row, d.colour);
                            ui.add_space(8.0);
                        }
                    });
            }
            View::Decisions => {
                let shown = self.shown_secs();
                if let Some(t) =
                    decisions_table_ui(ui, &self.designs, &self.summaries_shown(), shown)
                {
                    self.push_command(AppCommand::LookAt(t));
                }
            }
        }
    }

    pub(super) fn frame_ui(&mut self, ui: &mut Ui) {
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(2.0);
            self.toolbar_ui(ui);
            self.timeline_ui(ui);
            ui.add_space(2.0);
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            let text = match &self.status {
                Some((m, true)) => RichText::new(m).color(theme::ERROR),
                Some((m, false)) => RichText::new(m),
                None => RichText::new(
                    "space: run/pause · drag a plot to pan, ctrl+scroll to zoom, double-click to reset",
                )
                .weak(),
            };
            ui.label(text);
        });
        egui::Panel::left("editor")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.side_panel_ui(ui));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            self.summary_strip_ui(ui);
            ui.separator();
            self.centre_ui(ui);
        });
    }

    fn side_panel_ui(&mut self, ui: &mut Ui) {
        ui.heading("Designs");
        let mut remove = None;
        for (i, d) in self.designs.iter().enumerate() {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, d.colour);
                let mut label = d.name().to_string();
                if d.is_dirty() {
                    label.push_str(" (modified)");
                }
                if !d.errors.is_empty() {
                    label.push_str(" (invalid)");
                }
                ui.selectable_value(&mut self.selected, i, label);
                if self.designs.len() > 1 && ui.small_button("x").on_hover_text("Remove").clicked()
                {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            self.push_command(AppCommand::Remove(i));
        }
        let mut asked = Vec::new();
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Compare: duplicate")
                .on_hover_text(
                    "Add a copy of this design to change and compare on the same traffic",
                )
                .clicked()
            {
                asked.push(AppCommand::Duplicate(self.selected));
            }
            ui.menu_button("Compare: add from library", |ui| {
                for (p, about) in &self.library {
                    if library_entry_ui(ui, p, about).clicked() {
                        asked.push(AppCommand::Add(p.clone()));
                        ui.close();
                    }
                }
            });
        });
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("Open from library", |ui| {
                for (p, about) in &self.library {
                    if library_entry_ui(ui, p, about).clicked() {
                        asked.push(AppCommand::Open(p.clone()));
                        ui.close();
                    }
                }
            });
            if ui.button("Open file…").clicked() {
                asked.push(AppCommand::OpenDialog);
            }
            let d = &self.designs[self.selected];
            if ui
                .add_enabled(d.path().is_some(), egui::Button::new("Save"))
                .on_hover_text("Write the scenario back to its file (atomically)")
                .clicked()
            {
                asked.push(AppCommand::Save(self.selected));
            }
            if ui.button("Save as…").clicked() {
                asked.push(AppCommand::SaveAsDialog(self.selected));
            }
        });
        for c in asked {
            self.push_command(c);
        }
        ui.separator();
        let d = &mut self.designs[self.selected];
        if editor::editor_ui(ui, &mut self.editor, d, &self.catalog) {
            // A valid change restarts this design, and the others with it (same clock).
            self.push_command(AppCommand::Restart);
        }
    }
}

/// One library entry: the file's path, with what it is about on hover.
fn library_entry_ui(ui: &mut egui::Ui, path: &std::path::Path, about: &str) -> egui::Response {
    let r = ui.button(path.display().to_string());
    if about.is_empty() {
        r
    } else {
        r.on_hover_text(about)
    }
}
