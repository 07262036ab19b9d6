//! String and id-list interning: each distinct value is stored once and named by a dense
//! `u32`, so rows carry small integers instead of owned strings.

use std::sync::OnceLock;

use super::index::{IdIndex, KeyHasher};

/// Distinct strings in one arena, addressed by dense ids in first-seen order.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    text: String,
    /// Where each string ends in `text`; it starts where the one before ends. 4 bytes a
    /// string: 807,000 user ids in the `huge` scenario.
    ends: Vec<u32>,
    /// The strings' ids by hash; built again from `text` on the first lookup after
    /// [`Interner::release_index`].
    index: OnceLock<IdIndex>,
    hasher: KeyHasher,
}

impl Interner {
    pub(crate) fn new(hasher: KeyHasher) -> Self {
        Interner {
            text: String::new(),
            ends: Vec::new(),
            index: OnceLock::from(IdIndex::default()),
            hasher,
        }
    }

    /// Drops the index by value (8.4 MB for the 807,000 user ids of the `huge` scenario),
    /// for an interner that is no longer added to and seldom looked up in: the next lookup
    /// builds it again, in one pass over the strings.
    pub(crate) fn release_index(&mut self) {
        self.index = OnceLock::new();
    }

    fn index(&self) -> &IdIndex {
        self.index.get_or_init(|| {
            let mut index = IdIndex::default();
            for id in 0..self.ends.len() {
                let id = dense_id(id);
                index.insert(self.hash(self.resolve(id)), id, |id| {
                    self.hash(self.resolve(id))
                });
            }
            index
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of `text` that string `id` takes.
    fn span(&self, id: usize) -> (usize, usize) {
        span_of(&self.ends, id)
    }

    pub(crate) fn hash(&self, value: &str) -> u64 {
        self.hasher.bytes(value.as_bytes())
    }

    pub(crate) fn get(&self, value: &str) -> Option<u32> {
        let hash = self.hash(value);
        self.index().find(hash, |id| self.resolve(id) == value)
    }

    pub(crate) fn intern(&mut self, value: &str) -> u32 {
        self.intern_hashed(value, self.hash(value))
    }

    /// Interns `value` whose [`Interner::hash`] is already known.
    pub(crate) fn intern_hashed(&mut self, value: &str, hash: u64) -> u32 {
        if let Some(id) = self.get_hashed(value, hash) {
            return id;
        }
        let id = dense_id(self.ends.len());
        self.text.push_str(value);
        self.ends.push(dense_id(self.text.len()));
        let (text, ends, hasher) = (&self.text, &self.ends, self.hasher);
        let index = self.index.get_mut().expect("built by the lookup above");
        index.insert(hash, id, |id| {
            let (start, end) = span_of(ends, id as usize);
            hasher.bytes(&text.as_bytes()[start..end])
        });
        id
    }

    fn get_hashed(&self, value: &str, hash: u64) -> Option<u32> {
        self.index().find(hash, |id| self.resolve(id) == value)
    }

    pub(crate) fn resolve(&self, id: u32) -> &str {
        let (start, end) = self.span(id as usize);
        &self.text[start..end]
    }

    pub(crate) fn home_slot(&self, hash: u64) -> Option<u32> {
        self.index().home_slot(hash)
    }

    /// Every interned string, laid end to end in id order.
    pub(crate) fn joined(&self) -> &str {
        &self.text
    }

    /// Marks the ids whose own string holds a `len`-byte span starting at one of `starts`
    /// (ascending offsets into [`Interner::joined`]); a span across two strings marks none.
    pub(crate) fn ids_holding(&self, starts: impl Iterator<Item = usize>, len: usize) -> Vec<bool> {
        let mut held = vec![false; self.ends.len()];
        let mut id = 0;
        for at in starts {
            id += self.ends[id..].partition_point(|&end| end as usize <= at);
            if id == self.ends.len() {
                break;
            }
            let (start, end) = self.span(id);
            if start <= at && at + len <= end {
                held[id] = true;
            }
        }
        held
    }

    /// Reads the span and first byte of `candidate`, the string a lookup starting at its slot
    /// compares first, so that the lookup finds them in cache. Returns a value depending on
    /// each read.
    pub(crate) fn touch_candidate(&self, candidate: Option<u32>) -> u64 {
        let Some(id) = candidate else {
            return 0;
        };
        let (start, end) = self.span(id as usize);
        let first = self.text.as_bytes().get(start).copied().unwrap_or(0);
        (end - start) as u64 ^ u64::from(first)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * size_of::<u32>()
            + self.index.get().map_or(0, IdIndex::memory_bytes)
    }
}

/// Where string `id` starts and ends, from the ends of every string.
fn span_of(ends: &[u32], id: usize) -> (usize, usize) {
    let start = id.checked_sub(1).map_or(0, |before| ends[before] as usize);
    (start, ends[id] as usize)
}

/// Distinct lists of ids (role sets), stored back to back.
#[derive(Debug, Clone)]
pub(crate) struct ListInterner {
    members: Vec<u32>,
    spans: Vec<(u32, u32)>,
    index: IdIndex,
    hasher: KeyHasher,
}

impl ListInterner {
    pub(crate) fn new(hasher: KeyHasher) -> Self {
        ListInterner {
            members: Vec::new(),
            spans: Vec::new(),
            index: IdIndex::default(),
            hasher,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn intern(&mut self, list: &[u32]) -> u32 {
        let hash = self.hasher.words(list);
        if let Some(id) = self.index.find(hash, |id| self.resolve(id) == list) {
            return id;
        }
        let id = dense_id(self.spans.len());
        let start = dense_id(self.members.len());
        self.members.extend_from_slice(list);
        self.spans.push((start, dense_id(list.len())));
        let (members, spans, hasher) = (&self.members, &self.spans, self.hasher);
        self.index.insert(hash, id, |id| {
            let (start, len) = spans[id as usize];
            hasher.words(&members[start as usize..(start + len) as usize])
        });
        id
    }

    pub(crate) fn resolve(&self, id: u32) -> &[u32] {
        let (start, len) = self.spans[id as usize];
        &self.members[start as usize..(start + len) as usize]
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        (self.members.capacity() + self.spans.capacity() * 2) * size_of::<u32>()
            + self.index.memory_bytes()
    }
}

/// Ids and arena offsets are `u32`; four billion of anything is far beyond what one call
/// session can hold in memory, so running out is a bug rather than an input error.
pub(crate) fn dense_id(n: usize) -> u32 {
    u32::try_from(n)
        .ok()
        .filter(|&id| id < u32::MAX)
        .expect("more than four billion distinct values in one store")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_string_gets_the_same_id_and_resolves_back() {
        let mut interner = Interner::new(KeyHasher::new());
        let alice = interner.intern("alice");
        let bob = interner.intern("bob");
        assert_ne!(alice, bob);
        assert_eq!(interner.intern("alice"), alice);
        assert_eq!(interner.resolve(bob), "bob");
        assert_eq!(interner.get("carol"), None);
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn an_interner_whose_index_was_released_finds_and_adds_as_before() {
        let mut names = Interner::new(KeyHasher::new());
        let ids: Vec<u32> = (0..1_000)
            .map(|i| names.intern(&format!("user-{i}")))
            .collect();
        let full = names.memory_bytes();
        names.release_index();
        assert!(names.memory_bytes() < full);
        assert_eq!(names.get("user-17"), Some(ids[17]));
        assert_eq!(names.get("user-1000"), None);
        names.release_index();
        assert_eq!(names.intern("user-999"), ids[999], "no second copy");
        assert_eq!(names.intern("user-1000"), 1_000);
        assert_eq!(names.len(), 1_001);
        assert_eq!(names.get("user-1000"), Some(1_000));
    }

    #[test]
    fn a_span_marks_the_one_string_that_holds_it_whole() {
        let mut names = Interner::new(KeyHasher::new());
        for name in ["bob", "ab", "otter", "", "robot"] {
            names.intern(name);
        }
        // "bo" starts at 0, 4 (across "ab" and "otter") and 12 in "bob|ab|otter||robot".
        assert_eq!(names.joined(), "bobabotterrobot");
        let held = names.ids_holding([0, 4, 12].into_iter(), 2);
        assert_eq!(held, [true, false, false, false, true]);
        assert_eq!(names.ids_holding([14].into_iter(), 2), [false; 5]);
    }

    #[test]
    fn lists_are_interned_by_content_and_order() {
        let mut lists = ListInterner::new(KeyHasher::new());
        let empty = lists.intern(&[]);
        let one_two = lists.intern(&[1, 2]);
        assert_eq!(lists.intern(&[1, 2]), one_two);
        assert_ne!(lists.intern(&[2, 1]), one_two);
        assert_eq!(lists.resolve(empty), &[] as &[u32]);
        assert_eq!(lists.resolve(one_two), &[1, 2]);
    }
}
