//! Extending the simulator from outside the library, as docs/architecture.md ("Where a
//! new piece goes") says the public API allows today: a rate of one's own, given as the
//! compiled `RateProfile` of a scenario's world configuration. (Balancers and autoscaling
//! policies are added inside the library, one file and one registration line each; the
//! doc examples on `balancer::Policy` and `autoscale::spec::PolicyConfig` show such files.)

use scalesim::metrics::Recorder;
use scalesim::model::topology::World;
use scalesim::model::workload::{Knot, RateProfile};
use scalesim::sim::Simulation;

use super::common::*;

/// A sawtooth: four teeth of 300 s, each rising from 0 to 100 requests/s and dropping back.
fn sawtooth() -> RateProfile {
    let mut knots = Vec::new();
    for tooth in 0..4 {
        let t0 = f64::from(tooth) * 300.0;
        knots.push(Knot {
            t_secs: t0,
            per_sec: 0.0,
        });
        knots.push(Knot {
            t_secs: t0 + 300.0,
            per_sec: 100.0,
        });
    }
    // Two knots at 1,200 s: the rate jumps back to 0 and stays there.
    knots.push(Knot {
        t_secs: 1200.0,
        per_sec: 0.0,
    });
    RateProfile::from_knots(knots)
}

#[test]
fn a_custom_rate_profile_drives_a_world_built_from_a_scenario() {
    let scenario = scenario_from_text(
        "extension.ron",
        r#"(
            name: "extension",
            duration_secs: 1200,
            seed: 5,
            interval_secs: 300,
            workload: (
                rate: Constant(per_sec: 1),
                classes: [(name: "req", demand: Exponential(mean_secs: 0.01))],
            ),
            pools: [(name: "web", instance: "ref.1", size: (min: 4, max: 4))],
        )"#,
    );
    let mut config = scenario.world_config();
    config.profile = sawtooth();
    // Each tooth carries 100 * 300 / 2 = 15,000 expected arrivals.
    assert_eq!(config.profile.expected_arrivals(0.0, 1200.0), 60_000.0);

    let recorder = Recorder::for_world(&config);
    let world = World::new(config, recorder).expect("the world builds");
    let mut sim = Simulation::new(world, scenario.end());
    sim.run();
    let world = sim.into_model();
    let rows = world.recorder().rows();
    assert_eq!(rows.len(), 4);
    for row in rows {
        // The recorder's offered rate is the custom curve's mean over the interval.
        assert!(
            (row.offered_per_sec - 50.0).abs() < 1e-9,
            "{}",
            row.offered_per_sec
        );
        // Poisson: 15,000 expected, standard deviation 122; allow 5 of them.
        let n = row.arrivals as f64;
        assert!((n - 15_000.0).abs() < 5.0 * 15_000f64.sqrt(), "{n}");
    }
}
