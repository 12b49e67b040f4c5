//! Every colour the app draws with, in one place, named by what it shows. The egui
//! visuals' own colours (text, warnings, errors in the editor) come from the theme in
//! use; these are the ones the app adds.

use egui::Color32;

/// A colour the headless charts share (`crate::plot`), as egui's.
const fn shared((r, g, b): (u8, u8, u8)) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// Colours of designs, in the order they are added: distinct for overlays, readable on
/// the dark and the light theme (the same as `scalesim plot` gives scenarios).
pub const PALETTE: [Color32; 6] = {
    let p = crate::plot::PALETTE;
    [
        shared(p[0]),
        shared(p[1]),
        shared(p[2]),
        shared(p[3]),
        shared(p[4]),
        shared(p[5]),
    ]
};

/// The colour of the `k`-th design.
pub fn design_colour(k: usize) -> Color32 {
    PALETTE[k % PALETTE.len()]
}

/// Errors in the status bar, and "nothing runs" above the plots.
pub const ERROR: Color32 = Color32::from_rgb(220, 60, 60);

/// A figure that is better than the first design's, in the compare table.
pub const BETTER: Color32 = Color32::from_rgb(60, 170, 90);

/// A plot's series in a single run (in a comparison each design takes its own colour).
pub mod series {
    use super::shared;
    use egui::Color32;

    /// The first series of a plot (offered load, p50, instances...).
    pub const BLUE: Color32 = shared(crate::plot::BLUE);
    /// The second series.
    pub const ORANGE: Color32 = shared(crate::plot::ORANGE);
    /// The third series.
    pub const GREEN: Color32 = shared(crate::plot::GREEN);
    /// Limits and what went wrong (the SLO, drops).
    pub const RED: Color32 = shared(crate::plot::RED);
    /// A fourth series.
    pub const PURPLE: Color32 = shared(crate::plot::PURPLE);
    /// A fifth series (requests the client gave up on).
    pub const MAGENTA: Color32 = shared(crate::plot::MAGENTA);
    /// Context: bounds, references.
    pub const GREY: Color32 = shared(crate::plot::GREY);
    /// The markers of scaling decisions in a single run.
    pub const DECISION: Color32 = Color32::from_rgb(230, 200, 40);
    /// The latency objective's line: its own colour, apart from the p99 it is read
    /// against (red).
    pub const SLO: Color32 = Color32::from_rgb(230, 60, 200);
    /// The spans in which arrivals exceeded capacity (drawn faint, behind the lines).
    pub const OVERLOAD: Color32 = Color32::from_rgb(230, 40, 40);
    /// The spans in which instances were booting (drawn faint, behind the lines): the
    /// same orange as a booting instance in the topology.
    pub const BOOTING: Color32 = super::instance::BOOTING;
    /// The timeline's cursor, on every plot and on the timeline bar.
    pub const CURSOR: Color32 = Color32::from_rgb(0, 170, 200);
}

/// The topology's instance cells, by state and load.
pub mod instance {
    use egui::Color32;

    /// An idle in-service instance.
    pub const IDLE: Color32 = Color32::from_rgb(40, 160, 70);
    /// An in-service instance with half its workers busy.
    pub const HALF_BUSY: Color32 = Color32::from_rgb(230, 190, 30);
    /// An in-service instance with every worker busy.
    pub const BUSY: Color32 = Color32::from_rgb(210, 50, 40);
    /// A booting instance (also passing its health checks).
    pub const BOOTING: Color32 = Color32::from_rgb(240, 160, 20);
    /// A draining instance.
    pub const DRAINING: Color32 = Color32::from_rgb(150, 90, 200);
    /// A crashed instance not yet replaced.
    pub const CRASHED: Color32 = Color32::from_rgb(120, 20, 20);
    /// The outline of a terminated instance (not normally shown).
    pub const TERMINATED_OUTLINE: Color32 = Color32::GRAY;
    /// The cross over a crashed instance: light on its dark red.
    pub const CROSS: Color32 = Color32::from_gray(235);
    /// The bar of a queue along a cell's bottom: dark reads on every state colour in
    /// both themes.
    pub const QUEUE_BAR: Color32 = Color32::from_black_alpha(190);

    /// The green → yellow → red ramp for an in-service instance's load (busy / workers,
    /// clamped to 0..=1; NaN counts as idle).
    pub fn load_colour(load: f32) -> Color32 {
        let u = if load.is_nan() {
            0.0
        } else {
            load.clamp(0.0, 1.0)
        };
        let (from, to, t) = if u <= 0.5 {
            (IDLE, HALF_BUSY, u * 2.0)
        } else {
            (HALF_BUSY, BUSY, (u - 0.5) * 2.0)
        };
        // Straight sRGB interpolation: the midpoints stay saturated (a linear-light blend of
        // green and red would pass through a muddy brown).
        let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8;
        Color32::from_rgb(
            mix(from.r(), to.r()),
            mix(from.g(), to.g()),
            mix(from.b(), to.b()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::instance::*;
    use egui::Color32;

    #[test]
    fn the_load_ramp_goes_green_yellow_red() {
        assert_eq!(load_colour(0.0), IDLE);
        assert_eq!(load_colour(0.5), HALF_BUSY);
        assert_eq!(load_colour(1.0), BUSY);
        // A quarter is halfway from green (40, 160, 70) to yellow (230, 190, 30):
        // (135, 175, 50).
        assert_eq!(load_colour(0.25), Color32::from_rgb(135, 175, 50));
        // Three quarters is halfway from yellow to red (210, 50, 40): (220, 120, 35).
        assert_eq!(load_colour(0.75), Color32::from_rgb(220, 120, 35));
        // Out of range and NaN are clamped.
        assert_eq!(load_colour(2.0), BUSY);
        assert_eq!(load_colour(-1.0), IDLE);
        assert_eq!(load_colour(f32::NAN), IDLE);
    }
}
