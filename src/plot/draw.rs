//! Drawing a [`Figure`] with plotters: the eight panels in a 2 x 4 grid under a title,
//! hours on every x axis; one scenario in the panels' own colours, several in theirs.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::{Figure, PALETTE, PANELS, Panel, PlotError};

/// Width and height of a chart, pixels.
const SIZE: (u32, u32) = (1600, 1900);

/// The font every label is laid out with, bundled so no system font is needed (the
/// Ubuntu font, as the app uses; licence in assets/fonts/UFL.txt).
const FONT: &[u8] = include_bytes!("../../assets/fonts/Ubuntu-Light.ttf");

/// The family name the font is registered under.
const FAMILY: &str = "sans-serif";

fn register() -> Result<(), PlotError> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ONCE.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok()) {
        Ok(())
    } else {
        Err(PlotError::Draw("the bundled font cannot be read".into()))
    }
}

fn err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// `figure` as an SVG document.
pub fn render_svg(figure: &Figure) -> Result<String, PlotError> {
    register()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, figure)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// `figure` as a PNG image.
pub fn render_png(figure: &Figure) -> Result<Vec<u8>, PlotError> {
    register()?;
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, figure)?;
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    let mut enc = png::Encoder::new(&mut png, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(&rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(png)
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// The time axis: hours after the start, ticked where [`time_ticks`] says (plotters'
/// own f64 axis ticks at multiples of 1, 2 or 5, which fall on odd clock times).
struct TimeAxis {
    hours: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl plotters::coord::ranged1d::Ranged for TimeAxis {
    // Labels come from the chart's formatter (the clock), not from the value.
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (lo, hi): (i32, i32)) -> i32 {
        let span = (self.hours.end - self.hours.start).max(f64::MIN_POSITIVE);
        let at = (value - self.hours.start) / span;
        (f64::from(lo) + at * f64::from(hi - lo)).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold lines and labels at the ticks; no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.hours.clone()
    }
}

/// The time axis' ticks, in hours after the start: at most 8, a round number of hours
/// apart (a quarter hour to a week), on round clock times when there is a clock (every
/// 3 h from Sun 18:00 falls on 18:00, 21:00, 00:00, ...).
fn time_ticks(hours_max: f64, clock: Option<crate::model::clock::WeekClock>) -> Vec<f64> {
    const STEPS_H: [f64; 11] = [0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 84.0, 168.0];
    let step = STEPS_H
        .iter()
        .copied()
        .find(|s| hours_max / s <= 8.0)
        .unwrap_or(168.0);
    // Where the start falls, in hours of the week (0 without a clock).
    let start_h = clock.map_or(0.0, |c| c.week_secs(0.0) / 3600.0);
    let first = (start_h / step).ceil() * step - start_h;
    (0..)
        .map(|k| first + k as f64 * step)
        .take_while(|h| *h <= hours_max + 1e-9)
        .collect()
}

/// The runs of indices where `ok` holds: a line breaks where a value is missing.
fn runs(n: usize, ok: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=n {
        match (start, i < n && ok(i)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The pieces of the line of `ys` over `xs` between missing values.
fn segments(xs: &[f64], ys: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let n = xs.len().min(ys.len());
    runs(n, |i| xs[i].is_finite() && ys[i].is_finite())
        .into_iter()
        .map(|r| r.map(|i| (xs[i], ys[i])).collect())
        .collect()
}

/// Scenarios' legend entries per row of the header.
const LEGEND_PER_ROW: usize = 4;

/// The colour of scenario `k` of `n` drawn together: the app's design colours for a few;
/// for more (a sweep), a gradient from blue to red in the order of the points, so the
/// swept value reads from the colour.
fn trace_colour(k: usize, n: usize) -> RGBColor {
    if n <= PALETTE.len() {
        return rgb(PALETTE[k]);
    }
    let t = k as f64 / (n - 1) as f64;
    let (r, g, b) = HSLColor(0.66 * (1.0 - t), 0.75, 0.45).rgb();
    RGBColor(r, g, b)
}

/// The scenarios' names without the words they all start with: "monday-spike
/// pools.web.size.max=10" and "monday-spike pools.web.size.max=20" become
/// "pools.web.size.max=10" and "pools.web.size.max=20".
fn short_names(names: &[&str]) -> Vec<String> {
    let words: Vec<Vec<&str>> = names.iter().map(|n| n.split(' ').collect()).collect();
    let first = words.first().cloned().unwrap_or_default();
    let common = (0..first.len())
        .take_while(|&w| words.iter().all(|n| n.len() > w + 1 && n[w] == first[w]))
        .count();
    words.iter().map(|n| n[common..].join(" ")).collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(err)?;
    let n = figure.traces.len();
    let legend_rows = if n > 1 { n.div_ceil(LEGEND_PER_ROW) } else { 0 };
    let (head, body) = root.split_vertically(84 + 24 * legend_rows as u32);
    head.draw_text(
        &figure.title,
        &(FAMILY, 30).into_font().color(&BLACK),
        (24, 14),
    )
    .map_err(err)?;
    head.draw_text(
        &figure.subtitle,
        &(FAMILY, 17).into_font().color(&RGBColor(90, 90, 90)),
        (24, 52),
    )
    .map_err(err)?;
    // Several scenarios: one legend for all, here, rather than one in every panel.
    let names: Vec<&str> = figure.traces.iter().map(|t| t.name.as_str()).collect();
    let column_px = (SIZE.0 as i32 - 48) / LEGEND_PER_ROW as i32;
    for (k, name) in short_names(&names).iter().enumerate().filter(|_| n > 1) {
        let (x, y) = (
            24 + column_px * (k % LEGEND_PER_ROW) as i32,
            84 + 24 * (k / LEGEND_PER_ROW) as i32,
        );
        let c = trace_colour(k, n);
        head.draw(&Rectangle::new([(x, y + 4), (x + 22, y + 10)], c.filled()))
            .map_err(err)?;
        head.draw_text(name, &(FAMILY, 15).into_font().color(&BLACK), (x + 30, y))
            .map_err(err)?;
    }
    let hours_max = figure
        .traces
        .iter()
        .flat_map(|t| t.time_secs.iter().copied())
        .filter(|t| t.is_finite())
        .fold(0.0f64, f64::max)
        / 3600.0;
    for (area, panel) in body.split_evenly((4, 2)).iter().zip(PANELS.iter()) {
        draw_panel(area, panel, figure, hours_max.max(1e-6))?;
    }
    Ok(())
}

/// A line to draw: its label, colour, points and band.
type Drawn = (
    String,
    RGBColor,
    Vec<f64>,
    Vec<f64>,
    Option<(Vec<f64>, Vec<f64>)>,
);

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    figure: &Figure,
    hours_max: f64,
) -> Result<(), PlotError> {
    let several = figure.traces.len() > 1;
    // Several scenarios: each panel's telling line only, one per scenario in its colour.
    let telling = panel
        .lines
        .iter()
        .position(|l| l.compare)
        .unwrap_or_default();
    let shown_lines: Vec<&super::Line> = if several {
        panel.lines.iter().skip(telling).take(1).collect()
    } else {
        panel.lines.iter().collect()
    };
    let mut lines: Vec<Drawn> = Vec::new();
    for (k, t) in figure.traces.iter().enumerate() {
        let hours: Vec<f64> = t.time_secs.iter().map(|s| s / 3600.0).collect();
        for l in &shown_lines {
            let Some(super::Column { mid: ys, band }) = t.points(l) else {
                continue;
            };
            // A line that is zero throughout (no drops of that kind) only clutters.
            let shown = ys.iter().any(|y| y.is_finite() && *y != 0.0)
                || band
                    .as_ref()
                    .is_some_and(|(_, hi)| hi.iter().any(|y| y.is_finite() && *y != 0.0));
            if !shown && panel.lines.len() > 1 {
                continue;
            }
            let (label, colour) = if several {
                (l.label.to_owned(), trace_colour(k, figure.traces.len()))
            } else {
                (l.label.to_owned(), rgb(l.rgb))
            };
            lines.push((label, colour, hours.clone(), ys, band));
        }
    }
    let slo = (panel.title == "Latency")
        .then_some(figure.slo_latency_secs)
        .flatten();
    let y_max = lines
        .iter()
        .flat_map(|(_, _, _, ys, band)| {
            ys.iter()
                .chain(band.iter().flat_map(|(_, hi)| hi.iter()))
                .copied()
        })
        .chain(slo)
        .filter(|y| y.is_finite())
        .fold(0.0f64, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.08 } else { 1.0 };
    let x_label = |h: &f64| match figure.clock {
        Some(c) => crate::model::clock::week_label_short(c.week_secs(h * 3600.0)),
        None => format!("{h}"),
    };
    let y_label = |v: &f64| match v.abs() {
        a if a >= 10.0 || *v == 0.0 => format!("{v:.0}"),
        a if a >= 1.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, (FAMILY, 22))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(
            TimeAxis {
                hours: 0.0..hours_max,
                ticks: time_ticks(hours_max, figure.clock),
            },
            0.0..y_max,
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(if figure.clock.is_some() {
            "simulated clock"
        } else {
            "hours after the start"
        })
        .y_desc(panel.unit)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .y_labels(6)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(err)?;
    // Bands first, so every line is drawn over them.
    for (_, colour, xs, _, band) in &lines {
        if let Some((lo, hi)) = band {
            for seg in band_polygons(xs, lo, hi) {
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        seg,
                        colour.mix(0.18).filled(),
                    )))
                    .map_err(err)?;
            }
        }
    }
    for (label, colour, xs, ys, _) in &lines {
        let style = colour.stroke_width(2);
        for (n, seg) in segments(xs, ys).into_iter().enumerate() {
            let drawn = chart
                .draw_series(LineSeries::new(seg, style))
                .map_err(err)?;
            // With several scenarios the header says which colour is which.
            if n == 0 && !several {
                let c = *colour;
                drawn.label(label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                });
            }
        }
    }
    if let Some(s) = slo {
        let grey = RGBColor(120, 120, 120);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, s), (hours_max, s)],
                8,
                6,
                grey.stroke_width(1),
            ))
            .map_err(err)?
            .label(format!("SLO {s} s"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], grey));
    }
    if lines.is_empty() {
        // Say so, rather than leave an empty frame to puzzle over.
        area.draw_text(
            "all zero",
            &(FAMILY, 18).into_font().color(&RGBColor(120, 120, 120)),
            (
                area.dim_in_pixel().0 as i32 / 2 - 30,
                area.dim_in_pixel().1 as i32 / 2,
            ),
        )
        .map_err(err)?;
    } else if !several || slo.is_some() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FAMILY, 14))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// The band between `lo` and `hi` as closed outlines (along the top, back along the
/// bottom), one per run of known values.
fn band_polygons(xs: &[f64], lo: &[f64], hi: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let n = xs.len().min(lo.len()).min(hi.len());
    runs(n, |i| {
        xs[i].is_finite() && lo[i].is_finite() && hi[i].is_finite()
    })
    .into_iter()
    .map(|r| {
        r.clone()
            .map(|i| (xs[i], hi[i]))
            .chain(r.rev().map(|i| (xs[i], lo[i])))
            .collect()
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_drawn_together_are_named_by_what_differs_and_coloured_in_order() {
        assert_eq!(
            short_names(&["spike a=1 b=2", "spike a=1 b=3"]),
            ["b=2", "b=3"]
        );
        // A name is never emptied, even when one is a prefix of the others.
        assert_eq!(short_names(&["spike", "spike x=1"]), ["spike", "spike x=1"]);
        assert_eq!(short_names(&["one"]), ["one"]);
        // A few: the app's colours; many: blue for the first, red for the last.
        assert_eq!(trace_colour(1, 3), rgb(PALETTE[1]));
        let (first, last) = (trace_colour(0, 10), trace_colour(9, 10));
        assert!(first.2 > first.0 && last.0 > last.2, "{first:?} {last:?}");
    }

    #[test]
    fn time_ticks_fall_on_round_clock_hours() {
        // 18 hours from Sun 18:00: 3-hourly ticks at 18:00, 21:00, Mon 00:00 ... 12:00.
        let sun_1800 = crate::model::clock::WeekClock::parse("sun 18:00").ok();
        let t = time_ticks(18.0, sun_1800);
        assert_eq!(t, [0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0]);
        // Starting at 07:30, hourly ticks begin half an hour in, at 08:00.
        let mon_0730 = crate::model::clock::WeekClock::parse("mon 07:30").ok();
        assert_eq!(time_ticks(5.0, mon_0730)[..2], [0.5, 1.5]);
        // Without a clock: hours after the start; a week is ticked daily.
        assert_eq!(time_ticks(0.5, None), [0.0, 0.25, 0.5]);
        assert_eq!(time_ticks(168.0, None).len(), 8);
    }

    #[test]
    fn lines_break_where_values_are_missing() {
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let ys = [1.0, f64::NAN, 2.0, 3.0, f64::NAN];
        assert_eq!(
            segments(&xs, &ys),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        // A band is its top, then its bottom back: a closed outline.
        let p = band_polygons(&xs[..2], &[1.0, 2.0], &[3.0, 5.0]);
        assert_eq!(
            p,
            vec![vec![(0.0, 3.0), (1.0, 5.0), (1.0, 2.0), (0.0, 1.0)]]
        );
    }
}
