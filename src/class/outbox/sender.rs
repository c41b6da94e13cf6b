//! Delivering a workspace's queued events to its class server: one round
//! (join if pending, then batches of at most [`MAX_EVENTS_PER_BATCH`] events
//! and [`MAX_BODY_BYTES`], the cursor moved after each acknowledgement),
//! taken under the workspace's sender lock so two processes never send at
//! once; and the lab's background sender, a thread that runs rounds when an
//! event is queued (by the lab, or by `labrun check` in its shell: it
//! watches the queue's directory), with capped exponential backoff and
//! jitter after a failure and the server's `Retry-After` after a `429`.

use super::membership::{Joined, Membership};
use super::queue::{Cursor, Queue};
use super::{ClassPaths, OutboxError};
use crate::class::protocol::{
    BatchAck, EVENTS, ErrorBody, EventBatch, JOIN, JoinRequest, JoinResponse, MAX_BODY_BYTES,
    MAX_EVENTS_PER_BATCH,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The first wait after a failure; doubled after each until [`BACKOFF_CAP`].
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// The longest `Retry-After` taken as given (a broken server cannot park us for a day).
const RETRY_AFTER_CAP: Duration = Duration::from_secs(300);
/// Room for the batch's `{"events":[…]}` and commas.
const BODY_MARGIN: usize = 1024;

/// How one request may take; the lab's sender is never in a hurry, a CLI
/// command's delivery is.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub connect: Duration,
    pub total: Duration,
}

impl Patience {
    pub const BACKGROUND: Patience = Patience {
        connect: Duration::from_secs(5),
        total: Duration::from_secs(20),
    };
    /// A `labrun check` tries once, briefly, and leaves the rest queued.
    pub const COMMAND: Patience = Patience {
        connect: Duration::from_millis(1500),
        total: Duration::from_secs(3),
    };
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// The class joined in this round (a pending membership).
    pub joined: Option<String>,
    /// Events acknowledged.
    pub sent: usize,
    /// Damaged queue lines skipped.
    pub damaged: usize,
    /// Another process is sending for this workspace right now.
    pub busy: bool,
}

fn client(patience: Patience) -> Result<reqwest::blocking::Client, OutboxError> {
    reqwest::blocking::Client::builder()
        .connect_timeout(patience.connect)
        .timeout(patience.total)
        .build()
        .map_err(|e| OutboxError::Client(e.to_string()))
}

/// `POST /api/join`.
pub fn join(
    base: &str,
    request: &JoinRequest,
    patience: Patience,
) -> Result<JoinResponse, OutboxError> {
    let response = client(patience)?
        .post(format!("{base}{JOIN}"))
        .json(request)
        .send()
        .map_err(|e| unreachable(base, &e))?;
    let response = success(base, response)?;
    response.json().map_err(|e| OutboxError::BadAnswer {
        base: base.to_string(),
        reason: e.without_url().to_string(),
    })
}

/// One delivery round for the workspace: joins first if the membership is
/// pending, then sends every pending event. Refused with `busy` when
/// another process holds the sender lock.
pub fn deliver(paths: &ClassPaths, patience: Patience) -> Result<Round, OutboxError> {
    let lock = paths.sender_lock();
    let Some(_held) = crate::fsutil::try_lock_exclusive(&lock)
        .map_err(|source| OutboxError::Io { path: lock, source })?
    else {
        return Ok(Round {
            busy: true,
            ..Round::default()
        });
    };
    let Some(mut membership) = Membership::load(paths)? else {
        return Ok(Round::default());
    };
    let mut round = Round::default();
    if membership.joined.is_none() {
        let answer = join(
            &membership.base,
            &super::join_request(paths, &membership)?,
            patience,
        )?;
        round.joined = Some(answer.class.clone());
        membership = super::remember_join(paths, &membership, answer)?;
    }
    let joined = membership.joined.as_ref().expect("joined above");
    let http = client(patience)?;
    let queue = Queue::of(paths);
    loop {
        let cursor = queue.cursor()?;
        let pending = queue.pending(cursor)?;
        round.damaged += pending.damaged;
        let mut batch = Vec::new();
        let mut bytes = BODY_MARGIN;
        for queued in &pending.events {
            if batch.len() == MAX_EVENTS_PER_BATCH
                || (!batch.is_empty() && bytes + queued.line.len() + 1 > MAX_BODY_BYTES)
            {
                break;
            }
            bytes += queued.line.len() + 1;
            batch.push(queued);
        }
        let Some(last) = batch.last() else {
            if pending.end > cursor.offset {
                // Only damaged lines past the cursor: step over them.
                queue.acknowledge(Cursor {
                    seq: cursor.seq,
                    offset: pending.end,
                })?;
            }
            return Ok(round);
        };
        send(&http, &membership.base, joined, &batch)?;
        round.sent += batch.len();
        queue.acknowledge(Cursor {
            seq: last.event.seq,
            offset: last.end,
        })?;
    }
}

fn send(
    http: &reqwest::blocking::Client,
    base: &str,
    joined: &Joined,
    batch: &[&super::queue::Queued],
) -> Result<BatchAck, OutboxError> {
    // The lines as queued, joined as they are: nothing re-serialised.
    let mut body =
        String::with_capacity(batch.iter().map(|q| q.line.len() + 1).sum::<usize>() + 16);
    body.push_str("{\"events\":[");
    for (i, queued) in batch.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&queued.line);
    }
    body.push_str("]}");
    debug_assert!(serde_json::from_str::<EventBatch>(&body).is_ok());
    let response = http
        .post(format!("{base}{EVENTS}"))
        .bearer_auth(&joined.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .map_err(|e| unreachable(base, &e))?;
    let response = success(base, response)?;
    response.json().map_err(|e| OutboxError::BadAnswer {
        base: base.to_string(),
        reason: e.without_url().to_string(),
    })
}

fn unreachable(base: &str, error: &reqwest::Error) -> OutboxError {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    OutboxError::Unreachable {
        base: base.to_string(),
        reason,
    }
}

/// The response if it is a success; else the error it says.
fn success(
    base: &str,
    response: reqwest::blocking::Response,
) -> Result<reqwest::blocking::Response, OutboxError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let message = response
        .text()
        .ok()
        .and_then(|text| serde_json::from_str::<ErrorBody>(&text).ok())
        .map(|body| body.error)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
    let base = base.to_string();
    let status = status.as_u16();
    Err(match status {
        429 => OutboxError::RateLimited {
            base,
            retry_after: retry_after.unwrap_or(Duration::from_secs(1)),
        },
        400..=499 => OutboxError::Refused {
            base,
            status,
            message,
        },
        _ => OutboxError::ServerFailed {
            base,
            status,
            message,
        },
    })
}

/// How long to wait before the `failures`-th retry: doubling from
/// [`BACKOFF_FIRST`], capped, with up to half of it random (so a class of
/// laptops back online together do not retry in step).
pub fn backoff(failures: u32, random: u32) -> Duration {
    let full = BACKOFF_FIRST
        .saturating_mul(1u32 << failures.min(16))
        .min(BACKOFF_CAP);
    let jitter = full / 2 * (random % 1000) / 1000;
    full / 2 + jitter
}

fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes)
}

/// The lab's background sender; stops when dropped (without waiting for a
/// request in flight: the lab's quit never waits on the network).
pub struct Sender {
    shared: Arc<Shared>,
    _watcher: Option<notify::RecommendedWatcher>,
}

struct Shared {
    woken: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn wake(&self) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_one();
    }
}

impl Sender {
    /// Starts the sender of the workspace whose class files are `paths`;
    /// `tell` gets what the learner should know (joined, refused), and must
    /// not block.
    pub fn spawn(
        paths: ClassPaths,
        tell: impl Fn(String) + Send + 'static,
    ) -> std::io::Result<Sender> {
        let shared = Arc::new(Shared {
            woken: Mutex::new(true),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        std::fs::create_dir_all(paths.dir())?;
        // Events queued by another process (a `labrun check` in the shell)
        // wake the sender too; without a watcher, they wait for the lab's next.
        let watcher = {
            use notify::Watcher;
            let shared = Arc::clone(&shared);
            let queue = paths.queue();
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok_and(|e| e.kind.is_modify() && e.paths.contains(&queue)) {
                    shared.wake();
                }
            })
            .and_then(|mut w| {
                w.watch(&paths.dir(), notify::RecursiveMode::NonRecursive)
                    .map(|()| w)
            })
            .ok()
        };
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("class-sender".into())
            .spawn(move || run(&paths, &thread_shared, &tell))?;
        Ok(Sender {
            shared,
            _watcher: watcher,
        })
    }

    /// An event was queued: send it soon.
    pub fn wake(&self) {
        self.shared.wake();
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake();
    }
}

fn run(paths: &ClassPaths, shared: &Shared, tell: &dyn Fn(String)) {
    let mut failures = 0u32;
    let mut not_before = Instant::now();
    let mut told_unreachable = false;
    loop {
        {
            let mut woken = shared.woken.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if shared.stop.load(Ordering::SeqCst) {
                    return;
                }
                let now = Instant::now();
                if now < not_before {
                    // Waiting out a backoff: a wake-up is remembered, not acted on.
                    woken = shared
                        .wake
                        .wait_timeout(woken, not_before - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                    continue;
                }
                if *woken {
                    *woken = false;
                    break;
                }
                woken = shared.wake.wait(woken).unwrap_or_else(|e| e.into_inner());
            }
        }
        match deliver(paths, Patience::BACKGROUND) {
            Ok(round) => {
                failures = 0;
                told_unreachable = false;
                if let Some(class) = round.joined {
                    tell(format!(
                        "joined class {class:?}: your checks are sent to the instructor"
                    ));
                }
                if round.damaged > 0 {
                    tell(format!(
                        "{} damaged line(s) in {} skipped",
                        round.damaged,
                        paths.queue().display()
                    ));
                }
                if round.busy {
                    // Another process is sending: look again shortly.
                    not_before = Instant::now() + backoff(0, random_u32());
                    shared.wake();
                }
            }
            Err(OutboxError::RateLimited { retry_after, .. }) => {
                not_before = Instant::now() + retry_after.min(RETRY_AFTER_CAP);
                shared.wake();
            }
            Err(error @ OutboxError::Refused { .. }) if !error.is_retried() => {
                tell(format!("class: {error}; nothing more is sent"));
                return;
            }
            Err(error) => {
                if !told_unreachable && matches!(error, OutboxError::Unreachable { .. }) {
                    told_unreachable = true;
                    tell(format!(
                        "class: {error}; your events are kept and sent when it is back"
                    ));
                }
                not_before = Instant::now() + backoff(failures, random_u32());
                failures = failures.saturating_add(1);
                shared.wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered_within_half() {
        let first = backoff(0, 0);
        assert_eq!(first, BACKOFF_FIRST / 2);
        assert!(backoff(1, 0) > first);
        assert!(backoff(3, 999) <= BACKOFF_FIRST * 8);
        for failures in [10, 20, 1000] {
            for random in [0, 500, 999, u32::MAX] {
                let wait = backoff(failures, random);
                assert!(wait >= BACKOFF_CAP / 2 && wait <= BACKOFF_CAP, "{wait:?}");
            }
        }
    }
}
