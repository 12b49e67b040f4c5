//! Helpers shared by the integration tests: building scenarios, queueing formulas and
//! small statistics.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use scalesim::batch::RunOutput;
use scalesim::scenario::{Scenario, ScenarioFile, Source};

/// The crate root (where Cargo.toml and scenarios/ are).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the crate root.
pub fn repo_path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Parses and validates inline RON text; panics with the error message if it is invalid.
pub fn scenario_from_text(label: &str, text: &str) -> Scenario {
    let source = Source::inline(label, text);
    let file = scalesim::scenario::parse(&source)
        .unwrap_or_else(|e| panic!("{label} does not parse:\n{e}"));
    Scenario::validate(file, &source).unwrap_or_else(|e| panic!("{label} is not valid:\n{e}"))
}

/// The error a scenario text is rejected with, at parsing or validation (panics if it
/// is accepted).
pub fn scenario_error(label: &str, text: &str) -> String {
    let source = Source::inline(label, text);
    match scalesim::scenario::parse(&source) {
        Err(e) => e.to_string(),
        Ok(file) => match Scenario::validate(file, &source) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{label} was accepted"),
        },
    }
}

/// Reads a scenario file, lets `edit` change it (duration, seed...), then validates it.
pub fn load_with(rel: &str, edit: impl FnOnce(&mut ScenarioFile)) -> Scenario {
    let path = repo_path(rel);
    let (mut file, source) = scalesim::scenario::read(&path)
        .unwrap_or_else(|e| panic!("{} does not parse:\n{e}", path.display()));
    edit(&mut file);
    Scenario::validate(file, &source)
        .unwrap_or_else(|e| panic!("{} is not valid:\n{e}", path.display()))
}

/// Reads and validates a scenario file as it is.
pub fn load(rel: &str) -> Scenario {
    load_with(rel, |_| {})
}

/// Runs a scenario once with the seed in its file.
pub fn run(s: &Scenario) -> RunOutput {
    scalesim::batch::run(s).unwrap_or_else(|e| panic!("{} failed to run: {e}", s.file.name))
}

/// Runs independent replications with seeds `1..=n`, in parallel.
pub fn replicate(s: &Scenario, n: u64) -> Vec<RunOutput> {
    let seeds: Vec<u64> = (1..=n).collect();
    scalesim::batch::replicate(s, &seeds)
        .unwrap_or_else(|e| panic!("{} failed to run: {e}", s.file.name))
}

/// Every `*.ron` file under `dir`, recursively, sorted.
pub fn ron_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ron") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// Queueing formulas: Erlang B and C as in Kleinrock, Queueing Systems, Vol. 1 (Wiley,
// 1975), ch. 3; Pollaczek–Khinchine as in Harchol-Balter, Performance Modeling and Design
// of Computer Systems (Cambridge, 2013), ch. 23.

/// Erlang B, `B(c, A)`, by the stable recursion `B(0)=1`, `B(k) = A·B(k−1) / (k + A·B(k−1))`.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C, `C(c, A)`: the probability an arrival waits in an M/M/c queue,
/// `C = B / (1 − ρ(1 − B))` with `ρ = A/c`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// Mean wait in queue of M/M/c: `W_q = C(c, A) / (cμ − λ)`.
pub fn mmc_wq(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// Blocking probability of M/M/c/K (K places in all, c of them servers): the
/// stationary probability of K in the system, `p_K = q_K / Σ_{n=0..K} q_n` with
/// `q_n = A^n/n!` for `n ≤ c` and `q_n = A^c/c! · ρ^(n−c)` above (PASTA: arrivals see it).
pub fn mmck_blocking(c: u32, k: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let mut q = 1.0; // q_0
    let mut sum = 1.0;
    for n in 1..=k {
        q *= if n <= c { a / f64::from(n) } else { rho };
        sum += q;
    }
    q / sum
}

/// Pollaczek–Khinchine mean wait of M/G/1: `W_q = ρ E[S] (1 + c_s²) / (2(1 − ρ))`.
pub fn pk_wq(lambda: f64, mean_s: f64, cs2: f64) -> f64 {
    let rho = lambda * mean_s;
    rho * mean_s * (1.0 + cs2) / (2.0 * (1.0 - rho))
}

// ---------------------------------------------------------------------------------------
// Statistics.

/// The mean of independent estimates and its standard error (sample std / √n).
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// Mean of the estimates.
    pub mean: f64,
    /// Standard error of that mean.
    pub se: f64,
    /// How many estimates.
    pub n: usize,
}

impl Estimate {
    /// From independent, identically distributed estimates (at least two).
    pub fn of(xs: &[f64]) -> Estimate {
        assert!(
            xs.len() >= 2,
            "need at least two replications for a standard error"
        );
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Estimate {
            mean,
            se: (var / n).sqrt(),
            n: xs.len(),
        }
    }

    /// `|mean − expected| / expected`.
    pub fn rel_err(&self, expected: f64) -> f64 {
        (self.mean - expected).abs() / expected
    }

    /// The standard error relative to `expected`.
    pub fn rel_se(&self, expected: f64) -> f64 {
        self.se / expected
    }
}

/// Runs the built `scalesim` binary with `args`.
pub fn scalesim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scalesim"))
        .args(args)
        .output()
        .unwrap()
}

/// A process's output stream as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `scalesim run` on the scenario `text` (written to `name` in a temporary directory)
/// with `--out`: the process's output, the output directory, and the directory that
/// holds both (dropping it deletes them).
pub fn run_binary_on(
    name: &str,
    text: &str,
    extra: &[&str],
) -> (std::process::Output, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    let out_dir = dir.path().join("out");
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (scalesim(&args), out_dir, dir)
}
