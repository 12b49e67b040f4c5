//! Service demand: how much work one request needs, in CPU-seconds on a reference vCPU.
//! An instance with speed factor 2 serves it in half that time.

use crate::model::config::{self, ConfigError, FieldPath};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Pareto};
use serde::{Deserialize, Serialize};

/// A distribution of service demand, in CPU-seconds on a reference vCPU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Demand {
    /// Every request needs exactly this much (M/D/c service).
    Constant {
        /// CPU-seconds per request.
        secs: f64,
    },
    /// Exponential: memoryless, coefficient of variation 1 (M/M/c service).
    Exponential {
        /// Mean CPU-seconds.
        mean_secs: f64,
    },
    /// Log-normal with a given mean and coefficient of variation (std / mean).
    LogNormal {
        /// Mean CPU-seconds.
        mean_secs: f64,
        /// Coefficient of variation, > 0.
        cv: f64,
    },
    /// Pareto (heavy tail) with a given mean and shape `alpha > 1`; smaller alpha, heavier tail.
    Pareto {
        /// Mean CPU-seconds.
        mean_secs: f64,
        /// Tail index, > 1 (the mean is infinite at 1).
        shape: f64,
    },
    /// Two exponential phases with balanced means, giving a coefficient of variation >= 1:
    /// most requests are quick, a few are long.
    HyperExponential {
        /// Mean CPU-seconds.
        mean_secs: f64,
        /// Coefficient of variation, >= 1.
        cv: f64,
    },
    /// Resamples measured values, each equally likely.
    Empirical {
        /// Measured CPU-seconds; at least one.
        samples_secs: Vec<f64>,
    },
}

/// A demand distribution ready to draw from.
#[derive(Clone, Debug)]
pub enum DemandSampler {
    /// Always the same value.
    Constant(f64),
    /// Exponential.
    Exp(Exp<f64>),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Pareto.
    Pareto(Pareto<f64>),
    /// With probability `p1` phase 1, else phase 2.
    HyperExp {
        /// Probability of the first phase.
        p1: f64,
        /// First phase.
        e1: Exp<f64>,
        /// Second phase.
        e2: Exp<f64>,
    },
    /// Uniform choice among values.
    Empirical(Vec<f64>),
}

fn positive(name: &'static str, v: f64) -> Result<f64, ConfigError> {
    config::positive(name, v).map(|()| v)
}

impl Demand {
    /// The mean demand in CPU-seconds.
    pub fn mean_secs(&self) -> f64 {
        match self {
            Demand::Constant { secs } => *secs,
            Demand::Exponential { mean_secs }
            | Demand::LogNormal { mean_secs, .. }
            | Demand::Pareto { mean_secs, .. }
            | Demand::HyperExponential { mean_secs, .. } => *mean_secs,
            Demand::Empirical { samples_secs } => {
                samples_secs.iter().sum::<f64>() / samples_secs.len().max(1) as f64
            }
        }
    }

    /// The squared coefficient of variation `Var / mean^2` (infinite for Pareto with shape <= 2).
    pub fn scv(&self) -> f64 {
        match self {
            Demand::Constant { .. } => 0.0,
            Demand::Exponential { .. } => 1.0,
            Demand::LogNormal { cv, .. } | Demand::HyperExponential { cv, .. } => cv * cv,
            Demand::Pareto { shape, .. } => {
                if *shape > 2.0 {
                    1.0 / (shape * (shape - 2.0))
                } else {
                    f64::INFINITY
                }
            }
            Demand::Empirical { samples_secs } => {
                let n = samples_secs.len().max(1) as f64;
                let m = self.mean_secs();
                let var = samples_secs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
                if m > 0.0 { var / (m * m) } else { 0.0 }
            }
        }
    }

    /// Checks the parameters and builds a sampler.
    pub fn sampler(&self) -> Result<DemandSampler, ConfigError> {
        // rand_distr's own checks, after ours, would only repeat them.
        let err = |e: rand_distr::ExpError| ConfigError::invalid("mean_secs", e.to_string());
        Ok(match self {
            Demand::Constant { secs } => {
                config::non_negative("secs", *secs)?;
                DemandSampler::Constant(*secs)
            }
            Demand::Exponential { mean_secs } => {
                DemandSampler::Exp(Exp::new(1.0 / positive("mean_secs", *mean_secs)?).map_err(err)?)
            }
            Demand::LogNormal { mean_secs, cv } => {
                let mean = positive("mean_secs", *mean_secs)?;
                let cv = positive("cv", *cv)?;
                // For a log-normal, cv^2 = exp(sigma^2) - 1 and mean = exp(mu + sigma^2 / 2).
                let sigma2 = (1.0 + cv * cv).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                DemandSampler::LogNormal(
                    LogNormal::new(mu, sigma2.sqrt())
                        .map_err(|e| ConfigError::invalid("cv", e.to_string()))?,
                )
            }
            Demand::Pareto { mean_secs, shape } => {
                let mean = positive("mean_secs", *mean_secs)?;
                if !(shape.is_finite() && *shape > 1.0) {
                    return Err(ConfigError::invalid(
                        "shape",
                        format!("must be > 1 (at 1 or below the mean is infinite), got {shape}"),
                    ));
                }
                // Pareto(scale, a) has mean a * scale / (a - 1), so scale = mean (a - 1) / a.
                let scale = mean * (shape - 1.0) / shape;
                DemandSampler::Pareto(
                    Pareto::new(scale, *shape)
                        .map_err(|e| ConfigError::invalid("shape", e.to_string()))?,
                )
            }
            Demand::HyperExponential { mean_secs, cv } => {
                let mean = positive("mean_secs", *mean_secs)?;
                if !(cv.is_finite() && *cv >= 1.0) {
                    return Err(ConfigError::invalid(
                        "cv",
                        format!(
                            "must be >= 1 for a hyperexponential (use LogNormal below 1), got {cv}"
                        ),
                    ));
                }
                // Balanced means (Whitt): p1 = (1 + sqrt((c2 - 1) / (c2 + 1))) / 2 and each
                // phase carries half the mean: mean_i = mean / (2 p_i).
                let c2 = cv * cv;
                let p1 = (1.0 + ((c2 - 1.0) / (c2 + 1.0)).sqrt()) / 2.0;
                let p2 = 1.0 - p1;
                let e1 = Exp::new(2.0 * p1 / mean).map_err(err)?;
                let e2 = if p2 > 0.0 {
                    Exp::new(2.0 * p2 / mean).map_err(err)?
                } else {
                    e1
                };
                DemandSampler::HyperExp { p1, e1, e2 }
            }
            Demand::Empirical { samples_secs } => {
                if samples_secs.is_empty() {
                    return Err(ConfigError::invalid(
                        "samples_secs",
                        "needs at least one value",
                    ));
                }
                for (i, s) in samples_secs.iter().enumerate() {
                    config::non_negative(FieldPath::root().field("samples_secs").index(i), *s)?;
                }
                DemandSampler::Empirical(samples_secs.clone())
            }
        })
    }
}

impl DemandSampler {
    /// Draws one demand, in CPU-seconds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            DemandSampler::Constant(v) => *v,
            DemandSampler::Exp(d) => d.sample(rng),
            DemandSampler::LogNormal(d) => d.sample(rng),
            DemandSampler::Pareto(d) => d.sample(rng),
            DemandSampler::HyperExp { p1, e1, e2 } => {
                let u: f64 = rand::RngExt::random(rng);
                if u < *p1 {
                    e1.sample(rng)
                } else {
                    e2.sample(rng)
                }
            }
            DemandSampler::Empirical(v) => {
                let i = rand::RngExt::random_range(rng, 0..v.len());
                v[i]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;

    fn moments(d: &Demand, n: usize) -> (f64, f64) {
        let s = d.sampler().unwrap();
        let mut rng = stream_rng(7, "demand-test");
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        (m, v / (m * m))
    }

    #[test]
    fn every_distribution_has_the_mean_and_variability_it_promises() {
        // 400k draws: the standard error of the mean is cv / sqrt(n) <= 2 / 632 = 0.3 %,
        // so 2 % is > 6 standard errors. The SCV converges more slowly; 10 % suffices
        // for the light-tailed ones (Pareto with shape 3.5 has a finite fourth moment).
        let cases = [
            Demand::Exponential { mean_secs: 0.2 },
            Demand::LogNormal {
                mean_secs: 0.05,
                cv: 1.0,
            },
            Demand::HyperExponential {
                mean_secs: 0.1,
                cv: 2.0,
            },
            Demand::Pareto {
                mean_secs: 0.1,
                shape: 3.5,
            },
            Demand::Empirical {
                samples_secs: vec![0.1, 0.2, 0.3],
            },
        ];
        for d in &cases {
            let (m, scv) = moments(d, 400_000);
            assert!((m / d.mean_secs() - 1.0).abs() < 0.02, "{d:?}: mean {m}");
            // Pareto's sample SCV converges slowly (needs the 4th moment): only check it loosely.
            let tol = if matches!(d, Demand::Pareto { .. }) {
                0.25
            } else {
                0.1
            };
            assert!(
                (scv / d.scv() - 1.0).abs() < tol,
                "{d:?}: scv {scv} vs {}",
                d.scv()
            );
        }
    }

    #[test]
    fn nonsense_parameters_are_refused() {
        assert!(Demand::Exponential { mean_secs: 0.0 }.sampler().is_err());
        assert!(
            Demand::Pareto {
                mean_secs: 1.0,
                shape: 1.0
            }
            .sampler()
            .is_err()
        );
        assert!(
            Demand::HyperExponential {
                mean_secs: 1.0,
                cv: 0.5
            }
            .sampler()
            .is_err()
        );
        assert!(
            Demand::Empirical {
                samples_secs: vec![]
            }
            .sampler()
            .is_err()
        );
        assert!(
            Demand::LogNormal {
                mean_secs: 1.0,
                cv: f64::NAN
            }
            .sampler()
            .is_err()
        );
    }
}
