//! A class end to end, as a workshop meets it: the real `labrun class serve`,
//! learners in their own workspaces running the real binary in their own
//! processes (`class join`, `check`, `solve`, `hint`), and the instructor
//! reading the class — also across a server that is killed and comes back.

mod support;

use labrun::checks::Status;
use labrun::class::protocol::ClassState;
use std::path::Path;
use support::class::{ClassServer, passed};
use support::{labrun, wait_until};

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    labrun().current_dir(ws).args(args).output().unwrap()
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn join(ws: &Path, url: &str, name: &str) {
    let out = run(ws, &["class", "join", url, "--name", name]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
}

fn learner<'a>(state: &'a ClassState, name: &str) -> &'a labrun::class::protocol::LearnerState {
    state
        .learners
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the class: {state:?}"))
}

/// Lines in the workspace's queue: every event it ever made.
fn queued(ws: &Path) -> u64 {
    std::fs::read_to_string(ws.join(".labrun/class/queue.jsonl"))
        .unwrap()
        .lines()
        .count() as u64
}

#[test]
fn learners_in_their_own_workspaces_show_up_in_the_class() {
    let dir = tempfile::tempdir().unwrap();
    let server = ClassServer::start(dir.path(), &[]);
    let (_a, ada) = support::workspace();
    let (_g, grace) = support::workspace();
    join(&ada, &server.join_url, "Ada");
    join(&grace, &server.join_url, "Grace");

    // Ada does the first step; Grace checks and asks for a hint.
    assert_eq!(run(&ada, &["solve", "--step", "1"]).status.code(), Some(0));
    run(&ada, &["check"]);
    assert_eq!(run(&grace, &["check"]).status.code(), Some(1));
    assert_eq!(run(&grace, &["hint", "1"]).status.code(), Some(0));

    let state = server.state();
    assert_eq!(state.learners.len(), 2, "{state:?}");
    let first_step = state.records()[0].progress.steps[0].id.clone();
    assert_eq!(passed(&state, "Ada"), vec![first_step.clone()]);
    assert!(passed(&state, "Grace").is_empty());
    let grace_record = learner(&state, "Grace").record.as_ref().unwrap();
    let step = &grace_record.progress.steps[0];
    assert_eq!(step.status, Some(Status::Fail));
    assert_eq!(step.hints_shown, 1, "the hint reached the class");
    assert!(
        step.conditions.iter().any(|c| c.status == Status::Fail),
        "the failing condition reached the class: {step:?}"
    );
    // Every event each learner queued is stored, once.
    assert_eq!(learner(&state, "Ada").events, queued(&ada));
    assert_eq!(learner(&state, "Grace").events, queued(&grace));
}

#[test]
fn a_server_that_was_killed_loses_nothing_once_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed port, so the learners' URL still holds after the restart.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let serve = ["class", "serve", "--listen", listen.as_str()];
    let server = ClassServer::try_start_args(dir.path(), &serve, &[]).unwrap();
    let instructor = server.instructor();
    let (_a, ada) = support::workspace();
    join(&ada, &server.join_url, "Ada");
    run(&ada, &["check"]);
    server.kill_9();

    // Offline: the checks and the hint are kept in the workspace.
    let out = run(&ada, &["check"]);
    assert!(said(&out).contains("kept to send later"), "{}", said(&out));
    run(&ada, &["hint", "2"]);
    assert_eq!(run(&ada, &["solve", "--step", "1"]).status.code(), Some(0));
    run(&ada, &["check"]);

    // Back on the same database and port: the next command delivers the rest.
    let server = ClassServer::try_start_args(dir.path(), &serve, &[]).unwrap();
    let state_of = || -> ClassState {
        server
            .get(labrun::class::protocol::CLASS, &instructor)
            .json()
            .unwrap()
    };
    run(&ada, &["check"]);
    let made = queued(&ada);
    wait_until("every queued event is stored", || {
        state_of().learners.first().map(|l| l.events) == Some(made)
    });
    let state = state_of();
    assert_eq!(
        learner(&state, "Ada").events,
        made,
        "nothing lost, nothing twice"
    );
    assert_eq!(passed(&state, "Ada").len(), 1, "{state:?}");
    let record = learner(&state, "Ada").record.as_ref().unwrap();
    assert_eq!(record.progress.steps[1].hints_shown, 1);
}
