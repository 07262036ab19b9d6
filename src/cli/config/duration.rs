//! Durations as people write them in a config file or on the command line.
//!
//! Accepted forms: a whole number of seconds (`90`, or the TOML integer `90`) or a sequence of
//! numbers with units `h`, `m`, `s` (`"5m"`, `"60s"`, `"1h30m"`). The same parser serves clap
//! flags and TOML values, so both accept exactly the same spellings. Every setting has a
//! [`Range`]: a value outside it is refused with the range, never wrapped or clamped.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};

/// Explains the accepted spellings; part of every parse error.
const EXPECTED: &str = "a whole number of seconds or a duration such as \"90s\", \"5m\", \"1h30m\"";

/// Parses `"90"`, `"90s"`, `"5m"`, `"1h30m"` into a [`Duration`].
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_with_units(text).ok_or_else(|| format!("invalid duration {text:?}: expected {EXPECTED}"))
}

/// The durations a setting accepts, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    /// The setting's name in messages: `the interval`.
    pub(crate) what: &'static str,
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

const HOUR: Duration = Duration::from_secs(3600);

/// `interval`, `--interval`: between two reads of a live call. Under a second would poll
/// Stream without pause; over an hour, the live call is no longer being watched.
pub(crate) const INTERVAL: Range = Range {
    what: "the interval",
    min: Duration::from_secs(1),
    max: HOUR,
};

/// `late_grace`, `early_grace`: how late a join or how early a leave still counts as on time.
pub(crate) const GRACE: Range = Range {
    what: "a grace period",
    min: Duration::ZERO,
    max: Duration::from_secs(24 * 3600),
};

/// `reconnect_gap`: the longest gap between two sessions of a user that is a reconnect.
pub(crate) const RECONNECT_GAP: Range = Range {
    what: "the reconnect gap",
    min: Duration::ZERO,
    max: Duration::from_secs(24 * 3600),
};

/// `api_secret_cmd_timeout`: how long the secret command may take, a password prompt included.
pub(crate) const SECRET_CMD_TIMEOUT: Range = Range {
    what: "api_secret_cmd_timeout",
    min: Duration::from_secs(1),
    max: Duration::from_secs(600),
};

impl Range {
    /// `duration` when within the range, else an error that gives the range.
    pub(crate) fn check(&self, duration: Duration) -> Result<Duration, String> {
        if (self.min..=self.max).contains(&duration) {
            Ok(duration)
        } else {
            Err(format!(
                "{} must be from {} to {}, got {}",
                self.what,
                format_duration(self.min),
                format_duration(self.max),
                format_duration(duration)
            ))
        }
    }

    /// [`parse_duration`], then [`Range::check`].
    pub(crate) fn parse(&self, text: &str) -> Result<Duration, String> {
        self.check(parse_duration(text)?)
    }
}

/// `--interval`: a duration of [`INTERVAL`].
pub(crate) fn parse_interval(text: &str) -> Result<Duration, String> {
    INTERVAL.parse(text)
}

fn parse_with_units(text: &str) -> Option<Duration> {
    let mut total: u64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let amount: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let seconds = amount.checked_mul(unit_seconds(unit)?)?;
        total = total.checked_add(seconds)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Some(Duration::from_secs(total))
}

fn unit_seconds(unit: char) -> Option<u64> {
    match unit {
        'h' => Some(3600),
        'm' => Some(60),
        's' => Some(1),
        _ => None,
    }
}

/// Writes a duration in the shortest form [`parse_duration`] reads back, e.g. `1h30m`, `90s` → `1m30s`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    if total == 0 {
        return "0s".to_owned();
    }
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    [(hours, 'h'), (minutes, 'm'), (seconds, 's')]
        .iter()
        .filter(|(amount, _)| *amount > 0)
        .map(|(amount, unit)| format!("{amount}{unit}"))
        .collect()
}

/// A duration field of the config file within `range`: a TOML integer (seconds) or a duration
/// string.
fn deserialize_in<'de, D: Deserializer<'de>>(
    d: D,
    range: &Range,
) -> Result<Option<Duration>, D::Error> {
    let duration = d.deserialize_any(DurationVisitor)?;
    range.check(duration).map(Some).map_err(de::Error::custom)
}

/// Serde adapter for the refresh interval ([`INTERVAL`]).
pub(crate) fn deserialize_interval<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    deserialize_in(d, &INTERVAL)
}

/// Serde adapter for the grace periods ([`GRACE`]).
pub(crate) fn deserialize_grace<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    deserialize_in(d, &GRACE)
}

/// Serde adapter for the reconnect gap ([`RECONNECT_GAP`]).
pub(crate) fn deserialize_reconnect_gap<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    deserialize_in(d, &RECONNECT_GAP)
}

/// Serde adapter for `api_secret_cmd_timeout` ([`SECRET_CMD_TIMEOUT`]).
pub(crate) fn deserialize_secret_cmd_timeout<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    deserialize_in(d, &SECRET_CMD_TIMEOUT)
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Duration, E> {
        Ok(Duration::from_secs(seconds))
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Duration, E> {
        u64::try_from(seconds)
            .map(Duration::from_secs)
            .map_err(|_| E::custom(format!("invalid duration {seconds}: expected {EXPECTED}")))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
        parse_duration(text).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(parse_duration("90"), Ok(secs(90)));
        assert_eq!(parse_duration(" 0 "), Ok(secs(0)));
    }

    #[test]
    fn units_and_combinations() {
        assert_eq!(parse_duration("60s"), Ok(secs(60)));
        assert_eq!(parse_duration("5m"), Ok(secs(300)));
        assert_eq!(parse_duration("2h"), Ok(secs(7200)));
        assert_eq!(parse_duration("1h30m"), Ok(secs(5400)));
        assert_eq!(parse_duration("1m30s"), Ok(secs(90)));
    }

    #[test]
    fn rejects_what_it_cannot_read_and_says_what_it_expects() {
        for bad in [
            "",
            "5x",
            "m",
            "-5",
            "5 m",
            "1.5m",
            "5mm",
            "99999999999999999999h",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains("\"5m\""), "{bad:?} gave {err}");
        }
    }

    #[test]
    fn the_interval_is_from_one_second_to_one_hour() {
        assert_eq!(parse_interval("1s"), Ok(secs(1)));
        assert_eq!(parse_interval("1h"), Ok(secs(3600)));
        for out in ["0s", "3601", "9223372037", "18446744073709551615"] {
            let err = parse_interval(out).unwrap_err();
            assert!(err.contains("from 1s to 1h"), "{out}: {err}");
        }
    }

    #[test]
    fn every_range_is_said_in_its_errors() {
        assert_eq!(GRACE.parse("24h"), Ok(secs(86_400)));
        let err = GRACE.parse("25h").unwrap_err();
        assert_eq!(err, "a grace period must be from 0s to 24h, got 25h");
        assert!(
            SECRET_CMD_TIMEOUT
                .parse("0")
                .unwrap_err()
                .contains("from 1s to 10m")
        );
        assert!(RECONNECT_GAP.parse("1h").is_ok());
    }

    #[test]
    fn formatting_round_trips() {
        for seconds in [0, 1, 59, 60, 90, 300, 3600, 5400, 3661] {
            let text = format_duration(secs(seconds));
            assert_eq!(parse_duration(&text), Ok(secs(seconds)), "{text}");
        }
        assert_eq!(format_duration(secs(90)), "1m30s");
        assert_eq!(format_duration(secs(300)), "5m");
    }
}
