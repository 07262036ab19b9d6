//! Resolution of the effective settings from flags, environment, config file and defaults.
//!
//! [`resolve`] is pure apart from running a profile's `api_secret_cmd`: the environment comes in
//! as a lookup function and the file as already-read contents, so every precedence rule is
//! unit-testable without touching the process environment.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::{ConfigError, MissingCredentials};
use super::file::{LoadedFile, Profile, ProfileSecret};
use super::secret::{DEFAULT_SECRET_CMD_TIMEOUT, run_secret_command};
use super::values::{DEFAULT_BASE_URL, LOCAL_TZ, Theme, parse_base_url};
use crate::api::ApiSecret;
use crate::attendance::PresentThreshold;

pub(crate) const ENV_API_KEY: &str = "STREAM_API_KEY";
pub(crate) const ENV_API_SECRET: &str = "STREAM_API_SECRET";
pub(crate) const ENV_BASE_URL: &str = "STREAM_BASE_URL";
pub(crate) const ENV_PROFILE: &str = "HEADCOUNT_PROFILE";
pub(crate) const ENV_CONFIG: &str = "HEADCOUNT_CONFIG";

pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
pub(crate) const DEFAULT_LATE_GRACE: Duration = Duration::from_secs(5 * 60);
pub(crate) const DEFAULT_EARLY_GRACE: Duration = Duration::from_secs(5 * 60);
pub(crate) const DEFAULT_RECONNECT_GAP: Duration = Duration::from_secs(60);

/// Looks up an environment variable; [`std::env::var`] in the binary, a map in tests.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Everything a command needs to talk to Stream and present the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) api_key: String,
    pub(crate) api_secret: ApiSecret,
    /// `local` or an IANA time zone name.
    pub(crate) tz: String,
    pub(crate) interval: Duration,
    pub(crate) late_grace: Duration,
    pub(crate) early_grace: Duration,
    pub(crate) reconnect_gap: Duration,
    /// The share of their expected time a member must attend to be present.
    pub(crate) present_threshold: PresentThreshold,
    pub(crate) theme: Theme,
    pub(crate) profile: Option<String>,
    pub(crate) config_path: Option<PathBuf>,
}

/// Values given on the command line; `None` means the flag was absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Overrides {
    pub(crate) profile: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) tz: Option<String>,
    pub(crate) interval: Option<Duration>,
    pub(crate) late_grace: Option<Duration>,
    pub(crate) early_grace: Option<Duration>,
    pub(crate) reconnect_gap: Option<Duration>,
    pub(crate) present_threshold: Option<PresentThreshold>,
    pub(crate) theme: Option<Theme>,
}

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A command-line flag, e.g. `--base-url`.
    Flag(&'static str),
    /// An environment variable.
    Env(String),
    /// A key of the chosen `[profiles.NAME]` table.
    Profile(String),
    /// The environment variable that the profile's `api_secret_env` names.
    ProfileSecretEnv { profile: String, var: String },
    /// The output of the profile's `api_secret_cmd`.
    ProfileSecretCmd(String),
    /// A top-level key of the config file.
    File,
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Profile(name) => write!(f, "file, profile {name}"),
            Source::ProfileSecretEnv { profile, var } => {
                write!(f, "env {var}, named by profile {profile}")
            }
            Source::ProfileSecretCmd(profile) => write!(f, "api_secret_cmd of profile {profile}"),
            Source::File => f.write_str("file"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// Every setting with its origin, before checking that the credentials are present; this is
/// what `headcount config show` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) base_url: Sourced<String>,
    pub(crate) api_key: Option<Sourced<String>>,
    pub(crate) api_secret: Option<Sourced<ApiSecret>>,
    pub(crate) tz: Sourced<String>,
    pub(crate) interval: Sourced<Duration>,
    pub(crate) late_grace: Sourced<Duration>,
    pub(crate) early_grace: Sourced<Duration>,
    pub(crate) reconnect_gap: Sourced<Duration>,
    pub(crate) present_threshold: Sourced<PresentThreshold>,
    pub(crate) theme: Sourced<Theme>,
    pub(crate) profile: Option<Sourced<String>>,
    pub(crate) config_path: Option<PathBuf>,
    pub(crate) config_exists: bool,
    /// Every profile the file defines.
    pub(crate) profiles: Vec<String>,
}

impl Resolved {
    /// The settings, or an error explaining how to provide a missing key or secret.
    pub(crate) fn into_settings(self) -> Result<Settings, ConfigError> {
        let (Some(api_key), Some(api_secret)) = (&self.api_key, &self.api_secret) else {
            let missing = [
                self.api_key.is_none().then_some("API key"),
                self.api_secret.is_none().then_some("API secret"),
            ];
            return Err(MissingCredentials {
                missing: missing.into_iter().flatten().collect(),
                path: self.config_path,
                profile: self.profile.map(|p| p.value),
                profiles: self.profiles,
            }
            .into());
        };
        Ok(Settings {
            api_key: api_key.value.clone(),
            api_secret: api_secret.value.clone(),
            base_url: self.base_url.value,
            tz: self.tz.value,
            interval: self.interval.value,
            late_grace: self.late_grace.value,
            early_grace: self.early_grace.value,
            reconnect_gap: self.reconnect_gap.value,
            present_threshold: self.present_threshold.value,
            theme: self.theme.value,
            profile: self.profile.map(|p| p.value),
            config_path: self.config_path,
        })
    }
}

/// Applies the precedence flags > environment > file (chosen profile, then top level) > defaults.
pub(crate) fn resolve(
    overrides: &Overrides,
    env: EnvLookup<'_>,
    file: &LoadedFile,
) -> Result<Resolved, ConfigError> {
    let env = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let selected = select_profile(overrides, &env, file)?;
    let chosen = selected
        .as_ref()
        .map(|(name, profile)| (name.value.as_str(), *profile));
    let top = &file.config;
    Ok(Resolved {
        base_url: resolve_base_url(overrides, &env, chosen)?,
        api_key: resolve_api_key(&env, chosen),
        api_secret: resolve_secret(&env, chosen)?,
        tz: layered(&overrides.tz, "--tz", &top.tz, LOCAL_TZ.to_owned()),
        interval: layered(
            &overrides.interval,
            "--interval",
            &top.interval,
            DEFAULT_INTERVAL,
        ),
        late_grace: layered(
            &overrides.late_grace,
            "--late-grace",
            &top.late_grace,
            DEFAULT_LATE_GRACE,
        ),
        early_grace: layered(
            &overrides.early_grace,
            "--early-grace",
            &top.early_grace,
            DEFAULT_EARLY_GRACE,
        ),
        reconnect_gap: layered(
            &overrides.reconnect_gap,
            "--reconnect-gap",
            &top.reconnect_gap,
            DEFAULT_RECONNECT_GAP,
        ),
        present_threshold: layered(
            &overrides.present_threshold,
            "--present-threshold",
            &top.present_threshold,
            PresentThreshold::DEFAULT,
        ),
        theme: layered(&overrides.theme, "--theme", &top.theme, Theme::default()),
        profile: selected.as_ref().map(|(name, _)| name.clone()),
        config_path: file.path.clone(),
        config_exists: file.exists,
        profiles: top.profile_names(),
    })
}

/// A setting with no environment variable: flag, then top-level file key, then default.
fn layered<T: Clone>(
    flag: &Option<T>,
    flag_name: &'static str,
    file: &Option<T>,
    default: T,
) -> Sourced<T> {
    match (flag, file) {
        (Some(value), _) => Sourced::new(value.clone(), Source::Flag(flag_name)),
        (None, Some(value)) => Sourced::new(value.clone(), Source::File),
        (None, None) => Sourced::new(default, Source::Default),
    }
}

/// The profile used when none is chosen, if the file defines it.
const DEFAULT_PROFILE: &str = "default";

/// The profile named by `--profile`, else `HEADCOUNT_PROFILE`, else `default_profile`, else
/// the profile named `default` if the file has one (as the AWS and gcloud command lines do).
fn select_profile<'f>(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    file: &'f LoadedFile,
) -> Result<Option<(Sourced<String>, &'f Profile)>, ConfigError> {
    let chosen = overrides
        .profile
        .clone()
        .map(|name| Sourced::new(name, Source::Flag("--profile")))
        .or_else(|| {
            env(ENV_PROFILE).map(|name| Sourced::new(name, Source::Env(ENV_PROFILE.into())))
        })
        .or_else(|| {
            let name = file.config.default_profile.clone()?;
            Some(Sourced::new(name, Source::File))
        })
        .or_else(|| {
            file.config
                .profiles
                .contains_key(DEFAULT_PROFILE)
                .then(|| Sourced::new(DEFAULT_PROFILE.to_owned(), Source::Default))
        });
    let Some(name) = chosen else {
        return Ok(None);
    };
    match file.config.profiles.get(&name.value) {
        Some(profile) => Ok(Some((name, profile))),
        None => Err(ConfigError::UnknownProfile {
            name: name.value,
            chosen_by: name.source,
            path: file.path.clone(),
            known: file.config.profile_names(),
        }),
    }
}

type Chosen<'a> = Option<(&'a str, &'a Profile)>;

fn resolve_base_url(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    chosen: Chosen<'_>,
) -> Result<Sourced<String>, ConfigError> {
    if let Some(url) = &overrides.base_url {
        return Ok(Sourced::new(url.clone(), Source::Flag("--base-url")));
    }
    if let Some(url) = env(ENV_BASE_URL) {
        let url = parse_base_url(&url).map_err(|message| ConfigError::InvalidEnv {
            var: ENV_BASE_URL,
            message,
        })?;
        return Ok(Sourced::new(url, Source::Env(ENV_BASE_URL.into())));
    }
    Ok(chosen
        .and_then(|(name, profile)| {
            let url = profile.base_url.clone()?;
            Some(Sourced::new(url, Source::Profile(name.to_owned())))
        })
        .unwrap_or_else(|| Sourced::new(DEFAULT_BASE_URL.to_owned(), Source::Default)))
}

fn resolve_api_key(
    env: &dyn Fn(&str) -> Option<String>,
    chosen: Chosen<'_>,
) -> Option<Sourced<String>> {
    if let Some(key) = env(ENV_API_KEY) {
        return Some(Sourced::new(key, Source::Env(ENV_API_KEY.into())));
    }
    let (name, profile) = chosen?;
    let key = profile
        .api_key
        .clone()
        .filter(|key| !key.trim().is_empty())?;
    Some(Sourced::new(key, Source::Profile(name.to_owned())))
}

/// The environment wins; a profile's command runs only when its secret is actually needed.
fn resolve_secret(
    env: &dyn Fn(&str) -> Option<String>,
    chosen: Chosen<'_>,
) -> Result<Option<Sourced<ApiSecret>>, ConfigError> {
    if let Some(secret) = env(ENV_API_SECRET) {
        return Ok(Some(Sourced::new(
            ApiSecret::new(secret),
            Source::Env(ENV_API_SECRET.into()),
        )));
    }
    let Some((name, profile)) = chosen else {
        return Ok(None);
    };
    let sourced = match profile.secret() {
        None => return Ok(None),
        Some(ProfileSecret::Inline(secret)) => {
            Sourced::new(secret.clone(), Source::Profile(name.to_owned()))
        }
        Some(ProfileSecret::Env(var)) => {
            let secret = env(var).ok_or_else(|| ConfigError::SecretEnvUnset {
                profile: name.to_owned(),
                var: var.to_owned(),
            })?;
            let source = Source::ProfileSecretEnv {
                profile: name.to_owned(),
                var: var.to_owned(),
            };
            Sourced::new(ApiSecret::new(secret), source)
        }
        Some(ProfileSecret::Command(command)) => {
            let timeout = profile
                .api_secret_cmd_timeout
                .unwrap_or(DEFAULT_SECRET_CMD_TIMEOUT);
            let secret = run_secret_command(command, timeout).map_err(|reason| {
                ConfigError::SecretCommand {
                    profile: name.to_owned(),
                    reason,
                }
            })?;
            Sourced::new(secret, Source::ProfileSecretCmd(name.to_owned()))
        }
    };
    Ok(Some(sourced))
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
