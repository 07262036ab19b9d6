//! A compact hash index from keys to dense `u32` ids.
//!
//! The keys themselves live elsewhere (in the rows, or in an interner's arena); the index keeps
//! only the ids, in one `Vec<u32>`, so a million keys cost 4 to 8 bytes each instead of a
//! `HashMap` entry plus an owned `String`. Lookups confirm a candidate with a caller-supplied
//! equality test against the real key, and growing asks the caller for each id's hash again.
//! Open addressing with linear probing and a load factor of at most one half keeps probes
//! short: a search compares about 1.5 keys when it finds one and about 1.5 more when it does
//! not. (A 32-bit hash tag beside each id spared some of those comparisons, at twice the
//! bytes: 16.8 MB instead of 8.4 for the million rows of the `huge` scenario, and as much
//! again for its 807,000 user ids.)

use std::hash::{BuildHasher, RandomState};

const EMPTY: u32 = u32::MAX;
const MIN_SLOTS: usize = 16;
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
const FINAL_MULTIPLIER: u64 = 0xD6E8_FEB8_6659_FD93;

/// Multiplies into 128 bits and folds the halves: a cheap mix whose high bits depend on
/// every input bit.
pub(crate) fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// A seeded hash of strings, id lists and 128-bit keys. The seed is random per process so that
/// crafted ids cannot degrade the index into long probe chains.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyHasher {
    seed: u64,
}

impl KeyHasher {
    pub(crate) fn new() -> Self {
        KeyHasher {
            seed: RandomState::new().hash_one(0x6865_6164_636f_756e_u64),
        }
    }

    /// A hasher with a fixed seed, for hashes that are compared but never index a table.
    pub(crate) const fn with_seed(seed: u64) -> Self {
        KeyHasher { seed }
    }

    pub(crate) fn bytes(&self, bytes: &[u8]) -> u64 {
        let mut hash = self.seed ^ (bytes.len() as u64).wrapping_mul(MULTIPLIER);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight bytes"));
            hash = fold_multiply(hash ^ word, MULTIPLIER);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut padded = [0u8; 8];
            padded[..rest.len()].copy_from_slice(rest);
            hash = fold_multiply(hash ^ u64::from_le_bytes(padded), MULTIPLIER);
        }
        fold_multiply(hash, FINAL_MULTIPLIER)
    }

    pub(crate) fn words(&self, words: &[u32]) -> u64 {
        let mut hash = self.seed ^ (words.len() as u64).wrapping_mul(MULTIPLIER);
        for &word in words {
            hash = fold_multiply(hash ^ u64::from(word), MULTIPLIER);
        }
        fold_multiply(hash, FINAL_MULTIPLIER)
    }

    pub(crate) fn wide(&self, value: u128) -> u64 {
        let low = fold_multiply((value as u64) ^ self.seed, MULTIPLIER);
        fold_multiply(low ^ (value >> 64) as u64, FINAL_MULTIPLIER)
    }
}

/// Id slots. Ids must stay below `u32::MAX`, which marks an empty slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    slots: Vec<u32>,
    len: usize,
}

fn home(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

impl IdIndex {
    /// The id whose key hashes to `hash` and for which `is_key` holds.
    pub(crate) fn find(&self, hash: u64, mut is_key: impl FnMut(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut position = home(hash, mask);
        loop {
            let slot = self.slots[position];
            if slot == EMPTY {
                return None;
            }
            if is_key(slot) {
                return Some(slot);
            }
            position = (position + 1) & mask;
        }
    }

    /// The id in the slot a search for `hash` starts at, if any. Loading it (and its key) for
    /// a whole batch of keys before searching lets their cache misses overlap instead of
    /// queueing one behind another.
    pub(crate) fn home_slot(&self, hash: u64) -> Option<u32> {
        match self.slots.len() {
            0 => None,
            len => Some(self.slots[home(hash, len - 1)]).filter(|&slot| slot != EMPTY),
        }
    }

    /// Adds an id whose key is known to be absent; `hash_of` gives the hash of an id already
    /// in the index, for when the table grows.
    pub(crate) fn insert(&mut self, hash: u64, id: u32, hash_of: impl Fn(u32) -> u64) {
        debug_assert!(id != EMPTY, "ids stay below u32::MAX");
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(&hash_of);
        }
        place(&mut self.slots, hash, id);
        self.len += 1;
    }

    fn grow(&mut self, hash_of: &impl Fn(u32) -> u64) {
        let capacity = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; capacity]);
        for id in old.into_iter().filter(|&slot| slot != EMPTY) {
            place(&mut self.slots, hash_of(id), id);
        }
    }

    /// How many ids the index holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<u32>()
    }
}

fn place(slots: &mut [u32], hash: u64, id: u32) {
    let mask = slots.len() - 1;
    let mut position = home(hash, mask);
    while slots[position] != EMPTY {
        position = (position + 1) & mask;
    }
    slots[position] = id;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_inserted_key_across_growth() {
        let hasher = KeyHasher::new();
        let keys: Vec<String> = (0..10_000).map(|i| format!("key-{i}")).collect();
        let mut index = IdIndex::default();
        let hash_of = |id: u32| hasher.bytes(keys[id as usize].as_bytes());
        for (id, key) in keys.iter().enumerate() {
            index.insert(hasher.bytes(key.as_bytes()), id as u32, hash_of);
        }
        assert_eq!(index.memory_bytes(), 32_768 * 4, "at most half full");
        for (id, key) in keys.iter().enumerate() {
            let found = index.find(hasher.bytes(key.as_bytes()), |i| keys[i as usize] == *key);
            assert_eq!(found, Some(id as u32));
        }
        let absent = hasher.bytes(b"key-absent");
        assert_eq!(
            index.find(absent, |i| keys[i as usize] == "key-absent"),
            None
        );
    }

    #[test]
    fn hashes_distinguish_lengths_and_contents() {
        let hasher = KeyHasher::new();
        assert_ne!(hasher.bytes(b"a"), hasher.bytes(b"a\0"));
        assert_ne!(hasher.words(&[1, 2]), hasher.words(&[2, 1]));
        assert_ne!(hasher.wide(1), hasher.wide(1 << 64));
    }
}
