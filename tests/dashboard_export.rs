//! The dashboard's `e` writes what `headcount export` writes for the same session and filter:
//! the Sessions view the records of `--by session`, the Users view those of `--by user`, in
//! CSV and JSON (each in its own order: the view's sort, the pages' order).

mod app_support;
mod sim_support;

use app_support::{code, export_now, exported_text};
use crossterm::event::KeyCode;
use headcount::api::StreamClient;
use headcount::app::{App, AppConfig};
use headcount::sim::{RunningSim, Scenario, SimConfig};
use serde_json::Value;
use sim_support::{Harness, KEY, SECRET};

async fn start() -> Harness {
    sim_support::start_unlimited(SimConfig {
        scenario: Scenario::Small,
        ..SimConfig::default()
    })
    .await
}

/// The dashboard on the sim's session with `filter`, once its first read has ended.
async fn dashboard(sim: &RunningSim, filter: Option<&str>) -> (App, i64) {
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let config = AppConfig {
        filter: filter.map(str::to_owned),
        ..app_support::session_config(sim.call_type(), sim.call_id(), sim.session_id())
    };
    let app = sim_support::dashboard::read_once(&client, config).await;
    (app, client.present())
}

/// `headcount export` of the sim's session with `args`.
async fn export(sim: &RunningSim, args: &[&str]) -> String {
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let words = [
        "export",
        &call,
        "--session",
        sim.session_id(),
        "--tz",
        "UTC",
    ];
    let words = words.into_iter().chain(args.iter().copied());
    let output =
        sim_support::cli::headcount(&sim.base_url(), sim_support::cli::args(words), &[]).await;
    assert!(
        output.status.success(),
        "{}",
        sim_support::cli::stderr(&output)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A CSV's header, then its records in sorted order.
fn csv_lines(text: &str) -> (String, Vec<String>) {
    let mut lines = text.lines().map(str::to_owned);
    let header = lines.next().unwrap_or_default();
    let mut records: Vec<String> = lines.collect();
    records.sort();
    (header, records)
}

/// A JSON export's records in sorted order (by their text).
fn json_records(text: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(text).unwrap();
    let mut records: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    records.sort();
    records
}

#[tokio::test(flavor = "multi_thread")]
async fn e_writes_what_headcount_export_writes_for_the_same_view_and_filter() {
    let sim = start().await;
    for filter in [None, Some("publisher:webrtc dur>5m")] {
        let filter_args: Vec<&str> = filter.map(|f| vec!["--filter", f]).unwrap_or_default();
        let (mut app, now) = dashboard(&sim, filter).await;
        // The Sessions view against --by session, in CSV then JSON.
        let sessions = exported_text(&export_now(&mut app, now)[0]);
        let cli = export(&sim, &filter_args).await;
        assert!(csv_lines(&sessions).1.len() > 5, "{sessions}");
        assert_eq!(csv_lines(&sessions), csv_lines(&cli), "{filter:?}");
        app.update(app_support::key('e'), now);
        app.update(code(KeyCode::Tab), now);
        let json = exported_text(&app.update(code(KeyCode::Enter), now)[0]);
        let mut args = filter_args.clone();
        args.extend(["--format", "json"]);
        assert_eq!(
            json_records(&json),
            json_records(&export(&sim, &args).await)
        );
        // The Users view against --by user.
        app.update(code(KeyCode::Tab), now);
        let users = exported_text(&export_now(&mut app, now)[0]);
        let mut args = filter_args.clone();
        args.extend(["--by", "user"]);
        assert_eq!(csv_lines(&users), csv_lines(&export(&sim, &args).await));
    }
}
