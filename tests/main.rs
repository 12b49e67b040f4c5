//! The integration test binary: one binary, modules in `tests/it/`.
//!
//! Statistical tests (queueing formulas) simulate tens of millions of requests; the test
//! profile is optimised (`[profile.test] opt-level = 3` in Cargo.toml) so they stay quick.

// clippy.toml allows unwrap/expect in #[test] functions; the helpers these tests share
// are test code too, and a panic with the error is what a failing test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod it;
