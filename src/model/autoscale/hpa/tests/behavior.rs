//! Normalization of the largest proposal (`horizontal_test.go`): stabilization, rate
//! limits, min and max, with and without `behavior`.

use super::*;

#[test]
fn no_behavior_takes_the_legacy_path_not_the_v2_defaults() {
    // defaults.go `SetDefaults_HorizontalPodAutoscalerBehavior` fills the v2 defaults
    // only into a behavior that is there; without one, horizontal.go normalizes with
    // `normalizeDesiredReplicas`. 3 pods asked for 1,000 (1,000 req/s at 1 req/s per
    // pod: ceil(1000 / 1) = 1000):
    // - legacy, `calculateScaleUpLimit(3)` = max(2 * 3, 4) = 6, the case "scaleUpLimit
    //   is the limit because scaleUpLimit < maxReplicas" of horizontal_test.go
    //   TestConvertDesiredReplicasWithRules (current 3, desired 1000, max 2000);
    // - v2 defaults, the larger of Percent 100 %/15 s (3 * 2 = 6) and Pods 4/15 s
    //   (3 + 4 = 7): 7.
    let o = {
        let mut o = arrivals_obs(3, 1000.0);
        o.max = 2000;
        o
    };
    let mut legacy = hpa(vec![requests_per_pod(1.0)]);
    let rec = legacy.evaluate(&o);
    assert_eq!((rec.raw_desired, rec.desired), (1000, 6), "{}", rec.reason);
    assert!(
        rec.reason
            .ends_with("; scale-up limited to 6 (max(2 x 3, 4))"),
        "{}",
        rec.reason
    );
    let mut v2 = with_behavior(vec![requests_per_pod(1.0)], HpaBehavior::default());
    let rec = v2.evaluate(&o);
    assert_eq!((rec.raw_desired, rec.desired), (1000, 7), "{}", rec.reason);
    assert!(
        rec.reason
            .ends_with("; scale-up limited to 7 by Pods 4/15s"),
        "{}",
        rec.reason
    );
}

#[test]
fn legacy_bounds_follow_convert_desired_replicas_with_rules() {
    // horizontal_test.go TestConvertDesiredReplicasWithRules, on an HPA past its first
    // evaluation (so stabilization passes the desired count through). The desired
    // count is made exact with requests per pod: ceil(total / 1 per pod).
    // (current, desired, min, max, expected, reason)
    for (current, desired, min, max, expected, reason) in [
        // "prenormalized desired replicas within range"
        (5, 7, 3, 8, 7, None),
        // "prenormalized desired replicas < minReplicas": TooFewReplicas
        (3, 1, 2, 8, 2, Some("at min 2")),
        // "scaleUpLimit is the limit because scaleUpLimit < maxReplicas"
        (
            3,
            1000,
            1,
            2000,
            6,
            Some("scale-up limited to 6 (max(2 x 3, 4))"),
        ),
        // "maxReplicas is the limit because maxReplicas < scaleUpLimit"; upstream's
        // case starts at 20 > max 10, which reconcileAutoscaler already brings to 10
        // without metrics, so here the pool starts at 8: limit max(16, 4) = 16 > 10.
        (8, 1000, 1, 10, 10, Some("at max 10")),
    ] {
        let mut h = started(hpa(vec![requests_per_pod(1.0)]));
        let mut o = arrivals_obs(current, f64::from(desired));
        (o.min, o.max) = (min, max);
        let rec = h.evaluate(&o);
        assert_eq!(
            (rec.raw_desired, rec.desired),
            (desired, expected),
            "{}",
            rec.reason
        );
        match reason {
            Some(r) => assert!(rec.reason.ends_with(r), "{}", rec.reason),
            None => assert!(!rec.reason.contains(';'), "{}", rec.reason),
        }
    }
}

#[test]
fn legacy_stabilization_takes_the_highest_recommendation_of_the_window() {
    // horizontal_test.go TestNormalizeDesiredReplicas (`stabilizeRecommendation`, a
    // 5-minute window), prenormalized 3 (or 5 for the empty log), times in seconds
    // before now:
    let now = 10_000.0;
    for (name, history, raw, expected) in [
        ("empty log", vec![], 5, 5),
        ("stabilize", vec![(120.0, 4), (60.0, 5)], 3, 5),
        ("no stabilize", vec![(120.0, 1), (60.0, 2)], 3, 3),
        (
            "no stabilize - old recommendations",
            vec![(600.0, 10), (540.0, 9)],
            3,
            3,
        ),
        (
            "stabilize - old recommendations",
            vec![(600.0, 10), (60.0, 4), (120.0, 5), (540.0, 9)],
            3,
            5,
        ),
    ] {
        let mut h = started(cpu_hpa(0.5));
        h.recommendations = history.iter().map(|&(ago, rec)| (now - ago, rec)).collect();
        assert_eq!(h.stabilize_legacy(now, raw, 300.0), expected, "{name}");
        // The new recommendation is on record, the old ones are gone.
        assert_eq!(h.recommendations.last(), Some(&(now, raw)), "{name}");
        assert!(h.recommendations.iter().all(|&(at, _)| at >= now - 300.0));
    }
}

#[test]
fn a_new_hpa_records_its_size_as_the_first_recommendation() {
    // horizontal_test.go TestScaleDownStabilizeInitialSize: 5 pods of 1 vCPU at
    // 100, 300, 500, 250, 250 m, target 50 %, no recommendations yet (nil):
    // 1400 / 5000 = 28 % -> ratio 0.56 -> ceil(0.56 * 5) = ceil(2.8) = 3, but the
    // recorded initial 5 is the highest of the window: 5 stays ("ScaleDownStabilized").
    let levels = [0.1, 0.3, 0.5, 0.25, 0.25];
    let five = |now: f64| {
        let instances = levels.iter().map(|&c| pod(Some(c))).collect();
        obs(now, 5, 2, 6, instances)
    };
    let mut h = cpu_hpa(0.5);
    let rec = h.evaluate(&five(0.0));
    assert_eq!((rec.raw_desired, rec.desired), (3, 5), "{}", rec.reason);
    assert!(
        rec.reason
            .ends_with("; scale-down stabilization holds 5 (max recommendation in the last 300 s)"),
        "{}",
        rec.reason
    );
    // TestScaleDown, the same pods with an empty (not nil) list: 5 -> 3.
    let mut h = started(cpu_hpa(0.5));
    assert_eq!(h.evaluate(&five(0.0)).desired, 3);

    // Over time, legacy path: the initial 5 (t = 0) is still in the window at t = 300
    // (`Before(now - 300)` is false for it) and gone at t = 315, when the highest
    // recommendation is the 3 of every sync since: 5 -> 3.
    let mut h = cpu_hpa(0.5);
    for i in 0..=20 {
        let now = f64::from(i) * 15.0;
        assert_eq!(step(&mut h, &five(now)).desired, 5, "t = {now}");
    }
    assert_eq!(step(&mut h, &five(315.0)).desired, 3);

    // With a behavior the initial record counts the same way, but the window keeps
    // only recommendations after now - 300 (`After(cutoff)`): 5 -> 3 at t = 300.
    let mut h = with_behavior(vec![cpu(0.5)], HpaBehavior::default());
    for i in 0..20 {
        let now = f64::from(i) * 15.0;
        assert_eq!(step(&mut h, &five(now)).desired, 5, "t = {now}");
    }
    assert_eq!(step(&mut h, &five(300.0)).desired, 3);
}

#[test]
fn v2_default_scale_up_policies() {
    // defaults.go: scale-up Percent 100 %/15 s and Pods 4/15 s, select Max. With no
    // prior events, 1 % target against 100 % CPU: ratio 100.
    // current 1  -> limit max(ceil(1 * 2), 1 + 4)  = max(2, 5)   = 5
    // current 3  -> limit max(ceil(3 * 2), 3 + 4)  = max(6, 7)   = 7
    // current 10 -> limit max(ceil(10 * 2), 10 + 4) = max(20, 14) = 20
    for (current, raw, expected, by) in [
        (1, 100, 5, "Pods 4/15s"),
        (3, 300, 7, "Pods 4/15s"),
        (10, 1000, 20, "Percent 100%/15s"),
    ] {
        let mut h = with_behavior(vec![cpu(0.01)], HpaBehavior::default());
        let rec = h.evaluate(&cpu_obs(0.0, current, 1.0));
        assert_eq!(
            (rec.raw_desired, rec.desired),
            (raw, expected),
            "{}",
            rec.reason
        );
        assert!(
            rec.reason
                .ends_with(&format!("; scale-up limited to {expected} by {by}")),
            "{}",
            rec.reason
        );
    }
    // Without a behavior, max(2 * current, 4): 1 -> 4, 3 -> 6, 10 -> 20.
    for (current, expected) in [(1, 4), (3, 6), (10, 20)] {
        let mut h = cpu_hpa(0.01);
        assert_eq!(h.evaluate(&cpu_obs(0.0, current, 1.0)).desired, expected);
    }
}

#[test]
fn scale_up_allowance_is_shared_within_the_period() {
    // 10 -> 20 at t = 0 uses the whole 100 %/15 s. At t = 10 (an early sync) the period
    // began at 20 - 10 = 10, so Percent allows ceil(10 * 2) = 20 and Pods 10 + 4 = 14:
    // limit 20 = current, held. At t = 15 the event has aged out: 20 -> 40.
    let mut h = with_behavior(vec![cpu(0.01)], HpaBehavior::default());
    assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 1.0)).desired, 20);
    assert_eq!(step(&mut h, &cpu_obs(10.0, 20, 1.0)).desired, 20);
    assert_eq!(step(&mut h, &cpu_obs(15.0, 20, 1.0)).desired, 40);
}

#[test]
fn doc_example_scale_down_policies_80_to_72() {
    // kubernetes.io HPA docs, "Scaling policies": Pods 4/60 s and Percent 10/60 s,
    // select Max (the larger change). The example isolates the policies, so the
    // scale-down stabilization window is 0 here (with the default 300 s the initial
    // recommendation of 80 would hold the first 5 minutes).
    // Every pod serves 10/s against a 100/s target: ratio 0.1, raw ceil(0.1 * 80) = 8.
    let behavior = HpaBehavior {
        scale_down: ScaleDownRules {
            stabilization_window_secs: Some(0.0),
            policies: vec![
                ScalingPolicy::Pods {
                    value: 4,
                    period_secs: 60.0,
                },
                ScalingPolicy::Percent {
                    value: 10,
                    period_secs: 60.0,
                },
            ],
            ..ScaleDownRules::default()
        },
        ..HpaBehavior::default()
    };
    let mut h = with_behavior(
        vec![MetricTarget::AverageValue {
            metric: Metric::RequestsPerTarget,
            target: 100.0,
        }],
        behavior,
    );
    let at = |now: f64, current: u32| {
        let instances = (0..current)
            .map(|_| InstanceSample {
                requests_per_sec: Some(10.0),
                ..pod(Some(0.1))
            })
            .collect();
        obs(now, current, 1, 100, instances)
    };

    // 80 -> proposals {80 - 4 = 76, int(80 * 0.9) = 72}, largest change: 72 (-8).
    let rec = step(&mut h, &at(0.0, 80));
    assert_eq!((rec.raw_desired, rec.desired), (8, 72), "{}", rec.reason);
    assert!(
        rec.reason
            .ends_with("; scale-down limited to 72 by Percent 10%/60s"),
        "{}",
        rec.reason
    );

    // t = 15, 30, 45: the 8 removed at t = 0 are inside the 60 s period, so the period
    // began at 72 + 8 = 80 and the limit is still 72 = current: held.
    for now in [15.0, 30.0, 45.0] {
        let rec = step(&mut h, &at(now, 72));
        assert_eq!(rec.desired, 72, "t = {now}: {}", rec.reason);
        assert!(
            rec.reason
                .contains("(was 80 at the start of the last 60 s)")
        );
    }

    // t = 60: the t = 0 event is no longer after the cutoff 60 - 60 = 0, so the period
    // starts at 72: {68, int(72 * 0.9) = int(64.8) = 64} -> 64 (-8, 10 % rounded up).
    let rec = step(&mut h, &at(60.0, 72));
    assert_eq!(rec.desired, 64, "{}", rec.reason);

    // Below 40 pods the Pods policy removes more: 30 -> {26, int(27.0) = 27} -> 26.
    let rec = step(&mut h, &at(200.0, 30));
    assert_eq!(rec.desired, 26, "{}", rec.reason);
}

#[test]
fn dip_within_five_minutes_does_not_scale_down() {
    // 10 pods, target 50 %. At t = 0 CPU is on target (raw 10). A dip to 25 % for
    // t = 15..=105 asks for ceil(0.5 * 10) = 5, but the max recommendation of the last
    // 300 s is 10, so 10 holds; from t = 120 load is back (raw 10). Never scales down.
    let mut h = cpu_hpa(0.5);
    for i in 0..=40 {
        let now = f64::from(i) * 15.0;
        let cpu = if (1..=7).contains(&i) { 0.25 } else { 0.5 };
        let rec = step(&mut h, &cpu_obs(now, 10, cpu));
        assert_eq!(rec.desired, 10, "t = {now}: {}", rec.reason);
        if cpu < 0.5 {
            assert_eq!(rec.raw_desired, 5);
            assert!(
                rec.reason.ends_with(
                    "; scale-down stabilization holds 10 (max recommendation in the last 300 s)"
                ),
                "{}",
                rec.reason
            );
        }
    }
}

#[test]
fn sustained_dip_scales_down_after_the_window() {
    // As above, but the dip lasts. The only 10s are the initial recommendation and the
    // raw 10 of t = 0. Legacy path: they stay in the window through t = 300 (exactly
    // 300 s old is not `Before(now - 300)`) and leave it at t = 315, when the max is 5:
    // 10 -> 5.
    let mut h = cpu_hpa(0.5);
    assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 0.5)).desired, 10);
    for i in 1..=20 {
        let now = f64::from(i) * 15.0;
        let rec = step(&mut h, &cpu_obs(now, 10, 0.25));
        assert_eq!(rec.desired, 10, "t = {now}: {}", rec.reason);
    }
    let rec = step(&mut h, &cpu_obs(315.0, 10, 0.25));
    assert_eq!(rec.desired, 5, "{}", rec.reason);

    // With a behavior (default 100 %/15 s down), the window keeps only what is after
    // now - 300 (`After(cutoff)`): 10 -> 5 at t = 300.
    let mut h = with_behavior(vec![cpu(0.5)], HpaBehavior::default());
    assert_eq!(step(&mut h, &cpu_obs(0.0, 10, 0.5)).desired, 10);
    for i in 1..20 {
        let now = f64::from(i) * 15.0;
        assert_eq!(step(&mut h, &cpu_obs(now, 10, 0.25)).desired, 10);
    }
    assert_eq!(step(&mut h, &cpu_obs(300.0, 10, 0.25)).desired, 5);
}

#[test]
fn select_policy_disabled_forbids_scale_down() {
    // 20 % against 50 %: ratio 0.4, raw ceil(0.4 * 10) = 4, but scale-down is disabled.
    let behavior = HpaBehavior {
        scale_down: ScaleDownRules {
            select_policy: SelectPolicy::Disabled,
            ..ScaleDownRules::default()
        },
        ..HpaBehavior::default()
    };
    let mut h = with_behavior(vec![cpu(0.5)], behavior);
    for i in 0..40 {
        let rec = step(&mut h, &cpu_obs(f64::from(i) * 15.0, 10, 0.2));
        assert_eq!((rec.raw_desired, rec.desired), (4, 10), "{}", rec.reason);
    }
    // Once the initial 10 has left the 300 s window, the disabled policy holds.
    let rec = step(&mut h, &cpu_obs(600.0, 10, 0.2));
    assert!(
        rec.reason
            .ends_with("; scale-down disabled (select_policy: Disabled)"),
        "{}",
        rec.reason
    );
    // Scaling up still works: 100 % -> ratio 2 -> 20 (limit max(20, 14) = 20).
    assert_eq!(step(&mut h, &cpu_obs(615.0, 10, 1.0)).desired, 20);
}

#[test]
fn min_and_max_are_never_crossed() {
    // 100 % against 50 % with 8 pods: raw 16, legacy limit max(16, 4) = 16, max 10.
    let mut h = cpu_hpa(0.5);
    let rec = h.evaluate(&obs(0.0, 8, 2, 10, pods(8, 1.0)));
    assert_eq!((rec.raw_desired, rec.desired), (16, 10));
    assert_eq!(
        rec.reason,
        "cpu 100% vs target 50%: ratio 2.00 -> 16; at max 10"
    );

    // 5 % against 50 % with 4 pods: raw ceil(0.1 * 4) = 1, min 3 (past the first
    // evaluation, so no stabilization in the way).
    let mut h = started(cpu_hpa(0.5));
    let rec = h.evaluate(&obs(0.0, 4, 3, 10, pods(4, 0.05)));
    assert_eq!((rec.raw_desired, rec.desired), (1, 3));
    assert!(rec.reason.ends_with("; at min 3"), "{}", rec.reason);

    // Outside the bounds (someone resized the pool): brought back without metrics.
    let mut h = cpu_hpa(0.5);
    assert_eq!(h.evaluate(&obs(0.0, 12, 2, 10, pods(12, 1.0))).desired, 10);
    assert_eq!(h.evaluate(&obs(0.0, 1, 2, 10, pods(1, 0.0))).desired, 2);
    assert_eq!(h.measure(), None);

    // A long random-ish walk stays inside [2, 10].
    let mut h = cpu_hpa(0.5);
    let mut current = 5;
    for i in 0..200u32 {
        let cpu = f64::from((i * 37) % 101) / 100.0;
        let rec = step(
            &mut h,
            &obs(
                f64::from(i) * 15.0,
                current,
                2,
                10,
                pods(current as usize, cpu),
            ),
        );
        assert!((2..=10).contains(&rec.desired), "{}", rec.reason);
        current = rec.desired;
    }
}

#[test]
fn a_steady_hold_reports_the_raw_count_of_its_first_evaluation() {
    // 20 pods at 60 % against 60 % (raw 20), then load falls and the 300 s scale-down
    // window holds 20 while the raw count wanders with every sample:
    // 40 % -> ratio 0.667 -> ceil(13.3) = 14; 44 % -> 0.733 -> ceil(14.7) = 15;
    // 37 % -> 0.617 -> ceil(12.3) = 13. One hold (scale-down stabilization at 20):
    // every sync reports the first raw count, 14, so the world logs it once.
    let mut h = with_behavior(vec![cpu(0.6)], HpaBehavior::default());
    assert_eq!(step(&mut h, &cpu_obs(0.0, 20, 0.6)).raw_desired, 20);
    for (now, cpu) in [
        (15.0, 0.40),
        (30.0, 0.44),
        (45.0, 0.37),
        (60.0, 0.6),
        (75.0, 0.44),
    ] {
        let rec = step(&mut h, &cpu_obs(now, 20, cpu));
        assert_eq!(rec.desired, 20, "{}", rec.reason);
        // At t = 60 load is on target: raw 20 = current, not a hold at all.
        let expected = if now == 60.0 { 20 } else { 14 };
        assert_eq!(rec.raw_desired, expected, "t = {now}: {}", rec.reason);
    }
    // The capacity moves (another policy, or a person): a hold at 18 is a new hold and
    // reports its own raw count, 36 % of 18 pods -> ceil(0.6 * 18) = ceil(10.8) = 11.
    let rec = step(&mut h, &cpu_obs(90.0, 18, 0.36));
    assert_eq!((rec.raw_desired, rec.desired), (11, 18), "{}", rec.reason);

    // A different reason at the same capacity is a new hold: at max 20, 100 % of 20
    // pods against 60 % -> ceil(1.667 * 20) = 34, then 90 % -> ceil(1.5 * 20) = 30
    // still reports 34.
    let mut h = cpu_hpa(0.6);
    let full = |now, cpu| obs(now, 20, 1, 20, pods(20, cpu));
    assert_eq!(step(&mut h, &full(0.0, 1.0)).raw_desired, 34);
    let rec = step(&mut h, &full(15.0, 0.9));
    assert_eq!((rec.raw_desired, rec.desired), (34, 20), "{}", rec.reason);
    assert!(rec.reason.ends_with("; at max 20"), "{}", rec.reason);
}
