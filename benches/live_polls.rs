//! Requests per live poll over a whole call played live: polls that read the open sessions
//! and read back who left, and the closed sessions when the counts then differ (the
//! dashboard's way without a server filter), beside a whole read at every poll, side by side
//! on one sim, each poll started when the dashboard plans it; and where the first way's
//! requests went (open sessions, read back, closed sessions, whole reads by their reason).
//!
//! Run with `scripts/poll-requests.sh` (or `cargo bench --bench live_polls -- [SCENARIO]
//! [SPEED] [INTERVAL_S]`, defaults `webinar 10 5`). A whole read at every poll is what a
//! server filter gets: the second dashboard filters on every publisher type
//! (`publisher:webrtc,rtmp,whip,srt`), which keeps every row of the generated call.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::ValueEnum;
use headcount::api::StreamClient;
use headcount::app::live::{PollRead, WholeBecause};
use headcount::app::{App, AppConfig, Effect, LocalClock, Msg, Now};
use headcount::fetch::{self, FetchEvent, FetchRequest, IsLiveCheck, ReadMode};
use headcount::sim::{RunningSim, Scenario, SimConfig};

#[path = "../tests/app_support/config.rs"]
mod app_config;
use app_config::session_config;

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";
const EVERY_ROW: &str = "publisher:webrtc,rtmp,whip,srt";

/// What one dashboard's polls cost over the call.
#[derive(Default)]
struct Polls {
    /// Requests of each poll (a poll that went on with a whole read counts both).
    requests: Vec<u64>,
    /// Polls that read the whole session (at least in part).
    whole: usize,
    /// Rows at the end.
    rows: usize,
    /// Where the requests went.
    spent: Spent,
}

/// The pages of the polls by kind of read, and the whole reads by why they were made.
#[derive(Default)]
struct Spent {
    /// Pages of the open sessions (`is_live: true`).
    open: u64,
    /// Pages read back by `user_id`, and the users read back.
    read_back: u64,
    read_back_users: u64,
    /// Pages of the closed sessions (`is_live: false`), and the reads of them.
    closed: u64,
    closed_reads: u64,
    /// Whole reads by their reason: how many, and their pages.
    whole: BTreeMap<&'static str, (u64, u64)>,
}

impl Spent {
    fn print(&self, polls: usize) {
        let per = |pages: u64| pages as f64 / polls.max(1) as f64;
        println!(
            "             open sessions {:.1} a poll, read back {:.1} a poll ({:.1} users), closed sessions {:.1} a poll ({} reads)",
            per(self.open),
            per(self.read_back),
            per(self.read_back_users),
            per(self.closed),
            self.closed_reads,
        );
        for (why, (reads, pages)) in &self.whole {
            println!(
                "             whole reads, {why}: {reads} reads, {pages} pages ({:.1} a poll)",
                per(*pages)
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let scenario = args.first().map_or(Scenario::Webinar, |name| {
        Scenario::from_str(name, true).expect("a scenario")
    });
    let speed: f64 = args
        .get(1)
        .map_or(10.0, |speed| speed.parse().expect("a speed"));
    let interval: u64 = args.get(2).map_or(5, |seconds| {
        seconds.parse().expect("an interval in seconds")
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = SimConfig {
            scenario,
            live: true,
            speed,
            rate_limit: 0,
            ..SimConfig::default()
        };
        let sim = headcount::sim::start(config, listener).await.expect("sim");
        println!(
            "{scenario} live at --speed {speed}, --interval {interval}s, {} sessions at the start",
            sim.initial_sessions()
        );
        let interval = Duration::from_secs(interval);
        let (incremental, whole) = tokio::join!(
            poll_the_call(&sim, None, interval),
            poll_the_call(&sim, Some(EVERY_ROW), interval)
        );
        let mean = |polls: &Polls| {
            polls.requests.iter().sum::<u64>() as f64 / polls.requests.len().max(1) as f64
        };
        for (name, polls) in [("incremental", &incremental), ("whole", &whole)] {
            polls.spent.print(polls.requests.len());
            println!(
                "{name:>11}: {} polls, {} requests, {:.1} requests a poll, {} polls read it whole, {} rows at the end",
                polls.requests.len(),
                polls.requests.iter().sum::<u64>(),
                mean(polls),
                polls.whole,
                polls.rows,
            );
        }
        println!(
            "incremental / whole: {:.0} % of the requests a poll",
            100.0 * mean(&incremental) / mean(&whole)
        );
    });
}

/// Reads the sim's call with `filter`, then polls it as the dashboard's driver does until the
/// call has ended and its last read is done.
async fn poll_the_call(sim: &RunningSim, filter: Option<&str>, interval: Duration) -> Polls {
    let client = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .expect("client");
    let config = AppConfig {
        filter: filter.map(str::to_owned),
        interval,
        export_dir: std::env::temp_dir(),
        ..session_config(sim.call_type(), sim.call_id(), sim.session_id())
    };
    // As the dashboard's driver: the server's present and this machine's clock.
    let clock = LocalClock::new();
    let now = || clock.now_with(client.present());
    let (mut app, effects) = App::new(config, now());
    let first = start_of(effects).expect("the first read");
    run(&mut app, &client, first, &now, &mut Spent::default()).await;
    let mut polls = Polls::default();
    while let Some(due) = app.next_poll() {
        // The poll is planned on this machine's clock.
        let wait = (due - clock.now()).max(0);
        tokio::time::sleep(Duration::from_nanos(wait as u64)).await;
        let Some(request) = start_of(app.update(Msg::Tick, now())) else {
            continue;
        };
        if run(&mut app, &client, request, &now, &mut polls.spent).await {
            polls.whole += 1;
        }
        polls
            .requests
            .push(app.poll_budget().last_cost().unwrap_or(0));
    }
    polls.rows = app.store().len();
    polls
}

/// Runs a read and every read the app goes on with, counting its pages into `spent`;
/// whether one read the whole session.
async fn run(
    app: &mut App,
    client: &StreamClient,
    first: FetchRequest,
    now: &impl Fn() -> Now,
    spent: &mut Spent,
) -> bool {
    let mut whole = false;
    let mut next = Some(first);
    while let Some(request) = next.take() {
        #[derive(PartialEq)]
        enum Phase {
            Whole,
            Open,
            ReadBack,
            Closed,
        }
        let mut phase = match request.mode {
            ReadMode::Whole => Phase::Whole,
            ReadMode::OpenSessions { .. } => Phase::Open,
            ReadMode::ClosedSessions => {
                spent.closed_reads += 1;
                Phase::Closed
            }
        };
        let mut pages = 0;
        let (sender, mut events) = tokio::sync::mpsc::channel(64);
        let _fetch = fetch::spawn(client.clone(), request, sender);
        while let Some(event) = events.recv().await {
            match &event {
                FetchEvent::Page { .. } => match phase {
                    Phase::Whole => pages += 1,
                    Phase::Open => spent.open += 1,
                    Phase::ReadBack => spent.read_back += 1,
                    Phase::Closed => spent.closed += 1,
                },
                FetchEvent::OpenSessionsRead { check, .. }
                | FetchEvent::ClosedSessionsRead { check, .. }
                    if *check != IsLiveCheck::Honoured =>
                {
                    phase = Phase::Whole;
                }
                FetchEvent::ReadBack { users, .. } => {
                    phase = Phase::ReadBack;
                    spent.read_back_users += users.len() as u64;
                }
                _ => {}
            }
            let done = matches!(event, FetchEvent::Done { .. } | FetchEvent::Failed { .. });
            let effects = app.update(Msg::Fetch(event), now());
            if done {
                if phase == Phase::Whole {
                    let why = app
                        .poll_reads()
                        .why_whole_read()
                        .map_or("first read", WholeBecause::words);
                    let entry = spent.whole.entry(why).or_default();
                    entry.0 += 1;
                    entry.1 += pages;
                }
                whole |= app.poll_reads().last() == Some(PollRead::Whole);
                next = start_of(effects);
                break;
            }
        }
    }
    whole
}

fn start_of(effects: Vec<Effect>) -> Option<FetchRequest> {
    effects.into_iter().find_map(|effect| match effect {
        Effect::StartFetch(request) => Some(request),
        _ => None,
    })
}
