//! The class server (`labrun class serve`): joins learners, stores their
//! events once each, and serves the class to its instructor.
//!
//! [`Server::start`] checks the TLS files, binds, opens the store and finds
//! or creates the class; [`Server::run`] serves until Ctrl-C or SIGTERM,
//! lets requests in progress finish, and closes the database.
//!
//! - `store`: SQLite/PostgreSQL, schema and migrations; `state`: the class
//!   in memory and its version; `routes`: the handlers; `stream`: SSE;
//!   `auth`: secrets and the rate limit; `listener`: connections (plain or
//!   TLS); `tls`: certificate files; `page`: the web page.

mod auth;
mod listener;
pub mod page;
mod routes;
pub mod state;
mod store;
mod stream;
mod tls;

use axum::Router;
use axum::routing::{get, post};
use routes::Context;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub use store::describe as describe_db;
pub use tls::TlsError;

/// How long a stop waits for requests in progress.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why the class server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "could not listen on {addr}: {source}{}",
        if source.kind() == std::io::ErrorKind::AddrInUse {
            " (another program has this port: choose another with --listen)"
        } else { "" }
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("the class name {0:?} must be 1 to 80 characters, without control characters")]
    Name(String),
    #[error(transparent)]
    Random(#[from] auth::RandomError),
    #[error("could not start the class server: {0}")]
    Runtime(std::io::Error),
}

/// What `labrun class serve` was asked for.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://FILE` or `postgres://…`.
    pub db: String,
    pub name: String,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

/// What the server tells its instructor once it listens.
#[derive(Debug, Clone)]
pub struct Started {
    pub class: String,
    /// The database, without a password.
    pub db: String,
    pub listening: SocketAddr,
    /// Every base URL it answers on: loopback first, then the LAN's.
    pub bases: Vec<String>,
    /// Why no LAN address is listed, when it listens on all interfaces.
    pub lan_note: Option<String>,
    pub join_code: String,
    /// Only when the class was created now: the token is stored hashed.
    pub instructor_token: Option<String>,
    pub instructor_token_hash: String,
    pub learners: usize,
}

pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    context: Arc<Context>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: watch::Sender<bool>,
    started: Started,
}

impl Server {
    pub fn start(config: Config) -> Result<Server, ServerError> {
        let name = config.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(ServerError::Name(config.name));
        }
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
            _ => None,
        };
        let bind_error = |source| ServerError::Bind {
            addr: config.listen,
            source,
        };
        let listener = std::net::TcpListener::bind(config.listen).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let listening = listener.local_addr().map_err(bind_error)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(ServerError::Runtime)?;
        let (stop, shutdown) = watch::channel(false);
        let (context, created) =
            runtime.block_on(open_class(&config.db, &name, tls.is_some(), shutdown))?;
        let (bases, lan_note) = base_urls(listening, tls.is_some());
        let started = Started {
            class: name,
            db: store::describe(&config.db),
            listening,
            bases,
            lan_note,
            join_code: context.join_code.clone(),
            instructor_token: created,
            instructor_token_hash: context.instructor_token_hash.clone(),
            learners: context.live.learner_count(),
        };
        Ok(Server {
            runtime,
            listener,
            context,
            tls,
            stop,
            started,
        })
    }

    pub fn started(&self) -> &Started {
        &self.started
    }

    /// Serves until Ctrl-C or SIGTERM; then requests in progress finish,
    /// streams end, and the database is closed.
    pub fn run(self) -> Result<(), ServerError> {
        let Server {
            runtime,
            listener,
            context,
            tls,
            stop,
            ..
        } = self;
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::from_std(listener).map_err(ServerError::Runtime)?;
            let app = router(Arc::clone(&context));
            let serving = tokio::spawn(listener::serve(
                listener,
                app,
                tls,
                stop.subscribe(),
                SHUTDOWN_GRACE,
            ));
            stop_signal().await.map_err(ServerError::Runtime)?;
            let _ = stop.send(true);
            let _ = serving.await;
            context.store.close().await;
            Ok(())
        })
    }
}

/// Finds the class named `name`, or creates it (then its instructor token
/// is returned: the only time it exists in clear).
async fn open_class(
    db: &str,
    name: &str,
    tls: bool,
    shutdown: watch::Receiver<bool>,
) -> Result<(Arc<Context>, Option<String>), ServerError> {
    let store = store::Store::open(db).await?;
    let (class, created) = match store.class(name).await? {
        Some(class) => (class, None),
        None => {
            let token = auth::new_instructor_token()?;
            let wanted = store::ClassRow {
                id: auth::new_id()?,
                name: name.to_string(),
                join_code: auth::new_class_code()?,
                instructor_token_hash: auth::token_hash(&token),
                created_at: store::now(),
            };
            let class = store.create_class(&wanted).await?;
            // Another server created it first: its token is not ours to print.
            let created = (class.id == wanted.id).then_some(token);
            (class, created)
        }
    };
    let learners = store.learners(&class.id).await?;
    let events = store.learner_events(&class.id).await?;
    let live = state::Live::rebuild(&class.name, &learners, events)
        .map_err(|(learner, e)| store::StoreError::Damaged(learner, e))?;
    let context = Context {
        store,
        live,
        class_id: class.id,
        join_code: class.join_code,
        instructor_token_hash: class.instructor_token_hash,
        limiter: auth::RateLimiter::default(),
        tls,
        shutdown,
        joining: tokio::sync::Mutex::new(()),
    };
    Ok((Arc::new(context), created))
}

fn router(context: Arc<Context>) -> Router {
    use crate::class::protocol::{CLASS, EVENTS, JOIN, STREAM};
    use routes::*;
    Router::new()
        .route("/", get(page))
        .route("/page/stream", get(board_stream))
        .route("/join/{code}", get(join_help))
        .route(JOIN, post(join))
        .route(EVENTS, post(events))
        .route(CLASS, get(class))
        .route(STREAM, get(class_stream))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(context)
}

/// The base URLs of a server listening on `addr`: on all interfaces,
/// loopback and each LAN IPv4 address.
fn base_urls(addr: SocketAddr, tls: bool) -> (Vec<String>, Option<String>) {
    let scheme = if tls { "https" } else { "http" };
    let url = |ip: IpAddr| format!("{scheme}://{}", SocketAddr::new(ip, addr.port()));
    if !addr.ip().is_unspecified() {
        return (vec![url(addr.ip())], None);
    }
    let mut bases = vec![url(IpAddr::from([127, 0, 0, 1]))];
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => {
            let mut lan: Vec<IpAddr> = interfaces
                .iter()
                .map(|i| i.ip())
                .filter(|ip| ip.is_ipv4() && !ip.is_loopback())
                .collect();
            lan.sort();
            lan.dedup();
            let note = lan
                .is_empty()
                .then(|| "this machine has no LAN address (IPv4) right now".to_string());
            bases.extend(lan.into_iter().map(url));
            (bases, note)
        }
        Err(e) => (
            bases,
            Some(format!("the LAN addresses could not be listed ({e})")),
        ),
    }
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// Whether `token` is the one whose hash the database keeps.
pub fn token_matches(token: &str, hash: &str) -> bool {
    auth::token_hash(token) == hash
}
