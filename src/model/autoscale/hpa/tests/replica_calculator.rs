//! Each metric's proposal (`replica_calculator_test.go`) and how the proposals combine
//! (`computeReplicasForMetrics`).

use super::*;

#[test]
fn doc_example_200m_of_100m_doubles_and_50m_halves() {
    // kubernetes.io HPA docs, "Algorithm details": 200m against 100m -> ratio 2.0 ->
    // replicas doubled. 4 one-vCPU pods at 0.2 vCPU with an AverageValue target of
    // 0.1 vCPU: ceil(4 * 200/100) = 8. No behavior: the legacy limit for 4 is
    // max(2 * 4, 4) = 8, so all 8 go through.
    let mut h = hpa(vec![MetricTarget::AverageValue {
        metric: Metric::Cpu,
        target: 0.1,
    }]);
    let rec = h.evaluate(&cpu_obs(0.0, 4, 0.2));
    assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
    assert_eq!(rec.metric_value, Some(0.2));
    assert_eq!(rec.target, Some(0.1));
    assert_eq!(h.measure(), Some(Measure::CpuCoresPerInstance));

    // 50m / 100m -> ratio 0.5 -> halved: ceil(4 * 0.5) = 2. A new HPA recorded its 4
    // pods as its first recommendation (`recordInitialRecommendation`), and the
    // 300 s scale-down window takes the highest recommendation: 4 stays.
    let mut h = hpa(vec![MetricTarget::AverageValue {
        metric: Metric::Cpu,
        target: 0.1,
    }]);
    let rec = h.evaluate(&cpu_obs(0.0, 4, 0.05));
    assert_eq!((rec.raw_desired, rec.desired), (2, 4), "{}", rec.reason);
    // Past its first evaluation with nothing in the window, it halves: 4 -> 2.
    let mut h = started(hpa(vec![MetricTarget::AverageValue {
        metric: Metric::Cpu,
        target: 0.1,
    }]));
    let rec = h.evaluate(&cpu_obs(0.0, 4, 0.05));
    assert_eq!((rec.raw_desired, rec.desired), (2, 2), "{}", rec.reason);

    // A two-worker pod at 10 % uses 0.2 vCPU: the AverageValue is in vCPU, not a
    // fraction. 2 pods at 0.2 vCPU against 0.1 -> ceil(2 * 2.0) = 4.
    let mut h = hpa(vec![MetricTarget::AverageValue {
        metric: Metric::Cpu,
        target: 0.1,
    }]);
    let o = obs(0.0, 2, 1, 10, vec![sized(2, Some(0.1)); 2]);
    let rec = h.evaluate(&o);
    assert_eq!(
        (rec.desired, rec.metric_value),
        (4, Some(0.2)),
        "{}",
        rec.reason
    );
}

#[test]
fn reason_reads_like_the_decision_log() {
    // 4 pods at 81 % against 60 %: ratio 81/60 = 1.35, ceil(1.35 * 4) = ceil(5.4) = 6,
    // within the legacy limit max(2 * 4, 4) = 8. CPU is reported as a fraction.
    let mut h = cpu_hpa(0.6);
    let rec = h.evaluate(&cpu_obs(0.0, 4, 0.81));
    assert_eq!(rec.desired, 6);
    assert_eq!(rec.reason, "cpu 81% vs target 60%: ratio 1.35 -> 6");
    assert_eq!(rec.metric_value, Some(0.81));
    assert_eq!(rec.target, Some(0.6));
    assert_eq!(h.measure(), Some(Measure::Cpu));
}

#[test]
fn tolerance_band_is_inclusive_as_upstream_writes_it() {
    // replica_calculator.go `Tolerances.isWithin`: 1 - down <= ratio <= 1 + up.
    // 54 % against 50 %: ratio 1.08 <= 1.1 -> no change.
    let mut h = cpu_hpa(0.5);
    let rec = h.evaluate(&cpu_obs(0.0, 4, 0.54));
    assert_eq!((rec.raw_desired, rec.desired), (4, 4));
    assert_eq!(
        rec.reason,
        "cpu 54% vs target 50%: within tolerance (ratio 1.08)"
    );

    // 51 % against 60 %: ratio 0.85 < 0.9 -> ceil(0.85 * 10) = ceil(8.5) = 9.
    let mut h = started(cpu_hpa(0.6));
    let rec = h.evaluate(&cpu_obs(0.0, 10, 0.51));
    assert_eq!((rec.raw_desired, rec.desired), (9, 9), "{}", rec.reason);

    // The band's edge in floating point: 66/60 and 1.0 + 0.1 are the same double
    // (1.1000000000000000888), so the ratio is within and nothing changes. (The
    // older `|1 - ratio| <= tolerance` gave 0.10000000000000009 > 0.1 and scaled.)
    let mut h = cpu_hpa(0.6);
    let rec = h.evaluate(&cpu_obs(0.0, 10, 0.66));
    assert_eq!(rec.raw_desired, 10, "{}", rec.reason);
    assert!(rec.reason.contains("within tolerance"), "{}", rec.reason);
}

#[test]
fn missing_metric_blocks_the_scale_down() {
    // kubernetes.io HPA docs (missing metrics): target 50 %, 4 pods, 3 at 25 % and 1
    // with no sample. Ratio 25/50 = 0.5 < 1, so the missing pod counts at 100 % of its
    // request: (250 * 3 + 1000) / 4000 = 43.75 %, truncated to 43 % as the controller
    // does -> ratio 0.86, outside tolerance, ceil(0.86 * 4) = ceil(3.44) = 4 =
    // current -> no scale-down.
    let mut h = cpu_hpa(0.5);
    let mut instances = pods(3, 0.25);
    instances.push(pod(None));
    let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
    assert_eq!((rec.raw_desired, rec.desired), (4, 4), "{}", rec.reason);
    assert!(
        rec.reason.contains("1 missing counted at 100%"),
        "{}",
        rec.reason
    );
    // The status reports the measured 25 %, not the filled-in 43 %.
    assert_eq!(rec.metric_value, Some(0.25));
}

#[test]
fn unready_pod_damps_the_scale_up() {
    // kubernetes.io HPA docs: target 50 %, 3 ready pods at 100 % and 1 not ready.
    // Ratio 100/50 = 2.0 > 1, so the unready pod counts as 0: 3000 / 4000 = 75 % ->
    // ratio 1.5 -> ceil(1.5 * 4) = 6 (legacy limit 8). The warming pod's own 90 % is
    // not trusted.
    let mut h = cpu_hpa(0.5);
    let mut instances = pods(3, 1.0);
    instances.push(InstanceSample {
        readiness: Readiness::Warming,
        age_secs: 90.0,
        ..pod(Some(0.9))
    });
    let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
    assert_eq!((rec.raw_desired, rec.desired), (6, 6), "{}", rec.reason);
    assert!(
        rec.reason.contains("1 not ready counted as 0"),
        "{}",
        rec.reason
    );

    // A pending (booting) pod is set aside the same way.
    let mut h = cpu_hpa(0.5);
    let mut instances = pods(3, 1.0);
    instances.push(InstanceSample {
        readiness: Readiness::Booting,
        age_secs: 10.0,
        ..pod(None)
    });
    let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
    assert_eq!(rec.desired, 6, "{}", rec.reason);
}

#[test]
fn two_ready_two_unready_does_not_scale() {
    // 2 ready at 100 % and 2 unready, target 50 %. The fast path would say
    // ceil(2.0 * 2) = 4; rebalanced: 2000 / 4000 = 50 % -> ratio 1.0 -> within
    // tolerance -> hold 4.
    let mut h = cpu_hpa(0.5);
    let mut instances = pods(2, 1.0);
    for _ in 0..2 {
        instances.push(InstanceSample {
            readiness: Readiness::Booting,
            age_secs: 10.0,
            ..pod(None)
        });
    }
    let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances));
    assert_eq!((rec.raw_desired, rec.desired), (4, 4), "{}", rec.reason);
    assert!(
        rec.reason.ends_with("-> ratio 1.00: within tolerance"),
        "{}",
        rec.reason
    );
}

#[test]
fn ready_pod_in_cpu_initialization_period_is_ignored_until_a_window_is_collected() {
    // Target 50 %. Pods launched 100 s ago, booted in 60 s: ready for 40 s, less than
    // window 60 s + lag 15 s, and inside the 300 s initialization period, so their
    // 30 % is not trusted. The 2 old pods at 100 %: ratio 2.0, the 2 new ones count as
    // 0: 2000 / 4000 = 50 % -> ratio 1.0 -> within tolerance -> hold.
    let mut h = cpu_hpa(0.5);
    let mut instances = pods(2, 1.0);
    for _ in 0..2 {
        instances.push(InstanceSample {
            age_secs: 100.0,
            ..pod(Some(0.3))
        });
    }
    let rec = h.evaluate(&obs(0.0, 4, 1, 10, instances.clone()));
    assert_eq!(rec.desired, 4, "{}", rec.reason);

    // At 200 s they have been ready 140 s >= 75 s: trusted. (2 * 1000 + 2 * 300) /
    // 4000 = 65 % -> ratio 1.3 -> ceil(1.3 * 4) = ceil(5.2) = 6.
    for p in &mut instances[2..] {
        p.age_secs = 200.0;
    }
    let rec = h.evaluate(&obs(15.0, 4, 1, 10, instances));
    assert_eq!(rec.raw_desired, 6, "{}", rec.reason);
}

#[test]
fn several_metrics_the_largest_proposal_wins() {
    // CPU: 75 % vs 50 % -> ratio 1.5 -> ceil(1.5 * 4) = 6.
    // Requests: 100/s vs 50/s per pod -> ratio 2.0 -> ceil(2.0 * 4) = 8. Max = 8, and
    // the decision reports the requests metric. Legacy limit for 4 is 8.
    let with = |order_cpu_first: bool| {
        let rps = MetricTarget::AverageValue {
            metric: Metric::RequestsPerTarget,
            target: 50.0,
        };
        let mut h = hpa(if order_cpu_first {
            vec![cpu(0.5), rps]
        } else {
            vec![rps, cpu(0.5)]
        });
        let instances = (0..4)
            .map(|_| InstanceSample {
                requests_per_sec: Some(100.0),
                ..pod(Some(0.75))
            })
            .collect();
        let rec = h.evaluate(&obs(0.0, 4, 1, 20, instances));
        (rec, h.measure())
    };
    for order in [true, false] {
        let (rec, measure) = with(order);
        assert_eq!((rec.raw_desired, rec.desired), (8, 8), "{}", rec.reason);
        assert_eq!(rec.metric_value, Some(100.0));
        assert_eq!(rec.target, Some(50.0));
        assert_eq!(measure, Some(Measure::RequestsPerSecPerInstance));
        assert!(
            rec.reason.starts_with("requests 100.0/s per pod"),
            "{}",
            rec.reason
        );
    }
}

#[test]
fn latency_value_target_scales_the_ready_pods() {
    // p95 0.45 s vs 0.3 s: ratio 450/300 = 1.5, times 4 ready pods = 6 (the booting pod
    // is not ready). Legacy limit for 5 = max(10, 4) = 10.
    let mut h = hpa(vec![MetricTarget::Value {
        metric: Metric::LatencyP95,
        target: 0.3,
    }]);
    let mut instances = pods(4, 0.5);
    instances.push(InstanceSample {
        readiness: Readiness::Booting,
        ..pod(None)
    });
    let mut o = obs(0.0, 5, 1, 20, instances);
    o.latency_p95_secs = Some(0.45);
    let rec = h.evaluate(&o);
    assert_eq!((rec.raw_desired, rec.desired), (6, 6), "{}", rec.reason);
    assert_eq!(rec.metric_value, Some(0.45));
    assert_eq!(h.measure(), Some(Measure::LatencyP95));
}

#[test]
fn utilization_weighs_pods_by_their_requests() {
    // replica_calculator_test.go TestReplicaCalcMissingMetricsScaleDownTargetOver100:
    // 4 pods requesting 1, 1, 2, 2 vCPU, target 300 %; pod 0 not ready (a warming pod
    // past its initialization period, never ready), pods 1 and 2 using 0.1 vCPU each
    // (10 % and 5 %), pod 3 without a sample.
    // (Upstream's pods have two containers with that request each; here every
    // request and usage is halved, which keeps every ratio.)
    // Ready: (100 + 100) / (1000 + 2000) = 6.67 % -> 6 % (expectedUtilization 6),
    // ratio 6/300 = 0.02. Scale-down, so pod 3 counts at max(100, 300) % of its own
    // request: 2000 * 300 / 100 = 6000 m. (100 + 100 + 6000) / (1000 + 2000 + 2000)
    // = 124 % -> ratio 0.413 -> ceil(0.413 * 3) = ceil(1.24) = 2 (expectedReplicas).
    // Averaging the pods' utilizations instead would say (10 + 5) / 2 = 7 %.
    let h = cpu_hpa(3.0);
    let instances = vec![
        InstanceSample {
            readiness: Readiness::Warming,
            ..sized(1, Some(0.2))
        },
        sized(1, Some(0.1)),
        sized(2, Some(0.05)),
        sized(2, None),
    ];
    let p = proposal(&h, &obs(0.0, 4, 1, 10, instances));
    assert_eq!((p.replicas, p.value), (2, 0.06), "{}", p.text);
    assert!(p.text.contains("1 missing counted at 300%"), "{}", p.text);

    // replica_calculator_test.go TestReplicaCalcTolerance: requests 0.9, 1.0, 1.1
    // vCPU (here 9, 10, 11 workers: ten times the size, the same ratios) using 1010,
    // 1030, 1020 m (x10): 30600 / 30000 = 102 % of target 100 % -> within -> 3.
    let h = cpu_hpa(1.0);
    let instances = [(9, 1010.0), (10, 1030.0), (11, 1020.0)]
        .iter()
        .map(|&(w, level)| sized(w, Some(level / (f64::from(w) * 100.0))))
        .collect();
    let p = proposal(&h, &obs(0.0, 3, 1, 10, instances));
    assert_eq!((p.replicas, p.value), (3, 1.02), "{}", p.text);

    // Mixed sizes during a vertical rollout: 2 pods of 2 vCPU at 90 % and 2 of 8 vCPU
    // at 20 %, target 60 %. Weighted: (2 * 1.8 + 2 * 1.6) / 20 = 34 % -> ratio 0.567
    // -> ceil(0.567 * 4) = ceil(2.27) = 3. The unweighted mean, (90 + 90 + 20 + 20) / 4
    // = 55 % (ratio 0.92, within tolerance), would have kept 4.
    let h = cpu_hpa(0.6);
    let instances = vec![
        sized(2, Some(0.9)),
        sized(2, Some(0.9)),
        sized(8, Some(0.2)),
        sized(8, Some(0.2)),
    ];
    let p = proposal(&h, &obs(0.0, 4, 1, 10, instances));
    assert_eq!((p.replicas, p.value), (3, 0.34), "{}", p.text);

    // A scale-up counts unready pods at 0 % of their own request: ready 2 vCPU pod at
    // 100 % and a booting 8 vCPU pod, target 50 %: ratio 2.0, then 2000 / 10000 = 20 %
    // -> ratio 0.4: the direction reverses, hold 2.
    let h = cpu_hpa(0.5);
    let instances = vec![
        sized(2, Some(1.0)),
        InstanceSample {
            readiness: Readiness::Booting,
            ..sized(8, None)
        },
    ];
    let p = proposal(&h, &obs(0.0, 2, 1, 10, instances));
    assert_eq!(p.replicas, 2, "{}", p.text);
    assert!(p.text.ends_with("direction reversed, hold"), "{}", p.text);
}

#[test]
fn pool_average_value_shares_the_total_per_pod() {
    // replica_calculator_test.go, per-pod Object/External metrics
    // (`GetObjectPerPodMetricReplicas`, `GetExternalPerPodMetricReplicas`):
    // replicas = ceil(total / per-pod target) unless total / (target * pods) is within
    // tolerance; usage reported = ceil(total / pods) milli.
    // (upstream test, pods, total, per-pod target, replicas, usage per pod)
    for (name, n, total, target, replicas, usage) in [
        // 8600 / (2150 * 3) = 1.33 -> ceil(8600 / 2150) = 4; ceil(8600 / 3) = 2867 m.
        (
            "TestReplicaCalcScaleUpPerPodCMExternal",
            3,
            8.6,
            2.15,
            4,
            2.867,
        ),
        // 8600 / (2867 * 5) = 0.60 -> ceil(8600 / 2867) = ceil(2.9997) = 3; 1720 m.
        (
            "TestReplicaCalcScaleDownPerPodCMExternal",
            5,
            8.6,
            2.867,
            3,
            1.72,
        ),
        // 8600 / (2900 * 3) = 0.989, within 10 % -> 3.
        (
            "TestReplicaCalcTolerancePerPodCMExternal",
            3,
            8.6,
            2.9,
            3,
            2.867,
        ),
        // 20000 / (5000 * 3) = 1.33 -> ceil(20000 / 5000) = 4; ceil(20000 / 3) = 6667.
        (
            "TestReplicaCalcScaleUpCMPerPodObject",
            3,
            20.0,
            5.0,
            4,
            6.667,
        ),
        // 6000 / (2000 * 5) = 0.6 -> ceil(6000 / 2000) = 3; 1200 m.
        (
            "TestReplicaCalcScaleDownPerPodCMObject",
            5,
            6.0,
            2.0,
            3,
            1.2,
        ),
        // 20166 / (5000 * 4) = 1.008, within -> 4; ceil(20166 / 4) = 5042 m.
        (
            "TestReplicaCalcTolerancePerPodCMObject",
            4,
            20.166,
            5.0,
            4,
            5.042,
        ),
    ] {
        let h = hpa(vec![requests_per_pod(target)]);
        let p = proposal(&h, &arrivals_obs(n, total));
        assert_eq!(
            (p.replicas, p.value, p.target),
            (replicas, usage, target),
            "{name}: {}",
            p.text
        );
    }

    // Independent of readiness: of the 3 pods of the first case one is booting and one
    // warming, and the answer is still ceil(8.6 / 2.15) = 4 over 3 pods.
    let h = hpa(vec![requests_per_pod(2.15)]);
    let mut o = arrivals_obs(3, 8.6);
    o.instances[0].readiness = Readiness::Booting;
    o.instances[1].readiness = Readiness::Warming;
    assert_eq!(proposal(&h, &o).replicas, 4);

    // The pool's requests held, summed over the instances that reported: 6 + 9 + 5 =
    // 20 held against 5 per pod over 3 pods: 20 / 15 = 1.33 -> ceil(20 / 5) = 4.
    let mut h = hpa(vec![MetricTarget::PoolAverageValue {
        metric: PoolMetric::Queue,
        target: 5.0,
    }]);
    let instances = [6.0, 9.0, 5.0]
        .iter()
        .map(|&q| InstanceSample {
            queue: Some(q),
            ..pod(Some(0.5))
        })
        .collect();
    let rec = h.evaluate(&obs(0.0, 3, 1, 10, instances));
    assert_eq!(rec.desired, 4, "{}", rec.reason);
    assert_eq!(h.measure(), Some(Measure::QueuePerInstance));
    assert_eq!(rec.metric_value, Some(6.667));
    assert_eq!(
        rec.reason,
        "queue 20.0 over 3 pods = 6.7 per pod vs target 5.0: ratio 1.33 -> total / target = 4"
    );

    // No arrivals measured yet: no proposal, so nothing changes.
    let mut h = hpa(vec![requests_per_pod(10.0)]);
    let rec = h.evaluate(&cpu_obs(0.0, 3, 0.5));
    assert_eq!(rec.desired, 3);
    assert_eq!(rec.reason, "no requests samples in the window: hold");
}

#[test]
fn tolerances_per_direction() {
    // replica_calculator_test.go TestReplicaCalcConfigurableTolerance: 3 pods
    // requesting 0.9, 1.0, 1.1 vCPU (here 9, 10, 11 workers, the same ratios), target
    // 100 %, each case with (scale-down, scale-up) tolerances.
    let with = |down: f64, up: f64| {
        let behavior = HpaBehavior {
            scale_up: ScaleUpRules {
                tolerance: Some(up),
                ..ScaleUpRules::default()
            },
            scale_down: ScaleDownRules {
                tolerance: Some(down),
                ..ScaleDownRules::default()
            },
        };
        with_behavior(vec![cpu(1.0)], behavior)
    };
    let three = |levels: [f64; 3]| {
        let instances = [9, 10, 11]
            .iter()
            .zip(levels)
            .map(|(&w, level)| sized(w, Some(level / (f64::from(w) * 100.0))))
            .collect();
        obs(0.0, 3, 1, 10, instances)
    };
    for (name, down, up, levels, utilization, replicas) in [
        // 101 %: outside a 0 % band -> ceil(1.01 * 3) = ceil(3.03) = 4.
        (
            "Outside of a 0% tolerance",
            0.0,
            0.0,
            [909.0, 1010.0, 1111.0],
            1.01,
            4,
        ),
        // 190 % <= 1 + 2.0 -> 3.
        (
            "Within a 200% scale-up tolerance",
            0.1,
            2.0,
            [1890.0, 1910.0, 1900.0],
            1.9,
            3,
        ),
        // 109 % > 1 + 0.08 -> ceil(1.09 * 3) = ceil(3.27) = 4.
        (
            "Outside 8% scale-up tolerance (and superfuous scale-down tolerance)",
            2.0,
            0.08,
            [1100.0, 1080.0, 1090.0],
            1.09,
            4,
        ),
        // 65 % >= 1 - 0.36 = 0.64 -> 3.
        (
            "Within a 36% scale-down tolerance",
            0.36,
            0.1,
            [660.0, 640.0, 650.0],
            0.65,
            3,
        ),
        // 65 % < 1 - 0.34 = 0.66 -> ceil(0.65 * 3) = ceil(1.95) = 2.
        (
            "Outside a 34% scale-down tolerance",
            0.34,
            0.1,
            [660.0, 640.0, 650.0],
            0.65,
            2,
        ),
    ] {
        let p = proposal(&with(down, up), &three(levels));
        assert_eq!(
            (p.replicas, p.value),
            (replicas, utilization),
            "{name}: {}",
            p.text
        );
    }

    // TestReplicaCalcConfigurableTolerancePerPodCMExternal: tolerances (0.1, 0.01), 3
    // pods, 8.6 total at 2.8 per pod: 8600 / 8400 = 1.024 > 1.01 -> ceil(8600 / 2800)
    // = 4. With the global 10 % alone it would be within and stay 3.
    let behavior = HpaBehavior {
        scale_up: ScaleUpRules {
            tolerance: Some(0.01),
            ..ScaleUpRules::default()
        },
        ..HpaBehavior::default()
    };
    let h = with_behavior(vec![requests_per_pod(2.8)], behavior);
    assert_eq!(
        h.tolerances,
        Tolerances {
            down: 0.1,
            up: 0.01
        }
    );
    assert_eq!(proposal(&h, &arrivals_obs(3, 8.6)).replicas, 4);
    let h = hpa(vec![requests_per_pod(2.8)]);
    assert_eq!(proposal(&h, &arrivals_obs(3, 8.6)).replicas, 3);

    // The global tolerance sets both directions when the behavior leaves them out.
    let h = Hpa::new(HpaConfig {
        tolerance: 0.05,
        behavior: Some(HpaBehavior::default()),
        ..HpaConfig::default()
    })
    .unwrap();
    assert_eq!(
        h.tolerances,
        Tolerances {
            down: 0.05,
            up: 0.05
        }
    );
}

#[test]
fn replica_counts_clamp_at_i32_max() {
    // replica_calculator_test.go TestExternalPerPodMetricReplicaOverflow: a total of
    // MaxInt64 milli-units at 1 milli-unit per pod -> math.MaxInt32 replicas. Here
    // 1e300 req/s saturates the milli-quantity at i64::MAX and the target is 0.001.
    let h = hpa(vec![requests_per_pod(0.001)]);
    let p = proposal(&h, &arrivals_obs(1, 1e300));
    assert_eq!(p.replicas, 2_147_483_647);
    // TestReplicaCalcScaleUpOverflow, an Object metric with a Value target: MaxInt64
    // against 1 over 3 pods -> MaxInt32. Here p95 latency 1e300 s against 0.001 s.
    let h = hpa(vec![MetricTarget::Value {
        metric: Metric::LatencyP95,
        target: 0.001,
    }]);
    let mut o = cpu_obs(0.0, 3, 0.5);
    o.latency_p95_secs = Some(1e300);
    assert_eq!(proposal(&h, &o).replicas, 2_147_483_647);
    // The legacy limit of a huge pool stays an int32 too: max(2 * 2^31, 4) clamps.
    assert_eq!(legacy_scale_up_limit(u32::MAX), 2_147_483_647);
}

#[test]
fn no_ready_pods_with_metrics_holds() {
    let mut h = cpu_hpa(0.6);
    let instances = (0..3)
        .map(|_| InstanceSample {
            readiness: Readiness::Booting,
            ..pod(None)
        })
        .collect();
    let rec = h.evaluate(&obs(0.0, 3, 1, 10, instances));
    assert_eq!(rec.desired, 3);
    assert_eq!(rec.reason, "no ready pods with metrics (cpu): hold");
}

#[test]
fn an_unreadable_metric_blocks_scale_down_only() {
    // CPU says 4 (ratio 0.5), latency has no samples: no scale-down
    // (horizontal.go `computeReplicasForMetrics`: some metrics invalid and fewer
    // replicas proposed).
    let mut h = started(hpa(vec![
        cpu(0.5),
        MetricTarget::Value {
            metric: Metric::LatencyP95,
            target: 0.3,
        },
    ]));
    let rec = h.evaluate(&cpu_obs(0.0, 8, 0.25));
    assert_eq!(rec.desired, 8, "{}", rec.reason);
    assert!(
        rec.reason
            .contains("no scale-down while a metric is missing")
    );
    // CPU says 16 (ratio 2): scaling up is still allowed (legacy limit 16).
    let rec = h.evaluate(&cpu_obs(15.0, 8, 1.0));
    assert_eq!(rec.desired, 16, "{}", rec.reason);
}
