//! A request in flight: when it arrived, what class it is and how much work it needs.

pub use super::report::DropReason;
use crate::sim::{Id, SimTime};

/// A request in flight, in the world's slab of requests from when an instance accepts
/// it (to serve or to queue) until it ends. Queues and events hold its [`RequestId`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// When it reached the balancer.
    pub arrived: SimTime,
    /// Its service demand in CPU-seconds on a reference vCPU.
    pub demand_secs: f64,
    /// Its class index.
    pub class: u16,
}

/// The id of a request in flight (stale once the request has ended).
pub type RequestId = Id<Request>;
