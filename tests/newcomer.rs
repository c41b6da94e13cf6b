//! The README's main path, as a newcomer walks it: `labrun start` in an
//! empty directory, quit, `labrun start` again — from there or from inside
//! the workspace — and the same lab comes back.

mod support;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use support::terminal::{Spawn, Terminal};

const SLUG: &str = "proxying-private-images";
const TITLE: &str = "Proxying Private Images";
const FIRST_STEP: &str = "Pull the Slackernews image";

fn labrun(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    for var in ["REPLICATED_APP", "REPLICATED_API_TOKEN", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    cmd.current_dir(cwd);
    cmd
}

fn state(ws: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(ws.join(".labrun/workspace.json")).unwrap()).unwrap()
}

fn first_step_passing(screen: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains('✓') && l.contains(FIRST_STEP))
}

/// Entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn start_quit_start_resumes_the_same_lab_from_the_parent_and_from_inside() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path();
    let ws: PathBuf = here.join(SLUG);

    // First start in an empty directory: the workspace is made, a step done.
    let mut lab = Terminal::spawn(Spawn::labrun(here, &["start"]));
    lab.wait_for("the lesson title", |s| s.contains(TITLE));
    let first = state(&ws);
    let app = first["vars"]["REPLICATED_APP"]
        .as_str()
        .unwrap()
        .to_string();
    lab.type_keys(
        format!(
            "sed -i 's|repository: ghcr.io/slackernews/slackernews-web|repository: proxy.replicated.com/proxy/{app}/ghcr.io/slackernews/slackernews-web|' slackernews/values.yaml\r"
        )
        .as_bytes(),
    );
    lab.wait_for("the first step passing", first_step_passing);
    lab.quit();
    lab.wait_for("the line saying how to resume", |s| {
        s.contains(&format!("saved in {SLUG}; run `labrun start` to resume"))
    });

    // Start again from the same directory: the same workspace, step still done.
    let mut lab = Terminal::spawn(Spawn::labrun(here, &["start"]));
    lab.wait_for("the lesson title", |s| s.contains(TITLE));
    lab.wait_for("the first step still passing", first_step_passing);
    lab.quit();
    assert_eq!(state(&ws), first, "the same variables");
    assert_eq!(entries(here), [SLUG], "no second workspace");

    // From a directory inside the workspace: still the same one, nothing nested.
    let inside = ws.join("slackernews");
    let mut lab = Terminal::spawn(Spawn::labrun(&inside, &["start"]));
    lab.wait_for("the lesson title", |s| s.contains(TITLE));
    lab.wait_for("the first step still passing", first_step_passing);
    lab.quit();
    lab.wait_for("the line saying how to resume", |s| {
        s.contains("run `labrun start` to resume")
    });
    assert_eq!(state(&ws), first, "the same variables");
    assert!(!inside.join(".labrun").exists() && !inside.join(SLUG).exists());
    let progress: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join(".labrun/progress.json")).unwrap()).unwrap();
    assert!(
        progress.to_string().contains("proxy-image"),
        "progress kept: {progress}"
    );
}

/// A directory holding the workspace `labrun start` made.
fn parent_of_a_workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    labrun(tmp.path()).args(["init", SLUG]).assert().success();
    tmp
}

#[test]
fn beside_a_workspace_the_slug_is_still_the_bundled_lesson() {
    let tmp = parent_of_a_workspace();
    let here = tmp.path();
    labrun(here)
        .arg("show")
        .assert()
        .success()
        .stdout(contains(TITLE));
    labrun(here)
        .args(["show", SLUG])
        .assert()
        .success()
        .stdout(contains(TITLE));
    labrun(here).arg("lint").assert().success();
    // Commands that need a workspace say where the one beside is.
    labrun(here)
        .arg("check")
        .assert()
        .code(2)
        .stderr(contains(format!(
            "The workspace here is {SLUG}/: `cd {SLUG}` first"
        )));
    labrun(here).args(["lint", SLUG]).assert().success();
    labrun(here)
        .args(["init", "second"])
        .assert()
        .success()
        .stdout(contains("Created workspace"));
    // Named as a path, the workspace is refused as a lesson, and says why.
    labrun(here)
        .args(["lint", &format!("./{SLUG}")])
        .assert()
        .code(2)
        .stderr(contains("a labrun workspace, not a lesson"));
}

#[test]
fn commands_inside_a_workspace_subdirectory_find_it() {
    let tmp = parent_of_a_workspace();
    let inside = tmp.path().join(SLUG).join("slackernews/templates");
    labrun(&inside)
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains(FIRST_STEP));
    labrun(&inside)
        .arg("progress")
        .assert()
        .success()
        .stdout(contains("proxy-image"));
    labrun(&inside)
        .args(["hint", "proxy-image"])
        .assert()
        .success();
    labrun(&inside)
        .args(["solve", "--step", "proxy-image"])
        .assert()
        .success();
    labrun(&inside)
        .args(["check", "--step", "proxy-image"])
        .assert()
        .success();
    // Outside any workspace, the message says where labrun looked.
    let elsewhere = tempfile::tempdir().unwrap();
    labrun(elsewhere.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(contains("is not inside a labrun workspace"));
}

#[test]
fn show_inside_a_workspace_fills_in_its_values() {
    let tmp = parent_of_a_workspace();
    let ws = tmp.path().join(SLUG);
    let app = state(&ws)["vars"]["REPLICATED_APP"]
        .as_str()
        .unwrap()
        .to_string();
    for dir in [ws.clone(), ws.join("slackernews")] {
        labrun(&dir)
            .arg("show")
            .assert()
            .success()
            .stdout(contains(format!("proxy/{app}/")))
            .stdout(contains("not set").not());
    }
}

#[test]
fn steps_are_named_by_their_checklist_number_too() {
    let tmp = parent_of_a_workspace();
    let ws = tmp.path().join(SLUG);
    let by_id = labrun(&ws).args(["hint", "bump-version"]).output().unwrap();
    let by_number = labrun(&ws).args(["hint", "2"]).output().unwrap();
    assert!(by_number.status.success(), "{by_number:?}");
    assert_eq!(by_number.stdout, by_id.stdout);
    labrun(&ws)
        .args(["check", "--step", "1"])
        .assert()
        .code(1)
        .stdout(contains(FIRST_STEP));
    labrun(&ws)
        .args(["solve", "--step", "1"])
        .assert()
        .success();
    labrun(&ws)
        .args(["check", "--step", "1"])
        .assert()
        .success()
        .stdout(contains(FIRST_STEP));
    labrun(&ws)
        .args(["hint", "6"])
        .assert()
        .code(2)
        .stderr(contains("its steps are: proxy-image, bump-version"))
        .stderr(contains("(or their numbers, 1 to 5)"));
}
