//! A slab: values in a vector of slots, reused through a free list and addressed by
//! typed, generational ids. What is in flight (requests, calls) lives in one, so memory
//! is bounded by what is in flight, events carry small ids instead of copies, and an id
//! whose slot was freed and reused is known to be stale.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The id of a value in a [`Slab<T>`]: its slot and the slot's generation when the value
/// was inserted. Typed by `T`, so an id of one slab cannot be used on another's.
pub struct Id<T> {
    index: u32,
    generation: u32,
    _of: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    /// The slot it points at (reused once its value is removed).
    pub fn index(self) -> u32 {
        self.index
    }
}

// Written out: derives would ask `T` for the same traits.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.generation) == (other.index, other.generation)
    }
}
impl<T> Eq for Id<T> {}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.index, self.generation).hash(state);
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.index, self.generation)
    }
}

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// Values addressed by [`Id`]s; a removed value's slot is reused by the next insert.
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Slab<T> {
    /// An empty slab.
    pub fn new() -> Slab<T> {
        Slab::default()
    }

    /// Stores `value` and returns its id. The most recently freed slot is reused first
    /// (it is the likeliest to be in cache).
    pub fn insert(&mut self, value: T) -> Id<T> {
        self.len += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.value = Some(value);
            return Id {
                index,
                generation: slot.generation,
                _of: PhantomData,
            };
        }
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            generation: 0,
            value: Some(value),
        });
        Id {
            index,
            generation: 0,
            _of: PhantomData,
        }
    }

    fn slot(&self, id: Id<T>) -> Option<&Slot<T>> {
        self.slots
            .get(id.index as usize)
            .filter(|s| s.generation == id.generation)
    }

    /// The value of `id`, unless it was removed (or its slot reused since).
    pub fn get(&self, id: Id<T>) -> Option<&T> {
        self.slot(id).and_then(|s| s.value.as_ref())
    }

    /// The value of `id` to change, unless it was removed (or its slot reused since).
    pub fn get_mut(&mut self, id: Id<T>) -> Option<&mut T> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)
            .and_then(|s| s.value.as_mut())
    }

    /// Takes the value of `id` out; `None` if it was already removed. Its slot's
    /// generation moves on, so `id` is stale from now on.
    pub fn remove(&mut self, id: Id<T>) -> Option<T> {
        let slot = self
            .slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)?;
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.index);
        self.len -= 1;
        Some(value)
    }

    /// Every value stored, with its id, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Id<T>, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            let id = Id {
                index: i as u32,
                generation: s.generation,
                _of: PhantomData,
            };
            s.value.as_ref().map(|v| (id, v))
        })
    }

    /// Values stored now.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots allocated: the most values ever stored at once.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_find_their_values_and_go_stale_when_removed() {
        let mut s = Slab::new();
        let a = s.insert("a");
        let b = s.insert("b");
        assert_eq!((s.get(a), s.get(b), s.len()), (Some(&"a"), Some(&"b"), 2));
        assert_eq!(s.remove(a), Some("a"));
        // Removed twice: nothing the second time; the id is stale.
        assert_eq!(s.remove(a), None);
        assert_eq!(s.get(a), None);
        // The freed slot is reused, under a new generation: the old id does not see
        // the new value.
        let c = s.insert("c");
        assert_eq!(c.index(), a.index());
        assert_ne!(c, a);
        assert_eq!(s.get(a), None);
        assert_eq!(s.get(c), Some(&"c"));
        if let Some(v) = s.get_mut(c) {
            *v = "c2";
        }
        assert_eq!(s.get(c), Some(&"c2"));
        assert_eq!((s.len(), s.capacity()), (2, 2));
        let all: Vec<(Id<&str>, &&str)> = s.iter().collect();
        assert_eq!(all, vec![(c, &"c2"), (b, &"b")]);
    }

    #[test]
    fn memory_is_bounded_by_what_is_stored_at_once() {
        // A million values through the slab, never more than 10 at once: 10 slots.
        let mut s = Slab::new();
        let mut live = std::collections::VecDeque::new();
        for i in 0..1_000_000u32 {
            live.push_back(s.insert(i));
            if live.len() > 10
                && let Some(old) = live.pop_front()
            {
                assert!(s.remove(old).is_some());
            }
        }
        assert_eq!(s.capacity(), 11);
        assert_eq!(s.len(), 10);
    }
}
