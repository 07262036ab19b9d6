//! The bottom lines: the status message and the key hints of the active contexts.

use ratatui::text::{Line, Span};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::live::{Caveat, READ_UNDER_WAY, Retry, RetryCause, Severity, Status};
use crate::app::{App, Local, Now};
use crate::attendance::DisplayZone;
use crate::fetch::Asked;

use super::format::{count, counted, shortened};
use super::safe_text::terminal_safe;
use super::theme::Palette;

/// The retry countdown, the outcome of the last action, or nothing.
/// Too long for `width`, the message is cut with `…` at its end, where a retry's reason is
/// (its page, time and countdown come first).
pub(crate) fn status_line(
    app: &App,
    now: Now,
    width: u16,
    theme: &Palette,
) -> Option<Line<'static>> {
    let width = usize::from(width);
    let Some(status) = app.status() else {
        // A request that hangs is said until its answer or another message comes.
        let awaited = app.fetch().awaited_answer(now.local)?;
        let text = awaited_text(awaited.asked, now.local - awaited.since);
        return Some(Line::from(Span::styled(
            shortened(&text, width),
            theme.severity(Severity::Warning),
        )));
    };
    let zone = &app.config().zone;
    let text = match status {
        Status::Retrying(retry) => {
            let (head, reason) = retry_words(retry, zone);
            let text = match app.fetch().awaited_answer(now.local) {
                // Asked again, and waiting for that answer: said with how long.
                Some(awaited) if retry.due <= now.local => format!(
                    "{} (asked again at {} {})",
                    awaited_text(awaited.asked, now.local - awaited.since),
                    zone.time(retry.at),
                    zone.abbreviation(retry.at)
                ),
                _ => head,
            };
            ticking(text, reason, retry, now.local)
        }
        // Beside the pages: no answer of theirs is awaited here.
        Status::MembersRetrying(retry) => {
            let (head, reason) = retry_words(retry, zone);
            ticking(head, reason, retry, now.local)
        }
        status => status_text(status, zone),
    };
    Some(Line::from(Span::styled(
        shortened(&terminal_safe(&text), width),
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
        Status::Retrying(retry) | Status::MembersRetrying(retry) => {
            match retry_words(retry, zone) {
                (head, Some(reason)) => format!("{head} · {reason}"),
                (head, None) => head,
            }
        }
        Status::FetchFailed(error) => format!("✕ {error}"),
        Status::PageSkipped {
            page_no,
            rows,
            error,
        } => format!(
            "✕ page {page_no} skipped, its {} missing: {error}",
            match rows {
                1 => "1 session is".to_owned(),
                rows => format!("{} sessions are", count(*rows as u64)),
            }
        ),
        Status::Exported {
            path,
            rows,
            caveat: None,
        } => format!(
            "exported {} to {}",
            counted(*rows as u64, "row"),
            path.display()
        ),
        Status::Exported {
            path,
            rows,
            caveat: Some(caveat),
        } => format!(
            "⚠ exported {} to {} · {}",
            counted(*rows as u64, "row"),
            path.display(),
            caveat_text(*caveat)
        ),
        Status::ExportFailed { path, error } => {
            format!("✕ export to {} failed: {error}", path.display())
        }
        Status::NotExported(caveat) => format!("✕ not exported: {}", caveat_text(*caveat)),
        // An answer card is on screen already: its first line says whose it is.
        Status::Copied(text) if text.contains('\n') => format!(
            "copied the answer card ({}) with OSC 52; if your terminal ignores it, select the text",
            text.lines().next().unwrap_or_default().trim()
        ),
        Status::Copied(text) => format!("copied {text}"),
        Status::NoCard(why) => format!("⚠ no answer card: {why}"),
        Status::NothingToExport => "⚠ nothing to export: this view has no rows".to_owned(),
        Status::SessionsUnlisted(error) => format!("✕ cannot list the sessions: {error}"),
        Status::FilterDropped(error) => {
            format!("⚠ filter cleared: it does not apply to this session: {error}")
        }
    }
}

/// `rate limited by Stream, next page at 10:32:05 UTC (page 6)`: why nothing arrives, when
/// the page is asked for again (with the zone: the header may show another day's times) and
/// which page it is.
/// The words of a retry: what happens when, then why when it is not said already.
fn retry_words(retry: &Retry, zone: &DisplayZone) -> (String, Option<String>) {
    let Retry {
        at, asked, cause, ..
    } = retry;
    let when = format!("{} {}", zone.time(*at), zone.abbreviation(*at));
    match cause {
        _ if retry.rate_limited() => (
            match asked {
                Asked::Page(_) => format!("rate limited by Stream, next page at {when} ({asked})"),
                _ => format!("rate limited by Stream, {asked} asked again at {when}"),
            },
            None,
        ),
        RetryCause::Failed(error) => (
            format!("✕ retrying {asked} at {when}"),
            Some(error.to_string()),
        ),
        RetryCause::NotReady => (
            format!("Stream is still preparing this session's attendance · asking again at {when}"),
            None,
        ),
    }
}

/// A retry's words with its countdown (` · in 3s`, until its time), then its reason. The
/// countdown is real time, on the local clock (`now`): it is the person at the terminal who
/// waits.
fn ticking(mut text: String, reason: Option<String>, retry: &Retry, now: Local) -> String {
    if retry.due > now {
        let seconds = (retry.due - now + NANOS_PER_SEC - 1) / NANOS_PER_SEC;
        text.push_str(&format!(" · in {seconds}s"));
    }
    if let Some(reason) = reason {
        text.push_str(&format!(" · {reason}"));
    }
    text
}

/// `waiting for Stream's answer to page 4 · 12s`: a request that hangs, said with how long.
pub(crate) fn awaited_text(asked: Asked, waited: Nanos) -> String {
    format!(
        "waiting for Stream's answer to {asked} · {}",
        crate::attendance::human_duration(waited.max(0) / NANOS_PER_SEC)
    )
}

fn caveat_text(caveat: Caveat) -> String {
    match caveat {
        Caveat::Shortfall { shortfall, total } => {
            format!("{} · r reads again", shortfall.headline(total))
        }
        Caveat::ReadUnderWay => format!("incomplete: {READ_UNDER_WAY}"),
        Caveat::CountGap(gap) => gap.with_remedy(),
    }
}

/// `FROZEN 2m 14s · 3 updates waiting · f to resume`
pub(crate) fn frozen_banner(app: &App, now: Now, theme: &Palette) -> Option<Line<'static>> {
    let frozen = app.frozen()?;
    let waiting = frozen.waiting_pages();
    let text = format!(
        " ❚❚ FROZEN {} · {} update{} waiting · f to resume ",
        crate::attendance::human_duration((now.local - frozen.since).max(0) / NANOS_PER_SEC),
        count(waiting as u64),
        if waiting == 1 { "" } else { "s" },
    );
    Some(Line::from(Span::styled(text, theme.banner())))
}

/// `q quit  ? help  Tab view …`, from the keymap: the keys that do something here and now,
/// as many whole hints as fit in `width` columns. A hint cut in the middle (`e expor`) reads
/// as another key; the ones left out are all in the help (`?`, always first).
pub(crate) fn hints_line(app: &App, theme: &Palette, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for binding in app.footer_hints() {
        let key = Span::styled(format!(" {} ", binding.keys), theme.key());
        let hint = Span::raw(format!(" {}  ", binding.hint));
        // The two trailing spaces may fall off the edge.
        let needed = key.width() + hint.width() - 2;
        if used + needed > usize::from(width) {
            break;
        }
        used += key.width() + hint.width();
        spans.push(key);
        spans.push(hint);
    }
    Line::from(spans)
}
