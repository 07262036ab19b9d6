//! Properties that must hold for any rows: attended time bounds, and figures that do not depend
//! on how the same rows were paged, ordered, repeated or first seen open.

use proptest::prelude::*;

use crate::api::models::ParticipantSessionDetails;
use crate::api::timestamp::Nanos;

use super::fixtures::{MIN, SEC, T0, all_rows, page, session};
use super::{
    CallFigures, Figures, FilterableRow, RowProblem, SessionStore, Thresholds, UserFigures, UserId,
    keep_local_matches,
};
use crate::filter::{ParseContext, parse};

const NOW: Nanos = T0 + 70 * MIN;

#[derive(Debug, Clone)]
struct Spec {
    user: u8,
    start: i64,
    seconds: i64,
    open: bool,
    api_duration: bool,
    uuid: bool,
    roles: u8,
    publisher: u8,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (0u8..6, -600i64..4_200, 0i64..2_400),
        (prop::bool::weighted(0.2), any::<bool>(), any::<bool>()),
        (0u8..4, 0u8..3),
    )
        .prop_map(
            |((user, start, seconds), (open, api_duration, uuid), (roles, publisher))| Spec {
                user,
                start,
                seconds,
                open,
                api_duration,
                uuid,
                roles,
                publisher,
            },
        )
}

/// Timestamps on whole seconds, so the API's whole-second durations are exact.
fn details(index: usize, spec: &Spec) -> ParticipantSessionDetails {
    let user_session_id = if spec.uuid {
        format!("{index:08x}-0000-4000-8000-{index:012x}")
    } else {
        format!("session-{index}")
    };
    let roles = match spec.roles {
        0 => vec![],
        1 => vec!["user".into()],
        2 => vec!["host".into(), "user".into()],
        _ => vec!["admin".into()],
    };
    ParticipantSessionDetails {
        user_id: format!("user-{}", spec.user),
        user_session_id,
        publisher_type: ["webrtc", "rtmp", "srt"][spec.publisher as usize].into(),
        roles,
        joined_at: Some(T0 + spec.start * SEC),
        left_at: (!spec.open).then_some(T0 + (spec.start + spec.seconds) * SEC),
        duration_in_seconds: (!spec.open && spec.api_duration).then_some(spec.seconds),
    }
}

/// A row of a kind no clean scenario has, for a user of its own or one of the clean users:
/// times missing, inverted, outside the session or absurd, durations negative, absurd or off.
fn messy_row() -> impl Strategy<Value = ParticipantSessionDetails> {
    let instant = prop_oneof![
        Just(None),
        (-900i64..4_500).prop_map(|s| Some(T0 + s * SEC)),
        Just(Some(i64::MIN)),
        Just(Some(i64::MAX)),
        Just(Some(0)),
    ];
    let duration = prop_oneof![
        Just(None),
        (-4_000i64..4_000).prop_map(Some),
        Just(Some(i64::MIN)),
        Just(Some(i64::MAX)),
    ];
    (0u8..8, instant.clone(), instant, duration).prop_filter_map(
        "a messy row",
        |(user, joined_at, left_at, duration_in_seconds)| {
            let row = ParticipantSessionDetails {
                user_id: format!("user-{user}"),
                user_session_id: String::new(),
                publisher_type: "webrtc".into(),
                roles: vec!["user".into()],
                joined_at,
                left_at,
                duration_in_seconds,
            };
            let raw = super::problems::RawTimes {
                joined_at,
                left_at,
                duration_in_seconds,
            };
            // Clean rows are the other strategy's; an open row is messy only once ended.
            (!raw.problems().is_empty()).then_some(row)
        },
    )
}

fn rows_of(specs: &[Spec]) -> Vec<ParticipantSessionDetails> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| details(i, s))
        .collect()
}

/// Ingests `rows` in pages of `page_size`, with the same totals and session on every page.
fn ingest(
    store: &mut SessionStore,
    rows: &[ParticipantSessionDetails],
    page_size: usize,
    live: bool,
) {
    let ended = (!live).then_some(60 * MIN);
    for chunk in rows.chunks(page_size.max(1)) {
        let mut page = page(Some(session(Some(0), ended)), chunk.to_vec());
        page.total_participant_sessions = Some(rows.len() as i64);
        page.total_participant_duration = Some(1_234);
        store.ingest(&page).unwrap();
    }
}

fn store_of(rows: &[ParticipantSessionDetails], page_size: usize, live: bool) -> SessionStore {
    let mut store = SessionStore::new();
    ingest(&mut store, rows, page_size, live);
    store
}

/// Terms of every kind a row can answer, meant to be negated and joined with `or` so that even
/// the server's fields end up in the local part.
const TERMS: [&str; 21] = [
    "role:host",
    "role:user,admin",
    "dur>10m",
    "dur<=5m",
    "dur=0s",
    "user-1",
    "ER-3",
    "open",
    "closed",
    "problem",
    "joined>09:00",
    "left<=09:30",
    "publisher:rtmp",
    "publisher:srt,webrtc",
    "user:user-2",
    "session:session-3",
    "session:00000002-0000-4000-8000-000000000002",
    "live:yes",
    "tech:no",
    "track:audio",
    "\"\"",
];

fn filter_text() -> impl Strategy<Value = String> {
    prop::collection::vec((any::<bool>(), 0..TERMS.len(), any::<bool>()), 1..5).prop_map(|terms| {
        terms
            .iter()
            .enumerate()
            .map(|(i, &(negated, term, alternative))| {
                let joiner = match (i, alternative) {
                    (0, _) => "",
                    (_, true) => " or ",
                    (_, false) => " ",
                };
                format!("{joiner}{}{}", if negated { "!" } else { "" }, TERMS[term])
            })
            .collect()
    })
}

fn figures(store: &SessionStore) -> Figures {
    Figures::compute(store, &all_rows(store), NOW, &Thresholds::default())
}

/// Figures with interned ids replaced by names, comparable across stores.
#[derive(Debug, PartialEq)]
struct Named {
    users: Vec<(String, UserFigures)>,
    roles: Vec<(String, u64, i64)>,
    publishers: Vec<(String, u64, i64)>,
    call: CallFigures,
    curve: super::concurrency::ConcurrencyCurve,
}

fn named(store: &SessionStore) -> Named {
    let mut figures = figures(store);
    let mut users: Vec<_> = figures
        .users
        .iter()
        .map(|u| {
            (store.user_name(u.user).to_owned(), {
                let mut u = u.clone();
                u.user = UserId(0);
                u
            })
        })
        .collect();
    users.sort_by(|a, b| a.0.cmp(&b.0));
    let breakdowns = std::mem::take(&mut figures.call.breakdowns);
    let roles = breakdowns
        .by_role
        .iter()
        .map(|s| {
            (
                s.key.map_or("", |r| store.role_name(r)).to_owned(),
                s.sessions,
                s.connected_seconds,
            )
        })
        .collect();
    let publishers = breakdowns
        .by_publisher
        .iter()
        .map(|s| {
            (
                store.publisher_name(s.key).to_owned(),
                s.sessions,
                s.connected_seconds,
            )
        })
        .collect();
    Named {
        users,
        roles,
        publishers,
        curve: figures.curve,
        call: figures.call,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn attended_time_is_bounded_by_connected_time_and_the_window(
        specs in prop::collection::vec(spec(), 0..40),
        live in any::<bool>(),
    ) {
        let store = store_of(&rows_of(&specs), 100, live);
        let window = store.window(NOW);
        for user in figures(&store).users.iter() {
            // Only a row without a duration (its leave or its duration not recorded) can
            // make attended time exceed connected time, and it is then flagged.
            let unmeasured = user.problems.contains(RowProblem::LeaveNotRecorded)
                || user.problems.contains(RowProblem::DurationNotRecorded);
            if !unmeasured {
                prop_assert!(user.attended <= user.connected_seconds * SEC, "{user:?}");
            }
            prop_assert!(user.attended <= window.map_or(0, |w| w.len()), "{user:?}");
            prop_assert!(user.attendance_tenths().unwrap_or(0) <= 1000);
        }
    }

    #[test]
    fn a_messy_row_never_changes_anyone_elses_figures_nor_lowers_its_users(
        specs in prop::collection::vec(spec(), 0..30),
        messy in prop::collection::vec(messy_row(), 1..4),
        live in any::<bool>(),
    ) {
        let clean = rows_of(&specs);
        let mut with_messy = clean.clone();
        with_messy.extend(messy.iter().enumerate().map(|(i, row)| ParticipantSessionDetails {
            user_session_id: format!("messy-{i}"),
            ..row.clone()
        }));
        let before = store_of(&clean, 100, live);
        let after = store_of(&with_messy, 100, live);
        let messy_users: Vec<&str> = messy.iter().map(|row| row.user_id.as_str()).collect();
        let figures_of = |store: &SessionStore| -> Vec<(String, UserFigures)> {
            named(store).users
        };
        let old = figures_of(&before);
        let new = figures_of(&after);
        for (name, figures) in &new {
            let previous = old.iter().find(|(n, _)| n == name).map(|(_, f)| f);
            if messy_users.contains(&name.as_str()) {
                if let Some(previous) = previous {
                    prop_assert!(figures.attended >= previous.attended, "{name}: {figures:?}");
                    prop_assert!(figures.connected_seconds >= previous.connected_seconds);
                }
                prop_assert!(!figures.problems.is_empty(), "{name} is not flagged");
            } else {
                prop_assert_eq!(Some(figures), previous, "{} changed", name);
            }
        }
        let call = figures(&after).call;
        prop_assert!(call.connected_seconds >= 0 && call.attended_seconds >= 0);
        prop_assert!(call.data_quality.rows >= messy.len() as u64);
    }

    #[test]
    fn connected_time_is_what_was_received_less_what_was_ignored_plus_open_time(
        specs in prop::collection::vec(spec(), 0..30),
        messy in prop::collection::vec(messy_row(), 0..4),
        live in any::<bool>(),
    ) {
        let mut rows = rows_of(&specs);
        rows.extend(messy.iter().enumerate().map(|(i, row)| ParticipantSessionDetails {
            user_session_id: format!("messy-{i}"),
            ..row.clone()
        }));
        let call = figures(&store_of(&rows, 100, live)).call;
        let quality = &call.data_quality;
        // Absurd durations (over a year either way) count nowhere, not even as received.
        let received: i64 = rows
            .iter()
            .filter_map(|r| r.duration_in_seconds.filter(|d| d.unsigned_abs() <= 366 * 86_400))
            .sum();
        prop_assert_eq!(quality.received_seconds, received);
        prop_assert_eq!(
            call.connected_seconds,
            quality.received_seconds - quality.ignored_seconds + quality.open_seconds
        );
    }

    #[test]
    fn figures_do_not_depend_on_paging_or_arrival_order(
        (rows, shuffled) in prop::collection::vec(spec(), 0..40)
            .prop_flat_map(|specs| {
                let rows = rows_of(&specs);
                (Just(rows.clone()), Just(rows).prop_shuffle())
            }),
        page_size in 1usize..8,
        live in any::<bool>(),
    ) {
        let in_order = store_of(&rows, 100, live);
        let reordered = store_of(&shuffled, page_size, live);
        prop_assert_eq!(named(&in_order), named(&reordered));
    }

    #[test]
    fn ingesting_the_same_rows_again_changes_nothing(
        specs in prop::collection::vec(spec(), 0..40),
        page_size in 1usize..8,
    ) {
        let rows = rows_of(&specs);
        let mut store = store_of(&rows, page_size, false);
        let before = (store.generation(), store.len(), named(&store));
        ingest(&mut store, &rows, page_size, false);
        prop_assert_eq!(before, (store.generation(), store.len(), named(&store)));
    }

    #[test]
    fn rows_first_seen_open_end_up_as_their_final_version(
        specs in prop::collection::vec(spec(), 0..40),
        page_size in 1usize..8,
    ) {
        let rows = rows_of(&specs);
        let provisional: Vec<_> = rows
            .iter()
            .map(|r| ParticipantSessionDetails { left_at: None, duration_in_seconds: None, ..r.clone() })
            .collect();
        let mut polled = store_of(&provisional, page_size, false);
        ingest(&mut polled, &rows, page_size, false);
        prop_assert_eq!(polled.open_rows(), rows.iter().filter(|r| r.left_at.is_none()).count());
        prop_assert_eq!(named(&polled), named(&store_of(&rows, 100, false)));
    }

    #[test]
    fn a_filter_bound_to_the_store_keeps_what_row_by_row_evaluation_keeps(
        specs in prop::collection::vec(spec(), 0..40),
        text in filter_text(),
    ) {
        let store = store_of(&rows_of(&specs), 7, true);
        let filter = parse(&text, &ParseContext::at(jiff::tz::TimeZone::UTC, T0));
        prop_assume!(filter.is_ok());
        let filter = filter.unwrap();
        let row_by_row: Vec<_> = store
            .row_ids()
            .filter(|&id| filter.matches_local(&FilterableRow::new(store.get(id).unwrap()), NOW))
            .collect();
        prop_assert_eq!(keep_local_matches(&store, store.row_ids(), &filter, NOW), row_by_row);
    }

    #[test]
    fn ingesting_response_bodies_gives_the_store_decoded_pages_give(
        specs in prop::collection::vec(spec(), 0..40),
        page_size in 1usize..8,
        live in any::<bool>(),
    ) {
        let rows = rows_of(&specs);
        let decoded = store_of(&rows, page_size, live);
        let mut from_bodies = SessionStore::new();
        let ended = (!live).then_some(60 * MIN);
        for chunk in rows.chunks(page_size) {
            let mut page = page(Some(session(Some(0), ended)), chunk.to_vec());
            page.total_participant_sessions = Some(rows.len() as i64);
            page.total_participant_duration = Some(1_234);
            let body = serde_json::to_vec(&page).unwrap();
            from_bodies.ingest_json(&body).unwrap();
        }
        let details = |store: &SessionStore| store.iter().map(super::row::SessionRef::to_details).collect::<Vec<_>>();
        prop_assert_eq!(details(&from_bodies), details(&decoded));
        prop_assert_eq!(from_bodies.identity(), decoded.identity());
        prop_assert_eq!(from_bodies.totals(), decoded.totals());
        prop_assert_eq!(from_bodies.session(), decoded.session());
        prop_assert_eq!(from_bodies.generation(), decoded.generation());
        prop_assert_eq!(named(&from_bodies), named(&decoded));
    }
}

/// A member for one of the generated users: added before the session or during it, removed
/// during it or never (minutes from `T0`).
fn roster_member() -> impl Strategy<Value = (u8, Option<i64>, Option<i64>)> {
    (
        0u8..8,
        prop::option::weighted(0.4, -5i64..75),
        prop::option::weighted(0.2, -5i64..75),
    )
}

/// The length of `∪ attended parts ∩ expected`, counted second by second: every generated
/// instant is a whole second, so this is exact, and it shares no code with the merge.
fn attended_by_the_second(
    store: &SessionStore,
    user: UserId,
    expected: super::Window,
    now: Nanos,
) -> Nanos {
    let ctx = store.row_context(now);
    let parts: Vec<(Nanos, Nanos)> = store
        .iter()
        .filter(|row| store.find_user(row.user_id()) == Some(user))
        .filter_map(|row| row.counted(&ctx).attended_interval())
        .collect();
    let mut seconds = 0;
    let mut at = expected.start;
    while at < expected.end {
        if parts.iter().any(|&(from, to)| from <= at && at < to) {
            seconds += 1;
        }
        at += SEC;
    }
    seconds * SEC
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The roster's attended time and percentage are the per-user figures' own, messy rows
    /// included: equal for everyone expected over the whole call window, and the same union
    /// clipped to the expected time for members added or removed during the session.
    #[test]
    fn the_roster_measures_attendance_as_the_figures_do(
        specs in prop::collection::vec(spec(), 0..30),
        messy in prop::collection::vec(messy_row(), 0..5),
        members in prop::collection::vec(roster_member(), 0..10),
        live in any::<bool>(),
    ) {
        use super::{
            Classification, ExpectedMember, ReadFacts, RingKnowledge, RosterInput, RosterRules,
            classify,
        };
        let mut rows = rows_of(&specs);
        rows.extend(messy.iter().enumerate().map(|(i, row)| ParticipantSessionDetails {
            user_session_id: format!("messy-{i}"),
            ..row.clone()
        }));
        let store = store_of(&rows, 100, live);
        let names: Vec<String> = members.iter().map(|(user, _, _)| format!("user-{user}")).collect();
        let expected: Vec<ExpectedMember> = members
            .iter()
            .zip(&names)
            .map(|(&(_, added, removed), name)| ExpectedMember {
                user_id: name,
                role: None,
                created_at: Some(added.map_or(T0 - 60 * MIN, |m| T0 + m * MIN)),
                deleted_at: removed.map(|m| T0 + m * MIN),
            })
            .collect();
        let input = RosterInput {
            members: &expected,
            ring: RingKnowledge::NotReported,
            created_by: None,
            read: ReadFacts::complete(),
            rules: RosterRules::default(),
        };
        let figures = figures(&store).users;
        let window = store.window(NOW);
        let roster = match classify(&input, &store, &figures, NOW) {
            Classification::Classified(roster) => *roster,
            Classification::Unclassified(why) => {
                // Only rows none of which gives a start (and the session object gives one).
                prop_assert!(store.is_empty(), "{why:?}");
                return Ok(());
            }
        };
        for person in roster.people.iter(&store) {
            let Some(user) = person.user else {
                prop_assert_eq!(person.attended, 0);
                continue;
            };
            let figures = figures.iter().find(|f| f.user == user).unwrap();
            let expected = person.expected.unwrap();
            prop_assert_eq!(
                person.attended,
                attended_by_the_second(&store, user, expected, NOW),
                "{}", person.user_id
            );
            prop_assert_eq!(person.problems, figures.problems);
            prop_assert_eq!((person.first_join, person.last_leave), (figures.first_join(), figures.last_leave()));
            prop_assert_eq!(person.flags.reconnects, figures.reconnects);
            if Some(expected) == window {
                prop_assert_eq!(person.attended, figures.attended, "{}", person.user_id);
                prop_assert_eq!(person.attendance_tenths, figures.attendance_tenths());
                prop_assert_eq!(person.flags.late.is_some(), figures.late());
                prop_assert_eq!(person.flags.left_early.is_some(), figures.left_early());
            } else {
                prop_assert!(person.attended <= figures.attended);
            }
        }
        prop_assert_eq!(
            roster.with_problems,
            roster.people.iter(&store).filter(|p| !p.problems.is_empty()).count()
        );
    }
}
