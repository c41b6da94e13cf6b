//! A local stand-in for the Replicated Vendor API (vendor-api.md §1): the
//! endpoints the `replicated` CLI calls in the lesson, served on loopback with
//! the seed of §5, so `labrun sandbox` works offline.
//!
//! [`Sandbox::start`] runs the server on its own thread and tokio runtime, so
//! callers stay synchronous; dropping the [`Sandbox`] stops it.
//!
//! - `routes`: HTTP handlers; `store`: the state and its mutations;
//!   `persist`: the state file (shared by every process serving it, under a
//!   file lock) and the spec files beside it; `upload`: checking charts.
//! - `listener`: connections, with timeouts and a cap (slow clients).
//! - `owner`: which process a learner's other shells use; `command`:
//!   `labrun sandbox`; `exports`: its `export` lines, quoted.

pub mod command;
pub mod exports;
mod listener;
pub mod owner;
mod persist;
mod routes;
mod seed;
mod store;
mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use routes::Context;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Request bodies above this get 413: a chart upload is a few hundred KiB.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// How long a stop waits for in-flight requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct ServerConfig {
    /// Must be loopback (127.0.0.0/8 or ::1); port 0 picks a free port.
    pub listen: SocketAddr,
    /// The JSON state file; None keeps the state in memory only.
    pub state_path: Option<PathBuf>,
    /// The app's slug, e.g. "slackernews-mackerel"; its id is derived from it.
    pub app_slug: String,
    /// The exact `Authorization` header value every request must carry.
    pub token: String,
}

/// The token stays out of debug output and logs.
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("state_path", &self.state_path)
            .field("app_slug", &self.app_slug)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the sandbox API listens on loopback only; {0} is not a loopback address")]
    NotLoopback(SocketAddr),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("sandbox state file {}: {error}", path.display())]
    State {
        path: PathBuf,
        error: persist::PersistError,
    },
    #[error("invalid sandbox configuration: {0}")]
    Config(exports::ValueError),
    #[error("could not start the sandbox API: {0}")]
    Runtime(std::io::Error),
}

/// A running server. Dropping it stops the server and joins its thread.
pub struct Sandbox {
    origin: String,
    app_id: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Loads or seeds the state, binds, and returns once the socket listens.
    pub fn start(config: ServerConfig) -> Result<Sandbox, ServerError> {
        check_config(&config)?;
        let store =
            persist::Store::open(config.state_path.clone(), &config.app_slug).map_err(|error| {
                ServerError::State {
                    path: config.state_path.clone().unwrap_or_default(),
                    error,
                }
            })?;
        // Bound here, not on the server thread, so bind errors reach the caller.
        let listener = bind(config.listen)?;
        let addr = listener.local_addr().map_err(ServerError::Runtime)?;
        let context = Arc::new(Context {
            store,
            token: config.token,
        });
        let (stop, stopped) = oneshot::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("labrun-vendor-api".to_string())
            .spawn(move || serve(listener, router(context), stopped, ready_tx))
            .map_err(ServerError::Runtime)?;
        // The thread reports once the listener is registered with tokio.
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(std::io::Error::other("the server thread ended")));
        let sandbox = Sandbox {
            origin: format!("http://{addr}"),
            app_id: seed::app_id(&config.app_slug),
            stop: Some(stop),
            thread: Some(thread),
        };
        ready.map_err(ServerError::Runtime)?;
        Ok(sandbox)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash (the CLI joins paths as is).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Stops the server: in-flight requests get a few seconds to finish.
    pub fn stop(self) {}
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn check_config(config: &ServerConfig) -> Result<(), ServerError> {
    if !config.listen.ip().is_loopback() {
        return Err(ServerError::NotLoopback(config.listen));
    }
    exports::check_token(&config.token).map_err(ServerError::Config)?;
    exports::check_app_slug(&config.app_slug).map_err(ServerError::Config)?;
    Ok(())
}

fn bind(addr: SocketAddr) -> Result<std::net::TcpListener, ServerError> {
    let bind_error = |source| ServerError::Bind { addr, source };
    let listener = std::net::TcpListener::bind(addr).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    Ok(listener)
}

/// The routes of vendor-api.md §1.4, at the root of the origin.
fn router(context: Arc<Context>) -> Router {
    use routes::*;
    Router::new()
        .route("/v1/apps", get(list_v1_apps))
        .route("/v3/apps", get(list_apps))
        .route("/v3/app/{app}/channels", get(list_channels))
        .route("/v3/app/{app}/channel", post(create_channel))
        .route(
            "/v3/app/{app}/channel/{channel}",
            get(get_channel).delete(archive_channel),
        )
        .route("/v3/app/{app}/release", post(create_release))
        .route("/v3/app/{app}/release/{sequence}", get(get_release))
        .route("/v3/app/{app}/release/{sequence}/promote", post(promote))
        .route("/v3/app/{app}/releases", get(list_releases))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Outermost, so auth is checked before routing, 404s included.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&context),
            require_token,
        ))
        .with_state(context)
}

/// The server thread: its own runtime, serving until `stopped` fires.
fn serve(
    listener: std::net::TcpListener,
    app: Router,
    stopped: oneshot::Receiver<()>,
    ready: mpsc::Sender<std::io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        // A dropped sender (the Sandbox is gone) also means stop.
        listener::serve(listener, app, stopped, SHUTDOWN_GRACE).await;
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
}
