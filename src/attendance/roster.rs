//! Who was expected, and how each person fared: the call's members and ring outcomes set
//! against the per-user figures of one call session.
//!
//! [`classify`] is pure: it takes the members (`QueryCallMembers`), the ring outcomes and
//! `created_by` (`GetCall`), the store of the session's participant sessions, the per-user
//! figures computed over all of them ([`user_figures`](super::user_figures)), what is known
//! of the reads, the rules, and `now`. Every person gets exactly one [`State`] and the flags
//! of the attendance definitions, each with its number. The rules, as
//! `docs/attendance-definitions.md` states them:
//!
//! - Only a complete, unfiltered read can tell who did not come: a filter, an incomplete
//!   read of the sessions or of the members, or attendees with no session start to measure
//!   them from gives [`Classification::Unclassified`] with every reason, never a guess.
//! - A member is **expected** from when they were added (`created_at`, or the session's start
//!   if earlier or unknown) until they were removed (`deleted_at`, or the session's end, or
//!   `now` while live). Removed at or before the start, or added at or after the end of an
//!   ended session: not expected; if they attended, they are listed as attended, not a member.
//! - **Present**: attended at least the present threshold (default 80 %) of their expected
//!   time, as the percentage is shown (whole seconds, tenths of a percent rounded half up);
//!   **partial**: attended, less than that (0 % for someone who joined only before they were
//!   added). An expected time under a second is met by any attended time, or by being in the
//!   call.
//! - Attended time and percentages are the per-user figures' own: the union of the person's
//!   row spans as [`Counted`](super::Counted) places them (rows with problems included, by
//!   their rules), clipped to the expected time, in whole seconds. For anyone expected over the
//!   whole call window they are exactly the figures the users table and exports show; each
//!   person carries their rows' problems so that no state rests silently on a flagged row.
//! - Members who never joined: **rejected** when in `rejected_by` (never the call's creator,
//!   whose cancelling of the ring Stream records there), else **missed** when in `missed_by`,
//!   else **absent** (including those who accepted the ring and never came). Ring outcomes
//!   describe the call's current session only: for an earlier session they are unknown, and
//!   the roster says so ([`RingStatus`]).
//! - Attendees who are not (expected) members: **attended, not a member**, measured over the
//!   call window.
//! - An expired session (details purged after 90 days): every member is **unknown: details
//!   purged**, and no attendee can be listed.
//! - While the call is live every state is provisional ([`Roster::provisional`]): the
//!   expected time runs to `now`, and absent means "not joined yet".
//! - Flags: late (first join more than the late grace after the start of the expected time),
//!   left early (last leave more than the early grace before its end, never while in the
//!   call), reconnects (as the per-user figures count them).

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::api::members::{Member, RingMap};
use crate::api::models::Call;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call::{CallState, Window};
use super::problems::Problems;
use super::row::UserId;
use super::store::SessionStore;
use super::thresholds::Thresholds;
use super::users::{Span, UserFigures, merge_sorted, percent_tenths};

/// The share of their expected time a member must attend to be present, in tenths of a
/// percent (800 is 80 %): the unit attendance percentages are shown in, so that the rule can
/// be checked against the number on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PresentThreshold(u16);

impl PresentThreshold {
    pub const DEFAULT: PresentThreshold = PresentThreshold(800);

    /// `percent` between 0 and 100, with at most one decimal (a finer threshold could not be
    /// told apart on screen).
    pub(crate) fn from_percent(percent: f64) -> Result<PresentThreshold, String> {
        if !(0.0..=100.0).contains(&percent) {
            return Err(format!(
                "the present threshold must be a percentage between 0 and 100, got {percent}"
            ));
        }
        let tenths = (percent * 10.0).round();
        if (tenths - percent * 10.0).abs() > 1e-6 {
            return Err(format!(
                "the present threshold takes a percentage with at most one decimal, such as \
                 87.5, got {percent}"
            ));
        }
        Ok(PresentThreshold(tenths as u16))
    }

    /// Reads `80`, `80%`, `87.5 %`.
    pub(crate) fn parse(text: &str) -> Result<PresentThreshold, String> {
        let number = text.trim().trim_end_matches('%').trim_end();
        let percent: f64 = number.parse().map_err(|_| {
            format!("invalid present threshold {text:?}: expected a percentage such as \"80%\"")
        })?;
        PresentThreshold::from_percent(percent)
    }

    pub(crate) fn percent(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// The threshold in tenths of a percent.
    pub(crate) fn tenths(self) -> u16 {
        self.0
    }
}

impl Default for PresentThreshold {
    fn default() -> Self {
        PresentThreshold::DEFAULT
    }
}

impl fmt::Display for PresentThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent())
    }
}

/// Every rule of the classification that can be configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RosterRules {
    /// Late and early grace, reconnect gap: the same as the per-user flags.
    pub thresholds: Thresholds,
    pub(crate) present: PresentThreshold,
}

/// What the engine needs of one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedMember<'a> {
    pub user_id: &'a str,
    /// The member's call role.
    pub role: Option<&'a str>,
    pub created_at: Option<Nanos>,
    pub deleted_at: Option<Nanos>,
}

impl<'a> From<&'a Member> for ExpectedMember<'a> {
    fn from(member: &'a Member) -> Self {
        ExpectedMember {
            user_id: &member.user_id,
            role: member.role.as_deref(),
            created_at: member.created_at,
            deleted_at: member.deleted_at,
        }
    }
}

/// The ring outcomes known for the classified session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingKnowledge<'a> {
    /// `GetCall` reported them for this session (a map it left out counts as empty).
    Known {
        accepted: Option<&'a RingMap>,
        rejected: Option<&'a RingMap>,
        missed: Option<&'a RingMap>,
    },
    /// The session is not the call's current one; `GetCall` only describes that one.
    EarlierSession,
    /// `GetCall` reported no ring outcome (no session, or `null` maps).
    NotReported,
}

impl<'a> RingKnowledge<'a> {
    /// What `GetCall`'s `call` tells of the ring outcomes of `call_session_id`.
    pub fn of(call: &'a Call, call_session_id: &str) -> RingKnowledge<'a> {
        if call.current_session_id != call_session_id {
            return RingKnowledge::EarlierSession;
        }
        match &call.session {
            Some(session)
                if session.accepted_by.is_some()
                    || session.rejected_by.is_some()
                    || session.missed_by.is_some() =>
            {
                RingKnowledge::Known {
                    accepted: session.accepted_by.as_ref(),
                    rejected: session.rejected_by.as_ref(),
                    missed: session.missed_by.as_ref(),
                }
            }
            _ => RingKnowledge::NotReported,
        }
    }

    fn status(&self) -> RingStatus {
        match self {
            RingKnowledge::Known { .. } => RingStatus::Known,
            RingKnowledge::EarlierSession => RingStatus::EarlierSession,
            RingKnowledge::NotReported => RingStatus::NotReported,
        }
    }

    fn marks(&self, user_id: &str) -> RingMarks {
        let RingKnowledge::Known {
            accepted,
            rejected,
            missed,
        } = self
        else {
            return RingMarks::default();
        };
        let mark = |map: &Option<&RingMap>| map.and_then(|m| m.get(user_id)).map(|&at| Rung { at });
        RingMarks {
            accepted: mark(accepted),
            rejected: mark(rejected),
            missed: mark(missed),
        }
    }
}

/// What is known of the reads behind the figures: why each was incomplete, in words for the
/// user (`None`: complete), and the filter that narrowed the sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadFacts {
    /// The participant sessions of the session, e.g. a `fetch::Shortfall` as text.
    pub(crate) sessions_shortfall: Option<String>,
    /// The call's members, e.g. [`MembersRead::shortfall`](crate::api::members::MembersRead::shortfall).
    pub(crate) members_shortfall: Option<String>,
    /// The filter that narrowed the sessions read, if any (server or local).
    pub(crate) filter: Option<String>,
}

impl ReadFacts {
    /// Both reads complete, no filter.
    pub fn complete() -> ReadFacts {
        ReadFacts::default()
    }
}

/// Everything [`classify`] needs besides the store and the figures.
#[derive(Debug, Clone)]
pub struct RosterInput<'a> {
    pub members: &'a [ExpectedMember<'a>],
    pub ring: RingKnowledge<'a>,
    /// `call.created_by.id`: the caller, whose cancelling shows as a rejection.
    pub created_by: Option<&'a str>,
    pub read: ReadFacts,
    pub rules: RosterRules,
}

/// Why no one can be classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unclassifiable {
    Filtered(String),
    SessionsIncomplete(String),
    MembersIncomplete(String),
    /// No page of the session was read.
    NothingRead,
    /// People attended, but neither the session object nor any row gives the session's start:
    /// no one's attended time can be measured.
    StartUnknown,
}

impl fmt::Display for Unclassifiable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unclassifiable::Filtered(filter) => write!(
                f,
                "the sessions were read with a filter ({filter}); who did not come can only be told \
                 from every session: clear the filter"
            ),
            Unclassifiable::SessionsIncomplete(why) => {
                write!(f, "the participant sessions were not all read ({why})")
            }
            Unclassifiable::MembersIncomplete(why) => {
                write!(f, "the call's members were not all read ({why})")
            }
            Unclassifiable::NothingRead => f.write_str("no page of the session was read"),
            Unclassifiable::StartUnknown => f.write_str(
                "the session's start is not known (Stream reported none and no row has a usable \
                 joined_at): attended time cannot be measured",
            ),
        }
    }
}

/// The one state of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Present,
    Partial,
    Absent,
    Rejected,
    Missed,
    /// Attended, not a member.
    NotMember,
    /// The session's details were purged: attendance cannot be known.
    Unknown,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Present,
        State::Partial,
        State::Absent,
        State::Rejected,
        State::Missed,
        State::NotMember,
        State::Unknown,
    ];

    /// The state's name, as filters and exports spell it.
    pub fn name(self) -> &'static str {
        match self {
            State::Present => "present",
            State::Partial => "partial",
            State::Absent => "absent",
            State::Rejected => "rejected",
            State::Missed => "missed",
            State::NotMember => "not-member",
            State::Unknown => "unknown",
        }
    }

    /// How the state reads on screen.
    pub(crate) fn label(self) -> &'static str {
        match self {
            State::NotMember => "attended, not a member",
            State::Unknown => "unknown: details purged",
            other => other.name(),
        }
    }
}

/// When a ring outcome was recorded (Unix ns; `None` when Stream sent `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rung {
    pub(crate) at: Option<Nanos>,
}

/// A person's ring outcomes, as `GetCall` reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RingMarks {
    pub(crate) accepted: Option<Rung>,
    pub(crate) rejected: Option<Rung>,
    pub(crate) missed: Option<Rung>,
}

/// Whether the ring outcomes of the session are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RingStatus {
    Known,
    EarlierSession,
    NotReported,
}

/// The flags of an attendee, each with its number (ns); `None` when not set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    /// How long after the start of their expected time the first join came.
    pub(crate) late: Option<Nanos>,
    /// How long before the end of their expected time the last leave came.
    pub(crate) left_early: Option<Nanos>,
    /// Reconnects, as the per-user figures count them (0: not flagged).
    pub(crate) reconnects: u32,
}

/// One person of the roster: a member, or an attendee who is not one. The roster keeps
/// people compact ([`People`]) and hands out this view of one, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Person<'a> {
    pub(crate) user_id: &'a str,
    /// Index into [`RosterInput::members`]; `None` for an attendee who is not an expected
    /// member.
    pub(crate) member: Option<usize>,
    /// The attendee in the store; `None` for someone who never joined.
    pub(crate) user: Option<UserId>,
    pub(crate) state: State,
    pub(crate) flags: Flags,
    /// The time they could attend: the member's expected time, the call window for others.
    pub(crate) expected: Option<Window>,
    /// Attended time inside `expected` (ns).
    pub(crate) attended: Nanos,
    /// `attended` over the length of `expected` in tenths of a percent, as the per-user
    /// figures count it (whole seconds, rounded half up, at most 1000); `None` for an expected
    /// time under a second.
    pub(crate) attendance_tenths: Option<u16>,
    pub(crate) first_join: Option<Nanos>,
    /// `None` while in the call or when they never joined.
    pub(crate) last_leave: Option<Nanos>,
    pub(crate) ring: RingMarks,
    /// Every problem among the person's rows (as in the per-user figures): their attended
    /// time counts those rows as the attendance definitions say.
    pub(crate) problems: Problems,
}

impl Person<'_> {
    /// Attendance as a percentage with one decimal, from [`Person::attendance_tenths`].
    pub(crate) fn attendance_percent(&self) -> Option<f64> {
        self.attendance_tenths
            .map(|tenths| f64::from(tenths) / 10.0)
    }
}

/// The people of a roster, kept compact: a call of a million attendees who are not members
/// has a person for each, so a `Person` apiece (about 200 bytes and an owned user id) would
/// be most of the dashboard's memory. Each member is one record of plain numbers and their
/// user id (a member may never have joined, and the store only knows attendees); an attendee
/// who is not a member is read from the per-user figures the roster was classified from
/// (shared, not copied) and their user id from the store's interned ids, so that they cost
/// nothing of their own. What the rules derive (the attendance percentage, the late and left
/// early flags, an attendee's state) is derived again when a person is read, by the same code
/// that classified them.
///
/// Reading a person takes the store classified from: the `UserId`s of the figures are its.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct People {
    /// The members, in the order given (their `member` indexes ascending).
    records: Vec<Record>,
    /// The members' user ids, one after the other: member `i`'s ends at its record's
    /// `name_end`.
    names: String,
    /// The members who attended, by user: (`UserId`, position), ascending.
    member_users: Vec<(u32, u32)>,
    /// The per-user figures classified from: every one but those of `member_figures` is an
    /// attendee who is not a member, in this order.
    figures: Arc<Vec<UserFigures>>,
    /// The positions in `figures` of members, ascending.
    member_figures: Vec<u32>,
    /// The expected times that are not the call window (members added or removed during
    /// the session), by position.
    narrowed: Vec<(u32, Option<Window>)>,
    /// The ring outcomes of the few people who have any, by position.
    rings: Vec<(u32, RingMarks)>,
    window: Option<Window>,
    rules: RosterRules,
}

/// What [`People`] keeps of a member: `NO_TIME` and `NO_INDEX` stand for `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    attended: Nanos,
    first_join: Nanos,
    last_leave: Nanos,
    name_end: u32,
    member: u32,
    user: u32,
    reconnects: u32,
    problems: Problems,
    state: State,
    in_call: bool,
}

const NO_TIME: Nanos = Nanos::MIN;
const NO_INDEX: u32 = u32::MAX;

impl People {
    fn new(
        window: Option<Window>,
        rules: RosterRules,
        figures: Arc<Vec<UserFigures>>,
        members: usize,
    ) -> People {
        People {
            records: Vec::with_capacity(members),
            figures,
            window,
            rules,
            ..People::default()
        }
    }

    /// Keeps the member `person`, who must come before every other attendee; `in_call`: one
    /// of their sessions is open (their flags depend on it).
    fn push_member(&mut self, person: &Person, in_call: bool) {
        debug_assert!(self.member_figures.is_empty(), "members come first");
        let at = self.records.len() as u32;
        self.names.push_str(person.user_id);
        self.keep_apart(at, person);
        let index = |value: Option<u32>| value.unwrap_or(NO_INDEX);
        if let Some(user) = person.user {
            self.member_users.push((user.0, at));
        }
        self.records.push(Record {
            attended: person.attended,
            first_join: person.first_join.unwrap_or(NO_TIME),
            last_leave: person.last_leave.unwrap_or(NO_TIME),
            name_end: u32::try_from(self.names.len()).expect("user ids under 4 GB"),
            member: index(person.member.map(|m| m as u32)),
            user: index(person.user.map(|user| user.0)),
            reconnects: person.flags.reconnects,
            problems: person.problems,
            state: person.state,
            in_call,
        });
    }

    /// Every member is kept: what is looked up by user is sorted.
    fn members_done(&mut self) {
        self.member_users.sort_unstable();
    }

    /// Keeps the attendee `person`, who is not a member, read from `figures[figure]`: the
    /// next of the figures that are not a member's.
    fn push_other(&mut self, figure: usize, person: &Person) {
        let at = self.records.len() + figure - self.member_figures.len();
        self.keep_apart(at as u32, person);
    }

    /// What a few people have, kept beside the records by position.
    fn keep_apart(&mut self, at: u32, person: &Person) {
        if person.expected != self.window {
            self.narrowed.push((at, person.expected));
        }
        if person.ring != RingMarks::default() {
            self.rings.push((at, person.ring));
        }
    }

    /// The per-user figures over every stored row that these people are read from.
    pub(crate) fn figures(&self) -> &Arc<Vec<UserFigures>> {
        &self.figures
    }

    /// Whether these people are read from `figures` (the same table, not an equal one).
    #[cfg(test)]
    pub(crate) fn shares(&self, figures: &Arc<Vec<UserFigures>>) -> bool {
        Arc::ptr_eq(&self.figures, figures)
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len() + self.figures.len() - self.member_figures.len()
    }

    /// The user id of the person at `at`, who must exist; `store` is the store classified
    /// from.
    pub(crate) fn user_id<'p>(&'p self, at: usize, store: &'p SessionStore) -> &'p str {
        match at.checked_sub(self.records.len()) {
            None => {
                let start = at
                    .checked_sub(1)
                    .map_or(0, |before| self.records[before].name_end as usize);
                &self.names[start..self.records[at].name_end as usize]
            }
            Some(other) => store.user_name(self.other_figures(other).user),
        }
    }

    /// Where in `figures` the `other`th attendee who is not a member is: `other` plus the
    /// members' figures before it. `member_figures[j] - j` never decreases, so the count of
    /// those before it is a binary search.
    fn other_figures(&self, other: usize) -> &UserFigures {
        let (mut before, mut after) = (0, self.member_figures.len());
        while before < after {
            let mid = before + (after - before) / 2;
            if self.member_figures[mid] as usize - mid <= other {
                before = mid + 1;
            } else {
                after = mid;
            }
        }
        &self.figures[other + before]
    }

    /// The position of the person who is the attendee `user`, if they are one of the people
    /// (a member whose state does not rest on their sessions, as in a purged session, is
    /// not): a search, not a walk over everyone.
    pub(crate) fn position_of_user(&self, user: UserId) -> Option<usize> {
        if let Ok(found) = self
            .member_users
            .binary_search_by_key(&user.0, |(user, _)| *user)
        {
            return Some(self.member_users[found].1 as usize);
        }
        let at = self.figures.binary_search_by_key(&user, |f| f.user).ok()?;
        match self.member_figures.binary_search(&(at as u32)) {
            // A member's figures, but not a member's record (e.g. purged): nobody.
            Ok(_) => None,
            Err(members_before) => Some(self.records.len() + at - members_before),
        }
    }

    /// The position of the member at `member` of the members read, if they are one of the
    /// people (expected, listed once).
    pub(crate) fn position_of_member(&self, member: usize) -> Option<usize> {
        let member = u32::try_from(member).ok()?;
        self.records
            .binary_search_by_key(&member, |r| r.member)
            .ok()
    }

    /// The person at `at`, as classified; `store` is the store classified from.
    pub(crate) fn get<'p>(&'p self, at: usize, store: &'p SessionStore) -> Option<Person<'p>> {
        if at >= self.len() {
            return None;
        }
        let expected = (self
            .narrowed
            .binary_search_by_key(&(at as u32), |(at, _)| *at))
        .map_or(self.window, |found| self.narrowed[found].1);
        let ring = (self.rings.binary_search_by_key(&(at as u32), |(at, _)| *at))
            .map_or(RingMarks::default(), |found| self.rings[found].1);
        let Some(record) = self.records.get(at) else {
            let figures = self.other_figures(at - self.records.len());
            let user_id = store.user_name(figures.user);
            return Some(attendee(
                figures,
                None,
                expected,
                ring,
                &self.rules,
                user_id,
            ));
        };
        let time = |at: Nanos| (at != NO_TIME).then_some(at);
        let index = |value: u32| (value != NO_INDEX).then_some(value);
        let mut person = Person {
            user_id: self.user_id(at, store),
            member: index(record.member).map(|m| m as usize),
            user: index(record.user).map(UserId),
            state: record.state,
            flags: Flags {
                reconnects: record.reconnects,
                ..Flags::default()
            },
            expected,
            attended: record.attended,
            attendance_tenths: None,
            first_join: time(record.first_join),
            last_leave: time(record.last_leave),
            ring,
            problems: record.problems,
        };
        // As classified: an attendee is settled against their expected time (the same code,
        // the same inputs, the same state); someone who never joined has 0 % of it.
        if person.user.is_some() {
            settle(&mut person, record.in_call, &self.rules);
        } else {
            person.attendance_tenths = nobody_tenths(expected);
        }
        Some(person)
    }

    /// Every person, in order; `store` is the store classified from.
    pub(crate) fn iter<'p>(
        &'p self,
        store: &'p SessionStore,
    ) -> impl Iterator<Item = Person<'p>> + 'p {
        (0..self.len()).filter_map(move |at| self.get(at, store))
    }
}

/// How many people are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub(crate) present: usize,
    pub(crate) partial: usize,
    pub(crate) absent: usize,
    pub(crate) rejected: usize,
    pub(crate) missed: usize,
    pub(crate) not_member: usize,
    pub(crate) unknown: usize,
}

/// A count of people with thousands separators (`1,441`), as every count on screen.
pub(crate) fn people(count: usize) -> String {
    super::zone::thousands(i128::try_from(count).unwrap_or(i128::MAX))
}

impl Counts {
    pub fn of(&self, state: State) -> usize {
        match state {
            State::Present => self.present,
            State::Partial => self.partial,
            State::Absent => self.absent,
            State::Rejected => self.rejected,
            State::Missed => self.missed,
            State::NotMember => self.not_member,
            State::Unknown => self.unknown,
        }
    }

    fn add(&mut self, state: State) {
        let count = match state {
            State::Present => &mut self.present,
            State::Partial => &mut self.partial,
            State::Absent => &mut self.absent,
            State::Rejected => &mut self.rejected,
            State::Missed => &mut self.missed,
            State::NotMember => &mut self.not_member,
            State::Unknown => &mut self.unknown,
        };
        *count += 1;
    }

    /// Members expected in the session: everyone but the attendees who are not members.
    pub(crate) fn expected(&self) -> usize {
        self.present + self.partial + self.absent + self.rejected + self.missed + self.unknown
    }
}

/// Who was expected and how each person fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Roster {
    /// Expected members in the order given, then attendees who are not members, by user.
    pub(crate) people: People,
    pub counts: Counts,
    /// The call is live: every state may still change.
    pub(crate) provisional: bool,
    /// The session's details were purged (expired).
    pub(crate) purged: bool,
    pub(crate) ring: RingStatus,
    /// Members removed before the session started or added after it ended.
    pub not_expected: usize,
    /// Members listed more than once by the server; each counts once.
    pub(crate) duplicate_members: usize,
    /// People with at least one row with problems.
    pub(crate) with_problems: usize,
    pub(crate) rules: RosterRules,
    /// The call window classified against (Unix ns), when known: its first day in the
    /// display zone dates the times of other days.
    pub(crate) window: Option<Window>,
}

impl Roster {
    /// The call has no expected member: everyone who attended is listed as not a member.
    pub(crate) fn has_no_members(&self) -> bool {
        self.counts.expected() == 0
    }

    /// `38 of 42 expected present · 3 absent · 1 rejected`, each other state when not zero,
    /// marked provisional while the call is live.
    pub(crate) fn counts_line(&self) -> String {
        let roster = self;
        let counts = roster.counts;
        let mut parts = vec![roster.headline()];
        for state in [
            State::Partial,
            State::Absent,
            State::Rejected,
            State::Missed,
            State::Unknown,
        ] {
            let count = counts.of(state);
            // Said by the headline of a purged session: nobody's attendance is known.
            if count > 0 && !(roster.purged && state == State::Unknown) {
                parts.push(format!("{} {}", people(count), state.label()));
            }
        }
        if counts.not_member > 0 {
            parts.push(format!(
                "{} attended, not {}",
                people(counts.not_member),
                if counts.not_member == 1 {
                    "a member"
                } else {
                    "members"
                }
            ));
        }
        let mut line = parts.join(" · ");
        if roster.provisional {
            line.push_str(" (provisional: the call is live)");
        }
        line
    }

    /// The counts line's head, also the short form the header falls back to:
    /// `38 of 42 expected present`; `no members expected`; for a purged session, whose
    /// attendance nobody can know, `42 expected, attendance unknown: details purged`, never
    /// `0 of 42 expected present`.
    pub(crate) fn headline(&self) -> String {
        let counts = self.counts;
        if self.has_no_members() {
            "no members expected".to_owned()
        } else if self.purged {
            format!(
                "{} expected, attendance unknown: details purged",
                people(counts.expected())
            )
        } else {
            format!(
                "{} of {} expected present",
                people(counts.present),
                people(counts.expected())
            )
        }
    }

    /// What the reader must know to read the states right, in words.
    pub(crate) fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.has_no_members() {
            notes.push("this call has no members: everyone who attended is listed".to_owned());
        }
        if self.provisional {
            notes.push("the call is live: every state is provisional".to_owned());
        }
        if self.purged {
            notes.push(
                "details purged: Stream keeps participant sessions for 90 days, so attendance \
                 is unknown"
                    .to_owned(),
            );
        }
        match self.ring {
            RingStatus::Known => {}
            RingStatus::EarlierSession => notes.push(
                "ring outcomes are known for the call's current session only: for this earlier \
                 session, members who never joined are absent, whether or not they rejected or \
                 missed a ring"
                    .to_owned(),
            ),
            RingStatus::NotReported => notes.push(
                "Stream reported no ring outcomes: members who never joined are absent".to_owned(),
            ),
        }
        if self.with_problems > 0 {
            notes.push(format!(
                "{} {} rows with problems: {} attended time counts them as the attendance \
                 definitions say",
                self.with_problems,
                if self.with_problems == 1 {
                    "person has"
                } else {
                    "people have"
                },
                if self.with_problems == 1 {
                    "their"
                } else {
                    "each one's"
                },
            ));
        }
        if self.not_expected > 0 {
            notes.push(format!(
                "{} member{} removed before the session or added after it {} not expected",
                self.not_expected,
                if self.not_expected == 1 { "" } else { "s" },
                if self.not_expected == 1 { "is" } else { "are" },
            ));
        }
        notes
    }
}

/// A roster, or why there cannot be one.
#[derive(Debug, Clone, PartialEq)]
pub enum Classification {
    Classified(Box<Roster>),
    /// Every reason, in the order filter, sessions, members.
    Unclassified(Vec<Unclassifiable>),
}

/// Classifies every member of `input` and every attendee of `store`.
///
/// `shared` are the per-user figures over every stored row at `now`, computed with the same
/// thresholds as `input.rules.thresholds` (ordered by user, as
/// [`user_figures`](super::user_figures) returns them); the roster keeps them to read its
/// attendees who are not members. Members are matched to attendees by `user_id`.
pub fn classify<'a>(
    input: &RosterInput<'a>,
    store: &'a SessionStore,
    shared: &Arc<Vec<UserFigures>>,
    now: Nanos,
) -> Classification {
    let figures: &[UserFigures] = shared;
    let reasons = unclassifiable(&input.read, store, figures, now);
    if !reasons.is_empty() {
        return Classification::Unclassified(reasons);
    }
    let state = store.state(now);
    let live = state == Some(CallState::Live);
    let purged = state == Some(CallState::Expired);
    let window = store.window(now);
    let figure_of = index_figures(store, figures);
    let mut roster = Roster {
        people: People::default(),
        counts: Counts::default(),
        provisional: live,
        purged,
        ring: input.ring.status(),
        not_expected: 0,
        duplicate_members: 0,
        with_problems: 0,
        rules: input.rules,
        window,
    };
    let mut members = Vec::with_capacity(input.members.len());
    let mut is_member = vec![false; store.user_count()];
    let mut seen = HashSet::with_capacity(input.members.len());
    let mut narrowed = Vec::new();
    for (index, member) in input.members.iter().enumerate() {
        if !seen.insert(member.user_id) {
            roster.duplicate_members += 1;
            continue;
        }
        let user = store.find_user(member.user_id);
        let Some(expected) = expected_window(member, window, live) else {
            roster.not_expected += 1;
            continue;
        };
        let figures = user.and_then(&figure_of).map(|i| &figures[i]);
        if let Some(user) = user {
            is_member[user.index()] = true;
        }
        let ring = input.ring.marks(member.user_id);
        let person = match figures {
            _ if purged => unknown(member.user_id, index, expected, ring),
            None => never_joined(input, member.user_id, index, expected, ring),
            Some(figures) => {
                if expected.is_some_and(|e| Some(e) != window) {
                    narrowed.push(members.len());
                }
                attendee(
                    figures,
                    Some(index),
                    expected,
                    ring,
                    &input.rules,
                    member.user_id,
                )
            }
        };
        members.push(person);
    }
    measure_narrowed(
        &mut members,
        &narrowed,
        store,
        figures,
        &figure_of,
        now,
        &input.rules,
    );
    let mut people = People::new(window, input.rules, Arc::clone(shared), members.len());
    let mut count = |person: &Person| {
        roster.counts.add(person.state);
        roster.with_problems += usize::from(!person.problems.is_empty());
    };
    for person in &members {
        let in_call = (person.user)
            .and_then(&figure_of)
            .is_some_and(|i| figures[i].in_call_now());
        count(person);
        people.push_member(person, in_call);
    }
    people.members_done();
    for (at, figures) in figures.iter().enumerate() {
        if is_member[figures.user.index()] {
            people.member_figures.push(at as u32);
            continue;
        }
        let name = store.user_name(figures.user);
        let ring = input.ring.marks(name);
        let person = attendee(figures, None, window, ring, &input.rules, name);
        count(&person);
        people.push_other(at, &person);
    }
    roster.people = people;
    Classification::Classified(Box::new(roster))
}

/// Every reason the read cannot be classified.
fn unclassifiable(
    read: &ReadFacts,
    store: &SessionStore,
    figures: &[UserFigures],
    now: Nanos,
) -> Vec<Unclassifiable> {
    let mut reasons = Vec::new();
    if let Some(filter) = &read.filter {
        reasons.push(Unclassifiable::Filtered(filter.clone()));
    }
    if let Some(why) = &read.sessions_shortfall {
        reasons.push(Unclassifiable::SessionsIncomplete(why.clone()));
    } else if store.state(now).is_none() {
        reasons.push(Unclassifiable::NothingRead);
    } else if !figures.is_empty() && store.window(now).is_none() {
        reasons.push(Unclassifiable::StartUnknown);
    }
    if let Some(why) = &read.members_shortfall {
        reasons.push(Unclassifiable::MembersIncomplete(why.clone()));
    }
    reasons
}

/// The position of each user's figures, by user.
fn index_figures<'f>(
    store: &SessionStore,
    figures: &'f [UserFigures],
) -> impl Fn(UserId) -> Option<usize> + 'f {
    let mut position = vec![u32::MAX; store.user_count()];
    for (at, figure) in figures.iter().enumerate() {
        if let Some(slot) = position.get_mut(figure.user.index()) {
            *slot = at as u32;
        }
    }
    move |user: UserId| {
        position
            .get(user.index())
            .filter(|at| **at != u32::MAX)
            .map(|at| *at as usize)
    }
}

/// The member's expected time within the call window: `Some(None)` when the window is not
/// known (nobody joined and no session start was reported), `None` when not expected at all.
fn expected_window(
    member: &ExpectedMember,
    window: Option<Window>,
    live: bool,
) -> Option<Option<Window>> {
    let Some(window) = window else {
        return Some(None);
    };
    let removed_before = member.deleted_at.is_some_and(|at| at <= window.start);
    let added_after = member.created_at.is_some_and(|at| {
        if live {
            at > window.end
        } else {
            at >= window.end && !window.is_empty()
        }
    });
    if removed_before || added_after {
        return None;
    }
    let clamp = |at: Nanos| at.clamp(window.start, window.end);
    let start = member.created_at.map_or(window.start, clamp);
    let end = member.deleted_at.map_or(window.end, clamp);
    Some(Some(Window {
        start,
        end: end.max(start),
    }))
}

fn unknown(user_id: &str, index: usize, expected: Option<Window>, ring: RingMarks) -> Person<'_> {
    Person {
        state: State::Unknown,
        ..nobody(user_id, index, expected, ring)
    }
}

fn never_joined<'a>(
    input: &RosterInput,
    user_id: &'a str,
    index: usize,
    expected: Option<Window>,
    ring: RingMarks,
) -> Person<'a> {
    let caller = input.created_by == Some(user_id);
    let state = if ring.rejected.is_some() && !caller {
        State::Rejected
    } else if ring.missed.is_some() {
        State::Missed
    } else {
        State::Absent
    };
    Person {
        state,
        ..nobody(user_id, index, expected, ring)
    }
}

fn nobody(user_id: &str, index: usize, expected: Option<Window>, ring: RingMarks) -> Person<'_> {
    Person {
        user_id,
        member: Some(index),
        user: None,
        state: State::Absent,
        flags: Flags::default(),
        expected,
        attended: 0,
        attendance_tenths: nobody_tenths(expected),
        first_join: None,
        last_leave: None,
        ring,
        problems: Problems::NONE,
    }
}

/// An attendee, measured over `expected` with the figures' attended time (exact when
/// `expected` is the call window; [`measure_narrowed`] corrects the others).
/// The attendance of someone who never joined: 0 % of an expected time of a second or more.
fn nobody_tenths(expected: Option<Window>) -> Option<u16> {
    expected.and_then(|e| percent_tenths(0, e.len() / NANOS_PER_SEC))
}

fn attendee<'a>(
    figures: &UserFigures,
    member: Option<usize>,
    expected: Option<Window>,
    ring: RingMarks,
    rules: &RosterRules,
    user_id: &'a str,
) -> Person<'a> {
    let mut person = Person {
        user_id,
        member,
        user: Some(figures.user),
        state: State::NotMember,
        flags: Flags {
            reconnects: figures.reconnects,
            ..Flags::default()
        },
        expected,
        attended: figures.attended,
        attendance_tenths: None,
        first_join: figures.first_join(),
        last_leave: figures.last_leave(),
        ring,
        problems: figures.problems,
    };
    settle(&mut person, figures.in_call_now(), rules);
    person
}

/// Sets the state, percentage and timing flags from `attended` and `expected`.
fn settle(person: &mut Person, in_call: bool, rules: &RosterRules) {
    // Only a session whose start is unknown leaves the window unknown, and `classify` then
    // measures no attendee.
    let Some(expected) = person.expected else {
        return;
    };
    person.attendance_tenths = percent_tenths(
        person.attended / NANOS_PER_SEC,
        expected.len() / NANOS_PER_SEC,
    );
    if person.member.is_some() {
        let reached = match person.attendance_tenths {
            Some(tenths) => tenths >= rules.present.tenths(),
            // An expected time under a second: any attendance meets it.
            None => person.attended > 0 || in_call,
        };
        person.state = if reached {
            State::Present
        } else {
            State::Partial
        };
    }
    let thresholds = &rules.thresholds;
    person.flags.late = person
        .first_join
        .map(|first| first - expected.start)
        .filter(|late| *late > thresholds.late_grace);
    person.flags.left_early = person
        .last_leave
        .filter(|_| !in_call)
        .map(|last| expected.end - last)
        .filter(|early| *early > thresholds.early_grace);
}

/// Re-measures the members whose expected time is shorter than the call window (added late
/// or removed during the session): the union of their sessions clipped to it, never more than
/// the figures' attended time. One pass over the stored rows serves them all.
fn measure_narrowed(
    people: &mut [Person],
    narrowed: &[usize],
    store: &SessionStore,
    figures: &[UserFigures],
    figure_of: &impl Fn(UserId) -> Option<usize>,
    now: Nanos,
    rules: &RosterRules,
) {
    if narrowed.is_empty() {
        return;
    }
    // Each narrowed attendee's slot, by user: one array lookup per row, no tree or hash.
    let mut slot = vec![u32::MAX; store.user_count()];
    let mut wanted: Vec<(UserId, usize)> = Vec::with_capacity(narrowed.len());
    for &at in narrowed {
        if let Some(user) = people[at].user {
            slot[user.index()] = wanted.len() as u32;
            wanted.push((user, at));
        }
    }
    let ctx = store.row_context(now);
    let mut spans: Vec<Vec<Span>> = vec![Vec::new(); wanted.len()];
    for id in store.row_ids() {
        let row = store.row(id);
        let Some(&at) = slot.get(row.user as usize).filter(|at| **at != u32::MAX) else {
            continue;
        };
        if let Some(span) = Span::of(&row.counted(&ctx)) {
            spans[at as usize].push(span);
        }
    }
    for ((user, at), mut own) in wanted.into_iter().zip(spans) {
        let person = &mut people[at];
        own.sort_unstable_by_key(|span| span.start);
        let merged = merge_sorted(&own, person.expected, rules.thresholds.reconnect_gap);
        let cap = figure_of(user).map_or(Nanos::MAX, |i| figures[i].attended);
        person.attended = merged.attended.min(cap);
        let in_call = figure_of(user).is_some_and(|i| figures[i].in_call_now());
        settle(person, in_call, rules);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{MIN, SEC, T0, closed, ended_call, open, page, session, store_of};
    use super::super::users::user_figures;
    use super::*;
    use crate::api::models::ParticipantSessionDetails;
    use crate::attendance::RowProblem;

    const AFTER: Nanos = T0 + 120 * MIN;

    /// A member added `added` after `T0` (before the session when `None`).
    fn member(user_id: &str, added: Option<Nanos>, removed: Option<Nanos>) -> ExpectedMember<'_> {
        ExpectedMember {
            user_id,
            role: Some("user"),
            created_at: Some(added.map_or(T0 - 86_400 * SEC, |at| T0 + at)),
            deleted_at: removed.map(|at| T0 + at),
        }
    }

    fn ring_map(users: &[&str]) -> RingMap {
        users
            .iter()
            .map(|u| (u.to_string(), Some(T0 + 5 * SEC)))
            .collect()
    }

    fn input<'a>(members: &'a [ExpectedMember<'a>], ring: RingKnowledge<'a>) -> RosterInput<'a> {
        RosterInput {
            members,
            ring,
            created_by: Some("host"),
            read: ReadFacts::complete(),
            rules: RosterRules::default(),
        }
    }

    fn run<'a>(input: &RosterInput<'a>, store: &'a SessionStore, now: Nanos) -> Roster {
        let figures = user_figures(
            store,
            &store.row_ids().collect::<Vec<_>>(),
            now,
            &input.rules.thresholds,
        );
        match classify(input, store, &Arc::new(figures), now) {
            Classification::Classified(roster) => *roster,
            Classification::Unclassified(why) => panic!("unclassified: {why:?}"),
        }
    }

    fn person<'r>(roster: &'r Roster, store: &'r SessionStore, user_id: &str) -> Person<'r> {
        roster
            .people
            .iter(store)
            .find(|p| p.user_id == user_id)
            .unwrap_or_else(|| panic!("{user_id} is not listed"))
    }

    fn states<'r>(roster: &'r Roster, store: &'r SessionStore) -> Vec<(&'r str, State)> {
        roster
            .people
            .iter(store)
            .map(|p| (p.user_id, p.state))
            .collect()
    }

    #[test]
    fn a_person_is_kept_as_one_small_record_and_their_user_id() {
        // 807,000 attendees in the `huge` scenario: each byte here is most of a megabyte.
        assert!(std::mem::size_of::<Record>() <= 48);
        let store = ended_call(vec![
            closed("alice", "a", 0, 60 * MIN),
            closed("guest", "g", 10 * MIN, 20 * MIN),
        ]);
        let members = [
            member("alice", Some(30 * MIN), None),
            member("carol", None, None),
        ];
        let ring = ring_map(&["carol"]);
        let known = RingKnowledge::Known {
            accepted: None,
            rejected: None,
            missed: Some(&ring),
        };
        let roster = run(&input(&members, known), &store, AFTER);
        assert_eq!(roster.people.len(), 3);
        let listed: Vec<(&str, Option<usize>, State)> = (roster.people.iter(&store))
            .map(|p| (p.user_id, p.member, p.state))
            .collect();
        assert_eq!(
            listed,
            [
                ("alice", Some(0), State::Present),
                ("carol", Some(1), State::Missed),
                ("guest", None, State::NotMember),
            ]
        );
        let alice = person(&roster, &store, "alice");
        assert_eq!(
            alice.expected.map(|e| e.start),
            Some(T0 + 30 * MIN),
            "a member added during the session keeps their own expected time"
        );
        assert_eq!(alice.attended, 30 * MIN);
        assert!(person(&roster, &store, "carol").ring.missed.is_some());
        let guest = person(&roster, &store, "guest");
        assert_eq!(guest.expected, roster.window);
        assert_eq!(guest.attendance_tenths, Some(167));
        assert!(guest.flags.late.is_some() && guest.flags.left_early.is_some());
    }

    #[test]
    fn attendees_who_are_not_members_are_read_from_the_shared_figures_in_user_order() {
        // Members among the attendees: the others are the figures around them, each read
        // back as classified, and the roster holds the figures themselves, not a copy.
        let store = ended_call(vec![
            closed("ann", "a", 0, 60 * MIN),
            closed("bob", "b", 0, 10 * MIN),
            closed("cat", "c", 5 * MIN, 50 * MIN),
            closed("dan", "d", 0, 60 * MIN),
            closed("eve", "e", 30 * MIN, 40 * MIN),
        ]);
        let members = [member("dan", None, None), member("bob", None, None)];
        let figures = Arc::new(user_figures(
            &store,
            &store.row_ids().collect::<Vec<_>>(),
            AFTER,
            &RosterRules::default().thresholds,
        ));
        let input = input(&members, RingKnowledge::NotReported);
        let Classification::Classified(roster) = classify(&input, &store, &figures, AFTER) else {
            panic!("classified");
        };
        assert!(roster.people.shares(&figures));
        let listed: Vec<(&str, Option<usize>, State, Option<u16>)> = (roster.people.iter(&store))
            .map(|p| (p.user_id, p.member, p.state, p.attendance_tenths))
            .collect();
        assert_eq!(
            listed,
            [
                ("dan", Some(0), State::Present, Some(1000)),
                ("bob", Some(1), State::Partial, Some(167)),
                ("ann", None, State::NotMember, Some(1000)),
                ("cat", None, State::NotMember, Some(750)),
                ("eve", None, State::NotMember, Some(167)),
            ]
        );
        assert_eq!(roster.people.get(5, &store), None);
        assert_eq!(roster.counts.not_member, 3);
        let cat = person(&roster, &store, "cat");
        assert_eq!(cat.user, store.find_user("cat"));
        assert_eq!(cat.attended, 45 * MIN);
        assert_eq!(
            (cat.flags.late, cat.flags.left_early),
            (None, Some(10 * MIN))
        );
    }

    #[test]
    fn attendees_who_are_not_members_take_their_user_ids_from_the_store() {
        // 807,000 attendees in the `huge` scenario: a copy of each one's user id would be
        // about 18 MB. Only members, who may never have joined, keep theirs.
        let store = ended_call(vec![
            closed("ann", "a", 0, 60 * MIN),
            closed("bob", "b", 0, 10 * MIN),
            closed("cat", "c", 5 * MIN, 50 * MIN),
        ]);
        let members = [member("bob", None, None), member("zed", None, None)];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        assert_eq!(roster.people.names, "bobzed");
        let ids: Vec<&str> = (0..roster.people.len())
            .map(|at| roster.people.user_id(at, &store))
            .collect();
        assert_eq!(ids, ["bob", "zed", "ann", "cat"]);
    }

    #[test]
    fn a_person_is_found_by_user_or_by_member_as_a_walk_over_everyone_finds_them() {
        // The user detail and a member's detail look one person up on every draw: at a
        // million people a walk over all of them per frame is too slow, so they are searched.
        let store = ended_call(vec![
            closed("ann", "a", 0, 60 * MIN),
            closed("bob", "b", 0, 10 * MIN),
            closed("cat", "c", 5 * MIN, 50 * MIN),
            closed("dan", "d", 0, 60 * MIN),
            closed("eve", "e", 30 * MIN, 40 * MIN),
        ]);
        let members = [
            member("dan", None, None),
            member("gone", None, Some(0)),
            member("bob", None, None),
            member("dan", None, None),
            member("zed", None, None),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        let people = &roster.people;
        for name in ["ann", "bob", "cat", "dan", "eve"] {
            let user = store.find_user(name).unwrap();
            let walked = people.iter(&store).position(|p| p.user == Some(user));
            assert_eq!(people.position_of_user(user), walked, "{name}");
            assert_eq!(people.get(walked.unwrap(), &store).unwrap().user_id, name);
        }
        for member in 0..=members.len() {
            let walked = people.iter(&store).position(|p| p.member == Some(member));
            assert_eq!(people.position_of_member(member), walked, "member {member}");
        }
        assert_eq!(
            people.position_of_member(4),
            Some(2),
            "zed, who never joined"
        );
        assert_eq!(
            people.position_of_member(1),
            None,
            "removed before the session"
        );
        assert_eq!(
            people.position_of_member(3),
            None,
            "dan is listed once, as member 0"
        );
    }

    #[test]
    fn the_counts_line_groups_thousands_as_every_count_on_screen() {
        let store = ended_call(vec![closed("alice", "a", 0, 60 * MIN)]);
        let members = [member("alice", None, None)];
        let mut roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        roster.counts = Counts {
            present: 1441,
            partial: 1200,
            absent: 658,
            not_member: 12_345,
            ..Counts::default()
        };
        assert_eq!(
            roster.counts_line(),
            "1,441 of 3,299 expected present · 1,200 partial · 658 absent · 12,345 attended, \
             not members"
        );
    }

    #[test]
    fn each_person_gets_one_state_members_first() {
        let store = ended_call(vec![
            closed("alice", "a", 0, 60 * MIN),
            closed("bob", "b", 0, 30 * MIN),
            closed("guest", "g", 10 * MIN, 20 * MIN),
        ]);
        let members = [
            member("alice", None, None),
            member("bob", None, None),
            member("carol", None, None),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        assert_eq!(
            states(&roster, &store),
            [
                ("alice", State::Present),
                ("bob", State::Partial),
                ("carol", State::Absent),
                ("guest", State::NotMember),
            ]
        );
        let bob = person(&roster, &store, "bob");
        assert_eq!(bob.attended, 30 * MIN);
        assert_eq!(bob.attendance_percent(), Some(50.0));
        assert_eq!(bob.member, Some(1));
        assert_eq!(
            person(&roster, &store, "carol").attendance_percent(),
            Some(0.0)
        );
        assert_eq!(person(&roster, &store, "guest").member, None);
        let counts = roster.counts;
        assert_eq!(
            (
                counts.present,
                counts.partial,
                counts.absent,
                counts.not_member
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(counts.expected(), 3);
        assert!(!roster.provisional && !roster.purged && !roster.has_no_members());
    }

    #[test]
    fn the_threshold_is_met_by_the_percentage_as_shown() {
        let store = ended_call(vec![
            closed("dave", "d", 0, 48 * MIN),
            closed("erin", "e", 0, 48 * MIN - SEC),
            closed("finn", "f", 0, 48 * MIN - 2 * SEC),
        ]);
        let members = [
            member("dave", None, None),
            member("erin", None, None),
            member("finn", None, None),
        ];
        let mut input = input(&members, RingKnowledge::NotReported);
        let roster = run(&input, &store, AFTER);
        let shown = |user: &str| {
            let person = person(&roster, &store, user);
            (person.attendance_percent(), person.state)
        };
        assert_eq!(shown("dave"), (Some(80.0), State::Present), "48 of 60 min");
        assert_eq!(
            shown("erin"),
            (Some(80.0), State::Present),
            "47:59 is 79.97 %, shown 80.0 %"
        );
        assert_eq!(
            shown("finn"),
            (Some(79.9), State::Partial),
            "47:58 is 79.94 %, shown 79.9 %"
        );
        input.rules.present = PresentThreshold::parse("79.9%").unwrap();
        let roster = run(&input, &store, AFTER);
        assert_eq!(person(&roster, &store, "finn").state, State::Present);
    }

    #[test]
    fn ring_outcomes_count_only_for_members_who_never_joined() {
        let store = ended_call(vec![
            closed("hana", "h", 0, 60 * MIN),
            closed("host", "x", 0, 60 * MIN),
        ]);
        let members = [
            member("frank", None, None),
            member("gina", None, None),
            member("hana", None, None),
            member("ivan", None, None),
            member("jon", None, None),
            member("host", None, None),
        ];
        let (accepted, rejected, missed) = (
            ring_map(&["ivan"]),
            ring_map(&["frank", "hana", "jon", "host"]),
            ring_map(&["gina", "jon"]),
        );
        let ring = RingKnowledge::Known {
            accepted: Some(&accepted),
            rejected: Some(&rejected),
            missed: Some(&missed),
        };
        let roster = run(&input(&members, ring), &store, AFTER);
        assert_eq!(
            states(&roster, &store),
            [
                ("frank", State::Rejected),
                ("gina", State::Missed),
                ("hana", State::Present),
                ("ivan", State::Absent),
                ("jon", State::Rejected),
                ("host", State::Present),
            ],
            "rejected then joined is present; accepted and never came is absent; \
             rejected wins over missed"
        );
        let hana = person(&roster, &store, "hana");
        assert_eq!(
            hana.ring.rejected,
            Some(Rung {
                at: Some(T0 + 5 * SEC)
            })
        );
        assert_eq!(
            person(&roster, &store, "ivan").ring.accepted.map(|r| r.at),
            Some(Some(T0 + 5 * SEC))
        );
        assert_eq!((roster.counts.rejected, roster.counts.missed), (2, 1));
        assert_eq!(roster.ring, RingStatus::Known);
        assert!(roster.notes().is_empty(), "{:?}", roster.notes());
    }

    #[test]
    fn the_caller_is_never_counted_as_rejected() {
        let store = ended_call(vec![closed("alice", "a", 0, 60 * MIN)]);
        let members = [member("host", None, None), member("alice", None, None)];
        let (rejected, missed) = (ring_map(&["host"]), RingMap::new());
        let ring = RingKnowledge::Known {
            accepted: None,
            rejected: Some(&rejected),
            missed: Some(&missed),
        };
        let roster = run(&input(&members, ring), &store, AFTER);
        assert_eq!(person(&roster, &store, "host").state, State::Absent);
        let missed = ring_map(&["host"]);
        let ring = RingKnowledge::Known {
            accepted: None,
            rejected: Some(&rejected),
            missed: Some(&missed),
        };
        let roster = run(&input(&members, ring), &store, AFTER);
        assert_eq!(person(&roster, &store, "host").state, State::Missed);
    }

    #[test]
    fn an_earlier_session_has_no_ring_outcomes_and_says_so() {
        let store = ended_call(vec![closed("alice", "a", 0, 60 * MIN)]);
        let members = [member("alice", None, None), member("frank", None, None)];
        let roster = run(
            &input(&members, RingKnowledge::EarlierSession),
            &store,
            AFTER,
        );
        assert_eq!(person(&roster, &store, "frank").state, State::Absent);
        assert_eq!(person(&roster, &store, "frank").ring, RingMarks::default());
        assert_eq!(roster.ring, RingStatus::EarlierSession);
        let notes = roster.notes().join("\n");
        assert!(notes.contains("current session only"), "{notes}");
    }

    #[test]
    fn ring_knowledge_comes_from_the_current_session_of_get_call() {
        let call: Call = serde_json::from_value(serde_json::json!({
            "type": "default", "id": "c", "cid": "default:c", "current_session_id": "now",
            "session": {"id": "now", "accepted_by": {"a": T0}, "rejected_by": {}, "missed_by": null}
        }))
        .unwrap();
        assert!(matches!(
            RingKnowledge::of(&call, "now"),
            RingKnowledge::Known { missed: None, .. }
        ));
        assert_eq!(
            RingKnowledge::of(&call, "before"),
            RingKnowledge::EarlierSession
        );
        let silent: Call = serde_json::from_value(serde_json::json!({
            "type": "default", "id": "c", "cid": "default:c", "current_session_id": "now",
            "session": {"id": "now", "accepted_by": null}
        }))
        .unwrap();
        assert_eq!(
            RingKnowledge::of(&silent, "now"),
            RingKnowledge::NotReported
        );
    }

    #[test]
    fn a_member_added_late_is_measured_from_that_instant() {
        let store = ended_call(vec![
            closed("kim", "k1", 30 * MIN, 60 * MIN),
            closed("lee", "l1", 0, 30 * MIN),
            closed("mo", "m1", 0, 15 * MIN),
            closed("mo", "m2", 40 * MIN, 60 * MIN),
            closed("ned", "n1", 50 * MIN, 60 * MIN),
        ]);
        let members = [
            member("kim", Some(30 * MIN), None),
            member("lee", Some(30 * MIN), None),
            member("mo", Some(30 * MIN), None),
            member("ned", Some(30 * MIN), None),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        let kim = person(&roster, &store, "kim");
        assert_eq!(
            kim.expected,
            Some(Window {
                start: T0 + 30 * MIN,
                end: T0 + 60 * MIN
            })
        );
        assert_eq!(
            (kim.state, kim.attendance_percent()),
            (State::Present, Some(100.0))
        );
        assert_eq!(kim.flags.late, None, "on time for when they were added");
        let lee = person(&roster, &store, "lee");
        assert_eq!(
            (lee.state, lee.attended),
            (State::Partial, 0),
            "joined only before being added"
        );
        let mo = person(&roster, &store, "mo");
        assert_eq!(
            mo.attended,
            20 * MIN,
            "only the time after being added counts"
        );
        assert_eq!(mo.state, State::Partial);
        let ned = person(&roster, &store, "ned");
        assert_eq!(
            ned.flags.late,
            Some(20 * MIN),
            "late is measured from being added"
        );
    }

    #[test]
    fn members_removed_before_the_start_or_added_after_the_end_are_not_expected() {
        let store = ended_call(vec![
            closed("olga", "o", 0, 60 * MIN),
            closed("pia", "p", 0, 60 * MIN),
        ]);
        let members = [
            member("olga", None, Some(-MIN)),
            member("quinn", None, Some(0)),
            member("rui", Some(60 * MIN), None),
            member("pia", None, Some(30 * MIN)),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        assert_eq!(
            states(&roster, &store),
            [("pia", State::Present), ("olga", State::NotMember)],
            "removed at the start is not expected; attending then is not as a member"
        );
        assert_eq!(roster.not_expected, 3);
        let pia = person(&roster, &store, "pia");
        assert_eq!(
            pia.expected.unwrap().end,
            T0 + 30 * MIN,
            "measured until removed"
        );
        assert_eq!(pia.flags.left_early, None);
        assert!(
            roster
                .notes()
                .iter()
                .any(|n| n.contains("3 members removed"))
        );
    }

    #[test]
    fn a_call_without_members_lists_every_attendee_and_says_so() {
        let store = ended_call(vec![
            closed("alice", "a", 0, 60 * MIN),
            closed("bob", "b", 0, 10 * MIN),
        ]);
        let roster = run(&input(&[], RingKnowledge::NotReported), &store, AFTER);
        assert_eq!(
            states(&roster, &store),
            [("alice", State::NotMember), ("bob", State::NotMember)]
        );
        assert!(roster.has_no_members());
        assert_eq!(
            roster.notes()[0],
            "this call has no members: everyone who attended is listed"
        );
        assert_eq!(
            person(&roster, &store, "bob").attendance_percent(),
            Some(16.7)
        );
    }

    #[test]
    fn a_live_call_is_provisional_and_measured_to_now() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![open("alice", "a", 0), closed("bob", "b", 0, 5 * MIN)],
        ));
        let members = [
            member("alice", None, None),
            member("bob", None, None),
            member("carol", None, None),
        ];
        let now = T0 + 20 * MIN;
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, now);
        assert!(roster.provisional);
        assert!(roster.notes().iter().any(|n| n.contains("provisional")));
        let alice = person(&roster, &store, "alice");
        assert_eq!((alice.state, alice.attended), (State::Present, 20 * MIN));
        assert_eq!((alice.last_leave, alice.flags.left_early), (None, None));
        let bob = person(&roster, &store, "bob");
        assert_eq!(
            (bob.state, bob.flags.left_early),
            (State::Partial, Some(15 * MIN))
        );
        assert_eq!(
            person(&roster, &store, "carol").state,
            State::Absent,
            "not joined yet"
        );
    }

    #[test]
    fn flags_carry_their_numbers_and_the_graces_are_strict() {
        let store = ended_call(vec![
            closed("sam", "s1", 5 * MIN, 20 * MIN),
            closed("sam", "s2", 20 * MIN + 30 * SEC, 55 * MIN),
            closed("tia", "t1", 5 * MIN + SEC, 55 * MIN - SEC),
        ]);
        let members = [member("sam", None, None), member("tia", None, None)];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        let sam = person(&roster, &store, "sam");
        assert_eq!(
            sam.flags,
            Flags {
                late: None,
                left_early: None,
                reconnects: 1
            }
        );
        let tia = person(&roster, &store, "tia");
        assert_eq!(tia.flags.late, Some(5 * MIN + SEC));
        assert_eq!(tia.flags.left_early, Some(5 * MIN + SEC));
        assert_eq!(tia.flags.reconnects, 0);
    }

    #[test]
    fn a_filtered_or_incomplete_read_cannot_be_classified_and_says_why() {
        let store = ended_call(vec![closed("alice", "a", 0, 60 * MIN)]);
        let members = [member("alice", None, None)];
        let mut input = input(&members, RingKnowledge::NotReported);
        input.read = ReadFacts {
            sessions_shortfall: Some("paging stopped at the page cap".into()),
            members_shortfall: Some("Stream repeated a cursor".into()),
            filter: Some("publisher:rtmp".into()),
        };
        let figures = user_figures(
            &store,
            &store.row_ids().collect::<Vec<_>>(),
            AFTER,
            &Thresholds::default(),
        );
        let Classification::Unclassified(why) = classify(&input, &store, &Arc::new(figures), AFTER)
        else {
            panic!("classified a filtered read")
        };
        let text: Vec<String> = why.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].contains("filter (publisher:rtmp)") && text[0].contains("clear the filter")
        );
        assert!(text[1].contains("page cap"));
        assert!(text[2].contains("members were not all read"));
        let empty = SessionStore::new();
        input.read = ReadFacts::complete();
        assert_eq!(
            classify(&input, &empty, &Arc::default(), AFTER),
            Classification::Unclassified(vec![Unclassifiable::NothingRead])
        );
    }

    #[test]
    fn an_expired_session_lists_members_as_unknown() {
        let mut purged = page(
            Some(session(Some(0), Some(60 * MIN))),
            Vec::<ParticipantSessionDetails>::new(),
        );
        purged.total_participant_sessions = Some(40);
        let store = store_of(purged);
        let members = [member("alice", None, None), member("frank", None, None)];
        let rejected = ring_map(&["frank"]);
        let ring = RingKnowledge::Known {
            accepted: None,
            rejected: Some(&rejected),
            missed: None,
        };
        let later = T0 + 100 * 86_400 * SEC;
        let roster = run(&input(&members, ring), &store, later);
        assert!(roster.purged);
        assert_eq!(
            states(&roster, &store),
            [("alice", State::Unknown), ("frank", State::Unknown)]
        );
        assert_eq!(State::Unknown.label(), "unknown: details purged");
        assert!(
            person(&roster, &store, "frank").ring.rejected.is_some(),
            "the ring outcome is still shown"
        );
        assert!(roster.notes().iter().any(|n| n.contains("details purged")));
        // Nobody's attendance is known: never "0 of 2 expected present".
        assert_eq!(
            roster.counts_line(),
            "2 expected, attendance unknown: details purged"
        );
    }

    #[test]
    fn a_member_listed_twice_counts_once() {
        let store = ended_call(vec![closed("alice", "a", 0, 60 * MIN)]);
        let members = [
            member("alice", None, None),
            member("carol", None, None),
            member("alice", None, None),
            member("carol", None, None),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, AFTER);
        assert_eq!(
            states(&roster, &store),
            [("alice", State::Present), ("carol", State::Absent)]
        );
        assert_eq!(roster.duplicate_members, 2);
    }

    #[test]
    fn rows_with_problems_count_as_in_the_figures_and_are_noted() {
        let mut lost_leave = open("uma", "u1", 10 * MIN);
        lost_leave.roles = vec!["user".into()];
        let store = ended_call(vec![
            lost_leave,
            closed("vic", "v1", 0, 60 * MIN),
            ParticipantSessionDetails {
                duration_in_seconds: Some(-5),
                ..closed("vic", "v2", 10 * MIN, 20 * MIN)
            },
        ]);
        let members = [member("uma", None, None), member("vic", None, None)];
        let input = input(&members, RingKnowledge::NotReported);
        let roster = run(&input, &store, AFTER);
        let figures = user_figures(
            &store,
            &store.row_ids().collect::<Vec<_>>(),
            AFTER,
            &input.rules.thresholds,
        );
        for person in roster.people.iter(&store) {
            let own = figures
                .iter()
                .find(|f| Some(f.user) == person.user)
                .unwrap();
            assert_eq!(
                (person.attended, person.attendance_tenths, person.problems),
                (own.attended, own.attendance_tenths(), own.problems),
                "{}: the figures the users table shows",
                person.user_id
            );
        }
        let uma = person(&roster, &store, "uma");
        assert_eq!(
            (uma.state, uma.attended, uma.attendance_percent()),
            (State::Present, 50 * MIN, Some(83.3)),
            "a leave not recorded counts until the session's end"
        );
        assert!(uma.problems.contains(RowProblem::LeaveNotRecorded));
        assert_eq!(uma.last_leave, Some(T0 + 60 * MIN));
        let vic = person(&roster, &store, "vic");
        assert_eq!((vic.state, vic.attended), (State::Present, 60 * MIN));
        assert!(vic.problems.contains(RowProblem::NegativeDuration));
        assert_eq!(roster.with_problems, 2);
        let notes = roster.notes().join("\n");
        assert!(
            notes.contains("2 people have rows with problems"),
            "{notes}"
        );
    }

    #[test]
    fn attendees_with_no_session_start_cannot_be_classified() {
        let unplaced = ParticipantSessionDetails {
            joined_at: None,
            left_at: None,
            ..closed("alice", "a", 0, 60 * MIN)
        };
        let store = store_of(page(Some(session(None, None)), vec![unplaced]));
        let members = [member("alice", None, None), member("carol", None, None)];
        let input = input(&members, RingKnowledge::NotReported);
        let figures = user_figures(
            &store,
            &store.row_ids().collect::<Vec<_>>(),
            AFTER,
            &input.rules.thresholds,
        );
        assert_eq!(figures.len(), 1);
        let Classification::Unclassified(why) = classify(&input, &store, &Arc::new(figures), AFTER)
        else {
            panic!("alice's time cannot be measured, so no state can be given")
        };
        assert_eq!(why, [Unclassifiable::StartUnknown]);
        assert!(why[0].to_string().contains("start is not known"));
    }

    #[test]
    fn a_zero_length_expected_time_is_met_only_by_being_there() {
        // Live at T0 + 20 min; both were added at that very instant.
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![open("wes", "w", 0), closed("xia", "x", 0, 10 * MIN)],
        ));
        let now = T0 + 20 * MIN;
        let members = [
            member("wes", Some(20 * MIN), None),
            member("xia", Some(20 * MIN), None),
        ];
        let roster = run(&input(&members, RingKnowledge::NotReported), &store, now);
        let (wes, xia) = (
            person(&roster, &store, "wes"),
            person(&roster, &store, "xia"),
        );
        assert_eq!(wes.expected.map(|e| e.len()), Some(0));
        assert_eq!((wes.state, wes.attendance_tenths), (State::Present, None));
        assert_eq!(
            (xia.state, xia.attended),
            (State::Partial, 0),
            "left before being added"
        );
    }

    #[test]
    fn present_thresholds_read_as_people_write_them() {
        for (text, percent) in [
            ("80%", 80.0),
            ("87.5", 87.5),
            (" 100 % ", 100.0),
            ("0", 0.0),
        ] {
            assert_eq!(
                PresentThreshold::parse(text).unwrap().percent(),
                percent,
                "{text}"
            );
        }
        for bad in ["120%", "-1", "eighty", "", "NaN", "87.55"] {
            let err = PresentThreshold::parse(bad).unwrap_err();
            assert!(err.contains("percentage"), "{bad}: {err}");
        }
        assert!(
            PresentThreshold::parse("87.55")
                .unwrap_err()
                .contains("one decimal")
        );
        assert_eq!(PresentThreshold::default().to_string(), "80%");
    }
}
