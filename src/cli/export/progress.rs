//! The progress of a long export on stderr: sessions read against the total Stream reports.
//! Drawn only when stderr is a terminal, so scripts and logs stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::waits::Waits;

const TEMPLATE: &str = "{bar:30} {pos}/{len} sessions read, {msg} ({elapsed})";

/// Sessions and pages read so far.
pub(crate) struct Progress {
    bar: ProgressBar,
    pages: u64,
}

impl Progress {
    /// In the bar `waits` tells its waits in: while one lasts, it is the message in place of
    /// the page number, and the elapsed time keeps counting.
    pub(crate) fn on_stderr(waits: &Waits) -> Progress {
        let bar = waits.bar().clone();
        if !bar.is_hidden() {
            let style = ProgressStyle::with_template(TEMPLATE)
                .expect("the template is valid")
                .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_secs(1));
        }
        Progress { bar, pages: 0 }
    }

    /// Counts a page. The total is the whole session's: with a filter Stream applies, fewer
    /// rows come back and the bar does not fill.
    pub(crate) fn page(&mut self, rows: usize, total: Option<i64>) {
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
