//! The answer card: the plain text a support person pastes into a ticket to answer "was this
//! user in that call, when, and for how long?", and the same facts as JSON.
//!
//! It lives here, next to the figures, because it is a pure function of the store, the
//! figures and the display zone: the dashboard's `c` and `headcount totals --user` both call
//! it, so the card, the Users view and `totals` can never disagree on a figure. Every figure
//! comes from [`UserFigures`] or [`CallFigures`] and is written with the same helpers as the
//! tables (`human_duration`, [`percent`]).

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call::{CallIdentity, CallState, Window};
use super::columns::{first_day, percent, time_or_dash};
use super::figures::CallFigures;
use super::history::{Gap, HistoryEntry, user_history};
use super::problems::{Problems, RowProblem, ServerDuration, rows_with_problems};
use super::row::RowId;
use super::store::SessionStore;
use super::thresholds::Thresholds;
use super::users::UserFigures;
use super::zone::{DisplayZone, human_duration, thousands, utc_rfc3339};
use crate::ui::safe_text::terminal_safe;

/// What every card says besides its figures: which call, which rows, at which instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardContext<'a> {
    pub(crate) store: &'a SessionStore,
    pub(crate) identity: &'a CallIdentity,
    /// The rows the figures cover: those the filter keeps.
    pub(crate) rows: &'a [RowId],
    /// The instant of the figures (Unix ns): the server's present.
    pub(crate) now: Nanos,
    pub(crate) zone: &'a DisplayZone,
    pub(crate) thresholds: &'a Thresholds,
    /// The filter's text, when one narrows the rows.
    pub(crate) filter: Option<&'a str>,
    /// Why the read is not complete (rows missing or doubled), when it is not.
    pub(crate) incomplete: Option<&'a str>,
}

impl CardContext<'_> {
    fn window(&self) -> Option<Window> {
        self.store.window(self.now)
    }

    fn live(&self) -> bool {
        self.store.state(self.now) == Some(CallState::Live)
    }

    /// The lines every card starts with: the call, its session, its window and state, the
    /// filter.
    fn head(&self, out: &mut String) {
        let identity = self.identity;
        let _ = writeln!(
            out,
            "Call:         {}:{}",
            identity.call_type, identity.call_id
        );
        let _ = writeln!(out, "Call session: {}", identity.call_session_id);
        let state = self
            .store
            .state(self.now)
            .map_or("unknown", |state| state.words().name);
        match self.window() {
            Some(window) => {
                let _ = writeln!(
                    out,
                    "Call window:  {} {} ({}), {state}",
                    self.zone.span(window.start, window.end),
                    self.zone.label(),
                    human_duration(window.len() / NANOS_PER_SEC)
                );
            }
            None => {
                let _ = writeln!(out, "Call window:  not known yet, {state}");
            }
        }
        if self.live() {
            let _ = writeln!(
                out,
                "Provisional:  the call is live; figures are as of {} and may still change",
                self.zone.time(self.now)
            );
        }
        if let Some(filter) = self.filter {
            let _ = writeln!(
                out,
                "Filter:       {filter} (only the matching sessions count)"
            );
        }
    }

    /// A card of an incomplete read says so before anything else, so that nobody reads its
    /// figures (or pastes them) as whole: `INCOMPLETE:` and what is missing.
    fn warning(&self, out: &mut String) {
        if let Some(incomplete) = self.incomplete {
            let _ = writeln!(
                out,
                "INCOMPLETE:   not every row of the session was read, the figures below may \
                 be short: {incomplete}"
            );
        }
    }

    /// `Flagged rows: none`, or each row with a problem and what it is.
    fn flagged(&self, rows: &[(RowId, Problems)], out: &mut String) {
        if rows.is_empty() {
            let _ = writeln!(out, "Flagged rows: none");
            return;
        }
        let _ = writeln!(out, "Flagged rows: {}", rows.len());
        for &(id, problems) in rows {
            if let Some(row) = self.store.get(id) {
                let _ = writeln!(out, "  {}: {problems}", row.user_session_id());
            }
        }
    }
}

/// Everything the card of one user says, resolved once; [`UserCard::text`] and
/// [`UserCard::json`] write the same facts.
#[derive(Debug, Clone)]
pub(crate) struct UserCard<'a> {
    ctx: CardContext<'a>,
    figures: &'a UserFigures,
    history: Vec<HistoryEntry>,
    /// The user's rows with problems, in history order.
    flagged: Vec<(RowId, Problems)>,
}

/// The card of `figures.user` over `ctx.rows`: `figures` must be that user's figures over
/// the same rows, at the same instant, with the same thresholds (the Users view's).
pub(crate) fn user_card<'a>(ctx: CardContext<'a>, figures: &'a UserFigures) -> UserCard<'a> {
    let user = figures.user;
    let own: Vec<RowId> = ctx
        .rows
        .iter()
        .copied()
        .filter(|&id| ctx.store.get(id).is_some_and(|row| row.user() == user))
        .collect();
    let history = user_history(ctx.store, &own, user, ctx.now, ctx.thresholds);
    let flagged = history
        .iter()
        .filter(|entry| !entry.problems.is_empty())
        .map(|entry| (entry.row, entry.problems))
        .collect();
    UserCard {
        ctx,
        figures,
        history,
        flagged,
    }
}

/// How far an instant is from a bound of the window: `7m 00s after the start`.
fn from_bound(at: Nanos, bound: Nanos, bound_name: &str) -> String {
    let seconds = (at - bound) / NANOS_PER_SEC;
    match seconds {
        0 => format!("at the {bound_name}"),
        s if s > 0 => format!("{} after the {bound_name}", human_duration(s)),
        s => format!("{} before the {bound_name}", human_duration(-s)),
    }
}

/// `7m 00s after the start: late (grace 5m 00s)`: the first join against the window's start
/// and the grace behind the flag; `None` when either is not known.
pub(crate) fn join_verdict(
    f: &UserFigures,
    window: Option<Window>,
    thresholds: &Thresholds,
) -> Option<String> {
    let (first, window) = (f.first_join()?, window?);
    let grace = human_duration(thresholds.late_grace / NANOS_PER_SEC);
    let flag = if f.late() { "late" } else { "on time" };
    Some(format!(
        "{}: {flag} (grace {grace})",
        from_bound(first, window.start, "start")
    ))
}

/// `12m 00s before the end: left early (grace 5m 00s)`: the last leave against the window's
/// end and the grace behind the flag, marked provisional while the call is `live` (a rejoin
/// would change it); `None` while in the call or when either is not known.
pub(crate) fn leave_verdict(
    f: &UserFigures,
    window: Option<Window>,
    thresholds: &Thresholds,
    live: bool,
) -> Option<String> {
    if f.in_call_now() {
        return None;
    }
    let (last, window) = (f.last_leave()?, window?);
    let grace = human_duration(thresholds.early_grace / NANOS_PER_SEC);
    let flag = if f.left_early() {
        "left early"
    } else {
        "not early"
    };
    let provisional = if live { ", provisional" } else { "" };
    Some(format!(
        "{}: {flag} (grace {grace}{provisional})",
        from_bound(last, window.end, "end")
    ))
}

impl UserCard<'_> {
    fn user_id(&self) -> &str {
        self.ctx.store.user_name(self.figures.user)
    }

    fn day(&self) -> Option<jiff::civil::Date> {
        first_day(self.ctx.zone, self.ctx.window())
    }

    fn at(&self, at: Option<Nanos>) -> String {
        time_or_dash(self.ctx.zone, at, self.day()).text
    }

    /// Seconds from the window's start to the first join, when both are known.
    fn joined_after_start(&self) -> Option<i64> {
        let window = self.ctx.window()?;
        Some((self.figures.first_join()? - window.start) / NANOS_PER_SEC)
    }

    /// Seconds from the last leave to the window's end, when both are known.
    fn left_before_end(&self) -> Option<i64> {
        let window = self.ctx.window()?;
        Some((window.end - self.figures.last_leave()?) / NANOS_PER_SEC)
    }

    /// The user's last leave is a session's end counted for a leave not recorded: no
    /// recorded `left_at` reaches it.
    fn last_leave_not_recorded(&self) -> bool {
        let Some(last) = self.figures.last_leave() else {
            return false;
        };
        let unrecorded = self
            .history
            .iter()
            .any(|entry| entry.problems.contains(RowProblem::LeaveNotRecorded));
        let recorded = self.history.iter().filter_map(|entry| entry.left_at).max();
        unrecorded && recorded.is_none_or(|recorded| recorded < last)
    }

    /// The card as plain text, one fact a line, for a ticket.
    pub(crate) fn text(&self) -> String {
        let f = self.figures;
        let thresholds = self.ctx.thresholds;
        let mut out = String::new();
        self.ctx.warning(&mut out);
        let _ = writeln!(out, "User:         {}", self.user_id());
        self.ctx.head(&mut out);
        let _ = writeln!(
            out,
            "Attended:     {} ({} of the call window)",
            human_duration(f.attended_seconds()),
            percent(f)
        );
        let _ = writeln!(
            out,
            "Connected:    {} over {} session{}",
            human_duration(f.connected_seconds),
            f.sessions,
            if f.sessions == 1 { "" } else { "s" }
        );
        let window = self.ctx.window();
        match join_verdict(f, window, thresholds) {
            Some(verdict) => {
                let _ = writeln!(out, "Joined:       {}, {verdict}", self.at(f.first_join()));
            }
            None => {
                let _ = writeln!(out, "Joined:       {}", self.at(f.first_join()));
            }
        }
        match (
            f.in_call_now(),
            leave_verdict(f, window, thresholds, self.ctx.live()),
        ) {
            (true, _) => {
                let _ = writeln!(out, "Left:         still in the call");
            }
            // The leave that ends the user's time was never recorded: its instant is the
            // session's end the figures count to, not a time anyone left at.
            (false, _) if self.last_leave_not_recorded() => {
                let _ = writeln!(
                    out,
                    "Left:         not recorded (counted to the session's end, {})",
                    self.at(f.last_leave())
                );
            }
            (false, Some(verdict)) => {
                let _ = writeln!(out, "Left:         {}, {verdict}", self.at(f.last_leave()));
            }
            (false, None) => {
                let _ = writeln!(out, "Left:         {}", self.at(f.last_leave()));
            }
        }
        let _ = writeln!(
            out,
            "Reconnects:   {} (a rejoin within {} of leaving)",
            f.reconnects,
            human_duration(thresholds.reconnect_gap / NANOS_PER_SEC)
        );
        if f.multi_device() {
            let _ = writeln!(out, "Devices:      two sessions at once (multi-device)");
        }
        let _ = writeln!(out, "Sessions:");
        for (index, entry) in self.history.iter().enumerate() {
            let duration = entry
                .duration_seconds
                .map_or("—".to_owned(), human_duration);
            let left = match self.ctx.store.get(entry.row) {
                Some(row) if row.is_open() && self.ctx.live() => "in call".to_owned(),
                _ => self.at(entry.left_at),
            };
            let _ = write!(
                out,
                "  {}. {} → {left}  {duration}",
                index + 1,
                self.at(entry.joined_at)
            );
            match entry.gap_before {
                Gap::First => {}
                Gap::After(gap) => {
                    let _ = write!(
                        out,
                        "  {} after the previous",
                        human_duration(gap / NANOS_PER_SEC)
                    );
                    if entry.reconnect {
                        out.push_str(": reconnect");
                    }
                }
                Gap::Overlapping(overlap) => {
                    let _ = write!(
                        out,
                        "  overlaps the previous by {} (another device)",
                        human_duration(overlap / NANOS_PER_SEC)
                    );
                }
                Gap::Untimed => out.push_str("  not placed in time"),
            }
            if !entry.problems.is_empty() {
                let _ = write!(out, "  ⚠ {}", entry.problems);
            }
            out.push('\n');
        }
        self.ctx.flagged(&self.flagged, &mut out);
        pasteable(&out)
    }

    /// The same facts as [`UserCard::text`], for scripts: times in UTC (RFC 3339), lengths in
    /// seconds, the percentage to one decimal as the tables show it.
    pub(crate) fn json(&self) -> Value {
        let f = self.figures;
        let ctx = &self.ctx;
        let thresholds = ctx.thresholds;
        let window = ctx.window();
        let sessions: Vec<Value> = self
            .history
            .iter()
            .map(|entry| {
                let (gap, overlap) = match entry.gap_before {
                    Gap::After(gap) => (Some(gap / NANOS_PER_SEC), None),
                    Gap::Overlapping(overlap) => (None, Some(overlap / NANOS_PER_SEC)),
                    Gap::First | Gap::Untimed => (None, None),
                };
                json!({
                    "user_session_id": ctx.store.get(entry.row)
                        .map(|row| row.user_session_id().to_string()),
                    "joined_at": entry.joined_at.map(utc_rfc3339),
                    "left_at": entry.left_at.map(utc_rfc3339),
                    "duration_seconds": entry.duration_seconds,
                    "gap_before_seconds": gap,
                    "overlap_seconds": overlap,
                    "reconnect": entry.reconnect,
                    "problems": entry.problems.iter().map(RowProblem::name).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "user_id": self.user_id(),
            "call_type": ctx.identity.call_type,
            "call_id": ctx.identity.call_id,
            "call_session_id": ctx.identity.call_session_id,
            "state": ctx.store.state(ctx.now).map(|state| state.words().name),
            "provisional": ctx.live(),
            "as_of": utc_rfc3339(ctx.now),
            "complete": ctx.incomplete.is_none(),
            "incomplete": ctx.incomplete,
            "filter": ctx.filter,
            "window": window.map(|w| json!({
                "started_at": utc_rfc3339(w.start),
                "ended_at": utc_rfc3339(w.end),
                "seconds": w.len() / NANOS_PER_SEC,
            })),
            "sessions": f.sessions,
            "attended_seconds": f.attended_seconds(),
            "connected_seconds": f.connected_seconds,
            "attendance_percent": f.attendance_tenths().map(|t| f64::from(t) / 10.0),
            "first_join": f.first_join().map(utc_rfc3339),
            "last_leave": f.last_leave().map(utc_rfc3339),
            "in_call_now": f.in_call_now(),
            "joined_after_start_seconds": self.joined_after_start(),
            "left_before_end_seconds": self.left_before_end(),
            "late": f.late(),
            "left_early": f.left_early(),
            "reconnects": f.reconnects,
            "multi_device": f.multi_device(),
            "thresholds": {
                "late_grace_seconds": thresholds.late_grace / NANOS_PER_SEC,
                "early_grace_seconds": thresholds.early_grace / NANOS_PER_SEC,
                "reconnect_gap_seconds": thresholds.reconnect_gap / NANOS_PER_SEC,
            },
            "participant_sessions": sessions,
            "flagged_rows": self.flagged.iter().filter_map(|&(id, problems)| {
                let row = ctx.store.get(id)?;
                Some(json!({
                    "user_session_id": row.user_session_id().to_string(),
                    "problems": problems.iter().map(RowProblem::name).collect::<Vec<_>>(),
                }))
            }).collect::<Vec<_>>(),
        })
    }
}

/// The card of the whole call over `ctx.rows`: who and how much, the peak, Stream's own
/// totals and the flagged rows. `call` must be the figures of the same rows at the same
/// instant (the header's and `totals`').
pub(crate) fn call_card(ctx: CardContext<'_>, call: &CallFigures) -> String {
    let mut out = String::new();
    ctx.warning(&mut out);
    ctx.head(&mut out);
    let _ = writeln!(
        out,
        "People:       {} ({} participant sessions)",
        thousands(i128::from(call.unique_users)),
        thousands(i128::from(call.sessions))
    );
    let _ = writeln!(
        out,
        "Attended:     {} in all (each person's attended time, added)",
        human_duration(call.attended_seconds)
    );
    let _ = writeln!(
        out,
        "Connected:    {} in all",
        human_duration(call.connected_seconds)
    );
    let day = first_day(ctx.zone, ctx.window());
    match call.peak_sessions.at {
        Some(at) => {
            let _ = writeln!(
                out,
                "Peak:         {} sessions at {}",
                thousands(i128::from(call.peak_sessions.value)),
                time_or_dash(ctx.zone, Some(at), day).text
            );
        }
        None => {
            let _ = writeln!(out, "Peak:         —");
        }
    }
    let totals = call.totals;
    let _ = writeln!(
        out,
        "Stream says:  {} participant session{}, {} (the whole session, unfiltered)",
        totals
            .participant_sessions
            .map_or("—".to_owned(), |n| thousands(i128::from(n))),
        if totals.participant_sessions == Some(1) {
            ""
        } else {
            "s"
        },
        // An impossible total (below zero, over a year a session) is named as such, with
        // the number as sent, never drawn as a duration.
        totals
            .participant_duration_seconds
            .map_or("—".to_owned(), |seconds| {
                ServerDuration::of(seconds, totals.participant_sessions).to_string()
            })
    );
    ctx.flagged(&rows_with_problems(ctx.store, ctx.rows, ctx.now), &mut out);
    pasteable(&out)
}

/// What the last line of a card says when the server's text in it held controls.
pub(crate) const ESCAPED_NOTE: &str = "Escaped:      control characters in the server's ids \
     are written as escapes (\\x1b, \\u{202e}), as on screen";

/// The card as it leaves headcount, for a ticket as for a terminal: the server's text (user
/// and session ids, roles) with its control characters (C0, DEL, C1, the bidirectional
/// controls) written as the visible escapes the screen shows (`ui::safe_text`), never as
/// the bytes themselves, which a terminal would run when the ticket is read in one (an
/// escape sequence, a reversed line). When something was escaped, the card's last line says
/// so: the `\x1b` in an id was sent by the server, not typed. The popup, the clipboard
/// (OSC 52) and `totals --user` all carry this text.
pub(crate) fn pasteable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for line in text.lines() {
        let safe = terminal_safe(line);
        escaped |= matches!(safe, Cow::Owned(_));
        out.push_str(&safe);
        out.push('\n');
    }
    if escaped {
        out.push_str(ESCAPED_NOTE);
        out.push('\n');
    }
    out
}

/// The ids among `known` closest to `typed`, best first, at most `limit`: the same id in
/// another case first, then ids containing what was typed (in any case), then the ones a few
/// edits away (Damerau–Levenshtein over lowercase, through `strsim`).
pub(crate) fn closest_ids<'a>(
    typed: &str,
    known: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let wanted = typed.to_lowercase();
    let mut scored: Vec<(u8, u32, &str)> = known
        .into_iter()
        .filter_map(|id| {
            let lower = id.to_lowercase();
            let similarity = strsim::normalized_damerau_levenshtein(&wanted, &lower);
            let class = if lower == wanted {
                0
            } else if !wanted.is_empty() && (lower.contains(&wanted) || wanted.contains(&lower)) {
                1
            } else if similarity >= 0.5 {
                2
            } else {
                return None;
            };
            Some((class, ((1.0 - similarity) * 1e6) as u32, id))
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by_key(|(_, _, id)| *id);
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, id)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::super::users::user_figures;
    use super::*;

    fn identity() -> CallIdentity {
        CallIdentity {
            call_type: "default".into(),
            call_id: "standup".into(),
            call_session_id: "s-1".into(),
        }
    }

    /// The card of `user` over every row of `store` at `now` (UTC, default thresholds), as
    /// text and as JSON.
    fn card_of(store: &SessionStore, now: Nanos, user: &str) -> (String, Value) {
        let rows = all_rows(store);
        let thresholds = Thresholds::default();
        let figures = user_figures(store, &rows, now, &thresholds);
        let user = store.find_user(user).unwrap();
        let figures = figures.iter().find(|f| f.user == user).unwrap();
        let identity = identity();
        let zone = DisplayZone::utc();
        let ctx = CardContext {
            store,
            identity: &identity,
            rows: &rows,
            now,
            zone: &zone,
            thresholds: &thresholds,
            filter: None,
            incomplete: None,
        };
        let card = user_card(ctx, figures);
        (card.text(), card.json())
    }

    #[test]
    fn the_user_card_says_when_how_long_and_each_flag_with_its_threshold() {
        let store = ended_call(vec![
            closed("alice", "a-1", 7 * MIN, 30 * MIN),
            closed("alice", "a-2", 30 * MIN, 48 * MIN),
            closed("bob", "b-1", 0, 60 * MIN),
        ]);
        let (text, json) = card_of(&store, T0 + 90 * MIN, "alice");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "User:         alice");
        assert!(
            text.contains("Attended:     41m 00s (68.3% of the call window)\n"),
            "{text}"
        );
        assert!(
            text.contains(", 7m 00s after the start: late (grace 5m 00s)\n"),
            "{text}"
        );
        assert!(
            text.contains(", 12m 00s before the end: left early (grace 5m 00s)\n"),
            "{text}"
        );
        assert!(text.contains("Reconnects:   1 (a rejoin within 1m 00s of leaving)\n"));
        assert!(
            text.contains("0s after the previous: reconnect\n"),
            "{text}"
        );
        assert!(text.ends_with("Flagged rows: none\n"), "{text}");
        assert_eq!(json["attended_seconds"], 41 * 60);
        assert_eq!(json["joined_after_start_seconds"], 7 * 60);
        assert_eq!(json["left_before_end_seconds"], 12 * 60);
        assert_eq!(json["attendance_percent"], 68.3);
        assert_eq!(json["reconnects"], 1);
    }

    /// Stream's total of the durations below zero (a row's absurd duration added in) is named
    /// impossible with the number as sent, as the header and `totals` name it, never drawn
    /// as days; a plausible total reads as a duration.
    #[test]
    fn the_call_card_names_an_impossible_total_of_stream_as_impossible() {
        let card_with_total = |seconds: i64| {
            let mut page = page(
                Some(session(Some(0), Some(60 * MIN))),
                vec![closed("alice", "a-1", 0, 30 * MIN)],
            );
            page.total_participant_duration = Some(seconds);
            let store = store_of(page);
            let rows = all_rows(&store);
            let thresholds = Thresholds::default();
            let figures =
                crate::attendance::Figures::compute(&store, &rows, T0 + 90 * MIN, &thresholds);
            let identity = identity();
            let zone = DisplayZone::utc();
            let ctx = CardContext {
                store: &store,
                identity: &identity,
                rows: &rows,
                now: T0 + 90 * MIN,
                zone: &zone,
                thresholds: &thresholds,
                filter: None,
                incomplete: None,
            };
            call_card(ctx, &figures.call)
        };
        let impossible = card_with_total(i64::MIN + 1_800);
        assert!(
            impossible.contains(
                "Stream says:  1 participant session, -9223372036854774008 s, impossible \
                 (below zero) (the whole session, unfiltered)"
            ),
            "{impossible}"
        );
        let plausible = card_with_total(1_800);
        assert!(
            plausible.contains("Stream says:  1 participant session, 30m 00s (the whole"),
            "{plausible}"
        );
    }

    /// A leave never recorded is said as such, with the end it is counted to, never as a
    /// time someone left at; a recorded leave after it is the user's last leave as usual.
    #[test]
    fn a_last_leave_not_recorded_is_said_as_such() {
        let store = ended_call(vec![
            closed("ann", "a-1", 0, 10 * MIN),
            open("ann", "a-2", 20 * MIN),
            open("bob", "b-1", 0),
            closed("bob", "b-2", 5 * MIN, 60 * MIN),
        ]);
        let (ann, _) = card_of(&store, T0 + 90 * MIN, "ann");
        assert!(
            ann.contains("Left:         not recorded (counted to the session's end, 09:53:20)\n"),
            "{ann}"
        );
        assert!(!ann.contains("not early"), "{ann}");
        let (bob, _) = card_of(&store, T0 + 90 * MIN, "bob");
        assert!(!bob.contains("not recorded (counted"), "{bob}");
        assert!(bob.contains("Left:         "), "{bob}");
    }

    /// While the call is live the card says so, and "left early" may still change.
    #[test]
    fn a_live_card_is_marked_provisional() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![
                closed("alice", "a-1", 0, 10 * MIN),
                open("bob", "b-1", 2 * MIN),
            ],
        ));
        let card = |user: &str| card_of(&store, T0 + 30 * MIN, user).0;
        let alice = card("alice");
        assert!(
            alice.contains("Provisional:  the call is live; figures are as of 09:23:20"),
            "{alice}"
        );
        assert!(
            alice.contains("20m 00s before the end: left early (grace 5m 00s, provisional)"),
            "{alice}"
        );
        let bob = card("bob");
        assert!(bob.contains("Left:         still in the call\n"), "{bob}");
        assert!(bob.contains("  1. "), "{bob}");
        assert!(bob.contains(" → in call  28m 00s"), "{bob}");
    }

    /// Ids with an escape sequence, a bidi override and a C1 control: the card carries them
    /// as escapes, and says so; a card without any has no such line.
    #[test]
    fn the_server_text_on_a_card_is_escaped_and_the_card_says_so() {
        let hostile = "eve\u{1b}]52;c;cm0gLXJm\u{7}\u{202e}\u{9b}";
        let store = ended_call(vec![
            closed(hostile, "e-1", 0, 30 * MIN),
            closed("bob", "b-1", 0, 60 * MIN),
        ]);
        let (text, json) = card_of(&store, T0 + 90 * MIN, hostile);
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::ui::safe_text::is_terminal_control(c)),
            "{text:?}"
        );
        assert!(
            text.starts_with("User:         eve\\x1b]52;c;cm0gLXJm\\x07\\u{202e}\\u{9b}\n"),
            "{text}"
        );
        assert!(text.ends_with(&format!("{ESCAPED_NOTE}\n")), "{text}");
        // The JSON keeps the id as sent: a script compares it with Stream's.
        assert_eq!(json["user_id"], hostile);
        let (plain, _) = card_of(&store, T0 + 90 * MIN, "bob");
        assert!(!plain.contains("Escaped:"), "{plain}");
    }

    #[test]
    fn the_closest_ids_put_another_case_first_then_contained_then_near() {
        let known = ["alice-das", "Alice-Dasgupta", "bob", "alicia", "zed"];
        assert_eq!(
            closest_ids("Alice-Das", known, 3),
            ["alice-das", "Alice-Dasgupta", "alicia"]
        );
        assert_eq!(closest_ids("bbo", known, 3), ["bob"]);
        assert_eq!(closest_ids("alise", known, 3), ["alicia"]);
        assert!(closest_ids("qqqqqq", known, 3).is_empty());
    }
}
