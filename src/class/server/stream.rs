//! The live streams (server-sent events): `/api/stream` sends the class as
//! JSON, `/page/stream` the page's board. Each sends at once on connecting
//! and after a change — at once when nothing went out in the last
//! [`MIN_GAP`], else at the end of it, the latest state only: changes are
//! merged, never dropped. Renderings are shared per version (`Snapshot`),
//! so a hundred events a second cost a few serialisations, not hundreds.

use super::routes::Context;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// The least time between two sends of one stream.
pub const MIN_GAP: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `event: class`, a `ClassState` as JSON.
    Class,
    /// `event: board`, the page's live fragment.
    Board,
}

struct Cursor {
    cx: Arc<Context>,
    kind: Kind,
    version: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    last_sent: Option<Instant>,
}

/// The stream of `kind`, ending when the server shuts down.
pub fn sse(cx: Arc<Context>, kind: Kind) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let cursor = Cursor {
        version: cx.live.subscribe(),
        shutdown: cx.shutdown.clone(),
        cx,
        kind,
        last_sent: None,
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        if let Some(last) = c.last_sent {
            tokio::select! {
                changed = c.version.changed() => changed.ok()?,
                _ = c.shutdown.wait_for(|stop| *stop) => return None,
            }
            tokio::select! {
                () = tokio::time::sleep_until(last + MIN_GAP) => {}
                _ = c.shutdown.wait_for(|stop| *stop) => return None,
            }
        }
        // Seen before the snapshot is taken: a change after it wakes us again.
        c.version.borrow_and_update();
        let snapshot = c.cx.live.snapshot();
        c.last_sent = Some(Instant::now());
        let event = match c.kind {
            Kind::Class => Event::default().event("class").data(&*snapshot.json()),
            Kind::Board => Event::default().event("board").data(&*snapshot.board()),
        };
        Some((Ok(event), c))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
