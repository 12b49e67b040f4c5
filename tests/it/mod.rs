//! Integration tests of scalesim: queueing theory, conservation, determinism, workload,
//! cost and the command line.

mod autoscaling;
mod cli;
mod common;
mod conservation;
mod cost;
mod determinism;
mod queueing;
mod workload;
