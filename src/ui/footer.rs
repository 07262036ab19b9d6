//! The bottom lines: the status message and the key hints of the active contexts.

use ratatui::text::{Line, Span};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::App;
use crate::app::keymap::hints;
use crate::app::live::{Caveat, Retry, RetryCause, Status};
use crate::attendance::DisplayZone;

use super::format::count;
use super::safe_text::terminal_safe;
use super::theme::Palette;

/// The retry countdown, the outcome of the last action, or nothing.
pub(crate) fn status_line(app: &App, now: Nanos, theme: &Palette) -> Option<Line<'static>> {
    let status = app.status()?;
    let mut text = terminal_safe(&status_text(status, &app.config().zone)).into_owned();
    let retry_at = match status {
        Status::Retrying(retry) => Some(retry.at),
        _ => None,
    };
    if let Some(at) = retry_at.filter(|&at| at > now) {
        text.push_str(&format!(
            " (in {}s)",
            (at - now + NANOS_PER_SEC - 1) / NANOS_PER_SEC
        ));
    }
    Some(Line::from(Span::styled(
        text,
        theme.severity(status.severity()),
    )))
}

/// The words of a status message, times in the display zone (without the retry countdown,
/// which the status line adds as the clock runs).
pub fn status_text(status: &Status, zone: &DisplayZone) -> String {
    match status {
        Status::FilterNotApplied(error) => format!("filter not applied: {error}"),
        Status::FilterNotAppliedLocally(error) => {
            format!("filter not applied locally: {}", error.message)
        }
        Status::Retrying(Retry {
            at,
            cause: RetryCause::Failed(error),
        }) => format!("✕ {error} · retrying at {}", zone.time(*at)),
        Status::Retrying(Retry {
            at,
            cause: RetryCause::NotReady,
        }) => format!(
            "Stream is still preparing this session's attendance · asking again at {}",
            zone.time(*at)
        ),
        Status::FetchFailed(error) => format!("✕ {error}"),
        Status::PageSkipped {
            page_no,
            rows,
            error,
        } => format!("✕ page {page_no} skipped, its {rows} sessions are missing: {error}"),
        Status::Exported {
            path,
            rows,
            caveat: None,
        } => format!("exported {rows} rows to {}", path.display()),
        Status::Exported {
            path,
            rows,
            caveat: Some(caveat),
        } => format!(
            "⚠ exported {rows} rows to {} · {}",
            path.display(),
            caveat_text(*caveat)
        ),
        Status::ExportFailed { path, error } => {
            format!("✕ export to {} failed: {error}", path.display())
        }
        Status::NotExported(caveat) => format!("✕ not exported: {}", caveat_text(*caveat)),
        Status::ExportUnbuilt(error) => format!("✕ export failed: {error}"),
        Status::Copied(text) => format!("copied {text}"),
    }
}

fn caveat_text(caveat: Caveat) -> String {
    match caveat {
        Caveat::Shortfall { shortfall, total } => {
            format!("{} · r reads again", shortfall.headline(total))
        }
        Caveat::ReadUnderWay => "incomplete: the read is still under way".to_owned(),
    }
}

/// `FROZEN 2m 14s · 3 updates waiting · f to resume`
pub(crate) fn frozen_banner(app: &App, now: Nanos, theme: &Palette) -> Option<Line<'static>> {
    let frozen = app.frozen()?;
    let waiting = frozen.waiting_pages();
    let text = format!(
        " ❚❚ FROZEN {} · {} update{} waiting · f to resume ",
        crate::attendance::human_duration((now - frozen.since).max(0) / NANOS_PER_SEC),
        count(waiting as u64),
        if waiting == 1 { "" } else { "s" },
    );
    Some(Line::from(Span::styled(text, theme.banner())))
}

/// `q quit  ? help  Tab view …`, from the keymap.
pub(crate) fn hints_line(app: &App, theme: &Palette) -> Line<'static> {
    let mut spans = Vec::new();
    for binding in hints(&app.contexts()) {
        spans.push(Span::styled(format!(" {} ", binding.keys), theme.key()));
        spans.push(Span::raw(format!(" {}  ", binding.hint)));
    }
    Line::from(spans)
}
