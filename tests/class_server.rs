//! `labrun class serve` as an instructor and learners meet it: the real
//! binary in a fresh directory, real HTTP — joining, events, duplicates,
//! who may do what, restarts (also after kill -9), two classes in one
//! database, the live stream and the page's sign-in.

mod support;

use labrun::checks::Status;
use labrun::class::protocol::{self, BatchAck, ClassState, ErrorBody};
use std::io::{BufRead, BufReader};
use support::PATIENCE;
use support::class::{ClassServer, check_event, passed};

fn error_of(response: reqwest::blocking::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: ErrorBody = response.json().expect("an ErrorBody");
    (status, body.error)
}

#[test]
fn a_fresh_directory_serves_a_class_that_learners_join_and_report_to() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    // The defaults: class.db here, a class named "class".
    assert!(dir.path().join("class.db").is_file());
    let text = server.printed.join("\n");
    assert!(text.contains("Class \"class\" (created)"), "{text}");
    assert!(server.join_url.starts_with("http://127.0.0.1:"), "{text}");
    assert!(
        text.contains(&format!("class code {},", server.code())),
        "{text}"
    );
    let token = server
        .instructor_token
        .clone()
        .expect("the token, at creation");
    assert!(token.starts_with("lri_"), "{text}");
    assert_eq!(text.matches(&token).count(), 1, "printed once: {text}");
    // Remembered for `class watch` / `report URL` on this machine.
    let remembered =
        labrun::class::credentials::Credentials::in_dir(server.data_home.join("labrun"))
            .instructor_token(&server.base)
            .unwrap();
    assert_eq!(remembered.as_deref(), Some(token.as_str()));

    let ada = server.join("Ada");
    assert!(ada.token.starts_with("lrl_"));
    assert_eq!(ada.class, "class");
    let ack = server.post_events(&ada.token, &[check_event(1, "first", Status::Pass, &[])]);
    assert_eq!(ack.status(), 200);
    let ack: BatchAck = ack.json().unwrap();
    assert_eq!(
        ack,
        BatchAck {
            stored: 1,
            duplicates: 0
        }
    );

    let state = server.state();
    assert_eq!(state.class, "class");
    assert_eq!(state.learners.len(), 1);
    assert_eq!(state.learners[0].name, "Ada");
    assert_eq!(state.learners[0].events, 1);
    assert!(state.learners[0].last_seen_at.is_some());
    assert_eq!(passed(&state, "Ada"), ["first"]);
    // The record is the learner's as the class knows them.
    assert_eq!(state.records()[0].learner, "Ada");

    let (status, rest) = server.stop();
    assert!(status.success(), "{status:?}");
    let rest = rest.join("\n");
    assert!(rest.contains("stopped"), "{rest}");
    // Nothing after the start printed a token.
    assert!(!rest.contains("lri_") && !rest.contains("lrl_"), "{rest}");
    // Tokens are kept hashed: neither is anywhere in the database files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&token) && !text.contains(&ada.token),
                "{path:?}"
            );
        }
    }
}

#[test]
fn duplicates_are_acknowledged_and_change_nothing_and_the_highest_seq_wins() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let ada = server.join("Ada");
    let first = check_event(1, "first", Status::Pass, &[]);
    let second = check_event(2, "second", Status::Pass, &["first"]);
    let batch = [second.clone(), first.clone()];
    let ack: BatchAck = server.post_events(&ada.token, &batch).json().unwrap();
    assert_eq!(
        ack,
        BatchAck {
            stored: 2,
            duplicates: 0
        }
    );
    let before = server.state();
    // The same events again (a sender that did not hear the ack).
    let ack: BatchAck = server.post_events(&ada.token, &batch).json().unwrap();
    assert_eq!(
        ack,
        BatchAck {
            stored: 0,
            duplicates: 2
        }
    );
    let after = server.state();
    assert_eq!(after.version, before.version);
    assert_eq!(after.learners, before.learners);
    assert_eq!(after.learners[0].events, 2);
    // Seq 2 arrived before seq 1: the record of seq 2 is kept.
    assert_eq!(passed(&after, "Ada"), ["first", "second"]);
    // A late event of a lower seq is stored and counted, the record stays.
    let late = check_event(1, "first", Status::Fail, &[]);
    let ack: BatchAck = server.post_events(&ada.token, &[late]).json().unwrap();
    assert_eq!(ack.stored, 1);
    let state = server.state();
    assert_eq!(state.learners[0].events, 3);
    assert_eq!(passed(&state, "Ada"), ["first", "second"]);
}

#[test]
fn each_token_does_only_its_own_job() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let ada = server.join("Ada");
    let bob = server.join("Bob");
    let instructor = server.instructor();

    // Bob's token stores Bob's events, whatever the record says.
    let mut event = check_event(1, "first", Status::Pass, &[]);
    event.record.learner = "Ada".into();
    assert_eq!(server.post_events(&bob.token, &[event]).status(), 200);
    let state = server.state();
    assert_eq!(passed(&state, "Bob"), ["first"]);
    assert!(passed(&state, "Ada").is_empty());

    let event = check_event(1, "x", Status::Pass, &[]);
    let refused = [
        (server.code(), 401),
        (instructor.clone(), 403),
        ("lrl_0000".to_string(), 401),
        (String::new(), 401),
    ];
    for (token, status) in refused {
        let (got, why) = error_of(server.post_events(&token, std::slice::from_ref(&event)));
        assert_eq!(got, status, "{token:?}: {why}");
    }
    // An event id another learner stored cannot be taken over; the batch
    // it is in is refused whole.
    let bobs = check_event(2, "y", Status::Pass, &["first"]);
    assert_eq!(
        server
            .post_events(&bob.token, std::slice::from_ref(&bobs))
            .status(),
        200
    );
    let before = server.state();
    let mut stolen = bobs.clone();
    stolen.seq = 9;
    let fresh = check_event(1, "z", Status::Pass, &[]);
    let (got, why) = error_of(server.post_events(&ada.token, &[fresh, stolen]));
    assert_eq!(got, 409, "{why}");

    for path in [protocol::CLASS, protocol::STREAM, "/page/stream"] {
        let (got, why) = error_of(server.get(path, &ada.token));
        assert_eq!(got, 403, "{path}: {why}");
        let (got, why) = error_of(server.get(path, &server.code()));
        assert_eq!(got, 401, "{path}: {why}");
        let unauthenticated = server.client.get(server.url(path)).send().unwrap();
        assert_eq!(unauthenticated.status(), 401, "{path}");
    }
    // The join code only joins: a wrong one joins nothing.
    let (got, why) = error_of(server.try_join("nope-nope-nope", "Eve"));
    assert_eq!(got, 404, "{why}");
    assert!(why.contains("join URL"), "{why}");
    let (got, _) = error_of(server.try_join(&instructor, "Eve"));
    assert_eq!(got, 404);

    let after = server.state();
    assert_eq!(after.version, before.version, "refusals changed the class");
    assert_eq!(after.learners, before.learners);
}

#[test]
fn a_restart_keeps_the_class_even_after_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let code = server.code();
    let token = server.instructor_token.clone().unwrap();
    let ada = server.join("Ada");
    let ack = server.post_events(&ada.token, &[check_event(1, "first", Status::Pass, &[])]);
    assert_eq!(ack.status(), 200);
    let (status, _) = server.terminate();
    assert!(status.success(), "SIGTERM ends it cleanly: {status:?}");

    let server = ClassServer::start(dir.path(), &[]);
    let text = server.printed.join("\n");
    assert_eq!(server.code(), code, "{text}");
    assert!(text.contains("resumed, 1 learner)"), "{text}");
    // Remembered on this machine: the dashboard URL opens the class again.
    assert_eq!(
        server.instructor_token.as_deref(),
        Some(token.as_str()),
        "{text}"
    );
    assert_eq!(text.matches(&token).count(), 1, "printed once: {text}");
    // The token remembered at creation works under the new port too.
    assert_eq!(server.instructor(), token);
    // The learner's token still works.
    let ack = server.post_events(
        &ada.token,
        &[check_event(2, "second", Status::Pass, &["first"])],
    );
    assert_eq!(ack.status(), 200);
    // kill -9 right after the ack: an acknowledged event is on disk.
    let data_home = server.data_home.clone();
    server.kill_9();

    // Started where the token is not remembered: the URL cannot carry it.
    std::fs::remove_file(data_home.join("labrun/classes.json")).unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let text = server.printed.join("\n");
    assert!(server.instructor_token.is_none(), "{text}");
    assert!(
        text.contains("the token printed when the class was created"),
        "{text}"
    );
    assert!(!text.contains(&token), "{text}");
    let state = server
        .get(labrun::class::protocol::CLASS, &token)
        .json::<labrun::class::protocol::ClassState>()
        .unwrap();
    assert_eq!(state.learners.len(), 1);
    assert_eq!(state.learners[0].events, 2);
    assert_eq!(passed(&state, "Ada"), ["first", "second"]);
}

#[test]
fn two_classes_in_one_database_see_nothing_of_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let a = ClassServer::start(dir.path(), &["--name", "morning"]);
    let b = ClassServer::start(dir.path(), &["--name", "afternoon"]);
    assert_ne!(a.code(), b.code());
    let ada = a.join("Ada");
    assert_eq!(
        a.post_events(&ada.token, &[check_event(1, "s", Status::Pass, &[])])
            .status(),
        200
    );

    assert_eq!(error_of(b.try_join(&a.code(), "Eve")).0, 404);
    let event = check_event(1, "s", Status::Pass, &[]);
    assert_eq!(
        error_of(b.post_events(&ada.token, std::slice::from_ref(&event))).0,
        401
    );
    assert_eq!(error_of(b.get(protocol::CLASS, &a.instructor())).0, 401);
    assert_eq!(error_of(a.get(protocol::CLASS, &b.instructor())).0, 401);
    let state = b.state();
    assert_eq!(state.class, "afternoon");
    assert!(state.learners.is_empty());
    assert_eq!(a.state().learners.len(), 1);
}

/// Reads server-sent events until one named `name` whose data satisfies `want`.
fn read_until(lines: &mut impl BufRead, name: &str, want: impl Fn(&str) -> bool) -> String {
    let mut event = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = lines
            .read_line(&mut line)
            .expect("the stream within PATIENCE");
        assert!(n > 0, "the stream ended");
        let line = line.trim_end();
        if let Some(e) = line.strip_prefix("event: ") {
            event = e.to_string();
        } else if let Some(data) = line.strip_prefix("data: ")
            && event == name
            && want(data)
        {
            return data.to_string();
        }
    }
}

#[test]
fn the_stream_and_the_page_show_a_check_as_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let ada = server.join("Ada");
    let stream = server.get(protocol::STREAM, &server.instructor());
    assert_eq!(stream.status(), 200);
    let mut lines = BufReader::new(stream);
    let first = read_until(&mut lines, "class", |_| true);
    let first: ClassState = serde_json::from_str(&first).unwrap();
    assert_eq!(first.learners.len(), 1);

    // The page: /?token= signs in once and sends the browser to /.
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let token = server.instructor();
    let sign_in = browser
        .get(server.url(&format!("/?token={token}")))
        .send()
        .unwrap();
    assert_eq!(sign_in.status(), 303);
    assert_eq!(sign_in.headers()["location"], "/");
    let cookie = sign_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let board = browser
        .get(server.url("/page/stream"))
        .header("cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(board.status(), 200);
    let mut board = BufReader::new(board);
    read_until(&mut board, "board", |d| d.contains("Ada"));

    let ack = server.post_events(
        &ada.token,
        &[check_event(1, "first-step", Status::Pass, &[])],
    );
    assert_eq!(ack.status(), 200);
    let changed = read_until(&mut lines, "class", |d| d.contains("first-step"));
    let changed: ClassState = serde_json::from_str(&changed).unwrap();
    assert!(changed.version > first.version);
    assert_eq!(passed(&changed, "Ada"), ["first-step"]);
    read_until(&mut board, "board", |d| d.contains("first-step"));

    let page = browser
        .get(server.url("/"))
        .header("cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("first-step"));
    let wrong = browser.get(server.url("/?token=lri_wrong")).send().unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    // A stop ends the streams: the server exits, it does not hang on them.
    let (status, _) = server.stop();
    assert!(status.success());
}
