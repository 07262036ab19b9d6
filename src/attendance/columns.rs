//! Every column of the dashboard's tables and of the exports, each declared once.
//!
//! A [`Column`] gives its name, its heading and width on screen, its sort (the key that sorts
//! by it, the line of the help screen and the integer key it sorts by), its cell on screen and
//! its cells in an export. The tables, the sort, the keymap's sort bindings, the footer, the
//! help screen, the dashboard's CSV and `headcount export` all read these tables, so adding a
//! column is one entry here. A column without a heading is only exported; the user detail
//! picks its columns from the session table by name.
//!
//! Cells are computed from a *line*: one row with everything its cells need (the display
//! zone, `now`, the row's problems), built once per row, so that a cell is a plain function.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::filter::LocalRow;

use crate::api::members::Member;

use super::call::Window;
use super::history::{Gap, HistoryEntry};
use super::problems::{Problems, RowContext, absurd_seconds, rows_with_problems};
use super::records::{Cell, problem_groups};
use super::roster::{Person, RingStatus, Roster, State};
use super::row::{RowId, SessionRef};
use super::sort::Order;
use super::store::SessionStore;
use super::users::UserFigures;
use super::zone::{DisplayZone, human_duration, thousands, utc_rfc3339};

/// How a cell looks, said without colours: the interface picks the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    /// Someone still in the call.
    InCall,
    /// A row or figure with a problem.
    Problem,
}

/// One cell on screen: its text, whether that text came from the server (and so must be made
/// safe for a terminal), its tone, and an optional mark before it (`⚠`) in its own tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) mark: Option<(Tone, &'static str)>,
    pub(crate) text: String,
    pub(crate) tone: Tone,
    pub(crate) from_server: bool,
}

impl Shown {
    /// Text headcount writes itself.
    pub(crate) fn text(text: impl Into<String>) -> Shown {
        Shown {
            mark: None,
            text: text.into(),
            tone: Tone::Plain,
            from_server: false,
        }
    }

    /// Text as the server sent it.
    pub(crate) fn server(text: impl Into<String>) -> Shown {
        Shown {
            from_server: true,
            ..Shown::text(text)
        }
    }

    fn toned(tone: Tone, text: &str) -> Shown {
        Shown {
            tone,
            ..Shown::text(text)
        }
    }
}

/// The marker of a row or user with problems.
pub(crate) const PROBLEM_MARK: &str = "⚠";

/// A column's width on screen, in cells: `Fixed` columns keep theirs, `Fill` ones share what
/// is left and never get less than their minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    Fixed(u16),
    Fill(u16),
}

/// How long a table too narrow for every column keeps a column. The first column (who or
/// what a row is) always stays; the others are kept from `Telling` to `Repeats`, each whole
/// or left out, so that no figure is cut: among equals the fixed-width ones before those that
/// take what is left, then in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Keep {
    /// What tells the rows apart, or what the table is read for: given up last.
    Telling,
    /// A figure or a time that differs from row to row.
    Detail,
    /// What another column says in part, or what is empty on most rows.
    Secondary,
    /// What is the same on most rows: given up first.
    Repeats,
}

/// A column's heading on screen, its width and how long a narrow table keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Heading {
    pub(crate) text: &'static str,
    pub(crate) width: Width,
    pub(crate) keep: Keep,
}

/// What one kind of line is: the line itself (borrowing its row), and how its table sorts.
pub(crate) trait Lines: 'static {
    type Line<'a>;
    /// The identity of a sortable column (what the keymap's sort action carries).
    type Id: Copy + PartialEq + 'static;
    /// What a sortable column sorts by.
    type By: Copy + 'static;
}

/// A sortable column: `keys` (one character, typed with Shift when a letter) sorts by it in
/// the `first` order, a second time reverses; `help` is its line on the help screen.
/// Durations, counts and shares sort largest first, as a reader of them looks for the top;
/// names and times in reading order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sort<Id, By> {
    pub(crate) id: Id,
    pub(crate) keys: &'static str,
    pub(crate) help: &'static str,
    pub(crate) first: Order,
    pub(crate) by: By,
}

/// One exported field: its header (a stable name scripts rely on) and its cell.
pub(crate) struct Export<L: Lines> {
    pub(crate) header: &'static str,
    pub(crate) cell: for<'a> fn(&L::Line<'a>) -> Cell,
}

/// One column of a table and of its exports.
pub(crate) struct Column<L: Lines> {
    /// How the user detail and the export order name it.
    pub(crate) name: &'static str,
    /// `None`: exported only.
    pub(crate) heading: Option<Heading>,
    pub(crate) sort: Option<Sort<L::Id, L::By>>,
    pub(crate) show: for<'a> fn(&L::Line<'a>) -> Shown,
    pub(crate) export: &'static [Export<L>],
}

impl<L: Lines> Column<L> {
    /// The heading with its sort key typed into it: `Joined [J]`.
    pub(crate) fn heading_with_key(&self) -> String {
        let text = self.heading.map_or("", |h| h.text);
        match &self.sort {
            Some(sort) => format!("{text} [{}]", sort.keys),
            None => text.to_owned(),
        }
    }
}

/// The columns shown on screen, in order.
pub(crate) fn shown<L: Lines>(
    columns: &'static [Column<L>],
) -> impl Iterator<Item = &'static Column<L>> {
    columns.iter().filter(|c| c.heading.is_some())
}

/// The column sorted by `id`.
pub(crate) fn sorted_by<L: Lines>(columns: &'static [Column<L>], id: L::Id) -> &'static Column<L> {
    columns
        .iter()
        .find(|c| c.sort.is_some_and(|s| s.id == id))
        .expect("every sort id has its column")
}

/// The order a first press of `id`'s key sorts in.
pub(crate) fn first_order<L: Lines>(columns: &'static [Column<L>], id: L::Id) -> Order {
    sorted_by(columns, id)
        .sort
        .map_or(Order::Ascending, |sort| sort.first)
}

/// The column called `name`.
pub(crate) fn named<L: Lines>(columns: &'static [Column<L>], name: &str) -> &'static Column<L> {
    columns
        .iter()
        .find(|c| c.name == name)
        .expect("the column exists")
}

/// The headers of `columns` (in `order`, by name, when given).
fn headers<L: Lines>(columns: &'static [Column<L>], order: Option<&[&str]>) -> Vec<String> {
    in_export_order(columns, order)
        .flat_map(|c| c.export)
        .map(|e| e.header.to_owned())
        .collect()
}

fn record<L: Lines>(
    columns: &'static [Column<L>],
    order: Option<&[&str]>,
    line: &L::Line<'_>,
) -> Vec<Cell> {
    in_export_order(columns, order)
        .flat_map(|c| c.export)
        .map(|e| (e.cell)(line))
        .collect()
}

fn in_export_order<'o, L: Lines>(
    columns: &'static [Column<L>],
    order: Option<&'o [&'o str]>,
) -> Box<dyn Iterator<Item = &'static Column<L>> + 'o> {
    match order {
        Some(order) => Box::new(order.iter().map(move |&name| named(columns, name))),
        None => Box::new(columns.iter()),
    }
}

/// Two cells per instant: UTC, then the display zone.
fn utc(at: Option<Nanos>) -> Cell {
    at.map_or(Cell::Empty, |at| Cell::Text(utc_rfc3339(at)))
}

fn local(zone: &DisplayZone, at: Option<Nanos>) -> Cell {
    at.map_or(Cell::Empty, |at| Cell::Text(zone.rfc3339(at)))
}

/// The time of day in the zone (`00:12:05`), with its date when it is not on `day`, the
/// call's first day in the zone (`11-30 00:12`, 11 cells: a time of another day never reads
/// as one of the call's first day); `—` when there is none.
pub(crate) fn time_or_dash(
    zone: &DisplayZone,
    at: Option<Nanos>,
    day: Option<jiff::civil::Date>,
) -> Shown {
    Shown::text(at.map_or("—".to_owned(), |at| {
        let date = zone.date(at);
        if day.is_none_or(|day| day == date) {
            zone.time(at)
        } else {
            let time = zone.time(at);
            let minutes = time.get(..5).unwrap_or(&time);
            format!("{:02}-{:02} {minutes}", date.month(), date.day())
        }
    }))
}

/// The call's first day in `zone`, that times of other days are dated against.
pub(crate) fn first_day(zone: &DisplayZone, window: Option<Window>) -> Option<jiff::civil::Date> {
    window.map(|window| zone.date(window.start))
}

/// An order-preserving integer for a signed value.
pub(crate) fn signed(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

// ---------------------------------------------------------------------------------------------
// Participant sessions

/// One participant session with what its cells need.
#[derive(Debug, Clone)]
pub(crate) struct SessionLine<'a> {
    pub(crate) user_id: &'a str,
    pub(crate) user_session_id: &'a str,
    pub(crate) joined_at: Option<Nanos>,
    pub(crate) left_at: Option<Nanos>,
    /// The duration shown: the API's, or the running time of a session open in a live call.
    pub(crate) duration_seconds: Option<i64>,
    pub(crate) publisher_type: &'a str,
    pub(crate) roles: Vec<&'a str>,
    pub(crate) problems: Problems,
    /// Still in the call.
    pub(crate) open: bool,
    pub(crate) zone: &'a DisplayZone,
    /// The call's first day in the zone: times of other days show their date.
    pub(crate) day: Option<jiff::civil::Date>,
}

impl<'a> SessionLine<'a> {
    /// The line of `row`, with its problems and whether it is open as the caller counts them.
    pub(crate) fn new(
        row: &'a impl LocalRow,
        problems: Problems,
        open: bool,
        now: Nanos,
        zone: &'a DisplayZone,
    ) -> Self {
        SessionLine {
            user_id: row.user_id(),
            user_session_id: row.user_session_id(),
            joined_at: row.joined_at(),
            left_at: row.left_at(),
            duration_seconds: row.duration_seconds(now),
            publisher_type: row.publisher_type(),
            roles: row.roles().collect(),
            problems,
            open,
            zone,
            day: None,
        }
    }

    /// The line with its times dated against the first day of the call's `window`.
    pub(crate) fn in_window(self, window: Option<Window>) -> Self {
        SessionLine {
            day: first_day(self.zone, window),
            ..self
        }
    }
}

/// The lines of the session table.
pub(crate) enum Sessions {}

impl Lines for Sessions {
    type Line<'a> = SessionLine<'a>;
    type Id = SessionColumn;
    type By = SessionKey;
}

/// The sortable columns of the session table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionColumn {
    User,
    UserSession,
    Joined,
    /// `left_at`; open sessions sort after every leave time, as if they left at the end of time.
    Left,
    Duration,
    Publisher,
    Roles,
}

/// What a session column sorts by: an interned value by its text's rank, the id's text, or an
/// integer read from the stored row (missing values last).
#[derive(Debug, Clone, Copy)]
pub(crate) enum SessionKey {
    UserName,
    SessionIdText,
    Publisher,
    RoleSet,
    Value(fn(&SessionRef, &RowContext) -> Option<u64>),
}

type S = Sessions;

fn left_cell(line: &SessionLine) -> Shown {
    match line.left_at {
        Some(at) => time_or_dash(line.zone, Some(at), line.day),
        None if line.open => Shown::toned(Tone::InCall, "● in call"),
        // Ten columns wide, as the column is.
        None => Shown::toned(Tone::Problem, "unrecorded"),
    }
}

fn user_cell(line: &SessionLine) -> Shown {
    let shown = Shown::server(line.user_id);
    if line.problems.is_empty() {
        shown
    } else {
        Shown {
            mark: Some((Tone::Problem, PROBLEM_MARK)),
            ..shown
        }
    }
}

/// A row's `duration_in_seconds` for people: `12m 05s`, or `absurd` for a value no call has
/// (an `i64` extreme shown as days, or cut to the cell, reads as a figure). Exports keep it as
/// sent.
fn received_duration(seconds: i64) -> String {
    if absurd_seconds(seconds) {
        "absurd".to_owned()
    } else {
        human_duration(seconds)
    }
}

/// The session table, in order; also the columns of every per-session export.
pub(crate) static SESSION_COLUMNS: [Column<S>; 9] = [
    Column {
        name: "user",
        heading: Some(Heading {
            text: "User",
            // 14: user ids of a first and a last name whole at 80 columns beside the times,
            // the duration, the publisher and the roles; joined and left still fit at 40.
            width: Width::Fill(14),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: SessionColumn::User,
            keys: "U",
            help: "sort by user (again: reverse)",
            first: Order::Ascending,
            by: SessionKey::UserName,
        }),
        show: user_cell,
        export: &[Export {
            header: "user_id",
            cell: |l| Cell::Server(l.user_id.to_owned()),
        }],
    },
    Column {
        name: "user_session",
        heading: Some(Heading {
            text: "User session",
            width: Width::Fixed(36),
            // Whole or not at all (a cut id tells nothing apart); a narrow table shows how long
            // each session lasted before which one it was: the joined and left times already
            // tell one user's sessions apart, and the detail (Enter) shows the id.
            keep: Keep::Secondary,
        }),
        sort: Some(Sort {
            id: SessionColumn::UserSession,
            keys: "S",
            help: "sort by user session",
            first: Order::Ascending,
            by: SessionKey::SessionIdText,
        }),
        show: |l| Shown::server(l.user_session_id),
        export: &[Export {
            header: "user_session_id",
            cell: |l| Cell::Server(l.user_session_id.to_owned()),
        }],
    },
    Column {
        name: "joined",
        heading: Some(Heading {
            text: "Joined",
            width: Width::Fixed(11),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: SessionColumn::Joined,
            keys: "J",
            help: "sort by joined",
            first: Order::Ascending,
            by: SessionKey::Value(|row, _| row.joined_at().map(signed)),
        }),
        show: |l| time_or_dash(l.zone, l.joined_at, l.day),
        export: &[
            Export {
                header: "joined_utc",
                cell: |l| utc(l.joined_at),
            },
            Export {
                header: "joined_local",
                cell: |l| local(l.zone, l.joined_at),
            },
        ],
    },
    Column {
        name: "left",
        heading: Some(Heading {
            text: "Left",
            width: Width::Fixed(11),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: SessionColumn::Left,
            keys: "L",
            help: "sort by left",
            first: Order::Ascending,
            by: SessionKey::Value(|row, _| Some(row.left_at().map_or(u64::MAX, signed))),
        }),
        show: left_cell,
        export: &[
            Export {
                header: "left_utc",
                cell: |l| utc(l.left_at),
            },
            Export {
                header: "left_local",
                cell: |l| local(l.zone, l.left_at),
            },
        ],
    },
    Column {
        name: "duration",
        heading: Some(Heading {
            text: "Duration",
            width: Width::Fixed(13),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: SessionColumn::Duration,
            keys: "D",
            help: "sort by duration, longest first",
            first: Order::Descending,
            by: SessionKey::Value(|row, ctx| row.shown_duration(ctx).map(signed)),
        }),
        show: |l| Shown::text(l.duration_seconds.map_or("—".to_owned(), received_duration)),
        export: &[Export {
            header: "duration_seconds",
            cell: |l| l.duration_seconds.map_or(Cell::Empty, Cell::Int),
        }],
    },
    Column {
        name: "publisher",
        heading: Some(Heading {
            text: "Publisher",
            width: Width::Fixed(14),
            // The same (`webrtc`) on most rows.
            keep: Keep::Repeats,
        }),
        sort: Some(Sort {
            id: SessionColumn::Publisher,
            keys: "P",
            help: "sort by publisher",
            first: Order::Ascending,
            by: SessionKey::Publisher,
        }),
        show: |l| Shown::server(l.publisher_type),
        export: &[Export {
            header: "publisher_type",
            cell: |l| Cell::Server(l.publisher_type.to_owned()),
        }],
    },
    Column {
        name: "roles",
        heading: Some(Heading {
            text: "Roles",
            width: Width::Fill(8),
            keep: Keep::Secondary,
        }),
        sort: Some(Sort {
            id: SessionColumn::Roles,
            keys: "R",
            help: "sort by roles",
            first: Order::Ascending,
            by: SessionKey::RoleSet,
        }),
        show: |l| Shown::server(l.roles.join(",")),
        export: &[Export {
            header: "roles",
            cell: |l| Cell::List(l.roles.iter().map(|&r| r.to_owned()).collect()),
        }],
    },
    Column {
        name: "problems",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "problems",
            cell: |l| Cell::List(l.problems.iter().map(|p| p.name().to_owned()).collect()),
        }],
    },
    Column {
        name: "zone",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "zone",
            cell: |l| Cell::Text(l.zone.label().to_owned()),
        }],
    },
];

/// The header row of [`session_record`].
pub(crate) fn session_headers() -> Vec<String> {
    headers(&SESSION_COLUMNS, None)
}

/// Every field the API gives for one participant session, exactly as sent (times truncated
/// to the second), and the row's problems by name. The duration is the API's
/// `duration_in_seconds`; a session open in a live call counts until `now`.
pub(crate) fn session_record<R: LocalRow>(
    zone: &DisplayZone,
    row: &R,
    problems: Problems,
    now: Nanos,
) -> Vec<Cell> {
    let line = SessionLine::new(row, problems, row.is_open(), now, zone);
    record(&SESSION_COLUMNS, None, &line)
}

// ---------------------------------------------------------------------------------------------
// One user's sessions

/// A session of the user detail: the session's line and the gap before it.
pub(crate) struct DetailLine<'a> {
    pub(crate) session: SessionLine<'a>,
    pub(crate) gap_before: Gap,
    pub(crate) reconnect: bool,
}

impl<'a> DetailLine<'a> {
    pub(crate) fn new(session: SessionLine<'a>, entry: &HistoryEntry) -> Self {
        DetailLine {
            session,
            gap_before: entry.gap_before,
            reconnect: entry.reconnect,
        }
    }
}

/// The lines of the user detail.
pub(crate) enum Detail {}

impl Lines for Detail {
    type Line<'a> = DetailLine<'a>;
    type Id = ();
    type By = ();
}

fn gap_text(gap: Gap, reconnect: bool) -> String {
    let span = |nanos: Nanos| human_duration(nanos / NANOS_PER_SEC);
    match gap {
        Gap::First => "first".to_owned(),
        Gap::After(gap) if reconnect => format!("↻ {} gap", span(gap)),
        Gap::After(gap) => format!("{} gap", span(gap)),
        Gap::Overlapping(overlap) => format!("overlap {}", span(overlap)),
        Gap::Untimed => "untimed".to_owned(),
    }
}

/// What the user detail adds to the session columns.
pub(crate) static DETAIL_OWN_COLUMNS: [Column<Detail>; 1] = [Column {
    name: "before",
    heading: Some(Heading {
        text: "Before",
        width: Width::Fixed(16),
        keep: Keep::Detail,
    }),
    sort: None,
    show: |l| Shown::text(gap_text(l.gap_before, l.reconnect)),
    export: &[
        Export {
            header: "gap_before_seconds",
            cell: |l| match l.gap_before {
                Gap::After(gap) => Cell::Int(gap / NANOS_PER_SEC),
                // `-0` for an overlap under a second: still an overlap.
                Gap::Overlapping(overlap) => Cell::Text(format!("-{}", overlap / NANOS_PER_SEC)),
                Gap::First | Gap::Untimed => Cell::Empty,
            },
        },
        Export {
            header: "reconnect",
            cell: |l| Cell::Bool(l.reconnect),
        },
    ],
}];

/// A column of the user detail: a session column picked by name, or one of its own; with its
/// width there (narrower than in the session table, whose headings carry their sort key).
#[derive(Debug, Clone, Copy)]
pub(crate) enum DetailColumn {
    Session(&'static str, Width),
    Own(&'static str),
}

/// The user detail's table, in order.
pub(crate) const DETAIL_COLUMNS: [DetailColumn; 7] = [
    DetailColumn::Session("user_session", Width::Fixed(36)),
    DetailColumn::Session("joined", Width::Fixed(11)),
    DetailColumn::Session("left", Width::Fixed(11)),
    DetailColumn::Session("duration", Width::Fixed(10)),
    DetailColumn::Own("before"),
    DetailColumn::Session("publisher", Width::Fixed(10)),
    DetailColumn::Session("roles", Width::Fill(6)),
];

impl DetailColumn {
    pub(crate) fn heading(self) -> Heading {
        match self {
            DetailColumn::Session(name, width) => Heading {
                width,
                ..named(&SESSION_COLUMNS, name).heading.expect("shown")
            },
            DetailColumn::Own(name) => named(&DETAIL_OWN_COLUMNS, name).heading.expect("shown"),
        }
    }

    pub(crate) fn show(self, line: &DetailLine) -> Shown {
        match self {
            DetailColumn::Session(name, _) => (named(&SESSION_COLUMNS, name).show)(&line.session),
            DetailColumn::Own(name) => (named(&DETAIL_OWN_COLUMNS, name).show)(line),
        }
    }
}

/// The header row of [`detail_record`]: every session field, then the detail's own.
pub(crate) fn detail_headers() -> Vec<String> {
    let mut headers = session_headers();
    headers.extend(self::headers(&DETAIL_OWN_COLUMNS, None));
    headers
}

pub(crate) fn detail_record(line: &DetailLine) -> Vec<Cell> {
    let mut cells = record(&SESSION_COLUMNS, None, &line.session);
    cells.extend(record(&DETAIL_OWN_COLUMNS, None, line));
    cells
}

// ---------------------------------------------------------------------------------------------
// Users

/// One user's figures with what their cells need: the store they were computed from, the
/// user's rows of the same filter, the call window and `now`.
pub(crate) struct UserLine<'a> {
    pub(crate) figures: &'a UserFigures,
    pub(crate) store: &'a SessionStore,
    pub(crate) rows: &'a [RowId],
    pub(crate) zone: &'a DisplayZone,
    pub(crate) window: Option<Window>,
    pub(crate) now: Nanos,
}

/// The lines of the users table.
pub(crate) enum Users {}

impl Lines for Users {
    type Line<'a> = UserLine<'a>;
    type Id = UserColumn;
    type By = UserKey;
}

/// The sortable columns of the users table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserColumn {
    User,
    Attended,
    Connected,
    Sessions,
    FirstJoin,
    /// Users still in the call sort after every leave time.
    LastLeave,
    Attendance,
}

/// What a users column sorts by: an integer from the figures and the rank of each user's
/// name (missing values last; ties by name).
pub(crate) type UserKey = fn(&UserFigures, &[u32]) -> Option<u64>;

type U = Users;

/// `late · left early · ↻2 · multi-device · ● now`
pub(crate) fn flags(user: &UserFigures) -> String {
    let mut flags = Vec::new();
    if user.late() {
        flags.push("late".to_owned());
    }
    if user.left_early() {
        flags.push("left early".to_owned());
    }
    if user.reconnects > 0 {
        flags.push(format!("↻{}", user.reconnects));
    }
    if user.multi_device() {
        flags.push("multi-device".to_owned());
    }
    if user.in_call_now() {
        flags.push("● now".to_owned());
    }
    if !user.problems.is_empty() {
        flags.push(format!("{PROBLEM_MARK} {}", user.problems));
    }
    flags.join(" · ")
}

/// `66.7%`: the exported figure, to the same decimal.
pub(crate) fn percent(user: &UserFigures) -> String {
    user.attendance_tenths().map_or("—".to_owned(), |tenths| {
        format!("{}.{}%", tenths / 10, tenths % 10)
    })
}

/// The last leave, dated when not on `day` (see [`time_or_dash`]), or `● in call`.
pub(crate) fn last_leave(
    user: &UserFigures,
    zone: &DisplayZone,
    day: Option<jiff::civil::Date>,
) -> String {
    if user.in_call_now() {
        "● in call".to_owned()
    } else {
        time_or_dash(zone, user.last_leave(), day).text
    }
}

/// Every distinct value `of` the user's rows gives, in text order.
fn distinct<'a, I: IntoIterator<Item = &'a str>>(
    line: &UserLine<'a>,
    of: impl Fn(SessionRef<'a>) -> I,
) -> Vec<&'a str> {
    let mut values: Vec<&str> = line
        .rows
        .iter()
        .filter_map(|&id| line.store.get(id))
        .flat_map(of)
        .collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// The roles the user had in any of their sessions.
fn roles<'a>(line: &UserLine<'a>) -> Vec<&'a str> {
    distinct(line, |row| row.roles().collect::<Vec<_>>())
}

/// The publisher types the user joined with.
fn publishers<'a>(line: &UserLine<'a>) -> Vec<&'a str> {
    distinct(line, |row| std::iter::once(row.publisher_type()))
}

/// The users table, in order; also the columns of every per-user export, in
/// [`USER_EXPORT_ORDER`].
pub(crate) static USER_COLUMNS: [Column<U>; 12] = [
    Column {
        name: "user",
        heading: Some(Heading {
            text: "User",
            width: Width::Fill(12),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: UserColumn::User,
            keys: "U",
            help: "sort by user (again: reverse)",
            first: Order::Ascending,
            by: |u, ranks| Some(u64::from(ranks[u.user.index()])),
        }),
        show: |l| Shown::server(l.store.user_name(l.figures.user)),
        export: &[Export {
            header: "user_id",
            cell: |l| Cell::Server(l.store.user_name(l.figures.user).to_owned()),
        }],
    },
    Column {
        name: "attended",
        heading: Some(Heading {
            text: "Attended",
            width: Width::Fixed(13),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: UserColumn::Attended,
            keys: "A",
            help: "sort by attended time, longest first",
            first: Order::Descending,
            by: |u, _| Some(signed(u.attended)),
        }),
        show: |l| Shown::text(human_duration(l.figures.attended / NANOS_PER_SEC)),
        export: &[Export {
            header: "attended_seconds",
            cell: |l| Cell::Int(l.figures.attended_seconds()),
        }],
    },
    Column {
        name: "connected",
        heading: Some(Heading {
            text: "Connected",
            width: Width::Fixed(14),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: UserColumn::Connected,
            keys: "C",
            help: "sort by connected time, longest first",
            first: Order::Descending,
            by: |u, _| Some(signed(u.connected_seconds)),
        }),
        show: |l| Shown::text(human_duration(l.figures.connected_seconds)),
        export: &[Export {
            header: "connected_seconds",
            cell: |l| Cell::Int(l.figures.connected_seconds),
        }],
    },
    Column {
        name: "sessions",
        heading: Some(Heading {
            text: "Sessions",
            width: Width::Fixed(13),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: UserColumn::Sessions,
            keys: "N",
            help: "sort by number of sessions, most first",
            first: Order::Descending,
            by: |u, _| Some(u64::from(u.sessions)),
        }),
        show: |l| Shown::text(thousands(l.figures.sessions.into())),
        export: &[Export {
            header: "sessions",
            cell: |l| Cell::Int(i64::from(l.figures.sessions)),
        }],
    },
    Column {
        name: "first_join",
        heading: Some(Heading {
            text: "First join",
            width: Width::Fixed(15),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: UserColumn::FirstJoin,
            keys: "F",
            help: "sort by first join",
            first: Order::Ascending,
            by: |u, _| u.first_join().map(signed),
        }),
        show: |l| time_or_dash(l.zone, l.figures.first_join(), first_day(l.zone, l.window)),
        export: &[
            Export {
                header: "first_join_utc",
                cell: |l| utc(l.figures.first_join()),
            },
            Export {
                header: "first_join_local",
                cell: |l| local(l.zone, l.figures.first_join()),
            },
        ],
    },
    Column {
        name: "last_leave",
        heading: Some(Heading {
            text: "Last leave",
            width: Width::Fixed(15),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: UserColumn::LastLeave,
            keys: "L",
            help: "sort by last leave",
            first: Order::Ascending,
            by: |u, _| Some(u.last_leave().map_or(u64::MAX, signed)),
        }),
        show: |l| Shown::text(last_leave(l.figures, l.zone, first_day(l.zone, l.window))),
        export: &[
            Export {
                header: "last_leave_utc",
                cell: |l| utc(l.figures.last_leave()),
            },
            Export {
                header: "last_leave_local",
                cell: |l| local(l.zone, l.figures.last_leave()),
            },
        ],
    },
    Column {
        name: "attendance",
        heading: Some(Heading {
            text: "%",
            width: Width::Fixed(7),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: UserColumn::Attendance,
            keys: "%",
            help: "sort by attendance %, highest first",
            first: Order::Descending,
            by: |u, _| u.attendance_tenths().map(u64::from),
        }),
        show: |l| Shown::text(percent(l.figures)),
        export: &[Export {
            header: "attendance_percent",
            cell: |l| {
                l.figures
                    .attendance_tenths()
                    .map_or(Cell::Empty, Cell::Percent)
            },
        }],
    },
    Column {
        name: "flags",
        heading: Some(Heading {
            text: "Flags",
            width: Width::Fill(10),
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| Shown::text(flags(l.figures)),
        export: &[
            Export {
                header: "late",
                cell: |l| Cell::Bool(l.figures.late()),
            },
            Export {
                header: "left_early",
                cell: |l| Cell::Bool(l.figures.left_early()),
            },
            Export {
                header: "reconnects",
                cell: |l| Cell::Int(i64::from(l.figures.reconnects)),
            },
            Export {
                header: "multi_device",
                cell: |l| Cell::Bool(l.figures.multi_device()),
            },
            Export {
                header: "in_call_now",
                cell: |l| Cell::Bool(l.figures.in_call_now()),
            },
            Export {
                header: "data_quality",
                cell: |l| problem_groups(l.store, &rows_with_problems(l.store, l.rows, l.now)),
            },
        ],
    },
    Column {
        name: "roles",
        heading: Some(Heading {
            text: "Roles · publishers",
            width: Width::Fill(14),
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| {
            let text = format!("{} · {}", roles(l).join(","), publishers(l).join(","));
            Shown::server(text)
        },
        export: &[
            Export {
                header: "roles",
                cell: |l| Cell::List(roles(l).into_iter().map(str::to_owned).collect()),
            },
            Export {
                header: "publisher_types",
                cell: |l| Cell::List(publishers(l).into_iter().map(str::to_owned).collect()),
            },
        ],
    },
    Column {
        name: "span",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "span_seconds",
            cell: |l| Cell::Int(l.figures.span() / NANOS_PER_SEC),
        }],
    },
    Column {
        name: "window",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "window_seconds",
            cell: |l| {
                l.window
                    .map_or(Cell::Empty, |w| Cell::Int(w.len() / NANOS_PER_SEC))
            },
        }],
    },
    Column {
        name: "zone",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "zone",
            cell: |l| Cell::Text(l.zone.label().to_owned()),
        }],
    },
];

/// The order of the per-user export's columns, by name: the order scripts already rely on,
/// which is not the table's (the session count comes right after the user).
pub(crate) const USER_EXPORT_ORDER: [&str; 12] = [
    "user",
    "sessions",
    "attended",
    "connected",
    "first_join",
    "last_leave",
    "span",
    "attendance",
    "window",
    "flags",
    "roles",
    "zone",
];

/// The header row of [`user_record`].
pub(crate) fn user_headers() -> Vec<String> {
    headers(&USER_COLUMNS, Some(&USER_EXPORT_ORDER))
}

/// The per-user figures of the attendance definitions; the last leave is empty while the user
/// is in the call. `attendance_percent` is `attended_seconds / window_seconds`, rounded half
/// up to one decimal, so a spreadsheet dividing the two columns agrees. `data_quality` lists
/// the user's rows with problems, by kind, by `user_session_id`.
pub(crate) fn user_record(line: &UserLine) -> Vec<Cell> {
    record(&USER_COLUMNS, Some(&USER_EXPORT_ORDER), line)
}

// ---------------------------------------------------------------------------------------------
// Who was expected

/// One person of the roster with what their cells need: their member record, if they are a
/// member, whether the session's ring outcomes are known and the display zone.
pub(crate) struct ExpectedLine<'a> {
    pub person: Person<'a>,
    pub member: Option<&'a Member>,
    /// The ring outcomes of the session are known (else each person's `ring` is empty).
    pub ring_known: bool,
    /// The call is live: every state is provisional.
    pub provisional: bool,
    pub zone: &'a DisplayZone,
    /// The call's first day in the zone: times of other days show their date, as in every
    /// other view.
    pub day: Option<jiff::civil::Date>,
}

impl<'a> ExpectedLine<'a> {
    /// The line of `person`, one of `roster`'s people; `members` is the members read their
    /// `member` index points into.
    pub(crate) fn of(
        roster: &'a Roster,
        person: Person<'a>,
        members: &'a [Member],
        zone: &'a DisplayZone,
    ) -> Self {
        ExpectedLine {
            person,
            member: person.member.and_then(|index| members.get(index)),
            ring_known: roster.ring == RingStatus::Known,
            provisional: roster.provisional,
            zone,
            day: first_day(zone, roster.window),
        }
    }

    /// The user's name, as the member's user record gives it.
    pub fn name(&self) -> Option<&str> {
        self.member
            .and_then(|member| member.user.name.as_deref())
            .filter(|name| !name.is_empty())
    }

    /// The member's call role.
    pub fn role(&self) -> Option<&str> {
        self.member.and_then(|member| member.role.as_deref())
    }

    /// Whole seconds attended; unknown when the details were purged.
    pub fn attended_seconds(&self) -> Option<i64> {
        (self.person.state != State::Unknown).then_some(self.person.attended / NANOS_PER_SEC)
    }

    /// The share of their expected time attended, in tenths; unknown when purged.
    pub fn attendance_tenths(&self) -> Option<u16> {
        self.person
            .attendance_tenths
            .filter(|_| self.person.state != State::Unknown)
    }

    /// The flags set, by name.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let flags = &self.person.flags;
        let mut names = Vec::new();
        if flags.late.is_some() {
            names.push("late");
        }
        if flags.left_early.is_some() {
            names.push("left-early");
        }
        if flags.reconnects > 0 {
            names.push("reconnects");
        }
        names
    }

    /// The ring outcomes recorded for the person, by name.
    pub fn ring(&self) -> Vec<&'static str> {
        let ring = &self.person.ring;
        [
            ("accepted", ring.accepted),
            ("rejected", ring.rejected),
            ("missed", ring.missed),
        ]
        .into_iter()
        .filter_map(|(name, rung)| rung.map(|_| name))
        .collect()
    }

    /// Still in the call.
    pub fn in_call(&self) -> bool {
        self.person.first_join.is_some() && self.person.last_leave.is_none()
    }
}

/// The lines of the Expected view.
pub(crate) enum Expected {}

impl Lines for Expected {
    type Line<'a> = ExpectedLine<'a>;
    type Id = ExpectedColumn;
    type By = fn(&ExpectedLine) -> ExpectedKey;
}

/// The sortable columns of the Expected view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectedColumn {
    State,
    User,
    Role,
    Attended,
    Attendance,
    FirstJoin,
    /// People still in the call sort after every leave time, those who never came last.
    LastLeave,
}

/// What an Expected column sorts by: a text (compared without case) or an integer; missing
/// values last, ties by user id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ExpectedKey {
    Text(Option<String>),
    Value(Option<u64>),
}

type E = Expected;

/// `present`, with `?` while the call is live: every state is then provisional. By the name
/// `state:` filters with (`not-member`); the notes above the table say what `unknown` means.
fn state_text(line: &ExpectedLine) -> String {
    let label = line.person.state.name();
    if line.provisional {
        format!("{label}?")
    } else {
        label.to_owned()
    }
}

/// `late 5m 00s · early 2m 00s · ↻2`, each flag with its number.
pub(crate) fn expected_flags(person: &Person) -> String {
    let flags = &person.flags;
    let mut said = Vec::new();
    if let Some(late) = flags.late {
        said.push(format!("late {}", human_duration(late / NANOS_PER_SEC)));
    }
    if let Some(early) = flags.left_early {
        said.push(format!("early {}", human_duration(early / NANOS_PER_SEC)));
    }
    if flags.reconnects > 0 {
        said.push(format!("↻{}", flags.reconnects));
    }
    if !person.problems.is_empty() {
        said.push(format!("{PROBLEM_MARK} {}", person.problems));
    }
    said.join(" · ")
}

/// The person's state by its name, as JSON and CSV spell it.
pub(crate) fn state_cell(line: &ExpectedLine) -> Cell {
    Cell::Text(line.person.state.name().to_owned())
}

/// The ring outcomes, empty where the session's outcomes are not known (an earlier session).
pub(crate) fn ring_cell(line: &ExpectedLine) -> Cell {
    if line.ring_known {
        Cell::List(line.ring().into_iter().map(str::to_owned).collect())
    } else {
        Cell::Empty
    }
}

fn seconds_cell(ns: Option<Nanos>) -> Cell {
    ns.map_or(Cell::Empty, |ns| Cell::Int(ns / NANOS_PER_SEC))
}

fn server_cell(text: Option<&str>) -> Cell {
    text.map_or(Cell::Empty, |text| Cell::Server(text.to_owned()))
}

/// The Expected view, in order; also the fields of `headcount roster`'s JSON people and CSV
/// records, in [`EXPECTED_EXPORT_ORDER`]. Times are RFC 3339 in UTC there, durations whole
/// seconds, the percentage has one decimal.
pub(crate) static EXPECTED_COLUMNS: [Column<E>; 17] = [
    Column {
        name: "user",
        heading: Some(Heading {
            text: "User",
            // As wide at least as in the other tables: the user id is who the row is.
            width: Width::Fill(12),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::User,
            keys: "U",
            help: "sort by user (again: reverse)",
            first: Order::Ascending,
            by: |l| ExpectedKey::Text(Some(l.person.user_id.to_lowercase())),
        }),
        show: |l| {
            let shown = Shown::server(l.person.user_id.to_string());
            if l.person.problems.is_empty() {
                shown
            } else {
                Shown {
                    mark: Some((Tone::Problem, PROBLEM_MARK)),
                    ..shown
                }
            }
        },
        export: &[Export {
            header: "user_id",
            cell: |l| Cell::Server(l.person.user_id.to_string()),
        }],
    },
    Column {
        name: "state",
        heading: Some(Heading {
            text: "State",
            width: Width::Fixed(11),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::State,
            keys: "T",
            help: "sort by state",
            first: Order::Ascending,
            by: |l| ExpectedKey::Value(Some(l.person.state as u64)),
        }),
        show: |l| Shown::text(state_text(l)),
        export: &[Export {
            header: "state",
            cell: state_cell,
        }],
    },
    Column {
        name: "attended",
        heading: Some(Heading {
            text: "Attended",
            width: Width::Fixed(12),
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::Attended,
            keys: "A",
            help: "sort by attended time, longest first",
            first: Order::Descending,
            by: |l| ExpectedKey::Value(l.attended_seconds().map(signed)),
        }),
        show: |l| Shown::text(l.attended_seconds().map_or("?".to_owned(), human_duration)),
        export: &[Export {
            header: "attended_seconds",
            cell: |l| l.attended_seconds().map_or(Cell::Empty, Cell::Int),
        }],
    },
    Column {
        name: "attendance",
        heading: Some(Heading {
            text: "%",
            width: Width::Fixed(7),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::Attendance,
            keys: "%",
            help: "sort by share of the expected time attended, highest first",
            first: Order::Descending,
            by: |l| ExpectedKey::Value(l.attendance_tenths().map(u64::from)),
        }),
        show: |l| {
            Shown::text(l.attendance_tenths().map_or("—".to_owned(), |tenths| {
                format!("{}.{}%", tenths / 10, tenths % 10)
            }))
        },
        export: &[Export {
            header: "attendance_percent",
            cell: |l| l.attendance_tenths().map_or(Cell::Empty, Cell::Percent),
        }],
    },
    Column {
        name: "expected",
        heading: Some(Heading {
            text: "Of",
            width: Width::Fixed(10),
            // The call's length for everyone expected from its start: most rows.
            keep: Keep::Repeats,
        }),
        sort: None,
        show: |l| {
            Shown::text(l.person.expected.map_or("—".to_owned(), |window| {
                human_duration(window.len() / NANOS_PER_SEC)
            }))
        },
        export: &[],
    },
    Column {
        name: "flags",
        heading: None,
        sort: None,
        show: |l| Shown::text(expected_flags(&l.person)),
        export: &[Export {
            header: "flags",
            cell: |l| Cell::List(l.flag_names().into_iter().map(str::to_owned).collect()),
        }],
    },
    Column {
        name: "late",
        heading: Some(Heading {
            text: "Late",
            width: Width::Fixed(10),
            // The first join says it in part, and it is empty for whoever came on time.
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| {
            Shown::text(
                l.person
                    .flags
                    .late
                    .map_or(String::new(), |late| human_duration(late / NANOS_PER_SEC)),
            )
        },
        export: &[],
    },
    Column {
        name: "early",
        heading: Some(Heading {
            text: "Early",
            width: Width::Fixed(10),
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| {
            Shown::text(
                l.person
                    .flags
                    .left_early
                    .map_or(String::new(), |early| human_duration(early / NANOS_PER_SEC)),
            )
        },
        export: &[],
    },
    Column {
        name: "reconnects",
        heading: Some(Heading {
            text: "↻",
            width: Width::Fixed(3),
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| {
            Shown::text(match l.person.flags.reconnects {
                0 => String::new(),
                n => n.to_string(),
            })
        },
        export: &[],
    },
    Column {
        name: "first_join",
        heading: Some(Heading {
            text: "First",
            width: Width::Fixed(11),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::FirstJoin,
            keys: "F",
            help: "sort by first join",
            first: Order::Ascending,
            by: |l| ExpectedKey::Value(l.person.first_join.map(signed)),
        }),
        show: |l| time_or_dash(l.zone, l.person.first_join, l.day),
        export: &[Export {
            header: "first_join",
            cell: |l| utc(l.person.first_join),
        }],
    },
    Column {
        name: "last_leave",
        heading: Some(Heading {
            text: "Last",
            width: Width::Fixed(11),
            keep: Keep::Detail,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::LastLeave,
            keys: "L",
            help: "sort by last leave",
            first: Order::Ascending,
            by: |l| {
                ExpectedKey::Value(match (l.person.first_join, l.person.last_leave) {
                    (None, _) => None,
                    (Some(_), None) => Some(u64::MAX),
                    (Some(_), Some(at)) => Some(signed(at)),
                })
            },
        }),
        show: |l| {
            if l.in_call() {
                Shown::toned(Tone::InCall, "● in call")
            } else {
                time_or_dash(l.zone, l.person.last_leave, l.day)
            }
        },
        export: &[Export {
            header: "last_leave",
            cell: |l| utc(l.person.last_leave),
        }],
    },
    Column {
        name: "ring",
        heading: Some(Heading {
            text: "Ring",
            width: Width::Fixed(8),
            // `—` or `?` on every row of a call that did not ring; in one that did, the state
            // says who rejected or missed it.
            keep: Keep::Secondary,
        }),
        sort: None,
        show: |l| {
            Shown::text(if !l.ring_known {
                "?".to_owned()
            } else {
                let ring = l.ring();
                if ring.is_empty() {
                    "—".to_owned()
                } else {
                    ring.join(",")
                }
            })
        },
        export: &[Export {
            header: "ring",
            cell: ring_cell,
        }],
    },
    Column {
        name: "role",
        heading: Some(Heading {
            text: "Role",
            width: Width::Fixed(8),
            // Who was expected as what: a host missing is not a viewer missing.
            keep: Keep::Telling,
        }),
        sort: Some(Sort {
            id: ExpectedColumn::Role,
            keys: "R",
            help: "sort by member role",
            first: Order::Ascending,
            by: |l| ExpectedKey::Text(l.role().map(str::to_lowercase)),
        }),
        show: |l| Shown::server(l.role().unwrap_or("—")),
        export: &[Export {
            header: "role",
            cell: |l| server_cell(l.role()),
        }],
    },
    Column {
        name: "name",
        heading: Some(Heading {
            text: "Name",
            width: Width::Fill(8),
            keep: Keep::Detail,
        }),
        sort: None,
        show: |l| Shown::server(l.name().unwrap_or("—")),
        export: &[Export {
            header: "name",
            cell: |l| server_cell(l.name()),
        }],
    },
    Column {
        name: "flag_numbers",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[
            Export {
                header: "late_seconds",
                cell: |l| seconds_cell(l.person.flags.late),
            },
            Export {
                header: "left_early_seconds",
                cell: |l| seconds_cell(l.person.flags.left_early),
            },
            Export {
                header: "reconnects",
                cell: |l| Cell::Int(i64::from(l.person.flags.reconnects)),
            },
        ],
    },
    Column {
        name: "added_at",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "added_at",
            cell: |l| utc(l.member.and_then(|member| member.created_at)),
        }],
    },
    Column {
        name: "in_call_now",
        heading: None,
        sort: None,
        show: |_| Shown::text(""),
        export: &[Export {
            header: "in_call_now",
            cell: |l| Cell::Bool(l.in_call()),
        }],
    },
];

/// The order of the exported fields, by column name: the order `headcount roster` scripts
/// already rely on.
pub(crate) const EXPECTED_EXPORT_ORDER: [&str; 14] = [
    "user",
    "name",
    "role",
    "state",
    "flags",
    "attended",
    "attendance",
    "first_join",
    "last_leave",
    "flag_numbers",
    "ring",
    "added_at",
    "in_call_now",
    "expected",
];

/// The header row of [`expected_record`].
pub(crate) fn expected_headers() -> Vec<String> {
    headers(&EXPECTED_COLUMNS, Some(&EXPECTED_EXPORT_ORDER))
}

/// One person's fields for JSON and CSV.
pub(crate) fn expected_record(line: &ExpectedLine) -> Vec<Cell> {
    record(&EXPECTED_COLUMNS, Some(&EXPECTED_EXPORT_ORDER), line)
}

/// Sorts `people` (positions in a roster's people, each with its line) by `column` in
/// `order`: missing values last in both directions, ties by user id, then by position. Only
/// the positions move: at a million people a sorted copy of their lines, or of their user
/// ids, would weigh more than the roster.
pub(crate) fn sort_expected<'r>(
    people: &mut [u32],
    roster: &'r Roster,
    store: &'r SessionStore,
    line: impl Fn(Person<'r>) -> ExpectedLine<'r>,
    column: ExpectedColumn,
    order: Order,
) {
    let by = sorted_by(&EXPECTED_COLUMNS, column)
        .sort
        .expect("sortable")
        .by;
    let user_id = |at: u32| roster.people.user_id(at as usize, store);
    people.sort_unstable_by(|&a, &b| (user_id(a), a).cmp(&(user_id(b), b)));
    // Stable: the order by user id stays among equal keys.
    people.sort_by_cached_key(|&at| {
        let person = roster
            .people
            .get(at as usize, store)
            .expect("a person of the roster");
        let key = by(&line(person));
        let missing = matches!(key, ExpectedKey::Text(None) | ExpectedKey::Value(None));
        (missing, SortedKey(key, order))
    });
}

/// A key compared in `order`.
#[derive(PartialEq, Eq)]
struct SortedKey(ExpectedKey, Order);

impl PartialOrd for SortedKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortedKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match self.1 {
            Order::Ascending => self.0.cmp(&other.0),
            Order::Descending => other.0.cmp(&self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn exported<L: Lines>(columns: &'static [Column<L>]) -> Vec<&'static str> {
        columns
            .iter()
            .filter(|c| !c.export.is_empty())
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn the_user_export_order_names_every_exported_column_once() {
        let mut order = USER_EXPORT_ORDER.to_vec();
        order.sort_unstable();
        let mut columns = exported(&USER_COLUMNS);
        columns.sort_unstable();
        assert_eq!(order, columns);
    }

    #[test]
    fn names_sort_keys_and_headers_are_unique_in_each_table() {
        fn check<L: Lines>(columns: &'static [Column<L>], extra: &[String]) {
            let names: HashSet<_> = columns.iter().map(|c| c.name).collect();
            assert_eq!(names.len(), columns.len());
            let keys: Vec<_> = columns
                .iter()
                .filter_map(|c| c.sort.map(|s| s.keys))
                .collect();
            let unique: HashSet<_> = keys.iter().collect();
            assert_eq!(unique.len(), keys.len());
            assert!(keys.iter().all(|k| k.chars().count() == 1));
            let headers: HashSet<_> = extra.iter().collect();
            assert_eq!(headers.len(), extra.len());
        }
        check(&SESSION_COLUMNS, &session_headers());
        check(&USER_COLUMNS, &user_headers());
        check(&DETAIL_OWN_COLUMNS, &detail_headers());
        check(&EXPECTED_COLUMNS, &expected_headers());
    }

    #[test]
    fn the_detail_picks_existing_shown_columns() {
        let headings: Vec<_> = DETAIL_COLUMNS.iter().map(|c| c.heading().text).collect();
        assert_eq!(
            headings,
            [
                "User session",
                "Joined",
                "Left",
                "Duration",
                "Before",
                "Publisher",
                "Roles"
            ]
        );
    }

    #[test]
    fn each_user_shows_and_exports_their_roles_and_publisher_types() {
        use super::super::fixtures::{MIN, T0, all_rows, closed, ended_call};
        use super::super::thresholds::Thresholds;
        use super::super::users::{UserRows, user_figures};
        let mut laptop = closed("bob", "b-1", 0, 10 * MIN);
        laptop.roles = vec!["user".into(), "host".into()];
        let mut phone = closed("bob", "b-2", 20 * MIN, 30 * MIN);
        phone.publisher_type = "rtmp".into();
        let store = ended_call(vec![laptop, phone, closed("ann", "a-1", 0, MIN)]);
        let rows = all_rows(&store);
        let now = T0 + 90 * MIN;
        let figures = user_figures(&store, &rows, now, &Thresholds::default());
        let by_user = UserRows::group(&store, &rows);
        let zone = DisplayZone::utc();
        let line = |name: &str| {
            let figures = figures
                .iter()
                .find(|f| store.user_name(f.user) == name)
                .unwrap();
            UserLine {
                figures,
                store: &store,
                rows: by_user.of(figures.user),
                zone: &zone,
                window: store.window(now),
                now,
            }
        };
        let column = named(&USER_COLUMNS, "roles");
        assert_eq!((column.show)(&line("bob")).text, "host,user · rtmp,webrtc");
        assert_eq!((column.show)(&line("ann")).text, "user · webrtc");
        let headers = user_headers();
        let record = user_record(&line("bob"));
        let cell = |name: &str| &record[headers.iter().position(|h| h == name).unwrap()];
        assert_eq!(
            *cell("roles"),
            Cell::List(vec!["host".into(), "user".into()])
        );
        assert_eq!(
            *cell("publisher_types"),
            Cell::List(vec!["rtmp".into(), "webrtc".into()])
        );
    }

    #[test]
    fn headings_carry_their_sort_key() {
        let headings: Vec<_> = shown(&USER_COLUMNS).map(Column::heading_with_key).collect();
        assert_eq!(headings[0], "User [U]");
        assert_eq!(headings[6], "% [%]");
        assert_eq!(headings[7], "Flags");
        assert_eq!(headings[8], "Roles · publishers");
    }
}
