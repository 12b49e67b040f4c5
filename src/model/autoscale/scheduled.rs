//! Scheduled actions (AWS EC2 Auto Scaling,
//! <https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html>):
//! at a time, or every week at
//! that time ("Mondays 08:00 set min 40"), set any of desired capacity, min and max.
//! Unlike the other policies they read no metric; they run beside them and cooldowns do
//! not block them. The world schedules them; what one does to a pool's bounds is this
//! pure function.

use crate::sim::SimTime;

/// A scheduled action, resolved against the run's clock.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledChange {
    /// When, after the start (the first time, for weekly actions).
    pub at: SimTime,
    /// The new desired capacity (clamped to min..=max).
    pub desired: Option<u32>,
    /// The new minimum.
    pub min: Option<u32>,
    /// The new maximum.
    pub max: Option<u32>,
    /// Repeats every week.
    pub weekly: bool,
    /// The time as the scenario wrote it, for the decision log.
    pub label: String,
}

/// A pool's capacity settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Fewest instances.
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// Desired capacity.
    pub desired: u32,
}

impl ScheduledChange {
    /// The settings after this action, and the reason for the decision log. The result
    /// always has `min <= desired <= max`: a minimum above the maximum raises the maximum
    /// too, a maximum below the minimum lowers the minimum, and desired is clamped (so
    /// setting min above the current capacity raises it, as on AWS).
    pub fn apply(&self, b: Bounds) -> (Bounds, String) {
        let mut out = b;
        let mut parts = Vec::new();
        if let Some(max) = self.max {
            out.max = max.max(1);
            parts.push(format!("max {}", out.max));
        }
        if let Some(min) = self.min {
            out.min = min;
            parts.push(format!("min {min}"));
        }
        if out.min > out.max {
            if self.min.is_some() {
                out.max = out.min;
                parts.push(format!("(max raised to {})", out.max));
            } else {
                out.min = out.max;
                parts.push(format!("(min lowered to {})", out.min));
            }
        }
        if let Some(d) = self.desired {
            parts.push(format!("desired {d}"));
        }
        out.desired = self.desired.unwrap_or(b.desired).clamp(out.min, out.max);
        let every = if self.weekly { "every week " } else { "" };
        (
            out,
            format!(
                "scheduled {every}at {}: set {}",
                self.label,
                parts.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(desired: Option<u32>, min: Option<u32>, max: Option<u32>) -> ScheduledChange {
        ScheduledChange {
            at: SimTime::ZERO,
            desired,
            min,
            max,
            weekly: true,
            label: "mon 08:00".into(),
        }
    }

    #[test]
    fn a_minimum_above_the_current_capacity_raises_it() {
        // Pool 2..=40 at 4; "Mondays 08:00 set min 20": desired becomes 20, max stays 40.
        let (b, why) = change(None, Some(20), None).apply(Bounds {
            min: 2,
            max: 40,
            desired: 4,
        });
        assert_eq!(
            b,
            Bounds {
                min: 20,
                max: 40,
                desired: 20
            }
        );
        assert_eq!(why, "scheduled every week at mon 08:00: set min 20");
        // Releasing the minimum later keeps the capacity: the policies bring it down.
        let (b, _) = change(None, Some(2), None).apply(b);
        assert_eq!(
            b,
            Bounds {
                min: 2,
                max: 40,
                desired: 20
            }
        );
    }

    #[test]
    fn bounds_never_cross_and_desired_is_clamped() {
        // min 50 on a pool of max 40: max follows to 50; desired 4 is raised to 50.
        let (b, why) = change(None, Some(50), None).apply(Bounds {
            min: 2,
            max: 40,
            desired: 4,
        });
        assert_eq!(
            b,
            Bounds {
                min: 50,
                max: 50,
                desired: 50
            }
        );
        assert!(why.contains("max raised to 50"), "{why}");
        // max 1 on a pool of min 2: min follows to 1; desired 4 is lowered to 1.
        let (b, _) = change(None, None, Some(1)).apply(Bounds {
            min: 2,
            max: 40,
            desired: 4,
        });
        assert_eq!(
            b,
            Bounds {
                min: 1,
                max: 1,
                desired: 1
            }
        );
        // desired 100 is clamped to max 40.
        let (b, _) = change(Some(100), None, None).apply(Bounds {
            min: 2,
            max: 40,
            desired: 4,
        });
        assert_eq!(b.desired, 40);
    }
}
