//! A compact hash index from keys to dense `u32` ids.
//!
//! The keys themselves live elsewhere (in the rows, or in an interner's arena); the index keeps
//! only `(32-bit hash tag, id)` pairs in one `Vec<u64>`, so a million keys cost 8 to 16 bytes
//! each instead of a `HashMap` entry plus an owned `String`. Lookups confirm a tag match with a
//! caller-supplied equality test against the real key. Open addressing with linear probing and a
//! load factor of at most one half keeps probes short.

use std::hash::{BuildHasher, RandomState};

const EMPTY: u64 = u64::MAX;
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

/// Hash tag → id slots. Ids must stay below `u32::MAX`, which marks nothing here because a
/// slot is empty only when both halves are all ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    slots: Vec<u64>,
    len: usize,
}

fn tag_of(hash: u64) -> u32 {
    (hash >> 32) as u32
}

impl IdIndex {
    /// The id whose key hashes to `hash` and for which `is_key` holds.
    pub(crate) fn find(&self, hash: u64, mut is_key: impl FnMut(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let tag = tag_of(hash);
        let mask = self.slots.len() - 1;
        let mut position = tag as usize & mask;
        loop {
            let slot = self.slots[position];
            if slot == EMPTY {
                return None;
            }
            if (slot >> 32) as u32 == tag && is_key(slot as u32) {
                return Some(slot as u32);
            }
            position = (position + 1) & mask;
        }
    }

    /// The slot a search for `hash` starts at. Loading it for a whole batch of keys before
    /// searching lets their cache misses overlap instead of queueing one behind another.
    pub(crate) fn home_slot(&self, hash: u64) -> u64 {
        match self.slots.len() {
            0 => EMPTY,
            len => self.slots[tag_of(hash) as usize & (len - 1)],
        }
    }

    /// The id held in `slot` when the slot carries `hash`'s tag.
    pub(crate) fn tagged_id(slot: u64, hash: u64) -> Option<u32> {
        (slot != EMPTY && (slot >> 32) as u32 == tag_of(hash)).then_some(slot as u32)
    }

    /// Adds an id whose key is known to be absent.
    pub(crate) fn insert(&mut self, hash: u64, id: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        place(
            &mut self.slots,
            (u64::from(tag_of(hash)) << 32) | u64::from(id),
        );
        self.len += 1;
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; capacity]);
        for slot in old.into_iter().filter(|&slot| slot != EMPTY) {
            place(&mut self.slots, slot);
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<u64>()
    }
}

fn place(slots: &mut [u64], slot: u64) {
    let mask = slots.len() - 1;
    let mut position = (slot >> 32) as usize & mask;
    while slots[position] != EMPTY {
        position = (position + 1) & mask;
    }
    slots[position] = slot;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_inserted_key_across_growth() {
        let hasher = KeyHasher::new();
        let keys: Vec<String> = (0..10_000).map(|i| format!("key-{i}")).collect();
        let mut index = IdIndex::default();
        for (id, key) in keys.iter().enumerate() {
            index.insert(hasher.bytes(key.as_bytes()), id as u32);
        }
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
