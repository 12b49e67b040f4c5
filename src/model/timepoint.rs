//! A time point as written in a scenario ("mon 09:00", "+1h"), checked while parsing so
//! a bad one is reported at its line and column.

use serde::{Deserialize, Serialize};

use super::clock::{At, ClockError};

/// A time point written as text; see [`At::parse`] for the forms accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimePoint {
    text: String,
    at: At,
}

impl TimePoint {
    /// The parsed point.
    pub fn at(&self) -> &At {
        &self.at
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl TryFrom<String> for TimePoint {
    type Error = ClockError;
    fn try_from(text: String) -> Result<Self, ClockError> {
        let at = At::parse(&text)?;
        Ok(TimePoint { text, at })
    }
}

impl TryFrom<&str> for TimePoint {
    type Error = ClockError;
    fn try_from(text: &str) -> Result<Self, ClockError> {
        TimePoint::try_from(text.to_string())
    }
}

impl From<TimePoint> for String {
    fn from(p: TimePoint) -> String {
        p.text
    }
}
