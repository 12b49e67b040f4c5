//! What is in flight: a request's visit to a service (the request itself is its first
//! visit, at its entry service; each call makes another), with where it is in the
//! service's work and who waits for it.

use super::instance::InstanceId;
pub use super::report::DropReason;
use crate::sim::{Id, SimTime};

/// A visit in flight, in the world's slab from when it reaches its service's balancer
/// until it ends. Queues and events hold its [`RequestId`]. A visit without a `parent`
/// is the request itself, as the client sent it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// When it reached its service's balancer (for the request: when the client sent it,
    /// which end-to-end latency counts from).
    pub arrived: SimTime,
    /// When it last entered a queue (queue timeouts count from here).
    pub queued_at: SimTime,
    /// The request's demand in CPU-seconds on a reference vCPU, which a service without
    /// steps of its own runs.
    pub demand_secs: f64,
    /// Its class index.
    pub class: u16,
    /// The key it carries (0: none), which a sharded service routes by.
    pub key: u64,
    /// The step of its service's work it is at.
    pub step: u16,
    /// Whether it holds one of its instance's workers (serving, or waiting on a
    /// synchronous call); otherwise it is queued or waits on an asynchronous call.
    pub worker: bool,
    /// The instance that accepted it (queued, serving or waiting there), so a crash can
    /// find what it loses.
    pub at: Option<InstanceId>,
    /// The visit waiting for this one to reply (`None`: the client).
    pub parent: Option<RequestId>,
    /// The step its parent was at when it called (a reply or a failure arriving after
    /// the parent has moved on, as an extra branch of a fan-out does, is ignored).
    pub parent_step: u16,
    /// Replies it still waits for at its current call or fan-out.
    pub awaiting: u16,
    /// Branches of its current fan-out that may still fail without failing it.
    pub spare: u16,
    /// For a try sent by a client that times out or retries: the request as the client
    /// sees it (`None`: a call, or a request whose client sends one try and waits).
    pub client: Option<ClientRequestId>,
}

impl Request {
    /// A request the client sends now, or a call made now on behalf of `parent`.
    pub fn new(
        now: SimTime,
        demand_secs: f64,
        class: u16,
        key: u64,
        parent: Option<RequestId>,
    ) -> Request {
        Request {
            arrived: now,
            queued_at: now,
            demand_secs,
            class,
            key,
            step: 0,
            worker: false,
            at: None,
            parent,
            parent_step: 0,
            awaiting: 0,
            spare: 0,
            client: None,
        }
    }
}

/// The id of a visit in flight (stale once the visit has ended).
pub type RequestId = Id<Request>;

/// A request as a client that times out or retries sees it: the same request sent try
/// after try until one replies in time or it runs out of tries. It is in the world's
/// second slab from its first try to its end, and counts once: one arrival, then one
/// completion or one drop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClientRequest {
    /// Its class index.
    pub class: u16,
    /// Its key (every try carries the same).
    pub key: u64,
    /// Its demand (every try asks the same).
    pub demand_secs: f64,
    /// When the first try was sent (its latency counts from here).
    pub sent: SimTime,
    /// Tries sent so far.
    pub tries: u32,
    /// Tokens its latest retry took from its class's retry quota (0: none).
    pub last_cost: u32,
    /// The try it waits for (`None`: between tries, in its backoff).
    pub current: Option<RequestId>,
}

/// The id of a client's request in flight.
pub type ClientRequestId = Id<ClientRequest>;
