//! The pending-event set: a binary min-heap ordered by `(time, sequence number)`.

use std::collections::{BinaryHeap, HashSet};

use super::time::{SimDuration, SimTime};

/// Names one scheduled event, so it can be cancelled before it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey {
    time: SimTime,
    seq: u64,
}

impl EventKey {
    /// When the event is (or was) due.
    pub fn time(self) -> SimTime {
        self.time
    }
}

/// Scheduling an event before the current simulated time: the past cannot change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot schedule an event at {at} because simulated time is already {now}")]
pub struct ScheduleError {
    /// When the event was asked for.
    pub at: SimTime,
    /// The current simulated time.
    pub now: SimTime,
}

/// A pending event. The key packs `(time, seq)` into one integer so ordering is a
/// single comparison: time in the high 64 bits, the sequence number in the low 64.
struct Entry<E> {
    key: u128,
    event: E,
}

fn pack(time: SimTime, seq: u64) -> u128 {
    (u128::from(time.as_nanos()) << 64) | u128::from(seq)
}

fn unpack_time(key: u128) -> SimTime {
    SimTime((key >> 64) as u64)
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, because `BinaryHeap` pops the greatest and we want the earliest.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.key.cmp(&self.key)
    }
}

/// Pending events of type `E` and the current simulated time.
///
/// Cancellation is lazy: a cancelled event stays in the heap and is skipped when it
/// reaches the top. That keeps `schedule` and `pop` at one heap operation each; the set
/// of cancelled keys only ever holds events that are still pending, so it stays small.
pub struct EventQueue<E> {
    /// The stream slot: the one pending event of a source that always has exactly one
    /// (an arrival process), kept beside the heap so it never pays for a sift.
    stream: Option<Entry<E>>,
    heap: BinaryHeap<Entry<E>>,
    cancelled: HashSet<u64>,
    next_seq: u64,
    now: SimTime,
    /// `(time, seq)` of the last event handed out: everything at or before it is past.
    last_popped: Option<(SimTime, u64)>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            stream: None,
            heap: BinaryHeap::new(),
            cancelled: HashSet::new(),
            next_seq: 0,
            now: SimTime::ZERO,
            last_popped: None,
        }
    }

    /// The current simulated time: the time of the last event handed out.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at the absolute time `at`; `at` may equal now (it then runs after
    /// every event already scheduled for now) but never lie before it.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<EventKey, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError { at, now: self.now });
        }
        Ok(self.push(at, event))
    }

    /// Schedules `event` after `delay` from now. Cannot fail: the result is never in the past.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) -> EventKey {
        self.push(self.now + delay, event)
    }

    /// Schedules `event` after `delay` in the stream slot: for a source whose next event
    /// is always scheduled when the previous one is handled (arrivals). It is ordered
    /// exactly like any other event; it only skips the heap. If the slot is taken, the
    /// event goes to the heap.
    pub fn schedule_stream_in(&mut self, delay: SimDuration, event: E) -> EventKey {
        let time = self.now + delay;
        if self.stream.is_some() {
            return self.push(time, event);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.stream = Some(Entry {
            key: pack(time, seq),
            event,
        });
        EventKey { time, seq }
    }

    fn push(&mut self, time: SimTime, event: E) -> EventKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            key: pack(time, seq),
            event,
        });
        EventKey { time, seq }
    }

    /// Cancels a pending event. Returns `false` if it already happened or was cancelled.
    pub fn cancel(&mut self, key: EventKey) -> bool {
        let pending = match self.last_popped {
            None => true,
            Some(last) => (key.time, key.seq) > last,
        };
        pending && key.seq < self.next_seq && self.cancelled.insert(key.seq)
    }

    /// The time of the next event that will be handed out, if any.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.drop_cancelled_top();
        self.peek_key().map(unpack_time)
    }

    /// The smallest key pending, and whether it is the stream slot's.
    #[inline]
    fn peek_key(&self) -> Option<u128> {
        let heap = self.heap.peek().map(|e| e.key);
        match (&self.stream, heap) {
            (Some(s), Some(h)) => Some(s.key.min(h)),
            (Some(s), None) => Some(s.key),
            (None, h) => h,
        }
    }

    #[inline]
    fn pop_entry(&mut self) -> Option<Entry<E>> {
        let stream_first = match (&self.stream, self.heap.peek()) {
            (Some(s), Some(h)) => s.key < h.key,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if stream_first {
            self.stream.take()
        } else {
            self.heap.pop()
        }
    }

    /// Hands out the earliest pending event and advances time to it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_until(SimTime::MAX)
    }

    /// Hands out the earliest pending event if it is due no later than `limit`.
    #[inline]
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        loop {
            let key = self.peek_key()?;
            let time = unpack_time(key);
            if time > limit {
                return None;
            }
            let entry = self.pop_entry()?;
            let seq = entry.key as u64;
            if !self.cancelled.is_empty() && self.cancelled.remove(&seq) {
                continue;
            }
            self.now = time;
            self.last_popped = Some((time, seq));
            return Some((time, entry.event));
        }
    }

    fn drop_cancelled_top(&mut self) {
        while let Some(key) = self.peek_key() {
            let seq = key as u64;
            if self.cancelled.is_empty() || !self.cancelled.contains(&seq) {
                return;
            }
            self.cancelled.remove(&seq);
            self.pop_entry();
        }
    }

    /// Moves the clock forward to `t` without handing out an event (used by `run_until`
    /// when nothing is due before `t`). Never moves it backwards.
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }

    /// Events still pending (not counting cancelled ones).
    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.stream.is_some()) - self.cancelled.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_random_events_come_out_sorted() {
        // A linear congruential sequence of times, many of them tied.
        let mut q = EventQueue::new();
        let mut x: u64 = 12345;
        for i in 0..1000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            q.schedule_at(SimTime(x >> 56), i).unwrap();
        }
        let mut prev = (SimTime::ZERO, 0u32);
        let mut n = 0;
        while let Some((t, i)) = q.pop() {
            // Sorted by time; among equal times, in scheduling order.
            assert!(
                t > prev.0 || (t == prev.0 && (n == 0 || i > prev.1)),
                "{prev:?} then {:?}",
                (t, i)
            );
            prev = (t, i);
            n += 1;
        }
        assert_eq!(n, 1000);
    }

    #[test]
    fn events_come_out_in_time_order_and_ties_first_in_first_out() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(30), "c").unwrap();
        q.schedule_at(SimTime(10), "a1").unwrap();
        q.schedule_at(SimTime(20), "b").unwrap();
        q.schedule_at(SimTime(10), "a2").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (SimTime(10), "a1"),
                (SimTime(10), "a2"),
                (SimTime(20), "b"),
                (SimTime(30), "c")
            ]
        );
    }

    #[test]
    fn the_stream_slot_interleaves_exactly_like_the_heap() {
        // Same schedule through the slot and through the heap: same order, ties FIFO.
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(5), "h5").unwrap();
        q.schedule_stream_in(SimDuration(5), "s5");
        q.schedule_stream_in(SimDuration(3), "h3 (slot taken)");
        q.schedule_at(SimTime(7), "h7").unwrap();
        let mut order = vec![];
        while let Some((t, e)) = q.pop() {
            order.push((t.0, e));
            if e == "s5" {
                q.schedule_stream_in(SimDuration(1), "s6");
            }
        }
        assert_eq!(
            order,
            vec![
                (3, "h3 (slot taken)"),
                (5, "h5"),
                (5, "s5"),
                (6, "s6"),
                (7, "h7")
            ]
        );
        let k = q.schedule_stream_in(SimDuration(1), "gone");
        assert!(q.cancel(k));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn scheduling_into_the_past_is_an_error() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(100), ()).unwrap();
        q.pop();
        let err = q.schedule_at(SimTime(99), ()).unwrap_err();
        assert_eq!(
            err,
            ScheduleError {
                at: SimTime(99),
                now: SimTime(100)
            }
        );
        // Now itself is allowed.
        assert!(q.schedule_at(SimTime(100), ()).is_ok());
    }

    #[test]
    fn cancelled_events_never_come_out_and_past_ones_cannot_be_cancelled() {
        let mut q = EventQueue::new();
        let a = q.schedule_at(SimTime(1), 'a').unwrap();
        let b = q.schedule_at(SimTime(2), 'b').unwrap();
        q.schedule_at(SimTime(3), 'c').unwrap();
        assert!(q.cancel(b));
        assert!(!q.cancel(b), "a second cancel is a no-op");
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some((SimTime(1), 'a')));
        assert!(!q.cancel(a), "a has already happened");
        assert_eq!(q.peek_time(), Some(SimTime(3)));
        assert_eq!(q.pop(), Some((SimTime(3), 'c')));
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }
}
