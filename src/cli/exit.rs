//! Process exit codes: one per kind of failure, so that scripts can react without parsing
//! messages.
//!
//! | code | kind          | when                                                                 |
//! |------|---------------|----------------------------------------------------------------------|
//! | 0    | `Success`     | the command did what it was asked                                    |
//! | 1    | `Failure`     | anything not listed below                                            |
//! | 2    | `Usage`       | the command line is wrong: unknown flag, bad value, filter, `TYPE:ID` |
//! | 3    | `Auth`        | Stream rejected the API key or secret                                |
//! | 4    | `NotFound`    | the call or session does not exist                                   |
//! | 5    | `RateLimited` | Stream's rate limit was still exceeded after retrying                |
//! | 6    | `Network`     | Stream could not be reached (DNS, connection, TLS, timeout)          |
//! | 7    | `Config`      | the configuration is wrong: config file, profile, missing credentials |

use std::process::ExitCode;

use super::call_ref::CallRefError;
use super::config::ConfigError;
use crate::api::{ApiError, ErrorKind};

/// Why the process stops; [`ExitKind::code`] is its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitKind {
    Success,
    Failure,
    Usage,
    Auth,
    NotFound,
    RateLimited,
    Network,
    Config,
}

impl ExitKind {
    pub const ALL: [ExitKind; 8] = [
        ExitKind::Success,
        ExitKind::Failure,
        ExitKind::Usage,
        ExitKind::Auth,
        ExitKind::NotFound,
        ExitKind::RateLimited,
        ExitKind::Network,
        ExitKind::Config,
    ];

    /// The exit status. Usage errors are 2 because clap already exits with 2 for them.
    pub const fn code(self) -> u8 {
        match self {
            ExitKind::Success => 0,
            ExitKind::Failure => 1,
            ExitKind::Usage => 2,
            ExitKind::Auth => 3,
            ExitKind::NotFound => 4,
            ExitKind::RateLimited => 5,
            ExitKind::Network => 6,
            ExitKind::Config => 7,
        }
    }

    /// The kind of an error, found by looking through its chain of causes for a type that
    /// carries one; anything unknown is a plain [`ExitKind::Failure`].
    pub fn of(err: &anyhow::Error) -> ExitKind {
        err.chain()
            .find_map(|cause| {
                if cause.is::<ConfigError>() {
                    Some(ExitKind::Config)
                } else if cause.is::<CallRefError>() {
                    Some(ExitKind::Usage)
                } else {
                    cause
                        .downcast_ref::<ApiError>()
                        .map(|api| api_kind(api.kind()))
                }
            })
            .unwrap_or(ExitKind::Failure)
    }
}

/// The exit kind of a failed call to Stream.
fn api_kind(kind: ErrorKind) -> ExitKind {
    match kind {
        ErrorKind::Auth => ExitKind::Auth,
        ErrorKind::NotFound => ExitKind::NotFound,
        ErrorKind::RateLimited => ExitKind::RateLimited,
        ErrorKind::Network => ExitKind::Network,
        ErrorKind::Config => ExitKind::Config,
        ErrorKind::Input | ErrorKind::Server | ErrorKind::Decode => ExitKind::Failure,
    }
}

impl From<ExitKind> for ExitCode {
    fn from(kind: ExitKind) -> Self {
        ExitCode::from(kind.code())
    }
}

/// Turns a command's outcome into the exit code, printing the error (with its causes) on stderr.
pub fn finish(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitKind::Success.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitKind::of(&err).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use anyhow::Context;

    use super::*;

    #[test]
    fn codes_are_distinct_and_match_the_documented_table() {
        let codes: Vec<u8> = ExitKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            codes.iter().collect::<HashSet<_>>().len(),
            ExitKind::ALL.len()
        );
    }

    #[test]
    fn config_errors_exit_with_7_even_behind_context() {
        let err = anyhow::Error::from(ConfigError::NoLocation).context("loading settings");
        assert_eq!(ExitKind::of(&err), ExitKind::Config);
    }

    #[test]
    fn bad_call_reference_is_a_usage_error() {
        let err = "townhall"
            .parse::<super::super::call_ref::CallRef>()
            .context("reading the call");
        assert_eq!(ExitKind::of(&err.unwrap_err()), ExitKind::Usage);
    }

    #[test]
    fn stream_errors_exit_with_their_kind_even_behind_context() {
        let missing = crate::api::ConfigError::MissingCredential {
            name: "STREAM_API_KEY",
        };
        let err = anyhow::Error::from(ApiError::from(missing)).context("connecting");
        assert_eq!(ExitKind::of(&err), ExitKind::Config);
        assert_eq!(api_kind(ErrorKind::Auth).code(), 3);
        assert_eq!(api_kind(ErrorKind::NotFound).code(), 4);
        assert_eq!(api_kind(ErrorKind::RateLimited).code(), 5);
        assert_eq!(api_kind(ErrorKind::Network).code(), 6);
        assert_eq!(api_kind(ErrorKind::Server), ExitKind::Failure);
    }

    #[test]
    fn unknown_errors_are_plain_failures() {
        let err = anyhow::anyhow!("disk full");
        assert_eq!(ExitKind::of(&err), ExitKind::Failure);
    }
}
