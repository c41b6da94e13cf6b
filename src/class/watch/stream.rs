//! The `/api/stream` client: server-sent events read on their own thread,
//! each `event: class` state sent to the dashboard's loop the moment it
//! arrives (a blocking read: no polling, nothing to do while the class is
//! quiet). A broken stream is retried with capped backoff, and the loop is
//! told, so the screen says "reconnecting…"; a refused token ends it.

use super::WatchError;
use super::client::{check_status, http_client, unreachable};
use super::token::InstructorToken;
use crate::class::protocol::{ClassState, ClassUrl, STREAM};
use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

/// The longest line the stream may send: a state of 500 learners is about
/// 1 MB; anything far past that is not a class server.
const MAX_LINE_BYTES: u64 = 64 * 1024 * 1024;
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(5);

/// What the stream tells the loop.
#[derive(Debug)]
pub enum StreamEvent {
    State(Box<ClassState>),
    /// The stream broke or could not be opened; try `attempt` comes after `retry_in`.
    Down {
        attempt: u32,
        why: String,
        retry_in: Duration,
    },
    /// The token was refused: retrying cannot help.
    Refused(WatchError),
}

/// The wait before try `attempt` (1, 2, …): doubling from 250 ms, at most 5 s.
pub fn backoff(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    (FIRST_RETRY * 2u32.pow(doublings)).min(LONGEST_RETRY)
}

/// Server-sent events, a line at a time: `Some((event, data))` when a
/// blank line ends one; comments and unknown fields are skipped.
#[derive(Debug, Default)]
pub struct SseParser {
    event: String,
    data: Vec<String>,
}

impl SseParser {
    pub fn line(&mut self, line: &str) -> Option<(String, String)> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if self.data.is_empty() {
                self.event.clear();
                return None;
            }
            let event = std::mem::take(&mut self.event);
            let event = if event.is_empty() {
                "message".into()
            } else {
                event
            };
            return Some((event, std::mem::take(&mut self.data).join("\n")));
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            _ => {}
        }
        None
    }
}

/// Starts the stream's thread; `send` returns false once the loop is gone.
pub fn spawn(
    url: ClassUrl,
    token: InstructorToken,
    send: impl Fn(StreamEvent) -> bool + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("class-stream".into())
        .spawn(move || {
            // No overall timeout: a quiet class sends nothing for minutes.
            let client = http_client(None);
            let mut attempt = 0u32;
            loop {
                let why = match follow(&client, &url, &token, &send, &mut attempt) {
                    Ok(()) => "the server closed the stream".to_string(),
                    Err(error @ WatchError::Refused { .. }) => {
                        send(StreamEvent::Refused(error));
                        return;
                    }
                    Err(error) => error.to_string(),
                };
                attempt += 1;
                let retry_in = backoff(attempt);
                if !send(StreamEvent::Down {
                    attempt,
                    why,
                    retry_in,
                }) {
                    return;
                }
                std::thread::sleep(retry_in);
            }
        })
        .map(drop)
}

/// One connection: every state it sends, until it ends. `attempt` goes
/// back to 0 once a state came through.
fn follow(
    client: &reqwest::blocking::Client,
    url: &ClassUrl,
    token: &InstructorToken,
    send: &impl Fn(StreamEvent) -> bool,
    attempt: &mut u32,
) -> Result<(), WatchError> {
    let endpoint = url.endpoint(STREAM);
    let request = format!("GET {endpoint}");
    let response = client
        .get(&endpoint)
        .header(reqwest::header::AUTHORIZATION, token.bearer())
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .send()
        .map_err(|e| unreachable(&request, e))?;
    let response = check_status(response, &request, url, token)?;
    let mut reader = BufReader::new(response);
    let mut parser = SseParser::default();
    let mut line = String::new();
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES)
            .read_line(&mut line)
            .map_err(|e| WatchError::Unreachable {
                request: request.clone(),
                why: e.to_string(),
            })?;
        if read == 0 {
            return Ok(());
        }
        if !line.ends_with('\n') && read as u64 == MAX_LINE_BYTES {
            return Err(WatchError::BadState {
                request,
                why: format!("a line longer than {MAX_LINE_BYTES} bytes"),
            });
        }
        let Some((event, data)) = parser.line(&line) else {
            continue;
        };
        if event != "class" {
            continue;
        }
        let state: ClassState = serde_json::from_str(&data).map_err(|e| WatchError::BadState {
            request: request.clone(),
            why: e.to_string(),
        })?;
        *attempt = 0;
        if !send(StreamEvent::State(Box::new(state))) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_end_at_a_blank_line_and_comments_are_skipped() {
        let mut p = SseParser::default();
        let lines = [
            ": keep-alive\n",
            "\n",
            "event: class\n",
            "data: {\"a\":1}\r\n",
            "\n",
        ];
        let got: Vec<(String, String)> = lines.iter().filter_map(|l| p.line(l)).collect();
        assert_eq!(got, [("class".to_string(), "{\"a\":1}".to_string())]);
        let lines = ["data:one\n", "data: two\n", "id: 7\n", "\n"];
        let got: Vec<(String, String)> = lines.iter().filter_map(|l| p.line(l)).collect();
        assert_eq!(got, [("message".to_string(), "one\ntwo".to_string())]);
    }

    #[test]
    fn retries_back_off_doubling_to_a_cap() {
        let waits: Vec<u128> = (1..=7).map(|a| backoff(a).as_millis()).collect();
        assert_eq!(waits, [250, 500, 1000, 2000, 4000, 5000, 5000]);
        assert_eq!(backoff(u32::MAX), LONGEST_RETRY);
    }
}
