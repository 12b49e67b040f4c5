//! Each plot's legend, drawn in a row above the plot rather than over its data: a
//! swatch and a name per series, a click hides or shows the series.

use std::collections::BTreeSet;

use egui::{Color32, Pos2, Sense, Shape, Stroke, Ui, Vec2, vec2};
use egui_plot::LineStyle;

/// How an entry's swatch looks: as its series is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A line in its colour and style.
    Line(Color32, LineStyle),
    /// A shaded span of time.
    Area(Color32),
    /// A marker: a filled diamond, a hollow circle or a cross.
    Marker(Color32, Marker),
}

/// The marker shapes the plots use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// Filled diamond: an applied decision.
    Diamond,
    /// Hollow circle: a decision held back.
    Ring,
    /// Cross: a replacement.
    Cross,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// What identifies the series among all plots' hidden series.
    pub key: String,
    /// The name shown.
    pub text: String,
    /// Its swatch.
    pub swatch: Swatch,
}

/// Draws `entries` side by side, wrapping; a click on one toggles its key in `hidden`.
pub fn legend_ui(ui: &mut Ui, entries: &[Entry], hidden: &mut BTreeSet<String>) {
    for e in entries {
        let is_hidden = hidden.contains(&e.key);
        let (rect, _) = ui.allocate_exact_size(vec2(18.0, 12.0), Sense::hover());
        let faded = |c: Color32| if is_hidden { c.gamma_multiply(0.3) } else { c };
        paint_swatch(ui, rect.center(), e.swatch, faded);
        let mut text = egui::RichText::new(&e.text).small();
        if is_hidden {
            text = text.weak().strikethrough();
        }
        let response = ui
            .add(egui::Button::new(text).frame(false))
            .on_hover_text(if is_hidden {
                "hidden: click to show"
            } else {
                "click to hide"
            });
        if response.clicked() && !hidden.remove(&e.key) {
            hidden.insert(e.key.clone());
        }
    }
}

fn paint_swatch(ui: &Ui, c: Pos2, swatch: Swatch, faded: impl Fn(Color32) -> Color32) {
    let painter = ui.painter();
    let (a, b) = (c - vec2(8.0, 0.0), c + vec2(8.0, 0.0));
    match swatch {
        Swatch::Line(colour, style) => {
            let stroke = Stroke::new(2.0, faded(colour));
            match style {
                LineStyle::Solid => {
                    painter.line_segment([a, b], stroke);
                }
                LineStyle::Dashed { length } => {
                    painter.extend(Shape::dashed_line(&[a, b], stroke, length, length));
                }
                LineStyle::Dotted { spacing } => {
                    painter.extend(Shape::dotted_line(&[a, b], stroke.color, spacing, 1.0));
                }
            }
        }
        Swatch::Area(colour) => {
            let rect = egui::Rect::from_center_size(c, vec2(16.0, 10.0));
            painter.rect_filled(rect, 1.0, faded(colour));
        }
        Swatch::Marker(colour, marker) => {
            let colour = faded(colour);
            match marker {
                Marker::Diamond => {
                    let r = 4.5;
                    let points = vec![
                        c + Vec2::new(0.0, -r),
                        c + Vec2::new(r, 0.0),
                        c + Vec2::new(0.0, r),
                        c + Vec2::new(-r, 0.0),
                    ];
                    painter.add(Shape::convex_polygon(points, colour, Stroke::NONE));
                }
                Marker::Ring => {
                    painter.circle_stroke(c, 4.0, Stroke::new(1.5, colour));
                }
                Marker::Cross => {
                    let r = 4.0;
                    let stroke = Stroke::new(1.5, colour);
                    painter.line_segment([c + vec2(-r, -r), c + vec2(r, r)], stroke);
                    painter.line_segment([c + vec2(-r, r), c + vec2(r, -r)], stroke);
                }
            }
        }
    }
}
