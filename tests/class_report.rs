//! `labrun report URL`: the class a server keeps, reported exactly as
//! `labrun report` reports the same records exported to files (every
//! format, a lesson's class and a course's); and each way it fails — no
//! instructor token, a refused one, a server that is down or failing —
//! exits 2 with a message naming the request. Against a stand-in server
//! (`support/fake_class_server.rs`) until `labrun class serve` lands.

#[path = "support/fake_class_server.rs"]
mod fake_class_server;
mod support;

use fake_class_server::{FakeClassServer, How, TOKEN, class_state, course_record, lesson_record};
use labrun::class::credentials::Credentials;
use labrun::report::Record;
use std::path::Path;
use std::process::Output;

/// `labrun ARGS` with `data` as the data directory (where `class serve`
/// remembers tokens) and the instructor token in the environment, or not.
fn labrun(args: &[&str], data: &Path, token: Option<&str>) -> Output {
    let mut cmd = support::labrun_std();
    cmd.args(args)
        .env("XDG_DATA_HOME", data)
        .env("HOME", data)
        .env_remove("LABRUN_CLASS_TOKEN")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    if let Some(token) = token {
        cmd.env("LABRUN_CLASS_TOKEN", token);
    }
    cmd.output().unwrap()
}

fn lesson_class() -> Vec<Record> {
    use How::*;
    let steps = ["one", "two", "three"];
    let of = |hows: [How; 3]| -> Vec<(&str, How)> { steps.into_iter().zip(hows).collect() };
    vec![
        lesson_record("ada", "demo", &of([Passed(720), Passed(180), Passed(45)])),
        lesson_record(
            "bob",
            "demo",
            &of([Passed(300), Failing(5, 900, "c-a"), NotStarted]),
        ),
        lesson_record("Cy", "demo", &of([NotStarted, NotStarted, NotStarted])),
        lesson_record(
            "dee",
            "demo",
            &of([Failing(3, 1500, "o1"), NotStarted, NotStarted]),
        ),
    ]
}

fn course_class() -> Vec<Record> {
    use How::*;
    let slugs = ["note", "look", "tidy"];
    let of = |hows: [How; 3]| -> Vec<(&str, How)> { slugs.into_iter().zip(hows).collect() };
    vec![
        course_record("eve", "shell", &of([Passed(60), Passed(120), Passed(30)])),
        course_record(
            "fay",
            "shell",
            &of([Passed(90), Failing(4, 600, "FAIL: no note"), NotStarted]),
        ),
        course_record("gus", "shell", &of([NotStarted, NotStarted, NotStarted])),
    ]
}

#[test]
fn a_report_of_the_server_is_the_report_of_the_same_records_as_files() {
    let records: Vec<Record> = lesson_class().into_iter().chain(course_class()).collect();
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("records");
    std::fs::create_dir(&files).unwrap();
    for record in &records {
        record
            .save(&files.join(format!("{}.json", record.learner)))
            .unwrap();
    }
    let seen: Vec<(Record, Option<u64>)> = records.into_iter().map(|r| (r, Some(60))).collect();
    let server = FakeClassServer::start(class_state("room-1", &seen));
    let files = files.to_str().unwrap();
    for format in ["human", "markdown", "csv", "json"] {
        let from_files = labrun(&["report", files, "--format", format], dir.path(), None);
        assert!(from_files.status.success(), "{from_files:?}");
        let from_server = labrun(
            &["report", &server.base, "--format", format],
            dir.path(),
            Some(TOKEN),
        );
        assert!(from_server.status.success(), "{format}: {from_server:?}");
        let text = String::from_utf8(from_server.stdout).unwrap();
        assert_eq!(
            text,
            String::from_utf8(from_files.stdout).unwrap(),
            "{format}"
        );
        // Both parts are there, and the token is nowhere.
        assert!(text.contains("demo") && text.contains("shell"), "{text}");
        assert!(text.contains("dee") && text.contains("fay"), "{text}");
        assert!(!text.contains(TOKEN));
    }
    // The default format is the table.
    let plain = labrun(&["report", &server.base], dir.path(), Some(TOKEN));
    assert!(String::from_utf8(plain.stdout).unwrap().contains("LEARNER"));
}

#[test]
fn the_token_class_serve_remembered_needs_no_environment() {
    let dir = tempfile::tempdir().unwrap();
    let seen = vec![(lesson_class().remove(0), Some(5))];
    let server = FakeClassServer::start(class_state("room-1", &seen));
    Credentials::in_dir(dir.path().join("labrun"))
        .remember(std::slice::from_ref(&server.base), TOKEN)
        .unwrap();
    // A trailing slash is the same class.
    let url = format!("{}/", server.base);
    let out = labrun(&["report", &url, "--format", "csv"], dir.path(), None);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stdout).unwrap().contains("ada"));
}

fn fails_with(out: &Output, says: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for text in says {
        assert!(stderr.contains(text), "{text:?} not in: {stderr}");
    }
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn no_token_says_both_ways_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeClassServer::start(class_state("room-1", &[]));
    let out = labrun(&["report", &server.base], dir.path(), None);
    fails_with(
        &out,
        &[
            &format!("no instructor token for {}", server.base),
            "labrun class serve",
            "classes.json",
            "LABRUN_CLASS_TOKEN",
        ],
    );
}

#[test]
fn a_refused_token_says_whose_and_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeClassServer::start(class_state("room-1", &[]));
    let out = labrun(&["report", &server.base], dir.path(), Some("lri_wrong"));
    fails_with(
        &out,
        &[
            &format!("the instructor token for {} was refused", server.base),
            "401",
            "this is not the instructor token of this class",
            "from LABRUN_CLASS_TOKEN",
        ],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("lri_wrong"));
}

#[test]
fn a_server_down_or_failing_is_named_with_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let dead = fake_class_server::dead_base();
    let out = labrun(&["report", &dead], dir.path(), Some(TOKEN));
    fails_with(
        &out,
        &[
            &format!("GET {dead}/api/class failed: the class server did not answer"),
            "labrun class serve",
        ],
    );
    let server = FakeClassServer::start(class_state("room-1", &[]));
    server.fail_with(500);
    let out = labrun(&["report", &server.base], dir.path(), Some(TOKEN));
    fails_with(
        &out,
        &[
            &format!(
                "GET {}/api/class failed: the class server answered 500",
                server.base
            ),
            "the fake is failing",
        ],
    );
}

#[test]
fn a_class_nobody_has_checked_in_yet_has_nothing_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeClassServer::start(class_state("room-1", &[]));
    let out = labrun(&["report", &server.base], dir.path(), Some(TOKEN));
    fails_with(&out, &["\"room-1\"", "no learner with progress yet"]);
}
