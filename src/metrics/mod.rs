//! What a run records, aggregated per interval so memory never grows with the number of
//! requests: counters, latency histograms, time-weighted levels, costs, and the log of
//! capacity decisions. Also the run summary and the CSV/JSON writers.

mod histogram;
pub mod output;
mod recorder;
mod slo;
mod summary;

pub use crate::model::report::{
    Decision, DropReason, PoolSnapshot, REPLACEMENT_POLICY, SloTarget, TypeFacts,
};
pub use histogram::LatencyHistogram;
pub use recorder::{IntervalRow, LatencyStats, PoolRow, Recorder, ServiceGroup};
pub use slo::ViolationPeriod;
pub use summary::{
    ClassSummary, DaySummary, EngineFigures, LatencyCountingDrops, Miss, PeriodSummary, RunSummary,
    ServiceSummary, ShardSummary,
};
