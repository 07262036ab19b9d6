//! `headcount sim` as a user runs it: the two start lines, a server that answers, and a clear
//! message when the address is taken.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // The server runs until it is stopped; stopping it is the end of every test.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn headcount() -> Command {
    Command::new(env!("CARGO_BIN_EXE_headcount"))
}

#[test]
fn start_lines_name_the_address_call_session_and_size() {
    let child = headcount()
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--scenario",
            "small",
            "--seed",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run headcount sim");
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let listening = lines.next().unwrap().unwrap();
    let call = lines.next().unwrap().unwrap();

    let url = listening
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap();
    let port: u16 = url.parse().expect("a port");
    assert_ne!(port, 0);

    let words: Vec<&str> = call.split(' ').collect();
    assert_eq!(words.len(), 6, "{call}");
    assert_eq!(words[0], "call");
    assert_eq!(words[1], "default:team-sync-2026");
    assert_eq!(words[2], "session");
    assert_eq!(words[3].len(), 36, "a UUID-like session id: {call}");
    assert_eq!(words[4], "sessions");
    let sessions: usize = words[5].parse().unwrap();
    assert!((40..=45).contains(&sessions), "{call}");

    let status = status_of(&format!(
        "http://127.0.0.1:{port}/api/v2/video/call/default/team-sync-2026"
    ));
    assert_eq!(status, 401, "the server answers (without credentials)");
}

#[test]
fn a_taken_address_says_to_pick_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = headcount()
        .args(["sim", "--listen", &addr, "--scenario", "small"])
        .output()
        .expect("run headcount sim");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already in use") && stderr.contains("--listen"),
        "{stderr}"
    );
}

/// The status of a plain GET: the sim answers every request, even one without credentials,
/// so any status proves the server is up.
fn status_of(url: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::get(url)
            .await
            .expect("the sim answers")
            .status()
            .as_u16()
    })
}

#[test]
fn the_secret_can_come_from_the_environment_and_stays_out_of_help() {
    let child = headcount()
        .args(["sim", "--listen", "127.0.0.1:0", "--scenario", "small"])
        .env("HEADCOUNT_SIM_API_SECRET", "from-the-environment")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run headcount sim");
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let listening = lines.next().unwrap().unwrap();
    let base_url = listening.strip_prefix("listening on ").unwrap().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answers = runtime.block_on(async {
        let mut answers = Vec::new();
        for secret in ["from-the-environment", "headcount-demo-secret"] {
            let client =
                headcount::api::StreamClient::new(&base_url, "headcount-demo", secret).unwrap();
            answers.push(client.get_call("default", "team-sync-2026").await.is_ok());
        }
        answers
    });
    assert_eq!(
        answers,
        [true, false],
        "only the variable's secret is accepted"
    );

    let help = headcount()
        .args(["sim", "--help"])
        .env("HEADCOUNT_SIM_API_SECRET", "from-the-environment")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("HEADCOUNT_SIM_API_SECRET"), "{help}");
    assert!(!help.contains("from-the-environment"), "{help}");
}

#[test]
fn a_speed_or_a_count_out_of_its_range_is_a_usage_error() {
    for (flag, value, said) in [
        ("--speed", "0", "above 0 and at most 10000"),
        ("--speed", "1e300", "above 0 and at most 10000"),
        ("--speed", "inf", "above 0 and at most 10000"),
        (
            "--earlier-sessions",
            "18446744073709551615",
            "from 0 to 520",
        ),
    ] {
        let output = headcount()
            .args(["sim", "--listen", "127.0.0.1:0", &format!("{flag}={value}")])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(said), "{stderr}");
    }
    // The demo refuses the same speeds the same way, before opening anything.
    for value in ["0", "-1", "inf"] {
        let output = headcount()
            .args(["demo", &format!("--speed={value}")])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "demo --speed {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("above 0 and at most 10000"), "{stderr}");
    }
}

#[test]
fn a_delay_out_of_its_range_is_a_usage_error() {
    for flag in ["--lag", "--stats-delay"] {
        for value in ["-1", "3601", "nan", "1e300"] {
            let output = headcount()
                .args(["sim", "--listen", "127.0.0.1:0", &format!("{flag}={value}")])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{flag} {value}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("from 0 to 3600"), "{stderr}");
        }
    }
}
