//! `scalesim batch`: every scenario given (folders searched recursively), replicated, in
//! parallel; a table on stdout and `results.csv` / `results.json` in the output folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;

use super::Failure;
use crate::batch::many::{Job, ScenarioResult, results_csv, results_json, run_all};
use crate::metrics::output::write_atomic;

/// Arguments of `scalesim batch`.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Scenario files, or folders to search for `*.ron` files (recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Runs of each scenario, with seeds derived from its own (the first is its own).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub replications: u64,
    /// Threads to run on (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,
    /// Directory for results.csv and results.json (default: out/batch).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Every `*.ron` file under `dir`, sorted (trace CSVs and the like are skipped).
fn ron_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            ron_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "ron") {
            out.push(p);
        }
    }
    Ok(())
}

pub(super) fn batch(a: BatchArgs) -> Result<(), Failure> {
    let mut files = Vec::new();
    for p in &a.paths {
        if p.is_dir() {
            ron_files(p, &mut files).map_err(Failure::Input)?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Failure::Input(anyhow!(
                "{}: no such scenario file or folder",
                p.display()
            )));
        }
    }
    if files.is_empty() {
        return Err(Failure::Input(anyhow!(
            "no scenario files (*.ron) in {}",
            a.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let out = a.out.unwrap_or_else(|| Path::new("out").join("batch"));
    // Fail before a long batch, not after it.
    super::run::check_writable(&out).map_err(Failure::Input)?;
    let jobs: Vec<Job> = files.iter().map(|f| Job::load(f)).collect();
    let runs = jobs.iter().filter(|j| j.scenario.is_ok()).count() as u64 * a.replications;
    // A bar on a terminal; otherwise (a log, CI) a plain line as each scenario finishes.
    let bar = (!a.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(runs);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let done = |file: &Path| {
        if let Some(b) = &bar {
            b.inc(1);
        } else if !a.quiet {
            eprintln!("ran {}", file.display());
        }
    };
    let results = match a.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .map_err(|e| Failure::Internal(anyhow!("cannot start {n} threads: {e}")))?
            .install(|| run_all(&jobs, a.replications, &done)),
        None => run_all(&jobs, a.replications, &done),
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let json = results_json(&results).map_err(|e| Failure::Internal(e.into()))?;
    for (name, text) in [
        ("results.csv", results_csv(&results)),
        ("results.json", json),
    ] {
        let path = out.join(name);
        write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Input)?;
    }
    if !a.quiet {
        print!("{}", table(&results, a.replications));
        println!("results in {}/{{results.csv, results.json}}", out.display());
    }
    let failed: Vec<&ScenarioResult> = results.iter().filter(|r| r.error.is_some()).collect();
    for r in &failed {
        eprintln!(
            "error: {}: {}",
            r.file,
            r.error.as_deref().unwrap_or_default()
        );
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow!(
            "{} of {} scenario(s) could not run",
            failed.len(),
            results.len()
        )))
    }
}

/// The table printed after a batch: a row a scenario, `mean ± half-width` with several
/// replications.
fn table(results: &[ScenarioResult], replications: u64) -> String {
    let fmt = |r: &ScenarioResult, name: &str, scale: f64, digits: usize| match r.metric(name) {
        Some(e) if replications > 1 => format!(
            "{:.*} ± {:.*}",
            digits,
            e.mean * scale,
            digits,
            e.ci95 * scale
        ),
        Some(e) => format!("{:.*}", digits, e.mean * scale),
        None => "-".to_owned(),
    };
    let name_w = results
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut t = format!(
        "{:<name_w$}  {:>18}  {:>14}  {:>16}  {:>16}  {:>13}  {:>8}\n",
        "scenario", "p99 s", "SLO met", "dropped %", "cost $", "max instances", "wall s"
    );
    for r in results {
        if let Some(e) = &r.error {
            let first = e.lines().next().unwrap_or_default();
            t += &format!("{:<name_w$}  error: {first}\n", r.scenario);
            continue;
        }
        let met = match r.metric("slo_met") {
            Some(e) if replications > 1 => format!("{:.0}% of runs", e.mean * 100.0),
            Some(e) if e.mean > 0.5 => "yes".to_owned(),
            Some(_) => "no".to_owned(),
            None => "-".to_owned(),
        };
        t += &format!(
            "{:<name_w$}  {:>18}  {:>14}  {:>16}  {:>16}  {:>13}  {:>8.1}\n",
            r.scenario,
            fmt(r, "p99_secs", 1.0, 3),
            met,
            fmt(r, "dropped_fraction", 100.0, 2),
            fmt(r, "cost_usd", 1.0, 2),
            fmt(r, "max_instances", 1.0, 0),
            r.wall_secs
        );
    }
    t
}
