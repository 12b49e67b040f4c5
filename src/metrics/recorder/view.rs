//! Read access to a recorder's run totals, for the summary: what `RunSummary` reads,
//! over the closed intervals (after the warm-up, if there was one).

use super::*;

/// Read access to the run totals for the summary (closed intervals only).
pub(in crate::metrics) struct RunView<'a> {
    pub(super) rec: &'a Recorder,
}

impl RunView<'_> {
    pub(in crate::metrics) fn arrivals(&self) -> u64 {
        self.rec.total.arrivals
    }
    pub(in crate::metrics) fn completed(&self) -> u64 {
        self.rec.total.completed
    }
    pub(in crate::metrics) fn drops(&self) -> [u64; DropReason::COUNT] {
        self.rec.total.drops
    }
    pub(in crate::metrics) fn in_flight(&self) -> u64 {
        self.rec.in_flight.value
    }
    pub(in crate::metrics) fn retries(&self) -> u64 {
        self.rec.total.retries
    }
    pub(in crate::metrics) fn abandoned_replies(&self) -> u64 {
        self.rec.total.abandoned_replies
    }
    pub(in crate::metrics) fn within_slo(&self) -> u64 {
        self.rec.total.within_slo
    }
    pub(in crate::metrics) fn mean_latency_secs(&self) -> f64 {
        let t = &self.rec.total;
        if t.completed == 0 {
            0.0
        } else {
            t.latency_sum_ns as f64 / t.completed as f64 / 1e9
        }
    }
    pub(in crate::metrics) fn mean_wait_secs(&self) -> f64 {
        let t = &self.rec.total;
        if t.started == 0 {
            0.0
        } else {
            t.wait_sum_ns as f64 / t.started as f64 / 1e9
        }
    }
    pub(in crate::metrics) fn hist(&self) -> &LatencyHistogram {
        &self.rec.hist_run
    }
    pub(in crate::metrics) fn in_flight_area_ns(&self) -> u128 {
        self.rec.in_flight_area_run
    }
    /// The services, each with its pools.
    pub(in crate::metrics) fn services(&self) -> Vec<ServiceGroup> {
        self.rec.service_groups()
    }
    /// Each pool's visits, with its name.
    pub(in crate::metrics) fn visits(&self) -> impl Iterator<Item = (&str, &VisitCounts)> {
        self.rec
            .pool_names
            .iter()
            .zip(&self.rec.pools)
            .map(|(n, p)| (n.as_str(), &p.visits))
    }
    pub(in crate::metrics) fn pools(
        &self,
    ) -> impl Iterator<Item = (&str, u128, u128, u128, u64, f64)> {
        self.rec
            .pool_names
            .iter()
            .zip(&self.rec.pools)
            .map(|(n, p)| {
                (
                    n.as_str(),
                    p.busy_area_run,
                    p.workers_area_run,
                    p.live_area_run,
                    p.max_live,
                    p.cost_usd,
                )
            })
    }
    pub(in crate::metrics) fn cost_usd(&self) -> f64 {
        self.rec.cost_total_usd - self.rec.cost_warmup_usd
    }
    pub(in crate::metrics) fn in_flight_at_warmup(&self) -> u64 {
        self.rec.in_flight_at_warmup
    }
    /// Seconds after the start where the figures start (the end of the warm-up).
    pub(in crate::metrics) fn measured_from_secs(&self) -> f64 {
        self.rec.measured_from.as_secs_f64()
    }
    pub(in crate::metrics) fn max_live(&self) -> u64 {
        self.rec.max_live_total
    }
    pub(in crate::metrics) fn launched(&self) -> u64 {
        self.rec.launched
    }
    pub(in crate::metrics) fn rows(&self) -> &[IntervalRow] {
        &self.rec.rows
    }
    /// The decisions taken after the warm-up (all of them without one).
    pub(in crate::metrics) fn decisions(&self) -> &[Decision] {
        let from = self.measured_from_secs();
        let first = self.rec.decisions.partition_point(|d| d.time_secs < from);
        &self.rec.decisions[first..]
    }
    pub(in crate::metrics) fn slo(&self) -> SloTarget {
        self.rec.slo
    }
    /// Seconds of SLO windows that missed the objective, missed windows, all windows.
    pub(in crate::metrics) fn slo_violation(&self) -> (f64, u64, u64) {
        let (missed, all) = self.rec.slo_windows.window_counts();
        (self.rec.slo_windows.violation_secs(), missed, all)
    }
    pub(in crate::metrics) fn slo_window_secs(&self) -> f64 {
        self.rec.slo_windows.window_secs()
    }
    pub(in crate::metrics) fn violation_periods(&self) -> impl Iterator<Item = &ViolationPeriod> {
        self.rec.slo_windows.periods()
    }
    pub(in crate::metrics) fn classes(&self) -> &[ClassCounts] {
        &self.rec.classes
    }
    /// Latencies by calendar day, with the start of day 0 in seconds before the run start.
    pub(in crate::metrics) fn day_hists(&self) -> (&[LatencyHistogram], f64) {
        (&self.rec.day_hists, self.rec.day_offset_ns as f64 / 1e9)
    }

    /// The facts of the type called `name`, if a pool ran it.
    pub(in crate::metrics) fn type_facts(&self, name: &str) -> Option<&TypeFacts> {
        self.rec
            .type_facts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f)
    }

    /// Per pool: its instance type at the end, instances restarted on another type, and
    /// instance-hours by type (in order of first use) up to the end of the last interval.
    pub(in crate::metrics) fn types(&self) -> impl Iterator<Item = (&str, u64, Vec<(&str, f64)>)> {
        let end_ns = self.rec.interval_start.as_nanos();
        self.rec.types.iter().map(move |t| {
            let hours = t
                .live
                .iter()
                .map(|(name, level)| {
                    let open =
                        u128::from(level.value) * u128::from(end_ns.saturating_sub(level.since));
                    (name.as_str(), (level.area + open) as f64 / 3600e9)
                })
                .collect();
            (t.current.as_str(), t.restarted, hours)
        })
    }
}
