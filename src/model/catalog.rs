//! The catalog of instance types shipped in `assets/catalog.ron` (compiled into the
//! binary, so scalesim runs from any directory).

use super::instance::InstanceType;

/// The catalog's RON text.
pub const CATALOG_RON: &str = include_str!("../../assets/catalog.ron");

/// Instance types by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    types: Vec<InstanceType>,
}

impl Catalog {
    /// The catalog shipped with scalesim.
    pub fn builtin() -> Result<Catalog, String> {
        let types: Vec<InstanceType> =
            ron::from_str(CATALOG_RON).map_err(|e| format!("assets/catalog.ron:{e}"))?;
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
}
