//! The pace of live polls within the app's rate limit.
//!
//! Stream counts requests per endpoint over fixed windows (`X-RateLimit-Limit` requests until
//! `X-RateLimit-Reset`), and the app's quota is shared with its production traffic. A live
//! poll reads every page of the session again, so the dashboard keeps its own reads of
//! `QueryCallParticipantSessions` to at most half of each window's quota: the next poll starts
//! `--interval` after the previous one finished, or later, when starting it then would spend
//! more than that half, or more than what is left of the window.
//!
//! Every instant here is on the local clock: `--interval` is what the user set, in real
//! seconds, and the window's reset, stated on the server's clock, means a real wait from the
//! answer's `Date` ([`Now::local_of`]), so it is moved onto the local clock as it is learned.
//! Against `headcount sim --speed N`, whose present runs N times faster than real time, each
//! wait still lasts what it means.
//!
//! Pure: every instant is passed in.

use super::clock::{Local, Now};
use crate::api::RateLimit;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// Stream's windows last a minute; the length is learned from two successive resets when the
/// server's windows are other.
const DEFAULT_WINDOW: Nanos = 60 * NANOS_PER_SEC;

/// What the dashboard's reads have spent of the current window's quota, and what the last
/// read cost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollBudget {
    /// The latest quota the server stated (its reset on the server's clock, as stated).
    quota: Option<RateLimit>,
    /// When the window of `quota` turns, on the local clock.
    reset_at: Option<Local>,
    /// Requests the dashboard sent in the window ending at `quota.reset`.
    spent: u64,
    /// Requests of the read under way.
    current: u64,
    /// Requests of the last whole read.
    last_cost: Option<u64>,
    /// A window's length, learned from two successive resets (real time).
    window: Option<Nanos>,
}

/// When the next poll starts, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextPoll {
    /// On the local clock.
    pub at: Local,
    /// Later than `--interval` after the last poll, to stay within half of the quota.
    pub stretched: bool,
}

impl PollBudget {
    /// A read starts: its requests are counted from zero.
    pub(crate) fn read_started(&mut self) {
        self.current = 0;
    }

    /// One request of the dashboard's read was answered, with the quota the server stated
    /// (`None` when it stated none), handled at `now`.
    pub(crate) fn answered(&mut self, quota: Option<RateLimit>, now: Now) {
        self.current += 1;
        let Some(quota) = quota else {
            self.spent += 1;
            return;
        };
        let reset_at = now.local_of(quota.reset.saturating_mul(NANOS_PER_SEC));
        match (self.quota, self.reset_at) {
            (Some(held), Some(held_at)) if quota.reset > held.reset => {
                let length = (reset_at - held_at).max(NANOS_PER_SEC);
                self.window = Some(self.window.map_or(length, |known| known.min(length)));
                self.spent = 0;
            }
            // An answer of an earlier window, overtaken by a later one: counted there.
            (Some(held), _) if quota.reset < held.reset => return,
            _ => {}
        }
        self.quota = Some(quota);
        self.reset_at = Some(reset_at);
        self.spent += 1;
    }

    /// The read under way ended: its requests are the cost the next poll is planned with.
    pub(crate) fn read_ended(&mut self) {
        self.last_cost = Some(self.current);
    }

    /// Requests of the last whole read.
    pub fn last_cost(&self) -> Option<u64> {
        self.last_cost
    }

    /// The latest quota the server stated (its reset in Unix seconds on the server's clock).
    pub fn quota(&self) -> Option<RateLimit> {
        self.quota
    }

    /// When the next poll starts, the last read having ended at `finished`: `interval` later,
    /// unless a read costing as much as the last one would then take more than half of the
    /// window's quota (counting what the dashboard already spent in it) or more than what is
    /// left of it, in which case it waits for the next window. A read that costs more than
    /// half a window's quota by itself waits as many more windows as it takes, so that on
    /// average the polls spend half of each.
    pub(crate) fn next_poll(&self, finished: Local, interval: Nanos) -> NextPoll {
        let earliest = finished + interval;
        let (Some(quota), Some(reset_at), Some(cost)) = (self.quota, self.reset_at, self.last_cost)
        else {
            return NextPoll {
                at: earliest,
                stretched: false,
            };
        };
        if quota.limit == 0 {
            return NextPoll {
                at: earliest,
                stretched: false,
            };
        }
        let half = (quota.limit / 2).max(1);
        // `X-RateLimit-Reset` is whole seconds, and it is moved onto the local clock from the
        // server's, which is known from `Date` (whole seconds too): a poll at the stated reset
        // can land just before the server's window turns and be refused. One second later it
        // cannot.
        let reset = reset_at + NANOS_PER_SEC;
        let window = self.window.unwrap_or(DEFAULT_WINDOW);
        let mut at = earliest;
        if earliest < reset && (self.spent + cost > half || cost > quota.remaining) {
            at = reset;
        }
        let windows = cost.div_ceil(half).max(1);
        if windows > 1 {
            let extra = Nanos::try_from(windows - 1)
                .unwrap_or(Nanos::MAX)
                .saturating_mul(window);
            at = at.max(reset + extra);
        }
        NextPoll {
            at,
            stretched: at > earliest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Nanos = NANOS_PER_SEC;
    /// 2026-05-12T09:00:00Z.
    const T0: Nanos = 1_778_576_400 * SEC;

    /// The next poll after a read that ended at `finished`, for clocks in step (the local
    /// clock reads the same number as the server's): when, and whether it was put off.
    fn planned(budget: &PollBudget, finished: Nanos, interval: Nanos) -> (Nanos, bool) {
        let next = budget.next_poll(Local::from_nanos(finished), interval);
        (next.at.nanos(), next.stretched)
    }

    fn quota(limit: u64, remaining: u64, reset: Nanos) -> Option<RateLimit> {
        Some(RateLimit {
            limit,
            remaining,
            reset: reset / SEC,
        })
    }

    /// A read of `pages` requests answered at the given quota, each spending one of it.
    fn read(budget: &mut PollBudget, pages: u64, limit: u64, remaining: u64, reset: Nanos) {
        budget.read_started();
        for page in 0..pages {
            budget.answered(quota(limit, remaining - page - 1, reset), Now::from(T0));
        }
        budget.read_ended();
    }

    #[test]
    fn without_a_quota_the_next_poll_is_an_interval_after_the_last() {
        let mut budget = PollBudget::default();
        assert_eq!(
            budget.next_poll(Local::from_nanos(T0), 5 * SEC),
            NextPoll {
                at: Local::from_nanos(T0 + 5 * SEC),
                stretched: false
            }
        );
        budget.read_started();
        budget.answered(None, Now::from(T0));
        budget.read_ended();
        assert_eq!(budget.last_cost(), Some(1));
        assert_eq!(planned(&budget, T0, 5 * SEC).0, T0 + 5 * SEC);
    }

    #[test]
    fn a_cheap_poll_keeps_the_interval() {
        let mut budget = PollBudget::default();
        read(&mut budget, 3, 100, 100, T0 + 60 * SEC);
        let next = planned(&budget, T0 + 2 * SEC, 5 * SEC);
        assert_eq!(next, (T0 + 7 * SEC, false));
    }

    #[test]
    fn a_poll_that_would_pass_half_the_quota_waits_for_the_next_window() {
        let mut budget = PollBudget::default();
        // 20 of 100 spent, the next 20 would make 40: still within 50.
        read(&mut budget, 20, 100, 100, T0 + 60 * SEC);
        assert!(!planned(&budget, T0 + SEC, 5 * SEC).1);
        read(&mut budget, 20, 100, 80, T0 + 60 * SEC);
        // 40 spent: another 20 would make 60.
        let next = planned(&budget, T0 + 10 * SEC, 5 * SEC);
        assert_eq!(next, (T0 + 61 * SEC, true));
        // In the next window the count starts again.
        read(&mut budget, 20, 100, 100, T0 + 120 * SEC);
        let next = planned(&budget, T0 + 62 * SEC, 5 * SEC);
        assert_eq!(next, (T0 + 67 * SEC, false));
    }

    #[test]
    fn a_quota_spent_by_others_makes_the_poll_wait_for_the_reset() {
        let mut budget = PollBudget::default();
        // Production traffic left 12 requests; the poll needs 10, then 10 more.
        read(&mut budget, 10, 1000, 12, T0 + 60 * SEC);
        let next = planned(&budget, T0 + SEC, 5 * SEC);
        assert_eq!(next, (T0 + 61 * SEC, true));
    }

    #[test]
    fn a_poll_dearer_than_half_a_window_is_spread_over_windows() {
        let mut budget = PollBudget::default();
        // Two windows are seen, 10 s long: a read of 25 pages at a limit of 10 needs five
        // half-windows of quota.
        budget.read_started();
        budget.answered(quota(10, 9, T0 + 10 * SEC), Now::from(T0));
        for _ in 1..25 {
            budget.answered(quota(10, 9, T0 + 20 * SEC), Now::from(T0));
        }
        budget.read_ended();
        let next = planned(&budget, T0 + 15 * SEC, 5 * SEC);
        assert_eq!(next, (T0 + 21 * SEC + 4 * 10 * SEC, true));
    }

    #[test]
    fn a_late_answer_of_an_earlier_window_does_not_move_the_quota_back() {
        let mut budget = PollBudget::default();
        budget.answered(quota(100, 50, T0 + 60 * SEC), Now::from(T0));
        budget.answered(quota(100, 99, T0), Now::from(T0));
        assert_eq!(budget.quota(), quota(100, 50, T0 + 60 * SEC));
    }

    /// A server whose clock runs ten times faster than this machine's (`sim --speed 10`),
    /// stating its reset as its `Date` plus the real time left in the window, as the sim does:
    /// the interval and the wait for the reset are both real time.
    #[test]
    fn the_interval_and_the_reset_are_waited_in_real_time() {
        // Ten real seconds are 100 s on the server's clock.
        let at = |real: Nanos| Now::new(T0 + 10 * real, Local::from_nanos(real));
        let mut budget = PollBudget::default();
        budget.read_started();
        // 60 s left in the window when the answer came, 2 s into the run.
        let reset = T0 + 20 * SEC + 60 * SEC;
        for page in 0..48 {
            budget.answered(quota(100, 99 - page, reset), at(2 * SEC));
        }
        budget.read_ended();
        // A later answer's `Date` jumps the server's clock on: the reset learned stays.
        let next = budget.next_poll(at(3 * SEC).local, 5 * SEC);
        assert_eq!(next.at, Local::from_nanos(2 * SEC + 61 * SEC));
        assert!(next.stretched);
        let mut cheap = PollBudget::default();
        cheap.read_started();
        cheap.answered(quota(100, 99, reset), at(2 * SEC));
        cheap.read_ended();
        let next = cheap.next_poll(at(3 * SEC).local, 5 * SEC);
        assert_eq!(
            (next.at, next.stretched),
            (Local::from_nanos(8 * SEC), false)
        );
    }
}
