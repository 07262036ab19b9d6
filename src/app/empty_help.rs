//! What an empty result says instead of a blank table: what was searched, the ids closest to
//! what was typed among every id seen in this session, the publisher types and roles that do
//! occur, and that a bare word searches ids in any case.

use crate::api::timestamp::Nanos;
use crate::attendance::{Roster, Seen, SessionStore, closest_ids};
use crate::filter::searched_ids;

use super::App;

/// How many of the closest ids are named for each id searched.
const CLOSEST: usize = 5;
/// How many ids searched get their closest ids (a long `user:` list would fill the screen).
const SEARCHES_SHOWN: usize = 3;

/// The help's lines for a filter `source` that kept nothing, given what it searched.
pub(crate) fn help_lines(
    source: &str,
    searched: &[String],
    seen: &Seen,
    store: &SessionStore,
) -> Vec<String> {
    let mut lines = vec![format!(
        "No participant session matches `{}`.",
        source.trim()
    )];
    let users = if searched.is_empty() {
        Vec::new()
    } else {
        seen.users(store)
    };
    for typed in searched.iter().take(SEARCHES_SHOWN) {
        let closest = closest_ids(typed, users.iter().copied(), CLOSEST);
        lines.push(if closest.is_empty() {
            format!(
                "`{typed}`: no id seen in this session is close ({} ids seen).",
                seen.user_count()
            )
        } else {
            format!(
                "`{typed}`: the closest ids seen in this session: {}",
                closest.join(", ")
            )
        });
    }
    let list = |names: Vec<&str>| {
        if names.is_empty() {
            "none yet".to_owned()
        } else {
            names.join(", ")
        }
    };
    lines.push(format!(
        "Publisher types here: {} · roles here: {}",
        list(seen.publishers().collect()),
        list(seen.roles().collect())
    ));
    lines.push(REMINDER.to_owned());
    lines
}

/// How ids are searched, closing every empty result's help.
const REMINDER: &str = "`user:` is exact and case-sensitive, as Stream's user_id filter is; a \
     bare word (alice) searches ids in any case. Esc clears the filter.";

/// The Expected view's help for a filter `source` that keeps nobody: what was searched, the
/// closest ids among the people classified (members and attendees), and how many there are
/// in each state.
pub(crate) fn expected_help_lines(
    source: &str,
    searched: &[String],
    roster: &Roster,
    store: &SessionStore,
) -> Vec<String> {
    let mut lines = vec![format!("Nobody expected matches `{}`.", source.trim())];
    let people = &roster.people;
    let ids = || (0..people.len()).map(|at| people.user_id(at, store));
    for typed in searched.iter().take(SEARCHES_SHOWN) {
        let closest = closest_ids(typed, ids(), CLOSEST);
        lines.push(if closest.is_empty() {
            format!(
                "`{typed}`: no one expected or attending is close ({} people).",
                roster.people.len()
            )
        } else {
            format!(
                "`{typed}`: the closest ids expected or attending: {}",
                closest.join(", ")
            )
        });
    }
    lines.push(format!("Here: {}", roster.counts_line()));
    lines.push(REMINDER.to_owned());
    lines
}

impl App {
    /// Builds the help when the filter in force keeps no row of a read that got somewhere;
    /// kept until the rows or the filter change, so drawing never searches the ids.
    pub(super) fn refresh_empty_help(&mut self, now: Nanos) {
        let source = self.shown.source.trim();
        let empty = self.derived.filtered.is_empty()
            && !source.is_empty()
            && (self.completeness.is_some() || !self.store.is_empty());
        if !empty {
            self.empty_help = None;
            return;
        }
        let key = (source.to_owned(), self.seen.user_count());
        if self.empty_help.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let searched = searched_ids(source, &self.parse_context(now));
        let lines = help_lines(source, &searched, &self.seen, &self.store);
        self.empty_help = Some((key, lines));
    }

    /// Builds the Expected view's help when the filter in force keeps nobody of the people
    /// classified; kept until the filter or the people change.
    pub(super) fn refresh_expected_help(&mut self, now: Nanos) {
        let source = self.filter.active().source.trim();
        let roster = self
            .derived
            .roster()
            .filter(|roster| roster.people.len() > 0);
        let shown = self.views.lists_expected();
        let Some(roster) = roster.filter(|_| shown && self.views.expected.list.len() == 0) else {
            self.expected_help = None;
            return;
        };
        if source.is_empty() {
            self.expected_help = None;
            return;
        }
        let key = (source.to_owned(), roster.people.len());
        if self.expected_help.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let searched = searched_ids(source, &self.parse_context(now));
        let lines = expected_help_lines(source, &searched, roster, &self.store);
        self.expected_help = Some((key, lines));
    }

    /// What the Expected view says while the filter keeps nobody.
    pub(crate) fn expected_empty_help(&self) -> Option<&[String]> {
        self.expected_help
            .as_ref()
            .map(|(_, lines)| lines.as_slice())
    }

    /// What an empty result says, while the filter in force keeps nothing.
    pub(crate) fn empty_help(&self) -> Option<&[String]> {
        self.empty_help.as_ref().map(|(_, lines)| lines.as_slice())
    }
}
