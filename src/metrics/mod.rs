//! What a run records, aggregated per interval so memory never grows with the number of
//! requests: counters, latency histograms, time-weighted levels, costs, and the log of
//! capacity decisions. Also the run summary and the CSV/JSON writers.

mod histogram;
pub mod output;
mod recorder;
mod slo;
mod summary;

pub use histogram::LatencyHistogram;
pub use recorder::{
    Decision, IntervalRow, LatencyStats, PoolRow, PoolSnapshot, REPLACEMENT_POLICY, Recorder,
    SloTarget, TypeFacts,
};
pub use slo::ViolationPeriod;
pub use summary::{
    ClassSummary, DaySummary, EngineFigures, LatencyCountingDrops, Miss, PeriodSummary, RunSummary,
};

use serde::{Deserialize, Serialize};

/// Why a request ended without being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// The chosen instance's queue was full.
    QueueFull,
    /// No instance was in service to take it.
    NoCapacity,
    /// It waited in a queue longer than the pool's timeout.
    Timeout,
    /// The instance holding it failed or was terminated before finishing it.
    Failure,
}

impl DropReason {
    /// Every reason, in column order.
    pub const ALL: [DropReason; 4] = [
        DropReason::QueueFull,
        DropReason::NoCapacity,
        DropReason::Timeout,
        DropReason::Failure,
    ];

    /// The snake-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::NoCapacity => "no_capacity",
            DropReason::Timeout => "timeout",
            DropReason::Failure => "failure",
        }
    }

    /// Position in [`DropReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}
