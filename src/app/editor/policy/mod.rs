//! The autoscaling policy of a pool: the kind picker, and one file per kind with its form.
//!
//! The kinds and the settings a new policy starts from come from the model's registry
//! (`AutoscaleSpec::KINDS`, `AutoscaleSpec::example`), so a policy added there is offered
//! here with no change. A form of its own is one file here and one arm in
//! `policy_rows_ui`; without one, its settings are edited in the RON tab.

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
use crate::app::editor::rows::note_row_ui;
use crate::model::autoscale::AutoscaleSpec;
use crate::model::autoscale::aws_step::AdjustmentType;
use crate::model::autoscale::spec::PoolContext;
use crate::model::catalog::family_of;
use crate::model::instance::InstanceType;
use crate::scenario::PoolSpec;

/// What the picker shows for a pool without a policy (it keeps its size and schedule).
pub(super) const NO_POLICY: &str = "None";

/// Every choice of the picker: no policy, then the registry's kinds.
pub(super) fn kinds() -> impl Iterator<Item = &'static str> {
    std::iter::once(NO_POLICY).chain(AutoscaleSpec::KINDS.iter().copied())
}

/// The kind of a pool's policy, as the picker names it.
pub(super) fn kind_of(spec: Option<&AutoscaleSpec>) -> &'static str {
    spec.map_or(NO_POLICY, AutoscaleSpec::kind)
}

/// A new policy of `kind` for `pool`, with the settings the model starts a policy from
/// (None for no policy). `types`: the instance types on offer, for a vertical ladder.
pub(super) fn new_spec(
    kind: &str,
    pool: &PoolSpec,
    types: &[InstanceType],
) -> Option<AutoscaleSpec> {
    let family = family_of(&pool.instance, types);
    let ctx = PoolContext {
        instance_type: &pool.instance,
        family: &family,
    };
    match kind {
        NO_POLICY => None,
        "Combined" => Some(AutoscaleSpec::Combined(combined::new_config(pool, &ctx))),
        kind => AutoscaleSpec::example(kind, &ctx),
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
        #[allow(unreachable_patterns)] // a policy registered without a form of its own
        other => {
            note_row_ui(
                ui,
                &format!("{}: edit its settings in the RON tab", other.kind()),
            );
            false
        }
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
    let current = kind_of(pool.autoscale.as_ref());
    let mut chosen = None;
    let _ = ComboBox::from_id_salt(("editor policy kind", i))
        .selected_text(current)
        .show_ui(ui, |ui| {
            for kind in kinds() {
                if ui.selectable_label(kind == current, kind).clicked() && kind != current {
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
        None => new_spec(kind, pool, types),
    };
    if let Some(old) = std::mem::replace(&mut pool.autoscale, new) {
        state.policies.insert((i, old.kind()), old);
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
        for kind in kinds() {
            let mut d = test_design();
            let mut f = d.file.clone();
            f.pools[0].autoscale = new_spec(kind, &f.pools[0], catalog.types());
            assert_eq!(kind_of(f.pools[0].autoscale.as_ref()), kind);
            d.set_file(f);
            assert!(d.errors.is_empty(), "{kind}: {:?}", d.errors);
        }
    }

    #[test]
    fn a_new_target_tracking_policy_has_the_aws_defaults() {
        let p = new_spec("TargetTracking", &test_design().file.pools[0], &[]);
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
            ("TargetTracking", "TargetTracking(metric: Cpu, target: 0.6)"),
            (
                "Hpa",
                "Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)])",
            ),
            (
                "StepScaling",
                "StepScaling(metric: Cpu, \
                 scale_out: (threshold: 0.6, steps: [(lower: 0.0, upper: 0.2, adjustment: 1), (lower: 0.2, adjustment: 3)]), \
                 scale_in: (threshold: 0.3, steps: [(upper: 0.0, adjustment: -1)]))",
            ),
            (
                "SimpleScaling",
                "SimpleScaling(metric: Cpu, \
                 scale_out: (threshold: 0.7, adjustment: 2), \
                 scale_in: (threshold: 0.3, adjustment: -1))",
            ),
            ("Predictive", "Predictive(requests_per_instance: 24)"),
            ("Backlog", "Backlog(per_instance: 1.2)"),
            ("LatencyTarget", "LatencyTarget(target_secs: 0.3)"),
            (
                "Vertical",
                r#"Vertical(types: ["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"])"#,
            ),
        ] {
            let parsed: AutoscaleSpec = crate::scenario::ron_options().from_str(ron).unwrap();
            assert_eq!(
                new_spec(kind, pool, catalog.types()),
                Some(parsed),
                "{kind}"
            );
        }
    }

    #[test]
    fn a_new_combination_starts_from_the_current_policy() {
        let mut pool = test_design().file.pools[0].clone();
        pool.autoscale = new_spec("Backlog", &pool, &[]);
        let Some(AutoscaleSpec::Combined(specs)) = new_spec("Combined", &pool, &[]) else {
            panic!("not a combination")
        };
        assert_eq!(Some(&specs[0]), pool.autoscale.as_ref());
        // A policy that cannot be combined gives way to target tracking.
        pool.autoscale = new_spec("Vertical", &pool, &[]);
        let Some(AutoscaleSpec::Combined(specs)) = new_spec("Combined", &pool, &[]) else {
            panic!("not a combination")
        };
        assert_eq!(kind_of(specs.first()), "TargetTracking");
    }
}
