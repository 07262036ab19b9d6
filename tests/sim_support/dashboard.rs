//! The dashboard's state machine after one whole read by the real fetcher.

#![allow(dead_code)]

use std::time::Duration;

use headcount::api::StreamClient;
use headcount::api::models::ParticipantSessionDetails;
use headcount::app::live::PollRead;
use headcount::app::{App, AppConfig, Effect, LocalClock, Msg, Now};
use headcount::attendance::{Figures, SessionStore, Thresholds};
use headcount::fetch::{self, FetchEvent};

use super::{KEY, SECRET};

// The one builder of the dashboard's settings; a test that also uses `app_support` loads the
// file twice, by design.
#[path = "../app_support/config.rs"]
#[allow(clippy::duplicate_mod)]
mod app_config;
use app_config::session_config as config;

/// A dashboard on the sim's own call and session, once its first read has ended.
pub async fn after_one_read_of(sim: &headcount::sim::RunningSim) -> App {
    after_one_read(
        &sim.base_url(),
        sim.call_type(),
        sim.call_id(),
        sim.session_id(),
    )
    .await
}

/// A dashboard on `call_type:call_id` session `session`, once its first read has ended.
pub async fn after_one_read(base_url: &str, call_type: &str, call_id: &str, session: &str) -> App {
    let client = client(base_url);
    read_once(&client, config(call_type, call_id, session)).await
}

/// A dashboard started with `config`, once the real fetcher's first read has ended.
pub async fn read_once(client: &StreamClient, config: AppConfig) -> App {
    let clock = LocalClock::new();
    let (mut app, request) = started(config, client, &clock);
    let (sender, mut events) = tokio::sync::mpsc::channel(16);
    let _fetch = fetch::spawn(client.clone(), request, sender);
    while let Some(event) = events.recv().await {
        let done = matches!(event, FetchEvent::Done { .. } | FetchEvent::Failed { .. });
        app.update(Msg::Fetch(event), clock.now_with(client.present()));
        if done {
            break;
        }
    }
    app
}

/// A dashboard on the sim's own call and session once both its first read and its read of
/// who was invited have ended, and the clocks then.
pub async fn with_roster_of(sim: &headcount::sim::RunningSim) -> (App, Now) {
    let client = client(&sim.base_url());
    let clock = LocalClock::new();
    let config = config(sim.call_type(), sim.call_id(), sim.session_id());
    let (mut app, request) = started(config, &client, &clock);
    assert!(request.roster, "an unfiltered read asks who was invited");
    let (sender, mut events) = tokio::sync::mpsc::channel(16);
    let _fetch = fetch::spawn(client.clone(), request, sender);
    let (mut done, mut roster) = (false, false);
    while let Some(event) = events.recv().await {
        match &event {
            FetchEvent::Done { .. } | FetchEvent::Failed { .. } => done = true,
            FetchEvent::Roster { .. } | FetchEvent::RosterFailed { retry_at: None, .. } => {
                roster = true;
            }
            _ => {}
        }
        app.update(Msg::Fetch(event), clock.now_with(client.present()));
        if done && roster {
            break;
        }
    }
    (app, clock.now_with(client.present()))
}

/// One read of a dashboard that polls a live call, as [`live_polls`] saw it.
#[derive(Debug)]
pub struct Polled {
    /// Requests for pages the read made (answered ones).
    pub pages: u32,
    /// Waits for Stream's rate limit (429s) the read met.
    pub rate_limited: usize,
    /// When the next poll was planned, once the read ended.
    pub plan: Option<headcount::app::pacing::NextPoll>,
    /// When the read ended (the server's present).
    pub ended_at: headcount::api::timestamp::Nanos,
}

/// A dashboard on the sim's own call that reads it, then polls it as the driver does (each
/// poll when the app says it is due), `reads` reads in all, with `interval` and `page_size`.
pub async fn live_polls(
    sim: &headcount::sim::RunningSim,
    interval: Duration,
    page_size: u32,
    reads: usize,
) -> (App, Vec<Polled>) {
    let client = client(&sim.base_url());
    let clock = LocalClock::new();
    let now = || clock.now_with(client.present());
    let mut config = config(sim.call_type(), sim.call_id(), sim.session_id());
    config.interval = interval;
    config.page_size = page_size;
    let (mut app, mut request) = started(config, &client, &clock);
    let mut polled = Vec::new();
    loop {
        let (mut pages, mut rate_limited) = (0, 0);
        // A poll may go on with another read (a whole one, after a poll of the open sessions
        // whose count disagrees with Stream's total): it is part of the poll.
        let mut next = Some(request);
        while let Some(request) = next.take() {
            let (sender, mut events) = tokio::sync::mpsc::channel(16);
            let _fetch = fetch::spawn(client.clone(), request, sender);
            while let Some(event) = events.recv().await {
                match &event {
                    FetchEvent::Page { .. } => pages += 1,
                    FetchEvent::Retrying { error, .. }
                        if error.kind() == headcount::api::ErrorKind::RateLimited =>
                    {
                        rate_limited += 1;
                    }
                    _ => {}
                }
                let done = matches!(event, FetchEvent::Done { .. } | FetchEvent::Failed { .. });
                let effects = app.update(Msg::Fetch(event), now());
                if done {
                    next = start_of(effects);
                    break;
                }
            }
        }
        polled.push(Polled {
            pages,
            rate_limited,
            plan: app.poll_plan(),
            ended_at: client.present(),
        });
        let due = app.next_poll();
        if polled.len() == reads || due.is_none() {
            return (app, polled);
        }
        // As the driver does: the poll is planned on this machine's clock.
        let due = due.expect("checked");
        let wait = (due - clock.now()).max(0);
        tokio::time::sleep(Duration::from_nanos(wait as u64)).await;
        let effects = app.update(Msg::Tick, now());
        request = effects
            .into_iter()
            .find_map(|effect| match effect {
                Effect::StartFetch(request) => Some(request),
                _ => None,
            })
            .expect("the poll starts when due");
    }
}

/// The client the dashboard's driver would use on `base_url`.
fn client(base_url: &str) -> StreamClient {
    StreamClient::builder(base_url, KEY, SECRET)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap()
}

/// A new dashboard and the read it asks for first. As the dashboard's driver does, every
/// message is given at the server's present and this machine's clock.
fn started(
    config: AppConfig,
    client: &StreamClient,
    clock: &LocalClock,
) -> (App, fetch::FetchRequest) {
    let (app, effects) = App::new(config, clock.now_with(client.present()));
    let request = effects
        .into_iter()
        .find_map(|effect| match effect {
            Effect::StartFetch(request) => Some(request),
            _ => None,
        })
        .expect("the dashboard starts reading");
    (app, request)
}

/// A dashboard that polls a live call as the driver does, each poll started at the instant
/// the app planned it (passed in: nothing sleeps), every read of a poll run to its end.
pub struct Polling {
    pub client: StreamClient,
    pub app: App,
    clock: LocalClock,
    /// How far the polls moved this machine's clock on, to start each one when it is due.
    ahead: headcount::api::timestamp::Nanos,
}

/// One poll of [`Polling::poll`]: the reads it made, in order, and its requests.
#[derive(Debug)]
pub struct PollOutcome {
    /// The reads the app asked for.
    pub reads: Vec<PollRead>,
    /// How the app says the poll read (the header's words come from it).
    pub last: Option<PollRead>,
    pub requests: u64,
    /// The pages of each read, in the order of `reads`.
    pub pages: Vec<u64>,
}

impl Polling {
    /// A dashboard on the sim's call (with the `--filter` text `filter`, in pages of
    /// `page_size`), once its first read has ended.
    pub async fn start(
        sim: &headcount::sim::RunningSim,
        filter: Option<&str>,
        page_size: u32,
    ) -> Polling {
        let client = client(&sim.base_url());
        let clock = LocalClock::new();
        let mut config = config(sim.call_type(), sim.call_id(), sim.session_id());
        config.filter = filter.map(str::to_owned);
        config.page_size = page_size;
        let (app, request) = started(config, &client, &clock);
        let mut polling = Polling {
            client,
            app,
            clock,
            ahead: 0,
        };
        polling.run(request, || {}).await;
        polling
    }

    /// The next poll, when one is planned: the app is told the time has come, and every read
    /// it starts is run to its end (a poll may go on with a whole read).
    pub async fn poll(&mut self) -> Option<PollOutcome> {
        self.poll_with(|| {}).await
    }

    /// [`Polling::poll`], with `between_reads` run after each read of the poll that another
    /// read of it follows (to move a stepped sim's clock on while the poll is under way).
    pub async fn poll_with(&mut self, between_reads: impl FnMut()) -> Option<PollOutcome> {
        let due = self.app.next_poll()?;
        self.ahead += (due - self.now().local).max(0);
        let request =
            start_of(self.app.update(Msg::Tick, self.now())).expect("the poll starts when due");
        Some(self.run(request, between_reads).await)
    }

    /// Both clocks, this machine's moved on by the polls that did not wait.
    pub fn now(&self) -> Now {
        let now = self.clock.now_with(self.client.present());
        Now::new(now.server, now.local + self.ahead)
    }

    async fn run(
        &mut self,
        first: fetch::FetchRequest,
        mut between_reads: impl FnMut(),
    ) -> PollOutcome {
        let mut reads = Vec::new();
        let mut pages = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            reads.push(match request.mode {
                fetch::ReadMode::Whole => PollRead::Whole,
                fetch::ReadMode::OpenSessions { .. } => PollRead::OpenSessions,
                fetch::ReadMode::ClosedSessions => PollRead::ClosedSessions,
            });
            pages.push(0);
            let (sender, mut events) = tokio::sync::mpsc::channel(16);
            let _fetch = fetch::spawn(self.client.clone(), request, sender);
            while let Some(event) = events.recv().await {
                if matches!(event, FetchEvent::Page { .. }) {
                    *pages.last_mut().expect("a read") += 1;
                }
                let done = matches!(event, FetchEvent::Done { .. } | FetchEvent::Failed { .. });
                let effects = self.app.update(Msg::Fetch(event), self.now());
                if done {
                    next = start_of(effects);
                    if next.is_some() {
                        between_reads();
                    }
                    break;
                }
            }
        }
        PollOutcome {
            reads,
            last: self.app.poll_reads().last(),
            requests: self.app.poll_budget().last_cost().unwrap_or(0),
            pages,
        }
    }
}

fn start_of(effects: Vec<Effect>) -> Option<fetch::FetchRequest> {
    effects.into_iter().find_map(|effect| match effect {
        Effect::StartFetch(request) => Some(request),
        _ => None,
    })
}

/// Every row of `store` as sent, sorted by `user_session_id`.
pub fn rows_of(store: &SessionStore) -> Vec<ParticipantSessionDetails> {
    let mut rows: Vec<_> = store
        .row_ids()
        .filter_map(|id| Some(store.get(id)?.to_details()))
        .collect();
    rows.sort_by(|a, b| a.user_session_id.cmp(&b.user_session_id));
    rows
}

/// `polled` holds the rows of `whole` (a whole read at the same moment), and their figures
/// at `now` are the same, the call's and each user's (found by user id: each store numbers
/// its users in the order it met them).
pub fn assert_same_as_whole_read(
    polled: &SessionStore,
    whole: &SessionStore,
    now: headcount::api::timestamp::Nanos,
    context: &str,
) {
    assert_eq!(rows_of(polled), rows_of(whole), "{context}: the rows");
    let compute = |store: &SessionStore| {
        let rows: Vec<_> = store.row_ids().collect();
        Figures::compute(store, &rows, now, &Thresholds::default())
    };
    let (mine, theirs) = (compute(polled), compute(whole));
    assert_eq!(mine.call, theirs.call, "{context}: the call's figures");
    assert_eq!(mine.users.len(), theirs.users.len(), "{context}: the users");
    for figures in mine.users.iter() {
        let name = polled.user_name(figures.user);
        let id = whole
            .find_user(name)
            .unwrap_or_else(|| panic!("{context}: {name}"));
        let expected = theirs
            .user(id)
            .unwrap_or_else(|| panic!("{context}: {name}"));
        let mut figures = figures.clone();
        figures.user = expected.user;
        assert_eq!(&figures, expected, "{context}: {name}'s figures");
    }
}
