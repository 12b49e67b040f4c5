//! The topology view: clients → balancer → pool, one row per pool, with every instance of
//! a pool drawn as a small cell coloured by its state and load. Everything is read from the
//! live world each frame, so the picture changes as the run goes: cells appear amber while
//! they boot, turn green → red as they fill, purple while they drain.

use egui::{
    Align2, Color32, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, TextStyle, Ui, pos2, vec2,
};

use super::fleet::{Fleet, InstanceView};
use super::theme::instance;
use crate::metrics::IntervalRow;
use crate::model::instance::InstanceState;

mod layout;

pub use self::layout::{
    CellLook, GRID_MAX_HEIGHT, GridLayout, MAX_PITCH, MIN_PITCH, cell_look, cell_tooltip,
    grid_layout, queue_fraction, state_label,
};
use self::layout::{Columns, HEAD, MIN_WIDTH, PAD, ROW_GAP, rate_text};

/// Draws an arrow from `from` to `to` with a head of fixed size.
fn paint_arrow(painter: &egui::Painter, from: Pos2, to: Pos2, stroke: Stroke) {
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
fn paint_cell(painter: &egui::Painter, rect: Rect, inst: &InstanceView) {
    let look = cell_look(inst.state, inst.busy, inst.workers);
    let radius = (rect.width() * 0.2).min(3.0);
    painter.rect_filled(rect, radius, look.fill);
    if let Some(c) = look.outline {
        painter.rect_stroke(rect, radius, Stroke::new(1.0, c), StrokeKind::Inside);
    }
    if look.cross {
        let r = rect.shrink(rect.width() * 0.2);
        let s = Stroke::new(1.0, instance::CROSS);
        painter.line_segment([r.left_top(), r.right_bottom()], s);
        painter.line_segment([r.right_top(), r.left_bottom()], s);
    }
    let q = queue_fraction(inst.queued as usize, inst.queue_capacity);
    if q > 0.0 {
        // A dark bar along the bottom, as long as the queue is full: dark reads on every
        // state colour in both themes.
        let h = (rect.height() * 0.25).max(2.0);
        let bar = Rect::from_min_size(
            pos2(rect.left(), rect.bottom() - h),
            vec2(rect.width() * q, h),
        );
        painter.rect_filled(bar, 0.0, instance::QUEUE_BAR);
    }
}

/// One legend entry: what its swatch shows.
#[derive(Clone, Copy)]
enum Swatch {
    Ramp,
    State(InstanceState),
    Queue,
}

/// Draws the services of `fleet` (the world at one moment) as a graph: the clients, then
/// tier by tier each service's balancer and pool (a pool per shard of a sharded one) with
/// its instances, and an arrow for every call (dashed: asynchronous). Framed in the
/// design's `colour`; `row` is the metrics interval that ends at that moment (its arrival
/// rate and p99 label the clients). Returns the service clicked, if one was.
pub fn topology_ui(
    ui: &mut Ui,
    fleet: &Fleet,
    row: Option<&IntervalRow>,
    colour: Color32,
) -> Option<String> {
    let pools = &fleet.pools;
    if pools.is_empty() {
        ui.label(RichText::new("This design has no pools.").weak());
        return None;
    }
    let graph = &fleet.graph;
    // Each pool's tier, from its service's (a fleet without a graph is one tier).
    let service_tiers = graph.tiers();
    let pool_tier: Vec<usize> = (0..pools.len())
        .map(|i| {
            graph
                .service_of(i)
                .and_then(|(s, _)| service_tiers.get(s).copied())
                .unwrap_or(0)
        })
        .collect();
    let tiers = pool_tier.iter().max().map_or(1, |t| t + 1);
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
    let all_cols = Columns::tiers(0.0, width, tiers);
    let col_of = |i: usize| &all_cols[pool_tier[i].min(all_cols.len() - 1)];
    let drawn: Vec<&[InstanceView]> = pools.iter().map(|p| p.instances.as_slice()).collect();
    let grids: Vec<GridLayout> = drawn
        .iter()
        .enumerate()
        .map(|(i, d)| grid_layout(d.len(), col_of(i).pool_w - 2.0 * PAD, GRID_MAX_HEIGHT))
        .collect();
    let zones = &graph.zones;
    let compact = all_cols[0].balancer_w < 80.0;
    // Each pool's status line, wrapped to its box (narrow tiers take two lines or more).
    let statuses: Vec<std::sync::Arc<egui::Galley>> = pools
        .iter()
        .enumerate()
        .map(|(i, pool)| {
            let service = graph.service_of(i);
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
            if let Some(pr) = row.and_then(|r| r.pools.get(i)) {
                status.push_str(&format!(" · utilisation {:.0}%", pr.utilisation * 100.0));
            }
            if let Some((s, Some(k))) = service {
                status.push_str(&format!(
                    " · shard {} of {} by key",
                    k + 1,
                    graph.services[s].pools.len()
                ));
            }
            if zones.len() > 1 {
                // Instances per zone: what an outage there would take.
                let per: Vec<String> = zones
                    .iter()
                    .enumerate()
                    .filter_map(|(z, name)| {
                        let n = drawn[i]
                            .iter()
                            .filter(|x| {
                                usize::from(x.zone) == z && x.state != InstanceState::Failed
                            })
                            .count();
                        (n > 0).then(|| format!("{name} {n}"))
                    })
                    .collect();
                status.push_str(&format!(" · zones {}", per.join(", ")));
            }
            if compact {
                // The balancer's box is too narrow to name its algorithm.
                status.push_str(&format!(" · {:?} balancer", pool.balancer));
            }
            ui.painter()
                .layout(status, small.clone(), text, col_of(i).pool_w - 2.0 * PAD)
        })
        .collect();
    let header_h = |i: usize| body_h + statuses[i].size().y + 4.0;
    let balancer_h = small_h + body_h + small_h + 2.0 * PAD;
    let row_heights: Vec<f32> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| (PAD + header_h(i) + g.height().max(MIN_PITCH as f32) + PAD).max(balancer_h))
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

    // Each tier stacks its pools; the tallest tier sets the height, the others are
    // centred on it.
    let tier_h: Vec<f32> = (0..tiers)
        .map(|t| {
            let hs: Vec<f32> = (0..pools.len())
                .filter(|i| pool_tier[*i] == t)
                .map(|i| row_heights[i])
                .collect();
            hs.iter().sum::<f32>() + ROW_GAP * hs.len().saturating_sub(1) as f32
        })
        .collect();
    let rows_h: f32 = tier_h.iter().copied().fold(0.0, f32::max);
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

    let last = row;
    // The pools are widgets of their own on top (to click, and for screen readers and
    // tests to find by name), so the pointer is read directly.
    let hover = ui
        .ctx()
        .pointer_hover_pos()
        .filter(|p| response.rect.contains(*p) && ui.clip_rect().contains(*p));
    let mut tooltip: Option<String> = None;

    // Pool rows first: the clients box is centred on the entries'.
    let mut tops: Vec<f32> = tier_h
        .iter()
        .map(|h| origin.y + PAD + (rows_h - h) / 2.0)
        .collect();
    let mut balancer_lefts = Vec::with_capacity(pools.len());
    let mut pool_rects = Vec::with_capacity(pools.len());
    let mut clicked = None;
    let mut pool_responses = Vec::with_capacity(pools.len());
    for (i, pool) in pools.iter().enumerate() {
        let cols = col_of(i);
        let top = tops[pool_tier[i]];
        tops[pool_tier[i]] += row_heights[i] + ROW_GAP;
        let row = Rect::from_min_size(
            pos2(cols.pool_x + off.x, top),
            vec2(cols.pool_w, row_heights[i]),
        );
        pool_rects.push(row);
        let mid_y = row.center().y;
        let bal = Rect::from_center_size(
            pos2(cols.balancer_x + off.x + cols.balancer_w / 2.0, mid_y),
            vec2(cols.balancer_w, balancer_h),
        );
        balancer_lefts.push(bal.left_center());
        let service = graph.service_of(i);
        let service_name = match service {
            Some((s, _)) => graph.services[s].name.clone(),
            None => pool.name.to_string(),
        };
        let r = ui.interact(
            row.union(bal),
            response.id.with(("pool", i)),
            Sense::click(),
        );
        let label = format!("service {}", pool.name);
        r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
        if r.clicked() {
            clicked = Some(service_name.clone());
        }
        pool_responses.push(r);

        // Balancer.
        painter.rect(bal, 4.0, box_fill, box_stroke, StrokeKind::Inside);
        let bp = painter.with_clip_rect(bal.intersect(painter.clip_rect()));
        if compact {
            bp.text(
                bal.center(),
                Align2::CENTER_CENTER,
                "LB",
                small.clone(),
                strong,
            );
            if let Some(pos) = hover
                && bal.contains(pos)
            {
                tooltip = Some(format!(
                    "{}'s balancer: {:?}, to {} in service",
                    pool.name, pool.balancer, pool.in_service
                ));
            }
        } else {
            let lines = [
                ("balancer".to_owned(), &small, weak, small_h),
                (format!("{:?}", pool.balancer), &body, strong, body_h),
                (
                    format!("to {} in service", pool.in_service),
                    &small,
                    text,
                    small_h,
                ),
            ];
            let mut ty = bal.top() + PAD;
            for (line, font, colour, h) in lines {
                bp.text(
                    pos2(bal.left() + PAD, ty),
                    Align2::LEFT_TOP,
                    line,
                    font.clone(),
                    colour,
                );
                ty += h;
            }
        }
        paint_arrow(
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
            pool.name, pool.instance_type, pool.vcpus
        );
        pp.text(
            pos2(row.left() + PAD, row.top() + PAD),
            Align2::LEFT_TOP,
            title,
            body.clone(),
            strong,
        );
        pp.galley(
            pos2(row.left() + PAD, row.top() + PAD + body_h + 2.0),
            statuses[i].clone(),
            text,
        );

        // Instance cells.
        let grid = grids[i];
        let grid_origin = pos2(row.left() + PAD, row.top() + PAD + header_h(i));
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
            let inst = &drawn[i][k];
            pp.rect_stroke(
                grid.cell_rect(grid_origin, k).expand(1.0),
                2.0,
                Stroke::new(1.5, strong),
                StrokeKind::Outside,
            );
            let mut t = cell_tooltip(
                inst.id,
                inst.state,
                inst.busy,
                inst.workers,
                inst.queued as usize,
                inst.queue_capacity,
            );
            if zones.len() > 1
                && let Some(z) = zones.get(usize::from(inst.zone))
            {
                t.push_str(&format!(" · zone {z}"));
            }
            tooltip = Some(t);
        } else if let Some(pos) = hover
            && row.contains(pos)
            && pos.y < grid_origin.y
        {
            tooltip = Some(format!(
                "{}: {} in service could serve {} at 100% utilisation. Click to show {} in the plots.",
                pool.name,
                pool.in_service,
                rate_text(pool.capacity_per_sec),
                service.map_or(pool.name.as_ref(), |(s, _)| graph.services[s].name.as_str()),
            ));
        }
    }

    // Calls: from the caller's pool to the balancer of each pool of the service called
    // (every shard of a sharded one); dashed when the caller does not wait on its worker.
    for s in &graph.services {
        for &(to, sync) in &s.calls {
            let Some(callee) = graph.services.get(to) else {
                continue;
            };
            for &from in &s.pools {
                for &p in &callee.pools {
                    let (Some(a), Some(b)) = (pool_rects.get(from), balancer_lefts.get(p)) else {
                        continue;
                    };
                    let start = a.right_center();
                    if sync {
                        paint_arrow(&painter, start, *b, line_stroke);
                    } else {
                        painter.add(egui::Shape::dashed_line(
                            &[start, *b],
                            line_stroke,
                            6.0,
                            4.0,
                        ));
                        paint_arrow(
                            &painter,
                            *b - (*b - start).normalized() * HEAD,
                            *b,
                            line_stroke,
                        );
                    }
                }
            }
        }
    }

    // Clients, centred on the entries, with an arrow to each entry's balancer (every
    // balancer when the fleet has no graph).
    let entry_lefts: Vec<Pos2> = balancer_lefts
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            graph.services.is_empty()
                || graph
                    .service_of(*i)
                    .is_some_and(|(s, _)| graph.services[s].entry)
        })
        .map(|(_, p)| *p)
        .collect();
    let first = entry_lefts.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    let end = entry_lefts.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let (first, end) = if entry_lefts.is_empty() {
        (origin.y + total_h / 2.0, origin.y + total_h / 2.0)
    } else {
        (first, end)
    };
    let cols = &all_cols[0];
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
            format!("p99 {:.3} s (interval)", r.latency.p99),
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
    for b in &entry_lefts {
        let from = pos2(
            clients.right(),
            b.y.clamp(clients.top() + 4.0, clients.bottom() - 4.0),
        );
        paint_arrow(&painter, from, *b, line_stroke);
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
                    painter.rect_filled(r, 2.0, instance::load_colour(k as f32 / 2.0));
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
                    let s = Stroke::new(1.0, instance::CROSS);
                    painter.line_segment([r.left_top(), r.right_bottom()], s);
                    painter.line_segment([r.right_top(), r.left_bottom()], s);
                }
            }
            Swatch::Queue => {
                let r = Rect::from_min_size(pos2(p.x, cy - 5.0), vec2(10.0, 10.0));
                painter.rect_filled(r, 2.0, instance::load_colour(0.0));
                let bar = Rect::from_min_size(pos2(r.left(), r.bottom() - 3.0), vec2(6.0, 3.0));
                painter.rect_filled(bar, 0.0, instance::QUEUE_BAR);
            }
        }
        painter.galley(pos2(p.x + w + 4.0, p.y), galley, weak);
    }

    if let Some(t) = tooltip {
        match pool_responses.into_iter().find(|r| r.hovered()) {
            Some(r) => {
                r.on_hover_text_at_pointer(t);
            }
            None => {
                response.on_hover_text_at_pointer(t);
            }
        }
    }
    clicked
}
