//! The command line: one subcommand per file, parsed with clap.

pub mod call_ref;
pub mod completions;
pub mod config;
pub mod exit;
pub mod sim;
pub mod totals;

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
    /// Serve a simulated Stream Video call (the demo and test backend)
    Sim(sim::SimArgs),
    /// Show, locate or create the config file
    Config(config::ConfigArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// Add up a call session's attendance, with an optional filter
    Totals(totals::TotalsArgs),
}

/// Runs the parsed command line and turns its outcome into the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    exit::finish(match cli.command {
        Command::Sim(args) => sim::run(args),
        Command::Config(args) => config::run(args, &mut std::io::stdout().lock()),
        Command::Completions(args) => completions::run(&args, &mut std::io::stdout().lock()),
        Command::Totals(args) => totals::run(args),
    })
}
