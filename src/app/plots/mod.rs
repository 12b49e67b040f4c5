//! The linked time-series plots: traffic against capacity, latency against the SLO,
//! instances with every scaling decision, cost, utilisation and queues, drops.

mod focus;
mod legend;
mod log_axis;
mod marks;
mod panels;

pub use focus::focus_rows;

use std::collections::BTreeSet;

use egui::{Color32, Id, Ui, Vec2b};
use egui_plot::{HLine, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points, Span, VLine};

use legend::{Entry, Marker, Swatch, legend_ui};
pub use log_axis::secs_label;
use marks::Cause;
pub use marks::DecisionKind;
use panels::{When, panels};

use crate::metrics::{Decision, IntervalRow};
use crate::model::clock::WeekClock;
use crate::sim::SimTime;

/// Points drawn per series per point of plot width: a series is reduced bucket by bucket
/// to each bucket's minimum and maximum (two points per bucket of two pixels' width), so
/// spikes survive while a week of 10 s intervals (60,480 rows) costs no more to draw than
/// an hour. Triangles are what a software renderer pays for.
pub const POINTS_PER_PIXEL: f32 = 1.0;

/// Reduces `points` (sorted by x) to at most about `max` points, keeping each bucket's
/// lowest and highest value in their order of appearance.
pub fn downsample(points: &[[f64; 2]], max: usize) -> Vec<[f64; 2]> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let per = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(buckets * 2);
    for chunk in points.chunks(per) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p[1] < chunk[lo][1] {
                lo = i;
            }
            if p[1] > chunk[hi][1] {
                hi = i;
            }
        }
        match lo.cmp(&hi) {
            std::cmp::Ordering::Less => out.extend([chunk[lo], chunk[hi]]),
            std::cmp::Ordering::Greater => out.extend([chunk[hi], chunk[lo]]),
            std::cmp::Ordering::Equal => out.push(chunk[lo]),
        }
    }
    out
}

/// Grid steps that read as times: seconds, minutes, hours, days.
const TIME_STEPS_SECS: [f64; 17] = [
    1.0,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
    7200.0,
    10_800.0,
    21_600.0,
    43_200.0,
    86_400.0,
    172_800.0,
    604_800.0,
    2_419_200.0,
];

/// The plot's finest grid spacing in points (egui_plot's default `grid_spacing` minimum):
/// `base_secs` in [`time_grid_steps`] is this many points of time.
const GRID_MIN_POINTS: f64 = 8.0;
/// Points between two labelled marks: egui_plot labels the x axis only where marks are
/// more than 60 points apart and the label fits ("Mon 00:00" is about 70).
const LABEL_POINTS: f64 = 88.0;

/// The three grid levels (fine to coarse) for a visible span whose smallest sensible step
/// is `base_secs` (the time 8 points cover). The levels are chosen by
/// the points they take, so the coarsest is always far enough apart to be labelled:
/// fine lines at least 8 points apart, a middle level at least 4 times that, and the
/// labelled level at least 88 points apart, at every width and zoom.
pub fn time_grid_steps(base_secs: f64) -> [f64; 3] {
    let top = TIME_STEPS_SECS[TIME_STEPS_SECS.len() - 1];
    let at_least = |secs: f64| {
        TIME_STEPS_SECS
            .iter()
            .copied()
            .find(|s| *s >= secs)
            .unwrap_or(top)
    };
    let fine = at_least(base_secs);
    let label = at_least(base_secs * LABEL_POINTS / GRID_MIN_POINTS);
    let mid = at_least(base_secs * 4.0).clamp(fine, label);
    [fine, mid, label]
}

/// One design's data, as the plots need it.
pub struct PlotInput<'a> {
    /// Legend prefix (the design's name); empty with a single design.
    pub name: &'a str,
    /// Its colour (used for every series when designs are compared).
    pub colour: Color32,
    /// Closed intervals so far.
    pub rows: &'a [IntervalRow],
    /// The decision log so far.
    pub decisions: &'a [Decision],
    /// The SLO latency in seconds.
    pub slo_secs: f64,
}

/// The titles of the plots, in order (for the plot chooser and tests).
pub fn titles() -> Vec<&'static str> {
    panels().into_iter().map(|p| p.0).collect()
}

/// The points of one series between `x0` and `x1` (seconds; one interval more on each
/// side so lines reach the edges), at most about `max`: x is the interval's end.
fn points(
    rows: &[IntervalRow],
    value: fn(&IntervalRow) -> f64,
    (x0, x1): (f64, f64),
    max: usize,
) -> Vec<[f64; 2]> {
    // Rows are in time order: find the visible slice by bisection.
    let lo = rows.partition_point(|r| r.end_secs < x0).saturating_sub(1);
    let hi = (rows.partition_point(|r| r.end_secs <= x1) + 1).min(rows.len());
    let visible: Vec<[f64; 2]> = rows[lo..hi.max(lo)]
        .iter()
        .map(|r| [r.end_secs, value(r)])
        .collect();
    downsample(&visible, max)
}

/// What is shown on hover over a decision marker.
fn decision_text(d: &Decision) -> String {
    format!(
        "{}  {} {}: {} -> {}\n{}",
        d.clock, d.pool, d.policy, d.from, d.to, d.reason
    )
}

/// What the user chose about the plots; kept across frames, restarts and comparisons.
#[derive(Clone, Debug, Default)]
pub struct PlotPrefs {
    /// The latency plot on a logarithmic axis.
    pub log_latency: bool,
    /// The series hidden by a click on their legend entry ("Latency/p95").
    pub hidden: BTreeSet<String>,
}

/// What every plot shares in a frame.
pub struct PlotsSetup<'a> {
    /// The run's clock, for the time labels.
    pub clock: WeekClock,
    /// Whether plot `i` of [`titles`] is drawn.
    pub shown: &'a [bool],
    /// Each plot's height in points.
    pub height: f32,
    /// The timeline's moment, drawn as a vertical line on every plot.
    pub cursor: Option<f64>,
    /// Changes on every restart, so a restarted run starts with a fresh view rather than
    /// a zoom into a span that has no data yet.
    pub generation: u64,
}

/// What the user did to the plots this frame, and what they show.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlotsOutput {
    /// The time the user clicked at, if they clicked a plot (seconds after the start).
    pub clicked_secs: Option<f64>,
    /// The span of time in view (all plots share it), if a plot was drawn.
    pub view_secs: Option<(f64, f64)>,
}

/// How much one point of scrolling zooms the time axis: a wheel notch (about 50 points)
/// shows 22% less or 28% more time.
const ZOOM_PER_POINT: f64 = 1.0 / 200.0;

/// Faint fills behind the data: they say when, and the lines say how much.
fn cause_fill(colour: Color32, dark: bool) -> Color32 {
    colour.gamma_multiply(if dark { 0.16 } else { 0.22 })
}

/// Draws the shown plots, one above the other, their time axes linked: scrolling over a
/// plot zooms time around the pointer (all plots follow, each keeps fitting its values),
/// a drag pans time, a right-drag zooms into a box and a double-click resets the view.
/// Behind the lines, for a single design, the spans in which arrivals exceeded capacity
/// and in which instances were booting; on the instances plot, applied decisions, held
/// ones and replacements each with their own marker.
pub fn plots_ui(
    ui: &mut Ui,
    designs: &[PlotInput<'_>],
    setup: &PlotsSetup<'_>,
    prefs: &mut PlotPrefs,
) -> PlotsOutput {
    let generation = setup.generation;
    let clock = setup.clock;
    let group = Id::unique(("scalesim-time", generation));
    let mut out = PlotsOutput::default();
    let compare = designs.len() > 1;
    let dark = ui.visuals().dark_mode;
    let styles = [
        LineStyle::Solid,
        LineStyle::dashed_loose(),
        LineStyle::dotted_dense(),
        LineStyle::dashed_dense(),
        LineStyle::dotted_loose(),
    ];
    for (i, (title, unit, series)) in panels().into_iter().enumerate() {
        if !setup.shown.get(i).copied().unwrap_or(true) {
            continue;
        }
        let is_instances = title == "Instances";
        let is_latency = title == "Latency";
        let log = is_latency && prefs.log_latency;
        let wanted = |w: When| match w {
            When::Always => true,
            When::Single => !compare,
            When::Compare => compare,
        };
        // The legend, and what each of its entries draws.
        let mut entries = Vec::new();
        let mut lines = Vec::new();
        for d in designs {
            for (k, s) in series.iter().filter(|s| wanted(s.when)).enumerate() {
                let (name, colour, style) = if compare {
                    (
                        format!("{}: {}", d.name, s.label),
                        d.colour,
                        styles[k % styles.len()],
                    )
                } else {
                    (s.label.to_string(), s.colour, LineStyle::Solid)
                };
                let key = format!("{title}/{name}");
                entries.push(Entry {
                    key: key.clone(),
                    text: name.clone(),
                    swatch: Swatch::Line(colour, style),
                });
                lines.push((key, name, colour, style, d.rows, s.value));
            }
        }
        let slo_key = format!("{title}/SLO");
        if is_latency {
            entries.push(Entry {
                key: slo_key.clone(),
                text: "SLO".into(),
                swatch: Swatch::Line(super::theme::series::SLO, LineStyle::dashed_loose()),
            });
        }
        // Causes, for a single design (two designs' spans would hide each other).
        let causes: Vec<(String, Cause)> = marks::CAUSES
            .iter()
            .filter(|c| !compare && c.on(title))
            .map(|c| (format!("{title}/{}", c.label), *c))
            .collect();
        for (key, c) in &causes {
            entries.push(Entry {
                key: key.clone(),
                text: c.label.into(),
                swatch: Swatch::Area(cause_fill(c.colour, dark).gamma_multiply(2.0)),
            });
        }
        // Decision markers by kind: (legend name, decisions) for the hover text to index.
        let mut marker_lists: Vec<(String, DecisionKind, Color32, Vec<&Decision>)> = Vec::new();
        if is_instances {
            for d in designs {
                for kind in DecisionKind::ALL {
                    let list: Vec<&Decision> = d
                        .decisions
                        .iter()
                        .filter(|x| DecisionKind::of(x) == kind)
                        .collect();
                    if list.is_empty() {
                        continue;
                    }
                    let colour = if compare {
                        d.colour
                    } else {
                        match kind {
                            DecisionKind::Applied => super::theme::series::DECISION,
                            DecisionKind::Held => super::theme::series::GREY,
                            DecisionKind::Replacement => super::theme::series::RED,
                        }
                    };
                    let name = decisions_name(d.name, compare, kind);
                    let marker = match kind {
                        DecisionKind::Applied => Marker::Diamond,
                        DecisionKind::Held => Marker::Ring,
                        DecisionKind::Replacement => Marker::Cross,
                    };
                    entries.push(Entry {
                        key: format!("{title}/{name}"),
                        text: name.clone(),
                        swatch: Swatch::Marker(colour, marker),
                    });
                    marker_lists.push((name, kind, colour, list));
                }
            }
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(title).strong());
            ui.add_space(8.0);
            legend_ui(ui, &entries, &mut prefs.hidden);
            if is_latency {
                ui.toggle_value(&mut prefs.log_latency, "log scale")
                    .on_hover_text("Latency on a logarithmic axis: an SLO of 1 s and a p99 of 6 s read side by side");
            }
        });
        let hidden = &prefs.hidden;
        let max_points = (ui.available_width() * POINTS_PER_PIXEL).max(100.0) as usize;
        let fmt_clock = move |secs: f64| clock.label(SimTime::from_secs_f64(secs.max(0.0)));
        let fmt_mark = move |secs: f64, step: f64| axis_label(&fmt_clock(secs), step);
        let fmt_y = move |y: f64| {
            if log {
                log_axis::secs_label(10f64.powf(y))
            } else {
                format!("{y:.3}")
            }
        };
        let hover_lists: Vec<(String, &[&Decision])> = marker_lists
            .iter()
            .map(|(name, _, _, list)| (name.clone(), list.as_slice()))
            .collect();
        let hover_ref = &hover_lists;
        let slo_secs = designs.first().map(|d| d.slo_secs);
        let mut plot = Plot::new(("plot", title, generation))
            .height(setup.height)
            .link_axis(group, Vec2b::new(true, false))
            .link_cursor(group, Vec2b::new(true, false))
            .y_axis_label(unit)
            .y_axis_min_width(48.0)
            // Time is the axis that is explored; each plot keeps fitting its values.
            .allow_zoom(Vec2b::new(true, false))
            .allow_drag(Vec2b::new(true, false))
            .allow_scroll(false)
            .x_grid_spacer(egui_plot::uniform_grid_spacer(|input| {
                time_grid_steps(input.base_step_size)
            }))
            .x_axis_formatter(move |mark, _| fmt_mark(mark.value, mark.step_size))
            .label_formatter(move |pos| hover_text(pos, hover_ref, &fmt_clock, &fmt_y));
        plot = match (log, slo_secs) {
            // The SLO line inside the plot with room above it, not on its border.
            (false, slo) => plot.include_y(0.0).include_y(if is_latency {
                slo.unwrap_or(0.0) * 1.15
            } else {
                0.0
            }),
            (true, slo) => {
                let at = log_axis::to_log(slo.unwrap_or(1.0)).unwrap_or(0.0);
                plot.include_y(at + 0.1)
                    .include_y(at - 1.0)
                    .y_grid_spacer(log_axis::log_marks)
                    .y_axis_formatter(|mark, _| log_axis::secs_label(10f64.powf(mark.value)))
            }
        };
        let response = plot.show(ui, |plot| {
            // While the x axis follows the data, all of it; once the user has zoomed
            // or panned, what is in view, at the same density.
            let bounds = plot.plot_bounds();
            let range = if plot.auto_bounds().x {
                (f64::NEG_INFINITY, f64::INFINITY)
            } else {
                (bounds.min()[0], bounds.max()[0])
            };
            let width_points = f64::from(plot.response().rect.width().max(1.0));
            let secs_per_point = bounds.width() / width_points;
            if let [d] = designs {
                for (_, c) in causes.iter().filter(|(key, _)| !hidden.contains(key)) {
                    for (a, b) in marks::spans(d.rows, c.holds, range, secs_per_point) {
                        plot.span(Span::new("", a..=b).fill(cause_fill(c.colour, dark)));
                    }
                }
            }
            for (key, name, colour, style, rows, value) in &lines {
                if hidden.contains(key) {
                    continue;
                }
                let mut pts = points(rows, *value, range, max_points);
                if log {
                    pts = pts
                        .into_iter()
                        .filter_map(|[x, y]| log_axis::to_log(y).map(|y| [x, y]))
                        .collect();
                }
                plot.line(
                    Line::new(name.clone(), PlotPoints::from(pts))
                        .color(*colour)
                        .style(*style)
                        .width(1.5),
                );
            }
            if let Some(slo) = slo_secs.filter(|_| is_latency && !hidden.contains(&slo_key)) {
                let y = if log {
                    log_axis::to_log(slo).unwrap_or(0.0)
                } else {
                    slo
                };
                plot.hline(
                    HLine::new("SLO", y)
                        .color(super::theme::series::SLO)
                        .style(LineStyle::dashed_loose()),
                );
            }
            for (name, kind, colour, list) in &marker_lists {
                if hidden.contains(&format!("{title}/{name}")) {
                    continue;
                }
                let pts: Vec<[f64; 2]> = list
                    .iter()
                    .map(|x| [x.time_secs, kind.marker_y(x)])
                    .collect();
                let (shape, filled) = match kind {
                    DecisionKind::Applied => (MarkerShape::Diamond, true),
                    DecisionKind::Held => (MarkerShape::Circle, false),
                    DecisionKind::Replacement => (MarkerShape::Cross, true),
                };
                plot.points(
                    Points::new(name.clone(), PlotPoints::from(pts))
                        .shape(shape)
                        .filled(filled)
                        .radius(4.0)
                        .color(*colour),
                );
            }
            // Unnamed, so it has no hover label.
            if let Some(t) = setup.cursor {
                plot.vline(
                    VLine::new("", t)
                        .color(super::theme::series::CURSOR)
                        .width(1.5),
                );
            }
            scroll_zoom_time(plot);
        });
        if response.response.clicked()
            && let Some(pos) = response.response.interact_pointer_pos()
        {
            out.clicked_secs = Some(response.transform.value_from_position(pos).x);
        }
        if out.view_secs.is_none() {
            let b = response.transform.bounds();
            out.view_secs = Some((b.min()[0], b.max()[0]));
        }
    }
    out
}

/// Scrolling over a plot zooms its time axis around the pointer (vertical scroll) or
/// pans it (horizontal scroll); the values axis keeps fitting the data. The scroll is
/// used up here, so the list of plots does not scroll at the same time.
fn scroll_zoom_time(plot: &mut egui_plot::PlotUi<'_>) {
    if !plot.response().hovered() {
        return;
    }
    let delta = plot.ctx().input(|i| i.smooth_scroll_delta);
    if delta == egui::Vec2::ZERO {
        return;
    }
    let b = plot.plot_bounds();
    let (x0, x1) = (b.min()[0], b.max()[0]);
    let width_points = f64::from(plot.response().rect.width().max(1.0));
    let centre = plot.pointer_coordinate().map_or((x0 + x1) / 2.0, |p| p.x);
    let (a, z) = zoomed(
        (x0, x1),
        centre,
        f64::from(delta.y),
        f64::from(delta.x) / width_points,
    );
    plot.set_plot_bounds_x(a..=z);
    plot.ctx()
        .input_mut(|i| i.smooth_scroll_delta = egui::Vec2::ZERO);
}

/// The time span `(x0, x1)` zoomed around `centre` by `scroll_points` of vertical scroll
/// (up, positive, zooms in) and shifted by `pan_fraction` of its width (positive moves
/// the view back in time, as content follows the fingers).
fn zoomed((x0, x1): (f64, f64), centre: f64, scroll_points: f64, pan_fraction: f64) -> (f64, f64) {
    let factor = (-scroll_points * ZOOM_PER_POINT).exp();
    let shift = -pan_fraction * (x1 - x0);
    (
        centre - (centre - x0) * factor + shift,
        centre + (x1 - centre) * factor + shift,
    )
}

/// What hovering shows: a decision marker's time, change and reason; a series' name,
/// time and value (`fmt_y`); elsewhere the time. `decisions` are the marker series'
/// names with the lists their points index.
fn hover_text(
    pos: &egui_plot::HoverPosition<'_>,
    decisions: &[(String, &[&Decision])],
    fmt_clock: &dyn Fn(f64) -> String,
    fmt_y: &dyn Fn(f64) -> String,
) -> Option<String> {
    match pos {
        egui_plot::HoverPosition::NearDataPoint {
            plot_name, index, ..
        } if decisions.iter().any(|(name, _)| name == plot_name) => decisions
            .iter()
            .find(|(name, _)| name == plot_name)
            .and_then(|(_, list)| list.get(*index))
            .map(|d| decision_text(d)),
        egui_plot::HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => Some(format!(
            "{plot_name}\n{}\n{}",
            fmt_clock(position.x),
            fmt_y(position.y)
        )),
        egui_plot::HoverPosition::Elsewhere { position } => Some(fmt_clock(position.x)),
    }
}

/// A short axis label from a clock label ("Mon 09:00:00"): marks a minute or more apart
/// drop the seconds, and only midnight names the day, so hourly marks fit side by side.
pub fn axis_label(clock_label: &str, step_secs: f64) -> String {
    let Some((day, hms)) = clock_label.split_once(' ') else {
        return clock_label.to_string();
    };
    if step_secs < 60.0 {
        return hms.to_string();
    }
    let hm = hms.get(..5).unwrap_or(hms);
    if hm == "00:00" {
        format!("{day} 00:00")
    } else {
        hm.to_string()
    }
}

/// The legend name of a design's markers of one kind (the hover text looks it up by it).
fn decisions_name(design: &str, compare: bool, kind: DecisionKind) -> String {
    if compare {
        format!("{design}: {}", kind.label())
    } else {
        kind.label().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hovering_a_decision_marker_tells_its_reason() {
        let decision = |to: u32, reason: &str| Decision {
            time_secs: 600.0,
            clock: "Mon 08:10:00".into(),
            pool: "web".into(),
            policy: "target-tracking".into(),
            metric: Some("cpu"),
            unit: Some("fraction"),
            metric_value: Some(0.8),
            target: Some(0.6),
            from: 4,
            raw_desired: to,
            to,
            reason: reason.into(),
            resize: None,
        };
        let a = [decision(6, "cpu 80% > 60%"), decision(9, "cpu 90% > 60%")];
        let b = [decision(5, "cooldown until Mon 08:15:00")];
        let (a, b): (Vec<&Decision>, Vec<&Decision>) = (a.iter().collect(), b.iter().collect());
        let applied = DecisionKind::Applied;
        let lists: Vec<(String, &[&Decision])> = vec![
            (decisions_name("a", true, applied), &a[..]),
            (decisions_name("b", true, applied), &b[..]),
        ];
        let clock = |secs: f64| format!("t={secs}");
        let y = |v: f64| format!("{v:.3}");
        fn near(name: &str, index: usize) -> egui_plot::HoverPosition<'_> {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name: name,
                position: egui_plot::PlotPoint::new(600.0, 9.0),
                index,
            }
        }
        // The second marker of design a, the first of design b: each its own list.
        let text = hover_text(&near("a: scaling decisions", 1), &lists, &clock, &y).unwrap();
        assert_eq!(
            text,
            "Mon 08:10:00  web target-tracking: 4 -> 9\ncpu 90% > 60%"
        );
        let text = hover_text(&near("b: scaling decisions", 0), &lists, &clock, &y).unwrap();
        assert!(text.ends_with("cooldown until Mon 08:15:00"), "{text}");
        // A line: its name, the time and the value.
        let text = hover_text(&near("p99", 3), &lists, &clock, &y).unwrap();
        assert_eq!(text, "p99\nt=600\n9.000");
    }

    #[test]
    fn points_are_cut_to_the_visible_range() {
        // 100 intervals of 10 s: ends at 10, 20, ..., 1000. Visible 205..=405 s: the ends
        // 210..=400, plus one on each side (200 and 410) so the line reaches the edges.
        let rows: Vec<IntervalRow> = (0..100)
            .map(|i| IntervalRow {
                start_secs: f64::from(i) * 10.0,
                end_secs: f64::from(i + 1) * 10.0,
                offered_per_sec: f64::from(i),
                ..IntervalRow::default()
            })
            .collect();
        let p = points(&rows, |r| r.offered_per_sec, (205.0, 405.0), 1000);
        assert_eq!(p.first(), Some(&[200.0, 19.0]));
        assert_eq!(p.last(), Some(&[410.0, 40.0]));
        assert_eq!(p.len(), 22);
        // Everything, reduced to the budget.
        let all = points(
            &rows,
            |r| r.offered_per_sec,
            (f64::NEG_INFINITY, f64::INFINITY),
            10,
        );
        assert!(all.len() <= 10 && all.len() >= 8, "{}", all.len());
        // Nothing in view: nothing drawn.
        assert!(points(&rows, |r| r.offered_per_sec, (5000.0, 6000.0), 10).len() <= 1);
    }

    #[test]
    fn axis_labels_name_the_day_only_at_midnight() {
        assert_eq!(axis_label("Mon 09:00:00", 3600.0), "09:00");
        assert_eq!(axis_label("Tue 00:00:00", 3600.0), "Tue 00:00");
        assert_eq!(axis_label("Mon 09:00:30", 10.0), "09:00:30");
    }

    #[test]
    fn grid_steps_are_whole_times() {
        // 8 points are 40 s: lines every 1 min; the middle level at least 160 s: 5 min;
        // labels at least 88 points = 440 s apart: every 10 min.
        assert_eq!(time_grid_steps(40.0), [60.0, 300.0, 600.0]);
        // The whole Monday spike (18 h) on 1,600 points: 8 points are 324 s. Lines every
        // 10 min, 30 min (>= 1296 s), labels every 1 h (>= 3564 s, 97 points apart).
        assert_eq!(time_grid_steps(324.0), [600.0, 1800.0, 3600.0]);
        // 8 points are 2000 s (a week on ~2,400 points): 1 h, 3 h (>= 8000 s), and
        // labels every 12 h (>= 22,000 s; 6 h would be 86 points apart, too close).
        assert_eq!(time_grid_steps(2000.0), [3600.0, 10_800.0, 43_200.0]);
        // Every level is labelled far enough apart to fit, whatever the zoom.
        for base in [0.3, 7.0, 95.0, 600.0, 5000.0, 40_000.0] {
            let [_, _, label] = time_grid_steps(base);
            assert!(label / base * GRID_MIN_POINTS >= LABEL_POINTS, "{base}");
        }
        // Beyond the ladder: its top step.
        assert_eq!(time_grid_steps(1e9), [2_419_200.0; 3]);
    }

    #[test]
    fn downsampling_keeps_every_bucket_extreme() {
        // 10,000 points of a flat line with one spike at x = 7777: reduced to <= 200
        // points, the spike must survive, in x order.
        let pts: Vec<[f64; 2]> = (0..10_000)
            .map(|i| [f64::from(i), if i == 7777 { 50.0 } else { 1.0 }])
            .collect();
        let d = downsample(&pts, 200);
        assert!(d.len() <= 200, "{}", d.len());
        assert!(d.contains(&[7777.0, 50.0]));
        assert!(d.windows(2).all(|w| w[0][0] < w[1][0]));
        // Short series are untouched.
        assert_eq!(downsample(&pts[..100], 200), pts[..100].to_vec());
    }
}
