//! The topology view: clients → balancer → pool, one row per pool, with every instance of
//! a pool drawn as a small cell coloured by its state and load. Everything is read from the
//! live world each frame, so the picture changes as the run goes: cells appear amber while
//! they boot, turn green → red as they fill, purple while they drain.

use egui::{
    Align2, Color32, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, TextStyle, Ui, Vec2, pos2,
    vec2,
};

use crate::model::instance::{Instance, InstanceState};
use crate::model::pool::Pool;
use crate::model::topology::World;

/// Largest distance between the corners of neighbouring cells, px: a few instances get
/// cells big enough to read their queue bar.
pub const MAX_PITCH: u32 = 22;

/// Smallest distance between cells, px: below this a cell can no longer be told apart
/// nor hovered, so a huge pool grows taller instead.
pub const MIN_PITCH: u32 = 6;

/// Height a pool's grid may take before its cells shrink, px: about four rows of the
/// largest cells, so a pool of a few hundred instances stays on one screen.
pub const GRID_MAX_HEIGHT: f32 = 96.0;

/// An idle in-service instance.
pub const GREEN: Color32 = Color32::from_rgb(40, 160, 70);
/// An in-service instance with half its workers busy.
pub const YELLOW: Color32 = Color32::from_rgb(230, 190, 30);
/// An in-service instance with every worker busy.
pub const RED: Color32 = Color32::from_rgb(210, 50, 40);
/// A booting instance (also passing its health checks).
pub const AMBER: Color32 = Color32::from_rgb(240, 160, 20);
/// A draining instance.
pub const PURPLE: Color32 = Color32::from_rgb(150, 90, 200);
/// A crashed instance not yet replaced.
pub const DARK_RED: Color32 = Color32::from_rgb(120, 20, 20);

/// Outer margin and padding inside boxes, px.
const PAD: f32 = 6.0;
/// Vertical space between pool rows, px.
const ROW_GAP: f32 = 10.0;
/// Length of an arrow head, px (fixed, unlike `Painter::arrow`'s, which grows with the
/// arrow and looks odd on long diagonals).
const HEAD: f32 = 7.0;
/// Narrowest drawing, px: narrower panels scroll or clip rather than squash the boxes.
const MIN_WIDTH: f32 = 360.0;

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

/// The green → yellow → red ramp for an in-service instance's load (busy / workers,
/// clamped to 0..=1; NaN counts as idle).
pub fn load_colour(load: f32) -> Color32 {
    let u = if load.is_nan() {
        0.0
    } else {
        load.clamp(0.0, 1.0)
    };
    let (from, to, t) = if u <= 0.5 {
        (GREEN, YELLOW, u * 2.0)
    } else {
        (YELLOW, RED, (u - 0.5) * 2.0)
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
            plain(load_colour(load))
        }
        // A faint fill with a strong outline: there, but not serving yet.
        InstanceState::Booting => CellLook {
            fill: AMBER.gamma_multiply(0.3),
            outline: Some(AMBER),
            cross: false,
        },
        InstanceState::Draining => plain(PURPLE),
        InstanceState::Failed => CellLook {
            fill: DARK_RED,
            outline: None,
            cross: true,
        },
        // Terminated instances are not in a pool's lists; grey in case one shows up.
        InstanceState::Terminated => CellLook {
            fill: Color32::TRANSPARENT,
            outline: Some(Color32::GRAY),
            cross: false,
        },
    }
}

/// How full a queue is, 0..=1 (a queue of capacity 0 holding something is full).
pub fn queue_fraction(len: usize, capacity: u32) -> f32 {
    if capacity == 0 {
        return if len > 0 { 1.0 } else { 0.0 };
    }
    (len as f32 / capacity as f32).clamp(0.0, 1.0)
}

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
    capacity: u32,
) -> String {
    format!(
        "instance {id} · {} · {busy}/{workers} busy · queue {queued}/{capacity}",
        state_label(state)
    )
}

/// A rate for a box: no decimals once it is large enough for them to be noise.
fn rate_text(per_sec: f64) -> String {
    if per_sec >= 10.0 {
        format!("{per_sec:.0} req/s")
    } else {
        format!("{per_sec:.1} req/s")
    }
}

/// The x positions of the three columns (clients, balancers, pools) for a drawing
/// `width` px wide starting at `left`.
struct Columns {
    clients: Rect,
    balancer_x: f32,
    balancer_w: f32,
    pool_x: f32,
    pool_w: f32,
}

impl Columns {
    fn new(left: f32, width: f32) -> Columns {
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

/// The instances drawn for `pool`: members (booting, in service, failed) in launch order,
/// then those draining, which no longer count toward desired but still hold requests.
fn drawn_instances<'w>(pool: &Pool, world: &'w World) -> Vec<&'w Instance> {
    let all = world.instances();
    pool.members
        .iter()
        .chain(&pool.draining)
        .filter_map(|id| all.get(id.0 as usize))
        .collect()
}

/// Draws an arrow from `from` to `to` with a head of fixed size.
fn arrow(painter: &egui::Painter, from: Pos2, to: Pos2, stroke: Stroke) {
    let v = to - from;
    if v.length() < 1.0 {
        return;
    }
    let dir = v.normalized();
    let side = vec2(-dir.y, dir.x);
    painter.line_segment([from, to], stroke);
    let back = to - dir * HEAD;
    painter.line_segment([to, back + side * HEAD * 0.5], stroke);
    painter.line_segment([to, back - side * HEAD * 0.5], stroke);
}

/// Paints one cell.
fn paint_cell(painter: &egui::Painter, rect: Rect, inst: &Instance) {
    let look = cell_look(inst.state, inst.busy, inst.workers);
    let radius = (rect.width() * 0.2).min(3.0);
    painter.rect_filled(rect, radius, look.fill);
    if let Some(c) = look.outline {
        painter.rect_stroke(rect, radius, Stroke::new(1.0, c), StrokeKind::Inside);
    }
    if look.cross {
        let r = rect.shrink(rect.width() * 0.2);
        let s = Stroke::new(1.0, Color32::from_gray(235));
        painter.line_segment([r.left_top(), r.right_bottom()], s);
        painter.line_segment([r.right_top(), r.left_bottom()], s);
    }
    let q = queue_fraction(inst.queue.len(), inst.queue_capacity);
    if q > 0.0 {
        // A dark bar along the bottom, as long as the queue is full: dark reads on every
        // state colour in both themes.
        let h = (rect.height() * 0.25).max(2.0);
        let bar = Rect::from_min_size(
            pos2(rect.left(), rect.bottom() - h),
            vec2(rect.width() * q, h),
        );
        painter.rect_filled(bar, 0.0, Color32::from_black_alpha(190));
    }
}

/// One legend entry: what its swatch shows.
#[derive(Clone, Copy)]
enum Swatch {
    Ramp,
    State(InstanceState),
    Queue,
}

/// Draws the balancer, pools and instances of `world`, framed in the design's `colour`.
pub fn topology_ui(ui: &mut Ui, world: &World, colour: Color32) {
    let pools = world.pools();
    if pools.is_empty() {
        ui.label(RichText::new("This design has no pools.").weak());
        return;
    }
    let visuals = ui.visuals();
    let text = visuals.text_color();
    let weak = visuals.weak_text_color();
    let strong = visuals.strong_text_color();
    let box_fill = visuals.faint_bg_color;
    let line_stroke = Stroke::new(1.5, weak);
    let box_stroke = Stroke::new(1.5, colour);
    // Labels are plain ASCII plus "·": egui's default fonts have no arrows or dashes.
    let body = TextStyle::Body.resolve(ui.style());
    let small = TextStyle::Small.resolve(ui.style());
    let body_h = ui.text_style_height(&TextStyle::Body);
    let small_h = ui.text_style_height(&TextStyle::Small);

    let width = ui.available_width().max(MIN_WIDTH);
    let cols = Columns::new(0.0, width);
    let grid_w = cols.pool_w - 2.0 * PAD;
    let drawn: Vec<Vec<&Instance>> = pools.iter().map(|p| drawn_instances(p, world)).collect();
    let grids: Vec<GridLayout> = drawn
        .iter()
        .map(|d| grid_layout(d.len(), grid_w, GRID_MAX_HEIGHT))
        .collect();
    let header_h = body_h + small_h + 4.0;
    let balancer_h = small_h + body_h + small_h + 2.0 * PAD;
    let row_heights: Vec<f32> = grids
        .iter()
        .map(|g| (PAD + header_h + g.height().max(MIN_PITCH as f32) + PAD).max(balancer_h))
        .collect();

    // The legend wraps like text; its galleys are laid out before allocating, for its height.
    let legend: Vec<(Swatch, std::sync::Arc<egui::Galley>)> = [
        (Swatch::Ramp, "in service: idle, half, all workers busy"),
        (Swatch::State(InstanceState::Booting), "booting"),
        (Swatch::State(InstanceState::Draining), "draining"),
        (Swatch::State(InstanceState::Failed), "failed"),
        (Swatch::Queue, "queue fill"),
    ]
    .into_iter()
    .map(|(s, t)| {
        let g = ui
            .painter()
            .layout_no_wrap(t.to_owned(), small.clone(), weak);
        (s, g)
    })
    .collect();
    let swatch_w = |s: Swatch| if let Swatch::Ramp = s { 30.0 } else { 10.0 };
    let legend_line_h = small_h.max(10.0) + 4.0;
    let mut legend_pos = Vec::with_capacity(legend.len());
    let (mut x, mut y) = (PAD, 0.0);
    for (s, g) in &legend {
        let w = swatch_w(*s) + 4.0 + g.size().x;
        if x > PAD && x + w > width - PAD {
            x = PAD;
            y += legend_line_h;
        }
        legend_pos.push(vec2(x, y));
        x += w + 14.0;
    }
    let legend_h = y + legend_line_h;

    let rows_h: f32 = row_heights.iter().sum::<f32>() + ROW_GAP * (pools.len() - 1) as f32;
    let total_h = PAD + rows_h + PAD + legend_h + PAD;
    let (response, painter) = ui.allocate_painter(vec2(width, total_h), Sense::hover());
    let origin = response.rect.min;
    let off = origin.to_vec2();
    painter.rect_stroke(
        response.rect,
        4.0,
        Stroke::new(1.0, colour.gamma_multiply(0.6)),
        StrokeKind::Inside,
    );

    let last = world.recorder().rows().last();
    let hover = response.hover_pos();
    let mut tooltip: Option<String> = None;

    // Pool rows first: the clients box is centred on them.
    let mut top = origin.y + PAD;
    let mut balancer_lefts = Vec::with_capacity(pools.len());
    for (i, pool) in pools.iter().enumerate() {
        let row = Rect::from_min_size(
            pos2(cols.pool_x + off.x, top),
            vec2(cols.pool_w, row_heights[i]),
        );
        let mid_y = row.center().y;
        let bal = Rect::from_center_size(
            pos2(cols.balancer_x + off.x + cols.balancer_w / 2.0, mid_y),
            vec2(cols.balancer_w, balancer_h),
        );
        balancer_lefts.push(bal.left_center());

        // Balancer.
        painter.rect(bal, 4.0, box_fill, box_stroke, StrokeKind::Inside);
        let bp = painter.with_clip_rect(bal.intersect(painter.clip_rect()));
        let mut ty = bal.top() + PAD;
        bp.text(
            pos2(bal.left() + PAD, ty),
            Align2::LEFT_TOP,
            "balancer",
            small.clone(),
            weak,
        );
        ty += small_h;
        bp.text(
            pos2(bal.left() + PAD, ty),
            Align2::LEFT_TOP,
            format!("{:?}", pool.config.balancer),
            body.clone(),
            strong,
        );
        ty += body_h;
        bp.text(
            pos2(bal.left() + PAD, ty),
            Align2::LEFT_TOP,
            format!("to {} in service", pool.in_service.len()),
            small.clone(),
            text,
        );
        arrow(
            &painter,
            bal.right_center(),
            pos2(row.left(), mid_y),
            line_stroke,
        );

        // Pool box and header.
        painter.rect(row, 4.0, box_fill, box_stroke, StrokeKind::Inside);
        let pp = painter.with_clip_rect(row.intersect(painter.clip_rect()));
        let title = format!(
            "{} · {} ({} vCPU)",
            pool.config.name, pool.config.instance.name, pool.config.instance.vcpus
        );
        pp.text(
            pos2(row.left() + PAD, row.top() + PAD),
            Align2::LEFT_TOP,
            title,
            body.clone(),
            strong,
        );
        let count = |s: InstanceState| drawn[i].iter().filter(|x| x.state == s).count();
        let mut status = format!(
            "desired {} (min {}, max {}) · {} in service",
            pool.desired,
            pool.min,
            pool.max,
            count(InstanceState::InService)
        );
        for (s, word) in [
            (InstanceState::Booting, "booting"),
            (InstanceState::Draining, "draining"),
            (InstanceState::Failed, "failed"),
        ] {
            let n = count(s);
            if n > 0 {
                status.push_str(&format!(" · {n} {word}"));
            }
        }
        if let Some(pr) = last.and_then(|r| r.pools.get(i)) {
            status.push_str(&format!(" · utilisation {:.0}%", pr.utilisation * 100.0));
        }
        pp.text(
            pos2(row.left() + PAD, row.top() + PAD + body_h + 2.0),
            Align2::LEFT_TOP,
            status,
            small.clone(),
            text,
        );

        // Instance cells.
        let grid = grids[i];
        let grid_origin = pos2(row.left() + PAD, row.top() + PAD + header_h);
        for (k, inst) in drawn[i].iter().enumerate() {
            paint_cell(&pp, grid.cell_rect(grid_origin, k), inst);
        }
        if drawn[i].is_empty() {
            pp.text(
                grid_origin,
                Align2::LEFT_TOP,
                "no instances",
                small.clone(),
                weak,
            );
        }
        if let Some(pos) = hover
            && let Some(k) = grid.cell_at(pos - grid_origin, drawn[i].len())
        {
            let inst = drawn[i][k];
            pp.rect_stroke(
                grid.cell_rect(grid_origin, k).expand(1.0),
                2.0,
                Stroke::new(1.5, strong),
                StrokeKind::Outside,
            );
            tooltip = Some(cell_tooltip(
                inst.id.0,
                inst.state,
                inst.busy,
                inst.workers,
                inst.queue.len(),
                inst.queue_capacity,
            ));
        } else if let Some(pos) = hover
            && row.contains(pos)
            && pos.y < grid_origin.y
        {
            tooltip = Some(format!(
                "{}: {} in service could serve {} at 100% utilisation",
                pool.config.name,
                pool.in_service.len(),
                rate_text(pool.serving_capacity_per_sec(world.instances()))
            ));
        }
        top += row_heights[i] + ROW_GAP;
    }

    // Clients, centred on the rows, with an arrow to every balancer.
    let first = balancer_lefts.first().map_or(origin.y, |p| p.y);
    let end = balancer_lefts.last().map_or(origin.y, |p| p.y);
    let clients_h = small_h + body_h + small_h + 2.0 * PAD;
    let clients = Rect::from_center_size(
        pos2(cols.clients.center().x + off.x, (first + end) / 2.0),
        vec2(cols.clients.width(), clients_h),
    );
    painter.rect(clients, 4.0, box_fill, box_stroke, StrokeKind::Inside);
    let cp = painter.with_clip_rect(clients.intersect(painter.clip_rect()));
    let mut ty = clients.top() + PAD;
    cp.text(
        pos2(clients.left() + PAD, ty),
        Align2::LEFT_TOP,
        "clients",
        small.clone(),
        weak,
    );
    ty += small_h;
    let (rate, p99) = match last {
        Some(r) => (
            rate_text(r.arrivals_per_sec()),
            format!("p99 {:.3} s", r.latency.p99),
        ),
        // Nothing measured before the first interval closes.
        None => ("- req/s".to_owned(), "p99 -".to_owned()),
    };
    cp.text(
        pos2(clients.left() + PAD, ty),
        Align2::LEFT_TOP,
        rate,
        body.clone(),
        strong,
    );
    ty += body_h;
    cp.text(
        pos2(clients.left() + PAD, ty),
        Align2::LEFT_TOP,
        p99,
        small.clone(),
        text,
    );
    for b in &balancer_lefts {
        let from = pos2(
            clients.right(),
            b.y.clamp(clients.top() + 4.0, clients.bottom() - 4.0),
        );
        arrow(&painter, from, *b, line_stroke);
    }
    if let Some(pos) = hover
        && clients.contains(pos)
    {
        tooltip = Some("Arrival rate and p99 latency over the last closed interval".to_owned());
    }

    // Legend.
    let legend_top = origin.y + PAD + rows_h + PAD;
    for ((swatch, galley), at) in legend.into_iter().zip(legend_pos) {
        let p = pos2(origin.x + at.x, legend_top + at.y);
        let cy = p.y + small_h / 2.0;
        let w = swatch_w(swatch);
        match swatch {
            Swatch::Ramp => {
                for k in 0..3 {
                    let r =
                        Rect::from_min_size(pos2(p.x + k as f32 * 10.0, cy - 5.0), vec2(9.0, 10.0));
                    painter.rect_filled(r, 2.0, load_colour(k as f32 / 2.0));
                }
            }
            Swatch::State(s) => {
                let r = Rect::from_min_size(pos2(p.x, cy - 5.0), vec2(10.0, 10.0));
                let look = cell_look(s, 0, 1);
                painter.rect_filled(r, 2.0, look.fill);
                if let Some(c) = look.outline {
                    painter.rect_stroke(r, 2.0, Stroke::new(1.0, c), StrokeKind::Inside);
                }
                if look.cross {
                    let r = r.shrink(2.0);
                    let s = Stroke::new(1.0, Color32::from_gray(235));
                    painter.line_segment([r.left_top(), r.right_bottom()], s);
                    painter.line_segment([r.right_top(), r.left_bottom()], s);
                }
            }
            Swatch::Queue => {
                let r = Rect::from_min_size(pos2(p.x, cy - 5.0), vec2(10.0, 10.0));
                painter.rect_filled(r, 2.0, load_colour(0.0));
                let bar = Rect::from_min_size(pos2(r.left(), r.bottom() - 3.0), vec2(6.0, 3.0));
                painter.rect_filled(bar, 0.0, Color32::from_black_alpha(190));
            }
        }
        painter.galley(pos2(p.x + w + 4.0, p.y), galley, weak);
    }

    if let Some(t) = tooltip {
        response.on_hover_text_at_pointer(t);
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
    fn the_load_ramp_goes_green_yellow_red() {
        assert_eq!(load_colour(0.0), GREEN);
        assert_eq!(load_colour(0.5), YELLOW);
        assert_eq!(load_colour(1.0), RED);
        // A quarter is halfway from green (40, 160, 70) to yellow (230, 190, 30):
        // (135, 175, 50).
        assert_eq!(load_colour(0.25), Color32::from_rgb(135, 175, 50));
        // Three quarters is halfway from yellow to red (210, 50, 40): (220, 120, 35).
        assert_eq!(load_colour(0.75), Color32::from_rgb(220, 120, 35));
        // Out of range and NaN are clamped.
        assert_eq!(load_colour(2.0), RED);
        assert_eq!(load_colour(-1.0), GREEN);
        assert_eq!(load_colour(f32::NAN), GREEN);
    }

    #[test]
    fn cells_are_coloured_by_state() {
        // 1 of 2 workers busy is a load of 0.5: yellow.
        assert_eq!(cell_look(InstanceState::InService, 1, 2).fill, YELLOW);
        assert_eq!(cell_look(InstanceState::InService, 0, 0).fill, GREEN);
        let boot = cell_look(InstanceState::Booting, 0, 2);
        assert_eq!(boot.outline, Some(AMBER));
        assert_eq!(cell_look(InstanceState::Draining, 2, 2).fill, PURPLE);
        let failed = cell_look(InstanceState::Failed, 0, 2);
        assert_eq!(failed.fill, DARK_RED);
        assert!(failed.cross);
    }

    #[test]
    fn queue_fill_and_tooltip() {
        // 14 of 100 queued.
        assert_eq!(queue_fraction(14, 100), 0.14);
        assert_eq!(queue_fraction(150, 100), 1.0);
        assert_eq!(queue_fraction(0, 0), 0.0);
        assert_eq!(queue_fraction(1, 0), 1.0);
        assert_eq!(
            cell_tooltip(17, InstanceState::InService, 2, 2, 14, 100),
            "instance 17 · in service · 2/2 busy · queue 14/100"
        );
    }
}
