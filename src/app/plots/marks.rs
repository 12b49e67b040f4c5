//! What the plots mark besides their lines: the spans of time in which a cause was at
//! work (arrivals above the capacity serving them, instances booting), and the kind of
//! each scaling decision (applied, held back, a replacement).

use egui::Color32;

use crate::metrics::{Decision, IntervalRow, REPLACEMENT_POLICY};

/// A cause the plots shade behind their lines, on the plots it explains.
#[derive(Clone, Copy)]
pub struct Cause {
    /// Its legend name (also the last part of its key among hidden series).
    pub label: &'static str,
    /// Whether it was at work in an interval.
    pub holds: fn(&IntervalRow) -> bool,
    /// Its colour (drawn faint).
    pub colour: Color32,
    /// The plots it is drawn on; empty: all of them.
    pub plots: &'static [&'static str],
}

impl Cause {
    /// Whether it is drawn on the plot titled `title`.
    pub fn on(&self, title: &str) -> bool {
        self.plots.is_empty() || self.plots.contains(&title)
    }
}

/// The causes, in legend order: overload on every plot (so the latency, queues and drops
/// it caused line up with it), booting where capacity is read.
pub const CAUSES: [Cause; 2] = [
    Cause {
        label: "arrivals > capacity",
        holds: overloaded,
        colour: super::super::theme::series::OVERLOAD,
        plots: &[],
    },
    Cause {
        label: "booting",
        holds: booting,
        colour: super::super::theme::series::BOOTING,
        plots: &["Traffic", "Latency", "Instances"],
    },
];

/// Whether arrivals in the interval exceeded what the instances in service could serve
/// (with several pools, the bottleneck's share: see [`IntervalRow::capacity_per_sec`]):
/// the cause a queue grows from, so the plots shade it on every panel.
pub fn overloaded(r: &IntervalRow) -> bool {
    r.arrivals > 0 && r.arrivals_per_sec() > r.capacity_per_sec()
}

/// Whether any instance was booting at the end of the interval: capacity bought but not
/// yet serving (the delay between a decision and its effect).
pub fn booting(r: &IntervalRow) -> bool {
    r.pools.iter().any(|p| p.snapshot.booting > 0)
}

/// The spans `(start_secs, end_secs)` of consecutive intervals for which `holds` is true,
/// among the intervals that overlap `(x0, x1)`. Spans less than `min_gap_secs` apart are
/// merged: a gap narrower than a pixel cannot be seen, and a week of alternating
/// intervals would otherwise cost thousands of shapes.
pub fn spans(
    rows: &[IntervalRow],
    holds: impl Fn(&IntervalRow) -> bool,
    (x0, x1): (f64, f64),
    min_gap_secs: f64,
) -> Vec<(f64, f64)> {
    let lo = rows.partition_point(|r| r.end_secs < x0);
    let hi = rows.partition_point(|r| r.start_secs <= x1).max(lo);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for r in rows[lo..hi].iter().filter(|r| holds(r)) {
        match out.last_mut() {
            Some(last) if r.start_secs - last.1 <= min_gap_secs => last.1 = r.end_secs,
            _ => out.push((r.start_secs, r.end_secs)),
        }
    }
    out
}

/// What a logged decision did to its pool's capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    /// It changed the desired count (or resized the instances).
    Applied,
    /// The policy asked for a change that a cooldown, a stabilisation window or a limit
    /// held back: the desired count stayed.
    Held,
    /// A failed instance was replaced: the count stayed, an instance was bought.
    Replacement,
}

impl DecisionKind {
    /// The kind of `d`.
    pub fn of(d: &Decision) -> DecisionKind {
        if d.policy == REPLACEMENT_POLICY {
            DecisionKind::Replacement
        } else if d.to == d.from && d.resize.is_none() && d.raw_desired != d.from {
            DecisionKind::Held
        } else {
            DecisionKind::Applied
        }
    }

    /// Every kind, in legend order.
    pub const ALL: [DecisionKind; 3] = [
        DecisionKind::Applied,
        DecisionKind::Held,
        DecisionKind::Replacement,
    ];

    /// Its legend name.
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Applied => "scaling decisions",
            DecisionKind::Held => "held decisions",
            DecisionKind::Replacement => "replacements",
        }
    }

    /// Where its marker sits on the instances axis: an applied or replacement decision at
    /// the count it set, a held one at the count it asked for (the gap to the line is
    /// what was held back).
    pub fn marker_y(self, d: &Decision) -> f64 {
        match self {
            DecisionKind::Held => f64::from(d.raw_desired),
            DecisionKind::Applied | DecisionKind::Replacement => f64::from(d.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::PoolRow;

    fn row(i: u32, arrivals: u64, capacity_per_sec: f64, booting: u32) -> IntervalRow {
        let mut pool = PoolRow::default();
        pool.snapshot.capacity_per_sec = capacity_per_sec;
        pool.snapshot.booting = booting;
        IntervalRow {
            start_secs: f64::from(i) * 10.0,
            end_secs: f64::from(i + 1) * 10.0,
            arrivals,
            pools: vec![pool],
            ..IntervalRow::default()
        }
    }

    #[test]
    fn overload_spans_cover_the_intervals_where_arrivals_exceed_capacity() {
        // Intervals of 10 s at 10 req/s capacity. Arrivals 50, 150, 150, 50, 150, 50:
        // 15 req/s > 10 in intervals 1, 2 and 4. Spans 10..30 and 40..50.
        let rows: Vec<IntervalRow> = [50, 150, 150, 50, 150, 50]
            .iter()
            .enumerate()
            .map(|(i, a)| row(i as u32, *a, 10.0, 0))
            .collect();
        let all = (f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(
            spans(&rows, overloaded, all, 0.0),
            vec![(10.0, 30.0), (40.0, 50.0)]
        );
        // A gap of one interval (10 s) merged when a pixel is wider than that.
        assert_eq!(spans(&rows, overloaded, all, 10.0), vec![(10.0, 50.0)]);
        // Only what overlaps the view: 35..60 holds the second span only.
        assert_eq!(
            spans(&rows, overloaded, (35.0, 60.0), 0.0),
            vec![(40.0, 50.0)]
        );
        // No traffic is not overload, even with no capacity.
        assert!(!overloaded(&row(0, 0, 0.0, 0)));
        assert!(overloaded(&row(0, 1, 0.0, 0)));
        // web -> db, each 10 req/s, every request visits both: 150 in 10 s is 15 req/s,
        // over the bottleneck's 10 (not the 20 the two add up to). With db at 20 req/s
        // and only a third of requests calling it, db could take 60: web's 10 decides.
        let mut two = row(0, 150, 10.0, 0);
        two.pools[0].visits = 150;
        two.pools.push(two.pools[0].clone());
        assert_eq!(two.capacity_per_sec(), 10.0);
        assert!(overloaded(&two));
        two.pools[1].visits = 50;
        two.pools[1].snapshot.capacity_per_sec = 20.0;
        assert_eq!(two.capacity_per_sec(), 10.0);
        two.arrivals = 90;
        two.pools[0].visits = 90;
        assert!(!overloaded(&two));
    }

    #[test]
    fn booting_spans_follow_the_booting_count() {
        let rows = [row(0, 0, 1.0, 0), row(1, 0, 1.0, 2), row(2, 0, 1.0, 0)];
        let all = (f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(spans(&rows, booting, all, 0.0), vec![(10.0, 20.0)]);
    }

    #[test]
    fn decisions_are_told_apart_by_what_they_did() {
        let d = |policy: &str, from, raw_desired, to| Decision {
            time_secs: 0.0,
            clock: String::new(),
            pool: "web".into(),
            policy: policy.into(),
            metric: None,
            unit: None,
            metric_value: None,
            target: None,
            from,
            raw_desired,
            to,
            reason: String::new(),
            resize: None,
        };
        let applied = d("target-tracking", 4, 6, 6);
        assert_eq!(DecisionKind::of(&applied), DecisionKind::Applied);
        assert_eq!(DecisionKind::Applied.marker_y(&applied), 6.0);
        // Asked for 3, held at 4 by the scale-in window: marked at 3.
        let held = d("target-tracking", 4, 3, 4);
        assert_eq!(DecisionKind::of(&held), DecisionKind::Held);
        assert_eq!(DecisionKind::Held.marker_y(&held), 3.0);
        // Clamped part of the way (asked 12, max 8) is still a change: applied.
        assert_eq!(
            DecisionKind::of(&d("step", 4, 12, 8)),
            DecisionKind::Applied
        );
        assert_eq!(
            DecisionKind::of(&d(REPLACEMENT_POLICY, 4, 4, 4)),
            DecisionKind::Replacement
        );
        // A vertical resize keeps the count and is applied.
        let resize = Decision {
            resize: Some(("m5.large".into(), "m5.xlarge".into())),
            ..d("vertical", 4, 4, 4)
        };
        assert_eq!(DecisionKind::of(&resize), DecisionKind::Applied);
    }
}
