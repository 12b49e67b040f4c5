//! SLO evaluation windows: the objective is judged over fixed windows of simulated time
//! (one minute by default), whatever the reporting interval, and consecutive windows
//! that miss it are joined into violation periods ("08:34-09:01: p99 4.1 s, 12
//! instances, queue full").
//!
//! Why a window of its own: error-budget practice judges an SLO over a stated window
//! ("the fraction of good minutes", Google SRE Workbook, "Implementing SLOs",
//! <https://sre.google/workbook/implementing-slos/>). Judging it per reporting interval
//! made the violation time a function of `interval_secs`: the same requests gave 1,840 s
//! at 1 s intervals (a few slow requests fill a 1 s interval) and 600 s at 300 s.

use serde::Serialize;

use super::DropReason;
use super::histogram::LatencyHistogram;

/// One window's counts.
#[derive(Clone, Debug)]
struct Window {
    start_ns: u64,
    end_ns: u64,
    /// Requests that ended (completed or dropped) in the window.
    ended: u64,
    /// Of those, completed within the latency target.
    within: u64,
    drops: [u64; DropReason::COUNT],
    /// Latencies of the window's completed requests.
    hist: LatencyHistogram,
    /// Fewest and most instances in service during the window.
    serving_min: u64,
    serving_max: u64,
}

/// A stretch of consecutive windows that missed the objective.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ViolationPeriod {
    /// Start, seconds after the run start.
    pub start_secs: f64,
    /// End, seconds after the run start.
    pub end_secs: f64,
    /// The worst 99th-percentile latency of completed requests in any of its windows,
    /// seconds (0 when none completed).
    pub worst_p99_secs: f64,
    /// Fewest instances in service at any moment of the period.
    pub instances_min: u64,
    /// Most instances in service at any moment of the period.
    pub instances_max: u64,
    /// Requests that ended in the period (completed or dropped).
    pub ended: u64,
    /// Of those, completed within the latency target.
    pub within_target: u64,
    /// Drops by reason, in [`DropReason::ALL`] order.
    pub drops: [u64; DropReason::COUNT],
}

impl ViolationPeriod {
    /// Seconds long.
    pub fn duration_secs(&self) -> f64 {
        self.end_secs - self.start_secs
    }

    /// Requests that missed the target, by cause: completed too slowly, then each drop
    /// reason in [`DropReason::ALL`] order.
    pub fn misses(&self) -> [u64; 5] {
        let dropped: u64 = self.drops.iter().sum();
        let slow = (self.ended - self.within_target).saturating_sub(dropped);
        let d = self.drops;
        [slow, d[0], d[1], d[2], d[3]]
    }

    /// The names of [`ViolationPeriod::misses`]' causes, in its order.
    pub const CAUSES: [&'static str; 5] = [
        "slow responses",
        "queue full",
        "no capacity",
        "timeouts",
        "failures",
    ];

    /// What broke it most: the cause of the most misses (the first on a tie).
    pub fn main_cause(&self) -> &'static str {
        let m = self.misses();
        let (i, _) = m
            .iter()
            .enumerate()
            .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
            .unwrap_or((0, &0));
        Self::CAUSES[i]
    }

    fn absorb(&mut self, w: &Window, p99_secs: f64) {
        self.end_secs = w.end_ns as f64 / 1e9;
        self.worst_p99_secs = self.worst_p99_secs.max(p99_secs);
        self.instances_min = self.instances_min.min(w.serving_min);
        self.instances_max = self.instances_max.max(w.serving_max);
        self.ended += w.ended;
        self.within_target += w.within;
        for (a, b) in self.drops.iter_mut().zip(w.drops) {
            *a += b;
        }
    }
}

/// Judges the objective window by window.
#[derive(Clone, Debug)]
pub(super) struct SloWindows {
    window_ns: u64,
    /// The share of requests that must meet the target (0..=1).
    needed: f64,
    cur: Window,
    /// Instances in service now.
    serving: u64,
    /// The period still growing (the last closed window missed the objective).
    open: Option<ViolationPeriod>,
    closed: Vec<ViolationPeriod>,
    violation_ns: u64,
    violation_windows: u64,
    windows: u64,
}

impl SloWindows {
    /// Windows of `window_ns` from the run start; `needed` of the requests that end in a
    /// window must complete within the target.
    pub(super) fn new(window_ns: u64, needed: f64) -> SloWindows {
        let window_ns = window_ns.max(1);
        SloWindows {
            window_ns,
            needed,
            cur: Window {
                start_ns: 0,
                end_ns: window_ns,
                ended: 0,
                within: 0,
                drops: [0; DropReason::COUNT],
                hist: LatencyHistogram::new(),
                serving_min: 0,
                serving_max: 0,
            },
            serving: 0,
            open: None,
            closed: Vec::new(),
            violation_ns: 0,
            violation_windows: 0,
            windows: 0,
        }
    }

    /// Closes every window that ends at or before `now_ns`. Called before each count, so
    /// the common case is one comparison.
    #[inline]
    pub(super) fn advance(&mut self, now_ns: u64) {
        if now_ns >= self.cur.end_ns {
            self.roll(now_ns);
        }
    }

    #[cold]
    fn roll(&mut self, now_ns: u64) {
        while now_ns >= self.cur.end_ns {
            let end = self.cur.end_ns;
            self.close(end);
        }
    }

    /// Closes the current window at `end_ns` (its natural end, or the run's end for the
    /// last, shorter one) and starts the next.
    fn close(&mut self, end_ns: u64) {
        let w = &mut self.cur;
        w.end_ns = end_ns;
        self.windows += 1;
        // A window where nothing ended gives no evidence either way: it does not count.
        let missed = w.ended > 0 && (w.within as f64) < self.needed * w.ended as f64;
        if missed {
            self.violation_ns += end_ns - w.start_ns;
            self.violation_windows += 1;
            let p99 = w.hist.quantile_secs(0.99);
            let period = self.open.get_or_insert_with(|| ViolationPeriod {
                start_secs: w.start_ns as f64 / 1e9,
                instances_min: u64::MAX,
                ..ViolationPeriod::default()
            });
            period.absorb(w, p99);
        } else if let Some(p) = self.open.take() {
            self.closed.push(p);
        }
        w.start_ns = end_ns;
        w.end_ns = end_ns + self.window_ns;
        w.ended = 0;
        w.within = 0;
        w.drops = [0; DropReason::COUNT];
        w.hist.reset();
        w.serving_min = self.serving;
        w.serving_max = self.serving;
    }

    /// Forgets every window so far and starts the first at `now_ns` (the end of a
    /// warm-up), keeping the instances in service.
    pub(super) fn restart(&mut self, now_ns: u64) {
        let serving = self.serving;
        *self = SloWindows::new(self.window_ns, self.needed);
        self.serving = serving;
        self.cur.start_ns = now_ns;
        self.cur.end_ns = now_ns + self.window_ns;
        self.cur.serving_min = serving;
        self.cur.serving_max = serving;
    }

    /// Closes the last window at the run's end, `end_ns`.
    pub(super) fn finish(&mut self, end_ns: u64) {
        self.advance(end_ns);
        if end_ns > self.cur.start_ns {
            self.close(end_ns);
        }
        if let Some(p) = self.open.take() {
            self.closed.push(p);
        }
    }

    /// A request completed with `latency_ns`; `within` when it met the target.
    #[inline]
    pub(super) fn completed(&mut self, now_ns: u64, latency_ns: u64, within: bool) {
        self.advance(now_ns);
        self.cur.ended += 1;
        self.cur.within += u64::from(within);
        self.cur.hist.record_nanos(latency_ns);
    }

    /// `n` requests were dropped for `reason`.
    #[inline]
    pub(super) fn dropped(&mut self, now_ns: u64, reason: DropReason, n: u64) {
        self.advance(now_ns);
        self.cur.ended += n;
        self.cur.drops[reason.index()] += n;
    }

    /// The number of instances in service changed to `serving`.
    pub(super) fn serving(&mut self, now_ns: u64, serving: u64) {
        self.advance(now_ns);
        self.serving = serving;
        self.cur.serving_min = self.cur.serving_min.min(serving);
        self.cur.serving_max = self.cur.serving_max.max(serving);
    }

    /// The window length, seconds.
    pub(super) fn window_secs(&self) -> f64 {
        self.window_ns as f64 / 1e9
    }

    /// Seconds of closed windows that missed the objective.
    pub(super) fn violation_secs(&self) -> f64 {
        self.violation_ns as f64 / 1e9
    }

    /// Closed windows that missed the objective, and all closed windows.
    pub(super) fn window_counts(&self) -> (u64, u64) {
        (self.violation_windows, self.windows)
    }

    /// The violation periods so far, the one still growing last.
    pub(super) fn periods(&self) -> impl Iterator<Item = &ViolationPeriod> {
        self.closed.iter().chain(self.open.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn a_window_misses_when_too_few_of_its_ended_requests_meet_the_target() {
        // 60 s windows, 99 % needed. Window [0, 60): 99 fast + 1 slow = 99 % -> met.
        // Window [60, 120): 98 fast + 2 dropped (queue full) = 98 % -> missed.
        // Window [120, 180): nothing ends -> not counted. Window [180, 240): 100 fast.
        let mut w = SloWindows::new(60 * S, 0.99);
        w.serving(0, 4);
        for i in 0..100 {
            w.completed(i * S / 2, S / 10, i != 7);
        }
        for i in 0..98 {
            w.completed(60 * S + i * S / 2, S / 10, true);
        }
        w.serving(70 * S, 3);
        w.dropped(100 * S, DropReason::QueueFull, 2);
        for i in 0..100 {
            w.completed(180 * S + i * S / 2, S / 10, true);
        }
        w.finish(240 * S);
        assert_eq!(w.window_counts(), (1, 4));
        assert_eq!(w.violation_secs(), 60.0);
        let p: Vec<_> = w.periods().cloned().collect();
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].start_secs, p[0].end_secs), (60.0, 120.0));
        // Instances went 4 -> 3 inside the window.
        assert_eq!((p[0].instances_min, p[0].instances_max), (3, 4));
        assert_eq!((p[0].ended, p[0].within_target), (100, 98));
        // Both misses are drops: the cause is the queue.
        assert_eq!(p[0].main_cause(), "queue full");
        assert_eq!(p[0].misses(), [0, 2, 0, 0, 0]);
        // The window's p99 over its 98 completions (all 0.1 s).
        assert!((p[0].worst_p99_secs - 0.1).abs() < 1e-3, "{:?}", p[0]);
    }

    #[test]
    fn consecutive_missed_windows_join_into_one_period_and_the_last_window_is_partial() {
        // 10 s windows, 50 % needed: every request slow from 20 s to the end at 45 s.
        // Windows [20,30), [30,40) and the partial [40,45) miss: one period 20..45, 25 s.
        let mut w = SloWindows::new(10 * S, 0.5);
        for t in 0..45 {
            w.completed(t * S, S, t < 20);
        }
        w.finish(45 * S);
        let p: Vec<_> = w.periods().cloned().collect();
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].start_secs, p[0].end_secs), (20.0, 45.0));
        assert_eq!(w.violation_secs(), 25.0);
        // 25 requests completed late, none dropped.
        assert_eq!(p[0].main_cause(), "slow responses");
        assert_eq!(p[0].misses(), [25, 0, 0, 0, 0]);
        assert_eq!(w.window_counts(), (3, 5));
    }

    #[test]
    fn a_period_still_growing_is_reported_before_the_run_ends() {
        // The app reads the summary mid-run: the open period is listed, up to the last
        // closed window.
        let mut w = SloWindows::new(10 * S, 0.9);
        for t in 0..25 {
            w.completed(t * S, S, t < 10);
        }
        let p: Vec<_> = w.periods().cloned().collect();
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].start_secs, p[0].end_secs), (10.0, 20.0));
    }
}
