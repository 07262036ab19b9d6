//! Everything the views read that is computed from the store: the rows matching the filter,
//! the figures, the sorted tables and each user's rows.
//!
//! Computed in `update`, never in `draw`, and only when the data, the filter or the sort
//! changed, so a frame costs the same with ten rows or a million.

use crate::api::timestamp::Nanos;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

use crate::attendance::{
    Classification, ExpectedMember, Figures, FilterableRow, NameRanks, Order, Person, ReadFacts,
    RingKnowledge, Roster, RosterInput, RosterRules, RowId, SessionColumn, SessionStore,
    Thresholds, UserColumn, UserFigures, UserId, UserRows, classify, keep_local_matches,
    sort_sessions, sorted_user_ids, user_figures,
};
use crate::fetch::Invited;
use crate::filter::{Filter, PersonTest};

/// What decides the order of every stored row in the session table: the data, the sort, and
/// the clock when open sessions make durations move.
type OrderKey = (u64, (SessionColumn, Order), Option<Nanos>);

/// Every stored row in the session table's order. Sorting a million rows costs far more than
/// filtering them, and editing the filter changes neither the data nor the sort: the order is
/// kept, and each filter only picks its rows from it.
#[derive(Debug, Clone, Default)]
struct SessionOrder {
    key: Option<OrderKey>,
    /// Shared with the session table while the filter keeps every row.
    rows: Arc<Vec<RowId>>,
}

/// What the filtered rows were computed from: the store's generation and the revision of the
/// filter's local part (the server applied the rest before the rows were stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowsKey {
    pub(crate) store: u64,
    pub(crate) local_filter: u64,
}

/// What the session table's rows were derived from: the order of every stored row and the
/// revision of the filtered rows it picked from.
pub(crate) type SortedKey = (OrderKey, u64);

/// The rows the filter keeps, ascending by row id: every stored row of the moment they were
/// computed, told by their count alone (a million row ids are 4 MB, held for as long as
/// nothing is filtered), or the ids kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Filtered {
    /// Rows `0..count`: every row the store held.
    Every(u32),
    /// Fewer than every row (shared with the users' rows grouped from them).
    Kept(Arc<Vec<RowId>>),
}

impl Default for Filtered {
    fn default() -> Self {
        Filtered::Every(0)
    }
}

impl Filtered {
    /// The filter's choice among `store_len` rows, given the ids it kept.
    fn of(kept: Vec<RowId>, store_len: usize) -> Filtered {
        if kept.len() == store_len {
            Filtered::Every(dense_count(store_len))
        } else {
            Filtered::Kept(Arc::new(kept))
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Filtered::Every(count) => *count as usize,
            Filtered::Kept(rows) => rows.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row ids, ascending: borrowed when the filter kept fewer than every row, made for
    /// the caller (and dropped by it) otherwise.
    pub(crate) fn ids(&self) -> Cow<'_, [RowId]> {
        match self {
            Filtered::Every(count) => Cow::Owned((0..*count).map(RowId).collect()),
            Filtered::Kept(rows) => Cow::Borrowed(rows.as_slice()),
        }
    }
}

/// A count of rows as the `u32` row ids count them.
fn dense_count(count: usize) -> u32 {
    u32::try_from(count).expect("row ids are u32")
}

/// The filtered rows, the one list of the rows the filter keeps, and what is computed from
/// them: each derived form (the rows grouped by user, the session table's order) is kept with
/// the revision of the filtered rows and of the store it was derived from, and derived again
/// only when one of them moved on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Derived {
    pub(crate) filtered: Filtered,
    /// Counts the computations of `filtered`: a new one may keep other rows even with the
    /// same [`RowsKey`], when time terms meet open sessions.
    revision: u64,
    pub(crate) figures: Option<Figures>,
    /// `filtered` grouped by user, for the (`revision`, store generation) of the figures:
    /// grouped when first asked for (the users table, the timeline, a user's detail), as the
    /// table of a million rows is 7.2 MB that the session table never reads.
    /// The rows grouped are those of the figures, kept (shared) beside them: `filtered` may
    /// have moved on while the figures of a new filter are due.
    user_rows: Option<((u64, u64), Filtered, OnceCell<UserRows>)>,
    /// What `filtered` was computed from; `None` before the first computation.
    pub(crate) rows_key: Option<RowsKey>,
    pub(crate) computed_at: Option<Nanos>,
    order: SessionOrder,
    /// The users' name order, with the `users_generation` of the store it ranks.
    names: Option<(u64, NameRanks)>,
    /// Who was expected and how each person fared; `None` until the first classification.
    pub(crate) expected: Option<ExpectedPeople>,
}

/// What a classification was computed from: the data, the roster read, what is known of the
/// reads, the rules, and the clock when open sessions make attended times move.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExpectedKey {
    pub(crate) store: u64,
    pub(crate) invited: u64,
    pub(crate) facts: ReadFacts,
    pub(crate) rules: RosterRules,
    pub(crate) at: Option<Nanos>,
    pub(crate) session: String,
}

/// The classification of every stored row against the roster, and for which revision of
/// the filter the Expected view's list was last given the people it keeps.
#[derive(Debug, Clone)]
pub(crate) struct ExpectedPeople {
    pub(crate) key: ExpectedKey,
    /// The roster read the people's `member` indexes point into.
    pub(crate) invited: Option<Arc<Invited>>,
    pub(crate) classification: Classification,
    /// The revision of the filter the people kept were last computed for; `None`: not yet,
    /// or the list was dropped since.
    kept_for: Option<u64>,
}

impl Derived {
    /// Applies the filter's local part to every stored row (the server applied its part);
    /// `key` says what they are computed from.
    pub(crate) fn filter(
        &mut self,
        store: &SessionStore,
        filter: &Filter,
        key: RowsKey,
        now: Nanos,
    ) {
        self.filtered = if filter.local.is_some() {
            Filtered::of(
                keep_local_matches(store, store.row_ids(), filter, now),
                store.len(),
            )
        } else {
            Filtered::Every(dense_count(store.len()))
        };
        self.revision += 1;
        self.rows_key = Some(key);
        self.computed_at = Some(now);
    }

    /// Each user's filtered rows, in `store` (the store the figures were computed from).
    pub(crate) fn user_rows(&self, store: &SessionStore) -> &UserRows {
        static NONE: UserRows = UserRows::EMPTY;
        self.user_rows.as_ref().map_or(&NONE, |(_, rows, grouped)| {
            grouped.get_or_init(|| UserRows::group(store, &rows.ids()))
        })
    }

    /// The figures and each user's rows, for the filtered rows.
    pub(crate) fn compute_figures(
        &mut self,
        store: &SessionStore,
        now: Nanos,
        thresholds: &Thresholds,
    ) {
        // The old figures go first: holding both at a million users doubles the peak. A
        // roster holds the figures of every stored row it was classified from: while they
        // are still those of this store at `now` (a filter typed or cleared changes neither
        // who was expected nor how they fared), it stays, and the figures of every row are
        // its own again rather than computed twice; otherwise it goes first too, and is
        // classified again from the new ones.
        let roster_current = self.expected.as_ref().is_some_and(|expected| {
            expected.key.store == store.generation()
                && expected.key.rules.thresholds == *thresholds
                && expected.key.at.is_none_or(|at| at == now)
        });
        if !roster_current {
            self.expected = None;
        }
        self.figures = None;
        let grouped_at = (self.revision, store.generation());
        if self.user_rows.as_ref().map(|(key, ..)| *key) != Some(grouped_at) {
            self.user_rows = Some((grouped_at, self.filtered.clone(), OnceCell::new()));
        }
        let rows = self.filtered.ids();
        let every_row = self.filtered.len() == store.len();
        let shared = (self.roster())
            .filter(|_| every_row)
            .map(|roster| Arc::clone(roster.people.figures()));
        self.figures = Some(Figures::compute_sharing(
            store, &rows, now, thresholds, shared,
        ));
        self.computed_at = Some(now);
    }

    /// The filtered rows in the session table's order, unless `shown` (what the table was
    /// derived from) is still what they derive from: `None` then. When the filter keeps every
    /// row they are the order itself, shared, not a copy.
    pub(crate) fn sorted_sessions(
        &mut self,
        store: &SessionStore,
        sort: (SessionColumn, Order),
        now: Nanos,
        shown: Option<SortedKey>,
    ) -> Option<(SortedKey, Arc<Vec<RowId>>)> {
        let moving = store.open_rows() > 0;
        let key = (store.generation(), sort, moving.then_some(now));
        let sorted = (key, self.revision);
        if shown == Some(sorted) {
            return None;
        }
        if self.order.key != Some(key) {
            let mut rows: Vec<RowId> = store.row_ids().collect();
            sort_sessions(store, &mut rows, sort.0, sort.1, now);
            self.order = SessionOrder {
                key: Some(key),
                rows: Arc::new(rows),
            };
        }
        if self.filtered.len() == store.len() {
            return Some((sorted, Arc::clone(&self.order.rows)));
        }
        let mut kept = vec![false; store.len()];
        for id in self.filtered.ids().iter() {
            kept[id.0 as usize] = true;
        }
        let rows = self
            .order
            .rows
            .iter()
            .copied()
            .filter(|id| kept[id.0 as usize])
            .collect();
        Some((sorted, Arc::new(rows)))
    }

    /// The users of the filter in the users table's order. The table holds ids, not a copy
    /// of every user's figures: at a million users that copy would be most of the memory.
    pub(crate) fn sorted_users(
        &mut self,
        store: &SessionStore,
        sort: (UserColumn, Order),
    ) -> Vec<UserId> {
        let Some(figures) = &self.figures else {
            return Vec::new();
        };
        let users = store.users_generation();
        let names = match &self.names {
            Some((ranked, names)) if *ranked == users => names,
            _ => &self.names.insert((users, NameRanks::of_users(store))).1,
        };
        sorted_user_ids(names, &figures.users, sort.0, sort.1)
    }

    /// The roster, when the people could be classified.
    pub(crate) fn roster(&self) -> Option<&Roster> {
        match &self.expected.as_ref()?.classification {
            Classification::Classified(roster) => Some(roster.as_ref()),
            Classification::Unclassified(_) => None,
        }
    }

    /// Classifies every person of `invited` and every attendee of `store` (over every stored
    /// row, whatever the local filter keeps), unless `key` says nothing changed since the last
    /// time. Returns whether it classified again.
    pub(crate) fn classify_expected(
        &mut self,
        store: &SessionStore,
        invited: Option<&Arc<Invited>>,
        key: ExpectedKey,
        now: Nanos,
    ) -> bool {
        if self
            .expected
            .as_ref()
            .is_some_and(|expected| expected.key == key)
        {
            return false;
        }
        let classification = {
            let members: Vec<ExpectedMember> = invited.map(|i| i.expected()).unwrap_or_default();
            let ring = invited.map_or(RingKnowledge::NotReported, |invited| {
                RingKnowledge::of(&invited.call, &key.session)
            });
            let input = RosterInput {
                members: &members,
                ring,
                created_by: invited
                    .and_then(|invited| invited.call.created_by.as_ref())
                    .map(|creator| creator.id.as_str()),
                read: key.facts.clone(),
                rules: key.rules,
            };
            // The roster reads its attendees who are not members from these figures: the
            // users table's own when the filter keeps every row, shared rather than copied.
            let users: Arc<Vec<UserFigures>> = match &self.figures {
                Some(figures) if self.filtered.len() == store.len() => Arc::clone(&figures.users),
                _ => {
                    let rows: Vec<RowId> = store.row_ids().collect();
                    Arc::new(user_figures(store, &rows, now, &key.rules.thresholds))
                }
            };
            classify(&input, store, &users, now)
        };
        self.expected = Some(ExpectedPeople {
            key,
            invited: invited.cloned(),
            classification,
            kept_for: None,
        });
        true
    }

    /// The people `filter` keeps (positions in the roster's people), evaluated once per
    /// person, unless they were computed for this classification and this `revision` of the
    /// filter already (`None` then: the list made of them is still right).
    ///
    /// A person's term (`state:`, `member:`) tests the person, a word their user id (so that
    /// a member who never joined is found by name), and any other term whether one of their
    /// sessions passes it: `!role:host` keeps whoever never had the host role.
    pub(crate) fn keep_expected(
        &mut self,
        store: &SessionStore,
        filter: &Filter,
        revision: u64,
        now: Nanos,
    ) -> Option<Vec<u32>> {
        let expected = self.expected.as_mut()?;
        if expected.kept_for == Some(revision) {
            return None;
        }
        expected.kept_for = Some(revision);
        let Classification::Classified(roster) = &expected.classification else {
            return Some(Vec::new());
        };
        let Some(predicate) = filter.person.as_ref().or(filter.local.as_ref()) else {
            return Some((0..roster.people.len() as u32).collect());
        };
        let by_user = (0..predicate.step_count())
            .any(|step| {
                predicate.person_test(step).is_none() && predicate.user_needle(step).is_none()
            })
            .then(|| UserRows::group(store, &store.row_ids().collect::<Vec<_>>()));
        let passes = |person: &Person, step: usize| {
            if let Some(test) = predicate.person_test(step) {
                return match test {
                    PersonTest::State(states) => states.contains(&person.state),
                    PersonTest::Member(member) => person.member.is_some() == member,
                };
            }
            if let Some(needle) = predicate.user_needle(step) {
                return needle.is_in(person.user_id);
            }
            let (Some(user), Some(by_user)) = (person.user, &by_user) else {
                return false;
            };
            by_user
                .of(user)
                .iter()
                .filter_map(|&id| store.get(id))
                .any(|row| predicate.step_matches(step, &FilterableRow::new(row), now))
        };
        let kept = (roster.people.iter(store).enumerate())
            .filter(|(_, person)| predicate.run(|step| passes(person, step)))
            .map(|(at, _)| at as u32)
            .collect();
        Some(kept)
    }

    /// The Expected view's list was dropped: the next [`Derived::keep_expected`] computes
    /// the people kept again.
    pub(crate) fn forget_kept(&mut self) {
        if let Some(expected) = &mut self.expected {
            expected.kept_for = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::api::timestamp::NANOS_PER_SEC;
    use crate::attendance::fixtures::{closed, ended_call};
    use crate::filter::{ParseContext, parse};

    const T: Nanos = 1_760_000_000 * NANOS_PER_SEC;

    fn filter(text: &str) -> Filter {
        parse(text, &ParseContext::at(TimeZone::UTC, T)).unwrap()
    }

    fn key(local_filter: u64) -> RowsKey {
        RowsKey {
            store: 1,
            local_filter,
        }
    }

    #[test]
    fn a_filter_typed_or_cleared_keeps_the_roster_and_its_figures_serve_every_row_again() {
        // At a million users the per-user figures are the largest table: a roster that
        // still holds those of every row is neither classified nor computed again for a
        // local filter, and the users table shares them once the filter is cleared.
        let minute = 60 * NANOS_PER_SEC;
        let store = ended_call(vec![
            closed("ann", "a1", T, T + minute),
            closed("bob", "b1", T + minute, T + 20 * minute),
        ]);
        let thresholds = Thresholds::default();
        let expected_key = ExpectedKey {
            store: store.generation(),
            invited: 0,
            facts: ReadFacts::complete(),
            rules: RosterRules::default(),
            at: None,
            session: "s".to_owned(),
        };
        let mut derived = Derived::default();
        derived.filter(&store, &filter(""), key(0), T);
        derived.compute_figures(&store, T, &thresholds);
        assert!(derived.classify_expected(&store, None, expected_key.clone(), T));
        let every_row = Arc::clone(&derived.figures.as_ref().unwrap().users);
        assert!(derived.roster().unwrap().people.shares(&every_row));

        derived.filter(&store, &filter("dur>10m"), key(1), T);
        derived.compute_figures(&store, T, &thresholds);
        assert_eq!(derived.figures.as_ref().unwrap().users.len(), 1);
        assert!(
            !derived.classify_expected(&store, None, expected_key.clone(), T),
            "the roster stays"
        );
        assert!(derived.roster().unwrap().people.shares(&every_row));
        assert_eq!(derived.roster().unwrap().counts.not_member, 2);

        derived.filter(&store, &filter(""), key(2), T);
        derived.compute_figures(&store, T, &thresholds);
        assert!(
            Arc::ptr_eq(&derived.figures.as_ref().unwrap().users, &every_row),
            "the users table shares the roster's figures, not an equal copy"
        );
        assert!(!derived.classify_expected(&store, None, expected_key, T));
    }

    /// An ended call: ann for a minute, bob for 19 minutes, ann again for 28 minutes.
    fn ann_twice_and_bob() -> SessionStore {
        let minute = 60 * NANOS_PER_SEC;
        ended_call(vec![
            closed("ann", "a1", T, T + minute),
            closed("bob", "b1", T + minute, T + 20 * minute),
            closed("ann", "a2", T + 2 * minute, T + 30 * minute),
        ])
    }

    #[test]
    fn every_row_kept_is_told_by_its_count_and_counts_as_every_id() {
        let store = ann_twice_and_bob();
        let thresholds = Thresholds::default();
        let every_id: Vec<RowId> = store.row_ids().collect();
        let figures_of = |text: &str| {
            let mut derived = Derived::default();
            derived.filter(&store, &filter(text), key(0), T);
            derived.compute_figures(&store, T, &thresholds);
            derived
        };
        let unfiltered = figures_of("");
        assert_eq!(unfiltered.filtered, Filtered::Every(3));
        assert_eq!(unfiltered.filtered.ids().as_ref(), every_id.as_slice());
        let all_kept = figures_of("dur>1s");
        assert_eq!(all_kept.filtered, Filtered::Every(3));
        let expected = Figures::compute(&store, &every_id, T, &thresholds);
        for derived in [&unfiltered, &all_kept] {
            assert_eq!(derived.figures.as_ref(), Some(&expected));
            let ann = store.find_user("ann").unwrap();
            assert_eq!(derived.user_rows(&store).of(ann), [RowId(0), RowId(2)]);
        }
        let some = figures_of("dur>10m");
        assert_eq!(
            some.filtered,
            Filtered::Kept(Arc::new(vec![RowId(1), RowId(2)]))
        );
        assert_eq!(some.filtered.len(), 2);
        assert_eq!(some.figures.unwrap().call.sessions, 2);
        assert!(figures_of("dur>100h").filtered.is_empty());
    }

    #[test]
    fn each_users_rows_are_grouped_when_first_asked_and_from_the_rows_of_the_figures() {
        let store = ann_twice_and_bob();
        let ann = store.find_user("ann").unwrap();
        let thresholds = Thresholds::default();
        let mut derived = Derived::default();
        derived.filter(&store, &filter(""), key(0), T);
        derived.compute_figures(&store, T, &thresholds);
        let grouped = |derived: &Derived| derived.user_rows.as_ref().unwrap().2.get().is_some();
        assert!(!grouped(&derived), "nothing asked for them yet");
        derived.filter(&store, &filter("dur>10m"), key(1), T);
        assert_eq!(
            derived.user_rows(&store).of(ann),
            [RowId(0), RowId(2)],
            "the rows of the figures still shown, not of the filter whose figures are due"
        );
        assert!(grouped(&derived));
        derived.compute_figures(&store, T, &thresholds);
        assert!(!grouped(&derived));
        assert_eq!(derived.user_rows(&store).of(ann), [RowId(2)]);
    }

    #[test]
    fn the_table_and_the_users_rows_are_derived_again_only_when_the_filtered_rows_moved_on() {
        let store = ann_twice_and_bob();
        let sort = (SessionColumn::Joined, Order::Descending);
        let thresholds = Thresholds::default();
        let mut derived = Derived::default();
        derived.filter(&store, &filter(""), key(0), T);
        derived.compute_figures(&store, T, &thresholds);
        let (shown, rows) = derived.sorted_sessions(&store, sort, T, None).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(
            Arc::ptr_eq(&rows, &derived.order.rows),
            "the table is the order of every row, not a copy"
        );
        assert_eq!(derived.sorted_sessions(&store, sort, T, Some(shown)), None);
        let ann = store.get(rows[0]).unwrap().user();
        assert_eq!(derived.user_rows(&store).of(ann).len(), 2);

        derived.filter(&store, &filter("dur>10m"), key(1), T);
        let (again, rows) = derived
            .sorted_sessions(&store, sort, T, Some(shown))
            .unwrap();
        assert_ne!(again, shown);
        let ids: Vec<String> = rows
            .iter()
            .map(|&id| store.get(id).unwrap().user_session_id().to_string())
            .collect();
        assert_eq!(ids, ["a2", "b1"]);
        assert_eq!(
            derived.user_rows(&store).of(ann).len(),
            2,
            "grouped with the figures"
        );
        derived.compute_figures(&store, T, &thresholds);
        assert_eq!(derived.user_rows(&store).of(ann).len(), 1);
        let resorted = (SessionColumn::Joined, Order::Ascending);
        assert!(
            derived
                .sorted_sessions(&store, resorted, T, Some(again))
                .is_some()
        );
    }
}
