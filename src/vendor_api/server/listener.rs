//! Connections to the local API, defended against clients that hold them
//! open: a connection that sends no complete request head within
//! [`HEADER_TIMEOUT`] (also the keep-alive idle limit) is closed, a request
//! (body included) gets [`REQUEST_TIMEOUT`], and at most a bounded number of
//! connections are open. When that bound is reached a new connection evicts
//! the longest-open idle one (no request in progress), as nginx reuses idle
//! connections when it runs out, so a crowd of idle sockets can never keep
//! a real client out. The bound stays below the process's descriptor limit,
//! so accepting never runs the process out of descriptors. (The limit itself
//! is left alone: the lab's shell and its programs inherit it.)

use crate::vendor_api::types::ErrorBody;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, oneshot, watch};

/// A client sends its request head at once; a slow one is an attack or a hang.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Body and answer of one request; a chart upload on loopback takes well under a second.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections served at once, at most: many more than a learner's tools open.
pub const MAX_CONNECTIONS: usize = 512;
/// Descriptors kept free for the rest of the process (state files, the lab's PTY).
const RESERVED_DESCRIPTORS: u64 = 128;
/// The shortest pause after a failed accept (out of descriptors); doubles to a second.
const FIRST_ACCEPT_BACKOFF: Duration = Duration::from_millis(5);

/// The open connections, oldest first.
#[derive(Default)]
struct Table {
    next_id: u64,
    open: BTreeMap<u64, Entry>,
}

struct Entry {
    /// Requests in progress on the connection.
    busy: Arc<AtomicUsize>,
    evict: Option<oneshot::Sender<()>>,
}

impl Table {
    /// Closes the longest-open connection with no request in progress.
    fn evict_oldest_idle(&mut self) -> bool {
        let idle = self
            .open
            .iter_mut()
            .find(|(_, e)| e.evict.is_some() && e.busy.load(Ordering::SeqCst) == 0);
        match idle.and_then(|(_, e)| e.evict.take()) {
            Some(evict) => {
                let _ = evict.send(());
                true
            }
            None => false,
        }
    }

    /// Connections not already told to close.
    fn live(&self) -> usize {
        self.open.values().filter(|e| e.evict.is_some()).count()
    }
}

/// Marks a request in progress for as long as it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn enter(counter: &Arc<AtomicUsize>) -> Busy {
        counter.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(counter))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves `app` on `listener` until `stop` fires, then lets requests in
/// progress finish for up to `grace`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    stop: oneshot::Receiver<()>,
    grace: Duration,
) {
    let limit = connection_limit();
    let table = Arc::new(Mutex::new(Table::default()));
    let slot_freed = Arc::new(Notify::new());
    let (shutdown, shutting_down) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let mut backoff = FIRST_ACCEPT_BACKOFF;
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff = FIRST_ACCEPT_BACKOFF;
                stream
            }
            Err(_) => {
                // Out of descriptors (or a connection reset before accept):
                // free an idle connection and try again shortly.
                lock(&table).evict_oldest_idle();
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        // Make room: evict an idle connection, or wait for one to end.
        loop {
            let freed = slot_freed.notified();
            let room = {
                let mut open = lock(&table);
                open.live() < limit || open.evict_oldest_idle()
            };
            if room {
                break;
            }
            tokio::select! {
                _ = freed => {}
                _ = &mut stop => return drain(tasks, shutdown, grace).await,
            }
        }
        let _ = stream.set_nodelay(true);
        let busy = Arc::new(AtomicUsize::new(0));
        let (evict, evicted) = oneshot::channel();
        let id = {
            let mut open = lock(&table);
            let id = open.next_id;
            open.next_id += 1;
            open.open.insert(
                id,
                Entry {
                    busy: Arc::clone(&busy),
                    evict: Some(evict),
                },
            );
            id
        };
        let (table, slot_freed) = (Arc::clone(&table), Arc::clone(&slot_freed));
        let (app, shutting_down) = (app.clone(), shutting_down.clone());
        tasks.spawn(async move {
            connection(stream, app, busy, evicted, shutting_down, grace).await;
            lock(&table).open.remove(&id);
            slot_freed.notify_one();
        });
        // Reap finished tasks so the set does not grow with every connection.
        while tasks.try_join_next().is_some() {}
    }
    drain(tasks, shutdown, grace).await;
}

/// Asks every connection to finish its request and close, and waits (bounded).
async fn drain(
    mut tasks: tokio::task::JoinSet<()>,
    shutdown: watch::Sender<bool>,
    grace: Duration,
) {
    let _ = shutdown.send(true);
    let all = async { while tasks.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(grace, all).await;
}

/// One connection: HTTP/1.1 with the header timeout, until it ends, is
/// evicted, or the server shuts down.
async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    busy: Arc<AtomicUsize>,
    evicted: oneshot::Receiver<()>,
    mut shutting_down: watch::Receiver<bool>,
    grace: Duration,
) {
    let inner = TowerToHyperService::new(app);
    let service = hyper::service::service_fn(move |request| {
        let guard = Busy::enter(&busy);
        let response = inner.call(request);
        async move {
            let _guard = guard;
            match tokio::time::timeout(REQUEST_TIMEOUT, response).await {
                Ok(answer) => answer,
                Err(_) => Ok(request_timeout()),
            }
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let conn = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let stopping = async move {
        // The guard `wait_for` returns must not be held across an await.
        let _ = shutting_down.wait_for(|stop| *stop).await.map(|_| ());
    };
    tokio::select! {
        _ = conn.as_mut() => {}
        // Dropping the connection closes the socket.
        _ = evicted => {}
        () = stopping => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(grace, conn).await;
        }
    }
}

fn request_timeout() -> axum::response::Response {
    let body = ErrorBody::new(
        "request_timeout",
        format!(
            "the request was not received within {}s",
            REQUEST_TIMEOUT.as_secs()
        ),
    );
    (StatusCode::REQUEST_TIMEOUT, axum::Json(body)).into_response()
}

fn lock(table: &Mutex<Table>) -> std::sync::MutexGuard<'_, Table> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

/// How many connections fit under the descriptor limit with room to spare.
fn connection_limit() -> usize {
    crate::descriptors::connections_fitting(MAX_CONNECTIONS, RESERVED_DESCRIPTORS)
}
