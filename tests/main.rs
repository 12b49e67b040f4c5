//! The integration test binary: one binary, modules in `tests/it/`.
//!
//! Statistical tests (queueing formulas) simulate tens of millions of requests; the test
//! profile is optimised (`[profile.test] opt-level = 3` in Cargo.toml) so they stay quick.

mod it;
