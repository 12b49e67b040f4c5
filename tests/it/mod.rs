//! Integration tests of scalesim: queueing theory, conservation, determinism, workload,
//! cost and the command line.

mod common;
mod queueing;
mod conservation;
mod determinism;
mod workload;
mod cost;
