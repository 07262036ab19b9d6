//! The current view as CSV: times in UTC and in the display zone side by side. The server's
//! text is neutralised where a spreadsheet would run it as a formula, as in `headcount export`.
//! Each view writes its own rows (`view/`); this names the file.

use std::path::PathBuf;

use crate::api::timestamp::Nanos;

use super::App;
use super::view::Data;

/// The file name and contents of the current view's export.
pub(super) fn current_view(app: &App, now: Nanos) -> Result<(PathBuf, String), csv::Error> {
    let data = Data {
        store: &app.store,
        derived: &app.derived,
        zone: &app.config.zone,
        now,
    };
    let csv = app.views.csv(&data)?;
    let stamp = jiff::Timestamp::from_nanosecond(i128::from(now))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ");
    let name = format!(
        "headcount-{}-{}-{stamp}.csv",
        safe(&app.config.call_id),
        app.view().title().to_lowercase()
    );
    Ok((app.config.export_dir.join(name), csv))
}

/// Keeps a call id usable as part of a file name.
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
