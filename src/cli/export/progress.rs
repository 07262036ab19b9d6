//! The progress of a long export on stderr: sessions read against the total Stream reports.
//! Drawn only when stderr is a terminal, so scripts and logs stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

const TEMPLATE: &str = "{bar:30} {pos}/{len} sessions read, {msg} ({elapsed})";

/// Sessions and pages read so far.
pub struct Progress {
    bar: ProgressBar,
    pages: u64,
}

impl Progress {
    pub fn on_stderr() -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template(TEMPLATE)
                .expect("the template is valid")
                .progress_chars("=> ");
            ProgressBar::new(0).with_style(style)
        } else {
            ProgressBar::hidden()
        };
        Progress { bar, pages: 0 }
    }

    /// Counts a page. The total is the whole session's: with a filter Stream applies, fewer
    /// rows come back and the bar does not fill.
    pub fn page(&mut self, rows: usize, total: Option<i64>) {
        self.pages += 1;
        if let Some(total) = total {
            self.bar.set_length(u64::try_from(total).unwrap_or(0));
        }
        self.bar.set_message(format!("page {}", self.pages));
        self.bar.inc(rows as u64);
    }
}

/// Cleared however the export ends, so that an error message starts on a clean line.
impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
