//! Configuration: where credentials and defaults come from, and the `config` subcommand.
//!
//! Precedence, highest first: command-line flags, environment variables, the config file (the
//! chosen profile, then its top-level keys), built-in defaults. Commands that talk to Stream
//! flatten [`ConnectionArgs`] and call [`load`] to get a [`Settings`].

mod command;
pub(crate) mod duration;
mod error;
mod file;
mod load;
mod location;
mod secret;
pub(crate) mod settings;
pub(crate) mod values;

pub(crate) use command::ConfigArgs;

pub(crate) use command::run;

pub(crate) use command::version_text;
pub(crate) use error::ConfigError;
pub(crate) use load::{ConnectionArgs, load};
pub(crate) use settings::{Overrides, Settings};
