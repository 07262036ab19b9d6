//! `e`: the current view exported to a file, asked for in a prompt line (as k9s and lazygit
//! ask): the format (CSV or JSON, as `headcount export` offers them; Tab switches) and the
//! path, a default name with the call, the session and the view already typed. A file that
//! exists is replaced only once the user says so; an empty view writes nothing.
//!
//! The rows are the view's own (`view/`), written by the driver through the sink of
//! `headcount export` into a temporary file renamed when complete, so that both write the same
//! bytes for the same records and no partial file is left.

use std::io;
use std::path::PathBuf;

use crate::api::timestamp::Nanos;
use crate::attendance::CsvCells;
use crate::cli::export::sink::{ExportFormat, RecordSink};
use crate::ui::safe_text::is_terminal_control;

use super::effect::Effect;
use super::live::Status;
use super::view::{Data, ViewRecords};
use super::{App, Now, keymap::Action};

/// The formats the prompt offers, in the order Tab goes through them.
const FORMATS: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Json];

/// A file to write: the view's records in a format.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    format: ExportFormat,
    records: ViewRecords,
}

impl ExportFile {
    /// The file's bytes, exactly as `headcount export --format FORMAT` writes these records
    /// (the server's text neutralised in CSV where a spreadsheet would run it).
    pub fn encode(&self) -> io::Result<Vec<u8>> {
        let headers = self.records.headers.clone();
        let mut sink = RecordSink::new(self.format, CsvCells::Neutralised, headers, Vec::new());
        for record in &self.records.records {
            sink.write(record)?;
        }
        sink.finish()
    }

    /// The records written (the header excluded).
    pub fn rows(&self) -> usize {
        self.records.len()
    }

    /// `csv` or `json`.
    pub fn extension(&self) -> &'static str {
        extension(self.format)
    }
}

fn extension(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Json => "json",
        _ => "csv",
    }
}

/// The prompt on the bottom line while open.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPrompt {
    format: ExportFormat,
    path: String,
    /// The path exists: the file waits for a yes to replace it.
    overwrite: Option<(PathBuf, ExportFile)>,
}

impl ExportPrompt {
    /// The path as typed.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `CSV` or `JSON`.
    pub fn format_name(&self) -> &'static str {
        match self.format {
            ExportFormat::Json => "JSON",
            _ => "CSV",
        }
    }

    /// The file that exists and would be replaced, while the prompt asks.
    pub fn asks_to_overwrite(&self) -> Option<&std::path::Path> {
        self.overwrite.as_ref().map(|(path, _)| path.as_path())
    }

    /// Tab: the next format; a path still ending in the old format's extension follows.
    fn next_format(&mut self) {
        let at = FORMATS.iter().position(|f| *f == self.format).unwrap_or(0);
        let next = FORMATS[(at + 1) % FORMATS.len()];
        let old = format!(".{}", extension(self.format));
        if let Some(stem) = self.path.strip_suffix(&old) {
            self.path = format!("{stem}.{}", extension(next));
        }
        self.format = next;
    }
}

impl App {
    /// `e`: opens the prompt, unless the read missed rows (a file with rows missing would
    /// look whole once it leaves the screen) or the view has no row to write.
    pub(super) fn export(&mut self, now: Now) -> Vec<Effect> {
        if let Some(caveat) = self.export_caveat() {
            self.post(Status::NotExported(caveat), now);
            return Vec::new();
        }
        if self.view_records(now.server).is_empty() {
            self.post(Status::NothingToExport, now);
            return Vec::new();
        }
        self.export_prompt = Some(ExportPrompt {
            format: ExportFormat::Csv,
            path: self.default_export_name(now.server),
            overwrite: None,
        });
        Vec::new()
    }

    /// The current view's records, as on screen at `now`.
    fn view_records(&self, now: Nanos) -> ViewRecords {
        let data = Data {
            store: &self.store,
            derived: &self.derived,
            zone: &self.config.zone,
            now,
        };
        self.views.records(&data)
    }

    /// `headcount-CALL-SESSION-VIEW-STAMP.csv`, a name in the export directory (the
    /// directory the dashboard was started in).
    fn default_export_name(&self, now: Nanos) -> String {
        let stamp = jiff::Timestamp::from_nanosecond(i128::from(now))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .strftime("%Y%m%dT%H%M%SZ");
        format!(
            "headcount-{}-{}-{}-{stamp}.csv",
            safe(&self.config.call_id),
            safe(&self.config.session),
            self.view().title().to_lowercase()
        )
    }

    /// The prompt, while open.
    pub fn export_prompt(&self) -> Option<&ExportPrompt> {
        self.export_prompt.as_ref()
    }

    /// A key the keymap binds in the prompt: Enter writes (or, asked, replaces), Tab switches
    /// the format, Esc leaves (or, asked, goes back to the path).
    pub(super) fn prompt_act(&mut self, action: Action, now: Now) -> Vec<Effect> {
        let Some(prompt) = &mut self.export_prompt else {
            return Vec::new();
        };
        match action {
            Action::Back if prompt.overwrite.is_some() => prompt.overwrite = None,
            Action::Back => self.export_prompt = None,
            Action::PromptFormat if prompt.overwrite.is_none() => prompt.next_format(),
            Action::PromptAccept => return self.accept_export(now),
            _ => {}
        }
        Vec::new()
    }

    /// Keys the keymap leaves to the prompt: the path's text, or y/n to the question.
    pub(super) fn prompt_type(&mut self, key: crossterm::event::KeyEvent, now: Now) -> Vec<Effect> {
        use crossterm::event::{KeyCode, KeyModifiers};
        let Some(prompt) = &mut self.export_prompt else {
            return Vec::new();
        };
        if prompt.overwrite.is_some() {
            return match key.code {
                KeyCode::Char('y' | 'Y') => self.accept_export(now),
                KeyCode::Char('n' | 'N') => {
                    prompt.overwrite = None;
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        match key.code {
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL) => {
                prompt.path.push(c);
            }
            KeyCode::Backspace => {
                prompt.path.pop();
            }
            _ => {}
        }
        Vec::new()
    }

    /// A paste while the prompt is open goes into the path and nowhere else: its text less
    /// what would control the terminal, line breaks and tabs included (a path is one line, and
    /// a line end pasted must not write the file). While the prompt asks whether to replace a
    /// file, a paste is no answer and is dropped.
    pub(super) fn prompt_paste(&mut self, text: &str) {
        let Some(prompt) = &mut self.export_prompt else {
            return;
        };
        if prompt.overwrite.is_none() {
            let clean = text.chars().filter(|&c| !is_terminal_control(c));
            prompt.path.extend(clean);
        }
    }

    /// Enter: the file to write, or, after the question, the one to replace.
    fn accept_export(&mut self, now: Now) -> Vec<Effect> {
        let Some(prompt) = self.export_prompt.take() else {
            return Vec::new();
        };
        if let Some((path, file)) = prompt.overwrite {
            return vec![Effect::Export {
                path,
                file,
                overwrite: true,
            }];
        }
        let path = prompt.path.trim();
        if path.is_empty() {
            self.export_prompt = Some(prompt);
            return Vec::new();
        }
        let path = self.config.export_dir.join(path);
        let records = self.view_records(now.server);
        if records.is_empty() {
            self.post(Status::NothingToExport, now);
            return Vec::new();
        }
        let file = ExportFile {
            format: prompt.format,
            records,
        };
        vec![Effect::Export {
            path,
            file,
            overwrite: false,
        }]
    }

    /// The driver found a file at the path: the prompt asks whether to replace it.
    pub(super) fn export_exists(&mut self, path: PathBuf, file: ExportFile) {
        let format = file.format;
        self.export_prompt = Some(ExportPrompt {
            format,
            path: path.display().to_string(),
            overwrite: Some((path, file)),
        });
    }
}

/// Keeps an id usable as part of a file name.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
