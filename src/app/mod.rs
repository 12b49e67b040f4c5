//! The desktop app: load a scenario, press Run and watch cost, latency and scaling
//! decisions unfold; edit the design and see the difference at once; put several designs
//! side by side on the very same traffic (same seed, so the same requests).
//!
//! The simulation advances in [`eframe::App::logic`], a slice at a time within a
//! wall-time budget per frame, so the window stays responsive whatever the scenario's
//! rate. Everything drawn comes from the runs' recorders.

pub mod design;
pub mod editor;
pub mod export;
pub mod live;
pub mod plots;
pub mod topology;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Color32, RichText, Ui};

use self::design::{Design, PALETTE};
use self::live::Speed;
use crate::metrics::RunSummary;
use crate::model::catalog::Catalog;
use crate::model::clock::WeekClock;

/// Wall time the simulation may take per frame: at 60 Hz a frame has 16.7 ms, and the
/// plots need a few of them.
pub const FRAME_BUDGET: Duration = Duration::from_millis(12);

/// The Monday-spike scenario, built in, for when the app starts without a file.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/monday-spike.ron");

/// Which view fills the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The linked time series.
    Plots,
    /// Balancer, pools and instances as boxes.
    Topology,
    /// The decision log.
    Decisions,
}

/// The app's state.
pub struct ScalesimApp {
    /// The designs being explored; the first is the one the editor shows by default.
    pub designs: Vec<Design>,
    /// The design the editor edits.
    pub selected: usize,
    /// Whether simulated time is moving.
    pub playing: bool,
    /// How fast.
    pub speed: Speed,
    /// The seed every design runs with (the same traffic for all).
    pub seed: u64,
    /// The simulated time every run is being brought to, seconds after the start.
    pub target_secs: f64,
    /// Which view fills the centre.
    pub view: View,
    /// Which plots are drawn (indexed like [`plots::titles`]).
    pub shown_plots: Vec<bool>,
    /// The instance types the editor offers.
    pub catalog: Catalog,
    /// The editor's memory between frames.
    pub editor: editor::EditorState,
    /// A message for the status bar (saved, exported, could not open...).
    pub status: Option<(String, bool)>,
    /// Scenario files found under `scenarios/` (the library).
    pub library: Vec<PathBuf>,
    /// Exports waiting for the screenshot of the next frame.
    pub export: export::ExportState,
    /// Whether the toolbar shows the engine's speed and the frame rate (wall-clock
    /// figures; snapshot tests turn them off because they differ from run to run).
    pub show_wall_clock: bool,
    last_reload_check: Instant,
    last_frame: Option<Instant>,
    frame_secs: f64,
    /// Where a frame's wall time goes, printed to stderr every 5 s (`gui --frame-stats`).
    pub frame_stats: Option<FrameStats>,
}

/// Wall time per frame, split into the simulation (`logic`) and building the UI (`ui`);
/// the rest of a frame is rendering and waiting for the display.
#[derive(Debug)]
pub struct FrameStats {
    since: Instant,
    frames: u32,
    logic: Duration,
    ui: Duration,
}

impl Default for FrameStats {
    fn default() -> Self {
        FrameStats {
            since: Instant::now(),
            frames: 0,
            logic: Duration::ZERO,
            ui: Duration::ZERO,
        }
    }
}

impl FrameStats {
    /// Prints and restarts the figures once 5 s have passed.
    fn report(&mut self) {
        let wall = self.since.elapsed();
        if wall < Duration::from_secs(5) || self.frames == 0 {
            return;
        }
        let per = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(self.frames);
        eprintln!(
            "frames: {:.1} fps; per frame {:.1} ms: simulation {:.1} ms, ui {:.1} ms, rendering and waiting {:.1} ms",
            f64::from(self.frames) / wall.as_secs_f64(),
            wall.as_secs_f64() * 1e3 / f64::from(self.frames),
            per(self.logic),
            per(self.ui),
            (wall.as_secs_f64() * 1e3 / f64::from(self.frames) - per(self.logic) - per(self.ui))
                .max(0.0),
        );
        *self = FrameStats::default();
    }
}

impl ScalesimApp {
    /// The app with `file` open, or the built-in Monday spike. A file that cannot be read
    /// or parsed opens the built-in scenario with the error in the status bar.
    pub fn new(file: Option<&Path>) -> ScalesimApp {
        let catalog = Catalog::builtin().unwrap_or_else(|_| {
            // The catalog is embedded and tested; an empty one still lets the app run.
            Catalog::default()
        });
        let mut status = None;
        let design = match file {
            Some(p) => match Design::open(p, PALETTE[0]) {
                Ok(d) => Some(d),
                Err(e) => {
                    status = Some((e, true));
                    None
                }
            },
            None => None,
        };
        let design = match design {
            Some(d) => d,
            None => match Design::from_text(DEFAULT_SCENARIO, None, PALETTE[0]) {
                Ok(d) => d,
                Err(e) => {
                    status = Some((format!("the built-in scenario does not parse: {e}"), true));
                    Design::empty(PALETTE[0])
                }
            },
        };
        let seed = design.file.seed;
        let mut app = ScalesimApp {
            designs: vec![design],
            selected: 0,
            // Opening a scenario is asking to see it run.
            playing: true,
            speed: Speed::Times(600.0),
            seed,
            target_secs: 0.0,
            view: View::Plots,
            shown_plots: vec![true; plots::titles().len()],
            catalog,
            editor: editor::EditorState::default(),
            status,
            // The library: scenarios/ under the working directory, else the opened
            // file's folder.
            library: {
                let mut lib = find_library(Path::new("scenarios"));
                if lib.is_empty()
                    && let Some(dir) = file.and_then(Path::parent)
                {
                    lib = find_library(dir);
                }
                lib
            },
            export: export::ExportState::default(),
            show_wall_clock: true,
            frame_stats: None,
            last_reload_check: Instant::now(),
            last_frame: None,
            frame_secs: 0.0,
        };
        app.reset();
        app
    }

    /// Restarts every design from time zero with the current seed.
    pub fn reset(&mut self) {
        self.target_secs = 0.0;
        for d in &mut self.designs {
            d.restart(self.seed);
        }
    }

    /// Adds a design (for comparison) and starts it at time zero.
    pub fn add_design(&mut self, mut d: Design) {
        d.colour = PALETTE[self.designs.len() % PALETTE.len()];
        d.restart(self.seed);
        self.designs.push(d);
        self.selected = self.designs.len() - 1;
        // Compared designs start together, so their plots line up.
        self.reset();
    }

    /// Opens `path` in place of the selected design.
    pub fn open(&mut self, path: &Path) {
        match Design::open(path, self.designs[self.selected].colour) {
            Ok(d) => {
                self.seed = d.file.seed;
                self.designs[self.selected] = d;
                self.editor = editor::EditorState::default();
                self.reset();
                self.status = Some((format!("opened {}", path.display()), false));
            }
            Err(e) => self.status = Some((e, true)),
        }
    }

    /// The longest run's end, seconds.
    fn end_secs(&self) -> f64 {
        self.designs
            .iter()
            .filter_map(|d| d.run.as_ref().map(|r| r.end_secs()))
            .fold(0.0, f64::max)
    }

    /// Whether every run has reached its end.
    pub fn finished(&self) -> bool {
        self.designs
            .iter()
            .all(|d| d.run.as_ref().is_none_or(|r| r.finished()))
    }

    /// Moves simulated time on by `wall_dt` seconds of wall time at the current speed,
    /// then advances every run towards it within `budget`.
    pub fn advance(&mut self, wall_dt: f64, budget: Duration) {
        if self.playing {
            let end = self.end_secs();
            self.target_secs = match self.speed {
                Speed::Max => end,
                // A long pause between frames (window hidden) does not jump ahead.
                Speed::Times(x) => (self.target_secs + x * wall_dt.min(0.25)).min(end),
            };
        }
        self.catch_up(budget);
        if self.finished() {
            self.playing = false;
        }
    }

    /// Brings every run towards `target_secs`, sharing `budget` between them. If they
    /// cannot keep up, the target waits for the slowest, so the designs stay in step.
    fn catch_up(&mut self, budget: Duration) {
        let deadline = Instant::now() + budget;
        let n = self.designs.len().max(1) as u32;
        let mut slowest = f64::INFINITY;
        for (i, d) in self.designs.iter_mut().enumerate() {
            let Some(run) = d.run.as_mut() else { continue };
            // Each design gets its share of what is left of the budget.
            let left = deadline.saturating_duration_since(Instant::now());
            let share = left / (n - i as u32).max(1);
            run.advance_to(self.target_secs, Instant::now() + share);
            // A design that has ended (a shorter scenario) does not hold the others back.
            if !run.finished() {
                slowest = slowest.min(run.now_secs());
            }
        }
        if slowest.is_finite() {
            self.target_secs = self.target_secs.min(slowest.max(0.0) + 1e-9).max(slowest);
        }
    }

    /// Pauses and brings every run to exactly `secs` (capped at their ends), however long
    /// it takes: deterministic, for tests and scripted screenshots.
    pub fn run_to(&mut self, secs: f64) {
        self.playing = false;
        self.target_secs = secs.min(self.end_secs());
        for d in &mut self.designs {
            if let Some(run) = d.run.as_mut() {
                while !run.advance_to(self.target_secs, Instant::now() + Duration::from_secs(3600))
                {
                }
            }
        }
    }

    /// Runs until the next interval boundary, then pauses.
    pub fn step_interval(&mut self) {
        self.playing = false;
        let interval = self
            .designs
            .iter()
            .filter_map(|d| d.scenario.as_ref().map(|s| s.file.interval_secs))
            .fold(f64::INFINITY, f64::min);
        if interval.is_finite() {
            let next = ((self.target_secs / interval).floor() + 1.0) * interval;
            self.target_secs = next.min(self.end_secs());
            // A step is small: let it finish even if it takes more than one frame's budget.
            self.catch_up(Duration::from_secs(5));
        }
    }

    /// The headline figures of every design that runs.
    pub fn summaries(&self) -> Vec<(usize, RunSummary)> {
        self.designs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.run.as_ref()?.summary(d.scenario.as_ref()?))))
            .collect()
    }

    /// The clock of the first design that runs (for axis labels).
    fn clock(&self) -> WeekClock {
        self.designs
            .iter()
            .find_map(|d| d.run.as_ref().map(|r| r.world().clock()))
            .unwrap_or_default()
    }

    fn toolbar(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let play = if self.playing { "Pause" } else { "Run" };
            if ui
                .button(play)
                .on_hover_text("Start or pause simulated time (space)")
                .clicked()
            {
                if !self.playing && self.finished() {
                    self.reset();
                }
                self.playing = !self.playing;
            }
            if ui
                .button("Step")
                .on_hover_text("Advance one metrics interval and pause")
                .clicked()
            {
                self.step_interval();
            }
            if ui
                .button("Reset")
                .on_hover_text("Back to the start")
                .clicked()
            {
                self.playing = false;
                self.reset();
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
                        .range(0.1..=1_000_000.0)
                        .speed(10.0)
                        .suffix(" sim s / s"),
                )
                .labelled_by(speed_label.id);
            }
            ui.separator();
            let seed_label = ui.label("Seed");
            let seed = ui
                .add(egui::DragValue::new(&mut self.seed))
                .labelled_by(seed_label.id);
            if seed.changed() {
                self.reset();
            }
            ui.separator();
            ui.selectable_value(&mut self.view, View::Plots, "Plots");
            ui.selectable_value(&mut self.view, View::Topology, "Topology");
            ui.selectable_value(&mut self.view, View::Decisions, "Decisions");
            ui.separator();
            if ui.button("Export PNG").clicked() {
                self.export.request_png(ui.ctx());
            }
            if ui.button("Export CSV").clicked() {
                self.status = Some(export::export_csv(&self.designs, &self.export.dir));
            }
        });
    }

    fn progress(&self, ui: &mut Ui) {
        let end = self.end_secs();
        let now = self
            .designs
            .iter()
            .filter_map(|d| d.run.as_ref().map(|r| r.now_secs()))
            .fold(f64::INFINITY, f64::min);
        let now = if now.is_finite() { now } else { 0.0 };
        let clock = self.clock();
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(clock.label(crate::sim::SimTime::from_secs_f64(now)))
                    .monospace()
                    .strong(),
            );
            let frac = if end > 0.0 { (now / end) as f32 } else { 0.0 };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(220.0)
                    .text(format!("{:.0} / {:.0} s", now, end)),
            );
            let events: f64 = self
                .designs
                .iter()
                .filter_map(|d| d.run.as_ref().map(|r| r.engine().events_per_sec))
                .sum();
            if !self.show_wall_clock {
                return;
            }
            ui.label(
                RichText::new(format!(
                    "engine {:.2} M events/s · {:.0} fps",
                    events / 1e6,
                    if self.frame_secs > 0.0 {
                        1.0 / self.frame_secs
                    } else {
                        0.0
                    }
                ))
                .weak(),
            );
        });
    }

    fn summary_strip(&self, ui: &mut Ui) {
        let sums = self.summaries();
        if sums.is_empty() {
            ui.colored_label(
                Color32::from_rgb(220, 60, 60),
                "Nothing runs: fix the scenario's errors in the editor.",
            );
            return;
        }
        if sums.len() == 1 {
            let s = &sums[0].1;
            ui.horizontal_wrapped(|ui| {
                for (label, value) in headline(s) {
                    ui.vertical(|ui| {
                        ui.label(RichText::new(label).small().weak());
                        ui.label(RichText::new(value).strong().size(16.0));
                    });
                    ui.add_space(12.0);
                }
            });
        } else {
            compare_table(ui, &self.designs, &sums);
        }
    }

    fn centre(&mut self, ui: &mut Ui) {
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
                let rect = egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        plots::plots_ui(ui, &inputs, clock, &self.shown_plots, per);
                    })
                    .inner_rect;
                self.export.plots_rect = Some(rect);
            }
            View::Topology => {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        for d in &self.designs {
                            if let Some(run) = &d.run {
                                ui.label(RichText::new(d.name()).strong().color(d.colour));
                                topology::topology_ui(ui, run.world(), d.colour);
                                ui.add_space(8.0);
                            }
                        }
                    });
            }
            View::Decisions => decisions_table(ui, &self.designs, &self.summaries()),
        }
    }

    fn logic_step(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        let dt = self
            .last_frame
            .map_or(0.0, |t| now.duration_since(t).as_secs_f64());
        self.last_frame = Some(now);
        // Smoothed, for the fps figure.
        self.frame_secs = if self.frame_secs == 0.0 {
            dt
        } else {
            0.9 * self.frame_secs + 0.1 * dt
        };
        if ctx.input(|i| i.key_pressed(egui::Key::Space)) && !ctx.egui_wants_keyboard_input() {
            self.playing = !self.playing;
        }
        self.advance(dt, FRAME_BUDGET);
        if now.duration_since(self.last_reload_check) > Duration::from_secs(1) {
            self.last_reload_check = now;
            let mut changed = false;
            for d in &mut self.designs {
                if d.reload_if_changed() {
                    changed = true;
                }
            }
            if changed {
                self.status = Some(("reloaded: the file changed on disk".into(), false));
                self.reset();
            }
        }
        self.export.handle_screenshot(ctx, &mut self.status);
        if self.playing {
            ctx.request_repaint();
        }
    }

    fn draw(&mut self, ui: &mut Ui) {
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(2.0);
            self.toolbar(ui);
            self.progress(ui);
            ui.add_space(2.0);
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            let text = match &self.status {
                Some((m, true)) => RichText::new(m).color(Color32::from_rgb(220, 60, 60)),
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
                egui::ScrollArea::vertical().show(ui, |ui| self.side_panel(ui));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            self.summary_strip(ui);
            ui.separator();
            self.centre(ui);
        });
    }

    fn side_panel(&mut self, ui: &mut Ui) {
        ui.heading("Designs");
        let mut remove = None;
        for (i, d) in self.designs.iter().enumerate() {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, d.colour);
                let mut label = d.name().to_string();
                if d.dirty {
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
            self.designs.remove(i);
            self.selected = self.selected.min(self.designs.len() - 1);
            for (k, d) in self.designs.iter_mut().enumerate() {
                d.colour = PALETTE[k % PALETTE.len()];
            }
        }
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Compare: duplicate")
                .on_hover_text(
                    "Add a copy of this design to change and compare on the same traffic",
                )
                .clicked()
            {
                let src = &self.designs[self.selected];
                if let Ok(mut copy) = Design::from_text(&src.text, None, src.colour) {
                    let mut f = copy.file.clone();
                    f.name = format!("{} (copy)", f.name);
                    copy.set_file(f);
                    copy.dirty = false;
                    self.add_design(copy);
                }
            }
            ui.menu_button("Compare: add from library", |ui| {
                for p in self.library.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        match Design::open(&p, PALETTE[0]) {
                            Ok(d) => self.add_design(d),
                            Err(e) => self.status = Some((e, true)),
                        }
                        ui.close();
                    }
                }
            });
        });
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("Open from library", |ui| {
                for p in self.library.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        self.open(&p);
                        ui.close();
                    }
                }
            });
            if ui.button("Open file…").clicked() {
                match rfd::FileDialog::new()
                    .add_filter("scenario", &["ron"])
                    .set_directory("scenarios")
                    .pick_file()
                {
                    Some(p) => self.open(&p),
                    None => self.status = Some((
                        "no file chosen (or no file dialog on this desktop): use Open from library"
                            .into(),
                        false,
                    )),
                }
            }
            let d = &mut self.designs[self.selected];
            if ui
                .add_enabled(d.path.is_some(), egui::Button::new("Save"))
                .on_hover_text("Write the scenario back to its file (atomically)")
                .clicked()
                && let Some(p) = d.path.clone()
            {
                self.status = Some(match d.save_to(&p) {
                    Ok(()) => (format!("saved {}", p.display()), false),
                    Err(e) => (e, true),
                });
            }
            if ui.button("Save as…").clicked() {
                let name = format!("{}.ron", d.file.name);
                if let Some(p) = rfd::FileDialog::new()
                    .add_filter("scenario", &["ron"])
                    .set_file_name(name)
                    .save_file()
                {
                    self.status = Some(match d.save_to(&p) {
                        Ok(()) => (format!("saved {}", p.display()), false),
                        Err(e) => (e, true),
                    });
                } else {
                    self.status = Some((
                        "not saved: no file chosen (or no file dialog on this desktop)".into(),
                        false,
                    ));
                }
            }
        });
        ui.separator();
        let d = &mut self.designs[self.selected];
        if editor::editor_ui(ui, &mut self.editor, d, &self.catalog) {
            // A valid change restarts this design, and the others with it (same clock).
            self.reset();
        }
    }
}

impl eframe::App for ScalesimApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let t = Instant::now();
        self.logic_step(ctx);
        if let Some(s) = &mut self.frame_stats {
            s.logic += t.elapsed();
        }
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let t = Instant::now();
        self.draw(ui);
        if let Some(s) = &mut self.frame_stats {
            s.ui += t.elapsed();
            s.frames += 1;
            s.report();
        }
    }
}

/// The headline numbers of a run: label and formatted value.
pub fn headline(s: &RunSummary) -> Vec<(&'static str, String)> {
    vec![
        ("requests", format!("{}", s.requests.arrived)),
        (
            "p99 of completed",
            format!("{:.0} ms", s.latency_secs.p99 * 1000.0),
        ),
        (
            "within SLO, drops = misses",
            format!("{:.2}%", 100.0 * s.slo.within_target_fraction),
        ),
        (
            "SLO violation",
            match s.slo.violation_periods.len() {
                1 => format!("{:.0} min in 1 period", s.slo.violation_secs / 60.0),
                n => format!("{:.0} min in {n} periods", s.slo.violation_secs / 60.0),
            },
        ),
        (
            "dropped",
            format!(
                "{} ({:.2}%)",
                s.requests.dropped,
                100.0 * s.requests.dropped as f64 / (s.requests.arrived.max(1)) as f64
            ),
        ),
        ("cost", format!("${:.2}", s.cost_usd)),
        ("max instances", format!("{}", s.instances.max)),
        (
            "scaling actions",
            format!("{}", s.instances.scaling_actions),
        ),
    ]
}

/// A column of the compare table: its title and how to read it from a summary.
type Figure = (&'static str, fn(&RunSummary) -> f64);

/// The compare table: one row per design, and each figure's difference from the first.
fn compare_table(ui: &mut Ui, designs: &[Design], sums: &[(usize, RunSummary)]) {
    let base = &sums[0].1;
    let figures: [Figure; 5] = [
        ("p99 of completed, ms", |s| s.latency_secs.p99 * 1000.0),
        ("SLO violation min", |s| s.slo.violation_secs / 60.0),
        ("dropped", |s| s.requests.dropped as f64),
        ("cost $", |s| s.cost_usd),
        ("max instances", |s| s.instances.max as f64),
    ];
    egui::Grid::new("compare")
        .striped(true)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
            ui.label(RichText::new("design").strong());
            for (name, _) in &figures {
                ui.label(RichText::new(*name).strong());
            }
            ui.end_row();
            for (k, (i, s)) in sums.iter().enumerate() {
                let d = &designs[*i];
                ui.label(RichText::new(d.name()).color(d.colour).strong());
                for (_, f) in &figures {
                    let v = f(s);
                    let text = fmt_figure(v);
                    if k == 0 {
                        ui.label(text);
                    } else {
                        let delta = v - f(base);
                        let sign = if delta >= 0.0 { "+" } else { "" };
                        ui.label(format!("{text} ({sign}{})", fmt_figure(delta)));
                    }
                }
                ui.end_row();
            }
        });
}

fn fmt_figure(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn decisions_table(ui: &mut Ui, designs: &[Design], sums: &[(usize, RunSummary)]) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new("When the SLO broke").strong());
            for (i, s) in sums {
                let d = &designs[*i];
                let periods = &s.slo.violation_periods;
                if periods.is_empty() {
                    ui.label(RichText::new(format!("{}: never so far", d.name())).color(d.colour));
                }
                for p in periods {
                    ui.label(
                        RichText::new(format!("{}: {}", d.name(), p.describe())).color(d.colour),
                    );
                }
            }
            ui.add_space(8.0);
            egui::Grid::new("decisions").striped(true).show(ui, |ui| {
                for h in [
                    "design", "clock", "pool", "policy", "metric", "from", "to", "reason",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for d in designs {
                    let Some(run) = &d.run else { continue };
                    for dec in run.world().recorder().decisions() {
                        ui.label(RichText::new(d.name()).color(d.colour));
                        ui.label(&dec.clock);
                        ui.label(&dec.pool);
                        ui.label(&dec.policy);
                        ui.label(metric_text(dec));
                        ui.label(dec.from.to_string());
                        ui.label(dec.to.to_string());
                        ui.label(&dec.reason);
                        ui.end_row();
                    }
                }
            });
        });
}

/// "cpu 0.81 (target 0.6) fraction" for the decisions table; empty without a metric.
fn metric_text(d: &crate::metrics::Decision) -> String {
    let Some(metric) = d.metric else {
        return String::new();
    };
    let mut t = metric.to_string();
    if let Some(v) = d.metric_value {
        t += &format!(" {}", fmt_figure(v));
    }
    if let Some(v) = d.target {
        t += &format!(" (target {})", fmt_figure(v));
    }
    if let Some(u) = d.unit {
        t += &format!(" {u}");
    }
    t
}

/// Every `.ron` file under `dir`, sorted (the scenario library).
pub fn find_library(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ron") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// How the window opens (from the command line).
pub struct Start {
    /// Scenarios to open; the first is edited, the others are compared with it.
    pub files: Vec<PathBuf>,
    /// How fast simulated time goes.
    pub speed: Speed,
    /// Whether it runs at once.
    pub play: bool,
    /// A time to run to before the first frame (then paused).
    pub at: Option<crate::model::clock::At>,
    /// Print where each frame's time goes, every 5 s.
    pub frame_stats: bool,
}

impl ScalesimApp {
    /// The app as `start` asks: its files open, run to its time.
    pub fn from_start(start: &Start) -> ScalesimApp {
        let mut app = ScalesimApp::new(start.files.first().map(PathBuf::as_path));
        for f in start.files.iter().skip(1) {
            match Design::open(f, PALETTE[0]) {
                Ok(d) => app.add_design(d),
                Err(e) => app.status = Some((e, true)),
            }
        }
        app.selected = 0;
        app.speed = start.speed;
        if let Some(at) = &start.at {
            let secs = app.clock().resolve(at);
            app.run_to(secs);
        }
        app.playing = start.play;
        app.frame_stats = start.frame_stats.then(FrameStats::default);
        app
    }
}

/// Opens the app window; returns when it is closed.
pub fn run(start: Start) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("scalesim")
            .with_inner_size([1500.0, 950.0]),
        ..Default::default()
    };
    eframe::run_native(
        "scalesim",
        options,
        Box::new(move |_cc| Ok(Box::new(ScalesimApp::from_start(&start)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(name: &str, duration_secs: u32) -> Design {
        let text = format!(
            r#"(name: "{name}", duration_secs: {duration_secs}, seed: 4,
            workload: (rate: Constant(per_sec: 50), classes: [(name: "a", demand: Exponential(mean_secs: 0.01))]),
            pools: [(name: "w", instance: "m5.large", size: (min: 2, max: 2))])"#
        );
        Design::from_text(&text, None, PALETTE[0]).unwrap()
    }

    #[test]
    fn designs_of_different_lengths_each_run_to_their_end() {
        let mut app = ScalesimApp::new(None);
        app.designs = vec![small("short", 600), small("long", 1800)];
        app.reset();
        app.playing = true;
        app.speed = Speed::Max;
        // Max speed, a generous budget per "frame": a few frames finish both.
        for _ in 0..20 {
            app.advance(0.016, Duration::from_secs(2));
        }
        let ends: Vec<f64> = app
            .designs
            .iter()
            .map(|d| d.run.as_ref().unwrap().now_secs())
            .collect();
        assert_eq!(ends, vec![600.0, 1800.0]);
        assert!(app.finished() && !app.playing, "it stops at the end");
    }

    #[test]
    fn speed_sets_how_far_a_frame_moves_simulated_time() {
        let mut app = ScalesimApp::new(None);
        app.designs = vec![small("a", 3600)];
        app.reset();
        app.playing = true;
        app.speed = Speed::Times(600.0);
        // 0.1 s of wall time at 600 simulated seconds per second: 60 s.
        app.advance(0.1, Duration::from_secs(5));
        assert!((app.target_secs - 60.0).abs() < 1e-9, "{}", app.target_secs);
        assert_eq!(app.designs[0].run.as_ref().unwrap().now_secs(), 60.0);
        // A long stall (window hidden) counts as 0.25 s at most: 150 s, not 6000.
        app.advance(10.0, Duration::from_secs(5));
        assert!(
            (app.target_secs - 210.0).abs() < 1e-9,
            "{}",
            app.target_secs
        );
        // Paused: nothing moves.
        app.playing = false;
        app.advance(0.1, Duration::from_secs(5));
        assert!((app.target_secs - 210.0).abs() < 1e-9);
    }
}
