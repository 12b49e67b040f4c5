//! A request in flight: when it arrived, what class it is and how much work it needs.

pub use super::report::DropReason;
use crate::sim::SimTime;

/// A request waiting in a queue. Small on purpose: queues hold many of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// When it reached the balancer.
    pub arrived: SimTime,
    /// Its service demand in CPU-seconds on a reference vCPU.
    pub demand_secs: f64,
    /// Its class index.
    pub class: u16,
}
