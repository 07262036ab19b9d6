//! The API secret: a type that cannot be printed by accident, and the command that fetches it.

use std::fmt;
use std::process::{Command, Stdio};

use serde::Deserialize;

/// What a secret prints as, wherever it would otherwise be shown.
const REDACTED: &str = "(redacted)";

/// A secret string whose `Debug` and `Display` never show it; call [`Secret::expose`] to use it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for signing tokens. Never log or print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Runs `sh -c command` and returns its trimmed standard output as the secret.
///
/// Standard error stays attached to the terminal so that password managers can prompt and
/// explain their own failures; the error returned here never contains the output.
pub fn run_secret_command(command: &str) -> Result<Secret, String> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| format!("could not start `sh -c`: {err}"))?;
    if !output.status.success() {
        return Err(format!("it exited with {}", output.status));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| "its output is not UTF-8".to_owned())?;
    match text.trim() {
        "" => Err("it printed nothing".to_owned()),
        secret => Ok(Secret::new(secret)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_reveals_the_secret() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret}"), "(redacted)");
        assert_eq!(format!("{secret:?}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(&secret)), "Some((redacted))");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn command_output_is_trimmed() {
        let secret = run_secret_command("printf '  s3cret\\n'").unwrap();
        assert_eq!(secret.expose(), "s3cret");
    }

    #[test]
    fn failing_command_reports_its_status_not_its_output() {
        let err = run_secret_command("echo leaked-value; exit 3").unwrap_err();
        assert!(err.contains("exit status: 3"), "{err}");
        assert!(!err.contains("leaked-value"), "{err}");
    }

    #[test]
    fn silent_command_is_an_error() {
        let err = run_secret_command("true").unwrap_err();
        assert!(err.contains("printed nothing"), "{err}");
    }
}
