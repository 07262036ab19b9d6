//! The real `headcount` binary, run against a sim on loopback with the sim's credentials, no
//! config file, and a short request timeout so that a hang costs a test one second.

#![allow(dead_code)]

use std::ffi::OsString;
use std::process::Output;

use super::{KEY, SECRET};

/// Runs `headcount ARGS` against `base_url`, with `env` on top of the test settings.
pub async fn headcount(base_url: &str, args: Vec<OsString>, env: &[(&str, &str)]) -> Output {
    let config_dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .args(args)
        .env("STREAM_BASE_URL", base_url)
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", SECRET)
        .env("HEADCOUNT_CONFIG", config_dir.path().join("absent.toml"))
        .env("HEADCOUNT_TIMEOUT", "1")
        .env("HEADCOUNT_READY_WAIT", "2")
        .env_remove("HEADCOUNT_PROFILE");
    for (name, value) in env {
        command.env(name, value);
    }
    // The sim serves on this runtime while the binary runs.
    tokio::task::spawn_blocking(move || {
        let output = command.output().unwrap();
        drop(config_dir);
        output
    })
    .await
    .unwrap()
}

/// `["a", "b"]` as command-line arguments.
pub fn args<S: AsRef<std::ffi::OsStr>>(words: impl IntoIterator<Item = S>) -> Vec<OsString> {
    words.into_iter().map(|word| word.as_ref().into()).collect()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
