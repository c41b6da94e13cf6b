//! A stand-in class server for the learner's side: a plain TcpListener that
//! answers `POST /api/join` with a learner token and `POST /api/events` with
//! a `BatchAck`, records what it received, and can be told to be down
//! (connections closed unanswered), to fail (500), to rate-limit (429 with
//! `Retry-After`) or to be slow. The real server has its own tests.

use labrun::class::protocol::{BatchAck, EventBatch, JoinRequest, JoinResponse};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Up,
    /// Connections are closed without an answer.
    Down,
    /// `500` to every request.
    Failing,
    /// `429` with `Retry-After: N` to event batches.
    TooMany(u64),
    /// Answers after this long.
    Slow(Duration),
}

#[derive(Debug, Default)]
pub struct Received {
    pub joins: Vec<JoinRequest>,
    /// Every event of every batch acknowledged, in order (resends too).
    pub events: Vec<labrun::class::protocol::Event>,
    /// Every request body and header block, as received.
    pub raw: Vec<String>,
    /// Ids received again after they were acknowledged.
    pub resent_after_ack: Vec<String>,
    /// When each `/api/events` request came, and its answer's status.
    pub event_requests: Vec<(Instant, u16)>,
    acked: HashSet<String>,
}

impl Received {
    pub fn distinct_ids(&self) -> usize {
        self.acked.len()
    }
}

struct State {
    mode: Mode,
    received: Received,
    token: String,
}

pub struct FakeClass {
    pub base: String,
    pub code: String,
    state: Arc<Mutex<State>>,
}

impl FakeClass {
    pub fn start() -> FakeClass {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            mode: Mode::Up,
            received: Received::default(),
            token: format!("lrl_fake{port}classtoken"),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        FakeClass {
            base: format!("http://127.0.0.1:{port}"),
            code: "k7m2-x9qp".into(),
            state,
        }
    }

    pub fn join_url(&self) -> String {
        format!("{}/join/{}", self.base, self.code)
    }

    /// The learner token this server hands out.
    pub fn token(&self) -> String {
        self.state.lock().unwrap().token.clone()
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn received<R>(&self, read: impl FnOnce(&Received) -> R) -> R {
        read(&self.state.lock().unwrap().received)
    }
}

/// An address nothing listens on.
pub fn nobody_there() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/join/k7m2-x9qp")
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let mode = state.lock().unwrap().mode;
    if let Mode::Slow(delay) = mode {
        std::thread::sleep(delay);
    }
    if mode == Mode::Down {
        return; // closed unanswered
    }
    let (status, extra, answer) = answer(&head, &body, mode, state);
    let mut stream = stream;
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{answer}",
        answer.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn answer(head: &str, body: &str, mode: Mode, state: &Mutex<State>) -> (u16, String, String) {
    let mut state = state.lock().unwrap();
    state.received.raw.push(format!("{head}{body}"));
    let error =
        |status: u16, text: &str| (status, String::new(), format!("{{\"error\":{text:?}}}"));
    let path = head.split_whitespace().nth(1).unwrap_or("");
    match path {
        "/api/join" => {
            if mode == Mode::Failing {
                return error(500, "broken");
            }
            let Ok(request) = serde_json::from_str::<JoinRequest>(body) else {
                return error(422, "not a join request");
            };
            if request.code != "k7m2-x9qp" {
                return error(404, "no class has this code");
            }
            state.received.joins.push(request);
            let answer = JoinResponse {
                class: "workshop".into(),
                learner_id: format!("{}", state.received.joins.len()),
                token: state.token.clone(),
            };
            (201, String::new(), serde_json::to_string(&answer).unwrap())
        }
        "/api/events" => {
            let now = Instant::now();
            let authorised = head
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Bearer {}", state.token)));
            let (status, extra, text) = if !authorised {
                error(401, "no learner token")
            } else if mode == Mode::Failing {
                error(500, "broken")
            } else if let Mode::TooMany(seconds) = mode {
                (
                    429,
                    format!("Retry-After: {seconds}\r\n"),
                    "{\"error\":\"slow down\"}".into(),
                )
            } else {
                match serde_json::from_str::<EventBatch>(body) {
                    Err(_) => error(422, "not an event batch"),
                    Ok(batch) => {
                        let mut ack = BatchAck {
                            stored: 0,
                            duplicates: 0,
                        };
                        for event in batch.events {
                            if state.received.acked.insert(event.id.clone()) {
                                ack.stored += 1;
                            } else {
                                ack.duplicates += 1;
                                state.received.resent_after_ack.push(event.id.clone());
                            }
                            state.received.events.push(event);
                        }
                        (200, String::new(), serde_json::to_string(&ack).unwrap())
                    }
                }
            };
            state.received.event_requests.push((now, status));
            (status, extra, text)
        }
        _ => error(404, "no such endpoint"),
    }
}
