//! What the app asks the driver to do: the only way the state machine touches the world.

use std::path::PathBuf;

use crate::fetch::FetchRequest;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start reading a query. A fetch under way is stopped first by [`Effect::CancelFetch`].
    StartFetch(FetchRequest),
    /// Stop the fetch under way: no event of it arrives after this.
    CancelFetch,
    /// Write `file` to `path` (through a temporary file renamed when complete) and report
    /// `Outcome::Exported`; when a file is there already and `overwrite` is false, write
    /// nothing and report `Outcome::ExportExists`.
    Export {
        path: PathBuf,
        file: super::export::ExportFile,
        overwrite: bool,
    },
    /// List the call's sessions (GetCall and `QueryCallSessionStats`, as `headcount sessions`
    /// does) and report `Outcome::SessionsListed` or `Outcome::SessionsUnlisted`.
    ListSessions,
    /// Put text on the clipboard through the terminal (OSC 52).
    Copy(String),
    Quit,
}
