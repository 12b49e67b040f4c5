//! The RON schema. Every struct refuses unknown fields; optional fields have defaults so
//! a small scenario stays small. Units are in the field names.

use crate::model::config::ConfigError;
use serde::{Deserialize, Deserializer, Serialize};

use crate::model::autoscale::AutoscaleSpec;
use crate::model::balancer::BalancerKind;
use crate::model::clock::{ClockError, WeekClock};
use crate::model::cost::Billing;
use crate::model::instance::InstanceType;
use crate::model::pool::ScaleInOrder;
use crate::model::timepoint::TimePoint;
use crate::model::workload::curve::constant::Constant;
use crate::model::workload::{Burst, Demand, RateCurve};

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// A short name, used in reports.
    pub name: String,
    /// What the scenario shows, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// The simulated clock at the start, e.g. `"sun 18:00"`.
    #[serde(default)]
    pub start: StartClock,
    /// How long the run lasts, in simulated seconds.
    #[serde(deserialize_with = "positive")]
    pub duration_secs: f64,
    /// The run seed (the command line's `--seed` overrides it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Length of a metrics interval (one row of `series.csv`), in simulated seconds.
    #[serde(default = "default_interval", deserialize_with = "positive")]
    pub interval_secs: f64,
    /// Simulated seconds at the start to leave out of every figure: the initial transient
    /// of a steady-state study (an empty system filling up). Rounded up to whole
    /// intervals; `scalesim batch --warmup` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_secs: Option<f64>,
    /// The service-level objective.
    #[serde(default)]
    pub slo: SloSpec,
    /// The traffic.
    pub workload: WorkloadSpec,
    /// Instance types beyond the built-in catalog (a type with a catalog name replaces it).
    #[serde(default)]
    pub instance_types: Vec<InstanceType>,
    /// The pools of instances: the services a request visits (`services` is another
    /// name for them).
    #[serde(alias = "services")]
    pub pools: Vec<PoolSpec>,
    /// What a call between services pays on the wire, each way (default: a quarter of a
    /// millisecond within a zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::model::journey::network::Network>,
    /// The zones of the region, e.g. `["a", "b", "c"]` (default: one zone). Each pool
    /// spreads its instances over them, or over its own `zones`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    /// Zone outages: every instance in the zone fails at `at`, and nothing launches
    /// there for `for_secs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<OutageSpec>,
}

/// A zone outage, as a scenario writes it: `(zone: "a", at: "mon 09:10", for_secs: 1800)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageSpec {
    /// The zone that goes down (one of `zones`).
    pub zone: String,
    /// When: `"mon 09:10"`, `"09:10"` or `"+1h"`.
    pub at: TimePoint,
    /// How long it stays down, in seconds.
    #[serde(deserialize_with = "positive")]
    pub for_secs: f64,
}

impl ScenarioFile {
    /// An empty scenario (no classes, no pools): what the app edits when it has nothing
    /// else. It does not pass validation.
    pub fn placeholder() -> ScenarioFile {
        ScenarioFile {
            name: "untitled".into(),
            description: String::new(),
            start: StartClock::default(),
            duration_secs: 3600.0,
            seed: default_seed(),
            interval_secs: default_interval(),
            warmup_secs: None,
            slo: SloSpec::default(),
            workload: WorkloadSpec {
                rate: RateCurve::Constant(Constant { per_sec: 0.0 }),
                burst: Burst::default(),
                classes: Vec::new(),
            },
            instance_types: Vec::new(),
            pools: Vec::new(),
            network: None,
            zones: Vec::new(),
            outages: Vec::new(),
        }
    }
}

fn default_seed() -> u64 {
    1
}
fn default_interval() -> f64 {
    10.0
}

/// The simulated clock at the start, checked while parsing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StartClock {
    text: String,
    clock: WeekClock,
}

impl StartClock {
    /// The clock.
    pub fn clock(&self) -> WeekClock {
        self.clock
    }
}

impl Default for StartClock {
    fn default() -> Self {
        StartClock {
            text: "mon 00:00".into(),
            clock: WeekClock::default(),
        }
    }
}

impl TryFrom<String> for StartClock {
    type Error = ClockError;
    fn try_from(text: String) -> Result<Self, ClockError> {
        let clock = WeekClock::parse(&text)?;
        Ok(StartClock { text, clock })
    }
}

impl From<StartClock> for String {
    fn from(s: StartClock) -> String {
        s.text
    }
}

/// `percentile` % of requests should complete within `latency_secs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// The latency target in seconds.
    #[serde(deserialize_with = "positive")]
    pub latency_secs: f64,
    /// The share of requests that must meet it, in percent (0, 100].
    #[serde(deserialize_with = "percent")]
    pub percentile: f64,
    /// The window the objective is judged over, seconds (default 60, as error-budget
    /// practice counts good and bad minutes). Violation time is a whole number of
    /// windows, whatever `interval_secs` is.
    #[serde(default = "default_slo_window", deserialize_with = "positive")]
    pub window_secs: f64,
}

fn default_slo_window() -> f64 {
    60.0
}

impl Default for SloSpec {
    fn default() -> Self {
        SloSpec {
            latency_secs: 0.5,
            percentile: 99.0,
            window_secs: default_slo_window(),
        }
    }
}

/// The traffic: a rate curve, burstiness and request classes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Requests per second over time.
    pub rate: RateCurve,
    /// Clumping beyond Poisson.
    #[serde(default)]
    pub burst: Burst,
    /// Kinds of request; at least one.
    pub classes: Vec<ClassSpec>,
}

/// A kind of request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// Its name.
    pub name: String,
    /// Its share of the traffic, relative to the other classes' weights.
    #[serde(default = "default_weight", deserialize_with = "non_negative")]
    pub weight: f64,
    /// Its service demand in CPU-seconds on a reference vCPU.
    pub demand: Demand,
    /// The pool that serves it, its entry service (default: the first pool; `entry` is
    /// another name for it).
    #[serde(default, alias = "entry")]
    pub pool: Option<String>,
    /// The key its requests carry, drawn on the workload's stream `workload/keys/<class>`
    /// (`Zipf(keys: 10000, exponent: 1.1)` or `Uniform(keys: 10000)`); a sharded service
    /// routes by it. None: keyless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<crate::model::journey::key::KeyDist>,
    /// Its client's timeout and retries, e.g. `client: (timeout_secs: 2, retry:
    /// (attempts: 3, base_secs: 0.1, cap_secs: 5, jitter: Full))`. None: one try, waited
    /// for as long as it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<crate::model::journey::retry::Client>,
}

fn default_weight() -> f64 {
    1.0
}

/// A pool of identical instances behind a balancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Its name.
    pub name: String,
    /// Instance type name, from the catalog or `instance_types`.
    pub instance: String,
    /// Requests each instance serves at once (default: its vCPUs).
    #[serde(default)]
    pub workers: Option<u32>,
    /// Requests each instance queues beyond its workers; one more is dropped. `None`: no
    /// bound (an M/M/c queue, for validation work; real servers always have one).
    #[serde(default = "default_queue")]
    pub queue_capacity: Option<u32>,
    /// Longest a request waits in a queue before it is dropped (`None`: forever).
    #[serde(default = "default_timeout")]
    pub timeout_secs: Option<f64>,
    /// Fewest, most and initial instances.
    pub size: PoolSize,
    /// How requests are spread over instances.
    #[serde(default)]
    pub balancer: BalancerKind,
    /// Which instances go first on scale-in.
    #[serde(default)]
    pub scale_in: ScaleInOrder,
    /// Longest a draining instance may take to finish its requests.
    #[serde(default = "default_drain", deserialize_with = "non_negative")]
    pub drain_timeout_secs: f64,
    /// How instances are billed.
    #[serde(default)]
    pub billing: Billing,
    /// Planned capacity changes (scheduled actions).
    #[serde(default)]
    pub schedule: Vec<ScheduleEntry>,
    /// The autoscaling policy (none: capacity changes only by the schedule).
    #[serde(default)]
    pub autoscale: Option<AutoscaleSpec>,
    /// Seconds after entering service during which an instance's metrics are not trusted
    /// by the autoscaler (AWS instance warm-up; the HPA's CPU initialization period).
    #[serde(default, deserialize_with = "non_negative")]
    pub warmup_secs: f64,
    /// Load-balancer health checks a booted instance must pass before it gets traffic
    /// (none: it serves as soon as it has booted).
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// Boot time distribution in seconds, e.g. `LogNormal(mean_secs: 90, cv: 0.3)`
    /// (default: the instance type's `boot_secs`, always).
    #[serde(default)]
    pub boot: Option<Demand>,
    /// Instance crashes (none: instances never fail).
    #[serde(default)]
    pub failures: Option<Failures>,
    /// The group checks its instances through the balancer (AWS `HealthCheckType: ELB`)
    /// and ignores their health for this many seconds after launch (AWS
    /// `HealthCheckGracePeriod`: 300 s from the console, 0 from the CLI). An instance that
    /// has not booted when the grace period ends is replaced, as is one that crashed once
    /// the grace period is over. None: EC2 status checks only, so a slow boot is never
    /// replaced and a crash is replaced as soon as it is detected.
    #[serde(default, deserialize_with = "some_non_negative")]
    pub health_check_grace_secs: Option<f64>,
    /// What one visit costs it, step by step: `Cpu(demand)`, `Call("service")` (the
    /// worker waits for the reply) or `AsyncCall("service")` (it does not). Empty: the
    /// request class's demand, as a single pool does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work: Vec<crate::model::journey::work::StepSpec>,
    /// Split by key into shards, each its own group of instances (`size`, balancer,
    /// autoscaling and billing as above, per shard), named `name[0]`, `name[1]`, ...
    /// None: one group serves every key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<crate::model::journey::service::ShardSpec>,
    /// The zones its instances are spread over, a subset of the scenario's `zones`
    /// (default: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
}

/// Instances crash at random: each in-service instance fails after an exponentially
/// distributed time with mean `mttf_hours`. A crashed instance loses what it holds; the
/// balancer keeps sending it requests (which fail) until its health checks notice, then
/// the group replaces it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    /// Mean time to failure of one instance, in hours of service.
    #[serde(deserialize_with = "positive")]
    pub mttf_hours: f64,
}

fn default_queue() -> Option<u32> {
    Some(100)
}
fn default_timeout() -> Option<f64> {
    Some(30.0)
}
fn default_drain() -> f64 {
    300.0
}

/// Load-balancer health checks: a booted instance receives traffic once it has passed
/// `healthy_threshold` consecutive checks, one every `interval_secs`. The AWS ALB defaults
/// are 30 s and 5 checks: two and a half minutes after boot before the first request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Seconds between checks.
    #[serde(default = "default_hc_interval", deserialize_with = "positive")]
    pub interval_secs: f64,
    /// Consecutive passing checks needed.
    #[serde(default = "default_hc_threshold")]
    pub healthy_threshold: u32,
    /// Consecutive failed checks before a serving instance is taken out (ALB default 2).
    #[serde(default = "default_hc_unhealthy")]
    pub unhealthy_threshold: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            interval_secs: default_hc_interval(),
            healthy_threshold: default_hc_threshold(),
            unhealthy_threshold: default_hc_unhealthy(),
        }
    }
}

fn default_hc_unhealthy() -> u32 {
    2
}

fn default_hc_interval() -> f64 {
    30.0
}
fn default_hc_threshold() -> u32 {
    5
}

impl HealthCheck {
    /// Seconds from boot to the first request.
    pub fn delay_secs(&self) -> f64 {
        self.interval_secs * f64::from(self.healthy_threshold)
    }

    /// Seconds from a crash until the balancer stops sending requests.
    pub fn detect_secs(&self) -> f64 {
        self.interval_secs * f64::from(self.unhealthy_threshold.max(1))
    }
}

/// Pool bounds, checked while parsing: `min <= initial <= max` and `max >= 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPoolSize")]
pub struct PoolSize {
    /// Fewest instances.
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// Instances in service at the start (default: `min`).
    pub initial: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoolSize {
    min: u32,
    max: u32,
    #[serde(default)]
    initial: Option<u32>,
}

impl TryFrom<RawPoolSize> for PoolSize {
    type Error = ConfigError;
    fn try_from(r: RawPoolSize) -> Result<Self, ConfigError> {
        // Checked while parsing, so RON places the error at the `size` it is about; the
        // messages name the field themselves ("size: ...").
        let initial = r.initial.unwrap_or(r.min);
        if r.min > r.max {
            return Err(ConfigError::whole(format!(
                "size: min {} is greater than max {}",
                r.min, r.max
            )));
        }
        if r.max == 0 {
            return Err(ConfigError::whole("size: max must be at least 1"));
        }
        if initial < r.min || initial > r.max {
            return Err(ConfigError::whole(format!(
                "size: initial {initial} is outside min..=max ({}..={})",
                r.min, r.max
            )));
        }
        Ok(PoolSize {
            min: r.min,
            max: r.max,
            initial,
        })
    }
}

/// A scheduled action: at `at`, set any of desired capacity, min and max; once, or
/// every week (`weekly: true`, e.g. "Mondays 08:30 set min 20").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    /// When: `"mon 08:30"`, `"08:30"` or `"+2h"`.
    pub at: TimePoint,
    /// The new desired capacity (clamped to min..=max).
    #[serde(default)]
    pub desired: Option<u32>,
    /// The new minimum.
    #[serde(default)]
    pub min: Option<u32>,
    /// The new maximum.
    #[serde(default)]
    pub max: Option<u32>,
    /// Repeat every week at the same time.
    #[serde(default)]
    pub weekly: bool,
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a number > 0, got {v}"
        )))
    }
}

fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a number >= 0, got {v}"
        )))
    }
}

fn some_non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(serde::de::Error::custom(format!(
            "expected a number >= 0, got {v}"
        ))),
        v => Ok(v),
    }
}

fn percent<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a percentile in (0, 100], got {v}"
        )))
    }
}
