//! The lab asks the Vendor API through its session's one client: every
//! re-check reuses that client's open connection, where a client made for
//! each check would open a new one every time (and, online, load the
//! system's TLS roots again). Observed at a real socket: a Vendor API on
//! loopback that counts the connections it accepts.

mod support;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::lab::{Lab, Options, WAIT};

const APP: &str = "slackernews-keepalive";
const TOKEN: &str = "lab-token-0123456789";
/// F6: check every step (a global key: it works while the shell has the keys).
const CHECK_ALL: &[u8] = b"\x1b[17~";
/// A release check with no release on its channels asks two things: the apps
/// with their channels, and the releases (for the sequence to suggest).
const REQUESTS_PER_CHECK: usize = 2;

#[test]
fn the_lab_rechecks_through_one_client_and_one_connection() {
    let api = CountingApi::start();
    let mut lab = Lab::start_with(
        Options::default()
            .env("REPLICATED_API_ORIGIN", api.origin.clone())
            .env("REPLICATED_API_TOKEN", TOKEN)
            .env("REPLICATED_APP", APP),
    );
    // The lab checks every step as it opens; then the learner asks twice more.
    api.wait_for_requests(REQUESTS_PER_CHECK);
    for run in 2..=3 {
        lab.type_keys(CHECK_ALL);
        api.wait_for_requests(run * REQUESTS_PER_CHECK);
    }
    let counts = &api.counts;
    assert_eq!(
        counts.unauthorized.load(Ordering::SeqCst),
        0,
        "every request carried the token"
    );
    assert_eq!(
        counts.connections.load(Ordering::SeqCst),
        1,
        "three check runs, {} requests: one client, one connection",
        counts.requests.load(Ordering::SeqCst)
    );
    lab.quit();
}

/// A Vendor API on 127.0.0.1 (one app, no releases), served by axum with
/// HTTP keep-alive, that counts the connections it accepts and the requests
/// it answers.
struct CountingApi {
    origin: String,
    counts: Arc<Counts>,
    /// Serves until dropped (after the lab, so the lab never sees it go).
    _runtime: tokio::runtime::Runtime,
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    requests: AtomicUsize,
    unauthorized: AtomicUsize,
}

impl CountingApi {
    fn start() -> CountingApi {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = Router::new()
            .route("/v3/apps", get(apps))
            .route("/v3/app/2fAPP/releases", get(releases))
            .layer(middleware::from_fn_with_state(counts.clone(), count));
        let accepted = counts.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)
                .unwrap()
                .tap_io(move |_| {
                    accepted.connections.fetch_add(1, Ordering::SeqCst);
                });
            axum::serve(listener, app).await
        });
        CountingApi {
            origin,
            counts,
            _runtime: runtime,
        }
    }

    /// Waits until at least `n` requests were answered; panics after [`WAIT`].
    fn wait_for_requests(&self, n: usize) {
        let start = Instant::now();
        while self.counts.requests.load(Ordering::SeqCst) < n {
            assert!(
                start.elapsed() < WAIT,
                "{} of {n} requests within {WAIT:?}",
                self.counts.requests.load(Ordering::SeqCst)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

async fn count(State(counts): State<Arc<Counts>>, request: Request, next: Next) -> Response {
    let token = request.headers().get(AUTHORIZATION);
    if token.is_none_or(|t| t.as_bytes() != TOKEN.as_bytes()) {
        counts.unauthorized.fetch_add(1, Ordering::SeqCst);
    }
    let response = next.run(request).await;
    counts.requests.fetch_add(1, Ordering::SeqCst);
    response
}

/// The app with its three channels, none with a release yet.
async fn apps() -> Json<serde_json::Value> {
    let channel = |id: &str, name: &str| serde_json::json!({"id": id, "appId": "2fAPP", "name": name, "releaseSequence": 0});
    Json(serde_json::json!({"apps": [{
        "id": "2fAPP",
        "name": "Slackernews",
        "slug": APP,
        "channels": [channel("ch-u", "Unstable"), channel("ch-b", "Beta"), channel("ch-s", "Stable")],
    }]}))
}

async fn releases() -> Json<serde_json::Value> {
    Json(serde_json::json!({"releases": []}))
}
