//! The command line: one subcommand per file, parsed with clap.
//!
//! Visibility: only [`Cli`], [`parse`] and [`run`] are `pub` (the binary calls them); the
//! tests drive the commands as processes.

pub(crate) mod call_ref;
pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod dashboard;
pub(crate) mod demo;
pub(crate) mod exit;
pub(crate) mod export;
pub(crate) mod full_screen;
pub(crate) mod roster;
pub(crate) mod session_read;
pub(crate) mod sessions;
pub(crate) mod signals;
pub(crate) mod sim;
pub(crate) mod totals;
pub(crate) mod waits;
pub(crate) mod watch;

use std::io::Write;
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
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Open the dashboard on a simulated call (no account needed)
    Demo(demo::DemoArgs),
    /// Open the dashboard on a call: attendance, live
    Watch(watch::WatchArgs),
    /// Serve a simulated Stream Video call (the demo and test backend)
    Sim(sim::SimArgs),
    /// Show, locate or create the config file
    Config(config::ConfigArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// Add up a call session's attendance, with an optional filter
    Totals(totals::TotalsArgs),
    /// Write a call session's rows or per-user figures as CSV, JSON or NDJSON
    Export(export::ExportArgs),
    /// List the sessions of a call, newest first
    Sessions(sessions::SessionsArgs),
    /// Who was expected in a call session (its members) and how each person fared
    Roster(roster::RosterArgs),
}

/// The command line of this process. A usage error quotes the value at fault as it was given,
/// which may hold characters pasted along with it (from a ticket, a chat): it is printed with
/// terminal controls escaped, as every message is, and exits with clap's status (2).
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|err| {
        if !err.use_stderr() {
            // --help and --version: headcount's own text, on stdout.
            err.exit()
        }
        let text = err.render().to_string();
        let safe: Vec<_> = text
            .lines()
            .map(crate::ui::safe_text::terminal_safe)
            .collect();
        let _ = writeln!(std::io::stderr(), "{}", safe.join("\n"));
        std::process::exit(err.exit_code())
    })
}

/// Runs a command on its own multi-threaded runtime.
pub(crate) fn block_on(command: impl Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| anyhow::anyhow!("could not start the async runtime: {err}"))?
        .block_on(command)
}

/// Runs the parsed command line and turns its outcome into the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    exit::finish(match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Config(args) => config::run(args, &mut std::io::stdout().lock()),
        Command::Completions(args) => completions::run(&args, &mut std::io::stdout().lock()),
        Command::Totals(args) => totals::run(args),
        Command::Export(args) => export::run(args),
        Command::Sessions(args) => sessions::run(args),
        Command::Roster(args) => roster::run(args),
    })
}
