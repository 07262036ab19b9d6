//! Time as people read it: the display zone and the formats every view and export shares.
//!
//! Everything is stored and computed in UTC nanoseconds; only this module turns an instant into
//! text, so that no view can forget the chosen zone.

use jiff::{Timestamp, tz::TimeZone};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// The zone times are shown in, with the name shown beside them.
#[derive(Debug, Clone)]
pub struct DisplayZone {
    tz: TimeZone,
    label: String,
}

/// An unknown `--tz` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone `{0}`: use `local`, `UTC` or an IANA name such as `Europe/Paris`")]
pub struct UnknownZone(pub String);

impl DisplayZone {
    /// `local`, `UTC` (any case) or an IANA name.
    pub fn parse(name: &str) -> Result<DisplayZone, UnknownZone> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("local") {
            return Ok(DisplayZone::local());
        }
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Ok(DisplayZone::utc());
        }
        let tz = TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(DisplayZone {
            label: tz.iana_name().unwrap_or(name).to_owned(),
            tz,
        })
    }

    pub fn utc() -> DisplayZone {
        DisplayZone {
            tz: TimeZone::UTC,
            label: "UTC".to_owned(),
        }
    }

    /// The machine's zone, named by its IANA name when the system knows it.
    pub(crate) fn local() -> DisplayZone {
        let tz = TimeZone::system();
        let label = tz.iana_name().unwrap_or("local").to_owned();
        DisplayZone { tz, label }
    }

    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn tz(&self) -> &TimeZone {
        &self.tz
    }

    fn zoned(&self, at: Nanos) -> jiff::ZonedDateTime {
        Timestamp::from_nanosecond(i128::from(at))
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.tz.clone())
    }

    /// `14:03:21`
    pub(crate) fn time(&self, at: Nanos) -> String {
        self.zoned(at).strftime("%H:%M:%S").to_string()
    }

    /// The zone's short name at `at` (`UTC`, `CET`, `CEST`; `+0530` where the zone has none),
    /// written after a time that has no date or offset beside it.
    pub fn abbreviation(&self, at: Nanos) -> String {
        self.zoned(at).strftime("%Z").to_string()
    }

    /// `2026-11-26 14:03:21`
    pub(crate) fn date_time(&self, at: Nanos) -> String {
        self.zoned(at).strftime("%Y-%m-%d %H:%M:%S").to_string()
    }

    /// `2026-11-26 14:03:21 +01:00`: an instant people read where the offset matters (a
    /// time a filter resolved to, a window over a change of offset).
    pub(crate) fn date_time_offset(&self, at: Nanos) -> String {
        self.zoned(at).strftime("%Y-%m-%d %H:%M:%S %:z").to_string()
    }

    /// The zone's offset at `at` (seconds east of UTC).
    pub(crate) fn offset_seconds(&self, at: Nanos) -> i32 {
        self.zoned(at).offset().seconds()
    }

    /// `start → end`, each with its offset when the offset changes in between (a DST
    /// transition inside the window), else without: `2026-03-29 01:30:00 +01:00 → 2026-03-29
    /// 03:30:00 +02:00`.
    pub(crate) fn span(&self, start: Nanos, end: Nanos) -> String {
        if self.offset_seconds(start) == self.offset_seconds(end) {
            format!("{} → {}", self.date_time(start), self.date_time(end))
        } else {
            format!(
                "{} → {}",
                self.date_time_offset(start),
                self.date_time_offset(end)
            )
        }
    }

    /// RFC 3339 with the zone's offset, for exports: `2026-11-26T15:03:21+01:00`.
    pub(crate) fn rfc3339(&self, at: Nanos) -> String {
        self.zoned(at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// The calendar date of an instant in this zone (the date `joined>10:30` refers to).
    pub(crate) fn date(&self, at: Nanos) -> jiff::civil::Date {
        self.zoned(at).date()
    }
}

/// RFC 3339 in UTC: `2026-11-26T14:03:21Z`.
pub fn utc_rfc3339(at: Nanos) -> String {
    DisplayZone::utc()
        .zoned(at)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A length of time for people, exact to the second: `45s`, `12m 05s`, `1h 02m 07s`,
/// `3d 04h 00m 00s`. The one rule for every duration shown (the tables, the user detail, the
/// answer card, `totals`): a length is never cut to its hours or minutes, so that a figure
/// copied from one place equals the same figure anywhere else, and equals the seconds the
/// exports give.
pub(crate) fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, s) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sign}{s}s"),
        (0, 0, _) => format!("{sign}{m}m {s:02}s"),
        (0, _, _) => format!("{sign}{h}h {m:02}m {s:02}s"),
        _ => format!("{sign}{d}d {h:02}h {m:02}m {s:02}s"),
    }
}

/// A count for people, in groups of three digits: `1,234,567`.
pub(crate) fn thousands(value: i128) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// How long ago something happened, for "updated 3s ago".
pub(crate) fn ago(then: Nanos, now: Nanos) -> String {
    let seconds = (now - then).max(0) / NANOS_PER_SEC;
    if seconds < 1 {
        "just now".to_owned()
    } else {
        format!("{} ago", human_duration(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-26T14:03:21Z
    const AT: Nanos = 1_795_701_801 * NANOS_PER_SEC;

    #[test]
    fn the_same_instant_reads_differently_per_zone() {
        let paris = DisplayZone::parse("Europe/Paris").unwrap();
        assert_eq!(paris.label(), "Europe/Paris");
        assert_eq!(paris.time(AT), "15:03:21");
        assert_eq!(paris.rfc3339(AT), "2026-11-26T15:03:21+01:00");
        let utc = DisplayZone::parse("utc").unwrap();
        assert_eq!(utc.date_time(AT), "2026-11-26 14:03:21");
        assert_eq!(utc_rfc3339(AT), "2026-11-26T14:03:21Z");
    }

    #[test]
    fn a_span_over_a_change_of_offset_shows_both_offsets() {
        let paris = DisplayZone::parse("Europe/Paris").unwrap();
        // 2026-03-29 00:30Z → 01:30Z: Paris goes from +01:00 to +02:00 at 01:00Z.
        let start = 1_774_744_200 * NANOS_PER_SEC;
        let end = start + 3_600 * NANOS_PER_SEC;
        assert_eq!(
            paris.span(start, end),
            "2026-03-29 01:30:00 +01:00 → 2026-03-29 03:30:00 +02:00"
        );
        assert_eq!(
            paris.span(AT, AT + 60 * NANOS_PER_SEC),
            "2026-11-26 15:03:21 → 2026-11-26 15:04:21"
        );
        assert_eq!(paris.date_time_offset(AT), "2026-11-26 15:03:21 +01:00");
    }

    #[test]
    fn an_unknown_zone_says_what_to_use() {
        let err = DisplayZone::parse("Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("IANA"), "{err}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(725), "12m 05s");
        assert_eq!(human_duration(7_380), "2h 03m 00s");
        // Seconds are kept past an hour and a day: a figure is never cut.
        assert_eq!(human_duration(3_727), "1h 02m 07s");
        assert_eq!(human_duration(273_600), "3d 04h 00m 00s");
        assert_eq!(human_duration(273_661), "3d 04h 01m 01s");
        assert_eq!(human_duration(-3_727), "-1h 02m 07s");
        assert_eq!(ago(AT - 3 * NANOS_PER_SEC, AT), "3s ago");
        assert_eq!(ago(AT, AT), "just now");
    }
}
