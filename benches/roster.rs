//! Who was expected, at scale: classifying 10,000 members against 100,000 participant
//! sessions (`attendance::classify`), with the per-user figures given (as the dashboard keeps
//! them) and with them computed first (as a one-off read does).
//!
//! A live poll also reads the roster again (`GetCall` and every member page): that read is
//! measured over loopback against `headcount sim --scenario webinar` (100,000 sessions, some
//! 10,000 members), beside a `GetCall` alone and the poll's own read of every session page.
//!
//! Run with `cargo bench --bench roster`. The data is generated here: an ended two-hour call,
//! 100,000 sessions of 20,000 users; 10,000 members, 7,000 of whom attended and 3,000 never
//! joined; a tenth of the members added during the session and 2 % removed during it (so
//! their attendance is measured over a shorter expected time), 1 % removed before it; ring
//! outcomes for 3,000 members.

use std::hint::black_box;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use headcount::fetch::{FetchEvent, FetchRequest};
use headcount::sim::{Scenario, SimConfig};

use headcount::api::StreamClient;
use headcount::api::members::{RingMap, read_members};
use headcount::api::models::{
    CallSession, ParticipantSessionDetails, ParticipantSessionsPage, RequestDuration,
};
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::attendance::{
    Classification, ExpectedMember, ReadFacts, RingKnowledge, RosterInput, RosterRules,
    SessionStore, State, UserFigures, classify, user_figures,
};

const SESSIONS: usize = 100_000;
const USERS: u64 = 20_000;
const MEMBERS: usize = 10_000;
const ATTENDING_MEMBERS: usize = 7_000;
const START: Nanos = 1_760_000_000 * NANOS_PER_SEC;
const CALL_LENGTH: Nanos = 2 * 3600 * NANOS_PER_SEC;
const END: Nanos = START + CALL_LENGTH;
const NOW: Nanos = END + 3600 * NANOS_PER_SEC;

/// splitmix64: deterministic data without depending on an RNG crate's feature set.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn instant(&mut self) -> Nanos {
        START + self.below(CALL_LENGTH as u64) as Nanos
    }
}

fn session_row(index: usize, random: &mut Random) -> ParticipantSessionDetails {
    let joined = random.instant();
    let stay = (60 + random.below(60 * 60)) as Nanos * NANOS_PER_SEC;
    let left = (joined + stay).min(END);
    ParticipantSessionDetails {
        user_id: format!("user-{:06}", random.below(USERS)),
        user_session_id: format!("{index:08x}-0000-4000-8000-{index:012x}"),
        publisher_type: "webrtc".to_owned(),
        roles: vec!["user".to_owned()],
        joined_at: Some(joined),
        left_at: Some(left),
        duration_in_seconds: Some((left - joined) / NANOS_PER_SEC),
    }
}

fn store() -> &'static SessionStore {
    static STORE: OnceLock<SessionStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut random = Random(0x726f_7374_6572);
        let rows: Vec<_> = (0..SESSIONS).map(|i| session_row(i, &mut random)).collect();
        let page = ParticipantSessionsPage {
            call_type: "default".into(),
            call_id: "all-hands".into(),
            call_session_id: "3f6c2a10-5d4e-4b7a-9c8d-1e2f3a4b5c6d".into(),
            duration: RequestDuration::default(),
            total_participant_sessions: Some(SESSIONS as i64),
            total_participant_duration: Some(
                rows.iter().filter_map(|r| r.duration_in_seconds).sum(),
            ),
            participants_sessions: rows,
            next: None,
            prev: None,
            session: Some(CallSession {
                id: "3f6c2a10-5d4e-4b7a-9c8d-1e2f3a4b5c6d".into(),
                started_at: Some(START),
                ended_at: Some(END),
                ..CallSession::default()
            }),
        };
        let mut store = SessionStore::new();
        store.ingest(&page).expect("one call");
        store
    })
}

/// The members' ids, their added / removed instants, and the ring maps.
struct Roster {
    ids: Vec<String>,
    times: Vec<(Option<Nanos>, Option<Nanos>)>,
    accepted: RingMap,
    rejected: RingMap,
    missed: RingMap,
}

fn roster() -> &'static Roster {
    static ROSTER: OnceLock<Roster> = OnceLock::new();
    ROSTER.get_or_init(|| {
        let mut random = Random(0x6d65_6d62_6572);
        // Members who attended are users 0..7,000 of the sessions; the rest never joined.
        let ids: Vec<String> = (0..MEMBERS)
            .map(|i| {
                if i < ATTENDING_MEMBERS {
                    format!("user-{i:06}")
                } else {
                    format!("invitee-{i:06}")
                }
            })
            .collect();
        let times = (0..MEMBERS)
            .map(|_| {
                let before = START - 86_400 * NANOS_PER_SEC;
                match random.below(100) {
                    0..10 => (Some(random.instant()), None),
                    10..12 => (Some(before), Some(random.instant())),
                    12..13 => (Some(before), Some(START - NANOS_PER_SEC)),
                    _ => (Some(before), None),
                }
            })
            .collect();
        let ring = |from: usize, to: usize| -> RingMap {
            ids[from..to]
                .iter()
                .map(|id| (id.clone(), Some(START + NANOS_PER_SEC)))
                .collect()
        };
        Roster {
            accepted: ring(5_000, 7_000),
            rejected: ring(7_000, 7_500),
            missed: ring(7_500, 8_000),
            ids,
            times,
        }
    })
}

fn members(roster: &Roster) -> Vec<ExpectedMember<'_>> {
    roster
        .ids
        .iter()
        .zip(&roster.times)
        .map(|(id, &(created_at, deleted_at))| ExpectedMember {
            user_id: id,
            role: Some("user"),
            created_at,
            deleted_at,
        })
        .collect()
}

fn input<'a>(roster: &'a Roster, members: &'a [ExpectedMember<'a>]) -> RosterInput<'a> {
    RosterInput {
        members,
        ring: RingKnowledge::Known {
            accepted: Some(&roster.accepted),
            rejected: Some(&roster.rejected),
            missed: Some(&roster.missed),
        },
        created_by: Some("user-000000"),
        read: ReadFacts::complete(),
        rules: RosterRules::default(),
    }
}

fn figures(store: &SessionStore) -> Arc<Vec<UserFigures>> {
    let rows: Vec<_> = store.row_ids().collect();
    Arc::new(user_figures(
        store,
        &rows,
        NOW,
        &RosterRules::default().thresholds,
    ))
}

/// Prints what was classified once, so the figures in docs/benchmarks.md can be checked.
fn report(_: &mut Criterion) {
    let (store, roster) = (store(), roster());
    let members = members(roster);
    let input = input(roster, &members);
    let figures = figures(store);
    let Classification::Classified(result) = classify(&input, store, &figures, NOW) else {
        panic!("a complete read is classified");
    };
    let counts: Vec<String> = State::ALL
        .iter()
        .map(|&state| format!("{} {}", result.counts.of(state), state.name()))
        .collect();
    println!(
        "roster: {} sessions, {} users, {} members ({} not expected): {}",
        store.len(),
        figures.len(),
        members.len(),
        result.not_expected,
        counts.join(", ")
    );
}

fn bench_classify(c: &mut Criterion) {
    let (store, roster) = (store(), roster());
    let members = members(roster);
    let input = input(roster, &members);
    let figures = figures(store);
    let mut group = c.benchmark_group("roster_10k_members_100k_sessions");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("classify", |b| {
        b.iter(|| black_box(classify(&input, store, black_box(&figures), NOW)));
    });
    group.bench_function("user_figures_and_classify", |b| {
        b.iter(|| {
            let figures = self::figures(store);
            black_box(classify(&input, store, &figures, NOW));
        });
    });
    group.finish();
}

/// The webinar scenario served on loopback, without rate limits, and a client of it.
fn webinar(runtime: &tokio::runtime::Runtime) -> (headcount::sim::RunningSim, StreamClient) {
    runtime.block_on(async {
        let config = SimConfig {
            scenario: Scenario::Webinar,
            rate_limit: 0,
            ..SimConfig::default()
        };
        let (key, secret) = (config.api_key.clone(), config.api_secret.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = headcount::sim::start(config, listener)
            .await
            .expect("the sim");
        let client = StreamClient::new(&sim.base_url(), &key, &secret).unwrap();
        (sim, client)
    })
}

/// What a poll reads again of the roster, as the fetch task does: the call and every member.
async fn reread(client: &StreamClient, sim: &headcount::sim::RunningSim) -> usize {
    let (call, members) = tokio::join!(
        client.get_call(sim.call_type(), sim.call_id()),
        read_members(client, sim.call_type(), sim.call_id()),
    );
    call.expect("GetCall");
    members.expect("the members").members.len()
}

/// Every session page, as a poll reads them (pages of 100), to the end of the read.
async fn every_page(client: &StreamClient, sim: &headcount::sim::RunningSim) -> u32 {
    let (sender, mut receiver) = tokio::sync::mpsc::channel(64);
    let request = FetchRequest {
        generation: 1,
        call_type: sim.call_type().to_owned(),
        call_id: sim.call_id().to_owned(),
        session: sim.session_id().to_owned(),
        page_size: 100,
        ..FetchRequest::default()
    };
    let _handle = headcount::fetch::spawn(client.clone(), request, sender);
    while let Some(event) = receiver.recv().await {
        match event {
            FetchEvent::Done { pages, .. } => return pages,
            FetchEvent::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    panic!("the read ended without Done")
}

fn bench_reread(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (sim, client) = webinar(&runtime);
    let members = runtime.block_on(reread(&client, &sim));
    let pages = runtime.block_on(every_page(&client, &sim));
    println!(
        "loopback: webinar, {} sessions in {pages} pages, {members} members",
        sim.initial_sessions()
    );
    let mut group = c.benchmark_group("poll_over_loopback_webinar");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("getcall_alone", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(client.get_call(sim.call_type(), sim.call_id()))
                    .unwrap(),
            )
        });
    });
    group.bench_function("getcall_and_every_member", |b| {
        b.iter(|| black_box(runtime.block_on(reread(&client, &sim))));
    });
    group.bench_function("every_session_page", |b| {
        b.iter(|| black_box(runtime.block_on(every_page(&client, &sim))));
    });
    group.finish();
}

criterion_group!(benches, report, bench_classify, bench_reread);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
