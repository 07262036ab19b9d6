//! Where the config file lives.
//!
//! `$HEADCOUNT_CONFIG`, else `$XDG_CONFIG_HOME/headcount/config.toml` when that variable is an
//! absolute path (the XDG spec says relative values are invalid and must be ignored), else
//! `~/.config/headcount/config.toml` on Linux and macOS (command-line users there expect
//! `~/.config` rather than macOS's `Library/Application Support`), else the platform's
//! configuration directory.

use std::path::PathBuf;

use super::settings::{ENV_CONFIG, EnvLookup};

const APP_DIR: &str = "headcount";
const FILE_NAME: &str = "config.toml";

/// The path of the config file in use, whether or not it exists; `None` when no home directory
/// can be found.
pub(crate) fn config_path(env: EnvLookup<'_>) -> Option<PathBuf> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    if let Some(path) = set(ENV_CONFIG) {
        return Some(PathBuf::from(path));
    }
    let xdg = set("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute());
    let dir = xdg.or_else(|| platform_config_dir(&set))?;
    Some(dir.join(APP_DIR).join(FILE_NAME))
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
fn platform_config_dir(set: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    set("HOME").map(|home| PathBuf::from(home).join(".config"))
}

/// The directory `directories` picks minus the app name it appends, so both branches of
/// [`config_path`] add `headcount/config.toml` the same way.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn platform_config_dir(_set: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.config_dir().to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;

    fn path_with(vars: &[(&str, &str)]) -> Option<PathBuf> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config_path(&|name| vars.get(name).cloned())
    }

    #[test]
    fn explicit_variable_wins() {
        let path = path_with(&[
            (ENV_CONFIG, "/tmp/hc.toml"),
            ("XDG_CONFIG_HOME", "/xdg"),
            ("HOME", "/home/u"),
        ]);
        assert_eq!(path.as_deref(), Some(Path::new("/tmp/hc.toml")));
    }

    #[test]
    fn absolute_xdg_config_home_is_used() {
        let path = path_with(&[("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u")]);
        assert_eq!(
            path.as_deref(),
            Some(Path::new("/xdg/headcount/config.toml"))
        );
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn relative_xdg_config_home_is_ignored_for_dot_config() {
        let path = path_with(&[("XDG_CONFIG_HOME", "xdg"), ("HOME", "/home/u")]);
        assert_eq!(
            path.as_deref(),
            Some(Path::new("/home/u/.config/headcount/config.toml"))
        );
        let path = path_with(&[(ENV_CONFIG, ""), ("HOME", "/home/u")]);
        assert_eq!(
            path.as_deref(),
            Some(Path::new("/home/u/.config/headcount/config.toml"))
        );
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn no_home_means_no_path() {
        assert_eq!(path_with(&[]), None);
    }
}
