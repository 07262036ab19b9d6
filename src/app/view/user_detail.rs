//! The User view (a drill-down): one user's matching sessions in join order, with the gaps
//! between them, under the user's figures.

use crate::api::timestamp::Nanos;
use crate::attendance::{
    DetailLine, FilterableRow, HistoryEntry, SessionLine, SessionStore, Thresholds, UserId,
    detail_headers, detail_record, user_history,
};

use super::{Data, ViewRecords};
use crate::app::derived::Derived;
use crate::app::item_list::ItemList;
use crate::app::keymap::Context;
use crate::filter::LocalRow;

pub(super) const TITLE: &str = "User";
pub(super) const CONTEXTS: &[Context] = &[Context::List, Context::Global];

/// The sessions of the user the view was opened on (the user is in its [`super::View`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct UserDetailView {
    pub(crate) list: ItemList<HistoryEntry>,
}

impl UserDetailView {
    /// The user's sessions for the current filter.
    pub(crate) fn refresh(
        &mut self,
        user: UserId,
        derived: &Derived,
        store: &SessionStore,
        thresholds: &Thresholds,
        now: Nanos,
    ) {
        let entries = user_history(
            store,
            derived.user_rows(store).of(user),
            user,
            now,
            thresholds,
        );
        self.list.set_items(entries);
    }

    /// `y`: the selected session's id.
    pub(crate) fn copy_text(&self, store: &SessionStore) -> Option<String> {
        let row = store.get(self.list.selected()?.row)?;
        Some(row.user_session_id().as_str().to_owned())
    }

    /// Every session of the user as CSV, with the gap before each.
    pub(crate) fn records(&self, data: &Data<'_>) -> ViewRecords {
        let mut records = ViewRecords::new(detail_headers());
        for entry in self.list.items() {
            let Some(row) = data.store.get(entry.row) else {
                continue;
            };
            let problems = row.counted(&row.store().row_context(data.now)).problems;
            let filterable = FilterableRow::new(row);
            let session = SessionLine::new(
                &filterable,
                problems,
                filterable.is_open(),
                data.now,
                data.zone,
            );
            let record = detail_record(&DetailLine::new(session, entry));
            records.push(record);
        }
        records
    }
}
