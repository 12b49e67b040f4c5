//! A request in flight: when it arrived, what class it is and how much work it needs.

use super::instance::InstanceId;
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
    /// The instance whose worker serves it (`None` while it waits in a queue), so a
    /// crash can find what it loses.
    pub served_by: Option<InstanceId>,
}

/// The id of a request in flight (stale once the request has ended).
pub type RequestId = Id<Request>;
