//! The signals that end a command early: SIGINT (Ctrl-C), SIGTERM (`kill`, `timeout`, a service
//! manager), SIGHUP (the terminal or ssh session closed) and SIGQUIT (Ctrl-\).
//!
//! Left to their default action they end the process on the spot, with the terminal still in
//! raw mode and a half-written temporary file on disk. Caught here, they become an
//! [`Interrupted`] error instead: the work under way is dropped (which removes its temporary
//! file and restores the terminal), and the process exits with 128 + the signal's number, as a
//! shell reports a process the signal ended.

use std::fmt;
use std::io;

/// A signal that ends a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Signal {
    Hangup,
    Interrupt,
    Quit,
    Terminate,
}

impl Signal {
    /// The POSIX signal number (the same on Linux and macOS).
    pub(crate) const fn number(self) -> u8 {
        match self {
            Signal::Hangup => 1,
            Signal::Interrupt => 2,
            Signal::Quit => 3,
            Signal::Terminate => 15,
        }
    }

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The command was stopped by a signal; it exits with 128 + the signal's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) struct Interrupted(pub Signal);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}", self.0.name())
    }
}

/// Listens for the signals of [`Signal`] from its creation on: from then until the process
/// exits, they no longer end it by themselves, so a command creates this only around work
/// that watches it.
pub(crate) struct Signals {
    #[cfg(unix)]
    streams: [(Signal, tokio::signal::unix::Signal); 4],
}

impl Signals {
    /// Starts listening; must be called inside the tokio runtime.
    #[cfg(unix)]
    pub(crate) fn new() -> io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            streams: [
                (Signal::Hangup, signal(SignalKind::hangup())?),
                (Signal::Interrupt, signal(SignalKind::interrupt())?),
                (Signal::Quit, signal(SignalKind::quit())?),
                (Signal::Terminate, signal(SignalKind::terminate())?),
            ],
        })
    }

    #[cfg(not(unix))]
    pub(crate) fn new() -> io::Result<Signals> {
        Ok(Signals {})
    }

    /// The next signal received.
    #[cfg(unix)]
    pub(crate) async fn recv(&mut self) -> Signal {
        std::future::poll_fn(|cx| {
            for (signal, stream) in &mut self.streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*signal);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    /// The next Ctrl-C, the only one of these signals other systems have.
    #[cfg(not(unix))]
    pub(crate) async fn recv(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}

/// Runs `work` until it ends or a signal arrives. On a signal, `work` is dropped, and with it
/// whatever it owns (a temporary file removes itself), and the outcome is [`Interrupted`].
pub(crate) async fn or_interrupted<T>(
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let mut signals = Signals::new()?;
    tokio::select! {
        outcome = work => outcome,
        signal = signals.recv() => Err(Interrupted(signal).into()),
    }
}
