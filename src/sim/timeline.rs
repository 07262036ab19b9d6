//! What the call session looks like at one moment, and pages of it.
//!
//! While the call is live, Stream reports attendance with a lag: a row shows up once its join
//! has been reported and stays open until its leave has. Rows are served in join order, which
//! is also the order in which they become visible, so the visible rows are always a prefix of
//! the stored order: a client paging forward with a position cursor can never skip a row that
//! appeared meanwhile, nor see one twice. Closing a session changes the row in place.

use std::cell::OnceCell;

use crate::api::SessionFields;
use crate::api::models::ParticipantSessionDetails;
use crate::api::timestamp::Nanos;
use crate::attendance::RowAlone;
use crate::filter::LocalRow;
use crate::filter::conditions::{Condition, ConditionField, Conditions};

use super::attendance::{Attendance, Attendee, Reported, ScenarioRow, ScenarioRowKey};
use super::ids::UUID_TEXT_LEN;

/// How far the call has been reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    /// The session is over: every row is visible and closed.
    Ended,
    /// The session is in progress and reported up to this instant (Unix ns).
    Live { reported_until: i64 },
}

/// The call session as the API shows it at one moment.
pub(crate) struct Snapshot<'a> {
    call: &'a Attendance,
    moment: Moment,
    visible: usize,
}

/// Server-side totals: always over the whole session, whatever the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) sessions: usize,
    /// Sum of `duration_in_seconds` over the closed sessions.
    pub(crate) duration_seconds: i64,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    After(ScenarioRowKey),
    Before(ScenarioRowKey),
}

/// A page: indices into the stored rows, and the positions to continue from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TimelinePage {
    pub(crate) rows: Vec<usize>,
    pub(crate) next: Option<ScenarioRowKey>,
    pub(crate) prev: Option<ScenarioRowKey>,
}

impl<'a> Snapshot<'a> {
    pub(crate) fn new(call: &'a Attendance, moment: Moment) -> Snapshot<'a> {
        let visible = match moment {
            Moment::Ended => call.rows.len(),
            Moment::Live { reported_until } => call
                .rows
                .partition_point(|row| row.joined_at <= reported_until),
        };
        Snapshot {
            call,
            moment,
            visible,
        }
    }

    pub(crate) fn call(&self) -> &'a Attendance {
        self.call
    }

    pub(crate) fn is_live(&self) -> bool {
        matches!(self.moment, Moment::Live { .. })
    }

    /// The rows still open, in serving order (none once the session has ended).
    pub(crate) fn open_rows(&self) -> impl Iterator<Item = &'a ScenarioRow> + '_ {
        let rows = if self.is_live() { self.rows() } else { &[] };
        rows.iter().filter(|row| self.is_open(row))
    }

    /// The rows reported so far, in serving order.
    pub(crate) fn rows(&self) -> &'a [ScenarioRow] {
        &self.call.rows[..self.visible]
    }

    pub(crate) fn is_open(&self, row: &ScenarioRow) -> bool {
        match self.moment {
            Moment::Ended => false,
            Moment::Live { reported_until } => row.left_at > reported_until,
        }
    }

    pub(crate) fn ended_at(&self) -> Option<i64> {
        (!self.is_live()).then_some(self.call.ends_at)
    }

    pub(crate) fn totals(&self) -> Totals {
        let duration_seconds = match self.moment {
            Moment::Ended => self.call.final_duration_seconds,
            Moment::Live { .. } => self
                .rows()
                .iter()
                .filter(|row| !self.is_open(row))
                .filter_map(ScenarioRow::reported_duration)
                .fold(0i64, i64::saturating_add),
        };
        Totals {
            sessions: self.visible,
            duration_seconds,
        }
    }

    /// The row as `participants_sessions` shows it: an open session has neither `left_at`
    /// nor `duration_in_seconds`; a closed one shows what it reports (see [`ScenarioRow::reported`]).
    pub(crate) fn details(&self, row: &ScenarioRow) -> ParticipantSessionDetails {
        let person = self.call.person(row);
        let (joined_at, left_at, duration_in_seconds) = shown(row, self.is_open(row));
        ParticipantSessionDetails {
            user_id: person.id.clone(),
            user_session_id: row.user_session_id.to_string(),
            publisher_type: row.publisher.name().to_owned(),
            roles: vec![person.role.name().to_owned()],
            joined_at,
            left_at,
            duration_in_seconds,
        }
    }

    /// Up to `limit` rows matching `filter` from `anchor`. Purged (expired) details give an
    /// empty page.
    pub(crate) fn page(&self, anchor: Anchor, limit: usize, filter: &Conditions) -> TimelinePage {
        if self.call.expired || limit == 0 {
            return TimelinePage::default();
        }
        let matcher = Matcher {
            snapshot: self,
            filter,
            people: people_who_can_match(self.call, filter),
        };
        let rows = match anchor {
            Anchor::Start => matcher.forward(0, limit),
            Anchor::After(key) => {
                let from = self.rows().partition_point(|row| row.key() <= key);
                matcher.forward(from, limit)
            }
            Anchor::Before(key) => {
                let until = self.rows().partition_point(|row| row.key() < key);
                matcher.backward(until, limit)
            }
        };
        let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
            return TimelinePage::default();
        };
        let rows_key = |index: usize| self.call.rows[index].key();
        TimelinePage {
            next: matcher
                .any_in(last + 1..self.visible)
                .then(|| rows_key(last)),
            prev: matcher.any_in(0..first).then(|| rows_key(first)),
            rows,
        }
    }
}

struct Matcher<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    filter: &'s Conditions,
    /// Which people the conditions on people can match, when there are any.
    people: Option<Vec<bool>>,
}

/// Marks the people who can pass the conditions on people (`user_id`, `is_tech_user`), when
/// there are any. A few matching rows among a million are then found without looking up each
/// row's person, which is what makes such filters fast; the full conditions still decide
/// every candidate row, so this only ever rules rows out early.
fn people_who_can_match(call: &Attendance, filter: &Conditions) -> Option<Vec<bool>> {
    let on_people: Vec<&Condition> = filter
        .iter()
        .filter(|condition| {
            matches!(
                condition.field(),
                ConditionField::UserId | ConditionField::IsTechUser
            )
        })
        .collect();
    if on_people.is_empty() {
        return None;
    }
    let can_match = |person: &Attendee| {
        on_people.iter().all(|condition| match condition {
            Condition::OneOf { values, .. } => values.contains(&person.id),
            Condition::Is { value, .. } => person.is_tech_user == *value,
        })
    };
    Some(call.people.iter().map(can_match).collect())
}

impl Matcher<'_, '_> {
    fn matches(&self, index: usize) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let snapshot = self.snapshot;
        let row = &snapshot.call.rows[index];
        if let Some(people) = &self.people
            && !people[row.person as usize]
        {
            return false;
        }
        let subject = RowSubject::new(row, snapshot.call.person(row), snapshot.is_open(row))
            .in_call(snapshot.is_live());
        self.filter.matches(&subject)
    }

    fn forward(&self, from: usize, limit: usize) -> Vec<usize> {
        (from..self.snapshot.visible)
            .filter(|&i| self.matches(i))
            .take(limit)
            .collect()
    }

    fn backward(&self, until: usize, limit: usize) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..until)
            .rev()
            .filter(|&i| self.matches(i))
            .take(limit)
            .collect();
        rows.reverse();
        rows
    }

    fn any_in(&self, mut range: std::ops::Range<usize>) -> bool {
        range.any(|i| self.matches(i))
    }
}

/// A stored row as a filter reads it, as `participants_sessions` shows it, with the attributes
/// Stream keeps but does not return (published tracks, tech users).
struct RowSubject<'a> {
    row: &'a ScenarioRow,
    person: &'a Attendee,
    /// The id's text, written only if a condition asks for it.
    session_id: OnceCell<[u8; UUID_TEXT_LEN]>,
    /// The leave has not been reported yet: the row shows no `left_at`.
    live: bool,
    /// The call is live.
    call_live: bool,
}

impl<'a> RowSubject<'a> {
    fn new(row: &'a ScenarioRow, person: &'a Attendee, live: bool) -> RowSubject<'a> {
        RowSubject {
            row,
            person,
            session_id: OnceCell::new(),
            live,
            call_live: live,
        }
    }

    /// In a call that is (`true`) or is not live: `is_live` holds of a row without `left_at`
    /// in a live call only.
    fn in_call(self, call_live: bool) -> Self {
        RowSubject { call_live, ..self }
    }

    /// `joined_at`, `left_at` and `duration_in_seconds` as shown (see [`Snapshot::details`]).
    fn shown(&self) -> Reported {
        shown(self.row, self.live)
    }
}

/// What the API shows of a row's times: an open session has neither `left_at` nor
/// `duration_in_seconds`; a closed one shows what it reports (see [`ScenarioRow::reported`]).
fn shown(row: &ScenarioRow, open: bool) -> Reported {
    let reported = row.reported();
    if open {
        (reported.0, None, None)
    } else {
        reported
    }
}

impl SessionFields for RowSubject<'_> {
    fn user_id(&self) -> &str {
        &self.person.id
    }
    fn user_session_id(&self) -> &str {
        let text = self.session_id.get_or_init(|| {
            let mut text = [0u8; UUID_TEXT_LEN];
            self.row.user_session_id.write_text(&mut text);
            text
        });
        std::str::from_utf8(text).unwrap_or_default()
    }
    fn publisher_type(&self) -> &str {
        self.row.publisher.name()
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.person.role.name())
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.shown().0
    }
    fn left_at(&self) -> Option<Nanos> {
        self.shown().1
    }
    fn duration_in_seconds(&self) -> Option<i64> {
        self.shown().2
    }
}

/// The sim knows no more of a row's session than a client reading it alone would.
impl LocalRow for RowSubject<'_> {
    /// Stream's `is_live`: the session has not left, which the row says by its missing
    /// `left_at`, in a call that is live (a leave never recorded stays live until the call
    /// ends, as it shows).
    fn is_open(&self) -> bool {
        self.call_live && self.shown().1.is_none()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        RowAlone::at(self, now).duration_seconds()
    }
    fn has_problem(&self, now: Nanos) -> bool {
        RowAlone::at(self, now).has_problem()
    }
    fn published_tracks(&self) -> Option<&[String]> {
        Some(self.row.tracks.names())
    }
    fn is_tech_user(&self) -> Option<bool> {
        Some(self.person.is_tech_user)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::api::timestamp::NANOS_PER_SEC;
    use crate::sim::scenario::{Scenario, generate};

    const START: i64 = 1_767_000_000 * NANOS_PER_SEC;

    fn all_pages(snapshot: &Snapshot, limit: usize, filter: &Conditions) -> Vec<usize> {
        let mut seen = Vec::new();
        let mut anchor = Anchor::Start;
        loop {
            let page = snapshot.page(anchor, limit, filter);
            seen.extend(&page.rows);
            match page.next {
                Some(key) => anchor = Anchor::After(key),
                None => return seen,
            }
        }
    }

    #[test]
    fn forward_paging_covers_every_row_once() {
        let call = generate(Scenario::Small, 1, START);
        let snapshot = Snapshot::new(&call, Moment::Ended);
        let seen = all_pages(&snapshot, 7, &Conditions::default());
        assert_eq!(seen, (0..call.rows.len()).collect::<Vec<_>>());
    }

    #[test]
    fn prev_returns_the_page_before() {
        let call = generate(Scenario::Small, 1, START);
        let snapshot = Snapshot::new(&call, Moment::Ended);
        let none = Conditions::default();
        let first = snapshot.page(Anchor::Start, 10, &none);
        assert!(first.prev.is_none());
        let second = snapshot.page(Anchor::After(first.next.unwrap()), 10, &none);
        let back = snapshot.page(Anchor::Before(second.prev.unwrap()), 10, &none);
        assert_eq!(back.rows, first.rows);
        assert!(back.prev.is_none() && back.next.is_some());
    }

    #[test]
    fn live_rows_are_a_growing_prefix_with_open_sessions() {
        let call = generate(Scenario::Small, 1, START);
        let early = Snapshot::new(
            &call,
            Moment::Live {
                reported_until: START + 120 * NANOS_PER_SEC,
            },
        );
        let later = Snapshot::new(
            &call,
            Moment::Live {
                reported_until: START + 1_200 * NANOS_PER_SEC,
            },
        );
        assert!(early.rows().len() < later.rows().len());
        assert_eq!(early.rows(), &later.rows()[..early.rows().len()]);
        let open = early.rows().iter().find(|r| early.is_open(r)).unwrap();
        let shown = early.details(open);
        assert!(shown.left_at.is_none() && shown.duration_in_seconds.is_none());
        assert_eq!(early.ended_at(), None);
    }

    #[test]
    fn filters_select_on_hidden_attributes_and_keep_totals() {
        let call = generate(Scenario::Townhall, 1, START);
        let snapshot = Snapshot::new(&call, Moment::Ended);
        let tech = Conditions::parse(&json!({"is_tech_user": true})).unwrap();
        let rows = all_pages(&snapshot, 100, &tech);
        let expected: HashSet<usize> = (0..call.rows.len())
            .filter(|&i| call.person(&call.rows[i]).is_tech_user)
            .collect();
        assert_eq!(rows.iter().copied().collect::<HashSet<_>>(), expected);
        assert!(!expected.is_empty());
        let totals = snapshot.totals();
        assert_eq!(totals.sessions, call.rows.len());
        let sum: i64 = call.rows.iter().map(ScenarioRow::duration_seconds).sum();
        assert_eq!(totals.duration_seconds, sum);
    }

    #[test]
    fn conditions_on_people_and_rows_combine_as_and() {
        let call = generate(Scenario::Townhall, 1, START);
        let snapshot = Snapshot::new(&call, Moment::Ended);
        let count =
            |filter: Value| all_pages(&snapshot, 100, &Conditions::parse(&filter).unwrap()).len();
        let bot_rows = call
            .rows
            .iter()
            .filter(|r| call.person(r).id == "recording-bot")
            .count();
        assert_eq!(
            count(json!({"user_id": "recording-bot", "is_tech_user": true})),
            bot_rows
        );
        assert_eq!(
            count(json!({"user_id": "recording-bot", "is_tech_user": false})),
            0
        );
        assert_eq!(
            count(
                json!({"user_id": {"$in": ["recording-bot", "nobody"]}, "publisher_type": "rtmp"})
            ),
            0
        );
    }

    #[test]
    fn expired_details_are_empty() {
        let call = generate(Scenario::Expired, 1, START);
        let snapshot = Snapshot::new(&call, Moment::Ended);
        assert_eq!(
            snapshot.page(Anchor::Start, 25, &Conditions::default()),
            TimelinePage::default()
        );
        assert_eq!(snapshot.totals().sessions, call.rows.len());
    }
}
