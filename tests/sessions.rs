//! `headcount sessions`, the real binary against a sim on loopback: it lists every session of
//! the call newest first, and every kind of bad input exits with its documented code without
//! ever printing the secret.

use std::path::Path;
use std::process::Output;

use headcount::sim::{self, RunningSim, Scenario, SimConfig};
use serde_json::Value;

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";
const EARLIER: usize = 3;

async fn start(earlier_sessions: usize) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Small,
        earlier_sessions,
        rate_limit: 0,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.unwrap()
}

/// Runs `headcount sessions` with `secret`, the config file `config` (absent unless written)
/// and the extra arguments given.
async fn sessions(sim: &RunningSim, secret: &str, config: &Path, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .arg("sessions")
        .args(args)
        .env("STREAM_BASE_URL", sim.base_url())
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", secret)
        .env("HEADCOUNT_CONFIG", config)
        .env_remove("HEADCOUNT_PROFILE")
        .env_remove("STREAM_PROFILE");
    // The sim serves on this runtime while the binary runs.
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn call(sim: &RunningSim) -> String {
    format!("{}:{}", sim.call_type(), sim.call_id())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The session ids, newest first: the current one, then the earlier ones as the sim made them.
fn newest_first(sim: &RunningSim) -> Vec<String> {
    std::iter::once(sim.session_id().to_owned())
        .chain(sim.earlier_session_ids().iter().cloned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_lists_every_session_newest_first_with_its_counts() {
    let sim = start(EARLIER).await;
    let dir = tempfile::tempdir().unwrap();
    let output = sessions(
        &sim,
        SECRET,
        &dir.path().join("absent.toml"),
        &[&call(&sim), "--tz", "UTC"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{}: 4 sessions (times in UTC, counts from Stream's call stats, * current)",
            call(&sim)
        )
    );
    assert!(
        lines[1].starts_with("SESSION ") && lines[1].contains(" STARTED "),
        "{stdout}"
    );
    let listed: Vec<&str> = lines[2..]
        .iter()
        .map(|line| line[1..].split_whitespace().next().unwrap())
        .collect();
    assert_eq!(listed, newest_first(&sim), "{stdout}");
    assert!(
        lines[2].starts_with('*') && lines[3].starts_with(' '),
        "{stdout}"
    );
    assert!(
        lines[2..].iter().all(|line| line.contains("ENDED")),
        "{stdout}"
    );
    let current_sessions = sim.initial_sessions().to_string();
    assert!(
        lines[2]
            .split_whitespace()
            .any(|cell| cell == current_sessions),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn json_gives_each_session_once_with_state_and_counts() {
    let sim = start(EARLIER).await;
    let dir = tempfile::tempdir().unwrap();
    let output = sessions(
        &sim,
        SECRET,
        &dir.path().join("absent.toml"),
        &[&call(&sim), "--format", "json"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["call_id"], sim.call_id());
    let listed = printed["sessions"].as_array().unwrap();
    let ids: Vec<&str> = listed
        .iter()
        .map(|s| s["call_session_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, newest_first(&sim));
    assert_eq!(listed[0]["current"], true);
    assert_eq!(listed[0]["sessions"], sim.initial_sessions());
    for session in listed {
        assert_eq!(session["state"], "ended");
        assert!(session["peak_concurrent_users"].as_i64().unwrap() > 0);
        assert!(session["ended_at"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_with_one_session_lists_it() {
    let sim = start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let output = sessions(
        &sim,
        SECRET,
        &dir.path().join("absent.toml"),
        &[&call(&sim), "--format", "json"],
    )
    .await;
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(printed["sessions"][0]["call_session_id"], sim.session_id());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_call_exits_4() {
    let sim = start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let output = sessions(
        &sim,
        SECRET,
        &dir.path().join("absent.toml"),
        &["default:no-such-call"],
    )
    .await;
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("default:no-such-call"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_exits_3_without_showing_either_secret() {
    let sim = start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = "wrong-secret-9f8e7d";
    let output = sessions(&sim, wrong, &dir.path().join("absent.toml"), &[&call(&sim)]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    for shown in [text(&output.stdout), text(&output.stderr)] {
        assert!(!shown.contains(wrong), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_profile_exits_7_naming_it() {
    let sim = start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.prod]\napi_key = \"k\"\n").unwrap();
    let output = sessions(&sim, SECRET, &config, &[&call(&sim), "--profile", "prdo"]).await;
    assert_eq!(output.status.code(), Some(7), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("unknown profile `prdo`"), "{stderr}");
    assert!(!stderr.contains(SECRET) && !text(&output.stdout).contains(SECRET));
}
