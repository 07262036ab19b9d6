//! The rows, in fixed-size chunks rather than one growing vector.
//!
//! A single `Vec` of a million rows doubles its way up, copying and freeing blocks of tens of
//! megabytes while pages stream in, and its capacity can be nearly twice its length. Here only
//! the last chunk grows (doubling up to 65,536 rows, 3.5 MiB); full chunks never move, so a
//! large store holds little more memory than its rows need and a small one stays small.

use super::row::Row;

const CHUNK_BITS: u32 = 16;
const CHUNK_ROWS: usize = 1 << CHUNK_BITS;
const OFFSET_MASK: usize = CHUNK_ROWS - 1;

#[derive(Debug, Clone, Default)]
pub(crate) struct RowTable {
    chunks: Vec<Vec<Row>>,
    len: usize,
}

impl RowTable {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, row: Row) {
        if self.len & OFFSET_MASK == 0 {
            self.chunks.push(Vec::new());
        }
        self.chunks
            .last_mut()
            .expect("a chunk with room was just ensured")
            .push(row);
        self.len += 1;
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Row> {
        self.chunks
            .get(index >> CHUNK_BITS)?
            .get(index & OFFSET_MASK)
    }

    pub(crate) fn set(&mut self, index: usize, row: Row) {
        self.chunks[index >> CHUNK_BITS][index & OFFSET_MASK] = row;
    }

    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &Row> + '_ {
        Rows {
            inner: self.chunks.iter().flatten(),
            remaining: self.len,
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.chunks.capacity() * size_of::<Vec<Row>>()
            + self.chunks.iter().map(Vec::capacity).sum::<usize>() * size_of::<Row>()
    }
}

impl std::ops::Index<usize> for RowTable {
    type Output = Row;

    fn index(&self, index: usize) -> &Row {
        &self.chunks[index >> CHUNK_BITS][index & OFFSET_MASK]
    }
}

/// Iterates the chunks in order; knows its length so callers can size their output.
struct Rows<I> {
    inner: I,
    remaining: usize,
}

impl<'a, I: Iterator<Item = &'a Row>> Iterator for Rows<I> {
    type Item = &'a Row;

    fn next(&mut self) -> Option<&'a Row> {
        let row = self.inner.next()?;
        self.remaining -= 1;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a, I: Iterator<Item = &'a Row>> ExactSizeIterator for Rows<I> {}

#[cfg(test)]
mod tests {
    use super::super::fixtures::closed;
    use super::super::row::RowFields;
    use super::super::session_id::StoredKey;
    use super::*;
    use crate::api::SessionDetailsRef;

    #[test]
    fn rows_keep_their_index_across_chunk_boundaries() {
        let fields = |user| RowFields {
            user,
            role_set: 0,
            publisher: 0,
            kinds: 0,
        };
        let owned = closed("a", "a", 0, 1);
        let details = SessionDetailsRef::borrowing(&owned);
        let mut table = RowTable::default();
        for user in 0..(CHUNK_ROWS as u32 + 10) {
            table.push(Row::new(
                StoredKey::uuid(user.into()),
                fields(user),
                &details,
            ));
        }
        assert_eq!(table.len(), CHUNK_ROWS + 10);
        assert_eq!(table[CHUNK_ROWS + 3].user, CHUNK_ROWS as u32 + 3);
        assert_eq!(
            table.get(CHUNK_ROWS - 1).unwrap().user,
            CHUNK_ROWS as u32 - 1
        );
        assert!(table.get(CHUNK_ROWS + 10).is_none());
        assert_eq!(table.iter().len(), CHUNK_ROWS + 10);
        assert!(
            table
                .iter()
                .map(|row| row.user)
                .eq(0..CHUNK_ROWS as u32 + 10)
        );
    }
}
