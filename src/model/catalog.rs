//! The catalog of instance types shipped in `assets/catalog.ron` (compiled into the
//! binary, so scalesim runs from any directory).

use super::instance::InstanceType;

/// The catalog's RON text.
pub const CATALOG_RON: &str = include_str!("../../assets/catalog.ron");

/// The shipped catalog does not parse (a broken build, never the user's input).
#[derive(Debug, thiserror::Error)]
#[error("assets/catalog.ron:{0}")]
pub struct CatalogError(#[from] ron::error::SpannedError);

/// Instance types by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    types: Vec<InstanceType>,
}

impl Catalog {
    /// The catalog shipped with scalesim.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        let types: Vec<InstanceType> = ron::from_str(CATALOG_RON)?;
        Ok(Catalog { types })
    }

    /// Adds or replaces types (a scenario's own `instance_types`).
    pub fn with(mut self, extra: &[InstanceType]) -> Catalog {
        for t in extra {
            match self.types.iter_mut().find(|x| x.name == t.name) {
                Some(slot) => *slot = t.clone(),
                None => self.types.push(t.clone()),
            }
        }
        self
    }

    /// The type called `name`.
    pub fn get(&self, name: &str) -> Option<&InstanceType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// All types, in catalog order.
    pub fn types(&self) -> &[InstanceType] {
        &self.types
    }

    /// The types of `name`'s family, smallest first: see [`family_of`].
    pub fn family(&self, name: &str) -> Vec<String> {
        family_of(name, &self.types)
    }
}

/// The types among `types` of `name`'s family (`m5.*`, `e2-standard-*`), smallest first
/// (by vCPUs, then memory): the ladder a vertical policy climbs. Holds at least `name`.
pub fn family_of(name: &str, types: &[InstanceType]) -> Vec<String> {
    let family = |n: &str| -> String {
        match n.split_once('.') {
            Some((f, _)) => format!("{f}."),
            None => n.rsplit_once('-').map_or(n, |(f, _)| f).to_string() + "-",
        }
    };
    let mine = family(name);
    let mut same: Vec<&InstanceType> = types.iter().filter(|t| family(&t.name) == mine).collect();
    same.sort_by(|a, b| {
        (a.vcpus, a.memory_gib)
            .partial_cmp(&(b.vcpus, b.memory_gib))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out: Vec<String> = same.iter().map(|t| t.name.clone()).collect();
    if !out.iter().any(|t| t == name) {
        out.insert(0, name.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_parses_and_every_type_is_valid() {
        let c = Catalog::builtin().unwrap();
        assert!(c.types().len() >= 10);
        for t in c.types() {
            t.validate().unwrap();
        }
        let m5 = c.get("m5.large").unwrap();
        assert_eq!((m5.vcpus, m5.price_usd_per_hour), (2, 0.096));
    }

    #[test]
    fn a_family_is_its_types_smallest_first() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(
            c.family("m5.xlarge"),
            ["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"]
        );
        assert_eq!(
            c.family("e2-standard-4"),
            ["e2-standard-2", "e2-standard-4"]
        );
        // A type the catalog does not know is its own family.
        assert_eq!(c.family("custom"), ["custom"]);
    }
}
