//! Where the topology's boxes and cells go and how they look: pure functions of the
//! world, with their tests. Nothing here draws.

use egui::{Color32, Pos2, Rect, Vec2, pos2, vec2};

use crate::app::theme::instance;
use crate::model::instance::InstanceState;

/// Largest distance between the corners of neighbouring cells, px: a few instances get
/// cells big enough to read their queue bar.
pub const MAX_PITCH: u32 = 22;

/// Smallest distance between cells, px: below this a cell can no longer be told apart
/// nor hovered, so a huge pool grows taller instead.
pub const MIN_PITCH: u32 = 6;

/// Height a pool's grid may take before its cells shrink, px: about four rows of the
/// largest cells, so a pool of a few hundred instances stays on one screen.
pub const GRID_MAX_HEIGHT: f32 = 96.0;

/// Outer margin and padding inside boxes, px.
pub(super) const PAD: f32 = 6.0;
/// Vertical space between pool rows, px.
pub(super) const ROW_GAP: f32 = 10.0;
/// Length of an arrow head, px (fixed, unlike `Painter::arrow`'s, which grows with the
/// arrow and looks odd on long diagonals).
pub(super) const HEAD: f32 = 7.0;
/// Narrowest drawing, px: narrower panels scroll or clip rather than squash the boxes.
pub(super) const MIN_WIDTH: f32 = 360.0;

/// How a pool's instance cells are laid out: `cols` per row, `rows` rows, one every
/// `pitch` px in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridLayout {
    /// Cells per row (at most the number of cells).
    pub cols: usize,
    /// Rows of cells.
    pub rows: usize,
    /// Distance between the top-left corners of neighbouring cells, px.
    pub pitch: u32,
}

impl GridLayout {
    /// Height of the grid, px.
    pub fn height(&self) -> f32 {
        self.rows as f32 * self.pitch as f32
    }

    /// Space between two cells, px: about a seventh of the pitch, at least one pixel so
    /// neighbouring cells of the same colour stay apart.
    pub fn gap(&self) -> f32 {
        (self.pitch / 7).max(1) as f32
    }

    /// The square of cell `i` (gap excluded) when the grid's top-left corner is `origin`.
    pub fn cell_rect(&self, origin: Pos2, i: usize) -> Rect {
        let cols = self.cols.max(1);
        let p = self.pitch as f32;
        let min = origin + vec2((i % cols) as f32 * p, (i / cols) as f32 * p);
        Rect::from_min_size(min, Vec2::splat(p - self.gap()))
    }

    /// Which of `n` cells is at `offset` from the grid's top-left corner. The gap after a
    /// cell counts as the cell, so small cells are easy to hover.
    pub fn cell_at(&self, offset: Vec2, n: usize) -> Option<usize> {
        if offset.x < 0.0 || offset.y < 0.0 || self.pitch == 0 {
            return None;
        }
        let p = self.pitch as f32;
        let (col, row) = ((offset.x / p) as usize, (offset.y / p) as usize);
        let i = row * self.cols + col;
        (col < self.cols && row < self.rows && i < n).then_some(i)
    }
}

/// Lays out `n` cells in `width` px: the largest pitch (from [`MAX_PITCH`] down to
/// [`MIN_PITCH`]) whose grid is no taller than `max_height`; at the smallest pitch the
/// grid grows as tall as it must.
pub fn grid_layout(n: usize, width: f32, max_height: f32) -> GridLayout {
    if n == 0 {
        return GridLayout {
            cols: 0,
            rows: 0,
            pitch: MAX_PITCH,
        };
    }
    // A NaN or negative width still gets one column.
    let width = if width.is_finite() {
        width.max(0.0)
    } else {
        0.0
    };
    let at = |pitch: u32| {
        let cols = ((width / pitch as f32) as usize).clamp(1, n);
        GridLayout {
            cols,
            rows: n.div_ceil(cols),
            pitch,
        }
    };
    let pitch = (MIN_PITCH + 1..=MAX_PITCH)
        .rev()
        .find(|&p| at(p).height() <= max_height)
        .unwrap_or(MIN_PITCH);
    at(pitch)
}

/// How a cell is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellLook {
    /// Its fill.
    pub fill: Color32,
    /// Its outline, if any.
    pub outline: Option<Color32>,
    /// Whether a cross is drawn over it (failed instances).
    pub cross: bool,
}

/// The look of an instance in `state` with `busy` of its `workers` busy.
pub fn cell_look(state: InstanceState, busy: u32, workers: u32) -> CellLook {
    let plain = |fill| CellLook {
        fill,
        outline: None,
        cross: false,
    };
    match state {
        InstanceState::InService => {
            let load = if workers == 0 {
                0.0
            } else {
                busy as f32 / workers as f32
            };
            plain(instance::load_colour(load))
        }
        // A faint fill with a strong outline: there, but not serving yet.
        InstanceState::Booting => CellLook {
            fill: instance::BOOTING.gamma_multiply(0.3),
            outline: Some(instance::BOOTING),
            cross: false,
        },
        InstanceState::Draining => plain(instance::DRAINING),
        InstanceState::Failed => CellLook {
            fill: instance::CRASHED,
            outline: None,
            cross: true,
        },
        // Terminated instances are not in a pool's lists; grey in case one shows up.
        InstanceState::Terminated => CellLook {
            fill: Color32::TRANSPARENT,
            outline: Some(instance::TERMINATED_OUTLINE),
            cross: false,
        },
    }
}

/// How full a queue is, 0..=1 (a queue of capacity 0 holding something is full).
pub fn queue_fraction(len: usize, capacity: Option<u32>) -> f32 {
    // A queue without a bound is drawn against the default bound of 100: full means
    // "as long as a bounded queue would let it get".
    let capacity = capacity.unwrap_or(UNBOUNDED_QUEUE_SCALE);
    if capacity == 0 {
        return if len > 0 { 1.0 } else { 0.0 };
    }
    (len as f32 / capacity as f32).clamp(0.0, 1.0)
}

/// What an unbounded queue's bar is drawn against: the schema's default bound.
const UNBOUNDED_QUEUE_SCALE: u32 = 100;

/// The state in words, as the tooltip shows it.
pub fn state_label(state: InstanceState) -> &'static str {
    match state {
        InstanceState::Booting => "booting",
        InstanceState::InService => "in service",
        InstanceState::Draining => "draining",
        InstanceState::Failed => "failed",
        InstanceState::Terminated => "terminated",
    }
}

/// A cell's tooltip, e.g. "instance 17 · in service · 2/2 busy · queue 14/100".
pub fn cell_tooltip(
    id: u32,
    state: InstanceState,
    busy: u32,
    workers: u32,
    queued: usize,
    capacity: Option<u32>,
) -> String {
    let queue = match capacity {
        Some(c) => format!("{queued}/{c}"),
        None => format!("{queued} (no bound)"),
    };
    format!(
        "instance {id} · {} · {busy}/{workers} busy · queue {queue}",
        state_label(state)
    )
}

/// A rate for a box: no decimals once it is large enough for them to be noise.
pub(super) fn rate_text(per_sec: f64) -> String {
    if per_sec >= 10.0 {
        format!("{per_sec:.0} req/s")
    } else {
        format!("{per_sec:.1} req/s")
    }
}

/// The x positions of the three columns (clients, balancers, pools) for a drawing
/// `width` px wide starting at `left`.
pub(super) struct Columns {
    /// The clients' box.
    pub(super) clients: Rect,
    /// The balancers' column: left edge and width.
    pub(super) balancer_x: f32,
    /// The balancers' column width.
    pub(super) balancer_w: f32,
    /// The pools' column: left edge.
    pub(super) pool_x: f32,
    /// The pools' column width.
    pub(super) pool_w: f32,
}

impl Columns {
    /// The columns of a drawing `width` px wide with `tiers` tiers of services (each a
    /// column of balancers and a column of pools; services called by a tier are in the
    /// next). One tier is laid out as [`Columns::new`] does.
    pub(super) fn tiers(left: f32, width: f32, tiers: usize) -> Vec<Columns> {
        let one = Columns::new(left, width);
        if tiers <= 1 {
            return vec![one];
        }
        let gap = (width * 0.03).clamp(18.0, 36.0);
        let start = one.balancer_x;
        let tier_w = ((left + width - PAD - start) - gap * (tiers - 1) as f32) / tiers as f32;
        // A small box: the pool's status names the algorithm.
        let balancer_w = 34.0;
        let inner = (gap * 0.6).max(12.0);
        (0..tiers)
            .map(|t| {
                let x = start + t as f32 * (tier_w + gap);
                Columns {
                    clients: one.clients,
                    balancer_x: x,
                    balancer_w,
                    pool_x: x + balancer_w + inner,
                    pool_w: (tier_w - balancer_w - inner).max(40.0),
                }
            })
            .collect()
    }

    pub(super) fn new(left: f32, width: f32) -> Columns {
        // Fixed boxes shrink a little on narrow panels; the pool takes the rest.
        let clients_w = (width * 0.14).clamp(84.0, 116.0);
        let balancer_w = (width * 0.17).clamp(124.0, 160.0);
        let gap = (width * 0.05).clamp(26.0, 48.0);
        let clients_x = left + PAD;
        let balancer_x = clients_x + clients_w + gap;
        let pool_x = balancer_x + balancer_w + gap;
        Columns {
            clients: Rect::from_min_size(pos2(clients_x, 0.0), vec2(clients_w, 0.0)),
            balancer_x,
            balancer_w,
            pool_x,
            pool_w: (left + width - PAD - pool_x).max(40.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cells_no_grid() {
        let g = grid_layout(0, 600.0, GRID_MAX_HEIGHT);
        assert_eq!((g.cols, g.rows), (0, 0));
        assert_eq!(g.height(), 0.0);
    }

    #[test]
    fn few_cells_keep_the_largest_pitch() {
        // 600 / 22 = 27.3, so 27 columns fit, capped at the 12 cells: one row 22 px tall.
        let g = grid_layout(12, 600.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 12,
                rows: 1,
                pitch: 22
            }
        );
    }

    #[test]
    fn many_cells_shrink_until_the_grid_fits() {
        // Pitch 14: 600 / 14 = 42.9 -> 42 columns, ceil(300 / 42) = 8 rows = 112 px > 96.
        // Pitch 13: 600 / 13 = 46.2 -> 46 columns, ceil(300 / 46) = 7 rows = 91 px <= 96.
        let g = grid_layout(300, 600.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 46,
                rows: 7,
                pitch: 13
            }
        );
        assert!(g.height() <= GRID_MAX_HEIGHT);
        // Pitch 21: 200 / 21 = 9.5 -> 9 columns, ceil(40 / 9) = 5 rows = 105 px > 96.
        // Pitch 20: 10 columns, 4 rows = 80 px.
        let g = grid_layout(40, 200.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 10,
                rows: 4,
                pitch: 20
            }
        );
    }

    #[test]
    fn too_many_cells_grow_taller_at_the_smallest_pitch() {
        // Pitch 6: 300 / 6 = 50 columns, 1000 / 50 = 20 rows = 120 px > 96, and no
        // smaller pitch is allowed.
        let g = grid_layout(1000, 300.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 50,
                rows: 20,
                pitch: MIN_PITCH
            }
        );
    }

    #[test]
    fn a_narrow_width_still_gets_one_column() {
        // Every pitch gives 1 column and 5 rows: 5 x 20 = 100 > 96, 5 x 19 = 95 fits.
        let g = grid_layout(5, 3.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 1,
                rows: 5,
                pitch: 19
            }
        );
        assert_eq!(grid_layout(5, f32::NAN, GRID_MAX_HEIGHT).cols, 1);
    }

    #[test]
    fn cells_are_found_under_the_pointer() {
        // 200 / 22 = 9 columns, ceil(35 / 9) = 4 rows = 88 px: pitch 22.
        let g = grid_layout(35, 200.0, GRID_MAX_HEIGHT);
        assert_eq!(
            g,
            GridLayout {
                cols: 9,
                rows: 4,
                pitch: 22
            }
        );
        // Column 5 of row 3 is cell 3 x 9 + 5 = 32.
        assert_eq!(
            g.cell_at(vec2(5.0 * 22.0 + 1.0, 3.0 * 22.0 + 1.0), 35),
            Some(32)
        );
        // Column 8 of row 3 would be cell 35: past the last.
        assert_eq!(
            g.cell_at(vec2(8.0 * 22.0 + 1.0, 3.0 * 22.0 + 1.0), 35),
            None
        );
        // Left of, right of and below the grid.
        assert_eq!(g.cell_at(vec2(-1.0, 5.0), 35), None);
        assert_eq!(g.cell_at(vec2(9.0 * 22.0 + 1.0, 5.0), 35), None);
        assert_eq!(g.cell_at(vec2(5.0, 4.0 * 22.0 + 1.0), 35), None);
        // Cell 32's square starts at (110, 66) from the origin and is 22 - 22/7 = 19 px wide.
        let r = g.cell_rect(Pos2::ZERO, 32);
        assert_eq!(r, Rect::from_min_size(pos2(110.0, 66.0), vec2(19.0, 19.0)));
    }

    #[test]
    fn cells_are_coloured_by_state() {
        // 1 of 2 workers busy is a load of 0.5: yellow.
        assert_eq!(
            cell_look(InstanceState::InService, 1, 2).fill,
            instance::HALF_BUSY
        );
        assert_eq!(
            cell_look(InstanceState::InService, 0, 0).fill,
            instance::IDLE
        );
        let boot = cell_look(InstanceState::Booting, 0, 2);
        assert_eq!(boot.outline, Some(instance::BOOTING));
        assert_eq!(
            cell_look(InstanceState::Draining, 2, 2).fill,
            instance::DRAINING
        );
        let failed = cell_look(InstanceState::Failed, 0, 2);
        assert_eq!(failed.fill, instance::CRASHED);
        assert!(failed.cross);
    }

    #[test]
    fn queue_fill_and_tooltip() {
        // 14 of 100 queued.
        assert_eq!(queue_fraction(14, Some(100)), 0.14);
        assert_eq!(queue_fraction(150, Some(100)), 1.0);
        assert_eq!(queue_fraction(0, Some(0)), 0.0);
        assert_eq!(queue_fraction(1, Some(0)), 1.0);
        // No bound: drawn against 100, the default bound.
        assert_eq!(queue_fraction(50, None), 0.5);
        assert_eq!(
            cell_tooltip(17, InstanceState::InService, 2, 2, 14, Some(100)),
            "instance 17 · in service · 2/2 busy · queue 14/100"
        );
        assert_eq!(
            cell_tooltip(3, InstanceState::InService, 4, 4, 900, None),
            "instance 3 · in service · 4/4 busy · queue 900 (no bound)"
        );
    }
}
