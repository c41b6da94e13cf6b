//! The class's web page at `/`, for projecting in the room: one
//! server-rendered HTML document (inline CSS and a few lines of inline JS,
//! no external assets) whose board — learners × steps or challenges, who is
//! stuck, who is idle, class totals — is replaced live by the `board` events
//! of `/page/stream`.
//!
//! The server calls exactly two functions: [`render_page`] (the document)
//! and [`render_board`] (the live fragment). Both are pure functions of the
//! class and the time. Every piece of text a learner or a lesson provides is
//! HTML-escaped, and the document's Content-Security-Policy allows only its
//! own script and style (by hash), so even a missed escape could not run
//! script.
//!
//! - `board`: the fragment; `page.css`, `page.js`: the document's assets.

mod board;
#[cfg(test)]
mod tests;

use crate::class::protocol::ClassState;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// A learner from whom no event came for this long is idle.
pub const IDLE_AFTER_SECONDS: u64 = 5 * 60;
/// Without JavaScript the page reloads itself this often.
pub const NO_SCRIPT_REFRESH_SECONDS: u32 = 10;

const STYLE: &str = include_str!("page/page.css");
const SCRIPT: &str = include_str!("page/page.js");

/// The whole page served at `/`: the board as of `now`, kept live by the
/// script (or, without JavaScript, by reloading).
pub fn render_page(state: &ClassState, now: SystemTime) -> String {
    let title = escape(&state.class);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{title} — labrun class</title>\n<style>{STYLE}</style>\n\
         <noscript><meta http-equiv=\"refresh\" content=\"{NO_SCRIPT_REFRESH_SECONDS}\"></noscript>\n\
         </head>\n<body data-now=\"{now}\" data-idle-after=\"{IDLE_AFTER_SECONDS}\">\n<header>\n<h1>{title}</h1>\n\
         <p id=\"live\" class=\"live\" role=\"status\">\
         <noscript>updated every {NO_SCRIPT_REFRESH_SECONDS} s</noscript></p>\n</header>\n\
         <main id=\"board\" aria-live=\"polite\">\n{board}</main>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        csp = content_security_policy(),
        now = unix_seconds(now),
        board = render_board(state, now),
    )
}

/// The live fragment: what `#board` holds, sent as `event: board`.
pub fn render_board(state: &ClassState, now: SystemTime) -> String {
    board::render(state, now)
}

/// Nothing but this document's own script and style, and the stream.
fn content_security_policy() -> String {
    format!(
        "default-src 'none'; connect-src 'self'; img-src 'none'; \
         style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'",
        sha256_source(STYLE),
        sha256_source(SCRIPT)
    )
}

/// A CSP hash source: `sha256-<base64 of the digest>`.
fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Text made safe inside an element or a double- or single-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Seconds since the Unix epoch (0 before it).
fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// An RFC 3339 stamp as seconds since the epoch; `None` if it is not one.
fn stamp_seconds(stamp: &str) -> Option<u64> {
    humantime::parse_rfc3339(stamp.trim())
        .ok()
        .map(unix_seconds)
}
