//! `headcount config path|init|show`.

use std::fmt::Display;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::duration::format_duration;
use super::error::ConfigError;
use super::load::{ConnectionArgs, load_resolved, process_env};
use super::location::config_path;
use super::settings::{Resolved, Source, Sourced};

/// The commented example that `headcount config init` writes.
pub(crate) const EXAMPLE: &str = include_str!("../../../assets/config.example.toml");

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    #[command(subcommand)]
    pub(crate) command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the path of the config file in use (on stdout) and whether it exists (on stderr)
    Path,
    /// Write a commented example config file, readable only by you
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print the effective settings and where each comes from (the secret is never shown)
    Show {
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

/// Runs a `config` subcommand, writing its report to `out`.
pub(crate) fn run(args: ConfigArgs, out: &mut impl Write) -> anyhow::Result<()> {
    match args.command {
        ConfigCommand::Path => print_path(out),
        ConfigCommand::Init { force } => init(force, out),
        ConfigCommand::Show { connection } => show(&connection, out),
    }
}

fn print_path(out: &mut impl Write) -> anyhow::Result<()> {
    let path = config_path(&process_env).ok_or(ConfigError::NoLocation)?;
    writeln!(out, "{}", path.display())?;
    if path.exists() {
        eprintln!("exists");
    } else {
        eprintln!("not found; `headcount config init` creates it");
    }
    Ok(())
}

fn init(force: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let path = config_path(&process_env).ok_or(ConfigError::NoLocation)?;
    write_private(&path, EXAMPLE, force).map_err(|err| match err.kind() {
        io::ErrorKind::AlreadyExists => ConfigError::AlreadyExists { path: path.clone() },
        _ => ConfigError::Write {
            path: path.clone(),
            source: err,
        },
    })?;
    writeln!(out, "wrote {}", path.display())?;
    writeln!(
        out,
        "edit it, then check the result with `headcount config show`"
    )?;
    Ok(())
}

/// Writes `text` to a file only the owner can read, creating missing parent directories.
fn write_private(path: &Path, text: &str, overwrite: bool) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        private_dir_builder().create(parent)?;
    }
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // An overwritten file keeps its old mode unless it is reset explicitly.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

fn private_dir_builder() -> std::fs::DirBuilder {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

fn show(connection: &ConnectionArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let resolved = load_resolved(&connection.overrides())?;
    out.write_all(render(&resolved).as_bytes())?;
    // The table is printed either way; a missing credential still fails so scripts can check.
    resolved.into_settings()?;
    Ok(())
}

/// The `config show` table. The secret appears only as "set" with its origin.
fn render(resolved: &Resolved) -> String {
    let file = match (&resolved.config_path, resolved.config_exists) {
        (None, _) => NO_LOCATION.to_owned(),
        (Some(path), true) => path.display().to_string(),
        (Some(path), false) => format!("{} (not found)", path.display()),
    };
    let optional = |row: Option<String>| row.unwrap_or_else(|| "(not set)".to_owned());
    let rows = [
        ("config file", file),
        ("profiles", list_or_none(&resolved.profiles)),
        (
            "profile",
            list_or_none(resolved.profile.as_ref().map(row).as_slice()),
        ),
        ("base_url", row(&resolved.base_url)),
        ("api_key", optional(resolved.api_key.as_ref().map(row))),
        (
            "api_secret",
            optional(
                resolved
                    .api_secret
                    .as_ref()
                    .map(|s| described("set", &s.source)),
            ),
        ),
        ("tz", row(&resolved.tz)),
        ("interval", duration_row(&resolved.interval)),
        ("late_grace", duration_row(&resolved.late_grace)),
        ("early_grace", duration_row(&resolved.early_grace)),
        ("reconnect_gap", duration_row(&resolved.reconnect_gap)),
        ("present_threshold", row(&resolved.present_threshold)),
        ("theme", row(&resolved.theme)),
    ];
    rows.iter()
        .map(|(name, value)| format!("{name:<14} {value}\n"))
        .collect()
}

const NO_LOCATION: &str = "(no location: set HEADCOUNT_CONFIG or HOME)";

fn described(shown: impl Display, source: &Source) -> String {
    format!("{shown}  ({source})")
}

fn row<T: Display>(value: &Sourced<T>) -> String {
    described(&value.value, &value.source)
}

fn duration_row(value: &Sourced<Duration>) -> String {
    described(format_duration(value.value), &value.source)
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}

/// The text after the program name in `headcount --version`: the version and the config path.
pub(crate) fn version_text() -> String {
    let location = match config_path(&process_env) {
        Some(path) if path.exists() => path.display().to_string(),
        Some(path) => format!("{} (not found)", path.display()),
        None => NO_LOCATION.to_owned(),
    };
    format!("{}\nconfig: {location}", env!("CARGO_PKG_VERSION"))
}
