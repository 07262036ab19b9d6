//! The timeline is redrawn on every change while a call is live: 60 lanes of a few sessions
//! each, with the concurrency curve, on a 200×60 terminal.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use headcount::api::models::{
    CallSession, ParticipantSessionDetails, ParticipantSessionsPage, RequestDuration,
};
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::app::TimeScale;
use headcount::attendance::{ConcurrencyCurve, DisplayZone, SessionStore};
use headcount::ui::lane_chart::{Bar, Lane, LaneChart, LaneChartStyles, PublisherKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const START: Nanos = 1_795_000_000 * NANOS_PER_SEC;
const MIN: Nanos = 60 * NANOS_PER_SEC;
const USERS: usize = 60;
const SESSIONS_PER_USER: i64 = 4;
const TYPES: [&str; 5] = ["webrtc", "rtmp", "srt", "whip", "sip"];

/// Sessions of `user`: staggered, some overlapping (two devices), the last still open.
fn sessions(user: usize) -> Vec<ParticipantSessionDetails> {
    (0..SESSIONS_PER_USER)
        .map(|n| {
            let joined = START + (user as i64 % 17 + n * 25) * MIN;
            let open = n == SESSIONS_PER_USER - 1;
            ParticipantSessionDetails {
                user_id: format!("user-{user:03}@example.com"),
                user_session_id: format!("{user}-{n}"),
                publisher_type: TYPES[(user + n as usize) % TYPES.len()].into(),
                roles: vec!["user".into()],
                joined_at: Some(joined),
                left_at: (!open).then_some(joined + (20 + user as i64 % 11) * MIN),
                duration_in_seconds: None,
            }
        })
        .collect()
}

fn bench_render(c: &mut Criterion) {
    let rows: Vec<_> = (0..USERS).flat_map(sessions).collect();
    let now = START + 120 * MIN;
    let page = ParticipantSessionsPage {
        call_type: "default".into(),
        call_id: "townhall".into(),
        call_session_id: "cs".into(),
        participants_sessions: rows.clone(),
        session: Some(CallSession {
            id: "cs".into(),
            started_at: Some(START),
            ..CallSession::default()
        }),
        duration: RequestDuration::default(),
        total_participant_sessions: None,
        total_participant_duration: None,
        next: None,
        prev: None,
    };
    let mut store = SessionStore::new();
    store.ingest(&page).expect("one call");
    let ids: Vec<_> = store.row_ids().collect();
    let curve = ConcurrencyCurve::compute(&store, &ids, now);
    let lanes: Vec<Lane<'_>> = rows
        .chunks(SESSIONS_PER_USER as usize)
        .map(|user| Lane {
            label: &user[0].user_id,
            bars: user
                .iter()
                .map(|s| Bar {
                    start: s.joined_at.unwrap_or(START),
                    end: s.left_at.unwrap_or(now),
                    publisher: PublisherKind::from_type(&s.publisher_type),
                    open: s.left_at.is_none(),
                })
                .collect(),
        })
        .collect();
    let scale = TimeScale::new(START, now);
    let zone = DisplayZone::parse("Europe/Paris").expect("bundled zone");
    let styles = LaneChartStyles::new(true);
    let mut buf = Buffer::empty(Rect::new(0, 0, 200, 60));
    c.bench_function("timeline 60 lanes 200x60", |b| {
        b.iter(|| {
            buf.reset();
            LaneChart {
                lanes: &lanes,
                scale: &scale,
                now,
                zone: &zone,
                curve: Some(&curve),
                selected: Some(7),
                styles: &styles,
            }
            .render(buf.area, &mut buf);
            black_box(&buf);
        });
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
