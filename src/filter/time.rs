//! The times a filter compares with (`joined>10:30`, `left<2026-11-26T11:00`), made instants.
//!
//! A bare time of day is the occurrence of that wall time *inside the call window*, in the
//! display zone, so a call from 23:45 to 00:15 finds `00:10` on its second day. No occurrence
//! in the window, or two (a window over 24 h), is an error that asks for a date. A wall time
//! the zone skips that day (a DST gap) is an error that says so; one it repeats (a DST fold)
//! takes the first occurrence and says so, and an explicit offset (`02:30+01:00`) picks the
//! other. Zones and transitions are jiff's: nothing here knows a rule of its own.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{Timestamp, ToSpan};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// A day, for windows that stay open.
const DAY: Nanos = 86_400 * NANOS_PER_SEC;

/// Where bare times of day are looked for: the call window, Unix ns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeWindow {
    pub(crate) start: Nanos,
    /// The end of an ended call, inclusive; `None` for a live call (or one whose end is not
    /// known yet), whose window is taken as `[start, start + 24 h)`, so that what a bare time
    /// means does not drift from one poll to the next.
    pub(crate) end: Option<Nanos>,
}

impl TimeWindow {
    fn contains(&self, at: Nanos) -> bool {
        match self.end {
            Some(end) => (self.start..=end).contains(&at),
            None => at >= self.start && at - self.start < DAY,
        }
    }

    fn last(&self) -> Nanos {
        self.end.unwrap_or(self.start.saturating_add(DAY))
    }
}

/// A time of a filter, and the instant it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTime {
    /// As typed: `00:10`.
    pub(crate) text: String,
    /// Unix ns.
    pub at: Nanos,
    /// Said when the choice was not the only one: a wall time that happens twice.
    pub note: Option<String>,
}

/// Why a time cannot be placed.
pub(crate) type TimeError = String;

/// `text` as an instant: `HH:MM[:SS]` with an optional offset (`Z`, `+01:00`) inside `window`,
/// a date-time in `tz` (`2026-11-26T11:00`), or an RFC 3339 instant
/// (`2026-11-26T10:00Z`). `None` when `text` is none of these forms; `Some(Err)` when it is
/// one but names no single instant.
pub(crate) fn resolve(
    text: &str,
    tz: &TimeZone,
    window: TimeWindow,
) -> Option<Result<ResolvedTime, TimeError>> {
    let resolved = if let Some((time, offset)) = clock_time(text) {
        // A time of day with its own offset is that wall time at that offset: `02:30+01:00`
        // picks the second 02:30 of a night when Paris goes from +02:00 to +01:00.
        let fixed;
        let tz = match offset {
            Some(offset) => {
                fixed = TimeZone::fixed(offset);
                &fixed
            }
            None => tz,
        };
        bare_time(text, time, tz, window)
    } else if let Ok(timestamp) = text.parse::<Timestamp>() {
        nanos(timestamp).map(|at| (at, None))
    } else {
        let datetime: DateTime = text.parse().ok()?;
        date_time(text, datetime, tz)
    };
    Some(resolved.map(|(at, note)| ResolvedTime {
        text: text.to_owned(),
        at,
        note,
    }))
}

fn nanos(timestamp: Timestamp) -> Result<Nanos, TimeError> {
    Nanos::try_from(timestamp.as_nanosecond()).map_err(|_| "that instant is out of range".into())
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`, then optionally `Z` or `±HH:MM`.
fn clock_time(text: &str) -> Option<(Time, Option<Offset>)> {
    let split = text.find(['Z', 'z', '+', '-']).unwrap_or(text.len());
    let (clock, offset) = text.split_at(split);
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |part: &str, lengths: &[usize]| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let is_clock = matches!(parts.len(), 2 | 3)
        && digits(parts[0], &[1, 2])
        && parts[1..].iter().all(|part| digits(part, &[2]));
    if !is_clock {
        return None;
    }
    // jiff reads two-digit hours only; `9:05` is as clear as `09:05`.
    let padded = if parts[0].len() == 1 {
        format!("0{clock}")
    } else {
        clock.to_owned()
    };
    let time: Time = padded.parse().ok()?;
    let offset = match offset {
        "" => None,
        _ => Some(parse_offset(offset)?),
    };
    Some((time, offset))
}

/// `Z`, `+HH:MM` or `-HH:MM`.
fn parse_offset(text: &str) -> Option<Offset> {
    if text.eq_ignore_ascii_case("z") {
        return Some(Offset::UTC);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3_600 + minutes * 60)).ok()
}

/// One way a wall time on one date can be an instant.
#[derive(Debug, Clone, Copy)]
enum Occurrence {
    /// The zone reads it once, or it is the first (`fold`: `Some(later)`) of two.
    At {
        at: Nanos,
        offset: Offset,
        fold: Option<(Nanos, Offset)>,
    },
    /// The zone skips this wall time on this date; the clocks jump from `before` to `after`.
    Gap {
        before: Offset,
        after: Offset,
        near: Nanos,
    },
}

fn occurrence(date: Date, time: Time, tz: &TimeZone) -> Option<Occurrence> {
    let datetime = date.to_datetime(time);
    let instant = |offset: Offset| {
        offset
            .to_timestamp(datetime)
            .ok()
            .and_then(|t| nanos(t).ok())
    };
    Some(match tz.to_ambiguous_timestamp(datetime).offset() {
        AmbiguousOffset::Unambiguous { offset } => Occurrence::At {
            at: instant(offset)?,
            offset,
            fold: None,
        },
        AmbiguousOffset::Fold { before, after } => Occurrence::At {
            at: instant(before)?,
            offset: before,
            fold: Some((instant(after)?, after)),
        },
        AmbiguousOffset::Gap { before, after } => Occurrence::Gap {
            before,
            after,
            near: instant(before)?,
        },
    })
}

/// The wall time `time` (at `offset`, when given) inside `window`.
fn bare_time(
    text: &str,
    time: Time,
    tz: &TimeZone,
    window: TimeWindow,
) -> Result<(Nanos, Option<String>), TimeError> {
    let day_of = |at: Nanos| {
        Timestamp::from_nanosecond(i128::from(at))
            .map(|t| t.to_zoned_datetime(tz.clone()).date())
            .map_err(|_| TimeError::from("the call window is out of range"))
    };
    let (first, last) = (day_of(window.start)?, day_of(window.last())?);
    let mut found: Vec<(Nanos, Option<String>)> = Vec::new();
    let mut skipped: Option<(Date, Offset, Offset)> = None;
    let mut date = first.checked_sub(1.day()).unwrap_or(first);
    while date <= last.checked_add(1.day()).unwrap_or(last) {
        match occurrence(date, time, tz) {
            Some(Occurrence::At {
                at,
                offset: first_offset,
                fold,
            }) => {
                let mut candidates = vec![(at, first_offset)];
                candidates.extend(fold);
                let inside: Vec<(Nanos, Offset)> = candidates
                    .into_iter()
                    .filter(|&(at, _)| window.contains(at))
                    .collect();
                match (inside.as_slice(), fold) {
                    ([(at, chosen), (_, other)], Some(_)) => {
                        let note = format!(
                            "{} happens twice on {date} in {}: the first ({}) is used; write \
                             {}{} for the second",
                            clock_text(time),
                            zone_name(tz),
                            offset_text(*chosen),
                            clock_text(time),
                            offset_text(*other)
                        );
                        found.push((*at, Some(note)));
                    }
                    _ => found.extend(inside.into_iter().map(|(at, _)| (at, None))),
                }
            }
            Some(Occurrence::Gap {
                before,
                after,
                near,
            }) if window.contains(near) => skipped = Some((date, before, after)),
            Some(Occurrence::Gap { .. }) | None => {}
        }
        let Some(next) = date.checked_add(1.day()).ok() else {
            break;
        };
        date = next;
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(match skipped {
            Some((date, before, after)) => format!(
                "{text} does not exist on {date} in {}: the clocks go from {} to {} then; \
                 pick another time",
                zone_name(tz),
                offset_text(before),
                offset_text(after)
            ),
            None => format!(
                "{text} is not inside the call window ({}); add the date, as in {}T{}",
                window_text(window, tz),
                first,
                clock_text(time)
            ),
        }),
        [(a, _), (b, _), ..] => Err(format!(
            "{text} happens more than once in the call window ({}); add the date, as in {}T{} \
             or {}T{}",
            window_text(window, tz),
            day_of(*a)?,
            clock_text(time),
            day_of(*b)?,
            clock_text(time)
        )),
    }
}

/// A date-time in the zone: the first occurrence when the zone repeats it.
fn date_time(
    text: &str,
    datetime: DateTime,
    tz: &TimeZone,
) -> Result<(Nanos, Option<String>), TimeError> {
    match occurrence(datetime.date(), datetime.time(), tz) {
        Some(Occurrence::At {
            at, offset, fold, ..
        }) => {
            let note = fold.map(|(_, other)| {
                format!(
                    "{text} happens twice in {}: the first ({}) is used; write {text}{} for \
                     the second",
                    zone_name(tz),
                    offset_text(offset),
                    offset_text(other)
                )
            });
            Ok((at, note))
        }
        Some(Occurrence::Gap { before, after, .. }) => Err(format!(
            "{text} does not exist in {}: the clocks go from {} to {} then; pick another time",
            zone_name(tz),
            offset_text(before),
            offset_text(after)
        )),
        None => Err(format!("{text} is out of range")),
    }
}

fn zone_name(tz: &TimeZone) -> String {
    match tz.iana_name() {
        Some(name) => name.to_owned(),
        None => "the offset given".to_owned(),
    }
}

/// A provisional reading of a time `resolve` refused: the window's start, to be read again
/// once the call window is known.
pub(crate) fn guess(text: &str, _tz: &TimeZone, window: TimeWindow) -> ResolvedTime {
    ResolvedTime {
        text: text.to_owned(),
        at: window.start,
        note: Some("read again once the call window is known".to_owned()),
    }
}

/// `+01:00`.
pub(crate) fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", seconds / 3_600, seconds / 60 % 60)
}

fn clock_text(time: Time) -> String {
    if time.second() == 0 {
        time.strftime("%H:%M").to_string()
    } else {
        time.strftime("%H:%M:%S").to_string()
    }
}

/// `2026-05-12 23:45 +05:45 → 2026-05-13 00:15 +05:45`.
fn window_text(window: TimeWindow, tz: &TimeZone) -> String {
    let at = |at: Nanos| {
        Timestamp::from_nanosecond(i128::from(at))
            .map(|t| {
                t.to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%d %H:%M %:z")
                    .to_string()
            })
            .unwrap_or_default()
    };
    match window.end {
        Some(end) => format!("{} → {}", at(window.start), at(end)),
        None => format!("{} and the 24 hours after", at(window.start)),
    }
}
