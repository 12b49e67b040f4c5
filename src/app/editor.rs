//! The scenario editor: the side panel that edits the selected design's scenario.
//!
//! Sections: the scenario (name, start, duration, metrics interval, SLO), the workload
//! (rate curve with its parameters and a preview of the offered rate, request class
//! weights), the pools (instance type from the catalog, workers, queue, timeout, size,
//! balancer, scale-in order, warm-up, the autoscaling policy and its parameters) and the
//! RON source itself.
//!
//! Every edit is made on a copy of the design's file and handed to [`Design::set_file`],
//! which writes it as RON and checks it exactly as a file on disk is checked. Widgets
//! therefore accept out-of-range numbers (min above max, a negative rate): the checker
//! rejects them with the same message `scalesim check` prints, shown in red under the
//! section that was edited, and the last valid version keeps running. A valid change
//! makes [`editor_ui`] return true, and the app restarts the run.
//!
//! Accessibility labels (each input can be found with `egui_kittest`'s
//! `get_by_label`; only the widgets of the chosen curve and policy are shown):
//!
//! - Scenario: `name`, `start`, `duration h`, `interval s`, `SLO latency s`,
//!   `SLO percentile`.
//! - Workload: `curve` (kind), then by kind: Constant `per sec`; Ramp `from per sec`,
//!   `to per sec`, `ramp start`, `ramp s`; Diurnal `trough per sec`, `peak per sec`,
//!   `peak at`; MondaySpike `night per sec`, `peak per sec`, `peak at`, `ramp s`,
//!   `plateau factor`, `lunch factor`, `weekday peak factor`; FlashCrowd `base curve`
//!   (the base's own widgets follow), `crowd at`, `extra per sec`, `rise s`, `decay s`.
//!   Each request class: `<class> weight` (e.g. `page weight`).
//! - Pools: `pool` (only with several pools), `instance type`, `workers`,
//!   `queue capacity`, `timeout s`, `min`, `max`, `initial`, `balancer`, `scale-in`,
//!   `warm-up s`, `drain s`, `crash MTTF h`, `grace s`, `policy`, then by policy (`target` is always its main target):
//!   TargetTracking `metric`, `target`, `scale-in ratio`; Hpa `metric`, `target`,
//!   `tolerance`, `sync period s`, `scale-down stabilization s`; StepScaling `metric`,
//!   `target` (scale-out threshold), `scale-out type`, `scale-out <bounds>` per step,
//!   `scale-in threshold`, `scale-in type`, `scale-in <bounds>` per step; SimpleScaling
//!   `metric`, `target` (scale-out threshold), `scale-out type`, `scale-out adjustment`,
//!   `scale-in threshold`, `scale-in type`, `scale-in adjustment`, `cooldown s`;
//!   Predictive `target` (requests per second per instance), `mode`, `history h`;
//!   Backlog `target` (requests held per instance), `period s`, `scale-in delay s`;
//!   LatencyTarget `target` (p95 seconds), `scale-in below`, `cooldown s`; Vertical
//!   `types`, `target` (CPU above which to move up), `scale down below`, `restart s`,
//!   `cooldown s`. Check boxes are found by their text.
//! - RON: the text field `RON source` and the buttons `Apply` and `Revert`.

use std::collections::BTreeMap;

use egui::{Button, CollapsingHeader, ComboBox, DragValue, Grid, RichText, TextEdit, Ui};
use egui_plot::{HoverPosition, Line, Plot, PlotPoints};

use super::design::Design;
use crate::model::autoscale::aws_simple::{SimplePolicy, SimpleScalingConfig};
use crate::model::autoscale::aws_step::{AdjustmentType, StepAdjustment, StepScalingConfig};
use crate::model::autoscale::aws_target_tracking::TargetTrackingConfig;
use crate::model::autoscale::hpa::{HpaConfig, MetricTarget};
use crate::model::autoscale::predictive::{PredictiveConfig, PredictiveMode};
use crate::model::autoscale::vertical::VerticalConfig;
use crate::model::autoscale::{AutoscaleSpec, Metric};
use crate::model::balancer::BalancerKind;
use crate::model::catalog::Catalog;
use crate::model::instance::InstanceType;
use crate::model::pool::ScaleInOrder;
use crate::model::timepoint::TimePoint;
use crate::model::workload::{Burst, Demand, RateCurve, RateProfile};
use crate::scenario::{Failures, PoolSpec, Scenario, ScenarioFile, StartClock};
use crate::sim::SimTime;

/// How many points the rate preview samples over the run.
const PREVIEW_SAMPLES: usize = 400;

/// Height of the rate preview, in points.
const PREVIEW_HEIGHT: f32 = 120.0;

/// Curve kinds, in the order the combo box lists them (names as `RateCurve::kind` gives).
const CURVE_KINDS: [&str; 10] = [
    "Constant",
    "Ramp",
    "Diurnal",
    "MondaySpike",
    "FlashCrowd",
    "Step",
    "Points",
    "Daily",
    "Weekly",
    "Trace",
];

/// Policy kinds, in the order the combo box lists them ("None": no autoscaling).
const POLICY_KINDS: [&str; 10] = [
    "None",
    "TargetTracking",
    "Hpa",
    "StepScaling",
    "SimpleScaling",
    "Predictive",
    "Backlog",
    "LatencyTarget",
    "Vertical",
    "Combined",
];

const BALANCERS: [BalancerKind; 5] = [
    BalancerKind::RoundRobin,
    BalancerKind::Random,
    BalancerKind::LeastOutstanding,
    BalancerKind::PowerOfTwo,
    BalancerKind::WeightedRoundRobin,
];

const SCALE_IN_ORDERS: [ScaleInOrder; 3] = [
    ScaleInOrder::Newest,
    ScaleInOrder::Oldest,
    ScaleInOrder::LeastLoaded,
];

const METRICS: [Metric; 4] = [
    Metric::Cpu,
    Metric::RequestsPerTarget,
    Metric::QueuePerInstance,
    Metric::LatencyP95,
];

const ADJUSTMENT_TYPES: [AdjustmentType; 3] = [
    AdjustmentType::ChangeInCapacity,
    AdjustmentType::ExactCapacity,
    AdjustmentType::PercentChangeInCapacity,
];

const PREDICTIVE_MODES: [PredictiveMode; 2] = [
    PredictiveMode::ForecastAndScale,
    PredictiveMode::ForecastOnly,
];

/// Where an edit was made, so its errors show under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Scenario,
    Workload,
    Pool,
    Ron,
}

/// The editor's memory between frames.
#[derive(Default)]
pub struct EditorState {
    /// The section of the last edit; its errors are shown under it. None: the errors
    /// came from elsewhere (a file opened or reloaded), so they are shown at the top.
    error_at: Option<Section>,
    /// The pool shown, as an index into the file's pools.
    pool: usize,
    /// The RON source in the text editor.
    ron: String,
    /// The design text `ron` was loaded from: if they differ, the user has unapplied edits.
    ron_base: String,
    /// Whether the RON editor had the keyboard focus last frame (its text is not replaced
    /// under the cursor).
    ron_focused: bool,
    /// The design's text at the end of the last frame, to notice changes made elsewhere.
    known_text: Option<String>,
    /// Text fields whose value must parse (time points, type lists), as typed, by field.
    texts: BTreeMap<String, String>,
    /// Why such a text does not parse, by field (it never reaches the design).
    text_errors: BTreeMap<String, String>,
    /// Curves switched away from, by field and kind, so switching back restores them.
    curves: BTreeMap<(String, &'static str), RateCurve>,
    /// Policies switched away from, by pool and kind, so switching back restores them.
    policies: BTreeMap<(usize, &'static str), AutoscaleSpec>,
}

/// Draws the editor for `design`; returns whether the running version changed.
pub fn editor_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    design: &mut Design,
    catalog: &Catalog,
) -> bool {
    notice_outside_changes(state, design);
    let mut changed = false;
    status_ui(ui, state, design);

    CollapsingHeader::new("Scenario")
        .default_open(true)
        .show(ui, |ui| {
            let mut file = design.file.clone();
            if scenario_ui(ui, state, &mut file) {
                changed |= apply(state, design, file, Section::Scenario);
            }
            section_errors(ui, state, design, Section::Scenario);
        });

    CollapsingHeader::new("Workload")
        .default_open(true)
        .show(ui, |ui| {
            let mut file = design.file.clone();
            let edited = workload_ui(ui, state, &mut file, design.scenario.as_ref());
            if edited {
                changed |= apply(state, design, file, Section::Workload);
            }
            section_errors(ui, state, design, Section::Workload);
            preview_ui(ui, design.scenario.as_ref(), !design.errors.is_empty());
        });

    CollapsingHeader::new("Pools")
        .default_open(true)
        .show(ui, |ui| {
            let mut file = design.file.clone();
            if pools_ui(ui, state, &mut file, catalog) {
                changed |= apply(state, design, file, Section::Pool);
            }
            section_errors(ui, state, design, Section::Pool);
        });

    // Open by default: the source is the whole truth, and its Apply button must be at hand.
    CollapsingHeader::new("RON")
        .default_open(true)
        .show(ui, |ui| {
            changed |= ron_ui(ui, state, design);
        });

    state.known_text = Some(design.text.clone());
    changed
}

/// If the design's text changed since the last frame without this editor (a file opened
/// or reloaded, another design selected), forgets what belonged to the old text.
fn notice_outside_changes(state: &mut EditorState, design: &Design) {
    if state.known_text.as_deref() == Some(design.text.as_str()) {
        return;
    }
    state.error_at = None;
    state.texts.clear();
    state.text_errors.clear();
    state.curves.clear();
    state.policies.clear();
}

/// One line on what runs, and the errors that belong to no section.
fn status_ui(ui: &mut Ui, state: &EditorState, design: &Design) {
    if design.errors.is_empty() {
        return;
    }
    if design.scenario.is_some() {
        // Name the first problem here too: the field may be scrolled out of sight.
        let first = design
            .errors
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Rejected: {first}. The last valid version keeps running."),
        );
    } else {
        ui.weak("Nothing runs until the scenario is valid.");
    }
    if state.error_at.is_none() {
        errors_ui(ui, &design.errors);
    }
}

/// Hands the edited `file` to the design (which checks it) and remembers where the edit
/// was made.
fn apply(state: &mut EditorState, design: &mut Design, file: ScenarioFile, at: Section) -> bool {
    state.error_at = Some(at);
    design.set_file(file)
}

/// The design's errors, if the last edit was made in section `at`.
fn section_errors(ui: &mut Ui, state: &EditorState, design: &Design, at: Section) {
    if state.error_at == Some(at) {
        errors_ui(ui, &design.errors);
    }
}

fn errors_ui(ui: &mut Ui, errors: &[String]) {
    let colour = ui.visuals().error_fg_color;
    for e in errors {
        ui.colored_label(colour, e);
    }
}

// ---------------------------------------------------------------------------------------
// Scenario

fn scenario_ui(ui: &mut Ui, state: &mut EditorState, file: &mut ScenarioFile) -> bool {
    let mut changed = false;
    Grid::new("editor scenario").num_columns(2).show(ui, |ui| {
        let l = ui.label("name");
        changed |= ui
            .add(TextEdit::singleline(&mut file.name).desired_width(160.0))
            .labelled_by(l.id)
            .changed();
        ui.end_row();

        let start = String::from(file.start.clone());
        if let Some(c) = parsed_row(ui, state, "start", "start", &start, |s| {
            StartClock::try_from(s.to_string()).map_err(|e| e.to_string())
        }) {
            file.start = c;
            changed = true;
        }

        // Hours read better than 64800 s; the file keeps seconds.
        let mut hours = file.duration_secs / 3600.0;
        if drag_row(ui, "duration h", &mut hours, 0.25) {
            file.duration_secs = hours_to_secs(hours);
            changed = true;
        }
        changed |= drag_row(ui, "interval s", &mut file.interval_secs, 1.0);
        changed |= drag_row(ui, "SLO latency s", &mut file.slo.latency_secs, 0.01);
        changed |= drag_row(ui, "SLO percentile", &mut file.slo.percentile, 0.1);
    });
    changed
}

/// Seconds for `hours`, to the millisecond (typed hours such as 1.1 are not exact in
/// binary, and 3960.0000000000005 s would be written to the file).
fn hours_to_secs(hours: f64) -> f64 {
    (hours * 3_600_000.0).round() / 1000.0
}

// ---------------------------------------------------------------------------------------
// Workload

/// What switching curve kinds needs besides the curve.
struct CurveDefaults {
    /// The run's length, to place ramps and crowds inside it.
    duration_secs: f64,
    /// Levels to use when the curve does not tell (a trace): the running profile's.
    fallback: (f64, f64),
}

fn workload_ui(
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
        changed |= curve_rows(
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
fn curve_rows(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    curve: &mut RateCurve,
    defaults: &CurveDefaults,
    top: bool,
) -> bool {
    let changed = curve_kind_row(ui, state, key, label, curve, defaults, top);
    changed | curve_param_rows(ui, state, key, curve, defaults)
}

/// The curve kind combo box. A new kind gets the curve last chosen of that kind for this
/// field, or one made from the current curve's levels.
fn curve_kind_row(
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
    let current = curve.kind();
    let mut chosen = None;
    let _ = ComboBox::from_id_salt(("editor curve kind", key))
        .selected_text(current)
        .show_ui(ui, |ui| {
            for kind in CURVE_KINDS {
                if kind == "FlashCrowd" && !top {
                    continue;
                }
                let r = ui
                    .add_enabled(kind != "Trace", Button::selectable(kind == current, kind))
                    .on_disabled_hover_text("a trace needs a CSV file: edit in the RON tab");
                if r.clicked() && kind != current {
                    chosen = Some(kind);
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();

    if let Some(kind) = chosen {
        let remembered = state.curves.remove(&(key.to_string(), kind));
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
fn curve_param_rows(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    curve: &mut RateCurve,
    defaults: &CurveDefaults,
) -> bool {
    let mut changed = false;
    match curve {
        RateCurve::Constant { per_sec } => {
            changed |= drag_row(ui, "per sec", per_sec, 1.0);
        }
        RateCurve::Ramp {
            from_per_sec,
            to_per_sec,
            start,
            ramp_secs,
        } => {
            changed |= drag_row(ui, "from per sec", from_per_sec, 1.0);
            changed |= drag_row(ui, "to per sec", to_per_sec, 1.0);
            changed |= time_row(ui, state, &format!("{key}.start"), "ramp start", start);
            changed |= drag_row(ui, "ramp s", ramp_secs, 10.0);
        }
        RateCurve::Diurnal {
            trough_per_sec,
            peak_per_sec,
            peak_at,
        } => {
            changed |= drag_row(ui, "trough per sec", trough_per_sec, 1.0);
            changed |= drag_row(ui, "peak per sec", peak_per_sec, 1.0);
            changed |= time_row(ui, state, &format!("{key}.peak_at"), "peak at", peak_at);
        }
        RateCurve::MondaySpike {
            night_per_sec,
            peak_per_sec,
            peak_at,
            ramp_secs,
            plateau_factor,
            lunch_factor,
            weekday_peak_factor,
        } => {
            changed |= drag_row(ui, "night per sec", night_per_sec, 1.0);
            changed |= drag_row(ui, "peak per sec", peak_per_sec, 1.0);
            changed |= time_row(ui, state, &format!("{key}.peak_at"), "peak at", peak_at);
            changed |= drag_row(ui, "ramp s", ramp_secs, 10.0);
            changed |= drag_row(ui, "plateau factor", plateau_factor, 0.01);
            changed |= drag_row(ui, "lunch factor", lunch_factor, 0.01);
            changed |= drag_row(ui, "weekday peak factor", weekday_peak_factor, 0.01);
        }
        RateCurve::FlashCrowd {
            base,
            at,
            extra_per_sec,
            rise_secs,
            decay_secs,
        } => {
            changed |= curve_rows(
                ui,
                state,
                &format!("{key}.base"),
                "base curve",
                base,
                defaults,
                false,
            );
            changed |= time_row(ui, state, &format!("{key}.at"), "crowd at", at);
            changed |= drag_row(ui, "extra per sec", extra_per_sec, 1.0);
            changed |= drag_row(ui, "rise s", rise_secs, 10.0);
            changed |= drag_row(ui, "decay s", decay_secs, 10.0);
        }
        RateCurve::Step { .. }
        | RateCurve::Points(_)
        | RateCurve::Daily { .. }
        | RateCurve::Weekly { .. }
        | RateCurve::Trace { .. } => {
            ui.label("");
            ui.weak(format!("{}: edit in the RON tab", curve_summary(curve)));
            ui.end_row();
        }
    }
    changed
}

/// A few words on a curve that has no widgets here.
fn curve_summary(curve: &RateCurve) -> String {
    match curve {
        RateCurve::Step { steps, .. } => format!("{} steps", steps.len()),
        RateCurve::Points(p) => format!("{} points", p.len()),
        RateCurve::Daily { .. } => "24 hourly rates".into(),
        RateCurve::Weekly { daily, .. } => format!("a {} day times 7 factors", daily.kind()),
        RateCurve::Trace { file, .. } => format!("the trace {file}"),
        other => other.kind().into(),
    }
}

/// The lowest and highest rate a curve is written with, per second (None: only the
/// trace file knows).
fn levels(curve: &RateCurve) -> Option<(f64, f64)> {
    match curve {
        RateCurve::Constant { per_sec } => Some((*per_sec, *per_sec)),
        RateCurve::Step {
            initial_per_sec,
            steps,
        } => min_max(std::iter::once(*initial_per_sec).chain(steps.iter().map(|s| s.1))),
        RateCurve::Ramp {
            from_per_sec,
            to_per_sec,
            ..
        } => min_max([*from_per_sec, *to_per_sec].into_iter()),
        RateCurve::Points(points) => min_max(points.iter().map(|p| p.1)),
        RateCurve::Diurnal {
            trough_per_sec,
            peak_per_sec,
            ..
        } => min_max([*trough_per_sec, *peak_per_sec].into_iter()),
        RateCurve::Daily { hourly_per_sec } => min_max(hourly_per_sec.iter().copied()),
        RateCurve::Weekly { daily, day_factors } => {
            // The busiest day's levels: quieter days are the week's shape, not its level.
            let (lo, hi) = levels(daily)?;
            let (_, busiest) = min_max(day_factors.iter().copied())?;
            Some((lo * busiest, hi * busiest))
        }
        RateCurve::MondaySpike {
            night_per_sec,
            peak_per_sec,
            ..
        } => min_max([*night_per_sec, *peak_per_sec].into_iter()),
        // The crowd is an extra on top: the levels are the normal traffic's.
        RateCurve::FlashCrowd { base, .. } => levels(base),
        RateCurve::Trace { .. } => None,
    }
}

/// The lowest and highest rate of a compiled profile.
fn profile_levels(profile: &RateProfile) -> Option<(f64, f64)> {
    min_max(profile.knots().iter().map(|k| k.per_sec))
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| {
        Some(match acc {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        })
    })
}

/// The time of the daily peak, for the curves that have one.
fn peak_time(curve: &RateCurve) -> Option<TimePoint> {
    match curve {
        RateCurve::Diurnal { peak_at, .. } | RateCurve::MondaySpike { peak_at, .. } => {
            Some(peak_at.clone())
        }
        RateCurve::FlashCrowd { base, .. } | RateCurve::Weekly { daily: base, .. } => {
            peak_time(base)
        }
        _ => None,
    }
}

/// The curve of `kind` that stands in for `curve`: the same low and high rates (or
/// `fallback` when the curve does not tell), the same peak time where both have one,
/// ramps and crowds placed inside a run of `duration_secs`. Leaving a flash crowd for
/// the kind of its base gives the base back. None for a trace, which needs a file.
fn switch_curve(
    curve: &RateCurve,
    kind: &str,
    duration_secs: f64,
    fallback: (f64, f64),
) -> Option<RateCurve> {
    if let RateCurve::FlashCrowd { base, .. } = curve
        && base.kind() == kind
    {
        return Some((**base).clone());
    }
    let (low, high) = levels(curve).unwrap_or(fallback);
    // A flat curve has no quiet level to keep: a quarter of its rate lets a shape show.
    let low = if low < high { low } else { high / 4.0 };
    let d = if duration_secs.is_finite() && duration_secs > 0.0 {
        duration_secs
    } else {
        3600.0
    };
    let time = |s: &str| TimePoint::try_from(s).ok();
    Some(match kind {
        "Constant" => RateCurve::Constant { per_sec: high },
        "Step" => RateCurve::Step {
            initial_per_sec: low,
            steps: vec![(after_start(d / 2.0)?, high)],
        },
        "Ramp" => RateCurve::Ramp {
            from_per_sec: low,
            to_per_sec: high,
            start: after_start(d / 4.0)?,
            ramp_secs: (d / 4.0).round().max(1.0),
        },
        "Points" => RateCurve::Points(vec![
            (after_start(0.0)?, low),
            (after_start(d / 2.0)?, high),
            (after_start(d)?, low),
        ]),
        "Diurnal" => RateCurve::Diurnal {
            trough_per_sec: low,
            peak_per_sec: high,
            peak_at: peak_time(curve).or_else(|| time("14:00"))?,
        },
        "Daily" => RateCurve::Daily {
            hourly_per_sec: (0..24)
                .map(|h| {
                    // A cosine day peaking at 14:00, like Diurnal's default.
                    let phase = std::f64::consts::TAU * (f64::from(h) - 14.0) / 24.0;
                    low + (high - low) * (1.0 + phase.cos()) / 2.0
                })
                .collect(),
        },
        "Weekly" => RateCurve::Weekly {
            daily: Box::new(RateCurve::Diurnal {
                trough_per_sec: low,
                peak_per_sec: high,
                peak_at: peak_time(curve).or_else(|| time("14:00"))?,
            }),
            // Weekdays in full, a quieter weekend.
            day_factors: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.5],
        },
        "MondaySpike" => RateCurve::MondaySpike {
            night_per_sec: low,
            peak_per_sec: high,
            peak_at: peak_time(curve).or_else(|| time("mon 09:00"))?,
            ramp_secs: 2700.0,
            // The schema's defaults (a test checks they match).
            plateau_factor: 0.8,
            lunch_factor: 0.65,
            weekday_peak_factor: 0.8,
        },
        "FlashCrowd" => RateCurve::FlashCrowd {
            base: Box::new(curve.clone()),
            at: after_start(d / 3.0)?,
            // Doubles the peak: a crowd the current design has to notice.
            extra_per_sec: high,
            // Scaled to the run, so rise and decay are both visible in it.
            rise_secs: (d / 40.0).round().clamp(30.0, 900.0),
            decay_secs: (d / 12.0).round().clamp(60.0, 3600.0),
        },
        _ => return None,
    })
}

/// The time point `secs` after the start.
fn after_start(secs: f64) -> Option<TimePoint> {
    TimePoint::try_from(span_text(secs)).ok()
}

/// `secs` written as a time point after the start: `"+1h30m"`, `"+45s"`, `"+0s"`.
fn span_text(secs: f64) -> String {
    let s = if secs.is_finite() && secs > 0.0 {
        secs.round() as u64
    } else {
        0
    };
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::from("+");
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || s == 0 {
        out.push_str(&format!("{sec}s"));
    }
    out
}

fn burst_text(burst: &Burst) -> String {
    match burst {
        Burst::None => "Poisson".into(),
        Burst::Batch { mean_size } => format!("in batches of {mean_size} on average"),
        Burst::Mmpp { high_factor, .. } => format!("bursts at {high_factor}x the curve"),
    }
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
                .add(DragValue::new(&mut c.weight).speed(0.01))
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

/// `"LogNormal, mean 50 ms"`.
fn demand_text(d: &Demand) -> String {
    let kind = match d {
        Demand::Constant { .. } => "Constant",
        Demand::Exponential { .. } => "Exponential",
        Demand::LogNormal { .. } => "LogNormal",
        Demand::Pareto { .. } => "Pareto",
        Demand::HyperExponential { .. } => "HyperExponential",
        Demand::Empirical { .. } => "Empirical",
    };
    let mean = d.mean_secs();
    if mean < 1.0 {
        format!("{kind}, mean {:.3} s ({:.0} ms)", mean, mean * 1000.0)
    } else {
        format!("{kind}, mean {mean:.2} s")
    }
}

/// `n` points `[hours after the start, requests per second]` over the run.
fn preview_points(profile: &RateProfile, duration_secs: f64, n: usize) -> Vec<[f64; 2]> {
    if !(duration_secs.is_finite() && duration_secs > 0.0) || n < 2 {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let t = duration_secs * i as f64 / (n - 1) as f64;
            [t / 3600.0, profile.rate_at(t)]
        })
        .collect()
}

/// The offered rate of the version that runs (the last valid one when `stale`).
fn preview_ui(ui: &mut Ui, running: Option<&Scenario>, stale: bool) {
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

// ---------------------------------------------------------------------------------------
// Pools

fn pools_ui(
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
    if file.pools.len() > 1 {
        pool_picker(ui, state, &file.pools);
    }
    // The scenario's own instance types are offered beside the catalog's.
    let extended;
    let types: &[InstanceType] = if file.instance_types.is_empty() {
        catalog.types()
    } else {
        extended = catalog.clone().with(&file.instance_types);
        extended.types()
    };
    let i = state.pool;
    let Some(pool) = file.pools.get_mut(i) else {
        return false;
    };
    let mut changed = false;
    Grid::new(("editor pool", i)).num_columns(2).show(ui, |ui| {
        changed |= pool_rows(ui, pool, types, i);
    });
    ui.add_space(4.0);
    ui.label(RichText::new("Autoscaling").strong());
    Grid::new(("editor policy", i))
        .num_columns(2)
        .show(ui, |ui| {
            changed |= policy_rows(ui, state, i, pool, types);
        });
    if !pool.schedule.is_empty() {
        ui.weak(format!(
            "{} scheduled actions: edit in the RON tab",
            pool.schedule.len()
        ));
    }
    changed
}

fn pool_picker(ui: &mut Ui, state: &mut EditorState, pools: &[PoolSpec]) {
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
fn pool_rows(ui: &mut Ui, pool: &mut PoolSpec, types: &[InstanceType], i: usize) -> bool {
    let mut changed = false;
    changed |= instance_row(ui, pool, types, i);

    let vcpus = types
        .iter()
        .find(|t| t.name == pool.instance)
        .map_or(1, |t| t.vcpus);
    let l = ui.label("workers");
    ui.horizontal(|ui| {
        let mut w = pool.workers.unwrap_or(vcpus);
        if ui.add(DragValue::new(&mut w)).labelled_by(l.id).changed() {
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
    });
    ui.end_row();

    changed |= drag_row(ui, "queue capacity", &mut pool.queue_capacity, 1.0);

    let l = ui.label("timeout s");
    ui.horizontal(|ui| {
        let mut forever = pool.timeout_secs.is_none();
        let mut t = pool.timeout_secs.unwrap_or(30.0);
        if ui
            .add_enabled(!forever, DragValue::new(&mut t).speed(0.5))
            .labelled_by(l.id)
            .changed()
        {
            pool.timeout_secs = Some(t);
            changed = true;
        }
        if ui.checkbox(&mut forever, "wait forever").changed() {
            pool.timeout_secs = if forever { None } else { Some(t) };
            changed = true;
        }
    });
    ui.end_row();

    // No clamping: min above max must reach the checker, which says so.
    changed |= drag_row(ui, "min", &mut pool.size.min, 1.0);
    changed |= drag_row(ui, "max", &mut pool.size.max, 1.0);
    changed |= drag_row(ui, "initial", &mut pool.size.initial, 1.0);
    changed |= combo_row(
        ui,
        "balancer",
        ("editor balancer", i),
        &mut pool.balancer,
        &BALANCERS,
    );
    changed |= combo_row(
        ui,
        "scale-in",
        ("editor scale-in", i),
        &mut pool.scale_in,
        &SCALE_IN_ORDERS,
    );
    changed |= drag_row(ui, "warm-up s", &mut pool.warmup_secs, 1.0);
    changed |= drag_row(ui, "drain s", &mut pool.drain_timeout_secs, 1.0);
    changed |= failure_rows(ui, pool);
    changed
}

/// Instance crashes and the group's health-check grace period: each an optional number
/// behind a check box, so students can switch failures on and watch the replacements.
fn failure_rows(ui: &mut Ui, pool: &mut PoolSpec) -> bool {
    let mut changed = false;
    let l = ui.label("crash MTTF h");
    ui.horizontal(|ui| {
        let mut on = pool.failures.is_some();
        let mut mttf = pool.failures.as_ref().map_or(6.0, |f| f.mttf_hours);
        if ui
            .add_enabled(on, DragValue::new(&mut mttf).speed(0.1))
            .labelled_by(l.id)
            .changed()
        {
            pool.failures = Some(Failures { mttf_hours: mttf });
            changed = true;
        }
        if ui.checkbox(&mut on, "instances crash").changed() {
            pool.failures = on.then_some(Failures { mttf_hours: mttf });
            changed = true;
        }
    });
    ui.end_row();
    let l = ui.label("grace s");
    ui.horizontal(|ui| {
        let mut on = pool.health_check_grace_secs.is_some();
        let mut grace = pool.health_check_grace_secs.unwrap_or(300.0);
        if ui
            .add_enabled(on, DragValue::new(&mut grace).speed(1.0))
            .labelled_by(l.id)
            .changed()
        {
            pool.health_check_grace_secs = Some(grace);
            changed = true;
        }
        if ui
            .checkbox(&mut on, "group uses balancer checks")
            .on_hover_text(
                "AWS HealthCheckType ELB with this HealthCheckGracePeriod: an instance \
                 not booted when it ends is replaced",
            )
            .changed()
        {
            pool.health_check_grace_secs = on.then_some(grace);
            changed = true;
        }
    });
    ui.end_row();
    changed
}

fn instance_row(ui: &mut Ui, pool: &mut PoolSpec, types: &[InstanceType], i: usize) -> bool {
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

/// `"m5.large · 2 vCPU · $0.096/h"`.
fn instance_label(t: &InstanceType) -> String {
    format!(
        "{} · {} vCPU · ${}/h",
        t.name,
        t.vcpus,
        price_text(t.price_usd_per_hour)
    )
}

/// A price per hour with three decimals, four when the fourth matters (t3 prices).
fn price_text(p: f64) -> String {
    let mut s = format!("{p:.4}");
    if s.ends_with('0') {
        s.pop();
    }
    s
}

// ---------------------------------------------------------------------------------------
// Autoscaling

/// The kind name of a pool's policy, as the combo box lists it.
fn policy_kind(spec: Option<&AutoscaleSpec>) -> &'static str {
    match spec {
        None => "None",
        Some(AutoscaleSpec::Hpa(_)) => "Hpa",
        Some(AutoscaleSpec::TargetTracking(_)) => "TargetTracking",
        Some(AutoscaleSpec::StepScaling(_)) => "StepScaling",
        Some(AutoscaleSpec::SimpleScaling(_)) => "SimpleScaling",
        Some(AutoscaleSpec::Vertical(_)) => "Vertical",
        Some(AutoscaleSpec::Combined(_)) => "Combined",
        Some(AutoscaleSpec::Predictive(_)) => "Predictive",
        Some(AutoscaleSpec::Backlog(_)) => "Backlog",
        Some(AutoscaleSpec::LatencyTarget(_)) => "LatencyTarget",
    }
}

/// A new policy's required settings, written as the shipped scenarios write them
/// (`scenarios/autoscaling/*.ron`); parsing fills everything else with the schema's
/// defaults, so nothing here repeats them.
fn policy_template(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "TargetTracking" => "TargetTracking(metric: Cpu, target: 0.6)",
        "Hpa" => "Hpa(metrics: [Utilization(metric: Cpu, target: 0.6)])",
        "StepScaling" => {
            "StepScaling(metric: Cpu, \
             scale_out: (threshold: 0.6, steps: [(lower: 0.0, upper: 0.2, adjustment: 1), (lower: 0.2, adjustment: 3)]), \
             scale_in: (threshold: 0.3, steps: [(upper: 0.0, adjustment: -1)]))"
        }
        "SimpleScaling" => {
            "SimpleScaling(metric: Cpu, \
             scale_out: (threshold: 0.7, adjustment: 2), \
             scale_in: (threshold: 0.3, adjustment: -1))"
        }
        "Predictive" => "Predictive(requests_per_instance: 24)",
        "Backlog" => "Backlog(per_instance: 3)",
        "LatencyTarget" => "LatencyTarget(target_secs: 0.3)",
        _ => return None,
    })
}

fn parse_policy(text: &str) -> Result<AutoscaleSpec, String> {
    crate::scenario::ron_options()
        .from_str(text)
        .map_err(|e| format!("cannot create the policy {text}: {e}"))
}

/// The policy of `kind` for `pool` with default settings (None for "None").
fn new_policy(
    kind: &str,
    pool: &PoolSpec,
    types: &[InstanceType],
) -> Result<Option<AutoscaleSpec>, String> {
    match kind {
        "None" => Ok(None),
        "Vertical" => {
            let ladder: Vec<String> = type_ladder(&pool.instance, types)
                .iter()
                .map(|t| format!("{t:?}"))
                .collect();
            parse_policy(&format!("Vertical(types: [{}])", ladder.join(", "))).map(Some)
        }
        "Combined" => {
            // The current policy becomes the first of the combination, if it may be one.
            let first = match &pool.autoscale {
                Some(AutoscaleSpec::Vertical(_) | AutoscaleSpec::Combined(_)) | None => {
                    parse_policy(policy_template("TargetTracking").unwrap_or_default())?
                }
                Some(s) => s.clone(),
            };
            Ok(Some(AutoscaleSpec::Combined(vec![first])))
        }
        other => match policy_template(other) {
            Some(t) => parse_policy(t).map(Some),
            None => Err(format!("no policy called {other}")),
        },
    }
}

/// The instance types of `name`'s family (`m5.*`, `e2-standard-*`), smallest first: the
/// ladder a vertical policy climbs. Holds at least `name` itself.
fn type_ladder(name: &str, types: &[InstanceType]) -> Vec<String> {
    let family = |n: &str| -> String {
        match n.split_once('.') {
            Some((f, _)) => format!("{f}."),
            None => n.rsplit_once('-').map_or(n, |(f, _)| f).to_string() + "-",
        }
    };
    let mine = family(name);
    let mut same: Vec<&InstanceType> = types.iter().filter(|t| family(&t.name) == mine).collect();
    same.sort_by(|a, b| {
        (a.vcpus, a.memory_gib)
            .partial_cmp(&(b.vcpus, b.memory_gib))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out: Vec<String> = same.iter().map(|t| t.name.clone()).collect();
    if !out.iter().any(|t| t == name) {
        out.insert(0, name.to_string());
    }
    out
}

/// The value a policy should hold `metric` at when nothing better is known.
fn default_target(metric: Metric) -> f64 {
    match metric {
        Metric::Cpu => 0.6,
        Metric::RequestsPerTarget => 20.0,
        Metric::QueuePerInstance => 3.0,
        Metric::LatencyP95 => 0.3,
    }
}

/// A sensible drag speed for a value of `metric`.
fn metric_speed(metric: Metric) -> f64 {
    match metric {
        Metric::Cpu | Metric::LatencyP95 => 0.01,
        Metric::RequestsPerTarget | Metric::QueuePerInstance => 0.1,
    }
}

/// An HPA target on `metric` of the type Kubernetes uses for it.
fn hpa_target(metric: Metric, target: f64) -> MetricTarget {
    match metric {
        Metric::Cpu => MetricTarget::Utilization { metric, target },
        Metric::LatencyP95 => MetricTarget::Value { metric, target },
        Metric::RequestsPerTarget | Metric::QueuePerInstance => {
            MetricTarget::AverageValue { metric, target }
        }
    }
}

/// The policy combo box and the rows of the chosen policy's parameters.
fn policy_rows(
    ui: &mut Ui,
    state: &mut EditorState,
    i: usize,
    pool: &mut PoolSpec,
    types: &[InstanceType],
) -> bool {
    let mut changed = policy_kind_row(ui, state, i, pool, types);
    let Some(spec) = pool.autoscale.as_mut() else {
        return changed;
    };
    changed |= match spec {
        AutoscaleSpec::TargetTracking(c) => target_tracking_rows(ui, i, c),
        AutoscaleSpec::Hpa(c) => hpa_rows(ui, i, c),
        AutoscaleSpec::StepScaling(c) => step_scaling_rows(ui, i, c),
        AutoscaleSpec::SimpleScaling(c) => simple_scaling_rows(ui, i, c),
        AutoscaleSpec::Predictive(c) => predictive_rows(ui, i, c),
        AutoscaleSpec::Backlog(c) => {
            let mut ch = target_row(ui, &mut c.per_instance, 0.1, "requests held per instance");
            ch |= drag_row(ui, "period s", &mut c.period_secs, 1.0);
            ch |= drag_row(ui, "scale-in delay s", &mut c.scale_in_delay_secs, 1.0);
            ch
        }
        AutoscaleSpec::LatencyTarget(c) => {
            let mut ch = target_row(ui, &mut c.target_secs, 0.01, "p95 latency, seconds");
            ch |= drag_row(ui, "scale-in below", &mut c.scale_in_below, 0.01);
            ch |= drag_row(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
            ch
        }
        AutoscaleSpec::Vertical(c) => vertical_rows(ui, state, i, c),
        AutoscaleSpec::Combined(specs) => {
            let kinds: Vec<&str> = specs.iter().map(|s| policy_kind(Some(s))).collect();
            note_row(ui, &format!("{}: edit in the RON tab", kinds.join(" + ")));
            false
        }
    };
    changed
}

/// The policy combo box. A new kind gets the policy last chosen of that kind for this
/// pool, or a new one with default settings.
fn policy_kind_row(
    ui: &mut Ui,
    state: &mut EditorState,
    i: usize,
    pool: &mut PoolSpec,
    types: &[InstanceType],
) -> bool {
    let mut changed = false;
    let key = format!("pool{i}.policy");
    let l = ui.label("policy");
    let current = policy_kind(pool.autoscale.as_ref());
    let mut chosen = None;
    let _ = ComboBox::from_id_salt(("editor policy kind", i))
        .selected_text(current)
        .show_ui(ui, |ui| {
            for kind in POLICY_KINDS {
                if ui.selectable_label(kind == current, kind).clicked() && kind != current {
                    chosen = Some(kind);
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();

    if let Some(kind) = chosen {
        let new = match state.policies.remove(&(i, kind)) {
            Some(p) => Ok(Some(p)),
            None => new_policy(kind, pool, types),
        };
        match new {
            Ok(new) => {
                if let Some(old) = std::mem::replace(&mut pool.autoscale, new) {
                    state.policies.insert((i, policy_kind(Some(&old))), old);
                }
                state.text_errors.remove(&key);
                changed = true;
            }
            Err(e) => {
                state.text_errors.insert(key.clone(), e);
            }
        }
    }
    if let Some(e) = state.text_errors.get(&key) {
        ui.label("");
        ui.colored_label(ui.visuals().error_fg_color, e);
        ui.end_row();
    }
    changed
}

fn target_tracking_rows(ui: &mut Ui, i: usize, c: &mut TargetTrackingConfig) -> bool {
    let mut changed = metric_row(ui, ("editor tt metric", i), &mut c.metric);
    if changed {
        // A new metric has a new unit: the old target means nothing in it.
        c.target = default_target(c.metric);
    }
    changed |= target_row(ui, &mut c.target, metric_speed(c.metric), "");
    changed |= drag_row(ui, "scale-in ratio", &mut c.scale_in_ratio, 0.01);
    changed |= check_row(ui, "disable scale-in", &mut c.disable_scale_in);
    changed
}

fn step_scaling_rows(ui: &mut Ui, i: usize, c: &mut StepScalingConfig) -> bool {
    let mut changed = metric_row(ui, ("editor step metric", i), &mut c.metric);
    let speed = metric_speed(c.metric);
    match c.scale_out.as_mut() {
        Some(p) => {
            changed |= target_row(ui, &mut p.threshold, speed, "scale-out alarm threshold");
            changed |= step_policy_rows(ui, "scale-out", i, &mut p.adjustment_type, &mut p.steps);
        }
        None => note_row(ui, "no scale-out policy: add one in the RON tab"),
    }
    match c.scale_in.as_mut() {
        Some(p) => {
            changed |= drag_row(ui, "scale-in threshold", &mut p.threshold, speed);
            changed |= step_policy_rows(ui, "scale-in", i, &mut p.adjustment_type, &mut p.steps);
        }
        None => note_row(ui, "no scale-in policy: add one in the RON tab"),
    }
    changed
}

fn simple_scaling_rows(ui: &mut Ui, i: usize, c: &mut SimpleScalingConfig) -> bool {
    let mut changed = metric_row(ui, ("editor simple metric", i), &mut c.metric);
    let speed = metric_speed(c.metric);
    match c.scale_out.as_mut() {
        Some(p) => {
            changed |= target_row(ui, &mut p.threshold, speed, "scale-out alarm threshold");
            changed |= simple_policy_rows(ui, "scale-out", i, p);
        }
        None => note_row(ui, "no scale-out policy: add one in the RON tab"),
    }
    match c.scale_in.as_mut() {
        Some(p) => {
            changed |= drag_row(ui, "scale-in threshold", &mut p.threshold, speed);
            changed |= simple_policy_rows(ui, "scale-in", i, p);
        }
        None => note_row(ui, "no scale-in policy: add one in the RON tab"),
    }
    changed |= drag_row(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}

/// One side's adjustment type and adjustment.
fn simple_policy_rows(ui: &mut Ui, side: &str, i: usize, p: &mut SimplePolicy) -> bool {
    let mut changed = combo_row(
        ui,
        &format!("{side} type"),
        ("editor simple type", side, i),
        &mut p.adjustment_type,
        &ADJUSTMENT_TYPES,
    );
    changed |= drag_row(ui, &format!("{side} adjustment"), &mut p.adjustment, 0.25);
    changed
}

fn predictive_rows(ui: &mut Ui, i: usize, c: &mut PredictiveConfig) -> bool {
    let mut changed = target_row(
        ui,
        &mut c.requests_per_instance,
        0.1,
        "requests/s per instance",
    );
    changed |= combo_row(
        ui,
        "mode",
        ("editor predictive mode", i),
        &mut c.mode,
        &PREDICTIVE_MODES,
    );
    let mut hours = c.history_min_secs / 3600.0;
    if drag_row(ui, "history h", &mut hours, 0.5) {
        c.history_min_secs = hours_to_secs(hours);
        changed = true;
    }
    changed |= check_row(ui, "hourly", &mut c.hourly);
    changed |= check_row(ui, "scale in to forecast", &mut c.scale_in_to_forecast);
    changed
}

fn vertical_rows(ui: &mut Ui, state: &mut EditorState, i: usize, c: &mut VerticalConfig) -> bool {
    let mut changed = false;
    let text = c.types.join(", ");
    // Typed as a comma-separated list; the checker says which name it does not know.
    if let Some(types) = parsed_row(ui, state, &format!("pool{i}.types"), "types", &text, |s| {
        Ok(s.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect::<Vec<_>>())
    }) {
        c.types = types;
        changed = true;
    }
    changed |= target_row(
        ui,
        &mut c.scale_up_above,
        0.01,
        "CPU above which to move up a size",
    );
    changed |= drag_row(ui, "scale down below", &mut c.scale_down_below, 0.01);
    changed |= drag_row(ui, "restart s", &mut c.restart_secs, 1.0);
    changed |= check_row(ui, "all at once", &mut c.all_at_once);
    changed |= drag_row(ui, "cooldown s", &mut c.cooldown_secs, 1.0);
    changed
}

fn hpa_rows(ui: &mut Ui, i: usize, c: &mut HpaConfig) -> bool {
    let mut changed = false;
    let more = c.metrics.len().saturating_sub(1);
    match c.metrics.first_mut() {
        Some(MetricTarget::PoolAverageValue { metric, target }) => {
            note_row(
                ui,
                &format!("metric: pool-wide {metric:?} (change it in the RON tab)"),
            );
            changed |= target_row(ui, target, 0.1, "PoolAverageValue (per instance)");
        }
        Some(first) => {
            if let Some(mut m) = hpa_parts(first).map(|(m, _)| *m)
                && metric_row(ui, ("editor hpa metric", i), &mut m)
            {
                // A new metric has a new unit: its target type and value start afresh.
                *first = hpa_target(m, default_target(m));
                changed = true;
            }
            let hint = match first {
                MetricTarget::Utilization { .. } => "Utilization (fraction of a vCPU)",
                MetricTarget::AverageValue { .. } => "AverageValue (per instance)",
                MetricTarget::Value { .. } => "Value (pool-wide)",
                MetricTarget::PoolAverageValue { .. } => "PoolAverageValue (per instance)",
            };
            if let Some((metric, target)) = hpa_parts(first) {
                changed |= target_row(ui, target, metric_speed(*metric), hint);
            }
        }
        None => note_row(ui, "no metrics: add one in the RON tab"),
    }
    if more > 0 {
        note_row(ui, &format!("and {more} more metrics: edit in the RON tab"));
    }
    changed |= drag_row(ui, "tolerance", &mut c.tolerance, 0.01);
    changed |= drag_row(ui, "sync period s", &mut c.sync_period_secs, 1.0);
    // The window in force: the behavior's own, else the controller flag's.
    let window = match c
        .behavior
        .as_mut()
        .and_then(|b| b.scale_down.stabilization_window_secs.as_mut())
    {
        Some(w) => w,
        None => &mut c.downscale_stabilization_secs,
    };
    changed |= drag_row(ui, "scale-down stabilization s", window, 1.0);
    changed
}

/// The metric and target of an HPA target on a per-instance or latency metric (`None`
/// for a pool-wide total, whose metric is not a [`Metric`]).
fn hpa_parts(t: &mut MetricTarget) -> Option<(&mut Metric, &mut f64)> {
    match t {
        MetricTarget::Utilization { metric, target }
        | MetricTarget::AverageValue { metric, target }
        | MetricTarget::Value { metric, target } => Some((metric, target)),
        MetricTarget::PoolAverageValue { .. } => None,
    }
}

/// A step policy's adjustment type and each step's adjustment (bounds: in the RON tab).
fn step_policy_rows(
    ui: &mut Ui,
    side: &str,
    i: usize,
    kind: &mut AdjustmentType,
    steps: &mut [StepAdjustment],
) -> bool {
    let mut changed = combo_row(
        ui,
        &format!("{side} type"),
        ("editor step type", side, i),
        kind,
        &ADJUSTMENT_TYPES,
    );
    for s in steps.iter_mut() {
        let label = format!("{side} {}", bounds_text(s.lower, s.upper));
        changed |= drag_row(ui, &label, &mut s.adjustment, 0.25);
    }
    note_row(ui, "step bounds: edit in the RON tab");
    changed
}

/// A step's bounds relative to the threshold: `"+0..+0.2"`, `"+0.2.."`, `"..-0.1"`.
fn bounds_text(lower: Option<f64>, upper: Option<f64>) -> String {
    let b = |v: Option<f64>| v.map(|v| format!("{v:+}")).unwrap_or_default();
    format!("{}..{}", b(lower), b(upper))
}

// ---------------------------------------------------------------------------------------
// RON

fn ron_ui(ui: &mut Ui, state: &mut EditorState, design: &mut Design) -> bool {
    let mut changed = false;
    let dirty = state.ron != state.ron_base;
    // Follow the design (form edits, a reload) unless the user is typing here.
    if state.ron_base != design.text && !dirty && !state.ron_focused {
        state.ron = design.text.clone();
        state.ron_base = design.text.clone();
    }
    let r = ui.add(
        TextEdit::multiline(&mut state.ron)
            .code_editor()
            .desired_rows(16)
            .desired_width(f32::INFINITY),
    );
    let r = r.accessible_name("RON source");
    state.ron_focused = r.has_focus();
    let dirty = state.ron != state.ron_base;
    ui.horizontal(|ui| {
        if ui
            .button("Apply")
            .on_hover_text("Check this text and, if valid, run it")
            .clicked()
        {
            state.error_at = Some(Section::Ron);
            changed = design.set_text(state.ron.clone());
            state.ron_base = design.text.clone();
        }
        if ui
            .add_enabled(dirty, Button::new("Revert"))
            .on_hover_text("Discard the edits made here")
            .clicked()
        {
            state.ron = design.text.clone();
            state.ron_base = design.text.clone();
        }
        if dirty {
            ui.weak("unapplied edits");
        }
    });
    section_errors(ui, state, design, Section::Ron);
    changed
}

// ---------------------------------------------------------------------------------------
// Rows of a two-column grid: a label, then the widget it names (for screen readers and
// tests, through `labelled_by`).

fn drag_row<N: egui::emath::Numeric>(ui: &mut Ui, label: &str, value: &mut N, speed: f64) -> bool {
    let l = ui.label(label);
    let changed = ui
        .add(DragValue::new(value).speed(speed))
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    changed
}

/// The row of a policy's main target, with what it means beside it.
fn target_row(ui: &mut Ui, value: &mut f64, speed: f64, hint: &str) -> bool {
    let l = ui.label("target");
    let changed = ui
        .horizontal(|ui| {
            let c = ui
                .add(DragValue::new(value).speed(speed))
                .labelled_by(l.id)
                .changed();
            if !hint.is_empty() {
                ui.weak(hint);
            }
            c
        })
        .inner;
    ui.end_row();
    changed
}

fn check_row(ui: &mut Ui, text: &str, value: &mut bool) -> bool {
    ui.label("");
    let changed = ui.checkbox(value, text).changed();
    ui.end_row();
    changed
}

fn note_row(ui: &mut Ui, text: &str) {
    ui.label("");
    ui.weak(text);
    ui.end_row();
}

fn combo_row<T: Copy + PartialEq + std::fmt::Debug>(
    ui: &mut Ui,
    label: &str,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    value: &mut T,
    options: &[T],
) -> bool {
    let mut changed = false;
    let l = ui.label(label);
    let _ = ComboBox::from_id_salt(id_salt)
        .selected_text(format!("{value:?}"))
        .show_ui(ui, |ui| {
            for o in options {
                changed |= ui.selectable_value(value, *o, format!("{o:?}")).changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed
}

fn metric_row(
    ui: &mut Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    metric: &mut Metric,
) -> bool {
    combo_row(ui, "metric", id_salt, metric, &METRICS)
}

/// A time point typed as text; an unreadable one is reported beside it and never
/// reaches the design.
fn time_row(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    tp: &mut TimePoint,
) -> bool {
    let current = tp.as_str().to_string();
    match parsed_row(ui, state, key, label, &current, |s| {
        TimePoint::try_from(s).map_err(|e| e.to_string())
    }) {
        Some(new) => {
            *tp = new;
            true
        }
        None => false,
    }
}

/// A text field for a value that must parse: keeps what is typed (under `key`) while it
/// does not parse, with the reason below; returns the value when it parses after an edit.
fn parsed_row<T>(
    ui: &mut Ui,
    state: &mut EditorState,
    key: &str,
    label: &str,
    current: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let l = ui.label(label);
    let buf = state
        .texts
        .entry(key.to_string())
        .or_insert_with(|| current.to_string());
    let r = ui
        .add(TextEdit::singleline(buf).desired_width(160.0))
        .labelled_by(l.id);
    ui.end_row();
    let mut out = None;
    if r.changed() {
        match parse(buf) {
            Ok(v) => {
                state.text_errors.remove(key);
                out = Some(v);
            }
            Err(e) => {
                state.text_errors.insert(key.to_string(), e);
            }
        }
    } else if !r.has_focus() && !state.text_errors.contains_key(key) && buf != current {
        // Changed elsewhere (the RON tab, a kind switch): show the value that is there.
        *buf = current.to_string();
    }
    if let Some(e) = state.text_errors.get(key) {
        ui.label("");
        ui.colored_label(ui.visuals().error_fg_color, e);
        ui.end_row();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spike() -> RateCurve {
        crate::scenario::ron_options()
            .from_str(
                "MondaySpike(night_per_sec: 40, peak_per_sec: 900, peak_at: \"mon 09:00\", ramp_secs: 2700)",
            )
            .unwrap()
    }

    fn design() -> Design {
        Design::from_text(super::super::DEFAULT_SCENARIO, None, egui::Color32::WHITE).unwrap()
    }

    #[test]
    fn switching_curve_kind_keeps_the_levels() {
        let s = spike();
        assert_eq!(levels(&s), Some((40.0, 900.0)));
        for kind in [
            "Ramp",
            "Diurnal",
            "Step",
            "Points",
            "Daily",
            "Weekly",
            "FlashCrowd",
        ] {
            let c = switch_curve(&s, kind, 64800.0, (1.0, 2.0)).unwrap();
            assert_eq!(c.kind(), kind);
            let (lo, hi) = levels(&c).unwrap();
            assert!(
                (lo - 40.0).abs() < 1e-9 && (hi - 900.0).abs() < 1e-9,
                "{kind}: {lo} {hi}"
            );
        }
        let d = switch_curve(&s, "Diurnal", 64800.0, (1.0, 2.0)).unwrap();
        // The peak time travels with the levels, and back again.
        assert_eq!(peak_time(&d).unwrap().as_str(), "mon 09:00");
        assert_eq!(
            switch_curve(&d, "MondaySpike", 64800.0, (1.0, 2.0)).unwrap(),
            s
        );
        assert_eq!(
            switch_curve(&s, "Constant", 64800.0, (1.0, 2.0)).unwrap(),
            RateCurve::Constant { per_sec: 900.0 }
        );
    }

    #[test]
    fn a_flat_curve_gets_a_quiet_level_and_keeps_its_rate_as_the_peak() {
        let c = RateCurve::Constant { per_sec: 100.0 };
        let r = switch_curve(&c, "Ramp", 3600.0, (1.0, 2.0)).unwrap();
        assert_eq!(levels(&r), Some((25.0, 100.0)));
        assert_eq!(switch_curve(&r, "Constant", 3600.0, (1.0, 2.0)).unwrap(), c);
    }

    #[test]
    fn leaving_a_flash_crowd_for_its_base_kind_gives_the_base_back() {
        let s = spike();
        let f = switch_curve(&s, "FlashCrowd", 64800.0, (1.0, 2.0)).unwrap();
        assert_eq!(
            switch_curve(&f, "MondaySpike", 64800.0, (1.0, 2.0)).unwrap(),
            s
        );
    }

    #[test]
    fn a_trace_cannot_be_made_and_lends_the_running_levels() {
        let s = spike();
        assert_eq!(switch_curve(&s, "Trace", 3600.0, (1.0, 2.0)), None);
        let t = RateCurve::Trace {
            file: "x.csv".into(),
            scale: 1.0,
            from_secs: 0.0,
            to_secs: None,
            offset_secs: 0.0,
            shape: None,
        };
        assert_eq!(
            switch_curve(&t, "Constant", 3600.0, (5.0, 50.0)).unwrap(),
            RateCurve::Constant { per_sec: 50.0 }
        );
    }

    #[test]
    fn the_monday_spike_defaults_are_the_schemas() {
        let parsed = spike();
        let made = switch_curve(
            &RateCurve::Constant { per_sec: 900.0 },
            "MondaySpike",
            64800.0,
            (0.0, 0.0),
        )
        .unwrap();
        let RateCurve::MondaySpike {
            plateau_factor: a1,
            lunch_factor: b1,
            weekday_peak_factor: c1,
            ..
        } = parsed
        else {
            panic!()
        };
        let RateCurve::MondaySpike {
            plateau_factor: a2,
            lunch_factor: b2,
            weekday_peak_factor: c2,
            ..
        } = made
        else {
            panic!()
        };
        assert_eq!((a1, b1, c1), (a2, b2, c2));
    }

    #[test]
    fn every_curve_the_editor_makes_validates() {
        let base = design();
        for kind in CURVE_KINDS {
            let Some(c) = switch_curve(
                &base.file.workload.rate,
                kind,
                base.file.duration_secs,
                (1.0, 2.0),
            ) else {
                assert_eq!(kind, "Trace");
                continue;
            };
            let mut d = design();
            let mut f = d.file.clone();
            f.workload.rate = c;
            d.set_file(f);
            assert!(d.errors.is_empty(), "{kind}: {:?}", d.errors);
        }
    }

    #[test]
    fn every_new_policy_validates_with_its_defaults() {
        let catalog = Catalog::builtin().unwrap();
        for kind in POLICY_KINDS {
            let mut d = design();
            let mut f = d.file.clone();
            f.pools[0].autoscale = new_policy(kind, &f.pools[0], catalog.types()).unwrap();
            assert_eq!(policy_kind(f.pools[0].autoscale.as_ref()), kind);
            d.set_file(f);
            assert!(d.errors.is_empty(), "{kind}: {:?}", d.errors);
        }
    }

    #[test]
    fn a_new_target_tracking_policy_has_the_aws_defaults() {
        let p = new_policy("TargetTracking", &design().file.pools[0], &[]).unwrap();
        let expected = TargetTrackingConfig::new(Metric::Cpu, 0.6);
        assert_eq!(p, Some(AutoscaleSpec::TargetTracking(expected)));
    }

    #[test]
    fn the_vertical_ladder_is_the_family_smallest_first() {
        let catalog = Catalog::builtin().unwrap();
        assert_eq!(
            type_ladder("m5.large", catalog.types()),
            ["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"]
        );
        assert_eq!(
            type_ladder("e2-standard-4", catalog.types()),
            ["e2-standard-2", "e2-standard-4"]
        );
        assert_eq!(type_ladder("custom", catalog.types()), ["custom"]);
    }

    #[test]
    fn min_above_max_is_rejected_with_the_checkers_message_and_kept() {
        let mut d = design();
        let mut f = d.file.clone();
        f.pools[0].size.min = 5;
        f.pools[0].size.max = 3;
        assert!(!d.set_file(f));
        assert!(
            d.errors
                .iter()
                .any(|e| e.contains("size: min 5 is greater than max 3")),
            "{:?}",
            d.errors
        );
        assert_eq!((d.file.pools[0].size.min, d.file.pools[0].size.max), (5, 3));
    }

    #[test]
    fn the_preview_samples_the_profile_over_the_run() {
        let d = design();
        let s = d.scenario.as_ref().unwrap();
        let pts = preview_points(&s.profile, 64800.0, PREVIEW_SAMPLES);
        assert_eq!(pts.len(), PREVIEW_SAMPLES);
        assert_eq!(pts[0], [0.0, s.profile.rate_at(0.0)]);
        assert_eq!(pts[PREVIEW_SAMPLES - 1], [18.0, s.profile.rate_at(64800.0)]);
        let peak = pts.iter().map(|p| p[1]).fold(0.0, f64::max);
        assert!(peak > 800.0 && peak <= 900.0, "{peak}");
        assert!(preview_points(&s.profile, 0.0, 10).is_empty());
    }

    #[test]
    fn spans_and_hours_are_written_as_the_file_expects() {
        assert_eq!(span_text(5400.0), "+1h30m");
        assert_eq!(span_text(45.0), "+45s");
        assert_eq!(span_text(0.0), "+0s");
        assert_eq!(span_text(3600.0), "+1h");
        for s in [0.0, 45.0, 5400.0, 16200.0, 86461.0] {
            assert!(after_start(s).is_some(), "{s}");
        }
        assert_eq!(hours_to_secs(1.1), 3960.0);
        assert_eq!(hours_to_secs(18.0), 64800.0);
    }

    #[test]
    fn instance_types_read_like_the_catalog() {
        let catalog = Catalog::builtin().unwrap();
        let m5 = catalog.get("m5.large").unwrap();
        assert_eq!(instance_label(m5), "m5.large · 2 vCPU · $0.096/h");
        assert_eq!(price_text(0.0416), "0.0416");
        assert_eq!(bounds_text(Some(0.0), Some(0.2)), "+0..+0.2");
        assert_eq!(bounds_text(None, Some(-0.1)), "..-0.1");
    }

    use egui_kittest::kittest::Queryable;

    /// What the panel edits, for driving it offscreen.
    struct Panel {
        editor: EditorState,
        design: Design,
        catalog: Catalog,
        changed: bool,
    }

    fn harness(design: Design) -> egui_kittest::Harness<'static, Panel> {
        let panel = Panel {
            editor: EditorState::default(),
            design,
            catalog: Catalog::builtin().unwrap(),
            changed: false,
        };
        let mut h = egui_kittest::Harness::builder()
            .with_size(egui::vec2(520.0, 4000.0))
            .build_ui_state(
                |ui, p: &mut Panel| {
                    p.changed |= editor_ui(ui, &mut p.editor, &mut p.design, &p.catalog);
                },
                panel,
            );
        h.run();
        h
    }

    #[test]
    fn every_documented_input_is_found_by_its_label_once() {
        let h = harness(design());
        for label in [
            "name",
            "start",
            "duration h",
            "interval s",
            "SLO latency s",
            "SLO percentile",
            "curve",
            "night per sec",
            "peak per sec",
            "peak at",
            "ramp s",
            "page weight",
            "instance type",
            "workers",
            "queue capacity",
            "timeout s",
            "min",
            "max",
            "initial",
            "balancer",
            "scale-in",
            "warm-up s",
            "drain s",
            "crash MTTF h",
            "grace s",
            "policy",
            "RON source",
            "Apply",
        ] {
            // get_by_label panics if the label is missing or names two widgets.
            let _ = h.get_by_label(label);
        }
    }

    #[test]
    fn failures_and_the_grace_period_are_switched_on_from_the_panel() {
        let mut h = harness(design());
        assert!(h.state().design.file.pools[0].failures.is_none());
        h.get_by_label("instances crash").click();
        h.run();
        h.get_by_label("group uses balancer checks").click();
        h.run();
        let p = h.state();
        // The defaults offered: a crash every 6 h of service, the console's 300 s grace.
        assert_eq!(
            p.design.file.pools[0].failures.as_ref().unwrap().mttf_hours,
            6.0
        );
        assert_eq!(p.design.file.pools[0].health_check_grace_secs, Some(300.0));
        assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
        assert!(p.changed, "a valid change restarts the run");
        assert!(
            p.design.text.contains("mttf_hours: 6.0"),
            "{}",
            p.design.text
        );
        // A zero MTTF is refused by the checker, with its words.
        h.get_by_label("crash MTTF h").set_value_accesskit(0.0);
        h.run();
        let errors = &h.state().design.errors;
        assert!(
            errors.iter().any(|e| e.contains("expected a number > 0")),
            "{errors:?}"
        );
    }

    #[test]
    fn every_policy_shows_its_target() {
        let catalog = Catalog::builtin().unwrap();
        for kind in POLICY_KINDS {
            let mut d = design();
            let mut f = d.file.clone();
            f.pools[0].autoscale = new_policy(kind, &f.pools[0], catalog.types()).unwrap();
            d.set_file(f);
            let h = harness(d);
            let targets = h.query_all_by_label("target").count();
            let expected = usize::from(!matches!(kind, "None" | "Combined"));
            assert_eq!(targets, expected, "{kind}");
        }
    }

    #[test]
    fn every_curve_shows_its_parameters() {
        for (kind, label) in [
            ("Constant", "per sec"),
            ("Ramp", "to per sec"),
            ("Diurnal", "trough per sec"),
            ("FlashCrowd", "extra per sec"),
        ] {
            let mut d = design();
            let mut f = d.file.clone();
            f.workload.rate =
                switch_curve(&f.workload.rate, kind, f.duration_secs, (1.0, 2.0)).unwrap();
            d.set_file(f);
            let h = harness(d);
            let _ = h.get_by_label(label);
            let _ = h.get_by_label("curve");
        }
    }

    #[test]
    fn min_above_max_shows_the_message_under_the_pool() {
        let mut h = harness(design());
        h.get_by_label("min").set_value_accesskit(5.0);
        h.run();
        h.get_by_label("max").set_value_accesskit(3.0);
        h.run();
        // Under the pool, and named in the status line at the top.
        assert_eq!(
            h.query_all_by_label_contains("size: min 5 is greater than max 3")
                .count(),
            2
        );
        let p = h.state();
        assert_eq!(
            (
                p.design.file.pools[0].size.min,
                p.design.file.pools[0].size.max
            ),
            (5, 3)
        );
        assert_eq!(p.editor.error_at, Some(Section::Pool));
    }

    #[test]
    fn a_valid_edit_reports_a_change_and_reaches_the_ron_text() {
        let mut h = harness(design());
        h.get_by_label("max").set_value_accesskit(50.0);
        h.run();
        let p = h.state();
        assert!(p.changed);
        assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
        assert!(p.editor.ron.contains("max: 50"), "{}", p.editor.ron);
    }

    #[test]
    fn apply_checks_the_ron_text_and_shows_errors_with_their_place() {
        let mut h = harness(design());
        let text = h.state().editor.ron.replace("min: 2", "min: 50");
        h.state_mut().editor.ron = text;
        h.run();
        h.get_by_label("Apply").click();
        h.run();
        let p = h.state();
        assert_eq!(p.editor.error_at, Some(Section::Ron));
        assert!(
            p.design
                .errors
                .iter()
                .any(|e| e.contains(":") && e.contains("size: min 50 is greater than max 40")),
            "{:?}",
            p.design.errors
        );
    }

    #[test]
    fn choosing_a_kind_in_the_combo_boxes_switches_curve_and_policy() {
        let mut h = harness(design());
        h.get_by_label("curve").click();
        h.run();
        h.get_by_label("Diurnal").click();
        h.run();
        let _ = h.get_by_label("trough per sec");
        h.get_by_label("policy").click();
        h.run();
        h.get_by_label("TargetTracking").click();
        h.run();
        let _ = h.get_by_label("target");
        let p = h.state();
        assert!(p.changed);
        assert!(p.design.errors.is_empty(), "{:?}", p.design.errors);
        assert_eq!(p.design.file.workload.rate.kind(), "Diurnal");
        assert_eq!(
            policy_kind(p.design.file.pools[0].autoscale.as_ref()),
            "TargetTracking"
        );
    }

    #[test]
    fn an_unreadable_time_is_reported_beside_its_field_and_not_applied() {
        let mut h = harness(design());
        let field = h.get_by_label("peak at");
        field.focus();
        h.run();
        h.get_by_label("peak at").type_text("x");
        h.run();
        let _ = h.get_by_label_contains("expected a time such as");
        assert_eq!(
            peak_time(&h.state().design.file.workload.rate)
                .unwrap()
                .as_str(),
            "mon 09:00"
        );
    }
}
