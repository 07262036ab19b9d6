//! The dashboard state machine: messages in, effects out.
//!
//! [`App`] owns every piece of dashboard state. The driver feeds it [`Msg`]s stamped with the
//! instant they happened and carries out the [`Effect`]s it returns; views only read it. There
//! is no I/O, no clock and no async here, so tests drive it message by message.
//!
//! Visibility: `pub` is what the driver's tests and the benches use (the `App` API, its
//! messages and effects, the status values, the view ids and the picker); everything else is
//! `pub(crate)` or private.

pub(crate) mod card;
pub mod clock;
mod derived;
pub(crate) mod effect;
mod empty_help;
pub mod export;
pub(crate) mod filter_bar;
pub(crate) mod help;
pub mod invitation;
pub(crate) mod item_list;
pub(crate) mod keymap;
mod keys;
pub mod live;
pub(crate) mod msg;
pub mod pacing;
pub mod picker;
mod session_switch;
mod time_scale;
pub mod view;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyEventKind;

use crate::api::call_stats::SessionCounts;
use crate::api::members::MembersRead;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use std::sync::Arc;

use crate::attendance::{
    Classification, DisplayZone, EndReports, ExpectedColumn, Figures, HistoryEntry, Order,
    PresentThreshold, ReadFacts, RosterRules, RowId, SessionColumn, SessionStore, Thresholds,
    UserColumn, UserFigures, UserId,
};
use crate::fetch::{
    Asked, Completeness, FetchEvent, FetchRequest, IsLiveCheck, OpenSession, ReadMode, Shortfall,
};
use crate::filter::conditions::Conditions;
use crate::filter::{Filter, ParseContext};

pub use clock::{Local, LocalClock, Now};
pub use effect::Effect;
pub use item_list::ListWindow;
pub use msg::{Layout, Msg, Outcome};
pub use session_switch::SessionPicker;
pub use time_scale::TimeScale;

use derived::Derived;
use filter_bar::FilterBar;
use help::HelpOverlay;
use invitation::Invitation;
use item_list::ItemList;
use keymap::Context;
use live::{
    Caveat, CountGap, FetchKind, FetchProgress, Frozen, PollFacts, PollRead, PollReads, Retry,
    RetryCause, Status, WholeBecause,
};
use pacing::{NextPoll, PollBudget};
use view::{View, ViewStack, Views};

/// How long typing must pause before a changed server filter is fetched (real time: it is the
/// person typing who pauses).
pub const FILTER_DEBOUNCE: Nanos = 300 * NANOS_PER_SEC / 1000;
/// While pages stream in or the clock runs, the tables are recomputed at most this often, plus
/// as much again per [`ROWS_PER_THROTTLE_STEP`] stored sessions: a recompute costs time in
/// proportion to the rows, and pages must keep flowing between two of them. Real time: it is
/// this machine's time the recompute takes, whatever the server's clock does.
pub const RECOMPUTE_THROTTLE: Nanos = 250 * NANOS_PER_SEC / 1000;
pub const ROWS_PER_THROTTLE_STEP: usize = 50_000;
/// From this many stored sessions, a filter edit shows the matching rows at once and computes
/// the figures (a few hundred milliseconds at a million) once typing pauses, so that typing
/// never waits for them. Below it, the figures take a few milliseconds and come at once.
pub const DEFER_FIGURES_FROM: usize = 100_000;
/// How long typing must pause before deferred figures are computed (real time).
pub const FIGURES_DEBOUNCE: Nanos = 150 * NANOS_PER_SEC / 1000;

/// Everything the dashboard is started with.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub call_type: String,
    pub call_id: String,
    pub session: String,
    /// The initial filter text (`--filter`).
    pub filter: Option<String>,
    pub zone: DisplayZone,
    pub thresholds: Thresholds,
    /// The share of their expected time a member must attend to be present.
    pub present: PresentThreshold,
    /// How long a live call rests between two polls: from the end of one to the start of the
    /// next, in real time.
    pub interval: Duration,
    pub page_size: u32,
    /// False when `NO_COLOR` is set: meaning is then carried by bold, reverse and symbols.
    pub color: bool,
    pub export_dir: PathBuf,
}

/// The dashboard state.
pub struct App {
    config: AppConfig,
    store: SessionStore,
    fetch: FetchProgress,
    filter: FilterBar,
    /// The filter the rows on screen are computed under: the one in force, except while a new
    /// server part is awaited (typing, or its first page on the way), when it is the last one
    /// whose server part the stored rows were fetched with. Rows are never shown under a
    /// filter they were not fetched for.
    shown: Filter,
    /// Counts the changes of the local part of `shown`.
    shown_local_revision: u64,
    /// The server part the stored rows were fetched with.
    data_server: Conditions,
    /// A changed server filter waits for typing to pause until this instant.
    filter_due: Option<Local>,
    /// The figures of an edited filter wait for typing to pause until this instant.
    figures_due: Option<Local>,
    derived: Derived,
    /// When the tables were last recomputed, for the throttle.
    recomputed_at: Option<Local>,
    /// Who was invited to the call, as the fetches read it.
    invitation: Invitation,
    /// Counts the changes of `invitation`.
    invitation_revision: u64,
    views: Views,
    help: Option<HelpOverlay>,
    /// The answer card on screen (`c`).
    card: Option<card::CardPopup>,
    /// The session picker over the view (`s`).
    session_picker: Option<session_switch::SessionPicker>,
    /// The export prompt (`e`).
    export_prompt: Option<export::ExportPrompt>,
    /// Every user id, role and publisher type this session has shown, across its reads.
    seen: crate::attendance::Seen,
    /// What an empty result says, keyed by the filter's text and the ids seen.
    empty_help: Option<((String, usize), Vec<String>)>,
    /// What the Expected view says when the filter keeps nobody, keyed by the filter's text
    /// and the people classified.
    expected_help: Option<((String, usize), Vec<String>)>,
    frozen: Option<Frozen>,
    next_poll: Option<NextPoll>,
    /// What the reads have spent of the rate limit, which paces the polls.
    poll_budget: PollBudget,
    /// How the polls read the session: whole, or only what changed.
    poll_reads: PollReads,
    /// The poll that saw the call end has been followed by the one last fetch.
    final_fetch: bool,
    /// Whether the last finished read got every row; `None` while the first one runs.
    completeness: Option<Completeness>,
    /// Stream's summary of an expired session, whose rows are purged.
    session_counts: Option<SessionCounts>,
    /// When the last fetch finished: the header says how long ago, in real time.
    last_update: Option<Local>,
    status: Option<Status>,
    /// A passing status message goes away at this instant.
    status_until: Option<Local>,
    viewport: (u16, u16),
    /// The clocks of the message being handled.
    now: Now,
    quit: bool,
    dirty: bool,
}

impl App {
    /// A new dashboard and its first effect: the fetch of the whole session. `now` is both
    /// clocks ([`Now`]); a bare Unix ns instant stands for clocks that run together.
    pub fn new(config: AppConfig, now: impl Into<Now>) -> (App, Vec<Effect>) {
        let now: Now = now.into();
        let ctx = ParseContext::provisional(config.zone.tz().clone(), now.server);
        let filter = FilterBar::new(config.filter.as_deref().unwrap_or(""), &ctx);
        let mut app = App {
            config,
            store: SessionStore::new(),
            fetch: FetchProgress::new(FetchRequest::default(), FetchKind::Fresh, now.local),
            shown: filter.active().clone(),
            shown_local_revision: 0,
            data_server: filter.active().server.clone(),
            filter,
            filter_due: None,
            figures_due: None,
            derived: Derived::default(),
            recomputed_at: None,
            invitation: Invitation::NotAsked,
            invitation_revision: 0,
            views: Views::new(now.server),
            help: None,
            card: None,
            session_picker: None,
            export_prompt: None,
            seen: crate::attendance::Seen::default(),
            empty_help: None,
            expected_help: None,
            frozen: None,
            next_poll: None,
            poll_budget: PollBudget::default(),
            poll_reads: PollReads::default(),
            final_fetch: false,
            completeness: None,
            session_counts: None,
            last_update: None,
            status: None,
            status_until: None,
            viewport: (80, 24),
            now,
            quit: false,
            dirty: true,
        };
        if let Some(error) = app.filter.error() {
            app.post(Status::FilterNotApplied(error.clone()), now);
        }
        let effects = app.start_fetch(FetchKind::Fresh, now);
        app.recompute(now);
        (app, effects)
    }

    /// Handles `msg`, which happened at `now`: both clocks ([`Now`]); a bare Unix ns instant
    /// stands for clocks that run together.
    pub fn update(&mut self, msg: Msg, now: impl Into<Now>) -> Vec<Effect> {
        let now: Now = now.into();
        self.now = now;
        let drawn = !self.dirty;
        self.dirty = true;
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Release => {
                self.dirty = false;
                Vec::new()
            }
            Msg::Key(key) => self.on_key(key, now),
            Msg::Paste(text) => {
                self.on_paste(&text, now);
                Vec::new()
            }
            Msg::Resize { width, height } => {
                self.viewport = (width, height);
                Vec::new()
            }
            Msg::Tick => self.on_tick(now),
            Msg::Fetch(event) => self.on_fetch(event, now),
            Msg::Done(outcome) => {
                self.on_outcome(outcome, now);
                Vec::new()
            }
            // What was just drawn needs no new frame.
            Msg::Layout(layout) => {
                self.dirty = !drawn;
                if let Some(window) = layout.list {
                    self.laid_out(window);
                }
                Vec::new()
            }
        }
    }

    /// A paste is text, never keys, for the one widget that takes text: the export prompt's
    /// path while the prompt is open, else the filter (opened over a view). Over the help, the
    /// session picker or the answer card, which take no text, it is dropped.
    fn on_paste(&mut self, text: &str, now: Now) {
        if self.export_prompt.is_some() {
            self.prompt_paste(text);
            return;
        }
        if !self.filter.is_open()
            && (self.help.is_some() || self.session_picker.is_some() || self.card.is_some())
        {
            return;
        }
        if !self.filter.is_open() {
            self.filter.open();
        }
        let ctx = self.parse_context(now.server);
        self.filter.paste(text, &ctx);
        self.on_filter_edited(now);
    }

    /// The earliest instant (on the local clock) a `Msg::Tick` is wanted besides the 1 Hz
    /// tick: the filter debounce, the next live poll, the next table refresh while streaming, a
    /// planned retry, a passing message's end. Every one is a wait of the person at the
    /// terminal: the instants the server stated were moved onto the local clock as they came
    /// ([`Now::local_of`]).
    pub fn next_deadline(&self) -> Option<Local> {
        let now = self.now;
        let retry = self.fetch.retry.as_ref().map(|retry| retry.due);
        let recompute = self.stale().then(|| self.recompute_due(now)).flatten();
        [
            self.filter_due,
            self.figures_due,
            self.next_poll(),
            recompute,
            retry,
            self.status_until,
        ]
        .into_iter()
        .flatten()
        .filter(|&at| at > now.local)
        .min()
    }

    pub fn needs_redraw(&self) -> bool {
        self.dirty
    }

    pub fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn store(&self) -> &SessionStore {
        &self.store
    }

    /// The current query and how far it got.
    pub fn fetch(&self) -> &FetchProgress {
        &self.fetch
    }

    pub fn filter_bar(&self) -> &FilterBar {
        &self.filter
    }

    /// The filter the rows on screen match (see [`App::filter_loading`]).
    pub fn shown_filter(&self) -> &Filter {
        &self.shown
    }

    /// The filter in force when its rows are not on screen yet (its server part is awaited:
    /// typing has not paused, or its first page has not come): the screen says it is loading
    /// and keeps the rows of [`App::shown_filter`] under that filter's name.
    pub fn filter_loading(&self) -> Option<&Filter> {
        let active = self.filter.active();
        (*active != self.shown).then_some(active)
    }

    /// When the changed server filter will be fetched, while typing (on the local clock).
    pub fn filter_due(&self) -> Option<Local> {
        self.filter_due
    }

    /// How many rows match the whole filter.
    pub(crate) fn filtered_count(&self) -> usize {
        self.derived.filtered.len()
    }

    /// One user's matching rows, by row id.
    pub(crate) fn user_rows(&self, user: UserId) -> &[RowId] {
        self.derived.user_rows(&self.store).of(user)
    }

    pub fn figures(&self) -> Option<&Figures> {
        self.derived.figures.as_ref()
    }

    /// The filter changed and its figures come once typing pauses: [`App::figures`] still
    /// holds the previous filter's.
    pub fn figures_pending(&self) -> bool {
        self.figures_due.is_some()
    }

    pub fn sessions(&self) -> &ItemList<RowId> {
        &self.views.sessions.list
    }

    /// The users table: ids in display order; `App::user_figures` gives each one's figures.
    pub fn users(&self) -> &ItemList<UserId> {
        &self.views.users.list
    }

    /// One user's figures for the current filter.
    pub(crate) fn user_figures(&self, user: UserId) -> Option<&UserFigures> {
        self.derived.figures.as_ref()?.user(user)
    }

    /// The user detail: the user's sessions in join order with the gaps between them.
    pub fn detail(&self) -> &ItemList<HistoryEntry> {
        &self.views.detail.list
    }

    /// Who was invited, as the last roster read got it.
    pub fn invitation(&self) -> &Invitation {
        &self.invitation
    }

    /// Who was expected and how each person fared, or why that cannot be told; `None` before
    /// the first classification.
    pub(crate) fn classification(&self) -> Option<&Classification> {
        Some(&self.derived.expected.as_ref()?.classification)
    }

    /// Who was expected and how each person fared, when that can be told.
    pub(crate) fn roster(&self) -> Option<&crate::attendance::Roster> {
        self.derived.roster()
    }

    /// The totals line's counts (`38 of 42 expected present · 3 absent`), when the people
    /// could be classified.
    pub fn expected_counts(&self) -> Option<String> {
        self.roster().map(crate::attendance::Roster::counts_line)
    }

    /// What to know to read the states (`this call has no members…`), as the view notes it.
    pub fn expected_notes(&self) -> Vec<String> {
        self.roster()
            .map(crate::attendance::Roster::notes)
            .unwrap_or_default()
    }

    /// Why nobody can be classified, each reason in words; `None` when classified or before
    /// the first classification.
    pub fn cannot_classify(&self) -> Option<Vec<String>> {
        match self.classification()? {
            Classification::Unclassified(reasons) => {
                Some(reasons.iter().map(ToString::to_string).collect())
            }
            Classification::Classified(_) => None,
        }
    }

    /// The Expected view's people in display order: user id and state name.
    pub fn expected_listed(&self) -> Vec<(String, &'static str)> {
        let Some(roster) = self.roster() else {
            return Vec::new();
        };
        self.expected()
            .items()
            .iter()
            .filter_map(|item| roster.people.get(item.at as usize, &self.store))
            .map(|person| (person.user_id.to_string(), person.state.name()))
            .collect()
    }

    /// The Expected view's people (positions in the roster's people) in display order.
    pub(crate) fn expected(&self) -> &ItemList<view::PersonAt> {
        &self.views.expected.list
    }

    pub fn expected_sort(&self) -> (ExpectedColumn, Order) {
        self.views.expected.sort
    }

    /// The roster the Expected view lists, with the read its members come from.
    pub(crate) fn expected_people(&self) -> Option<&derived::ExpectedPeople> {
        self.derived.expected.as_ref()
    }

    pub fn session_sort(&self) -> (SessionColumn, Order) {
        self.views.sessions.sort
    }

    pub fn user_sort(&self) -> (UserColumn, Order) {
        self.views.users.sort
    }

    pub fn view(&self) -> View {
        self.views.current()
    }

    pub fn views(&self) -> &ViewStack {
        &self.views.stack
    }

    /// The rows the current view shows, and of how many (the rows or users stored).
    pub(crate) fn view_counts(&self) -> (usize, usize) {
        self.views.counts(&self.store, &self.derived)
    }

    /// The visible range of the timeline over the call window.
    pub fn time_scale(&self) -> &TimeScale {
        &self.views.timeline.scale
    }

    /// The help overlay, when open.
    pub(crate) fn help(&self) -> Option<&HelpOverlay> {
        self.help.as_ref()
    }

    /// The answer card's popup: its text and scroll, while open.
    pub(crate) fn card(&self) -> Option<&card::CardPopup> {
        self.card.as_ref()
    }

    /// The help overlay's lines: in the user detail, what its figures mean first.
    pub(crate) fn help_content(&self) -> Vec<help::HelpLine> {
        let mut lines = match self.view() {
            View::UserDetail(_) => help::figure_lines(&self.config.thresholds),
            _ => Vec::new(),
        };
        lines.extend(help::help_lines());
        lines
    }

    pub fn frozen(&self) -> Option<&Frozen> {
        self.frozen.as_ref()
    }

    /// When the next live poll starts, on the local clock.
    pub fn next_poll(&self) -> Option<Local> {
        self.next_poll.map(|plan| plan.at)
    }

    /// The next live poll, and whether the rate limit put it off.
    pub fn poll_plan(&self) -> Option<NextPoll> {
        self.next_poll
    }

    /// What the reads have spent of the rate limit: the last read's requests, the quota.
    pub fn poll_budget(&self) -> &PollBudget {
        &self.poll_budget
    }

    /// How the polls read the session, and how the last one did.
    pub fn poll_reads(&self) -> &PollReads {
        &self.poll_reads
    }

    /// After a read of a live call, how far the rows held are from Stream's
    /// `total_participant_sessions`, exact: the next poll reads the whole session to mend it.
    /// `None` while a read runs (or waits for the view to be unfrozen), when no poll is
    /// planned, once the call ended (its last read is reconciled: [`App::shortfall`]), and
    /// with a server filter, whose rows are a part of what the total counts.
    pub fn count_gap(&self) -> Option<CountGap> {
        let planned = self.next_poll.is_some() && !self.fetch.running;
        let whole_session = self.data_server.is_empty();
        if !(planned && whole_session && self.store.is_live()) {
            return None;
        }
        self.poll_facts().gap()
    }

    /// Whether the last finished read got every row, and what is missing when not; `None`
    /// until a read has finished since the data was last replaced.
    pub fn completeness(&self) -> Option<&Completeness> {
        self.completeness.as_ref()
    }

    /// What is missing from the data on screen: the last read's shortfall, or the read under
    /// way, which has not got every row yet.
    pub fn shortfall(&self) -> Option<Shortfall> {
        self.completeness.as_ref().and_then(Completeness::shortfall)
    }

    /// Stream's summary of the session (`QueryCallSessionStats`), read when the session
    /// turned out expired: what is still known once its rows are purged.
    pub fn session_counts(&self) -> Option<&SessionCounts> {
        self.session_counts.as_ref()
    }

    /// The session expired and Stream purged its rows: there is nothing to list, only what
    /// [`App::session_counts`] and the pages' totals still say.
    pub fn rows_purged(&self, now: Nanos) -> bool {
        self.store.state(now) == Some(crate::attendance::CallState::Expired)
            && self.store.is_empty()
    }

    /// When the last fetch finished, on the local clock.
    pub fn last_update(&self) -> Option<Local> {
        self.last_update
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The key contexts in force, most specific first: they decide what keys do and what the
    /// footer and help show.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        if self.export_prompt.is_some() {
            return vec![Context::Prompt];
        }
        if self.filter.is_open() {
            return vec![Context::FilterBar];
        }
        if self.help.is_some() {
            return vec![Context::Help];
        }
        if self.session_picker.is_some() {
            return vec![Context::Picker];
        }
        if self.card.is_some() {
            return vec![Context::Card];
        }
        self.view().contexts().to_vec()
    }

    /// Keeps what the last frame showed of the current view's list.
    fn laid_out(&mut self, window: item_list::ListWindow) {
        self.views.cursor_mut().laid_out(window);
    }

    /// Rows moved by PgUp/PgDn: the rows the current list showed at the last draw, or an
    /// estimate from the terminal's height before the first.
    fn page_rows(&self) -> isize {
        let shown = self.views.cursor().page_rows();
        shown.map_or((self.viewport.1 as isize - 14).max(1), |rows| rows as isize)
    }

    /// Times of day in the filter are found in the call window, in the display zone; until
    /// the window is known they are read provisionally (see [`ParseContext::provisional`]).
    /// `publisher:` accepts the types this session's rows have shown besides Stream's.
    fn parse_context(&self, now: Nanos) -> ParseContext {
        let tz = self.config.zone.tz().clone();
        let ctx = match self.store.time_window(now) {
            Some(window) => ParseContext::in_window(tz, window),
            None => ParseContext::provisional(tz, now),
        };
        ctx.with_publishers_seen(self.seen.publishers())
    }

    /// The members a fetch of `kind` keeps instead of reading them again: a live poll keeps
    /// a complete read of the same session (only the ring outcomes are read again); a fresh
    /// read and the last poll, once the call ended, read every member, so that the final
    /// figures count the members added during the call.
    fn members_kept(&self, kind: FetchKind) -> Option<Arc<MembersRead>> {
        let invited = self.invitation.invited()?;
        (kind == FetchKind::Poll && !self.final_fetch && invited.members.stop.is_complete())
            .then(|| Arc::clone(&invited.members))
    }

    /// What decides how the next poll reads.
    fn poll_facts(&self) -> PollFacts {
        PollFacts {
            server_filtered: !self.filter.active().server.is_empty(),
            last_read_complete: self
                .completeness
                .as_ref()
                .is_some_and(Completeness::is_complete),
            stored: self.store.len(),
            total: self.store.totals().participant_sessions,
            live: self.store.is_live() && !self.final_fetch,
            open: self.store.open_rows(),
            page_size: self.config.page_size,
        }
    }

    /// The sessions open in the store, with their users, for a poll that reads what changed.
    fn open_sessions(&self) -> Arc<[OpenSession]> {
        self.store
            .row_ids()
            .filter_map(|id| self.store.get(id))
            .filter(crate::attendance::SessionRef::is_open)
            .map(|row| OpenSession {
                user_session_id: row.user_session_id().to_string(),
                user_id: row.user_id().to_owned(),
            })
            .collect()
    }

    fn start_fetch(&mut self, kind: FetchKind, now: Now) -> Vec<Effect> {
        let why = match kind {
            FetchKind::Fresh => None,
            FetchKind::Poll => self.poll_reads.why_whole(self.poll_facts()),
        };
        let read = match (kind, why) {
            (FetchKind::Poll, None) => PollRead::OpenSessions,
            _ => PollRead::Whole,
        };
        self.poll_reads.started(why);
        self.start_read(kind, read, true, now)
    }

    /// Starts a read of `kind` that reads as `read` says; `new_poll` false when it goes on
    /// with the poll that just ended (its requests count as that poll's).
    fn start_read(
        &mut self,
        kind: FetchKind,
        read: PollRead,
        new_poll: bool,
        now: Now,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.fetch.running {
            effects.push(Effect::CancelFetch);
        }
        let request = FetchRequest {
            generation: self.fetch.generation() + 1,
            call_type: self.config.call_type.clone(),
            call_id: self.config.call_id.clone(),
            session: self.config.session.clone(),
            filter: self.filter.active().server.clone(),
            page_size: self.config.page_size,
            // Nobody can be classified against a filtered read: the roster is not asked for.
            roster: self.filter.active().server.is_empty(),
            members_known: self.members_kept(kind),
            mode: match read {
                PollRead::Whole => ReadMode::Whole,
                PollRead::OpenSessions => ReadMode::OpenSessions {
                    open: self.open_sessions(),
                },
                PollRead::ClosedSessions => ReadMode::ClosedSessions,
            },
        };
        // A replacement of users' rows that a cancelled read left unfinished removes nothing.
        self.store.finish_replacing(false);
        self.invitation = match (&self.invitation, request.roster) {
            (_, false) => Invitation::NotAsked,
            // A read roster stays on screen while it is read again.
            (Invitation::Read(invited), true) => Invitation::Read(Arc::clone(invited)),
            (_, true) => Invitation::Reading { retry: None },
        };
        self.invitation_revision += 1;
        self.fetch = FetchProgress::new(request.clone(), kind, now.local);
        if new_poll {
            self.poll_budget.read_started();
        }
        if kind == FetchKind::Fresh {
            self.next_poll = None;
            self.final_fetch = false;
            self.completeness = None;
        }
        if let Some(frozen) = &mut self.frozen {
            frozen.buffered.clear();
        }
        effects.push(Effect::StartFetch(request));
        effects
    }

    fn on_tick(&mut self, now: Now) -> Vec<Effect> {
        if self.status_until.is_some_and(|until| until <= now.local) {
            self.status = None;
            self.status_until = None;
        }
        if self.filter_due.is_some_and(|due| due <= now.local) {
            self.filter_due = None;
            if self.filter.active().server != self.fetch.request.filter {
                return self.start_fetch(FetchKind::Fresh, now);
            }
        }
        if self.next_poll.is_some_and(|plan| plan.at <= now.local) && !self.fetch.running {
            self.next_poll = None;
            return self.start_fetch(FetchKind::Poll, now);
        }
        if self.frozen.is_none() {
            if self.stale() && self.throttle_passed(now) {
                self.recompute(now);
            } else if (self.depends_on_now() && self.throttle_passed(now))
                || self.figures_due.is_some_and(|due| due <= now.local)
            {
                self.refresh_figures(now);
            }
        }
        Vec::new()
    }

    fn on_fetch(&mut self, event: FetchEvent, now: Now) -> Vec<Effect> {
        if event.generation() != self.fetch.generation() {
            self.dirty = false;
            return Vec::new();
        }
        if let FetchEvent::Page {
            page_no,
            page,
            rate_limit,
            ..
        } = &event
        {
            self.poll_budget.answered(*rate_limit, now);
            self.fetch.answered_at = Some(now.local);
            // A frozen view counts the page later: what is asked for next is known now.
            self.fetch.asked = self.fetch.asked.max(page_no + 1);
            self.fetch.last_page_came |= page.next_cursor().is_none();
        }
        match &event {
            FetchEvent::Roster { .. } | FetchEvent::RosterFailed { retry_at: None, .. } => {
                self.fetch.roster_came = true;
                if matches!(self.status, Some(Status::MembersRetrying(_))) {
                    self.status = None;
                }
            }
            // A notice that arrives after the roster it was about is over, as a page's is.
            FetchEvent::RosterFailed { .. } if self.fetch.roster_came => return Vec::new(),
            FetchEvent::RosterFailed {
                asked,
                error,
                retry_at: Some(at),
                ..
            } => {
                // Said as a page's wait is, frozen or not: nothing else tells why the counts
                // are late.
                let retry = Retry {
                    at: *at,
                    due: now.local_of(*at),
                    asked: *asked,
                    cause: RetryCause::Failed(error.clone()),
                };
                self.post(Status::MembersRetrying(retry), now);
            }
            _ => {}
        }
        match event {
            // A notice that arrives after the page it was about (the client's notices travel
            // beside the pages) is over: saying it would show a wait that has ended.
            FetchEvent::Retrying {
                asked: Asked::Page(page_no),
                ..
            } if page_no < self.fetch.asked => Vec::new(),
            FetchEvent::Retrying {
                asked,
                error,
                retry_at,
                ..
            } => {
                self.retry(retry_at, asked, RetryCause::Failed(error), now);
                Vec::new()
            }
            FetchEvent::NotReady { retry_at, .. } => {
                let asked = Asked::Page(self.fetch.asked);
                self.retry(retry_at, asked, RetryCause::NotReady, now);
                Vec::new()
            }
            FetchEvent::Stats { counts, .. } => {
                self.session_counts = Some(counts);
                Vec::new()
            }
            FetchEvent::Failed { error, .. } => {
                self.fetch.running = false;
                self.fetch.retry = None;
                self.post(Status::FetchFailed(error), now);
                Vec::new()
            }
            event => match &mut self.frozen {
                Some(frozen) => {
                    frozen.buffered.push(event);
                    Vec::new()
                }
                None => self.apply(event, now),
            },
        }
    }

    /// Applies a page or the end of the current fetch to the data.
    fn apply(&mut self, event: FetchEvent, now: Now) -> Vec<Effect> {
        match event {
            FetchEvent::Page { page_no, page, .. } => {
                if self.fetch.kind == FetchKind::Fresh && self.fetch.received == 0 {
                    self.replace_data();
                }
                let window_known = self.store.time_window(now.server).is_some();
                self.fetch.retry = None;
                let ingested = self.store.ingest_raw(&page);
                self.seen.learn(&self.store);
                if let Err(error) = ingested {
                    // Asking again would get the same bytes: say what is missing and go on.
                    self.fetch.skipped_rows += page.rows() as u64;
                    let rows = page.rows();
                    self.post(
                        Status::PageSkipped {
                            page_no,
                            rows,
                            error,
                        },
                        now,
                    );
                }
                self.fetch.pages = self.fetch.pages.max(page_no);
                self.fetch.received += 1;
                self.fetch.rows += page.rows() as u64;
                self.fetch.last_page_at = Some(now.local);
                if self.is_retry_status() {
                    self.status = None;
                }
                if !window_known && self.store.time_window(now.server).is_some() {
                    // The first page tells where the call is: times of day in the filter are
                    // read in its window before any row is shown.
                    self.rebase_filter_dates(now);
                }
                if self.fetch.received == 1 || self.throttle_passed(now) {
                    self.recompute(now);
                }
                Vec::new()
            }
            FetchEvent::Done {
                completeness, end, ..
            } => self.on_done(completeness, &end, now),
            FetchEvent::OpenSessionsRead { check, .. }
            | FetchEvent::ClosedSessionsRead { check, .. } => {
                self.poll_reads.checked(check);
                if check != IsLiveCheck::Honoured {
                    // The whole session is read next, in this fetch.
                    self.fetch.read = PollRead::Whole;
                }
                Vec::new()
            }
            FetchEvent::ReadBack { users, .. } => {
                self.store.begin_replacing(users.iter().map(String::as_str));
                self.fetch.reading_back = true;
                Vec::new()
            }
            FetchEvent::Roster { invited, .. } => {
                self.invitation = Invitation::Read(Arc::from(invited));
                self.invitation_revision += 1;
                self.classify_expected(now.server);
                Vec::new()
            }
            FetchEvent::RosterFailed {
                error, retry_at, ..
            } => {
                // A roster already read stays: the figures it classifies are still right.
                if self.invitation.invited().is_none() {
                    self.invitation = match retry_at {
                        Some(at) => Invitation::Reading {
                            retry: Some((error, at)),
                        },
                        None => Invitation::Failed(error),
                    };
                    self.invitation_revision += 1;
                    self.classify_expected(now.server);
                }
                Vec::new()
            }
            FetchEvent::Retrying { .. }
            | FetchEvent::NotReady { .. }
            | FetchEvent::Failed { .. }
            | FetchEvent::Stats { .. } => Vec::new(),
        }
    }

    fn on_done(&mut self, completeness: Completeness, end: &EndReports, now: Now) -> Vec<Effect> {
        if self.fetch.kind == FetchKind::Fresh && self.fetch.received == 0 {
            self.replace_data();
        }
        self.store.learn_end(end);
        if self.fetch.reading_back {
            // Rows not read back are only gone when every page of their users came.
            let whole = completeness.is_complete() && self.fetch.skipped_rows == 0;
            self.store.finish_replacing(whole);
        }
        let read = self.fetch.read;
        self.poll_reads.ended(read);
        self.poll_budget.read_ended();
        self.fetch.running = false;
        self.fetch.retry = None;
        // Rows of a page the store could not read are missing from the screen, whatever the
        // read itself got.
        self.completeness =
            Some(completeness.with_unreadable(self.fetch.skipped_rows, self.store.len() as u64));
        self.last_update = Some(now.local);
        if self.is_retry_status() {
            self.status = None;
        }
        let poll = self.fetch.kind == FetchKind::Poll;
        let reads_more = self.store.is_live() || (poll && !self.final_fetch);
        if !reads_more {
            // Nothing more is read into this store (below): the index of its rows, which only
            // ingest reads, goes before the figures are computed instead of after, so that it
            // is not held beside their working tables, the highest memory of a whole load.
            self.store.release_row_index();
        }
        self.recompute(now);
        self.rebase_filter_dates(now);
        if poll
            && read == PollRead::OpenSessions
            && self.store.is_live()
            && !self.poll_facts().counts_agree()
        {
            // A user who joined and left since the last poll is in the total only, and
            // nothing else tells: the rest of the session, its closed sessions, is read now,
            // as part of this poll (with the open ones just read, every row).
            self.poll_reads.started(Some(WholeBecause::CountsDiffer));
            return self.start_read(FetchKind::Poll, PollRead::ClosedSessions, false, now);
        }
        if self.store.is_live() {
            // Saturating: an interval too long for Nanos means "not in this run", never "now".
            let interval = Nanos::try_from(self.config.interval.as_nanos()).unwrap_or(Nanos::MAX);
            // `--interval` is real time: it runs from the end of the read on the local clock.
            self.next_poll = Some(self.poll_budget.next_poll(now.local, interval));
            Vec::new()
        } else if self.fetch.kind == FetchKind::Poll && !self.final_fetch {
            self.final_fetch = true;
            self.start_fetch(FetchKind::Poll, now)
        } else {
            // The call ended and nothing more is read of it: the next read is a fresh one,
            // into a store of its own. The indexes ingest keeps go: the user ids' one now that
            // the roster's classification in the recompute has looked its members up.
            debug_assert!(!reads_more);
            self.store.release_indexes();
            Vec::new()
        }
    }

    /// A fresh read's first page or end: the stored rows are replaced by the ones of its
    /// server part, and the filter in force is the one they are shown under when it has that
    /// server part.
    fn replace_data(&mut self) {
        self.seen.store_cleared(&self.store);
        self.store.clear();
        self.data_server = self.fetch.request.filter.clone();
        self.sync_shown();
    }

    /// Shows the rows under the filter in force when they were fetched for its server part.
    fn sync_shown(&mut self) {
        let active = self.filter.active();
        if active.server == self.data_server && *active != self.shown {
            if active.local != self.shown.local {
                self.shown_local_revision += 1;
            }
            self.shown = active.clone();
        }
    }

    /// Enter or Esc in the bar, or a filter cleared: the server part is fetched at once, with
    /// no pause to wait for.
    fn fetch_filter_now(&mut self, now: Now) -> Vec<Effect> {
        self.filter_due = None;
        if self.filter.active().server != self.fetch.request.filter {
            self.start_fetch(FetchKind::Fresh, now)
        } else {
            Vec::new()
        }
    }

    /// Times typed before the call's date was known are re-read against it.
    fn rebase_filter_dates(&mut self, now: Now) {
        let ctx = self.parse_context(now.server);
        let before = self.filter.revision();
        if let Some(error) = self.filter.reread_in_window(&ctx) {
            let status = Status::FilterNotAppliedLocally(error.clone());
            self.post(status, now);
        }
        if self.filter.revision() != before {
            self.sync_shown();
            self.recompute(now);
        }
    }

    /// What the filtered rows must be computed from now.
    fn rows_key(&self) -> derived::RowsKey {
        derived::RowsKey {
            store: self.store.generation(),
            local_filter: self.shown_local_revision,
        }
    }

    /// The store changed since the tables were last computed.
    fn stale(&self) -> bool {
        self.derived
            .rows_key
            .is_none_or(|key| key.store != self.store.generation())
    }

    /// What is under way is asked for again at `at`: the fetch keeps it, the status says it.
    fn retry(&mut self, at: Nanos, asked: Asked, cause: RetryCause, now: Now) {
        let due = now.local_of(at);
        let retry = Retry {
            at,
            due,
            asked,
            cause,
        };
        self.fetch.retry = Some(retry.clone());
        self.post(Status::Retrying(retry), now);
    }

    /// A retry message goes once the fetch moves on.
    fn is_retry_status(&self) -> bool {
        self.status.as_ref().is_some_and(Status::is_retry)
    }

    /// Shows `status` on the status line, for a while when it is a passing one: a while of
    /// real time, since a person reads it.
    fn post(&mut self, status: Status, now: Now) {
        self.status_until = status.lasts().map(|lasts| now.local + lasts);
        self.status = Some(status);
    }

    fn on_outcome(&mut self, outcome: Outcome, now: Now) {
        let status = match outcome {
            Outcome::Exported { path, rows } => Status::Exported {
                path,
                rows,
                caveat: self.export_caveat(),
            },
            Outcome::ExportExists { path, file } => return self.export_exists(path, file),
            Outcome::ExportFailed { path, error } => Status::ExportFailed { path, error },
            Outcome::Copied { text } => Status::Copied(text),
            listed @ (Outcome::SessionsListed { .. } | Outcome::SessionsUnlisted { .. }) => {
                return self.on_sessions(listed, now);
            }
        };
        self.post(status, now);
    }

    /// Why an export of what is on screen is not the whole session, if it is not.
    pub(crate) fn export_caveat(&self) -> Option<Caveat> {
        let total = self.store.totals().participant_sessions;
        match self.shortfall() {
            Some(shortfall) => Some(Caveat::Shortfall { shortfall, total }),
            None if self.fetch.running && self.fetch.kind == FetchKind::Fresh => {
                Some(Caveat::ReadUnderWay)
            }
            None => self.count_gap().map(Caveat::CountGap),
        }
    }

    /// The recompute throttle, on the local clock: a recompute takes this machine's time, so
    /// the pause that lets pages flow between two of them is real time too. On the server's
    /// clock a sped-up server would recompute after nearly every page of a large store.
    fn throttle_passed(&self, now: Now) -> bool {
        self.recompute_due(now).is_none_or(|due| now.local >= due)
    }

    /// When the throttle lets the tables be recomputed next; `None` before the first time.
    ///
    /// While a read's end is at hand (its last page came, or the rows still to come should all
    /// arrive before the next recompute would be due, at the pace of the read so far), the
    /// recompute waits for that end, which recomputes, for up to one interval more. A
    /// recompute just before the end would hold its working tables beside the read's ledger
    /// of every row received: at a million sessions, the highest memory of the whole load.
    fn recompute_due(&self, now: Now) -> Option<Local> {
        let interval = self.recompute_interval();
        let due = self.recomputed_at? + interval;
        let put_off =
            now.local >= due && now.local < due + interval && self.read_ends_within(interval, now);
        Some(if put_off { due + interval } else { due })
    }

    /// Whether the read under way should end within `within` (local nanoseconds): its last
    /// page came, or the rows Stream's total says are still to come arrive by then at the
    /// pace of the rows so far. A filtered read, whose rows are fewer than the total, and a
    /// read past its total never look close to their end.
    fn read_ends_within(&self, within: Nanos, now: Now) -> bool {
        let fetch = &self.fetch;
        if !fetch.running || fetch.rows == 0 {
            return false;
        }
        if fetch.last_page_came {
            return true;
        }
        let Some(total) = self.store.totals().participant_sessions else {
            return false;
        };
        let to_come = u64::try_from(total).unwrap_or(0).saturating_sub(fetch.rows);
        let elapsed = (now.local.nanos() - fetch.started_at.nanos()).max(1);
        to_come > 0
            && i128::from(to_come) * i128::from(elapsed)
                < i128::from(within) * i128::from(fetch.rows)
    }

    /// The least time between two recomputes, for the rows stored now (real time).
    fn recompute_interval(&self) -> Nanos {
        RECOMPUTE_THROTTLE * (1 + (self.store.len() / ROWS_PER_THROTTLE_STEP) as Nanos)
    }

    /// Open sessions grow with the clock, so their figures move every second.
    fn depends_on_now(&self) -> bool {
        self.store.is_live() || self.store.open_rows() > 0
    }

    /// Recomputes every table from the store, the filter and the sorts.
    fn recompute(&mut self, now: Now) {
        self.recompute_rows(now);
        self.refresh_figures(now);
    }

    /// The rows of the filter and the session table: what a filter edit must show at once
    /// (the call window ignores the filter, so [`App::refresh_figures`] alone follows it).
    fn recompute_rows(&mut self, now: Now) {
        self.recomputed_at = Some(now.local);
        let key = self.rows_key();
        self.derived
            .filter(&self.store, &self.shown, key, now.server);
        self.views
            .refresh_rows(&mut self.derived, &self.store, now.server);
        self.refresh_empty_help(now.server);
    }

    /// The figures, the users table and the detail, for new rows or a clock that moved on.
    /// The figures are computed at the server's present (an open session lasts until it).
    fn refresh_figures(&mut self, now: Now) {
        self.recomputed_at = Some(now.local);
        self.figures_due = None;
        let server = now.server;
        self.derived
            .compute_figures(&self.store, server, &self.config.thresholds);
        let thresholds = &self.config.thresholds;
        (self.views).refresh_figures(&mut self.derived, &self.store, thresholds, server);
        self.classify_expected(server);
    }

    /// Classifies who was expected again when the data, the roster read, the reads' facts or
    /// (for open sessions) the clock changed; the Expected view follows.
    fn classify_expected(&mut self, now: Nanos) {
        let server_filter = &self.fetch.request.filter;
        let sessions_shortfall = match &self.completeness {
            Some(completeness) => completeness.shortfall().map(|s| s.to_string()),
            None if self.fetch.running => Some("the read is under way".to_owned()),
            None => None,
        };
        let key = derived::ExpectedKey {
            store: self.store.generation(),
            invited: self.invitation_revision,
            facts: ReadFacts {
                sessions_shortfall,
                members_shortfall: self.invitation.shortfall(),
                filter: (!server_filter.is_empty())
                    .then(|| self.filter.active().source.trim().to_owned()),
            },
            rules: RosterRules {
                thresholds: self.config.thresholds,
                present: self.config.present,
            },
            at: self.depends_on_now().then_some(now),
            session: self.config.session.clone(),
        };
        let invited = self.invitation.invited();
        let classified = self
            .derived
            .classify_expected(&self.store, invited, key, now);
        if self.views.lists_expected() {
            let revision = self.filter.revision();
            let filter = self.filter.active();
            let kept = self
                .derived
                .keep_expected(&self.store, filter, revision, now);
            if let Some(kept) = kept {
                (self.views.expected).refresh(kept, &self.derived, &self.store, &self.config.zone);
            }
        } else if classified || !self.views.expected.list.items().is_empty() {
            self.derived.forget_kept();
            self.views.expected.release();
        }
        self.refresh_expected_help(now);
    }

    /// The filter text changed: apply its local part now, fetch a new server part once typing
    /// pauses.
    fn on_filter_edited(&mut self, now: Now) {
        self.sync_shown();
        if self.derived.rows_key.map(|key| key.local_filter) != Some(self.shown_local_revision) {
            if self.store.len() >= DEFER_FIGURES_FROM {
                self.recompute_rows(now);
                self.figures_due = Some(now.local + FIGURES_DEBOUNCE);
            } else {
                self.recompute(now);
            }
        }
        self.filter_due = (self.filter.active().server != self.fetch.request.filter)
            .then_some(now.local + FILTER_DEBOUNCE);
        // The people the Expected view keeps follow every edit, a person's term included.
        self.classify_expected(now.server);
    }
}
