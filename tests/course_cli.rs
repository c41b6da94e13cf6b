//! Issue 12 without the lab: a track driven from the command line as the
//! README says — `labrun init TRACK DIR`, then `labrun check` and `labrun
//! solve` in the workspace — refusing untrusted scripts, entering each
//! challenge once (its setup), opening the next when one passes, and
//! `labrun show --challenge` with the text filled by the setup's agent
//! variables.

mod support;

use std::path::{Path, PathBuf};
use support::labrun;

fn track() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks/shell-basics")
}

/// A labrun command in `dir` with its own trust store (nothing trusted).
fn labrun_in(dir: &Path, data: &Path) -> assert_cmd::Command {
    let mut cmd = labrun();
    cmd.current_dir(dir)
        .env("XDG_DATA_HOME", data)
        .env_remove("LABRUN_TRUST");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_track_from_the_command_line_challenge_by_challenge() {
    if !support::namespace_mode() {
        return;
    }
    let _turn = support::shell_basics_turn();
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = labrun_in(home.path(), data.path())
        .args(["init", track().to_str().unwrap(), "lab"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stdout).contains("for lesson \"Shell Basics\""),
        "{out:?}"
    );
    let ws = home.path().join("lab");

    // Someone else's scripts: refused until trusted, and nothing ran.
    let out = labrun_in(&ws, data.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = text(&out.stderr);
    assert!(err.contains("01-leave-a-note/setup-shell"), "{err}");
    assert!(err.contains("labrun trust"), "{err}");
    assert!(!ws.join(".learner-name").exists(), "a setup ran untrusted");

    // Trusted ahead, as a learner would after reading them.
    let out = labrun_in(home.path(), data.path())
        .args(["trust", track().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    // The first check enters challenge 1: its setup runs, its check fails in its own words.
    let out = labrun_in(&ws, data.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = text(&out.stdout);
    assert!(
        said.starts_with("Leave a note — 0 of 1 steps pass"),
        "{said}"
    );
    assert!(
        said.contains("There is no file /root/notes.txt yet"),
        "{said}"
    );
    let shown = labrun_in(&ws, data.path()).arg("show").output().unwrap();
    let shown = text(&shown.stdout);
    assert!(shown.contains("Your learner name is `ada-"), "{shown}");
    assert!(!shown.contains("not set"), "{shown}");

    // Each challenge: its solution, then its check passes and the next opens.
    for (n, next) in [
        (1, "Look around"),
        (2, "Check your understanding"),
        (3, "Shout it out"),
        (4, "Tidy up"),
    ] {
        let out = labrun_in(&ws, data.path()).arg("solve").output().unwrap();
        assert!(out.status.success(), "challenge {n}: {out:?}");
        let out = labrun_in(&ws, data.path()).arg("check").output().unwrap();
        assert!(out.status.success(), "challenge {n}: {out:?}");
        let said = text(&out.stdout);
        assert!(
            said.contains(&format!("Challenge {n} of 5 passed. Next: {next}")),
            "{said}"
        );
    }
    let out = labrun_in(&ws, data.path())
        .args(["show", "--challenge", "2"])
        .output()
        .unwrap();
    assert!(text(&out.stdout).starts_with("# Look around"), "{out:?}");
    let out = labrun_in(&ws, data.path()).arg("solve").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = labrun_in(&ws, data.path()).arg("check").output().unwrap();
    assert!(text(&out.stdout).contains("the course is done"), "{out:?}");
    let out = labrun_in(&ws, data.path())
        .arg("progress")
        .output()
        .unwrap();
    let said = text(&out.stdout);
    assert!(
        said.starts_with("Shell Basics — 5 of 5 challenges done"),
        "{said}"
    );
}

/// A bare Instruqt challenge is a course of one: `check` runs its setup
/// first, and once it passes its cleanup, each once (recorded in progress).
#[test]
fn a_bare_challenge_is_set_up_checked_and_cleaned_up_once() {
    let _turn = support::shell_basics_turn();
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let challenge = track().join("02-look-around");
    let out = labrun_in(home.path(), data.path())
        .args(["init", challenge.to_str().unwrap(), "lab"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let ws = home.path().join("lab");
    let trusted = |args: &[&str]| {
        labrun_in(&ws, data.path())
            .env("LABRUN_TRUST", "1")
            .args(args)
            .output()
            .unwrap()
    };
    let out = trusted(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stdout).contains("Run ls -l /tmp/look-around first"),
        "{out:?}"
    );
    assert!(trusted(&["solve"]).status.success());
    let out = trusted(&["check"]);
    assert!(out.status.success(), "{out:?}");
    let progress = std::fs::read_to_string(ws.join(".labrun/progress.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    let challenge = &progress["challenges"][0];
    assert_eq!(challenge["state"], "passed", "{progress:#}");
    assert_eq!(challenge["setup_done"], true, "{progress:#}");
    assert_eq!(challenge["cleanup_done"], true, "{progress:#}");
}
