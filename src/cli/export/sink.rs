//! Records written one at a time in the chosen format, so that nothing but the record being
//! written is held: CSV with a header row, one JSON array, or one JSON object per line.

use std::io::{self, Write};

use clap::ValueEnum;

use crate::attendance::{Cell, CsvCells, JsonRecord, csv_fields};
use crate::ui::safe_text::terminal_safe;

/// The output format of `headcount export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Comma-separated values with a header row
    Csv,
    /// One JSON array of objects
    Json,
    /// One JSON object per line
    Ndjson,
    /// The pages exactly as Stream sent them, keyed by cursor: the file `headcount sim --from`
    /// replays (no filter applied locally, no --by)
    Pages,
}

/// Writes records to `W` as they come.
pub(crate) struct RecordSink<W: Write> {
    headers: Vec<String>,
    csv_cells: CsvCells,
    encoder: Encoder<W>,
    started: bool,
    written: u64,
    /// The records go to a terminal: the server's text is written with its controls escaped.
    on_terminal: bool,
}

enum Encoder<W: Write> {
    // Boxed: the CSV writer carries its own buffer, hundreds of bytes larger than `W`.
    Csv(Box<csv::Writer<W>>),
    Json(W),
    Ndjson(W),
}

impl<W: Write> RecordSink<W> {
    /// A sink that writes nothing yet: the header row of CSV and the opening bracket of JSON
    /// come with the first record (or at [`RecordSink::finish`]), so that a command failing
    /// on its first request prints no orphan header.
    /// `csv_cells` says how the server's text is written into CSV.
    pub(crate) fn new(
        format: ExportFormat,
        csv_cells: CsvCells,
        headers: Vec<String>,
        out: W,
    ) -> Self {
        let encoder = match format {
            ExportFormat::Csv => Encoder::Csv(Box::new(csv::Writer::from_writer(out))),
            ExportFormat::Json => Encoder::Json(out),
            ExportFormat::Ndjson => Encoder::Ndjson(out),
            ExportFormat::Pages => {
                unreachable!("pages are written by `PagesWriter`, not as records")
            }
        };
        RecordSink {
            headers,
            csv_cells,
            encoder,
            started: false,
            written: 0,
            on_terminal: false,
        }
    }

    /// Escapes the controls in every text cell ([`terminal_safe`]), for records read on a
    /// terminal: a user id must not clear the screen, set the title or replace the clipboard.
    /// CSV and JSON stay exact in a file or a pipe, where nothing runs them.
    pub(crate) fn on_terminal(mut self, on_terminal: bool) -> Self {
        self.on_terminal = on_terminal;
        self
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            match &mut self.encoder {
                Encoder::Csv(writer) => writer.write_record(&self.headers)?,
                Encoder::Json(out) => out.write_all(b"[")?,
                Encoder::Ndjson(_) => {}
            }
            self.started = true;
        }
        Ok(())
    }

    pub(crate) fn write(&mut self, record: &[Cell]) -> io::Result<()> {
        if self.on_terminal {
            let escaped: Vec<Cell> = record.iter().map(escaped).collect();
            return self.write_exactly(&escaped);
        }
        self.write_exactly(record)
    }

    fn write_exactly(&mut self, record: &[Cell]) -> io::Result<()> {
        self.start()?;
        let json = JsonRecord {
            headers: &self.headers,
            cells: record,
        };
        match &mut self.encoder {
            Encoder::Csv(writer) => writer.write_record(csv_fields(record, self.csv_cells))?,
            Encoder::Json(out) => {
                out.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, &json)?;
            }
            Encoder::Ndjson(out) => {
                serde_json::to_writer(&mut *out, &json)?;
                out.write_all(b"\n")?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Number of records written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Ends the output (the closing bracket of JSON) and hands back the writer, flushed.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.start()?;
        let mut out = match self.encoder {
            Encoder::Csv(writer) => writer
                .into_inner()
                .map_err(csv::IntoInnerError::into_error)?,
            Encoder::Json(mut out) => {
                out.write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?;
                out
            }
            Encoder::Ndjson(out) => out,
        };
        out.flush()?;
        Ok(out)
    }
}

/// `cell` with the controls of its text escaped.
pub(crate) fn escaped(cell: &Cell) -> Cell {
    let safe = |text: &String| terminal_safe(text).into_owned();
    match cell {
        Cell::Text(text) => Cell::Text(safe(text)),
        Cell::Server(text) => Cell::Server(safe(text)),
        Cell::List(items) => Cell::List(items.iter().map(safe).collect()),
        Cell::Groups(groups) => Cell::Groups(
            groups
                .iter()
                .map(|(name, items)| (safe(name), items.iter().map(safe).collect()))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn headers() -> Vec<String> {
        vec!["user_id".into(), "roles".into(), "late".into()]
    }

    fn records() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Text("alice, the host".into()),
                Cell::List(vec!["host".into(), "user".into()]),
                Cell::Bool(false),
            ],
            vec![Cell::Text("bob".into()), Cell::List(vec![]), Cell::Empty],
        ]
    }

    fn written(format: ExportFormat, records: &[Vec<Cell>]) -> String {
        let mut sink = RecordSink::new(format, CsvCells::Neutralised, headers(), Vec::new());
        for record in records {
            sink.write(record).unwrap();
        }
        assert_eq!(sink.written(), records.len() as u64);
        String::from_utf8(sink.finish().unwrap()).unwrap()
    }

    #[test]
    fn on_a_terminal_the_servers_controls_are_escaped_in_every_format() {
        let hostile = vec![
            Cell::Server("\u{1b}]52;c;cHduZWQ=\u{7}eve".into()),
            Cell::List(vec!["\u{1b}[2Jhost".into(), "\u{202e}user".into()]),
            Cell::Bool(true),
        ];
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson] {
            let mut sink =
                RecordSink::new(format, CsvCells::Raw, headers(), Vec::new()).on_terminal(true);
            sink.write(&hostile).unwrap();
            let text = String::from_utf8(sink.finish().unwrap()).unwrap();
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
                "{format:?}: {text:?}"
            );
            assert!(text.contains("x1b]52;c;cHduZWQ="), "{format:?}: {text}");
            assert!(text.contains("u{202e}user"), "{format:?}: {text}");
        }
        // Elsewhere, exactly as sent.
        let exact = written(ExportFormat::Ndjson, &[hostile]);
        assert!(exact.contains("\u{202e}user"), "{exact}");
    }

    #[test]
    fn csv_has_a_header_row_and_quotes_what_needs_it() {
        let text = written(ExportFormat::Csv, &records());
        assert_eq!(
            text,
            "user_id,roles,late\n\"alice, the host\",host user,false\nbob,,\n"
        );
    }

    #[test]
    fn json_is_one_array_of_typed_objects() {
        let text = written(ExportFormat::Json, &records());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!([
                {"user_id": "alice, the host", "roles": ["host", "user"], "late": false},
                {"user_id": "bob", "roles": [], "late": null}
            ])
        );
    }

    #[test]
    fn an_empty_export_is_still_valid() {
        assert_eq!(written(ExportFormat::Json, &[]), "[]\n");
        assert_eq!(written(ExportFormat::Csv, &[]), "user_id,roles,late\n");
        assert_eq!(written(ExportFormat::Ndjson, &[]), "");
    }

    #[test]
    fn nothing_is_written_before_the_first_record() {
        let mut out = Vec::new();
        let sink = RecordSink::new(
            ExportFormat::Csv,
            CsvCells::Neutralised,
            headers(),
            &mut out,
        );
        drop(sink);
        assert!(out.is_empty());
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let text = written(ExportFormat::Ndjson, &records());
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["user_id"], "bob");
    }
}
