//! The command that fetches the API secret from a password manager (`api_secret_cmd`).
//!
//! It runs bounded: within a time limit (long enough to answer a password prompt) and with a
//! cap on what it prints. It runs in a process group of its own, so that when it overruns,
//! the shell and everything it started are ended together: ending `sh` alone would leave a
//! child holding the output pipe open, and the wait for it would never end. While it runs, its
//! group is the terminal's foreground group, so that a prompt on the terminal can be answered
//! as in a shell.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::api::ApiSecret;

/// How long the command may take when `api_secret_cmd_timeout` does not say: enough to type a
/// password into a password manager's prompt.
pub(crate) const DEFAULT_SECRET_CMD_TIMEOUT: Duration = Duration::from_secs(20);

/// The most the command may print. A secret is one short line; a command printing more is not
/// printing a secret (`yes`, a binary, a whole vault).
pub(crate) const SECRET_OUTPUT_CAP: usize = 64 * 1024;

/// How often a command that closed its output is checked for having exited.
const EXIT_POLL: Duration = Duration::from_millis(5);

/// Runs `sh -c command` and returns its trimmed standard output as the secret.
///
/// Standard error stays attached to the terminal so that password managers can prompt and
/// explain their own failures; the error returned here never contains the output.
pub(crate) fn run_secret_command(command: &str, timeout: Duration) -> Result<ApiSecret, String> {
    let mut child = spawn(command).map_err(|err| format!("could not start `sh -c`: {err}"))?;
    let deadline = Instant::now() + timeout;
    let foreground = terminal::Foreground::give_to(&child);
    let outcome = collect(&mut child, deadline);
    if outcome.is_err() {
        end_group(&mut child);
    }
    drop(foreground);
    let (output, status) = outcome.map_err(|overrun| overrun.reason(timeout))?;
    if !status.success() {
        return Err(format!("it exited with {status}"));
    }
    let text = String::from_utf8(output).map_err(|_| "its output is not UTF-8".to_owned())?;
    match text.trim() {
        "" => Err("it printed nothing".to_owned()),
        secret => Ok(ApiSecret::new(secret)),
    }
}

fn spawn(command: &str) -> std::io::Result<Child> {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut sh, 0);
    sh.spawn()
}

/// Why the command was ended.
enum Overrun {
    Time,
    Output,
}

impl Overrun {
    fn reason(self, timeout: Duration) -> String {
        match self {
            Overrun::Time => format!(
                "it did not finish within {} s, so it and every process it started were ended; \
                 if it needs longer (to ask for a password), raise the profile's \
                 api_secret_cmd_timeout",
                timeout.as_secs()
            ),
            Overrun::Output => format!(
                "it printed more than {} KiB, which cannot be a secret, so it and every process \
                 it started were ended; it must print the secret alone",
                SECRET_OUTPUT_CAP / 1024
            ),
        }
    }
}

/// The command's output and exit status, unless it runs past `deadline` or prints too much.
fn collect(
    child: &mut Child,
    deadline: Instant,
) -> Result<(Vec<u8>, std::process::ExitStatus), Overrun> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, output) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let read = stdout
            .take(SECRET_OUTPUT_CAP as u64 + 1)
            .read_to_end(&mut bytes);
        // The receiver is gone only when the command has been given up on.
        let _ = sender.send(read.map(|_| bytes));
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let bytes = match output.recv_timeout(left) {
        Ok(Ok(bytes)) if bytes.len() > SECRET_OUTPUT_CAP => return Err(Overrun::Output),
        Ok(Ok(bytes)) => bytes,
        // An unreadable pipe is judged by the exit status below.
        Ok(Err(_)) => Vec::new(),
        Err(_) => return Err(Overrun::Time),
    };
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((bytes, status)),
            Ok(None) if Instant::now() < deadline => thread::sleep(EXIT_POLL),
            Ok(None) | Err(_) => return Err(Overrun::Time),
        }
    }
}

/// Ends the command's whole process group, then collects the shell's exit.
fn end_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = child.id() as libc::pid_t;
        // SAFETY: kill only sends a signal, to the group spawn() created for this command.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
mod terminal {
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::process::Child;

    /// The terminal's foreground process group lent to the command: a process of a background
    /// group that reads the terminal is stopped (SIGTTIN), which would leave a password prompt
    /// waiting until the time limit.
    pub(crate) struct Foreground {
        tty: File,
        ours: libc::pid_t,
    }

    impl Foreground {
        /// Lends the terminal to the command's group when this process holds it; `None` when
        /// there is no terminal or this process runs in the background.
        pub(crate) fn give_to(child: &Child) -> Option<Foreground> {
            let tty = File::options()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .ok()?;
            let group = child.id() as libc::pid_t;
            // SAFETY: these calls read or set the foreground group of a terminal descriptor
            // this function owns, and send SIGCONT to the command's own group.
            unsafe {
                let ours = libc::getpgrp();
                if libc::tcgetpgrp(tty.as_raw_fd()) != ours
                    || libc::tcsetpgrp(tty.as_raw_fd(), group) != 0
                {
                    return None;
                }
                // Reading the terminal before it was handed over stopped it: resume it.
                libc::kill(-group, libc::SIGCONT);
                Some(Foreground { tty, ours })
            }
        }
    }

    impl Drop for Foreground {
        /// Takes the terminal back. This process is in the background until then, so SIGTTOU,
        /// which would stop it for asking, is blocked meanwhile.
        fn drop(&mut self) {
            // SAFETY: the signal mask of this thread is changed and restored around one
            // tcsetpgrp on the descriptor this value owns.
            unsafe {
                let mut block: libc::sigset_t = std::mem::zeroed();
                let mut before: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut block);
                libc::sigaddset(&mut block, libc::SIGTTOU);
                libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut before);
                libc::tcsetpgrp(self.tty.as_raw_fd(), self.ours);
                libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod terminal {
    pub(crate) struct Foreground;

    impl Foreground {
        pub(crate) fn give_to(_child: &std::process::Child) -> Option<Foreground> {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str) -> Result<ApiSecret, String> {
        run_secret_command(command, Duration::from_secs(5))
    }

    #[test]
    fn command_output_is_trimmed() {
        let secret = run("printf '  s3cret\\n'").unwrap();
        assert_eq!(secret.expose(), "s3cret");
    }

    #[test]
    fn failing_command_reports_its_status_not_its_output() {
        let err = run("echo leaked-value; exit 3").unwrap_err();
        assert!(err.contains("exit status: 3"), "{err}");
        assert!(!err.contains("leaked-value"), "{err}");
    }

    #[test]
    fn silent_command_is_an_error() {
        let err = run("true").unwrap_err();
        assert!(err.contains("printed nothing"), "{err}");
    }

    #[test]
    fn a_command_that_hangs_is_ended_with_its_children_at_the_time_limit() {
        let started = Instant::now();
        let err =
            run_secret_command("sleep 30; echo late", Duration::from_millis(300)).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(err.contains("did not finish within"), "{err}");
        assert!(err.contains("api_secret_cmd_timeout"), "{err}");
    }

    #[test]
    fn a_command_that_floods_is_ended_at_the_output_cap() {
        let err = run("yes").unwrap_err();
        assert!(err.contains("more than 64 KiB"), "{err}");
        let exactly = run("head -c 65536 /dev/zero | tr '\\0' x").unwrap();
        assert_eq!(exactly.expose().len(), SECRET_OUTPUT_CAP);
    }

    #[test]
    fn closing_the_output_early_still_waits_for_the_exit_status() {
        let err = run("exec >&-; exit 4").unwrap_err();
        assert!(err.contains("exit status: 4"), "{err}");
    }
}
