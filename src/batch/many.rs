//! Many runs at once: every scenario of a batch, each replicated with seeds derived from
//! its own, spread over the cores with rayon; each scenario's headline metrics as means
//! with 95% intervals. A scenario that cannot be read or run is reported with its error,
//! and the others still run.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bands::{BandRow, RunSeries, bands, series_of};
use super::stats::Estimate;
use super::warmup::{Chosen, Warmup, choose};
use crate::metrics::RunSummary;
use crate::model::journey::shard::mix;
use crate::scenario::Scenario;

/// A headline metric: its name in the results files, and how to read it from a run.
pub struct Metric {
    /// Its column name.
    pub name: &'static str,
    /// How a run's summary gives it.
    pub read: fn(&RunSummary) -> f64,
}

/// The metrics a batch reports for every scenario, in column order.
pub const HEADLINE: [Metric; 8] = [
    Metric {
        name: "p99_secs",
        read: |s| s.latency_secs.p99,
    },
    Metric {
        name: "mean_latency_secs",
        read: |s| s.latency_secs.mean,
    },
    Metric {
        name: "within_slo",
        read: |s| s.slo.within_target_fraction,
    },
    Metric {
        name: "slo_met",
        read: |s| if s.slo.met { 1.0 } else { 0.0 },
    },
    Metric {
        name: "dropped_fraction",
        read: |s| {
            let r = &s.requests;
            if r.arrived == 0 {
                0.0
            } else {
                r.dropped as f64 / r.arrived as f64
            }
        },
    },
    Metric {
        name: "cost_usd",
        read: |s| s.cost_usd,
    },
    Metric {
        name: "max_instances",
        read: |s| s.instances.max as f64,
    },
    Metric {
        name: "throughput_per_sec",
        read: |s| s.throughput_per_sec,
    },
];

/// The seeds of `n` replications of a scenario whose seed is `seed`: the first is the
/// scenario's own (one replication is the run `scalesim run` makes), the others
/// SplitMix64 outputs of `seed + k`, far apart and the same on every machine.
pub fn replication_seeds(seed: u64, n: u64) -> Vec<u64> {
    (0..n)
        .map(|k| {
            if k == 0 {
                seed
            } else {
                mix(seed.wrapping_add(k))
            }
        })
        .collect()
}

/// One scenario of a batch: where it came from, and what its runs gave (or why none
/// could run).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Its place in the whole batch (a slice run with `--shard` keeps the whole batch's
    /// numbering, so `merge` puts the slices back in order).
    pub index: usize,
    /// The file, as it was given or found.
    pub file: String,
    /// The scenario's name (the file's, if it could not be read).
    pub scenario: String,
    /// The point of a sweep: each swept path and its value here (empty in a batch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<(String, String)>,
    /// The simulated clock at the start ("Sun 18:00:00"; empty if it could not be read),
    /// so charts of the bands can label time as the app does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start: String,
    /// The seed of each replication.
    pub seeds: Vec<u64>,
    /// Each headline metric's mean and 95% interval over the replications, in
    /// [`HEADLINE`] order; empty if it failed.
    pub metrics: Vec<(String, Estimate)>,
    /// Why it could not run (None: it ran).
    pub error: Option<String>,
    /// Seconds at the start each run left out of its figures (0: none), rounded up to
    /// whole intervals as the recorder does.
    #[serde(default)]
    pub warmup_secs: f64,
    /// Per interval, the 5th/50th/95th percentile of each banded series across the
    /// replications (`bands.csv`; not in `results.json`); empty with one replication,
    /// which has no spread to show.
    #[serde(skip)]
    pub bands: Vec<BandRow>,
    /// Wall-clock seconds its runs took together (not in the results files, which are
    /// the same on every machine).
    #[serde(skip)]
    pub wall_secs: f64,
}

impl ScenarioResult {
    /// The estimate of metric `name`, if it ran.
    pub fn metric(&self, name: &str) -> Option<Estimate> {
        self.metrics
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }
}

/// A scenario to run, or the error that stops it.
pub struct Job {
    /// Its place in the whole batch.
    pub index: usize,
    /// The file, as given.
    pub file: PathBuf,
    /// The checked scenario, or why it is not one.
    pub scenario: Result<Scenario, String>,
    /// How its warm-up was chosen, when the batch was told to choose one.
    pub warmup: Option<Chosen>,
    /// The point of a sweep it is: each path and its value (empty in a batch).
    pub settings: Vec<(String, String)>,
}

impl Job {
    /// A scenario made here (a point of a sweep), labelled `name`.
    pub fn made(index: usize, file: &Path, name: &str, scenario: Result<Scenario, String>) -> Job {
        let scenario = scenario.map(|mut s| {
            s.file.name = name.to_owned();
            s
        });
        Job::new(index, file, scenario)
    }

    /// Reads and checks `file`, the batch's `index`-th.
    pub fn load(index: usize, file: &Path) -> Job {
        let scenario = crate::scenario::read(file)
            .map_err(|e| e.to_string())
            .and_then(|(f, source)| Scenario::validate(f, &source).map_err(|e| e.to_string()));
        Job::new(index, file, scenario)
    }

    /// The batch's `index`-th job, with no warm-up chosen yet and no sweep point.
    fn new(index: usize, file: &Path, scenario: Result<Scenario, String>) -> Job {
        Job {
            index,
            file: file.to_path_buf(),
            scenario,
            warmup: None,
            settings: Vec::new(),
        }
    }
}

/// Sets every runnable job's warm-up as `w` says, the jobs in parallel (`auto` makes
/// pilot runs of each); a job whose warm-up cannot be chosen fails with the reason.
pub fn choose_warmups(jobs: &mut [Job], w: Warmup) {
    jobs.par_iter_mut().for_each(|j| {
        if let Ok(s) = &mut j.scenario {
            match choose(s, w) {
                Ok(c) => j.warmup = Some(c),
                Err(e) => j.scenario = Err(format!("--warmup: {e}")),
            }
        }
    });
}

/// What one run keeps: its headline values (in [`HEADLINE`] order), its warm-up, its
/// banded series and its wall time.
struct RunValues {
    headline: Vec<f64>,
    warmup_secs: f64,
    series: RunSeries,
    wall_secs: f64,
}

/// One run of a batch: which job, its seed, and what it gave, or why it failed.
struct Run {
    job: usize,
    seed: u64,
    out: Result<RunValues, String>,
}

/// Runs `tasks` (job, seed), spread over rayon's threads; keeps only each run's headline
/// values and banded series, so memory stays one world per thread (plus a few numbers
/// per interval and run).
fn run_tasks(
    jobs: &[Job],
    tasks: &[(usize, u64)],
    keep_series: bool,
    done: &(dyn Fn(&Path) + Sync),
) -> Vec<Run> {
    tasks
        .par_iter()
        .map(|&(i, seed)| {
            let out = match &jobs[i].scenario {
                Ok(s) => {
                    let mut s = s.clone();
                    s.file.seed = seed;
                    super::run(&s)
                        .map(|o| RunValues {
                            headline: HEADLINE.iter().map(|m| (m.read)(&o.summary)).collect(),
                            warmup_secs: o.summary.warmup_secs,
                            // One run has no spread to show: its series are dropped.
                            series: if keep_series {
                                series_of(o.recorder().rows())
                            } else {
                                RunSeries::new()
                            },
                            wall_secs: o.summary.engine.wall_secs,
                        })
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e.clone()),
            };
            done(&jobs[i].file);
            Run { job: i, seed, out }
        })
        .collect()
}

/// Each job's result from all its runs so far, in job order; with `with_bands`, its bands
/// over time too (they sort every interval of every run: done once, not every round).
fn results_of(jobs: &[Job], runs: &[Run], with_bands: bool) -> Vec<ScenarioResult> {
    jobs.iter()
        .enumerate()
        .map(|(i, j)| {
            let file = j.file.display().to_string();
            let name = match &j.scenario {
                Ok(s) => s.file.name.clone(),
                Err(_) => j
                    .file
                    .file_stem()
                    .map_or(file.clone(), |s| s.to_string_lossy().into_owned()),
            };
            let mine: Vec<&Run> = runs.iter().filter(|r| r.job == i).collect();
            let error = match &j.scenario {
                Err(e) => Some(e.clone()),
                Ok(_) => mine.iter().find_map(|r| r.out.as_ref().err().cloned()),
            };
            let values: Vec<&RunValues> = mine.iter().filter_map(|r| r.out.as_ref().ok()).collect();
            let metrics = if error.is_some() {
                Vec::new()
            } else {
                HEADLINE
                    .iter()
                    .enumerate()
                    .map(|(k, m)| {
                        let xs: Vec<f64> = values.iter().map(|v| v.headline[k]).collect();
                        (m.name.to_owned(), Estimate::of(&xs))
                    })
                    .collect()
            };
            ScenarioResult {
                index: j.index,
                file,
                scenario: name,
                settings: j.settings.clone(),
                start: j
                    .scenario
                    .as_ref()
                    .map(|s| s.clock.to_string())
                    .unwrap_or_default(),
                seeds: mine.iter().map(|r| r.seed).collect(),
                warmup_secs: values.first().map_or(0.0, |v| v.warmup_secs),
                bands: if !with_bands || error.is_some() || values.len() < 2 {
                    Vec::new()
                } else {
                    bands(&values.iter().map(|v| &v.series).collect::<Vec<_>>())
                },
                metrics,
                error,
                wall_secs: values.iter().map(|v| v.wall_secs).sum(),
            }
        })
        .collect()
}

/// The runs (job, seed) that take each runnable job from `have[i]` replications to
/// `want[i]`, with the seeds [`replication_seeds`] gives: one task per run, so that the
/// runs of one long scenario spread over the threads too.
fn replication_tasks(jobs: &[Job], have: &[u64], want: &[u64]) -> Vec<(usize, u64)> {
    jobs.iter()
        .enumerate()
        .filter(|(i, j)| j.scenario.is_ok() && want[*i] > have[*i])
        .flat_map(|(i, j)| {
            let seed = j.scenario.as_ref().map_or(0, |s| s.file.seed);
            replication_seeds(seed, want[i])
                .into_iter()
                .skip(have[i] as usize)
                .map(move |s| (i, s))
        })
        .collect()
}

/// Runs every job `replications` times, all runs spread over rayon's threads (a batch of
/// few scenarios still fills the cores with their replications). `done` is called after
/// each run (from any thread), for a progress bar. Results come back in job order.
pub fn run_all(
    jobs: &[Job],
    replications: u64,
    done: &(dyn Fn(&Path) + Sync),
) -> Vec<ScenarioResult> {
    let replications = replications.max(1);
    let tasks = replication_tasks(jobs, &vec![0; jobs.len()], &vec![replications; jobs.len()]);
    results_of(jobs, &run_tasks(jobs, &tasks, replications > 1, done), true)
}

/// Whether `r`'s headline metrics are known within `precision`: each 95% half-width at
/// most `precision` times its mean (a metric always 0 is known exactly). `slo_met`, a
/// yes or no per run, is left out: its share converges as the others do.
pub fn is_precise(r: &ScenarioResult, precision: f64) -> bool {
    r.error.is_some()
        || r.metrics.iter().all(|(name, e)| {
            name == "slo_met" || e.n >= 2 && (e.ci95 == 0.0 || e.ci95 <= precision * e.mean.abs())
        })
}

/// Replicates every job until each headline metric's 95% half-width is within
/// `precision` of its mean, or `max_replications` runs: `start` runs first, then, round
/// by round, as many more as the widest interval suggests (the half-width shrinks as
/// 1/sqrt(n)), at least half again. The seeds are those [`run_all`] would use, so the
/// first `start` runs are the same.
pub fn run_until_precise(
    jobs: &[Job],
    start: u64,
    precision: f64,
    max_replications: u64,
    done: &(dyn Fn(&Path) + Sync),
) -> Vec<ScenarioResult> {
    let cap = max_replications.max(2);
    let mut have = vec![0u64; jobs.len()];
    let mut want: Vec<u64> = vec![start.clamp(2, cap); jobs.len()];
    let mut runs: Vec<Run> = Vec::new();
    loop {
        let tasks = replication_tasks(jobs, &have, &want);
        if tasks.is_empty() {
            return results_of(jobs, &runs, true);
        }
        runs.extend(run_tasks(jobs, &tasks, true, done));
        have.clone_from(&want);
        // Each round judges the confidence intervals only: bands are computed once, at the end.
        for (i, r) in results_of(jobs, &runs, false).iter().enumerate() {
            if is_precise(r, precision) || have[i] >= cap {
                continue;
            }
            // n grows with the square of the interval's excess over the target.
            let worst = r
                .metrics
                .iter()
                .filter(|(name, e)| name != "slo_met" && e.mean != 0.0)
                .map(|(_, e)| e.relative_ci95() / precision)
                .fold(1.0f64, f64::max);
            let n = have[i] as f64;
            let next = (n * worst * worst).ceil().max(n * 1.5).min(cap as f64);
            want[i] = next as u64;
        }
    }
}

/// `results.csv`: one row per scenario: file, name, (in a sweep, a column per swept
/// path with the point's value), replications, warm-up, status and error, then each
/// headline metric's mean and 95% half-width (`<metric>`, `<metric>_ci95`).
pub fn results_csv(results: &[ScenarioResult]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let paths: Vec<String> = results
        .iter()
        .find(|r| !r.settings.is_empty())
        .map(|r| r.settings.iter().map(|(p, _)| p.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = vec!["file".to_owned(), "scenario".to_owned()];
    header.extend(paths.iter().cloned());
    for h in ["replications", "warmup_secs", "status", "error"] {
        header.push(h.to_owned());
    }
    for m in &HEADLINE {
        header.push(m.name.to_owned());
        header.push(format!("{}_ci95", m.name));
    }
    // Writing to a Vec cannot fail; an error would only be a bug in csv.
    let _ = w.write_record(&header);
    for r in results {
        let mut row = vec![r.file.clone(), r.scenario.clone()];
        for p in &paths {
            let value = r
                .settings
                .iter()
                .find(|(q, _)| q == p)
                .map(|(_, v)| v.clone());
            row.push(value.unwrap_or_default());
        }
        row.extend([
            r.seeds.len().to_string(),
            r.warmup_secs.to_string(),
            if r.error.is_some() { "error" } else { "ok" }.to_owned(),
            r.error.clone().unwrap_or_default(),
        ]);
        for m in &HEADLINE {
            match r.metric(m.name) {
                Some(e) => {
                    row.push(format!("{:.6}", e.mean));
                    row.push(format!("{:.6}", e.ci95));
                }
                None => {
                    row.push(String::new());
                    row.push(String::new());
                }
            }
        }
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `bands.csv`: per scenario that ran at least twice and interval, the 5th/50th/95th
/// percentile of each banded series across its replications (see [`super::bands`]).
pub fn bands_csv(results: &[ScenarioResult]) -> String {
    let mut out = super::bands::header();
    for r in results.iter().filter(|r| r.error.is_none()) {
        out += &super::bands::rows_csv(r.index, &r.scenario, &r.bands);
    }
    out
}

/// `results.json`: the same, with every replication's seed.
pub fn results_json(results: &[ScenarioResult]) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(results)
}

/// Whether the batch's `index`-th scenario belongs to slice `shard` of `of` (1-based):
/// round robin, so long and short scenarios spread evenly over the slices.
pub fn in_shard(index: usize, shard: usize, of: usize) -> bool {
    of <= 1 || index % of == shard.saturating_sub(1)
}

/// Puts the slices of a batch (each slice's `results.json`) back together, in the whole
/// batch's order; a scenario found in two slices is an error.
pub fn merge(slices: Vec<Vec<ScenarioResult>>) -> Result<Vec<ScenarioResult>, String> {
    let mut all: Vec<ScenarioResult> = slices.into_iter().flatten().collect();
    all.sort_by_key(|r| r.index);
    if let Some(w) = all.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(format!(
            "scenario {} ({}) is in two slices: merge each slice once",
            w[0].index, w[0].file
        ));
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_seeds_start_with_the_scenarios_own_and_are_distinct() {
        let s = replication_seeds(42, 5);
        assert_eq!(s[0], 42);
        assert_eq!(s[1], mix(43));
        let mut sorted = s.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 5);
        assert_eq!(replication_seeds(42, 5), s);
    }
}

/// Whether a metric is better when lower (latency, drops, cost, instances) or higher
/// (the share within the objective, throughput).
pub fn lower_is_better(metric: &str) -> bool {
    !matches!(metric, "within_slo" | "slo_met" | "throughput_per_sec")
}

/// What a comparison concludes about one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// B is better, and the 95% interval of the difference excludes zero.
    Better,
    /// B is worse, and the interval excludes zero.
    Worse,
    /// The interval holds zero (or there is one replication, so no interval).
    NoSignificantDifference,
}

/// One metric of a comparison: each design's mean and the paired difference B − A with
/// its 95% interval.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    /// The metric.
    pub metric: String,
    /// A's mean.
    pub a: f64,
    /// B's mean.
    pub b: f64,
    /// B − A, replication by replication: mean and 95% half-width.
    pub diff: Estimate,
    /// What it says.
    pub verdict: Verdict,
}

/// Compares B with A on the same seeds (common random numbers: replication k of each
/// sees the very same requests), metric by metric, from their runs' summaries in seed
/// order. Pairing removes the traffic's noise from the difference, so a smaller
/// difference is told apart than two separate intervals would allow.
pub fn compare(a: &[RunSummary], b: &[RunSummary]) -> Vec<Difference> {
    HEADLINE
        .iter()
        .map(|m| {
            let (va, vb): (Vec<f64>, Vec<f64>) = a
                .iter()
                .zip(b)
                .map(|(x, y)| ((m.read)(x), (m.read)(y)))
                .unzip();
            let diffs: Vec<f64> = va.iter().zip(&vb).map(|(x, y)| y - x).collect();
            let diff = Estimate::of(&diffs);
            let significant = diff.n > 1 && diff.mean.abs() > diff.ci95;
            let verdict = if !significant {
                Verdict::NoSignificantDifference
            } else if (diff.mean < 0.0) == lower_is_better(m.name) {
                Verdict::Better
            } else {
                Verdict::Worse
            };
            Difference {
                metric: m.name.to_owned(),
                a: Estimate::of(&va).mean,
                b: Estimate::of(&vb).mean,
                diff,
                verdict,
            }
        })
        .collect()
}

#[cfg(test)]
mod compare_tests {
    use super::*;

    fn summary(p99: f64, cost: f64) -> RunSummary {
        let mut s = RunSummary::default();
        s.latency_secs.p99 = p99;
        s.cost_usd = cost;
        s
    }

    #[test]
    fn paired_differences_tell_a_consistent_gain_from_noise() {
        // Three paired replications: B's p99 is 0.1 s lower every time although the
        // runs themselves vary a lot (0.5 to 1.5 s): differences -0.1, -0.1, -0.1 have no
        // spread, so the gain is significant. Cost differs +1, -1, 0: mean 0, no verdict.
        let a = [summary(0.5, 10.0), summary(1.0, 11.0), summary(1.5, 12.0)];
        let b = [summary(0.4, 11.0), summary(0.9, 10.0), summary(1.4, 12.0)];
        let d = compare(&a, &b);
        let p99 = d.iter().find(|x| x.metric == "p99_secs").unwrap();
        assert!((p99.diff.mean + 0.1).abs() < 1e-12);
        assert_eq!(p99.verdict, Verdict::Better);
        let cost = d.iter().find(|x| x.metric == "cost_usd").unwrap();
        assert_eq!(cost.verdict, Verdict::NoSignificantDifference);
        // Swapped, B is worse.
        let d = compare(&b, &a);
        assert_eq!(d[0].verdict, Verdict::Worse);
        // Identical designs: no difference at all.
        let d = compare(&a, &a);
        assert!(
            d.iter()
                .all(|x| x.verdict == Verdict::NoSignificantDifference)
        );
    }
}
