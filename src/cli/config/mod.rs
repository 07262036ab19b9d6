//! Configuration: where credentials and defaults come from, and the `config` subcommand.
//!
//! Precedence, highest first: command-line flags, environment variables, the config file (the
//! chosen profile, then its top-level keys), built-in defaults. Commands that talk to Stream
//! flatten [`ConnectionArgs`] and call [`load`] to get a [`Settings`].

mod command;
pub mod duration;
mod error;
mod file;
mod load;
mod location;
mod secret;
mod settings;
pub mod values;

pub use command::{ConfigArgs, ConfigCommand, EXAMPLE, run, version_text};
pub use error::{ConfigError, MissingCredentials};
pub use file::{FileConfig, LoadedFile, Profile, ProfileSecret};
pub use load::{ConnectionArgs, load, load_resolved};
pub use location::config_path;
pub use settings::{
    DEFAULT_EARLY_GRACE, DEFAULT_INTERVAL, DEFAULT_LATE_GRACE, DEFAULT_RECONNECT_GAP, ENV_API_KEY,
    ENV_API_SECRET, ENV_BASE_URL, ENV_CONFIG, ENV_PROFILE, EnvLookup, Overrides, Resolved,
    Settings, Source, Sourced, resolve,
};
pub use values::Theme;
