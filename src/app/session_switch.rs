//! `s`: the session picker over the current view, and the switch to the chosen session.
//!
//! The sessions are listed as at start-up (GetCall and `QueryCallSessionStats`, through
//! [`Effect::ListSessions`]); Enter switches: the read under way is cancelled, the stored
//! rows and everything learnt from them go, and a fresh read of the new session starts under
//! a new generation, so that a page of the old session arriving late is dropped. The filter is
//! kept when it still parses; the views keep their sorts and lose their selection and scroll.

use crate::api::timestamp::Nanos;
use crate::attendance::Seen;
use crate::filter::ParseContext;

use super::effect::Effect;
use super::invitation::Invitation;
use super::keymap::Action;
use super::live::Status;
use super::msg::Outcome;
use super::picker::{Choice, Picker};
use super::view::Views;
use super::{App, FetchKind, Now};

/// The picker opened by `s`: waiting for the list, then the list.
#[derive(Debug, Clone)]
pub enum SessionPicker {
    /// The sessions are being listed.
    Listing,
    /// The sessions, the current one preselected.
    Open(Picker),
}

impl App {
    /// `s`: opens the picker and asks for the call's sessions.
    pub(super) fn open_session_picker(&mut self) -> Vec<Effect> {
        self.session_picker = Some(SessionPicker::Listing);
        vec![Effect::ListSessions]
    }

    /// The sessions came (or could not be listed): the picker shows them, if still open.
    pub(super) fn on_sessions(&mut self, outcome: Outcome, now: Now) {
        if self.session_picker.is_none() {
            return;
        }
        match outcome {
            Outcome::SessionsListed {
                sessions,
                stopped_early,
            } => {
                let call = format!("{}:{}", self.config.call_type, self.config.call_id);
                let (zone, color) = (self.config.zone.clone(), self.config.color);
                // The session on screen is preselected, wherever the call is now.
                let mut picker = Picker::new(call, sessions, now.server, zone, color)
                    .with_incomplete_list(stopped_early);
                picker.select(&self.config.session);
                self.session_picker = Some(SessionPicker::Open(picker));
            }
            Outcome::SessionsUnlisted { error } => {
                self.session_picker = None;
                self.post(Status::SessionsUnlisted(error), now);
            }
            _ => {}
        }
    }

    /// A key of the picker's context; says whether the picker took it.
    pub(super) fn picker_act(&mut self, action: Action, now: Now) -> Option<Vec<Effect>> {
        let state = self.session_picker.as_mut()?;
        let picker = match state {
            SessionPicker::Open(picker) => Some(picker),
            SessionPicker::Listing => None,
        };
        match (action, picker) {
            (Action::Back, _) => self.session_picker = None,
            (Action::Up, Some(picker)) => picker.move_by(-1),
            (Action::Down, Some(picker)) => picker.move_by(1),
            (Action::Top, Some(picker)) => picker.move_by(isize::MIN),
            (Action::Bottom, Some(picker)) => picker.move_by(isize::MAX),
            (Action::DrillDown, Some(picker)) => {
                let choice = picker.choose();
                self.session_picker = None;
                if let Some(Choice::Open(session)) = choice {
                    return Some(self.switch_session(session, now));
                }
            }
            (Action::Quit, _) => return None,
            _ => {}
        }
        Some(Vec::new())
    }

    /// Shows `session` instead of the one on screen; nothing when it is the same one.
    pub(super) fn switch_session(&mut self, session: String, now: Now) -> Vec<Effect> {
        if session == self.config.session {
            return Vec::new();
        }
        self.config.session = session;
        // The old session's publisher types stay acceptable in the filter read again below:
        // they are real types, and Stream's filter is the same for every session.
        let publishers: Vec<Box<str>> = self.seen.publishers().map(Box::from).collect();
        self.store.clear();
        self.seen = Seen::default();
        self.empty_help = None;
        self.invitation = Invitation::NotAsked;
        self.invitation_revision += 1;
        self.session_counts = None;
        self.last_update = None;
        self.card = None;
        // What was frozen is the old session's: the new one is shown as it comes.
        self.frozen = None;
        self.status = None;
        self.status_until = None;
        self.figures_due = None;
        self.filter_due = None;
        self.reset_views(now.server);
        // The filter was read in the old session's window: it is read again, provisionally
        // until the new window is known. A text that does not parse leaves the last good
        // filter in force (read again too), as everywhere, and says so; only a last good
        // filter that does not apply to this session is cleared.
        let ctx = ParseContext::provisional(self.config.zone.tz().clone(), now.server)
            .with_publishers_seen(publishers.iter().map(|p| &**p));
        match self.filter.reread_for_new_session(&ctx) {
            Ok(None) => {}
            Ok(Some(error)) => self.post(Status::FilterNotApplied(error), now),
            Err(error) => self.post(Status::FilterDropped(error), now),
        }
        self.data_server = self.filter.active().server.clone();
        self.shown = self.filter.active().clone();
        self.shown_local_revision += 1;
        let effects = self.start_fetch(FetchKind::Fresh, now);
        self.recompute(now);
        effects
    }

    /// The views of a new session: the same tab and sorts, the first row selected, no
    /// drill-down (its user may not be in the new session).
    fn reset_views(&mut self, now: Nanos) {
        let mut views = Views::new(now);
        views.stack.show(self.views.stack.root());
        views.sessions.sort = self.views.sessions.sort;
        views.users.sort = self.views.users.sort;
        views.expected.sort = self.views.expected.sort;
        self.views = views;
    }

    /// The picker over the view, while open.
    pub fn session_picker(&self) -> Option<&SessionPicker> {
        self.session_picker.as_ref()
    }
}
