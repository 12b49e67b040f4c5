//! The discrete-event engine. It knows nothing of clouds: it orders typed events in
//! integer simulated time and hands them, one at a time, to a [`Model`].
//!
//! Events are ordered by `(time, sequence number)`, so two events at the same instant
//! are handled first-in first-out and a run is fully deterministic.

mod engine;
mod queue;
mod rng;
mod slab;
mod time;

pub use engine::{EngineStats, Model, Simulation};
pub use queue::{EventKey, EventQueue, ScheduleError};
pub use rng::{SimRng, stream_rng, stream_seed};
pub use slab::{Id, Slab};
pub use time::{SimDuration, SimTime};
