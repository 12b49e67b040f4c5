//! Billing: per-second from launch (boot included) to termination, with a minimum per
//! start, as EC2 and Compute Engine bill Linux instances: EC2 bills "on one second
//! increments, with a minimum of 60 seconds"
//! (<https://aws.amazon.com/about-aws/whats-new/2017/10/announcing-amazon-ec2-per-second-billing/>),
//! and Compute Engine charges "a minimum of 1 minute", then "in 1 second increments"
//! (<https://cloud.google.com/compute/vm-instance-pricing>).

use crate::model::config::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::sim::SimTime;

/// How a pool's instances are billed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    /// Runtime is rounded up to a multiple of this (1 for per-second, 3600 for hourly).
    #[serde(default = "default_increment")]
    pub increment_secs: f64,
    /// Each start is billed at least this long (60 s on EC2 and Compute Engine).
    #[serde(default = "default_minimum")]
    pub minimum_secs: f64,
}

fn default_increment() -> f64 {
    1.0
}
fn default_minimum() -> f64 {
    60.0
}

impl Default for Billing {
    fn default() -> Self {
        Billing {
            increment_secs: default_increment(),
            minimum_secs: default_minimum(),
        }
    }
}

impl Billing {
    /// Checks the numbers; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        config::positive("increment_secs", self.increment_secs)?;
        config::non_negative("minimum_secs", self.minimum_secs)
    }

    /// Seconds billed for a start that ran `runtime_secs`: rounded up to the increment,
    /// and at least the minimum. E.g. 30 s -> 60 s; 61.2 s -> 62 s per-second.
    pub fn billed_secs(&self, runtime_secs: f64) -> f64 {
        let rounded = (runtime_secs / self.increment_secs).ceil() * self.increment_secs;
        rounded.max(self.minimum_secs)
    }
}

/// What one instance has cost, accrued as time passes so cost can be plotted per interval.
#[derive(Clone, Debug)]
pub struct BillingAccount {
    price_usd_per_hour: f64,
    started: SimTime,
    accrued_until: SimTime,
    accrued_usd: f64,
    /// Instances already running when the run starts began before it: their minimum was
    /// paid before the window we look at.
    minimum_applies: bool,
    closed: bool,
}

impl BillingAccount {
    /// An account that starts billing at `started`.
    pub fn open(
        price_usd_per_hour: f64,
        started: SimTime,
        minimum_applies: bool,
    ) -> BillingAccount {
        BillingAccount {
            price_usd_per_hour,
            started,
            accrued_until: started,
            accrued_usd: 0.0,
            minimum_applies,
            closed: false,
        }
    }

    /// Bills the running time up to `now`; returns the dollars added.
    pub fn accrue(&mut self, now: SimTime) -> f64 {
        if self.closed || now <= self.accrued_until {
            return 0.0;
        }
        let usd = self.price_usd_per_hour / 3600.0 * (now - self.accrued_until).as_secs_f64();
        self.accrued_until = now;
        self.accrued_usd += usd;
        usd
    }

    /// Stops billing at `now` (termination or the end of the run) and settles the
    /// rounding and the minimum; returns the dollars added.
    pub fn close(&mut self, now: SimTime, billing: &Billing) -> f64 {
        if self.closed {
            return 0.0;
        }
        let accrued_now = self.accrue(now);
        self.closed = true;
        let runtime = (now - self.started).as_secs_f64();
        // An instance already running when the run began was launched (and its minimum and
        // increments started) before the window we look at: where its billing hours fall is
        // unknown, so it is billed exactly the time it ran inside the window.
        let billed = if self.minimum_applies {
            billing.billed_secs(runtime)
        } else {
            runtime
        };
        let owed = self.price_usd_per_hour / 3600.0 * billed;
        let top_up = (owed - self.accrued_usd).max(0.0);
        self.accrued_usd += top_up;
        accrued_now + top_up
    }

    /// Dollars billed so far.
    pub fn total_usd(&self) -> f64 {
        self.accrued_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_billing_with_a_one_minute_minimum() {
        let b = Billing::default();
        // EC2 and Compute Engine: cost = price/3600 * max(60, runtime_s), whole seconds.
        assert_eq!(b.billed_secs(30.0), 60.0);
        assert_eq!(b.billed_secs(61.2), 62.0);
        let hourly = Billing {
            increment_secs: 3600.0,
            minimum_secs: 3600.0,
        };
        assert_eq!(hourly.billed_secs(3601.0), 7200.0);
    }

    #[test]
    fn an_account_accrues_then_tops_up_to_the_minimum() {
        // $0.096/h for 30 s, billed as 60 s: 0.096 / 3600 * 60 = $0.0016.
        let mut a = BillingAccount::open(0.096, SimTime::ZERO, true);
        let first = a.accrue(SimTime::from_secs(10));
        assert!((first - 0.096 / 360.0).abs() < 1e-15);
        a.close(SimTime::from_secs(30), &Billing::default());
        assert!((a.total_usd() - 0.0016).abs() < 1e-12, "{}", a.total_usd());
        assert_eq!(
            a.accrue(SimTime::from_secs(99)),
            0.0,
            "closed accounts stay closed"
        );
    }
}
