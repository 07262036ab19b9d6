//! Everything that can be wrong with the configuration, worded so the user knows the fix.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::settings::{ENV_API_KEY, ENV_API_SECRET, ENV_CONFIG, ENV_PROFILE, Source};

/// A configuration problem. Every variant maps to exit code 7 (see `cli::exit`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },

    #[error(
        "config file {} is larger than {} MiB, which no config file is: \
         is {ENV_CONFIG} naming the right file?",
        path.display(),
        limit / (1024 * 1024)
    )]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "profile `{profile}` in {} sets more than one of api_secret, api_secret_env, \
         api_secret_cmd: keep one",
        path.display()
    )]
    SecretSources { path: PathBuf, profile: String },

    #[error(
        "{} holds an API secret but group or others can read it (mode {mode:04o}); \
         fix it with: chmod 600 {}",
        path.display(),
        path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },

    #[error("unknown profile `{name}` (from {chosen_by}); {}", known_profiles(path.as_deref(), known))]
    UnknownProfile {
        name: String,
        chosen_by: Source,
        path: Option<PathBuf>,
        known: Vec<String>,
    },

    #[error("profile `{profile}` takes its API secret from ${var}, which is not set")]
    SecretEnvUnset { profile: String, var: String },

    #[error("the api_secret_cmd of profile `{profile}` failed: {reason}")]
    SecretCommand { profile: String, reason: String },

    #[error("invalid {var}: {message}")]
    InvalidEnv { var: &'static str, message: String },

    #[error(transparent)]
    MissingCredentials(#[from] MissingCredentials),

    #[error("cannot locate the config file: set {ENV_CONFIG} or HOME")]
    NoLocation,

    #[error("{} already exists; pass --force to overwrite it", path.display())]
    AlreadyExists { path: PathBuf },

    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

fn known_profiles(path: Option<&Path>, known: &[String]) -> String {
    match (path, known) {
        (None, _) => format!("no config file location is known (set {ENV_CONFIG})"),
        (Some(path), []) => format!("{} defines no profiles", path.display()),
        (Some(path), names) => format!("profiles in {}: {}", path.display(), names.join(", ")),
    }
}

/// The API key or secret is not configured anywhere; says every way to provide it.
#[derive(Debug, thiserror::Error)]
pub(crate) struct MissingCredentials {
    /// `"API key"` and/or `"API secret"`.
    pub(crate) missing: Vec<&'static str>,
    pub(crate) path: Option<PathBuf>,
    /// The profile in use, if any.
    pub(crate) profile: Option<String>,
    /// Every profile the file defines.
    pub(crate) profiles: Vec<String>,
}

impl fmt::Display for MissingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .path
            .as_ref()
            .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
        writeln!(f, "no Stream {} configured", self.missing.join(" and "))?;
        match (&self.profile, self.profiles.as_slice()) {
            (Some(profile), _) => writeln!(f, "(profile `{profile}` does not set it)")?,
            (None, []) => {}
            (None, names) => writeln!(
                f,
                "({file} defines profiles {} but none is selected)",
                names.join(", ")
            )?,
        }
        writeln!(f, "Provide them in one of these ways:")?;
        writeln!(
            f,
            "  - environment: export {ENV_API_KEY}=... {ENV_API_SECRET}=..."
        )?;
        writeln!(f, "  - a profile in {file}:")?;
        writeln!(f, "        [profiles.NAME]")?;
        writeln!(f, "        api_key = \"...\"")?;
        writeln!(f, "        api_secret_cmd = \"pass show stream/NAME\"")?;
        writeln!(
            f,
            "    (or api_secret_env = \"VAR\", or api_secret = \"...\" in a chmod 600 file),"
        )?;
        writeln!(
            f,
            "    chosen with --profile NAME, {ENV_PROFILE}=NAME or default_profile = \"NAME\""
        )?;
        write!(
            f,
            "  - `headcount config init` writes a commented example there"
        )
    }
}
