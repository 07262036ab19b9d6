use std::process::ExitCode;

fn main() -> ExitCode {
    headcount::cli::run(headcount::cli::parse())
}
