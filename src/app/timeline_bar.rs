//! The timeline bar under the toolbar: the whole run from start to end, the part simulated
//! so far, when the SLO broke, every scaling decision, and the cursor every view shows.
//! Click or drag it to look at a moment; the run goes on ahead, and "Follow" (or dragging
//! to the present) snaps back.

use egui::{Align2, RichText, Sense, Stroke, TextStyle, Ui, pos2, vec2};

use super::plots::{axis_label, time_grid_steps};
use super::theme;
use super::{AppCommand, ScalesimApp};
use crate::model::clock::At;
use crate::sim::SimTime;

/// Height of the bar itself, points.
const BAR_HEIGHT: f32 = 22.0;
/// Within this share of the run of the present, a click or drag follows the run.
const SNAP_FRACTION: f64 = 0.004;

impl ScalesimApp {
    /// The clock shown, follow / run-to controls, the achieved speed, and the bar.
    pub(super) fn timeline_ui(&mut self, ui: &mut Ui) {
        let end = self.end_secs();
        let now = self.now_secs();
        let shown = self.shown_secs();
        let clock = self.clock();
        let label = |secs: f64| clock.label(SimTime::from_secs_f64(secs.max(0.0)));
        let mut asked = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(label(shown)).monospace().strong())
                .on_hover_text("The moment every view shows");
            if self.timeline.is_following() {
                ui.label(RichText::new("following the run").color(theme::series::CURSOR));
            } else {
                if ui
                    .button("Follow")
                    .on_hover_text("Back to the run's present: it went on while you looked back")
                    .clicked()
                {
                    asked.push(AppCommand::Follow);
                }
                ui.label(RichText::new(format!("run at {}", label(now))).weak());
            }
            ui.separator();
            let run_label = ui.label("Run to");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.run_to_text)
                        .desired_width(96.0)
                        .hint_text("mon 09:00"),
                )
                .labelled_by(run_label.id)
                .on_hover_text(
                    "Run at max to a time and pause there: \"mon 09:00\", \"09:30\" or \"+2h\"",
                );
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Go").clicked() || entered {
                match At::parse(self.run_to_text.trim()) {
                    Ok(at) => asked.push(AppCommand::RunTo(clock.resolve(&at))),
                    Err(e) => self.status = Some((format!("run to: {e}"), true)),
                }
            }
            if self.show_wall_clock {
                ui.separator();
                let events: f64 = self
                    .designs
                    .iter()
                    .filter_map(|d| d.run.as_ref().map(|r| r.engine().events_per_sec))
                    .sum();
                let fps = if self.frame_secs > 0.0 {
                    1.0 / self.frame_secs
                } else {
                    0.0
                };
                ui.label(
                    RichText::new(format!(
                        "{} sim s per s · engine {:.2} M events/s · {fps:.0} fps",
                        super::summary::thousands(self.achieved_speed.round()),
                        events / 1e6,
                    ))
                    .weak(),
                )
                .on_hover_text("The speed achieved, not the one asked for");
            }
        });
        if let Some(t) = self.timeline_bar_ui(ui, end, now, shown) {
            asked.push(t);
        }
        for c in asked {
            self.push_command(c);
        }
    }

    /// The bar; returns what a click or drag on it asks for.
    fn timeline_bar_ui(&self, ui: &mut Ui, end: f64, now: f64, shown: f64) -> Option<AppCommand> {
        let small = TextStyle::Small.resolve(ui.style());
        let label_h = ui.text_style_height(&TextStyle::Small) + 2.0;
        let width = ui.available_width().max(120.0);
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, BAR_HEIGHT + label_h), Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "Timeline"));
        let bar = egui::Rect::from_min_size(rect.min, vec2(width, BAR_HEIGHT));
        let painter = ui.painter_at(rect);
        let visuals = ui.visuals();
        let end = end.max(1e-9);
        let x_of = |t: f64| bar.left() + ((t / end).clamp(0.0, 1.0) as f32) * bar.width();
        painter.rect_filled(bar, 3.0, visuals.extreme_bg_color);
        let done = egui::Rect::from_min_max(bar.min, pos2(x_of(now), bar.max.y));
        painter.rect_filled(done, 3.0, visuals.widgets.inactive.bg_fill);

        // When the SLO broke (upper half), every decision (lower half).
        let compare = self.designs.len() > 1;
        for (i, s) in self.summaries() {
            let colour = if compare {
                self.designs[i].colour
            } else {
                theme::series::RED
            };
            for p in &s.slo.violation_periods {
                let r = egui::Rect::from_min_max(
                    pos2(x_of(p.start_secs), bar.top() + 2.0),
                    pos2(
                        x_of(p.end_secs).max(x_of(p.start_secs) + 1.0),
                        bar.center().y,
                    ),
                );
                painter.rect_filled(r, 0.0, colour.gamma_multiply(0.6));
            }
        }
        for d in &self.designs {
            let Some(run) = &d.run else { continue };
            let colour = if compare {
                d.colour
            } else {
                theme::series::DECISION
            };
            for dec in run.world().recorder().decisions() {
                let x = x_of(dec.time_secs);
                painter.line_segment(
                    [pos2(x, bar.center().y + 1.0), pos2(x, bar.bottom() - 2.0)],
                    Stroke::new(1.0, colour),
                );
            }
        }

        // Time labels under the bar, as far apart as they need.
        let secs_per_point = end / f64::from(bar.width());
        let [_, _, step] = time_grid_steps(secs_per_point * 8.0);
        let clock = self.clock();
        let first = (0.0f64 / step).ceil() as i64;
        let last = (end / step).floor() as i64;
        for k in first..=last.min(first + 200) {
            let t = k as f64 * step;
            let x = x_of(t);
            painter.line_segment(
                [pos2(x, bar.bottom() - 4.0), pos2(x, bar.bottom())],
                Stroke::new(1.0, visuals.weak_text_color()),
            );
            let text = axis_label(&clock.label(SimTime::from_secs_f64(t)), step);
            // The first and last labels stay inside the bar.
            let align = if x - bar.left() < 40.0 {
                Align2::LEFT_TOP
            } else if bar.right() - x < 40.0 {
                Align2::RIGHT_TOP
            } else {
                Align2::CENTER_TOP
            };
            painter.text(
                pos2(x, bar.bottom() + 1.0),
                align,
                text,
                small.clone(),
                visuals.weak_text_color(),
            );
        }

        // The cursor.
        let x = x_of(shown);
        painter.line_segment(
            [pos2(x, bar.top()), pos2(x, bar.bottom())],
            Stroke::new(2.5, theme::series::CURSOR),
        );
        painter.circle_filled(pos2(x, bar.top() + 3.0), 4.0, theme::series::CURSOR);
        painter.rect_stroke(
            bar,
            3.0,
            Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color),
            egui::StrokeKind::Inside,
        );

        let pos = response.interact_pointer_pos();
        let hover = response.hover_pos();
        if let Some(h) = hover.filter(|_| pos.is_none()) {
            let t = (f64::from((h.x - bar.left()) / bar.width()) * end).clamp(0.0, end);
            response.on_hover_text_at_pointer(format!(
                "{}: click or drag to look at this moment",
                clock.label(SimTime::from_secs_f64(t))
            ));
        }
        let pos = pos?;
        let t = (f64::from((pos.x - bar.left()) / bar.width()) * end).clamp(0.0, now);
        if t >= now - SNAP_FRACTION * end {
            Some(AppCommand::Follow)
        } else {
            Some(AppCommand::LookAt(t))
        }
    }
}
