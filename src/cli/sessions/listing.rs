//! What `headcount sessions` prints: aligned text for people, one JSON object for scripts.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::api::StopReason;
use crate::api::timestamp::Nanos;
use crate::attendance::{CallState, DisplayZone, SessionSummary, human_duration, utc_rfc3339};
use crate::cli::call_ref::CallRef;
use crate::ui::safe_text::terminal_safe;

const HEADERS: [&str; 8] = [
    "SESSION",
    "STARTED",
    "ENDED",
    "STATE",
    "PARTICIPANTS",
    "SESSIONS",
    "PEAK",
    "DURATION",
];

/// Columns 4 and on are numbers, aligned right.
const FIRST_NUMBER_COLUMN: usize = 4;

/// The sessions of one call, with the instant their state is judged at.
pub struct Listing<'a> {
    call: &'a CallRef,
    sessions: &'a [SessionSummary],
    now: Nanos,
    /// Why the list stopped before its end, when it did.
    stopped_early: Option<StopReason>,
}

impl<'a> Listing<'a> {
    pub fn new(call: &'a CallRef, sessions: &'a [SessionSummary], now: Nanos) -> Self {
        Listing {
            call,
            sessions,
            now,
            stopped_early: None,
        }
    }

    /// Says the list stopped before its end, for this reason.
    pub fn stopped_early(mut self, reason: Option<StopReason>) -> Self {
        self.stopped_early = reason;
        self
    }

    /// The object of `--format json`: times in UTC, counts exactly as Stream returned them;
    /// `complete` is false when Stream's listing stopped before its end.
    pub fn json(&self) -> Value {
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
    pub fn table(&self, zone: &DisplayZone) -> String {
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
            "{}: {} session{} (times in {}, * current)",
            self.call,
            self.sessions.len(),
            if self.sessions.len() == 1 { "" } else { "s" },
            zone.label()
        );
        let rows: Vec<[String; 8]> = self
            .sessions
            .iter()
            .map(|session| self.cells(session, zone))
            .collect();
        let widths: Vec<usize> = (0..HEADERS.len())
            .map(|column| {
                rows.iter()
                    .map(|row| row[column].chars().count())
                    .chain([HEADERS[column].len()])
                    .max()
                    .unwrap_or_default()
            })
            .collect();
        write_row(&mut out, &HEADERS.map(str::to_owned), &widths);
        for row in &rows {
            write_row(&mut out, row, &widths);
        }
        out
    }

    fn cells(&self, session: &SessionSummary, zone: &DisplayZone) -> [String; 8] {
        let time = |at: Option<Nanos>| at.map_or_else(|| "-".to_owned(), |at| zone.date_time(at));
        let state = session.state(self.now);
        let ended = match (state, session.ended_at) {
            (CallState::Live, _) => "live".to_owned(),
            (_, ended) => time(ended),
        };
        let counts = session.counts.as_ref();
        let number = |value: Option<i64>| value.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let marker = if session.current { "*" } else { " " };
        [
            format!("{marker}{}", terminal_safe(&session.id)),
            time(session.started_at),
            ended,
            state.words().label.to_owned(),
            number(counts.map(|c| c.participants)),
            number(counts.map(|c| c.sessions)),
            number(counts.map(|c| c.peak_concurrent_users)),
            counts
                .and_then(|c| c.total_participant_duration)
                .map_or_else(|| "-".to_owned(), human_duration),
        ]
    }
}

fn write_row(out: &mut String, cells: &[String; 8], widths: &[usize]) {
    let mut line = String::new();
    for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if column > 0 {
            line.push_str("  ");
        }
        if column >= FIRST_NUMBER_COLUMN {
            let _ = write!(line, "{cell:>width$}");
        } else {
            let _ = write!(line, "{cell:<width$}");
        }
    }
    let _ = writeln!(out, "{}", line.trim_end());
}
