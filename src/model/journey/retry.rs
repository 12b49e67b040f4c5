//! How long a client waits before it tries again: capped exponential backoff with
//! jitter, as in M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
//! 2015 (<https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/>),
//! and the AWS SDKs' retry behaviour
//! (<https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html>).

use serde::{Deserialize, Serialize};

use crate::model::config::{self, ConfigError, FieldPath};

/// How the wait is randomised, so that clients that failed together do not retry together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jitter {
    /// The backoff itself: every client retries at the same moments.
    None,
    /// Uniform in `[0, backoff]` (Brooker's "full jitter").
    Full,
    /// `backoff / 2` plus uniform in `[0, backoff / 2]` ("equal jitter").
    Equal,
}

/// A retry policy: at most `attempts` tries in all, and before retry `n` (n = 1 for the
/// second try) a wait of `min(cap_secs, base_secs × 2^(n−1))`, jittered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Tries in all, the first included (1: never retry).
    pub attempts: u32,
    /// The first retry's backoff, seconds.
    pub base_secs: f64,
    /// The longest backoff, seconds.
    pub cap_secs: f64,
    /// How the backoff is randomised.
    pub jitter: Jitter,
    /// A retry quota shared by the class's clients, as the AWS SDKs' standard mode keeps
    /// one (None: every failed try is retried while tries are left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<RetryQuota>,
}

/// A retry quota: a token bucket that retries draw from and successes refill, so that
/// when most tries fail the clients stop retrying and add no load (the AWS SDKs'
/// standard retry mode, <https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html>;
/// M. Brooker, "Fixing retries with token buckets and circuit breakers", 2022,
/// <https://brooker.co.za/blog/2022/02/28/retries.html>). The defaults are the SDKs'.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryQuota {
    /// Tokens in the bucket at the start, and most it holds (the SDKs': 500).
    #[serde(default = "default_tokens")]
    pub tokens: u32,
    /// Tokens a retry takes (5).
    #[serde(default = "default_retry_cost")]
    pub retry_cost: u32,
    /// Tokens a retry after a timeout takes (10).
    #[serde(default = "default_timeout_cost")]
    pub timeout_cost: u32,
    /// Tokens a request that succeeds at its first try puts back (1); one that succeeds
    /// after retries puts back what its last retry took.
    #[serde(default = "default_refund")]
    pub success_refund: u32,
}

fn default_tokens() -> u32 {
    500
}
fn default_retry_cost() -> u32 {
    5
}
fn default_timeout_cost() -> u32 {
    10
}
fn default_refund() -> u32 {
    1
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota {
            tokens: default_tokens(),
            retry_cost: default_retry_cost(),
            timeout_cost: default_timeout_cost(),
            success_refund: default_refund(),
        }
    }
}

impl RetryQuota {
    /// Takes the tokens for a retry after a failure (`timeout`: after the client's own
    /// timeout) from `balance`; `None` if there are too few: no retry.
    pub fn take(&self, balance: &mut u32, timeout: bool) -> Option<u32> {
        let cost = if timeout {
            self.timeout_cost
        } else {
            self.retry_cost
        };
        let left = balance.checked_sub(cost)?;
        *balance = left;
        Some(cost)
    }

    /// A request succeeded: its last retry's tokens go back (`last_cost`), or, at its
    /// first try, `success_refund`; never above the bucket's size.
    pub fn refund(&self, balance: &mut u32, last_cost: u32) {
        let back = if last_cost > 0 {
            last_cost
        } else {
            self.success_refund
        };
        *balance = balance.saturating_add(back).min(self.tokens);
    }
}

impl RetryPolicy {
    /// Checks the numbers; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.attempts == 0 {
            return Err(ConfigError::invalid("attempts", "must be at least 1"));
        }
        config::non_negative("base_secs", self.base_secs)?;
        config::non_negative("cap_secs", self.cap_secs)
    }

    /// The backoff before retry `n` (1-based), before jitter: `min(cap, base × 2^(n−1))`.
    pub fn backoff_secs(&self, n: u32) -> f64 {
        let doublings = n.saturating_sub(1).min(1023) as i32;
        (self.base_secs * 2f64.powi(doublings)).min(self.cap_secs)
    }

    /// The wait before retry `n` given `u`, a uniform draw in `[0, 1)` from the design's
    /// stream (passed in, so the policy stays a pure function); `None` once the tries
    /// are used up (retry `n` is try `n + 1`).
    pub fn wait_secs(&self, n: u32, u: f64) -> Option<f64> {
        if n == 0 || n >= self.attempts {
            return None;
        }
        let b = self.backoff_secs(n);
        Some(match self.jitter {
            Jitter::None => b,
            Jitter::Full => u * b,
            Jitter::Equal => b / 2.0 + u * b / 2.0,
        })
    }
}

/// A request class's client: how long it waits for a try, and how it retries. As the AWS
/// SDKs do, it retries whatever failed: a drop (HTTP 503), a failure (a reset
/// connection) or its own timeout; a try it gave up on is not cancelled at the servers,
/// which go on serving it for no one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Longest it waits for a try's reply, seconds (None: as long as it takes).
    #[serde(default)]
    pub timeout_secs: Option<f64>,
    /// How it retries (None: one try).
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
}

impl Client {
    /// Checks the numbers; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(t) = self.timeout_secs {
            config::positive("timeout_secs", t)?;
        }
        if let Some(r) = &self.retry {
            r.validate().map_err(|e| e.under("retry"))?;
            if let Some(q) = &r.quota
                && q.tokens == 0
            {
                return Err(ConfigError::invalid(
                    FieldPath::root()
                        .field("retry")
                        .field("quota")
                        .field("tokens"),
                    "must be at least 1",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            attempts: 8,
            base_secs: 0.1,
            cap_secs: 5.0,
            jitter,
            quota: None,
        }
    }

    #[test]
    fn the_retry_quota_drains_on_failures_and_refills_on_successes() {
        // The SDKs' bucket: 500 tokens, 5 a retry, 10 a retry after a timeout. 50
        // timeouts take 500: the 51st finds none and is not retried. A first-try success
        // puts 1 back: then a plain retry (5) still does not fit; five more do.
        let q = RetryQuota::default();
        let mut balance = q.tokens;
        for _ in 0..50 {
            assert_eq!(q.take(&mut balance, true), Some(10));
        }
        assert_eq!(balance, 0);
        assert_eq!(q.take(&mut balance, true), None);
        q.refund(&mut balance, 0);
        assert_eq!(q.take(&mut balance, false), None);
        for _ in 0..4 {
            q.refund(&mut balance, 0);
        }
        assert_eq!(q.take(&mut balance, false), Some(5));
        // A success after a retry puts back what the retry took, up to the bucket's size.
        q.refund(&mut balance, 10);
        assert_eq!(balance, 10);
        let mut full = q.tokens;
        q.refund(&mut full, 10);
        assert_eq!(full, 500);
    }

    #[test]
    fn attempt_times_follow_the_backoff_formula() {
        // base 0.1 s, cap 5 s, no jitter: waits 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, then the
        // cap (6.4 > 5); tries start at 0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3, 11.3 s after a
        // failing first try that takes no time. Eight tries: no ninth.
        let p = policy(Jitter::None);
        let waits: Vec<f64> = (1..8).map(|n| p.wait_secs(n, 0.5).unwrap()).collect();
        let want = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0];
        for (w, e) in waits.iter().zip(want) {
            assert!((w - e).abs() < 1e-12, "{waits:?}");
        }
        let starts: Vec<f64> = std::iter::once(0.0)
            .chain(waits.iter().scan(0.0, |t, w| {
                *t += w;
                Some(*t)
            }))
            .collect();
        let want = [0.0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3, 11.3];
        for (s, e) in starts.iter().zip(want) {
            assert!((s - e).abs() < 1e-9, "{starts:?}");
        }
        assert_eq!(p.wait_secs(8, 0.5), None);
        assert_eq!(p.wait_secs(0, 0.5), None);
    }

    #[test]
    fn jitter_spreads_the_wait_as_documented() {
        // Retry 3: backoff 0.4 s. Full jitter: u × 0.4, from 0 to 0.4, mean 0.2.
        // Equal jitter: 0.2 + u × 0.2, from 0.2 to 0.4, mean 0.3.
        let full = policy(Jitter::Full);
        let equal = policy(Jitter::Equal);
        assert_eq!(full.wait_secs(3, 0.0), Some(0.0));
        assert!((full.wait_secs(3, 0.999_999).unwrap() - 0.4).abs() < 1e-6);
        assert!((equal.wait_secs(3, 0.0).unwrap() - 0.2).abs() < 1e-12);
        let mean = |p: &RetryPolicy| {
            let n = 10_000;
            (0..n)
                .map(|i| p.wait_secs(3, (f64::from(i) + 0.5) / f64::from(n)).unwrap())
                .sum::<f64>()
                / f64::from(n)
        };
        assert!((mean(&full) - 0.2).abs() < 1e-9);
        assert!((mean(&equal) - 0.3).abs() < 1e-9);
    }

    #[test]
    fn a_policy_without_tries_is_an_error() {
        let mut p = policy(Jitter::Full);
        p.attempts = 0;
        assert!(p.validate().unwrap_err().to_string().contains("attempts"));
        p.attempts = 1;
        assert!(p.validate().is_ok());
        // One try: never a retry.
        assert_eq!(p.wait_secs(1, 0.5), None);
    }
}
