//! Starting over without losing work: `labrun reset` (a step or the whole
//! workspace, asked first) and `labrun init --force`, through the real
//! binary. Whatever they replace is kept in `.labrun/backup/<time>/`.

mod support;

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use support::terminal::{Spawn, Terminal};

fn labrun(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    for var in ["REPLICATED_APP", "REPLICATED_API_TOKEN", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    cmd.current_dir(cwd);
    cmd
}

/// A workspace `lab` with steps 1 to 4 done by their solutions.
fn worked_on() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    labrun(tmp.path()).args(["init", "lab"]).assert().success();
    let ws = tmp.path().join("lab");
    for step in ["1", "2", "3", "4"] {
        labrun(&ws)
            .args(["solve", "--step", step])
            .assert()
            .success();
    }
    (tmp, ws)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn vars(ws: &Path) -> serde_json::Value {
    let state: serde_json::Value =
        serde_json::from_str(&read(&ws.join(".labrun/workspace.json"))).unwrap();
    state["vars"].clone()
}

fn starting(file: &str) -> String {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("lessons/proxying-private-images/files")
            .join(file),
    )
}

/// The one backup directory made so far.
fn only_backup(ws: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(ws.join(".labrun/backup"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.remove(0)
}

#[test]
fn init_force_on_the_same_lessons_workspace_keeps_variables_and_edits() {
    let (tmp, ws) = worked_on();
    let before = vars(&ws);
    let edited = read(&ws.join("slackernews/values.yaml"));
    labrun(tmp.path())
        .args(["init", "--force", "lab"])
        .assert()
        .success()
        .stdout(contains(
            "variables (the app and token you may have used) are kept",
        ))
        .stdout(contains("slackernews/values.yaml"));
    assert_eq!(vars(&ws), before, "the app and token were regenerated");
    assert_eq!(
        read(&ws.join("slackernews/values.yaml")),
        starting("slackernews/values.yaml")
    );
    let backup = only_backup(&ws);
    assert_eq!(read(&backup.join("slackernews/values.yaml")), edited);
}

#[test]
fn reset_refuses_without_a_yes_when_nobody_can_answer() {
    let (_tmp, ws) = worked_on();
    let edited = read(&ws.join("slackernews/values.yaml"));
    labrun(&ws)
        .arg("reset")
        .assert()
        .code(2)
        .stdout(contains("restore slackernews/values.yaml (edited)"))
        .stderr(contains("pass --yes"));
    assert_eq!(read(&ws.join("slackernews/values.yaml")), edited);
    assert!(!ws.join(".labrun/backup").exists());
}

#[test]
fn reset_one_step_puts_back_only_its_files() {
    let (_tmp, ws) = worked_on();
    let edited_values = read(&ws.join("slackernews/values.yaml"));
    let edited_chart = read(&ws.join("slackernews/Chart.yaml"));
    labrun(&ws)
        .args(["reset", "--step", "1", "--yes"])
        .assert()
        .success()
        .stdout(contains("Reset step \"proxy-image\""));
    assert_eq!(
        read(&ws.join("slackernews/values.yaml")),
        starting("slackernews/values.yaml")
    );
    assert_eq!(read(&ws.join("slackernews/Chart.yaml")), edited_chart);
    let backup = only_backup(&ws);
    assert_eq!(read(&backup.join("slackernews/values.yaml")), edited_values);
    labrun(&ws).args(["check", "--step", "1"]).assert().code(1);
    labrun(&ws)
        .args(["check", "--step", "2"])
        .assert()
        .success();
}

#[test]
fn reset_the_whole_workspace_keeps_variables_and_the_learners_own_files() {
    let (_tmp, ws) = worked_on();
    labrun(&ws)
        .args(["solve", "--step", "5"])
        .assert()
        .success();
    std::fs::write(ws.join("notes.txt"), "my notes").unwrap();
    let before = vars(&ws);
    labrun(&ws)
        .args(["reset", "--yes"])
        .assert()
        .success()
        .stdout(contains("remove  release/slackernews-0.5.0.tgz"))
        .stdout(contains("the local Vendor API: its channels and releases"));
    assert_eq!(vars(&ws), before);
    assert_eq!(read(&ws.join("notes.txt")), "my notes");
    assert!(!ws.join("release/slackernews-0.5.0.tgz").exists());
    let backup = only_backup(&ws);
    assert!(backup.join("release/slackernews-0.5.0.tgz").is_file());
    assert!(backup.join(".labrun/vendor-api").is_dir());
    // Nothing left to reset, and no step passes.
    labrun(&ws)
        .arg("reset")
        .assert()
        .success()
        .stdout(contains("Nothing to reset"));
    let out = labrun(&ws)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["passed"], 0, "{json:#}");
}

#[test]
fn reset_on_a_terminal_asks_and_no_means_no() {
    let (_tmp, ws) = worked_on();
    let edited = read(&ws.join("slackernews/values.yaml"));
    let mut term = Terminal::spawn(Spawn::labrun(&ws, &["reset", "--step", "proxy-image"]));
    term.wait_for("the question", |s| s.contains("Reset? [y/N]"));
    term.type_keys(b"n\r");
    assert_eq!(term.wait_exit(), 1);
    term.wait_for("the answer", |s| s.contains("Nothing changed."));
    assert_eq!(read(&ws.join("slackernews/values.yaml")), edited);

    let mut term = Terminal::spawn(Spawn::labrun(&ws, &["reset", "--step", "proxy-image"]));
    term.wait_for("the question", |s| s.contains("Reset? [y/N]"));
    term.type_keys(b"y\r");
    assert_eq!(term.wait_exit(), 0);
    term.wait_for("the answer", |s| s.contains("Reset step \"proxy-image\"."));
    assert_eq!(
        read(&ws.join("slackernews/values.yaml")),
        starting("slackernews/values.yaml")
    );
}

#[test]
fn init_force_over_another_lessons_workspace_keeps_its_state() {
    let (tmp, ws) = worked_on();
    labrun(&ws).arg("check").assert().code(1);
    let old_state = read(&ws.join(".labrun/workspace.json"));
    let old_progress = read(&ws.join(".labrun/progress.json"));
    // Another lesson: the bundled one under another slug.
    let other = tmp.path().join("other-lesson");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images"),
        &other,
    );
    let text = read(&other.join("assignment.md"));
    std::fs::write(
        other.join("assignment.md"),
        text.replacen("slug: proxying-private-images", "slug: another-lesson", 1),
    )
    .unwrap();
    labrun(tmp.path())
        .args(["init", "other-lesson", "lab"])
        .assert()
        .code(2)
        .stderr(contains("already a workspace of lesson"));
    labrun(tmp.path())
        .args(["init", "--force", "other-lesson", "lab"])
        .assert()
        .success()
        .stdout(contains("kept in"));
    let backup = only_backup(&ws);
    assert_eq!(read(&backup.join(".labrun/workspace.json")), old_state);
    assert_eq!(read(&backup.join(".labrun/progress.json")), old_progress);
    assert!(read(&ws.join(".labrun/workspace.json")).contains("another-lesson"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
