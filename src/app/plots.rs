//! The linked time-series plots: traffic against capacity, latency against the SLO,
//! instances with every scaling decision, cost, utilisation and queues, drops.

use egui::{Color32, Id, Ui, Vec2b};
use egui_plot::{
    Corner, HLine, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points, VLine,
};

use crate::metrics::{Decision, DropReason, IntervalRow};
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

/// A series: its label, how to read it from a row, its own colour (single design).
struct Series {
    label: &'static str,
    value: fn(&IntervalRow) -> f64,
    colour: Color32,
    /// When it is drawn: with one design, with several, or both. Comparing keeps each
    /// plot to its one or two telling series, in the designs' colours.
    when: When,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    Always,
    Single,
    Compare,
}

use super::theme::series::{BLUE, GREEN, GREY, ORANGE, PURPLE, RED};

fn per_sec(r: &IntervalRow, n: u64) -> f64 {
    n as f64 / (r.end_secs - r.start_secs).max(f64::MIN_POSITIVE)
}

fn drop_series(reason: DropReason) -> fn(&IntervalRow) -> f64 {
    match reason {
        DropReason::QueueFull => |r| per_sec(r, r.drops[0]),
        DropReason::NoCapacity => |r| per_sec(r, r.drops[1]),
        DropReason::Timeout => |r| per_sec(r, r.drops[2]),
        DropReason::Failure => |r| per_sec(r, r.drops[3]),
    }
}

/// Which plots, in order: title, y label, series.
fn panels() -> Vec<(&'static str, &'static str, Vec<Series>)> {
    // `s`: shown for a single design only; `c`: also when comparing; `o`: only then.
    let s = |label, value, colour| Series {
        label,
        value,
        colour,
        when: When::Single,
    };
    let c = |label, value, colour| Series {
        when: When::Always,
        ..s(label, value, colour)
    };
    let o = |label, value, colour| Series {
        when: When::Compare,
        ..s(label, value, colour)
    };
    vec![
        (
            "Traffic",
            "requests/s",
            vec![
                c("arrivals/s", IntervalRow::arrivals_per_sec, BLUE),
                c("capacity/s", IntervalRow::capacity_per_sec, GREEN),
                s("offered/s", |r| r.offered_per_sec, GREY),
            ],
        ),
        (
            "Latency",
            "seconds",
            vec![
                s("p50", |r| r.latency.p50, GREEN),
                s("p95", |r| r.latency.p95, ORANGE),
                c("p99", |r| r.latency.p99, RED),
            ],
        ),
        (
            "Instances",
            "instances",
            vec![
                c("in service", |r| f64::from(r.in_service()), BLUE),
                s(
                    "booting",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.booting)).sum(),
                    ORANGE,
                ),
                s(
                    "draining",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.draining)).sum(),
                    PURPLE,
                ),
                s(
                    "failed",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.failed)).sum(),
                    RED,
                ),
                s(
                    "desired",
                    |r| r.pools.iter().map(|p| f64::from(p.snapshot.desired)).sum(),
                    GREY,
                ),
            ],
        ),
        (
            "Cost",
            "$/hour",
            vec![c("$/h", IntervalRow::cost_usd_per_hour, GREEN)],
        ),
        (
            "Cumulative cost",
            "$",
            vec![c("$ total", |r| r.cost_cumulative_usd, GREEN)],
        ),
        (
            "Utilisation",
            "%",
            vec![c("busy workers %", |r| r.utilisation * 100.0, BLUE)],
        ),
        (
            "Queue",
            "requests",
            vec![
                c(
                    "queued, all instances (mean)",
                    |r| r.queue_total_mean,
                    ORANGE,
                ),
                s(
                    "queued per instance (mean)",
                    |r| r.queue_per_instance_mean,
                    PURPLE,
                ),
                s("in flight (mean)", |r| r.in_flight_mean, BLUE),
            ],
        ),
        (
            "Drops",
            "requests/s",
            vec![
                s("queue full", drop_series(DropReason::QueueFull), ORANGE),
                s("no capacity", drop_series(DropReason::NoCapacity), RED),
                s("timeout", drop_series(DropReason::Timeout), PURPLE),
                s("failure", drop_series(DropReason::Failure), GREY),
                o("all drops", |r| per_sec(r, r.dropped()), RED),
            ],
        ),
    ]
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

/// Draws the plots for `designs`, `height` points tall each, with linked x axes.
/// `shown[i]` says whether plot `i` of [`titles`] is drawn.
/// Draws the shown plots, one above the other, their time axes linked; `cursor` is the
/// timeline's moment (drawn as a vertical line). `generation` changes on every restart,
/// so a restarted run starts with a fresh view rather than a zoom into a span that has no
/// data yet. Returns the time the user clicked at, if they clicked a plot.
pub fn plots_ui(
    ui: &mut Ui,
    designs: &[PlotInput<'_>],
    clock: WeekClock,
    shown: &[bool],
    height: f32,
    cursor: Option<f64>,
    generation: u64,
) -> Option<f64> {
    let group = Id::unique(("scalesim-time", generation));
    let mut clicked = None;
    let compare = designs.len() > 1;
    let styles = [
        LineStyle::Solid,
        LineStyle::dashed_loose(),
        LineStyle::dotted_dense(),
        LineStyle::dashed_dense(),
        LineStyle::dotted_loose(),
    ];
    for (i, (title, unit, series)) in panels().into_iter().enumerate() {
        if !shown.get(i).copied().unwrap_or(true) {
            continue;
        }
        ui.label(egui::RichText::new(title).strong());
        let max_points = (ui.available_width() * POINTS_PER_PIXEL).max(100.0) as usize;
        let is_instances = title == "Instances";
        let is_latency = title == "Latency";
        // The hover text: the clock time and the value, or a decision's reason.
        let decisions: Vec<(String, &[Decision])> = if is_instances {
            designs
                .iter()
                .map(|d| (decisions_name(d.name, compare), d.decisions))
                .collect()
        } else {
            Vec::new()
        };
        let fmt_clock = move |secs: f64| clock.label(SimTime::from_secs_f64(secs.max(0.0)));
        let fmt_mark = move |secs: f64, step: f64| axis_label(&fmt_clock(secs), step);
        let decisions_ref = &decisions;
        let response = Plot::new(("plot", title, generation))
            .height(height)
            .link_axis(group, Vec2b::new(true, false))
            .link_cursor(group, Vec2b::new(true, false))
            .legend(Legend::default().position(Corner::LeftTop))
            .y_axis_label(unit)
            .y_axis_min_width(48.0)
            .include_y(0.0)
            // The SLO line inside the plot with room above it, not on its border.
            .include_y(if is_latency {
                designs.first().map_or(0.0, |d| d.slo_secs * 1.15)
            } else {
                0.0
            })
            .allow_scroll(false)
            .x_grid_spacer(egui_plot::uniform_grid_spacer(|input| {
                time_grid_steps(input.base_step_size)
            }))
            .x_axis_formatter(move |mark, _| fmt_mark(mark.value, mark.step_size))
            .label_formatter(move |pos| hover_text(pos, decisions_ref, &fmt_clock))
            .show(ui, |plot| {
                // While the x axis follows the data, all of it; once the user has zoomed
                // or panned, what is in view, at the same density.
                let range = if plot.auto_bounds().x {
                    (f64::NEG_INFINITY, f64::INFINITY)
                } else {
                    let b = plot.plot_bounds();
                    (b.min()[0], b.max()[0])
                };
                let wanted = |w: When| match w {
                    When::Always => true,
                    When::Single => !compare,
                    When::Compare => compare,
                };
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
                        plot.line(
                            Line::new(
                                name,
                                PlotPoints::from(points(d.rows, s.value, range, max_points)),
                            )
                            .color(colour)
                            .style(style)
                            .width(1.5),
                        );
                    }
                }
                if is_latency && let Some(d) = designs.first() {
                    plot.hline(
                        HLine::new("SLO", d.slo_secs)
                            .color(super::theme::series::SLO)
                            .style(LineStyle::dashed_loose()),
                    );
                }
                if is_instances {
                    // One marker per decision at the capacity it set, in the design's
                    // colour when comparing: hover tells why.
                    for d in designs {
                        let pts: Vec<[f64; 2]> = d
                            .decisions
                            .iter()
                            .map(|x| [x.time_secs, f64::from(x.to)])
                            .collect();
                        if pts.is_empty() {
                            continue;
                        }
                        let colour = if compare {
                            d.colour
                        } else {
                            super::theme::series::DECISION
                        };
                        plot.points(
                            Points::new(decisions_name(d.name, compare), PlotPoints::from(pts))
                                .shape(MarkerShape::Diamond)
                                .radius(4.0)
                                .color(colour),
                        );
                    }
                }
                // Unnamed, so it stays out of the legend.
                if let Some(t) = cursor {
                    plot.vline(
                        VLine::new("", t)
                            .color(super::theme::series::CURSOR)
                            .width(1.5),
                    );
                }
            });
        if response.response.clicked()
            && let Some(pos) = response.response.interact_pointer_pos()
        {
            clicked = Some(response.transform.value_from_position(pos).x);
        }
    }
    clicked
}

/// What hovering shows: a decision marker's time, change and reason; a series' name,
/// time and value; elsewhere the time. `decisions` are the marker series' names with the
/// lists their points index.
fn hover_text(
    pos: &egui_plot::HoverPosition<'_>,
    decisions: &[(String, &[Decision])],
    fmt_clock: &dyn Fn(f64) -> String,
) -> Option<String> {
    match pos {
        egui_plot::HoverPosition::NearDataPoint {
            plot_name, index, ..
        } if plot_name.ends_with("scaling decisions") => decisions
            .iter()
            .find(|(name, _)| name == plot_name)
            .and_then(|(_, list)| list.get(*index))
            .map(decision_text),
        egui_plot::HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => Some(format!(
            "{plot_name}\n{}\n{:.3}",
            fmt_clock(position.x),
            position.y
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

/// The legend name of a design's decision markers (the hover text looks it up by it).
fn decisions_name(design: &str, compare: bool) -> String {
    if compare {
        format!("{design}: scaling decisions")
    } else {
        "scaling decisions".to_string()
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
        let lists: Vec<(String, &[Decision])> = vec![
            (decisions_name("a", true), &a[..]),
            (decisions_name("b", true), &b[..]),
        ];
        let clock = |secs: f64| format!("t={secs}");
        fn near(name: &str, index: usize) -> egui_plot::HoverPosition<'_> {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name: name,
                position: egui_plot::PlotPoint::new(600.0, 9.0),
                index,
            }
        }
        // The second marker of design a, the first of design b: each its own list.
        let text = hover_text(&near("a: scaling decisions", 1), &lists, &clock).unwrap();
        assert_eq!(
            text,
            "Mon 08:10:00  web target-tracking: 4 -> 9\ncpu 90% > 60%"
        );
        let text = hover_text(&near("b: scaling decisions", 0), &lists, &clock).unwrap();
        assert!(text.ends_with("cooldown until Mon 08:15:00"), "{text}");
        // A line: its name, the time and the value.
        let text = hover_text(&near("p99", 3), &lists, &clock).unwrap();
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
