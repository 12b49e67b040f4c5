//! The desktop app: load a scenario, press Run and watch cost, latency and scaling
//! decisions unfold; edit the design and see the difference at once; put several designs
//! side by side on the very same traffic (same seed, so the same requests).
//!
//! The simulation advances in [`eframe::App::logic`], a slice at a time within a
//! wall-time budget per frame, so the window stays responsive whatever the scenario's
//! rate. Everything drawn comes from the runs' recorders.

mod command;
pub mod design;
pub mod editor;
pub mod export;
pub mod fleet;
mod frame_stats;
pub mod live;
mod panels;
pub mod plots;
mod summary;
pub mod theme;
pub mod timeline;
mod timeline_bar;
pub mod topology;

pub use self::command::AppCommand;
pub use self::summary::headline;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Ui;

use self::design::{Design, PALETTE};
use self::frame_stats::FrameStats;
use self::live::Speed;
use crate::metrics::RunSummary;
use crate::model::catalog::Catalog;
use crate::model::clock::WeekClock;

/// Wall time the simulation may take per frame: at 60 Hz a frame has 16.7 ms, and the
/// plots need a few of them.
pub const FRAME_BUDGET: Duration = Duration::from_millis(12);

/// The most wall time the simulation takes per frame at "max", however slowly the
/// window draws.
pub const MAX_FRAME_BUDGET: Duration = Duration::from_millis(60);

/// Bounds of a lockstep round (simulated seconds): every design reaches the end of a
/// round before the frame is drawn, and rounds adapt their length to the budget.
const MIN_ROUND_SECS: f64 = 0.01;
/// See [`MIN_ROUND_SECS`].
const MAX_ROUND_SECS: f64 = 3600.0;

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
    pub(crate) designs: Vec<Design>,
    /// The design the editor edits.
    pub(crate) selected: usize,
    /// Whether simulated time is moving.
    pub(crate) playing: bool,
    /// How fast.
    pub(crate) speed: Speed,
    /// The seed every design runs with (the same traffic for all).
    seed: u64,
    /// The simulated time every run is being brought to, seconds after the start.
    pub(crate) target_secs: f64,
    /// Which view fills the centre.
    pub(crate) view: View,
    /// Which plots are drawn (indexed like [`plots::titles`]).
    shown_plots: Vec<bool>,
    /// Log scale and hidden series: the user's, kept across restarts.
    plot_prefs: plots::PlotPrefs,
    /// The span of time the plots showed last frame (seconds after the start).
    plot_view_secs: Option<(f64, f64)>,
    /// The service the plots show (None: the whole request), and each design's rows as
    /// that service saw them, kept until more rows close.
    pub(crate) focus: Option<String>,
    focus_rows: Vec<(usize, Vec<crate::metrics::IntervalRow>)>,
    /// The instance types the editor offers.
    catalog: Catalog,
    /// The editor's memory between frames.
    editor: editor::EditorState,
    /// A message for the status bar (saved, exported, could not open...).
    pub(crate) status: Option<(String, bool)>,
    /// Scenario files found under `scenarios/` (the library), each with what it is about.
    library: Vec<(PathBuf, String)>,
    /// Exports waiting for the screenshot of the next frame.
    pub(crate) export: export::ExportState,
    /// Whether the toolbar shows the engine's speed and the frame rate (wall-clock
    /// figures; snapshot tests turn them off because they differ from run to run).
    pub(crate) show_wall_clock: bool,
    last_reload_check: Instant,
    last_frame: Option<Instant>,
    frame_secs: f64,
    /// Where a frame's wall time goes, printed to stderr every 5 s (`gui --frame-stats`).
    frame_stats: Option<FrameStats>,
    /// What the panels asked for while drawing, applied at the start of the next frame.
    commands: Vec<AppCommand>,
    /// The time cursor every view shows.
    timeline: timeline::Timeline,
    /// Run at max to this time, then go on as before (after an edit, or "run to").
    resume_to: Option<f64>,
    /// Length of the next lockstep round, simulated seconds (adapts to the budget).
    round_secs: f64,
    /// Simulated seconds per wall second, smoothed.
    achieved_speed: f64,
    /// Bumped on every restart: the plots' zoom and pan belong to one run.
    generation: u64,
    /// The "run to" field's text.
    run_to_text: String,
    /// Wall time the simulation took last frame, seconds.
    last_sim_secs: f64,
    /// The "save as" field's text, and the design it was filled for.
    save_as_path: String,
    /// See `save_as_path`.
    save_as_for: Option<usize>,
}

impl ScalesimApp {
    /// The designs being explored, in the order their tabs show.
    pub fn designs(&self) -> &[Design] {
        &self.designs
    }

    /// The design at `index` to change (its file, its text), `None` past the last.
    pub fn design_mut(&mut self, index: usize) -> Option<&mut Design> {
        self.designs.get_mut(index)
    }

    /// The design the editor edits (an index into [`ScalesimApp::designs`]).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Whether simulated time is moving.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Starts or stops simulated time.
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
    }

    /// Sets how fast simulated time moves.
    pub fn set_speed(&mut self, speed: Speed) {
        self.speed = speed;
    }

    /// The simulated time every run is being brought to, seconds after the start.
    pub fn target_secs(&self) -> f64 {
        self.target_secs
    }

    /// Which view fills the centre.
    pub fn view(&self) -> View {
        self.view
    }

    /// The span of simulated time the plots showed in the last frame that drew them
    /// (seconds after the start): what the user has zoomed to, or all of the run.
    pub fn plot_view_secs(&self) -> Option<(f64, f64)> {
        self.plot_view_secs
    }

    /// Whether a click on its legend entry hid a plot's series: `"Latency/p95"` (the
    /// plot's title and the entry's name).
    pub fn is_series_hidden(&self, key: &str) -> bool {
        self.plot_prefs.hidden.contains(key)
    }

    /// The service the plots show, if one was picked (None: the whole request).
    pub fn focused_service(&self) -> Option<&str> {
        self.focus.as_deref()
    }

    /// Whether the latency plot is on a logarithmic axis.
    pub fn log_latency(&self) -> bool {
        self.plot_prefs.log_latency
    }

    /// The status bar's message and whether it reports an error.
    pub fn status(&self) -> Option<(&str, bool)> {
        self.status.as_ref().map(|(m, e)| (m.as_str(), *e))
    }

    /// Where exported plots and summaries go (default: the working directory).
    pub fn set_export_dir(&mut self, dir: PathBuf) {
        self.export.dir = dir;
    }

    /// Shows or hides the toolbar's wall-clock figures (engine speed, frame rate), which
    /// differ from run to run: snapshot tests hide them.
    pub fn set_show_wall_clock(&mut self, show: bool) {
        self.show_wall_clock = show;
    }

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
                    status = Some((e.to_string(), true));
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
            plot_prefs: plots::PlotPrefs::default(),
            plot_view_secs: None,
            focus: None,
            focus_rows: Vec::new(),
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
                lib.into_iter()
                    .map(|p| {
                        let about = library_about(&p);
                        (p, about)
                    })
                    .collect()
            },
            export: export::ExportState::default(),
            show_wall_clock: true,
            frame_stats: None,
            commands: Vec::new(),
            last_reload_check: Instant::now(),
            last_frame: None,
            frame_secs: 0.0,
            timeline: timeline::Timeline::following(),
            resume_to: None,
            round_secs: 1.0,
            achieved_speed: 0.0,
            generation: 0,
            run_to_text: String::new(),
            last_sim_secs: 0.0,
            save_as_path: String::new(),
            save_as_for: None,
        };
        app.reset();
        app
    }

    /// Restarts every design from time zero with the current seed; every view follows
    /// the new run from the start.
    pub fn reset(&mut self) {
        self.target_secs = 0.0;
        self.resume_to = None;
        self.timeline.follow();
        self.generation += 1;
        for d in &mut self.designs {
            d.restart(self.seed);
        }
    }

    /// Adds a design (for comparison) and starts it at time zero.
    pub fn add_design(&mut self, mut d: Design) {
        d.colour = theme::design_colour(self.designs.len());
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
                self.save_as_for = None;
                self.reset();
                self.status = Some((format!("opened {}", path.display()), false));
            }
            Err(e) => self.status = Some((e.to_string(), true)),
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

    /// The simulated time every design has reached (they move in step), seconds after the
    /// start: the earliest of the runs still going, or the latest end once all are done.
    pub fn now_secs(&self) -> f64 {
        let runs = || self.designs.iter().filter_map(|d| d.run.as_ref());
        let going = runs()
            .filter(|r| !r.finished())
            .map(|r| r.now_secs())
            .fold(f64::INFINITY, f64::min);
        if going.is_finite() {
            going
        } else {
            runs().map(|r| r.now_secs()).fold(0.0, f64::max)
        }
    }

    /// The moment every view shows: the timeline's cursor, or the present when following.
    pub fn shown_secs(&self) -> f64 {
        self.timeline.shown_secs(self.now_secs())
    }

    /// The time cursor.
    pub fn timeline(&self) -> &timeline::Timeline {
        &self.timeline
    }

    /// Shows the moment at `secs` in every view; the runs go on.
    pub fn look_at(&mut self, secs: f64) {
        self.timeline.look_at(secs);
    }

    /// Every view back to the runs' present.
    pub fn follow(&mut self) {
        self.timeline.follow();
    }

    /// Simulated seconds per wall second over the last frames (what "max" achieves).
    pub fn achieved_speed(&self) -> f64 {
        self.achieved_speed
    }

    /// Runs every design at max speed to `secs` (over the next frames, without blocking),
    /// then goes on as before: playing or paused.
    pub fn run_to_later(&mut self, secs: f64) {
        self.resume_to = Some(secs.clamp(0.0, self.end_secs()));
    }

    /// Moves simulated time on by `wall_dt` seconds of wall time at the current speed
    /// (or at max towards a "run to" time), then advances every run towards it within
    /// `budget`.
    pub fn advance(&mut self, wall_dt: f64, budget: Duration) {
        let end = self.end_secs();
        let before = self.now_secs();
        if let Some(goal) = self.resume_to {
            self.target_secs = goal.min(end);
        } else if self.playing {
            self.target_secs = match self.speed {
                Speed::Max => end,
                // A long pause between frames (window hidden) does not jump ahead.
                Speed::Times(x) => (self.target_secs + x * wall_dt.min(0.25)).min(end),
            };
        }
        self.lockstep(Some(budget));
        let now = self.now_secs();
        if self
            .resume_to
            .is_some_and(|goal| now >= goal.min(end) - 1e-9)
        {
            self.resume_to = None;
        }
        if self.resume_to.is_none() && self.finished() {
            self.playing = false;
        }
        if wall_dt > 0.0 {
            let speed = (now - before).max(0.0) / wall_dt;
            self.achieved_speed = if self.achieved_speed == 0.0 {
                speed
            } else {
                0.8 * self.achieved_speed + 0.2 * speed
            };
        }
    }

    /// Brings every run towards `target_secs` in rounds: each round takes every design to
    /// the same simulated time, so the table, the plots and the topology always compare
    /// the same span. A round is never cut short; its length adapts so that a round
    /// takes a fraction of `budget`, and rounds stop once the budget is spent. Without a
    /// budget it goes all the way. If the runs cannot keep up, the target waits for them.
    fn lockstep(&mut self, budget: Option<Duration>) {
        let started = Instant::now();
        let far = Duration::from_secs(24 * 3600);
        loop {
            let now = self.now_secs();
            let goal = self.target_secs.min(self.end_secs());
            if now >= goal - 1e-9 || self.finished() {
                break;
            }
            // Without a budget no frame is drawn in between: one round to the goal.
            let t = match budget {
                Some(_) => (now + self.round_secs).min(goal),
                None => goal,
            };
            let round = Instant::now();
            for d in &mut self.designs {
                if let Some(run) = d.run.as_mut() {
                    run.advance_to(t, round + far);
                }
            }
            if let Some(budget) = budget {
                let took = round.elapsed();
                if took < budget / 8 && t < goal {
                    self.round_secs = (self.round_secs * 2.0).min(MAX_ROUND_SECS);
                } else if took > budget / 2 {
                    self.round_secs = (self.round_secs / 2.0).max(MIN_ROUND_SECS);
                }
                if started.elapsed() >= budget {
                    break;
                }
            }
        }
        if budget.is_some() {
            // Behind the target: the target waits, so a slow run is not asked to jump.
            self.target_secs = self.target_secs.min(self.now_secs().max(0.0));
        }
    }

    /// Pauses and brings every run to exactly `secs` (capped at their ends), however long
    /// it takes: deterministic, for tests and scripted screenshots.
    pub fn run_to(&mut self, secs: f64) {
        self.playing = false;
        self.resume_to = None;
        self.target_secs = secs.min(self.end_secs());
        self.lockstep(None);
    }

    /// Wall time the simulation may take this frame. At "max" (or running to a time) it is
    /// half of what the rest of the last frame took (drawing, rendering, waiting), between
    /// [`FRAME_BUDGET`] and [`MAX_FRAME_BUDGET`]: a window that draws slowly (a software
    /// renderer takes over 150 ms) does not hold the run to 12 ms in every 170.
    fn budget(&self) -> Duration {
        let flat_out = (self.playing && self.speed == Speed::Max) || self.resume_to.is_some();
        if !flat_out {
            return FRAME_BUDGET;
        }
        // Half of what the rest of the frame takes: with a GPU (a few ms of drawing and
        // the wait for the display) that is under 12 ms, so nothing changes; with a
        // software renderer (over 150 ms a frame) the run gets a third of the wall time
        // instead of a fourteenth, for about a quarter fewer frames.
        let rest = (self.frame_secs - self.last_sim_secs).max(0.0);
        Duration::from_secs_f64(rest / 2.0).clamp(FRAME_BUDGET, MAX_FRAME_BUDGET)
    }

    /// Restarts every design (after an edit or a new seed) and returns to where the user
    /// was: the runs go at max to the moment shown, and a cursor the user set stays.
    pub fn restart_in_place(&mut self) {
        let shown = self.shown_secs();
        let cursor = self.timeline.cursor();
        self.reset();
        if shown > 0.0 {
            self.run_to_later(shown);
        }
        if let Some(c) = cursor {
            self.timeline.look_at(c);
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
            self.lockstep(None);
        }
    }

    /// The headline figures of every design that runs.
    pub fn summaries(&self) -> Vec<(usize, RunSummary)> {
        self.designs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.run.as_ref()?.summary())))
            .collect()
    }

    /// The headline figures of every design that runs, at the moment shown: the live
    /// figures when following, else those kept for that moment.
    pub fn summaries_shown(&self) -> Vec<(usize, RunSummary)> {
        if self.timeline.is_following() {
            return self.summaries();
        }
        let shown = self.shown_secs();
        self.designs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.run.as_ref()?.moment_at(shown)?.summary.clone())))
            .collect()
    }

    /// The clock of the first design that runs (for axis labels).
    fn clock(&self) -> WeekClock {
        self.designs
            .iter()
            .find_map(|d| d.run.as_ref().map(|r| r.world().clock()))
            .unwrap_or_default()
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
        self.apply_commands(ctx);
        if ctx.input(|i| i.key_pressed(egui::Key::Space)) && !ctx.egui_wants_keyboard_input() {
            self.playing = !self.playing;
        }
        let budget = self.budget();
        let sim_started = Instant::now();
        self.advance(dt, budget);
        self.last_sim_secs = sim_started.elapsed().as_secs_f64();
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
}

/// A number field that applies what is typed on Enter or when it loses focus, never at
/// every key (a half-typed "0." or "4" would restart the run with a wrong value). Every
/// number the user types in the app is one of these.
pub(crate) fn number<N: egui::emath::Numeric>(value: &mut N) -> egui::DragValue<'_> {
    egui::DragValue::new(value).update_while_editing(false)
}

/// Where eframe's storage keeps the path of the scenario open at exit.
const LAST_SCENARIO_KEY: &str = "scalesim/last_scenario";

impl eframe::App for ScalesimApp {
    /// Remembers the scenario being edited (the window's size and the theme are saved by
    /// eframe and egui themselves).
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(path) = self.designs.get(self.selected).and_then(|d| d.path()) {
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            storage.set_string(LAST_SCENARIO_KEY, path.display().to_string());
        }
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let t = Instant::now();
        self.logic_step(ctx);
        if let Some(s) = &mut self.frame_stats {
            s.logic += t.elapsed();
        }
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let t = Instant::now();
        self.frame_ui(ui);
        if self.has_commands() {
            // Apply them in the next frame's `logic` rather than when input comes.
            ui.ctx().request_repaint();
        }
        if let Some(s) = &mut self.frame_stats {
            s.ui += t.elapsed();
            s.frames += 1;
            s.report(self.achieved_speed);
        }
    }
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

/// What a library scenario is about, for its entry's hover text: its `description`, or
/// else the first paragraph of its opening comment (the shipped scenarios open with
/// one). Empty if the file says neither or cannot be read.
pub fn library_about(path: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(path) else {
        return String::new();
    };
    let source = crate::scenario::Source::inline(&path.display().to_string(), &text);
    if let Ok(file) = crate::scenario::parse(&source)
        && !file.description.is_empty()
    {
        return file.description;
    }
    let mut about = Vec::new();
    for line in text.lines() {
        let Some(comment) = line.trim_start().strip_prefix("//") else {
            break;
        };
        let comment = comment.trim();
        if comment.is_empty() {
            break;
        }
        about.push(comment);
    }
    about.join(" ")
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
                Err(e) => app.status = Some((e.to_string(), true)),
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
        Box::new(move |cc| {
            let mut start = start;
            // Without a file on the command line, the scenario open when the window
            // last closed (if it is still there).
            if start.files.is_empty()
                && let Some(last) = cc
                    .storage
                    .and_then(|s| s.get_string(LAST_SCENARIO_KEY))
                    .map(PathBuf::from)
                    .filter(|p| p.is_file())
            {
                start.files.push(last);
            }
            Ok(Box::new(ScalesimApp::from_start(&start)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_entry_says_what_its_scenario_is_about() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        // A `description` wins.
        assert_eq!(
            library_about(&root.join("validation/mmc-rho08.ron")),
            "M/M/4 at utilisation 0.8: mean wait 0.745541 s (Erlang C)"
        );
        // Else the opening comment's first paragraph, on one line.
        let tt = library_about(&root.join("autoscaling/target-tracking.ron"));
        assert!(
            tt.starts_with("The Monday spike under AWS target tracking at 60 % CPU ("),
            "{tt}"
        );
        assert!(!tt.contains("What it shows"), "{tt}");
        assert_eq!(library_about(&root.join("no-such-file.ron")), "");
    }

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
