//! From a parsed file to a checked [`Scenario`]: names resolve, numbers make sense,
//! curves compile. Every problem is reported, each with its place in the file.

use crate::model::instance::PoolId;
use crate::model::journey::service::{ServiceConfig, ServiceId};
use crate::model::journey::shard::ShardMap;
use crate::model::journey::work::{StepSpec, Wait, WorkStep, call_cycle};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::{ScenarioError, ScenarioErrors};
use super::schema::ScenarioFile;
use super::span::locate_path;
use crate::metrics::SloTarget;
use crate::model::autoscale::spec::PoolContext;
use crate::model::catalog::Catalog;
use crate::model::clock::WeekClock;
use crate::model::config::FieldPath;
use crate::model::pool::{PoolConfig, ScheduledChange};
use crate::model::topology::{Outage, WorldConfig};
use crate::model::workload::{
    ClassModel, CurveContext, CurveError, RateProfile, TraceRows, TraceSpan, read_trace,
};
use crate::sim::{SimDuration, SimTime};

/// Where a scenario's text came from.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// The file as the user named it (used in messages).
    pub label: String,
    /// The text.
    pub text: String,
    /// The directory relative paths inside it (traces) are resolved against.
    pub dir: PathBuf,
}

impl Source {
    /// Text that did not come from a file (the app's editor, tests).
    pub fn inline(label: &str, text: &str) -> Source {
        Source {
            label: label.to_string(),
            text: text.to_string(),
            dir: PathBuf::from("."),
        }
    }
}

/// A checked scenario, ready to build a world from.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file with every default filled in and trace paths made absolute, so writing
    /// it back gives a scenario that repeats the run anywhere.
    pub file: ScenarioFile,
    /// The simulated clock.
    pub clock: WeekClock,
    /// The compiled rate curve.
    pub profile: RateProfile,
    /// Classes with their pools resolved.
    pub classes: Vec<ClassModel>,
    /// Pools with their instance types resolved: one per service, or one per shard of a
    /// sharded service.
    pub pools: Vec<PoolConfig>,
    /// The services, with the pools that serve them.
    pub services: Vec<ServiceConfig>,
    /// The zones' names (one, `default`, if the scenario names none).
    pub zones: Vec<String>,
    /// The zone outages.
    pub outages: Vec<Outage>,
    /// What the user should know although the scenario runs (a trace that ends before the
    /// run does), each as `file:line:col: message`; `scalesim run` and `check` print them
    /// to stderr as `warning: ...`.
    pub warnings: Vec<String>,
}

impl Scenario {
    /// Checks `file` (read from `source`) and resolves everything in it.
    pub fn validate(mut file: ScenarioFile, source: &Source) -> Result<Scenario, ScenarioErrors> {
        let errors = std::cell::RefCell::new(Vec::new());
        // Every problem is placed at the field it is about, found by its path in the text.
        let err_at = |path: &FieldPath, message: String| {
            let (line, col) = locate_path(&source.text, path).unwrap_or((0, 0));
            errors.borrow_mut().push(ScenarioError {
                file: source.label.clone(),
                line,
                col,
                field: Some(path.clone()),
                message,
            });
        };
        let root = FieldPath::root();
        let clock = file.start.clock();

        // Instance types: the catalog plus the scenario's own.
        let catalog = match Catalog::builtin() {
            Ok(c) => c.with(&file.instance_types),
            Err(e) => {
                err_at(&root, format!("the built-in catalog is broken: {e}"));
                Catalog::default()
            }
        };
        for (i, t) in file.instance_types.iter().enumerate() {
            if let Err(e) = t.validate() {
                let at = root.clone().field("instance_types").index(i);
                err_at(
                    &at.clone().join(e.field()),
                    format!("instance type \"{}\": {e}", t.name),
                );
            }
        }

        if let Some(w) = file.warmup_secs
            && !(w.is_finite() && w >= 0.0 && w < file.duration_secs)
        {
            err_at(
                &root.clone().field("warmup_secs"),
                format!(
                    "warmup_secs: {w} is not between 0 and the run's duration ({} s)",
                    file.duration_secs
                ),
            );
        }

        // Zones (one, unnamed in outputs, if the scenario gives none).
        let zones_at = root.clone().field("zones");
        let mut zone_names = file.zones.clone();
        if zone_names.is_empty() {
            zone_names.push("default".into());
        }
        if zone_names.len() > usize::from(u8::MAX) {
            err_at(&zones_at, format!("zones: at most {} zones", u8::MAX));
        }
        for (k, z) in file.zones.iter().enumerate() {
            if file.zones[..k].contains(z) {
                err_at(
                    &zones_at.clone().index(k),
                    format!("zone \"{z}\" is named twice"),
                );
            }
        }
        let zone_of = |name: &str, at: &FieldPath| {
            let found = file.zones.iter().position(|z| z == name);
            if found.is_none() {
                err_at(
                    at,
                    if file.zones.is_empty() {
                        format!(
                            "zone \"{name}\" is not defined; name the scenario's zones first, e.g. zones: [\"a\", \"b\"]"
                        )
                    } else {
                        format!(
                            "zone \"{name}\" is not defined; the zones are: {}",
                            file.zones.join(", ")
                        )
                    },
                );
            }
            found.map(|i| u8::try_from(i).unwrap_or(u8::MAX))
        };
        let mut outages = Vec::with_capacity(file.outages.len());
        for (k, o) in file.outages.iter().enumerate() {
            let at = root.clone().field("outages").index(k);
            if let Some(zone) = zone_of(&o.zone, &at.clone().field("zone")) {
                let from = SimTime::from_secs_f64(clock.resolve(o.at.at()));
                outages.push(Outage {
                    zone,
                    from,
                    until: from + SimDuration::from_secs_f64(o.for_secs),
                });
            }
        }

        // Pools.
        if file.pools.is_empty() {
            err_at(
                &root.clone().field("pools"),
                "pools: at least one pool is needed".into(),
            );
        }
        let mut pools = Vec::with_capacity(file.pools.len());
        let mut services = Vec::with_capacity(file.pools.len());
        let mut service_calls = Vec::with_capacity(file.pools.len());
        let mut seen = BTreeSet::new();
        for (pool_index, p) in file.pools.iter().enumerate() {
            let name_q = format!("\"{}\"", p.name);
            let here = root.clone().field("pools").index(pool_index);
            let at = |field: &'static str| here.clone().field(field);
            if !seen.insert(p.name.clone()) {
                err_at(&at("name"), format!("pool {name_q} is defined twice"));
            }
            let Some(itype) = catalog.get(&p.instance) else {
                let known: Vec<&str> = catalog.types().iter().map(|t| t.name.as_str()).collect();
                err_at(
                    &at("instance"),
                    format!(
                        "unknown instance type \"{}\"; known types: {}",
                        p.instance,
                        known.join(", ")
                    ),
                );
                // Keep services in step with the file's pools, so later names resolve.
                service_calls.push(Vec::new());
                services.push(ServiceConfig {
                    name: p.name.clone(),
                    pools: Vec::new(),
                    shards: None,
                });
                continue;
            };
            let workers = p.workers.unwrap_or(itype.vcpus);
            if workers == 0 {
                err_at(
                    &at("workers"),
                    format!("pool {name_q}: workers must be at least 1"),
                );
            }
            let timeout = match p.timeout_secs {
                Some(t) if !(t.is_finite() && t > 0.0) => {
                    err_at(
                        &at("timeout_secs"),
                        format!("pool {name_q}: timeout_secs must be > 0 (or None), got {t}"),
                    );
                    None
                }
                t => t.map(SimDuration::from_secs_f64),
            };
            if let Err(e) = p.billing.validate() {
                err_at(
                    &at("billing").join(e.field()),
                    format!("pool {name_q}: billing: {e}"),
                );
            }
            let mut schedule = Vec::with_capacity(p.schedule.len());
            for (j, s) in p.schedule.iter().enumerate() {
                if s.desired.is_none() && s.min.is_none() && s.max.is_none() {
                    err_at(
                        &at("schedule").index(j),
                        format!(
                            "pool {name_q}: the scheduled action at {:?} sets nothing; give desired, min or max",
                            s.at.as_str()
                        ),
                    );
                }
                if let (Some(lo), Some(hi)) = (s.min, s.max)
                    && lo > hi
                {
                    err_at(
                        &at("schedule").index(j).field("min"),
                        format!(
                            "pool {name_q}: the scheduled action at {:?} sets min {lo} above max {hi}",
                            s.at.as_str()
                        ),
                    );
                }
                schedule.push(ScheduledChange {
                    at: SimTime::from_secs_f64(clock.resolve(s.at.at())),
                    desired: s.desired,
                    min: s.min,
                    max: s.max,
                    weekly: s.weekly,
                    label: s.at.as_str().to_string(),
                });
            }
            if let Some(a) = &p.autoscale {
                let family = catalog.family(&p.instance);
                let ctx = PoolContext {
                    instance_type: &p.instance,
                    family: &family,
                };
                if let Err(e) = a.validate(&ctx) {
                    // The error knows its field; find that field in the text.
                    let path = FieldPath::root()
                        .field("pools")
                        .index(pool_index)
                        .field("autoscale")
                        .join(e.field());
                    err_at(&path, format!("pool {name_q}: autoscale: {e}"));
                }
            }
            let mut resize = None;
            if let Some(crate::model::autoscale::AutoscaleSpec::Vertical(v)) = &p.autoscale {
                let mut ladder = Vec::new();
                for (k, t) in v.types.iter().enumerate() {
                    match catalog.get(t) {
                        Some(it) => ladder.push(it.clone()),
                        None => err_at(
                            &at("autoscale").field("types").index(k),
                            format!(
                                "pool {name_q}: autoscale: unknown instance type \"{t}\" in types"
                            ),
                        ),
                    }
                }
                resize = Some((ladder, v.restart_secs, v.all_at_once));
            }
            if let Some(b) = &p.boot
                && let Err(e) = b.sampler()
            {
                err_at(
                    &at("boot").join(e.field()),
                    format!("pool {name_q}: boot: {e}"),
                );
            }
            let work = check_work(p, pool_index, &file.pools, &here, &err_at);
            service_calls.push(
                work.iter()
                    .flat_map(|s| match s {
                        WorkStep::Call { to, .. } => vec![to.index()],
                        WorkStep::FanOut { to, .. } => to.iter().map(|t| t.index()).collect(),
                        WorkStep::Cpu(_) | WorkStep::ClassDemand => Vec::new(),
                    })
                    .collect::<Vec<usize>>(),
            );
            let shard_count = match &p.shards {
                Some(sh) if sh.count == 0 || sh.count > MAX_SHARDS => {
                    err_at(
                        &at("shards").field("count"),
                        format!(
                            "pool {name_q}: shards: count must be 1 to {MAX_SHARDS}, got {}",
                            sh.count
                        ),
                    );
                    None
                }
                Some(sh) => Some(sh.count),
                None => None,
            };
            let zones: Vec<u8> = match &p.zones {
                None => (0..zone_names.len())
                    .map(|z| u8::try_from(z).unwrap_or(u8::MAX))
                    .collect(),
                Some(list) => {
                    if list.is_empty() {
                        err_at(
                            &at("zones"),
                            format!(
                                "pool {name_q}: zones: give at least one zone, or leave zones out for all"
                            ),
                        );
                    }
                    list.iter()
                        .enumerate()
                        .filter_map(|(k, z)| zone_of(z, &at("zones").index(k)))
                        .collect()
                }
            };
            let first = pools.len();
            let pool = PoolConfig {
                name: p.name.clone(),
                instance: itype.clone(),
                workers,
                queue_capacity: p.queue_capacity,
                timeout,
                min: p.size.min,
                max: p.size.max,
                initial: p.size.initial,
                balancer: p.balancer,
                scale_in: p.scale_in,
                drain_timeout: SimDuration::from_secs_f64(p.drain_timeout_secs),
                billing: p.billing.clone(),
                schedule,
                autoscale: p.autoscale.clone(),
                warmup: SimDuration::from_secs_f64(p.warmup_secs),
                boot: p.boot.clone(),
                resize,
                health_check_delay: SimDuration::from_secs_f64(
                    p.health_check.as_ref().map_or(0.0, |h| h.delay_secs()),
                ),
                mttf: p
                    .failures
                    .as_ref()
                    .map(|f| SimDuration::from_secs_f64(f.mttf_hours * 3600.0)),
                // Without configured checks the balancer still probes, with the ALB defaults.
                unhealthy_detect: SimDuration::from_secs_f64(
                    p.health_check.clone().unwrap_or_default().detect_secs(),
                ),
                health_check_grace: p.health_check_grace_secs.map(SimDuration::from_secs_f64),
                work,
                service: ServiceId::of(pool_index),
                zones,
            };
            // A sharded service is a group of instances per shard, each a pool of its own.
            match shard_count {
                Some(n) => pools.extend((0..n).map(|k| PoolConfig {
                    name: ServiceConfig::shard_name(&p.name, k),
                    ..pool.clone()
                })),
                None => pools.push(pool),
            }
            services.push(ServiceConfig {
                name: p.name.clone(),
                pools: (first..pools.len()).map(PoolId::of).collect(),
                // The map needs the key count, known once the classes are read.
                shards: None,
            });
        }
        // A request in a cycle of calls would call forever.
        let calls = service_calls;
        if let Some(cycle) = call_cycle(&calls) {
            let names: Vec<&str> = cycle.iter().map(|i| file.pools[*i].name.as_str()).collect();
            err_at(
                &root.clone().field("pools").index(cycle[0]).field("work"),
                format!(
                    "the services call each other in a cycle ({}): a request would never end",
                    names.join(" -> ")
                ),
            );
        }

        // Classes.
        let w = &file.workload;
        let classes_at = root.clone().field("workload").field("classes");
        if w.classes.is_empty() {
            err_at(
                &classes_at,
                "workload.classes: at least one request class is needed".into(),
            );
        } else if w.classes.iter().map(|c| c.weight).sum::<f64>() <= 0.0 {
            err_at(
                &classes_at,
                "workload.classes: the weights add up to 0; give at least one class a weight > 0"
                    .into(),
            );
        }
        let mut classes = Vec::with_capacity(w.classes.len());
        let mut class_names = BTreeSet::new();
        for (k, c) in w.classes.iter().enumerate() {
            let name_q = format!("\"{}\"", c.name);
            let at = |field: &'static str| classes_at.clone().index(k).field(field);
            if !class_names.insert(c.name.clone()) {
                err_at(&at("name"), format!("class {name_q} is defined twice"));
            }
            if let Err(e) = c.demand.sampler() {
                err_at(
                    &at("demand").join(e.field()),
                    format!("class {name_q}: demand: {e}"),
                );
            }
            let pool = match &c.pool {
                None => 0,
                Some(p) => match file.pools.iter().position(|x| &x.name == p) {
                    Some(i) => i,
                    None => {
                        err_at(
                            &at("pool"),
                            format!(
                                "class {name_q} is routed to pool \"{p}\", which is not defined"
                            ),
                        );
                        0
                    }
                },
            };
            if let Some(k) = &c.key
                && let Err(e) = k.validate()
            {
                err_at(
                    &at("key").join(e.field()),
                    format!("class {name_q}: key: {e}"),
                );
            }
            if let Some(client) = &c.client
                && let Err(e) = client.validate()
            {
                err_at(
                    &at("client").join(e.field()),
                    format!("class {name_q}: client: {e}"),
                );
            }
            if c.key.is_none()
                && let Some(s) = reachable(pool, &calls)
                    .into_iter()
                    .find(|s| file.pools.get(*s).is_some_and(|p| p.shards.is_some()))
            {
                err_at(
                    &at("name"),
                    format!(
                        "class {name_q} reaches the sharded service \"{}\" but its requests carry no key; give the class a key, e.g. key: Zipf(keys: 10000, exponent: 1.0)",
                        file.pools[s].name
                    ),
                );
            }
            classes.push(ClassModel {
                name: c.name.clone(),
                weight: c.weight,
                demand: c.demand.clone(),
                entry: ServiceId::of(pool),
                key: c.key.clone(),
                client: c.client.clone(),
            });
        }
        // Each sharded service's key-to-shard map (ranges cut the largest key space that
        // reaches it).
        let key_count = w
            .classes
            .iter()
            .filter_map(|c| c.key.as_ref().map(|k| k.keys()))
            .max()
            .unwrap_or(0);
        for (i, p) in file.pools.iter().enumerate() {
            if let (Some(sh), Some(service)) = (&p.shards, services.get_mut(i))
                && service.pools.len() == sh.count as usize
            {
                match ShardMap::new(&sh.by, sh.count, key_count) {
                    Ok(m) => service.shards = Some(m),
                    Err(e) => err_at(
                        &root
                            .clone()
                            .field("pools")
                            .index(i)
                            .field("shards")
                            .join(e.field()),
                        format!("pool \"{}\": shards: {e}", p.name),
                    ),
                }
            }
        }
        if let Err(e) = w.burst.validate() {
            err_at(
                &root
                    .clone()
                    .field("workload")
                    .field("burst")
                    .join(e.field()),
                format!("workload.burst: {e}"),
            );
        }

        // The rate curve (traces are read relative to the scenario file).
        let dir = source.dir.clone();
        let load_trace = move |f: &str, span: TraceSpan| load_trace(&dir.join(f), span);
        let ctx = CurveContext {
            clock,
            duration_secs: file.duration_secs,
            load_trace: &load_trace,
            warnings: Default::default(),
        };
        let rate_at = root.clone().field("workload").field("rate");
        let profile = match w.rate.compile(&ctx) {
            Ok(p) => p,
            Err(e) => {
                err_at(&rate_at, format!("workload.rate: {e}"));
                RateProfile::from_knots(vec![])
            }
        };
        let (line, col) = locate_path(&source.text, &rate_at).unwrap_or((0, 0));
        let warnings = ctx
            .warnings
            .take()
            .into_iter()
            .map(|w| {
                ScenarioError {
                    file: source.label.clone(),
                    line,
                    col,
                    field: Some(rate_at.clone()),
                    message: format!("workload.rate: {w}"),
                }
                .to_string()
            })
            .collect();
        let errors = errors.into_inner();
        if !errors.is_empty() {
            return Err(ScenarioErrors(errors));
        }
        absolutise_traces(&mut file.workload.rate, &source.dir);
        Ok(Scenario {
            file,
            clock,
            profile,
            classes,
            pools,
            services,
            zones: zone_names,
            outages,
            warnings,
        })
    }

    /// The warm-up its figures leave out (`warmup_secs`; zero without one).
    pub fn warmup(&self) -> SimDuration {
        SimDuration::from_secs_f64(self.file.warmup_secs.unwrap_or(0.0))
    }

    /// The world this scenario describes, with the file's seed.
    pub fn world_config(&self) -> WorldConfig {
        WorldConfig {
            seed: self.file.seed,
            clock: self.clock,
            end: self.end(),
            interval: SimDuration::from_secs_f64(self.file.interval_secs),
            slo: SloTarget {
                latency_secs: self.file.slo.latency_secs,
                percentile: self.file.slo.percentile,
                window_secs: self.file.slo.window_secs,
            },
            profile: self.profile.clone(),
            burst: self.file.workload.burst.clone(),
            classes: self.classes.clone(),
            pools: self.pools.clone(),
            services: self.services.clone(),
            zones: self.zones.clone(),
            outages: self.outages.clone(),
            network: self.file.network.clone().unwrap_or_default(),
        }
    }

    /// When the run ends.
    pub fn end(&self) -> SimTime {
        SimTime::from_secs_f64(self.file.duration_secs)
    }

    /// The scenario as RON with every default written out (`scenario.ron` of a run).
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let body = super::to_ron(&self.file)?;
        Ok(format!(
            "// {}: resolved by scalesim {} with every default written out.\n// Run it again with `scalesim run` to repeat the run exactly.\n{body}\n",
            self.file.name,
            env!("CARGO_PKG_VERSION")
        ))
    }
}

/// Opens a trace CSV and reads what `span` needs of it (see [`read_trace`]).
fn load_trace(path: &Path, span: TraceSpan) -> Result<TraceRows, CurveError> {
    let label = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| CurveError::Invalid {
        curve: "Trace",
        reason: format!("cannot read {label}: {e}"),
    })?;
    read_trace(file, &label, span)
}

/// Makes the trace paths of `rate` absolute, so `scenario.ron` replays from anywhere.
fn absolutise_traces(rate: &mut crate::model::workload::RateCurve, dir: &Path) {
    for file in rate.trace_files_mut() {
        let p = dir.join(&*file);
        let abs = std::fs::canonicalize(&p).unwrap_or(p);
        *file = abs.display().to_string();
    }
}

/// The services a request entering `entry` may visit (itself included), by the calls of
/// each service (`calls[s]`); the call graph has no cycle by then, or it is cut short.
fn reachable(entry: usize, calls: &[Vec<usize>]) -> Vec<usize> {
    let mut seen = vec![false; calls.len()];
    let mut stack = vec![entry];
    let mut out = Vec::new();
    while let Some(s) = stack.pop() {
        if s >= seen.len() || seen[s] {
            continue;
        }
        seen[s] = true;
        out.push(s);
        stack.extend(calls[s].iter().copied());
    }
    out
}

/// Most shards a service may have (each is a pool of its own).
const MAX_SHARDS: u32 = 1024;

/// A pool's `work`, checked: each `Cpu` demand valid and each call naming a pool that
/// exists (errors are reported at the step, with the names that would do).
fn check_work(
    p: &crate::scenario::schema::PoolSpec,
    pool_index: usize,
    all: &[crate::scenario::schema::PoolSpec],
    here: &FieldPath,
    err_at: &impl Fn(&FieldPath, String),
) -> Vec<WorkStep> {
    let mut work = Vec::with_capacity(p.work.len());
    for (k, step) in p.work.iter().enumerate() {
        let at = here.clone().field("work").index(k);
        match step {
            StepSpec::ClassDemand => work.push(WorkStep::ClassDemand),
            StepSpec::Cpu(d) => match d.sampler() {
                Ok(_) => work.push(WorkStep::Cpu(d.clone())),
                Err(e) => err_at(
                    &at.join(e.field()),
                    format!("pool \"{}\": work step {}: {e}", p.name, k + 1),
                ),
            },
            StepSpec::Call(to) | StepSpec::AsyncCall(to) => {
                let sync = matches!(step, StepSpec::Call(_));
                if let Some(to) = called(p, pool_index, all, to, &at, err_at) {
                    work.push(WorkStep::Call { to, sync });
                }
            }
            StepSpec::FanOut { to, wait } => {
                let n = to.len();
                let targets: Vec<ServiceId> = to
                    .iter()
                    .enumerate()
                    .filter_map(|(j, t)| {
                        called(
                            p,
                            pool_index,
                            all,
                            t,
                            &at.clone().field("to").index(j),
                            err_at,
                        )
                    })
                    .collect();
                let wait = match wait {
                    Wait::All => n,
                    Wait::First(k) => usize::from(*k),
                };
                if n == 0 {
                    err_at(
                        &at.clone().field("to"),
                        format!("pool \"{}\": a fan-out needs at least one service", p.name),
                    );
                } else if wait == 0 || wait > n {
                    err_at(
                        &at.clone().field("wait"),
                        format!(
                            "pool \"{}\": a fan-out to {n} services can wait for 1 to {n} of them, not {wait}",
                            p.name
                        ),
                    );
                } else if targets.len() == n {
                    work.push(WorkStep::FanOut {
                        to: targets,
                        wait: u16::try_from(wait).unwrap_or(u16::MAX),
                    });
                }
            }
        }
    }
    work
}

/// The pool a step of `p` calls by the name `to`, or an error at `at`: unknown names list
/// the valid ones, and a pool may not call itself.
fn called(
    p: &crate::scenario::schema::PoolSpec,
    pool_index: usize,
    all: &[crate::scenario::schema::PoolSpec],
    to: &str,
    at: &FieldPath,
    err_at: &impl Fn(&FieldPath, String),
) -> Option<ServiceId> {
    match all.iter().position(|x| x.name == to) {
        Some(i) if i == pool_index => {
            err_at(
                at,
                format!(
                    "pool \"{}\" calls itself: a request would never end",
                    p.name
                ),
            );
            None
        }
        Some(i) => Some(ServiceId::of(i)),
        None => {
            let names: Vec<&str> = all.iter().map(|x| x.name.as_str()).collect();
            err_at(
                at,
                format!(
                    "pool \"{}\" calls \"{to}\", which is not defined; the pools are: {}",
                    p.name,
                    names.join(", ")
                ),
            );
            None
        }
    }
}
