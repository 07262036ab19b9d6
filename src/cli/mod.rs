//! The command line: one subcommand per file, parsed with clap.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod sim;

#[derive(Debug, Parser)]
#[command(
    name = "headcount",
    version,
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
}

/// Runs the parsed command line and turns its outcome into the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Sim(args) => sim::run(args),
    }
}
