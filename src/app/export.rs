//! The current view as CSV: times in UTC and in the display zone side by side. The server's
//! text is neutralised where a spreadsheet would run it as a formula, as in `headcount export`.

use std::path::PathBuf;

use crate::api::timestamp::Nanos;
use crate::attendance::{
    CsvCells, DetailLine, DisplayZone, FilterableRow, SessionLine, SessionRef, UserLine,
    csv_fields, detail_headers, detail_record, session_headers, session_record, user_headers,
    user_record,
};
use crate::filter::LocalRow;

use super::App;
use super::view::View;

/// The file name and contents of the current view's export.
pub(super) fn current_view(app: &App, now: Nanos) -> Result<(PathBuf, String), csv::Error> {
    let view = app.view();
    let csv = match view {
        View::Sessions => sessions(app, now)?,
        View::Users | View::Timeline => users(app, now)?,
        View::UserDetail(_) => detail(app)?,
    };
    let stamp = jiff::Timestamp::from_nanosecond(i128::from(now))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ");
    let name = format!(
        "headcount-{}-{}-{stamp}.csv",
        safe(&app.config.call_id),
        view.title().to_lowercase()
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

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn session_fields(zone: &DisplayZone, row: SessionRef<'_>, now: Nanos) -> Vec<String> {
    let problems = row.counted(&row.store().row_context(now)).problems;
    csv_fields(
        &session_record(zone, &FilterableRow::new(row), problems, now),
        CsvCells::Neutralised,
    )
    .collect()
}

fn sessions(app: &App, now: Nanos) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(session_headers())?;
    for row in app
        .sessions
        .items()
        .iter()
        .filter_map(|&id| app.store.get(id))
    {
        writer.write_record(session_fields(zone, row, now))?;
    }
    finish(writer)
}

fn users(app: &App, now: Nanos) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let window = app.store.window(now);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(user_headers())?;
    for figures in app
        .users
        .items()
        .iter()
        .filter_map(|&user| app.user_figures(user))
    {
        let record = user_record(&UserLine {
            figures,
            store: &app.store,
            rows: app.user_rows(figures.user),
            zone,
            window,
            now,
        });
        writer.write_record(csv_fields(&record, CsvCells::Neutralised))?;
    }
    finish(writer)
}

fn detail(app: &App) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(detail_headers())?;
    for entry in app.detail.items() {
        let Some(row) = app.store.get(entry.row) else {
            continue;
        };
        let problems = row.counted(&row.store().row_context(app.now)).problems;
        let filterable = FilterableRow::new(row);
        let session = SessionLine::new(&filterable, problems, filterable.is_open(), app.now, zone);
        let record = detail_record(&DetailLine::new(session, entry));
        writer.write_record(csv_fields(&record, CsvCells::Neutralised))?;
    }
    finish(writer)
}
