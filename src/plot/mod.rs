//! Charts without a screen: `scalesim plot DIR` draws the app's panels from a run's
//! `series.csv`, or from a batch's `bands.csv` (the median line in a band from the 5th to
//! the 95th percentile of the replications), as SVG or PNG with plotters. The panels are
//! the app's, in the same order and colours (`app/plots/panels.rs`; a test keeps the
//! titles equal), read from the CSV columns instead of the recorder's rows.

mod draw;

use std::path::{Path, PathBuf};

pub use draw::{render_png, render_svg};

/// How a column's values are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// As they are.
    One,
    /// A fraction shown in percent.
    Percent,
    /// A count per interval shown per second.
    PerSec,
}

/// One line of a panel.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    /// Its legend name.
    pub label: &'static str,
    /// The `series.csv` column it reads (`dropped` is the sum of the drop columns).
    pub column: &'static str,
    /// Its colour (red, green, blue) when one design is drawn.
    pub rgb: (u8, u8, u8),
    /// How its values are shown.
    pub scale: Scale,
    /// Whether it is drawn when several scenarios share the chart (each then in its
    /// scenario's colour), as the app keeps each plot to its telling lines when comparing.
    pub compare: bool,
}

/// One panel: title, y unit, lines.
#[derive(Clone, Copy, Debug)]
pub struct Panel {
    /// Its title, as the app's.
    pub title: &'static str,
    /// The unit of its y axis.
    pub unit: &'static str,
    /// Its lines.
    pub lines: &'static [Line],
}

// The series colours, as (red, green, blue): the charts' and the app's alike (the app's
// theme, app/theme.rs, builds its own from these, so the two cannot drift apart).
/// The first series of a panel (arrivals, in service, utilisation).
pub const BLUE: (u8, u8, u8) = (66, 135, 245);
/// The second series.
pub const ORANGE: (u8, u8, u8) = (240, 130, 40);
/// The third series, and costs.
pub const GREEN: (u8, u8, u8) = (60, 180, 90);
/// Limits and what went wrong (p99, drops, failed instances).
pub const RED: (u8, u8, u8) = (220, 60, 60);
/// A fourth series.
pub const PURPLE: (u8, u8, u8) = (150, 110, 230);
/// A fifth series (requests the client gave up on).
pub const MAGENTA: (u8, u8, u8) = (200, 80, 200);
/// Context: offered load, desired capacity.
pub const GREY: (u8, u8, u8) = (150, 150, 150);

/// The colours of scenarios (the app's designs) drawn together, in order.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (66, 135, 245),
    (240, 130, 40),
    (60, 180, 90),
    (210, 70, 160),
    (150, 110, 230),
    (200, 170, 40),
];

const fn line(
    label: &'static str,
    column: &'static str,
    rgb: (u8, u8, u8),
    scale: Scale,
    compare: bool,
) -> Line {
    Line {
        label,
        column,
        rgb,
        scale,
        compare,
    }
}

/// The panels, in the app's order.
pub const PANELS: [Panel; 8] = [
    Panel {
        title: "Traffic",
        unit: "requests/s",
        lines: &[
            line("arrivals/s", "arrivals_per_sec", BLUE, Scale::One, true),
            line("capacity/s", "capacity_per_sec", GREEN, Scale::One, true),
            line("offered/s", "offered_per_sec", GREY, Scale::One, false),
        ],
    },
    Panel {
        title: "Latency",
        unit: "seconds",
        lines: &[
            line("p50", "latency_p50_secs", GREEN, Scale::One, false),
            line("p95", "latency_p95_secs", ORANGE, Scale::One, false),
            line("p99", "latency_p99_secs", RED, Scale::One, true),
        ],
    },
    Panel {
        title: "Instances",
        unit: "instances",
        lines: &[
            line("in service", "instances_in_service", BLUE, Scale::One, true),
            line("booting", "instances_booting", ORANGE, Scale::One, false),
            line("draining", "instances_draining", PURPLE, Scale::One, false),
            line("failed", "instances_failed", RED, Scale::One, false),
            line("desired", "desired", GREY, Scale::One, false),
        ],
    },
    Panel {
        title: "Cost",
        unit: "$/hour",
        lines: &[line("$/h", "cost_usd_per_hour", GREEN, Scale::One, true)],
    },
    Panel {
        title: "Cumulative cost",
        unit: "$",
        lines: &[line(
            "$ total",
            "cost_cumulative_usd",
            GREEN,
            Scale::One,
            true,
        )],
    },
    Panel {
        title: "Utilisation",
        unit: "%",
        lines: &[line(
            "busy workers %",
            "utilisation",
            BLUE,
            Scale::Percent,
            true,
        )],
    },
    Panel {
        title: "Queue",
        unit: "requests",
        lines: &[
            line(
                "queued, all instances (mean)",
                "queue_total_mean",
                ORANGE,
                Scale::One,
                true,
            ),
            line(
                "queued per instance (mean)",
                "queue_per_instance_mean",
                PURPLE,
                Scale::One,
                false,
            ),
            line(
                "in flight (mean)",
                "in_flight_mean",
                BLUE,
                Scale::One,
                false,
            ),
        ],
    },
    Panel {
        title: "Drops",
        unit: "requests/s",
        lines: &[
            line(
                "queue full",
                "dropped_queue_full",
                ORANGE,
                Scale::PerSec,
                false,
            ),
            line(
                "no capacity",
                "dropped_no_capacity",
                RED,
                Scale::PerSec,
                false,
            ),
            line("timeout", "dropped_timeout", PURPLE, Scale::PerSec, false),
            line("failure", "dropped_failure", GREY, Scale::PerSec, false),
            line(
                "client timeout",
                "dropped_client_timeout",
                MAGENTA,
                Scale::PerSec,
                false,
            ),
            line("all drops", "dropped", RED, Scale::PerSec, true),
        ],
    },
];

/// A column's values, with their band when there are replications.
#[derive(Clone, Debug, Default)]
pub struct Column {
    /// The value (the median across replications in a batch); NaN where empty.
    pub mid: Vec<f64>,
    /// The 5th and 95th percentiles, in a batch.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// One scenario's series over time.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The scenario's name.
    pub name: String,
    /// Each interval's start, in seconds after the run start.
    pub time_secs: Vec<f64>,
    columns: Vec<(String, Column)>,
}

impl Trace {
    /// The column named `name`, if the file had it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The length of interval `i`, seconds (the last is taken as long as the one before).
    fn interval_secs(&self, i: usize) -> f64 {
        let t = &self.time_secs;
        match (t.get(i), t.get(i + 1)) {
            (Some(a), Some(b)) => b - a,
            _ if i >= 1 && i < t.len() => t[i] - t[i - 1],
            _ => 1.0,
        }
    }

    /// `line`'s values as shown (scaled), with its band's when there is one.
    pub fn points(&self, line: &Line) -> Option<Column> {
        let c = self.column(line.column)?;
        let show = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .enumerate()
                .map(|(i, x)| match line.scale {
                    Scale::One => *x,
                    Scale::Percent => x * 100.0,
                    Scale::PerSec => x / self.interval_secs(i).max(f64::MIN_POSITIVE),
                })
                .collect()
        };
        Some(Column {
            mid: show(&c.mid),
            band: c.band.as_ref().map(|(lo, hi)| (show(lo), show(hi))),
        })
    }
}

/// What a chart shows: a title, the traces, and the objective's latency when known.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    /// The chart's title.
    pub title: String,
    /// A line under it (what the bands are).
    pub subtitle: String,
    /// The SLO's latency in seconds, drawn on the latency panel.
    pub slo_latency_secs: Option<f64>,
    /// The simulated clock, to label the time axis as the app does ("Mon 09:00"; hours
    /// after the start without it).
    pub clock: Option<crate::model::clock::WeekClock>,
    /// One per scenario.
    pub traces: Vec<Trace>,
}

/// Why a chart cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV file is not what a run or batch writes.
    #[error("{path}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder holds no run or batch output.
    #[error(
        "{0}: no series.csv (what `scalesim run` writes) or bands.csv (what `scalesim batch` \
         writes) to plot"
    )]
    NoData(PathBuf),
    /// A batch's bands.csv has no rows: no scenario ran twice.
    #[error(
        "{0}: no bands to draw: a batch writes them for scenarios run at least twice \
         (--replications 2 or more); for one run, plot the folder `scalesim run` writes"
    )]
    NoBands(PathBuf),
    /// The output's extension is neither .svg nor .png.
    #[error("{0}: expected a file name ending in .svg or .png")]
    Format(PathBuf),
    /// plotters failed.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// The chart could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn read(path: &Path) -> Result<String, PlotError> {
    std::fs::read_to_string(path).map_err(|source| PlotError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The rows of a CSV text: its header and each record's fields.
fn csv_rows(path: &Path, text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), PlotError> {
    let bad = |e: csv::Error| PlotError::Csv {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.map(|x| x.iter().map(str::to_owned).collect()))
        .collect::<Result<Vec<Vec<String>>, _>>()
        .map_err(bad)?;
    Ok((header, rows))
}

fn number(s: &str) -> f64 {
    s.trim().parse().unwrap_or(f64::NAN)
}

/// Adds the `dropped` column (every reason added up) to `columns`.
fn add_dropped(columns: &mut Vec<(String, Column)>) {
    let parts: Vec<&Column> = columns
        .iter()
        .filter(|(n, _)| n.starts_with("dropped_"))
        .map(|(_, c)| c)
        .collect();
    let Some(first) = parts.first() else {
        return;
    };
    let sum = |get: &dyn Fn(&Column) -> Option<&Vec<f64>>| -> Option<Vec<f64>> {
        let mut total = vec![0.0; first.mid.len()];
        for c in &parts {
            for (t, x) in total.iter_mut().zip(get(c)?) {
                *t += x;
            }
        }
        Some(total)
    };
    let mid = sum(&|c| Some(&c.mid)).unwrap_or_default();
    // The band of a sum is not the sum of the bands: a batch's all-drops line has none.
    columns.push((
        "dropped".into(),
        Column {
            mid,
            ..Column::default()
        },
    ));
}

/// A run's `series.csv` as a trace named `name`.
fn run_trace(path: &Path, name: &str) -> Result<Trace, PlotError> {
    let (header, rows) = csv_rows(path, &read(path)?)?;
    let at = |col: &str| header.iter().position(|h| h == col);
    let time = at("time_secs").ok_or_else(|| PlotError::Csv {
        path: path.to_path_buf(),
        message: "no time_secs column: not a series.csv".into(),
    })?;
    let mut columns: Vec<(String, Column)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            PANELS
                .iter()
                .any(|p| p.lines.iter().any(|l| l.column == *h))
        })
        .map(|(k, h)| {
            (
                h.clone(),
                Column {
                    mid: rows
                        .iter()
                        .map(|r| r.get(k).map_or(f64::NAN, |s| number(s)))
                        .collect(),
                    band: None,
                },
            )
        })
        .collect();
    add_dropped(&mut columns);
    Ok(Trace {
        name: name.to_owned(),
        time_secs: rows
            .iter()
            .map(|r| r.get(time).map_or(f64::NAN, |s| number(s)))
            .collect(),
        columns,
    })
}

/// A batch's `bands.csv`: a trace per scenario, each column with its band.
fn batch_traces(path: &Path) -> Result<Vec<Trace>, PlotError> {
    let (header, rows) = csv_rows(path, &read(path)?)?;
    if header.get(..3) != Some(&["index".to_owned(), "scenario".into(), "time_secs".into()]) {
        return Err(PlotError::Csv {
            path: path.to_path_buf(),
            message: "not a bands.csv (it starts index,scenario,time_secs)".into(),
        });
    }
    let mut traces: Vec<(String, Trace, Vec<Vec<f64>>)> = Vec::new();
    for r in &rows {
        let (index, name) = (r[0].clone(), r[1].clone());
        if traces.last().is_none_or(|(i, _, _)| *i != index) {
            traces.push((
                index.clone(),
                Trace {
                    name,
                    ..Trace::default()
                },
                vec![Vec::new(); header.len()],
            ));
        }
        if let Some((_, t, values)) = traces.last_mut() {
            t.time_secs.push(number(&r[2]));
            for (k, v) in values.iter_mut().enumerate().skip(3) {
                v.push(r.get(k).map_or(f64::NAN, |s| number(s)));
            }
        }
    }
    Ok(traces
        .into_iter()
        .map(|(_, mut t, values)| {
            let at = |col: String| header.iter().position(|h| *h == col);
            let columns = PANELS
                .iter()
                .flat_map(|p| p.lines.iter())
                .filter_map(|l| {
                    let p50 = at(format!("{}_p50", l.column))?;
                    let lo = at(format!("{}_p5", l.column))?;
                    let hi = at(format!("{}_p95", l.column))?;
                    Some((
                        l.column.to_owned(),
                        Column {
                            mid: values[p50].clone(),
                            band: Some((values[lo].clone(), values[hi].clone())),
                        },
                    ))
                })
                .collect();
            t.columns = columns;
            add_dropped(&mut t.columns);
            t
        })
        .collect())
}

/// When `path` was last written (None if it is not a file).
fn modified(path: &Path) -> Option<std::time::SystemTime> {
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| m.modified().ok()).flatten()
}

/// What `dir` holds, ready to draw: a run's output (`series.csv`, named by its
/// `summary.json`) or a batch's (`bands.csv`, a trace per scenario). A folder a run and
/// then a batch wrote to (or the other way round) is drawn from the newer of the two.
pub fn load(dir: &Path) -> Result<Figure, PlotError> {
    let series = dir.join("series.csv");
    let bands = dir.join("bands.csv");
    let run_is_newer = match (modified(&series), modified(&bands)) {
        (Some(s), Some(b)) => s >= b,
        (s, _) => s.is_some(),
    };
    if run_is_newer {
        let summary: Option<serde_json::Value> = read(&dir.join("summary.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let field = |path: &[&str]| {
            let mut v = summary.as_ref()?;
            for p in path {
                v = v.get(p)?;
            }
            Some(v.clone())
        };
        let name = field(&["scenario"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| dir.display().to_string());
        let seed = field(&["seed"]).and_then(|v| v.as_u64());
        let trace = run_trace(&series, &name)?;
        return Ok(Figure {
            title: name.clone(),
            subtitle: match seed {
                Some(s) => format!("one run, seed {s}"),
                None => "one run".into(),
            },
            slo_latency_secs: field(&["slo", "latency_secs"]).and_then(|v| v.as_f64()),
            clock: field(&["start"])
                .and_then(|v| crate::model::clock::WeekClock::parse(v.as_str()?).ok()),
            traces: vec![trace],
        });
    }
    if bands.is_file() {
        let traces = batch_traces(&bands)?;
        if traces.is_empty() {
            return Err(PlotError::NoBands(bands));
        }
        let results: Vec<serde_json::Value> = read(&dir.join("results.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        // The results of the scenarios drawn (those that ran at least twice).
        let drawn: Vec<&serde_json::Value> = results
            .iter()
            .filter(|r| {
                let name = r.get("scenario").and_then(|s| s.as_str());
                traces.iter().any(|t| Some(t.name.as_str()) == name)
            })
            .collect();
        let counts: Vec<usize> = drawn
            .iter()
            .filter_map(|r| r.get("seeds")?.as_array().map(Vec::len))
            .collect();
        let runs = counts
            .first()
            .copied()
            .filter(|n| counts.iter().all(|c| c == n));
        // The clock, if every scenario drawn starts at the same time.
        let starts: Vec<&str> = drawn
            .iter()
            .filter_map(|r| r.get("start")?.as_str())
            .collect();
        let clock = match starts.first() {
            Some(first) if starts.iter().all(|s| s == first) => {
                crate::model::clock::WeekClock::parse(first).ok()
            }
            _ => None,
        };
        let title = match traces.as_slice() {
            [one] => one.name.clone(),
            many => format!("{} scenarios", many.len()),
        };
        let what = match runs {
            Some(n) => format!("{n} replications"),
            None => "the replications".into(),
        };
        return Ok(Figure {
            title,
            subtitle: format!(
                "line: median of {what}; band: their 5th to 95th percentile, interval by interval"
            ),
            slo_latency_secs: None,
            clock,
            traces,
        });
    }
    Err(PlotError::NoData(dir.to_path_buf()))
}

/// Draws `figure` to `out`, SVG or PNG by its extension, through a temporary file so a
/// failure leaves no half-written chart.
pub fn write(figure: &Figure, out: &Path) -> Result<(), PlotError> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("svg") => render_svg(figure)?.into_bytes(),
        Some("png") => render_png(figure)?,
        _ => return Err(PlotError::Format(out.to_path_buf())),
    };
    crate::metrics::output::write_atomic(out, &bytes).map_err(|source| PlotError::Write {
        path: out.to_path_buf(),
        source,
    })
}
