//! The pools section: instance type, workers, queue, timeout, size, balancer,
//! scale-in order, warm-up, failures, then the pool's autoscaling policy.

use egui::{ComboBox, Grid, RichText, Ui};

use super::EditorState;
use super::convert::{demand_text, instance_label};
use super::field_errors::row_errors_ui;
use super::policy::policy_rows_ui;
use super::rows::{combo_row_ui, drag_row_ui};
use crate::model::balancer::BalancerKind;
use crate::model::catalog::Catalog;
use crate::model::instance::InstanceType;
use crate::model::journey::work::StepSpec;
use crate::model::pool::ScaleInOrder;
use crate::model::workload::Demand;
use crate::scenario::{Failures, PoolSpec, ScenarioFile};

/// Scale-in orders, in the order the picker lists them.
const SCALE_IN_ORDERS: [ScaleInOrder; 3] = [
    ScaleInOrder::Newest,
    ScaleInOrder::Oldest,
    ScaleInOrder::LeastLoaded,
];

/// The shown pool's settings and its autoscaling policy.
pub(super) fn pools_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    file: &mut ScenarioFile,
    catalog: &Catalog,
) -> bool {
    if file.pools.is_empty() {
        ui.weak("no pools: add one in the RON tab");
        return false;
    }
    state.pool = state.pool.min(file.pools.len() - 1);
    let mut changed = false;
    ui.horizontal(|ui| {
        if file.pools.len() > 1 {
            pool_picker_ui(ui, state, &file.pools);
        }
        if ui
            .button("Add a service")
            .on_hover_text(
                "a new service like this one, with its own work (5 ms of CPU); \
                 call it from another service's work below",
            )
            .clicked()
        {
            state.pool = add_service(file, state.pool);
            changed = true;
        }
    });
    // The scenario's own instance types are offered beside the catalog's.
    let extended;
    let types: &[InstanceType] = if file.instance_types.is_empty() {
        catalog.types()
    } else {
        extended = catalog.clone().with(&file.instance_types);
        extended.types()
    };
    let i = state.pool;
    let names: Vec<String> = file.pools.iter().map(|p| p.name.clone()).collect();
    let Some(pool) = file.pools.get_mut(i) else {
        return changed;
    };
    Grid::new(("editor pool", i)).num_columns(2).show(ui, |ui| {
        changed |= pool_rows_ui(ui, pool, types, i);
    });
    changed |= work_ui(ui, pool, &names);
    ui.add_space(4.0);
    ui.label(RichText::new("Autoscaling").strong());
    super::field_errors::set_prefix(ui, &format!("pools[{i}].autoscale"));
    Grid::new(("editor policy", i))
        .num_columns(2)
        .show(ui, |ui| {
            changed |= policy_rows_ui(ui, state, i, pool, types);
        });
    if !pool.schedule.is_empty() {
        ui.weak(format!(
            "{} scheduled actions: edit in the RON tab",
            pool.schedule.len()
        ));
    }
    changed
}

/// Adds a service after the others: a copy of pool `from`'s machines (type, workers,
/// queue, size, balancer) without its policy, schedule or shards, doing 5 ms of CPU a
/// visit. Returns its index.
fn add_service(file: &mut ScenarioFile, from: usize) -> usize {
    let mut k = file.pools.len() + 1;
    let mut name = format!("service{k}");
    while file.pools.iter().any(|p| p.name == name) {
        k += 1;
        name = format!("service{k}");
    }
    let base = file.pools.get(from).or(file.pools.first()).cloned();
    let Some(mut p) = base else {
        return 0;
    };
    p.name = name;
    p.autoscale = None;
    p.schedule.clear();
    p.shards = None;
    p.work = vec![StepSpec::Cpu(Demand::Exponential { mean_secs: 0.005 })];
    file.pools.push(p);
    file.pools.len() - 1
}

/// The service's work, step by step, and a way to add a call to another service.
fn work_ui(ui: &mut Ui, pool: &mut PoolSpec, names: &[String]) -> bool {
    let mut changed = false;
    ui.add_space(4.0);
    ui.label(RichText::new("Work").strong());
    if pool.work.is_empty() {
        ui.weak("each visit runs its request class's demand");
    }
    for (k, step) in pool.work.iter().enumerate() {
        let text = match step {
            StepSpec::Cpu(d) => format!("CPU {}", demand_text(d)),
            StepSpec::ClassDemand => "CPU: its request class's demand".to_owned(),
            StepSpec::Call(to) => format!("call {to}, waiting on the worker"),
            StepSpec::AsyncCall(to) => format!("call {to}, the worker free meanwhile"),
            StepSpec::FanOut { to, .. } => format!("call {} at once", to.join(", ")),
        };
        ui.label(format!("{}. {text}", k + 1));
    }
    let others: Vec<&String> = names.iter().filter(|n| **n != pool.name).collect();
    if others.is_empty() {
        return false;
    }
    ui.horizontal(|ui| {
        let id = ui.make_persistent_id(("editor call to", &pool.name));
        let mut to: String = ui
            .data(|d| d.get_temp::<String>(id))
            .filter(|t| others.contains(&t))
            .unwrap_or_else(|| others[0].clone());
        let l = ui.label("call");
        ComboBox::from_id_salt(("editor call picker", &pool.name))
            .selected_text(&to)
            .show_ui(ui, |ui| {
                for o in &others {
                    ui.selectable_value(&mut to, (*o).clone(), o.as_str());
                }
            })
            .response
            .labelled_by(l.id);
        ui.data_mut(|d| d.insert_temp(id, to.clone()));
        if ui
            .button("Add the call")
            .on_hover_text(
                "a last step: a call whose reply this service waits for, holding its worker",
            )
            .clicked()
        {
            // A service that ran its class's demand keeps that work before the call.
            if pool.work.is_empty() {
                pool.work.push(StepSpec::ClassDemand);
            }
            pool.work.push(StepSpec::Call(to));
            changed = true;
        }
        if !pool.work.is_empty() && ui.button("Remove the last step").clicked() {
            pool.work.pop();
            changed = true;
        }
    });
    changed
}

/// Which pool the section shows (with several pools).
fn pool_picker_ui(ui: &mut Ui, state: &mut EditorState, pools: &[PoolSpec]) {
    ui.horizontal(|ui| {
        let l = ui.label("pool");
        let shown = pools.get(state.pool).map_or("", |p| p.name.as_str());
        let _ = ComboBox::from_id_salt("editor pool picker")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (j, p) in pools.iter().enumerate() {
                    ui.selectable_value(&mut state.pool, j, &p.name);
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// The pool's own settings: type, workers, queue, timeout, size, balancer, scale-in.
fn pool_rows_ui(ui: &mut Ui, pool: &mut PoolSpec, types: &[InstanceType], i: usize) -> bool {
    let mut changed = false;
    changed |= instance_row_ui(ui, pool, types, i);

    let vcpus = types
        .iter()
        .find(|t| t.name == pool.instance)
        .map_or(1, |t| t.vcpus);
    let l = ui.label("workers");
    let row = ui
        .horizontal(|ui| {
            let mut w = pool.workers.unwrap_or(vcpus);
            if ui
                .add(crate::app::number(&mut w))
                .labelled_by(l.id)
                .changed()
            {
                pool.workers = Some(w);
                changed = true;
            }
            if pool.workers.is_some() {
                if ui
                    .small_button("one per vCPU")
                    .on_hover_text("back to the default: as many workers as vCPUs")
                    .clicked()
                {
                    pool.workers = None;
                    changed = true;
                }
            } else {
                ui.weak("(one per vCPU)");
            }
        })
        .response;
    ui.end_row();
    row_errors_ui(ui, "workers", &row);

    // For validation work (M/M/c) a queue may be unbounded; a real server never is.
    changed |= optional_row_ui(
        ui,
        OptionalRow {
            label: "queue capacity",
            check: "no bound",
            ticked_means_none: true,
            default: 100,
            speed: 1.0,
            hover: None,
        },
        &mut pool.queue_capacity,
    );
    changed |= optional_row_ui(
        ui,
        OptionalRow {
            label: "timeout s",
            check: "wait forever",
            ticked_means_none: true,
            default: 30.0,
            speed: 0.5,
            hover: None,
        },
        &mut pool.timeout_secs,
    );

    // No clamping: min above max must reach the checker, which says so.
    changed |= drag_row_ui(ui, "min", &mut pool.size.min, 1.0);
    changed |= drag_row_ui(ui, "max", &mut pool.size.max, 1.0);
    changed |= drag_row_ui(ui, "initial", &mut pool.size.initial, 1.0);
    changed |= combo_row_ui(
        ui,
        "balancer",
        ("editor balancer", i),
        &mut pool.balancer,
        BalancerKind::ALL,
    );
    changed |= combo_row_ui(
        ui,
        "scale-in",
        ("editor scale-in", i),
        &mut pool.scale_in,
        &SCALE_IN_ORDERS,
    );
    changed |= drag_row_ui(ui, "warm-up s", &mut pool.warmup_secs, 1.0);
    changed |= drag_row_ui(ui, "drain s", &mut pool.drain_timeout_secs, 1.0);
    changed |= failure_rows_ui(ui, pool);
    changed
}

/// Instance crashes and the group's health-check grace period: each an optional number
/// behind a check box, so students can switch failures on and watch the replacements.
fn failure_rows_ui(ui: &mut Ui, pool: &mut PoolSpec) -> bool {
    let mut mttf = pool.failures.as_ref().map(|f| f.mttf_hours);
    let mut changed = optional_row_ui(
        ui,
        OptionalRow {
            label: "crash MTTF h",
            check: "instances crash",
            ticked_means_none: false,
            default: 6.0,
            speed: 0.1,
            hover: None,
        },
        &mut mttf,
    );
    if changed {
        pool.failures = mttf.map(|mttf_hours| Failures { mttf_hours });
    }
    changed |= optional_row_ui(
        ui,
        OptionalRow {
            label: "grace s",
            check: "group uses balancer checks",
            ticked_means_none: false,
            default: 300.0,
            speed: 1.0,
            hover: Some(
                "AWS HealthCheckType ELB with this HealthCheckGracePeriod: an instance \
                 not booted when it ends is replaced",
            ),
        },
        &mut pool.health_check_grace_secs,
    );
    changed
}

/// How an optional number's row reads: its label, the check box's text and what
/// ticking it means, the value it takes when switched on, the drag speed.
struct OptionalRow<N> {
    label: &'static str,
    check: &'static str,
    /// Ticking the box clears the value ("no bound", "wait forever") rather than setting
    /// it ("instances crash").
    ticked_means_none: bool,
    default: N,
    speed: f64,
    hover: Option<&'static str>,
}

/// A grid row for a number that may be absent: the number (greyed while absent) and a
/// check box beside it that switches it; errors for the field below. Returns whether
/// the value changed.
fn optional_row_ui<N: egui::emath::Numeric>(
    ui: &mut Ui,
    row: OptionalRow<N>,
    value: &mut Option<N>,
) -> bool {
    let mut changed = false;
    let l = ui.label(row.label);
    let response = ui
        .horizontal(|ui| {
            let mut ticked = value.is_none() == row.ticked_means_none;
            let present = value.is_some();
            let mut v = value.unwrap_or(row.default);
            if ui
                .add_enabled(present, crate::app::number(&mut v).speed(row.speed))
                .labelled_by(l.id)
                .changed()
            {
                *value = Some(v);
                changed = true;
            }
            let mut check = ui.checkbox(&mut ticked, row.check);
            if let Some(text) = row.hover {
                check = check.on_hover_text(text);
            }
            if check.changed() {
                *value = (ticked != row.ticked_means_none).then_some(v);
                changed = true;
            }
        })
        .response;
    ui.end_row();
    row_errors_ui(ui, row.label, &response);
    changed
}

/// The instance type, from the catalog and the scenario's own types.
fn instance_row_ui(ui: &mut Ui, pool: &mut PoolSpec, types: &[InstanceType], i: usize) -> bool {
    let mut changed = false;
    let l = ui.label("instance type");
    let shown = types
        .iter()
        .find(|t| t.name == pool.instance)
        .map_or_else(|| format!("{} (unknown)", pool.instance), instance_label);
    let _ = ComboBox::from_id_salt(("editor instance type", i))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for t in types {
                let r = ui.selectable_label(t.name == pool.instance, instance_label(t));
                if r.clicked() && t.name != pool.instance {
                    pool.instance = t.name.clone();
                    changed = true;
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed
}
