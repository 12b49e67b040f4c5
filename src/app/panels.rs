//! The window's panels: toolbar, status bar, the side panel (designs and editor) and
//! the centre (summary, plots, topology, decisions). They draw and push commands; they
//! never open, save, remove or restart designs themselves (see [`AppCommand`]).

use egui::{RichText, Ui};

use super::fleet::Fleet;
use super::live::Speed;
use super::summary::{compare_table_ui, decisions_table_ui, headline, row_at};
use super::{AppCommand, ScalesimApp, View, editor, export, plots, theme, topology};

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
                    crate::app::number(x)
                        .range(0.1..=1_000_000.0)
                        .speed(10.0)
                        .suffix(" sim s / s"),
                )
                .labelled_by(speed_label.id);
            }
            ui.separator();
            let seed_label = ui.label("Seed");
            let seed = ui
                .add(crate::app::number(&mut self.seed))
                .labelled_by(seed_label.id);
            if seed.changed() {
                self.push_command(AppCommand::Restart);
            }
            ui.separator();
            ui.selectable_value(&mut self.view, View::Plots, "Plots");
            ui.selectable_value(&mut self.view, View::Topology, "Topology");
            ui.selectable_value(&mut self.view, View::Decisions, "Decisions");
            ui.separator();
            theme_ui(ui);
            ui.separator();
            if ui.button("Export PNG").clicked() {
                self.push_command(AppCommand::ExportPng);
            }
            if ui.button("Export CSV").clicked() {
                self.push_command(AppCommand::ExportCsv);
            }
        });
    }

    /// What the edited scenario shows and what to try, above the figures, in readable
    /// text (the shipped scenarios open with such a comment).
    /// Above the plots, when a design has several services: which one the plots show
    /// (the whole request, or one service's pools).
    fn focus_ui(&mut self, ui: &mut Ui) {
        let mut names: Vec<String> = Vec::new();
        for d in &self.designs {
            if let Some(run) = &d.run {
                for g in run.world().recorder().service_groups() {
                    if !names.contains(&g.name) {
                        names.push(g.name);
                    }
                }
            }
        }
        if names.len() < 2 {
            self.focus = None;
            return;
        }
        const WHOLE: &str = "whole request";
        ui.horizontal(|ui| {
            let label = ui.label("Plots show");
            let shown = self.focus.clone().unwrap_or_else(|| WHOLE.to_owned());
            egui::ComboBox::from_id_salt("focus")
                .selected_text(&shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.focus, None, WHOLE);
                    for n in &names {
                        ui.selectable_value(&mut self.focus, Some(n.clone()), n);
                    }
                })
                .response
                .labelled_by(label.id);
            if self.focus.is_some() {
                ui.label(
                    RichText::new(
                        "its visits, latency from its balancer, instances, queue and cost",
                    )
                    .weak(),
                );
                if ui.button("Show the whole request").clicked() {
                    self.focus = None;
                }
            }
        });
    }

    fn story_ui(&self, ui: &mut Ui) {
        let Some(d) = self.designs.get(self.selected) else {
            return;
        };
        let story = d.story();
        if story.is_empty() {
            return;
        }
        egui::CollapsingHeader::new(RichText::new(format!("About {}", d.name())).strong())
            .id_salt("story")
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("story text")
                    .max_height(96.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        for (k, para) in story.iter().enumerate() {
                            let text = RichText::new(para);
                            let text = if k == 0 {
                                text.size(15.0).strong()
                            } else if para.starts_with("Try:") {
                                text.color(theme::series::CURSOR)
                            } else {
                                text
                            };
                            ui.label(text);
                        }
                    });
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
            let row = self.designs[*i]
                .run
                .as_ref()
                .and_then(|r| row_at(r.world().recorder().rows(), shown));
            // Laid out in rows by their measured widths: a figure that would not fit
            // starts the next row rather than being squeezed into a column of letters.
            let small = egui::TextStyle::Small.resolve(ui.style());
            let big = egui::FontId::proportional(16.0);
            let colour = ui.visuals().text_color();
            let items: Vec<(&str, String, f32)> = headline(s, row)
                .into_iter()
                .map(|(label, value)| {
                    let width = |text: String, font: egui::FontId| {
                        ui.painter().layout_no_wrap(text, font, colour).size().x
                    };
                    let w = width(label.to_owned(), small.clone())
                        .max(width(value.clone(), big.clone()));
                    (label, value, w)
                })
                .collect();
            let gap = 16.0;
            let full = ui.available_width();
            let mut rows: Vec<Vec<&(&str, String, f32)>> = vec![Vec::new()];
            let mut x = 0.0;
            for item in &items {
                if x > 0.0 && x + item.2 > full {
                    rows.push(Vec::new());
                    x = 0.0;
                }
                x += item.2 + gap;
                if let Some(r) = rows.last_mut() {
                    r.push(item);
                }
            }
            for r in rows {
                ui.horizontal(|ui| {
                    for (label, value, _) in r {
                        ui.vertical(|ui| {
                            ui.label(RichText::new(*label).small().weak());
                            ui.label(RichText::new(value).strong().size(16.0));
                        });
                        ui.add_space(gap - ui.spacing().item_spacing.x);
                    }
                });
            }
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
                self.focus_ui(ui);
                // With a service picked, each design that has it shows its rows as that
                // service saw them (recomputed only when more rows have closed).
                let focus = self.focus.clone();
                let mut focused: Vec<Option<Vec<String>>> = Vec::new();
                if self.focus_rows.len() != self.designs.len() {
                    self.focus_rows = vec![(usize::MAX, Vec::new()); self.designs.len()];
                }
                for (k, d) in self.designs.iter().enumerate() {
                    let pools = d.run.as_ref().and_then(|run| {
                        let rec = run.world().recorder();
                        let g = rec
                            .service_groups()
                            .into_iter()
                            .find(|g| Some(&g.name) == focus.as_ref())?;
                        let rows = rec.rows();
                        if self.focus_rows[k].0 != rows.len() {
                            self.focus_rows[k] = (rows.len(), plots::focus_rows(rows, &g.pools));
                        }
                        Some(
                            g.pools
                                .iter()
                                .filter_map(|p| rec.pool_names().get(*p).cloned())
                                .collect(),
                        )
                    });
                    if pools.is_none() {
                        self.focus_rows[k].0 = usize::MAX;
                    }
                    focused.push(pools);
                }
                let focused_decisions: Vec<Vec<crate::metrics::Decision>> = self
                    .designs
                    .iter()
                    .zip(&focused)
                    .map(|(d, names)| match (d.run.as_ref(), names) {
                        (Some(run), Some(names)) => run
                            .world()
                            .recorder()
                            .decisions()
                            .iter()
                            .filter(|x| names.contains(&x.pool))
                            .cloned()
                            .collect(),
                        _ => Vec::new(),
                    })
                    .collect();
                let inputs: Vec<plots::PlotInput<'_>> = self
                    .designs
                    .iter()
                    .enumerate()
                    .filter_map(|(k, d)| {
                        let run = d.run.as_ref()?;
                        let rec = run.world().recorder();
                        let (rows, decisions) = if focused[k].is_some() {
                            (
                                self.focus_rows[k].1.as_slice(),
                                focused_decisions[k].as_slice(),
                            )
                        } else {
                            (rec.rows(), rec.decisions())
                        };
                        Some(plots::PlotInput {
                            name: d.name(),
                            colour: d.colour,
                            rows,
                            decisions,
                            slo_secs: rec.slo().latency_secs,
                        })
                    })
                    .collect();
                let shown = self.shown_plots.iter().filter(|s| **s).count().max(1);
                // The frame an Export PNG captures lays every shown plot out to fit,
                // under a line naming the scenario and the moment: the whole set, not
                // the part scrolled into view.
                let fit_all = std::mem::take(&mut self.export.fit_all);
                let at = self
                    .clock()
                    .label(crate::sim::SimTime::from_secs_f64(self.shown_secs()));
                let names: Vec<&str> = inputs.iter().map(|d| d.name).collect();
                let top = ui.available_rect_before_wrap();
                if fit_all {
                    ui.label(RichText::new(format!("{} at {at}", names.join(" vs "))).strong());
                    self.export.png_name = Some(export::png_file_name(&names, &at));
                }
                // Fill the height when few plots are on; scroll when many.
                let per = ((ui.available_height() - 24.0 * shown as f32) / shown as f32)
                    .clamp(if fit_all { 40.0 } else { 110.0 }, 320.0);
                let setup = plots::PlotsSetup {
                    clock: self.clock(),
                    shown: &self.shown_plots,
                    height: per,
                    cursor: (!self.timeline.is_following()).then(|| self.shown_secs()),
                    generation: self.generation,
                };
                let prefs = &mut self.plot_prefs;
                let out = if fit_all {
                    let out = plots::plots_ui(ui, &inputs, &setup, prefs);
                    self.export.plots_rect = Some(top.with_max_y(ui.min_rect().bottom()));
                    out
                } else {
                    let scrolled = egui::ScrollArea::vertical()
                        .auto_shrink([false, false])
                        .show(ui, |ui| plots::plots_ui(ui, &inputs, &setup, prefs));
                    self.export.plots_rect = Some(scrolled.inner_rect);
                    scrolled.inner
                };
                self.plot_view_secs = out.view_secs;
                if let Some(t) = out.clicked_secs {
                    self.push_command(AppCommand::LookAt(t.clamp(0.0, self.now_secs())));
                }
            }
            View::Topology => {
                let shown = self.shown_secs();
                let following = self.timeline.is_following();
                let clock = self.clock();
                let mut clicked = None;
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
                            let row = row_at(run.world().recorder().rows(), fleet.at_secs);
                            ui.label(
                                RichText::new(format!(
                                    "{} at {}",
                                    d.name(),
                                    clock.label(crate::sim::SimTime::from_secs_f64(fleet.at_secs))
                                ))
                                .strong()
                                .color(d.colour),
                            );
                            if let Some(s) = topology::topology_ui(ui, fleet, row, d.colour) {
                                clicked = Some(s);
                            }
                            ui.add_space(8.0);
                        }
                    });
                // A click on a service shows its figures in the plots.
                if let Some(s) = clicked {
                    self.focus = Some(s);
                    self.view = View::Plots;
                }
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
                    "space: run/pause · scroll a plot to zoom time, drag to pan, right-drag to zoom a box, double-click to reset · click a legend entry to hide it",
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
            self.story_ui(ui);
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
                if let Some(p) = library_ui(ui, &self.library) {
                    asked.push(AppCommand::Add(p));
                }
            });
        });
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("Open from library", |ui| {
                if let Some(p) = library_ui(ui, &self.library) {
                    asked.push(AppCommand::Open(p));
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
        });
        // Save as: a path typed here works on any desktop; "…" asks the desktop's dialog.
        ui.horizontal(|ui| {
            let d = &self.designs[self.selected];
            if self.save_as_for != Some(self.selected) {
                self.save_as_for = Some(self.selected);
                self.save_as_path = d.path().map_or_else(
                    || format!("scenarios/{}.ron", d.name()),
                    |p| p.display().to_string(),
                );
            }
            let l = ui.label("Save as");
            let r = ui
                .add(egui::TextEdit::singleline(&mut self.save_as_path).desired_width(150.0))
                .labelled_by(l.id)
                .on_hover_text("The file to write the scenario to (atomically)");
            let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Write").clicked() || entered {
                asked.push(AppCommand::SaveAs(
                    self.selected,
                    std::path::PathBuf::from(self.save_as_path.trim()),
                ));
            }
            if ui
                .small_button("…")
                .on_hover_text("Choose the file with the desktop's dialog")
                .clicked()
            {
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

/// Folders of the library kept apart from the teaching scenarios: performance
/// benchmarks and validation against queueing theory.
const APART: [&str; 2] = ["bench", "validation"];

/// The scenario library as a menu: teaching scenarios by folder, then benchmarks and
/// validation files apart; each entry is its file name with the first sentence of what
/// it is about, and all of it on hover. Returns the file chosen.
fn library_ui(
    ui: &mut egui::Ui,
    library: &[(std::path::PathBuf, String)],
) -> Option<std::path::PathBuf> {
    let folder = |p: &std::path::Path| {
        p.parent()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut chosen = None;
    for apart in [false, true] {
        if apart {
            ui.separator();
            ui.label(RichText::new("Benchmarks and validation").strong());
        }
        let mut last_folder = None;
        for (p, about) in library {
            let f = folder(p);
            if APART.contains(&f.as_str()) != apart {
                continue;
            }
            if last_folder.as_deref() != Some(f.as_str()) {
                ui.label(RichText::new(&f).weak().small());
                last_folder = Some(f.clone());
            }
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let r = ui
                .horizontal(|ui| {
                    let r = ui.button(name);
                    ui.weak(first_sentence(about));
                    r
                })
                .inner;
            let r = if about.is_empty() {
                r
            } else {
                r.on_hover_text(about)
            };
            if r.clicked() {
                chosen = Some(p.clone());
                ui.close();
            }
        }
    }
    chosen
}

/// The first sentence of `about`, at most 80 characters: what a library entry says
/// beside its name.
fn first_sentence(about: &str) -> String {
    let end = about
        .find(". ")
        .or_else(|| about.find(": "))
        .unwrap_or(about.len());
    let s = &about[..end];
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(79).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

/// The theme picker: follow the system (where the desktop says), dark or light. egui
/// keeps the choice in its memory, which eframe saves with the window.
fn theme_ui(ui: &mut Ui) {
    let mut pref = ui.options(|o| o.theme_preference);
    let name = |p: egui::ThemePreference| match p {
        egui::ThemePreference::System => "System",
        egui::ThemePreference::Dark => "Dark",
        egui::ThemePreference::Light => "Light",
    };
    let label = ui.label("Theme");
    egui::ComboBox::from_id_salt("theme")
        .selected_text(name(pref))
        .show_ui(ui, |ui| {
            for p in [
                egui::ThemePreference::System,
                egui::ThemePreference::Dark,
                egui::ThemePreference::Light,
            ] {
                ui.selectable_value(&mut pref, p, name(p));
            }
        })
        .response
        .labelled_by(label.id);
    if pref != ui.options(|o| o.theme_preference) {
        ui.ctx().set_theme(pref);
    }
}
