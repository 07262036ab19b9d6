//! The answer card: the same exact text from `headcount totals --user` and from the
//! dashboard's `c`, for a fixed session served by the sim; its JSON facts; the figures it
//! shares with the Users view's export; an unknown user named with the closest ids.

mod sim_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use headcount::app::view::View;
use headcount::app::{App, Effect, Msg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use sim_support::cli::{args, headcount, stderr};
use sim_support::dashboard::after_one_read;
use sim_support::pages::{CALL_ID, Crafted, MINUTE, SESSION, T0, row};

/// alice late, back at once after a drop (a reconnect) and gone early; bob all along; carol
/// on two devices at once.
fn crafted() -> Crafted {
    let rows = vec![
        row("alice", "a-1", 7, 30),
        row("alice", "a-2", 30, 48),
        row("bob", "b-1", 0, 60),
        row("carol", "c-1", 0, 20),
        row("carol", "c-2", 5, 20),
    ];
    Crafted {
        total_sessions: rows.len() as i64,
        total_duration: (23 + 18 + 60 + 20 + 15) * 60,
        pages: vec![rows],
    }
}

const ALICE_CARD: &str = "\
User:         alice
Call:         default:crafted
Call session: c0ffee00-0000-4000-8000-000000000001
Call window:  2026-05-12 09:00:00 → 2026-05-12 10:00:00 UTC (1h 00m 00s), ended
Attended:     41m 00s (68.3% of the call window)
Connected:    41m 00s over 2 sessions
Joined:       09:07:00, 7m 00s after the start: late (grace 5m 00s)
Left:         09:48:00, 12m 00s before the end: left early (grace 5m 00s)
Reconnects:   1 (a rejoin within 1m 00s of leaving)
Sessions:
  1. 09:07:00 → 09:30:00  23m 00s
  2. 09:30:00 → 09:48:00  18m 00s  0s after the previous: reconnect
Flagged rows: none
";

async fn totals(base_url: &str, extra: &[&str]) -> std::process::Output {
    let mut words = vec![
        "totals".to_owned(),
        format!("default:{CALL_ID}"),
        "--session".to_owned(),
        SESSION.to_owned(),
        "--tz".to_owned(),
        "UTC".to_owned(),
    ];
    words.extend(extra.iter().map(|word| (*word).to_owned()));
    headcount(base_url, args(words), &[]).await
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The text `c` puts on the clipboard.
fn copied(effects: Vec<Effect>) -> String {
    effects
        .into_iter()
        .find_map(|effect| match effect {
            Effect::Copy(text) => Some(text),
            _ => None,
        })
        .expect("c copies the card")
}

/// Moves the Users view's cursor onto `user_id`.
fn select_user(app: &mut App, user_id: &str, now: i64) {
    for _ in 0..app.users().len() {
        let selected = app.users().selected().copied().expect("a selected user");
        if app.store().user_name(selected) == user_id {
            return;
        }
        app.update(key(KeyCode::Down), now);
    }
    panic!("{user_id} is not in the users table");
}

fn screen_text(app: &mut App, now: i64, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            headcount::ui::draw(frame, app, now);
        })
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_card_is_the_same_exact_text_from_totals_and_from_c() {
    let (sim, _dir) = crafted().serve().await;
    let output = totals(&sim.base_url(), &["--user", "alice"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), ALICE_CARD);

    let mut app = after_one_read(&sim.base_url(), "default", CALL_ID, SESSION).await;
    let now = T0 + 120 * MINUTE;
    app.update(key(KeyCode::Tab), now);
    select_user(&mut app, "alice", now);
    let card = copied(app.update(key(KeyCode::Char('c')), now));
    assert_eq!(card, ALICE_CARD);

    // The popup shows it from the first column, for a terminal's own selection.
    let screen = screen_text(&mut app, now, 100, 30);
    assert!(
        screen.contains("Answer card · copied with OSC 52"),
        "{screen}"
    );
    assert!(
        screen.contains("\"User:         alice  "),
        "from the first column: {screen}"
    );
    app.update(key(KeyCode::Esc), now);
    let screen = screen_text(&mut app, now, 100, 30);
    assert!(!screen.contains("Answer card"), "Esc closes it:\n{screen}");
    assert_eq!(app.view(), View::Users, "Esc closed only the card");

    // In the user detail, the same card.
    app.update(key(KeyCode::Enter), now);
    let card = copied(app.update(key(KeyCode::Char('c')), now));
    assert_eq!(card, ALICE_CARD);
}

/// `--format json` says the same as the card, and each figure is the Users view's (its
/// export, `export --by user`).
#[tokio::test(flavor = "multi_thread")]
async fn the_json_card_gives_the_same_facts_as_the_users_table() {
    let (sim, _dir) = crafted().serve().await;
    let output = totals(&sim.base_url(), &["--user", "alice", "--format", "json"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let card: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(card["user_id"], "alice");
    assert_eq!(card["call_session_id"], SESSION);
    assert_eq!(card["state"], "ended");
    assert_eq!(card["provisional"], false);
    assert_eq!(card["complete"], true);
    assert_eq!(card["window"]["started_at"], "2026-05-12T09:00:00Z");
    assert_eq!(card["window"]["seconds"], 3600);
    assert_eq!(card["joined_after_start_seconds"], 7 * 60);
    assert_eq!(card["left_before_end_seconds"], 12 * 60);
    assert_eq!(card["thresholds"]["late_grace_seconds"], 300);
    assert_eq!(card["thresholds"]["reconnect_gap_seconds"], 60);
    let sessions = card["participant_sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1]["user_session_id"], "a-2");
    assert_eq!(sessions[1]["gap_before_seconds"], 0);
    assert_eq!(sessions[1]["reconnect"], true);
    assert_eq!(card["flagged_rows"], serde_json::json!([]));

    let export = headcount(
        &sim.base_url(),
        args([
            "export",
            &format!("default:{CALL_ID}"),
            "--session",
            SESSION,
            "--by",
            "user",
        ]),
        &[],
    )
    .await;
    assert!(export.status.success(), "{}", stderr(&export));
    let mut reader = csv::Reader::from_reader(&export.stdout[..]);
    let headers = reader.headers().unwrap().clone();
    let alice = reader
        .records()
        .map(Result::unwrap)
        .find(|record| &record[0] == "alice")
        .expect("alice in the users export");
    let field = |name: &str| {
        let at = headers.iter().position(|h| h == name).unwrap();
        alice[at].to_owned()
    };
    for (column, json) in [
        ("sessions", "sessions"),
        ("attended_seconds", "attended_seconds"),
        ("connected_seconds", "connected_seconds"),
        ("late", "late"),
        ("left_early", "left_early"),
        ("reconnects", "reconnects"),
        ("multi_device", "multi_device"),
        ("attendance_percent", "attendance_percent"),
    ] {
        let exported: Value = serde_json::from_str(&field(column)).unwrap();
        assert_eq!(card[json], exported, "{column}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_user_exits_4_naming_the_closest_ids() {
    let (sim, _dir) = crafted().serve().await;
    let output = totals(&sim.base_url(), &["--user", "Alice"]).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let said = stderr(&output);
    assert!(
        said.contains("no participant session of user `Alice`")
            && said.contains("the closest ids seen: alice")
            && said.contains("case-sensitive"),
        "{said}"
    );
}

/// In the sessions, `c` gives the call's card: its figures are those of `totals`.
#[tokio::test(flavor = "multi_thread")]
async fn the_call_card_agrees_with_totals() {
    let (sim, _dir) = crafted().serve().await;
    let output = totals(&sim.base_url(), &["--format", "json"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let totals: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(totals["filtered"]["unique_users"], 3);
    assert_eq!(totals["filtered"]["attended_seconds"], (41 + 60 + 20) * 60);

    let mut app = after_one_read(&sim.base_url(), "default", CALL_ID, SESSION).await;
    let now = T0 + 120 * MINUTE;
    let card = copied(app.update(key(KeyCode::Char('c')), now));
    assert_eq!(
        card,
        "\
Call:         default:crafted
Call session: c0ffee00-0000-4000-8000-000000000001
Call window:  2026-05-12 09:00:00 → 2026-05-12 10:00:00 UTC (1h 00m 00s), ended
People:       3 (5 participant sessions)
Attended:     2h 01m 00s in all (each person's attended time, added)
Connected:    2h 16m 00s in all
Peak:         4 sessions at 09:07:00
Stream says:  5 participant sessions, 2h 16m 00s (the whole session, unfiltered)
Flagged rows: none
"
    );
}

/// A length past an hour keeps its seconds, on the card (from `c` and from `totals --user`)
/// as in the Users view and the user detail: one rule writes every duration, so the figure
/// pasted into a ticket is the one on screen, and the one the exports give in seconds.
#[tokio::test(flavor = "multi_thread")]
async fn a_length_past_an_hour_keeps_its_seconds_on_the_card_as_in_the_users_view() {
    const SECOND: i64 = MINUTE / 60;
    let long = 3_727; // 1 h 02 min 07 s
    let mut dave = row("dave", "d-1", 0, 0);
    dave["left_at"] = (T0 + long * SECOND).into();
    dave["duration_in_seconds"] = long.into();
    let crafted = Crafted {
        total_sessions: 2,
        total_duration: long + 60 * 60,
        pages: vec![vec![dave, row("erin", "e-1", 0, 60)]],
    };
    let (sim, _dir) = crafted.serve_session(T0, T0 + 90 * MINUTE).await;

    let output = totals(&sim.base_url(), &["--user", "dave"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    for line in [
        "Call window:  2026-05-12 09:00:00 → 2026-05-12 10:30:00 UTC (1h 30m 00s), ended\n",
        "Attended:     1h 02m 07s (69.0% of the call window)\n",
        "Connected:    1h 02m 07s over 1 session\n",
        "  1. 09:00:00 → 10:02:07  1h 02m 07s\n",
        "Left:         10:02:07, 27m 53s before the end: left early (grace 5m 00s)\n",
    ] {
        assert!(printed.contains(line), "{line:?} in:\n{printed}");
    }

    let mut app = after_one_read(&sim.base_url(), "default", CALL_ID, SESSION).await;
    let now = T0 + 120 * MINUTE;
    app.update(key(KeyCode::Tab), now);
    select_user(&mut app, "dave", now);
    assert_eq!(copied(app.update(key(KeyCode::Char('c')), now)), printed);
    app.update(key(KeyCode::Esc), now);
    let screen = screen_text(&mut app, now, 160, 30);
    let dave = screen
        .lines()
        .find(|line| line.contains("dave"))
        .expect("dave in the Users view");
    assert_eq!(
        dave.matches("1h 02m 07s").count(),
        2,
        "attended and connected, as on the card: {dave}"
    );
    app.update(key(KeyCode::Enter), now);
    let screen = screen_text(&mut app, now, 160, 30);
    assert!(
        screen.contains("attended 1h 02m 07s (69.0%) · connected 1h 02m 07s"),
        "{screen}"
    );
    let session = screen
        .lines()
        .find(|line| line.contains("d-1"))
        .expect("dave's session in the user detail");
    assert!(session.contains("1h 02m 07s"), "{session}");
}

/// A user id with an escape sequence (an OSC 52 of its own), a bidi override and a C1
/// control: the card copied with `c` (the OSC 52 payload), the popup and `totals --user` all
/// carry the same text, with those written as escapes and a last line saying so; a ticket
/// it is pasted into runs nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_card_carries_the_server_controls_as_escapes_everywhere() {
    let hostile = "mallory\u{1b}]52;c;cm0gLXJm\u{7}\u{202e}\u{9b}";
    let crafted = Crafted {
        total_sessions: 2,
        total_duration: (30 + 60) * 60,
        pages: vec![vec![row(hostile, "m-1", 0, 30), row("bob", "b-1", 0, 60)]],
    };
    let (sim, _dir) = crafted.serve().await;
    let output = totals(&sim.base_url(), &["--user", hostile]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8(output.stdout).unwrap();
    let escaped = "mallory\\x1b]52;c;cm0gLXJm\\x07\\u{202e}\\u{9b}";
    assert!(
        printed.starts_with(&format!("User:         {escaped}\n")),
        "{printed}"
    );
    assert!(
        printed.ends_with(
            "Escaped:      control characters in the server's ids are written as escapes \
             (\\x1b, \\u{202e}), as on screen\n"
        ),
        "{printed}"
    );
    let controls = |text: &str| {
        text.chars()
            .filter(|&c| (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}'))
            .count()
    };
    assert_eq!(controls(&printed), 0, "{printed:?}");

    let mut app = after_one_read(&sim.base_url(), "default", CALL_ID, SESSION).await;
    let now = T0 + 120 * MINUTE;
    app.update(key(KeyCode::Tab), now);
    select_user(&mut app, hostile, now);
    let clipboard = copied(app.update(key(KeyCode::Char('c')), now));
    assert_eq!(
        clipboard, printed,
        "the clipboard holds the card as printed"
    );
    let screen = screen_text(&mut app, now, 120, 30);
    assert!(
        screen.contains(&format!("\"User:         {escaped}")),
        "the popup shows the same text: {screen}"
    );
    // The JSON keeps the id as sent (escaped by JSON itself, `\u009b` and `\u202e` too): a
    // script compares it with Stream's, and the text printed runs nothing on a terminal.
    let output = totals(&sim.base_url(), &["--user", hostile, "--format", "json"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(controls(&text), 0, "{text:?}");
    assert!(text.contains(r#"\u0007\u202e\u009b""#), "{text}");
    let card: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(card["user_id"], hostile);
    // The filter's text, echoed in the totals' JSON, the same way (a filter applied by
    // headcount: this replay answers only the read it recorded).
    let filter = format!("dur>59m or user:\"{hostile}\"");
    let output = totals(&sim.base_url(), &["--filter", &filter, "--format", "json"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(controls(&text), 0, "totals --format json: {text:?}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["filter"], filter);
    assert_eq!(report["filtered"]["unique_users"], 2);
}
