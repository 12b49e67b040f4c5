//! The autoscaling policy of a pool: the kind picker, and one file per kind with its
//! default settings (built in Rust, typed) and its form.
//!
//! Adding a policy to the editor: a variant of [`PolicyKind`], its module here with
//! `new_config` and `form_ui`, and one arm in each `match` below.

mod backlog;
mod combined;
mod hpa;
mod latency;
mod predictive;
mod simple_scaling;
mod step_scaling;
mod target_tracking;
mod vertical;

use egui::{ComboBox, Ui};

use super::EditorState;
use crate::model::autoscale::AutoscaleSpec;
use crate::model::autoscale::aws_step::AdjustmentType;
use crate::model::instance::InstanceType;
use crate::scenario::PoolSpec;

/// The kinds of policy the picker offers, `Fixed` being no autoscaling at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PolicyKind {
    /// No policy: the pool keeps its size (and its scheduled actions).
    Fixed,
    /// AWS target tracking.
    TargetTracking,
    /// The Kubernetes HorizontalPodAutoscaler.
    Hpa,
    /// AWS step scaling.
    StepScaling,
    /// AWS simple scaling.
    SimpleScaling,
    /// AWS predictive scaling.
    Predictive,
    /// Requests held per instance.
    Backlog,
    /// The pool's p95 latency against an objective.
    LatencyTarget,
    /// Bigger or smaller instance types.
    Vertical,
    /// Several policies on one pool.
    Combined,
}

impl PolicyKind {
    /// Every kind, in the order the picker lists them.
    pub(super) const ALL: [PolicyKind; 10] = [
        PolicyKind::Fixed,
        PolicyKind::TargetTracking,
        PolicyKind::Hpa,
        PolicyKind::StepScaling,
        PolicyKind::SimpleScaling,
        PolicyKind::Predictive,
        PolicyKind::Backlog,
        PolicyKind::LatencyTarget,
        PolicyKind::Vertical,
        PolicyKind::Combined,
    ];

    /// The kind of a pool's policy.
    pub(super) fn of(spec: Option<&AutoscaleSpec>) -> PolicyKind {
        match spec {
            None => PolicyKind::Fixed,
            Some(AutoscaleSpec::Hpa(_)) => PolicyKind::Hpa,
            Some(AutoscaleSpec::TargetTracking(_)) => PolicyKind::TargetTracking,
            Some(AutoscaleSpec::StepScaling(_)) => PolicyKind::StepScaling,
            Some(AutoscaleSpec::SimpleScaling(_)) => PolicyKind::SimpleScaling,
            Some(AutoscaleSpec::Vertical(_)) => PolicyKind::Vertical,
            Some(AutoscaleSpec::Combined(_)) => PolicyKind::Combined,
            Some(AutoscaleSpec::Predictive(_)) => PolicyKind::Predictive,
            Some(AutoscaleSpec::Backlog(_)) => PolicyKind::Backlog,
            Some(AutoscaleSpec::LatencyTarget(_)) => PolicyKind::LatencyTarget,
        }
    }

    /// The name the picker shows: the scenario file's name for the policy.
    pub(super) fn label(self) -> &'static str {
        match self {
            PolicyKind::Fixed => "None",
            PolicyKind::TargetTracking => "TargetTracking",
            PolicyKind::Hpa => "Hpa",
            PolicyKind::StepScaling => "StepScaling",
            PolicyKind::SimpleScaling => "SimpleScaling",
            PolicyKind::Predictive => "Predictive",
            PolicyKind::Backlog => "Backlog",
            PolicyKind::LatencyTarget => "LatencyTarget",
            PolicyKind::Vertical => "Vertical",
            PolicyKind::Combined => "Combined",
        }
    }

    /// A new policy of this kind for `pool`, with default settings (None for `Fixed`).
    /// `types`: the instance types on offer, for a vertical policy's ladder.
    pub(super) fn new_spec(self, pool: &PoolSpec, types: &[InstanceType]) -> Option<AutoscaleSpec> {
        Some(match self {
            PolicyKind::Fixed => return None,
            PolicyKind::TargetTracking => {
                AutoscaleSpec::TargetTracking(target_tracking::new_config())
            }
            PolicyKind::Hpa => AutoscaleSpec::Hpa(hpa::new_config()),
            PolicyKind::StepScaling => AutoscaleSpec::StepScaling(step_scaling::new_config()),
            PolicyKind::SimpleScaling => AutoscaleSpec::SimpleScaling(simple_scaling::new_config()),
            PolicyKind::Predictive => AutoscaleSpec::Predictive(predictive::new_config()),
            PolicyKind::Backlog => AutoscaleSpec::Backlog(backlog::new_config()),
            PolicyKind::LatencyTarget => AutoscaleSpec::LatencyTarget(latency::new_config()),
            PolicyKind::Vertical => AutoscaleSpec::Vertical(vertical::new_config(pool, types)),
            PolicyKind::Combined => AutoscaleSpec::Combined(combined::new_config(pool)),
        })
    }
}

/// Adjustment types, in the order the step and simple scaling forms list them.
const ADJUSTMENT_TYPES: [AdjustmentType; 3] = [
    AdjustmentType::ChangeInCapacity,
    AdjustmentType::ExactCapacity,
    AdjustmentType::PercentChangeInCapacity,
];

/// The policy combo box and the rows of the chosen policy's parameters.
pub(super) fn policy_rows_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    i: usize,
    pool: &mut PoolSpec,
    types: &[InstanceType],
) -> bool {
    let mut changed = policy_kind_row_ui(ui, state, i, pool, types);
    let Some(spec) = pool.autoscale.as_mut() else {
        return changed;
    };
    changed |= match spec {
        AutoscaleSpec::TargetTracking(c) => target_tracking::form_ui(ui, i, c),
        AutoscaleSpec::Hpa(c) => hpa::form_ui(ui, i, c),
        AutoscaleSpec::StepScaling(c) => step_scaling::form_ui(ui, i, c),
        AutoscaleSpec::SimpleScaling(c) => simple_scaling::form_ui(ui, i, c),
        AutoscaleSpec::Predictive(c) => predictive::form_ui(ui, i, c),
        AutoscaleSpec::Backlog(c) => backlog::form_ui(ui, c),
        AutoscaleSpec::LatencyTarget(c) => latency::form_ui(ui, c),
        AutoscaleSpec::Vertical(c) => vertical::form_ui(ui, state, i, c),
        AutoscaleSpec::Combined(specs) => combined::form_ui(ui, specs),
    };
    changed
}

/// The policy combo box. A new kind gets the policy last chosen of that kind for this
/// pool, or a new one with default settings.
fn policy_kind_row_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    i: usize,
    pool: &mut PoolSpec,
    types: &[InstanceType],
) -> bool {
    let l = ui.label("policy");
    let current = PolicyKind::of(pool.autoscale.as_ref());
    let mut chosen = None;
    let _ = ComboBox::from_id_salt(("editor policy kind", i))
        .selected_text(current.label())
        .show_ui(ui, |ui| {
            for kind in PolicyKind::ALL {
                if ui.selectable_label(kind == current, kind.label()).clicked() && kind != current {
                    chosen = Some(kind);
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();

    let Some(kind) = chosen else {
        return false;
    };
    let new = match state.policies.remove(&(i, kind)) {
        Some(p) => Some(p),
        None => kind.new_spec(pool, types),
    };
    if let Some(old) = std::mem::replace(&mut pool.autoscale, new) {
        state.policies.insert((i, PolicyKind::of(Some(&old))), old);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::editor::test_design;
    use crate::model::autoscale::Metric;
    use crate::model::autoscale::aws_target_tracking::TargetTrackingConfig;
    use crate::model::catalog::Catalog;

    #[test]
    fn every_new_policy_validates_with_its_defaults() {
        let catalog = Catalog::builtin().unwrap();
        for kind in PolicyKind::ALL {
            let mut d = test_design();
            let mut f = d.file.clone();
            f.pools[0].autoscale = kind.new_spec(&f.pools[0], catalog.types());
            assert_eq!(PolicyKind::of(f.pools[0].autoscale.as_ref()), kind);
            d.set_file(f);
            assert!(d.errors.is_empty(), "{kind:?}: {:?}", d.errors);
        }
    }

    #[test]
    fn a_new_target_tracking_policy_has_the_aws_defaults() {
        let p = PolicyKind::TargetTracking.new_spec(&test_design().file.pools[0], &[]);
        let expected = TargetTrackingConfig::new(Metric::Cpu, 0.6);
        assert_eq!(p, Some(AutoscaleSpec::TargetTracking(expected)));
    }

    /// The defaults built here are the ones a scenario file gets for the same required
    /// settings (the schema fills the rest): what the editor used to write as RON.
    #[test]
    fn new_policies_are_what_the_file_would_say() {
        let catalog = Catalog::builtin().unwrap();
        let pool = &test_design().file.pools[0];
        for (kind, ron) in [
            (
                PolicyKind::TargetTracking,
                "TargetTracking(metric: Cpu, target: 0.6)",
            ),
            (
                PolicyKind::Hpa,
                "Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)])",
            ),
            (
                PolicyKind::StepScaling,
                "StepScaling(metric: Cpu, \
                 scale_out: (threshold: 0.6, steps: [(lower: 0.0, upper: 0.2, adjustment: 1), (lower: 0.2, adjustment: 3)]), \
                 scale_in: (threshold: 0.3, steps: [(upper: 0.0, adjustment: -1)]))",
            ),
            (
                PolicyKind::SimpleScaling,
                "SimpleScaling(metric: Cpu, \
                 scale_out: (threshold: 0.7, adjustment: 2), \
                 scale_in: (threshold: 0.3, adjustment: -1))",
            ),
            (
                PolicyKind::Predictive,
                "Predictive(requests_per_instance: 24)",
            ),
            (PolicyKind::Backlog, "Backlog(per_instance: 3)"),
            (PolicyKind::LatencyTarget, "LatencyTarget(target_secs: 0.3)"),
            (
                PolicyKind::Vertical,
                r#"Vertical(types: ["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"])"#,
            ),
        ] {
            let parsed: AutoscaleSpec = crate::scenario::ron_options().from_str(ron).unwrap();
            assert_eq!(
                kind.new_spec(pool, catalog.types()),
                Some(parsed),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn a_new_combination_starts_from_the_current_policy() {
        let mut pool = test_design().file.pools[0].clone();
        pool.autoscale = PolicyKind::Backlog.new_spec(&pool, &[]);
        let Some(AutoscaleSpec::Combined(specs)) = PolicyKind::Combined.new_spec(&pool, &[]) else {
            panic!("not a combination")
        };
        assert_eq!(Some(&specs[0]), pool.autoscale.as_ref());
        // A policy that cannot be combined gives way to target tracking.
        pool.autoscale = PolicyKind::Vertical.new_spec(&pool, &[]);
        let Some(AutoscaleSpec::Combined(specs)) = PolicyKind::Combined.new_spec(&pool, &[]) else {
            panic!("not a combination")
        };
        assert_eq!(PolicyKind::of(specs.first()), PolicyKind::TargetTracking);
    }
}
