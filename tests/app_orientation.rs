//! Finding one's way in the dashboard: where the cursor is in each list, what the sort does
//! to it, what the timeline shows of the call, and which keys the footer offers.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::timestamp::Nanos;
use headcount::app::{App, Layout, Msg};
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws `app` as the dashboard does, handing back what the frame laid out.
fn screen(app: &mut App, now: Nanos, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut layout = Layout::default();
    terminal
        .draw(|frame| layout = headcount::ui::draw(frame, app, now))
        .unwrap();
    app.update(Msg::Layout(layout), now);
    terminal.backend().clone()
}

/// The screen's text, one string a row.
fn rows_of(backend: &TestBackend) -> Vec<String> {
    let buffer = backend.buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The bottom border of the body: the last row that starts with `└`.
fn bottom_border(backend: &TestBackend) -> String {
    rows_of(backend)
        .into_iter()
        .rfind(|row| row.starts_with('└'))
        .expect("a bordered body")
}

fn press(app: &mut App, keys: &[KeyCode], now: Nanos) {
    for &key in keys {
        app.update(code(key), now);
    }
}

/// Every list says where its cursor is on its bottom border, as k9s and lazygit do.
#[test]
fn every_list_shows_the_cursors_place_on_its_border() {
    let down = KeyCode::Char('j');
    let views: [(&str, &[KeyCode], &str); 5] = [
        ("sessions", &[down, down], " 3 / 6 ┘"),
        ("users", &[KeyCode::Tab, down], " 2 / 4 ┘"),
        ("timeline", &[KeyCode::Tab, KeyCode::Tab, down], " 2 / 4 ┘"),
        // alice, bob, erin, frank, gina, carol and dave.
        ("expected", &[KeyCode::Char('x'), KeyCode::End], " 7 / 7 ┘"),
        // alice-chen's two sessions.
        ("user detail", &[KeyCode::Enter, down], " 2 / 2 ┘"),
    ];
    for (name, keys, said) in views {
        let (mut app, now) = loaded_with_roster(None);
        press(&mut app, keys, now);
        for (width, height) in [(160, 48), (80, 24)] {
            let border = bottom_border(&screen(&mut app, now, width, height));
            assert!(
                border.ends_with(said),
                "{name} at {width}x{height}: {border}"
            );
        }
    }
}

/// Counts on the border group thousands, as every count on screen does.
#[test]
fn the_position_groups_thousands() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = (0..1200)
        .map(|i| {
            let user = format!("user-{i:04}");
            row(&user, &format!("s-{i:04}"), 0, Some(10), "webrtc", "user")
        })
        .collect();
    app.update(page_event(1, 1, page(rows, 1200, false)), now);
    app.update(done(1, 1), now);
    app.update(code(KeyCode::End), now);
    let wide = screen(&mut app, now, 160, 48);
    assert!(bottom_border(&wide).ends_with(" 1,200 / 1,200 ┘"));
    assert_snapshot!("position_160x48", wide);
    app.update(code(KeyCode::Home), now);
    let narrow = screen(&mut app, now, 80, 24);
    assert!(bottom_border(&narrow).ends_with(" 1 / 1,200 ┘"));
    assert_snapshot!("position_80x24", narrow);
}

/// An empty list has no position: no `0 / 0` beside the help that says why it is empty.
#[test]
fn an_empty_list_has_no_position() {
    let (mut app, now) = loaded_with_roster(Some("carl"));
    for keys in [&[][..], &[KeyCode::Tab], &[KeyCode::Tab]] {
        press(&mut app, keys, now);
        let border = bottom_border(&screen(&mut app, now, 160, 48));
        assert!(!border.contains('/'), "{:?}: {border}", app.view());
    }
}
