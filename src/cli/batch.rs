//! `scalesim batch`: every scenario given (folders searched recursively), replicated, in
//! parallel; a table on stdout and `results.csv` / `results.json` in the output folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;

use super::Failure;
use crate::batch::many::{
    Job, ScenarioResult, bands_csv, is_precise, results_csv, results_json, run_all,
    run_until_precise,
};
use crate::batch::sweep::{Setting, apply, grid};
use crate::batch::warmup::{Chosen, PILOT_RUNS, Warmup};

/// Arguments of `scalesim batch`.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Scenario files, or folders to search for `*.ron` files (recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// How to run them and where the results go.
    #[command(flatten)]
    pub common: Common,
}

/// What `batch` and `sweep` share: replications, precision, slices, threads, output.
#[derive(Args, Debug)]
pub struct Common {
    /// Runs of each scenario, with seeds derived from its own (the first is its own).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub replications: u64,
    /// Replicate each scenario until every headline metric's 95% half-width is within
    /// this share of its mean (0.05: 5%); `--replications` runs first (at least 2).
    #[arg(long, value_parser = parse_precision)]
    pub precision: Option<f64>,
    /// Most runs of a scenario with `--precision`.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub max_replications: u64,
    /// Run only slice I of N of the batch (`1/4` ... `4/4`), for a cluster: each
    /// machine runs one, and `scalesim merge` puts their outputs together.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Leave the first SECS of every run out of its figures (a steady-state study's
    /// warm-up), or `auto`: find each scenario's with MSER-5 on five pilot runs (a scenario
    /// whose traffic varies with time keeps its whole run). Default: each scenario's
    /// `warmup_secs`, if any.
    #[arg(long, value_name = "SECS|auto")]
    pub warmup: Option<Warmup>,
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

/// A `--shard` that is not `I/N` with 1 <= I <= N.
#[derive(Debug, thiserror::Error)]
#[error("expected I/N with 1 <= I <= N (slice I of N), got `{0}`")]
pub(super) struct ShardError(String);

pub(super) fn parse_shard(s: &str) -> Result<(usize, usize), ShardError> {
    let bad = || ShardError(s.to_owned());
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// A `--precision` outside (0, 1).
#[derive(Debug, thiserror::Error)]
#[error("expected a share of the mean between 0 and 1 (0.05 is 5%), got `{0}`")]
struct PrecisionError(String);

fn parse_precision(s: &str) -> Result<f64, PrecisionError> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(PrecisionError(s.to_owned())),
    }
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
    let out = a
        .common
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join("batch"));
    // Fail before a long batch, not after it.
    super::run::check_writable(&out).map_err(Failure::Input)?;
    // A slice loads only its own scenarios, numbered as in the whole batch.
    let (shard, of) = a.common.shard.unwrap_or((1, 1));
    let jobs: Vec<Job> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| crate::batch::many::in_shard(*i, shard, of))
        .map(|(i, f)| Job::load(i, f))
        .collect();
    run_jobs(jobs, &a.common, &out)
}

/// What choosing a scenario's warm-up did, in a line.
pub(super) fn warmup_note(s: &crate::scenario::Scenario, chosen: &Chosen, asked: Warmup) -> String {
    let scenario = &s.file.name;
    let interval = s.file.interval_secs;
    match (chosen, asked) {
        (Chosen::TimeVarying, _) => format!(
            "warm-up of {scenario}: none, the whole run is kept (its traffic varies with \
             time, so there is no steady state to wait for)"
        ),
        (Chosen::Secs(s), Warmup::Auto) => {
            format!(
                "warm-up of {scenario}: MSER-5 on {PILOT_RUNS} pilot runs removes the first {s} s"
            )
        }
        (Chosen::Secs(s), Warmup::Secs(_)) => format!(
            "warm-up of {scenario}: the first {s} s are left out (rounded up to whole \
             intervals of {interval} s)"
        ),
    }
}

/// Runs `jobs` as `c` says, then writes the results files to `out`, prints the table and
/// reports the scenarios that failed (exit 2 if any did).
fn run_jobs(mut jobs: Vec<Job>, a: &Common, out: &Path) -> Result<(), Failure> {
    if let Some(w) = a.warmup {
        in_pool(a.jobs, || crate::batch::many::choose_warmups(&mut jobs, w))?;
        if !a.quiet {
            for j in &jobs {
                if let (Some(c), Ok(s)) = (&j.warmup, &j.scenario) {
                    eprintln!("{}", warmup_note(s, c, w));
                }
            }
        }
    }
    let jobs = &jobs[..];
    let per_scenario = match a.precision {
        Some(_) => a.max_replications,
        None => a.replications,
    };
    let runs = jobs.iter().filter(|j| j.scenario.is_ok()).count() as u64 * per_scenario;
    // A bar on a terminal; otherwise (a log, CI) a plain line as each scenario finishes.
    let bar = (!a.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(runs);
        // With --precision the length is the most runs it may take.
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
    let work = || match a.precision {
        Some(p) => run_until_precise(jobs, a.replications, p, a.max_replications, &done),
        None => run_all(jobs, a.replications, &done),
    };
    let wall = std::time::Instant::now();
    let results = in_pool(a.jobs, work)?;
    let wall_secs = wall.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    write_results(out, &results)?;
    if !a.quiet {
        print!("{}", table(&results));
        if let Some(p) = a.precision {
            let short: Vec<&str> = results
                .iter()
                .filter(|r| r.error.is_none() && !is_precise(r, p))
                .map(|r| r.scenario.as_str())
                .collect();
            if !short.is_empty() {
                println!(
                    "not within {:.1}% after {} runs: {}",
                    p * 100.0,
                    a.max_replications,
                    short.join(", ")
                );
            }
        }
        let ran: usize = results.iter().map(|r| r.seeds.len()).sum();
        println!(
            "{ran} run(s) of {} scenario(s) in {wall_secs:.1} s on {} thread(s)",
            results.len(),
            a.jobs
                .map_or_else(rayon::current_num_threads, |n| n as usize)
        );
        println!(
            "results in {}/{{results.csv, results.json, bands.csv}}",
            out.display()
        );
    }
    let failed: Vec<&ScenarioResult> = results.iter().filter(|r| r.error.is_some()).collect();
    for r in &failed {
        let e = r.error.as_deref().unwrap_or_default();
        // A scenario's own errors already start with its file and line.
        if e.starts_with(&r.file) {
            eprintln!("error: {e}");
        } else {
            eprintln!("error: {}: {e}", r.file);
        }
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

/// Runs `work` on `threads` threads (None: rayon's default, one per core).
pub(super) fn in_pool<R: Send>(
    threads: Option<u64>,
    work: impl FnOnce() -> R + Send,
) -> Result<R, Failure> {
    match threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .map_err(|e| Failure::Internal(anyhow!("cannot start {n} threads: {e}")))?
            .install(work)),
        None => Ok(work()),
    }
}

/// Writes `results.csv`, `results.json` and `bands.csv` to `out`, each to a temporary
/// name first.
fn write_results(out: &Path, results: &[ScenarioResult]) -> Result<(), Failure> {
    let json = results_json(results).map_err(|e| Failure::Internal(e.into()))?;
    super::write_files(
        out,
        [
            ("results.csv", results_csv(results)),
            ("results.json", json),
            ("bands.csv", bands_csv(results)),
        ],
    )
}

/// The table printed after a batch: a row a scenario, `mean ± half-width` with several
/// replications.
fn table(results: &[ScenarioResult]) -> String {
    let fmt = |r: &ScenarioResult, name: &str, scale: f64, digits: usize| match r.metric(name) {
        Some(e) if e.n > 1 => format!(
            "{:.*} ± {:.*}",
            digits,
            e.mean * scale,
            digits,
            e.ci95 * scale
        ),
        Some(e) => format!("{:.*}", digits, e.mean * scale),
        None => "-".to_owned(),
    };
    // A sweep's rows are named by their point: a column per swept path.
    let paths: Vec<&str> = results
        .iter()
        .find(|r| !r.settings.is_empty())
        .map(|r| r.settings.iter().map(|(p, _)| p.as_str()).collect())
        .unwrap_or_default();
    let label = |r: &ScenarioResult| -> Vec<String> {
        if paths.is_empty() {
            vec![r.scenario.clone()]
        } else {
            r.settings.iter().map(|(_, v)| v.clone()).collect()
        }
    };
    let heads: Vec<&str> = if paths.is_empty() {
        vec!["scenario"]
    } else {
        paths.clone()
    };
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(k, h)| {
            results
                .iter()
                .filter_map(|r| label(r).get(k).map(String::len))
                .chain([h.len(), if paths.is_empty() { 8 } else { 0 }])
                .max()
                .unwrap_or(8)
        })
        .collect();
    let name = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut t = format!(
        "{}  {:>5}  {:>18}  {:>14}  {:>16}  {:>16}  {:>13}  {:>8}\n",
        name(&heads.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()),
        "runs",
        "p99 s",
        "SLO met",
        "dropped %",
        "cost $",
        "max instances",
        "wall s"
    );
    for r in results {
        if let Some(e) = &r.error {
            let first = e.lines().next().unwrap_or_default();
            t += &format!("{}  error: {first}\n", name(&label(r)));
            continue;
        }
        let met = match r.metric("slo_met") {
            Some(e) if e.n > 1 => format!("{:.0}% of runs", e.mean * 100.0),
            Some(e) if e.mean > 0.5 => "yes".to_owned(),
            Some(_) => "no".to_owned(),
            None => "-".to_owned(),
        };
        t += &format!(
            "{}  {:>5}  {:>18}  {:>14}  {:>16}  {:>16}  {:>13}  {:>8.1}\n",
            name(&label(r)),
            r.seeds.len(),
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

/// Arguments of `scalesim merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The slices' output folders (each with the results.json a `--shard` run wrote).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the whole batch's results.csv and results.json go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `scalesim merge`: the slices of a batch put back together, into the very files one
/// machine running the whole batch writes.
pub(super) fn merge(a: MergeArgs) -> Result<(), Failure> {
    let mut slices = Vec::with_capacity(a.dirs.len());
    for d in &a.dirs {
        let path = d.join("results.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(Failure::Input)?;
        let slice: Vec<ScenarioResult> = serde_json::from_str(&text).map_err(|e| {
            Failure::Input(anyhow!("{}: not a batch's results: {e}", path.display()))
        })?;
        slices.push(slice);
    }
    let all = crate::batch::many::merge(slices).map_err(|e| Failure::Input(anyhow!(e)))?;
    let bands = merge_bands(&a.dirs)?;
    super::run::check_writable(&a.out).map_err(Failure::Input)?;
    let json = results_json(&all).map_err(|e| Failure::Internal(e.into()))?;
    super::write_files(
        &a.out,
        [
            ("results.csv", results_csv(&all)),
            ("results.json", json),
            ("bands.csv", bands),
        ],
    )?;
    println!(
        "{} scenario(s) from {} slice(s) in {}/{{results.csv, results.json, bands.csv}}",
        all.len(),
        a.dirs.len(),
        a.out.display()
    );
    Ok(())
}

/// The slices' `bands.csv` put together: the rows of every scenario in the whole batch's
/// order (each slice's rows are in its own order already, scenario by scenario).
fn merge_bands(dirs: &[PathBuf]) -> Result<String, Failure> {
    let header = crate::batch::bands::header();
    let mut rows: Vec<(usize, String)> = Vec::new();
    for d in dirs {
        let path = d.join("bands.csv");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(Failure::Input)?;
        let mut lines = text.lines();
        if lines.next().map(|h| format!("{h}\n")) != Some(header.clone()) {
            return Err(Failure::Input(anyhow!(
                "{}: not the bands of this version of scalesim (its header differs)",
                path.display()
            )));
        }
        for (n, line) in lines.enumerate() {
            let index = crate::batch::bands::row_index(line).ok_or_else(|| {
                Failure::Input(anyhow!(
                    "{}:{}: a row without its scenario's index",
                    path.display(),
                    n + 2
                ))
            })?;
            rows.push((index, format!("{line}\n")));
        }
    }
    // Stable: the intervals of a scenario keep their order.
    rows.sort_by_key(|(i, _)| *i);
    Ok(rows.into_iter().fold(header, |mut all, (_, line)| {
        all.push_str(&line);
        all
    }))
}

/// Arguments of `scalesim sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// PATH=VALUES: a field (`pools.web.size.max`, `workload.rate.per_sec`) and its values
    /// (`10,20,40` or `10..40:10`); several --set make a grid of every combination.
    #[arg(long = "set", required = true, value_parser = parse_setting)]
    pub set: Vec<Setting>,
    /// How to run the points and where the results go (default: out/sweep).
    #[command(flatten)]
    pub common: Common,
}

fn parse_setting(s: &str) -> Result<Setting, String> {
    crate::batch::sweep::parse_setting(s)
}

/// `scalesim sweep`: a scenario at every point of a grid of field values, each point run
/// as a batch runs a scenario.
pub(super) fn sweep(a: SweepArgs) -> Result<(), Failure> {
    let (file, source) =
        crate::scenario::read(&a.file).map_err(|e| Failure::Input(anyhow!("{e}")))?;
    let points = grid(&a.set);
    // A bad path or value is the same at every point: report it before running any.
    if let Some(first) = points.first() {
        let mut f = file.clone();
        for (path, value) in first {
            f = apply(&f, path, value)
                .map_err(|e| Failure::Input(anyhow!("--set {path}={value}: {e}")))?;
        }
    }
    let out = a
        .common
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join("sweep"));
    super::run::check_writable(&out).map_err(Failure::Input)?;
    let (shard, of) = a.common.shard.unwrap_or((1, 1));
    let jobs: Vec<Job> = points
        .iter()
        .enumerate()
        .filter(|(i, _)| crate::batch::many::in_shard(*i, shard, of))
        .map(|(i, point)| {
            let label = point
                .iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            let scenario = point
                .iter()
                .try_fold(file.clone(), |f, (p, v)| apply(&f, p, v))
                .and_then(|f| {
                    let text = crate::scenario::to_ron(&f).map_err(|e| e.to_string())?;
                    let src = crate::scenario::Source {
                        label: format!("{} ({label})", source.label),
                        text,
                        dir: source.dir.clone(),
                    };
                    crate::scenario::Scenario::validate(f, &src).map_err(|e| e.to_string())
                });
            let mut job = Job::made(i, &a.file, &format!("{} {label}", file.name), scenario);
            job.settings = point
                .iter()
                .map(|(p, v)| (p.clone(), v.to_string()))
                .collect();
            job
        })
        .collect();
    run_jobs(jobs, &a.common, &out)
}
