//! Several policies on one pool: made from the current one, edited in the RON tab.

use egui::Ui;

use crate::app::editor::rows::note_row_ui;
use crate::model::autoscale::AutoscaleSpec;
use crate::model::autoscale::aws_target_tracking::TargetTrackingConfig;
use crate::model::autoscale::spec::{PolicyConfig, PoolContext};
use crate::scenario::PoolSpec;

/// A new combination: the pool's current policy, if it may be part of one (not a
/// vertical policy nor a combination), else a new target tracking policy.
pub(super) fn new_config(pool: &PoolSpec, ctx: &PoolContext<'_>) -> Vec<AutoscaleSpec> {
    let first = match &pool.autoscale {
        Some(AutoscaleSpec::Vertical(_) | AutoscaleSpec::Combined(_)) | None => {
            AutoscaleSpec::TargetTracking(TargetTrackingConfig::example(ctx))
        }
        Some(s) => s.clone(),
    };
    vec![first]
}

/// The kinds combined, as a note: a combination is edited in the RON tab.
pub(super) fn form_ui(ui: &mut Ui, specs: &[AutoscaleSpec]) -> bool {
    let kinds: Vec<&str> = specs.iter().map(AutoscaleSpec::kind).collect();
    note_row_ui(ui, &format!("{}: edit in the RON tab", kinds.join(" + ")));
    false
}
