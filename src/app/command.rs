//! What the user asks for while a frame is drawn, applied at the start of the next one.
//!
//! Panels push an [`AppCommand`] instead of opening, saving, removing or restarting
//! designs in the middle of drawing them (as the rerun viewer's command queue does):
//! what a frame shows is what the state was when it began, and every change to the set
//! of designs happens in one place, [`ScalesimApp::apply_commands`], called by `logic`.

use std::path::PathBuf;

use super::design::{Design, PALETTE};
use super::{ScalesimApp, export, theme};

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// Show the moment at this many seconds after the start in every view.
    LookAt(f64),
    /// Every view back to the runs' present.
    Follow,
    /// Run at max to this many seconds after the start and pause there (as `--at`); a
    /// time already simulated is shown at once.
    RunTo(f64),
    /// Start or pause simulated time (at the end: start again from zero).
    TogglePlay,
    /// Advance one metrics interval and pause.
    Step,
    /// Pause and go back to the start.
    Reset,
    /// Restart every design (a new seed, a valid edit) and run at max back to the
    /// moment shown, playing or not as before.
    Restart,
    /// Open a scenario file in place of the selected design.
    Open(PathBuf),
    /// Ask the desktop for a scenario file, and open it in place of the selected design.
    OpenDialog,
    /// Add a scenario file as another design to compare.
    Add(PathBuf),
    /// Add a copy of design `i` to change and compare.
    Duplicate(usize),
    /// Remove design `i` (the last one stays).
    Remove(usize),
    /// Write design `i` back to its file.
    Save(usize),
    /// Ask the desktop for a file, and write design `i` there.
    SaveAsDialog(usize),
    /// Write design `i` to this path (typed in the side panel: no desktop dialog needed);
    /// it is that design's file from then on.
    SaveAs(usize, PathBuf),
    /// Write every design's series as CSV.
    ExportCsv,
    /// Save the plots as PNG, from a screenshot of the next frame.
    ExportPng,
}

impl ScalesimApp {
    /// Asks for `command`; it is applied at the start of the next frame.
    pub fn push_command(&mut self, command: AppCommand) {
        self.commands.push(command);
    }

    /// Whether commands wait to be applied.
    pub(super) fn has_commands(&self) -> bool {
        !self.commands.is_empty()
    }

    /// Applies the commands pushed since the last call, in order.
    pub fn apply_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            self.apply(command, ctx);
        }
    }

    fn apply(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::TogglePlay => {
                if !self.playing && self.finished() {
                    self.reset();
                }
                self.playing = !self.playing;
            }
            AppCommand::Step => self.step_interval(),
            AppCommand::Reset => {
                self.playing = false;
                self.reset();
            }
            AppCommand::Restart => self.restart_in_place(),
            AppCommand::LookAt(secs) => self.look_at(secs),
            AppCommand::Follow => self.follow(),
            AppCommand::RunTo(secs) => {
                // As `--at`: get there at max and pause; a time already passed is shown.
                self.playing = false;
                if secs > self.now_secs() {
                    self.run_to_later(secs);
                    self.follow();
                } else {
                    self.look_at(secs);
                }
            }
            AppCommand::Open(path) => self.open(&path),
            AppCommand::OpenDialog => match rfd::FileDialog::new()
                .add_filter("scenario", &["ron"])
                .set_directory("scenarios")
                .pick_file()
            {
                Some(p) => self.open(&p),
                None => {
                    self.status = Some((
                        "no file chosen (or no file dialog on this desktop): use Open from library"
                            .into(),
                        false,
                    ));
                }
            },
            AppCommand::Add(path) => match Design::open(&path, PALETTE[0]) {
                Ok(d) => self.add_design(d),
                Err(e) => self.status = Some((e.to_string(), true)),
            },
            AppCommand::Duplicate(i) => {
                if let Some(copy) = self.designs.get(i).and_then(Design::duplicate) {
                    self.add_design(copy);
                }
            }
            AppCommand::Remove(i) => self.remove_design(i),
            AppCommand::Save(i) => {
                let Some(d) = self.designs.get_mut(i) else {
                    return;
                };
                if let Some(p) = d.path().map(PathBuf::from) {
                    self.status = Some(match d.save_to(&p) {
                        Ok(()) => (format!("saved {}", p.display()), false),
                        Err(e) => (e.to_string(), true),
                    });
                }
            }
            AppCommand::SaveAsDialog(i) => {
                let Some(d) = self.designs.get_mut(i) else {
                    return;
                };
                let name = format!("{}.ron", d.file.name);
                self.status = Some(
                    match rfd::FileDialog::new()
                        .add_filter("scenario", &["ron"])
                        .set_file_name(name)
                        .save_file()
                    {
                        Some(p) => match d.save_to(&p) {
                            Ok(()) => (format!("saved {}", p.display()), false),
                            Err(e) => (e.to_string(), true),
                        },
                        None => (
                            "not saved: no file chosen (or no file dialog on this desktop)".into(),
                            false,
                        ),
                    },
                );
            }
            AppCommand::SaveAs(i, path) => {
                let Some(d) = self.designs.get_mut(i) else {
                    return;
                };
                self.status = Some(if path.as_os_str().is_empty() {
                    ("not saved: type a path to save to".into(), true)
                } else {
                    match d.save_to(&path) {
                        Ok(()) => (format!("saved {}", path.display()), false),
                        Err(e) => (e.to_string(), true),
                    }
                });
            }
            AppCommand::ExportCsv => {
                self.status = Some(export::export_csv(&self.designs, &self.export.dir));
            }
            AppCommand::ExportPng => self.export.request_png(ctx),
        }
    }

    /// Removes design `i` unless it is the last, and gives the others their colours in
    /// order again.
    fn remove_design(&mut self, i: usize) {
        if i >= self.designs.len() || self.designs.len() < 2 {
            return;
        }
        self.designs.remove(i);
        self.selected = self.selected.min(self.designs.len() - 1);
        for (k, d) in self.designs.iter_mut().enumerate() {
            d.colour = theme::design_colour(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::kittest::Queryable;

    use super::*;

    fn two_designs() -> ScalesimApp {
        let mut app = ScalesimApp::new(None);
        app.push_command(AppCommand::Duplicate(0));
        app.apply_commands(&egui::Context::default());
        assert_eq!(app.designs.len(), 2);
        app
    }

    #[test]
    fn a_remove_pushed_while_drawing_is_applied_by_logic() {
        let mut app = two_designs();
        assert_eq!(app.designs[1].name(), "monday-spike (copy)");
        app.push_command(AppCommand::Remove(0));
        // Pushing alone changes nothing: the frame being drawn keeps its designs.
        assert_eq!(app.designs.len(), 2);
        assert!(app.has_commands());
        app.apply_commands(&egui::Context::default());
        assert!(!app.has_commands());
        let names: Vec<&str> = app.designs.iter().map(Design::name).collect();
        assert_eq!(names, ["monday-spike (copy)"]);
        // The one left takes the first colour, and stays selected.
        assert_eq!(app.designs[0].colour, PALETTE[0]);
        assert_eq!(app.selected, 0);
        // The last design cannot be removed.
        app.push_command(AppCommand::Remove(0));
        app.apply_commands(&egui::Context::default());
        assert_eq!(app.designs.len(), 1);
    }

    #[test]
    fn drawing_pushes_a_remove_and_only_the_next_frame_applies_it() {
        let app = two_designs();
        let mut h = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1500.0, 950.0))
            .build_ui_state(|ui, app: &mut ScalesimApp| app.frame_ui(ui), app);
        h.run();
        h.get_all_by_label("x").next().unwrap().click();
        h.run();
        // Drawn and clicked: the command waits, both designs are still there.
        assert_eq!(h.state().designs.len(), 2);
        assert_eq!(h.state().commands, [AppCommand::Remove(0)]);
        let ctx = h.ctx.clone();
        h.state_mut().apply_commands(&ctx);
        assert_eq!(h.state().designs.len(), 1);
    }

    #[test]
    fn reset_pauses_and_restart_keeps_playing() {
        let mut app = ScalesimApp::new(None);
        let ctx = egui::Context::default();
        app.run_to(600.0);
        app.playing = true;
        app.push_command(AppCommand::Restart);
        app.apply_commands(&ctx);
        assert!(app.playing);
        assert_eq!(app.target_secs, 0.0);
        app.push_command(AppCommand::Reset);
        app.apply_commands(&ctx);
        assert!(!app.playing);
    }
}
