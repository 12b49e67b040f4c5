//! `scalesim knee FILE`: the load where a design stops meeting its objective and where
//! it stops responding, with the cost per million requests along the way.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;

use super::Failure;
use crate::batch::knee::{
    CostGrowth, Edge, KneeError, KneeMetric, KneeReport, KneeSpec, find_knee, knee_csv,
};

/// Arguments of `scalesim knee`.
#[derive(Args, Debug)]
pub struct KneeArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// What meets the objective: p50, p90, p95, p99 (latency counting drops as failures,
    /// against the SLO's latency) or slo (the scenario's objective as written).
    #[arg(long, default_value = "p99")]
    pub metric: KneeMetric,
    /// The lowest peak load to try, requests/s (default: a quarter of the scenario's).
    #[arg(long, value_name = "R")]
    pub from: Option<f64>,
    /// The highest peak load to try, requests/s (default: four times the scenario's).
    #[arg(long, value_name = "R")]
    pub to: Option<f64>,
    /// Loads on the grid from --from to --to, spaced geometrically.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u64).range(2..=200))]
    pub steps: u64,
    /// Halvings of each edge's bracket after the grid.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub bisections: u32,
    /// Runs per load (their values averaged).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub replications: u64,
    /// Threads to run on (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,
    /// Directory for knee.csv and knee.json (default: out/knee).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub(super) fn run(a: KneeArgs) -> Result<(), Failure> {
    let scenario = crate::scenario::load(&a.file).map_err(|e| Failure::Input(anyhow!("{e}")))?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join("knee"));
    super::run::check_writable(&out).map_err(Failure::Input)?;
    let spec = KneeSpec {
        metric: a.metric,
        from_per_sec: a.from,
        to_per_sec: a.to,
        steps: a.steps as usize,
        replications: a.replications,
        bisections: a.bisections,
    };
    let wall = std::time::Instant::now();
    let report = super::batch::in_pool(a.jobs, || find_knee(&scenario, &spec))?.map_err(|e| {
        let message = anyhow!("{}: {e}", a.file.display());
        match e {
            KneeError::Run(_) => Failure::Internal(message),
            _ => Failure::Input(message),
        }
    })?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| Failure::Internal(e.into()))?;
    super::write_files(&out, [("knee.csv", knee_csv(&report)), ("knee.json", json)])?;
    if !a.quiet {
        print!("{}", table(&report, scenario.file.slo.latency_secs));
        println!(
            "{} runs in {:.1} s; knee.csv and knee.json in {}",
            report.points.len() as u64 * a.replications,
            wall.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(())
}

fn edge_text(e: Option<Edge>, what: &str, first: bool, last: bool) -> String {
    match e {
        Some(e) => format!(
            "{what} between {:.1} and {:.1} requests/s at the peak\n",
            e.last_good_per_sec, e.first_bad_per_sec
        ),
        None if !first => format!("{what}: not even at the lowest load tried (lower --from)\n"),
        None if last => format!("{what}: not within the loads tried (raise --to)\n"),
        None => format!("{what}: no edge found\n"),
    }
}

/// The report a user reads: a row per load, then the two edges and the cost verdict.
fn table(r: &KneeReport, slo_secs: f64) -> String {
    let metric = match r.metric {
        KneeMetric::Slo => "within SLO".to_owned(),
        m => format!("{m:?} s").to_lowercase(),
    };
    let mut t = format!(
        "{}: the load scaled from its peak of {:.1} requests/s; {} judged against {} s\n",
        r.scenario, r.base_peak_per_sec, metric, slo_secs
    );
    t += &format!(
        "{:>10} {:>7} {:>11} {:>11} {:>8} {:>10} {:>5} {:>11} {:>9} {:>10}\n",
        "peak/s",
        "scale",
        "arrivals/s",
        "served/s",
        "served%",
        metric,
        "meets",
        "responding",
        "$",
        "$/million"
    );
    for p in &r.points {
        let value = if p.value.is_finite() {
            format!("{:.3}", p.value)
        } else {
            "failed".to_owned()
        };
        t += &format!(
            "{:>10.1} {:>7.3} {:>11.2} {:>11.2} {:>8.2} {:>10} {:>5} {:>11} {:>9.2} {:>10.3}{}\n",
            p.peak_per_sec,
            p.scale,
            p.arrivals_per_sec,
            p.throughput_per_sec,
            p.served_fraction * 100.0,
            value,
            if p.meets { "yes" } else { "no" },
            if p.responding { "yes" } else { "no" },
            p.cost_usd,
            p.cost_per_million_usd,
            if p.found == crate::batch::knee::Found::Bisection {
                "  (bisection)"
            } else {
                ""
            }
        );
    }
    let first_meets = r.points.first().is_some_and(|p| p.meets);
    let last_meets = r.points.last().is_some_and(|p| p.meets);
    let first_resp = r.points.first().is_some_and(|p| p.responding);
    let last_resp = r.points.last().is_some_and(|p| p.responding);
    t += &edge_text(
        r.objective_edge,
        "stops meeting its objective",
        first_meets,
        last_meets,
    );
    t += &edge_text(
        r.response_edge,
        "stops responding (serves under 90% of what arrives: throughput flat, queues growing)",
        first_resp,
        last_resp,
    );
    let costs: Vec<f64> = r
        .points
        .iter()
        .filter(|p| p.responding && p.cost_per_million_usd > 0.0)
        .map(|p| p.cost_per_million_usd)
        .collect();
    let range = match (
        costs.iter().copied().reduce(f64::min),
        costs.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) => format!("; ${lo:.3} to ${hi:.3} per million requests"),
        _ => String::new(),
    };
    t += &match (r.cost_growth, r.cost_slope) {
        (CostGrowth::Linear, Some(b)) => {
            format!("cost grows linearly with the load (log-log slope {b:.2}){range}\n")
        }
        (CostGrowth::SubLinear, Some(b)) => format!(
            "cost grows slower than the load (log-log slope {b:.2}: a fixed or minimum fleet \
             is shared by more requests){range}\n"
        ),
        (CostGrowth::SuperLinear, Some(b)) => format!(
            "cost grows faster than the load (log-log slope {b:.2}: each request costs more \
             as load grows){range}\n"
        ),
        _ => "cost growth: too few responding points to tell\n".to_owned(),
    };
    t
}
