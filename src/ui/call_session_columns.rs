//! The columns of a list of call sessions, each declared once: `headcount sessions` prints
//! them all, the dashboard's session picker shows the ones that fit its width.
//!
//! The counts come from Stream's call stats (`QueryCallSessionStats`), not from the rows:
//! Stream's peak can differ from the dashboard's own by a user, since headcount counts a
//! presence to the join plus the whole-second duration. Both lists say where they come from.

use crate::api::call_stats::SessionCounts;
use crate::api::timestamp::Nanos;
use crate::attendance::{CallState, DisplayZone, ServerDuration, SessionSummary};

use super::format::{PERSON_HOURS, count, server_person_hours};
use super::safe_text::terminal_safe;

/// Where the counts of the list come from, said beside every list of sessions.
pub(crate) const COUNTS_SOURCE: &str = "counts from Stream's call stats";

/// One column of a list of sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallSessionColumn {
    /// `call_session_id`, after `*` for the call's current session.
    Session,
    Started,
    /// The end, or `live`.
    Ended,
    State,
    /// Stream's `participants`: distinct users.
    Participants,
    /// Stream's `sessions`: participant sessions.
    Sessions,
    /// Stream's `peak_concurrent_users`.
    Peak,
    /// Stream's `total_participant_duration`, in person-hours.
    PersonHours,
}

/// How numbers are written: grouped for people on screen, plain for the CLI's table that
/// scripts may cut into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbers {
    Plain,
    Grouped,
}

/// What a cell needs besides its session.
pub(crate) struct CellContext<'a> {
    pub(crate) zone: &'a DisplayZone,
    /// The instant the state is judged at, Unix nanoseconds.
    pub(crate) now: Nanos,
    pub(crate) numbers: Numbers,
}

impl CallSessionColumn {
    /// Every column, in the order shown.
    pub(crate) const ALL: [CallSessionColumn; 8] = [
        CallSessionColumn::Session,
        CallSessionColumn::Started,
        CallSessionColumn::Ended,
        CallSessionColumn::State,
        CallSessionColumn::Participants,
        CallSessionColumn::Sessions,
        CallSessionColumn::Peak,
        CallSessionColumn::PersonHours,
    ];

    /// The columns a narrow picker gives up, first to last: what tells the sessions apart
    /// (when each started, whether it is live, how big it was) stays longest.
    const GIVEN_UP_FIRST: [CallSessionColumn; 7] = [
        CallSessionColumn::Sessions,
        CallSessionColumn::Ended,
        CallSessionColumn::Peak,
        CallSessionColumn::PersonHours,
        CallSessionColumn::Participants,
        CallSessionColumn::State,
        CallSessionColumn::Started,
    ];

    pub(crate) fn header(self) -> &'static str {
        match self {
            CallSessionColumn::Session => "SESSION",
            CallSessionColumn::Started => "STARTED",
            CallSessionColumn::Ended => "ENDED",
            CallSessionColumn::State => "STATE",
            CallSessionColumn::Participants => "PARTICIPANTS",
            CallSessionColumn::Sessions => "SESSIONS",
            CallSessionColumn::Peak => "PEAK",
            CallSessionColumn::PersonHours => PERSON_HOURS,
        }
    }

    /// Numbers are aligned right.
    pub(crate) fn numeric(self) -> bool {
        matches!(
            self,
            CallSessionColumn::Participants
                | CallSessionColumn::Sessions
                | CallSessionColumn::Peak
                | CallSessionColumn::PersonHours
        )
    }

    /// The cell's text, terminal-safe; `-` for what Stream did not say, `impossible` for a
    /// count below zero (never shown as a plausible number).
    pub(crate) fn text(self, session: &SessionSummary, ctx: &CellContext) -> String {
        let time =
            |at: Option<Nanos>| at.map_or_else(|| "-".to_owned(), |at| ctx.zone.date_time(at));
        let counts = session.counts.as_ref();
        let number = |value: fn(&SessionCounts) -> i64| match counts.map(value) {
            None => "-".to_owned(),
            Some(n) if n < 0 => "impossible".to_owned(),
            Some(n) => match ctx.numbers {
                Numbers::Plain => n.to_string(),
                Numbers::Grouped => count(n.unsigned_abs()),
            },
        };
        match self {
            CallSessionColumn::Session => {
                let marker = if session.current { '*' } else { ' ' };
                format!("{marker}{}", terminal_safe(&session.id))
            }
            CallSessionColumn::Started => time(session.started_at),
            CallSessionColumn::Ended => match session.state(ctx.now) {
                CallState::Live => "live".to_owned(),
                _ => time(session.ended_at),
            },
            CallSessionColumn::State => session.state(ctx.now).words().label.to_owned(),
            CallSessionColumn::Participants => number(|c| c.participants),
            CallSessionColumn::Sessions => number(|c| c.sessions),
            CallSessionColumn::Peak => number(|c| c.peak_concurrent_users),
            CallSessionColumn::PersonHours => counts
                .and_then(|c| {
                    c.total_participant_duration
                        .map(|total| ServerDuration::of(total, Some(c.sessions)))
                })
                .map_or_else(|| "-".to_owned(), server_person_hours),
        }
    }
}

/// The cells of every session, one array per session, in [`CallSessionColumn::ALL`]'s order.
pub(crate) fn cells(sessions: &[SessionSummary], ctx: &CellContext) -> Vec<[String; 8]> {
    sessions
        .iter()
        .map(|session| CallSessionColumn::ALL.map(|column| column.text(session, ctx)))
        .collect()
}

/// Each column's width in characters: its widest cell or its header.
pub(crate) fn widths(rows: &[[String; 8]]) -> [usize; 8] {
    let mut widths = CallSessionColumn::ALL.map(|column| column.header().chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    widths
}

/// The most characters of a session id a narrow picker shows, before `…`: enough to tell
/// Stream's UUIDs apart.
const SHORT_SESSION: usize = 12;

/// The columns that fit in `width` characters with `gap` between columns, and each one's
/// width: every column when they fit; else the session id cut to its first characters, then
/// columns given up in [`CallSessionColumn::GIVEN_UP_FIRST`]'s order. The session column is
/// always kept (cut to `width` if need be).
pub(crate) fn fitting(
    natural: [usize; 8],
    width: usize,
    gap: usize,
) -> Vec<(CallSessionColumn, usize)> {
    let mut shown: Vec<(CallSessionColumn, usize)> = CallSessionColumn::ALL
        .iter()
        .copied()
        .zip(natural)
        .collect();
    let total = |shown: &[(CallSessionColumn, usize)]| {
        shown.iter().map(|(_, w)| w).sum::<usize>() + gap * shown.len().saturating_sub(1)
    };
    if total(&shown) > width {
        // The marker, the first characters and `…`.
        shown[0].1 = shown[0].1.min(SHORT_SESSION + 2);
    }
    for column in CallSessionColumn::GIVEN_UP_FIRST {
        if total(&shown) <= width {
            break;
        }
        shown.retain(|(shown, _)| *shown != column);
    }
    if total(&shown) > width {
        shown[0].1 = width;
    }
    shown
}

/// `text` in at most `width` characters, its end replaced by `…` when cut.
pub(crate) fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn natural() -> [usize; 8] {
        // A UUID after its marker, two dates, then the headers' widths but PEAK's `2,756`.
        [37, 19, 19, 5, 12, 8, 5, 12]
    }

    fn names(shown: &[(CallSessionColumn, usize)]) -> Vec<&'static str> {
        shown.iter().map(|(column, _)| column.header()).collect()
    }

    #[test]
    fn a_wide_picker_shows_every_column_whole() {
        let shown = fitting(natural(), 160, 1);
        assert_eq!(shown.len(), 8);
        assert!(shown.iter().zip(natural()).all(|((_, w), n)| *w == n));
    }

    #[test]
    fn a_narrower_picker_cuts_the_id_before_it_gives_up_a_column() {
        // 120 columns: the border and the highlight leave 116.
        let shown = fitting(natural(), 114, 1);
        assert_eq!(shown.len(), 8, "{:?}", names(&shown));
        assert_eq!(shown[0], (CallSessionColumn::Session, 14));
    }

    #[test]
    fn an_80_column_picker_keeps_what_tells_sessions_apart_whole() {
        let shown = fitting(natural(), 76, 1);
        assert_eq!(
            names(&shown),
            [
                "SESSION",
                "STARTED",
                "STATE",
                "PARTICIPANTS",
                "PEAK",
                "PERSON-HOURS"
            ]
        );
        assert!(shown.iter().map(|(_, w)| w + 1).sum::<usize>() - 1 <= 76);
        // Dates are never cut: they keep their whole width.
        assert_eq!(shown[1], (CallSessionColumn::Started, 19));
    }

    #[test]
    fn a_picker_too_narrow_for_the_counts_keeps_the_start_and_the_state() {
        let shown = fitting(natural(), 42, 1);
        assert_eq!(names(&shown), ["SESSION", "STARTED", "STATE"]);
    }

    #[test]
    fn a_tiny_picker_keeps_the_session_id_cut_to_the_width() {
        assert_eq!(
            fitting(natural(), 10, 1),
            [(CallSessionColumn::Session, 10)]
        );
    }

    #[test]
    fn a_cut_text_ends_with_an_ellipsis_and_a_short_one_is_kept() {
        assert_eq!(cut("*61644a25-da5a-4317", 14), "*61644a25-da5…");
        assert_eq!(cut("*s-now", 14), "*s-now");
    }

    #[test]
    fn a_count_below_zero_is_impossible_never_a_number() {
        let session = SessionSummary {
            id: "s".into(),
            started_at: None,
            ended: true,
            ended_at: None,
            current: false,
            counts: Some(SessionCounts {
                participants: -3,
                sessions: 1_234,
                peak_concurrent_users: 1_234,
                ..SessionCounts::default()
            }),
        };
        let zone = DisplayZone::utc();
        for numbers in [Numbers::Plain, Numbers::Grouped] {
            let ctx = CellContext {
                zone: &zone,
                now: 0,
                numbers,
            };
            assert_eq!(
                CallSessionColumn::Participants.text(&session, &ctx),
                "impossible"
            );
        }
        let grouped = CellContext {
            zone: &zone,
            now: 0,
            numbers: Numbers::Grouped,
        };
        assert_eq!(CallSessionColumn::Peak.text(&session, &grouped), "1,234");
        assert_eq!(CallSessionColumn::Ended.text(&session, &grouped), "-");
    }
}
