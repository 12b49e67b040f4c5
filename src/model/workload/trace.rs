//! Replaying recorded traffic. A trace is a CSV of `time_secs` and either `rate_per_sec`
//! (the rate at that instant) or `count` (requests in the bucket that starts there). It is
//! read row by row and only as far as the run needs, then turned into rate knots: flat
//! steps or straight lines, cut to a window of trace time, moved to a run second and
//! scaled. `docs/traces.md` describes the format and every option.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::curve::{CurveError, Knot, RateProfile};

/// What a trace's value column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceColumn {
    /// `rate_per_sec`: requests per second at that instant (a sample of the rate).
    RatePerSec,
    /// `count`: requests in the bucket from this row's time to the next row's (the last
    /// bucket is as wide as the one before it).
    Count,
}

/// How the rows of a trace are joined into a rate between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceShape {
    /// Flat from one row to the next: a `rate_per_sec` row holds until the next row; a
    /// `count` row is spread evenly over its bucket, so every bucket gets exactly its
    /// count. The default for `count` columns: a count is a total over its bucket and says
    /// nothing of how requests were spread inside it.
    Steps,
    /// Straight lines between rows: `rate_per_sec` samples are joined directly; a `count`
    /// row becomes its bucket's mean rate (count / width) at the bucket's middle. The
    /// default for `rate_per_sec` columns, which sample a rate that moves continuously.
    /// On coarse counts (hourly) it avoids a jump at every bucket boundary; with equal
    /// buckets the total over the trace is unchanged, but a single bucket's own total moves
    /// by an eighth of its difference with each neighbour (`docs/traces.md` works it out).
    Smooth,
}

impl TraceShape {
    /// The shape a column gets when the scenario does not choose one.
    pub fn default_for(column: TraceColumn) -> TraceShape {
        match column {
            TraceColumn::RatePerSec => TraceShape::Smooth,
            TraceColumn::Count => TraceShape::Steps,
        }
    }
}

/// The stretch of trace time (seconds, as in the file's `time_secs`) a run replays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceSpan {
    /// The first trace second that plays.
    pub from_secs: f64,
    /// The last trace second that plays; rows after the first one past it are not read.
    pub until_secs: f64,
}

/// The rows of a trace that a [`TraceSpan`] needs: at most two rows before its start (for
/// the rate at the start and a last bucket's width), every row inside it, and the first
/// row past its end (which closes the last bucket).
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRows {
    /// What the value column holds.
    pub column: TraceColumn,
    /// `(time_secs, value)` in strictly increasing time.
    pub rows: Vec<(f64, f64)>,
    /// Whether the file ended before the span did (the rows then run to the trace's end).
    pub complete: bool,
    /// Data rows read from the file, kept or not (reading stops once the span is covered).
    pub rows_read: u64,
}

/// Reads a trace CSV from `input` (called `label` in messages) as far as `span` needs.
/// Lines starting with `#` are comments. Every row read is checked: times must be numbers
/// >= 0 that increase, values finite numbers >= 0; errors name `label:line` and the value.
pub fn read_trace(input: impl Read, label: &str, span: TraceSpan) -> Result<TraceRows, CurveError> {
    let bad = |reason: String| CurveError::Invalid {
        curve: "Trace",
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("{label}: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(t_col) = col("time_secs") else {
        return Err(bad(format!(
            "{label}: the header needs a time_secs column (it has: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    // rate_per_sec wins when a file has both (as it always has).
    let (v_col, column, v_name) = match (col("rate_per_sec"), col("count")) {
        (Some(c), _) => (c, TraceColumn::RatePerSec, "rate_per_sec"),
        (None, Some(c)) => (c, TraceColumn::Count, "count"),
        (None, None) => {
            return Err(bad(format!(
                "{label}: the header needs a rate_per_sec or a count column"
            )));
        }
    };
    let mut lead: Vec<(f64, f64)> = Vec::with_capacity(2);
    let mut rows: Vec<(f64, f64)> = Vec::new();
    let mut last: Option<f64> = None;
    let mut rows_read = 0u64;
    let mut complete = true;
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(bad(format!("{label}: {e}"))),
        }
        rows_read += 1;
        let line = rec.position().map_or(0, csv::Position::line);
        let num = |c: usize, name: &str| -> Result<f64, CurveError> {
            let s = rec.get(c).unwrap_or("");
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(bad(format!(
                    "{label}:{line}: {name} {s:?} is not a finite number"
                ))),
            }
        };
        let t = num(t_col, "time_secs")?;
        let v = num(v_col, v_name)?;
        if t < 0.0 {
            return Err(bad(format!(
                "{label}:{line}: time_secs {t} is negative; trace times are seconds from the trace's start (>= 0)"
            )));
        }
        if let Some(prev) = last
            && t <= prev
        {
            return Err(bad(format!(
                "{label}:{line}: time_secs must increase, {t} follows {prev}"
            )));
        }
        if v < 0.0 {
            return Err(bad(format!("{label}:{line}: {v_name} {v} is negative")));
        }
        last = Some(t);
        if t < span.from_secs {
            // Before the window only the last two rows matter: the rate at its start and,
            // should the file end there, the last bucket's width.
            if lead.len() == 2 {
                lead.remove(0);
            }
            lead.push((t, v));
            continue;
        }
        rows.push((t, v));
        // The first row past the span closes the bucket the span ends in.
        if t > span.until_secs {
            complete = false;
            break;
        }
    }
    lead.extend(rows);
    Ok(TraceRows {
        column,
        rows: lead,
        complete,
        rows_read,
    })
}

/// How a trace is replayed, as the scenario gives it (already checked).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplayOptions {
    /// Multiplies every rate.
    pub scale: f64,
    /// The first trace second that plays.
    pub from_secs: f64,
    /// The trace second after which the last rate is held (`None`: the trace's end).
    pub to_secs: Option<f64>,
    /// The run second at which `from_secs` plays.
    pub offset_secs: f64,
    /// Steps or lines (`None`: by column).
    pub shape: Option<TraceShape>,
}

impl ReplayOptions {
    /// The trace seconds a run of `run_secs` seconds plays: from `from_secs` to whichever
    /// comes first of `to_secs` and the run's end.
    pub fn span(&self, run_secs: f64) -> TraceSpan {
        let play = (run_secs - self.offset_secs).max(0.0);
        let until = (self.from_secs + play).min(self.to_secs.unwrap_or(f64::INFINITY));
        TraceSpan {
            from_secs: self.from_secs,
            until_secs: until,
        }
    }
}

/// A trace compiled over a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// The rate in run seconds, scaled.
    pub knots: Vec<Knot>,
    /// What the user should know (the trace ends before the run does...).
    pub warnings: Vec<String>,
}

/// Turns the rows read for `opts.span(run_secs)` into knots over `[0, run_secs]`: trace
/// second `T` plays at run second `offset_secs + T - from_secs`; before `offset_secs` the
/// rate at `from_secs` is held, and after the window or the trace ends, the last rate.
pub fn replay(
    file: &str,
    data: &TraceRows,
    opts: &ReplayOptions,
    run_secs: f64,
) -> Result<Replay, CurveError> {
    let invalid = |reason: String| CurveError::Invalid {
        curve: "Trace",
        reason,
    };
    let rows = &data.rows;
    if rows.is_empty() {
        return Err(invalid(format!("trace {file} has no rows")));
    }
    let shape = opts
        .shape
        .unwrap_or_else(|| TraceShape::default_for(data.column));
    let (trace_knots, trace_end) = trace_time_knots(rows, data.column, shape);
    let from = opts.from_secs;
    if data.complete && from >= trace_end {
        return Err(invalid(format!(
            "from_secs {from} is at or past the end of trace {file}, which covers trace seconds {} to {trace_end}",
            rows[0].0
        )));
    }
    let span = opts.span(run_secs);
    let end = span.until_secs;
    let f = RateProfile::from_knots(trace_knots);
    // The window [from, end] of the trace, with its values at both edges.
    let mut cut = vec![Knot {
        t_secs: from,
        per_sec: f.rate_at(from),
    }];
    if end > from {
        cut.extend(
            f.knots()
                .iter()
                .filter(|k| k.t_secs > from && k.t_secs < end),
        );
        cut.push(Knot {
            t_secs: end,
            per_sec: left_limit(f.knots(), end),
        });
    }
    let offset = opts.offset_secs;
    let mut knots = Vec::with_capacity(cut.len() + 2);
    if offset > 0.0 {
        knots.push(Knot {
            t_secs: 0.0,
            per_sec: cut[0].per_sec * opts.scale,
        });
    }
    knots.extend(cut.iter().map(|k| Knot {
        t_secs: offset + (k.t_secs - from),
        per_sec: k.per_sec * opts.scale,
    }));
    let last = knots[knots.len() - 1];
    if last.t_secs < run_secs {
        knots.push(Knot {
            t_secs: run_secs,
            per_sec: last.per_sec,
        });
    }

    let mut warnings = Vec::new();
    if offset >= run_secs {
        warnings.push(format!(
            "offset_secs {offset} is at or after the run's end ({run_secs} s): none of trace {file} plays, its rate at trace second {from} ({:.3} requests/s) is held throughout",
            last.per_sec
        ));
    } else {
        // How far the trace reaches: to `to_secs`, or to its own end when the file ran out.
        let stop = opts.to_secs.unwrap_or(f64::INFINITY);
        let (reach, why) = if data.complete && trace_end <= stop {
            (
                trace_end,
                format!("the trace ends at trace second {trace_end}"),
            )
        } else {
            (stop, format!("to_secs is {stop}"))
        };
        let played = reach - from;
        if offset + played < run_secs {
            warnings.push(format!(
                "trace {file} covers {played} s of the run (trace seconds {from} to {reach}, from run second {offset}; {why}) but the run lasts {run_secs} s; the last rate, {:.3} requests/s, is held for the remaining {} s",
                last.per_sec,
                run_secs - offset - played
            ));
        }
    }
    Ok(Replay { knots, warnings })
}

/// The rate in trace seconds as knots (flat before the first and after the last), and
/// where the trace ends: the last row's time for rates, the end of its bucket for counts.
fn trace_time_knots(
    rows: &[(f64, f64)],
    column: TraceColumn,
    shape: TraceShape,
) -> (Vec<Knot>, f64) {
    let knot = |t_secs: f64, per_sec: f64| Knot { t_secs, per_sec };
    let n = rows.len();
    let (last_t, last_v) = rows[n - 1];
    match column {
        TraceColumn::RatePerSec => {
            let knots = match shape {
                TraceShape::Smooth => rows.iter().map(|&(t, v)| knot(t, v)).collect(),
                TraceShape::Steps => {
                    // Each rate holds until the next row: a jump (two knots) at every row.
                    let mut k = Vec::with_capacity(2 * n);
                    for w in rows.windows(2) {
                        let ((t0, v0), (t1, _)) = (w[0], w[1]);
                        k.push(knot(t0, v0));
                        k.push(knot(t1, v0));
                    }
                    k.push(knot(last_t, last_v));
                    k
                }
            };
            (knots, last_t)
        }
        TraceColumn::Count => {
            // Bucket i runs from its row to the next; the last is as wide as the one
            // before (1 s when the trace has a single row).
            let width = |i: usize| match (rows.get(i + 1), i.checked_sub(1)) {
                (Some(&(next, _)), _) => next - rows[i].0,
                (None, Some(j)) => rows[i].0 - rows[j].0,
                (None, None) => 1.0,
            };
            let end = last_t + width(n - 1);
            let knots = match shape {
                TraceShape::Steps => {
                    // Zero-width joins between buckets make the steps.
                    let mut k = Vec::with_capacity(2 * n);
                    for (i, &(t, c)) in rows.iter().enumerate() {
                        let w = width(i);
                        k.push(knot(t, c / w));
                        k.push(knot(t + w, c / w));
                    }
                    k
                }
                TraceShape::Smooth => {
                    // Each bucket's mean rate at its middle, flat from the trace's start to
                    // the first middle and from the last middle to the trace's end.
                    let mut k = Vec::with_capacity(n + 2);
                    k.push(knot(rows[0].0, rows[0].1 / width(0)));
                    for (i, &(t, c)) in rows.iter().enumerate() {
                        let w = width(i);
                        k.push(knot(t + w / 2.0, c / w));
                    }
                    k.push(knot(end, last_v / width(n - 1)));
                    k
                }
            };
            (knots, end)
        }
    }
}

/// The rate just before `t` along `knots` (at a jump at `t`, the value before it).
fn left_limit(knots: &[Knot], t: f64) -> f64 {
    let i = knots.partition_point(|k| k.t_secs < t);
    if i == 0 {
        return knots[0].per_sec;
    }
    if i == knots.len() {
        return knots[i - 1].per_sec;
    }
    let (a, b) = (knots[i - 1], knots[i]);
    a.per_sec + (b.per_sec - a.per_sec) * (t - a.t_secs) / (b.t_secs - a.t_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> TraceSpan {
        TraceSpan {
            from_secs: 0.0,
            until_secs: f64::INFINITY,
        }
    }

    fn read(text: &str, span: TraceSpan) -> Result<TraceRows, CurveError> {
        read_trace(text.as_bytes(), "t.csv", span)
    }

    #[test]
    fn rows_are_read_with_their_column_and_comments_are_skipped() {
        let r = read(
            "# a comment\ntime_secs, count\n0, 600\n# another\n60,1200\n",
            all(),
        )
        .unwrap();
        assert_eq!(r.column, TraceColumn::Count);
        assert_eq!(r.rows, vec![(0.0, 600.0), (60.0, 1200.0)]);
        assert!(r.complete);
        assert_eq!(r.rows_read, 2);
    }

    #[test]
    fn bad_rows_name_the_file_line_and_value() {
        // Line 1 the comment, 2 the header, 3 the first row, 4 the negative time.
        let e = read("# c\ntime_secs,count\n0,1\n-60,2\n", all()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("t.csv:4:"), "{msg}");
        assert!(msg.contains("time_secs -60 is negative"), "{msg}");
        let e = read("time_secs,count\n0,1\n0,2\n", all()).unwrap_err();
        assert!(
            e.to_string()
                .contains("t.csv:3: time_secs must increase, 0 follows 0"),
            "{e}"
        );
        let e = read("time_secs,rate_per_sec\n0,1\n10,-2\n", all()).unwrap_err();
        assert!(
            e.to_string()
                .contains("t.csv:3: rate_per_sec -2 is negative"),
            "{e}"
        );
        let e = read("time_secs,count\n0,lots\n", all()).unwrap_err();
        assert!(
            e.to_string()
                .contains("t.csv:2: count \"lots\" is not a finite number"),
            "{e}"
        );
        let e = read("time_secs,count\n0,inf\n", all()).unwrap_err();
        assert!(e.to_string().contains("t.csv:2: count \"inf\""), "{e}");
        let e = read("t,count\n0,1\n", all()).unwrap_err();
        assert!(e.to_string().contains("needs a time_secs column"), "{e}");
        let e = read("time_secs,n\n0,1\n", all()).unwrap_err();
        assert!(e.to_string().contains("rate_per_sec or a count"), "{e}");
    }

    #[test]
    fn only_the_rows_around_the_span_are_kept() {
        // Rows every 10 s from 0 to 100; the span [35, 62] keeps the two rows before 35
        // (20 and 30), the rows inside (40, 50, 60) and the first past 62 (70), and reads
        // nothing after it: 8 rows read (0..=70), 6 kept.
        let mut text = String::from("time_secs,count\n");
        for t in (0..=100).step_by(10) {
            text += &format!("{t},{t}\n");
        }
        let r = read(
            &text,
            TraceSpan {
                from_secs: 35.0,
                until_secs: 62.0,
            },
        )
        .unwrap();
        let times: Vec<f64> = r.rows.iter().map(|r| r.0).collect();
        assert_eq!(times, vec![20.0, 30.0, 40.0, 50.0, 60.0, 70.0]);
        assert_eq!(r.rows_read, 8);
        assert!(!r.complete);
    }

    /// A trace of `rows` one-second rows made on demand, counting the bytes taken from it.
    struct Generated {
        next_row: u64,
        rows: u64,
        line: Vec<u8>,
        at: usize,
        bytes_taken: u64,
    }

    impl Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.line.len() {
                self.line.clear();
                self.at = 0;
                if self.next_row == 0 && self.bytes_taken == 0 {
                    self.line.extend_from_slice(b"time_secs,count\n");
                } else if self.next_row < self.rows {
                    self.line
                        .extend_from_slice(format!("{},3\n", self.next_row).as_bytes());
                    self.next_row += 1;
                } else {
                    return Ok(0);
                }
            }
            let n = out.len().min(self.line.len() - self.at);
            out[..n].copy_from_slice(&self.line[self.at..self.at + n]);
            self.at += n;
            self.bytes_taken += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_huge_trace_is_read_only_as_far_as_the_run_needs() {
        // Five million one-second rows (about 48 MB of text) and a one-hour run: the rows
        // 0..=3601 are what it needs (3602 rows up to the first past 3600 s, ~25 kB); the
        // reader may run ahead by its buffer (8 kB) but must take well under 100 kB.
        let mut trace = Generated {
            next_row: 0,
            rows: 5_000_000,
            line: Vec::new(),
            at: 0,
            bytes_taken: 0,
        };
        let r = read_trace(
            &mut trace,
            "big.csv",
            TraceSpan {
                from_secs: 0.0,
                until_secs: 3600.0,
            },
        )
        .unwrap();
        assert_eq!(r.rows_read, 3602);
        assert_eq!(r.rows.len(), 3602);
        assert!(!r.complete);
        assert!(
            trace.bytes_taken < 100_000,
            "{} bytes taken from the trace",
            trace.bytes_taken
        );
    }

    #[test]
    fn left_limit_takes_the_value_before_a_jump() {
        let k = |t_secs, per_sec| Knot { t_secs, per_sec };
        let knots = [k(0.0, 1.0), k(10.0, 1.0), k(10.0, 5.0), k(20.0, 5.0)];
        assert_eq!(left_limit(&knots, 10.0), 1.0);
        assert_eq!(left_limit(&knots, 15.0), 5.0);
        assert_eq!(left_limit(&knots, 30.0), 5.0);
        assert_eq!(left_limit(&knots, -1.0), 1.0);
    }
}
