//! The call-level figures and the one-call computation of everything a screen shows.

use std::sync::Arc;

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::breakdown::{Breakdowns, breakdowns};
use super::call::{CallState, ServerTotals, Window};
use super::concurrency::{ConcurrencyCurve, Peak};
use super::problems::{DataQuality, data_quality};
use super::row::{RowId, UserId};
use super::store::SessionStore;
use super::thresholds::Thresholds;
use super::users::{UserFigures, user_figures};

/// The call-level figures over the rows given (the ones matching the active filter), next to
/// the server totals, which always cover the whole call session.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFigures {
    pub(crate) state: Option<CallState>,
    pub window: Option<Window>,
    pub(crate) totals: ServerTotals,
    pub sessions: u64,
    /// Sum of the rows' valid durations (open rows of a live session up to `now`): what the
    /// documented manual loop adds, without the rows whose duration cannot be right (see
    /// `data_quality`).
    pub connected_seconds: i64,
    pub unique_users: u64,
    /// Sum over users of their attended time, each counted in whole seconds.
    pub attended_seconds: i64,
    pub peak_sessions: Peak,
    pub(crate) peak_users: Peak,
    /// Distinct users present at the midpoint of the window.
    pub(crate) headcount_at_midpoint: Option<u32>,
    pub(crate) breakdowns: Breakdowns,
    /// The rows with problems, and how the durations as received became connected time.
    pub data_quality: DataQuality,
}

/// Everything computed at once for one set of rows and one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub call: CallFigures,
    /// One entry per user with matching rows, ordered by `UserId`; shared with the roster
    /// classified from them, which reads its attendees who are not members here.
    pub users: Arc<Vec<UserFigures>>,
    pub(crate) curve: ConcurrencyCurve,
}

impl Figures {
    pub fn compute(
        store: &SessionStore,
        rows: &[RowId],
        now: Nanos,
        thresholds: &Thresholds,
    ) -> Self {
        Figures::compute_sharing(store, rows, now, thresholds, None)
    }

    /// [`Figures::compute`], with `users` the per-user figures of `rows` at `now` with
    /// `thresholds` when they are known already (a roster classified from them holds them):
    /// shared, not computed again, as at a million users they are the largest table.
    pub(crate) fn compute_sharing(
        store: &SessionStore,
        rows: &[RowId],
        now: Nanos,
        thresholds: &Thresholds,
        users: Option<Arc<Vec<UserFigures>>>,
    ) -> Self {
        let users = users.unwrap_or_else(|| Arc::new(user_figures(store, rows, now, thresholds)));
        let curve = ConcurrencyCurve::compute(store, rows, now);
        let window = store.window(now);
        let call = CallFigures {
            state: store.state(now),
            window,
            totals: store.totals(),
            sessions: rows.len() as u64,
            connected_seconds: users
                .iter()
                .fold(0i64, |sum, u| sum.saturating_add(u.connected_seconds)),
            unique_users: users.len() as u64,
            attended_seconds: users.iter().map(|u| u.attended / NANOS_PER_SEC).sum(),
            peak_sessions: curve.peak_sessions(),
            peak_users: curve.peak_users(),
            headcount_at_midpoint: curve.users_at_midpoint(),
            breakdowns: breakdowns(store, rows, now),
            data_quality: data_quality(store, rows, now),
        };
        Figures { call, users, curve }
    }

    pub fn user(&self, user: UserId) -> Option<&UserFigures> {
        self.users
            .binary_search_by_key(&user, |figures| figures.user)
            .ok()
            .map(|i| &self.users[i])
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::*;

    #[test]
    fn call_figures_cover_the_given_rows_and_keep_server_totals() {
        let mut store = ended_call(vec![
            closed("alice", "phone", 0, 30 * MIN),
            closed("alice", "laptop", 10 * MIN, 40 * MIN),
            closed("bob", "b", 20 * MIN, 50 * MIN),
            closed("carol", "c", 45 * MIN, 60 * MIN),
        ]);
        let mut totals = page(Some(session(Some(0), Some(60 * MIN))), vec![]);
        totals.total_participant_sessions = Some(9);
        totals.total_participant_duration = Some(99_999);
        store.ingest(&totals).unwrap();
        let rows: Vec<RowId> = all_rows(&store).into_iter().take(3).collect();
        let figures = Figures::compute(&store, &rows, T0 + 90 * MIN, &Thresholds::default());
        let call = &figures.call;
        assert_eq!(call.totals.participant_sessions, Some(9));
        assert_eq!(call.totals.participant_duration_seconds, Some(99_999));
        assert_eq!(call.sessions, 3);
        assert_eq!(call.connected_seconds, 90 * 60);
        assert_eq!(call.unique_users, 2);
        assert_eq!(call.attended_seconds, (40 + 30) * 60);
        assert_eq!(call.peak_sessions.value, 3);
        assert_eq!(
            call.peak_users,
            Peak {
                value: 2,
                at: Some(T0 + 20 * MIN)
            }
        );
        assert_eq!(call.headcount_at_midpoint, Some(2));
        assert_eq!(call.state, Some(CallState::Ended));
        let bob = store.find_user("bob").unwrap();
        assert_eq!(figures.user(bob).unwrap().attended, 30 * MIN);
        assert!(figures.user(store.find_user("carol").unwrap()).is_none());
    }

    #[test]
    fn live_figures_move_with_the_clock() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![open("alice", "a", 0)],
        ));
        let rows = all_rows(&store);
        let thresholds = Thresholds::default();
        let at = |now| {
            Figures::compute(&store, &rows, now, &thresholds)
                .call
                .connected_seconds
        };
        let (at_ten, at_twenty) = (at(T0 + 10 * MIN), at(T0 + 20 * MIN));
        assert_eq!((at_ten, at_twenty), (10 * 60, 20 * 60));
    }
}
