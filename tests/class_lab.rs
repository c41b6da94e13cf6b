//! The lab in a class: `labrun start --class URL` in a fresh directory, in
//! a real terminal; the lab starts whether or not the class server answers,
//! joins in the background, and a check in the lab reaches the server.

mod support;

use labrun::class::protocol::EventKind;
use support::fake_class::{FakeClass, Mode};
use support::lab::{Lab, Options};
use support::terminal::{Spawn, Terminal};
use support::wait_until;

/// F5: check the current step.
const CHECK: &[u8] = b"\x1b[15~";

#[test]
fn start_with_a_class_joins_in_the_background_and_a_check_reaches_it() {
    let class = FakeClass::start();
    // Down at first: the lab starts anyway and joins when it is back.
    class.set(Mode::Down);
    let tmp = tempfile::tempdir().unwrap();
    let url = class.join_url();
    let term = Terminal::spawn(
        Spawn::labrun(tmp.path(), &["start", "--class", &url])
            .env("SHELL", "/bin/sh")
            .env("HOME", tmp.path())
            .env("USER", "grace"),
    );
    term.wait_for("the lesson title", |s| {
        s.contains("Proxying Private Images")
    });
    let mut term = term;
    term.type_keys(CHECK);
    let ws = tmp.path().join("proxying-private-images");
    wait_until("the check is queued", || {
        std::fs::read_to_string(ws.join(".labrun/class/queue.jsonl"))
            .is_ok_and(|q| q.contains("\"check\""))
    });
    assert_eq!(class.received(|r| r.joins.len()), 0);
    class.set(Mode::Up);
    wait_until("the check reaches the class", || {
        class.received(|r| {
            r.events
                .iter()
                .any(|e| e.kind == EventKind::Check && e.step.is_some())
        })
    });
    let joins = class.received(|r| r.joins.clone());
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].name, "grace");
    let event = class
        .received(|r| r.events.iter().find(|e| e.step.is_some()).cloned())
        .unwrap();
    assert_eq!(event.record.lesson, "proxying-private-images");
    assert!(
        event
            .record
            .progress
            .steps
            .iter()
            .any(|s| s.status.is_some())
    );
    // Another check, delivered promptly by the running sender.
    let before = class.received(|r| r.events.len());
    term.type_keys(CHECK);
    wait_until("the second check reaches the class", || {
        class.received(|r| r.events.len()) > before
    });
    // The token is never on screen, and the lab quits without waiting on the network.
    class.set(Mode::Slow(std::time::Duration::from_secs(600)));
    term.type_keys(CHECK);
    assert!(!term.screen().contains(&class.token()));
    term.quit();
    assert!(!term.raw_output().contains(&class.token()));
    assert!(class.received(|r| r.resent_after_ack.is_empty()));
}

#[test]
fn a_check_in_a_joined_labs_shell_is_sent_by_the_lab() {
    let class = FakeClass::start();
    let (_tmp, ws) = support::workspace();
    let out = support::labrun()
        .current_dir(&ws)
        .args(["class", "join", &class.join_url()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut lab = Lab::start_with(Options {
        workspace: Some(ws.clone()),
        ..Options::default()
    });
    let before = class.received(|r| r.events.len());
    lab.run_in_shell("labrun check >/dev/null 2>&1; echo checked-$((40+2))");
    lab.wait_for("the check ran", |s| s.contains("checked-42"));
    wait_until("the shell's check reaches the class", || {
        class.received(|r| r.events.len()) > before
    });
    lab.quit();
    let queued = std::fs::read_to_string(ws.join(".labrun/class/queue.jsonl")).unwrap();
    assert_eq!(class.received(|r| r.distinct_ids()), queued.lines().count());
}

#[test]
fn the_labs_sender_waits_as_long_as_a_429_says() {
    let class = FakeClass::start();
    let (_tmp, ws) = support::workspace();
    let out = support::labrun()
        .current_dir(&ws)
        .args(["class", "join", &class.join_url()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    class.set(Mode::TooMany(2));
    let mut lab = Lab::start_with(Options {
        workspace: Some(ws.clone()),
        ..Options::default()
    });
    lab.type_keys(CHECK);
    wait_until("a 429", || {
        class.received(|r| r.event_requests.iter().any(|(_, s)| *s == 429))
    });
    class.set(Mode::Up);
    wait_until("the check is delivered", || {
        class.received(|r| r.event_requests.iter().any(|(_, s)| *s == 200))
    });
    let requests = class.received(|r| r.event_requests.clone());
    // Every request after a 429 came no sooner than its Retry-After.
    for pair in requests.windows(2) {
        if pair[0].1 == 429 {
            let gap = pair[1].0 - pair[0].0;
            assert!(gap >= std::time::Duration::from_secs(2), "{gap:?}");
        }
    }
    lab.quit();
}
