//! A FIFO or a device where a file should be never hangs labrun: check,
//! lint, show and the helm stand-in say "not a regular file" and go on.
//! Each command runs under a timeout, so a regression fails instead of hanging.
#![cfg(unix)]

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    cmd.env_remove("REPLICATED_API_ORIGIN");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    labrun()
        .current_dir(dir.path())
        .args(["init", "lab"])
        .assert()
        .success();
    let ws = dir.path().join("lab");
    (dir, ws)
}

fn stdout_of(ws: &Path, args: &[&str], code: i32) -> String {
    let out = labrun().current_dir(ws).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn a_fifo_in_the_workspace_fails_its_check_without_hanging() {
    let (_dir, ws) = workspace();
    mkfifo(&ws.join("slackernews/values.yaml"));
    let out = stdout_of(&ws, &["check", "--step", "proxy-image"], 1);
    assert!(
        out.contains("slackernews/values.yaml is not a regular file (a FIFO)"),
        "{out}"
    );
    fs::create_dir_all(ws.join("release")).unwrap();
    mkfifo(&ws.join("release/slackernews-0.5.0.tgz"));
    let out = stdout_of(&ws, &["check", "--step", "package"], 1);
    assert!(
        out.contains("release/slackernews-0.5.0.tgz is not a regular file (a FIFO)"),
        "{out}"
    );
}

#[test]
fn a_fifo_in_the_chart_fails_helm_package_without_hanging() {
    let (_dir, ws) = workspace();
    mkfifo(&ws.join("slackernews/.helmignore"));
    let out = stdout_of(&ws, &["helm", "package", "slackernews", "-d", "release"], 1);
    assert!(out.contains(".helmignore"), "{out}");
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");
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

#[test]
fn a_fifo_as_the_lessons_text_or_expected_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("lesson");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images"),
        &lesson,
    );
    let manifest = lesson.join("lesson.toml");
    let toml = fs::read_to_string(&manifest).unwrap().replace(
        "[[steps.checks]]\nname = \"Chart.yaml version is 0.5.0\"",
        "[[steps.checks]]\nkind = \"text\"\nfile = \"slackernews/Chart.yaml\"\nexpected_file = \"expected.txt\"\n\n[[steps.checks]]\nname = \"Chart.yaml version is 0.5.0\"",
    );
    fs::write(&manifest, toml).unwrap();
    mkfifo(&lesson.join("expected.txt"));
    let ws = dir.path().join("ws");
    labrun()
        .arg("init")
        .arg(&lesson)
        .arg(&ws)
        .assert()
        .success();
    let out = stdout_of(&ws, &["check", "--step", "bump-version"], 1);
    assert!(
        out.contains("expected.txt is not a regular file (a FIFO)"),
        "{out}"
    );

    mkfifo(&lesson.join("assignment.md"));
    for command in ["lint", "show"] {
        let out = labrun().arg(command).arg(&lesson).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("assignment.md is not a regular file (a FIFO)"),
            "{stderr}"
        );
    }
}
