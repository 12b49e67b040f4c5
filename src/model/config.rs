//! Configuration errors that name their field, and the shared checks that make them.
//!
//! Every setting a scenario gives (a policy's target, a curve's rate, a pool's billing) is
//! checked once, when the scenario is loaded, by the `validate` of the type that holds it.
//! A problem is a [`ConfigError`] carrying the [`FieldPath`] of the offending value relative
//! to that type (`behavior.scale_up.policies[1].value`); whoever holds the type prefixes its
//! own place ([`ConfigError::under`]) until the path starts at the scenario's root. The
//! scenario loader then finds that path in the file's text to report the line and column,
//! and the editor shows the message beside the field with that path.

use std::borrow::Cow;
use std::fmt;

/// One step of a path into a configuration: a named field or a position in a list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A struct field, by name (`target`).
    Field(Cow<'static, str>),
    /// An element of a list, from 0 (`policies[1]`).
    Index(usize),
}

/// Where a value sits in a configuration: `pools[0].autoscale.target`. Empty for a
/// problem with the configuration as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    /// The empty path: the configuration itself.
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// A path of dot-separated field names with optional `[i]` indices:
    /// `"behavior.scale_up.policies[1].value"`.
    pub fn parse(text: &str) -> FieldPath {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (name, rest) = part.split_once('[').unwrap_or((part, ""));
            if !name.is_empty() {
                segs.push(PathSegment::Field(Cow::Owned(name.to_string())));
            }
            for index in rest.split('[') {
                if let Some(Ok(i)) = index.strip_suffix(']').map(str::parse::<usize>) {
                    segs.push(PathSegment::Index(i));
                }
            }
        }
        FieldPath(segs)
    }

    /// This path followed by the field `name`.
    pub fn field(mut self, name: impl Into<Cow<'static, str>>) -> FieldPath {
        self.0.push(PathSegment::Field(name.into()));
        self
    }

    /// This path followed by the list position `i`.
    pub fn index(mut self, i: usize) -> FieldPath {
        self.0.push(PathSegment::Index(i));
        self
    }

    /// `self` followed by `rest`.
    pub fn join(mut self, rest: &FieldPath) -> FieldPath {
        self.0.extend(rest.0.iter().cloned());
        self
    }

    /// Whether this is the root (no field).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last field name on the path (`value` in `policies[1].value`), if any.
    pub fn last_field(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            PathSegment::Field(f) => Some(f.as_ref()),
            PathSegment::Index(_) => None,
        })
    }
}

impl From<&str> for FieldPath {
    fn from(text: &str) -> FieldPath {
        FieldPath::parse(text)
    }
}

impl From<String> for FieldPath {
    fn from(text: String) -> FieldPath {
        FieldPath::parse(&text)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSegment::Field(name) if i == 0 => write!(f, "{name}")?,
                PathSegment::Field(name) => write!(f, ".{name}")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A setting that does not make sense, with the field it is in.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A number that must be finite and greater than zero.
    #[error("{field}: must be a positive number, got {value}")]
    NotPositive {
        /// Where.
        field: FieldPath,
        /// What was given.
        value: f64,
    },
    /// A number that must be finite and zero or more.
    #[error("{field}: must be a finite number >= 0, got {value}")]
    Negative {
        /// Where.
        field: FieldPath,
        /// What was given.
        value: f64,
    },
    /// A number outside the range the real system accepts.
    #[error("{field}: must be within {min}..={max}, got {value}")]
    OutOfRange {
        /// Where.
        field: FieldPath,
        /// What was given.
        value: f64,
        /// The smallest accepted value.
        min: f64,
        /// The largest accepted value.
        max: f64,
    },
    /// Anything else, in words: what is wrong and what would be right.
    #[error("{}", invalid_text(field, reason))]
    Invalid {
        /// Where (the root when the problem is the configuration as a whole).
        field: FieldPath,
        /// What is wrong.
        reason: String,
    },
}

fn invalid_text(field: &FieldPath, reason: &str) -> String {
    if field.is_root() {
        reason.to_string()
    } else {
        format!("{field}: {reason}")
    }
}

impl ConfigError {
    /// A problem at `field`, in words.
    pub fn invalid(field: impl Into<FieldPath>, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A problem with the configuration as a whole (no single field is wrong).
    pub fn whole(reason: impl Into<String>) -> ConfigError {
        ConfigError::invalid(FieldPath::root(), reason)
    }

    /// The field the problem is in, relative to the configuration that was checked.
    pub fn field(&self) -> &FieldPath {
        match self {
            ConfigError::NotPositive { field, .. }
            | ConfigError::Negative { field, .. }
            | ConfigError::OutOfRange { field, .. }
            | ConfigError::Invalid { field, .. } => field,
        }
    }

    fn field_mut(&mut self) -> &mut FieldPath {
        match self {
            ConfigError::NotPositive { field, .. }
            | ConfigError::Negative { field, .. }
            | ConfigError::OutOfRange { field, .. }
            | ConfigError::Invalid { field, .. } => field,
        }
    }

    /// The same problem seen from the configuration that holds this one at `parent`:
    /// `target` under `autoscale` becomes `autoscale.target`.
    #[must_use]
    pub fn under(mut self, parent: impl Into<FieldPath>) -> ConfigError {
        let field = self.field_mut();
        *field = parent.into().join(field);
        self
    }

    /// What is wrong, without the field's name in front (the editor shows it beside the
    /// field, which names itself).
    pub fn problem(&self) -> String {
        match self {
            ConfigError::NotPositive { value, .. } => {
                format!("must be a positive number, got {value}")
            }
            ConfigError::Negative { value, .. } => {
                format!("must be a finite number >= 0, got {value}")
            }
            ConfigError::OutOfRange {
                value, min, max, ..
            } => format!("must be within {min}..={max}, got {value}"),
            ConfigError::Invalid { reason, .. } => reason.clone(),
        }
    }
}

/// `value` is finite and > 0.
pub fn positive(field: impl Into<FieldPath>, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ConfigError::NotPositive {
            field: field.into(),
            value,
        })
    }
}

/// `value` is finite and >= 0.
pub fn non_negative(field: impl Into<FieldPath>, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ConfigError::Negative {
            field: field.into(),
            value,
        })
    }
}

/// `value` is within `min..=max` (both finite).
pub fn within(
    field: impl Into<FieldPath>,
    value: f64,
    min: f64,
    max: f64,
) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            field: field.into(),
            value,
            min,
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_print_and_nest() {
        let p = FieldPath::parse("behavior.scale_up.policies[1].value");
        assert_eq!(p.to_string(), "behavior.scale_up.policies[1].value");
        assert_eq!(p.last_field(), Some("value"));
        assert_eq!(FieldPath::parse("steps[0][2]").to_string(), "steps[0][2]");
        let e = positive("target", -1.0)
            .unwrap_err()
            .under(FieldPath::root().field("pools").index(2).field("autoscale"));
        assert_eq!(e.field().to_string(), "pools[2].autoscale.target");
        assert_eq!(
            e.to_string(),
            "pools[2].autoscale.target: must be a positive number, got -1"
        );
        assert_eq!(e.problem(), "must be a positive number, got -1");
    }

    #[test]
    fn the_shared_checks_reject_what_they_say() {
        assert!(positive("x", 1e-9).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(positive("x", bad).is_err(), "{bad}");
        }
        assert!(non_negative("x", 0.0).is_ok());
        for bad in [-1e-9, f64::NAN, f64::INFINITY] {
            assert!(non_negative("x", bad).is_err(), "{bad}");
        }
        assert!(within("x", 3600.0, 0.0, 3600.0).is_ok());
        assert!(within("x", 3600.5, 0.0, 3600.0).is_err());
        assert!(within("x", f64::NAN, 0.0, 3600.0).is_err());
        // A whole-configuration problem prints without a field.
        assert_eq!(
            ConfigError::whole("needs a policy").to_string(),
            "needs a policy"
        );
    }
}
