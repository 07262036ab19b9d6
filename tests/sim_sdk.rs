//! Stream's official SDKs against the sim, unchanged but for their base URL: the Node SDK
//! (`@stream-io/node-sdk`) and the Python SDK (`getstream`), pinned in `tests/sdk/`. Each also
//! works out, from its own reads of members and sessions, who never joined and who attended
//! without being a member, and on a ringing call who rejected and who missed the ring;
//! `headcount roster --format json` must give the same lists.
//! Their dependencies are installed on first run (npm into `tests/sdk/node_modules`, pip into
//! a virtualenv under the target directory).

mod sim_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use headcount::sim::{Scenario, SimConfig};
use serde_json::{Value, json};
use sim_support::cli::{args, headcount, stderr};
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

/// Who never joined, who attended without being a member, who rejected and who missed the
/// ring, as `headcount roster --format json` prints them for the call's current session.
async fn printed_roster(sim: &Harness) -> Value {
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let output = headcount(
        &sim.base_url(),
        args(["roster", call.as_str(), "--format", "json"]),
        &[],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let listed = |states: &[&str]| {
        let mut ids: Vec<&str> = ["members", "not_members"]
            .iter()
            .flat_map(|list| printed[list].as_array().unwrap())
            .filter(|person| states.contains(&person["state"].as_str().unwrap()))
            .map(|person| person["user_id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        json!(ids)
    };
    json!({
        "never_joined": listed(&["absent", "rejected", "missed"]),
        "not_members": listed(&["not-member"]),
        "rejected": listed(&["rejected"]),
        "missed": listed(&["missed"]),
    })
}

/// The `PREFIX {...}` line an SDK script printed.
fn sdk_roster(out: &str, prefix: &str) -> Value {
    let line = out
        .lines()
        .find_map(|line| line.strip_prefix(prefix)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {prefix} line in\n{out}"));
    serde_json::from_str(line).unwrap()
}

/// The SDK's lists and `headcount roster`'s agree, and none of them is empty.
fn assert_same_roster(sdk: &Value, printed: &Value, lists: &[&str]) {
    for list in lists {
        assert!(
            !printed[list].as_array().unwrap().is_empty(),
            "the sim's roster has {list}"
        );
        assert_eq!(
            sdk[list], printed[list],
            "{list}: the SDK's reads vs headcount roster"
        );
    }
}

/// Both rosters the SDK script printed agree with `headcount roster`: the default call's
/// never-joined and not-member lists, and the ringing call's with who rejected and missed.
async fn assert_same_rosters(out: &str, sim: &Harness, ring: &Harness) {
    assert_same_roster(
        &sdk_roster(out, "roster"),
        &printed_roster(sim).await,
        &["never_joined", "not_members"],
    );
    assert_same_roster(
        &sdk_roster(out, "ring_roster"),
        &printed_roster(ring).await,
        &["never_joined", "not_members", "rejected", "missed"],
    );
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
    assert_same_rosters(&out, &sim, &ring).await;
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
    assert_same_rosters(&out, &sim, &ring).await;
}
