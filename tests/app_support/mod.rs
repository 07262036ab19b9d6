//! A small, fixed call for the dashboard tests: hand-built pages, a fixed clock, UTC.

#![allow(dead_code)]

#[allow(clippy::duplicate_mod)] // `sim_support::dashboard` loads it too
mod config;
pub use config::session_config;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use headcount::api::RawSessionsPage;
use headcount::api::StopReason;
use headcount::api::members::MembersRead;
use headcount::api::models::ParticipantSessionsPage;
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::app::{App, AppConfig, Effect, Local, Msg};
use headcount::fetch::{Completeness, FetchEvent, FetchRequest, Invited};
use serde_json::{Value, json};

pub const SEC: Nanos = NANOS_PER_SEC;
pub const MIN: Nanos = 60 * SEC;
/// 2026-11-26T10:00:00Z, when the call starts.
pub const T0: Nanos = 1_795_687_200 * SEC;

/// The dashboard on `default:standup` session `s-1` with `filter`, every other setting by
/// default.
pub fn config(filter: Option<&str>) -> AppConfig {
    AppConfig {
        filter: filter.map(str::to_owned),
        ..session_config("default", "standup", "s-1")
    }
}

/// The local instant of clocks that run in step with the server's (`Now::from(at)`): the
/// instants of the waits the dashboard counts on this machine's clock.
pub fn local(at: Nanos) -> Local {
    Local::from_nanos(at)
}

pub fn rfc3339(at: Nanos) -> String {
    headcount::attendance::utc_rfc3339(at)
}

/// One session row: joined and left in minutes after `T0` (`None`: still in the call).
pub fn row(
    user: &str,
    id: &str,
    joined: i64,
    left: Option<i64>,
    publisher: &str,
    role: &str,
) -> Value {
    let mut value = json!({
        "user_id": user,
        "user_session_id": id,
        "publisher_type": publisher,
        "roles": [role],
        "joined_at": rfc3339(T0 + joined * MIN),
    });
    if let Some(left) = left {
        value["left_at"] = json!(rfc3339(T0 + left * MIN));
        value["duration_in_seconds"] = json!((left - joined) * 60);
    }
    value
}

/// A page of `rows`; the call ended at T0+60m unless `live`.
pub fn page(rows: Vec<Value>, total: i64, live: bool) -> ParticipantSessionsPage {
    let mut session = json!({ "id": "s-1", "started_at": rfc3339(T0) });
    if !live {
        session["ended_at"] = json!(rfc3339(T0 + 60 * MIN));
    }
    serde_json::from_value(json!({
        "call_type": "default",
        "call_id": "standup",
        "call_session_id": "s-1",
        "total_participant_sessions": total,
        "total_participant_duration": total * 1200,
        "participants_sessions": rows,
        "session": session,
    }))
    .expect("a valid page")
}

/// `page` with a next cursor: more pages follow it, so the read is still paging.
pub fn followed_by(mut page: ParticipantSessionsPage, cursor: &str) -> ParticipantSessionsPage {
    page.next = Some(cursor.to_owned());
    page
}

/// The ended call: four users, one reconnect, one late, one on two devices.
pub fn ended_rows() -> Vec<Value> {
    vec![
        row("alice-chen", "a-1", 0, Some(30), "webrtc", "host"),
        row("alice-chen", "a-2", 30, Some(60), "webrtc", "host"),
        row("bob", "b-1", 10, Some(50), "rtmp", "user"),
        row("carol", "c-1", 0, Some(20), "webrtc", "user"),
        row("carol", "c-2", 5, Some(20), "webrtc", "user"),
        row("dave", "d-1", 2, Some(58), "whip", "user"),
    ]
}

pub fn page_event(generation: u64, page_no: u32, page: ParticipantSessionsPage) -> Msg {
    Msg::Fetch(FetchEvent::Page {
        generation,
        page_no,
        page: Box::new(RawSessionsPage::from_page(&page)),
        rate_limit: None,
    })
}

pub fn done(generation: u64, pages: u32) -> Msg {
    done_as(generation, pages, Completeness::Complete)
}

/// The end of a read after `pages` pages, with what the fetcher found of its rows.
pub fn done_as(generation: u64, pages: u32, completeness: Completeness) -> Msg {
    Msg::Fetch(FetchEvent::Done {
        generation,
        pages,
        completeness,
        end: headcount::attendance::EndReports::default(),
    })
}

pub fn key(c: char) -> Msg {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), modifiers))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn requests(effects: &[Effect]) -> Vec<&FetchRequest> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::StartFetch(request) => Some(request),
            _ => None,
        })
        .collect()
}

/// An app that has read the whole ended call at `T0 + 70m`.
pub fn loaded(filter: Option<&str>) -> (App, Nanos) {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(filter), now);
    app.update(page_event(1, 1, page(ended_rows(), 6, false)), now);
    app.update(done(1, 1), now);
    (app, now)
}

/// `e` then Enter: the current view written under the prompt's default name and format.
pub fn export_now(app: &mut App, now: Nanos) -> Vec<Effect> {
    let opened = app.update(key('e'), now);
    assert!(opened.is_empty(), "e only opens the prompt: {opened:?}");
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    )
}

/// The text of an export effect's file.
pub fn exported_text(effect: &Effect) -> String {
    let Effect::Export { file, .. } = effect else {
        panic!("not an export: {effect:?}")
    };
    String::from_utf8(file.encode().unwrap()).unwrap()
}

/// Types `text` into the open filter bar.
pub fn type_text(app: &mut App, text: &str, now: Nanos) -> Vec<Effect> {
    text.chars().flat_map(|c| app.update(key(c), now)).collect()
}

/// The status line's words, as the dashboard shows them.
pub fn said(app: &App) -> String {
    let status = app.status().expect("a status message");
    headcount::ui::status_text(status, &app.config().zone)
}

/// The standup's roster: alice (host, the caller) and bob as regulars, erin who rejected
/// the ring, frank who missed it and gina who never came; carol and dave attend uninvited.
pub fn roster_event(generation: u64) -> Msg {
    let member = |user: &str, role: &str| {
        json!({
            "user_id": user, "role": role, "custom": {"team": "blue"},
            "user": {"id": user, "name": format!("{user} (name)")},
            "created_at": rfc3339(T0 - 60 * MIN)
        })
    };
    let members = vec![
        member("alice-chen", "host"),
        member("bob", "user"),
        member("erin", "user"),
        member("frank", "user"),
        member("gina", "user"),
    ];
    let call = json!({
        "type": "default", "id": "standup", "cid": "default:standup",
        "current_session_id": "s-1",
        "created_by": {"id": "alice-chen"},
        "session": {
            "id": "s-1",
            "accepted_by": {"bob": rfc3339(T0)},
            "rejected_by": {"erin": rfc3339(T0), "alice-chen": rfc3339(T0)},
            "missed_by": {"frank": rfc3339(T0)}
        }
    });
    Msg::Fetch(FetchEvent::Roster {
        generation,
        invited: Box::new(Invited {
            call: serde_json::from_value(call).expect("a valid call"),
            members: std::sync::Arc::new(MembersRead {
                members: members
                    .into_iter()
                    .map(|m| serde_json::from_value(m).expect("a valid member"))
                    .collect(),
                stop: StopReason::LastPage,
                pages: 1,
                copies: 0,
            }),
        }),
    })
}

/// [`loaded`], with the roster read.
pub fn loaded_with_roster(filter: Option<&str>) -> (App, Nanos) {
    let (mut app, now) = loaded(filter);
    app.update(roster_event(1), now);
    (app, now)
}

/// A fetch event as the app receives it.
pub fn msg(event: FetchEvent) -> Msg {
    Msg::Fetch(event)
}

/// The fetch event a message carries.
pub fn fetch_of(msg: Msg) -> Option<FetchEvent> {
    match msg {
        Msg::Fetch(event) => Some(event),
        _ => None,
    }
}
