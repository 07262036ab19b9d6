//! The attendance engine at a million sessions: ingest straight from the JSON bodies (as the
//! dashboard and `totals` do), next to serde_json alone decoding the same bytes into the owned
//! `ParticipantSessionsPage` and to the borrowed decoding alone; per-user and call figures,
//! sorting, and memory per stored session; and the ledger of `user_session_id`s every read
//! keeps (its bytes per id and recording speed).
//!
//! Run with `cargo bench --bench attendance`. The data is generated here: 10,000 JSON pages of
//! 100 rows, canonical UUID session ids, 300,000 users, nanosecond timestamps over a two-hour
//! live call with 2 % of sessions still open.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use serde::Serialize;

use headcount::api::models::{CallSession, ParticipantSessionDetails, ParticipantSessionsPage};
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::api::{ParticipantSessionsPageRef, RawSessionsPage};
use headcount::attendance::{
    ConcurrencyCurve, Figures, Order, RowId, SessionColumn, SessionLedger, SessionStore,
    Thresholds, UserColumn, breakdowns, sort_sessions, sort_users, user_figures,
};

/// Counts live heap bytes so the store's real footprint can be printed.
struct CountingAllocator;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters only observe.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SESSIONS: usize = 1_000_000;
const USERS: u64 = 300_000;
const PAGE_ROWS: usize = 100;
const START: Nanos = 1_760_000_000 * NANOS_PER_SEC;
const CALL_LENGTH: Nanos = 2 * 3600 * NANOS_PER_SEC;
const NOW: Nanos = START + CALL_LENGTH;

/// splitmix64: deterministic data without depending on an RNG crate's feature set.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

fn session_row(random: &mut Random) -> ParticipantSessionDetails {
    let joined = START + random.below(CALL_LENGTH as u64) as Nanos;
    let stay = (60 + random.below(90 * 60)) as Nanos * NANOS_PER_SEC
        + random.below(NANOS_PER_SEC as u64) as Nanos;
    let left = (joined + stay).min(NOW);
    let open = random.below(100) < 2;
    let roles = match random.below(100) {
        0..90 => vec!["user".to_owned()],
        90..97 => vec!["host".to_owned(), "user".to_owned()],
        _ => vec!["admin".to_owned()],
    };
    let publisher_type = match random.below(100) {
        0..95 => "webrtc",
        95..98 => "rtmp",
        _ => "srt",
    };
    ParticipantSessionDetails {
        user_id: format!("user-{:06}", random.below(USERS)),
        user_session_id: random.uuid(),
        publisher_type: publisher_type.to_owned(),
        roles,
        joined_at: Some(joined),
        left_at: (!open).then_some(left),
        duration_in_seconds: (!open).then_some((left - joined) / NANOS_PER_SEC),
    }
}

#[derive(Serialize)]
struct PageBody<'a> {
    call_type: &'a str,
    call_id: &'a str,
    call_session_id: &'a str,
    duration: i64,
    total_participant_sessions: usize,
    total_participant_duration: i64,
    participants_sessions: &'a [ParticipantSessionDetails],
    next: String,
    session: &'a CallSession,
}

/// The JSON bodies of every page, generated once.
fn pages() -> &'static [Vec<u8>] {
    static PAGES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let mut random = Random(0x6865_6164_636f_756e);
        let session = CallSession {
            id: "3f6c2a10-5d4e-4b7a-9c8d-1e2f3a4b5c6d".to_owned(),
            started_at: Some(START),
            ..CallSession::default()
        };
        (0..SESSIONS / PAGE_ROWS)
            .map(|page| {
                let rows: Vec<_> = (0..PAGE_ROWS).map(|_| session_row(&mut random)).collect();
                let body = PageBody {
                    call_type: "default",
                    call_id: "all-hands",
                    call_session_id: &session.id,
                    duration: 7,
                    total_participant_sessions: SESSIONS,
                    total_participant_duration: 2_700_000_000,
                    participants_sessions: &rows,
                    next: format!("cursor-{}", page + 1),
                    session: &session,
                };
                serde_json::to_vec(&body).expect("serializable")
            })
            .collect()
    })
}

fn decode(page: &[u8]) -> ParticipantSessionsPage {
    serde_json::from_slice(page).expect("valid page")
}

fn ingest_all(pages: &[Vec<u8>]) -> SessionStore {
    let mut store = SessionStore::new();
    for page in pages {
        store.ingest_json(page).expect("one call");
    }
    store
}

/// What becomes of each page on the way from the client to the dashboard's store: its outline
/// read by the client (`RawSessionsPage::new`, on a copy of the body as the client hands it
/// over), decoded once and recorded in the read's ledger (the fetch task), then ingested (the
/// dashboard).
fn page_whole(pages: &[Vec<u8>]) -> (SessionLedger, SessionStore) {
    let mut ledger = SessionLedger::new();
    let mut store = SessionStore::new();
    for page in pages {
        let mut raw = RawSessionsPage::new(page.clone()).expect("a page");
        raw.decode_once();
        ledger.record_page(&raw).expect("a page");
        store.ingest_raw(&raw).expect("one call");
    }
    (ledger, store)
}

/// [`page_whole`] as it was done before a page was decoded once: the ledger read its bytes
/// leniently, then the store decoded them again.
fn page_whole_parsed_twice(pages: &[Vec<u8>]) -> (SessionLedger, SessionStore) {
    let mut ledger = SessionLedger::new();
    let mut store = SessionStore::new();
    for page in pages {
        let raw = RawSessionsPage::new(page.clone()).expect("a page");
        ledger.record(raw.bytes()).expect("a page");
        store.ingest_json(raw.bytes()).expect("one call");
    }
    (ledger, store)
}

/// The fetch task's side alone: the outline, the one decoding and the ledger.
fn page_fetch_side(pages: &[Vec<u8>]) -> SessionLedger {
    let mut ledger = SessionLedger::new();
    for page in pages {
        let mut raw = RawSessionsPage::new(page.clone()).expect("a page");
        raw.decode_once();
        ledger.record_page(&raw).expect("a page");
    }
    ledger
}

fn store() -> &'static SessionStore {
    static STORE: OnceLock<SessionStore> = OnceLock::new();
    STORE.get_or_init(|| ingest_all(pages()))
}

fn report_memory(_: &mut Criterion) {
    let pages = pages();
    let json_bytes: usize = pages.iter().map(Vec::len).sum();
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(before, Ordering::Relaxed);
    let store = ingest_all(pages);
    let held = LIVE_BYTES.load(Ordering::Relaxed) - before;
    let peak = PEAK_BYTES.load(Ordering::Relaxed) - before;
    let sessions = store.len();
    println!(
        "memory: {sessions} sessions, {} users, {:.1} bytes/session held (counting allocator), \
         {:.1} bytes/session by memory_bytes(), peak while ingesting {:.1} bytes/session; \
         input JSON {:.1} bytes/session",
        store.user_count(),
        held as f64 / sessions as f64,
        store.memory_bytes() as f64 / sessions as f64,
        peak as f64 / sessions as f64,
        json_bytes as f64 / sessions as f64,
    );
}

fn record_all(pages: &[Vec<u8>]) -> SessionLedger {
    let mut ledger = SessionLedger::new();
    for page in pages {
        ledger.record(page).expect("a page");
    }
    ledger
}

/// The ledger a read keeps of every `user_session_id` (what the streamed export holds per
/// session): bytes per id at a million.
fn report_ledger(_: &mut Criterion) {
    let pages = pages();
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(before, Ordering::Relaxed);
    let ledger = record_all(pages);
    let held = LIVE_BYTES.load(Ordering::Relaxed) - before;
    let peak = PEAK_BYTES.load(Ordering::Relaxed) - before;
    let ids = ledger.len() as f64;
    println!(
        "ledger: {} ids, {:.1} bytes/id held (counting allocator), {:.1} bytes/id by \
         memory_bytes(), peak while recording {:.1} bytes/id",
        ledger.len(),
        held as f64 / ids,
        ledger.memory_bytes() as f64 / ids,
        peak as f64 / ids,
    );
}

fn bench_ledger(c: &mut Criterion) {
    let pages = pages();
    let mut group = c.benchmark_group("ledger_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SESSIONS as u64));
    group.bench_function("record", |b| b.iter(|| record_all(pages).len()));
    group.finish();
}

/// CPU time of the calling thread, from Linux's scheduler statistics. On a machine shared
/// with other work, wall-clock times include waiting for a core; this does not.
fn thread_cpu_time() -> Option<Duration> {
    let stats = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stats.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn cpu_time_of<T>(work: impl FnOnce() -> T) -> Option<Duration> {
    let before = thread_cpu_time()?;
    black_box(work());
    Some(thread_cpu_time()?.saturating_sub(before))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn decode_only(pages: &[Vec<u8>]) -> usize {
    pages
        .iter()
        .map(|page| decode(page).participants_sessions.len())
        .sum()
}

fn borrowed_decode_only(pages: &[Vec<u8>]) -> usize {
    pages
        .iter()
        .map(|page| {
            ParticipantSessionsPageRef::from_json(page)
                .expect("valid page")
                .participants_sessions
                .len()
        })
        .sum()
}

/// CPU times, medians of five runs. Decoding alone and decoding with ingest alternate, so
/// that both see the same machine load, and their ratio is taken run by run.
fn report_cpu_time(_: &mut Criterion) {
    const RUNS: usize = 5;
    let pages = pages();
    let store = store();
    let rows: Vec<RowId> = store.row_ids().collect();
    let thresholds = Thresholds::default();
    let millis = |time: Duration| time.as_secs_f64() * 1e3;
    let (mut decoding, mut borrowed, mut ingesting, mut ratios) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (Some(decode), Some(borrow), Some(ingest)) = (
            cpu_time_of(|| decode_only(pages)),
            cpu_time_of(|| borrowed_decode_only(pages)),
            cpu_time_of(|| ingest_all(pages)),
        ) else {
            return;
        };
        decoding.push(millis(decode));
        borrowed.push(millis(borrow));
        ingesting.push(millis(ingest));
        ratios.push(ingest.as_secs_f64() / decode.as_secs_f64());
    }
    let figures = |work: &dyn Fn() -> usize| {
        median(
            (0..RUNS)
                .filter_map(|_| cpu_time_of(work))
                .map(millis)
                .collect(),
        )
    };
    let per_user = figures(&|| user_figures(store, &rows, NOW, &thresholds).len());
    let full = figures(&|| Figures::compute(store, &rows, NOW, &thresholds).users.len());
    println!(
        "cpu time (median of {RUNS}): serde_decode_only {:.1} ms, borrowed_decode_only {:.1} ms, \
         decode_and_ingest {:.1} ms, ratio {:.2}; user_figures {per_user:.1} ms; \
         full_recompute {full:.1} ms",
        median(decoding),
        median(borrowed),
        median(ingesting),
        median(ratios),
    );
}

fn bench_ingest(c: &mut Criterion) {
    let pages = pages();
    let mut group = c.benchmark_group("ingest_1m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(SESSIONS as u64));
    group.bench_function("serde_decode_only", |b| {
        b.iter_with_large_drop(|| decode_only(pages));
    });
    group.bench_function("borrowed_decode_only", |b| {
        b.iter_with_large_drop(|| borrowed_decode_only(pages));
    });
    group.bench_function("decode_and_ingest", |b| {
        b.iter_with_large_drop(|| ingest_all(pages));
    });
    group.bench_function("page_whole", |b| {
        b.iter_with_large_drop(|| page_whole(pages));
    });
    group.bench_function("page_whole_parsed_twice", |b| {
        b.iter_with_large_drop(|| page_whole_parsed_twice(pages));
    });
    group.finish();
}

fn bench_figures(c: &mut Criterion) {
    let store = store();
    let rows: Vec<RowId> = store.row_ids().collect();
    let thresholds = Thresholds::default();
    let mut group = c.benchmark_group("figures_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SESSIONS as u64));
    group.bench_function("user_figures", |b| {
        b.iter_with_large_drop(|| user_figures(store, black_box(&rows), NOW, &thresholds));
    });
    group.bench_function("concurrency_curve", |b| {
        b.iter_with_large_drop(|| ConcurrencyCurve::compute(store, black_box(&rows), NOW));
    });
    group.bench_function("breakdowns", |b| {
        b.iter_with_large_drop(|| breakdowns(store, black_box(&rows), NOW));
    });
    group.bench_function("full_recompute", |b| {
        b.iter_with_large_drop(|| Figures::compute(store, black_box(&rows), NOW, &thresholds));
    });
    group.finish();
}

fn bench_sorting(c: &mut Criterion) {
    let store = store();
    let rows: Vec<RowId> = store.row_ids().collect();
    let users = user_figures(store, &rows, NOW, &Thresholds::default());
    let mut group = c.benchmark_group("sort_1m");
    group.sample_size(10);
    for (name, column) in [
        ("sessions_by_user", SessionColumn::User),
        ("sessions_by_session_id", SessionColumn::UserSession),
        ("sessions_by_duration", SessionColumn::Duration),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || rows.clone(),
                |rows| sort_sessions(store, rows, column, Order::Descending, NOW),
                criterion::BatchSize::LargeInput,
            );
        });
    }
    group.bench_function("users_by_attended", |b| {
        b.iter_batched_ref(
            || users.clone(),
            |users| sort_users(store, users, UserColumn::Attended, Order::Descending),
            criterion::BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(
    benches,
    report_memory,
    report_ledger,
    bench_ledger,
    report_cpu_time,
    bench_ingest,
    bench_figures,
    bench_sorting
);
/// `--once MEASURE` runs one of the ingest measures (`serde_decode_only`,
/// `borrowed_decode_only`, `decode_and_ingest`, `ledger_record`, `page_whole`,
/// `page_whole_parsed_twice`, `page_fetch_side`) on the first 1,000 pages, once
/// to warm up and once inside [`measured_pass`], then exits: for counting its instructions under
/// callgrind, which repeat where the clock of a shared machine does not (see docs/benchmarks.md).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--once") {
        let measure = args.get(at + 1).map_or("", String::as_str);
        let pages = &pages()[..ONCE_PAGES];
        black_box(measure_by_name(measure, pages));
        black_box(measured_pass(measure, pages));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

const ONCE_PAGES: usize = 1_000;

#[inline(never)]
fn measured_pass(measure: &str, pages: &[Vec<u8>]) -> usize {
    measure_by_name(measure, pages)
}

fn measure_by_name(measure: &str, pages: &[Vec<u8>]) -> usize {
    match measure {
        "serde_decode_only" => decode_only(pages),
        "borrowed_decode_only" => borrowed_decode_only(pages),
        "decode_and_ingest" => ingest_all(pages).len(),
        "ledger_record" => record_all(pages).len(),
        "page_whole" => page_whole(pages).1.len(),
        "page_whole_parsed_twice" => page_whole_parsed_twice(pages).1.len(),
        "page_fetch_side" => page_fetch_side(pages).len(),
        other => panic!(
            "--once takes serde_decode_only, borrowed_decode_only, decode_and_ingest, \
             ledger_record, page_whole, page_whole_parsed_twice or page_fetch_side, not {other:?}"
        ),
    }
}
