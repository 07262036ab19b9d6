//! The internet between a client and Stream, played on loopback when asked: a delay before
//! every answer, and gzip for clients that accept it.
//!
//! Why: on loopback a page costs microseconds, so a client that waits between pages, or reads
//! more pages than it needs, looks as fast as one that does not. Over the internet every page
//! costs a round trip (tens of milliseconds), and that is where support staff read Stream.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The longest delay the sim plays: a minute is no longer a slow network but an outage.
pub const MAX_LATENCY: Duration = Duration::from_secs(60);

/// How far away the sim plays Stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Network {
    /// From a request's arrival to its answer (the round trip a client would see, the sim's
    /// own work included), 0 for loopback speed.
    pub latency: Duration,
    /// Each answer's delay is drawn uniformly from `latency ± jitter`, never below 0.
    pub jitter: Duration,
}

impl Network {
    /// The delay of one answer, for `unit` drawn uniformly from [0, 1).
    pub(crate) fn delay(self, unit: f64) -> Duration {
        // Whole nanoseconds, so that a delay without jitter is exactly the latency.
        let spread = (self.jitter.as_nanos() as f64 * (2.0 * unit - 1.0)).round() as i128;
        let nanos =
            (self.latency.as_nanos() as i128 + spread).clamp(0, MAX_LATENCY.as_nanos() as i128);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Whether answers are delayed at all.
    pub(crate) fn is_instant(self) -> bool {
        self.latency.is_zero() && self.jitter.is_zero()
    }

    /// Answers, then holds the answer until its delay has passed since the request arrived.
    ///
    /// Why the sim's own work counts inside the delay: on the internet the server runs on
    /// another machine while the packets travel, so a client sees one round trip per page. On
    /// loopback the sim shares the client's cores; adding its work on top of the latency would
    /// charge the client for time that is not its own.
    pub(crate) async fn delay_answer(self, request: Request, next: Next) -> Response {
        let arrived = std::time::Instant::now();
        let delay = self.delay(rand::random::<f64>());
        let response = next.run(request).await;
        let left = delay.saturating_sub(arrived.elapsed());
        if !left.is_zero() {
            // tokio's timer rounds a deadline up to its next millisecond and wakes late: about
            // 1.3 ms over 20 ms on average here, 6 % of the round trip a client is measured
            // against. A thread's sleep (clock_nanosleep) overshoots by microseconds.
            let _ = tokio::task::spawn_blocking(move || std::thread::sleep(left)).await;
        }
        response
    }
}

/// gzip at the fastest level, for clients that send `Accept-Encoding: gzip`: a page of 100
/// rows shrinks about four times, and the fastest level keeps loopback runs fast. Whether
/// Stream itself compresses is not documented; a client that asks loses nothing if it does not.
pub(crate) fn compression() -> CompressionLayer {
    CompressionLayer::new()
        .gzip(true)
        .no_br()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Fastest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_stays_within_the_jitter_and_never_below_zero() {
        let network = Network {
            latency: Duration::from_millis(20),
            jitter: Duration::from_millis(5),
        };
        assert_eq!(network.delay(0.0), Duration::from_millis(15));
        assert_eq!(network.delay(0.5), Duration::from_millis(20));
        assert!(network.delay(0.999_999) <= Duration::from_millis(25));
        let wide = Network {
            latency: Duration::from_millis(2),
            jitter: Duration::from_millis(10),
        };
        assert_eq!(wide.delay(0.0), Duration::ZERO);
        assert!(Network::default().is_instant());
        assert!(!network.is_instant());
    }
}
