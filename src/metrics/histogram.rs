//! Latency histograms (HdrHistogram, microsecond resolution), bounded in size whatever
//! the number of requests recorded.

use hdrhistogram::Histogram;

/// The slowest latency a histogram tells apart: one week, in microseconds. Slower ones
/// are counted at this value.
const MAX_MICROS: u64 = 7 * 24 * 3600 * 1_000_000;

/// A latency histogram with a fixed relative precision.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    hist: Histogram<u64>,
}

impl LatencyHistogram {
    /// A histogram keeping `sigfig` significant decimal digits (2 = 1 %, 3 = 0.1 %).
    pub fn new(sigfig: u8) -> LatencyHistogram {
        // The bounds are constants with low >= 1 and high >= 2 * low, and sigfig is clamped
        // to 1..=5: the only ways `new_with_bounds` can fail are excluded.
        #[allow(clippy::expect_used)]
        let hist = Histogram::new_with_bounds(1, MAX_MICROS, sigfig.clamp(1, 5))
            .expect("constant histogram bounds are valid");
        LatencyHistogram { hist }
    }

    /// Records one latency given in nanoseconds.
    #[inline]
    pub fn record_nanos(&mut self, nanos: u64) {
        let micros = (nanos / 1_000).clamp(1, MAX_MICROS);
        self.hist.saturating_record(micros);
    }

    /// How many latencies were recorded.
    pub fn len(&self) -> u64 {
        self.hist.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.hist.is_empty()
    }

    /// The latency at quantile `q` (0..=1) in seconds, or 0 if empty.
    pub fn quantile_secs(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            return 0.0;
        }
        self.hist.value_at_quantile(q) as f64 / 1e6
    }

    /// The largest latency recorded, in seconds (0 if empty).
    pub fn max_secs(&self) -> f64 {
        if self.hist.is_empty() {
            0.0
        } else {
            self.hist.max() as f64 / 1e6
        }
    }

    /// Adds everything `other` recorded (both must have the same precision).
    pub fn absorb(&mut self, other: &LatencyHistogram) {
        // Same bounds and precision, and `self` covers `other`'s range: `add` cannot fail;
        // if it ever did, the values are recorded one bucket at a time instead.
        if self.hist.add(&other.hist).is_err() {
            for v in other.hist.iter_recorded() {
                self.hist
                    .saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
    }

    /// Forgets everything recorded.
    pub fn reset(&mut self) {
        self.hist.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_stated_precision() {
        let mut h = LatencyHistogram::new(3);
        // 1..=1000 ms: p50 is 500 ms and p99 is 990 ms, to 0.1 %.
        for ms in 1..=1000u64 {
            h.record_nanos(ms * 1_000_000);
        }
        assert!(
            (h.quantile_secs(0.5) - 0.5).abs() < 0.0006,
            "{}",
            h.quantile_secs(0.5)
        );
        assert!(
            (h.quantile_secs(0.99) - 0.99).abs() < 0.001,
            "{}",
            h.quantile_secs(0.99)
        );
        assert!((h.max_secs() - 1.0).abs() < 0.001);
        let mut total = LatencyHistogram::new(3);
        total.absorb(&h);
        total.absorb(&h);
        assert_eq!(total.len(), 2000);
        assert!((total.quantile_secs(0.5) - 0.5).abs() < 0.0006);
        h.reset();
        assert!(h.is_empty());
        assert_eq!(h.quantile_secs(0.99), 0.0);
    }
}
