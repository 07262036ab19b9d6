//! The time of the dashboard's first whole read of a call played live by the sim: the real
//! fetcher, every event handed to the app as the driver hands it, a tick whenever the app's
//! next deadline has passed. Each run starts a fresh sim, so that every run reads the call
//! from the same moment.
//!
//! Two ways of giving the app its clocks, alternating: `two clocks` (the server's present and
//! this machine's monotonic clock, as the driver does) and `one clock` (the server's present
//! for both, as the driver did before the dashboard had two clocks: every wait then runs on the
//! server's clock, the recompute throttle included).
//!
//! Run with `cargo bench --bench first_read -- [SCENARIO] [SPEED] [RUNS]` (defaults `webinar 10
//! 1`). `scripts/first-read.sh` times the same read in the dashboard itself, in tmux.

use std::time::{Duration, Instant};

use clap::ValueEnum;
use headcount::api::StreamClient;
use headcount::app::{App, AppConfig, Effect, LocalClock, Msg, Now};
use headcount::fetch::{self, FetchEvent};
use headcount::sim::{Scenario, SimConfig};

#[path = "../tests/app_support/config.rs"]
mod app_config;
use app_config::session_config;

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

#[derive(Debug, Clone, Copy)]
enum Clocks {
    Two,
    One,
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
    let runs: usize = args
        .get(2)
        .map_or(1, |runs| runs.parse().expect("a number of runs"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        for run in 1..=runs {
            for clocks in [Clocks::Two, Clocks::One] {
                let (elapsed, pages, rows, recomputes) = first_read(scenario, speed, clocks).await;
                let name = match clocks {
                    Clocks::Two => "two clocks",
                    Clocks::One => "one clock",
                };
                println!(
                    "run {run}, {name:>10}: first read of {scenario} at --speed {speed}: {:.1} s, {pages} pages, {rows} rows, tables shown whole after {recomputes} pages",
                    elapsed.as_secs_f64()
                );
            }
        }
    });
}

/// Reads the call once as the dashboard does: how long, how many pages and rows, and after
/// how many pages the sessions table held every stored row (a recompute).
async fn first_read(scenario: Scenario, speed: f64, clocks: Clocks) -> (Duration, u32, usize, u32) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario,
        live: true,
        speed,
        rate_limit: 0,
        ..SimConfig::default()
    };
    let sim = headcount::sim::start(config, listener).await.expect("sim");
    let client = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .expect("client");
    let config = AppConfig {
        export_dir: std::env::temp_dir(),
        ..session_config(sim.call_type(), sim.call_id(), sim.session_id())
    };
    let clock = LocalClock::new();
    let now = || match clocks {
        Clocks::Two => clock.now_with(client.present()),
        Clocks::One => Now::from(client.present()),
    };
    let started = Instant::now();
    let (mut app, effects) = App::new(config, now());
    let request = effects
        .into_iter()
        .find_map(|effect| match effect {
            Effect::StartFetch(request) => Some(request),
            _ => None,
        })
        .expect("the first read");
    let (sender, mut events) = tokio::sync::mpsc::channel(16);
    let _fetch = fetch::spawn(client.clone(), request, sender);
    let (mut pages, mut recomputes) = (0, 0);
    while let Some(event) = events.recv().await {
        let page = matches!(event, FetchEvent::Page { .. });
        let done = matches!(event, FetchEvent::Done { .. } | FetchEvent::Failed { .. });
        app.update(Msg::Fetch(event), now());
        // The driver's select: a deadline that has passed is a tick.
        let at = now();
        if app.next_deadline().is_some_and(|due| due <= at.local) {
            app.update(Msg::Tick, at);
        }
        if page {
            pages += 1;
            if app.sessions().len() == app.store().len() {
                recomputes += 1;
            }
        }
        if done {
            break;
        }
    }
    (started.elapsed(), pages, app.store().len(), recomputes)
}
