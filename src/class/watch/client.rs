//! The instructor views' HTTP client: `GET /api/class` with the instructor
//! token, and every way it can fail worded for the instructor, naming the
//! request — refused token (401/403), a server that does not answer, an
//! error status, an answer that is not a class state.

use super::WatchError;
use super::token::InstructorToken;
use crate::class::protocol::{CLASS, ClassState, ClassUrl, ErrorBody};
use std::time::Duration;

/// How long a connection may take before the server counts as down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `GET /api/class` may take (a class of 500 is about 1 MB).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client for the class server. No proxy: class servers are on loopback
/// or the room's LAN, where a proxy from the environment can only get in the
/// way; no redirects, so the token goes nowhere but to the URL given.
pub fn http_client(timeout: Option<Duration>) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(timeout)
        .tcp_keepalive(Duration::from_secs(15))
        .build()
        .expect("a client with static settings builds")
}

/// `GET /api/class`: the class as the server has it now.
pub fn fetch_state(url: &ClassUrl, token: &InstructorToken) -> Result<ClassState, WatchError> {
    let endpoint = url.endpoint(CLASS);
    let request = format!("GET {endpoint}");
    let response = http_client(Some(REQUEST_TIMEOUT))
        .get(&endpoint)
        .header(reqwest::header::AUTHORIZATION, token.bearer())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .map_err(|e| unreachable(&request, e))?;
    let response = check_status(response, &request, url, token)?;
    let text = response.text().map_err(|e| unreachable(&request, e))?;
    serde_json::from_str(&text).map_err(|e| WatchError::BadState {
        request,
        why: e.to_string(),
    })
}

/// A request that got no answer: refused, timed out, cut off.
pub fn unreachable(request: &str, error: reqwest::Error) -> WatchError {
    let why = if error.is_timeout() {
        "it timed out".to_string()
    } else if error.is_connect() {
        "the connection was refused or could not be made".to_string()
    } else {
        // reqwest's own words, without the URL it repeats.
        let error = error.without_url();
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    };
    WatchError::Unreachable {
        request: request.to_string(),
        why,
    }
}

/// The response when it is a success; else the error it means.
pub fn check_status(
    response: reqwest::blocking::Response,
    request: &str,
    url: &ClassUrl,
    token: &InstructorToken,
) -> Result<reqwest::blocking::Response, WatchError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let reason = status.canonical_reason().unwrap_or("").to_string();
    // The server's one sentence, when it gave one (never the whole body: it
    // could be anything, of any size).
    let said = response
        .text()
        .ok()
        .and_then(|t| serde_json::from_str::<ErrorBody>(&t).ok())
        .map(|b| crate::output::text::one_line(&b.error));
    let why = match said {
        Some(said) => format!("{} {reason}: {said}", status.as_u16()),
        None => format!("{} {reason}", status.as_u16()),
    };
    if matches!(status.as_u16(), 401 | 403) {
        return Err(WatchError::Refused {
            base: url.base.clone(),
            why: format!("{request} answered {why}"),
            source_of_token: format!("{}", token.source),
        });
    }
    Err(WatchError::Status {
        request: request.to_string(),
        status: status.as_u16(),
        why,
    })
}
