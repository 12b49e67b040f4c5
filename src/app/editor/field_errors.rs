//! Errors shown beside the field they are about, with the field marked.
//!
//! The checker names the field of each problem by its path in the scenario
//! (`pools[0].autoscale.target`, see [`crate::model::config::FieldPath`]). A section of
//! the editor says which part of the scenario its rows edit (its prefix, `pools[0]`);
//! each row matches its label against the errors under that prefix ("duration h" is
//! `duration_secs`, "SLO latency s" is `slo.latency_secs`, "min" is `size.min`). What
//! no row claims is listed at the end of the section, in full.

use egui::{Id, Response, Stroke, Ui};

/// One problem: the path of its field (if known) and what is wrong, without the path.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct FieldError {
    /// `pools[0].size.min`.
    pub path: Option<String>,
    /// What is wrong: "must be a positive number, got 0".
    pub problem: String,
    /// The whole message, for the list when no row shows it.
    pub message: String,
}

/// What the rows of the section being drawn look up.
#[derive(Clone, Debug, Default)]
struct Context {
    prefix: String,
    errors: Vec<FieldError>,
    /// Which errors a row has shown this frame.
    shown: Vec<bool>,
}

fn id() -> Id {
    Id::unique("scalesim editor field errors")
}

/// Starts a section whose rows edit the fields under `prefix` ("" for the top level).
pub(super) fn begin_section(ui: &Ui, prefix: &str, errors: &[FieldError]) {
    let ctx = Context {
        prefix: prefix.to_owned(),
        errors: errors.to_vec(),
        shown: vec![false; errors.len()],
    };
    ui.data_mut(|d| d.insert_temp(id(), ctx));
}

/// Changes the prefix within a section (the policy's rows under the pool's).
pub(super) fn set_prefix(ui: &Ui, prefix: &str) {
    ui.data_mut(|d| d.get_temp_mut_or_default::<Context>(id()).prefix = prefix.to_owned());
}

/// The errors of the section that no row showed (to list at its end).
pub(super) fn unclaimed(ui: &Ui) -> Vec<String> {
    ui.data(|d| d.get_temp::<Context>(id()))
        .map(|c| {
            c.errors
                .iter()
                .zip(&c.shown)
                .filter(|(_, s)| !**s)
                .map(|(e, _)| e.message.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A row's label as a field name: "SLO latency s" -> "slo_latency", "warm-up s" ->
/// "warmup", "duration h" -> "duration".
fn field_of_label(label: &str) -> String {
    let l = label.trim().to_lowercase();
    let l = [" s", " h", " per sec"]
        .iter()
        .find_map(|unit| l.strip_suffix(unit))
        .unwrap_or(&l)
        .to_owned();
    l.replace('-', "").replace(' ', "_")
}

/// A field name without its unit: "latency_secs" -> "latency", "mttf_hours" -> "mttf".
fn without_unit(field: &str) -> &str {
    ["_secs", "_hours", "_per_sec"]
        .iter()
        .find_map(|unit| field.strip_suffix(unit))
        .unwrap_or(field)
}

/// Whether the error at `path` (relative to the section's prefix) is about the row
/// labelled `label`.
fn matches(relative: &str, label: &str) -> bool {
    let want = field_of_label(label);
    // The whole relative path, its dots as underscores: `slo.latency_secs` is
    // "slo_latency"; `duration_secs` is "duration".
    let flat = relative.replace('.', "_").replace('-', "");
    if without_unit(&flat) == want {
        return true;
    }
    // A nested field without list indices, by its last name: `size.min` is "min".
    if !relative.contains('[') {
        let last = relative.rsplit('.').next().unwrap_or(relative);
        if without_unit(last).replace('-', "") == want {
            return true;
        }
    }
    // A pool's size is checked as a whole ("min is greater than max"): both bounds.
    relative == "size" && matches!(want.as_str(), "min" | "max")
}

/// After the row whose widget is `response` (labelled `label`) in a two-column grid:
/// marks the widget and adds a row with its errors, if any. Call after `end_row`.
pub(super) fn row_errors_ui(ui: &mut Ui, label: &str, response: &Response) {
    let Some(mut c) = ui.data(|d| d.get_temp::<Context>(id())) else {
        return;
    };
    let mut mine = Vec::new();
    for (k, e) in c.errors.iter().enumerate() {
        let Some(path) = &e.path else { continue };
        let relative = if c.prefix.is_empty() {
            Some(path.as_str())
        } else {
            path.strip_prefix(&c.prefix)
                .and_then(|r| r.strip_prefix('.'))
        };
        if relative.is_some_and(|r| matches(r, label)) {
            c.shown[k] = true;
            mine.push(e.problem.clone());
        }
    }
    if mine.is_empty() {
        return;
    }
    let colour = ui.visuals().error_fg_color;
    ui.painter().rect_stroke(
        response.rect.expand(2.0),
        3.0,
        Stroke::new(1.5, colour),
        egui::StrokeKind::Outside,
    );
    for problem in mine {
        ui.label("");
        ui.colored_label(colour, format!("{label}: {problem}"));
        ui.end_row();
    }
    ui.data_mut(|d| d.insert_temp(id(), c));
}

/// The problem of a message, without the path and context in front: "pool \"web\":
/// autoscale: target: must be a positive number, got 0" -> "must be a positive number,
/// got 0"; "size: min 5 is greater than max 3" -> "min 5 is greater than max 3".
pub(super) fn problem_of(message: &str) -> String {
    // The context is a chain of "name: " parts; the problem is what follows the last
    // part that has no space in it or is a quoted pool.
    let mut rest = message;
    while let Some((head, tail)) = rest.split_once(": ") {
        let context = !head.contains(' ') || head.starts_with("pool \"");
        if !context {
            break;
        }
        rest = tail;
    }
    rest.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_find_their_fields_by_label() {
        assert!(matches("duration_secs", "duration h"));
        assert!(matches("slo.latency_secs", "SLO latency s"));
        assert!(matches("size.min", "min"));
        assert!(matches("size", "max"));
        assert!(matches("warmup_secs", "warm-up s"));
        assert!(matches("target", "target"));
        // Not the target's neighbour, and not a schedule's min.
        assert!(!matches("disable_scale_in", "target"));
        assert!(!matches("schedule[0].min", "min"));
    }

    #[test]
    fn a_problem_loses_its_path() {
        assert_eq!(
            problem_of("pool \"web\": autoscale: target: must be a positive number, got 0"),
            "must be a positive number, got 0"
        );
        assert_eq!(
            problem_of("size: min 5 is greater than max 3"),
            "min 5 is greater than max 3"
        );
        assert_eq!(
            problem_of("a scenario needs a name"),
            "a scenario needs a name"
        );
    }
}
