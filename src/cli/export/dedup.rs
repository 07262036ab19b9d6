//! One record per participant session in a streamed export, the copy from the later page
//! winning, in memory that stays flat apart from one bit per session.
//!
//! The read's ledger says what each copy of a row is (first, same again, changed). A changed
//! copy must replace what was written for the earlier one, but a stream cannot take bytes
//! back, so records are held for one page before they are written: an overlapping page (the
//! usual reason for a changed copy) corrects them in place. A later change to a record already
//! written is kept as a correction: a file (`-o`) is rewritten with the corrections before it
//! is renamed into place; standard output cannot be, and the export then says how many
//! sessions it could not correct.

use std::collections::HashMap;
use std::io::Write;

use crate::attendance::{Cell, EntryId, RowNews};

use super::sink::RecordSink;

/// A record waiting for the next page; `None` once a later copy no longer matches.
struct Held {
    entry: EntryId,
    record: Option<Vec<Cell>>,
}

/// What happens to a change that arrives after its record was written.
pub(crate) enum LateChanges {
    /// Kept, to rewrite the file before it is committed: the session's id and its later
    /// record (`None` when it no longer matches the filter).
    Corrected(HashMap<String, Option<Vec<Cell>>>),
    /// Standard output cannot be corrected: only counted.
    Uncorrected(u64),
}

/// Writes each session once through a [`RecordSink`].
pub(crate) struct DedupSink<W: Write> {
    sink: RecordSink<W>,
    /// One bit per ledger entry: a record of it was written or is held.
    kept: Vec<u64>,
    previous: Vec<Held>,
    current: Vec<Held>,
    late: LateChanges,
}

impl<W: Write> DedupSink<W> {
    /// `correctable`: whether changes to written records can be corrected later (a file).
    pub(crate) fn new(sink: RecordSink<W>, correctable: bool) -> Self {
        DedupSink {
            sink,
            kept: Vec::new(),
            previous: Vec::new(),
            current: Vec::new(),
            late: if correctable {
                LateChanges::Corrected(HashMap::new())
            } else {
                LateChanges::Uncorrected(0)
            },
        }
    }

    /// Takes one copy of a row: `record` is its record when it matches the filter, `id` its
    /// `user_session_id`.
    pub(crate) fn offer(&mut self, news: RowNews, id: &str, record: Option<Vec<Cell>>) {
        let entry = match news {
            RowNews::Unreadable | RowNews::Same(_) => return,
            RowNews::New(entry) | RowNews::Changed(entry) => entry,
        };
        if let RowNews::Changed(_) = news
            && self.is_kept(entry)
        {
            self.replace(entry, id, record);
            return;
        }
        if record.is_some() {
            self.set_kept(entry, true);
            self.current.push(Held { entry, record });
        }
    }

    /// The page is over: the records of the page before it can no longer change in place and
    /// are written.
    pub(crate) fn end_page(&mut self) -> std::io::Result<()> {
        let ready = std::mem::replace(&mut self.previous, std::mem::take(&mut self.current));
        self.write(ready)
    }

    /// Writes what is held and hands back the sink and the changes that came too late.
    pub(crate) fn finish(mut self) -> std::io::Result<(RecordSink<W>, LateChanges)> {
        let previous = std::mem::take(&mut self.previous);
        self.write(previous)?;
        let current = std::mem::take(&mut self.current);
        self.write(current)?;
        Ok((self.sink, self.late))
    }

    fn write(&mut self, held: Vec<Held>) -> std::io::Result<()> {
        for record in held.into_iter().filter_map(|held| held.record) {
            self.sink.write(&record)?;
        }
        Ok(())
    }

    /// A later copy of a session whose record is written or held.
    fn replace(&mut self, entry: EntryId, id: &str, record: Option<Vec<Cell>>) {
        let held = self
            .current
            .iter_mut()
            .chain(self.previous.iter_mut())
            .find(|held| held.entry == entry);
        if let Some(held) = held {
            let dropped = record.is_none();
            held.record = record;
            if dropped {
                self.set_kept(entry, false);
            }
            return;
        }
        match &mut self.late {
            LateChanges::Corrected(corrections) => {
                corrections.insert(id.to_owned(), record);
            }
            LateChanges::Uncorrected(count) => *count += 1,
        }
    }

    fn is_kept(&self, entry: EntryId) -> bool {
        let (word, bit) = position(entry);
        self.kept.get(word).is_some_and(|bits| bits & bit != 0)
    }

    fn set_kept(&mut self, entry: EntryId, kept: bool) {
        let (word, bit) = position(entry);
        if word >= self.kept.len() {
            self.kept.resize(word + 1, 0);
        }
        if kept {
            self.kept[word] |= bit;
        } else {
            self.kept[word] &= !bit;
        }
    }
}

fn position(entry: EntryId) -> (usize, u64) {
    (entry.0 as usize / 64, 1 << (entry.0 % 64))
}

#[cfg(test)]
mod tests {
    use super::super::sink::ExportFormat;
    use super::*;
    use crate::attendance::CsvCells;

    fn record(id: &str, seconds: i64) -> Option<Vec<Cell>> {
        Some(vec![Cell::Text(id.to_owned()), Cell::Int(seconds)])
    }

    fn sink(correctable: bool) -> DedupSink<Vec<u8>> {
        let headers = vec!["id".to_owned(), "seconds".to_owned()];
        let records = RecordSink::new(
            ExportFormat::Csv,
            CsvCells::Neutralised,
            headers,
            Vec::new(),
        );
        DedupSink::new(records, correctable)
    }

    fn text(sink: DedupSink<Vec<u8>>) -> (String, LateChanges) {
        let (sink, late) = sink.finish().unwrap();
        (String::from_utf8(sink.finish().unwrap()).unwrap(), late)
    }

    const E0: EntryId = EntryId(0);
    const E1: EntryId = EntryId(1);
    const E2: EntryId = EntryId(2);

    #[test]
    fn a_row_on_two_pages_is_written_once() {
        let mut out = sink(false);
        out.offer(RowNews::New(E0), "i-1", record("i-1", 1800));
        out.offer(RowNews::New(E1), "i-2", record("i-2", 2400));
        out.end_page().unwrap();
        out.offer(RowNews::Same(E1), "i-2", record("i-2", 2400));
        out.offer(RowNews::New(E2), "i-3", record("i-3", 600));
        out.end_page().unwrap();
        let (csv, late) = text(out);
        assert_eq!(csv, "id,seconds\ni-1,1800\ni-2,2400\ni-3,600\n");
        assert!(matches!(late, LateChanges::Uncorrected(0)));
    }

    #[test]
    fn a_change_on_the_next_page_corrects_the_held_record() {
        let mut out = sink(false);
        out.offer(RowNews::New(E0), "i-1", record("i-1", 1800));
        out.offer(RowNews::New(E1), "i-2", record("i-2", 0));
        out.end_page().unwrap();
        out.offer(RowNews::Changed(E1), "i-2", record("i-2", 2400));
        out.offer(RowNews::Changed(E0), "i-1", None);
        out.end_page().unwrap();
        let (csv, _) = text(out);
        assert_eq!(csv, "id,seconds\ni-2,2400\n");
    }

    #[test]
    fn a_change_to_a_row_kept_out_by_the_filter_adds_it() {
        let mut out = sink(false);
        out.offer(RowNews::New(E0), "i-1", None);
        for _ in 0..3 {
            out.end_page().unwrap();
        }
        out.offer(RowNews::Changed(E0), "i-1", record("i-1", 60));
        let (csv, late) = text(out);
        assert_eq!(csv, "id,seconds\ni-1,60\n");
        assert!(matches!(late, LateChanges::Uncorrected(0)));
    }

    #[test]
    fn a_late_change_is_a_correction_for_a_file_and_counted_on_stdout() {
        for correctable in [true, false] {
            let mut out = sink(correctable);
            out.offer(RowNews::New(E0), "i-1", record("i-1", 0));
            out.end_page().unwrap();
            out.end_page().unwrap();
            out.offer(RowNews::Changed(E0), "i-1", record("i-1", 1800));
            let (csv, late) = text(out);
            assert_eq!(csv, "id,seconds\ni-1,0\n");
            match late {
                LateChanges::Corrected(corrections) => {
                    assert!(correctable);
                    assert_eq!(corrections["i-1"], record("i-1", 1800));
                }
                LateChanges::Uncorrected(count) => {
                    assert!(!correctable);
                    assert_eq!(count, 1);
                }
            }
        }
    }
}
