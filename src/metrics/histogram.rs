//! Latency histograms: log-linear buckets (the HdrHistogram layout) over microseconds,
//! 2048 sub-buckets per power of two, so every value is kept to better than 0.1 %
//! (three significant digits). The size is fixed whatever the number of requests.
//!
//! Written here rather than taken from the `hdrhistogram` crate because recording sits
//! on the engine's hottest path (once per completed request) and a run closes tens of
//! thousands of intervals: this one records with a shift and an add, and resets and
//! merges only the range of buckets an interval actually touched.

/// Sub-buckets in the first (linear) range; values below it are exact.
const SUB_BUCKETS: u64 = 2048;
/// Half of that: each further power of two gets this many buckets.
const HALF: u64 = SUB_BUCKETS / 2;
/// log2(HALF).
const HALF_BITS: u32 = 10;
/// The slowest latency told apart: one week, in microseconds. Slower ones count here.
const MAX_MICROS: u64 = 7 * 24 * 3600 * 1_000_000;

/// The bucket holding `v` microseconds.
#[inline]
fn index_of(v: u64) -> usize {
    let msb = 63 - (v | 1).leading_zeros();
    let shift = msb.saturating_sub(HALF_BITS);
    (u64::from(shift) * HALF + (v >> shift)) as usize
}

/// The largest value (microseconds) that falls in bucket `i`.
fn highest_in(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB_BUCKETS {
        return i;
    }
    let shift = i / HALF - 1;
    ((i - shift * HALF + 1) << shift) - 1
}

/// A latency histogram with 0.1 % precision.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    total: u64,
    max_micros: u64,
    /// The range of buckets that may be non-zero (`lo > hi` when empty).
    lo: usize,
    hi: usize,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            counts: vec![0; index_of(MAX_MICROS) + 1],
            total: 0,
            max_micros: 0,
            lo: usize::MAX,
            hi: 0,
        }
    }

    /// Records one latency given in nanoseconds.
    #[inline]
    pub fn record_nanos(&mut self, nanos: u64) {
        let micros = (nanos / 1_000).min(MAX_MICROS);
        let i = index_of(micros);
        self.counts[i] += 1;
        self.total += 1;
        self.max_micros = self.max_micros.max(micros);
        self.lo = self.lo.min(i);
        self.hi = self.hi.max(i);
    }

    /// How many latencies were recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The latency at quantile `q` (0..=1) in seconds, or 0 if empty: the largest value
    /// in the bucket where the cumulative count reaches `q` of the total (as HdrHistogram's
    /// `value_at_quantile`), capped at the largest value recorded.
    pub fn quantile_secs(&self, q: f64) -> f64 {
        let mut out = [0.0];
        self.quantiles_secs(&[q], &mut out);
        out[0]
    }

    /// Several quantiles in one pass over the buckets; `qs` must be ascending.
    pub fn quantiles_secs(&self, qs: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        if self.total == 0 || qs.is_empty() {
            return;
        }
        let mut k = 0;
        let mut seen = 0;
        let mut target = Self::target(self.total, qs[0]);
        for i in self.lo..=self.hi {
            seen += self.counts[i];
            while seen >= target {
                out[k] = highest_in(i).min(self.max_micros) as f64 / 1e6;
                k += 1;
                let Some(&q) = qs.get(k) else { return };
                target = Self::target(self.total, q);
            }
        }
        for o in &mut out[k..] {
            *o = self.max_micros as f64 / 1e6;
        }
    }

    fn target(total: u64, q: f64) -> u64 {
        ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1)
    }

    /// The largest latency recorded, in seconds (0 if empty).
    pub fn max_secs(&self) -> f64 {
        self.max_micros as f64 / 1e6
    }

    /// Adds everything `other` recorded.
    pub fn absorb(&mut self, other: &LatencyHistogram) {
        if other.total == 0 {
            return;
        }
        for i in other.lo..=other.hi {
            self.counts[i] += other.counts[i];
        }
        self.total += other.total;
        self.max_micros = self.max_micros.max(other.max_micros);
        self.lo = self.lo.min(other.lo);
        self.hi = self.hi.max(other.hi);
    }

    /// Forgets everything recorded (clearing only the buckets that were used).
    pub fn reset(&mut self) {
        if self.total > 0 {
            self.counts[self.lo..=self.hi].fill(0);
        }
        self.total = 0;
        self.max_micros = 0;
        self.lo = usize::MAX;
        self.hi = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_value_range_without_gaps() {
        // Every value maps to a bucket whose range contains it, and consecutive buckets
        // are adjacent: highest_in(i) + 1 is the first value of bucket i + 1.
        for i in 0..index_of(MAX_MICROS) {
            assert_eq!(index_of(highest_in(i)), i, "bucket {i}");
            assert_eq!(index_of(highest_in(i) + 1), i + 1, "after bucket {i}");
        }
        // Precision: a bucket at 1 s (1e6 us) is 2^9 = 512 us wide: 0.05 %.
        let i = index_of(1_000_000);
        let width = highest_in(i) - highest_in(i - 1);
        assert_eq!(width, 512);
    }

    #[test]
    fn quantiles_are_within_the_stated_precision() {
        let mut h = LatencyHistogram::new();
        // 1..=1000 ms: p50 is 500 ms and p99 is 990 ms, to 0.1 %.
        for ms in 1..=1000u64 {
            h.record_nanos(ms * 1_000_000);
        }
        assert!(
            (h.quantile_secs(0.5) - 0.5).abs() < 0.0005,
            "{}",
            h.quantile_secs(0.5)
        );
        assert!(
            (h.quantile_secs(0.99) - 0.99).abs() < 0.001,
            "{}",
            h.quantile_secs(0.99)
        );
        assert_eq!(h.max_secs(), 1.0);
        assert_eq!(h.quantile_secs(1.0), 1.0, "the top quantile is the maximum");
        let mut many = [0.0; 3];
        h.quantiles_secs(&[0.5, 0.9, 0.99], &mut many);
        assert_eq!(
            many,
            [
                h.quantile_secs(0.5),
                h.quantile_secs(0.9),
                h.quantile_secs(0.99)
            ]
        );
        let mut total = LatencyHistogram::new();
        total.absorb(&h);
        total.absorb(&h);
        assert_eq!(total.len(), 2000);
        assert!((total.quantile_secs(0.5) - 0.5).abs() < 0.0005);
        h.reset();
        assert!(h.is_empty());
        assert_eq!(h.quantile_secs(0.99), 0.0);
        // Sub-microsecond latencies count as zero microseconds, not as errors.
        h.record_nanos(10);
        assert_eq!(h.quantile_secs(0.5), 0.0);
    }
}
