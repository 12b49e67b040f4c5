//! The warm-up of a steady-state study: the start of a run, while an empty system fills
//! up, is not what the study is about, and its figures would bias every mean. A batch
//! leaves it out when told how long it is (`--warmup SECS`, or `warmup_secs` in the
//! scenario), or finds it with MSER-5 (`--warmup auto`) on pilot runs. A scenario whose
//! traffic varies with time has no steady state to reach: `auto` keeps its whole run.

use std::str::FromStr;

use super::stats::mser5;
use crate::metrics::IntervalRow;
use crate::scenario::Scenario;

/// How a batch chooses each scenario's warm-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Warmup {
    /// The same number of simulated seconds for every scenario.
    Secs(f64),
    /// MSER-5 on pilot runs of each steady-state scenario.
    Auto,
}

/// A `--warmup` that is neither seconds nor `auto`.
#[derive(Debug, thiserror::Error)]
#[error("expected simulated seconds (>= 0) or `auto`, got `{0}`")]
pub struct WarmupError(String);

impl FromStr for Warmup {
    type Err = WarmupError;

    fn from_str(s: &str) -> Result<Warmup, WarmupError> {
        if s == "auto" {
            return Ok(Warmup::Auto);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Warmup::Secs(v)),
            _ => Err(WarmupError(s.to_owned())),
        }
    }
}

/// Whether `scenario`'s load changes over the run (its rate curve is not flat, or a zone
/// goes down): such a run has no steady state, and `auto` keeps all of it.
pub fn is_time_varying(scenario: &Scenario) -> bool {
    let knots = scenario.profile.knots();
    let flat = knots
        .first()
        .is_none_or(|k0| knots.iter().all(|k| k.per_sec == k0.per_sec));
    !flat || !scenario.outages.is_empty()
}

/// The interval series MSER-5 looks at: requests in the system (the queue filling up)
/// and their mean response time, the measures a warm-up biases most.
const WATCHED: [fn(&IntervalRow) -> f64; 2] = [|r| r.in_flight_mean, |r| r.latency.mean];

/// Pilot runs `auto` averages before MSER-5 looks: one run's series is noisy enough to
/// mislead it (a long excursion looks like a transient); the mean of a few, as in
/// Welch's procedure (Law, Simulation Modeling and Analysis, 5th ed., §9.5.1), is not.
pub const PILOT_RUNS: u64 = 5;

/// The warm-up MSER-5 finds in `runs` (each a run's intervals of `interval_secs`), in
/// seconds: each watched series is averaged across the runs interval by interval, and
/// the longest of their truncations wins, so every one has left its transient behind.
pub fn mser5_secs(runs: &[&[IntervalRow]], interval_secs: f64) -> f64 {
    let intervals = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    WATCHED
        .iter()
        .map(|read| {
            let series: Vec<f64> = (0..intervals)
                .map(|i| runs.iter().map(|r| read(&r[i])).sum::<f64>() / runs.len() as f64)
                .collect();
            mser5(&series)
        })
        .max()
        .unwrap_or(0) as f64
        * interval_secs
}

/// Why a warm-up cannot be chosen.
#[derive(Debug, thiserror::Error)]
pub enum ChooseError {
    /// The warm-up would leave nothing of the run.
    #[error("a warm-up of {secs} s leaves nothing of a {duration_secs} s run to measure")]
    TooLong {
        /// The warm-up asked for or found.
        secs: f64,
        /// The run's length.
        duration_secs: f64,
    },
    /// A pilot run could not be built.
    #[error("the pilot runs: {0}")]
    Pilot(#[from] super::RunError),
}

/// What choosing `scenario`'s warm-up found, for the report.
#[derive(Clone, Debug, PartialEq)]
pub enum Chosen {
    /// Left out this many seconds (given, or found by MSER-5).
    Secs(f64),
    /// `auto` kept the whole run: the traffic varies with time.
    TimeVarying,
}

/// Sets `scenario`'s warm-up as `w` says; `auto` makes [`PILOT_RUNS`] pilot runs with the
/// seeds of its first replications and applies MSER-5 to their averaged intervals.
/// Errors say why (a warm-up as long as the run, a pilot that cannot run).
pub fn choose(scenario: &mut Scenario, w: Warmup) -> Result<Chosen, ChooseError> {
    let secs = match w {
        Warmup::Secs(s) => s,
        Warmup::Auto if is_time_varying(scenario) => {
            scenario.file.warmup_secs = None;
            return Ok(Chosen::TimeVarying);
        }
        Warmup::Auto => {
            let mut pilot = scenario.clone();
            pilot.file.warmup_secs = None;
            let seeds = super::many::replication_seeds(scenario.file.seed, PILOT_RUNS);
            let runs = super::replicate(&pilot, &seeds)?;
            let rows: Vec<&[IntervalRow]> = runs.iter().map(|o| o.recorder().rows()).collect();
            mser5_secs(&rows, scenario.file.interval_secs)
        }
    };
    if secs >= scenario.file.duration_secs {
        return Err(ChooseError::TooLong {
            secs,
            duration_secs: scenario.file.duration_secs,
        });
    }
    scenario.file.warmup_secs = (secs > 0.0).then_some(secs);
    Ok(Chosen::Secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_flags_parse() {
        assert_eq!("auto".parse::<Warmup>().ok(), Some(Warmup::Auto));
        assert_eq!("600".parse::<Warmup>().ok(), Some(Warmup::Secs(600.0)));
        assert!("-1".parse::<Warmup>().is_err());
        assert!("soon".parse::<Warmup>().is_err());
    }
}
