//! The simulated call session: compact participant-session rows and the people behind them.
//!
//! A row is a few dozen bytes (ids as bytes, times as integers, enums as bytes) so that the
//! million-session scenario fits in memory and is ready in well under a second; the API shape
//! is produced per page, on demand (see `timeline`).

use std::sync::LazyLock;

use super::ids::Uuid;

/// A role a participant holds in the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CallRole {
    Host,
    Admin,
    User,
    Viewer,
}

impl CallRole {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CallRole::Host => "host",
            CallRole::Admin => "admin",
            CallRole::User => "user",
            CallRole::Viewer => "viewer",
        }
    }
}

/// How a participant session sends media to the call: one of Stream's known types.
pub(crate) use crate::api::PublisherType as Publisher;

/// The tracks a session published, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tracks(u8);

impl Tracks {
    pub(crate) const AUDIO: Tracks = Tracks(1);
    pub(crate) const VIDEO: Tracks = Tracks(2);
    pub(crate) const SCREENSHARE: Tracks = Tracks(4);
    pub(crate) const NONE: Tracks = Tracks(0);

    pub(crate) fn with(self, other: Tracks) -> Tracks {
        Tracks(self.0 | other.0)
    }

    pub(crate) fn contains(self, other: Tracks) -> bool {
        self.0 & other.0 == other.0
    }

    /// The track names, in the form `filter_conditions` compares against.
    pub(crate) fn names(self) -> &'static [String] {
        &TRACK_NAME_SETS[usize::from(self.0 & 7)]
    }
}

/// Every combination of track names, built once so that rows can lend them as slices.
static TRACK_NAME_SETS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    (0u8..8)
        .map(|bits| {
            [
                (Tracks::AUDIO, "audio"),
                (Tracks::VIDEO, "video"),
                (Tracks::SCREENSHARE, "screenshare"),
            ]
            .into_iter()
            .filter(|(track, _)| Tracks(bits).contains(*track))
            .map(|(_, name)| name.to_owned())
            .collect()
        })
        .collect()
});

/// A person (or a machine participant) who joined the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attendee {
    pub(crate) id: String,
    pub(crate) role: CallRole,
    pub(crate) is_tech_user: bool,
}

/// How a row is reported wrong, as real attendance data sometimes is. The row's own times
/// stay what happened (they order the rows and the live replay); the quirk changes only what
/// the API shows. A leave before the join, a join outside the session and a negative duration
/// need no quirk: the row's times say so themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Quirk {
    #[default]
    None,
    /// The leave was never recorded (a killed tab): no `left_at` nor duration, ever.
    LeaveNotRecorded,
    /// Neither `joined_at` nor `left_at` (nor a duration).
    NoTimes,
    /// No `joined_at`.
    JoinNotRecorded,
    /// `left_at` without `duration_in_seconds`.
    NoDuration,
    /// A duration an hour longer than the timestamps.
    DurationOff,
    /// `i64` extremes for both times and the duration (a negative one, so that the session's
    /// total still fits the integer Stream sends it in).
    Absurd,
}

/// One participant session: one join of one person on one device. Times are Unix ns; every
/// row has a planned `left_at` because the scenario is written in advance, but while the call
/// is live a row is shown open until that moment has been reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScenarioRow {
    pub(crate) user_session_id: Uuid,
    pub(crate) joined_at: i64,
    pub(crate) left_at: i64,
    pub(crate) person: u32,
    pub(crate) publisher: Publisher,
    pub(crate) tracks: Tracks,
    pub(crate) quirk: Quirk,
}

/// What the API shows of a closed row: `joined_at`, `left_at`, `duration_in_seconds`.
pub(crate) type Reported = (Option<i64>, Option<i64>, Option<i64>);

impl ScenarioRow {
    /// The row as the API shows it once closed, quirks included.
    pub(crate) fn reported(&self) -> Reported {
        let (joined, left, duration) = (
            Some(self.joined_at),
            Some(self.left_at),
            Some(self.duration_seconds()),
        );
        match self.quirk {
            Quirk::None => (joined, left, duration),
            Quirk::LeaveNotRecorded => (joined, None, None),
            Quirk::NoTimes => (None, None, None),
            Quirk::JoinNotRecorded => (None, left, duration),
            Quirk::NoDuration => (joined, left, None),
            Quirk::DurationOff => (joined, left, duration.map(|d| d + 3_600)),
            Quirk::Absurd => (Some(i64::MIN + 1), Some(i64::MAX), Some(i64::MIN + 1)),
        }
    }

    /// The `duration_in_seconds` the API shows once the row is closed.
    pub(crate) fn reported_duration(&self) -> Option<i64> {
        self.reported().2
    }

    /// The position of the row in the serving order. Rows become visible in `joined_at`
    /// order, so new rows always land after every position a client has already paged past.
    pub(crate) fn key(&self) -> ScenarioRowKey {
        ScenarioRowKey {
            joined_at: self.joined_at,
            user_session_id: self.user_session_id,
        }
    }

    /// Whole seconds, as Stream reports `duration_in_seconds`.
    pub(crate) fn duration_seconds(&self) -> i64 {
        (self.left_at - self.joined_at) / crate::api::timestamp::NANOS_PER_SEC
    }
}

/// A position in the stable serving order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ScenarioRowKey {
    pub(crate) joined_at: i64,
    pub(crate) user_session_id: Uuid,
}

/// Everything about the simulated call session, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Attendance {
    pub(crate) call_id: String,
    pub(crate) session_id: Uuid,
    /// When the call was created (ahead of the session, as a scheduled call is).
    pub(crate) created_at: i64,
    pub(crate) started_at: i64,
    /// When the session ends (or ended): every row has left by then.
    pub(crate) ends_at: i64,
    /// Per-session details were purged by retention; totals are still reported.
    pub(crate) expired: bool,
    pub(crate) people: Vec<Attendee>,
    /// Sorted by [`ScenarioRow::key`].
    pub(crate) rows: Vec<ScenarioRow>,
    /// Sum of every row's reported `duration_in_seconds`, kept so that the totals of an ended
    /// session cost nothing per request.
    pub(crate) final_duration_seconds: i64,
}

impl Attendance {
    pub(crate) fn person(&self, row: &ScenarioRow) -> &Attendee {
        &self.people[row.person as usize]
    }
}
