//! Stream's official SDKs against the sim, unchanged but for their base URL: the Node SDK
//! (`@stream-io/node-sdk`) and the Python SDK (`getstream`), pinned in `tests/sdk/`. Each also
//! works out, from its own reads of members and sessions, who never joined and who attended
//! without being a member; headcount's engine must give the same lists.
//! Their dependencies are installed on first run (npm into `tests/sdk/node_modules`, pip into
//! a virtualenv under the target directory).

mod sim_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use headcount::api::members::read_members;
use headcount::api::timestamp::unix_now;
use headcount::api::{PagerOptions, StreamClient};
use headcount::attendance::{
    Classification, ExpectedMember, ReadFacts, RingKnowledge, RosterInput, RosterRules,
    SessionStore, State, user_figures,
};
use headcount::sim::{Scenario, SimConfig};
use serde_json::Value;
use sim_support::*;

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Runs a command to completion while the sim keeps serving on the other runtime threads;
/// panics with its output when it fails.
fn run(command: &mut Command, what: &str) -> String {
    let output = tokio::task::block_in_place(|| command.output())
        .unwrap_or_else(|e| panic!("could not run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The SIM_* variables the SDK scripts read: the call of `sim`, and the ringing call of
/// `ring`.
fn sim_env(sim: &Harness, ring: &Harness) -> Vec<(&'static str, String)> {
    vec![
        ("SIM_RING_URL", ring.base_url()),
        ("SIM_RING_CALL_ID", ring.call_id().to_owned()),
        ("SIM_URL", sim.base_url()),
        ("SIM_KEY", KEY.to_owned()),
        ("SIM_SECRET", SECRET.to_owned()),
        ("SIM_CALL_TYPE", sim.call_type().to_owned()),
        ("SIM_CALL_ID", sim.call_id().to_owned()),
        ("SIM_SESSION_ID", sim.session_id().to_owned()),
        ("SIM_SESSIONS", sim.initial_sessions().to_string()),
        ("SIM_EARLIER_SESSIONS", sim.earlier_session_ids().join(",")),
    ]
}

fn ringing() -> SimConfig {
    SimConfig {
        scenario: Scenario::Ring,
        ..SimConfig::default()
    }
}

/// Who never joined and who attended without being a member, as headcount's engine tells
/// them from its own reads of the sim.
async fn engine_roster(sim: &Harness) -> Value {
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let (call_type, call_id) = (sim.call_type(), sim.call_id());
    let call = client.get_call(call_type, call_id).await.unwrap().body.call;
    let mut store = SessionStore::new();
    let mut pages = client.participant_session_pages(
        call_type,
        call_id,
        sim.session_id(),
        PagerOptions::default(),
    );
    while let Some(page) = pages.next_page().await {
        store.ingest_json(page.unwrap().body.bytes()).unwrap();
    }
    assert!(pages.stop_reason().unwrap().is_complete());
    let read = read_members(&client, call_type, call_id).await.unwrap();
    assert!(read.stop.is_complete());
    let members: Vec<ExpectedMember> = read.members.iter().map(ExpectedMember::from).collect();
    let input = RosterInput {
        members: &members,
        ring: RingKnowledge::of(&call, sim.session_id()),
        created_by: call.created_by.as_ref().map(|c| c.id.as_str()),
        read: ReadFacts::complete(),
        rules: RosterRules::default(),
    };
    let now = unix_now();
    let rows: Vec<_> = store.row_ids().collect();
    let figures = user_figures(&store, &rows, now, &input.rules.thresholds);
    let Classification::Classified(roster) =
        headcount::attendance::classify(&input, &store, &figures, now)
    else {
        panic!("a complete read of an ended session is classified")
    };
    let listed = |keep: &dyn Fn(State) -> bool| {
        let mut ids: Vec<&str> = roster
            .people
            .iter()
            .filter(|p| keep(p.state))
            .map(|p| p.user_id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let never = |state| matches!(state, State::Absent | State::Rejected | State::Missed);
    serde_json::json!({
        "never_joined": listed(&never),
        "not_members": listed(&|state| state == State::NotMember),
    })
}

/// The `roster {...}` line an SDK script printed.
fn sdk_roster(out: &str) -> Value {
    let line = out
        .lines()
        .find_map(|line| line.strip_prefix("roster "))
        .unwrap_or_else(|| panic!("no roster line in\n{out}"));
    serde_json::from_str(line).unwrap()
}

fn assert_same_roster(sdk: &Value, engine: &Value) {
    for list in ["never_joined", "not_members"] {
        assert!(
            !engine[list].as_array().unwrap().is_empty(),
            "the sim's roster has {list}"
        );
        assert_eq!(
            sdk[list], engine[list],
            "{list}: the SDK's reads vs the engine"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_node_sdk_works_unchanged() {
    let dir = sdk_dir();
    if !dir.join("node_modules/@stream-io/node-sdk").exists() {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir),
            "npm ci in tests/sdk",
        );
    }
    let sim = start(SimConfig {
        earlier_sessions: 2,
        ..SimConfig::default()
    })
    .await;
    let ring = start(ringing()).await;
    let out = run(
        Command::new("node")
            .arg("node_sdk.mjs")
            .current_dir(&dir)
            .envs(sim_env(&sim, &ring)),
        "the Node SDK check",
    );
    assert!(out.contains("node sdk ok"), "{out}");
    assert_same_roster(&sdk_roster(&out), &engine_roster(&sim).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_works_unchanged() {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdk-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        );
    }
    let requirements = sdk_dir().join("requirements.txt");
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
        "pip install -r tests/sdk/requirements.txt",
    );
    let sim = start(SimConfig::default()).await;
    let ring = start(ringing()).await;
    let out = run(
        Command::new(&python)
            .arg(sdk_dir().join("python_sdk.py"))
            .envs(sim_env(&sim, &ring)),
        "the Python SDK check",
    );
    assert!(out.contains("python sdk ok"), "{out}");
    assert_same_roster(&sdk_roster(&out), &engine_roster(&sim).await);
}
