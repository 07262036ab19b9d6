//! The current view as CSV: times in UTC and in the display zone side by side.

use std::path::PathBuf;

use crate::api::timestamp::Nanos;
use crate::attendance::{DisplayZone, Gap, SessionRef, utc_rfc3339};

use super::App;
use super::view::View;

/// The file name and contents of the current view's export.
pub(super) fn current_view(app: &App, now: Nanos) -> Result<(PathBuf, String), csv::Error> {
    let view = app.view();
    let csv = match view {
        View::Sessions => sessions(app, now)?,
        View::Users | View::Timeline => users(app)?,
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

/// Two columns per instant: UTC, then the display zone.
fn times(zone: &DisplayZone, at: Option<Nanos>) -> [String; 2] {
    match at {
        Some(at) => [utc_rfc3339(at), zone.rfc3339(at)],
        None => [String::new(), String::new()],
    }
}

fn time_headers(name: &str, zone: &DisplayZone) -> [String; 2] {
    [format!("{name}_utc"), format!("{name}_{}", zone.label())]
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn session_record(zone: &DisplayZone, row: SessionRef<'_>, now: Nanos) -> Vec<String> {
    let mut record = vec![
        row.user_id().to_owned(),
        row.user_session_id().as_str().to_owned(),
    ];
    record.extend(times(zone, row.joined_at()));
    record.extend(times(zone, row.left_at()));
    record.push(row.duration_seconds(now).to_string());
    record.push(row.publisher_type().to_owned());
    record.push(row.roles().collect::<Vec<_>>().join(" "));
    record
}

fn session_headers(zone: &DisplayZone) -> Vec<String> {
    let mut headers = vec!["user_id".to_owned(), "user_session_id".to_owned()];
    headers.extend(time_headers("joined", zone));
    headers.extend(time_headers("left", zone));
    headers.extend(["duration_seconds", "publisher_type", "roles"].map(String::from));
    headers
}

fn sessions(app: &App, now: Nanos) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(session_headers(zone))?;
    for row in app
        .sessions
        .items()
        .iter()
        .filter_map(|&id| app.store.get(id))
    {
        writer.write_record(session_record(zone, row, now))?;
    }
    finish(writer)
}

fn users(app: &App) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut headers = [
        "user_id",
        "sessions",
        "attended_seconds",
        "connected_seconds",
    ]
    .map(String::from)
    .into_iter()
    .collect::<Vec<_>>();
    headers.extend(time_headers("first_join", zone));
    headers.extend(time_headers("last_leave", zone));
    headers.extend(
        [
            "attendance_percent",
            "late",
            "left_early",
            "reconnects",
            "multi_device",
            "in_call_now",
        ]
        .map(String::from),
    );
    writer.write_record(headers)?;
    for user in app.users.items() {
        let mut record = vec![
            app.store.user_name(user.user).to_owned(),
            user.sessions.to_string(),
            user.attended_seconds().to_string(),
            user.connected_seconds.to_string(),
        ];
        record.extend(times(zone, user.first_join));
        record.extend(times(zone, user.last_leave));
        record.push(
            user.attendance_percent
                .map_or(String::new(), |p| format!("{p:.1}")),
        );
        record.extend(
            [user.late, user.left_early]
                .map(|flag| flag.to_string())
                .into_iter()
                .chain([user.reconnects.to_string()])
                .chain([user.multi_device, user.in_call_now].map(|flag| flag.to_string())),
        );
        writer.write_record(record)?;
    }
    finish(writer)
}

fn detail(app: &App) -> Result<String, csv::Error> {
    let zone = &app.config.zone;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut headers = session_headers(zone);
    headers.extend(["gap_before_seconds", "reconnect"].map(String::from));
    writer.write_record(headers)?;
    for entry in app.detail.items() {
        let Some(row) = app.store.get(entry.row) else {
            continue;
        };
        let mut record = session_record(zone, row, app.now);
        record.push(match entry.gap_before {
            Gap::After(gap) => (gap / crate::api::timestamp::NANOS_PER_SEC).to_string(),
            Gap::Overlapping(overlap) => {
                format!("-{}", overlap / crate::api::timestamp::NANOS_PER_SEC)
            }
            Gap::First | Gap::Untimed => String::new(),
        });
        record.push(entry.reconnect.to_string());
        writer.write_record(record)?;
    }
    finish(writer)
}
