//! The workload section: the rate curve with its parameters and a preview of the
//! offered rate, and the request classes.

use egui::{Button, ComboBox, Grid, RichText, Ui};
use egui_plot::{HoverPosition, Line, Plot, PlotPoints};

use super::EditorState;
use super::convert::{burst_text, demand_text, preview_points};
use super::curves::{CurveDefaults, CurveKind, curve_summary, profile_levels, switch_curve};
use super::rows::{drag_row_ui, time_row_ui};
use crate::model::workload::RateCurve;
use crate::model::workload::curve::{
    constant::Constant, diurnal::Diurnal, flash_crowd::FlashCrowd, monday_spike::MondaySpike,
    ramp::Ramp,
};
use crate::scenario::{Scenario, ScenarioFile};
use crate::sim::SimTime;

/// How many points the rate preview samples over the run.
const PREVIEW_SAMPLES: usize = 400;

/// Height of the rate preview, in points.
const PREVIEW_HEIGHT: f32 = 120.0;

/// The rate curve's kind and parameters, the arrivals' burstiness and the classes.
pub(super) fn workload_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    file: &mut ScenarioFile,
    running: Option<&Scenario>,
) -> bool {
    let defaults = CurveDefaults {
        duration_secs: file.duration_secs,
        fallback: running
            .and_then(|s| profile_levels(&s.profile))
            .unwrap_or((10.0, 100.0)),
    };
    let mut changed = false;
    Grid::new("editor curve").num_columns(2).show(ui, |ui| {
        changed |= curve_rows_ui(
            ui,
            state,
            "rate",
            "curve",
            &mut file.workload.rate,
            &defaults,
            true,
        );
    });
    ui.weak(format!(
        "arrivals: {} (burstiness: edit in the RON tab)",
        burst_text(&file.workload.burst)
    ));
    ui.add_space(4.0);
    changed |= classes_ui(ui, file);
    changed
}

/// The kind combo box of `curve` and the rows of its parameters. `key` names the field
/// (for remembered texts and curves); `top` is false for a flash crowd's base, which
/// cannot be a flash crowd itself.
fn curve_rows_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    curve: &mut RateCurve,
    defaults: &CurveDefaults,
    top: bool,
) -> bool {
    let changed = curve_kind_row_ui(ui, state, key, label, curve, defaults, top);
    changed | curve_param_rows_ui(ui, state, key, curve, defaults)
}

/// The curve kind combo box. A new kind gets the curve last chosen of that kind for this
/// field, or one made from the current curve's levels.
fn curve_kind_row_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    curve: &mut RateCurve,
    defaults: &CurveDefaults,
    top: bool,
) -> bool {
    let mut changed = false;
    let l = ui.label(label);
    let current = CurveKind::of(curve);
    let mut chosen = None;
    let _ = ComboBox::from_id_salt(("editor curve kind", key))
        .selected_text(curve.kind())
        .show_ui(ui, |ui| {
            for kind in CurveKind::ALL {
                if kind == CurveKind::FlashCrowd && !top {
                    continue;
                }
                let r = ui
                    .add_enabled(
                        kind != CurveKind::Trace,
                        Button::selectable(Some(kind) == current, kind.label()),
                    )
                    .on_disabled_hover_text("a trace needs a CSV file: edit in the RON tab");
                if r.clicked() && Some(kind) != current {
                    chosen = Some(kind);
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();

    if let Some(kind) = chosen {
        let remembered = state.curves.remove(&(key.to_string(), kind.label()));
        if let Some(new) = remembered
            .or_else(|| switch_curve(curve, kind, defaults.duration_secs, defaults.fallback))
        {
            let old = std::mem::replace(curve, new);
            state.curves.insert((key.to_string(), old.kind()), old);
            changed = true;
        }
    }
    changed
}

/// The rows of a curve's parameters (a note for the kinds edited in the RON tab).
fn curve_param_rows_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    curve: &mut RateCurve,
    defaults: &CurveDefaults,
) -> bool {
    let mut changed = false;
    match curve {
        RateCurve::Constant(Constant { per_sec }) => {
            changed |= drag_row_ui(ui, "per sec", per_sec, 1.0);
        }
        RateCurve::Ramp(Ramp {
            from_per_sec,
            to_per_sec,
            start,
            ramp_secs,
        }) => {
            changed |= drag_row_ui(ui, "from per sec", from_per_sec, 1.0);
            changed |= drag_row_ui(ui, "to per sec", to_per_sec, 1.0);
            changed |= time_row_ui(ui, state, &format!("{key}.start"), "ramp start", start);
            changed |= drag_row_ui(ui, "ramp s", ramp_secs, 10.0);
        }
        RateCurve::Diurnal(Diurnal {
            trough_per_sec,
            peak_per_sec,
            peak_at,
        }) => {
            changed |= drag_row_ui(ui, "trough per sec", trough_per_sec, 1.0);
            changed |= drag_row_ui(ui, "peak per sec", peak_per_sec, 1.0);
            changed |= time_row_ui(ui, state, &format!("{key}.peak_at"), "peak at", peak_at);
        }
        RateCurve::MondaySpike(MondaySpike {
            night_per_sec,
            peak_per_sec,
            peak_at,
            ramp_secs,
            plateau_factor,
            lunch_factor,
            weekday_peak_factor,
        }) => {
            changed |= drag_row_ui(ui, "night per sec", night_per_sec, 1.0);
            changed |= drag_row_ui(ui, "peak per sec", peak_per_sec, 1.0);
            changed |= time_row_ui(ui, state, &format!("{key}.peak_at"), "peak at", peak_at);
            changed |= drag_row_ui(ui, "ramp s", ramp_secs, 10.0);
            changed |= drag_row_ui(ui, "plateau factor", plateau_factor, 0.01);
            changed |= drag_row_ui(ui, "lunch factor", lunch_factor, 0.01);
            changed |= drag_row_ui(ui, "weekday peak factor", weekday_peak_factor, 0.01);
        }
        RateCurve::FlashCrowd(FlashCrowd {
            base,
            at,
            extra_per_sec,
            rise_secs,
            decay_secs,
        }) => {
            changed |= curve_rows_ui(
                ui,
                state,
                &format!("{key}.base"),
                "base curve",
                base,
                defaults,
                false,
            );
            changed |= time_row_ui(ui, state, &format!("{key}.at"), "crowd at", at);
            changed |= drag_row_ui(ui, "extra per sec", extra_per_sec, 1.0);
            changed |= drag_row_ui(ui, "rise s", rise_secs, 10.0);
            changed |= drag_row_ui(ui, "decay s", decay_secs, 10.0);
        }
        // Kinds without widgets here, and any curve registered without a form.
        _ => {
            ui.label("");
            ui.weak(format!("{}: edit in the RON tab", curve_summary(curve)));
            ui.end_row();
        }
    }
    changed
}

/// Each request class's weight (editable) and demand.
fn classes_ui(ui: &mut Ui, file: &mut ScenarioFile) -> bool {
    let mut changed = false;
    ui.label(RichText::new("Request classes").strong());
    if file.workload.classes.is_empty() {
        ui.weak("no classes: add one in the RON tab");
        return false;
    }
    Grid::new("editor classes").num_columns(3).show(ui, |ui| {
        for c in &mut file.workload.classes {
            let l = ui.label(format!("{} weight", c.name));
            changed |= ui
                .add(crate::app::number(&mut c.weight).speed(0.01))
                .labelled_by(l.id)
                .changed();
            let pool = c
                .pool
                .as_deref()
                .map(|p| format!(", served by {p}"))
                .unwrap_or_default();
            ui.weak(format!("{}{pool}", demand_text(&c.demand)));
            ui.end_row();
        }
    });
    ui.weak("demand: edit in the RON tab");
    changed
}

/// The offered rate of the version that runs (the last valid one when `stale`).
pub(super) fn preview_ui(ui: &mut Ui, running: Option<&Scenario>, stale: bool) {
    let Some(s) = running else {
        ui.weak("no valid version to preview");
        return;
    };
    ui.weak(if stale {
        "offered rate (requests/s) of the last valid version"
    } else {
        "offered rate (requests/s)"
    });
    let points = preview_points(&s.profile, s.file.duration_secs, PREVIEW_SAMPLES);
    let clock = s.clock;
    let _ = Plot::new("editor rate preview")
        .height(PREVIEW_HEIGHT)
        .include_y(0.0)
        // A small preview in a scrolling panel: the wheel and drags scroll the panel.
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_axis_formatter(|mark, _| format!("{}h", mark.value))
        .label_formatter(move |pos| {
            let p = match pos {
                HoverPosition::NearDataPoint { position, .. }
                | HoverPosition::Elsewhere { position } => position,
            };
            let t = SimTime::from_secs_f64((p.x * 3600.0).max(0.0));
            Some(format!("{}\n{:.1} requests/s", clock.label(t), p.y))
        })
        .show(ui, |plot| {
            plot.line(Line::new("offered rate", PlotPoints::from(points)));
        });
}
