//! What a sweep varies: `--set PATH=VALUES`, where PATH names any field of a scenario
//! (`pools.web.size.max`, `workload.rate.per_sec`, `pools.db.shards.count`) and VALUES is a
//! list (`2,2.4,2.8`) or a range (`10..40:10`). A scenario is edited through its serde
//! form, so every field a file can hold can be swept, and a bad path says which names
//! would do.

use serde_json::Value;

use crate::scenario::ScenarioFile;

/// One `--set`: a path and the values it takes, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The path, as written (`pools.web.size.max`).
    pub path: String,
    /// The values, as JSON (numbers, booleans, strings).
    pub values: Vec<Value>,
}

/// Parses `PATH=VALUES`: VALUES is `a,b,c` or `from..to:step` (both ends included).
pub fn parse_setting(s: &str) -> Result<Setting, String> {
    let (path, values) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=VALUES, got `{s}`"))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("no path before `=` in `{s}`"));
    }
    let values = values.trim();
    let list = if let Some((range, step)) = values.split_once(':')
        && let Some((from, to)) = range.split_once("..")
    {
        let num = |t: &str| {
            t.trim()
                .parse::<f64>()
                .map_err(|_| format!("{path}: `{t}` in `{values}` is not a number"))
        };
        let (from, to, step) = (num(from)?, num(to)?, num(step)?);
        if !step.is_finite() || step <= 0.0 || to < from {
            return Err(format!(
                "{path}: a range is from..to:step with from <= to and step > 0, got `{values}`"
            ));
        }
        let n = ((to - from) / step + 1e-9).floor() as u64 + 1;
        if n > 10_000 {
            return Err(format!("{path}: `{values}` has {n} values; at most 10,000"));
        }
        (0..n).map(|k| number(from + k as f64 * step)).collect()
    } else {
        values
            .split(',')
            .map(|v| literal(v.trim()))
            .collect::<Vec<_>>()
    };
    if list.is_empty() || list.iter().any(|v| v == &Value::String(String::new())) {
        return Err(format!("{path}: no value in `{values}`"));
    }
    Ok(Setting {
        path: path.to_owned(),
        values: list,
    })
}

/// A number as JSON: whole numbers as integers (fields such as `max` are counts).
fn number(x: f64) -> Value {
    // Rounded to the range's own decimals: 0.1 steps give 0.3, not 0.30000000000000004.
    let r = (x * 1e9).round() / 1e9;
    if r.fract() == 0.0 && r.abs() < 9e15 {
        Value::from(r as i64)
    } else {
        Value::from(r)
    }
}

/// A value as written: a number, `true`/`false`, or else a string.
fn literal(t: &str) -> Value {
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match t.parse::<f64>() {
            Ok(x) => number(x),
            Err(_) => Value::String(t.trim_matches('"').to_owned()),
        },
    }
}

/// `file` with the field at `path` set to `value`. In a list (`pools`, `classes`) a
/// segment is an element's `name` or its index; an enum's variant (`Constant(..)`,
/// `TargetTracking(..)`) and `Some(..)` are looked through, so paths name fields as a
/// scenario writes them. Errors name the path and list what would do at that level.
pub fn apply(file: &ScenarioFile, path: &str, value: &Value) -> Result<ScenarioFile, String> {
    let mut root = serde_json::to_value(file).map_err(|e| e.to_string())?;
    let segments: Vec<&str> = path.split('.').collect();
    let mut node = &mut root;
    for (k, seg) in segments.iter().enumerate() {
        let here = segments[..k].join(".");
        let at = if here.is_empty() {
            "the top level"
        } else {
            &here
        };
        node = step(node, seg, at)?;
    }
    *node = value.clone();
    serde_json::from_value(root).map_err(|e| format!("{path} = {value}: {e}"))
}

/// One segment down from `node`.
fn step<'a>(node: &'a mut Value, seg: &str, at: &str) -> Result<&'a mut Value, String> {
    // An externally tagged enum value is `{"Variant": {...}}`: look through the variant.
    let through = matches!(&*node, Value::Object(m)
        if m.len() == 1
            && !m.contains_key(seg)
            && m.keys().next().is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase())));
    if through {
        if let Value::Object(m) = node
            && let Some(v) = m.values_mut().next()
        {
            return step(v, seg, at);
        }
        return Err(format!("nothing at {at}"));
    }
    match node {
        Value::Object(m) => {
            if !m.contains_key(seg) {
                let mut names: Vec<&str> = m.keys().map(String::as_str).collect();
                names.sort_unstable();
                return Err(format!(
                    "no field `{seg}` at {at}; the fields there are: {}",
                    names.join(", ")
                ));
            }
            m.get_mut(seg).ok_or_else(|| format!("nothing at {at}"))
        }
        Value::Array(items) => {
            let by_name = items
                .iter()
                .position(|v| v.get("name").and_then(Value::as_str) == Some(seg));
            let i = by_name.or_else(|| seg.parse::<usize>().ok().filter(|i| *i < items.len()));
            match i {
                Some(i) => Ok(&mut items[i]),
                None => {
                    let names: Vec<String> = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            v.get("name")
                                .and_then(Value::as_str)
                                .map_or(i.to_string(), str::to_owned)
                        })
                        .collect();
                    Err(format!(
                        "no `{seg}` in {at}; name one of: {} (or give its index)",
                        names.join(", ")
                    ))
                }
            }
        }
        Value::Null => Err(format!(
            "{at} is not set in this scenario, so it has no `{seg}`: write it in the file first"
        )),
        other => Err(format!("{at} is a value ({other}), it has no `{seg}`")),
    }
}

/// Every combination of the settings' values (the first setting varies slowest), each as
/// the list of (path, value) it sets.
pub fn grid(settings: &[Setting]) -> Vec<Vec<(String, Value)>> {
    let mut points: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    for s in settings {
        points = points
            .into_iter()
            .flat_map(|p| {
                s.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((s.path.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Source, parse};

    fn file() -> ScenarioFile {
        let text = r#"(
            name: "s",
            duration_secs: 600,
            workload: (
                rate: Constant(per_sec: 20),
                classes: [(name: "page", demand: Exponential(mean_secs: 0.05))],
            ),
            pools: [
                (name: "web", instance: "m5.large", size: (min: 2, max: 4),
                 autoscale: TargetTracking(metric: Cpu, target: 0.6)),
                (name: "db", instance: "m5.large", size: (min: 1, max: 1)),
            ],
        )"#;
        parse(&Source::inline("s.ron", text)).unwrap()
    }

    #[test]
    fn values_are_lists_or_ranges() {
        let s = parse_setting("pools.web.size.max=10..40:10").unwrap();
        assert_eq!(s.path, "pools.web.size.max");
        assert_eq!(
            s.values,
            vec![
                Value::from(10),
                Value::from(20),
                Value::from(30),
                Value::from(40)
            ]
        );
        let s = parse_setting("workload.rate.per_sec=2,2.4,2.8").unwrap();
        assert_eq!(
            s.values,
            vec![Value::from(2), Value::from(2.4), Value::from(2.8)]
        );
        let s = parse_setting("x=0.1..0.3:0.1").unwrap();
        assert_eq!(
            s.values,
            vec![Value::from(0.1), Value::from(0.2), Value::from(0.3)]
        );
        assert!(parse_setting("no-equals").is_err());
        assert!(parse_setting("x=5..1:1").is_err());
        assert!(parse_setting("x=1..5:0").is_err());
    }

    #[test]
    fn a_path_names_fields_as_a_scenario_writes_them() {
        let f = file();
        let g = apply(&f, "pools.web.size.max", &Value::from(40)).unwrap();
        assert_eq!(g.pools[0].size.max, 40);
        // Through the enum variants Constant(..) and TargetTracking(..).
        let g = apply(&f, "workload.rate.per_sec", &Value::from(35)).unwrap();
        assert!(format!("{:?}", g.workload.rate).contains("35"));
        let g = apply(&f, "pools.web.autoscale.target", &Value::from(0.8)).unwrap();
        assert!(format!("{:?}", g.pools[0].autoscale).contains("0.8"));
        // By index too.
        let g = apply(&f, "pools.1.size.max", &Value::from(3)).unwrap();
        assert_eq!(g.pools[1].size.max, 3);
    }

    #[test]
    fn a_bad_path_names_what_would_do() {
        let f = file();
        let e = apply(&f, "pools.cache.size.max", &Value::from(1)).unwrap_err();
        assert!(
            e.contains("no `cache` in pools; name one of: web, db"),
            "{e}"
        );
        let e = apply(&f, "pools.web.sise.max", &Value::from(1)).unwrap_err();
        assert!(e.contains("no field `sise` at pools.web"), "{e}");
        assert!(e.contains("size"), "{e}");
        let e = apply(&f, "no.such.path", &Value::from(1)).unwrap_err();
        assert!(e.contains("no field `no` at the top level"), "{e}");
        // A wrong type is the field's own error.
        let e = apply(&f, "pools.web.size.max", &Value::from("many")).unwrap_err();
        assert!(e.contains("pools.web.size.max"), "{e}");
        // Unset options cannot be reached into.
        let e = apply(&f, "pools.db.autoscale.target", &Value::from(0.5)).unwrap_err();
        assert!(e.contains("not set"), "{e}");
    }

    #[test]
    fn the_grid_is_every_combination() {
        let a = parse_setting("a=1,2").unwrap();
        let b = parse_setting("b=x,y,z").unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(
            g[0],
            vec![("a".into(), Value::from(1)), ("b".into(), Value::from("x"))]
        );
        assert_eq!(g[5][0].1, Value::from(2));
    }
}
