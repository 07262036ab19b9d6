//! The task that reads one query page by page and reports each step.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc::Sender;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::backoff::retry_instant;
use super::read::{ReadOptions, ReadStep, ReadTarget, SessionRead};
use super::roster::Invited;
use super::{Asked, Completeness, FetchEvent, FetchRequest, IsLiveCheck, ReadMode};
use crate::api::call_stats::{SessionCounts, SessionStatsQuery};
use crate::api::timestamp::Nanos;
use crate::api::timestamp::unix_now;
use crate::api::{ApiError, RetryNotice, ServerClock, StreamClient};

/// The fetch under way. Dropping it stops the task at
/// once, including a page request in flight, and no further event is sent.
#[derive(Debug)]
pub struct FetchHandle {
    task: JoinHandle<()>,
}

impl Drop for FetchHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts reading every page of `request` in the background, sending its events to `events`
/// in order: `Page`s, then `Done` with the read's completeness, or `Failed` on an error that
/// retrying cannot fix. A page that fails for a passing reason is asked for again from its
/// cursor, as long as it takes. With `request.roster`, who was invited is read alongside
/// (`Roster` or `RosterFailed`, before or after `Done`), with the same patience. The task also
/// ends when nobody listens to `events` any more.
pub fn spawn(
    client: StreamClient,
    request: FetchRequest,
    events: Sender<FetchEvent>,
) -> FetchHandle {
    FetchHandle {
        task: tokio::spawn(async move {
            let roster = request
                .roster
                .then(|| read_roster(&client, &request, events.clone()));
            let pages = read_all_pages(client.clone(), request.clone(), events);
            match roster {
                Some(roster) => {
                    tokio::join!(pages, roster);
                }
                None => pages.await,
            }
        }),
    }
}

async fn read_all_pages(client: StreamClient, request: FetchRequest, events: Sender<FetchEvent>) {
    let generation = request.generation;
    let filter_conditions = request.filter_conditions();
    // The page under way, for the client's retry notices: they come from inside a request.
    let page_under_way = Arc::new(AtomicU32::new(1));
    let under_way = Arc::clone(&page_under_way);
    let (client, _notices) = observed(&client, &events, move |notice, retry_at| {
        FetchEvent::Retrying {
            generation,
            asked: Asked::of(notice.operation, under_way.load(Ordering::Relaxed)),
            error: notice.error.clone(),
            retry_at,
        }
    });
    let mut walker = Walker {
        target: ReadTarget {
            call_type: request.call_type,
            call_id: request.call_id,
            session: request.session,
        },
        page_size: request.page_size,
        generation,
        clock: client.clock(),
        client,
        events,
        page_under_way,
        pages: 0,
    };
    let open = match request.mode {
        ReadMode::Whole => {
            if let Some(read) = walker.walk(filter_conditions).await {
                walker.finish(read, None).await;
            }
            return;
        }
        ReadMode::ClosedSessions => {
            walker.closed_sessions().await;
            return;
        }
        ReadMode::OpenSessions { open } => open,
    };
    let Some(live) = walker.walk(Some(json!({"is_live": {"$eq": true}}))).await else {
        return;
    };
    let check = live.is_live_check();
    if !walker
        .send(FetchEvent::OpenSessionsRead { generation, check })
        .await
    {
        return;
    }
    if check != IsLiveCheck::Honoured {
        if let Some(read) = walker.walk(None).await {
            walker.finish(read, None).await;
        }
        return;
    }
    let users: BTreeSet<&str> = open
        .iter()
        .filter(|session| !live.received(&session.user_session_id))
        .map(|session| session.user_id.as_str())
        .collect();
    let users: Arc<[String]> = users.into_iter().map(str::to_owned).collect();
    let read_back = FetchEvent::ReadBack {
        generation,
        users: Arc::clone(&users),
    };
    if !walker.send(read_back).await {
        return;
    }
    if users.is_empty() {
        walker.finish(live, None).await;
        return;
    }
    let open_sessions = live.completeness(walker.clock.now());
    if let Some(read) = walker
        .walk(Some(json!({"user_id": {"$in": &*users}})))
        .await
    {
        walker.finish(read, open_sessions).await;
    }
}

impl Walker {
    /// Reads the closed sessions (`is_live: false`) and checks that every row returned had
    /// left; when one had not, the server does not honour the condition and the whole
    /// session is read instead, in this fetch.
    async fn closed_sessions(&mut self) {
        let generation = self.generation;
        let Some(closed) = self.walk(Some(json!({"is_live": {"$eq": false}}))).await else {
            return;
        };
        let check = closed.is_closed_check();
        if !self
            .send(FetchEvent::ClosedSessionsRead { generation, check })
            .await
        {
            return;
        }
        if check == IsLiveCheck::Honoured {
            self.finish(closed, None).await;
        } else if let Some(read) = self.walk(None).await {
            self.finish(read, None).await;
        }
    }
}

/// The walks of one fetch through the pages, numbered on from one walk to the next.
struct Walker {
    client: StreamClient,
    target: ReadTarget,
    page_size: u32,
    generation: u64,
    events: Sender<FetchEvent>,
    // Events carry instants on the server's clock, as the app's present is (waits stay on
    // the local one).
    clock: ServerClock,
    page_under_way: Arc<AtomicU32>,
    /// Pages sent by the walks before.
    pages: u32,
}

impl Walker {
    /// Sends `event`; `false` once nobody listens.
    async fn send(&self, event: FetchEvent) -> bool {
        self.events.send(event).await.is_ok()
    }

    /// Reads every page of `filter_conditions` and sends them; the read once it has ended,
    /// `None` when it failed (said with `Failed`) or nobody listens any more.
    async fn walk(&mut self, filter_conditions: Option<serde_json::Value>) -> Option<SessionRead> {
        let generation = self.generation;
        let options = ReadOptions {
            page_size: self.page_size,
            filter_conditions,
            ..ReadOptions::default()
        };
        let mut read = match SessionRead::new(&self.client, self.target.clone(), options) {
            Ok(read) => read,
            Err(error) => {
                self.send(FetchEvent::Failed { generation, error }).await;
                return None;
            }
        };
        let before = self.pages;
        let mut failures = 0;
        while let Some(result) = read.next().await {
            let event = match result {
                Ok(ReadStep::Page(page)) => {
                    failures = 0;
                    let page_no = before + page.page_no;
                    self.page_under_way.store(page_no + 1, Ordering::Relaxed);
                    FetchEvent::Page {
                        generation,
                        page_no,
                        page: Box::new(page.page),
                        rate_limit: page.rate_limit,
                    }
                }
                Ok(ReadStep::NotReady { retry_at, .. }) => FetchEvent::NotReady {
                    generation,
                    retry_at: self.clock.local_to_server(retry_at),
                },
                Err(error) if error.is_retryable() => {
                    failures += 1;
                    let retry_at = retry_instant(failures, server_time(&error), unix_now());
                    let retrying = FetchEvent::Retrying {
                        generation,
                        asked: Asked::Page(before + read.pages() + 1),
                        error,
                        retry_at: self.clock.local_to_server(retry_at),
                    };
                    if !self.send(retrying).await {
                        return None;
                    }
                    sleep_until(retry_at).await;
                    continue;
                }
                Err(error) => FetchEvent::Failed { generation, error },
            };
            let failed = matches!(event, FetchEvent::Failed { .. });
            if !self.send(event).await || failed {
                return None;
            }
        }
        self.pages = before + read.pages();
        Some(read)
    }

    /// Ends the fetch after its last walk, `read`: whether the session ended decides how its
    /// rows count; when the pages do not say, GetCall and the stats are asked. Should they
    /// fail, the pages' word stands: the next read asks again. `Done` carries the read's
    /// completeness, or that of an earlier walk of the fetch (`earlier`) that missed rows.
    async fn finish(&self, mut read: SessionRead, earlier: Option<Completeness>) {
        let generation = self.generation;
        let _ = read.learn_end().await;
        let mut completeness = read
            .completeness(self.clock.now())
            .expect("the read has ended");
        if let Some(earlier) = earlier.filter(|earlier| !earlier.is_complete()) {
            completeness = earlier;
        }
        if completeness == Completeness::Expired {
            // Optional: without it the totals of the pages are what is shown.
            if let Some(counts) = session_counts(&self.client, &self.target).await {
                self.send(FetchEvent::Stats { generation, counts }).await;
            }
        }
        // Nobody is left to tell if the receiver is gone, so a failed send needs no handling.
        self.send(FetchEvent::Done {
            generation,
            pages: self.pages,
            completeness,
            end: read.end_reports().clone(),
        })
        .await;
    }
}

/// `client` telling `events` of each wait before a retry of its own, as the fetcher's own
/// retries are told: the dashboard says why nothing arrives instead of looking stuck. `tell`
/// words a notice as an event, given when the request goes again (Unix ns, server clock). An
/// observer cannot wait for room in the channel, so it leaves the latest notice in a slot that
/// a companion task sends on as soon as there is room: a notice is never lost to a full
/// channel, only replaced by a newer one. The companion ends with the returned guard.
fn observed(
    client: &StreamClient,
    events: &Sender<FetchEvent>,
    tell: impl Fn(&RetryNotice, Nanos) -> FetchEvent + Send + Sync + 'static,
) -> (StreamClient, AbortOnDrop) {
    let (slot, mut notices) = watch::channel::<Option<FetchEvent>>(None);
    let forward_to = events.clone();
    let forwarder = tokio::spawn(async move {
        while notices.changed().await.is_ok() {
            let notice = notices.borrow_and_update().clone();
            if let Some(notice) = notice
                && forward_to.send(notice).await.is_err()
            {
                return;
            }
        }
    });
    let clock = client.clock();
    let client = client.observed(move |notice: &RetryNotice| {
        let wait = Nanos::try_from(notice.wait.as_nanos()).unwrap_or(Nanos::MAX);
        let retry_at = clock.local_to_server(unix_now().saturating_add(wait));
        slot.send_replace(Some(tell(notice, retry_at)));
    });
    (client, AbortOnDrop(forwarder))
}

/// Stops a companion task when its owner ends.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The session's counts in `QueryCallSessionStats`, if Stream lists it.
async fn session_counts(client: &StreamClient, target: &ReadTarget) -> Option<SessionCounts> {
    let query = SessionStatsQuery::one_session(&target.call_type, &target.call_id, &target.session);
    let page = client.query_call_session_stats(&query).await.ok()?;
    page.body
        .call_stats
        .into_iter()
        .find(|row| row.call_session_id == target.session)
        .map(|row| row.counts)
}

/// Reads who was invited to the call, trying again after a failure that may pass (at the
/// server's reset time or after backoff), as the pages are, and sends the outcome.
async fn read_roster(client: &StreamClient, request: &FetchRequest, events: Sender<FetchEvent>) {
    let generation = request.generation;
    let clock = client.clock();
    // The client's own waits (a rate limit inside the members' paging) are told as the
    // pages' are, so that the status line says why the counts are late.
    let (client, _notices) = observed(client, &events, move |notice, retry_at| {
        FetchEvent::RosterFailed {
            generation,
            asked: Asked::of(notice.operation, 0),
            error: notice.error.clone(),
            retry_at: Some(retry_at),
        }
    });
    let client = &client;
    let mut failures = 0;
    loop {
        let event = match Invited::read_from(
            client,
            &request.call_type,
            &request.call_id,
            request.members_known.as_ref(),
        )
        .await
        {
            Ok(invited) => FetchEvent::Roster {
                generation,
                invited: Box::new(invited),
            },
            Err((asked, error)) if error.is_retryable() => {
                failures += 1;
                let retry_at = retry_instant(failures, server_time(&error), unix_now());
                let failed = FetchEvent::RosterFailed {
                    generation,
                    asked,
                    error,
                    retry_at: Some(clock.local_to_server(retry_at)),
                };
                if events.send(failed).await.is_err() {
                    return;
                }
                sleep_until(retry_at).await;
                continue;
            }
            Err((asked, error)) => FetchEvent::RosterFailed {
                generation,
                asked,
                error,
                retry_at: None,
            },
        };
        let _ = events.send(event).await;
        return;
    }
}

/// When the server said to try again, in Unix ns.
fn server_time(error: &ApiError) -> Option<Nanos> {
    let at = error.retry_at()?;
    Nanos::try_from(at.as_nanosecond()).ok()
}

async fn sleep_until(at: Nanos) {
    let wait = u64::try_from(at.saturating_sub(unix_now())).unwrap_or(0);
    tokio::time::sleep(Duration::from_nanos(wait)).await;
}
