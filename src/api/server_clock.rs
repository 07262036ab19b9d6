//! The server's present, learned from the `Date` header of its responses.
//!
//! A live call is described at the server's present: a row joined at 10:00:05 is open for
//! 5 s at the server's 10:00:10, whatever this machine's clock says. A local clock that runs
//! behind the server's (a skewed machine, or `headcount sim --live --speed 20`, whose call
//! runs twenty times faster than the wall) would see joins in the future, open sessions at
//! 0 s and a peak pinned at the start. Every response of Stream (and of the sim) carries a
//! `Date` header (RFC 9110 §6.6.1): the instant the server answered, to the second. This clock
//! is the local wall clock corrected by the offset the latest `Date` gave, and it never goes
//! backwards, so a figure computed later never describes an earlier moment.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimeParser;
use reqwest::header::{DATE, HeaderMap};

use super::timestamp::{NANOS_PER_SEC, Nanos, unix_now};

/// The present as the server sees it. Cheap to clone: clones share one clock, so the client
/// that receives responses and the code that computes figures agree.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerClock {
    state: Arc<ClockState>,
}

#[derive(Debug, Default)]
struct ClockState {
    /// Server time − local time (ns), from the latest `Date` header; 0 before any.
    offset: AtomicI64,
    /// The latest present handed out, so that none is ever earlier.
    last: AtomicI64,
}

impl ServerClock {
    pub(crate) fn new() -> ServerClock {
        ServerClock::default()
    }

    /// The server's present (Unix ns), by the local wall clock.
    pub(crate) fn now(&self) -> Nanos {
        self.now_at(unix_now())
    }

    /// The server's present when the local wall clock reads `local` (Unix ns): `local` plus
    /// the offset, and never earlier than a present already handed out.
    pub(crate) fn now_at(&self, local: Nanos) -> Nanos {
        let offset = self.state.offset.load(Ordering::Relaxed);
        let present = local.saturating_add(offset);
        let last = self.state.last.fetch_max(present, Ordering::Relaxed);
        present.max(last)
    }

    /// An instant of the local wall clock (a retry planned here) moved onto this clock, so
    /// that it can be compared with [`ServerClock::now`].
    pub(crate) fn local_to_server(&self, at: Nanos) -> Nanos {
        let local = unix_now();
        at.saturating_add(self.now_at(local).saturating_sub(local))
    }

    /// Learns from a response's headers, received when the local wall clock read `local`.
    /// Without a readable `Date` nothing changes.
    pub(crate) fn observe_headers(&self, headers: &HeaderMap, local: Nanos) {
        if let Some(date) = http_date(headers) {
            self.observe(date, local);
        }
    }

    /// Learns that the server's clock read `date` (whole seconds, truncated, as `Date` gives
    /// it) when the local one read `local`. The server's present then lies in
    /// `[date, date + 1 s)` (plus the time the answer took to arrive): a local clock inside
    /// that second needs no correction, one outside it is moved to its nearest edge. The
    /// offset follows the latest answer, so a server that speeds up (the sim) is followed too.
    pub(crate) fn observe(&self, date: Nanos, local: Nanos) {
        let corrected = local.clamp(date, date.saturating_add(NANOS_PER_SEC));
        self.state
            .offset
            .store(corrected.saturating_sub(local), Ordering::Relaxed);
    }
}

/// The `Date` header as Unix ns; `None` when absent or not an HTTP-date.
fn http_date(headers: &HeaderMap) -> Option<Nanos> {
    static HTTP_DATE: DateTimeParser = DateTimeParser::new();
    let text = headers.get(DATE)?.to_str().ok()?;
    let at: Timestamp = HTTP_DATE.parse_timestamp(text.trim()).ok()?;
    Nanos::try_from(at.as_nanosecond()).ok()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    const SEC: Nanos = NANOS_PER_SEC;
    /// 2026-05-12T09:00:00Z.
    const T0: Nanos = 1_778_576_400 * SEC;

    #[test]
    fn a_local_clock_within_the_dates_second_is_left_alone() {
        let clock = ServerClock::new();
        clock.observe(T0, T0 + SEC / 2);
        assert_eq!(clock.now_at(T0 + 10 * SEC), T0 + 10 * SEC);
        clock.observe(T0, T0);
        assert_eq!(clock.now_at(T0 + 11 * SEC), T0 + 11 * SEC);
    }

    #[test]
    fn a_server_ahead_moves_the_present_to_its_date() {
        let clock = ServerClock::new();
        // The sim at speed 20: its call is an hour ahead of this machine.
        clock.observe(T0 + 3600 * SEC, T0);
        assert_eq!(clock.now_at(T0), T0 + 3600 * SEC);
        assert_eq!(clock.now_at(T0 + 5 * SEC), T0 + 3605 * SEC);
    }

    #[test]
    fn a_local_clock_ahead_is_brought_back_to_the_end_of_the_dates_second() {
        let clock = ServerClock::new();
        clock.observe(T0, T0 + 120 * SEC);
        // Nothing handed out yet: the corrected present is the server's.
        assert_eq!(clock.now_at(T0 + 120 * SEC), T0 + SEC);
        assert_eq!(clock.now_at(T0 + 130 * SEC), T0 + 11 * SEC);
    }

    #[test]
    fn the_present_never_goes_backwards() {
        let clock = ServerClock::new();
        clock.observe(T0 + 600 * SEC, T0);
        assert_eq!(clock.now_at(T0 + SEC), T0 + 601 * SEC);
        // A later answer says the server is only 60 s ahead (an older response arriving late,
        // or a clock set back): the present waits instead of jumping back.
        clock.observe(T0 + 62 * SEC, T0 + 2 * SEC);
        assert_eq!(clock.now_at(T0 + 3 * SEC), T0 + 601 * SEC);
        assert_eq!(clock.now_at(T0 + 600 * SEC), T0 + 660 * SEC);
        // Nor does a local clock set back.
        assert_eq!(clock.now_at(T0), T0 + 660 * SEC);
    }

    #[test]
    fn clones_share_one_clock() {
        let clock = ServerClock::new();
        let client_side = clock.clone();
        client_side.observe(T0 + 3600 * SEC, T0);
        assert_eq!(clock.now_at(T0), T0 + 3600 * SEC);
    }

    #[test]
    fn the_date_header_is_read_as_an_http_date_and_anything_else_is_ignored() {
        let clock = ServerClock::new();
        let mut headers = HeaderMap::new();
        headers.insert(
            DATE,
            HeaderValue::from_static("Tue, 12 May 2026 10:00:00 GMT"),
        );
        clock.observe_headers(&headers, T0);
        assert_eq!(clock.now_at(T0), T0 + 3600 * SEC);
        let other = ServerClock::new();
        for bad in ["yesterday", "", "1778576400"] {
            headers.insert(DATE, HeaderValue::from_str(bad).unwrap());
            other.observe_headers(&headers, T0);
        }
        other.observe_headers(&HeaderMap::new(), T0);
        assert_eq!(other.now_at(T0), T0);
    }

    #[test]
    fn extreme_instants_saturate() {
        let clock = ServerClock::new();
        clock.observe(i64::MAX, 0);
        assert_eq!(clock.now_at(i64::MAX), i64::MAX);
    }
}
