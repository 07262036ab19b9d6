//! Process exit codes: one per kind of failure, so that scripts can react without parsing
//! messages.
//!
//! | code | kind          | when                                                                 |
//! |------|---------------|----------------------------------------------------------------------|
//! | 0    | `Success`     | the command did what it was asked                                    |
//! | 1    | `Failure`     | anything not listed below                                            |
//! | 2    | `Usage`       | the command line is wrong: unknown flag, bad value, filter, `TYPE:ID` |
//! | 3    | `Auth`        | Stream rejected the API key or secret                                |
//! | 4    | `NotFound`    | the call or session does not exist (or the call has none yet); `totals --user`: no such user |
//! | 5    | `RateLimited` | Stream's rate limit was still exceeded after retrying                |
//! | 6    | `Network`     | Stream could not be reached (DNS, connection, TLS, timeout)          |
//! | 7    | `Config`      | the configuration is wrong: config file, profile, missing credentials |
//! | 8    | `Incomplete`  | the data is incomplete: rows are missing or doubled; the output said what |
//! | 9    | `StatesFound` | `roster --fail-on`: someone is in one of the states named             |
//! | 128+N | `Interrupted` | signal N ended it: SIGHUP (129), SIGINT (130), SIGQUIT (131), SIGTERM (143) |

use std::io::Write;
use std::process::ExitCode;

use super::call_ref::CallRefError;
use super::config::ConfigError;
use super::roster::StatesFound;
use super::session_read::{IncompleteData, InvalidFilter, NoSuchSession};
use super::signals::{Interrupted, Signal};
use super::totals::card::UnknownUser;
use crate::api::{ApiError, ErrorKind};
use crate::filter::ParseError;
use crate::ui::safe_text::terminal_safe;

/// A command line whose options do not go together; exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// Why the process stops; [`ExitKind::code`] is its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ExitKind {
    Success,
    Failure,
    Usage,
    Auth,
    NotFound,
    RateLimited,
    Network,
    Config,
    /// Rows are missing or doubled; the output said what (see `fetch::Completeness`).
    Incomplete,
    /// `roster --fail-on STATES`: someone is in one of those states; the roster was printed.
    StatesFound,
    /// Stopped by a signal, after cleaning up (see `cli::signals`).
    Interrupted(Signal),
}

impl ExitKind {
    /// The exit status. Usage errors are 2 because clap already exits with 2 for them.
    pub(crate) const fn code(self) -> u8 {
        match self {
            ExitKind::Success => 0,
            ExitKind::Failure => 1,
            ExitKind::Usage => 2,
            ExitKind::Auth => 3,
            ExitKind::NotFound => 4,
            ExitKind::RateLimited => 5,
            ExitKind::Network => 6,
            ExitKind::Config => 7,
            ExitKind::Incomplete => 8,
            ExitKind::StatesFound => 9,
            ExitKind::Interrupted(signal) => 128 + signal.number(),
        }
    }

    /// The kind of an error, found by looking through its chain of causes for a type that
    /// carries one; anything unknown is a plain [`ExitKind::Failure`].
    pub(crate) fn of(err: &anyhow::Error) -> ExitKind {
        err.chain()
            .find_map(|cause| {
                if let Some(Interrupted(signal)) = cause.downcast_ref::<Interrupted>() {
                    Some(ExitKind::Interrupted(*signal))
                } else if cause.is::<ConfigError>() {
                    Some(ExitKind::Config)
                } else if cause.is::<IncompleteData>() {
                    Some(ExitKind::Incomplete)
                } else if cause.is::<UnknownUser>() || cause.is::<NoSuchSession>() {
                    Some(ExitKind::NotFound)
                } else if cause.is::<StatesFound>() {
                    Some(ExitKind::StatesFound)
                } else if cause.is::<CallRefError>()
                    || cause.is::<UsageError>()
                    || cause.is::<ParseError>()
                    || cause.is::<InvalidFilter>()
                {
                    Some(ExitKind::Usage)
                } else {
                    cause.downcast_ref::<ApiError>().map(ExitKind::of_api)
                }
            })
            .unwrap_or(ExitKind::Failure)
    }

    /// Stream's own classification decides; a request Stream rejected as malformed (such as a
    /// filter it does not accept) is a usage error, since only the command line can fix it.
    fn of_api(err: &ApiError) -> ExitKind {
        match err.kind() {
            ErrorKind::Auth => ExitKind::Auth,
            ErrorKind::NotFound => ExitKind::NotFound,
            ErrorKind::RateLimited => ExitKind::RateLimited,
            ErrorKind::Network => ExitKind::Network,
            ErrorKind::Config => ExitKind::Config,
            ErrorKind::Input => ExitKind::Usage,
            ErrorKind::Server | ErrorKind::Decode => ExitKind::Failure,
        }
    }
}

impl From<ExitKind> for ExitCode {
    fn from(kind: ExitKind) -> Self {
        ExitCode::from(kind.code())
    }
}

/// Turns a command's outcome into the exit code, printing the error (with its causes) on
/// stderr. A signal's exit status says it all: nothing is printed for it.
pub(crate) fn finish(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitKind::Success.into(),
        Err(err) => {
            let kind = ExitKind::of(&err);
            if !matches!(kind, ExitKind::Interrupted(_)) {
                // After a hangup stderr may be gone; failing to say so changes nothing.
                let _ = writeln!(std::io::stderr().lock(), "error: {}", message(&err));
            }
            kind.into()
        }
    }
}

/// The error and its causes, each said once, with anything that would control the terminal
/// (from the server, a file name) shown as escapes. A context that already quotes its cause,
/// such as `cannot replace x.csv: Is a directory (os error 21)` over the I/O error itself, is
/// not followed by that cause again.
pub(crate) fn message(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let said = cause.to_string();
        if said.is_empty() || text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text.lines()
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use anyhow::Context;

    use super::*;

    const ALL: [ExitKind; 10] = [
        ExitKind::Success,
        ExitKind::Failure,
        ExitKind::Usage,
        ExitKind::Auth,
        ExitKind::NotFound,
        ExitKind::RateLimited,
        ExitKind::Network,
        ExitKind::Config,
        ExitKind::Incomplete,
        ExitKind::StatesFound,
    ];

    #[test]
    fn codes_are_distinct_and_match_the_documented_table() {
        let codes: Vec<u8> = ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), ALL.len());
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

    fn stream_error(status: u16) -> anyhow::Error {
        let error: ApiError = crate::api::StatusError {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            body: None,
            excerpt: None,
            rate_limit: None,
            retry_at: None,
        }
        .into();
        anyhow::Error::from(error).context("reading the participant sessions")
    }

    #[test]
    fn stream_errors_exit_by_their_kind_even_behind_context() {
        let kinds: Vec<ExitKind> = [401, 403, 404, 429, 400, 500]
            .map(|status| ExitKind::of(&stream_error(status)))
            .to_vec();
        assert_eq!(
            kinds,
            [
                ExitKind::Auth,
                ExitKind::Auth,
                ExitKind::NotFound,
                ExitKind::RateLimited,
                ExitKind::Usage,
                ExitKind::Failure
            ]
        );
    }

    #[test]
    fn unreachable_stream_and_unusable_settings_have_their_own_codes() {
        let network = ApiError::Network(crate::api::NetworkError {
            base_url: "http://127.0.0.1:9".into(),
            failure: crate::api::NetworkFailure::Refused,
            detail: "Connection refused".into(),
        });
        assert_eq!(ExitKind::of(&network.into()), ExitKind::Network);
        let config = ApiError::Config(crate::api::ClientConfigError::MissingCredential {
            name: "STREAM_API_KEY",
        });
        assert_eq!(ExitKind::of(&config.into()), ExitKind::Config);
    }

    #[test]
    fn a_malformed_filter_is_a_usage_error() {
        let err = anyhow::Error::from(ParseError::new(4, "expected a duration"))
            .context("reading --filter");
        assert_eq!(ExitKind::of(&err), ExitKind::Usage);
        assert_eq!(ExitKind::Usage.code(), 2);
    }

    #[test]
    fn signals_exit_with_128_plus_their_number() {
        let codes = [
            Signal::Hangup,
            Signal::Interrupt,
            Signal::Quit,
            Signal::Terminate,
        ]
        .map(|signal| ExitKind::of(&Interrupted(signal).into()).code());
        assert_eq!(codes, [129, 130, 131, 143]);
    }

    #[test]
    fn a_cause_already_quoted_by_its_context_is_not_repeated() {
        let os = std::io::Error::from_raw_os_error(21);
        let said = os.to_string();
        let err = anyhow::Error::from(os).context(format!("cannot replace x.csv: {said}"));
        assert_eq!(message(&err), format!("cannot replace x.csv: {said}"));
        let err = anyhow::anyhow!("disk full").context("writing the records");
        assert_eq!(message(&err), "writing the records: disk full");
    }

    #[test]
    fn messages_show_terminal_controls_as_escapes_and_keep_their_lines() {
        let err = anyhow::anyhow!("role \u{1b}[31mhost\u{202e}\nsecond line");
        assert_eq!(message(&err), "role \\x1b[31mhost\\u{202e}\nsecond line");
    }

    #[test]
    fn incomplete_data_exits_with_8() {
        let shortfall = crate::fetch::Shortfall::Sessions {
            read: 900,
            total: 5_000,
        };
        let err = anyhow::Error::from(IncompleteData::Read(shortfall)).context("reading");
        assert_eq!(ExitKind::of(&err), ExitKind::Incomplete);
        assert_eq!(ExitKind::Incomplete.code(), 8);
        let listing = IncompleteData::Listing {
            reason: crate::api::StopReason::RepeatedCursor,
            listed: 3,
        };
        let said = listing.to_string();
        assert!(said.starts_with("incomplete data: the list of sessions stopped early: Stream offered a page cursor it had already given"), "{said}");
        assert_eq!(ExitKind::of(&listing.into()), ExitKind::Incomplete);
    }

    #[test]
    fn unknown_errors_are_plain_failures() {
        let err = anyhow::anyhow!("disk full");
        assert_eq!(ExitKind::of(&err), ExitKind::Failure);
    }
}
