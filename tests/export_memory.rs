//! `headcount export --format ndjson` streams: the peak memory of the exporting process grows
//! with the size of the session only by the ledger of `user_session_id`s that deduplicates
//! it, never by the rows themselves. Measured as the child's peak resident set size, which the
//! kernel reports when the child is reaped, so the check does not depend on speed.
//!
//! Alone in its own test binary so that no other child process or test shares the numbers.
//! The sim runs as its own `headcount sim` process, as Stream would be: served from inside
//! the test process, its timing shifted the exporter's allocations by a few megabytes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";
const BINARY: &str = env!("CARGO_BIN_EXE_headcount");

/// Bytes the export may keep per session: the ledger's entry and index slot (41 bytes an id at
/// a million sessions, up to 60 just after its index doubles, see docs/benchmarks.md), with
/// room for the allocator. Keeping the rows would cost several times more: the API's row
/// struct with its strings takes several hundred bytes, and even the attendance engine's
/// compact row, 56 bytes, comes on top of the same index.
const BYTES_PER_ROW_ALLOWED: u64 = 80;

/// A `headcount sim` process, killed when dropped.
struct SimProcess {
    child: Child,
    base_url: String,
    call: String,
    session: String,
}

impl SimProcess {
    /// Starts the sim without rate limits and reads where it listens and what it serves from
    /// its first two lines: `listening on URL`, `call TYPE:ID session ID sessions N`.
    fn start(scenario: &str) -> SimProcess {
        let mut child = Command::new(BINARY)
            .args(["sim", "--listen", "127.0.0.1:0", "--rate-limit", "0"])
            .args(["--scenario", scenario])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut line = || lines.next().unwrap().unwrap();
        let listening = line();
        let base_url = listening.strip_prefix("listening on ").unwrap().to_owned();
        let serving = line();
        let words: Vec<&str> = serving.split_whitespace().collect();
        assert_eq!((words[0], words[2]), ("call", "session"), "{serving}");
        SimProcess {
            base_url,
            call: words[1].to_owned(),
            session: words[3].to_owned(),
            child,
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one export did: its records and its peak resident set size.
struct Run {
    lines: usize,
    peak_rss_bytes: u64,
}

/// Runs the by-session NDJSON export of the sim's session into a file, and reaps the child
/// with `wait4` to read its own peak RSS.
fn export_ndjson(sim: &SimProcess, dir: &Path) -> Run {
    let path: PathBuf = dir.join(format!("{}.ndjson", sim.call.replace(':', "-")));
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by `reap` with wait4, which also reads its peak memory"
    )]
    let child = Command::new(BINARY)
        .args(["export", &sim.call, "--session", &sim.session])
        .args(["--format", "ndjson", "-o"])
        .arg(&path)
        .env("STREAM_BASE_URL", &sim.base_url)
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", SECRET)
        .env("HEADCOUNT_CONFIG", dir.join("absent.toml"))
        .env_remove("HEADCOUNT_PROFILE")
        .spawn()
        .unwrap();
    let peak_rss_bytes = reap(child.id() as libc::pid_t);
    let text = std::fs::read_to_string(&path).unwrap();
    Run {
        lines: text.lines().count(),
        peak_rss_bytes,
    }
}

/// Waits for the child and returns its peak RSS; panics unless it exited with 0.
fn reap(pid: libc::pid_t) -> u64 {
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for writes during the call, and `pid` is our own child,
    // not reaped yet (std reaps only in `wait`, never on drop).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "export failed with status {status}"
    );
    // Linux reports ru_maxrss in kilobytes.
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn ndjson_export_memory_stays_flat_from_small_to_webinar() {
    let dir = tempfile::tempdir().unwrap();
    let small = export_ndjson(&SimProcess::start("small"), dir.path());
    let webinar = export_ndjson(&SimProcess::start("webinar"), dir.path());

    assert!(small.lines > 0);
    assert!(webinar.lines >= 100_000, "{} records", webinar.lines);
    let extra_rows = (webinar.lines - small.lines) as u64;
    // Streaming keeps the peak at the small export's (runtime, HTTP client, one page in hand
    // and one prefetched, one page of records held back) plus the ledger of ids.
    let bound = extra_rows * BYTES_PER_ROW_ALLOWED;
    let growth = webinar.peak_rss_bytes.saturating_sub(small.peak_rss_bytes);
    assert!(
        growth < bound,
        "peak RSS grew by {growth} bytes from {} to {} records (bound {bound}): \
         small {} bytes, webinar {} bytes",
        small.lines,
        webinar.lines,
        small.peak_rss_bytes,
        webinar.peak_rss_bytes
    );
}
