//! Why a Vendor API call failed: [`ClientError`], the words of each failure
//! (naming the request, saying what to do next), and how an HTTP answer with
//! an unexpected status becomes one, reading its message as the CLI does.

use std::time::Duration;

use reqwest::Method;

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
    pub(super) fn map_text(self, f: impl Fn(String) -> String) -> ClientError {
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

/// The error for an answer with an unexpected status.
pub(super) fn status_error(
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

pub(super) fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(2000)];
    clip(String::from_utf8_lossy(head).trim(), 300)
}

fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
