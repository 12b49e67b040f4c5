//! # scalesim
//!
//! A deterministic discrete-event simulator of cloud architectures. A *scenario* (a RON
//! file) describes a workload curve, pools of instances behind load balancers, capacity
//! changes and prices; a run reports what an architect looks at: latency percentiles,
//! drops, instances by state, utilisation and cost, interval by interval.
//!
//! The layers point one way: [`cli`], [`batch`], [`plot`] (and the app) use [`scenario`]
//! and [`metrics`]; metrics reads [`model`], which builds on the engine in [`sim`]. The engine
//! knows nothing of clouds, and the model nothing of metrics: it reports every event to
//! an [`model::report::Observer`], which the metrics recorder implements.
//!
//! ```
//! use scalesim::scenario::{Scenario, Source};
//!
//! let text = r#"(
//!     name: "tiny",
//!     duration_secs: 600,
//!     workload: (
//!         rate: Constant(per_sec: 50),
//!         classes: [(name: "page", demand: Exponential(mean_secs: 0.02))],
//!     ),
//!     pools: [(name: "web", instance: "m5.large", size: (min: 2, max: 4))],
//! )"#;
//! let source = Source::inline("tiny.ron", text);
//! let file = scalesim::scenario::parse(&source).unwrap();
//! let scenario = Scenario::validate(file, &source).unwrap();
//! let out = scalesim::batch::run(&scenario).unwrap();
//! let r = &out.summary.requests;
//! assert_eq!(r.arrived, r.completed + r.dropped + r.in_flight);
//! // 50/s for 600 s: about 30,000 requests.
//! assert!((r.arrived as f64 - 30_000.0).abs() < 1_000.0);
//! ```

#[cfg(feature = "gui")]
pub mod app;
pub mod batch;
pub mod cli;
pub mod metrics;
pub mod model;
pub mod plot;
pub mod scenario;
pub mod sim;
