//! Services as the request path sees them: a name a class enters by or a step calls, and
//! the pool (or, for a sharded service, the pool of each shard) that serves its visits.

use serde::{Deserialize, Serialize};

use crate::model::instance::PoolId;

use super::shard::{ShardBy, ShardMap};

/// Index of a service: its place among the scenario's `pools` (or `services`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u16);

impl ServiceId {
    /// The id of the service at `index` in the scenario.
    pub fn of(index: usize) -> ServiceId {
        ServiceId(u16::try_from(index).unwrap_or(u16::MAX))
    }

    /// Its position in the world's service vector.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// How a service is split by key, as a scenario writes it (`shards: (count: 4, by:
/// ConsistentHash(vnodes: 64))`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardSpec {
    /// How many shards; each is its own group of instances, with its own balancer and
    /// autoscaling, sized as the service's `size` says.
    pub count: u32,
    /// Which shard a key goes to (default: `Hash`).
    #[serde(default = "default_by")]
    pub by: ShardBy,
}

fn default_by() -> ShardBy {
    ShardBy::Hash
}

/// A service in the world: which pools serve it and, if it is sharded, which of them
/// serves a key.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// Its name, as the scenario gives it.
    pub name: String,
    /// Its pools: one, or one per shard in shard order.
    pub pools: Vec<PoolId>,
    /// The key-to-shard map of a sharded service (`None`: one pool serves every key).
    pub shards: Option<ShardMap>,
}

impl ServiceConfig {
    /// The pool that serves a visit carrying `key`.
    pub fn pool_for(&self, key: u64) -> PoolId {
        let shard = self.shards.as_ref().map_or(0, |m| m.shard_of(key) as usize);
        self.pools
            .get(shard)
            .or(self.pools.first())
            .copied()
            .unwrap_or(PoolId(0))
    }

    /// The name of shard `index` of the service `name`, as its pool is named in every
    /// output (`db[0]`, `db[1]`, ...).
    pub fn shard_name(name: &str, index: u32) -> String {
        format!("{name}[{index}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sharded_service_sends_a_key_to_its_shard_pool() {
        // Range over keys 1..=100 and 4 shards: keys 1-25 to the first, 76-100 to the last.
        let s = ServiceConfig {
            name: "db".into(),
            pools: vec![PoolId(3), PoolId(4), PoolId(5), PoolId(6)],
            shards: Some(ShardMap::new(&ShardBy::Range, 4, 100).unwrap()),
        };
        assert_eq!(s.pool_for(1), PoolId(3));
        assert_eq!(s.pool_for(26), PoolId(4));
        assert_eq!(s.pool_for(100), PoolId(6));
        let plain = ServiceConfig {
            name: "web".into(),
            pools: vec![PoolId(0)],
            shards: None,
        };
        assert_eq!(plain.pool_for(42), PoolId(0));
        assert_eq!(ServiceConfig::shard_name("db", 2), "db[2]");
    }
}
