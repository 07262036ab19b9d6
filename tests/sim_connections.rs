//! The sim's connections are bounded as a public server's are: a client that does not finish
//! sending its request in time is disconnected, so stalled connections never pile up, while an
//! idle keep-alive connection survives between two requests far longer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use headcount::sim::{self, IDLE_TIMEOUT, Limits, REQUEST_TIMEOUT, RunningSim, SimConfig};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

/// Short limits, so that waiting them out takes a fraction of a second.
const LIMITS: Limits = Limits {
    request: Duration::from_millis(300),
    idle: Duration::from_millis(1500),
};

async fn start() -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: sim::Scenario::Small,
        connection_limits: LIMITS,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.unwrap()
}

/// Reads until the server closes the connection; how long that took, or `None` after 10 s.
fn closed_after(stream: &mut TcpStream, since: Instant) -> Option<Duration> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(since.elapsed()),
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(since.elapsed());
            }
            Err(_) => return None,
        }
    }
}

/// A complete GetCall request, authenticated as the server SDKs do.
fn get_call(sim: &RunningSim) -> Vec<u8> {
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::json!({"server": true}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    format!(
        "GET /api/v2/video/call/{}/{}?api_key={KEY} HTTP/1.1\r\nHost: {}\r\n\
         Authorization: {token}\r\nStream-Auth-Type: jwt\r\n\r\n",
        sim.call_type(),
        sim.call_id(),
        sim.addr()
    )
    .into_bytes()
}

/// Reads one response with a `content-length` body; its status line.
fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "the connection closed before the answer");
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .expect("a content-length");
            if bytes.len() >= end + 4 + length {
                return text.lines().next().unwrap().to_owned();
            }
        }
    }
}

#[test]
fn the_default_limits_are_ten_seconds_for_a_request_and_a_minute_or_more_idle() {
    assert_eq!(REQUEST_TIMEOUT, Duration::from_secs(10));
    assert!(IDLE_TIMEOUT >= Duration::from_secs(60));
    assert_eq!(
        SimConfig::default().connection_limits,
        Limits {
            request: REQUEST_TIMEOUT,
            idle: IDLE_TIMEOUT
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_connections_are_closed_after_the_request_limit() {
    let sim = start().await;
    let addr = sim.addr();
    let closed = tokio::task::spawn_blocking(move || {
        let opened = Instant::now();
        let mut stalled: Vec<TcpStream> = (0..60)
            .map(|n| {
                let mut stream = TcpStream::connect(addr).unwrap();
                match n % 3 {
                    0 => {}
                    1 => stream
                        .write_all(b"GET /api/v2/video/call/default/x HTTP/1.1\r\nHo")
                        .unwrap(),
                    _ => stream.write_all(b"G").unwrap(),
                }
                stream
            })
            .collect();
        stalled
            .iter_mut()
            .map(|stream| closed_after(stream, opened))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (n, after) in closed.iter().enumerate() {
        let after = after.unwrap_or_else(|| panic!("connection {n} is still open after 10 s"));
        assert!(
            after >= LIMITS.request,
            "connection {n} closed at {after:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_keep_alive_connection_outlives_the_request_limit() {
    let sim = start().await;
    let request = get_call(&sim);
    let addr = sim.addr();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(&request).unwrap();
        assert_eq!(read_response(&mut stream), "HTTP/1.1 200 OK");
        std::thread::sleep(LIMITS.request * 3);
        stream.write_all(&request).unwrap();
        assert_eq!(
            read_response(&mut stream),
            "HTTP/1.1 200 OK",
            "the same connection still answers"
        );
        let idle = Instant::now();
        let after = closed_after(&mut stream, idle).expect("closed once idle too long");
        assert!(after >= LIMITS.idle, "closed at {after:?}");
    })
    .await
    .unwrap();
}
