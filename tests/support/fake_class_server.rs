//! A stand-in for `labrun class serve` for the instructor views' tests: a
//! loopback HTTP server (std threads, no async) answering `GET /api/class`
//! with a class state and `GET /api/stream` with server-sent events (the
//! state on connecting, then again whenever the test sets a new one), both
//! only with `Authorization: Bearer <instructor token>` (401 otherwise).
//! Also the class's records, made as the lab records checks.
#![allow(dead_code)]

use labrun::checks::{Outcome, StepReport};
use labrun::class::protocol::{ClassState, ErrorBody, LearnerState};
use labrun::progress::{ChallengeState, Progress};
use labrun::report::{RECORD_KIND, RECORD_SCHEMA, Record};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

pub const TOKEN: &str = "lri_fake-instructor-token-0123456789";

struct Inner {
    state: ClassState,
    /// Answer every request with this status (and an `ErrorBody`) instead.
    failing: Option<u16>,
    stopped: bool,
    /// Stream connections made so far.
    streams: usize,
}

struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
}

pub struct FakeClassServer {
    pub base: String,
    shared: Arc<Shared>,
}

impl FakeClassServer {
    pub fn start(state: ClassState) -> FakeClassServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                state,
                failing: None,
                stopped: false,
                streams: 0,
            }),
            changed: Condvar::new(),
        });
        let serving = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if serving.inner.lock().unwrap().stopped {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = serving.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        FakeClassServer { base, shared }
    }

    /// A new state (its version one higher), pushed to every stream.
    pub fn set_state(&self, mut state: ClassState) {
        let mut inner = self.shared.inner.lock().unwrap();
        state.version = inner.state.version + 1;
        inner.state = state;
        self.shared.changed.notify_all();
    }

    /// Every request is answered `status` from now on.
    pub fn fail_with(&self, status: u16) {
        self.shared.inner.lock().unwrap().failing = Some(status);
    }

    pub fn streams(&self) -> usize {
        self.shared.inner.lock().unwrap().streams
    }
}

impl Drop for FakeClassServer {
    fn drop(&mut self) {
        self.shared.inner.lock().unwrap().stopped = true;
        self.shared.changed.notify_all();
        // Wakes the accepting thread so it sees `stopped`.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
    }
}

/// The request line and the `Authorization` header of one request.
fn read_head(stream: &mut TcpStream) -> Option<(String, Option<String>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut lines = text.split("\r\n");
    let request = lines.next()?.to_string();
    let auth = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_string())
    });
    Some((request, auth))
}

fn answer(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn error_body(text: &str) -> String {
    serde_json::to_string(&ErrorBody { error: text.into() }).unwrap()
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let Some((request, auth)) = read_head(&mut stream) else {
        return;
    };
    let path = request.split(' ').nth(1).unwrap_or("").to_string();
    if let Some(status) = shared.inner.lock().unwrap().failing {
        answer(
            &mut stream,
            status,
            "application/json",
            &error_body("the fake is failing"),
        );
        return;
    }
    if auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        let body = error_body("this is not the instructor token of this class");
        answer(&mut stream, 401, "application/json", &body);
        return;
    }
    match path.as_str() {
        "/api/class" => {
            let json = serde_json::to_string(&shared.inner.lock().unwrap().state).unwrap();
            answer(&mut stream, 200, "application/json", &json);
        }
        "/api/stream" => stream_states(stream, shared),
        _ => answer(
            &mut stream,
            404,
            "application/json",
            &error_body("no such page"),
        ),
    }
}

/// Sends the state now and after every change, until the client goes or the server stops.
fn stream_states(mut stream: TcpStream, shared: &Shared) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut inner = shared.inner.lock().unwrap();
    inner.streams += 1;
    let mut sent: Option<u64> = None;
    loop {
        if inner.stopped {
            return;
        }
        if sent != Some(inner.state.version) {
            let json = serde_json::to_string(&inner.state).unwrap();
            // A comment line first, as servers send to keep a stream alive.
            let event = format!(": keep-alive\n\nevent: class\ndata: {json}\n\n");
            if stream.write_all(event.as_bytes()).is_err() {
                return;
            }
            sent = Some(inner.state.version);
        }
        inner = shared.changed.wait(inner).unwrap();
    }
}

/// A port nothing listens on (bound, then let go).
pub fn dead_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// 2026-01-05T09:00:00Z.
pub fn nine() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_603_600)
}

fn stamp(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// How a learner went through one step (or challenge).
#[derive(Clone, Copy, Debug)]
pub enum How {
    NotStarted,
    /// Passed after this many seconds (one failed check first).
    Passed(u64),
    /// This many checks over this many seconds, each failing on this condition.
    Failing(u32, u64, &'static str),
}

fn check(id: &str, outcome: Outcome) -> Vec<StepReport> {
    vec![StepReport {
        id: id.into(),
        title: format!("Do {id}"),
        status: outcome.status,
        outcomes: vec![outcome],
    }]
}

/// Records the checks `how` says of step `id` (of `challenge`, in a course), from `start`.
fn record_step(p: &mut Progress, challenge: Option<&str>, id: &str, how: How, start: SystemTime) {
    match how {
        How::NotStarted => p.record_in(challenge, &[], start, false),
        How::Passed(seconds) => {
            p.record_in(
                challenge,
                &check(id, Outcome::fail("done", "not yet")),
                start,
                true,
            );
            let at = start + Duration::from_secs(seconds);
            p.record_in(challenge, &check(id, Outcome::pass("done", "ok")), at, true);
        }
        How::Failing(checks, seconds, condition) => {
            for k in 1..=u64::from(checks) {
                let at = start + Duration::from_secs(seconds * k / u64::from(checks));
                p.record_in(
                    challenge,
                    &check(id, Outcome::fail(condition, "no")),
                    at,
                    true,
                );
            }
        }
    }
}

fn wrap(learner: &str, lesson: &str, progress: Progress) -> Record {
    Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: learner.into(),
        lesson: lesson.into(),
        exported_at: stamp(nine()),
        workspace_id: Some(format!("ws-{learner}")),
        progress,
    }
}

/// A learner's record of lesson `lesson`: its steps `(id, how)` in order.
pub fn lesson_record(learner: &str, lesson: &str, steps: &[(&str, How)]) -> Record {
    let mut p = Progress::new(lesson);
    for (id, how) in steps {
        record_step(&mut p, None, id, *how, nine());
        if matches!(how, How::NotStarted) {
            // Listed, never checked: as an export completes a lesson.
            p.steps.push(labrun::progress::StepProgress {
                id: id.to_string(),
                title: format!("Do {id}"),
                ..Default::default()
            });
        }
    }
    wrap(learner, lesson, p)
}

/// A learner's record of course `course`: its challenges `(slug, how)` in
/// order, each of one step `check`; a challenge after one not passed is locked.
pub fn course_record(learner: &str, course: &str, challenges: &[(&str, How)]) -> Record {
    let mut p = Progress::new(course);
    let mut clock = nine();
    let mut reachable = true;
    for (slug, how) in challenges {
        let title = format!("The {slug} challenge");
        if reachable && !matches!(how, How::NotStarted) {
            p.enter_challenge(slug, &title, clock);
            record_step(&mut p, Some(slug), "check", *how, clock);
        } else {
            p.challenge_mut(slug, &title).state = if reachable {
                ChallengeState::Open
            } else {
                ChallengeState::Locked
            };
        }
        match how {
            How::Passed(seconds) => {
                clock += Duration::from_secs(*seconds);
                p.finish_challenge(slug, &title, ChallengeState::Passed, clock);
            }
            _ => reachable = false,
        }
    }
    wrap(learner, course, p)
}

/// The class state of `records`, each learner named as their record;
/// `last_seen` seconds after 09:00 for each (None: never seen).
pub fn class_state(class: &str, records: &[(Record, Option<u64>)]) -> ClassState {
    ClassState {
        class: class.into(),
        generated_at: stamp(nine() + Duration::from_secs(3600)),
        version: 1,
        learners: records
            .iter()
            .enumerate()
            .map(|(i, (record, seen))| LearnerState {
                learner_id: format!("{}", i + 1),
                name: record.learner.clone(),
                joined_at: stamp(nine()),
                last_event_at: seen.map(|s| stamp(nine() + Duration::from_secs(s))),
                last_seen_at: seen.map(|s| stamp(nine() + Duration::from_secs(s))),
                events: 1,
                record: Some(record.clone()),
            })
            .collect(),
    }
}
