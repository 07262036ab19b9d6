//! The session picker drawn into a `TestBackend` at a fixed size, clock and zone.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use headcount::api::call_stats::SessionCounts;
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::app::picker::Picker;
use headcount::attendance::{DisplayZone, SessionSummary};
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

// 2026-11-26T14:03:21Z
const NOW: Nanos = 1_795_701_801 * NANOS_PER_SEC;
const HOUR: Nanos = 3_600 * NANOS_PER_SEC;
const WEEK: Nanos = 7 * 24 * HOUR;

fn counts(participants: i64, peak: i64, seconds: i64) -> Option<SessionCounts> {
    Some(SessionCounts {
        participants,
        sessions: participants + 3,
        peak_concurrent_users: peak,
        total_participant_duration: Some(seconds),
        ..SessionCounts::default()
    })
}

/// A weekly call: live now, two recent weeks, and one beyond retention.
fn picker() -> Picker {
    let ended = |weeks: i64, participants, peak, seconds| SessionSummary {
        id: format!("5e5510{weeks:02}-0000-4000-8000-0000000000{weeks:02}"),
        started_at: Some(NOW - HOUR - weeks * WEEK),
        ended: true,
        ended_at: Some(NOW - weeks * WEEK),
        current: false,
        counts: counts(participants, peak, seconds),
    };
    let live = SessionSummary {
        id: "5e551000-0000-4000-8000-000000000000".into(),
        started_at: Some(NOW - HOUR),
        ended: false,
        ended_at: None,
        current: true,
        counts: counts(1_234, 1_100, 3_600_000),
    };
    let sessions = vec![
        live,
        ended(1, 40, 31, 86_400),
        ended(2, 38, 30, 79_200),
        ended(14, 52, 44, 102_000),
    ];
    Picker::new(
        "default:weekly-sync".into(),
        sessions,
        NOW,
        DisplayZone::utc(),
        false,
    )
}

fn screen(picker: &Picker) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(120, 10)).unwrap();
    terminal
        .draw(|frame| headcount::ui::picker::draw(frame, picker))
        .unwrap();
    terminal.backend().clone()
}

#[test]
fn picker_preselects_the_current_session() {
    assert_snapshot!(screen(&picker()));
}

#[test]
fn picker_after_moving_down_twice() {
    let mut picker = picker();
    for _ in 0..2 {
        picker.update(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    }
    assert_snapshot!(screen(&picker));
}
