//! Which plots the app draws, in order, and the series each one shows: the one list
//! the plots, the plot chooser and the tests read.

use egui::Color32;

use super::super::theme::series::{BLUE, GREEN, GREY, MAGENTA, ORANGE, PURPLE, RED};
use crate::metrics::{DropReason, IntervalRow};

/// A series: its label, how to read it from a row, its own colour (single design).
pub(super) struct Series {
    /// Its legend name.
    pub(super) label: &'static str,
    /// How to read it from an interval's row.
    pub(super) value: fn(&IntervalRow) -> f64,
    /// Its colour when a single design is drawn.
    pub(super) colour: Color32,
    /// When it is drawn: with one design, with several, or both. Comparing keeps each
    /// plot to its one or two telling series, in the designs' colours.
    pub(super) when: When,
}

/// When a series is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// With one design and with several.
    Always,
    /// With one design only.
    Single,
    /// Only when designs are compared.
    Compare,
}

fn per_sec(r: &IntervalRow, n: u64) -> f64 {
    n as f64 / (r.end_secs - r.start_secs).max(f64::MIN_POSITIVE)
}

fn drop_series(reason: DropReason) -> fn(&IntervalRow) -> f64 {
    match reason {
        DropReason::QueueFull => |r| per_sec(r, r.drops[0]),
        DropReason::NoCapacity => |r| per_sec(r, r.drops[1]),
        DropReason::Timeout => |r| per_sec(r, r.drops[2]),
        DropReason::Failure => |r| per_sec(r, r.drops[3]),
        DropReason::ClientTimeout => |r| per_sec(r, r.drops[4]),
    }
}

/// Which plots, in order: title, y label, series.
pub(super) fn panels() -> Vec<(&'static str, &'static str, Vec<Series>)> {
    // `s`: shown for a single design only; `c`: also when comparing; `o`: only then.
    let s = |label, value, colour| Series {
        label,
        value,
        colour,
        when: When::Single,
    };
    let c = |label, value, colour| Series {
        when: When::Always,
        ..s(label, value, colour)
    };
    let o = |label, value, colour| Series {
        when: When::Compare,
        ..s(label, value, colour)
    };
    vec![
        (
            "Traffic",
            "requests/s",
            vec![
                c("arrivals/s", IntervalRow::arrivals_per_sec, BLUE),
                c("capacity/s", IntervalRow::capacity_per_sec, GREEN),
                s("offered/s", |r| r.offered_per_sec, GREY),
            ],
        ),
        (
            "Latency",
            "seconds",
            vec![
                s("p50", |r| r.latency.p50, GREEN),
                s("p95", |r| r.latency.p95, ORANGE),
                c("p99", |r| r.latency.p99, RED),
            ],
        ),
        (
            "Instances",
            "instances",
            vec![
                c("in service", |r| f64::from(r.in_service()), BLUE),
                s(
                    "booting",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.booting)).sum(),
                    ORANGE,
                ),
                s(
                    "draining",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.draining)).sum(),
                    PURPLE,
                ),
                s(
                    "failed",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.failed)).sum(),
                    RED,
                ),
                s(
                    "desired",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.desired)).sum(),
                    GREY,
                ),
            ],
        ),
        (
            "Cost",
            "$/hour",
            vec![c("$/h", IntervalRow::cost_usd_per_hour, GREEN)],
        ),
        (
            "Cumulative cost",
            "$",
            vec![c("$ total", |r| r.cost_cumulative_usd, GREEN)],
        ),
        (
            "Utilisation",
            "%",
            vec![c("busy workers %", |r| r.utilisation * 100.0, BLUE)],
        ),
        (
            "Queue",
            "requests",
            vec![
                c(
                    "queued, all instances (mean)",
                    |r| r.queue_total_mean,
                    ORANGE,
                ),
                s(
                    "queued per instance (mean)",
                    |r| r.queue_per_instance_mean,
                    PURPLE,
                ),
                s("in flight (mean)", |r| r.in_flight_mean, BLUE),
            ],
        ),
        (
            "Drops",
            "requests/s",
            vec![
                s("queue full", drop_series(DropReason::QueueFull), ORANGE),
                s("no capacity", drop_series(DropReason::NoCapacity), RED),
                s("timeout", drop_series(DropReason::Timeout), PURPLE),
                s("failure", drop_series(DropReason::Failure), GREY),
                s(
                    "client timeout",
                    drop_series(DropReason::ClientTimeout),
                    MAGENTA,
                ),
                o("all drops", |r| per_sec(r, r.dropped()), RED),
            ],
        ),
    ]
}
