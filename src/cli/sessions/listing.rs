//! What `headcount sessions` prints: aligned text for people, one JSON object for scripts.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::api::StopReason;
use crate::api::timestamp::Nanos;
use crate::attendance::{DisplayZone, SessionSummary, utc_rfc3339};
use crate::cli::call_ref::CallRef;
use crate::ui::call_session_columns::{
    COUNTS_SOURCE, CallSessionColumn, CellContext, Numbers, cells, widths,
};

/// The sessions of one call, with the instant their state is judged at.
pub(crate) struct SessionListing<'a> {
    call: &'a CallRef,
    sessions: &'a [SessionSummary],
    now: Nanos,
    /// Why the list stopped before its end, when it did.
    stopped_early: Option<StopReason>,
}

impl<'a> SessionListing<'a> {
    pub(crate) fn new(call: &'a CallRef, sessions: &'a [SessionSummary], now: Nanos) -> Self {
        SessionListing {
            call,
            sessions,
            now,
            stopped_early: None,
        }
    }

    /// Says the list stopped before its end, for this reason.
    pub(crate) fn stopped_early(mut self, reason: Option<StopReason>) -> Self {
        self.stopped_early = reason;
        self
    }

    /// The object of `--format json`: times in UTC, counts exactly as Stream returned them;
    /// `complete` is false when Stream's listing stopped before its end.
    pub(crate) fn json(&self) -> Value {
        let sessions: Vec<Value> = self
            .sessions
            .iter()
            .map(|session| {
                let counts = session.counts.as_ref();
                json!({
                    "call_session_id": session.id,
                    "current": session.current,
                    "state": session.state(self.now).words().name,
                    "started_at": session.started_at.map(utc_rfc3339),
                    "ended_at": session.ended_at.map(utc_rfc3339),
                    "participants": counts.map(|c| c.participants),
                    "sessions": counts.map(|c| c.sessions),
                    "peak_concurrent_users": counts.map(|c| c.peak_concurrent_users),
                    "peak_concurrent_sessions": counts.map(|c| c.peak_concurrent_sessions),
                    "total_participant_duration": counts.and_then(|c| c.total_participant_duration),
                })
            })
            .collect();
        json!({
            "call_type": self.call.call_type,
            "call_id": self.call.id,
            "complete": self.stopped_early.is_none(),
            "sessions": sessions,
        })
    }

    /// One line per session under a header; the current session is marked with `*`. Ids show
    /// terminal controls as escapes.
    pub(crate) fn table(&self, zone: &DisplayZone) -> String {
        let mut out = String::new();
        if self.sessions.is_empty() {
            let _ = writeln!(
                out,
                "{} has no session yet: nobody has joined it",
                self.call
            );
            return out;
        }
        let _ = writeln!(
            out,
            "{}: {} session{} (times in {}, {COUNTS_SOURCE}, * current)",
            self.call,
            self.sessions.len(),
            if self.sessions.len() == 1 { "" } else { "s" },
            zone.label()
        );
        let ctx = CellContext {
            zone,
            now: self.now,
            numbers: Numbers::Plain,
        };
        let rows = cells(self.sessions, &ctx);
        let widths = widths(&rows);
        write_row(
            &mut out,
            &CallSessionColumn::ALL.map(|c| c.header().to_owned()),
            &widths,
        );
        for row in &rows {
            write_row(&mut out, row, &widths);
        }
        out
    }
}

fn write_row(out: &mut String, cells: &[String; 8], widths: &[usize; 8]) {
    let mut line = String::new();
    for (index, ((cell, width), column)) in cells
        .iter()
        .zip(widths)
        .zip(CallSessionColumn::ALL)
        .enumerate()
    {
        if index > 0 {
            line.push_str("  ");
        }
        if column.numeric() {
            let _ = write!(line, "{cell:>width$}");
        } else {
            let _ = write!(line, "{cell:<width$}");
        }
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::call_stats::SessionCounts;
    use crate::api::timestamp::NANOS_PER_SEC;

    const HOUR: Nanos = 3_600 * NANOS_PER_SEC;
    // 2026-11-26T14:03:21Z
    const NOW: Nanos = 1_795_701_801 * NANOS_PER_SEC;

    fn sessions() -> Vec<SessionSummary> {
        vec![
            SessionSummary {
                id: "s-now".into(),
                started_at: Some(NOW - HOUR),
                ended: false,
                ended_at: None,
                current: true,
                counts: None,
            },
            SessionSummary {
                id: "s-old".into(),
                started_at: Some(NOW - 200 * 24 * HOUR),
                ended: true,
                ended_at: Some(NOW - 200 * 24 * HOUR + HOUR),
                current: false,
                counts: Some(SessionCounts {
                    participants: 12,
                    sessions: 15,
                    peak_concurrent_users: 11,
                    total_participant_duration: Some(3_725),
                    ..SessionCounts::default()
                }),
            },
        ]
    }

    fn call() -> CallRef {
        "default:weekly".parse().unwrap()
    }

    #[test]
    fn the_table_marks_the_current_session_and_aligns_columns() {
        let (call, sessions) = (call(), sessions());
        let table = SessionListing::new(&call, &sessions, NOW).table(&DisplayZone::utc());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "default:weekly: 2 sessions (times in UTC, counts from Stream's call stats, * current)",
                concat!(
                    "SESSION  STARTED              ENDED                STATE    ",
                    "PARTICIPANTS  SESSIONS  PEAK  PERSON-HOURS"
                ),
                concat!(
                    "*s-now   2026-11-26 13:03:21  live                 LIVE     ",
                    "           -         -     -             -"
                ),
                concat!(
                    " s-old   2026-05-10 14:03:21  2026-05-10 15:03:21  EXPIRED  ",
                    "          12        15    11           1.0"
                ),
            ]
        );
    }

    #[test]
    fn json_has_utc_times_and_nulls_for_unknown_counts() {
        let (call, sessions) = (call(), sessions());
        let value = SessionListing::new(&call, &sessions, NOW).json();
        assert_eq!(value["call_id"], "weekly");
        let [now, old] = value["sessions"].as_array().unwrap().as_slice() else {
            panic!("two sessions")
        };
        assert_eq!(now["state"], "live");
        assert_eq!(now["ended_at"], Value::Null);
        assert_eq!(now["participants"], Value::Null);
        assert_eq!(old["state"], "expired");
        assert_eq!(old["started_at"], "2026-05-10T14:03:21Z");
        assert_eq!(old["total_participant_duration"], 3_725);
    }

    /// Stream sums the rows' durations as sent: one `i64::MIN` row makes its total absurd,
    /// which the table names and the JSON keeps as sent (never `-106751991167299d 21h`).
    #[test]
    fn an_impossible_server_total_is_named_in_the_table_and_kept_in_json() {
        let call = call();
        let mut sessions = sessions();
        for (total, cell) in [(i64::MIN + 3_725, "impossible"), (i64::MAX, "impossible")] {
            if let Some(counts) = sessions[1].counts.as_mut() {
                counts.total_participant_duration = Some(total);
            }
            let listing = SessionListing::new(&call, &sessions, NOW);
            let table = listing.table(&DisplayZone::utc());
            let old = table.lines().last().unwrap();
            assert!(old.ends_with(&format!("11    {cell}")), "{table}");
            assert_eq!(
                listing.json()["sessions"][1]["total_participant_duration"],
                total
            );
        }
    }

    #[test]
    fn a_listing_stopped_early_is_not_complete() {
        let (call, sessions) = (call(), sessions());
        let whole = SessionListing::new(&call, &sessions, NOW).json();
        assert_eq!(whole["complete"], true);
        let stopped = SessionListing::new(&call, &sessions, NOW)
            .stopped_early(Some(StopReason::EmptyPages))
            .json();
        assert_eq!(stopped["complete"], false);
        assert_eq!(stopped["sessions"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_session_id_with_terminal_controls_is_escaped_in_the_table_and_exact_in_json() {
        let call = call();
        let mut sessions = sessions();
        sessions[0].id = "s-\u{1b}]0;owned\u{7}\u{202e}".into();
        let listing = SessionListing::new(&call, &sessions, NOW);
        let table = listing.table(&DisplayZone::utc());
        assert!(
            table.contains("*s-\\x1b]0;owned\\x07\\u{202e}  "),
            "{table}"
        );
        assert!(!table.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{table}");
        assert_eq!(
            listing.json()["sessions"][0]["call_session_id"],
            sessions[0].id
        );
    }

    #[test]
    fn a_call_without_sessions_says_so() {
        let call = call();
        let table = SessionListing::new(&call, &[], NOW).table(&DisplayZone::utc());
        assert_eq!(
            table,
            "default:weekly has no session yet: nobody has joined it\n"
        );
    }
}
