//! Without `--session`, `totals`, `export` and `roster` read the call's current session, as
//! `watch` opens it; a session Stream does not know says how to list the ones there are. The
//! real binary against a sim with earlier sessions, on loopback.

mod sim_support;

use std::process::Output;

use headcount::sim::{Scenario, SimConfig};
use sim_support::Harness;
use sim_support::cli::{headcount, stderr};

async fn start() -> Harness {
    sim_support::start_unlimited(SimConfig {
        scenario: Scenario::Small,
        earlier_sessions: 2,
        ..SimConfig::default()
    })
    .await
}

/// Runs `headcount COMMAND TYPE:ID ARGS…` against `sim`.
async fn run(sim: &Harness, command: &str, args: &[&str]) -> Output {
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let words = [command, call.as_str()]
        .into_iter()
        .chain(args.iter().copied());
    headcount(&sim.base_url(), sim_support::cli::args(words), &[]).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn totals_export_and_roster_default_to_the_current_session() {
    let sim = start().await;
    let current = sim.session_id().to_owned();
    for (command, args) in [
        ("totals", vec!["--format", "json"]),
        ("totals", vec!["--user", "recording-bot"]),
        ("export", vec!["--format", "json"]),
        ("export", vec!["--by", "user"]),
        ("roster", vec!["--format", "json"]),
    ] {
        let defaulted = run(&sim, command, &args).await;
        assert!(
            defaulted.status.success(),
            "{command}: {}",
            stderr(&defaulted)
        );
        let mut named_args = args.clone();
        named_args.extend(["--session", &current]);
        let named = run(&sim, command, &named_args).await;
        assert!(named.status.success(), "{command}: {}", stderr(&named));
        assert_eq!(
            stdout(&defaulted),
            stdout(&named),
            "{command} {args:?} reads the current session"
        );
        // An export's records do not name their session; the figures name it.
        if command != "export" {
            assert!(stdout(&defaulted).contains(&current), "{command} {args:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_session_is_read_when_named() {
    let sim = start().await;
    let earlier = sim.earlier_session_ids()[0].clone();
    let output = run(&sim, "totals", &["--format", "json", "--session", &earlier]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(&earlier));
    assert!(!stdout(&output).contains(sim.session_id()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_session_exits_4_and_says_how_to_list_the_sessions() {
    let sim = start().await;
    let listing = format!("`headcount sessions {}:{}`", sim.call_type(), sim.call_id());
    for command in ["totals", "export", "roster"] {
        let output = run(&sim, command, &["--session", "no-such-session"]).await;
        assert_eq!(
            output.status.code(),
            Some(4),
            "{command}: {}",
            stderr(&output)
        );
        let said = stderr(&output);
        assert!(said.contains("no-such-session"), "{command}: {said}");
        assert!(said.contains(&listing), "{command}: {said}");
        assert!(stdout(&output).is_empty(), "{command} printed nothing");
    }
}
