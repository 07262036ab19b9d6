//! The call's members (the people invited to it) and, for a ringing call, who accepted,
//! rejected or missed the ring.
//!
//! The roster is written from the generated attendance so that every state of "who was
//! expected" appears: regulars (members who attend), members who never join, members added
//! after the session started (some of whom had joined before being added), members removed
//! before it started, attendees who are not members (guests and machine participants), with
//! host, admin, user and viewer call roles. The same seed gives the same roster.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::attendance::{Attendance, Attendee, CallRole};
use super::scenario::Scenario;
use crate::api::timestamp::NANOS_PER_SEC;

/// Teams written into members' `custom` data.
const TEAMS: [&str; 5] = ["support", "sales", "engineering", "marketing", "finance"];

/// Middle initials of invitees who never join: `hana-k-tanaka` can never be an attendee's id,
/// which is always `first-last` or `first-last-N`.
const INITIALS: [char; 8] = ['a', 'b', 'e', 'j', 'k', 'm', 'r', 's'];

/// How long a ringing phone rings before the ring counts as missed (the call type's
/// `missed_call_timeout_ms`, as `wire` reports it).
pub(crate) const MISSED_AFTER_NS: i64 = 15 * NANOS_PER_SEC;

/// One member of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScenarioMember {
    /// The user (id, app role). For attendees, the same person as in the rows.
    pub(crate) person: Attendee,
    /// The member's call role.
    pub(crate) role: CallRole,
    /// Written into the member's `custom` data as `{"team": …}`.
    pub(crate) team: &'static str,
    pub(crate) created_at: i64,
    pub(crate) deleted_at: Option<i64>,
}

/// Who answered the ring and how, each with the instant (Unix ns). Describes the current
/// session only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ring {
    pub(crate) accepted: Vec<(String, i64)>,
    pub(crate) rejected: Vec<(String, i64)>,
    pub(crate) missed: Vec<(String, i64)>,
}

/// The members of the call, and its ring outcomes when it rang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScenarioRoster {
    /// In the order they were added (`created_at`, then user id).
    pub(crate) members: Vec<ScenarioMember>,
    /// The person who created the call: the caller of a ringing call.
    pub(crate) creator: Attendee,
    pub(crate) ring: Option<Ring>,
}

impl ScenarioRoster {
    /// The members as reported at `now` (Unix ns; `None` once the session has ended): members
    /// not yet added are not listed.
    pub(crate) fn visible(
        &self,
        now: Option<i64>,
    ) -> impl Iterator<Item = (usize, &ScenarioMember)> {
        self.members
            .iter()
            .enumerate()
            .filter(move |(_, member)| now.is_none_or(|now| member.created_at <= now))
    }

    /// The ring outcomes that have happened by `now` (`None`: all of them).
    pub(crate) fn ring_until(&self, now: Option<i64>) -> Ring {
        let Some(ring) = &self.ring else {
            return Ring::default();
        };
        let until = |list: &[(String, i64)]| {
            list.iter()
                .filter(|(_, at)| now.is_none_or(|now| *at <= now))
                .cloned()
                .collect()
        };
        Ring {
            accepted: until(&ring.accepted),
            rejected: until(&ring.rejected),
            missed: until(&ring.missed),
        }
    }
}

/// How a scenario's roster is drawn.
struct RosterPlan {
    /// Share of the human attendees who are members.
    member_share: f64,
    /// No more members than this, attendees and invitees together.
    max_members: usize,
    /// Invitees who never join, as a share of the attendee members.
    absent_share: f64,
    /// At least this many invitees never join: one invited ahead, one added during the
    /// session, one removed before it, and for a ringing call two more to ring.
    min_absent: usize,
}

fn plan(scenario: Scenario) -> RosterPlan {
    let (member_share, max_members, absent_share, min_absent) = match scenario {
        Scenario::Small | Scenario::Messy => (0.9, 1_000, 0.15, 3),
        Scenario::Ring => (0.9, 1_000, 0.0, 5),
        Scenario::Townhall => (0.8, 3_000, 0.1, 3),
        Scenario::Webinar => (0.3, 10_000, 0.2, 3),
        Scenario::Huge => (0.05, 10_000, 0.2, 3),
        Scenario::Expired => (0.8, 1_000, 0.1, 3),
    };
    RosterPlan {
        member_share,
        max_members,
        absent_share,
        min_absent,
    }
}

/// The roster of the scenario's call, drawn from its attendance `call` and `seed`.
pub(crate) fn generate(call: &Attendance, scenario: Scenario, seed: u64) -> ScenarioRoster {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x526F_7374_6572_0001);
    let plan = plan(scenario);
    let creator = call
        .people
        .iter()
        .find(|person| person.role == CallRole::Host)
        .or(call.people.first())
        .cloned()
        .unwrap_or_else(|| Attendee {
            id: "headcount-sim".to_owned(),
            role: CallRole::Admin,
            is_tech_user: true,
        });
    let mut draw = Draw {
        rng: &mut rng,
        call,
        members: Vec::new(),
    };
    let humans = call.people.iter().filter(|person| !person.is_tech_user);
    // The creator and at least one more attendee are members; a guest or two never are.
    let mut guests = 0;
    for (index, person) in humans.enumerate() {
        if draw.members.len() >= plan.max_members {
            break;
        }
        let is_creator = person.id == creator.id;
        let member =
            is_creator || index == 1 || (guests > 0 && draw.rng.random_bool(plan.member_share));
        if member {
            draw.attendee_member(person, is_creator);
        } else {
            guests += 1;
        }
    }
    let attendees = draw.members.len();
    let absent = ((attendees as f64 * plan.absent_share).round() as usize).max(plan.min_absent);
    for index in 0..absent {
        draw.invitee(index);
    }
    let ring = (scenario == Scenario::Ring).then(|| ring(&mut draw, &creator, attendees));
    let mut members = draw.members;
    members.sort_by(|a, b| (a.created_at, &a.person.id).cmp(&(b.created_at, &b.person.id)));
    ScenarioRoster {
        members,
        creator,
        ring,
    }
}

/// The roster being written.
struct Draw<'a> {
    rng: &'a mut StdRng,
    call: &'a Attendance,
    members: Vec<ScenarioMember>,
}

impl Draw<'_> {
    fn length(&self) -> i64 {
        self.call.ends_at - self.call.started_at
    }

    /// Invited between the call's creation and the session's start, or (one in twelve, never
    /// the creator) added while the session runs.
    fn attendee_member(&mut self, person: &Attendee, is_creator: bool) {
        let added_late = !is_creator && self.rng.random_bool(1.0 / 12.0);
        let created_at = if added_late {
            self.call.started_at + self.rng.random_range(self.length() / 10..self.length() / 2)
        } else {
            self.before_start()
        };
        let team = *TEAMS.choose(self.rng).unwrap_or(&TEAMS[0]);
        self.members.push(ScenarioMember {
            person: person.clone(),
            role: person.role,
            team,
            created_at,
            deleted_at: None,
        });
    }

    /// The `index`-th invitee who never joins: most invited ahead, one added during the
    /// session, and one removed before it started (so no longer expected).
    fn invitee(&mut self, index: usize) {
        let first = self.call.people.get(index % self.call.people.len().max(1));
        let base = first.map_or("guest-invitee", |person| person.id.as_str());
        let initial = INITIALS[index % INITIALS.len()];
        let id = match base.split_once('-') {
            Some((first, last)) => format!("{first}-{initial}-{last}"),
            None => format!("{base}-{initial}-{index}"),
        };
        let role = if index % 5 == 4 {
            CallRole::Viewer
        } else {
            CallRole::User
        };
        let (created_at, deleted_at) = match index {
            1 => (
                self.call.started_at + self.rng.random_range(1..self.length() / 3),
                None,
            ),
            2 => {
                let created = self.before_start();
                (created, Some(self.call.started_at - NANOS_PER_SEC * 600))
            }
            _ => (self.before_start(), None),
        };
        let team = *TEAMS.choose(self.rng).unwrap_or(&TEAMS[0]);
        self.members.push(ScenarioMember {
            person: Attendee {
                id,
                role,
                is_tech_user: false,
            },
            role,
            team,
            created_at,
            deleted_at,
        });
    }

    /// An instant between the call's creation and a minute before the session starts.
    fn before_start(&mut self) -> i64 {
        let latest = self.call.started_at - 60 * NANOS_PER_SEC;
        self.rng
            .random_range(self.call.created_at.min(latest)..=latest)
    }
}

/// Ring outcomes of a ringing call, for the members there when it rang (those added later
/// were never rung): the attendees accepted, except one who rejected first and one who missed
/// the ring and joined later; the caller's own cancellation shows as a rejection, as Stream
/// reports it; of the invitees who never joined, one rejected, one missed and one accepted.
fn ring(draw: &mut Draw, creator: &Attendee, attendees: usize) -> Ring {
    let start = draw.call.started_at;
    let mut ring = Ring::default();
    let rung = draw.members.iter().enumerate().filter(|(_, member)| {
        member.created_at <= start && member.deleted_at.is_none_or(|at| at > start)
    });
    let (mut joined, mut never) = (0, 0);
    for (index, member) in rung {
        let id = member.person.id.clone();
        let answered = start + draw.rng.random_range(2 * NANOS_PER_SEC..12 * NANOS_PER_SEC);
        let outcome = if id == creator.id {
            RingOutcome::Rejected
        } else if index < attendees {
            joined += 1;
            match joined {
                2 => RingOutcome::Rejected,
                3 => RingOutcome::Missed,
                _ => RingOutcome::Accepted,
            }
        } else {
            never += 1;
            match never {
                1 => RingOutcome::Rejected,
                2 => RingOutcome::Missed,
                _ => RingOutcome::Accepted,
            }
        };
        match outcome {
            RingOutcome::Accepted => ring.accepted.push((id, answered)),
            RingOutcome::Rejected => ring.rejected.push((id, answered)),
            RingOutcome::Missed => ring.missed.push((id, start + MISSED_AFTER_NS)),
        }
    }
    ring
}

enum RingOutcome {
    Accepted,
    Rejected,
    Missed,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::sim::scenario;

    const START: i64 = 1_767_000_000 * NANOS_PER_SEC;

    fn roster_of(scenario: Scenario, seed: u64) -> (Attendance, ScenarioRoster) {
        let call = scenario::generate(scenario, seed, START);
        let roster = generate(&call, scenario, seed);
        (call, roster)
    }

    #[test]
    fn same_seed_same_roster() {
        let (_, a) = roster_of(Scenario::Townhall, 7);
        let (_, b) = roster_of(Scenario::Townhall, 7);
        let (_, c) = roster_of(Scenario::Townhall, 8);
        assert_eq!(a, b);
        assert_ne!(a.members, c.members);
    }

    #[test]
    fn every_kind_of_member_and_attendee_appears() {
        for scenario in [Scenario::Small, Scenario::Townhall, Scenario::Ring] {
            let (call, roster) = roster_of(scenario, 1);
            let attendees: HashSet<&str> = call.people.iter().map(|p| p.id.as_str()).collect();
            let members: HashSet<&str> = roster
                .members
                .iter()
                .map(|m| m.person.id.as_str())
                .collect();
            assert_eq!(members.len(), roster.members.len(), "{scenario}: unique");
            let joined = |m: &&ScenarioMember| attendees.contains(m.person.id.as_str());
            assert!(
                roster.members.iter().any(|m| joined(&m)),
                "{scenario}: regulars"
            );
            assert!(
                roster.members.iter().any(|m| !joined(&m)),
                "{scenario}: never joined"
            );
            assert!(
                roster
                    .members
                    .iter()
                    .any(|m| m.created_at > call.started_at && !joined(&m)),
                "{scenario}: an invitee added during the session"
            );
            assert!(
                roster
                    .members
                    .iter()
                    .any(|m| m.deleted_at.is_some_and(|at| at < call.started_at)),
                "{scenario}: a member removed before the start"
            );
            assert!(
                attendees.iter().any(|id| !members.contains(id)),
                "{scenario}: attendees who are not members"
            );
            assert!(
                members.contains(roster.creator.id.as_str()),
                "{scenario}: the creator"
            );
            assert!(roster.members.iter().any(|m| m.role == CallRole::Host));
            assert!(
                roster
                    .members
                    .windows(2)
                    .all(|w| w[0].created_at <= w[1].created_at)
            );
        }
        let (call, roster) = roster_of(Scenario::Townhall, 1);
        let attendees: HashSet<&str> = call.people.iter().map(|p| p.id.as_str()).collect();
        assert!(
            roster.members.iter().any(|m| m.created_at > call.started_at
                && attendees.contains(m.person.id.as_str())),
            "an attendee added during the session"
        );
        assert!(roster.members.iter().any(|m| m.role == CallRole::Viewer));
        assert!(roster.members.iter().any(|m| m.role == CallRole::Admin));
        assert!(
            roster_of(Scenario::Small, 1).1.ring.is_none(),
            "only the ring scenario rings"
        );
    }

    #[test]
    fn the_ring_scenario_rings_every_member_there_at_the_start_once_with_every_outcome() {
        let (call, roster) = roster_of(Scenario::Ring, 3);
        let ring = roster.ring.clone().unwrap();
        let attendees: HashSet<&str> = call.people.iter().map(|p| p.id.as_str()).collect();
        let rung: Vec<&str> = [&ring.accepted, &ring.rejected, &ring.missed]
            .iter()
            .flat_map(|list| list.iter().map(|(id, _)| id.as_str()))
            .collect();
        let there = roster.members.iter().filter(|m| {
            m.created_at <= call.started_at && m.deleted_at.is_none_or(|at| at > call.started_at)
        });
        let mut there: Vec<&str> = there.map(|m| m.person.id.as_str()).collect();
        let mut sorted = rung.clone();
        there.sort_unstable();
        sorted.sort_unstable();
        assert_eq!(sorted, there, "each member there at the start is rung once");
        let joined = |list: &[(String, i64)]| -> HashSet<bool> {
            list.iter()
                .map(|(id, _)| attendees.contains(id.as_str()))
                .collect()
        };
        let both = HashSet::from([true, false]);
        assert_eq!(
            joined(&ring.rejected),
            both,
            "rejected: then joined, and never"
        );
        assert_eq!(joined(&ring.missed), both, "missed: then joined, and never");
        assert_eq!(
            joined(&ring.accepted),
            both,
            "accepted: and joined, and never"
        );
        assert!(ring.rejected.iter().any(|(id, _)| *id == roster.creator.id));
        assert!(
            ring.missed
                .iter()
                .all(|(_, at)| *at == call.started_at + MISSED_AFTER_NS)
        );
        let early = roster.ring_until(Some(call.started_at + NANOS_PER_SEC));
        assert_eq!(early, Ring::default(), "nobody answers in the first second");
    }

    #[test]
    fn huge_rosters_are_capped_and_quick() {
        let (_, roster) = roster_of(Scenario::Webinar, 1);
        assert!(
            roster.members.len() <= 10_000 + 2_000,
            "{}",
            roster.members.len()
        );
        assert!(roster.members.len() > 1_000, "{}", roster.members.len());
    }
}
