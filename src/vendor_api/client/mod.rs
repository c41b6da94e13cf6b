//! A blocking client for the Replicated Vendor API v3, speaking to it exactly
//! as the `replicated` CLI does (`shared/docs/vendor-api.md` §1): the same
//! paths and query strings, the raw `Authorization: <token>` header, JSON
//! `Content-Type`/`Accept` on every call, and the same expected status codes.
//!
//! It is blocking on purpose: the UI calls it from worker threads, never from
//! an async context (reqwest's blocking client runs its own runtime thread).
//!
//! - `config`: where and as whom ([`Config`], from the environment);
//! - `endpoints`: the API's calls, as the CLI makes them;
//! - `retry`: which failures are tried again; `transport`: one attempt;
//! - `error`: [`ClientError`], what each failure says.
//!
//! # Errors
//!
//! Every [`ClientError`] names the request (method and URL) and says what to
//! do next. None ever contains the token: it is only sent as a header, and any
//! echo of it in a server's answer is replaced by `***`.

mod config;
mod endpoints;
mod error;
mod retry;
mod transport;

pub use config::{
    Config, DEFAULT_CONNECT_TIMEOUT, DEFAULT_ORIGIN, DEFAULT_RETRIES, DEFAULT_TIMEOUT, ENV_APP,
    ENV_ORIGIN, ENV_TOKEN,
};
pub use endpoints::{MAX_RELEASE_PAGES, query_escape};
pub use error::ClientError;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::App;
use config::check_origin;
use error::snippet;
use transport::innermost;

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

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::config::tests::{TOKEN, lookup};
    use super::error::status_error;
    use super::*;
    use crate::vendor_api::types::ListAppsResponse;

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
