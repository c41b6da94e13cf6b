//! `labrun class watch URL`, the real binary in a real pseudo-terminal
//! against a stand-in class server (`support/fake_class_server.rs`): the
//! dashboard shows the class, shows a learner's pass when the server pushes
//! it, `q` quits and gives the terminal back; a server that is down is shown
//! as reconnecting and the dashboard picks the class up when it comes; a
//! refused or missing token exits 2 saying why; SIGTERM restores the terminal.

#[path = "support/fake_class_server.rs"]
mod fake_class_server;
mod support;

use fake_class_server::{FakeClassServer, How, TOKEN, class_state, lesson_record};
use labrun::report::Record;
use std::path::Path;
use support::terminal::{Spawn, Terminal};

fn ada(first: How) -> Record {
    lesson_record(
        "ada",
        "demo",
        &[
            ("one", first),
            ("two", How::NotStarted),
            ("three", How::NotStarted),
        ],
    )
}

fn watch(dir: &Path, base: &str, token: &str) -> Terminal {
    Terminal::spawn(
        Spawn::labrun(dir, &["class", "watch", base])
            .size(24, 80)
            .env("XDG_DATA_HOME", dir)
            .env("LABRUN_CLASS_TOKEN", token),
    )
}

/// The screen's row that starts with `name`.
fn row_of(term: &Terminal, name: &str) -> Option<String> {
    term.rows().into_iter().find(|r| r.starts_with(name))
}

#[test]
fn the_dashboard_shows_a_pass_the_moment_the_server_has_it_and_q_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let grace = lesson_record(
        "grace",
        "demo",
        &[
            ("one", How::Passed(60)),
            ("two", How::Passed(30)),
            ("three", How::Passed(10)),
        ],
    );
    let server = FakeClassServer::start(class_state(
        "room-1",
        &[
            (ada(How::Failing(3, 600, "the file exists")), Some(3500)),
            (grace.clone(), Some(3590)),
        ],
    ));
    let mut term = watch(dir.path(), &server.base, TOKEN);
    term.wait_for("the class", |s| {
        s.contains("room-1 · 2 joined") && s.contains("● live")
    });
    let row = row_of(&term, "ada").unwrap();
    assert!(row.contains("✗ 3"), "{row}");
    assert!(term.shows("“the file exists”"), "{}", term.screen());
    assert!(term.alternate_screen());
    support::wait_until("the stream to connect", || server.streams() >= 1);
    server.set_state(class_state(
        "room-1",
        &[(ada(How::Passed(600)), Some(3600)), (grace, Some(3590))],
    ));
    term.wait_for("ada's pass", |_| {
        row_of(&term, "ada").is_some_and(|r| r.contains("✓ 10m") && r.contains("1/3"))
    });
    assert!(term.shows("Stuck: nobody"), "{}", term.screen());
    term.type_keys(b"?");
    term.wait_for("the help", |s| s.contains("any key closes"));
    term.type_keys(b"s");
    term.wait_for("the help closed", |s| !s.contains("any key closes"));
    term.type_keys(b"q");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    assert!(
        !term.alternate_screen(),
        "the terminal was left on the dashboard"
    );
    assert!(!term.raw_output().contains(TOKEN));
}

#[test]
fn a_server_that_is_down_shows_reconnecting_and_sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let dead = fake_class_server::dead_base();
    let mut term = watch(dir.path(), &dead, TOKEN);
    term.wait_for("reconnecting", |s| {
        s.contains("reconnecting…") && s.contains("/api/")
    });
    let pid = term.child.process_id().unwrap();
    let pid = i32::try_from(pid).unwrap();
    // SAFETY: a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    assert_eq!(term.wait_exit(), 143, "{}", term.screen());
    assert!(!term.alternate_screen());
}

#[test]
fn a_refused_token_exits_2_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeClassServer::start(class_state("room-1", &[]));
    let mut term = watch(dir.path(), &server.base, "lri_wrong");
    assert_eq!(term.wait_exit(), 2, "{}", term.screen());
    let screen = term.screen();
    assert!(
        screen.contains(&format!("the instructor token for {} was", server.base)),
        "{screen}"
    );
    assert!(!screen.contains("lri_wrong"), "{screen}");
    assert!(!term.alternate_screen());
}

#[test]
fn no_token_exits_2_saying_both_ways_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::labrun_std()
        .args(["class", "watch", "http://127.0.0.1:9"])
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("LABRUN_CLASS_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("labrun class serve"), "{stderr}");
    assert!(stderr.contains("LABRUN_CLASS_TOKEN"), "{stderr}");
}

#[test]
fn not_on_a_terminal_points_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::labrun_std()
        .args(["class", "watch", "http://127.0.0.1:9"])
        .env("XDG_DATA_HOME", dir.path())
        .env("LABRUN_CLASS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("labrun report http://127.0.0.1:9"),
        "{stderr}"
    );
}
