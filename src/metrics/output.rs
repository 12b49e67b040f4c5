//! Writing results: `series.csv`, `decisions.csv`, `summary.json`, each written to a
//! temporary file beside the target and renamed, so a reader never sees half a file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::Decision;
use super::DropReason;
use super::recorder::IntervalRow;
use super::summary::RunSummary;
use crate::model::clock::WeekClock;
use crate::sim::SimTime;

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed
/// to disk, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `series.csv`: one row per interval with a header row. `time_secs` is the interval's
/// start; pools get their own columns when there is more than one. `forecast_per_sec` is
/// what a predictive policy expected for the interval (empty without one);
/// `instances_failed` counts crashed instances not yet replaced; `retries` the tries
/// clients sent again, and `abandoned_replies` the tries served after their client had
/// given up on them.
pub fn series_csv(rows: &[IntervalRow], pool_names: &[String], clock: WeekClock) -> String {
    let mut out = String::with_capacity(rows.len() * 256 + 512);
    out.push_str("time_secs,clock,offered_per_sec,arrivals_per_sec,completed,");
    for r in DropReason::ALL {
        let _ = write!(out, "dropped_{},", r.as_str());
    }
    out.push_str(
        "in_flight,in_flight_mean,latency_mean_secs,latency_p50_secs,latency_p90_secs,latency_p95_secs,\
         latency_p99_secs,latency_max_secs,within_slo,instances_booting,instances_in_service,\
         instances_draining,desired,capacity_per_sec,utilisation,queue_total_mean,\
         queue_per_instance_mean,cost_usd,cost_usd_per_hour,\
         cost_cumulative_usd,forecast_per_sec,instances_failed,retries,abandoned_replies",
    );
    let per_pool = pool_names.len() > 1;
    if per_pool {
        for p in pool_names {
            for col in [
                "booting",
                "in_service",
                "draining",
                "failed",
                "desired",
                "capacity_per_sec",
                "utilisation",
                "queue_total_mean",
                "queue_per_instance_mean",
            ] {
                let _ = write!(out, ",{p}_{col}");
            }
        }
    }
    out.push('\n');
    for r in rows {
        let sum = |f: fn(&super::PoolRow) -> u32| r.pools.iter().map(f).sum::<u32>();
        let _ = write!(
            out,
            "{},{},{:.3},{:.3},{},",
            fmt_secs(r.start_secs),
            clock.label(SimTime::from_secs_f64(r.start_secs)),
            r.offered_per_sec,
            r.arrivals_per_sec(),
            r.completed
        );
        for d in r.drops {
            let _ = write!(out, "{d},");
        }
        let l = &r.latency;
        let _ = write!(
            out,
            "{},{:.3},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.5},{},{},{},{},{:.3},{:.5},{:.3},{:.3},{:.6},{:.4},{:.6}",
            r.in_flight,
            r.in_flight_mean,
            l.mean,
            l.p50,
            l.p90,
            l.p95,
            l.p99,
            l.max,
            r.within_slo,
            sum(|p| p.snapshot.booting),
            sum(|p| p.snapshot.in_service),
            sum(|p| p.snapshot.draining),
            sum(|p| p.snapshot.desired),
            r.capacity_per_sec(),
            r.utilisation,
            r.queue_total_mean,
            r.queue_per_instance_mean,
            r.cost_usd,
            r.cost_usd_per_hour(),
            r.cost_cumulative_usd
        );
        // Empty when no policy forecasts (or it has too little history yet).
        out.push(',');
        if let Some(f) = r.forecast_per_sec() {
            let _ = write!(out, "{f:.3}");
        }
        let _ = write!(
            out,
            ",{},{},{}",
            sum(|p| p.snapshot.failed),
            r.retries,
            r.abandoned_replies
        );
        if per_pool {
            for p in &r.pools {
                let s = &p.snapshot;
                let _ = write!(
                    out,
                    ",{},{},{},{},{},{:.3},{:.5},{:.3},{:.3}",
                    s.booting,
                    s.in_service,
                    s.draining,
                    s.failed,
                    s.desired,
                    s.capacity_per_sec,
                    p.utilisation,
                    p.queue_total_mean,
                    p.queue_per_instance_mean
                );
            }
        }
        out.push('\n');
    }
    out
}

fn fmt_secs(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.3}")
    }
}

/// `services.csv`: per-service figures in long form, one row per interval and pool (a
/// sharded service has a pool per shard: `service` names it, `shard` numbers it, `pool`
/// is `name[shard]`; empty `shard` for a service that is not sharded). `visits_per_sec`
/// counts every visit that reached the pool's balancer (requests, calls, clients' tries);
/// latencies are from its balancer to its reply, of the visits it replied to in the
/// interval (zeros when none did).
pub fn services_csv(
    rows: &[IntervalRow],
    pool_names: &[String],
    services: &[super::ServiceGroup],
    clock: WeekClock,
) -> String {
    // Which service and shard each pool is.
    let mut of_pool: Vec<(&str, Option<usize>)> = vec![("", None); pool_names.len()];
    for g in services {
        for (k, &p) in g.pools.iter().enumerate() {
            if let Some(slot) = of_pool.get_mut(p) {
                *slot = (g.name.as_str(), g.sharded.then_some(k));
            }
        }
    }
    let mut out = String::with_capacity(rows.len() * pool_names.len() * 160 + 256);
    out.push_str(
        "time_secs,clock,service,shard,pool,visits_per_sec,completed,dropped,failed_by_calls,\
         latency_mean_secs,latency_p50_secs,latency_p99_secs,utilisation,queue_total_mean,\
         instances_in_service,instances_failed,cost_usd\n",
    );
    for r in rows {
        let span = r.end_secs - r.start_secs;
        let start = fmt_secs(r.start_secs);
        let label = clock.label(SimTime::from_secs_f64(r.start_secs));
        for (i, p) in r.pools.iter().enumerate() {
            let (service, shard) = of_pool.get(i).copied().unwrap_or(("", None));
            let name = pool_names.get(i).map_or("", String::as_str);
            let _ = writeln!(
                out,
                "{start},{label},{},{},{},{:.3},{},{},{},{:.6},{:.6},{:.6},{:.5},{:.3},{},{},{:.6}",
                if service.is_empty() { name } else { service },
                shard.map(|k| k.to_string()).unwrap_or_default(),
                name,
                if span > 0.0 {
                    p.visits as f64 / span
                } else {
                    0.0
                },
                p.completed,
                p.drops.iter().sum::<u64>(),
                p.failed_by_calls,
                p.latency.mean,
                p.latency.p50,
                p.latency.p99,
                p.utilisation,
                p.queue_total_mean,
                p.snapshot.in_service,
                p.snapshot.failed,
                p.cost_usd,
            );
        }
    }
    out
}

/// `decisions.csv`: every capacity decision with its reason. `type_from` and `type_to` are
/// filled only for a vertical resize, whose count (`from`, `to`) stays the same.
pub fn decisions_csv(decisions: &[Decision]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail; errors would only come from the sink.
    let _ = w.write_record([
        "time_secs",
        "clock",
        "pool",
        "policy",
        "metric",
        "unit",
        "metric_value",
        "target",
        "from",
        "raw_desired",
        "to",
        "type_from",
        "type_to",
        "reason",
    ]);
    for d in decisions {
        let _ = w.write_record([
            fmt_secs(d.time_secs),
            d.clock.clone(),
            d.pool.clone(),
            d.policy.clone(),
            d.metric.unwrap_or_default().to_string(),
            d.unit.unwrap_or_default().to_string(),
            d.metric_value
                .map(|v| format!("{v:.4}"))
                .unwrap_or_default(),
            d.target.map(|v| format!("{v:.4}")).unwrap_or_default(),
            d.from.to_string(),
            d.raw_desired.to_string(),
            d.to.to_string(),
            d.resize.as_ref().map(|r| r.0.clone()).unwrap_or_default(),
            d.resize.as_ref().map(|r| r.1.clone()).unwrap_or_default(),
            d.reason.clone(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `summary.json`, pretty-printed.
pub fn summary_json(summary: &RunSummary) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(summary).map(|mut s| {
        s.push('\n');
        s
    })
}
