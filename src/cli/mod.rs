//! The command line: one subcommand per file, parsed with clap.

pub mod call_ref;
pub mod completions;
pub mod config;
pub mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "headcount",
    version,
    long_version = config::version_text(),
    about = "Attendance of Stream Video calls, in your terminal"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show, locate or create the config file
    Config(config::ConfigArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
}

/// Runs the parsed command line and turns its outcome into the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    exit::finish(match cli.command {
        Command::Config(args) => config::run(args, &mut stdout),
        Command::Completions(args) => completions::run(&args, &mut stdout),
    })
}
