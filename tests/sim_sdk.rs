//! Stream's official SDKs against the sim, unchanged but for their base URL: the Node SDK
//! (`@stream-io/node-sdk`) and the Python SDK (`getstream`), pinned in `tests/sdk/`.
//! Their dependencies are installed on first run (npm into `tests/sdk/node_modules`, pip into
//! a virtualenv under the target directory).

mod sim_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use headcount::sim::SimConfig;
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

/// The SIM_* variables the SDK scripts read.
fn sim_env(sim: &Harness) -> Vec<(&'static str, String)> {
    vec![
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
    let out = run(
        Command::new("node")
            .arg("node_sdk.mjs")
            .current_dir(&dir)
            .envs(sim_env(&sim)),
        "the Node SDK check",
    );
    assert!(out.contains("node sdk ok"), "{out}");
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
    let out = run(
        Command::new(&python)
            .arg(sdk_dir().join("python_sdk.py"))
            .envs(sim_env(&sim)),
        "the Python SDK check",
    );
    assert!(out.contains("python sdk ok"), "{out}");
}
