//! `headcount watch` failing before the dashboard opens: each failure says what is wrong on
//! stderr and exits with its documented code, against `headcount sim` on loopback.

use std::process::{Command, Output};

use headcount::sim::{self, RunningSim, Scenario, SimConfig};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

async fn start_sim() -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let config = SimConfig {
        scenario: Scenario::Small,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.expect("sim starts")
}

/// Runs `headcount` with only the given Stream settings in its environment and no config file.
async fn headcount(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("a home directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("HEADCOUNT_CONFIG", home.path().join("absent.toml"))
        .envs(env.iter().copied());
    tokio::task::spawn_blocking(move || {
        let output = command.output().expect("run headcount");
        drop(home);
        output
    })
    .await
    .expect("the command ran")
}

fn credentials<'a>(base_url: &'a str, secret: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("STREAM_BASE_URL", base_url),
        ("STREAM_API_KEY", KEY),
        ("STREAM_API_SECRET", secret),
    ]
}

fn assert_fails(output: &Output, code: i32, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(stderr.contains(message), "stderr: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "nothing is drawn before the error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_call_exits_4_naming_the_call() {
    let sim = start_sim().await;
    let base_url = sim.base_url();
    let output = headcount(
        &["watch", "default:no-such-call"],
        &credentials(&base_url, SECRET),
    )
    .await;
    assert_fails(&output, 4, "error: no such call or session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_exits_3_pointing_at_the_secret() {
    let sim = start_sim().await;
    let base_url = sim.base_url();
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let output = headcount(&["watch", &call], &credentials(&base_url, "not-the-secret")).await;
    assert_fails(&output, 3, "STREAM_API_SECRET");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_time_zone_is_a_usage_error_with_a_hint() {
    let output = headcount(&["watch", "default:x", "--tz", "Mars/Olympus"], &[]).await;
    assert_fails(&output, 2, "IANA name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_exit_7() {
    let output = headcount(&["watch", "default:x"], &[]).await;
    assert_fails(&output, 7, "STREAM_API_KEY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_exits_6() {
    // A port that was just free: nothing listens there any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let base_url = format!("http://{closed}");
    let output = headcount(&["watch", "default:x"], &credentials(&base_url, SECRET)).await;
    assert_fails(&output, 6, "cannot reach");
}
