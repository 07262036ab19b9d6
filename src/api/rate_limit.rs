//! Rate-limit headers and server hints on when to try again.
//!
//! Stream sends `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix
//! seconds, end of the current one-minute window) on every response, and may add `Retry-After`
//! (seconds or an HTTP-date) to a 429 or 503.
//!
//! An instant the server states (the reset, a `Retry-After` date) is on the server's clock, as
//! its `Date` header is (RFC 9110 §6.6.1). The wait is their difference, the same whatever
//! this machine's clock says: a skewed local clock, or a sim whose call runs ahead of the wall
//! (`headcount sim --live --speed N`), waits as long as the server means.

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimeParser;
use reqwest::StatusCode;
use reqwest::header::{DATE, HeaderMap, RETRY_AFTER};

/// The quota of the endpoint just called, from the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the current window.
    pub limit: u64,
    /// Requests left in the current window.
    pub remaining: u64,
    /// End of the current window, in Unix seconds on the server's clock (the clock of its
    /// `Date` header).
    pub reset: i64,
}

impl RateLimit {
    /// Reads the three headers; `None` unless all three are present and numeric.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        Some(RateLimit {
            limit: header_number(headers, "x-ratelimit-limit")?,
            remaining: header_number(headers, "x-ratelimit-remaining")?,
            reset: header_number(headers, "x-ratelimit-reset")?,
        })
    }
}

fn header_number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// When the server says a failed request may be tried again, on this machine's clock (`now`
/// is its present): `Retry-After` first, then, for a 429 only, the end of the rate-limit
/// window. Other statuses ignore `X-RateLimit-Reset` because it is sent on every response and
/// says nothing about a 503. An instant the server states counts from its `Date`, when it sent
/// one (see the module documentation).
pub(crate) fn retry_at(
    status: StatusCode,
    headers: &HeaderMap,
    now: Timestamp,
) -> Option<Timestamp> {
    let date = headers
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| HTTP_DATE.parse_timestamp(v.trim()).ok());
    let here = |at: Timestamp| match date {
        Some(date) => now.checked_add(at.duration_since(date)).ok(),
        None => Some(at),
    };
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now, here));
    if retry_after.is_some() || status != StatusCode::TOO_MANY_REQUESTS {
        return retry_after;
    }
    header_number(headers, "x-ratelimit-reset")
        .and_then(|s| Timestamp::from_second(s).ok())
        .and_then(here)
}

static HTTP_DATE: DateTimeParser = DateTimeParser::new();

/// `Retry-After` is either a number of seconds or an HTTP-date (RFC 9110 §10.2.3), the latter
/// on the server's clock (`here` moves it onto this machine's).
fn parse_retry_after(
    value: &str,
    now: Timestamp,
    here: impl Fn(Timestamp) -> Option<Timestamp>,
) -> Option<Timestamp> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u32>() {
        return now
            .checked_add(jiff::SignedDuration::from_secs(seconds.into()))
            .ok();
    }
    here(HTTP_DATE.parse_timestamp(value).ok()?)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    const NOW: i64 = 1_760_000_000;

    #[test]
    fn rate_limit_headers_are_read_on_any_response() {
        let map = headers(&[
            ("X-RateLimit-Limit", "1000"),
            ("X-RateLimit-Remaining", "998"),
            ("X-RateLimit-Reset", "1760000060"),
        ]);
        let limit = RateLimit::from_headers(&map).unwrap();
        assert_eq!(
            limit,
            RateLimit {
                limit: 1000,
                remaining: 998,
                reset: 1_760_000_060
            }
        );
    }

    #[test]
    fn missing_or_garbled_rate_limit_headers_give_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let garbled = headers(&[
            ("x-ratelimit-limit", "lots"),
            ("x-ratelimit-remaining", "1"),
            ("x-ratelimit-reset", "1760000060"),
        ]);
        assert_eq!(RateLimit::from_headers(&garbled), None);
    }

    #[test]
    fn retry_after_in_seconds_counts_from_now() {
        let map = headers(&[("retry-after", "7"), ("x-ratelimit-reset", "1760000060")]);
        assert_eq!(
            retry_at(StatusCode::TOO_MANY_REQUESTS, &map, at(NOW)),
            Some(at(NOW + 7))
        );
    }

    #[test]
    fn retry_after_as_http_date_is_an_instant() {
        let map = headers(&[("retry-after", "Thu, 09 Oct 2025 08:54:20 GMT")]);
        assert_eq!(
            retry_at(StatusCode::SERVICE_UNAVAILABLE, &map, at(NOW)),
            Some(at(NOW + 60))
        );
    }

    #[test]
    fn a_429_without_retry_after_waits_for_the_window_reset() {
        let map = headers(&[("x-ratelimit-reset", "1760000042")]);
        assert_eq!(
            retry_at(StatusCode::TOO_MANY_REQUESTS, &map, at(NOW)),
            Some(at(NOW + 42))
        );
    }

    /// A server (or a sped-up sim) whose clock is an hour ahead of this machine's: the wait
    /// is the reset, or the date, less its `Date`, not less this machine's present.
    #[test]
    fn the_servers_instants_count_from_its_date() {
        let date = "Thu, 09 Oct 2025 09:53:20 GMT";
        let ahead = Timestamp::from_second(NOW + 3600).unwrap();
        assert_eq!(
            jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&ahead)
                .unwrap(),
            date
        );
        let reset = (NOW + 3600 + 42).to_string();
        let map = headers(&[("date", date), ("x-ratelimit-reset", &reset)]);
        assert_eq!(
            retry_at(StatusCode::TOO_MANY_REQUESTS, &map, at(NOW)),
            Some(at(NOW + 42))
        );
        let map = headers(&[
            ("date", date),
            ("retry-after", "Thu, 09 Oct 2025 09:54:20 GMT"),
        ]);
        assert_eq!(
            retry_at(StatusCode::SERVICE_UNAVAILABLE, &map, at(NOW)),
            Some(at(NOW + 60))
        );
    }

    #[test]
    fn a_5xx_ignores_the_window_reset() {
        let map = headers(&[("x-ratelimit-reset", "1760000042")]);
        assert_eq!(retry_at(StatusCode::BAD_GATEWAY, &map, at(NOW)), None);
    }

    #[test]
    fn unreadable_retry_after_falls_back_to_the_reset() {
        let map = headers(&[("retry-after", "soon"), ("x-ratelimit-reset", "1760000042")]);
        assert_eq!(
            retry_at(StatusCode::TOO_MANY_REQUESTS, &map, at(NOW)),
            Some(at(NOW + 42))
        );
    }
}
