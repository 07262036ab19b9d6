//! The roster as a table, one JSON object or CSV. The per-person fields are the Expected
//! view's columns (`attendance::columns`, declared once) and drive both the JSON `members`
//! and `not_members` objects and the CSV records; the table shows the same facts for people, with times in the configured zone.
//! Member names, roles and user ids come from the server and may hold terminal controls:
//! on a terminal they are shown as escapes, as every text from Stream is.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use super::RosterFormat;
use crate::api::members::Member;
use crate::api::models::Call;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::attendance::{
    Cell, CsvCells, DisplayZone, ExpectedLine, JsonRecord, Person, RingStatus, Roster,
    SessionStore, State, Window, expected_headers, expected_record, human_duration, ring_cell,
    state_cell,
};
use crate::cli::export::output::Output;
use crate::cli::export::sink::{self, RecordSink};
use crate::ui::safe_text::{json_pretty, terminal_safe};

/// Everything printed about one roster.
pub(super) struct Printed<'a> {
    pub(crate) call: &'a Call,
    pub(crate) session: &'a str,
    pub(crate) roster: &'a Roster,
    /// The store classified from, where the attendees' user ids are.
    pub(crate) store: &'a SessionStore,
    /// The members as read, which [`Person::member`] indexes.
    pub(crate) members: &'a [Member],
    /// The session's window, for the table's times.
    pub(crate) window: Option<Window>,
    pub(crate) zone: &'a DisplayZone,
    /// `--state`: only these people are listed (all when empty).
    pub(crate) shown: &'a [State],
}

/// One person of the roster with their member record, if they are a member.
pub(super) type Line<'a> = ExpectedLine<'a>;

/// Every person, sorted by state, then name (the user id when there is none), then user id.
pub(super) fn sorted<'r>(
    roster: &'r Roster,
    store: &'r SessionStore,
    members: &'r [Member],
    zone: &'r DisplayZone,
) -> Vec<Line<'r>> {
    let mut lines: Vec<Line> = roster
        .people
        .iter(store)
        .map(|person| Line::of(roster, person, members, zone))
        .collect();
    lines.sort_by_cached_key(|line| {
        (
            line.person.state,
            line.name().unwrap_or(line.person.user_id).to_lowercase(),
            line.person.user_id,
        )
    });
    lines
}

/// One field `export --by user --with-roster` adds.
struct RosterField {
    name: &'static str,
    cell: fn(&Line) -> Cell,
}

fn server(text: Option<&str>) -> Cell {
    text.map_or(Cell::Empty, |text| Cell::Server(text.to_owned()))
}

/// The fields `export --by user --with-roster` adds to each user's record: whether the user
/// is an expected member, their call role, their state, their ring outcomes and the
/// percentage of their expected time they attended (the state's measure: it differs from
/// `attendance_percent` for a member added during the session).
const USER_FIELDS: [RosterField; 5] = [
    RosterField {
        name: "member",
        cell: |line| Cell::Bool(line.member.is_some()),
    },
    RosterField {
        name: "member_role",
        cell: |line| server(line.role()),
    },
    RosterField {
        name: "state",
        cell: state_cell,
    },
    RosterField {
        name: "ring",
        cell: ring_cell,
    },
    RosterField {
        name: "expected_attendance_percent",
        cell: |line| line.attendance_tenths().map_or(Cell::Empty, Cell::Percent),
    },
];

/// The headers `--with-roster` adds to `export --by user`.
pub(crate) fn user_field_headers() -> Vec<String> {
    USER_FIELDS
        .iter()
        .map(|column| column.name.to_owned())
        .collect()
}

/// Each attendee's `--with-roster` fields, by user id.
pub(crate) struct UserFields<'a> {
    lines: HashMap<&'a str, Line<'a>>,
    /// Members who never joined, in the roster's order (state, then name).
    absent: Vec<Line<'a>>,
}

impl<'a> UserFields<'a> {
    pub(crate) fn new(
        roster: &'a Roster,
        store: &'a SessionStore,
        members: &'a [Member],
        zone: &'a DisplayZone,
    ) -> Self {
        let (attended, absent): (Vec<Line>, Vec<Line>) = sorted(roster, store, members, zone)
            .into_iter()
            .partition(|line| line.person.user.is_some());
        let lines = attended
            .into_iter()
            .map(|line| (line.person.user_id, line))
            .collect();
        UserFields { lines, absent }
    }

    /// The members who never joined, each with their fields: they have no row of their own.
    pub(crate) fn never_joined(&self) -> impl Iterator<Item = (&str, Vec<Cell>)> {
        self.absent.iter().map(|line| {
            let cells = USER_FIELDS
                .iter()
                .map(|column| (column.cell)(line))
                .collect();
            (line.person.user_id, cells)
        })
    }

    /// The fields of `user_id`; empty cells for a user the roster does not list.
    pub(crate) fn of(&self, user_id: &str) -> Vec<Cell> {
        match self.lines.get(user_id) {
            Some(line) => USER_FIELDS
                .iter()
                .map(|column| (column.cell)(line))
                .collect(),
            None => vec![Cell::Empty; USER_FIELDS.len()],
        }
    }
}

/// The `roster` object `totals --format json --with-roster` adds.
pub(crate) fn counts_json(roster: &Roster) -> Value {
    let counts = roster.counts;
    json!({
        "counts": {
            "expected": counts.expected(),
            "present": counts.present,
            "partial": counts.partial,
            "absent": counts.absent,
            "rejected": counts.rejected,
            "missed": counts.missed,
            "not_member": counts.not_member,
            "unknown": counts.unknown,
        },
        "provisional": roster.provisional,
        "ring_outcomes": ring_status(roster.ring),
        "present_threshold_percent": roster.rules.present.percent(),
        "notes": roster.notes(),
    })
}

impl Printed<'_> {
    /// The people listed: everyone, or those in the `--state` states.
    fn listed(&self) -> Vec<Line<'_>> {
        let mut lines = sorted(self.roster, self.store, self.members, self.zone);
        if !self.shown.is_empty() {
            lines.retain(|line| self.shown.contains(&line.person.state));
        }
        lines
    }

    /// Writes the roster in `format` to `output` and commits it (a file is replaced only
    /// now, whole).
    pub(crate) fn write(
        &self,
        format: RosterFormat,
        cells: CsvCells,
        output: Output,
    ) -> anyhow::Result<()> {
        let on_terminal = output.is_terminal();
        let mut output = match format {
            RosterFormat::Csv => {
                let mut sink =
                    RecordSink::new(sink::ExportFormat::Csv, cells, expected_headers(), output)
                        .on_terminal(on_terminal);
                for line in self.listed() {
                    sink.write(&expected_record(&line))?;
                }
                sink.finish()?
            }
            RosterFormat::Json => {
                let mut output = output;
                let json = self.json(on_terminal)?;
                output.write_all(json_pretty(&json)?.as_bytes())?;
                output.write_all(b"\n")?;
                output
            }
            RosterFormat::Table => {
                let mut output = output;
                output.write_all(self.table().as_bytes())?;
                output
            }
        };
        output.flush()?;
        output.commit()
    }

    /// The object of `--format json`.
    fn json(&self, on_terminal: bool) -> anyhow::Result<Value> {
        let roster = self.roster;
        let headers = expected_headers();
        let mut members = Vec::new();
        let mut not_members = Vec::new();
        for line in self.listed() {
            let mut cells = expected_record(&line);
            if on_terminal {
                cells = cells.iter().map(sink::escaped).collect();
            }
            let object = serde_json::to_value(JsonRecord {
                headers: &headers,
                cells: &cells,
            })?;
            if line.person.member.is_some() {
                members.push(object);
            } else {
                not_members.push(object);
            }
        }
        let thresholds = roster.rules.thresholds;
        let notes: Vec<String> = roster
            .notes()
            .iter()
            .map(|note| terminal_safe(note).into_owned())
            .collect();
        Ok(json!({
            "call_type": self.call.call_type,
            "call_id": self.call.id,
            "call_session_id": self.session,
            "rules": {
                "present_threshold_percent": roster.rules.present.percent(),
                "late_grace_seconds": thresholds.late_grace / NANOS_PER_SEC,
                "early_grace_seconds": thresholds.early_grace / NANOS_PER_SEC,
                "reconnect_gap_seconds": thresholds.reconnect_gap / NANOS_PER_SEC,
            },
            "complete": true,
            "provisional": roster.provisional,
            "purged": roster.purged,
            "ring_outcomes": ring_status(roster.ring),
            "counts": counts_json(roster)["counts"],
            "not_expected": roster.not_expected,
            "duplicate_members": roster.duplicate_members,
            "states_listed": self.shown.iter().map(|state| state.name()).collect::<Vec<_>>(),
            "notes": notes,
            "members": members,
            "not_members": not_members,
        }))
    }

    /// One line per person under a heading, the counts and the notes.
    fn table(&self) -> String {
        let roster = self.roster;
        let mut out = String::new();
        let call = terminal_safe(&self.call.cid).into_owned();
        let session = terminal_safe(self.session).into_owned();
        let _ = write!(out, "{call} · session {session}");
        if let Some(window) = self.window {
            let _ = write!(
                out,
                " · {} ({})",
                self.zone.span(window.start, window.end),
                self.zone.label()
            );
        }
        out.push('\n');
        let _ = writeln!(out, "{}", counts_line(roster));
        for note in roster.notes() {
            let _ = writeln!(out, "note: {}", terminal_safe(&note));
        }
        if !self.shown.is_empty() {
            let names: Vec<&str> = self.shown.iter().map(|state| state.name()).collect();
            let _ = writeln!(out, "listed: {} only", names.join(", "));
        }
        let long_times = self
            .window
            .is_some_and(|w| self.zone.date(w.start) != self.zone.date(w.end));
        let at = |at: Option<Nanos>| match at {
            Some(at) if long_times => self.zone.date_time(at),
            Some(at) => self.zone.time(at),
            None => "-".to_owned(),
        };
        let ring_known = roster.ring == RingStatus::Known;
        let mut rows = vec![
            [
                "STATE",
                "USER",
                "NAME",
                "ROLE",
                "ATTENDED",
                "%",
                "FIRST JOIN",
                "LAST LEAVE",
                "FLAGS",
                "RING",
            ]
            .map(str::to_owned),
        ];
        for line in self.listed() {
            let person = line.person;
            let last_leave = match (person.first_join, person.last_leave) {
                (Some(_), None) => "in call".to_owned(),
                (_, leave) => at(leave),
            };
            rows.push([
                person.state.label().to_owned(),
                terminal_safe(person.user_id).into_owned(),
                terminal_safe(line.name().unwrap_or("-")).into_owned(),
                terminal_safe(line.role().unwrap_or("-")).into_owned(),
                line.attended_seconds()
                    .map_or_else(|| "?".to_owned(), human_duration),
                person
                    .attendance_percent()
                    .filter(|_| person.state != State::Unknown)
                    .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%")),
                at(person.first_join),
                last_leave,
                flags_text(&person),
                if ring_known {
                    let ring = line.ring();
                    if ring.is_empty() {
                        "-".to_owned()
                    } else {
                        ring.join(",")
                    }
                } else {
                    "?".to_owned()
                },
            ]);
        }
        let mut widths = [0; 10];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in &rows {
            let mut text = String::new();
            for (index, (cell, width)) in row.iter().zip(widths).enumerate() {
                if index > 0 {
                    text.push_str("  ");
                }
                let pad = width - cell.chars().count();
                // Numbers line up on the right.
                if matches!(index, 4 | 5) {
                    text.push_str(&" ".repeat(pad));
                    text.push_str(cell);
                } else {
                    text.push_str(cell);
                    text.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `38 of 42 expected present · 3 absent · 1 rejected`: [`Roster::counts_line`].
pub(crate) fn counts_line(roster: &Roster) -> String {
    roster.counts_line()
}

fn flags_text(person: &Person) -> String {
    let flags = &person.flags;
    let mut said = Vec::new();
    if let Some(late) = flags.late {
        said.push(format!("late {}", human_duration(late / NANOS_PER_SEC)));
    }
    if let Some(early) = flags.left_early {
        said.push(format!(
            "left early {}",
            human_duration(early / NANOS_PER_SEC)
        ));
    }
    if flags.reconnects > 0 {
        said.push(format!(
            "{} reconnect{}",
            flags.reconnects,
            if flags.reconnects == 1 { "" } else { "s" }
        ));
    }
    if said.is_empty() {
        "-".to_owned()
    } else {
        said.join(", ")
    }
}

fn ring_status(status: RingStatus) -> &'static str {
    match status {
        RingStatus::Known => "known",
        RingStatus::EarlierSession => "earlier-session",
        RingStatus::NotReported => "not-reported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roster_fields_keep_the_order_scripts_rely_on() {
        assert_eq!(
            expected_headers(),
            [
                "user_id",
                "name",
                "role",
                "state",
                "flags",
                "attended_seconds",
                "attendance_percent",
                "first_join",
                "last_leave",
                "late_seconds",
                "left_early_seconds",
                "reconnects",
                "ring",
                "added_at",
                "in_call_now",
            ]
        );
    }
}
