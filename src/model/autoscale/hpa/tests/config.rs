//! Reading and checking the configuration.

use super::super::config::default_scale_up_policies;
use super::*;
use serde::Deserialize;

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(
        ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
            | ron::extensions::Extensions::IMPLICIT_SOME,
    )
}

#[test]
fn config_reads_from_ron_with_kubernetes_defaults() {
    let config: HpaConfig = ron_options()
        .from_str("(metrics: [Utilization(metric: Cpu, target: 0.6)])")
        .unwrap();
    assert_eq!(config.sync_period_secs, 15.0);
    assert_eq!(config.tolerance, 0.1);
    assert_eq!(config.downscale_stabilization_secs, 300.0);
    assert_eq!(config.cpu_initialization_period_secs, 300.0);
    assert_eq!(config.initial_readiness_delay_secs, 30.0);
    // No behavior: the legacy path, not the v2 defaults.
    assert_eq!(config.behavior, None);
    let h = Hpa::new(config).unwrap();
    assert_eq!(h.period_secs(), 15.0);
    assert_eq!(h.window_secs(), (60.0, 15.0));
    let Normalization::Legacy {
        downscale_window_secs,
    } = h.normalization
    else {
        panic!("no behavior was given");
    };
    assert_eq!(downscale_window_secs, 300.0);

    // No metrics at all: CPU utilization 80 %, the Kubernetes default.
    let config: HpaConfig = ron_options().from_str("()").unwrap();
    assert_eq!(config, HpaConfig::default());

    // A partial scale-down block keeps the other defaults; its window comes from the
    // controller flag.
    let config: HpaConfig = ron_options()
        .from_str(
            "(
                    metrics: [
                        Utilization(metric: Cpu, target: 0.6),
                        AverageValue(metric: RequestsPerTarget, target: 50),
                        Value(metric: LatencyP95, target: 0.3),
                        PoolAverageValue(metric: RequestsPerSec, target: 40),
                    ],
                    downscale_stabilization_secs: 120,
                    behavior: (
                        scale_up: (tolerance: 0.05),
                        scale_down: (policies: [Pods(value: 4, period_secs: 60)]),
                    ),
                )",
        )
        .unwrap();
    let behavior = config.behavior.clone().unwrap();
    assert_eq!(behavior.scale_down.stabilization_window_secs, None);
    assert_eq!(behavior.scale_up.tolerance, Some(0.05));
    assert_eq!(behavior.scale_up.policies, default_scale_up_policies());
    let h = Hpa::new(config).unwrap();
    let Normalization::Behavior { scale_down, .. } = &h.normalization else {
        panic!("a behavior was given");
    };
    assert_eq!(scale_down.stabilization_window_secs, 120.0);
    assert_eq!(
        h.tolerances,
        Tolerances {
            down: 0.1,
            up: 0.05
        }
    );

    // An empty behavior is a behavior: every v2 default.
    let config: HpaConfig = ron_options().from_str("(behavior: ())").unwrap();
    assert_eq!(config.behavior, Some(HpaBehavior::default()));

    // Inside a pool, as a newtype variant of the scenario's policy enum (with RON's
    // unwrap_variant_newtypes extension the inner parentheses can go).
    #[derive(Debug, Deserialize)]
    enum Autoscale {
        Hpa(HpaConfig),
    }
    let Autoscale::Hpa(config) = ron_options()
        .from_str("Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)], tolerance: 0.05)")
        .unwrap();
    assert_eq!(config.tolerance, 0.05);
    assert_eq!(config.metrics.len(), 1);

    // Unknown fields are errors, at every level.
    let parse = |s: &str| ron_options().from_str::<HpaConfig>(s);
    assert!(parse("(sync_period: 15)").is_err());
    assert!(parse("(behavior: (scale_up: (window_secs: 5)))").is_err());
    assert!(parse("(metrics: [Utilization(metric: Cpu, target: 0.6, extra: 1)])").is_err());
    assert!(parse("(metrics: [PoolAverageValue(metric: Cpu, target: 1)])").is_err());
}

#[test]
fn nonsense_configs_are_rejected_with_a_reason() {
    let with_metrics = |metrics| {
        Hpa::new(HpaConfig {
            metrics,
            ..HpaConfig::default()
        })
        .unwrap_err()
        .to_string()
    };
    assert!(with_metrics(vec![]).contains("metrics: is empty"));
    let e = with_metrics(vec![cpu(0.0)]);
    assert!(e.contains("must be a positive number"), "{e}");
    let e = with_metrics(vec![MetricTarget::AverageValue {
        metric: Metric::QueuePerInstance,
        target: -3.0,
    }]);
    assert!(e.starts_with("metrics[0].target: "), "{e}");
    let e = with_metrics(vec![MetricTarget::Utilization {
        metric: Metric::RequestsPerTarget,
        target: 0.6,
    }]);
    assert!(e.contains("only Cpu has one"), "{e}");
    let e = with_metrics(vec![cpu(0.655)]);
    assert!(e.contains("not a whole percent"), "{e}");
    let e = with_metrics(vec![MetricTarget::Value {
        metric: Metric::Cpu,
        target: 0.5,
    }]);
    assert!(e.contains("use AverageValue"), "{e}");
    let e = with_metrics(vec![MetricTarget::AverageValue {
        metric: Metric::LatencyP95,
        target: 0.5,
    }]);
    assert!(e.contains("pool-wide"), "{e}");
    let e = with_metrics(vec![requests_per_pod(0.0001)]);
    assert!(e.contains("below 0.001"), "{e}");

    let config = HpaConfig {
        sync_period_secs: 0.0,
        ..HpaConfig::default()
    };
    assert!(
        Hpa::new(config)
            .unwrap_err()
            .to_string()
            .contains("sync_period_secs")
    );
    let config = HpaConfig {
        tolerance: f64::NAN,
        ..HpaConfig::default()
    };
    assert!(
        Hpa::new(config)
            .unwrap_err()
            .to_string()
            .contains("tolerance")
    );
    let config = HpaConfig {
        downscale_stabilization_secs: 4000.0,
        ..HpaConfig::default()
    };
    let e = Hpa::new(config).unwrap_err().to_string();
    assert!(
        e.contains("downscale_stabilization_secs") && e.contains("0..=3600"),
        "{e}"
    );
    let with = |behavior| {
        Hpa::new(HpaConfig {
            behavior: Some(behavior),
            ..HpaConfig::default()
        })
        .unwrap_err()
        .to_string()
    };
    let mut behavior = HpaBehavior::default();
    behavior.scale_down.policies.clear();
    assert!(with(behavior).contains("scale_down.policies"));
    let mut behavior = HpaBehavior::default();
    behavior.scale_up.policies = vec![ScalingPolicy::Pods {
        value: 0,
        period_secs: 15.0,
    }];
    assert!(with(behavior).contains("greater than zero"));
    let mut behavior = HpaBehavior::default();
    behavior.scale_up.stabilization_window_secs = 7200.0;
    assert!(with(behavior).contains("0..=3600"));
    let mut behavior = HpaBehavior::default();
    behavior.scale_down.tolerance = Some(-0.1);
    assert!(with(behavior).contains("behavior.scale_down.tolerance"));
}
