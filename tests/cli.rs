//! The real `labrun` binary on the bundled lesson, as a learner or CI runs it.

mod support;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

const STEPS: [&str; 5] = [
    "proxy-image",
    "bump-version",
    "pull-secret",
    "package",
    "promote",
];

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    // Tests must not depend on the developer's environment.
    for var in [
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
        "USERNAME",
        "PASSWORD",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

/// A fresh workspace of the bundled lesson.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    labrun().arg("init").arg(&ws).assert().success();
    (dir, ws)
}

/// Runs the reference solution of one step in the workspace.
fn solve(ws: &Path, step: &str) {
    labrun()
        .args(["solve", "--step", step, "-w"])
        .arg(ws)
        .assert()
        .success();
}

fn check_json(ws: &Path) -> (i32, Value) {
    let out = labrun()
        .args(["check", "--format", "json", "-w"])
        .arg(ws)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    (out.status.code().unwrap(), json)
}

fn passing_steps(json: &Value) -> Vec<String> {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "pass")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reference_solution_passes_step_by_step() {
    let (_tmp, ws) = workspace();
    let (code, json) = check_json(&ws);
    assert_eq!(code, 1);
    assert_eq!(passing_steps(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(json["total"], STEPS.len());

    for (done, step) in STEPS.iter().enumerate() {
        labrun()
            .args(["solve", "--step", step, "-w"])
            .arg(&ws)
            .assert()
            .success();
        let (code, json) = check_json(&ws);
        assert_eq!(
            passing_steps(&json),
            STEPS[..=done],
            "after solving {step}: {json:#}"
        );
        assert_eq!(code, if done + 1 == STEPS.len() { 0 } else { 1 });
    }

    let progress = stdout(
        labrun()
            .args(["progress", "--format", "json", "-w"])
            .arg(&ws),
    );
    let progress: Value = serde_json::from_str(&progress).unwrap();
    let first = &progress["steps"][0];
    assert_eq!(
        (first["id"].as_str(), first["status"].as_str()),
        (Some("proxy-image"), Some("pass"))
    );
    assert_eq!(first["attempts"], STEPS.len() + 1);
    assert!(first["first_passed_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn a_package_made_with_tar_satisfies_the_package_step() {
    let (_tmp, ws) = workspace();
    solve(&ws, "proxy-image");
    solve(&ws, "bump-version");
    solve(&ws, "pull-secret");
    fs::create_dir(ws.join("release")).unwrap();
    let tar = std::process::Command::new("tar")
        .args(["czf", "release/slackernews-0.5.0.tgz", "slackernews"])
        .current_dir(&ws)
        .status()
        .unwrap();
    assert!(tar.success());
    labrun()
        .args(["check", "--step", "package", "-w"])
        .arg(&ws)
        .assert()
        .success();
}

#[test]
fn a_stale_package_says_which_change_it_lacks() {
    let (_tmp, ws) = workspace();
    solve(&ws, "bump-version");
    solve(&ws, "pull-secret");
    solve(&ws, "package");
    solve(&ws, "proxy-image");
    let out = stdout(labrun().args(["check", "--step", "package", "-w"]).arg(&ws));
    assert!(
        out.contains("✗ slackernews-0.5.0.tgz: the proxied image is in values.yaml"),
        "{out}"
    );
    assert!(out.contains("was packaged without this change; package the chart again: `helm package slackernews --destination ./release`"), "{out}");
}

#[test]
fn broken_learner_files_fail_with_file_and_line() {
    let (_tmp, ws) = workspace();
    fs::write(
        ws.join("slackernews/values.yaml"),
        "images:\n  slackernews:\n    repository: [oops\n",
    )
    .unwrap();
    let out = labrun()
        .args(["check", "--step", "proxy-image", "-w"])
        .arg(&ws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("slackernews/values.yaml is not valid YAML: line"),
        "{text}"
    );
    assert!(text.contains("at slackernews/values.yaml:"), "{text}");
}

fn package_failure(ws: &Path, bytes: &[u8]) -> String {
    fs::create_dir_all(ws.join("release")).unwrap();
    fs::write(ws.join("release/slackernews-0.5.0.tgz"), bytes).unwrap();
    let out = labrun()
        .args(["check", "--step", "package", "-w"])
        .arg(ws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn hostile_or_broken_packages_fail_clearly() {
    use support::chart::{Tar, bomb, gzip};
    let (_tmp, ws) = workspace();
    let good_start = gzip(&[&[7u8; 20_000]]);
    let out = package_failure(&ws, &good_start[..good_start.len() / 2]);
    assert!(out.contains("is truncated or corrupt"), "{out}");

    let out = package_failure(&ws, &Tar::new().file("../x", b"x").tgz());
    assert!(out.contains("holds an unsafe path \"../x\""), "{out}");

    let out = package_failure(&ws, &bomb("slackernews", 80 << 20));
    assert!(out.contains("inflates to more than 64 MiB"), "{out}");
}

#[test]
fn secrets_never_reach_reports() {
    let (_tmp, ws) = workspace();
    let state: Value =
        serde_json::from_str(&fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap())
            .unwrap();
    let token = state["vars"]["REPLICATED_API_TOKEN"]
        .as_str()
        .unwrap()
        .to_string();
    // A learner pastes the token into a file a check reads.
    fs::write(
        ws.join("slackernews/Chart.yaml"),
        format!("version: {token}\n"),
    )
    .unwrap();
    for format in ["human", "json", "junit"] {
        let out = stdout(labrun().args(["check", "--format", format, "-w"]).arg(&ws));
        assert!(!out.contains(&token), "{format} leaks the token: {out}");
        assert!(out.contains("[hidden]"), "{format}: {out}");
    }
    let progress = fs::read_to_string(ws.join(".labrun/progress.json")).unwrap();
    assert!(!progress.contains(&token));
    let shown = stdout(labrun().args(["show", "-w"]).arg(&ws));
    assert!(
        !shown.contains(&token) && shown.contains("export REPLICATED_API_TOKEN=\"[hidden]\""),
        "{shown}"
    );
}

#[test]
fn junit_has_one_testcase_per_step() {
    let (_tmp, ws) = workspace();
    let xml = stdout(labrun().args(["check", "--format", "junit", "-w"]).arg(&ws));
    assert_eq!(xml.matches("<testcase ").count(), STEPS.len(), "{xml}");
    assert_eq!(xml.matches("<failure ").count(), STEPS.len(), "{xml}");
}

#[test]
fn missing_workspace_and_unknown_step_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    labrun()
        .args(["check", "-w"])
        .arg(dir.path().join("nope"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "does not exist: create it with `labrun init",
        ));
    labrun()
        .args(["check", "-w"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a labrun workspace"));
    let (_tmp, ws) = workspace();
    labrun()
        .args(["check", "--step", "nope", "-w"])
        .arg(&ws)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "its steps are: proxy-image, bump-version",
        ));
}

#[test]
fn an_unset_variable_is_named() {
    let (_tmp, ws) = workspace();
    let path = ws.join(".labrun/workspace.json");
    let mut state: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    state["vars"]
        .as_object_mut()
        .unwrap()
        .remove("REPLICATED_APP");
    fs::write(&path, state.to_string()).unwrap();
    labrun().args(["check", "-w"]).arg(&ws).assert().code(2).stderr(predicates::str::contains(
        "variable REPLICATED_APP has no value: pass --var REPLICATED_APP=… or set it in the environment",
    ));
    // --var and the environment both supply it.
    labrun()
        .args(["check", "--var", "REPLICATED_APP=sn-x", "-w"])
        .arg(&ws)
        .assert()
        .code(1);
    labrun()
        .args(["check", "-w"])
        .arg(&ws)
        .env("REPLICATED_APP", "sn-y")
        .assert()
        .code(1);
    let shown = stdout(labrun().args(["show", "-w"]).arg(&ws));
    assert!(shown.contains("⟨REPLICATED_APP not set⟩"), "{shown}");
}

#[test]
fn init_refuses_a_foreign_non_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("thesis.tex"), "mine").unwrap();
    labrun()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not empty"));
    labrun()
        .arg("init")
        .arg("--force")
        .arg(dir.path())
        .assert()
        .success();
    // Re-running init on its own workspace resumes it.
    labrun()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("Resuming workspace"));
}

/// A copy of the bundled lesson, to break in a test.
fn lesson_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("lesson");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images"),
        &lesson,
    );
    (dir, lesson)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn malformed_lessons_are_lesson_errors_with_file_and_line() {
    let (_tmp, lesson) = lesson_copy();
    let text = fs::read_to_string(lesson.join("assignment.md")).unwrap();
    fs::write(
        lesson.join("assignment.md"),
        text.replacen("title: Proxying", "title: [Proxying", 1),
    )
    .unwrap();
    labrun().arg("lint").arg(&lesson).assert().code(2).stderr(
        predicates::str::contains("assignment.md:").and(predicates::str::contains("front matter")),
    );

    let (_tmp, lesson) = lesson_copy();
    let manifest = fs::read_to_string(lesson.join("lesson.toml")).unwrap();
    fs::write(
        lesson.join("lesson.toml"),
        manifest.replacen("kind = \"file_exists\"", "kind = \"telepathy\"", 1),
    )
    .unwrap();
    let out = labrun().arg("lint").arg(&lesson).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("lesson.toml:") && err.contains("unknown check kind `telepathy`"),
        "{err}"
    );
}

#[test]
fn lint_passes_the_bundled_lesson_with_image_warnings() {
    labrun()
        .arg("lint")
        .assert()
        .success()
        .stdout(predicates::str::contains("0 error(s), 3 warning(s)"))
        .stderr(predicates::str::contains("managing-images.png not found"));
}

#[test]
fn lint_errors_exit_1() {
    let (_tmp, lesson) = lesson_copy();
    let manifest = fs::read_to_string(lesson.join("lesson.toml")).unwrap();
    fs::write(
        lesson.join("lesson.toml"),
        manifest.replace(
            "section = \"Allowing Image Access\"",
            "section = \"Nowhere\"",
        ),
    )
    .unwrap();
    labrun()
        .arg("lint")
        .arg(&lesson)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "section \"Nowhere\" is not a heading",
        ));
}

#[test]
fn help_and_version() {
    labrun()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains("labrun 0.1.0"));
    for command in ["init", "check", "lint", "progress", "hint", "solve", "show"] {
        labrun().args([command, "--help"]).assert().success();
    }
    labrun().arg("frobnicate").assert().code(2);
}

#[test]
fn hints_are_shown_and_counted() {
    let (_tmp, ws) = workspace();
    labrun()
        .args(["hint", "bump-version", "-w"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicates::str::contains("version: 0.5.0"));
    let progress: Value =
        serde_json::from_str(&fs::read_to_string(ws.join(".labrun/progress.json")).unwrap())
            .unwrap();
    assert_eq!(progress["steps"][0]["hints_shown"], 1);
}

#[test]
fn labrun_test_passes_the_bundled_lesson_and_fails_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    labrun()
        .args(["test", "--junit"])
        .arg(&junit)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "proxying-private-images: ok: 16 of 16 cases pass",
        ));
    let xml = fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 16, "{xml}");

    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken/always-passes");
    let out = labrun()
        .args(["test", "--format", "json"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    labrun().args(["test", "no-such-lesson"]).assert().code(2);
}

#[test]
fn report_reads_a_class_of_workspaces() {
    let class = tempfile::tempdir().unwrap();
    for name in ["ada", "bob"] {
        labrun()
            .arg("init")
            .arg(class.path().join(name))
            .assert()
            .success();
    }
    labrun()
        .args(["solve", "--step", "proxy-image", "-w"])
        .arg(class.path().join("ada"))
        .assert()
        .success();
    for name in ["ada", "bob"] {
        labrun()
            .args(["check", "-w"])
            .arg(class.path().join(name))
            .assert()
            .code(1);
    }
    fs::write(class.path().join("junk.json"), "{broken").unwrap();
    labrun()
        .arg("report")
        .arg(class.path())
        .assert()
        .success()
        // Workspaces read directly are their owner's (here both the test's user), one row each.
        .stdout(predicates::str::contains("2 learners"))
        .stderr(predicates::str::contains("skipped").and(predicates::str::contains("junk.json")));
}
