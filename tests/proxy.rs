//! Proxy variables in the environment: a request to the sim on this machine never goes to the
//! proxy (it would carry the server token in clear text), while HTTPS to Stream goes through it
//! as a tunnel that shows the proxy the host name only.
//!
//! One test in its own binary: it sets the process environment, which nothing else may be
//! reading meanwhile.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use headcount::api::{RetryPolicy, StreamClient};
use headcount::sim::{self, SimConfig};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

/// A proxy that records the request head of every connection and refuses it.
struct Proxy {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut buffer = [0; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(read) => head.extend_from_slice(&buffer[..read]),
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
            }
        });
        Proxy { url, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// Sets every proxy variable reqwest reads, in both cases, to `url`.
fn proxy_everything(url: &str) {
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        // SAFETY: this binary's only test, before it starts any other thread.
        unsafe { std::env::set_var(name, url) };
    }
    // SAFETY: as above.
    unsafe {
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
}

#[test]
fn the_token_never_reaches_a_proxy_in_clear_text() {
    let proxy = Proxy::start();
    proxy_everything(&proxy.url);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = sim::start(SimConfig::default(), listener).await.unwrap();

        for base_url in [
            sim.base_url(),
            sim.base_url().replace("127.0.0.1", "localhost"),
        ] {
            let client = StreamClient::new(&base_url, KEY, SECRET).unwrap();
            let call = client.get_call(sim.call_type(), sim.call_id()).await;
            assert!(call.is_ok(), "{base_url}: {:?}", call.err());
        }
        assert_eq!(proxy.heads(), Vec::<String>::new(), "the proxy saw nothing");

        let remote = StreamClient::builder("https://stream.example.invalid", KEY, SECRET)
            .retry_policy(RetryPolicy::NEVER)
            .build()
            .unwrap();
        let refused = remote.get_call("default", "townhall").await;
        assert!(refused.is_err(), "the proxy refused the tunnel");
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{heads:?}");
        assert!(
            heads[0].starts_with("CONNECT stream.example.invalid:443 HTTP/1.1\r\n"),
            "HTTPS goes through the proxy as a tunnel: {:?}",
            heads[0]
        );
        let lower = heads[0].to_lowercase();
        assert!(
            !lower.contains("authorization") && !lower.contains("/api/v2"),
            "the proxy sees the host only: {:?}",
            heads[0]
        );
    });
}
