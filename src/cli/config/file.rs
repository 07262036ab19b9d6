//! The config file: its schema, parsing with precise errors, and the permission check.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::duration;
use super::error::ConfigError;
use super::values::{self, Theme};
use crate::api::ApiSecret;
use crate::attendance::PresentThreshold;

/// The whole file. Unknown keys are refused so that a typo never silently falls back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub(crate) default_profile: Option<String>,
    #[serde(default, deserialize_with = "values::deserialize_tz")]
    pub(crate) tz: Option<String>,
    #[serde(default, deserialize_with = "duration::deserialize_interval")]
    pub(crate) interval: Option<Duration>,
    #[serde(default, deserialize_with = "duration::deserialize_grace")]
    pub(crate) late_grace: Option<Duration>,
    #[serde(default, deserialize_with = "duration::deserialize_grace")]
    pub(crate) early_grace: Option<Duration>,
    #[serde(default, deserialize_with = "duration::deserialize_reconnect_gap")]
    pub(crate) reconnect_gap: Option<Duration>,
    #[serde(default, deserialize_with = "values::deserialize_present_threshold")]
    pub(crate) present_threshold: Option<PresentThreshold>,
    pub(crate) theme: Option<Theme>,
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table: how to reach one Stream app.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[serde(default, deserialize_with = "values::deserialize_base_url")]
    pub(crate) base_url: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) api_secret: Option<ApiSecret>,
    pub(crate) api_secret_env: Option<String>,
    pub(crate) api_secret_cmd: Option<String>,
    /// How long `api_secret_cmd` may take (default 20 s).
    #[serde(default, deserialize_with = "duration::deserialize_secret_cmd_timeout")]
    pub(crate) api_secret_cmd_timeout: Option<Duration>,
}

/// Where a profile says its secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProfileSecret<'a> {
    Inline(&'a ApiSecret),
    Env(&'a str),
    Command(&'a str),
}

impl Profile {
    /// The single secret source of this profile, if it has one (checked by [`FileConfig::parse`]).
    pub(crate) fn secret(&self) -> Option<ProfileSecret<'_>> {
        self.secret_sources().into_iter().next()
    }

    fn secret_sources(&self) -> Vec<ProfileSecret<'_>> {
        let inline = self.api_secret.as_ref().map(ProfileSecret::Inline);
        let env = self.api_secret_env.as_deref().map(ProfileSecret::Env);
        let command = self.api_secret_cmd.as_deref().map(ProfileSecret::Command);
        [inline, env, command].into_iter().flatten().collect()
    }
}

impl FileConfig {
    /// Parses the text of the file at `path` (used only in messages).
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: FileConfig =
            toml::from_str(text).map_err(|err| parse_error(&err, text, path))?;
        config.check_secret_sources(path)?;
        Ok(config)
    }

    /// Whether any profile keeps its secret in the file itself.
    pub(crate) fn holds_inline_secret(&self) -> bool {
        self.profiles.values().any(|p| p.api_secret.is_some())
    }

    /// The profile names, sorted, for error messages.
    pub(crate) fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    fn check_secret_sources(&self, path: &Path) -> Result<(), ConfigError> {
        match self
            .profiles
            .iter()
            .find(|(_, p)| p.secret_sources().len() > 1)
        {
            Some((name, _)) => Err(ConfigError::SecretSources {
                path: path.to_owned(),
                profile: name.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Builds the error from the message and position only: toml's own rendering quotes the
/// offending line, which may be the one holding the secret.
fn parse_error(err: &toml::de::Error, text: &str, path: &Path) -> ConfigError {
    let (line, column) = err
        .span()
        .map_or((1, 1), |span| line_and_column(text, span.start));
    ConfigError::Parse {
        path: path.to_owned(),
        line,
        column,
        message: err.message().trim().to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The file at `path` as found on disk: its contents, or the fact that it does not exist.
#[derive(Debug, Default)]
pub(crate) struct LoadedFile {
    pub(crate) path: Option<PathBuf>,
    pub(crate) exists: bool,
    pub(crate) config: FileConfig,
}

/// The largest config file read: a real one is a few hundred bytes, and `HEADCOUNT_CONFIG`
/// naming something endless (`/dev/zero`, a log) must not fill the memory.
pub(crate) const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The file's text, at most [`MAX_CONFIG_BYTES`]. Read as a stream, so that `/dev/null` and a
/// process substitution (`<(pass show headcount)`) work as files do.
fn read_capped(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;

    let read_error = |source| ConfigError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
            limit: MAX_CONFIG_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| {
        read_error(io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text",
        ))
    })
}

impl LoadedFile {
    /// Reads and checks the file; a missing file is an empty configuration.
    pub(crate) fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = match read_capped(path) {
            Ok(text) => text,
            Err(ConfigError::Read { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                return Ok(Self {
                    path: Some(path.to_owned()),
                    ..Self::default()
                });
            }
            Err(err) => return Err(err),
        };
        let config = FileConfig::parse(&text, path)?;
        if config.holds_inline_secret() {
            check_private(path)?;
        }
        Ok(Self {
            path: Some(path.to_owned()),
            exists: true,
            config,
        })
    }
}

/// Refuses a file holding a secret that group or others can read.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;

    let metadata = std::fs::metadata(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::InsecurePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

/// Windows has no mode bits; the user profile directory is private by default.
#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        FileConfig::parse(text, Path::new("/etc/hc.toml"))
    }

    #[test]
    fn full_file_parses() {
        let config = parse(
            r#"
            default_profile = "prod"
            tz = "Europe/Paris"
            interval = 10
            late_grace = "2m"
            early_grace = "90s"
            reconnect_gap = 30
            present_threshold = "75%"
            theme = "mono"

            [profiles.prod]
            base_url = "https://example.com/"
            api_key = "key"
            api_secret_env = "PROD_SECRET"
            "#,
        )
        .unwrap();
        assert_eq!(config.default_profile.as_deref(), Some("prod"));
        assert_eq!(config.tz.as_deref(), Some("Europe/Paris"));
        assert_eq!(config.interval, Some(Duration::from_secs(10)));
        assert_eq!(config.late_grace, Some(Duration::from_secs(120)));
        assert_eq!(config.early_grace, Some(Duration::from_secs(90)));
        assert_eq!(config.reconnect_gap, Some(Duration::from_secs(30)));
        assert_eq!(config.present_threshold.unwrap().percent(), 75.0);
        assert_eq!(config.theme, Some(Theme::Mono));
        let prod = &config.profiles["prod"];
        assert_eq!(prod.base_url.as_deref(), Some("https://example.com"));
        assert_eq!(prod.secret(), Some(ProfileSecret::Env("PROD_SECRET")));
    }

    #[test]
    fn unknown_key_names_key_file_and_line() {
        let err = parse("tz = \"UTC\"\n\n[profiles.a]\napi_kye = \"k\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("api_kye"), "{text}");
        assert!(text.contains("/etc/hc.toml:4:"), "{text}");
    }

    #[test]
    fn unknown_top_level_key_is_refused() {
        let text = parse("colour = \"blue\"\n").unwrap_err().to_string();
        assert!(text.contains("colour") && text.contains(":1:1"), "{text}");
    }

    #[test]
    fn bad_values_are_refused_with_their_line() {
        for (file, needle) in [
            ("\ninterval = \"5x\"", "invalid duration"),
            ("\ninterval = 0", "from 1s to 1h"),
            ("\ninterval = 9223372037", "from 1s to 1h"),
            ("\nlate_grace = \"2d\"", "invalid duration"),
            ("\nreconnect_gap = \"25h\"", "from 0s to 24h"),
            (
                "\n[profiles.a]\napi_secret_cmd_timeout = 0",
                "from 1s to 10m",
            ),
            ("\nlate_grace = -1", "invalid duration"),
            ("\npresent_threshold = 120", "between 0 and 100"),
            ("\npresent_threshold = \"most\"", "a percentage such as"),
            ("\ntheme = \"dark\"", "dark"),
            ("\ntz = \"Mars/Olympus\"", "unknown time zone"),
            ("\n[profiles.a]\nbase_url = \"nope\"", "invalid base URL"),
        ] {
            let text = parse(file).unwrap_err().to_string();
            assert!(text.contains(needle), "{file:?} gave {text}");
            assert!(text.contains("/etc/hc.toml:2:") || text.contains("/etc/hc.toml:3:"));
        }
    }

    #[test]
    fn parse_errors_never_quote_the_secret_line() {
        let text = parse("[profiles.a]\napi_secrte = \"topsecret\"\n")
            .unwrap_err()
            .to_string();
        assert!(text.contains("api_secrte"), "{text}");
        assert!(!text.contains("topsecret"), "{text}");
    }

    #[test]
    fn two_secret_sources_in_one_profile_are_refused() {
        let text = parse("[profiles.a]\napi_secret = \"s\"\napi_secret_cmd = \"pass x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("profile `a`") && text.contains("keep one"),
            "{text}"
        );
    }

    #[cfg(unix)]
    fn write_with_mode(text: &str, mode: u32) -> tempfile::NamedTempFile {
        use std::os::unix::fs::PermissionsExt;

        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        file
    }

    #[cfg(unix)]
    #[test]
    fn readable_file_with_inline_secret_is_refused_with_the_fix() {
        let file = write_with_mode("[profiles.a]\napi_key = \"k\"\napi_secret = \"s\"\n", 0o644);
        let text = LoadedFile::read(file.path()).unwrap_err().to_string();
        let fix = format!("chmod 600 {}", file.path().display());
        assert!(text.contains(&fix), "{text}");
        assert!(text.contains("0644"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn private_file_with_secret_and_readable_file_without_secret_are_accepted() {
        let private = write_with_mode("[profiles.a]\napi_secret = \"s\"\n", 0o600);
        assert!(LoadedFile::read(private.path()).unwrap().exists);
        let public = write_with_mode("[profiles.a]\napi_secret_env = \"S\"\n", 0o644);
        assert!(LoadedFile::read(public.path()).unwrap().exists);
    }

    #[test]
    fn the_example_is_valid_commented_out_and_uncommented() {
        let example = super::super::command::EXAMPLE;
        let commented = parse(example).unwrap();
        assert!(commented.profiles.is_empty() && commented.tz.is_none());

        let setting = |line: &&str| line.starts_with("# [") || line.contains(" = ");
        let uncommented: String = example
            .lines()
            .filter(|line| line.starts_with("# ") && setting(line) && !line.starts_with("#   "))
            .map(|line| format!("{}\n", &line[2..]))
            .collect();
        let config = parse(&uncommented).unwrap();
        assert_eq!(config.default_profile.as_deref(), Some("production"));
        assert_eq!(config.interval, Some(Duration::from_secs(5)));
        assert_eq!(config.profile_names(), ["production", "staging"]);
        let production = config.profiles["production"].secret();
        assert_eq!(
            production,
            Some(ProfileSecret::Command("pass show stream/production"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused_at_one_mebibyte_and_dev_null_is_empty() {
        let started = std::time::Instant::now();
        let text = LoadedFile::read(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(text.contains("larger than 1 MiB"), "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let empty = LoadedFile::read(Path::new("/dev/null")).unwrap();
        assert!(empty.exists && empty.config.profiles.is_empty());
    }

    #[test]
    fn a_file_of_exactly_the_limit_is_read() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut text = "tz = \"UTC\"\n".to_owned();
        text.push_str(&"#".repeat(MAX_CONFIG_BYTES as usize - text.len()));
        std::fs::write(file.path(), &text).unwrap();
        assert!(LoadedFile::read(file.path()).is_ok());
        std::fs::write(file.path(), format!("{text}#")).unwrap();
        assert!(LoadedFile::read(file.path()).is_err());
    }

    #[test]
    fn missing_file_is_an_empty_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = LoadedFile::read(&dir.path().join("none.toml")).unwrap();
        assert!(!loaded.exists);
        assert!(loaded.config.profiles.is_empty());
    }
}
