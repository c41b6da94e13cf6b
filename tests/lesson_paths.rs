//! A lesson is someone else's file: every path it names stays inside its
//! directory (after symlinks), and checks stay inside the workspace. Through
//! the real binary, on a copy of the bundled lesson.
#![cfg(unix)]

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    cmd.env_remove("REPLICATED_API_ORIGIN");
    cmd
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the bundled lesson in a temp dir, its lesson.toml edited by `edit`.
fn lesson_copy(edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("lesson");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images"),
        &lesson,
    );
    let manifest = lesson.join("lesson.toml");
    fs::write(&manifest, edit(fs::read_to_string(&manifest).unwrap())).unwrap();
    (dir, lesson)
}

fn line_of(lesson: &Path, needle: &str) -> usize {
    let text = fs::read_to_string(lesson.join("lesson.toml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// `labrun lint` and `labrun init` both refuse the lesson with exit 2 and
/// a message naming lesson.toml, the line and `phrase`.
fn refused(lesson: &Path, line: usize, phrase: &str) {
    let lint = labrun().arg("lint").arg(lesson).output().unwrap();
    let init = labrun()
        .arg("init")
        .arg(lesson)
        .arg(lesson.parent().unwrap().join("ws"))
        .output()
        .unwrap();
    for out in [lint, init] {
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("lesson.toml:{line}:")), "{stderr}");
        assert!(stderr.contains(phrase), "{stderr}");
        assert!(!stderr.contains("root:"), "{stderr}");
    }
    assert!(!lesson.parent().unwrap().join("ws").exists());
}

const SECRET_CHECK: &str = r#"[[steps.checks]]
name = "imagepullsecret.yaml renders nothing without a pull secret""#;

fn with_text_check(expected_file: &str) -> impl Fn(String) -> String + '_ {
    move |toml| {
        toml.replace(
            SECRET_CHECK,
            &format!(
                "[[steps.checks]]\nkind = \"text\"\nfile = \"slackernews/values.yaml\"\nexpected_file = \"{expected_file}\"\n\n{SECRET_CHECK}"
            ),
        )
    }
}

#[test]
fn an_expected_file_outside_the_lesson_is_refused() {
    let (_dir, lesson) = lesson_copy(with_text_check("/etc/passwd"));
    let line = line_of(&lesson, "expected_file = \"/etc/passwd\"") - 3;
    refused(
        &lesson,
        line,
        "`expected_file` \"/etc/passwd\" is outside the lesson directory",
    );
    let (_dir, lesson) = lesson_with_parent_path();
    let line = line_of(&lesson, "expected_file = \"../../../etc/passwd\"") - 3;
    refused(&lesson, line, "is outside the lesson directory");
}

fn lesson_with_parent_path() -> (tempfile::TempDir, PathBuf) {
    lesson_copy(with_text_check("../../../etc/passwd"))
}

#[test]
fn a_symlink_out_of_the_lesson_is_refused() {
    let (_dir, lesson) = lesson_copy(with_text_check("expected/innocent.txt"));
    fs::create_dir_all(lesson.join("expected")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", lesson.join("expected/innocent.txt")).unwrap();
    let line = line_of(&lesson, "expected/innocent.txt") - 3;
    refused(
        &lesson,
        line,
        "resolves to /etc/passwd, outside the lesson directory",
    );
}

#[test]
fn starting_files_and_text_outside_the_lesson_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("private.txt"), "not for the lesson").unwrap();
    let files = format!("files = \"{}\"", outside.path().display());
    let (_dir, lesson) = lesson_copy(|toml| toml.replace("files = \"files\"", &files));
    refused(&lesson, line_of(&lesson, &files), "`files`");

    let (_dir, lesson) = lesson_copy(|toml| {
        toml.replace(
            "text = \"assignment.md\"",
            "text = \"../lesson/../../x.md\"",
        )
    });
    refused(
        &lesson,
        line_of(&lesson, "text = "),
        "`text` \"../lesson/../../x.md\" is outside the lesson directory",
    );
}

#[test]
fn a_workspace_link_pointing_outside_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    labrun()
        .current_dir(dir.path())
        .args(["init", "lab"])
        .assert()
        .success();
    let ws = dir.path().join("lab");
    // Outside the workspace: a values.yaml that would pass.
    let values = ws.join("slackernews/values.yaml");
    let app = serde_json::from_str::<serde_json::Value>(
        &fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap(),
    )
    .unwrap()["vars"]["REPLICATED_APP"]
        .as_str()
        .unwrap()
        .to_string();
    let passing = fs::read_to_string(&values).unwrap().replace(
        "repository: ghcr.io/",
        &format!("repository: proxy.replicated.com/proxy/{app}/ghcr.io/"),
    );
    let elsewhere = dir.path().join("elsewhere.yaml");
    fs::write(&elsewhere, passing).unwrap();
    fs::remove_file(&values).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &values).unwrap();
    let out = labrun()
        .current_dir(&ws)
        .args(["check", "--step", "proxy-image"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("slackernews/values.yaml is a link to ")
            && stdout.contains("elsewhere.yaml, outside the workspace"),
        "{stdout}"
    );
}
