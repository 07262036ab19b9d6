//! `e`: the export prompt (format, path, the question before replacing a file, nothing
//! written for an empty view), driven message by message with a fixed clock.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::app::{App, Effect, Msg, Outcome};

fn prompt_path(app: &App) -> String {
    app.export_prompt()
        .expect("the prompt is open")
        .path()
        .to_owned()
}

#[test]
fn e_offers_a_default_name_with_the_session_and_tab_switches_to_json() {
    let (mut app, now) = loaded(None);
    assert!(
        app.update(key('e'), now).is_empty(),
        "nothing is written yet"
    );
    let path = prompt_path(&app);
    assert_eq!(path, "headcount-standup-s-1-sessions-20261126T111000Z.csv");
    assert_eq!(app.export_prompt().unwrap().format_name(), "CSV");
    app.update(code(KeyCode::Tab), now);
    assert_eq!(app.export_prompt().unwrap().format_name(), "JSON");
    assert!(prompt_path(&app).ends_with("-20261126T111000Z.json"));
    let effects = app.update(code(KeyCode::Enter), now);
    assert!(app.export_prompt().is_none());
    let [
        Effect::Export {
            path,
            file,
            overwrite: false,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        path.to_string_lossy(),
        "/tmp/exports/headcount-standup-s-1-sessions-20261126T111000Z.json",
        "a name goes to the export directory"
    );
    assert_eq!(file.extension(), "json");
    assert_eq!(file.rows(), 6);
    let json: serde_json::Value = serde_json::from_slice(&file.encode().unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 6);
    assert_eq!(json[0]["user_id"], "alice-chen");
}

#[test]
fn the_path_is_typed_and_a_relative_one_goes_to_the_export_directory() {
    let (mut app, now) = loaded(None);
    app.update(key('e'), now);
    for _ in 0..prompt_path(&app).len() {
        app.update(code(KeyCode::Backspace), now);
    }
    assert_eq!(prompt_path(&app), "");
    assert!(
        app.update(code(KeyCode::Enter), now).is_empty(),
        "an empty path writes nothing"
    );
    type_text(&mut app, "standup.csv", now);
    let effects = app.update(code(KeyCode::Enter), now);
    let [Effect::Export { path, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path.to_string_lossy(), "/tmp/exports/standup.csv");
}

#[test]
fn an_existing_file_is_replaced_only_after_yes() {
    let (mut app, now) = loaded(None);
    let effects = export_now(&mut app, now);
    let [Effect::Export { path, file, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let exists = Msg::Done(Outcome::ExportExists {
        path: path.clone(),
        file: file.clone(),
    });
    app.update(exists.clone(), now);
    let prompt = app.export_prompt().expect("the prompt asks");
    assert_eq!(prompt.asks_to_overwrite(), Some(path.as_path()));
    // n goes back to the path, which Esc then leaves: nothing written.
    assert!(app.update(key('n'), now).is_empty());
    assert!(app.export_prompt().unwrap().asks_to_overwrite().is_none());
    assert!(app.update(code(KeyCode::Esc), now).is_empty());
    assert!(app.export_prompt().is_none());
    // y replaces it, with the same file.
    app.update(exists, now);
    let effects = app.update(key('y'), now);
    assert_eq!(
        effects,
        vec![Effect::Export {
            path: path.clone(),
            file: file.clone(),
            overwrite: true,
        }]
    );
    assert!(app.export_prompt().is_none());
}

#[test]
fn esc_leaves_the_prompt_and_writes_nothing() {
    let (mut app, now) = loaded(None);
    app.update(key('e'), now);
    type_text(&mut app, "q", now);
    assert!(prompt_path(&app).ends_with(".csvq"), "q is typed, not quit");
    assert!(!app.should_quit());
    assert!(app.update(code(KeyCode::Esc), now).is_empty());
    assert!(app.export_prompt().is_none());
    assert_eq!(app.sessions().len(), 6, "the view is unchanged");
}

#[test]
fn an_empty_view_says_there_is_nothing_to_export() {
    // A bare word searches ids here: no row has this one.
    let (mut app, now) = loaded(Some("zzz"));
    assert_eq!(app.sessions().len(), 0);
    assert!(app.update(key('e'), now).is_empty());
    assert!(app.export_prompt().is_none(), "no prompt for an empty view");
    assert_eq!(said(&app), "⚠ nothing to export: this view has no rows");
}

#[test]
fn a_member_who_never_joined_has_nothing_to_export() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    let gina = app
        .expected_listed()
        .iter()
        .position(|(user, _)| user == "gina")
        .expect("gina is expected");
    for _ in 0..gina {
        app.update(key('j'), now);
    }
    app.update(code(KeyCode::Enter), now);
    assert!(
        matches!(app.view(), headcount::app::view::View::Member(_)),
        "{:?}",
        app.view()
    );
    assert!(app.update(key('e'), now).is_empty());
    assert!(app.export_prompt().is_none());
    assert_eq!(said(&app), "⚠ nothing to export: this view has no rows");
}

/// A paste while the prompt is open goes into its path, never to the filter bar: its line
/// end does not write the file, its controls are left out; while the prompt asks whether to
/// replace a file, a paste is no answer. Over the help, the picker or the answer card, which
/// take no text, a paste is dropped.
#[test]
fn a_paste_goes_into_the_prompt_path_and_nowhere_else() {
    let (mut app, now) = loaded(None);
    app.update(key('e'), now);
    for _ in 0..prompt_path(&app).len() {
        app.update(code(KeyCode::Backspace), now);
    }
    let effects = app.update(Msg::Paste("out/\u{1b}[31mday\t1.csv\r\n".into()), now);
    assert!(effects.is_empty(), "the line end wrote nothing");
    assert_eq!(prompt_path(&app), "out/[31mday1.csv");
    assert!(!app.filter_bar().is_open(), "the filter bar stays closed");
    assert_eq!(app.filter_bar().input(), "");
    let effects = app.update(code(KeyCode::Enter), now);
    let [Effect::Export { path, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path.to_string_lossy(), "/tmp/exports/out/[31mday1.csv");

    // Asked whether to replace a file: a paste answers nothing.
    let path = path.clone();
    app.update(key('e'), now);
    let file = match app.update(code(KeyCode::Enter), now).pop() {
        Some(Effect::Export { file, .. }) => file,
        other => panic!("{other:?}"),
    };
    app.update(Msg::Done(Outcome::ExportExists { path, file }), now);
    assert!(app.export_prompt().unwrap().asks_to_overwrite().is_some());
    assert!(app.update(Msg::Paste("y".into()), now).is_empty());
    assert!(app.export_prompt().unwrap().asks_to_overwrite().is_some());
    assert!(!app.filter_bar().is_open());
    app.update(code(KeyCode::Esc), now);
    app.update(code(KeyCode::Esc), now);
    assert!(app.export_prompt().is_none());

    // Over the help, the card and the picker: dropped.
    for opens in ['?', 'c', 's'] {
        app.update(key(opens), now);
        app.update(Msg::Paste("alice".into()), now);
        assert!(!app.filter_bar().is_open(), "over {opens}");
        assert_eq!(app.filter_bar().input(), "", "over {opens}");
        app.update(code(KeyCode::Esc), now);
    }
    // Over the view, a paste is a filter, as before.
    app.update(Msg::Paste("alice".into()), now);
    assert!(app.filter_bar().is_open());
    assert_eq!(app.filter_bar().input(), "alice");
}
