//! Named scenarios and their deterministic generation from a seed.
//!
//! Each scenario is one call whose current session is shaped like real attendance: hosts who
//! publish over RTMP, SRT or WHIP ingest, attendees on WebRTC, late joiners and early
//! leavers, reconnects after short drops, people on two devices at once, and a few machine
//! participants. The same seed always gives the same rows.

use std::fmt;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::attendance::{Attendance, Attendee, CallRole, Publisher, Quirk, ScenarioRow, Tracks};
use super::ids::Uuid;
use super::names::{NameBook, TECH_USERS};
use crate::api::timestamp::NANOS_PER_SEC;

/// A named call to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scenario {
    /// A team meeting, about 40 sessions.
    Small,
    /// A company town hall, about 5,000 sessions.
    #[default]
    Townhall,
    /// A public webinar, about 100,000 sessions.
    Webinar,
    /// A keynote stream, about 1,000,000 sessions.
    Huge,
    /// An all-hands that ended 120 days ago: details purged, totals kept.
    Expired,
    /// A one-hour meeting whose data has the rows real attendance has and clean scenarios do
    /// not: a leave never recorded, a leave before the join, no times, a join before the
    /// start, a duration off, absurd values.
    Messy,
    /// A small ringing call: the session reports who accepted, rejected or missed the ring.
    Ring,
}

impl Scenario {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Small => "small",
            Scenario::Townhall => "townhall",
            Scenario::Webinar => "webinar",
            Scenario::Huge => "huge",
            Scenario::Expired => "expired",
            Scenario::Messy => "messy",
            Scenario::Ring => "ring",
        }
    }

    /// The number of participant sessions the scenario aims for.
    pub fn target_sessions(self) -> usize {
        let messy = if self == Scenario::Messy {
            MESSY_ROWS.len()
        } else {
            0
        };
        self.profile().target_sessions + messy
    }

    /// How long the call session lasts.
    pub(crate) fn length_ns(self) -> i64 {
        self.profile().minutes * 60 * NANOS_PER_SEC
    }

    fn profile(self) -> ScenarioProfile {
        match self {
            Scenario::Small => ScenarioProfile {
                call_id: "team-sync-2026",
                target_sessions: 40,
                minutes: 45,
                hosts: 1,
                admins: 1,
                tech_users: 1,
                viewer_share: 0.0,
            },
            Scenario::Townhall => ScenarioProfile {
                call_id: "townhall-2026",
                target_sessions: 5_000,
                minutes: 90,
                hosts: 3,
                admins: 4,
                tech_users: 2,
                viewer_share: 0.3,
            },
            Scenario::Webinar => ScenarioProfile {
                call_id: "webinar-2026",
                target_sessions: 100_000,
                minutes: 120,
                hosts: 4,
                admins: 8,
                tech_users: 3,
                viewer_share: 0.8,
            },
            Scenario::Huge => ScenarioProfile {
                call_id: "keynote-2026",
                target_sessions: 1_000_000,
                minutes: 180,
                hosts: 6,
                admins: 12,
                tech_users: 4,
                viewer_share: 0.95,
            },
            Scenario::Expired => ScenarioProfile {
                call_id: "all-hands-2025",
                target_sessions: 300,
                minutes: 60,
                hosts: 2,
                admins: 2,
                tech_users: 1,
                viewer_share: 0.2,
            },
            Scenario::Messy => ScenarioProfile {
                call_id: "messy-data-2026",
                target_sessions: 30,
                minutes: 60,
                hosts: 1,
                admins: 1,
                tech_users: 0,
                viewer_share: 0.0,
            },
            Scenario::Ring => ScenarioProfile {
                call_id: "huddle-2026",
                target_sessions: 8,
                minutes: 20,
                hosts: 1,
                admins: 0,
                tech_users: 0,
                viewer_share: 0.0,
            },
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy)]
struct ScenarioProfile {
    call_id: &'static str,
    target_sessions: usize,
    minutes: i64,
    hosts: usize,
    admins: usize,
    tech_users: usize,
    /// Share of the audience that only watches (role `viewer`, nothing published).
    viewer_share: f64,
}

/// Generates the scenario's call session, starting at `started_at` (Unix ns).
pub(crate) fn generate(scenario: Scenario, seed: u64, started_at: i64) -> Attendance {
    let mut call = generate_profile(&scenario.profile(), seed, started_at);
    call.expired = scenario == Scenario::Expired;
    if scenario == Scenario::Messy {
        add_messy_rows(&mut call, seed);
    }
    call
}

/// The messy rows of [`Scenario::Messy`], in minutes from the session's start (a `None` end
/// is the session's end), with how each is reported. The first four are the cases of the
/// issue that named them: a ghost whose leave was lost beside a real session, a row that
/// left before it joined beside a real one.
const MESSY_ROWS: [(&str, i64, i64, Quirk); 12] = [
    ("ghost-user", 10, 60, Quirk::LeaveNotRecorded),
    ("ghost-user", 12, 50, Quirk::None),
    ("skewed-clock", 30, 20, Quirk::None),
    ("skewed-clock", 31, 41, Quirk::None),
    ("blank-row", 5, 15, Quirk::NoTimes),
    ("lost-join", 20, 30, Quirk::JoinNotRecorded),
    ("early-bird", -10, 20, Quirk::None),
    ("overtime", 50, 75, Quirk::None),
    ("drifting-duration", 0, 10, Quirk::DurationOff),
    ("no-duration", 40, 45, Quirk::NoDuration),
    ("overflow", 0, 60, Quirk::Absurd),
    ("ghost-user", 55, 60, Quirk::None),
];

fn add_messy_rows(call: &mut Attendance, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x006D_6573_7379);
    const MINUTE: i64 = 60 * NANOS_PER_SEC;
    for (id, from, to, quirk) in MESSY_ROWS {
        let person = match call.people.iter().position(|p| p.id == id) {
            Some(person) => person,
            None => {
                call.people.push(Attendee {
                    id: id.to_owned(),
                    role: CallRole::User,
                    is_tech_user: false,
                });
                call.people.len() - 1
            }
        } as u32;
        call.rows.push(ScenarioRow {
            user_session_id: Uuid::random(&mut rng),
            joined_at: call.started_at + from * MINUTE,
            left_at: call.started_at + to * MINUTE,
            person,
            publisher: Publisher::WebRtc,
            tracks: Tracks::AUDIO,
            quirk,
        });
    }
    call.rows.sort_unstable_by_key(ScenarioRow::key);
    call.final_duration_seconds = call
        .rows
        .iter()
        .filter_map(ScenarioRow::reported_duration)
        .fold(0, i64::saturating_add);
}

/// An earlier, smaller session of the scenario's call (a weekly meeting's previous weeks):
/// the same hosts' mix, a tenth of the audience at most.
pub(crate) fn generate_earlier(scenario: Scenario, seed: u64, started_at: i64) -> Attendance {
    let profile = scenario.profile();
    let smaller = ScenarioProfile {
        target_sessions: (profile.target_sessions / 10).clamp(20, 400),
        ..profile
    };
    generate_profile(&smaller, seed, started_at)
}

fn generate_profile(profile: &ScenarioProfile, seed: u64, started_at: i64) -> Attendance {
    let mut rng = StdRng::seed_from_u64(seed);
    let session_id = Uuid::random(&mut rng);
    let names = NameBook::shuffled(&mut rng);
    let mut crowd = Crowd {
        rng,
        started_at,
        length_s: (profile.minutes * 60) as f64,
        people: Vec::new(),
        humans: 0,
        rows: Vec::with_capacity(profile.target_sessions + profile.target_sessions / 8),
    };
    for (index, id) in TECH_USERS.iter().take(profile.tech_users).enumerate() {
        let publisher = if index == 2 {
            Publisher::Rtmp
        } else {
            Publisher::WebRtc
        };
        crowd.add_machine(id, publisher);
    }
    let mut next_name = 0;
    while crowd.rows.len() < profile.target_sessions {
        let role = crowd.role_of_next(profile);
        crowd.add_person(names.id(next_name), role);
        next_name += 1;
    }
    let mut rows = crowd.rows;
    rows.sort_unstable_by_key(ScenarioRow::key);
    let final_duration_seconds = rows
        .iter()
        .filter_map(ScenarioRow::reported_duration)
        .fold(0, i64::saturating_add);
    Attendance {
        call_id: profile.call_id.to_owned(),
        session_id,
        created_at: started_at - 2 * 86_400 * NANOS_PER_SEC,
        started_at,
        ends_at: started_at + profile.minutes * 60 * NANOS_PER_SEC,
        expired: false,
        people: crowd.people,
        rows,
        final_duration_seconds,
    }
}

/// The scenario being written: people and their sessions, drawn from one seeded RNG.
struct Crowd {
    rng: StdRng,
    started_at: i64,
    length_s: f64,
    people: Vec<Attendee>,
    /// People who are not machine participants, so far.
    humans: usize,
    rows: Vec<ScenarioRow>,
}

/// A stretch of presence, in seconds from the session start.
#[derive(Clone, Copy)]
struct Stay {
    from: f64,
    to: f64,
}

impl Crowd {
    fn role_of_next(&mut self, profile: &ScenarioProfile) -> CallRole {
        let humans = self.humans;
        if humans < profile.hosts {
            CallRole::Host
        } else if humans < profile.hosts + profile.admins {
            CallRole::Admin
        } else if self.rng.random_bool(profile.viewer_share) {
            CallRole::Viewer
        } else {
            CallRole::User
        }
    }

    /// Recorders and relays are there from the first minute to the very end.
    fn add_machine(&mut self, id: &str, publisher: Publisher) {
        let person = self.push_person(id.to_owned(), CallRole::Admin, true);
        let stay = Stay {
            from: self.rng.random_range(0.0..10.0),
            to: self.length_s,
        };
        let tracks = if publisher == Publisher::WebRtc {
            Tracks::NONE
        } else {
            Tracks::AUDIO.with(Tracks::VIDEO)
        };
        self.push_row(person, stay, publisher, tracks);
    }

    fn add_person(&mut self, id: String, role: CallRole) {
        let publisher = self.publisher_for(role);
        let person = self.push_person(id, role, false);
        self.humans += 1;
        let stay = self.presence(role);
        for part in self.with_reconnects(stay) {
            let tracks = self.tracks_for(role, publisher);
            self.push_row(person, part, publisher, tracks);
        }
        if self.rng.random_bool(0.05) {
            let second = self.second_device(stay);
            let tracks = self.tracks_for(role, Publisher::WebRtc);
            self.push_row(person, second, Publisher::WebRtc, tracks);
        }
    }

    fn push_person(&mut self, id: String, role: CallRole, is_tech_user: bool) -> u32 {
        self.people.push(Attendee {
            id,
            role,
            is_tech_user,
        });
        (self.people.len() - 1) as u32
    }

    /// When someone arrives and leaves: most arrive in the first minutes, some late; most
    /// stay to the end, some leave early, a few only look in.
    fn presence(&mut self, role: CallRole) -> Stay {
        let len = self.length_s;
        if role == CallRole::Host {
            return Stay {
                from: self.rng.random_range(0.0..60.0),
                to: len - self.rng.random_range(0.0..30.0),
            };
        }
        let arrival = self.rng.random::<f64>();
        let from = if arrival < 0.70 {
            self.rng.random_range(0.0..300.0)
        } else if arrival < 0.92 {
            self.rng.random_range(300.0..len * 0.6)
        } else {
            self.rng.random_range(len * 0.6..len * 0.9)
        };
        let departure = self.rng.random::<f64>();
        let to = if departure < 0.6 {
            len - self.rng.random_range(0.0..240.0)
        } else if departure < 0.9 {
            self.rng.random_range(from..len)
        } else {
            from + self.rng.random_range(60.0..600.0)
        };
        Stay {
            from,
            to: to.clamp(from + 30.0, len),
        }
    }

    /// Splits a stay at short network drops: the next session starts under a minute after
    /// the previous one ended, as a reconnect does.
    fn with_reconnects(&mut self, stay: Stay) -> Vec<Stay> {
        if stay.to - stay.from < 120.0 || !self.rng.random_bool(0.15) {
            return vec![stay];
        }
        let drops = if self.rng.random_bool(0.3) { 2 } else { 1 };
        let mut cuts: Vec<f64> = (0..drops)
            .map(|_| self.rng.random_range(stay.from + 30.0..stay.to - 60.0))
            .collect();
        cuts.sort_by(f64::total_cmp);
        let mut parts = Vec::with_capacity(drops + 1);
        let mut from = stay.from;
        for cut in cuts {
            if cut <= from + 5.0 {
                continue;
            }
            parts.push(Stay { from, to: cut });
            from = cut + self.rng.random_range(2.0..55.0);
        }
        parts.push(Stay { from, to: stay.to });
        parts
    }

    /// A phone joined alongside the laptop, for part of the stay.
    fn second_device(&mut self, stay: Stay) -> Stay {
        let middle = (stay.from + stay.to) / 2.0;
        let from = self.rng.random_range(stay.from..middle);
        let to = self.rng.random_range(from + 20.0..stay.to.max(from + 30.0));
        Stay {
            from,
            to: to.min(self.length_s),
        }
    }

    /// Hosts take turns over the ingest protocols (the first ones are the main stage);
    /// everyone else joins from an app over WebRTC.
    fn publisher_for(&self, role: CallRole) -> Publisher {
        const STAGE: [Publisher; 4] = [
            Publisher::Rtmp,
            Publisher::Srt,
            Publisher::Whip,
            Publisher::WebRtc,
        ];
        if role == CallRole::Host {
            STAGE[self.humans % STAGE.len()]
        } else {
            Publisher::WebRtc
        }
    }

    fn tracks_for(&mut self, role: CallRole, publisher: Publisher) -> Tracks {
        let av = Tracks::AUDIO.with(Tracks::VIDEO);
        match (role, publisher) {
            (_, Publisher::Rtmp | Publisher::Srt | Publisher::Whip) => av,
            (CallRole::Host, _) if self.rng.random_bool(0.3) => av.with(Tracks::SCREENSHARE),
            (CallRole::Host, _) => av,
            (CallRole::Viewer, _) => Tracks::NONE,
            (CallRole::Admin | CallRole::User, _) => {
                let mut tracks = Tracks::NONE;
                if self.rng.random_bool(0.8) {
                    tracks = tracks.with(Tracks::AUDIO);
                }
                if self.rng.random_bool(0.55) {
                    tracks = tracks.with(Tracks::VIDEO);
                }
                if self.rng.random_bool(0.03) {
                    tracks = tracks.with(Tracks::SCREENSHARE);
                }
                tracks
            }
        }
    }

    fn push_row(&mut self, person: u32, stay: Stay, publisher: Publisher, tracks: Tracks) {
        let user_session_id = Uuid::random(&mut self.rng);
        let joined_at = self.started_at + seconds_to_ns(stay.from);
        let left_at = self.started_at + seconds_to_ns(stay.to);
        self.rows.push(ScenarioRow {
            user_session_id,
            joined_at,
            left_at: left_at.max(joined_at + NANOS_PER_SEC),
            person,
            publisher,
            tracks,
            quirk: Quirk::None,
        });
    }
}

/// Sub-second precision, rounded to the microsecond as media servers log it.
fn seconds_to_ns(seconds: f64) -> i64 {
    (seconds * 1e6).round() as i64 * 1_000
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    const START: i64 = 1_767_000_000 * NANOS_PER_SEC;

    #[test]
    fn same_seed_gives_the_same_rows_and_another_seed_does_not() {
        let a = generate(Scenario::Townhall, 7, START);
        let b = generate(Scenario::Townhall, 7, START);
        let c = generate(Scenario::Townhall, 8, START);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.people, b.people);
        assert_eq!(a.session_id, b.session_id);
        assert_ne!(a.rows, c.rows);
    }

    #[test]
    fn sizes_are_near_their_targets() {
        for scenario in [
            Scenario::Small,
            Scenario::Townhall,
            Scenario::Webinar,
            Scenario::Huge,
            Scenario::Expired,
            Scenario::Messy,
            Scenario::Ring,
        ] {
            let rows = generate(scenario, 1, START).rows.len();
            let target = scenario.target_sessions();
            assert!(
                rows >= target && rows <= target + target / 20 + 5,
                "{scenario}: {rows} rows for a target of {target}"
            );
        }
    }

    #[test]
    fn rows_are_sorted_unique_and_inside_the_session() {
        let call = generate(Scenario::Townhall, 3, START);
        assert!(call.rows.windows(2).all(|w| w[0].key() < w[1].key()));
        let ids: HashSet<_> = call.rows.iter().map(|r| r.user_session_id).collect();
        assert_eq!(ids.len(), call.rows.len());
        for row in &call.rows {
            assert!(row.joined_at >= call.started_at && row.left_at <= call.ends_at);
            assert!(row.left_at > row.joined_at);
        }
    }

    #[test]
    fn the_mix_has_every_kind_of_attendee() {
        let call = generate(Scenario::Townhall, 1, START);
        let publishers: HashSet<_> = call.rows.iter().map(|r| r.publisher).collect();
        assert_eq!(publishers.len(), 4, "{publishers:?}");
        let roles: HashSet<_> = call.people.iter().map(|p| p.role).collect();
        assert_eq!(roles.len(), 4);
        assert!(call.people.iter().any(|p| p.is_tech_user));
        let mut by_person: HashMap<u32, Vec<&ScenarioRow>> = HashMap::new();
        for row in &call.rows {
            by_person.entry(row.person).or_default().push(row);
        }
        let reconnects = by_person.values().any(|rows| {
            rows.windows(2).any(|w| {
                let gap = w[1].joined_at - w[0].left_at;
                gap > 0 && gap < 60 * NANOS_PER_SEC
            })
        });
        let two_devices = by_person
            .values()
            .any(|rows| rows.windows(2).any(|w| w[1].joined_at < w[0].left_at));
        assert!(reconnects && two_devices);
    }
}
