//! HTTP handlers: parse the request, call the store, answer with the shared
//! JSON types. Every failure is an [`ErrorBody`] with a 4xx/5xx status.

use super::persist::Store;
use super::store::{State, StoreError};
use super::upload::parse_upload;
use crate::vendor_api::types::{
    ChannelResponse, CreateChannelRequest, CreateReleaseRequest, ErrorBody, ListAppsResponse,
    ListChannelsResponse, ListReleasesResponse, PromoteRequest, PromoteResponse, ReleaseResponse,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State as Shared};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

/// What every handler shares.
pub struct Context {
    pub store: Store,
    pub token: String,
}

pub type Ctx = Arc<Context>;

/// The CLI sends 20; a larger page would only make responses huge.
const MAX_PAGE_SIZE: usize = 1000;
const DEFAULT_PAGE_SIZE: usize = 20;

pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// For extractor rejections: keep their status (400, 413, 415…), JSON body.
    fn rejected(status: StatusCode, message: String) -> ApiError {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            s if s.is_server_error() => "internal_error",
            _ => "bad_request",
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody::new(self.code, self.message))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(m) => ApiError::not_found(m),
            StoreError::UnknownReference(m) => {
                ApiError::new(StatusCode::BAD_REQUEST, "not_found", m)
            }
            StoreError::Invalid(m) => ApiError::bad_request(m),
            StoreError::Limit(m) => ApiError::new(StatusCode::CONFLICT, "limit_reached", m),
            e @ (StoreError::Persist(_) | StoreError::Load(_)) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                e.to_string(),
            ),
        }
    }
}

macro_rules! from_rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for ApiError {
            fn from(r: $rejection) -> ApiError {
                ApiError::rejected(r.status(), r.body_text())
            }
        }
    )*};
}
from_rejection!(BytesRejection, PathRejection, QueryRejection);

type ApiResult<T> = Result<T, ApiError>;
type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The raw token in `Authorization`, checked before routing so that even a
/// 404 needs it. The comparison does not stop at the first differing byte.
pub async fn require_token(Shared(ctx): Shared<Ctx>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let expected = ctx.token.as_bytes();
    let same = given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        let message = "a valid API token is required in the Authorization header";
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    }
    next.run(request).await
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

/// Legacy platform apps: none. `[]` makes the CLI fall through to v3.
pub async fn list_v1_apps() -> Json<serde_json::Value> {
    Json(serde_json::json!([]))
}

pub async fn list_apps(
    Shared(ctx): Shared<Ctx>,
    params: Params,
) -> ApiResult<Json<ListAppsResponse>> {
    let params = params?.0;
    let with_channels = !flag(&params, "excludeChannels");
    let app = ctx.store.read(|s| s.app_view(with_channels))?;
    Ok(Json(ListAppsResponse { apps: vec![app] }))
}

pub async fn list_channels(
    Shared(ctx): Shared<Ctx>,
    app: Result<Path<String>, PathRejection>,
    params: Params,
) -> ApiResult<Json<ListChannelsResponse>> {
    let (Path(app), Query(params)) = (app?, params?);
    let name = params.get("channelName").map(String::as_str);
    let channels = read_app(&ctx, &app, |s| s.channels(name))?;
    Ok(Json(ListChannelsResponse {
        total_count: channels.len(),
        channels,
    }))
}

pub async fn get_channel(
    Shared(ctx): Shared<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<ChannelResponse>> {
    let Path((app, id)) = path?;
    let channel = read_app(&ctx, &app, |s| s.channel(&id))?
        .ok_or_else(|| ApiError::not_found(format!("channel {id} not found")))?;
    Ok(Json(ChannelResponse { channel }))
}

pub async fn create_channel(
    Shared(ctx): Shared<Ctx>,
    app: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ChannelResponse>)> {
    let Path(app) = app?;
    read_app(&ctx, &app, |_| ())?;
    let request: CreateChannelRequest = parse_json(&body?)?;
    let channel = write(&ctx, move |s, now| s.create_channel(&request, now)).await?;
    Ok((StatusCode::CREATED, Json(ChannelResponse { channel })))
}

/// Archives; 200 with the archived channel, as the CLI's `ArchiveChannel` expects 200.
pub async fn archive_channel(
    Shared(ctx): Shared<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<ChannelResponse>> {
    let Path((app, id)) = path?;
    read_app(&ctx, &app, |_| ())?;
    let channel = write(&ctx, move |s, now| s.archive_channel(&id, now)).await?;
    Ok(Json(ChannelResponse { channel }))
}

pub async fn create_release(
    Shared(ctx): Shared<Ctx>,
    app: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ReleaseResponse>)> {
    let Path(app) = app?;
    read_app(&ctx, &app, |_| ())?;
    let request: CreateReleaseRequest = parse_json(&body?)?;
    // Inflating and reading the chart, hashing and writing a large spec are
    // CPU and disk work: off the async workers, and outside the state's lock
    // so other requests are not held up by them.
    let store_ctx = Arc::clone(&ctx);
    let (upload, spec) = tokio::task::spawn_blocking(move || {
        let upload = parse_upload(&request).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let spec = store_ctx.store.put_spec(&upload.spec)?;
        Ok::<_, ApiError>((upload, spec))
    })
    .await
    .map_err(internal)??;
    let mut release = write(&ctx, move |s, now| {
        s.create_release(upload.charts, spec, now)
    })
    .await?;
    if release.spec.is_empty() {
        // In a file: the answer still carries it, as the real API's does.
        release.spec = upload.spec;
    }
    Ok((StatusCode::CREATED, Json(ReleaseResponse { release })))
}

pub async fn get_release(
    Shared(ctx): Shared<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<ReleaseResponse>> {
    let Path((app, sequence)) = path?;
    let sequence = parse_sequence(&sequence)?;
    let (mut release, file) = read_app(&ctx, &app, |s| {
        s.release(sequence)
            .map(|r| (r, s.spec_file(sequence).cloned()))
    })?
    .ok_or_else(|| ApiError::not_found(format!("release {sequence} not found")))?;
    if let Some(file) = file {
        let ctx = Arc::clone(&ctx);
        release.spec = tokio::task::spawn_blocking(move || ctx.store.spec_text(&file))
            .await
            .map_err(internal)??;
    }
    Ok(Json(ReleaseResponse { release }))
}

pub async fn list_releases(
    Shared(ctx): Shared<Ctx>,
    app: Result<Path<String>, PathRejection>,
    params: Params,
) -> ApiResult<Json<ListReleasesResponse>> {
    let (Path(app), Query(params)) = (app?, params?);
    let page = number(&params, "currentPage", 0)?;
    let size = number(&params, "pageSize", DEFAULT_PAGE_SIZE)?;
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(format!(
            "pageSize must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    Ok(Json(read_app(&ctx, &app, |s| s.list_releases(page, size))?))
}

pub async fn promote(
    Shared(ctx): Shared<Ctx>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<PromoteResponse>> {
    let Path((app, sequence)) = path?;
    let sequence = parse_sequence(&sequence)?;
    read_app(&ctx, &app, |_| ())?;
    let request: PromoteRequest = parse_json(&body?)?;
    let response = write(&ctx, move |s, now| s.promote(sequence, &request, now)).await?;
    Ok(Json(response))
}

/// Reads the state if `app` (id or slug) is the sandbox's app, else 404.
fn read_app<T>(ctx: &Context, app: &str, f: impl FnOnce(&State) -> T) -> ApiResult<T> {
    ctx.store.read(|s| {
        s.is_app(app)
            .then(|| f(s))
            .ok_or_else(|| ApiError::not_found(format!("app {app} not found")))
    })?
}

/// Runs a mutation with the current time on a blocking thread: it saves the
/// state file (fsync) while holding the store's lock.
async fn write<T: Send + 'static>(
    ctx: &Ctx,
    f: impl FnOnce(&mut State, &str) -> Result<T, StoreError> + Send + 'static,
) -> ApiResult<T> {
    let ctx = Arc::clone(ctx);
    let result = tokio::task::spawn_blocking(move || {
        let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        ctx.store.write(|s| f(s, &now))
    })
    .await
    .map_err(internal)?;
    Ok(result?)
}

fn internal(e: tokio::task::JoinError) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        e.to_string(),
    )
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

fn parse_sequence(text: &str) -> ApiResult<i64> {
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("release sequence {text:?} is not a number")))
}

/// `true`/`1` (any case) is set; anything else, or absence, is not.
fn flag(params: &HashMap<String, String>, key: &str) -> bool {
    params
        .get(key)
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn number(params: &HashMap<String, String>, key: &str, default: usize) -> ApiResult<usize> {
    match params.get(key) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{key} must be a whole number, not {v:?}"))),
    }
}
