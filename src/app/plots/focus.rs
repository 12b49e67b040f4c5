//! The plots of one service: a run's rows seen from a service's pools (every shard of a
//! sharded one), so every plot shows that service's visits, latency, instances, queue,
//! utilisation and cost instead of the whole request's. Clicking a service in the
//! topology, or picking it above the plots, shows it.

use crate::metrics::IntervalRow;

/// `rows` as service `pools` saw them. What is about the service comes from its pools:
/// arrivals are the visits that reached them, completions and drops theirs, latency from
/// their balancer to their reply (for several shards: the mean weighted by replies, and
/// the slowest shard's percentiles, an upper bound for the service's), utilisation
/// weighted by instances in service, queues and cost added up (the cumulative cost is the
/// service's own). What is about the client stays the whole request's: the offered rate,
/// requests in flight, the share within the objective, retries.
pub fn focus_rows(rows: &[IntervalRow], pools: &[usize]) -> Vec<IntervalRow> {
    let mut cumulative = 0.0;
    rows.iter()
        .map(|r| {
            let mine: Vec<_> = pools.iter().filter_map(|p| r.pools.get(*p)).collect();
            let mut out = IntervalRow {
                pools: mine.iter().map(|p| (*p).clone()).collect(),
                ..r.clone()
            };
            out.arrivals = mine.iter().map(|p| p.visits).sum();
            out.completed = mine.iter().map(|p| p.completed).sum();
            out.drops = Default::default();
            for p in &mine {
                for (d, x) in out.drops.iter_mut().zip(p.drops) {
                    *d += x;
                }
            }
            let replied: u64 = out.completed;
            out.latency = Default::default();
            if replied > 0 {
                out.latency.mean = mine
                    .iter()
                    .map(|p| p.latency.mean * p.completed as f64)
                    .sum::<f64>()
                    / replied as f64;
            }
            for p in &mine {
                let l = &p.latency;
                out.latency.p50 = out.latency.p50.max(l.p50);
                out.latency.p90 = out.latency.p90.max(l.p90);
                out.latency.p95 = out.latency.p95.max(l.p95);
                out.latency.p99 = out.latency.p99.max(l.p99);
                out.latency.max = out.latency.max.max(l.max);
            }
            let serving: u32 = mine.iter().map(|p| p.snapshot.in_service).sum();
            out.utilisation = if serving > 0 {
                mine.iter()
                    .map(|p| p.utilisation * f64::from(p.snapshot.in_service))
                    .sum::<f64>()
                    / f64::from(serving)
            } else {
                mine.iter().map(|p| p.utilisation).fold(0.0, f64::max)
            };
            out.queue_total_mean = mine.iter().map(|p| p.queue_total_mean).sum();
            out.queue_per_instance_mean = if serving > 0 {
                out.queue_total_mean / f64::from(serving)
            } else {
                0.0
            };
            out.cost_usd = mine.iter().map(|p| p.cost_usd).sum();
            cumulative += out.cost_usd;
            out.cost_cumulative_usd = cumulative;
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{LatencyStats, PoolRow};

    fn pool(visits: u64, completed: u64, p99: f64, in_service: u32, cost: f64) -> PoolRow {
        let mut p = PoolRow {
            visits,
            completed,
            latency: LatencyStats {
                mean: p99 / 4.0,
                p99,
                ..LatencyStats::default()
            },
            utilisation: 0.5,
            queue_total_mean: 2.0,
            cost_usd: cost,
            ..PoolRow::default()
        };
        p.snapshot.in_service = in_service;
        p.drops[0] = visits - completed;
        p
    }

    #[test]
    fn a_service_row_adds_its_shards_up() {
        // Two shards of db (pools 1 and 2) beside web (pool 0). db's row: 30 + 10 visits,
        // 25 + 10 replies, 5 queue-full drops, the slower shard's p99 (0.4 s), a mean
        // weighted by replies ((25 × 0.1 + 10 × 0.025) / 35 = 0.0786), three instances,
        // queues 2 + 2, cost 0.1 + 0.2 and, over two rows, 0.6 in all.
        let row = IntervalRow {
            start_secs: 0.0,
            end_secs: 10.0,
            arrivals: 50,
            completed: 50,
            cost_usd: 9.0,
            pools: vec![
                pool(50, 50, 1.0, 4, 9.0),
                pool(30, 25, 0.4, 2, 0.1),
                pool(10, 10, 0.1, 1, 0.2),
            ],
            ..IntervalRow::default()
        };
        let rows = focus_rows(&[row.clone(), row], &[1, 2]);
        let r = &rows[1];
        assert_eq!((r.arrivals, r.completed, r.dropped()), (40, 35, 5));
        assert_eq!(r.latency.p99, 0.4);
        assert!((r.latency.mean - (25.0 * 0.1 + 10.0 * 0.025) / 35.0).abs() < 1e-12);
        assert_eq!(r.in_service(), 3);
        assert_eq!(r.queue_total_mean, 4.0);
        assert!((r.cost_usd - 0.3).abs() < 1e-12);
        assert!((r.cost_cumulative_usd - 0.6).abs() < 1e-12);
        assert_eq!(r.pools.len(), 2);
    }
}
