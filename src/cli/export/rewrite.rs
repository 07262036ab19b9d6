//! Corrections applied to an export already written: the records of sessions whose later copy
//! arrived after they were written are replaced (or dropped, when the later copy no longer
//! matches the filter), everything else is copied as it was.
//!
//! Only files are rewritten, before they are renamed into place, and only when a correction
//! exists, which takes a server serving changed rows out of order.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};

use crate::attendance::{Cell, CsvCells, JsonRecord, csv_fields};

use super::sink::ExportFormat;

/// Copies the export in `from` to `to` with `corrections` (keyed by the value of column
/// `id_column`) applied; returns the number of records written.
pub(crate) fn rewrite(
    format: ExportFormat,
    csv_cells: CsvCells,
    headers: &[String],
    id_column: usize,
    corrections: &HashMap<String, Option<Vec<Cell>>>,
    from: impl Read,
    mut to: impl Write,
) -> io::Result<u64> {
    let written = match format {
        ExportFormat::Csv => {
            rewrite_csv(csv_cells, headers, id_column, corrections, from, &mut to)?
        }
        ExportFormat::Json | ExportFormat::Ndjson => {
            rewrite_lines(format, headers, id_column, corrections, from, &mut to)?
        }
        ExportFormat::Pages => unreachable!("pages are written as received, never corrected"),
    };
    to.flush()?;
    Ok(written)
}

fn rewrite_csv(
    csv_cells: CsvCells,
    headers: &[String],
    id_column: usize,
    corrections: &HashMap<String, Option<Vec<Cell>>>,
    from: impl Read,
    to: impl Write,
) -> io::Result<u64> {
    let mut reader = csv::Reader::from_reader(from);
    let mut writer = csv::Writer::from_writer(to);
    writer.write_record(headers)?;
    let mut written = 0;
    for record in reader.records() {
        let record = record?;
        let id = record.get(id_column).unwrap_or_default();
        match corrections.get(id) {
            None => writer.write_record(&record)?,
            Some(Some(cells)) => writer.write_record(csv_fields(cells, csv_cells))?,
            Some(None) => continue,
        }
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}

/// JSON and NDJSON exports hold one record per line (the sink writes each object on one line,
/// and JSON escapes line breaks inside strings); JSON adds the array's brackets and commas, in
/// the sink's own layout.
fn rewrite_lines(
    format: ExportFormat,
    headers: &[String],
    id_column: usize,
    corrections: &HashMap<String, Option<Vec<Cell>>>,
    from: impl Read,
    to: &mut impl Write,
) -> io::Result<u64> {
    let id_header = headers[id_column].as_str();
    let json = format == ExportFormat::Json;
    if json {
        to.write_all(b"[")?;
    }
    let mut written = 0u64;
    for line in BufReader::new(from).lines() {
        let line = line?;
        let text = line.strip_suffix(',').unwrap_or(&line);
        if matches!(text, "" | "[" | "]" | "[]") {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(text)?;
        let corrected;
        let record = match corrections.get(value[id_header].as_str().unwrap_or_default()) {
            None => text,
            Some(Some(cells)) => {
                corrected = serde_json::to_string(&JsonRecord { headers, cells })?;
                &corrected
            }
            Some(None) => continue,
        };
        if json {
            to.write_all(if written == 0 { b"\n" } else { b",\n" })?;
            to.write_all(record.as_bytes())?;
        } else {
            writeln!(to, "{record}")?;
        }
        written += 1;
    }
    if json {
        to.write_all(if written == 0 { b"]\n" } else { b"\n]\n" })?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::super::sink::RecordSink;
    use super::*;

    fn headers() -> Vec<String> {
        vec!["user_id".into(), "user_session_id".into(), "seconds".into()]
    }

    fn record(user: &str, id: &str, seconds: i64) -> Vec<Cell> {
        vec![
            Cell::Text(user.into()),
            Cell::Text(id.into()),
            Cell::Int(seconds),
        ]
    }

    fn written(format: ExportFormat, records: &[Vec<Cell>]) -> Vec<u8> {
        let mut sink = RecordSink::new(format, CsvCells::Neutralised, headers(), Vec::new());
        for record in records {
            sink.write(record).unwrap();
        }
        sink.finish().unwrap()
    }

    #[test]
    fn every_format_reads_back_with_its_corrections() {
        let first = [
            record("=a, \"the\" host", "i-0", 5),
            record("a, \"the\" host", "i-1", 0),
            record("b\nnewline", "i-2", 10),
            record("c", "i-3", 20),
        ];
        let corrections = HashMap::from([
            (
                "i-1".to_owned(),
                Some(record("a, \"the\" host", "i-1", 1800)),
            ),
            ("i-3".to_owned(), None),
        ]);
        let expected = [
            record("=a, \"the\" host", "i-0", 5),
            record("a, \"the\" host", "i-1", 1800),
            record("b\nnewline", "i-2", 10),
        ];
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson] {
            let mut out = Vec::new();
            let count = rewrite(
                format,
                CsvCells::Neutralised,
                &headers(),
                1,
                &corrections,
                &written(format, &first)[..],
                &mut out,
            )
            .unwrap();
            assert_eq!(count, 3, "{format:?}");
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(written(format, &expected)).unwrap(),
                "{format:?}"
            );
        }
    }

    #[test]
    fn dropping_every_record_leaves_an_empty_export() {
        let corrections = HashMap::from([("i-1".to_owned(), None)]);
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson] {
            let mut out = Vec::new();
            let first = written(format, &[record("a", "i-1", 0)]);
            let cells = CsvCells::Neutralised;
            rewrite(
                format,
                cells,
                &headers(),
                1,
                &corrections,
                &first[..],
                &mut out,
            )
            .unwrap();
            assert_eq!(out, written(format, &[]), "{format:?}");
        }
    }
}
