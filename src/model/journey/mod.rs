//! The parts of a request's journey through services that are decisions over numbers:
//! which key a request carries, which shard a key goes to, and how long a client waits
//! before it retries. Each is a pure function, tested against its documented formula;
//! the world wires them into the path of a request (see `docs/journeys.md`).

pub mod key;
pub mod network;
pub mod retry;
pub mod service;
pub mod shard;
pub mod work;
