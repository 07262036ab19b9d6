//! Durations as people write them in a config file or on the command line.
//!
//! Accepted forms: a whole number of seconds (`90`, or the TOML integer `90`) or a sequence of
//! numbers with units `h`, `m`, `s` (`"5m"`, `"60s"`, `"1h30m"`). The same parser serves clap
//! flags and TOML values, so both accept exactly the same spellings.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};

/// Explains the accepted spellings; part of every parse error.
const EXPECTED: &str = "a whole number of seconds or a duration such as \"90s\", \"5m\", \"1h30m\"";

/// Parses `"90"`, `"90s"`, `"5m"`, `"1h30m"` into a [`Duration`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_with_units(text).ok_or_else(|| format!("invalid duration {text:?}: expected {EXPECTED}"))
}

/// Like [`parse_duration`] but refuses zero, which would poll Stream without pause.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    nonzero(parse_duration(text)?)
}

fn nonzero(duration: Duration) -> Result<Duration, String> {
    if duration.is_zero() {
        Err("the interval must be at least 1s".to_owned())
    } else {
        Ok(duration)
    }
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
pub fn format_duration(duration: Duration) -> String {
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

/// Serde adapter for an optional duration field: a TOML integer (seconds) or a duration string.
pub fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    d.deserialize_any(DurationVisitor).map(Some)
}

/// Serde adapter for the refresh interval: a duration that is not zero.
pub fn deserialize_interval<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let duration = d.deserialize_any(DurationVisitor)?;
    nonzero(duration).map(Some).map_err(de::Error::custom)
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
    fn interval_cannot_be_zero() {
        assert_eq!(parse_interval("2s"), Ok(secs(2)));
        assert!(parse_interval("0s").unwrap_err().contains("at least 1s"));
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
