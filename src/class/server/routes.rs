//! The class server's HTTP handlers (`protocol.rs` is the contract): who
//! may call what, what is checked before anything is stored, and the error
//! each refusal gets — one `ErrorBody` sentence, nothing changed. A batch
//! is checked whole before it is stored, and acknowledged only after its
//! transaction committed.

use super::auth::{self, RateLimiter};
use super::page;
use super::state::{LearnerRef, Live};
use super::store::{self, LearnerRow, NewEvent, Store, StoreError};
use super::stream::{self, Kind};
use crate::class::protocol::{
    self, BatchAck, ErrorBody, Event, EventBatch, JoinRequest, JoinResponse, MAX_BODY_BYTES,
    MAX_EVENTS_PER_BATCH, MAX_NAME_CHARS,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use tokio::sync::watch;

/// Everything a handler needs: the served class, its store, its secrets (hashed).
pub struct Context {
    pub store: Store,
    pub live: Live,
    pub class_id: String,
    pub join_code: String,
    pub instructor_token_hash: String,
    pub limiter: RateLimiter,
    /// Served over TLS: the page's cookie is `Secure`.
    pub tls: bool,
    /// Turns true when the server stops: streams end.
    pub shutdown: watch::Receiver<bool>,
    /// Joins one at a time, so positions follow joining order.
    pub joining: tokio::sync::Mutex<()>,
}

type Cx = State<Arc<Context>>;

/// A refusal: status and one sentence.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    Refusal(status, message.into()).into_response()
}

/// A refusal not yet answered (small, unlike a `Response`).
#[derive(Debug)]
pub struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { error: self.1 })).into_response()
    }
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

/// A body this much over the limit is cut off rather than read to its end.
const DRAIN_BYTES: usize = 4 * MAX_BODY_BYTES;

/// A body of at most [`MAX_BODY_BYTES`], parsed as `T`: 413, 400 (not
/// JSON) or 422 (JSON of the wrong shape), saying where.
async fn read_json<T: DeserializeOwned>(body: Body, what: &str) -> Result<T, Refusal> {
    use futures_util::StreamExt;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let mut chunks = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            refuse(
                StatusCode::BAD_REQUEST,
                format!("the body could not be read: {e}"),
            )
        })?;
        seen += chunk.len();
        if seen > DRAIN_BYTES {
            return Err(too_large());
        }
        if seen <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&chunk);
        }
    }
    // Read to its end (up to a bound), so the client hears the 413 rather
    // than a connection reset in the middle of sending.
    if seen > MAX_BODY_BYTES {
        return Err(too_large());
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        let status = match e.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut reason = e.to_string();
        if reason.len() > 300 {
            let cut = (0..=300)
                .rev()
                .find(|i| reason.is_char_boundary(*i))
                .unwrap_or(0);
            reason.truncate(cut);
            reason.push('…');
        }
        refuse(status, format!("the body is not {what}: {reason}"))
    })
}

fn store_failed(e: StoreError) -> Response {
    match e {
        StoreError::Taken(_) => error(StatusCode::CONFLICT, e.to_string()),
        e => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{e}; nothing was stored, send again"),
        ),
    }
}

/// Text a person typed, checked: not empty, at most `max` characters, no
/// control characters.
fn check_text(field: &str, value: &str, max: usize) -> Result<String, Refusal> {
    let value = value.trim();
    let refused = |why: String| refuse(StatusCode::UNPROCESSABLE_ENTITY, format!("{field} {why}"));
    if value.is_empty() {
        return Err(refused("is empty".into()));
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(refused(format!(
            "has {chars} characters; at most {max} are taken"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(refused("contains control characters".into()));
    }
    Ok(value.to_string())
}

/// `POST /api/join`: the class code buys a learner token.
pub async fn join(State(cx): Cx, body: Body) -> Response {
    let request: JoinRequest = match read_json(body, "a join request").await {
        Ok(r) => r,
        Err(refused) => return refused.into_response(),
    };
    if auth::token_hash(request.code.trim()) != auth::token_hash(&cx.join_code) {
        return error(
            StatusCode::NOT_FOUND,
            "no class with this code here: check the join URL the instructor gave",
        );
    }
    let checked = (|| {
        Ok::<_, Refusal>((
            check_text("name", &request.name, MAX_NAME_CHARS)?,
            check_text("workspace_id", &request.workspace_id, 128)?,
            check_text("lesson", &request.lesson, 200)?,
        ))
    })();
    let (name, workspace_id, lesson) = match checked {
        Ok(fields) => fields,
        Err(refused) => return refused.into_response(),
    };
    let (Ok(id), Ok(token)) = (auth::new_id(), auth::new_learner_token()) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no random numbers: try again",
        );
    };
    let _one_at_a_time = cx.joining.lock().await;
    let row = LearnerRow {
        id,
        position: i64::try_from(cx.live.learner_count()).unwrap_or(i64::MAX) + 1,
        name,
        workspace_id,
        lesson,
        token_hash: auth::token_hash(&token),
        joined_at: store::now(),
    };
    if let Err(e) = cx.store.add_learner(&cx.class_id, &row).await {
        return store_failed(e);
    }
    cx.live.joined(&row);
    let answer = JoinResponse {
        class: cx.live.snapshot().state.class.clone(),
        learner_id: row.id,
        token,
    };
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// The learner a request's bearer token belongs to.
fn learner(cx: &Context, headers: &HeaderMap) -> Result<LearnerRef, Refusal> {
    let Some(token) = auth::presented_token(headers, false) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "sending events needs the learner token (Authorization: Bearer lrl_…) that joining gave",
        ));
    };
    let hash = auth::token_hash(&token);
    if let Some(learner) = cx.live.learner_by_token_hash(&hash) {
        return Ok(learner);
    }
    if hash == cx.instructor_token_hash {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "the instructor token cannot send events: only a learner's own token can",
        ));
    }
    Err(refuse(
        StatusCode::UNAUTHORIZED,
        "not a learner token of this class: join it with the join URL",
    ))
}

/// `POST /api/events`: a learner's batch, stored whole or not at all.
pub async fn events(State(cx): Cx, headers: HeaderMap, body: Body) -> Response {
    let learner = match learner(&cx, &headers) {
        Ok(l) => l,
        Err(refused) => return refused.into_response(),
    };
    if let Err(wait) = cx.limiter.take(&learner.id, Instant::now()) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut refused = error(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} requests a second: send again in {seconds}s",
                protocol::LEARNER_REQUESTS_PER_SECOND
            ),
        );
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return refused;
    }
    let batch: EventBatch = match read_json(body, "an event batch").await {
        Ok(b) => b,
        Err(refused) => return refused.into_response(),
    };
    if batch.events.len() > MAX_EVENTS_PER_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a batch holds at most {MAX_EVENTS_PER_BATCH} events; this one has {}",
                batch.events.len()
            ),
        );
    }
    let mut rows = Vec::with_capacity(batch.events.len());
    let mut events = Vec::with_capacity(batch.events.len());
    for (n, mut event) in batch.events.into_iter().enumerate() {
        if let Err(why) = check_event(&event) {
            let id: String = event.id.chars().take(40).collect();
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("event {} (id {id:?}): {why}; nothing was stored", n + 1),
            );
        }
        // Stored as this learner's, whatever the record says.
        event.record.learner = learner.name.clone();
        rows.push(NewEvent {
            event_id: event.id.to_ascii_lowercase(),
            seq: i64::try_from(event.seq).unwrap_or(i64::MAX),
            kind: serde_json::to_value(event.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            at: event.at.clone(),
            body: serde_json::to_string(&event).unwrap_or_default(),
        });
        events.push(event);
    }
    let received_at = store::now();
    let stored = match cx
        .store
        .append(&cx.class_id, &learner.id, &received_at, &rows)
        .await
    {
        Ok(stored) => stored,
        Err(e) => return store_failed(e),
    };
    let duplicates = stored.iter().filter(|new| !**new).count();
    let new: Vec<Event> = events
        .into_iter()
        .zip(&stored)
        .filter_map(|(e, new)| new.then_some(e))
        .collect();
    let ack = BatchAck {
        stored: u32::try_from(new.len()).unwrap_or(u32::MAX),
        duplicates: u32::try_from(duplicates).unwrap_or(u32::MAX),
    };
    cx.live.stored(&learner, &received_at, new);
    Json(ack).into_response()
}

/// What is wrong with an event, if anything.
fn check_event(event: &Event) -> Result<(), String> {
    if event.id.len() != 32 || !event.id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the id must be 32 hex digits".into());
    }
    if event.seq == 0 || i64::try_from(event.seq).is_err() {
        return Err(format!("seq must be from 1 to {}", i64::MAX));
    }
    if humantime::parse_rfc3339_weak(&event.at).is_err() {
        return Err(format!("\"at\" is not an RFC 3339 time: {:?}", event.at));
    }
    let record = &event.record;
    if record.kind != crate::report::RECORD_KIND {
        return Err(format!(
            "the record is not a labrun progress record (kind {:?})",
            record.kind
        ));
    }
    if record.schema > crate::report::RECORD_SCHEMA
        || record.progress.schema > crate::progress::SCHEMA
    {
        return Err("the record's schema is newer than this server reads: upgrade labrun".into());
    }
    for (field, value) in [("step", &event.step), ("challenge", &event.challenge)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 200) {
            return Err(format!("{field} is longer than 200 characters"));
        }
    }
    Ok(())
}

/// The instructor's token on a request (bearer, or the page's cookie).
fn instructor(cx: &Context, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(token) = auth::presented_token(headers, true) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "the class is shown only with the instructor token (Authorization: Bearer lri_…)",
        ));
    };
    let hash = auth::token_hash(&token);
    if hash == cx.instructor_token_hash {
        return Ok(());
    }
    if cx.live.learner_by_token_hash(&hash).is_some() {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "a learner token cannot read the class: only the instructor token can",
        ));
    }
    Err(refuse(
        StatusCode::UNAUTHORIZED,
        "not the instructor token of this class",
    ))
}

/// `GET /api/class`.
pub async fn class(State(cx): Cx, headers: HeaderMap) -> Response {
    if let Err(refused) = instructor(&cx, &headers) {
        return refused.into_response();
    }
    let json = cx.live.snapshot().json();
    let mut answer = (StatusCode::OK, json.to_string()).into_response();
    answer.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    answer
}

/// `GET /api/stream` and `GET /page/stream`.
pub async fn class_stream(State(cx): Cx, headers: HeaderMap) -> Response {
    match instructor(&cx, &headers) {
        Ok(()) => stream::sse(cx, Kind::Class).into_response(),
        Err(refused) => refused.into_response(),
    }
}

pub async fn board_stream(State(cx): Cx, headers: HeaderMap) -> Response {
    match instructor(&cx, &headers) {
        Ok(()) => stream::sse(cx, Kind::Board).into_response(),
        Err(refused) => refused.into_response(),
    }
}

/// `GET /`: the page. `/?token=…` signs in once: the token goes into an
/// HttpOnly cookie and the browser is sent to `/`, out of the address bar.
pub async fn page(
    State(cx): Cx,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = query.get("token") {
        if auth::token_hash(token.trim()) != cx.instructor_token_hash {
            return sign_in_page(
                StatusCode::UNAUTHORIZED,
                "That is not this class's instructor token.",
            );
        }
        let mut to_page = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
        if let Ok(cookie) = HeaderValue::from_str(&auth::session_cookie(token.trim(), cx.tls)) {
            to_page.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        return private(to_page);
    }
    if instructor(&cx, &headers).is_err() {
        return sign_in_page(
            StatusCode::UNAUTHORIZED,
            "This page needs the instructor token: open the dashboard URL that labrun class serve printed.",
        );
    }
    let snapshot = cx.live.snapshot();
    private(Html(page::render_page(&snapshot.state, SystemTime::now())).into_response())
}

/// `GET /join/{code}`: a learner who opened the join URL in a browser.
pub async fn join_help(State(cx): Cx, Path(code): Path<String>) -> Response {
    if auth::token_hash(&code) != auth::token_hash(&cx.join_code) {
        return error(StatusCode::NOT_FOUND, "no class with this code here");
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Join the class</title>\
         </head><body><p>To join, run this in a terminal where labrun is installed:</p>\
         <pre>labrun class join &lt;this page's address&gt;</pre>\
         <p>or <code>labrun start --class &lt;this page's address&gt;</code>. Class code: <code>{code}</code></p>\
         </body></html>\n",
        code = cx.join_code
    ))
    .into_response()
}

fn sign_in_page(status: StatusCode, why: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>labrun class</title>\
         </head><body><p>{why}</p></body></html>\n"
    );
    private((status, Html(html)).into_response())
}

/// Pages that show the class or carry its token: never cached, never a referrer.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

pub async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint on a labrun class server",
    )
}

pub async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not take that method",
    )
}
