//! The class server's refusals, through the real binary: huge bodies and
//! batches (413), a runaway learner (429 + Retry-After), malformed events
//! and names (422/400, saying what is wrong) — each changing nothing — and
//! how it fails to start (a port in use: exit 2) or starts on a LAN.

mod support;

use labrun::checks::Status;
use labrun::class::protocol::{self, ErrorBody, MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH};
use support::class::{ClassServer, check_event};

fn error_of(response: reqwest::blocking::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: ErrorBody = response.json().expect("an ErrorBody");
    (status, body.error)
}

fn post_raw(server: &ClassServer, token: &str, body: Vec<u8>) -> reqwest::blocking::Response {
    server
        .client
        .post(server.url(protocol::EVENTS))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap()
}

#[test]
fn bad_input_is_refused_saying_what_is_wrong_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let ada = server.join("Ada");
    assert_eq!(
        server
            .post_events(&ada.token, &[check_event(1, "s", Status::Pass, &[])])
            .status(),
        200
    );
    let before = server.state();

    // A body over the limit.
    let mut huge = br#"{"events":[],"pad":""#.to_vec();
    huge.resize(MAX_BODY_BYTES + 10, b'x');
    huge.extend_from_slice(b"\"}");
    let (status, why) = error_of(post_raw(&server, &ada.token, huge));
    assert_eq!(status, 413, "{why}");
    assert!(why.contains("larger than"), "{why}");

    // Too many events in one batch.
    let many: Vec<_> = (1..=MAX_EVENTS_PER_BATCH as u64 + 1)
        .map(|seq| check_event(seq, "s", Status::Pass, &[]))
        .collect();
    let (status, why) = error_of(server.post_events(&ada.token, &many));
    assert_eq!(status, 413, "{why}");
    assert!(why.contains("at most 100 events"), "{why}");

    // Not JSON; JSON of the wrong shape (names the field).
    let (status, why) = error_of(post_raw(&server, &ada.token, b"{\"events\": [".to_vec()));
    assert_eq!(status, 400, "{why}");
    let (status, why) = error_of(post_raw(
        &server,
        &ada.token,
        br#"{"events":[{"id":"x"}]}"#.to_vec(),
    ));
    assert_eq!(status, 422, "{why}");
    assert!(why.contains("missing field"), "{why}");

    // A batch with one bad event is refused whole, naming the event.
    let good = check_event(2, "t", Status::Pass, &["s"]);
    let mut bad_id = check_event(3, "u", Status::Pass, &["s"]);
    bad_id.id = "not-hex".into();
    let (status, why) = error_of(server.post_events(&ada.token, &[good.clone(), bad_id]));
    assert_eq!(status, 422, "{why}");
    assert!(
        why.contains("event 2") && why.contains("32 hex digits"),
        "{why}"
    );
    let mut bad_time = good.clone();
    bad_time.at = "yesterday".into();
    let (status, why) = error_of(server.post_events(&ada.token, &[bad_time]));
    assert_eq!(status, 422, "{why}");
    assert!(why.contains("RFC 3339"), "{why}");
    let mut zero = good.clone();
    zero.seq = 0;
    assert_eq!(error_of(server.post_events(&ada.token, &[zero])).0, 422);

    // Names: too long, empty, control characters.
    for (name, says) in [
        ("x".repeat(81), "81 characters"),
        ("   ".to_string(), "empty"),
        ("Ada\u{1b}[2J".to_string(), "control characters"),
    ] {
        let (status, why) = error_of(server.try_join(&server.code(), &name));
        assert_eq!(status, 422, "{name:?}: {why}");
        assert!(why.contains(says), "{why}");
    }
    assert_eq!(
        server.try_join(&server.code(), &"é".repeat(80)).status(),
        201
    );

    let after = server.state();
    assert_eq!(after.learners.len(), 2, "only the good join");
    assert_eq!(
        after.learners[0], before.learners[0],
        "refusals changed Ada"
    );
    // The good event of the refused batch was not stored: it is new now.
    let ack: protocol::BatchAck = server.post_events(&ada.token, &[good]).json().unwrap();
    assert_eq!(ack.stored, 1);
}

#[test]
fn a_runaway_learner_is_slowed_down_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let ada = server.join("Ada");
    let bob = server.join("Bob");
    // Past the burst, requests come faster than they refill (5/s): a 429
    // comes however slow this machine is, unless one request takes 200 ms.
    let mut limited = None;
    for _ in 0..2000 {
        let response = server.post_events(&ada.token, &[]);
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("a 429 within 2000 requests");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let (_, why) = error_of(limited);
    assert!(why.contains("requests a second"), "{why}");
    // Another learner is not slowed down by Ada.
    assert_eq!(server.post_events(&bob.token, &[]).status(), 200);
}

#[test]
fn a_port_in_use_is_a_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let failed =
        ClassServer::try_start_args(dir.path(), &["class", "serve", "--listen", &addr], &[])
            .err()
            .expect("no server on a port in use");
    assert_eq!(failed.code, Some(2), "{failed:?}");
    assert!(failed.stderr.contains(&addr), "{failed:?}");
    assert!(
        failed.stderr.contains("choose another with --listen"),
        "{failed:?}"
    );
}

#[test]
fn a_bad_database_url_or_name_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let failed = ClassServer::try_start(dir.path(), &["--db", "mysql://u:secret@h/db"])
        .err()
        .unwrap();
    assert_eq!(failed.code, Some(2), "{failed:?}");
    assert!(
        failed.stderr.contains("sqlite://FILE or postgres://"),
        "{failed:?}"
    );
    assert!(!failed.stderr.contains("secret"), "{failed:?}");
    let failed = ClassServer::try_start(dir.path(), &["--name", ""])
        .err()
        .unwrap();
    assert_eq!(failed.code, Some(2), "{failed:?}");
    assert!(failed.stderr.contains("class name"), "{failed:?}");
}

#[test]
fn on_all_interfaces_it_prints_the_lan_addresses_learners_use() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::try_start_args(
        dir.path(),
        &["class", "serve", "--listen", "0.0.0.0:0"],
        &[],
    )
    .unwrap();
    let text = server.printed.join("\n");
    let joins: Vec<&str> = server
        .printed
        .iter()
        .filter_map(|l| l.trim().strip_prefix("labrun start --class "))
        .collect();
    assert!(!joins.is_empty(), "{text}");
    let lan = joins.iter().all(|u| !u.starts_with("http://127."));
    // A machine without a LAN address says so instead.
    assert!(lan || text.contains("no LAN address"), "{text}");
    // Every printed URL answers.
    for url in joins {
        let url = protocol::ClassUrl::parse(url).unwrap();
        let answer = server
            .client
            .get(format!("{}/join/{}", url.base, url.code.unwrap()))
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200, "{}", url.base);
    }
}
