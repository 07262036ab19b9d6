//! What the app reacts to. Every message is delivered with the instant it happened, so the
//! state machine never reads a clock and tests control time exactly.

use crossterm::event::KeyEvent;

use crate::fetch::FetchEvent;

use super::item_list::ListWindow;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock: once a second, and at the deadline the app asked for.
    Tick,
    Fetch(FetchEvent),
    /// The outcome of an effect the driver carried out.
    Done(Outcome),
    /// What the frame just drawn laid out, delivered right after drawing it: drawing only
    /// reads the app, and this is how the app learns the page size and the scroll position.
    Layout(Layout),
}

/// What a frame laid out that the next keys depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    /// The rows the current view's list showed (none for a view without a list).
    pub list: Option<ListWindow>,
}

/// What became of an effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Exported {
        path: std::path::PathBuf,
        rows: usize,
    },
    /// A file is at the path already: nothing was written.
    ExportExists {
        path: std::path::PathBuf,
        file: super::export::ExportFile,
    },
    ExportFailed {
        path: std::path::PathBuf,
        error: String,
    },
    Copied {
        text: String,
    },
    /// The call's sessions, newest first, and why Stream's list stopped early if it did.
    SessionsListed {
        sessions: Vec<crate::attendance::SessionSummary>,
        stopped_early: Option<crate::api::StopReason>,
    },
    /// The call's sessions could not be listed (the driver's words for the error).
    SessionsUnlisted {
        error: String,
    },
}
