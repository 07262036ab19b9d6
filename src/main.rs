use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    headcount::cli::run(headcount::cli::Cli::parse())
}
