//! Connections to the class server, plain or TLS: HTTP/1.1 with a header
//! timeout (also the keep-alive idle limit, so idle sockets do not pile
//! up), a cap on open connections below the descriptor limit, and a
//! graceful end — on stop, no new connections; each open one finishes its
//! request in progress (streams end) within the grace period.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// A client sends its request head at once; an idle keep-alive connection
/// is closed after this too (a learner's sender reconnects).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// A TLS handshake that takes longer is a hang or an attack.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections at once, at most (500 learners' senders, the dashboards).
const MAX_CONNECTIONS: usize = 2048;
/// Descriptors kept free for the database and the rest of the process.
const RESERVED_DESCRIPTORS: u64 = 64;

/// Serves `app` on `listener` until `stop` turns true, then waits up to
/// `grace` for open connections to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) {
    let slots = Arc::new(Semaphore::new(connection_limit()));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            permit = Arc::clone(&slots).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, _)) = accepted else {
            // Out of descriptors or a reset before accept: try again shortly.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (app, stop, tls) = (app.clone(), stop.clone(), tls.clone());
        tasks.spawn(async move {
            let _permit = permit;
            match tls {
                None => connection(tcp, app, stop, grace).await,
                Some(acceptor) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                    {
                        connection(stream, app, stop, grace).await;
                    }
                }
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    let all = async { while tasks.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(grace, all).await;
}

async fn connection<I>(io: I, app: Router, mut stop: watch::Receiver<bool>, grace: Duration)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let conn = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    tokio::pin!(conn);
    // The guard `wait_for` returns must not be held across an await.
    let stopping = async move {
        let _ = stop.wait_for(|s| *s).await.map(|_| ());
    };
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopping => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(grace, conn).await;
        }
    }
}

/// How many connections fit under the descriptor limit with room to spare.
fn connection_limit() -> usize {
    crate::descriptors::connections_fitting(MAX_CONNECTIONS, RESERVED_DESCRIPTORS)
}
