//! Integration tests of scalesim: queueing theory, conservation, determinism, workload,
//! cost, failures and the command line.

mod autoscaling;
mod batch;
mod charts;
mod cli;
mod common;
mod conservation;
mod cost;
mod determinism;
mod extension;
mod failures;
#[cfg(feature = "gui")]
mod gui;
mod journeys;
mod knee;
mod metrics;
#[cfg(feature = "gui")]
mod plots;
mod queueing;
mod retries;
mod shards;
#[cfg(feature = "gui")]
mod story;
#[cfg(feature = "gui")]
mod timeline;
mod workload;
mod zones;
