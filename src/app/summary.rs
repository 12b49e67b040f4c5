//! The run's figures as text: the headline strip, the compare table and the decision log.

use egui::{RichText, Ui};

use super::design::Design;
use crate::metrics::{IntervalRow, RunSummary};

/// `n` with thousands separators: 1234567 -> "1,234,567" (rounded to a whole number).
pub fn thousands(n: f64) -> String {
    if !n.is_finite() {
        return "-".into();
    }
    let digits = format!("{:.0}", n.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 && digits != "0" {
        out.insert(0, '-');
    }
    out
}

/// The last closed interval that ends at or before `secs` (the one a view of that moment
/// reads its rates and p99 from).
pub(super) fn row_at(rows: &[IntervalRow], secs: f64) -> Option<&IntervalRow> {
    let n = rows.partition_point(|row| row.end_secs <= secs + 1e-9);
    n.checked_sub(1).map(|k| &rows[k])
}

/// Serving headroom in the interval `row`: the share of the capacity in service that
/// the arrivals left unused (negative when they exceeded it); `None` with no capacity.
pub fn headroom(row: &IntervalRow) -> Option<f64> {
    let capacity: f64 = row.pools.iter().map(|p| p.snapshot.capacity_per_sec).sum();
    (capacity > 0.0).then(|| 1.0 - row.arrivals_per_sec() / capacity)
}

/// The headline numbers of a run up to a moment: label and formatted value. `row` is
/// the interval that ends at that moment (for the headroom).
pub fn headline(s: &RunSummary, row: Option<&IntervalRow>) -> Vec<(&'static str, String)> {
    vec![
        ("requests", thousands(s.requests.arrived as f64)),
        (
            "p99 of completed",
            format!("{} ms", thousands(s.latency_secs.p99 * 1000.0)),
        ),
        (
            "within SLO, drops = misses",
            format!("{:.2}%", 100.0 * s.slo.within_target_fraction),
        ),
        (
            "SLO violation",
            match s.slo.violation_periods.len() {
                1 => format!("{:.0} min in 1 period", s.slo.violation_secs / 60.0),
                n => format!("{:.0} min in {n} periods", s.slo.violation_secs / 60.0),
            },
        ),
        (
            "dropped",
            format!(
                "{} ({:.2}%)",
                thousands(s.requests.dropped as f64),
                100.0 * s.requests.dropped as f64 / (s.requests.arrived.max(1)) as f64
            ),
        ),
        ("cost", format!("${:.2}", s.cost_usd)),
        (
            "cost per million requests",
            if s.requests.arrived > 0 {
                format!("${:.3}", s.cost_per_million_requests_usd)
            } else {
                "-".into()
            },
        ),
        (
            "headroom now",
            match row.and_then(headroom) {
                Some(h) => format!("{:.0}%", h * 100.0),
                None => "-".into(),
            },
        ),
        ("max instances", thousands(s.instances.max as f64)),
        (
            "scaling actions",
            thousands(s.instances.scaling_actions as f64),
        ),
    ]
}

/// A column of the compare table: its title and how to read it from a summary.
type Figure = (&'static str, fn(&RunSummary) -> f64);

/// The compare table: one row per design, and each figure's difference from the first,
/// green where it is lower (every figure here is better lower), red where higher. The
/// cells are ruled apart so a figure and its difference read as one cell.
pub(super) fn compare_table_ui(ui: &mut Ui, designs: &[Design], sums: &[(usize, RunSummary)]) {
    let base = &sums[0].1;
    let figures: [Figure; 5] = [
        ("p99 of completed, ms", |s| s.latency_secs.p99 * 1000.0),
        ("SLO violation min", |s| s.slo.violation_secs / 60.0),
        ("dropped", |s| s.requests.dropped as f64),
        ("cost $", |s| s.cost_usd),
        ("max instances", |s| s.instances.max as f64),
    ];
    let (better, worse) = (super::theme::BETTER, super::theme::ERROR);
    // Each cell's rectangle, by row and column, to rule the cells apart afterwards.
    let mut cells: Vec<Vec<egui::Rect>> = Vec::new();
    let grid = egui::Grid::new("compare")
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            let mut row = vec![ui.label(RichText::new("design").strong()).rect];
            for (name, _) in &figures {
                row.push(ui.label(RichText::new(*name).strong()).rect);
            }
            cells.push(row);
            ui.end_row();
            for (k, (i, s)) in sums.iter().enumerate() {
                let d = &designs[*i];
                let mut row = vec![
                    ui.label(RichText::new(d.name()).color(d.colour).strong())
                        .rect,
                ];
                for (_, f) in &figures {
                    let v = f(s);
                    let text = fmt_figure(v);
                    let rect = if k == 0 {
                        ui.label(text).rect
                    } else {
                        let delta = v - f(base);
                        let sign = if delta >= 0.0 { "+" } else { "" };
                        let colour = if delta < 0.0 {
                            Some(better)
                        } else if delta > 0.0 {
                            Some(worse)
                        } else {
                            None
                        };
                        ui.horizontal(|ui| {
                            ui.label(text);
                            let change = RichText::new(format!("({sign}{})", fmt_figure(delta)));
                            ui.label(match colour {
                                Some(c) => change.color(c),
                                None => change.weak(),
                            });
                        })
                        .response
                        .rect
                    };
                    row.push(rect);
                }
                cells.push(row);
                ui.end_row();
            }
        });
    rule_cells(ui, grid.response.rect, &cells);
}

/// Rules between the columns and the rows of a grid whose cells took `cells` (by row):
/// a line halfway between each column's right edge and the next column's left edge, and
/// between each row's bottom and the next row's top.
fn rule_cells(ui: &Ui, outer: egui::Rect, cells: &[Vec<egui::Rect>]) {
    let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let edge = |k: usize, f: fn(&egui::Rect) -> f32, pick: fn(f32, f32) -> f32, init: f32| {
        cells
            .iter()
            .filter_map(|r| r.get(k))
            .map(f)
            .fold(init, pick)
    };
    let painter = ui.painter();
    for k in 1..columns {
        let right = edge(k - 1, |r| r.right(), f32::max, f32::MIN);
        let left = edge(k, |r| r.left(), f32::min, f32::MAX);
        painter.vline((right + left) / 2.0, outer.y_range(), stroke);
    }
    for pair in cells.windows(2) {
        let bottom = pair[0].iter().map(|r| r.bottom()).fold(f32::MIN, f32::max);
        let top = pair[1].iter().map(|r| r.top()).fold(f32::MAX, f32::min);
        painter.hline(outer.x_range(), (bottom + top) / 2.0, stroke);
    }
}

fn fmt_figure(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        thousands(v)
    } else {
        format!("{v:.2}")
    }
}

/// The decision log, every design's decisions in time order; those after the moment
/// `shown` are greyed (they have not happened yet there), and the last one at or before
/// it is marked. Returns the time of a decision the user clicked (to look at it).
pub(super) fn decisions_table_ui(
    ui: &mut Ui,
    designs: &[Design],
    sums: &[(usize, RunSummary)],
    shown: f64,
) -> Option<f64> {
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new("When the SLO broke").strong());
            for (i, s) in sums {
                let d = &designs[*i];
                let periods = &s.slo.violation_periods;
                if periods.is_empty() {
                    ui.label(RichText::new(format!("{}: never so far", d.name())).color(d.colour));
                }
                for p in periods {
                    ui.label(
                        RichText::new(format!("{}: {}", d.name(), p.describe())).color(d.colour),
                    );
                }
            }
            ui.add_space(8.0);
            let mut all: Vec<(&Design, &crate::metrics::Decision)> = designs
                .iter()
                .filter_map(|d| Some((d, d.run.as_ref()?)))
                .flat_map(|(d, run)| {
                    run.world()
                        .recorder()
                        .decisions()
                        .iter()
                        .map(move |x| (d, x))
                })
                .collect();
            all.sort_by(|a, b| a.1.time_secs.total_cmp(&b.1.time_secs));
            let current = all.iter().rposition(|(_, x)| x.time_secs <= shown + 1e-9);
            egui::Grid::new("decisions").striped(true).show(ui, |ui| {
                for h in [
                    "clock", "design", "pool", "policy", "metric", "from", "to", "reason",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (k, (d, dec)) in all.iter().enumerate() {
                    let future = dec.time_secs > shown + 1e-9;
                    let text = |t: String| {
                        let r = RichText::new(t);
                        if future { r.weak() } else { r }
                    };
                    let mut clock = RichText::new(&dec.clock).monospace();
                    if Some(k) == current {
                        clock = clock.strong().color(super::theme::series::CURSOR);
                    }
                    if ui
                        .link(clock)
                        .on_hover_text("Look at this moment in every view")
                        .clicked()
                    {
                        clicked = Some(dec.time_secs);
                    }
                    ui.label(text(d.name().to_owned()).color(d.colour));
                    ui.label(text(dec.pool.clone()));
                    ui.label(text(dec.policy.clone()));
                    ui.label(text(metric_text(dec)));
                    ui.label(text(dec.from.to_string()));
                    ui.label(text(dec.to.to_string()));
                    ui.label(text(dec.reason.clone()));
                    ui.end_row();
                }
            });
        });
    clicked
}

/// "cpu 0.81 (target 0.6) fraction" for the decisions table; empty without a metric.
fn metric_text(d: &crate::metrics::Decision) -> String {
    let Some(metric) = d.metric else {
        return String::new();
    };
    let mut t = metric.to_string();
    if let Some(v) = d.metric_value {
        t += &format!(" {}", fmt_figure(v));
    }
    if let Some(v) = d.target {
        t += &format!(" (target {})", fmt_figure(v));
    }
    if let Some(u) = d.unit {
        t += &format!(" {u}");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1_625_733.0), "1,625,733");
        assert_eq!(thousands(-12_345.4), "-12,345");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(thousands(f64::NAN), "-");
    }
}
