//! What `headcount totals` prints: one JSON object for scripts, aligned text for people. The
//! text shows the server's names (roles, publisher types, ids) with terminal controls escaped;
//! the JSON keeps them exactly.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use crate::api::timestamp::Nanos;
use crate::attendance::{
    CallFigures, CallIdentity, DisplayZone, Peak, RowId, RowProblem, ServerDuration, SessionStore,
    Share, problem_ids, rows_with_problems, utc_rfc3339,
};
use crate::fetch::{Completeness, Shortfall};
use crate::filter::{Filter, ResolvedTime};
use crate::ui::format::person_time;
use crate::ui::safe_text::terminal_safe;

/// How many `user_session_id`s of one kind of problem the table lists; JSON lists them all.
const IDS_SHOWN: usize = 5;

/// Width of the label column of the table.
const LABEL_WIDTH: usize = 28;

/// Under this name are counted the sessions that have no role at all.
const NO_ROLE: &str = "(none)";

/// One line of a breakdown: a role or a publisher type.
struct Part {
    name: String,
    sessions: u64,
    seconds: i64,
}

/// What the text says instead of the figures of a session whose rows Stream purged (its
/// `QueryCallParticipantSessions` details go 90 days after it ends; the totals stay).
const PURGED: &str = "the participant sessions were purged 90 days after the call; only \
                      Stream's totals above remain";

/// Everything printed, resolved to names and plain numbers.
pub(crate) struct Report<'a> {
    identity: CallIdentity,
    call: &'a CallFigures,
    completeness: Completeness,
    filter_text: Option<String>,
    filter_conditions: Option<Value>,
    local_filter: Option<String>,
    /// The filter with its grouping in parentheses.
    filter_grouped: Option<String>,
    /// Whether the parentheses change how the filter reads (the table then shows it).
    filter_regrouped: bool,
    /// Each time of the filter and the instant it stands for.
    filter_times: Vec<ResolvedTime>,
    by_role: Vec<Part>,
    by_publisher: Vec<Part>,
    /// The matching rows' `user_session_id`s under each kind of problem they have.
    problems: Vec<(RowProblem, Vec<String>)>,
}

impl<'a> Report<'a> {
    /// The report of `call`, the figures of `rows` (the rows matching `filter`) at `now`.
    pub(crate) fn new(
        identity: CallIdentity,
        store: &SessionStore,
        call: &'a CallFigures,
        completeness: Completeness,
        filter: &Filter,
        rows: &[RowId],
        now: Nanos,
    ) -> Self {
        let by_role = parts(&call.breakdowns.by_role, |role| {
            role.map_or(NO_ROLE, |role| store.role_name(role))
        });
        let by_publisher = parts(&call.breakdowns.by_publisher, |publisher| {
            store.publisher_name(publisher)
        });
        Report {
            identity,
            call,
            completeness,
            filter_text: (!filter.source.trim().is_empty()).then(|| filter.source.clone()),
            filter_conditions: filter.server_json(),
            local_filter: filter.local_description(),
            filter_grouped: (!filter.grouped.is_empty()).then(|| filter.grouped.clone()),
            filter_regrouped: filter.grouped != filter.source.trim(),
            filter_times: filter.times.clone(),
            by_role,
            by_publisher,
            problems: problem_ids(store, &rows_with_problems(store, rows, now)),
        }
    }

    /// The object of `--format json`: server totals exactly as returned, times in UTC;
    /// `complete` is false, and `incomplete` says what is missing, when rows are missing or
    /// doubled.
    pub(crate) fn json(&self) -> Value {
        let call = self.call;
        let window = call.window.map(|window| {
            json!({
                "started_at": utc_rfc3339(window.start),
                "ended_at": utc_rfc3339(window.end),
            })
        });
        json!({
            "call_type": self.identity.call_type,
            "call_id": self.identity.call_id,
            "call_session_id": self.identity.call_session_id,
            "state": call.state.map(|state| state.words().name),
            "complete": self.completeness.is_complete(),
            "incomplete": self.completeness.shortfall().map(|shortfall| shortfall.to_string()),
            "total_participant_sessions": call.totals.participant_sessions,
            "total_participant_duration": call.totals.participant_duration_seconds,
            "filter": self.filter_text,
            "filter_conditions": self.filter_conditions,
            "local_filter": self.local_filter,
            "filter_grouped": self.filter_grouped,
            "filter_times": self.filter_times.iter().map(|time| json!({
                "text": time.text,
                "at": utc_rfc3339(time.at),
                "note": time.note,
            })).collect::<Vec<_>>(),
            "filtered": {
                "sessions": call.sessions,
                "duration_seconds": call.connected_seconds,
                "unique_users": call.unique_users,
                "attended_seconds": call.attended_seconds,
            },
            "peak_concurrent_sessions": call.peak_sessions.value,
            "peak_at": call.peak_sessions.at.map(utc_rfc3339),
            "peak_concurrent_users": call.peak_users.value,
            "peak_users_at": call.peak_users.at.map(utc_rfc3339),
            "window": window,
            "headcount_at_midpoint": call.headcount_at_midpoint,
            "by_role": parts_json(&self.by_role),
            "by_publisher_type": parts_json(&self.by_publisher),
            "data_quality": self.data_quality_json(),
        })
    }

    /// The rows with problems, by kind, and how the durations received became
    /// `filtered.duration_seconds` (`received - ignored + open`).
    fn data_quality_json(&self) -> Value {
        let quality = &self.call.data_quality;
        let problems: Map<String, Value> = self
            .problems
            .iter()
            .map(|(problem, ids)| {
                let entry = json!({
                    "rows": ids.len(),
                    "explanation": problem.explanation(),
                    "user_session_ids": ids,
                });
                (problem.name().to_owned(), entry)
            })
            .collect();
        json!({
            "rows_with_problems": quality.rows,
            "problems": problems,
            "duration_seconds_received": quality.received_seconds,
            "duration_seconds_ignored": quality.ignored_seconds,
            "duration_seconds_open": quality.open_seconds,
        })
    }

    /// The text of `--format table`, times in `zone` and named.
    pub(crate) fn table(&self, zone: &DisplayZone) -> String {
        let mut out = String::new();
        self.write_call(&mut out, zone);
        self.write_filter(&mut out, zone);
        self.write_server_totals(&mut out);
        self.write_filtered(&mut out, zone);
        self.write_data_quality(&mut out);
        write_parts(&mut out, "By role", &self.by_role);
        write_parts(&mut out, "By publisher type", &self.by_publisher);
        out
    }

    /// Which rows are doubtful and why, and how the durations received add up to the
    /// connected time above, so the difference with the server's total is explained.
    fn write_data_quality(&self, out: &mut String) {
        let quality = &self.call.data_quality;
        out.push_str("\nData quality\n");
        line(out, "  Rows with problems", quality.rows.to_string());
        for (problem, ids) in &self.problems {
            let mut listed = ids[..ids.len().min(IDS_SHOWN)].join(", ");
            if ids.len() > IDS_SHOWN {
                let _ = write!(listed, " and {} more", ids.len() - IDS_SHOWN);
            }
            line(
                out,
                &format!("    {}", problem.label()),
                format!("{} ({listed})", ids.len()),
            );
            let _ = writeln!(out, "{:LABEL_WIDTH$}{}", "", problem.explanation());
        }
        line(
            out,
            "  Durations received",
            format!(
                "{} s (sum of duration_in_seconds as sent, absurd ones left out)",
                quality.received_seconds
            ),
        );
        line(
            out,
            "  Not counted",
            format!(
                "{} s (negative durations, durations sent on open sessions)",
                quality.ignored_seconds
            ),
        );
        line(
            out,
            "  Added for open sessions",
            format!(
                "{} s (in the call now, no duration yet)",
                quality.open_seconds
            ),
        );
        line(
            out,
            "  Connected time counted",
            format!("{} s", self.call.connected_seconds),
        );
    }

    fn write_call(&self, out: &mut String, zone: &DisplayZone) {
        let identity = &self.identity;
        line(
            out,
            "Call",
            format!("{}:{}", identity.call_type, identity.call_id),
        );
        line(out, "Session", identity.call_session_id.clone());
        line(
            out,
            "State",
            self.call
                .state
                .map_or("unknown", |state| state.words().name)
                .to_owned(),
        );
        line(out, "Data", completeness_text(&self.completeness));
        if let Some(window) = self.call.window {
            // Both offsets when the offset changes inside the window (a DST transition).
            line(
                out,
                "Window",
                format!("{} ({})", zone.span(window.start, window.end), zone.label()),
            );
        }
    }

    fn write_filter(&self, out: &mut String, zone: &DisplayZone) {
        let Some(text) = &self.filter_text else {
            line(out, "Filter", "none".to_owned());
            return;
        };
        line(out, "Filter", text.clone());
        if let Some(grouped) = self
            .filter_grouped
            .as_ref()
            .filter(|_| self.filter_regrouped)
        {
            line(out, "  read as", grouped.clone());
        }
        for time in &self.filter_times {
            let mut resolved = format!("{} = {}", time.text, zone.date_time_offset(time.at));
            if let Some(note) = &time.note {
                let _ = write!(resolved, " ({note})");
            }
            line(out, "  time", resolved);
        }
        if let Some(conditions) = &self.filter_conditions {
            line(out, "  sent to Stream", conditions.to_string());
        }
        if let Some(local) = &self.local_filter {
            line(out, "  applied locally", local.clone());
        }
    }

    fn write_server_totals(&self, out: &mut String) {
        let totals = self.call.totals;
        out.push_str("\nServer totals (whole session, whatever the filter)\n");
        line(
            out,
            "  Participant sessions",
            totals
                .participant_sessions
                .map_or("not returned".to_owned(), |n| n.to_string()),
        );
        line(
            out,
            "  Participant duration",
            totals
                .participant_duration_seconds
                .map_or(
                    "not returned".to_owned(),
                    |seconds| match ServerDuration::of(seconds, totals.participant_sessions) {
                        ServerDuration::Plausible(seconds) => duration(seconds),
                        impossible @ ServerDuration::Impossible { .. } => impossible.to_string(),
                    },
                ),
        );
    }

    /// Every session's figures, or, for a session whose rows Stream purged, that they are
    /// not known.
    fn write_filtered(&self, out: &mut String, zone: &DisplayZone) {
        let call = self.call;
        let heading = if self.filter_text.is_some() {
            "Matching the filter"
        } else {
            "Every session"
        };
        let _ = writeln!(out, "\n{heading}");
        if self.completeness == Completeness::Expired {
            // Zeros here would read as nobody came: the rows are gone, not empty.
            line(out, "  Not known", PURGED.to_owned());
            return;
        }
        line(out, "  Sessions", call.sessions.to_string());
        line(out, "  Connected time", duration(call.connected_seconds));
        line(out, "  Unique users", call.unique_users.to_string());
        line(out, "  Attended time", duration(call.attended_seconds));
        line(
            out,
            "  Peak concurrent sessions",
            peak(call.peak_sessions, zone),
        );
        line(out, "  Peak concurrent users", peak(call.peak_users, zone));
        if let Some(headcount) = call.headcount_at_midpoint {
            line(out, "  Headcount at midpoint", headcount.to_string());
        }
    }
}

fn parts<'s, K: Copy>(shares: &[Share<K>], name: impl Fn(K) -> &'s str) -> Vec<Part> {
    shares
        .iter()
        .map(|share| Part {
            name: name(share.key).to_owned(),
            sessions: share.sessions,
            seconds: share.connected_seconds,
        })
        .collect()
}

fn parts_json(parts: &[Part]) -> Value {
    let object: Map<String, Value> = parts
        .iter()
        .map(|part| {
            let figures = json!({"sessions": part.sessions, "duration_seconds": part.seconds});
            (part.name.clone(), figures)
        })
        .collect();
    Value::Object(object)
}

fn write_parts(out: &mut String, heading: &str, parts: &[Part]) {
    if parts.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{heading:<LABEL_WIDTH$}{:>9}  connected time",
        "sessions"
    );
    for part in parts {
        let name = format!("  {}", terminal_safe(&part.name));
        let _ = writeln!(
            out,
            "{name:<LABEL_WIDTH$}{:>9}  {}",
            part.sessions,
            duration(part.seconds)
        );
    }
}

/// One `label  value` line; the value may hold the server's text. A label as wide as the
/// column still keeps a space before its value (`duration disagrees with times 1`).
fn line(out: &mut String, label: &str, value: String) {
    let width = LABEL_WIDTH.max(label.chars().count() + 1);
    let _ = writeln!(out, "{label:<width$}{}", terminal_safe(&value));
}

/// `2.1 person-hours (7380 s)`: summed person-time read as the dashboard reads it, never as
/// the length of the call, and exact in seconds for whoever compares with the API.
fn duration(seconds: i64) -> String {
    format!("{} ({seconds} s)", person_time(seconds))
}

fn peak(peak: Peak, zone: &DisplayZone) -> String {
    match peak.at {
        Some(at) => format!("{} at {}", peak.value, at_in(zone, at)),
        None => peak.value.to_string(),
    }
}

fn at_in(zone: &DisplayZone, at: Nanos) -> String {
    format!("{} {}", zone.date_time(at), zone.label())
}

/// The `Data` line: whether the figures can be taken as exact.
fn completeness_text(completeness: &Completeness) -> String {
    match completeness {
        Completeness::Complete => "complete (agrees with Stream's totals)".to_owned(),
        Completeness::Provisional => "provisional (the session is live)".to_owned(),
        Completeness::Expired => {
            "complete (rows purged after 90 days, only the totals remain)".to_owned()
        }
        Completeness::Incomplete(shortfall @ Shortfall::Unchecked { .. }) => shortfall.to_string(),
        Completeness::Incomplete(shortfall) => format!("INCOMPLETE: {shortfall}"),
    }
}
