//! Earlier sessions of the simulated call: a call id is reused (a weekly meeting, a recurring
//! town hall), and each use is a call session of its own, ended and smaller than the current
//! one. They exist so that session discovery (`QueryCallSessionStats`) has several rows to
//! sort and page, and so that any of them can be opened by id.

use super::attendance::Attendance;
use super::cursor::CursorSigner;
use super::scenario::{self, Scenario};
use crate::api::timestamp::NANOS_PER_SEC;

/// Earlier sessions come once a week, the most recent a week before the current one.
const INTERVAL_NS: i64 = 7 * 86_400 * NANOS_PER_SEC;

/// Stream purges per-session details after 90 days; only the totals remain.
pub(crate) const RETENTION_NS: i64 = 90 * 86_400 * NANOS_PER_SEC;

/// An ended earlier session and the signer of its participant-session cursors.
pub(crate) struct EarlierSession {
    pub(crate) call: Attendance,
    pub(crate) cursors: CursorSigner,
}

/// `count` earlier sessions of the scenario's call, the most recent first, deterministic from
/// `seed`; those that ended beyond retention (before `now`) have their details purged.
pub(crate) fn earlier_sessions(
    scenario: Scenario,
    seed: u64,
    current_started_at: i64,
    count: usize,
    now: i64,
    secret: &str,
) -> Vec<EarlierSession> {
    (1..=count)
        .map(|weeks_before| {
            let started_at = current_started_at - weeks_before as i64 * INTERVAL_NS;
            let mut call =
                scenario::generate_earlier(scenario, earlier_seed(seed, weeks_before), started_at);
            call.expired = call.ends_at < now - RETENTION_NS;
            let cursors = CursorSigner::for_session(secret, call.session_id);
            EarlierSession { call, cursors }
        })
        .collect()
}

/// A seed of its own for each earlier session, so that its ids never repeat the current one's.
fn earlier_seed(seed: u64, weeks_before: usize) -> u64 {
    seed ^ (weeks_before as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const START: i64 = 1_767_000_000 * NANOS_PER_SEC;

    #[test]
    fn earlier_sessions_are_weekly_smaller_distinct_and_reproducible() {
        let now = START + 3_600 * NANOS_PER_SEC;
        let sessions = earlier_sessions(Scenario::Townhall, 1, START, 3, now, "s");
        let again = earlier_sessions(Scenario::Townhall, 1, START, 3, now, "s");
        let current = scenario::generate(Scenario::Townhall, 1, START);
        let mut ids: HashSet<_> = sessions.iter().map(|s| s.call.session_id).collect();
        ids.insert(current.session_id);
        assert_eq!(ids.len(), 4);
        for (index, session) in sessions.iter().enumerate() {
            assert_eq!(session.call.call_id, current.call_id);
            assert_eq!(
                session.call.started_at,
                START - (index as i64 + 1) * INTERVAL_NS
            );
            assert!(session.call.rows.len() < current.rows.len() / 5);
            assert_eq!(session.call.rows, again[index].call.rows);
            assert!(!session.call.expired);
        }
    }

    #[test]
    fn sessions_beyond_retention_are_expired() {
        let now = START + 3_600 * NANOS_PER_SEC;
        let sessions = earlier_sessions(Scenario::Small, 1, START, 14, now, "s");
        let expired: Vec<bool> = sessions.iter().map(|s| s.call.expired).collect();
        assert!(!expired[11] && expired[12] && expired[13], "{expired:?}");
    }
}
