//! The Expected view: who was expected (the call's members) and every attendee who is not a
//! member, each with their state, flags, attended time and share of their expected time, in
//! the chosen sort. The classification itself is derived data (`derived.rs`); when there is
//! none, the view says why instead of showing an empty table.

use crate::attendance::{
    Classification, DisplayZone, EXPECTED_COLUMNS, ExpectedColumn, ExpectedLine, Order, Person,
    Roster, SessionStore, expected_headers, expected_record, sort_expected,
};
use crate::fetch::Invited;

use super::{Data, ViewRecords};
use crate::app::derived::{Derived, ExpectedPeople};
use crate::app::item_list::{Identified, ItemList};
use crate::app::keymap::{Action, Context};

pub(super) const TITLE: &str = "Expected";
pub(super) const CONTEXTS: &[Context] = &[Context::Expected, Context::List, Context::Global];

/// Who a person of the roster is across reclassifications: the member (by their place in the
/// members read) or the attendee. `NONE` stands for neither: two `u32`s rather than two
/// options, as the list may hold a million keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonKey {
    member: u32,
    user: u32,
}

impl PersonKey {
    const NONE: u32 = u32::MAX;

    fn of(person: &Person) -> PersonKey {
        PersonKey {
            member: person.member.map_or(Self::NONE, |member| member as u32),
            user: person.user.map_or(Self::NONE, |user| user.0),
        }
    }
}

/// A person of the list: where they are in the roster's people, and who they are. Small, as
/// the list may hold a million of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonAt {
    pub(crate) at: u32,
    key: PersonKey,
}

impl Identified for PersonAt {
    type Key = PersonKey;
    fn key(&self) -> PersonKey {
        self.key
    }
}

/// The people of the roster (positions in [`Roster::people`]) in display order, and the sort.
#[derive(Debug, Clone)]
pub(crate) struct ExpectedView {
    pub(crate) list: ItemList<PersonAt>,
    pub(crate) sort: (ExpectedColumn, Order),
}

impl Default for ExpectedView {
    fn default() -> Self {
        ExpectedView {
            list: ItemList::default(),
            sort: (ExpectedColumn::State, Order::Ascending),
        }
    }
}

/// The line of `person`, as the table, the sort and the exports read it.
pub(crate) fn line_of<'a>(
    roster: &'a Roster,
    invited: Option<&'a Invited>,
    person: Person<'a>,
    zone: &'a DisplayZone,
) -> ExpectedLine<'a> {
    let members = invited.map_or(&[][..], |invited| &invited.members.members[..]);
    ExpectedLine::of(roster, person, members, zone)
}

impl ExpectedView {
    /// Lists `kept` (the people the filter keeps, positions in the roster's people) in the
    /// table's order; nobody when there is no roster.
    pub(crate) fn refresh(
        &mut self,
        kept: Vec<u32>,
        derived: &Derived,
        store: &SessionStore,
        zone: &DisplayZone,
    ) {
        let Some(ExpectedPeople {
            classification: Classification::Classified(roster),
            invited,
            ..
        }) = &derived.expected
        else {
            self.list.set_items(Vec::new());
            return;
        };
        let mut order = kept;
        let line = |person| line_of(roster, invited.as_deref(), person, zone);
        sort_expected(&mut order, roster, store, line, self.sort.0, self.sort.1);
        let mut items = Vec::with_capacity(order.len());
        items.extend(order.into_iter().filter_map(|at| {
            let person = roster.people.get(at as usize, store)?;
            Some(PersonAt {
                at,
                key: PersonKey::of(&person),
            })
        }));
        self.list.set_items(items);
    }

    /// A column's sort key sorts by it, or the other way round when it sorts already.
    pub(crate) fn act(
        &mut self,
        action: Action,
        derived: &Derived,
        store: &SessionStore,
        zone: &DisplayZone,
    ) {
        if let Action::SortExpected(column) = action {
            self.sort = super::toggled(&EXPECTED_COLUMNS, self.sort, column);
            self.list.follow_selected();
            let listed = self.list.items().iter().map(|item| item.at).collect();
            self.refresh(listed, derived, store, zone);
        }
    }

    /// Drops the list while the view is not shown (at a million people it is about 10 MB),
    /// keeping the cursor's person: the list made again when the view is shown finds them.
    pub(crate) fn release(&mut self) {
        self.list.release();
    }

    /// The selected person, as classified.
    pub(crate) fn selected<'d>(
        &self,
        derived: &'d Derived,
        store: &'d SessionStore,
    ) -> Option<Person<'d>> {
        let roster = derived.roster()?;
        roster.people.get(self.list.selected()?.at as usize, store)
    }

    /// What Enter opens on the selected person: the sessions of someone who attended, the
    /// roster line of a member who never joined.
    pub(crate) fn selected_detail(
        &self,
        derived: &Derived,
        store: &SessionStore,
    ) -> Option<super::View> {
        let person = self.selected(derived, store)?;
        match (person.user, person.member) {
            (Some(user), _) => Some(super::View::UserDetail(user)),
            (None, Some(member)) => Some(super::View::Member(member)),
            (None, None) => None,
        }
    }

    /// `y`: the selected person's user id.
    pub(crate) fn copy_text(&self, derived: &Derived, store: &SessionStore) -> Option<String> {
        Some(self.selected(derived, store)?.user_id.to_string())
    }

    /// The people on screen and the people of the roster.
    pub(crate) fn counts(&self, derived: &Derived) -> (usize, usize) {
        let all = derived.roster().map_or(0, |roster| roster.people.len());
        (self.list.len(), all)
    }

    /// Every person of the table as CSV, in its order, with `headcount roster`'s fields.
    pub(crate) fn records(&self, data: &Data<'_>) -> ViewRecords {
        let mut records = ViewRecords::new(expected_headers());
        if let Some(expected) = &data.derived.expected
            && let Classification::Classified(roster) = &expected.classification
        {
            for item in self.list.items() {
                let Some(person) = roster.people.get(item.at as usize, data.store) else {
                    continue;
                };
                let line = line_of(roster, expected.invited.as_deref(), person, data.zone);
                records.push(expected_record(&line));
            }
        }
        records
    }
}

/// `y` on a member's detail: their user id.
pub(crate) fn member_id(derived: &Derived, store: &SessionStore, member: usize) -> Option<String> {
    let roster = derived.roster()?;
    let at = roster.people.position_of_member(member)?;
    Some(roster.people.user_id(at, store).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_person_is_twelve_bytes() {
        // The `huge` scenario lists 807,000 people: each byte here is most of a megabyte.
        assert_eq!(std::mem::size_of::<PersonAt>(), 12);
    }
}
