//! The class's web page in a real headless Chromium (Debian's chromium,
//! driven over the DevTools pipe): the board a browser shows changes when a
//! `board` event comes — without reloading — says "reconnecting…" while the
//! stream is down, keeps itself current by reloading when JavaScript is off,
//! and, end to end, the real `labrun class serve` shows a learner's check
//! on the page opened with the URL it printed.
//!
//! The first tests serve the page themselves (a small HTTP server on a
//! loopback port that sends `render_board` of whatever state the test sets),
//! so they prove the browser harness and the page's script apart from the
//! class server. Where no Chromium is installed each test says SKIPPED.

mod support;

use labrun::checks::Status;
use labrun::class::protocol::{ClassState, LearnerState};
use labrun::class::server::page::{render_board, render_page};
use labrun::progress::{Condition, Progress, StepProgress};
use labrun::report::{RECORD_KIND, RECORD_SCHEMA, Record};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};
use support::chromium::Chromium;
use support::class::{ClassServer, check_event};

/// What the test's server serves, and whether its stream is down.
struct Served {
    state: ClassState,
    down: bool,
    /// Boards are rendered as of this long ago (a board the server cached).
    board_age: Duration,
}

/// `GET /` → `render_page`; `GET /page/stream` → `event: board` with
/// `render_board` at once and after every [`PageServer::set`].
struct PageServer {
    base: String,
    served: Arc<(Mutex<Served>, Condvar)>,
    page_loads: Arc<AtomicUsize>,
}

impl PageServer {
    fn start(state: ClassState) -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new((
            Mutex::new(Served {
                state,
                down: false,
                board_age: Duration::ZERO,
            }),
            Condvar::new(),
        ));
        let page_loads = Arc::new(AtomicUsize::new(0));
        let (shared, loads) = (Arc::clone(&served), Arc::clone(&page_loads));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (shared, loads) = (Arc::clone(&shared), Arc::clone(&loads));
                std::thread::spawn(move || answer(stream, &shared, &loads));
            }
        });
        PageServer {
            base,
            served,
            page_loads,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn change(&self, how: impl FnOnce(&mut Served)) {
        let (lock, changed) = &*self.served;
        how(&mut lock.lock().unwrap());
        changed.notify_all();
    }

    /// The class is now `state`: every open stream sends its board.
    fn set(&self, state: ClassState) {
        self.change(|s| s.state = state);
    }

    /// Streams end and new ones are refused (closed unanswered) while down.
    fn set_down(&self, down: bool) {
        self.change(|s| s.down = down);
    }
}

fn answer(mut stream: TcpStream, served: &(Mutex<Served>, Condvar), loads: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(n) if n > 2 => continue,
            _ => break,
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let (lock, changed) = served;
    match path {
        "/" => {
            loads.fetch_add(1, Ordering::SeqCst);
            let page = render_page(&lock.lock().unwrap().state, SystemTime::now());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
        "/page/stream" => {
            let mut sent: Option<ClassState> = None;
            let mut served = lock.lock().unwrap();
            if served.down {
                return;
            }
            // `retry`: the browser's reconnect delay, short for the test.
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                        cache-control: no-store\r\n\r\nretry: 200\n\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            loop {
                if served.down {
                    return;
                }
                if sent.as_ref() != Some(&served.state) {
                    let board = render_board(&served.state, SystemTime::now() - served.board_age);
                    let data: String = board.lines().map(|l| format!("data: {l}\n")).collect();
                    if write!(stream, "event: board\n{data}\n").is_err() {
                        return;
                    }
                    sent = Some(served.state.clone());
                }
                served = changed.wait(served).unwrap();
            }
        }
        _ => {
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    }
}

fn now_stamp() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// A learner of the lesson `first-steps` whose step `one` has `status`.
fn learner(name: &str, status: Status, attempts: u32) -> LearnerState {
    let now = now_stamp();
    let passed = status == Status::Pass;
    let mut progress = Progress::new("first-steps");
    progress.steps = vec![
        StepProgress {
            id: "one".into(),
            title: "Write hello.txt".into(),
            status: Some(status),
            attempts,
            first_checked_at: Some(now.clone()),
            first_passed_at: passed.then(|| now.clone()),
            seconds_to_pass: passed.then_some(95),
            last_checked_at: Some(now.clone()),
            conditions: vec![Condition {
                name: "hello.txt exists".into(),
                status,
            }],
            ..StepProgress::default()
        },
        StepProgress {
            id: "two".into(),
            title: "Say hello".into(),
            ..StepProgress::default()
        },
    ];
    LearnerState {
        learner_id: format!("id-{name}"),
        name: name.into(),
        joined_at: now.clone(),
        last_event_at: Some(now.clone()),
        last_seen_at: Some(now.clone()),
        events: 1,
        record: Some(Record {
            schema: RECORD_SCHEMA,
            kind: RECORD_KIND.into(),
            learner: name.into(),
            lesson: "first-steps".into(),
            exported_at: now,
            workspace_id: None,
            progress,
        }),
    }
}

fn class(version: u64, learners: Vec<LearnerState>) -> ClassState {
    ClassState {
        class: "Helm workshop".into(),
        generated_at: now_stamp(),
        version,
        learners,
    }
}

/// What the browser shows: the page's text, and each table row as
/// `cell | cell | …` (its header cell first).
struct View {
    text: String,
    rows: Vec<String>,
}

const VIEW: &str = "({text: document.body ? document.body.innerText : '', \
    rows: Array.from(document.querySelectorAll('#board tbody tr'), r => \
      Array.from(r.cells, c => c.innerText.replace(/\\s+/g, ' ').trim()).join(' | '))})";

impl View {
    fn of(value: &serde_json::Value) -> View {
        View {
            text: value["text"].as_str().unwrap_or_default().to_string(),
            rows: value["rows"]
                .as_array()
                .map(|rows| {
                    let cells = rows.iter().filter_map(|r| r.as_str());
                    cells.map(str::to_string).collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The row of `name`.
    fn row(&self, name: &str) -> Option<&str> {
        let head = format!("{name} | ");
        self.rows
            .iter()
            .find(|r| r.starts_with(&head))
            .map(String::as_str)
    }
}

/// Polls what the browser shows until `pred` holds (see [`Chromium::wait_for`]).
fn wait_for_view(browser: &mut Chromium, what: &str, pred: impl Fn(&View) -> bool) -> View {
    View::of(&browser.wait_for(what, VIEW, |v| pred(&View::of(v))))
}

#[test]
fn a_check_appears_on_the_page_without_reloading() {
    let Some(mut browser) = Chromium::launch_or_skip("class_page::a_check_appears…") else {
        return;
    };
    let server = PageServer::start(class(1, vec![learner("Ada", Status::Fail, 2)]));
    browser.open(&server.url("/"));
    let view = wait_for_view(&mut browser, "Ada failing step 1, live", |v| {
        v.row("Ada") == Some("Ada | ✗ 2 hello.txt exists | · | 0/2") && v.text.contains("live")
    });
    assert!(view.text.contains("Helm workshop"), "{}", view.text);
    // A mark that a reload would wipe out.
    browser.eval("window.sameDocument = true").unwrap();
    server.set(class(
        2,
        vec![
            learner("Ada", Status::Pass, 3),
            learner("Grace", Status::Fail, 1),
        ],
    ));
    let view = wait_for_view(&mut browser, "Ada passed and Grace's first check", |v| {
        v.row("Ada") == Some("Ada | ✓ 1m | · | 1/2")
            && v.row("Grace") == Some("Grace | ✗ 1 hello.txt exists | · | 0/2")
    });
    assert!(
        view.text.contains("Passed / started\t1/2 ~1m\t0/0"),
        "class totals per step: {}",
        view.text
    );
    assert_eq!(
        browser.eval("window.sameDocument === true").unwrap(),
        serde_json::json!(true),
        "the page was reloaded"
    );
    assert_eq!(server.page_loads.load(Ordering::SeqCst), 1);
}

#[test]
fn the_page_says_reconnecting_while_the_stream_is_down_and_catches_up() {
    let Some(mut browser) = Chromium::launch_or_skip("class_page::the_page_says_reconnecting…")
    else {
        return;
    };
    let server = PageServer::start(class(1, vec![learner("Ada", Status::Fail, 1)]));
    browser.open(&server.url("/"));
    browser.wait_for_text("live", |t| t.contains("live") && t.contains("Ada"));
    server.set_down(true);
    browser.wait_for_text("reconnecting…", |t| t.contains("reconnecting…"));
    server.set(class(2, vec![learner("Ada", Status::Pass, 2)]));
    server.set_down(false);
    wait_for_view(
        &mut browser,
        "the board sent after the stream is back",
        |v| v.text.contains("live") && v.row("Ada").is_some_and(|r| r.contains("✓")),
    );
    assert_eq!(server.page_loads.load(Ordering::SeqCst), 1);
}

#[test]
fn without_javascript_the_page_reloads_itself() {
    let Some(mut browser) = Chromium::launch_or_skip("class_page::without_javascript…") else {
        return;
    };
    let server = PageServer::start(class(1, vec![learner("Ada", Status::Fail, 1)]));
    browser.open("about:blank");
    browser
        .call(
            "Emulation.setScriptExecutionDisabled",
            serde_json::json!({"value": true}),
        )
        .unwrap();
    browser
        .call("Page.navigate", serde_json::json!({"url": server.url("/")}))
        .unwrap();
    let text = browser.wait_for_text("the board, no script", |t| t.contains("Ada"));
    assert!(text.contains("updated every 10 s"), "{text}");
    assert!(!text.contains("live"), "{text}");
    server.set(class(2, vec![learner("Ada", Status::Pass, 2)]));
    wait_for_view(&mut browser, "the board after a reload", |v| {
        v.row("Ada").is_some_and(|r| r.contains("✓"))
    });
    assert!(server.page_loads.load(Ordering::SeqCst) >= 2);
}

#[test]
fn idle_learners_are_marked_by_the_time_the_page_shows_them() {
    let Some(mut browser) = Chromium::launch_or_skip("class_page::idle_learners…") else {
        return;
    };
    let mut quiet = learner("Linus", Status::Fail, 1);
    let ten_minutes_ago = SystemTime::now() - Duration::from_secs(600);
    quiet.last_seen_at = Some(humantime::format_rfc3339_seconds(ten_minutes_ago).to_string());
    let server = PageServer::start(class(1, vec![learner("Ada", Status::Fail, 1)]));
    browser.open(&server.url("/"));
    wait_for_view(&mut browser, "nobody idle", |v| {
        v.text.contains("0 idle") && v.text.contains("Nobody.") && v.text.contains("live")
    });
    // A board made ten minutes ago (as a server caches one per version)
    // says Linus was just seen; the page tells by its own time.
    server.change(|s| s.board_age = Duration::from_secs(600));
    server.set(class(2, vec![learner("Ada", Status::Fail, 1), quiet]));
    let view = wait_for_view(&mut browser, "Linus idle", |v| {
        v.text.contains("1 idle") && v.row("Linus idle").is_some()
    });
    assert!(view.text.contains("Linus 10m"), "{}", view.text);
    assert!(!view.text.contains("Nobody."), "{}", view.text);
    assert!(
        view.row("Ada").is_some(),
        "Ada is not idle: {:?}",
        view.rows
    );
}

#[test]
fn the_real_class_server_shows_a_learners_check_on_the_page() {
    let Some(mut browser) = Chromium::launch_or_skip("class_page::the_real_class_server…") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    // The dashboard URL exactly as `labrun class serve` printed it.
    let dashboard = server
        .printed
        .iter()
        .flat_map(|l| l.split_whitespace())
        .find(|w| w.contains("/?token="))
        .expect("a dashboard URL")
        .to_string();
    browser.open(&dashboard);
    browser.wait_for_text("the empty class, live", |t| {
        t.contains("No learner has joined yet.") && t.contains("live")
    });
    // The token went into a cookie and out of the address bar.
    let address = browser.eval("location.href").unwrap();
    assert_eq!(address, serde_json::json!(server.url("/")));
    let ada = server.join("Ada");
    browser.wait_for_text("Ada joined", |t| t.contains("Joined, nothing checked yet"));
    let mut failed = check_event(1, "one", Status::Fail, &[]);
    failed.record.progress.steps[0].conditions = failed.conditions.clone();
    assert_eq!(server.post_events(&ada.token, &[failed]).status(), 200);
    wait_for_view(&mut browser, "Ada's failing check", |v| {
        v.row("Ada") == Some("Ada | ✗ 1 file exists | 0/1")
    });
    let passed = check_event(2, "one", Status::Pass, &[]);
    assert_eq!(server.post_events(&ada.token, &[passed]).status(), 200);
    let view = wait_for_view(&mut browser, "Ada's pass", |v| {
        v.row("Ada") == Some("Ada | ✓ 0s | 1/1")
    });
    assert!(view.text.contains("1 Step one"), "{}", view.text);
    assert!(view.text.contains("Nobody is stuck."), "{}", view.text);
}
