//! The thin layer between [`resolve`] and the real process: environment, file system, flags.

use super::error::ConfigError;
use super::file::LoadedFile;
use super::location::config_path;
use super::settings::{Overrides, Resolved, Settings, resolve};
use super::values::parse_base_url;

/// The connection flags shared by every command that talks to Stream.
///
/// `STREAM_BASE_URL` and `HEADCOUNT_PROFILE` are read by [`resolve`], not by clap, so that
/// `headcount config show` can tell a flag from an environment variable.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub(crate) struct ConnectionArgs {
    /// Stream API base URL [env: STREAM_BASE_URL] [default: https://chat.stream-io-api.com]
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub(crate) base_url: Option<String>,

    /// Profile of the config file to use [env: HEADCOUNT_PROFILE]
    #[arg(long, value_name = "NAME", global = true)]
    pub(crate) profile: Option<String>,
}

impl ConnectionArgs {
    /// The overrides these flags imply; commands add their own display flags to them.
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            profile: self.profile.clone(),
            base_url: self.base_url.clone(),
            ..Overrides::default()
        }
    }
}

/// Reads a variable of the real process environment.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The config file in use, read from disk (an empty configuration when it does not exist).
fn load_file() -> Result<LoadedFile, ConfigError> {
    match config_path(&process_env) {
        Some(path) => LoadedFile::read(&path),
        None => Ok(LoadedFile::default()),
    }
}

/// Every setting with its origin, from the real environment and config file.
pub(crate) fn load_resolved(overrides: &Overrides) -> Result<Resolved, ConfigError> {
    resolve(overrides, &process_env, &load_file()?)
}

/// The settings a command runs with, or an error telling how to fix the configuration.
pub(crate) fn load(overrides: &Overrides) -> Result<Settings, ConfigError> {
    load_resolved(overrides)?.into_settings()
}
