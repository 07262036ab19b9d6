//! The sim's connections, bounded as a public server bounds them: a client must finish sending
//! its request in time, or the connection is closed, so that stalled connections (a client that
//! died half-way, a slowloris) never pile up; an idle keep-alive connection between two
//! requests is given much longer, so that a client's connection survives between live polls.
//!
//! hyper's own `header_read_timeout` cannot tell these apart: its clock also runs while a
//! keep-alive connection waits for the next request, so one limit would either close idle
//! connections after a few seconds or leave stalled requests open for a minute. The limits
//! are applied here instead, on the connection's reads and writes: a request is being received
//! from its first byte (or from the connection's opening) until the answer starts being
//! written, and the connection is idle from the next read after an answer.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// How long a client has to send a whole request (Stream's edge and most servers allow about
/// as long).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an idle keep-alive connection is kept: longer than the dashboard's default poll
/// interval many times over, and nginx's default `keepalive_timeout`.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(75);

/// The limits of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From a connection's opening, or a request's first byte, to the whole request.
    pub request: Duration,
    /// From an answer to the next request's first byte.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request: REQUEST_TIMEOUT,
            idle: IDLE_TIMEOUT,
        }
    }
}

/// A TCP listener whose connections keep to [`Limits`].
pub(crate) struct BoundedListener {
    inner: TcpListener,
    limits: Limits,
}

impl BoundedListener {
    pub(crate) fn new(inner: TcpListener, limits: Limits) -> BoundedListener {
        BoundedListener { inner, limits }
    }
}

impl axum::serve::Listener for BoundedListener {
    type Io = Bounded<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (Bounded::new(stream, self.limits), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Where a connection is between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Receiving a request: it must be complete by the deadline.
    Receiving,
    /// Answering: no limit on the client.
    Answering,
    /// Waiting for the next request: its first byte must come by the deadline.
    Idle,
}

/// A connection that fails its reads once the client overruns its [`Limits`], which makes
/// hyper close it.
pub(crate) struct Bounded<S> {
    inner: S,
    limits: Limits,
    phase: Phase,
    deadline: Pin<Box<Sleep>>,
}

impl<S> Bounded<S> {
    /// A new connection: the first request is being received from now on.
    pub(crate) fn new(inner: S, limits: Limits) -> Bounded<S> {
        Bounded {
            inner,
            limits,
            phase: Phase::Receiving,
            deadline: Box::pin(tokio::time::sleep(limits.request)),
        }
    }

    fn enter(&mut self, phase: Phase, limit: Duration) {
        self.phase = phase;
        self.deadline.as_mut().reset(Instant::now() + limit);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Bounded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.phase == Phase::Answering {
            let idle = self.limits.idle;
            self.enter(Phase::Idle, idle);
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if self.phase == Phase::Idle && buf.filled().len() > before {
                    let request = self.limits.request;
                    self.enter(Phase::Receiving, request);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => {
                ready!(self.deadline.as_mut().poll(cx));
                let what = match self.phase {
                    Phase::Idle => "the connection was idle too long",
                    _ => "the request did not arrive in time",
                };
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, what)))
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Bounded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.phase = Phase::Answering;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.phase = Phase::Answering;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

    use super::*;

    const LIMITS: Limits = Limits {
        request: Duration::from_secs(10),
        idle: Duration::from_secs(75),
    };

    fn timed_out(result: io::Result<usize>) -> bool {
        result.is_err_and(|err| err.kind() == io::ErrorKind::TimedOut)
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_must_arrive_within_the_request_limit() {
        let (mut client, server) = duplex(1024);
        let mut server = Bounded::new(server, LIMITS);
        client.write_all(b"GET / HTTP/1.1\r\nHost").await.unwrap();
        let mut buf = [0; 64];
        assert!(server.read(&mut buf).await.unwrap() > 0);
        let started = Instant::now();
        assert!(timed_out(server.read(&mut buf).await));
        assert_eq!(started.elapsed(), LIMITS.request);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_is_kept_for_the_idle_limit() {
        let (mut client, server) = duplex(1024);
        let mut server = Bounded::new(server, LIMITS);
        let mut buf = [0; 64];
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert!(server.read(&mut buf).await.unwrap() > 0);
        server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let answered = Instant::now();
        tokio::time::sleep(Duration::from_secs(60)).await;
        client.write_all(b"GET /again").await.unwrap();
        assert!(
            server.read(&mut buf).await.unwrap() > 0,
            "still open at 60 s"
        );
        server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let idle_from = Instant::now();
        assert!(timed_out(server.read(&mut buf).await));
        assert_eq!(idle_from.elapsed(), LIMITS.idle);
        assert!(answered.elapsed() > LIMITS.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_sent_a_byte_at_a_time_still_has_one_limit() {
        let (mut client, server) = duplex(1024);
        let mut server = Bounded::new(server, LIMITS);
        let mut buf = [0; 64];
        let started = Instant::now();
        let trickle = tokio::spawn(async move {
            for byte in b"GET / HTTP/1.1\r\nHost: x" {
                client.write_all(&[*byte]).await.unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            client
        });
        loop {
            let read = server.read(&mut buf).await;
            if read.is_err() {
                assert!(timed_out(read));
                break;
            }
        }
        assert_eq!(started.elapsed(), LIMITS.request);
        drop(trickle);
    }
}
