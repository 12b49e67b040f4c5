//! The cloud: workloads, requests, instances, pools, balancers and their costs, built
//! on the engine in [`crate::sim`].

pub mod autoscale;
pub mod balancer;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod cost;
pub mod instance;
pub mod journey;
pub mod monitor;
pub mod pool;
pub mod report;
pub mod request;
pub mod timepoint;
pub mod topology;
pub mod workload;
