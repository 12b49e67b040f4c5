//! `scalesim run`: one headless run.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;

use super::Failure;
use crate::metrics::{RunSummary, output};

/// Arguments of `scalesim run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Seed for every random stream (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated seconds to run (default: the scenario's `duration_secs`).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Directory for the output files (default: out/<scenario name>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Leave the first SECS of the run out of every figure (a steady-state study's
    /// warm-up), or `auto`: find it with MSER-5 on five pilot runs (default: the scenario's
    /// `warmup_secs`, if any).
    #[arg(long, value_name = "SECS|auto")]
    pub warmup: Option<crate::batch::warmup::Warmup>,
    /// Also draw the run's charts to DIR/plot.svg (as `scalesim plot` does).
    #[arg(long)]
    pub plot: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub(super) fn run(a: RunArgs) -> Result<(), Failure> {
    let (mut file, source) =
        crate::scenario::read(&a.file).map_err(|e| Failure::Input(anyhow!("{e}")))?;
    if let Some(seed) = a.seed {
        file.seed = seed;
    }
    if let Some(d) = a.duration {
        if !(d.is_finite() && d > 0.0) {
            return Err(Failure::Input(anyhow!(
                "--duration must be a number of seconds > 0, got {d}"
            )));
        }
        file.duration_secs = d;
    }
    let mut scenario = crate::scenario::Scenario::validate(file, &source)
        .map_err(|e| Failure::Input(anyhow!("{e}")))?;
    if !a.quiet {
        super::print_warnings(&scenario);
    }
    if let Some(w) = a.warmup {
        let chosen = crate::batch::warmup::choose(&mut scenario, w)
            .map_err(|e| Failure::Input(anyhow!("--warmup: {e}")))?;
        if !a.quiet {
            eprintln!("{}", super::batch::warmup_note(&scenario, &chosen, w));
        }
    }
    let out = a
        .out
        .unwrap_or_else(|| Path::new("out").join(sanitize(&scenario.file.name)));
    // Fail before a long run, not after it.
    check_writable(&out).map_err(Failure::Input)?;
    let scenario_ron = scenario
        .to_ron()
        .map_err(|e| Failure::Internal(anyhow!("cannot write the scenario back as RON: {e}")))?;
    let result = crate::batch::run(&scenario).map_err(|e| Failure::Internal(e.into()))?;
    let rec = result.recorder();
    let files: [(&str, String); 5] = [
        (
            "series.csv",
            output::series_csv(rec.rows(), rec.pool_names(), scenario.clock),
        ),
        (
            "services.csv",
            output::services_csv(
                rec.rows(),
                rec.pool_names(),
                &rec.service_groups(),
                scenario.clock,
            ),
        ),
        ("decisions.csv", output::decisions_csv(rec.decisions())),
        (
            "summary.json",
            output::summary_json(&result.summary).map_err(|e| Failure::Internal(e.into()))?,
        ),
        ("scenario.ron", scenario_ron),
    ];
    super::write_files(&out, files)?;
    if a.plot {
        let figure = crate::plot::load(&out).map_err(|e| Failure::Internal(anyhow!(e)))?;
        super::plot::write(&figure, &out.join("plot.svg"))?;
    }
    if !a.quiet {
        print!("{}", table(&result.summary, &out));
        if a.plot {
            println!("  chart      {}", out.join("plot.svg").display());
        }
    }
    Ok(())
}

/// Creates `dir` if needed and checks a file can be written in it, by writing and
/// removing a probe: permission bits alone do not tell (root ignores them; an immutable or
/// read-only-mounted directory refuses root too).
pub(super) fn check_writable(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
    let probe = dir.join(format!(".scalesim-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("cannot write in the output directory {}", dir.display()))?;
    std::fs::remove_file(&probe).with_context(|| {
        format!(
            "cannot remove {} from the output directory",
            probe.display()
        )
    })?;
    Ok(())
}

/// A file-name-safe version of a scenario name.
fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "run".into() } else { s }
}

/// Groups digits by thousands: 1234567 -> "1,234,567".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The vertical-scaling line of the summary table (empty when no pool changed type):
/// resizes, restarts, instance-hours by type and the types the pools end on.
fn types_line(s: &RunSummary) -> String {
    let i = &s.instances;
    if i.resizes == 0 && i.hours_by_type.len() < 2 {
        return String::new();
    }
    let hours: Vec<String> = i
        .hours_by_type
        .iter()
        .map(|(name, h)| format!("{name} {h:.1}"))
        .collect();
    let ends: Vec<String> = s
        .pools
        .iter()
        .map(|p| format!("{} on {}", p.name, p.instance_type))
        .collect();
    format!(
        "  types      {} resizes, {} instances restarted; instance-hours {}; ending {}\n",
        i.resizes,
        i.restarted,
        hours.join(", "),
        ends.join(", ")
    )
}

/// The summary table printed after a run.
pub fn table(s: &RunSummary, out: &Path) -> String {
    let r = &s.requests;
    let d = &r.dropped_by_reason;
    let l = &s.latency_secs;
    let h = (s.duration_secs / 3600.0).floor();
    let m = ((s.duration_secs - h * 3600.0) / 60.0).round();
    let mut t = String::new();
    t += &format!(
        "{}  (seed {}, from {} for {}h{:02}m = {} s simulated)\n",
        s.scenario, s.seed, s.start, h, m, s.duration_secs
    );
    if !s.description.is_empty() {
        t += &format!("  about      {}\n", s.description);
    }
    if s.warmup_secs > 0.0 {
        t += &format!(
            "  warm-up    the first {} s are left out of every figure below ({} requests in flight when it ended)\n",
            s.warmup_secs,
            thousands(s.requests.in_flight_at_warmup)
        );
    }
    t += &format!(
        "  requests   {} arrived, {} completed, {} dropped ({:.2}%), {} in flight at the end\n",
        thousands(r.arrived),
        thousands(r.completed),
        thousands(r.dropped),
        pct(r.dropped, r.arrived),
        thousands(r.in_flight)
    );
    if r.dropped > 0 {
        t += &format!(
            "  drops      queue full {}, no capacity {}, timeout {}, failure {}{}\n",
            thousands(d.queue_full),
            thousands(d.no_capacity),
            thousands(d.timeout),
            thousands(d.failure),
            if d.client_timeout > 0 {
                format!(", client timeout {}", thousands(d.client_timeout))
            } else {
                String::new()
            }
        );
    }
    if r.retries > 0 || r.abandoned_replies > 0 {
        t += &format!(
            "  retries    {} tries sent again ({:.2} per request); {} tries served after their client gave up\n",
            thousands(r.retries),
            r.retries as f64 / r.arrived.max(1) as f64,
            thousands(r.abandoned_replies)
        );
    }
    t += &format!(
        "  latency    of completed requests: mean {:.3} s  p50 {:.3}  p90 {:.3}  p95 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n",
        l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
    );
    if r.dropped > 0 {
        let c = &s.latency_counting_drops_secs;
        let q = |v: Option<f64>| v.map_or("failed".to_string(), |v| format!("{v:.3}"));
        t += &format!(
            "             counting drops as failures: p50 {}  p90 {}  p95 {}  p99 {}\n",
            q(c.p50),
            q(c.p90),
            q(c.p95),
            q(c.p99)
        );
    }
    let slo = &s.slo;
    t += &format!(
        "  SLO        {}% within {} s, drops count as misses: {:.2}% of requests ({})\n",
        slo.percentile,
        slo.latency_secs,
        100.0 * slo.within_target_fraction,
        if slo.met { "met" } else { "NOT met" },
    );
    t += &format!(
        "             {} s in violation: {} of {} windows of {} s missed it\n",
        slo.violation_secs, slo.violation_windows, slo.windows, slo.window_secs
    );
    const PERIODS_SHOWN: usize = 8;
    for (i, p) in slo.violation_periods.iter().enumerate() {
        if i == PERIODS_SHOWN {
            t += &format!(
                "             ... and {} more periods in summary.json\n",
                slo.violation_periods.len() - PERIODS_SHOWN
            );
            break;
        }
        let label = if i == 0 { "  broke" } else { "" };
        t += &format!("{label:<13}{}\n", p.describe());
    }
    let i = &s.instances;
    t += &format!(
        "  instances  max {}, {} launched, {:.1} instance-hours, {} capacity changes\n",
        i.max, i.launched, i.instance_hours, i.scaling_actions
    );
    t += &types_line(s);
    for p in &s.pools {
        t += &format!(
            "    {:<10} max {:>3}  {:>8.1} inst-h  utilisation {:>5.1}%  ${:.2}\n",
            p.name,
            p.max_instances,
            p.instance_hours,
            100.0 * p.utilisation_mean,
            p.cost_usd
        );
    }
    t += &format!(
        "  cost       ${:.2} (${:.3} per million requests)\n",
        s.cost_usd, s.cost_per_million_requests_usd
    );
    // With calls between services: what each service did with its visits, so the tier
    // that broke first reads off the table.
    let calls = s.services.iter().any(|v| v.visits != s.requests.arrived);
    if s.services.len() > 1 && calls {
        for (i, v) in s.services.iter().enumerate() {
            t += &format!(
                "{}{:<10} {} visits, {} dropped here, {} failed by a call, p99 {:.3} s\n",
                if i == 0 {
                    "  services   "
                } else {
                    "             "
                },
                v.name,
                thousands(v.visits),
                thousands(v.dropped),
                thousands(v.failed_by_calls),
                v.latency_secs.p99,
            );
        }
    }
    // Sharded services: each shard's share and latency, where the hot shard shows.
    for (i, sh) in s.shards.iter().enumerate() {
        let v = &sh.figures;
        t += &format!(
            "{}{:<10} {} visits ({:.1}%), {} dropped, p99 {:.3} s, utilisation {:.1}%\n",
            if i == 0 {
                "  shards     "
            } else {
                "             "
            },
            v.name,
            thousands(v.visits),
            pct(
                v.visits,
                s.services
                    .iter()
                    .find(|x| x.name == sh.service)
                    .map_or(0, |x| x.visits)
            ),
            thousands(v.dropped),
            v.latency_secs.p99,
            100.0 * v.utilisation_mean,
        );
    }
    if s.classes.len() > 1 {
        for (i, c) in s.classes.iter().enumerate() {
            t += &format!(
                "{}{:<10} {} arrived, {} dropped ({:.2}%), p99 {:.3} s, {:.2}% within target\n",
                if i == 0 {
                    "  classes    "
                } else {
                    "             "
                },
                c.name,
                thousands(c.arrived),
                thousands(c.dropped),
                pct(c.dropped, c.arrived),
                c.latency_secs.p99,
                100.0 * c.within_target_fraction
            );
        }
    }
    for (i, d) in s.days.iter().enumerate() {
        t += &format!(
            "{}{:<14} {} arrived, {} dropped, p99 {:.3} s, {} s in violation, max {} instances, ${:.2}\n",
            if i == 0 {
                "  days       "
            } else {
                "             "
            },
            d.day,
            thousands(d.arrived),
            thousands(d.dropped),
            d.p99_secs,
            d.violation_secs,
            d.max_instances,
            d.cost_usd
        );
    }
    let e = &s.engine;
    t += &format!(
        "  engine     {} events in {:.2} s: {:.2} M events/s, {:.2} M requests/s\n",
        thousands(e.events),
        e.wall_secs,
        e.events_per_sec / 1e6,
        e.requests_per_sec / 1e6
    );
    t += &format!(
        "  files      {}/{{series.csv, services.csv, summary.json, decisions.csv, scenario.ron}}\n",
        out.display()
    );
    t
}
