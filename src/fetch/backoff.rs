//! How long the fetcher waits before asking for a failed page again.
//!
//! The client has already retried a few times by then, so the fetcher is patient: it honours
//! the server's own time when there is one and otherwise backs off up to half a minute.

use std::time::Duration;

use crate::api::timestamp::Nanos;

/// The wait after the first failure; each further failure doubles it.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// Waits never grow beyond this, so the dashboard recovers soon after the network does.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// The instant (Unix ns) to try again after `failures` failures in a row (1 after the first),
/// given the time the server asked for, if any. A server time already past (clock skew, or a
/// 5xx without one) falls back to the backoff, so a misbehaving server is never hammered.
pub(super) fn retry_instant(failures: u32, server_time: Option<Nanos>, now: Nanos) -> Nanos {
    match server_time {
        Some(at) if at > now => at,
        _ => now.saturating_add(nanos(backoff(failures))),
    }
}

/// `FIRST_WAIT * 2^(failures - 1)`, capped at `LONGEST_WAIT`.
fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_WAIT.saturating_mul(1 << doublings).min(LONGEST_WAIT)
}

fn nanos(duration: Duration) -> Nanos {
    Nanos::try_from(duration.as_nanos()).unwrap_or(Nanos::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::timestamp::NANOS_PER_SEC;

    const NOW: Nanos = 1_760_000_000 * NANOS_PER_SEC;

    #[test]
    fn the_servers_time_is_honoured() {
        let reset = NOW + 42 * NANOS_PER_SEC;
        assert_eq!(retry_instant(1, Some(reset), NOW), reset);
        assert_eq!(retry_instant(9, Some(reset), NOW), reset);
    }

    #[test]
    fn without_a_server_time_the_wait_doubles_up_to_half_a_minute() {
        let waits: Vec<i64> = (1..=7)
            .map(|n| (retry_instant(n, None, NOW) - NOW) / NANOS_PER_SEC)
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn a_server_time_in_the_past_backs_off_instead_of_retrying_at_once() {
        let past = NOW - NANOS_PER_SEC;
        assert_eq!(retry_instant(1, Some(past), NOW), NOW + NANOS_PER_SEC);
        assert_eq!(retry_instant(1, Some(NOW), NOW), NOW + NANOS_PER_SEC);
    }

    #[test]
    fn many_failures_do_not_overflow() {
        assert_eq!(retry_instant(u32::MAX, None, NOW), NOW + 30 * NANOS_PER_SEC);
    }
}
