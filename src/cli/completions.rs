//! `headcount completions SHELL`: the shell completion script, generated from the clap model so
//! it never drifts from the real flags.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
#[command(after_help = "Install, for example:
  bash: headcount completions bash > ~/.local/share/bash-completion/completions/headcount
  zsh:  headcount completions zsh > ~/.zfunc/_headcount   (with fpath+=~/.zfunc in ~/.zshrc)
  fish: headcount completions fish > ~/.config/fish/completions/headcount.fish")]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// Writes the completion script for `args.shell` to `out`.
pub(crate) fn run(args: &CompletionsArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    clap_complete::generate(args.shell, &mut command, name, out);
    Ok(())
}
