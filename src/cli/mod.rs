//! The command line: `run`, `batch`, `check`, and (with the `gui` feature) the app.
//!
//! Exit codes: 0 success; 2 bad input (arguments, scenario files, an output directory that
//! cannot be written); 1 anything else.

mod batch;
mod compare;
mod knee;
mod plot;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A deterministic simulator of cloud architectures: pools, balancers, scaling, costs.
#[derive(Parser, Debug)]
#[command(name = "scalesim", version, about, long_about = None)]
pub struct Args {
    /// What to do (default: open the app).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario headless: a summary on stdout, series.csv, services.csv,
    /// summary.json, decisions.csv and scenario.ron in the output directory.
    Run(run::RunArgs),
    /// Run many scenarios (files, or folders searched recursively) in parallel, each
    /// replicated: a table on stdout, results.csv and results.json in the output folder.
    Batch(batch::BatchArgs),
    /// Compare two designs on the same traffic: paired replications (common random
    /// numbers), the difference of each metric with its 95% interval, and a verdict.
    Compare(compare::CompareArgs),
    /// Run a scenario at every point of a grid of field values (--set PATH=VALUES),
    /// each point replicated as a batch runs a scenario.
    Sweep(batch::SweepArgs),
    /// Find the load where a design stops meeting its objective and where it stops
    /// responding, scaling its traffic step by step (bisecting near each edge), with the
    /// cost per million requests along the way: knee.csv and knee.json.
    Knee(knee::KneeArgs),
    /// Draw a run's charts (from its series.csv) or a batch's (from its bands.csv: the
    /// median with a 5-95% band) without a screen, as SVG or PNG.
    Plot(plot::PlotArgs),
    /// Put the slices of a batch run with --shard back together, into the files one
    /// machine running it all would write.
    Merge(batch::MergeArgs),
    /// Check scenario files; prints every problem with file:line:column.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Open the desktop app, optionally with a scenario.
    Gui(GuiArgs),
}

/// Simulated seconds per wall-clock second when the app opens.
const DEFAULT_SPEED: f64 = 600.0;

/// How the app opens (`scalesim gui`; `scalesim` alone takes the defaults).
#[derive(clap::Args, Debug)]
pub struct GuiArgs {
    /// Scenario files to open; two or more are compared on the same traffic.
    files: Vec<PathBuf>,
    /// Run to this time before showing ("mon 09:30", "09:30" or "+2h"), paused.
    #[arg(long, value_parser = parse_at)]
    at: Option<crate::model::clock::At>,
    /// Simulated seconds per wall-clock second (1 = real time), or `max`.
    #[arg(long, default_value_t = DEFAULT_SPEED, value_parser = parse_speed, allow_negative_numbers = true)]
    speed: f64,
    /// Start paused instead of running at once.
    #[arg(long)]
    paused: bool,
    /// Print, every 5 s, the frame rate and where a frame's time goes.
    #[arg(long)]
    frame_stats: bool,
}

impl Default for GuiArgs {
    fn default() -> Self {
        GuiArgs {
            files: Vec::new(),
            at: None,
            speed: DEFAULT_SPEED,
            paused: false,
            frame_stats: false,
        }
    }
}

fn parse_at(s: &str) -> Result<crate::model::clock::At, crate::model::clock::ClockError> {
    crate::model::clock::At::parse(s)
}

/// A `--speed` that is neither a positive number nor `max`.
#[derive(Debug, thiserror::Error)]
#[error("expected simulated seconds per second (> 0) or `max`, got `{0}`")]
struct SpeedError(String);

/// `max` is infinity: as fast as the frame budget allows.
fn parse_speed(s: &str) -> Result<f64, SpeedError> {
    if s == "max" {
        return Ok(f64::INFINITY);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(SpeedError(s.to_string())),
    }
}

/// Writes each (name, text) to the folder `out`, each through a temporary name, so a
/// reader never sees half a file; a file that cannot be written is the user's mistake
/// (an output folder they named), exit 2.
fn write_files<'a>(
    out: &std::path::Path,
    files: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<(), Failure> {
    use anyhow::Context;
    for (name, text) in files {
        let path = out.join(name);
        crate::metrics::output::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Input)?;
    }
    Ok(())
}

/// A failure with the exit code it deserves.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong (exit 2).
    Input(anyhow::Error),
    /// Something else went wrong (exit 1).
    Internal(anyhow::Error),
}

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(args: Args) -> Result<(), Failure> {
    match args.command {
        Some(Command::Run(a)) => run::run(a),
        Some(Command::Batch(a)) => batch::batch(a),
        Some(Command::Compare(a)) => compare::run(a),
        Some(Command::Merge(a)) => batch::merge(a),
        Some(Command::Knee(a)) => knee::run(a),
        Some(Command::Plot(a)) => plot::run(a),
        Some(Command::Sweep(a)) => batch::sweep(a),
        Some(Command::Check { files }) => check(&files),
        Some(Command::Gui(a)) => gui(a),
        None => gui(GuiArgs::default()),
    }
}

fn check(files: &[PathBuf]) -> Result<(), Failure> {
    let mut bad = 0;
    for f in files {
        match crate::scenario::load(f) {
            Ok(s) => {
                print_warnings(&s);
                println!(
                    "{}: ok ({}, {} pool(s), {} s)",
                    f.display(),
                    s.file.name,
                    s.pools.len(),
                    s.file.duration_secs
                )
            }
            Err(e) => {
                eprintln!("{e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        Err(Failure::Input(anyhow::anyhow!(
            "{bad} of {} scenario file(s) have problems",
            files.len()
        )))
    } else {
        Ok(())
    }
}

/// A scenario's warnings on stderr, one `warning: file:line:col: ...` line each.
fn print_warnings(s: &crate::scenario::Scenario) {
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
}

#[cfg(feature = "gui")]
fn gui(a: GuiArgs) -> Result<(), Failure> {
    for f in &a.files {
        // A file that is not there is the user's mistake: say so before opening a window.
        if !f.is_file() {
            return Err(Failure::Input(anyhow::anyhow!(
                "{}: no such scenario file",
                f.display()
            )));
        }
    }
    let speed = if a.speed.is_finite() {
        crate::app::live::Speed::Times(a.speed)
    } else {
        crate::app::live::Speed::Max
    };
    let start = crate::app::Start {
        files: a.files,
        speed,
        play: !a.paused && a.at.is_none(),
        at: a.at,
        frame_stats: a.frame_stats,
    };
    crate::app::run(start).map_err(Failure::Internal)
}

#[cfg(not(feature = "gui"))]
fn gui(a: GuiArgs) -> Result<(), Failure> {
    let _ = a;
    Err(Failure::Input(anyhow::anyhow!(
        "this build has no desktop app (built without the `gui` feature); run a scenario \
         headless with `scalesim run scenarios/monday-spike.ron`"
    )))
}
