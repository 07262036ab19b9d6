//! The session picker: which session of a call `headcount watch` opens when the call has
//! had several, and which one the dashboard switches to (`s`). A small state machine of its
//! own (moves in, a choice out), drawn by `ui::picker`: run by the terminal driver before the
//! dashboard starts, and by the app over the current view.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::api::StopReason;
use crate::api::timestamp::Nanos;
use crate::attendance::{DisplayZone, SessionSummary};

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Open the session with this id.
    Open(String),
    /// Leave without opening anything.
    Quit,
}

/// The sessions on offer and the one under the cursor.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The call, as `TYPE:ID`.
    call: String,
    /// Newest first.
    sessions: Vec<SessionSummary>,
    selected: usize,
    /// The instant states (live, ended, expired) are judged at.
    now: Nanos,
    zone: DisplayZone,
    color: bool,
    /// Why Stream's list of sessions stopped early: some may be missing.
    incomplete: Option<StopReason>,
}

impl Picker {
    /// A picker over `sessions` (newest first), with the current session preselected.
    pub fn new(
        call: String,
        sessions: Vec<SessionSummary>,
        now: Nanos,
        zone: DisplayZone,
        color: bool,
    ) -> Picker {
        let selected = sessions.iter().position(|s| s.current).unwrap_or(0);
        Picker {
            call,
            sessions,
            selected,
            now,
            zone,
            color,
            incomplete: None,
        }
    }

    /// Says that Stream's list stopped early, when it did: the list may miss sessions.
    pub(crate) fn with_incomplete_list(mut self, stopped_early: Option<StopReason>) -> Picker {
        self.incomplete = stopped_early;
        self
    }

    /// Why the list may miss sessions, if it may.
    pub(crate) fn incomplete(&self) -> Option<StopReason> {
        self.incomplete
    }

    /// Handles one key: j/k or the arrows move, Home/End jump, Enter chooses, Esc, q or
    /// Ctrl-C quit. Anything else changes nothing.
    pub fn update(&mut self, key: KeyEvent) -> Option<Choice> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Some(Choice::Quit);
            }
            KeyCode::Char('j') | KeyCode::Down => self.move_by(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_by(-1),
            KeyCode::Home | KeyCode::Char('g') => self.move_by(isize::MIN),
            KeyCode::End | KeyCode::Char('G') => self.move_by(isize::MAX),
            KeyCode::Enter => return self.choose(),
            KeyCode::Esc | KeyCode::Char('q') => return Some(Choice::Quit),
            _ => {}
        }
        None
    }

    /// Moves the cursor by `delta` sessions, stopping at the first and the last.
    pub(crate) fn move_by(&mut self, delta: isize) {
        let last = self.sessions.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Puts the cursor on the session `id`, if listed.
    pub(crate) fn select(&mut self, id: &str) {
        if let Some(at) = self.sessions.iter().position(|session| session.id == id) {
            self.selected = at;
        }
    }

    /// The session under the cursor, chosen; `None` on an empty list.
    pub(crate) fn choose(&self) -> Option<Choice> {
        self.selected_session().map(|s| Choice::Open(s.id.clone()))
    }

    pub(crate) fn call(&self) -> &str {
        &self.call
    }

    pub(crate) fn sessions(&self) -> &[SessionSummary] {
        &self.sessions
    }

    pub(crate) fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_session(&self) -> Option<&SessionSummary> {
        self.sessions.get(self.selected)
    }

    pub(crate) fn now(&self) -> Nanos {
        self.now
    }

    pub(crate) fn zone(&self) -> &DisplayZone {
        &self.zone
    }

    pub(crate) fn color(&self) -> bool {
        self.color
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, current: bool) -> SessionSummary {
        SessionSummary {
            id: id.into(),
            started_at: None,
            ended: true,
            ended_at: Some(0),
            current,
            counts: None,
        }
    }

    fn picker(current: usize) -> Picker {
        let sessions = (0..3)
            .map(|i| session(&format!("s{i}"), i == current))
            .collect();
        Picker::new("default:c".into(), sessions, 0, DisplayZone::utc(), false)
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_current_session_is_preselected() {
        assert_eq!(picker(1).selected(), 1);
        let none_current = Picker::new(
            "default:c".into(),
            vec![session("a", false), session("b", false)],
            0,
            DisplayZone::utc(),
            false,
        );
        assert_eq!(none_current.selected(), 0);
    }

    #[test]
    fn keys_move_within_the_list_and_enter_opens_the_selection() {
        let mut picker = picker(0);
        for code in [KeyCode::Char('j'), KeyCode::Down, KeyCode::Down] {
            assert_eq!(picker.update(press(code)), None);
        }
        assert_eq!(picker.selected(), 2, "moving stops at the last session");
        picker.update(press(KeyCode::Char('k')));
        assert_eq!(picker.selected(), 1);
        picker.update(press(KeyCode::Up));
        picker.update(press(KeyCode::Up));
        assert_eq!(picker.selected(), 0, "moving stops at the first session");
        picker.update(press(KeyCode::End));
        assert_eq!(
            picker.update(press(KeyCode::Enter)),
            Some(Choice::Open("s2".into()))
        );
    }

    #[test]
    fn escape_q_and_ctrl_c_quit() {
        for key in [
            press(KeyCode::Esc),
            press(KeyCode::Char('q')),
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        ] {
            assert_eq!(picker(0).update(key), Some(Choice::Quit));
        }
    }

    #[test]
    fn releases_and_other_keys_change_nothing() {
        let mut picker = picker(1);
        let mut release = press(KeyCode::Down);
        release.kind = KeyEventKind::Release;
        assert_eq!(picker.update(release), None);
        assert_eq!(picker.update(press(KeyCode::Char('x'))), None);
        assert_eq!(picker.selected(), 1);
    }

    #[test]
    fn enter_on_an_empty_list_chooses_nothing() {
        let mut empty = Picker::new("default:c".into(), vec![], 0, DisplayZone::utc(), false);
        assert_eq!(empty.update(press(KeyCode::Enter)), None);
        assert_eq!(empty.update(press(KeyCode::Down)), None);
        assert_eq!(empty.selected(), 0);
    }
}
