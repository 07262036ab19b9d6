//! The command that fetches the API secret from a password manager (`api_secret_cmd`).

use std::process::{Command, Stdio};

use crate::api::ApiSecret;

/// Runs `sh -c command` and returns its trimmed standard output as the secret.
///
/// Standard error stays attached to the terminal so that password managers can prompt and
/// explain their own failures; the error returned here never contains the output.
pub fn run_secret_command(command: &str) -> Result<ApiSecret, String> {
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
        secret => Ok(ApiSecret::new(secret)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
