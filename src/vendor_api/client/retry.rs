//! The retry rules: which failed attempts are tried again, and the pause
//! between tries (100 ms, 300 ms, 900 ms, … at most 2 s), for at most
//! [`Config::retries`](super::Config::retries) extra attempts (default 2):
//! - `GET`s are retried when the connection cannot be made or breaks, and on
//!   any 5xx answer.
//! - `POST`s (create a release, promote) are retried only when the connection
//!   was refused, that is when nothing was sent; never on 5xx or a broken
//!   connection, which could apply the same change twice (a duplicate release).
//! - 4xx answers are never retried, and neither are timeouts: the configured
//!   timeout is already the longest a learner should wait.
//!
//! Own code, not a retry crate: the rule that prevents a duplicate release
//! needs to know whether a request may have been sent ([`Transport`]), which
//! the retry crates for reqwest (async, through reqwest-middleware) do not
//! tell apart by method; the rules fit in one function.

use std::time::Duration;

use reqwest::Method;
use serde::Serialize;

use super::error::status_error;
use super::transport::{Attempt, Transport};
use super::{Client, ClientError};

/// The pause before the second try.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl Client {
    /// Sends the request, trying again as the rules above allow; the answer's
    /// body when its status is `expect`, else the error of the last try.
    pub(super) fn exchange<B: Serialize>(
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
        let tries = self.config.retries.saturating_add(1);
        let mut pause = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let last = attempt >= tries;
            let outcome = self.attempt(method, url, body.as_deref());
            if is_retried(method, &outcome) && !last {
                std::thread::sleep(pause);
                pause = next_pause(pause);
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
}

/// Whether an attempt is worth another try (the rules above): only `GET`
/// may be sent twice; anything else only when nothing was sent.
fn is_retried(method: &Method, outcome: &Attempt) -> bool {
    let idempotent = *method == Method::GET;
    match outcome {
        Attempt::Done(status, _) => idempotent && (500..600).contains(status),
        Attempt::Failed(Transport::Refused) => true,
        Attempt::Failed(Transport::Connect(_) | Transport::Broken(_)) => idempotent,
        Attempt::Failed(Transport::Timeout { .. }) => false,
    }
}

/// The pause after `pause`: three times as long, at most [`MAX_BACKOFF`].
fn next_pause(pause: Duration) -> Duration {
    (pause * 3).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(status: u16) -> Attempt {
        Attempt::Done(status, Vec::new())
    }

    #[test]
    fn gets_are_retried_on_5xx_and_on_any_failed_connection() {
        let get = &Method::GET;
        assert!(is_retried(get, &done(502)));
        assert!(is_retried(get, &Attempt::Failed(Transport::Refused)));
        assert!(is_retried(
            get,
            &Attempt::Failed(Transport::Connect("dns".into()))
        ));
        assert!(is_retried(
            get,
            &Attempt::Failed(Transport::Broken("reset".into()))
        ));
        assert!(!is_retried(get, &done(200)));
        assert!(!is_retried(get, &done(404)));
        let timeout = Attempt::Failed(Transport::Timeout { connecting: true });
        assert!(!is_retried(get, &timeout));
    }

    #[test]
    fn posts_are_retried_only_when_nothing_was_sent() {
        let post = &Method::POST;
        assert!(is_retried(post, &Attempt::Failed(Transport::Refused)));
        assert!(!is_retried(post, &done(503)));
        assert!(!is_retried(
            post,
            &Attempt::Failed(Transport::Connect("tls".into()))
        ));
        assert!(!is_retried(
            post,
            &Attempt::Failed(Transport::Broken("reset".into()))
        ));
        let timeout = Attempt::Failed(Transport::Timeout { connecting: false });
        assert!(!is_retried(post, &timeout));
    }

    #[test]
    fn pauses_grow_threefold_up_to_two_seconds() {
        let mut pause = FIRST_BACKOFF;
        let mut pauses = vec![pause];
        for _ in 0..4 {
            pause = next_pause(pause);
            pauses.push(pause);
        }
        let millis: Vec<u128> = pauses.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [100, 300, 900, 2000, 2000]);
    }
}
