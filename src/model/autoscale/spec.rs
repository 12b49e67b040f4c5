//! The `autoscale:` field of a pool: which policy, with its settings, and the one list
//! that registers every policy.
//!
//! A policy is one file in this folder: its configuration (the settings a scenario
//! writes, with serde defaults), an implementation of [`PolicyConfig`] (its checks, its
//! starting settings for a new pool, and how to build it), and the [`Autoscaler`] that
//! runs. Registering it is one line in the `policies!` list below, which makes the
//! [`AutoscaleSpec`] variant a scenario names (`autoscale: Backlog(per_instance: 1.2)`),
//! the kind the editor offers, and the dispatch to its checks and builder.

use serde::{Deserialize, Serialize};

use super::Autoscaler;
use crate::model::config::{ConfigError, FieldPath};

/// What a policy may need to know about the pool it scales.
#[derive(Clone, Copy, Debug)]
pub struct PoolContext<'a> {
    /// The pool's instance type (`"m5.large"`).
    pub instance_type: &'a str,
    /// The instance types of the same family, smallest first, including `instance_type`
    /// (the ladder a vertical policy climbs; see `Catalog::family`).
    pub family: &'a [String],
}

/// A policy's configuration: what every policy file implements once.
///
/// A whole policy, as its file would hold it: the settings, their checks, and the
/// [`Autoscaler`] that decides. Registering it is then the line
/// `Fixed(fixed::FixedConfig),` in this file's `policies!` list.
///
/// ```
/// use scalesim::model::autoscale::spec::{PolicyConfig, PoolContext};
/// use scalesim::model::autoscale::{Autoscaler, Observation, Recommendation};
/// use scalesim::model::config::{self, ConfigError};
///
/// /// Keep the pool at `size` instances, checked every `period_secs`.
/// #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
/// pub struct FixedConfig {
///     pub size: u32,
///     pub period_secs: f64,
/// }
///
/// #[derive(Debug)]
/// pub struct Fixed(FixedConfig);
///
/// impl PolicyConfig for FixedConfig {
///     fn example(_pool: &PoolContext<'_>) -> Self {
///         FixedConfig { size: 4, period_secs: 60.0 }
///     }
///     fn build(&self, _pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError> {
///         config::positive("period_secs", self.period_secs)?;
///         Ok(Box::new(Fixed(self.clone())))
///     }
/// }
///
/// impl Autoscaler for Fixed {
///     fn name(&self) -> &'static str {
///         "fixed"
///     }
///     fn period_secs(&self) -> f64 {
///         self.0.period_secs
///     }
///     fn window_secs(&self) -> (f64, f64) {
///         (self.0.period_secs, 0.0)
///     }
///     fn evaluate(&mut self, obs: &Observation) -> Recommendation {
///         let want = self.0.size.clamp(obs.min, obs.max);
///         Recommendation {
///             desired: want,
///             raw_desired: self.0.size,
///             metric_value: None,
///             target: None,
///             reason: format!("fixed size {}: {} -> {want}", self.0.size, obs.current),
///         }
///     }
/// }
///
/// let pool = PoolContext { instance_type: "m5.large", family: &[] };
/// // The checks name the field that is wrong.
/// let bad = FixedConfig { size: 4, period_secs: 0.0 };
/// assert_eq!(bad.validate(&pool).unwrap_err().field().to_string(), "period_secs");
/// // The example builds, and decides from what it observes.
/// let mut policy = FixedConfig::example(&pool).build(&pool).unwrap();
/// let obs = Observation {
///     now_secs: 60.0,
///     week_secs: 60.0,
///     current: 2,
///     min: 1,
///     max: 10,
///     instances: Vec::new(),
///     latency_p95_secs: None,
///     arrivals_per_sec: None,
///     boot_secs: 90.0,
/// };
/// assert_eq!(policy.evaluate(&obs).desired, 4);
/// ```
pub trait PolicyConfig: Sized {
    /// Settings for a new policy of this kind on `pool`, as the editor creates it: the
    /// values the shipped scenarios use, every other field at its documented default.
    fn example(pool: &PoolContext<'_>) -> Self;

    /// The running policy; fails if a setting is wrong, naming its field (relative to
    /// this configuration).
    fn build(&self, pool: &PoolContext<'_>) -> Result<Box<dyn Autoscaler>, ConfigError>;

    /// Checks every setting without keeping the policy.
    fn validate(&self, pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        self.build(pool).map(drop)
    }
}

/// Declares [`AutoscaleSpec`] from the list of policies: one line per policy, naming its
/// variant (the word a scenario writes), its file and its configuration type.
macro_rules! policies {
    ($( $(#[$doc:meta])* $variant:ident($module:ident::$config:ident), )+) => {
        /// A pool's autoscaling policy, as a scenario writes it.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub enum AutoscaleSpec {
            $( $(#[$doc])* $variant(super::$module::$config), )+
            /// Several policies on one pool, each deciding on its own schedule; the pool
            /// takes the largest of their latest recommendations, so it scales in only
            /// when all agree (AWS: "each computes desired capacity independently; the
            /// group uses the maximum", e.g. predictive scaling beside target tracking). A
            /// recommendation computed before the pool's last capacity change is not used
            /// to scale in (see `Pool::largest_vote`).
            Combined(Vec<AutoscaleSpec>),
        }

        impl AutoscaleSpec {
            /// Every kind a scenario can name, in the order the editor offers them.
            pub const KINDS: &[&str] = &[$(stringify!($variant),)+ "Combined"];

            /// The kind's name, as a scenario writes it (`"TargetTracking"`).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(AutoscaleSpec::$variant(_) => stringify!($variant),)+
                    AutoscaleSpec::Combined(_) => "Combined",
                }
            }

            /// A new single policy of `kind` with its starting settings for `pool`
            /// (`None` for `Combined`, which is made of others, or an unknown kind).
            pub fn example(kind: &str, pool: &PoolContext<'_>) -> Option<AutoscaleSpec> {
                match kind {
                    $(stringify!($variant) => Some(AutoscaleSpec::$variant(
                        <super::$module::$config as PolicyConfig>::example(pool),
                    )),)+
                    _ => None,
                }
            }

            /// Builds one single policy (not `Combined`).
            fn build_one(
                &self,
                pool: &PoolContext<'_>,
            ) -> Result<Box<dyn Autoscaler>, ConfigError> {
                match self {
                    $(AutoscaleSpec::$variant(c) => c.build(pool),)+
                    AutoscaleSpec::Combined(_) => Err(ConfigError::whole(
                        "Combined policies cannot be nested",
                    )),
                }
            }
        }
    };
}

policies! {
    /// The Kubernetes HorizontalPodAutoscaler, with its documented defaults.
    Hpa(hpa::HpaConfig),
    /// AWS target tracking: keep a metric at a target.
    TargetTracking(aws_target_tracking::TargetTrackingConfig),
    /// AWS step scaling: alarms with step adjustments.
    StepScaling(aws_step::StepScalingConfig),
    /// AWS simple scaling: one adjustment per alarm, then a cooldown.
    SimpleScaling(aws_simple::SimpleScalingConfig),
    /// Vertical scaling: a bigger or smaller instance type, with a restart.
    Vertical(vertical::VerticalConfig),
    /// AWS predictive scaling: a seasonal forecast, launched ahead by the boot time.
    Predictive(predictive::PredictiveConfig),
    /// Requests held per instance (queue backlog), like AWS's backlog-per-instance.
    Backlog(backlog::BacklogConfig),
    /// The pool's p95 latency against an objective.
    LatencyTarget(latency::LatencyTargetConfig),
}

impl AutoscaleSpec {
    /// Builds the policies for a pool (one, or several for `Combined`); an error names
    /// the field that is wrong, relative to the `autoscale` field (`target`,
    /// `[1].requests_per_instance` for the second policy of a `Combined`).
    pub fn build_all(
        &self,
        pool: &PoolContext<'_>,
    ) -> Result<Vec<Box<dyn Autoscaler>>, ConfigError> {
        let AutoscaleSpec::Combined(specs) = self else {
            return Ok(vec![self.build_one(pool)?]);
        };
        if specs.is_empty() {
            return Err(ConfigError::whole("Combined needs at least one policy"));
        }
        specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let at = FieldPath::root().index(i);
                match s {
                    AutoscaleSpec::Combined(_) => Err(ConfigError::invalid(
                        at,
                        "Combined policies cannot be nested",
                    )),
                    AutoscaleSpec::Vertical(_) => Err(ConfigError::invalid(
                        at,
                        "Vertical cannot be combined: it changes the type, not the count",
                    )),
                    s => s.build_one(pool).map_err(|e| e.under(at)),
                }
            })
            .collect()
    }

    /// Checks every setting of every policy, as [`AutoscaleSpec::build_all`] does.
    pub fn validate(&self, pool: &PoolContext<'_>) -> Result<(), ConfigError> {
        self.build_all(pool).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> PoolContext<'static> {
        const FAMILY: &[String] = &[];
        PoolContext {
            instance_type: "m5.large",
            family: FAMILY,
        }
    }

    #[test]
    fn every_kind_has_an_example_that_builds_and_round_trips() {
        let family = ["m5.large".to_string(), "m5.xlarge".to_string()];
        let pool = PoolContext {
            instance_type: "m5.large",
            family: &family,
        };
        for kind in AutoscaleSpec::KINDS.iter().filter(|k| **k != "Combined") {
            let spec = AutoscaleSpec::example(kind, &pool).unwrap();
            assert_eq!(spec.kind(), *kind);
            spec.validate(&pool)
                .unwrap_or_else(|e| panic!("{kind}: its example does not validate: {e}"));
            // What the editor creates, a scenario can say.
            let pretty = ron::ser::PrettyConfig::new().extensions(
                ron::extensions::Extensions::IMPLICIT_SOME
                    | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
            );
            let text = crate::scenario::ron_options()
                .to_string_pretty(&spec, pretty)
                .unwrap();
            let back: AutoscaleSpec = crate::scenario::ron_options().from_str(&text).unwrap();
            assert_eq!(back, spec, "{text}");
        }
        assert!(AutoscaleSpec::example("Combined", &pool).is_none());
        assert!(AutoscaleSpec::example("Nonsense", &pool).is_none());
    }

    #[test]
    fn errors_inside_combined_name_the_policy_and_its_field() {
        let bad = AutoscaleSpec::Combined(vec![
            AutoscaleSpec::example("TargetTracking", &pool()).unwrap(),
            AutoscaleSpec::Backlog(crate::model::autoscale::backlog::BacklogConfig {
                per_instance: -1.0,
                ..PolicyConfig::example(&pool())
            }),
        ]);
        let e = bad.validate(&pool()).unwrap_err();
        assert_eq!(e.field().to_string(), "[1].per_instance");
        let nested = AutoscaleSpec::Combined(vec![AutoscaleSpec::Combined(vec![])]);
        assert_eq!(
            nested.validate(&pool()).unwrap_err().to_string(),
            "[0]: Combined policies cannot be nested"
        );
        let empty = AutoscaleSpec::Combined(vec![]);
        assert!(empty.validate(&pool()).is_err());
    }
}
