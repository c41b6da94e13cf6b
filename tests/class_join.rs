//! A learner joins a class: `labrun class join URL` and `labrun start
//! --class URL`, events queued from every progress write and delivered to a
//! stand-in class server (`support::fake_class`) — when it is down, failing
//! or rate-limiting too — through the real binary in fresh workspaces.

mod support;

use labrun::class::protocol::{Event, EventKind};
use std::path::Path;
use support::fake_class::{FakeClass, Mode, nobody_there};
use support::{labrun, wait_until};

/// The events queued in the workspace, in order.
fn queued(ws: &Path) -> Vec<Event> {
    let text = std::fs::read_to_string(ws.join(".labrun/class/queue.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn join(ws: &Path, url: &str) -> std::process::Output {
    labrun()
        .current_dir(ws)
        .args(["class", "join", url, "--name", "Ada"])
        .output()
        .unwrap()
}

fn check(ws: &Path) -> std::process::Output {
    labrun().current_dir(ws).arg("check").output().unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_joined_workspace_sends_its_standing_then_each_check() {
    let class = FakeClass::start();
    let (_tmp, ws) = support::workspace();
    // Work before joining: the class hears where the learner stands.
    assert_eq!(check(&ws).status.code(), Some(1));
    let out = join(&ws, &class.join_url());
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Joined class \"workshop\""), "{said}");
    assert!(
        !said.contains(&class.token()),
        "the token is printed: {said}"
    );
    let joins = class.received(|r| r.joins.clone());
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].name, "Ada");
    assert_eq!(joins[0].lesson, "proxying-private-images");
    assert_eq!(joins[0].workspace_id.len(), 16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ws.join(".labrun/class.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let standing = class.received(|r| r.events.clone());
    assert_eq!(standing.len(), 1, "the standing so far, once");
    assert_eq!(standing[0].seq, 1);
    assert!(
        standing[0]
            .record
            .progress
            .steps
            .iter()
            .any(|s| s.attempts == 1),
        "the record shows the check made before joining"
    );

    let out = check(&ws);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("warning"), "{}", text(&out));
    let events = class.received(|r| r.events.clone());
    let checks: Vec<&Event> = events.iter().filter(|e| e.seq > 1).collect();
    assert!(!checks.is_empty(), "the check was delivered");
    assert!(checks.iter().all(|e| e.kind == EventKind::Check));
    let first = checks[0];
    assert!(first.step.is_some() && first.status.is_some(), "{first:?}");
    assert!(!first.conditions.is_empty(), "{first:?}");
    assert!(first.record.progress.steps.iter().any(|s| s.attempts == 2));
    // Numbered in order, as queued; every queued event delivered once.
    let seqs: Vec<u64> = queued(&ws).iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(class.received(|r| r.distinct_ids()), seqs.len());
    assert!(class.received(|r| r.resent_after_ack.is_empty()));
    // A hint is an event too.
    let out = labrun()
        .current_dir(&ws)
        .args(["hint", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let last = class.received(|r| r.events.last().cloned()).unwrap();
    assert_eq!(last.kind, EventKind::Hint);
}

#[test]
fn joining_again_keeps_the_class_and_another_url_says_which_it_leaves() {
    let class = FakeClass::start();
    let (_tmp, ws) = support::workspace();
    assert!(join(&ws, &class.join_url()).status.success());
    let out = join(&ws, &class.join_url());
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("already"), "{}", text(&out));
    assert_eq!(class.received(|r| r.joins.len()), 1, "idempotent");

    let other = FakeClass::start();
    let out = join(&ws, &other.join_url());
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&format!("Left class \"workshop\" at {}", class.base)),
        "{said}"
    );
    let saved = std::fs::read_to_string(ws.join(".labrun/class.json")).unwrap();
    assert!(saved.contains(&other.base), "{saved}");
}

#[test]
fn a_server_that_cannot_be_reached_is_said_and_nothing_is_saved() {
    let (_tmp, ws) = support::workspace();
    let out = join(&ws, &nobody_there());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("could not reach the class server at http://127.0.0.1:"),
        "{}",
        text(&out)
    );
    assert!(!ws.join(".labrun/class.json").exists());
    // A base URL without a code says what is wanted.
    let out = join(&ws, "http://127.0.0.1:9");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("/join/<code>"), "{}", text(&out));
}

#[test]
fn events_queued_while_the_server_is_down_are_delivered_once_when_it_is_back() {
    let class = FakeClass::start();
    let (_tmp, ws) = support::workspace();
    assert!(join(&ws, &class.join_url()).status.success());
    for mode in [Mode::Down, Mode::Failing, Mode::TooMany(30)] {
        class.set(mode);
        let out = check(&ws);
        assert_eq!(out.status.code(), Some(1), "{mode:?}: {}", text(&out));
        assert!(
            text(&out).contains("class events kept to send later"),
            "{mode:?}: {}",
            text(&out)
        );
    }
    let during = class.received(|r| r.distinct_ids());
    let queued_now = queued(&ws).len();
    assert!(queued_now > during, "events were kept");
    class.set(Mode::Up);
    let out = check(&ws);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = queued(&ws);
    assert_eq!(class.received(|r| r.distinct_ids()), all.len());
    assert!(class.received(|r| r.resent_after_ack.is_empty()));
    // The server saw the 429 and the failures, never the token in a body.
    let token = class.token();
    let raw = class.received(|r| r.raw.clone());
    assert!(
        raw.iter()
            .all(|r| !r.split("\r\n\r\n").nth(1).unwrap_or("").contains(&token))
    );
}

const SECRET_LESSON: &str = r#"
[[variables]]
name = "TOKEN"
description = "A token"
secret = true
generate = "{token}"

[[steps]]
id = "note"
title = "Keep the token ${TOKEN} in notes.txt"
section = "Do it"
hint = "The token is ${TOKEN}."

[[steps.checks]]
name = "notes.txt holds ${TOKEN}"
kind = "text"
file = "notes.txt"
expected = "${TOKEN}\n"
"#;

#[test]
fn a_workspace_secret_never_reaches_the_queue_nor_the_server() {
    let class = FakeClass::start();
    let tmp = tempfile::tempdir().unwrap();
    let lesson = tmp.path().join("lesson");
    std::fs::create_dir_all(&lesson).unwrap();
    std::fs::write(
        lesson.join("assignment.md"),
        "---\nslug: secrets\ntitle: Secrets\n---\n# Do it\n",
    )
    .unwrap();
    std::fs::write(lesson.join("lesson.toml"), SECRET_LESSON).unwrap();
    let ws = tmp.path().join("lab");
    assert!(
        labrun()
            .arg("init")
            .arg(&lesson)
            .arg(&ws)
            .output()
            .unwrap()
            .status
            .success()
    );
    let token = support::workspace_var(&ws, "TOKEN");
    assert!(join(&ws, &class.join_url()).status.success());
    std::fs::write(ws.join("notes.txt"), "nothing yet\n").unwrap();
    assert_eq!(check(&ws).status.code(), Some(1));
    std::fs::write(ws.join("notes.txt"), format!("{token}\n")).unwrap();
    assert_eq!(check(&ws).status.code(), Some(0));
    let out = labrun()
        .current_dir(&ws)
        .args(["hint", "note"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let queue = std::fs::read_to_string(ws.join(".labrun/class/queue.jsonl")).unwrap();
    assert!(!queue.is_empty());
    assert!(!queue.contains(&token), "{queue}");
    let raw = class.received(|r| r.raw.join("\n"));
    assert!(raw.contains("\"kind\":\"hint\""), "{raw}");
    assert!(!raw.contains(&token), "{raw}");
    wait_until("every event delivered", || {
        class.received(|r| r.distinct_ids()) == queued(&ws).len()
    });
}
