//! The local part of a filter runs on every fetched row at every keystroke: a typical filter
//! on a million stored rows (`keep_local_matches`, what the dashboard and `totals` call), the
//! same filter row by row through `Filter::matches_local`, and parsing it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use headcount::api::SessionFields;
use headcount::api::models::{ParticipantSessionDetails, ParticipantSessionsPage};
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::attendance::{SessionStore, keep_local_matches};
use headcount::filter::{Filter, LocalRow, ParseContext, parse};
use jiff::civil::date;
use jiff::tz::TimeZone;

const ROWS: usize = 1_000_000;
const FILTER: &str = "role:host or dur>10m !bot";
const START: Nanos = 1_795_000_000 * NANOS_PER_SEC;
const NOW: Nanos = START + 2 * 3600 * NANOS_PER_SEC;

/// A row as an attendance store might keep it: roles are shared slices, as interned roles are.
struct Row {
    user_id: String,
    session_id: String,
    publisher_type: &'static str,
    roles: &'static [&'static str],
    joined_at: Option<Nanos>,
    left_at: Option<Nanos>,
}

impl SessionFields for Row {
    fn user_id(&self) -> &str {
        &self.user_id
    }
    fn user_session_id(&self) -> &str {
        &self.session_id
    }
    fn publisher_type(&self) -> &str {
        self.publisher_type
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().copied()
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.joined_at
    }
    fn left_at(&self) -> Option<Nanos> {
        self.left_at
    }
    fn duration_in_seconds(&self) -> Option<i64> {
        None
    }
}

impl LocalRow for Row {
    fn is_open(&self) -> bool {
        self.left_at.is_none()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        self.joined_at
            .map(|joined| (self.left_at.unwrap_or(now) - joined) / NANOS_PER_SEC)
    }
    fn has_problem(&self, _now: Nanos) -> bool {
        false
    }
}

const ROLE_SETS: [&[&str]; 4] = [&["user"], &["host"], &["user", "admin"], &[]];

/// A deterministic mix: one user in 50 is a bot, one in 8 is still in the call.
fn rows() -> Vec<Row> {
    (0..ROWS)
        .map(|i| {
            let user = if i % 50 == 0 {
                format!("Recorder-BOT-{i}")
            } else {
                format!("user-{:06}", i % 200_000)
            };
            let joined = START + (i as i64 % 3600) * NANOS_PER_SEC;
            let stay = (i as i64 * 7919) % 5400;
            Row {
                user_id: user,
                session_id: format!("s{i}"),
                publisher_type: if i % 10 == 0 { "rtmp" } else { "webrtc" },
                roles: ROLE_SETS[i % ROLE_SETS.len()],
                joined_at: Some(joined),
                left_at: (i % 8 != 0).then_some(joined + stay * NANOS_PER_SEC),
            }
        })
        .collect()
}

/// The same rows in a store, ingested in pages of 100 as the fetcher delivers them.
fn store_of(rows: &[Row]) -> SessionStore {
    let mut store = SessionStore::new();
    for chunk in rows.chunks(100) {
        let page = ParticipantSessionsPage {
            call_type: "default".into(),
            call_id: "bench".into(),
            call_session_id: "s".into(),
            duration: headcount::api::models::RequestDuration::default(),
            total_participant_sessions: None,
            total_participant_duration: None,
            participants_sessions: chunk.iter().map(details).collect(),
            next: None,
            prev: None,
            session: None,
        };
        store.ingest(&page).expect("one call");
    }
    store
}

fn details(row: &Row) -> ParticipantSessionDetails {
    ParticipantSessionDetails {
        user_id: row.user_id.clone(),
        user_session_id: row.session_id.clone(),
        publisher_type: row.publisher_type.into(),
        roles: row
            .roles
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
        joined_at: row.joined_at,
        left_at: row.left_at,
        duration_in_seconds: None,
    }
}

fn context() -> ParseContext {
    let midnight = date(2026, 11, 18)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("a day in range")
        .timestamp()
        .as_nanosecond();
    ParseContext::at(TimeZone::UTC, midnight as Nanos)
}

fn local_filter(c: &mut Criterion) {
    let rows = rows();
    let filter = parse(FILTER, &context()).expect("the benchmark filter parses");
    let store = store_of(&rows);
    c.bench_function("local filter on 1M rows (role:host or dur>10m !bot)", |b| {
        b.iter(|| keep_local_matches(&store, store.row_ids(), &filter, black_box(NOW)).len());
    });
    c.bench_function("row by row on 1M rows (role:host or dur>10m !bot)", |b| {
        b.iter(|| {
            rows.iter()
                .filter(|row| filter.matches_local(*row, black_box(NOW)))
                .count()
        });
    });
    c.bench_function("parse role:host or dur>10m !bot", |b| {
        b.iter(|| parse(black_box(FILTER), &context()));
    });
}

criterion_group! {
    name = benches;
    // A pass over a million rows takes tens of milliseconds: fewer samples keep the run short.
    config = Criterion::default().sample_size(20);
    targets = local_filter
}
/// `--once` binds and applies the benchmark filter to the stored million rows, once to warm up
/// and once inside [`measured_pass`], then exits: for counting instructions under callgrind,
/// which repeat where the clock of a shared machine does not (see docs/benchmarks.md).
fn main() {
    if std::env::args().any(|arg| arg == "--once") {
        let filter = parse(FILTER, &context()).expect("the benchmark filter parses");
        let store = store_of(&rows());
        black_box(keep_local_matches(&store, store.row_ids(), &filter, NOW).len());
        black_box(measured_pass(&store, &filter));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

#[inline(never)]
fn measured_pass(store: &SessionStore, filter: &Filter) -> usize {
    keep_local_matches(store, store.row_ids(), filter, black_box(NOW)).len()
}
