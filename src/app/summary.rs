//! The run's figures as text: the headline strip, the compare table and the decision log.

use egui::{RichText, Ui};

use super::design::Design;
use crate::metrics::RunSummary;

/// The headline numbers of a run: label and formatted value.
pub fn headline(s: &RunSummary) -> Vec<(&'static str, String)> {
    vec![
        ("requests", format!("{}", s.requests.arrived)),
        (
            "p99 of completed",
            format!("{:.0} ms", s.latency_secs.p99 * 1000.0),
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
                s.requests.dropped,
                100.0 * s.requests.dropped as f64 / (s.requests.arrived.max(1)) as f64
            ),
        ),
        ("cost", format!("${:.2}", s.cost_usd)),
        ("max instances", format!("{}", s.instances.max)),
        (
            "scaling actions",
            format!("{}", s.instances.scaling_actions),
        ),
    ]
}

/// A column of the compare table: its title and how to read it from a summary.
type Figure = (&'static str, fn(&RunSummary) -> f64);

/// The compare table: one row per design, and each figure's difference from the first.
pub(super) fn compare_table_ui(ui: &mut Ui, designs: &[Design], sums: &[(usize, RunSummary)]) {
    let base = &sums[0].1;
    let figures: [Figure; 5] = [
        ("p99 of completed, ms", |s| s.latency_secs.p99 * 1000.0),
        ("SLO violation min", |s| s.slo.violation_secs / 60.0),
        ("dropped", |s| s.requests.dropped as f64),
        ("cost $", |s| s.cost_usd),
        ("max instances", |s| s.instances.max as f64),
    ];
    egui::Grid::new("compare")
        .striped(true)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
            ui.label(RichText::new("design").strong());
            for (name, _) in &figures {
                ui.label(RichText::new(*name).strong());
            }
            ui.end_row();
            for (k, (i, s)) in sums.iter().enumerate() {
                let d = &designs[*i];
                ui.label(RichText::new(d.name()).color(d.colour).strong());
                for (_, f) in &figures {
                    let v = f(s);
                    let text = fmt_figure(v);
                    if k == 0 {
                        ui.label(text);
                    } else {
                        let delta = v - f(base);
                        let sign = if delta >= 0.0 { "+" } else { "" };
                        ui.label(format!("{text} ({sign}{})", fmt_figure(delta)));
                    }
                }
                ui.end_row();
            }
        });
}

fn fmt_figure(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

pub(super) fn decisions_table_ui(ui: &mut Ui, designs: &[Design], sums: &[(usize, RunSummary)]) {
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
            egui::Grid::new("decisions").striped(true).show(ui, |ui| {
                for h in [
                    "design", "clock", "pool", "policy", "metric", "from", "to", "reason",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for d in designs {
                    let Some(run) = &d.run else { continue };
                    for dec in run.world().recorder().decisions() {
                        ui.label(RichText::new(d.name()).color(d.colour));
                        ui.label(&dec.clock);
                        ui.label(&dec.pool);
                        ui.label(&dec.policy);
                        ui.label(metric_text(dec));
                        ui.label(dec.from.to_string());
                        ui.label(dec.to.to_string());
                        ui.label(&dec.reason);
                        ui.end_row();
                    }
                }
            });
        });
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
