//! What a call pays on the wire: a one-way latency on the way in and on the way back,
//! drawn from a distribution (within a zone by default; between zones once services are
//! spread over zones).

use serde::{Deserialize, Serialize};

use crate::model::workload::Demand;

/// One-way network latencies, as distributions of seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Between two instances in the same zone. Default: log-normal, mean 0.25 ms, cv
    /// 0.5 (a round trip of about half a millisecond, as within one AWS Availability
    /// Zone or one Google Cloud zone).
    #[serde(default = "within_zone")]
    pub within_zone: Demand,
    /// Between instances in different zones of one region. Default: log-normal, mean
    /// 1 ms, cv 0.5 (AWS describes its zones as connected with single-digit millisecond
    /// latency: <https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/availability-zones.html>).
    #[serde(default = "between_zones")]
    pub between_zones: Demand,
}

fn within_zone() -> Demand {
    Demand::LogNormal {
        mean_secs: 0.000_25,
        cv: 0.5,
    }
}

fn between_zones() -> Demand {
    Demand::LogNormal {
        mean_secs: 0.001,
        cv: 0.5,
    }
}

impl Default for Network {
    fn default() -> Self {
        Network {
            within_zone: within_zone(),
            between_zones: between_zones(),
        }
    }
}
