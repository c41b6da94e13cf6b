//! Several labrun processes on one workspace at once, as a learner gets with
//! the lab open and `labrun check` or `hint` in its shell (or a script that
//! runs them in parallel): no update of `.labrun/progress.json` is lost.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use support::lab::Lab;
use support::{labrun, labrun_std, wait_until, workspace};

const RUNS: usize = 20;

fn progress(ws: &Path) -> Value {
    labrun()
        .args(["progress", "--format", "json", "-w"])
        .arg(ws)
        .output()
        .map(|out| serde_json::from_slice(&out.stdout).unwrap())
        .unwrap()
}

fn step_field(progress: &Value, id: &str, field: &str) -> u64 {
    progress["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .and_then(|s| s[field].as_u64())
        .unwrap_or(0)
}

/// Runs `labrun ARGS -w WS` RUNS times at once and waits for all of them.
fn in_parallel(ws: &Path, args: &[&str]) {
    let children: Vec<_> = (0..RUNS)
        .map(|_| {
            labrun_std()
                .args(args)
                .arg("-w")
                .arg(ws)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("not recorded"), "{err}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    }
}

#[test]
fn parallel_checks_each_count_an_attempt() {
    let (_dir, ws) = workspace();
    in_parallel(&ws, &["check"]);
    let progress = progress(&ws);
    for id in [
        "proxy-image",
        "bump-version",
        "pull-secret",
        "package",
        "promote",
    ] {
        assert_eq!(step_field(&progress, id, "attempts"), RUNS as u64, "{id}");
    }
}

#[test]
fn parallel_hints_are_each_counted() {
    let (_dir, ws) = workspace();
    in_parallel(&ws, &["hint", "bump-version"]);
    assert_eq!(
        step_field(&progress(&ws), "bump-version", "hints_shown"),
        RUNS as u64
    );
}

#[test]
fn a_check_in_the_labs_shell_is_kept_when_the_lab_records() {
    let (_dir, ws) = workspace();
    let mut lab = Lab::start_in(&ws);
    // The lab checks every step on start and records it (not as attempts).
    wait_until("the lab's first record", || {
        step_field(&progress(&ws), "promote", "attempts") == 0
            && progress(&ws)["steps"]
                .as_array()
                .is_some_and(|s| s.len() == 5)
    });
    let command = format!(
        "{} check >/dev/null; echo checked-$((40+2))\r",
        env!("CARGO_BIN_EXE_labrun")
    );
    lab.type_keys(command.as_bytes());
    wait_until("the check in the lab's shell", || lab.shows("checked-42"));
    assert_eq!(step_field(&progress(&ws), "bump-version", "attempts"), 1);
    // Quitting records where the learner was: on top of the shell's check.
    lab.type_keys(b"\x1dq");
    assert_eq!(lab.wait_exit(), 0);
    let after = progress(&ws);
    for id in ["proxy-image", "bump-version", "package", "promote"] {
        assert_eq!(step_field(&after, id, "attempts"), 1, "{id}: {after}");
    }
    assert!(after["resume"].is_object(), "{after}");
}
