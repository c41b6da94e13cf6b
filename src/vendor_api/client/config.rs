//! Where and as whom the client calls the Vendor API: [`Config`], read from
//! `REPLICATED_API_ORIGIN`, `REPLICATED_API_TOKEN` and `REPLICATED_APP` as
//! the `replicated` CLI reads them, with the timeouts and retries labrun uses.

use std::fmt;
use std::time::Duration;

use super::ClientError;

/// The real service; `REPLICATED_API_ORIGIN` replaces it (a local sandbox).
pub const DEFAULT_ORIGIN: &str = "https://api.replicated.com/vendor";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default time allowed for a whole request, answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of extra attempts (see `retry` for which requests).
pub const DEFAULT_RETRIES: u32 = 2;

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
    /// Extra attempts after a failure that may be retried (see `retry`).
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
    /// `origin` (checked by [`Client::new`](super::Client::new)), `token` and
    /// `app`, with the default timeouts and retries.
    pub fn new(
        origin: impl Into<String>,
        token: impl Into<String>,
        app: impl Into<String>,
    ) -> Config {
        Config {
            origin: origin.into(),
            token: token.into(),
            app: app.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
        }
    }

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
        Ok(Config::new(origin, token, app))
    }
}

pub(super) fn check_origin(origin: &str) -> Result<reqwest::Url, ClientError> {
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

#[cfg(test)]
pub(super) mod tests {
    use super::super::Client;
    use super::*;
    use std::collections::HashMap;

    pub(in crate::vendor_api::client) const TOKEN: &str = "tok-SECRET-1234";

    /// An environment of `pairs`, for [`Config::from_lookup`].
    pub(in crate::vendor_api::client) fn lookup(
        pairs: &[(&str, &str)],
    ) -> impl Fn(&str) -> Option<String> + use<> {
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
}
