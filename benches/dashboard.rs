//! Dashboard speed with a million sessions loaded: drawing one frame of each view, and a
//! filter keystroke until the next frame is ready.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use headcount::api::RawSessionsPage;
use headcount::api::models::{ParticipantSessionDetails, ParticipantSessionsPage};
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::app::{App, AppConfig, Msg};
use headcount::fetch::FetchEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

#[path = "../tests/app_support/config.rs"]
mod app_config;
use app_config::session_config;

const SESSIONS: usize = 1_000_000;
const PAGE: usize = 1_000;
const T0: Nanos = 1_795_687_200 * NANOS_PER_SEC;
const NOW: Nanos = T0 + 4 * 3600 * NANOS_PER_SEC;

fn config() -> AppConfig {
    AppConfig {
        page_size: 1000,
        color: true,
        export_dir: std::env::temp_dir(),
        ..session_config("default", "townhall", "s-1")
    }
}

fn empty_page() -> ParticipantSessionsPage {
    serde_json::from_value(json!({
        "call_type": "default",
        "call_id": "townhall",
        "call_session_id": "s-1",
        "total_participant_sessions": SESSIONS,
        "total_participant_duration": SESSIONS * 1800,
        "session": {
            "id": "s-1",
            "started_at": "2026-11-26T10:00:00Z",
            "ended_at": "2026-11-26T14:00:00Z"
        }
    }))
    .expect("a valid page")
}

/// Session `i`: 200,000 users, each joining up to five times over four hours.
fn session(i: usize) -> ParticipantSessionDetails {
    let joined = T0 + (i as i64 * 7_919 % 14_000) * NANOS_PER_SEC;
    let length = (i as i64 * 104_729 % 3_600 + 30) * NANOS_PER_SEC;
    ParticipantSessionDetails {
        user_id: format!("user-{:06}", i % 200_000),
        user_session_id: format!("{i:08x}-0000-4000-8000-{i:012x}"),
        publisher_type: ["webrtc", "rtmp", "whip"][i % 3].to_owned(),
        roles: vec![["user", "host", "admin"][i % 7 % 3].to_owned()],
        joined_at: Some(joined),
        left_at: Some(joined + length),
        duration_in_seconds: Some(length / NANOS_PER_SEC),
    }
}

fn loaded_app() -> App {
    let (mut app, _) = App::new(config(), NOW);
    for page_no in 0..SESSIONS / PAGE {
        let mut page = empty_page();
        page.participants_sessions = (page_no * PAGE..(page_no + 1) * PAGE)
            .map(session)
            .collect();
        app.update(
            Msg::Fetch(FetchEvent::Page {
                generation: 1,
                page_no: page_no as u32 + 1,
                page: Box::new(RawSessionsPage::from_page(&page)),
                rate_limit: None,
            }),
            NOW,
        );
    }
    app.update(
        Msg::Fetch(FetchEvent::Done {
            generation: 1,
            pages: (SESSIONS / PAGE) as u32,
            completeness: headcount::fetch::Completeness::Complete,
            end: headcount::attendance::EndReports::default(),
        }),
        NOW,
    );
    app
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn frames(c: &mut Criterion) {
    let mut app = loaded_app();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut group = c.benchmark_group("frame_200x60_1M");
    for name in ["sessions", "users", "timeline"] {
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| {
                        black_box(headcount::ui::draw(frame, black_box(&app), NOW));
                    })
                    .unwrap();
            });
        });
        app.update(key(KeyCode::Tab), NOW);
    }
    app.update(key(KeyCode::Enter), NOW);
    group.bench_function("user_detail", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    black_box(headcount::ui::draw(frame, black_box(&app), NOW));
                })
                .unwrap();
        });
    });
    group.finish();
}

fn type_filter(app: &mut App, text: &str) {
    app.update(key(KeyCode::Char('/')), NOW);
    while !app.filter_bar().input().is_empty() {
        app.update(key(KeyCode::Backspace), NOW);
    }
    for c in text.chars() {
        app.update(key(KeyCode::Char(c)), NOW);
    }
    app.update(key(KeyCode::Enter), NOW);
}

/// One keystroke that changes the local filter (↑/↓ between `dur>5m` and `dur>10m` in the
/// filter history), until the next frame is drawn.
fn filter_keystroke(c: &mut Criterion) {
    let mut app = loaded_app();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    type_filter(&mut app, "dur>5m");
    type_filter(&mut app, "dur>10m");
    app.update(key(KeyCode::Char('/')), NOW);
    app.update(key(KeyCode::Up), NOW);
    let mut group = c.benchmark_group("filter_keystroke_1M");
    group.sample_size(10);
    let mut up = true;
    group.bench_function("keystroke_to_frame", |b| {
        b.iter(|| {
            let walk = if up { KeyCode::Up } else { KeyCode::Down };
            up = !up;
            app.update(key(walk), NOW);
            terminal
                .draw(|frame| {
                    black_box(headcount::ui::draw(frame, &app, NOW));
                })
                .unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, frames, filter_keystroke);

/// `--once VIEW` (`sessions`, `users`, `timeline` or `user_detail`) opens that view, draws it
/// once to warm up and [`FRAMES`] times inside [`measured_frames`], then exits: for counting
/// instructions under callgrind, which repeat where the clock of a shared machine does not
/// (see docs/benchmarks.md).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--once") {
        let view = args.get(at + 1).map_or("user_detail", String::as_str);
        let mut app = loaded_app();
        match view {
            "sessions" => {}
            "users" => {
                app.update(key(KeyCode::Tab), NOW);
            }
            "timeline" => {
                app.update(key(KeyCode::Tab), NOW);
                app.update(key(KeyCode::Tab), NOW);
            }
            _ => {
                for _ in 0..3 {
                    app.update(key(KeyCode::Tab), NOW);
                }
                app.update(key(KeyCode::Enter), NOW);
            }
        }
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        draw(&mut terminal, &app);
        measured_frames(&mut terminal, &app);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

const FRAMES: usize = 10;

#[inline(never)]
fn measured_frames(terminal: &mut Terminal<TestBackend>, app: &App) {
    for _ in 0..FRAMES {
        draw(terminal, app);
    }
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| {
            black_box(headcount::ui::draw(frame, black_box(app), NOW));
        })
        .unwrap();
}
