//! A blocking client for the Replicated Vendor API v3, speaking to it exactly
//! as the `replicated` CLI does (`shared/docs/vendor-api.md` §1): the same
//! paths and query strings, the raw `Authorization: <token>` header, JSON
//! `Content-Type`/`Accept` on every call, and the same expected status codes.
//!
//! It is blocking on purpose: the UI calls it from worker threads, never from
//! an async context (reqwest's blocking client runs its own runtime thread).
//!
//! # Retries
//!
//! [`Config::retries`] extra attempts (default 2, so 3 tries) with a growing
//! pause (100 ms, 300 ms, 900 ms, … at most 2 s) between them:
//! - `GET`s are retried when the connection cannot be made or breaks, and on
//!   any 5xx answer.
//! - `POST`s (create a release, promote) are retried only when the connection
//!   was refused, that is when nothing was sent; never on 5xx or a broken
//!   connection, which could apply the same change twice (a duplicate release).
//! - 4xx answers are never retried, and neither are timeouts: the configured
//!   timeout is already the longest a learner should wait.
//!
//! # Errors
//!
//! Every [`ClientError`] names the request (method and URL) and says what to
//! do next. None ever contains the token: it is only sent as a header, and any
//! echo of it in a server's answer is replaced by `***`.

use std::fmt;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::{
    App, Channel, ChannelResponse, CreateReleaseRequest, ListAppsResponse, ListChannelsResponse,
    ListReleasesResponse, PromoteRequest, PromoteResponse, Release, ReleaseResponse,
};

/// The real service; `REPLICATED_API_ORIGIN` replaces it (a local sandbox).
pub const DEFAULT_ORIGIN: &str = "https://api.replicated.com/vendor";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default time allowed for a whole request, answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of extra attempts (see the module docs for which requests).
pub const DEFAULT_RETRIES: u32 = 2;
/// Pages of releases read at most by [`Client::releases`] (20 releases each).
pub const MAX_RELEASE_PAGES: i64 = 1000;
/// Releases per page, as the CLI asks for.
const PAGE_SIZE: usize = 20;
/// Answers larger than this are refused (a release with its spec is the largest).
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub const ENV_ORIGIN: &str = "REPLICATED_API_ORIGIN";
pub const ENV_TOKEN: &str = "REPLICATED_API_TOKEN";
pub const ENV_APP: &str = "REPLICATED_APP";

/// Where and as whom to call the Vendor API. `Debug` never shows the token.
#[derive(Clone)]
pub struct Config {
    /// `https://api.replicated.com/vendor`, or a sandbox's `http://127.0.0.1:PORT`.
    pub origin: String,
    pub token: String,
    /// The app's slug or ID.
    pub app: String,
    pub connect_timeout: Duration,
    /// For the whole request, answer included.
    pub timeout: Duration,
    /// Extra attempts after a failure that may be retried (see the module docs).
    pub retries: u32,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.token.is_empty() {
            "<empty>"
        } else {
            "<redacted>"
        };
        f.debug_struct("Config")
            .field("origin", &self.origin)
            .field("token", &format_args!("{token}"))
            .field("app", &self.app)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

impl Config {
    /// From `REPLICATED_API_ORIGIN` (default [`DEFAULT_ORIGIN`]; empty counts
    /// as unset, as in the CLI), `REPLICATED_API_TOKEN` and `REPLICATED_APP`,
    /// both required. `lookup` abstracts the environment for tests. Values are
    /// trimmed; timeouts and retries take their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ClientError> {
        Config::from_lookup_with(lookup, true)
    }

    /// [`Config::from_lookup`] on the process environment.
    pub fn from_env() -> Result<Config, ClientError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_lookup`]; with `require_app` false an unset app is
    /// left empty (for calls that need no app, such as listing apps).
    pub fn from_lookup_with(
        lookup: impl Fn(&str) -> Option<String>,
        require_app: bool,
    ) -> Result<Config, ClientError> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let origin = value(ENV_ORIGIN).unwrap_or_else(|| DEFAULT_ORIGIN.to_string());
        check_origin(&origin)?;
        let token = value(ENV_TOKEN).ok_or_else(|| ClientError::MissingConfig {
            var: ENV_TOKEN,
            hint: "set it to a Vendor API token (the lab environment or `labrun sandbox` \
                   provides one; the replicated command also takes --token)"
                .into(),
        })?;
        let app = match value(ENV_APP) {
            Some(app) => app,
            None if !require_app => String::new(),
            None => {
                return Err(ClientError::MissingConfig {
                    var: ENV_APP,
                    hint: "set it to your application's slug or ID (the replicated command \
                           also takes --app)"
                        .into(),
                });
            }
        };
        Ok(Config {
            origin,
            token,
            app,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
        })
    }
}

fn check_origin(origin: &str) -> Result<reqwest::Url, ClientError> {
    let invalid = |reason: String| ClientError::InvalidConfig {
        what: ENV_ORIGIN.into(),
        reason,
    };
    let url = reqwest::Url::parse(origin).map_err(|e| {
        invalid(format!(
            "{origin:?} is not a URL ({e}); use e.g. http://127.0.0.1:PORT or {DEFAULT_ORIGIN}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{origin:?} is not an http:// or https:// URL; use e.g. http://127.0.0.1:PORT or \
             {DEFAULT_ORIGIN}"
        )));
    }
    Ok(url)
}

/// Why a Vendor API call failed. Messages name the request and never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{var} is not set: {hint}")]
    MissingConfig { var: &'static str, hint: String },
    #[error("{what} is not usable: {reason}")]
    InvalidConfig { what: String, reason: String },
    #[error("the Vendor API refused the token (401) on {method} {url}: check REPLICATED_API_TOKEN")]
    Unauthorized { method: String, url: String },
    #[error(
        "the Vendor API denied access (403) on {method} {url}: {message} (does the token belong \
         to the team that owns the app?)"
    )]
    Forbidden {
        method: String,
        url: String,
        message: String,
    },
    /// An HTTP 404 (`status` is `Some(404)`), or nothing matched a name
    /// (`status` is `None`; `method`/`url` then name the listing consulted).
    #[error("{what}{}", on(method, url))]
    NotFound {
        what: String,
        method: String,
        url: String,
        status: Option<u16>,
    },
    #[error("{what}{}", on(method, url))]
    Ambiguous {
        what: String,
        method: String,
        url: String,
    },
    #[error(
        "the Vendor API failed with {status} on {method} {url} ({attempts} attempt{}): {message}",
        if *attempts == 1 { "" } else { "s" }
    )]
    Server {
        status: u16,
        method: String,
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("the Vendor API rejected {method} {url} ({status}): {message}")]
    Rejected {
        status: u16,
        method: String,
        url: String,
        message: String,
    },
    #[error(
        "the Vendor API did not answer {method} {url} within {}",
        humantime::format_duration(*after)
    )]
    Timeout {
        method: String,
        url: String,
        after: Duration,
    },
    #[error("could not reach the Vendor API at {url} ({method}): {reason}")]
    Unreachable {
        method: String,
        url: String,
        reason: String,
    },
    #[error("unexpected answer from the Vendor API to {method} {url}: {reason}")]
    BadResponse {
        method: String,
        url: String,
        reason: String,
    },
    /// Something the real service supports but labrun does not (a legacy app).
    #[error("{0}")]
    Unsupported(String),
}

fn on(method: &str, url: &str) -> String {
    if url.is_empty() {
        String::new()
    } else {
        format!(" ({method} {url})")
    }
}

impl ClientError {
    /// The HTTP status the Vendor API answered with, if this is an HTTP error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Unauthorized { .. } => Some(401),
            ClientError::Forbidden { .. } => Some(403),
            ClientError::NotFound { status, .. } => *status,
            ClientError::Server { status, .. } | ClientError::Rejected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The request (method, URL) this error is about, if any.
    pub fn request(&self) -> Option<(&str, &str)> {
        match self {
            ClientError::Unauthorized { method, url }
            | ClientError::Forbidden { method, url, .. }
            | ClientError::NotFound { method, url, .. }
            | ClientError::Ambiguous { method, url, .. }
            | ClientError::Server { method, url, .. }
            | ClientError::Rejected { method, url, .. }
            | ClientError::Timeout { method, url, .. }
            | ClientError::Unreachable { method, url, .. }
            | ClientError::BadResponse { method, url, .. }
                if !url.is_empty() =>
            {
                Some((method.as_str(), url.as_str()))
            }
            _ => None,
        }
    }

    /// Replaces every string field through `f` (used to scrub the token).
    fn map_text(self, f: impl Fn(String) -> String) -> ClientError {
        use ClientError::*;
        match self {
            MissingConfig { var, hint } => MissingConfig { var, hint: f(hint) },
            InvalidConfig { what, reason } => InvalidConfig {
                what: f(what),
                reason: f(reason),
            },
            Unauthorized { method, url } => Unauthorized {
                method,
                url: f(url),
            },
            Forbidden {
                method,
                url,
                message,
            } => Forbidden {
                method,
                url: f(url),
                message: f(message),
            },
            NotFound {
                what,
                method,
                url,
                status,
            } => NotFound {
                what: f(what),
                method,
                url: f(url),
                status,
            },
            Ambiguous { what, method, url } => Ambiguous {
                what: f(what),
                method,
                url: f(url),
            },
            Server {
                status,
                method,
                url,
                message,
                attempts,
            } => Server {
                status,
                method,
                url: f(url),
                message: f(message),
                attempts,
            },
            Rejected {
                status,
                method,
                url,
                message,
            } => Rejected {
                status,
                method,
                url: f(url),
                message: f(message),
            },
            Timeout { method, url, after } => Timeout {
                method,
                url: f(url),
                after,
            },
            Unreachable {
                method,
                url,
                reason,
            } => Unreachable {
                method,
                url: f(url),
                reason: f(reason),
            },
            BadResponse {
                method,
                url,
                reason,
            } => BadResponse {
                method,
                url: f(url),
                reason: f(reason),
            },
            Unsupported(message) => Unsupported(f(message)),
        }
    }
}

/// A Vendor API client for one token and app. Cheap to share between threads
/// (`&Client` is enough; the app, once resolved, is remembered).
pub struct Client {
    config: Config,
    /// The origin without one trailing slash.
    origin: String,
    loopback: bool,
    http: reqwest::blocking::Client,
    app: Mutex<Option<App>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What went wrong below HTTP.
enum Transport {
    Timeout {
        connecting: bool,
    },
    /// Nothing was sent: the server is not listening.
    Refused,
    /// No connection could be made (name resolution, unreachable network, TLS).
    Connect(String),
    /// The connection broke after the request may have been sent.
    Broken(String),
}

enum Attempt {
    Done(u16, Vec<u8>),
    Failed(Transport),
}

impl Client {
    pub fn new(config: Config) -> Result<Client, ClientError> {
        let url = check_origin(&config.origin)?;
        let origin = config
            .origin
            .strip_suffix('/')
            .unwrap_or(&config.origin)
            .to_string();
        let mut auth =
            HeaderValue::from_str(&config.token).map_err(|_| ClientError::InvalidConfig {
                what: ENV_TOKEN.into(),
                reason: "it contains characters that cannot be sent in an HTTP header \
                         (a line break or another control character?)"
                    .into(),
            })?;
        auth.set_sensitive(true);
        let json = HeaderValue::from_static("application/json");
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(CONTENT_TYPE, json.clone());
        headers.insert(ACCEPT, json);
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("labrun/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout);
        if url.scheme() == "http" {
            // Plain HTTP (the local API) needs no TLS: skip loading the
            // system's CA certificates, most of a `labrun check`'s start-up.
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let host = url.host_str().unwrap_or_default();
        let loopback = is_loopback(host);
        if loopback {
            // Like Go, never send loopback traffic through HTTP(S)_PROXY.
            builder = builder.no_proxy();
            if host.ends_with(".localhost") {
                // Like the CLI's dialer: *.localhost is 127.0.0.1.
                let port = url.port_or_known_default().unwrap_or(80);
                builder = builder.resolve(host, SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
            }
        }
        let http = builder.build().map_err(|e| ClientError::InvalidConfig {
            what: "the HTTP client".into(),
            reason: innermost(&e),
        })?;
        Ok(Client {
            config,
            origin,
            loopback,
            http,
            app: Mutex::new(None),
        })
    }

    /// The origin requests go to (one trailing slash removed).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Resolves `config.app` (slug or ID) like the CLI: `GET /v1/apps` first
    /// (legacy apps; any HTTP error or no match falls through), then
    /// `GET /v3/apps?excludeChannels=true`, matching `id` or `slug`. The
    /// result is remembered for the life of the client. If the API cannot be
    /// reached at all, the first call's error is returned at once.
    pub fn app(&self) -> Result<App, ClientError> {
        if let Some(app) = self.app.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(app);
        }
        let wanted = self.config.app.as_str();
        if wanted.is_empty() {
            return Err(ClientError::MissingConfig {
                var: ENV_APP,
                hint: "set it to your application's slug or ID".into(),
            });
        }
        match self.get_json::<serde_json::Value>("/v1/apps", "the list of legacy apps") {
            Ok(legacy) if legacy_app_matches(&legacy, wanted) => {
                return Err(ClientError::Unsupported(format!(
                    "app {wanted:?} is a legacy (platform) app; labrun works with KOTS and Helm \
                     apps only, use the real replicated CLI for it"
                )));
            }
            Err(e @ (ClientError::Unreachable { .. } | ClientError::Timeout { .. })) => {
                return Err(e);
            }
            _ => {}
        }
        let path = "/v3/apps?excludeChannels=true";
        let apps = self
            .get_json::<ListAppsResponse>(path, "the list of apps")?
            .apps;
        match apps.iter().find(|a| a.id == wanted || a.slug == wanted) {
            Some(app) => {
                *self.app.lock().unwrap_or_else(|e| e.into_inner()) = Some(app.clone());
                Ok(app.clone())
            }
            None => Err(self.scrub(ClientError::NotFound {
                what: format!(
                    "no app {wanted:?} for this token ({ENV_APP} is the app's slug or ID); {}",
                    listing("the token's apps are", apps.iter().map(|a| a.slug.as_str()))
                ),
                method: "GET".into(),
                url: self.url(path),
                status: None,
            })),
        }
    }

    /// Every app with its channels: `GET /v3/apps` (one call).
    pub fn apps_with_channels(&self) -> Result<Vec<App>, ClientError> {
        Ok(self
            .get_json::<ListAppsResponse>("/v3/apps", "the list of apps")?
            .apps)
    }

    /// Every app without channels: `GET /v3/apps?excludeChannels=true`.
    pub fn apps(&self) -> Result<Vec<App>, ClientError> {
        Ok(self
            .get_json::<ListAppsResponse>("/v3/apps?excludeChannels=true", "the list of apps")?
            .apps)
    }

    /// A channel by ID or exact (case-sensitive) name, like the CLI:
    /// `GET …/channel/{name_or_id}`; on 404 or 403 the channels named so are
    /// listed and the one whose `id` or `name` equals `name_or_id` is taken.
    pub fn channel_by_name_or_id(
        &self,
        app_id: &str,
        name_or_id: &str,
    ) -> Result<Channel, ClientError> {
        let path = format!(
            "/v3/app/{}/channel/{}",
            query_escape(app_id),
            query_escape(name_or_id)
        );
        let what = format!("channel {name_or_id:?}");
        match self.get_json::<ChannelResponse>(&path, &what) {
            Ok(found) => return Ok(found.channel),
            Err(e) if matches!(e.status(), Some(403 | 404)) => {}
            Err(e) => return Err(e),
        }
        let path = format!(
            "/v3/app/{}/channels?channelName={}&excludeDetail=true",
            query_escape(app_id),
            query_escape(name_or_id)
        );
        let channels = self
            .get_json::<ListChannelsResponse>(&path, "the list of channels")?
            .channels;
        let mut matches = channels
            .iter()
            .filter(|c| c.id == name_or_id || c.name == name_or_id);
        match (matches.next(), matches.next()) {
            (Some(channel), None) => Ok(channel.clone()),
            (None, _) => {
                // The listing was filtered by name; list all to help the learner.
                let hint = match self.list_channels(app_id) {
                    Ok(all) if !all.is_empty() => format!(
                        " (names are case-sensitive; {})",
                        listing(
                            "the app's channels are",
                            all.iter().map(|c| c.name.as_str())
                        )
                    ),
                    _ => String::new(),
                };
                Err(self.scrub(ClientError::NotFound {
                    what: format!("no channel {name_or_id:?}{hint}"),
                    method: "GET".into(),
                    url: self.url(&path),
                    status: None,
                }))
            }
            (Some(_), Some(_)) => Err(self.scrub(ClientError::Ambiguous {
                what: format!(
                    "channel {name_or_id:?} is ambiguous: several channels have that name or \
                     ID; use the channel's ID"
                ),
                method: "GET".into(),
                url: self.url(&path),
            })),
        }
    }

    /// `GET /v3/app/{app}/channels?excludeDetail=true`.
    pub fn list_channels(&self, app_id: &str) -> Result<Vec<Channel>, ClientError> {
        let path = format!(
            "/v3/app/{}/channels?excludeDetail=true",
            query_escape(app_id)
        );
        Ok(self
            .get_json::<ListChannelsResponse>(&path, "the list of channels")?
            .channels)
    }

    /// `POST /v3/app/{app}/release` with `{"spec_gzip": …}`; expects 201.
    pub fn create_release(&self, app_id: &str, spec_gzip: String) -> Result<Release, ClientError> {
        let path = format!("/v3/app/{}/release", query_escape(app_id));
        let body = CreateReleaseRequest {
            spec_gzip: Some(spec_gzip),
            spec: None,
        };
        let created: ReleaseResponse =
            self.send_json(Method::POST, &path, Some(&body), 201, "the app")?;
        Ok(created.release)
    }

    /// `POST /v3/app/{app}/release/{sequence}/promote` to one channel; expects 200.
    pub fn promote(
        &self,
        app_id: &str,
        sequence: i64,
        channel_id: &str,
        version: &str,
        notes: &str,
    ) -> Result<PromoteResponse, ClientError> {
        let body = PromoteRequest {
            release_notes: notes.to_string(),
            version_label: version.to_string(),
            is_required: false,
            channel_ids: vec![channel_id.to_string()],
            ignore_warnings: false,
            omit_details_in_response: true,
        };
        self.promote_request(app_id, sequence, &body)
    }

    /// [`Client::promote`] with every field of the request body chosen
    /// (`isRequired` for `--required`, several channels).
    pub fn promote_request(
        &self,
        app_id: &str,
        sequence: i64,
        body: &PromoteRequest,
    ) -> Result<PromoteResponse, ClientError> {
        let path = format!(
            "/v3/app/{}/release/{sequence}/promote",
            query_escape(app_id)
        );
        self.send_json(
            Method::POST,
            &path,
            Some(body),
            200,
            &format!("release {sequence}"),
        )
    }

    /// Every release, newest first: pages `currentPage=0,1,…&pageSize=20`
    /// until an empty page (at most [`MAX_RELEASE_PAGES`]). Unlike the CLI,
    /// an error on any page is returned rather than a partial list.
    pub fn releases(&self, app_id: &str) -> Result<Vec<Release>, ClientError> {
        let mut all: Vec<Release> = Vec::new();
        for page in 0..MAX_RELEASE_PAGES {
            let path = format!(
                "/v3/app/{}/releases?currentPage={page}&pageSize={PAGE_SIZE}",
                query_escape(app_id)
            );
            let releases = self
                .get_json::<ListReleasesResponse>(&path, "the list of releases")?
                .releases;
            if releases.is_empty() {
                return Ok(all);
            }
            if page > 0
                && releases
                    .iter()
                    .all(|r| all.iter().any(|seen| seen.sequence == r.sequence))
            {
                return Err(self.scrub(ClientError::BadResponse {
                    method: "GET".into(),
                    url: self.url(&path),
                    reason: format!(
                        "page {page} repeats releases already listed: the server ignores \
                         currentPage (a page past the end must be {{\"releases\":[]}})"
                    ),
                }));
            }
            all.extend(releases);
        }
        Err(ClientError::BadResponse {
            method: "GET".into(),
            url: self.url(&format!(
                "/v3/app/{}/releases?currentPage={MAX_RELEASE_PAGES}&pageSize={PAGE_SIZE}",
                query_escape(app_id)
            )),
            reason: format!(
                "more than {MAX_RELEASE_PAGES} pages of releases; stopped reading (a page past \
                 the end must be {{\"releases\":[]}})"
            ),
        })
    }

    /// `GET /v3/app/{app}/release/{sequence}`, spec included.
    pub fn release(&self, app_id: &str, sequence: i64) -> Result<Release, ClientError> {
        let path = format!("/v3/app/{}/release/{sequence}", query_escape(app_id));
        Ok(self
            .get_json::<ReleaseResponse>(&path, &format!("release {sequence}"))?
            .release)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<T, ClientError> {
        self.send_json::<(), T>(Method::GET, path, None, 200, what)
    }

    /// One call: the request, retries, the expected status, the JSON answer.
    /// `what` names the resource for a 404 ("release 7").
    fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        expect: u16,
        what: &str,
    ) -> Result<T, ClientError> {
        let url = self.url(path);
        let result = self
            .exchange(&method, &url, body, expect, what)
            .and_then(|bytes| decode(&method, &url, &bytes));
        result.map_err(|e| self.scrub(e))
    }

    fn exchange<B: Serialize>(
        &self,
        method: &Method,
        url: &str,
        body: Option<&B>,
        expect: u16,
        what: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let body = match body {
            Some(body) => {
                Some(
                    serde_json::to_vec(body).map_err(|e| ClientError::InvalidConfig {
                        what: format!("the body of {method} {url}"),
                        reason: e.to_string(),
                    })?,
                )
            }
            None => None,
        };
        let idempotent = *method == Method::GET;
        let tries = self.config.retries.saturating_add(1);
        let mut pause = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let last = attempt >= tries;
            let outcome = self.attempt(method, url, body.as_deref());
            let retry = match &outcome {
                Attempt::Done(status, _) => idempotent && (500..600).contains(status),
                Attempt::Failed(Transport::Refused) => true,
                Attempt::Failed(Transport::Connect(_) | Transport::Broken(_)) => idempotent,
                Attempt::Failed(Transport::Timeout { .. }) => false,
            };
            if retry && !last {
                std::thread::sleep(pause);
                pause = (pause * 3).min(MAX_BACKOFF);
                attempt += 1;
                continue;
            }
            return match outcome {
                Attempt::Done(status, bytes) if status == expect => Ok(bytes),
                Attempt::Done(status, bytes) => Err(status_error(
                    method, url, status, &bytes, expect, what, attempt,
                )),
                Attempt::Failed(failure) => Err(self.transport_error(method, url, failure)),
            };
        }
    }

    fn attempt(&self, method: &Method, url: &str, body: Option<&[u8]>) -> Attempt {
        let mut request = self.http.request(method.clone(), url);
        if let Some(body) = body {
            request = request.body(body.to_vec());
        }
        let mut response = match request.send() {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(classify(&e)),
        };
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        match (&mut response)
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            Ok(_) if bytes.len() as u64 > MAX_BODY_BYTES => Attempt::Failed(Transport::Broken(
                format!("the answer is larger than {} MiB", MAX_BODY_BYTES >> 20),
            )),
            Ok(_) => Attempt::Done(status, bytes),
            Err(e) if chain_has_timeout(&e) => {
                Attempt::Failed(Transport::Timeout { connecting: false })
            }
            Err(e) => Attempt::Failed(Transport::Broken(format!(
                "the answer was cut off: {}",
                innermost(&e)
            ))),
        }
    }

    fn transport_error(&self, method: &Method, url: &str, failure: Transport) -> ClientError {
        let hint = if self.loopback {
            " — is `labrun sandbox` running?"
        } else {
            " — check REPLICATED_API_ORIGIN and the network connection"
        };
        let unreachable = |reason: String| ClientError::Unreachable {
            method: method.to_string(),
            url: url.to_string(),
            reason,
        };
        match failure {
            Transport::Timeout { connecting } => ClientError::Timeout {
                method: method.to_string(),
                url: url.to_string(),
                after: if connecting {
                    self.config.connect_timeout.min(self.config.timeout)
                } else {
                    self.config.timeout
                },
            },
            Transport::Refused => unreachable(format!("connection refused{hint}")),
            Transport::Connect(reason) => unreachable(format!("{reason}{hint}")),
            Transport::Broken(reason) if *method == Method::GET => {
                unreachable(format!("the connection broke: {reason}{hint}"))
            }
            Transport::Broken(reason) => unreachable(format!(
                "the connection broke before an answer arrived ({reason}); the change may or \
                 may not have been applied: check with `replicated release ls`{hint}"
            )),
        }
    }

    /// Replaces the token wherever it appears (a server may echo it).
    fn scrub(&self, e: ClientError) -> ClientError {
        let token = self.config.token.as_str();
        if token.is_empty() {
            return e;
        }
        e.map_text(|s| {
            if s.contains(token) {
                s.replace(token, "***")
            } else {
                s
            }
        })
    }
}

fn decode<T: DeserializeOwned>(method: &Method, url: &str, bytes: &[u8]) -> Result<T, ClientError> {
    let bad = |reason: String| ClientError::BadResponse {
        method: method.to_string(),
        url: url.to_string(),
        reason,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("the body is empty; expected JSON".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "the body is not the expected JSON ({e}); it starts with {:?}",
            snippet(bytes)
        ))
    })
}

/// The error for an answer with an unexpected status.
fn status_error(
    method: &Method,
    url: &str,
    status: u16,
    body: &[u8],
    expect: u16,
    what: &str,
    attempts: u32,
) -> ClientError {
    let method = method.to_string();
    let url = url.to_string();
    let message = error_message(status, body);
    match status {
        401 => ClientError::Unauthorized { method, url },
        403 => ClientError::Forbidden {
            method,
            url,
            message,
        },
        404 => ClientError::NotFound {
            what: format!("{what} was not found: {message}"),
            method,
            url,
            status: Some(404),
        },
        500..=599 => ClientError::Server {
            status,
            method,
            url,
            message,
            attempts,
        },
        400..=499 => ClientError::Rejected {
            status,
            method,
            url,
            message,
        },
        _ => ClientError::BadResponse {
            method,
            url,
            reason: format!("expected status {expect}, got {status}: {message}"),
        },
    }
}

/// Like the CLI: the body's `message`, else `error.message`, else the raw body.
fn error_message(status: u16, body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let message = value
            .get("message")
            .and_then(|m| m.as_str())
            .or_else(|| value.pointer("/error/message").and_then(|m| m.as_str()))
            .or_else(|| value.get("error").and_then(|m| m.as_str()))
            .map(str::trim)
            .filter(|m| !m.is_empty());
        if let Some(message) = message {
            return clip(message, 500);
        }
    }
    let text = snippet(body);
    if text.is_empty() {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message")
            .to_string()
    } else {
        text
    }
}

fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(2000)];
    clip(String::from_utf8_lossy(head).trim(), 300)
}

fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn listing<'a>(intro: &str, names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        format!("{intro}: none")
    } else {
        format!("{intro}: {}", names.join(", "))
    }
}

/// `GET /v1/apps` answers `[{"App":{"Id","Slug",…},"Channels":[…]}]`.
fn legacy_app_matches(apps: &serde_json::Value, wanted: &str) -> bool {
    apps.as_array().is_some_and(|apps| {
        apps.iter().any(|entry| {
            ["Id", "Slug"].iter().any(|key| {
                entry
                    .pointer(&format!("/App/{key}"))
                    .and_then(|v| v.as_str())
                    == Some(wanted)
            })
        })
    })
}

fn classify(e: &reqwest::Error) -> Transport {
    if e.is_timeout() {
        return Transport::Timeout {
            connecting: e.is_connect(),
        };
    }
    if chain_has_io_kind(e, std::io::ErrorKind::ConnectionRefused) {
        return Transport::Refused;
    }
    if e.is_connect() {
        let reason = if e.is_dns() {
            format!("the host name could not be resolved ({})", innermost(e))
        } else {
            innermost(e)
        };
        return Transport::Connect(reason);
    }
    Transport::Broken(innermost(e))
}

fn chain_has_io_kind(e: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        current = err.source();
    }
    false
}

fn chain_has_timeout(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(err) = current {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
            || chain_has_io_kind(err, std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        current = err.source();
    }
    false
}

/// The deepest cause's message ("Connection refused (os error 111)").
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOKEN: &str = "tok-SECRET-1234";

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn config_reads_the_three_variables() {
        let config = Config::from_lookup(lookup(&[
            (ENV_ORIGIN, "http://127.0.0.1:4000/"),
            (ENV_TOKEN, " tok-SECRET-1234\n"),
            (ENV_APP, "slackernews-mackerel"),
        ]))
        .unwrap();
        assert_eq!(config.origin, "http://127.0.0.1:4000/");
        assert_eq!(config.token, TOKEN);
        assert_eq!(config.app, "slackernews-mackerel");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert_eq!(config.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(config.retries, DEFAULT_RETRIES);
        let client = Client::new(config).unwrap();
        assert_eq!(client.origin(), "http://127.0.0.1:4000");
        assert_eq!(client.url("/v3/apps"), "http://127.0.0.1:4000/v3/apps");
    }

    #[test]
    fn config_defaults_the_origin_and_requires_token_and_app() {
        let config = Config::from_lookup(lookup(&[
            (ENV_TOKEN, TOKEN),
            (ENV_APP, "a"),
            (ENV_ORIGIN, ""),
        ]))
        .unwrap();
        assert_eq!(config.origin, DEFAULT_ORIGIN);

        let e = Config::from_lookup(lookup(&[(ENV_APP, "a")])).unwrap_err();
        assert!(matches!(
            e,
            ClientError::MissingConfig { var: ENV_TOKEN, .. }
        ));
        assert!(
            e.to_string()
                .starts_with("REPLICATED_API_TOKEN is not set: ")
        );

        let e = Config::from_lookup(lookup(&[(ENV_TOKEN, TOKEN), (ENV_APP, "  ")])).unwrap_err();
        assert!(e.to_string().starts_with("REPLICATED_APP is not set: "));
        assert!(!e.to_string().contains(TOKEN));

        let config = Config::from_lookup_with(lookup(&[(ENV_TOKEN, TOKEN)]), false).unwrap();
        assert_eq!(config.app, "");
    }

    #[test]
    fn config_refuses_origins_that_are_not_http() {
        for origin in ["127.0.0.1:4000", "ftp://x", "not a url"] {
            let e = Config::from_lookup(lookup(&[
                (ENV_ORIGIN, origin),
                (ENV_TOKEN, TOKEN),
                (ENV_APP, "a"),
            ]))
            .unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("REPLICATED_API_ORIGIN is not usable"),
                "{e}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let config = Config::from_lookup(lookup(&[(ENV_TOKEN, TOKEN), (ENV_APP, "a")])).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("<redacted>"));
        let client = Client::new(config).unwrap();
        assert!(!format!("{client:?}").contains(TOKEN));
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_echoing_it() {
        let mut config =
            Config::from_lookup(lookup(&[(ENV_TOKEN, TOKEN), (ENV_APP, "a")])).unwrap();
        config.token = format!("{TOKEN}\nx");
        let e = Client::new(config).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("REPLICATED_API_TOKEN is not usable")
        );
        assert!(!e.to_string().contains(TOKEN));
    }

    #[test]
    fn errors_are_scrubbed_of_the_token() {
        let config = Config::from_lookup(lookup(&[(ENV_TOKEN, TOKEN), (ENV_APP, "a")])).unwrap();
        let client = Client::new(config).unwrap();
        let e = status_error(
            &Method::GET,
            "http://x/v3/apps",
            400,
            format!(r#"{{"message":"bad token {TOKEN}"}}"#).as_bytes(),
            200,
            "apps",
            1,
        );
        let e = client.scrub(e);
        assert_eq!(
            e.to_string(),
            "the Vendor API rejected GET http://x/v3/apps (400): bad token ***"
        );
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.request(), Some(("GET", "http://x/v3/apps")));
    }

    #[test]
    fn status_errors_read_the_message_like_the_cli() {
        let e = status_error(&Method::GET, "u", 401, b"", 200, "apps", 1);
        assert_eq!(
            e.to_string(),
            "the Vendor API refused the token (401) on GET u: check REPLICATED_API_TOKEN"
        );
        let e = status_error(
            &Method::GET,
            "u",
            403,
            br#"{"error":{"code":"forbidden","message":"not your app"}}"#,
            200,
            "apps",
            1,
        );
        assert!(e.to_string().contains(": not your app"), "{e}");
        let e = status_error(&Method::GET, "u", 404, b"", 200, "release 7", 1);
        assert_eq!(e.to_string(), "release 7 was not found: Not Found (GET u)");
        assert_eq!(e.status(), Some(404));
        let e = status_error(&Method::GET, "u", 502, b"upstream down", 200, "x", 3);
        assert_eq!(
            e.to_string(),
            "the Vendor API failed with 502 on GET u (3 attempts): upstream down"
        );
        let e = status_error(&Method::POST, "u", 200, b"{}", 201, "x", 1);
        assert!(matches!(e, ClientError::BadResponse { .. }));
        assert!(e.to_string().contains("expected status 201, got 200"));
    }

    #[test]
    fn decoding_explains_bad_bodies() {
        let e = decode::<ListAppsResponse>(&Method::GET, "u", b"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unexpected answer from the Vendor API to GET u: the body is empty; expected JSON"
        );
        let e = decode::<ListAppsResponse>(&Method::GET, "u", b"{\"apps\": [").unwrap_err();
        assert!(e.to_string().contains("not the expected JSON"), "{e}");
        let e = decode::<ListAppsResponse>(&Method::GET, "u", b"<html>").unwrap_err();
        assert!(e.to_string().contains("\"<html>\""), "{e}");
    }

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(query_escape("Unstable"), "Unstable");
        assert_eq!(query_escape("my channel/β"), "my+channel%2F%CE%B2");
        assert_eq!(query_escape("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(query_escape("x&y=z?"), "x%26y%3Dz%3F");
    }

    #[test]
    fn legacy_apps_match_on_id_or_slug() {
        let apps: serde_json::Value =
            serde_json::from_str(r#"[{"App":{"Id":"1","Slug":"old"}},{},{"App":null}]"#).unwrap();
        assert!(legacy_app_matches(&apps, "old"));
        assert!(legacy_app_matches(&apps, "1"));
        assert!(!legacy_app_matches(&apps, "new"));
        assert!(!legacy_app_matches(&serde_json::json!({"x": 1}), "new"));
    }

    #[test]
    fn clients_and_errors_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Client>();
        send_sync::<ClientError>();
        send_sync::<Config>();
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1",
            "localhost",
            "api.localhost",
            "[::1]",
            "127.1.2.3",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        assert!(!is_loopback("api.replicated.com"));
    }
}
