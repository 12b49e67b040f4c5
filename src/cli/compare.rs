//! `scalesim compare A B`: two designs on the same traffic, replicated with common random
//! numbers, and per metric the paired difference with its 95% interval and a verdict.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;
use rayon::prelude::*;

use super::Failure;
use crate::batch::many::{Difference, Verdict, compare, replication_seeds};
use crate::metrics::RunSummary;

/// Arguments of `scalesim compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The first design (the baseline).
    pub a: PathBuf,
    /// The second design, judged against the first.
    pub b: PathBuf,
    /// Paired runs of each (replication k of both uses the same seed, derived from A's).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub replications: u64,
    /// Leave the first SECS of every run out of its figures, or `auto`: MSER-5 on pilot
    /// runs of each design (see `batch --warmup`).
    #[arg(long, value_name = "SECS|auto")]
    pub warmup: Option<crate::batch::warmup::Warmup>,
    /// Directory for comparison.csv and comparison.json (default: print only).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(super) fn run(a: CompareArgs) -> Result<(), Failure> {
    let load = |p: &PathBuf| crate::scenario::load(p).map_err(|e| Failure::Input(anyhow!("{e}")));
    let (mut sa, mut sb) = (load(&a.a)?, load(&a.b)?);
    if let Some(w) = a.warmup {
        for s in [&mut sa, &mut sb] {
            let chosen = crate::batch::warmup::choose(s, w)
                .map_err(|e| Failure::Input(anyhow!("--warmup: {e}")))?;
            eprintln!("{}", super::batch::warmup_note(s, &chosen, w));
        }
    }
    if let Some(out) = &a.out {
        super::run::check_writable(out).map_err(Failure::Input)?;
    }
    // Common random numbers: both designs see the same requests in each replication.
    let seeds = replication_seeds(sa.file.seed, a.replications);
    let tasks: Vec<(bool, u64)> = seeds
        .iter()
        .flat_map(|s| [(false, *s), (true, *s)])
        .collect();
    let runs: Vec<Result<RunSummary, String>> = tasks
        .par_iter()
        .map(|&(is_b, seed)| {
            let mut s = if is_b { sb.clone() } else { sa.clone() };
            s.file.seed = seed;
            crate::batch::run(&s)
                .map(|o| o.summary)
                .map_err(|e| format!("{}: {e}", s.file.name))
        })
        .collect();
    let mut ra = Vec::new();
    let mut rb = Vec::new();
    for ((is_b, _), r) in tasks.iter().zip(runs) {
        let s = r.map_err(|e| Failure::Internal(anyhow!(e)))?;
        if *is_b {
            rb.push(s);
        } else {
            ra.push(s);
        }
    }
    let diffs = compare(&ra, &rb);
    print!(
        "{}",
        table(&sa.file.name, &sb.file.name, a.replications, &diffs)
    );
    if let Some(out) = &a.out {
        let json = serde_json::to_string_pretty(&diffs).map_err(|e| Failure::Internal(e.into()))?;
        super::write_files(
            out,
            [("comparison.csv", csv(&diffs)), ("comparison.json", json)],
        )?;
    }
    Ok(())
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::NoSignificantDifference => "no significant difference",
    }
}

fn table(a: &str, b: &str, n: u64, diffs: &[Difference]) -> String {
    let mut t = format!(
        "{b} against {a}: {n} paired replication(s) on the same traffic (common random numbers)\n"
    );
    t += &format!(
        "{:<20} {:>14} {:>14} {:>26}  {}\n",
        "metric", a, b, "B - A (95%)", "verdict"
    );
    for d in diffs {
        t += &format!(
            "{:<20} {:>14.6} {:>14.6} {:>26}  {}\n",
            d.metric,
            d.a,
            d.b,
            format!("{:+.6} ± {:.6}", d.diff.mean, d.diff.ci95),
            verdict_text(d.verdict)
        );
    }
    if n == 1 {
        t += "one replication gives no interval: use --replications 5 or more for a verdict\n";
    }
    t
}

fn csv(diffs: &[Difference]) -> String {
    let mut t = String::from("metric,a,b,diff,diff_ci95,verdict\n");
    for d in diffs {
        t += &format!(
            "{},{:.6},{:.6},{:.6},{:.6},{}\n",
            d.metric,
            d.a,
            d.b,
            d.diff.mean,
            d.diff.ci95,
            verdict_text(d.verdict).replace(' ', "_")
        );
    }
    t
}
