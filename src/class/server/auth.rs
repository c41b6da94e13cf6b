//! Who may do what on the class server: the secrets it makes (class code,
//! learner and instructor tokens), how they are kept (SHA-256 only, never in
//! clear), how a request presents them (`Authorization: Bearer`, or the web
//! page's cookie), and the per-learner rate limit (a token bucket).

use crate::class::protocol::{
    INSTRUCTOR_TOKEN_PREFIX, LEARNER_REQUEST_BURST, LEARNER_REQUESTS_PER_SECOND,
    LEARNER_TOKEN_PREFIX,
};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The web page's cookie: the instructor token, HttpOnly and SameSite=Strict.
pub const COOKIE_NAME: &str = "labrun_class";

/// Letters of a class code: lower case, none that read alike (0/o, 1/l/i).
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Why the OS would not give random bytes (a broken sandbox, never in practice).
#[derive(Debug, thiserror::Error)]
#[error("no random numbers from the operating system: {0}")]
pub struct RandomError(getrandom::Error);

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(RandomError)?;
    Ok(bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A class code as learners type it: `xxxx-xxxx-xxxx` (about 59 bits).
pub fn new_class_code() -> Result<String, RandomError> {
    let bytes = random_bytes::<12>()?;
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    Ok(letters
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// 192 random bits behind a prefix that says whose token it is.
fn new_token(prefix: &str) -> Result<String, RandomError> {
    Ok(format!("{prefix}{}", hex(&random_bytes::<24>()?)))
}

pub fn new_learner_token() -> Result<String, RandomError> {
    new_token(LEARNER_TOKEN_PREFIX)
}

pub fn new_instructor_token() -> Result<String, RandomError> {
    new_token(INSTRUCTOR_TOKEN_PREFIX)
}

/// A random id (learners, classes): 64 bits in hex.
pub fn new_id() -> Result<String, RandomError> {
    Ok(hex(&random_bytes::<8>()?))
}

/// What the database keeps of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The token a request presents: `Authorization: Bearer …`, else (when
/// `cookie_too`) the page's cookie.
pub fn presented_token(headers: &HeaderMap, cookie_too: bool) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if bearer.is_some() || !cookie_too {
        return bearer;
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The `Set-Cookie` value that signs the page in (`secure` over TLS).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// A token bucket per learner: [`LEARNER_REQUESTS_PER_SECOND`] sustained,
/// [`LEARNER_REQUEST_BURST`] at once. A learner's sender batches, so this
/// only stops a runaway or hostile client.
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(LEARNER_REQUESTS_PER_SECOND, LEARNER_REQUEST_BURST)
    }
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket at `now`; when it is empty,
    /// how long until one is there (the `Retry-After`).
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn secrets_are_random_and_say_what_they_are() {
        let (a, b) = (new_learner_token().unwrap(), new_learner_token().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("lrl_") && a.len() == 4 + 48, "{a}");
        assert!(new_instructor_token().unwrap().starts_with("lri_"));
        let code = new_class_code().unwrap();
        assert_eq!(code.len(), 14, "{code}");
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(token_hash("x").len(), 64);
        assert_ne!(token_hash("x"), token_hash("y"));
    }

    #[test]
    fn a_token_comes_from_the_bearer_header_or_the_page_cookie() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_token(&headers, true), None);
        headers.insert(
            COOKIE,
            HeaderValue::from_static("other=1; labrun_class=lri_c"),
        );
        assert_eq!(presented_token(&headers, true).as_deref(), Some("lri_c"));
        assert_eq!(presented_token(&headers, false), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer lrl_b"));
        assert_eq!(presented_token(&headers, true).as_deref(), Some("lrl_b"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic eDp5"));
        assert_eq!(presented_token(&headers, false), None);
        let cookie = session_cookie("lri_c", true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
    }

    #[test]
    fn the_rate_limit_allows_a_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(5, 20);
        let start = Instant::now();
        for i in 0..20 {
            assert!(limiter.take("a", start).is_ok(), "request {i}");
        }
        let wait = limiter.take("a", start).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
        // Another learner has a bucket of their own.
        assert!(limiter.take("b", start).is_ok());
        // A fifth of a second later, one more request; then empty again.
        let later = start + Duration::from_millis(200);
        assert!(limiter.take("a", later).is_ok());
        assert!(limiter.take("a", later).is_err());
        // Refilling stops at the burst.
        let much_later = start + Duration::from_secs(3600);
        for _ in 0..20 {
            assert!(limiter.take("a", much_later).is_ok());
        }
        assert!(limiter.take("a", much_later).is_err());
    }
}
